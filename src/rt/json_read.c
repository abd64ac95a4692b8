/* json_read.c: the reading half of Std.Serialize.Json's runtime (doc/language/spec.md 10.10).
 *
 * The compiler makes one reader function per type a program deserializes
 * (src/ir/lower_json.cpp); they parse from a LangJsonR over the bytes of the input string.
 * Every primitive skips white space first. The first error is recorded with its byte
 * offset (and so line and column); after it every primitive does nothing and returns a
 * zero value, so the generated code needs no error checks inside its loops and the caller
 * looks at lang_json_r_failed once at the end. Nesting deeper than LANG_JSON_MAX_DEPTH
 * arrays and objects is an error, which also bounds the recursion of the generated
 * readers. Internal buffers come from malloc and are always freed here; strings handed to
 * compiled code come from the context's allocator like every other string. The writing
 * half is json_write.c. */
#include "lang_json.h"
#include "rt_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct LangJsonR {
    const char *p;     /* the input (not NUL-terminated in general) */
    int64_t n;
    int64_t pos;
    int64_t depth;
    int failed;
    int64_t err_pos;
    char err[160];
};

LangJsonR *lang_json_r_new(LangContext *ctx, const LangString *s) {
    (void)ctx;
    LangJsonR *r = (LangJsonR *)calloc(1, sizeof(LangJsonR));
    if (!r) lang_panic("out of memory in Json.Deserialize");
    r->p = s->data;
    r->n = s->byte_length;
    return r;
}

void lang_json_r_free(LangJsonR *r) { free(r); }

int64_t lang_json_r_failed(const LangJsonR *r) { return r->failed; }

/* Records the first error, at byte offset `at`. */
static void fail_at(LangJsonR *r, int64_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail_at(LangJsonR *r, int64_t at, const char *fmt, ...) {
    if (r->failed) return;
    r->failed = 1;
    r->err_pos = at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
}

static void skip_ws(LangJsonR *r) {
    while (r->pos < r->n) {
        char c = r->p[r->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
        r->pos++;
    }
}

/* Whether the next byte is c. */
static int at(const LangJsonR *r, char c) { return r->pos < r->n && r->p[r->pos] == c; }

/* Whether the literal `word` (true, false, null) is at pos, not followed by more of a word. */
static int64_t literal_at(LangJsonR *r, const char *word) {
    int64_t k = (int64_t)strlen(word);
    if (r->n - r->pos < k || memcmp(r->p + r->pos, word, (size_t)k) != 0) return 0;
    if (r->pos + k < r->n) { /* `nullx`, `true1`: not that literal */
        char c = r->p[r->pos + k];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') return 0;
    }
    return k;
}

static int literal(LangJsonR *r, const char *word) {
    int64_t k = literal_at(r, word);
    r->pos += k;
    return k != 0;
}

/* What the next token is, for messages: "a string", "'x'", "the end of the input". */
static const char *what_next(LangJsonR *r, char *buf) {
    if (r->pos >= r->n) return "the end of the input";
    unsigned char c = (unsigned char)r->p[r->pos];
    if (c == '"') return "a string";
    if (c == '{') return "an object";
    if (c == '[') return "an array";
    if (c == '-' || (c >= '0' && c <= '9')) return "a number";
    if (literal_at(r, "true") || literal_at(r, "false")) return "a bool";
    if (literal_at(r, "null")) return "null";
    if (c >= 0x20 && c < 0x7f) snprintf(buf, 16, "'%c'", c);
    else snprintf(buf, 16, "byte 0x%02x", c);
    return buf;
}

static void expected(LangJsonR *r, const char *what) {
    char b[16];
    fail_at(r, r->pos, "expected %s, found %s", what, what_next(r, b));
}

int64_t lang_json_r_null(LangJsonR *r) {
    if (r->failed) return 0;
    skip_ws(r);
    return literal(r, "null");
}

int64_t lang_json_r_bool(LangJsonR *r) {
    if (r->failed) return 0;
    skip_ws(r);
    if (literal(r, "true")) return 1;
    if (literal(r, "false")) return 0;
    expected(r, "true or false");
    return 0;
}

/* The extent of a JSON number at pos (grammar checked), or 0 (error recorded). */
static int64_t number_len(LangJsonR *r, int *is_int) {
    const char *p = r->p;
    int64_t i = r->pos, n = r->n;
    *is_int = 1;
    if (i < n && p[i] == '-') {
        i++;
        if (i >= n || p[i] < '0' || p[i] > '9') {
            fail_at(r, i, "expected a digit after '-'");
            return 0;
        }
    }
    if (i >= n || p[i] < '0' || p[i] > '9') {
        expected(r, "a number");
        return 0;
    }
    if (p[i] == '0' && i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '9') {
        fail_at(r, i, "a number cannot start with 0");
        return 0;
    }
    while (i < n && p[i] >= '0' && p[i] <= '9') i++;
    if (i < n && p[i] == '.') {
        *is_int = 0;
        i++;
        if (i >= n || p[i] < '0' || p[i] > '9') {
            fail_at(r, i, "expected a digit after '.'");
            return 0;
        }
        while (i < n && p[i] >= '0' && p[i] <= '9') i++;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        *is_int = 0;
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-')) i++;
        if (i >= n || p[i] < '0' || p[i] > '9') {
            fail_at(r, i, "expected a digit in the exponent");
            return 0;
        }
        while (i < n && p[i] >= '0' && p[i] <= '9') i++;
    }
    return i - r->pos;
}

/* An integer in [min, max]; `type` names the target for the message. */
int64_t lang_json_r_int(LangJsonR *r, int64_t min, int64_t max, const char *type) {
    if (r->failed) return 0;
    skip_ws(r);
    int64_t start = r->pos;
    int is_int;
    int64_t len = number_len(r, &is_int);
    if (!len) return 0;
    if (!is_int) {
        fail_at(r, start, "expected an integer (%s), found %.*s", type, (int)(len > 40 ? 40 : len), r->p + start);
        return 0;
    }
    const char *p = r->p + start;
    int neg = p[0] == '-';
    uint64_t mag = 0;
    int over = 0;
    for (int64_t i = neg; i < len; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (mag > (UINT64_MAX - d) / 10) over = 1;
        else mag = mag * 10 + d;
    }
    int64_t v = 0;
    if (!over) {
        if (neg) {
            if (mag > (uint64_t)INT64_MAX + 1) over = 1;
            else v = (int64_t)(0 - mag);
        } else if (mag > (uint64_t)INT64_MAX) {
            over = 1;
        } else {
            v = (int64_t)mag;
        }
    }
    if (over || v < min || v > max) {
        fail_at(r, start, "%.*s is out of range for %s", (int)(len > 40 ? 40 : len), p, type);
        return 0;
    }
    r->pos += len;
    return v;
}

/* An unsigned integer up to max. */
uint64_t lang_json_r_uint(LangJsonR *r, uint64_t max, const char *type) {
    if (r->failed) return 0;
    skip_ws(r);
    int64_t start = r->pos;
    int is_int;
    int64_t len = number_len(r, &is_int);
    if (!len) return 0;
    const char *p = r->p + start;
    if (!is_int) {
        fail_at(r, start, "expected an integer (%s), found %.*s", type, (int)(len > 40 ? 40 : len), p);
        return 0;
    }
    int over = p[0] == '-' && !(len == 2 && p[1] == '0');
    uint64_t mag = 0;
    for (int64_t i = p[0] == '-'; i < len && !over; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (mag > (UINT64_MAX - d) / 10) over = 1;
        else mag = mag * 10 + d;
    }
    if (over || mag > max) {
        fail_at(r, start, "%.*s is out of range for %s", (int)(len > 40 ? 40 : len), p, type);
        return 0;
    }
    r->pos += len;
    return mag;
}

/* A number as a double (strtod: correctly rounded); null reads as NaN, which is what
 * Serialize writes for NaN and the infinities. */
double lang_json_r_f64(LangJsonR *r) {
    if (r->failed) return 0;
    skip_ws(r);
    if (literal(r, "null")) return NAN;
    int64_t start = r->pos;
    int is_int;
    int64_t len = number_len(r, &is_int);
    if (!len) return 0;
    char small[64];
    char *b = len < (int64_t)sizeof small ? small : (char *)malloc((size_t)len + 1);
    if (!b) lang_panic("out of memory in Json.Deserialize");
    memcpy(b, r->p + start, (size_t)len);
    b[len] = 0;
    double v = strtod(b, NULL);
    if (b != small) free(b);
    if (isinf(v)) {
        fail_at(r, start, "%.*s is out of range for float", (int)(len > 40 ? 40 : len), r->p + start);
        return 0;
    }
    r->pos += len;
    return v;
}

float lang_json_r_f32(LangJsonR *r) {
    int64_t start = (skip_ws(r), r->pos);
    double d = lang_json_r_f64(r);
    if (r->failed || isnan(d)) return (float)d;
    float f = (float)d;
    if (isinf(f)) {
        fail_at(r, start, "%.*s is out of range for f32", (int)(r->pos - start > 40 ? 40 : r->pos - start),
                r->p + start);
        return 0;
    }
    return f;
}

static int hex4(LangJsonR *r, int64_t at, uint32_t *out) {
    if (r->n - at < 4) return 0;
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        char c = r->p[at + k];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

/* The length of the valid UTF-8 sequence at p[0..n), or 0. */
static int utf8_len(const unsigned char *p, int64_t n) {
    unsigned char c = p[0];
    if (c < 0x80) return 1;
    int len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) len = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) len = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) len = 4, cp = c & 0x07;
    else return 0;
    if (n < len) return 0;
    for (int k = 1; k < len; k++) {
        if ((p[k] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (p[k] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* Reads a string's text into a malloc'd buffer (unescaped, UTF-8 checked). Returns its
 * length, or -1 after recording an error. */
static int64_t read_text(LangJsonR *r, char **out) {
    *out = NULL;
    skip_ws(r);
    if (!at(r, '"')) {
        expected(r, "a string");
        return -1;
    }
    int64_t open = r->pos++;
    int64_t cap = 64, len = 0;
    char *b = (char *)malloc((size_t)cap);
    if (!b) lang_panic("out of memory in Json.Deserialize");
    for (;;) {
        if (r->pos >= r->n) {
            fail_at(r, open, "unterminated string");
            break;
        }
        unsigned char c = (unsigned char)r->p[r->pos];
        if (len + 4 > cap) {
            cap *= 2;
            char *nb = (char *)realloc(b, (size_t)cap);
            if (!nb) lang_panic("out of memory in Json.Deserialize");
            b = nb;
        }
        if (c == '"') {
            r->pos++;
            *out = b;
            return len;
        }
        if (c < 0x20) {
            fail_at(r, r->pos, "control character 0x%02x in a string (write it as an escape)", c);
            break;
        }
        if (c == '\\') {
            int64_t at = r->pos;
            if (r->pos + 1 >= r->n) {
                fail_at(r, open, "unterminated string");
                break;
            }
            char e = r->p[r->pos + 1];
            r->pos += 2;
            char simple = e == '"' ? '"' : e == '\\' ? '\\' : e == '/' ? '/' : e == 'b' ? '\b' : e == 'f' ? '\f'
                        : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : 0;
            if (simple) {
                b[len++] = simple;
                continue;
            }
            uint32_t cp;
            if (e != 'u' || !hex4(r, r->pos, &cp)) {
                fail_at(r, at, e == 'u' ? "bad escape: \\u needs four hex digits" : "bad escape '\\%c'",
                        (e >= 0x20 && e < 0x7f) ? e : '?');
                break;
            }
            r->pos += 4;
            if (cp >= 0xdc00 && cp <= 0xdfff) {
                fail_at(r, at, "lone low surrogate \\u%04x", cp);
                break;
            }
            if (cp >= 0xd800 && cp <= 0xdbff) { /* a pair: \uD83D\uDE00 */
                uint32_t lo;
                if (r->pos + 1 < r->n && r->p[r->pos] == '\\' && r->p[r->pos + 1] == 'u' &&
                    hex4(r, r->pos + 2, &lo) && lo >= 0xdc00 && lo <= 0xdfff) {
                    r->pos += 6;
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                } else {
                    fail_at(r, at, "high surrogate \\u%04x without a low surrogate after it", cp);
                    break;
                }
            }
            len += lang_utf8_encode(cp, b + len);
            continue;
        }
        int k = utf8_len((const unsigned char *)r->p + r->pos, r->n - r->pos);
        if (!k) {
            fail_at(r, r->pos, "invalid UTF-8 in a string");
            break;
        }
        memcpy(b + len, r->p + r->pos, (size_t)k);
        len += k;
        r->pos += k;
    }
    free(b);
    return -1;
}

LangString *lang_json_r_str(LangContext *ctx, LangJsonR *r) {
    if (r->failed) return lang_str_empty();
    char *b;
    int64_t n = read_text(r, &b);
    if (n < 0) return lang_str_empty();
    LangString *s = lang_str_from_utf8(ctx, b, n);
    free(b);
    return s;
}

/* A char: a string of exactly one character. */
int64_t lang_json_r_char(LangJsonR *r) {
    if (r->failed) return 0;
    skip_ws(r);
    int64_t start = r->pos;
    char *b;
    int64_t n = read_text(r, &b);
    if (n < 0) return 0;
    int len = n > 0 ? utf8_len((const unsigned char *)b, n) : 0;
    uint32_t c = len ? lang_utf8_decode(b, n, &len) : 0;
    free(b);
    if (n == 0 || len != n) {
        fail_at(r, start, "expected a string of one character (char)");
        return 0;
    }
    return c;
}

/* Opens an array or object ('[' or '{'). */
int64_t lang_json_r_begin(LangJsonR *r, int64_t open) {
    if (r->failed) return 0;
    skip_ws(r);
    if (!at(r, (char)open)) {
        expected(r, open == '[' ? "an array" : "an object");
        return 0;
    }
    if (++r->depth > LANG_JSON_MAX_DEPTH) {
        fail_at(r, r->pos, "nesting deeper than %d arrays and objects", LANG_JSON_MAX_DEPTH);
        return 0;
    }
    r->pos++;
    return 1;
}

/* Before element `index` of an array: 1 when there is one (its ',' consumed), 0 at the
 * closing ']' (consumed) or after an error. */
int64_t lang_json_r_more(LangJsonR *r, int64_t index) {
    if (r->failed) return 0;
    skip_ws(r);
    if (at(r, ']')) {
        r->pos++;
        r->depth--;
        return 0;
    }
    if (index > 0) {
        if (!at(r, ',')) {
            expected(r, "',' or ']'");
            return 0;
        }
        r->pos++;
        skip_ws(r);
        if (at(r, ']')) {
            fail_at(r, r->pos, "expected a value after ',', found ']'");
            return 0;
        }
    }
    return 1;
}

/* Before element `index` of a tuple of `count`: 1 when it follows (its ',' consumed). */
int64_t lang_json_r_elem(LangJsonR *r, int64_t index, int64_t count) {
    if (r->failed) return 0;
    skip_ws(r);
    if (index > 0 && !at(r, ']')) { /* (a ']' here is the message below) */
        if (!at(r, ',')) {
            expected(r, "','");
            return 0;
        }
        r->pos++;
        skip_ws(r);
    }
    if (at(r, ']')) {
        fail_at(r, r->pos, "expected %lld elements (a tuple), found %lld", (long long)count, (long long)index);
        return 0;
    }
    return 1;
}

/* After the last element of a tuple of `count`: the closing ']'. */
void lang_json_r_close(LangJsonR *r, int64_t count) {
    if (r->failed) return;
    skip_ws(r);
    if (!at(r, ']')) {
        char b[16];
        fail_at(r, r->pos, "expected ']' after %lld elements (a tuple), found %s", (long long)count, what_next(r, b));
        return;
    }
    r->pos++;
    r->depth--;
}

/* Before member `index` of an object: its key as malloc'd text (length in *len, the ':'
 * consumed), or NULL at the closing '}' (consumed) or after an error. */
static char *next_key(LangJsonR *r, int64_t index, int64_t *len) {
    if (r->failed) return NULL;
    skip_ws(r);
    if (at(r, '}')) {
        r->pos++;
        r->depth--;
        return NULL;
    }
    if (index > 0) {
        if (!at(r, ',')) {
            expected(r, "',' or '}'");
            return NULL;
        }
        r->pos++;
        skip_ws(r);
    }
    if (!at(r, '"')) {
        expected(r, index > 0 ? "a key (a string)" : "a key (a string) or '}'");
        return NULL;
    }
    char *k;
    *len = read_text(r, &k);
    if (*len < 0) return NULL;
    skip_ws(r);
    if (!at(r, ':')) {
        free(k);
        expected(r, "':'");
        return NULL;
    }
    r->pos++;
    return k;
}

/* Skips one value of any kind (an unknown key's). */
static void skip_value(LangJsonR *r) {
    if (r->failed) return;
    skip_ws(r);
    if (r->pos >= r->n) {
        expected(r, "a value");
        return;
    }
    char c = r->p[r->pos];
    if (c == '"') {
        char *b;
        if (read_text(r, &b) >= 0) free(b);
    } else if (c == '[') {
        if (!lang_json_r_begin(r, '[')) return;
        for (int64_t i = 0; lang_json_r_more(r, i); i++) skip_value(r);
    } else if (c == '{') {
        if (!lang_json_r_begin(r, '{')) return;
        int64_t len;
        for (int64_t i = 0;; i++) {
            char *k = next_key(r, i, &len);
            if (!k) break;
            free(k);
            skip_value(r);
        }
    } else if (c == 't' || c == 'f') {
        lang_json_r_bool(r);
    } else if (c == 'n') {
        if (!literal(r, "null")) expected(r, "a value");
    } else {
        int is_int;
        r->pos += number_len(r, &is_int);
    }
}

/* The position of the name k[0..len) in the '\n'-separated `names`, or -1. */
static int64_t name_index(const char *names, const char *k, int64_t len) {
    const char *p = names;
    for (int64_t f = 0;; f++) {
        const char *e = strchr(p, '\n');
        int64_t n = e ? (int64_t)(e - p) : (int64_t)strlen(p);
        if (n == len && memcmp(p, k, (size_t)n) == 0) return f;
        if (!e) return -1;
        p = e + 1;
    }
}

/* Before member `index` of an object read into a struct or class whose fields are the
 * '\n'-separated `names`: the number of the field the next key names (its ':' consumed),
 * or -1 at the closing '}' or after an error. Members with other keys are skipped. */
int64_t lang_json_r_field(LangJsonR *r, int64_t index, const char *names) {
    for (;; index++) {
        int64_t len;
        char *k = next_key(r, index, &len);
        if (!k) return -1;
        int64_t f = name_index(names, k, len);
        free(k);
        if (f >= 0) return f;
        skip_value(r);
    }
}

/* Before member `index` of an object read into a Dict<string, V>: the key as a new
 * string (':' consumed), or NULL at the closing '}' or after an error. */
LangString *lang_json_r_key(LangContext *ctx, LangJsonR *r, int64_t index) {
    int64_t len;
    char *k = next_key(r, index, &len);
    if (!k) return NULL;
    LangString *s = lang_str_from_utf8(ctx, k, len);
    free(k);
    return s;
}

/* A C-like enum member by name: its number in the '\n'-separated `names`; `type` names
 * the enum for the message. */
int64_t lang_json_r_enum(LangJsonR *r, const char *names, const char *type) {
    if (r->failed) return 0;
    skip_ws(r);
    int64_t start = r->pos;
    char *k;
    int64_t len = read_text(r, &k);
    if (len < 0) return 0;
    int64_t f = name_index(names, k, len);
    if (f >= 0) {
        free(k);
        return f;
    }
    fail_at(r, start, "'%.*s' is not a member of enum %s", (int)(len > 40 ? 40 : len), k, type);
    free(k);
    return 0;
}

/* Where the reader is (after white space): where an object starts, for lang_json_r_fail. */
int64_t lang_json_r_pos(LangJsonR *r) {
    skip_ws(r);
    return r->pos;
}

/* Records an error the generated code found (a missing field) at byte offset `at`. */
void lang_json_r_fail(LangJsonR *r, int64_t at, const char *message) { fail_at(r, at, "%s", message); }

/* After the top-level value: only white space may follow. */
void lang_json_r_end(LangJsonR *r) {
    if (r->failed) return;
    skip_ws(r);
    if (r->pos < r->n) {
        char b[16];
        fail_at(r, r->pos, "found %s after the JSON value", what_next(r, b));
    }
}

/* A growing array for a T[] or List<T> being read: the same array while element `count`
 * fits, else a new one of twice the length with the elements moved over (the old one
 * freed without dropping them). */
LangArray *lang_json_r_grow(LangContext *ctx, LangArray *a, int64_t count) {
    if (count < a->length) return a;
    int64_t len = a->length ? a->length * 2 : 4;
    LangArray *b = lang_array_new(ctx, len, a->element_size);
    b->type_info = a->type_info;
    memcpy(b->data, a->data, (size_t)(a->length * a->element_size));
    lang_array_free(ctx, a);
    return b;
}

/* A T[] read: the first count elements of a (moved), a freed. */
LangArray *lang_json_r_fit(LangContext *ctx, LangArray *a, int64_t count) {
    if (count == a->length) return a;
    LangArray *b = lang_array_new(ctx, count, a->element_size);
    b->type_info = a->type_info;
    memcpy(b->data, a->data, (size_t)(count * a->element_size));
    lang_array_free(ctx, a);
    return b;
}

/* The first error: its message, byte offset, line and column (1-based, in characters). */
LangString *lang_json_reason(LangContext *ctx, int64_t reader) {
    LangJsonR *r = (LangJsonR *)(intptr_t)reader;
    return lang_str_from_utf8(ctx, r->err, (int64_t)strlen(r->err));
}

int64_t lang_json_error_pos(LangContext *ctx, int64_t reader, int64_t which) {
    (void)ctx;
    LangJsonR *r = (LangJsonR *)(intptr_t)reader;
    if (which == 0) return r->err_pos;
    int64_t line = 1, col = 1;
    for (int64_t i = 0; i < r->err_pos && i < r->n; i++) {
        unsigned char c = (unsigned char)r->p[i];
        if (c == '\n') line++, col = 1;
        else if ((c & 0xc0) != 0x80) col++;
    }
    return which == 1 ? line : col;
}
