// match.cpp: match expressions, patterns and exhaustiveness.
//
// Job: check each arm's pattern against the scrutinee type, bind pattern variables as
// fresh LocalDecls (scoped to the arm), check guards (bool) and arm bodies, give the
// match its type, and check exhaustiveness:
//  - an unguarded `_` or binding arm covers everything;
//  - an enum match must cover every case with unguarded arms (payload sub-patterns
//    must be irrefutable), else "match is not exhaustive: missing A, B" (names sorted);
//  - bool needs true and false; every other type (integers, chars, strings, tuples)
//    needs a catch-all arm.
// Invariant: a bare name pattern that names a case of the scrutinee's enum becomes a
// Variant pattern (kind rewritten, decl = the case), so `Red => ...` matches Color.Red.
#include "sema/check.h"
#include <algorithm>

namespace lang::sema {

static bool irrefutable(const Pattern* p) {
    if (!p) return true;
    switch (p->kind) {
    case PatternKind::Wildcard: return true;
    case PatternKind::Binding: // a binding of T over a T? value only matches non-null values
        return !p->decl || !p->type_resolved || p->decl->type == p->type_resolved;
    case PatternKind::Tuple:
        for (const Pattern* s : p->subs)
            if (!irrefutable(s)) return false;
        return true;
    default: return false;
    }
}

void Sema::check_pattern(Pattern* p, const Type* t) {
    if (!p) return;
    p->type_resolved = t;
    bool bad = is_error(t);
    if (!bad && t->kind == TypeKind::Nullable) {
        // On a T? value: `T v` binds the non-null value (a Binding of type T); literal,
        // range and variant patterns test the value inside (they never match null).
        // `Dog d` on an Animal? stays a class type test (below; it never matches null).
        const Type* want = p->kind == PatternKind::TypeTest && p->type ? resolve_type(p->type) : nullptr;
        if (want && !(want != t->elem && want->kind == TypeKind::Class &&
                      (t->elem->kind == TypeKind::Class || t->elem->kind == TypeKind::Interface))) {
            if (is_error(want)) return;
            if (want != t->elem) {
                diag.error(p->span, "a value of type %s cannot be a %s", tn(t).c_str(), tn(want).c_str());
                return;
            }
            p->kind = PatternKind::Binding;
            LocalDecl* d = new_local(p->name ? p->name : id_underscore, p->span, t->elem, false);
            p->decl = d;
            if (p->name) declare_local(p->name, d, p->span);
            return;
        }
        // A bare case name of a nullable enum (`Red` on a Color?) is that case, not a binding.
        bool enum_case = false;
        if (p->kind == PatternKind::Binding && t->elem->kind == TypeKind::Enum && t->elem->decl) {
            int32_t s = lookup_member(t->elem->decl, p->name);
            enum_case = s >= 0 && sym_list_[s].decl->kind == DeclKind::EnumCase;
        }
        if (p->kind == PatternKind::Literal || p->kind == PatternKind::Range || p->kind == PatternKind::Variant ||
            enum_case) {
            check_pattern(p, t->elem);
            p->type_resolved = t;
            return;
        }
    }
    switch (p->kind) {
    case PatternKind::Wildcard: return;
    case PatternKind::Literal: {
        if (!p->lit) return;
        const Type* lt = expr(p->lit, bad ? nullptr : t);
        if (bad || is_error(lt)) return;
        if (!(t->is_numeric() || t->kind == TypeKind::Char || t->kind == TypeKind::String || t->kind == TypeKind::Bool)) {
            diag.error(p->span, "a literal pattern cannot match a value of type %s", tn(t).c_str());
            return;
        }
        coerce(p->lit, t);
        return;
    }
    case PatternKind::Range: {
        if (!p->lit || !p->hi) return;
        expr(p->lit, bad ? nullptr : t);
        expr(p->hi, bad ? nullptr : t);
        if (bad) return;
        if (!t->is_integer() && t->kind != TypeKind::Char) {
            diag.error(p->span, "a range pattern needs an integer or char value, found %s", tn(t).c_str());
            return;
        }
        coerce(p->lit, t);
        coerce(p->hi, t);
        int64_t lo, hi;
        if (const_int(p->lit, &lo) && const_int(p->hi, &hi)) {
            // u64 bounds above INT64_MAX read back negative: compare in the type's order.
            bool lt = t->is_integer() && !t->is_signed() ? (uint64_t)hi < (uint64_t)lo : hi < lo;
            if (lt || (!p->inclusive && lo == hi)) diag.error(p->span, "this range pattern is empty");
        }
        return;
    }
    case PatternKind::Null:
        if (!bad && t->kind != TypeKind::Nullable)
            diag.error(p->span, "'null' pattern on a value of type %s that cannot be null", tn(t).c_str());
        return;
    case PatternKind::Binding: {
        if (!bad && t->kind == TypeKind::Fallible && (p->name == "Ok" || p->name == "Err")) {
            p->kind = p->name == "Ok" ? PatternKind::Ok : PatternKind::Err;
            check_result_pattern(p, t);
            return;
        }
        if (!bad && t->kind == TypeKind::Enum && t->decl) {
            int32_t s = lookup_member(t->decl, p->name);
            if (s >= 0 && sym_list_[s].decl->kind == DeclKind::EnumCase) {
                p->kind = PatternKind::Variant;
                p->path.push(arena, p->name);
                p->decl = sym_list_[s].decl;
                auto* ec = static_cast<EnumCaseDecl*>(p->decl);
                if (!ec->payload.empty())
                    diag.error(p->span, "enum case '%s' has a payload: write %s(...)", p->name.c_str(), p->name.c_str());
                return;
            }
        }
        LocalDecl* d = new_local(p->name, p->span, t, false);
        p->decl = d;
        declare_local(p->name, d, p->span);
        return;
    }
    case PatternKind::Variant: {
        if (p->path.empty()) return;
        if (bad) {
            for (Pattern* s : p->subs) check_pattern(s, err());
            return;
        }
        if (t->kind != TypeKind::Enum || !t->decl) {
            diag.error(p->span, "an enum pattern cannot match a value of type %s", tn(t).c_str());
            return;
        }
        Ident cname = p->path[p->path.size - 1];
        if (p->path.size >= 2) {
            // The prefix must name the scrutinee's enum (Color.Red, Ns.Color.Red).
            Ident tname = p->path[p->path.size - 2];
            if (tname != t->decl->name) {
                diag.error(p->span, "pattern type '%s' does not match the value's type %s", tname.c_str(), tn(t).c_str());
                return;
            }
        }
        int32_t s = lookup_member(t->decl, cname);
        if (s < 0 || sym_list_[s].decl->kind != DeclKind::EnumCase) {
            diag.error(p->span, "enum '%s' has no case '%s'", t->decl->name.c_str(), cname.c_str());
            return;
        }
        auto* ec = static_cast<EnumCaseDecl*>(sym_list_[s].decl);
        p->decl = ec;
        if (p->subs.size != ec->payload.size) {
            diag.error(p->span, "enum case '%s' has %u value%s, the pattern has %u", ec->name.c_str(),
                       ec->payload.size, ec->payload.size == 1 ? "" : "s", p->subs.size);
            for (Pattern* sp : p->subs) check_pattern(sp, err());
            return;
        }
        for (uint32_t i = 0; i < p->subs.size; i++)
            check_pattern(p->subs[i], ec->payload[i] && ec->payload[i]->type ? ec->payload[i]->type : err());
        return;
    }
    case PatternKind::Tuple: {
        if (!bad && (t->kind != TypeKind::Tuple || t->count != p->subs.size)) {
            diag.error(p->span, "a tuple pattern with %u elements cannot match a value of type %s", p->subs.size,
                       tn(t).c_str());
            bad = true;
        }
        for (uint32_t i = 0; i < p->subs.size; i++) check_pattern(p->subs[i], bad ? err() : t->elems[i]);
        return;
    }
    case PatternKind::TypeTest: {
        // `Dog d`: the value's dynamic class is Dog (or derives from it); d binds it as a Dog.
        const Type* want = resolve_type(p->type);
        const Type* have = bad ? t : t->kind == TypeKind::Nullable ? t->elem : t;
        if (!bad && want == t && want->kind != TypeKind::Class && want->kind != TypeKind::Interface) {
            // `(int k, string s)` on an (int, string): the type only restates the value's.
            p->kind = PatternKind::Binding;
            LocalDecl* d = new_local(p->name ? p->name : id_underscore, p->span, t, false);
            p->decl = d;
            if (p->name) declare_local(p->name, d, p->span);
            return;
        }
        if (!bad && want->kind == TypeKind::Interface) {
            diag.error(p->span, "type tests against an interface (%s) are not supported yet", tn(want).c_str());
            want = err();
        } else if (!bad && !is_error(want) &&
            (want->kind != TypeKind::Class ||
             (have->kind != TypeKind::Interface && // any class may implement the interface
              (have->kind != TypeKind::Class ||
               !(derives(want->decl, have->decl) || derives(have->decl, want->decl)))))) {
            diag.error(p->span, "a value of type %s can never be a %s", tn(t).c_str(), tn(want).c_str());
            want = err();
        }
        if (bad) want = err();
        if (p->name) {
            LocalDecl* d = new_local(p->name, p->span, want, false);
            p->decl = d;
            declare_local(p->name, d, p->span);
        }
        return;
    }
    case PatternKind::Ok:
    case PatternKind::Err: check_result_pattern(p, t); return; // check_errors.cpp
    }
}

const Type* Sema::check_match(MatchExpr* e, const Type* hint, bool as_stmt) {
    const Type* st = expr(e->scrutinee, nullptr);
    if (st->kind == TypeKind::Void || st->kind == TypeKind::Never) {
        diag.error(e->scrutinee->span, "cannot match on an expression without a value");
        st = err();
    }
    if (st->kind == TypeKind::Range) {
        diag.error(e->scrutinee->span, "cannot match on a range");
        st = err();
    }
    // As a value, arms that are plain number literals are checked last (they need no
    // scope), so they adapt to the other arms (check_expr.cpp, arms_type).
    bool deferred = false;
    for (MatchArm& a : e->arms) {
        push_scope();
        check_pattern(a.pattern, st);
        if (a.guard) value(a.guard, T.bool_());
        if (a.body_expr) {
            if (!as_stmt && is_plain_literal(a.body_expr)) deferred = true;
            else expr(a.body_expr, as_stmt ? nullptr : hint);
        }
        if (a.body_block) check_block(a.body_block);
        pop_scope();
    }
    // The match's type: the common type of the arms' values (block arms do not complete).
    const Type* rt = T.void_();
    if (!as_stmt) {
        std::vector<Expr**> vals;
        for (MatchArm& a : e->arms) {
            if (a.body_expr) vals.push_back(&a.body_expr);
            else if (a.body_block && !block_returns(a.body_block))
                diag.error(a.span, "a block arm of a match used as a value must end with 'return' or panic");
        }
        if (deferred) {
            const Type* lh = literal_arm_hint(vals.data(), (uint32_t)vals.size(), hint);
            for (Expr** x : vals)
                if (is_plain_literal(*x)) expr(*x, lh);
        }
        if (vals.empty()) rt = e->arms.empty() ? T.void_() : T.never();
        else rt = arms_type(vals.data(), (uint32_t)vals.size(), hint, e->span, "arms of 'match'");
    }
    // Exhaustiveness.
    if (is_error(st)) return rt;
    bool catch_all = false, has_true = false, has_false = false, has_ok = false, has_err = false;
    std::vector<Decl*> covered;
    for (MatchArm& a : e->arms) {
        Pattern* p = a.pattern;
        if (!p || a.guard) continue;
        if (irrefutable(p)) { catch_all = true; break; }
        if (p->kind == PatternKind::Variant && p->decl) {
            bool all = true;
            for (Pattern* s : p->subs) all = all && irrefutable(s);
            if (all) covered.push_back(p->decl);
        }
        if ((p->kind == PatternKind::Ok || p->kind == PatternKind::Err) && (!p->subs.size || irrefutable(p->subs[0])))
            (p->kind == PatternKind::Ok ? has_ok : has_err) = true;
        if (p->kind == PatternKind::Literal && p->lit && p->lit->kind == ExprKind::BoolLit) {
            if (static_cast<BoolLitExpr*>(p->lit)->value) has_true = true;
            else has_false = true;
        }
    }
    if (catch_all) return rt;
    if (st->kind == TypeKind::Nullable) {
        bool has_null = false, non_null = false;
        for (MatchArm& a : e->arms) {
            Pattern* p = a.pattern;
            if (!p || a.guard) continue;
            if (p->kind == PatternKind::Null) has_null = true;
            if (p->kind == PatternKind::Binding) non_null = true; // binds the non-null value
        }
        if (!has_null) {
            diag.error(e->span, "match is not exhaustive: missing null");
            return rt;
        }
        if (non_null) return rt;
        st = st->elem;
    }
    if (st->kind == TypeKind::Enum && st->decl) {
        std::vector<std::string> missing;
        for (Decl* m : st->decl->members)
            if (m && m->kind == DeclKind::EnumCase && std::find(covered.begin(), covered.end(), m) == covered.end())
                missing.push_back(std::string(m->name.view()));
        if (missing.empty()) return rt;
        std::sort(missing.begin(), missing.end());
        std::string list;
        for (size_t i = 0; i < missing.size(); i++) {
            if (i) list += ", ";
            list += missing[i];
        }
        diag.error(e->span, "match is not exhaustive: missing %s", list.c_str());
        return rt;
    }
    if (st->kind == TypeKind::Fallible) { // spec 10.3: both outcomes, or a '_' arm
        if (has_ok && has_err) return rt;
        diag.error(e->span, "match on %s is not exhaustive: missing %s", tn(st).c_str(),
                   has_ok ? "Err(e)" : has_err ? "Ok(v)" : "Ok(v), Err(e)");
        return rt;
    }
    if (st->kind == TypeKind::Bool) {
        if (has_true && has_false) return rt;
        diag.error(e->span, "match is not exhaustive: missing %s", has_true ? "false" : has_false ? "true" : "false, true");
        return rt;
    }
    diag.error(e->span, "match is not exhaustive: add a '_' arm (a match on %s must cover every value)", tn(st).c_str());
    return rt;
}

} // namespace lang::sema
