// test_recenum.cpp: which enum payloads sema boxes (sema/recursive_enum.cpp) and the
// resulting layouts: a payload is boxed exactly when its type holds the enum by value
// (directly, through structs, tuples, value T?, other enums), never when a pointer-like
// type (class, array, string) is in between; boxed payloads take 8 bytes.
#include "common/compilation.h"
#include "parse/ast.h"
#include "parse/parser.h"
#include "sema/sema.h"
#include <doctest/doctest.h>
#include <string>

using namespace lang;

namespace {

struct Prog {
    Compilation c;
    std::string errs;
    bool ok = false;
    FileAst* file = nullptr;
    explicit Prog(const std::string& src) {
        c.diag.capture = &errs;
        uint32_t id = c.sources.add("t.lang", src + "\npublic class Program { public static void Main() { } }");
        file = parse_file(c, id);
        c.files.push_back(file);
        ok = check_program(c, true);
    }
    TypeDecl* type(const char* name) {
        for (Decl* d : file->decls)
            if (d && d->kind == DeclKind::Type && d->name == name) return static_cast<TypeDecl*>(d);
        return nullptr;
    }
    // The payload parameter `param` of case `kase` in enum `en`.
    ParamDecl* payload(const char* en, const char* kase, const char* param) {
        TypeDecl* t = type(en);
        if (!t) return nullptr;
        for (Decl* m : t->members)
            if (m && m->kind == DeclKind::EnumCase && m->name == kase)
                for (ParamDecl* p : static_cast<EnumCaseDecl*>(m)->payload)
                    if (p->name == param) return p;
        return nullptr;
    }
    bool boxed(const char* en, const char* kase, const char* param) {
        ParamDecl* p = payload(en, kase, param);
        REQUIRE_MESSAGE(p, en << "." << kase << "." << param);
        return p->boxed;
    }
};

} // namespace

TEST_CASE("recenum: direct recursion boxes only the recursive payloads") {
    Prog p("enum Expr { Num(int v), Add(Expr l, Expr r), Name(string s) }");
    REQUIRE_MESSAGE(p.ok, p.errs);
    CHECK(!p.boxed("Expr", "Num", "v"));
    CHECK(p.boxed("Expr", "Add", "l"));
    CHECK(p.boxed("Expr", "Add", "r"));
    CHECK(!p.boxed("Expr", "Name", "s"));
    // tag 4 -> payload at 8; Add: two pointers
    CHECK(p.type("Expr")->type->size == 24);
    CHECK(p.type("Expr")->type->align == 8);
}

TEST_CASE("recenum: recursion through structs, tuples, value T? and other enums") {
    Prog p(R"(
struct Pair { public Stmt a; public (int, Stmt) b; }
enum Stmt { Seq(Pair p), Opt(Stmt? s), Tup((Stmt, int) t), Other(Val v), Leaf(int n) }
enum Val { Run(Stmt s), Lit(int n), Many(Stmt[] xs), Obj(Box b) }
class Box { public Stmt S; public Box(own Stmt s) { S = s; } }
)");
    REQUIRE_MESSAGE(p.ok, p.errs);
    CHECK(p.boxed("Stmt", "Seq", "p"));
    CHECK(p.boxed("Stmt", "Opt", "s"));
    CHECK(p.boxed("Stmt", "Tup", "t"));
    CHECK(p.boxed("Stmt", "Other", "v")); // Val holds Stmt by value (Run), so both are boxed
    CHECK(p.boxed("Val", "Run", "s"));
    CHECK(!p.boxed("Stmt", "Leaf", "n"));
    CHECK(!p.boxed("Val", "Lit", "n"));
    CHECK(!p.boxed("Val", "Many", "xs")); // an array is a pointer already
    CHECK(!p.boxed("Val", "Obj", "b"));   // so is a class
    // Pair holds two Stmt values (each tag + one pointer = 16) inline.
    CHECK(p.type("Pair")->type->size == 16 + 24);
}

TEST_CASE("recenum: enums that do not recurse are laid out as before") {
    Prog p("enum Shape { Circle(float r), Rect(float w, float h), Empty }\n"
           "enum Outer { In(Shape s), Pair((Shape, Shape) t) }");
    REQUIRE_MESSAGE(p.ok, p.errs);
    CHECK(!p.boxed("Shape", "Rect", "w"));
    CHECK(!p.boxed("Outer", "In", "s"));
    CHECK(!p.boxed("Outer", "Pair", "t"));
    CHECK(p.type("Shape")->type->size == 24);
    CHECK(p.type("Outer")->type->size == 8 + 48);
}

TEST_CASE("recenum: a struct that holds itself is still an error, with the hint") {
    for (const char* src : {"struct S { public S inner; }", "struct S { public (int, S) t; }",
                            "struct S { public S? next; }", "struct S { public T t; } struct T { public S s; }"}) {
        Prog p(src);
        CHECK_MESSAGE(!p.ok, src);
        CHECK_MESSAGE(p.errs.find("contains itself (use a class or an enum for recursive data)") != std::string::npos,
                      src << "\n" << p.errs);
    }
    // Through an enum it is fine.
    Prog q("struct S { public E e; } enum E { None, Some(S s) }");
    CHECK_MESSAGE(q.ok, q.errs);
    CHECK(q.boxed("E", "Some", "s"));
}

TEST_CASE("recenum: a long chain of structs ending in the enum is searched without recursion") {
    std::string src = "enum E { Leaf, Node(S0 s) }\n";
    const int n = 900; // inside the nesting limit
    for (int i = 0; i < n; i++)
        src += "struct S" + std::to_string(i) + " { public " + (i + 1 < n ? "S" + std::to_string(i + 1) : std::string("E")) + " x; }\n";
    Prog p(src);
    CHECK_MESSAGE(p.ok, p.errs.substr(0, 400));
    CHECK(p.boxed("E", "Node", "s"));
}
