// check_expr.cpp: types of expressions and implicit conversions.
//
// Job: give every expression its type, resolve names and members, and make every
// implicit conversion explicit (sema.h, "ANNOTATION CONTRACT"). `hint` is the type the
// context would like (used by literals: `let b: byte = 7` gives the literal type byte);
// `value()` additionally requires the type through `coerce()`.
// Invariants:
//  - expr() always sets e->type (Error type after a reported problem, never null).
//  - coerce() is the only place that inserts implicit CastExprs (to == nullptr).
//  - An untyped integer literal (no suffix, possibly negated) adapts to any integer
//    type it fits; the check is redone at each coerce, so re-typing is safe.
#include "sema/check.h"
#include "sema/prelude.h"
#include <cinttypes>

namespace lang::sema {

static const char* binop_str(BinOp op) {
    switch (op) {
    case BinOp::Add: return "+"; case BinOp::Sub: return "-"; case BinOp::Mul: return "*";
    case BinOp::Div: return "/"; case BinOp::Mod: return "%"; case BinOp::Shl: return "<<";
    case BinOp::Shr: return ">>"; case BinOp::BitAnd: return "&"; case BinOp::BitOr: return "|";
    case BinOp::BitXor: return "^"; case BinOp::Eq: return "=="; case BinOp::Ne: return "!=";
    case BinOp::Lt: return "<"; case BinOp::Le: return "<="; case BinOp::Gt: return ">";
    case BinOp::Ge: return ">="; case BinOp::And: return "&&"; case BinOp::Or: return "||";
    case BinOp::Coalesce: return "??";
    case BinOp::AddWrap: return "+%"; case BinOp::SubWrap: return "-%"; case BinOp::MulWrap: return "*%";
    }
    return "?";
}

// ---------------------------------------------------------------------------
// Constants and conversions.

bool Sema::is_untyped_int(Expr* e, uint64_t* mag, bool* neg) const {
    if (!e) return false;
    if (e->kind == ExprKind::IntLit) {
        auto* l = static_cast<IntLitExpr*>(e);
        if (l->suffix || l->overflow) return false;
        *mag = l->value;
        *neg = false;
        return true;
    }
    if (e->kind == ExprKind::Unary) {
        auto* u = static_cast<UnaryExpr*>(e);
        if (u->op != UnOp::Neg || !u->operand || u->operand->kind != ExprKind::IntLit) return false;
        auto* l = static_cast<IntLitExpr*>(u->operand);
        if (l->suffix || l->overflow) return false;
        *mag = l->value;
        *neg = l->value != 0;
        return true;
    }
    return false;
}

bool Sema::const_int(Expr* e, int64_t* out) const {
    uint64_t m;
    bool neg;
    if (is_untyped_int(e, &m, &neg)) {
        *out = neg ? (int64_t)(0 - m) : (int64_t)m;
        return true;
    }
    if (e && e->kind == ExprKind::IntLit) {
        *out = (int64_t)static_cast<IntLitExpr*>(e)->value;
        return true;
    }
    if (e && e->kind == ExprKind::CharLit) {
        *out = static_cast<CharLitExpr*>(e)->value;
        return true;
    }
    if (e && e->kind == ExprKind::Unary && static_cast<UnaryExpr*>(e)->op == UnOp::Neg) {
        int64_t v;
        if (const_int(static_cast<UnaryExpr*>(e)->operand, &v)) { *out = -v; return true; }
    }
    return false;
}

bool Sema::fits(uint64_t mag, bool neg, const Type* t) const {
    if (!t || !t->is_integer()) return false;
    unsigned bits = t->size * 8;
    if (t->is_signed()) {
        uint64_t lim = (uint64_t)1 << (bits - 1);
        return neg ? mag <= lim : mag < lim;
    }
    if (neg) return false;
    return bits == 64 || mag < ((uint64_t)1 << bits);
}

void Sema::set_lit_type(Expr* e, const Type* t) {
    e->type = t;
    if (e->kind == ExprKind::Unary) {
        Expr* o = static_cast<UnaryExpr*>(e)->operand;
        if (o) o->type = t;
    }
}

// A float literal without a suffix (optionally negated): it adapts to f32 or float.
static bool is_untyped_float(Expr* e) {
    if (!e) return false;
    if (e->kind == ExprKind::Unary) {
        auto* u = static_cast<UnaryExpr*>(e);
        if (u->op != UnOp::Neg) return false;
        e = u->operand;
    }
    return e && e->kind == ExprKind::FloatLit && !static_cast<FloatLitExpr*>(e)->suffix;
}

bool Sema::implicit_ok(const Type* from, const Type* to) const {
    if (from == to) return true;
    if (is_error(from) || is_error(to)) return true;
    if (from->kind == TypeKind::Never) return true; // it never produces a value
    if (from->is_integer() && to->is_integer()) {
        if (from->is_signed() == to->is_signed()) return to->size > from->size;
        if (!from->is_signed()) return to->size > from->size; // unsigned -> wider signed
        return false;
    }
    if (from->is_integer() && to->is_float()) return to->kind == TypeKind::F64 ? from->size <= 4 : from->size <= 2;
    if (from->kind == TypeKind::F32 && to->kind == TypeKind::F64) return true;
    if (from->kind == TypeKind::Pointer && to->kind == TypeKind::Pointer && to->elem->kind == TypeKind::Void)
        return true; // any *T is a *void (C's void*)
    if (from->kind == TypeKind::Class && to->kind == TypeKind::Class && derives(from->decl, to->decl)) return true;
    // A class (or a struct, boxed) to an interface it implements; an interface to one it extends.
    if ((from->kind == TypeKind::Class || from->kind == TypeKind::Interface || from->kind == TypeKind::Struct) &&
        to->kind == TypeKind::Interface &&
        implements(from->decl, to->decl))
        return true;
    return false;
}

Expr* Sema::wrap_cast(Expr* e, const Type* to) {
    CastExpr* c = arena.make<CastExpr>();
    c->kind = ExprKind::Cast;
    c->span = e->span;
    c->to = nullptr;
    c->operand = e;
    c->type = to;
    return c;
}

// Whether `e` (already checked) converts implicitly to `to`; cost 0 = exact.
bool Sema::can_convert(Expr* e, const Type* to, int* cost) {
    *cost = 0;
    if (!e || !e->type) return false;
    const Type* from = e->type;
    if (is_error(from) || is_error(to)) return true;
    uint64_t m;
    bool neg;
    if (is_untyped_int(e, &m, &neg)) {
        if (to->is_integer()) { *cost = to->kind == TypeKind::I64 ? 0 : 1; return fits(m, neg, to); }
        if (to->is_float()) { *cost = 2; return true; }
        if (to->kind == TypeKind::Nullable) return can_convert(e, to->elem, cost);
        return false;
    }
    if (from == to) return true;
    *cost = 1;
    if (to->kind == TypeKind::Fallible && from->kind != TypeKind::Fallible && to->elem->kind != TypeKind::Void)
        return can_convert(e, to->elem, cost);
    if (is_untyped_float(e) && to->is_float()) return true;
    if (from->kind == TypeKind::Null && (to->kind == TypeKind::Nullable || to->kind == TypeKind::Pointer)) return true;
    if (from->kind == TypeKind::String && to->kind == TypeKind::CString) return true; // a C call's argument (ffi.cpp)
    if (implicit_ok(from, to)) return true;
    if (to->kind == TypeKind::Nullable && (from == to->elem || implicit_ok(from, to->elem))) return true;
    if (e->kind == ExprKind::ArrayLit && to->kind == TypeKind::Array) {
        auto* a = static_cast<ArrayLitExpr*>(e);
        for (Expr* x : a->elems) {
            int c2;
            if (!can_convert(x, to->elem, &c2)) return false;
        }
        return true;
    }
    if (e->kind == ExprKind::TupleLit && to->kind == TypeKind::Tuple) {
        auto* t = static_cast<TupleLitExpr*>(e);
        if (t->elems.size != to->count) return false;
        for (uint32_t i = 0; i < t->elems.size; i++) {
            int c2;
            if (!can_convert(t->elems[i], to->elems[i], &c2)) return false;
        }
        return true;
    }
    return false;
}

bool Sema::coerce(Expr*& e, const Type* to) {
    if (!e || !to) return false;
    const Type* from = e->type ? e->type : err();
    if (from == to) {
        uint64_t m; bool neg;
        if (is_untyped_int(e, &m, &neg) && !fits(m, neg, to)) {
            diag.error(e->span, "constant %s%" PRIu64 " does not fit in %s", neg ? "-" : "", m, tn(to).c_str());
            return false;
        }
        return true;
    }
    if (is_error(from) || is_error(to)) return true;
    if (to->kind == TypeKind::Fallible && from->kind != TypeKind::Fallible && to->elem->kind != TypeKind::Void) {
        if (!coerce(e, to->elem)) return false; // a success value: T -> T!
        e = wrap_cast(e, to);
        return true;
    }
    if (from->kind == TypeKind::Fallible && to->kind != TypeKind::Fallible) {
        report_fallible(e, "using it as a value");
        return false;
    }
    uint64_t m;
    bool neg;
    if (is_untyped_int(e, &m, &neg)) {
        const Type* target = to->kind == TypeKind::Nullable ? to->elem : to;
        if (target->is_integer()) {
            if (!fits(m, neg, target)) {
                diag.error(e->span, "constant %s%" PRIu64 " does not fit in %s", neg ? "-" : "", m,
                           tn(target).c_str());
                set_lit_type(e, target);
                return false;
            }
            set_lit_type(e, target);
            if (target != to) e = wrap_cast(e, to);
            return true;
        }
        if (target->is_float()) {
            if (!fits(m, neg, T.int_())) set_lit_type(e, T.prim(TypeKind::U64));
            else set_lit_type(e, T.int_());
            e = wrap_cast(e, target);
            if (target != to) e = wrap_cast(e, to);
            return true;
        }
    }
    if (is_untyped_float(e) && to->is_float()) {
        set_lit_type(e, to);
        return true;
    }
    if (from->kind == TypeKind::Null && (to->kind == TypeKind::Nullable || to->kind == TypeKind::Pointer)) {
        e->type = to;
        return true;
    }
    if (implicit_ok(from, to) || (from->kind == TypeKind::String && to->kind == TypeKind::CString)) {
        e = wrap_cast(e, to); // (a string to a C call's cstring parameter: ffi.cpp)
        return true;
    }
    if (to->kind == TypeKind::Nullable && to->elem != T.void_()) {
        int cost;
        if (can_convert(e, to->elem, &cost)) {
            coerce(e, to->elem);
            e = wrap_cast(e, to);
            return true;
        }
    }
    if (e->kind == ExprKind::ArrayLit && to->kind == TypeKind::Array) {
        auto* a = static_cast<ArrayLitExpr*>(e);
        int cost;
        if (a->elems.empty() || can_convert(e, to, &cost)) {
            bool ok = true;
            for (Expr*& x : a->elems) ok = coerce(x, to->elem) && ok;
            a->type = to;
            return ok;
        }
    }
    if (e->kind == ExprKind::TupleLit && to->kind == TypeKind::Tuple) {
        auto* t = static_cast<TupleLitExpr*>(e);
        if (t->elems.size == to->count) {
            bool ok = true;
            for (uint32_t i = 0; i < t->elems.size; i++) ok = coerce(t->elems[i], to->elems[i]) && ok;
            t->type = to;
            return ok;
        }
    }
    const Type* ti = to->kind == TypeKind::Nullable ? to->elem : to;
    if (ti->kind == TypeKind::Interface && (from->kind == TypeKind::Class || from->kind == TypeKind::Interface)) {
        diag.error(e->span, "type mismatch: %s %s does not %s interface %s",
                   from->kind == TypeKind::Class ? "class" : "interface", tn(from).c_str(),
                   from->kind == TypeKind::Class ? "implement" : "extend", tn(ti).c_str());
        return false;
    }
    if (ti->kind == TypeKind::Interface && from->kind == TypeKind::Struct && from->decl && ti->decl) {
        diag.error(e->span, "type mismatch: struct %s does not implement interface %s", tn(from).c_str(),
                   tn(ti).c_str());
        return false;
    }
    diag.error(e->span, "type mismatch: expected %s, found %s", tn(to).c_str(), tn(from).c_str());
    return false;
}

const Type* Sema::value(Expr*& e, const Type* want) {
    if (!e) return err();
    const Type* t = expr(e, want);
    if (want && t != want) {
        if (t->kind == TypeKind::Void && !is_error(want)) {
            diag.error(e->span, "expression has no value (type void)");
            return err();
        }
        coerce(e, want);
        return want;
    }
    return t;
}

// Converts both operands to a common type: a literal adapts to the other side, then
// lossless widening either way, then both integers to int. Null when there is none.
const Type* Sema::common_type(Expr*& a, Expr*& b) {
    const Type* ta = a->type;
    const Type* tb = b->type;
    if (is_error(ta) || is_error(tb)) return err();
    uint64_t m;
    bool neg;
    bool la = is_untyped_int(a, &m, &neg) || is_untyped_float(a);
    int cost;
    if (ta == tb) {
        if (la && is_untyped_int(a, &m, &neg)) coerce(a, ta);
        if (is_untyped_int(b, &m, &neg)) coerce(b, tb);
        return ta;
    }
    if (la && can_convert(a, tb, &cost)) { coerce(a, tb); return tb; }
    if (can_convert(b, ta, &cost)) { coerce(b, ta); return ta; }
    if (can_convert(a, tb, &cost)) { coerce(a, tb); return tb; }
    if (ta->is_integer() && tb->is_integer() && implicit_ok(ta, T.int_()) && implicit_ok(tb, T.int_())) {
        coerce(a, T.int_());
        coerce(b, T.int_());
        return T.int_();
    }
    if (ta->kind == TypeKind::Class && tb->kind == TypeKind::Class) { // the nearest common base class
        for (TypeDecl* c = ta->decl; c; c = base_of(c))
            if (derives(tb->decl, c)) {
                coerce(a, c->type);
                coerce(b, c->type);
                return c->type;
            }
    }
    return nullptr;
}

bool Sema::to_string_ok(const Type* t) const {
    return t->is_numeric() || t->kind == TypeKind::Bool || t->kind == TypeKind::Char ||
           t->kind == TypeKind::String || t->kind == TypeKind::TypeInfo || // TypeInfo: its Name
           t->kind == TypeKind::Duration;                                  // "1.5s" (duration.cpp)
}

Decl* Sema::ref_decl(Expr* e) const {
    if (!e) return nullptr;
    if (e->kind == ExprKind::Name) return static_cast<NameExpr*>(e)->decl;
    if (e->kind == ExprKind::Member) return static_cast<MemberExpr*>(e)->decl;
    return nullptr;
}

// ---------------------------------------------------------------------------
// Expressions.

const Type* Sema::unsupported(Expr* e, const char* what) {
    diag.error(e->span, "%s not supported yet", what);
    return err();
}

static const Type* suffix_type(TypeTable& T, Ident s) {
    static const struct { const char* n; TypeKind k; } tab[] = {
        {"i8", TypeKind::I8}, {"i16", TypeKind::I16}, {"i32", TypeKind::I32}, {"i64", TypeKind::I64},
        {"u8", TypeKind::U8}, {"u16", TypeKind::U16}, {"u32", TypeKind::U32}, {"u64", TypeKind::U64},
        {"int", TypeKind::I64}, {"byte", TypeKind::U8}, {"f32", TypeKind::F32}, {"f64", TypeKind::F64},
    };
    for (auto& e : tab)
        if (s == e.n) return T.prim(e.k);
    return nullptr;
}

const Type* Sema::expr(Expr* e, const Type* hint) {
    if (!e) return err();
    if (hint && is_error(hint)) hint = nullptr;
    const Type* t = err();
    switch (e->kind) {
    case ExprKind::IntLit: {
        auto* l = static_cast<IntLitExpr*>(e);
        if (l->overflow) {
            diag.error(e->span, "integer literal is too large");
            break;
        }
        if (l->suffix) {
            const Type* st = suffix_type(T, l->suffix);
            if (!st) {
                diag.error(e->span, "unknown literal suffix '%s'", l->suffix.c_str());
                break;
            }
            if (st->is_integer() && !fits(l->value, false, st)) {
                diag.error(e->span, "constant %" PRIu64 " does not fit in %s", l->value, tn(st).c_str());
                break;
            }
            t = st;
            break;
        }
        const Type* h = hint && hint->kind == TypeKind::Nullable ? hint->elem : hint;
        if (h && h->is_integer() && fits(l->value, false, h)) t = h;
        else if (fits(l->value, false, T.int_())) t = T.int_();
        else if (h && h->is_float()) t = T.prim(TypeKind::U64);
        else {
            diag.error(e->span, "constant %" PRIu64 " does not fit in int", l->value);
            t = T.int_();
        }
        break;
    }
    case ExprKind::FloatLit: {
        if (Ident sfx = static_cast<FloatLitExpr*>(e)->suffix) { // 1.5f32 is an f32 wherever it stands
            t = suffix_type(T, sfx);
            break;
        }
        const Type* h = hint && hint->kind == TypeKind::Nullable ? hint->elem : hint;
        t = h && h->kind == TypeKind::F32 ? h : T.float_();
        break;
    }
    case ExprKind::CharLit: t = T.char_(); break;
    case ExprKind::StringLit: t = T.string(); break;
    case ExprKind::BoolLit: t = T.bool_(); break;
    case ExprKind::NullLit:
        t = hint && hint->kind == TypeKind::Nullable ? hint : T.prim(TypeKind::Null);
        break;
    case ExprKind::InterpString: t = check_interp(static_cast<InterpStringExpr*>(e)); break;
    case ExprKind::Name: t = check_name(static_cast<NameExpr*>(e), false); break;
    case ExprKind::This: t = check_this(e); break;
    case ExprKind::Base: {
        TypeDecl* b = fn_.self ? base_of(fn_.self_decl) : nullptr;
        if (b && !lambda_stack_.empty()) capture_this(); // closures.cpp
        if (!b) {
            diag.error(e->span, "'base' is only available in methods of a class with a base class");
            break;
        }
        t = b->type;
        break;
    }
    case ExprKind::Member:
        t = check_math_const(static_cast<MemberExpr*>(e)); // Math.PI (check_math.cpp)
        if (!t) t = check_member(static_cast<MemberExpr*>(e), false);
        break;
    case ExprKind::TupleIndex: {
        auto* ti = static_cast<TupleIndexExpr*>(e);
        const Type* ot = expr(ti->object, nullptr);
        if (is_error(ot)) break;
        if (ot->kind != TypeKind::Tuple) {
            diag.error(e->span, "'.%u' needs a tuple, found %s", ti->index, tn(ot).c_str());
            break;
        }
        if (ti->index >= ot->count) {
            diag.error(e->span, "tuple index %u is out of range for %s", ti->index, tn(ot).c_str());
            break;
        }
        t = ot->elems[ti->index];
        break;
    }
    case ExprKind::Index: t = check_index(static_cast<IndexExpr*>(e)); break;
    case ExprKind::Call: t = check_call(static_cast<CallExpr*>(e), hint); break;
    case ExprKind::Unary: t = check_unary(static_cast<UnaryExpr*>(e), hint); break;
    case ExprKind::Binary: t = check_binary(static_cast<BinaryExpr*>(e), hint); break;
    case ExprKind::Assign: t = check_assign(static_cast<AssignExpr*>(e)); break;
    case ExprKind::Ternary: t = check_ternary(static_cast<TernaryExpr*>(e), hint); break;
    case ExprKind::Cast: t = check_cast(static_cast<CastExpr*>(e)); break;
    case ExprKind::New: t = check_new(static_cast<NewExpr*>(e)); break;
    case ExprKind::ArrayLit: t = check_array_lit(static_cast<ArrayLitExpr*>(e), hint); break;
    case ExprKind::TupleLit: t = check_tuple_lit(static_cast<TupleLitExpr*>(e), hint); break;
    case ExprKind::Range: t = check_range(static_cast<RangeExpr*>(e), hint); break;
    case ExprKind::Match: t = check_match(static_cast<MatchExpr*>(e), hint, false); break;
    case ExprKind::Is: {
        auto* ie = static_cast<IsExpr*>(e);
        const Type* ot = expr(ie->operand, nullptr);
        if (ot->kind == TypeKind::Void || ot->kind == TypeKind::Never) {
            diag.error(ie->operand->span, "'is' needs a value");
            ot = err();
        }
        check_pattern(ie->pattern, ot);
        if (fn_.fn) fn_.fn->has_is = true; // (lowering prepares owners only where there are some)
        t = T.bool_();
        break;
    }
    case ExprKind::As: {
        // x as C: x when its dynamic class is C or derives from it, else null (type C?).
        auto* ae = static_cast<AsExpr*>(e);
        const Type* ot = expr(ae->operand, nullptr);
        const Type* to = resolve_type(ae->to);
        if (is_error(ot) || is_error(to)) break;
        const Type* want = to->kind == TypeKind::Nullable ? to->elem : to;
        const Type* have = ot->kind == TypeKind::Nullable ? ot->elem : ot;
        if (want->kind == TypeKind::Interface) {
            diag.error(e->span, "'as' with an interface type (%s) is not supported yet", tn(want).c_str());
            break;
        }
        // On an interface value any class may be tested (a derived class may implement it).
        if (want->kind != TypeKind::Class ||
            (have->kind != TypeKind::Interface &&
             (have->kind != TypeKind::Class ||
              !(derives(want->decl, have->decl) || derives(have->decl, want->decl))))) {
            diag.error(e->span, "'as' converts between related classes; %s and %s are not",
                       tn(ot).c_str(), tn(to).c_str());
            break;
        }
        t = T.nullable(want);
        break;
    }
    case ExprKind::Lambda: t = check_lambda(static_cast<LambdaExpr*>(e), hint); break;
    case ExprKind::Try: t = check_try(static_cast<TryExpr*>(e)); break;
    case ExprKind::Catch: t = check_catch(static_cast<CatchExpr*>(e), hint); break;
    case ExprKind::Typeof: t = check_typeof(static_cast<TypeofExpr*>(e)); break;
    case ExprKind::Sizeof: t = unsupported(e, "'sizeof' is"); break;
    case ExprKind::Spawn: t = check_spawn(static_cast<SpawnExpr*>(e)); break;
    case ExprKind::RefArg: {
        // Only valid as a call argument (check_arg_modes checks the parameter's mode).
        auto* r = static_cast<RefArgExpr*>(e);
        t = expr(r->operand, hint);
        if (!r->is_own && !is_error(t)) {
            Decl* d = r->operand->kind == ExprKind::Name ? static_cast<NameExpr*>(r->operand)->decl : nullptr;
            Expr* via = r->operand->kind == ExprKind::Index    ? static_cast<IndexExpr*>(r->operand)->call
                        : r->operand->kind == ExprKind::Member ? static_cast<MemberExpr*>(r->operand)->call
                                                               : nullptr;
            if (via) { // C#'s rule too: the value comes from a call, there is no place to pass
                const std::string& text = c.sources.file(r->operand->span.file).text;
                std::string what(text, r->operand->span.begin, r->operand->span.end - r->operand->span.begin);
                diag.error(r->operand->span, "cannot pass '%s' as 'ref': it is read through %s, not a variable, field or array element",
                           what.c_str(), r->operand->kind == ExprKind::Index ? "an indexer (get_Item)" : "a property getter");
            } else if (d && d->kind == DeclKind::Local && !static_cast<LocalDecl*>(d)->is_mutable)
                diag.error(r->operand->span, "cannot pass '%s' as 'ref': it is declared with 'let'", d->name.c_str());
            else if (d && d->kind == DeclKind::Param && static_cast<ParamDecl*>(d)->mode != ParamMode::Ref)
                diag.error(r->operand->span, "cannot pass parameter '%s' as 'ref': parameters are immutable",
                           d->name.c_str());
            else
                require_mutable(r->operand, r->operand->span, nullptr);
        }
        break;
    }
    case ExprKind::CallerLoc: t = check_caller_loc(e); break; // context.cpp
    }
    e->type = t ? t : err();
    return e->type;
}

const Type* Sema::check_this(Expr* e) {
    if (!fn_.self) {
        diag.error(e->span, "'this' is only available in instance methods and constructors");
        return err();
    }
    if (!lambda_stack_.empty()) capture_this(); // closures.cpp
    return fn_.self;
}

// A name in value position (prefix_ok: also a type or namespace, as the object of a member).
const Type* Sema::check_name(NameExpr* e, bool prefix_ok) {
    if (!e->generic_args().empty()) {
        if (prefix_ok) return generic_type_prefix(e); // `Box<int>.Of(3)` (generics.cpp)
        return unsupported(e, "generic function calls are");
    }
    Decl* ld = lookup_local(e->name);
    if (!ld) ld = capture(e->name, e->span); // lambdas.cpp
    if (ld) {
        e->decl = ld;
        if (closure_use(ld, e)) return err();
        return ld->type ? ld->type : err();
    }
    int32_t s = lookup_in_types(e->name);
    bool ambiguous = false;
    if (s < 0) s = lookup_global(e->name, e->span, &ambiguous);
    if (ambiguous) return err();
    if (s < 0) {
        if (prefix_ok && e->name == id_console) return T.void_(); // builtin Console prefix
        if (e->name == "Json") // the library's Json is only called (json.cpp)
            diag.error(e->span, "'Json' is not a value: call Json.Serialize(value) or Json.Deserialize<T>(text)");
        else
            diag.error(e->span, "undefined name '%s'", e->name.c_str());
        return err();
    }
    Decl* d = sym_list_[s].decl;
    e->decl = d;
    switch (d->kind) {
    case DeclKind::Local: // a namespace-level let/var
        if (!check_access(d, e->span)) return err();
        if (used_too_early(d, e->span)) return err();
        if (!d->type) {
            diag.error(e->span, "'%s' is used before its declaration is checked (initializers run in declaration order)",
                       e->name.c_str());
            return err();
        }
        return d->type;
    case DeclKind::Field: {
        auto* f = static_cast<FieldDecl*>(d);
        if (f->mods & M_STATIC) return used_too_early(f, e->span) ? err() : f->type ? f->type : err();
        if (!fn_.self || !derives(fn_.self_decl, static_cast<TypeDecl*>(f->parent))) {
            if (derives(fn_.self_decl, static_cast<TypeDecl*>(f->parent)))
                diag.error(e->span, "instance field '%s' cannot be used in a static method", e->name.c_str());
            else
                diag.error(e->span, "field '%s' of an enclosing type cannot be used here", e->name.c_str());
            return err();
        }
        if (f->parent != fn_.self_decl && !check_access(f, e->span)) return err(); // inherited
        if (!lambda_stack_.empty()) capture_this(); // closures.cpp
        return f->type ? f->type : err();
    }
    case DeclKind::Type:
        if (!check_access(d, e->span)) return err();
        if (!static_cast<TypeDecl*>(d)->type_params.empty()) {
            diag.error(e->span, "generic type '%s' needs type arguments here", e->name.c_str());
            return err();
        }
        if (!prefix_ok) {
            diag.error(e->span, "'%s' is a type, not a value", e->name.c_str());
            return err();
        }
        return d->type ? d->type : err();
    case DeclKind::Namespace:
        if (!prefix_ok) {
            diag.error(e->span, "'%s' is a namespace, not a value", e->name.c_str());
            return err();
        }
        return T.void_();
    case DeclKind::EnumCase:
        return d->type;
    case DeclKind::Func:
        if (static_cast<FuncDecl*>(d)->is_property) return property_read(nullptr, e, &e->call); // properties.cpp
        return function_value(e, e->name, s, &e->decl);
    default:
        diag.error(e->span, "'%s' cannot be used here", e->name.c_str());
        return err();
    }
}

const Type* Sema::check_operand(Expr* e) {
    if (!e) return err();
    const Type* t;
    if (e->kind == ExprKind::Name) t = check_name(static_cast<NameExpr*>(e), true);
    else if (e->kind == ExprKind::Member) t = check_member(static_cast<MemberExpr*>(e), true);
    else return expr(e, nullptr);
    e->type = t ? t : err();
    return e->type;
}

// The receiver of `a?.x` / `a?.M()`: checks `a`, which must be a T? with T a struct,
// class, string or array; returns T (null after an error, already reported).
const Type* Sema::null_safe_receiver(MemberExpr* e) {
    const Type* ot = expr(e->object, nullptr);
    if (is_error(ot)) return nullptr;
    if (ot->kind != TypeKind::Nullable ||
        (ot->elem->kind != TypeKind::Struct && ot->elem->kind != TypeKind::Class &&
         ot->elem->kind != TypeKind::Interface && ot->elem->kind != TypeKind::String && ot->elem->kind != TypeKind::Array &&
         ot->elem->kind != TypeKind::StringBuilder && ot->elem->kind != TypeKind::TypeInfo &&
         ot->elem->kind != TypeKind::FieldInfo)) {
        diag.error(e->span, "'?.' needs a nullable struct, class, string, array or TypeInfo value, found %s", tn(ot).c_str());
        return nullptr;
    }
    return ot->elem;
}

const Type* Sema::check_member(MemberExpr* e, bool prefix_ok) {
    if (!e->generic_args().empty()) return unsupported(e, "generic method calls are");
    if (e->null_safe) {
        // a?.f: a has type T? (T a struct or class); the result is f's type made nullable.
        // s?.Length / s?.ByteLength (string?) and a?.Length (T[]?) give int?.
        const Type* ot = null_safe_receiver(e);
        if (!ot) return err();
        if (ot->kind == TypeKind::StringBuilder) { // sb?.Length
            if (e->name == id_length) {
                e->builtin = (uint32_t)Builtin::SbLength;
                return T.nullable(T.int_());
            }
            diag.error(e->name_span, "type %s has no member '%s'", tn(ot).c_str(), e->name.c_str());
            return err();
        }
        if (ot->kind == TypeKind::String || ot->kind == TypeKind::Array) {
            if (e->name == id_length)
                e->builtin = (uint32_t)(ot->kind == TypeKind::String ? Builtin::StringLength : Builtin::ArrayLength);
            else if (e->name == id_bytelength && ot->kind == TypeKind::String)
                e->builtin = (uint32_t)Builtin::StringByteLength;
            if (e->builtin) return T.nullable(T.int_());
            if (ot->kind == TypeKind::String && (e->name == "Substring" || e->name == "Chars"))
                diag.error(e->span, "method '%s' must be called", e->name.c_str());
            else
                diag.error(e->name_span, "type %s has no member '%s'", tn(ot).c_str(), e->name.c_str());
            return err();
        }
        if (ot->kind == TypeKind::TypeInfo || ot->kind == TypeKind::FieldInfo) { // t.Base?.Name (reflect.cpp)
            const Type* mt = check_reflect_member(e, ot);
            if (is_error(mt)) return err();
            return mt->kind == TypeKind::Nullable ? mt : T.nullable(mt);
        }
        int32_t s = lookup_member(ot->decl, e->name);
        if (s < 0 && e->name == "Name" && is_error_class(ot)) { // e?.Name: the run-time class name
            e->builtin = (uint32_t)Builtin::ErrorName;
            return T.nullable(T.string());
        }
        Decl* d = s >= 0 ? sym_list_[s].decl : nullptr;
        if (d && d->kind == DeclKind::Func && static_cast<FuncDecl*>(d)->is_property)
            return property_read(e, nullptr, &e->call); // properties.cpp: o?.P
        if (!d || d->kind != DeclKind::Field || (d->mods & M_STATIC)) {
            if (d && d->kind == DeclKind::Func)
                diag.error(e->span, "method '%s' must be called", e->name.c_str());
            else if (d && d->kind == DeclKind::Field)
                diag.error(e->name_span, "static field '%s' must be used through its type: '%s.%s'", e->name.c_str(),
                           ot->decl->name.c_str(), e->name.c_str());
            else
                diag.error(e->name_span, "type %s has no field '%s'", tn(ot).c_str(), e->name.c_str());
            return err();
        }
        e->decl = d;
        if (!check_access(d, e->name_span)) return err();
        const Type* ft = d->type ? d->type : err();
        if (is_error(ft)) return err();
        return ft->kind == TypeKind::Nullable ? ft : T.nullable(ft);
    }
    if (is_context_name(e->object)) return check_context_member(e); // context.cpp
    const Type* ot = check_operand(e->object);
    if (is_error(ot)) return err();
    if (is_console(e->object, id_console)) {
        if (e->name == id_error && prefix_ok) { // Console.Error.Write...
            e->builtin = (uint32_t)Builtin::ConsoleError;
            return T.void_();
        }
        if (e->name == id_error)
            diag.error(e->span, "'Console.Error' is not a value: call 'Console.Error.Write(x)' or 'Console.Error.WriteLine(x)'");
        else if (e->name == id_write || e->name == id_writeline)
            diag.error(e->span, "'Console.%s' must be called", e->name.c_str());
        else
            diag.error(e->name_span, "'Console' has no member '%s'", e->name.c_str());
        return err();
    }
    Decl* od = ref_decl(e->object);
    if (od && od->kind == DeclKind::Namespace) {
        NsInfo* ns = ns_of(od);
        int32_t s = ns ? sym_find(ns, e->name) : -1;
        if (s >= 0) s = first_visible(s);
        if (s < 0) {
            diag.error(e->name_span, "namespace '%s' has no member '%s'", ns ? ns->path.c_str() : "?", e->name.c_str());
            return err();
        }
        Decl* d = sym_list_[s].decl;
        e->decl = d;
        if (!check_access(d, e->name_span)) return err();
        if (d->kind == DeclKind::Namespace) {
            if (!prefix_ok) { diag.error(e->span, "'%s' is a namespace, not a value", e->name.c_str()); return err(); }
            return T.void_();
        }
        if (d->kind == DeclKind::Type) {
            if (!prefix_ok) { diag.error(e->span, "'%s' is a type, not a value", e->name.c_str()); return err(); }
            return d->type;
        }
        if (d->kind == DeclKind::Local) {
            if (used_too_early(d, e->span)) return err();
            if (!d->type) {
                diag.error(e->span, "'%s' is used before its declaration is checked", e->name.c_str());
                return err();
            }
            return d->type;
        }
        if (d->kind == DeclKind::Func) return function_value(e, e->name, s, &e->decl); // Namespace.F as a value
        diag.error(e->span, "function '%s' must be called", e->name.c_str());
        return err();
    }
    if (od && od->kind == DeclKind::Type && (e->object->kind == ExprKind::Name || e->object->kind == ExprKind::Member) &&
        ot == od->type) {
        auto* td = static_cast<TypeDecl*>(od);
        int32_t s = lookup_member(td, e->name);
        if (s < 0) {
            if (td->tkind == TypeDeclKind::Enum)
                diag.error(e->name_span, "enum '%s' has no case '%s'", td->name.c_str(), e->name.c_str());
            else
                diag.error(e->name_span, "%s '%s' has no member '%s'", tkind_word(td), td->name.c_str(), e->name.c_str());
            return err();
        }
        Decl* d = sym_list_[s].decl;
        e->decl = d;
        if (!check_access(d, e->name_span)) return err();
        switch (d->kind) {
        case DeclKind::EnumCase:
            if (!static_cast<EnumCaseDecl*>(d)->payload.empty()) {
                diag.error(e->span, "enum case '%s' has a payload: it must be called", e->name.c_str());
                return err();
            }
            return d->type;
        case DeclKind::Type:
            if (!prefix_ok) { diag.error(e->span, "'%s' is a type, not a value", e->name.c_str()); return err(); }
            return d->type;
        case DeclKind::Field:
            if (d->mods & M_STATIC) return used_too_early(d, e->span) ? err() : d->type ? d->type : err();
            diag.error(e->span, "'%s' is an instance field: it needs an object, not the type '%s'", e->name.c_str(),
                       td->name.c_str());
            return err();
        case DeclKind::Func:
            if (static_cast<FuncDecl*>(d)->is_property) return property_read(e, nullptr, &e->call); // Type.P
            if (d->mods & M_STATIC) return function_value(e, e->name, s, &e->decl); // Type.F as a value
            diag.error(e->span, "method '%s' must be called", e->name.c_str());
            return err();
        default:
            diag.error(e->span, "method '%s' must be called", e->name.c_str());
            return err();
        }
    }
    // A value.
    switch (ot->kind) {
    case TypeKind::String:
        if (e->name == id_length) { e->builtin = (uint32_t)Builtin::StringLength; return T.int_(); }
        if (e->name == id_bytelength) { e->builtin = (uint32_t)Builtin::StringByteLength; return T.int_(); }
        break;
    case TypeKind::Array:
        if (e->name == id_length) { e->builtin = (uint32_t)Builtin::ArrayLength; return T.int_(); }
        break;
    case TypeKind::TypeInfo:
    case TypeKind::FieldInfo: return check_reflect_member(e, ot); // reflect.cpp
    case TypeKind::Duration: return check_duration_member(e);     // duration.cpp
    case TypeKind::StringBuilder: // sb.Length: characters so far
        if (e->name == id_length) { e->builtin = (uint32_t)Builtin::SbLength; return T.int_(); }
        break;
    case TypeKind::Struct:
    case TypeKind::Class:
    case TypeKind::Interface: {
        int32_t s = lookup_member(ot->decl, e->name);
        if (s < 0 && e->name == "Name" && is_error_class(ot)) { // the run-time class name
            e->builtin = (uint32_t)Builtin::ErrorName;
            return T.string();
        }
        if (s < 0) break;
        Decl* d = sym_list_[s].decl;
        e->decl = d;
        if (!check_access(d, e->name_span)) return err();
        if (d->kind == DeclKind::Field && (d->mods & M_STATIC)) {
            diag.error(e->name_span, "static field '%s' must be used through its type: '%s.%s'", e->name.c_str(),
                       ot->decl->name.c_str(), e->name.c_str());
            return err();
        }
        if (d->kind == DeclKind::Field) return d->type ? d->type : err();
        if (d->kind == DeclKind::Func && static_cast<FuncDecl*>(d)->is_property)
            return property_read(e, nullptr, &e->call); // properties.cpp: o.P
        if (d->kind == DeclKind::Func) return method_value(e, ot, s); // method_values.cpp
        diag.error(e->name_span, "'%s' cannot be used through a value", e->name.c_str());
        return err();
    }
    case TypeKind::Void:
        diag.error(e->span, "a void expression has no members");
        return err();
    case TypeKind::Fallible:
        report_fallible(e->object, "using its members");
        return err();
    default: break;
    }
    diag.error(e->name_span, "type %s has no member '%s'", tn(ot).c_str(), e->name.c_str());
    return err();
}

const Type* Sema::check_unary(UnaryExpr* e, const Type* hint) {
    switch (e->op) {
    case UnOp::Neg: {
        uint64_t m;
        bool neg;
        if (is_untyped_int(e, &m, &neg)) {
            const Type* h = hint && hint->kind == TypeKind::Nullable ? hint->elem : hint;
            const Type* t = h && h->is_integer() && fits(m, neg, h) ? h : T.int_();
            if (!fits(m, neg, t) && !(h && h->is_float())) {
                diag.error(e->span, "constant -%" PRIu64 " does not fit in int", m);
            }
            e->operand->type = t;
            return t;
        }
        const Type* t = expr(e->operand, hint);
        if (is_error(t)) return err();
        if (t->is_float() || t->is_signed() || t->kind == TypeKind::Duration) return t;
        if (t->is_integer())
            diag.error(e->span, "cannot negate a value of unsigned type %s", tn(t).c_str());
        else
            diag.error(e->span, "operator '-' cannot be applied to %s", tn(t).c_str());
        return err();
    }
    case UnOp::Not: {
        const Type* t = expr(e->operand, T.bool_());
        if (is_error(t)) return err();
        if (t->kind != TypeKind::Bool) {
            diag.error(e->span, "operator '!' needs bool, found %s", tn(t).c_str());
            return err();
        }
        return t;
    }
    case UnOp::BitNot: {
        const Type* t = expr(e->operand, hint);
        if (is_error(t)) return err();
        if (!t->is_integer()) {
            diag.error(e->span, "operator '~' needs an integer, found %s", tn(t).c_str());
            return err();
        }
        return t;
    }
    case UnOp::Deref: return check_deref(e);     // pointers.cpp
    case UnOp::AddrOf: return check_addr_of(e);
    }
    return err();
}

const Type* Sema::check_binary(BinaryExpr* e, const Type* hint) {
    if (!e->lhs || !e->rhs) {
        expr(e->lhs, nullptr);
        expr(e->rhs, nullptr);
        return err();
    }
    const char* op = binop_str(e->op);
    switch (e->op) {
    case BinOp::And:
    case BinOp::Or: {
        const Type* a = value(e->lhs, T.bool_());
        const Type* b = value(e->rhs, T.bool_());
        return is_error(a) || is_error(b) ? err() : T.bool_();
    }
    case BinOp::Coalesce: {
        const Type* a = expr(e->lhs, nullptr);
        if (is_error(a)) { expr(e->rhs, nullptr); return err(); }
        if (a->kind != TypeKind::Nullable) {
            diag.error(e->lhs->span, "the left side of '?\?' must be a nullable type, found %s", tn(a).c_str());
            expr(e->rhs, nullptr);
            return err();
        }
        value(e->rhs, a->elem);
        return a->elem;
    }
    default: break;
    }
    bool wrapping = e->op >= BinOp::AddWrap && e->op <= BinOp::MulWrap; // +% -% *%: integers only
    bool arith = e->op <= BinOp::BitXor || wrapping;
    bool cmp = e->op >= BinOp::Eq && e->op <= BinOp::Ge;
    const Type* nh = arith && hint && hint->is_numeric() ? hint : nullptr;
    uint64_t m;
    bool neg;
    bool lit_l = is_untyped_int(e->lhs, &m, &neg) || is_untyped_float(e->lhs);
    const Type* ta;
    const Type* tb;
    if (lit_l && !(is_untyped_int(e->rhs, &m, &neg) || is_untyped_float(e->rhs))) {
        tb = expr(e->rhs, nh);
        ta = expr(e->lhs, tb->is_numeric() ? tb : nh);
    } else {
        ta = expr(e->lhs, nh);
        tb = expr(e->rhs, e->op == BinOp::Shl || e->op == BinOp::Shr ? nullptr : (ta->is_numeric() ? ta : nh));
    }
    if (is_error(ta) || is_error(tb)) return err();
    if (report_fallible(e->lhs, "using it in an operation") || report_fallible(e->rhs, "using it in an operation"))
        return err();
    // String concatenation: a primitive on either side is converted to text.
    if (e->op == BinOp::Add && (ta->kind == TypeKind::String || tb->kind == TypeKind::String)) {
        Expr*& other = ta->kind == TypeKind::String ? e->rhs : e->lhs;
        const Type* ot = other->type;
        if (ot->kind == TypeKind::String) return T.string();
        if (to_string_ok(ot)) {
            other = wrap_cast(other, T.string());
            return T.string();
        }
        diag.error(e->span, "operator '+' cannot be applied to %s and %s", tn(ta).c_str(), tn(tb).c_str());
        return err();
    }
    if (arith && (ta->kind == TypeKind::Duration || tb->kind == TypeKind::Duration)) {
        if (const Type* r = check_duration_binary(e)) return r;
        diag.error(e->span, "operator '%s' cannot be applied to %s and %s%s", op, tn(ta).c_str(), tn(tb).c_str(),
                   duration_hint(e->op, ta->kind == TypeKind::Duration ? tb : ta));
        return err();
    }
    if (e->op == BinOp::Shl || e->op == BinOp::Shr) {
        if (!ta->is_integer() || !tb->is_integer()) {
            diag.error(e->span, "operator '%s' needs integer operands, found %s and %s", op, tn(ta).c_str(),
                       tn(tb).c_str());
            return err();
        }
        if (lit_l && hint && hint->is_integer()) coerce(e->lhs, hint);
        return e->lhs->type;
    }
    if (arith && (ta->kind == TypeKind::Pointer || tb->kind == TypeKind::Pointer))
        return check_pointer_arith(e, ta, tb); // pointers.cpp
    if (arith) {
        // char arithmetic: characters take part as their code (int), e.g. c - '0'.
        if ((e->op == BinOp::Add || e->op == BinOp::Sub) &&
            (ta->kind == TypeKind::Char || tb->kind == TypeKind::Char)) {
            bool ok = (ta->kind == TypeKind::Char || ta->is_integer()) && (tb->kind == TypeKind::Char || tb->is_integer());
            if (!ok) {
                diag.error(e->span, "operator '%s' cannot be applied to %s and %s", op, tn(ta).c_str(), tn(tb).c_str());
                return err();
            }
            if (ta->kind == TypeKind::Char) e->lhs = wrap_cast(e->lhs, T.int_());
            if (tb->kind == TypeKind::Char) e->rhs = wrap_cast(e->rhs, T.int_());
            else coerce(e->rhs, T.int_());
            if (ta->kind != TypeKind::Char) coerce(e->lhs, T.int_());
            return T.int_();
        }
        bool bits = e->op >= BinOp::BitAnd && e->op <= BinOp::BitXor;
        if (bits && ta->kind == TypeKind::Bool && tb->kind == TypeKind::Bool) return T.bool_();
        const Type* ct = (ta->is_numeric() && tb->is_numeric()) ? common_type(e->lhs, e->rhs) : nullptr;
        if (!ct || ((bits || wrapping) && !ct->is_integer())) {
            if (ct && is_error(ct)) return err();
            bool mixed = (ta->is_integer() && tb->is_float()) || (ta->is_float() && tb->is_integer());
            diag.error(e->span, "operator '%s' cannot be applied to %s and %s%s", op, tn(ta).c_str(), tn(tb).c_str(),
                       mixed && !bits && !wrapping ? " (an integer does not convert to a float by itself: write (float)n)" : "");
            return err();
        }
        return ct;
    }
    if (cmp) {
        bool eq = e->op == BinOp::Eq || e->op == BinOp::Ne;
        const Type* ct = nullptr;
        if (ta->is_numeric() && tb->is_numeric()) ct = common_type(e->lhs, e->rhs);
        else if (ta == tb) {
            switch (ta->kind) {
            case TypeKind::Char: case TypeKind::String: case TypeKind::Enum: case TypeKind::Duration: ct = ta; break;
            case TypeKind::Pointer: ct = ta; break; // addresses: ==, !=, and <, <= ... within one array
            case TypeKind::Bool: case TypeKind::Class: case TypeKind::Interface:
            case TypeKind::TypeInfo: case TypeKind::FieldInfo: if (eq) ct = ta; break; // TypeInfo: one per type
            case TypeKind::Nullable: { // T? == T? for a T that has ==
                const Type* el = ta->elem;
                if (eq && (el->is_numeric() || el->is_c_like_enum() || el->kind == TypeKind::Char ||
                           el->kind == TypeKind::String || el->kind == TypeKind::Bool || el->kind == TypeKind::Class ||
                           el->kind == TypeKind::Interface || el->kind == TypeKind::TypeInfo))
                    ct = ta;
                break;
            }
            default: break;
            }
            if (ta->kind == TypeKind::Enum && !ta->is_c_like_enum()) ct = nullptr; // compare with match
        } else if (eq && (ta->kind == TypeKind::Pointer || tb->kind == TypeKind::Pointer)) {
            // p == q, p == null; a *T and a *void compare as *void
            const Type* pt = ta->kind == TypeKind::Pointer ? ta : tb;
            const Type* ot = ta->kind == TypeKind::Pointer ? tb : ta;
            if (ot->kind == TypeKind::Pointer && ot != pt) pt = T.pointer(T.void_());
            int c1, c2;
            if (can_convert(e->lhs, pt, &c1) && can_convert(e->rhs, pt, &c2)) {
                coerce(e->lhs, pt);
                coerce(e->rhs, pt);
                ct = pt;
            }
        } else if (eq && (ta->kind == TypeKind::Nullable || tb->kind == TypeKind::Nullable)) {
            const Type* nt = ta->kind == TypeKind::Nullable ? ta : tb;
            Expr*& other = ta->kind == TypeKind::Nullable ? e->rhs : e->lhs;
            int cost;
            if (can_convert(other, nt, &cost)) { coerce(other, nt); ct = nt; }
        }
        if (!ct) {
            diag.error(e->span, "operator '%s' cannot be applied to %s and %s", op, tn(ta).c_str(), tn(tb).c_str());
            return err();
        }
        return T.bool_();
    }
    return err();
}

// ---------------------------------------------------------------------------
// The conditional operator and match expressions: the type comes from the arms.
//
// An arm of type never (a panic) takes no part. The typed arms must have a common type
// (the same type, one widening to the other, two integers both to int, or the nearest
// common base class); an untyped constant arm adapts to it when its value fits, else
// takes part with its own type (int, float); a `null` arm makes it nullable. With only
// untyped constants the expected numeric type is used (`let b: byte = c ? 1 : 2`), else
// int (float if one is a float literal). Arms that are not numbers and have no common
// type may still all convert to the expected type (two classes implementing the expected
// interface). The expected type never changes the type of typed arms: `(c ? a : b) + 1`
// with `a, b: i8` is an i8 addition whatever the context.

bool Sema::is_plain_literal(Expr* e) const {
    uint64_t m;
    bool neg;
    return is_untyped_int(e, &m, &neg) || is_untyped_float(e);
}

const Type* Sema::common_of(const Type* a, const Type* b) const {
    if (a == b) return a;
    if (a->kind == TypeKind::Nullable && (b == a->elem || implicit_ok(b, a->elem))) return a;
    if (b->kind == TypeKind::Nullable && (a == b->elem || implicit_ok(a, b->elem))) return b;
    if (implicit_ok(b, a)) return a;
    if (implicit_ok(a, b)) return b;
    if (a->is_integer() && b->is_integer() && implicit_ok(a, T.int_()) && implicit_ok(b, T.int_())) return T.int_();
    if (a->kind == TypeKind::Class && b->kind == TypeKind::Class) // the nearest common base class
        for (TypeDecl* c = a->decl; c; c = base_of(c))
            if (derives(b->decl, c)) return c->type;
    return nullptr;
}

// The hint for the arms that are plain literals, checked after the others: the common
// type of the typed arms when it is a number, else the context's hint.
const Type* Sema::literal_arm_hint(Expr** const* arms, uint32_t n, const Type* hint) {
    const Type* rt = nullptr;
    for (uint32_t i = 0; i < n; i++) {
        Expr* x = *arms[i];
        if (!x || !x->type || is_plain_literal(x)) continue;
        const Type* t = x->type;
        if (is_error(t) || t->kind == TypeKind::Never || t->kind == TypeKind::Null) continue;
        rt = rt ? common_of(rt, t) : t;
        if (!rt) return hint;
    }
    if (rt && rt->kind == TypeKind::Nullable) rt = rt->elem;
    return rt && rt->is_numeric() ? rt : hint;
}

const Type* Sema::arms_type(Expr** const* arms, uint32_t n, const Type* hint, Span span, const char* what) {
    const Type* rt = nullptr;
    Expr* first = nullptr;
    bool any_value = false, any_null = false, any_lit = false, any_float_lit = false, numeric = false;
    for (uint32_t i = 0; i < n; i++) {
        Expr* x = *arms[i];
        if (!x || !x->type || is_error(x->type)) return err();
        const Type* t = x->type;
        if (t->kind == TypeKind::Never) continue;
        any_value = true;
        if (t->kind == TypeKind::Null) { any_null = true; continue; }
        if (t->is_numeric()) numeric = true;
        if (is_plain_literal(x)) {
            any_lit = true;
            any_float_lit = any_float_lit || is_untyped_float(x);
            continue;
        }
        const Type* c = rt ? common_of(rt, t) : t;
        if (!c) {
            if (!numeric && hint) goto try_hint;
            diag.error(span, "the %s have different types: %s and %s", what, tn(first->type).c_str(), tn(t).c_str());
            return err();
        }
        if (!first) first = x;
        rt = c;
    }
    if (!any_value) return n ? T.never() : T.void_();
    if (!rt && any_lit) { // only untyped constants
        const Type* h = hint && hint->kind == TypeKind::Nullable ? hint->elem : hint;
        rt = h && h->is_numeric() ? h : any_float_lit ? T.float_() : T.int_();
    } else if (rt && any_lit) { // a constant that does not fit takes part with its own type
        for (uint32_t i = 0; i < n; i++) {
            Expr* x = *arms[i];
            int cost;
            if (!is_plain_literal(x) || can_convert(x, rt, &cost)) continue;
            const Type* own = is_untyped_float(x) ? T.float_() : x->type;
            const Type* c = common_of(rt, own);
            if (!c) {
                diag.error(span, "the %s have different types: %s and %s", what, tn(rt).c_str(), tn(own).c_str());
                return err();
            }
            rt = c;
        }
    }
    if (!rt) rt = hint && hint->kind == TypeKind::Nullable ? hint : T.prim(TypeKind::Null); // only nulls
    if (any_null && rt->kind != TypeKind::Nullable && rt->kind != TypeKind::Null && rt->kind != TypeKind::Void)
        rt = T.nullable(rt);
    for (uint32_t i = 0; i < n; i++) coerce(*arms[i], rt);
    return rt;
try_hint:
    for (uint32_t i = 0; i < n; i++) {
        int cost;
        if (!can_convert(*arms[i], hint, &cost)) {
            diag.error(span, "the %s have different types: %s and %s", what, tn((*arms[0])->type).c_str(),
                       tn((*arms[i])->type).c_str());
            return err();
        }
    }
    for (uint32_t i = 0; i < n; i++) coerce(*arms[i], hint);
    return hint;
}

const Type* Sema::check_ternary(TernaryExpr* e, const Type* hint) {
    value(e->cond, T.bool_());
    if (!e->then_e || !e->else_e) {
        expr(e->then_e, hint);
        expr(e->else_e, hint);
        return err();
    }
    Expr** arms[2] = {&e->then_e, &e->else_e};
    // Typed arms first, so that a constant in either arm adapts to the other one.
    bool la = is_plain_literal(e->then_e), lb = is_plain_literal(e->else_e);
    if (!la) expr(e->then_e, hint);
    if (!lb) {
        const Type* a = e->then_e->type;
        bool use_a = !hint && !la && a && !is_error(a) && a->kind != TypeKind::Null && a->kind != TypeKind::Never;
        expr(e->else_e, use_a ? a : hint);
    }
    if (la || lb) {
        const Type* lh = literal_arm_hint(arms, 2, hint);
        if (la) expr(e->then_e, lh);
        if (lb) expr(e->else_e, lh);
    }
    return arms_type(arms, 2, hint, e->span, "branches of '?:'");
}

const Type* Sema::check_cast(CastExpr* e) {
    if (!e->to) return e->type ? e->type : err(); // an implicit conversion made by sema
    const Type* to = resolve_type(e->to);
    const Type* from = expr(e->operand, to->is_integer() || to->is_float() ? to : nullptr);
    if (is_error(to) || is_error(from)) return is_error(to) ? err() : to;
    if (from == to) return to;
    if (from->kind == TypeKind::Pointer || to->kind == TypeKind::Pointer) // pointers.cpp
        return pointer_cast_ok(e, from, to) ? to : err();
    bool ok = false;
    if (from->is_numeric() && to->is_numeric()) ok = true;
    else if ((from->kind == TypeKind::Char && to->is_integer()) || (from->is_integer() && to->kind == TypeKind::Char)) ok = true;
    else if ((from->is_c_like_enum() && to->is_integer()) || (from->is_integer() && to->is_c_like_enum())) ok = true;
    else if (from->kind == TypeKind::Class && to->kind == TypeKind::Class && derives(from->decl, to->decl)) ok = true;
    else if (to->kind == TypeKind::Interface && implicit_ok(from, to)) ok = true;
    else if (to->kind == TypeKind::Nullable) {
        int cost;
        ok = can_convert(e->operand, to, &cost);
        if (ok) {
            coerce(e->operand, to);
            return to;
        }
    }
    if (!ok) {
        diag.error(e->span, "cannot cast from %s to %s", tn(from).c_str(), tn(to).c_str());
        return err();
    }
    // An untyped literal operand keeps a concrete type: the cast converts from it.
    uint64_t m;
    bool neg;
    if (is_untyped_int(e->operand, &m, &neg) && !e->operand->type->is_integer()) set_lit_type(e->operand, T.int_());
    return to;
}

const Type* Sema::check_index(IndexExpr* e) {
    AssignExpr* assign = indexer_assign_ && indexer_assign_->target == e ? indexer_assign_ : nullptr;
    indexer_assign_ = nullptr;
    const Type* ot = expr(e->object, nullptr);
    if (const Type* t = is_error(ot) ? nullptr : check_indexer(e, ot, assign)) return t; // check_indexer.cpp
    if (!is_error(ot) && ot->kind == TypeKind::Pointer) return check_pointer_index(e, ot); // pointers.cpp
    // The index must be an integer only when the object is an array or a string: after an
    // error in the object (an unknown type or name) nothing more is said about it.
    bool indexable = !is_error(ot) && (ot->kind == TypeKind::Array || ot->kind == TypeKind::String);
    if (indexable) value(e->index, T.int_());
    else expr(e->index, nullptr);
    if (is_error(ot)) return err();
    if (ot->kind == TypeKind::Array) return ot->elem;
    if (ot->kind == TypeKind::String) return T.char_();
    if (report_fallible(e->object, "indexing it")) return err();
    diag.error(e->span, "cannot index a value of type %s", tn(ot).c_str());
    return err();
}

const Type* Sema::check_interp(InterpStringExpr* e) {
    for (InterpPart& p : e->parts) {
        if (!p.expr) continue;
        const Type* t = expr(p.expr, nullptr);
        if (p.format && (!check_format(p, t) || p.fmt_kind)) continue; // check_text.cpp: lowered from the value
        if (is_error(t) || t->kind == TypeKind::String) continue;
        if (!to_string_ok(t)) {
            if (report_fallible(p.expr, "printing it")) continue;
            bool has_to_string = (t->kind == TypeKind::Struct || t->kind == TypeKind::Class) && t->decl &&
                                 lookup_member(t->decl, c.interner.intern("ToString")) >= 0;
            diag.error(p.expr->span, "cannot interpolate a value of type %s%s", tn(t).c_str(),
                       has_to_string ? " (call its ToString())" : "");
            continue;
        }
        p.expr = wrap_cast(p.expr, T.string());
    }
    return T.string();
}

const Type* Sema::check_array_lit(ArrayLitExpr* e, const Type* hint) {
    const Type* eh = hint && hint->kind == TypeKind::Array ? hint->elem : nullptr;
    if (e->elems.empty()) {
        if (eh) return hint;
        diag.error(e->span, "cannot infer the type of an empty array literal (write a type: let xs: int[] = [])");
        return err();
    }
    for (Expr* x : e->elems) expr(x, eh);
    const Type* et = eh;
    if (!et) {
        // The element type: the first element that is not an untyped literal.
        for (Expr* x : e->elems) {
            uint64_t m;
            bool neg;
            if (x && !is_untyped_int(x, &m, &neg) && !is_untyped_float(x)) { et = x->type; break; }
        }
        if (!et) et = e->elems[0] ? e->elems[0]->type : err();
        // Classes: the nearest base class of all elements.
        if (et && et->kind == TypeKind::Class)
            for (Expr* x : e->elems)
                if (x && x->type && x->type->kind == TypeKind::Class)
                    while (et && !derives(x->type->decl, et->decl)) {
                        TypeDecl* b = base_of(et->decl);
                        et = b ? b->type : nullptr;
                    }
        if (!et) et = e->elems[0]->type; // unrelated classes: reported below
        // A float literal among int literals makes the array float.
        if (et == T.int_())
            for (Expr* x : e->elems)
                if (is_untyped_float(x)) { et = T.float_(); break; }
    }
    if (!et || is_error(et)) return err();
    if (et->kind == TypeKind::Void || et->kind == TypeKind::Never || et->kind == TypeKind::Null) {
        diag.error(e->span, "cannot infer the element type of this array literal");
        return err();
    }
    bool ok = true;
    for (Expr*& x : e->elems) ok = coerce(x, et) && ok;
    return T.array(et);
}

const Type* Sema::check_tuple_lit(TupleLitExpr* e, const Type* hint) {
    bool use_hint = hint && hint->kind == TypeKind::Tuple && hint->count == e->elems.size;
    const Type* small[8];
    std::vector<const Type*> big;
    if (e->elems.size > 8) big.resize(e->elems.size);
    const Type** ts = e->elems.size > 8 ? big.data() : small;
    bool bad = false;
    for (uint32_t i = 0; i < e->elems.size; i++) {
        const Type* t = expr(e->elems[i], use_hint ? hint->elems[i] : nullptr);
        if (is_error(t)) bad = true;
        else if (t->kind == TypeKind::Void || t->kind == TypeKind::Never || t->kind == TypeKind::Null) {
            diag.error(e->elems[i]->span, "a tuple element cannot have type %s", tn(t).c_str());
            bad = true;
        }
        ts[i] = t;
    }
    if (bad) return err();
    return T.tuple(ts, e->elems.size);
}

const Type* Sema::check_range(RangeExpr* e, const Type* hint) {
    const Type* eh = hint && hint->kind == TypeKind::Range ? hint->elem : nullptr;
    if (!e->lo || !e->hi) {
        expr(e->lo, eh);
        expr(e->hi, eh);
        if (e->lo && e->hi) return err();
        diag.error(e->span, "open ranges are not supported yet");
        return err();
    }
    expr(e->lo, eh);
    expr(e->hi, eh);
    const Type* ta = e->lo->type;
    const Type* tb = e->hi->type;
    if (is_error(ta) || is_error(tb)) return err();
    const Type* ct = nullptr;
    if (ta->kind == TypeKind::Char && tb->kind == TypeKind::Char) ct = ta;
    else if (ta->is_integer() && tb->is_integer()) ct = common_type(e->lo, e->hi);
    if (!ct || is_error(ct)) {
        if (!ct) diag.error(e->span, "range bounds must be integers or chars, found %s and %s", tn(ta).c_str(), tn(tb).c_str());
        return err();
    }
    return T.range(ct);
}

const Type* Sema::check_new(NewExpr* e) {
    if (e->is_array) {
        const Type* el = resolve_type(e->type);
        value(e->array_len, T.int_());
        if (is_error(el)) return err();
        if (el->kind == TypeKind::Void) {
            diag.error(e->span, "arrays of void are not allowed");
            return err();
        }
        // new T[n] fills the array with T's zero value (spec 3.6); without one the
        // elements would be null references.
        std::string why;
        // The compiler's own library (List<T>.ToArray) fills every element before the
        // array escapes, so it may make one of any element type.
        bool library = file_ && is_prelude_path(c.sources.file(file_->ast->file_id).path);
        if (!library && !has_zero_value(el, &why)) {
            std::string name = tn(el);
            diag.error(e->span,
                       "'new %s[n]' needs an element type with a zero value (%s): use 'new %s?[n]' "
                       "and fill it, or an array literal",
                       name.c_str(), why.c_str(), name.c_str());
            return T.array(el);
        }
        return T.array(el);
    }
    const Type* t = resolve_type(e->type);
    if (is_error(t)) {
        for (Arg& a : e->args) expr(a.value, nullptr);
        for (FieldInit& fi : e->inits) expr(fi.value, nullptr);
        return err();
    }
    if (t->is_conc_handle()) return check_conc_new(e, t); // check_concurrency.cpp
    if (t->kind == TypeKind::StringBuilder) return check_text_new(e); // check_text.cpp
    if (t->kind == TypeKind::Interface) {
        diag.error(e->span, "cannot create an instance of interface '%s': make an object of a class that implements it",
                   t->decl->name.c_str());
        for (Arg& a : e->args) expr(a.value, nullptr);
        return err();
    }
    if (t->kind != TypeKind::Struct && t->kind != TypeKind::Class) {
        diag.error(e->span, "'new' cannot make a value of type %s", tn(t).c_str());
        return err();
    }
    TypeDecl* td = t->decl;
    if (td->mods & M_ABSTRACT) {
        diag.error(e->span, "cannot create an instance of abstract class '%s'", td->name.c_str());
        return err();
    }
    CandBuf ctors;
    for (Decl* m : td->members)
        if (m && m->kind == DeclKind::Func && static_cast<FuncDecl*>(m)->fkind == FuncKind::Constructor)
            ctors.push(static_cast<FuncDecl*>(m));
    if (ctors.n == 0) {
        if (!e->args.empty()) {
            diag.error(e->span, "%s '%s' has no constructor taking %u argument%s", tkind_word(td), td->name.c_str(),
                       e->args.size, e->args.size == 1 ? "" : "s");
            for (Arg& a : e->args) expr(a.value, nullptr);
        }
    } else {
        FuncDecl* f = pick_overload(ctors.data(), ctors.n, e->args, "the constructor of", td->name, e->span);
        if (f) {
            e->ctor = f;
            check_access(f, e->span);
        }
    }
    for (uint32_t i = 0; i < e->inits.size; i++) {
        FieldInit& fi = e->inits[i];
        int32_t s = lookup_member(td, fi.name);
        Decl* d = s >= 0 ? sym_list_[s].decl : nullptr;
        if (!d || d->kind != DeclKind::Field) {
            diag.error(fi.span, "%s '%s' has no field '%s'", tkind_word(td), td->name.c_str(), fi.name.c_str());
            expr(fi.value, nullptr);
            continue;
        }
        for (uint32_t k = 0; k < i; k++)
            if (e->inits[k].name == fi.name) diag.error(fi.span, "field '%s' is initialized twice", fi.name.c_str());
        if (!(d->mods & M_PUBLIC) && !inside_type(td))
            diag.error(fi.span, "field '%s' is not public: object initializers can only set public fields",
                       fi.name.c_str());
        value(fi.value, d->type ? d->type : err());
    }
    check_required_inits(e, td); // flow.cpp
    return t;
}

} // namespace lang::sema
