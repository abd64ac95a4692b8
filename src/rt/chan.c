/* chan.c: channels (Channel<T>): buffered and unbuffered, close, try-receive, timeouts.
 *
 * Invariants:
 *   - At least one of recvq and sendq is empty. recvq is non-empty only when count == 0
 *     (receivers wait only for an empty channel); sendq only when count == capacity
 *     (for an unbuffered channel: always, since capacity == 0).
 *   - A closed channel has an empty sendq (close wakes every sender, which then panics)
 *     and an empty recvq (receivers wake with the zero value and ok == false).
 *   - Values move directly between a sender and a receiver when one of them is parked;
 *     the buffer keeps FIFO order: a receiver that finds a parked sender on a full buffer
 *     takes the oldest buffered element and moves the sender's value into the freed slot.
 *   - A waiter is unlinked (queued = 0) under ch->lock by whoever completes it; a select
 *     waiter is completed only by the one thread whose CAS on *sel_done succeeds, so a
 *     select performs exactly one case. The parked thread is readied only after the lock
 *     is dropped, so a receiver may free the channel as soon as it returns.
 *   - ch->lock is the only lock taken here; select.c takes several channel locks in
 *     address order; timer callbacks (timer lock) may take a channel lock, never the
 *     reverse.
 */
#include "lt_chan.h"
#include <stdlib.h>
#include <string.h>

void lt_waitq_push(LtWaitq *q, LtWaiter *w) {
    w->next = NULL;
    w->prev = q->tail;
    if (q->tail) q->tail->next = w; else q->head = w;
    q->tail = w;
    w->queued = 1;
}

void lt_waitq_remove(LtWaitq *q, LtWaiter *w) {
    if (w->prev) w->prev->next = w->next; else q->head = w->next;
    if (w->next) w->next->prev = w->prev; else q->tail = w->prev;
    w->next = w->prev = NULL;
    w->queued = 0;
}

/* Pops the first waiter that may be completed: plain waiters always, select waiters only
 * if this wins their select (stale ones are simply dropped from the queue). */
static LtWaiter *dequeue(LtWaitq *q) {
    for (;;) {
        LtWaiter *w = q->head;
        if (!w) return NULL;
        lt_waitq_remove(q, w);
        if (w->sel_done) {
            int32_t expect = -1;
            if (!__atomic_compare_exchange_n(w->sel_done, &expect, w->case_index, false,
                                             LT_ACQ_REL, LT_ACQUIRE))
                continue;
        }
        return w;
    }
}

static inline void *slot(LangChan *ch, size_t i) {
    return (char *)ch->buffer + i * ch->element_size;
}

static inline void copy_out(LangChan *ch, void *dst, const void *src) {
    if (dst) memcpy(dst, src, ch->element_size);
}

int lt_chan_recv_locked(LangChan *ch, void *out, bool *ok, LangThread **wake) {
    *wake = NULL;
    LtWaiter *s = dequeue(&ch->sendq);
    if (s) {
        if (ch->capacity == 0) {
            copy_out(ch, out, s->elem);
        } else { /* full buffer: oldest element out, the sender's value into its slot */
            copy_out(ch, out, slot(ch, ch->recv_index));
            memcpy(slot(ch, ch->recv_index), s->elem, ch->element_size);
            ch->recv_index = (ch->recv_index + 1) % ch->capacity;
            ch->send_index = ch->recv_index;
        }
        s->ok = 1;
        *wake = s->t;
        *ok = true;
        return 1;
    }
    if (ch->count > 0) {
        copy_out(ch, out, slot(ch, ch->recv_index));
        ch->recv_index = (ch->recv_index + 1) % ch->capacity;
        ch->count--;
        *ok = true;
        return 1;
    }
    if (ch->closed) {
        if (out) memset(out, 0, ch->element_size);
        *ok = false;
        return 1;
    }
    return 0;
}

int lt_chan_send_locked(LangChan *ch, const void *elem, LangThread **wake) {
    *wake = NULL;
    if (ch->closed) return -1;
    LtWaiter *r = dequeue(&ch->recvq);
    if (r) {
        copy_out(ch, r->elem, elem);
        r->ok = 1;
        *wake = r->t;
        return 1;
    }
    if (ch->count < ch->capacity) {
        memcpy(slot(ch, ch->send_index), elem, ch->element_size);
        ch->send_index = (ch->send_index + 1) % ch->capacity;
        ch->count++;
        return 1;
    }
    return 0;
}

static void chan_destroy(void *ctx, void *self) { lt_chan_destroy(ctx, self); }

LangChan *lang_chan_new(size_t elem_size, size_t capacity) {
    size_t head = (sizeof(LangChan) + 15) & ~(size_t)15;
    LangChan *ch = malloc(head + elem_size * capacity);
    if (!ch) lt_fatal("out of memory (channel)");
    memset(ch, 0, sizeof *ch);
    lt_handle_init(&ch->rc, chan_destroy);
    ch->buffer = (char *)ch + head;
    ch->element_size = elem_size;
    ch->capacity = capacity;
    return ch;
}

void lang_chan_set_drop(LangChan *ch, LangDropFn drop) { ch->drop = drop; }

/* No thread uses ch any more (its count is 0, or C code frees it): no lock needed. */
void lt_chan_destroy(void *ctx, LangChan *ch) {
    if (!ch) return;
    if (ch->timer) {
        lt_timer_stop(ch->timer); /* waits out a callback in progress: it holds the timer lock */
        free(ch->timer);
    }
    if (ch->drop)
        for (size_t i = 0; i < ch->count; i++)
            lt_run_drop(ctx, ch->drop, slot(ch, (ch->recv_index + i) % ch->capacity));
    free(ch);
    lt_handle_gone();
}

void lang_chan_free(LangChan *ch) { lt_chan_destroy(NULL, ch); }

static void unlock_chan(void *arg) { lt_unlock(&((LangChan *)arg)->lock); }

void lang_chan_send(LangChan *ch, const void *elem) {
    LangThread *wake;
    lt_lock(&ch->lock);
    int r = lt_chan_send_locked(ch, elem, &wake);
    if (r != 0) {
        lt_unlock(&ch->lock);
        if (r < 0) lt_fatal("send on closed channel");
        if (wake) lt_ready(wake);
        return;
    }
    LtWaiter w;
    memset(&w, 0, sizeof w);
    w.t = lt_current();
    w.elem = (void *)elem;
    lt_waitq_push(&ch->sendq, &w);
    lt_park(unlock_chan, ch);
    if (!w.ok) lt_fatal("send on closed channel");
}

bool lang_chan_recv(LangChan *ch, void *out) {
    LangThread *wake;
    bool ok;
    lt_lock(&ch->lock);
    if (lt_chan_recv_locked(ch, out, &ok, &wake)) {
        lt_unlock(&ch->lock);
        if (wake) lt_ready(wake);
        return ok;
    }
    LtWaiter w;
    memset(&w, 0, sizeof w);
    w.t = lt_current();
    w.elem = out;
    lt_waitq_push(&ch->recvq, &w);
    lt_park(unlock_chan, ch);
    if (!w.ok && out) memset(out, 0, ch->element_size); /* woken by close */
    return w.ok;
}

bool lang_chan_try_send(LangChan *ch, const void *elem) {
    LangThread *wake;
    lt_lock(&ch->lock);
    int r = lt_chan_send_locked(ch, elem, &wake);
    lt_unlock(&ch->lock);
    if (r < 0) lt_fatal("send on closed channel");
    if (wake) lt_ready(wake);
    return r > 0;
}

int lang_chan_try_recv(LangChan *ch, void *out) {
    LangThread *wake;
    bool ok;
    lt_lock(&ch->lock);
    int r = lt_chan_recv_locked(ch, out, &ok, &wake);
    lt_unlock(&ch->lock);
    if (wake) lt_ready(wake);
    if (!r) return 0;
    return ok ? 1 : -1;
}

void lang_chan_close(LangChan *ch) {
    lt_lock(&ch->lock);
    if (ch->closed) {
        lt_unlock(&ch->lock);
        lt_fatal("close of closed channel");
    }
    ch->closed = true;
    LtWaiter *wake = NULL, *w; /* chained through next once unlinked */
    while ((w = dequeue(&ch->recvq)) || (w = dequeue(&ch->sendq))) {
        w->ok = 0;
        w->next = wake;
        wake = w;
    }
    lt_unlock(&ch->lock);
    while (wake) {
        LtWaiter *next = wake->next; /* read first: the waiter dies once its thread runs */
        lt_ready(wake->t);
        wake = next;
    }
}

size_t lang_chan_len(LangChan *ch) {
    lt_lock(&ch->lock);
    size_t n = ch->count;
    lt_unlock(&ch->lock);
    return n;
}

size_t lang_chan_cap(LangChan *ch) { return ch->capacity; }

/* ---- Timeout(d) ---- */
static void timeout_fire(LtTimer *t) {
    int64_t now = lang_now_ns();
    lang_chan_try_send((LangChan *)t->arg, &now); /* capacity 1, sent once: never blocks */
}

LangChan *lang_timeout_chan(int64_t ns) {
    LangChan *ch = lang_chan_new(sizeof(int64_t), 1);
    LtTimer *t = calloc(1, sizeof *t);
    if (!t) lt_fatal("out of memory (timer)");
    t->when = lang_now_ns() + (ns > 0 ? ns : 0);
    t->fn = timeout_fire;
    t->arg = ch;
    t->index = -1;
    ch->timer = t;
    lt_timer_add(t);
    return ch;
}
