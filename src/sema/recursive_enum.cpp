// recursive_enum.cpp: which enum payloads live in a heap box (recursive enums).
//
// Rule (doc/language/spec.md 4.7): a payload value of an enum E is boxed when its type
// holds E by value: it is E itself, or a struct, tuple, value `T?`, `T!` or enum that
// holds E by value, looking through every field, element and payload (boxed or not, so
// the answer does not depend on the order enums are examined in). A boxed payload is
// stored as a pointer (8 bytes) to a heap copy of the value; everything else about the
// enum (construction, patterns, exhaustiveness) is unchanged. Pointer-like types
// (classes, arrays, strings, interfaces, ...) end the search: they already break a cycle.
// Runs after signatures (field and payload types resolved) and before layout, which then
// sees no cycle through an enum; a struct that holds itself through structs and tuples
// only is still reported by layout. The search is iterative (an explicit stack), so a
// chain of 100,000 structs costs no stack.
#include "sema/check.h"
#include <unordered_set>

namespace lang::sema {

// Does a value of type t hold a value of enum `target` inside it (by value)?
static bool holds_by_value(const Type* t, const TypeDecl* target) {
    if (t->kind != TypeKind::Enum && t->kind != TypeKind::Struct && t->kind != TypeKind::Tuple &&
        t->kind != TypeKind::Nullable && t->kind != TypeKind::Fallible)
        return false; // scalars and pointer-like types: nothing to search
    std::vector<const Type*> work{t};
    std::unordered_set<const void*> seen;
    while (!work.empty()) {
        const Type* x = work.back();
        work.pop_back();
        if (!x || !seen.insert(x).second) continue;
        switch (x->kind) {
        case TypeKind::Enum:
            if (!x->decl) break;
            if (x->decl == target) return true;
            for (Decl* m : x->decl->members)
                if (m && m->kind == DeclKind::EnumCase)
                    for (ParamDecl* p : static_cast<EnumCaseDecl*>(m)->payload)
                        if (p) work.push_back(p->type);
            break;
        case TypeKind::Struct:
            if (!x->decl) break;
            for (Decl* m : x->decl->members)
                if (m && m->kind == DeclKind::Field && !(m->mods & M_STATIC))
                    work.push_back(static_cast<FieldDecl*>(m)->type);
            break;
        case TypeKind::Tuple:
            for (uint32_t i = 0; i < x->count; i++) work.push_back(x->elems[i]);
            break;
        case TypeKind::Nullable:
            if (x->elem && !x->elem->is_pointer_like()) work.push_back(x->elem);
            break;
        case TypeKind::Fallible:
            work.push_back(x->elem);
            break;
        default: break;
        }
    }
    return false;
}

void Sema::mark_boxed_payloads() {
    for (size_t i = t_from_; i < t_end(); i++) { // the entries of this phase (generics.cpp)
        TypeDecl* td = types_[i].td;
        if (!td || td->tkind != TypeDeclKind::Enum) continue;
        bool boxed = false;
        for (Decl* m : td->members) {
            if (!m || m->kind != DeclKind::EnumCase) continue;
            for (ParamDecl* p : static_cast<EnumCaseDecl*>(m)->payload)
                if (p && p->type && !p->type->is_error() && holds_by_value(p->type, td)) p->boxed = boxed = true;
        }
        // Boxes live on the heap where the collector does not look (gc_classes.cpp).
        if (std::string why; boxed && td->type && holds_gc_ref(td->type, &why))
            diag.error(td->name_span, "recursive enum '%s' cannot hold a gc reference (%s) yet: its payloads are boxed "
                                      "on the heap, where the collector does not look",
                       td->name.c_str(), why.c_str());
    }
}

} // namespace lang::sema
