/* switch_ucontext.c: the portable context switch (build with -DLANG_UCONTEXT), for
 * architectures without a switch.S and for debugging. Same interface as the assembly
 * version (switch.h); slower, because swapcontext also saves and restores the signal mask
 * with a system call. The ucontext_t of a lightweight thread is carved from the top of its
 * own stack, so the thread struct stays small.
 */
#ifdef LANG_UCONTEXT
#define _GNU_SOURCE
#include "switch.h"
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

typedef struct UcStart {
    void (*entry)(void *);
    void *arg;
} UcStart;

static void uc_entry(unsigned hi, unsigned lo) {
    UcStart *s = (UcStart *)(((uintptr_t)hi << 32) | (uintptr_t)lo);
    s->entry(s->arg); /* never returns */
    abort();
}

void lang_ctx_make(LangCtx *c, void *lo, size_t size, void (*entry)(void *), void *arg) {
    uintptr_t top = ((uintptr_t)lo + size) & ~(uintptr_t)15;
    ucontext_t *uc = (ucontext_t *)((top - sizeof(ucontext_t)) & ~(uintptr_t)15);
    UcStart *s = (UcStart *)(((uintptr_t)uc - sizeof(UcStart)) & ~(uintptr_t)15);
    s->entry = entry;
    s->arg = arg;
    getcontext(uc);
    uc->uc_link = NULL;
    uc->uc_stack.ss_sp = lo;
    uc->uc_stack.ss_size = (size_t)((uintptr_t)s - (uintptr_t)lo - 16);
    uintptr_t p = (uintptr_t)s;
    makecontext(uc, (void (*)(void))uc_entry, 2, (unsigned)(p >> 32), (unsigned)(p & 0xffffffffu));
    c->uc = uc;
    c->sp = NULL;
}

void lang_ctx_init_host(LangCtx *c) {
    c->uc = calloc(1, sizeof(ucontext_t));
    c->sp = NULL;
}

void lang_ctx_free(LangCtx *c) {
    free(c->uc);
    c->uc = NULL;
}

void lang_ctx_switch(LangCtx *from, LangCtx *to) { swapcontext(from->uc, to->uc); }
#else
typedef int lang_switch_ucontext_unused; /* ISO C: no empty translation units */
#endif
