// ast.h: the abstract syntax tree.
//
// The parser builds these nodes for the *whole* grammar of doc/language/spec.md, even
// for constructs whose meaning later passes do not implement yet; sema then reports
// "not supported yet" for those. Invariants:
//  - Every node is allocated in the compilation Arena and is never freed on its own;
//    lists are ArenaVec. Nodes hold no std:: containers.
//  - Every node has a `kind` (its concrete struct is fixed by the kind) and a `span`.
//  - Sema fills the fields marked "sema:"; the parser leaves them null/zero.
//    Lowering reads only sema-checked trees.
// Downcast with `static_cast<IfStmt*>(s)` after checking `s->kind`, or with as<T>().
// Field order is chosen to avoid padding (small fields grouped): a big file has millions
// of nodes, and every byte of them is fresh memory.
#pragma once
#include "common/arena.h"
#include "common/diag.h"
#include "common/intern.h"

namespace lang {

struct Type;   // sema/types.h
struct Decl;
struct Expr;
struct Stmt;
struct TypeExpr;
struct Pattern;
struct Block;
struct FuncDecl;

// ---------------------------------------------------------------------------
// Types as written in source.
enum class TypeExprKind : uint8_t {
    Named,    // int, Foo, Std.List<int>  (path + generic args)
    Array,    // T[]
    Nullable, // T?
    Fallible, // T!
    Tuple,    // (A, B)
    Pointer,  // *T
    Func,     // fn(A, B) -> R   (lambda parameter types; spelled `(A, B) => R`)
};

struct TypeExpr {
    TypeExprKind kind;
    Span span;
    // Named: path segments ("Std", "List") and generic arguments.
    ArenaVec<Ident> path;
    ArenaVec<TypeExpr*> args;   // Named: generic args; Tuple/Func: element/param types
    TypeExpr* elem = nullptr;   // Array/Nullable/Fallible/Pointer element; Func result
    const Type* resolved = nullptr; // sema:
};

// ---------------------------------------------------------------------------
// Expressions.
enum class ExprKind : uint8_t {
    IntLit, FloatLit, CharLit, StringLit, InterpString, BoolLit, NullLit,
    Name,        // x, Foo, int (a single identifier; qualified names are Member chains)
    This, Base,
    Member,      // a.b      (also a?.b with `null_safe`)
    TupleIndex,  // t.0
    Index,       // a[i]
    Call,        // f(args)  callee may be Name, Member, or any expression; may carry generic args
    Unary,       // -a !a ~a
    Binary,      // a + b, a && b, a ?? b, ...
    Assign,      // a = b, a += b, ...
    Ternary,     // c ? a : b
    Cast,        // (T)x
    Is,          // x is T, x is T v
    As,          // x as T
    New,         // new T(args), new T { F = v }, new T[n], new Channel<int>(16)
    ArrayLit,    // [1, 2, 3]
    TupleLit,    // (a, b)
    Range,       // a..b, a..=b
    Lambda,      // (int x) => x * k,  x => x + 1,  () => { ... }
    Match,       // match (x) { pat => e, ... }
    Try,         // try e
    Catch,       // e catch d,  e catch (err) => h
    Typeof,      // typeof(T)
    Sizeof,      // sizeof(T)
    Spawn,       // spawn f(args)
    RefArg,      // `ref v` / `own v` at a call site (only valid as an argument)
    CallerLoc,   // #caller (default argument value)
};

enum class UnOp : uint8_t { Neg, Not, BitNot, Deref, AddrOf };
enum class BinOp : uint8_t {
    Add, Sub, Mul, Div, Mod, Shl, Shr, BitAnd, BitOr, BitXor,
    Eq, Ne, Lt, Le, Gt, Ge, And, Or, Coalesce,
    AddWrap, SubWrap, MulWrap, // +% -% *%: integer arithmetic modulo 2^width (spec 7.4)
};

struct Expr {
    ExprKind kind;
    // A NameExpr's (sema, flow.cpp): the owned local or `own` parameter is moved here. It
    // sits in the padding after `kind`, which keeps the most frequent node small.
    bool moves = false;
    Span span;
    const Type* type = nullptr; // sema: the expression's type after checking
};

struct IntLitExpr : Expr {
    uint64_t value;        // parsed value (wrapped to 64 bits; `overflow` set if it did not fit)
    bool overflow = false;
    Ident suffix;          // optional type suffix, e.g. 10u8 (empty when none)
};
struct FloatLitExpr : Expr {
    double value;
    Ident suffix;          // optional type suffix f32 / f64 (empty when none)
};
struct CharLitExpr : Expr { uint32_t value; };   // Unicode scalar
struct StringLitExpr : Expr {
    const char* bytes;     // decoded UTF-8 (escapes processed), NUL-terminated
    uint32_t len;          // byte length
};
// $"a {x} b {y:fmt}": parts alternate literal text and expressions.
struct InterpPart {
    const char* text = nullptr; uint32_t len = 0; // literal piece (when expr == nullptr)
    Expr* expr = nullptr;
    const char* format = nullptr;                  // text after ':' inside braces, or null
    int32_t align = 0;                             // {x,8} / {x,-8}: pad to |align| characters
    char fmt_kind = 0;                             // sema: 'D', 'X', 'x' or 'F' (0: no format)
    int16_t fmt_digits = -1;                       // sema: the digits after the letter (-1: none)
};
struct InterpStringExpr : Expr { ArenaVec<InterpPart> parts; };
struct BoolLitExpr : Expr { bool value; };

// Explicit type arguments after a name, `Max<int>(...)`. Rare, so a name or member
// expression points to them (null: none) instead of holding the list.
using TypeArgs = ArenaVec<TypeExpr*>;

struct NameExpr : Expr {
    Ident name;
    TypeArgs* type_args = nullptr;     // Max<int>(...) (see generic_args())
    Decl* decl = nullptr;              // sema: what the name refers to (local, param, func, type, ...)
    Expr* call = nullptr;              // sema: the getter call a property read stands for (`Count` in a method)
                                       // (and Expr::moves)
    const TypeArgs& generic_args() const { return or_empty(type_args); }
};
struct MemberExpr : Expr {
    Expr* object;
    Ident name;
    Span name_span;
    bool null_safe = false;            // a?.b
    TypeArgs* type_args = nullptr;     // a.Get<int>() (see generic_args())
    Decl* decl = nullptr;              // sema: field/method/enum case/namespace member it resolves to
    uint32_t builtin = 0;              // sema: builtin property id (string.Length, ...), see builtins.def
    Expr* call = nullptr;              // sema: the getter call a property read stands for (`list.Count`)
    const TypeArgs& generic_args() const { return or_empty(type_args); }
};
struct TupleIndexExpr : Expr { Expr* object; uint32_t index; };
struct IndexExpr : Expr {
    Expr* object;
    Expr* index;
    Expr* call = nullptr; // sema: `object.get_Item(index)` when object is a class or struct (spec 7.6)
};

struct Arg {
    Ident name;      // named argument `cause: e` (empty if positional)
    Expr* value;
};
struct CallExpr : Expr {
    Expr* callee;
    ArenaVec<Arg> args;
    FuncDecl* target = nullptr;   // sema: the resolved function/method (null for builtins/indirect)
    uint32_t builtin = 0;         // sema: nonzero id of a built-in (Console.WriteLine, ...), see sema
    bool is_tail = false;         // lowering/opt: call in tail position
    bool property_get = false;    // sema: made for a property read (a written call of a property is an error)
};
struct UnaryExpr : Expr { UnOp op; Expr* operand; };
struct BinaryExpr : Expr { BinOp op; Expr* lhs; Expr* rhs; };
// sema: what `o[i] = v` or `o[i] op= v` on a class or struct stands for (spec 7.6). Rare,
// so an AssignExpr points to one (AssignExpr::via) instead of holding the fields.
struct IndexerSet {
    Expr* call = nullptr; // `o.set_Item(i, v)`; for `op=`: `$o.set_Item($i, $o.get_Item($i) op v)`
    // The hidden locals `$o` and `$i`, bound first to the target's object and index (null
    // when the expression is used as it is: a struct place, a name, a literal).
    struct LocalDecl* obj_tmp = nullptr;
    struct LocalDecl* index_tmp = nullptr;
};
struct AssignExpr : Expr {
    bool compound;     // true for +=, -=, ...
    BinOp op;          // the operator of a compound assignment
    Expr* target;
    Expr* value;
    IndexerSet* via = nullptr; // sema: the target is an indexer's element (lowering emits via->call)
};
struct TernaryExpr : Expr { Expr* cond; Expr* then_e; Expr* else_e; };
struct CastExpr : Expr { TypeExpr* to; Expr* operand; };
struct IsExpr : Expr {
    Expr* operand;
    Pattern* pattern;  // `x is T`, `x is T v`, `x is null`, `x is 1..=9`
};
struct AsExpr : Expr { Expr* operand; TypeExpr* to; };

struct FieldInit { Ident name; Span span; Expr* value; };
struct NewExpr : Expr {
    TypeExpr* type;                // the class/struct/generic type; for arrays, the element type
    Expr* array_len = nullptr;
    ArenaVec<Arg> args;            // constructor arguments
    ArenaVec<FieldInit> inits;     // object initializer { F = v, ... }
    FuncDecl* ctor = nullptr;      // sema: the chosen constructor (null: default/none)
    bool is_array = false;         // new T[n]
    bool has_inits = false;
};
struct ArrayLitExpr : Expr { ArenaVec<Expr*> elems; };
struct TupleLitExpr : Expr { ArenaVec<Expr*> elems; };
struct RangeExpr : Expr { Expr* lo; Expr* hi; bool inclusive; };

struct ParamDecl;
struct LambdaExpr : Expr {
    ArenaVec<ParamDecl*> params;
    TypeExpr* ret = nullptr;       // rarely written
    Expr* body_expr = nullptr;     // `=> expr`
    Block* body_block = nullptr;   // `=> { ... }`
    FuncDecl* fn = nullptr;        // sema: the function "<enclosing>$lambdaN" holding the body
    ArenaVec<Decl*> captures;      // sema: locals/parameters of the functions around it that it uses
    // sema (closures.cpp): how a lambda with captures is made. `escapes`: its captures are
    // copied into a heap record; `on_stack`: it does not escape, its record (on the stack)
    // borrows them. Neither set (not yet settled): lowering makes a heap record.
    bool escapes = false;
    bool on_stack = false;
    // sema (flow.cpp): per capture, 1 when this (escaping) lambda moves it into its record:
    // a local or `own` parameter of a move type; lowering empties the variable there.
    ArenaVec<uint8_t> moves;
    Decl* holder = nullptr;          // sema: the `let` local it initializes, if any
    const Type* this_type = nullptr; // sema: the type of the `this` it captures (in a method)
};

struct MatchArm {
    Pattern* pattern;
    Expr* guard = nullptr;         // `when cond`
    Expr* body_expr = nullptr;     // `=> expr`
    Block* body_block = nullptr;   // `=> { ... }`
    Span span;
};
struct MatchExpr : Expr {
    Expr* scrutinee;
    ArenaVec<MatchArm> arms;
};
struct TryExpr : Expr { Expr* operand; };
struct CatchExpr : Expr {
    Expr* operand;
    Ident err_name;                // `catch (e) => h`: binding (empty for `catch d`)
    ParamDecl* err_var = nullptr;  // sema: the binding's declaration
    Expr* handler_expr = nullptr;
    Block* handler_block = nullptr;
};
struct TypeofExpr : Expr { TypeExpr* of; };
struct SizeofExpr : Expr { TypeExpr* of; };
struct SpawnExpr : Expr { Expr* call; };   // call is a CallExpr
struct RefArgExpr : Expr { bool is_own; Expr* operand; };

// ---------------------------------------------------------------------------
// Patterns (match arms, `is`).
enum class PatternKind : uint8_t {
    Wildcard,   // _
    Literal,    // 1, 'a', "s", true, -3
    Range,      // 1..=9, 'a'..'z'
    Null,       // null
    Binding,    // x   (binds the value; the parser cannot tell `Red` from a binding, so an
                //      unqualified name is a Binding and sema treats it as the variant when it
                //      names a case of the scrutinee's enum)
    Variant,    // Circle(r), Color.Red, Red, Rect(w, _)
    Tuple,      // (a, 0)
    TypeTest,   // Dog d, Dog   (class hierarchy via RTTI)
    Ok, Err,    // Ok(v) / Err(e) over T!
};
struct Pattern {
    PatternKind kind;
    Span span;
    Expr* lit = nullptr;            // Literal; Range lo
    Expr* hi = nullptr;             // Range hi
    bool inclusive = false;         // Range
    Ident name;                     // Binding name; TypeTest binding (may be empty)
    ArenaVec<Ident> path;           // Variant: Color.Red -> {Color, Red}; Red -> {Red}
    ArenaVec<Pattern*> subs;        // Variant payload / Tuple elements / Ok / Err
    TypeExpr* type = nullptr;       // TypeTest
    Decl* decl = nullptr;           // sema: bound variable (Binding/TypeTest) or the enum case (Variant)
    const Type* type_resolved = nullptr; // sema: type of the matched value at this pattern
};

// ---------------------------------------------------------------------------
// Statements.
enum class StmtKind : uint8_t {
    Block, Expr, VarDecl, If, While, For, ForIn, Break, Continue, Return,
    Defer, Fail, Select, Unsafe, GcBlock, Empty,
};

struct Stmt {
    StmtKind kind;
    Span span;
};
struct Block : Stmt { ArenaVec<Stmt*> stmts; };
struct ExprStmt : Stmt { Expr* expr; };

struct LocalDecl;
// let x = 5;  var y: int = 7;  let (q, r) = DivMod(7, 2);
struct VarDeclStmt : Stmt {
    bool is_mutable;                  // var
    bool destructure = false;
    ArenaVec<LocalDecl*> names;       // one entry, or several for tuple destructuring
    TypeExpr* type = nullptr;
    Expr* init = nullptr;
};
struct IfStmt : Stmt { Expr* cond; Stmt* then_s; Stmt* else_s; };
struct WhileStmt : Stmt { Expr* cond; Stmt* body; };
struct ForStmt : Stmt { Stmt* init; Expr* cond; Expr* step; Stmt* body; }; // each part optional
struct ForInStmt : Stmt {
    bool is_mutable;                  // for (var x in ...)
    LocalDecl* var;
    Expr* iterable;
    Stmt* body;
    // sema, for a class iterable (spec 5.1): `iterable.Count()` and `iterable.get_Item(index)`
    // with `index` a hidden int local; lowering calls both on the iterable evaluated once.
    LocalDecl* index = nullptr;
    Expr* count_call = nullptr;
    Expr* item_call = nullptr;
    // sema: the cursor protocol instead (a class with IterNext(int) and IterAt(int), like
    // Dict and Set): count_call is `iterable.IterNext(index)`, item_call `iterable.IterAt(index)`.
    bool cursor = false;
};
struct JumpStmt : Stmt { Ident label; };               // Break / Continue
struct ReturnStmt : Stmt { Expr* value; };             // value may be null
struct DeferStmt : Stmt { Stmt* body; };
struct FailStmt : Stmt { Expr* error; };
struct SelectCase {
    Span span;
    enum Kind : uint8_t { Recv, Send, Timeout, Default } kind;
    LocalDecl* bind = nullptr;        // case let v = ch.Receive()
    Expr* op = nullptr;               // the Receive/Send call or Timeout(...) expression
    Expr* body_expr = nullptr;
    Block* body_block = nullptr;
};
struct SelectStmt : Stmt { ArenaVec<SelectCase> cases; };
struct UnsafeStmt : Stmt { Block* body; };             // Unsafe and GcBlock

// ---------------------------------------------------------------------------
// Declarations.
enum class DeclKind : uint8_t {
    Local,      // let/var local, for-in variable, pattern binding
    Param,      // function or lambda parameter
    Func,       // free function, method, constructor, destructor, extern function
    Field,
    Type,       // class, struct, interface, enum (TypeDecl)
    EnumCase,
    TypeParam,  // T in Stack<T>
    Namespace,  // sema only: a namespace used as a value prefix (Std.Collections)
    Import,
    Test,       // test "name" { ... }
    ExternBlock,
};

enum Modifier : uint32_t {
    M_PUBLIC = 1 << 0, M_STATIC = 1 << 1, M_MUT = 1 << 2, M_VIRTUAL = 1 << 3,
    M_OVERRIDE = 1 << 4, M_ABSTRACT = 1 << 5, M_VAR = 1 << 6, M_GC = 1 << 7,
    M_UNSAFE = 1 << 8, M_PRIVATE = 1 << 9, M_PROTECTED = 1 << 10, M_SEALED = 1 << 11,
};

struct Attribute {          // [Link("m")], [C]
    Ident name;
    Span span;
    ArenaVec<Expr*> args;
};

struct Decl {
    DeclKind kind;
    Span span;              // whole declaration
    Span name_span;         // just the name
    uint32_t mods = 0;      // Modifier bits (here: fills the padding after name_span)
    Ident name;
    ArenaVec<Attribute>* attr_list = nullptr; // [C], [Link("m")]: see attrs() (null: none, as for most)
    const Type* type = nullptr; // sema: declared/inferred type (functions: their FuncType)
    Decl* parent = nullptr;     // sema/parser: enclosing type declaration, if any
    const char* doc = nullptr;  // parser: `///` comment lines right above (prefix stripped,
                                // lines joined by '\n'); null when there are none

    const ArenaVec<Attribute>& attrs() const { return or_empty(attr_list); }
    void set_attrs(Arena& a, const ArenaVec<Attribute>& v) { attr_list = v.empty() ? nullptr : a.make<ArenaVec<Attribute>>(v); }
};

struct LocalDecl : Decl {
    bool is_mutable = false;
    bool captured = false;      // sema: a lambda uses it (lowering keeps it in memory)
    bool borrows = false;       // sema (flow.cpp): `let c = place;` borrows; it owns nothing to drop
    bool stack_closure = false; // sema: holds a lambda with captures (LocalDecl::closure)
    uint32_t index = 0;         // sema: unique index within the function (for lowering)
    // Parser: the declared type and initializer. Always set for a namespace-level
    // `let`/`var` (FileAst::decls); for locals they repeat VarDeclStmt::type/init
    // (init is null for tuple destructuring, where VarDeclStmt::init holds the tuple).
    TypeExpr* type_expr = nullptr;
    Expr* init = nullptr;
    struct LambdaExpr* closure = nullptr; // sema: that lambda (closures.cpp follows the local's uses)
};

enum class ParamMode : uint8_t { Borrow, Ref, Own };
struct ParamDecl : Decl {
    ParamMode mode = ParamMode::Borrow;
    bool boxed = false;                 // sema: an enum payload kept in a heap box (recursive enums)
    bool captured = false;              // sema: a lambda uses it (lowering keeps it in memory)
    bool caught = false;                // sema: the `e` of `catch (e) =>`
    uint32_t index = 0;                 // sema: position
    TypeExpr* type_expr = nullptr;      // null for untyped lambda parameters
    Expr* default_value = nullptr;      // `= #caller`, `= 3`
};

struct TypeParamDecl : Decl {
    ArenaVec<TypeExpr*> constraints;    // where T : IComparable<T>
};

enum class FuncKind : uint8_t { Function, Method, Constructor, Destructor, Extern };
struct FuncDecl : Decl {
    FuncKind fkind = FuncKind::Function;
    bool is_variadic = false;           // extern "C" f(cstring fmt, ...)
    bool is_export = false;             // export "C"
    bool has_is = false;                // sema: its body has an `is` pattern (lower_is_owners.cpp)
    // constructor chaining: `: base(args)` / `: this(args)` (args: chain_args below)
    bool chains_base = false, chains_this = false;
    bool unused = false;                // sema: a generic-instance method the program never uses: not lowered
    bool is_property = false;           // a read-only property `T Name => e;` / `T Name { get ... }`: its getter
    uint32_t local_count = 0;           // sema: number of LocalDecl/pattern bindings inside
    ArenaVec<TypeParamDecl*> type_params;
    ArenaVec<ParamDecl*> params;
    TypeExpr* ret = nullptr;            // null: void (constructors/destructors too)
    Block* body = nullptr;              // null: abstract/interface/extern
    Expr* body_expr = nullptr;          // expression-bodied `=> e`
    const char* extern_abi = nullptr;   // "C" for extern/export functions
    ArenaVec<Arg> chain_args;           // constructor chaining arguments
    FuncDecl* chain_target = nullptr;   // sema: the constructor they go to
    const char* mangled = nullptr;      // sema: symbol name chosen by sema (e.g. "Program.Main")
    struct TestDecl* test = nullptr;    // sema (`lang test`): the test block this function was made from
};

// Property getters, indexers (get_Item) and IterAt may return a place of their object: the
// caller borrows the result (spec 6; sema/flow.cpp checks it, ir/lower_drop.cpp never drops it).
// [Borrow]: a method that returns a borrow like a getter (Dict.Get), of its object or of
// one of its borrowed arguments (Dict.GetOr).
inline bool has_borrow_attr(const FuncDecl* fd) {
    for (const Attribute& a : fd->attrs())
        if (a.name == "Borrow") return true;
    return false;
}
inline bool returns_borrow(const FuncDecl* fd) {
    return fd && (fd->is_property || fd->name == "get_Item" || fd->name == "IterAt" || has_borrow_attr(fd));
}

struct FieldDecl : Decl {
    TypeExpr* type_expr = nullptr;
    Expr* init = nullptr;               // `int x = 3;` default value
    uint32_t index = 0;                 // sema: position among the type's fields
    uint32_t offset = 0;                // sema: byte offset in the object/struct
};

enum class TypeDeclKind : uint8_t { Class, Struct, Interface, Enum };
struct EnumCaseDecl : Decl {
    ArenaVec<ParamDecl*> payload;       // Circle(float r)
    Expr* value = nullptr;              // Red = 3
    int64_t tag = 0;                    // sema: discriminant
};
struct TypeDecl : Decl {
    TypeDeclKind tkind;
    bool is_gc = false;                 // gc class
    ArenaVec<TypeParamDecl*> type_params;
    ArenaVec<TypeExpr*> bases;          // base class and/or interfaces
    ArenaVec<Decl*> members;            // FieldDecl, FuncDecl, EnumCaseDecl, nested TypeDecl
    TypeExpr* underlying = nullptr;     // enum E : u8
    uint32_t instance_size = 0;         // sema: class: bytes of a heap instance (header included)
};

struct ImportDecl : Decl {             // import Std.Collections;  import Json = Std.Serialize.Json;
    ArenaVec<Ident> path;
    Ident alias;                        // empty when no alias
};

struct TestDecl : Decl {               // test "addition" { ... }
    const char* title;
    Block* body;
};

struct ExternBlockDecl : Decl {        // extern "C" { int puts(cstring s); ... }
    const char* abi;
    ArenaVec<FuncDecl*> funcs;
};

struct NamespaceDecl : Decl {          // sema-created: one per distinct namespace path
    ArenaVec<Ident> path;
};

// One parsed source file.
struct FileAst {
    uint32_t file_id;
    ArenaVec<Ident> ns_path;            // namespace A.B;  (empty: the folder's default)
    Span ns_span;
    ArenaVec<ImportDecl*> imports;
    ArenaVec<Decl*> decls;              // TypeDecl, FuncDecl, TestDecl, ExternBlockDecl, global LocalDecl
    ArenaVec<Decl*> instances;          // sema: instances of this file's generic types and functions
                                        // (TypeDecl, FuncDecl; parent = enclosing type), in creation order
    bool fails = false;                 // has a `fail`, a `catch` or an `Err` pattern (sema/error_prelude.cpp)
};

template <class T, class N> inline T* as(N* n) { return static_cast<T*>(n); }

} // namespace lang
