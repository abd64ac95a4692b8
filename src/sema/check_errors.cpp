// check_errors.cpp: errors as values (spec 10.3): `T!`, `fail`, `try`, `catch`, Ok/Err
// patterns, the `Error` class's builtin `Name`, and `int.Parse` / `float.Parse`.
//
// Rules checked here:
//  - `fail e;` only in a function returning T! (or void!); e is an Error (a class deriving
//    from the prelude's Error).
//  - `try e` only in a function returning T!; e must have a T! type; the result is T
//    (void for void!).
//  - `e catch d` / `e catch (err) => h`: e must have a T! type; d and h convert to T (for
//    void!, or a catch that is a whole statement, the handler is any expression or a
//    block, and the catch has type void); err is an Error. A fallback of the same T! type
//    (`F() catch G()`) makes the catch a T! itself (the other result, error or not).
//  - A T! value cannot be used as a T (report_fallible gives the message), and a call whose
//    T! result is dropped (an expression statement) is an error: the error would be lost.
// Annotations for lowering: TryExpr/CatchExpr get type T; CatchExpr::err_var is a
// ParamDecl of type Error; `int.Parse(s)` becomes a call of ParseError.ParseInt (the
// callee's object names the ParseError type, like any static call).
#include "sema/check.h"
#include "sema/prelude.h"

namespace lang::sema {

void Sema::find_error_decls() {
    Ident perr = c.interner.intern("ParseError");
    auto find = [&](Ident name) -> TypeDecl* {
        for (int32_t s = sym_find(root_, name); s >= 0; s = sym_list_[s].next) {
            Decl* d = sym_list_[s].decl;
            if (d->kind == DeclKind::Type && static_cast<TypeDecl*>(d)->tkind == TypeDeclKind::Class &&
                is_prelude_path(c.sources.file(d->span.file).path))
                return static_cast<TypeDecl*>(d);
        }
        return nullptr;
    };
    error_decl_ = find(id_error);
    parse_error_decl_ = find(perr);
}

bool Sema::is_error_class(const Type* t) const {
    return t && t->kind == TypeKind::Class && t->decl && error_decl_ && derives(t->decl, error_decl_);
}

const Type* Sema::error_type() const { return error_decl_ ? error_decl_->type : T.error(); }

bool Sema::report_fallible_use(Expr* e, const char* use) {
    diag.error(e->span, "this value has type %s and may be an error: handle it with 'try', 'catch' or 'match' before %s",
               tn(e->type).c_str(), use);
    return true;
}

void Sema::check_fail(FailStmt* s) {
    const Type* et = error_type();
    bool in_fallible = fn_.fn && fn_.ret && fn_.ret->kind == TypeKind::Fallible;
    if (!fn_.fn || !fn_.ret || (!in_fallible && !is_error(fn_.ret))) {
        if (fn_.fn && fn_.ret)
            diag.error(s->span, "'fail' is only allowed in a function returning T! or void! ('%s' returns %s)",
                       fn_.fn->name.c_str(), tn(fn_.ret).c_str());
        else
            diag.error(s->span, "'fail' is only allowed in a function returning T! or void!");
        expr(s->error, et);
        return;
    }
    if (fn_.in_defer) {
        diag.error(s->span, "'fail' is not allowed inside 'defer'");
        expr(s->error, et);
        return;
    }
    const Type* t = expr(s->error, et);
    if (is_error(t)) return;
    if (!is_error_class(t)) {
        bool own = t->kind == TypeKind::Class && t->decl && t->decl->name == id_error;
        diag.error(s->error->span, "'fail' needs an Error (a class deriving from Error), found %s%s", tn(t).c_str(),
                   own ? " (a class of the program named Error, not the predeclared one)" : "");
        return;
    }
    coerce(s->error, et);
}

const Type* Sema::check_try(TryExpr* e) {
    bool in_fallible = fn_.fn && fn_.ret && fn_.ret->kind == TypeKind::Fallible;
    const Type* t = expr(e->operand, nullptr);
    if (!fn_.fn || !fn_.ret || (!in_fallible && !is_error(fn_.ret))) {
        diag.error(e->span, "'try' is only allowed in a function returning T! or void! (use 'catch' or 'match' here)");
        return is_error(t) || t->kind != TypeKind::Fallible ? err() : t->elem;
    }
    if (fn_.in_defer) {
        diag.error(e->span, "'try' is not allowed inside 'defer'");
        return err();
    }
    if (is_error(t)) return err();
    if (t->kind != TypeKind::Fallible) {
        diag.error(e->span, "'try' on a value that cannot fail (type %s)", tn(t).c_str());
        return err();
    }
    return t->elem;
}

// The block ends with `break` or `continue` (of a loop around the catch).
static bool ends_in_jump(Stmt* s) {
    while (s && s->kind == StmtKind::Block) {
        auto* b = static_cast<Block*>(s);
        if (b->stmts.empty()) return false;
        s = b->stmts[b->stmts.size - 1];
    }
    return s && (s->kind == StmtKind::Break || s->kind == StmtKind::Continue);
}

// check.h: a T! that nothing else holds.
bool fresh_result(Expr* e) {
    while (e && e->kind == ExprKind::Cast && !static_cast<CastExpr*>(e)->to) e = static_cast<CastExpr*>(e)->operand;
    if (e && e->kind == ExprKind::Catch && e->type && e->type->kind == TypeKind::Fallible) { // F() catch G()
        auto* c = static_cast<CatchExpr*>(e);
        return fresh_result(c->operand) && c->handler_expr && fresh_result(c->handler_expr);
    }
    if (e && e->kind == ExprKind::Ternary && e->type && e->type->kind == TypeKind::Fallible) // c ? F() : G()
        return fresh_result(static_cast<TernaryExpr*>(e)->then_e) && fresh_result(static_cast<TernaryExpr*>(e)->else_e);
    if (e && e->kind == ExprKind::Call && returns_borrow(static_cast<CallExpr*>(e)->target)) return false; // xs[i]
    return e && (e->kind == ExprKind::Call || e->kind == ExprKind::New);
}

const Type* Sema::check_catch(CatchExpr* e, const Type* hint, bool as_stmt) {
    (void)hint;
    const Type* t = expr(e->operand, nullptr);
    bool bad = is_error(t);
    if (!bad && t->kind != TypeKind::Fallible) {
        diag.error(e->span, "'catch' on a value that cannot fail (type %s)", tn(t).c_str());
        bad = true;
    }
    const Type* vt = bad ? err() : t->elem;
    push_scope();
    if (e->err_name) {
        ParamDecl* p = arena.make<ParamDecl>();
        p->kind = DeclKind::Param;
        p->name = e->err_name;
        p->span = p->name_span = e->span;
        p->type = error_type();
        // The handler of a call's result owns the caught error: it may `fail` it again or keep
        // it as a cause. Of a stored T! (a local, an element) it borrows it: the place keeps it.
        p->mode = fresh_result(e->operand) ? ParamMode::Own : ParamMode::Borrow;
        p->caught = true;
        e->err_var = p;
        declare_local(p->name, p, p->span);
    }
    const Type* result = vt;
    if (e->handler_expr) {
        if (bad) {
            expr(e->handler_expr, nullptr);
        } else if (vt->kind == TypeKind::Void || as_stmt) {
            expr(e->handler_expr, nullptr); // value unused
        } else {
            const Type* h = expr(e->handler_expr, vt);
            if (h == t) result = t; // `F() catch G()` with G also T!: try the other, still T!
            else coerce(e->handler_expr, vt);
        }
    }
    if (e->handler_block) {
        check_block(e->handler_block);
        if (!bad && !as_stmt && vt->kind != TypeKind::Void && !block_returns(e->handler_block) &&
            !ends_in_jump(e->handler_block))
            diag.error(e->handler_block->span,
                       "a block handler of 'catch' on %s must leave (return, fail, break, continue or panic) or be an expression of type %s",
                       tn(t).c_str(), tn(vt).c_str());
    }
    pop_scope();
    return as_stmt && !bad ? T.void_() : result;
}

// Ok(v) / Err(e) over a T! value (match.cpp calls this for both kinds).
void Sema::check_result_pattern(Pattern* p, const Type* t) {
    bool bad = is_error(t);
    const char* what = p->kind == PatternKind::Ok ? "Ok" : "Err";
    if (!bad && t->kind != TypeKind::Fallible) {
        diag.error(p->span, "an %s pattern needs a value of type T!, found %s", what, tn(t).c_str());
        bad = true;
    }
    if (p->subs.size > 1) {
        diag.error(p->span, "an %s pattern has one value", what);
        for (Pattern* s : p->subs) check_pattern(s, err());
        return;
    }
    if (!p->subs.size) {
        if (!bad && p->kind == PatternKind::Err) diag.error(p->span, "write Err(e) or Err(_)");
        return;
    }
    if (p->kind == PatternKind::Ok) {
        if (!bad && t->elem->kind == TypeKind::Void) {
            diag.error(p->span, "a void! value has nothing to bind: write Ok()");
            check_pattern(p->subs[0], err());
            return;
        }
        check_pattern(p->subs[0], bad ? err() : t->elem);
        return;
    }
    check_pattern(p->subs[0], bad ? err() : error_type());
}

// `int.Parse(s)` / `float.Parse(s)`: null when the call is not one of them.
const Type* Sema::check_parse_call(CallExpr* e, MemberExpr* m) {
    if (!m->object || m->object->kind != ExprKind::Name || m->name != "Parse") return nullptr;
    auto* n = static_cast<NameExpr*>(m->object);
    bool is_int = n->name == "int", is_float = n->name == "float";
    if ((!is_int && !is_float) || lookup_local(n->name)) return nullptr;
    if (!parse_error_decl_) return nullptr;
    Ident fname = c.interner.intern(is_int ? "ParseInt" : "ParseFloat");
    int32_t s = lookup_member(parse_error_decl_, fname);
    if (s < 0 || sym_list_[s].decl->kind != DeclKind::Func) return nullptr;
    n->decl = parse_error_decl_;
    n->type = parse_error_decl_->type;
    auto* f = static_cast<FuncDecl*>(sym_list_[s].decl);
    FuncDecl* cands[1] = {f};
    FuncDecl* got = pick_overload(cands, 1, e->args, "function", m->name, e->span);
    if (!got) {
        m->type = err();
        return err();
    }
    m->decl = f;
    m->type = f->type;
    e->target = f;
    return f->type->elem;
}

} // namespace lang::sema
