// lower_errors.cpp: the run-time side of errors as values that lowering adds (spec 10.3).
//
// `fail e` and the error path of `try` record where the error was raised / passed on by
// calling the runtime (src/rt/error.c) with a static "file:line:col" string (the path as
// the source was named on the command line, columns in characters, 1-based; none for the
// compiler's prelude, so a ParseError starts at the caller's `try`). A Main that
// returns T! is called by lang_main, which returns 1 after lang_error_report printed an
// error, else Main's value (int!) or 0 (void!). The T! layout and the fail/try/catch
// control flow are in lower_stmt.cpp / lower_call.cpp (doc/lowering.md, the `T!` row).
#include "ir/lower_impl.h"
#include "sema/prelude.h"
#include <cstring>

namespace lang::lower {

Inst* Lowerer::error_location(Span s) {
    if (is_prelude_path(c.sources.file(s.file).path)) { // int.Parse's own fail: no location
        Inst* a = emit(Op::addr, Ty::Ptr);
        a->sym = string_global("", 0);
        return a;
    }
    LineCol lc = c.sources.line_col(s.file, s.begin);
    std::string text = c.sources.file(s.file).path;
    text += ':';
    text += std::to_string(lc.line);
    text += ':';
    text += std::to_string(lc.col);
    Inst* a = emit(Op::addr, Ty::Ptr);
    a->sym = string_global(text.data(), (uint32_t)text.size());
    return a;
}

void Lowerer::error_note(const char* fn, Inst* err, Span s) {
    if (!cur) return;
    if (strcmp(fn, "lang_error_trace") == 0 && is_prelude_path(c.sources.file(s.file).path)) return;
    Inst* loc = error_location(s);
    use_extern(fn);
    call(fn, Ty::Void, {ctx, err, loc});
}

// Calls Main (returning void! or int!) and turns its result into the exit status.
Inst* Lowerer::entry_result(FuncDecl* main_fd, const char* sym, const std::vector<Inst*>& args) {
    const Type* rt = fn_result(main_fd);
    Inst* res = slot_for(rt);
    std::vector<Inst*> a;
    a.push_back(args[0]);
    a.push_back(res);
    for (size_t i = 1; i < args.size(); i++) a.push_back(args[i]);
    call_v(sym, Ty::Void, a);
    Inst* err = load(Ty::Ptr, res, err_offset(rt));
    Inst* bad = emit(Op::ne, Ty::I8, err, iconst(Ty::Ptr, 0));
    bad->cty = Ty::Ptr;
    uint32_t status = new_var(Ty::I64);
    Block* report = mk_block();
    Block* ok = mk_block();
    Block* join = mk_block();
    br(bad, report, ok);
    seal(report);
    seal(ok);
    enter(report);
    use_extern("lang_error_report");
    def(status, call("lang_error_report", Ty::I64, {ctx, err}));
    jmp(join);
    enter(ok);
    if (rt->elem && rt->elem->kind != TypeKind::Void) {
        Inst* v = load_typed(rt->elem, res, 0);
        if (ty(rt->elem) != Ty::I64) {
            Inst* x = emit(Op::sext, Ty::I64, v);
            x->cty = ty(rt->elem);
            v = x;
        }
        def(status, v);
    } else {
        def(status, iconst(Ty::I64, 0));
    }
    jmp(join);
    seal(join);
    enter(join);
    return use(status);
}

} // namespace lang::lower
