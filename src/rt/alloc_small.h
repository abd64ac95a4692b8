/* alloc_small.h: the small-block engine under the default allocator (alloc_small.c).
 *
 * Blocks of up to kSmallMax bytes (the allocator's header included) come from 64 KiB pages,
 * each page holding blocks of one size class (multiples of 16 bytes). Every OS thread owns
 * a heap: per class a current page and a list of its other pages that have free blocks.
 * A page keeps its own LIFO free list and a bump pointer over blocks never handed out yet,
 * so a page is touched only as far as it is used. The page of a block is found by masking
 * its address (pages are 64 KiB aligned).
 *
 * The fast paths below (a pop from the current page, a push onto a page of this thread's
 * heap) are inline; everything else (a new page, a page becoming empty, a block freed by
 * another OS thread than the one whose heap owns its page) is in alloc_small.c.
 *
 * Invariants: a page is owned by one heap at a time and only that heap's OS thread
 * touches its free list, bump pointer and count; other threads push freed blocks onto the
 * owning heap's atomic remote list, which the owner drains when it needs a block. Runtime
 * C code is never preempted, so a lightweight thread stays on one OS thread while it is
 * in here.
 */
#ifndef LANG_ALLOC_SMALL_H
#define LANG_ALLOC_SMALL_H
#include <stddef.h>
#include <stdint.h>

enum {
    kSmallPageSize = 64 * 1024,
    kSmallMax = 512,                    /* biggest block (header included) kept in pages */
    kSmallClasses = kSmallMax / 16,     /* class c holds blocks of (c + 1) * 16 bytes */
};

typedef struct SmallFree { struct SmallFree *next; } SmallFree;
#ifdef __cplusplus
extern "C" {
#endif
struct SmallHeap;

/* At the start of every page (64 bytes, the blocks follow). */
typedef struct SmallPage {
    struct SmallHeap *heap;             /* owner; NULL while the page is unassigned */
    SmallFree *free;                    /* freed blocks of this page (LIFO) */
    char *bump, *end;                   /* blocks never handed out: [bump, end) */
    uint32_t used;                      /* blocks handed out and not freed (locally) */
    uint16_t block;                     /* block size in bytes */
    uint8_t cls, in_avail;              /* class; on the heap's avail list of its class */
    struct SmallPage *prev, *next;      /* avail list, or the lists of empty pages */
    uint64_t reserved;
} SmallPage;
#ifndef __cplusplus
_Static_assert(sizeof(SmallPage) == 64, "page header keeps blocks 16-byte aligned");
#endif

typedef struct SmallHeap {
    SmallPage *cur[kSmallClasses];      /* the page blocks are taken from (a sentinel when none) */
    SmallPage *avail[kSmallClasses];    /* other pages with room, by class (doubly linked) */
    SmallFree *remote;                  /* atomic: blocks other OS threads freed (pushed, drained whole) */
    SmallPage *empty;                   /* empty pages kept resident, for any class */
    size_t n_empty, n_pages;            /* their count; pages assigned to classes */
    struct SmallHeap *next_orphan;      /* on the list of heaps whose thread exited */
} SmallHeap;

extern __thread SmallHeap *lang_small_heap;

static inline SmallPage *lang_small_page_of(void *block) {
    return (SmallPage *)((uintptr_t)block & ~(uintptr_t)(kSmallPageSize - 1));
}

/* Slow paths (alloc_small.c). */
void *lang_small_alloc_slow(size_t cls);
void lang_small_free_slow(SmallPage *p, void *block);

/* A block from page p: its free list first, then its bump pointer; NULL when it is full. */
static inline void *lang_small_page_take(SmallPage *p) {
    SmallFree *b = p->free;
    if (b) {
        p->free = b->next;
        p->used++;
        return b;
    }
    if (p->bump < p->end) {
        char *r = p->bump;
        p->bump = r + p->block;
        p->used++;
        return r;
    }
    return NULL;
}

/* A block of class cls (16-byte aligned, (cls + 1) * 16 bytes). */
static inline void *lang_small_alloc(size_t cls) {
    SmallHeap *h = lang_small_heap;
    if (__builtin_expect(h != NULL, 1)) {
        void *r = lang_small_page_take(h->cur[cls]);
        if (r) return r;
    }
    return lang_small_alloc_slow(cls);
}

/* Gives back a block lang_small_alloc returned (from any OS thread). */
static inline void lang_small_free(void *block) {
    SmallPage *p = lang_small_page_of(block);
    SmallHeap *h = lang_small_heap;
    if (__builtin_expect(p->heap == h && h != NULL, 1) && p->used > 1 && (p->in_avail || p == h->cur[p->cls])) {
        SmallFree *b = (SmallFree *)block;
        b->next = p->free;
        p->free = b;
        p->used--;
        return;
    }
    lang_small_free_slow(p, block);
}

/* Pages the calling thread's heap holds: in use by a class, and kept empty (for tests). */
void lang_small_heap_counts(size_t *in_use, size_t *empty);
#ifdef __cplusplus
}
#endif
#endif
