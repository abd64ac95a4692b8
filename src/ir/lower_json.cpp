// lower_json.cpp: Json.Serialize(v) and Json.Deserialize<T>(text) (spec 10.10; sema/json.cpp
// checks the calls and the types).
//
// Like serde, the work is done by code made for each type at compile time, over the
// runtime's primitives (src/rt/json_write.c, json_read.c), not by a walk of type tables at run time. A scalar
// or string is written or read inline by one runtime call; every other type gets a
// function, made after the program's functions (emit_json_fns):
//   "$json.w.N"(ctx, LangJsonW* w, T v)    appends v's JSON (aggregates by address)
//   "$json.r.N"(ctx, LangJsonR* r, T* dst) reads a T into dst
// A reader starts from a zeroed destination that holds the type's zero value and leaves
// behind a value that can be dropped even when the input was bad halfway: every object,
// array and string it makes is stored into its place right away, and after the first
// error the runtime's primitives read nothing more (they return zero values), so loops
// end. Json.Deserialize drops that partial value and fails with the reader's JsonError.
//
// Forms: structs and classes are objects with their instance fields in declaration order
// (a class's base class fields first; a null reference is written as null); T[], List<T>
// and tuples are arrays; Dict<string, V> is an object; T? is null or the value; a C-like
// enum is its member's name; a char is a one-character string. A class value is written
// by its static type. A reader makes a class object zeroed, without running a constructor
// or field initializers (fields missing from the input keep the zero value; a field of a
// type without one, spec 3.1, must be there); a List<T> gets
// its items array and count set directly (List.lang's fields), a Dict<string, V> is made by
// its constructor and filled through set_Item.
#include "ir/lower_impl.h"
#include "sema/prelude.h"

namespace lang::lower {

namespace {
// Instance fields in layout order, base class first.
void json_fields(TypeDecl* td, std::vector<FieldDecl*>& out) {
    std::vector<TypeDecl*> chain;
    for (TypeDecl* x = td; x; x = Lowerer::base_class(x)) chain.push_back(x);
    for (size_t k = chain.size(); k-- > 0;)
        for (Decl* d : chain[k]->members)
            if (d->kind == DeclKind::Field && !(d->mods & M_STATIC) && d->type) out.push_back(as<FieldDecl>(d));
}

// An enum's member names, '\n'-separated, in declaration order.
std::string enum_names(const Type* t, std::vector<EnumCaseDecl*>& cases) {
    std::string names;
    for (Decl* d : t->decl->members)
        if (d && d->kind == DeclKind::EnumCase) {
            if (!cases.empty()) names += '\n';
            names += d->name.view();
            cases.push_back(as<EnumCaseDecl>(d));
        }
    return names;
}
} // namespace

Inst* Lowerer::json_text(const std::string& s) {
    Inst* a = emit(Op::addr, Ty::Ptr);
    a->sym = cstring_global(s.data(), (uint32_t)s.size());
    return a;
}

Inst* Lowerer::json_rt(const char* sym, Ty rt, std::initializer_list<Inst*> args) {
    use_extern(sym);
    return call(sym, rt, args);
}

const char* Lowerer::json_fn(const Type* t, bool reader) {
    auto& syms = reader ? json_r_syms_ : json_w_syms_;
    auto it = syms.find(t);
    if (it != syms.end()) return it->second;
    std::string name = (reader ? "$json.r." : "$json.w.") + std::to_string(syms.size());
    const char* sym = m.arena.copy_str(name.data(), name.size());
    syms[t] = sym;
    json_todo_.push_back({t, reader});
    return sym;
}

// ---------------------------------------------------------------------------
// Writing

void Lowerer::json_write(Inst* w, Inst* v, const Type* t) {
    switch (t->kind) {
    case TypeKind::Bool: json_rt("lang_json_w_bool", Ty::Void, {w, widen64(v, t, false)}); return;
    case TypeKind::I8: case TypeKind::I16: case TypeKind::I32: case TypeKind::I64:
        json_rt("lang_json_w_i64", Ty::Void, {w, widen64(v, t, true)});
        return;
    case TypeKind::U8: case TypeKind::U16: case TypeKind::U32: case TypeKind::U64:
        json_rt("lang_json_w_u64", Ty::Void, {w, widen64(v, t, false)});
        return;
    case TypeKind::Char: json_rt("lang_json_w_char", Ty::Void, {w, widen64(v, t, false)}); return;
    case TypeKind::F64: json_rt("lang_json_w_f64", Ty::Void, {w, v}); return;
    case TypeKind::F32: json_rt("lang_json_w_f32", Ty::Void, {w, v}); return;
    case TypeKind::String: json_rt("lang_json_w_str", Ty::Void, {w, v}); return;
    case TypeKind::Enum:
        if (t->is_c_like_enum()) {
            std::vector<EnumCaseDecl*> cases;
            std::string names = enum_names(t, cases);
            Ty it = ty(t);
            Inst* idx = iconst(Ty::I64, -1);
            for (size_t k = cases.size(); k-- > 0;) { // the first member of a value wins
                Inst* is = emit(Op::eq, Ty::I8, v, iconst(it, cases[k]->tag));
                is->cty = it;
                Inst* sel = emit(Op::select, Ty::I64, is, iconst(Ty::I64, (int64_t)k));
                sel->args.push(m.body(), idx);
                idx = sel;
            }
            json_rt("lang_json_w_enum", Ty::Void, {w, idx, json_text(names), widen64(v, t, true)});
            return;
        }
        break;
    default: break;
    }
    call(json_fn(t, false), Ty::Void, {ctx, w, v});
}

// The writer function of a type that is not inline.
void Lowerer::json_writer_fn(const Type* t, const char* sym) {
    clone_begin(sym, Ty::Void, (t->kind == TypeKind::Struct || t->kind == TypeKind::Class) ? t->decl : nullptr);
    Inst* w = add_param(Ty::Ptr);
    Inst* v = add_param(is_agg(t) ? Ty::Ptr : ty(t));
    auto text = [&](const std::string& s) { json_rt("lang_json_w_cstr", Ty::Void, {w, json_text(s)}); };
    // if (cond) { yes } else { no }
    auto branch = [&](Inst* cond, const std::function<void()>& yes, const std::function<void()>& no) {
        Block* a = mk_block();
        Block* b = mk_block();
        Block* join = mk_block();
        br(cond, a, b);
        seal(a);
        seal(b);
        enter(a);
        yes();
        jmp(join);
        enter(b);
        no();
        jmp(join);
        seal(join);
        enter(join);
    };
    // [ elements ]: n of them at arr's data
    auto elements = [&](Inst* arr, Inst* n, const Type* et) {
        text("[");
        count_loop(n, [&](Inst* i) {
            json_rt("lang_json_w_sep", Ty::Void, {w, i});
            json_write(w, load_typed(et, array_elem_addr(arr, i, et, false), LANG_ABI_ARRAY_DATA), et);
        });
        text("]");
    };
    switch (t->kind) {
    case TypeKind::Nullable:
        branch(is_null(v, t), [&] { text("null"); }, [&] { json_write(w, nullable_value(v, t), t->elem); });
        break;
    case TypeKind::Array: elements(v, load(Ty::I64, v, LANG_ABI_ARRAY_LENGTH), t->elem); break;
    case TypeKind::Tuple:
        text("[");
        for (uint32_t i = 0; i < t->count; i++) {
            if (i) text(",");
            json_write(w, load_typed(t->elems[i], v, tuple_offset(t, i)), t->elems[i]);
        }
        text("]");
        break;
    case TypeKind::Struct: case TypeKind::Class: {
        TypeDecl* td = t->decl;
        auto body = [&] {
            if (is_json_list(c, t)) {
                FieldDecl* items = json_field(td, "items");
                FieldDecl* count = json_field(td, "count");
                elements(load(Ty::Ptr, v, items->offset), load(Ty::I64, v, count->offset), items->type->elem);
                return;
            }
            if (is_json_dict(c, t)) {
                FieldDecl* slots = json_field(td, "slots");
                FieldDecl* order = json_field(td, "order");
                FieldDecl* used = json_field(td, "used");
                const Type* st = slots->type->elem;
                FieldDecl* key = json_field(st->decl, "key");
                FieldDecl* value = json_field(st->decl, "value");
                Inst* sa = load(Ty::Ptr, v, slots->offset);
                Inst* oa = load(Ty::Ptr, v, order->offset);
                uint32_t written = new_var(Ty::I64);
                def(written, iconst(Ty::I64, 0));
                text("{");
                count_loop(load(Ty::I64, v, used->offset), [&](Inst* i) {
                    const Type* i32 = c.types.prim(TypeKind::I32);
                    Inst* s = widen64(load(Ty::I32, array_elem_addr(oa, i, i32, false), LANG_ABI_ARRAY_DATA), i32, true);
                    Inst* live = emit(Op::sge, Ty::I8, s, iconst(Ty::I64, 0));
                    live->cty = Ty::I64;
                    branch(live, [&] {
                        Inst* k = use(written);
                        json_rt("lang_json_w_sep", Ty::Void, {w, k});
                        Inst* slot = ptr_add(array_elem_addr(sa, s, st, false), LANG_ABI_ARRAY_DATA);
                        json_rt("lang_json_w_str", Ty::Void, {w, load(Ty::Ptr, slot, key->offset)});
                        text(":");
                        json_write(w, load_typed(value->type, slot, value->offset), value->type);
                        def(written, emit(Op::add, Ty::I64, k, iconst(Ty::I64, 1)));
                    }, [] {});
                });
                text("}");
                return;
            }
            std::vector<FieldDecl*> fs;
            json_fields(td, fs);
            std::string key = "{";
            for (FieldDecl* fd : fs) {
                key += '"';
                key += fd->name.view(); // an identifier: nothing to escape
                key += "\":";
                text(key);
                json_write(w, load_typed(fd->type, v, fd->offset), fd->type);
                key = ",";
            }
            text(fs.empty() ? "{}" : "}");
        };
        if (t->kind == TypeKind::Class) branch(is_null(v, t), [&] { text("null"); }, body);
        else body();
        break;
    }
    default: unsupported(Span{}, "writing this type as JSON"); break;
    }
    ret(nullptr);
    finish_func();
}

// ---------------------------------------------------------------------------
// Reading

void Lowerer::json_read(Inst* r, const Type* t, Inst* dst, int64_t off) {
    auto int_of = [&](int64_t lo, int64_t hi) {
        std::string name;
        reflect_name(name, t);
        Inst* v = json_rt("lang_json_r_int", Ty::I64, {r, iconst(Ty::I64, lo), iconst(Ty::I64, hi), json_text(name)});
        Ty it = ty(t);
        if (it != Ty::I64) {
            v = emit(Op::trunc, it, v);
            v->cty = Ty::I64;
        }
        store(it, dst, off, v);
    };
    auto uint_of = [&](uint64_t hi) {
        std::string name;
        reflect_name(name, t);
        Inst* v = json_rt("lang_json_r_uint", Ty::I64, {r, iconst(Ty::I64, (int64_t)hi), json_text(name)});
        Ty it = ty(t);
        if (it != Ty::I64) {
            v = emit(Op::trunc, it, v);
            v->cty = Ty::I64;
        }
        store(it, dst, off, v);
    };
    switch (t->kind) {
    case TypeKind::Bool: {
        Inst* v = emit(Op::trunc, Ty::I8, json_rt("lang_json_r_bool", Ty::I64, {r}));
        v->cty = Ty::I64;
        store(Ty::I8, dst, off, v);
        return;
    }
    case TypeKind::I8: int_of(INT8_MIN, INT8_MAX); return;
    case TypeKind::I16: int_of(INT16_MIN, INT16_MAX); return;
    case TypeKind::I32: int_of(INT32_MIN, INT32_MAX); return;
    case TypeKind::I64: int_of(INT64_MIN, INT64_MAX); return;
    case TypeKind::U8: uint_of(UINT8_MAX); return;
    case TypeKind::U16: uint_of(UINT16_MAX); return;
    case TypeKind::U32: uint_of(UINT32_MAX); return;
    case TypeKind::U64: uint_of(UINT64_MAX); return;
    case TypeKind::Char: {
        Inst* v = emit(Op::trunc, Ty::I32, json_rt("lang_json_r_char", Ty::I64, {r}));
        v->cty = Ty::I64;
        store(Ty::I32, dst, off, v);
        return;
    }
    case TypeKind::F64: store(Ty::F64, dst, off, json_rt("lang_json_r_f64", Ty::F64, {r})); return;
    case TypeKind::F32: store(Ty::F32, dst, off, json_rt("lang_json_r_f32", Ty::F32, {r})); return;
    case TypeKind::String: { // the place held "" or nothing: the new string is its only reference
        Inst* old = load(Ty::Ptr, dst, off);
        store(Ty::Ptr, dst, off, json_rt("lang_json_r_str", Ty::Ptr, {ctx, r}));
        release(old, t);
        return;
    }
    case TypeKind::Enum:
        if (t->is_c_like_enum()) {
            std::vector<EnumCaseDecl*> cases;
            std::string names = enum_names(t, cases);
            std::string tname;
            reflect_name(tname, t);
            Inst* idx = json_rt("lang_json_r_enum", Ty::I64, {r, json_text(names), json_text(tname)});
            Ty it = ty(t);
            Inst* v = iconst(it, cases.empty() ? 0 : cases[0]->tag);
            for (size_t k = 1; k < cases.size(); k++) {
                Inst* is = emit(Op::eq, Ty::I8, idx, iconst(Ty::I64, (int64_t)k));
                is->cty = Ty::I64;
                Inst* sel = emit(Op::select, it, is, iconst(it, cases[k]->tag));
                sel->args.push(m.body(), v);
                v = sel;
            }
            store(it, dst, off, v);
            return;
        }
        break;
    default: break;
    }
    call(json_fn(t, true), Ty::Void, {ctx, r, ptr_add(dst, off)});
}

// Whether t has a zero value (spec 3.1): not a class, nor a struct or tuple holding one.
bool Lowerer::json_has_zero(const Type* t, int depth) {
    if (depth > 64) return true;
    switch (t->kind) {
    case TypeKind::Class: case TypeKind::Interface: return false;
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++)
            if (!json_has_zero(t->elems[i], depth + 1)) return false;
        return true;
    case TypeKind::Struct:
        if (!t->decl) return true;
        for (Decl* d : t->decl->members)
            if (d->kind == DeclKind::Field && !(d->mods & M_STATIC) && d->type && !json_has_zero(d->type, depth + 1))
                return false;
        return true;
    default: return true;
    }
}

// Drops the value at dst+off and puts the zero value there (a key given twice, or a
// failed read).
void Lowerer::json_reset(const Type* t, Inst* dst, int64_t off) {
    if (!has_drops(t)) return;
    drop_value(t, load_typed(t, dst, off));
    Inst* z = emit(Op::memzero, Ty::Void, ptr_add(dst, off));
    z->imm = t->size;
    if (needs_zero_init(t)) zero_init(t, dst, off);
}

// Reads a JSON array's elements into a new T[] stored at dst (kept there as it grows, so
// a failure leaves every element read so far in it); returns the element count.
Inst* Lowerer::json_read_elements(Inst* r, const Type* et, Inst* dst) {
    use_extern("lang_array_new");
    store(Ty::Ptr, dst, 0, gc_array(call("lang_array_new", Ty::Ptr, {ctx, iconst(Ty::I64, 0), iconst(Ty::I64, et->size)}), et));
    Inst* n = nullptr;
    index_loop(
        [&](Inst* i) { // another element follows
            Inst* more = emit(Op::ne, Ty::I8, json_rt("lang_json_r_more", Ty::I64, {r, i}), iconst(Ty::I64, 0));
            more->cty = Ty::I64;
            return more;
        },
        [&](Inst* i) {
            Inst* arr = json_rt("lang_json_r_grow", Ty::Ptr, {ctx, load(Ty::Ptr, dst, 0), i});
            store(Ty::Ptr, dst, 0, arr);
            Inst* ea = array_elem_addr(arr, i, et, false);
            if (needs_zero_init(et)) zero_init(et, ea, LANG_ABI_ARRAY_DATA);
            json_read(r, et, ea, LANG_ABI_ARRAY_DATA);
        },
        &n);
    store(Ty::Ptr, dst, 0, json_rt("lang_json_r_fit", Ty::Ptr, {ctx, load(Ty::Ptr, dst, 0), n}));
    return n;
}

void Lowerer::json_reader_fn(const Type* t, const char* sym) {
    clone_begin(sym, Ty::Void, (t->kind == TypeKind::Struct || t->kind == TypeKind::Class) ? t->decl : nullptr);
    Inst* r = add_param(Ty::Ptr);
    Inst* dst = add_param(Ty::Ptr);
    auto is_true = [&](Inst* v) {
        Inst* b = emit(Op::ne, Ty::I8, v, iconst(Ty::I64, 0));
        b->cty = Ty::I64;
        return b;
    };
    // if (cond) { yes }
    auto when = [&](Inst* cond, const std::function<void()>& yes) {
        Block* a = mk_block();
        Block* join = mk_block();
        br(cond, a, join);
        seal(a);
        enter(a);
        yes();
        jmp(join);
        seal(join);
        enter(join);
    };
    switch (t->kind) {
    case TypeKind::Nullable: // null leaves the zero value: null
        when(emit(Op::Xor, Ty::I8, is_true(json_rt("lang_json_r_null", Ty::I64, {r})), iconst(Ty::I8, 1)), [&] {
            if (!t->elem->is_pointer_like()) store(Ty::I8, dst, t->elem->size, iconst(Ty::I8, 1));
            if (needs_zero_init(t->elem)) zero_init(t->elem, dst, 0);
            json_read(r, t->elem, dst, 0);
        });
        break;
    case TypeKind::Array:
        when(is_true(json_rt("lang_json_r_begin", Ty::I64, {r, iconst(Ty::I64, '[')})),
             [&] { json_read_elements(r, t->elem, dst); });
        break;
    case TypeKind::Tuple:
        when(is_true(json_rt("lang_json_r_begin", Ty::I64, {r, iconst(Ty::I64, '[')})), [&] {
            Inst* n = iconst(Ty::I64, t->count);
            for (uint32_t i = 0; i < t->count; i++) { // (after an error, lang_json_r_elem says no)
                Inst* more = is_true(json_rt("lang_json_r_elem", Ty::I64, {r, iconst(Ty::I64, i), n}));
                when(more, [&] { json_read(r, t->elems[i], dst, tuple_offset(t, i)); });
            }
            json_rt("lang_json_r_close", Ty::Void, {r, n});
        });
        break;
    case TypeKind::Struct: case TypeKind::Class: {
        TypeDecl* td = t->decl;
        Inst* obj = dst;
        if (t->kind == TypeKind::Class) {
            if (is_json_dict(c, t)) {
                json_read_dict(r, t, dst);
                break;
            }
            use_extern("lang_obj_new");
            Inst* ti = emit(Op::addr, Ty::Ptr);
            ti->sym = typeinfo(td);
            obj = call("lang_obj_new", Ty::Ptr, {ctx, ti, iconst(Ty::I64, instance_size(td))});
            store(Ty::Ptr, dst, 0, obj);
            if (is_json_list(c, t)) {
                FieldDecl* items = json_field(td, "items");
                FieldDecl* count = json_field(td, "count");
                zero_init(items->type, obj, items->offset);
                when(is_true(json_rt("lang_json_r_begin", Ty::I64, {r, iconst(Ty::I64, '[')})), [&] {
                    Inst* n = json_read_elements(r, items->type->elem, ptr_add(obj, items->offset));
                    store(Ty::I64, obj, count->offset, n);
                });
                break;
            }
        }
        std::vector<FieldDecl*> fs;
        json_fields(td, fs);
        if (t->kind == TypeKind::Class)
            for (FieldDecl* fd : fs)
                if (needs_zero_init(fd->type)) zero_init(fd->type, obj, fd->offset);
        std::string names;
        for (size_t k = 0; k < fs.size(); k++) {
            if (k) names += '\n';
            names += fs[k]->name.view();
        }
        // Fields of a type without a zero value (spec 3.1: a class, or a struct or tuple
        // holding one) must be in the input: a flag per field says it was read.
        std::vector<uint32_t> seen(fs.size(), UINT32_MAX);
        Inst* start = nullptr;
        for (size_t k = 0; k < fs.size(); k++)
            if (!json_has_zero(fs[k]->type)) {
                if (!start) start = json_rt("lang_json_r_pos", Ty::I64, {r});
                seen[k] = new_var(Ty::I8);
                def(seen[k], iconst(Ty::I8, 0));
            }
        when(is_true(json_rt("lang_json_r_begin", Ty::I64, {r, iconst(Ty::I64, '{')})), [&] {
            uint32_t iv = new_var(Ty::I64);
            def(iv, iconst(Ty::I64, 0));
            Block* head = mk_block();
            Block* done = mk_block();
            jmp(head);
            enter(head);
            Inst* i = use(iv);
            Inst* f = json_rt("lang_json_r_field", Ty::I64, {r, i, json_text(names)});
            def(iv, emit(Op::add, Ty::I64, i, iconst(Ty::I64, 1)));
            Inst* end = emit(Op::slt, Ty::I8, f, iconst(Ty::I64, 0));
            end->cty = Ty::I64;
            Block* next = mk_block();
            br(end, done, next);
            seal(next);
            enter(next);
            for (size_t k = 0; k < fs.size(); k++) {
                Inst* is = emit(Op::eq, Ty::I8, f, iconst(Ty::I64, (int64_t)k));
                is->cty = Ty::I64;
                when(is, [&] {
                    json_reset(fs[k]->type, obj, fs[k]->offset); // the same key again
                    json_read(r, fs[k]->type, obj, fs[k]->offset);
                    if (seen[k] != UINT32_MAX) def(seen[k], iconst(Ty::I8, 1));
                });
            }
            jmp(head);
            seal(head);
            seal(done);
            enter(done);
        });
        std::string tname;
        reflect_name(tname, t);
        for (size_t k = 0; k < fs.size(); k++) {
            if (seen[k] == UINT32_MAX) continue;
            Inst* missing = emit(Op::eq, Ty::I8, use(seen[k]), iconst(Ty::I8, 0));
            missing->cty = Ty::I8;
            std::string ft;
            reflect_name(ft, fs[k]->type);
            std::string what = "missing field '" + std::string(fs[k]->name.view()) + "' of " + tname + " (" + ft +
                               " has no zero value)";
            when(missing, [&] { json_rt("lang_json_r_fail", Ty::Void, {r, start, json_text(what)}); });
        }
        break;
    }
    default: unsupported(Span{}, "reading this type from JSON"); break;
    }
    ret(nullptr);
    finish_func();
}

// A Dict<string, V>: made by its parameterless constructor, then key by key: the value is
// read into a slot and both are handed to set_Item (a failed value too, so the dict drops
// what it holds).
void Lowerer::json_read_dict(Inst* r, const Type* t, Inst* dst) {
    TypeDecl* td = t->decl;
    FuncDecl* ctor = nullptr;
    FuncDecl* set = nullptr;
    for (Decl* d : td->members) {
        if (!d || d->kind != DeclKind::Func) continue;
        auto* fd = as<FuncDecl>(d);
        if (fd->fkind == FuncKind::Constructor && fd->params.size == 0) ctor = fd;
        if (d->name == "set_Item" && fd->params.size == 2) set = fd;
    }
    if (!ctor || !set) {
        unsupported(Span{}, "reading this Dict type from JSON");
        return;
    }
    auto* ne = c.arena.make<NewExpr>();
    ne->kind = ExprKind::New;
    ne->ctor = ctor;
    size_t mark = temps_.size();
    Inst* obj = construct(td, t, ne);
    claim(obj);
    drop_temps(mark);
    store(Ty::Ptr, dst, 0, obj);
    const Type* vt = set->params[1]->type;
    Inst* ok = emit(Op::ne, Ty::I8, json_rt("lang_json_r_begin", Ty::I64, {r, iconst(Ty::I64, '{')}), iconst(Ty::I64, 0));
    ok->cty = Ty::I64;
    Block* go = mk_block();
    Block* done = mk_block();
    br(ok, go, done);
    seal(go);
    enter(go);
    uint32_t iv = new_var(Ty::I64);
    def(iv, iconst(Ty::I64, 0));
    Block* head = mk_block();
    jmp(head);
    enter(head);
    Inst* i = use(iv);
    Inst* key = json_rt("lang_json_r_key", Ty::Ptr, {ctx, r, i});
    def(iv, emit(Op::add, Ty::I64, i, iconst(Ty::I64, 1)));
    Inst* end = emit(Op::eq, Ty::I8, key, iconst(Ty::Ptr, 0));
    end->cty = Ty::Ptr;
    Block* body = mk_block();
    br(end, done, body);
    seal(body);
    enter(body);
    Inst* vs = slot_for(vt);
    Inst* z = emit(Op::memzero, Ty::Void, vs);
    z->imm = vt->size;
    if (needs_zero_init(vt)) zero_init(vt, vs, 0);
    json_read(r, vt, vs, 0);
    // set_Item borrows the key and a value it counts (it keeps references of its own) and
    // takes a value it owns (lower_call.cpp call_args).
    Inst* v = load_typed(vt, vs, 0);
    call_v(func_symbol(set), Ty::Void, {ctx, obj, key, v});
    release(key, c.types.string());
    if (is_counted(vt)) release(v, vt);
    else if (is_agg(vt) && !drops_agg(vt)) release_parts(vt, vs, 0);
    jmp(head);
    seal(head);
    seal(done);
    enter(done);
}

// ---------------------------------------------------------------------------
// The calls

Inst* Lowerer::json_call(CallExpr* e) {
    if (e->args.size != 1) return nullptr;
    if (e->builtin == B_JsonSerialize) {
        const Type* t = e->args[0].value->type;
        Inst* v = expr(e->args[0].value);
        Inst* w = json_rt("lang_json_w_new", Ty::Ptr, {ctx});
        json_write(w, v, t);
        return own(json_rt("lang_json_w_finish", Ty::Ptr, {ctx, w}));
    }
    const Type* ft = e->type;
    const Type* t = ft->elem;
    Inst* s = expr(e->args[0].value);
    Inst* r = json_rt("lang_json_r_new", Ty::Ptr, {ctx, s});
    Inst* res = slot_for(ft);
    Inst* z = emit(Op::memzero, Ty::Void, res);
    z->imm = ft->size;
    if (needs_zero_init(t)) zero_init(t, res, 0);
    json_read(r, t, res, 0);
    json_rt("lang_json_r_end", Ty::Void, {r});
    Inst* bad = emit(Op::ne, Ty::I8, json_rt("lang_json_r_failed", Ty::I64, {r}), iconst(Ty::I64, 0));
    bad->cty = Ty::I64;
    Block* fail = mk_block();
    Block* join = mk_block();
    br(bad, fail, join);
    seal(fail);
    enter(fail);
    json_reset(t, res, 0); // the partial value
    FuncDecl* make = json_error_fn();
    if (make) {
        Inst* err = call_v(func_symbol(make), Ty::Ptr, {ctx, r});
        error_note("lang_error_fail", err, e->span);
        store(Ty::Ptr, res, err_offset(ft), err);
    } else {
        unsupported(e->span, "Json.Deserialize without the JSON prelude");
    }
    jmp(join);
    seal(join);
    enter(join);
    json_rt("lang_json_r_free", Ty::Void, {r});
    return own_value(res, ft);
}

// JsonError.FromReader of the JSON prelude (lib/std/Json.lang).
FuncDecl* Lowerer::json_error_fn() {
    for (FileAst* file : c.files) {
        if (!file || c.sources.file(file->file_id).path != "<prelude>/json.lang") continue;
        for (Decl* d : file->decls)
            if (d && d->kind == DeclKind::Type && d->name == "JsonError")
                for (Decl* m : as<TypeDecl>(d)->members)
                    if (m && m->kind == DeclKind::Func && m->name == "FromReader") return as<FuncDecl>(m);
    }
    return nullptr;
}

void Lowerer::emit_json_fns() {
    while (!json_todo_.empty()) {
        auto [t, reader] = json_todo_.back();
        json_todo_.pop_back();
        if (reader) json_reader_fn(t, json_r_syms_[t]);
        else json_writer_fn(t, json_w_syms_[t]);
    }
}

} // namespace lang::lower
