/* gc.c: the per-lightweight-thread mark-sweep collector for `gc class` objects.
 * Design, roots, triggers and statistics: gc.h.
 *
 * Layout of a gc object:  [GcBlock: next, size|mark] [LangObjHeader] [fields ...]
 * Small objects (block and object up to 2 KiB) live in chunks of 256 KiB aligned to their
 * size (mmap), each chunk holding blocks of one size class (multiples of 16 bytes) carved
 * by a bump counter; freed blocks go on the heap's free list of their class. So "does this
 * word point into a gc object, and which" is: round down to the chunk, find the chunk in
 * the heap's direct-mapped chunk index (or, after a collision, its sorted chunk table),
 * divide. Memory malloc gave out (and a stale pointer to it)
 * never aliases a small gc object. Larger objects are malloc'd one by one, listed, and
 * sorted into a table at each collection. Marking uses an explicit mark stack (deep lists
 * never recurse); fields of reference type (LANG_TF_REF) are pushed unexamined with a
 * prefetch and examined when popped. Sweeping walks every chunk, frees the dead objects
 * that have nothing to drop at once, then runs the other dead objects' drop hooks, then
 * frees those.
 *
 * Invariants: only the thread that owns a heap touches it (runtime C code is never
 * preempted, and gc objects never cross threads); the mark bit is 0 on every block
 * outside a collection; a small block is free exactly when its size_mark is 0 (and then
 * on its class's free list); h->collecting is 1 while hooks run (no nested collection).
 * Destroying a heap runs the hooks of what is left, and of what those hooks allocate, for
 * at most 8 rounds (a hook that always allocates cannot keep a thread from ending).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include "gc.h"
#include "lt_sched.h"
#include "rt_internal.h"

typedef struct GcBlock {
    struct GcBlock *next;
    uint64_t size_mark;            /* object bytes << 1 | mark */
} GcBlock;
_Static_assert(sizeof(GcBlock) == 16, "gc objects stay 16-byte aligned");

static inline LangObjHeader *obj_of(GcBlock *b) { return (LangObjHeader *)(b + 1); }
static inline GcBlock *block_of(void *o) { return (GcBlock *)o - 1; }
static inline uint64_t block_size(const GcBlock *b) { return b->size_mark >> 1; }

enum {
    kChunkShift = 18,
    kChunkSize = 1 << kChunkShift,   /* 256 KiB, aligned to its size */
    kChunkHeader = 64,               /* GcChunk, then the blocks */
    kMaxSmall = 2048,                /* the largest block (GcBlock included) in chunks */
    kClasses = kMaxSmall / 16,
    kIndexSize = 4096,               /* direct-mapped chunk index: 1 GiB of chunks without collisions */
    kPlainCache = 64,                /* direct-mapped cache of types without drops */
};

typedef struct GcChunk {
    struct GcChunk *next;            /* the heap's chunks */
    uint32_t block;                  /* bytes per block (a multiple of 16) */
    uint32_t count;                  /* blocks carved so far */
    uint32_t capacity;               /* blocks that fit */
    uint32_t cls;                    /* block / 16 - 1 */
    uint32_t recip;                  /* 2^32 / block, rounded up: offset / block without a divide */
} GcChunk;
_Static_assert(sizeof(GcChunk) <= kChunkHeader, "chunk header");

struct LangGcHeap {
    GcChunk *chunks;
    GcChunk **chunk_table;           /* sorted by address */
    GcChunk *chunk_index[kIndexSize]; /* a chunk at slot (address >> kChunkShift) % kIndexSize,
                                         unless another took the slot first (then: the table) */
    int64_t nchunks, chunk_cap;
    GcChunk *current[kClasses];      /* the chunk each class carves from */
    GcBlock *free_list[kClasses];    /* freed blocks (size_mark 0), linked through next */
    GcBlock *large;                  /* malloc'd big objects, linked through next */
    int64_t nlarge;
    int64_t objects, bytes;
    int64_t next_gc;                 /* collect when bytes would pass this */
    int collecting;
    LangGcStats st;
    /* collection scratch (kept between collections) */
    GcBlock **large_table;           /* the big objects sorted by address */
    int64_t large_len, large_cap;
    uintptr_t large_lo, large_hi;
    GcBlock *plain_head[kClasses];   /* dead blocks with nothing to drop, freed by take_dead: */
    GcBlock *plain_tail[kClasses];   /*   they join the free lists after the hooks ran */
    const LangTypeInfo *plain_types[kPlainCache]; /* types known to need no drop_object */
    uintptr_t *held;                 /* owned blocks holding gc references: an open-addressing set
                                        of addresses | kHeldArray | kHeldOwned (see "owned blocks") */
    int64_t nheld, held_cap;
    void **stack;                    /* mark stack: objects whose fields are still to scan */
    int64_t stack_len, stack_cap;
};

static inline GcChunk *chunk_of(const void *p) { return (GcChunk *)((uintptr_t)p & ~(uintptr_t)(kChunkSize - 1)); }
static inline GcBlock *chunk_block(GcChunk *c, uint32_t i) {
    return (GcBlock *)((char *)c + kChunkHeader + (size_t)i * c->block);
}

enum { kMinHeap = 4 << 20 };

/* ---- settings and process-wide statistics ---- */
static int gc_percent = -2;        /* -2: not read; -1: off */
static int stats_enabled;
static pthread_mutex_t totals_lock = PTHREAD_MUTEX_INITIALIZER; /* guards totals */
static LangGcStats totals;

static void read_settings(void) {
    if (__atomic_load_n(&gc_percent, __ATOMIC_ACQUIRE) != -2) return;
    const char *s = getenv("LANG_GC_STATS");
    stats_enabled = s && s[0] == '1';
    const char *e = getenv("LANG_GC");
    int pct = 100;
    if (e && strcmp(e, "off") == 0) pct = -1;
    else if (e && *e) {
        char *end;
        long v = strtol(e, &end, 10);
        if (*end == 0 && v >= 0 && v <= 100000) pct = (int)v;
    }
    __atomic_store_n(&gc_percent, pct, __ATOMIC_RELEASE);
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void set_next_gc(LangGcHeap *h) {
    if (gc_percent < 0) {
        h->next_gc = INT64_MAX;
        return;
    }
    int64_t goal = h->bytes + h->bytes / 100 * gc_percent;
    h->next_gc = goal < kMinHeap ? kMinHeap : goal;
}

/* ---- the gc allocator: what a gc object's header names ---- */
static void *gc_alloc_fn(void *data, size_t size, size_t align) {
    (void)data, (void)size, (void)align;
    lang_panic("the gc heap allocates only gc class objects");
}
static void gc_free_fn(void *data, void *ptr) {
    (void)data, (void)ptr;
    lang_panic("a gc object is freed only by the collector");
}
static LangAllocator gc_allocator = {gc_alloc_fn, NULL, gc_free_fn, NULL};
LangAllocator *lang_gc_allocator(void) { return &gc_allocator; }

/* ---- heap ---- */
LangGcHeap *lang_gc_heap_create(void) {
    read_settings();
    LangGcHeap *h = calloc(1, sizeof *h);
    if (!h) lang_panic("out of memory (gc heap)");
    set_next_gc(h);
    return h;
}

static GcChunk *new_chunk(LangGcHeap *h, uint32_t cls) {
    char *raw = mmap(NULL, 2 * (size_t)kChunkSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) lang_panic("out of memory (gc heap chunk)");
    uintptr_t base = ((uintptr_t)raw + kChunkSize - 1) & ~(uintptr_t)(kChunkSize - 1);
    if (base > (uintptr_t)raw) munmap(raw, base - (uintptr_t)raw);
    uintptr_t end = (uintptr_t)raw + 2 * (size_t)kChunkSize;
    if (end > base + kChunkSize) munmap((void *)(base + kChunkSize), end - (base + kChunkSize));
    GcChunk *c = (GcChunk *)base;
    c->block = (cls + 1) * 16;
    c->cls = cls;
    c->count = 0;
    c->capacity = (kChunkSize - kChunkHeader) / c->block;
    c->recip = (uint32_t)((((uint64_t)1 << 32) + c->block - 1) / c->block);
    c->next = h->chunks;
    h->chunks = c;
    if (h->nchunks == h->chunk_cap) {
        int64_t cap = h->chunk_cap ? h->chunk_cap * 2 : 16;
        GcChunk **t = realloc(h->chunk_table, (size_t)cap * sizeof *t);
        if (!t) lang_panic("out of memory (gc chunk table)");
        h->chunk_table = t;
        h->chunk_cap = cap;
    }
    int64_t at = h->nchunks; /* insertion keeps the table sorted */
    while (at > 0 && (uintptr_t)h->chunk_table[at - 1] > base) {
        h->chunk_table[at] = h->chunk_table[at - 1];
        at--;
    }
    h->chunk_table[at] = c;
    h->nchunks++;
    GcChunk **slot = &h->chunk_index[(base >> kChunkShift) % kIndexSize];
    if (!*slot) *slot = c;
    h->current[cls] = c;
    return c;
}

void *lang_gc_heap_alloc(LangGcHeap *h, const LangTypeInfo *type, int64_t size) {
    if (size < (int64_t)sizeof(LangObjHeader)) size = sizeof(LangObjHeader);
    if (size > ((int64_t)1 << 40)) lang_panicf("out of memory: gc object of %lld bytes", (long long)size);
    size = (size + 15) & ~(int64_t)15;
    if (type && type->alignment > 16) lang_panic("gc class objects with alignment above 16 are not supported");
    size_t need = sizeof(GcBlock) + (size_t)size;
    GcBlock *b;
    if (need <= kMaxSmall) {
        uint32_t cls = (uint32_t)(need / 16 - 1);
        b = h->free_list[cls];
        if (b) {
            h->free_list[cls] = b->next;
        } else {
            GcChunk *c = h->current[cls];
            if (!c || c->count == c->capacity) c = new_chunk(h, cls);
            b = chunk_block(c, c->count++);
        }
        h->bytes += (int64_t)(cls + 1) * 16;
    } else {
        b = malloc(need); /* malloc aligns to 16 */
        if (!b) lang_panicf("out of memory: gc object of %lld bytes", (long long)size);
        b->next = h->large;
        h->large = b;
        h->nlarge++;
        h->bytes += (int64_t)need;
    }
    memset(b + 1, 0, (size_t)size);
    b->size_mark = (uint64_t)size << 1;
    h->objects++;
    if (h->bytes > h->st.peak_bytes) h->st.peak_bytes = h->bytes;
    LangObjHeader *o = obj_of(b);
    o->type = type;
    o->allocator = &gc_allocator;
    return o;
}

/* Bytes a live block takes from the heap (its class size, or header and object). */
static uint64_t block_bytes(const GcBlock *b) {
    return block_size(b) + sizeof(GcBlock) > kMaxSmall ? block_size(b) + sizeof(GcBlock) : chunk_of(b)->block;
}

/* ---- marking ---- */
static int cmp_blocks(const void *a, const void *b) {
    uintptr_t x = (uintptr_t) * (GcBlock *const *)a, y = (uintptr_t) * (GcBlock *const *)b;
    return x < y ? -1 : x > y;
}

/* The big objects sorted by address, for find_block. */
static void build_large_table(LangGcHeap *h) {
    if (h->large_cap < h->nlarge) {
        int64_t cap = h->nlarge + h->nlarge / 2 + 16;
        GcBlock **t = realloc(h->large_table, (size_t)cap * sizeof *t);
        if (!t) lang_panic("out of memory (gc table)");
        h->large_table = t;
        h->large_cap = cap;
    }
    int64_t n = 0;
    for (GcBlock *b = h->large; b; b = b->next) h->large_table[n++] = b;
    h->large_len = n;
    qsort(h->large_table, (size_t)n, sizeof *h->large_table, cmp_blocks);
    h->large_lo = n ? (uintptr_t)h->large_table[0] : 0;
    h->large_hi = n ? (uintptr_t)h->large_table[n - 1] + block_size(h->large_table[n - 1]) + sizeof(GcBlock) : 0;
}

static inline int holds(const GcBlock *b, uintptr_t p) {
    uintptr_t start = (uintptr_t)obj_of((GcBlock *)b);
    return p >= start && p < start + block_size(b);
}

/* The live small block whose object holds address p (its header or any field), or NULL. */
static inline GcBlock *block_at(GcChunk *ch, uintptr_t p) {
    uintptr_t off = p - (uintptr_t)ch;
    if (off < kChunkHeader) return NULL;
    /* (off - kChunkHeader) / ch->block: exact, as off < 2^18 and block <= 2^11 leave the
     * rounding error of recip below 1/block */
    uint32_t i = (uint32_t)(((off - kChunkHeader) * (uint64_t)ch->recip) >> 32);
    if (i >= ch->count) return NULL;
    GcBlock *b = chunk_block(ch, i);
    return b->size_mark && holds(b, p) ? b : NULL;
}

static GcBlock *find_small(const LangGcHeap *h, uintptr_t p) {
    uintptr_t base = p & ~(uintptr_t)(kChunkSize - 1);
    GcChunk *hit = h->chunk_index[(base >> kChunkShift) % kIndexSize];
    if (hit && (uintptr_t)hit == base) return block_at(hit, p);
    if (h->nchunks) {
        int64_t lo = 0, hi = h->nchunks - 1;
        if (base >= (uintptr_t)h->chunk_table[0] && base <= (uintptr_t)h->chunk_table[hi])
            while (lo <= hi) {
                int64_t mid = lo + (hi - lo) / 2;
                uintptr_t c = (uintptr_t)h->chunk_table[mid];
                if (c == base) return block_at(h->chunk_table[mid], p);
                if (c < base) lo = mid + 1;
                else hi = mid - 1;
            }
    }
    return NULL;
}

/* The live block whose object holds address p, or NULL (big objects: as of the last
 * build_large_table). */
static GcBlock *find_block(const LangGcHeap *h, uintptr_t p) {
    GcBlock *b = find_small(h, p);
    if (b) return b;
    if (p < h->large_lo || p >= h->large_hi) return NULL;
    int64_t lo = 0, hi = h->large_len - 1, found = -1;
    while (lo <= hi) { /* the last big block starting at or below p */
        int64_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)h->large_table[mid] <= p) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    if (found < 0) return NULL;
    b = h->large_table[found];
    return holds(b, p) ? b : NULL;
}

static void push(LangGcHeap *h, void *o) {
    if (h->stack_len == h->stack_cap) {
        int64_t cap = h->stack_cap ? h->stack_cap * 2 : 256;
        void **s = realloc(h->stack, (size_t)cap * sizeof *s);
        if (!s) lang_panic("out of memory (gc mark stack)");
        h->stack = s;
        h->stack_cap = cap;
    }
    h->stack[h->stack_len++] = o;
}

static inline void mark_word(LangGcHeap *h, uintptr_t w) {
    if (w < 4096) return; /* null and small numbers */
    GcBlock *b = find_block(h, w);
    if (!b || (b->size_mark & 1)) return;
    b->size_mark |= 1;
    push(h, (char *)obj_of(b) + 1); /* tagged: already marked */
}

/* A word that is null or points at an object's header (a field of a class, interface or
 * nullable reference type): no address lookup. It is pushed unexamined and its memory
 * prefetched; mark_all reads its header (is it gc? marked?) a few objects later, when the
 * line has arrived, instead of waiting for the miss here. */
static inline void mark_ref(LangGcHeap *h, uintptr_t w) {
    if (!w) return;
    __builtin_prefetch((const char *)w - sizeof(GcBlock), 1);
    push(h, (void *)w);
}

static void mark_range(LangGcHeap *h, const void *from, size_t bytes) {
    const uintptr_t *p = (const uintptr_t *)(((uintptr_t)from + 7) & ~(uintptr_t)7);
    const uintptr_t *end = (const uintptr_t *)((uintptr_t)from + bytes);
    for (; p + 1 <= end; p++) mark_word(h, *p);
}

static void scan_value(LangGcHeap *h, const char *p, const LangTypeInfo *t, int depth);

/* The fields of a struct, tuple, payload enum or class value at p, by its field table. */
static void scan_fields(LangGcHeap *h, const char *p, const LangTypeInfo *t, int depth) {
    for (int64_t i = 0; i < t->field_count; i++) {
        const LangFieldInfo *f = &t->fields[i];
        if (f->type) scan_value(h, p + f->offset, f->type, depth + 1);
    }
}

static void scan_value(LangGcHeap *h, const char *p, const LangTypeInfo *t, int depth) {
    switch (t->kind) {
    case LANG_TK_CLASS:
    case LANG_TK_INTERFACE: mark_ref(h, *(const uintptr_t *)p); return;
    case LANG_TK_STRUCT:
    case LANG_TK_TUPLE:
    case LANG_TK_ENUM:
        if (t->fields && t->field_count > 0 && depth < 64) scan_fields(h, p, t, depth);
        else if (t->size > 8 || t->kind != LANG_TK_ENUM) mark_range(h, p, (size_t)t->size);
        return;
    case LANG_TK_ARRAY: { /* an array the object owns: its elements */
        const LangArray *a = *(const LangArray *const *)p;
        if (a && a != &lang_empty_array && a->length > 0)
            mark_range(h, a->data, (size_t)(a->length * a->element_size));
        return;
    }
    case LANG_TK_NULLABLE:
        if (t->flags & LANG_TF_REF) {
            mark_ref(h, *(const uintptr_t *)p);
            return;
        }
        /* fall through */
    case LANG_TK_FUNCTION:
    case LANG_TK_FALLIBLE:
    case LANG_TK_POINTER: mark_range(h, p, (size_t)(t->size > 0 ? t->size : 8)); return;
    default: return; /* numbers, bool, char, string, handles: never a gc reference */
    }
}

/* An owned object (not in the gc heap) that a gc object's field or a held block names:
 * its fields, when its class owns gc references somewhere. */
static void scan_owned(LangGcHeap *h, LangObjHeader *o) {
    const LangTypeInfo *t = o->type;
    if (t && (t->flags & LANG_TF_GC_DEEP) && t->fields && t->field_count > 0) scan_fields(h, (const char *)o, t, 0);
}

static void scan_object(LangGcHeap *h, LangObjHeader *o) {
    const LangTypeInfo *t = o->type;
    const char *p = (const char *)o;
    if (t && t->fields && t->field_count > 0) scan_fields(h, p, t, 0);
    else mark_range(h, p + sizeof(LangObjHeader), block_size(block_of(o)) - sizeof(LangObjHeader));
}

/* Scans [sp, stack top) of the running thread. noinline: its frame is below the spilled
 * registers of lang_gc_heap_collect. */
__attribute__((noinline)) static void mark_stack(LangGcHeap *h) {
    uintptr_t guard_lo, lo, hi;
    lang_rt_get_stack_bounds(&guard_lo, &lo, &hi);
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (!hi || sp < lo || sp >= hi) lang_panic("gc: the stack bounds of this thread are unknown");
    mark_range(h, (const void *)sp, hi - sp);
}

/* Scans the objects on the mark stack until it is empty. An entry with the low bit set
 * was marked by mark_word; a plain one comes from mark_ref and is marked here unless it is
 * not a gc object or was marked already. Entries pass through a small FIFO on the way, so
 * each one's prefetch has a few objects' time to complete. */
static void mark_all(LangGcHeap *h) {
    enum { kAhead = 8 };
    void *ring[kAhead];
    unsigned head = 0, n = 0;
    for (;;) {
        while (n < kAhead && h->stack_len > 0) {
            void *o = h->stack[--h->stack_len];
            __builtin_prefetch((const char *)((uintptr_t)o & ~(uintptr_t)1) - sizeof(GcBlock), 1);
            ring[(head + n++) % kAhead] = o;
        }
        if (n == 0) return;
        uintptr_t o = (uintptr_t)ring[head];
        head = (head + 1) % kAhead;
        n--;
        if (o & 1) {
            o &= ~(uintptr_t)1;
        } else {
            if (((const LangObjHeader *)o)->allocator != &gc_allocator) { /* an owned object */
                scan_owned(h, (LangObjHeader *)o);
                continue;
            }
            GcBlock *b = block_of((void *)o);
            if (b->size_mark & 1) continue;
            b->size_mark |= 1;
        }
        scan_object(h, (LangObjHeader *)o);
    }
}

/* ---- owned blocks ----
 * Memory that is not in the gc heap but holds gc references: arrays made by
 * lang_array_hold_gc and objects of LANG_TF_GC_ROOT classes, registered in h->held from
 * their creation to their free. Such a block is a root of the collection unless a gc
 * object owns it (a GNode's List<GNode> of edges): then it is scanned only if that gc
 * object is reached, so cycles through owned lists are collected. Which ones gc objects
 * own is found before marking by walking the owned fields of every gc object in the heap
 * (claim_*: through owned objects of LANG_TF_GC_DEEP classes, not into the elements of
 * owned arrays, so a block held inside an array of owned objects stays a root: safe,
 * but a cycle through it is not collected). */
enum { kHeldArray = 1, kHeldOwned = 2 };

static inline uint64_t held_hash(uintptr_t p) { return (uint64_t)(p >> 4) * 0x9E3779B97F4A7C15ull; }

static void held_insert(LangGcHeap *h, uintptr_t v) {
    uint64_t mask = (uint64_t)h->held_cap - 1;
    uint64_t i = held_hash(v & ~(uintptr_t)3) & mask;
    while (h->held[i]) i = (i + 1) & mask;
    h->held[i] = v;
}

static int64_t held_find(const LangGcHeap *h, uintptr_t p) {
    if (!h->held_cap) return -1;
    uint64_t mask = (uint64_t)h->held_cap - 1;
    for (uint64_t i = held_hash(p) & mask; h->held[i]; i = (i + 1) & mask)
        if ((h->held[i] & ~(uintptr_t)3) == p) return (int64_t)i;
    return -1;
}

void lang_gc_hold(void *p, int is_array) { lang_gc_heap_hold(lang_gc_current_heap(), p, is_array); }

void lang_gc_unhold(void *p) {
    LangThread *t = lt_current();
    if (t && t->gc_heap) lang_gc_heap_unhold(t->gc_heap, p);
}

void lang_gc_heap_hold(LangGcHeap *h, void *p, int is_array) {
    if ((h->nheld + 1) * 2 > h->held_cap) {
        uintptr_t *old = h->held;
        int64_t old_cap = h->held_cap;
        h->held_cap = old_cap ? old_cap * 2 : 64;
        h->held = calloc((size_t)h->held_cap, sizeof *h->held);
        if (!h->held) lang_panic("out of memory (gc held blocks)");
        for (int64_t i = 0; i < old_cap; i++)
            if (old[i]) held_insert(h, old[i]);
        free(old);
    }
    held_insert(h, (uintptr_t)p | (is_array ? kHeldArray : 0));
    h->nheld++;
}

void lang_gc_heap_unhold(LangGcHeap *h, void *p) {
    int64_t i = held_find(h, (uintptr_t)p);
    if (i < 0) return;
    uint64_t mask = (uint64_t)h->held_cap - 1;
    h->held[i] = 0; /* backward-shift deletion keeps every probe sequence unbroken */
    for (uint64_t j = ((uint64_t)i + 1) & mask; h->held[j]; j = (j + 1) & mask) {
        uint64_t k = held_hash(h->held[j] & ~(uintptr_t)3) & mask;
        int keep = (uint64_t)i <= j ? ((uint64_t)i < k && k <= j) : ((uint64_t)i < k || k <= j);
        if (keep) continue;
        h->held[i] = h->held[j];
        h->held[j] = 0;
        i = (int64_t)j;
    }
    h->nheld--;
}

static void claim_value(LangGcHeap *h, const char *p, const LangTypeInfo *t, int depth);

static void claim_fields(LangGcHeap *h, const char *p, const LangTypeInfo *t, int depth) {
    if (depth > 64 || !t->fields) return;
    for (int64_t i = 0; i < t->field_count; i++)
        if (t->fields[i].type) claim_value(h, p + t->fields[i].offset, t->fields[i].type, depth + 1);
}

static void claim_value(LangGcHeap *h, const char *p, const LangTypeInfo *t, int depth) {
    switch (t->kind) {
    case LANG_TK_CLASS:
    case LANG_TK_NULLABLE: {
        if (t->kind == LANG_TK_NULLABLE && !(t->flags & LANG_TF_REF)) {
            if (t->fields) claim_fields(h, p, t, depth);
            return;
        }
        const LangObjHeader *o = *(const LangObjHeader *const *)p;
        if (!o || o->allocator == &gc_allocator || !o->type || !(o->type->flags & LANG_TF_GC_DEEP)) return;
        int64_t i = held_find(h, (uintptr_t)o);
        if (i >= 0) h->held[i] |= kHeldOwned;
        claim_fields(h, (const char *)o, o->type, depth);
        return;
    }
    case LANG_TK_ARRAY: {
        const LangArray *a = *(const LangArray *const *)p;
        int64_t i = a ? held_find(h, (uintptr_t)a) : -1;
        if (i >= 0) h->held[i] |= kHeldOwned;
        return;
    }
    case LANG_TK_STRUCT:
    case LANG_TK_TUPLE:
    case LANG_TK_ENUM: claim_fields(h, p, t, depth); return;
    default: return;
    }
}

/* Marks the held blocks that gc objects own, then scans the others as roots. */
static void mark_held(LangGcHeap *h) {
    if (!h->nheld) return;
    for (GcChunk *c = h->chunks; c; c = c->next)
        for (uint32_t i = 0; i < c->count; i++) {
            GcBlock *b = chunk_block(c, i);
            if (b->size_mark && obj_of(b)->type) claim_fields(h, (const char *)obj_of(b), obj_of(b)->type, 0);
        }
    for (GcBlock *b = h->large; b; b = b->next)
        if (obj_of(b)->type) claim_fields(h, (const char *)obj_of(b), obj_of(b)->type, 0);
    for (int64_t i = 0; i < h->held_cap; i++) {
        uintptr_t v = h->held[i];
        if (!v) continue;
        if (v & kHeldOwned) {
            h->held[i] = v & ~(uintptr_t)kHeldOwned;
            continue;
        }
        if (v & kHeldArray) {
            const LangArray *a = (const LangArray *)(v & ~(uintptr_t)3);
            if (a->length > 0) mark_range(h, a->data, (size_t)(a->length * a->element_size));
        } else {
            const LangObjHeader *o = (const LangObjHeader *)v;
            if (o->type && o->type->fields && o->type->field_count > 0) scan_fields(h, (const char *)o, o->type, 0);
        }
    }
}

/* ---- sweeping ---- */
static void release_strings(LangContext *ctx, const char *p, const LangTypeInfo *t, int depth) {
    (void)ctx;
    for (int64_t i = 0; i < t->field_count; i++) {
        const LangFieldInfo *f = &t->fields[i];
        if (!f->type) continue;
        if (f->type->kind == LANG_TK_STRING) lang_str_release(*(LangString *const *)(p + f->offset));
        else if ((f->type->kind == LANG_TK_STRUCT || f->type->kind == LANG_TK_TUPLE) && f->type->fields && depth < 64)
            release_strings(ctx, p + f->offset, f->type, depth + 1);
    }
}

static void drop_object(LangContext *ctx, LangObjHeader *o) {
    const LangTypeInfo *t = o->type;
    if (!t) return;
    if (t->drop) t->drop(ctx, o);
    else if (t->fields) release_strings(ctx, (const char *)o, t, 0);
}

static int has_strings(const LangTypeInfo *t, int depth) {
    for (int64_t i = 0; i < t->field_count; i++) {
        const LangTypeInfo *f = t->fields[i].type;
        if (!f) continue;
        if (f->kind == LANG_TK_STRING) return 1;
        if ((f->kind == LANG_TK_STRUCT || f->kind == LANG_TK_TUPLE) && f->fields && depth < 64 && has_strings(f, depth + 1))
            return 1;
    }
    return 0;
}

/* Whether a dead object of type t needs drop_object (a hook, or string fields to release). */
static int needs_drop(LangGcHeap *h, const LangTypeInfo *t) {
    if (!t || (!t->drop && !t->fields)) return 0;
    if (t->drop) return 1;
    const LangTypeInfo **slot = &h->plain_types[((uintptr_t)t >> 4) % kPlainCache];
    if (*slot == t) return 0;
    if (has_strings(t, 0)) return 1;
    *slot = t;
    return 0;
}

/* Unlinks the blocks to free: the unmarked ones (every one when `all`), clearing the
 * survivors' marks. A small block with nothing to drop is freed here (onto plain_head/
 * plain_tail of its class, which free_dead moves to the free list once the hooks ran, so
 * no hook's allocation reuses it meanwhile). Returns the others linked through next (they
 * keep their size until freed, so drop hooks may still read them); *count and *bytes get
 * the number and bytes of all dead blocks. */
static GcBlock *take_dead(LangGcHeap *h, int all, int64_t *count, int64_t *bytes) {
    GcBlock *dead = NULL;
    int64_t n = 0, nb = 0;
    for (GcChunk *c = h->chunks; c; c = c->next) {
        GcBlock *head = NULL, *tail = NULL;
        for (uint32_t i = 0; i < c->count; i++) {
            GcBlock *b = chunk_block(c, i);
            if (!b->size_mark) continue; /* free */
            if ((b->size_mark & 1) && !all) {
                b->size_mark &= ~(uint64_t)1;
                continue;
            }
            n++;
            nb += c->block;
            LangObjHeader *o = obj_of(b);
            if (needs_drop(h, o->type)) {
                b->next = dead;
                dead = b;
                continue;
            }
            o->allocator = NULL;
            b->size_mark = 0;
            b->next = head;
            head = b;
            if (!tail) tail = b;
        }
        if (head) {
            tail->next = h->plain_head[c->cls];
            if (!h->plain_head[c->cls]) h->plain_tail[c->cls] = tail;
            h->plain_head[c->cls] = head;
        }
    }
    for (GcBlock **link = &h->large; *link;) {
        GcBlock *b = *link;
        if ((b->size_mark & 1) && !all) {
            b->size_mark &= ~(uint64_t)1;
            link = &b->next;
            continue;
        }
        *link = b->next;
        h->nlarge--;
        b->next = dead;
        dead = b;
        n++;
        nb += (int64_t)block_bytes(b);
    }
    h->objects -= n;
    h->bytes -= nb;
    *count = n;
    *bytes = nb;
    return dead;
}

/* Runs the drop hooks of a list of dead blocks (from take_dead), then frees them: a small
 * block goes on its class's free list, a big one back to malloc. */
static void free_dead(LangContext *ctx, LangGcHeap *h, GcBlock *dead) {
    LangContext tmp;
    int made = 0;
    if (!ctx) {
        lang_context_init_child(&tmp, NULL);
        ctx = &tmp;
        made = 1;
    }
    h->collecting++;
    for (GcBlock *b = dead; b; b = b->next) drop_object(ctx, obj_of(b));
    h->collecting--;
    for (uint32_t cls = 0; cls < kClasses; cls++)
        if (h->plain_head[cls]) {
            h->plain_tail[cls]->next = h->free_list[cls];
            h->free_list[cls] = h->plain_head[cls];
            h->plain_head[cls] = h->plain_tail[cls] = NULL;
        }
    while (dead) {
        GcBlock *next = dead->next;
        obj_of(dead)->allocator = NULL;
        if (block_size(dead) + sizeof(GcBlock) > kMaxSmall) {
            free(dead);
        } else {
            uint32_t cls = chunk_of(dead)->cls;
            dead->size_mark = 0;
            dead->next = h->free_list[cls];
            h->free_list[cls] = dead;
        }
        dead = next;
    }
    if (made) lang_context_fini(&tmp);
}

/* Adds one collection (collections 1) or a heap's teardown (collections 0) to the
 * process totals, at once: a thread that has finished its collections is counted even
 * when the program ends before the thread does. */
static void add_totals(const LangGcStats *s) {
    pthread_mutex_lock(&totals_lock);
    totals.collections += s->collections;
    totals.pause_total_ns += s->pause_total_ns;
    if (s->pause_max_ns > totals.pause_max_ns) totals.pause_max_ns = s->pause_max_ns;
    if (s->peak_bytes > totals.peak_bytes) totals.peak_bytes = s->peak_bytes;
    if (s->collections) {
        totals.last_before = s->last_before;
        totals.last_after = s->last_after;
    }
    totals.freed_objects += s->freed_objects;
    totals.freed_bytes += s->freed_bytes;
    pthread_mutex_unlock(&totals_lock);
}

__attribute__((noinline)) static void collect_spilled(LangContext *ctx, LangGcHeap *h) {
    int64_t t0 = now_ns();
    int64_t before = h->bytes;
    build_large_table(h);
    mark_held(h);
    mark_stack(h);
    mark_all(h);
    int64_t nfreed, bfreed;
    GcBlock *dead = take_dead(h, 0, &nfreed, &bfreed);
    h->large_len = 0;
    h->large_lo = h->large_hi = 0;
    free_dead(ctx, h, dead);
    set_next_gc(h);
    int64_t pause = now_ns() - t0;
    h->st.collections++;
    h->st.pause_total_ns += pause;
    if (pause > h->st.pause_max_ns) h->st.pause_max_ns = pause;
    h->st.last_before = before;
    h->st.last_after = h->bytes;
    h->st.freed_objects += nfreed;
    h->st.freed_bytes += bfreed;
    if (stats_enabled) {
        LangGcStats one = {.collections = 1, .pause_total_ns = pause, .pause_max_ns = pause, .peak_bytes = h->st.peak_bytes,
                           .last_before = before, .last_after = h->bytes, .freed_objects = nfreed, .freed_bytes = bfreed};
        add_totals(&one);
    }
}

void lang_gc_heap_collect(LangContext *ctx, LangGcHeap *h) {
    if (h->collecting) return;
    /* The callee-saved registers go into this frame, which mark_stack (called below it)
     * scans with the rest of the stack. */
    uintptr_t regs[6];
    __asm__ __volatile__("movq %%rbx, 0(%0)\n\t"
                         "movq %%rbp, 8(%0)\n\t"
                         "movq %%r12, 16(%0)\n\t"
                         "movq %%r13, 24(%0)\n\t"
                         "movq %%r14, 32(%0)\n\t"
                         "movq %%r15, 40(%0)\n\t"
                         :
                         : "r"(regs)
                         : "memory");
    collect_spilled(ctx, h);
    __asm__ __volatile__("" : : "r"(regs) : "memory"); /* keeps regs alive across the call */
}

void lang_gc_heap_destroy(LangContext *ctx, LangGcHeap *h) {
    if (!h) return;
    LangGcStats end = {.peak_bytes = h->st.peak_bytes, .freed_objects = h->objects, .freed_bytes = h->bytes};
    h->st.freed_objects += h->objects;
    h->st.freed_bytes += h->bytes;
    for (int round = 0; h->objects > 0 && round < 8; round++) { /* again for objects the hooks made */
        int64_t n, nb;
        free_dead(ctx, h, take_dead(h, 1, &n, &nb));
    }
    if (stats_enabled) add_totals(&end);
    for (GcBlock *b = h->large; b;) { /* left by the round limit: freed without hooks */
        GcBlock *next = b->next;
        free(b);
        b = next;
    }
    for (GcChunk *c = h->chunks; c;) {
        GcChunk *next = c->next;
        munmap(c, kChunkSize);
        c = next;
    }
    free(h->chunk_table);
    free(h->large_table);
    free(h->stack);
    free(h->held);
    free(h);
}

void lang_gc_heap_stats(const LangGcHeap *h, LangGcStats *out) {
    *out = h->st;
    out->objects = h->objects;
    out->bytes = h->bytes;
}

int lang_gc_heap_contains(const LangGcHeap *h, const void *p) {
    GcBlock *b = find_small(h, (uintptr_t)p);
    if (b) return (const void *)obj_of(b) == p;
    for (b = h->large; b; b = b->next)
        if ((const void *)obj_of(b) == p) return 1;
    return 0;
}

/* ---- the running thread's heap; entry points of compiled code ---- */
LangGcHeap *lang_gc_current_heap(void) {
    LangThread *t = lt_current();
    if (!t->gc_heap) t->gc_heap = lang_gc_heap_create();
    return t->gc_heap;
}

void lang_gc_thread_exit(LangContext *ctx) {
    LangThread *t = lt_current();
    if (!t || !t->gc_heap) return;
    LangGcHeap *h = t->gc_heap;
    t->gc_heap = NULL;
    lang_gc_heap_destroy(ctx, h);
}

void *lang_gc_new(LangContext *ctx, const LangTypeInfo *type, int64_t size) {
    LangGcHeap *h = lang_gc_current_heap();
    /* (not inside a drop: an object being dropped may name what it has already freed) */
    if (h->bytes + size > h->next_gc && !h->collecting && (!ctx || (ctx->gc_enabled && !ctx->drop_depth)))
        lang_gc_heap_collect(ctx, h);
    return lang_gc_heap_alloc(h, type, size);
}

void lang_gc_collect(LangContext *ctx) {
    if (ctx && !ctx->gc_enabled) return;
    LangThread *t = lt_current();
    if (t->gc_heap) lang_gc_heap_collect(ctx, t->gc_heap);
}

void lang_gc_report(void) {
    read_settings();
    if (!stats_enabled) return;
    pthread_mutex_lock(&totals_lock);
    LangGcStats s = totals;
    pthread_mutex_unlock(&totals_lock);
    fprintf(stderr,
            "gc: %lld collections, pause total %.3f ms, max %.3f ms; heap before/after the last collection %lld/%lld "
            "bytes, peak %lld KiB; %lld objects freed\n",
            (long long)s.collections, s.pause_total_ns / 1e6, s.pause_max_ns / 1e6, (long long)s.last_before,
            (long long)s.last_after, (long long)(s.peak_bytes >> 10), (long long)s.freed_objects);
}
