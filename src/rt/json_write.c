/* json_write.c: the writing half of Std.Serialize.Json's runtime (doc/language/spec.md 10.10).
 *
 * The compiler makes one writer function per type a program serializes
 * (src/ir/lower_json.cpp); they append to a LangJsonW, a growable byte buffer: punctuation
 * and pre-escaped field keys as C strings, numbers (floats in the shortest text that reads
 * back to the same value, fmt_float.c; NaN and the infinities, which JSON has not, as
 * null), strings with '"', '\\' and the control characters escaped (everything else,
 * non-ASCII too, as its UTF-8 bytes). lang_json_w_finish turns the buffer into a new
 * string. The buffer comes from malloc and is always freed here. The reading half is
 * json_read.c. */
#include "lang_json.h"
#include "rt_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct LangJsonW {
    char *buf;
    int64_t len, cap;
};

static void w_reserve(LangJsonW *w, int64_t more) {
    if (w->len + more <= w->cap) return;
    int64_t cap = w->cap ? w->cap * 2 : 256;
    while (cap < w->len + more) cap *= 2;
    char *nb = (char *)realloc(w->buf, (size_t)cap);
    if (!nb) lang_panic("out of memory in Json.Serialize");
    w->buf = nb;
    w->cap = cap;
}

static void w_bytes(LangJsonW *w, const char *p, int64_t n) {
    w_reserve(w, n);
    memcpy(w->buf + w->len, p, (size_t)n);
    w->len += n;
}

LangJsonW *lang_json_w_new(LangContext *ctx) {
    (void)ctx;
    LangJsonW *w = (LangJsonW *)calloc(1, sizeof(LangJsonW));
    if (!w) lang_panic("out of memory in Json.Serialize");
    return w;
}

LangString *lang_json_w_finish(LangContext *ctx, LangJsonW *w) {
    LangString *s = lang_str_from_utf8(ctx, w->buf ? w->buf : "", w->len);
    free(w->buf);
    free(w);
    return s;
}

void lang_json_w_cstr(LangJsonW *w, const char *text) { w_bytes(w, text, (int64_t)strlen(text)); }

void lang_json_w_sep(LangJsonW *w, int64_t index) {
    if (index > 0) w_bytes(w, ",", 1);
}

void lang_json_w_i64(LangJsonW *w, int64_t v) {
    char b[24];
    w_bytes(w, b, lang_fmt_i64(b, v));
}

void lang_json_w_u64(LangJsonW *w, uint64_t v) {
    char b[24];
    w_bytes(w, b, lang_fmt_u64(b, v));
}

/* fmt_float writes C#'s forms ("1E+21", "1E-07"): valid JSON numbers as they are. */
void lang_json_w_f64(LangJsonW *w, double v) {
    if (isnan(v) || isinf(v)) {
        w_bytes(w, "null", 4);
        return;
    }
    char b[LANG_FMT_FLOAT_MAX];
    w_bytes(w, b, lang_fmt_f64(b, v));
}

void lang_json_w_f32(LangJsonW *w, float v) {
    if (isnan(v) || isinf(v)) {
        w_bytes(w, "null", 4);
        return;
    }
    char b[LANG_FMT_FLOAT_MAX];
    w_bytes(w, b, lang_fmt_f32(b, v));
}

void lang_json_w_bool(LangJsonW *w, int64_t v) {
    if (v & 0xff) w_bytes(w, "true", 4);
    else w_bytes(w, "false", 5);
}

/* The bytes p[0..n) as a JSON string: '"' and '\\' escaped, control characters as \b \f
 * \n \r \t or \u00XX, the rest copied (valid UTF-8 in, valid UTF-8 out). */
void lang_json_escape(LangJsonW *w, const char *p, int64_t n) {
    static const char hex[] = "0123456789abcdef";
    w_reserve(w, n + 2);
    w->buf[w->len++] = '"';
    int64_t run = 0; /* start of the bytes not yet copied */
    for (int64_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        w_bytes(w, p + run, i - run);
        run = i + 1;
        char e[7] = {'\\', 0, 0, 0, 0, 0, 0};
        int len = 2;
        switch (c) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\b': e[1] = 'b'; break;
        case '\f': e[1] = 'f'; break;
        case '\n': e[1] = 'n'; break;
        case '\r': e[1] = 'r'; break;
        case '\t': e[1] = 't'; break;
        default:
            e[1] = 'u', e[2] = '0', e[3] = '0', e[4] = hex[c >> 4], e[5] = hex[c & 15];
            len = 6;
        }
        w_bytes(w, e, len);
    }
    w_bytes(w, p + run, n - run);
    w_bytes(w, "\"", 1);
}

void lang_json_w_str(LangJsonW *w, const LangString *s) { lang_json_escape(w, s->data, s->byte_length); }

void lang_json_w_char(LangJsonW *w, int64_t c) {
    char b[4];
    int n = lang_utf8_encode((uint32_t)c, b);
    lang_json_escape(w, b, n);
}

/* The index-th line of a '\n'-separated list, as [*start, *start + *len). */
static int nth_name(const char *names, int64_t index, const char **start, int64_t *len) {
    const char *p = names;
    for (int64_t k = 0; k < index; k++) {
        p = strchr(p, '\n');
        if (!p) return 0;
        p++;
    }
    const char *e = strchr(p, '\n');
    *start = p;
    *len = e ? (int64_t)(e - p) : (int64_t)strlen(p);
    return 1;
}

/* A C-like enum member by name (index into names), or its number when it is none of them. */
void lang_json_w_enum(LangJsonW *w, int64_t index, const char *names, int64_t value) {
    const char *p;
    int64_t n;
    if (index >= 0 && nth_name(names, index, &p, &n)) lang_json_escape(w, p, n);
    else lang_json_w_i64(w, value);
}

