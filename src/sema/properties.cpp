// properties.cpp: read-only properties (doc/language/spec.md 4.3, "Properties").
//
// A property `T Name => e;` / `T Name { get { ... } }` is a method without parameters
// marked FuncDecl::is_property (the parser makes it). Reading it, `o.Name`, `Type.Name`
// for a static one, `o?.Name`, or `Name` inside the type, is the call of that getter:
// sema builds the call (a CallExpr with property_get set, checked like a written one,
// so access, `this`, virtual and interface dispatch work as for methods) and keeps it in
// MemberExpr::call / NameExpr::call, which lowering emits instead. Writing `o.Name()` is
// an error, as in C#.
#include "sema/check.h"

namespace lang::sema {

const Type* Sema::property_read(MemberExpr* m, NameExpr* n, Expr** out) {
    Expr* callee;
    if (m) {
        auto* c = arena.make<MemberExpr>();
        *c = *m;
        c->decl = nullptr;
        c->call = nullptr;
        c->type = nullptr;
        callee = c;
    } else {
        auto* c = arena.make<NameExpr>();
        *c = *n;
        c->decl = nullptr;
        c->call = nullptr;
        c->type = nullptr;
        callee = c;
    }
    auto* call = arena.make<CallExpr>();
    call->kind = ExprKind::Call;
    call->span = m ? m->span : n->span;
    call->callee = callee;
    call->property_get = true;
    const Type* t = expr(call, nullptr);
    *out = call;
    if (m) m->decl = callee->kind == ExprKind::Member ? static_cast<MemberExpr*>(callee)->decl : nullptr;
    else n->decl = static_cast<NameExpr*>(callee)->decl;
    return t;
}

void Sema::check_property_call(CallExpr* e, FuncDecl* f, Span span) {
    if (f->is_property && !e->property_get)
        diag.error(span, "'%s' is a property: read it without '()'", f->name.c_str());
}

} // namespace lang::sema
