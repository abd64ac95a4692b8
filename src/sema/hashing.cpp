// hashing.cpp: the builtins hash(x) and equals(a, b) (doc/language/spec.md 10.5).
//
// hash(x) is a u64 and equals(a, b) a bool; Dict<K,V> and Set<T> (lib/std) call them on
// keys, so they work on every type a key may have. A class or struct that implements the
// prelude's IHashable (u64 GetHashCode()) or IEquatable<T> (bool Equals(T other)) is
// hashed or compared by that method: sema rewrites the call into `x.GetHashCode()` /
// `a.Equals(b)` and checks it like a written call. Everything else is structural and
// lowered inline (src/ir/lower_hash.cpp): numbers, char, bool and C-like enums by value,
// floats by bits, strings by content (XXH3), nullables, tuples and structs field by field
// (a part of a type with the interfaces by its method, called by lowering). Classes and
// interfaces without IEquatable compare by identity; they hash only through IHashable. A type that
// cannot be hashed is an error at the call, naming the type and the part that fails.
#include "sema/check.h"
#include "sema/prelude.h"

namespace lang::sema {

// Whether td implements an interface whose name is `name` or an instance `name<...>`.
static bool has_iface(const Sema& s, const TypeDecl* td, std::string_view name) {
    if (!td) return false;
    std::vector<TypeDecl*> ifs;
    s.interfaces_of(td, ifs);
    for (TypeDecl* i : ifs) {
        std::string_view n = i->name.c_str();
        if (n == name || (n.size() > name.size() && n.substr(0, name.size()) == name && n[name.size()] == '<'))
            return true;
    }
    return false;
}

static bool user_type(const Type* t) {
    return (t->kind == TypeKind::Class || t->kind == TypeKind::Struct || t->kind == TypeKind::Interface) && t->decl;
}

// Whether t hashes structurally; otherwise `why` says which part cannot be hashed.
bool Sema::hashable(const Type* t, std::string& why, bool for_equals) const {
    switch (t->kind) {
    case TypeKind::Error:
    case TypeKind::Bool:
    case TypeKind::Char:
    case TypeKind::String:
        return true;
    case TypeKind::Nullable:
        if (t->elem->kind == TypeKind::Class || t->elem->kind == TypeKind::Interface) {
            if (for_equals && !has_iface(*this, t->elem->decl, "IEquatable")) return true; // identity
            why = "a nullable class or interface is not hashed";
            return false;
        }
        return hashable(t->elem, why, for_equals);
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++)
            if (!hashable(t->elems[i], why, for_equals)) return false;
        return true;
    case TypeKind::Enum:
        if (t->is_c_like_enum()) return true;
        why = "enums with payloads are not hashed yet";
        return false;
    case TypeKind::Class:
    case TypeKind::Interface:
        if (for_equals) return true; // IEquatable's Equals, else identity
        if (has_iface(*this, t->decl, "IHashable")) return true; // GetHashCode (lower_hash.cpp)
        why = tn(t) + " does not implement IHashable";
        return false;
    case TypeKind::Struct: {
        if (has_iface(*this, t->decl, for_equals ? "IEquatable" : "IHashable")) return true; // its method
        for (Decl* d : t->decl->members) {
            if (!d || d->kind != DeclKind::Field || (d->mods & M_STATIC) || !d->type) continue;
            if (!hashable(d->type, why, for_equals)) {
                if (why.find("field '") == std::string::npos)
                    why = "field '" + std::string(d->name.c_str()) + "': " + why;
                return false;
            }
        }
        return true;
    }
    default:
        if (t->is_numeric()) return true;
        why = "values of type " + tn(t) + " are not hashed";
        return false;
    }
}

// In the library's own code (an instance of Dict or Set) a type that cannot be hashed is
// reported once, at the use that made the instance, naming the type; the instance's other
// bodies are then not checked. False when the call is not in such code.
bool Sema::library_key_error(const Type* t, const std::string& why) {
    if (!file_ || !is_prelude_path(c.sources.file(file_->ast->file_id).path)) return false;
    for (const Decl* d = fn_.fn; d; d = d->parent) {
        auto it = inst_info_.find(d);
        if (it == inst_info_.end()) continue;
        if (!failed_insts_.count(d)) {
            std::string n(d->name.view());
            bool set = it->second.generic && it->second.generic->name == "Set";
            Diag::Held* held = diag.held; // about the whole instance: never held with one method (instance_use.cpp)
            diag.held = nullptr;
            diag.error(it->second.use, "type %s cannot be %s of '%s': %s (implement IHashable, 10.5)",
                       tn(t).c_str(), set ? "an element" : "a key", n.c_str(), why.c_str());
            diag.held = held;
        }
        failed_insts_[d] = true;
        return true;
    }
    return false;
}

bool Sema::in_prelude_file() const {
    return file_ && is_prelude_path(c.sources.file(file_->ast->file_id).path);
}

const Type* Sema::check_hash_builtin(CallExpr* e, NameExpr* n, const Type* hint) {
    bool is_hash = n->name == "hash";
    if (!is_hash && n->name != "equals" && n->name != "__lang_describe" && n->name != "__lang_needs_drop") return nullptr;
    if (n->name == "__lang_needs_drop") { // the library's drop order (Dict's destructor): known at compile time
        if (!file_ || !is_prelude_path(c.sources.file(file_->ast->file_id).path)) return nullptr;
        if (e->args.size == 1) expr(e->args[0].value, nullptr);
        e->builtin = (uint32_t)Builtin::NeedsDrop;
        n->type = T.void_();
        return T.bool_();
    }
    if (n->name == "__lang_describe") { // the library's text for a key in a panic message
        if (!file_ || !is_prelude_path(c.sources.file(file_->ast->file_id).path)) return nullptr;
        if (e->args.size == 1) expr(e->args[0].value, nullptr);
        e->builtin = (uint32_t)Builtin::Describe;
        n->type = T.void_();
        return T.string();
    }
    const char* name = is_hash ? "hash" : "equals";
    uint32_t want = is_hash ? 1 : 2;
    const Type* rt = is_hash ? T.prim(TypeKind::U64) : T.bool_();
    if (e->args.size != want) {
        diag.error(e->span, "%s expects %u argument%s, found %u", name, want, want == 1 ? "" : "s", e->args.size);
        for (Arg& a : e->args) expr(a.value, nullptr);
        n->type = T.void_();
        return rt;
    }
    for (Arg& a : e->args)
        if (a.name) diag.error(a.value ? a.value->span : e->span, "named arguments are not supported yet");
    const Type* t = expr(e->args[0].value, nullptr);
    if (is_error(t)) {
        for (uint32_t i = 1; i < e->args.size; i++) expr(e->args[i].value, nullptr);
        n->type = T.void_();
        return rt;
    }
    if (user_type(t) && has_iface(*this, t->decl, is_hash ? "IHashable" : "IEquatable"))
        return call_as_method(e, is_hash ? "GetHashCode" : "Equals", hint);
    if (!is_hash) value(e->args[1].value, t);
    std::string why;
    if (!hashable(t, why, !is_hash)) {
        if (library_key_error(t, why)) {
        } else if (is_hash)
            diag.error(e->args[0].value->span, "cannot hash a value of type %s: %s (implement IHashable, 10.5)",
                       tn(t).c_str(), why.c_str());
        else
            diag.error(e->args[0].value->span, "cannot compare values of type %s with equals: %s (implement IEquatable, 10.5)",
                       tn(t).c_str(), why.c_str());
    }
    e->builtin = (uint32_t)(is_hash ? Builtin::Hash : Builtin::Equals);
    e->target = nullptr;
    n->type = T.void_();
    return rt;
}

} // namespace lang::sema
