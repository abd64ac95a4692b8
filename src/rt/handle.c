/* handle.c: reference counts of the concurrency handles (lang_sched.h "counted handles").
 *
 * Channel, Task, WaitGroup, Mutex, Mutex<T> and Atomic objects start with a LangRc
 * {count, destroy}. Compiled code treats a handle like a string (src/ir/lower_own.cpp): a
 * copy retains, an overwritten or ended owner releases, and the last release runs the
 * kind's destroy (chan.c, sched.c, sync.c), which drops what the object still holds
 * (buffered elements, an unjoined task result, a Mutex<T>'s value) and frees it.
 *
 * Invariants: count > 0 while the object is reachable; the thread that takes it to 0 is
 * the only one left that can reach it, so destroy needs no lock. As for strings, a
 * release that sees count 1 owns the last reference and skips the locked decrement.
 * `live` counts handles made by lt_handle_init and not destroyed yet (tests, leak checks).
 */
#include "lt_sched.h"
#include "rt_internal.h"

static int64_t live;

void lt_handle_init(LangRc *rc, void (*destroy)(void *ctx, void *self)) {
    rc->count = 1;
    rc->destroy = destroy;
    __atomic_add_fetch(&live, 1, LT_RELAXED);
}

void lt_handle_gone(void) { __atomic_sub_fetch(&live, 1, LT_RELAXED); }

int64_t lang_handles_live(void) { return __atomic_load_n(&live, LT_RELAXED); }

void lang_handle_retain(void *h) {
    if (h) __atomic_add_fetch(&((LangRc *)h)->count, 1, LT_RELAXED);
}

void lang_handle_release(void *ctx, void *h) {
    if (!h) return;
    LangRc *rc = h;
    int64_t n = __atomic_load_n(&rc->count, LT_ACQUIRE);
    if (n <= 0) lang_panic("handle release: not a counted handle (or released twice)");
    if (n != 1 && __atomic_sub_fetch(&rc->count, 1, LT_ACQ_REL) != 0) return;
    rc->count = 0;
    rc->destroy(ctx, h);
}

int64_t lang_handle_count(const void *h) { return h ? __atomic_load_n(&((const LangRc *)h)->count, LT_ACQUIRE) : 0; }

void lt_run_drop(void *ctx, LangDropFn drop, void *value) {
    if (!drop) return;
    if (ctx) {
        drop(ctx, value);
        return;
    }
    LangContext c;
    lang_context_init_child(&c, NULL);
    drop(&c, value);
    lang_context_fini(&c);
}
