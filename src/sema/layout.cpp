// layout.cpp: sizes, alignments and field offsets.
//
// Job: give every sized type its size/align and every field its offset, as lowering
// and the runtime (LangTypeInfo) read them. Rules (see types.h and sema.h):
//  - struct, tuple: C layout from offset 0 (each part at its natural alignment, total
//    rounded up to the largest alignment); an empty struct has size 0, align 1.
//  - class: a Type of size 8 (pointer); the heap instance starts with the 16-byte
//    LangObjHeader, so the first field is at 16; TypeDecl.instance_size is the
//    instance's size rounded up to its alignment (at least 8).
//  - C-like enum: its underlying integer (i32 unless `: u8` etc.).
//  - enum with payloads: tag (underlying integer) then a union of the payloads, each
//    laid out as the tuple of its payload types, at align_up(tag size, union align);
//    a boxed payload (recursive_enum.cpp) is a pointer there (8 bytes) and is not laid
//    out from the enum, so a recursive enum has no cycle here.
// Invariant: a struct that contains itself by value is reported once and then treated
// as size 0 so nothing loops. Types inside one another by value (or derived from one
// another) nest at most kMaxParseDepth levels, like the syntax (doc/language/spec.md 1.6):
// layout recurses once per level, and so do later walks over a value's parts (the
// fields of a type past the limit are turned into errors, which those walks skip).
#include "rt/lang_abi.h"
#include "parse/parser.h"
#include "sema/check.h"

namespace lang::sema {

static const Type* enum_underlying(Sema& s, TypeDecl* td) {
    if (td->underlying && td->underlying->resolved && td->underlying->resolved->is_integer())
        return td->underlying->resolved;
    if (!td->underlying && td->bases.size == 1 && td->bases[0] && td->bases[0]->resolved &&
        td->bases[0]->resolved->is_integer())
        return td->bases[0]->resolved;
    return s.T.prim(TypeKind::I32);
}

void Sema::layout_decl(TypeDecl* td) {
    uint8_t& st = decl_layout_state_[td];
    if (st == 2) return;
    Type* t = const_cast<Type*>(td->type);
    if (!t) return;
    if (st == 1) {
        // A class value is a pointer: a class may refer to itself (Node? Next) freely.
        if (td->tkind == TypeDeclKind::Class) return;
        diag.error(td->name_span, "%s '%s' contains itself (use a class or an enum for recursive data)",
                   tkind_word(td), td->name.c_str());
        return;
    }
    if (layout_depth_ >= kMaxParseDepth) { // laid out as empty, like a struct containing itself
        if (!layout_too_deep_)
            diag.error(td->name_span, "%s '%s' is nested too deeply (the limit is %d levels of types inside, or derived from, one another)",
                       tkind_word(td), td->name.c_str(), kMaxParseDepth);
        layout_too_deep_ = true;
        st = 2;
        // Its fields become errors, so no later walk over a value's parts (zero values,
        // copies, releases) goes deeper than this either.
        for (Decl* m : td->members)
            if (m && m->kind == DeclKind::Field) static_cast<FieldDecl*>(m)->type = err();
        return;
    }
    st = 1;
    layout_depth_++;
    if (td->tkind == TypeDeclKind::Class) { t->size = 8; t->align = 8; }
    switch (td->tkind) {
    case TypeDeclKind::Struct:
    case TypeDeclKind::Class: {
        bool is_class = td->tkind == TypeDeclKind::Class;
        uint32_t off = is_class ? LANG_ABI_OBJ_HEADER_SIZE : 0, al = is_class ? 8 : 1;
        if (TypeDecl* base = base_of(td)) { // the base's fields come first
            layout_decl(base);
            if (base->instance_size > off) off = base->instance_size;
        }
        for (Decl* m : td->members) {
            if (!m || m->kind != DeclKind::Field || (m->mods & M_STATIC)) continue;
            FieldDecl* f = static_cast<FieldDecl*>(m);
            const Type* ft = f->type ? f->type : err();
            layout_type(ft);
            uint32_t fa = ft->align ? ft->align : 1;
            off = align_up(off, fa);
            f->offset = off;
            off += ft->size;
            if (fa > al) al = fa;
        }
        if (is_class) {
            td->instance_size = align_up(off, al);
            t->size = 8;
            t->align = 8;
        } else {
            t->size = align_up(off, al);
            t->align = al;
        }
        break;
    }
    case TypeDeclKind::Enum: {
        const Type* under = enum_underlying(*this, td);
        if (t->is_c_like_enum()) {
            t->size = under->size;
            t->align = under->align;
            break;
        }
        uint32_t usize = 0, ual = under->align;
        for (Decl* m : td->members) {
            if (!m || m->kind != DeclKind::EnumCase) continue;
            EnumCaseDecl* ec = static_cast<EnumCaseDecl*>(m);
            uint32_t off = 0, al = 1;
            for (ParamDecl* p : ec->payload) {
                const Type* pt = p && p->type ? p->type : err();
                uint32_t psize = 8, pa = 8; // a boxed payload is a pointer to its heap box
                if (!p || !p->boxed) {
                    layout_type(pt);
                    psize = pt->size;
                    pa = pt->align ? pt->align : 1;
                }
                off = align_up(off, pa) + psize;
                if (pa > al) al = pa;
            }
            off = align_up(off, al);
            if (off > usize) usize = off;
            if (al > ual) ual = al;
        }
        t->align = ual;
        t->size = align_up(align_up(under->size, ual) + usize, ual);
        break;
    }
    case TypeDeclKind::Interface:
        t->size = 8;
        t->align = 8;
        break;
    }
    layout_depth_--;
    decl_layout_state_[td] = 2;
}

void Sema::layout_type(const Type* ct) {
    if (!ct) return;
    switch (ct->kind) {
    case TypeKind::Struct: case TypeKind::Enum:
        if (ct->decl) layout_decl(ct->decl);
        return;
    case TypeKind::Class: case TypeKind::Interface:
        return; // a pointer (8 bytes from interning); layout_all lays out the instance

    case TypeKind::Tuple: case TypeKind::Nullable: case TypeKind::Fallible: case TypeKind::Range:
        break;
    default:
        return; // primitives and pointer-like types are laid out when interned
    }
    uint8_t& st = layout_state_[ct];
    if (st) return; // done (or in progress: a cycle through a struct, reported there)
    st = 1;
    Type* t = const_cast<Type*>(ct);
    switch (t->kind) {
    case TypeKind::Tuple: {
        uint32_t off = 0, al = 1;
        for (uint32_t i = 0; i < t->count; i++) {
            const Type* e = t->elems[i];
            layout_type(e);
            uint32_t ea = e->align ? e->align : 1;
            off = align_up(off, ea) + e->size;
            if (ea > al) al = ea;
        }
        t->size = align_up(off, al);
        t->align = al;
        break;
    }
    case TypeKind::Nullable:
        layout_type(t->elem);
        if (t->elem->is_pointer_like()) { t->size = 8; t->align = 8; }
        else {
            t->align = t->elem->align ? t->elem->align : 1;
            t->size = align_up(t->elem->size + 1, t->align);
        }
        break;
    case TypeKind::Fallible:
        layout_type(t->elem);
        t->size = align_up(t->elem->size, 8) + 8;
        t->align = 8;
        break;
    case TypeKind::Range:
        layout_type(t->elem);
        t->size = 2 * t->elem->size;
        t->align = t->elem->align ? t->elem->align : 1;
        break;
    default: break;
    }
    st = 2;
}

void Sema::layout_all() {
    for (size_t ti = t_from_; ti < t_end(); ti++) layout_decl(types_[ti].td);
    for (size_t ti = t_from_; ti < t_end(); ti++) check_c_attr(types_[ti].td); // pointers.cpp: [C] struct
}

void Sema::finish_layout() {
    // Composite types interned before the structs they contain were laid out carry a
    // provisional layout: recompute everything once.
    layout_state_.clear();
    T.for_each([&](const Type* t) { layout_type(t); });
}

} // namespace lang::sema
