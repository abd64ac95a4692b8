// lower_mutex_data.cpp: `Mutex<T>` (sema/mutex_data.cpp).
//
// A Mutex<T> handle points at a counted block made by lang_mutex_data_new (lang_sched.h):
// {LangRc, LangMutex* at 16, drop function at 24, the value at 32}. `new Mutex<T>(v)`
// stores v (the block holds a reference to each string or handle in it, owns a moved
// object) and passes the value glue of T (lower_drop.cpp), so the runtime drops the value
// when the last reference to the block goes. `m.Lock(f)` locks, calls the lambda with the
// address of the value (a `ref` parameter) or a copy of it, unlocks and gives the lambda's
// result. A panic in the lambda ends the program, so no unlock is needed on that path.
#include "ir/lower_impl.h"
#include "rt/lang_sched.h"

namespace lang::lower {

static constexpr int64_t kMutexValueOff = LANG_MUTEX_DATA_VALUE;

Inst* Lowerer::data_mutex_new(NewExpr* e, const Type* t) {
    const Type* vt = t->elem;
    Inst* v = expr(e->args[0].value);
    const char* glue = value_drop_fn(vt);
    Inst* drop = iconst(Ty::Ptr, 0);
    if (glue) {
        drop = emit(Op::addr, Ty::Ptr);
        drop->sym = glue;
    }
    use_extern("lang_mutex_data_new");
    Inst* blk = call("lang_mutex_data_new", Ty::Ptr, {iconst(Ty::I64, vt->size), drop});
    store_typed(vt, blk, kMutexValueOff, v); // takes its references (a copy of a place retains)
    return blk;
}

Inst* Lowerer::data_mutex_lock(CallExpr* e) {
    Expr* recv = as<MemberExpr>(e->callee)->object;
    const Type* vt = recv->type->elem;
    auto* l = as<LambdaExpr>(e->args[0].value);
    Inst* h = expr(recv);
    Inst* fv = expr(l);
    const Type* rt = e->type;
    bool agg = is_agg(rt);
    Inst* res = agg ? slot_for(rt) : nullptr;
    Inst* mu = load(Ty::Ptr, h, LANG_MUTEX_DATA_MUTEX);
    use_extern("lang_mutex_lock");
    call("lang_mutex_lock", Ty::Void, {mu});
    Inst* addr = ptr_add(h, kMutexValueOff);
    Inst* arg;
    if (l->params.size && l->params[0] && l->params[0]->mode == ParamMode::Ref) arg = addr;
    else if (is_agg(vt)) arg = materialize(vt, addr);
    else arg = load_typed(vt, addr, 0);
    Ty rty = agg ? Ty::Void : ty(rt);
    Inst* r = mk(Op::callind, rty);
    r->args.push(m.body(), load(Ty::Ptr, fv, 0));
    r->args.push(m.body(), ctx);
    if (agg) r->args.push(m.body(), res);
    r->args.push(m.body(), arg);
    r->args.push(m.body(), fv);
    ir::append(m, ensure(), r);
    use_extern("lang_mutex_unlock");
    call("lang_mutex_unlock", Ty::Void, {mu});
    if (agg) return res;
    if (rty == Ty::Void) return nullptr;
    return own(r, rt); // a Lang function's string or handle result is +1
}

} // namespace lang::lower
