// lambdas.cpp: checking lambdas (spec 7.10).
//
// Job: give a lambda its function type (parameter types written or taken from the
// expected function type; result from the expected type, or the body expression's type)
// and check its body as a function of its own, "<enclosing>$lambdaN", which lowering emits
// like any other function. A name that is a local or parameter of a function around the
// lambda is a capture (LambdaExpr.captures), and so is `this` in a method (capture_this,
// closures.cpp). Whether a lambda with captures borrows them (a record on the stack) or
// copies them (a heap record) is settled in closures.cpp once the whole body is checked.
// Invariants: while a body is checked, the locals of the functions around it sit in
// outer_locals_ (innermost last) and locals_ holds only the lambda's own; fn_ is the
// lambda's FnCtx and is restored afterwards, as is every other piece of body state.
#include "sema/check.h"

#include <utility>

namespace lang::sema {

bool is_borrowed_fn_param(const Decl* d); // closures.cpp

// A local or parameter of a function around the lambda being checked: every lambda from
// that function inwards captures it.
Decl* Sema::capture(Ident name, Span) {
    for (size_t k = outer_locals_.size(); k-- > 0;) {
        Decl* d = outer_locals_[k].lookup(name);
        if (!d) continue;
        if (d->kind == DeclKind::Local) static_cast<LocalDecl*>(d)->captured = true;
        else if (d->kind == DeclKind::Param) static_cast<ParamDecl*>(d)->captured = true;
        else return nullptr;
        for (size_t j = k; j < lambda_stack_.size(); j++) {
            LambdaExpr* l = lambda_stack_[j];
            bool seen = false;
            for (Decl* c : l->captures) seen = seen || c == d;
            if (!seen) l->captures.push(arena, d);
        }
        return d;
    }
    return nullptr;
}

const Type* Sema::infer_result(Expr* value) {
    const Type* t = expr(value, nullptr);
    if (t->kind == TypeKind::Void || t->kind == TypeKind::Never || t->kind == TypeKind::Null ||
        t->kind == TypeKind::Range) {
        if (!is_error(t)) diag.error(value->span, "cannot infer the result type of this lambda from this 'return'");
        return err();
    }
    return t;
}

const Type* Sema::check_lambda(LambdaExpr* l, const Type* hint) {
    bool ref_ok = ref_lambda_ == l; // Mutex<T>.Lock's argument (mutex_data.cpp)
    ref_lambda_ = nullptr;
    if (hint && hint->kind == TypeKind::Nullable) hint = hint->elem;
    const Type* want = hint && hint->kind == TypeKind::Func ? hint : nullptr;
    bool bad = false;
    std::vector<const Type*> ps;
    uint32_t pi = 0;
    for (ParamDecl* p : l->params) {
        if (!p) {
            bad = true;
            continue;
        }
        p->index = pi;
        if ((p->mode != ParamMode::Borrow && !(ref_ok && p->mode == ParamMode::Ref)) || p->default_value) {
            diag.error(p->name_span, "a lambda parameter cannot be %s",
                       p->default_value ? "given a default value" : "'ref' or 'own'");
            bad = true;
        }
        if (p->type_expr) {
            p->type = resolve_type(p->type_expr);
            if (p->type->kind == TypeKind::Void) {
                diag.error(p->name_span, "parameter '%s' cannot have type void", p->name.c_str());
                p->type = err();
            }
            const Type* ft = p->type->kind == TypeKind::Nullable ? p->type->elem : p->type;
            if (ft->kind == TypeKind::Func && p->type_expr->kind != TypeExprKind::Func &&
                p->type_expr->kind != TypeExprKind::Nullable)
                lambda_fn_params_.insert(p); // `(T x) => ...` with T a function type: borrowed (closures.cpp)
        } else if (want && pi < want->count) {
            p->type = want->elems[pi];
        } else {
            if (!bad)
                diag.error(p->name_span, want ? "the lambda has more parameters than its type %s"
                                              : "cannot infer the parameter types of a lambda%s",
                           want ? type_name(want).c_str() : "");
            p->type = err();
            bad = true;
        }
        if (is_error(p->type)) bad = true;
        ps.push_back(p->type);
        pi++;
    }
    // (A hint whose result is a type parameter comes from inferring a generic call's type
    // arguments, generics.cpp: the result is not known yet and comes from the body.)
    const Type* ret = l->ret ? resolve_type(l->ret)
                      : want && want->count == pi && !ref_ok && want->elem->kind != TypeKind::TypeParam ? want->elem
                                                                                                       : nullptr;
    if (ret && is_error(ret)) bad = true;

    // The lambda's own function.
    FuncDecl* fd = arena.make<FuncDecl>();
    fd->kind = DeclKind::Func;
    fd->span = fd->name_span = l->span;
    fd->params = l->params;
    fd->body = l->body_block;
    fd->body_expr = l->body_expr;
    std::string name = fn_.fn ? std::string(fn_.fn->mangled ? fn_.fn->mangled : fn_.fn->name.c_str()) : std::string("$init");
    name += "$lambda" + std::to_string(fn_.fn ? ++fn_.lambdas : ++init_lambdas_);
    fd->name = c.interner.intern(name);
    fd->mangled = fd->name.c_str();
    l->fn = fd;

    // Check the body with the enclosing function's state put aside.
    FnCtx outer = fn_;
    fn_ = FnCtx{};
    fn_.fn = fd;
    fn_.self_decl = outer.self_decl; // static members of the enclosing type stay visible
    fn_.self = outer.self;           // and `this` (captured: capture_this)
    fn_.is_mut = outer.is_mut && !outer.is_ctor;
    fn_.unsafe_depth = outer.unsafe_depth; // a lambda written in `unsafe { }` may call C (ffi.cpp)
    outer_locals_.push_back(std::move(locals_));
    lambda_stack_.push_back(l);
    locals_ = LocalScopes{};
    int errors_before = diag.error_count();
    push_scope();
    for (ParamDecl* p : l->params)
        if (p) declare_local(p->name, p, p->name_span);
    fn_.ret = ret ? ret : err();
    if (l->body_expr) {
        const Type* t = expr(l->body_expr, ret && ret->kind != TypeKind::Void ? ret : nullptr);
        if (!ret) {
            if (t->kind == TypeKind::Null || t->kind == TypeKind::Range) {
                diag.error(l->body_expr->span, "cannot infer the result type of this lambda");
                t = err();
            }
            ret = t->kind == TypeKind::Never ? T.void_() : t;
        } else if (ret->kind != TypeKind::Void) {
            if (t->kind == TypeKind::Void && !is_error(ret))
                diag.error(l->body_expr->span, "the lambda must return a value of type %s", tn(ret).c_str());
            else
                coerce(l->body_expr, ret);
        }
    } else if (l->body_block) {
        fn_.infer_ret = !ret;
        for (Stmt* s : l->body_block->stmts) check_stmt(s);
        if (!ret) ret = fn_.infer_ret ? T.void_() : fn_.ret; // no value-returning `return`: void
        if (!is_void_result(ret) && !is_error(ret) && !block_returns(l->body_block))
            diag.error(l->span, "the lambda must return a value of type %s", tn(ret).c_str());
    }
    pop_scope();
    fd->local_count = fn_.next_local;
    if (is_error(ret)) bad = true;
    fd->type = bad ? err() : T.func(ps.data(), (uint32_t)ps.size(), ret);
    if (!bad && diag.error_count() == errors_before) check_flow(fd, nullptr); // flow.cpp
    locals_ = std::move(outer_locals_.back());
    outer_locals_.pop_back();
    lambda_stack_.pop_back();
    if (l->captures.size || l->this_type) closures_.push_back(l); // closures.cpp settles it
    fn_ = outer;
    if (!fn_.fn && lambda_stack_.empty()) settle_closures(); // a lambda in an initializer
    return fd->type;
}

} // namespace lang::sema
