/* console.c: Console.Write for every primitive, through one buffered stdout.
 *
 * Output collects in a 64 KiB buffer that is written with write(2) when it fills, at a
 * newline when stdout is a terminal (line buffering), at exit and at panic. stderr is
 * never buffered (panic messages, leak reports and Console.Error go straight out).
 *
 * Invariants: out_len <= sizeof out_buf; bytes leave in the order they were written.
 * out_lock guards out_buf and out_len: lightweight threads on several workers may print at
 * once, and one lang_write_* call is never interleaved with another. Until the program
 * spawns its first lightweight thread only Main writes, so writes take no lock (a program
 * printing a character at a time would spend much of its time locking): lang_spawn calls
 * lang_console_shared() first, which happens before the new thread runs, and Main's later
 * writes see it, since it made the call itself.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "rt_internal.h"

enum { kOutBuf = 64 * 1024 };

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER; /* guards out_buf, out_len */
static char out_buf[kOutBuf];
static int out_shared; /* set once by the first spawn (lang_console_shared); read by writers */
static size_t out_len;
static int out_is_tty;

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return; /* nowhere to report a failing stdout; drop the bytes */
        }
        p += w;
        n -= (size_t)w;
    }
}

/* At exit: C's stdio first (text a C function left in its buffer was written before
 * anything Lang's buffer holds, which went out before that C call), then Lang's. */
static void flush_at_exit(void) {
    fflush(stdout);
    lang_console_flush();
}

/* C exit() called through FFI still flushes (lang_rt_exit and panics use _exit after
 * flushing themselves). */
void lang_console_init(void) {
    out_is_tty = isatty(1);
    atexit(flush_at_exit);
}

static void flush_locked(void) {
    write_all(1, out_buf, out_len);
    out_len = 0;
}

static void append_locked(const char *p, size_t n) {
    if (out_len + n > kOutBuf) {
        flush_locked();
        if (n > kOutBuf) {
            write_all(1, p, n);
            return;
        }
    }
    memcpy(out_buf + out_len, p, n);
    out_len += n;
    if (out_is_tty && memchr(p, '\n', n)) flush_locked();
}

/* Before a call of a C function (spec 10.9): Lang's text goes out first, so that what C
 * writes to fd 1 follows it; and before it, what C's stdio still holds of earlier C calls
 * (a printf without a newline), which came before Lang's text. A relaxed look at out_len:
 * when it is 0 nothing of this thread's is waiting. */
void lang_ffi_flush(void) {
    if (__atomic_load_n(&out_len, __ATOMIC_RELAXED) == 0) return;
    fflush(stdout);
    if (!__atomic_load_n(&out_shared, __ATOMIC_ACQUIRE)) {
        flush_locked();
        return;
    }
    lang_console_flush();
}

void lang_console_shared(void) {
    if (!__atomic_load_n(&out_shared, __ATOMIC_RELAXED)) __atomic_store_n(&out_shared, 1, __ATOMIC_RELEASE);
}

void lang_console_write_bytes(const char *p, size_t n) {
    if (!__atomic_load_n(&out_shared, __ATOMIC_ACQUIRE)) { /* Main alone: no other writer */
        append_locked(p, n);
        return;
    }
    pthread_mutex_lock(&out_lock);
    append_locked(p, n);
    pthread_mutex_unlock(&out_lock);
}

void lang_console_flush(void) {
    pthread_mutex_lock(&out_lock);
    flush_locked();
    pthread_mutex_unlock(&out_lock);
}

/* A panicking thread may have interrupted a writer holding the lock (or be that writer,
 * from the fault handler): try for a while, then flush without it. */
void lang_console_flush_on_panic(void) {
    for (int i = 0; i < 1000; i++) {
        if (pthread_mutex_trylock(&out_lock) == 0) {
            flush_locked();
            pthread_mutex_unlock(&out_lock);
            return;
        }
        usleep(100);
    }
    flush_locked();
}

void lang_stderr_write(const char *p, size_t n) { write_all(2, p, n); }
void lang_stderr_puts(const char *s) { write_all(2, s, strlen(s)); }

void lang_write_i64(int64_t v) {
    char b[24];
    lang_console_write_bytes(b, (size_t)lang_fmt_i64(b, v));
}

void lang_write_u64(uint64_t v) {
    char b[24];
    lang_console_write_bytes(b, (size_t)lang_fmt_u64(b, v));
}

void lang_write_f64(double v) {
    char b[LANG_FMT_FLOAT_MAX];
    lang_console_write_bytes(b, (size_t)lang_fmt_f64(b, v));
}

void lang_write_f32(float v) {
    char b[LANG_FMT_FLOAT_MAX];
    lang_console_write_bytes(b, (size_t)lang_fmt_f32(b, v));
}

void lang_write_bool(uint8_t v) {
    if (v) lang_console_write_bytes("true", 4);
    else lang_console_write_bytes("false", 5);
}

void lang_write_char(uint32_t c) {
    char b[4];
    lang_console_write_bytes(b, (size_t)lang_utf8_encode(c, b));
}

void lang_write_str(const LangString *s) {
    if (s) lang_console_write_bytes(s->data, (size_t)s->byte_length);
}

void lang_write_newline(void) { lang_console_write_bytes("\n", 1); }

/* Console.Error: stderr is not buffered, so each call is one write(2). */
void lang_ewrite_str(const LangString *s) {
    if (s) write_all(2, s->data, (size_t)s->byte_length);
}

void lang_ewrite_newline(void) { write_all(2, "\n", 1); }
