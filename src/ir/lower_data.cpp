// lower_data.cpp: module data made by lowering — string literals, the constant elements
// of array literals, and type infos.
//
// A string literal becomes a read-only global laid out exactly like LangString
// (lang_rt.h): refcount -1 (static, never freed), byte length, length in characters,
// the bytes and a NUL. Literals are interned per module: the same text is one global.
// An array literal with many constant scalar elements (numbers, chars, bools) becomes a
// read-only global holding the elements' bytes, copied into the new array by
// lang_array_from_data; only the other elements are stored one by one. (A 10^6-element
// literal is then 8 MB of data, not 10^6 store instructions.)
// Every class/struct/enum gets a LangTypeInfo global "<qualified name>.$type"
// (kind, flags, name, size, alignment, base and the reflection tables, lower_reflect.cpp).
#include "ir/lower_impl.h"

#include "rt/lang_rt.h"
#include <cstring>

namespace lang::lower {

static void put64(uint8_t* p, int64_t v) { memcpy(p, &v, 8); }

// A read-only global named `prefix.N` holding `size` bytes at `bytes` (arena memory that
// lives as long as the module); returns its name.
const char* Lowerer::rodata_global(const char* prefix, uint32_t n, const uint8_t* bytes, uint64_t size, uint32_t align) {
    char name[32];
    snprintf(name, sizeof name, "%s.%u", prefix, n);
    ir::Global* g = m.arena.make<ir::Global>();
    g->name = m.arena.copy_str(name, strlen(name));
    g->section = ir::Section::Rodata;
    g->align = align;
    ir::DataItem d;
    d.kind = ir::DataItem::Bytes;
    d.bytes = bytes;
    d.size = size;
    g->items.push(m.arena, d);
    m.globals.push(m.arena, g);
    return g->name;
}

const char* Lowerer::string_global(const char* bytes, uint32_t len) {
    std::string_view key(bytes, len);
    auto it = strings_.find(key);
    if (it != strings_.end()) return it->second;
    int64_t chars = 0;
    for (uint32_t i = 0; i < len; i++)
        if (((uint8_t)bytes[i] & 0xC0) != 0x80) chars++;
    constexpr int64_t kData = LANG_ABI_STRING_DATA;
    uint8_t* buf = static_cast<uint8_t*>(m.arena.alloc(kData + len + 1, 8));
    put64(buf + LANG_ABI_STRING_REFCOUNT, -1);
    put64(buf + LANG_ABI_STRING_BYTE_LENGTH, len);
    put64(buf + LANG_ABI_STRING_LENGTH, chars);
    memcpy(buf + kData, bytes, len);
    buf[kData + len] = 0;
    const char* name = rodata_global("str", nstr_++, buf, kData + len + 1, 8);
    strings_.emplace(std::string_view(reinterpret_cast<const char*>(buf + kData), len), name);
    return name;
}

// Array literals with fewer constant elements than this are built with stores only.
constexpr uint32_t kArrayDataMin = 16;

const char* Lowerer::array_data_global(const uint8_t* bytes, uint64_t size) {
    return rodata_global("arr", narr_++, bytes, size, 16);
}

// When e is a constant that an array of element type et stores as plain bytes, writes
// them (et->size bytes, what store_typed would store: see expr() for the literals) to
// `out` (when not null) and returns true.
bool Lowerer::const_elem(Expr* e, const Type* et, uint8_t* out) {
    if (!e || e->type != et || !(et->is_integer() || et->is_float() || et->kind == TypeKind::Bool ||
                                 et->kind == TypeKind::Char))
        return false;
    Ty t = ty(et);
    int64_t iv = 0;
    double fv = 0;
    bool is_f = ir::is_float(t);
    Expr* x = e;
    bool neg = false;
    if (x->kind == ExprKind::Unary && static_cast<UnaryExpr*>(x)->op == UnOp::Neg) {
        neg = true;
        x = static_cast<UnaryExpr*>(x)->operand;
        if (!x || (x->kind != ExprKind::IntLit && x->kind != ExprKind::FloatLit)) return false;
    }
    switch (x->kind) {
    case ExprKind::IntLit: {
        uint64_t v = as<IntLitExpr>(x)->value;
        if (is_f) {
            if (neg) return false; // (lowered as an fneg of a converted value: not folded here)
            fv = (double)v;
        } else {
            iv = neg ? -(int64_t)v : (int64_t)v;
        }
        break;
    }
    case ExprKind::FloatLit:
        if (!is_f) return false;
        fv = as<FloatLitExpr>(x)->value;
        if (t == Ty::F32) fv = (double)(float)fv;
        break;
    case ExprKind::CharLit: iv = as<CharLitExpr>(x)->value; break;
    case ExprKind::BoolLit: iv = as<BoolLitExpr>(x)->value ? 1 : 0; break;
    case ExprKind::Cast: {
        // An integer constant given a float type (`let xs: double[] = [1, -2, ...]`):
        // sitof of a signed 64-bit constant.
        Expr* o = static_cast<CastExpr*>(x)->operand;
        if (neg || !is_f || !o || !o->type || o->type->kind != TypeKind::I64) return false;
        bool oneg = false;
        if (o->kind == ExprKind::Unary && static_cast<UnaryExpr*>(o)->op == UnOp::Neg)
            oneg = true, o = static_cast<UnaryExpr*>(o)->operand;
        if (!o || o->kind != ExprKind::IntLit) return false;
        uint64_t v = as<IntLitExpr>(o)->value;
        int64_t s = oneg ? -(int64_t)v : (int64_t)v;
        if (t == Ty::F32) {
            float f = (float)s;
            if (out) memcpy(out, &f, 4);
        } else {
            double d = (double)s;
            if (out) memcpy(out, &d, 8);
        }
        return true;
    }
    default: return false;
    }
    if (!out) return true;
    if (is_f) {
        if (t == Ty::F32) {
            float f = (float)fv;
            if (neg) f = -f;
            memcpy(out, &f, 4);
        } else {
            if (neg) fv = -fv;
            memcpy(out, &fv, 8);
        }
    } else {
        memcpy(out, &iv, (size_t)et->size); // little-endian: the low bytes
    }
    return true;
}

Inst* Lowerer::array_lit(ArrayLitExpr* ae) {
    const Type* et = ae->type->elem;
    uint32_t n = ae->elems.size;
    uint32_t nconst = 0;
    if (n >= kArrayDataMin && et->size > 0 && et->size <= 8)
        for (Expr* x : ae->elems) nconst += const_elem(x, et, nullptr);
    if (nconst < kArrayDataMin) {
        use_extern("lang_array_new");
        Inst* arr = gc_array(call("lang_array_new", Ty::Ptr, {ctx, iconst(Ty::I64, n), iconst(Ty::I64, et->size)}), et);
        own_value(arr, ae->type); // (before the elements: one whose `try` propagates drops what is stored so far)
        for (uint32_t i = 0; i < n; i++) {
            Inst* v = expr(ae->elems[i]);
            store_typed(et, arr, LANG_ABI_ARRAY_DATA + (int64_t)i * et->size, v);
        }
        return own_value(arr, ae->type); // lower_drop.cpp
    }
    uint64_t size = (uint64_t)n * et->size;
    uint8_t* bytes = static_cast<uint8_t*>(m.arena.alloc(size, 16));
    memset(bytes, 0, size);
    for (uint32_t i = 0; i < n; i++) const_elem(ae->elems[i], et, bytes + (uint64_t)i * et->size);
    Inst* data = emit(Op::addr, Ty::Ptr);
    data->sym = array_data_global(bytes, size);
    use_extern("lang_array_from_data");
    Inst* arr = gc_array(call("lang_array_from_data", Ty::Ptr, {ctx, iconst(Ty::I64, n), iconst(Ty::I64, et->size), data}), et);
    for (uint32_t i = 0; i < n; i++) {
        if (const_elem(ae->elems[i], et, nullptr)) continue;
        Inst* v = expr(ae->elems[i]);
        store_typed(et, arr, LANG_ABI_ARRAY_DATA + (int64_t)i * et->size, v);
    }
    return own_value(arr, ae->type);
}

const char* Lowerer::cstring_global(const char* bytes, uint32_t len) {
    std::string_view key(bytes, len);
    auto it = cstrings_.find(key);
    if (it != cstrings_.end()) return it->second;
    uint8_t* buf = static_cast<uint8_t*>(m.arena.alloc(len + 1, 1));
    memcpy(buf, bytes, len);
    buf[len] = 0;
    const char* name = rodata_global("cstr", nstr_++, buf, len + 1, 1);
    cstrings_.emplace(std::string_view(reinterpret_cast<const char*>(buf), len), name);
    return name;
}

const char* Lowerer::typeinfo(TypeDecl* td) {
    auto it = typeinfos_.find(td);
    if (it != typeinfos_.end()) return it->second;
    auto nit = type_names_.find(td);
    std::string name = nit != type_names_.end() ? nit->second : std::string(td->name.view());
    name += ".$type";
    const char* s = m.arena.copy_str(name.data(), name.size());
    typeinfos_.emplace(td, s);
    return s;
}

TypeDecl* Lowerer::base_class(TypeDecl* td) {
    for (TypeExpr* b : td->bases)
        if (b && b->resolved && b->resolved->kind == TypeKind::Class && b->resolved->decl) return b->resolved->decl;
    return nullptr;
}

FuncDecl* Lowerer::implicit_base_ctor(TypeDecl* td) {
    for (TypeDecl* b = base_class(td); b; b = base_class(b)) {
        bool any = false;
        for (Decl* d : b->members) {
            if (!d || d->kind != DeclKind::Func || as<FuncDecl>(d)->fkind != FuncKind::Constructor) continue;
            any = true;
            if (as<FuncDecl>(d)->params.size == 0) return as<FuncDecl>(d);
        }
        if (any) return nullptr;
    }
    return nullptr;
}

static bool same_signature(FuncDecl* a, FuncDecl* b) {
    if (a->name != b->name || a->params.size != b->params.size) return false;
    for (uint32_t i = 0; i < a->params.size; i++)
        if (a->params[i]->type != b->params[i]->type) return false;
    return true;
}

// Slots: the base class's slots first (an override takes over the slot of the method it
// overrides), then this class's new virtual/abstract methods in declaration order.
const std::vector<FuncDecl*>& Lowerer::vtable(TypeDecl* td) {
    auto it = vtables_.find(td);
    if (it != vtables_.end()) return it->second;
    std::vector<FuncDecl*> slots;
    vtables_[td]; // breaks cycles on bad input
    if (TypeDecl* base = base_class(td)) slots = vtable(base);
    else slots.push_back(nullptr); // slot 0: the class's clone function (lower_clone.cpp)
    for (Decl* d : td->members) {
        if (d->kind != DeclKind::Func) continue;
        auto* fd = as<FuncDecl>(d);
        if (!is_virtual(fd) || (fd->mods & M_STATIC)) continue;
        uint32_t slot = UINT32_MAX;
        if (fd->mods & M_OVERRIDE)
            for (uint32_t k = 0; k < slots.size(); k++)
                if (slots[k] && same_signature(slots[k], fd)) slot = k;
        if (slot == UINT32_MAX) {
            slot = (uint32_t)slots.size();
            slots.push_back(nullptr);
        }
        slots[slot] = fd; // abstract ones too (no body: the slot is emitted as 0)
        vslot_[fd] = slot;
    }
    std::vector<FuncDecl*>& v = vtables_[td];
    v = std::move(slots);
    return v;
}

void Lowerer::interfaces_of(TypeDecl* td, std::vector<TypeDecl*>& out) {
    for (TypeExpr* b : td->bases) {
        if (!b || !b->resolved || !b->resolved->decl) continue;
        TypeDecl* bd = b->resolved->decl;
        if (b->resolved->kind == TypeKind::Interface) {
            bool seen = false;
            for (TypeDecl* x : out) seen |= x == bd;
            if (seen) continue; // already with the interfaces it extends
            out.push_back(bd);
            interfaces_of(bd, out); // interfaces extending interfaces
        } else if (b->resolved->kind == TypeKind::Class) {
            interfaces_of(bd, out);
        }
    }
}

uint32_t Lowerer::islot(FuncDecl* fd) {
    uint32_t k = 0;
    if (fd->parent && fd->parent->kind == DeclKind::Type)
        for (Decl* d : as<TypeDecl>(fd->parent)->members) {
            if (d->kind != DeclKind::Func || (d->mods & M_STATIC)) continue;
            if (d == fd) return k;
            k++;
        }
    return 0;
}

// One method table per implemented interface ("C.$itable.I"), then the pair array
// "C.$ifaces". Implementations are found by name and parameter types, walking up the
// class chain; an interface's default method fills the gap.
const char* Lowerer::emit_itables(TypeDecl* td, int64_t* count) {
    std::vector<TypeDecl*> ifs;
    interfaces_of(td, ifs);
    *count = (int64_t)ifs.size();
    if (ifs.empty()) return nullptr;
    auto global = [&](const std::string& name) {
        ir::Global* g = m.arena.make<ir::Global>();
        g->name = m.arena.copy_str(name.data(), name.size());
        g->section = ir::Section::Data;
        g->align = 8;
        m.globals.push(m.arena, g);
        return g;
    };
    auto item = [&](ir::Global* g, const char* sym) {
        ir::DataItem d;
        d.kind = sym ? ir::DataItem::SymAddr : ir::DataItem::Zero;
        d.sym = sym;
        d.size = 8;
        g->items.push(m.arena, d);
    };
    const std::string& cn = type_names_[td];
    std::vector<const char*> tables;
    for (TypeDecl* iface : ifs) {
        ir::Global* t = global(cn + ".$itable." + type_names_[iface]);
        for (Decl* d : iface->members) {
            if (d->kind != DeclKind::Func || (d->mods & M_STATIC)) continue;
            auto* im = as<FuncDecl>(d);
            FuncDecl* impl = nullptr;
            for (TypeDecl* c = td; c && !impl; c = base_class(c))
                for (Decl* cd : c->members)
                    if (cd->kind == DeclKind::Func && !(cd->mods & M_STATIC) && (as<FuncDecl>(cd)->body || as<FuncDecl>(cd)->body_expr) &&
                        same_signature(as<FuncDecl>(cd), im)) {
                        impl = as<FuncDecl>(cd);
                        break;
                    }
            if (!impl && (im->body || im->body_expr)) impl = im;
            bool thunk = impl && td->tkind == TypeDeclKind::Struct && impl->parent == td; // lower_box.cpp
            item(t, impl ? (thunk ? box_thunk_symbol(impl) : func_symbol(impl)) : nullptr);
        }
        if (!t->items.size) item(t, nullptr);
        tables.push_back(t->name);
    }
    ir::Global* pairs = global(cn + ".$ifaces");
    for (size_t i = 0; i < ifs.size(); i++) {
        item(pairs, typeinfo(ifs[i]));
        item(pairs, tables[i]);
    }
    return pairs->name;
}

// The LangTypeInfo of a declared type (record layout: lower_reflect.cpp, rt/lang_rt.h);
// a class's virtual method table follows it.
void Lowerer::emit_typeinfo(TypeDecl* td) {
    TypeRecord r;
    r.kind = type_kind_code(td->type);
    r.flags = td->is_gc ? (uint32_t)LANG_TF_GC : gc_class_flags(td);
    r.name = type_names_[td];
    r.align = 8;
    if (td->tkind == TypeDeclKind::Class) {
        r.size = instance_size(td);
    } else if (td->type) {
        r.size = td->type->size;
        r.align = td->type->align;
    }
    for (TypeExpr* b : td->bases)
        if (b->resolved && b->resolved->kind == TypeKind::Class && b->resolved->decl)
            r.base = typeinfo(b->resolved->decl);
    if (td->tkind == TypeDeclKind::Class || boxed_set_.count(td)) r.ifaces = emit_itables(td, &r.nifaces);
    r.drop = drop_hook(td); // lower_drop.cpp
    decl_tables(td, r);

    ir::Global* g = m.arena.make<ir::Global>();
    g->name = typeinfo(td);
    g->section = ir::Section::Data; // holds addresses: relocated at load time
    g->align = 8;
    g->is_public = true;
    emit_type_record(g, r);
    uint32_t nrecord = g->items.size;
    if (td->tkind == TypeDeclKind::Class || boxed_set_.count(td))
        for (FuncDecl* fd : td->tkind == TypeDeclKind::Class ? vtable(td) : std::vector<FuncDecl*>{nullptr}) {
            ir::DataItem d;
            const char* sym = fd && (fd->body || fd->body_expr) ? func_symbol(fd) : nullptr;
            if (g->items.size == nrecord) sym = clone_slot(td); // slot 0 (a boxed struct: its only one)
            d.kind = sym ? ir::DataItem::SymAddr : ir::DataItem::Zero;
            d.sym = sym;
            d.size = 8;
            g->items.push(m.arena, d);
        }
    m.globals.push(m.arena, g);
}

} // namespace lang::lower
