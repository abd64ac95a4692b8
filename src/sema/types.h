// types.h: semantic types.
//
// Types are hash-consed by TypeTable: two structurally equal types are the same
// pointer, so `a == b` compares types. Nominal types (class/struct/enum/interface)
// point at their TypeDecl; a generic instantiation has its own Type with `args`.
// Layout (size/align/field offsets) is computed by sema and read by lowering:
//   - primitives: natural size; bool 1, char 4 (Unicode scalar, u32)
//   - string, T[], class, gc class, interface, Channel/Task handles: one pointer (8)
//   - struct, tuple: fields laid out in order with natural alignment (C layout)
//   - T? of a pointer-like type: the same pointer, 0 = null; of a value type: {T, bool}
//   - C-like enum: its underlying integer (default i32); enum with payloads: tag + union
#pragma once
#include "common/arena.h"
#include "common/intern.h"
#include <string>
#include <unordered_map>
#include <vector>

namespace lang {

struct TypeDecl;
struct TypeParamDecl;
struct EnumCaseDecl;

enum class TypeKind : uint8_t {
    Error,      // poison: an earlier error; suppresses cascaded diagnostics
    Void,
    Bool,
    I8, I16, I32, I64,
    U8, U16, U32, U64,
    F32, F64,
    Char,
    String,
    CString,    // cstring (FFI)
    Null,       // the type of the `null` literal before conversion
    Never,      // bottom: an expression that never produces a value (`panic(...)`); converts
                // implicitly to every type and takes no part in the common type of arms
    Array,      // elem
    Tuple,      // elems
    Nullable,   // elem
    Fallible,   // elem (T!)
    Pointer,    // elem (*T)
    Func,       // elems = params, elem = result
    Range,      // elem = bound type (only in for-in and patterns)
    Struct, Class, Interface, Enum,   // decl (+ args for generic instances)
    TypeParam,  // tparam
    TypeInfo,   // the reflection handle type
    FieldInfo,  // one field of a TypeInfo (reflect.cpp): a pointer to a LangFieldInfo
    // Concurrency handles (check_concurrency.cpp): one pointer each, copy semantics.
    Channel,    // Channel<T>: elem = T (LangChan*)
    Task,       // Task<T>: elem = T, may be void (LangTask*)
    WaitGroup,  // WaitGroup (LangWaitGroup*)
    Mutex,      // Mutex (LangMutex*)
    Atomic,     // Atomic: an int64 cell updated atomically (int64_t*, lang_atomic_new)
    Duration,   // Duration: a span of time, int64 nanoseconds (Duration.Millis(10))
    StringBuilder, // StringBuilder: a reference-counted text buffer, counted like a string (text.c)
};

struct Type {
    TypeKind kind;
    const Type* elem = nullptr;
    const Type* const* elems = nullptr; // Tuple elements, Func params, generic args
    uint32_t count = 0;
    TypeDecl* decl = nullptr;           // nominal types
    TypeParamDecl* tparam = nullptr;
    uint32_t size = 0, align = 1;       // sema fills for sized types

    bool is_integer() const { return kind >= TypeKind::I8 && kind <= TypeKind::U64; }
    bool is_signed() const { return kind >= TypeKind::I8 && kind <= TypeKind::I64; }
    bool is_float() const { return kind == TypeKind::F32 || kind == TypeKind::F64; }
    bool is_numeric() const { return is_integer() || is_float(); }
    bool is_error() const { return kind == TypeKind::Error; }
    // Lives behind one pointer (heap object or static data).
    bool is_pointer_like() const {
        return kind == TypeKind::String || kind == TypeKind::Array || kind == TypeKind::Class ||
               kind == TypeKind::Interface || kind == TypeKind::Pointer || kind == TypeKind::CString ||
               kind == TypeKind::Func || kind == TypeKind::TypeInfo || kind == TypeKind::FieldInfo || kind == TypeKind::StringBuilder ||
               is_conc_handle();
    }
    bool is_conc_handle() const {
        return kind == TypeKind::Channel || kind == TypeKind::Task || kind == TypeKind::WaitGroup ||
               kind == TypeKind::Mutex || kind == TypeKind::Atomic;
    }
    // Passed/returned as an aggregate in memory by our internal calling convention.
    bool is_aggregate() const {
        return kind == TypeKind::Struct || kind == TypeKind::Tuple ||
               (kind == TypeKind::Nullable && !elem->is_pointer_like()) || kind == TypeKind::Fallible ||
               (kind == TypeKind::Enum && !is_c_like_enum());
    }
    bool is_c_like_enum() const;        // defined in types.cpp (needs TypeDecl)
};

class TypeTable {
public:
    explicit TypeTable(Arena& a);
    const Type* error() const { return prim_[(int)TypeKind::Error]; }
    const Type* prim(TypeKind k) const { return prim_[(int)k]; }
    const Type* void_() const { return prim(TypeKind::Void); }
    const Type* never() const { return prim(TypeKind::Never); }
    const Type* bool_() const { return prim(TypeKind::Bool); }
    const Type* int_() const { return prim(TypeKind::I64); }
    const Type* float_() const { return prim(TypeKind::F64); }
    const Type* char_() const { return prim(TypeKind::Char); }
    const Type* string() const { return prim(TypeKind::String); }

    const Type* array(const Type* elem);
    const Type* nullable(const Type* elem);
    const Type* fallible(const Type* elem);
    const Type* pointer(const Type* elem);
    const Type* range(const Type* elem);
    const Type* tuple(const Type* const* elems, uint32_t n);
    const Type* func(const Type* const* params, uint32_t n, const Type* result);
    const Type* nominal(TypeKind k, TypeDecl* d, const Type* const* args = nullptr, uint32_t n = 0);
    const Type* type_param(TypeParamDecl* p);
    // Channel<T>, Task<T> (elem), WaitGroup, Mutex, Atomic (elem null).
    const Type* handle(TypeKind k, const Type* elem);
    // Calls f(const Type*) for every interned type (primitives first, then in creation order).
    template <class F> void for_each(F&& f) const {
        for (const Type* t : prim_) if (t) f(t);
        for (const Type* t : order_) f(t);
    }

    // The composite types interned since the first `from` (creation order), for callers
    // that lay out new types as they appear.
    size_t count() const { return order_.size(); }
    template <class F> void for_each_from(size_t from, F&& f) const {
        for (size_t i = from; i < order_.size(); i++) f(order_[i]);
    }

private:
    const Type* intern(const Type& t);
    Arena& arena_;
    const Type* prim_[(int)TypeKind::FieldInfo + 1] = {};
    struct Key {
        size_t operator()(const Type& t) const;
    };
    struct Eq {
        bool operator()(const Type& a, const Type& b) const;
    };
    std::unordered_map<Type, const Type*, Key, Eq> table_;
    std::vector<const Type*> order_; // interned composite types in creation order
};

// "int", "float", "byte", "string", "int[]", "(int, string)", "Foo<int>", "int?" ...
std::string type_name(const Type* t);

// Zero values (spec 3.6): numbers 0, bool false, char '\0', string "", T? null, arrays an
// empty array, *T and cstring null, Duration zero, C-like enums their member with value
// 0 (the first member when none has value 0),
// structs and tuples every field's zero value. Classes, interfaces, payload enums,
// functions, TypeInfo and concurrency handles have none, nor does a struct or tuple
// holding one. When t has none and `why` is given, *why says which part lacks it
// ("Foo is a class", "field 'f' of Pair has type Foo, a class").
bool has_zero_value(const Type* t, std::string* why = nullptr);

// The first member of an enum, or null when it has none.
const EnumCaseDecl* first_enum_case(const Type* t);
// The zero value of a C-like enum: its member with value 0, else its first member; null
// when t is not a C-like enum or has no members.
const EnumCaseDecl* zero_enum_case(const Type* t);

} // namespace lang
