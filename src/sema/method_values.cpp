// method_values.cpp: instance methods used as values (spec 7.10, "Named functions as values").
//
// Job: `obj.M` without a call, where M is an instance method of a class, struct or
// interface, is a value of M's function type (without the receiver). Lowering evaluates
// the receiver when the value is made and binds it in a heap record (a struct receiver is
// copied); a virtual or interface method is resolved then (lower_method_values.cpp).
// Invariants: the MemberExpr keeps the FuncDecl in `decl` and has the function type; the
// same rules as for named functions apply (not overloaded, not generic, no ref/own
// parameters or defaults: value_target_ok).
#include "sema/check.h"

namespace lang::sema {

const Type* Sema::method_value(MemberExpr* e, const Type* ot, int32_t sym) {
    CandBuf cands;
    gather(sym, cands);
    if (cands.n != 1) {
        diag.error(e->span, "method '%s' is overloaded: it cannot be used as a value", e->name.c_str());
        return err();
    }
    FuncDecl* f = cands.data()[0];
    if (f->mods & M_STATIC) {
        diag.error(e->span, "static method '%s' must be used through its type: '%s.%s'", e->name.c_str(),
                   ot->decl ? ot->decl->name.c_str() : "?", e->name.c_str());
        return err();
    }
    if (!value_target_ok(e, e->name, f)) return err();
    if (ot->kind == TypeKind::Struct && (f->mods & M_MUT)) {
        diag.error(e->span, "'mut' method '%s' of a struct cannot be used as a value: it would change a copy of the receiver",
                   e->name.c_str());
        return err();
    }
    if (std::string why; holds_gc_ref(ot, &why)) { // gc_classes.cpp
        diag.error(e->span, "method '%s' cannot be used as a value yet: its receiver holds a gc reference (%s), which "
                            "the value's heap record would hide from the collector",
                   e->name.c_str(), why.c_str());
        return err();
    }
    e->decl = f;
    return f->type ? f->type : err();
}

} // namespace lang::sema
