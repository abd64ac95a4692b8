// lower_func_values.cpp: function values and calls through them (doc/lowering.md,
// "Function values and closures").
//
// A function value is the address of a closure record whose first word is the code
// address. A named function's record is a data global "<symbol>$fn" = {&<symbol>}, made
// once per function. A call loads the code address and passes the record as a hidden last
// argument, which a named function ignores (a trailing extra argument is harmless under
// the SysV ABI). A lambda without captures is a function "<enclosing>$lambdaN" (made by
// sema) with such a static record too; it is lowered right after the function holding it.
// Lambdas with captures (records with captured variables) are not lowered yet.
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
        if (is_str(pt)) v = pin(v);
        if (is_agg(pt) && !is_fresh_temp(a)) v = materialize(pt, v);
        args.push_back(v);
    }
    args.push_back(fv);
    Inst* code = load(Ty::Ptr, fv, 0);
    Ty rty = agg ? Ty::Void : ty(rt);
    Inst* r = mk(Op::callind, rty);
    r->args.push(m.body(), code);
    for (Inst* a : args) r->args.push(m.body(), a);
    ir::append(m, ensure(), r);
    if (agg) return res;
    if (rty == Ty::Void) return nullptr;
    return is_str(rt) ? own(r) : r; // a Lang function's string result is +1
}

Inst* Lowerer::lambda_value(LambdaExpr* l) {
    if (!l->fn) {
        unsupported(l->span, "this lambda");
        return undef(Ty::Ptr);
    }
    pending_lambdas_.push_back(l->fn);
    lambda_of_[l->fn] = l;
    if (!l->captures.size) return function_value(l->fn);
    // A record on the stack: {code, &capture0, &capture1, ...}.
    Inst* rec = slot(8 * (1 + l->captures.size), 8);
    Inst* code = emit(Op::addr, Ty::Ptr);
    code->sym = func_symbol(l->fn);
    store(Ty::Ptr, rec, 0, code);
    for (uint32_t i = 0; i < l->captures.size; i++) {
        LVal lv = var_lval(l->captures[i]);
        Inst* a = lv.base;
        if (lv.kind != LVal::Mem || !a) {
            unsupported(l->span, "a capture kept in a register");
            return undef(Ty::Ptr);
        }
        if (lv.off) a = emit(Op::add, Ty::Ptr, a, iconst(Ty::Ptr, lv.off));
        store(Ty::Ptr, rec, 8 * (1 + i), a);
    }
    return rec;
}

// At the start of a function: a lambda's record parameter (the hidden last one) and the
// addresses of its captures read from it; any function's captured parameters moved to
// memory, so a lambda can reach them by address.
void Lowerer::lambda_prologue(FuncDecl* fd) {
    capture_addrs_.clear();
    auto it = lambda_of_.find(fd);
    if (it != lambda_of_.end() && it->second->captures.size) {
        LambdaExpr* l = it->second;
        f->params.push(m.arena, Ty::Ptr);
        Inst* rec = emit_pro(Op::param, Ty::Ptr);
        rec->imm = f->params.size - 1;
        for (uint32_t i = 0; i < l->captures.size; i++) capture_addrs_[l->captures[i]] = load(Ty::Ptr, rec, 8 * (1 + i));
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
