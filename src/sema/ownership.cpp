// ownership.cpp: which types move and which copy (spec 6, LANGUAGE.md section 4).
//
// A value of a move type has exactly one owner: `let b = a;`, returning it, storing it
// into a field, element or literal, passing it to an `own` parameter, `fail`, and `spawn`
// arguments move it (flow.cpp checks that a moved local is not used again). Move types:
// arrays, classes and interface values (an interface value is a class object), recursive
// enums (their payloads are boxed), `T!` results (they may hold an Error object), and
// structs, tuples, payload enums and nullables that hold a move type. Everything else copies: numbers, bool, char, strings and
// StringBuilders (reference counted), `gc class` references, function values, the
// concurrency handles (shared), TypeInfo/FieldInfo, raw pointers, and type parameters in
// a generic body (each instance is checked with its own types).
#include "sema/check.h"

namespace lang::sema {

namespace {
bool enum_moves(const Type* t, int depth);

bool moves(const Type* t, int depth) {
    if (!t || depth > 64) return false;
    switch (t->kind) {
    case TypeKind::Array: return true;
    case TypeKind::Class: return !(t->decl && t->decl->is_gc);
    case TypeKind::Interface: return true;
    case TypeKind::Nullable: return moves(t->elem, depth + 1);
    case TypeKind::Fallible: return true; // it may hold an Error object
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++)
            if (moves(t->elems[i], depth + 1)) return true;
        return false;
    case TypeKind::Struct:
        if (!t->decl) return false;
        for (Decl* m : t->decl->members)
            if (m && m->kind == DeclKind::Field && !(m->mods & M_STATIC) && moves(m->type, depth + 1)) return true;
        return false;
    case TypeKind::Enum: return enum_moves(t, depth);
    default: return false;
    }
}

bool enum_moves(const Type* t, int depth) {
    if (!t->decl) return false;
    for (Decl* m : t->decl->members) {
        if (!m || m->kind != DeclKind::EnumCase) continue;
        for (ParamDecl* p : static_cast<EnumCaseDecl*>(m)->payload) {
            if (!p) continue;
            if (p->boxed) return true;
            // A payload of the enum's own type that is not boxed cannot happen; others recurse.
            if (p->type != t && moves(p->type, depth + 1)) return true;
        }
    }
    return false;
}
} // namespace

bool Sema::is_move_aggregate(const Type* t) const {
    auto [it, fresh] = move_types_.try_emplace(t, false);
    if (fresh) it->second = moves(t, 0);
    return it->second;
}

} // namespace lang::sema
