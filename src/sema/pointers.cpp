// pointers.cpp: raw pointers `*T` for calling C (spec 10.9).
//
//   unsafe {
//       var n = 5;
//       let p: *int = &n;        // the address of a local, a field or an array element
//       *p = 6; p[0] += 1;       // read and write through it
//       let q = p + 1;           // scaled by the element's size
//       let raw = (u64)p;        // to and from u64/i64; between pointer types
//   }
//
// Rules checked here:
//  - A pointer's target is void, bool, char, an integer or float type, a C-like enum,
//    another pointer or a [C] struct: plain data whose bytes C may read and write. `*void`
//    is C's `void*`: any `*T` converts to it implicitly; it cannot be dereferenced,
//    indexed or moved by arithmetic (cast it to a `*T` first).
//  - Holding, copying and comparing pointers (`==`, `!=`, `null`) is safe; making one
//    (`&x`, a cast from an integer or another pointer type) and using one (`*p`, `p[i]`,
//    `p + n`, `p - n`) needs an `unsafe { }` block.
//  - `&x` takes a local, a parameter, a field, an array element or `*p`/`p[i]`; a local or
//    parameter whose address is taken lives in memory (its `captured` flag, as for the
//    locals a lambda uses). Nothing tracks how long the pointer stays valid.
#include "sema/check.h"

namespace lang::sema {

bool Sema::pointee_ok(const Type* t) const {
    if (t->is_numeric()) return true;
    switch (t->kind) {
    case TypeKind::Void: case TypeKind::Bool: case TypeKind::Char: case TypeKind::Pointer: return true;
    case TypeKind::Enum: return t->is_c_like_enum();
    case TypeKind::Struct: return is_c_struct(t);
    default: return false;
    }
}

bool Sema::is_c_struct(const Type* t) const {
    if (t->kind != TypeKind::Struct || !t->decl) return false;
    for (const Attribute& a : t->decl->attrs())
        if (a.name == "C") return true;
    return false;
}

// `[C] struct`: its layout is already C's (fields in declaration order at their natural
// alignment, spec 11.1); the attribute lets C see it through pointers (*Point) and
// restricts its fields to what C can read: bool, char, numbers, C-like enums, pointers
// and other [C] structs.
void Sema::check_c_attr(TypeDecl* td) {
    bool c = false;
    for (const Attribute& a : td->attrs())
        if (a.name == "C") {
            c = true;
            if (td->tkind != TypeDeclKind::Struct)
                diag.error(a.span, "[C] is for structs (a struct with C's layout, for C functions to read and write)");
            else if (!td->type_params.empty())
                diag.error(a.span, "a [C] struct cannot have type parameters");
        }
    if (!c || td->tkind != TypeDeclKind::Struct) return;
    for (Decl* m : td->members) {
        if (!m || m->kind != DeclKind::Field || (m->mods & M_STATIC) || !m->type || is_error(m->type)) continue;
        const Type* ft = m->type;
        if (!pointee_ok(ft) || ft->kind == TypeKind::Void) // what a pointer may reach, as a field
            diag.error(m->name_span, "field '%s' of [C] struct '%s' has type %s: a [C] struct holds bool, char, numbers, "
                       "pointers and [C] structs", m->name.c_str(), td->name.c_str(), tn(ft).c_str());
    }
}

bool Sema::need_unsafe(Span s, const char* what) {
    if (fn_.unsafe_depth > 0) return true;
    diag.error(s, "%s needs an 'unsafe { }' block", what);
    return false;
}

// The element a pointer operation reaches: not through *void.
bool Sema::typed_pointer(Span s, const Type* t, const char* what) {
    if (t->kind != TypeKind::Pointer) return false;
    if (t->elem->kind == TypeKind::Void) {
        diag.error(s, "cannot %s a *void: cast it to a pointer of the element type first, e.g. (*u8)p", what);
        return false;
    }
    return true;
}

const Type* Sema::check_deref(UnaryExpr* e) {
    const Type* t = expr(e->operand, nullptr);
    if (is_error(t)) return err();
    if (t->kind != TypeKind::Pointer) {
        diag.error(e->span, "operator '*' needs a pointer, found %s", tn(t).c_str());
        return err();
    }
    if (!typed_pointer(e->span, t, "dereference")) return err();
    need_unsafe(e->span, "dereferencing a pointer"); // (the type stays known: no follow-up errors)
    return t->elem;
}

const Type* Sema::check_addr_of(UnaryExpr* e) {
    const Type* t = expr(e->operand, nullptr);
    if (is_error(t)) return err();
    Expr* o = e->operand;
    bool place = false;
    switch (o->kind) {
    case ExprKind::Name: {
        Decl* d = as<NameExpr>(o)->decl;
        if (d && d->kind == DeclKind::Local) {
            as<LocalDecl>(d)->captured = true; // kept in memory (lowering)
            place = true;
        } else if (d && d->kind == DeclKind::Param) {
            as<ParamDecl>(d)->captured = true;
            place = true;
        }
        break;
    }
    case ExprKind::Member: {
        auto* m = as<MemberExpr>(o);
        place = m->decl && m->decl->kind == DeclKind::Field && !(m->decl->mods & M_STATIC) && !m->null_safe && !m->call;
        break;
    }
    case ExprKind::Index: {
        auto* ie = as<IndexExpr>(o);
        place = !ie->call && ie->object->type &&
                (ie->object->type->kind == TypeKind::Array || ie->object->type->kind == TypeKind::Pointer);
        break;
    }
    case ExprKind::Unary: place = as<UnaryExpr>(o)->op == UnOp::Deref; break;
    default: break;
    }
    if (!place) {
        diag.error(e->span, "'&' needs a local, a parameter, a field or an array element");
        return err();
    }
    need_unsafe(e->span, "taking an address");
    if (!pointee_ok(t)) {
        diag.error(e->span, "cannot take the address of a %s: a pointer's target is plain data (bool, char, an integer "
                   "or float type, a pointer or a [C] struct)", tn(t).c_str());
        return err();
    }
    return T.pointer(t);
}

const Type* Sema::check_pointer_index(IndexExpr* e, const Type* pt) {
    value(e->index, T.int_());
    if (!typed_pointer(e->span, pt, "index")) return err();
    need_unsafe(e->span, "indexing a pointer");
    return pt->elem;
}

// p + n, p - n (n elements; e->type is the pointer), p - q (elements between; int).
const Type* Sema::check_pointer_arith(BinaryExpr* e, const Type* ta, const Type* tb) {
    const char* op = e->op == BinOp::Add ? "+" : "-";
    if (e->op == BinOp::Sub && ta->kind == TypeKind::Pointer && tb->kind == TypeKind::Pointer) {
        if (ta != tb) {
            diag.error(e->span, "operator '-' needs two pointers of the same type, found %s and %s", tn(ta).c_str(),
                       tn(tb).c_str());
            return err();
        }
        if (!typed_pointer(e->span, ta, "subtract")) return err();
        need_unsafe(e->span, "pointer arithmetic");
        return T.int_();
    }
    if (ta->kind != TypeKind::Pointer || !tb->is_integer() || (e->op != BinOp::Add && e->op != BinOp::Sub)) {
        diag.error(e->span, "operator '%s' cannot be applied to %s and %s (a pointer moves by an integer: p + n)", op,
                   tn(ta).c_str(), tn(tb).c_str());
        return err();
    }
    if (!typed_pointer(e->span, ta, "move")) return err();
    need_unsafe(e->span, "pointer arithmetic");
    coerce(e->rhs, T.int_());
    return ta;
}

// Casts that involve a pointer: between pointer types, and to and from u64/i64.
bool Sema::pointer_cast_ok(CastExpr* e, const Type* from, const Type* to) {
    bool pf = from->kind == TypeKind::Pointer, pt = to->kind == TypeKind::Pointer;
    auto word = [](const Type* t) { return t->kind == TypeKind::I64 || t->kind == TypeKind::U64; };
    if (!((pf && pt) || (pf && word(to)) || (pt && word(from)))) {
        diag.error(e->span, "cannot cast from %s to %s (pointers cast to other pointer types and to and from u64/i64)",
                   tn(from).c_str(), tn(to).c_str());
        return false;
    }
    char what[96];
    snprintf(what, sizeof what, "a cast from %s to %s", tn(from).c_str(), tn(to).c_str());
    need_unsafe(e->span, what);
    return true;
}

} // namespace lang::sema
