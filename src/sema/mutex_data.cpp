// mutex_data.cpp: `Mutex<T>`, a mutex that owns the value it protects (spec 9 of
// doc/language/concurrency.md; LANGUAGE.md "Std also has ... Mutex<T>").
//
// Job: `Mutex<T>` is the handle type Mutex with elem T (the plain `Mutex` has no elem).
// `new Mutex<T>(value)` takes the initial value; `m.Lock(f)` takes a lambda of one
// parameter of type T, written `(ref T v) => ...` (v is the protected value itself) or
// `v => ...` (a copy), runs it with the lock held and returns its result (any type, void
// included). The lambda is borrowed (closures.cpp): it may capture and change locals.
// Annotations for lowering (lower_mutex_data.cpp): the CallExpr has builtin MutexLock, its
// only argument is the LambdaExpr (type `(T) => R`, the parameter's mode on the lambda's
// ParamDecl) and its type is R; the NewExpr has the Mutex<T> type and one argument
// converted to T.
// Invariants: T is sendable (the value is reached from every thread that locks).
#include "sema/check.h"

namespace lang::sema {

const Type* Sema::resolve_data_mutex(TypeExpr* te) {
    if (te->args.size != 1) {
        diag.error(te->span, "'Mutex' takes one type argument (Mutex<T>, the value it protects) or none");
        return err();
    }
    const Type* el = resolve_type(te->args[0]);
    if (is_error(el)) return err();
    if (el->kind == TypeKind::Void) {
        diag.error(te->args[0]->span, "a Mutex cannot protect void");
        return err();
    }
    if (!check_sendable(el, te->args[0]->span, "the value a Mutex protects")) return err();
    return T.handle(TypeKind::Mutex, el);
}

const Type* Sema::check_data_mutex_new(NewExpr* e, const Type* t) {
    if (e->args.size != 1) {
        diag.error(e->span, "'new %s' takes one argument (the value it protects), found %u", tn(t).c_str(), e->args.size);
        for (Arg& a : e->args) expr(a.value, nullptr);
        return err();
    }
    value(e->args[0].value, t->elem);
    return t;
}

const Type* Sema::check_data_mutex_lock(CallExpr* e, MemberExpr* m, const Type* ot) {
    m->type = T.void_();
    e->target = nullptr;
    if (!(m->name == "Lock")) {
        diag.error(m->name_span, "type %s has no method '%s' (it has Lock(f))", tn(ot).c_str(), m->name.c_str());
        for (Arg& a : e->args) expr(a.value, nullptr);
        return err();
    }
    e->builtin = (uint32_t)Builtin::MutexLock;
    m->builtin = (uint32_t)Builtin::MutexLock;
    Expr* a = e->args.size == 1 ? e->args[0].value : nullptr;
    if (!a || a->kind != ExprKind::Lambda || e->args[0].name) {
        diag.error(a ? a->span : e->span, "%s.Lock expects a lambda taking the value: m.Lock((ref %s v) => ...)",
                   tn(ot).c_str(), tn(ot->elem).c_str());
        for (Arg& x : e->args) expr(x.value, nullptr);
        return err();
    }
    auto* l = static_cast<LambdaExpr*>(a);
    if (l->params.size != 1) {
        diag.error(l->span, "the lambda given to %s.Lock takes one parameter (the value), found %u", tn(ot).c_str(),
                   l->params.size);
        ref_lambda_ = l;
        expr(a, nullptr);
        return err();
    }
    const Type* pt = ot->elem;
    ref_lambda_ = l; // lambdas.cpp: its parameter may be `ref`, its result is inferred
    const Type* ft = expr(a, T.func(&pt, 1, T.void_()));
    if (is_error(ft)) return err();
    if (ft->kind != TypeKind::Func || ft->count != 1 || ft->elems[0] != pt) {
        diag.error(l->span, "the lambda given to %s.Lock must take the value as type %s, not %s", tn(ot).c_str(), tn(pt).c_str(),
                   ft->kind == TypeKind::Func && ft->count == 1 ? tn(ft->elems[0]).c_str() : tn(ft).c_str());
        return err();
    }
    note_borrow_arg(a); // closures.cpp: runs during the call only
    return ft->elem;
}

} // namespace lang::sema
