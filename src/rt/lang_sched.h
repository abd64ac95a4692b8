/* lang_sched.h: the public C API of the lightweight-thread runtime (M:N, work stealing).
 *
 * Everything here may be called from code running on a lightweight thread (a "thread" in
 * the runtime's glossary, see sched.c). Operations that wait (channel send/receive,
 * select, join, Sleep, Mutex lock, WaitGroup wait) park the lightweight thread and never
 * block the OS worker that runs it. Non-blocking calls (lang_spawn, lang_chan_try_*,
 * lang_chan_close) may also be made from plain OS threads.
 * Design and invariants: doc/concurrency.md.
 */
#ifndef LANG_SCHED_H
#define LANG_SCHED_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- bootstrap ----
 * Starts the scheduler (LANG_THREADS workers, default: one per core), runs fn(ctx, arg) on
 * the main lightweight thread (8 MiB stack) and returns its result as soon as it returns.
 * Other lightweight threads are not waited for: the workers are told to stop at their
 * next scheduling point and threads still blocked are abandoned. Prints statistics to
 * stderr when LANG_SCHED_STATS=1. Not reentrant; may be called again after it returned. */
int64_t lang_sched_run_main(int64_t (*fn)(void *ctx, void *arg), void *ctx, void *arg);

/* Global deadlock detection for the next lang_sched_run_main (compiled programs turn it on
 * in bootstrap.c; off by default for embedders). When every worker is idle (so no thread
 * runs, and none is inside a system or foreign call), no thread is queued, no timer is
 * pending (Sleep, select timeouts), and Main has not returned, nothing can ever wake the
 * parked threads: the run panics "all threads are asleep - deadlock!" with Main's trace,
 * exit 101. A run in which any plain OS thread (not a worker, not the timer monitor) has
 * spawned, parked or woken a thread is never reported: such a thread may act again. */
void lang_sched_detect_deadlock(int on);

/* ---- counted handles ----
 * Every handle compiled code holds (Channel, Task, WaitGroup, Mutex, Mutex<T>, Atomic) is
 * reference counted: it starts with a LangRc, a new handle has count 1 (its creator's),
 * lang_handle_retain adds one for each copy and lang_handle_release drops one; the last
 * release destroys the object (destroy(ctx, self)). Counts are atomic: handles cross
 * threads (spawn arguments, channels of channels). ctx is the releasing thread's
 * LangContext (for element drops, which may run destructors), or NULL: the runtime then
 * makes a context for the drops. lang_*_free destroy a handle whatever its count (for C
 * code that never counts). A drop function drops one value in place: drop(ctx, &value). */
typedef void (*LangDropFn)(void *ctx, void *value);
typedef struct LangRc {
    int64_t count;
    void (*destroy)(void *ctx, void *self);
} LangRc;
void lang_handle_retain(void *h);             /* h may be NULL */
void lang_handle_release(void *ctx, void *h); /* h may be NULL */
int64_t lang_handle_count(const void *h);     /* the current count (tests) */
int64_t lang_handles_live(void);              /* counted handles made and not destroyed yet */

/* ---- spawning ----
 * Starts fn(copy) on a new lightweight thread, where copy is a private copy of the
 * arg_size bytes at arg (arg may be NULL when arg_size is 0; the copy is 16-byte aligned).
 * The stack is allocated when the thread first runs. */
void lang_spawn(void (*fn)(void *arg), void *arg, size_t arg_size);

/* Task<T>: spawn with a result. fn(arg_copy, result) writes result_size bytes to result.
 * lang_task_join parks until fn has returned and copies the result to out (may be NULL);
 * a second join of the same task (from any thread) panics "task already joined". */
typedef struct LangTask LangTask;
LangTask *lang_task_spawn(void (*fn)(void *arg, void *result), void *arg, size_t arg_size,
                          size_t result_size);
void lang_task_join(LangTask *t, void *out);
/* A task is counted like every handle: lang_task_spawn's result holds one reference and
 * the running thread another until fn has returned, so dropping the last handle never
 * frees a running task. A result never joined is dropped with drop (if set) when the task
 * is destroyed. */
void lang_task_set_drop(LangTask *t, LangDropFn drop);

/* Lets other threads run; the caller is requeued on the global run queue. */
void lang_yield(void);
/* Id of the running lightweight thread (main is 1), 0 on a plain OS thread. */
uint64_t lang_thread_id(void);

/* ---- preemption ----
 * lang_preempt_flag is per OS worker (thread-local); the monitor sets it when the current
 * lightweight thread has run for more than ~10 ms. Compiled code checks it at loop
 * back-edges and function entries:
 *     cmpl $0, %fs:lang_preempt_flag@tpoff ; jne -> call lang_preempt_check
 * Re-read it each time (a thread may move to another worker at any yield). */
extern __thread uint32_t lang_preempt_flag;
void lang_preempt_check(void); /* yields if the flag is set (and clears it) */
/* How many workers have their flag set. The Lang compiler's check (src/ir/preempt.cpp)
 * is `cmpl $0, lang_preempt_pending(%rip); jne -> call lang_preempt_check`: a plain
 * global needs no TLS support in the backend or the object writer. */
extern uint32_t lang_preempt_pending;

/* ---- channels ----
 * Channel<T> for any T of elem_size bytes; capacity 0 is unbuffered (a send waits for a
 * receiver). Sending on a closed channel panics; receiving from a closed, drained channel
 * gives the zero value and false. */
typedef struct LangChan LangChan;
LangChan *lang_chan_new(size_t elem_size, size_t capacity);
/* Elements still buffered when the channel is destroyed are dropped with drop. */
void lang_chan_set_drop(LangChan *ch, LangDropFn drop);
void lang_chan_free(LangChan *ch);                 /* no thread may still use it */
void lang_chan_send(LangChan *ch, const void *elem);
bool lang_chan_recv(LangChan *ch, void *out);      /* out may be NULL: value dropped */
bool lang_chan_try_send(LangChan *ch, const void *elem); /* false: would block */
/* TryReceive: returns 1 with a value, 0 if it would block, -1 if closed and drained
 * (out is then zeroed). */
int lang_chan_try_recv(LangChan *ch, void *out);
void lang_chan_close(LangChan *ch);                /* closing twice panics */
size_t lang_chan_len(LangChan *ch);
size_t lang_chan_cap(LangChan *ch);
/* Timeout(d): a channel of int64 that receives the expiry time once, after ns
 * nanoseconds. Free it with lang_chan_free (which also stops the timer). */
LangChan *lang_timeout_chan(int64_t ns);

/* ---- select ----
 * Waits until one of the cases can proceed and performs exactly that one. Among ready
 * cases the choice is uniformly random. Cases whose ch is NULL are ignored.
 * Returns the index of the case taken, LANG_SELECT_DEFAULT if has_default and no case was
 * ready, or LANG_SELECT_TIMEOUT if timeout_ns >= 0 elapsed first (timeout_ns < 0: none). */
enum { LANG_SELECT_SEND = 1, LANG_SELECT_RECV = 2 };
enum { LANG_SELECT_DEFAULT = -1, LANG_SELECT_TIMEOUT = -2 };
typedef struct LangSelectCase {
    LangChan *ch;
    int32_t dir;       /* LANG_SELECT_SEND or LANG_SELECT_RECV */
    bool ok;           /* out, receive: false when the value came from a closed channel */
    void *elem;        /* send: the value; receive: where it goes (may be NULL) */
} LangSelectCase;
int64_t lang_select(LangSelectCase *cases, size_t n, bool has_default, int64_t timeout_ns);

/* ---- time ---- */
int64_t lang_now_ns(void);            /* CLOCK_MONOTONIC */
void lang_sleep_ns(int64_t ns);       /* parks the thread; ns <= 0 just yields */

/* ---- WaitGroup ---- */
typedef struct LangWaitGroup LangWaitGroup;
LangWaitGroup *lang_wg_new(void);
void lang_wg_free(LangWaitGroup *wg);
void lang_wg_add(LangWaitGroup *wg, int64_t delta); /* counter < 0 panics */
void lang_wg_done(LangWaitGroup *wg);
void lang_wg_wait(LangWaitGroup *wg);

/* ---- Mutex (Mutex<T> wraps one) ----
 * Lock parks the thread when contended; Unlock hands the lock to the longest waiter. */
typedef struct LangMutex LangMutex;
LangMutex *lang_mutex_new(void);
void lang_mutex_free(LangMutex *m);
void lang_mutex_lock(LangMutex *m);
bool lang_mutex_try_lock(LangMutex *m);
void lang_mutex_unlock(LangMutex *m);
/* Mutex<T>: one counted block, {LangRc, LangMutex *mutex @16, LangDropFn drop @24, the
 * value @32 (value_size bytes, zeroed)}; the value is dropped with drop (if set) and the
 * mutex freed when the last reference goes. */
enum { LANG_MUTEX_DATA_MUTEX = 16, LANG_MUTEX_DATA_VALUE = 32 };
void *lang_mutex_data_new(size_t value_size, LangDropFn drop);

/* ---- atomics (sequentially consistent) ---- */
typedef struct LangAtomic LangAtomic;      /* a counted cell holding an int64 */
LangAtomic *lang_atomic_new(int64_t init); /* Lang's `new Atomic(v)` */
void lang_atomic_free(LangAtomic *a);
int64_t lang_atomic_load(const LangAtomic *a);
void lang_atomic_store(LangAtomic *a, int64_t v);
int64_t lang_atomic_add(LangAtomic *a, int64_t delta);     /* returns the new value */
int64_t lang_atomic_exchange(LangAtomic *a, int64_t v);    /* returns the old value */
bool lang_atomic_cas(LangAtomic *a, int64_t *expected, int64_t desired);

/* ---- stack overflow ----
 * Every worker runs with an alternate signal stack. If the core runtime's fault handler
 * is linked in (stacktrace.c), lang_sched_run_main installs it and the scheduler keeps its
 * per-OS-thread stack bounds current (lang_rt_set_stack_bounds on every switch), so that
 * handler reports "panic: stack overflow" + trace, exit 101. Otherwise the scheduler
 * installs its own SA_ONSTACK SIGSEGV/SIGBUS handler doing the same, chained to the
 * previous handler for other faults. Any other SIGSEGV handler must use SA_ONSTACK and
 * can ask: */
int lang_sched_guard_hit(void *fault_addr); /* 1 if fault_addr is in a stack guard */

/* ---- statistics (also printed at exit with LANG_SCHED_STATS=1) ---- */
typedef struct LangSchedStats {
    uint64_t spawned, switches, steals, parks, preemptions, stacks_mapped, workers;
} LangSchedStats;
void lang_sched_stats(LangSchedStats *out);

#ifdef __cplusplus
}
#endif
#endif
