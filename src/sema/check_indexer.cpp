// check_indexer.cpp: indexing a class or struct value (doc/language/spec.md 7.6).
//
// `o[i]` on a class or struct is the call `o.get_Item(i)`, and `o[i] = v` is
// `o.set_Item(i, v)` (the names C# gives an indexer's accessors): sema builds that call,
// checks it like a written one (overloads, `mut`, access), and leaves it in
// IndexExpr::call / AssignExpr::via, which lowering emits instead of an element access.
// `o[i] op= v` is `o.set_Item(i, o.get_Item(i) op v)` (check_indexer_compound).
#include "sema/check.h"

namespace lang::sema {

static bool indexable_object(const Type* t) {
    return t->kind == TypeKind::Class || t->kind == TypeKind::Struct;
}

static CallExpr* method_call(Arena& arena, Expr* object, Ident name, Span span);

const Type* Sema::check_indexer(IndexExpr* e, const Type* ot, AssignExpr* assign) {
    if (!indexable_object(ot) || !ot->decl) return nullptr;
    const char* accessor = assign ? "set_Item" : "get_Item";
    Ident name = c.interner.intern(accessor);
    if (lookup_member(static_cast<TypeDecl*>(ot->decl), name) < 0) {
        expr(e->index, nullptr);
        if (assign) expr(assign->value, nullptr);
        diag.error(e->span, "cannot %s a value of type %s: it has no method '%s' (an indexer, 7.6)",
                   assign ? "assign to an element of" : "index", tn(ot).c_str(), accessor);
        return err();
    }
    if (assign && assign->compound) return check_indexer_compound(e, ot, assign);
    CallExpr* call = method_call(arena, e->object, name, e->span);
    call->args.push(arena, Arg{Ident{}, e->index});
    if (assign) call->args.push(arena, Arg{Ident{}, assign->value});
    // The call checks the object again (already checked by check_index): object
    // expressions are checked the same way each time.
    const Type* t = expr(call, nullptr);
    if (assign) assign->via = arena.make<IndexerSet>(IndexerSet{call});
    else e->call = call;
    return t;
}

static NameExpr* name_of(Arena& arena, LocalDecl* d, Span span) {
    auto* n = arena.make<NameExpr>();
    n->kind = ExprKind::Name;
    n->span = span;
    n->name = d->name;
    return n;
}

// An expression that may be evaluated twice with the same result and no effects.
static bool plain_operand(Expr* e) {
    switch (e->kind) {
    case ExprKind::IntLit: case ExprKind::FloatLit: case ExprKind::CharLit: case ExprKind::StringLit:
    case ExprKind::BoolLit: case ExprKind::Name: case ExprKind::This:
        return true;
    default:
        return false;
    }
}

// `o[i] op= v` is `o.set_Item(i, o.get_Item(i) op v)` with o and i evaluated once: a class
// object and an index that is not a name or literal go to hidden locals first (lowering
// binds them, IndexerSet::obj_tmp/index_tmp). A struct object stays a place, so set_Item
// changes it (its path has no calls to repeat unless written with them).
const Type* Sema::check_indexer_compound(IndexExpr* e, const Type* ot, AssignExpr* assign) {
    Span sp = e->span;
    IndexerSet* via = arena.make<IndexerSet>();
    push_scope();
    Expr* obj = e->object;
    if (ot->kind == TypeKind::Class && !plain_operand(obj)) {
        via->obj_tmp = new_local(c.interner.intern("$obj"), sp, ot, true); // var: its mut methods may be called
        declare_local(via->obj_tmp->name, via->obj_tmp, sp);
        obj = name_of(arena, via->obj_tmp, sp);
    }
    Expr* idx = e->index;
    if (!plain_operand(idx)) {
        const Type* it = expr(e->index, nullptr);
        if (is_error(it)) {
            pop_scope();
            expr(assign->value, nullptr);
            return err();
        }
        via->index_tmp = new_local(c.interner.intern("$index"), sp, it, false);
        declare_local(via->index_tmp->name, via->index_tmp, sp);
    }
    auto idx_expr = [&]() -> Expr* { return via->index_tmp ? name_of(arena, via->index_tmp, sp) : idx; };
    CallExpr* get = method_call(arena, obj, c.interner.intern("get_Item"), sp);
    get->args.push(arena, Arg{Ident{}, idx_expr()});
    int errors = diag.error_count();
    if (is_error(expr(get, nullptr)) || diag.error_count() != errors) { // reported once, not again in set_Item's call
        expr(assign->value, nullptr);
        pop_scope();
        return err();
    }
    auto* bin = arena.make<BinaryExpr>();
    bin->kind = ExprKind::Binary;
    bin->span = assign->span;
    bin->op = assign->op;
    bin->lhs = get;
    bin->rhs = assign->value;
    CallExpr* set = method_call(arena, obj, c.interner.intern("set_Item"), sp);
    set->args.push(arena, Arg{Ident{}, idx_expr()});
    set->args.push(arena, Arg{Ident{}, bin});
    const Type* t = expr(set, nullptr);
    pop_scope();
    via->call = set;
    assign->via = via;
    return t;
}

static CallExpr* method_call(Arena& arena, Expr* object, Ident name, Span span) {
    MemberExpr* callee = member_node(arena, object, name, span);
    auto* call = arena.make<CallExpr>();
    call->kind = ExprKind::Call;
    call->span = span;
    call->callee = callee;
    return call;
}

// `for (let x in o)` over a class with `int Count` (a property or method) and
// `get_Item(int)`: visits o.get_Item(0), o.get_Item(1), ... while the index is below o.Count, read
// before each pass (spec 5.1). Returns the element type, or null when `o` is no such class
// (the caller reports it). The scope of the hidden index is the loop's.
// A class with `int IterNext(int pos)` and `IterAt(int pos)` (the cursor protocol, which
// Dict and Set use) is visited as o.IterAt(p) for p = o.IterNext(0), o.IterNext(p + 1), ...
// until IterNext returns a negative position; it is preferred over Count/get_Item.
const Type* Sema::check_for_in_class(ForInStmt* s, const Type* it) {
    if (it->kind != TypeKind::Class || !it->decl) return nullptr;
    auto* td = static_cast<TypeDecl*>(it->decl);
    Ident count = c.interner.intern("Count"), get = c.interner.intern("get_Item");
    Ident inext = c.interner.intern("IterNext"), iat = c.interner.intern("IterAt");
    bool cursor = lookup_member(td, inext) >= 0 && lookup_member(td, iat) >= 0;
    if (cursor) {
        count = inext;
        get = iat;
    } else if (lookup_member(td, count) < 0 || lookup_member(td, get) < 0) {
        return nullptr;
    }
    auto* idx = arena.make<LocalDecl>();
    idx->kind = DeclKind::Local;
    idx->name = c.interner.intern("$index");
    idx->span = s->iterable->span;
    idx->name_span = s->iterable->span;
    idx->type = T.int_();
    assign_local_index(idx);
    push_scope();
    declare_local(idx->name, idx, idx->span);
    CallExpr* cc = method_call(arena, s->iterable, count, s->iterable->span);
    if (Decl* cd = sym_list_[lookup_member(td, count)].decl; cd->kind == DeclKind::Func)
        cc->property_get = static_cast<FuncDecl*>(cd)->is_property; // `int Count => n;` or `int Count()`
    if (cursor) {
        auto* pos = arena.make<NameExpr>();
        pos->kind = ExprKind::Name;
        pos->span = s->iterable->span;
        pos->name = idx->name;
        cc->args.push(arena, Arg{Ident{}, pos});
    }
    const Type* ct = expr(cc, nullptr);
    auto* name = arena.make<NameExpr>();
    name->kind = ExprKind::Name;
    name->span = s->iterable->span;
    name->name = idx->name;
    CallExpr* gc = method_call(arena, s->iterable, get, s->iterable->span);
    gc->args.push(arena, Arg{Ident{}, name});
    const Type* et = expr(gc, nullptr);
    pop_scope();
    if (is_error(ct) || is_error(et)) return err();
    if (ct != T.int_()) {
        diag.error(s->iterable->span, "cannot iterate over a value of type %s: its %s returns %s, not int",
                   tn(it).c_str(), cursor ? "IterNext(int)" : "Count()", tn(ct).c_str());
        return err();
    }
    s->index = idx;
    s->cursor = cursor;
    s->count_call = cc;
    s->item_call = gc;
    return et;
}

} // namespace lang::sema
