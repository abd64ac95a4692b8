// compare.cpp: the builtin compare(a, b) (doc/language/spec.md 10.4, "Ordering").
//
// compare(a, b) is negative, zero or positive as a is before, equal to or after b: numbers
// (after the usual common type), char and bool by value, C-like enums by their underlying
// value, strings by their bytes (which is code-point order for UTF-8), and a class or
// struct through its method `int CompareTo(T other)` (IComparable<T>). It lets generic code
// such as List<T>.Sort() order any element type that has an order; sema turns the call
// into the method call `a.CompareTo(b)` (call_as_method, as hash/equals do).
#include "sema/check.h"

namespace lang::sema {

static bool ordered_by_value(const Type* t) {
    return t->is_numeric() || t->kind == TypeKind::Char || t->kind == TypeKind::Bool ||
           t->kind == TypeKind::String || t->is_c_like_enum();
}

const Type* Sema::check_compare(CallExpr* e) {
    e->builtin = (uint32_t)Builtin::Compare;
    e->callee->type = T.void_();
    if (e->args.size != 2) {
        for (Arg& a : e->args) expr(a.value, nullptr);
        diag.error(e->span, "compare expects 2 arguments, found %u", e->args.size);
        return err();
    }
    Expr*& a = e->args[0].value;
    Expr*& b = e->args[1].value;
    const Type* ta = expr(a, nullptr);
    const Type* tb = expr(b, ta->is_numeric() ? ta : nullptr);
    if (is_error(ta) || is_error(tb)) return T.int_();
    if (ta->is_numeric() && tb->is_numeric()) {
        const Type* ct = common_type(a, b);
        if (!ct || is_error(ct))
            diag.error(e->span, "compare cannot order %s and %s", tn(ta).c_str(), tn(tb).c_str());
        return T.int_();
    }
    if (ta == tb && ordered_by_value(ta)) return T.int_();
    if ((ta->kind == TypeKind::Class || ta->kind == TypeKind::Struct) && ta->decl) {
        Ident name = c.interner.intern("CompareTo");
        if (lookup_member(static_cast<TypeDecl*>(ta->decl), name) >= 0) {
            // The arguments are checked again by the call: expressions are checked the same way each time.
            const Type* rt = call_as_method(e, "CompareTo", T.int_());
            if (is_error(rt) || rt->is_integer()) return rt; // int, or CompareTo's integer type
            diag.error(e->span, "compare needs %s.CompareTo to return an integer, not %s", tn(ta).c_str(),
                       tn(rt).c_str());
            return err();
        }
    }
    if (ta != tb)
        diag.error(e->span, "compare cannot order %s and %s", tn(ta).c_str(), tn(tb).c_str());
    else
        diag.error(e->span, "compare cannot order values of type %s: it has no order (give it a method "
                            "'int CompareTo(%s other)')", tn(ta).c_str(), tn(ta).c_str());
    return T.int_();
}

} // namespace lang::sema
