// gc_classes.cpp: the rules of `gc class` (LANGUAGE.md sections 3, 6 and 7).
//
// A gc class is a reference type: assigning it copies the reference (no move, nothing is
// dropped at scope exit); its objects live in the running lightweight thread's gc heap
// (lowering calls lang_gc_new) and may form cycles, which the collector (src/rt/gc.c)
// frees. The collector finds gc references on the thread's stack (conservatively) and
// inside gc objects (through their type info), and in the owned arrays and objects that
// hold gc references, which the runtime registers with it (lowering: lower_gc.cpp). So a
// gc reference may be held by locals and parameters, fields of any class, array
// elements and the type arguments of List, Dict, Set and other generic classes. The other
// places are errors here:
//  - a static field (check_gc_class: statics outlive the thread's heap);
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
        if (!(f->mods & M_STATIC)) continue;
        std::string why;
        if (!holds_gc_ref(f->type, &why)) continue;
        diag.error(f->name_span, "static field '%s' cannot hold a gc reference (%s): gc objects belong to one thread",
                   f->name.c_str(), why.c_str());
    }
}

} // namespace lang::sema
