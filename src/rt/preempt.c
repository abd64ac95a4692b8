/* preempt.c: cooperative preemption of lightweight threads.
 *
 * Compiled code tests the thread-local lang_preempt_flag at loop back-edges and function
 * entries and calls lang_preempt_check (sched.c) when it is set, which yields. The monitor
 * (timer.c) calls lt_preempt_scan every ~5 ms: a worker whose switch counter (tick) has
 * not moved while it was running a thread for more than PREEMPT_NS gets its flag set,
 * as Go's sysmon does with schedtick. Reading a counter instead of timestamps keeps the
 * switch path free of clock reads.
 *
 * Invariants: only the monitor thread touches seen_tick/seen_since (no lock needed);
 * the flag is only a hint: setting it on a worker that has already switched costs one
 * spurious yield at most.
 */
#include "lt_sched.h"

#define PREEMPT_NS 10000000LL
#define MAXW 256

static uint64_t seen_tick[MAXW];
static int64_t seen_since[MAXW];

void lt_preempt_scan(int64_t now) {
    uint32_t n = lt_nworkers();
    for (uint32_t i = 0; i < n && i < MAXW; i++) {
        LangWorker *w = lt_worker_at(i);
        uint64_t tick = lt_worker_tick(w);
        if (!lt_worker_running(w) || tick != seen_tick[i]) {
            seen_tick[i] = tick;
            seen_since[i] = now;
            continue;
        }
        if (now - seen_since[i] >= PREEMPT_NS) {
            lt_worker_preempt(w);
            seen_since[i] = now; /* ask again only after another slice */
        }
    }
}
