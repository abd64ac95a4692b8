// lower_tests.cpp: the assert builtins and, for `lang test`, the entry that runs the
// program's test blocks (spec 12; the runner itself is src/rt/test.c).
//
// assert(cond[, message]), assert_eq(a, b), assert_ne(a, b), assert_fails(e): the check
// branches to a failure block that never returns.
//   - A normal build calls lang_panic_assert(file, line): "panic: assertion failed at
//     FILE:LINE" (the message argument of assert is not evaluated).
//   - A test build (Options::test_build) calls lang_test_assert_failed(ctx, file, line,
//     kind, a, b) instead, with what the report shows: assert's message, the two values of
//     assert_eq, the value of assert_ne, as strings made in the failure block only. Those
//     strings are never released (the runner abandons the failing thread), so they are
//     taken off the statement's temporaries: the statement's end, reached only on the
//     passing path, must not release values made on the failing one.
// assert_fails(e) looks at the error word of e's T! and drops a fresh result (a call's)
// either way, as `catch` would; a stored T! is only looked at.
//
// The test entry: lang_main(ctx, args) initializes the statics, calls
// lang_test_begin(ctx, args) (which reads --filter), then lang_test_run(ctx, name, file,
// line, code) for every test function in declaration order (sema/tests.cpp made them),
// then returns lang_test_end(ctx) (0, or 1 when a test failed) after dropping the statics.
// Main is not called.
#include "ir/lower_impl.h"
#include <cstring>

namespace lang::lower {

namespace {
// The `kind` argument of lang_test_assert_failed (src/rt/lang_rt.h).
enum AssertKind : int32_t { kAssert = 0, kAssertEq = 1, kAssertNe = 2, kAssertFails = 3 };
constexpr int32_t kQuoteStrings = 0x100, kQuoteChars = 0x200; // how the values are shown
} // namespace

Inst* Lowerer::assert_call(CallExpr* e) {
    Block* ok = mk_block();
    Block* bad = mk_block();
    Inst* a = nullptr;
    Inst* b = nullptr;
    const Type* vt = nullptr; // the compared values' type
    int32_t kind = kAssert;
    switch (e->builtin) {
    case B_Assert:
        if (!e->args.size) return nullptr;
        cond_branch(e->args[0].value, ok, bad);
        break;
    case B_AssertEq:
    case B_AssertNe: {
        if (e->args.size < 2) return nullptr;
        kind = e->builtin == B_AssertEq ? kAssertEq : kAssertNe;
        vt = e->args[0].value->type;
        a = expr(e->args[0].value);
        b = expr(e->args[1].value);
        Inst* same = compare(BinOp::Eq, vt, a, b);
        if (kind == kAssertEq) br(same, ok, bad);
        else br(same, bad, ok);
        break;
    }
    case B_AssertFails: {
        if (e->args.size < 1) return nullptr;
        kind = kAssertFails;
        Expr* x = e->args[0].value;
        const Type* ft = x->type;
        Inst* v = expr(x);
        if (!v || ft->kind != TypeKind::Fallible) return nullptr;
        Inst* err = load(Ty::Ptr, v, err_offset(ft));
        Inst* failed = emit(Op::ne, Ty::I8, err, iconst(Ty::Ptr, 0));
        failed->cty = Ty::Ptr;
        if (is_new_result(x)) drop_value(ft, v); // the error, or the value it did not fail with
        br(failed, ok, bad);
        break;
    }
    default: return nullptr;
    }
    seal(ok);
    seal(bad);
    enter(bad);
    if (cur) {
        const std::string& path = c.sources.file(e->span.file).path;
        Inst* fa = emit(Op::addr, Ty::Ptr);
        fa->sym = cstring_global(path.data(), (uint32_t)path.size());
        if (!c.opts.test_build) {
            panic_call("lang_panic_assert", {fa, iconst(Ty::I32, line)});
        } else {
            size_t mark = temps_.size();
            Inst* s1 = iconst(Ty::Ptr, 0);
            Inst* s2 = iconst(Ty::Ptr, 0);
            if (kind == kAssert && e->args.size > 1) s1 = expr(e->args[1].value);
            if (vt) {
                s1 = to_string(a, vt);
                s2 = to_string(b, vt);
                if (vt->kind == TypeKind::String) kind |= kQuoteStrings;
                if (vt->kind == TypeKind::Char) kind |= kQuoteChars;
            }
            if (temps_.size() > mark) temps_.resize(mark); // see the header comment
            panic_call("lang_test_assert_failed", {ctx, fa, iconst(Ty::I32, line), iconst(Ty::I32, kind), s1, s2});
        }
    }
    enter(ok);
    return nullptr;
}

void Lowerer::emit_test_entry() {
    ir::Func* fn = ir::new_func(m, "lang_main");
    fdecl = nullptr;
    begin_func(fn);
    line = 0;
    fn->ret = Ty::I64;
    Inst* c0 = add_param(Ty::Ptr);
    ctx = c0; // static initializers may call the runtime
    Inst* a1 = add_param(Ty::Ptr);
    init_statics();
    use_extern("lang_test_begin");
    call("lang_test_begin", Ty::Void, {c0, a1});
    for (FuncDecl* fd : funcs_) {
        if (!fd->test) continue;
        if (!fn->source_file) fn->source_file = file_of(fd);
        const std::string& path = c.sources.file(fd->span.file).path;
        const char* title = fd->test->title ? fd->test->title : "";
        Inst* name = emit(Op::addr, Ty::Ptr);
        name->sym = cstring_global(title, (uint32_t)strlen(title));
        Inst* file = emit(Op::addr, Ty::Ptr);
        file->sym = cstring_global(path.data(), (uint32_t)path.size());
        Inst* code = emit(Op::addr, Ty::Ptr);
        code->sym = func_symbol(fd);
        int32_t at = (int32_t)c.sources.line_col(fd->span.file, fd->span.begin).line;
        use_extern("lang_test_run");
        call("lang_test_run", Ty::Void, {c0, name, file, iconst(Ty::I32, at), code});
    }
    if (!fn->source_file && !c.files.empty()) fn->source_file = c.sources.file(c.files[0]->file_id).path.c_str();
    use_extern("lang_test_end");
    Inst* status = call("lang_test_end", Ty::I64, {c0});
    drop_statics(); // lower_drop.cpp
    ret(status);
    finish_func();
}

} // namespace lang::lower
