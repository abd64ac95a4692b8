// lower_recenum.cpp: lowering of recursive enums' boxed payloads.
//
// A payload that sema marked boxed (ParamDecl::boxed, sema/recursive_enum.cpp) is stored
// in the enum value as a pointer to a heap copy made when the case is constructed; a
// pattern reads the value through that pointer (lower_stmt.cpp). A box is a runtime
// object without type info (lang_box_new, src/rt/object.c): the enum holds the address of
// the payload after the 16-byte header, and lang_box_free gives the block back to the
// allocator that made it. Boxes are never written after construction. A recursive enum is
// a move type, so exactly one value owns each box: dropping that value drops the boxed
// payload and frees the box (lower_drop_enum.cpp).
#include "ir/lower_impl.h"

namespace lang::lower {

Inst* Lowerer::new_box(const Type* t) {
    use_extern("lang_box_new");
    return call("lang_box_new", Ty::Ptr, {ctx, iconst(Ty::I64, t->size ? t->size : 1)});
}

Inst* Lowerer::box_value(const Type* t, Inst* v) {
    Inst* box = new_box(t);
    store_typed(t, box, 0, v);
    return box;
}

// Drops the value in a box (maybe null) and frees the box.
void Lowerer::drop_box(const Type* t, Inst* box) {
    if (has_drops(t)) {
        Block* some = mk_block();
        Block* done = mk_block();
        Inst* isnull = emit(Op::eq, Ty::I8, box, iconst(Ty::Ptr, 0));
        isnull->cty = Ty::Ptr;
        br(isnull, done, some);
        seal(some);
        enter(some);
        drop_value(t, load_typed(t, box, 0));
        jmp(done);
        seal(done);
        enter(done);
    }
    use_extern("lang_box_free");
    call("lang_box_free", Ty::Void, {ctx, box});
}

} // namespace lang::lower
