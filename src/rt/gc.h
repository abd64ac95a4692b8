/* gc.h: the cycle collector for `gc class` objects (gc.c), the runtime's C interface.
 *
 * Every lightweight thread has its own heap (LangGcHeap), made on its first gc
 * allocation and freed with everything in it when the thread ends: gc objects never
 * cross threads (sema rejects a gc reference in a spawn argument or channel element), so
 * a collection only ever looks at the running thread and never stops another one.
 *
 * A gc object is a GC block header (16 bytes, private to gc.c) followed by an ordinary
 * object (LangObjHeader, then the fields), so compiled code sees the same layout as for
 * any class instance. Its header's allocator is lang_gc_allocator(), whose free panics:
 * only the collector frees gc objects.
 *
 * Collection is mark-sweep. Roots: the words of the running thread's stack from the
 * collector's own frame up to the top of the stack (lang_rt_get_stack_bounds), after the
 * callee-saved registers were spilled into that frame (conservative: any word that points
 * into a gc object keeps it). Inside heap objects it is precise where the type info has a
 * field table (LangTypeInfo.fields; the compiler always emits it for gc classes): a
 * class, interface or nullable field is followed when its value is a gc object, a struct
 * or tuple field is walked through its own table, an array field's elements are scanned.
 * A type without a table is scanned word by word (still checked against the heap, so a
 * non-pointer can only keep an object alive, never crash).
 * A dead object runs its type's drop hook (the owned data it holds) when it has one;
 * without a hook the collector releases its string fields itself. All hooks of a
 * collection run before any dead object is freed, so a hook may still read other dead
 * objects; objects a hook allocates are live.
 *
 * Triggers: allocation volume (the heap may grow to live * (1 + LANG_GC/100) after a
 * collection, at least 4 MiB; LANG_GC=off: never by volume; default 100 like Go's GOGC),
 * and the exit of a `gc { }` block (lang_gc_collect). Never while ctx->gc_enabled is 0.
 * LANG_GC_STATS=1 prints the totals of all threads at exit (lang_gc_report).
 */
#ifndef LANG_GC_H
#define LANG_GC_H
#include <stddef.h>
#include <stdint.h>
#include "lang_rt.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct LangGcHeap LangGcHeap;

typedef struct LangGcStats {
    int64_t collections;
    int64_t pause_total_ns, pause_max_ns;
    int64_t objects, bytes;          /* live now (bytes: objects with their block headers) */
    int64_t peak_bytes;              /* the most bytes ever live at once */
    int64_t last_before, last_after; /* bytes before and after the last collection */
    int64_t freed_objects, freed_bytes;
} LangGcStats;

LangGcHeap *lang_gc_heap_create(void);
/* Frees every object (drop hooks first; ctx NULL: a default context is made for them)
 * and the heap. The caller must not use any of its objects afterwards. */
void lang_gc_heap_destroy(LangContext *ctx, LangGcHeap *h);
/* A zeroed object of `size` bytes (LangObjHeader included) with its header filled. Never
 * collects: that is lang_gc_new's choice. */
void *lang_gc_heap_alloc(LangGcHeap *h, const LangTypeInfo *type, int64_t size);
/* A collection of h with the calling thread's stack as the roots (h must be this
 * thread's heap). Ignores ctx->gc_enabled (lang_gc_collect honours it). */
void lang_gc_heap_collect(LangContext *ctx, LangGcHeap *h);
void lang_gc_heap_stats(const LangGcHeap *h, LangGcStats *out);
/* Owned memory (not in h) that holds references to h's objects: an array (is_array: its
 * elements are scanned) or an object with a field table. It is a root of h's collections
 * until unheld, unless one of h's objects owns it (names it in a field of class, nullable
 * class or array type, directly or through owned objects of LANG_TF_GC_DEEP classes). */
void lang_gc_heap_hold(LangGcHeap *h, void *p, int is_array);
void lang_gc_heap_unhold(LangGcHeap *h, void *p);
/* Whether p is the start of a live object of h. */
int lang_gc_heap_contains(const LangGcHeap *h, const void *p);

/* The running lightweight thread's heap (made on first use), and its end: called by the
 * scheduler when a thread's function has returned, while its stack is still there. */
LangGcHeap *lang_gc_current_heap(void);
void lang_gc_thread_exit(LangContext *ctx);
/* The allocator recorded in every gc object's header. */
LangAllocator *lang_gc_allocator(void);
/* LANG_GC_STATS=1: prints the totals of every heap so far to stderr (at exit). */
void lang_gc_report(void);

#ifdef __cplusplus
}
#endif
#endif
