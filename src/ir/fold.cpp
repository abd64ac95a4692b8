// fold.cpp: constant folding and algebraic identities, one pass in reverse postorder.
//
// Instructions are rewritten in place, so their users need no update:
//   - a constant result turns the instruction into iconst/fconst;
//   - an identity (x+0, x*1, select c,x,x, ...) turns it into `copy x`; every operand
//     read by fold looks through copies, so later users already see x, and dce removes
//     the dead copies;
//   - `br` on a constant (or with equal targets) becomes `jmp`, and the dropped edge's
//     phi entries are removed; the preds lists are recomputed at the end.
// Semantics kept exactly: integer ops wrap at their type width, constants are stored
// sign-extended to 64 bits; addchk/subchk/mulchk fold only when they cannot overflow;
// division/remainder by zero and MIN/-1, shifts by >= the width and float->int
// conversions out of range are left for run time. Float identities (x+0.0) are not
// applied: they are wrong for -0.0 and NaN. Phis are never rewritten (they must stay at
// the block start); copyprop handles trivial phis.
#include "ir/ir.h"
#include <cmath>
#include <cstring>
#include <vector>

namespace lang::ir {

namespace {

uint32_t width(Ty t) { return ty_size(t) * 8; }

int64_t sext_bits(int64_t v, uint32_t w) {
    if (w >= 64) return v;
    uint64_t m = 1ull << (w - 1);
    uint64_t u = (uint64_t)v & ((1ull << w) - 1);
    return (int64_t)((u ^ m) - m);
}
uint64_t zext_bits(int64_t v, uint32_t w) {
    if (w >= 64) return (uint64_t)v;
    return (uint64_t)v & ((1ull << w) - 1);
}
int64_t canon(int64_t v, Ty t) { return sext_bits(v, width(t)); }

Inst* look_through(Inst* a) {
    for (int guard = 0; a->op == Op::copy && a->args.size == 1 && guard < 1000; guard++) a = a->args[0];
    return a;
}

bool int_const(const Inst* a, int64_t* v) {
    if (a->op != Op::iconst) return false;
    *v = canon(a->imm, a->ty);
    return true;
}
bool float_const(const Inst* a, double* v) {
    if (a->op != Op::fconst) return false;
    *v = a->ty == Ty::F32 ? (double)(float)a->fimm : a->fimm;
    return true;
}

void to_iconst(Inst* in, int64_t v) {
    in->op = Op::iconst;
    in->imm = canon(v, in->ty);
    in->cty = Ty::Void;
    in->args.clear();
}
void to_fconst(Inst* in, double v) {
    in->op = Op::fconst;
    in->fimm = in->ty == Ty::F32 ? (double)(float)v : v;
    in->cty = Ty::Void;
    in->args.clear();
}
void to_copy(Inst* in, Inst* x) {
    in->op = Op::copy;
    in->cty = Ty::Void;
    in->args.clear();
    in->args.data[0] = x; // capacity >= 1: the instruction had operands
    in->args.size = 1;
}

// Evaluates an integer binary op on canonical values; false when it must not fold.
bool eval_int(Op op, Ty t, int64_t x, int64_t y, int64_t* r) {
    uint32_t w = width(t);
    uint64_t ux = zext_bits(x, w), uy = zext_bits(y, w);
    int64_t min = w >= 64 ? INT64_MIN : -(1ll << (w - 1));
    switch (op) {
    case Op::add: *r = (int64_t)((uint64_t)x + (uint64_t)y); return true;
    case Op::sub: *r = (int64_t)((uint64_t)x - (uint64_t)y); return true;
    case Op::mul: *r = (int64_t)((uint64_t)x * (uint64_t)y); return true;
    case Op::And: *r = x & y; return true;
    case Op::Or: *r = x | y; return true;
    case Op::Xor: *r = x ^ y; return true;
    case Op::sdiv:
        if (y == 0 || (x == min && y == -1)) return false;
        *r = x / y;
        return true;
    case Op::srem:
        if (y == 0 || (x == min && y == -1)) return false;
        *r = x % y;
        return true;
    case Op::udiv:
        if (uy == 0) return false;
        *r = (int64_t)(ux / uy);
        return true;
    case Op::urem:
        if (uy == 0) return false;
        *r = (int64_t)(ux % uy);
        return true;
    case Op::shl:
        if (uy >= w) return false;
        *r = (int64_t)(ux << uy);
        return true;
    case Op::shr:
        if (uy >= w) return false;
        *r = (int64_t)(ux >> uy);
        return true;
    case Op::sar:
        if (uy >= w) return false;
        *r = x >> uy;
        return true;
    case Op::addchk:
    case Op::subchk:
    case Op::mulchk: {
        int64_t v;
        bool ovf = op == Op::addchk ? __builtin_add_overflow(x, y, &v)
                 : op == Op::subchk ? __builtin_sub_overflow(x, y, &v)
                                    : __builtin_mul_overflow(x, y, &v);
        if (ovf || sext_bits(v, w) != v) return false;
        *r = v;
        return true;
    }
    default: return false;
    }
}

bool eval_icmp(Op op, Ty t, int64_t x, int64_t y) {
    uint32_t w = width(t);
    uint64_t ux = zext_bits(x, w), uy = zext_bits(y, w);
    switch (op) {
    case Op::eq: return x == y;
    case Op::ne: return x != y;
    case Op::slt: return x < y;
    case Op::sle: return x <= y;
    case Op::sgt: return x > y;
    case Op::sge: return x >= y;
    case Op::ult: return ux < uy;
    case Op::ule: return ux <= uy;
    case Op::ugt: return ux > uy;
    default: return ux >= uy; // uge
    }
}

// Unordered comparisons (any NaN operand) are false, except fne which is true.
bool eval_fcmp(Op op, double x, double y) {
    switch (op) {
    case Op::feq: return x == y;
    case Op::fne: return !(x == y);
    case Op::flt: return x < y;
    case Op::fle: return x <= y;
    case Op::fgt: return x > y;
    default: return x >= y; // fge
    }
}

double eval_float(Op op, Ty t, double x, double y) {
    if (t == Ty::F32) {
        float a = (float)x, b = (float)y;
        switch (op) {
        case Op::fadd: return a + b;
        case Op::fsub: return a - b;
        case Op::fmul: return a * b;
        case Op::frem: return fmodf(a, b);
        default: return a / b;
        }
    }
    switch (op) {
    case Op::fadd: return x + y;
    case Op::fsub: return x - y;
    case Op::fmul: return x * y;
    case Op::frem: return fmod(x, y);
    default: return x / y;
    }
}

Op swapped_compare(Op op) {
    switch (op) {
    case Op::slt: return Op::sgt;
    case Op::sgt: return Op::slt;
    case Op::sle: return Op::sge;
    case Op::sge: return Op::sle;
    case Op::ult: return Op::ugt;
    case Op::ugt: return Op::ult;
    case Op::ule: return Op::uge;
    case Op::uge: return Op::ule;
    case Op::flt: return Op::fgt;
    case Op::fgt: return Op::flt;
    case Op::fle: return Op::fge;
    case Op::fge: return Op::fle;
    default: return op; // eq, ne, feq, fne are symmetric
    }
}

bool is_int_binop(Op op) { return (op >= Op::add && op <= Op::sar) || (op >= Op::addchk && op <= Op::mulchk); }
bool is_float_binop(Op op) { return op >= Op::fadd && op <= Op::frem; }

bool fold_conversion(Inst* in) {
    Inst* a = in->args[0];
    int64_t x;
    double d;
    switch (in->op) {
    case Op::sext:
        if (!int_const(a, &x)) return false;
        to_iconst(in, canon(x, in->cty));
        return true;
    case Op::zext:
        if (!int_const(a, &x)) return false;
        to_iconst(in, (int64_t)zext_bits(x, width(in->cty)));
        return true;
    case Op::trunc:
        if (!int_const(a, &x)) return false;
        to_iconst(in, x);
        return true;
    case Op::sitof:
        if (!int_const(a, &x)) return false;
        to_fconst(in, in->ty == Ty::F32 ? (double)(float)canon(x, in->cty) : (double)canon(x, in->cty));
        return true;
    case Op::uitof: {
        if (!int_const(a, &x)) return false;
        uint64_t u = zext_bits(x, width(in->cty));
        to_fconst(in, in->ty == Ty::F32 ? (double)(float)u : (double)u);
        return true;
    }
    case Op::ftosi: {
        if (!float_const(a, &d) || std::isnan(d)) return false;
        double lim = std::ldexp(1.0, (int)width(in->ty) - 1);
        if (!(d > -lim - 1.0 && d < lim)) return false;
        if (d <= -lim && width(in->ty) == 64) return false; // -2^63 - 1 is not a double
        to_iconst(in, (int64_t)d);
        return true;
    }
    case Op::ftoui: {
        if (!float_const(a, &d) || std::isnan(d)) return false;
        double lim = std::ldexp(1.0, (int)width(in->ty));
        if (!(d > -1.0 && d < lim)) return false;
        to_iconst(in, (int64_t)(uint64_t)d);
        return true;
    }
    case Op::fext:
        if (!float_const(a, &d)) return false;
        to_fconst(in, d);
        return true;
    case Op::ftrunc:
        if (!float_const(a, &d)) return false;
        to_fconst(in, (double)(float)d);
        return true;
    case Op::bitcast: {
        uint64_t bitsv = 0;
        if (int_const(a, &x)) {
            bitsv = zext_bits(x, width(in->cty));
        } else if (float_const(a, &d)) {
            if (in->cty == Ty::F32) {
                float fv = (float)d;
                uint32_t u;
                memcpy(&u, &fv, 4);
                bitsv = u;
            } else {
                memcpy(&bitsv, &d, 8);
            }
        } else {
            return false;
        }
        if (in->ty == Ty::F32) {
            uint32_t u = (uint32_t)bitsv;
            float fv;
            memcpy(&fv, &u, 4);
            to_fconst(in, fv);
        } else if (in->ty == Ty::F64) {
            double dv;
            memcpy(&dv, &bitsv, 8);
            to_fconst(in, dv);
        } else {
            to_iconst(in, (int64_t)bitsv);
        }
        return true;
    }
    default: return false;
    }
}

// x op x and x op constant identities for integer ops (no constant on both sides).
void int_identities(Inst* in) {
    Inst* a = in->args[0];
    Inst* b = in->args[1];
    int64_t c = 0;
    bool bc = int_const(b, &c);
    int64_t all = canon(-1, in->ty);
    switch (in->op) {
    case Op::add: case Op::addchk:
    case Op::Or: case Op::Xor:
        if (bc && c == 0) return to_copy(in, a);
        if (a == b && in->op == Op::Xor) return to_iconst(in, 0);
        if (a == b && in->op == Op::Or) return to_copy(in, a);
        if (bc && c == all && in->op == Op::Or) return to_iconst(in, all);
        return;
    case Op::sub: case Op::subchk:
        if (bc && c == 0) return to_copy(in, a);
        if (a == b) return to_iconst(in, 0);
        return;
    case Op::mul: case Op::mulchk:
        if (bc && c == 1) return to_copy(in, a);
        if (bc && c == 0) return to_iconst(in, 0);
        return;
    case Op::And:
        if (bc && c == 0) return to_iconst(in, 0);
        if (bc && c == all) return to_copy(in, a);
        if (a == b) return to_copy(in, a);
        return;
    case Op::shl: case Op::shr: case Op::sar:
        if (bc && c == 0) return to_copy(in, a);
        return;
    case Op::sdiv: case Op::udiv:
        if (bc && c == 1) return to_copy(in, a);
        return;
    case Op::srem: case Op::urem:
        if (bc && c == 1) return to_iconst(in, 0);
        return;
    default: return;
    }
}

void fold_inst(Inst* in) {
    Op op = in->op;
    const OpInfo& oi = info(op);
    if (!(oi.flags & F_FOLD) || op == Op::iconst || op == Op::fconst) return;
    // Constants go to the right of commutative ops and compares (helps isel and the
    // identities below).
    if (in->args.size == 2 && (in->args[0]->op == Op::iconst || in->args[0]->op == Op::fconst) &&
        in->args[1]->op != Op::iconst && in->args[1]->op != Op::fconst) {
        if (oi.flags & F_COMM) {
            std::swap(in->args[0], in->args[1]);
        } else if (op >= Op::slt && op <= Op::fge) {
            std::swap(in->args[0], in->args[1]);
            in->op = op = swapped_compare(op);
        }
    }
    int64_t x, y, r;
    double fx, fy;
    if (is_int_binop(op)) {
        if (int_const(in->args[0], &x) && int_const(in->args[1], &y)) {
            if (eval_int(op, in->ty, canon(x, in->ty), canon(y, in->ty), &r)) to_iconst(in, r);
            return;
        }
        int_identities(in);
        return;
    }
    if (op == Op::neg || op == Op::Not) {
        if (int_const(in->args[0], &x)) to_iconst(in, op == Op::neg ? (int64_t)(0 - (uint64_t)x) : ~x);
        return;
    }
    if (is_float_binop(op)) {
        if (float_const(in->args[0], &fx) && float_const(in->args[1], &fy)) to_fconst(in, eval_float(op, in->ty, fx, fy));
        return;
    }
    if (op == Op::fneg) {
        if (float_const(in->args[0], &fx)) to_fconst(in, -fx);
        return;
    }
    if (op == Op::fsqrt || op == Op::ffloor || op == Op::fceil || op == Op::fround) {
        if (!float_const(in->args[0], &fx)) return;
        // As the instructions compute them: sqrt rounded once in the value's own precision;
        // floor, ceil and nearbyint (ties to even in the default rounding mode) are exact.
        double r = op == Op::fsqrt   ? (in->ty == Ty::F32 ? (double)sqrtf((float)fx) : sqrt(fx))
                   : op == Op::ffloor ? floor(fx)
                   : op == Op::fceil  ? ceil(fx)
                                      : nearbyint(fx);
        to_fconst(in, r);
        return;
    }
    if (is_int_cmp(op)) {
        if (int_const(in->args[0], &x) && int_const(in->args[1], &y)) {
            to_iconst(in, eval_icmp(op, in->cty, canon(x, in->cty), canon(y, in->cty)));
        } else if (in->args[0] == in->args[1]) {
            bool refl = op == Op::eq || op == Op::sle || op == Op::sge || op == Op::ule || op == Op::uge;
            to_iconst(in, refl);
        }
        return;
    }
    if (is_float_cmp(op)) {
        if (float_const(in->args[0], &fx) && float_const(in->args[1], &fy)) to_iconst(in, eval_fcmp(op, fx, fy));
        return;
    }
    if (op == Op::select) {
        if (int_const(in->args[0], &x)) {
            to_copy(in, in->args[x != 0 ? 1 : 2]);
        } else if (in->args[1] == in->args[2]) {
            to_copy(in, in->args[1]);
        }
        return;
    }
    fold_conversion(in);
}

void remove_phi_entry(Block* succ, Block* pred) {
    for (Inst* p : succ->insts) {
        if (p->op != Op::phi) break;
        uint32_t w = 0;
        for (uint32_t k = 0; k < p->args.size; k++) {
            if (p->phi_blocks[k] == pred) continue;
            p->args[w] = p->args[k];
            p->phi_blocks[w] = p->phi_blocks[k];
            w++;
        }
        p->args.size = p->phi_blocks.size = w;
    }
}

// Returns true when the CFG changed.
bool fold_branch(Inst* t) {
    int64_t c;
    Block* keep;
    Block* drop;
    if (t->target[0] == t->target[1]) {
        keep = t->target[0];
        drop = nullptr;
    } else if (int_const(t->args[0], &c)) {
        keep = t->target[c != 0 ? 0 : 1];
        drop = t->target[c != 0 ? 1 : 0];
    } else {
        return false;
    }
    if (drop) remove_phi_entry(drop, t->block);
    t->op = Op::jmp;
    t->args.clear();
    t->target[0] = keep;
    t->target[1] = nullptr;
    return true;
}

} // namespace

void fold(Module& m, Func& f) {
    bool cfg_changed = false;
    for (Block* b : reverse_postorder(f)) {
        for (Inst* in : b->insts) {
            for (Inst*& a : in->args) a = look_through(a);
            if (in->op == Op::br)
                cfg_changed |= fold_branch(in);
            else
                fold_inst(in);
        }
    }
    if (cfg_changed) compute_cfg(m, f);
}

} // namespace lang::ir
