/* stack.c: lightweight-thread stacks, the stack-overflow hook and the initial frame.
 *
 * A stack is one anonymous mmap (256 KiB by default, LANG_STACK_KB; MAP_NORESERVE: pages
 * are committed by the OS on first touch, so a blocked thread that used 1 KiB of stack
 * costs one 4 KiB page) with a
 * PROT_NONE guard below it. The LtStack descriptor sits in the top bytes of the stack.
 * Freed default-size stacks are kept on a per-OS-thread free list (LOCAL_CACHE) and then a
 * global one (GLOBAL_CACHE, guarded by cache_lock); beyond that they are unmapped.
 *
 * Guard pages cost a VMA each (the guard and the stack cannot merge), and the kernel caps
 * VMAs per process (vm.max_map_count, usually 65530). So at most `guard_budget` stacks
 * get a guard (about half of the cap); stacks beyond it are mapped without one (adjacent
 * unguarded mappings merge into few VMAs) and an overflow there is not detected.
 *
 * Overflow reporting: when the core runtime's fault handler is linked in (stacktrace.c),
 * the scheduler keeps its per-thread stack bounds current (lang_rt_set_stack_bounds) and
 * that handler prints "panic: stack overflow" + trace. Otherwise lt_signals_install puts
 * in our own SA_ONSTACK handler, which does the same using lang_sched_guard_hit and chains
 * to the previous handler for other faults.
 */
#define _GNU_SOURCE
#include "lt_sched.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

enum { LOCAL_CACHE = 64, GLOBAL_CACHE = 1024 };
#define SMALL_GUARD ((size_t)16 << 10)
#define BIG_GUARD ((size_t)1 << 20)   /* stacks >= 1 MiB (the main thread's) */
#define ALTSTACK_SIZE ((size_t)64 << 10)
/* Spawned threads reserve 256 KiB of address space each (LANG_STACK_KB: 16 KiB to
 * 1 GiB); only touched pages cost memory. Measured on 100,000 parked threads: RSS stays
 * ~4.3 KiB per thread (the 64 KiB default of before gave the same), page tables grow
 * from ~0.13 to ~0.5 KiB per thread (one page-table page maps 2 MiB of stacks), and
 * the recursion depth reachable in a spawned thread grows fourfold. */
#define DEFAULT_STACK_KB 256
#define MAX_STACK_KB (1L << 20)
/* A cached stack keeps its top KEEP_RESIDENT bytes resident; pages below that, touched
 * by a deep recursion, are given back before the stack is cached (trim_stack). */
#define KEEP_RESIDENT ((size_t)64 << 10)

static LtLock cache_lock;                 /* guards global_cache, global_n */
static LtStack *global_cache;
static uint32_t global_n;
static __thread LtStack *local_cache;     /* this OS thread's own, no lock */
static __thread uint32_t local_n;
static int64_t guarded_live;              /* atomic: stacks that have a guard now */
static int64_t guard_budget = -1;         /* atomic, computed once */
static size_t default_size;
uint64_t lt_stacks_mapped;                /* atomic statistic */

size_t lt_stack_default_size(void) {
    size_t s = lt_load(&default_size, LT_RELAXED);
    if (s) return s;
    const char *e = getenv("LANG_STACK_KB");
    long kb = e ? strtol(e, NULL, 10) : DEFAULT_STACK_KB;
    if (kb < 16) kb = 16;
    if (kb > MAX_STACK_KB) kb = MAX_STACK_KB;
    s = (((size_t)kb << 10) + 4095) & ~(size_t)4095;
    lt_store(&default_size, s, LT_RELAXED);
    return s;
}

static int64_t budget(void) {
    int64_t b = lt_load(&guard_budget, LT_RELAXED);
    if (b >= 0) return b;
    long max = 65530;
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    if (f) {
        if (fscanf(f, "%ld", &max) != 1) max = 65530;
        fclose(f);
    }
    b = max / 2 - 8192;
    if (b < 1024) b = 1024;
    lt_store(&guard_budget, b, LT_RELAXED);
    return b;
}

static LtStack *map_stack(size_t size) {
    size_t guard = size >= ((size_t)1 << 20) ? BIG_GUARD : SMALL_GUARD;
    int want_guard = __atomic_add_fetch(&guarded_live, 1, LT_RELAXED) <= budget();
    if (!want_guard) {
        __atomic_sub_fetch(&guarded_live, 1, LT_RELAXED);
        guard = 0;
    }
    size_t map_size = size + guard;
    char *p = mmap(NULL, map_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (p == MAP_FAILED) lt_fatal("out of memory (cannot map a thread stack)");
    if (guard && mprotect(p, guard, PROT_NONE) != 0) {
        /* Out of VMAs after all: keep the stack, without a guard. */
        __atomic_sub_fetch(&guarded_live, 1, LT_RELAXED);
        guard = 0;
    }
    LtStack *s = (LtStack *)(p + map_size - sizeof(LtStack));
    s->lo = p + guard;
    s->size = size - sizeof(LtStack);
    s->map_size = map_size;
    s->guard = (uint32_t)guard;
    s->next = NULL;
    __atomic_add_fetch(&lt_stacks_mapped, 1, LT_RELAXED);
    return s;
}

static void unmap_stack(LtStack *s) {
    if (s->guard) __atomic_sub_fetch(&guarded_live, 1, LT_RELAXED);
    char *top = (char *)s + sizeof(LtStack);
    munmap(top - s->map_size, s->map_size);
}

LtStack *lt_stack_alloc(size_t size) {
    size_t def = lt_stack_default_size();
    if (size == 0) size = def;
    if (size == def) {
        LtStack *s = local_cache;
        if (s) {
            local_cache = s->next;
            local_n--;
            return s;
        }
        if (lt_load(&global_n, LT_RELAXED)) {
            lt_lock(&cache_lock);
            /* Take up to half a local cache's worth at once. */
            for (int i = 0; i < LOCAL_CACHE / 2 && global_cache; i++) {
                LtStack *g = global_cache;
                global_cache = g->next;
                lt_store(&global_n, global_n - 1, LT_RELAXED);
                g->next = local_cache;
                local_cache = g;
                local_n++;
            }
            lt_unlock(&cache_lock);
            if ((s = local_cache)) {
                local_cache = s->next;
                local_n--;
                return s;
            }
        }
    }
    return map_stack(size);
}

/* A stack goes back to a cache with the pages its thread touched. The deep part is given
 * back to the OS when the thread used it: the 64 bytes just below the kept top part are
 * read (never-touched memory reads as zeros from the shared zero page; a frame that
 * crossed there left its return address or saved frame pointer), and only then madvise
 * runs, so shallow threads, the common case, cost no system call. Reading one cache line
 * instead of the whole page keeps 1M spawns as fast as without the check (a page scan
 * per free cost ~1.5 s there). A deep frame of 64 zero bytes at exactly that spot escapes
 * the check; its pages then stay resident, as every page did before. Not instrumented:
 * the bytes belong to a finished thread's stack. */
__attribute__((no_sanitize("address", "thread")))
static void trim_stack(LtStack *s) {
    char *top = (char *)s + sizeof(LtStack);
    char *keep = top - KEEP_RESIDENT;
    if (keep - 4096 < (char *)s->lo) return;
    const volatile uint64_t *probe = (const volatile uint64_t *)(keep - 64);
    for (int i = 0; i < 8; i++) {
        if (probe[i]) {
            madvise(s->lo, (size_t)(keep - (char *)s->lo), MADV_DONTNEED);
            return;
        }
    }
}

void lt_stack_free(LtStack *s) {
    if (s->size + sizeof(LtStack) != lt_stack_default_size()) {
        unmap_stack(s);
        return;
    }
    trim_stack(s);
    if (local_n < LOCAL_CACHE) {
        s->next = local_cache;
        local_cache = s;
        local_n++;
        return;
    }
    lt_lock(&cache_lock);
    if (global_n < GLOBAL_CACHE) {
        s->next = global_cache;
        global_cache = s;
        lt_store(&global_n, global_n + 1, LT_RELAXED);
        s = NULL;
    }
    lt_unlock(&cache_lock);
    if (s) unmap_stack(s);
}

void lt_stack_cache_drain(void) {
    while (local_cache) {
        LtStack *s = local_cache;
        local_cache = s->next;
        unmap_stack(s);
    }
    local_n = 0;
    lt_lock(&cache_lock);
    LtStack *g = global_cache;
    global_cache = NULL;
    lt_store(&global_n, 0, LT_RELAXED);
    lt_unlock(&cache_lock);
    while (g) {
        LtStack *n = g->next;
        unmap_stack(g);
        g = n;
    }
}

/* ---- the initial frame (assembly switch) ---- */
#ifndef LANG_UCONTEXT
void lang_ctx_trampoline(void);

void lang_ctx_make(LangCtx *c, void *lo, size_t size, void (*entry)(void *), void *arg) {
    uintptr_t top = ((uintptr_t)lo + size) & ~(uintptr_t)15;
    LangSwitchFrame *f = (LangSwitchFrame *)(top - sizeof(LangSwitchFrame) - 16);
    memset(f, 0, sizeof *f);
#if defined(__x86_64__)
    f->mxcsr = 0x1F80;  /* all exceptions masked, round to nearest */
    f->x87cw = 0x037F;  /* the same for x87, 64-bit precision */
    f->r12 = (uint64_t)(uintptr_t)entry;
    f->r13 = (uint64_t)(uintptr_t)arg;
    f->ret = (uint64_t)(uintptr_t)lang_ctx_trampoline;
#elif defined(__aarch64__)
    f->x19 = (uint64_t)(uintptr_t)entry;
    f->x20 = (uint64_t)(uintptr_t)arg;
    f->x30 = (uint64_t)(uintptr_t)lang_ctx_trampoline;
#else
#error "no context switch for this architecture: build with -DLANG_UCONTEXT"
#endif
    c->sp = f;
}
void lang_ctx_init_host(LangCtx *c) { c->sp = NULL; }
void lang_ctx_free(LangCtx *c) { (void)c; }
#endif

/* ---- overflow detection ---- */
LangThread *lt_running_thread(void);

int lang_sched_guard_hit(void *fault_addr) {
    LangThread *t = lt_running_thread();
    if (!t || !t->stack || !t->stack->guard) return 0;
    uintptr_t a = (uintptr_t)fault_addr, lo = (uintptr_t)t->stack->lo;
    uintptr_t glo = lo - t->stack->guard;
    return a < lo && a >= glo;
}

void lang_print_stack_trace(void *frame_pointer, void *pc) __attribute__((weak));
void lang_rt_install_fault_handlers(void) __attribute__((weak));
void lang_rt_thread_init_signals(void) __attribute__((weak));

static struct sigaction old_segv, old_bus;

static void put(const char *s) {
    ssize_t r = write(2, s, strlen(s));
    (void)r;
}

static void put_hex(uintptr_t v) {
    char buf[24];
    int n = 0;
    buf[n++] = '0';
    buf[n++] = 'x';
    for (int i = 60; i >= 0; i -= 4) {
        int d = (v >> i) & 15;
        if (n > 2 || d || i == 0) buf[n++] = "0123456789abcdef"[d];
    }
    buf[n++] = '\n';
    buf[n] = 0;
    put(buf);
}

static void on_fault(int sig, siginfo_t *si, void *uctx) {
    if (lang_sched_guard_hit(si->si_addr)) {
        ucontext_t *uc = uctx;
        uintptr_t pc = 0, fp = 0;
#if defined(__x86_64__)
        pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
        fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
#elif defined(__aarch64__)
        pc = (uintptr_t)uc->uc_mcontext.pc;
        fp = (uintptr_t)uc->uc_mcontext.regs[29];
#endif
        put("panic: stack overflow\n");
        if (lang_print_stack_trace) {
            lang_print_stack_trace((void *)fp, (void *)pc);
        } else { /* raw frame-pointer walk */
            put("  at ");
            put_hex(pc);
            LangThread *t = lt_running_thread();
            uintptr_t lo = (uintptr_t)t->stack->lo, hi = lo + t->stack->size;
            for (int i = 0; i < 32 && fp >= lo && fp < hi && (fp & 7) == 0; i++) {
                uintptr_t ret = ((uintptr_t *)fp)[1];
                if (!ret) break;
                put("  at ");
                put_hex(ret);
                fp = ((uintptr_t *)fp)[0];
            }
        }
        _exit(101);
    }
    struct sigaction *old = sig == SIGSEGV ? &old_segv : &old_bus;
    if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction) {
        old->sa_sigaction(sig, si, uctx);
    } else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
        old->sa_handler(sig);
    } else {
        signal(sig, SIG_DFL); /* returning re-executes the fault under the default action */
    }
}

/* Called by every lang_sched_run_main: someone (a test harness) may have replaced the
 * handler since the last run. Never chains to itself. */
void lt_signals_install(void) {
    if (lang_rt_install_fault_handlers) {
        lang_rt_install_fault_handlers();
        return;
    }
    struct sigaction sa, cur;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, NULL, &cur);
    if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_fault) return;
    sigaction(SIGSEGV, &sa, &old_segv);
    sigaction(SIGBUS, &sa, &old_bus);
}

void *lt_altstack_setup(void) {
    if (lang_rt_thread_init_signals) {
        lang_rt_thread_init_signals();
        return NULL;
    }
    stack_t ss;
    ss.ss_sp = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ss.ss_sp == MAP_FAILED) return NULL;
    ss.ss_size = ALTSTACK_SIZE;
    ss.ss_flags = 0;
    sigaltstack(&ss, NULL);
    return ss.ss_sp;
}

void lt_altstack_teardown(void *p) {
    if (!p) return;
    stack_t ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
    munmap(p, ALTSTACK_SIZE);
}
