/* duration.c: a Duration (int64 nanoseconds) as text, the way Go's time.Duration prints:
 *   0 -> "0s"; under a second one unit with a fraction: "45ns", "1.5µs", "250ms";
 *   from a second on hours, minutes and seconds: "1.5s", "2m3s", "1h0m0s".
 * The fraction has as many digits as the unit needs (3 for µs, 6 for ms, 9 for s),
 * trailing zeros dropped. Negative spans start with '-'; INT64_MIN works too. */
#include "rt_internal.h"
#include <string.h>

/* Writes backwards from buf[*w]: the decimal digits of v. */
static void put_uint(char *buf, int *w, uint64_t v) {
    do {
        buf[--*w] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
}

/* Writes backwards the `prec` low decimal digits of *v as ".ddd" without trailing zeros
 * (nothing when they are all zero), and divides *v by 10^prec. */
static void put_frac(char *buf, int *w, uint64_t *v, int prec) {
    int printed = 0;
    for (int i = 0; i < prec; i++) {
        int digit = (int)(*v % 10);
        printed |= digit != 0;
        if (printed) buf[--*w] = (char)('0' + digit);
        *v /= 10;
    }
    if (printed) buf[--*w] = '.';
}

static void put_text(char *buf, int *w, const char *s) {
    size_t n = strlen(s);
    *w -= (int)n;
    memcpy(buf + *w, s, n);
}

int lang_fmt_duration(char *out, int64_t d) {
    char buf[LANG_FMT_DURATION_MAX];
    int w = (int)sizeof buf;
    uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
    if (u == 0) {
        put_text(buf, &w, "0s");
    } else if (u < 1000000000) {
        int prec = u < 1000 ? 0 : u < 1000000 ? 3 : 6;
        put_text(buf, &w, prec == 0 ? "ns" : prec == 3 ? "\xc2\xb5s" : "ms"); /* µs in UTF-8 */
        put_frac(buf, &w, &u, prec);
        put_uint(buf, &w, u);
    } else {
        buf[--w] = 's';
        put_frac(buf, &w, &u, 9); /* u is now whole seconds */
        put_uint(buf, &w, u % 60);
        u /= 60;
        if (u > 0) {
            buf[--w] = 'm';
            put_uint(buf, &w, u % 60);
            u /= 60;
            if (u > 0) {
                buf[--w] = 'h';
                put_uint(buf, &w, u);
            }
        }
    }
    if (d < 0) buf[--w] = '-';
    int n = (int)sizeof buf - w;
    memcpy(out, buf + w, (size_t)n);
    out[n] = 0;
    return n;
}

void lang_write_duration(int64_t d) {
    char b[LANG_FMT_DURATION_MAX];
    lang_console_write_bytes(b, (size_t)lang_fmt_duration(b, d));
}

LangString *lang_str_from_duration(LangContext *ctx, int64_t d) {
    char b[LANG_FMT_DURATION_MAX];
    return lang_str_from_utf8(ctx, b, lang_fmt_duration(b, d));
}
