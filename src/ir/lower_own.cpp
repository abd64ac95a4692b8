// lower_own.cpp: reference counting of strings and function values during lowering (spec
// 11.1 and 7.10, doc/lowering.md).
//
// Strings (and StringBuilder handles) and function values (closure records, runtime
// closure.c) are the counted copy types (is_counted): one pointer whose copies share a
// reference count. Everything below is written for strings and holds for both; the typed
// entry points (own/take/pin/retain/release with a Type) pick lang_str_* or lang_fn_* calls.
// A function value temporary sits in temps_ like a string and is also listed in
// temp_drops_ with its type, so that release_temps releases it with lang_fn_release.
//
// The concurrency handles (Channel, Task, WaitGroup, Mutex, Mutex<T>, Atomic) are counted
// the same way (is_handle; the runtime's counts are in src/rt/handle.c), their temporaries
// listed in temp_drops_ like function values and released with lang_handle_release.
//
// The rule: every string value built by a call (concatenation, interpolation, conversion,
// Substring, a Lang function's result, a channel receive) is +1, owned by the expression
// that made it. Such values are kept in `temps_` until someone claims them: a store into
// a variable, field, element, tuple, struct, channel or result takes the reference over
// (`take`: claim, or retain when the value was borrowed). Whatever is still unclaimed
// when its statement ends is released there (`drop_temps`); a `return`, `break` or
// `continue` releases the temporaries of the statements it leaves. Branching
// expressions (`?:`, `??`, conditions, `?.`) release their arms' temporaries inside the
// arm, so a release always sits where the value dominates it.
//
// String locals own their value: assignment releases the old one, and leaving the scope
// releases the current one (a Cleanup next to the `defer`s, run at every exit). Reads of
// variables, parameters, fields and elements are borrowed (+0). Literals (`addr` of a
// static string) and null are never counted, so no call is emitted for them.
// Invariant: every value in temps_ was defined in a block that dominates the current
// point of lowering (temporaries never cross a join unreleased).
#include "ir/lower_impl.h"

#include <algorithm>

namespace lang::lower {

namespace {
// The type a value of t holds when it holds one (T for T?).
const Type* value_type(const Type* t) { return t && t->kind == TypeKind::Nullable ? t->elem : t; }
// A StringBuilder is counted like a string: its handle is a LangString-shaped box (text.c).
bool str_kind(TypeKind k) { return k == TypeKind::String || k == TypeKind::StringBuilder; }
bool handle_kind(TypeKind k) {
    switch (k) {
    case TypeKind::Channel: case TypeKind::Task: case TypeKind::WaitGroup: case TypeKind::Mutex:
    case TypeKind::Atomic: return true;
    default: return false;
    }
}
} // namespace

bool Lowerer::is_str(const Type* t) {
    t = value_type(t);
    return t && str_kind(t->kind);
}

bool Lowerer::is_fn(const Type* t) {
    t = value_type(t);
    return t && t->kind == TypeKind::Func;
}

bool Lowerer::is_handle(const Type* t) {
    t = value_type(t);
    return t && handle_kind(t->kind);
}

bool Lowerer::is_counted(const Type* t) { // is_str || is_fn || is_handle, unwrapping T? once
    t = value_type(t);
    return t && (str_kind(t->kind) || t->kind == TypeKind::Func || handle_kind(t->kind));
}

bool Lowerer::has_counted(const Type* t) {
    if (!t) return false;
    if (is_handle(t)) return true;
    switch (t->kind) {
    case TypeKind::String: case TypeKind::StringBuilder: case TypeKind::Func: return true;
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++)
            if (has_counted(t->elems[i])) return true;
        return false;
    case TypeKind::Struct:
        if (!t->decl) return false;
        for (Decl* d : t->decl->members)
            if (d->kind == DeclKind::Field && !(d->mods & M_STATIC) && d->type && has_counted(d->type)) return true;
        return false;
    case TypeKind::Nullable: return is_counted(t) || (t->elem && !t->elem->is_pointer_like() && has_counted(t->elem));
    case TypeKind::Enum: // the unboxed payloads (a boxed one is never copied: recursive enums move)
        if (!t->decl || t->is_c_like_enum()) return false;
        for (Decl* m : t->decl->members)
            if (m->kind == DeclKind::EnumCase)
                for (ParamDecl* p : as<EnumCaseDecl>(m)->payload)
                    if (!p->boxed && p->type != t && has_counted(p->type)) return true;
        return false;
    default: return false;
    }
}

// Literals, null, static closure records (`addr`) and closure records on this frame
// (`slot`, a non-escaping lambda) are never counted.
bool Lowerer::is_static_str(Inst* v) { return !v || v->op == Op::addr || v->op == Op::iconst || v->op == Op::slot; }

bool Lowerer::has_defer_stmts() const {
    return std::any_of(defers.begin(), defers.end(), [](const Cleanup& c) { return c.defer != nullptr; });
}

Inst* Lowerer::own(Inst* v) {
    if (!is_static_str(v) && cur) temps_.push_back(v);
    return v;
}

bool Lowerer::claim(Inst* v) {
    for (size_t i = temps_.size(); i-- > 0;)
        if (temps_[i] == v) {
            temps_.erase(temps_.begin() + (ptrdiff_t)i);
            return true;
        }
    return false;
}

Inst* Lowerer::take(Inst* v) {
    if (!is_static_str(v) && !claim(v)) retain_str(v);
    return v;
}

Inst* Lowerer::pin(Inst* v) {
    if (is_static_str(v) || std::find(temps_.begin(), temps_.end(), v) != temps_.end()) return v;
    retain_str(v);
    return own(v);
}

Inst* Lowerer::own(Inst* v, const Type* t) {
    if (!is_fn(t) && !is_handle(t)) return is_str(t) ? own(v) : v;
    if (!is_static_str(v) && cur) {
        temps_.push_back(v);
        temp_drops_[v] = t; // released by release_temps through drop_value
    }
    return v;
}

Inst* Lowerer::take(Inst* v, const Type* t) {
    if (!is_static_str(v) && !claim(v)) retain(v, t);
    return v;
}

Inst* Lowerer::pin(Inst* v, const Type* t) {
    if (is_static_str(v) || std::find(temps_.begin(), temps_.end(), v) != temps_.end()) return v;
    retain(v, t);
    return own(v, t);
}

void Lowerer::retain(Inst* v, const Type* t) {
    if (!is_fn(t) && !is_handle(t)) {
        if (is_str(t)) retain_str(v);
        return;
    }
    if (is_static_str(v) || !cur) return;
    const char* fn = is_fn(t) ? "lang_fn_retain" : "lang_handle_retain";
    use_extern(fn);
    call(fn, Ty::Void, {v});
}

void Lowerer::release(Inst* v, const Type* t) {
    if (!is_fn(t) && !is_handle(t)) {
        if (is_str(t)) release_str(v);
        return;
    }
    if (is_static_str(v) || !cur) return;
    const char* fn = is_fn(t) ? "lang_fn_release" : "lang_handle_release";
    use_extern(fn);
    call(fn, Ty::Void, {ctx, v});
}

void Lowerer::retain_str(Inst* v) {
    if (is_static_str(v) || !cur) return;
    use_extern("lang_str_retain");
    call("lang_str_retain", Ty::Void, {v});
}

void Lowerer::release_str(Inst* v) {
    if (is_static_str(v) || !cur) return;
    use_extern("lang_str_release");
    call("lang_str_release", Ty::Void, {v});
}

void Lowerer::release_temps(size_t from) {
    for (size_t i = temps_.size(); i-- > from;) {
        auto it = temp_drops_.find(temps_[i]);
        auto pt = temp_parts_.find(temps_[i]);
        if (temp_unbuilt_.count(temps_[i])) { // an object a failing constructor argument left (construct)
            use_extern("lang_obj_discard");
            call("lang_obj_discard", Ty::Void, {ctx, temps_[i]});
        } else if (it != temp_drops_.end())
            drop_value(it->second, temps_[i]); // lower_drop.cpp
        else if (pt != temp_parts_.end()) release_parts(pt->second, temps_[i], 0); // a borrowed aggregate
        else release_str(temps_[i]);
    }
}

void Lowerer::drop_temps(size_t from) {
    if (from >= temps_.size()) return;
    release_temps(from);
    temps_.resize(from);
}

// After an aggregate was copied to base+off: the copy holds its own reference to each
// string, function value and handle in it (struct and tuple parts, a value T?'s value, the
// active case of a payload enum through its "$retain.enum.N" glue, lower_drop_enum.cpp).
void Lowerer::retain_parts(const Type* t, Inst* base, int64_t off) {
    if (!has_counted(t)) return;
    if (is_counted(t)) { // a string, function value or handle (or a nullable one)
        retain(load(Ty::Ptr, base, off), t);
        return;
    }
    switch (t->kind) {
    case TypeKind::Nullable: { // a value T? (is_counted ones were handled above)
        Inst* at = ptr_add(base, off);
        Block* some = mk_block();
        Block* done = mk_block();
        br(is_null(at, t), done, some);
        seal(some);
        enter(some);
        retain_parts(t->elem, at, 0);
        jmp(done);
        seal(done);
        enter(done);
        return;
    }
    case TypeKind::Enum: call(enum_glue(t, false), Ty::Void, {ctx, ptr_add(base, off)}); return;
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++) retain_parts(t->elems[i], base, off + tuple_offset(t, i));
        return;
    case TypeKind::Struct:
        for (Decl* d : t->decl->members)
            if (d->kind == DeclKind::Field && !(d->mods & M_STATIC) && d->type)
                retain_parts(d->type, base, off + as<FieldDecl>(d)->offset);
        return;
    default: return;
    }
}

// The parts retain_parts retained, released (a closure record's copy of a struct).
void Lowerer::release_parts(const Type* t, Inst* base, int64_t off) {
    if (!has_counted(t)) return;
    if (is_counted(t)) { // a string, function value or handle (or a nullable one)
        release(load(Ty::Ptr, base, off), t);
        return;
    }
    switch (t->kind) {
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++) release_parts(t->elems[i], base, off + tuple_offset(t, i));
        return;
    case TypeKind::Struct:
        for (Decl* d : t->decl->members)
            if (d->kind == DeclKind::Field && !(d->mods & M_STATIC) && d->type)
                release_parts(d->type, base, off + as<FieldDecl>(d)->offset);
        return;
    default: return;
    }
}

// Called once the local's first value (+1) is in place.
// A local that lambdas capture lives in memory (LVal::Mem): its stores release the old
// value (var_lval sets release_old) and its scope exit releases the last one the same way.
void Lowerer::own_local(Decl* d) {
    if (!is_counted(d->type)) return;
    LVal lv = var_lval(d);
    if (lv.kind == LVal::Var) vars[lv.var].owns = true;
    else if (lv.kind != LVal::Mem || !lv.release_old) return;
    defers.push_back({nullptr, d});
}

void Lowerer::raw_write(const LVal& lv, Inst* v) {
    switch (lv.kind) {
    case LVal::Var:
        if (vars[lv.var].kind == VarKind::Fixed)
            vars[lv.var].addr = v;
        else
            def(lv.var, v);
        break;
    case LVal::Mem:
        if (is_agg(lv.type))
            memcpy_(ptr_add(lv.base, lv.off), v, lv.type->size);
        else
            store(ty(lv.type), lv.base, lv.off, v);
        break;
    default: break;
    }
}

} // namespace lang::lower
