// instance_use.cpp: which methods of generic type instances a program uses.
//
// Every method of an instance is checked when the instance is made (generics.cpp), but a
// method the program never uses may fail for its type arguments without that being an
// error: List<Person> has Sort(), which needs compare() on Person (spec 4.11, "Instances").
// So the messages of an instance method's body are held (Diag::Held, see
// check_bodies_until in sema.cpp) and its uses are recorded here: each call, constructor
// choice or function value from a body is an edge from the body's method (null for plain
// code, which always runs) to the method used. When every body is checked, the methods
// reachable from plain code, and those that are used without a visible call
// (constructors, virtual and interface methods, ToString, destructors), get their
// messages reported; the rest are marked unused, their messages dropped, and lowering
// skips them, so an unused library method costs no code.
#include "sema/check.h"

#include <unordered_set>
#include <vector>

namespace lang::sema {

// A method (or nested function) of a generic type instance.
bool Sema::deferrable(const FuncDecl* f) const {
    for (const Decl* d = f->parent; d; d = d->parent)
        if (d->kind == DeclKind::Type && inst_info_.count(d)) return true;
    return false;
}

void Sema::note_use(FuncDecl* f, Span at) {
    if (!f || inst_info_.empty() || !deferrable(f)) return;
    uses_[held_fn_].push_back({f, at});
}

// Used without a call that sema sees: by `new` or a derived class's implicit `: base()`,
// through a vtable or interface table, by printing, or by a drop.
static bool used_implicitly(const FuncDecl* f) {
    if (f->mods & (M_VIRTUAL | M_OVERRIDE | M_ABSTRACT)) return true;
    if (f->fkind == FuncKind::Constructor || f->fkind == FuncKind::Destructor || f->name == "ToString") return true;
    if (f->parent && f->parent->kind == DeclKind::Type) {
        auto* td = static_cast<const TypeDecl*>(f->parent);
        for (TypeExpr* b : td->bases)
            if (b && b->resolved && b->resolved->kind == TypeKind::Interface) return true;
    }
    return false;
}

// Reports what the used methods hold and marks the methods nothing uses.
void Sema::release_held() {
    if (inst_info_.empty()) return;
    std::unordered_set<const FuncDecl*> used, released;
    auto reach = [&](const FuncDecl* root, std::vector<const FuncDecl*>& order) {
        std::unordered_set<const FuncDecl*> seen{root};
        order.assign(1, root);
        for (size_t i = 0; i < order.size(); i++)
            if (auto it = uses_.find(order[i]); it != uses_.end())
                for (const auto& [g, at] : it->second)
                    if (seen.insert(g).second) order.push_back(g);
    };
    auto failed = [&](const FuncDecl* f) {
        auto it = held_.find(f);
        return it != held_.end() && it->second.errors;
    };
    auto release = [&](const FuncDecl* f) {
        auto it = held_.find(f);
        if (it != held_.end() && released.insert(f).second) diag.release(it->second);
    };
    std::vector<const FuncDecl*> order;
    // A use from plain code that reaches a method whose body fails is reported at the use,
    // followed by the first such method's messages.
    if (auto it = uses_.find(nullptr); it != uses_.end())
        for (const auto& [f, at] : it->second) {
            if (used.count(f)) continue;
            reach(f, order);
            const FuncDecl* bad = nullptr;
            for (const FuncDecl* g : order) {
                used.insert(g);
                if (!bad && failed(g)) bad = g;
            }
            if (!bad) continue;
            const char* owner = f->parent ? f->parent->name.c_str() : "";
            diag.error(at, "'%s' of %s cannot be used: its code does not compile for these type arguments "
                           "(the errors of the failing method follow)", f->name.c_str(), owner);
            release(bad);
        }
    for (const FuncEntry& fe : funcs_)
        if (deferrable(fe.fn) && used_implicitly(fe.fn) && !used.count(fe.fn)) {
            reach(fe.fn, order);
            for (const FuncDecl* g : order) {
                used.insert(g);
                if (failed(g)) release(g);
            }
        }
    for (const FuncEntry& fe : funcs_) {
        if (!deferrable(fe.fn)) continue;
        if (!used.count(fe.fn)) fe.fn->unused = true;
        else if (!failed(fe.fn)) release(fe.fn); // the warnings of a used method
    }
    held_.clear();
}

} // namespace lang::sema
