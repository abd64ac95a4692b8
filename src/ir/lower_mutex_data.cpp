// lower_mutex_data.cpp: `Mutex<T>` (sema/mutex_data.cpp).
//
// A Mutex<T> handle points at a heap block {LangMutex*, pad, value at offset 16} made by
// `new Mutex<T>(v)` (the mutex from lang_mutex_new; the block holds a reference to each
// string in the value). `m.Lock(f)` locks, calls the lambda with the address of the value
// (a `ref` parameter) or a copy of it, unlocks and gives the lambda's result. A panic in
// the lambda ends the program, so no unlock is needed on that path. The block is not
// freed yet (drops come with the memory work).
#include "ir/lower_impl.h"

namespace lang::lower {

static constexpr int64_t kMutexValueOff = 16;

Inst* Lowerer::data_mutex_new(NewExpr* e, const Type* t) {
    const Type* vt = t->elem;
    Inst* v = expr(e->args[0].value);
    use_extern("lang_mutex_new");
    Inst* mu = call("lang_mutex_new", Ty::Ptr, {});
    use_extern("lang_alloc");
    int64_t size = kMutexValueOff + (vt->size + 7) / 8 * 8;
    Inst* blk = call("lang_alloc", Ty::Ptr, {ctx, iconst(Ty::I64, size), iconst(Ty::I64, 16)});
    store(Ty::Ptr, blk, 0, mu);
    if (is_agg(vt)) {
        memcpy_(ptr_add(blk, kMutexValueOff), v, vt->size);
        retain_parts(vt, blk, kMutexValueOff);
    } else {
        if (is_counted(vt)) v = take(v, vt);
        store_typed(vt, blk, kMutexValueOff, v);
    }
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
    Inst* mu = load(Ty::Ptr, h, 0);
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
    return own(r, rt); // a Lang function's string result is +1
}

} // namespace lang::lower
