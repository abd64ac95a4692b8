// lower_math.cpp: Math's functions (sema/check_math.cpp). Sqrt, Floor, Ceil and Round are
// the IR's fsqrt/ffloor/fceil/fround (one sqrtsd or roundsd each); Abs and Min/Max are
// bit operations, compares and selects, with no branch; the others call the C library
// (the program is linked with -lm).
#include "ir/lower_impl.h"

namespace lang::lower {

// The float's bits as an integer of its size, and back.
static Inst* float_bits(Lowerer& L, Inst* v, Ty ft) {
    Inst* b = L.emit(Op::bitcast, ft == Ty::F32 ? Ty::I32 : Ty::I64, v);
    b->cty = ft;
    return b;
}

static Inst* bits_float(Lowerer& L, Inst* v, Ty ft) {
    Inst* f = L.emit(Op::bitcast, ft, v);
    f->cty = ft == Ty::F32 ? Ty::I32 : Ty::I64;
    return f;
}

static Inst* select(Lowerer& L, Ty t, Inst* c, Inst* a, Inst* b) {
    Inst* s = L.emit(Op::select, t, c, a);
    s->args.push(L.m.body(), b);
    return s;
}

static Inst* cmp(Lowerer& L, Op op, Ty t, Inst* a, Inst* b) {
    Inst* c = L.emit(op, Ty::I8, a, b);
    c->cty = t;
    return c;
}

// Math.Min / Math.Max of two values of type t.
static Inst* min_max(Lowerer& L, bool is_max, const Type* t, Inst* a, Inst* b) {
    Ty it = L.ty(t);
    if (!ir::is_float(it)) {
        Op gt = t->is_signed() ? Op::sgt : Op::ugt;
        Inst* a_wins = is_max ? cmp(L, gt, it, a, b) : cmp(L, gt, it, b, a);
        return select(L, it, a_wins, a, b);
    }
    // The larger (smaller) one; equal values may be 0.0 and -0.0, so their bits are
    // combined (Max(0.0, -0.0) is 0.0, Min is -0.0); otherwise one of them is NaN, and so
    // is their sum (C#'s rules).
    Inst* same = bits_float(L, L.emit(is_max ? Op::And : Op::Or, it == Ty::F32 ? Ty::I32 : Ty::I64,
                                      float_bits(L, a, it), float_bits(L, b, it)), it);
    Inst* rest = select(L, it, cmp(L, Op::feq, it, a, b), same, L.emit(Op::fadd, it, a, b));
    Op gt = is_max ? Op::fgt : Op::flt;
    Inst* r = select(L, it, cmp(L, gt, it, b, a), b, rest);
    return select(L, it, cmp(L, gt, it, a, b), a, r);
}

Inst* Lowerer::math_call(CallExpr* e) {
    std::vector<Inst*> a;
    for (Arg& x : e->args) a.push_back(expr(x.value));
    if (!cur || a.empty()) return undef(ty(e->type));
    const Type* t = e->type;
    Ty rt = ty(t);
    switch (e->builtin) {
    case B_MathSqrt: return emit(Op::fsqrt, rt, a[0]);
    case B_MathFloor: return emit(Op::ffloor, rt, a[0]);
    case B_MathCeil: return emit(Op::fceil, rt, a[0]);
    case B_MathRound: return emit(Op::fround, rt, a[0]);
    case B_MathAbs: {
        if (ir::is_float(rt)) { // clear the sign bit (Abs(-0.0) is 0.0; a NaN stays one)
            Ty bt = rt == Ty::F32 ? Ty::I32 : Ty::I64;
            Inst* m = iconst(bt, rt == Ty::F32 ? 0x7fffffff : INT64_MAX);
            return bits_float(*this, emit(Op::And, bt, float_bits(*this, a[0], rt), m), rt);
        }
        if (!t->is_signed()) return a[0];
        // m = x >> (bits - 1) (all ones when negative); (x ^ m) - m, checked: Abs of the
        // smallest value does not fit and panics with "integer overflow".
        Inst* m = emit(Op::sar, rt, a[0], iconst(rt, (int64_t)ir::ty_size(rt) * 8 - 1));
        return emit(Op::subchk, rt, emit(Op::Xor, rt, a[0], m), m);
    }
    case B_MathMin: return min_max(*this, false, t, a[0], a[1]);
    case B_MathMax: return min_max(*this, true, t, a[0], a[1]);
    default: break;
    }
    const char* fn = e->builtin == B_MathSin     ? "sin"
                     : e->builtin == B_MathCos   ? "cos"
                     : e->builtin == B_MathTan   ? "tan"
                     : e->builtin == B_MathAtan  ? "atan"
                     : e->builtin == B_MathExp   ? "exp"
                     : e->builtin == B_MathLog   ? "log"
                     : e->builtin == B_MathAtan2 ? "atan2"
                                                 : "pow";
    use_extern(fn);
    if (a.size() == 2) return call(fn, Ty::F64, {a[0], a[1]});
    return call(fn, Ty::F64, {a[0]});
}

} // namespace lang::lower
