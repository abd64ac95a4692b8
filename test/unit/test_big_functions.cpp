// test_big_functions.cpp: functions far bigger than anyone writes by hand, generated here
// in memory, compile in time that follows their size and run correctly.
//
// Shapes: 20,000 ifs in one function (each joins with a phi: as many values cross blocks
// as there are blocks), a 20,000-arm match statement (one join with 20,000 predecessors),
// 1,000 values live across 12,000 blocks, many loops, 10^5 locals in one block, a 10^5-
// element array literal, a variable written in 50,000 ifs and read once after them, 1,000
// variables written in 2,000 ifs and loops and read after them. One program holds them all; it is built through the whole
// driver at -O0 and -O1, run, and its output checked. How fast they compile is measured
// by `make bench` (bench/run.sh, "big functions"), not here. Also: register allocation
// gives identical code with the bit-vector liveness and the sparse one, on such functions.
#include "codegen/target.h"
#include "codegen/x64/x64.h"
#include "common/compilation.h"
#include "driver/pipeline.h"
#include "ir/ir.h"
#include "ir/lower.h"
#include "parse/parser.h"
#include "sema/sema.h"

#include <doctest/doctest.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace lang;

namespace {

// One function of a generated program: its text, the call Main prints, and the line
// that call prints.
struct Fn {
    std::string text, call, expect;
};

struct Program {
    std::string source;
    std::string expect; // the program's whole stdout
};

Program program(const std::vector<Fn>& fns) {
    Program p;
    p.source = "public class Program {\n  static int Seven() => 7;\n";
    for (const Fn& f : fns) p.source += f.text;
    p.source += "  public static void Main() {\n";
    for (const Fn& f : fns) p.source += "    Console.WriteLine(" + f.call + ");\n", p.expect += f.expect + "\n";
    p.source += "  }\n}\n";
    return p;
}

std::string num(long long v) { return std::to_string(v); }

// if (v == i) y += i;  x n.
Fn ifs(int n) {
    std::string s = "  static int Ifs(int v) {\n    var y = 0;\n";
    for (int i = 0; i < n; i++) s += "    if (v == " + num(i) + ") y += " + num(i) + ";\n";
    s += "    return y;\n  }\n";
    return {s, "Ifs(7) + Ifs(" + num(n - 1) + ")", num(7 + n - 1)};
}

// match (v) { i => { y += i; z = z * 3 % 1001; }, ... }: one join of n predecessors.
Fn match_stmt(int n) {
    std::string s = "  static int Match(int v) {\n    var y = 0;\n    var z = 1;\n    match (v) {\n";
    for (int i = 0; i < n; i++) s += "      " + num(i) + " => { y += " + num(i) + "; z = z * 3 % 1001; },\n";
    s += "      _ => {},\n    }\n    return y + z;\n  }\n";
    return {s, "Match(5) + Match(" + num(n - 1) + ")", num(5 + 3 + (n - 1) + 3)};
}

// k values made first, used by n ifs, then all summed: live across every block.
Fn live(int n, int k) {
    std::string s = "  static int Live(int v) {\n";
    for (int i = 0; i < k; i++) s += "    let x" + num(i) + " = v * " + num(i + 1) + ";\n";
    s += "    var y = 0;\n";
    for (int i = 0; i < n; i++) s += "    if (v == " + num(i) + ") y += x" + num(i % k) + ";\n";
    s += "    var s = 0;\n";
    for (int i = 0; i < k; i++) s += "    s += x" + num(i) + ";\n";
    s += "    return y + s;\n  }\n";
    long long y = 3LL * (3 % k + 1), sum = 3LL * k * (k + 1) / 2;
    return {s, "Live(3)", num(y + sum)};
}

// n loops, each with a branch inside.
Fn loops(int n) {
    std::string s = "  static int Loops(int v) {\n    var y = 0;\n";
    long long y = 0;
    for (int i = 0; i < n; i++) {
        std::string c = "i" + num(i);
        s += "    for (var " + c + " = 0; " + c + " < v; " + c + " += 1) { if (" + c + " == " + num(i % 5) + ") { y += " +
             c + "; } else { y -= 1; } }\n";
        for (int j = 0; j < 3; j++) y += j == i % 5 ? j : -1;
    }
    s += "    return y;\n  }\n";
    return {s, "Loops(3)", num(y)};
}

// if (v == i) y = i;  x n, y read only at the end: looking y up there meets a chain of n
// joins at once (the lookup is a loop, not a recursion that could overflow the stack).
Fn writes(int n) {
    std::string s = "  static int Writes(int v) {\n    var y = -1;\n";
    for (int i = 0; i < n; i++) s += "    if (v == " + num(i) + ") y = " + num(i) + ";\n";
    s += "    return y;\n  }\n";
    return {s, "Writes(7) + Writes(" + num(n) + ")", num(7 - 1)};
}

// k variables, each written in one of n ifs or loops, all summed at the end: lookups pass
// the joins of the constructs that did not write them without making phis there.
Fn vars(int k, int n) {
    std::string s = "  static int Vars(int v) {\n";
    for (int i = 0; i < k; i++) s += "    var x" + num(i) + " = " + num(i) + ";\n";
    long long sum = (long long)k * (k - 1) / 2;
    for (int i = 0; i < n; i++) {
        std::string x = "x" + num(i * 7 % k);
        if (i % 2) {
            s += "    if (v == " + num(i % 10) + ") " + x + " += 1;\n";
            sum += i % 10 == 3;
        } else {
            s += "    for (var j = 0; j < v; j += 1) " + x + " += 2;\n";
            sum += 6;
        }
    }
    s += "    var s = 0;\n";
    for (int i = 0; i < k; i++) s += "    s += x" + num(i) + ";\n";
    s += "    return s;\n  }\n";
    return {s, "Vars(3)", num(sum)};
}

// let x_i = v + i;  x n in one block.
Fn locals(int n) {
    std::string s = "  static int Locals(int v) {\n";
    for (int i = 0; i < n; i++) s += "    let x" + num(i) + " = v + " + num(i) + ";\n";
    s += "    return x0 + x" + num(n - 1) + ";\n  }\n";
    return {s, "Locals(1)", num(2 + n - 1)};
}

// An array literal of n constants and one computed element.
Fn array(int n) {
    std::string s = "  static int Array() {\n    let xs = [";
    long long sum = 0;
    for (int i = 0; i < n; i++) {
        if (i) s += ", ";
        if (i == n / 2) {
            s += "Seven()";
            sum += 7;
        } else {
            s += num(i % 1000 - 500);
            sum += i % 1000 - 500;
        }
    }
    s += "];\n    var t = 0;\n    for (let x in xs) t += x;\n    return t * 1000000 + xs.Length;\n  }\n";
    return {s, "Array()", num(sum * 1000000 + n)};
}

std::string read_all(FILE* f) {
    std::string out;
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
    return out;
}

// Builds p at opt level `opt` through the driver, runs it, checks its output.
void build_and_check(const Program& p, int opt) {
    char dir[] = "/tmp/lang-big-XXXXXX";
    REQUIRE(mkdtemp(dir));
    std::string src = std::string(dir) + "/big.lang", exe = std::string(dir) + "/big";
    std::ofstream(src) << p.source;
    BuildRequest req;
    req.input = src;
    req.output = exe;
    req.opt_level = opt;
    int st = build(req);
    CHECK(st == 0);
    if (st == 0) {
        FILE* f = popen(exe.c_str(), "r");
        REQUIRE(f);
        std::string out = read_all(f);
        CHECK(pclose(f) == 0);
        CHECK(out == p.expect);
    }
    unlink(src.c_str());
    unlink(exe.c_str());
    rmdir(dir);
}

} // namespace

// Every shape in one program (one link and one run per optimization level).
TEST_CASE("big functions: build through the driver and run correctly") {
    Program p = program({ifs(20000), match_stmt(20000), live(6000, 1000), loops(2000), locals(100000), array(100000),
                         writes(50000), vars(1000, 2000)});
    for (int opt : {0, 1}) {
        CAPTURE(opt);
        build_and_check(p, opt);
    }
}

namespace {

// The machine code of every function of p after isel and register allocation, with the
// given liveness; one string per function (operands printed field by field).
std::vector<std::string> allocate(const Program& p, codegen::Liveness mode) {
    Compilation c;
    std::string diags;
    c.diag.capture = &diags;
    uint32_t id = c.sources.add("big.lang", p.source);
    c.files.push_back(parse_file(c, id));
    REQUIRE_MESSAGE(check_program(c), diags);
    ir::Module m(c.arena);
    REQUIRE_MESSAGE(lower_program(c, m), diags);
    std::vector<std::string> out;
    codegen::RegAllocator ra;
    ra.set_liveness(mode);
    x64::IselBuffers ib;
    for (ir::Func* f : m.funcs) {
        if (!f->blocks.size) continue;
        codegen::MFunc mf;
        REQUIRE(x64::isel(x64::kSysV, m, *f, mf, c.diag, ib));
        ra.run(x64::kSysV, mf);
        std::string s = std::string(f->name) + " frame " + num(mf.frame_size) + " callee " + num((long long)mf.used_callee) + "\n";
        for (const codegen::MBlock& b : mf.blocks) {
            s += "block\n";
            for (const codegen::MInst& in : b.insts) {
                s += num(in.op) + " " + num(in.cc) + " " + num(in.n);
                for (int k = 0; k < in.n; k++) {
                    const codegen::Operand& o = in.o[k];
                    s += " (" + num(o.kind) + " " + num(o.size) + " " + num(o.reg) + " " + num(o.index) + " " +
                         num(o.scale) + " " + num(o.imm) + " " + num(o.label) + " " + num(o.frame) + ")";
                }
                s += "\n";
            }
        }
        out.push_back(s);
    }
    return out;
}

} // namespace

TEST_CASE("big functions: the sparse liveness allocates exactly like the bit-vector one") {
    for (const Fn& f : {ifs(3000), match_stmt(2000), live(2000, 300), loops(500)}) {
        Program p = program({f});
        std::vector<std::string> dense = allocate(p, codegen::Liveness::Dense);
        std::vector<std::string> sparse = allocate(p, codegen::Liveness::Sparse);
        REQUIRE(dense.size() == sparse.size());
        for (size_t k = 0; k < dense.size(); k++) CHECK(dense[k] == sparse[k]);
    }
}
