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

// A bit above every class in class_mask(): a byte register that needs a REX prefix.
constexpr uint32_t kByteRex = 1u << 31;
static_assert(cls::REL32 < 31);

// All operand classes (cls::*) that o belongs to, as a bit set (bit c for class c).
// Computed once per operand, so encode() tests each row with three bit tests.
inline uint32_t class_mask(const Operand& o) {
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
        // Not a class: spl/bpl/sil/dil need a REX prefix (read by encode_row()).
        if (o.size == 1 && o.reg >= RSP && o.reg <= RDI) m |= kByteRex;
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

inline uint8_t hw(uint32_t r) { return (uint8_t)(is_xmm(r) ? r - XMM0 : r); }

// A row prepared for encoding (computed once from kRows): the fixed bytes in order, and
// where the operands go. (Speed: encode_row() then has no per-row decisions to redo.)
struct Plan {
    uint8_t pfx;      // legacy prefix byte, 0: none
    uint8_t rexw;     // kRexW or 0
    uint8_t nop;      // opcode bytes
    uint8_t opc[3];   // in emission order
    uint8_t cc;       // 1: condition code added to the last opcode byte
    int8_t digit;     // ModRM.reg /digit, or DG_R
    int8_t rm;        // operand in ModRM.r/m, -1: none
    int8_t reg;       // operand in ModRM.reg, -1: none (digit or no ModRM)
    int8_t opreg;     // operand added to the opcode (O/OI), -1: none
    int8_t imm;       // immediate operand, -1: none
    uint8_t imm_size; // its width
    uint8_t rel;      // D: width of the relative field (1 or 4), 0: not a branch
};

struct Plans {
    Plan p[kNumRows];
    Plans() {
        for (int i = 0; i < kNumRows; i++) {
            const Row& r = kRows[i];
            Plan& q = p[i];
            q.pfx = kPrefixByte[r.pfx];
            q.rexw = (r.flags & W) ? kRexW : 0;
            q.nop = (uint8_t)(r.opcode > 0xFFFF ? 3 : r.opcode > 0xFF ? 2 : 1);
            for (int k = 0; k < q.nop; k++) q.opc[k] = (uint8_t)(r.opcode >> (8 * (q.nop - 1 - k)));
            q.cc = (r.flags & CC) ? 1 : 0;
            q.digit = r.digit;
            q.rm = q.reg = q.opreg = q.imm = -1;
            q.rel = 0;
            switch (r.enc) {
            case En::ZO: break;
            case En::O: q.opreg = 0; break;
            case En::OI: q.opreg = 0, q.imm = 1; break;
            case En::M: case En::M1: case En::MC: q.rm = 0; break;
            case En::MI: q.rm = 0, q.imm = 1; break;
            case En::MR: q.rm = 0, q.reg = 1; break;
            case En::RM: q.rm = 1, q.reg = 0; break;
            case En::RMI: q.rm = 1, q.reg = 0, q.imm = 2; break;
            case En::I: q.imm = 1; break;
            case En::D: q.rel = r.c[0] == cls::REL8 ? 1 : 4; break;
            }
            q.imm_size = (uint8_t)(q.imm >= 0 ? imm_size(r.c[q.imm]) : 0);
        }
    }
};
const Plans kPlans;

inline void put_le(uint8_t*& p, uint64_t v, int n) {
    if (n == 4) {
        uint32_t x = (uint32_t)v;
        std::memcpy(p, &x, 4);
    } else if (n == 1) {
        *p = (uint8_t)v;
    } else if (n == 8) {
        std::memcpy(p, &v, 8);
    } else {
        uint16_t x = (uint16_t)v;
        std::memcpy(p, &x, 2);
    }
    p += n;
}

// Encodes with one row into dst (16 bytes of room); returns the length. `fix` gets the
// rel32/disp32 field that needs a reloc or a label, as in Encoded. `ops` points at the
// three operands (missing ones are Operand::None): pointers rather than an array so that
// an instruction's operands are not copied.
// `force_rex`: an operand is spl/bpl/sil/dil (only reachable with a REX prefix).
[[gnu::always_inline]] inline int encode_row(const Plan& r, uint8_t cc, const Operand* const* ops, bool force_rex,
                                             uint8_t* dst, EncodedFix& fix) {
    fix.fix_off = -1, fix.fix_size = 0, fix.fix_tail = 0;
    uint8_t* p = dst;
    uint8_t rex = r.rexw;
    const Operand* rm = r.rm >= 0 ? ops[r.rm] : nullptr;
    int regfield = r.reg >= 0 ? hw(ops[r.reg]->reg) : r.digit;
    uint8_t opreg = r.opreg >= 0 ? hw(ops[r.opreg]->reg) : 0;
    if (regfield >= 8) rex |= kRexR;
    if (opreg >= 8) rex |= kRexB;
    if (rm) {
        if (rm->kind == Operand::Reg) {
            if (hw(rm->reg) >= 8) rex |= kRexB;
        } else if (rm->kind == Operand::Mem) {
            if (rm->reg != kNoReg && rm->reg >= 8) rex |= kRexB;
            if (rm->index != kNoReg && rm->index >= 8) rex |= kRexX;
        }
    }
    if (r.pfx) *p++ = r.pfx;
    if (rex || force_rex) *p++ = kRex | rex;
    for (int i = 0; i + 1 < r.nop; i++) *p++ = r.opc[i];
    *p++ = (uint8_t)(r.opc[r.nop - 1] + (r.cc ? cc : 0) + (opreg & 7));

    if (rm) {
        uint8_t reg3 = (uint8_t)((regfield < 0 ? 0 : regfield) & 7);
        if (rm->kind == Operand::Reg) {
            *p++ = (uint8_t)(0xC0 | reg3 << 3 | (hw(rm->reg) & 7));
        } else if (rm->reg == kNoReg && rm->sym) { // [rip + sym]
            *p++ = (uint8_t)(0x00 | reg3 << 3 | 5);
            fix.fix_off = (int8_t)(p - dst);
            fix.fix_size = 4;
            put_le(p, 0, 4);
        } else {
            int64_t d = rm->imm;
            bool has_base = rm->reg != kNoReg;
            bool need_sib = rm->index != kNoReg || !has_base || (rm->reg & 7) == RSP;
            int mod;
            if (!has_base) mod = 0; // [disp32] through SIB with no base
            else if (d == 0 && (rm->reg & 7) != RBP) mod = 0;
            else if (d >= -128 && d <= 127) mod = 1;
            else mod = 2;
            *p++ = (uint8_t)(mod << 6 | reg3 << 3 | (need_sib ? 4 : (rm->reg & 7)));
            if (need_sib) {
                uint8_t ss = rm->scale == 8 ? 3 : rm->scale == 4 ? 2 : rm->scale == 2 ? 1 : 0;
                uint8_t idx = rm->index == kNoReg ? 4 : (rm->index & 7);
                uint8_t base = has_base ? (rm->reg & 7) : 5;
                *p++ = (uint8_t)(ss << 6 | idx << 3 | base);
            }
            if (mod == 1) *p++ = (uint8_t)d;
            else if (mod == 2 || !has_base) put_le(p, (uint64_t)d, 4);
        }
    }
    if (r.rel) {
        fix.fix_off = (int8_t)(p - dst);
        fix.fix_size = r.rel;
        put_le(p, 0, r.rel);
    }
    if (r.imm >= 0) {
        put_le(p, (uint64_t)ops[r.imm]->imm, r.imm_size);
        if (fix.fix_off >= 0 && !r.rel) fix.fix_tail = r.imm_size;
    }
    return (int)(p - dst);
}

inline bool row_matches(const Row& r, const uint32_t* m) {
    return (m[0] >> r.c[0]) & (m[1] >> r.c[1]) & (m[2] >> r.c[2]) & 1;
}

// Tries every row of op whose classes match and keeps the shortest encoding (the first
// row on a tie). Returns the row used, or -1.
int encode_best(uint16_t op, uint8_t cc, const Operand* const* o, const uint32_t* m, Encoded& out) {
    int best = -1;
    Encoded tmp;
    for (int i = kIndex.first[op], e = i + kIndex.count[op]; i < e; i++) {
        if (!row_matches(kRows[i], m)) continue;
        EncodedFix fx;
        tmp.len = (uint8_t)encode_row(kPlans.p[i], cc, o, ((m[0] | m[1] | m[2]) & kByteRex) != 0, tmp.bytes, fx);
        tmp.fix_off = fx.fix_off, tmp.fix_size = fx.fix_size, tmp.fix_tail = fx.fix_tail;
        if (best < 0 || tmp.len < out.len) out = tmp, best = i;
    }
    return best;
}

// The three operands of an instruction as pointers: ops[i] for i < n, a None operand for
// the rest. (Speed: the operands are not copied; 32 bytes each.)
const Operand kNone{};
struct OperandRefs {
    const Operand* p[3];
    OperandRefs(const Operand* ops, int n) {
        for (int i = 0; i < 3; i++) p[i] = i < n ? &ops[i] : &kNone;
    }
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
int encode_into(uint16_t op, uint8_t cc, const Operand* ops, int n, uint8_t* dst, EncodedFix& fix,
                EncodeCache& cache) {
    using namespace encdetail;
    if (op >= kNumEncoded || kIndex.first[op] < 0) return 0;
    const Operand* o[3] = {n > 0 ? &ops[0] : &kNone, n > 1 ? &ops[1] : &kNone, n > 2 ? &ops[2] : &kNone};
    uint32_t m[3] = {class_mask(*o[0]), class_mask(*o[1]), class_mask(*o[2])};
    uint32_t h = (op * 0x9E3779B1u) ^ (m[0] * 0x85EBCA6Bu) ^ (m[1] * 0xC2B2AE35u) ^ (m[2] * 0x27D4EB2Fu);
    EncodeCache::Entry& e = cache.e[(h ^ (h >> 15)) % std::size(cache.e)];
    if (e.op == op && e.m[0] == m[0] && e.m[1] == m[1] && e.m[2] == m[2]) {
        int len = encode_row(kPlans.p[e.row], cc, o, ((m[0] | m[1] | m[2]) & kByteRex) != 0, dst, fix);
#ifndef NDEBUG
        Encoded full;
        int row = encode_best(op, cc, o, m, full);
        assert(row >= 0 && full.len == len && std::memcmp(full.bytes, dst, len) == 0);
        assert(full.fix_off == fix.fix_off && full.fix_size == fix.fix_size && full.fix_tail == fix.fix_tail);
#endif
        return len;
    }
    Encoded full;
    int row = encode_best(op, cc, o, m, full);
    if (row < 0) return 0;
    e.op = op, e.m[0] = m[0], e.m[1] = m[1], e.m[2] = m[2], e.row = (int16_t)row;
    std::memcpy(dst, full.bytes, full.len);
    fix.fix_off = full.fix_off, fix.fix_size = full.fix_size, fix.fix_tail = full.fix_tail;
    return full.len;
}

namespace encdetail {

// A memo miss (x64.h has the hit path): the full encoder, then the new entry takes the
// slot `e` and the entry there moves to the other way of the set.
template <int N>
int encode_memo_miss(uint32_t key, uint16_t op, uint8_t cc, const Operand* ops, uint8_t* dst, EncodedFix& fix,
                     EncodeCache& cache, EncodeMemo::Entry& e, EncodeMemo::Entry& other) {
    int len = encode_into(op, cc, ops, N, dst, fix, cache);
    if (!len) return 0;
    other = e;
    e.key = key, e.len = (uint8_t)len, e.fix = fix;
    std::memcpy(e.bytes, dst, sizeof e.bytes);
    if constexpr (N > 0) std::memcpy(e.o, ops, N * sizeof(Operand));
    return len;
}
template int encode_memo_miss<0>(uint32_t, uint16_t, uint8_t, const Operand*, uint8_t*, EncodedFix&, EncodeCache&,
                                 EncodeMemo::Entry&, EncodeMemo::Entry&);
template int encode_memo_miss<1>(uint32_t, uint16_t, uint8_t, const Operand*, uint8_t*, EncodedFix&, EncodeCache&,
                                 EncodeMemo::Entry&, EncodeMemo::Entry&);
template int encode_memo_miss<2>(uint32_t, uint16_t, uint8_t, const Operand*, uint8_t*, EncodedFix&, EncodeCache&,
                                 EncodeMemo::Entry&, EncodeMemo::Entry&);
template int encode_memo_miss<3>(uint32_t, uint16_t, uint8_t, const Operand*, uint8_t*, EncodedFix&, EncodeCache&,
                                 EncodeMemo::Entry&, EncodeMemo::Entry&);

} // namespace encdetail

bool encode(uint16_t op, uint8_t cc, const Operand* ops, int n, Encoded& out, EncodeCache& cache) {
    EncodedFix fx;
    int len = encode_into(op, cc, ops, n, out.bytes, fx, cache);
    if (!len) return false;
    out.len = (uint8_t)len, out.fix_off = fx.fix_off, out.fix_size = fx.fix_size, out.fix_tail = fx.fix_tail;
    return true;
}

bool encode_with_row(int i, uint8_t cc, const Operand* ops, Encoded& out) {
    using namespace encdetail;
    OperandRefs o(ops, 3);
    EncodedFix fx;
    bool force_rex = ((class_mask(ops[0]) | class_mask(ops[1]) | class_mask(ops[2])) & kByteRex) != 0;
    out.len = (uint8_t)encode_row(kPlans.p[i], cc, o.p, force_rex, out.bytes, fx);
    out.fix_off = fx.fix_off, out.fix_size = fx.fix_size, out.fix_tail = fx.fix_tail;
    return true;
}

int encoding_rows() { return encdetail::kNumRows; }

RowInfo encoding_row(int i) {
    const encdetail::Row& r = encdetail::kRows[i];
    return RowInfo{r.op, r.enc, {r.c[0], r.c[1], r.c[2]}, r.flags};
}

} // namespace lang::x64
