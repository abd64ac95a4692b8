// sema.cpp: the semantic analysis driver and the entry-point rule.
//
// Job: run the phases in order (see check.h) over the whole program and check that a
// class `Program` with a static `Main` exists: Main returns void or int and takes
// nothing or a string[]. Invariant: every phase tolerates the errors of the earlier
// ones (Error types, null AST children), so all phases always run and report.
#include "sema/check.h"
#include "sema/prelude.h"

namespace lang {

namespace sema {

void Sema::run(bool require_entry) {
    run_declarations();
    run_rest(require_entry); // every body, then the entry point
}

// Everything a function body may refer to: symbols, signatures, layouts, globals and
// field initializers (lowering a constructor needs its fields' initializers checked).
// Ends with every type interned so far laid out for good.
void Sema::run_declarations() {
    declare_all();
    find_error_decls();
    declare_prelude();
    resolve_imports();
    // Each phase runs over the entries present when it starts; an instance of a generic
    // made meanwhile goes through the phases started so far at once (generics.cpp).
    auto phase = [&](int n, void (Sema::*run)()) {
        phase_ = n;
        t_to_ = types_.size();
        f_to_ = funcs_.size();
        (this->*run)();
        t_to_ = f_to_ = SIZE_MAX;
    };
    phase(1, &Sema::resolve_signatures);
    phase(2, &Sema::check_inheritance);
    check_pending_constraints();
    phase(3, &Sema::mangle_all);
    phase(4, &Sema::layout_phase);
    check_globals();
    phase(5, &Sema::check_field_inits);
    check_zero_fields();
    finish_layout();
    laid_out_types_ = T.count();
}

// Bodies are independent of each other (a body only reads declarations), so they can be
// checked one at a time, each just before it is lowered. Types a body interns (tuples,
// optionals, ...) are laid out right after it.
void Sema::check_bodies_until(const FuncDecl* f) {
    while (next_body_ < funcs_.size()) {
        FuncEntry fe = funcs_[next_body_++]; // (a copy: checking may make instances)
        if (is_template_fn(fe.fn)) continue;  // generic: its instances are checked
        if (!inst_info_.empty() && skip_instance_body(fe.fn)) continue; // generics.cpp
        file_ = &files_[fe.file];
        int errors = inst_info_.empty() ? 0 : diag.error_count();
        bool quiet = !inst_info_.empty() && repeated_instance_body(fe.fn), was = diag.no_warnings;
        if (quiet) diag.no_warnings = true; // its warnings came with the first instance
        Diag::Held held;
        bool hold = !inst_info_.empty() && deferrable(fe.fn); // instance_use.cpp
        if (hold) diag.held = &held, held_fn_ = fe.fn;
        check_func(fe.fn, fe.owner);
        diag.no_warnings = was;
        if (!inst_info_.empty() && (hold ? held.errors != 0 : diag.error_count() != errors))
            note_instance(fe.fn); // generics.cpp
        if (hold) {
            diag.held = nullptr;
            held_fn_ = nullptr;
            if (held.errors || held.warnings) held_.emplace(fe.fn, std::move(held));
        }
        if (T.count() != laid_out_types_) {
            T.for_each_from(laid_out_types_, [&](const Type* t) { layout_type(t); });
            laid_out_types_ = T.count();
        }
        if (fe.fn == f) return;
    }
    type_stack_.clear();
}

void Sema::run_rest(bool require_entry) {
    check_bodies_until(nullptr);
    recheck_clone_roots(); // clone.cpp
    release_held(); // instance_use.cpp
    if (require_entry) check_entry_point();
}

static bool valid_main(TypeTable& T, FuncDecl* f) {
    if (!(f->mods & M_STATIC) || !f->type || f->type->kind != TypeKind::Func) return false;
    const Type* r = f->type->elem;
    if (r && r->kind == TypeKind::Fallible) r = r->elem; // void! / int!: an error exits with status 1
    if (r != T.void_() && r != T.int_()) return false;
    if (f->type->count == 0) return true;
    return f->type->count == 1 && f->type->elems[0] == T.array(T.string());
}

static void find_programs(Compilation& c, Ident program, std::vector<TypeDecl*>& out) {
    for (FileAst* f : c.files) {
        if (!f) continue;
        for (Decl* d : f->decls)
            if (d && d->kind == DeclKind::Type && d->name == program &&
                static_cast<TypeDecl*>(d)->tkind == TypeDeclKind::Class)
                out.push_back(static_cast<TypeDecl*>(d));
    }
}

void Sema::check_entry_point() {
    std::vector<TypeDecl*> progs;
    find_programs(c, id_program, progs);
    if (progs.empty()) {
        FileAst* first = nullptr; // the program's first file (not the compiler's prelude)
        for (FileAst* f : c.files)
            if (f && !first && !is_prelude_path(c.sources.file(f->file_id).path)) first = f;
        Span s{first ? first->file_id : UINT32_MAX, 0, 0};
        diag.error(s, "no entry point: declare a class 'Program' with 'static void Main()' or 'static int Main(string[] args)'");
        return;
    }
    if (progs.size() > 1) {
        diag.error(progs[1]->name_span, "more than one class 'Program' (entry point) in the program");
        return;
    }
    TypeDecl* p = progs[0];
    FuncDecl* any = nullptr;
    for (Decl* m : p->members) {
        if (!m || m->kind != DeclKind::Func || m->name != id_main) continue;
        auto* f = static_cast<FuncDecl*>(m);
        if (f->fkind == FuncKind::Constructor || f->fkind == FuncKind::Destructor) continue;
        if (valid_main(T, f)) return;
        if (!any) any = f;
    }
    if (!any) {
        diag.error(p->name_span, "class 'Program' has no 'Main' method (the entry point)");
        return;
    }
    if (!(any->mods & M_STATIC))
        diag.error(any->name_span, "'Main' must be static");
    else if (!is_error(any->type) && any->type)
        diag.error(any->name_span, "'Main' must return void or int and take no parameters or one string[]");
}

} // namespace sema

ProgramCheck::ProgramCheck(Compilation& c) : s_(nullptr), before_(c.diag.error_count()), c_(c) {
    add_preludes(c); // the library files the program can name (prelude.cpp)
    s_ = new sema::Sema(c);
}
ProgramCheck::~ProgramCheck() { delete s_; }
bool ProgramCheck::declarations() {
    s_->run_declarations();
    return c_.diag.error_count() == before_;
}
void ProgramCheck::bodies_until(const FuncDecl* f) { s_->check_bodies_until(f); }
bool ProgramCheck::finish(bool require_entry) {
    s_->run_rest(require_entry);
    return c_.diag.error_count() == before_;
}

bool check_program(Compilation& c, bool require_entry) {
    int before = c.diag.error_count();
    add_preludes(c); // the library files the program can name (prelude.cpp)
    sema::Sema s(c);
    s.run(require_entry);
    return c.diag.error_count() == before;
}

FuncDecl* find_entry_point(Compilation& c) {
    std::vector<TypeDecl*> progs;
    sema::find_programs(c, c.interner.intern("Program"), progs);
    for (TypeDecl* p : progs)
        for (Decl* m : p->members)
            if (m && m->kind == DeclKind::Func && m->name == "Main" &&
                static_cast<FuncDecl*>(m)->fkind != FuncKind::Constructor &&
                sema::valid_main(c.types, static_cast<FuncDecl*>(m)))
                return static_cast<FuncDecl*>(m);
    return nullptr;
}

} // namespace lang
