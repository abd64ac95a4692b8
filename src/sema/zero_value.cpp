// zero_value.cpp: which types have a zero value (spec 3.1), and the rules for the fields
// and globals of the types that have none (spec 4.3, 4.9).
//
// Which types have a zero value is has_zero_value (sema/types.h): a class, interface,
// payload enum, function or concurrency handle has none (reading one would follow a null
// pointer), and neither has a struct or tuple that holds one; an array's is the empty array. Such a field needs an initializer or must be set by every constructor
// (checked by flow.cpp, which asks required_fields); for a type with no constructor the
// object initializer of each `new` must set it (check_required_inits); a static field or
// a global needs an initializer (check_zero_fields).
#include "sema/check.h"

namespace lang::sema {

// Fields and globals that nothing but their initializer can set.
void Sema::check_zero_fields() {
    for (GlobalEntry& g : globals_) {
        LocalDecl* d = g.d;
        if (!d->init && d->type && !is_error(d->type) && !has_zero_value(d->type))
            diag.error(d->name_span, "global variable '%s' has type %s, which has no zero value: give it an initializer",
                       d->name.c_str(), tn(d->type).c_str());
    }
    for (TypeEntry& te : types_) {
        for (Decl* m : te.td->members) {
            if (!m || m->kind != DeclKind::Field || !(m->mods & M_STATIC)) continue;
            auto* f = static_cast<FieldDecl*>(m);
            if (f->init || !f->type || is_error(f->type) || has_zero_value(f->type)) continue;
            diag.error(f->name_span, "static field '%s' has type %s, which has no zero value: give it an initializer",
                       f->name.c_str(), tn(f->type).c_str());
        }
    }
}

static bool has_ctor(const TypeDecl* td) {
    for (Decl* m : td->members)
        if (m && m->kind == DeclKind::Func && static_cast<FuncDecl*>(m)->fkind == FuncKind::Constructor) return true;
    return false;
}

// The instance fields of td without a zero value and without an initializer, and those of
// its base classes up to the first one that has a constructor of its own (a class with no
// constructor leaves its fields to the derived class's constructor or to `new`).
void Sema::required_fields(TypeDecl* td, std::vector<FieldDecl*>& out) const {
    for (int depth = 0; td && depth < 1000; depth++) {
        for (Decl* m : td->members) {
            if (!m || m->kind != DeclKind::Field || (m->mods & M_STATIC)) continue;
            auto* f = static_cast<FieldDecl*>(m);
            if (!f->init && f->type && !is_error(f->type) && !has_zero_value(f->type)) out.push_back(f);
        }
        td = td->tkind == TypeDeclKind::Class ? base_of(td) : nullptr;
        if (td && has_ctor(td)) break;
    }
}

// `new T { F = v, ... }` of a type with no constructor: the object initializer must set
// every required field.
void Sema::check_required_inits(NewExpr* e, TypeDecl* td) {
    if (has_ctor(td)) return;
    std::vector<FieldDecl*> req;
    required_fields(td, req);
    for (FieldDecl* f : req) {
        bool set = false;
        for (FieldInit& fi : e->inits) set = set || fi.name == f->name;
        if (!set)
            diag.error(e->span,
                       "'new %s' must set field '%s' (type %s has no zero value, and '%s' has no constructor to set "
                       "it): write 'new %s { %s = ... }'",
                       td->name.c_str(), f->name.c_str(), tn(f->type).c_str(), td->name.c_str(), td->name.c_str(),
                       f->name.c_str());
    }
}

} // namespace lang::sema
