// test_rt_text.cpp: the runtime's string methods, formats and StringBuilder (src/rt/text.c,
// text_case.c, text_format.c): Split/Join round trips over many separators and texts,
// every Unicode white space character for Trim, F rounding against an exact integer
// reference (every multiple of 1/8 and 1/1000 in a range), X/D at every integer width,
// and that a StringBuilder's last release frees its buffer.
#include <doctest/doctest.h>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>
#include "rt/rt_internal.h"

namespace {
struct Ctx {
    LangContext c;
    Ctx() { lang_context_init_root(&c); }
    ~Ctx() { lang_context_fini(&c); }
};
LangString *S(LangContext *ctx, const std::string &s) { return lang_str_from_utf8(ctx, s.data(), (int64_t)s.size()); }
std::string str(const LangString *s) { return std::string(s->data, (size_t)s->byte_length); }
std::string take(LangString *s) {
    std::string r = str(s);
    lang_str_release(s);
    return r;
}

// num / den rounded to `d` decimals, half away from zero, as text (the exact reference).
std::string fixed_ref(int64_t num, int64_t den, int d) {
    bool neg = num < 0;
    __int128 p = 1;
    for (int i = 0; i < d; i++) p *= 10;
    __int128 t = (neg ? -(__int128)num : (__int128)num) * p;
    __int128 q = t / den;
    if (2 * (t % den) >= den) q++;
    std::string digits = std::to_string((long long)(q / p));
    if (d) {
        std::string f = std::to_string((long long)(q % p));
        digits += "." + std::string((size_t)d - f.size(), '0') + f;
    }
    return (neg ? "-" : "") + digits;
}
} // namespace

TEST_CASE("rt text: Split and Join are inverse for every separator position") {
    Ctx c;
    const char *texts[] = {"", ",", ",,", "a", "a,b", ",a,", "héllo,wörld,,", "日本,語", "a,,b,,,c"};
    const char *seps[] = {",", ",,", "é", "語", "ab"};
    for (const char *t : texts)
        for (const char *sp : seps) {
            LangString *s = S(&c.c, t), *sep = S(&c.c, sp);
            LangArray *parts = lang_str_split(&c.c, s, sep);
            // the piece count is the number of non-overlapping separator occurrences + 1
            size_t count = 1;
            std::string ts = t, ss = sp;
            for (size_t at = ts.find(ss); at != std::string::npos; at = ts.find(ss, at + ss.size())) count++;
            CHECK((size_t)parts->length == count);
            CHECK(take(lang_str_join(&c.c, sep, parts)) == ts);
            LangString **e = (LangString **)parts->data;
            for (int64_t i = 0; i < parts->length; i++) lang_str_release(e[i]);
            lang_array_free(&c.c, parts);
            lang_str_release(s);
            lang_str_release(sep);
        }
}

TEST_CASE("rt text: Trim removes every Unicode white space character and nothing else") {
    Ctx c;
    const uint32_t ws[] = {9, 10, 11, 12, 13, 32, 0x85, 0xA0, 0x1680, 0x2000, 0x2005, 0x200A,
                           0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
    const uint32_t not_ws[] = {'x', 0x200B, 0xFEFF, 0x1F600, 0x2060, 0xE9};
    for (uint32_t w : ws) {
        char b[4];
        std::string sp(b, (size_t)lang_utf8_encode(w, b));
        LangString *s = S(&c.c, sp + sp + "é x" + sp);
        CHECK(take(lang_str_trim(&c.c, s, 3)) == "é x");
        CHECK(take(lang_str_trim(&c.c, s, 1)) == "é x" + sp);
        CHECK(take(lang_str_trim(&c.c, s, 2)) == sp + sp + "é x");
        lang_str_release(s);
    }
    for (uint32_t w : not_ws) {
        char b[4];
        std::string t(b, (size_t)lang_utf8_encode(w, b));
        LangString *s = S(&c.c, " " + t + " ");
        CHECK(take(lang_str_trim(&c.c, s, 3)) == t);
        lang_str_release(s);
    }
}

TEST_CASE("rt text: F rounds half away from zero on the exact value") {
    Ctx c;
    for (int64_t den : {8, 1000, 1}) // exact binary values (k/8) and near-ties (k/1000)
        for (int64_t num = -3000; num <= 3000; num++)
            for (int d = 0; d <= 4; d++) {
                double v = (double)num / (double)den;
                std::string got = take(lang_str_format_float(&c.c, v, d));
                if (den == 1000) {
                    // k/1000 is not a tie in binary (unless it is some m/8, checked above):
                    // printf's round-to-nearest on the exact value is then the answer
                    if ((num * 8) % 1000 == 0) continue;
                    char buf[64];
                    snprintf(buf, sizeof buf, "%.*f", d, v);
                    if (got != buf) {
                        INFO("value " << v << " F" << d);
                        CHECK(got == buf);
                    }
                    continue;
                }
                std::string want = fixed_ref(num, den, d);
                if (got != want) {
                    INFO("value " << v << " F" << d);
                    CHECK(got == want);
                }
            }
    CHECK(take(lang_str_format_float(&c.c, -0.0, 2)) == "-0.00");
    CHECK(take(lang_str_format_float(&c.c, 1e300, 0)).size() == 301);
    CHECK(take(lang_str_format_float(&c.c, 0.5, -1)) == "0.50");
}

TEST_CASE("rt text: D and X at every integer width") {
    Ctx c;
    CHECK(take(lang_str_format_int(&c.c, -1, 'X', -1, 8, 1)) == "FF");
    CHECK(take(lang_str_format_int(&c.c, -1, 'x', -1, 16, 1)) == "ffff");
    CHECK(take(lang_str_format_int(&c.c, -1, 'X', -1, 32, 1)) == "FFFFFFFF");
    CHECK(take(lang_str_format_int(&c.c, -1, 'X', -1, 64, 1)) == "FFFFFFFFFFFFFFFF");
    CHECK(take(lang_str_format_int(&c.c, 255, 'X', 4, 8, 0)) == "00FF");
    CHECK(take(lang_str_format_int(&c.c, INT64_MIN, 'D', 25, 64, 1)) == "-0000009223372036854775808");
    CHECK(take(lang_str_format_int(&c.c, -1, 'D', 3, 64, 0)) == "18446744073709551615"); // u64 max
    CHECK(take(lang_str_format_int(&c.c, 0, 'D', 0, 64, 1)) == "0");
    CHECK(take(lang_str_format_int(&c.c, -5, 'F', -1, 32, 1)) == "-5.00");
    LangString *e = S(&c.c, "é");
    CHECK(take(lang_str_pad(&c.c, e, -3)) == "é  ");
    CHECK(take(lang_str_pad(&c.c, e, 2)) == " é");
    CHECK(take(lang_str_pad(&c.c, e, 1)) == "é");
    lang_str_release(e);
}

TEST_CASE("rt text: a StringBuilder's last release frees its buffer") {
    Ctx c;
    int64_t before = lang_str_live_count();
    LangString *sb = lang_sb_new(&c.c);
    LangString *piece = S(&c.c, "ab");
    for (int i = 0; i < 1000; i++) lang_sb_append(&c.c, sb, piece);
    lang_str_release(piece);
    CHECK((*lang_sb_slot(sb))->length == 2000);
    CHECK(lang_str_capacity(*lang_sb_slot(sb)) < 8192); // geometric growth, one buffer
    LangString *t = lang_sb_to_string(&c.c, sb);
    CHECK(t->length == 2000);
    lang_str_retain(sb);
    lang_str_release(sb);
    CHECK((*lang_sb_slot(sb))->length == 2000); // still alive: one reference left
    lang_str_release(sb);
    lang_str_release(t);
    CHECK(lang_str_live_count() == before); // handle, buffer and copy are all gone
}
