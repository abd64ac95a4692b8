// types.cpp: the TypeTable (hash-consing of semantic types) and type_name().
//
// Invariants: every Type reachable from the table is unique by structure, so pointer
// equality is type equality. Composite types get a provisional layout when interned
// (from their parts' current layout); sema's layout pass recomputes every type once
// nominal structs are laid out (see layout.cpp), and types interned after sema (by
// lowering) are laid out correctly at interning time.
#include "sema/types.h"
#include "parse/ast.h"

namespace lang {

bool Type::is_c_like_enum() const {
    if (kind != TypeKind::Enum || !decl) return false;
    for (const Decl* m : decl->members)
        if (m && m->kind == DeclKind::EnumCase && !static_cast<const EnumCaseDecl*>(m)->payload.empty())
            return false;
    return true;
}

static uint32_t align_up(uint32_t v, uint32_t a) { return (v + a - 1) & ~(a - 1); }

TypeTable::TypeTable(Arena& a) : arena_(a) {
    static const struct { TypeKind k; uint32_t size; } prims[] = {
        {TypeKind::Error, 0}, {TypeKind::Void, 0}, {TypeKind::Bool, 1},
        {TypeKind::I8, 1}, {TypeKind::I16, 2}, {TypeKind::I32, 4}, {TypeKind::I64, 8},
        {TypeKind::U8, 1}, {TypeKind::U16, 2}, {TypeKind::U32, 4}, {TypeKind::U64, 8},
        {TypeKind::F32, 4}, {TypeKind::F64, 8}, {TypeKind::Char, 4},
        {TypeKind::String, 8}, {TypeKind::CString, 8}, {TypeKind::Null, 8},
        {TypeKind::Never, 0},
        {TypeKind::TypeInfo, 8}, {TypeKind::FieldInfo, 8},
    };
    for (auto& p : prims) {
        Type* t = arena_.make<Type>();
        t->kind = p.k;
        t->size = p.size;
        t->align = p.size ? p.size : 1;
        prim_[(int)p.k] = t;
    }
}

size_t TypeTable::Key::operator()(const Type& t) const {
    size_t h = (size_t)t.kind * 0x9E3779B97F4A7C15ull;
    auto mix = [&](const void* p) { h = (h ^ (size_t)(uintptr_t)p) * 0x100000001B3ull; };
    mix(t.elem);
    mix(t.decl);
    mix(t.tparam);
    for (uint32_t i = 0; i < t.count; i++) mix(t.elems[i]);
    return h ^ t.count;
}

bool TypeTable::Eq::operator()(const Type& a, const Type& b) const {
    if (a.kind != b.kind || a.elem != b.elem || a.decl != b.decl || a.tparam != b.tparam ||
        a.count != b.count)
        return false;
    for (uint32_t i = 0; i < a.count; i++)
        if (a.elems[i] != b.elems[i]) return false;
    return true;
}

// Provisional layout from the parts (see the file comment).
static void layout_composite(Type* t) {
    switch (t->kind) {
    case TypeKind::Array: case TypeKind::Pointer: case TypeKind::Func:
    case TypeKind::Class: case TypeKind::Interface:
    case TypeKind::Channel: case TypeKind::Task: case TypeKind::WaitGroup: case TypeKind::Mutex:
    case TypeKind::Atomic:
    case TypeKind::Duration:
    case TypeKind::StringBuilder:
        t->size = 8; t->align = 8; break;
    case TypeKind::Tuple: {
        uint32_t off = 0, al = 1;
        for (uint32_t i = 0; i < t->count; i++) {
            const Type* e = t->elems[i];
            off = align_up(off, e->align) + e->size;
            if (e->align > al) al = e->align;
        }
        t->size = align_up(off, al); t->align = al; break;
    }
    case TypeKind::Nullable:
        if (t->elem->is_pointer_like()) { t->size = 8; t->align = 8; }
        else { t->align = t->elem->align; t->size = align_up(t->elem->size + 1, t->align); }
        break;
    case TypeKind::Fallible: { // { value, error pointer }
        uint32_t off = align_up(t->elem->size, 8);
        t->size = off + 8; t->align = 8; break;
    }
    case TypeKind::Range:
        t->align = t->elem->align; t->size = 2 * t->elem->size; break;
    default: break; // Struct/Enum: laid out by sema (layout.cpp)
    }
}

const Type* TypeTable::intern(const Type& t) {
    auto it = table_.find(t);
    if (it != table_.end()) return it->second;
    Type* n = arena_.make<Type>(t);
    if (t.count) {
        const Type** e = arena_.array<const Type*>(t.count);
        for (uint32_t i = 0; i < t.count; i++) e[i] = t.elems[i];
        n->elems = e;
    }
    layout_composite(n);
    table_.emplace(*n, n);
    order_.push_back(n);
    return n;
}

const Type* TypeTable::array(const Type* elem) { Type t{}; t.kind = TypeKind::Array; t.elem = elem; return intern(t); }
const Type* TypeTable::nullable(const Type* elem) { Type t{}; t.kind = TypeKind::Nullable; t.elem = elem; return intern(t); }
const Type* TypeTable::fallible(const Type* elem) { Type t{}; t.kind = TypeKind::Fallible; t.elem = elem; return intern(t); }
const Type* TypeTable::pointer(const Type* elem) { Type t{}; t.kind = TypeKind::Pointer; t.elem = elem; return intern(t); }
const Type* TypeTable::range(const Type* elem) { Type t{}; t.kind = TypeKind::Range; t.elem = elem; return intern(t); }

const Type* TypeTable::tuple(const Type* const* elems, uint32_t n) {
    Type t{}; t.kind = TypeKind::Tuple; t.elems = elems; t.count = n; return intern(t);
}
const Type* TypeTable::func(const Type* const* params, uint32_t n, const Type* result) {
    Type t{}; t.kind = TypeKind::Func; t.elems = params; t.count = n; t.elem = result; return intern(t);
}
const Type* TypeTable::nominal(TypeKind k, TypeDecl* d, const Type* const* args, uint32_t n) {
    Type t{}; t.kind = k; t.decl = d; t.elems = args; t.count = n; return intern(t);
}
const Type* TypeTable::handle(TypeKind k, const Type* elem) {
    Type t{}; t.kind = k; t.elem = elem; return intern(t);
}
const Type* TypeTable::type_param(TypeParamDecl* p) {
    Type t{}; t.kind = TypeKind::TypeParam; t.tparam = p; return intern(t);
}

static void append_name(std::string& out, const Type* t) {
    if (!t) { out += "<null>"; return; }
    switch (t->kind) {
    case TypeKind::Error: out += "<error>"; return;
    case TypeKind::Void: out += "void"; return;
    case TypeKind::Bool: out += "bool"; return;
    case TypeKind::I8: out += "i8"; return;
    case TypeKind::I16: out += "i16"; return;
    case TypeKind::I32: out += "i32"; return;
    case TypeKind::I64: out += "int"; return;
    case TypeKind::U8: out += "byte"; return;
    case TypeKind::U16: out += "u16"; return;
    case TypeKind::U32: out += "u32"; return;
    case TypeKind::U64: out += "u64"; return;
    case TypeKind::F32: out += "f32"; return;
    case TypeKind::F64: out += "float"; return;
    case TypeKind::Char: out += "char"; return;
    case TypeKind::String: out += "string"; return;
    case TypeKind::CString: out += "cstring"; return;
    case TypeKind::Null: out += "null"; return;
    case TypeKind::Never: out += "never"; return;
    case TypeKind::TypeInfo: out += "TypeInfo"; return;
    case TypeKind::FieldInfo: out += "FieldInfo"; return;
    case TypeKind::Channel: out += "Channel<"; append_name(out, t->elem); out += ">"; return;
    case TypeKind::Task: out += "Task<"; append_name(out, t->elem); out += ">"; return;
    case TypeKind::WaitGroup: out += "WaitGroup"; return;
    case TypeKind::Mutex:
        out += "Mutex";
        if (t->elem) { out += "<"; append_name(out, t->elem); out += ">"; } // Mutex<T>
        return;
    case TypeKind::Atomic: out += "Atomic"; return;
    case TypeKind::Duration: out += "Duration"; return;
    case TypeKind::StringBuilder: out += "StringBuilder"; return;
    case TypeKind::Array: append_name(out, t->elem); out += "[]"; return;
    case TypeKind::Nullable: append_name(out, t->elem); out += "?"; return;
    case TypeKind::Fallible: append_name(out, t->elem); out += "!"; return;
    case TypeKind::Pointer: out += "*"; append_name(out, t->elem); return;
    case TypeKind::Range: out += "Range<"; append_name(out, t->elem); out += ">"; return;
    case TypeKind::Tuple:
    case TypeKind::Func:
        out += "(";
        for (uint32_t i = 0; i < t->count; i++) {
            if (i) out += ", ";
            append_name(out, t->elems[i]);
        }
        out += ")";
        if (t->kind == TypeKind::Func) { out += " => "; append_name(out, t->elem); }
        return;
    case TypeKind::TypeParam:
        out += t->tparam ? t->tparam->name.c_str() : "T";
        return;
    case TypeKind::Struct: case TypeKind::Class: case TypeKind::Interface: case TypeKind::Enum:
        out += t->decl ? t->decl->name.c_str() : "?";
        if (t->count) {
            out += "<";
            for (uint32_t i = 0; i < t->count; i++) {
                if (i) out += ", ";
                append_name(out, t->elems[i]);
            }
            out += ">";
        }
        return;
    }
}

std::string type_name(const Type* t) {
    std::string s;
    append_name(s, t);
    return s;
}

const EnumCaseDecl* first_enum_case(const Type* t) {
    if (t->kind != TypeKind::Enum || !t->decl) return nullptr;
    for (const Decl* m : t->decl->members)
        if (m && m->kind == DeclKind::EnumCase) return static_cast<const EnumCaseDecl*>(m);
    return nullptr;
}

const EnumCaseDecl* zero_enum_case(const Type* t) {
    if (!t->is_c_like_enum()) return nullptr;
    for (const Decl* m : t->decl->members)
        if (m && m->kind == DeclKind::EnumCase && static_cast<const EnumCaseDecl*>(m)->tag == 0)
            return static_cast<const EnumCaseDecl*>(m);
    return first_enum_case(t);
}

static const char* kind_phrase(const Type* t) {
    switch (t->kind) {
    case TypeKind::Class: return "a class";
    case TypeKind::Interface: return "an interface";
    case TypeKind::Enum: return first_enum_case(t) ? "an enum with payloads" : "an enum without members";
    case TypeKind::Func: return "a function type";
    case TypeKind::TypeInfo: return "a type handle";
    case TypeKind::FieldInfo: return "a field handle";
    case TypeKind::StringBuilder: return "a reference to a text buffer";
    case TypeKind::Fallible: return "a fallible type";
    case TypeKind::Channel: case TypeKind::Task: case TypeKind::WaitGroup:
    case TypeKind::Mutex: case TypeKind::Atomic: return "a concurrency handle";
    default: return "a type without a zero value";
    }
}

bool has_zero_value(const Type* t, std::string* why) {
    switch (t->kind) {
    case TypeKind::Error:
    case TypeKind::Bool:
    case TypeKind::I8: case TypeKind::I16: case TypeKind::I32: case TypeKind::I64:
    case TypeKind::U8: case TypeKind::U16: case TypeKind::U32: case TypeKind::U64:
    case TypeKind::F32: case TypeKind::F64:
    case TypeKind::Char:
    case TypeKind::String:
    case TypeKind::CString:
    case TypeKind::Pointer:
    case TypeKind::Array:
    case TypeKind::Nullable:
    case TypeKind::Duration:
        return true;
    case TypeKind::Enum:
        if (t->is_c_like_enum() && first_enum_case(t)) return true;
        break;
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++) {
            std::string inner;
            if (!has_zero_value(t->elems[i], why ? &inner : nullptr)) {
                if (why) *why = "element " + std::to_string(i) + " of " + type_name(t) + ": " + inner;
                return false;
            }
        }
        return true;
    case TypeKind::Struct:
        if (!t->decl) return true;
        for (const Decl* d : t->decl->members) {
            if (d->kind != DeclKind::Field || (d->mods & M_STATIC) || !d->type) continue;
            std::string inner;
            if (!has_zero_value(d->type, why ? &inner : nullptr)) {
                if (why) *why = "field '" + std::string(d->name.c_str()) + "' of " + type_name(t) + ": " + inner;
                return false;
            }
        }
        return true;
    default: break;
    }
    if (why) *why = type_name(t) + " is " + kind_phrase(t);
    return false;
}

} // namespace lang
