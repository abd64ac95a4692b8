// check_indexer.cpp: indexing a class or struct value (doc/language/spec.md 7.6).
//
// `o[i]` on a class or struct is the call `o.get_Item(i)`, and `o[i] = v` is
// `o.set_Item(i, v)` (the names C# gives an indexer's accessors): sema builds that call,
// checks it like a written one (overloads, `mut`, access), and leaves it in
// IndexExpr::call / AssignExpr::call, which lowering emits instead of an element access.
// `o[i] op= v` through an indexer is an error for now.
#include "sema/check.h"

namespace lang::sema {

static bool indexable_object(const Type* t) {
    return t->kind == TypeKind::Class || t->kind == TypeKind::Struct;
}

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
    if (assign && assign->compound) {
        expr(e->index, nullptr);
        expr(assign->value, nullptr);
        diag.error(assign->span, "compound assignment through an indexer is not supported yet: "
                                 "write 'o[i] = o[i] op v'");
        return err();
    }
    auto* callee = arena.make<MemberExpr>();
    callee->kind = ExprKind::Member;
    callee->span = e->span;
    callee->object = e->object;
    callee->name = name;
    callee->name_span = e->span;
    auto* call = arena.make<CallExpr>();
    call->kind = ExprKind::Call;
    call->span = e->span;
    call->callee = callee;
    call->args.push(arena, Arg{Ident{}, e->index});
    if (assign) call->args.push(arena, Arg{Ident{}, assign->value});
    // The call checks the object again (already checked by check_index): object
    // expressions are checked the same way each time.
    const Type* t = expr(call, nullptr);
    if (assign) assign->call = call;
    else e->call = call;
    return t;
}

static CallExpr* method_call(Arena& arena, Expr* object, Ident name, Span span) {
    auto* callee = arena.make<MemberExpr>();
    callee->kind = ExprKind::Member;
    callee->span = span;
    callee->object = object;
    callee->name = name;
    callee->name_span = span;
    auto* call = arena.make<CallExpr>();
    call->kind = ExprKind::Call;
    call->span = span;
    call->callee = callee;
    return call;
}

// `for (let x in o)` over a class with the methods `int Count()` and `get_Item(int)`:
// visits o.get_Item(0), o.get_Item(1), ... while the index is below o.Count(), read
// before each pass (spec 5.1). Returns the element type, or null when `o` is no such class
// (the caller reports it). The scope of the hidden index is the loop's.
const Type* Sema::check_for_in_class(ForInStmt* s, const Type* it) {
    if (it->kind != TypeKind::Class || !it->decl) return nullptr;
    auto* td = static_cast<TypeDecl*>(it->decl);
    Ident count = c.interner.intern("Count"), get = c.interner.intern("get_Item");
    if (lookup_member(td, count) < 0 || lookup_member(td, get) < 0) return nullptr;
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
        diag.error(s->iterable->span, "cannot iterate over a value of type %s: its Count() returns %s, not int",
                   tn(it).c_str(), tn(ct).c_str());
        return err();
    }
    s->index = idx;
    s->count_call = cc;
    s->item_call = gc;
    return et;
}

} // namespace lang::sema
