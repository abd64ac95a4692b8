// check_math.cpp: the Math class of the standard library (spec 10.6). Its functions are
// known to the compiler by name, so that Sqrt, Abs, Floor, Ceil, Round, Min and Max become
// machine instructions (lower_math.cpp) instead of calls; Sin, Cos, Tan, Atan, Atan2, Exp,
// Log and Pow call the C library's functions. Math.PI and Math.E are constants.
// A program's own `Math` (a local, a type or a global) hides it, as for `Duration`.
#include "sema/check.h"

namespace lang::sema {

namespace {
struct MathFn {
    const char* name;
    Builtin b;
    uint32_t nargs;
    bool keeps_type; // Abs, Min, Max: on the arguments' own numeric type; the others on float
};
const MathFn kMathFns[] = {
    {"Sqrt", Builtin::MathSqrt, 1, false},   {"Floor", Builtin::MathFloor, 1, false},
    {"Ceil", Builtin::MathCeil, 1, false},   {"Round", Builtin::MathRound, 1, false},
    {"Sin", Builtin::MathSin, 1, false},     {"Cos", Builtin::MathCos, 1, false},
    {"Tan", Builtin::MathTan, 1, false},     {"Atan", Builtin::MathAtan, 1, false},
    {"Exp", Builtin::MathExp, 1, false},     {"Log", Builtin::MathLog, 1, false},
    {"Atan2", Builtin::MathAtan2, 2, false}, {"Pow", Builtin::MathPow, 2, false},
    {"Abs", Builtin::MathAbs, 1, true},      {"Min", Builtin::MathMin, 2, true},
    {"Max", Builtin::MathMax, 2, true},
};
const char* kMathList = "Sqrt, Abs, Floor, Ceil, Round, Min, Max, Sin, Cos, Tan, Atan, Atan2, Exp, Log, Pow";
} // namespace

// `Math` written as the prefix of a member: the library's, unless the program declares one.
bool Sema::is_math(Expr* obj) {
    if (!obj || obj->kind != ExprKind::Name) return false;
    auto* n = static_cast<NameExpr*>(obj);
    return n->name == "Math" && !lookup_local(n->name) && lookup_in_types(n->name) < 0 &&
           lookup_global(n->name, n->span, nullptr) < 0;
}

const Type* Sema::check_math_call(CallExpr* e, MemberExpr* m) {
    if (!is_math(m->object)) return nullptr;
    m->object->type = T.void_();
    m->type = T.void_();
    e->target = nullptr;
    const MathFn* f = nullptr;
    for (const MathFn& x : kMathFns)
        if (m->name == x.name) f = &x;
    if (!f) {
        if (m->name == "PI" || m->name == "E")
            diag.error(m->name_span, "'Math.%s' is a constant: write it without '()'", m->name.c_str());
        else
            diag.error(m->name_span, "'Math' has no function '%s' (%s)", m->name.c_str(), kMathList);
        for (Arg& a : e->args) expr(a.value, nullptr);
        return err();
    }
    e->builtin = m->builtin = (uint32_t)f->b;
    if (e->args.size != f->nargs) {
        diag.error(e->span, "Math.%s expects %u argument%s, found %u", f->name, f->nargs, f->nargs == 1 ? "" : "s",
                   e->args.size);
        for (Arg& a : e->args) expr(a.value, nullptr);
        return err();
    }
    for (Arg& a : e->args)
        if (a.name) diag.error(a.value->span, "named arguments are not supported yet");
    if (!f->keeps_type) { // float arguments; an integer converts (Math.Sqrt(n), as in C#)
        for (Arg& a : e->args) {
            const Type* at = expr(a.value, T.float_());
            if (is_error(at)) continue;
            if (at->is_integer()) a.value = wrap_cast(a.value, T.float_());
            else coerce(a.value, T.float_());
        }
        return T.float_();
    }
    const Type* t = expr(e->args[0].value, nullptr);
    for (Arg& a : e->args) // `Math.Abs(int.Parse(s))`: the T! must be handled first
        if (a.value->type && a.value->type->kind == TypeKind::Fallible) {
            report_fallible(a.value, "using it as a value");
            return err();
        }
    if (f->nargs == 2) {
        const Type* u = expr(e->args[1].value, nullptr);
        if (is_error(t) || is_error(u)) return err();
        if (u->kind == TypeKind::Fallible) {
            report_fallible(e->args[1].value, "using it as a value");
            return err();
        }
        if (!t->is_numeric() || !u->is_numeric()) {
            diag.error(e->span, "Math.%s needs numbers, found %s and %s", f->name, tn(t).c_str(), tn(u).c_str());
            return err();
        }
        int before = diag.error_count();
        const Type* ct = common_type(e->args[0].value, e->args[1].value); // as a + b would have
        if ((!ct || is_error(ct)) && diag.error_count() == before)
            diag.error(e->span, "Math.%s needs two numbers of one type, found %s and %s (convert one, e.g. (float)n)",
                       f->name, tn(t).c_str(), tn(u).c_str());
        return ct ? ct : err();
    }
    if (is_error(t)) return err();
    if (!t->is_numeric()) {
        diag.error(e->args[0].value->span, "Math.%s needs a number, found %s", f->name, tn(t).c_str());
        return err();
    }
    return t;
}

// Math.PI, Math.E.
const Type* Sema::check_math_const(MemberExpr* m) {
    if (!is_math(m->object)) return nullptr;
    m->object->type = T.void_();
    if (m->name == "PI") m->builtin = (uint32_t)Builtin::MathPI;
    else if (m->name == "E") m->builtin = (uint32_t)Builtin::MathE;
    else {
        diag.error(m->name_span, "'Math' has no constant '%s' (PI, E; functions are called: %s)", m->name.c_str(),
                   kMathList);
        return err();
    }
    return T.float_();
}

} // namespace lang::sema
