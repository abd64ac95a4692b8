// test_nesting.cpp: the nesting limit (kMaxParseDepth) for every kind of chain and nesting
// (binary chains, member/index/call/method chains, unary prefixes, casts, `??` and `?:`
// chains, parentheses, literals, type suffixes, tuple and generic types, lambdas, blocks,
// if/while nests, else-if chains, match, patterns). For each kind the test searches the
// longest accepted construct and checks that
//  - it costs one level per node (the longest accepted one is within a few levels of the
//    limit: a chain of N links counts N levels, not 1 and not 2N),
//  - one unit more gives exactly one error, "nesting is too deep", at the token that
//    goes past the limit (line and column checked),
//  - at the limit the program passes sema and lowering and dumps as an AST: the walks
//    that recurse once per level fit in the stack (also in sanitizer builds, whose
//    frames are several times bigger; `make test SAN=1` runs this file too).
// Also the same limit for declarations: structs inside structs by value and chains of
// base classes (laid out and looked up recursively).
#include "common/compilation.h"
#include "ir/ir.h"
#include "ir/lower.h"
#include "parse/ast.h"
#include "parse/parser.h"
#include "sema/sema.h"
#include <doctest/doctest.h>
#include <functional>
#include <string>

using namespace lang;

namespace {

const char* const kHead = "public gc class Node { public var Node N; public Node() { N = this; } public Node Me() { return this; } }\n"
                          "public enum Shape { Dot, Pair(int a, int b) }\n"
                          "public class Program {\n"
                          "    static int Id(int x) { return x; }\n"
                          "    public static void Main() {\n"
                          "        var node = new Node();\n"
                          "        var q: int? = 1;\n"
                          "        var s = 0;\n";
const int kLine = 9; // the line of the generated statement
const char* const kTail = "\n        Console.WriteLine(s);\n    }\n}\n";

std::string rep(const char* s, int n) {
    std::string out;
    for (int i = 0; i < n; i++) out += s;
    return out;
}

// A statement nesting `n` units deep; *last = offset of the last unit in it.
using Gen = std::function<std::string(int n, size_t* last)>;

// prefix unit^n core close^n suffix
Gen nest(std::string prefix, std::string unit, std::string core, std::string close, std::string suffix) {
    return [=](int n, size_t* last) {
        *last = prefix.size() + unit.size() * (n - 1);
        return prefix + rep(unit.c_str(), n) + core + rep(close.c_str(), n) + suffix;
    };
}

struct Kind {
    const char* name;
    int per_unit;   // levels one unit costs
    Gen gen;
    int off;        // the error's column relative to the last unit
    bool checked;   // a valid program: sema and lowering run at the limit
};

struct Run {
    Compilation c;
    std::string diags;
    bool parsed = false, checked = false, lowered = false;
    std::string ast;
    Run(const std::string& stmt, bool full) {
        c.diag.capture = &diags;
        c.diag.max_errors = 100;
        uint32_t id = c.sources.add("t.lang", kHead + std::string("        ") + stmt + kTail);
        FileAst* f = parse_file(c, id);
        c.files.push_back(f);
        parsed = c.diag.error_count() == 0;
        if (!parsed || !full) return;
        ast = dump_ast(c, f);
        checked = check_program(c) && c.diag.error_count() == 0;
        if (!checked) return;
        ir::Module m(c.arena);
        lowered = lower_program(c, m) && c.diag.error_count() == 0;
        if (lowered) ast += ir::print(m); // the IR printer walks it too
    }
};

std::vector<Kind> kinds() {
    std::vector<Kind> k;
    k.push_back({"binary chain", 1, nest("s = 1", " + 1", "", "", ";"), 1, true});
    k.push_back({"string concatenation", 1, nest("let t = \"a\"", " + \"a\"", "", "", "; s = t.Length;"), 1, true});
    k.push_back({"&& chain", 1, nest("let b = true", " && true", "", "", ";"), 1, true});
    k.push_back({"comparison chain", 1, nest("let b = 1", " < 2 == true", "", "", ";"), 5, false});
    k.push_back({"?? chain (right-deep)", 1, nest("s = ", "q ?? ", "1", "", ";"), 2, true});
    k.push_back({"?: chain (right-deep)", 1, nest("s = ", "s == 0 ? 1 : ", "0", "", ";"), 14, true});
    k.push_back({"assignment chain", 1, nest("", "s = ", "1", "", ";"), 4, false});
    k.push_back({"member chain", 1, nest("let m = node", ".N", "", "", ";"), 0, true});
    k.push_back({"method chain", 2, nest("let m = node", ".Me()", "", "", ";"), 0, true});
    k.push_back({"call chain", 1, nest("let f = g", "(1)", "", "", ";"), 0, false});
    k.push_back({"nested calls", 1, nest("s = ", "Id(", "1", ")", ";"), 2, true});
    k.push_back({"index chain", 1,
                 [](int n, size_t* last) {
                     std::string p = "var a = new int" + rep("[]", n - 1) + "[1]; if (s == 1) { s = a";
                     *last = p.size() + 3 * (n - 1);
                     return p + rep("[0]", n) + "; }";
                 },
                 0, true});
    k.push_back({"tuple index chain", 1, nest("let x = t", ".0", "", "", ";"), 0, false});
    k.push_back({"?. chain", 1, nest("let x = node", "?.N", "", "", ";"), 0, false});
    k.push_back({"unary minus", 1, nest("s = ", "- ", "1", "", ";"), 0, true});
    k.push_back({"unary not", 1, nest("let b = ", "!", "true", "", ";"), 0, true});
    k.push_back({"casts", 1, nest("s = ", "(int)", "1", "", ";"), 1, true});
    k.push_back({"parentheses", 1, nest("s = ", "(", "1", ")", ";"), 1, true});
    k.push_back({"array literals", 1, nest("let t = ", "[", "1", "]", ";"), 1, true});
    k.push_back({"tuple literals", 1, nest("let t = ", "(1, ", "1", ")", ";"), 1, true});
    k.push_back({"interpolated strings", 1, nest("let t = ", "$\"{", "1", "}\"", ";"), 3, true});
    k.push_back({"new arrays", 1, nest("let t = new int", "[]", "", "", "[1];"), 0, true});
    k.push_back({"array type suffixes", 1, nest("var a: int", "[]", "", "", " = null;"), 0, false});
    k.push_back({"nullable type suffixes", 2, nest("var a: int", "[]?", "", "", " = null;"), 0, true});
    k.push_back({"pointer types", 1, nest("var a: ", "*", "int", "", " = null;"), 1, false});
    k.push_back({"tuple types", 1, nest("var t: ", "(int, ", "int", ")", " = null;"), 1, false});
    k.push_back({"generic types", 1, nest("var t: ", "Channel<", "int", ">", " = null;"), 8, false});
    k.push_back({"function types", 1, nest("var f: ", "(int) => ", "int", "", " = null;"), 1, false});
    k.push_back({"lambdas", 1, nest("let f = ", "x => ", "1", "", ";"), 5, false});
    k.push_back({"lambdas with blocks", 3, nest("let f = ", "() => { return ", "1", "; }", ";"), 6, false});
    k.push_back({"blocks", 1, nest("", "{ ", "s = 1;", " }", ""), 6, true});
    k.push_back({"if", 1, nest("", "if (s == 0) ", "s = 1;", "", ""), 16, true});
    k.push_back({"while", 1, nest("", "while (s == 1) ", "s = 2;", "", ""), 19, true});
    k.push_back({"else-if chain", 1, nest("", "if (s == 1) { s = 2; } else ", "{ s = 3; }", "", ""), 18, true});
    k.push_back({"match", 1, nest("s = ", "match (s) { 0 => ", "1", ", _ => 2 }", ";"), 7, true});
    k.push_back({"tuple patterns", 1, nest("let b = s is ", "(1, ", "1", ")", ";"), 1, false});
    k.push_back({"catch chain", 1, nest("s = Id(1)", " catch 1", "", "", ";"), 1, false});
    return k;
}

int column_of(const std::string& diags) { // of the first "t.lang:9:COL: error"
    std::string key = "t.lang:" + std::to_string(kLine) + ":";
    size_t at = diags.find(key);
    if (at == std::string::npos) return -1;
    return atoi(diags.c_str() + at + key.size());
}

} // namespace

TEST_CASE("nesting: every kind of chain and nesting counts one level per node, up to the limit") {
    for (const Kind& k : kinds()) {
        std::string name = k.name;
        CAPTURE(name);
        // The longest accepted unit count (parsing only: quick).
        int lo = 1, hi = kMaxParseDepth + 10;
        size_t last;
        REQUIRE(Run(k.gen(lo, &last), false).parsed);
        REQUIRE(!Run(k.gen(hi, &last), false).parsed);
        while (hi - lo > 1) {
            int mid = (lo + hi) / 2;
            (Run(k.gen(mid, &last), false).parsed ? lo : hi) = mid;
        }
        // Tight: the statement sits ~4 levels down (declarations, statement, expression).
        CHECK(lo * k.per_unit <= kMaxParseDepth);
        CHECK(lo * k.per_unit >= kMaxParseDepth - 8);
        // One more: one error, at the unit that goes past the limit.
        Run over(k.gen(hi, &last), false);
        CAPTURE(over.diags.substr(0, 300));
        CHECK(over.c.diag.error_count() == 1);
        CHECK(over.diags.find(": error: nesting is too deep (the limit is " + std::to_string(kMaxParseDepth) +
                              " levels)") != std::string::npos);
        CHECK(column_of(over.diags) == (int)(8 + last + 1) + k.off);
        // At the limit every later walk runs.
        Run at(k.gen(lo, &last), true);
        CHECK(at.parsed);
        CHECK(at.ast.size() > 0);
        if (k.checked) {
            CAPTURE(at.diags.substr(0, 300));
            CHECK(at.checked);
            CHECK(at.lowered);
        }
    }
}

TEST_CASE("nesting: recovery after the limit is linear and reports one error") {
    // 100,000 unclosed '(' then more code: one error for the deep part, the next
    // declaration is still parsed and its own error reported.
    for (const char* open : {"(", "[", "- ", "!", "(int)", "x => ", "a.", "1 + ", "Id(", "q ?? "}) {
        std::string unit = open;
        CAPTURE(unit);
        std::string deep = rep(open, 100000);
        Compilation c;
        std::string diags;
        c.diag.capture = &diags;
        c.diag.max_errors = 100;
        uint32_t id = c.sources.add("t.lang", "void F() {\n    let x = " + deep + "1;\n}\nvoid G() { let y = ; }\n");
        FileAst* f = parse_file(c, id);
        CAPTURE(diags.substr(0, 400));
        CHECK(diags.find("t.lang:2:") != std::string::npos);
        CHECK(diags.find("nesting is too deep") != std::string::npos);
        CHECK(diags.find("t.lang:4:20: error: expected expression, found ';'") != std::string::npos);
        CHECK(c.diag.error_count() == 2);
        CHECK(f->decls.size == 2);
    }
}

namespace {

struct Program {
    Compilation c;
    std::string diags;
    bool ok = false;
    explicit Program(const std::string& src) {
        c.diag.capture = &diags;
        c.diag.max_errors = 100;
        uint32_t id = c.sources.add("t.lang", src);
        c.files.push_back(parse_file(c, id));
        ok = c.diag.error_count() == 0 && check_program(c) && c.diag.error_count() == 0;
        if (!ok) return;
        ir::Module m(c.arena);
        ok = lower_program(c, m) && c.diag.error_count() == 0;
    }
};

// n structs, each holding the next by value (S0 holds S1 ... holds S{n-1}).
std::string struct_chain(int n) {
    std::string s;
    for (int i = 0; i + 1 < n; i++)
        s += "public struct S" + std::to_string(i) + " { public int V; public S" + std::to_string(i + 1) + " X; }\n";
    s += "public struct S" + std::to_string(n - 1) + " { public int V; }\n";
    return s + "public class Program { static int Get(S0 s) { return s.V; } public static void Main() { var s = new S0(); "
               "let t = s; Console.WriteLine(Get(t)); } }\n";
}

// C0 and n classes below it, each derived from the one before.
std::string class_chain(int n) {
    std::string s = "public class C0 { public var int V; public virtual int F() { return 7; } }\n";
    for (int i = 1; i <= n; i++) s += "public class C" + std::to_string(i) + " : C" + std::to_string(i - 1) + " { }\n";
    return s + "public class Program { public static void Main() { var c = new C" + std::to_string(n) +
           "(); Console.WriteLine(c.F()); } }\n";
}

} // namespace

TEST_CASE("nesting: structs inside structs by value, up to the limit") {
    CHECK(Program(struct_chain(kMaxParseDepth)).ok);
    Program over(struct_chain(kMaxParseDepth + 1));
    CHECK(!over.ok);
    CHECK(over.c.diag.error_count() == 1);
    std::string want = "t.lang:" + std::to_string(kMaxParseDepth + 1) + ":15: error: struct 'S" +
                       std::to_string(kMaxParseDepth) + "' is nested too deeply (the limit is " +
                       std::to_string(kMaxParseDepth) + " levels of types inside, or derived from, one another)";
    CHECK_MESSAGE(over.diags.find(want) != std::string::npos, over.diags.substr(0, 300));
    // 100,000 (a stack overflow before the limit): one error too, quickly.
    Program huge(struct_chain(100000));
    CHECK(huge.c.diag.error_count() == 1);
}

TEST_CASE("nesting: chains of base classes, up to the limit") {
    CHECK(Program(class_chain(kMaxParseDepth - 1)).ok);
    Program over(class_chain(kMaxParseDepth));
    CHECK(!over.ok);
    std::string want = "t.lang:" + std::to_string(kMaxParseDepth + 1) + ":" +
                       std::to_string(18 + (int)std::to_string(kMaxParseDepth).size()) + ": error: class 'C" +
                       std::to_string(kMaxParseDepth) + "' has too many base classes (the limit is " +
                       std::to_string(kMaxParseDepth - 1) + ")";
    CHECK_MESSAGE(over.diags.find(want) != std::string::npos, over.diags.substr(0, 300));
    // 20,000 classes: the check stays linear (it walked every chain to its root).
    Program huge(class_chain(20000));
    CHECK(huge.diags.find("has too many base classes") != std::string::npos);
}
