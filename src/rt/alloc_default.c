/* alloc_default.c: the default allocator, with tracking.
 *
 * Every block carries a 16-byte header just before the pointer handed out: the requested
 * size, the distance back to the start of the raw block (for alignments above 16) and a
 * magic word saying where the raw block came from. Blocks of up to 512 bytes with their
 * header (and alignment 16) come from the calling OS thread's pages (alloc_small.h,
 * magic "LANS"); bigger or over-aligned ones from malloc (magic "LANG"). When LANG_LEAKS=1
 * (read once, before the first allocation) 16 more bytes in front of the header link the
 * block into a list of live blocks, so the leak report at exit can print each one; without
 * it a short string costs 16 bytes of allocator header, not 32. Live count and bytes are
 * always kept, per OS thread (thread_stats.c).
 *
 * Invariants: header.magic is one of the two magics while the block is live, 0 after free
 * (a double free panics instead of corrupting the heap). The live list holds exactly the
 * live blocks when leak tracking is on; it is only touched under live_lock.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc_small.h"
#include "lang_sched.h"
#include "rt_internal.h"

typedef struct BlockHdr {
    uint64_t size;                 /* requested bytes */
    uint32_t offset;               /* user pointer - malloc'd pointer */
    uint32_t magic;
} BlockHdr;
_Static_assert(sizeof(BlockHdr) == 16, "header keeps 16-byte alignment");

/* In front of the header when LANG_LEAKS=1: the block's links in the live list. */
typedef struct LeakLinks {
    struct LeakLinks *prev, *next;
} LeakLinks;
_Static_assert(sizeof(LeakLinks) == 16, "links keep 16-byte alignment");
static BlockHdr *header_after(LeakLinks *l) { return (BlockHdr *)(l + 1); }
static LeakLinks *links_of(BlockHdr *h) { return (LeakLinks *)h - 1; }

enum {
    kMagic = 0x4c414e47u,      /* "LANG": a block from malloc */
    kMagicSmall = 0x4c414e53u, /* "LANS": a block from this thread's pages (alloc_small.h) */
};

static int leaks_enabled = -1;                      /* -1: not read yet */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER; /* guards live_head */
static LeakLinks live_head = {&live_head, &live_head};

void lang_alloc_init(void) {
    if (leaks_enabled >= 0) return;
    const char *e = getenv("LANG_LEAKS");
    leaks_enabled = e && e[0] == '1';
}

int lang_alloc_leaks_enabled(void) {
    lang_alloc_init();
    return leaks_enabled;
}

static inline __attribute__((always_inline)) void count_alloc(int64_t size) {
    LangThreadStats *st = lang_thread_stats();
    lang_stat_add(&st->alloc_live, 1);
    lang_stat_add(&st->alloc_bytes, size);
    lang_stat_add(&st->alloc_total, 1);
}

static inline __attribute__((always_inline)) void count_free(int64_t size) {
    LangThreadStats *st = lang_thread_stats();
    lang_stat_add(&st->alloc_live, -1);
    lang_stat_add(&st->alloc_bytes, -size);
}

/* Any request: over-aligned, big, with leak tracking, or before the first allocation. */
static void *alloc_slow(size_t size, size_t align) {
    if (align < 16) align = 16;
    if (align & (align - 1)) lang_panicf("allocation alignment %zu is not a power of two", align);
    if (size > ((size_t)1 << 60)) lang_panicf("out of memory: allocation of %zu bytes", size);
    int leaks = lang_alloc_leaks_enabled();
    size_t head = sizeof(BlockHdr) + (leaks ? sizeof(LeakLinks) : 0);
    size_t extra = head + (align > 16 ? align : 0);
    char *raw = NULL;
    uint32_t magic = kMagic;
    if (align == 16 && size + extra <= kSmallMax) {
        raw = lang_small_alloc((size + extra + 15) / 16 - 1);
        magic = kMagicSmall;
    } else {
        raw = malloc(size + extra);
    }
    if (!raw) lang_panicf("out of memory: allocation of %zu bytes", size);
    uintptr_t user = (uintptr_t)raw + head;
    user = (user + align - 1) & ~(uintptr_t)(align - 1);
    BlockHdr *h = (BlockHdr *)user - 1;
    h->size = size;
    h->offset = (uint32_t)(user - (uintptr_t)raw);
    h->magic = magic;
    count_alloc((int64_t)size);
    if (leaks) {
        LeakLinks *l = links_of(h);
        pthread_mutex_lock(&live_lock);
        l->next = live_head.next;
        l->prev = &live_head;
        live_head.next->prev = l;
        live_head.next = l;
        pthread_mutex_unlock(&live_lock);
    }
    return (void *)user;
}

/* The common case first, kept short: a small block of at most 16-byte alignment without
 * leak tracking, from this thread's pages (alloc_small.h). */
static inline __attribute__((always_inline)) void *default_alloc_inline(size_t size, size_t align) {
    if (__builtin_expect(size <= kSmallMax - sizeof(BlockHdr) && align <= 16 && leaks_enabled == 0, 1)) {
        BlockHdr *h = lang_small_alloc((size + sizeof(BlockHdr) + 15) / 16 - 1);
        h->size = size;
        h->offset = sizeof(BlockHdr);
        h->magic = kMagicSmall;
        count_alloc((int64_t)size);
        return h + 1;
    }
    return alloc_slow(size, align);
}

static void *default_alloc(void *data, size_t size, size_t align) {
    (void)data;
    return default_alloc_inline(size, align);
}

__attribute__((noinline, noreturn)) static void bad_free(void *ptr) {
    lang_panicf("free of a block the default allocator does not own (or double free) at %p", ptr);
}

static BlockHdr *header_of(void *ptr) {
    BlockHdr *h = (BlockHdr *)ptr - 1;
    if (h->magic != kMagicSmall && h->magic != kMagic) bad_free(ptr);
    return h;
}

static void free_slow(BlockHdr *h) {
    if (leaks_enabled) {
        LeakLinks *l = links_of(h);
        pthread_mutex_lock(&live_lock);
        l->prev->next = l->next;
        l->next->prev = l->prev;
        pthread_mutex_unlock(&live_lock);
    }
    count_free((int64_t)h->size);
    uint32_t magic = h->magic;
    h->magic = 0;
    char *raw = (char *)(h + 1) - h->offset;
    if (magic == kMagicSmall) lang_small_free(raw);
    else free(raw);
}

static inline __attribute__((always_inline)) void default_free_inline(void *ptr) {
    BlockHdr *h = header_of(ptr);
    if (__builtin_expect(h->magic == kMagicSmall && h->offset == sizeof(BlockHdr), 1)) {
        count_free((int64_t)h->size);
        h->magic = 0;
        lang_small_free(h);
        return;
    }
    free_slow(h);
}

static void default_free(void *data, void *ptr) {
    (void)data;
    if (!ptr) return;
    default_free_inline(ptr);
}

static void *default_realloc(void *data, void *ptr, size_t old_size, size_t new_size, size_t align) {
    (void)old_size;
    if (!ptr) return default_alloc(data, new_size, align);
    BlockHdr *h = header_of(ptr);
    void *p = default_alloc(data, new_size, align);
    memcpy(p, ptr, h->size < new_size ? h->size : new_size);
    default_free(data, ptr);
    return p;
}

/* lang_obj_new / lang_obj_drop (object.c) reach the default allocator through these,
 * without an indirect call. */
void *lang_default_alloc(size_t size, size_t align) { return default_alloc_inline(size, align); }
void lang_default_free(void *ptr) {
    if (ptr) default_free_inline(ptr);
}

LangAllocator lang_default_allocator_record = {default_alloc, default_realloc, default_free, NULL};

LangAllocator *lang_default_allocator(void) { return &lang_default_allocator_record; }

void lang_default_allocator_stats(LangAllocStats *out) {
    /* string.c keeps some freed short strings' blocks for reuse: they count as freed */
    out->live_count = LANG_STATS_SUM(alloc_live) - lang_str_kept_sum(0);
    out->live_bytes = LANG_STATS_SUM(alloc_bytes) - lang_str_kept_sum(1);
    out->total_count = LANG_STATS_SUM(alloc_total);
}

void lang_alloc_leak_report(void) {
    LangAllocStats s;
    lang_default_allocator_stats(&s);
    char line[160];
    int n = snprintf(line, sizeof line, "leak report: %lld allocations, %lld bytes still live\n",
                     (long long)s.live_count, (long long)s.live_bytes);
    lang_stderr_write(line, (size_t)n);
    pthread_mutex_lock(&live_lock);
    int shown = 0;
    for (LeakLinks *l = live_head.prev; l != &live_head; l = l->prev) { /* oldest first */
        BlockHdr *h = header_after(l);
        if (lang_str_block_is_kept(h + 1)) continue; /* a dead string's block kept for reuse (string.c) */
        if (shown++ == 100) {
            lang_stderr_puts("  ...\n");
            break;
        }
        n = snprintf(line, sizeof line, "  leaked %llu bytes at %p\n", (unsigned long long)h->size,
                     (void *)(h + 1));
        lang_stderr_write(line, (size_t)n);
    }
    pthread_mutex_unlock(&live_lock);
    n = snprintf(line, sizeof line, "string leak report: %lld strings still live\n", (long long)lang_str_live_count());
    lang_stderr_write(line, (size_t)n);
    /* Channels, tasks, ... (handle.c), when some are: a thread still running at exit may
     * hold them. */
    long long handles = (long long)lang_handles_live();
    if (handles) {
        n = snprintf(line, sizeof line, "handle leak report: %lld handles still live\n", handles);
        lang_stderr_write(line, (size_t)n);
    }
}

int lang_allocator_kind(const LangAllocator *a) {
    if (!a) return 0;
    if (a->alloc == default_alloc) return 'd';
    if (lang_alloc_is_arena(a)) return 'a';
    if (lang_alloc_is_pool(a)) return 'p';
    if (lang_alloc_is_temp(a)) return 't';
    return 0;
}
