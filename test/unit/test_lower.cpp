// test_lower.cpp: lowering unit tests.
//
// 1. Hand-built, sema-annotated ASTs: each test builds the tree sema would produce
//    (types, decl links, indexes), lowers it, verifies and checks the printed IR.
// 2. Golden files test/ir/lower_*.lang: parsed, checked and lowered; every
//    `// ir: TEXT` line must occur in the printed module, each on a line after the
//    previous match (like FileCheck's CHECK), and no `// ir-not: TEXT` may occur at all.
#include "common/compilation.h"
#include "ir/ir.h"
#include "ir/lower.h"
#include "parse/ast.h"
#include "parse/parser.h"
#include "sema/sema.h"
#include <dirent.h>
#include <doctest/doctest.h>
#include <fstream>
#include <sstream>
#include <algorithm>
#include <vector>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace lang;

namespace {

struct Tree {
    Compilation c;
    Arena& a = c.arena;
    FileAst* file;
    const Type* I64 = c.types.int_();
    const Type* BOOL = c.types.bool_();
    const Type* STR = c.types.string();
    const Type* VOID = c.types.void_();

    Tree() {
        uint32_t id = c.sources.add("t.lang", "line1\nline2\nline3\nline4\n");
        file = a.make<FileAst>();
        file->file_id = id;
        c.files.push_back(file);
    }
    Span sp(uint32_t line) { return Span{0, line * 6, line * 6 + 1}; }
    Ident id(const char* s) { return c.interner.intern(s); }

    template <class T> T* ex(ExprKind k, const Type* t) {
        T* e = a.make<T>();
        e->kind = k;
        e->type = t;
        return e;
    }
    Expr* lit(int64_t v, const Type* t = nullptr) {
        auto* e = ex<IntLitExpr>(ExprKind::IntLit, t ? t : I64);
        e->value = (uint64_t)v;
        return e;
    }
    Expr* str(const char* s) {
        auto* e = ex<StringLitExpr>(ExprKind::StringLit, STR);
        e->bytes = s;
        e->len = (uint32_t)strlen(s);
        return e;
    }
    Expr* name(Decl* d) {
        auto* e = ex<NameExpr>(ExprKind::Name, d->type);
        e->name = d->name;
        e->decl = d;
        return e;
    }
    Expr* bin(BinOp op, Expr* l, Expr* r) {
        bool cmp = op >= BinOp::Eq && op <= BinOp::Or;
        auto* e = ex<BinaryExpr>(ExprKind::Binary, cmp ? BOOL : l->type);
        e->op = op;
        e->lhs = l;
        e->rhs = r;
        return e;
    }
    Expr* assign(Expr* t, Expr* v, bool compound = false, BinOp op = BinOp::Add) {
        auto* e = ex<AssignExpr>(ExprKind::Assign, VOID);
        e->target = t;
        e->value = v;
        e->compound = compound;
        e->op = op;
        return e;
    }
    CallExpr* call(FuncDecl* fd, std::initializer_list<Expr*> args) {
        auto* e = ex<CallExpr>(ExprKind::Call, fd->type->elem);
        auto* n = ex<NameExpr>(ExprKind::Name, fd->type);
        n->decl = fd;
        n->name = fd->name;
        e->callee = n;
        e->target = fd;
        for (Expr* x : args) e->args.push(a, Arg{Ident(), x});
        return e;
    }
    CallExpr* builtin(uint32_t id, std::initializer_list<Expr*> args) {
        auto* e = ex<CallExpr>(ExprKind::Call, VOID);
        e->callee = ex<NameExpr>(ExprKind::Name, VOID);
        e->builtin = id;
        for (Expr* x : args) e->args.push(a, Arg{Ident(), x});
        return e;
    }

    template <class T> T* st(StmtKind k, uint32_t line = 0) {
        T* s = a.make<T>();
        s->kind = k;
        s->span = line ? sp(line) : Span{};
        return s;
    }
    Stmt* ret(Expr* v, uint32_t line = 0) {
        auto* s = st<ReturnStmt>(StmtKind::Return, line);
        s->value = v;
        return s;
    }
    Stmt* es(Expr* e, uint32_t line = 0) {
        auto* s = st<ExprStmt>(StmtKind::Expr, line);
        s->expr = e;
        return s;
    }
    lang::Block* blk(std::initializer_list<Stmt*> ss) {
        auto* b = st<lang::Block>(StmtKind::Block);
        for (Stmt* s : ss) b->stmts.push(a, s);
        return b;
    }
    LocalDecl* local(FuncDecl* fd, const char* n, const Type* t, bool mut = true) {
        auto* d = a.make<LocalDecl>();
        d->is_mutable = mut;
        d->kind = DeclKind::Local;
        d->name = id(n);
        d->type = t;
        d->index = fd->local_count++;
        return d;
    }
    Stmt* let(LocalDecl* d, Expr* init) {
        auto* s = st<VarDeclStmt>(StmtKind::VarDecl);
        s->names.push(a, d);
        s->init = init;
        return s;
    }
    FuncDecl* func(const char* n, const Type* ret, std::initializer_list<std::pair<const char*, const Type*>> ps,
                   TypeDecl* parent = nullptr) {
        auto* fd = a.make<FuncDecl>();
        fd->kind = DeclKind::Func;
        fd->name = id(n);
        fd->mods = M_STATIC | M_PUBLIC;
        std::vector<const Type*> pts;
        for (auto& [pn, pt] : ps) {
            auto* p = a.make<ParamDecl>();
            p->kind = DeclKind::Param;
            p->name = id(pn);
            p->type = pt;
            p->index = fd->params.size;
            fd->params.push(a, p);
            pts.push_back(pt);
        }
        fd->type = c.types.func(pts.data(), (uint32_t)pts.size(), ret);
        fd->parent = parent;
        std::string mn = parent ? std::string(parent->name.view()) + "." + n : std::string(n);
        fd->mangled = a.copy_str(mn.data(), mn.size());
        if (parent)
            parent->members.push(a, fd);
        else
            file->decls.push(a, fd);
        return fd;
    }
    TypeDecl* cls(const char* n) {
        auto* td = a.make<TypeDecl>();
        td->kind = DeclKind::Type;
        td->tkind = TypeDeclKind::Class;
        td->name = id(n);
        td->type = c.types.nominal(TypeKind::Class, td);
        file->decls.push(a, td);
        return td;
    }
    Expr* p(FuncDecl* fd, uint32_t i) { return name(fd->params[i]); }

    std::string lower(bool expect_ok = true) {
        ir::Module m(a);
        bool ok = lower_program(c, m);
        CHECK(ok == expect_ok);
        std::string err;
        bool vok = ir::verify(m, &err);
        CHECK_MESSAGE(vok, err << "\n" << ir::print(m));
        if (getenv("LOWER_DUMP")) fputs(ir::print(m).c_str(), stderr);
        return ir::print(m);
    }
};

bool has(const std::string& s, const char* needle) { return s.find(needle) != std::string::npos; }

} // namespace

TEST_CASE("lower: expression-bodied add uses checked arithmetic") {
    Tree t;
    FuncDecl* f = t.func("Add", t.I64, {{"a", t.I64}, {"b", t.I64}});
    f->body_expr = t.bin(BinOp::Add, t.p(f, 0), t.p(f, 1));
    std::string ir = t.lower();
    CHECK(has(ir, "func $Add(ptr, i64, i64) -> i64"));
    CHECK(has(ir, "addchk.i64 %"));
    CHECK(has(ir, "ret %"));
}

TEST_CASE("lower: loop with a mutable local becomes phis, no memory") {
    // int Sum(int n) { var s = 0; var i = 0; while (i < n) { s += i; i += 1; } return s; }
    Tree t;
    FuncDecl* f = t.func("Sum", t.I64, {{"n", t.I64}});
    LocalDecl* s = t.local(f, "s", t.I64);
    LocalDecl* i = t.local(f, "i", t.I64);
    auto* w = t.st<WhileStmt>(StmtKind::While);
    w->cond = t.bin(BinOp::Lt, t.name(i), t.p(f, 0));
    w->body = t.blk({t.es(t.assign(t.name(s), t.name(i), true)), t.es(t.assign(t.name(i), t.lit(1), true))});
    f->body = t.blk({t.let(s, t.lit(0)), t.let(i, t.lit(0)), w, t.ret(t.name(s))});
    std::string ir = t.lower();
    CHECK(has(ir, "phi.i64"));
    CHECK(has(ir, "slt.i64"));
    CHECK(!has(ir, "slot"));
    CHECK(!has(ir, "load"));
    CHECK(!has(ir, "store"));
}

TEST_CASE("lower: tail-recursive return becomes tailcall") {
    Tree t;
    FuncDecl* f = t.func("Loop", t.I64, {{"n", t.I64}, {"acc", t.I64}});
    auto* ifs = t.st<IfStmt>(StmtKind::If);
    ifs->cond = t.bin(BinOp::Eq, t.p(f, 0), t.lit(0));
    ifs->then_s = t.ret(t.p(f, 1));
    ifs->else_s = nullptr;
    Expr* rec = t.call(f, {t.bin(BinOp::Sub, t.p(f, 0), t.lit(1)), t.bin(BinOp::Add, t.p(f, 1), t.p(f, 0))});
    f->body = t.blk({ifs, t.ret(rec)});
    std::string ir = t.lower();
    CHECK(has(ir, "tailcall.i64 $Loop(%"));
}

TEST_CASE("lower: division checks zero and overflow") {
    Tree t;
    FuncDecl* f = t.func("Div", t.I64, {{"a", t.I64}, {"b", t.I64}});
    f->body_expr = t.bin(BinOp::Div, t.p(f, 0), t.p(f, 1));
    std::string ir = t.lower();
    CHECK(has(ir, "lang_panic_divzero"));
    CHECK(has(ir, "lang_panic_overflow"));
    CHECK(has(ir, "sdiv.i64"));
    CHECK(has(ir, "unreachable"));
}

TEST_CASE("lower: string literal, WriteLine and the entry point") {
    Tree t;
    TypeDecl* prog = t.cls("Program");
    FuncDecl* mainf = t.func("Main", t.VOID, {}, prog);
    mainf->body = t.blk({t.es(t.builtin(2 /*ConsoleWriteLine*/, {t.str("héllo")}), 1),
                         t.es(t.builtin(2, {t.str("héllo")}), 2)});
    std::string ir = t.lower();
    CHECK(has(ir, "extern $lang_write_str"));
    CHECK(has(ir, "extern $lang_write_newline"));
    // refcount -1, byte length 6, 5 characters, bytes, NUL; interned once
    CHECK(has(ir, "data $str.0 rodata align 8 { bytes \"\\ff\\ff\\ff\\ff\\ff\\ff\\ff\\ff\\06\\00\\00\\00\\00\\00\\00\\00\\05"));
    CHECK(!has(ir, "$str.1"));
    CHECK(has(ir, "export func $lang_main(ptr, ptr) -> i64"));
    CHECK(has(ir, "call $Program.Main(%"));
    CHECK(has(ir, "$\"Program.$type\""));
    CHECK(has(ir, "!2")); // line of the second statement on its call
}

TEST_CASE("lower: && in a condition short-circuits without a phi") {
    Tree t;
    FuncDecl* f = t.func("Both", t.I64, {{"a", t.I64}, {"b", t.I64}});
    auto* ifs = t.st<IfStmt>(StmtKind::If);
    ifs->cond = t.bin(BinOp::And, t.bin(BinOp::Gt, t.p(f, 0), t.lit(0)), t.bin(BinOp::Gt, t.p(f, 1), t.lit(0)));
    ifs->then_s = t.ret(t.lit(1));
    ifs->else_s = t.ret(t.lit(2));
    f->body = t.blk({ifs});
    std::string ir = t.lower();
    CHECK(!has(ir, "phi"));
    CHECK(has(ir, "sgt.i64"));
    CHECK(has(ir, "ret %"));
}

TEST_CASE("lower: payload enum construction and match") {
    // enum Shape { Circle(float r), Rect(float w, float h) }
    // static float Area(Shape s) => match (s) { Circle(r) => r * r, Rect(w, h) => w * h };
    // static float Two() => Area(Shape.Rect(2.0, 3.0));
    Tree t;
    const Type* F = t.c.types.float_();
    auto* td = t.a.make<TypeDecl>();
    td->kind = DeclKind::Type;
    td->tkind = TypeDeclKind::Enum;
    td->name = t.id("Shape");
    Type* st = const_cast<Type*>(t.c.types.nominal(TypeKind::Enum, td));
    td->type = st;
    auto mkcase = [&](const char* n, std::initializer_list<const char*> fields, int64_t tag) {
        auto* ec = t.a.make<EnumCaseDecl>();
        ec->kind = DeclKind::EnumCase;
        ec->name = t.id(n);
        ec->tag = tag;
        ec->type = st;
        ec->parent = td;
        for (const char* fnm : fields) {
            auto* p = t.a.make<ParamDecl>();
            p->kind = DeclKind::Param;
            p->name = t.id(fnm);
            p->type = F;
            ec->payload.push(t.a, p);
        }
        td->members.push(t.a, ec);
        return ec;
    };
    EnumCaseDecl* circle = mkcase("Circle", {"r"}, 0);
    EnumCaseDecl* rect = mkcase("Rect", {"w", "h"}, 1);
    st->size = 24; // i32 tag, payload at 8
    st->align = 8;
    t.file->decls.push(t.a, td);

    FuncDecl* area = t.func("Area", F, {{"s", st}});
    auto* me = t.ex<MatchExpr>(ExprKind::Match, F);
    me->scrutinee = t.p(area, 0);
    auto variant = [&](EnumCaseDecl* ec, std::initializer_list<LocalDecl*> binds) {
        auto* p = t.a.make<Pattern>();
        p->kind = PatternKind::Variant;
        p->decl = ec;
        p->type_resolved = st;
        for (LocalDecl* b : binds) {
            auto* q = t.a.make<Pattern>();
            q->kind = PatternKind::Binding;
            q->decl = b;
            q->name = b->name;
            q->type_resolved = F;
            p->subs.push(t.a, q);
        }
        return p;
    };
    LocalDecl* r = t.local(area, "r", F, false);
    LocalDecl* w = t.local(area, "w", F, false);
    LocalDecl* h = t.local(area, "h", F, false);
    MatchArm a1{variant(circle, {r}), nullptr, t.bin(BinOp::Mul, t.name(r), t.name(r)), nullptr, Span{}};
    MatchArm a2{variant(rect, {w, h}), nullptr, t.bin(BinOp::Mul, t.name(w), t.name(h)), nullptr, Span{}};
    me->arms.push(t.a, a1);
    me->arms.push(t.a, a2);
    area->body_expr = me;

    FuncDecl* two = t.func("Two", F, {});
    auto* mk = t.ex<CallExpr>(ExprKind::Call, st);
    auto* callee = t.ex<MemberExpr>(ExprKind::Member, st);
    callee->decl = rect;
    callee->name = rect->name;
    mk->callee = callee;
    auto* l1 = t.ex<FloatLitExpr>(ExprKind::FloatLit, F);
    l1->value = 2.0;
    auto* l2 = t.ex<FloatLitExpr>(ExprKind::FloatLit, F);
    l2->value = 3.0;
    mk->args.push(t.a, Arg{Ident(), l1});
    mk->args.push(t.a, Arg{Ident(), l2});
    two->body_expr = t.call(area, {mk});

    std::string ir = t.lower();
    CHECK(has(ir, "func $Area(ptr, ptr) -> f64"));
    CHECK(has(ir, "load.i32 [%1]"));
    CHECK(has(ir, "load.f64 [%1+8]"));
    CHECK(has(ir, "load.f64 [%1+16]"));
    CHECK(has(ir, "fmul.f64"));
    CHECK(has(ir, "unreachable"));
    CHECK(has(ir, "store.i32 [%"));
    CHECK(has(ir, "store.f64 [%"));
    CHECK(has(ir, "+16], %"));
    CHECK(has(ir, "$\"Shape.$type\""));
}

TEST_CASE("lower: defer runs at block end and before return") {
    // void F(bool c) { defer Console.WriteLine("d"); if (c) return; Console.WriteLine("x"); }
    Tree t;
    FuncDecl* f = t.func("F", t.VOID, {{"c", t.BOOL}});
    auto* d = t.st<DeferStmt>(StmtKind::Defer);
    d->body = t.es(t.builtin(2, {t.str("d")}));
    auto* ifs = t.st<IfStmt>(StmtKind::If);
    ifs->cond = t.p(f, 0);
    ifs->then_s = t.st<ReturnStmt>(StmtKind::Return);
    ifs->else_s = nullptr;
    f->body = t.blk({d, ifs, t.es(t.builtin(2, {t.str("x")}))});
    std::string ir = t.lower();
    size_t n = 0;
    for (size_t p = ir.find("$lang_write_str("); p != std::string::npos; p = ir.find("$lang_write_str(", p + 1)) n++;
    CHECK(n == 3); // "d" on the return path, "x" and "d" on the fall-through path
}

TEST_CASE("lower: virtual methods dispatch through the vtable after LangTypeInfo") {
    // class Animal { virtual int Legs() => 4; }  class Bird : Animal { override int Legs() => 2; }
    // static int L(Animal a) => a.Legs();
    Tree t;
    TypeDecl* animal = t.cls("Animal");
    TypeDecl* bird = t.cls("Bird");
    auto* be = t.a.make<TypeExpr>();
    be->kind = TypeExprKind::Named;
    be->resolved = animal->type;
    bird->bases.push(t.a, be);
    FuncDecl* l1 = t.func("Legs", t.I64, {}, animal);
    l1->mods = M_PUBLIC | M_VIRTUAL;
    l1->fkind = FuncKind::Method;
    l1->body_expr = t.lit(4);
    FuncDecl* l2 = t.func("Legs", t.I64, {}, bird);
    l2->mods = M_PUBLIC | M_OVERRIDE;
    l2->fkind = FuncKind::Method;
    l2->body_expr = t.lit(2);
    FuncDecl* f = t.func("L", t.I64, {{"a", animal->type}});
    auto* ce = t.ex<CallExpr>(ExprKind::Call, t.I64);
    auto* callee = t.ex<MemberExpr>(ExprKind::Member, l1->type);
    callee->object = t.p(f, 0);
    callee->decl = l1;
    callee->name = l1->name;
    ce->callee = callee;
    ce->target = l1;
    f->body_expr = ce;
    // static Bird? B(Animal a) => a as Bird;
    FuncDecl* bf = t.func("B", t.c.types.nullable(bird->type), {{"a", animal->type}});
    auto* ae = t.ex<AsExpr>(ExprKind::As, t.c.types.nullable(bird->type));
    ae->operand = t.p(bf, 0);
    ae->to = t.a.make<TypeExpr>();
    ae->to->kind = TypeExprKind::Named;
    ae->to->resolved = bird->type;
    bf->body_expr = ae;
    std::string ir = t.lower();
    CHECK(has(ir, "addr.ptr $\"Bird.$type\""));
    CHECK(has(ir, "+32]")); // walks the base chain
    CHECK(has(ir, "phi.ptr"));
    CHECK(has(ir, "load.ptr [%1]"));
    CHECK(has(ir, "+104]")); // slot 1: slot 0 is the clone function (lower_clone.cpp)
    CHECK(has(ir, "callind.i64 %"));
    CHECK(!has(ir, "tailcall"));
    CHECK(has(ir, "zero 8, addr $Animal.Legs }"));   // vtable after the 96-byte header (slot 0 zero: no clone)
    CHECK(has(ir, "addr $\"Animal.$type\", zero 32")); // base
    CHECK(has(ir, "zero 8, addr $Bird.Legs }"));
}

TEST_CASE("lower: static fields are globals initialized in lang_main") {
    // class Program { static int count = 5; static string name; static void Main() { count += 1; } }
    Tree t;
    TypeDecl* prog = t.cls("Program");
    auto* fd = t.a.make<FieldDecl>();
    fd->kind = DeclKind::Field;
    fd->name = t.id("count");
    fd->mods = M_STATIC;
    fd->type = t.I64;
    fd->init = t.lit(5);
    fd->parent = prog;
    prog->members.push(t.a, fd);
    auto* sd = t.a.make<FieldDecl>();
    sd->kind = DeclKind::Field;
    sd->name = t.id("name");
    sd->mods = M_STATIC;
    sd->type = t.STR;
    sd->parent = prog;
    prog->members.push(t.a, sd);
    FuncDecl* mainf = t.func("Main", t.VOID, {}, prog);
    mainf->body = t.blk({t.es(t.assign(t.name(fd), t.lit(1), true))});
    std::string ir = t.lower();
    CHECK(has(ir, "data $Program.count data align 8 { zero 8 }"));
    CHECK(has(ir, "data $Program.name data align 8 { zero 8 }"));
    CHECK(has(ir, "addr.ptr $Program.count"));
    CHECK(has(ir, "addchk.i64"));
    // lang_main stores 5 and "" before calling Main
    size_t lm = ir.find("func $lang_main");
    REQUIRE(lm != std::string::npos);
    std::string tail = ir.substr(lm);
    CHECK(has(tail, "iconst.i64 5"));
    CHECK(has(tail, "addr.ptr $str."));
    CHECK(tail.find("store.i64") < tail.find("call $Program.Main"));
}

TEST_CASE("lower: fail, try and catch on T!") {
    // int! F(Err e) { fail e; }   int! G(Err e) => try F(e);   int H(Err e) => F(e) catch 7;
    Tree t;
    TypeDecl* errc = t.cls("Err");
    const Type* FI = t.c.types.fallible(t.I64);
    const_cast<Type*>(FI)->size = 16;
    const_cast<Type*>(FI)->align = 8;
    FuncDecl* f = t.func("F", FI, {{"e", errc->type}});
    auto* fs = t.st<FailStmt>(StmtKind::Fail);
    fs->error = t.p(f, 0);
    f->body = t.blk({fs});
    FuncDecl* g = t.func("G", FI, {{"e", errc->type}});
    auto* te = t.ex<TryExpr>(ExprKind::Try, t.I64);
    te->operand = t.call(f, {t.p(g, 0)});
    auto* wrap = t.ex<CastExpr>(ExprKind::Cast, FI);
    wrap->to = nullptr;
    wrap->operand = te;
    g->body_expr = wrap;
    FuncDecl* h = t.func("H", t.I64, {{"e", errc->type}});
    auto* ce = t.ex<CatchExpr>(ExprKind::Catch, t.I64);
    ce->operand = t.call(f, {t.p(h, 0)});
    ce->handler_expr = t.lit(7);
    h->body_expr = ce;
    std::string ir = t.lower();
    CHECK(has(ir, "func $F(ptr, ptr, ptr) ctx file"));   // ctx, result, e
    CHECK(has(ir, "store.ptr [%1+8], %2"));             // fail e
    CHECK(has(ir, "load.ptr [%"));                      // error check after the call
    CHECK(has(ir, "ne.ptr"));
    CHECK(has(ir, "+8], %"));                           // propagate into our result
    CHECK(has(ir, "func $H(ptr, ptr) -> i64"));
    CHECK(has(ir, "phi.i64"));
}

TEST_CASE("lower: interface calls search the object's interface tables") {
    // interface IShape { int Sides(); }  class Sq : IShape { public int Sides() => 4; }
    // static int S(IShape s) => s.Sides();
    Tree t;
    auto* ish = t.a.make<TypeDecl>();
    ish->kind = DeclKind::Type;
    ish->tkind = TypeDeclKind::Interface;
    ish->name = t.id("IShape");
    ish->type = t.c.types.nominal(TypeKind::Interface, ish);
    t.file->decls.push(t.a, ish);
    TypeDecl* sq = t.cls("Sq");
    auto* be = t.a.make<TypeExpr>();
    be->kind = TypeExprKind::Named;
    be->resolved = ish->type;
    sq->bases.push(t.a, be);
    FuncDecl* im = t.func("Sides", t.I64, {}, ish);
    im->mods = M_PUBLIC;
    im->fkind = FuncKind::Method;
    FuncDecl* cm = t.func("Sides", t.I64, {}, sq);
    cm->mods = M_PUBLIC;
    cm->fkind = FuncKind::Method;
    cm->body_expr = t.lit(4);
    FuncDecl* f = t.func("S", t.I64, {{"s", ish->type}});
    auto* ce = t.ex<CallExpr>(ExprKind::Call, t.I64);
    auto* callee = t.ex<MemberExpr>(ExprKind::Member, im->type);
    callee->object = t.p(f, 0);
    callee->decl = im;
    callee->name = im->name;
    ce->callee = callee;
    ce->target = im;
    f->body_expr = ce;
    std::string ir = t.lower();
    CHECK(has(ir, "data $\"Sq.$itable.IShape\" data align 8 { addr $Sq.Sides }"));
    CHECK(has(ir, "data $\"Sq.$ifaces\" data align 8 { addr $\"IShape.$type\", addr $\"Sq.$itable.IShape\" }"));
    CHECK(has(ir, "zero 32, addr $\"Sq.$ifaces\", bytes \"\\01\\00"));
    CHECK(has(ir, "+72]"));
    CHECK(has(ir, "+80]"));
    CHECK(has(ir, "callind.i64 %"));
    CHECK(!has(ir, "tailcall"));
}

// ---------------------------------------------------------------------------
// Golden files

namespace {

std::string lower_dir() {
    if (const char* d = getenv("LANG_TEST_IR_DIR")) return d;
    return "test/ir";
}

std::vector<std::string> lower_goldens() {
    std::vector<std::string> out;
    DIR* d = opendir(lower_dir().c_str());
    if (!d) return out;
    while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n.rfind("lower_", 0) == 0 && n.size() > 5 && n.compare(n.size() - 5, 5, ".lang") == 0)
            out.push_back(lower_dir() + "/" + n);
    }
    closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

TEST_CASE("lower: golden files test/ir/lower_*.lang") {
    std::vector<std::string> files = lower_goldens();
    CHECK(files.size() >= 1);
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
        std::string text = ir::print(m);
        std::vector<std::string> lines;
        {
            std::istringstream in(text);
            for (std::string l; std::getline(in, l);) lines.push_back(l);
        }
        std::istringstream src(c.sources.file(id).text);
        size_t at = 0;
        for (std::string l; std::getline(src, l);) {
            if (l.rfind("// ir: ", 0) == 0) {
                std::string want = l.substr(7);
                size_t k = at;
                while (k < lines.size() && lines[k].find(want) == std::string::npos) k++;
                CHECK_MESSAGE(k < lines.size(), "missing (in order): " << want << "\n" << text);
                if (k < lines.size()) at = k + 1;
            } else if (l.rfind("// ir-not: ", 0) == 0) {
                std::string bad = l.substr(11);
                CHECK_MESSAGE(text.find(bad) == std::string::npos, "must not appear: " << bad << "\n" << text);
            }
        }
    }
}
