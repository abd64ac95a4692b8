// test_ctxelim.cpp: the drop_unused_context pass (src/ir/ctxelim.cpp) and the `ctx`
// keyword of the IR text form. Each case reads IR text, runs the pass, verifies and
// compares the printed module.
#include "ir/ir.h"
#include <doctest/doctest.h>
#include <cstring>
#include <string>

using namespace lang;
using namespace lang::ir;

namespace {

// Reads `text`, runs the pass, verifies; returns the printed module.
std::string run(const std::string& text) {
    Arena a;
    Module m(a);
    std::string err;
    REQUIRE_MESSAGE(read(m, text.data(), text.size(), &err), err);
    REQUIRE_MESSAGE(verify(m, &err), err);
    drop_unused_context(m);
    CHECK_MESSAGE(verify(m, &err), err);
    std::string out = print(m);
    // Round trip of the result, and idempotence.
    Arena a2;
    Module m2(a2);
    REQUIRE_MESSAGE(read(m2, out.data(), out.size(), &err), err);
    CHECK(print(m2) == out);
    drop_unused_context(m2);
    CHECK(print(m2) == out);
    return out;
}

bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

const char* kFib = R"(func $fib(ptr, i64) -> i64 ctx {
@0:
  %0 = param.ptr 0
  %1 = param.i64 1
  %2 = iconst.i64 2
  %3 = slt.i64 %1, %2
  br %3, @1, @2
@1:
  ret %1
@2:
  %4 = iconst.i64 1
  %5 = sub.i64 %1, %4
  %6 = call.i64 $fib(%0, %5)
  %7 = sub.i64 %1, %2
  %8 = call.i64 $fib(%0, %7)
  %9 = add.i64 %6, %8
  ret %9
}

export func $lang_main(ptr, ptr) -> i64 {
@0:
  %0 = param.ptr 0
  %1 = iconst.i64 30
  %2 = call.i64 $fib(%0, %1)
  ret %2
}
)";

} // namespace

TEST_CASE("ctxelim: the ctx keyword round-trips") {
    Arena a;
    Module m(a);
    std::string err;
    const char* text = "export func $f(ptr, i64) -> i64 ctx file \"x.lang\" {\n@0:\n  %1 = param.i64 1\n  ret %1\n}\n"
                       "func $g(ptr) {\n@0:\n  ret\n}\n";
    REQUIRE_MESSAGE(read(m, text, strlen(text), &err), err);
    REQUIRE(m.funcs.size == 2);
    CHECK(m.funcs[0]->has_ctx);
    CHECK(!m.funcs[1]->has_ctx);
    CHECK(print(m) == "export func $f(ptr, i64) -> i64 ctx file \"x.lang\" {\n@0:\n  %1 = param.i64 1\n  ret %1\n}\n\n"
                      "func $g(ptr) {\n@0:\n  ret\n}\n");
}

TEST_CASE("ctxelim: self-recursive fib loses its context; callers drop argument 0") {
    CHECK(run(kFib) == R"(func $fib(i64) -> i64 {
@0:
  %1 = param.i64 0
  %2 = iconst.i64 2
  %3 = slt.i64 %1, %2
  br %3, @1, @2
@1:
  ret %1
@2:
  %4 = iconst.i64 1
  %5 = sub.i64 %1, %4
  %6 = call.i64 $fib(%5)
  %7 = sub.i64 %1, %2
  %8 = call.i64 $fib(%7)
  %9 = add.i64 %6, %8
  ret %9
}

export func $lang_main(ptr, ptr) -> i64 {
@0:
  %0 = param.ptr 0
  %1 = iconst.i64 30
  %2 = call.i64 $fib(%1)
  ret %2
}
)");
}

TEST_CASE("ctxelim: a tailcall site and an unused context") {
    const char* text = R"(func $loop(ptr, i64) -> i64 ctx {
@0:
  %1 = param.i64 1
  %6 = param.ptr 0
  %2 = iconst.i64 0
  %3 = eq.i64 %1, %2
  br %3, @1, @2
@1:
  ret %1
@2:
  %4 = iconst.i64 1
  %5 = sub.i64 %1, %4
  tailcall.i64 $loop(%6, %5)
}

func $leaf(ptr, i64) -> i64 ctx {
@0:
  %1 = param.i64 1
  ret %1
}

func $caller(ptr) -> i64 ctx {
@0:
  %0 = param.ptr 0
  %1 = iconst.i64 3
  %2 = call.i64 $leaf(%0, %1)
  tailcall.i64 $loop(%0, %2)
}
)";
    CHECK(run(text) == R"(func $loop(i64) -> i64 {
@0:
  %1 = param.i64 0
  %2 = iconst.i64 0
  %3 = eq.i64 %1, %2
  br %3, @1, @2
@1:
  ret %1
@2:
  %4 = iconst.i64 1
  %5 = sub.i64 %1, %4
  tailcall.i64 $loop(%5)
}

func $leaf(i64) -> i64 {
@0:
  %1 = param.i64 0
  ret %1
}

func $caller() -> i64 {
@0:
  %1 = iconst.i64 3
  %2 = call.i64 $leaf(%1)
  tailcall.i64 $loop(%2)
}
)");
}

TEST_CASE("ctxelim: a function that passes its context to the runtime keeps it") {
    const char* text = R"(extern $lang_write_str

func $hello(ptr, ptr) ctx {
@0:
  %0 = param.ptr 0
  %1 = param.ptr 1
  call $lang_write_str(%0, %1)
  ret
}

func $outer(ptr, ptr) ctx {
@0:
  %0 = param.ptr 0
  %1 = param.ptr 1
  call $hello(%0, %1)
  ret
}
)";
    CHECK(run(text) == text);
}

TEST_CASE("ctxelim: mutual recursion where one side needs the context keeps both") {
    const char* text = R"(extern $lang_panic

func $even(ptr, i64) -> i8 ctx {
@0:
  %0 = param.ptr 0
  %1 = param.i64 1
  %2 = iconst.i64 1
  %3 = sub.i64 %1, %2
  %4 = call.i8 $odd(%0, %3)
  ret %4
}

func $odd(ptr, i64) -> i8 ctx {
@0:
  %0 = param.ptr 0
  %1 = param.i64 1
  call $lang_panic(%0)
  %2 = call.i8 $even(%0, %1)
  ret %2
}

func $ping(ptr, i64) -> i8 ctx {
@0:
  %0 = param.ptr 0
  %1 = param.i64 1
  %2 = call.i8 $pong(%0, %1)
  ret %2
}

func $pong(ptr, i64) -> i8 ctx {
@0:
  %0 = param.ptr 0
  %1 = param.i64 1
  %2 = call.i8 $ping(%0, %1)
  ret %2
}
)";
    std::string out = run(text);
    // even/odd keep theirs; ping/pong (the same shape without the runtime call) lose it.
    CHECK(has(out, "func $even(ptr, i64) -> i8 ctx {"));
    CHECK(has(out, "%4 = call.i8 $odd(%0, %3)"));
    CHECK(has(out, "func $odd(ptr, i64) -> i8 ctx {"));
    CHECK(has(out, "%2 = call.i8 $even(%0, %1)"));
    CHECK(has(out, "func $ping(i64) -> i8 {\n@0:\n  %1 = param.i64 0\n  %2 = call.i8 $pong(%1)"));
    CHECK(has(out, "func $pong(i64) -> i8 {\n@0:\n  %1 = param.i64 0\n  %2 = call.i8 $ping(%1)"));
}

TEST_CASE("ctxelim: an address-taken function keeps its context, and so do callers passing theirs to it") {
    const char* text = R"(func $f(ptr, i64) -> i64 ctx {
@0:
  %1 = param.i64 1
  ret %1
}

func $g(ptr) -> ptr ctx {
@0:
  %0 = param.ptr 0
  %1 = iconst.i64 1
  %2 = call.i64 $f(%0, %1)
  %3 = addr.ptr $f
  ret %3
}
)";
    std::string out = run(text);
    CHECK(has(out, "func $f(ptr, i64) -> i64 ctx {"));
    CHECK(has(out, "func $g(ptr) -> ptr ctx {"));
    CHECK(has(out, "call.i64 $f(%0, %1)"));
    CHECK(run(text) == text);
}

TEST_CASE("ctxelim: a function in a vtable keeps its context") {
    const char* text = R"(data $vt rodata align 8 { addr $m }

func $m(ptr, ptr) -> i64 ctx {
@0:
  %1 = iconst.i64 7
  ret %1
}

func $n(ptr) -> i64 ctx {
@0:
  %1 = iconst.i64 8
  ret %1
}

func $use(ptr, ptr) -> i64 ctx {
@0:
  %0 = param.ptr 0
  %1 = param.ptr 1
  %2 = call.i64 $m(%0, %1)
  %3 = call.i64 $n(%0)
  %4 = add.i64 %2, %3
  ret %4
}
)";
    std::string out = run(text);
    CHECK(has(out, "func $m(ptr, ptr) -> i64 ctx {"));
    CHECK(has(out, "func $n() -> i64 {"));
    // use passes its context to m, which keeps it.
    CHECK(has(out, "func $use(ptr, ptr) -> i64 ctx {"));
    CHECK(has(out, "%2 = call.i64 $m(%0, %1)\n  %3 = call.i64 $n()\n"));
}

TEST_CASE("ctxelim: an indirect call that passes the context keeps it") {
    const char* text = R"(func $ind(ptr, ptr) -> i64 ctx {
@0:
  %0 = param.ptr 0
  %1 = param.ptr 1
  %2 = callind.i64 %1(%0)
  ret %2
}

func $top(ptr, ptr) -> i64 ctx {
@0:
  %0 = param.ptr 0
  %1 = param.ptr 1
  %2 = call.i64 $ind(%0, %1)
  ret %2
}
)";
    CHECK(run(text) == text);
}

TEST_CASE("ctxelim: other uses of the context, lang_main and functions without the flag are kept") {
    const char* text = R"(func $stores(ptr, ptr) ctx {
@0:
  %0 = param.ptr 0
  %1 = param.ptr 1
  store.ptr [%1], %0
  ret
}

func $second(ptr, ptr) ctx {
@0:
  %0 = param.ptr 0
  %1 = param.ptr 1
  call $noflag(%1, %0)
  ret
}

func $noflag(ptr, ptr) {
@0:
  ret
}

export func $lang_main(ptr, ptr) -> i64 ctx {
@0:
  %1 = iconst.i64 0
  ret %1
}
)";
    CHECK(run(text) == text);
}

// `context.gc_enabled = false;` (lower_context.cpp): the function copies its context into
// a slot and passes the copy on. The copy reads parameter 0, so the function keeps it; a
// callee that reads the copy keeps its own; a callee that never needs a context loses it
// and the argument goes, whichever context was passed.
TEST_CASE("ctxelim: a context copied for a block keeps the context; callees decide for themselves") {
    const char* text = R"(func $flag(ptr) -> i64 ctx {
@0:
  %0 = param.ptr 0
  %1 = load.i64 [%0+72]
  ret %1
}

func $square(ptr, i64) -> i64 ctx {
@0:
  %0 = param.ptr 0
  %1 = param.i64 1
  %2 = mul.i64 %1, %1
  ret %2
}

func $outer(ptr) -> i64 ctx {
@0:
  %0 = param.ptr 0
  %1 = slot.ptr 88, 8
  memcpy %1, %0, 88
  %2 = iconst.i64 0
  store.i64 [%1+72], %2
  %3 = call.i64 $flag(%1)
  %4 = call.i64 $square(%1, %3)
  ret %4
}
)";
    std::string out = run(text);
    CHECK(has(out, "func $flag(ptr) -> i64 ctx"));
    CHECK(has(out, "func $outer(ptr) -> i64 ctx"));
    CHECK(has(out, "func $square(i64) -> i64 {"));
    CHECK(has(out, "call.i64 $flag(%1)"));
    CHECK(has(out, "call.i64 $square(%3)"));
}
