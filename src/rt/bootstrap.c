/* bootstrap.c: the program's main(): set up the runtime, run lang_main, exit.
 *
 * Sequence (runtime-seed.md, "Runtime Bootstrapping Process"):
 *   0. C's stdout line-buffered (C output through FFI in order with Console, spec 10.9)
 *   1. lang_rt_init: default allocator (LANG_LEAKS), console, type registration, fault
 *      handlers
 *   2. the root context (default allocator, its own temp allocator, gc_enabled = 1)
 *   3. args: string[] of argv[1..] (C#: the program name is not an argument)
 *   4. lang_rt_start_main: runs lang_main(ctx, args) on the main lightweight thread
 *      through the scheduler (lang_sched_run_main)
 *   5. free args and the context, flush stdout, leak report, exit(status & 0xff)
 *
 * Invariants: this object file defines main and nothing any other code refers to, so a
 * test binary with its own main never pulls it out of liblangrt.a. The main lightweight
 * thread's stack is LANG_MAIN_STACK_MB MiB (default 64) with a guard page below it; the
 * fault handler reports a fault there as a stack overflow.
 */
#ifndef LANG_RT_NO_MAIN
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "rt_internal.h"
#include "lang_sched.h"

/* Runs on the main lightweight thread (its stack: LANG_MAIN_STACK_MB, default 64 MiB,
 * with a guard page; see sched.c). */
static int64_t call_lang_main(void *ctx, void *args) { return lang_main(ctx, args); }

static int64_t lang_rt_start_main(LangContext *ctx, LangArray *args) {
    lang_sched_detect_deadlock(1); /* a program that can never go on panics (spec 10.1) */
    return lang_sched_run_main(call_lang_main, ctx, args);
}

int main(int argc, char **argv) {
    /* C's stdout (printf through FFI) writes each line when it ends, so that it comes
     * out in order with Lang's Console, which is written out before every C call. */
    setvbuf(stdout, NULL, _IOLBF, 0);
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
