// lower_clone.cpp: the builtin `x.Clone()` (sema/clone.cpp checks it; spec 6, "Clone").
//
// A value whose type holds nothing owned (a copy type) is copied: an aggregate into a
// fresh slot with its strings retained, a string retained. Everything else goes through
// one clone function per type, made after the program's functions (emit_clone_fns):
//   "C.$clone"        (ctx, C obj) -> C      a class: a new object from the context's
//                                            allocator, each field cloned or copied; or
//                                            its own Clone(); a gc class: obj itself
//                                            (a struct with its own Clone(): that method)
//   "S.$clone.boxed"  (ctx, box) -> box      a struct boxed as an interface value
//   "$clone.N"        (ctx, T[] / T?) -> ptr an array (a new array, elements cloned) or
//                                            a nullable reference (null stays null)
//   "$clone.N"        (ctx, res, src)        a struct, tuple, value T? or payload enum,
//                                            written to res (the aggregate result convention)
// A class or interface value is cloned for its run-time type: slot 0 of every class's
// vtable (and the word after a boxed struct's type info) holds its clone function (0 for
// a class nothing clones; lower_data.cpp reserves the slot). Cloning a class or interface
// value makes the clone functions of every class it may be at run time. A class without
// subclasses is cloned by a direct call. Strings are retained everywhere (payload enums
// and value nullables too, as in retain_parts, lower_own.cpp); a boxed recursive-enum
// payload gets a new box.
#include "ir/lower_impl.h"

namespace lang::lower {

// The Clone() a struct declares (no parameters, with a body), or null.
static FuncDecl* struct_clone(const Type* t) {
    if (t->kind != TypeKind::Struct || !t->decl) return nullptr;
    for (Decl* d : t->decl->members)
        if (d && d->kind == DeclKind::Func && d->name == "Clone" && !(d->mods & M_STATIC) &&
            as<FuncDecl>(d)->params.size == 0 && (as<FuncDecl>(d)->body || as<FuncDecl>(d)->body_expr))
            return as<FuncDecl>(d);
    return nullptr;
}

// Whether a value of t owns something a clone must copy (not just its bits and strings),
// or has a Clone() of its own to run.
static bool deep(const Type* t, int depth = 0) {
    if (!t || depth > 64) return false;
    switch (t->kind) {
    case TypeKind::Array: case TypeKind::Interface: return true;
    case TypeKind::Class: return !(t->decl && t->decl->is_gc);
    case TypeKind::Nullable: return deep(t->elem, depth + 1);
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++)
            if (deep(t->elems[i], depth + 1)) return true;
        return false;
    case TypeKind::Struct:
        if (!t->decl) return false;
        if (struct_clone(t)) return true;
        for (Decl* d : t->decl->members)
            if (d && d->kind == DeclKind::Field && !(d->mods & M_STATIC) && deep(d->type, depth + 1)) return true;
        return false;
    case TypeKind::Enum:
        if (!t->decl || t->is_c_like_enum()) return false;
        for (Decl* m : t->decl->members) {
            if (!m || m->kind != DeclKind::EnumCase) continue;
            for (ParamDecl* p : as<EnumCaseDecl>(m)->payload)
                if (p && (p->boxed || (p->type != t && deep(p->type, depth + 1)))) return true;
        }
        return false;
    default: return false;
    }
}

// The Clone() a class, struct or interface declares or inherits (no parameters), or null.
static FuncDecl* own_clone(Lowerer& L, TypeDecl* td) {
    auto match = [](Decl* d) {
        return d && d->kind == DeclKind::Func && d->name == "Clone" && !(d->mods & M_STATIC) &&
               as<FuncDecl>(d)->params.size == 0 && as<FuncDecl>(d)->type_params.empty();
    };
    for (TypeDecl* c = td; c; c = Lowerer::base_class(c))
        for (Decl* d : c->members)
            if (match(d)) return as<FuncDecl>(d);
    std::vector<TypeDecl*> ifs;
    L.interfaces_of(td, ifs);
    for (TypeDecl* i : ifs)
        for (Decl* d : i->members)
            if (match(d)) return as<FuncDecl>(d);
    return nullptr;
}

static bool derives_from(TypeDecl* d, TypeDecl* base) {
    for (TypeDecl* c = Lowerer::base_class(d); c; c = Lowerer::base_class(c))
        if (c == base) return true;
    return false;
}

static bool implements(Lowerer& L, TypeDecl* d, TypeDecl* iface) {
    std::vector<TypeDecl*> ifs;
    L.interfaces_of(d, ifs);
    for (TypeDecl* i : ifs)
        if (i == iface) return true;
    return false;
}

// recv.fd() for a user Clone(): through the interface table or the vtable when it is an
// interface or virtual method, like a written call.
Inst* Lowerer::call_user_clone(FuncDecl* fd, Inst* recv) {
    auto* owner = fd->parent && fd->parent->kind == DeclKind::Type ? as<TypeDecl>(fd->parent) : nullptr;
    Inst* fp = nullptr;
    if (owner && owner->tkind == TypeDeclKind::Interface) {
        fp = interface_fn(recv, fd);
    } else if (owner && owner->tkind == TypeDeclKind::Class && is_virtual(fd)) {
        vtable(owner);
        auto it = vslot_.find(fd);
        uint32_t slot = it != vslot_.end() ? it->second : 0;
        fp = load(Ty::Ptr, load(Ty::Ptr, recv, LANG_ABI_OBJ_TYPE), LANG_ABI_TYPEINFO_SIZE + 8 * (int64_t)slot);
    }
    if (!fp) return call_v(func_symbol(fd), Ty::Ptr, {ctx, recv});
    Inst* r = mk(Op::callind, Ty::Ptr);
    r->args.push(m.body(), fp);
    r->args.push(m.body(), ctx);
    r->args.push(m.body(), recv);
    ir::append(m, ensure(), r);
    return r;
}

const char* Lowerer::clone_fn(const Type* t) {
    auto it = clone_syms_.find(t);
    if (it != clone_syms_.end()) return it->second;
    std::string name = (t->kind == TypeKind::Class && t->decl) ? type_names_[t->decl] + ".$clone"
                                                               : "$clone." + std::to_string(clone_syms_.size());
    const char* sym = m.arena.copy_str(name.data(), name.size());
    clone_syms_[t] = sym;
    clone_todo_.push_back(t);
    return sym;
}

// The clone of a class or interface value, for its run-time type: slot 0 of the vtable
// (or of the word after a boxed struct's type info).
Inst* Lowerer::clone_dispatch(Inst* v) {
    Inst* fp = load(Ty::Ptr, load(Ty::Ptr, v, LANG_ABI_OBJ_TYPE), LANG_ABI_TYPEINFO_SIZE);
    Inst* r = mk(Op::callind, Ty::Ptr);
    r->args.push(m.body(), fp);
    r->args.push(m.body(), ctx);
    r->args.push(m.body(), v);
    ir::append(m, ensure(), r);
    return r;
}

// A clone of v, a non-null reference of type t (class, interface, array, T? of those).
Inst* Lowerer::clone_ref(Inst* v, const Type* t) {
    if (t->kind == TypeKind::Class || t->kind == TypeKind::Interface) {
        TypeDecl* td = t->decl;
        if (FuncDecl* fd = own_clone(*this, td)) return call_user_clone(fd, v);
        bool dispatch = t->kind == TypeKind::Interface;
        for (TypeDecl* d : types_) {
            if (d == td || d->tkind != TypeDeclKind::Class) continue;
            if (t->kind == TypeKind::Interface ? implements(*this, d, td) : derives_from(d, td)) {
                dispatch = true;
                clone_fn(d->type);
            }
        }
        if (t->kind == TypeKind::Interface) {
            if (clone_ifaces_.insert(td).second) clone_todo_.push_back(t); // its boxed structs, at the end
            return clone_dispatch(v);
        }
        const char* sym = clone_fn(t);
        return dispatch ? clone_dispatch(v) : call(sym, Ty::Ptr, {ctx, v});
    }
    return call(clone_fn(t), Ty::Ptr, {ctx, v});
}

Inst* Lowerer::clone_value(Inst* v, const Type* t) {
    if (!deep(t)) {
        if (is_agg(t)) {
            Inst* r = materialize(t, v);
            retain_parts(t, r, 0);
            return r;
        }
        if (is_counted(t)) {
            retain(v, t);
            return own(v, t);
        }
        return v; // numbers, gc class references: the value itself
    }
    if (is_agg(t)) {
        Inst* res = slot_for(t);
        call(clone_fn(t), Ty::Void, {ctx, res, v});
        return res;
    }
    return clone_ref(v, t);
}

Inst* Lowerer::clone_call(CallExpr* e, Inst* recv) {
    Expr* obj = as<MemberExpr>(e->callee)->object;
    const Type* ot = obj->type;
    if (recv && ot->kind == TypeKind::Nullable) ot = ot->elem; // x?.Clone(): recv is the non-null x
    Inst* v = recv ? recv : expr(obj);
    if (is_str(ot)) { // s.Clone(): new bytes from the current allocator (out of an arena)
        use_extern("lang_str_substring");
        return own(call("lang_str_substring", Ty::Ptr,
                        {ctx, v, iconst(Ty::I64, 0), load(Ty::I64, v, LANG_ABI_STRING_LENGTH)}));
    }
    return clone_value(v, ot);
}

// dst+doff = a clone of the t at src+soff. Strings are retained when `counted`.
void Lowerer::clone_into(const Type* t, Inst* dst, int64_t doff, Inst* src, int64_t soff, bool counted) {
    if (!deep(t)) {
        if (is_agg(t)) {
            memcpy_(ptr_add(dst, doff), ptr_add(src, soff), t->size);
            if (counted) retain_parts(t, dst, doff);
            return;
        }
        Inst* v = load(ty(t), src, soff);
        if (counted && is_counted(t)) retain(v, t);
        store(ty(t), dst, doff, v);
        return;
    }
    if (is_agg(t)) {
        call(clone_fn(t), Ty::Void, {ctx, ptr_add(dst, doff), ptr_add(src, soff)});
        return;
    }
    store(Ty::Ptr, dst, doff, clone_ref(load(Ty::Ptr, src, soff), t));
}

// ---------------------------------------------------------------------------
// The clone functions

void Lowerer::clone_begin(const char* sym, Ty ret, TypeDecl* td) {
    ir::Func* fn = ir::new_func(m, sym);
    fn->source_file = td ? c.sources.file(td->span.file).path.c_str() : file_path;
    fdecl = nullptr;
    begin_func(fn);
    file_id = td ? td->span.file : 0;
    line = 0;
    ctx = add_param(Ty::Ptr);
    fn->has_ctx = true;
    fn->ret = ret;
}

// Fields in layout order, base class first.
static void instance_fields(TypeDecl* td, std::vector<FieldDecl*>& out) {
    std::vector<TypeDecl*> chain;
    for (TypeDecl* x = td; x; x = Lowerer::base_class(x)) chain.push_back(x);
    for (size_t k = chain.size(); k-- > 0;)
        for (Decl* d : chain[k]->members)
            if (d->kind == DeclKind::Field && !(d->mods & M_STATIC) && d->type) out.push_back(as<FieldDecl>(d));
}

void Lowerer::clone_class_fn(const Type* t, const char* sym) {
    TypeDecl* td = t->decl;
    clone_begin(sym, Ty::Ptr, td);
    Inst* src = add_param(Ty::Ptr);
    if (td->is_gc) { // a gc class reference is copied
        ret(src);
        finish_func();
        return;
    }
    FuncDecl* own = own_clone(*this, td);
    if (own && (own->body || own->body_expr)) { // the run-time class's own Clone()
        ret(call_v(func_symbol(own), Ty::Ptr, {ctx, src}));
        finish_func();
        return;
    }
    use_extern("lang_obj_new");
    Inst* ti = emit(Op::addr, Ty::Ptr);
    ti->sym = typeinfo(td);
    Inst* obj = call("lang_obj_new", Ty::Ptr, {ctx, ti, iconst(Ty::I64, instance_size(td))});
    std::vector<FieldDecl*> fs;
    instance_fields(td, fs);
    for (FieldDecl* fd : fs) clone_into(fd->type, obj, fd->offset, src, fd->offset, true);
    ret(obj);
    finish_func();
}

void Lowerer::clone_boxed_fn(TypeDecl* sd, const char* sym) {
    clone_begin(sym, Ty::Ptr, sd);
    Inst* src = add_param(Ty::Ptr);
    use_extern("lang_obj_new");
    Inst* ti = emit(Op::addr, Ty::Ptr);
    ti->sym = typeinfo(sd);
    const Type* st = sd->type;
    Inst* obj = call("lang_obj_new", Ty::Ptr,
                     {ctx, ti, iconst(Ty::I64, (LANG_ABI_OBJ_HEADER_SIZE + (int64_t)st->size + 7) / 8 * 8)});
    clone_into(st, obj, LANG_ABI_OBJ_HEADER_SIZE, src, LANG_ABI_OBJ_HEADER_SIZE, true);
    ret(obj);
    finish_func();
}

// An array: a new array of the same length, each element cloned (copied in one piece
// when the elements own nothing).
void Lowerer::clone_array_fn(const Type* t, const char* sym) {
    const Type* et = t->elem;
    clone_begin(sym, Ty::Ptr, nullptr);
    Inst* src = add_param(Ty::Ptr);
    Inst* n = load(Ty::I64, src, LANG_ABI_ARRAY_LENGTH);
    Inst* esz = iconst(Ty::I64, et->size);
    if (!deep(et) && !has_counted(et) && !is_counted(et)) {
        use_extern("lang_array_from_data");
        ret(gc_array(call("lang_array_from_data", Ty::Ptr, {ctx, n, esz, ptr_add(src, LANG_ABI_ARRAY_DATA)}), et));
        finish_func();
        return;
    }
    use_extern("lang_array_new");
    Inst* arr = gc_array(call("lang_array_new", Ty::Ptr, {ctx, n, esz}), et);
    count_loop(n, [&](Inst* i) {
        Inst* da = array_elem_addr(arr, i, et, false);
        Inst* sa = array_elem_addr(src, i, et, false);
        clone_into(et, da, LANG_ABI_ARRAY_DATA, sa, LANG_ABI_ARRAY_DATA, true);
    });
    ret(arr);
    finish_func();
}

// A nullable reference: null stays null.
void Lowerer::clone_nullable_ref_fn(const Type* t, const char* sym) {
    clone_begin(sym, Ty::Ptr, nullptr);
    Inst* src = add_param(Ty::Ptr);
    Block* null_b = mk_block();
    Block* some = mk_block();
    br(is_null(src, t), null_b, some);
    seal(null_b);
    seal(some);
    enter(null_b);
    ret(iconst(Ty::Ptr, 0));
    enter(some);
    ret(clone_ref(src, t->elem));
    finish_func();
}

// Structs, tuples, value nullables and payload enums: (ctx, res, src).
void Lowerer::clone_agg_fn(const Type* t, const char* sym) {
    TypeDecl* td = (t->kind == TypeKind::Struct || t->kind == TypeKind::Enum) ? t->decl : nullptr;
    clone_begin(sym, Ty::Void, td);
    Inst* res = add_param(Ty::Ptr);
    Inst* src = add_param(Ty::Ptr);
    switch (t->kind) {
    case TypeKind::Struct: {
        if (FuncDecl* own = struct_clone(t)) { // its own Clone(): `this` is src, the result goes to res
            call_v(func_symbol(own), Ty::Void, {ctx, res, src});
            break;
        }
        std::vector<FieldDecl*> fs;
        instance_fields(td, fs);
        for (FieldDecl* fd : fs) clone_into(fd->type, res, fd->offset, src, fd->offset, true);
        break;
    }
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++) {
            int64_t off = tuple_offset(t, i);
            clone_into(t->elems[i], res, off, src, off, true);
        }
        break;
    case TypeKind::Nullable: {
        memcpy_(res, src, t->size); // the flag (and the bytes of a null value)
        Block* some = mk_block();
        Block* done = mk_block();
        br(is_null(src, t), done, some);
        seal(some);
        enter(some);
        clone_into(t->elem, res, 0, src, 0, true);
        jmp(done);
        seal(done);
        enter(done);
        break;
    }
    case TypeKind::Enum: {
        memcpy_(res, src, t->size); // the tag and the parts that own nothing
        int64_t tag_size, payload_off;
        enum_layout(t, &tag_size, &payload_off);
        Ty tt = tag_size == 1 ? Ty::I8 : tag_size == 2 ? Ty::I16 : tag_size == 8 ? Ty::I64 : Ty::I32;
        Inst* tag = load(tt, src, 0);
        for (Decl* d : td->members) {
            if (d->kind != DeclKind::EnumCase) continue;
            auto* ec = as<EnumCaseDecl>(d);
            bool any = false;
            for (ParamDecl* p : ec->payload) any |= p->boxed || deep(p->type) || has_counted(p->type);
            if (!any) continue;
            Block* hit = mk_block();
            Block* next = mk_block();
            Inst* is = emit(Op::eq, Ty::I8, tag, iconst(tt, ec->tag));
            is->cty = tt;
            br(is, hit, next);
            seal(hit);
            enter(hit);
            for (uint32_t j = 0; j < ec->payload.size; j++) {
                ParamDecl* p = ec->payload[j];
                int64_t off = payload_field_offset(ec, j, payload_off);
                if (p->boxed) { // a new box holding a clone of the old box's value
                    Inst* box = new_box(p->type); // lower_recenum.cpp
                    clone_into(p->type, box, 0, load(Ty::Ptr, src, off), 0, true);
                    store(Ty::Ptr, res, off, box);
                } else if (deep(p->type)) {
                    clone_into(p->type, res, off, src, off, false);
                } else if (has_counted(p->type)) {
                    retain_parts(p->type, res, off); // the copy holds its own references
                }
            }
            jmp(next);
            seal(next);
            enter(next);
        }
        break;
    }
    default: unsupported(Span{}, "cloning a value of this type"); break;
    }
    ret(nullptr);
    finish_func();
}

// Makes every clone function asked for so far, and those they ask for in turn.
void Lowerer::emit_clone_fns() {
    for (;;) {
        if (clone_todo_.empty()) {
            // Structs boxed as a cloned interface: their box's clone, for the dispatch.
            size_t before = boxed_clone_syms_.size();
            for (TypeDecl* sd : boxed_)
                for (const TypeDecl* iface : clone_ifaces_)
                    if (!boxed_clone_syms_.count(sd) && implements(*this, sd, const_cast<TypeDecl*>(iface))) {
                        std::string name = type_names_[sd] + ".$clone.boxed";
                        const char* sym = m.arena.copy_str(name.data(), name.size());
                        boxed_clone_syms_[sd] = sym;
                        clone_boxed_fn(sd, sym);
                    }
            if (clone_todo_.empty() && boxed_clone_syms_.size() == before) return;
            continue;
        }
        const Type* t = clone_todo_.back();
        clone_todo_.pop_back();
        if (t->kind == TypeKind::Interface) continue; // handled above
        const char* sym = clone_syms_[t];
        switch (t->kind) {
        case TypeKind::Class: clone_class_fn(t, sym); break;
        case TypeKind::Array: clone_array_fn(t, sym); break;
        case TypeKind::Nullable:
            if (t->elem->is_pointer_like()) {
                clone_nullable_ref_fn(t, sym);
                break;
            }
            clone_agg_fn(t, sym);
            break;
        default: clone_agg_fn(t, sym); break;
        }
    }
}

// Slot 0 of td's vtable, or the word after a boxed struct's type info: its clone function.
const char* Lowerer::clone_slot(TypeDecl* td) {
    if (td->tkind == TypeDeclKind::Struct) {
        auto it = boxed_clone_syms_.find(td);
        return it != boxed_clone_syms_.end() ? it->second : nullptr;
    }
    auto it = clone_syms_.find(td->type);
    return it != clone_syms_.end() ? it->second : nullptr;
}

} // namespace lang::lower
