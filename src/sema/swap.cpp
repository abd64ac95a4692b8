// swap.cpp: the builtins swap(ref a, ref b) and take(ref a) (doc/language/spec.md 6).
//
// swap exchanges the values of two mutable places of the same type: locals, fields,
// elements, `ref` parameters. It is how a value of a move type leaves a field or element
// that owns it (spec 6: a place cannot be moved out of, since its owner still holds it):
// `swap(ref o.child, ref spare)` gives `spare` the old child and `o` the spare. Both
// places keep exactly one owner each, so no reference counts change (lowering exchanges
// the bits). Passing the same variable twice is an exclusivity error (flow.cpp).
#include "sema/check.h"

namespace lang::sema {

const Type* Sema::check_swap(CallExpr* e) {
    e->builtin = (uint32_t)Builtin::Swap;
    e->callee->type = T.void_();
    if (e->args.size != 2) {
        for (Arg& a : e->args) expr(a.value, nullptr);
        diag.error(e->span, "swap expects 2 arguments, found %u", e->args.size);
        return T.void_();
    }
    const Type* ts[2];
    bool ok = true;
    for (int i = 0; i < 2; i++) {
        Expr* a = e->args[i].value;
        ts[i] = expr(a, i == 1 ? ts[0] : nullptr);
        if (a->kind != ExprKind::RefArg || static_cast<RefArgExpr*>(a)->is_own) {
            diag.error(a->span, "swap takes the places to exchange as 'ref': write swap(ref a, ref b)");
            ok = false;
        }
        if (is_error(ts[i])) ok = false;
    }
    if (ok && ts[0] != ts[1])
        diag.error(e->span, "swap needs two places of the same type, found %s and %s", tn(ts[0]).c_str(),
                   tn(ts[1]).c_str());
    return T.void_();
}

// take(ref a) returns a's value and leaves a holding its type's zero value (spec 4.2:
// null, 0, "", an empty array, the zeroed struct). Like swap, it moves a value out of a
// field or element without a second owner. For a class type that does not allow null the
// place holds null afterwards: reading it before storing a new value is a null
// dereference (the collections use it only on slots they no longer read).
const Type* Sema::check_take(CallExpr* e) {
    e->builtin = (uint32_t)Builtin::Take;
    e->callee->type = T.void_();
    if (e->args.size != 1) {
        for (Arg& a : e->args) expr(a.value, nullptr);
        diag.error(e->span, "take expects 1 argument, found %u", e->args.size);
        return T.error(); // no follow-up error where the value is used
    }
    Expr* a = e->args[0].value;
    const Type* t = expr(a, nullptr);
    if (a->kind != ExprKind::RefArg || static_cast<RefArgExpr*>(a)->is_own) {
        diag.error(a->span, "take takes the place to empty as 'ref': write take(ref a)");
        return T.error();
    }
    return t;
}

} // namespace lang::sema
