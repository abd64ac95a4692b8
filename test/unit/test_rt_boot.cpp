// test_rt_boot.cpp: end-to-end checks of the runtime's bootstrap (src/rt/bootstrap.c):
// a small C program stands in for compiled Lang code (it defines lang_main and a
// `lang_funcs` table for its functions), is compiled with `cc` and linked with
// liblangrt.a, then run: args, console output, exit status, panic messages and stack
// traces, fault handling, stack overflow, the leak report and the arena ownership check.
// The library is $LANG_RT_LIB, else build/liblangrt.a (or build-san/) of this source tree.
#include <doctest/doctest.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "rt/rt_internal.h"

namespace {
const char *kProgram = R"C(
#include <string.h>
#include "lang_rt.h"
#include "lang_alloc.h"

int64_t Program_Helper(LangContext *ctx, int64_t n);
int64_t Program_Deep(LangContext *ctx, int64_t n);

__attribute__((noinline)) int64_t Program_Main(LangContext *ctx, LangArray *args) {
    LangString **a = (LangString **)args->data;
    const char *mode = args->length > 0 ? a[0]->data : "";
    lang_write_i64(args->length);
    lang_write_newline();
    for (int64_t i = 0; i < args->length; i++) {
        lang_write_str(a[i]);
        lang_write_char('|');
        lang_write_i64(a[i]->length);
        lang_write_newline();
    }
    LangString *n1 = lang_str_from_i64(ctx, -7), *n2 = lang_str_from_f64(ctx, 2.5);
    LangString *s = lang_str_concat(ctx, n1, n2);
    lang_str_release(n1);
    lang_str_release(n2);
    lang_write_str(s);
    lang_write_char(' ');
    lang_write_f64(10.0);
    lang_write_char(' ');
    lang_write_f64(1e21);
    lang_write_char(' ');
    lang_write_f32(0.1f);
    lang_write_char(' ');
    lang_write_bool(1);
    lang_write_char(' ');
    lang_write_bool(0);
    lang_write_char(' ');
    lang_write_u64(18446744073709551615ull);
    lang_write_char(0x1F600);
    lang_write_newline();
    if (!strcmp(mode, "bounds")) lang_panic_bounds(5, 3);
    if (!strcmp(mode, "overflow")) lang_panic_overflow();
    if (!strcmp(mode, "divzero")) lang_panic_divzero();
    if (!strcmp(mode, "null")) lang_panic_null();
    if (!strcmp(mode, "assert")) lang_panic_assert("boot.lang", 42);
    if (!strcmp(mode, "helper")) return Program_Helper(ctx, 1);
    if (!strcmp(mode, "segv")) *(volatile int *)16 = 1;
    if (!strcmp(mode, "segvfar")) *(volatile int *)0xfff0 = 1;           /* last null-zone page */
    if (!strcmp(mode, "wild")) *(volatile int *)0x100000000010ull = 1;    /* unmapped, not null */
    if (!strcmp(mode, "noncanon")) *(volatile int *)0x8000000000000010ull = 1; /* #GP, si_addr 0 */
    if (!strcmp(mode, "deep")) return Program_Deep(ctx, 0);
    if (!strcmp(mode, "stack")) return Program_Deep(ctx, 40000) == 123 ? 0 : 1;
    if (!strcmp(mode, "fpe")) { volatile int64_t z = 0; return 7 / z; }
    if (!strcmp(mode, "leak")) lang_alloc(ctx, 100, 16);
    if (!strcmp(mode, "arena")) {
        LangArena *ar = lang_arena_create(0, 0, -1); /* tracks unless LANG_DEBUG=0 */
        LangContext c2 = *ctx;
        c2.allocator = lang_arena_allocator(ar);
        lang_obj_new(&c2, 0, 32);
        lang_arena_destroy(ar);
    }
    if (!strcmp(mode, "lines")) {
        for (int i = 0; i < 20000; i++) { lang_write_i64(i); lang_write_newline(); }
    }
    lang_str_release(s);
    return 300;
}

__attribute__((noinline)) int64_t Program_Helper(LangContext *ctx, int64_t n) {
    (void)ctx;
    if (n > 0) lang_panic("helper failed");
    return 0;
}

/* Without a limit: recurses until the guard page. With n > 0: recurses n levels of ~1 KiB
 * frames (40000 levels need ~40 MiB, more than the default 8 MiB of a pthread). */
__attribute__((noinline)) int64_t Program_Deep(LangContext *ctx, int64_t n) {
    volatile char buf[1024];
    buf[0] = (char)n;
    if (n == 1) return 123;
    if (n > 1) return Program_Deep(ctx, n - 1) + buf[0] - (char)n;
    return Program_Deep(ctx, 0) + buf[0];
}
__asm__(".text\n.globl boot_code_end\nboot_code_end:\n");
extern char boot_code_end[];

/* The function table as the compiler emits it (LangFuncTable in lang_rt.h): header,
 * rows, line tables, strings; `text` is PC-relative, everything else an offset. Helper's
 * line table has a 2-byte negative line step and a 3-byte offset step. */
__asm__(".section lang_funcs,\"a\"\n.balign 8\n"
        "1: .long Program_Main - .\n .long 9f - 1b, 3, 0\n"
        " .long 0, Program_Helper - Program_Main, 5f - 1b, 8f - 1b, 2f - 1b, 1\n"
        " .long Program_Helper - Program_Main, Program_Deep - Program_Helper, 6f - 1b, 8f - 1b, 3f - 1b, 3\n"
        " .long Program_Deep - Program_Main, boot_code_end - Program_Deep, 7f - 1b, 8f - 1b, 4f - 1b, 1\n"
        /* LEB128 (offset step, line step) pairs; Helper's: (0, 200) (1, 30) (65536, 7) */
        "2: .byte 0, 12\n3: .byte 0, 200, 1, 1, 214, 126, 255, 255, 3, 105\n4: .byte 0, 20\n"
        "5: .asciz \"Program.Main\"\n6: .asciz \"Program.Helper\"\n7: .asciz \"Program.Deep\"\n"
        "8: .asciz \"boot.lang\"\n.balign 8\n9:\n.text\n");

int64_t lang_main(LangContext *ctx, LangArray *args) { return Program_Main(ctx, args); }
)C";

std::string root_dir() {
    std::string f = __FILE__;
    std::string tail = "test/unit/test_rt_boot.cpp";
    if (f.size() >= tail.size() && f.compare(f.size() - tail.size(), tail.size(), tail) == 0)
        f.erase(f.size() - tail.size());
    return f.empty() ? "." : f;
}

std::string slurp(const std::string &path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct Built {
    std::string dir, exe, error;
};
struct RemoveDir {
    std::string dir;
    ~RemoveDir() {
        if (!dir.empty()) std::system(("rm -rf " + dir).c_str());
    }
};

// Compiles the program once per test run.
const Built &built() {
    static Built b = [] {
        Built r;
        char tmpl[] = "/tmp/lang-rt-boot-XXXXXX";
        r.dir = mkdtemp(tmpl);
        static RemoveDir cleanup{r.dir};
        std::string root = root_dir();
        const char *env = getenv("LANG_RT_LIB");
        std::string lib = env ? env : root + "/build/liblangrt.a";
        struct stat st;
        if (!env && stat(lib.c_str(), &st) != 0) lib = root + "/build-san/liblangrt.a"; // make SAN=1
        std::ofstream(r.dir + "/prog.c") << kProgram;
        r.exe = r.dir + "/prog";
        // -O0 keeps every function whole and in order; -fno-toplevel-reorder keeps the
        // end marker after the last table function.
        std::string cmd = "cc -std=gnu11 -O0 -fno-omit-frame-pointer -fno-toplevel-reorder -I" + root +
                          "/src/rt " + r.dir + "/prog.c " + lib + " -lpthread -lm -o " + r.exe + " 2>" + r.dir +
                          "/cc.err";
        if (std::system(cmd.c_str()) != 0) r.error = "cannot build the test program: " + cmd + "\n" + slurp(r.dir + "/cc.err");
        return r;
    }();
    return b;
}

struct Run {
    int status;
    std::string out, err;
};

Run run(const std::string &args, const std::string &env = "") {
    const Built &b = built();
    REQUIRE_MESSAGE(b.error.empty(), b.error);
    std::string cmd = env + " " + b.exe + " " + args + " >" + b.dir + "/out 2>" + b.dir + "/err";
    int st = std::system(cmd.c_str());
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, slurp(b.dir + "/out"), slurp(b.dir + "/err")};
}

const char *kBanner = "-72.5 10 1E+21 0.1 true false 18446744073709551615\xF0\x9F\x98\x80\n";
} // namespace

TEST_CASE("rt boot: args exclude the program name; exit status is the low 8 bits") {
    Run r = run("one 'h\xC3\xA9llo w' ''");
    CHECK(r.status == 300 % 256);
    CHECK(r.out == std::string("3\none|3\nh\xC3\xA9llo w|7\n|0\n") + kBanner);
    CHECK(r.err == "");
    Run none = run("");
    CHECK(none.out == std::string("0\n") + kBanner);
}

TEST_CASE("rt boot: stdout is buffered and flushed at exit") {
    Run r = run("lines");
    CHECK(r.status == 44);
    CHECK(r.out.size() > 64 * 1024); // more than one buffer's worth, in order
    CHECK(r.out.find("\n0\n1\n2\n") != std::string::npos);
    CHECK(r.out.substr(r.out.size() - 12) == "19998\n19999\n");
}

TEST_CASE("rt boot: panics print the message and a symbolized trace, exit 101") {
    struct Case {
        const char *mode, *message;
    } cases[] = {
        {"bounds", "panic: index 5 out of range for length 3\n"},
        {"overflow", "panic: integer overflow\n"},
        {"divzero", "panic: division by zero\n"},
        {"null", "panic: null reference\n"},
        {"assert", "panic: assertion failed at boot.lang:42\n"},
    };
    for (const Case &c : cases) {
        INFO(c.mode);
        Run r = run(c.mode);
        CHECK(r.status == 101);
        CHECK(r.err == std::string(c.message) + "  at Program.Main (boot.lang:12)\n");
        // stdout was flushed before the panic message
        CHECK(r.out.find(kBanner) != std::string::npos);
    }
    Run h = run("helper");
    CHECK(h.status == 101);
    CHECK(h.err == "panic: helper failed\n  at Program.Helper (boot.lang:30)\n  at Program.Main (boot.lang:12)\n");
}

TEST_CASE("rt boot: faults become panics") {
    // A fault in the first 64 KiB is a field or element read through null.
    for (const char* mode : {"segv", "segvfar"}) {
        INFO(mode);
        Run s = run(mode);
        CHECK(s.status == 101);
        CHECK(s.err == "panic: null reference\n  at Program.Main (boot.lang:12)\n");
    }
    Run w = run("wild");
    CHECK(w.status == 101);
    CHECK(w.err == "panic: segmentation fault at 0x100000000010\n  at Program.Main (boot.lang:12)\n");
    Run g = run("noncanon"); // a general-protection fault reports address 0: not a null reference
    CHECK(g.status == 101);
    CHECK(g.err == "panic: segmentation fault (bad address)\n  at Program.Main (boot.lang:12)\n");
    Run f = run("fpe");
    CHECK(f.status == 101);
    CHECK(f.err == "panic: division by zero\n  at Program.Main (boot.lang:12)\n");
}

TEST_CASE("rt boot: the main stack is large and overflow hits the guard page") {
    Run ok = run("stack");
    CHECK(ok.status == 0);
    CHECK(ok.err == "");
    Run deep = run("deep");
    CHECK(deep.status == 101);
    CHECK(deep.err.find("panic: stack overflow\n  at Program.Deep (boot.lang:20)\n  at Program.Deep (boot.lang:20)\n") == 0);
    CHECK(deep.err.find("  ... (same frame ") != std::string::npos); // repeats are counted, not printed
    CHECK(deep.err.size() < 400);
}

TEST_CASE("rt boot: LANG_LEAKS=1 reports live allocations at exit") {
    Run clean = run("", "LANG_LEAKS=1");
    CHECK(clean.status == 44);
    CHECK(clean.err == "leak report: 0 allocations, 0 bytes still live\nstring leak report: 0 strings still live\n");
    Run leak = run("leak", "LANG_LEAKS=1");
    CHECK(leak.status == 44);
    CHECK(leak.err.find("leak report: 1 allocations, 100 bytes still live\n  leaked 100 bytes at 0x") == 0);
    Run quiet = run("leak");
    CHECK(quiet.err == "");
}

TEST_CASE("rt boot: an arena destroyed with live objects panics with the allocation site") {
    Run r = run("arena");
    CHECK(r.status == 101);
    CHECK(r.err == "panic: arena freed with 1 live allocation; first allocated at Program.Main (boot.lang:12)\n"
                   "  at Program.Main (boot.lang:12)\n");
    Run off = run("arena", "LANG_DEBUG=0");
    CHECK(off.status == 44); // debug checks off: no tracking, no panic
}

TEST_CASE("rt stack trace: line tables map offsets to lines") {
    static const LangLine lines[] = {{0, 5}, {16, 6}, {40, 9}};
    static const LangFuncInfo table[] = {
        {0x1000, 0x1100, "A.F", "a.lang", lines, 3},
        {0x1100, 0x1180, "A.G", "a.lang", nullptr, 0},
    };
    lang_rt_register_funcs(table, table + 2);
    uint32_t line = 0;
    CHECK(lang_rt_find_func(0x1000, &line) == &table[0]);
    CHECK(line == 5);
    CHECK(lang_rt_find_func(0x100f, &line) == &table[0]);
    CHECK(line == 5);
    CHECK(lang_rt_find_func(0x1010, &line) == &table[0]);
    CHECK(line == 6);
    CHECK(lang_rt_find_func(0x10ff, &line) == &table[0]);
    CHECK(line == 9);
    CHECK(lang_rt_find_func(0x1100, &line) == &table[1]);
    CHECK(line == 0);
    CHECK(lang_rt_find_func(0x1180, &line) == nullptr);
    char buf[128];
    lang_rt_describe_pc(0x1028, 0, buf, sizeof buf);
    CHECK(std::string(buf) == "A.F (a.lang:9)");
    lang_rt_describe_pc(0x1100, 1, buf, sizeof buf); // return address: looks up pc - 1
    CHECK(std::string(buf) == "A.F (a.lang:9)");
    lang_rt_describe_pc(0x1101, 1, buf, sizeof buf);
    CHECK(std::string(buf) == "A.G (a.lang)");
}
