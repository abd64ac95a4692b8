/* rt_internal.h: declarations shared between the runtime's own C files (never included by
 * compiled Lang code). The concurrency runtime (sched*, chan*, stack*) uses the hooks in
 * the "threads" section to tell the core runtime about stacks and worker threads.
 *
 * Invariants: everything here is internal ABI of liblangrt.a; compiled code only sees
 * lang_rt.h. Functions marked "async-signal" may be called from the fault handler.
 */
#ifndef LANG_RT_INTERNAL_H
#define LANG_RT_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include "lang_rt.h"
#include "lang_alloc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- debug checks ----
 * 1 (default) enables the checks the language calls "debug build" checks in the runtime:
 * arena live-allocation tracking. LANG_DEBUG=0 in the environment turns them off. */
extern int lang_rt_debug_checks;

/* ---- per-OS-thread counters (thread_stats.c) ----
 * Each OS thread updates only its own block (lang_stat_add: a plain load and store, no
 * locked instruction); lang_thread_stats_sum adds a field over every thread's block. */
typedef struct LangThreadStats {
    int64_t alloc_live, alloc_bytes, alloc_total; /* default allocator (alloc_default.c) */
    int64_t strings_live;                         /* built strings (string.c) */
    /* Short string blocks kept for reuse (string.c): by size class, a list and its length.
     * Dead strings, counted in strings_live and alloc_live until reused or freed, so the
     * readers of those counts subtract str_kept. */
    void *str_kept_head[4];
    int64_t str_kept[4];
    struct LangThreadStats *next;
} LangThreadStats;
extern __thread LangThreadStats *lang_this_thread_stats;
LangThreadStats *lang_thread_stats_register(void);
static inline LangThreadStats *lang_thread_stats(void) {
    LangThreadStats *t = lang_this_thread_stats;
    return t ? t : lang_thread_stats_register();
}
int64_t lang_thread_stats_sum(size_t field_offset);
static inline void lang_stat_add(int64_t *field, int64_t d) {
    __atomic_store_n(field, __atomic_load_n(field, __ATOMIC_RELAXED) + d, __ATOMIC_RELAXED);
}
#define LANG_STATS_SUM(field) lang_thread_stats_sum(offsetof(LangThreadStats, field))

/* ---- console (console.c) ---- */
void lang_console_init(void);                  /* detects a TTY on fd 1 (line buffering) */
void lang_console_flush(void);                 /* writes out the stdout buffer */
void lang_console_shared(void);                /* from now on other threads may write (lang_spawn) */
void lang_console_flush_on_panic(void);        /* like flush, but never blocks forever */
void lang_console_write_bytes(const char *p, size_t n);
void lang_stderr_write(const char *p, size_t n); /* unbuffered, async-signal */
void lang_stderr_puts(const char *s);            /* unbuffered, async-signal */

/* ---- float formatting (fmt_float.c) ----
 * Shortest round-trip text in C#'s style ("10", "0.1", "1E+21", "1E-07", "NaN",
 * "Infinity", "-Infinity", "-0"). Writes a NUL-terminated string into buf (at least
 * LANG_FMT_FLOAT_MAX bytes) and returns its length. */
#define LANG_FMT_FLOAT_MAX 40
int lang_fmt_f64(char *buf, double v);
int lang_fmt_f32(char *buf, float v);
/* Integer helpers: write decimal text into buf (>= 24 bytes), return the length. */
int lang_fmt_i64(char *buf, int64_t v);
int lang_fmt_u64(char *buf, uint64_t v);
/* A Duration's text ("1.5s", "2m3s", duration.c) into buf (>= LANG_FMT_DURATION_MAX bytes,
 * NUL-terminated); returns the length. */
#define LANG_FMT_DURATION_MAX 32
int lang_fmt_duration(char *buf, int64_t nanos);

/* ---- strings (string.c) ---- */
/* Builds a refcounted string (refcount 1) from bytes that must be valid UTF-8. */
LangString *lang_str_from_utf8(LangContext *ctx, const char *bytes, int64_t byte_length);
/* Like lang_str_from_utf8 for arbitrary bytes: invalid sequences become U+FFFD. */
LangString *lang_str_from_bytes_lossy(LangContext *ctx, const char *bytes, int64_t n);
/* The buffer slot of a StringBuilder handle (string.c; panics on anything else). */
LangString **lang_sb_slot(LangString *builder);
/* The static "" (refcount < 0). */
/* Frees the calling OS thread's recycled short-string blocks (string.c; at thread exit). */
void lang_str_cache_flush(void);
/* The blocks (bytes == 0) or their requested bytes that all threads keep for reuse. */
int64_t lang_str_kept_sum(int bytes);
/* Whether a default-allocator block is such a kept string block (the leak report skips it). */
int lang_str_block_is_kept(const void *block);
LangString *lang_str_empty(void);
/* Decodes one scalar of p[0..n) (n >= 1); invalid sequences are U+FFFD over one byte. */
uint32_t lang_utf8_decode(const char *p, int64_t n, int *len);
LangString *lang_str_from_cstring(LangContext *ctx, const char *p); /* a C string result; NULL stays NULL */
/* ffi.c: the context of Lang code entered from C (callback thunks, export "C" functions) */
void *lang_ffi_enter(LangContext *ctx);   /* around a C call that takes a callback: returns the previous one */
void lang_ffi_leave(void *previous);
LangContext *lang_ffi_ctx(void);          /* the entered context, else this OS thread's own root context */
void lang_ffi_return(LangContext *ctx);
void lang_ffi_flush(void);                /* console.c: before a C call, write out Lang's stdout buffer */   /* an export "C" function returns: flush stdout when entered from C */
/* Built strings not yet freed (the leak report's second line). */
int64_t lang_str_live_count(void);
/* Number of Unicode scalars in valid UTF-8 text. */
int64_t lang_utf8_count(const char *p, int64_t n);
/* Encodes c as UTF-8 into out[4]; invalid scalars become U+FFFD. Returns the byte count. */
int lang_utf8_encode(uint32_t c, char *out);

/* ---- context (context.c) ---- */
/* Fills a root context: default allocator, a fresh temp allocator, gc_enabled = 1. */
void lang_context_init_root(LangContext *ctx);
/* Fills a context for a new lightweight thread: the parent's allocator and logger, its
 * own temp allocator (temp allocators are per thread), gc_enabled copied. */
void lang_context_init_child(LangContext *ctx, const LangContext *parent);
/* Releases what init_* created (the temp allocator). */
void lang_context_fini(LangContext *ctx);
/* Type registration: collects the optional `lang_types` section (const LangTypeInfo*
 * entries) and any tables registered at run time; lookup by name for reflection. */
void lang_rt_types_init(void);
void lang_rt_register_types(const LangTypeInfo *const *begin, const LangTypeInfo *const *end);
const LangTypeInfo *lang_rt_type_by_name(const char *name);

/* ---- bootstrap pieces (context.c) ----
 * lang_rt_init: memory, console, type registration, fault handlers (idempotent).
 * lang_rt_make_args: string[] of argv[1..argc) (the program name is not included).
 * lang_rt_free_args: releases the strings and the array (the bootstrap owns args;
 * lang_main only borrows them). */
void lang_rt_init(void);
LangArray *lang_rt_make_args(LangContext *ctx, int argc, char **argv);
void lang_rt_free_args(LangContext *ctx, LangArray *args);
/* Flushes stdout, prints the leak report when LANG_LEAKS=1, and exits with the low 8 bits
 * of status. */
void lang_rt_exit(int64_t status) __attribute__((noreturn));

/* ---- threads and stacks (stacktrace.c) ----
 * The fault handler and the stack walker need the bounds of the stack the current OS
 * thread is running on. The bootstrap sets them for the main stack; the scheduler must
 * call lang_rt_set_stack_bounds when it switches an OS thread onto another lightweight
 * thread's stack (cheap: two thread-local stores). [guard_lo, lo) is the PROT_NONE guard
 * region below the stack (guard_lo == lo when there is none). */
void lang_rt_set_stack_bounds(uintptr_t guard_lo, uintptr_t lo, uintptr_t hi);
void lang_rt_get_stack_bounds(uintptr_t *guard_lo, uintptr_t *lo, uintptr_t *hi);
/* Installs the SIGSEGV/SIGBUS/SIGFPE handlers (once per process). */
void lang_rt_install_fault_handlers(void);
/* Gives the calling OS thread its own alternate signal stack; every OS thread that runs
 * Lang code (each scheduler worker) must call it once, before running Lang code. */
void lang_rt_thread_init_signals(void);

/* Symbolization with the compiler's function table. Returns NULL when pc is not in
 * compiled Lang code; *line gets the source line (0 when unknown). A row of `lang_funcs`
 * is returned decoded in a per-thread record, valid until the thread's next call. */
const LangFuncInfo *lang_rt_find_func(uintptr_t pc, uint32_t *line);
/* Walks the rbp chain from fp and returns the first return address that lies in Lang
 * code (looks at most max_frames frames), or the first return address when none does. */
uintptr_t lang_rt_first_lang_pc(void *fp, int max_frames);
/* After a fault handler gave up its thread (`lang test`, test.c): faults are handled again
 * and SIGSEGV/SIGBUS/SIGFPE are unblocked on the calling OS thread. */
void lang_rt_fault_reset(void);
/* Writes "Name (file:line)" or "0x..." for pc into buf; returns the length. */
int lang_rt_describe_pc(uintptr_t pc, int is_return_address, char *buf, size_t cap);

/* ---- panics (panic.c) ---- */
/* printf-style panic: "panic: <formatted>" + stack trace from the caller, exit 101. */
void lang_panicf(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Panic with a trace starting at frame fp / pc (pc == 0: start at fp's return address). */
void lang_panic_at(const char *msg, void *fp, uintptr_t pc) __attribute__((noreturn));

/* ---- `lang test` (test.c) ----
 * Called by lang_panic_at first: returns at once unless the running lightweight thread
 * runs a test, else records msg and where it happened as that test's failure and ends the
 * thread (never returns). */
void lang_test_catch_panic(const char *msg, void *fp, uintptr_t pc);

/* ---- allocators (alloc_default.c) ---- */
void lang_alloc_init(void);          /* reads LANG_LEAKS; idempotent */
int lang_alloc_leaks_enabled(void);
/* Prints "leak report: N allocations, M bytes still live" and one line per block. */
void lang_alloc_leak_report(void);
/* The default allocator's alloc and free called directly (alloc_default.c). */
void *lang_default_alloc(size_t size, size_t align);
void lang_default_free(void *ptr);
extern LangAllocator lang_default_allocator_record; /* what lang_default_allocator() returns */
int lang_alloc_is_arena(const LangAllocator *a);
/* Owned memory holding gc references, registered with the running thread's collector
 * (gc.c): an array (is_array) or an object of a LANG_TF_GC_ROOT class. */
void lang_gc_hold(void *p, int is_array);
void lang_gc_unhold(void *p);
/* The start of every arena (alloc_arena.c), so that making and dropping an object in an
 * untracked arena needs no call (object.c): the free room of the newest chunk is
 * [cur, end); `track` is the live-allocation bookkeeping (a free only counts then). */
typedef struct LangArenaHead {
    LangAllocator base;
    uintptr_t cur, end;
    int track;
} LangArenaHead;
void *lang_arena_alloc_proc(void *data, size_t size, size_t align);
void lang_arena_free_proc(void *data, void *ptr);
int lang_alloc_is_pool(const LangAllocator *a);
int lang_alloc_is_temp(const LangAllocator *a);

#ifdef __cplusplus
}
#endif
#endif
