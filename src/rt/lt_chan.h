/* lt_chan.h: the channel layout and the locked primitives shared by chan.c and select.c.
 * Invariants: see the top of chan.c. */
#ifndef LANG_LT_CHAN_H
#define LANG_LT_CHAN_H
#include "lt_sched.h"

/* A thread waiting in a channel queue (Go's sudog). Lives on the waiting thread's stack. */
typedef struct LtWaiter {
    LangThread *t;
    struct LtWaiter *next, *prev;
    void *elem;           /* send: the value; receive: destination (may be NULL) */
    int32_t *sel_done;    /* NULL for a plain send/receive; else the select's "winner" word */
    int32_t case_index;   /* select case this waiter stands for */
    uint8_t ok;           /* set by the waker: 1 transferred, 0 woken by close */
    uint8_t queued;       /* 1 while linked into a queue */
} LtWaiter;

typedef struct LtWaitq {
    LtWaiter *head, *tail;
} LtWaitq;

/* The seed's Channel. The seed's condition variables not_empty / not_full become the queues
 * of parked receivers and senders (a condition variable would block the OS worker). */
struct LangChan {
    LangRc rc;            /* first: a counted handle (handle.c) */
    LangDropFn drop;      /* drops an element still buffered when the channel is destroyed */
    void *buffer;         /* capacity * element_size bytes, a ring */
    size_t element_size;
    size_t capacity;      /* 0: unbuffered */
    size_t count;         /* elements in buffer */
    size_t send_index;    /* next slot to write */
    size_t recv_index;    /* next slot to read */
    LtLock lock;          /* guards count, indexes, buffer contents, closed, recvq, sendq */
    bool closed;
    LtWaitq recvq;        /* parked receivers (non-empty only when count == 0) */
    LtWaitq sendq;        /* parked senders (non-empty only when count == capacity) */
    LtTimer *timer;       /* Timeout channels only */
};

void lt_waitq_push(LtWaitq *q, LtWaiter *w);
void lt_waitq_remove(LtWaitq *q, LtWaiter *w);
/* With ch->lock held. Return 1 when the operation completed (for receive also from a closed
 * channel: *ok = false and out zeroed), 0 when it would block; send returns -1 on a closed
 * channel. *wake receives a thread to lt_ready after unlocking (or NULL). */
int lt_chan_recv_locked(LangChan *ch, void *out, bool *ok, LangThread **wake);
int lt_chan_send_locked(LangChan *ch, const void *elem, LangThread **wake);
/* Destroys ch whatever its count: drops the buffered elements (ctx may be NULL). */
void lt_chan_destroy(void *ctx, LangChan *ch);
#endif
