// duration.cpp: sema for Duration, a span of time (TypeKind::Duration, an int64 count of
// nanoseconds; doc/language/concurrency.md "Other functions", spec 10.7).
//
//  - Duration.Nanos/Micros/Millis/Seconds/Minutes/Hours(n) are CallExprs with builtin
//    DurNanos..DurHours (callee object: the name `Duration`, typed void, no decl).
//  - Arithmetic keeps the Duration: d + d, d - d, -d, d * n, n * d, d / n, d % d (n an
//    int); d / d is an int (how many times one fits in the other). The comparisons
//    compare lengths. Lowering computes all of them as checked int64 arithmetic; so
//    d * n, n * d and d / n are the one arithmetic BinaryExpr whose operands differ in
//    type (a Duration and an int, both int64).
//  - d.TotalNanos, d.TotalMicros, d.TotalMillis are ints (truncated toward zero),
//    d.TotalSeconds a float (MemberExprs with builtin DurTotalNanos..DurTotalSeconds).
//  - A Duration prints as Go's time.Duration does ("1.5s", "2m3s", "250ms", "0s").
#include "sema/check.h"

namespace lang::sema {

// Sleep/Timeout argument: a Duration, or an int number of milliseconds.
const Type* Sema::time_arg(Expr*& e) {
    const Type* t = expr(e, T.int_());
    if (t->kind == TypeKind::Duration || is_error(t)) return t;
    coerce(e, T.int_());
    return T.int_();
}

const Type* Sema::check_duration_call(CallExpr* e, MemberExpr* m) {
    if (!m->object || m->object->kind != ExprKind::Name) return nullptr;
    auto* n = static_cast<NameExpr*>(m->object);
    if (!(n->name == "Duration") || lookup_local(n->name) || lookup_in_types(n->name) >= 0 ||
        lookup_global(n->name, n->span, nullptr) >= 0)
        return nullptr;
    n->type = T.void_();
    m->type = T.void_();
    e->target = nullptr;
    static const char* const kNames[] = {"Nanos", "Micros", "Millis", "Seconds", "Minutes", "Hours"};
    int k = 0;
    while (k < 6 && !(m->name == kNames[k])) k++;
    if (k == 6) {
        diag.error(m->name_span, "'Duration' has no function '%s' (Nanos, Micros, Millis, Seconds, Minutes, Hours)",
                   m->name.c_str());
        for (Arg& a : e->args) expr(a.value, nullptr);
        return err();
    }
    e->builtin = m->builtin = (uint32_t)Builtin::DurNanos + (uint32_t)k;
    if (e->args.size != 1) {
        diag.error(e->span, "Duration.%s expects 1 argument, found %u", m->name.c_str(), e->args.size);
        for (Arg& a : e->args) expr(a.value, nullptr);
        return err();
    }
    value(e->args[0].value, T.int_());
    return T.handle(TypeKind::Duration, nullptr);
}

// An operand that must be a count: an integer converted to int.
bool Sema::duration_count(Expr*& e) {
    int cost;
    if (!e->type->is_integer() || !can_convert(e, T.int_(), &cost)) return false;
    coerce(e, T.int_());
    return true;
}

// a op b where a or b is a Duration (not a comparison). Null: not allowed (the caller
// reports it).
const Type* Sema::check_duration_binary(BinaryExpr* e) {
    const Type* dur = T.handle(TypeKind::Duration, nullptr);
    bool da = e->lhs->type->kind == TypeKind::Duration;
    bool db = e->rhs->type->kind == TypeKind::Duration;
    switch (e->op) {
    case BinOp::Add:
    case BinOp::Sub:
    case BinOp::Mod: return da && db ? dur : nullptr;
    case BinOp::Mul:
        if (da && !db) return duration_count(e->rhs) ? dur : nullptr;
        if (db && !da) return duration_count(e->lhs) ? dur : nullptr;
        return nullptr;
    case BinOp::Div:
        if (da && db) return T.int_();
        return da && duration_count(e->rhs) ? dur : nullptr;
    default: return nullptr;
    }
}

// The end of the message for a number where + - % need a Duration (else "").
const char* Sema::duration_hint(BinOp op, const Type* other) const {
    bool needs_duration = op == BinOp::Add || op == BinOp::Sub || op == BinOp::Mod;
    return needs_duration && other->is_numeric()
               ? " (make the number a Duration: Duration.Seconds(n), Duration.Millis(n), ...)"
               : "";
}

// d op= v on a Duration d: += -= %= take a Duration, *= /= an int.
bool Sema::check_duration_compound(AssignExpr* e) {
    const Type* dur = T.handle(TypeKind::Duration, nullptr);
    const Type* vt = expr(e->value, e->op == BinOp::Mul || e->op == BinOp::Div ? T.int_() : nullptr);
    if (is_error(vt)) return true;
    switch (e->op) {
    case BinOp::Add: case BinOp::Sub: case BinOp::Mod: if (vt == dur) return true; break;
    case BinOp::Mul: case BinOp::Div: if (duration_count(e->value)) return true; break;
    default: break;
    }
    diag.error(e->span, "compound assignment cannot be applied to Duration and %s%s", tn(vt).c_str(),
               duration_hint(e->op, vt));
    return true;
}

// d.TotalNanos, d.TotalMicros, d.TotalMillis (int), d.TotalSeconds (float).
const Type* Sema::check_duration_member(MemberExpr* e) {
    static const char* const kNames[] = {"TotalNanos", "TotalMicros", "TotalMillis", "TotalSeconds"};
    for (int k = 0; k < 4; k++)
        if (e->name == kNames[k]) {
            e->builtin = (uint32_t)Builtin::DurTotalNanos + (uint32_t)k;
            return k == 3 ? T.float_() : T.int_();
        }
    diag.error(e->name_span, "'Duration' has no member '%s' (TotalNanos, TotalMicros, TotalMillis, TotalSeconds)",
               e->name.c_str());
    return err();
}

} // namespace lang::sema
