/* alloc_small.c: the slow paths of the small-block engine (alloc_small.h): per-OS-thread
 * heaps, pages taken from and given back to the system, and blocks freed on another OS
 * thread than the one that owns their page.
 *
 * Pages come from mmap in segments of kSegmentPages pages (64 KiB aligned). A heap keeps
 * a page while any of its blocks is handed out. A page whose last block comes back goes
 * to the heap's list of empty pages, which keeps at most max(kMinEmpty pages, the pages
 * the heap has in use) resident for reuse by any class; past that bound the page's memory
 * after its first 4 KiB goes back to the system (madvise MADV_DONTNEED) and the page joins
 * a process-wide list of released pages that any thread reuses before mapping new ones.
 * Address space is never unmapped: a stale pointer into a released page reads zeros, so a
 * double free there still finds no valid header and panics instead of faulting.
 *
 * A block freed by another OS thread (lightweight threads migrate; objects are sent over
 * channels) is pushed onto its page's owning heap's remote list (a lock-free stack:
 * push with compare-and-swap, drained whole with an exchange, so no ABA). The owner drains
 * it on its next slow-path allocation; until then those blocks stay counted in their page.
 * When an OS thread exits its heap is put on an orphan list and the next new OS thread
 * adopts it (with its pages and pending remote frees), so heaps never outnumber the OS
 * threads alive at once.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "alloc_small.h"
#include "rt_internal.h"

enum {
    kSegmentPages = 16,     /* pages mapped at once (1 MiB) */
    kMinEmpty = 16,         /* empty pages a heap always may keep resident (1 MiB) */
    kKeepResident = 4096,   /* bytes of a released page left resident (its header) */
};

__thread SmallHeap *lang_small_heap;

/* The current page of every class of a new heap: full, never written. */
static SmallPage sentinel;

static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER; /* guards the two lists below */
static SmallPage *released;     /* pages with their memory given back, linked through next */
static SmallHeap *orphans;      /* heaps whose thread exited, linked through next_orphan */

static pthread_key_t heap_key;
static pthread_once_t heap_key_once = PTHREAD_ONCE_INIT;

static void heap_orphan(void *arg) {
    SmallHeap *h = arg;
    lang_str_cache_flush(); /* its blocks go back to this heap first */
    lang_small_heap = NULL;
    pthread_mutex_lock(&global_lock);
    h->next_orphan = orphans;
    orphans = h;
    pthread_mutex_unlock(&global_lock);
}

static void heap_key_init(void) { pthread_key_create(&heap_key, heap_orphan); }

static SmallHeap *heap_get(void) {
    SmallHeap *h = lang_small_heap;
    if (h) return h;
    pthread_mutex_lock(&global_lock);
    h = orphans;
    if (h) orphans = h->next_orphan;
    pthread_mutex_unlock(&global_lock);
    if (!h) {
        h = calloc(1, sizeof *h);
        if (!h) lang_panic("out of memory: allocator heap");
        for (int c = 0; c < kSmallClasses; c++) h->cur[c] = &sentinel;
    }
    h->next_orphan = NULL;
    pthread_once(&heap_key_once, heap_key_init);
    pthread_setspecific(heap_key, h);
    lang_small_heap = h;
    return h;
}

/* ---- pages ---- */

static SmallPage *page_from_system(void) {
    pthread_mutex_lock(&global_lock);
    SmallPage *p = released;
    if (p) {
        released = p->next;
        pthread_mutex_unlock(&global_lock);
        return p;
    }
    size_t len = (size_t)(kSegmentPages + 1) * kSmallPageSize;
    char *raw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) {
        pthread_mutex_unlock(&global_lock);
        lang_panicf("out of memory: allocator page of %d bytes", kSmallPageSize);
    }
    char *base = (char *)(((uintptr_t)raw + kSmallPageSize - 1) & ~(uintptr_t)(kSmallPageSize - 1));
    if (base > raw) munmap(raw, (size_t)(base - raw));
    char *top = raw + len, *seg_end = base + (size_t)kSegmentPages * kSmallPageSize;
    if (top > seg_end) munmap(seg_end, (size_t)(top - seg_end));
    /* The first page is the caller's; the others wait on the released list (untouched, so
     * they cost no memory yet). */
    for (int i = kSegmentPages - 1; i >= 1; i--) {
        SmallPage *q = (SmallPage *)(base + (size_t)i * kSmallPageSize);
        q->next = released;
        released = q;
    }
    pthread_mutex_unlock(&global_lock);
    return (SmallPage *)base;
}

static SmallPage *page_new(SmallHeap *h, size_t cls) {
    SmallPage *p = h->empty;
    if (p) {
        h->empty = p->next;
        h->n_empty--;
    } else {
        p = page_from_system();
    }
    size_t block = (cls + 1) * 16;
    p->heap = h;
    p->free = NULL;
    p->bump = (char *)(p + 1);
    p->end = p->bump + (kSmallPageSize - sizeof(SmallPage)) / block * block;
    p->used = 0;
    p->block = (uint16_t)block;
    p->cls = (uint8_t)cls;
    p->in_avail = 0;
    p->prev = p->next = NULL;
    h->n_pages++;
    return p;
}

static void page_give_back(SmallPage *p) {
    p->heap = NULL;
    madvise((char *)p + kKeepResident, kSmallPageSize - kKeepResident, MADV_DONTNEED);
    pthread_mutex_lock(&global_lock);
    p->next = released;
    released = p;
    pthread_mutex_unlock(&global_lock);
}

/* An empty page leaves its class and joins the heap's empty pages, which are then trimmed
 * to the bound (max(kMinEmpty, pages in use)): what a freed big structure leaves behind
 * shrinks as the heap's use does. */
static void page_release(SmallHeap *h, SmallPage *p) {
    h->n_pages--;
    p->next = h->empty;
    h->empty = p;
    h->n_empty++;
    size_t keep = h->n_pages > kMinEmpty ? h->n_pages : kMinEmpty;
    while (h->n_empty > keep) {
        SmallPage *q = h->empty;
        h->empty = q->next;
        h->n_empty--;
        page_give_back(q);
    }
}

static void avail_push(SmallHeap *h, SmallPage *p) {
    SmallPage **head = &h->avail[p->cls];
    p->prev = NULL;
    p->next = *head;
    if (*head) (*head)->prev = p;
    *head = p;
    p->in_avail = 1;
}

static void avail_remove(SmallHeap *h, SmallPage *p) {
    if (p->prev) p->prev->next = p->next;
    else h->avail[p->cls] = p->next;
    if (p->next) p->next->prev = p->prev;
    p->prev = p->next = NULL;
    p->in_avail = 0;
}

/* A block of a page h owns comes back. */
static void local_free(SmallHeap *h, SmallPage *p, void *block) {
    SmallFree *b = block;
    b->next = p->free;
    p->free = b;
    p->used--;
    if (p == h->cur[p->cls]) return;
    if (p->used == 0) {
        if (p->in_avail) avail_remove(h, p);
        page_release(h, p);
    } else if (!p->in_avail) {
        avail_push(h, p);
    }
}

static void drain_remote(SmallHeap *h) {
    if (!__atomic_load_n(&h->remote, __ATOMIC_RELAXED)) return;
    SmallFree *b = __atomic_exchange_n(&h->remote, NULL, __ATOMIC_ACQUIRE);
    while (b) {
        SmallFree *next = b->next;
        local_free(h, lang_small_page_of(b), b);
        b = next;
    }
}

void *lang_small_alloc_slow(size_t cls) {
    SmallHeap *h = heap_get();
    drain_remote(h);
    for (;;) {
        SmallPage *p = h->cur[cls];
        void *r = lang_small_page_take(p);
        if (r) return r;
        /* The current page is full: it leaves every list until one of its blocks comes
         * back. The next page with room, or a new one, becomes current. */
        SmallPage *n = h->avail[cls];
        if (n) avail_remove(h, n);
        else n = page_new(h, cls);
        h->cur[cls] = n;
    }
}

void lang_small_free_slow(SmallPage *p, void *block) {
    SmallHeap *h = lang_small_heap;
    if (h && p->heap == h) {
        local_free(h, p, block);
        return;
    }
    SmallHeap *owner = p->heap;
    SmallFree *b = block;
    SmallFree *old = __atomic_load_n(&owner->remote, __ATOMIC_RELAXED);
    do b->next = old;
    while (!__atomic_compare_exchange_n(&owner->remote, &old, b, 1, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

void lang_small_heap_counts(size_t *in_use, size_t *empty) {
    SmallHeap *h = lang_small_heap;
    *in_use = h ? h->n_pages : 0;
    *empty = h ? h->n_empty : 0;
}
