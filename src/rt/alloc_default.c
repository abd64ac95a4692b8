/* alloc_default.c: the default allocator, malloc/free with tracking.
 *
 * Every block carries a 16-byte header just before the pointer handed out: the requested
 * size and the distance back to the malloc'd start (for alignments above 16). When
 * LANG_LEAKS=1 (read once, before the first allocation) 16 more bytes in front of the
 * header link the block into a list of live blocks, so the leak report at exit can print
 * each one; without it a short string costs 16 bytes of allocator header, not 32. Live count and bytes are always kept, per OS thread (thread_stats.c).
 *
 * Invariants: header.magic == kMagic while the block is live, 0 after free (a double free
 * panics instead of corrupting malloc). The live list holds exactly the live blocks when
 * leak tracking is on; it is only touched under live_lock.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

enum { kMagic = 0x4c414e47u /* "LANG" */ };

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

/* Small blocks (header included, at most kCacheMax bytes, 16-byte aligned) freed by this
 * OS thread are kept on a per-thread list per 16-byte size class, up to kCacheDepth each,
 * and handed out again before asking malloc: a short string made and dropped per word
 * costs a list pop and push instead of malloc and free. Cached blocks are not live (the
 * counters and the leak list never see them); they go back to malloc only when the list
 * is full. Runtime C code is never preempted, so a lightweight thread cannot move to
 * another OS thread while it uses this thread's lists. */
enum { kCacheMax = 128, kCacheClasses = kCacheMax / 16, kCacheDepth = 256 };
typedef struct FreeBlock { struct FreeBlock *next; } FreeBlock;
static __thread FreeBlock *cache_head[kCacheClasses];
static __thread int cache_len[kCacheClasses];

static void count_alloc(int64_t size) {
    LangThreadStats *st = lang_thread_stats();
    lang_stat_add(&st->alloc_live, 1);
    lang_stat_add(&st->alloc_bytes, size);
    lang_stat_add(&st->alloc_total, 1);
}

static void count_free(int64_t size) {
    LangThreadStats *st = lang_thread_stats();
    lang_stat_add(&st->alloc_live, -1);
    lang_stat_add(&st->alloc_bytes, -size);
}

/* Any request: over-aligned, big, with leak tracking, or a small one whose list is empty. */
static void *alloc_slow(size_t size, size_t align) {
    if (align < 16) align = 16;
    if (align & (align - 1)) lang_panicf("allocation alignment %zu is not a power of two", align);
    if (size > ((size_t)1 << 60)) lang_panicf("out of memory: allocation of %zu bytes", size);
    int leaks = lang_alloc_leaks_enabled();
    size_t head = sizeof(BlockHdr) + (leaks ? sizeof(LeakLinks) : 0);
    size_t extra = head + (align > 16 ? align : 0);
    char *raw = NULL;
    size_t cls = (size + extra + 15) / 16 - 1; /* the class of size + extra bytes */
    if (align == 16 && cls < kCacheClasses && cache_head[cls]) {
        FreeBlock *b = cache_head[cls];
        cache_head[cls] = b->next;
        cache_len[cls]--;
        raw = (char *)b;
    } else {
        raw = malloc(align == 16 && cls < kCacheClasses ? (cls + 1) * 16 : size + extra);
    }
    if (!raw) lang_panicf("out of memory: allocation of %zu bytes", size);
    uintptr_t user = (uintptr_t)raw + head;
    user = (user + align - 1) & ~(uintptr_t)(align - 1);
    BlockHdr *h = (BlockHdr *)user - 1;
    h->size = size;
    h->offset = (uint32_t)(user - (uintptr_t)raw);
    h->magic = kMagic;
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

/* The common case first, kept short: a small block of at most 16-byte alignment, no leak
 * tracking, and a block on this thread's list of its class. */
static void *default_alloc(void *data, size_t size, size_t align) {
    (void)data;
    if (size <= kCacheMax && align <= 16 && leaks_enabled == 0) {
        size_t cls = (size + sizeof(BlockHdr) + 15) / 16 - 1;
        FreeBlock *b = cls < kCacheClasses ? cache_head[cls] : NULL;
        if (b) {
            cache_head[cls] = b->next;
            cache_len[cls]--;
            BlockHdr *h = (BlockHdr *)b;
            h->size = size;
            h->offset = sizeof(BlockHdr);
            h->magic = kMagic;
            count_alloc((int64_t)size);
            return h + 1;
        }
    }
    return alloc_slow(size, align);
}

static BlockHdr *header_of(void *ptr) {
    BlockHdr *h = (BlockHdr *)ptr - 1;
    if (h->magic != kMagic)
        lang_panicf("free of a block the default allocator does not own (or double free) at %p", ptr);
    return h;
}

static void default_free(void *data, void *ptr) {
    (void)data;
    if (!ptr) return;
    BlockHdr *h = header_of(ptr);
    if (leaks_enabled) {
        LeakLinks *l = links_of(h);
        pthread_mutex_lock(&live_lock);
        l->prev->next = l->next;
        l->next->prev = l->prev;
        pthread_mutex_unlock(&live_lock);
    }
    count_free((int64_t)h->size);
    h->magic = 0;
    char *raw = (char *)ptr - h->offset;
    size_t cls = (h->size + h->offset + 15) / 16 - 1;
    if (h->offset == sizeof(BlockHdr) + (leaks_enabled ? sizeof(LeakLinks) : 0) && cls < kCacheClasses && cache_len[cls] < kCacheDepth) {
        FreeBlock *b = (FreeBlock *)raw;
        b->next = cache_head[cls];
        cache_head[cls] = b;
        cache_len[cls]++;
        return;
    }
    free(raw);
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

static LangAllocator default_allocator = {default_alloc, default_realloc, default_free, NULL};

LangAllocator *lang_default_allocator(void) { return &default_allocator; }

void lang_default_allocator_stats(LangAllocStats *out) {
    out->live_count = LANG_STATS_SUM(alloc_live);
    out->live_bytes = LANG_STATS_SUM(alloc_bytes);
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
}

int lang_allocator_kind(const LangAllocator *a) {
    if (!a) return 0;
    if (a->alloc == default_alloc) return 'd';
    if (lang_alloc_is_arena(a)) return 'a';
    if (lang_alloc_is_pool(a)) return 'p';
    if (lang_alloc_is_temp(a)) return 't';
    return 0;
}
