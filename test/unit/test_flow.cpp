// test_flow.cpp: warnings in the diagnostics sink, and the flow analysis of sema
// (src/sema/flow.cpp): test/errors/flow_*.lang must report exactly their expected errors
// (no follow-on errors), and small programs check the definite-assignment, unreachable,
// unused and constant rules, counting errors and warnings separately.
#include "common/compilation.h"
#include "parse/parser.h"
#include "sema/sema.h"
#include <doctest/doctest.h>
#include <dirent.h>
#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace lang;

namespace {

std::string slurp_file(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string errors_dir() {
    for (const char* p : {"test/errors", "../test/errors", "../../test/errors"})
        if (DIR* d = opendir(p)) { closedir(d); return p; }
    return "test/errors";
}

int count_of(const std::string& text, const std::string& what) {
    int n = 0;
    for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) n++;
    return n;
}

struct Run {
    Compilation c;
    std::string out;
    bool ok = false;
    explicit Run(const std::string& src, bool werror = false, bool silent = false) {
        c.diag.capture = &out;
        c.diag.warnings_as_errors = werror;
        c.diag.no_warnings = silent;
        c.files.push_back(parse_file(c, c.sources.add("t.lang", src)));
        REQUIRE_MESSAGE(c.diag.error_count() == 0, out);
        ok = check_program(c);
    }
};

} // namespace

TEST_CASE("diag: warnings are counted apart from errors, -Werror and -w") {
    SourceManager sm;
    uint32_t f = sm.add("w.lang", "let x = 1;\n");
    Diag d(sm);
    std::string out;
    d.capture = &out;
    d.warning(Span{f, 4, 5}, "unused variable '%s'", "x");
    CHECK(d.warning_count() == 1);
    CHECK(d.error_count() == 0);
    CHECK(out == "w.lang:1:5: warning: unused variable 'x'\n    let x = 1;\n        ^\n");

    out.clear();
    Diag e(sm);
    e.capture = &out;
    e.warnings_as_errors = true;
    e.warning(Span{f, 4, 5}, "unused variable 'x'");
    CHECK(e.error_count() == 1);
    CHECK(e.warning_count() == 0);
    CHECK(out.rfind("w.lang:1:5: error: unused variable 'x' [-Werror]\n", 0) == 0);

    out.clear();
    Diag s(sm);
    s.capture = &out;
    s.no_warnings = true;
    s.warning(Span{f, 4, 5}, "unused variable 'x'");
    CHECK(out.empty());
    CHECK(s.warning_count() == 0);
    CHECK(s.error_count() == 0);
}

TEST_CASE("diag: held messages are neither printed nor counted until released") {
    SourceManager sm;
    uint32_t f = sm.add("h.lang", "let x = 1;\n");
    Diag d(sm);
    std::string out;
    d.capture = &out;
    Diag::Held h, dropped;
    d.held = &h;
    d.error(Span{f, 0, 3}, "first");
    d.warning(Span{f, 4, 5}, "second");
    d.held = &dropped;
    d.error(Span{f, 4, 5}, "never shown");
    d.held = nullptr;
    CHECK(out.empty());
    CHECK(d.error_count() == 0);
    CHECK(d.warning_count() == 0);
    CHECK(h.errors == 1);
    CHECK(h.warnings == 1);
    d.error(Span{f, 8, 9}, "now");
    d.release(h);
    CHECK(d.error_count() == 2);
    CHECK(d.warning_count() == 1);
    CHECK(out.find("h.lang:1:9: error: now") < out.find("h.lang:1:1: error: first"));
    CHECK(out.find("h.lang:1:5: warning: second") != std::string::npos);
    CHECK(out.find("never shown") == std::string::npos);
}

TEST_CASE("flow: test/errors/flow_* report exactly their expected errors") {
    std::string dir = errors_dir();
    std::vector<std::string> files;
    if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d)) {
            std::string n = e->d_name;
            if (n.rfind("flow_", 0) == 0 && n.size() > 5 && n.compare(n.size() - 5, 5, ".lang") == 0)
                files.push_back(dir + "/" + n);
        }
        closedir(d);
    }
    std::sort(files.begin(), files.end());
    CHECK(files.size() >= 5);
    for (auto& path : files) {
        std::string src = slurp_file(path);
        Compilation c;
        std::string errs;
        c.diag.capture = &errs;
        c.files.push_back(parse_file(c, c.sources.add(path, src)));
        if (c.diag.error_count() == 0) check_program(c); // parse errors stop the build there
        int expected = count_of(src, "// error: ");
        CHECK_MESSAGE(expected > 0, path);
        std::istringstream in(src);
        std::string line;
        while (std::getline(in, line)) {
            size_t k = line.find("// error: ");
            if (k == std::string::npos) continue;
            std::string want = line.substr(k + 10);
            size_t colon = want.find(": ");
            REQUIRE(colon != std::string::npos);
            std::string full = path + ":" + want.substr(0, colon) + ": error: " + want.substr(colon + 2);
            CHECK_MESSAGE(errs.find(full) != std::string::npos, "missing: " << full << "\ngot:\n" << errs);
        }
        int got = count_of(errs, ": error: ");
        CHECK_MESSAGE(got == expected, path << ": expected " << expected << " errors, got " << got << ":\n" << errs);
    }
}

TEST_CASE("flow: definite assignment accepts every path that assigns") {
    Run r(R"(
class Foo { public int Get() => 1; }
public class Program {
    static bool C() => true;
    public static void Main() {
        var a: int;
        var b: Foo;
        if (C()) { a = 1; b = new Foo(); } else { a = 2; b = new Foo(); }
        var c: int;
        while (true) { if (C()) { c = 3; break; } }
        var d: int;
        if (!C()) { return; } else { d = 4; }
        var e: int;
        match (a) { 1 => { e = 1; }, _ => { panic("x"); } }
        Console.WriteLine(a + b.Get() + c + d + e);
    }
}
)");
    CHECK_MESSAGE(r.ok, r.out);
    CHECK_MESSAGE(r.c.diag.warning_count() == 0, r.out);
}

TEST_CASE("flow: warnings do not fail the check; -Werror does; -w hides them") {
    const char* src = R"(
public class Program {
    public static void Main() {
        let x = 10 / 0;
        return;
        Console.WriteLine("never");
    }
}
)";
    Run plain(src);
    CHECK(plain.ok);
    CHECK(plain.c.diag.warning_count() == 3); // division by zero, unreachable, unused 'x'
    CHECK(count_of(plain.out, "t.lang:4:17: warning: division by zero: it panics at run time") == 1);
    CHECK(count_of(plain.out, "t.lang:6:9: warning: unreachable code") == 1);
    CHECK(count_of(plain.out, "t.lang:4:13: warning: unused variable 'x'") == 1);
    Run strict(src, true);
    CHECK(!strict.ok);
    CHECK(strict.c.diag.error_count() == 3);
    Run quiet(src, false, true);
    CHECK(quiet.ok);
    CHECK(quiet.out.empty());
}

TEST_CASE("flow: one warning per unreachable block, none for loops that can end") {
    Run r(R"(
public class Program {
    static int F(int start) {
        var n = start;
        while (n > 0) { n -= 1; if (n == 5) { break; } }
        for (;;) { if (n < 3) { break; } n -= 1; }
        for (let i in 0..n) { continue; }
        return n;
        n += 1;
        n += 2;
        { n += 3; }
    }
    public static void Main() { Console.WriteLine(F(9)); }
}
)");
    CHECK_MESSAGE(r.ok, r.out);
    CHECK_MESSAGE(r.c.diag.warning_count() == 1, r.out);
    CHECK(count_of(r.out, "t.lang:9:9: warning: unreachable code") == 1);
}

TEST_CASE("flow: constructors may set fields through every branch before using this") {
    Run r(R"(
class Node { public int V; }
class Tree {
    Node root;
    Node? extra;
    var int size;
    public Tree(bool big) {
        if (big) { root = new Node(); size = 2; } else { this.root = new Node(); }
        Describe();
    }
    public Tree(int n) : this(n > 0) { size = n; }
    public void Describe() { Console.WriteLine(size); }
}
public class Program {
    public static void Main() { let t = new Tree(3); t.Describe(); }
}
)");
    CHECK_MESSAGE(r.ok, r.out);
    CHECK_MESSAGE(r.c.diag.warning_count() == 0, r.out);
}
