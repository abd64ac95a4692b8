/* text_format.c: interpolation format specifiers and alignment (spec 6.6):
 * {n:D5} {n:X} {n:x4} {x:F3} {v,8} {v,-8}, with C#'s results.
 *
 *   D<k>  integer, at least k digits (zero padded after the sign): -42 D5 -> "-00042"
 *   X<k>  integer in hexadecimal (x: lower case), at least k digits; a negative value is
 *         written as its two's complement in the value's own width (i8 -1 -> "FF")
 *   F<k>  fixed point with k decimals (default 2) for integers and floats; a float is
 *         rounded half away from zero on its exact binary value, as .NET Core 3.0+ does
 *         (0.125 F2 -> "0.13", 1.005 F2 -> "1.00" because 1.005 is below 1.005 exactly)
 *   ,w    pads with spaces to w characters: right-aligned for w > 0, left-aligned for
 *         w < 0; a longer text is never cut
 *
 * Every result is a new reference (+1); arguments are borrowed.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "rt_internal.h"

enum { kFmtD = 'D', kFmtX = 'X', kFmtLowerX = 'x', kFmtF = 'F' };

static LangString *make(LangContext *ctx, const char *p, int64_t n) { return lang_str_from_utf8(ctx, p, n); }

/* v is the value sign- or zero-extended to 64 bits; bits its type's width (8..64). */
LangString *lang_str_format_int(LangContext *ctx, int64_t v, int64_t kind, int64_t digits, int64_t bits,
                                uint8_t is_signed) {
    char buf[160];
    int n = 0;
    if (digits > 99) digits = 99;
    if (kind == kFmtF && digits < 0) digits = 2;
    int neg = is_signed && v < 0;
    uint64_t mag = neg ? 0 - (uint64_t)v : (uint64_t)v;
    if (kind == kFmtX || kind == kFmtLowerX) {
        uint64_t u = (uint64_t)v;
        if (bits < 64) u &= ((uint64_t)1 << bits) - 1;
        const char *hex = kind == kFmtX ? "0123456789ABCDEF" : "0123456789abcdef";
        char tmp[16];
        int k = 0;
        do {
            tmp[k++] = hex[u & 15];
            u >>= 4;
        } while (u);
        while (n + k < digits) buf[n++] = '0';
        while (k) buf[n++] = tmp[--k];
        return make(ctx, buf, n);
    }
    char tmp[24];
    int k = lang_fmt_u64(tmp, mag);
    if (neg) buf[n++] = '-';
    if (kind == kFmtD)
        for (int i = k; i < digits; i++) buf[n++] = '0';
    memcpy(buf + n, tmp, (size_t)k);
    n += k;
    if (kind == kFmtF && digits > 0) {
        buf[n++] = '.';
        for (int i = 0; i < digits; i++) buf[n++] = '0';
    }
    return make(ctx, buf, n);
}

/* Adds one unit in the last place to the decimal text p[0..n) ("9.99" -> "10.00"); the
 * text has room for one more character in front. Returns the new start. */
static char *round_up(char *p, int n) {
    for (int i = n - 1; i >= 0; i--) {
        if (p[i] == '.') continue;
        if (p[i] != '9') {
            p[i]++;
            return p;
        }
        p[i] = '0';
    }
    *--p = '1';
    return p;
}

LangString *lang_str_format_float(LangContext *ctx, double v, int64_t digits) {
    if (digits < 0) digits = 2;
    if (digits > 99) digits = 99;
    char small[LANG_FMT_FLOAT_MAX];
    if (isnan(v) || isinf(v)) {
        int n = lang_fmt_f64(small, v);
        return make(ctx, small, n);
    }
    /* Most values are no tie: glibc rounds exactly, to nearest. A tie (the exact value ends
     * in 5 right after the kept digits) is rounded away from zero instead of to even. */
    int d = (int)digits;
    char probe[512];
    int pn = snprintf(probe, sizeof probe, "%.*f", d + 24, fabs(v));
    int tie = 0;
    if (pn > 0 && pn < (int)sizeof probe) {
        const char *rest = probe + pn - 24;
        if (rest[0] == '5') {
            tie = 1;
            for (int i = 1; i < 24 && tie; i++) tie = rest[i] == '0';
            if (tie) { /* confirm on the exact expansion (at most 1074 fraction digits) */
                static const int kExact = 1100;
                char *big = lang_alloc(ctx, 1600, 1);
                int bn = snprintf(big, 1600, "%.*f", d + kExact, fabs(v));
                for (int i = bn - kExact + 1; i < bn && tie; i++) tie = big[i] == '0';
                lang_free(ctx, big);
            }
        }
    }
    char out[520];
    char *p = out + 2;
    int n;
    if (tie) {
        n = pn - 24;                 /* the kept digits, truncated */
        if (d == 0) n--;             /* no '.' without decimals */
        memcpy(p, probe, (size_t)n);
        char *end = p + n;
        p = round_up(p, n);
        n = (int)(end - p);
    } else {
        n = snprintf(p, sizeof out - 3, "%.*f", d, fabs(v));
    }
    if (signbit(v)) {
        *--p = '-';
        n++;
    }
    return make(ctx, p, n);
}

/* s padded with spaces to |width| characters (right-aligned when width > 0). */
LangString *lang_str_pad(LangContext *ctx, const LangString *s, int64_t width) {
    const LangString *t = s ? s : lang_str_empty();
    int64_t w = width < 0 ? -width : width;
    if (t->length >= w) return make(ctx, t->data, t->byte_length);
    int64_t pad = w - t->length;
    int64_t bytes = t->byte_length + pad;
    char *buf = lang_alloc(ctx, bytes, 1);
    if (width > 0) {
        memset(buf, ' ', (size_t)pad);
        memcpy(buf + pad, t->data, (size_t)t->byte_length);
    } else {
        memcpy(buf, t->data, (size_t)t->byte_length);
        memset(buf + t->byte_length, ' ', (size_t)pad);
    }
    LangString *r = make(ctx, buf, bytes);
    lang_free(ctx, buf);
    return r;
}
