// clone.cpp: `x.Clone()`, the explicit deep copy (doc/language/spec.md 6, "Clone").
//
// A type that declares (or inherits, or gets from an interface) a member named Clone
// keeps it: `x.Clone()` is then an ordinary method call. Otherwise `x.Clone()` is the
// builtin Clone (src/ir/lower_clone.cpp makes the code): the result is a new owned value
// of x's static type. Copy types are copied as they are (strings are shared, counted),
// except the ones nothing may copy. A class object is cloned through its run-time type,
// field by field (copy fields copied, move fields cloned, `gc class` references copied as
// references); arrays, structs, tuples, nullables and payload enums part by part. A part
// whose type declares Clone() (taking nothing and returning that type) is cloned by it.
// What has no clone: function values (their captures), mutexes (shared by their users),
// results (T!), the allocators Arena and Pool, and whatever holds one of them, in any
// subclass of a cloned class or any class implementing a cloned interface too. The error
// names the type and the path to the part that blocks it:
//   cannot clone 'Holder': field 'lock' has type 'Mutex<int>'
// The subclasses and implementations are checked at the call, and once more after every
// body is checked for the generic instances made since (recheck_clone_roots). A bare
// `Clone()` in an instance method is `this.Clone()`.
// Invariant: every user Clone() the generated code will call is recorded with note_use,
// so an instance method of a generic type (List<T>.Clone) is lowered when it is reached.
#include "sema/check.h"

namespace lang::sema {

namespace {

// Why values of type t (a copy type or a leaf) have no clone, or null when they do.
const char* leaf_reason(const Type* t) {
    switch (t->kind) {
    case TypeKind::Func: return "a function value cannot be cloned";
    case TypeKind::Mutex: return "a mutex cannot be cloned";
    case TypeKind::Fallible: return "a result (T!) cannot be cloned";
    case TypeKind::Void: case TypeKind::Never: case TypeKind::Null: case TypeKind::Range:
        return "it is not a value";
    default: return nullptr;
    }
}

bool is_template(const TypeDecl* td) {
    for (const Decl* p = td; p; p = p->parent)
        if (p->kind == DeclKind::Type && static_cast<const TypeDecl*>(p)->type_params.size) return true;
    return false;
}

} // namespace

FuncDecl* Sema::user_clone(TypeDecl* td) {
    if (!td) return nullptr;
    int32_t s = lookup_member(td, c.interner.intern("Clone"));
    if (s < 0) return nullptr;
    for (; s >= 0; s = sym_list_[s].next) {
        Decl* d = sym_list_[s].decl;
        if (d->kind != DeclKind::Func || (d->mods & M_STATIC)) continue;
        auto* f = static_cast<FuncDecl*>(d);
        if (f->params.size == 0 && f->type_params.empty()) return f;
    }
    return nullptr;
}

// Whether t can be cloned; if not, `path` is the part that blocks it (empty: t itself)
// and `why` says why. `at` is the call, for note_use.
bool Sema::cloneable(const Type* t, Span at, std::string& path, std::string& why, int depth) {
    if (!t || is_error(t) || depth > 64) return true;
    if (!clone_seen_.insert(t).second) return true; // met before in this check (or a cycle in progress)
    auto part = [&](const Type* pt, const std::string& name) {
        std::string sub;
        if (cloneable(pt, at, sub, why, depth + 1)) return true;
        if (sub.empty()) {
            bool more = why.rfind("whose", 0) == 0 || why.rfind("subclass", 0) == 0 || why.rfind("implementation", 0) == 0;
            why = "has type '" + tn(pt) + "'" + (!more ? "" : why[0] == 'w' ? " " + why : " whose " + why);
        }
        path = name + (sub.empty() || sub[0] == '[' ? sub : "." + sub);
        return false;
    };
    if (const char* r = leaf_reason(t)) {
        why = r;
        return false;
    }
    auto fields = [&](TypeDecl* td) {
        std::vector<TypeDecl*> chain;
        for (TypeDecl* x = td; x; x = base_of(x)) chain.push_back(x);
        for (size_t k = chain.size(); k-- > 0;)
            for (Decl* d : chain[k]->members)
                if (d && d->kind == DeclKind::Field && !(d->mods & M_STATIC) && d->type &&
                    !part(d->type, std::string(d->name.view())))
                    return false;
        return true;
    };
    switch (t->kind) {
    case TypeKind::Array: return part(t->elem, "[]");
    case TypeKind::Nullable: {
        std::string sub;
        if (cloneable(t->elem, at, sub, why, depth + 1)) return true;
        path = sub;
        return false;
    }
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++)
            if (!part(t->elems[i], std::to_string(i))) return false;
        return true;
    case TypeKind::Struct:
    case TypeKind::Class:
    case TypeKind::Interface: {
        TypeDecl* td = t->decl;
        if (!td || td->is_gc) return true; // a gc class reference is copied
        if (FuncDecl* f = user_clone(td)) {
            const Type* rt = f->type && f->type->kind == TypeKind::Func ? f->type->elem : nullptr;
            if (rt != t) {
                why = "whose Clone() returns '" + (rt ? tn(rt) : std::string("?")) + "'";
                return false;
            }
            note_use(f, at);
            return true;
        }
        if (lookup_member(td, c.interner.intern("Clone")) >= 0) { // a Clone that is not a clone
            why = "whose member 'Clone' is not a method taking no arguments";
            return false;
        }
        if (td == prelude_decl("Arena") || td == prelude_decl("Pool")) {
            why = "an allocator cannot be cloned";
            return false;
        }
        if (t->kind == TypeKind::Struct) return fields(td);
        // The generated clone runs for the run-time type: every class that derives from
        // the class (or implements the interface) must be cloneable too.
        if (t->kind == TypeKind::Class && !fields(td)) return false;
        if (depth > 0) return cloneable_subtypes(td, at, path, why, depth);
        return true;
    }
    case TypeKind::Enum:
        if (!t->decl) return true;
        for (Decl* m : t->decl->members) {
            if (!m || m->kind != DeclKind::EnumCase) continue;
            auto* ec = static_cast<EnumCaseDecl*>(m);
            for (ParamDecl* p : ec->payload)
                if (p && p->type && p->type != t &&
                    !part(p->type, std::string(ec->name.view()) + "." + std::string(p->name.view())))
                    return false;
        }
        return true;
    default: return true;
    }
}

// The classes (and structs, for an interface) that a value of class or interface td may
// be at run time, other than td itself: each must be cloneable.
bool Sema::cloneable_subtypes(TypeDecl* td, Span at, std::string& path, std::string& why, int depth, size_t from) {
    bool iface = td->tkind == TypeDeclKind::Interface;
    if (from == 0) clone_roots_.push_back({td, at, types_.size()}); // instances made later: recheck_clone_roots
    for (size_t i = from; i < types_.size(); i++) {
        TypeDecl* d = types_[i].td;
        if (!d || d == td || is_template(d) || !d->type) continue;
        if (iface ? !(d->tkind != TypeDeclKind::Interface && implements(d, td))
                  : !(d->tkind == TypeDeclKind::Class && derives(d, td)))
            continue;
        if (d->tkind == TypeDeclKind::Class && d->is_gc) continue;
        std::string sub, w;
        if (!cloneable(d->type, at, sub, w, depth + 1)) {
            why = std::string(iface ? "implementation '" : "subclass '") + tn(d->type) + "'" +
                  (!sub.empty() ? " has field '" + sub + "' that " + w : w.rfind("whose", 0) == 0 ? " " + w : ": " + w);
            path.clear();
            return false;
        }
    }
    return true;
}

// `Clone()` without a receiver inside an instance method or constructor of a type without
// a Clone member is `this.Clone()` (like GetType(), reflect.cpp).
const Type* Sema::check_implicit_clone(CallExpr* e, NameExpr* n) {
    if (n->name != "Clone" || !fn_.self) return nullptr;
    Expr* self = arena.make<Expr>();
    self->kind = ExprKind::This;
    self->span = n->span;
    MemberExpr* m = member_node(arena, self, n->name, n->span);
    e->callee = m;
    self->type = check_this(self);
    return check_clone_call(e, m, self->type);
}

// After every body is checked: the subclasses and implementations that generic instances
// made after a Clone call was checked add to what that call may clone at run time.
void Sema::recheck_clone_roots() {
    std::vector<CloneRoot> roots;
    roots.swap(clone_roots_);
    for (const CloneRoot& r : roots) {
        if (r.types_seen >= types_.size()) continue;
        std::string path, why;
        clone_seen_.clear();
        clone_seen_.insert(r.td->type);
        if (!cloneable_subtypes(r.td, r.at, path, why, 1, r.types_seen))
            diag.error(r.at, "cannot clone '%s': %s", tn(r.td->type).c_str(), why.c_str());
    }
    clone_roots_.clear();
}

const Type* Sema::check_clone_call(CallExpr* e, MemberExpr* m, const Type* ot) {
    if (m->name != "Clone" || is_error(ot)) return nullptr;
    if (Decl* od = ref_decl(m->object); od && (od->kind == DeclKind::Type || od->kind == DeclKind::Namespace))
        return nullptr;
    if ((ot->kind == TypeKind::Struct || ot->kind == TypeKind::Class || ot->kind == TypeKind::Interface ||
         ot->kind == TypeKind::Enum) &&
        ot->decl && lookup_member(ot->decl, m->name) >= 0)
        return nullptr; // the type's own Clone
    e->builtin = (uint32_t)Builtin::Clone;
    e->target = nullptr;
    m->builtin = (uint32_t)Builtin::Clone;
    m->type = T.void_();
    if (e->args.size) {
        diag.error(e->span, "Clone expects no arguments, found %u", e->args.size);
        for (Arg& a : e->args) expr(a.value, nullptr);
    }
    std::string path, why;
    clone_seen_.clear();
    bool ok = cloneable(ot, m->name_span, path, why, 0);
    if (ok && (ot->kind == TypeKind::Class || ot->kind == TypeKind::Interface) && ot->decl && !ot->decl->is_gc)
        ok = cloneable_subtypes(ot->decl, m->name_span, path, why, 0);
    if (!ok) {
        if (path.empty())
            diag.error(m->name_span, "cannot clone '%s': %s", tn(ot).c_str(), why.c_str());
        else if (path == "[]")
            diag.error(m->name_span, "cannot clone '%s': its elements %s", tn(ot).c_str(),
                       why.rfind("has ", 0) == 0 ? ("have " + why.substr(4)).c_str() : why.c_str());
        else if (path.rfind("[].", 0) == 0)
            diag.error(m->name_span, "cannot clone '%s': field '%s' of its elements %s", tn(ot).c_str(),
                       path.c_str() + 3, why.c_str());
        else
            diag.error(m->name_span, "cannot clone '%s': field '%s' %s", tn(ot).c_str(), path.c_str(), why.c_str());
    }
    return m->null_safe ? null_safe_result(ot) : ot;
}

} // namespace lang::sema
