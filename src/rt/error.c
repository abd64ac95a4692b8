/* error.c: errors as values (spec 10.3): where an error was raised and passed, its run-time
 * class name, the report of an error escaping Main, and strtod for float.Parse.
 *
 * An error is an instance of the prelude's Error class (src/sema/error_prelude.cpp) or of a
 * class deriving from it; its first fields are fixed (struct LangError). Compiled code calls
 *   lang_error_fail   at `fail e`: Location = the fail's "file:line:col", Trace emptied;
 *   lang_error_trace  on the error path of `try`: appends the try's location to Trace;
 *   lang_error_name   for e.Name (a new +1 string);
 *   lang_error_report when Main returns an error: prints it and its causes to stderr and
 *                     returns the exit status (1).
 * Location strings come from the compiler as static strings (never freed). An error object
 * is dropped like any class object (src/ir/lower_drop.cpp): its drop hook releases Message
 * and Location, drops Cause and frees the Trace array; a Trace that grows frees its old
 * array here.
 */
#include <stdlib.h>
#include <string.h>
#include "rt_internal.h"

typedef struct LangError {
    LangObjHeader header;
    LangString *message;
    struct LangError *cause; /* Error? */
    LangString *location;    /* "" until failed */
    LangArray *trace;        /* string[]: one location per `try` passed, innermost first */
} LangError;

void lang_error_fail(LangContext *ctx, void *err, LangString *location) {
    LangError *e = err;
    if (!e) lang_panic_null();
    LangString *old = e->location;
    e->location = location;
    lang_str_release(old);
    lang_array_free(ctx, e->trace); /* its strings are static locations */
    e->trace = (LangArray *)&lang_empty_array;
}

/* Trace arrays this file made have room to grow: their `reserved` header field (0 in every
 * other array) holds the capacity, so an error passing n `try`s costs O(n) in all (a deep
 * recursion of `try`s stays linear). */
void lang_error_trace(LangContext *ctx, void *err, LangString *location) {
    LangError *e = err;
    if (!e) return;
    LangArray *a = e->trace;
    int64_t n = a ? a->length : 0;
    if (!a || a->reserved <= n || a->element_size != (int64_t)sizeof(LangString *)) {
        int64_t cap = n < 4 ? 4 : n * 2;
        LangArray *b = lang_array_new(ctx, cap, (int64_t)sizeof(LangString *));
        if (n) memcpy(b->data, a->data, (size_t)n * sizeof(LangString *));
        b->reserved = cap;
        lang_array_free(ctx, a); /* the locations moved to b */
        a = b;
    }
    memcpy(a->data + (size_t)n * sizeof(LangString *), &location, sizeof location);
    a->length = n + 1;
    e->trace = a;
}

static const char *class_name(const LangError *e) {
    return e->header.type && e->header.type->name ? e->header.type->name : "Error";
}

LangString *lang_error_name(LangContext *ctx, void *err) {
    LangError *e = err;
    if (!e) lang_panic_null();
    const char *n = class_name(e);
    return lang_str_from_utf8(ctx, n, (int64_t)strlen(n));
}

static void put_str(const LangString *s) {
    if (s) lang_stderr_write(s->data, (size_t)s->byte_length);
}

int64_t lang_error_report(LangContext *ctx, void *err) {
    (void)ctx;
    lang_console_flush();
    int depth = 0;
    for (const LangError *e = err; e; e = e->cause) {
        lang_stderr_puts(depth ? "caused by: " : "error: ");
        lang_stderr_puts(class_name(e));
        lang_stderr_puts(": ");
        put_str(e->message);
        lang_stderr_puts("\n");
        if (e->location && e->location->byte_length) {
            lang_stderr_puts("    at ");
            put_str(e->location);
            lang_stderr_puts("\n");
        }
        const LangArray *t = e->trace;
        for (int64_t i = 0; t && i < t->length; i++) {
            LangString *s;
            memcpy(&s, t->data + (size_t)i * sizeof s, sizeof s);
            lang_stderr_puts("    at ");
            put_str(s);
            lang_stderr_puts("\n");
        }
        if (++depth > 1000) { /* a cycle of causes: stop */
            lang_stderr_puts("caused by: ...\n");
            break;
        }
    }
    lang_obj_drop(ctx, err); /* Main's result owned it: nothing else will drop it */
    return 1;
}

/* float.Parse after the prelude checked the syntax ([+-]digits[.digits][e[+-]digits]). */
double lang_parse_f64(const LangString *s) {
    return s ? strtod(s->data, NULL) : 0.0;
}
