/* ffi.c: the context of Lang code that C calls (spec 10.9): callbacks and export "C".
 *
 * Lang functions take the context as a hidden first argument; C does not pass one. A
 * C-ABI thunk (made by the compiler for each Lang function passed to C as a function
 * pointer, and the body of each export "C" function) asks lang_ffi_ctx() for it:
 *
 *   - a call of a C function that takes a callback is wrapped by the compiler in
 *     lang_ffi_enter(ctx) / lang_ffi_leave(previous): while it runs, the calling
 *     lightweight thread (LangThread::ffi_ctx, which moves with it between OS threads) or,
 *     off the scheduler, the OS thread records the caller's context; a callback that C
 *     makes during that call (on that thread) runs with it: same allocator, same temp
 *     allocator, same logger;
 *   - otherwise (C calls the function later, from a thread of its own, or a C program
 *     calls an export "C" function) each OS thread gets a root context of its own, made
 *     on first use, after the runtime is set up (lang_rt_init: allocators, console, type
 *     tables); Lang's stdout buffer is written out at exit (atexit) and before each
 *     return to C from an export "C" function (lang_ffi_return), so C's and Lang's output
 *     come out in order.
 */
#include <pthread.h>
#include <stdlib.h>
#include "rt_internal.h"
#include "lt_sched.h"

static __thread LangContext *tl_entered; /* off the scheduler: the context of the C call */
static __thread LangContext *tl_root;    /* this OS thread's own context (made on first use) */

static LangContext **entered_slot(void) {
    LangThread *t = lt_running_thread();
    return t ? (LangContext **)&t->ffi_ctx : &tl_entered;
}

void *lang_ffi_enter(LangContext *ctx) {
    LangContext **slot = entered_slot();
    LangContext *old = *slot;
    *slot = ctx;
    return old;
}

void lang_ffi_leave(void *previous) { *entered_slot() = previous; }

static void setup_once(void) { lang_rt_init(); /* (the console flushes at exit) */ }

static void free_root(void *p) {
    lang_context_fini(p);
    free(p);
}

static pthread_key_t root_key;
static void root_key_init(void) { pthread_key_create(&root_key, free_root); }

LangContext *lang_ffi_ctx(void) {
    LangContext *c = *entered_slot();
    if (c) return c;
    if (tl_root) return tl_root;
    static pthread_once_t once = PTHREAD_ONCE_INIT, key_once = PTHREAD_ONCE_INIT;
    pthread_once(&once, setup_once);
    pthread_once(&key_once, root_key_init);
    c = malloc(sizeof *c);
    if (!c) abort();
    lang_context_init_root(c);
    tl_root = c;
    pthread_setspecific(root_key, c); /* finished when the thread ends */
    return c;
}

/* An export "C" function returns to C: Lang's buffered stdout goes out first when it was
 * entered from C itself (not from inside a Lang program's C call). */
void lang_ffi_return(LangContext *ctx) {
    if (ctx == tl_root) lang_console_flush();
}
