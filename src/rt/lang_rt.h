/* lang_rt.h: the ABI between compiled Lang code and the runtime.
 *
 * Compiled code calls these functions with the platform C calling convention (SysV on
 * x86-64 Linux). Every Lang function receives the current Context* as its first
 * argument; runtime entry points that allocate or may panic take it too.
 *
 * Value representations (see also doc/language/spec.md, "Runtime representation"):
 *   string   LangString*  (never NULL; "" is a static empty string)
 *   T[]      LangArray*   (never NULL once constructed)
 *   class    pointer to an object that starts with LangObjHeader
 *   bool     uint8_t 0/1; char: uint32_t Unicode scalar
 *
 * Invariants: string data is valid UTF-8 and NUL-terminated after byte_len bytes.
 * Static strings (literals) have refcount < 0 and are never freed.
 */
#ifndef LANG_RT_H
#define LANG_RT_H
#include <stddef.h>
#include <stdint.h>
#include "lang_abi.h" /* the layouts below as numbers, for the compiler */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct LangContext LangContext;
typedef struct LangTypeInfo LangTypeInfo;

/* ---- runtime type information (TypeInfo, doc/language/spec.md 10) ----
 * The compiler emits one LangTypeInfo per class/struct/enum/interface, and one per other
 * type a program reflects on (typeof, GetType, a field's type), into its data. This is
 * the one definition of the layout: the compiler emits it with offsetof/sizeof of these
 * structs (src/ir/lower_reflect.cpp) and the constants of lang_abi.h, which abi.c checks
 * against them. A gc class always has its field table: the collector's map (gc.h). The kinds are the values of the prelude enum
 * `TypeKind` in Lang, in this order.
 *   name        NUL-terminated; it is the text of a static LangString (refcount < 0), so
 *               `name - offsetof(LangString, data)` is that string (TypeInfo.Name)
 *   size        class: the instance size (header included); others: the value's size
 *   fields      instance fields in layout order (a class's inherited ones first; a
 *               tuple's elements named "0", "1", ...); offsets from the value's start
 *               (for a class from the object's start, after the 16-byte header)
 *   methods     the names of the methods (inherited ones too, each name once), each a
 *               static LangString
 *   interfaces  class: {interface TypeInfo, method table} pairs (the tables of
 *               interface dispatch); interface: {extended interface TypeInfo, NULL} */
enum LangTypeKind {
#define LANG_TK_ENUMERATOR(code, name) LANG_TK_##code,
    LANG_TYPE_KINDS(LANG_TK_ENUMERATOR) /* lang_abi.h */
#undef LANG_TK_ENUMERATOR
    LANG_TK_COUNT
};
typedef struct LangString LangString;
typedef struct LangFieldInfo {
    const char *name;              /* like LangTypeInfo.name: the text of a static LangString */
    const LangTypeInfo *type;
    int64_t offset;
} LangFieldInfo;
typedef struct LangIfaceEntry {
    const LangTypeInfo *iface;
    const void *const *table;      /* method table (NULL in an interface's own list) */
} LangIfaceEntry;
enum {
    LANG_TF_GC = 1,                /* a gc class */
    LANG_TF_REF = 2,               /* a T? of a class or interface: an object pointer or null */
    LANG_TF_GC_ROOT = 4,           /* a class that is not gc whose fields hold gc references:
                                      its objects are registered with the collector */
    LANG_TF_GC_DEEP = 8,           /* ... whose objects own gc references somewhere (gc.c) */
};
struct LangTypeInfo {
    uint32_t kind;                 /* enum LangTypeKind */
    uint32_t flags;                /* LANG_TF_* */
    const char *name;
    int64_t size;
    int64_t alignment;
    const LangTypeInfo *base;      /* base class, or NULL */
    const LangFieldInfo *fields;
    int64_t field_count;
    const LangString *const *methods;
    int64_t method_count;
    const LangIfaceEntry *interfaces;
    int64_t interface_count;
    void (*drop)(LangContext *ctx, void *obj); /* destructor + field drops, or NULL */
    /* a class's virtual method table follows */
};

/* Reflection (reflect.c): new arrays (element: const LangFieldInfo*, LangTypeInfo*). */
struct LangArray *lang_type_fields(LangContext *ctx, const LangTypeInfo *t);
struct LangArray *lang_type_interfaces(LangContext *ctx, const LangTypeInfo *t);
struct LangArray *lang_type_methods(LangContext *ctx, const LangTypeInfo *t);  /* element: LangString* */

/* ---- allocators (the seed's interface) ---- */
typedef struct LangAllocator {
    void *(*alloc)(void *data, size_t size, size_t alignment);
    void *(*realloc)(void *data, void *ptr, size_t old_size, size_t new_size, size_t alignment);
    void (*free)(void *data, void *ptr);
    void *procedure_data;
} LangAllocator;

typedef struct LangSourceLocation {
    const char *file;
    int32_t line;
    int32_t col;
    const char *function;
} LangSourceLocation;

/* The implicit context. Field order is ABI: compiled code reads `allocator` at offset 0. */
struct LangContext {
    LangAllocator *allocator;
    LangAllocator *temp_allocator;
    void *scheduler;
    void *stack_trace;
    void *error_handler;
    LangSourceLocation caller_location;
#ifdef __cplusplus
    void *thread_local_;           /* `thread_local` is a C++ keyword; same slot */
#else
    void *thread_local;
#endif
    uint8_t gc_enabled;
    void *logger;
    int64_t drop_depth;            /* nested lang_obj_drop calls (object.c) */
    void *drop_queue;              /* where drops beyond LANG_DROP_DEPTH wait (object.c) */
};

/* ---- strings: 24-byte header then bytes ---- */
struct LangString {
    int64_t refcount;     /* < 0: static, never freed */
    int64_t byte_length;
    int64_t length;       /* characters (Unicode scalars) */
    char data[];          /* byte_length bytes + NUL */
};

/* ---- arrays: header then elements ---- */
typedef struct LangArray {
    int64_t length;
    int64_t element_size;
    const LangTypeInfo *type_info; /* may be NULL */
    int64_t reserved;              /* keeps data 16-byte aligned */
    unsigned char data[];
} LangArray;

/* ---- objects (class instances) ---- */
typedef struct LangObjHeader {
    const LangTypeInfo *type;
    LangAllocator *allocator;      /* who allocated it: freed through the same one */
} LangObjHeader;

/* ---- closure records (function values, closure.c) ----
 * A function value points at a record that starts with this header; the code address is
 * the first word, the captures (or a method value's code and receiver) follow. A record
 * with refcount < 0 is static or on a stack frame and is never counted; a heap record
 * (lang_closure_new, refcount 1) runs `drop` (which releases or drops what it captured)
 * when its last reference is released, then goes back to `allocator`. */
typedef struct LangClosure {
    void *code;
    int64_t refcount;
    void (*drop)(LangContext *ctx, void *record);
    LangAllocator *allocator;
} LangClosure;

/* ---- bootstrap ----
 * The runtime's main() sets up memory, the context and a main stack of at least
 * 8 MiB, then calls the compiler-emitted entry:
 *     int64_t lang_main(LangContext *ctx, LangArray *args);   // args: string[]
 * whose return value is the process exit status. */
int64_t lang_main(LangContext *ctx, LangArray *args);

/* ---- console ---- */
void lang_write_i64(int64_t v);
void lang_write_u64(uint64_t v);
void lang_write_f64(double v);      /* shortest round-trip form, no trailing ".0" */
void lang_write_f32(float v);
void lang_write_bool(uint8_t v);
void lang_write_duration(int64_t nanos);   /* "1.5s", "250ms" (duration.c) */
void lang_write_char(uint32_t c);
void lang_write_str(const LangString *s);
void lang_write_newline(void);
/* Console.Error.Write/WriteLine: straight to stderr (unbuffered). */
void lang_ewrite_str(const LangString *s);
void lang_ewrite_newline(void);

/* ---- strings ---- */
LangString *lang_str_concat(LangContext *ctx, const LangString *a, const LangString *b);
/* a + b where the caller gives up its reference to a (the result is +1): appends in place
 * when the caller holds the only reference (refcount 1), growing the capacity
 * geometrically; otherwise copies into a new string with spare room and releases a. */
LangString *lang_str_append(LangContext *ctx, LangString *a, const LangString *b);
/* parts[0] + ... + parts[n-1] in one allocation (interpolation); the parts stay the caller's. */
LangString *lang_str_concat_n(LangContext *ctx, LangString *const *parts, int64_t n);
/* Bytes a built string has room for (its byte_length for a static string). */
int64_t lang_str_capacity(const LangString *s);
LangString *lang_str_from_i64(LangContext *ctx, int64_t v);
LangString *lang_str_from_u64(LangContext *ctx, uint64_t v);
LangString *lang_str_from_f64(LangContext *ctx, double v);
LangString *lang_str_from_f32(LangContext *ctx, float v);
LangString *lang_str_from_bool(LangContext *ctx, uint8_t v);
LangString *lang_str_from_duration(LangContext *ctx, int64_t nanos);
LangString *lang_str_from_char(LangContext *ctx, uint32_t c);
uint8_t lang_str_eq(const LangString *a, const LangString *b);
int64_t lang_str_cmp(const LangString *a, const LangString *b);   /* <0, 0, >0 bytewise */
uint64_t lang_str_hash(const LangString *s);                        /* XXH3 of the bytes (hash.c) */
/* Decodes the character starting at byte *pos and advances *pos; used by for-in. */
uint32_t lang_str_next_char(const LangString *s, int64_t *pos);
/* s[i]: the i-th character (panics when out of range). O(1) for ASCII strings, else
 * amortized O(1) when i moves one at a time (see string.c), O(i) at worst. */
uint32_t lang_str_char_at(LangContext *ctx, const LangString *s, int64_t index);
/* s.Chars(): a new char[] (4-byte elements) with the characters of s, in O(byte length). */
LangArray *lang_str_chars(LangContext *ctx, const LangString *s);
LangString *lang_str_substring(LangContext *ctx, const LangString *s, int64_t start, int64_t count);
/* String methods (text.c, text_case.c): results are new references (+1), arguments are
 * borrowed; positions in characters. Split with an empty separator gives [copy of s]. */
LangArray *lang_str_split(LangContext *ctx, const LangString *s, const LangString *sep);
LangString *lang_str_join(LangContext *ctx, const LangString *sep, const LangArray *xs);
LangString *lang_str_trim(LangContext *ctx, const LangString *s, int64_t mode); /* 1 start, 2 end, 3 both */
uint8_t lang_str_contains(const LangString *s, const LangString *sub);
uint8_t lang_str_starts_with(const LangString *s, const LangString *prefix);
uint8_t lang_str_ends_with(const LangString *s, const LangString *suffix);
int64_t lang_str_index_of(const LangString *s, const LangString *sub); /* -1 when absent */
LangString *lang_str_replace(LangContext *ctx, const LangString *s, const LangString *old, const LangString *with);
LangString *lang_str_to_upper(LangContext *ctx, const LangString *s);
LangString *lang_str_to_lower(LangContext *ctx, const LangString *s);
/* Interpolation formats (text_format.c): kind 'D', 'X', 'x' or 'F'; v sign- or
 * zero-extended from a `bits`-wide integer; digits < 0: the default. */
LangString *lang_str_format_int(LangContext *ctx, int64_t v, int64_t kind, int64_t digits, int64_t bits,
                                uint8_t is_signed);
LangString *lang_str_format_float(LangContext *ctx, double v, int64_t digits); /* F */
LangString *lang_str_pad(LangContext *ctx, const LangString *s, int64_t width); /* {v,width} */
/* StringBuilder: a handle counted with lang_str_retain/release (string.c, text.c). new
 * gives +1; append grows the buffer in place (amortized O(1)); to_string gives a +1 copy.
 * The buffer string is at offset 8 of the handle's data (sb.Length reads it inline). */
LangString *lang_sb_new(LangContext *ctx);
void lang_sb_append(LangContext *ctx, LangString *sb, const LangString *s);
LangString *lang_sb_to_string(LangContext *ctx, LangString *sb);
/* Reference counting (atomic: strings cross threads through channels and tasks). Both
 * accept NULL (a null string?) and static strings (refcount < 0) and then do nothing. */
void lang_str_retain(LangString *s);
void lang_str_release(LangString *s);

/* ---- arrays ---- */
LangArray *lang_array_new(LangContext *ctx, int64_t length, int64_t element_size); /* zeroed */
void lang_array_hold_gc(LangContext *ctx, LangArray *arr); /* its elements hold gc references */
/* The zero value of every array type (spec 3.6): length 0, read-only, shared, never freed.
 * new T[][n] and struct/tuple fields of array type start out pointing at it. */
extern const LangArray lang_empty_array;
/* A new array whose elements are a copy of length * element_size bytes at data (array
 * literals with constant elements: data is a read-only global made by the compiler). */
LangArray *lang_array_from_data(LangContext *ctx, int64_t length, int64_t element_size, const void *data);
void lang_array_free(LangContext *ctx, LangArray *a);

/* ---- objects ---- */
void *lang_obj_new(LangContext *ctx, const LangTypeInfo *type, int64_t size); /* zeroed, header filled */
void lang_obj_free(LangContext *ctx, void *obj);
void lang_obj_discard(LangContext *ctx, void *obj); /* memory only: a constructor that never ran */
void *lang_box_new(LangContext *ctx, int64_t size);   /* a recursive enum's box: its payload */
void lang_box_free(LangContext *ctx, void *payload);
void lang_obj_drop(LangContext *ctx, void *obj); /* an owner's drop: NULL and gc objects are left alone */
/* Closure records (closure.c): a new heap record of `size` bytes (header included) with
 * refcount 1, code and drop filled in; retain/release accept NULL and uncounted records. */
void *lang_closure_new(LangContext *ctx, int64_t size, void *code, void *drop);
void lang_fn_retain(void *record);
void lang_fn_release(LangContext *ctx, void *record);
void *lang_alloc(LangContext *ctx, int64_t size, int64_t align);
/* gc class objects (gc.c, gc.h): a zeroed object with its header filled, from the running
 * lightweight thread's gc heap (may collect first, unless ctx->gc_enabled is 0); the
 * exit of a `gc { }` block collects that heap (unless ctx->gc_enabled is 0). */
void *lang_gc_new(LangContext *ctx, const LangTypeInfo *type, int64_t size);
void lang_gc_collect(LangContext *ctx);
void lang_free(LangContext *ctx, void *p);

/* ---- panics: print the message and a stack trace, exit with status 101 ---- */
void lang_panic(const char *msg) __attribute__((noreturn));
void lang_panic_str(const LangString *msg) __attribute__((noreturn));
void lang_panic_bounds(int64_t index, int64_t length) __attribute__((noreturn));
void lang_panic_overflow(void) __attribute__((noreturn));
void lang_panic_divzero(void) __attribute__((noreturn));
void lang_panic_null(void) __attribute__((noreturn));
void lang_panic_assert(const char *file, int32_t line) __attribute__((noreturn));

/* ---- `lang test` (test.c; spec 12) ----
 * The lang_main of a test build calls begin (args: `--filter TEXT` selects the tests whose
 * name contains TEXT), run once per test block in declaration order, and returns end's
 * status. run starts code(ctx) on a new lightweight thread and waits for it; a panic in
 * that thread fails the test and ends the thread without unwinding it. A failure prints
 * "FILE:LINE: test "NAME" failed: MESSAGE"; end prints "N passed, N failed" and returns 1
 * when a test failed, else 0. */
void lang_test_begin(LangContext *ctx, LangArray *args);
void lang_test_run(LangContext *ctx, const char *name, const char *file, int32_t line, void (*code)(LangContext *));
int64_t lang_test_end(LangContext *ctx);
/* A failed assert in a test build. kind: 0 assert (a: its message or NULL), 1 assert_eq
 * (a, b: the two values as text), 2 assert_ne (a: the value), 3 assert_fails; plus 0x100
 * when the values are strings (shown quoted) or 0x200 when they are chars. Outside a
 * test's thread it panics as lang_panic_assert does. */
void lang_test_assert_failed(LangContext *ctx, const char *file, int32_t line, int32_t kind, const LangString *a,
                             const LangString *b) __attribute__((noreturn));

/* ---- errors as values (error.c; spec 10.3) ----
 * err is an instance of the prelude's Error class or a class deriving from it. */
void lang_error_fail(LangContext *ctx, void *err, LangString *location);  /* at `fail` */
void lang_error_trace(LangContext *ctx, void *err, LangString *location); /* `try` passing it on */
LangString *lang_error_name(LangContext *ctx, void *err);                 /* e.Name, +1 */
int64_t lang_error_report(LangContext *ctx, void *err);  /* escaped Main: prints it, returns 1 */
double lang_parse_f64(const LangString *s);              /* float.Parse of checked text */

/* ---- stack traces ----
 * The backend emits one LangFuncTable per object into the read-only section named
 * "lang_funcs" (a C identifier, so the linker defines __start_lang_funcs and
 * __stop_lang_funcs around the tables of all objects). A table is position independent:
 * `text` is the offset from the address of the field itself to the object's .text (one
 * PC-relative relocation per object), a row's `start` is an offset in that .text, and
 * `name`, `file` and `lines` are byte offsets from the table header. Rows are sorted by
 * `start`. A row's line table is `nlines` (offset, line) pairs in increasing offset order
 * (offset from the function's start), each stored as the ULEB128 offset increase and the
 * SLEB128 line change from the previous pair, the first from (0, 0). `size` (a multiple
 * of 8) is the whole table: header, rows, line tables, strings.
 * The runtime walks frame pointers (rbp chain) and symbolizes return addresses with the
 * tables; every compiled Lang function keeps a standard rbp frame.
 * LangFuncInfo is the decoded form of one row (absolute addresses; `lines` NULL, the
 * runtime decodes the line itself), also what a JIT loader registers with
 * lang_rt_register_funcs (with a sorted LangLine array). */
typedef struct LangLine {
    uint32_t offset;   /* byte offset from function start */
    uint32_t line;
} LangLine;
typedef struct LangFuncTable {
    int32_t text;      /* .text address minus the address of this field */
    uint32_t size;     /* bytes of the table, header included */
    uint32_t count;    /* rows following the header */
    uint32_t reserved; /* 0 */
} LangFuncTable;
typedef struct LangFuncRow {
    uint32_t start, size;   /* offset of the function in .text, and its length */
    uint32_t name, file;    /* NUL-terminated strings, offsets from the table header */
    uint32_t lines, nlines; /* LEB128 line table of nlines pairs, offset from the table header */
} LangFuncRow;
typedef struct LangFuncInfo {
    uint64_t start, end;
    const char *name;
    const char *file;
    const LangLine *lines;
    uint64_t nlines;
} LangFuncInfo;
void lang_print_stack_trace(void *frame_pointer, void *pc);
/* Adds a function table that is not in the `lang_funcs` section (a JIT loader's). */
void lang_rt_register_funcs(const LangFuncInfo *begin, const LangFuncInfo *end);

#ifdef __cplusplus
}
#endif
#endif
