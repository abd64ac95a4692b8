/* lt_sched.h: internal interfaces shared by the lightweight-thread runtime files
 * (sched.c, stack.c, deque.c, chan.c, select.c, timer.c, sync.c, preempt.c).
 * The public API is lang_sched.h; glossary and invariants: the top of sched.c.
 *
 * Shared memory is accessed with the GCC __atomic builtins on plain types (not _Atomic)
 * so that this header also compiles as C++ for the unit tests.
 */
#ifndef LANG_SCHED_INTERNAL_H
#define LANG_SCHED_INTERNAL_H
#include "lang_sched.h"
#include "switch.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__SANITIZE_THREAD__)
#define LT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LT_TSAN 1
#endif
#endif

#if defined(__SANITIZE_ADDRESS__)
#define LT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LT_ASAN 1
#endif
#endif

#define LT_CACHELINE 64
#define LT_RELAXED __ATOMIC_RELAXED
#define LT_ACQUIRE __ATOMIC_ACQUIRE
#define LT_RELEASE __ATOMIC_RELEASE
#define LT_ACQ_REL __ATOMIC_ACQ_REL
#define LT_SEQ_CST __ATOMIC_SEQ_CST
#define lt_load(p, o) __atomic_load_n((p), (o))
#define lt_store(p, v, o) __atomic_store_n((p), (v), (o))

static inline void lt_cpu_relax(void) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* ---- counted handles (handle.c) ---- */
void lt_handle_init(LangRc *rc, void (*destroy)(void *ctx, void *self)); /* count 1 */
void lt_handle_gone(void);                                      /* a destroy ran */
/* drop(ctx, value), with a context made for it when ctx is NULL. */
void lt_run_drop(void *ctx, LangDropFn drop, void *value);

/* ---- futex and the runtime's internal lock (sync.c) ---- */
void lt_futex_wait(uint32_t *word, uint32_t expect, int64_t timeout_ns); /* <0: forever */
void lt_futex_wake(uint32_t *word, int count);

/* A short-critical-section lock: spins briefly, then sleeps on a futex. Held only for
 * a few hundred instructions, never across a park. v: 0 free, 1 held, 2 held+sleepers. */
typedef struct LtLock { uint32_t v; } LtLock;
void lt_lock_slow(LtLock *l);
static inline void lt_lock(LtLock *l) {
    uint32_t z = 0;
    if (!__atomic_compare_exchange_n(&l->v, &z, 1, false, LT_ACQUIRE, LT_RELAXED)) lt_lock_slow(l);
}
static inline void lt_unlock(LtLock *l) {
    if (__atomic_exchange_n(&l->v, 0, LT_RELEASE) == 2) lt_futex_wake(&l->v, 1);
}

/* ---- stacks (stack.c) ---- */
typedef struct LtStack {
    char *lo;               /* lowest usable byte (just above the guard) */
    size_t size;            /* usable bytes; this descriptor sits in the top bytes */
    size_t map_size;        /* whole mapping including the guard */
    uint32_t guard;         /* bytes of PROT_NONE guard just below lo (0: none) */
    uint32_t pad;
    struct LtStack *next;   /* stack cache link */
} LtStack;
LtStack *lt_stack_alloc(size_t size);       /* size 0: the default (64 KiB) */
void lt_stack_free(LtStack *s);
size_t lt_stack_default_size(void);
void lt_stack_cache_drain(void);            /* unmaps every cached stack (shutdown) */
void lt_signals_install(void);              /* SIGSEGV/SIGBUS handler, once */
void *lt_altstack_setup(void);              /* per worker; returns the mapping */
void lt_altstack_teardown(void *p);

/* ---- Chase-Lev work-stealing deque (deque.c) ----
 * One owner pushes and takes at the bottom; any thread steals at the top. */
typedef struct LtDequeArray {
    int64_t size;                   /* power of two */
    struct LtDequeArray *prev;      /* older, smaller arrays, freed by lt_deque_destroy */
    void *buf[];
} LtDequeArray;
typedef struct LtDeque {
    int64_t top __attribute__((aligned(LT_CACHELINE)));
    int64_t bottom __attribute__((aligned(LT_CACHELINE)));
    LtDequeArray *array;
} LtDeque;
void lt_deque_init(LtDeque *q, int log_size);
void lt_deque_destroy(LtDeque *q);
void lt_deque_push(LtDeque *q, void *x);            /* owner only */
void *lt_deque_take(LtDeque *q);                    /* owner only; NULL: empty */
#define LT_DEQUE_ABORT ((void *)1)
void *lt_deque_steal(LtDeque *q);                   /* NULL: empty; LT_DEQUE_ABORT: lost a race */
int64_t lt_deque_size(LtDeque *q);                  /* approximate */

/* ---- threads and workers (sched.c) ---- */
enum { LT_RUNNABLE = 0, LT_RUNNING = 1, LT_WAITING = 2, LT_DEAD = 3 };
#define LT_INLINE_ARG 64
typedef struct LangThread {
    LangCtx ctx;                /* saved context while switched out */
    struct LangThread *next;    /* link in the global run queue */
    void (*fn)(void *arg);
    void *arg;                  /* inline_arg or a heap copy */
    LtStack *stack;             /* NULL until the thread first runs */
    uint64_t id;
    uint32_t state;             /* LT_*: checked to catch double scheduling */
    uint32_t os_thread;         /* 1: stands for a plain OS thread (parks on wake_word) */
    uint32_t wake_word;         /* os_thread only: futex word */
    uint32_t big_arg;           /* arg is a heap copy */
    void *gc_heap;              /* LangGcHeap of its gc objects (gc.c), made on first use */
    void *test;                 /* `lang test`: the LangTestRun this thread runs (test.c), or NULL */
    void *ffi_ctx;              /* the LangContext of its innermost C call that took a callback (ffi.c) */
#ifdef LT_TSAN
    void *fiber;
#endif
#ifdef LT_ASAN
    void *asan_fake;
#endif
    unsigned char inline_arg[LT_INLINE_ARG] __attribute__((aligned(16)));
} LangThread;

typedef struct LangWorker LangWorker;
LangThread *lt_current(void);
LangThread *lt_running_thread(void); /* w->cur or NULL; async-signal-safe */      /* the running thread (an OS-thread stand-in off-worker) */
LangWorker *lt_worker(void);       /* NULL on a plain OS thread */
/* Switches the current thread out; then, on the worker's own stack, runs after(arg) (e.g.
 * to release the lock of the wait queue the thread was put on: a waker that needs that
 * lock cannot see the thread before it has fully switched out). Returns after
 * lt_ready(current thread). */
void lt_park(void (*after)(void *arg), void *arg);
void lt_ready(LangThread *t);      /* make a parked thread runnable; any OS thread */
void lt_fatal(const char *msg) __attribute__((noreturn)); /* panic (lang_panic if linked) */
/* Ends the running lightweight thread at once, as if its function had returned, but
 * without unwinding anything: no destructors, no drops, its gc heap is not collected
 * (leaked). Only `lang test` uses it, for a test thread that panicked (test.c). */
void lt_thread_abandon(void) __attribute__((noreturn));
uint64_t lt_rand(void);            /* per-worker xorshift; thread-safe */

/* ---- timers (timer.c); the monitor thread also drives preemption ---- */
typedef struct LtTimer {
    int64_t when;                    /* lang_now_ns() deadline */
    int64_t index;                   /* heap slot, -1 when not in the heap */
    void (*fn)(struct LtTimer *t);   /* runs on the monitor thread, timer lock held */
    void *arg;
} LtTimer;
void lt_timer_add(LtTimer *t);
bool lt_timer_stop(LtTimer *t);      /* true if it was pending (and will not fire) */
void lt_monitor_start(void);
void lt_monitor_stop(void);
void lt_monitor_kick(void);          /* a worker went busy: resume preemption ticks */
/* Deadlock check (sched.c): locks the timer heap, so no timer callback runs until
 * lt_timers_quiet_end, and returns true when no timer is pending. */
bool lt_timers_quiet_begin(void);
void lt_timers_quiet_end(void);
extern __thread int lt_on_monitor;   /* 1 on the timer monitor thread */

/* ---- preemption (preempt.c) ---- */
void lt_preempt_scan(int64_t now);   /* monitor: flag workers whose thread ran > 10 ms */
int lt_sched_any_busy(void);
/* Per-worker view used by preempt.c. */
uint32_t lt_nworkers(void);
LangWorker *lt_worker_at(uint32_t i);
uint64_t lt_worker_tick(LangWorker *w);         /* bumps on every switch into a thread */
int lt_worker_running(LangWorker *w);
void lt_worker_preempt(LangWorker *w);          /* sets that worker's lang_preempt_flag */
void lt_wake_idle_if_work(void);                /* monitor safety net */

#ifdef __cplusplus
}
#endif
#endif
