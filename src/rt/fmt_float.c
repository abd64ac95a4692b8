/* fmt_float.c: number to text. Floats print in the shortest form that reads back to the
 * same value, laid out the way C#'s double.ToString() / float.ToString() does it.
 *
 * Shortest digits: for p = 1..17 (9 for f32) take the correctly rounded p-digit decimal
 * from printf("%.*e") and keep the first that strtod (strtof) maps back to the same bits;
 * when the rounded one misses, its neighbours one unit in the last digit are tried too
 * (at powers of two the round-trip interval is lopsided).
 * Layout (C# "G" with round-trip precision): scale = decimal exponent + 1; scientific
 * notation when scale > max(digits, 17) (9 for f32) or scale < -3, written "d.dddE+XX"
 * with at least two exponent digits; otherwise plain digits, no trailing ".0".
 * Specials: "NaN", "Infinity", "-Infinity", and "-0" for negative zero.
 *
 * Invariants: output is ASCII, NUL-terminated, at most LANG_FMT_FLOAT_MAX bytes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rt_internal.h"

/* Decimal digits of a positive finite value: digits[] without trailing zeros, *scale such
 * that value = 0.d1d2d3... * 10^scale. */
typedef struct Decimal {
    char digits[20];
    int ndigits;
    int scale;
} Decimal;

static int roundtrips(const char *text, double v, int is_f32) {
    if (is_f32) return strtof(text, NULL) == (float)v;
    return strtod(text, NULL) == v;
}

/* Splits "d.ddde+XX" into integer mantissa digits and exponent. */
static void parse_e(const char *s, uint64_t *mant, int *exp10) {
    uint64_t m = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9') m = m * 10 + (uint64_t)(*s - '0');
    *mant = m;
    *exp10 = *s == 'e' ? atoi(s + 1) : 0;
}

static void set_decimal(Decimal *d, uint64_t mant, int exp10_of_last_digit) {
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)mant);
    d->scale = exp10_of_last_digit + n;
    while (n > 1 && tmp[n - 1] == '0') n--;
    memcpy(d->digits, tmp, (size_t)n);
    d->digits[n] = 0;
    d->ndigits = n;
}

static void shortest(double v, int is_f32, Decimal *d) {
    int maxp = is_f32 ? 9 : 17;
    char buf[64];
    for (int p = 1; p <= maxp; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, v);
        uint64_t m;
        int e;
        parse_e(buf, &m, &e);
        int last = e - (p - 1); /* exponent of the last digit */
        if (roundtrips(buf, v, is_f32)) {
            set_decimal(d, m, last);
            return;
        }
        if (p == maxp) break;
        uint64_t cands[2] = {m + 1, m - 1};
        for (int i = 0; i < 2; i++) {
            if (cands[i] == 0) continue;
            snprintf(buf, sizeof buf, "%llue%d", (unsigned long long)cands[i], last);
            if (roundtrips(buf, v, is_f32)) {
                set_decimal(d, cands[i], last);
                return;
            }
        }
    }
    /* maxp digits always round-trip; reaching here means the libc disagrees: use them. */
    snprintf(buf, sizeof buf, "%.*e", maxp - 1, v);
    uint64_t m;
    int e;
    parse_e(buf, &m, &e);
    set_decimal(d, m, e - (maxp - 1));
}

static int format(char *out, double v, int is_f32) {
    char *o = out;
    if (isnan(v)) return (int)(stpcpy(out, "NaN") - out);
    if (signbit(v)) *o++ = '-';
    if (isinf(v)) return (int)(stpcpy(o, "Infinity") - out);
    if (v == 0) {
        *o++ = '0';
        *o = 0;
        return (int)(o - out);
    }
    Decimal d;
    shortest(fabs(v), is_f32, &d);
    int max_digits = is_f32 ? 9 : 17;
    if (d.ndigits > max_digits) max_digits = d.ndigits;
    int pos = d.scale, scientific = 0;
    if (pos > max_digits || pos < -3) {
        pos = 1;
        scientific = 1;
    }
    int i = 0;
    if (pos > 0) {
        for (int k = 0; k < pos; k++) *o++ = i < d.ndigits ? d.digits[i++] : '0';
    } else {
        *o++ = '0';
    }
    if (i < d.ndigits || pos < 0) {
        *o++ = '.';
        for (int k = pos; k < 0; k++) *o++ = '0';
        while (i < d.ndigits) *o++ = d.digits[i++];
    }
    if (scientific) {
        int e = d.scale - 1;
        o += sprintf(o, "E%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    }
    *o = 0;
    return (int)(o - out);
}

int lang_fmt_f64(char *buf, double v) { return format(buf, v, 0); }
int lang_fmt_f32(char *buf, float v) { return format(buf, (double)v, 1); }

int lang_fmt_u64(char *buf, uint64_t v) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    buf[n] = 0;
    return n;
}

int lang_fmt_i64(char *buf, int64_t v) {
    if (v >= 0) return lang_fmt_u64(buf, (uint64_t)v);
    buf[0] = '-';
    return 1 + lang_fmt_u64(buf + 1, 0 - (uint64_t)v);
}
