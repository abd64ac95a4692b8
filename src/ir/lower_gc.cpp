// lower_gc.cpp: lowering of `gc { ... }` blocks (LANGUAGE.md section 7): the body, then a
// collection of the running thread's gc heap at every exit of the block, fallthrough,
// `return`, `break`, `continue`, `fail` and `try` alike.
//
// The collection is registered as a cleanup like a `defer`: a GcBlock statement without a
// body stands for it (it lowers to lang_gc_collect(ctx), which does nothing while
// context.gc_enabled is false). A value being returned is computed before the cleanups
// run and stays in a register or stack slot across the call, where the collector's
// conservative stack scan sees it. `new` of a gc class (lang_gc_new) is in construct,
// lower_call.cpp; the collector's field map is the class's field table (lower_reflect.cpp).
#include "ir/lower_impl.h"

namespace lang::lower {

void Lowerer::gc_block(UnsafeStmt* s) {
    if (!s->body) { // the cleanup itself
        use_extern("lang_gc_collect");
        call("lang_gc_collect", Ty::Void, {ctx});
        return;
    }
    UnsafeStmt* at_exit = c.arena.make<UnsafeStmt>();
    at_exit->kind = StmtKind::GcBlock;
    at_exit->span = s->span;
    at_exit->body = nullptr;
    size_t mark = defers.size();
    defers.push_back({at_exit, nullptr});
    stmts(s->body);
    if (cur) run_defers(mark);
    defers.resize(mark);
}

} // namespace lang::lower
