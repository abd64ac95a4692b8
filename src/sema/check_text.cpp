// check_text.cpp: the string methods, ToString() on primitives and string.Join (spec 6.6).
//
// Job: recognize `s.Split(sep)`, `s.Trim()` ... on a string receiver, `x.ToString()` on
// any printable primitive, and the static `string.Join(sep, xs)`; check the argument
// count and types, and mark the call as a builtin (CallExpr.builtin, target null) whose
// result type is returned. Where a method takes a string, a char is accepted too and
// converted to a one-character string (a CastExpr, lowered like any char->string).
// Invariants: a recognized call always gets its builtin id and a result type, also after
// an argument error, so later stages see a well-formed call.
#include "sema/check.h"

namespace lang::sema {

namespace {

enum class Res : uint8_t { String, Bool, Int, StringArray };

struct TextMethod {
    const char* name;
    Builtin b;
    uint8_t nargs;
    Res res;
    const char* params; // for the argument-count message
};

const TextMethod kStringMethods[] = {
    {"Split", Builtin::StringSplit, 1, Res::StringArray, "1 argument (separator)"},
    {"Trim", Builtin::StringTrim, 0, Res::String, "no arguments"},
    {"TrimStart", Builtin::StringTrimStart, 0, Res::String, "no arguments"},
    {"TrimEnd", Builtin::StringTrimEnd, 0, Res::String, "no arguments"},
    {"Contains", Builtin::StringContains, 1, Res::Bool, "1 argument"},
    {"StartsWith", Builtin::StringStartsWith, 1, Res::Bool, "1 argument"},
    {"EndsWith", Builtin::StringEndsWith, 1, Res::Bool, "1 argument"},
    {"IndexOf", Builtin::StringIndexOf, 1, Res::Int, "1 argument"},
    {"Replace", Builtin::StringReplace, 2, Res::String, "2 arguments (old, new)"},
    {"ToUpper", Builtin::StringToUpper, 0, Res::String, "no arguments"},
    {"ToLower", Builtin::StringToLower, 0, Res::String, "no arguments"},
};

} // namespace

// A string (or char, converted) argument of a string method.
void Sema::text_arg(Expr*& a, const char* method) {
    const Type* t = expr(a, T.string());
    if (is_error(t)) return;
    if (t->kind == TypeKind::Char) {
        a = wrap_cast(a, T.string());
        return;
    }
    if (t->kind != TypeKind::String && !implicit_ok(t, T.string())) {
        diag.error(a->span, "%s expects a string or char argument, found %s", method, tn(t).c_str());
        return;
    }
    coerce(a, T.string());
}

static void mark_builtin(Sema& s, CallExpr* e, MemberExpr* m, Builtin b) {
    e->builtin = m->builtin = (uint32_t)b;
    e->target = nullptr;
    m->type = s.T.void_();
    for (Arg& a : e->args)
        if (a.name) s.diag.error(a.value ? a.value->span : e->span, "named arguments are not supported yet");
}

const Type* Sema::check_text_method(CallExpr* e, MemberExpr* m, const Type* ot, bool null_safe) {
    if (m->name == "ToString" && to_string_ok(ot)) {
        mark_builtin(*this, e, m, Builtin::ToString);
        if (e->args.size != 0) {
            diag.error(e->span, "ToString expects no arguments, found %u argument%s", e->args.size,
                       e->args.size == 1 ? "" : "s");
            for (Arg& a : e->args) expr(a.value, nullptr);
        }
        return null_safe ? null_safe_result(T.string()) : T.string();
    }
    if (ot->kind == TypeKind::StringBuilder) return check_builder_method(e, m, null_safe);
    if (ot->kind != TypeKind::String) return nullptr;
    const TextMethod* tm = nullptr;
    for (const TextMethod& x : kStringMethods)
        if (m->name == x.name) tm = &x;
    if (!tm) return nullptr;
    mark_builtin(*this, e, m, tm->b);
    if (e->args.size != tm->nargs) {
        diag.error(e->span, "%s expects %s, found %u argument%s", tm->name, tm->params, e->args.size,
                   e->args.size == 1 ? "" : "s");
        for (Arg& a : e->args) expr(a.value, nullptr);
    } else {
        for (Arg& a : e->args) text_arg(a.value, tm->name);
    }
    const Type* r = tm->res == Res::String ? T.string()
                    : tm->res == Res::Bool ? T.bool_()
                    : tm->res == Res::Int  ? T.int_()
                                           : T.array(T.string());
    return null_safe ? null_safe_result(r) : r;
}

// sb.Append(x) / sb.AppendLine([x]) (x any printable value, made a string; the result is
// the builder, for chaining) and sb.ToString().
const Type* Sema::check_builder_method(CallExpr* e, MemberExpr* m, bool null_safe) {
    Builtin b;
    const char* want;
    uint32_t lo, hi;
    if (m->name == "Append") { b = Builtin::SbAppend; lo = hi = 1; want = "1 argument"; }
    else if (m->name == "AppendLine") { b = Builtin::SbAppendLine; lo = 0; hi = 1; want = "0 or 1 argument"; }
    else if (m->name == "ToString") { b = Builtin::SbToString; lo = hi = 0; want = "no arguments"; }
    else {
        diag.error(m->name_span, "StringBuilder has no method '%s' (Append, AppendLine, ToString; Length is a property)",
                   m->name.c_str());
        e->target = nullptr;
        m->type = T.void_();
        for (Arg& a : e->args) expr(a.value, nullptr);
        return err();
    }
    mark_builtin(*this, e, m, b);
    const Type* r = b == Builtin::SbToString ? T.string() : T.handle(TypeKind::StringBuilder, nullptr);
    if (e->args.size < lo || e->args.size > hi) {
        diag.error(e->span, "%s expects %s, found %u argument%s", m->name.c_str(), want, e->args.size,
                   e->args.size == 1 ? "" : "s");
        for (Arg& a : e->args) expr(a.value, nullptr);
    } else if (e->args.size == 1) {
        const Type* t = expr(e->args[0].value, nullptr);
        if (!is_error(t) && !to_string_ok(t))
            diag.error(e->args[0].value->span, "%s cannot append a value of type %s", m->name.c_str(), tn(t).c_str());
        else if (!is_error(t) && t->kind != TypeKind::String)
            e->args[0].value = wrap_cast(e->args[0].value, T.string());
    }
    return null_safe ? null_safe_result(r) : r;
}

const Type* Sema::resolve_text_type(TypeExpr* te) {
    if (te->path.size != 1 || !(te->path[0] == "StringBuilder")) return nullptr;
    if (lookup_in_types(te->path[0]) >= 0 || lookup_global(te->path[0], te->span, nullptr) >= 0) return nullptr;
    if (!te->args.empty()) {
        diag.error(te->span, "'StringBuilder' takes no type arguments");
        return err();
    }
    return T.handle(TypeKind::StringBuilder, nullptr);
}

// new StringBuilder() / new StringBuilder(string initial)
const Type* Sema::check_text_new(NewExpr* e) {
    const Type* t = T.handle(TypeKind::StringBuilder, nullptr);
    for (FieldInit& fi : e->inits) expr(fi.value, nullptr);
    if (!e->inits.empty()) diag.error(e->span, "StringBuilder has no fields to initialize");
    if (e->args.size > 1) {
        diag.error(e->span, "new StringBuilder expects 0 or 1 argument (the initial text), found %u", e->args.size);
        for (Arg& a : e->args) expr(a.value, nullptr);
    } else if (e->args.size == 1) {
        value(e->args[0].value, T.string());
    }
    return t;
}

// `string.Join(sep, xs)`: sep a string or char, xs a string[].
const Type* Sema::check_text_static_call(CallExpr* e, MemberExpr* m) {
    if (!m->object || m->object->kind != ExprKind::Name) return nullptr;
    auto* n = static_cast<NameExpr*>(m->object);
    if (!(n->name == "string") || lookup_local(n->name) || lookup_in_types(n->name) >= 0 ||
        lookup_global(n->name, n->span, nullptr) >= 0)
        return nullptr;
    n->type = T.void_();
    if (!(m->name == "Join")) {
        diag.error(m->name_span, "'string' has no static function '%s' (Join)", m->name.c_str());
        e->target = nullptr;
        m->type = T.void_();
        for (Arg& a : e->args) expr(a.value, nullptr);
        return err();
    }
    mark_builtin(*this, e, m, Builtin::StringJoin);
    if (e->args.size != 2) {
        diag.error(e->span, "string.Join expects 2 arguments (separator, string[]), found %u argument%s",
                   e->args.size, e->args.size == 1 ? "" : "s");
        for (Arg& a : e->args) expr(a.value, nullptr);
        return T.string();
    }
    text_arg(e->args[0].value, "string.Join");
    // A List<string> or Set<string> (a class whose ToArray() gives string[]) joins its ToArray().
    const Type* strs = T.array(T.string());
    Expr*& xs = e->args[1].value;
    const Type* xt = expr(xs, strs);
    if (xt->kind == TypeKind::Class && xt->decl && lookup_member(xt->decl, c.interner.intern("ToArray")) >= 0) {
        MemberExpr* m2 = member_node(arena, xs, c.interner.intern("ToArray"), xs->span);
        auto* call = arena.make<CallExpr>();
        call->kind = ExprKind::Call;
        call->span = xs->span;
        call->callee = m2;
        const Type* at = expr(call, nullptr);
        if (at == strs) xs = call;
        else if (!is_error(at))
            diag.error(xs->span, "type mismatch: expected string[], List<string> or Set<string>, found %s", tn(xt).c_str());
    } else if (!is_error(xt)) {
        coerce(xs, strs);
    }
    return T.string();
}

// `{x:F3}`: parses the format into p.fmt_kind / p.fmt_digits and checks it fits the
// value's type. False after an error (the part is then left as it is).
bool Sema::check_format(InterpPart& p, const Type* t) {
    if (is_error(t)) return false;
    const char* f = p.format;
    char k = *f;
    if (k == 'd') k = 'D';
    if (k == 'f') k = 'F';
    if (k != 'D' && k != 'X' && k != 'x' && k != 'F') {
        if (!*f) diag.error(p.expr->span, "empty format specifier after ':' (D, X, x or F)");
        else diag.error(p.expr->span, "unknown format specifier '%s' (D, X, x or F, with up to 2 digits)", f);
        return false;
    }
    int digits = -1;
    if (f[1]) {
        bool ok = f[1] >= '0' && f[1] <= '9' && (!f[2] || (f[2] >= '0' && f[2] <= '9' && !f[3]));
        if (!ok) {
            diag.error(p.expr->span, "unknown format specifier '%s' (D, X, x or F, with up to 2 digits)", f);
            return false;
        }
        digits = f[1] - '0';
        if (f[2]) digits = digits * 10 + (f[2] - '0');
    }
    if (!t->is_numeric()) {
        diag.error(p.expr->span, "a value of type %s has no format specifiers (D, X and F are for numbers)",
                   tn(t).c_str());
        return false;
    }
    if (t->is_float() && k != 'F') {
        diag.error(p.expr->span, "format '%c' needs an integer value, found %s (use F for floats)", *f,
                   tn(t).c_str());
        return false;
    }
    p.fmt_kind = k;
    p.fmt_digits = (int16_t)digits;
    return true;
}

} // namespace lang::sema
