/* alloc_arena.c: the Arena allocator: bump allocation in chunks, bulk free.
 *
 * Ownership tracking (LANGUAGE.md section 7): with tracking on, every allocation gets a
 * 16-byte header holding the index of a record {site, live}; free() clears `live` and
 * decrements the live count. Destroying or resetting the arena while allocations are
 * still live means some owner still holds an object from it: that panics with the count
 * and the site of the first live allocation (the first Lang frame on the stack when it
 * was made). Memory itself is only returned in bulk.
 *
 * Invariants: chunks is a singly linked list, newest first, and only the newest has
 * room that is handed out (older chunks are full or abandoned). live == number of
 * records with live = 1. Allocation belongs to one thread at a time (the one whose context
 * uses the arena); a free may come from any thread (an object sent away), so the tracking
 * records are updated under the runtime's LtLock.
 */
#include <stdio.h>
#include <string.h>
#include "lt_sched.h"
#include "rt_internal.h"

typedef struct Chunk {
    struct Chunk *next;
    size_t cap;      /* bytes in data; the newest chunk's room is the arena's [cur, end) */
    unsigned char data[];
} Chunk;

typedef struct Record {
    uintptr_t site;  /* return address in the allocating (Lang) frame */
    uint64_t live;
} Record;

typedef struct TrackHdr {
    uint64_t record;
    uint64_t magic;
} TrackHdr;

enum { kArenaMagic = 0x4152454eu, kDefaultChunk = 64 * 1024 };

struct LangArena {
    LangArenaHead head;        /* first: a LangArena* is a LangAllocator* (rt_internal.h) */
    LangAllocator *backing;
    size_t chunk_size;
    Chunk *chunks;
    size_t reserved;
    int64_t live;
    Record *records;
    size_t nrecords, caprecords;
    LtLock lock;               /* tracking only: an object may be freed on another thread */
    void *last;                /* most recent allocation (realloc in place) */
};

static Chunk *new_chunk(LangArena *a, size_t min_bytes) {
    size_t cap = a->chunk_size > min_bytes ? a->chunk_size : min_bytes;
    Chunk *c = a->backing->alloc(a->backing->procedure_data, sizeof(Chunk) + cap, 16);
    c->cap = cap;
    c->next = a->chunks;
    a->chunks = c;
    a->reserved += cap;
    a->head.cur = (uintptr_t)c->data;
    a->head.end = (uintptr_t)c->data + cap;
    return c;
}

static void add_record(LangArena *a, TrackHdr *h, uintptr_t site) {
    if (a->nrecords == a->caprecords) {
        size_t ncap = a->caprecords ? a->caprecords * 2 : 64;
        a->records = a->backing->realloc(a->backing->procedure_data, a->records,
                                         a->caprecords * sizeof(Record), ncap * sizeof(Record), 16);
        a->caprecords = ncap;
    }
    a->records[a->nrecords] = (Record){site, 1};
    h->record = a->nrecords++;
    h->magic = kArenaMagic;
    a->live++;
}

static void *bump(LangArena *a, size_t size, size_t align) {
    if (align < 16) align = 16;
    size_t hdr = a->head.track ? sizeof(TrackHdr) : 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (a->chunks) {
            uintptr_t p = (a->head.cur + hdr + align - 1) & ~(uintptr_t)(align - 1);
            if (p + size <= a->head.end) {
                a->head.cur = p + size;
                return (void *)p;
            }
        }
        new_chunk(a, size + hdr + align);
    }
    lang_panic("arena: allocation does not fit a fresh chunk");
}

void *lang_arena_alloc_proc(void *data, size_t size, size_t align) {
    LangArena *a = data;
    void *p = bump(a, size, align);
    if (a->head.track) {
        uintptr_t site = lang_rt_first_lang_pc(__builtin_frame_address(0), 8);
        lt_lock(&a->lock);
        add_record(a, (TrackHdr *)p - 1, site);
        lt_unlock(&a->lock);
    }
    a->last = p;
    return p;
}

void lang_arena_free_proc(void *data, void *ptr) {
    LangArena *a = data;
    if (!ptr || !a->head.track) return;
    TrackHdr *h = (TrackHdr *)ptr - 1;
    lt_lock(&a->lock);
    if (h->magic != kArenaMagic || h->record >= a->nrecords || !a->records[h->record].live) {
        lt_unlock(&a->lock);
        lang_panicf("arena: free of %p, which this arena does not hold live", ptr);
    }
    a->records[h->record].live = 0;
    a->live--;
    lt_unlock(&a->lock);
}

static void *arena_realloc(void *data, void *ptr, size_t old_size, size_t new_size, size_t align) {
    LangArena *a = data;
    if (!ptr) return lang_arena_alloc_proc(data, new_size, align);
    Chunk *c = a->chunks;
    if (ptr == a->last && c) { /* grow or shrink the newest allocation in place */
        uintptr_t base = (uintptr_t)c->data, p = (uintptr_t)ptr;
        if (p >= base && p + old_size == a->head.cur && p + new_size <= a->head.end) {
            a->head.cur = p + new_size;
            return ptr;
        }
    }
    void *n = lang_arena_alloc_proc(data, new_size, align);
    memcpy(n, ptr, old_size < new_size ? old_size : new_size);
    lang_arena_free_proc(data, ptr);
    return n;
}

int lang_alloc_is_arena(const LangAllocator *a) { return a && a->alloc == lang_arena_alloc_proc; }

LangArena *lang_arena_create(LangAllocator *backing, size_t chunk_size, int track_live) {
    if (!backing) backing = lang_default_allocator();
    LangArena *a = backing->alloc(backing->procedure_data, sizeof(LangArena), 16);
    memset(a, 0, sizeof *a);
    a->head.base = (LangAllocator){lang_arena_alloc_proc, arena_realloc, lang_arena_free_proc, a};
    a->backing = backing;
    a->chunk_size = chunk_size ? chunk_size : kDefaultChunk;
    a->head.track = track_live < 0 ? lang_rt_debug_checks : track_live != 0;
    return a;
}

LangAllocator *lang_arena_allocator(LangArena *a) { return &a->head.base; }
int64_t lang_arena_live_count(const LangArena *a) { return a->live; }
size_t lang_arena_reserved_bytes(const LangArena *a) { return a->reserved; }

int64_t lang_arena_check_live(const LangArena *a, char *msg, size_t cap) {
    if (a->live <= 0 || !msg || cap == 0) return a->live;
    uintptr_t site = 0;
    for (size_t i = 0; i < a->nrecords; i++)
        if (a->records[i].live) {
            site = a->records[i].site;
            break;
        }
    char where[256];
    lang_rt_describe_pc(site, 1, where, sizeof where);
    snprintf(msg, cap, "arena freed with %lld live allocation%s; first allocated at %s",
             (long long)a->live, a->live == 1 ? "" : "s", where);
    return a->live;
}

static void panic_if_live(const LangArena *a) {
    char msg[400];
    if (a->head.track && lang_arena_check_live(a, msg, sizeof msg) > 0)
        lang_panic_at(msg, __builtin_frame_address(0), 0);
}

void lang_arena_reset_unchecked(LangArena *a) {
    Chunk *keep = a->chunks;
    if (keep) {
        for (Chunk *c = keep->next, *next; c; c = next) {
            next = c->next;
            a->reserved -= c->cap;
            a->backing->free(a->backing->procedure_data, c);
        }
        keep->next = NULL;
        a->head.cur = (uintptr_t)keep->data;
        a->head.end = (uintptr_t)keep->data + keep->cap;
    }
    a->nrecords = 0;
    a->live = 0;
    a->last = NULL;
}

void lang_arena_reset(LangArena *a) {
    panic_if_live(a);
    lang_arena_reset_unchecked(a);
}

void lang_arena_destroy(LangArena *a) {
    if (!a) return;
    panic_if_live(a);
    lang_arena_reset_unchecked(a);
    LangAllocator *b = a->backing;
    if (a->chunks) b->free(b->procedure_data, a->chunks);
    if (a->records) b->free(b->procedure_data, a->records);
    b->free(b->procedure_data, a);
}
