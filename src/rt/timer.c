/* timer.c: the timer heap and the monitor thread (Sleep, Timeout, preemption ticks).
 *
 * One binary min-heap of LtTimer* ordered by `when`, guarded by T.lock; each timer knows
 * its heap slot (index, -1 when not pending). One monitor OS thread sleeps on T.cond until
 * the earliest deadline, runs expired timers' callbacks with T.lock held (so lt_timer_stop
 * returning means the callback is not running), and every 5 ms while some worker is busy
 * runs the preemption scan (preempt.c). When every worker is idle and no timer is pending
 * it sleeps without a deadline; lt_monitor_kick wakes it when a worker becomes busy.
 *
 * Invariants: heap[i]->index == i for every pending timer; a timer's callback may lock a
 * channel or the scheduler's queue lock, and nothing that holds those takes T.lock (the
 * deadlock check takes T.lock first, then the scheduler's lock).
 * Sleep's timer lives on the sleeping thread's stack and is added only after the thread
 * has switched out (lt_park's callback), so it cannot fire before the thread is parked.
 */
#define _GNU_SOURCE
#include "lt_sched.h"
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define TICK_NS 5000000LL

static struct {
    pthread_mutex_t lock;     /* guards heap, n, cap, stop, sleeping_forever */
    pthread_cond_t cond;
    LtTimer **heap;
    size_t n, cap;
    int stop;
    int sleeping_forever;     /* atomic read by lt_monitor_kick */
    int started;
    pthread_t thread;
} T = {.lock = PTHREAD_MUTEX_INITIALIZER};

int64_t lang_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void swap(size_t i, size_t j) {
    LtTimer *a = T.heap[i], *b = T.heap[j];
    T.heap[i] = b;
    T.heap[j] = a;
    b->index = (int64_t)i;
    a->index = (int64_t)j;
}

static void sift_up(size_t i) {
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (T.heap[p]->when <= T.heap[i]->when) break;
        swap(i, p);
        i = p;
    }
}

static void sift_down(size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < T.n && T.heap[l]->when < T.heap[m]->when) m = l;
        if (r < T.n && T.heap[r]->when < T.heap[m]->when) m = r;
        if (m == i) return;
        swap(i, m);
        i = m;
    }
}

static void heap_remove(size_t i) {
    LtTimer *t = T.heap[i];
    T.n--;
    if (i != T.n) {
        T.heap[i] = T.heap[T.n];
        T.heap[i]->index = (int64_t)i;
        sift_down(i);
        sift_up(i);
    }
    t->index = -1;
}

void lt_timer_add(LtTimer *t) {
    pthread_mutex_lock(&T.lock);
    if (T.n == T.cap) {
        T.cap = T.cap ? T.cap * 2 : 64;
        T.heap = realloc(T.heap, T.cap * sizeof *T.heap);
        if (!T.heap) lt_fatal("out of memory (timers)");
    }
    t->index = (int64_t)T.n;
    T.heap[T.n++] = t;
    sift_up((size_t)t->index);
    if (t->index == 0) pthread_cond_signal(&T.cond); /* new earliest deadline */
    pthread_mutex_unlock(&T.lock);
}

bool lt_timer_stop(LtTimer *t) {
    pthread_mutex_lock(&T.lock);
    bool pending = t->index >= 0;
    if (pending) heap_remove((size_t)t->index);
    pthread_mutex_unlock(&T.lock);
    return pending;
}

__thread int lt_on_monitor;

bool lt_timers_quiet_begin(void) {
    pthread_mutex_lock(&T.lock);
    return T.n == 0;
}
void lt_timers_quiet_end(void) { pthread_mutex_unlock(&T.lock); }

void lt_monitor_kick(void) {
    if (!__atomic_load_n(&T.sleeping_forever, LT_ACQUIRE)) return;
    pthread_mutex_lock(&T.lock);
    pthread_cond_signal(&T.cond);
    pthread_mutex_unlock(&T.lock);
}

static void *monitor_main(void *arg) {
    (void)arg;
    lt_on_monitor = 1;
    int64_t next_tick = lang_now_ns() + TICK_NS;
    pthread_mutex_lock(&T.lock);
    while (!T.stop) {
        int64_t now = lang_now_ns();
        while (T.n && T.heap[0]->when <= now) {
            LtTimer *t = T.heap[0];
            heap_remove(0);
            t->fn(t); /* with T.lock held; t may be gone afterwards */
        }
        int busy = lt_sched_any_busy();
        if (busy && now >= next_tick) {
            lt_preempt_scan(now);
            lt_wake_idle_if_work();
            next_tick = now + TICK_NS;
        }
        int64_t deadline = T.n ? T.heap[0]->when : INT64_MAX;
        if (busy && next_tick < deadline) deadline = next_tick;
        if (deadline == INT64_MAX) {
            __atomic_store_n(&T.sleeping_forever, 1, LT_RELEASE);
            /* re-check under the lock: a worker may have gone busy meanwhile */
            if (!lt_sched_any_busy()) pthread_cond_wait(&T.cond, &T.lock);
            __atomic_store_n(&T.sleeping_forever, 0, LT_RELEASE);
            next_tick = lang_now_ns() + TICK_NS;
        } else if (deadline > now) {
            struct timespec ts = {deadline / 1000000000, deadline % 1000000000};
            pthread_cond_timedwait(&T.cond, &T.lock, &ts);
        }
    }
    pthread_mutex_unlock(&T.lock);
    return NULL;
}

void lt_monitor_start(void) {
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&T.cond, &ca);
    pthread_condattr_destroy(&ca);
    T.stop = 0;
    if (pthread_create(&T.thread, NULL, monitor_main, NULL) != 0) lt_fatal("cannot start the monitor thread");
    T.started = 1;
}

void lt_monitor_stop(void) {
    if (!T.started) return;
    pthread_mutex_lock(&T.lock);
    T.stop = 1;
    pthread_cond_signal(&T.cond);
    pthread_mutex_unlock(&T.lock);
    pthread_join(T.thread, NULL);
    T.started = 0;
    /* Timers of threads abandoned at shutdown must not fire in a later run. */
    pthread_mutex_lock(&T.lock);
    for (size_t i = 0; i < T.n; i++) T.heap[i]->index = -1;
    T.n = 0;
    pthread_mutex_unlock(&T.lock);
    pthread_cond_destroy(&T.cond);
}

/* ---- Sleep ---- */
static void sleep_fire(LtTimer *t) { lt_ready((LangThread *)t->arg); }
static void sleep_arm(void *arg) { lt_timer_add((LtTimer *)arg); }

void lang_sleep_ns(int64_t ns) {
    if (ns <= 0) {
        lang_yield();
        return;
    }
    LtTimer t = {lang_now_ns() + ns, -1, sleep_fire, lt_current()};
    lt_park(sleep_arm, &t);
}
