/* deque.c: the Chase-Lev work-stealing deque, in the C11 formulation of Lê, Pop, Cohen and
 * Zappa Nardelli, "Correct and Efficient Work-Stealing for Weak Memory Models" (PPoPP 2013),
 * figure 1.
 *
 * Invariants: only the owner writes `bottom` and `array`; `top` only grows, and only by a
 * successful CAS (by a thief, or by the owner taking the last element); the live elements
 * are buf[top .. bottom-1] (mod size). Arrays are never freed while the deque lives (a
 * thief may still read an old one); the chain is freed by lt_deque_destroy.
 *
 * One deliberate change from the paper: push publishes `bottom` with a release store
 * instead of "release fence; relaxed store". A thief's acquire load of bottom synchronizes
 * with it either way, and ThreadSanitizer (which ignores fences) then sees the hand-off of
 * the element. The two seq_cst fences of take and steal are kept as in the paper.
 */
#include "lt_sched.h"
#include <stdlib.h>

static LtDequeArray *array_new(int64_t size, LtDequeArray *prev) {
    LtDequeArray *a = malloc(sizeof(LtDequeArray) + (size_t)size * sizeof(void *));
    if (!a) lt_fatal("out of memory (deque)");
    a->size = size;
    a->prev = prev;
    return a;
}

void lt_deque_init(LtDeque *q, int log_size) {
    q->top = 0;
    q->bottom = 0;
    q->array = array_new((int64_t)1 << log_size, NULL);
}

void lt_deque_destroy(LtDeque *q) {
    LtDequeArray *a = q->array;
    while (a) {
        LtDequeArray *p = a->prev;
        free(a);
        a = p;
    }
    q->array = NULL;
}

static LtDequeArray *grow(LtDeque *q, LtDequeArray *a, int64_t t, int64_t b) {
    LtDequeArray *n = array_new(a->size * 2, a);
    for (int64_t i = t; i < b; i++)
        lt_store(&n->buf[i & (n->size - 1)], lt_load(&a->buf[i & (a->size - 1)], LT_RELAXED), LT_RELAXED);
    lt_store(&q->array, n, LT_RELEASE);
    return n;
}

void lt_deque_push(LtDeque *q, void *x) {
    int64_t b = lt_load(&q->bottom, LT_RELAXED);
    int64_t t = lt_load(&q->top, LT_ACQUIRE);
    LtDequeArray *a = lt_load(&q->array, LT_RELAXED);
    if (b - t > a->size - 1) a = grow(q, a, t, b);
    lt_store(&a->buf[b & (a->size - 1)], x, LT_RELAXED);
    lt_store(&q->bottom, b + 1, LT_RELEASE); /* paper: fence(release); store relaxed */
}

void *lt_deque_take(LtDeque *q) {
    int64_t b = lt_load(&q->bottom, LT_RELAXED) - 1;
    LtDequeArray *a = lt_load(&q->array, LT_RELAXED);
    lt_store(&q->bottom, b, LT_RELAXED);
    __atomic_thread_fence(LT_SEQ_CST);
    int64_t t = lt_load(&q->top, LT_RELAXED);
    void *x;
    if (t <= b) {
        x = lt_load(&a->buf[b & (a->size - 1)], LT_RELAXED);
        if (t == b) { /* the last element: race the thieves for it */
            if (!__atomic_compare_exchange_n(&q->top, &t, t + 1, false, LT_SEQ_CST, LT_RELAXED))
                x = NULL;
            lt_store(&q->bottom, b + 1, LT_RELEASE); /* paper: relaxed */
        }
    } else {
        x = NULL;
        lt_store(&q->bottom, b + 1, LT_RELEASE); /* paper: relaxed */
    }
    return x;
}

void *lt_deque_steal(LtDeque *q) {
    int64_t t = lt_load(&q->top, LT_ACQUIRE);
    __atomic_thread_fence(LT_SEQ_CST);
    int64_t b = lt_load(&q->bottom, LT_ACQUIRE);
    if (t >= b) return NULL;
    /* paper: consume; acquire is what compilers implement it as */
    LtDequeArray *a = lt_load(&q->array, LT_ACQUIRE);
    void *x = lt_load(&a->buf[t & (a->size - 1)], LT_RELAXED);
    if (!__atomic_compare_exchange_n(&q->top, &t, t + 1, false, LT_SEQ_CST, LT_RELAXED))
        return LT_DEQUE_ABORT;
    return x;
}

int64_t lt_deque_size(LtDeque *q) {
    int64_t b = lt_load(&q->bottom, LT_ACQUIRE);
    int64_t t = lt_load(&q->top, LT_ACQUIRE);
    return b > t ? b - t : 0;
}
