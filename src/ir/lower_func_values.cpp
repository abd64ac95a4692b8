// lower_func_values.cpp: function values and calls through them (doc/lowering.md,
// "Function values and closures").
//
// A function value is the address of a closure record: a LangClosure header {code,
// refcount, drop, allocator} (runtime closure.c, lang_abi.h) followed by what the code
// needs. A named function's record is a data global "<symbol>$fn" = {&<symbol>, -1, 0, 0},
// made once per function (refcount -1: never counted). A call loads the code address and
// passes the record as a hidden last argument, which a named function ignores (a trailing
// extra argument is harmless under the SysV ABI). A lambda without captures is a function
// "<enclosing>$lambdaN" (made by sema) with such a static record too; it is lowered right
// after the function holding it. A lambda with captures gets a record {header, &capture0,
// ...} made where the lambda is written: on the stack when sema found it does not escape
// (LambdaExpr::on_stack; refcount -1; the addresses are the captured variables'), else on
// the heap (lang_closure_new, refcount 1), followed by copies of the captures that the
// addresses point at, so the lambda's body reads its captures the same way in both cases.
// Function values are counted like strings (lower_own.cpp): a heap record is +1 where it
// is made, and its last release runs its drop function (lower_record_drops.cpp), which
// releases the copies of captured strings and function values and drops the move-type
// locals and `own` parameters that sema moved into the record (LambdaExpr::moves: the
// variable is emptied where the lambda is made, so its own scope exit drops nothing).
#include "ir/lower_impl.h"

namespace lang::lower {

Inst* Lowerer::function_value(FuncDecl* fd) {
    const char*& rec = fn_records_[fd];
    if (!rec) {
        const char* sym = func_symbol(fd);
        std::string name = std::string(sym) + "$fn";
        ir::Global* g = m.arena.make<ir::Global>();
        g->name = m.arena.copy_str(name.data(), name.size());
        g->section = ir::Section::Data;
        g->align = 8;
        ir::DataItem d;
        d.kind = ir::DataItem::SymAddr;
        d.sym = sym;
        d.size = 8;
        g->items.push(m.arena, d);
        static const int64_t header_rest[3] = {-1, 0, 0}; // refcount (not counted), drop, allocator
        ir::DataItem r;
        r.kind = ir::DataItem::Bytes;
        r.bytes = reinterpret_cast<const uint8_t*>(header_rest);
        r.size = sizeof header_rest;
        g->items.push(m.arena, r);
        m.globals.push(m.arena, g);
        rec = g->name;
    }
    Inst* a = emit(Op::addr, Ty::Ptr);
    a->sym = rec;
    return a;
}

Inst* Lowerer::call_value(CallExpr* e) {
    const Type* ft = e->callee->type;
    const Type* rt = ft->elem;
    bool agg = is_agg(rt);
    Inst* fv = expr(e->callee);
    std::vector<Inst*> args;
    args.push_back(ctx);
    Inst* res = nullptr;
    if (agg) {
        res = slot_for(rt);
        args.push_back(res);
    }
    for (uint32_t i = 0; i < e->args.size && i < ft->count; i++) {
        Expr* a = e->args[i].value;
        const Type* pt = ft->elems[i];
        Inst* v = expr(a);
        if (is_counted(pt)) v = pin(v, pt);
        if (is_agg(pt) && (!is_fresh_temp(a) || drops_agg(pt))) v = materialize(pt, v); // (as call_args)
        args.push_back(v);
    }
    args.push_back(fv);
    Inst* code = load(Ty::Ptr, fv, 0);
    Ty rty = agg ? Ty::Void : ty(rt);
    Inst* r = mk(Op::callind, rty);
    r->args.push(m.body(), code);
    for (Inst* a : args) r->args.push(m.body(), a);
    ir::append(m, ensure(), r);
    if (agg) return own_value(res, rt); // a new aggregate: ours, its parts with it (lower_drop.cpp)
    if (rty == Ty::Void) return nullptr;
    if (needs_drop(rt)) return own_value(r, rt); // a new object or array: ours (lower_drop.cpp)
    return own(r, rt); // a Lang function's string (function value) result is +1
}

// The type and address of a lambda's i-th capture in the function making it; index
// captures.size is `this` (for a class, the variable holding the reference: a slot made
// here; for a struct, the struct itself).
bool Lowerer::capture_place(LambdaExpr* l, uint32_t i, const Type** t, Inst** addr) {
    if (i == l->captures.size) {
        *t = l->this_type;
        if (!this_val) return false;
        if (l->this_type->kind == TypeKind::Struct) {
            *addr = this_val;
        } else {
            *addr = slot(8, 8);
            store(Ty::Ptr, *addr, 0, this_val);
        }
        return true;
    }
    LVal lv = var_lval(l->captures[i]);
    *t = l->captures[i]->type;
    if (lv.kind != LVal::Mem || !lv.base) return false;
    *addr = lv.off ? emit(Op::add, Ty::Ptr, lv.base, iconst(Ty::Ptr, lv.off)) : lv.base;
    return true;
}

Inst* Lowerer::lambda_value(LambdaExpr* l) {
    if (!l->fn) {
        unsupported(l->span, "this lambda");
        return undef(Ty::Ptr);
    }
    pending_lambdas_.push_back(l->fn);
    lambda_of_[l->fn] = l;
    uint32_t n = l->captures.size + (l->this_type ? 1 : 0);
    if (!n) return function_value(l->fn);
    // The record: {header, &capture0, &capture1, ...}; a heap record (an escaping lambda)
    // is followed by its own copies of the captures, which those addresses point at.
    std::vector<const Type*> types(n);
    std::vector<Inst*> addrs(n);
    for (uint32_t i = 0; i < n; i++)
        if (!capture_place(l, i, &types[i], &addrs[i])) {
            unsupported(l->span, "a capture kept in a register");
            return undef(Ty::Ptr);
        }
    Inst* code = emit(Op::addr, Ty::Ptr);
    code->sym = func_symbol(l->fn);
    Inst* rec;
    if (l->on_stack) {
        stack_records_ = true; // a callee may get the record: a tail call would free it
        rec = slot(LANG_ABI_CLOSURE_HEADER_SIZE + 8 * n, 8);
        store(Ty::Ptr, rec, LANG_ABI_CLOSURE_CODE, code);
        store(Ty::I64, rec, LANG_ABI_CLOSURE_REFCOUNT, iconst(Ty::I64, -1));
        for (uint32_t i = 0; i < n; i++) store(Ty::Ptr, rec, capture_slot(i), addrs[i]);
        return rec;
    }
    std::vector<int64_t> offs(n);
    int64_t size = LANG_ABI_CLOSURE_HEADER_SIZE + 8 * (int64_t)n;
    for (uint32_t i = 0; i < n; i++) {
        int64_t a = types[i]->align ? types[i]->align : 1;
        size = (size + a - 1) / a * a;
        offs[i] = size;
        size += types[i]->size ? types[i]->size : 1;
    }
    // A move-type capture that sema moved into the record (LambdaExpr::moves): the record
    // owns it and the variable is emptied (its scope exit then drops nothing).
    std::vector<bool> moved(n, false);
    for (uint32_t i = 0; i < l->captures.size && i < l->moves.size; i++)
        moved[i] = l->moves[i] && (is_agg(types[i]) ? owns_parts(types[i]) : needs_drop(types[i]));
    std::vector<RecordPart> parts;
    for (uint32_t i = 0; i < n; i++) parts.push_back({types[i], offs[i], moved[i]});
    rec = new_record(size, code, record_drop(parts));
    for (uint32_t i = 0; i < n; i++) {
        const Type* t = types[i];
        Inst* dst = ptr_add(rec, offs[i]);
        if (is_agg(t)) {
            memcpy_(dst, addrs[i], t->size);
            if (!moved[i]) {
                retain_parts(t, dst, 0);
            } else { // the parts move: the variable is zeroed (a zeroed aggregate drops nothing)
                Inst* z = emit(Op::memzero, Ty::Void, addrs[i]);
                z->imm = t->size;
            }
        } else {
            Inst* v = load_typed(t, addrs[i], 0);
            retain(v, t); // (a no-op unless t is counted)
            store(ty(t), dst, 0, v);
            if (moved[i]) store(Ty::Ptr, addrs[i], 0, iconst(Ty::Ptr, 0));
        }
        store(Ty::Ptr, rec, capture_slot(i), dst);
    }
    return own(rec, l->type); // +1: the expression's, until something takes it
}

// At the start of a function: a lambda's record parameter (the hidden last one) and the
// addresses of its captures read from it (and `this`, from its place); any function's
// captured parameters moved to memory, so a lambda can reach them by address.
void Lowerer::lambda_prologue(FuncDecl* fd) {
    capture_addrs_.clear();
    stack_records_ = false;
    auto it = lambda_of_.find(fd);
    if (it != lambda_of_.end() && (it->second->captures.size || it->second->this_type)) {
        LambdaExpr* l = it->second;
        Inst* rec = add_param(Ty::Ptr);
        for (uint32_t i = 0; i < l->captures.size; i++) capture_addrs_[l->captures[i]] = load(Ty::Ptr, rec, capture_slot(i));
        if (l->this_type) {
            Inst* a = load(Ty::Ptr, rec, capture_slot(l->captures.size));
            this_val = l->this_type->kind == TypeKind::Struct ? a : load(Ty::Ptr, a, 0);
        }
    }
    for (ParamDecl* p : fd->params) {
        if (!p->captured) continue;
        VarInfo& vi = vars[param_base + p->index];
        if (vi.kind != VarKind::Fixed) continue;
        Inst* s = slot_for(p->type);
        store(vi.ty, s, 0, vi.addr);
        vi.kind = VarKind::Mem;
        vi.addr = s;
    }
}

// Lowers the lambdas met while lowering a function (and theirs, in turn). Each is lowered
// once even when its expression was lowered more than once.
void Lowerer::lower_pending_lambdas() {
    const char* path = file_path;
    while (!pending_lambdas_.empty()) {
        FuncDecl* fd = pending_lambdas_.back();
        pending_lambdas_.pop_back();
        if (!lowered_lambdas_.insert(fd).second) continue;
        file_path = path;
        lower_func(fd);
    }
}

} // namespace lang::lower
