/* sync.c: the runtime's internal futex lock, and the std WaitGroup, Mutex and atomics.
 *
 * LtLock (lt_sched.h) guards short critical sections inside the runtime and may briefly
 * block an OS worker; user-visible waiting never does: LangMutex and LangWaitGroup park
 * the lightweight thread on a FIFO of waiters instead.
 * Invariants: a waiter node lives on the waiting thread's stack and is only touched under
 * the owner's `lk` until it is unlinked; the waker reads node->t, drops `lk`, then calls
 * lt_ready (after which the node may vanish).
 */
#include "lt_sched.h"
#include <errno.h>
#include <linux/futex.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void lt_futex_wait(uint32_t *word, uint32_t expect, int64_t timeout_ns) {
    struct timespec ts, *tp = NULL;
    if (timeout_ns >= 0) {
        ts.tv_sec = timeout_ns / 1000000000;
        ts.tv_nsec = timeout_ns % 1000000000;
        tp = &ts;
    }
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expect, tp, NULL, 0);
}

void lt_futex_wake(uint32_t *word, int count) {
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, count, NULL, NULL, 0);
}

/* Drepper, "Futexes Are Tricky", mutex 2: spin a little, then mark "sleepers" (2). */
void lt_lock_slow(LtLock *l) {
    for (int i = 0; i < 64; i++) {
        uint32_t z = 0;
        if (lt_load(&l->v, LT_RELAXED) == 0 &&
            __atomic_compare_exchange_n(&l->v, &z, 1, false, LT_ACQUIRE, LT_RELAXED))
            return;
        lt_cpu_relax();
    }
    while (__atomic_exchange_n(&l->v, 2, LT_ACQUIRE) != 0) lt_futex_wait(&l->v, 2, -1);
}

/* ---- wait lists of parked threads ---- */
typedef struct LtWaitNode {
    LangThread *t;
    struct LtWaitNode *next;
} LtWaitNode;

static void unlock_after_park(void *arg) { lt_unlock((LtLock *)arg); }

/* ---- Mutex ---- */
struct LangMutex {
    LangRc rc;              /* first: a counted handle (handle.c) */
    LtLock lk;              /* guards locked, head, tail */
    uint32_t locked;        /* 1 while some thread owns the mutex */
    LtWaitNode *head, *tail; /* threads waiting for it, FIFO */
};

static void mutex_destroy(void *ctx, void *self) {
    (void)ctx;
    free(self);
    lt_handle_gone();
}

LangMutex *lang_mutex_new(void) {
    LangMutex *m = calloc(1, sizeof(LangMutex));
    if (!m) lt_fatal("out of memory (mutex)");
    lt_handle_init(&m->rc, mutex_destroy);
    return m;
}
void lang_mutex_free(LangMutex *m) {
    if (m) mutex_destroy(NULL, m);
}

/* Mutex<T>: the block of lang_sched.h; its own count, its plain mutex freed with it. */
typedef struct LangMutexData {
    LangRc rc;
    LangMutex *mutex;
    LangDropFn drop;
} LangMutexData;
_Static_assert(sizeof(LangMutexData) == LANG_MUTEX_DATA_VALUE, "Mutex<T> value offset");
_Static_assert(offsetof(LangMutexData, mutex) == LANG_MUTEX_DATA_MUTEX, "Mutex<T> mutex offset");

static void mutex_data_destroy(void *ctx, void *self) {
    LangMutexData *d = self;
    lt_run_drop(ctx, d->drop, (char *)d + LANG_MUTEX_DATA_VALUE);
    lang_mutex_free(d->mutex);
    free(d);
    lt_handle_gone();
}

void *lang_mutex_data_new(size_t value_size, LangDropFn drop) {
    LangMutexData *d = NULL;
    if (posix_memalign((void **)&d, 16, LANG_MUTEX_DATA_VALUE + (value_size + 15) / 16 * 16) != 0)
        lt_fatal("out of memory (mutex)");
    memset(d, 0, LANG_MUTEX_DATA_VALUE + value_size);
    lt_handle_init(&d->rc, mutex_data_destroy);
    d->mutex = lang_mutex_new();
    d->drop = drop;
    return d;
}

void lang_mutex_lock(LangMutex *m) {
    lt_lock(&m->lk);
    if (!m->locked) {
        m->locked = 1;
        lt_unlock(&m->lk);
        return;
    }
    LtWaitNode n = {lt_current(), NULL};
    if (m->tail) m->tail->next = &n; else m->head = &n;
    m->tail = &n;
    lt_park(unlock_after_park, &m->lk);
    /* Ownership was handed to us by lang_mutex_unlock; `locked` stayed 1. */
}

bool lang_mutex_try_lock(LangMutex *m) {
    lt_lock(&m->lk);
    bool got = !m->locked;
    m->locked = 1;
    lt_unlock(&m->lk);
    return got;
}

void lang_mutex_unlock(LangMutex *m) {
    lt_lock(&m->lk);
    if (!m->locked) {
        lt_unlock(&m->lk);
        lt_fatal("unlock of unlocked Mutex");
    }
    LtWaitNode *n = m->head;
    if (!n) {
        m->locked = 0;
        lt_unlock(&m->lk);
        return;
    }
    m->head = n->next;
    if (!m->head) m->tail = NULL;
    LangThread *t = n->t;
    lt_unlock(&m->lk);
    lt_ready(t); /* hand-off: the waiter now owns the mutex */
}

/* ---- WaitGroup ---- */
struct LangWaitGroup {
    LangRc rc;              /* first: a counted handle (handle.c) */
    LtLock lk;              /* guards count, waiters */
    int64_t count;
    LtWaitNode *waiters;    /* threads in Wait, any order */
};

static void wg_destroy(void *ctx, void *self) {
    (void)ctx;
    free(self);
    lt_handle_gone();
}

LangWaitGroup *lang_wg_new(void) {
    LangWaitGroup *wg = calloc(1, sizeof(LangWaitGroup));
    if (!wg) lt_fatal("out of memory (WaitGroup)");
    lt_handle_init(&wg->rc, wg_destroy);
    return wg;
}
void lang_wg_free(LangWaitGroup *wg) {
    if (wg) wg_destroy(NULL, wg);
}

void lang_wg_add(LangWaitGroup *wg, int64_t delta) {
    lt_lock(&wg->lk);
    wg->count += delta;
    if (wg->count < 0) {
        lt_unlock(&wg->lk);
        lt_fatal("negative WaitGroup counter");
    }
    LtWaitNode *w = NULL;
    if (wg->count == 0) {
        w = wg->waiters;
        wg->waiters = NULL;
    }
    lt_unlock(&wg->lk);
    while (w) {
        LtWaitNode *next = w->next; /* read before lt_ready: the node dies with the wait */
        lt_ready(w->t);
        w = next;
    }
}

void lang_wg_done(LangWaitGroup *wg) { lang_wg_add(wg, -1); }

void lang_wg_wait(LangWaitGroup *wg) {
    lt_lock(&wg->lk);
    if (wg->count == 0) {
        lt_unlock(&wg->lk);
        return;
    }
    LtWaitNode n = {lt_current(), wg->waiters};
    wg->waiters = &n;
    lt_park(unlock_after_park, &wg->lk);
}

/* ---- atomics ---- */
struct LangAtomic {
    LangRc rc;              /* first: a counted handle (handle.c) */
    int64_t value;
};

static void atomic_destroy(void *ctx, void *self) {
    (void)ctx;
    free(self);
    lt_handle_gone();
}

LangAtomic *lang_atomic_new(int64_t init) {
    LangAtomic *a = malloc(sizeof *a);
    if (!a) lt_fatal("out of memory (Atomic)");
    lt_handle_init(&a->rc, atomic_destroy);
    a->value = init;
    return a;
}
void lang_atomic_free(LangAtomic *a) {
    if (a) atomic_destroy(NULL, a);
}
int64_t lang_atomic_load(const LangAtomic *a) { return __atomic_load_n(&a->value, LT_SEQ_CST); }
void lang_atomic_store(LangAtomic *a, int64_t v) { __atomic_store_n(&a->value, v, LT_SEQ_CST); }
int64_t lang_atomic_add(LangAtomic *a, int64_t d) { return __atomic_add_fetch(&a->value, d, LT_SEQ_CST); }
int64_t lang_atomic_exchange(LangAtomic *a, int64_t v) { return __atomic_exchange_n(&a->value, v, LT_SEQ_CST); }
bool lang_atomic_cas(LangAtomic *a, int64_t *expected, int64_t desired) {
    return __atomic_compare_exchange_n(&a->value, expected, desired, false, LT_SEQ_CST, LT_SEQ_CST);
}
