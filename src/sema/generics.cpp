// generics.cpp: generic types and functions, monomorphized.
//
// A generic declaration (`class Stack<T>`, `T Max<T>(T a, T b) where T : IComparable<T>`)
// is a template: sema never checks its body, lays it out or gives it a symbol. A generic
// function's signature is resolved once with its type parameters as TypeParam types, for
// inference. Each distinct list of type arguments makes one instance for the whole program
// (`instances_`, keyed by template and argument types): a fresh copy of the declaration
// (parse/parser.h reparse_decl) named like `Stack<int>`, whose type parameters are bound
// to the arguments (`tbind_`, consulted by resolve_type). The instance is registered like
// a hand-written declaration (types_/funcs_, FileAst::instances for lowering) and goes at
// once through every declaration phase already started (catch_up); its bodies are checked
// with the other bodies, so every instance is checked when made, with concrete types.
// Constraints (`where T : I`) are checked at the use that made the instance, once the
// types' bases are known (check_pending_constraints).
// Invariants: per-instance state lives on the instance's own declarations, never on the
// template. An instance made while making or checking another is one level deeper; past
// kMaxInstanceDepth levels (polymorphic recursion) the use is an error and nothing more
// is made, so instantiation always ends. Type-parameter patterns in template signatures
// (`Stack<T>` in `void Push<T>(Stack<T> s)`) are stubs: a TypeDecl without members, only
// compared by inference.
#include <functional>
#include "parse/parser.h"
#include "sema/check.h"

namespace lang::sema {

void collect_type(Sema& s, TypeDecl* td, uint32_t file); // resolve.cpp

constexpr uint32_t kMaxInstanceDepth = 64;

void Sema::check_tparam_names(const ArenaVec<TypeParamDecl*>& tps) {
    for (uint32_t i = 0; i < tps.size; i++)
        for (uint32_t j = 0; j < i; j++)
            if (tps[i] && tps[j] && tps[i]->name == tps[j]->name) {
                diag.error(tps[i]->name_span, "duplicate type parameter '%s'", tps[i]->name.c_str());
                break;
            }
}

void Sema::bind_template_params(Decl* d, const ArenaVec<TypeParamDecl*>& tps) {
    check_tparam_names(tps);
    auto& b = tbind_[d];
    b.clear();
    for (TypeParamDecl* tp : tps)
        if (tp) b.push_back({tp->name, T.type_param(tp)});
}

const Type* Sema::lookup_tparam(Ident name) const {
    auto in = [&](const Decl* d) -> const Type* {
        auto it = tbind_.find(d);
        if (it == tbind_.end()) return nullptr;
        for (const auto& [n, t] : it->second)
            if (n == name) return t;
        return nullptr;
    };
    if (tp_fn_)
        if (const Type* t = in(tp_fn_)) return t;
    if (fn_.fn)
        if (const Type* t = in(fn_.fn)) return t;
    for (size_t i = type_stack_.size(); i-- > 0;)
        if (const Type* t = in(type_stack_[i])) return t;
    return nullptr;
}

uint32_t Sema::file_index(uint32_t file_id) const {
    for (uint32_t i = 0; i < files_.size(); i++)
        if (files_[i].ast->file_id == file_id) return i;
    return 0;
}

uint32_t Sema::context_depth() const {
    if (inst_info_.empty()) return 0;
    uint32_t d = 0;
    auto at = [&](const Decl* x) {
        for (; x; x = x->parent) {
            auto it = inst_info_.find(x);
            if (it != inst_info_.end() && it->second.depth > d) d = it->second.depth;
        }
    };
    at(tp_fn_);
    at(fn_.fn);
    for (TypeDecl* t : type_stack_) at(t);
    return d;
}

// Mentions a type parameter: directly, inside, or as a signature stub (`Box<T>`, depth 0).
static bool has_tparam(const Sema& s, const Type* t) {
    if (!t) return false;
    if (t->kind == TypeKind::TypeParam) return true;
    if (t->decl) {
        auto it = s.inst_info_.find(t->decl);
        if (it != s.inst_info_.end() && it->second.depth == 0) return true;
    }
    if (t->elem && has_tparam(s, t->elem)) return true;
    for (uint32_t i = 0; t->elems && i < t->count; i++)
        if (has_tparam(s, t->elems[i])) return true;
    return false;
}

// The name of a type in an instance's name: nominal types with their namespace, so that
// two types of the same name in different namespaces make different symbols.
static void qual_name(Sema& s, std::string& out, const Type* t) {
    switch (t->kind) {
    case TypeKind::Struct: case TypeKind::Class: case TypeKind::Interface: case TypeKind::Enum: {
        if (!t->decl) break;
        std::vector<const Decl*> chain;
        for (const Decl* d = t->decl; d; d = d->parent) chain.push_back(d);
        const Decl* top = chain.back();
        const std::string& ns = s.files_[s.file_index(top->span.file)].ns->path;
        if (!ns.empty()) { out += ns; out += '.'; }
        for (size_t i = chain.size(); i-- > 0;) {
            out += chain[i]->name.view();
            if (i) out += '.';
        }
        return;
    }
    case TypeKind::Array: qual_name(s, out, t->elem); out += "[]"; return;
    case TypeKind::Nullable: qual_name(s, out, t->elem); out += "?"; return;
    case TypeKind::Fallible: qual_name(s, out, t->elem); out += "!"; return;
    case TypeKind::Tuple: case TypeKind::Func:
        out += '(';
        for (uint32_t i = 0; i < t->count; i++) {
            if (i) out += ", ";
            qual_name(s, out, t->elems[i]);
        }
        out += ')';
        if (t->kind == TypeKind::Func) { out += " => "; qual_name(s, out, t->elem); }
        return;
    default: break;
    }
    out += type_name(t);
}

static Ident instance_name(Sema& s, Ident base, const std::vector<const Type*>& args) {
    std::string n(base.view());
    n += '<';
    for (size_t i = 0; i < args.size(); i++) {
        if (i) n += ", ";
        qual_name(s, n, args[i]);
    }
    n += '>';
    return s.c.interner.intern(n);
}

// Checks the depth limit for a new instance made from the current context; reports it.
static bool too_deep(Sema& s, Decl* gen, Span use, uint32_t* depth) {
    *depth = s.context_depth() + 1;
    if (*depth <= kMaxInstanceDepth) return false;
    if (!s.depth_reported_) {
        s.depth_reported_ = true;
        s.diag.error(use,
                     "instances of '%s' nested more than %u levels deep: a generic that uses itself with ever "
                     "larger type arguments (polymorphic recursion) has no end",
                     gen->name.c_str(), kMaxInstanceDepth);
    }
    return true;
}

const Type* Sema::instantiate_type(TypeDecl* gen, const std::vector<const Type*>& args, Span use) {
    for (const Type* a : args)
        if (is_error(a)) return err();
    auto key = std::make_pair((const Decl*)gen, args);
    if (auto it = instances_.find(key); it != instances_.end()) return it->second->type;
    TypeKind k = gen->type ? gen->type->kind : TypeKind::Class;
    bool pattern = false;
    for (const Type* a : args) pattern |= has_tparam(*this, a);
    if (pattern) {
        // `Stack<T>` in a template's signature: a stub for inference only.
        TypeDecl* stub = arena.make<TypeDecl>();
        stub->kind = DeclKind::Type;
        stub->tkind = gen->tkind;
        stub->span = gen->span;
        stub->name_span = gen->name_span;
        stub->name = instance_name(*this, gen->name, args);
        stub->parent = gen->parent;
        stub->mods = gen->mods;
        stub->type = T.nominal(k, stub);
        inst_info_[stub] = InstInfo{gen, args, 0, use};
        instances_[key] = stub;
        return stub->type;
    }
    uint32_t depth;
    if (too_deep(*this, gen, use, &depth)) return err();
    Decl* d = reparse_decl(c, gen->span.file, gen->span.begin, static_cast<TypeDecl*>(gen->parent));
    if (!d || d->kind != DeclKind::Type || static_cast<TypeDecl*>(d)->type_params.size != args.size()) {
        diag.error(use, "internal compiler error: cannot copy generic type '%s'", gen->name.c_str());
        return err();
    }
    auto* inst = static_cast<TypeDecl*>(d);
    inst->parent = gen->parent;
    add_instance(inst, inst->type_params, gen, args, depth, use, [&](uint32_t fi) { collect_type(*this, inst, fi); });
    return inst->type;
}

// Makes `inst`, a fresh copy of `gen`, the instance for `args`: names it, binds its type
// parameters (`tparams`, then emptied), records it, lets `collect` enter it in the
// declaration lists, queues its constraints and runs the phases started so far over it.
void Sema::add_instance(Decl* inst, ArenaVec<TypeParamDecl*>& tparams, Decl* gen, const std::vector<const Type*>& args,
                        uint32_t depth, Span use, const std::function<void(uint32_t)>& collect) {
    inst->name = instance_name(*this, gen->name, args);
    std::vector<TypeParamDecl*> tps(tparams.begin(), tparams.end());
    auto& b = tbind_[inst];
    for (size_t i = 0; i < args.size(); i++) b.push_back({tps[i]->name, args[i]});
    tparams = {};
    inst_info_[inst] = InstInfo{gen, args, depth, use};
    instances_[std::make_pair((const Decl*)gen, args)] = inst;
    uint32_t fi = file_index(gen->span.file);
    files_[fi].ast->instances.push(arena, inst);
    size_t t0 = types_.size(), f0 = funcs_.size();
    collect(fi);
    for (size_t i = 0; i < tps.size(); i++)
        if (!tps[i]->constraints.empty()) pending_constraints_.push_back({tps[i], args[i], inst, use});
    catch_up(t0, f0);
}

FuncDecl* Sema::instantiate_func(FuncDecl* gen, const std::vector<const Type*>& args, Span use) {
    for (const Type* a : args)
        if (is_error(a)) return nullptr;
    auto key = std::make_pair((const Decl*)gen, args);
    if (auto it = instances_.find(key); it != instances_.end()) return static_cast<FuncDecl*>(it->second);
    uint32_t depth;
    if (too_deep(*this, gen, use, &depth)) return nullptr;
    auto* owner = static_cast<TypeDecl*>(gen->parent);
    Decl* d = reparse_decl(c, gen->span.file, gen->span.begin, owner);
    if (!d || d->kind != DeclKind::Func || static_cast<FuncDecl*>(d)->type_params.size != args.size()) {
        diag.error(use, "internal compiler error: cannot copy generic function '%s'", gen->name.c_str());
        return nullptr;
    }
    auto* inst = static_cast<FuncDecl*>(d);
    inst->parent = owner;
    add_instance(inst, inst->type_params, gen, args, depth, use, [&](uint32_t fi) { funcs_.push_back({inst, owner, fi}); });
    return inst;
}

// Runs the declaration phases started so far over the entries from t0/f0 on (new
// instances). Instances made meanwhile are appended and taken in by the loops here, so
// this never recurses.
void Sema::catch_up(size_t t0, size_t f0) {
    if (catching_up_ || phase_ < 1) return; // the running phase loop or catch_up takes them
    catching_up_ = true;
    FileCtx* s_file = file_;
    std::vector<TypeDecl*> s_stack = type_stack_;
    FnCtx s_fn = fn_;
    FuncDecl* s_tp = tp_fn_;
    size_t s_tf = t_from_, s_tt = t_to_, s_ff = f_from_, s_ft = f_to_;
    uint32_t s_limit = init_limit_;
    std::vector<const Type*> s_buf;
    s_buf.swap(type_buf_);
    size_t ts = t0, fs = f0;
    while (ts < types_.size() || fs < funcs_.size()) {
        // Signatures first, of everything they make too, so layouts see whole types.
        size_t st = ts, sf = fs;
        while (st < types_.size() || sf < funcs_.size()) {
            t_from_ = st; t_to_ = types_.size();
            f_from_ = sf; f_to_ = funcs_.size();
            resolve_signatures();
            st = t_to_; sf = f_to_;
        }
        t_from_ = ts; t_to_ = st;
        f_from_ = fs; f_to_ = sf;
        if (phase_ >= 2) check_inheritance();
        if (phase_ >= 3) mangle_all();
        if (phase_ >= 4) layout_phase();
        if (phase_ >= 5) check_field_inits();
        t_from_ = 0; t_to_ = SIZE_MAX; f_from_ = 0; f_to_ = SIZE_MAX;
        if (phase_ >= 2) check_pending_constraints();
        ts = st; fs = sf;
    }
    type_buf_.swap(s_buf);
    file_ = s_file;
    type_stack_ = s_stack;
    fn_ = s_fn;
    tp_fn_ = s_tp;
    t_from_ = s_tf; t_to_ = s_tt; f_from_ = s_ff; f_to_ = s_ft;
    init_limit_ = s_limit;
    catching_up_ = false;
}

bool Sema::satisfies(const Type* arg, const Type* ct) const {
    if (arg == ct) return true;
    bool nominal = arg->kind == TypeKind::Class || arg->kind == TypeKind::Struct || arg->kind == TypeKind::Interface;
    if (!nominal || !arg->decl || !ct->decl) return false;
    if (ct->kind == TypeKind::Interface) return implements(arg->decl, ct->decl);
    if (ct->kind == TypeKind::Class) return arg->kind == TypeKind::Class && derives(arg->decl, ct->decl);
    return false;
}

void Sema::check_pending_constraints() {
    if (phase_ < 2) return;
    while (!pending_constraints_.empty()) {
        std::vector<PendingConstraint> todo;
        todo.swap(pending_constraints_);
        FileCtx* s_file = file_;
        std::vector<TypeDecl*> s_stack = type_stack_;
        FuncDecl* s_tp = tp_fn_;
        for (PendingConstraint& pc : todo) {
            file_ = &files_[file_index(pc.inst->span.file)];
            if (pc.inst->kind == DeclKind::Type) {
                enter_type(static_cast<TypeDecl*>(pc.inst));
                tp_fn_ = nullptr;
            } else {
                if (pc.inst->parent) enter_type(static_cast<TypeDecl*>(pc.inst->parent));
                else type_stack_.clear();
                tp_fn_ = static_cast<FuncDecl*>(pc.inst);
            }
            const InstInfo& ii = inst_info_[pc.inst];
            for (TypeExpr* ce : pc.tp->constraints) {
                const Type* ct = resolve_type(ce);
                if (is_error(ct)) continue;
                if (ct->kind != TypeKind::Interface && ct->kind != TypeKind::Class) {
                    diag.error(ce->span, "a constraint must be an interface or a class, not %s", tn(ct).c_str());
                    continue;
                }
                if (satisfies(pc.arg, ct)) continue;
                diag.error(pc.use, "type %s does not satisfy the constraint '%s' of type parameter '%s' of '%s'",
                           tn(pc.arg).c_str(), tn(ct).c_str(), pc.tp->name.c_str(), ii.generic->name.c_str());
                diag.note(ce->span, "the constraint is declared here");
                failed_insts_[pc.inst] = true;
            }
        }
        file_ = s_file;
        type_stack_ = s_stack;
        tp_fn_ = s_tp;
    }
}

// Inference: matches a template parameter type against an argument type, binding the
// template's type parameters (`b`, parallel to f->type_params) where they appear.
static void unify(Sema& s, FuncDecl* f, const Type* p, const Type* a, std::vector<const Type*>& b) {
    if (!p || !a || s.is_error(a)) return;
    if (a->kind == TypeKind::Null || a->kind == TypeKind::Never) return;
    switch (p->kind) {
    case TypeKind::TypeParam:
        for (uint32_t i = 0; i < f->type_params.size; i++) {
            if (f->type_params[i] != p->tparam) continue;
            if (!b[i]) b[i] = a;
            else if (b[i] != a && !s.implicit_ok(a, b[i]) && s.implicit_ok(b[i], a)) b[i] = a; // Max(1, 2.5): float
        }
        return;
    case TypeKind::Array:
        if (a->kind == TypeKind::Array) unify(s, f, p->elem, a->elem, b);
        return;
    case TypeKind::Nullable:
        unify(s, f, p->elem, a->kind == TypeKind::Nullable ? a->elem : a, b);
        return;
    case TypeKind::Tuple: case TypeKind::Func:
        if (a->kind != p->kind || a->count != p->count) return;
        for (uint32_t i = 0; i < p->count; i++) unify(s, f, p->elems[i], a->elems[i], b);
        if (p->kind == TypeKind::Func) unify(s, f, p->elem, a->elem, b);
        return;
    case TypeKind::Struct: case TypeKind::Class: case TypeKind::Interface: case TypeKind::Enum: {
        auto pi = s.inst_info_.find(p->decl);
        if (pi == s.inst_info_.end() || !a->decl) return;
        // The argument's type, one of its base classes or one of the interfaces it
        // implements, made from the same template.
        std::vector<TypeDecl*> from;
        for (TypeDecl* ad = a->decl; ad; ad = s.base_of(ad)) from.push_back(ad);
        if (p->kind == TypeKind::Interface) s.interfaces_of(a->decl, from);
        for (const TypeDecl* ad : from) {
            auto ai = s.inst_info_.find(ad);
            if (ai == s.inst_info_.end() || ai->second.generic != pi->second.generic) continue;
            for (size_t i = 0; i < pi->second.args.size() && i < ai->second.args.size(); i++)
                unify(s, f, pi->second.args[i], ai->second.args[i], b);
            return;
        }
        return;
    }
    default: return;
    }
}

// p with f's type parameters replaced by their inferred arguments b, or null when one of
// them is not known yet or p has a shape this does not rebuild (a generic class instance).
static const Type* subst(Sema& s, FuncDecl* f, const Type* p, const std::vector<const Type*>& b) {
    if (!p) return nullptr;
    switch (p->kind) {
    case TypeKind::TypeParam:
        for (uint32_t i = 0; i < f->type_params.size; i++)
            if (f->type_params[i] == p->tparam) return b[i];
        return nullptr;
    case TypeKind::Array: {
        const Type* e = subst(s, f, p->elem, b);
        return e ? s.T.array(e) : nullptr;
    }
    case TypeKind::Nullable: {
        const Type* e = subst(s, f, p->elem, b);
        return e ? s.T.nullable(e) : nullptr;
    }
    case TypeKind::Tuple: case TypeKind::Func: {
        std::vector<const Type*> es;
        for (uint32_t i = 0; i < p->count; i++) {
            es.push_back(subst(s, f, p->elems[i], b));
            if (!es.back()) return nullptr;
        }
        if (p->kind == TypeKind::Tuple) return s.T.tuple(es.data(), (uint32_t)es.size());
        const Type* r = subst(s, f, p->elem, b);
        return r ? s.T.func(es.data(), (uint32_t)es.size(), r) : nullptr;
    }
    default:
        return has_tparam(s, p) ? nullptr : p;
    }
}

// A lambda argument whose parameters have no written types (`x => x * 2`).
static bool untyped_lambda(const Expr* e) {
    if (!e || e->kind != ExprKind::Lambda) return false;
    for (ParamDecl* p : static_cast<const LambdaExpr*>(e)->params)
        if (p && !p->type_expr) return true;
    return false;
}

bool Sema::generic_candidates(CandBuf& cands, const ArenaVec<TypeExpr*>& gargs, ArenaVec<Arg>& args, Ident name,
                              Span span) {
    bool any = false;
    for (uint32_t i = 0; i < cands.n; i++) any |= is_template_fn(cands.data()[i]);
    if (!any && gargs.empty()) return true;
    std::vector<const Type*> explicit_args;
    for (TypeExpr* te : gargs) explicit_args.push_back(resolve_type(te));
    if (!any) {
        diag.error(span, "'%s' is not generic: it takes no type arguments", name.c_str());
        for (Arg& a : args) expr(a.value, nullptr);
        return false;
    }
    // With one generic candidate, a lambda with untyped parameters is checked after the
    // other arguments have inferred the type arguments its parameters need (`Map(xs, x =>
    // x * 2)`); its result then infers the rest (C#'s phased inference, simplified).
    bool defer = cands.n == 1 && gargs.empty() && is_template_fn(cands.data()[0]);
    bool bad_arg = false;
    for (Arg& a : args)
        if (!(defer && untyped_lambda(a.value)) && is_error(expr(a.value, nullptr))) bad_arg = true;
    args_checked_ = true;
    for (const Type* t : explicit_args)
        if (is_error(t)) return false;
    CandBuf out;
    std::string why;
    for (uint32_t ci = 0; ci < cands.n; ci++) {
        FuncDecl* f = cands.data()[ci];
        if (!is_template_fn(f)) {
            if (gargs.empty()) out.push(f);
            continue;
        }
        bool bad_sig = !f->type || is_error(f->type->elem);
        for (uint32_t i = 0; f->type && i < f->type->count; i++) bad_sig |= is_error(f->type->elems[i]);
        if (bad_sig) return false; // reported with the template's signature
        std::vector<const Type*> b(f->type_params.size, nullptr);
        if (!gargs.empty()) {
            if (gargs.size != f->type_params.size) {
                why = "'" + std::string(f->name.view()) + "' takes " + std::to_string(f->type_params.size) +
                      " type argument" + (f->type_params.size == 1 ? "" : "s") + ", found " +
                      std::to_string(gargs.size);
                continue;
            }
            b = explicit_args;
        } else {
            if (f->params.size != args.size) {
                why = "'" + std::string(f->name.view()) + "' expects " + std::to_string(f->params.size) +
                      " argument" + (f->params.size == 1 ? "" : "s") + ", found " + std::to_string(args.size);
                continue;
            }
            // Plain number literals last, float ones before integer ones: they adapt to
            // what the other arguments say (`Max(x, 1)`, `Max(1, 2.5)` is Max<float>).
            auto pass_of = [&](Expr* e) {
                if (!is_plain_literal(e)) return 0;
                uint64_t mag;
                bool neg;
                return is_untyped_int(e, &mag, &neg) ? 2 : 1;
            };
            for (int pass = 0; pass < 3; pass++)
                for (uint32_t i = 0; i < args.size; i++)
                    if (f->params[i] && args[i].value && args[i].value->type && pass_of(args[i].value) == pass)
                        unify(*this, f, f->params[i]->type, args[i].value->type, b);
            for (uint32_t i = 0; i < args.size; i++) { // the deferred lambdas, in order
                Expr* a = args[i].value;
                if (!a || a->type || !f->params[i]) continue;
                const Type* pt = f->params[i]->type;
                if (pt && pt->kind == TypeKind::Nullable) pt = pt->elem;
                const Type* hint = nullptr;
                if (pt && pt->kind == TypeKind::Func) {
                    std::vector<const Type*> ps;
                    for (uint32_t k = 0; k < pt->count; k++) ps.push_back(subst(*this, f, pt->elems[k], b));
                    bool known = true;
                    for (const Type* t : ps) known = known && t;
                    const Type* r = subst(*this, f, pt->elem, b);
                    if (!r) r = T.type_param(f->type_params[0]); // not known yet: from the body (lambdas.cpp)
                    if (known) hint = T.func(ps.data(), (uint32_t)ps.size(), r);
                }
                if (is_error(expr(a, hint))) bad_arg = true;
                else unify(*this, f, f->params[i]->type, a->type, b);
            }
            bool all = true;
            for (uint32_t i = 0; i < b.size() && all; i++) {
                if (b[i]) continue;
                all = false;
                why = "cannot infer the type argument '" + std::string(f->type_params[i]->name.view()) + "' of '" +
                      std::string(f->name.view()) + "' from the arguments: write it, as in '" +
                      std::string(f->name.view()) + "<...>(...)'";
            }
            if (!all) continue;
        }
        if (FuncDecl* inst = instantiate_func(f, b, span)) out.push(inst);
        else return false;
    }
    // A non-generic function with the same parameter types as an instance wins (C#).
    CandBuf kept;
    for (uint32_t i = 0; i < out.n; i++) {
        FuncDecl* f = out.data()[i];
        bool shadowed = false;
        if (inst_info_.count(f))
            for (uint32_t j = 0; j < out.n && !shadowed; j++) {
                FuncDecl* g = out.data()[j];
                if (g == f || inst_info_.count(g) || !g->type || !f->type || g->type->count != f->type->count) continue;
                shadowed = true;
                for (uint32_t k = 0; k < f->type->count; k++) shadowed &= f->type->elems[k] == g->type->elems[k];
            }
        if (!shadowed) kept.push(f);
    }
    out = kept;
    if (out.n == 0) {
        if (!bad_arg) diag.error(span, "%s", why.empty() ? "no generic function fits this call" : why.c_str());
        return false;
    }
    cands = out;
    return true;
}

const Type* Sema::generic_type_prefix(NameExpr* e) {
    int32_t s = lookup_in_types(e->name);
    bool ambiguous = false;
    if (s < 0) s = lookup_global(e->name, e->span, &ambiguous);
    if (ambiguous) return err();
    if (s < 0) {
        diag.error(e->span, "undefined name '%s'", e->name.c_str());
        return err();
    }
    Decl* d = sym_list_[s].decl;
    if (d->kind != DeclKind::Type || static_cast<TypeDecl*>(d)->type_params.empty()) {
        diag.error(e->span, "'%s' is not a generic type", e->name.c_str());
        return err();
    }
    auto* gd = static_cast<TypeDecl*>(d);
    if (!check_access(gd, e->span)) return err();
    if (gd->type_params.size != e->generic_args().size) {
        diag.error(e->span, "generic type '%s' needs %u type argument%s, found %u", gd->name.c_str(),
                   gd->type_params.size, gd->type_params.size == 1 ? "" : "s", e->generic_args().size);
        return err();
    }
    std::vector<const Type*> args;
    for (TypeExpr* a : e->generic_args()) args.push_back(resolve_type(a));
    const Type* t = instantiate_type(gd, args, e->span);
    if (!is_error(t)) e->decl = t->decl;
    return t;
}

bool Sema::skip_instance_body(const FuncDecl* f) const {
    for (const Decl* d = f; d; d = d->parent) {
        auto it = inst_info_.find(d);
        if (it == inst_info_.end()) continue;
        if (depth_reported_ && it->second.depth > 1) return true;
        if (failed_insts_.count(d)) return true;
    }
    return false;
}

bool Sema::repeated_instance_body(const FuncDecl* f) {
    bool inst = false;
    for (const Decl* d = f; d && !inst; d = d->parent) inst = inst_info_.count(d) != 0;
    if (!inst) return false;
    uint64_t key = (uint64_t)f->span.file << 32 | f->span.begin;
    return !instance_bodies_seen_.emplace(key, true).second;
}

void Sema::note_instance(const FuncDecl* f) {
    for (const Decl* d = f; d; d = d->parent) {
        auto it = inst_info_.find(d);
        if (it == inst_info_.end()) continue;
        std::string n(d->name.view());
        if (n.size() > 80) n = n.substr(0, 60) + "...";
        diag.note(it->second.use, "in the instance '%s' made here", n.c_str());
        return;
    }
}

} // namespace lang::sema
