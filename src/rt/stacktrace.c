/* stacktrace.c: symbolized stack traces and the fault handlers.
 *
 * Walking: every compiled Lang function (and the runtime, built with
 * -fno-omit-frame-pointer) keeps an rbp frame: [fp] = caller's fp, [fp+8] = return
 * address. We follow that chain, checking each fp against the bounds of the stack the
 * thread runs on, so a corrupt chain ends the walk instead of faulting.
 * Symbolizing: the backend emits one LangFuncTable per object into the section
 * `lang_funcs`; the linker brackets them with __start_lang_funcs/__stop_lang_funcs (weak
 * here, so programs without Lang code still link). Rows are sorted, so a table is searched
 * by bisection, and a hit is decoded into a per-thread LangFuncInfo. A JIT loader
 * registers LangFuncInfo arrays at run time instead.
 * Faults: SIGSEGV/SIGBUS/SIGFPE run on a per-thread alternate stack and report "stack
 * overflow" when the address is in the guard region below the current stack, "null
 * reference" for a SIGSEGV in the first 64 KiB (kNullZone), else the raw fault.
 *
 * Invariants: a walk reads only addresses inside [lo, hi) of the current stack bounds and
 * only moves to strictly higher frame addresses (so it terminates). extra_tables is
 * append-only; extra_count is published with release order after the row is written.
 */
/* No _GNU_SOURCE: with -Isrc/rt, <pthread.h>'s #include <sched.h> finds the scheduler's
 * own sched.h, which lacks cpu_set_t. The two GNU names we need are declared by hand. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include "rt_internal.h"

extern int pthread_getattr_np(pthread_t thread, pthread_attr_t *attr);
#if defined(__x86_64__)
enum { kGregRbp = 10, kGregRip = 16 }; /* REG_RBP, REG_RIP of <sys/ucontext.h> (GNU-only names) */
#endif

extern const unsigned char __start_lang_funcs[] __attribute__((weak));
extern const unsigned char __stop_lang_funcs[] __attribute__((weak));

enum { kMaxFrames = 64, kMaxTables = 32, kAltStack = 64 * 1024 };

typedef struct FuncTable {
    const LangFuncInfo *begin, *end;
} FuncTable;
static pthread_mutex_t tables_lock = PTHREAD_MUTEX_INITIALIZER; /* guards writers of extra_tables */
static FuncTable extra_tables[kMaxTables];
static int extra_count;

void lang_rt_register_funcs(const LangFuncInfo *begin, const LangFuncInfo *end) {
    pthread_mutex_lock(&tables_lock);
    if (extra_count < kMaxTables) {
        extra_tables[extra_count] = (FuncTable){begin, end};
        __atomic_store_n(&extra_count, extra_count + 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&tables_lock);
}

static const LangFuncInfo *search(const LangFuncInfo *b, const LangFuncInfo *e, uintptr_t pc) {
    for (const LangFuncInfo *f = b; f && f < e; f++)
        if (pc >= f->start && pc < f->end) return f;
    return NULL;
}

/* The line of the last pair with offset <= off in a LEB128 line table (see LangFuncRow),
 * or of the first pair when off is before it; 0 when there is no pair. */
static uint32_t table_line(const unsigned char *p, const unsigned char *end, uint32_t n, uint64_t off) {
    uint64_t at = 0;
    int64_t line = 0;
    uint32_t found = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t d = 0;
        int64_t dl = 0;
        unsigned shift = 0;
        unsigned char b;
        do {
            if (p >= end) return found;
            b = *p++;
            if (shift < 64) d |= (uint64_t)(b & 0x7f) << shift;
            shift += 7;
        } while (b & 0x80);
        shift = 0;
        do {
            if (p >= end) return found;
            b = *p++;
            if (shift < 64) dl |= (int64_t)((uint64_t)(b & 0x7f) << shift);
            shift += 7;
        } while (b & 0x80);
        if (shift < 64 && (b & 0x40)) dl |= -(int64_t)((uint64_t)1 << shift);
        at += d;
        line += dl;
        if (i > 0 && at > off) break;
        found = (uint32_t)line;
        if (at > off) break; /* off is before the first pair: its line */
    }
    return found;
}

/* The row of the tables in `lang_funcs` that contains pc, decoded into *out, and its line
 * into *line. Tables are 8-byte aligned and their sizes multiples of 8; a header too small
 * to be one is padding the linker may have put between two objects' tables (skipped 8
 * bytes at a time). */
static int search_section(uintptr_t pc, LangFuncInfo *out, uint32_t *line) {
    const unsigned char *p = __start_lang_funcs, *e = __stop_lang_funcs;
    if (!p || !e) return 0;
    while ((size_t)(e - p) >= sizeof(LangFuncTable)) {
        const LangFuncTable *t = (const LangFuncTable *)p;
        if (t->size < sizeof *t || (t->size & 7)) {
            p += 8;
            continue;
        }
        if (t->size > (size_t)(e - p)) break; /* malformed */
        const LangFuncRow *rows = (const LangFuncRow *)(t + 1);
        uintptr_t text = (uintptr_t)&t->text + (intptr_t)t->text;
        if (t->count && pc >= text && sizeof *t + (size_t)t->count * sizeof *rows <= t->size) {
            uint64_t off = pc - text;
            uint32_t lo = 0, hi = t->count; /* first row with start > off */
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (rows[mid].start <= off) lo = mid + 1;
                else hi = mid;
            }
            if (lo && off - rows[lo - 1].start < rows[lo - 1].size) {
                const LangFuncRow *r = &rows[lo - 1];
                out->start = text + r->start;
                out->end = out->start + r->size;
                out->name = (const char *)p + r->name;
                out->file = (const char *)p + r->file;
                out->lines = NULL;
                out->nlines = 0;
                if (line)
                    *line = r->lines < t->size ? table_line(p + r->lines, p + t->size, r->nlines, off - r->start) : 0;
                return 1;
            }
        }
        p += t->size;
    }
    return 0;
}

/* A hit in `lang_funcs` is returned in this per-thread record: valid until the thread's
 * next call. */
static __thread LangFuncInfo found_row;

const LangFuncInfo *lang_rt_find_func(uintptr_t pc, uint32_t *line) {
    if (line) *line = 0;
    if (search_section(pc, &found_row, line)) return &found_row;
    const LangFuncInfo *f = NULL;
    int n = __atomic_load_n(&extra_count, __ATOMIC_ACQUIRE);
    for (int i = 0; !f && i < n; i++) f = search(extra_tables[i].begin, extra_tables[i].end, pc);
    if (line && f && f->lines && f->nlines) {
        uint64_t off = pc - f->start, lo = 0, hi = f->nlines; /* last row with offset <= off */
        while (lo < hi) {
            uint64_t mid = (lo + hi) / 2;
            if (f->lines[mid].offset <= off) lo = mid + 1;
            else hi = mid;
        }
        *line = lo ? f->lines[lo - 1].line : f->lines[0].line;
    }
    return f;
}

int lang_rt_describe_pc(uintptr_t pc, int is_return_address, char *buf, size_t cap) {
    if (!pc) return snprintf(buf, cap, "<unknown site>");
    uint32_t line;
    const LangFuncInfo *f = lang_rt_find_func(is_return_address ? pc - 1 : pc, &line);
    if (!f) return snprintf(buf, cap, "<runtime> (%#lx)", (unsigned long)pc);
    const char *file = f->file ? f->file : "?";
    if (line) return snprintf(buf, cap, "%s (%s:%u)", f->name ? f->name : "?", file, line);
    return snprintf(buf, cap, "%s (%s)", f->name ? f->name : "?", file);
}

/* ---- stack bounds ---- */
static __thread uintptr_t bound_guard_lo, bound_lo, bound_hi;

void lang_rt_set_stack_bounds(uintptr_t guard_lo, uintptr_t lo, uintptr_t hi) {
    bound_guard_lo = guard_lo;
    bound_lo = lo;
    bound_hi = hi;
}

static void query_os_bounds(void) {
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
    void *addr;
    size_t size, guard = 0;
    if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
        pthread_attr_getguardsize(&attr, &guard);
        lang_rt_set_stack_bounds((uintptr_t)addr - guard, (uintptr_t)addr, (uintptr_t)addr + size);
    }
    pthread_attr_destroy(&attr);
}

void lang_rt_get_stack_bounds(uintptr_t *guard_lo, uintptr_t *lo, uintptr_t *hi) {
    if (!bound_hi) query_os_bounds();
    *guard_lo = bound_guard_lo;
    *lo = bound_lo;
    *hi = bound_hi;
}

/* Collects up to max return addresses from the chain starting at fp. */
static int collect(void *fp, uintptr_t *pcs, int max) {
    uintptr_t glo, lo, hi;
    lang_rt_get_stack_bounds(&glo, &lo, &hi);
    uintptr_t f = (uintptr_t)fp;
    int n = 0;
    while (n < max) {
        if (f < lo || f + 16 > hi || (f & 7)) break;
        uintptr_t *frame = (uintptr_t *)f;
        uintptr_t ret = frame[1], next = frame[0];
        if (!ret) break;
        pcs[n++] = ret;
        if (next <= f) break;
        f = next;
    }
    return n;
}

uintptr_t lang_rt_first_lang_pc(void *fp, int max_frames) {
    uintptr_t pcs[kMaxFrames];
    if (max_frames > kMaxFrames) max_frames = kMaxFrames;
    int n = collect(fp, pcs, max_frames);
    for (int i = 0; i < n; i++)
        if (lang_rt_find_func(pcs[i] - 1, NULL)) return pcs[i];
    return 0;
}

static void print_repeats(int n) {
    char buf[64];
    int len = snprintf(buf, sizeof buf, "  ... (same frame %d more time%s)\n", n, n == 1 ? "" : "s");
    lang_stderr_write(buf, (size_t)len);
}

/* Prints "  at Name (file:line)" per Lang frame. Runtime frames before the first and
 * after the last Lang frame are skipped; a run of them in between prints "  at <runtime>". */
static void print_trace(uintptr_t pc, void *fp) {
    uintptr_t pcs[kMaxFrames + 1];
    uint8_t is_ret[kMaxFrames + 1];
    int n = 0;
    if (pc) {
        pcs[n] = pc;
        is_ret[n++] = 0;
    }
    int got = collect(fp, pcs + n, kMaxFrames);
    memset(is_ret + n, 1, (size_t)got);
    n += got;
    int first = -1, last = -1;
    for (int i = 0; i < n; i++)
        if (lang_rt_find_func(is_ret[i] ? pcs[i] - 1 : pcs[i], NULL)) {
            if (first < 0) first = i;
            last = i;
        }
    if (first < 0) {
        lang_stderr_puts("  at <runtime> (no Lang frames on the stack)\n");
        return;
    }
    char line[512], prev[512] = "";
    int in_runtime = 0, repeats = 0;
    for (int i = first; i <= last; i++) {
        if (!lang_rt_find_func(is_ret[i] ? pcs[i] - 1 : pcs[i], NULL)) {
            if (!in_runtime) lang_stderr_puts("  at <runtime>\n");
            in_runtime = 1;
            prev[0] = 0;
            continue;
        }
        in_runtime = 0;
        int len = snprintf(line, sizeof line, "  at ");
        len += lang_rt_describe_pc(pcs[i], is_ret[i], line + len, sizeof line - (size_t)len - 1);
        if (len > (int)sizeof line - 2) len = (int)sizeof line - 2;
        line[len++] = '\n';
        line[len] = 0;
        /* Deep recursion: show a frame three times, then count the rest. */
        if (strcmp(line, prev) == 0 && ++repeats >= 3) continue;
        if (strcmp(line, prev) != 0) {
            if (repeats >= 3) print_repeats(repeats - 2);
            repeats = 0;
            memcpy(prev, line, (size_t)len + 1);
        }
        lang_stderr_write(line, (size_t)len);
    }
    if (repeats >= 3) print_repeats(repeats - 2);
    if (got == kMaxFrames) lang_stderr_puts("  ...\n");
}

void lang_print_stack_trace(void *frame_pointer, void *pc) { print_trace((uintptr_t)pc, frame_pointer); }

/* ---- fault handlers ---- */
/* A SIGSEGV below this address is a null reference: a field, element or header read
 * through a null pointer (offsets up to 64 KiB). Nothing can be mapped there: Linux
 * refuses mappings below vm.mmap_min_addr, 64 KiB by default. */
enum { kNullZone = 64 * 1024 };
static int in_fault; /* set by the first faulting thread; a nested fault exits at once */

static void fault_handler(int sig, siginfo_t *info, void *uctx) {
    if (__atomic_exchange_n(&in_fault, 1, __ATOMIC_ACQ_REL)) {
        if (sig == SIGSEGV || sig == SIGBUS) _exit(101);
        for (;;) pause(); /* another thread is reporting; it will exit */
    }
    ucontext_t *uc = uctx;
    uintptr_t pc = 0, fp = 0;
#if defined(__x86_64__)
    pc = (uintptr_t)uc->uc_mcontext.gregs[kGregRip];
    fp = (uintptr_t)uc->uc_mcontext.gregs[kGregRbp];
#elif defined(__aarch64__)
    pc = (uintptr_t)uc->uc_mcontext.pc;
    fp = (uintptr_t)uc->uc_mcontext.regs[29];
#else
    (void)uc;
#endif
    char msg[128];
    uintptr_t addr = (uintptr_t)info->si_addr;
    uintptr_t glo = bound_guard_lo, lo = bound_lo;
    if (sig == SIGFPE) {
        snprintf(msg, sizeof msg, "%s",
                 info->si_code == FPE_INTDIV ? "division by zero"
                 : info->si_code == FPE_INTOVF ? "integer overflow"
                 : "arithmetic exception");
    } else if (lo && addr < lo && addr >= (glo < lo ? glo : lo - 65536)) {
        snprintf(msg, sizeof msg, "stack overflow");
    } else if (sig == SIGSEGV && info->si_code == SEGV_MAPERR && addr < kNullZone) {
        snprintf(msg, sizeof msg, "null reference");
    } else if (sig == SIGSEGV && info->si_code == SI_KERNEL) {
        /* x86-64 general-protection fault (e.g. a non-canonical address): no address */
        snprintf(msg, sizeof msg, "segmentation fault (bad address)");
    } else {
        snprintf(msg, sizeof msg, "%s at %#lx", sig == SIGBUS ? "bus error" : "segmentation fault",
                 (unsigned long)addr);
    }
    lang_panic_at(msg, (void *)fp, pc);
}

/* `lang test` (test.c): a fault in a test's thread fails that test, and the thread is
 * abandoned from inside the handler, which never returns: the next fault must be handled
 * again, and the kernel still blocks the signals the handler was entered with. */
void lang_rt_fault_reset(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigaddset(&set, SIGBUS);
    sigaddset(&set, SIGFPE);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    __atomic_store_n(&in_fault, 0, __ATOMIC_RELEASE);
}

/* Unmaps a thread's alternate signal stack when the thread exits. */
static pthread_key_t altstack_key;
static pthread_once_t altstack_once = PTHREAD_ONCE_INIT;
static void altstack_release(void *p) {
    stack_t off = {.ss_flags = SS_DISABLE};
    sigaltstack(&off, NULL);
    munmap(p, kAltStack);
}
static void altstack_key_init(void) { pthread_key_create(&altstack_key, altstack_release); }

void lang_rt_thread_init_signals(void) {
    if (!bound_hi) query_os_bounds();
    stack_t cur;
    if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE)) return; /* already has one */
    stack_t ss;
    ss.ss_sp = mmap(NULL, kAltStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ss.ss_sp == MAP_FAILED) return;
    ss.ss_size = kAltStack;
    ss.ss_flags = 0;
    if (sigaltstack(&ss, NULL) != 0) {
        munmap(ss.ss_sp, kAltStack);
        return;
    }
    pthread_once(&altstack_once, altstack_key_init);
    pthread_setspecific(altstack_key, ss.ss_sp);
}

void lang_rt_install_fault_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
}
