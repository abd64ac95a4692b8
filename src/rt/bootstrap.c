/* bootstrap.c: the program's main(): set up the runtime, run lang_main, exit.
 *
 * Sequence (runtime-seed.md, "Runtime Bootstrapping Process"):
 *   1. lang_rt_init: default allocator (LANG_LEAKS), console, type registration, fault
 *      handlers
 *   2. the root context (default allocator, its own temp allocator, gc_enabled = 1)
 *   3. args: string[] of argv[1..] (C#: the program name is not an argument)
 *   4. lang_rt_start_main: runs lang_main(ctx, args) on the main stack  <- the hook
 *   5. free args and the context, flush stdout, leak report, exit(status & 0xff)
 * The hook is the one function the scheduler replaces to run lang_main on the main
 * lightweight thread instead of a plain pthread (see doc/runtime.md).
 *
 * Invariants: this object file defines main and nothing any other code refers to, so a
 * test binary with its own main never pulls it out of liblangrt.a. The main stack is an
 * mmap'd region of LANG_MAIN_STACK_MB MiB (default 64) with a PROT_NONE guard region
 * below it; the fault handler reports a fault in the guard region as a stack overflow.
 */
#ifndef LANG_RT_NO_MAIN
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "rt_internal.h"

enum { kGuardBytes = 1 << 20 }; /* big enough that one large frame cannot jump over it */

typedef struct MainCall {
    LangContext *ctx;
    LangArray *args;
    int64_t status;
    uintptr_t guard_lo, lo, hi;
} MainCall;

static void *main_thread(void *arg) {
    MainCall *call = arg;
    lang_rt_set_stack_bounds(call->guard_lo, call->lo, call->hi);
    lang_rt_thread_init_signals();
    call->status = lang_main(call->ctx, call->args);
    return NULL;
}

static size_t main_stack_bytes(void) {
    const char *e = getenv("LANG_MAIN_STACK_MB");
    long mb = e ? strtol(e, NULL, 10) : 0;
    if (mb < 64) mb = 64;
    return (size_t)mb << 20;
}

/* THE HOOK: runs lang_main on a pthread whose stack is a fresh mmap'd region with a guard
 * below it, and returns lang_main's status. The concurrency runtime replaces this body
 * with "create the main lightweight thread for lang_main, run the scheduler until it
 * returns". */
static int64_t lang_rt_start_main(LangContext *ctx, LangArray *args) {
    size_t size = main_stack_bytes();
    char *region = mmap(NULL, size + kGuardBytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (region == MAP_FAILED) lang_panicf("cannot map a %zu MiB main stack", size >> 20);
    mprotect(region, kGuardBytes, PROT_NONE);
    MainCall call = {ctx, args, 0, (uintptr_t)region, (uintptr_t)region + kGuardBytes,
                     (uintptr_t)region + kGuardBytes + size};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstack(&attr, region + kGuardBytes, size);
    pthread_t thread;
    if (pthread_create(&thread, &attr, main_thread, &call) != 0) lang_panic("cannot start the main thread");
    pthread_join(thread, NULL);
    pthread_attr_destroy(&attr);
    munmap(region, size + kGuardBytes);
    return call.status;
}

int main(int argc, char **argv) {
    lang_rt_init();
    lang_rt_thread_init_signals();
    LangContext ctx;
    lang_context_init_root(&ctx);
    LangArray *args = lang_rt_make_args(&ctx, argc, argv);
    int64_t status = lang_rt_start_main(&ctx, args);
    lang_rt_free_args(&ctx, args);
    lang_context_fini(&ctx);
    lang_rt_exit(status);
}
#endif
