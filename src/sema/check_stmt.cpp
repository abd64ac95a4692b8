// check_stmt.cpp: function bodies, statements, locals, assignment and mutability.
//
// Job: check every function body (and field initializer) statement by statement,
// number the locals, and enforce immutability: `let` locals, parameters, fields not
// declared `var`, and `this` outside `mut` methods/constructors cannot be assigned or
// have `mut` methods called on them. A place (x, x.f, x[i], x.0) is mutable when its
// root is a `var` local (or `this` in a mut method/constructor, or a temporary) and
// every field on the way is `var` (a constructor may set any field of its own `this`).
// Invariants: parameters and the body's top-level locals share one scope; every
// LocalDecl gets a fresh index from fn_.next_local; the local stack is empty between
// functions.
#include "sema/check.h"

namespace lang::sema {

Decl* Sema::lookup_local(Ident name) const { return locals_.lookup(name); }

void Sema::declare_local(Ident name, Decl* d, Span span) {
    if (!name || name == id_underscore) return;
    if (!locals_.declare(name, d)) diag.error(span, "'%s' is already declared in this scope", name.c_str());
}

LocalDecl* Sema::new_local(Ident name, Span span, const Type* t, bool mut) {
    LocalDecl* d = arena.make<LocalDecl>();
    d->kind = DeclKind::Local;
    d->name = name;
    d->span = d->name_span = span;
    d->type = t;
    d->is_mutable = mut;
    if (mut) d->mods |= M_VAR;
    assign_local_index(d);
    return d;
}

// Namespace-level let/var, in declaration order: the type comes from the annotation or
// the initializer (checked here, before the bodies that use it).
void Sema::number_inits(TypeDecl* td, uint32_t& pos) {
    for (Decl* m : td->members) {
        if (m && m->kind == DeclKind::Field && (m->mods & M_STATIC)) init_pos_[m] = pos++;
        else if (m && m->kind == DeclKind::Type) number_inits(static_cast<TypeDecl*>(m), pos);
    }
}

bool Sema::used_too_early(const Decl* d, Span span) {
    if (init_limit_ == UINT32_MAX) return false;
    auto it = init_pos_.find(d);
    if (it == init_pos_.end() || it->second < init_limit_) return false;
    diag.error(span, "'%s' is used before its declaration is checked (initializers run in declaration order)",
               d->name.c_str());
    return true;
}

void Sema::check_globals() {
    uint32_t pos = 0;
    for (FileCtx& fc : files_)
        for (Decl* d : fc.ast->decls) {
            if (d && d->kind == DeclKind::Local) init_pos_[d] = pos++;
            else if (d && d->kind == DeclKind::Type) number_inits(static_cast<TypeDecl*>(d), pos);
        }
    for (GlobalEntry& g : globals_) {
        file_ = &files_[g.file];
        type_stack_.clear();
        fn_ = FnCtx{};
        locals_.clear();
        LocalDecl* d = g.d;
        init_limit_ = init_pos_.count(d) ? init_pos_[d] : UINT32_MAX;
        const Type* t = d->type_expr ? resolve_type(d->type_expr) : nullptr;
        if (t && t->kind == TypeKind::Void) {
            diag.error(d->type_expr->span, "a variable cannot have type void");
            t = err();
        }
        if (d->init) {
            if (t) value(d->init, t);
            else {
                t = expr(d->init, nullptr);
                if (t->kind == TypeKind::Void || t->kind == TypeKind::Never || t->kind == TypeKind::Null ||
                    t->kind == TypeKind::Range) {
                    diag.error(d->init->span, "cannot infer the type of '%s' from this initializer", d->name.c_str());
                    t = err();
                }
            }
        } else if (!d->is_mutable) {
            diag.error(d->span, "'let' variable '%s' must be initialized", d->name.c_str());
        } else if (!t) {
            diag.error(d->span, "cannot infer the type of '%s' without an initializer", d->name.c_str());
        }
        d->type = t ? t : err();
    }
    init_limit_ = UINT32_MAX;
}

void Sema::check_field_inits() {
    for (size_t ti = t_from_; ti < t_end(); ti++) {
        TypeEntry te = types_[ti];
        file_ = &files_[te.file];
        for (Decl* m : te.td->members) {
            if (!m || m->kind != DeclKind::Field) continue;
            FieldDecl* f = static_cast<FieldDecl*>(m);
            if (!f->init) continue;
            enter_type(te.td);
            fn_ = FnCtx{};
            fn_.self_decl = te.td;
            push_scope(); // (an instance made inside a body checks its fields meanwhile)
            init_limit_ = (f->mods & M_STATIC) && init_pos_.count(f) ? init_pos_[f] : UINT32_MAX;
            value(f->init, f->type ? f->type : err());
            init_limit_ = UINT32_MAX;
            pop_scope();
        }
    }
    type_stack_.clear();
}

void Sema::check_func(FuncDecl* fn, TypeDecl* owner) {
    int errors_before = diag.error_count();
    if (owner) enter_type(owner);
    else type_stack_.clear();
    fn_ = FnCtx{};
    fn_.fn = fn;
    fn_.self_decl = owner;
    bool is_static = !owner || (fn->mods & M_STATIC);
    if (is_static && owner && fn->fkind == FuncKind::Constructor) {
        diag.error(fn->name_span, "a constructor cannot be static");
        is_static = false;
    }
    if (is_static && (fn->mods & M_MUT)) diag.error(fn->name_span, "a static method cannot be 'mut'");
    fn_.self = is_static ? nullptr : owner->type;
    fn_.is_ctor = fn->fkind == FuncKind::Constructor;
    fn_.is_mut = fn_.is_ctor || fn->fkind == FuncKind::Destructor || (fn->mods & M_MUT);
    fn_.ret = fn->type && fn->type->kind == TypeKind::Func ? fn->type->elem : err();
    locals_.clear();
    push_scope();
    for (ParamDecl* p : fn->params)
        if (p) declare_local(p->name, p, p->name_span);
    if (fn->chains_base || fn->chains_this) {
        // `: base(args)` / `: this(args)`: pick the constructor like `new` does.
        TypeDecl* target = fn->chains_base ? base_of(owner) : owner;
        if (fn->fkind != FuncKind::Constructor || !owner) {
            diag.error(fn->name_span, "only constructors can chain to another constructor");
        } else if (!target) {
            diag.error(fn->name_span, "': base(...)' needs a base class");
        } else {
            CandBuf ctors;
            for (Decl* m : target->members)
                if (m && m != fn && m->kind == DeclKind::Func && static_cast<FuncDecl*>(m)->fkind == FuncKind::Constructor)
                    ctors.push(static_cast<FuncDecl*>(m));
            if (ctors.n == 0) {
                if (fn->chain_args.size)
                    diag.error(fn->name_span, "'%s' has no constructor taking %u argument%s", target->name.c_str(),
                               fn->chain_args.size, fn->chain_args.size == 1 ? "" : "s");
            } else {
                FuncDecl* f = pick_overload(ctors.data(), ctors.n, fn->chain_args, "the constructor of", target->name,
                                            fn->name_span);
                if (f) check_access(f, fn->name_span);
                fn->chain_target = f;
            }
        }
    } else if (fn_.is_ctor && owner && owner->tkind == TypeDeclKind::Class) {
        if (TypeDecl* b = base_without_default_ctor(owner)) // no implicit `: base()`
            diag.error(fn->name_span, "constructor must call ': base(...)': '%s' has no parameterless constructor",
                       b->name.c_str());
    }
    if (fn->body_expr) {
        if (fn_.ret->kind == TypeKind::Void) {
            expr(fn->body_expr, nullptr);
        } else {
            const Type* t = expr(fn->body_expr, fn_.ret);
            if (t->kind == TypeKind::Void && is_void_result(fn_.ret)) {
                // void! F() => G(); with G returning void: always succeeds
            } else if (t->kind == TypeKind::Void && !is_error(fn_.ret))
                diag.error(fn->body_expr->span, "function '%s' must return a value of type %s", fn->name.c_str(),
                           tn(fn_.ret).c_str());
            else
                coerce(fn->body_expr, fn_.ret);
        }
    } else if (fn->body) {
        for (Stmt* s : fn->body->stmts) check_stmt(s);
        if (!is_void_result(fn_.ret) && !is_error(fn_.ret) && !block_returns(fn->body))
            diag.error(fn->name_span, "function '%s' must return a value of type %s", fn->name.c_str(),
                       tn(fn_.ret).c_str());
    }
    pop_scope();
    fn->local_count = fn_.next_local;
    settle_closures(); // closures.cpp: which lambdas escape
    if (diag.error_count() == errors_before) check_flow(fn, owner); // flow.cpp
    type_stack_.clear();
}

void Sema::check_block(Block* b) {
    if (!b) return;
    push_scope();
    size_t borrows = ctx_borrows_.size(); // context.cpp: a block's `context.allocator = a;` ends with it
    for (Stmt* s : b->stmts) check_stmt(s);
    ctx_borrows_.resize(borrows);
    pop_scope();
}

// A statement used as the whole body of if/while/for gets its own scope.
static void check_sub(Sema& s, Stmt* st) {
    if (!st) return;
    s.push_scope();
    s.check_context_stmt_place(st); // context.cpp
    s.check_stmt(st);
    s.pop_scope();
}

void Sema::check_var_decl(VarDeclStmt* s) {
    const Type* t = s->type ? resolve_type(s->type) : nullptr;
    if (t && t->kind == TypeKind::Void) {
        diag.error(s->type->span, "a variable cannot have type void");
        t = err();
    }
    const char* first = s->names.size && s->names[0] ? s->names[0]->name.c_str() : "?";
    LambdaExpr* lam = s->init && s->init->kind == ExprKind::Lambda && !s->is_mutable && !s->destructure
                          ? static_cast<LambdaExpr*>(s->init) : nullptr;
    if (s->init) {
        if (t) value(s->init, t);
        else {
            t = expr(s->init, nullptr);
            if (t->kind == TypeKind::Void || t->kind == TypeKind::Never) {
                diag.error(s->init->span, "cannot initialize '%s' with an expression that has no value", first);
                t = err();
            } else if (t->kind == TypeKind::Null) {
                diag.error(s->init->span, "cannot infer the type of '%s' from null (write a type: let %s: T? = null)",
                           first, first);
                t = err();
            } else if (t->kind == TypeKind::Range) {
                diag.error(s->init->span, "a range can only be used in a for-in loop or a pattern");
                t = err();
            }
        }
    } else {
        if (!s->is_mutable)
            diag.error(s->span, "'let' variable '%s' must be initialized", first);
        else if (!t)
            diag.error(s->span, "cannot infer the type of '%s' without an initializer", first);
        if (!t) t = err();
    }
    if (lam && (lam->captures.size || lam->this_type) && s->names.size && s->names[0]) {
        s->names[0]->stack_closure = true; // closures.cpp follows its uses
        s->names[0]->closure = lam;
        lam->holder = s->names[0];
    }
    if (s->destructure) {
        if (!is_error(t) && (t->kind != TypeKind::Tuple || t->count != s->names.size)) {
            diag.error(s->init ? s->init->span : s->span, "cannot destructure a value of type %s into %u names",
                       tn(t).c_str(), s->names.size);
            t = err();
        }
        for (uint32_t i = 0; i < s->names.size; i++) {
            LocalDecl* d = s->names[i];
            if (!d) continue;
            d->type = is_error(t) ? err() : t->elems[i];
            d->is_mutable = s->is_mutable;
            assign_local_index(d);
            declare_local(d->name, d, d->name_span);
        }
        return;
    }
    for (LocalDecl* d : s->names) {
        if (!d) continue;
        d->type = t;
        d->is_mutable = s->is_mutable;
        assign_local_index(d);
        declare_local(d->name, d, d->name_span);
    }
}

void Sema::check_stmt(Stmt* s) {
    if (!s) return;
    switch (s->kind) {
    case StmtKind::Block: check_block(static_cast<Block*>(s)); break;
    case StmtKind::Expr: {
        auto* es = static_cast<ExprStmt*>(s);
        if (check_context_stmt(es)) break; // context.cpp: `context.allocator = a;`
        if (es->expr && es->expr->kind == ExprKind::Match) {
            auto* m = static_cast<MatchExpr*>(es->expr);
            m->type = check_match(m, nullptr, true);
        } else if (es->expr && es->expr->kind == ExprKind::Catch) { // the value is unused
            es->expr->type = check_catch(static_cast<CatchExpr*>(es->expr), nullptr, true);
        } else {
            const Type* t = expr(es->expr, nullptr);
            if (t && t->kind == TypeKind::Fallible && es->expr->kind != ExprKind::Assign)
                diag.error(es->expr->span, "the error of this %s result is ignored: handle it with 'try', 'catch' or 'match'",
                           tn(t).c_str());
        }
        break;
    }
    case StmtKind::VarDecl: check_var_decl(static_cast<VarDeclStmt*>(s)); break;
    case StmtKind::If: {
        // Bindings of `is` patterns in the condition live until the end of the statement.
        auto* is = static_cast<IfStmt*>(s);
        push_scope();
        value(is->cond, T.bool_());
        check_sub(*this, is->then_s);
        check_sub(*this, is->else_s);
        pop_scope();
        break;
    }
    case StmtKind::While: {
        auto* ws = static_cast<WhileStmt*>(s);
        push_scope();
        value(ws->cond, T.bool_());
        fn_.loop_depth++;
        check_sub(*this, ws->body);
        fn_.loop_depth--;
        pop_scope();
        break;
    }
    case StmtKind::For: {
        auto* fs = static_cast<ForStmt*>(s);
        push_scope();
        check_context_stmt_place(fs->init); // context.cpp
        check_stmt(fs->init);
        if (fs->cond) value(fs->cond, T.bool_());
        if (fs->step) expr(fs->step, nullptr);
        fn_.loop_depth++;
        check_sub(*this, fs->body);
        fn_.loop_depth--;
        pop_scope();
        break;
    }
    case StmtKind::ForIn: {
        auto* fs = static_cast<ForInStmt*>(s);
        const Type* it = expr(fs->iterable, nullptr);
        const Type* el = err();
        if (!is_error(it)) {
            if (it->kind == TypeKind::Array) el = it->elem;
            else if (it->kind == TypeKind::String) el = T.char_();
            else if (it->kind == TypeKind::Range) el = it->elem;
            else if (it->kind == TypeKind::Channel) el = it->elem; // receive until closed
            else if (const Type* ct = check_for_in_class(fs, it)) el = ct; // check_indexer.cpp
            else if (it->kind == TypeKind::Fallible) report_fallible(fs->iterable, "iterating over it");
            else diag.error(fs->iterable->span, "cannot iterate over a value of type %s", tn(it).c_str());
        }
        push_scope();
        if (fs->var) {
            fs->var->type = el;
            fs->var->is_mutable = fs->is_mutable;
            assign_local_index(fs->var);
            declare_local(fs->var->name, fs->var, fs->var->name_span);
        }
        fn_.loop_depth++;
        check_sub(*this, fs->body);
        fn_.loop_depth--;
        pop_scope();
        break;
    }
    case StmtKind::Break:
    case StmtKind::Continue: {
        const char* w = s->kind == StmtKind::Break ? "break" : "continue";
        if (static_cast<JumpStmt*>(s)->label) diag.error(s->span, "labeled '%s' is not supported yet", w);
        else if (fn_.loop_depth == 0 && fn_.in_defer) diag.error(s->span, "'%s' cannot leave a 'defer'", w);
        else if (fn_.loop_depth == 0) diag.error(s->span, "%s outside of a loop", w);
        break;
    }
    case StmtKind::Return: {
        auto* rs = static_cast<ReturnStmt*>(s);
        const char* fname = fn_.fn ? fn_.fn->name.c_str() : "?";
        if (!fn_.fn) {
            diag.error(s->span, "'return' outside of a function");
            break;
        }
        if (fn_.in_defer) {
            diag.error(s->span, "'return' is not allowed inside 'defer'");
            expr(rs->value, nullptr);
            break;
        }
        if (fn_.infer_ret) { // lambdas.cpp: a block-bodied lambda takes its first return's type
            fn_.infer_ret = false;
            fn_.ret = rs->value ? infer_result(rs->value) : T.void_();
            break;
        }
        if (rs->value && fn_.fn->test) { // tests.cpp
            expr(rs->value, nullptr);
            diag.error(rs->value->span, "a test block cannot return a value");
            break;
        }
        if (rs->value) {
            if (is_void_result(fn_.ret)) {
                const Type* t = expr(rs->value, nullptr);
                if (t == fn_.ret && t->kind == TypeKind::Fallible) break; // void! passed on: `return G();`
                if (!is_error(t))
                    diag.error(rs->value->span, "function '%s' returns %s: 'return' cannot have a value", fname,
                               tn(fn_.ret).c_str());
            } else {
                value(rs->value, fn_.ret);
            }
        } else if (!is_void_result(fn_.ret) && !is_error(fn_.ret)) {
            diag.error(s->span, "function '%s' must return a value of type %s", fname, tn(fn_.ret).c_str());
        }
        break;
    }
    case StmtKind::Defer: {
        // The statement runs at every exit of the enclosing block; it cannot jump out.
        bool saved_defer = fn_.in_defer;
        int saved_loops = fn_.loop_depth;
        fn_.in_defer = true;
        fn_.loop_depth = 0;
        check_sub(*this, static_cast<DeferStmt*>(s)->body);
        fn_.in_defer = saved_defer;
        fn_.loop_depth = saved_loops;
        break;
    }
    case StmtKind::Fail: check_fail(static_cast<FailStmt*>(s)); break;
    case StmtKind::Select: check_select(static_cast<SelectStmt*>(s)); break;
    case StmtKind::Unsafe: // C functions may be called inside (ffi.cpp)
        fn_.unsafe_depth++;
        check_block(static_cast<UnsafeStmt*>(s)->body);
        fn_.unsafe_depth--;
        break;
    case StmtKind::GcBlock: check_block(static_cast<UnsafeStmt*>(s)->body); break; // collects at its exit
    case StmtKind::Empty: break;
    }
}

// Whether a `break` leaves the loop whose body is `s` (breaks of inner loops do not).
static bool has_break(Stmt* s) {
    if (!s) return false;
    switch (s->kind) {
    case StmtKind::Break: return true;
    case StmtKind::Block:
        for (Stmt* x : static_cast<Block*>(s)->stmts)
            if (has_break(x)) return true;
        return false;
    case StmtKind::GcBlock: case StmtKind::Unsafe: return has_break(static_cast<UnsafeStmt*>(s)->body);
    case StmtKind::If:
        return has_break(static_cast<IfStmt*>(s)->then_s) || has_break(static_cast<IfStmt*>(s)->else_s);
    case StmtKind::Expr: {
        // Breaks inside block arms of a match statement.
        Expr* e = static_cast<ExprStmt*>(s)->expr;
        if (e && e->kind == ExprKind::Match)
            for (MatchArm& a : static_cast<MatchExpr*>(e)->arms)
                if (has_break(a.body_block)) return true;
        return false;
    }
    default: return false;
    }
}

// An expression of type never (a panic, or a ?: / match all of whose arms are) does not
// complete.
static bool is_never(Expr* e) {
    while (e && e->kind == ExprKind::Cast && !static_cast<CastExpr*>(e)->to) e = static_cast<CastExpr*>(e)->operand;
    return e && e->type && e->type->kind == TypeKind::Never;
}

bool Sema::block_returns(Stmt* s) {
    if (!s) return false;
    switch (s->kind) {
    case StmtKind::Return: case StmtKind::Fail: return true;
    case StmtKind::Block:
        for (Stmt* x : static_cast<Block*>(s)->stmts)
            if (block_returns(x)) return true;
        return false;
    case StmtKind::GcBlock: case StmtKind::Unsafe: return block_returns(static_cast<UnsafeStmt*>(s)->body);
    case StmtKind::If: {
        auto* is = static_cast<IfStmt*>(s);
        return is->else_s && block_returns(is->then_s) && block_returns(is->else_s);
    }
    case StmtKind::While: {
        auto* ws = static_cast<WhileStmt*>(s);
        return ws->cond && ws->cond->kind == ExprKind::BoolLit && static_cast<BoolLitExpr*>(ws->cond)->value &&
               !has_break(ws->body);
    }
    case StmtKind::For: {
        auto* fs = static_cast<ForStmt*>(s);
        return !fs->cond && !has_break(fs->body);
    }
    case StmtKind::Expr: {
        Expr* e = static_cast<ExprStmt*>(s)->expr;
        if (is_never(e)) return true;
        if (e && e->kind == ExprKind::Match) {
            auto* m = static_cast<MatchExpr*>(e);
            if (m->arms.empty()) return false;
            for (MatchArm& a : m->arms) {
                if (a.body_block ? !block_returns(a.body_block) : !is_never(a.body_expr)) return false;
            }
            return true;
        }
        return false;
    }
    default: return false;
    }
}

// ---------------------------------------------------------------------------
// Mutability.

// Whether the place `e` may be mutated. On failure `why` says which part is immutable
// ("'p' is declared with 'let'") or `this_root` is set (this in a non-mut method).
bool Sema::mutable_path(Expr* e, std::string& why, bool& this_root) {
    if (!e) return true;
    switch (e->kind) {
    case ExprKind::Name: {
        auto* n = static_cast<NameExpr*>(e);
        Decl* d = n->decl;
        if (!d) return true;
        if (d->kind == DeclKind::Local) {
            if (static_cast<LocalDecl*>(d)->is_mutable) return true;
            why = "'" + std::string(d->name.view()) + "' is declared with 'let'";
            return false;
        }
        if (d->kind == DeclKind::Param) {
            if (static_cast<ParamDecl*>(d)->mode == ParamMode::Ref) return true;
            why = "parameter '" + std::string(d->name.view()) + "' is immutable";
            return false;
        }
        if (d->kind == DeclKind::Field && (d->mods & M_STATIC)) {
            if (d->mods & M_VAR) return true;
            why = "field '" + std::string(d->name.view()) + "' is not declared with 'var'";
            return false;
        }
        if (d->kind == DeclKind::Field) { // implicit this.field
            if (!(d->mods & M_VAR) && !(fn_.is_ctor && d->parent == fn_.self_decl)) {
                why = "field '" + std::string(d->name.view()) + "' is not declared with 'var'";
                return false;
            }
            if (fn_.is_mut) return true;
            this_root = true;
            return false;
        }
        return true;
    }
    case ExprKind::This:
        if (fn_.is_mut) return true;
        this_root = true;
        return false;
    case ExprKind::Member: {
        auto* m = static_cast<MemberExpr*>(e);
        Decl* d = m->decl;
        if (!d || d->kind != DeclKind::Field) return true;
        if (d->mods & M_STATIC) {
            if (d->mods & M_VAR) return true;
            why = "field '" + std::string(d->name.view()) + "' is not declared with 'var'";
            return false;
        }
        bool own_this = fn_.is_ctor && d->parent == fn_.self_decl && m->object && m->object->kind == ExprKind::This;
        if (!(d->mods & M_VAR) && !own_this) {
            why = "field '" + std::string(d->name.view()) + "' is not declared with 'var'";
            return false;
        }
        return mutable_path(m->object, why, this_root);
    }
    case ExprKind::Index: {
        Expr* o = static_cast<IndexExpr*>(e)->object;
        if (o->type && o->type->kind == TypeKind::Pointer) return true; // p[i]: memory C may own (pointers.cpp)
        return mutable_path(o, why, this_root);
    }
    case ExprKind::TupleIndex: return mutable_path(static_cast<TupleIndexExpr*>(e)->object, why, this_root);
    default: return true; // a temporary, or *p
    }
}

// Reports when `target` cannot be assigned (mut_method == null) or cannot receive a
// call of `mut_method`.
bool Sema::require_mutable(Expr* target, Span span, FuncDecl* mut_method) {
    if (!target || is_error(target->type)) return true;
    if (!check_context_borrow(target, span, mut_method)) return false; // context.cpp
    std::string why;
    bool this_root = false;
    if (mut_method) {
        if (mutable_path(target, why, this_root)) return true;
        if (this_root)
            diag.error(span, "cannot call 'mut' method '%s' in a method that is not 'mut'", mut_method->name.c_str());
        else
            diag.error(span, "cannot call 'mut' method '%s': %s", mut_method->name.c_str(), why.c_str());
        return false;
    }
    switch (target->kind) {
    case ExprKind::Name: {
        Decl* d = static_cast<NameExpr*>(target)->decl;
        if (!d) return true;
        if (d->kind == DeclKind::Local) {
            if (static_cast<LocalDecl*>(d)->is_mutable) return true;
            diag.error(span, "cannot assign to '%s': it is declared with 'let'", d->name.c_str());
            return false;
        }
        if (d->kind == DeclKind::Param) {
            if (static_cast<ParamDecl*>(d)->mode == ParamMode::Ref) return true;
            diag.error(span, "cannot assign to parameter '%s': parameters are immutable", d->name.c_str());
            return false;
        }
        if (d->kind != DeclKind::Field) {
            if (d->kind == DeclKind::Func && static_cast<FuncDecl*>(d)->is_property)
                diag.error(span, "cannot assign to property '%s': it has no setter", d->name.c_str());
            else
                diag.error(span, "cannot assign to '%s'", d->name.c_str());
            return false;
        }
        break;
    }
    case ExprKind::Member: {
        Decl* d = static_cast<MemberExpr*>(target)->decl;
        if (!d || d->kind != DeclKind::Field) {
            if (d && d->kind == DeclKind::Func && static_cast<FuncDecl*>(d)->is_property)
                diag.error(span, "cannot assign to property '%s': it has no setter", d->name.c_str());
            else
                diag.error(span, "cannot assign to '%s'", static_cast<MemberExpr*>(target)->name.c_str());
            return false;
        }
        break;
    }
    case ExprKind::Index:
        if (target->kind == ExprKind::Index) {
            Expr* o = static_cast<IndexExpr*>(target)->object;
            if (o && o->type && o->type->kind == TypeKind::String) {
                diag.error(span, "cannot assign to a character of a string: strings are immutable");
                return false;
            }
        }
        break;
    case ExprKind::TupleIndex: break;
    case ExprKind::Unary:
        if (static_cast<UnaryExpr*>(target)->op == UnOp::Deref) return true; // *p = v (pointers.cpp)
        diag.error(span, "cannot assign to this expression");
        return false;
    default:
        diag.error(span, "cannot assign to this expression");
        return false;
    }
    if (mutable_path(target, why, this_root)) return true;
    std::string what;
    if (target->kind == ExprKind::Name || target->kind == ExprKind::Member) {
        Ident n = target->kind == ExprKind::Name ? static_cast<NameExpr*>(target)->name
                                                 : static_cast<MemberExpr*>(target)->name;
        what = "field '" + std::string(n.view()) + "'";
        // The field itself is not var: say so directly.
        if (why == what + " is not declared with 'var'") {
            diag.error(span, "cannot assign to %s: it is not declared with 'var'", what.c_str());
            return false;
        }
    } else if (target->kind == ExprKind::Index) {
        what = "an array element";
    } else {
        what = "a tuple element";
    }
    if (this_root) diag.error(span, "cannot assign to %s in a method that is not 'mut'", what.c_str());
    else diag.error(span, "cannot assign to %s: %s", what.c_str(), why.c_str());
    return false;
}

// An assignment is an expression: its value is the value stored, with the target's type
// (for `x ??= v`, the target's value afterwards).
// The `?.` link in an assignment's target (`a?.b = v`, `a?.b.c += 1`), if any: such an
// assignment would do nothing when `a` is null, so it is an error (test `a` first).
static MemberExpr* null_safe_link(Expr* t) {
    while (t) {
        if (t->kind == ExprKind::Member) {
            auto* m = static_cast<MemberExpr*>(t);
            if (m->null_safe) return m;
            t = m->object;
        } else if (t->kind == ExprKind::Index) {
            t = static_cast<IndexExpr*>(t)->object;
        } else if (t->kind == ExprKind::TupleIndex) {
            t = static_cast<TupleIndexExpr*>(t)->object;
        } else {
            return nullptr;
        }
    }
    return nullptr;
}

const Type* Sema::check_assign(AssignExpr* e) {
    if (MemberExpr* m = null_safe_link(e->target)) {
        diag.error(m->span, "cannot assign through '?.': test the object for null first (if (o is T x) x.%s = ...)",
                   m->name.c_str());
        expr(e->value, nullptr);
        return err();
    }
    if (is_context_member(e->target)) return check_context_assign_misplaced(e); // context.cpp
    if (e->target && e->target->kind == ExprKind::Index) indexer_assign_ = e; // check_indexer.cpp
    const Type* tt = expr(e->target, nullptr);
    indexer_assign_ = nullptr;
    if (e->via) return tt; // o[i] = v through set_Item: checked with the target
    if (!e->value) return err();
    if (is_error(tt)) {
        expr(e->value, nullptr);
        return err();
    }
    require_mutable(e->target, e->target->span, nullptr);
    if (!e->compound) {
        value(e->value, tt);
        return tt;
    }
    BinOp op = e->op;
    if (op == BinOp::Coalesce) { // x ??= v: assigns v (a T or T?) when x is null
        if (tt->kind != TypeKind::Nullable) {
            expr(e->value, nullptr);
            diag.error(e->target->span, "the left side of '?\?=' must be a nullable type, found %s", tn(tt).c_str());
            return err();
        }
        value(e->value, tt);
        return tt;
    }
    if (op == BinOp::Add && tt->kind == TypeKind::String) {
        const Type* vt = expr(e->value, nullptr);
        if (is_error(vt)) return err();
        if (vt->kind == TypeKind::String) return tt;
        if (to_string_ok(vt)) e->value = wrap_cast(e->value, T.string());
        else diag.error(e->span, "operator '+=' cannot be applied to string and %s", tn(vt).c_str());
        return tt;
    }
    if (tt->kind == TypeKind::Duration) return check_duration_compound(e) ? tt : err(); // duration.cpp
    bool shift = op == BinOp::Shl || op == BinOp::Shr;
    bool bits = op == BinOp::BitAnd || op == BinOp::BitOr || op == BinOp::BitXor;
    bool wrapping = op >= BinOp::AddWrap && op <= BinOp::MulWrap; // +%= -%= *%=: integers only
    bool ok = tt->is_integer() || (tt->is_float() && !shift && !bits && !wrapping) || (tt->kind == TypeKind::Bool && bits);
    if (!ok || (op > BinOp::BitXor && !wrapping)) {
        const Type* vt = expr(e->value, nullptr);
        if (!is_error(vt))
            diag.error(e->span, "compound assignment cannot be applied to %s and %s", tn(tt).c_str(), tn(vt).c_str());
        return err();
    }
    if (shift) {
        const Type* vt = expr(e->value, nullptr);
        if (!is_error(vt) && !vt->is_integer())
            diag.error(e->value->span, "a shift count must be an integer, found %s", tn(vt).c_str());
        return tt;
    }
    value(e->value, tt);
    return tt;
}

} // namespace lang::sema
