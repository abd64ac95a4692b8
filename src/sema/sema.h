// sema.h: semantic analysis (name resolution, type checking, layout, mangling).
//
// check_program() checks every file of `c.files` (one program = one file or a folder
// of files) and fills the "sema:" fields of the AST. It reports through c.diag and
// returns false if any error was reported. It never crashes on a tree the parser can
// produce, including trees with null children after parse errors.
//
// ANNOTATION CONTRACT (what lowering may rely on after a successful check):
//  - Every checked Expr has `type` set (never null). Expressions that only name a
//    namespace (the `Std` of `Std.X.F()`, `Console`) have type void and are never
//    evaluated; a NameExpr naming a type has that type and is never evaluated either.
//  - NameExpr.decl -> LocalDecl / ParamDecl / FuncDecl / TypeDecl / EnumCaseDecl /
//    FieldDecl (a FieldDecl means implicit `this.field`, unless the field is M_STATIC) /
//    NamespaceDecl. A LocalDecl from FileAst::decls is a namespace-level variable (its
//    type is set; its init, LocalDecl::init, is checked and converted). A static field
//    reached as `Type.f` is a MemberExpr whose decl is the M_STATIC FieldDecl.
//  - MemberExpr.decl -> FieldDecl (object = the struct/class value) / FuncDecl (method;
//    the MemberExpr is the callee of a CallExpr and `object` is the receiver, or a type
//    name for a static method) / EnumCaseDecl (Color.Red; object is the type name, not
//    evaluated) / TypeDecl or NamespaceDecl (qualified prefixes, not evaluated) / null
//    with MemberExpr.builtin set for builtin properties (string.Length,
//    string.ByteLength, T[].Length; ids from builtins.def, see `Builtin` below).
//  - CallExpr.target = the FuncDecl called. The callee is a MemberExpr (receiver =
//    object, or a type/namespace prefix for static/free functions) or a NameExpr (free
//    function, static method, or implicit-this method call: then `this` is the receiver).
//    CallExpr.builtin is set for Console.Write/WriteLine, assert, assert_eq, panic
//    (target = null). Arguments are already converted to the parameter types.
//    NewExpr.ctor = the constructor (null: no constructor, fields start zeroed; then
//    `inits` set public fields). Arguments in `args`, initializer values in `inits`.
//  - Implicit conversions are explicit: the converted expression is wrapped in a new
//    CastExpr with `to == nullptr` and `type` = the target type (numeric widening,
//    int literal -> float, T -> T?, string + primitive and interpolation parts: the
//    primitive is wrapped in a CastExpr of type string). Integer literals that adapt
//    to an expected integer type simply get that type (no cast); so do float literals
//    used as f32 and `null` used as T?. Lowering never compares types to decide
//    conversions: after sema, in `a + b` both operands have the result type, except
//    shifts (the count may have another integer type) and comparisons (operands have
//    the same type, the result is bool).
//  - AssignExpr: the target's type (its value is the value stored; for `x ??= v` the
//    target's value afterwards). For a compound assignment
//    `value` has the target's type (string += x: value has type string).
//  - Every LocalDecl (let/var, for-in variable, pattern bindings, destructuring names)
//    gets `index` unique within its function; FuncDecl.local_count = number of them.
//    ParamDecl.index = position (0-based, not counting `this` or the context).
//  - Decl.type is set for locals, params, fields, funcs (a TypeKind::Func type: params
//    without `this`, elem = result), enum cases (the enum type), type decls (their
//    nominal type). Decl.parent = the enclosing TypeDecl for members.
//  - Layout: Type.size/align for every sized type (after check_program, for every type
//    in the TypeTable); FieldDecl.offset. Structs/tuples: C layout from 0. Class
//    instances start with a 16-byte LangObjHeader: first field at 16; class Type.size
//    is 8 (a pointer), the instance size is TypeDecl.instance_size. C-like enums are
//    their underlying integer (default i32).
//  - FuncDecl.mangled: "NS.Type.Name", constructors "NS.Type.new", destructors
//    "NS.Type.drop", free functions "NS.Name" (no namespace: "Name"). When a name is
//    overloaded the first declaration keeps the plain name and later ones get "#1",
//    "#2", ... Methods without M_STATIC receive `this` as a hidden parameter.
//  - EnumCaseDecl.tag = its value.
//  - Generics: a TypeDecl or FuncDecl with type_params is a template and carries no
//    annotations (nothing in it is checked; lowering skips it). Its instances are in
//    FileAst::instances of the template's file (TypeDecl or FuncDecl, parent = the
//    enclosing type), fully annotated like written declarations, with empty type_params
//    and names like `Stack<int>`; CallExpr.target and types point at instances.
//  - Match: Pattern.type_resolved = the type of the value matched there. Binding
//    patterns: decl = a sema-created LocalDecl (with index). A Binding whose name is a
//    case of the scrutinee's enum is turned into kind Variant with decl = the
//    EnumCaseDecl; Variant patterns have decl = EnumCaseDecl. Literal and Range
//    patterns have `lit`/`hi` checked and converted to the scrutinee type.
//  - Nullable: `a?.f` is a MemberExpr with null_safe, decl = the field, type = field type
//    made nullable; a is a T? with T a struct or class, or (with MemberExpr.builtin set,
//    decl null, type int?) `s?.Length` / `s?.ByteLength` on string?, `a?.Length` on T[]?.
//    `a?.M(args)` is a CallExpr whose callee MemberExpr has null_safe; target (or builtin
//    StringSubstring, StringChars) is resolved on T as for `a.M(args)`; the CallExpr's type is the
//    method's result made nullable (unchanged when already nullable, void when void). IsExpr has type bool and a checked pattern. A `T v` pattern over a T?
//    value is rewritten to kind Binding whose LocalDecl has type T (matches non-null).
//  - ForInStmt.var->type = element type (char for strings, bound type for ranges);
//    ForInStmt.iterable.type is T[], string or a Range type (TypeKind::Range).
//  - Inheritance: a base class is TypeDecl::bases[0]->resolved (kind Class); member
//    decls may belong to a base class (FieldDecl offsets are absolute in the instance);
//    Derived -> Base conversions are CastExprs (to null) between class types; `x as C`
//    has type C?; TypeTest patterns bind a LocalDecl of the tested class; the target of
//    `base.M()` is the base's FuncDecl (the MemberExpr's object has kind Base); chained
//    constructor arguments (FuncDecl::chain_args) are converted to the chosen ctor's types.
//  - Interfaces: a class's TypeDecl::bases lists its base class first (if any), then the
//    interfaces it implements (resolved kind Interface); an interface's bases are the
//    interfaces it extends (cycles and bad entries are resolved to Error). Class ->
//    interface and interface -> extended interface conversions are CastExprs (to null)
//    between pointer types (the object pointer is the interface value); struct ->
//    implemented interface is a CastExpr from the struct type (lowering boxes a copy). A call of an
//    interface method has target = the interface's FuncDecl (parent = the interface
//    TypeDecl): through an interface value, a class value that inherits a default method,
//    or implicit `this` in a default method (whose `this` has the interface type). Every
//    non-abstract class implements every abstract interface method by a non-static method
//    of the same name, parameter types and result in itself or a base class.
//  - `ref v` / `own v` arguments stay RefArgExprs with the operand's type; a `ref`
//    argument has exactly the parameter type (never wrapped in a conversion).
//  - Match used as a statement has type void; as a value, every arm's body_expr is
//    converted to the match type.
//  - Interpolated strings: every part expr has type string.
//  - Concurrency (spawn, Channel<T>, Task<T>, WaitGroup, Mutex, select, Sleep, Yield,
//    Timeout): see the header comment of check_concurrency.cpp.
#pragma once
#include <cstdint>

namespace lang {

struct Compilation;
struct FuncDecl;

enum class Builtin : uint32_t {
    None,
#define BUILTIN(id, s) id,
#include "sema/builtins.def"
#undef BUILTIN
};

// Checks the whole program. With require_entry, a class `Program` with a valid static
// `Main` must exist (the normal build); `lang test` passes false.
bool check_program(Compilation& c, bool require_entry = true);

namespace sema { class Sema; }
// check_program in steps, for a driver that lowers each function as soon as its body is
// checked: declarations() runs every phase before the bodies (false: errors reported);
// bodies_until(f) checks the bodies in program order up to and including f; finish()
// checks what is left and the entry point, and is true when no error was reported.
// Diagnostics come out in the same order as check_program's.
class ProgramCheck {
public:
    explicit ProgramCheck(Compilation& c);
    ~ProgramCheck();
    ProgramCheck(const ProgramCheck&) = delete;
    ProgramCheck& operator=(const ProgramCheck&) = delete;
    bool declarations();
    void bodies_until(const FuncDecl* f);
    bool finish(bool require_entry = true);

private:
    sema::Sema* s_;
    int before_;
    Compilation& c_;
};

// The entry point found by the last successful check_program (Program.Main), or null.
FuncDecl* find_entry_point(Compilation& c);

} // namespace lang
