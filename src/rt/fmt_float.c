/* fmt_float.c: number to text. Floats print in the shortest form that reads back to the
 * same value, laid out the way C#'s double.ToString() / float.ToString() does it.
 *
 * Shortest digits: the fewest p (at most 17, 9 for f32) whose p-digit decimal strtod
 * (strtof) maps back to the same bits; see shortest() for why at most three printf calls
 * are needed. When the correctly rounded p-digit text misses, its neighbours one unit in
 * the last digit are tried too (at powers of two the round-trip interval is lopsided).
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

/* Tries the correctly rounded p-digit decimal and then its two neighbours. */
static int try_digits(double v, int is_f32, int p, Decimal *d) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.*e", p - 1, v);
    uint64_t m;
    int e;
    parse_e(buf, &m, &e);
    int last = e - (p - 1); /* exponent of the last digit */
    if (roundtrips(buf, v, is_f32)) {
        set_decimal(d, m, last);
        return 1;
    }
    uint64_t cands[2] = {m + 1, m - 1};
    for (int i = 0; i < 2; i++) {
        snprintf(buf, sizeof buf, "%llue%d", (unsigned long long)cands[i], last);
        if (cands[i] && roundtrips(buf, v, is_f32)) {
            set_decimal(d, cands[i], last);
            return 1;
        }
    }
    return 0;
}

/* Shortest digits of a positive finite v.
 * Fast path: integers below 2^53 (2^24 for f32, where every integer is exact, so no
 * shorter decimal names the same value) are their own digits.
 * Otherwise: every decimal of at most DIG significant digits (15 for double, 6 for float)
 * survives decimal -> binary -> DIG-digit decimal unchanged. So if some p <= DIG digit
 * decimal reads back as v, the correctly rounded DIG-digit text of v is exactly that
 * decimal padded with zeros: stripping the zeros yields the shortest. Only when DIG digits
 * do not round-trip do we need DIG+1 .. MAX digits, one printf each. (The argument holds
 * for normal numbers only; subnormals take the slow path, p = 1, 2, ...) */
static void shortest(double v, int is_f32, Decimal *d) {
    if (v < (is_f32 ? 16777216.0 : 9007199254740992.0) && v == (double)(uint64_t)v) {
        set_decimal(d, (uint64_t)v, 0);
        return;
    }
    int dig = is_f32 ? 6 : 15, maxp = is_f32 ? 9 : 17;
    int first = dig + 1;
    char buf[64];
    uint64_t m;
    int e;
    if (v < (is_f32 ? 1.17549435e-38 : 2.2250738585072014e-308)) {
        first = 1; /* subnormal: fewer significant bits, the DIG-digit argument fails */
    } else {
        snprintf(buf, sizeof buf, "%.*e", dig - 1, v);
        if (roundtrips(buf, v, is_f32)) {
            parse_e(buf, &m, &e);
            set_decimal(d, m, e - (dig - 1));
            return;
        }
    }
    for (int p = first; p < maxp; p++)
        if (try_digits(v, is_f32, p, d)) return;
    snprintf(buf, sizeof buf, "%.*e", maxp - 1, v); /* maxp digits always round-trip */
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
