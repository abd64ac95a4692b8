// lower_method_values.cpp: instance methods as values, `obj.M` (spec 7.10).
//
// A method value is a closure record like a lambda's (lower_func_values.cpp), always on the
// heap: {header (code = thunk), code, receiver}, where `code` is the method's code address
// resolved when the value is made (through the vtable for a virtual method, the interface
// table for an interface method) and the receiver is the class/interface reference or a
// copy of the struct (its strings and function values retained). The thunk
// "<method>$bound" is called like any function value, (ctx, [result], args..., record),
// and calls `code(ctx, [result], receiver, args...)`: for a struct the receiver is the
// address of the copy inside the record. The thunk is one straight block, made the first
// time a method is used as a value.
//
// The record is counted like every heap record (+1 where it is made). Its drop releases
// what the struct copy retained. A class or interface receiver is borrowed, not owned:
// the record holds the reference and dropping the record leaves the object alone (spec
// 7.10; like a lambda's `this`, the value must not outlive its object).
#include "ir/lower_impl.h"

namespace lang::lower {

// After the record's header: the method's code address, then the receiver.
static constexpr int64_t kCodeOff = LANG_ABI_CLOSURE_HEADER_SIZE;
static constexpr int64_t kReceiverOff = LANG_ABI_CLOSURE_HEADER_SIZE + 8;

Inst* Lowerer::method_value(MemberExpr* e) {
    Expr* obj = e->object;
    return bind_method(as<FuncDecl>(e->decl), expr(obj), obj->type, obj->kind == ExprKind::Base); // a struct: its address
}

// `recv`: the receiver (a struct's address); `ot`: its static type; `via_base`: `base.M`,
// which names the base class's own method (no virtual dispatch).
Inst* Lowerer::bind_method(FuncDecl* fd, Inst* recv, const Type* ot, bool via_base) {
    bool by_copy = ot->kind == TypeKind::Struct;
    Inst* code;
    TypeDecl* owner = fd->parent && fd->parent->kind == DeclKind::Type ? as<TypeDecl>(fd->parent) : nullptr;
    if (owner && owner->tkind == TypeDeclKind::Interface && !by_copy) {
        code = interface_fn(recv, fd);
    } else if (is_virtual(fd) && !via_base && owner && owner->tkind == TypeDeclKind::Class) {
        vtable(owner);
        auto it = vslot_.find(fd);
        uint32_t vs = it != vslot_.end() ? it->second : 0;
        Inst* ti = load(Ty::Ptr, recv, 0);
        code = load(Ty::Ptr, ti, LANG_ABI_TYPEINFO_SIZE + 8 * (int64_t)vs); // the vtable follows the LangTypeInfo
    } else {
        code = emit(Op::addr, Ty::Ptr);
        code->sym = func_symbol(fd);
    }
    int64_t rsize = by_copy ? (ot->size ? ot->size : 1) : 8;
    Inst* thunk = emit(Op::addr, Ty::Ptr);
    thunk->sym = bound_thunk(fd, by_copy);
    const char* drop = by_copy ? record_drop({{ot, kReceiverOff, false}}) : nullptr;
    Inst* rec = new_record(kReceiverOff + rsize, thunk, drop);
    store(Ty::Ptr, rec, kCodeOff, code);
    if (by_copy) {
        Inst* dst = ptr_add(rec, kReceiverOff);
        memcpy_(dst, recv, ot->size);
        retain_parts(ot, dst, 0);
    } else {
        store(Ty::Ptr, rec, kReceiverOff, recv);
    }
    return rec;
}

const char* Lowerer::bound_thunk(FuncDecl* fd, bool by_copy) {
    const char*& sym = bound_thunks_[{fd, by_copy}];
    if (sym) return sym;
    std::string name = std::string(func_symbol(fd)) + (by_copy ? "$bound_copy" : "$bound");
    sym = m.arena.copy_str(name.c_str(), name.size());
    ir::Func* tf = ir::new_func(m, sym);
    tf->is_public = false;
    tf->source_file = f ? f->source_file : file_path;
    tf->has_ctx = true;
    Block* b = ir::new_block(m, *tf);
    auto add = [&](Op op, Ty t) {
        Inst* i = ir::new_inst(m, *tf, op, t);
        ir::append(m, b, i);
        return i;
    };
    auto param = [&](Ty t) {
        tf->params.push(m.arena, t);
        Inst* p = add(Op::param, t);
        p->imm = tf->params.size - 1;
        return p;
    };
    const Type* rt = fn_result(fd);
    bool agg = is_agg(rt);
    std::vector<Inst*> args;
    args.push_back(param(Ty::Ptr)); // ctx
    if (agg) args.push_back(param(Ty::Ptr));
    size_t recv_at = args.size();
    args.push_back(nullptr);
    for (ParamDecl* p : fd->params) args.push_back(param(is_agg(p->type) ? Ty::Ptr : ty(p->type)));
    Inst* rec = param(Ty::Ptr);
    auto ld = [&](int64_t off) {
        Inst* i = add(Op::load, Ty::Ptr);
        i->args.push(m.body(), rec);
        i->imm = off;
        return i;
    };
    Inst* code = ld(kCodeOff);
    if (by_copy) {
        Inst* o = add(Op::iconst, Ty::I64);
        o->imm = kReceiverOff;
        Inst* a = add(Op::add, Ty::Ptr);
        a->args.push(m.body(), rec);
        a->args.push(m.body(), o);
        args[recv_at] = a;
    } else {
        args[recv_at] = ld(kReceiverOff);
    }
    tf->ret = agg ? Ty::Void : ty(rt);
    Inst* c = add(Op::callind, tf->ret);
    c->args.push(m.body(), code);
    for (Inst* a : args) c->args.push(m.body(), a);
    Inst* r = add(Op::ret, Ty::Void);
    if (tf->ret != Ty::Void) r->args.push(m.body(), c);
    return sym;
}

} // namespace lang::lower
