// check_call.cpp: calls, overload resolution and the builtin functions.
//
// Job: find the function a call refers to (free function, static method, method on a
// receiver, implicit-this method, constructor via NewExpr) and convert its arguments.
// Overloads are chosen by arity, then by the total conversion cost of the arguments
// (exact 0, literal adaptation/widening more); a tie is an ambiguity error.
// Builtins (Console.Write/WriteLine, assert, assert_eq, panic, string.Substring,
// string.Chars) set CallExpr.builtin and leave target null.
// Invariants: after check_call, CallExpr.type is the result type (void for builtins
// other than Substring and Chars) and the callee expression has a type (the FuncDecl's type for
// real functions, void for builtins).
#include "sema/check.h"
#include "sema/prelude.h"
#include <climits>

namespace lang::sema {

void Sema::gather(int32_t sym, CandBuf& out) const {
    out.n = 0;
    for (int32_t i = sym; i >= 0; i = sym_list_[i].next)
        if (sym_list_[i].decl->kind == DeclKind::Func && visible(sym_list_[i].decl))
            out.push(static_cast<FuncDecl*>(sym_list_[i].decl));
    if (out.n == 0) // only other files' private functions: the access check reports
        for (int32_t i = sym; i >= 0; i = sym_list_[i].next)
            if (sym_list_[i].decl->kind == DeclKind::Func) out.push(static_cast<FuncDecl*>(sym_list_[i].decl));
}

static bool same_param_types(const FuncDecl* a, const FuncDecl* b) {
    if (a->params.size != b->params.size) return false;
    for (uint32_t i = 0; i < a->params.size; i++)
        if (!a->params[i] || !b->params[i] || a->params[i]->type != b->params[i]->type) return false;
    return true;
}

static std::string arg_types(Sema& s, ArenaVec<Arg>& args) {
    std::string r = "(";
    for (uint32_t i = 0; i < args.size; i++) {
        if (i) r += ", ";
        r += args[i].value && args[i].value->type ? s.tn(args[i].value->type) : "?";
    }
    return r + ")";
}

FuncDecl* Sema::pick_overload(FuncDecl* const* cands, uint32_t ncands, ArenaVec<Arg>& args, const char* word,
                              Ident name, Span span) {
    for (Arg& a : args)
        if (a.name) diag.error(a.value ? a.value->span : span, "named arguments are not supported yet");
    if (ncands == 1) {
        FuncDecl* f = cands[0];
        add_caller_defaults(f, args, span); // context.cpp: left-out `SourceLocation at = #caller`
        if (f->is_variadic && args.size > f->params.size && !args_checked_) { // printf(fmt, ...): ffi.cpp
            ArenaVec<Arg> fixed = args;
            fixed.size = f->params.size;
            FuncDecl* r = pick_overload(cands, ncands, fixed, word, name, span);
            c_variadic_args(args, f->params.size);
            return r;
        }
        if (f->params.size != args.size) {
            diag.error(span, "%s '%s' expects %u argument%s, found %u", word, name.c_str(), f->params.size,
                       f->params.size == 1 ? "" : "s", args.size);
            if (!args_checked_)
                for (Arg& a : args) expr(a.value, nullptr);
            return nullptr;
        }
        for (uint32_t i = 0; i < args.size; i++) {
            ParamDecl* p = f->params[i];
            if (args_checked_) coerce(args[i].value, p && p->type ? p->type : err()); // (generic calls)
            else value(args[i].value, p && p->type ? p->type : err());
        }
        check_arg_modes(f, args);
        note_use(f, span); // instance_use.cpp
        return f;
    }
    // A lambda argument takes its parameter types from the parameter it is passed to, so
    // with one candidate of the right arity (`Sort()` and `Sort(cmp)`) that one is checked
    // as the only candidate.
    bool has_lambda = false;
    for (Arg& a : args) has_lambda = has_lambda || (a.value && a.value->kind == ExprKind::Lambda);
    if (has_lambda && !args_checked_) {
        FuncDecl* only = nullptr;
        uint32_t n = 0;
        for (uint32_t ci = 0; ci < ncands; ci++)
            if (cands[ci]->params.size == args.size) only = cands[ci], n++;
        if (n == 1) return pick_overload(&only, 1, args, word, name, span);
    }
    bool bad_arg = false;
    for (Arg& a : args)
        if (is_error(args_checked_ ? a.value->type : expr(a.value, nullptr))) bad_arg = true;
    FuncDecl* best = nullptr;
    int best_cost = INT_MAX;
    bool tie = false, any_arity = false;
    for (uint32_t ci = 0; ci < ncands; ci++) {
        FuncDecl* f = cands[ci];
        if (f->params.size != args.size && !caller_defaults_cover(f, args.size)) continue; // context.cpp
        any_arity = true;
        int total = 0;
        bool ok = true;
        for (uint32_t i = 0; i < args.size && ok; i++) {
            int cost;
            const Type* pt = f->params[i] && f->params[i]->type ? f->params[i]->type : err();
            ok = can_convert(args[i].value, pt, &cost);
            total += cost;
        }
        if (!ok) continue;
        if (total < best_cost) { best = f; best_cost = total; tie = false; }
        else if (total == best_cost && !same_param_types(best, f)) tie = true; // same types: reported as a duplicate
    }
    if (!best) {
        if (bad_arg) return nullptr;
        if (!any_arity)
            diag.error(span, "no overload of %s '%s' takes %u argument%s", word, name.c_str(), args.size,
                       args.size == 1 ? "" : "s");
        else
            diag.error(span, "no overload of %s '%s' matches the argument types %s", word, name.c_str(),
                       arg_types(*this, args).c_str());
        return nullptr;
    }
    if (tie && !bad_arg) {
        diag.error(span, "call to %s '%s' is ambiguous for argument types %s", word, name.c_str(),
                   arg_types(*this, args).c_str());
        return nullptr;
    }
    for (uint32_t i = 0; i < args.size; i++) coerce(args[i].value, best->params[i]->type);
    add_caller_defaults(best, args, span); // context.cpp
    check_arg_modes(best, args);
    note_use(best, span); // instance_use.cpp
    return best;
}

// `ref x` must match a `ref` parameter (same type, no conversion) and vice versa;
// `own x` may be written for an `own` parameter.
void Sema::check_arg_modes(FuncDecl* f, ArenaVec<Arg>& args) {
    for (uint32_t i = 0; i < args.size && i < f->params.size; i++) {
        ParamDecl* p = f->params[i];
        Expr* a = args[i].value;
        if (!p || !a) continue;
        Expr* inner = a;
        while (inner->kind == ExprKind::Cast && !static_cast<CastExpr*>(inner)->to)
            inner = static_cast<CastExpr*>(inner)->operand;
        bool is_ref = inner->kind == ExprKind::RefArg && !static_cast<RefArgExpr*>(inner)->is_own;
        bool is_own = inner->kind == ExprKind::RefArg && static_cast<RefArgExpr*>(inner)->is_own;
        if (p->mode == ParamMode::Ref) {
            if (!is_ref)
                diag.error(a->span, "argument for 'ref' parameter '%s' must be written 'ref %s'", p->name.c_str(),
                           p->name.c_str());
            else if (inner != a)
                diag.error(a->span, "a 'ref' argument must have exactly the parameter's type %s", tn(p->type).c_str());
        } else if (is_ref) {
            diag.error(a->span, "parameter '%s' is not 'ref'", p->name.c_str());
        } else if (is_own && p->mode != ParamMode::Own) {
            diag.error(a->span, "parameter '%s' is not 'own'", p->name.c_str());
        }
    }
    note_borrow_args(f, args); // closures.cpp
}

void Sema::check_args_loose(ArenaVec<Arg>& args) {
    for (Arg& a : args) expr(a.value, nullptr);
}

const Type* Sema::call_builtin(CallExpr* e, Builtin b) {
    e->builtin = (uint32_t)b;
    e->target = nullptr;
    if (e->callee) e->callee->type = T.void_();
    for (Arg& a : e->args)
        if (a.name) diag.error(a.value ? a.value->span : e->span, "named arguments are not supported yet");
    auto argc_error = [&](const char* name, const char* want) {
        diag.error(e->span, "%s expects %s, found %u argument%s", name, want, e->args.size, e->args.size == 1 ? "" : "s");
        check_args_loose(e->args);
        return b == Builtin::StringSubstring ? T.string() : b == Builtin::StringChars ? T.array(T.char_()) : T.void_();
    };
    switch (b) {
    case Builtin::ConsoleWrite:
    case Builtin::ConsoleWriteLine:
    case Builtin::ConsoleErrorWrite:
    case Builtin::ConsoleErrorWriteLine: {
        bool to_stderr = b == Builtin::ConsoleErrorWrite || b == Builtin::ConsoleErrorWriteLine;
        bool write = b == Builtin::ConsoleWrite || b == Builtin::ConsoleErrorWrite;
        const char* name = to_stderr ? (write ? "Console.Error.Write" : "Console.Error.WriteLine")
                                     : (write ? "Console.Write" : "Console.WriteLine");
        if (e->args.size > 1 || (write && e->args.size == 0))
            return argc_error(name, write ? "1 argument" : "0 or 1 argument");
        if (e->args.size == 1) {
            const Type* t = expr(e->args[0].value, nullptr);
            if (!is_error(t) && !to_string_ok(t) && !report_fallible(e->args[0].value, "printing it"))
                diag.error(e->args[0].value->span, "%s cannot print a value of type %s", name, tn(t).c_str());
            else if (to_stderr && !is_error(t) && t->kind != TypeKind::String)
                e->args[0].value = wrap_cast(e->args[0].value, T.string()); // written as its text
        }
        return T.void_();
    }
    case Builtin::Assert:
        if (e->args.size < 1 || e->args.size > 2) return argc_error("assert", "1 or 2 arguments");
        value(e->args[0].value, T.bool_());
        if (e->args.size == 2) value(e->args[1].value, T.string());
        return T.void_();
    case Builtin::AssertFails: {
        if (e->args.size != 1) return argc_error("assert_fails", "1 argument");
        const Type* t = expr(e->args[0].value, nullptr);
        if (!is_error(t) && t->kind != TypeKind::Fallible)
            diag.error(e->args[0].value->span, "assert_fails needs a value that may be an error (T!), not %s",
                       tn(t).c_str());
        return T.void_();
    }
    case Builtin::AssertEq:
    case Builtin::AssertNe: {
        const char* name = b == Builtin::AssertEq ? "assert_eq" : "assert_ne";
        if (e->args.size != 2) return argc_error(name, "2 arguments");
        const Type* a = expr(e->args[0].value, nullptr);
        const Type* bt = expr(e->args[1].value, a->is_numeric() ? a : nullptr);
        if (is_error(a) || is_error(bt)) return T.void_();
        const Type* ct = nullptr;
        if (a->is_numeric() && bt->is_numeric()) ct = common_type(e->args[0].value, e->args[1].value);
        else if (a == bt && (to_string_ok(a) || a->is_c_like_enum())) ct = a;
        if (!ct || is_error(ct))
            diag.error(e->span, "%s cannot compare %s and %s", name, tn(a).c_str(), tn(bt).c_str());
        return T.void_();
    }
    case Builtin::Panic:
        if (e->args.size != 1) return argc_error("panic", "1 argument");
        value(e->args[0].value, T.string());
        return T.never();
    case Builtin::StringSubstring:
        if (e->args.size < 1 || e->args.size > 2) return argc_error("Substring", "1 or 2 arguments (start[, count])");
        value(e->args[0].value, T.int_());
        if (e->args.size == 2) value(e->args[1].value, T.int_());
        return T.string();
    case Builtin::StringChars:
        if (e->args.size != 0) return argc_error("Chars", "no arguments");
        return T.array(T.char_());
    default:
        return T.void_();
    }
}

// `Shape.Circle(2.0)`: builds a value of a payload enum. The callee keeps decl = the
// case; CallExpr.target stays null; the arguments are converted to the payload types.
static const Type* construct_case(Sema& s, CallExpr* e, EnumCaseDecl* ec, Span span) {
    const Type* et = ec->type ? ec->type : s.err();
    e->callee->type = et;
    if (ec->payload.empty()) {
        s.diag.error(span, "enum case '%s' has no payload: write it without parentheses", ec->name.c_str());
        for (Arg& a : e->args) s.expr(a.value, nullptr);
        return s.err();
    }
    if (ec->payload.size != e->args.size) {
        s.diag.error(span, "enum case '%s' expects %u value%s, found %u", ec->name.c_str(), ec->payload.size,
                     ec->payload.size == 1 ? "" : "s", e->args.size);
        for (Arg& a : e->args) s.expr(a.value, nullptr);
        return s.err();
    }
    for (uint32_t i = 0; i < e->args.size; i++) {
        if (e->args[i].name) s.diag.error(span, "named arguments are not supported yet");
        ParamDecl* p = ec->payload[i];
        s.value(e->args[i].value, p && p->type ? p->type : s.err());
    }
    return et;
}

// Checks the static/instance/mut rules for a method called without a receiver.
static void check_implicit_this(Sema& s, FuncDecl* f, Span span) {
    if (!f->parent || (f->mods & M_STATIC)) return;
    if (!s.fn_.self || !s.derives(s.fn_.self_decl, static_cast<TypeDecl*>(f->parent))) {
        if (s.derives(s.fn_.self_decl, static_cast<TypeDecl*>(f->parent)))
            s.diag.error(span, "cannot call instance method '%s' from a static method", f->name.c_str());
        else
            s.diag.error(span, "cannot call instance method '%s' of an enclosing type", f->name.c_str());
        return;
    }
    if ((f->mods & M_MUT) && !s.fn_.is_mut)
        s.diag.error(span, "cannot call 'mut' method '%s' from a method that is not 'mut'", f->name.c_str());
    if (!s.lambda_stack_.empty()) s.capture_this(); // closures.cpp
}

// The type of `x?.M(args)` when M returns `r`: void stays void (the call is then only a
// statement), a nullable result stays as it is (no `R??`), anything else becomes `r?`.
const Type* Sema::null_safe_result(const Type* r) {
    if (!r || is_error(r)) return err();
    if (r->kind == TypeKind::Void || r->kind == TypeKind::Nullable) return r;
    return T.nullable(r);
}

const Type* Sema::call_as_method(CallExpr* e, const char* name, const Type* hint) {
    MemberExpr* callee = member_node(arena, e->args[0].value, c.interner.intern(name), e->callee->span);
    e->callee = callee;
    e->builtin = 0;
    ArenaVec<Arg> rest;
    for (uint32_t i = 1; i < e->args.size; i++) rest.push(arena, e->args[i]);
    e->args = rest;
    return check_call(e, hint);
}

const Type* Sema::check_call(CallExpr* e, const Type* hint) {
    Expr* callee = e->callee;
    if (!callee) {
        check_args_loose(e->args);
        return err();
    }
    CandBuf cands;
    if (callee->kind == ExprKind::Name) {
        auto* n = static_cast<NameExpr*>(callee);
        Decl* ld = lookup_local(n->name);
        if (!ld) ld = capture(n->name, n->span); // lambdas.cpp
        if (Decl* d = ld) {
            n->decl = d;
            n->type = d->type ? d->type : err();
            if (n->type->kind == TypeKind::Func) return call_value(e, n->type);
            if (!is_error(n->type))
                diag.error(callee->span, "'%s' is not a function: it has type %s", n->name.c_str(), tn(n->type).c_str());
            check_args_loose(e->args);
            return err();
        }
        if (in_prelude_file()) // the library's hash/equals are the builtins, whatever the program declares
            if (const Type* ht = check_hash_builtin(e, n, hint)) return ht;
        int32_t s = lookup_in_types(n->name);
        bool ambiguous = false;
        if (s < 0) s = lookup_global(n->name, n->span, &ambiguous);
        if (s < 0 && !ambiguous && hint && hint->kind == TypeKind::Enum && hint->decl) {
            // An unqualified case of the expected enum: `let s: Shape = Circle(1.0);`
            int32_t c = lookup_member(hint->decl, n->name);
            if (c >= 0 && sym_list_[c].decl->kind == DeclKind::EnumCase) {
                n->decl = sym_list_[c].decl;
                return construct_case(*this, e, static_cast<EnumCaseDecl*>(n->decl), e->span);
            }
        }
        if (s < 0) {
            if (!ambiguous) {
                if (n->name == id_assert) return call_builtin(e, Builtin::Assert);
                if (n->name == id_assert_eq) return call_builtin(e, Builtin::AssertEq);
                if (n->name == id_assert_ne) return call_builtin(e, Builtin::AssertNe);
                if (n->name == id_assert_fails) return call_builtin(e, Builtin::AssertFails);
                if (n->name == id_panic) return call_builtin(e, Builtin::Panic);
                if (n->name == "compare") return check_compare(e); // compare.cpp
                if (n->name == "swap") return check_swap(e);       // swap.cpp
                if (n->name == "take") return check_take(e);       // swap.cpp
                if (n->name == "__lang_parse_f64" && file_ && is_prelude_path(c.sources.file(file_->ast->file_id).path)) {
                    if (e->args.size == 1) value(e->args[0].value, T.string());
                    e->builtin = (uint32_t)Builtin::ParseF64;
                    callee->type = T.void_();
                    return T.float_();
                }
                if (const Type* ct = check_conc_free_call(e, n)) return ct; // Sleep, Yield
                if (const Type* mt = check_rt_intrinsic(e, n)) return mt;  // the prelude's runtime calls (intrinsics.cpp)
                if (const Type* ht = check_hash_builtin(e, n, hint)) return ht; // hashing.cpp
                if (const Type* gt = check_implicit_get_type(e, n)) return gt; // reflect.cpp
                if (const Type* kt = check_implicit_clone(e, n)) return kt;    // clone.cpp
                diag.error(callee->span, "undefined name '%s'", n->name.c_str());
            }
            callee->type = err();
            check_args_loose(e->args);
            return err();
        }
        Decl* d = sym_list_[s].decl;
        n->decl = d;
        if ((d->kind == DeclKind::Local || d->kind == DeclKind::Field) && d->type && d->type->kind == TypeKind::Func) {
            n->type = check_name(n, false); // a global or static field of function type
            return is_error(n->type) ? err() : call_value(e, n->type);
        }
        if (d->kind != DeclKind::Func) {
            if (d->kind == DeclKind::Type)
                diag.error(callee->span, "'%s' is a type: use 'new %s(...)' to make a value", n->name.c_str(), n->name.c_str());
            else if (d->kind == DeclKind::EnumCase)
                return construct_case(*this, e, static_cast<EnumCaseDecl*>(d), e->span);
            else
                diag.error(callee->span, "'%s' is not a function", n->name.c_str());
            callee->type = err();
            check_args_loose(e->args);
            return err();
        }
        gather(s, cands);
        if (!generic_candidates(cands, n->generic_args(), e->args, n->name, e->span)) { // generics.cpp
            args_checked_ = false;
            callee->type = err();
            return err();
        }
        const char* word = d->parent && !(d->mods & M_STATIC) ? "method" : "function";
        FuncDecl* f = pick_overload(cands.data(), cands.n, e->args, word, n->name, e->span);
        args_checked_ = false;
        if (!f) { callee->type = err(); return err(); }
        n->decl = f;
        n->type = f->type;
        check_access(f, n->span);
        check_implicit_this(*this, f, n->span);
        check_property_call(e, f, n->span); // properties.cpp
        e->target = f;
        if (f->fkind == FuncKind::Extern) {
            check_c_call(e, f); // ffi.cpp: only in `unsafe { }`
            if (f->type->elem->kind == TypeKind::CString) return T.nullable(T.string()); // copied (lower_call.cpp)
        }
        return f->type->elem;
    }
    if (callee->kind == ExprKind::Member) {
        auto* m = static_cast<MemberExpr*>(callee);
        // `x?.M(args)`: x is a T?; the method is looked up on T like `x.M(args)`.
        bool null_safe = m->null_safe;
        const Type* ot;
        if (null_safe) {
            ot = null_safe_receiver(m);
            if (!ot) ot = err();
        } else {
            if (const Type* dt = check_duration_call(e, m)) return dt; // Duration.Millis(n) etc.
            if (const Type* mt = check_math_call(e, m)) return mt;     // Math.Sqrt(x) etc. (check_math.cpp)
            if (const Type* jt = check_json_call(e, m)) return jt;     // Json.Serialize(v) etc. (json.cpp)
            if (const Type* pt = check_parse_call(e, m)) return pt;    // int.Parse(s), float.Parse(s)
            if (const Type* jt = check_text_static_call(e, m)) return jt; // string.Join(sep, xs)
            if (const Type* ct = check_context_call(e, m)) return ct;    // context.temp_allocator.Reset() (context.cpp)
            ot = check_operand(m->object);
        }
        if (is_console(m->object, id_console)) {
            if (m->name == id_write || m->name == id_writeline) {
                Builtin b = m->name == id_write ? Builtin::ConsoleWrite : Builtin::ConsoleWriteLine;
                m->builtin = (uint32_t)b;
                m->type = T.void_();
                return call_builtin(e, b);
            }
            if (m->name == "ReadLine" || m->name == "Read") { // standard input (src/rt/io.c)
                bool line = m->name == "ReadLine";
                e->builtin = m->builtin = (uint32_t)(line ? Builtin::ConsoleReadLine : Builtin::ConsoleRead);
                m->type = T.void_();
                if (e->args.size) {
                    diag.error(e->span, "Console.%s expects no arguments, found %u", m->name.c_str(), e->args.size);
                    check_args_loose(e->args);
                }
                return line ? T.nullable(T.string()) : T.int_();
            }
            diag.error(m->name_span, "'Console' has no function '%s'", m->name.c_str());
            callee->type = err();
            check_args_loose(e->args);
            return err();
        }
        if (is_console_error(m->object, id_console, id_error)) {
            if (m->name == id_write || m->name == id_writeline) {
                Builtin b = m->name == id_write ? Builtin::ConsoleErrorWrite : Builtin::ConsoleErrorWriteLine;
                m->builtin = (uint32_t)b;
                m->type = T.void_();
                return call_builtin(e, b);
            }
            diag.error(m->name_span, "'Console.Error' has no function '%s'", m->name.c_str());
            callee->type = err();
            check_args_loose(e->args);
            return err();
        }
        if (is_error(ot)) {
            callee->type = err();
            check_args_loose(e->args);
            return err();
        }
        if (const Type* r = check_get_type(e, m, ot)) return r;          // reflect.cpp
        if (const Type* r = check_clone_call(e, m, ot)) return r;        // clone.cpp
        if (ot->is_conc_handle()) return check_conc_method(e, m, ot); // check_concurrency.cpp
        if (const Type* tt = check_text_method(e, m, ot, null_safe)) return tt; // check_text.cpp
        Decl* od = null_safe ? nullptr : ref_decl(m->object);
        int32_t s = -1;
        bool on_type = false;
        const char* owner_word = nullptr;
        const char* owner_name = "";
        if (od && od->kind == DeclKind::Namespace) {
            NsInfo* ns = ns_of(od);
            s = ns ? sym_find(ns, m->name) : -1;
            if (s >= 0) s = first_visible(s);
            on_type = true;
            owner_word = "namespace";
            owner_name = ns ? ns->path.c_str() : "?";
        } else if (od && od->kind == DeclKind::Type && ot == od->type &&
                   (m->object->kind == ExprKind::Name || m->object->kind == ExprKind::Member)) {
            auto* td = static_cast<TypeDecl*>(od);
            s = lookup_member(td, m->name);
            on_type = true;
            owner_word = tkind_word(td);
            owner_name = td->name.c_str();
        } else if (ot->kind == TypeKind::String) {
            if (m->name == "Substring" || m->name == "Chars") {
                Builtin b = m->name == "Chars" ? Builtin::StringChars : Builtin::StringSubstring;
                m->builtin = (uint32_t)b;
                m->type = T.void_();
                const Type* r = call_builtin(e, b);
                m->type = T.void_();
                return null_safe ? null_safe_result(r) : r;
            }
        } else if (ot->kind == TypeKind::Struct || ot->kind == TypeKind::Class || ot->kind == TypeKind::Interface) {
            s = lookup_member(ot->decl, m->name);
            owner_word = tkind_word(ot->decl);
            owner_name = ot->decl->name.c_str();
        }
        if (s < 0) {
            if (ot->kind == TypeKind::Fallible && report_fallible(m->object, "calling its methods")) {
                callee->type = err();
                check_args_loose(e->args);
                return err();
            }
            if (owner_word)
                diag.error(m->name_span, "%s '%s' has no function '%s'", owner_word, owner_name, m->name.c_str());
            else
                diag.error(m->name_span, "type %s has no method '%s'", tn(ot).c_str(), m->name.c_str());
            callee->type = err();
            check_args_loose(e->args);
            return err();
        }
        Decl* d = sym_list_[s].decl;
        m->decl = d;
        if (d->kind == DeclKind::Field && d->type && d->type->kind == TypeKind::Func && !null_safe) {
            // o.cb(x) with a field of function type: read the field, call its value
            // (the object was checked without errors above; checking it again is harmless).
            const Type* ft = check_member(m, false);
            m->type = ft;
            return is_error(ft) ? err() : call_value(e, ft);
        }
        if (d->kind != DeclKind::Func) {
            if (d->kind == DeclKind::EnumCase && on_type)
                return construct_case(*this, e, static_cast<EnumCaseDecl*>(d), e->span);
            else
                diag.error(m->name_span, "'%s' is not a function", m->name.c_str());
            callee->type = err();
            check_args_loose(e->args);
            return err();
        }
        gather(s, cands);
        if (!generic_candidates(cands, m->generic_args(), e->args, m->name, e->span)) { // generics.cpp
            args_checked_ = false;
            callee->type = err();
            return err();
        }
        const char* word = d->parent && !(d->mods & M_STATIC) ? "method" : "function";
        FuncDecl* f = pick_overload(cands.data(), cands.n, e->args, word, m->name, e->span);
        args_checked_ = false;
        if (!f) { callee->type = err(); return err(); }
        m->decl = f;
        m->type = f->type;
        e->target = f;
        check_property_call(e, f, m->name_span); // properties.cpp
        check_access(f, m->name_span);
        bool is_static = !f->parent || (f->mods & M_STATIC);
        if (on_type && !is_static)
            diag.error(m->name_span, "'%s' is an instance method: call it on a value, not on the type", m->name.c_str());
        else if (!on_type && is_static)
            diag.error(m->name_span, "static method '%s' must be called on its type: '%s.%s(...)'", m->name.c_str(),
                       owner_name, m->name.c_str());
        else if (!on_type && (f->mods & M_MUT))
            require_mutable(m->object, m->name_span, f);
        return null_safe ? null_safe_result(f->type->elem) : f->type->elem;
    }
    const Type* t = expr(callee, nullptr);
    if (t->kind == TypeKind::Func) return call_value(e, t);
    if (!is_error(t)) diag.error(callee->span, "this expression cannot be called");
    check_args_loose(e->args);
    return err();
}

} // namespace lang::sema
