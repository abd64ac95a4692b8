// test_parser.cpp: the parser (src/parse): precedence, disambiguation (generics, casts,
// lambdas), every declaration/statement/pattern form via dump_ast, error recovery,
// the nesting limit, and the test/errors/parse_*.lang expectations.
#include "parse/parser.h"
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

using namespace lang;

namespace {

struct Parsed {
    Compilation c;
    std::string diags;
    FileAst* f = nullptr;
    explicit Parsed(const std::string& src, const std::string& path = "t.lang") {
        c.diag.capture = &diags;
        c.diag.max_errors = 1000;
        uint32_t id = c.sources.add(path, src);
        f = parse_file(c, id);
    }
    std::string dump() { return dump_ast(c, f); }
    int errors() const { return c.diag.error_count(); }
};

// Parses `let x = <src>;` inside a function and returns the initializer as an s-expression.
std::string E(const std::string& src) {
    Parsed p("void F() { let x = " + src + "; }");
    if (p.errors()) return "ERROR: " + p.diags;
    auto* fd = static_cast<FuncDecl*>(p.f->decls[0]);
    auto* v = static_cast<VarDeclStmt*>(fd->body->stmts[0]);
    return dump_expr(v->init);
}

// Parses one statement inside a function body and returns the body's dump lines.
std::string S(const std::string& src) {
    Parsed p("void F() {\n" + src + "\n}");
    if (p.errors()) return "ERROR: " + p.diags;
    std::string d = p.dump();
    // Drop "(file t.lang\n  (func F (params)\n    (block\n" and the closing parens.
    size_t b = d.find("(block\n");
    std::string body = d.substr(b + 7);
    std::string out;
    std::istringstream in(body);
    std::string line;
    while (std::getline(in, line)) out += line.substr(std::min<size_t>(6, line.size())) + "\n";
    while (!out.empty() && out.back() == '\n') out.pop_back();
    out.resize(out.size() >= 3 ? out.size() - 3 : 0); // the closing parens of block, func, file
    return out;
}

} // namespace

TEST_CASE("parser: binary precedence and associativity") {
    CHECK(E("1 + 2 * 3") == "(+ 1 (* 2 3))");
    CHECK(E("1 - 2 - 3") == "(- (- 1 2) 3)");
    CHECK(E("a || b && c | d ^ e & f == g < h << i + j * k") ==
          "(|| a (&& b (| c (^ d (& e (== f (< g (<< h (+ i (* j k))))))))))");
    CHECK(E("a ?? b ?? c") == "(?? a (?? b c))");
    CHECK(E("a >> 2 >= b") == "(>= (>> a 2) b)");
    CHECK(E("-a * !b") == "(* (neg a) (! b))");
    CHECK(E("c ? a : b ? d : e") == "(? c a (? b d e))");
    CHECK(E("0..n - 1") == "(.. 0 (- n 1))");
    CHECK(E("0..=n") == "(..= 0 n)");
    CHECK(E("x = y = 3") == "(= x (= y 3))");
    CHECK(E("x += 1") == "(+= x 1)");
    CHECK(E("x >>= 1") == "(>>= x 1)");
    CHECK(E("x ?\?= d") == "(?\?= x d)");
}

TEST_CASE("parser: postfix, member, null-safe, index, tuple index, calls with named and ref args") {
    CHECK(E("a.b.c(1)[2]") == "(index (call (. (. a b) c) 1) 2)");
    CHECK(E("a?.b ?? \"none\"") == "(?? (?. a b) \"none\")");
    CHECK(E("t.0 + t.1.0") == "(+ (. t 0) (. (. t 1) 0))");
    CHECK(E("f(x, cause: e)") == "(call f x (named cause e))");
    CHECK(E("Swap(ref a, own b)") == "(call Swap (ref a) (own b))");
    CHECK(E("this.x + base.y") == "(+ (. this x) (. base y))");
}

TEST_CASE("parser: generic arguments use C#'s disambiguation") {
    CHECK(E("Max<int>(a, b)") == "(call Max<int> a b)");
    CHECK(E("a < b") == "(< a b)");
    CHECK(E("f(a < b, c > d)") == "(call f (< a b) (> c d))");
    CHECK(E("new List<List<int>>()") == "(new List<List<int>>)");
    CHECK(E("Dict<string, int>.Empty") == "(. Dict<string, int> Empty)");
    CHECK(E("x.Get<T>()") == "(call (. x Get<T>))");
    CHECK(E("a < b > c") == "(> (< a b) c)");
    CHECK(E("new Channel<int>(16)") == "(new Channel<int> 16)");
}

TEST_CASE("parser: casts versus parenthesized expressions") {
    CHECK(E("(int)x") == "(cast int x)");
    CHECK(E("(int)-x") == "(cast int (neg x))");
    CHECK(E("(float)n / 2") == "(/ (cast float n) 2)");
    CHECK(E("(u8)c") == "(cast u8 c)");
    CHECK(E("(Foo)y") == "(cast Foo y)");
    CHECK(E("(a) - b") == "(- a b)");
    CHECK(E("(a) + (b)") == "(+ a b)");
    CHECK(E("(a)") == "a");
    CHECK(E("(a, b)") == "(tuple a b)");
    CHECK(E("(int[])o") == "(cast int[] o)");
}

TEST_CASE("parser: lambdas in all forms") {
    CHECK(E("(int x) => x * k") == "(lambda (params (x int)) (* x k))");
    CHECK(E("x => x + 1") == "(lambda (params (x)) (+ x 1))");
    CHECK(E("(a, b) => a + b") == "(lambda (params (a) (b)) (+ a b))");
    CHECK(E("(ref int v) => v") == "(lambda (params (ref v int)) v)");
    CHECK(E("() => { }") == "(lambda (params)\n  (block))");
    CHECK(E("xs.Map(x => x * 2)") == "(call (. xs Map) (lambda (params (x)) (* x 2)))");
}

TEST_CASE("parser: literals, interpolation, arrays, new, typeof, #caller") {
    CHECK(E("[1, 2, 3]") == "(array 1 2 3)");
    CHECK(E("[]") == "(array)");
    CHECK(E("$\"x = {x + 1}!\"") == "(interp \"x = \" (+ x 1) \"!\")");
    CHECK(E("$\"{v:X4}\"") == "(interp v:X4)");
    CHECK(E("new Point { X = 1, Y = 2 }") == "(new Point (init X 1) (init Y 2))");
    CHECK(E("new Point(1) { Y = 2, }") == "(new Point 1 (init Y 2))");
    CHECK(E("new int[n]") == "(new-array int n)");
    CHECK(E("typeof(List<int>)") == "(typeof List<int>)");
    CHECK(E("sizeof(int)") == "(sizeof int)");
    CHECK(E("#caller") == "#caller");
    CHECK(E("'a'") == "'a'");
    CHECK(E("1.5") == "1.5");
    CHECK(E("10u8") == "10u8");
    CHECK(E("true && !false") == "(&& true (! false))");
    CHECK(E("null") == "null");
    CHECK(E("\"a\\tb\"") == "\"a\\tb\"");
}

TEST_CASE("parser: is/as, try/catch, spawn") {
    CHECK(E("x is Dog d && d.Barks") == "(&& (is x (type Dog d)) (. d Barks))");
    CHECK(E("x is Dog") == "(is x (type Dog))");
    CHECK(E("x is null") == "(is x null)");
    CHECK(E("x is 1..=9") == "(is x (..= 1 9))");
    CHECK(E("x is Foo ? 1 : 2") == "(? (is x (type Foo)) 1 2)");
    CHECK(E("x as Dog ?? d") == "(?? (as x Dog) d)");
    CHECK(E("x as int? ?? 0") == "(?? (as x int?) 0)");
    CHECK(E("try Parse(s)") == "(try (call Parse s))");
    CHECK(E("Sum(\"12x\") catch 0") == "(catch (call Sum \"12x\") 0)");
    CHECK(E("Sum(s) catch (e) => Report(e, -1)") == "(catch (call Sum s) (e) (call Report e (neg 1)))");
    CHECK(E("spawn Compute(data)") == "(spawn (call Compute data))");
}

TEST_CASE("parser: match with every pattern kind and guards") {
    std::string m = E("match (s) {\n"
                      "  Circle(r) => 1,\n"
                      "  Rect(w, h) when w == h => 2,\n"
                      "  Color.Red => 3,\n"
                      "  Dog d => 4,\n"
                      "  1..=9 => 5,\n"
                      "  'a'..'z' => 6,\n"
                      "  (a, 0) => 7,\n"
                      "  null => 8,\n"
                      "  Ok(v) => v,\n"
                      "  Err(e) => { return 0; }\n"
                      "  -1 => 9,\n"
                      "  \"s\" => 10,\n"
                      "  x => x,\n"
                      "  _ => 0,\n"
                      "}");
    CHECK(m == "(match s\n"
               "  (arm (variant Circle (bind r)) 1)\n"
               "  (arm (variant Rect (bind w) (bind h)) (when (== w h)) 2)\n"
               "  (arm (variant Color.Red) 3)\n"
               "  (arm (type Dog d) 4)\n"
               "  (arm (..= 1 9) 5)\n"
               "  (arm (.. 'a' 'z') 6)\n"
               "  (arm (tuple (bind a) 0) 7)\n"
               "  (arm null 8)\n"
               "  (arm (Ok (bind v)) v)\n"
               "  (arm (Err (bind e))\n"
               "    (block\n"
               "      (return 0)))\n"
               "  (arm (neg 1) 9)\n"
               "  (arm \"s\" 10)\n"
               "  (arm (bind x) x)\n"
               "  (arm _ 0))");
}

TEST_CASE("parser: statements") {
    CHECK(S("let x = 5;") == "(let x 5)");
    CHECK(S("var t = 0;") == "(var t 0)");
    CHECK(S("let y: i32 = 7;") == "(let y : i32 7)");
    CHECK(S("let (q, r) = DivMod(7, 2);") == "(let (q r) (call DivMod 7 2))");
    CHECK(S("for (var i = 0; i < n; i += 1) { }") == "(for (var i 0) (< i n) (+= i 1)\n  (block))");
    CHECK(S("for (;;) break;") == "(for _ _ _\n  (break))");
    CHECK(S("for (let x in xs) continue;") == "(for-in x xs\n  (continue))");
    CHECK(S("while (c) { }") == "(while c\n  (block))");
    CHECK(S("if (a) b(); else c();") == "(if a\n  (call b)\n  else (call c))");
    CHECK(S("return;") == "(return)");
    CHECK(S("defer Close(f);") == "(defer (call Close f))");
    CHECK(S("fail new E(\"m\", cause: e);") == "(fail (new E \"m\" (named cause e)))");
    CHECK(S("unsafe { Free(p); }") == "(unsafe (block\n  (call Free p)))");
    CHECK(S("gc { }") == "(gc (block))");
    CHECK(S(";") == "(empty)");
    CHECK(S("match (x) { _ => 1 }") == "(match x\n  (arm _ 1))");
    CHECK(S("select {\n"
            "  case let v = a.Receive() => Use(v);\n"
            "  case b.Send(x) => { }\n"
            "  case Timeout(Duration.Millis(10)) => Log(\"t\");\n"
            "  case c.Receive() => 1;\n"
            "  default => 2;\n"
            "}") ==
          "(select\n"
          "  (recv v (call (. a Receive)) (call Use v))\n"
          "  (send (call (. b Send) x)\n"
          "    (block))\n"
          "  (timeout (call Timeout (call (. Duration Millis) 10)) (call Log \"t\"))\n"
          "  (recv (call (. c Receive)) 1)\n"
          "  (default 2))");
}

TEST_CASE("parser: declarations round-trip through dump_ast") {
    Parsed p(R"(namespace Shapes.Core;
import Std.Collections;
import Json = Std.Serialize.Json;

public enum Shape { Circle(float r), Rect(float w, float h), Pt(int, int) }
enum Color : u8 { Red, Green = 3, Blue, }
public class Account : Base, IFoo<int> {
    string owner;
    var int balance = 0;
    public Account(string owner) : base(owner) { }
    public Account() : this("x") { }
    ~Account() { }
    public mut void Deposit(int n) { balance += n; }
    public int Balance() => balance;
    public virtual string Name() => owner;
    public static T Id<T>(T v) where T : IComparable<T>, ICopy => v;
}
gc class Node { Node? next; }
public interface IShape { float Area(); }
abstract class A { public abstract int X(); }
struct Pair<K, V> { var K key; var V value; }
void Log(string m, SourceLocation at = #caller) { }
extern "C" {
    int puts(cstring s);
    double cbrt(double);
}
[Link("m")]
export "C" int lang_add(int a, int b) => a + b;
[C] struct P { var i32 x; }
test "addition" { assert(1 + 1 == 2); }
let G = 5;
var int H = 6;
int! Parse(char c) { return c - '0'; }
void! Run(*u8 p, (int, string) t, (int) => int f) { }
)");
    CHECK(p.diags == "");
    std::string got = p.dump();
    CHECK(got == R"((file t.lang
  (namespace Shapes.Core)
  (import Std.Collections)
  (import Json = Std.Serialize.Json)
  (enum Shape public
    (case Circle (params (r float)))
    (case Rect (params (w float) (h float)))
    (case Pt (params (_ int) (_ int))))
  (enum Color (underlying u8)
    (case Red)
    (case Green = 3)
    (case Blue))
  (class Account public (bases Base IFoo<int>)
    (field owner string)
    (field balance var int = 0)
    (ctor Account public (params (owner string)) (base owner)
      (block))
    (ctor Account public (params) (this "x")
      (block))
    (dtor Account (params)
      (block))
    (method Deposit public mut (params (n int))
      (block
        (+= balance n)))
    (method Balance public (ret int) (params) (=> balance))
    (method Name public virtual (ret string) (params) (=> owner))
    (method Id public static (tparams T:IComparable<T>:ICopy) (ret T) (params (v T)) (=> v)))
  (gc-class Node
    (field next Node?))
  (interface IShape public
    (method Area (ret float) (params)))
  (class A abstract
    (method X public abstract (ret int) (params)))
  (struct Pair (tparams K V)
    (field key var K)
    (field value var V))
  (func Log (params (m string) (at SourceLocation = #caller))
    (block))
  (extern "C"
    (extern-func puts (ret int) (params (s cstring)))
    (extern-func cbrt (ret double) (params (_ double))))
  (func lang_add [Link "m"] (export C) (ret int) (params (a int) (b int)) (=> (+ a b)))
  (struct P [C]
    (field x var i32))
  (test "addition"
    (block
      (call assert (== (+ 1 1) 2))))
  (global G 5)
  (global-var H : int 6)
  (func Parse (ret int!) (params (c char))
    (block
      (return (- c '0'))))
  (func Run (ret void!) (params (p *u8) (t (int, string)) (f (int) => int))
    (block)))
)");
    // Layout does not matter: the same program on one line gives the same tree.
    std::string one_line = p.c.sources.file(0).text;
    for (char& ch : one_line)
        if (ch == '\n') ch = ' ';
    Parsed q(one_line);
    CHECK(q.errors() == 0);
    CHECK(q.dump() == got);
    // Spot-check structure that dump_ast does not show.
    auto* acc = static_cast<TypeDecl*>(p.f->decls[2]);
    CHECK(acc->members[0]->parent == acc);
    CHECK(static_cast<FuncDecl*>(acc->members[2])->fkind == FuncKind::Constructor);
    CHECK(static_cast<FuncDecl*>(acc->members[2])->chains_base);
    auto* node = static_cast<TypeDecl*>(p.f->decls[3]);
    CHECK(node->is_gc);
    CHECK(p.f->imports[1]->alias == "Json");
    CHECK(p.f->imports[1]->path.size == 3);
}

TEST_CASE("parser: /// doc comments attach to the declaration below") {
    Parsed p("/// Adds two numbers.\n///   Second line.\n[Pure]\npublic int Add(int a, int b) => a + b;\n"
             "// plain comment\nvoid F() { }\n"
             "/// A shape.\nenum Shape {\n    /// Round.\n    Circle(float r),\n    Square\n}\n"
             "class C {\n    /// The count.\n    var int n;\n}\n");
    REQUIRE(p.errors() == 0);
    REQUIRE(p.f->decls.size == 4);
    CHECK(std::string(p.f->decls[0]->doc) == "Adds two numbers.\n  Second line.");
    CHECK(p.f->decls[1]->doc == nullptr);
    auto* shape = static_cast<TypeDecl*>(p.f->decls[2]);
    CHECK(std::string(shape->doc) == "A shape.");
    CHECK(std::string(shape->members[0]->doc) == "Round.");
    CHECK(shape->members[1]->doc == nullptr);
    auto* c = static_cast<TypeDecl*>(p.f->decls[3]);
    CHECK(std::string(c->members[0]->doc) == "The count.");
    CHECK(p.dump().find("(doc \"The count.\") (field n var int)") != std::string::npos);
}

TEST_CASE("parser: spans cover whole constructs") {
    Parsed p("void F() {\n    let x = a + b * c;\n}\n");
    REQUIRE(p.errors() == 0);
    auto* fd = static_cast<FuncDecl*>(p.f->decls[0]);
    auto* v = static_cast<VarDeclStmt*>(fd->body->stmts[0]);
    const std::string& text = p.c.sources.file(0).text;
    CHECK(text.substr(v->span.begin, v->span.end - v->span.begin) == "let x = a + b * c;");
    CHECK(text.substr(v->init->span.begin, v->init->span.end - v->init->span.begin) == "a + b * c");
    CHECK(text.substr(fd->name_span.begin, fd->name_span.end - fd->name_span.begin) == "F");
    CHECK(text.substr(fd->span.begin, fd->span.end - fd->span.begin) == "void F() {\n    let x = a + b * c;\n}");
}

TEST_CASE("parser: several errors are reported and parsing recovers") {
    Parsed p("class A {\n"
             "    void F() {\n"
             "        let x = 5\n"
             "        let y = ;\n"
             "        foo(1, 2;\n"
             "        if x > 3 { }\n"
             "        return 1 +;\n"
             "    }\n"
             "    int G() => 1;\n"
             "}\n"
             "void K() { let w = ; }\n");
    CHECK(p.errors() == 6);
    CHECK(p.diags.find("t.lang:3:18: error: expected ';' after variable declaration") != std::string::npos);
    CHECK(p.diags.find("t.lang:4:17: error: expected expression, found ';'") != std::string::npos);
    CHECK(p.diags.find("t.lang:5:17: error: expected ')' to close the argument list, found ';'") != std::string::npos);
    CHECK(p.diags.find("t.lang:6:12: error: expected '(' after 'if', found identifier 'x'") != std::string::npos);
    CHECK(p.diags.find("t.lang:7:19: error: expected expression, found ';'") != std::string::npos);
    CHECK(p.diags.find("t.lang:11:20: error: expected expression, found ';'") != std::string::npos);
    // The declarations after the errors are still in the tree.
    REQUIRE(p.f->decls.size == 2);
    auto* a = static_cast<TypeDecl*>(p.f->decls[0]);
    CHECK(a->members.size == 2);
    CHECK(a->members[1]->name == "G");
}

TEST_CASE("parser: nesting deeper than the limit is one error, not a crash") {
    std::string deep(100000, '(');
    Parsed p("void F() { let x = " + deep + "1; }\nvoid G() { }");
    CHECK(p.diags.find("nesting is too deep") != std::string::npos);
    CHECK(p.f->decls.size == 2);
    std::string blocks;
    for (int i = 0; i < 5000; i++) blocks += "{";
    Parsed q("void F() " + blocks);
    CHECK(q.errors() >= 1);
    CHECK(q.diags.find("nesting is too deep") != std::string::npos);
    std::string minus;
    for (int i = 0; i < 50000; i++) minus += "- ";
    Parsed r("void F() { let x = " + minus + "1; }");
    CHECK(r.diags.find("nesting is too deep") != std::string::npos);
    Parsed s("void F() { let x = 1" + [] { std::string t; for (int i = 0; i < 50000; i++) t += " ?? 1"; return t; }() + "; }");
    CHECK(s.diags.find("nesting is too deep") != std::string::npos);
    // 200 levels are fine.
    Parsed ok("void F() { let x = " + std::string(200, '(') + "1" + std::string(200, ')') + "; }");
    CHECK(ok.errors() == 0);
}

TEST_CASE("parser: garbage input terminates with diagnostics") {
    const char* inputs[] = {"}}}}", "class", "class A {", "void F(", "(((", "$\"{", "match", "let",
                            "[[[[", "int F() => ;", "enum E { A(, }", "x => => =>", "new", "a.b.c.",
                            "select { case", "test", "extern \"C\" {", "\"\"\"", "'", "/*", "where T : U"};
    for (const char* in : inputs) {
        CAPTURE(in);
        Parsed p(in);
        CHECK(p.errors() >= 1);
        (void)p.dump();
    }
}

// Each test/errors/parse_*.lang lists its diagnostics as `// error: LINE:COL: MESSAGE`;
// the parser must report exactly those (the end-to-end runner checks they appear).
TEST_CASE("parser: test/errors/parse_*.lang expectations") {
    namespace fs = std::filesystem;
    fs::path dir = "test/errors";
    if (!fs::exists(dir)) dir = fs::path(__FILE__).parent_path().parent_path() / "errors";
    REQUIRE(fs::exists(dir));
    int files = 0;
    for (const auto& ent : fs::directory_iterator(dir)) {
        std::string name = ent.path().filename().string();
        if (name.rfind("parse_", 0) != 0 || ent.path().extension() != ".lang") continue;
        files++;
        std::ifstream in(ent.path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        std::string src = ss.str();
        std::string path = "test/errors/" + name;
        std::set<std::string> want;
        std::istringstream lines(src);
        std::string line;
        while (std::getline(lines, line)) {
            size_t k = line.find("// error: ");
            if (k == std::string::npos) continue;
            std::string rest = line.substr(k + 10);
            size_t colon = rest.find(": ");
            want.insert(path + ":" + rest.substr(0, colon) + ": error: " + rest.substr(colon + 2));
        }
        Parsed p(src, path);
        std::set<std::string> got;
        std::istringstream dl(p.diags);
        while (std::getline(dl, line))
            if (line.find(": error: ") != std::string::npos) got.insert(line);
        CAPTURE(name);
        CHECK(!want.empty());
        CHECK(got == want);
    }
    CHECK(files >= 12);
}

// Files of 64 KiB and more are lexed on a second thread (parser.cpp, TokenFeed); the
// parser must see exactly the same tokens, and diagnostics keep their order: lexical
// errors first (as they are found), then syntax errors.
TEST_CASE("parser: a big file lexed on the lexer thread") {
    std::string src;
    const int n = 4000;
    for (int k = 0; k < n; k++)
        src += "int F" + std::to_string(k) + "(int a) { let s = \"v" + std::to_string(k) + "\"; return a + " +
               std::to_string(k) + "; }\n";
    REQUIRE(src.size() >= (64u << 10));
    Parsed ok(src);
    CHECK(ok.errors() == 0);
    REQUIRE(ok.f->decls.size == (uint32_t)n);
    for (int k : {0, 1, 2047, 2048, n - 1}) { // around batch boundaries too
        auto* fd = static_cast<FuncDecl*>(ok.f->decls[k]);
        CHECK(std::string(fd->name.view()) == "F" + std::to_string(k));
        auto* v = static_cast<VarDeclStmt*>(fd->body->stmts[0]);
        CHECK(dump_expr(v->init) == "\"v" + std::to_string(k) + "\"");
    }
    // A syntax error early, a lexical error late: the lexical one is printed first.
    std::string bad = src;
    bad.replace(bad.find("return a + 10;"), 14, "return a + ;  ");
    bad.replace(bad.find("let s = \"v3900\""), 15, "let s = 'ab'   ");
    Parsed p(bad);
    CHECK(p.errors() == 2);
    size_t lex = p.diags.find("character literal contains more than one character");
    size_t syn = p.diags.find("error: expected");
    CHECK(lex != std::string::npos);
    CHECK(syn != std::string::npos);
    CHECK(lex < syn);
}
