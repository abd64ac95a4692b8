// lower_ffi.cpp: Lang functions passed to C as function pointers (sema/ffi.cpp, spec 10.9).
//
// C calls a function pointer without a context. For each Lang function passed to a C
// parameter of function type (a free or static function, or a lambda that captures
// nothing) the module gets one thunk "<symbol>$c" with the C signature:
//
//   i32 Program.Compare$c(ptr a, ptr b) {      // no context parameter
//       ctx = call lang_ffi_ctx()               // runtime ffi.c
//       r = call Program.Compare(ctx, a, b)
//       ret r
//   }
//
// and C receives the thunk's address.
//
// Every C call first calls lang_ffi_flush (Lang's buffered stdout is written out when it
// holds text); the arguments of a variadic function's `...` follow the fixed ones, and the
// call is marked (Inst::imm = 1, `varargs` in IR text) for the target's variadic rule
// (x86-64: AL = the number of vector registers used).
//
// [C] structs by value follow the target's convention (codegen/c_abi.h): an argument of at
// most 16 bytes goes as one or two scalar eightbytes (INTEGER as i64, SSE as f64), a
// larger one (or one whose registers are used up) as its eightbytes on the stack
// (Inst::imm bit 8 + k for argument k, `stack.K...` in IR text); a
// result in registers is stored by the call itself (Inst::imm bit 1, `regret.T0[.T1]` in
// IR text) into the result slot, passed as the call's last argument; a result in memory
// gets the slot as a hidden first argument, as for any call. A call of a C function that takes a callback runs
// between lang_ffi_enter(ctx) and lang_ffi_leave(previous), so a callback made during the
// call finds the caller's context (see src/rt/ffi.c for the other cases).
#include "ir/lower_impl.h"
#include "codegen/c_abi.h"

namespace lang::lower {

// The Lang function behind a callback argument (sema checked that it is one).
static FuncDecl* callback_target(Expr* a) {
    while (a && a->kind == ExprKind::Cast && !as<CastExpr>(a)->to) a = as<CastExpr>(a)->operand;
    if (!a) return nullptr;
    Decl* d = nullptr;
    if (a->kind == ExprKind::Name) d = as<NameExpr>(a)->decl;
    else if (a->kind == ExprKind::Member) d = as<MemberExpr>(a)->decl;
    else if (a->kind == ExprKind::Lambda) return as<LambdaExpr>(a)->fn;
    return d && d->kind == DeclKind::Func ? as<FuncDecl>(d) : nullptr;
}

const char* Lowerer::c_thunk_symbol(FuncDecl* impl) {
    std::string name = std::string(func_symbol(impl)) + "$c";
    return m.arena.copy_str(name.data(), name.size());
}

// The target's C convention for a [C] struct by value (codegen/c_abi.h).
static void struct_leaves(const Type* t, uint32_t base, std::vector<codegen::CField>& out) {
    for (Decl* d : t->decl->members) {
        if (d->kind != DeclKind::Field || (d->mods & M_STATIC)) continue;
        auto* f = as<FieldDecl>(d);
        if (f->type->kind == TypeKind::Struct) struct_leaves(f->type, base + (uint32_t)f->offset, out);
        else out.push_back({base + (uint32_t)f->offset, (uint32_t)f->type->size, f->type->is_float()});
    }
}

static codegen::CStructAbi struct_abi(const Type* t) {
    std::vector<codegen::CField> leaves;
    struct_leaves(t, 0, leaves);
    return codegen::c_struct_abi(leaves.data(), (uint32_t)leaves.size(), (uint32_t)t->size);
}

// The arguments of a C call are in out[first..]: a function value there becomes the
// address of its thunk. Returns the previous entered context when the call takes a
// callback (the caller emits lang_ffi_leave after the call), else null.
Inst* Lowerer::c_call_args(FuncDecl* fd, ArenaVec<Arg>& args, std::vector<Inst*>& out, size_t first) {
    // The arguments of `...` (sema converted them to their promoted types).
    for (uint32_t i = fd->params.size; fd->is_variadic && i < args.size; i++) out.push_back(expr(args[i].value));
    // Lang's stdout buffer goes out first, so that what C writes comes after it (an
    // export "C" function is Lang code: it shares the buffer).
    if (!fd->is_export) {
        use_extern("lang_ffi_flush");
        call("lang_ffi_flush", Ty::Void, {});
    }
    bool any = false;
    for (uint32_t i = 0; i < fd->params.size && i < args.size && first + i < out.size(); i++) {
        if (fd->params[i]->type->kind != TypeKind::Func) continue;
        FuncDecl* impl = callback_target(args[i].value);
        if (!impl) {
            unsupported(args[i].value->span, "this callback");
            continue;
        }
        if (c_thunk_set_.insert(impl).second) c_thunks_.push_back(impl);
        Inst* a = emit(Op::addr, Ty::Ptr);
        a->sym = c_thunk_symbol(impl);
        out[first + i] = a;
        any = true;
    }
    // A [C] struct argument by value: its eightbytes, loaded from a zero-padded copy, in
    // the registers the target's convention names (sema allows only those in registers).
    c_call_flags_ = fd->is_variadic ? 1 : 0;
    bool by_value = false;
    for (ParamDecl* p : fd->params) by_value = by_value || p->type->kind == TypeKind::Struct;
    const Type* rt = fn_result(fd);
    if (by_value || is_agg(rt)) {
        std::vector<Inst*> re(out.begin(), out.begin() + first);
        for (size_t k = first; k < out.size(); k++) {
            uint32_t pi = (uint32_t)(k - first);
            const Type* pt = pi < fd->params.size ? fd->params[pi]->type : nullptr;
            if (!pt || pt->kind != TypeKind::Struct) {
                re.push_back(out[k]);
                continue;
            }
            codegen::CStructAbi abi = struct_abi(pt);
            uint32_t ints = is_agg(rt) && !struct_abi(rt).memory ? 0 : (is_agg(rt) ? 1 : 0), floats = 0;
            for (size_t j = first; j < re.size(); j++)
                if (!(j < 56 && ((uint64_t)c_call_flags_ >> (8 + j)) & 1)) (ir::is_float(re[j]->ty) ? floats : ints)++;
            // In memory (over 16 bytes, or no registers left for all of it): its eightbytes
            // go on the stack, in order (Inst::imm bits 8 + k).
            bool in_memory = abi.memory || !codegen::c_struct_fits(abi, ints, floats);
            uint32_t words = (uint32_t)((pt->size + 7) / 8);
            if (in_memory && re.size() + words > 56) {
                unsupported(args[pi].value->span, "a [C] struct argument in memory after 56 arguments");
                continue;
            }
            Inst* copy = slot(words * 8, 8);
            Inst* z = emit(Op::memzero, Ty::Void, copy);
            z->imm = words * 8;
            memcpy_(copy, out[k], pt->size);
            if (in_memory) {
                for (uint32_t j = 0; j < words; j++) {
                    c_call_flags_ |= (int64_t)(1ull << (8 + re.size()));
                    re.push_back(load(Ty::I64, copy, 8 * (int64_t)j));
                }
                continue;
            }
            for (uint32_t j = 0; j < abi.n; j++) re.push_back(load(abi.ty[j], copy, 8 * (int64_t)j));
        }
        // A struct result: MEMORY keeps the hidden pointer in front (the callee fills it);
        // one in registers is stored after the call at that address, now the last argument.
        if (is_agg(rt) && first > 0) {
            codegen::CStructAbi abi = struct_abi(rt);
            if (!abi.memory) {
                Inst* res = re[first - 1];
                re.erase(re.begin() + (first - 1));
                re.push_back(res);
                uint64_t stack_bits = (uint64_t)c_call_flags_ >> 8; // (the erase moved every argument down one)
                c_call_flags_ = (c_call_flags_ & 0xff) | (int64_t)((stack_bits >> 1) << 8);
                c_call_flags_ |= 2 | (abi.n == 2 ? 4 : 0) | (abi.ty[0] == Ty::F64 ? 8 : 0) |
                                 (abi.n == 2 && abi.ty[1] == Ty::F64 ? 16 : 0);
            }
        }
        out = std::move(re);
    }
    if (!any && !fd->is_export) return nullptr; // (a Lang call of an export "C" function: it runs with our context)
    use_extern("lang_ffi_enter");
    use_extern("lang_ffi_leave");
    return call("lang_ffi_enter", Ty::Ptr, {ctx});
}

void Lowerer::emit_c_thunks() {
    for (size_t k = 0; k < c_thunks_.size(); k++) {
        FuncDecl* impl = c_thunks_[k];
        ir::Func* fn = begin_thunk(impl, c_thunk_symbol(impl));
        fn->has_ctx = false; // entered from C
        std::vector<Inst*> params;
        for (ParamDecl* p : impl->params) params.push_back(add_param(ty(p->type)));
        fn->ret = ty(fn_result(impl));
        use_extern("lang_ffi_ctx");
        ctx = call("lang_ffi_ctx", Ty::Ptr, {});
        std::vector<Inst*> args{ctx};
        args.insert(args.end(), params.begin(), params.end());
        Inst* r = call_v(func_symbol(impl), fn->ret, args);
        ret(fn->ret == Ty::Void ? nullptr : r);
        finish_func();
    }
}

} // namespace lang::lower
