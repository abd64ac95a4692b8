// test_concurrency.cpp: the preempt pass (src/ir/preempt.cpp) on IR text, and the
// concurrency end-to-end programs (test/run/2*_conc_*.lang) through sema, lowering,
// every pass and the verifier (lowering itself is covered by test/ir/lower_concurrency.lang).
#include "common/compilation.h"
#include "ir/ir.h"
#include "ir/lower.h"
#include "parse/parser.h"
#include "sema/sema.h"
#include <dirent.h>
#include <doctest/doctest.h>
#include <algorithm>
#include <string>
#include <vector>

using namespace lang;

namespace {

std::string run_preempt(const char* text, std::string* printed_err = nullptr) {
    Arena a;
    ir::Module m(a);
    std::string err;
    bool ok = ir::read(m, text, strlen(text), &err);
    REQUIRE_MESSAGE(ok, err);
    for (ir::Func* f : m.funcs) ir::insert_preempt_checks(m, *f);
    CHECK_MESSAGE(ir::verify(m, &err), err);
    if (printed_err) *printed_err = err;
    std::string out = ir::print(m);
    // Round trip of the result.
    Arena a2;
    ir::Module m2(a2);
    REQUIRE_MESSAGE(ir::read(m2, out.c_str(), out.size(), &err), err);
    CHECK(ir::print(m2) == out);
    return out;
}

size_t count(const std::string& s, const std::string& w) {
    size_t n = 0;
    for (size_t p = s.find(w); p != std::string::npos; p = s.find(w, p + 1)) n++;
    return n;
}

} // namespace

TEST_CASE("preempt: a loop back-edge (jmp) gets the test and the header phi a new entry") {
    std::string out = run_preempt(R"(
export func $sum(ptr, i64) -> i64 {
@0:
  %1 = param.i64 1
  %2 = iconst.i64 0
  jmp @1
@1:
  %3 = phi.i64 [@0 %2, @2 %6]
  %4 = slt.i64 %3, %1
  br %4, @2, @3
@2:
  %5 = iconst.i64 1
  %6 = add.i64 %3, %5
  jmp @1
@3:
  ret %3
}
)");
    CHECK(count(out, "load.i32 [") == 1);
    CHECK(out.find("addr.ptr $lang_preempt_pending") != std::string::npos);
    CHECK(out.find("  preempt\n") != std::string::npos);
    CHECK(out.find("extern $lang_preempt_pending") != std::string::npos);
    // The header phi has entries from the latch and from the slow block.
    CHECK(out.find("%3 = phi.i64 [@0 %2, @2 %6, @4 %6]") != std::string::npos);
    // A leaf function without calls gets no entry test.
    CHECK(out.find("@0:\n  %1 = param.i64 1\n  %2 = iconst.i64 0\n  jmp @1") != std::string::npos);
}

TEST_CASE("preempt: a back-edge out of a br is split; a function with calls tests at entry") {
    std::string out = run_preempt(R"(
extern $g
export func $f(ptr, i64) -> i64 {
@0:
  %0 = param.ptr 0
  %1 = param.i64 1
  %9 = slot.ptr 8, 8
  jmp @1
@1:
  %3 = phi.i64 [@0 %1, @1 %5]
  %4 = iconst.i64 1
  %5 = sub.i64 %3, %4
  %6 = sgt.i64 %5, %4
  br %6, @1, @2
@2:
  %7 = call.i64 $g(%0, %5)
  ret %7
}
)");
    CHECK(count(out, "load.i32 [") == 2);
    CHECK(count(out, "  preempt\n") == 2);
    // Params and slots stay in the entry block, before the test.
    size_t slot = out.find("%9 = slot.ptr 8, 8");
    size_t test = out.find("addr.ptr $lang_preempt_pending");
    REQUIRE(slot != std::string::npos);
    CHECK(slot < test);
}

TEST_CASE("preempt: the preempt op prints, reads back and verifies") {
    const char* text = "export func $p(ptr) {\n@0:\n  preempt\n  ret\n}\n";
    Arena a;
    ir::Module m(a);
    std::string err;
    REQUIRE_MESSAGE(ir::read(m, text, strlen(text), &err), err);
    REQUIRE(m.funcs.size == 1);
    CHECK(m.funcs[0]->blocks[0]->insts[0]->op == ir::Op::preempt);
    CHECK_MESSAGE(ir::verify(m, &err), err);
    CHECK(ir::print(m) == text);
    // dce keeps it (a side effect: it may switch threads).
    ir::dce(m, *m.funcs[0]);
    CHECK(ir::print(m) == text);
    // It defines no value.
    const char* bad = "export func $p(ptr) {\n@0:\n  %1 = preempt\n  ret\n}\n";
    Arena a2;
    ir::Module m2(a2);
    CHECK_FALSE(ir::read(m2, bad, strlen(bad), &err));
}

TEST_CASE("preempt: functions without loops or calls are unchanged") {
    const char* text = "export func $id(ptr, i64) -> i64 {\n@0:\n  %1 = param.i64 1\n  ret %1\n}\n";
    std::string out = run_preempt(text);
    CHECK(out.find("lang_preempt") == std::string::npos);
}

TEST_CASE("concurrency: test/run/2*_conc_*.lang lower, pass and verify") {
    std::vector<std::string> files;
    for (const char* dir : {"test/run", "../test/run", "../../test/run"}) {
        DIR* d = opendir(dir);
        if (!d) continue;
        while (dirent* e = readdir(d)) {
            std::string n = e->d_name;
            if (n.size() > 5 && n[0] == '2' && n.find("_conc_") != std::string::npos) files.push_back(std::string(dir) + "/" + n);
        }
        closedir(d);
        break;
    }
    std::sort(files.begin(), files.end());
    CHECK(files.size() >= 10);
    for (const std::string& path : files) {
        CAPTURE(path);
        Compilation c;
        std::string diags;
        c.diag.capture = &diags;
        uint32_t id;
        REQUIRE(c.sources.load(path, &id));
        c.files.push_back(parse_file(c, id));
        bool ok = check_program(c) && c.diag.error_count() == 0;
        CHECK_MESSAGE(ok, diags);
        if (!ok) continue;
        ir::Module m(c.arena);
        CHECK_MESSAGE(lower_program(c, m), diags);
        std::string err;
        CHECK_MESSAGE(ir::verify(m, &err), err);
        for (auto pass : {ir::mark_tailcalls, ir::fold, ir::copyprop, ir::dce, ir::insert_preempt_checks}) {
            for (ir::Func* f : m.funcs) pass(m, *f);
            CHECK_MESSAGE(ir::verify(m, &err), err);
        }
        std::string text = ir::print(m);
        CHECK(text.find("lang_preempt_pending") != std::string::npos);
    }
}
