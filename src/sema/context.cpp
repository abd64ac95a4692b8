// context.cpp: `context` in the language, allocators and `#caller` (spec 7.11).
//
// Rules checked here:
//  - `context` names the implicit context when no local or global has that name. Its
//    fields: allocator, temp_allocator, logger, gc_enabled (thread_local: not yet).
//  - `context.F = v;` is a statement of a block; it lasts until the end of that block
//    (lowering copies the context: lower_context.cpp). It may not be the whole body of
//    if/while/for, a `for` initializer, a deferred statement or part of an expression.
//    Only `=`, never a compound assignment.
//  - allocator: v is an Arena or a Pool (lib/std/Memory.lang) held by a variable declared
//    in this block or an enclosing one (a local or a parameter: the assignment borrows it
//    until the end of the block), or `context.temp_allocator`. logger: likewise a variable,
//    of a type that converts to ILogger, or null (back to stderr). gc_enabled: a bool.
//    Until the block ends the borrowed variable cannot be assigned, passed as `ref` or
//    have a `mut` method (Release) called (ctx_borrows_); moving it is section 6's check.
//  - Reads: `context.gc_enabled` (bool), `context.logger` (ILogger?),
//    `context.temp_allocator.Reset()` and `.Used()`; allocator and temp_allocator are not
//    values.
//  - `#caller` is a SourceLocation (lib/std/Logging.lang): the location of the call that
//    left a `SourceLocation p = #caller` parameter out, or of the `#caller` itself when
//    written as an argument. Overload resolution counts such a candidate as taking the
//    shorter argument list too. A default value other than `#caller` is not supported yet.
// Annotations for lowering: the target MemberExpr of a context statement and the member
// reads get builtin Context*; an Arena/Pool value becomes the MemberExpr `v.handle` (int);
// missing `#caller` arguments are appended to the call as CallerLoc expressions whose span
// is the call's.
#include "sema/check.h"
#include "sema/prelude.h"

namespace lang::sema {

// The prelude's namespace-level type `name` (null when the program does not have it).
TypeDecl* Sema::prelude_decl(const char* name) {
    Ident id = c.interner.intern(name);
    for (int32_t s = sym_find(root_, id); s >= 0; s = sym_list_[s].next) {
        Decl* d = sym_list_[s].decl;
        if (d->kind == DeclKind::Type && is_prelude_path(c.sources.file(d->span.file).path))
            return static_cast<TypeDecl*>(d);
    }
    return nullptr;
}

bool Sema::is_context_name(Expr* e) {
    if (!e || e->kind != ExprKind::Name) return false;
    auto* n = static_cast<NameExpr*>(e);
    if (!(n->name == "context") || !n->generic_args().empty()) return false;
    if (lookup_local(n->name)) return false;
    for (const auto& ls : outer_locals_)
        if (ls.lookup(n->name)) return false;
    if (lookup_in_types(n->name) >= 0) return false;
    return sym_find(root_, n->name) < 0 && (!file_ || !file_->ns || sym_find(file_->ns, n->name) < 0);
}

bool Sema::is_context_member(Expr* e) {
    return e && e->kind == ExprKind::Member && !static_cast<MemberExpr*>(e)->null_safe &&
           is_context_name(static_cast<MemberExpr*>(e)->object);
}

// Which field `context.name` is; reports an unknown one.
static Builtin context_field(Sema& s, MemberExpr* m) {
    if (m->name == "allocator") return Builtin::ContextAllocator;
    if (m->name == "temp_allocator") return Builtin::ContextTempAllocator;
    if (m->name == "gc_enabled") return Builtin::ContextGcEnabled;
    if (m->name == "logger") return Builtin::ContextLogger;
    if (m->name == "thread_local") s.diag.error(m->name_span, "context.thread_local is not supported yet");
    else
        s.diag.error(m->name_span, "context has no field '%s' (allocator, temp_allocator, logger, gc_enabled)",
                     m->name.c_str());
    return Builtin::None;
}

const Type* Sema::logger_type() {
    TypeDecl* d = prelude_decl("ILogger");
    return d && d->type ? T.nullable(d->type) : nullptr;
}

// A read of `context.F` (the object is `context`).
const Type* Sema::check_context_member(MemberExpr* e) {
    e->object->type = T.void_();
    Builtin b = context_field(*this, e);
    switch (b) {
    case Builtin::ContextGcEnabled: e->builtin = (uint32_t)b; return T.bool_();
    case Builtin::ContextLogger: {
        const Type* lt = logger_type();
        if (!lt) {
            diag.error(e->span, "internal compiler error: the logging prelude is missing");
            return err();
        }
        e->builtin = (uint32_t)b;
        return lt;
    }
    case Builtin::ContextAllocator:
        diag.error(e->span, "context.allocator cannot be read: set it for a block with 'context.allocator = a;'");
        return err();
    case Builtin::ContextTempAllocator:
        diag.error(e->span, "context.temp_allocator is not a value: call context.temp_allocator.Reset() or "
                            "make it the allocator with 'context.allocator = context.temp_allocator;'");
        return err();
    default: return err();
    }
}

// `x = (context.F = v)` and friends: the assignment is not a statement of a block.
const Type* Sema::check_context_assign_misplaced(AssignExpr* e) {
    auto* m = static_cast<MemberExpr*>(e->target);
    diag.error(e->span, "'context.%s = ...' must be a statement of its own (it lasts until the end of its block)",
               m->name.c_str());
    if (e->value) expr(e->value, nullptr);
    return err();
}

bool Sema::is_context_stmt(Stmt* s) {
    if (!s || s->kind != StmtKind::Expr) return false;
    Expr* x = static_cast<ExprStmt*>(s)->expr;
    return x && x->kind == ExprKind::Assign && is_context_member(static_cast<AssignExpr*>(x)->target);
}

// The whole body of if/while/for, or a `for` initializer: a context statement there would
// last for that statement only.
void Sema::check_context_stmt_place(Stmt* s) {
    if (!is_context_stmt(s) || fn_.in_defer) return; // a deferred one is reported as such
    auto* m = static_cast<MemberExpr*>(static_cast<AssignExpr*>(static_cast<ExprStmt*>(s)->expr)->target);
    diag.error(s->span, "'context.%s = ...' lasts until the end of its block: write it inside a block { }",
               m->name.c_str());
}

// The value of `context.allocator = v` / `context.logger = v` must be a variable that
// outlives the block: a local or parameter visible here (so declared in this block or an
// enclosing one), not a global, a field or a temporary.
bool Sema::check_borrowed_variable(Expr* v, const char* field, const char* what) {
    Decl* d = v && v->kind == ExprKind::Name ? static_cast<NameExpr*>(v)->decl : nullptr;
    bool ok = d && (d->kind == DeclKind::Param || (d->kind == DeclKind::Local && !init_pos_.count(d)));
    if (!ok)
        diag.error(v->span,
                   "the %s assigned to context.%s must be a variable declared in this block or an enclosing one "
                   "(the assignment borrows it until the end of the block)",
                   what, field);
    return ok;
}

// `context.F = v;` as a statement; false when s is not one.
bool Sema::check_context_stmt(ExprStmt* s) {
    if (!is_context_stmt(s)) return false;
    auto* a = static_cast<AssignExpr*>(s->expr);
    auto* m = static_cast<MemberExpr*>(a->target);
    m->object->type = T.void_();
    a->type = m->type = T.void_();
    Builtin b = context_field(*this, m);
    if (b == Builtin::None) {
        if (a->value) expr(a->value, nullptr);
        return true;
    }
    if (a->compound) {
        diag.error(a->span, "context.%s can only be assigned with '='", m->name.c_str());
        if (a->value) expr(a->value, nullptr);
        return true;
    }
    if (fn_.in_defer) {
        diag.error(a->span, "'context.%s = ...' cannot be deferred (it lasts until the end of its block)",
                   m->name.c_str());
        if (a->value) expr(a->value, nullptr);
        return true;
    }
    if (!a->value) return true;
    switch (b) {
    case Builtin::ContextGcEnabled:
        value(a->value, T.bool_());
        break;
    case Builtin::ContextTempAllocator:
        diag.error(a->span, "context.temp_allocator cannot be assigned (each thread has its own)");
        if (!is_context_member(a->value)) expr(a->value, nullptr);
        return true;
    case Builtin::ContextLogger: {
        const Type* lt = logger_type();
        if (!lt) {
            diag.error(a->span, "internal compiler error: the logging prelude is missing");
            return true;
        }
        if (a->value->kind == ExprKind::NullLit) {
            value(a->value, lt);
            break;
        }
        const Type* vt = expr(a->value, nullptr);
        if (is_error(vt)) return true;
        if (!check_borrowed_variable(a->value, "logger", "logger")) return true;
        ctx_borrows_.push_back({static_cast<NameExpr*>(a->value)->decl, "logger", a->span});
        coerce(a->value, lt);
        break;
    }
    case Builtin::ContextAllocator: {
        Expr* v = a->value;
        if (is_context_member(v) && static_cast<MemberExpr*>(v)->name == "temp_allocator") {
            auto* tm = static_cast<MemberExpr*>(v);
            tm->object->type = T.void_();
            tm->builtin = (uint32_t)Builtin::ContextTempAllocator;
            tm->type = T.int_();
            break;
        }
        const Type* vt = expr(v, nullptr);
        if (is_error(vt)) return true;
        TypeDecl* arena_d = prelude_decl("Arena");
        TypeDecl* pool = prelude_decl("Pool");
        TypeDecl* d = vt->kind == TypeKind::Class ? vt->decl : nullptr;
        if (!d || (d != arena_d && d != pool)) {
            diag.error(v->span, "context.allocator takes an Arena, a Pool or context.temp_allocator, found %s",
                       tn(vt).c_str());
            return true;
        }
        if (!check_borrowed_variable(v, "allocator", "allocator")) return true;
        ctx_borrows_.push_back({static_cast<NameExpr*>(v)->decl, "allocator", a->span});
        int32_t hs = lookup_member(d, c.interner.intern("handle"));
        Decl* hd = hs >= 0 ? sym_list_[hs].decl : nullptr;
        if (!hd || hd->kind != DeclKind::Field) {
            diag.error(v->span, "internal compiler error: %s has no handle field", d->name.c_str());
            return true;
        }
        MemberExpr* h = member_node(arena, v, hd->name, v->span);
        h->decl = hd;
        h->type = T.int_();
        a->value = h;
        break;
    }
    default: break;
    }
    m->builtin = (uint32_t)b;
    return true;
}

// Assigning, passing as `ref` or calling a `mut` method of a variable the context borrows.
bool Sema::check_context_borrow(Expr* target, Span span, FuncDecl* mut_method) {
    if (ctx_borrows_.empty() || !target || target->kind != ExprKind::Name) return true;
    const Decl* d = static_cast<NameExpr*>(target)->decl;
    for (const ContextBorrow& b : ctx_borrows_) {
        if (b.d != d) continue;
        LineCol lc = c.sources.line_col(b.at.file, b.at.begin);
        if (mut_method)
            diag.error(span, "cannot call 'mut' method '%s' on '%s': it is context.%s until the end of the block (set at %u:%u)",
                       mut_method->name.c_str(), d->name.c_str(), b.field, lc.line, lc.col);
        else
            diag.error(span, "cannot assign to '%s': it is context.%s until the end of the block (set at %u:%u)",
                       d->name.c_str(), b.field, lc.line, lc.col);
        return false;
    }
    return true;
}

// context.temp_allocator.Reset() / .Used(); null when e is not a call on context.temp_allocator.
const Type* Sema::check_context_call(CallExpr* e, MemberExpr* m) {
    if (!is_context_member(m->object)) return nullptr;
    auto* tm = static_cast<MemberExpr*>(m->object);
    tm->object->type = T.void_();
    if (!(tm->name == "temp_allocator")) {
        Builtin b = context_field(*this, tm);
        if (b != Builtin::None)
            diag.error(m->name_span, "context.%s has no method '%s'", tm->name.c_str(), m->name.c_str());
        check_args_loose(e->args);
        return err();
    }
    tm->builtin = (uint32_t)Builtin::ContextTempAllocator;
    tm->type = T.int_();
    Builtin b = m->name == "Reset" ? Builtin::TempReset : m->name == "Used" ? Builtin::TempUsed : Builtin::None;
    if (b == Builtin::None) {
        diag.error(m->name_span, "context.temp_allocator has no method '%s' (Reset, Used)", m->name.c_str());
        check_args_loose(e->args);
        return err();
    }
    if (e->args.size) {
        diag.error(e->span, "%s expects no arguments, found %u", m->name.c_str(), e->args.size);
        check_args_loose(e->args);
        return err();
    }
    m->builtin = (uint32_t)b;
    m->type = T.void_();
    e->builtin = (uint32_t)b;
    return b == Builtin::TempReset ? T.void_() : T.int_();
}

// ---- #caller ----

const Type* Sema::source_location_type() {
    TypeDecl* d = prelude_decl("SourceLocation");
    return d && d->type ? d->type : nullptr;
}

const Type* Sema::check_caller_loc(Expr* e) {
    const Type* t = source_location_type();
    if (!t) {
        diag.error(e->span, "internal compiler error: the logging prelude is missing");
        return err();
    }
    return t;
}

// A parameter's default value (its type is resolved): only `#caller`, for a SourceLocation,
// and every later parameter needs a `#caller` default too.
void Sema::check_default_param(FuncDecl* f, ParamDecl* p) {
    if (p->default_value->kind != ExprKind::CallerLoc) {
        diag.error(p->default_value->span, "default arguments other than '#caller' are not supported yet");
        return;
    }
    const Type* sl = source_location_type();
    if (!is_error(p->type) && (!sl || p->type != sl)) {
        diag.error(p->default_value->span, "a '#caller' default needs a parameter of type SourceLocation, found %s",
                   tn(p->type).c_str());
        return;
    }
    p->default_value->type = p->type;
    for (uint32_t i = p->index + 1; i < f->params.size; i++) {
        ParamDecl* q = f->params[i];
        if (q && !q->default_value) {
            diag.error(q->name_span, "parameter '%s' follows a parameter with a default value and needs one too",
                       q->name.c_str());
            return;
        }
    }
}

bool Sema::caller_defaults_cover(const FuncDecl* f, uint32_t nargs) const {
    if (!f || nargs >= f->params.size) return false;
    for (uint32_t i = nargs; i < f->params.size; i++) {
        const ParamDecl* p = f->params[i];
        if (!p || !p->default_value || p->default_value->kind != ExprKind::CallerLoc) return false;
    }
    return true;
}

// A call of f with fewer arguments than parameters: each left-out trailing `#caller`
// parameter gets the call's location.
void Sema::add_caller_defaults(FuncDecl* f, ArenaVec<Arg>& args, Span call) {
    if (!caller_defaults_cover(f, args.size)) return;
    for (uint32_t i = args.size, n = f->params.size; i < n; i++) {
        auto* loc = arena.make<Expr>();
        loc->kind = ExprKind::CallerLoc;
        loc->span = call;
        loc->type = f->params[i]->type; // checked already when added after overload resolution
        args.push(arena, Arg{Ident{}, loc});
    }
}

} // namespace lang::sema
