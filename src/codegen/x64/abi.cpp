// abi.cpp: the SysV x86-64 calling convention for scalar arguments and results.
//
// Integer and pointer arguments take rdi rsi rdx rcx r8 r9, float arguments xmm0-7;
// the two sequences are counted separately. The rest go on the stack in argument order,
// 8 bytes each, the first at [rsp] at the call (so [rbp+16] in the callee). Results come
// back in rax or xmm0. Every xmm register and rax rcx rdx rsi rdi r8-r11 are clobbered
// by a call; rbx rbp r12-r15 are preserved. A variadic callee also gets the number of
// vector registers used in AL (vector_args).
#include "codegen/x64/x64.h"
#include "codegen/c_abi.h"

namespace lang::x64 {

namespace abidetail {
constexpr uint32_t kIntArgs[] = {RDI, RSI, RDX, RCX, R8, R9};
constexpr uint32_t kFloatArgs[] = {XMM0, XMM1, XMM2, XMM3, XMM4, XMM5, XMM6, XMM7};
} // namespace abidetail

uint32_t classify_args(const ir::Ty* tys, uint32_t n, ArgLoc* out, uint64_t on_stack) {
    uint32_t ni = 0, nf = 0, stack = 0;
    for (uint32_t k = 0; k < n; k++) {
        out[k] = ArgLoc();
        if (k < 64 && (on_stack >> k) & 1) { // an eightbyte of a C struct passed in memory
            out[k].stack = stack;
            stack += 8;
            continue;
        }
        if (ir::is_float(tys[k])) {
            if (nf < 8) { out[k].reg = abidetail::kFloatArgs[nf++]; continue; }
        } else if (ni < 6) {
            out[k].reg = abidetail::kIntArgs[ni++];
            continue;
        }
        out[k].stack = stack;
        stack += 8;
    }
    return stack;
}

// A call of a variadic function passes in AL the number of vector registers that hold
// arguments (0..8); the callee's prologue saves that many for va_arg.
uint32_t vector_args(const ArgLoc* loc, uint32_t n) {
    uint32_t v = 0;
    for (uint32_t k = 0; k < n; k++)
        if (loc[k].reg >= XMM0 && loc[k].reg <= XMM15 && loc[k].reg != codegen::kNoReg) v++;
    return v;
}

uint32_t result_reg(ir::Ty t) { return ir::is_float(t) ? XMM0 : RAX; }

uint64_t caller_saved_mask() {
    uint64_t m = bit(RAX) | bit(RCX) | bit(RDX) | bit(RSI) | bit(RDI) | bit(R8) | bit(R9) | bit(R10) |
                 bit(R11);
    for (uint32_t r = XMM0; r <= XMM15; r++) m |= bit(r);
    return m;
}

} // namespace lang::x64

namespace lang::codegen {

// System V classification of a struct passed or returned by value: over 16 bytes it is
// MEMORY; otherwise each eightbyte is SSE when every field in it is a float or double,
// else INTEGER (an eightbyte of padding alone does not occur in a C struct of <= 16 bytes
// with fields at their natural alignment).
CStructAbi c_struct_abi(const CField* fields, uint32_t nfields, uint32_t size) {
    CStructAbi a;
    if (size > 16 || size == 0) {
        a.memory = true;
        return a;
    }
    a.n = (size + 7) / 8;
    for (uint32_t k = 0; k < a.n; k++) {
        bool all_float = true;
        for (uint32_t i = 0; i < nfields; i++)
            if (fields[i].offset / 8 == k && !fields[i].is_float) all_float = false;
        a.ty[k] = all_float ? ir::Ty::F64 : ir::Ty::I64;
    }
    return a;
}

bool c_struct_fits(const CStructAbi& a, uint32_t ints, uint32_t floats) {
    for (uint32_t k = 0; k < a.n; k++) (a.ty[k] == ir::Ty::F64 ? floats : ints)++;
    return ints <= 6 && floats <= 8;
}

} // namespace lang::codegen
