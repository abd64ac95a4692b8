/* select.c: `select` over any mix of sends and receives, with default and timeout.
 *
 * Algorithm (Go's selectgo): shuffle the cases (uniformly random poll order: fair choice
 * among ready cases), lock every distinct channel in address order (the global lock order,
 * so two selects cannot deadlock), and take the first ready case in poll order. If none is
 * ready and there is no default, put one waiter per case on its channel's queue, all
 * pointing at one `done` word, and park. A waker completes a waiter only if its CAS of
 * done from -1 to the case index succeeds, so exactly one case happens. After waking,
 * lock everything again and unlink the waiters that are still queued.
 * A timeout is one more receive case on a Timeout channel (chan.c).
 *
 * Invariants: the parked select's arrays live on its stack; the unlock callback reads
 * them only while it still holds the lock the resumed select would need next (see
 * unlock_all_after_park), so it never touches a frame that has returned.
 */
#include "lt_chan.h"
#include <stdlib.h>
#include <string.h>

enum { SMALL = 16 };

typedef struct LockSet {
    LangChan **locks;   /* distinct channels, ascending address */
    size_t n;
} LockSet;

static void lock_all(LockSet *s) {
    for (size_t i = 0; i < s->n; i++) lt_lock(&s->locks[i]->lock);
}

static void unlock_all(LockSet *s) {
    for (size_t i = 0; i < s->n; i++) lt_unlock(&s->locks[i]->lock);
}

/* Runs on g0 after the select parked. Releases in ascending order; the resumed select
 * re-locks in ascending order, so while we still hold locks[i] it cannot have returned and
 * locks[i] (on its stack) is safe to read. n is copied first; nothing is read after the
 * last unlock. */
static void unlock_all_after_park(void *arg) {
    LockSet *s = arg;
    size_t n = s->n;
    LangChan **locks = s->locks;
    for (size_t i = 0; i < n; i++) lt_unlock(&locks[i]->lock);
}

static int cmp_ptr(const void *a, const void *b) {
    uintptr_t x = (uintptr_t) * (LangChan *const *)a, y = (uintptr_t) * (LangChan *const *)b;
    return x < y ? -1 : x > y;
}

int64_t lang_select(LangSelectCase *cases, size_t n, bool has_default, int64_t timeout_ns) {
    LangChan *tmo = NULL;
    size_t total = n;
    if (timeout_ns > 0 && !has_default) {
        tmo = lang_timeout_chan(timeout_ns);
        total = n + 1;
    }
    size_t small_order[SMALL + 1];
    LangChan *small_locks[SMALL + 1];
    LtWaiter small_w[SMALL + 1];
    size_t *order = small_order;
    LangChan **locks = small_locks;
    LtWaiter *ws = small_w;
    if (total > SMALL + 1) {
        order = malloc(total * sizeof *order);
        locks = malloc(total * sizeof *locks);
        ws = malloc(total * sizeof *ws);
        if (!order || !locks || !ws) lt_fatal("out of memory (select)");
    }
#define CASE_CH(i) ((i) < n ? cases[i].ch : tmo)
#define CASE_DIR(i) ((i) < n ? cases[i].dir : LANG_SELECT_RECV)
#define CASE_ELEM(i) ((i) < n ? cases[i].elem : NULL)

    /* Poll order: Fisher-Yates over the enabled cases. */
    size_t m = 0;
    for (size_t i = 0; i < total; i++)
        if (CASE_CH(i)) order[m++] = i;
    for (size_t i = m; i > 1; i--) {
        size_t j = (size_t)(lt_rand() % i), tmp = order[i - 1];
        order[i - 1] = order[j];
        order[j] = tmp;
    }
    /* Lock order: distinct channels by address. */
    for (size_t i = 0; i < m; i++) locks[i] = CASE_CH(order[i]);
    qsort(locks, m, sizeof *locks, cmp_ptr);
    size_t nl = 0;
    for (size_t i = 0; i < m; i++)
        if (nl == 0 || locks[nl - 1] != locks[i]) locks[nl++] = locks[i];
    LockSet set = {locks, nl};

    int64_t result;
    LangThread *wake = NULL;
    lock_all(&set);
    for (size_t k = 0; k < m; k++) {
        size_t i = order[k];
        LangChan *ch = CASE_CH(i);
        if (CASE_DIR(i) == LANG_SELECT_RECV) {
            bool ok;
            if (lt_chan_recv_locked(ch, CASE_ELEM(i), &ok, &wake)) {
                if (i < n) cases[i].ok = ok;
                result = (int64_t)i;
                goto done_locked;
            }
        } else {
            int r = lt_chan_send_locked(ch, CASE_ELEM(i), &wake);
            if (r < 0) {
                unlock_all(&set);
                lt_fatal("send on closed channel");
            }
            if (r > 0) {
                result = (int64_t)i;
                goto done_locked;
            }
        }
    }
    if (has_default || timeout_ns == 0) {
        result = has_default ? LANG_SELECT_DEFAULT : LANG_SELECT_TIMEOUT;
        goto done_locked;
    }

    /* Park on every channel at once. */
    {
        int32_t done = -1;
        LangThread *self = lt_current();
        for (size_t k = 0; k < m; k++) {
            size_t i = order[k];
            LtWaiter *w = &ws[i];
            memset(w, 0, sizeof *w);
            w->t = self;
            w->elem = CASE_ELEM(i);
            w->sel_done = &done;
            w->case_index = (int32_t)i;
            LangChan *ch = CASE_CH(i);
            lt_waitq_push(CASE_DIR(i) == LANG_SELECT_RECV ? &ch->recvq : &ch->sendq, w);
        }
        lt_park(unlock_all_after_park, &set); /* m == 0 (select {}): parks forever */
        int32_t win = __atomic_load_n(&done, LT_ACQUIRE);
        lock_all(&set);
        for (size_t k = 0; k < m; k++) {
            size_t i = order[k];
            if (ws[i].queued) {
                LangChan *ch = CASE_CH(i);
                lt_waitq_remove(CASE_DIR(i) == LANG_SELECT_RECV ? &ch->recvq : &ch->sendq, &ws[i]);
            }
        }
        unlock_all(&set);
        size_t wi = (size_t)win;
        LtWaiter *w = &ws[wi];
        if (CASE_DIR(wi) == LANG_SELECT_SEND) {
            if (!w->ok) lt_fatal("send on closed channel");
        } else if (wi < n) {
            cases[wi].ok = w->ok;
            if (!w->ok && cases[wi].elem) memset(cases[wi].elem, 0, cases[wi].ch->element_size);
        }
        result = win;
        goto finish;
    }

done_locked:
    unlock_all(&set);
    if (wake) lt_ready(wake);
finish:
    if (tmo) {
        if (result == (int64_t)n) result = LANG_SELECT_TIMEOUT;
        lang_chan_free(tmo);
    }
    if (order != small_order) {
        free(order);
        free(locks);
        free(ws);
    }
    return result;
#undef CASE_CH
#undef CASE_DIR
#undef CASE_ELEM
}
