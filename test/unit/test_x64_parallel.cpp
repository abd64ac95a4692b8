// test_x64_parallel.cpp: x64::compile on several threads produces exactly the object one
// thread produces (the functions are cut into runs, compiled in parallel and merged in
// order), and internal errors found by a worker are reported through the caller's Diag.
#include "codegen/target.h"
#include "ir/ir.h"
#include "obj/object.h"

#include <doctest/doctest.h>
#include <atomic>
#include <string>
#include <vector>

using namespace lang;

namespace {

// A module of n functions of varied size: F_k(a) loops k % 7 times adding a, calls
// F_{k-1} (a relocation to another function) and returns.
std::string many_funcs(int n) {
    std::string s;
    for (int k = 0; k < n; k++) {
        std::string name = "F" + std::to_string(k);
        s += "export func $" + name + "(i64) -> i64 file \"t.lang\" {\n@0:\n  %0 = param.i64 0\n";
        s += "  %1 = iconst.i64 0\n  jmp @1\n@1:\n";
        s += "  %2 = phi.i64 [@0 %1, @2 %4]\n  %3 = slt.i64 %2, %0\n  br %3, @2, @3\n@2:\n";
        s += "  %4 = add.i64 %2, %0 !" + std::to_string(k + 1) + "\n  jmp @1\n@3:\n";
        for (int j = 0; j < k % 7; j++)
            s += "  %" + std::to_string(10 + j) + " = mul.i64 %2, %0 !" + std::to_string(k + 2) + "\n";
        if (k > 0) s += "  %9 = call.i64 $F" + std::to_string(k - 1) + "(%2)\n  ret %9\n}\n";
        else s += "  ret %2\n}\n";
    }
    return s;
}

std::vector<uint8_t> compile_with(const std::string& text, int jobs, std::string* diags) {
    Arena arena;
    ir::Module m(arena);
    std::string err;
    REQUIRE_MESSAGE(ir::read(m, text.data(), text.size(), &err), err);
    SourceManager sm;
    Diag diag(sm);
    diag.capture = diags;
    obj::Object o;
    bool ok = x64::compile(m, o, diag, jobs);
    std::vector<uint8_t> bytes;
    if (ok) REQUIRE(obj::write_elf(o, bytes, &err));
    return bytes;
}

} // namespace

TEST_CASE("x64 parallel codegen: the object does not depend on the number of threads") {
    std::string text = many_funcs(300);
    std::string d1, d;
    std::vector<uint8_t> one = compile_with(text, 1, &d1);
    REQUIRE(!one.empty());
    CHECK(d1.empty());
    for (int jobs : {2, 3, 8, 64}) { // 64 threads for 300 functions: many tiny runs
        CAPTURE(jobs);
        std::vector<uint8_t> many = compile_with(text, jobs, &d);
        CHECK(d.empty());
        CHECK(many == one);
    }
}

TEST_CASE("x64 parallel codegen: a worker's internal error reaches the caller's diagnostics") {
    // A function whose param index is out of range is an isel error; it is the last
    // function, so with 4 workers it is found on a worker thread, not the calling one.
    std::string text = many_funcs(40) +
                       "export func $Broken(i64) -> i64 {\n@0:\n  %0 = param.i64 3\n  ret %0\n}\n";
    std::string captured;
    std::vector<uint8_t> bytes = compile_with(text, 4, &captured);
    CHECK(bytes.empty());
    CHECK(captured.find("lang: error: internal compiler error: x64 isel: param index out of range in Broken") !=
          std::string::npos);
}

TEST_CASE("x64 Codegen fed one function at a time: done() once per function, then the body is never read") {
    std::string text = many_funcs(300);
    std::string d1;
    std::vector<uint8_t> ref = compile_with(text, 1, &d1);
    REQUIRE(!ref.empty());
    for (int jobs : {1, 2, 4}) {
        CAPTURE(jobs);
        Arena arena;
        ir::Module m(arena);
        std::string err;
        REQUIRE_MESSAGE(ir::read(m, text.data(), text.size(), &err), err);
        std::vector<std::atomic<int>> calls(m.funcs.size);
        SourceManager sm;
        Diag diag(sm);
        obj::Object o;
        {
            // done() wrecks the function's blocks: a later read would change the object or crash.
            x64::Codegen cg(m, jobs, [&](void* tag) {
                ir::Func* f = static_cast<ir::Func*>(tag);
                for (uint32_t k = 0; k < m.funcs.size; k++)
                    if (m.funcs[k] == f) calls[k]++;
                for (ir::Block* b : f->blocks) b->insts.size = 0, b->insts.data = nullptr;
            });
            // Added all at once, so more than 32 wait and add() compiles some itself.
            for (ir::Func* f : m.funcs) cg.add(*f, f);
            REQUIRE(cg.finish(o, diag));
        }
        for (uint32_t k = 0; k < m.funcs.size; k++) CHECK(calls[k] == 1);
        std::vector<uint8_t> bytes;
        REQUIRE(obj::write_elf(o, bytes, &err));
        CHECK(bytes == ref);
    }
}
