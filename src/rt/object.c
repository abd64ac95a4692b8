/* object.c: class instances and raw allocation through the context.
 *
 * An object is a block of `size` bytes (the whole object, header included) from the
 * context allocator, zeroed, starting with LangObjHeader {type, allocator}. Dropping it
 * runs the type's drop hook (destructor, then field drops, emitted by the compiler) and
 * gives the block back to the allocator recorded in its header, which may differ from
 * the current context's (LANGUAGE.md section 6: "memory back to the allocator that made
 * it").
 *
 * Invariants: header.allocator is never NULL for a live object; alignment is at least 16
 * and at least type->alignment.
 */
#include <stdlib.h>
#include <string.h>
#include "rt_internal.h"

static LangAllocator *ctx_allocator(LangContext *ctx) {
    return ctx && ctx->allocator ? ctx->allocator : lang_default_allocator();
}

/* The fields after the header: a small object inline, 8 bytes at a time (a call to memset
 * costs more than the stores). The empty asm keeps the compiler from turning the loop back
 * into that call. */
static inline void zero_fields(LangObjHeader *h, size_t size) {
    char *f = (char *)(h + 1), *end = (char *)h + size;
    if (size > 256) {
        memset(f, 0, (size_t)(end - f));
        return;
    }
    for (; f + 8 <= end; f += 8) {
        __asm__("" : "+r"(f));
        *(uint64_t *)f = 0;
    }
    for (; f < end; f++) *f = 0;
}

void *lang_obj_new(LangContext *ctx, const LangTypeInfo *type, int64_t size) {
    if (size < (int64_t)sizeof(LangObjHeader)) size = sizeof(LangObjHeader);
    size_t align = 16;
    if (type && type->alignment > 16) align = (size_t)type->alignment;
    LangAllocator *a = ctx_allocator(ctx);
    LangObjHeader *h;
    if (a == &lang_default_allocator_record) {
        h = lang_default_alloc((size_t)size, align);
    } else if (a->alloc == lang_arena_alloc_proc && !((LangArenaHead *)a)->track && align == 16 &&
               ((((LangArenaHead *)a)->cur + 15) & ~(uintptr_t)15) + (uintptr_t)size <= ((LangArenaHead *)a)->end) {
        LangArenaHead *ar = (LangArenaHead *)a; /* an untracked arena with room: the bump inline */
        uintptr_t p = (ar->cur + 15) & ~(uintptr_t)15;
        ar->cur = p + (uintptr_t)size;
        h = (LangObjHeader *)p;
    } else {
        h = a->alloc(a->procedure_data, (size_t)size, align);
    }
    if (!h) lang_panicf("out of memory: object of %lld bytes", (long long)size);
    h->type = type;
    h->allocator = a;
    zero_fields(h, (size_t)size);
    if (type && (type->flags & LANG_TF_GC_ROOT)) lang_gc_hold(h, 0);
    return h;
}

/* The memory back to the allocator in the header (the default one called directly). */
static inline void obj_release(LangObjHeader *h) {
    const LangTypeInfo *t = h->type;
    if (t && (t->flags & LANG_TF_GC_ROOT)) lang_gc_unhold(h);
    LangAllocator *a = h->allocator;
    h->allocator = NULL;
    if (a == &lang_default_allocator_record) lang_default_free(h);
    else if (a->free != lang_arena_free_proc || ((LangArenaHead *)a)->track) a->free(a->procedure_data, h);
    /* (an untracked arena frees nothing one by one) */
}

/* The drop hook, then the memory. */
static inline void obj_free(LangContext *ctx, LangObjHeader *h) {
    if (!h->allocator) lang_panic("object freed twice (or not made by lang_obj_new)");
    const LangTypeInfo *t = h->type;
    if (t && t->drop) t->drop(ctx, h);
    obj_release(h);
}

void lang_obj_free(LangContext *ctx, void *obj) {
    if (obj) obj_free(ctx, obj);
}

/* `new C(args)` whose argument failed (a `try` that propagates): the object was allocated
 * first and is still all zero, so no hook runs, no destructor above all. */
void lang_obj_discard(LangContext *ctx, void *obj) {
    (void)ctx;
    if (obj) obj_release(obj);
}

/* Dropping an object drops what it owns from its drop hook, which calls lang_obj_drop
 * again: a chain of a million owned nodes would be a million nested native frames. So at
 * LANG_DROP_DEPTH nested drops (counted in the context, which every drop passes on) the
 * call that reached the limit installs a queue in the context; the drops the hooks below
 * it ask for wait there and that call drops them one by one, each at the same depth. The
 * objects one hook queued are reversed on the queue, so they are taken in the order the
 * hook named them, each one's own queued objects before the next: the same order as
 * recursion. A context copied for a block inside a hook (compiled code copies it) keeps
 * the depth and the queue. */
enum { LANG_DROP_DEPTH = 200 };

typedef struct DropQueue {
    LangObjHeader **items;
    int64_t len, cap;
    LangObjHeader *inline_items[64];
} DropQueue;

static void queue_drop(DropQueue *q, LangObjHeader *h) {
    if (q->len == q->cap) {
        int64_t cap = q->cap * 2;
        LangObjHeader **items = malloc((size_t)cap * sizeof *items);
        if (!items) lang_panic("out of memory (drop queue)");
        memcpy(items, q->items, (size_t)q->len * sizeof *items);
        if (q->items != q->inline_items) free(q->items);
        q->items = items;
        q->cap = cap;
    }
    q->items[q->len++] = h;
}

/* obj_free(h), then the objects its hook queued put in order on top of the queue. */
static void free_queued(LangContext *ctx, DropQueue *q, LangObjHeader *h) {
    int64_t from = q->len;
    obj_free(ctx, h);
    for (int64_t i = from, j = q->len - 1; i < j; i++, j--) {
        LangObjHeader *t = q->items[i];
        q->items[i] = q->items[j];
        q->items[j] = t;
    }
}

/* What compiled code calls when the owner of a class object or interface value drops it
 * (src/ir/lower_drop.cpp). An interface value may hold a gc class object: the collector
 * owns those. */
/* The depth limit reached without a queue: this call installs one and works it off (kept
 * out of lang_obj_drop, whose every call would otherwise set up the queue's frame). */
static __attribute__((noinline)) void drop_with_queue(LangContext *ctx, LangObjHeader *h) {
    ctx->drop_depth++;
    DropQueue q;
    q.items = q.inline_items;
    q.len = 0;
    q.cap = (int64_t)(sizeof q.inline_items / sizeof q.inline_items[0]);
    void *outer = ctx->drop_queue;
    ctx->drop_queue = &q;
    free_queued(ctx, &q, h);
    while (q.len > 0) free_queued(ctx, &q, q.items[--q.len]);
    if (q.items != q.inline_items) free(q.items);
    ctx->drop_queue = outer;
    ctx->drop_depth--;
}

void lang_obj_drop(LangContext *ctx, void *obj) {
    if (!obj) return;
    LangObjHeader *h = obj;
    if (h->type && (h->type->flags & LANG_TF_GC)) return;
    if (!ctx) {
        obj_free(ctx, h);
        return;
    }
    if (ctx->drop_depth >= LANG_DROP_DEPTH && ctx->drop_queue) {
        queue_drop(ctx->drop_queue, h);
        return;
    }
    if (ctx->drop_depth + 1 < LANG_DROP_DEPTH) {
        ctx->drop_depth++;
        obj_free(ctx, h);
        ctx->drop_depth--;
        return;
    }
    drop_with_queue(ctx, h);
}

/* A recursive enum's box (src/ir/lower_recenum.cpp): an object without type info whose
 * payload follows the header. The enum holds the payload's address; freeing goes back to
 * the allocator in the header, like an object's. */
void *lang_box_new(LangContext *ctx, int64_t size) {
    return (LangObjHeader *)lang_obj_new(ctx, NULL, size + (int64_t)sizeof(LangObjHeader)) + 1;
}

void lang_box_free(LangContext *ctx, void *payload) {
    if (payload) obj_free(ctx, (LangObjHeader *)payload - 1);
}

void *lang_alloc(LangContext *ctx, int64_t size, int64_t align) {
    if (size < 0) lang_panicf("negative allocation size %lld", (long long)size);
    LangAllocator *a = ctx_allocator(ctx);
    void *p = a->alloc(a->procedure_data, (size_t)size, align > 0 ? (size_t)align : 16);
    if (!p) lang_panicf("out of memory: allocation of %lld bytes", (long long)size);
    return p;
}

void lang_free(LangContext *ctx, void *p) {
    if (!p) return;
    LangAllocator *a = ctx_allocator(ctx);
    a->free(a->procedure_data, p);
}
