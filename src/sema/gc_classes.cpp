// gc_classes.cpp: the rules of `gc class` (LANGUAGE.md sections 3, 6 and 7).
//
// A gc class is a reference type: assigning it copies the reference (no move, nothing is
// dropped at scope exit); its objects live in the running lightweight thread's gc heap
// (lowering calls lang_gc_new) and may form cycles, which the collector (src/rt/gc.c)
// frees. The collector finds gc references on the thread's stack (conservatively) and
// inside gc objects (through their type info); it cannot see into memory it does not
// manage. So, until owned containers are scanned too, a gc reference may be held only by
// locals and parameters (structs, tuples and nullables among them), by the fields of gc
// objects, and by lambdas that do not escape. The other places are errors here:
//  - a field of a class that is not gc, and a static field (check_gc_class);
//  - an array element (check_gc_array, at the array type, the literal or the `new`);
//  - a type argument of a generic class that is not gc, such as List<T>, Dict<K,V> and
//    Set<T> (check_gc_type_args, at the use, before the instance is made);
//  - a capture of a lambda that escapes (its record is on the heap: closures.cpp), and a
//    method value whose receiver holds one (method_values.cpp);
//  - a struct holding one that implements an interface (as an interface value it is
//    boxed on the heap).
// A gc class derives only from a gc class, and a class that is not gc never derives from
// one (ownership would differ between a base and its derived class). A gc class does not
// implement interfaces yet: an interface value is not known to hold a gc reference, so it
// could carry one into a place the collector does not scan.
// Sendability (no gc reference in a spawn argument or channel element) is
// check_concurrency.cpp's.
#include "sema/check.h"

namespace lang::sema {

static bool is_gc_decl(const TypeDecl* td) { return td && (td->is_gc || (td->mods & M_GC)); }

void Sema::check_gc_class(TypeDecl* td) {
    if (td->tkind == TypeDeclKind::Class)
        if (TypeDecl* base = base_of(td))
            if (is_gc_decl(base) != is_gc_decl(td)) {
                if (is_gc_decl(td))
                    diag.error(td->bases[0]->span, "gc class '%s' cannot derive from '%s', which is not a gc class",
                               td->name.c_str(), base->name.c_str());
                else
                    diag.error(td->bases[0]->span, "class '%s' cannot derive from gc class '%s' (only a gc class can)",
                               td->name.c_str(), base->name.c_str());
            }
    if (td->tkind == TypeDeclKind::Struct && !td->bases.empty())
        if (std::string why; td->type && holds_gc_ref(td->type, &why))
            for (TypeExpr* b : td->bases)
                if (b && b->resolved && b->resolved->kind == TypeKind::Interface) {
                    diag.error(b->span, "struct '%s' holds a gc reference (%s), so it cannot implement interface '%s' "
                                        "yet (an interface value boxes it on the heap, unseen by the collector)",
                               td->name.c_str(), why.c_str(), tn(b->resolved).c_str());
                    break;
                }
    if (is_gc_decl(td))
        for (TypeExpr* b : td->bases)
            if (b && b->resolved && b->resolved->kind == TypeKind::Interface)
                diag.error(b->span, "gc class '%s' cannot implement interface '%s' yet (an interface value could hide a "
                                    "gc reference from the collector)",
                           td->name.c_str(), tn(b->resolved).c_str());
    for (Decl* m : td->members) {
        if (!m || m->kind != DeclKind::Field || !m->type || is_error(m->type)) continue;
        auto* f = static_cast<FieldDecl*>(m);
        bool is_static = f->mods & M_STATIC;
        if (!is_static && (td->tkind != TypeDeclKind::Class || is_gc_decl(td))) continue;
        std::string why;
        if (!holds_gc_ref(f->type, &why)) continue;
        if (is_static)
            diag.error(f->name_span, "static field '%s' cannot hold a gc reference (%s): gc objects belong to one thread",
                       f->name.c_str(), why.c_str());
        else
            diag.error(f->name_span,
                       "field '%s' of class '%s' cannot hold a gc reference (%s): the collector does not scan "
                       "objects of a class that is not gc; make '%s' a gc class",
                       f->name.c_str(), td->name.c_str(), why.c_str(), td->name.c_str());
    }
}

bool Sema::check_gc_array(const Type* elem, Span span) {
    std::string why;
    if (!elem || is_error(elem) || !holds_gc_ref(elem, &why)) return true;
    diag.error(span, "an array cannot hold gc references yet (%s): the collector does not scan arrays; link the "
                     "objects through fields of a gc class",
               why.c_str());
    return false;
}

bool Sema::check_gc_type_args(TypeDecl* gen, const std::vector<const Type*>& args, Span use) {
    if (gen->tkind != TypeDeclKind::Class || is_gc_decl(gen)) return true;
    for (const Type* a : args) {
        std::string why;
        if (!holds_gc_ref(a, &why)) continue;
        const Type* inner = a->kind == TypeKind::Nullable ? a->elem : a;
        bool direct = inner && inner->kind == TypeKind::Class && is_gc_decl(inner->decl);
        diag.error(use, "'%s' cannot hold gc references yet (its type argument %s %s %s): the collector does not "
                        "scan objects of a class that is not gc",
                   gen->name.c_str(), tn(a).c_str(), direct ? "is" : "contains a reference to",
                   direct ? "a gc class" : why.c_str());
        return false;
    }
    return true;
}

} // namespace lang::sema
