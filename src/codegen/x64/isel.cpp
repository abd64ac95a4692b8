// isel.cpp: instruction selection, IR -> MFunc with virtual registers (x86-64 SysV).
//
// One pass over the blocks in layout order; every IR value gets a virtual register.
// Selection rules worth knowing:
//  - constants are folded into immediates where the instruction takes one, otherwise
//    rematerialized right before each use (so they never occupy a register across a
//    loop); `slot` and `addr` values fold into memory operands ([rbp-N], [rip+sym]);
//  - a compare whose only use is the block's br (or a select) is emitted at that use as
//    cmp + jcc (cmov); float compares use ucomis* with explicit parity (NaN) handling;
//  - the ABI is lowered here: arguments move into their fixed registers right before the
//    call, which clobbers every caller-saved register (imp_def), so the allocator keeps
//    values live across calls in callee-saved registers;
//  - phis stay as MPhi and become parallel copies after allocation; an edge from a
//    block with two successors into a block with phis is split here.
// Narrow integers (i8/i16/i32) live in full registers with unspecified upper bits; only
// operations that look at those bits (compares, division, right shifts, conversions,
// overflow checks) extend first.
#include "codegen/x64/x64.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace lang::x64 {

namespace iseldetail {

using codegen::MBlock;
using codegen::MPhi;
using codegen::RegClass;
using codegen::kR0;
using codegen::kR1;
using codegen::kR2;
using codegen::kW0;
using ir::Inst;
using ir::Op;
using ir::Ty;

uint8_t isz(Ty t) { return ty_size(t) <= 4 ? 4 : 8; } // register width for arithmetic

} // namespace iseldetail

// The per-function tables of Sel live here so that one IselBuffers, passed through every
// function of a module, keeps their memory (run() resets their contents).
struct IselBuffers::Impl {
    std::vector<uint32_t> vreg, uses, bindex, split_src;
    std::vector<uint32_t> shift, newidx, placed; // place_split_blocks' counting sort
    std::vector<ArgLoc> argloc;                  // entry_params' argument locations
    std::vector<int64_t> slot_disp;
    std::vector<uint8_t> fused, fused_addr;
    std::vector<std::array<std::pair<uint32_t, uint32_t>, 2>> edge_src;
    std::vector<codegen::MBlock> block_pool;   // empty blocks that keep their vectors' capacity
};
IselBuffers::IselBuffers() : impl(new Impl) {}
IselBuffers::~IselBuffers() { delete impl; }

namespace iseldetail {

struct Sel {
    const codegen::Target& T;
    const ir::Module& m;
    const ir::Func& f;
    MFunc& mf;
    Diag& diag;
    IselBuffers::Impl& buf;
    std::vector<uint32_t>& vreg = buf.vreg;          // IR id -> vreg
    std::vector<uint32_t>& uses = buf.uses;          // IR id -> use count
    std::vector<int64_t>& slot_disp = buf.slot_disp; // IR id -> frame displacement of a slot
    std::vector<uint8_t>& fused = buf.fused;         // IR id -> compare emitted at its user
    std::vector<uint8_t>& fused_addr = buf.fused_addr; // IR id -> add folded into its load/store's address
    std::vector<uint32_t>& bindex = buf.bindex;      // IR block id -> MBlock index
    // pred IR block id -> up to two (succ IR id + 1, MBlock the edge leaves from); only
    // edges into blocks with phis are recorded.
    std::vector<std::array<std::pair<uint32_t, uint32_t>, 2>>& edge_src = buf.edge_src;
    void set_edge(uint32_t from, uint32_t to, uint32_t mb) {
        for (auto& e : edge_src[from])
            if (e.first == 0 || e.first == to + 1) {
                e = {to + 1, mb};
                return;
            }
    }
    uint32_t find_edge(uint32_t from, uint32_t to) const {
        if (from >= edge_src.size()) return UINT32_MAX;
        for (auto& e : edge_src[from])
            if (e.first == to + 1) return e.second;
        return UINT32_MAX;
    }
    std::vector<uint32_t>& split_src = buf.split_src; // split-edge block k (after the IR blocks) -> source
    uint32_t cur = 0;
    uint32_t line = 0;
    bool ok = true;

    Sel(const codegen::Target& t, const ir::Module& mod, const ir::Func& fn, MFunc& out, Diag& d,
        IselBuffers::Impl& b)
        : T(t), m(mod), f(fn), mf(out), diag(d), buf(b) {}

    MBlock& blk() { return mf.blocks[cur]; }
    void add_block() { // appends an empty block, reusing a pooled one when there is one
        if (buf.block_pool.empty()) return (void)mf.blocks.emplace_back();
        mf.blocks.push_back(std::move(buf.block_pool.back()));
        buf.block_pool.pop_back();
    }

    [[gnu::always_inline]] MInst& emit(uint16_t op, uint8_t rw, Operand a = Operand(), Operand b = Operand(),
                Operand c = Operand()) {
        MInst in;
        in.op = op;
        in.rw = rw;
        in.o[0] = a, in.o[1] = b, in.o[2] = c;
        in.n = c.kind ? 3 : b.kind ? 2 : a.kind ? 1 : 0;
        in.line = line;
        blk().insts.push_back(in);
        return blk().insts.back();
    }
    uint32_t newv(Ty t) { return mf.new_vreg(ir::is_float(t) ? RegClass::Float : RegClass::Int); }
    static Operand R(uint32_t r, uint8_t size) { return Operand::r(r, size); }

    void fail(const char* what) {
        if (ok) diag.error_plain("internal compiler error: x64 isel: %s in %s", what, f.name);
        ok = false;
    }

    static bool fits32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }
    static bool is_const(const Inst* v) { return v->op == Op::iconst; }

    // Materializes an integer constant into a fresh register (mov; never xor, which
    // would clobber flags between a compare and its user).
    uint32_t const_reg(int64_t v, Ty t) {
        uint32_t r = newv(Ty::I64);
        if (v >= 0 && v <= (int64_t)UINT32_MAX) emit(Mn::mov, kW0 | kR1, R(r, 4), Operand::i(v));
        else emit(Mn::mov, kW0 | kR1, R(r, 8), Operand::i(v));
        (void)t;
        return r;
    }

    // The register holding v (rematerializing constants and addresses at the use).
    // The register holding v. Most values simply have one: that test is inline at every
    // use; constants, addresses and slots (rematerialized at each use) and the error case
    // take the call.
    [[gnu::always_inline]] uint32_t get(const Inst* v) {
        if (v->op != Op::iconst && v->op != Op::fconst && v->op != Op::addr && v->op != Op::slot) {
            uint32_t r = vreg[v->id];
            if (r != codegen::kNoReg) return r;
        }
        return get_slow(v);
    }
    [[gnu::noinline]] uint32_t get_slow(const Inst* v) {
        switch (v->op) {
        case Op::iconst: return const_reg(v->imm, v->ty);
        case Op::fconst: {
            uint32_t x = newv(v->ty);
            if (v->fimm == 0 && !std::signbit(v->fimm)) {
                emit(v->ty == Ty::F32 ? Mn::xorps : Mn::xorpd, kW0, R(x, 8), R(x, 8));
                // xorpd reads x, but the result does not depend on it: mark as def only.
                return x;
            }
            uint64_t bits;
            if (v->ty == Ty::F32) {
                float fl = (float)v->fimm;
                uint32_t b32;
                memcpy(&b32, &fl, 4);
                bits = b32;
            } else {
                memcpy(&bits, &v->fimm, 8);
            }
            uint32_t g = const_reg((int64_t)bits, Ty::I64);
            emit(v->ty == Ty::F32 ? Mn::movd : Mn::movq, kW0 | kR1, R(x, 8), R(g, v->ty == Ty::F32 ? 4 : 8));
            return x;
        }
        case Op::addr: case Op::slot: {
            uint32_t r = newv(Ty::Ptr);
            Operand a = mem(v, 0, 0);
            emit(Mn::lea, kW0 | kR1, R(r, 8), a);
            return r;
        }
        default: break;
        }
        uint32_t r = vreg[v->id];
        if (r == codegen::kNoReg) {
            fail("use of a value without a register");
            return newv(v->ty);
        }
        return r;
    }

    // An operand for v of the given width: an immediate when it fits, else a register.
    Operand val(const Inst* v, uint8_t size, bool allow_imm = true) {
        if (allow_imm && is_const(v) && fits32(v->imm)) return Operand::i(v->imm);
        return R(get(v), size);
    }

    // A memory operand for the address p + off.
    Operand mem(const Inst* p, int64_t off, uint8_t size) {
        Operand o;
        o.kind = Operand::Mem;
        o.size = size;
        if (p->op == Op::add && fused_addr[p->id]) { // [base + index] or [base + disp]
            const Inst* b = p->args[1];
            o.reg = get(p->args[0]);
            if (is_const(b) && fits32(b->imm + off)) o.imm = b->imm + off;
            else if (fits32(off)) o.index = get(b), o.imm = off;
            else fail("address offset out of range");
        } else if (p->op == Op::slot) {
            o.reg = RBP;
            o.frame = true;
            o.imm = slot_disp[p->id] + off;
        } else if (p->op == Op::addr) {
            o.sym = p->sym;
            o.imm = p->imm + off;
        } else if (fits32(off)) {
            o.reg = get(p);
            o.imm = off;
        } else {
            uint32_t r = newv(Ty::Ptr);
            emit(Mn::mov, kW0 | kR1, R(r, 8), Operand::i(off));
            emit(Mn::add, kW0 | kR0 | kR1, R(r, 8), R(get(p), 8));
            o.reg = r;
        }
        return o;
    }

    // Copies v into a fresh register d of v's class.
    uint32_t copy_of(const Inst* v, uint8_t size) {
        uint32_t d = newv(v->ty);
        if (ir::is_float(v->ty)) emit(Mn::movaps, kW0 | kR1, R(d, 8), R(get(v), 8));
        else if (is_const(v)) {
            if (size == 8 && !fits32(v->imm)) emit(Mn::mov, kW0 | kR1, R(d, 8), Operand::i(v->imm));
            else emit(Mn::mov, kW0 | kR1, R(d, size == 8 && v->imm >= 0 ? 4 : size), Operand::i(v->imm));
        } else emit(Mn::mov, kW0 | kR1, R(d, size), R(get(v), size));
        return d;
    }

    // Sign- or zero-extends a narrow integer to 32 bits (or returns it for i32/i64).
    Operand widened(const Inst* v, Ty t, bool sign) {
        if (ty_size(t) >= 4) return R(get(v), isz(t));
        uint32_t d = newv(Ty::I32);
        emit(sign ? Mn::movsx : Mn::movzx, kW0 | kR1, R(d, 4), R(get(v), (uint8_t)ty_size(t)));
        return R(d, 4);
    }

    uint32_t def(const Inst* i) {
        uint32_t d = newv(i->ty);
        vreg[i->id] = d;
        return d;
    }

    static uint8_t int_cond(Op op) {
        switch (op) {
        case Op::eq: return E; case Op::ne: return NE;
        case Op::slt: return L; case Op::sle: return LE; case Op::sgt: return G; case Op::sge: return GE;
        case Op::ult: return B; case Op::ule: return BE; case Op::ugt: return A; case Op::uge: return AE;
        default: return E;
        }
    }
    static uint8_t swap_cond(uint8_t cc) {
        switch (cc) {
        case L: return G; case G: return L; case LE: return GE; case GE: return LE;
        case B: return A; case A: return B; case BE: return AE; case AE: return BE;
        default: return cc;
        }
    }
    static bool is_cmp(Op op) { return op >= Op::eq && op <= Op::fge; }
    static bool is_fcmp(Op op) { return op >= Op::feq && op <= Op::fge; }

    // Emits the flag-setting part of an integer compare; returns the condition code.
    uint8_t int_compare(const Inst* c) {
        uint8_t cc = int_cond(c->op);
        uint8_t sz = (uint8_t)ty_size(c->cty);
        const Inst* a = c->args[0];
        const Inst* b = c->args[1];
        if (is_const(a) && !is_const(b)) std::swap(a, b), cc = swap_cond(cc);
        if (is_const(b) && b->imm == 0 && (cc == E || cc == NE)) {
            Operand ra = R(get(a), sz);
            emit(Mn::test, kR0 | kR1, ra, ra);
            return cc;
        }
        Operand rb = (is_const(b) && fits32(b->imm) && (sz == 8 || sz == 4 || (sz == 1 && b->imm >= -128 && b->imm <= 255) ||
                                                        (sz == 2 && b->imm >= -32768 && b->imm <= 65535)))
                         ? Operand::i(b->imm)
                         : R(get(b), sz);
        emit(Mn::cmp, kR0 | kR1, R(get(a), sz), rb);
        return cc;
    }

    // Float compare: emits ucomis*; returns the condition (A/AE) or E/NE for the
    // equality forms, whose parity check the caller adds.
    uint8_t float_compare(const Inst* c) {
        const Inst* a = c->args[0];
        const Inst* b = c->args[1];
        uint8_t cc;
        switch (c->op) {
        case Op::flt: std::swap(a, b); cc = A; break;
        case Op::fle: std::swap(a, b); cc = AE; break;
        case Op::fgt: cc = A; break;
        case Op::fge: cc = AE; break;
        case Op::feq: cc = E; break;
        default: cc = NE; break;
        }
        emit(c->cty == Ty::F32 ? Mn::ucomiss : Mn::ucomisd, kR0 | kR1, R(get(a), 8), R(get(b), 8));
        return cc;
    }

    // A compare as a 0/1 value in an 8-bit register.
    void compare_value(const Inst* c) {
        uint32_t d = def(c);
        if (!is_fcmp(c->op)) {
            uint8_t cc = int_compare(c);
            emit(Mn::setcc, kW0, R(d, 1)).cc = cc;
            return;
        }
        uint8_t cc = float_compare(c);
        emit(Mn::setcc, kW0, R(d, 1)).cc = cc;
        if (cc == E || cc == NE) { // NaN: feq false (parity set), fne true
            uint32_t t = newv(Ty::I8);
            emit(Mn::setcc, kW0, R(t, 1)).cc = cc == E ? NP : P;
            emit(cc == E ? Mn::and_ : Mn::or_, kW0 | kR0 | kR1, R(d, 1), R(t, 1));
        }
    }

    void overflow_check() {
        Operand l = Operand::lbl((uint32_t)mf.stubs.size());
        l.imm = 1; // a cold stub, not a block
        mf.stubs.push_back(line);
        emit(Mn::jcc, 0, l).cc = O;
    }

    void binop(const Inst* i) {
        uint8_t sz = isz(i->ty);
        const Inst* a = i->args[0];
        const Inst* b = i->args[1];
        bool comm = ir::info(i->op).flags & ir::F_COMM;
        if (comm && is_const(a) && !is_const(b)) std::swap(a, b);
        uint16_t op = Mn::add;
        switch (i->op) {
        case Op::add: case Op::addchk: op = Mn::add; break;
        case Op::sub: case Op::subchk: op = Mn::sub; break;
        case Op::And: op = Mn::and_; break;
        case Op::Or: op = Mn::or_; break;
        case Op::Xor: op = Mn::xor_; break;
        default: break;
        }
        bool chk = i->op == Op::addchk || i->op == Op::subchk;
        if (chk && ty_size(i->ty) < 4) return narrow_checked(i);
        if (!chk && (i->op == Op::add || i->op == Op::sub)) { // lea: three-address, no flags
            Operand addr;
            addr.kind = Operand::Mem;
            addr.size = 0;
            addr.reg = get(a);
            if (is_const(b) && fits32(b->imm) && (i->op == Op::add || b->imm != INT32_MIN)) {
                addr.imm = i->op == Op::add ? b->imm : -b->imm;
                uint32_t d = def(i);
                emit(Mn::lea, kW0 | kR1, R(d, sz), addr);
                return;
            }
            if (i->op == Op::add) {
                addr.index = get(b);
                uint32_t d = def(i);
                emit(Mn::lea, kW0 | kR1, R(d, sz), addr);
                return;
            }
        }
        uint32_t d = newv(i->ty);
        Operand rb = val(b, sz);
        if (sz == 8 && rb.kind == Operand::Imm && !fits32(rb.imm)) rb = R(get(b), sz);
        emit(Mn::mov, kW0 | kR1, R(d, sz), R(get(a), sz));
        emit(op, kW0 | kR0 | kR1, R(d, sz), rb);
        vreg[i->id] = d;
        if (chk) overflow_check();
    }

    // i8/i16 checked arithmetic: compute in 32 bits from sign-extended operands, then
    // check that the result survives a round trip through the narrow type.
    void narrow_checked(const Inst* i) {
        uint8_t n = (uint8_t)ty_size(i->ty);
        Operand a = widened(i->args[0], i->ty, true);
        Operand b = widened(i->args[1], i->ty, true);
        uint32_t d = newv(i->ty);
        emit(Mn::mov, kW0 | kR1, R(d, 4), a);
        uint16_t op = i->op == Op::addchk ? Mn::add : i->op == Op::subchk ? Mn::sub : Mn::imul;
        emit(op, kW0 | kR0 | kR1, R(d, 4), b);
        uint32_t t = newv(Ty::I32);
        emit(Mn::movsx, kW0 | kR1, R(t, 4), R(d, n));
        emit(Mn::cmp, kR0 | kR1, R(t, 4), R(d, 4));
        Operand l = Operand::lbl((uint32_t)mf.stubs.size());
        l.imm = 1;
        mf.stubs.push_back(line);
        emit(Mn::jcc, 0, l).cc = NE;
        vreg[i->id] = d;
    }

    void mul(const Inst* i) {
        uint8_t sz = isz(i->ty);
        const Inst* a = i->args[0];
        const Inst* b = i->args[1];
        if (is_const(a) && !is_const(b)) std::swap(a, b);
        if (i->op == Op::mulchk && ty_size(i->ty) < 4) return narrow_checked(i);
        uint32_t d = def(i);
        if (is_const(b) && fits32(b->imm)) {
            emit(Mn::imul, kW0 | kR1 | kR2, R(d, sz), R(get(a), sz), Operand::i(b->imm));
        } else {
            emit(Mn::mov, kW0 | kR1, R(d, sz), R(get(a), sz));
            emit(Mn::imul, kW0 | kR0 | kR1, R(d, sz), R(get(b), sz));
        }
        if (i->op == Op::mulchk) overflow_check();
    }

    void divide(const Inst* i) {
        bool sign = i->op == Op::sdiv || i->op == Op::srem;
        bool rem = i->op == Op::srem || i->op == Op::urem;
        uint8_t sz = isz(i->ty);
        Operand a = widened(i->args[0], i->ty, sign);
        Operand b = widened(i->args[1], i->ty, sign);
        if (b.kind != Operand::Reg) b = R(get(i->args[1]), sz);
        emit(Mn::mov, kW0 | kR1, R(RAX, sz), a);
        if (sign) {
            MInst& x = emit(sz == 8 ? Mn::cqo : Mn::cdq, 0);
            x.imp_use = bit(RAX), x.imp_def = bit(RDX);
        } else {
            emit(Mn::mov, kW0 | kR1, R(RDX, 4), Operand::i(0));
        }
        MInst& dv = emit(sign ? Mn::idiv : Mn::div, kR0, b);
        dv.imp_use = bit(RAX) | bit(RDX);
        dv.imp_def = bit(RAX) | bit(RDX);
        uint32_t d = def(i);
        emit(Mn::mov, kW0 | kR1, R(d, sz), R(rem ? RDX : RAX, sz));
    }

    void shift(const Inst* i) {
        uint16_t op = i->op == Op::shl ? Mn::shl : i->op == Op::shr ? Mn::shr : Mn::sar;
        uint8_t sz = isz(i->ty);
        Operand a = i->op == Op::shl ? R(get(i->args[0]), sz) : widened(i->args[0], i->ty, i->op == Op::sar);
        const Inst* b = i->args[1];
        uint32_t d = newv(i->ty);
        if (is_const(b)) {
            emit(Mn::mov, kW0 | kR1, R(d, sz), a);
            emit(op, kW0 | kR0 | kR1, R(d, sz), Operand::i(b->imm & (sz * 8 - 1)));
        } else {
            emit(Mn::mov, kW0 | kR1, R(RCX, 8), R(get(b), 8));
            emit(Mn::mov, kW0 | kR1, R(d, sz), a);
            emit(op, kW0 | kR0 | kR1, R(d, sz), R(RCX, 1));
        }
        vreg[i->id] = d;
    }

    void fbinop(const Inst* i) {
        bool s = i->ty == Ty::F32;
        uint16_t op;
        switch (i->op) {
        case Op::fadd: op = s ? Mn::addss : Mn::addsd; break;
        case Op::fsub: op = s ? Mn::subss : Mn::subsd; break;
        case Op::fmul: op = s ? Mn::mulss : Mn::mulsd; break;
        default: op = s ? Mn::divss : Mn::divsd; break;
        }
        uint32_t d = newv(i->ty);
        emit(Mn::movaps, kW0 | kR1, R(d, 8), R(get(i->args[0]), 8));
        emit(op, kW0 | kR0 | kR1, R(d, 8), R(get(i->args[1]), 8));
        vreg[i->id] = d;
    }

    void convert(const Inst* i) {
        const Inst* a = i->args[0];
        Ty from = i->cty, to = i->ty;
        uint8_t fs = (uint8_t)ty_size(from), ts = (uint8_t)ty_size(to);
        switch (i->op) {
        case Op::sext: case Op::zext: {
            uint32_t d = def(i);
            bool sx = i->op == Op::sext;
            if (fs == 4 && ts == 8) {
                if (sx) emit(Mn::movsxd, kW0 | kR1, R(d, 8), R(get(a), 4));
                else emit(Mn::mov, kW0 | kR1, R(d, 4), R(get(a), 4));
            } else if (fs < 4) {
                emit(sx ? Mn::movsx : Mn::movzx, kW0 | kR1, R(d, ts == 8 && sx ? 8 : 4), R(get(a), fs));
            } else {
                emit(Mn::mov, kW0 | kR1, R(d, 8), R(get(a), 8));
            }
            return;
        }
        case Op::trunc: {
            uint32_t d = def(i);
            emit(Mn::mov, kW0 | kR1, R(d, 4), R(get(a), 4));
            return;
        }
        case Op::sitof: case Op::uitof: {
            bool sx = i->op == Op::sitof;
            Operand src;
            if (fs == 8) src = R(get(a), 8);
            else if (sx) src = widened(a, from, true);
            else { // zero-extend to 64 bits, then a signed 64-bit conversion is exact
                uint32_t t = newv(Ty::I64);
                if (fs == 4) emit(Mn::mov, kW0 | kR1, R(t, 4), R(get(a), 4));
                else emit(Mn::movzx, kW0 | kR1, R(t, 4), R(get(a), fs));
                src = R(t, 8);
            }
            uint32_t d = def(i);
            if (fs == 8 && !sx) return u64_to_float(d, src.reg, to);
            emit(to == Ty::F32 ? Mn::cvtsi2ss : Mn::cvtsi2sd, kW0 | kR1, R(d, 8), src);
            return;
        }
        case Op::ftosi: case Op::ftoui: {
            uint32_t d = def(i);
            uint8_t w = i->op == Op::ftoui && ts >= 4 ? 8 : isz(to);
            uint16_t cvt = from == Ty::F32 ? Mn::cvttss2si : Mn::cvttsd2si;
            emit(cvt, kW0 | kR1, R(d, w), R(get(a), 8));
            if (i->op == Op::ftoui && ts == 8) f_to_u64(d, get(a), from == Ty::F32);
            return;
        }
        case Op::fext: {
            uint32_t d = def(i);
            emit(Mn::cvtss2sd, kW0 | kR1, R(d, 8), R(get(a), 8));
            return;
        }
        case Op::ftrunc: {
            uint32_t d = def(i);
            emit(Mn::cvtsd2ss, kW0 | kR1, R(d, 8), R(get(a), 8));
            return;
        }
        default: { // bitcast
            uint32_t d = def(i);
            uint16_t op = ts == 8 || fs == 8 ? Mn::movq : Mn::movd;
            uint8_t gw = ts == 8 || fs == 8 ? 8 : 4;
            if (ir::is_float(to)) emit(op, kW0 | kR1, R(d, 8), R(get(a), gw));
            else emit(op, kW0 | kR1, R(d, gw), R(get(a), 8));
            return;
        }
        }
    }

    // u64 -> float without branches: values below 2^63 convert directly; larger ones
    // are halved (keeping the low bit for rounding), converted and doubled.
    void u64_to_float(uint32_t d, uint32_t src, Ty to) {
        bool s = to == Ty::F32;
        uint16_t cvt = s ? Mn::cvtsi2ss : Mn::cvtsi2sd;
        uint32_t h = newv(Ty::I64), lo = newv(Ty::I64), big = newv(to), gb = newv(Ty::I64),
                 gd = newv(Ty::I64);
        emit(Mn::mov, kW0 | kR1, R(h, 8), R(src, 8));
        emit(Mn::shr, kW0 | kR0 | kR1, R(h, 8), Operand::i(1));
        emit(Mn::mov, kW0 | kR1, R(lo, 4), R(src, 4));
        emit(Mn::and_, kW0 | kR0 | kR1, R(lo, 4), Operand::i(1));
        emit(Mn::or_, kW0 | kR0 | kR1, R(h, 8), R(lo, 8));
        emit(cvt, kW0 | kR1, R(big, 8), R(h, 8));
        emit(s ? Mn::addss : Mn::addsd, kW0 | kR0 | kR1, R(big, 8), R(big, 8));
        emit(cvt, kW0 | kR1, R(d, 8), R(src, 8));
        emit(s ? Mn::movd : Mn::movq, kW0 | kR1, R(gb, s ? 4 : 8), R(big, 8));
        emit(s ? Mn::movd : Mn::movq, kW0 | kR1, R(gd, s ? 4 : 8), R(d, 8));
        emit(Mn::test, kR0 | kR1, R(src, 8), R(src, 8));
        emit(Mn::cmovcc, kW0 | kR0 | kR1, R(gd, 8), R(gb, 8)).cc = S;
        emit(s ? Mn::movd : Mn::movq, kW0 | kR1, R(d, 8), R(gd, s ? 4 : 8));
    }

    // float -> u64 for values >= 2^63 (cvtt*2si saturates there): convert x - 2^63 and
    // flip the top bit; pick that result when x >= 2^63 (d already holds the direct one).
    void f_to_u64(uint32_t d, uint32_t x, bool s) {
        uint32_t g = const_reg(s ? 0x5F000000ll : 0x43E0000000000000ll, Ty::I64); // 2^63
        uint32_t c = newv(Ty::F64), t = newv(Ty::F64), b = newv(Ty::I64);
        emit(s ? Mn::movd : Mn::movq, kW0 | kR1, R(c, 8), R(g, s ? 4 : 8));
        emit(Mn::movaps, kW0 | kR1, R(t, 8), R(x, 8));
        emit(s ? Mn::subss : Mn::subsd, kW0 | kR0 | kR1, R(t, 8), R(c, 8));
        emit(s ? Mn::cvttss2si : Mn::cvttsd2si, kW0 | kR1, R(b, 8), R(t, 8));
        uint32_t top = const_reg(INT64_MIN, Ty::I64);
        emit(Mn::xor_, kW0 | kR0 | kR1, R(b, 8), R(top, 8));
        emit(s ? Mn::ucomiss : Mn::ucomisd, kR0 | kR1, R(x, 8), R(c, 8));
        emit(Mn::cmovcc, kW0 | kR0 | kR1, R(d, 8), R(b, 8)).cc = AE;
    }

    void load(const Inst* i) {
        uint32_t d = def(i);
        Operand a = mem(i->args[0], i->imm, (uint8_t)ty_size(i->ty));
        switch (i->ty) {
        case Ty::I8: case Ty::I16: emit(Mn::movzx, kW0 | kR1, R(d, 4), a); break;
        case Ty::I32: emit(Mn::mov, kW0 | kR1, R(d, 4), a); break;
        case Ty::F32: emit(Mn::movss, kW0 | kR1, R(d, 8), a); break;
        case Ty::F64: emit(Mn::movsd, kW0 | kR1, R(d, 8), a); break;
        default: emit(Mn::mov, kW0 | kR1, R(d, 8), a); break;
        }
    }

    void store(const Inst* i) {
        Ty t = i->cty != Ty::Void ? i->cty : i->args[1]->ty;
        uint8_t sz = (uint8_t)ty_size(t);
        const Inst* v = i->args[1];
        Operand a = mem(i->args[0], i->imm, sz);
        if (t == Ty::F32) emit(Mn::movss, kW0 | kR1, a, R(get(v), 8));
        else if (t == Ty::F64) emit(Mn::movsd, kW0 | kR1, a, R(get(v), 8));
        else if (is_const(v) && fits32(v->imm)) {
            int64_t x = v->imm;
            if (sz == 1) x = (int8_t)x;
            if (sz == 2) x = (int16_t)x;
            if (sz == 4) x = (int32_t)x;
            emit(Mn::mov, kW0 | kR1, a, Operand::i(x));
        } else emit(Mn::mov, kW0 | kR1, a, R(get(v), sz));
    }

    // memcpy/memzero: up to 64 bytes inline with a scratch register, else a libc call.
    void block_mem(const Inst* i) {
        bool zero = i->op == Op::memzero;
        int64_t n = i->imm;
        if (n <= 64) {
            uint32_t t = newv(Ty::I64);
            if (zero) emit(Mn::mov, kW0 | kR1, R(t, 4), Operand::i(0));
            int64_t off = 0;
            for (uint8_t w : {8, 4, 2, 1}) {
                while (n - off >= w) {
                    if (!zero) emit(w <= 2 ? Mn::movzx : Mn::mov, kW0 | kR1, R(t, w <= 2 ? 4 : w),
                                    mem(i->args[1], off, w));
                    emit(Mn::mov, kW0 | kR1, mem(i->args[0], off, w), R(t, w));
                    off += w;
                }
            }
            return;
        }
        const Inst* args[3];
        Ty tys[3] = {Ty::Ptr, Ty::Ptr, Ty::I64};
        ir::Module& mm = const_cast<ir::Module&>(m);
        (void)mm;
        uint32_t regs[3];
        regs[0] = get(i->args[0]);
        if (zero) {
            regs[1] = const_reg(0, Ty::I64);
            tys[1] = Ty::I32;
        } else {
            regs[1] = get(i->args[1]);
        }
        regs[2] = const_reg(n, Ty::I64);
        (void)args;
        call_regs(zero ? "memset" : "memcpy", codegen::kNoReg, regs, tys, 3, Ty::Void, nullptr);
    }

    // Moves arguments into place and emits the call. `target` is a vreg for indirect
    // calls (kNoReg for direct). Returns nothing; the result is in rax/xmm0.
    void call_regs(const char* sym, uint32_t target, const uint32_t* regs, const Ty* tys, uint32_t n, Ty ret,
                   const Inst* self, bool varargs = false, uint64_t on_stack = 0) {
        ArgLoc small[16];
        std::vector<ArgLoc> big;
        ArgLoc* loc = small;
        if (n > 16) big.resize(n), loc = big.data();
        uint32_t stack = classify_args(tys, n, loc, on_stack);
        uint32_t area = (stack + 15) & ~15u;
        if (area > mf.out_args) mf.out_args = area;
        uint64_t used = 0;
        for (uint32_t k = 0; k < n; k++) {
            if (loc[k].reg != codegen::kNoReg) continue;
            Operand slot = Operand::m(RSP, loc[k].stack, 8);
            if (ir::is_float(tys[k])) emit(Mn::movsd, kW0 | kR1, slot, R(regs[k], 8));
            else emit(Mn::mov, kW0 | kR1, slot, R(regs[k], 8));
        }
        for (uint32_t k = 0; k < n; k++) {
            if (loc[k].reg == codegen::kNoReg) continue;
            if (ir::is_float(tys[k])) emit(Mn::movaps, kW0 | kR1, R(loc[k].reg, 8), R(regs[k], 8));
            else emit(Mn::mov, kW0 | kR1, R(loc[k].reg, 8), R(regs[k], 8));
            used |= bit(loc[k].reg);
        }
        if (varargs) { // a variadic callee reads AL: an upper bound of the vector registers used (abi.cpp)
            emit(Mn::mov, kW0 | kR1, R(RAX, 4), Operand::i(vector_args(loc, n)));
            used |= bit(RAX);
        }
        MInst& c = target == codegen::kNoReg ? emit(Mn::call, 0, Operand::s(sym))
                                             : emit(Mn::call, kR0, R(target, 8));
        c.imp_use = used;
        c.imp_def = caller_saved_mask();
        if (self && ret != Ty::Void) {
            uint32_t d = def(self);
            if (ir::is_float(ret)) emit(Mn::movaps, kW0 | kR1, R(d, 8), R(XMM0, 8));
            else emit(Mn::mov, kW0 | kR1, R(d, 8), R(RAX, 8));
        }
    }

    // A direct call's flags (Inst::imm, IR text `varargs`, `regret`): bit 0 a variadic C
    // callee (AL); bit 1 a C struct result in registers, stored after the call into the
    // memory the last argument points at (not passed): bit 2 two eightbytes, bits 3 and 4
    // the first and second in SSE registers (abi.cpp's c_struct_abi made the choice);
    // bits 8 + k: argument k goes on the stack (an eightbyte of a struct in memory).
    void call(const Inst* i) {
        uint32_t first = i->op == Op::callind ? 1 : 0;
        int64_t flags = i->op == Op::call ? i->imm : 0;
        bool regret = flags & 2;
        uint32_t n = i->args.size - first - (regret ? 1 : 0);
        uint32_t small_regs[16];
        Ty small_tys[16];
        std::vector<uint32_t> big_regs;
        std::vector<Ty> big_tys;
        uint32_t* regs = small_regs;
        Ty* tys = small_tys;
        if (n > 16) big_regs.resize(n), big_tys.resize(n), regs = big_regs.data(), tys = big_tys.data();
        uint32_t target = codegen::kNoReg;
        if (i->op == Op::callind) target = get(i->args[0]);
        for (uint32_t k = 0; k < n; k++) {
            regs[k] = get(i->args[first + k]);
            tys[k] = i->args[first + k]->ty;
        }
        uint32_t dest = regret ? get(i->args[i->args.size - 1]) : codegen::kNoReg;
        call_regs(i->sym, target, regs, tys, n, i->ty, i, flags & 1, (uint64_t)flags >> 8);
        if (!regret) return;
        // INTEGER eightbytes come back in rax then rdx, SSE ones in xmm0 then xmm1.
        uint32_t nparts = (flags & 4) ? 2 : 1, next_int = 0, next_sse = 0;
        uint32_t part[2];
        bool sse[2] = {(flags & 8) != 0, (flags & 16) != 0};
        for (uint32_t k = 0; k < nparts; k++) { // first out of the result registers
            part[k] = newv(sse[k] ? Ty::F64 : Ty::I64);
            if (sse[k]) emit(Mn::movaps, kW0 | kR1, R(part[k], 8), R(next_sse++ ? XMM1 : XMM0, 8));
            else emit(Mn::mov, kW0 | kR1, R(part[k], 8), R(next_int++ ? RDX : RAX, 8));
        }
        for (uint32_t k = 0; k < nparts; k++) {
            Operand m = Operand::m(dest, 8 * k, 8);
            if (sse[k]) emit(Mn::movsd, kW0 | kR1, m, R(part[k], 8));
            else emit(Mn::mov, kW0 | kR1, m, R(part[k], 8));
        }
    }

    void ret_value(const Inst* v) {
        if (!v) {
            emit(Mn::p_ret, 0);
            return;
        }
        uint32_t rr = result_reg(v->ty);
        if (ir::is_float(v->ty)) emit(Mn::movaps, kW0 | kR1, R(rr, 8), R(get(v), 8));
        else if (is_const(v)) emit(Mn::mov, kW0 | kR1, R(rr, fits32(v->imm) && v->imm >= 0 ? 4 : 8), Operand::i(v->imm));
        else emit(Mn::mov, kW0 | kR1, R(rr, 8), R(get(v), 8));
        emit(Mn::p_ret, 0).imp_use = bit(rr);
    }

    // A direct call in tail position: arguments go to registers and to the caller's own
    // incoming stack-argument area, then the frame is torn down and we jump. When the
    // callee needs more stack-argument bytes than this function received, fall back to
    // call + ret (the caller's caller owns the space beyond that area).
    void tailcall(const Inst* i) {
        uint32_t n = i->args.size;
        std::vector<uint32_t> regs(n);
        std::vector<Ty> tys(n);
        std::vector<ArgLoc> loc(n);
        for (uint32_t k = 0; k < n; k++) regs[k] = get(i->args[k]), tys[k] = i->args[k]->ty;
        uint32_t stack = classify_args(tys.data(), n, loc.data());
        if (stack > mf.in_args) {
            call_regs(i->sym, codegen::kNoReg, regs.data(), tys.data(), n, Ty::Void, nullptr);
            uint64_t u = f.ret == Ty::Void ? 0 : bit(result_reg(f.ret));
            emit(Mn::p_ret, 0).imp_use = u;
            return;
        }
        uint64_t used = 0;
        for (uint32_t k = 0; k < n; k++) {
            if (loc[k].reg != codegen::kNoReg) continue;
            Operand slot = Operand::m(RBP, 16 + loc[k].stack, 8);
            if (ir::is_float(tys[k])) emit(Mn::movsd, kW0 | kR1, slot, R(regs[k], 8));
            else emit(Mn::mov, kW0 | kR1, slot, R(regs[k], 8));
        }
        for (uint32_t k = 0; k < n; k++) {
            if (loc[k].reg == codegen::kNoReg) continue;
            if (ir::is_float(tys[k])) emit(Mn::movaps, kW0 | kR1, R(loc[k].reg, 8), R(regs[k], 8));
            else emit(Mn::mov, kW0 | kR1, R(loc[k].reg, 8), R(regs[k], 8));
            used |= bit(loc[k].reg);
        }
        emit(Mn::p_tail, 0, Operand::s(i->sym)).imp_use = used;
    }

    void select(const Inst* i) {
        const Inst* c = i->args[0];
        bool fl = ir::is_float(i->ty);
        uint8_t sz = fl ? 8 : isz(i->ty);
        // Operands first: materializing them must not come between the test and cmov.
        uint32_t tv = get(i->args[1]);
        uint32_t d = newv(fl ? Ty::I64 : i->ty);
        uint32_t t = tv;
        if (fl) {
            t = newv(Ty::I64);
            emit(Mn::movq, kW0 | kR1, R(t, 8), R(tv, 8));
            emit(Mn::movq, kW0 | kR1, R(d, 8), R(get(i->args[2]), 8));
        } else {
            emit(Mn::mov, kW0 | kR1, R(d, sz), R(get(i->args[2]), sz));
        }
        uint8_t cc;
        if (fused[c->id] && is_fcmp(c->op)) {
            cc = float_compare(c);
            if (cc == E || cc == NE) { // the parity fix-up needs a 0/1 value
                uint32_t b = newv(Ty::I8), p = newv(Ty::I8);
                emit(Mn::setcc, kW0, R(b, 1)).cc = cc;
                emit(Mn::setcc, kW0, R(p, 1)).cc = cc == E ? NP : P;
                emit(cc == E ? Mn::and_ : Mn::or_, kW0 | kR0 | kR1, R(b, 1), R(p, 1));
                emit(Mn::test, kR0 | kR1, R(b, 1), R(b, 1));
                cc = NE;
            }
        } else if (fused[c->id] && c->op == Op::load) { // cmp dword ptr [mem], 0
            emit(Mn::cmp, kR0, mem(c->args[0], c->imm, (uint8_t)ty_size(c->ty)), Operand::i(0));
            cc = NE;
        } else if (fused[c->id]) {
            cc = int_compare(c);
        } else {
            Operand rc = R(get(c), (uint8_t)ty_size(c->ty));
            emit(Mn::test, kR0 | kR1, rc, rc);
            cc = NE;
        }
        emit(Mn::cmovcc, kW0 | kR0 | kR1, R(d, sz), R(t, sz)).cc = cc;
        if (fl) {
            uint32_t x = def(i);
            emit(Mn::movq, kW0 | kR1, R(x, 8), R(d, 8));
        } else {
            vreg[i->id] = d;
        }
    }

    // The MBlock that control leaves `from` through to reach `to` (splitting the edge
    // when `from` has two successors and `to` has phis).
    uint32_t edge(const ir::Block* from, const ir::Block* to, bool two_succs) {
        uint32_t target = bindex[to->id];
        bool has_phi = to->insts.size && to->insts[0]->op == Op::phi;
        if (!two_succs || !has_phi) {
            if (has_phi) set_edge(from->id, to->id, cur);
            return target;
        }
        uint32_t nb = (uint32_t)mf.blocks.size();
        add_block();
        mf.blocks.back().ir_id = UINT32_MAX;
        mf.blocks.back().jumps.push_back({codegen::kAlways, target});
        split_src.push_back(cur);
        set_edge(from->id, to->id, nb);
        return nb;
    }

    void branch(const ir::Block* b, const Inst* t) {
        const Inst* c = t->args[0];
        if (t->target[0] == t->target[1]) {
            uint32_t tt = edge(b, t->target[0], false);
            blk().jumps.push_back({codegen::kAlways, tt});
            return;
        }
        uint8_t cc;
        bool feq = false, fne = false;
        if (fused[c->id] && is_fcmp(c->op)) {
            cc = float_compare(c);
            feq = cc == E;
            fne = cc == NE;
        } else if (fused[c->id] && c->op == Op::load) { // cmp dword ptr [mem], 0
            emit(Mn::cmp, kR0, mem(c->args[0], c->imm, (uint8_t)ty_size(c->ty)), Operand::i(0));
            cc = NE;
        } else if (fused[c->id]) {
            cc = int_compare(c);
        } else {
            Operand rc = R(get(c), (uint8_t)ty_size(c->ty));
            emit(Mn::test, kR0 | kR1, rc, rc);
            cc = NE;
        }
        uint32_t bi = cur;
        uint32_t tt = edge(b, t->target[0], true);
        uint32_t ff = edge(b, t->target[1], true);
        auto& j = mf.blocks[bi].jumps;
        if (feq) {
            j.push_back({NE, ff});
            j.push_back({P, ff});
            j.push_back({codegen::kAlways, tt});
        } else if (fne) {
            j.push_back({NE, tt});
            j.push_back({P, tt});
            j.push_back({codegen::kAlways, ff});
        } else {
            j.push_back({cc, tt});
            j.push_back({codegen::kAlways, ff});
        }
    }

    [[gnu::always_inline]] void inst(const ir::Block* b, const Inst* i) { // one caller: run()
        line = i->line ? i->line : line;
        switch (i->op) {
        case Op::iconst: case Op::fconst: case Op::addr: case Op::slot: case Op::param: case Op::phi:
            return; // rematerialized at uses / handled at entry / by the phi pass
        case Op::copy: vreg[i->id] = copy_of(i->args[0], ir::is_float(i->ty) ? 8 : isz(i->ty)); return;
        case Op::add: case Op::sub: case Op::And: case Op::Or: case Op::Xor: case Op::addchk:
        case Op::subchk:
            if (fused_addr[i->id]) return; // emitted as part of a memory operand
            return binop(i);
        case Op::mul: case Op::mulchk: return mul(i);
        case Op::sdiv: case Op::udiv: case Op::srem: case Op::urem: return divide(i);
        case Op::shl: case Op::shr: case Op::sar: return shift(i);
        case Op::neg: case Op::Not: {
            uint8_t sz = isz(i->ty);
            uint32_t d = newv(i->ty);
            emit(Mn::mov, kW0 | kR1, R(d, sz), R(get(i->args[0]), sz));
            emit(i->op == Op::neg ? Mn::neg : Mn::not_, kW0 | kR0, R(d, sz));
            vreg[i->id] = d;
            return;
        }
        case Op::fadd: case Op::fsub: case Op::fmul: case Op::fdiv: return fbinop(i);
        case Op::frem: { // no instruction computes fmod exactly: call the C library's
            uint32_t regs[2] = {get(i->args[0]), get(i->args[1])};
            Ty tys[2] = {i->ty, i->ty};
            return call_regs(i->ty == Ty::F32 ? "fmodf" : "fmod", codegen::kNoReg, regs, tys, 2, i->ty, i);
        }
        case Op::fsqrt: case Op::ffloor: case Op::fceil: case Op::fround: {
            // sqrtsd d, x / roundsd d, x, mode (SSE4.1: 8 nearest-even, 9 down, 10 up; +8
            // keeps the inexact exception quiet). d is new, so only x is read.
            bool s = i->ty == Ty::F32;
            uint32_t d = newv(i->ty);
            uint32_t x = get(i->args[0]);
            if (i->op == Op::fsqrt)
                emit(s ? Mn::sqrtss : Mn::sqrtsd, kW0 | kR1, R(d, 8), R(x, 8));
            else
                emit(s ? Mn::roundss : Mn::roundsd, kW0 | kR1, R(d, 8), R(x, 8),
                     Operand::i(i->op == Op::ffloor ? 9 : i->op == Op::fceil ? 10 : 8));
            vreg[i->id] = d;
            return;
        }
        case Op::fneg: {
            bool s = i->ty == Ty::F32;
            uint32_t g = const_reg(s ? (int64_t)0x80000000u : INT64_MIN, Ty::I64);
            uint32_t x = newv(i->ty);
            emit(s ? Mn::movd : Mn::movq, kW0 | kR1, R(x, 8), R(g, s ? 4 : 8));
            uint32_t d = newv(i->ty);
            emit(Mn::movaps, kW0 | kR1, R(d, 8), R(get(i->args[0]), 8));
            emit(s ? Mn::xorps : Mn::xorpd, kW0 | kR0 | kR1, R(d, 8), R(x, 8));
            vreg[i->id] = d;
            return;
        }
        case Op::sext: case Op::zext: case Op::trunc: case Op::sitof: case Op::uitof: case Op::ftosi:
        case Op::ftoui: case Op::fext: case Op::ftrunc: case Op::bitcast:
            return convert(i);
        case Op::load:
            if (fused[i->id]) return; // compared in memory by the br that follows
            return load(i);
        case Op::store: return store(i);
        case Op::memcpy: case Op::memzero: return block_mem(i);
        case Op::call: case Op::callind: return call(i);
        case Op::preempt: { // src/ir/preempt.cpp: the stub preserves every register
            MInst& c = emit(Mn::call, 0, Operand::s("lang_preempt_stub"));
            c.imp_use = 0;
            c.imp_def = 0;
            return;
        }
        case Op::tailcall: return tailcall(i);
        case Op::select: return select(i);
        case Op::jmp: blk().jumps.push_back({codegen::kAlways, edge(b, i->target[0], false)}); return;
        case Op::br:
            if (!i->args.size || !i->target[1]) { // degenerate: an unconditional branch
                blk().jumps.push_back({codegen::kAlways, edge(b, i->target[0], false)});
                return;
            }
            return branch(b, i);
        case Op::ret: return ret_value(i->args.size ? i->args[0] : nullptr);
        case Op::unreachable: emit(Mn::ud2, 0); return;
        default:
            if (is_cmp(i->op)) {
                if (!fused[i->id]) compare_value(i);
                return;
            }
            fail("unsupported op");
            return;
        }
    }

    // Phi sources, once every block has its MBlock: immediates stay immediates, other
    // constants are materialized at the end of the edge's source block.
    void phis() {
        for (const ir::Block* b : f.blocks) {
            for (const Inst* p : b->insts) {
                if (p->op != Op::phi) break;
                MPhi mp;
                mp.dst = vreg[p->id];
                mp.first = (uint32_t)mf.phi_args.size();
                for (uint32_t k = 0; k < p->args.size; k++) {
                    uint32_t src_block = find_edge(p->phi_blocks[k]->id, b->id);
                    if (src_block == UINT32_MAX) continue; // unreachable predecessor
                    const Inst* v = p->args[k];
                    Operand src;
                    if (is_const(v) && fits32(v->imm) && !ir::is_float(p->ty)) src = Operand::i(v->imm);
                    else if (v->op == Op::iconst || v->op == Op::fconst || v->op == Op::addr || v->op == Op::slot) {
                        cur = src_block;
                        src = R(get(v), 8);
                    } else src = R(get(v), 8);
                    mf.phi_args.push_back({src_block, src});
                }
                mp.count = (uint32_t)mf.phi_args.size() - mp.first;
                mf.blocks[bindex[b->id]].phis.push_back(mp);
            }
        }
    }

    // Split-edge blocks were appended at the end; move each one right after its source
    // block. Intervals have no holes, so a block far away in the layout would stretch
    // every value live across the edge over the whole function.
    // Exchanges two blocks member by member: vector::swap is three pointer exchanges,
    // cheaper than std::swap's three moves (each move assignment checks for storage to free).
    static void swap_blocks(MBlock& a, MBlock& b) {
        static_assert(sizeof(MBlock) == 5 * sizeof(std::vector<uint32_t>) + 8, "swap every member of MBlock");
        a.insts.swap(b.insts), a.phis.swap(b.phis), a.jumps.swap(b.jumps);
        a.succs.swap(b.succs), a.preds.swap(b.preds);
        std::swap(a.ir_id, b.ir_id);
    }

    void place_split_blocks() {
        uint32_t nir = f.blocks.size, nblocks = (uint32_t)mf.blocks.size();
        if (split_src.empty()) return;
        // newidx[b]: block b's place in the new order. Block b moves down by the number
        // of split blocks placed before it, i.e. whose source is below b (a counting
        // sort on split_src, so no list per block and no malloc).
        std::vector<uint32_t>& shift = buf.shift;
        std::vector<uint32_t>& newidx = buf.newidx;
        shift.assign(nir + 1, 0);
        for (uint32_t s : split_src) shift[s + 1]++;
        for (uint32_t b = 0; b < nir; b++) shift[b + 1] += shift[b]; // split blocks with source < b+1
        newidx.resize(nblocks);
        for (uint32_t b = 0; b < nir; b++) newidx[b] = b + shift[b];
        // Split blocks of one source follow it, in their original order.
        std::vector<uint32_t>& placed = buf.placed;
        placed.assign(nir, 0);
        for (uint32_t k = 0; k < split_src.size(); k++) {
            uint32_t s = split_src[k];
            newidx[nir + k] = newidx[s] + 1 + placed[s]++;
        }
        // Permute in place, cycle by cycle through one empty block: every block's vectors
        // keep their capacity for the next function (no malloc per block), each block
        // that moves is swapped once, and the blocks before the first split source (which
        // stay where they are) are not touched.
        uint32_t lo = nir;
        for (uint32_t s : split_src) lo = std::min(lo, s + 1);
        std::vector<uint32_t>& done = shift; // (shift is not needed any more)
        done.assign(nblocks, 0);
        MBlock tmp;
        for (uint32_t b = lo; b < nblocks; b++) {
            if (done[b] || newidx[b] == b) continue;
            swap_blocks(tmp, mf.blocks[b]); // tmp holds block b; its place is empty
            for (uint32_t at = b;;) {
                uint32_t to = newidx[at];
                swap_blocks(tmp, mf.blocks[to]); // block `at` lands; tmp takes what was there
                done[to] = 1;
                if (to == b) break;
                at = to;
            }
        }
        for (MBlock& b : mf.blocks)
            for (auto& j : b.jumps) j.second = newidx[j.second];
        for (codegen::PhiArg& a : mf.phi_args) a.pred = newidx[a.pred];
    }

    void entry_params() {
        std::vector<ArgLoc>& loc = buf.argloc; // kept across functions: no malloc
        loc.assign(f.params.size, ArgLoc());
        mf.in_args = classify_args(f.params.data, f.params.size, loc.data());
        MInst& e = emit(Mn::p_entry, 0);
        for (auto& l : loc)
            if (l.reg != codegen::kNoReg) e.imp_def |= bit(l.reg);
        for (const Inst* i : f.blocks[0]->insts) {
            if (i->op != Op::param) continue;
            if (i->imm < 0 || (uint64_t)i->imm >= f.params.size) {
                fail("param index out of range");
                continue;
            }
            const ArgLoc& l = loc[i->imm];
            uint32_t d = def(i);
            bool fl = ir::is_float(i->ty);
            if (l.reg != codegen::kNoReg) {
                emit(fl ? Mn::movaps : Mn::mov, kW0 | kR1, R(d, 8), R(l.reg, 8));
            } else {
                emit(fl ? Mn::movsd : Mn::mov, kW0 | kR1, R(d, 8), Operand::m(RBP, 16 + l.stack, 8));
            }
        }
    }

    bool run() {
        uint32_t n = f.next_id;
        vreg.assign(n, codegen::kNoReg);
        uses.assign(n, 0);
        slot_disp.assign(n, 0);
        fused.assign(n, 0);
        fused_addr.assign(n, 0);
        uint32_t maxb = 0;
        for (const ir::Block* b : f.blocks) maxb = std::max(maxb, b->id + 1);
        bindex.assign(maxb, 0);
        edge_src.assign(maxb, {});
        split_src.clear();
        // Blocks beyond this function's count go to the pool rather than being destroyed:
        // their vectors keep their capacity for the split-edge blocks and later functions.
        while (mf.blocks.size() > f.blocks.size) {
            buf.block_pool.push_back(std::move(mf.blocks.back()));
            mf.blocks.pop_back();
        }
        while (mf.blocks.size() < f.blocks.size) add_block();
        for (uint32_t k = 0; k < f.blocks.size; k++) {
            bindex[f.blocks[k]->id] = k;
            mf.blocks[k].ir_id = f.blocks[k]->id;
        }
        // One walk counts uses, places slots and gives phi destinations their vregs first
        // (sources may come from later blocks); a second one, which needs the use counts,
        // decides the fusions. (Speed: these were five walks over every instruction.)
        for (const ir::Block* b : f.blocks)
            for (const Inst* i : b->insts) {
                if (i->id >= n) return fail("value id out of range"), false;
                for (const Inst* a : i->args) uses[a->id]++;
                if (i->op == Op::slot) {
                    uint32_t align = i->imm2 > 0 ? (uint32_t)i->imm2 : 8;
                    slot_disp[i->id] = -(int64_t)mf.alloc_frame((uint32_t)i->imm, align);
                } else if (i->op == Op::phi) {
                    def(i);
                }
            }
        // Address folding: `load/store (add p, x)` with the add used only there becomes
        // [p + x]. Stores of a register value keep the add: base, index and value could
        // all be spilled, and the allocator reserves only two scratch registers.
        auto fold_address = [&](const ir::Block* b, const Inst* i) {
            const Inst* p = i->args[0];
            if (p->op != Op::add || uses[p->id] != 1 || p->block != b || ty_size(p->ty) != 8) return;
            if (i->op == Op::store && !is_const(i->args[1]) && !ir::is_float(i->args[1]->ty)) return;
            bool remat = false;
            for (const Inst* a : p->args)
                remat |= a->op == Op::slot || a->op == Op::addr || (a->op == Op::iconst && !fits32(a->imm));
            if (is_const(p->args[0]) || remat) return;
            fused_addr[p->id] = 1;
        };
        for (const ir::Block* b : f.blocks) {
            for (const Inst* i : b->insts) {
                // Compare fusion: a compare used once, by its own block's br or a select.
                if ((i->op == Op::br || i->op == Op::select) && i->args.size && is_cmp(i->args[0]->op) &&
                    uses[i->args[0]->id] == 1 && i->args[0]->block == b)
                    fused[i->args[0]->id] = 1;
                else if (i->op == Op::load || i->op == Op::store)
                    fold_address(b, i);
            }
            // Load fusion: `br (load p)` with the integer load used only by the br right after
            // it (nothing in between can store) becomes `cmp [p], 0 ; jne`, e.g. the
            // preemption test.
            const Inst* t = b->term();
            if (!t || t->op != Op::br || b->insts.size < 2 || !t->args.size) continue;
            const Inst* l = t->args[0];
            if (l != b->insts[b->insts.size - 2] || l->op != Op::load || uses[l->id] != 1 || ir::is_float(l->ty))
                continue;
            fused[l->id] = 1;
        }
        cur = 0;
        line = f.blocks.size && f.blocks[0]->insts.size ? f.blocks[0]->insts[0]->line : 0;
        entry_params();
        for (uint32_t k = 0; k < f.blocks.size && ok; k++) {
            cur = k;
            const ir::Block* b = f.blocks[k];
            blk().insts.reserve(b->insts.size * 2 + 2);
            for (const Inst* i : b->insts) inst(b, i);
        }
        phis();
        place_split_blocks();
        for (uint32_t k = 0; k < mf.blocks.size(); k++)
            for (auto& j : mf.blocks[k].jumps) mf.blocks[k].succs.push_back(j.second);
        for (uint32_t k = 0; k < mf.blocks.size(); k++) {
            auto& s = mf.blocks[k].succs;
            if (s.size() == 2) { // (the usual cases, 0 to 2 successors, without sort + unique)
                if (s[0] > s[1]) std::swap(s[0], s[1]);
                else if (s[0] == s[1]) s.pop_back();
            } else if (s.size() > 2) {
                std::sort(s.begin(), s.end());
                s.erase(std::unique(s.begin(), s.end()), s.end());
            }
            for (uint32_t t : s) mf.blocks[t].preds.push_back(k);
        }
        return ok;
    }
};

} // namespace iseldetail

bool isel(const codegen::Target& t, const ir::Module& m, const ir::Func& f, MFunc& mf, Diag& diag) {
    IselBuffers buf;
    return isel(t, m, f, mf, diag, buf);
}

bool isel(const codegen::Target& t, const ir::Module& m, const ir::Func& f, MFunc& mf, Diag& diag,
          IselBuffers& buf) {
    mf.ir = &f;
    iseldetail::Sel s(t, m, f, mf, diag, *buf.impl);
    return s.run();
}

} // namespace lang::x64
