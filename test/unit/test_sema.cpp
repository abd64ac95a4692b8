// test_sema.cpp: semantic analysis tests: parse + check small sources, then assert the
// diagnostics and the annotations lowering relies on (types, decls, conversions, local
// indexes, layout, mangled names). Also runs sema over test/run (must be clean) and
// test/errors/sema_*.lang (every `// error: LINE:COL: MSG` must be reported).
#include "common/compilation.h"
#include "parse/ast.h"
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

struct Checked {
    Compilation c;
    std::string errs;
    bool ok = false;
    FileAst* file = nullptr;

    // One source file (or several: name/text pairs) checked as one program.
    explicit Checked(const std::string& src, bool entry = true) { run({{"t.lang", src}}, entry); }
    Checked(std::vector<std::pair<std::string, std::string>> files, bool entry = true) { run(files, entry); }

    void run(const std::vector<std::pair<std::string, std::string>>& files, bool entry) {
        c.diag.capture = &errs;
        for (auto& f : files) {
            uint32_t id = c.sources.add(f.first, f.second);
            FileAst* a = parse_file(c, id);
            c.files.push_back(a);
            if (!file) file = a;
        }
        REQUIRE_MESSAGE(c.diag.error_count() == 0, errs);
        ok = check_program(c, entry);
    }
    bool has(const std::string& s) const { return errs.find(s) != std::string::npos; }

    TypeDecl* type(const char* name) {
        for (FileAst* f : c.files)
            for (Decl* d : f->decls)
                if (d && d->kind == DeclKind::Type && d->name == name) return static_cast<TypeDecl*>(d);
        return nullptr;
    }
    Decl* member(const char* type_name, const char* name, int nth = 0) {
        TypeDecl* t = type(type_name);
        if (!t) return nullptr;
        for (Decl* m : t->members)
            if (m && m->name == name && nth-- == 0) return m;
        return nullptr;
    }
    FuncDecl* func(const char* type_name, const char* name, int nth = 0) {
        return static_cast<FuncDecl*>(member(type_name, name, nth));
    }
};

std::string tn(const Type* t) { return type_name(t); }

// The statements of a function body.
Stmt* stmt(FuncDecl* f, uint32_t i) { return f && f->body && i < f->body->stmts.size ? f->body->stmts[i] : nullptr; }
Expr* init_of(FuncDecl* f, uint32_t i) {
    Stmt* s = stmt(f, i);
    return s && s->kind == StmtKind::VarDecl ? static_cast<VarDeclStmt*>(s)->init : nullptr;
}
Expr* expr_of(FuncDecl* f, uint32_t i) {
    Stmt* s = stmt(f, i);
    return s && s->kind == StmtKind::Expr ? static_cast<ExprStmt*>(s)->expr : nullptr;
}

std::vector<std::string> list_dir(const std::string& dir, const std::string& prefix, const std::string& suffix) {
    std::vector<std::string> out;
    DIR* d = opendir(dir.c_str());
    if (!d) return out;
    while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n.size() >= prefix.size() + suffix.size() && n.compare(0, prefix.size(), prefix) == 0 &&
            n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0)
            out.push_back(dir + "/" + n);
    }
    closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Finds the test directory whether tests run from the repo root or from build/.
std::string test_dir(const char* sub) {
    for (const char* base : {"test/", "../test/", "../../test/"}) {
        std::string p = std::string(base) + sub;
        if (DIR* d = opendir(p.c_str())) { closedir(d); return p; }
    }
    return std::string("test/") + sub;
}

} // namespace

// All .lang files under `dir`, sorted (like `find DIR -name '*.lang' | sort`).
void find_lang(const std::string& dir, std::vector<std::string>& out) {
    DIR* d = opendir(dir.c_str());
    if (!d) return;
    while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        std::string p = dir + "/" + n;
        if (DIR* sub = opendir(p.c_str())) { closedir(sub); find_lang(p, out); }
        else if (n.size() > 5 && n.compare(n.size() - 5, 5, ".lang") == 0) out.push_back(p);
    }
    closedir(d);
    std::sort(out.begin(), out.end());
}

// Walks every expression of a checked program and records contract violations: an
// expression without a type, with the Error type, or a NameExpr/Call left unresolved.
struct ContractWalker {
    std::vector<std::string> bad;
    std::string where;
    void fail(const Expr* e, const char* what) {
        bad.push_back(where + ": expr kind " + std::to_string((int)e->kind) + " at byte " +
                      std::to_string(e->span.begin) + ": " + what);
    }
    void expr(Expr* e) {
        if (!e) return;
        if (!e->type) fail(e, "no type");
        else if (e->type->kind == TypeKind::Error) fail(e, "error type");
        switch (e->kind) {
        case ExprKind::Name: {
            auto* n = static_cast<NameExpr*>(e);
            if (!n->decl && !(n->name == "Console") && !(n->name == "assert") && !(n->name == "assert_eq") &&
                !(n->name == "panic") && !(n->name == "Sleep") && !(n->name == "Yield") && !(n->name == "Timeout") &&
                !(n->name == "Duration") && !(n->name == "Math") && !(n->name == "Json") && !(n->name == "__lang_parse_f64") && !(n->name == "compare") && !(n->name == "swap") && !(n->name == "take") &&
                !(n->name == "hash") && !(n->name == "equals") && !(n->name == "__lang_describe") &&
                !(n->name == "string") && // string.Join(...)
                !(n->name == "context") && !n->name.view().starts_with("__lang_")) // the context, the prelude's runtime calls
                fail(e, "name without decl");
            break;
        }
        case ExprKind::Member: {
            auto* m = static_cast<MemberExpr*>(e);
            if (!m->decl && !m->builtin) fail(e, "member without decl or builtin");
            expr(m->object);
            expr(m->call); // a property read
            break;
        }
        case ExprKind::TupleIndex: expr(static_cast<TupleIndexExpr*>(e)->object); break;
        case ExprKind::Index: expr(static_cast<IndexExpr*>(e)->object); expr(static_cast<IndexExpr*>(e)->index); break;
        case ExprKind::Call: {
            auto* c = static_cast<CallExpr*>(e);
            if (!c->target && !c->builtin) {
                Decl* d = c->callee->kind == ExprKind::Name ? static_cast<NameExpr*>(c->callee)->decl
                        : c->callee->kind == ExprKind::Member ? static_cast<MemberExpr*>(c->callee)->decl : nullptr;
                bool value_call = c->callee->type && c->callee->type->kind == TypeKind::Func; // f(x) through a function value
                if ((!d || d->kind != DeclKind::EnumCase) && !value_call) fail(e, "call without target");
            }
            expr(c->callee);
            for (Arg& a : c->args) expr(a.value);
            break;
        }
        case ExprKind::Unary: expr(static_cast<UnaryExpr*>(e)->operand); break;
        case ExprKind::Binary: {
            auto* b = static_cast<BinaryExpr*>(e);
            expr(b->lhs);
            expr(b->rhs);
            bool arith = b->op <= BinOp::BitXor && b->op != BinOp::Shl && b->op != BinOp::Shr;
            bool scaled = e->type->kind == TypeKind::Duration || b->lhs->type->kind == TypeKind::Duration; // d * n, d / n
            if (arith && !scaled && b->lhs->type != b->rhs->type) fail(e, "operands of different types");
            if (b->op >= BinOp::Eq && b->op <= BinOp::Ge && b->lhs->type != b->rhs->type) fail(e, "compared types differ");
            break;
        }
        case ExprKind::Assign: expr(static_cast<AssignExpr*>(e)->target); expr(static_cast<AssignExpr*>(e)->value); break;
        case ExprKind::Ternary: {
            auto* t = static_cast<TernaryExpr*>(e);
            expr(t->cond); expr(t->then_e); expr(t->else_e);
            if (t->then_e->type != e->type || t->else_e->type != e->type) fail(e, "ternary branch type differs");
            break;
        }
        case ExprKind::Cast: expr(static_cast<CastExpr*>(e)->operand); break;
        case ExprKind::New: {
            auto* n = static_cast<NewExpr*>(e);
            expr(n->array_len);
            for (Arg& a : n->args) expr(a.value);
            for (FieldInit& f : n->inits) expr(f.value);
            break;
        }
        case ExprKind::ArrayLit:
            for (Expr* x : static_cast<ArrayLitExpr*>(e)->elems) {
                expr(x);
                if (x->type != e->type->elem) fail(x, "array element type differs");
            }
            break;
        case ExprKind::TupleLit: for (Expr* x : static_cast<TupleLitExpr*>(e)->elems) expr(x); break;
        case ExprKind::Range: expr(static_cast<RangeExpr*>(e)->lo); expr(static_cast<RangeExpr*>(e)->hi); break;
        case ExprKind::InterpString:
            for (InterpPart& p : static_cast<InterpStringExpr*>(e)->parts) {
                expr(p.expr);
                if (p.expr && p.expr->type && p.expr->type->kind != TypeKind::String && !p.fmt_kind)
                    fail(p.expr, "hole not string"); // a formatted hole ({x:F2}) keeps its number
            }
            break;
        case ExprKind::Match: {
            auto* m = static_cast<MatchExpr*>(e);
            expr(m->scrutinee);
            for (MatchArm& a : m->arms) {
                pattern(a.pattern);
                expr(a.guard);
                expr(a.body_expr);
                if (a.body_expr && e->type->kind != TypeKind::Void && a.body_expr->type != e->type)
                    fail(a.body_expr, "arm type differs");
                stmt(a.body_block);
            }
            break;
        }
        default: break;
        }
    }
    void pattern(Pattern* p) {
        if (!p) return;
        if (!p->type_resolved) bad.push_back(where + ": pattern without type");
        if ((p->kind == PatternKind::Binding || p->kind == PatternKind::Variant) && !p->decl)
            bad.push_back(where + ": pattern without decl");
        expr(p->lit);
        expr(p->hi);
        for (Pattern* s : p->subs) pattern(s);
    }
    void stmt(Stmt* s) {
        if (!s) return;
        switch (s->kind) {
        case StmtKind::Block: for (Stmt* x : static_cast<Block*>(s)->stmts) stmt(x); break;
        case StmtKind::Expr: expr(static_cast<ExprStmt*>(s)->expr); break;
        case StmtKind::VarDecl: {
            auto* v = static_cast<VarDeclStmt*>(s);
            expr(v->init);
            for (LocalDecl* d : v->names)
                if (!d->type || d->type->kind == TypeKind::Error) bad.push_back(where + ": local without type");
            if (v->init && !v->destructure && v->names.size == 1 && v->init->type != v->names[0]->type)
                bad.push_back(where + ": initializer type differs from the local's");
            break;
        }
        case StmtKind::If: expr(static_cast<IfStmt*>(s)->cond); stmt(static_cast<IfStmt*>(s)->then_s); stmt(static_cast<IfStmt*>(s)->else_s); break;
        case StmtKind::While: expr(static_cast<WhileStmt*>(s)->cond); stmt(static_cast<WhileStmt*>(s)->body); break;
        case StmtKind::For: {
            auto* f = static_cast<ForStmt*>(s);
            stmt(f->init); expr(f->cond); expr(f->step); stmt(f->body);
            break;
        }
        case StmtKind::ForIn: {
            auto* f = static_cast<ForInStmt*>(s);
            expr(f->iterable);
            if (!f->var->type) bad.push_back(where + ": for-in variable without type");
            stmt(f->body);
            break;
        }
        case StmtKind::Return: expr(static_cast<ReturnStmt*>(s)->value); break;
        default: break;
        }
    }
    void program(Compilation& c) {
        for (FileAst* f : c.files) {
            for (Decl* d : f->decls) decl(d);
            for (Decl* d : f->instances) decl(d); // generic instances (templates are skipped)
        }
    }
    void decl(Decl* d) {
        if (!d) return;
        if (d->kind == DeclKind::Func) {
            auto* f = static_cast<FuncDecl*>(d);
            if (!f->type_params.empty()) return; // a generic template: never checked
            if (f->unused) return;                // an unused instance method (may fail for its type arguments)

            where = f->mangled ? f->mangled : "?";
            if (!f->mangled) bad.push_back(where + ": no mangled name");
            if (!f->type || f->type->kind != TypeKind::Func) bad.push_back(where + ": no func type");
            expr(f->body_expr);
            stmt(f->body);
        } else if (d->kind == DeclKind::Type) {
            if (!static_cast<TypeDecl*>(d)->type_params.empty()) return;
            for (Decl* m : static_cast<TypeDecl*>(d)->members) decl(m);
        }
    }
};

TEST_CASE("sema: every test/run program checks without errors") {
    std::vector<std::string> progs = list_dir(test_dir("run"), "", "");
    int n = 0;
    for (auto& path : progs) {
        if (path.back() == '.') continue;
        std::vector<std::string> files;
        if (DIR* d = opendir(path.c_str())) { closedir(d); find_lang(path, files); }
        else if (path.size() > 5 && path.compare(path.size() - 5, 5, ".lang") == 0) files.push_back(path);
        if (files.empty()) continue;
        n++;
        Compilation c;
        std::string errs;
        c.diag.capture = &errs;
        for (auto& f : files) c.files.push_back(parse_file(c, c.sources.add(f, slurp(f))));
        if (c.diag.error_count()) continue; // a parser problem, not ours
        bool ok = check_program(c);
        CHECK_MESSAGE(ok, path << ":\n" << errs);
        if (!ok) continue;
        ContractWalker w;
        w.program(c);
        std::string all;
        for (auto& b : w.bad) all += b + "\n";
        CHECK_MESSAGE(w.bad.empty(), path << ": annotation contract violations:\n" << all);
    }
    CHECK(n > 0);
}

TEST_CASE("sema: test/errors/sema_* report exactly their expected diagnostics") {
    auto entries = list_dir(test_dir("errors"), "sema_", "");
    CHECK(entries.size() >= 25);
    for (auto& path : entries) {
        std::vector<std::string> files;
        if (DIR* d = opendir(path.c_str())) { closedir(d); find_lang(path, files); }
        else files.push_back(path);
        Compilation c;
        std::string errs;
        c.diag.capture = &errs;
        for (auto& f : files) c.files.push_back(parse_file(c, c.sources.add(f, slurp(f))));
        CHECK_MESSAGE(c.diag.error_count() == 0, path << ": parse errors:\n" << errs);
        bool ok = check_program(c);
        CHECK_MESSAGE(!ok, path << ": no error reported");
        int expected = 0;
        for (auto& f : files) {
            std::istringstream in(slurp(f));
            std::string line;
            while (std::getline(in, line)) {
                size_t k = line.find("// error: ");
                if (k == std::string::npos) continue;
                std::string want = line.substr(k + 10);
                size_t colon = want.find(": ");
                REQUIRE(colon != std::string::npos);
                expected++;
                std::string full = f + ":" + want.substr(0, colon) + ": error: " + want.substr(colon + 2);
                CHECK_MESSAGE(errs.find(full) != std::string::npos, "missing: " << full << "\ngot:\n" << errs);
            }
        }
        CHECK_MESSAGE(expected > 0, path << ": no // error: lines");
        // No unexpected extra errors.
        int got = 0;
        for (size_t p = errs.find(": error: "); p != std::string::npos; p = errs.find(": error: ", p + 1)) got++;
        CHECK_MESSAGE(got == expected, path << ": expected " << expected << " errors, got " << got << ":\n" << errs);
    }
}

TEST_CASE("sema: type names") {
    Compilation c;
    TypeTable& T = c.types;
    CHECK(type_name(T.int_()) == "int");
    CHECK(type_name(T.float_()) == "float");
    CHECK(type_name(T.prim(TypeKind::U8)) == "byte");
    CHECK(type_name(T.prim(TypeKind::I32)) == "i32");
    CHECK(type_name(T.array(T.int_())) == "int[]");
    CHECK(type_name(T.array(T.array(T.string()))) == "string[][]");
    CHECK(type_name(T.nullable(T.int_())) == "int?");
    const Type* el[] = {T.int_(), T.string()};
    CHECK(type_name(T.tuple(el, 2)) == "(int, string)");
    // Hash-consing: equal structure, same pointer.
    const Type* el2[] = {T.int_(), T.string()};
    CHECK(T.tuple(el, 2) == T.tuple(el2, 2));
    CHECK(T.array(T.int_()) == T.array(T.int_()));
    CHECK(T.array(T.int_()) != T.array(T.prim(TypeKind::I32)));
    // Layout of composites made after sema.
    const Type* el3[] = {T.prim(TypeKind::U8), T.int_(), T.bool_()};
    CHECK(T.tuple(el3, 3)->size == 24);
    CHECK(T.tuple(el3, 3)->align == 8);
    CHECK(T.nullable(T.int_())->size == 16);
    CHECK(T.nullable(T.string())->size == 8);
}

TEST_CASE("sema: expression types, literal adaptation and implicit casts") {
    Checked k(R"(
public class Program {
    public static void Main() {
        let a: byte = 7;
        let b: i32 = 5;
        let c = b + 1;
        let d: int = b;
        let e = "n=" + c;
        let f: float = 2;
        let g = 'z' - 'a';
        let h = (b, "x");
        let i = -128;
        let j: float = 1.5 * 2;
    }
}
)");
    REQUIRE_MESSAGE(k.ok, k.errs);
    FuncDecl* m = k.func("Program", "Main");
    REQUIRE(m);
    Expr* a = init_of(m, 0);
    CHECK(a->kind == ExprKind::IntLit);
    CHECK(tn(a->type) == "byte"); // adapted, no cast
    Expr* c = init_of(m, 2);
    CHECK(tn(c->type) == "i32");
    CHECK(tn(static_cast<BinaryExpr*>(c)->rhs->type) == "i32");
    Expr* d = init_of(m, 3);
    REQUIRE(d->kind == ExprKind::Cast); // implicit widening made explicit
    CHECK(static_cast<CastExpr*>(d)->to == nullptr);
    CHECK(tn(d->type) == "int");
    CHECK(tn(static_cast<CastExpr*>(d)->operand->type) == "i32");
    Expr* e = init_of(m, 4);
    CHECK(tn(e->type) == "string");
    Expr* er = static_cast<BinaryExpr*>(e)->rhs;
    REQUIRE(er->kind == ExprKind::Cast); // primitive -> string for concatenation
    CHECK(tn(er->type) == "string");
    CHECK(tn(static_cast<CastExpr*>(er)->operand->type) == "i32");
    Expr* f = init_of(m, 5);
    REQUIRE(f->kind == ExprKind::Cast);
    CHECK(tn(f->type) == "float");
    CHECK(tn(static_cast<CastExpr*>(f)->operand->type) == "int");
    Expr* g = init_of(m, 6);
    CHECK(tn(g->type) == "int");
    CHECK(static_cast<BinaryExpr*>(g)->lhs->kind == ExprKind::Cast);
    CHECK(tn(init_of(m, 7)->type) == "(i32, string)");
    CHECK(tn(init_of(m, 8)->type) == "int");
    Expr* j = init_of(m, 9);
    CHECK(tn(j->type) == "float");
    CHECK(static_cast<BinaryExpr*>(j)->rhs->kind == ExprKind::Cast);
    // Locals are numbered in order.
    auto* vd = static_cast<VarDeclStmt*>(stmt(m, 9));
    CHECK(vd->names[0]->index == 9);
    CHECK(m->local_count == 10);
}

TEST_CASE("sema: names, members, calls and builtins are linked to their declarations") {
    Checked k(R"(
enum Color { Red, Green = 5, Blue }
struct P {
    public var int X;
    public int Get() => X;
    public static int Zero() => 0;
}
public class Program {
    static int Add(int a, int b) => a + b;
    static int Add(float a, float b) => 0;
    public static void Main() {
        var p = new P { X = 1 };
        let x = p.X;
        let y = p.Get();
        let c = Color.Blue;
        let s = "abc";
        let n = s.Length;
        let z = Add(1, 2);
        let w = Add(1.5, 2.0);
        Console.WriteLine(x);
        let q = P.Zero();
        assert(x == 1);
    }
}
)");
    REQUIRE_MESSAGE(k.ok, k.errs);
    FuncDecl* m = k.func("Program", "Main");
    auto* nw = static_cast<NewExpr*>(init_of(m, 0));
    CHECK(nw->ctor == nullptr);
    auto* px = static_cast<MemberExpr*>(init_of(m, 1));
    CHECK(px->decl == k.member("P", "X"));
    CHECK(static_cast<NameExpr*>(px->object)->decl->kind == DeclKind::Local);
    auto* call = static_cast<CallExpr*>(init_of(m, 2));
    CHECK(call->target == k.func("P", "Get"));
    CHECK(static_cast<MemberExpr*>(call->callee)->decl == k.func("P", "Get"));
    auto* col = static_cast<MemberExpr*>(init_of(m, 3));
    REQUIRE(col->decl);
    CHECK(col->decl->kind == DeclKind::EnumCase);
    CHECK(static_cast<EnumCaseDecl*>(col->decl)->tag == 6);
    CHECK(tn(col->type) == "Color");
    auto* len = static_cast<MemberExpr*>(init_of(m, 5));
    CHECK(len->builtin == (uint32_t)Builtin::StringLength);
    CHECK(len->decl == nullptr);
    CHECK(tn(len->type) == "int");
    auto* add1 = static_cast<CallExpr*>(init_of(m, 6));
    auto* add2 = static_cast<CallExpr*>(init_of(m, 7));
    CHECK(add1->target == k.func("Program", "Add", 0));
    CHECK(add2->target == k.func("Program", "Add", 1));
    CHECK(std::string(add1->target->mangled) == "Program.Add");
    CHECK(std::string(add2->target->mangled) == "Program.Add#1");
    auto* wl = static_cast<CallExpr*>(expr_of(m, 8));
    CHECK(wl->builtin == (uint32_t)Builtin::ConsoleWriteLine);
    CHECK(wl->target == nullptr);
    CHECK(wl->type == k.c.types.void_());
    auto* zero = static_cast<CallExpr*>(init_of(m, 9));
    CHECK(zero->target == k.func("P", "Zero"));
    auto* as = static_cast<CallExpr*>(expr_of(m, 10));
    CHECK(as->builtin == (uint32_t)Builtin::Assert);
    // Mangled names and func types.
    CHECK(std::string(k.func("Program", "Main")->mangled) == "Program.Main");
    CHECK(std::string(k.func("P", "Get")->mangled) == "P.Get");
    CHECK(tn(k.func("Program", "Add")->type) == "(int, int) => int");
    CHECK(find_entry_point(k.c) == k.func("Program", "Main"));
}

TEST_CASE("sema: layout of structs, classes, tuples and enums") {
    Checked k(R"(
struct S { byte a; int b; bool c; }
struct Outer { S s; i32 k; }
class C { byte a; int b; }
enum Small : u8 { A, B }
enum Big { X, Y }
public class Program {
    public static void Main() {
        let t = (1, true);
    }
}
)");
    REQUIRE_MESSAGE(k.ok, k.errs);
    auto off = [&](const char* t, const char* f) { return static_cast<FieldDecl*>(k.member(t, f))->offset; };
    CHECK(off("S", "a") == 0);
    CHECK(off("S", "b") == 8);
    CHECK(off("S", "c") == 16);
    CHECK(k.type("S")->type->size == 24);
    CHECK(k.type("S")->type->align == 8);
    CHECK(off("Outer", "k") == 24);
    CHECK(k.type("Outer")->type->size == 32);
    CHECK(off("C", "a") == 16); // after the object header
    CHECK(off("C", "b") == 24);
    CHECK(k.type("C")->type->size == 8);
    CHECK(k.type("C")->instance_size == 32);
    CHECK(k.type("Small")->type->size == 1);
    CHECK(k.type("Big")->type->size == 4);
    CHECK(init_of(k.func("Program", "Main"), 0)->type->size == 16);
}

TEST_CASE("sema: namespaces and mangled names") {
    Checked k(std::vector<std::pair<std::string, std::string>>{
        {"app/main.lang", "namespace Shapes;\nimport Geo;\npublic class Program {\n"
                          "    public static void Main() { let p = new Point(1, 2); let d = Geo.Dist(p); }\n}\n"},
        {"app/geo.lang", "namespace Geo;\npublic struct Point {\n    public int X; public int Y;\n"
                         "    public Point(int x, int y) { X = x; Y = y; }\n    public int Length() => X + Y;\n}\n"
                         "public int Dist(Point p) => p.Length();\n"}});
    REQUIRE_MESSAGE(k.ok, k.errs);
    CHECK(std::string(k.func("Program", "Main")->mangled) == "Shapes.Program.Main");
    CHECK(std::string(k.func("Point", "Length")->mangled) == "Geo.Point.Length");
    FuncDecl* ctor = nullptr;
    for (Decl* d : k.type("Point")->members)
        if (d->kind == DeclKind::Func && static_cast<FuncDecl*>(d)->fkind == FuncKind::Constructor) ctor = static_cast<FuncDecl*>(d);
    REQUIRE(ctor);
    CHECK(std::string(ctor->mangled) == "Geo.Point.new");
    FuncDecl* dist = nullptr;
    for (Decl* d : k.c.files[1]->decls)
        if (d->name == "Dist") dist = static_cast<FuncDecl*>(d);
    REQUIRE(dist);
    CHECK(std::string(dist->mangled) == "Geo.Dist");
    auto* nw = static_cast<NewExpr*>(init_of(k.func("Program", "Main"), 0));
    CHECK(nw->ctor == ctor);
}

TEST_CASE("sema: match patterns, for-in and implicit this") {
    Checked k(R"(
enum Color { Red, Green, Blue }
class Counter {
    var int n;
    public mut void Inc() { n += 1; Bump(); }
    mut void Bump() { }
}
public class Program {
    static int Code(Color c) => match (c) {
        Red => 1,
        Color.Green => 2,
        other => 3,
    };
    public static void Main() {
        for (let ch in "ab") { }
        for (let i in 0..=3) { }
        let k = match (5) { 1..=4 => "low", v when v > 10 => "big", _ => "mid" };
    }
}
)");
    REQUIRE_MESSAGE(k.ok, k.errs);
    auto* m = static_cast<MatchExpr*>(k.func("Program", "Code")->body_expr);
    REQUIRE(m);
    CHECK(m->arms[0].pattern->kind == PatternKind::Variant);
    CHECK(m->arms[0].pattern->decl == k.member("Color", "Red"));
    CHECK(m->arms[1].pattern->decl == k.member("Color", "Green"));
    CHECK(m->arms[2].pattern->kind == PatternKind::Binding);
    REQUIRE(m->arms[2].pattern->decl);
    CHECK(m->arms[2].pattern->decl->kind == DeclKind::Local);
    CHECK(tn(m->arms[2].pattern->type_resolved) == "Color");
    CHECK(k.func("Program", "Code")->local_count == 1);
    FuncDecl* main = k.func("Program", "Main");
    auto* f1 = static_cast<ForInStmt*>(stmt(main, 0));
    CHECK(tn(f1->var->type) == "char");
    auto* f2 = static_cast<ForInStmt*>(stmt(main, 1));
    CHECK(tn(f2->var->type) == "int");
    CHECK(f2->iterable->type->kind == TypeKind::Range);
    auto* mk = static_cast<MatchExpr*>(init_of(main, 2));
    CHECK(tn(mk->type) == "string");
    CHECK(tn(mk->arms[0].pattern->lit->type) == "int");
    CHECK(main->local_count == 4);
    // Implicit this: the field and the method call.
    FuncDecl* inc = k.func("Counter", "Inc");
    auto* as = static_cast<AssignExpr*>(expr_of(inc, 0));
    CHECK(static_cast<NameExpr*>(as->target)->decl == k.member("Counter", "n"));
    auto* call = static_cast<CallExpr*>(expr_of(inc, 1));
    CHECK(call->target == k.func("Counter", "Bump"));
    CHECK(call->callee->kind == ExprKind::Name);
}

TEST_CASE("sema: diagnostics (one rule each)") {
    auto errs_of = [](const char* body) {
        std::string src = std::string("public class Program {\n") + body + "\n}\n";
        Checked k(src);
        CHECK(!k.ok);
        return k.errs;
    };
    CHECK(errs_of("static void Main() { let x = 1; x = 2; }").find("cannot assign to 'x': it is declared with 'let'") != std::string::npos);
    CHECK(errs_of("static void Main() { let b: byte = 300; }").find("constant 300 does not fit in byte") != std::string::npos);
    CHECK(errs_of("static void Main() { break; }").find("break outside of a loop") != std::string::npos);
    CHECK(errs_of("static int F() { } static void Main() { }").find("function 'F' must return a value of type int") != std::string::npos);
    CHECK(errs_of("static void Main() { let s: string = 1; }").find("type mismatch: expected string, found int") != std::string::npos);
    CHECK(errs_of("static void Main() { foo(); }").find("undefined name 'foo'") != std::string::npos);
    CHECK(errs_of("static void Main() { let f = 1.5; let n: int = f; }").find("type mismatch: expected int, found float") != std::string::npos);
    // No cascades: one error for a poisoned chain.
    std::string e = errs_of("static void Main() { let a = nope; let b = a + 1; let c = b * a; Console.WriteLine(c); }");
    CHECK(std::count(e.begin(), e.end(), '^') == 1);
}

TEST_CASE("sema: never crashes on partially parsed trees") {
    const char* bad[] = {
        "public class Program { public static void Main() { let x = ; x. ; } }",
        "class { int }",
        "public class Program { static int F( { return 1 + ; } static void Main() { F(1,,2); match (x) { => } } }",
        "enum E { A = , B } struct S { S s; } public class Program { static void Main() { let t = (1, ); t.9; } }",
        "public class Program { static void Main() { for (let in ) {} while () {} if {} new int[; [1, 2; } }",
    };
    for (const char* src : bad) {
        Compilation c;
        std::string errs;
        c.diag.capture = &errs;
        c.files.push_back(parse_file(c, c.sources.add("bad.lang", src)));
        check_program(c);
        CHECK(c.diag.error_count() > 0);
    }
}

TEST_CASE("sema: enums with payloads: construction, patterns, layout") {
    Checked k(R"(
enum Shape { Circle(float r), Rect(i32 w, i32 h), Empty }
public class Program {
    static float Area(Shape s) => match (s) {
        Circle(r) => r * r,
        Shape.Rect(w, _) => (float)w,
        Empty => 0.0,
    };
    public static void Main() {
        let a = Shape.Circle(1);
        let b: Shape = Rect(2, 3);
        let c = Shape.Empty;
    }
}
)");
    REQUIRE_MESSAGE(k.ok, k.errs);
    const Type* st = k.type("Shape")->type;
    CHECK(!st->is_c_like_enum());
    CHECK(st->align == 8);
    CHECK(st->size == 16); // i32 tag, payload at 8 (max payload 8 bytes)
    FuncDecl* m = k.func("Program", "Main");
    auto* a = static_cast<CallExpr*>(init_of(m, 0));
    CHECK(a->target == nullptr);
    CHECK(a->builtin == 0);
    CHECK(static_cast<MemberExpr*>(a->callee)->decl == k.member("Shape", "Circle"));
    CHECK(tn(a->type) == "Shape");
    CHECK(a->args[0].value->kind == ExprKind::Cast); // 1 -> float
    auto* b = static_cast<CallExpr*>(init_of(m, 1));
    CHECK(static_cast<NameExpr*>(b->callee)->decl == k.member("Shape", "Rect"));
    CHECK(tn(b->args[0].value->type) == "i32");
    auto* c = static_cast<MemberExpr*>(init_of(m, 2));
    CHECK(c->decl == k.member("Shape", "Empty"));
    auto* mt = static_cast<MatchExpr*>(k.func("Program", "Area")->body_expr);
    Pattern* p0 = mt->arms[0].pattern;
    CHECK(p0->decl == k.member("Shape", "Circle"));
    REQUIRE(p0->subs.size == 1);
    CHECK(p0->subs[0]->decl->kind == DeclKind::Local);
    CHECK(tn(p0->subs[0]->type_resolved) == "float");
    CHECK(mt->arms[2].pattern->decl == k.member("Shape", "Empty"));
    CHECK(k.func("Program", "Area")->local_count == 2);
}

TEST_CASE("sema: imports, aliases, ambiguity and qualified names") {
    auto prog = [](const char* main_src) {
        return std::vector<std::pair<std::string, std::string>>{
            {"p/main.lang", main_src},
            {"p/A/a.lang", "namespace A;\npublic int F() => 1;\npublic class T { public static int G() => 2; }\n"},
            {"p/B/b.lang", "public int F() => 3;\n"}}; // namespace B from the folder
    };
    {
        Checked k(prog("import Q = A;\npublic class Program { public static void Main() {\n"
                       "  let a = Q.F(); let b = A.T.G(); let c = B.F(); let t: Q.T = new A.T(); } }\n"));
        CHECK_MESSAGE(k.ok, k.errs);
    }
    {
        Checked k(prog("import A;\nimport B;\npublic class Program { public static void Main() { let a = F(); } }\n"));
        CHECK(!k.ok);
        CHECK_MESSAGE(k.has("'F' is ambiguous: it is defined in both 'A' and 'B'"), k.errs);
    }
    {
        Checked k(prog("import A;\npublic class Program { public static void Main() { let a = F() + T.G(); } }\n"));
        CHECK_MESSAGE(k.ok, k.errs);
    }
    {
        Checked k(prog("import C;\npublic class Program { public static void Main() { } }\n"));
        CHECK(k.has("unknown namespace 'C'"));
    }
}

TEST_CASE("sema: nested types, private access inside the type, var assigned after its declaration") {
    Checked k(R"(
public class Program {
    struct Pair {
        int a;
        var int b;
        public Pair(int x) { a = x; b = x; }
        public int Sum(Pair o) => a + o.a + o.b;
        public mut void Set(int v) { b = v; this.b = v + 1; }
    }
    public static void Main() {
        var p = new Pair(1);
        p.Set(3);
        var z: Pair;
        var n: int;
        z = new Pair(2);
        n = 0;
        n += p.Sum(z);
    }
}
)");
    CHECK_MESSAGE(k.ok, k.errs);
}

TEST_CASE("sema: more diagnostics") {
    auto errs_of = [](const char* src) {
        Checked k(src);
        CHECK(!k.ok);
        return k.errs;
    };
    std::string e = errs_of("struct S { S inner; } public class Program { public static void Main() { } }");
    CHECK(e.find("struct 'S' contains itself") != std::string::npos);
    e = errs_of("public class Program { static void F(i64 a, i32 b) { } static void F(i32 a, i64 b) { }\n"
                "public static void Main() { let x: i32 = 1; F(x, x); } }");
    CHECK(e.find("call to function 'F' is ambiguous for argument types (i32, i32)") != std::string::npos);
    e = errs_of("public class Program { public static void Main() { let xs = [1, 2]; xs[0] = 3; } }");
    CHECK(e.find("cannot assign to an array element: 'xs' is declared with 'let'") != std::string::npos);
    e = errs_of("class C { public var int v; } public class Program { public static void Main() { let c = new C(); c.v = 1; } }");
    CHECK(e.find("cannot assign to field 'v': 'c' is declared with 'let'") != std::string::npos);
    e = errs_of("public class Program { public static void Main() { let s = \"a\"; let n = s + new int[1]; } }");
    CHECK(e.find("operator '+' cannot be applied to string and int[]") != std::string::npos);
    e = errs_of("class Program { }");
    CHECK(e.find("class 'Program' has no 'Main' method") != std::string::npos);
    e = errs_of("class Program { void Main() { } }");
    CHECK(e.find("'Main' must be static") != std::string::npos);
    e = errs_of("enum E : string { A } public class Program { public static void Main() { } }");
    CHECK(e.find("must be an integer type") != std::string::npos);
    e = errs_of("enum E : u8 { A = 255, B } public class Program { public static void Main() { } }");
    CHECK(e.find("enum value 256 does not fit in byte") != std::string::npos);
    // Only lossless conversions are implicit.
    e = errs_of("public class Program { public static void Main() { let a: i32 = 1; let b: u32 = 2; let c: u32 = a; } }");
    CHECK(e.find("type mismatch: expected u32, found i32") != std::string::npos);
}

TEST_CASE("sema: nullable values: null, ??, ?., is, match") {
    Checked k(R"(
struct P { public var int X; }
public class Program {
    static string Show(int? n) => match (n) { null => "none", int v => "some" };
    public static void Main() {
        var n: int? = null;
        n = 4;
        let d = n ?? 0;
        let p: P? = new P();
        let x = p?.X;
        let b = n is int i;
    }
}
)");
    REQUIRE_MESSAGE(k.ok, k.errs);
    FuncDecl* m = k.func("Program", "Main");
    auto* vd = static_cast<VarDeclStmt*>(stmt(m, 0));
    CHECK(tn(vd->names[0]->type) == "int?");
    CHECK(tn(vd->init->type) == "int?"); // null adapted to int?
    auto* as = static_cast<AssignExpr*>(expr_of(m, 1));
    REQUIRE(as->value->kind == ExprKind::Cast); // int -> int?
    CHECK(tn(as->value->type) == "int?");
    CHECK(tn(init_of(m, 2)->type) == "int");
    auto* pi = init_of(m, 3);
    CHECK(pi->kind == ExprKind::Cast); // P -> P?
    auto* px = static_cast<MemberExpr*>(init_of(m, 4));
    CHECK(px->null_safe);
    CHECK(px->decl == k.member("P", "X"));
    CHECK(tn(px->type) == "int?");
    auto* is = static_cast<IsExpr*>(init_of(m, 5));
    CHECK(tn(is->type) == "bool");
    CHECK(is->pattern->kind == PatternKind::Binding); // `int i` on int?: binds the non-null value
    CHECK(tn(is->pattern->decl->type) == "int");
    CHECK(tn(is->pattern->type_resolved) == "int?");
    auto* mt = static_cast<MatchExpr*>(k.func("Program", "Show")->body_expr);
    CHECK(mt->arms[0].pattern->kind == PatternKind::Null);
    CHECK(tn(mt->arms[1].pattern->decl->type) == "int");
}

TEST_CASE("sema: namespace-level variables and static fields") {
    Checked k(R"(
let Greeting = "hi";
var int counter = 10;
public class Program {
    static var int calls;
    static int Limit = 3;
    static void Tick() { calls += 1; Program.calls += 1; counter -= 1; }
    public static void Main() { Tick(); let s = Greeting + Limit + Program.Limit + counter; }
}
)");
    REQUIRE_MESSAGE(k.ok, k.errs);
    Decl* g = k.file->decls[0];
    CHECK(g->kind == DeclKind::Local);
    CHECK(tn(g->type) == "string");
    CHECK(tn(k.file->decls[1]->type) == "int");
    FuncDecl* tick = k.func("Program", "Tick");
    auto* a0 = static_cast<AssignExpr*>(expr_of(tick, 0));
    CHECK(static_cast<NameExpr*>(a0->target)->decl == k.member("Program", "calls"));
    auto* a1 = static_cast<AssignExpr*>(expr_of(tick, 1));
    CHECK(static_cast<MemberExpr*>(a1->target)->decl == k.member("Program", "calls"));
    auto* a2 = static_cast<AssignExpr*>(expr_of(tick, 2));
    CHECK(static_cast<NameExpr*>(a2->target)->decl == k.file->decls[1]);
    CHECK(k.type("Program")->type->size == 8);
    CHECK(k.type("Program")->instance_size == 16); // statics take no room in instances
}

TEST_CASE("sema: single inheritance: layout, lookup, conversions, overrides, type tests") {
    Checked k(R"(
abstract class Animal {
    protected string name;
    public Animal(string n) { name = n; }
    public abstract string Sound();
    public virtual string Describe() => name + Sound();
}
class Dog : Animal {
    byte age;
    public Dog(string n) : base(n) { age = 3; }
    public override string Sound() => "woof";
    public override string Describe() => base.Describe() + "!";
}
public class Program {
    static int Kind(Animal a) => match (a) { Dog d => 1, _ => 0 };
    public static void Main() {
        let a: Animal = new Dog("rex");
        let d = a as Dog;
        let s = a.Describe();
        let xs = [new Dog("a"), a];
    }
}
)");
    REQUIRE_MESSAGE(k.ok, k.errs);
    CHECK(static_cast<FieldDecl*>(k.member("Animal", "name"))->offset == 16);
    CHECK(k.type("Animal")->instance_size == 24);
    CHECK(static_cast<FieldDecl*>(k.member("Dog", "age"))->offset == 24); // after the base's fields
    CHECK(k.type("Dog")->instance_size == 32);
    FuncDecl* m = k.func("Program", "Main");
    Expr* a = init_of(m, 0);
    REQUIRE(a->kind == ExprKind::Cast); // Dog -> Animal, implicit
    CHECK(tn(a->type) == "Animal");
    CHECK(tn(init_of(m, 1)->type) == "Dog?");
    auto* call = static_cast<CallExpr*>(init_of(m, 2));
    CHECK(call->target == k.func("Animal", "Describe"));
    CHECK(tn(init_of(m, 3)->type) == "Animal[]");
    auto* mt = static_cast<MatchExpr*>(k.func("Program", "Kind")->body_expr);
    CHECK(mt->arms[0].pattern->kind == PatternKind::TypeTest);
    CHECK(tn(mt->arms[0].pattern->decl->type) == "Dog");
    FuncDecl* ctor = nullptr;
    for (Decl* d : k.type("Dog")->members)
        if (d->kind == DeclKind::Func && static_cast<FuncDecl*>(d)->fkind == FuncKind::Constructor) ctor = static_cast<FuncDecl*>(d);
    REQUIRE(ctor);
    CHECK(ctor->chains_base);
    CHECK(tn(ctor->chain_args[0].value->type) == "string");
    auto* desc = k.func("Dog", "Describe");
    auto* add = static_cast<BinaryExpr*>(desc->body_expr);
    auto* bcall = static_cast<CallExpr*>(add->lhs);
    CHECK(bcall->target == k.func("Animal", "Describe"));
    CHECK(static_cast<MemberExpr*>(bcall->callee)->object->kind == ExprKind::Base);
}

// Test blocks (sema/tests.cpp): ignored by a normal build, hidden static functions under
// `lang test` (Options::test_build), which needs no Main.
TEST_CASE("sema: test blocks are skipped by a normal build and become functions for lang test") {
    const char* src = "int Add(int a, int b) => a + b;\n"
                      "test \"adds\" { assert_eq(Add(1, 2), 3); }\n"
                      "test \"broken\" { let x: int = \"s\"; }\n";
    for (bool testing : {false, true}) {
        Compilation c;
        std::string errs;
        c.diag.capture = &errs;
        c.opts.test_build = testing;
        FileAst* f = parse_file(c, c.sources.add("t.lang", src));
        REQUIRE(f);
        c.files.push_back(f);
        bool ok = check_program(c, false);
        std::vector<FuncDecl*> tests;
        for (Decl* d : f->decls)
            if (d->kind == DeclKind::Func && static_cast<FuncDecl*>(d)->test) tests.push_back(static_cast<FuncDecl*>(d));
        if (!testing) {
            CHECK_MESSAGE(ok, errs); // the broken test is not even checked
            CHECK(tests.empty());
            continue;
        }
        CHECK(!ok);
        CHECK(errs.find("type mismatch") != std::string::npos);
        REQUIRE(tests.size() == 2);
        CHECK(std::string(tests[0]->test->title) == "adds");
        CHECK(std::string(tests[0]->mangled) == "$test$1");
        CHECK(std::string(tests[1]->mangled) == "$test$2");
        CHECK((tests[0]->mods & M_STATIC) != 0);
    }
}
