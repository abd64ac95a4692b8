/* io.c: files, directories, standard input, the environment and the clock, for the
 * standard library's IO prelude (lib/std/IO.lang, doc/language/spec.md 10.7).
 *
 * Every function takes the context first (it allocates the strings and arrays it returns
 * through the context's allocator). A failing call returns NULL (or 0) and records the
 * failure's errno for this OS thread; lang_io_error() then gives its text. The Lang side
 * asks for it right after the failing call, with no Lang call in between, so the
 * lightweight thread cannot have moved to another OS thread (preemption happens only at
 * Lang function entries and loop back edges).
 *
 * Text read from files and standard input becomes a string with invalid UTF-8 sequences
 * replaced by U+FFFD (strings are always valid UTF-8). Paths are the string's bytes; a
 * path holding a NUL byte fails with EINVAL.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "rt_internal.h"

static __thread int last_errno;

static int fail_with(int e) {
    last_errno = e;
    return 0;
}

LangString *lang_io_error(LangContext *ctx) {
    const char *m = strerror(last_errno ? last_errno : EIO);
    return lang_str_from_bytes_lossy(ctx, m, (int64_t)strlen(m));
}

/* The path as a C string: the string's own bytes (they end with a NUL), unless one of
 * them is a NUL. */
static const char *c_path(const LangString *p) {
    if (!p || p->byte_length == 0) {
        fail_with(ENOENT);
        return NULL;
    }
    if (memchr(p->data, 0, (size_t)p->byte_length)) {
        fail_with(EINVAL);
        return NULL;
    }
    return p->data;
}

/* ---- whole files ---- */

/* Reads the whole file into a malloc'd buffer; *n is its length. NULL on failure. */
static char *slurp(const LangString *path, int64_t *n) {
    const char *cp = c_path(path);
    if (!cp) return NULL;
    int fd = open(cp, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fail_with(errno);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        fail_with(EISDIR);
        return NULL;
    }
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf) lang_panic("out of memory reading a file");
    for (;;) {
        if (len == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) lang_panic("out of memory reading a file");
            buf = nb;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            free(buf);
            close(fd);
            fail_with(e);
            return NULL;
        }
        if (r == 0) break;
        len += (size_t)r;
    }
    close(fd);
    *n = (int64_t)len;
    return buf;
}

LangString *lang_file_read_text(LangContext *ctx, const LangString *path) {
    int64_t n;
    char *buf = slurp(path, &n);
    if (!buf) return NULL;
    LangString *s = n ? lang_str_from_bytes_lossy(ctx, buf, n) : lang_str_empty();
    free(buf);
    return s;
}

LangArray *lang_file_read_bytes(LangContext *ctx, const LangString *path) {
    int64_t n;
    char *buf = slurp(path, &n);
    if (!buf) return NULL;
    LangArray *a = lang_array_new(ctx, n, 1);
    memcpy(a->data, buf, (size_t)n);
    free(buf);
    return a;
}

/* The file's lines: split at "\n", a "\r" before it dropped, no empty last line for a
 * file that ends with a newline. */
LangArray *lang_file_read_lines(LangContext *ctx, const LangString *path) {
    int64_t n;
    char *buf = slurp(path, &n);
    if (!buf) return NULL;
    int64_t lines = 0;
    for (int64_t i = 0; i < n; i++) lines += buf[i] == '\n';
    if (n > 0 && buf[n - 1] != '\n') lines++;
    LangArray *a = lang_array_new(ctx, lines, (int64_t)sizeof(LangString *));
    LangString **out = (LangString **)a->data;
    int64_t start = 0, k = 0;
    for (int64_t i = 0; i <= n && k < lines; i++) {
        if (i < n && buf[i] != '\n') continue;
        int64_t end = i;
        if (end > start && buf[end - 1] == '\r') end--;
        out[k++] = end > start ? lang_str_from_bytes_lossy(ctx, buf + start, end - start) : lang_str_empty();
        start = i + 1;
    }
    free(buf);
    return a;
}

static int write_fd_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return 0;
        }
        p += w;
        n -= (size_t)w;
    }
    return 1;
}

static uint8_t write_file(const LangString *path, const char *p, size_t n, int append) {
    const char *cp = c_path(path);
    if (!cp) return 0;
    int fd = open(cp, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0666);
    if (fd < 0) return (uint8_t)fail_with(errno);
    int ok = write_fd_all(fd, p, n);
    int e = errno;
    if (close(fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    return ok ? 1 : (uint8_t)fail_with(e);
}

uint8_t lang_file_write_text(LangContext *ctx, const LangString *path, const LangString *text, int64_t append) {
    (void)ctx;
    return write_file(path, text ? text->data : "", text ? (size_t)text->byte_length : 0, append != 0);
}

uint8_t lang_file_write_bytes(LangContext *ctx, const LangString *path, const LangArray *bytes) {
    (void)ctx;
    return write_file(path, bytes ? (const char *)bytes->data : "", bytes ? (size_t)bytes->length : 0, 0);
}

/* kind 0: a file that is not a directory; 1: a directory. */
uint8_t lang_path_exists(LangContext *ctx, const LangString *path, int64_t kind) {
    (void)ctx;
    const char *cp = c_path(path);
    struct stat st;
    if (!cp || stat(cp, &st) != 0) return 0;
    return kind == 1 ? S_ISDIR(st.st_mode) != 0 : !S_ISDIR(st.st_mode);
}

uint8_t lang_file_delete(LangContext *ctx, const LangString *path) {
    (void)ctx;
    const char *cp = c_path(path);
    if (!cp) return 0;
    return unlink(cp) == 0 ? 1 : (uint8_t)fail_with(errno);
}

/* ---- directories ---- */

static int cmp_names(const void *a, const void *b) {
    return lang_str_cmp(*(LangString *const *)a, *(LangString *const *)b) > 0 ? 1
           : lang_str_cmp(*(LangString *const *)a, *(LangString *const *)b) < 0 ? -1 : 0;
}

/* The names of the directory's entries but "." and "..", sorted (bytewise), so a listing
 * does not depend on the file system's order. */
LangArray *lang_dir_list(LangContext *ctx, const LangString *path) {
    const char *cp = c_path(path);
    if (!cp) return NULL;
    DIR *d = opendir(cp);
    if (!d) {
        fail_with(errno);
        return NULL;
    }
    int64_t n = 0, cap = 16;
    LangString **names = malloc((size_t)cap * sizeof *names);
    if (!names) lang_panic("out of memory listing a directory");
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (n == cap) {
            cap *= 2;
            LangString **nn = realloc(names, (size_t)cap * sizeof *names);
            if (!nn) lang_panic("out of memory listing a directory");
            names = nn;
        }
        names[n++] = lang_str_from_bytes_lossy(ctx, e->d_name, (int64_t)strlen(e->d_name));
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_names);
    LangArray *a = lang_array_new(ctx, n, (int64_t)sizeof(LangString *));
    memcpy(a->data, names, (size_t)n * sizeof *names);
    free(names);
    return a;
}

/* Creates the directory and any missing parent (an existing directory is fine). */
uint8_t lang_dir_create(LangContext *ctx, const LangString *path) {
    (void)ctx;
    const char *cp = c_path(path);
    if (!cp) return 0;
    char *p = strdup(cp);
    if (!p) lang_panic("out of memory creating a directory");
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != 0) continue;
        char c = *s;
        *s = 0;
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            free(p);
            return (uint8_t)fail_with(e);
        }
        *s = c;
        if (!c) break;
    }
    struct stat st;
    int isdir = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
    free(p);
    return isdir ? 1 : (uint8_t)fail_with(ENOTDIR);
}

/* ---- reading a file line by line (File.OpenText) ---- */

typedef struct LineReader {
    int fd;
    char *buf;
    size_t start, end, cap; /* unread bytes: buf[start..end) */
    int eof;
} LineReader;

int64_t lang_reader_open(LangContext *ctx, const LangString *path) {
    (void)ctx;
    const char *cp = c_path(path);
    if (!cp) return 0;
    int fd = open(cp, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail_with(errno);
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return fail_with(EISDIR);
    }
    LineReader *r = calloc(1, sizeof *r);
    if (!r) lang_panic("out of memory opening a file");
    r->fd = fd;
    r->cap = 64 * 1024;
    r->buf = malloc(r->cap);
    if (!r->buf) lang_panic("out of memory opening a file");
    return (int64_t)(intptr_t)r;
}

/* The next line without its "\n" (or "\r\n"), NULL at the end; a read error also ends
 * the lines (and is recorded). */
static LangString *next_line(LangContext *ctx, int fd, char **bufp, size_t *startp, size_t *endp, size_t *capp,
                             int *eofp) {
    char *buf = *bufp;
    size_t scan = *startp;
    for (;;) {
        char *nl = memchr(buf + scan, '\n', *endp - scan);
        if (nl || *eofp) {
            size_t e = nl ? (size_t)(nl - buf) : *endp;
            if (!nl && e == *startp) return NULL; /* nothing left */
            size_t s = *startp;
            *startp = nl ? e + 1 : e;
            if (e > s && buf[e - 1] == '\r') e--;
            return e > s ? lang_str_from_bytes_lossy(ctx, buf + s, (int64_t)(e - s)) : lang_str_empty();
        }
        scan = *endp;
        if (*startp > 0) { /* make room: move the partial line to the front */
            memmove(buf, buf + *startp, *endp - *startp);
            scan -= *startp;
            *endp -= *startp;
            *startp = 0;
        }
        if (*endp == *capp) {
            *capp *= 2;
            char *nb = realloc(buf, *capp);
            if (!nb) lang_panic("out of memory reading a line");
            *bufp = buf = nb;
        }
        ssize_t r = read(fd, buf + *endp, *capp - *endp);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            if (r < 0) fail_with(errno);
            *eofp = 1;
        } else {
            *endp += (size_t)r;
        }
    }
}

LangString *lang_reader_line(LangContext *ctx, int64_t handle) {
    LineReader *r = (LineReader *)(intptr_t)handle;
    if (!r) lang_panic("read from a closed file");
    return next_line(ctx, r->fd, &r->buf, &r->start, &r->end, &r->cap, &r->eof);
}

void lang_reader_close(LangContext *ctx, int64_t handle) {
    (void)ctx;
    LineReader *r = (LineReader *)(intptr_t)handle;
    if (!r) return;
    close(r->fd);
    free(r->buf);
    free(r);
}

/* ---- standard input (Console.ReadLine, Console.Read) ---- */

static struct {
    char *buf;
    size_t start, end, cap;
    int eof;
} in;

LangString *lang_console_read_line(LangContext *ctx) {
    lang_console_flush(); /* a prompt written before reading is seen */
    if (!in.buf) {
        in.cap = 64 * 1024;
        in.buf = malloc(in.cap);
        if (!in.buf) lang_panic("out of memory reading standard input");
    }
    return next_line(ctx, 0, &in.buf, &in.start, &in.end, &in.cap, &in.eof);
}

/* The next character (Unicode scalar) of standard input, -1 at its end. */
int64_t lang_console_read_char(LangContext *ctx) {
    (void)ctx;
    lang_console_flush();
    if (!in.buf) {
        in.cap = 64 * 1024;
        in.buf = malloc(in.cap);
        if (!in.buf) lang_panic("out of memory reading standard input");
    }
    for (;;) {
        size_t have = in.end - in.start;
        unsigned char c0 = have ? (unsigned char)in.buf[in.start] : 0;
        size_t need = !have ? 1 : c0 < 0x80 ? 1 : c0 >= 0xF0 ? 4 : c0 >= 0xE0 ? 3 : c0 >= 0xC0 ? 2 : 1;
        if (have >= need || (in.eof && have)) {
            if (need > have) need = have;
            int len;
            uint32_t c = lang_utf8_decode(in.buf + in.start, (int64_t)need, &len);
            in.start += (size_t)len;
            return c;
        }
        if (in.eof) return -1;
        if (in.start > 0) {
            memmove(in.buf, in.buf + in.start, have);
            in.end = have;
            in.start = 0;
        }
        ssize_t r = read(0, in.buf + in.end, in.cap - in.end);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) in.eof = 1;
        else in.end += (size_t)r;
    }
}

/* ---- the environment and the clock ---- */

LangString *lang_env_get(LangContext *ctx, const LangString *name) {
    if (!name || name->byte_length == 0 || memchr(name->data, 0, (size_t)name->byte_length)) return NULL;
    const char *v = getenv(name->data);
    return v ? lang_str_from_bytes_lossy(ctx, v, (int64_t)strlen(v)) : NULL;
}

/* Environment.Exit: standard output is flushed, nothing else runs (no destructors). */
void lang_env_exit(LangContext *ctx, int64_t code) {
    (void)ctx;
    lang_console_flush();
    _exit((int)(code & 0xff));
}

/* Nanoseconds of a monotonic clock (Stopwatch) and since the Unix epoch (Time.Now). */
int64_t lang_clock_monotonic(LangContext *ctx) {
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t lang_clock_unix(LangContext *ctx) {
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
