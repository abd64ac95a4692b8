// func_values.cpp: function types and function values (spec 7.10).
//
// Job: resolve a function type `(A, B) => R`, turn a free function or static method named
// without a call (`F`, or `Type.F` for a static method) into a value of its function type, and check a call of any expression of
// function type (argument count and conversions). Lambdas are in lambdas.cpp; instance-method
// values (`obj.M`) in method_values.cpp.
// Invariants: a function value's NameExpr keeps the FuncDecl in `decl` and has the
// function's type; a call through a value leaves CallExpr.target null.
#include "sema/check.h"

namespace lang::sema {

const Type* Sema::resolve_func_type(TypeExpr* te) {
    std::vector<const Type*> ps;
    bool bad = false;
    for (TypeExpr* a : te->args) {
        const Type* t = resolve_type(a);
        if (is_error(t)) bad = true;
        else if (t->kind == TypeKind::Void) {
            diag.error(a->span, "a parameter of a function type cannot be void");
            bad = true;
        }
        ps.push_back(t);
    }
    const Type* r = te->elem ? resolve_type(te->elem) : T.void_();
    if (is_error(r)) bad = true;
    return bad ? err() : T.func(ps.data(), (uint32_t)ps.size(), r);
}

const Type* Sema::function_value(Expr* e, Ident name, int32_t sym, Decl** decl) {
    CandBuf cands;
    gather(sym, cands);
    if (cands.n != 1) {
        diag.error(e->span, "function '%s' is overloaded: it cannot be used as a value", name.c_str());
        return err();
    }
    FuncDecl* f = cands.data()[0];
    bool instance = f->parent && f->parent->kind == DeclKind::Type && !(f->mods & M_STATIC);
    if (instance) { // `M` in a method of its class: `this.M` (lowered as a method value)
        if (!fn_.self || !derives(fn_.self_decl, static_cast<TypeDecl*>(f->parent))) {
            diag.error(e->span, "method '%s' needs a receiver to be used as a value: write 'obj.%s'", name.c_str(),
                       name.c_str());
            return err();
        }
        if (fn_.self->kind == TypeKind::Struct && (f->mods & M_MUT)) {
            diag.error(e->span, "'mut' method '%s' of a struct cannot be used as a value: it would change a copy of the receiver",
                       name.c_str());
            return err();
        }
        if (!lambda_stack_.empty()) capture_this(); // closures.cpp
    }
    if (!value_target_ok(e, name, f)) return err();
    *decl = f;
    return f->type ? f->type : err();
}

// The rules every function used as a value follows (free functions, static methods and
// method values alike).
bool Sema::value_target_ok(Expr* e, Ident name, FuncDecl* f) {
    if (f->fkind != FuncKind::Function && f->fkind != FuncKind::Method) {
        diag.error(e->span, "function '%s' cannot be used as a value", name.c_str());
        return false;
    }
    if (f->extern_abi || !f->type_params.empty()) {
        diag.error(e->span, "function '%s' cannot be used as a value: it is %s", name.c_str(),
                   f->extern_abi ? "an extern function" : "generic");
        return false;
    }
    for (ParamDecl* p : f->params) {
        if (p->mode != ParamMode::Borrow || p->default_value) {
            diag.error(e->span, "function '%s' cannot be used as a value: parameter '%s' %s", name.c_str(),
                       p->name.c_str(), p->default_value ? "has a default value" : "is 'ref' or 'own'");
            return false;
        }
        // A generic `T` bound to a function type may store its argument, but a call through
        // the value would pass it a borrowed lambda (closures.cpp).
        const Type* t = p->type && p->type->kind == TypeKind::Nullable ? p->type->elem : p->type;
        if (t && t->kind == TypeKind::Func && p->type_expr && p->type_expr->kind != TypeExprKind::Func &&
            p->type_expr->kind != TypeExprKind::Nullable) {
            diag.error(e->span, "function '%s' cannot be used as a value: parameter '%s' has a generic type bound to "
                                "the function type %s", name.c_str(), p->name.c_str(), tn(p->type).c_str());
            return false;
        }
    }
    if (!check_access(f, e->span)) return false;
    note_use(f, e->span); // instance_use.cpp: a value of an instance's method uses it
    return true;
}

const Type* Sema::call_value(CallExpr* e, const Type* ft) {
    for (Arg& a : e->args)
        if (a.name) diag.error(a.value ? a.value->span : e->span, "named arguments cannot be used when calling a function value");
    if (ft->count != e->args.size) {
        diag.error(e->span, "function value of type %s expects %u argument%s, found %u", type_name(ft).c_str(), ft->count,
                   ft->count == 1 ? "" : "s", e->args.size);
        for (Arg& a : e->args) expr(a.value, nullptr);
        return err();
    }
    for (uint32_t i = 0; i < e->args.size; i++) {
        Expr* a = e->args[i].value;
        if (a->kind == ExprKind::RefArg) {
            diag.error(a->span, "a function value takes no 'ref' arguments");
            expr(a, nullptr);
            continue;
        }
        value(a, ft->elems[i]);
        if (ft->elems[i]->kind == TypeKind::Func) note_borrow_arg(a); // closures.cpp
    }
    e->target = nullptr;
    return ft->elem;
}

} // namespace lang::sema
