/* sched.c: the M:N work-stealing scheduler for lightweight threads.
 *
 * Glossary (Go's G/M/P, folded into two notions):
 *   thread   a lightweight thread (LangThread): a function, its argument block, a stack
 *            (allocated when it first runs) and a saved context. "Parked" = waiting on a
 *            channel, timer, mutex, ...; only lt_ready makes it runnable again.
 *   worker   an OS thread (LangWorker) that runs threads one at a time. It has its own
 *            stack ("g0"): every switch goes thread -> g0 -> next thread, and code that
 *            must run after a thread has fully left its stack (unlock the wait queue it
 *            parked on, free its stack on exit) runs there (w->after).
 *   queue    where runnable threads wait: each worker's runnext slot (the thread it
 *            readied last; runs next, keeps ping-pong pairs on one core), its Chase-Lev
 *            deque (deque.c: the owner pushes/takes at the bottom, other workers steal
 *            at the top), and one global FIFO (yields, preemption, readies from non-worker
 *            threads such as the timer monitor).
 *   idle     a worker that found no work after a short bounded search parks on its own
 *            futex (park_word) and is listed in S.idle. Making work available wakes one
 *            idle worker unless another worker is already searching (S.nspinning).
 *
 * Invariants:
 *   - A thread is in at most one place: running on one worker, in one queue, or parked
 *     (then referenced only from the wait structure it parked on). t->state checks this.
 *   - A parked thread is switched out before anyone can find it: the wait structure's
 *     lock is released by the `after` callback on the worker's own stack (lt_park).
 *   - The only locks held across a switch are those a parking thread passes to its
 *     `after` callback; g0 releases them before it runs anything else.
 *   - Lost-wakeup freedom: a parking worker registers in S.idle (seq_cst) then re-checks
 *     every queue; a producer publishes work, fences (seq_cst), then reads S.nidle.
 *
 * Locks: S.lock guards the global queue (gq_head, gq_tail, gq_len) and the idle list
 * (S.idle, w->is_idle, w->idle_next; S.nidle is written under it and read without).
 */
#define _GNU_SOURCE
#include "lt_chan.h"
#include "gc.h"
#include <pthread.h>
#include <sched.h> /* sched_yield, sched_getaffinity */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef LT_TSAN
#include <sanitizer/tsan_interface.h>
#endif
#ifdef LT_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

#define LT_INC(x) lt_store(&(x), lt_load(&(x), LT_RELAXED) + 1, LT_RELAXED) /* single writer */

struct LangWorker {
    LangCtx g0;                 /* the worker's own stack while a thread runs */
    LangThread *cur;            /* running thread, NULL on g0 (written by the owner only) */
    LangThread *runnext;        /* atomic: owner exchanges it, thieves exchange it to NULL */
    void (*after)(void *arg);   /* run on g0 after the current thread switched out */
    void *after_arg;
    uint32_t id;
    uint32_t running;           /* atomic: 1 while cur != NULL (read by the monitor) */
    uint64_t tick;              /* atomic: +1 per switch into a thread (monitor) */
    uint32_t *preempt_flag;     /* &lang_preempt_flag of this worker's OS thread */
    uint32_t park_word;         /* futex: 1 = wake-up pending */
    uint32_t spinning;          /* owner: counted in S.nspinning */
    uint32_t inherit;           /* owner: the next thread came from runnext (same slice) */
    uint32_t is_idle;           /* S.lock */
    struct LangWorker *idle_next; /* S.lock */
    uint64_t rng;
    uint64_t id_next, id_end;   /* block of thread ids owned by this worker */
    uintptr_t g0_bounds[3];
    void *altstack;
    pthread_t os;
    uint64_t n_switch, n_steal, n_spawn, n_park, n_preempt; /* single writer: the owner */
#ifdef LT_TSAN
    void *g0_fiber;
#endif
#ifdef LT_ASAN
    void *asan_fake;
    const void *g0_bottom;      /* learned from the first thread switched to */
    size_t g0_size;
#endif
    LtDeque dq;
};

static struct {
    LtLock lock;
    LangThread *gq_head, *gq_tail;
    int64_t gq_len;
    LangWorker *idle;
    uint32_t nidle, nspinning;
    LangWorker **w;
    uint32_t nw;
    uint32_t stopping;
    uint32_t main_done;         /* futex word for the caller of lang_sched_run_main */
    int64_t main_result;
    uint64_t next_id;
    uint64_t os_spawned;        /* spawns from plain OS threads (atomic) */
    int active;
    uint32_t foreign;           /* atomic: a plain OS thread spawned, parked or readied */
    LangThread *main_thread;
    LtStack *main_stack;        /* kept mapped until shutdown */
    LangSchedStats last;        /* totals of the last finished run */
    int deadlock_check;         /* this run detects global deadlock */
} S;

__thread uint32_t lang_preempt_flag;
/* Number of workers whose lang_preempt_flag is set (compiled Lang code tests this plain
 * global, which needs no TLS relocation, then lang_preempt_check tests its own flag).
 * The flag's 0->1 and 1->0 transitions are atomic exchanges, each paired with a +1/-1. */
uint32_t lang_preempt_line[16] __attribute__((aligned(64))); /* a cache line of its own */
extern uint32_t lang_preempt_pending __attribute__((alias("lang_preempt_line")));
static void clear_preempt_flag(void) {
    if (__atomic_exchange_n(&lang_preempt_flag, 0, __ATOMIC_RELAXED))
        __atomic_fetch_sub(&lang_preempt_pending, 1, __ATOMIC_RELAXED);
}
static int detect_deadlock;  /* lang_sched_detect_deadlock; read when a run starts */
static __thread LangWorker *tl_worker;
static __thread LangThread *tl_os_thread;
static __thread uint64_t tl_rng;
extern uint64_t lt_stacks_mapped;

void lang_panic(const char *msg) __attribute__((weak, noreturn));
void lang_rt_set_stack_bounds(uintptr_t guard_lo, uintptr_t lo, uintptr_t hi) __attribute__((weak));
void lang_console_shared(void) __attribute__((weak)); /* console.c: stdout writes lock from now on */
void lang_rt_get_stack_bounds(uintptr_t *guard_lo, uintptr_t *lo, uintptr_t *hi) __attribute__((weak));

void lt_fatal(const char *msg) {
    if (lang_panic) lang_panic(msg);
    fprintf(stderr, "panic: %s\n", msg);
    _exit(101);
}

/* A thread may resume on another OS thread after any switch: never let the compiler
 * cache a thread-local address across one. */
#if defined(__clang__)
#define LT_OPAQUE __attribute__((noinline))
#else
#define LT_OPAQUE __attribute__((noinline, noipa))
#endif
LT_OPAQUE LangWorker *lt_worker(void) { return tl_worker; }
LangThread *lt_running_thread(void) { return tl_worker ? tl_worker->cur : NULL; }

static pthread_key_t os_thread_key;   /* frees an OS thread's stand-in when it exits */
static void os_thread_key_init(void) { pthread_key_create(&os_thread_key, free); }

LangThread *lt_current(void) {
    LangWorker *w = lt_worker();
    if (w && w->cur) return w->cur;
    LangThread *t = tl_os_thread;
    if (!t) { /* one stand-in per plain OS thread that blocks on a channel, mutex, ... */
        static pthread_once_t once = PTHREAD_ONCE_INIT;
        pthread_once(&once, os_thread_key_init);
        t = calloc(1, sizeof *t);
        if (!t) lt_fatal("out of memory");
        t->os_thread = 1;
        t->state = LT_RUNNING;
        tl_os_thread = t;
        pthread_setspecific(os_thread_key, t);
    }
    lt_store(&S.foreign, 1, LT_SEQ_CST);
    return t;
}

uint64_t lt_rand(void) {
    LangWorker *w = lt_worker();
    uint64_t *s = w ? &w->rng : &tl_rng;
    uint64_t x = *s;
    if (!x) x = (uint64_t)(uintptr_t)s ^ 0x9E3779B97F4A7C15ull ^ (uint64_t)lang_now_ns();
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

uint64_t lang_thread_id(void) {
    LangWorker *w = lt_worker();
    return w && w->cur ? w->cur->id : 0;
}

/* ---- the global queue ---- */
static void global_push(LangThread *t) {
    t->next = NULL;
    lt_lock(&S.lock);
    if (S.gq_tail) S.gq_tail->next = t; else S.gq_head = t;
    S.gq_tail = t;
    lt_store(&S.gq_len, S.gq_len + 1, LT_RELAXED);
    lt_unlock(&S.lock);
}

static LangThread *global_pop(void) {
    if (lt_load(&S.gq_len, LT_RELAXED) == 0) return NULL;
    lt_lock(&S.lock);
    LangThread *t = S.gq_head;
    if (t) {
        S.gq_head = t->next;
        if (!S.gq_head) S.gq_tail = NULL;
        lt_store(&S.gq_len, S.gq_len - 1, LT_RELAXED);
    }
    lt_unlock(&S.lock);
    return t;
}

/* ---- idle workers ---- */
static void wake_one(void) {
    lt_lock(&S.lock);
    LangWorker *w = S.idle;
    if (w) {
        S.idle = w->idle_next;
        w->is_idle = 0;
        lt_store(&S.nidle, S.nidle - 1, LT_SEQ_CST);
        __atomic_add_fetch(&S.nspinning, 1, LT_SEQ_CST); /* it searches once awake */
        lt_store(&w->park_word, 1, LT_RELEASE);
    }
    lt_unlock(&S.lock);
    if (w) lt_futex_wake(&w->park_word, 1);
}

/* Called after making work visible to other workers. */
static void wake_idle(void) {
    __atomic_thread_fence(LT_SEQ_CST);
    if (lt_load(&S.nidle, LT_SEQ_CST) == 0 || lt_load(&S.nspinning, LT_SEQ_CST) != 0) return;
    wake_one();
}

static int any_work(LangWorker *self) {
    if (lt_load(&S.gq_len, LT_SEQ_CST)) return 1;
    for (uint32_t i = 0; i < S.nw; i++) {
        LangWorker *v = S.w[i];
        if (lt_deque_size(&v->dq) || (v != self && lt_load(&v->runnext, LT_SEQ_CST))) return 1;
    }
    return 0;
}

void lt_wake_idle_if_work(void) {
    if (lt_load(&S.nidle, LT_SEQ_CST) && !lt_load(&S.nspinning, LT_SEQ_CST) && any_work(NULL))
        wake_one();
}

static void stop_spinning(LangWorker *w) {
    if (!w->spinning) return;
    w->spinning = 0;
    /* The last searcher to find work wakes another, to ramp up when work is plentiful. */
    if (__atomic_sub_fetch(&S.nspinning, 1, LT_SEQ_CST) == 0) wake_idle();
}

/* ---- finding work ---- */
static LangThread *steal_from(LangWorker *w, int rounds_left, uint64_t *ticks) {
    uint32_t n = S.nw, start = (uint32_t)(lt_rand() % n);
    for (uint32_t k = 0; k < n; k++) {
        LangWorker *v = S.w[(start + k) % n];
        if (v == w) continue;
        for (int tries = 0; tries < 4; tries++) {
            void *x = lt_deque_steal(&v->dq);
            if (x == LT_DEQUE_ABORT) continue;
            if (x) {
                LT_INC(w->n_steal);
                return (LangThread *)x;
            }
            break;
        }
        /* Last round: take the victim's runnext if it has been busy with one thread for
         * the whole search (its owner would not get to it soon). */
        uint64_t tk = lt_load(&v->tick, LT_RELAXED);
        if (rounds_left == 0 && lt_load(&v->running, LT_RELAXED) && tk == ticks[v->id] &&
            lt_load(&v->runnext, LT_RELAXED)) {
            LangThread *t = __atomic_exchange_n(&v->runnext, NULL, LT_ACQ_REL);
            if (t) {
                LT_INC(w->n_steal);
                return t;
            }
        }
        ticks[v->id] = tk;
    }
    return NULL;
}

/* ---- global deadlock ----
 * Called by a worker that has just listed itself idle and seen every worker idle. With the
 * timer heap locked (no callback can ready a thread meanwhile) and then S.lock: if still
 * every worker is idle, nothing is queued, no timer is pending, Main has not returned and
 * no plain OS thread ever took part in this run, no thread can run again. Lock order
 * T.lock -> S.lock, as in a timer callback that readies a thread. */
void lang_panic_at(const char *msg, void *fp, uintptr_t pc) __attribute__((weak, noreturn));

void lang_sched_detect_deadlock(int on) { detect_deadlock = on; }
static void set_bounds(LtStack *s);

static void report_deadlock(void) {
    static const char msg[] = "all threads are asleep - deadlock! (every thread waits on a channel, "
                              "select, Mutex, WaitGroup or Join that no one can complete)";
#if defined(__x86_64__) && !defined(LANG_UCONTEXT)
    LangThread *mt = S.main_thread;
    if (lang_panic_at && mt && mt->stack && mt->ctx.sp) { /* Main's trace, from its saved frame */
        const LangSwitchFrame *f = (const LangSwitchFrame *)mt->ctx.sp;
        set_bounds(mt->stack);
        lang_panic_at(msg, (void *)(uintptr_t)f->rbp, (uintptr_t)f->ret);
    }
#endif
    lt_fatal(msg);
}

static void check_deadlock(void) {
    if (lt_load(&S.foreign, LT_SEQ_CST)) return;
    bool quiet = lt_timers_quiet_begin();
    lt_lock(&S.lock);
    bool dead = quiet && S.nidle == S.nw && !S.gq_head && !lt_load(&S.stopping, LT_ACQUIRE) &&
                !lt_load(&S.main_done, LT_ACQUIRE) && !lt_load(&S.foreign, LT_SEQ_CST) && !any_work(NULL);
    lt_unlock(&S.lock);
    lt_timers_quiet_end();
    if (dead) report_deadlock();
}

static LangThread *search(LangWorker *w) {
    uint64_t ticks[256];
    for (;;) {
        if (lt_load(&S.stopping, LT_ACQUIRE)) return NULL;
        LangThread *t;
        /* The slice is over (the monitor saw no new slice for 10 ms): a runnext thread
         * would inherit it, so send it to the back of the global queue instead. */
        if (lt_load(&lang_preempt_flag, LT_RELAXED)) {
            clear_preempt_flag();
            if ((t = __atomic_exchange_n(&w->runnext, NULL, LT_ACQ_REL))) {
                lt_store(&t->state, LT_RUNNABLE, LT_RELAXED);
                global_push(t);
            }
        }
        /* Every 61st switch look at the global queue first, so it cannot starve. */
        if (w->n_switch % 61 == 0 && (t = global_pop())) return t;
        if ((t = __atomic_exchange_n(&w->runnext, NULL, LT_ACQ_REL))) {
            w->inherit = 1; /* ping-pong partners share one slice, as in Go */
            return t;
        }
        if ((t = lt_deque_take(&w->dq))) return t;
        if ((t = global_pop())) return t;

        if (!w->spinning) {
            w->spinning = 1;
            __atomic_add_fetch(&S.nspinning, 1, LT_SEQ_CST);
        }
        for (uint32_t i = 0; i < S.nw && i < 256; i++) ticks[i] = ~(uint64_t)0;
        for (int round = 3; round >= 0 && S.nw > 1; round--) {
            if ((t = steal_from(w, round, ticks)) || (t = global_pop())) {
                stop_spinning(w);
                return t;
            }
            for (int i = 0; i < 50; i++) lt_cpu_relax();
        }
        /* Nothing: stop searching, then re-check (a producer may have seen us spinning
         * and not woken anyone). */
        w->spinning = 0;
        __atomic_sub_fetch(&S.nspinning, 1, LT_SEQ_CST);
        if (any_work(w)) continue;

        lt_lock(&S.lock);
        if (S.gq_head || lt_load(&S.stopping, LT_ACQUIRE)) {
            lt_unlock(&S.lock);
            continue;
        }
        w->is_idle = 1;
        w->idle_next = S.idle;
        S.idle = w;
        lt_store(&w->park_word, 0, LT_RELAXED);
        lt_store(&S.nidle, S.nidle + 1, LT_SEQ_CST);
        lt_unlock(&S.lock);
        if (any_work(w)) {
            lt_lock(&S.lock);
            if (w->is_idle) { /* still listed: unlist ourselves and go look */
                LangWorker **pp = &S.idle;
                while (*pp != w) pp = &(*pp)->idle_next;
                *pp = w->idle_next;
                w->is_idle = 0;
                lt_store(&S.nidle, S.nidle - 1, LT_SEQ_CST);
                lt_unlock(&S.lock);
                continue;
            }
            lt_unlock(&S.lock); /* a waker took us off the list: fall through, consume it */
        }
        if (S.deadlock_check && lt_load(&S.nidle, LT_SEQ_CST) == S.nw) check_deadlock();
        while (lt_load(&w->park_word, LT_ACQUIRE) == 0) lt_futex_wait(&w->park_word, 0, -1);
        w->spinning = 1; /* the waker counted us in S.nspinning */
        lt_monitor_kick();
    }
}

static LangThread *find_runnable(LangWorker *w) {
    LangThread *t = search(w);
    stop_spinning(w); /* a woken worker may have found work without stealing */
    return t;
}

/* ---- switching ---- */
static void set_bounds(LtStack *s) {
    if (lang_rt_set_stack_bounds)
        lang_rt_set_stack_bounds((uintptr_t)s->lo - s->guard, (uintptr_t)s->lo,
                                 (uintptr_t)s->lo + s->size);
}

static void thread_entry(void *p);

static void prepare_stack(LangThread *t, size_t size) {
    t->stack = lt_stack_alloc(size);
    lang_ctx_make(&t->ctx, t->stack->lo, t->stack->size, thread_entry, t);
#ifdef LT_TSAN
    t->fiber = __tsan_create_fiber(0);
#endif
}

static void execute(LangWorker *w, LangThread *t) {
    if (!t->stack) prepare_stack(t, 0);
    if (__atomic_exchange_n(&t->state, LT_RUNNING, LT_ACQ_REL) != LT_RUNNABLE)
        lt_fatal("internal error: a lightweight thread was scheduled twice");
    w->cur = t;
    lt_store(&w->running, 1, LT_RELAXED);
    if (!w->inherit) lt_store(&w->tick, w->tick + 1, LT_RELAXED); /* a new slice */
    w->inherit = 0;
    LT_INC(w->n_switch);
    set_bounds(t->stack);
#ifdef LT_TSAN
    __tsan_switch_to_fiber(t->fiber, 0);
#endif
#ifdef LT_ASAN
    __sanitizer_start_switch_fiber(&w->asan_fake, t->stack->lo, t->stack->size);
#endif
    lang_ctx_switch(&w->g0, &t->ctx);
#ifdef LT_ASAN
    __sanitizer_finish_switch_fiber(w->asan_fake, NULL, NULL);
#endif
    /* Back on g0: t has switched out (parked, yielded or exited). */
    if (lang_rt_set_stack_bounds) lang_rt_set_stack_bounds(w->g0_bounds[0], w->g0_bounds[1], w->g0_bounds[2]);
    lt_store(&w->running, 0, LT_RELAXED);
    w->cur = NULL;
    if (t->state != LT_DEAD) lt_store(&t->state, LT_WAITING, LT_RELEASE);
    if (w->after) {
        void (*f)(void *) = w->after;
        w->after = NULL;
        f(w->after_arg);
    }
}

/* ASan: a thread announces every switch away from its stack and confirms the return;
 * the confirmation also tells the worker where its own (g0) stack is. */
static inline void asan_arrived(LangThread *t) {
#ifdef LT_ASAN
    LangWorker *w = lt_worker();
    __sanitizer_finish_switch_fiber(t->asan_fake, &w->g0_bottom, &w->g0_size);
#else
    (void)t;
#endif
}

static void to_g0(LangWorker *w, LangThread *t) {
#ifdef LT_TSAN
    __tsan_switch_to_fiber(w->g0_fiber, 0);
#endif
#ifdef LT_ASAN
    __sanitizer_start_switch_fiber(t->state == LT_DEAD ? NULL : &t->asan_fake, w->g0_bottom, w->g0_size);
#endif
    lang_ctx_switch(&t->ctx, &w->g0);
    asan_arrived(t);
}

void lt_park(void (*after)(void *arg), void *arg) {
    LangWorker *w = lt_worker();
    if (!w || !w->cur) { /* a plain OS thread: block it on its futex word */
        LangThread *t = lt_current();
        lt_store(&t->wake_word, 0, LT_RELAXED);
        after(arg);
        while (lt_load(&t->wake_word, LT_ACQUIRE) == 0) lt_futex_wait(&t->wake_word, 0, -1);
        return;
    }
    LT_INC(w->n_park);
    w->after = after;
    w->after_arg = arg;
    to_g0(w, w->cur);
}

void lt_ready(LangThread *t) {
    if (t->os_thread) {
        lt_store(&S.foreign, 1, LT_SEQ_CST); /* a plain OS thread takes part in this run */
        lt_store(&t->wake_word, 1, LT_RELEASE);
        lt_futex_wake(&t->wake_word, 1);
        return;
    }
    uint32_t st = __atomic_exchange_n(&t->state, LT_RUNNABLE, LT_ACQ_REL);
    if (st != LT_WAITING) lt_fatal("internal error: lt_ready of a thread that is not parked");
    LangWorker *w = lt_worker();
    if (!w && !lt_on_monitor) lt_store(&S.foreign, 1, LT_SEQ_CST);
    if (w && w->cur) {
        LangThread *old = __atomic_exchange_n(&w->runnext, t, LT_ACQ_REL);
        if (!old) return;
        lt_deque_push(&w->dq, old);
    } else {
        global_push(t);
    }
    wake_idle();
}

static void requeue_global(void *arg) {
    LangThread *t = arg;
    lt_store(&t->state, LT_RUNNABLE, LT_RELEASE);
    global_push(t);
    wake_idle();
}

void lang_yield(void) {
    LangWorker *w = lt_worker();
    if (!w || !w->cur) {
        sched_yield();
        return;
    }
    lt_park(requeue_global, w->cur);
}

void lang_preempt_check(void) {
    if (!lt_load(&lang_preempt_flag, LT_RELAXED)) return;
    clear_preempt_flag();
    LangWorker *w = lt_worker();
    if (!w || !w->cur) return;
    LT_INC(w->n_preempt);
    /* Nothing else waits to run: a yield would only hand this thread to an idle worker,
     * another OS thread, which costs its caches and makes its frees remote ones
     * (alloc_small.c). It keeps running; the next slice looks again. */
    if (!lt_load(&S.stopping, LT_ACQUIRE) && !lt_load(&w->runnext, LT_ACQUIRE) && !any_work(w)) return;
    lang_yield();
}

/* ---- spawning and exit ---- */
static void free_thread(void *arg) {
    LangThread *t = arg;
    if (t == S.main_thread) { /* other threads may still borrow main's locals until the */
        S.main_stack = t->stack; /* workers have stopped: unmapped by lang_sched_run_main */
        t->stack = NULL;
    }
    if (t->stack) lt_stack_free(t->stack);
#ifdef LT_TSAN
    if (t->fiber) __tsan_destroy_fiber(t->fiber);
#endif
    if (t->big_arg) free(t->arg);
    free(t);
}

static void thread_entry(void *p) {
    LangThread *t = p;
    asan_arrived(t);
    t->fn(t->arg);
    lang_gc_thread_exit(NULL); /* its gc objects die with it */
    LangWorker *w = lt_worker();
    lt_store(&t->state, LT_DEAD, LT_RELAXED);
    w->after = free_thread;
    w->after_arg = t;
    to_g0(w, t);
    __builtin_unreachable();
}

/* A test thread that panicked (test.c): the end of thread_entry without the gc exit (its
 * objects may be in any state). The stack is freed on g0 like any finished thread's. */
void lt_thread_abandon(void) {
    LangWorker *w = lt_worker();
    LangThread *t = w ? w->cur : NULL;
    if (!t) lt_fatal("internal error: lt_thread_abandon outside a lightweight thread");
    lt_store(&t->state, LT_DEAD, LT_RELAXED);
    w->after = free_thread;
    w->after_arg = t;
    to_g0(w, t);
    __builtin_unreachable();
}

static uint64_t new_id(LangWorker *w) {
    if (!w) return __atomic_add_fetch(&S.next_id, 1, LT_RELAXED);
    if (w->id_next == w->id_end) {
        w->id_next = __atomic_add_fetch(&S.next_id, 1024, LT_RELAXED) - 1023;
        w->id_end = w->id_next + 1024;
    }
    return w->id_next++;
}

static LangThread *new_thread(void (*fn)(void *), const void *arg, size_t size, LangWorker *w) {
    LangThread *t = malloc(sizeof *t);
    if (!t) lt_fatal("out of memory (spawn)");
    memset(t, 0, offsetof(LangThread, inline_arg));
    t->fn = fn;
    t->state = LT_RUNNABLE;
    t->id = new_id(w);
    if (size <= LT_INLINE_ARG) {
        t->arg = t->inline_arg;
    } else {
        t->arg = malloc(size);
        if (!t->arg) lt_fatal("out of memory (spawn)");
        t->big_arg = 1;
    }
    if (size) memcpy(t->arg, arg, size);
    return t;
}

void lang_spawn(void (*fn)(void *arg), void *arg, size_t arg_size) {
    if (lang_console_shared) lang_console_shared(); /* before the new thread can run */
    LangWorker *w = lt_worker();
    if (w && !w->cur) w = NULL;
    LangThread *t = new_thread(fn, arg, arg_size, w);
    if (w) {
        LT_INC(w->n_spawn);
        lt_deque_push(&w->dq, t);
    } else {
        __atomic_add_fetch(&S.os_spawned, 1, LT_RELAXED);
        lt_store(&S.foreign, 1, LT_SEQ_CST);
        global_push(t);
    }
    wake_idle();
}

/* ---- tasks: a thread plus a one-slot channel for its result ----
 * A task handle may be copied freely, so Join may be called more than once, even from two
 * threads at the same time: `joined` lets exactly one caller take the result; any other
 * Join panics "task already joined" (a result may own memory: handing it out twice would
 * duplicate an owner). The task is counted (handle.c): the handles hold references and
 * the running thread one more, released once the result is sent, so the record outlives
 * both the thread and every handle (a second Join is detected, not a use-after-free). The
 * argument block is freed once fn returned, the channel by Join or when the task is
 * destroyed (dropping a result nobody joined with the channel's drop function). */
struct LangTask {
    LangRc rc;          /* first: a counted handle */
    LangChan *done;
    void (*fn)(void *arg, void *result);
    size_t result_size;
    void *arg;          /* the argument block; freed by task_entry once fn returned */
    int joined;         /* atomic: set by the first Join */
};

static void task_entry(void *p) {
    LangTask *task = *(LangTask **)p;
    unsigned char small[256] __attribute__((aligned(16)));
    void *res = task->result_size <= sizeof small ? small : malloc(task->result_size);
    if (!res) lt_fatal("out of memory (task result)");
    memset(res, 0, task->result_size);
    task->fn(task->arg, res);
    free(task->arg);
    task->arg = NULL;
    LangChan *done = task->done;
    lang_chan_send(done, res); /* the joiner may free the channel from here on */
    if (res != small) free(res);
    lang_handle_release(NULL, task); /* the thread's own reference */
}

static void task_destroy(void *ctx, void *self) {
    LangTask *task = self;
    if (task->done) lt_chan_destroy(ctx, task->done);
    free(task->arg);
    free(task);
    lt_handle_gone();
}

LangTask *lang_task_spawn(void (*fn)(void *, void *), void *arg, size_t arg_size, size_t result_size) {
    LangTask *task = malloc(sizeof(LangTask));
    if (!task) lt_fatal("out of memory (task)");
    lt_handle_init(&task->rc, task_destroy);
    task->rc.count = 2; /* the handle's and the running thread's */
    task->done = lang_chan_new(result_size, 1);
    task->fn = fn;
    task->result_size = result_size;
    task->joined = 0;
    task->arg = NULL;
    if (arg_size) {
        if (posix_memalign(&task->arg, 16, arg_size) != 0) lt_fatal("out of memory (task)");
        memcpy(task->arg, arg, arg_size);
    }
    lang_spawn(task_entry, &task, sizeof task);
    return task;
}

void lang_task_set_drop(LangTask *task, LangDropFn drop) { lang_chan_set_drop(task->done, drop); }

void lang_task_join(LangTask *task, void *out) {
    if (__atomic_exchange_n(&task->joined, 1, LT_ACQ_REL)) lt_fatal("task already joined");
    unsigned char small[256] __attribute__((aligned(16)));
    void *res = out;
    if (!res) res = task->result_size <= sizeof small ? small : malloc(task->result_size);
    lang_chan_recv(task->done, res);
    if (!out) lt_run_drop(NULL, task->done->drop, res); /* nobody takes the result */
    if (!out && res != small) free(res);
    lang_chan_free(task->done);
    task->done = NULL;
}

/* ---- workers and the bootstrap ---- */
static void *worker_main(void *arg) {
    LangWorker *w = arg;
    tl_worker = w;
    lt_store(&w->preempt_flag, &lang_preempt_flag, LT_RELEASE);
    w->altstack = lt_altstack_setup();
    if (lang_rt_get_stack_bounds) lang_rt_get_stack_bounds(&w->g0_bounds[0], &w->g0_bounds[1], &w->g0_bounds[2]);
    lang_ctx_init_host(&w->g0);
#ifdef LT_TSAN
    w->g0_fiber = __tsan_get_current_fiber();
#endif
    LangThread *t;
    while ((t = find_runnable(w))) execute(w, t);
    lt_stack_cache_drain();
    lang_ctx_free(&w->g0);
    lt_altstack_teardown(w->altstack);
    tl_worker = NULL;
    return NULL;
}

typedef struct MainArgs {
    int64_t (*fn)(void *ctx, void *arg);
    void *ctx, *arg;
} MainArgs;

static void main_entry(void *p) {
    MainArgs *m = p;
    int64_t r = m->fn(m->ctx, m->arg);
    lang_gc_thread_exit(NULL); /* before the process may exit */
    S.main_result = r;
    lt_store(&S.main_done, 1, LT_RELEASE);
    lt_futex_wake(&S.main_done, 1);
}

static uint32_t worker_count(void) {
    const char *e = getenv("LANG_THREADS");
    long n = e ? strtol(e, NULL, 10) : 0;
    if (n <= 0) { /* the CPUs we may run on (cpusets, taskset), like Go's GOMAXPROCS */
        cpu_set_t set;
        if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
    }
    if (n <= 0) n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n <= 0) n = 1;
    if (n > 256) n = 256;
    return (uint32_t)n;
}

static size_t main_stack_size(void) {
    const char *e = getenv("LANG_MAIN_STACK_MB"); /* shared with bootstrap.c */
    long mb = e ? strtol(e, NULL, 10) : 0;
    if (mb < 8) mb = 64;
    return (size_t)mb << 20;
}

static void sum_stats(LangSchedStats *o) {
    memset(o, 0, sizeof *o);
    for (uint32_t i = 0; i < S.nw; i++) {
        LangWorker *w = S.w[i];
        o->spawned += lt_load(&w->n_spawn, LT_RELAXED);
        o->switches += lt_load(&w->n_switch, LT_RELAXED);
        o->steals += lt_load(&w->n_steal, LT_RELAXED);
        o->parks += lt_load(&w->n_park, LT_RELAXED);
        o->preemptions += lt_load(&w->n_preempt, LT_RELAXED);
    }
    o->spawned += lt_load(&S.os_spawned, LT_RELAXED);
    o->stacks_mapped = lt_load(&lt_stacks_mapped, LT_RELAXED);
    o->workers = S.nw;
}

void lang_sched_stats(LangSchedStats *out) {
    if (lt_load(&S.active, LT_ACQUIRE)) sum_stats(out); else *out = S.last;
}

uint32_t lt_nworkers(void) { return S.nw; }
LangWorker *lt_worker_at(uint32_t i) { return S.w[i]; }
uint64_t lt_worker_tick(LangWorker *w) { return lt_load(&w->tick, LT_RELAXED); }
int lt_worker_running(LangWorker *w) { return (int)lt_load(&w->running, LT_RELAXED); }
void lt_worker_preempt(LangWorker *w) {
    uint32_t *f = lt_load(&w->preempt_flag, LT_ACQUIRE);
    if (f && !__atomic_exchange_n(f, 1, __ATOMIC_RELAXED)) __atomic_fetch_add(&lang_preempt_pending, 1, __ATOMIC_RELAXED);
}
int lt_sched_any_busy(void) {
    return lt_load(&S.active, LT_ACQUIRE) && lt_load(&S.nidle, LT_RELAXED) < S.nw;
}

static void free_queued(LangThread *t) {
    if (t) free_thread(t);
}

int64_t lang_sched_run_main(int64_t (*fn)(void *ctx, void *arg), void *ctx, void *arg) {
    LangSchedStats keep = S.last;
    memset(&S, 0, sizeof S);
    S.last = keep;
    S.nw = worker_count();
    S.deadlock_check = detect_deadlock;
    S.w = calloc(S.nw, sizeof *S.w);
    for (uint32_t i = 0; i < S.nw; i++) {
        LangWorker *w = aligned_alloc(LT_CACHELINE, (sizeof(LangWorker) + LT_CACHELINE - 1) & ~(size_t)(LT_CACHELINE - 1));
        if (!w) lt_fatal("out of memory (workers)");
        memset(w, 0, sizeof *w);
        w->id = i;
        w->rng = 0x9E3779B97F4A7C15ull * (i + 1);
        lt_deque_init(&w->dq, 8);
        S.w[i] = w;
    }
    lt_signals_install();

    MainArgs m = {fn, ctx, arg};
    LangThread *mt = new_thread(main_entry, &m, sizeof m, NULL);
    prepare_stack(mt, main_stack_size());
    S.main_thread = mt;
    lt_store(&S.active, 1, LT_RELEASE);
    global_push(mt);
    lt_monitor_start();
    for (uint32_t i = 0; i < S.nw; i++) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, (size_t)256 << 10);
        if (pthread_create(&S.w[i]->os, &attr, worker_main, S.w[i]) != 0)
            lt_fatal("cannot start a scheduler worker");
        pthread_attr_destroy(&attr);
    }

    while (lt_load(&S.main_done, LT_ACQUIRE) == 0) lt_futex_wait(&S.main_done, 0, -1);
    int64_t result = S.main_result;

    /* Shutdown: workers stop at their next scheduling point; threads still queued are
     * freed, threads still parked are abandoned (their stacks stay mapped). */
    lt_store(&S.stopping, 1, LT_SEQ_CST);
    lt_monitor_stop();
    for (uint32_t i = 0; i < S.nw; i++) lt_worker_preempt(S.w[i]);
    for (;;) {
        lt_lock(&S.lock);
        LangWorker *w = S.idle;
        if (w) {
            S.idle = w->idle_next;
            w->is_idle = 0;
            lt_store(&S.nidle, S.nidle - 1, LT_SEQ_CST); /* read without the lock (deadlock check) */
            lt_store(&w->park_word, 1, LT_RELEASE);
        }
        lt_unlock(&S.lock);
        if (!w) break;
        lt_futex_wake(&w->park_word, 1);
    }
    for (uint32_t i = 0; i < S.nw; i++) {
        int joined = 0;
        for (int ms = 0; ms < 2000 && !joined; ms++) {
            joined = pthread_tryjoin_np(S.w[i]->os, NULL) == 0;
            if (!joined) {
                lt_worker_preempt(S.w[i]);
                lt_lock(&S.lock); /* it may have parked after our wake-up pass */
                LangWorker *w = S.w[i];
                if (w->is_idle) {
                    LangWorker **pp = &S.idle;
                    while (*pp != w) pp = &(*pp)->idle_next;
                    *pp = w->idle_next;
                    w->is_idle = 0;
                    lt_store(&S.nidle, S.nidle - 1, LT_SEQ_CST); /* read without the lock (deadlock check) */
                }
                lt_store(&w->park_word, 1, LT_RELEASE);
                lt_unlock(&S.lock);
                lt_futex_wake(&w->park_word, 1);
                struct timespec ts = {0, 1000000};
                nanosleep(&ts, NULL);
            }
        }
        if (!joined) {
            fprintf(stderr, "lang: a worker did not stop (a thread that never yields?)\n");
            lt_store(&S.active, 0, LT_RELEASE);
            return result; /* leave everything as it is: that worker still uses it */
        }
    }
    sum_stats(&S.last);
    lt_store(&S.active, 0, LT_RELEASE);
    LangThread *t;
    while ((t = global_pop())) free_queued(t);
    for (uint32_t i = 0; i < S.nw; i++) {
        LangWorker *w = S.w[i];
        free_queued(w->runnext);
        while ((t = lt_deque_take(&w->dq))) free_queued(t);
        lt_deque_destroy(&w->dq);
        free(w);
    }
    free(S.w);
    S.w = NULL;
    if (S.main_stack) lt_stack_free(S.main_stack);
    lt_stack_cache_drain();
    const char *st = getenv("LANG_SCHED_STATS");
    if (st && st[0] == '1') {
        LangSchedStats *o = &S.last;
        fprintf(stderr,
                "lang sched: workers=%llu spawned=%llu switches=%llu steals=%llu parks=%llu "
                "preemptions=%llu stacks_mapped=%llu\n",
                (unsigned long long)o->workers, (unsigned long long)o->spawned,
                (unsigned long long)o->switches, (unsigned long long)o->steals,
                (unsigned long long)o->parks, (unsigned long long)o->preemptions,
                (unsigned long long)o->stacks_mapped);
    }
    return result;
}
