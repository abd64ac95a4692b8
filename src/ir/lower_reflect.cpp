// lower_reflect.cpp: type infos and reflection (doc/language/spec.md 10).
//
// Every class/struct/enum/interface of the program has a LangTypeInfo global
// "<qualified name>.$type" (emit_typeinfo, lower_data.cpp); any other type a program
// reflects on (typeof(int[]), a tuple field's type, ...) gets one on demand, named
// "type.N", one per distinct type. The record is written with the offsets and sizes of
// the C structs in rt/lang_rt.h (the one definition of the layout). Tables:
//  - name: the bytes of a static LangString "name.N" (SymAddr with addend
//    offsetof(data)), so TypeInfo.Name is that string, borrowed (static strings are
//    never freed);
//  - fields "X.$fields": LangFieldInfo rows; struct/class instance fields in layout order
//    (a class's inherited ones first), tuple elements named "0", "1", ..., a payload
//    enum's payload fields named "Case.field";
//  - methods "X.$methods": LangString* per method name (inherited names first, each once;
//    constructors and destructors are not methods);
//  - interfaces: a class's {interface, method table} pairs (emit_itables); an interface's
//    extended interfaces with a NULL table.
// The field and method tables (and a tuple's) are emitted only when the program uses
// typeof or GetType somewhere: nothing else can reach them. Type infos are emitted after
// all functions (emit_type_infos); emitting one may ask for
// more (the types of fields), so it works through a list until nothing is pending.
#include "ir/lower_impl.h"
#include "rt/lang_rt.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace lang::lower {

// The numbers other lowering files use (rt/lang_abi.h) against the structs written here.
#define LANG_ABI_CHECK_OFFSET(name, type, member, value) static_assert(offsetof(type, member) == (value), #name);
#define LANG_ABI_CHECK_SIZE(name, type, value) static_assert(sizeof(type) == (value), #name);
LANG_ABI_OFFSETS(LANG_ABI_CHECK_OFFSET)
LANG_ABI_SIZES(LANG_ABI_CHECK_SIZE)
#undef LANG_ABI_CHECK_OFFSET
#undef LANG_ABI_CHECK_SIZE

uint32_t Lowerer::type_kind_code(const Type* t) {
    switch (t->kind) {
    case TypeKind::Bool: return LANG_TK_BOOL;
    case TypeKind::I8: case TypeKind::I16: case TypeKind::I32: case TypeKind::I64: return LANG_TK_INT;
    case TypeKind::U8: case TypeKind::U16: case TypeKind::U32: case TypeKind::U64: return LANG_TK_UINT;
    case TypeKind::F32: case TypeKind::F64: return LANG_TK_FLOAT;
    case TypeKind::Char: return LANG_TK_CHAR;
    case TypeKind::String: return LANG_TK_STRING;
    case TypeKind::Array: return LANG_TK_ARRAY;
    case TypeKind::Tuple: return LANG_TK_TUPLE;
    case TypeKind::Struct: return LANG_TK_STRUCT;
    case TypeKind::Class: return LANG_TK_CLASS;
    case TypeKind::Enum: return LANG_TK_ENUM;
    case TypeKind::Interface: return LANG_TK_INTERFACE;
    case TypeKind::Nullable: return LANG_TK_NULLABLE;
    case TypeKind::Pointer: case TypeKind::CString: return LANG_TK_POINTER;
    case TypeKind::Func: return LANG_TK_FUNCTION;
    case TypeKind::Fallible: return LANG_TK_FALLIBLE;
    case TypeKind::TypeInfo: case TypeKind::FieldInfo: case TypeKind::Channel: case TypeKind::Task:
    case TypeKind::WaitGroup: case TypeKind::Mutex: case TypeKind::Atomic: case TypeKind::Duration:
    case TypeKind::Range:
        return LANG_TK_HANDLE;
    default: return LANG_TK_VOID;
    }
}

const char* Lowerer::type_info_sym(const Type* t) {
    if (t->decl && (t->kind == TypeKind::Class || t->kind == TypeKind::Struct || t->kind == TypeKind::Enum ||
                    t->kind == TypeKind::Interface)) {
        TypeDecl* td = t->decl;
        if (!type_names_.count(td)) {
            // A declaration of the compiler's prelude (TypeKind): not in any file. Its
            // symbol cannot collide with a program's type of the same name.
            type_names_[td] = std::string(td->name.view());
            std::string sym = "$prelude." + std::string(td->name.view()) + ".$type";
            typeinfos_[td] = m.arena.copy_str(sym.data(), sym.size());
            types_.push_back(td);
        }
        return typeinfo(td);
    }
    auto it = other_infos_.find(t);
    if (it != other_infos_.end()) return it->second;
    char name[32];
    snprintf(name, sizeof name, "type.%u", (unsigned)other_infos_.size());
    const char* s = m.arena.copy_str(name, strlen(name));
    other_infos_.emplace(t, s);
    pending_infos_.push_back(t);
    return s;
}

// A static LangString holding a type, field or method name: "name.N", one per distinct
// text, kept apart from the program's string literals ("str.N").
const char* Lowerer::name_string(const std::string& text) {
    auto it = name_strings_.find(text);
    if (it != name_strings_.end()) return it->second;
    uint32_t len = (uint32_t)text.size();
    int64_t chars = 0;
    for (unsigned char ch : text)
        if ((ch & 0xC0) != 0x80) chars++;
    uint8_t* buf = static_cast<uint8_t*>(m.arena.alloc(offsetof(LangString, data) + len + 1, 8));
    int64_t head[3] = {-1, (int64_t)len, chars}; // refcount (static), byte length, length
    static_assert(offsetof(LangString, data) == sizeof head, "LangString header");
    memcpy(buf, head, sizeof head);
    memcpy(buf + sizeof head, text.data(), len);
    buf[sizeof head + len] = 0;
    const char* name = rodata_global("name", (uint32_t)name_strings_.size(), buf, sizeof head + len + 1, 8);
    name_strings_.emplace(text, name);
    return name;
}

ir::Global* Lowerer::data_global(const std::string& name) {
    ir::Global* g = m.arena.make<ir::Global>();
    g->name = m.arena.copy_str(name.data(), name.size());
    g->section = ir::Section::Data; // holds addresses: relocated at load time
    g->align = 8;
    m.globals.push(m.arena, g);
    return g;
}

static void put_addr(ir::Module& m, ir::Global* g, const char* sym, int64_t addend = 0) {
    ir::DataItem d;
    d.kind = sym ? ir::DataItem::SymAddr : ir::DataItem::Zero;
    d.sym = sym;
    d.addend = addend;
    d.size = 8;
    g->items.push(m.arena, d);
}

static void put_i64(ir::Module& m, ir::Global* g, int64_t v) {
    uint8_t* p = static_cast<uint8_t*>(m.arena.alloc(8, 8));
    memcpy(p, &v, 8);
    ir::DataItem d;
    d.kind = ir::DataItem::Bytes;
    d.bytes = p;
    d.size = 8;
    g->items.push(m.arena, d);
}

// The LangTypeInfo record itself, field by field in the order of lang_rt.h.
void Lowerer::emit_type_record(ir::Global* g, const TypeRecord& r) {
    uint64_t head = (uint64_t)r.kind | ((uint64_t)r.flags << 32); // kind u32, flags u32
    put_i64(m, g, (int64_t)head);
    put_addr(m, g, name_string(r.name), (int64_t)offsetof(LangString, data));
    put_i64(m, g, r.size);
    put_i64(m, g, r.align);
    put_addr(m, g, r.base);
    if (!r.fields && !r.methods) { // fields, field_count, methods, method_count
        ir::DataItem z;
        z.kind = ir::DataItem::Zero;
        z.size = 32;
        g->items.push(m.arena, z);
    } else {
        put_addr(m, g, r.fields);
        put_i64(m, g, r.nfields);
        put_addr(m, g, r.methods);
        put_i64(m, g, r.nmethods);
    }
    put_addr(m, g, r.ifaces);
    put_i64(m, g, r.nifaces);
    put_addr(m, g, r.drop); // lower_drop.cpp
}

struct FieldRow { std::string name; const Type* type; int64_t offset; };

const char* Lowerer::emit_field_table(const std::string& owner, const std::vector<FieldRow>& rows) {
    if (rows.empty()) return nullptr;
    ir::Global* g = data_global(owner + ".$fields");
    for (const FieldRow& r : rows) {
        put_addr(m, g, name_string(r.name), (int64_t)offsetof(LangString, data));
        put_addr(m, g, type_info_sym(r.type));
        put_i64(m, g, r.offset);
    }
    return g->name;
}

// Fields and methods of a declared type (into r); inherited ones first. Only a program
// that reflects (typeof, GetType) can reach them, so others get none (no cost), except
// that a gc class always has its field table: the collector's map of its references.
void Lowerer::decl_tables(TypeDecl* td, TypeRecord& r) {
    if (!reflects_ && !td->is_gc && !(td->type && gc_deep(td->type))) return;
    std::vector<TypeDecl*> chain;
    for (TypeDecl* c = td; c; c = base_class(c)) chain.push_back(c);
    std::reverse(chain.begin(), chain.end()); // the root class first
    std::vector<FieldRow> rows;
    std::vector<std::string> methods;
    std::unordered_set<std::string> seen; // each name once, however many methods
    for (TypeDecl* c : chain)
        for (Decl* d : c->members) {
            if (!d) continue;
            if (d->kind == DeclKind::Field && !(d->mods & M_STATIC) && d->type && td->tkind != TypeDeclKind::Enum)
                rows.push_back({std::string(d->name.view()), d->type, (int64_t)as<FieldDecl>(d)->offset});
            if (d->kind == DeclKind::Func) {
                auto* fd = as<FuncDecl>(d);
                if (fd->fkind == FuncKind::Constructor || fd->fkind == FuncKind::Destructor) continue;
                std::string n(fd->name.view());
                if (seen.insert(n).second) methods.push_back(n);
            }
        }
    if (td->tkind == TypeDeclKind::Enum && td->type && is_agg(td->type)) { // payload fields, "Case.field"
        int64_t tag_size, poff;
        enum_layout(td->type, &tag_size, &poff);
        for (Decl* d : td->members) {
            if (!d || d->kind != DeclKind::EnumCase) continue;
            auto* ec = as<EnumCaseDecl>(d);
            for (uint32_t i = 0; i < ec->payload.size; i++) {
                ParamDecl* p = ec->payload[i];
                if (!p || !p->type) continue;
                rows.push_back({std::string(ec->name.view()) + "." + std::string(p->name.view()), p->type,
                                payload_field_offset(ec, i, poff)});
            }
        }
    }
    const std::string& qn = type_names_[td];
    r.fields = emit_field_table(qn, rows);
    r.nfields = (int64_t)rows.size();
    if (!methods.empty()) {
        ir::Global* g = data_global(qn + ".$methods");
        for (const std::string& n : methods) put_addr(m, g, name_string(n));
        r.methods = g->name;
        r.nmethods = (int64_t)methods.size();
    }
    if (td->tkind == TypeDeclKind::Interface) {
        std::vector<TypeDecl*> ext;
        interfaces_of(td, ext);
        if (!ext.empty()) {
            ir::Global* g = data_global(qn + ".$ifaces");
            for (TypeDecl* x : ext) {
                put_addr(m, g, typeinfo(x));
                put_addr(m, g, nullptr);
            }
            r.ifaces = g->name;
            r.nifaces = (int64_t)ext.size();
        }
    }
}

// A type's name as TypeInfo.Name gives it: declared types by their full name (as their
// own records), the composite types around them spelled like type_name.
void Lowerer::reflect_name(std::string& out, const Type* t) {
    if (t->decl && type_names_.count(t->decl) && (t->kind == TypeKind::Class || t->kind == TypeKind::Struct ||
                                                  t->kind == TypeKind::Enum || t->kind == TypeKind::Interface)) {
        out += type_names_[t->decl];
        return;
    }
    switch (t->kind) {
    case TypeKind::Array: reflect_name(out, t->elem); out += "[]"; return;
    case TypeKind::Nullable: reflect_name(out, t->elem); out += "?"; return;
    case TypeKind::Fallible: reflect_name(out, t->elem); out += "!"; return;
    case TypeKind::Tuple:
        out += "(";
        for (uint32_t i = 0; i < t->count; i++) {
            if (i) out += ", ";
            reflect_name(out, t->elems[i]);
        }
        out += ")";
        return;
    default: out += type_name(t); return;
    }
}

void Lowerer::emit_other_info(const Type* t) {
    TypeRecord r;
    r.kind = type_kind_code(t);
    reflect_name(r.name, t);
    r.size = t->size;
    r.align = t->align ? t->align : 1;
    if (t->kind == TypeKind::Nullable && t->elem &&
        (t->elem->kind == TypeKind::Class || t->elem->kind == TypeKind::Interface))
        r.flags = LANG_TF_REF; // the collector follows it without looking the address up
    const char* sym = other_infos_[t];
    if (t->kind == TypeKind::Tuple && reflects_) {
        std::vector<FieldRow> rows;
        for (uint32_t i = 0; i < t->count; i++) rows.push_back({std::to_string(i), t->elems[i], tuple_offset(t, i)});
        r.fields = emit_field_table(sym, rows);
        r.nfields = (int64_t)rows.size();
    }
    ir::Global* g = data_global(sym);
    emit_type_record(g, r);
}

void Lowerer::emit_type_infos() {
    for (size_t i = 0; i < types_.size(); i++) emit_typeinfo(types_[i]); // may add prelude types
    while (!pending_infos_.empty()) {
        const Type* t = pending_infos_.back();
        pending_infos_.pop_back();
        emit_other_info(t);
    }
}

// ---- expressions

Inst* Lowerer::typeof_value(const Type* t) {
    reflects_ = true;
    Inst* a = emit(Op::addr, Ty::Ptr);
    a->sym = type_info_sym(t);
    return a;
}

Inst* Lowerer::get_type_call(CallExpr* e, Inst* recv) {
    Expr* obj = as<MemberExpr>(e->callee)->object;
    const Type* ot = obj->type;
    if (recv && ot->kind == TypeKind::Nullable) ot = ot->elem; // x?.GetType(): recv is the non-null x
    Inst* v = recv ? recv : expr(obj);
    reflects_ = true;
    if (ot->kind == TypeKind::Class || ot->kind == TypeKind::Interface)
        return load(Ty::Ptr, v, (int64_t)offsetof(LangObjHeader, type)); // the run-time class
    return typeof_value(ot);
}

// TypeInfo.Name, also what printing and interpolating a TypeInfo give: a static string.
Inst* Lowerer::type_info_name(Inst* ti) {
    return ptr_add(load(Ty::Ptr, ti, offsetof(LangTypeInfo, name)), -(int64_t)offsetof(LangString, data));
}

Inst* Lowerer::reflect_property(MemberExpr* e, Inst* o) {
    switch (e->builtin) {
    case B_TypeName: return type_info_name(o);
    case B_TypeKindOf: return load(Ty::I32, o, offsetof(LangTypeInfo, kind));
    case B_TypeSize: return load(Ty::I64, o, offsetof(LangTypeInfo, size));
    case B_TypeAlign: return load(Ty::I64, o, offsetof(LangTypeInfo, alignment));
    case B_TypeBase: return load(Ty::Ptr, o, offsetof(LangTypeInfo, base));
    case B_TypeFields:
        use_extern("lang_type_fields");
        return own_value(call("lang_type_fields", Ty::Ptr, {ctx, o}), e->type); // a new array (lower_drop.cpp)
    case B_TypeMethods:
        use_extern("lang_type_methods");
        return own_value(call("lang_type_methods", Ty::Ptr, {ctx, o}), e->type); // a new array (lower_drop.cpp)
    case B_TypeInterfaces:
        use_extern("lang_type_interfaces");
        return own_value(call("lang_type_interfaces", Ty::Ptr, {ctx, o}), e->type); // a new array (lower_drop.cpp)
    case B_FieldName: return ptr_add(load(Ty::Ptr, o, offsetof(LangFieldInfo, name)), -(int64_t)offsetof(LangString, data));
    case B_FieldType: return load(Ty::Ptr, o, offsetof(LangFieldInfo, type));
    case B_FieldOffset: return load(Ty::I64, o, offsetof(LangFieldInfo, offset));
    default: return nullptr;
    }
}

} // namespace lang::lower
