// json.cpp: Json.Serialize(v) and Json.Deserialize<T>(text) of Std.Serialize (spec 10.10).
//
// `Json` is known to the compiler, like Math (check_math.cpp): the calls become the
// builtins JsonSerialize (a string) and JsonDeserialize (a T!, failing with the prelude's
// JsonError, lib/std/Json.lang), and lowering makes a writer and a reader per type
// (ir/lower_json.cpp). Here the type is checked: every type reached through fields,
// elements and type arguments must be one JSON can hold, else the call is an error naming
// the type and why. Dict<string, V>'s set_Item is noted as used, since the reader calls it.
// A program's own `Json` (a local, a type or a global) hides the library's.
#include "sema/check.h"
#include "sema/prelude.h"

#include <unordered_set>

namespace lang {

// The prelude's List<T>, Dict<K,V> or Set<T> instance (not a program's class of that name).
static bool prelude_generic(Compilation& c, const Type* t, std::string_view name) {
    if (t->kind != TypeKind::Class || !t->decl) return false;
    std::string_view n = t->decl->name.view();
    return n.size() > name.size() && n.substr(0, name.size()) == name && n[name.size()] == '<' &&
           is_prelude_path(c.sources.file(t->decl->span.file).path);
}

bool is_json_list(Compilation& c, const Type* t) { return prelude_generic(c, t, "List"); }
bool is_json_dict(Compilation& c, const Type* t) { return prelude_generic(c, t, "Dict"); }

// The instance field `name` of td, or null.
FieldDecl* json_field(TypeDecl* td, std::string_view name) {
    for (Decl* d : td->members)
        if (d && d->kind == DeclKind::Field && !(d->mods & M_STATIC) && d->name.view() == name)
            return static_cast<FieldDecl*>(d);
    return nullptr;
}

} // namespace lang

namespace lang::sema {

bool Sema::is_json(Expr* obj) {
    if (!obj || obj->kind != ExprKind::Name) return false;
    auto* n = static_cast<NameExpr*>(obj);
    return n->name == "Json" && !lookup_local(n->name) && lookup_in_types(n->name) < 0 &&
           lookup_global(n->name, n->span, nullptr) < 0;
}

// Whether JSON can hold a value of type t; else `why` says what cannot. `seen` holds the
// classes and structs being checked (a class may hold itself through T?).
bool Sema::json_type_ok(const Type* t, std::string& why, std::vector<const Type*>& seen) {
    switch (t->kind) {
    case TypeKind::Error: return true; // reported already
    case TypeKind::Bool: case TypeKind::I8: case TypeKind::I16: case TypeKind::I32: case TypeKind::I64:
    case TypeKind::U8: case TypeKind::U16: case TypeKind::U32: case TypeKind::U64: case TypeKind::F32:
    case TypeKind::F64: case TypeKind::Char: case TypeKind::String:
        return true;
    case TypeKind::Nullable: case TypeKind::Array: return json_type_ok(t->elem, why, seen);
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++)
            if (!json_type_ok(t->elems[i], why, seen)) return false;
        return true;
    case TypeKind::Enum:
        if (t->is_c_like_enum()) return true;
        why = tn(t) + " is an enum with payloads (only enums without payloads are written, by member name)";
        return false;
    case TypeKind::Struct: case TypeKind::Class: {
        for (const Type* s : seen)
            if (s == t) return true;
        TypeDecl* td = t->decl;
        if (!td) break;
        if (is_json_list(c, t)) {
            FieldDecl* items = json_field(td, "items");
            return items && items->type && json_type_ok(items->type, why, seen);
        }
        if (is_json_dict(c, t)) {
            FieldDecl* slots = json_field(td, "slots");
            const Type* st = slots && slots->type ? slots->type->elem : nullptr;
            FieldDecl* key = st && st->decl ? json_field(st->decl, "key") : nullptr;
            FieldDecl* value = st && st->decl ? json_field(st->decl, "value") : nullptr;
            if (!key || !value) break;
            if (key->type->kind != TypeKind::String) {
                why = tn(t) + " has keys of type " + tn(key->type) + " (a JSON object's keys are strings: use Dict<string, V>)";
                return false;
            }
            return json_type_ok(value->type, why, seen);
        }
        if (prelude_generic(c, t, "Set")) {
            why = tn(t) + " is a Set (write it as a List or an array)";
            return false;
        }
        if (td->is_gc) {
            why = tn(t) + " is a gc class";
            return false;
        }
        if (td->mods & M_ABSTRACT) {
            why = tn(t) + " is an abstract class (a reader could not make one)";
            return false;
        }
        seen.push_back(t);
        for (TypeDecl* x = td; x;) {
            for (Decl* d : x->members)
                if (d && d->kind == DeclKind::Field && !(d->mods & M_STATIC) && d->type &&
                    !json_type_ok(d->type, why, seen)) {
                    // innermost first: "(in field Holder.F, reached through Outer.H)"
                    why += (why.find(" (in field ") == std::string::npos ? " (in field " : ", reached through ") +
                           std::string(x->name.view()) + "." + std::string(d->name.view());
                    seen.pop_back();
                    return false;
                }
            TypeDecl* base = nullptr;
            for (TypeExpr* b : x->bases)
                if (b && b->resolved && b->resolved->kind == TypeKind::Class) base = b->resolved->decl;
            x = base;
        }
        seen.pop_back();
        return true;
    }
    case TypeKind::Func: why = tn(t) + " is a function type"; return false;
    case TypeKind::Interface: why = tn(t) + " is an interface (JSON does not say which type to make)"; return false;
    case TypeKind::Channel: case TypeKind::Task: case TypeKind::WaitGroup: case TypeKind::Mutex:
    case TypeKind::Atomic:
        why = tn(t) + " is a concurrency handle";
        return false;
    case TypeKind::Pointer: case TypeKind::CString: why = tn(t) + " is a C pointer type"; return false;
    case TypeKind::Fallible: why = tn(t) + " is a T! (handle the error first)"; return false;
    default: break;
    }
    why = tn(t) + " has no JSON form";
    return false;
}

// Dict<string, V> instances reached from t: their set_Item is called by the reader.
void Sema::json_note_uses(const Type* t, Span at, std::vector<const Type*>& seen) {
    for (const Type* s : seen)
        if (s == t) return;
    switch (t->kind) {
    case TypeKind::Nullable: case TypeKind::Array: json_note_uses(t->elem, at, seen); return;
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++) json_note_uses(t->elems[i], at, seen);
        return;
    case TypeKind::Struct: case TypeKind::Class: {
        if (!t->decl) return;
        seen.push_back(t);
        if (is_json_dict(c, t)) {
            int32_t k = lookup_member(t->decl, c.interner.intern("set_Item"));
            if (k >= 0 && sym_list_[k].decl->kind == DeclKind::Func) note_use(static_cast<FuncDecl*>(sym_list_[k].decl), at);
        }
        for (TypeDecl* x = t->decl; x;) {
            for (Decl* d : x->members)
                if (d && d->kind == DeclKind::Field && !(d->mods & M_STATIC) && d->type) json_note_uses(d->type, at, seen);
            TypeDecl* base = nullptr;
            for (TypeExpr* b : x->bases)
                if (b && b->resolved && b->resolved->kind == TypeKind::Class) base = b->resolved->decl;
            x = base;
        }
        return;
    }
    default: return;
    }
}

const Type* Sema::check_json_call(CallExpr* e, MemberExpr* m) {
    if (!is_json(m->object)) return nullptr;
    m->object->type = T.void_();
    m->type = T.void_();
    e->target = nullptr;
    bool ser = m->name == "Serialize", de = m->name == "Deserialize";
    auto args_checked = [&] {
        for (Arg& a : e->args) expr(a.value, nullptr);
        return err();
    };
    if (!ser && !de) {
        diag.error(m->name_span, "'Json' has no function '%s' (Serialize, Deserialize)", m->name.c_str());
        return args_checked();
    }
    if (e->args.size != 1) {
        diag.error(e->span, "Json.%s expects 1 argument, found %u", m->name.c_str(), e->args.size);
        return args_checked();
    }
    if (e->args[0].name) diag.error(e->args[0].value->span, "named arguments are not supported yet");
    const Type* t;
    if (ser) {
        if (m->generic_args().size) {
            diag.error(m->name_span, "Json.Serialize takes no type argument (the value's type is used)");
            return args_checked();
        }
        t = expr(e->args[0].value, nullptr);
        if (is_error(t)) return err();
        if (t->kind == TypeKind::Fallible) {
            report_fallible(e->args[0].value, "serializing it");
            return err();
        }
        if (t->kind == TypeKind::Null) {
            diag.error(e->args[0].value->span, "Json.Serialize needs a typed value, not the null literal");
            return err();
        }
    } else {
        if (m->generic_args().size != 1) {
            diag.error(m->name_span, "Json.Deserialize needs the type to read: Json.Deserialize<T>(text)");
            return args_checked();
        }
        t = resolve_type(m->generic_args()[0]);
        const Type* st = expr(e->args[0].value, T.string());
        if (is_error(t) || is_error(st)) return err();
        if (st->kind == TypeKind::Fallible) {
            report_fallible(e->args[0].value, "using it as a value");
            return err();
        }
        coerce(e->args[0].value, T.string());
    }
    std::string why;
    std::vector<const Type*> seen;
    if (!json_type_ok(t, why, seen)) {
        if (why.find(" (in field ") != std::string::npos) why += ")";
        diag.error(ser ? e->args[0].value->span : m->generic_args()[0]->span, "Json.%s cannot %s %s: %s",
                   m->name.c_str(), ser ? "write a value of type" : "read", tn(t).c_str(), why.c_str());
        return err();
    }
    e->builtin = m->builtin = (uint32_t)(ser ? Builtin::JsonSerialize : Builtin::JsonDeserialize);
    if (ser) return T.string();
    if (program_declares_type(c, "JsonError")) {
        diag.error(m->name_span, "Json.Deserialize fails with the library's JsonError, which the program's own 'JsonError' hides (rename it)");
        return err();
    }
    seen.clear();
    json_note_uses(t, e->span, seen);
    return T.fallible(t);
}

} // namespace lang::sema
