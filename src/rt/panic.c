/* panic.c: panics: "panic: <message>" and a symbolized stack trace on stderr, exit 101.
 *
 * Order matters: stdout is flushed first (so the program's output precedes the panic),
 * then the message, then the trace, then _exit(101) (no atexit handlers: other threads
 * may still be running Lang code). A panic in any lightweight thread ends the process.
 *
 * Under `lang test` a panic in a test's own thread fails that test and ends only that
 * thread (test.c); every other panic behaves as above.
 *
 * Invariants: only one thread reports; a second panicking thread parks until the first
 * exits. A panic raised while this thread is already panicking (a fault while printing
 * the trace) exits at once with 101.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "rt_internal.h"

static int panicking;                 /* set by the reporting thread */
static __thread int thread_panicking; /* this thread is inside lang_panic_at */

void lang_panic_at(const char *msg, void *fp, uintptr_t pc) {
    if (thread_panicking) _exit(101);
    lang_test_catch_panic(msg, fp, pc); /* test.c: a test's thread fails its test instead */
    thread_panicking = 1;
    if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
        for (;;) pause();
    lang_console_flush_on_panic();
    lang_stderr_puts("panic: ");
    lang_stderr_puts(msg);
    lang_stderr_puts("\n");
    lang_print_stack_trace(fp, (void *)pc);
    _exit(101);
}

void lang_panicf(const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lang_panic_at(msg, __builtin_frame_address(0), 0);
}

void lang_panic(const char *msg) { lang_panic_at(msg ? msg : "(null)", __builtin_frame_address(0), 0); }

void lang_panic_str(const LangString *msg) {
    lang_panic_at(msg ? msg->data : "(null)", __builtin_frame_address(0), 0);
}

void lang_panic_bounds(int64_t index, int64_t length) {
    char msg[96];
    snprintf(msg, sizeof msg, "index %lld out of range for length %lld", (long long)index, (long long)length);
    lang_panic_at(msg, __builtin_frame_address(0), 0);
}

void lang_panic_overflow(void) { lang_panic_at("integer overflow", __builtin_frame_address(0), 0); }
void lang_panic_divzero(void) { lang_panic_at("division by zero", __builtin_frame_address(0), 0); }
void lang_panic_null(void) { lang_panic_at("null reference", __builtin_frame_address(0), 0); }

void lang_panic_assert(const char *file, int32_t line) {
    char msg[512];
    snprintf(msg, sizeof msg, "assertion failed at %s:%d", file ? file : "?", (int)line);
    lang_panic_at(msg, __builtin_frame_address(0), 0);
}
