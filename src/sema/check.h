// check.h: the semantic checker's internal state, shared by the files of src/sema.
//
// One Sema object lives for one check_program() call. Phases (sema.cpp runs them in
// order): declare (resolve.cpp: namespaces, symbols, duplicates) -> imports ->
// signatures (types of fields/params/results, enum tags, mangled names) -> layout
// (layout.cpp) -> bodies (check_stmt.cpp, check_expr.cpp, check_call.cpp, match.cpp)
// -> entry point -> final layout of every interned type.
// Invariants:
//  - Symbols live in one hash map keyed by (scope, Ident): scope is a NsInfo* for
//    namespace members or a TypeDecl* for type members; overloads chain through
//    Sym::next in declaration order.
//  - Locals live in a stack with scope marks and an index by name (`locals_`, see
//    locals.h): declaring and looking up a local is O(1) however many are in scope.
//  - A type of kind Error means "already reported": checks that see it stay silent.
#pragma once
#include <functional>
#include "common/compilation.h"
#include "parse/ast.h"
#include "sema/locals.h"
#include "sema/sema.h"
#include "sema/types.h"
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace lang::sema {

// Whether a T! expression is a new result nothing else holds (a call's, not a getter's or
// an indexer's, or `F() catch G()` of two) rather than one stored in a place
// (check_errors.cpp; flow.cpp and lowering's is_new_result draw the same line).
bool fresh_result(Expr* e);

struct NsInfo {
    NamespaceDecl* decl = nullptr;
    NsInfo* parent = nullptr;
    std::string path; // "A.B" ("" for the root namespace)
};

struct Import {
    Ident name;       // the name the import introduces: alias, or the last path segment
    NsInfo* ns = nullptr;
    bool open = false; // `import A.B;` also makes the members of A.B visible unqualified
    Span span;
    int32_t sym = -1;  // a Sym naming the namespace declaration
};

struct FileCtx {
    FileAst* ast = nullptr;
    NsInfo* ns = nullptr;
    std::vector<Import> imports;
    std::string base_name; // "other.lang", for visibility messages
};

// Open-addressing map (scope, name) -> first Sym index; power-of-two size, linear probing.
class SymTable {
public:
    SymTable() : slots_(1024) {}
    int32_t find(const void* scope, const IStr* name) const {
        size_t mask = slots_.size() - 1;
        for (size_t i = hash(scope, name) & mask;; i = (i + 1) & mask) {
            const Slot& s = slots_[i];
            if (!s.name) return -1;
            if (s.scope == scope && s.name == name) return s.first;
        }
    }
    // Room for n keys without growing (a big program's declarations are counted first:
    // growing step by step would fill fresh memory several times).
    void reserve(size_t n) {
        size_t want = slots_.size();
        while (want < 2 * n) want *= 2;
        if (want > slots_.size()) grow(want);
    }
    // Sets the entry for a new key (the key must not be present).
    void insert(const void* scope, const IStr* name, int32_t first) {
        if ((count_ + 1) * 2 > slots_.size()) grow(slots_.size() * 2);
        put(scope, name, first);
        count_++;
    }

private:
    struct Slot {
        const void* scope = nullptr;
        const IStr* name = nullptr;
        int32_t first = -1;
    };
    static size_t hash(const void* scope, const IStr* name) {
        return ((size_t)(uintptr_t)scope >> 4) * 0x9E3779B97F4A7C15ull ^ name->hash;
    }
    void put(const void* scope, const IStr* name, int32_t first) {
        size_t mask = slots_.size() - 1;
        size_t i = hash(scope, name) & mask;
        while (slots_[i].name) i = (i + 1) & mask;
        slots_[i] = Slot{scope, name, first};
    }
    void grow(size_t size) {
        std::vector<Slot> old;
        old.swap(slots_);
        slots_.resize(size);
        for (const Slot& s : old)
            if (s.name) put(s.scope, s.name, s.first);
    }
    std::vector<Slot> slots_;
    size_t count_ = 0;
};

struct Sym {
    Decl* decl;
    int32_t next; // next overload with the same name in the same scope, -1 at the end
};

// A short list of overload candidates without heap allocation in the common case.
struct CandBuf {
    FuncDecl* small[8];
    std::vector<FuncDecl*> big;
    uint32_t n = 0;
    void push(FuncDecl* f) {
        if (n < 8) small[n] = f;
        else {
            if (n == 8) big.assign(small, small + 8);
            big.push_back(f);
        }
        n++;
    }
    FuncDecl* const* data() const { return n <= 8 ? small : big.data(); }
};

// Per-function checking state.
struct FnCtx {
    FuncDecl* fn = nullptr;      // null while checking field initializers
    TypeDecl* self_decl = nullptr;
    const Type* self = nullptr;  // type of `this` (null when static / free function)
    bool is_ctor = false;
    bool is_mut = false;         // `this` may be mutated (mut method or constructor)
    const Type* ret = nullptr;
    uint32_t next_local = 0;
    int loop_depth = 0;
    int unsafe_depth = 0;        // inside `unsafe { }`: C functions may be called (ffi.cpp)
    bool in_defer = false;       // checking the statement of a `defer`
    uint32_t lambdas = 0;        // lambdas made so far in this function (names "$lambdaN")
    bool infer_ret = false;      // a block-bodied lambda: the first `return` sets `ret`
};

// `object.name` written by sema in place of source text (reflect.cpp), not yet checked.
MemberExpr* member_node(Arena& arena, Expr* object, Ident name, Span span);

class Sema {
public:
    explicit Sema(Compilation& c);
    ~Sema() { for (NsInfo* n : namespaces_) delete n; }
    Sema(const Sema&) = delete;
    Sema& operator=(const Sema&) = delete;
    void run(bool require_entry);
    // run() in steps (see ProgramCheck in sema.h): every phase before the function bodies;
    // the bodies in program order up to and including f (all when f is not found); the rest.
    void run_declarations();
    void check_bodies_until(const FuncDecl* f);
    void run_rest(bool require_entry);
    size_t next_body_ = 0;      // funcs_[next_body_] is the next body to check
    size_t laid_out_types_ = 0; // interned composite types that have their final layout

    // ---- resolve.cpp ----
    void declare_all();
    // ---- tests.cpp ----
    // `lang test`: checks a test block and returns the hidden function made from it.
    FuncDecl* declare_test(TestDecl* t, uint32_t file_index);
    std::unordered_map<std::string, const TestDecl*> test_titles_; // title -> first test with it
    uint32_t test_count_ = 0;
    // ---- resolve.cpp ----
    void resolve_imports();
    void resolve_signatures();
    void mangle_all();
    NsInfo* ns_get(const ArenaVec<Ident>& path, uint32_t n, Span span);
    NsInfo* ns_of(Decl* d); // NamespaceDecl -> info
    int32_t sym_find(const void* scope, Ident name) const;
    void sym_add(const void* scope, Decl* d);
    const Type* resolve_type(TypeExpr* te);
    // Looks a name up at namespace level from the current file (current namespace and
    // its parents, imports, root). Returns the first Sym index or -1.
    int32_t lookup_global(Ident name, Span span, bool* ambiguous);
    // Looks a name up in the enclosing types (innermost first). Returns a Sym index or -1.
    int32_t lookup_in_types(Ident name);
    // Member of a type (fields, methods, enum cases, nested types) by name, or -1.
    // Follows the base-class chain: the first class (the type itself, then its bases)
    // that has the name wins.
    int32_t lookup_member(TypeDecl* td, Ident name) const;
    TypeDecl* base_of(const TypeDecl* td) const;             // the base class, or null
    // The nearest ancestor of td that declares constructors when none of them takes no
    // parameters (so an implicit `: base()` is impossible), else null.
    TypeDecl* base_without_default_ctor(const TypeDecl* td) const;
    // d == b, b is an ancestor class of d, or b is an interface d implements/extends
    bool derives(const TypeDecl* d, const TypeDecl* b) const;
    // Interfaces implemented by a class (listed, extended, inherited from base classes)
    // or extended by an interface, each once.
    void interfaces_of(const TypeDecl* td, std::vector<TypeDecl*>& out, int depth = 0) const;
    // d (a class or interface) is iface or implements/extends it.
    bool implements(const TypeDecl* d, const TypeDecl* iface) const;
    void check_interfaces(TypeDecl* td);
    void check_inheritance();
    bool check_access(Decl* d, Span span);  // reports private access; false if denied
    bool inside_type(TypeDecl* td) const;
    bool visible(const Decl* d) const;
    bool is_global(const Decl* d) const;      // a namespace-level let/var        // top-level: public or in the current file
    int32_t first_visible(int32_t s) const;   // first visible overload in a chain (or s)
    void enter_type(TypeDecl* td); // type_stack_ = td and the types enclosing it
    const char* tkind_word(TypeDecl* td) const;

    // ---- layout.cpp ----
    void layout_all();
    void layout_phase() { mark_boxed_payloads(); layout_all(); } // recursive enums first (their boxes change layouts)
    void layout_type(const Type* t);
    void layout_decl(TypeDecl* td);
    void finish_layout();
    // ---- reflect.cpp ----
    NsInfo* prelude_ = nullptr;  // the prelude (TypeKind): searched after everything else
    TypeDecl* type_kind_ = nullptr;
    void declare_prelude();
    const Type* resolve_reflect_type(TypeExpr* te);                  // TypeInfo, FieldInfo
    const Type* check_typeof(TypeofExpr* e);
    const Type* check_reflect_member(MemberExpr* e, const Type* ot);  // on TypeInfo/FieldInfo
    const Type* check_get_type(CallExpr* e, MemberExpr* m, const Type* ot); // x.GetType()
    const Type* check_implicit_get_type(CallExpr* e, NameExpr* n);       // GetType() = this.GetType()
    const Type* check_clone_call(CallExpr* e, MemberExpr* m, const Type* ot); // clone.cpp: x.Clone(); null: the type's own
    const Type* check_implicit_clone(CallExpr* e, NameExpr* n);          // Clone() = this.Clone()
    FuncDecl* user_clone(TypeDecl* td);                                    // its Clone() taking nothing, or null
    bool cloneable(const Type* t, Span at, std::string& path, std::string& why, int depth);
    bool cloneable_subtypes(TypeDecl* td, Span at, std::string& path, std::string& why, int depth, size_t from = 0);
    std::unordered_set<const Type*> clone_seen_;                           // the types one cloneable() check met
    struct CloneRoot { TypeDecl* td; Span at; size_t types_seen; };      // a class/interface cloned for its run-time type
    std::vector<CloneRoot> clone_roots_;
    void recheck_clone_roots();                                            // after the bodies: later instances
    // ---- ownership.cpp ----
    bool is_move_type(const Type* t) const { // spec 6: one owner, moved by let/return/own/store
        if (!t) return false;
        switch (t->kind) { // the common answers inline, the rest looked up (ownership.cpp)
        case TypeKind::Array: case TypeKind::Interface: return true;
        case TypeKind::Struct: case TypeKind::Tuple: case TypeKind::Enum: case TypeKind::Nullable:
        case TypeKind::Fallible: case TypeKind::Class: return is_move_aggregate(t);
        default: return false;
        }
    }
    bool is_move_aggregate(const Type* t) const;
    mutable std::unordered_map<const Type*, bool> move_types_; // is_move_type's answers (types are interned)
    // ---- recursive_enum.cpp ----
    void mark_boxed_payloads(); // before layout_all: ParamDecl::boxed of recursive payloads

    // ---- check_stmt.cpp ----
    void check_func(FuncDecl* fn, TypeDecl* owner);
    void check_block(Block* b);
    void check_stmt(Stmt* s);
    void check_var_decl(VarDeclStmt* s);
    bool block_returns(Stmt* s);
    void check_entry_point();
    void check_field_inits();

    // ---- flow.cpp ----
    void check_zero_fields();                  // static fields and globals only an initializer can set
    void required_fields(TypeDecl* td, std::vector<FieldDecl*>& out) const; // a constructor must set them
    void check_required_inits(NewExpr* e, TypeDecl* td); // `new T {...}` when T has no constructor
    void check_flow(FuncDecl* fn, TypeDecl* owner); // definite assignment, unreachable, unused
    std::shared_ptr<void> flow_spare_; // flow.cpp's buffers, reused by the next function's check
    void push_scope() { locals_.push_scope(); }
    void pop_scope() { locals_.pop_scope(); }
    void declare_local(Ident name, Decl* d, Span span);
    LocalDecl* new_local(Ident name, Span span, const Type* t, bool mut);
    void assign_local_index(LocalDecl* d) { d->index = fn_.next_local++; }
    Decl* lookup_local(Ident name) const;

    // ---- check_expr.cpp ----
    const Type* expr(Expr* e, const Type* hint);   // checks e, sets e->type
    const Type* value(Expr*& e, const Type* want); // expr + coerce to `want` (if non-null)
    bool coerce(Expr*& e, const Type* to);          // implicit conversion or error
    bool can_convert(Expr* e, const Type* to, int* cost);
    bool implicit_ok(const Type* from, const Type* to) const;
    bool is_untyped_int(Expr* e, uint64_t* mag, bool* neg) const;
    bool const_int(Expr* e, int64_t* out) const;
    bool fits(uint64_t mag, bool neg, const Type* t) const;
    void set_lit_type(Expr* e, const Type* t);
    Decl* ref_decl(Expr* e) const;
    const Type* check_operand(Expr* e); // like expr(), but a type or namespace is allowed
    const Type* common_type(Expr*& a, Expr*& b);
    Expr* wrap_cast(Expr* e, const Type* to);
    // The arms of a `?:` or of a value `match` (spec 7.7, 8.2), already checked.
    bool is_plain_literal(Expr* e) const;   // an unsuffixed number literal, maybe negated
    const Type* common_of(const Type* a, const Type* b) const;
    const Type* arms_type(Expr** const* arms, uint32_t n, const Type* hint, Span span, const char* what);
    const Type* literal_arm_hint(Expr** const* arms, uint32_t n, const Type* hint);
    const Type* check_name(NameExpr* e, bool prefix_ok);
    const Type* check_member(MemberExpr* e, bool prefix_ok);
    const Type* null_safe_receiver(MemberExpr* e);
    const Type* null_safe_result(const Type* r);
    const Type* check_binary(BinaryExpr* e, const Type* hint);
    const Type* check_unary(UnaryExpr* e, const Type* hint);
    const Type* check_assign(AssignExpr* e);
    const Type* check_cast(CastExpr* e);
    const Type* check_index(IndexExpr* e);
    // check_indexer.cpp: `o[i]` and `o[i] = v` on classes and structs (spec 7.6).
    const Type* check_indexer(IndexExpr* e, const Type* ot, AssignExpr* assign);
    const Type* check_indexer_compound(IndexExpr* e, const Type* ot, AssignExpr* assign); // o[i] op= v
    AssignExpr* indexer_assign_ = nullptr; // the assignment whose target check_index checks
    const Type* check_for_in_class(ForInStmt* s, const Type* it); // the element type, or null
    const Type* check_new(NewExpr* e);
    const Type* check_array_lit(ArrayLitExpr* e, const Type* hint);
    const Type* check_tuple_lit(TupleLitExpr* e, const Type* hint);
    const Type* check_interp(InterpStringExpr* e);
    const Type* check_ternary(TernaryExpr* e, const Type* hint);
    const Type* check_range(RangeExpr* e, const Type* hint);
    const Type* check_this(Expr* e);
    const Type* unsupported(Expr* e, const char* what);
    bool to_string_ok(const Type* t) const;
    // ---- hashing.cpp: hash(x), equals(a, b) ----
    const Type* check_hash_builtin(CallExpr* e, NameExpr* n, const Type* hint); // null: not one of them
    bool hashable(const Type* t, std::string& why, bool for_equals) const;
    bool library_key_error(const Type* t, const std::string& why);
    bool in_prelude_file() const;

    // ---- check_call.cpp ----
    const Type* check_call(CallExpr* e, const Type* hint);
    // Checks each argument on its own, without parameter types (a call that is already an
    // error, or whose arguments are not checked against a signature).
    void check_args_loose(ArenaVec<Arg>& args);
    const Type* call_builtin(CallExpr* e, Builtin b);
    const Type* check_compare(CallExpr* e); // compare.cpp: compare(a, b)
    const Type* check_swap(CallExpr* e);    // swap.cpp: swap(ref a, ref b)
    const Type* check_take(CallExpr* e);    // swap.cpp: take(ref a)
    // `x.Name(rest...)` in place of the builtin call e = `b(x, rest...)`, checked like a
    // written call (compare -> CompareTo, hash -> GetHashCode, equals -> Equals).
    const Type* call_as_method(CallExpr* e, const char* name, const Type* hint);
    // properties.cpp: a property read `o.P` / `P` as the getter call it stands for (*call).
    const Type* property_read(MemberExpr* m, NameExpr* n, Expr** call);
    void check_property_call(CallExpr* e, FuncDecl* f, Span span);
    // Chooses among `cands` (by arity, then by conversion cost) and checks/converts the
    // arguments. `word` and `name` name the callee in messages ("function 'F'").
    FuncDecl* pick_overload(FuncDecl* const* cands, uint32_t n, ArenaVec<Arg>& args, const char* word, Ident name,
                            Span span);
    void gather(int32_t sym, CandBuf& out) const;
    void check_arg_modes(FuncDecl* f, ArenaVec<Arg>& args);
    bool require_mutable(Expr* target, Span span, FuncDecl* mut_method);
    bool mutable_path(Expr* e, std::string& why, bool& this_root);

    // ---- func_values.cpp ----
    const Type* resolve_func_type(TypeExpr* te);
    // A function named without a call (`F`, `Type.F`): its type, and *decl set to it.
    const Type* function_value(Expr* e, Ident name, int32_t sym, Decl** decl);
    const Type* call_value(CallExpr* e, const Type* ft);   // a call of a value of function type
    bool value_target_ok(Expr* e, Ident name, FuncDecl* f); // f may be used as a value (reports why not)
    const Type* method_value(MemberExpr* e, const Type* ot, int32_t sym); // `obj.M` (method_values.cpp)
    const Type* check_lambda(LambdaExpr* l, const Type* hint); // lambdas.cpp
    Decl* capture(Ident name, Span span);                  // a local of a function around a lambda, captured
    // A local holding a lambda with captures, or a parameter of function type, used as a
    // value (not called): closures.cpp decides at the end of the body whether that use lets
    // the lambda escape (or, for a borrowed parameter, whether it is an error).
    bool closure_use(Decl* d, NameExpr* use) {
        if (d->kind == DeclKind::Local ? static_cast<LocalDecl*>(d)->closure != nullptr : borrowed_fn_param(d))
            closure_uses_.push_back(use);
        return false;
    }
    // ---- closures.cpp: which lambdas escape (spec 7.10), decided once a body is checked ----
    void note_borrow_args(FuncDecl* f, ArenaVec<Arg>& args); // direct arguments of ordinary function parameters
    void note_borrow_arg(Expr* a);
    void unborrow_args(ArenaVec<Arg>& args);                 // a spawned call's arguments escape
    void settle_closures();
    void escape_lambda(LambdaExpr* l);
    void capture_this();                                     // `this` (or a member through it) used in a lambda
    const Type* infer_result(Expr* value);                 // a lambda's result from its first `return`

    // ---- check_concurrency.cpp ----
    bool check_sendable(const Type* t, Span span, const char* what);
    bool holds_gc_ref(const Type* t, std::string* why); // a gc class reference anywhere inside
    // ---- gc_classes.cpp ----
    void check_gc_class(TypeDecl* td);                  // bases, non-gc and static fields
    const Type* resolve_conc_type(TypeExpr* te); // null: not Channel/Task/WaitGroup/Mutex
    const Type* check_conc_new(NewExpr* e, const Type* t);
    const Type* check_conc_method(CallExpr* e, MemberExpr* m, const Type* ot);
    const Type* check_conc_free_call(CallExpr* e, NameExpr* n); // null: not Sleep/Yield/Timeout
    const Type* check_spawn(SpawnExpr* e);
    const Type* resolve_data_mutex(TypeExpr* te);                 // mutex_data.cpp: Mutex<T>
    const Type* check_data_mutex_new(NewExpr* e, const Type* t);
    const Type* check_data_mutex_lock(CallExpr* e, MemberExpr* m, const Type* ot);
    LambdaExpr* ref_lambda_ = nullptr; // lambdas.cpp: a lambda whose parameters may be `ref`, result inferred
    const Type* check_duration_call(CallExpr* e, MemberExpr* m); // duration.cpp; null: not Duration.X(n)
    const Type* check_duration_binary(BinaryExpr* e);             // null: an operator Duration lacks
    bool check_duration_compound(AssignExpr* e);
    const Type* check_duration_member(MemberExpr* e);
    bool duration_count(Expr*& e);
    const char* duration_hint(BinOp op, const Type* other) const;
    bool is_math(Expr* obj);                                      // check_math.cpp
    bool c_types_ok_ = false; // resolving an extern function's parameters: cstring allowed
    std::unordered_map<std::string, FuncDecl*> c_funcs_; // C functions by symbol (ffi.cpp)
    void check_extern_block(ExternBlockDecl* b);                  // ffi.cpp
    void check_extern_decl(FuncDecl* f);
    void check_c_signature(FuncDecl* f);
    void check_c_call(CallExpr* e, FuncDecl* f);
    void c_variadic_args(ArenaVec<Arg>& args, uint32_t from);
    void check_export_decl(FuncDecl* f, TypeDecl* owner);
    void check_export_signature(FuncDecl* f);
    void link_attribute(const Attribute& a, const char* where);
    // pointers.cpp: raw pointers
    bool pointee_ok(const Type* t) const;
    bool is_c_struct(const Type* t) const;
    void check_c_attr(TypeDecl* td);
    bool need_unsafe(Span s, const char* what);
    bool typed_pointer(Span s, const Type* t, const char* what);
    const Type* check_deref(UnaryExpr* e);
    const Type* check_addr_of(UnaryExpr* e);
    const Type* check_pointer_index(IndexExpr* e, const Type* pt);
    const Type* check_pointer_arith(BinaryExpr* e, const Type* ta, const Type* tb);
    bool pointer_cast_ok(CastExpr* e, const Type* from, const Type* to);
    const Type* check_math_call(CallExpr* e, MemberExpr* m);      // null: not Math.F(args)
    const Type* check_math_const(MemberExpr* m);                  // null: not Math.PI / Math.E
    bool is_json(Expr* obj);                                      // json.cpp
    const Type* check_json_call(CallExpr* e, MemberExpr* m);      // null: not Json.F(args)
    bool json_type_ok(const Type* t, std::string& why, std::vector<const Type*>& seen);
    void json_note_uses(const Type* t, Span at, std::vector<const Type*>& seen);
    const Type* time_arg(Expr*& e);                                // Duration, or int ms
    void check_select(SelectStmt* s);

    // ---- check_text.cpp ----
    const Type* check_text_method(CallExpr* e, MemberExpr* m, const Type* ot, bool null_safe); // null: not one
    const Type* check_text_static_call(CallExpr* e, MemberExpr* m); // null: not string.Join(...)
    void text_arg(Expr*& a, const char* method);                    // a string, or a char made one
    bool check_format(InterpPart& p, const Type* t);                // {x:F3}: false after an error
    const Type* resolve_text_type(TypeExpr* te);                    // null: not StringBuilder
    const Type* check_text_new(NewExpr* e);                         // new StringBuilder([string])
    const Type* check_builder_method(CallExpr* e, MemberExpr* m, bool null_safe);

    // ---- context.cpp: `context`, allocators, #caller (spec 7.11) ----
    TypeDecl* prelude_decl(const char* name);                      // the prelude's type `name`, or null
    bool is_context_name(Expr* e);                                 // `context` (no variable of that name)
    bool is_context_member(Expr* e);                               // `context.F`
    bool is_context_stmt(Stmt* s);                                 // `context.F = v;`
    const Type* check_context_member(MemberExpr* e);               // a read of context.F
    bool check_context_stmt(ExprStmt* s);                          // false: not a context statement
    void check_context_stmt_place(Stmt* s);                        // reports one as a whole if/while/for body
    const Type* check_context_assign_misplaced(AssignExpr* e);     // `context.F = v` inside an expression
    bool check_borrowed_variable(Expr* v, const char* field, const char* what);
    const Type* check_context_call(CallExpr* e, MemberExpr* m);    // context.temp_allocator.Reset(); null: not one
    const Type* check_rt_intrinsic(CallExpr* e, NameExpr* n);      // the prelude's runtime calls (intrinsics.cpp); null: not one
    const Type* logger_type();                                     // ILogger?, or null
    const Type* source_location_type();                            // SourceLocation, or null
    const Type* check_caller_loc(Expr* e);
    void check_default_param(FuncDecl* f, ParamDecl* p);           // resolve.cpp: `= #caller`
    void add_caller_defaults(FuncDecl* f, ArenaVec<Arg>& args, Span call);
    bool caller_defaults_cover(const FuncDecl* f, uint32_t nargs) const; // params from nargs on are `= #caller`
    // The variables `context.allocator = a;` / `context.logger = l;` borrow until the end of
    // their block (check_block drops the ones its statements made): they cannot be assigned,
    // passed as `ref` or have `mut` methods called.
    struct ContextBorrow {
        const Decl* d;
        const char* field;
        Span at;
    };
    std::vector<ContextBorrow> ctx_borrows_;
    bool check_context_borrow(Expr* target, Span span, FuncDecl* mut_method); // false: reported

    // ---- match.cpp ----
    const Type* check_match(MatchExpr* e, const Type* hint, bool as_stmt);
    void check_pattern(Pattern* p, const Type* t);

    // ---- check_errors.cpp ----
    void find_error_decls();
    bool is_error_class(const Type* t) const;  // the prelude's Error or a class deriving from it
    const Type* error_type() const;            // the Error class type
    bool report_fallible(Expr* e, const char* use) { // e has a T! type: reported, true
        return e && e->type && e->type->kind == TypeKind::Fallible && report_fallible_use(e, use);
    }
    bool report_fallible_use(Expr* e, const char* use);
    void check_fail(FailStmt* s);
    const Type* check_try(TryExpr* e);
    const Type* check_catch(CatchExpr* e, const Type* hint, bool as_stmt = false);
    void check_result_pattern(Pattern* p, const Type* t);
    const Type* check_parse_call(CallExpr* e, MemberExpr* m); // int.Parse / float.Parse, else null
    TypeDecl* error_decl_ = nullptr;       // the prelude's Error (null in unit tests without it)
    TypeDecl* parse_error_decl_ = nullptr;
    // ---- generics.cpp ----
    // Generic declarations are templates: sema never checks or lays them out. Each use
    // with new type arguments makes an instance, a fresh copy of the declaration
    // (reparse_decl) whose type parameters are bound to the arguments (tbind_); the
    // instance then goes through every phase already run (catch_up) and is checked,
    // laid out, mangled and lowered like a declaration written by hand.
    struct InstInfo {
        Decl* generic = nullptr;                  // the template it was made from
        std::vector<const Type*> args;
        uint32_t depth = 0;                       // nesting of instances that made it (1 = from plain code)
        Span use;                                 // where it was first made
    };
    struct PendingConstraint { TypeParamDecl* tp; const Type* arg; Decl* inst; Span use; };
    std::unordered_map<const Decl*, std::vector<std::pair<Ident, const Type*>>> tbind_; // type parameters in scope
    std::unordered_map<const Decl*, InstInfo> inst_info_;  // instance (or signature stub) -> origin
    std::map<std::pair<const Decl*, std::vector<const Type*>>, Decl*> instances_;
    std::vector<PendingConstraint> pending_constraints_;
    // Methods of generic type instances are checked when made, but their messages are
    // held (Diag::Held) until every body is checked; then the messages of the methods the
    // program uses (called, made a value or constructed with, from plain code or from
    // other used methods; constructors, virtual, interface, ToString and destructor
    // methods always count) are reported, and the others are dropped and marked
    // FuncDecl::unused, which lowering skips. So List<Person> compiles although Sort()
    // needs an order on Person, calling people.Sort() reports it, and a program pays
    // only for the methods it uses (instance_use.cpp).
    bool deferrable(const FuncDecl* f) const;
    void note_use(FuncDecl* f, Span at);
    void release_held();
    std::unordered_map<const FuncDecl*, Diag::Held> held_;
    std::unordered_map<const FuncDecl*, std::vector<std::pair<FuncDecl*, Span>>> uses_; // user -> used (null: plain code)
    FuncDecl* held_fn_ = nullptr; // the instance method whose body is being checked with held messages
    FuncDecl* tp_fn_ = nullptr;   // the function whose signature is being resolved
    int phase_ = 0;               // declaration phases started: 1 signatures, 2 inheritance, 3 mangle, 4 layout, 5 field inits
    size_t t_from_ = 0, t_to_ = SIZE_MAX, f_from_ = 0, f_to_ = SIZE_MAX; // the entries a phase runs over
    bool catching_up_ = false;
    bool args_checked_ = false;   // pick_overload: the arguments are checked already (generic calls)
    bool depth_reported_ = false;
    size_t t_end() const { return t_to_ < types_.size() ? t_to_ : types_.size(); }
    size_t f_end() const { return f_to_ < funcs_.size() ? f_to_ : funcs_.size(); }
    const Type* lookup_tparam(Ident name) const;
    void bind_template_params(Decl* d, const ArenaVec<TypeParamDecl*>& tps);
    void check_tparam_names(const ArenaVec<TypeParamDecl*>& tps); // reports duplicates
    const Type* instantiate_type(TypeDecl* gen, const std::vector<const Type*>& args, Span use);
    FuncDecl* instantiate_func(FuncDecl* gen, const std::vector<const Type*>& args, Span use);
    // The generic candidates of a call become instances (explicit type arguments `gargs`
    // or inferred from the arguments, checked here first); the ones that do not fit drop out.
    // False: an error was reported (the call is an error).
    bool generic_candidates(CandBuf& cands, const ArenaVec<TypeExpr*>& gargs, ArenaVec<Arg>& args, Ident name,
                            Span span);
    void add_instance(Decl* inst, ArenaVec<TypeParamDecl*>& tparams, Decl* gen, const std::vector<const Type*>& args,
                      uint32_t depth, Span use, const std::function<void(uint32_t)>& collect);
    void catch_up(size_t t0, size_t f0);
    void check_pending_constraints();
    uint32_t context_depth() const;
    uint32_t file_index(uint32_t file_id) const;
    bool is_template_fn(const FuncDecl* f) const { return !f->type_params.empty(); }
    bool satisfies(const Type* arg, const Type* constraint) const;
    // After errors in a body: a note naming the instance it belongs to (if any) and the use that made it.
    void note_instance(const FuncDecl* f);
    // Bodies not checked because the program is rejected already and they would only
    // repeat its errors: instances whose constraints failed, and once the depth limit was
    // reported, instances made by other instances.
    bool skip_instance_body(const FuncDecl* f) const;
    std::unordered_map<const Decl*, bool> failed_insts_;
    // An instance's function whose template function was checked in another instance
    // already (warnings are reported for the first instance only).
    bool repeated_instance_body(const FuncDecl* f);
    std::unordered_map<uint64_t, bool> instance_bodies_seen_;
    const Type* generic_type_prefix(NameExpr* e); // `Box<int>` as the object of a member

    // ---- helpers ----
    bool is_error(const Type* t) const { return !t || t->kind == TypeKind::Error; }
    // void or void!: `return;` and falling off the end are allowed
    static bool is_void_result(const Type* t) {
        return t && (t->kind == TypeKind::Void || (t->kind == TypeKind::Fallible && t->elem->kind == TypeKind::Void));
    }
    std::string tn(const Type* t) const { return type_name(t); }
    const Type* err() const { return T.error(); }

    Compilation& c;
    TypeTable& T;
    Diag& diag;
    Arena& arena;

    // namespaces
    std::vector<NsInfo*> namespaces_;
    std::unordered_map<const Decl*, NsInfo*> ns_by_decl_;
    NsInfo* root_ = nullptr;
    // symbols
    SymTable syms_; // (scope, name) -> first Sym
    std::vector<Sym> sym_list_;
    // files and declarations in order
    std::vector<FileCtx> files_;
    struct FuncEntry { FuncDecl* fn; TypeDecl* owner; uint32_t file; };
    std::vector<FuncEntry> funcs_;
    struct TypeEntry { TypeDecl* td; uint32_t file; };
    struct GlobalEntry { LocalDecl* d; uint32_t file; };
    std::vector<GlobalEntry> globals_;  // namespace-level let/var, in declaration order
    void check_globals();
    // Globals and static fields are initialized in source order (files in order, members
    // in order, nested types where they stand): init_pos_ numbers them; while checking the
    // initializer at position init_limit_, using a later one is an error.
    std::unordered_map<const Decl*, uint32_t> init_pos_;
    uint32_t init_limit_ = UINT32_MAX;
    void number_inits(TypeDecl* td, uint32_t& pos);
    bool used_too_early(const Decl* d, Span span); // reports it
    std::vector<const Type*> type_buf_;  // scratch for building type lists (not reentrant)
    std::string name_buf_;               // scratch for mangled names
    Ident prim_ids_[19];
    TypeKind prim_kinds_[19];
    std::vector<TypeEntry> types_;
    // current context
    FileCtx* file_ = nullptr;
    std::vector<TypeDecl*> type_stack_; // enclosing type declarations, innermost last
    FnCtx fn_;
    LocalScopes locals_;
    std::vector<LocalScopes> outer_locals_; // lambdas.cpp: the locals of the functions around a lambda
    std::vector<LambdaExpr*> lambda_stack_; // lambdas.cpp: the lambdas being checked (outermost first)
    std::vector<LambdaExpr*> closures_;     // closures.cpp: lambdas with captures not settled yet
    std::vector<NameExpr*> closure_uses_;   // closures.cpp: closure locals / function parameters used as values
    std::unordered_set<const Expr*> borrow_args_; // closures.cpp: arguments of ordinary function parameters
    // closures.cpp: lambda parameters whose written type (a generic `T`) is bound to a function
    // type: called through a value they may get a borrowed lambda, so they are borrowed too
    std::unordered_set<const Decl*> lambda_fn_params_;
    bool borrowed_fn_param(const Decl* d) const;
    uint32_t init_lambdas_ = 0;             // lambdas in initializers (outside any function)
    // layout state: 1 = in progress, 2 = done
    std::unordered_map<const Type*, uint8_t> layout_state_;
    std::unordered_map<const TypeDecl*, uint8_t> decl_layout_state_;
    // layout_decl's recursion (a struct's struct fields, a class's base): bounded by the
    // nesting limit, so every later walk over a value's parts is bounded too
    int layout_depth_ = 0;
    bool layout_too_deep_ = false; // reported once
    // interned names used by the checker
    Ident id_console, id_error, id_write, id_writeline, id_assert, id_assert_eq, id_assert_ne, id_assert_fails, id_panic, id_length,
        id_bytelength, id_main, id_program, id_underscore;
};

// The builtin `Console` prefix: a NameExpr that resolved to nothing and was typed void.
inline bool is_console(Expr* e, Ident console) {
    return e && e->kind == ExprKind::Name && !static_cast<NameExpr*>(e)->decl &&
           static_cast<NameExpr*>(e)->name == console && e->type && e->type->kind == TypeKind::Void;
}

// `Console.Error`: the stderr writer, a Member of the Console prefix typed void.
inline bool is_console_error(Expr* e, Ident console, Ident error) {
    return e && e->kind == ExprKind::Member && static_cast<MemberExpr*>(e)->name == error &&
           is_console(static_cast<MemberExpr*>(e)->object, console) && e->type && e->type->kind == TypeKind::Void;
}

inline uint32_t align_up(uint32_t v, uint32_t a) { return (v + a - 1) & ~(a - 1); }

} // namespace lang::sema
