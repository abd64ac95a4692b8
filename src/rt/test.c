/* test.c: the test runner behind `lang test` (spec 12).
 *
 * A test build's lang_main (src/ir/lower_tests.cpp) calls lang_test_begin, then
 * lang_test_run once per test block, then returns lang_test_end's status. Each selected
 * test runs on a lightweight thread of its own, started with lang_spawn; the caller (the
 * main lightweight thread) parks on a WaitGroup until the test is over, so tests run one
 * after another, in declaration order.
 *
 * A test fails when its thread panics: lang_panic_at (panic.c) first calls
 * lang_test_catch_panic, which sees the thread's LangThread.test record, writes the
 * message and the place of the failure into it, signals the WaitGroup and abandons the
 * thread (lt_thread_abandon: no unwinding, so no destructors or drops run, and what the
 * test owned is leaked). A failed assert_eq/assert_ne/assert/assert_fails goes through
 * lang_test_assert_failed, which knows the values and the assert's own file and line.
 *
 * Limits: only the test's own thread is covered: a panic in a thread the test spawned
 * ends the process as usual (status 101). A test that panics while it holds a Mutex
 * leaves it locked. A panic while the test thread is already failing goes the normal way.
 *
 * State: the filter and the counts are only touched by the thread that runs lang_main.
 * A LangTestRun lives on that thread's stack while its test runs; the test thread is
 * done with it once it has signalled the WaitGroup.
 */
#include <stdio.h>
#include <string.h>
#include "rt_internal.h"
#include "lt_sched.h"

typedef struct LangTestRun {
    const char *name;
    void (*code)(LangContext *);
    LangContext *parent;        /* the runner's context: the test's context is its child */
    LangWaitGroup *done;        /* signalled when the test returned or failed */
    int failed;
    char where[512];            /* "file:line" of the failure */
    char message[1536];
} LangTestRun;

static const char *filter;      /* --filter TEXT: run the tests whose name contains TEXT */
static int64_t passed, failed;

void lang_test_begin(LangContext *ctx, LangArray *args) {
    (void)ctx;
    filter = NULL;
    passed = failed = 0;
    LangString **a = args ? (LangString **)args->data : NULL;
    int64_t n = args ? args->length : 0;
    for (int64_t i = 0; i < n; i++) {
        const char *s = a[i]->data;
        if (strcmp(s, "--filter") == 0 && i + 1 < n) filter = a[++i]->data;
        else if (strncmp(s, "--filter=", 9) == 0) filter = s + 9;
    }
}

static void test_entry(void *arg) {
    LangTestRun *r = *(LangTestRun **)arg;
    LangThread *t = lt_running_thread();
    t->test = r;
    LangContext ctx;
    lang_context_init_child(&ctx, r->parent);
    r->code(&ctx);
    lang_context_fini(&ctx);
    t->test = NULL;
    lang_wg_done(r->done); /* r may be gone from here on */
}

void lang_test_run(LangContext *ctx, const char *name, const char *file, int32_t line, void (*code)(LangContext *)) {
    if (filter && !strstr(name, filter)) return;
    LangTestRun r;
    memset(&r, 0, sizeof r);
    r.name = name;
    r.code = code;
    r.parent = ctx;
    r.done = lang_wg_new();
    snprintf(r.where, sizeof r.where, "%s:%d", file, (int)line); /* until a failure says where */
    lang_wg_add(r.done, 1);
    LangTestRun *p = &r;
    lang_spawn(test_entry, &p, sizeof p);
    lang_wg_wait(r.done);
    lang_wg_free(r.done);
    if (!r.failed) {
        passed++;
        return;
    }
    failed++;
    char text[2304];
    int len = snprintf(text, sizeof text, "%s: test \"%s\" failed: %s\n", r.where, name, r.message);
    if (len > (int)sizeof text - 1) {
        len = (int)sizeof text - 1;
        text[len - 1] = '\n';
    }
    lang_console_write_bytes(text, (size_t)len);
}

int64_t lang_test_end(LangContext *ctx) {
    (void)ctx;
    char text[96];
    int len = snprintf(text, sizeof text, "%lld passed, %lld failed\n", (long long)passed, (long long)failed);
    lang_console_write_bytes(text, (size_t)len);
    return failed ? 1 : 0;
}

/* The running thread's test, taken from it (a second panic goes the normal way), or NULL. */
static LangTestRun *take_test(void) {
    LangThread *t = lt_running_thread();
    if (!t || !t->test) return NULL;
    LangTestRun *r = t->test;
    t->test = NULL;
    return r;
}

static void fail_and_exit(LangTestRun *r) __attribute__((noreturn));
static void fail_and_exit(LangTestRun *r) {
    r->failed = 1;
    lang_wg_done(r->done);
    lt_thread_abandon();
}

void lang_test_catch_panic(const char *msg, void *fp, uintptr_t pc) {
    LangTestRun *r = take_test();
    if (!r) return;
    if (pc) lang_rt_fault_reset(); /* called from the fault handler, which never returns */
    /* Where: the faulting instruction, else the innermost Lang frame that called in. */
    uint32_t line = 0;
    const LangFuncInfo *f = pc ? lang_rt_find_func(pc, &line) : NULL;
    if (!f) {
        uintptr_t ret = lang_rt_first_lang_pc(fp, 64);
        f = ret ? lang_rt_find_func(ret - 1, &line) : NULL;
    }
    if (f && f->file && line) snprintf(r->where, sizeof r->where, "%s:%u", f->file, line);
    snprintf(r->message, sizeof r->message, "panic: %s", msg ? msg : "(null)");
    fail_and_exit(r);
}

/* A string or char value as a literal would write it: quoted, with \\, the quote and
 * control characters escaped, so "a\tb" and "a b" differ in the report. Plain text for
 * other kinds. */
static void shown(char *out, size_t cap, const LangString *v, char quote) {
    const char *p = v ? v->data : "";
    size_t n = v ? (size_t)v->byte_length : 0, o = 0;
    if (!quote) {
        snprintf(out, cap, "%s", p);
        return;
    }
    if (o + 1 < cap) out[o++] = quote;
    for (size_t i = 0; i < n && o + 8 < cap; i++) {
        unsigned char c = (unsigned char)p[i];
        const char *esc = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : c == '\\' ? "\\\\"
                          : c == (unsigned char)quote ? (quote == '"' ? "\\\"" : "\\'") : NULL;
        if (esc) o += (size_t)snprintf(out + o, cap - o, "%s", esc);
        else if (c < 0x20) o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
        else out[o++] = (char)c;
    }
    if (o + 1 < cap) out[o++] = quote;
    out[o < cap ? o : cap - 1] = 0;
}

void lang_test_assert_failed(LangContext *ctx, const char *file, int32_t line, int32_t kind, const LangString *a,
                             const LangString *b) {
    (void)ctx;
    LangTestRun *r = take_test();
    if (!r) lang_panic_assert(file, line);
    char q = kind & 0x100 ? '"' : kind & 0x200 ? '\'' : 0;
    char as[400], bs[400];
    shown(as, sizeof as, a, q);
    shown(bs, sizeof bs, b, q);
    switch (kind & 0xff) {
    case 0:
        if (a) snprintf(r->message, sizeof r->message, "assertion failed: %s", a->data);
        else snprintf(r->message, sizeof r->message, "assertion failed");
        break;
    case 1:
        snprintf(r->message, sizeof r->message, "assert_eq failed: left %s, right %s", as, bs);
        break;
    case 2: snprintf(r->message, sizeof r->message, "assert_ne failed: both are %s", as); break;
    default: snprintf(r->message, sizeof r->message, "assert_fails failed: the expression did not fail"); break;
    }
    snprintf(r->where, sizeof r->where, "%s:%d", file ? file : "?", (int)line);
    fail_and_exit(r);
}
