// lower_is_owners.cpp: what an `is` pattern that takes over a new value owns, and when it
// is dropped.
//
// `F() is Res r` where F gives a new object: r owns the object; `G() is string s` gives s
// its own reference to the string. `G() is Some(p)` where G
// gives a new struct, tuple or payload enum holding move-type parts: the bindings borrow
// from the aggregate, which a hidden owner slot (zeroed, then given the aggregate) holds.
// A pattern that does not match drops the value at once (cond_branch, lower_expr.cpp);
// one that matches leaves it with its owner until:
// - the body ends, for the condition of an `if`, `while` or `for` (own_bindings), or
// - the enclosing block ends, for any other statement (`let ok = F() is Res r && r.Ok();`,
//   after which r is still in scope; stmt in lower_stmt.cpp).
// The condition may skip the `is` (`a || F() is Res r`), so every such owner is emptied
// before the condition or statement starts (prepare_is_owners): dropping an empty owner
// does nothing on the paths that never reached the pattern.
#include "ir/lower_impl.h"

namespace lang::lower {

// A binding of a string, function value or handle that holds its own reference.
bool Lowerer::counted_binding(Decl* d) {
    return d && d->kind == DeclKind::Local && is_counted(d->type) && !as<LocalDecl>(d)->borrows &&
           !statics_.count(d);
}

// A pattern binding of a struct, tuple or payload enum value without move-type parts is a
// copy in memory that retains its strings (pattern() in lower_stmt.cpp), never a borrow.
bool Lowerer::copy_binding(Decl* d) {
    return is_agg(d->type) && !owns_parts(d->type) && var_lval(d).kind == LVal::Mem;
}

// Called where every binding of `p` has just been made (a match arm after its pattern, the
// body of `if (x is P)`): each copy that holds strings is dropped when the scope entered
// there ends, on every path out of it.
void Lowerer::own_pattern_copies(const Pattern* p) {
    if (!p || !cur) return;
    if (p->decl && p->decl->kind == DeclKind::Local && copy_binding(p->decl) && has_counted(p->decl->type))
        defers.push_back({nullptr, p->decl});
    for (const Pattern* q : p->subs) own_pattern_copies(q);
}

// Whether a pattern binds a variable.
bool Lowerer::binds(const Pattern* p) {
    if (!p) return false;
    if (p->decl && p->decl->kind == DeclKind::Local) return true;
    for (const Pattern* q : p->subs)
        if (binds(q)) return true;
    return false;
}

// The `is` expressions in e (not in lambda bodies nor in statements of blocks inside it,
// which are prepared when they are lowered) whose pattern may take over a new value:
// their owners are emptied here.
void Lowerer::prepare_is_owners(Expr* e) {
    if (!e || !cur) return;
    auto walk = [&](Expr* x) { prepare_is_owners(x); };
    switch (e->kind) {
    case ExprKind::Is: {
        auto* ie = as<IsExpr>(e);
        walk(ie->operand);
        const Type* ot = ie->operand->type;
        Decl* bd = ie->pattern ? ie->pattern->decl : nullptr;
        if (bd && bd->kind == DeclKind::Local &&
            ((needs_drop(ot) && owns_drop(bd)) || (is_counted(ot) && counted_binding(bd)))) {
            raw_write(var_lval(bd), iconst(Ty::Ptr, 0));
            is_owner_slots_[ie] = nullptr; // (the binding is the owner)
        } else if (is_agg(ot) && owns_parts(ot) && binds(ie->pattern)) {
            Inst* s = slot_for(ot);
            Inst* z = emit(Op::memzero, Ty::Void, s);
            z->imm = ot->size;
            is_owner_slots_[ie] = s;
        }
        return;
    }
    case ExprKind::InterpString:
        for (InterpPart& p : as<InterpStringExpr>(e)->parts) walk(p.expr);
        return;
    case ExprKind::Member: walk(as<MemberExpr>(e)->object); return;
    case ExprKind::TupleIndex: walk(as<TupleIndexExpr>(e)->object); return;
    case ExprKind::Index:
        walk(as<IndexExpr>(e)->object);
        walk(as<IndexExpr>(e)->index);
        return;
    case ExprKind::Call:
        walk(as<CallExpr>(e)->callee);
        for (Arg& a : as<CallExpr>(e)->args) walk(a.value);
        return;
    case ExprKind::Unary: walk(as<UnaryExpr>(e)->operand); return;
    case ExprKind::Binary:
        walk(as<BinaryExpr>(e)->lhs);
        walk(as<BinaryExpr>(e)->rhs);
        return;
    case ExprKind::Assign:
        walk(as<AssignExpr>(e)->target);
        walk(as<AssignExpr>(e)->value);
        return;
    case ExprKind::Ternary:
        walk(as<TernaryExpr>(e)->cond);
        walk(as<TernaryExpr>(e)->then_e);
        walk(as<TernaryExpr>(e)->else_e);
        return;
    case ExprKind::Cast: walk(as<CastExpr>(e)->operand); return;
    case ExprKind::As: walk(as<AsExpr>(e)->operand); return;
    case ExprKind::New:
        walk(as<NewExpr>(e)->array_len);
        for (Arg& a : as<NewExpr>(e)->args) walk(a.value);
        for (FieldInit& f : as<NewExpr>(e)->inits) walk(f.value);
        return;
    case ExprKind::ArrayLit:
        for (Expr* x : as<ArrayLitExpr>(e)->elems) walk(x);
        return;
    case ExprKind::TupleLit:
        for (Expr* x : as<TupleLitExpr>(e)->elems) walk(x);
        return;
    case ExprKind::Range:
        walk(as<RangeExpr>(e)->lo);
        walk(as<RangeExpr>(e)->hi);
        return;
    case ExprKind::Match:
        walk(as<MatchExpr>(e)->scrutinee);
        for (MatchArm& a : as<MatchExpr>(e)->arms) {
            walk(a.guard);
            walk(a.body_expr);
        }
        return;
    case ExprKind::Try: walk(as<TryExpr>(e)->operand); return;
    case ExprKind::Catch:
        walk(as<CatchExpr>(e)->operand);
        walk(as<CatchExpr>(e)->handler_expr);
        return;
    case ExprKind::Spawn: walk(as<SpawnExpr>(e)->call); return;
    case ExprKind::RefArg: walk(as<RefArgExpr>(e)->operand); return;
    default: return; // literals, names, lambdas (their own functions), typeof, ...
    }
}

// cond_branch's `is` on a new aggregate with move-type parts that the pattern binds into:
// the aggregate (or a call's T!, which is not a listed temporary) moves to its owner slot
// and the pattern is tested there. Returns the slot,
// or v itself when there is no owner (the aggregate is not new: the bindings borrow it).
Inst* Lowerer::take_is_owner(IsExpr* ie, Inst* v, bool fresh_result) {
    auto it = is_owner_slots_.find(ie);
    if (it == is_owner_slots_.end() || !it->second || !(fresh_result || claim_agg(v))) return v;
    const Type* t = ie->operand->type;
    memcpy_(it->second, v, t->size);
    owned_bindings_.push_back({nullptr, it->second, t});
    return it->second;
}

// The owners that cond_branch filled since `from` are dropped when the scope being entered
// ends, unless moved (a binding's variable is emptied by a move). Returns the defers mark.
size_t Lowerer::own_bindings_since(size_t from) {
    size_t mark = defers.size();
    for (size_t i = from; i < owned_bindings_.size(); i++) {
        const IsOwner& o = owned_bindings_[i];
        if (o.binding && (owns_drop(o.binding) || counted_binding(o.binding)))
            own_drop_local(o.binding); // (a string's is released)
        else if (o.slot)
            defers.push_back({nullptr, nullptr, nullptr, nullptr, o.slot, o.type});
    }
    owned_bindings_.resize(from);
    return mark;
}

// An exit from the middle of a statement (a `try` that propagates, a `break` in a handler
// block) drops the owners its `is` patterns filled so far (the others are empty).
void Lowerer::drop_pending_owners(size_t from) {
    for (size_t i = owned_bindings_.size(); i-- > from;) {
        const IsOwner& o = owned_bindings_[i];
        if (o.binding && (owns_drop(o.binding) || counted_binding(o.binding)))
            drop_value(o.binding->type, read(var_lval(o.binding)));
        else if (o.slot)
            drop_value(o.type, o.slot);
    }
}

// The expression a statement evaluates itself (not in a nested statement), if any.
Expr* Lowerer::stmt_expr(Stmt* s) {
    switch (s->kind) {
    case StmtKind::Expr: return as<ExprStmt>(s)->expr;
    case StmtKind::VarDecl: return as<VarDeclStmt>(s)->init;
    case StmtKind::Return: return as<ReturnStmt>(s)->value;
    case StmtKind::Fail: return as<FailStmt>(s)->error;
    case StmtKind::ForIn: return as<ForInStmt>(s)->iterable;
    default: return nullptr;
    }
}

} // namespace lang::lower
