// reflect.cpp: checking of reflection (doc/language/spec.md 10) and the prelude.
//
// The prelude is a namespace of declarations the compiler makes itself, searched after
// everything else (the file's namespaces and imports), so a program's own declaration of
// the same name wins. It holds `enum TypeKind`, whose members are the kinds of
// LangTypeKind (rt/lang_rt.h) in the same order, so a LangTypeInfo's `kind` is the value.
//  - `typeof(T)` is a TypeInfo for any type T (void included).
//  - `x.GetType()` is a TypeInfo: for a class or interface value the object's run-time
//    class (lowering reads the object header), for any other value its static type (x is
//    still evaluated). A type that declares its own GetType member keeps it. `x?.GetType()`
//    on an `x` of type T? is a TypeInfo?: null when x is, else GetType of the T inside.
//    A bare `GetType()` in an instance method or constructor means `this.GetType()`.
//  - TypeInfo: Name string, Kind TypeKind, Size int, Align int, Fields FieldInfo[],
//    Methods string[], Base TypeInfo?, Interfaces TypeInfo[]; FieldInfo: Name string,
//    Type TypeInfo, Offset int. `TypeInfo` and `FieldInfo` are type names unless the
//    program declares its own.
// Sema records the property as a builtin id on the MemberExpr/CallExpr; lowering
// (lower_reflect.cpp) turns it into loads from the tables or runtime calls.
#include "rt/lang_rt.h"
#include "sema/check.h"
#include <iterator>

namespace lang::sema {

// Indexed by LangTypeKind.
static const char* const kKindNames[] = {
#define LANG_TK_NAME(code, name) #name,
    LANG_TYPE_KINDS(LANG_TK_NAME) // rt/lang_abi.h
#undef LANG_TK_NAME
};
static_assert(sizeof kKindNames / sizeof kKindNames[0] == LANG_TK_COUNT, "one name per LangTypeKind");

void Sema::declare_prelude() {
    if (files_.empty()) return;
    prelude_ = new NsInfo();
    prelude_->decl = arena.make<NamespaceDecl>();
    prelude_->decl->kind = DeclKind::Namespace;
    namespaces_.push_back(prelude_);
    Span at{files_[0].ast->file_id, 0, 0};
    TypeDecl* td = arena.make<TypeDecl>();
    td->kind = DeclKind::Type;
    td->tkind = TypeDeclKind::Enum;
    td->name = c.interner.intern("TypeKind");
    td->span = td->name_span = at;
    td->mods = M_PUBLIC;
    td->type = T.nominal(TypeKind::Enum, td);
    for (const char* n : kKindNames) {
        EnumCaseDecl* ec = arena.make<EnumCaseDecl>();
        ec->kind = DeclKind::EnumCase;
        ec->name = c.interner.intern(n);
        ec->span = ec->name_span = at;
        ec->mods = M_PUBLIC;
        ec->parent = td;
        td->members.push(arena, ec);
        sym_add(td, ec);
    }
    sym_add(prelude_, td);
    types_.push_back({td, 0});
    type_kind_ = td;
}

const Type* Sema::resolve_reflect_type(TypeExpr* te) {
    if (te->path.size != 1 || !te->args.empty()) return nullptr;
    Ident n = te->path[0];
    TypeKind k;
    if (n == "TypeInfo") k = TypeKind::TypeInfo;
    else if (n == "FieldInfo") k = TypeKind::FieldInfo;
    else return nullptr;
    if (lookup_in_types(n) >= 0 || lookup_global(n, te->span, nullptr) >= 0) return nullptr; // the program's own
    return T.prim(k);
}

const Type* Sema::check_typeof(TypeofExpr* e) {
    const Type* t = resolve_type(e->of);
    if (is_error(t)) return err();
    layout_type(t);
    return T.prim(TypeKind::TypeInfo);
}

const Type* Sema::check_reflect_member(MemberExpr* e, const Type* ot) {
    const Type* ti = T.prim(TypeKind::TypeInfo);
    struct Prop { const char* name; Builtin b; };
    static const Prop type_props[] = {
        {"Name", Builtin::TypeName}, {"Kind", Builtin::TypeKindOf}, {"Size", Builtin::TypeSize},
        {"Align", Builtin::TypeAlign}, {"Fields", Builtin::TypeFields}, {"Methods", Builtin::TypeMethods},
        {"Base", Builtin::TypeBase}, {"Interfaces", Builtin::TypeInterfaces},
    };
    static const Prop field_props[] = {
        {"Name", Builtin::FieldName}, {"Type", Builtin::FieldType}, {"Offset", Builtin::FieldOffset},
    };
    bool is_type = ot->kind == TypeKind::TypeInfo;
    const Prop* props = is_type ? type_props : field_props;
    size_t n = is_type ? std::size(type_props) : std::size(field_props);
    for (size_t i = 0; i < n; i++) {
        if (e->name != props[i].name) continue;
        e->builtin = (uint32_t)props[i].b;
        switch (props[i].b) {
        case Builtin::TypeName: case Builtin::FieldName: return T.string();
        case Builtin::TypeKindOf: return type_kind_ ? type_kind_->type : err();
        case Builtin::TypeFields: return T.array(T.prim(TypeKind::FieldInfo));
        case Builtin::TypeMethods: return T.array(T.string());
        case Builtin::TypeBase: return T.nullable(ti);
        case Builtin::TypeInterfaces: return T.array(ti);
        case Builtin::FieldType: return ti;
        default: return T.int_(); // Size, Align, Offset
        }
    }
    diag.error(e->name_span, "type %s has no member '%s'", tn(ot).c_str(), e->name.c_str());
    return err();
}

const Type* Sema::check_get_type(CallExpr* e, MemberExpr* m, const Type* ot) {
    if (m->name != "GetType" || is_error(ot)) return nullptr;
    if (Decl* od = ref_decl(m->object); od && (od->kind == DeclKind::Type || od->kind == DeclKind::Namespace)) return nullptr;
    if ((ot->kind == TypeKind::Struct || ot->kind == TypeKind::Class || ot->kind == TypeKind::Interface ||
         ot->kind == TypeKind::Enum) &&
        ot->decl && lookup_member(ot->decl, m->name) >= 0)
        return nullptr; // the type's own GetType
    e->builtin = (uint32_t)Builtin::GetType;
    e->target = nullptr;
    m->builtin = (uint32_t)Builtin::GetType;
    m->type = T.void_();
    if (e->args.size) {
        diag.error(e->span, "GetType expects no arguments, found %u", e->args.size);
        for (Arg& a : e->args) expr(a.value, nullptr);
    }
    const Type* ti = T.prim(TypeKind::TypeInfo);
    return m->null_safe ? T.nullable(ti) : ti; // x?.GetType(): null when x is
}

// `GetType()` without a receiver inside an instance method or constructor is
// A member expression `object.name` that sema writes in place of source text (an indexer
// call, a method call a builtin stands for, `this.GetType()`), spanning `span`.
MemberExpr* member_node(Arena& arena, Expr* object, Ident name, Span span) {
    auto* m = arena.make<MemberExpr>();
    m->kind = ExprKind::Member;
    m->span = span;
    m->object = object;
    m->name = name;
    m->name_span = span;
    return m;
}

// `this.GetType()` (as in C#): the callee becomes that member expression.
const Type* Sema::check_implicit_get_type(CallExpr* e, NameExpr* n) {
    if (n->name != "GetType" || !fn_.self) return nullptr;
    Expr* self = arena.make<Expr>();
    self->kind = ExprKind::This;
    self->span = n->span;
    MemberExpr* m = member_node(arena, self, n->name, n->span);
    e->callee = m;
    self->type = check_this(self);
    return check_get_type(e, m, self->type);
}

} // namespace lang::sema
