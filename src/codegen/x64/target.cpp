// target.cpp: the x86-64 SysV Target value and the naming tables used by the printer.
//
// Register preference: caller-saved registers first (free for values that do not cross a
// call), then callee-saved ones (the allocator only gets there for values live across a
// call, or under pressure; each one used costs a push/pop). r10/r11 and xmm14/xmm15 are
// never allocated: they are the scratch registers for spill code and phi-copy cycles.
// rsp and rbp are the stack and frame pointers.
#include "codegen/x64/x64.h"

namespace lang::x64 {

namespace targetdetail {

using codegen::RegClass;

MInst move(const Operand& dst, const Operand& src, RegClass cls) {
    MInst in;
    in.n = 2;
    in.rw = codegen::kW0 | codegen::kR1;
    in.o[0] = dst;
    in.o[1] = src;
    if (cls == RegClass::Float) {
        in.op = dst.kind == Operand::Reg && src.kind == Operand::Reg ? Mn::movaps : Mn::movsd;
        in.o[0].size = in.o[1].size = 8;
        return in;
    }
    in.op = Mn::mov;
    in.o[0].size = 8;
    if (src.kind == Operand::Imm) {
        // mov r32, imm32 zero-extends: shorter than the sign-extending 64-bit form.
        if (dst.kind == Operand::Reg && src.imm >= 0 && src.imm <= (int64_t)UINT32_MAX) in.o[0].size = 4;
    } else {
        in.o[1].size = 8;
    }
    return in;
}

bool is_copy(const MInst& in) {
    if (in.n != 2 || in.o[0].kind != Operand::Reg || in.o[1].kind != Operand::Reg) return false;
    if (in.op == Mn::movaps) return true;
    return in.op == Mn::mov && in.o[0].size == 8 && in.o[1].size == 8;
}

bool isel_hook(const codegen::Target& t, const ir::Module& m, const ir::Func& f, MFunc& mf, Diag& d) {
    return isel(t, m, f, mf, d);
}

const char* const kMnNames[] = {
#define MN(id, name) name,
#include "codegen/x64/encodings.inc"
#undef MN
    "<entry>", "<ret>", "<tail>",
};
static_assert(sizeof(kMnNames) / sizeof(kMnNames[0]) == kNumMn, "one name per mnemonic");

const char* const kCondNames[] = {"o", "no", "b", "ae", "e", "ne", "be", "a",
                                  "s", "ns", "p", "np", "l", "ge", "le", "g"};
const char* const kReg64[] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                              "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
const char* const kReg32[] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
                              "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
const char* const kReg16[] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
                              "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"};
const char* const kReg8[] = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
                             "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"};
const char* const kXmm[] = {"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                            "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"};

} // namespace targetdetail

const char* mn_name(uint16_t op) { return op < kNumMn ? targetdetail::kMnNames[op] : "?"; }
const char* cond_name(uint8_t cc) { return targetdetail::kCondNames[cc & 15]; }

const char* reg_name(uint32_t r, int size) {
    using namespace targetdetail;
    if (is_xmm(r)) return kXmm[r - XMM0];
    if (r >= 16) return "?";
    switch (size) {
    case 1: return kReg8[r];
    case 2: return kReg16[r];
    case 4: return kReg32[r];
    default: return kReg64[r];
    }
}

const codegen::Target kSysV = {
    "x86_64-sysv",
    obj::Arch::X64,
    {RSI, RDI, R8, R9, RDX, RCX, RAX, RBX, R12, R13, R14, R15},
    {XMM0, XMM1, XMM2, XMM3, XMM4, XMM5, XMM6, XMM7, XMM8, XMM9, XMM10, XMM11, XMM12, XMM13},
    bit(RBX) | bit(R12) | bit(R13) | bit(R14) | bit(R15),
    {{R11, R10}, {XMM15, XMM14}},
    RBP,
    targetdetail::isel_hook,
    targetdetail::move,
    targetdetail::is_copy,
};

} // namespace lang::x64
