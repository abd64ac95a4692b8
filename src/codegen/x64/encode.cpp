// encode.cpp: the table-driven x86-64 instruction encoder.
//
// Every instruction form is a row of encodings.inc. encode() tries each row of the
// mnemonic whose operand classes match the operands and keeps the shortest result, so
// imm8 forms, accumulator forms and REX-less forms win automatically. This file knows
// the generic layout of an instruction (legacy prefix, REX, opcode, ModRM, SIB,
// displacement, immediate) and nothing about particular opcodes: no opcode literal
// appears outside the table.
#include "codegen/x64/x64.h"

#include <cassert>
#include <cstring>
#include <iterator>

namespace lang::x64 {

namespace encdetail {

enum Pfx : uint8_t { Pfx_NP, Pfx_P66, Pfx_PF2, Pfx_PF3 };
constexpr int8_t DG_R = -1, DG_0 = 0, DG_1 = 1, DG_2 = 2, DG_3 = 3, DG_4 = 4, DG_5 = 5, DG_6 = 6,
                 DG_7 = 7;
constexpr uint8_t W = kRowW, CC = kRowCC;

struct Row {
    uint16_t op;
    En enc;
    uint8_t c[3];
    Pfx pfx;
    uint32_t opcode;
    int8_t digit;
    uint8_t flags;
};

const Row kRows[] = {
#define E(mn, en, a, b, c, pf, opc, dg, fl) \
    {Mn::mn, En::en, {cls::a, cls::b, cls::c}, Pfx_##pf, (uint32_t)(opc), DG_##dg, (uint8_t)(fl)},
#include "codegen/x64/encodings.inc"
#undef E
};
constexpr int kNumRows = sizeof(kRows) / sizeof(kRows[0]);

// The legacy prefix bytes, indexed by Pfx (data, like the table).
constexpr uint8_t kPrefixByte[] = {0x00, 0x66, 0xF2, 0xF3};
// REX: 0100WRXB.
constexpr uint8_t kRex = 0x40, kRexW = 8, kRexR = 4, kRexX = 2, kRexB = 1;

// Per-mnemonic first row (rows of one mnemonic are contiguous in the table).
struct RowIndex {
    int16_t first[kNumMn];
    int16_t count[kNumMn];
    RowIndex() {
        for (int i = 0; i < kNumMn; i++) first[i] = -1, count[i] = 0;
        for (int i = 0; i < kNumRows; i++) {
            if (first[kRows[i].op] < 0) first[kRows[i].op] = (int16_t)i;
            count[kRows[i].op]++;
        }
    }
};
const RowIndex kIndex;

// All operand classes (cls::*) that o belongs to, as a bit set (bit c for class c).
// Computed once per operand, so encode() tests each row with three bit tests.
uint32_t class_mask(const Operand& o) {
    auto bit = [](uint8_t c) { return 1u << c; };
    int64_t v = o.imm;
    switch (o.kind) {
    case Operand::None: return bit(cls::NONE);
    case Operand::Reg: {
        if (is_xmm(o.reg)) return bit(cls::XMM) | bit(cls::XMM_M32) | bit(cls::XMM_M64);
        // General registers: the classes by view size, looked up rather than switched on.
        static constexpr uint32_t kGpr[9] = {
            0, 1u << cls::R8 | 1u << cls::RM8, 1u << cls::R16 | 1u << cls::RM16, 0,
            1u << cls::R32 | 1u << cls::RM32, 0, 0, 0, 1u << cls::R64 | 1u << cls::RM64};
        static constexpr uint32_t kAcc[9] = {0, 1u << cls::AL, 1u << cls::AX, 0, 1u << cls::EAX, 0, 0, 0,
                                             1u << cls::RAX};
        if (o.reg >= 16 || o.size > 8) return 0;
        uint32_t m = kGpr[o.size];
        if (o.reg == RAX) m |= kAcc[o.size];
        else if (o.reg == RCX && o.size == 1) m |= bit(cls::CL);
        return m;
    }
    case Operand::Mem:
        switch (o.size) {
        case 1: return bit(cls::M) | bit(cls::RM8);
        case 2: return bit(cls::M) | bit(cls::RM16);
        case 4: return bit(cls::M) | bit(cls::RM32) | bit(cls::XMM_M32);
        case 8: return bit(cls::M) | bit(cls::RM64) | bit(cls::XMM_M64);
        default: return bit(cls::M);
        }
    case Operand::Imm: {
        uint32_t m = bit(cls::IMM64);
        if (v >= -128 && v <= 255) m |= bit(cls::IMM8);
        if (v >= -128 && v <= 127) m |= bit(cls::IMM8S);
        if (v >= -32768 && v <= 65535) m |= bit(cls::IMM16);
        if (v >= INT32_MIN && v <= (int64_t)UINT32_MAX) m |= bit(cls::IMM32);
        if (v >= INT32_MIN && v <= INT32_MAX) m |= bit(cls::IMM32S);
        if (v == 1) m |= bit(cls::ONE);
        return m;
    }
    case Operand::Label:
        return o.size == 1 ? bit(cls::REL8) : o.size == 4 ? bit(cls::REL32) : 0;
    case Operand::Sym: return bit(cls::REL32);
    }
    return 0;
}

int imm_size(uint8_t c) {
    switch (c) {
    case cls::IMM8: case cls::IMM8S: return 1;
    case cls::IMM16: return 2;
    case cls::IMM32: case cls::IMM32S: return 4;
    case cls::IMM64: return 8;
    default: return 0;
    }
}

uint8_t hw(uint32_t r) { return (uint8_t)(is_xmm(r) ? r - XMM0 : r); }

// Appends bytes through a local cursor; the length is stored once at the end. (Speed: a
// byte store may alias anything, so `e.len++` per byte would reload and store e.len.)
struct Buf {
    uint8_t* start;
    uint8_t* p;
    void b(uint8_t x) { *p++ = x; }
    void le(int64_t v, int n) {
        for (int i = 0; i < n; i++) b((uint8_t)((uint64_t)v >> (8 * i)));
    }
    int8_t at() const { return (int8_t)(p - start); }
};

// `ops` points at the three operands (missing ones are Operand::None): pointers rather
// than an array so that encode() can pass an instruction's operands without copying them.
bool encode_row(const Row& r, uint8_t cc, const Operand* const* ops, Encoded& out) {
    // Only the header is reset: bytes[] past `len` are never read (cheaper than
    // zeroing the whole struct).
    out.len = 0, out.fix_off = -1, out.fix_size = 0, out.fix_tail = 0;
    Buf buf{out.bytes, out.bytes};
    uint8_t rex = (r.flags & W) ? kRexW : 0;
    bool force_rex = false;
    for (int i = 0; i < 3; i++) // spl/bpl/sil/dil are only reachable with a REX prefix
        if (ops[i]->kind == Operand::Reg && ops[i]->size == 1 && ops[i]->reg >= RSP && ops[i]->reg <= RDI)
            force_rex = true;

    // Which operand goes in ModRM.reg (or the opcode), which in ModRM.r/m.
    const Operand* rm = nullptr;
    int regfield = r.digit;
    const Operand* opreg = nullptr; // O/OI: register added to the opcode
    int imm_op = -1;
    switch (r.enc) {
    case En::ZO: break;
    case En::O: opreg = ops[0]; break;
    case En::OI: opreg = ops[0]; imm_op = 1; break;
    case En::M: case En::M1: case En::MC: rm = ops[0]; break;
    case En::MI: rm = ops[0]; imm_op = 1; break;
    case En::MR: rm = ops[0]; regfield = hw(ops[1]->reg); break;
    case En::RM: rm = ops[1]; regfield = hw(ops[0]->reg); break;
    case En::RMI: rm = ops[1]; regfield = hw(ops[0]->reg); imm_op = 2; break;
    case En::I: imm_op = 1; break;
    case En::D: break;
    }
    if (regfield >= 8) rex |= kRexR;
    if (opreg && hw(opreg->reg) >= 8) rex |= kRexB;
    if (rm && rm->kind == Operand::Reg && hw(rm->reg) >= 8) rex |= kRexB;
    if (rm && rm->kind == Operand::Mem) {
        if (rm->reg != kNoReg && rm->reg >= 8) rex |= kRexB;
        if (rm->index != kNoReg && rm->index >= 8) rex |= kRexX;
    }

    if (r.pfx != Pfx_NP) buf.b(kPrefixByte[r.pfx]);
    if (rex || force_rex) buf.b(kRex | rex);
    int nop = r.opcode > 0xFFFF ? 3 : r.opcode > 0xFF ? 2 : 1;
    for (int i = nop - 1; i >= 0; i--) {
        uint8_t byte = (uint8_t)(r.opcode >> (8 * i));
        if (i == 0) {
            if (r.flags & CC) byte += cc;
            if (opreg) byte += hw(opreg->reg) & 7;
        }
        buf.b(byte);
    }

    if (rm) {
        uint8_t reg3 = (uint8_t)((regfield < 0 ? 0 : regfield) & 7);
        if (rm->kind == Operand::Reg) {
            buf.b((uint8_t)(0xC0 | reg3 << 3 | (hw(rm->reg) & 7)));
        } else if (rm->reg == kNoReg && rm->sym) { // [rip + sym]
            buf.b((uint8_t)(0x00 | reg3 << 3 | 5));
            out.fix_off = buf.at();
            out.fix_size = 4;
            buf.le(0, 4);
        } else {
            int64_t d = rm->imm;
            bool has_base = rm->reg != kNoReg;
            bool need_sib = rm->index != kNoReg || !has_base || (rm->reg & 7) == RSP;
            int mod;
            if (!has_base) mod = 0; // [disp32] through SIB with no base
            else if (d == 0 && (rm->reg & 7) != RBP) mod = 0;
            else if (d >= -128 && d <= 127) mod = 1;
            else mod = 2;
            buf.b((uint8_t)(mod << 6 | reg3 << 3 | (need_sib ? 4 : (rm->reg & 7))));
            if (need_sib) {
                uint8_t ss = rm->scale == 8 ? 3 : rm->scale == 4 ? 2 : rm->scale == 2 ? 1 : 0;
                uint8_t idx = rm->index == kNoReg ? 4 : (rm->index & 7);
                uint8_t base = has_base ? (rm->reg & 7) : 5;
                buf.b((uint8_t)(ss << 6 | idx << 3 | base));
            }
            if (mod == 1) buf.le(d, 1);
            else if (mod == 2 || !has_base) buf.le(d, 4);
        }
    }
    if (r.enc == En::D) {
        out.fix_off = buf.at();
        out.fix_size = r.c[0] == cls::REL8 ? 1 : 4;
        buf.le(0, out.fix_size);
    }
    if (imm_op >= 0) {
        int n = imm_size(r.c[imm_op]);
        buf.le(ops[imm_op]->imm, n);
        if (out.fix_off >= 0 && r.enc != En::D) out.fix_tail = (uint8_t)n;
    }
    out.len = (uint8_t)buf.at();
    return true;
}

// Tries every row of op whose classes match and keeps the shortest encoding (the first
// row on a tie). Returns the row used, or -1.
int encode_best(uint16_t op, uint8_t cc, const Operand* const* o, const uint32_t* m, Encoded& out) {
    int best = -1;
    Encoded tmp;
    for (int i = kIndex.first[op], e = i + kIndex.count[op]; i < e; i++) {
        const Row& r = kRows[i];
        if (!((m[0] >> r.c[0]) & (m[1] >> r.c[1]) & (m[2] >> r.c[2]) & 1)) continue;
        encode_row(r, cc, o, tmp);
        if (best < 0 || tmp.len < out.len) out = tmp, best = i;
    }
    return best;
}

} // namespace encdetail

namespace encdetail {

// The three operands of an instruction as pointers: ops[i] for i < n, a None operand for
// the rest. (Speed: the operands are not copied; 32 bytes each.)
struct OperandRefs {
    const Operand none{};
    const Operand* p[3];
    OperandRefs(const Operand* ops, int n) {
        for (int i = 0; i < 3; i++) p[i] = i < n ? &ops[i] : &none;
    }
    OperandRefs(const OperandRefs&) = delete; // p may point into this object
};

} // namespace encdetail

bool encode(uint16_t op, uint8_t cc, const Operand* ops, int n, Encoded& out) {
    using namespace encdetail;
    if (op >= kNumEncoded || kIndex.first[op] < 0) return false;
    OperandRefs o(ops, n);
    uint32_t m[3] = {class_mask(*o.p[0]), class_mask(*o.p[1]), class_mask(*o.p[2])};
    return encode_best(op, cc, o.p, m, out) >= 0;
}

// Why a cached row is right: a row matches when each operand is in the row's class, which
// the masks m[] decide. Among matching rows the lengths differ only by what the row fixes
// (prefix, REX.W, opcode bytes, ModRM or not, immediate width): the ModRM/SIB/displacement
// bytes come from the same memory or register operand in every row that takes it, and
// the REX bits for r8-r15 are needed by all of them or none. So the winner depends on
// (op, m[0], m[1], m[2]) only. Debug builds check this against the full search.
bool encode(uint16_t op, uint8_t cc, const Operand* ops, int n, Encoded& out, EncodeCache& cache) {
    using namespace encdetail;
    if (op >= kNumEncoded || kIndex.first[op] < 0) return false;
    OperandRefs refs(ops, n);
    const Operand* const* o = refs.p;
    uint32_t m[3] = {class_mask(*o[0]), class_mask(*o[1]), class_mask(*o[2])};
    uint32_t h = (op * 0x9E3779B1u) ^ (m[0] * 0x85EBCA6Bu) ^ (m[1] * 0xC2B2AE35u) ^ (m[2] * 0x27D4EB2Fu);
    EncodeCache::Entry& e = cache.e[(h ^ (h >> 15)) % std::size(cache.e)];
    if (e.op == op && e.m[0] == m[0] && e.m[1] == m[1] && e.m[2] == m[2]) {
        encode_row(kRows[e.row], cc, o, out);
#ifndef NDEBUG
        Encoded full;
        int row = encode_best(op, cc, o, m, full);
        assert(row >= 0 && full.len == out.len && std::memcmp(full.bytes, out.bytes, out.len) == 0);
#endif
        return true;
    }
    int row = encode_best(op, cc, o, m, out);
    if (row < 0) return false;
    e.op = op, e.m[0] = m[0], e.m[1] = m[1], e.m[2] = m[2], e.row = (int16_t)row;
    return true;
}

bool encode_with_row(int i, uint8_t cc, const Operand* ops, Encoded& out) {
    encdetail::OperandRefs o(ops, 3);
    return encdetail::encode_row(encdetail::kRows[i], cc, o.p, out);
}

int encoding_rows() { return encdetail::kNumRows; }

RowInfo encoding_row(int i) {
    const encdetail::Row& r = encdetail::kRows[i];
    return RowInfo{r.op, r.enc, {r.c[0], r.c[1], r.c[2]}, r.flags};
}

} // namespace lang::x64
