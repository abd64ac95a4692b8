// lower_concurrency.cpp: lowering of spawn, Channel<T>, Task<T>, select, WaitGroup, Mutex,
// Atomic, Sleep/Yield (LANGUAGE.md section 9) onto the C API of src/rt/lang_sched.h.
// An Atomic is an int64_t* from lang_atomic_new(init); its methods call lang_atomic_*.
//
// spawn f(a, b): one local thunk function per spawn site, "<caller>$spawnN", with the C
// signature lang_spawn/lang_task_spawn expect: void(ptr arg) or void(ptr arg, ptr result).
// The spawn site fills an argument block in a stack slot and the runtime copies it:
//     [0]  the new thread's allocator: the spawner's when it is the default one
//          (lang_spawn_allocator: arenas, pools and temp allocators stay with their thread)
//     [8.. ] the receiver of a method (class pointer, or struct copy), then each argument,
//          at their natural alignment (aggregates inline, by value)
// The thunk builds the new thread's own LangContext in its frame with
// lang_context_init_child(ctx, NULL) (own temp allocator; contexts are never shared),
// stores the spawner's allocator into it, calls f(ctx, [result ptr], args...) (aggregate
// arguments point into the private block copy), stores a scalar result to `result`, and
// calls lang_context_fini. A spawn used as a statement uses lang_spawn (no task, nothing
// to join); otherwise lang_task_spawn gives the Task<T> handle and Join() is
// lang_task_join(task, out) followed by a load of the result.
//
// Channels hold elements of T's size; values travel by address (a slot holds the value
// to send / receives it). select builds an array of LangSelectCase {ch, dir, ok, elem}
// (24 bytes each) in a slot, calls lang_select(cases, n, has_default, timeout_ns) and
// dispatches on the returned index (-1 default, -2 timeout) with a compare chain.
// Handles (LangChan*, LangTask*, ...) are counted like strings (lower_own.cpp, is_handle;
// src/rt/handle.c): `new` and spawn give +1 temporaries, copies retain, owners release.
// What a handle still holds when it is destroyed is dropped by the runtime through a
// "$drop.value.N" function of the element type (lower_drop.cpp): a channel's buffered
// elements (lang_chan_set_drop), a task's unjoined result (lang_task_set_drop). A spawned
// thread's argument block owns its arguments; the thunk drops them after the call.
#include "ir/lower_impl.h"
#include "rt/lang_rt.h"
#include <string>

namespace lang::lower {


// Builds `$name(ptr arg[, ptr result])` calling `callee`. Returns the symbol.
const char* Lowerer::spawn_thunk(CallExpr* call, bool task, const std::vector<int64_t>& offs, const Type* recv_t,
                                 int64_t recv_off) {
    FuncDecl* fd = call->target;
    const Type* rt = call->type;
    std::string name = std::string(f->name) + "$spawn" + std::to_string(nspawn_++);
    const char* sym = m.arena.copy_str(name.c_str(), name.size());
    ir::Func* tf = ir::new_func(m, sym);
    tf->is_public = false;
    tf->source_file = f->source_file;
    tf->params.push(m.arena, Ty::Ptr);
    if (task) tf->params.push(m.arena, Ty::Ptr);
    tf->ret = Ty::Void;
    Block* b = ir::new_block(m, *tf);
    auto add = [&](Op op, Ty t) {
        Inst* i = ir::new_inst(m, *tf, op, t);
        ir::append(m, b, i);
        return i;
    };
    auto ld = [&](Ty t, Inst* base, int64_t off) {
        Inst* i = add(Op::load, t);
        i->args.push(m.body(), base);
        i->imm = off;
        return i;
    };
    Inst* arg = add(Op::param, Ty::Ptr);
    arg->imm = 0;
    Inst* res = nullptr;
    if (task) {
        res = add(Op::param, Ty::Ptr);
        res->imm = 1;
    }
    Inst* cx = add(Op::slot, Ty::Ptr);
    cx->imm = LANG_ABI_CONTEXT_SLOT;
    cx->imm2 = 16;
    Inst* null = add(Op::iconst, Ty::Ptr);
    null->imm = 0;
    use_extern("lang_context_init_child");
    Inst* init = add(Op::call, Ty::Void);
    init->sym = "lang_context_init_child";
    init->args.push(m.body(), cx);
    init->args.push(m.body(), null);
    Inst* alloc = ld(Ty::Ptr, arg, 0);
    Inst* st = add(Op::store, Ty::Void);
    st->cty = Ty::Ptr;
    st->args.push(m.body(), cx);
    st->args.push(m.body(), alloc);
    bool agg_ret = is_agg(rt);
    std::vector<Inst*> cargs{cx};
    if (agg_ret) { // the callee writes the result straight into the task's result buffer
        Inst* out = res;
        if (!out) {
            out = add(Op::slot, Ty::Ptr);
            out->imm = rt->size ? rt->size : 1;
            out->imm2 = rt->align ? rt->align : 1;
        }
        cargs.push_back(out);
    }
    if (recv_t) { // `this`: a class pointer, or the address of the struct's copy
        if (is_agg(recv_t)) {
            Inst* o = add(Op::iconst, Ty::I64);
            o->imm = recv_off;
            Inst* a = add(Op::add, Ty::Ptr);
            a->args.push(m.body(), arg);
            a->args.push(m.body(), o);
            cargs.push_back(a);
        } else {
            cargs.push_back(ld(Ty::Ptr, arg, recv_off));
        }
    }
    for (uint32_t i = 0; i < call->args.size; i++) {
        const Type* at = call->args[i].value->type;
        if (is_agg(at)) { // a pointer into the thread's private copy of the block
            Inst* o = add(Op::iconst, Ty::I64);
            o->imm = offs[i];
            Inst* a = add(Op::add, Ty::Ptr);
            a->args.push(m.body(), arg);
            a->args.push(m.body(), o);
            cargs.push_back(a);
        } else {
            cargs.push_back(ld(ty(at), arg, offs[i]));
        }
    }
    Inst* c = add(Op::call, agg_ret ? Ty::Void : ty(rt));
    c->sym = func_symbol(fd);
    c->line = line;
    for (Inst* x : cargs) c->args.push(m.body(), x);
    if (task && !agg_ret && rt->kind != TypeKind::Void) {
        Inst* s2 = add(Op::store, Ty::Void);
        s2->cty = ty(rt);
        s2->args.push(m.body(), res);
        s2->args.push(m.body(), c);
    }
    // A statement spawn's result has no one to go to; the block owns its arguments (spawn
    // moves them; strings and handles in it hold a reference) and a struct receiver's
    // counted parts. All are dropped once the call is over (the result first), by the
    // type's value glue.
    auto drop_at = [&](const Type* t, Inst* base, int64_t off) {
        const char* glue = value_drop_fn(t); // lower_drop.cpp
        if (!glue) return;
        Inst* o = add(Op::iconst, Ty::I64);
        o->imm = off;
        Inst* a = add(Op::add, Ty::Ptr);
        a->args.push(m.body(), base);
        a->args.push(m.body(), o);
        Inst* r = add(Op::call, Ty::Void);
        r->sym = glue;
        r->args.push(m.body(), cx);
        r->args.push(m.body(), a);
    };
    if (!task && rt->kind != TypeKind::Void && has_drops(rt)) {
        Inst* out = agg_ret ? cargs[1] : nullptr;
        if (!out) { // the scalar result: through a slot
            out = add(Op::slot, Ty::Ptr);
            out->imm = 8;
            out->imm2 = 8;
            Inst* s2 = add(Op::store, Ty::Void);
            s2->cty = ty(rt);
            s2->args.push(m.body(), out);
            s2->args.push(m.body(), c);
        }
        drop_at(rt, out, 0);
    }
    if (recv_t && is_agg(recv_t)) drop_at(recv_t, arg, recv_off);
    for (uint32_t i = 0; i < call->args.size; i++) { // (an `own` parameter's object: the callee dropped it)
        const Type* at = call->args[i].value->type;
        bool given = i < fd->params.size && fd->params[i]->mode == ParamMode::Own && tracked(at);
        if (!given) drop_at(at, arg, offs[i]);
    }

    use_extern("lang_context_fini");
    Inst* fini = add(Op::call, Ty::Void);
    fini->sym = "lang_context_fini";
    fini->args.push(m.body(), cx);
    add(Op::ret, Ty::Void);
    return sym;
}

Inst* Lowerer::spawn_expr(SpawnExpr* e, bool as_stmt) {
    auto* call = as<CallExpr>(e->call);
    set_line(e->span);
    // Layout of the argument block.
    std::vector<int64_t> offs;
    int64_t off = 8;
    // An instance method's receiver comes first (sema allows non-virtual methods of
    // classes and non-mut methods of structs): the class pointer, or a struct copy.
    FuncDecl* fd = call->target;
    const Type* recv_t = nullptr;
    Inst* recv = nullptr;
    int64_t recv_off = 0;
    if (fd->parent && fd->parent->kind == DeclKind::Type && !(fd->mods & M_STATIC)) {
        if (call->callee->kind == ExprKind::Member) {
            Expr* o = as<MemberExpr>(call->callee)->object;
            recv_t = o->type;
            recv = expr(o);
        } else {
            recv_t = as<TypeDecl>(fd->parent)->type;
            recv = this_val;
        }
        int64_t al = recv_t->align ? recv_t->align : 1;
        recv_off = off = (off + al - 1) / al * al;
        off += recv_t->size;
    }
    for (const Arg& a : call->args) {
        const Type* at = a.value->type;
        int64_t al = at->align ? at->align : 1;
        off = (off + al - 1) / al * al;
        offs.push_back(off);
        off += at->size;
    }
    int64_t size = (off + 15) / 16 * 16;
    Inst* blk = slot((uint32_t)size, 16);
    use_extern("lang_spawn_allocator"); // an arena, pool or temp allocator stays with its thread (alloc_lang.c)
    store(Ty::Ptr, blk, 0, this->call("lang_spawn_allocator", Ty::Ptr, {ctx}));
    if (recv_t) store_typed(recv_t, blk, recv_off, recv);
    for (uint32_t i = 0; i < call->args.size; i++) {
        Expr* av = call->args[i].value;
        Inst* v = expr(av);
        store_typed(av->type, blk, offs[i], v);
    }
    bool task = !as_stmt;
    const Type* rt = call->type;
    const char* thunk = spawn_thunk(call, task, offs, recv_t, recv_off);
    Inst* fa = emit(Op::addr, Ty::Ptr);
    fa->sym = thunk;
    if (!task) {
        use_extern("lang_spawn");
        call_v("lang_spawn", Ty::Void, {fa, blk, iconst(Ty::I64, size)});
        return nullptr;
    }
    use_extern("lang_task_spawn");
    int64_t rsize = rt->kind == TypeKind::Void ? 0 : rt->size;
    Inst* t = call_v("lang_task_spawn", Ty::Ptr, {fa, blk, iconst(Ty::I64, size), iconst(Ty::I64, rsize)});
    if (const char* glue = rt->kind == TypeKind::Void ? nullptr : value_drop_fn(rt)) { // a result never joined
        Inst* ga = emit(Op::addr, Ty::Ptr);
        ga->sym = glue;
        use_extern("lang_task_set_drop");
        call_v("lang_task_set_drop", Ty::Void, {t, ga});
    }
    return own(t, e->type); // the new handle (+1; the thread holds its own)
}

// Nanoseconds of a Sleep/Timeout argument: a Duration as is, an int in milliseconds
// (saturating instead of overflowing).
Inst* Lowerer::time_ns(Expr* e) {
    Inst* v = expr(e);
    if (e->type->kind == TypeKind::Duration) return v;
    const int64_t kMaxMs = INT64_MAX / 1000000;
    Inst* big = emit(Op::sgt, Ty::I8, v, iconst(Ty::I64, kMaxMs));
    big->cty = Ty::I64;
    Inst* ms = emit(Op::select, Ty::I64, big, iconst(Ty::I64, kMaxMs));
    ms->args.push(m.body(), v);
    return emit(Op::mul, Ty::I64, ms, iconst(Ty::I64, 1000000));
}

// The runtime zeroes the element received from a closed channel; zero values that are not
// all-zero bytes ("" for strings) are written here when ok is 0.
void Lowerer::fix_closed_zero(Inst* ok, const Type* et, Inst* buf) {
    if (!needs_zero_init(et)) return;
    Block* fix = mk_block();
    Block* done = mk_block();
    br(ok, done, fix);
    seal(fix);
    enter(fix);
    zero_init(et, buf, 0);
    jmp(done);
    seal(done);
    enter(done);
}

// Address of a copy of v (type t) in a fresh slot, for passing by address.
Inst* Lowerer::value_addr(Inst* v, const Type* t) {
    if (is_agg(t)) return v;
    Inst* s = slot_for(t);
    store(ty(t), s, 0, v);
    return s;
}

// The value to send, +1 for the channel: a string or handle is taken (claimed or
// retained), a moved object claimed, an aggregate's counted parts retained unless it is a
// new one that hands them over.
Inst* Lowerer::send_value(Expr* e, const Type* et) {
    Inst* v = expr(e);
    if (is_counted(et)) return take(v, et);
    if (needs_drop(et)) claim(v); // lower_drop.cpp
    else if (drops_agg(et) && !claim_agg(v)) retain_parts(et, v = materialize(et, v), 0); // (a copy of a place)
    return v;
}

// A value the runtime copied to s (a receive, a joined result): it is +1, ours now.
Inst* Lowerer::received_value(const Type* et, Inst* s) {
    Inst* v = load_typed(et, s, 0);
    if (tracked(et)) return own_value(v, et); // an object or an aggregate with parts to drop
    return own(v, et);
}

Inst* Lowerer::conc_call(CallExpr* e) {
    set_line(e->span);
    Expr* recv = e->callee && e->callee->kind == ExprKind::Member ? as<MemberExpr>(e->callee)->object : nullptr;
    auto R = [&]() { return expr(recv); };
    auto ext = [&](const char* s) { use_extern(s); return s; };
    if (e->builtin == B_MutexLock && recv && recv->type->elem) return data_mutex_lock(e); // Mutex<T>
    switch (e->builtin) {
    case B_ChanSend: {
        Inst* ch = R();
        const Type* et = e->args[0].value->type;
        Inst* v = send_value(e->args[0].value, et); // the channel's until it is received
        call_v(ext("lang_chan_send"), Ty::Void, {ch, value_addr(v, et)});
        return nullptr;
    }
    case B_ChanReceive: {
        Inst* ch = R();
        const Type* et = e->type;
        Inst* s = slot_for(et);
        Inst* ok = call_v(ext("lang_chan_recv"), Ty::I8, {ch, s});
        fix_closed_zero(ok, et, s);
        return received_value(et, s);
    }
    case B_ChanTryReceive: {
        Inst* ch = R();
        const Type* tt = e->type; // (T, bool)
        Inst* s = slot_for(tt);
        Inst* r = call_v(ext("lang_chan_try_recv"), Ty::I32, {ch, s});
        Inst* got = emit(Op::eq, Ty::I8, r, iconst(Ty::I32, 1));
        got->cty = Ty::I32;
        Block* zero = mk_block();
        Block* done = mk_block();
        br(got, done, zero);
        seal(zero);
        enter(zero); // would block: the value part is the zero value
        if (tt->elems[0]->size) emit(Op::memzero, Ty::Void, s)->imm = tt->elems[0]->size;
        zero_init(tt->elems[0], s, 0);
        jmp(done);
        seal(done);
        enter(done);
        store(Ty::I8, s, tuple_offset(tt, 1), got);
        return received_value(tt, s); // the value part is ours (+1): a new tuple
    }
    case B_ChanClose: call_v(ext("lang_chan_close"), Ty::Void, {R()}); return nullptr;
    case B_ChanLength: return call_v(ext("lang_chan_len"), Ty::I64, {R()});
    case B_TaskJoin: {
        Inst* t = R();
        const Type* rt = e->type;
        if (rt->kind == TypeKind::Void) {
            call_v(ext("lang_task_join"), Ty::Void, {t, iconst(Ty::Ptr, 0)});
            return nullptr;
        }
        Inst* s = slot_for(rt);
        call_v(ext("lang_task_join"), Ty::Void, {t, s});
        return received_value(rt, s); // the result is the joiner's (a second Join panics)
    }
    case B_WgAdd: {
        Inst* wg = R();
        call_v(ext("lang_wg_add"), Ty::Void, {wg, expr(e->args[0].value)});
        return nullptr;
    }
    case B_WgDone: call_v(ext("lang_wg_done"), Ty::Void, {R()}); return nullptr;
    case B_WgWait: call_v(ext("lang_wg_wait"), Ty::Void, {R()}); return nullptr;
    case B_MutexLock: call_v(ext("lang_mutex_lock"), Ty::Void, {R()}); return nullptr;
    case B_MutexUnlock: call_v(ext("lang_mutex_unlock"), Ty::Void, {R()}); return nullptr;
    case B_AtomicLoad: return call_v(ext("lang_atomic_load"), Ty::I64, {R()});
    case B_AtomicStore: {
        Inst* a = R();
        call_v(ext("lang_atomic_store"), Ty::Void, {a, expr(e->args[0].value)});
        return nullptr;
    }
    case B_AtomicAdd: case B_AtomicExchange: {
        Inst* a = R();
        Inst* v = expr(e->args[0].value);
        return call_v(ext(e->builtin == B_AtomicAdd ? "lang_atomic_add" : "lang_atomic_exchange"), Ty::I64, {a, v});
    }
    case B_AtomicCas: { // lang_atomic_cas takes `expected` by address
        Inst* a = R();
        Inst* exp = expr(e->args[0].value);
        Inst* des = expr(e->args[1].value);
        Inst* s = slot(8, 8);
        store(Ty::I64, s, 0, exp);
        return call_v(ext("lang_atomic_cas"), Ty::I8, {a, s, des});
    }
    case B_Sleep: call_v(ext("lang_sleep_ns"), Ty::Void, {time_ns(e->args[0].value)}); return nullptr;
    case B_DurNanos: case B_DurMicros: case B_DurMillis: case B_DurSeconds: case B_DurMinutes: case B_DurHours: {
        static const int64_t kScale[] = {1, 1000, 1000000, 1000000000, 60000000000, 3600000000000};
        Inst* n = expr(e->args[0].value);
        if (e->builtin == B_DurNanos) return n;
        return emit(Op::mulchk, Ty::I64, n, iconst(Ty::I64, kScale[e->builtin - B_DurNanos]));
    }
    case B_Yield: call_v(ext("lang_yield"), Ty::Void, {}); return nullptr;
    default: break;
    }
    unsupported(e->span, "this concurrency builtin");
    return nullptr;
}

Inst* Lowerer::conc_new_expr(NewExpr* e) {
    const Type* t = e->type ? e->type->resolved : nullptr;
    if (!t) {
        unsupported(e->span, "this 'new'");
        return iconst(Ty::Ptr, 0);
    }
    set_line(e->span);
    auto ext = [&](const char* s) { use_extern(s); return s; };
    switch (t->kind) {
    case TypeKind::Channel: {
        Inst* cap = e->args.size ? expr(e->args[0].value) : iconst(Ty::I64, 0);
        if (e->args.size) { // a negative capacity is a bug
            Block* bad = mk_block();
            Block* ok = mk_block();
            Inst* neg = emit(Op::slt, Ty::I8, cap, iconst(Ty::I64, 0));
            neg->cty = Ty::I64;
            br(neg, bad, ok);
            seal(bad);
            enter(bad);
            Inst* msg = emit(Op::addr, Ty::Ptr);
            static const char kMsg[] = "negative channel capacity";
            msg->sym = string_global(kMsg, sizeof kMsg - 1);
            panic_call("lang_panic_str", {msg});
            seal(ok);
            enter(ok);
        }
        int64_t es = t->elem->size ? t->elem->size : 1;
        Inst* ch = call_v(ext("lang_chan_new"), Ty::Ptr, {iconst(Ty::I64, es), cap});
        if (const char* glue = value_drop_fn(t->elem)) { // elements still buffered at the end
            Inst* ga = emit(Op::addr, Ty::Ptr);
            ga->sym = glue;
            call_v(ext("lang_chan_set_drop"), Ty::Void, {ch, ga});
        }
        return own(ch, t); // every new handle is +1 (lower_own.cpp)
    }
    case TypeKind::WaitGroup: return own(call_v(ext("lang_wg_new"), Ty::Ptr, {}), t);
    case TypeKind::Mutex:
        if (t->elem) return own(data_mutex_new(e, t), t); // Mutex<T> (lower_mutex_data.cpp)
        return own(call_v(ext("lang_mutex_new"), Ty::Ptr, {}), t);
    case TypeKind::Atomic: {
        Inst* init = e->args.size ? expr(e->args[0].value) : iconst(Ty::I64, 0);
        return own(call_v(ext("lang_atomic_new"), Ty::Ptr, {init}), t);
    }
    default: break;
    }
    unsupported(e->span, "this 'new'");
    return iconst(Ty::Ptr, 0);
}

// A struct or tuple whose parts to drop are all strings and handles (copies of those
// retain, so its parts can be released whatever the code did with it).
bool Lowerer::counted_parts_only(const Type* t, int depth) {
    if (!t || depth > 32 || needs_drop(t)) return false;
    if (is_counted(t)) return true;
    auto ok = [&](const Type* p) { return !has_drops(p) || counted_parts_only(p, depth + 1); };
    switch (t->kind) {
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++)
            if (!ok(t->elems[i])) return false;
        return true;
    case TypeKind::Struct:
        if (!t->decl) return false;
        for (Decl* d : t->decl->members)
            if (d->kind == DeclKind::Field && !(d->mods & M_STATIC) && !ok(d->type)) return false;
        return true;
    default: return false;
    }
}

// The variable of `for (let x in ch)` or a select case's binding owns the received value
// (+1): a string or handle is released, an object dropped when its scope ends; so are the
// counted parts of a struct or tuple (which the variable names in place, not retained).
void Lowerer::bind_received(LocalDecl* d, const Type* et, Inst* buf) {
    Inst* v = load_typed(et, buf, 0);
    bool parts = is_agg(et) && has_drops(et) && counted_parts_only(et);
    if (parts) fresh_aggs_.insert(v); // a copy into the variable takes them over
    bind_local(d, v, et);
    fresh_aggs_.erase(v);
    own_local(d);
    if (owns_drop(d)) own_drop_local(d);
    else if (parts && var_lval(d).kind != LVal::None) defers.push_back({nullptr, d}); // drop_value at scope end
}

void Lowerer::for_in_channel(ForInStmt* s, Block* head, Block* body, Block* step, Block* exit) {
    const Type* et = s->iterable->type->elem;
    Inst* ch = expr(s->iterable);
    Inst* buf = slot_for(et);
    jmp(head);
    enter(head);
    use_extern("lang_chan_recv");
    Inst* ok = call_v("lang_chan_recv", Ty::I8, {ch, buf});
    br(ok, body, exit);
    seal(body);
    enter(body);
    loops.push_back({exit, step, defers.size(), temps_.size(), owned_bindings_.size()});
    size_t mark = defers.size();
    if (s->var) bind_received(s->var, et, buf);
    stmt(s->body);
    if (cur) run_defers(mark);
    defers.resize(mark);
    loops.pop_back();
    enter_step(step);
    jmp(head);
}

void Lowerer::select_stmt(SelectStmt* s) {
    set_line(s->span);
    // Cases that take part in lang_select, in source order; their index is the result.
    std::vector<uint32_t> idx_of(s->cases.size, UINT32_MAX);
    uint32_t n = 0;
    bool has_default = false;
    Expr* timeout = nullptr;
    uint32_t timeout_case = UINT32_MAX, default_case = UINT32_MAX;
    for (uint32_t i = 0; i < s->cases.size; i++) {
        SelectCase& sc = s->cases[i];
        if (sc.kind == SelectCase::Default) { has_default = true; default_case = i; }
        else if (sc.kind == SelectCase::Timeout) {
            timeout = as<CallExpr>(sc.op)->args[0].value;
            timeout_case = i;
        } else idx_of[i] = n++;
    }
    Inst* cases = slot(n ? n * 24 : 8, 8);
    std::vector<Inst*> bufs(s->cases.size, nullptr);
    for (uint32_t i = 0; i < s->cases.size; i++) {
        SelectCase& sc = s->cases[i];
        if (idx_of[i] == UINT32_MAX) continue;
        auto* call = as<CallExpr>(sc.op);
        Expr* recv = as<MemberExpr>(call->callee)->object;
        Inst* ch = expr(recv);
        int64_t o = (int64_t)idx_of[i] * 24;
        store(Ty::Ptr, cases, o, ch);
        store(Ty::I32, cases, o + 8, iconst(Ty::I32, sc.kind == SelectCase::Send ? 1 : 2));
        store(Ty::I8, cases, o + 12, iconst(Ty::I8, 0));
        Inst* buf;
        if (sc.kind == SelectCase::Send) {
            const Type* et = call->args[0].value->type;
            Inst* v = send_value(call->args[0].value, et); // the channel's if this case is chosen
            buf = value_addr(v, et);
            if (is_agg(et)) buf = materialize(et, buf);
        } else {
            buf = slot_for(call->type);
        }
        bufs[i] = buf;
        store(Ty::Ptr, cases, o + 16, buf);
    }
    Inst* tns = iconst(Ty::I64, -1);
    if (timeout) { // negative: 0 (poll)
        Inst* ns = time_ns(timeout);
        Inst* neg = emit(Op::slt, Ty::I8, ns, iconst(Ty::I64, 0));
        neg->cty = Ty::I64;
        tns = emit(Op::select, Ty::I64, neg, iconst(Ty::I64, 0));
        tns->args.push(m.body(), ns);
    }
    use_extern("lang_select");
    Inst* r = call_v("lang_select", Ty::I64,
                     {cases, iconst(Ty::I64, n), iconst(Ty::I8, has_default ? 1 : 0), tns});
    Block* done = mk_block();
    for (uint32_t i = 0; i < s->cases.size; i++) {
        SelectCase& sc = s->cases[i];
        int64_t want = i == default_case ? -1 : i == timeout_case ? -2 : (int64_t)idx_of[i];
        Block* arm = mk_block();
        Block* next = mk_block();
        if (!cur) break;
        Inst* hit = emit(Op::eq, Ty::I8, r, iconst(Ty::I64, want));
        hit->cty = Ty::I64;
        br(hit, arm, next);
        seal(arm);
        seal(next);
        enter(arm);
        for (uint32_t j = 0; j < s->cases.size; j++) { // the values of the sends not performed
            if (j == i || s->cases[j].kind != SelectCase::Send) continue;
            const Type* et = as<CallExpr>(s->cases[j].op)->args[0].value->type;
            if (has_drops(et)) drop_value(et, load_typed(et, bufs[j], 0));
        }
        size_t mark = defers.size();
        if (sc.kind == SelectCase::Recv && sc.bind) {
            const Type* et = sc.bind->type;
            fix_closed_zero(load(Ty::I8, cases, (int64_t)idx_of[i] * 24 + 12), et, bufs[i]);
            bind_received(sc.bind, et, bufs[i]);
        } else if (sc.kind == SelectCase::Recv) { // nobody takes the value
            const Type* et = as<CallExpr>(sc.op)->type;
            if (has_drops(et) && !is_agg(et)) drop_value(et, load_typed(et, bufs[i], 0));
        }
        if (sc.body_block) {
            stmts(sc.body_block);
        } else if (sc.body_expr && cur) {
            size_t tm = temps_.size();
            expr(sc.body_expr);
            drop_temps(tm);
        }
        if (cur) run_defers(mark);
        defers.resize(mark);
        jmp(done);
        enter(next);
    }
    if (cur) unreachable();
    seal(done);
    enter(done);
}

} // namespace lang::lower
