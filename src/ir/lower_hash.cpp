// lower_hash.cpp: the builtins hash(x) and equals(a, b) and the library's key text
// (doc/language/spec.md 10.5; sema/hashing.cpp checks them).
//
// A value whose own type implements IHashable/IEquatable was turned into a method call by
// sema; such a type inside a tuple or struct is hashed here by calling the method (through
// the interface table or vtable when it is an interface or virtual method). An integer-like value (integers, bool, char, C-like enums, a float's bits) is
// widened to 64 bits and mixed by mix(): two xor-shifts around a multiplication, so
// nearby keys spread over the low bits a power-of-two table uses. A string calls
// lang_str_hash (XXH3 over its bytes, src/rt/hash.c). Tuples and structs fold their
// fields in order, h = mix(h ^ field hash), from a fixed seed; a nullable hashes a fixed
// value when null. equals compares the same parts the hash reads: floats by bits (so NaN
// equals itself and a key once stored is always found), strings by content, classes and
// interfaces by identity.
#include "ir/lower_impl.h"

namespace lang::lower {

static constexpr int64_t kMixMul = (int64_t)0xd6e8feb86659fd93ull;
static constexpr int64_t kSeed = (int64_t)0x243f6a8885a308d3ull;
static constexpr int64_t kNullHash = (int64_t)0x9e3779b97f4a7c15ull;

// x ^= x >> 32; x *= K; x ^= x >> 32 (all 64-bit, wrapping).
static Inst* mix(Lowerer& L, Inst* x) {
    x = L.emit(Op::Xor, Ty::I64, x, L.emit(Op::shr, Ty::I64, x, L.iconst(Ty::I64, 32)));
    x = L.emit(Op::mul, Ty::I64, x, L.iconst(Ty::I64, kMixMul));
    return L.emit(Op::Xor, Ty::I64, x, L.emit(Op::shr, Ty::I64, x, L.iconst(Ty::I64, 29)));
}

// The 64 bits a scalar hashes and compares by (integers zero-extended, floats' bits).
static Inst* scalar_bits(Lowerer& L, Inst* v, const Type* t) {
    Ty it = L.ty(t);
    if (it == Ty::F64 || it == Ty::F32) {
        Inst* b = L.emit(Op::bitcast, it == Ty::F64 ? Ty::I64 : Ty::I32, v);
        b->cty = it;
        if (it == Ty::F64) return b;
        v = b;
        it = Ty::I32;
    }
    if (it == Ty::I64 || it == Ty::Ptr) return v;
    Inst* w = L.emit(Op::zext, Ty::I64, v);
    w->cty = it;
    return w;
}

// The fields a struct hashes and compares: its instance fields in declaration order.
static void struct_fields(const Type* t, std::vector<FieldDecl*>& out) {
    for (Decl* d : t->decl->members)
        if (d && d->kind == DeclKind::Field && !(d->mods & M_STATIC) && d->type) out.push_back(static_cast<FieldDecl*>(d));
}

// The method `name` taking `param` (null: no parameter) that a value of type t runs: the
// class's own or a base class's, else the interface method (for an interface type).
static FuncDecl* find_method(Lowerer& L, TypeDecl* td, const char* name, const Type* param) {
    auto match = [&](Decl* d) {
        if (!d || d->kind != DeclKind::Func || d->name != name || (d->mods & M_STATIC)) return false;
        auto* fd = static_cast<FuncDecl*>(d);
        return param ? fd->params.size == 1 && fd->params[0]->type == param : fd->params.size == 0;
    };
    for (TypeDecl* c = td; c; c = Lowerer::base_class(c))
        for (Decl* d : c->members)
            if (match(d)) return static_cast<FuncDecl*>(d);
    std::vector<TypeDecl*> ifs;
    L.interfaces_of(td, ifs);
    for (TypeDecl* i : ifs)
        for (Decl* d : i->members)
            if (match(d)) return static_cast<FuncDecl*>(d);
    return nullptr;
}

// recv.fd(arg) for a user type's GetHashCode/Equals: dispatched like a written call.
static Inst* method_call(Lowerer& L, FuncDecl* fd, Inst* recv, Inst* arg, Ty rty) {
    std::vector<Inst*> args{L.ctx, recv};
    if (arg) args.push_back(arg);
    auto* owner = fd->parent && fd->parent->kind == DeclKind::Type ? static_cast<TypeDecl*>(fd->parent) : nullptr;
    Inst* fp = nullptr;
    if (owner && owner->tkind == TypeDeclKind::Interface) {
        fp = L.interface_fn(recv, fd);
    } else if (owner && owner->tkind == TypeDeclKind::Class && Lowerer::is_virtual(fd)) {
        L.vtable(owner);
        auto it = L.vslot_.find(fd);
        uint32_t slot = it != L.vslot_.end() ? it->second : 0;
        fp = L.load(Ty::Ptr, L.load(Ty::Ptr, recv, LANG_ABI_OBJ_TYPE), LANG_ABI_TYPEINFO_SIZE + 8 * (int64_t)slot); // vtable after the type info
    }
    if (!fp) return L.call_v(L.func_symbol(fd), rty, args);
    Inst* r = L.mk(Op::callind, rty);
    r->args.push(L.m.body(), fp);
    for (Inst* a : args) r->args.push(L.m.body(), a);
    ir::append(L.m, L.ensure(), r);
    return r;
}

// GetHashCode / Equals of a class, interface or struct part that implements them, or null.
static FuncDecl* user_method(Lowerer& L, const Type* t, bool eq) {
    if ((t->kind != TypeKind::Class && t->kind != TypeKind::Interface && t->kind != TypeKind::Struct) || !t->decl)
        return nullptr;
    std::string_view want = eq ? "IEquatable" : "IHashable";
    std::vector<TypeDecl*> ifs;
    L.interfaces_of(t->decl, ifs);
    bool has = false;
    for (TypeDecl* i : ifs) {
        std::string_view n = i->name.view();
        has |= n == want || (n.size() > want.size() && n.substr(0, want.size()) == want && n[want.size()] == '<');
    }
    return has ? find_method(L, t->decl, eq ? "Equals" : "GetHashCode", eq ? t : nullptr) : nullptr;
}

Inst* Lowerer::hash_value(Inst* v, const Type* t) {
    if (FuncDecl* fd = user_method(*this, t, false)) return method_call(*this, fd, v, nullptr, Ty::I64);
    switch (t->kind) {
    case TypeKind::String: {
        use_extern("lang_str_hash");
        return call("lang_str_hash", Ty::I64, {v});
    }
    case TypeKind::Nullable: {
        Inst* isnull = is_null(v, t);
        Inst* h = hash_value(nullable_value(v, t), t->elem); // harmless when null: the value bytes are there
        Inst* r = emit(Op::select, Ty::I64, isnull, iconst(Ty::I64, kNullHash));
        r->args.push(m.body(), h);
        return r;
    }
    case TypeKind::Tuple: {
        Inst* h = iconst(Ty::I64, kSeed);
        for (uint32_t i = 0; i < t->count; i++) {
            const Type* et = t->elems[i];
            h = mix(*this, emit(Op::Xor, Ty::I64, h, hash_value(load_typed(et, v, tuple_offset(t, i)), et)));
        }
        return h;
    }
    case TypeKind::Struct: {
        std::vector<FieldDecl*> fs;
        struct_fields(t, fs);
        Inst* h = iconst(Ty::I64, kSeed);
        for (FieldDecl* fd : fs)
            h = mix(*this, emit(Op::Xor, Ty::I64, h, hash_value(load_typed(fd->type, v, fd->offset), fd->type)));
        return h;
    }
    default:
        if (is_agg(t) || ty(t) == Ty::Ptr) { // sema reported it
            unsupported(Span{}, "hashing a value of this type");
            return iconst(Ty::I64, 0);
        }
        return mix(*this, scalar_bits(*this, v, t));
    }
}

Inst* Lowerer::equal_values(Inst* a, Inst* b, const Type* t) {
    if (FuncDecl* fd = user_method(*this, t, true))
        return method_call(*this, fd, a, is_agg(t) ? materialize(t, b) : b, Ty::I8);
    switch (t->kind) {
    case TypeKind::String: return compare(BinOp::Eq, t, a, b);
    case TypeKind::Nullable: {
        Inst* an = is_null(a, t);
        Inst* bn = is_null(b, t);
        Inst* eqv = equal_values(nullable_value(a, t), nullable_value(b, t), t->elem);
        Inst* same = emit(Op::eq, Ty::I8, an, bn);
        same->cty = Ty::I8;
        return emit(Op::And, Ty::I8, same, emit(Op::Or, Ty::I8, an, eqv));
    }
    case TypeKind::Tuple: {
        Inst* r = iconst(Ty::I8, 1);
        for (uint32_t i = 0; i < t->count; i++) {
            const Type* et = t->elems[i];
            int64_t off = tuple_offset(t, i);
            r = emit(Op::And, Ty::I8, r, equal_values(load_typed(et, a, off), load_typed(et, b, off), et));
        }
        return r;
    }
    case TypeKind::Struct: {
        std::vector<FieldDecl*> fs;
        struct_fields(t, fs);
        Inst* r = iconst(Ty::I8, 1);
        for (FieldDecl* fd : fs)
            r = emit(Op::And, Ty::I8, r,
                     equal_values(load_typed(fd->type, a, fd->offset), load_typed(fd->type, b, fd->offset), fd->type));
        return r;
    }
    default: {
        if (is_agg(t)) {
            unsupported(Span{}, "comparing values of this type");
            return iconst(Ty::I8, 0);
        }
        Ty it = ty(t);
        if (it == Ty::Ptr) { // classes and interfaces: identity
            Inst* r = emit(Op::eq, Ty::I8, a, b);
            r->cty = Ty::Ptr;
            return r;
        }
        Inst* r = emit(Op::eq, Ty::I8, scalar_bits(*this, a, t), scalar_bits(*this, b, t));
        r->cty = Ty::I64;
        return r;
    }
    }
}

Inst* Lowerer::hash_builtin(CallExpr* e) {
    if (e->builtin == B_NeedsDrop) { // a constant: the argument is only typed, not evaluated
        const Type* t = e->args.size ? e->args[0].value->type : nullptr;
        return iconst(Ty::I8, t && (needs_drop(t) || owns_parts(t)) ? 1 : 0);
    }
    if (e->builtin == B_Describe) {
        if (!e->args.size) return nullptr;
        const Type* t = e->args[0].value->type;
        Inst* v = expr(e->args[0].value);
        if (t->kind == TypeKind::String) return v;
        Inst* tmp = v;
        if (scalar_kind(tmp, t) != Scalar::None) return to_string(v, t);
        std::string name;
        reflect_name(name, t);
        name = "(a value of type " + name + ")";
        Inst* s = emit(Op::addr, Ty::Ptr);
        s->sym = string_global(c.arena.copy_str(name.data(), name.size()), (uint32_t)name.size());
        return s;
    }
    if (e->builtin == B_Hash) {
        if (e->args.size != 1) return iconst(Ty::I64, 0);
        return hash_value(expr(e->args[0].value), e->args[0].value->type);
    }
    if (e->args.size != 2) return iconst(Ty::I8, 0);
    const Type* t = e->args[0].value->type;
    Inst* a = expr(e->args[0].value);
    Inst* b = expr(e->args[1].value);
    return equal_values(a, b, t);
}

} // namespace lang::lower
