/* alloc_temp.c: the temporary allocator: per-thread scratch memory, reset as a whole.
 *
 * A bump allocator over chunks whose positions are numbered continuously (a chunk's data
 * starts at logical position base_pos), so a mark is one number and reset_to(mark) pops
 * the chunks past it. free() only counts (the live count that Reset() from Lang checks);
 * realloc grows the newest allocation in place.
 * Each lightweight thread's context gets its own LangTemp (lang_context_init_*), which is
 * what "per thread" means here: nothing is shared, so nothing is locked.
 *
 * The LangTemp record itself is runtime bookkeeping of its thread, like the thread's
 * record and stack: it comes from malloc, not from the backing allocator, so a thread
 * still running when the program exits (its context never finished) shows up in no leak
 * report unless it used temp memory.
 *
 * Invariants: chunks is newest first; chunks->base_pos + chunks->used is the current
 * position; the oldest chunk has base_pos 0 and survives resets. Not thread-safe.
 */
#include <stdlib.h>
#include <string.h>
#include "rt_internal.h"

typedef struct TempChunk {
    struct TempChunk *next;
    size_t cap, used, base_pos;
    unsigned char data[];
} TempChunk;
_Static_assert(sizeof(TempChunk) % 16 == 0, "chunk data stays 16-byte aligned");

enum { kTempChunk = 64 * 1024 };

struct LangTemp {
    LangAllocator base;   /* first: a LangTemp* is a LangAllocator* */
    LangAllocator *backing;
    TempChunk *chunks;
    void *last;
    int64_t live;         /* allocations not freed yet: Reset() from Lang checks it is 0 */
};

static TempChunk *temp_new_chunk(LangTemp *t, size_t min_bytes) {
    size_t cap = min_bytes > kTempChunk ? min_bytes : kTempChunk;
    LangAllocator *b = t->backing;
    TempChunk *c = b->alloc(b->procedure_data, sizeof(TempChunk) + cap, 16);
    c->cap = cap;
    c->used = 0;
    c->base_pos = t->chunks ? t->chunks->base_pos + t->chunks->cap : 0;
    c->next = t->chunks;
    t->chunks = c;
    return c;
}

static void *temp_alloc(void *data, size_t size, size_t align) {
    LangTemp *t = data;
    if (align < 16) align = 16;
    TempChunk *c = t->chunks;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (c) {
            uintptr_t base = (uintptr_t)c->data;
            uintptr_t p = (base + c->used + align - 1) & ~(uintptr_t)(align - 1);
            if (p + size <= base + c->cap) {
                c->used = p + size - base;
                t->last = (void *)p;
                t->live++;
                return (void *)p;
            }
        }
        c = temp_new_chunk(t, size + align);
    }
    lang_panic("temp allocator: allocation does not fit a fresh chunk");
}

static void temp_free(void *data, void *ptr) {
    LangTemp *t = data;
    if (ptr) t->live--; /* the memory itself comes back at the next reset */
}

static void *temp_realloc(void *data, void *ptr, size_t old_size, size_t new_size, size_t align) {
    LangTemp *t = data;
    if (!ptr) return temp_alloc(data, new_size, align);
    TempChunk *c = t->chunks;
    uintptr_t base = (uintptr_t)c->data, p = (uintptr_t)ptr;
    if (ptr == t->last && p + old_size == base + c->used && p + new_size <= base + c->cap) {
        c->used = p + new_size - base;
        return ptr;
    }
    void *n = temp_alloc(data, new_size, align);
    memcpy(n, ptr, old_size < new_size ? old_size : new_size);
    t->live--; /* the old block is given up */
    return n;
}

int lang_alloc_is_temp(const LangAllocator *a) { return a && a->alloc == temp_alloc; }

LangTemp *lang_temp_create(LangAllocator *backing) {
    if (!backing) backing = lang_default_allocator();
    LangTemp *t = malloc(sizeof(LangTemp));
    if (!t) lang_panic("out of memory (temp allocator)");
    memset(t, 0, sizeof *t);
    t->base = (LangAllocator){temp_alloc, temp_realloc, temp_free, t};
    t->backing = backing;
    return t;
}

LangAllocator *lang_temp_allocator(LangTemp *t) { return &t->base; }

size_t lang_temp_mark(const LangTemp *t) { return t->chunks ? t->chunks->base_pos + t->chunks->used : 0; }
size_t lang_temp_used(const LangTemp *t) { return lang_temp_mark(t); }

void lang_temp_reset_to(LangTemp *t, size_t mark) {
    LangAllocator *b = t->backing;
    while (t->chunks && t->chunks->base_pos > mark && t->chunks->next) {
        TempChunk *c = t->chunks;
        t->chunks = c->next;
        b->free(b->procedure_data, c);
    }
    TempChunk *c = t->chunks;
    if (c && mark >= c->base_pos && mark - c->base_pos < c->used) c->used = mark - c->base_pos;
    else if (c && mark < c->base_pos) c->used = 0;
    t->last = NULL;
}

void lang_temp_reset(LangTemp *t) {
    lang_temp_reset_to(t, 0);
    t->live = 0;
}

void lang_temp_destroy(LangTemp *t) {
    if (!t) return;
    LangAllocator *b = t->backing;
    for (TempChunk *c = t->chunks, *next; c; c = next) {
        next = c->next;
        b->free(b->procedure_data, c);
    }
    free(t);
}

/* context.temp_allocator.Reset() from Lang: memory still owned (an object kept in a list
 * that outlives the reset) would be reused under its owner, so that panics, as releasing
 * an arena does (debug checks only, LANG_DEBUG=0 turns them off). */
void lang_context_temp_reset(LangContext *ctx) {
    LangAllocator *a = ctx->temp_allocator;
    if (lang_alloc_is_temp(a)) {
        LangTemp *t = (LangTemp *)a->procedure_data;
        if (lang_rt_debug_checks && t->live > 0)
            lang_panicf("temp allocator reset with %lld allocation%s made with it still owned", (long long)t->live,
                        t->live == 1 ? "" : "s");
        lang_temp_reset(t);
    }
    else if (lang_alloc_is_arena(a)) lang_arena_reset_unchecked((LangArena *)a->procedure_data);
}
