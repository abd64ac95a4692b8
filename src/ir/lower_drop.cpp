// lower_drop.cpp: drops of owned values (spec 6, doc/lowering.md "Drops").
//
// A value of a move type has one owner. Lowering frees it where the owner ends:
//   - an owning local (a `let`/`var` that does not borrow, an `own` parameter, a `catch`
//     binding) at the exit of its scope, on every path (a Cleanup next to the defers,
//     lower_stmt.cpp run_defers); a local that lambdas capture too (it lives in memory):
//     a lambda that does not escape borrows it, one that escapes moved it into its
//     record (sema marks LambdaExpr::moves; lambda_value empties the local), so the
//     record's drop drops it (lower_record_drops.cpp);
//   - a temporary (`new`, an array literal, a call's result, `take`, a moved local, a new
//     struct, tuple or enum case) at the end of its statement unless something claimed it:
//     a variable, field, element, literal, `own` argument or result (the same temps_ as
//     strings, lower_own.cpp);
//   - the old value of an owning place when it is assigned;
//   - globals and static fields when Main returns (drop_statics).
// A move empties the variable it leaves (null), so a conditional move needs no separate
// drop flag: the drop at scope exit finds null and does nothing. Aggregates (structs,
// tuples, value T?, payload enums) live in memory: a moved aggregate local is copied to a
// new temporary and zeroed, and a zeroed aggregate drops nothing (null parts, tag 0's
// null payload, a clear T? flag), so the same holds for them.
//
// What a drop does, by type (drop_value): a class object or interface value goes to
// lang_obj_drop (src/rt/object.c), which runs the type's drop hook and gives the memory
// back to the allocator in the header; gc class objects are left to the collector. The
// hook "T.$drop" (emitted here for each class that needs one) runs the destructor ~T(),
// drops T's own fields in declaration order, then calls the base class's hook. An array
// drops its elements (a "$drop.array.N" function per element type) and is freed. Strings
// function values and the concurrency handles are released (lower_own.cpp is_counted,
// retain/release; a closure record's last release drops what the record owns,
// lower_record_drops.cpp). Structs and tuples drop their parts, a value T? its value when
// present, a payload enum the payload of its active case ("$drop.enum.N",
// lower_drop_enum.cpp, which also frees recursive enums' boxes, following chains in a
// loop). "$drop.value.N"(ctx, ptr) drops one value of a type in place; the runtime calls it
// for what a handle holds when its last reference goes (a channel's buffered elements, a
// task's unjoined result, a Mutex<T>'s value).
//
// Pattern, `is` and for-in bindings of values with move-type parts borrow: they are plain
// copies of the bits, never dropped. A new aggregate an `is` binds into lives to the end
// of the `if` whose whole condition it is (if_stmt); in any other condition it is leaked
// (never a dangling binding).
//
// Not yet (leaks, never double frees): boxed structs.
#include "ir/lower_impl.h"

#include <algorithm>

namespace lang::lower {

bool Lowerer::needs_drop(const Type* t) {
    if (t && t->kind == TypeKind::Nullable) t = t->elem;
    if (!t) return false;
    switch (t->kind) {
    case TypeKind::Class: return !(t->decl && t->decl->is_gc);
    case TypeKind::Interface:
    case TypeKind::Array: return true;
    default: return false;
    }
}

bool Lowerer::has_drops(const Type* t, int depth) {
    if (!t || depth > 32) return false;
    if (needs_drop(t) || is_counted(t)) return true;
    switch (t->kind) {
    case TypeKind::Tuple:
    case TypeKind::Struct:
    case TypeKind::Enum: { // a payload enum: a box, or a payload with something to drop
        // Asked for the same few aggregates at every use: the answer is kept.
        if (depth == 0)
            if (auto it = drops_memo_.find(t); it != drops_memo_.end()) return it->second;
        bool r = any_part(t, [&](const Type* p, bool boxed) { return boxed || has_drops(p, depth + 1); });
        if (depth == 0) drops_memo_.emplace(t, r);
        return r;
    }
    case TypeKind::Nullable: return is_agg(t) && has_drops(t->elem, depth + 1); // a value T?
    case TypeKind::Fallible: return true; // T!: an Error object, or its value
    default: return false;
    }
}

bool Lowerer::owns_parts(const Type* t, int depth) {
    if (!t || depth > 32) return false;
    if (needs_drop(t)) return true;
    switch (t->kind) {
    case TypeKind::Tuple:
    case TypeKind::Struct:
    case TypeKind::Enum: return any_part(t, [&](const Type* p, bool boxed) { return boxed || owns_parts(p, depth + 1); });
    case TypeKind::Nullable: return is_agg(t) && owns_parts(t->elem, depth + 1);
    case TypeKind::Fallible: return true;
    default: return false;
    }
}

bool Lowerer::drops_agg(const Type* t) { return is_agg(t) && has_drops(t); }

bool Lowerer::tracked(const Type* t) { return needs_drop(t) || drops_agg(t); }

// An aggregate temporary handed to a new owner: no longer dropped at the statement's end,
// and its parts' references go with it.
bool Lowerer::claim_agg(Inst* v) {
    bool fresh = fresh_aggs_.erase(v) > 0;
    return claim(v) || fresh;
}

Inst* Lowerer::own_value(Inst* v, const Type* t) {
    if (is_agg(t) && v) fresh_aggs_.insert(v); // its parts' references go where it is stored
    if (!cur || !v || !(tracked(t) || is_handle(t)) || v->op == Op::iconst) return v;
    if (t->kind == TypeKind::Fallible) return v; // a call's T!: what consumes it drops it (catch, try, match, ...)
    if (std::find(temps_.begin(), temps_.end(), v) != temps_.end()) return v; // listed once
    temps_.push_back(v);
    temp_drops_[v] = t;
    return v;
}

void Lowerer::drop_value(const Type* t, Inst* v) {
    if (!cur || !v || v->op == Op::iconst) return;
    if (is_counted(t)) {
        release(v, t);
        return;
    }
    if (needs_drop(t)) {
        const Type* e = t->kind == TypeKind::Nullable ? t->elem : t;
        if (e->kind == TypeKind::Array) {
            const char* glue = array_drop_fn(e->elem);
            use_extern(glue ? glue : "lang_array_free");
            call(glue ? glue : "lang_array_free", Ty::Void, {ctx, v});
        } else {
            use_extern("lang_obj_drop");
            call("lang_obj_drop", Ty::Void, {ctx, v});
        }
        return;
    }
    switch (t->kind) {
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++)
            if (has_drops(t->elems[i])) drop_value(t->elems[i], load_typed(t->elems[i], v, tuple_offset(t, i)));
        return;
    case TypeKind::Struct:
        if (!t->decl) return;
        for (Decl* d : t->decl->members)
            if (d->kind == DeclKind::Field && !(d->mods & M_STATIC) && has_drops(d->type))
                drop_value(d->type, load_typed(d->type, v, as<FieldDecl>(d)->offset));
        return;
    case TypeKind::Enum: // the active case's payload (lower_drop_enum.cpp)
        if (has_drops(t)) call(enum_glue(t, true), Ty::Void, {ctx, v});
        return;
    case TypeKind::Fallible: { // T!: its error (an Error object), else its value
        Inst* err = load(Ty::Ptr, v, err_offset(t));
        Block* bad = mk_block();
        Block* good = mk_block();
        Block* done = mk_block();
        Inst* isbad = emit(Op::ne, Ty::I8, err, iconst(Ty::Ptr, 0));
        isbad->cty = Ty::Ptr;
        br(isbad, bad, good);
        seal(bad);
        seal(good);
        enter(bad);
        use_extern("lang_obj_drop");
        call("lang_obj_drop", Ty::Void, {ctx, err});
        jmp(done);
        enter(good);
        if (t->elem && t->elem->kind != TypeKind::Void && has_drops(t->elem)) drop_value(t->elem, load_typed(t->elem, v, 0));
        jmp(done);
        seal(done);
        enter(done);
        return;
    }
    case TypeKind::Nullable: { // a value T?: its value when the flag is set
        if (!is_agg(t) || !has_drops(t->elem)) return;
        Block* some = mk_block();
        Block* done = mk_block();
        br(is_null(v, t), done, some);
        seal(some);
        enter(some);
        drop_value(t->elem, load_typed(t->elem, v, 0));
        jmp(done);
        seal(done);
        enter(done);
        return;
    }
    default: return;
    }
}

// With strings false, strings (also inside aggregates) do not count: a self-recursive tail
// call skips their release, a leak (lower_call.cpp).
bool Lowerer::has_pending_drops(bool strings) {
    for (const Cleanup& c : defers) {
        if (!c.local) continue;
        if (strings && has_counted(c.local->type)) return true;
        if (!is_str(c.local->type) && (needs_drop(c.local->type) || owns_parts(c.local->type) ||
                                       is_fn(c.local->type) || is_handle(c.local->type)))
            return true;
    }
    for (Inst* v : temps_) { // (function values and handles too: one left unreleased would leak)
        if (strings && !temp_drops_.count(v) && !is_static_str(v)) return true; // a string temporary
        if (strings && temp_parts_.count(v)) return true;
        auto it = temp_drops_.find(v);
        if (it != temp_drops_.end() && (needs_drop(it->second) || owns_parts(it->second) || is_fn(it->second) ||
                                        is_handle(it->second) || it->second->kind == TypeKind::Fallible))
            return true;
    }
    return false;
}

// The local now owns its value (+1, claimed): it is dropped when its scope ends. A local
// that lambdas capture lives in memory (LVal::Mem, release_old set by var_lval): its
// stores drop the old value and a move empties it, as for one in a register.
void Lowerer::own_drop_local(Decl* d) {
    const LVal lv = var_lval(d);
    if (lv.kind != LVal::Var && lv.kind != LVal::Mem) return;
    if (lv.kind == LVal::Var) vars[lv.var].drops = true;
    Cleanup c;
    c.local = d;
    defers.push_back(c);
}

bool Lowerer::owns_drop(Decl* d) {
    if (!needs_drop(d->type)) return false;
    if (d->kind == DeclKind::Param) return as<ParamDecl>(d)->mode == ParamMode::Own;
    if (d->kind != DeclKind::Local) return false;
    auto* l = as<LocalDecl>(d);
    return !l->borrows && !statics_.count(d);
}

VarInfo* Lowerer::var_info(Decl* d) {
    if (!d || (d->kind != DeclKind::Local && d->kind != DeclKind::Param)) return nullptr;
    if (extra_vars_.count(d) || capture_addrs_.count(d) || statics_.count(d)) return nullptr;
    uint32_t idx = d->kind == DeclKind::Local ? as<LocalDecl>(d)->index : param_base + as<ParamDecl>(d)->index;
    return idx < vars.size() ? &vars[idx] : nullptr;
}

bool Lowerer::owns_agg(Decl* d) {
    if (!drops_agg(d->type)) return false;
    if (d->kind == DeclKind::Param) return as<ParamDecl>(d)->mode == ParamMode::Own;
    if (d->kind != DeclKind::Local) return false;
    auto* l = as<LocalDecl>(d);
    return !l->borrows && !statics_.count(d);
}

// An aggregate local (in memory) now holds its value: dropped when its scope ends, and an
// assignment drops the old value (var_lval marks its places release_old).
void Lowerer::own_agg_local(Decl* d) {
    VarInfo* vi = var_info(d);
    if (!vi || vi->kind != VarKind::Mem || vi->drops) return;
    vi->drops = true;
    defers.push_back({nullptr, d});
}

// A moved owning variable hands its value to the expression: the variable is emptied.
// An aggregate is copied to a new temporary and its variable zeroed (a zeroed aggregate
// drops nothing), so the drop at scope exit finds nothing left.
// A binding that owns a temporary (`if (xs.Pop() is Node n) keep.Add(n);`) hands over the
// temporary it names: it is claimed here, so the statement's end no longer drops it (on a
// path where n is not moved it then leaks).
Inst* Lowerer::move_out(const LVal& lv, Inst* v, const Type* t, Decl* d) {
    if (lv.kind == LVal::Mem && is_agg(t)) {
        VarInfo* vi = var_info(d);
        if (!vi || !vi->drops || !cur) return v;
        Inst* s = materialize(t, v);
        Inst* z = emit(Op::memzero, Ty::Void, v);
        z->imm = t->size;
        return own_value(s, t);
    }
    bool owner = lv.kind == LVal::Var ? vars[lv.var].drops : lv.kind == LVal::Mem && owns_drop(d);
    if (!owner) return claim(v) ? own_value(v, t) : v;
    raw_write(lv, iconst(Ty::Ptr, 0));
    return own_value(v, t);
}

// When Main returns, the globals and static fields are dropped, the last initialized first
// (a panic or an exit from elsewhere drops nothing).
void Lowerer::drop_statics() {
    for (size_t i = static_order_.size(); i-- > 0;) {
        Decl* d = static_order_[i];
        if (!cur || !has_drops(d->type)) continue;
        set_line(d->span);
        Inst* a = emit(Op::addr, Ty::Ptr);
        a->sym = statics_[d];
        drop_value(d->type, load_typed(d->type, a, 0));
    }
}

// ---- drop hooks and array glue, emitted after every function is lowered

static FuncDecl* destructor_of(TypeDecl* td) {
    for (Decl* d : td->members)
        if (d->kind == DeclKind::Func && as<FuncDecl>(d)->fkind == FuncKind::Destructor &&
            (as<FuncDecl>(d)->body || as<FuncDecl>(d)->body_expr))
            return as<FuncDecl>(d);
    return nullptr;
}

static bool generic_template(TypeDecl* td) {
    for (Decl* p = td; p; p = p->parent)
        if (p->kind == DeclKind::Type && as<TypeDecl>(p)->type_params.size) return true;
    return false;
}

// A class's hook, or a boxed struct's (lower_box.cpp): the struct inside the box is dropped.
const char* Lowerer::drop_hook(TypeDecl* td) {
    if (!td || generic_template(td)) return nullptr;
    if (td->tkind != TypeDeclKind::Class && !(td->tkind == TypeDeclKind::Struct && boxed_set_.count(td)))
        return nullptr;
    auto it = drop_hooks_.find(td);
    if (it != drop_hooks_.end()) return it->second;
    drop_hooks_[td] = nullptr; // (a cycle through bases cannot happen; be safe anyway)
    bool need = destructor_of(td) != nullptr || drop_hook(base_class(td)) != nullptr;
    for (Decl* d : td->members)
        if (d->kind == DeclKind::Field && !(d->mods & M_STATIC) && has_drops(d->type)) need = true;
    const char* sym = nullptr;
    if (need) {
        std::string name = type_names_[td] + ".$drop";
        sym = m.arena.copy_str(name.data(), name.size());
        pending_hooks_.push_back(td);
    }
    drop_hooks_[td] = sym;
    return sym;
}

const char* Lowerer::array_drop_fn(const Type* elem) {
    if (!has_drops(elem)) return nullptr;
    auto it = array_glue_.find(elem);
    if (it != array_glue_.end()) return it->second;
    std::string name = "$drop.array." + std::to_string(array_glue_.size());
    const char* sym = m.arena.copy_str(name.data(), name.size());
    array_glue_[elem] = sym;
    pending_glue_.push_back(elem);
    return sym;
}

// A drop glue function: sym(ctx, ptr) returning nothing; returns its pointer parameter.
Inst* Lowerer::glue_begin(const char* sym) {
    ir::Func* fn = ir::new_func(m, sym);
    fn->source_file = file_path;
    fdecl = nullptr;
    begin_func(fn);
    ctx = add_param(Ty::Ptr);
    fn->has_ctx = true;
    Inst* p = add_param(Ty::Ptr);
    fn->ret = Ty::Void;
    return p;
}

void Lowerer::emit_drop_hook(TypeDecl* td) {
    Inst* obj = glue_begin(drop_hooks_[td]);
    file_id = td->span.file;
    set_line(td->span);
    if (td->tkind == TypeDeclKind::Struct) { // a boxed struct: its value follows the header
        drop_value(td->type, ptr_add(obj, LANG_ABI_OBJ_HEADER_SIZE));
        ret(nullptr);
        finish_func();
        return;
    }
    if (FuncDecl* dtor = destructor_of(td)) call_v(func_symbol(dtor), Ty::Void, {ctx, obj});
    for (Decl* d : td->members)
        if (d->kind == DeclKind::Field && !(d->mods & M_STATIC) && has_drops(d->type))
            drop_value(d->type, load_typed(d->type, obj, as<FieldDecl>(d)->offset));
    if (const char* base = drop_hook(base_class(td))) call(base, Ty::Void, {ctx, obj});
    ret(nullptr);
    finish_func();
}

void Lowerer::emit_array_glue(const Type* et) {
    Inst* arr = glue_begin(array_glue_[et]);
    // Unless null: drop(arr[i]) for each element; then the array itself.
    Block* start = mk_block();
    Block* free_it = mk_block();
    Inst* isnull = emit(Op::eq, Ty::I8, arr, iconst(Ty::Ptr, 0));
    isnull->cty = Ty::Ptr;
    br(isnull, free_it, start);
    seal(start);
    enter(start);
    count_loop(load(Ty::I64, arr, LANG_ABI_ARRAY_LENGTH),
               [&](Inst* i) { drop_value(et, load_typed(et, array_elem_addr(arr, i, et, false), LANG_ABI_ARRAY_DATA)); });
    jmp(free_it);
    seal(free_it);
    enter(free_it);
    use_extern("lang_array_free");
    call("lang_array_free", Ty::Void, {ctx, arr});
    ret(nullptr);
    finish_func();
}

// "$drop.value.N"(ctx, ptr): drops the value of type t stored at ptr. The runtime calls it
// for what a handle still holds when it is destroyed: a channel's buffered elements, a
// task's unjoined result, a Mutex<T>'s value (lower_concurrency.cpp). nullptr when a t has
// nothing to drop.
const char* Lowerer::value_drop_fn(const Type* t) {
    if (!has_drops(t)) return nullptr;
    auto it = value_glue_.find(t);
    if (it != value_glue_.end()) return it->second;
    std::string name = "$drop.value." + std::to_string(value_glue_.size());
    const char* sym = m.arena.copy_str(name.data(), name.size());
    value_glue_[t] = sym;
    pending_value_glue_.push_back(t);
    return sym;
}

void Lowerer::emit_value_glue(const Type* t) {
    Inst* p = glue_begin(value_glue_[t]);
    drop_value(t, load_typed(t, p, 0));
    ret(nullptr);
    finish_func();
}

void Lowerer::emit_drop_glue() {
    for (TypeDecl* td : types_) drop_hook(td); // every class's hook, for its type info
    while (!pending_hooks_.empty() || !pending_glue_.empty() || !pending_value_glue_.empty() ||
           !pending_record_drops_.empty() || !pending_enum_glue_.empty()) {
        if (!pending_record_drops_.empty()) { // lower_record_drops.cpp
            auto [sym, parts] = pending_record_drops_.back();
            pending_record_drops_.pop_back();
            emit_record_drop(sym, parts);
        } else if (!pending_enum_glue_.empty()) {
            auto [t, drop] = pending_enum_glue_.back();
            pending_enum_glue_.pop_back();
            emit_enum_glue(t, drop); // lower_drop_enum.cpp
        } else if (!pending_value_glue_.empty()) {
            const Type* t = pending_value_glue_.back();
            pending_value_glue_.pop_back();
            emit_value_glue(t);
        } else if (!pending_hooks_.empty()) {
            TypeDecl* td = pending_hooks_.back();
            pending_hooks_.pop_back();
            emit_drop_hook(td);
        } else {
            const Type* et = pending_glue_.back();
            pending_glue_.pop_back();
            emit_array_glue(et);
        }
    }
}

} // namespace lang::lower
