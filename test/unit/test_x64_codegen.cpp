// test_x64_codegen.cpp: end-to-end tests of the x86-64 backend.
//
// Each test builds IR with the ir.h builder helpers, compiles it with x64::compile,
// writes an ELF object (obj::write_elf), links it with `cc` and a small C driver that
// calls the compiled functions and prints results, runs the program and checks its
// output. The runtime is not linked: the drivers define the lang_* entry points they need.
#include "codegen/target.h"
#include "codegen/x64/x64.h"
#include "common/diag.h"
#include "ir/ir.h"
#include "obj/object.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <tuple>
#include <initializer_list>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using namespace lang;
using ir::Inst;
using ir::Op;
using ir::Ty;

namespace x64cg_test {

// A tiny function builder over the ir.h helpers.
struct FB {
    ir::Module& m;
    ir::Func* f;
    ir::Block* cur = nullptr;
    uint32_t line = 1;

    FB(ir::Module& mod, const char* name, std::initializer_list<Ty> params, Ty ret) : m(mod) {
        f = ir::new_func(m, name);
        for (Ty t : params) f->params.push(m.arena, t);
        f->ret = ret;
        f->source_file = "test.lang";
        cur = block();
    }
    ir::Block* block() { return ir::new_block(m, *f); }
    void at(ir::Block* b) { cur = b; }
    Inst* op(Op o, Ty t, std::initializer_list<Inst*> args, int64_t imm = 0) {
        Inst* i = ir::new_inst(m, *f, o, t);
        for (Inst* a : args) i->args.push(m.arena, a);
        i->imm = imm;
        i->line = line++;
        ir::append(m, cur, i);
        return i;
    }
    Inst* k(int64_t v, Ty t = Ty::I64) { return op(Op::iconst, t, {}, v); }
    Inst* fk(double v, Ty t = Ty::F64) {
        Inst* i = op(Op::fconst, t, {});
        i->fimm = v;
        return i;
    }
    Inst* param(int idx) { return op(Op::param, f->params[idx], {}, idx); }
    Inst* cmp(Op o, Inst* a, Inst* b) {
        Inst* i = op(o, Ty::I8, {a, b});
        i->cty = a->ty;
        return i;
    }
    Inst* conv(Op o, Ty to, Inst* a) {
        Inst* i = op(o, to, {a});
        i->cty = a->ty;
        return i;
    }
    Inst* load(Ty t, Inst* p, int64_t off = 0) { return op(Op::load, t, {p}, off); }
    void store(Ty t, Inst* p, Inst* v, int64_t off = 0) { op(Op::store, Ty::Void, {p, v}, off)->cty = t; }
    Inst* slot(int64_t size, int64_t align = 8) {
        Inst* i = op(Op::slot, Ty::Ptr, {}, size);
        i->imm2 = align;
        return i;
    }
    Inst* addr(const char* sym, int64_t off = 0) {
        Inst* i = op(Op::addr, Ty::Ptr, {}, off);
        i->sym = sym;
        return i;
    }
    Inst* call(const char* sym, Ty ret, std::initializer_list<Inst*> args) {
        Inst* i = op(Op::call, ret, args);
        i->sym = sym;
        return i;
    }
    void tailcall(const char* sym, std::initializer_list<Inst*> args) { op(Op::tailcall, Ty::Void, args)->sym = sym; }
    void br(Inst* c, ir::Block* t, ir::Block* e) {
        Inst* i = op(Op::br, Ty::Void, {c});
        i->target[0] = t, i->target[1] = e;
    }
    void jmp(ir::Block* t) { op(Op::jmp, Ty::Void, {})->target[0] = t; }
    void ret(Inst* v) {
        if (v) op(Op::ret, Ty::Void, {v});
        else op(Op::ret, Ty::Void, {});
    }
    Inst* phi(Ty t) { return op(Op::phi, t, {}); }
    void incoming(Inst* phi, ir::Block* from, Inst* v) {
        phi->args.push(m.arena, v);
        phi->phi_blocks.push(m.arena, from);
    }
    void done() { ir::compute_cfg(m, *f); }
};

struct Run {
    std::string out;
    int status = -1;
    std::string error;
};

// Compiles m, links it with the C driver and runs the program.
Run build_and_run(ir::Module& m, const std::string& driver, const std::string& extra_flags = "") {
    Run r;
    SourceManager sm;
    Diag diag(sm);
    std::string captured;
    diag.capture = &captured;
    obj::Object o;
    if (!x64::compile(m, o, diag)) {
        r.error = "compile failed: " + captured;
        return r;
    }
    std::vector<uint8_t> bytes;
    std::string err;
    if (!obj::write_elf(o, bytes, &err)) {
        r.error = "write_elf: " + err;
        return r;
    }
    char dir[] = "/tmp/x64cgXXXXXX";
    if (!mkdtemp(dir)) {
        r.error = "mkdtemp";
        return r;
    }
    std::string d = dir;
    FILE* f = fopen((d + "/prog.o").c_str(), "wb");
    fwrite(bytes.data(), 1, bytes.size(), f);
    fclose(f);
    f = fopen((d + "/driver.c").c_str(), "w");
    fputs("#include <stdio.h>\n#include <stdlib.h>\n#include <stdint.h>\n#include <string.h>\n", f);
    fputs(driver.c_str(), f);
    fclose(f);
    std::string cc = "cc -O0 -w -o " + d + "/prog " + d + "/driver.c " + d + "/prog.o " + extra_flags + " 2>&1";
    FILE* p = popen(cc.c_str(), "r");
    char buf[4096];
    std::string link;
    while (size_t n = fread(buf, 1, sizeof buf, p)) link.append(buf, n);
    if (pclose(p) != 0) {
        r.error = "link failed: " + link;
        return r;
    }
    p = popen((d + "/prog 2>&1").c_str(), "r");
    while (size_t n = fread(buf, 1, sizeof buf, p)) r.out.append(buf, n);
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (!getenv("X64CG_KEEP")) {
        std::string rm = "rm -rf " + d;
        if (system(rm.c_str())) {}
    }
    return r;
}

// fib(n) = n < 2 ? n : fib(n-1) + fib(n-2)
void build_fib(ir::Module& m) {
    FB b(m, "fib", {Ty::I64}, Ty::I64);
    ir::Block *base = b.block(), *rec = b.block();
    Inst* n = b.param(0);
    b.br(b.cmp(Op::slt, n, b.k(2)), base, rec);
    b.at(base);
    b.ret(n);
    b.at(rec);
    Inst* x = b.call("fib", Ty::I64, {b.op(Op::sub, Ty::I64, {n, b.k(1)})});
    Inst* y = b.call("fib", Ty::I64, {b.op(Op::sub, Ty::I64, {n, b.k(2)})});
    b.ret(b.op(Op::add, Ty::I64, {x, y}));
    b.done();
}

// sieve(n): number of primes <= n, with a calloc'd byte array.
void build_sieve(ir::Module& m) {
    FB b(m, "sieve", {Ty::I64}, Ty::I64);
    ir::Block *outer = b.block(), *body = b.block(), *isprime = b.block(), *inner = b.block(),
              *mark = b.block(), *next = b.block(), *done = b.block();
    ir::Block* entry = b.cur;
    Inst* n = b.param(0);
    Inst* arr = b.call("calloc", Ty::Ptr, {b.op(Op::add, Ty::I64, {n, b.k(1)}), b.k(1)});
    Inst *two = b.k(2), *zero = b.k(0);
    b.jmp(outer);
    b.at(outer);
    Inst* i = b.phi(Ty::I64);
    Inst* count = b.phi(Ty::I64);
    b.br(b.cmp(Op::sle, i, n), body, done);
    b.at(body);
    Inst* v = b.load(Ty::I8, b.op(Op::add, Ty::Ptr, {arr, i}));
    b.br(b.cmp(Op::eq, v, b.k(0, Ty::I8)), isprime, next);
    b.at(isprime);
    Inst* c1 = b.op(Op::add, Ty::I64, {count, b.k(1)});
    Inst* j0 = b.op(Op::mul, Ty::I64, {i, i});
    b.jmp(inner);
    b.at(inner);
    Inst* j = b.phi(Ty::I64);
    b.br(b.cmp(Op::sle, j, n), mark, next);
    b.at(mark);
    b.store(Ty::I8, b.op(Op::add, Ty::Ptr, {arr, j}), b.k(1, Ty::I8));
    Inst* j1 = b.op(Op::add, Ty::I64, {j, i});
    b.jmp(inner);
    b.at(next);
    Inst* cn = b.phi(Ty::I64);
    Inst* i1 = b.op(Op::add, Ty::I64, {i, b.k(1)});
    b.jmp(outer);
    b.at(done);
    b.call("free", Ty::Void, {arr});
    b.ret(count);
    b.incoming(i, entry, two);
    b.incoming(i, next, i1);
    b.incoming(count, entry, zero);
    b.incoming(count, next, cn);
    b.incoming(j, isprime, j0);
    b.incoming(j, mark, j1);
    b.incoming(cn, body, count);
    b.incoming(cn, inner, c1);
    b.done();
}

} // namespace x64cg_test

using namespace x64cg_test;

TEST_CASE("x64 codegen: recursive fib") {
    Arena a;
    ir::Module m(a);
    build_fib(m);
    Run r = build_and_run(m, "int64_t fib(int64_t);\nint main(void){ printf(\"%ld %ld %ld\\n\", fib(0), fib(10), fib(30)); return 0; }\n");
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    CHECK(r.out == "0 55 832040\n");
    CHECK(r.status == 0);
}

TEST_CASE("x64 codegen: loops with phis, including a swap cycle") {
    Arena a;
    ir::Module m(a);
    {   // fibi(n): a, b = b, a + b, n times
        FB b(m, "fibi", {Ty::I64}, Ty::I64);
        ir::Block *entry = b.cur, *loop = b.block(), *body = b.block(), *done = b.block();
        Inst* n = b.param(0);
        Inst *z = b.k(0), *one = b.k(1);
        b.jmp(loop);
        b.at(loop);
        Inst *i = b.phi(Ty::I64), *x = b.phi(Ty::I64), *y = b.phi(Ty::I64);
        b.br(b.cmp(Op::slt, i, n), body, done);
        b.at(body);
        Inst* s = b.op(Op::add, Ty::I64, {x, y});
        Inst* i1 = b.op(Op::add, Ty::I64, {i, one});
        b.jmp(loop);
        b.at(done);
        b.ret(x);
        b.incoming(i, entry, z), b.incoming(i, body, i1);
        b.incoming(x, entry, z), b.incoming(x, body, y);
        b.incoming(y, entry, one), b.incoming(y, body, s);
        b.done();
    }
    {   // swap(n): x, y = y, x n times; returns x * 10 + y
        FB b(m, "swap", {Ty::I64}, Ty::I64);
        ir::Block *entry = b.cur, *loop = b.block(), *body = b.block(), *done = b.block();
        Inst* n = b.param(0);
        Inst *z = b.k(0), *one = b.k(1), *two = b.k(2);
        b.jmp(loop);
        b.at(loop);
        Inst *i = b.phi(Ty::I64), *x = b.phi(Ty::I64), *y = b.phi(Ty::I64);
        b.br(b.cmp(Op::slt, i, n), body, done);
        b.at(body);
        Inst* i1 = b.op(Op::add, Ty::I64, {i, one});
        b.jmp(loop);
        b.at(done);
        b.ret(b.op(Op::add, Ty::I64, {b.op(Op::mul, Ty::I64, {x, b.k(10)}), y}));
        b.incoming(i, entry, z), b.incoming(i, body, i1);
        b.incoming(x, entry, one), b.incoming(x, body, y);
        b.incoming(y, entry, two), b.incoming(y, body, x);
        b.done();
    }
    Run r = build_and_run(m, "int64_t fibi(int64_t); int64_t swap(int64_t);\n"
                             "int main(void){ printf(\"%ld %ld %ld %ld\\n\", fibi(10), fibi(90), swap(3), swap(4)); return 0; }\n");
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    CHECK(r.out == "55 2880067194370816120 21 12\n");
}

TEST_CASE("x64 codegen: sieve") {
    Arena a;
    ir::Module m(a);
    build_sieve(m);
    Run r = build_and_run(m, "int64_t sieve(int64_t);\nint main(void){ printf(\"%ld %ld\\n\", sieve(100), sieve(1000000)); return 0; }\n");
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    CHECK(r.out == "25 78498\n");
}

TEST_CASE("x64 codegen: 18 mixed int/float arguments, both directions") {
    Arena a;
    ir::Module m(a);
    // mix(i0, f0, i1, f1, ..., i8, f8): sum (k+1) * i_k + sum (k+1) * f_k
    std::initializer_list<Ty> sig = {Ty::I64, Ty::F64, Ty::I64, Ty::F64, Ty::I64, Ty::F64, Ty::I64, Ty::F64, Ty::I64,
                                     Ty::F64, Ty::I64, Ty::F64, Ty::I64, Ty::F64, Ty::I64, Ty::F64, Ty::I64, Ty::F64};
    {
        FB b(m, "mix", sig, Ty::F64);
        Inst* isum = b.k(0);
        Inst* fsum = b.fk(0);
        for (int k = 0; k < 18; k++) {
            Inst* p = b.param(k);
            if (k % 2 == 0) isum = b.op(Op::add, Ty::I64, {isum, b.op(Op::mul, Ty::I64, {p, b.k(k / 2 + 1)})});
            else fsum = b.op(Op::fadd, Ty::F64, {fsum, b.op(Op::fmul, Ty::F64, {p, b.fk(k / 2 + 1)})});
        }
        b.ret(b.op(Op::fadd, Ty::F64, {fsum, b.conv(Op::sitof, Ty::F64, isum)}));
        b.done();
    }
    {   // caller(): mix(1, 0.5, 2, 1.5, ...) + cmix(same); values live across the calls
        FB b(m, "caller", {}, Ty::F64);
        std::vector<Inst*> args;
        for (int k = 0; k < 18; k++) args.push_back(k % 2 == 0 ? b.k(k / 2 + 1) : b.fk(k / 2 + 0.5));
        Inst* c1 = b.op(Op::call, Ty::F64, {});
        c1->sym = "mix";
        for (Inst* x : args) c1->args.push(m.arena, x);
        Inst* keep = b.conv(Op::ftosi, Ty::I64, c1);
        Inst* c2 = b.op(Op::call, Ty::F64, {});
        c2->sym = "cmix";
        for (Inst* x : args) c2->args.push(m.arena, x);
        b.ret(b.op(Op::fadd, Ty::F64, {c2, b.conv(Op::sitof, Ty::F64, keep)}));
        b.done();
    }
    std::string drv =
        "#define P int64_t i0, double f0, int64_t i1, double f1, int64_t i2, double f2, int64_t i3, double f3, int64_t i4, "
        "double f4, int64_t i5, double f5, int64_t i6, double f6, int64_t i7, double f7, int64_t i8, double f8\n"
        "double mix(P); double caller(void);\n"
        "double cmix(P) { return 1*i0+2*i1+3*i2+4*i3+5*i4+6*i5+7*i6+8*i7+9*i8 + "
        "1*f0+2*f1+3*f2+4*f3+5*f4+6*f5+7*f6+8*f7+9*f8 + 1000; }\n"
        "int main(void){ printf(\"%g %g\\n\", mix(1,0.5,2,1.5,3,2.5,4,3.5,5,4.5,6,5.5,7,6.5,8,7.5,9,8.5), caller()); return 0; }\n";
    Run r = build_and_run(m, drv);
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    // ints: sum k^2 for k=1..9 = 285; floats: sum k*(k-0.5) = 285 - 22.5 = 262.5
    CHECK(r.out == "547.5 2094.5\n"); // cmix adds 1000, plus (int64)547.5
}

TEST_CASE("x64 codegen: tail recursion runs in constant stack") {
    Arena a;
    ir::Module m(a);
    {
        FB b(m, "sumto", {Ty::I64, Ty::I64}, Ty::I64);
        ir::Block *done = b.block(), *rec = b.block();
        Inst *n = b.param(0), *acc = b.param(1);
        b.br(b.cmp(Op::eq, n, b.k(0)), done, rec);
        b.at(done);
        b.ret(acc);
        b.at(rec);
        b.tailcall("sumto", {b.op(Op::sub, Ty::I64, {n, b.k(1)}), b.op(Op::add, Ty::I64, {acc, n})});
        b.done();
    }
    {   // nine-argument mutual tail calls: the stack arguments reuse the incoming area
        FB b(m, "even9", {Ty::I64, Ty::I64, Ty::I64, Ty::I64, Ty::I64, Ty::I64, Ty::I64, Ty::I64, Ty::I64}, Ty::I64);
        ir::Block *done = b.block(), *rec = b.block();
        Inst* n = b.param(8);
        Inst* s = b.param(6);
        Inst* p7 = b.param(7);
        Inst* p0 = b.param(0);
        b.br(b.cmp(Op::eq, n, b.k(0)), done, rec);
        b.at(done);
        b.ret(b.op(Op::add, Ty::I64, {s, p7}));
        b.at(rec);
        b.tailcall("odd9", {p0, p0, p0, p0, p0, p0, b.op(Op::add, Ty::I64, {s, b.k(1)}), p7,
                            b.op(Op::sub, Ty::I64, {n, b.k(1)})});
        b.done();
    }
    {
        FB b(m, "odd9", {Ty::I64, Ty::I64, Ty::I64, Ty::I64, Ty::I64, Ty::I64, Ty::I64, Ty::I64, Ty::I64}, Ty::I64);
        Inst* p0 = b.param(0);
        b.tailcall("even9", {p0, p0, p0, p0, p0, p0, b.param(6), b.op(Op::add, Ty::I64, {b.param(7), b.k(2)}),
                             b.param(8)});
        b.done();
    }
    std::string drv = "#include <sys/resource.h>\n"
                      "int64_t sumto(int64_t, int64_t); int64_t even9(int64_t,int64_t,int64_t,int64_t,int64_t,int64_t,int64_t,int64_t,int64_t);\n"
                      "int main(void){ printf(\"%ld\\n\", sumto(100000000, 0));"
                      " printf(\"%ld\\n\", even9(0,0,0,0,0,0,0,0,10000000)); return 0; }\n";
    Run r = build_and_run(m, drv);
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    CHECK(r.out == "5000000050000000\n30000000\n");
    CHECK(r.status == 0);
}

TEST_CASE("x64 codegen: overflow checks call lang_panic_overflow") {
    Arena a;
    ir::Module m(a);
    for (auto [name, op, ty] : {std::tuple{"add64", Op::addchk, Ty::I64}, std::tuple{"sub32", Op::subchk, Ty::I32},
                                std::tuple{"mul64", Op::mulchk, Ty::I64}, std::tuple{"add8", Op::addchk, Ty::I8}}) {
        FB b(m, name, {ty, ty}, ty);
        b.ret(b.op(op, ty, {b.param(0), b.param(1)}));
        b.done();
    }
    std::string drv = "int64_t add64(int64_t,int64_t); int32_t sub32(int32_t,int32_t); int64_t mul64(int64_t,int64_t);"
                      "int8_t add8(int8_t,int8_t);\n"
                      "void lang_panic_overflow(void) { printf(\"overflow\\n\"); exit(101); }\n"
                      "int main(int argc, char** argv){ (void)argv;\n"
                      " printf(\"%ld %d %ld %d\\n\", add64(40, 2), sub32(-5, 7), mul64(-3, 1000000007), add8(100, 27));\n"
                      " fflush(stdout);\n"
                      " if (argc == 1) printf(\"%d\\n\", add8(100, 28));\n"
                      " return 0; }\n";
    Run r = build_and_run(m, drv);
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    CHECK(r.out == "42 -12 -3000000021 127\noverflow\n");
    CHECK(r.status == 101);
}

TEST_CASE("x64 codegen: integer ops, division, shifts, select, narrow types") {
    Arena a;
    ir::Module m(a);
    auto bin = [&](const char* name, Op op, Ty t) {
        FB b(m, name, {t, t}, t);
        b.ret(b.op(op, t, {b.param(0), b.param(1)}));
        b.done();
    };
    bin("sdiv64", Op::sdiv, Ty::I64);
    bin("srem64", Op::srem, Ty::I64);
    bin("udiv64", Op::udiv, Ty::I64);
    bin("urem32", Op::urem, Ty::I32);
    bin("sdiv8", Op::sdiv, Ty::I8);
    bin("shl64", Op::shl, Ty::I64);
    bin("sar64", Op::sar, Ty::I64);
    bin("shr64", Op::shr, Ty::I64);
    bin("shr8", Op::shr, Ty::I8);
    bin("xor64", Op::Xor, Ty::I64);
    bin("and32", Op::And, Ty::I32);
    bin("sub64", Op::sub, Ty::I64);
    bin("add8", Op::add, Ty::I8);
    {   // max(a, b) via select on a fused compare; also the compare as a value
        FB b(m, "smax", {Ty::I64, Ty::I64}, Ty::I64);
        Inst *x = b.param(0), *y = b.param(1);
        b.ret(b.op(Op::select, Ty::I64, {b.cmp(Op::sgt, x, y), x, y}));
        b.done();
    }
    {
        FB b(m, "ult8", {Ty::I8, Ty::I8}, Ty::I64);
        b.ret(b.conv(Op::zext, Ty::I64, b.cmp(Op::ult, b.param(0), b.param(1))));
        b.done();
    }
    {   // constant operands on both sides, neg/not, sext/zext/trunc
        FB b(m, "misc", {Ty::I64}, Ty::I64);
        Inst* x = b.param(0);
        Inst* t = b.conv(Op::trunc, Ty::I8, x);
        Inst* s = b.conv(Op::sext, Ty::I64, t);
        Inst* z = b.conv(Op::zext, Ty::I64, t);
        Inst* big = b.op(Op::add, Ty::I64, {b.k(0x123456789ll), b.op(Op::neg, Ty::I64, {s})});
        Inst* r = b.op(Op::add, Ty::I64, {big, b.op(Op::mul, Ty::I64, {z, b.k(1000000000000ll)})});
        b.ret(b.op(Op::Xor, Ty::I64, {r, b.op(Op::Not, Ty::I64, {b.k(0)})}));
        b.done();
    }
    std::string drv =
        "int64_t sdiv64(int64_t,int64_t), srem64(int64_t,int64_t), shl64(int64_t,int64_t), sar64(int64_t,int64_t), "
        "xor64(int64_t,int64_t), sub64(int64_t,int64_t), smax(int64_t,int64_t), misc(int64_t), ult8(uint8_t,uint8_t);\n"
        "uint64_t udiv64(uint64_t,uint64_t), shr64(uint64_t,uint64_t); uint32_t urem32(uint32_t,uint32_t), and32(uint32_t,uint32_t);"
        "int8_t sdiv8(int8_t,int8_t), add8(int8_t,int8_t); uint8_t shr8(uint8_t,uint8_t);\n"
        "int main(void){\n"
        " printf(\"%ld %ld %ld %ld\\n\", sdiv64(-7,2), srem64(-7,2), sdiv64(100,7), srem64(100,-7));\n"
        " printf(\"%lu %u %d\\n\", udiv64(0xffffffffffffffffull, 3), urem32(0xfffffff0u, 7), sdiv8(-100, 3));\n"
        " printf(\"%ld %ld %lu %u\\n\", shl64(3, 62), sar64(-1024, 3), shr64(-1024, 60), shr8(0xf0, 4));\n"
        " printf(\"%ld %u %ld %d\\n\", xor64(0xff, 0x0f), and32(0xabcdef, 0xff0), sub64(5, 9), add8(100, 100));\n"
        " printf(\"%ld %ld %ld %ld\\n\", smax(3, -4), smax(-9, 2), ult8(1, 200), ult8(200, 1));\n"
        " printf(\"%ld\\n\", misc(0x1ff));\n"
        " return 0; }\n";
    Run r = build_and_run(m, drv);
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    long long t = (long long)(int8_t)0xff;
    long long misc = ((0x123456789ll - t) + 0xffll * 1000000000000ll) ^ ~0ll;
    char want[512];
    snprintf(want, sizeof want,
             "-3 -1 14 2\n6148914691236517205 %u -33\n%lld -128 15 15\n240 %u -4 -56\n3 2 1 0\n%lld\n",
             0xfffffff0u % 7, (long long)(3ull << 62), 0xabcdefu & 0xff0u, misc);
    CHECK(r.out == want);
}

TEST_CASE("x64 codegen: floats, NaN compares, conversions") {
    Arena a;
    ir::Module m(a);
    const Op cmps[] = {Op::feq, Op::fne, Op::flt, Op::fle, Op::fgt, Op::fge};
    const char* names[] = {"feq", "fne", "flt", "fle", "fgt", "fge"};
    for (int k = 0; k < 6; k++) {
        {   // as a value
            FB b(m, names[k], {Ty::F64, Ty::F64}, Ty::I64);
            b.ret(b.conv(Op::zext, Ty::I64, b.cmp(cmps[k], b.param(0), b.param(1))));
            b.done();
        }
        {   // fused into a branch
            std::string bn = std::string("b") + names[k];
            FB b(m, a.copy_str(bn.c_str(), bn.size()), {Ty::F64, Ty::F64}, Ty::I64);
            ir::Block *t = b.block(), *e = b.block();
            b.br(b.cmp(cmps[k], b.param(0), b.param(1)), t, e);
            b.at(t);
            b.ret(b.k(1));
            b.at(e);
            b.ret(b.k(0));
            b.done();
        }
    }
    {   // (float)(x * 2.5 - y / 4) with f32 round trip, fneg, ftosi, sitof, uitof u64
        FB b(m, "fmath", {Ty::F64, Ty::F64}, Ty::F64);
        Inst* r = b.op(Op::fsub, Ty::F64, {b.op(Op::fmul, Ty::F64, {b.param(0), b.fk(2.5)}),
                                            b.op(Op::fdiv, Ty::F64, {b.param(1), b.fk(4)})});
        Inst* f32 = b.conv(Op::ftrunc, Ty::F32, r);
        Inst* f32b = b.op(Op::fadd, Ty::F32, {f32, b.fk(0.5, Ty::F32)});
        b.ret(b.op(Op::fneg, Ty::F64, {b.conv(Op::fext, Ty::F64, f32b)}));
        b.done();
    }
    {
        FB b(m, "conv", {Ty::F64}, Ty::I64);
        b.ret(b.conv(Op::ftosi, Ty::I64, b.param(0)));
        b.done();
    }
    {
        FB b(m, "f2u", {Ty::F64}, Ty::I64);
        b.ret(b.conv(Op::ftoui, Ty::I64, b.param(0)));
        b.done();
    }
    {
        FB b(m, "u2f", {Ty::I64}, Ty::F64);
        b.ret(b.conv(Op::uitof, Ty::F64, b.param(0)));
        b.done();
    }
    {
        FB b(m, "i32tof", {Ty::I32}, Ty::F64);
        b.ret(b.conv(Op::sitof, Ty::F64, b.param(0)));
        b.done();
    }
    {
        FB b(m, "bits", {Ty::F64}, Ty::I64);
        b.ret(b.conv(Op::bitcast, Ty::I64, b.param(0)));
        b.done();
    }
    {   // float select
        FB b(m, "fmin", {Ty::F64, Ty::F64}, Ty::F64);
        Inst *x = b.param(0), *y = b.param(1);
        b.ret(b.op(Op::select, Ty::F64, {b.cmp(Op::flt, x, y), x, y}));
        b.done();
    }
    std::string drv = "#include <math.h>\n"
                      "int64_t feq(double,double), fne(double,double), flt(double,double), fle(double,double), fgt(double,double), fge(double,double);\n"
                      "int64_t bfeq(double,double), bfne(double,double), bflt(double,double), bfle(double,double), bfgt(double,double), bfge(double,double);\n"
                      "double fmath(double,double), u2f(uint64_t), i32tof(int32_t), fmin(double,double); int64_t conv(double), bits(double); uint64_t f2u(double);\n"
                      "int main(void){ double v[3] = {1.0, 2.0, NAN};\n"
                      " for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++)\n"
                      "  printf(\"%ld%ld%ld%ld%ld%ld %ld%ld%ld%ld%ld%ld\\n\", feq(v[i],v[j]), fne(v[i],v[j]), flt(v[i],v[j]), fle(v[i],v[j]), fgt(v[i],v[j]), fge(v[i],v[j]),"
                      "   bfeq(v[i],v[j]), bfne(v[i],v[j]), bflt(v[i],v[j]), bfle(v[i],v[j]), bfgt(v[i],v[j]), bfge(v[i],v[j]));\n"
                      " printf(\"%g %ld %ld %.0f %.0f %g %lx %g %g\\n\", fmath(3, 2), conv(-7.9), conv(1e12), u2f(18446744073709549568ull), u2f(12345),"
                      " i32tof(-42), bits(1.0), fmin(2, -3), fmin(-1, 5));\n"
                      " printf(\"%lu %lu\\n\", f2u(12345.9), f2u(18446744073709549568.0));\n"
                      " return 0; }\n";
    Run r = build_and_run(m, drv, "-lm");
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    std::string want;
    double v[3] = {1.0, 2.0, __builtin_nan("")};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            int c[6] = {v[i] == v[j], v[i] != v[j], v[i] < v[j], v[i] <= v[j], v[i] > v[j], v[i] >= v[j]};
            char buf[64];
            snprintf(buf, sizeof buf, "%d%d%d%d%d%d %d%d%d%d%d%d\n", c[0], c[1], c[2], c[3], c[4], c[5], c[0], c[1], c[2],
                     c[3], c[4], c[5]);
            want += buf;
        }
    want += "-7.5 -7 1000000000000 18446744073709549568 12345 -42 3ff0000000000000 -3 -1\n";
    want += "12345 18446744073709549568\n";
    CHECK(r.out == want);
}

TEST_CASE("x64 codegen: globals, slots, memcpy/memzero, indirect calls") {
    Arena a;
    ir::Module m(a);
    static const uint8_t hello[] = "hello";
    static const uint8_t num[8] = {42, 0, 0, 0, 0, 0, 0, 0};
    auto global = [&](const char* name, ir::Section sec) {
        ir::Global* g = a.make<ir::Global>();
        g->name = name;
        g->section = sec;
        g->is_public = true;
        m.globals.push(a, g);
        return g;
    };
    ir::Global* g1 = global("g_str", ir::Section::Rodata);
    g1->items.push(a, ir::DataItem{ir::DataItem::Bytes, hello, 6, nullptr, 0});
    ir::Global* g2 = global("g_num", ir::Section::Data);
    g2->items.push(a, ir::DataItem{ir::DataItem::Bytes, num, 8, nullptr, 0});
    g2->items.push(a, ir::DataItem{ir::DataItem::SymAddr, nullptr, 8, "g_str", 1});
    ir::Global* g3 = global("g_zero", ir::Section::Bss);
    g3->items.push(a, ir::DataItem{ir::DataItem::Zero, nullptr, 64, nullptr, 0});
    {   // bump(): g_num += 1; returns g_num + strlen-ish char at g_str[1] via the pointer
        FB b(m, "bump", {}, Ty::I64);
        Inst* p = b.addr("g_num");
        Inst* v = b.op(Op::add, Ty::I64, {b.load(Ty::I64, p), b.k(1)});
        b.store(Ty::I64, p, v);
        Inst* sp = b.load(Ty::Ptr, p, 8);
        Inst* ch = b.conv(Op::zext, Ty::I64, b.load(Ty::I8, sp));
        b.ret(b.op(Op::add, Ty::I64, {b.op(Op::mul, Ty::I64, {v, b.k(1000)}), ch}));
        b.done();
    }
    {   // slots: copy 24 and 200 bytes between stack slots, zero 100 bytes, sum
        FB b(m, "slots", {Ty::I64}, Ty::I64);
        Inst* s1 = b.slot(24);
        Inst* s2 = b.slot(24);
        Inst* big1 = b.slot(200, 16);
        Inst* big2 = b.slot(200, 16);
        b.store(Ty::I64, s1, b.param(0), 0);
        b.store(Ty::I32, s1, b.k(7, Ty::I32), 8);
        b.store(Ty::I16, s1, b.k(-2, Ty::I16), 12);
        b.store(Ty::I8, s1, b.k(5, Ty::I8), 23);
        b.op(Op::memcpy, Ty::Void, {s2, s1}, 24);
        b.op(Op::memzero, Ty::Void, {big1}, 200);
        b.store(Ty::I64, big1, b.k(11), 192);
        b.op(Op::memcpy, Ty::Void, {big2, big1}, 200);
        Inst* x = b.op(Op::add, Ty::I64, {b.load(Ty::I64, s2, 0), b.conv(Op::sext, Ty::I64, b.load(Ty::I32, s2, 8))});
        x = b.op(Op::add, Ty::I64, {x, b.conv(Op::sext, Ty::I64, b.load(Ty::I16, s2, 12))});
        x = b.op(Op::add, Ty::I64, {x, b.conv(Op::zext, Ty::I64, b.load(Ty::I8, s2, 23))});
        x = b.op(Op::add, Ty::I64, {x, b.load(Ty::I64, big2, 192)});
        x = b.op(Op::add, Ty::I64, {x, b.load(Ty::I64, big2, 0)});
        b.ret(x);
        b.done();
    }
    {   // indirect call through a function address
        FB b(m, "indirect", {Ty::I64}, Ty::I64);
        Inst* c = b.op(Op::callind, Ty::I64, {b.addr("twice"), b.param(0)});
        b.ret(c);
        b.done();
    }
    std::string drv = "int64_t bump(void), slots(int64_t), indirect(int64_t); extern char g_zero[64];\n"
                      "int64_t twice(int64_t x) { return 2 * x; }\n"
                      "int main(void){ int64_t b1 = bump(); int64_t b2 = bump(); printf(\"%ld %ld %ld %ld %d\\n\", b1, b2, slots(1000), indirect(21), g_zero[5]); return 0; }\n";
    Run r = build_and_run(m, drv);
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    CHECK(r.out == "43101 44101 1021 42 0\n");
}

TEST_CASE("x64 codegen: register pressure across calls spills correctly") {
    Arena a;
    ir::Module m(a);
    {   // 20 values computed from the argument, all live across a call, then summed
        FB b(m, "pressure", {Ty::I64, Ty::F64}, Ty::I64);
        Inst* x = b.param(0);
        Inst* fx = b.param(1);
        std::vector<Inst*> vals, fvals;
        for (int k = 0; k < 20; k++) vals.push_back(b.op(Op::mul, Ty::I64, {x, b.k(k + 1)}));
        for (int k = 0; k < 6; k++) fvals.push_back(b.op(Op::fmul, Ty::F64, {fx, b.fk(k + 1)}));
        Inst* c = b.call("ext", Ty::I64, {x});
        Inst* s = c;
        for (Inst* v : vals) s = b.op(Op::add, Ty::I64, {s, v});
        Inst* fs = b.fk(0);
        for (Inst* v : fvals) fs = b.op(Op::fadd, Ty::F64, {fs, v});
        b.ret(b.op(Op::add, Ty::I64, {s, b.conv(Op::ftosi, Ty::I64, fs)}));
        b.done();
    }
    Run r = build_and_run(m, "int64_t pressure(int64_t, double); int64_t ext(int64_t x) { return x * 1000000; }\n"
                             "int main(void){ printf(\"%ld\\n\", pressure(3, 0.5)); return 0; }\n");
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    // 3e6 + 3 * 210 + 0.5 * 21 -> 3000640 (10.5 truncated to 10)
    CHECK(r.out == "3000640\n");
}

TEST_CASE("x64 codegen: LangFuncInfo records and --emit asm") {
    Arena a;
    ir::Module m(a);
    build_fib(m);
    SourceManager sm;
    Diag diag(sm);
    obj::Object o;
    REQUIRE(x64::compile(m, o, diag));
    // One LangFuncTable: header {text, size, count, 0}, one row {start, size, name, file,
    // lines, nlines}, the line table, then "fib" and the file name.
    bool found = false;
    for (auto& s : o.sections)
        if (s.name == "lang_funcs") {
            found = true;
            CHECK(s.kind == obj::SectionKind::Rodata);
            CHECK(s.align == 8);
            REQUIRE(s.bytes.size() >= 40);
            uint32_t h[4], row[6];
            memcpy(h, s.bytes.data(), 16);
            memcpy(row, s.bytes.data() + 16, 24);
            CHECK(h[1] == s.bytes.size());
            CHECK(h[1] % 8 == 0);
            CHECK(h[2] == 1);
            CHECK(row[0] == 0);
            CHECK(row[1] > 0);
            CHECK(row[4] == 40);
            CHECK(row[5] >= 3);
            REQUIRE(row[2] < s.bytes.size());
            CHECK(std::string((const char*)s.bytes.data() + row[2]) == "fib");
        }
    CHECK(found);
    // The table's one relocation (PC-relative, to .text); fib's recursive calls are
    // resolved in place, so .text has no relocation at all.
    REQUIRE(o.relocs.size() == 1);
    CHECK(o.relocs[0].kind == obj::RelocKind::PcRel32);
    CHECK(o.sections[o.relocs[0].section].name == "lang_funcs");
    std::string s = x64::print_asm(m);
    CHECK(s.find("fib:") != std::string::npos);
    CHECK(s.find("push rbp") != std::string::npos);
    CHECK(s.find("call fib") != std::string::npos);
    CHECK(s.find("cmp ") != std::string::npos);
}

TEST_CASE("x64 codegen: calls inside the object are resolved, external calls share one trampoline") {
    Arena a;
    ir::Module m(a);
    static const std::string twice_name = "twice"; // not the callee's own name pointer
    {
        FB b(m, "twice", {Ty::I64}, Ty::I64);
        b.f->is_public = false;
        Inst* y = b.call("ext", Ty::I64, {b.param(0)});
        b.ret(b.op(Op::add, Ty::I64, {y, y}));
        b.done();
    }
    {
        FB b(m, "entry", {Ty::I64}, Ty::I64);
        Inst* y = b.call(twice_name.c_str(), Ty::I64, {b.param(0)});
        Inst* z = b.call("ext", Ty::I64, {y});
        b.tailcall("twice", {z});
        b.done();
    }
    SourceManager sm;
    Diag diag(sm);
    obj::Object o;
    REQUIRE(x64::compile(m, o, diag));
    const obj::Symbol* entry = nullptr;
    for (const obj::Symbol& s : o.symbols)
        if (s.name == "entry") entry = &s;
    REQUIRE(entry);
    int calls = 0;
    for (const obj::Reloc& r : o.relocs) {
        if (o.sections[r.section].name != ".text") continue;
        CHECK(o.symbols[r.symbol].name == "ext"); // nothing for twice: resolved in place
        CHECK(r.kind == obj::RelocKind::Call32);
        REQUIRE(r.offset >= 1);
        CHECK(o.sections[r.section].bytes[r.offset - 1] == 0xE9); // the trampoline's jmp
        CHECK(r.offset - 1 >= entry->offset + entry->size);       // after the last function
        calls++;
    }
    CHECK(calls == 1); // three call sites of ext, one relocation
    // twice(5) = 2 * ext(5) = 12, ext(12) = 13, twice(13) = 28.
    Run r = build_and_run(m, "int64_t entry(int64_t); int64_t ext(int64_t x) { return x + 1; }\n"
                             "int main(void){ printf(\"%ld\\n\", entry(5)); return 0; }\n");
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    CHECK(r.out == "28\n");
}

TEST_CASE("x64 codegen: stack trace through the runtime's LangFuncInfo table") {
    std::string root = __FILE__;
    root = root.substr(0, root.rfind("test/unit/"));
    std::string lib = root + "build/liblangrt.a";
    if (access(lib.c_str(), R_OK) != 0) {
        MESSAGE("skipped: " << lib << " not built (make build/liblangrt.a)");
        return;
    }
    Arena a;
    ir::Module m(a);
    {
        FB b(m, "Demo.boom", {Ty::Ptr, Ty::I64}, Ty::I64);
        b.f->is_public = false; // a local symbol: relocations against it must still work
        b.line = 10;
        Inst* x = b.param(1);
        Inst* big = b.k(INT64_MAX);
        b.line = 12;
        Inst* y = b.op(Op::addchk, Ty::I64, {x, big});
        b.ret(y);
        b.done();
    }
    {
        FB b(m, "lang_main", {Ty::Ptr, Ty::Ptr}, Ty::I64);
        b.line = 20;
        Inst* ctx = b.param(0);
        Inst* five = b.k(5);
        b.line = 21;
        Inst* r = b.call("Demo.boom", Ty::I64, {ctx, five});
        b.ret(r);
        b.done();
    }
    // An empty driver: the runtime's main() calls lang_main.
    Run r = build_and_run(m, "", lib + " -lpthread -lm");
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    CHECK(r.status == 101);
    CHECK(r.out.find("integer overflow") != std::string::npos);
    CHECK(r.out.find("at Demo.boom (test.lang:12)") != std::string::npos);
    CHECK(r.out.find("at lang_main (test.lang:21)") != std::string::npos);
}

namespace x64cg_test {

// Random programs for the register allocator: the same program is generated as IR and
// as C (wrapping uint64_t arithmetic); the driver runs both on several inputs.
struct RandGen {
    FB& b;
    std::string c;                   // C statements
    std::vector<std::pair<Inst*, int>> ints, flts; // value, C variable number
    int nvar = 0;
    uint64_t seed;
    uint32_t next() {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        return (uint32_t)(seed >> 33);
    }
    std::pair<Inst*, int> pick() { return ints[next() % ints.size()]; }
    std::string v(int k) { return "v" + std::to_string(k); }
    int fresh() { return nvar++; }
    void add_int(Inst* i, const std::string& expr) {
        int k = fresh();
        c += "  " + v(k) + " = " + expr + ";\n";
        ints.push_back({i, k});
    }
    void op() {
        auto [x, xv] = pick();
        auto [y, yv] = pick();
        std::string X = v(xv), Y = v(yv);
        switch (next() % 16) {
        case 12: {
            Inst* t = b.op(Op::add, Ty::I32, {b.conv(Op::trunc, Ty::I32, x), b.conv(Op::trunc, Ty::I32, y)});
            add_int(b.conv(Op::sext, Ty::I64, t), "(uint64_t)(int64_t)(int32_t)((uint32_t)" + X + " + (uint32_t)" + Y + ")");
            break;
        }
        case 13: {
            Inst* d = b.op(Op::add, Ty::I64, {b.op(Op::And, Ty::I64, {y, b.k(0xff)}), b.k(1)});
            add_int(b.op(Op::sdiv, Ty::I64, {x, d}), "(uint64_t)((int64_t)" + X + " / (int64_t)((" + Y + " & 0xff) + 1))");
            break;
        }
        case 14: {
            Inst* d = b.op(Op::add, Ty::I64, {b.op(Op::And, Ty::I64, {y, b.k(0xff)}), b.k(1)});
            add_int(b.op(Op::urem, Ty::I64, {x, d}), X + " % ((" + Y + " & 0xff) + 1)");
            break;
        }
        case 15:
            add_int(b.conv(Op::zext, Ty::I64, b.cmp(Op::eq, b.op(Op::And, Ty::I64, {x, b.k(3)}), b.k(1))),
                    "(uint64_t)((" + X + " & 3) == 1)");
            break;
        case 0: add_int(b.op(Op::add, Ty::I64, {x, y}), X + " + " + Y); break;
        case 1: add_int(b.op(Op::sub, Ty::I64, {x, y}), X + " - " + Y); break;
        case 2: add_int(b.op(Op::mul, Ty::I64, {x, y}), X + " * " + Y); break;
        case 3: add_int(b.op(Op::Xor, Ty::I64, {x, y}), X + " ^ " + Y); break;
        case 4: add_int(b.op(Op::And, Ty::I64, {x, b.k(0xffff)}), X + " & 0xffff"); break;
        case 5: add_int(b.op(Op::shl, Ty::I64, {x, b.k(3)}), X + " << 3"); break;
        case 6: add_int(b.op(Op::sar, Ty::I64, {x, b.k(5)}), "(uint64_t)((int64_t)" + X + " >> 5)"); break;
        case 7: add_int(b.op(Op::add, Ty::I64, {x, b.k(12345)}), X + " + 12345"); break;
        case 8:
            add_int(b.op(Op::select, Ty::I64, {b.cmp(Op::slt, x, y), x, y}),
                    "(int64_t)" + X + " < (int64_t)" + Y + " ? " + X + " : " + Y);
            break;
        case 9: add_int(b.call("ext", Ty::I64, {x, y}), "ext(" + X + ", " + Y + ")"); break;
        case 10: { // float round trip, kept live
            Inst* f = b.conv(Op::sitof, Ty::F64, b.op(Op::And, Ty::I64, {x, b.k(0xfff)}));
            int k = fresh();
            c += "  f" + std::to_string(k) + " = (double)(int64_t)(" + X + " & 0xfff);\n";
            flts.push_back({f, k});
            break;
        }
        default: {
            if (flts.size() < 2) break;
            auto [f, fv] = flts[next() % flts.size()];
            auto [g, gv] = flts[next() % flts.size()];
            Inst* s = b.op(Op::fadd, Ty::F64, {b.op(Op::fmul, Ty::F64, {f, b.fk(0.5)}), g});
            add_int(b.conv(Op::ftosi, Ty::I64, s),
                    "(uint64_t)(int64_t)(f" + std::to_string(fv) + " * 0.5 + f" + std::to_string(gv) + ")");
        }
        }
    }
    void ops(int n) {
        for (int k = 0; k < n; k++) op();
    }
    void diamond(int depth) {
        auto [x, xv] = pick();
        auto [y, yv] = pick();
        ir::Block *t = b.block(), *e = b.block(), *j = b.block();
        b.br(b.cmp(Op::ult, x, y), t, e);
        c += "  if (" + v(xv) + " < " + v(yv) + ") {\n";
        size_t ni = ints.size(), nf = flts.size();
        b.at(t);
        ops(1 + next() % 6);
        if (depth > 0 && next() % 2) diamond(depth - 1);
        auto tv = pick(), tv2 = pick();
        ir::Block* tend = b.cur;
        b.jmp(j);
        int p1 = fresh(), p2 = fresh();
        c += "  " + v(p1) + " = " + v(tv.second) + "; " + v(p2) + " = " + v(tv2.second) + ";\n  } else {\n";
        ints.resize(ni), flts.resize(nf);
        b.at(e);
        ops(1 + next() % 6);
        auto ev = pick(), ev2 = pick();
        ir::Block* eend = b.cur;
        b.jmp(j);
        c += "  " + v(p1) + " = " + v(ev2.second) + "; " + v(p2) + " = " + v(ev.second) + ";\n  }\n";
        ints.resize(ni), flts.resize(nf);
        b.at(j);
        Inst* q1 = b.phi(Ty::I64);
        Inst* q2 = b.phi(Ty::I64);
        b.incoming(q1, tend, tv.first), b.incoming(q1, eend, ev2.first);
        b.incoming(q2, tend, tv2.first), b.incoming(q2, eend, ev.first);
        ints.push_back({q1, p1});
        ints.push_back({q2, p2});
    }
    // A counted loop with three carried values that rotate (a phi copy cycle).
    void loop() {
        auto a0 = pick(), b0 = pick(), c0 = pick();
        Inst* zero = b.k(0);
        ir::Block* pre = b.cur;
        ir::Block *head = b.block(), *body = b.block(), *exit = b.block();
        b.jmp(head);
        b.at(head);
        Inst *i = b.phi(Ty::I64), *pa = b.phi(Ty::I64), *pb = b.phi(Ty::I64), *pc = b.phi(Ty::I64);
        int vi = fresh(), va = fresh(), vb = fresh(), vc = fresh();
        c += "  " + v(vi) + " = 0; " + v(va) + " = " + v(a0.second) + "; " + v(vb) + " = " + v(b0.second) + "; " +
             v(vc) + " = " + v(c0.second) + ";\n  while ((int64_t)" + v(vi) + " < 5) {\n";
        b.br(b.cmp(Op::slt, i, b.k(5)), body, exit);
        b.at(body);
        size_t ni = ints.size(), nf = flts.size();
        ints.push_back({pa, va}), ints.push_back({pb, vb}), ints.push_back({pc, vc});
        ops(2 + next() % 5);
        auto nv = pick();
        Inst* i1 = b.op(Op::add, Ty::I64, {i, b.k(1)});
        Inst* na = b.op(Op::add, Ty::I64, {pb, nv.first});
        int tna = fresh();
        c += "  " + v(tna) + " = " + v(vb) + " + " + v(nv.second) + ";\n";
        c += "  { uint64_t t = " + v(va) + "; " + v(va) + " = " + v(vc) + "; " + v(vc) + " = t; " + v(vb) + " = " +
             v(tna) + "; " + v(vi) + " = " + v(vi) + " + 1; }\n  }\n";
        ir::Block* bend = b.cur;
        b.jmp(head);
        ints.resize(ni), flts.resize(nf);
        b.incoming(i, pre, zero), b.incoming(i, bend, i1);
        b.incoming(pa, pre, a0.first), b.incoming(pa, bend, pc);
        b.incoming(pb, pre, b0.first), b.incoming(pb, bend, na);
        b.incoming(pc, pre, c0.first), b.incoming(pc, bend, pa);
        b.at(exit);
        ints.push_back({pa, va}), ints.push_back({pb, vb}), ints.push_back({pc, vc});
    }
};

} // namespace x64cg_test

TEST_CASE("x64 codegen: random programs agree with the same program in C") {
    Arena a;
    ir::Module m(a);
    std::string cfuncs, calls;
    const int kFuncs = 40;
    uint64_t seed0 = getenv("X64CG_SEED") ? strtoull(getenv("X64CG_SEED"), nullptr, 10) : 0; // for bug hunts
    for (int fn = 0; fn < kFuncs; fn++) {
        std::string name = "rnd" + std::to_string(fn);
        FB b(m, a.copy_str(name.c_str(), name.size()), {Ty::I64, Ty::I64, Ty::I64}, Ty::I64);
        RandGen g{b, "", {}, {}, 0, 0x9e3779b97f4a7c15ull * (fn + 1 + seed0 * kFuncs)};
        for (int k = 0; k < 3; k++) {
            int n = g.fresh();
            g.ints.push_back({b.param(k), n});
            g.c += "  " + g.v(n) + " = p" + std::to_string(k) + ";\n";
        }
        int shapes = 3 + fn % 5;
        for (int s = 0; s < shapes; s++) {
            g.ops(2 + g.next() % 8);
            uint32_t r = g.next() % 3;
            if (r == 0) g.diamond(2);
            else if (r == 1) g.loop();
        }
        // return a hash of every live value (keeps them all alive to the end)
        Inst* acc = b.k(0);
        std::string cacc = "0";
        for (auto& [i, k] : g.ints) {
            acc = b.op(Op::add, Ty::I64, {b.op(Op::mul, Ty::I64, {acc, b.k(31)}), i});
            cacc = "(" + cacc + ") * 31 + " + g.v(k);
        }
        b.ret(acc);
        b.done();
        std::string decl = "  uint64_t";
        for (int k = 0; k < g.nvar; k++) decl += std::string(k ? "," : "") + " v" + std::to_string(k);
        decl += ";\n  double";
        for (int k = 0; k < g.nvar; k++) decl += std::string(k ? "," : "") + " f" + std::to_string(k);
        decl += ";\n";
        cfuncs += "uint64_t c_" + name + "(uint64_t p0, uint64_t p1, uint64_t p2) {\n" + decl + g.c + "  return " +
                  cacc + ";\n}\nuint64_t " + name + "(uint64_t, uint64_t, uint64_t);\n";
        calls += "  check(\"" + name + "\", " + name + ", c_" + name + ");\n";
    }
    // ext also checks the SysV rule that rsp is 16-byte aligned at every call.
    std::string drv = "uint64_t ext(uint64_t a, uint64_t b) {\n"
                      "  if ((uintptr_t)__builtin_frame_address(0) % 16) { printf(\"misaligned stack\\n\"); exit(1); }\n"
                      "  return a * 31 + b; }\n" + cfuncs +
                      "int bad = 0;\n"
                      "void check(const char* n, uint64_t (*f)(uint64_t,uint64_t,uint64_t), uint64_t (*g)(uint64_t,uint64_t,uint64_t)) {\n"
                      "  uint64_t in[4][3] = {{1,2,3},{-5,7,1000000},{123456789,987654321,42},{0,0,0}};\n"
                      "  for (int i = 0; i < 4; i++) { uint64_t x = f(in[i][0],in[i][1],in[i][2]), y = g(in[i][0],in[i][1],in[i][2]);\n"
                      "    if (x != y && bad++ < 5) printf(\"%s input %d: got %lu want %lu\\n\", n, i, x, y); } }\n"
                      "int main(void) {\n" + calls + "  printf(\"mismatches: %d\\n\", bad); return 0; }\n";
    Run r = build_and_run(m, drv);
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    CHECK(r.out == "mismatches: 0\n");
}

TEST_CASE("x64 codegen: every test/ir/*.ir file compiles without internal errors") {
    std::string root = __FILE__;
    root = root.substr(0, root.rfind("test/unit/"));
    FILE* ls = popen(("ls " + root + "test/ir/*.ir 2>/dev/null").c_str(), "r");
    REQUIRE(ls);
    char path[1024];
    int files = 0;
    while (fgets(path, sizeof path, ls)) {
        std::string p = path;
        while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
        FILE* f = fopen(p.c_str(), "rb");
        REQUIRE(f);
        std::string text;
        char buf[4096];
        while (size_t n = fread(buf, 1, sizeof buf, f)) text.append(buf, n);
        fclose(f);
        Arena a;
        ir::Module m(a);
        std::string err;
        if (!ir::read(m, text.data(), text.size(), &err)) {
            MESSAGE(p << ": not readable, skipped: " << err);
            continue;
        }
        for (ir::Func* fn : m.funcs) ir::compute_cfg(m, *fn);
        SourceManager sm;
        Diag diag(sm);
        std::string captured;
        diag.capture = &captured;
        obj::Object o;
        CHECK_MESSAGE(x64::compile(m, o, diag), p << ": " << captured);
        std::vector<uint8_t> bytes;
        CHECK_MESSAGE(obj::write_elf(o, bytes, &err), p << ": " << err);
        CHECK(x64::print_asm(m).find("error") == std::string::npos);
        files++;
    }
    pclose(ls);
    CHECK(files > 0);
}

TEST_CASE("x64 codegen: tail call needing more stack arguments falls back to call + ret") {
    Arena a;
    ir::Module m(a);
    {   // wide(8 args): weighted sum
        FB b(m, "wide", {Ty::I64, Ty::I64, Ty::I64, Ty::I64, Ty::I64, Ty::I64, Ty::I64, Ty::I64}, Ty::I64);
        Inst* s = b.k(0);
        for (int k = 0; k < 8; k++) s = b.op(Op::add, Ty::I64, {b.op(Op::mul, Ty::I64, {s, b.k(10)}), b.param(k)});
        b.ret(s);
        b.done();
    }
    {   // narrow(x): tailcall wide(x, x+1, ..., x+7): 2 stack args, we received none
        FB b(m, "narrow", {Ty::I64}, Ty::I64);
        Inst* x = b.param(0);
        Inst* args[8];
        for (int k = 0; k < 8; k++) args[k] = b.op(Op::add, Ty::I64, {x, b.k(k)});
        b.tailcall("wide", {args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7]});
        b.done();
    }
    Run r = build_and_run(m, "int64_t narrow(int64_t);\nint main(void){ printf(\"%ld\\n\", narrow(1)); return 0; }\n");
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    CHECK(r.out == "12345678\n");
    std::string s = x64::print_asm(m);
    CHECK(s.find("call wide") != std::string::npos);
}

TEST_CASE("x64 codegen: preempt calls the register-preserving stub") {
    int pre = -1;
    for (int k = 0; k < (int)Op::Count; k++)
        if (!strcmp(ir::info((Op)k).name, "preempt")) pre = k;
    if (pre < 0) {
        MESSAGE("skipped: no preempt op in ops.def");
        return;
    }
    Arena a;
    ir::Module m(a);
    FB b(m, "p", {Ty::I64}, Ty::I64);
    Inst* x = b.param(0);
    b.op((Op)pre, Ty::Void, {});
    b.ret(b.op(Op::add, Ty::I64, {x, b.k(1)}));
    b.done();
    std::string s = x64::print_asm(m);
    CHECK(s.find("call lang_preempt_stub") != std::string::npos);
    CHECK(s.find("push rbx") == std::string::npos); // x stays in a caller-saved register
}

TEST_CASE("x64 codegen: a variadic call sets AL to the vector registers used") {
    Arena a;
    ir::Module m(a);
    {   // caller(): vsum(3, 1.5, 2.25, 4.0) + vsum(2, 0.5, 0.25) as `varargs` calls
        FB b(m, "caller", {}, Ty::F64);
        Inst* c1 = b.op(Op::call, Ty::F64, {});
        c1->sym = "vsum";
        c1->imm = 1;
        for (Inst* x : {b.k(3), b.fk(1.5), b.fk(2.25), b.fk(4.0)}) c1->args.push(m.arena, x);
        Inst* c2 = b.op(Op::call, Ty::F64, {});
        c2->sym = "vsum";
        c2->imm = 1;
        for (Inst* x : {b.k(2), b.fk(0.5), b.fk(0.25)}) c2->args.push(m.arena, x);
        b.ret(b.op(Op::fadd, Ty::F64, {c1, c2}));
        b.done();
    }
    // gcc's prologue of a variadic function saves xmm0-7 only when AL is not 0
    std::string drv = "#include <stdarg.h>\n"
                      "double caller(void);\n"
                      "double vsum(int n, ...) { va_list ap; va_start(ap, n); double s = 0;\n"
                      "  for (int i = 0; i < n; i++) s += va_arg(ap, double); va_end(ap); return s; }\n"
                      "int main(void){ printf(\"%g\\n\", caller()); return 0; }\n";
    Run r = build_and_run(m, drv);
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    CHECK(r.out == "8.5\n");
}
