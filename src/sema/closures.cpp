// closures.cpp: which lambdas escape (spec 7.10, "Captures").
//
// Job: once a function body (or an initializer's outermost lambda) is checked, decide for
// every lambda with captures whether it borrows them (LambdaExpr::on_stack: its record is
// on the stack and holds the captured variables' addresses) or copies them into a heap
// record when it is made (LambdaExpr::escapes). A lambda does not escape when it is
//   - passed directly to an ordinary (not `own`) parameter declared with a function type
//     (a generic `T` parameter may store its argument, so it counts as escaping), or
//   - the initializer of a `let` local whose every use is a call or such an argument.
// Every other use escapes. Inside a callee a parameter of function type is borrowed: a use
// other than a call or such an argument is an error ("cannot store 'f': ..."). A lambda that
// escapes makes a lambda it captures (through a `let` local) escape too, and cannot capture
// a `ref` parameter or a borrowed function parameter. A lambda's parameter written with a
// generic type that is bound to a function type is borrowed as well (lambda_fn_params_):
// a call through the lambda's value passes it a borrowed argument.
// Invariants: the positions are gathered while checking (note_borrow_args after overload
// resolution, closure_use for names, check_lambda for lambdas) and consumed here; nothing
// is kept across bodies.
#include "sema/check.h"

namespace lang::sema {

bool is_borrowed_fn_param(const Decl* d);

static Expr* strip_casts(Expr* a) {
    while (a && a->kind == ExprKind::Cast && !static_cast<CastExpr*>(a)->to) a = static_cast<CastExpr*>(a)->operand;
    return a;
}

void Sema::note_borrow_arg(Expr* a) {
    a = strip_casts(a);
    if (a && (a->kind == ExprKind::Lambda || a->kind == ExprKind::Name)) borrow_args_.insert(a);
}

void Sema::note_borrow_args(FuncDecl* f, ArenaVec<Arg>& args) {
    for (uint32_t i = 0; i < args.size && i < f->params.size; i++) {
        ParamDecl* p = f->params[i];
        if (p && p->type_expr && args[i].value && is_borrowed_fn_param(p)) note_borrow_arg(args[i].value);
    }
}

void Sema::unborrow_args(ArenaVec<Arg>& args) {
    for (Arg& a : args) borrow_args_.erase(strip_casts(a.value));
}

void Sema::capture_this() {
    for (LambdaExpr* l : lambda_stack_)
        if (!l->this_type) l->this_type = fn_.self;
}

// A parameter declared with a function type and no mode (an untyped lambda parameter that
// takes a function type counts too). A generic `T` parameter is not: its argument escapes.
bool is_borrowed_fn_param(const Decl* d) {
    if (d->kind != DeclKind::Param) return false;
    auto* p = static_cast<const ParamDecl*>(d);
    if (p->mode != ParamMode::Borrow) return false;
    if (TypeExpr* te = p->type_expr) {
        if (te->kind == TypeExprKind::Nullable && te->elem) te = te->elem;
        return te->kind == TypeExprKind::Func;
    }
    const Type* t = p->type && p->type->kind == TypeKind::Nullable ? p->type->elem : p->type;
    return t && t->kind == TypeKind::Func;
}

bool Sema::borrowed_fn_param(const Decl* d) const {
    return is_borrowed_fn_param(d) || (!lambda_fn_params_.empty() && lambda_fn_params_.count(d));
}

void Sema::escape_lambda(LambdaExpr* l) {
    if (l->escapes) return;
    l->escapes = true;
    l->on_stack = false;
    for (Decl* d : l->captures) {
        if (d->kind == DeclKind::Param && static_cast<ParamDecl*>(d)->mode == ParamMode::Ref)
            diag.error(l->span, "cannot capture '%s' in a lambda that escapes: it is a ref parameter", d->name.c_str());
        else if (borrowed_fn_param(d))
            diag.error(l->span, "cannot capture '%s' in a lambda that escapes: a function parameter is borrowed; mark it 'own'",
                       d->name.c_str());
        else if (std::string why; d->type && holds_gc_ref(d->type, &why))
            diag.error(l->span, "cannot capture '%s' in a lambda that escapes: it holds a gc reference (%s), which "
                                "the collector cannot see in a lambda's heap record",
                       d->name.c_str(), why.c_str());
        else if (d->kind == DeclKind::Local && static_cast<LocalDecl*>(d)->closure)
            escape_lambda(static_cast<LocalDecl*>(d)->closure); // its value is copied: it must outlive the frame
    }
    if (std::string why; l->this_type && holds_gc_ref(l->this_type, &why))
        diag.error(l->span, "cannot use 'this' in a lambda that escapes: it is a gc reference (%s), which the "
                            "collector cannot see in a lambda's heap record",
                   why.c_str());
}

void Sema::settle_closures() {
    for (LambdaExpr* l : closures_)
        if (!l->holder && !borrow_args_.count(l)) escape_lambda(l);
    for (NameExpr* use : closure_uses_) {
        if (borrow_args_.count(use) || !use->decl) continue;
        if (use->decl->kind == DeclKind::Local) {
            if (LambdaExpr* l = static_cast<LocalDecl*>(use->decl)->closure) escape_lambda(l);
        } else if (borrowed_fn_param(use->decl)) {
            if (lambda_fn_params_.count(use->decl))
                diag.error(use->span, "cannot store '%s': a lambda's parameter of function type %s is borrowed (a named "
                                      "function with an 'own' parameter can store it)",
                           use->decl->name.c_str(), tn(use->decl->type).c_str());
            else
                diag.error(use->span, "cannot store '%s': a function parameter is borrowed; mark it 'own'",
                           use->decl->name.c_str());
        }
    }
    for (LambdaExpr* l : closures_)
        if (!l->escapes) l->on_stack = true;
    closures_.clear();
    closure_uses_.clear();
    if (!borrow_args_.empty()) borrow_args_.clear(); // (clear() walks every bucket)
}

} // namespace lang::sema
