// lower_gc.cpp: lowering of `gc { ... }` blocks (LANGUAGE.md section 7): the body, then a
// collection of the running thread's gc heap at every exit of the block, fallthrough,
// `return`, `break`, `continue`, `fail` and `try` alike.
//
// The collection is registered as a cleanup like a `defer`: a GcBlock statement without a
// body stands for it (it lowers to lang_gc_collect(ctx), which does nothing while
// context.gc_enabled is false). A value being returned is computed before the cleanups
// run and stays in a register or stack slot across the call, where the collector's
// conservative stack scan sees it. `new` of a gc class (lang_gc_new) is in construct,
// lower_call.cpp; the collector's field map is the class's field table (lower_reflect.cpp).
//
// Owned memory that holds gc references (a List<GNode>'s array, an object of a class that
// is not gc with a GNode field) is not in the gc heap, so the collector is told about it:
// such arrays are made with lang_array_hold_gc (the runtime registers them until they are
// freed), and such classes get LANG_TF_GC_ROOT in their type info (lang_obj_new registers
// their objects). LANG_TF_GC_DEEP marks a class whose objects own gc references somewhere
// (maybe through owned objects and arrays): the collector walks into those when a gc
// object owns one (src/rt/gc.c "owned blocks").
#include "ir/lower_impl.h"
#include "rt/lang_rt.h"

namespace lang::lower {

// Whether a value of type t holds a gc reference in its own bytes (not through an owned
// object or array, which is registered on its own).
bool Lowerer::gc_direct(const Type* t, int depth) {
    if (!t || depth > 16) return false;
    switch (t->kind) {
    case TypeKind::Class: return t->decl && t->decl->is_gc;
    case TypeKind::Nullable: return gc_direct(t->elem, depth + 1);
    case TypeKind::Tuple:
    case TypeKind::Struct:
    case TypeKind::Enum: return any_part(t, [&](const Type* p, bool boxed) { return !boxed && gc_direct(p, depth + 1); });
    default: return false;
    }
}

// Whether a value of type t owns a gc reference anywhere: in its bytes, or in an owned
// object or array it holds (transitively; recursive types end at the depth limit).
bool Lowerer::gc_deep(const Type* t, int depth) {
    if (!t || depth > 8) return false;
    if (gc_direct(t)) return true;
    if (t->kind == TypeKind::Nullable) t = t->elem;
    switch (t->kind) {
    case TypeKind::Array: return gc_deep(t->elem, depth + 1);
    case TypeKind::Class:
        for (TypeDecl* c = t->decl; c; c = base_class(c))
            for (Decl* d : c->members)
                if (d->kind == DeclKind::Field && !(d->mods & M_STATIC) && gc_deep(d->type, depth + 1)) return true;
        return false;
    case TypeKind::Tuple:
    case TypeKind::Struct: return any_part(t, [&](const Type* p, bool) { return gc_deep(p, depth + 1); });
    default: return false;
    }
}

// The type-info flags of a class that is not gc: its objects hold gc references.
uint32_t Lowerer::gc_class_flags(TypeDecl* td) {
    if (td->is_gc || td->tkind != TypeDeclKind::Class) return 0;
    uint32_t f = 0;
    for (TypeDecl* c = td; c; c = base_class(c))
        for (Decl* d : c->members)
            if (d->kind == DeclKind::Field && !(d->mods & M_STATIC)) {
                if (gc_direct(d->type)) f |= LANG_TF_GC_ROOT | LANG_TF_GC_DEEP;
                else if (gc_deep(d->type)) f |= LANG_TF_GC_DEEP;
            }
    return f;
}

// A new array whose elements hold gc references: registered with the collector.
Inst* Lowerer::gc_array(Inst* arr, const Type* elem) {
    if (!gc_direct(elem)) return arr;
    use_extern("lang_array_hold_gc");
    call("lang_array_hold_gc", Ty::Void, {ctx, arr});
    return arr;
}

void Lowerer::gc_block(UnsafeStmt* s) {
    if (!s->body) { // the cleanup itself
        use_extern("lang_gc_collect");
        call("lang_gc_collect", Ty::Void, {ctx});
        return;
    }
    UnsafeStmt* at_exit = c.arena.make<UnsafeStmt>();
    at_exit->kind = StmtKind::GcBlock;
    at_exit->span = s->span;
    at_exit->body = nullptr;
    size_t mark = defers.size();
    defers.push_back({at_exit, nullptr});
    stmts(s->body);
    if (cur) run_defers(mark);
    defers.resize(mark);
}

} // namespace lang::lower
