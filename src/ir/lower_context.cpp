// lower_context.cpp: `context.F = v;`, context reads, the memory prelude's runtime calls
// and `#caller` (spec 7.11; the checks are in src/sema/context.cpp).
//
// The context is the function's parameter 0 (`ctx`), a LangContext* (src/rt/lang_rt.h).
// `context.F = v;` copies the current context into a stack slot of this function, stores
// F there and makes the slot the current `ctx` for the rest of the enclosing block:
// every call lowered after it passes the copy, so callees see it. stmts() restores the
// previous `ctx` at the end of the block, so no exit path needs code to restore it: the
// caller's context was never written. Cleanups (defer, releases) run with the context
// they were registered under (ctx_switches_, run_defers). The copy is made each time the
// statement runs (in a loop too) and lives in the frame, which outlives the block; a
// function that makes one makes no tail calls (a tail call would reuse the frame).
// drop_unused_context (ctxelim.cpp) stays correct: the copy reads parameter 0 and hands
// the slot to calls, so such a function keeps its context.
#include "ir/lower_impl.h"
#include "rt/lang_rt.h"
#include <cstddef>

namespace lang::lower {

namespace {

bool is_context_field(uint32_t b) { return b >= B_ContextAllocator && b <= B_ContextLogger; }

} // namespace

// `context.F = v;` directly in a block: true when s is one (and it is lowered).
bool Lowerer::context_stmt(Stmt* s) {
    if (s->kind != StmtKind::Expr) return false;
    Expr* x = as<ExprStmt>(s)->expr;
    if (!x || x->kind != ExprKind::Assign) return false;
    auto* a = as<AssignExpr>(x);
    if (!a->target || a->target->kind != ExprKind::Member) return false;
    auto* m = as<MemberExpr>(a->target);
    if (!is_context_field(m->builtin)) return false;
    set_line(s->span);
    size_t mark = temps_.size();
    Inst* v = nullptr;
    int64_t off = 0;
    Ty t = Ty::Ptr;
    switch (m->builtin) {
    case B_ContextAllocator: {
        off = offsetof(LangContext, allocator);
        Inst* h = expr(a->value); // an Arena's/Pool's handle, or context.temp_allocator
        if (h->ty != Ty::Ptr) {
            use_extern("lang_allocator_checked"); // a released allocator (handle 0) panics
            h = call("lang_allocator_checked", Ty::I64, {h});
            t = Ty::I64;
        }
        v = h;
        break;
    }
    case B_ContextLogger:
        off = offsetof(LangContext, logger);
        v = expr(a->value);
        break;
    case B_ContextGcEnabled:
        off = offsetof(LangContext, gc_enabled);
        v = expr(a->value);
        t = Ty::I8;
        break;
    default: return false;
    }
    if (!cur) return true;
    Inst* copy = slot(sizeof(LangContext), alignof(LangContext));
    memcpy_(copy, ctx, sizeof(LangContext));
    store(t, copy, off, v);
    ctx_switches_.push_back({defers.size(), ctx});
    ctx = copy;
    stack_records_ = true; // callees get the copy in this frame: no tail calls (lower_call.cpp)
    drop_temps(mark);
    return true;
}

Inst* Lowerer::ctx_for_cleanup(size_t i) const {
    for (const CtxSwitch& s : ctx_switches_)
        if (s.mark > i) return s.prev; // the first context statement after cleanup i
    return ctx;
}

// context.gc_enabled, context.logger, context.temp_allocator (the last only as the value
// of `context.allocator = ...`).
Inst* Lowerer::context_member(MemberExpr* e) {
    switch (e->builtin) {
    case B_ContextGcEnabled: return load(Ty::I8, ctx, offsetof(LangContext, gc_enabled));
    case B_ContextLogger: return load(Ty::Ptr, ctx, offsetof(LangContext, logger));
    case B_ContextTempAllocator: return load(Ty::Ptr, ctx, offsetof(LangContext, temp_allocator));
    default: break;
    }
    unsupported(e->span, "this context field");
    return undef(ty(e->type));
}

// context.temp_allocator.Reset() / .Used(), and the memory prelude's runtime calls.
Inst* Lowerer::context_call(CallExpr* e) {
    switch (e->builtin) {
    case B_TempReset:
        use_extern("lang_context_temp_reset");
        call("lang_context_temp_reset", Ty::Void, {ctx});
        return nullptr;
    case B_TempUsed:
        use_extern("lang_context_temp_used");
        return call("lang_context_temp_used", Ty::I64, {ctx});
    case B_RtCall: return rt_intrinsic(e); // lower_intrinsics.cpp
    default: break;
    }
    unsupported(e->span, "this context call");
    return e->type && ty(e->type) != Ty::Void ? undef(ty(e->type)) : nullptr;
}

// `#caller`: a SourceLocation {File, Line, Column, Function} of e's span in the function
// being lowered, built in a slot from static strings.
Inst* Lowerer::caller_location(Expr* e) {
    const Type* t = e->type;
    Inst* s = slot_for(t);
    if (!t || t->kind != TypeKind::Struct || !t->decl) return s;
    LineCol lc = c.sources.line_col(e->span.file, e->span.begin);
    const std::string& path = c.sources.file(e->span.file).path;
    std::string fn = fdecl ? func_symbol(fdecl) : "";
    if (size_t h = fn.find('#'); h != std::string::npos) fn.resize(h); // an overload's suffix
    for (Decl* d : t->decl->members) {
        if (!d || d->kind != DeclKind::Field || (d->mods & M_STATIC)) continue;
        auto* f = as<FieldDecl>(d);
        if (f->name == "File" || f->name == "Function") {
            const std::string& text = f->name == "File" ? path : fn;
            Inst* a = emit(Op::addr, Ty::Ptr);
            a->sym = string_global(text.data(), (uint32_t)text.size());
            store(Ty::Ptr, s, f->offset, a);
        } else if (f->name == "Line" || f->name == "Column") {
            store(Ty::I64, s, f->offset, iconst(Ty::I64, f->name == "Line" ? lc.line : lc.col));
        }
    }
    return s;
}

} // namespace lang::lower
