// lower_recenum.cpp: lowering of recursive enums' boxed payloads.
//
// A payload that sema marked boxed (ParamDecl::boxed, sema/recursive_enum.cpp) is stored
// in the enum value as a pointer to a heap copy made with lang_alloc when the case is
// constructed; a pattern reads the value through that pointer (lower_stmt.cpp). Boxes
// are never written after construction, so copies of an enum value may share them; they
// are not freed yet (ownership and drops come with the memory work, spec 4.7).
#include "ir/lower_impl.h"

namespace lang::lower {

Inst* Lowerer::box_value(const Type* t, Inst* v) {
    use_extern("lang_alloc");
    int64_t size = t->size ? t->size : 1, align = t->align ? t->align : 1;
    if (align < 8) align = 8;
    Inst* box = call("lang_alloc", Ty::Ptr, {ctx, iconst(Ty::I64, size), iconst(Ty::I64, align)});
    store_typed(t, box, 0, v);
    return box;
}

} // namespace lang::lower
