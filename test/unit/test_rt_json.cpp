// test_rt_json.cpp: the runtime primitives of Std.Serialize.Json (src/rt/json_write.c, json_read.c): string
// escaping, reading strings (escapes, surrogate pairs, UTF-8 checks), integers at their
// range edges, floats, skipping unknown members, the depth limit and error positions.
#include <doctest/doctest.h>
#include <cstdlib>
#include <cstring>
#include <string>
#include "rt/rt_internal.h"
#include "rt/lang_json.h"

namespace {
struct Ctx {
    LangContext c;
    Ctx() { lang_context_init_root(&c); }
    ~Ctx() { lang_context_fini(&c); }
};

// A static (uncounted) LangString over any bytes, valid UTF-8 or not.
struct Text {
    LangString *s;
    explicit Text(const std::string &bytes) {
        s = (LangString *)calloc(1, sizeof(LangString) + bytes.size() + 1);
        s->refcount = -1;
        s->byte_length = (int64_t)bytes.size();
        s->length = (int64_t)bytes.size();
        memcpy(s->data, bytes.data(), bytes.size());
    }
    ~Text() { free(s); }
};

std::string str(const LangString *s) { return std::string(s->data, (size_t)s->byte_length); }

std::string escaped(Ctx &c, const std::string &in) {
    LangJsonW *w = lang_json_w_new(&c.c);
    lang_json_escape(w, in.data(), (int64_t)in.size());
    LangString *s = lang_json_w_finish(&c.c, w);
    std::string out = str(s);
    lang_str_release(s);
    return out;
}

// Reads one string; returns it, or "ERR: reason @offset".
std::string read_string(Ctx &c, const std::string &json) {
    Text t(json);
    LangJsonR *r = lang_json_r_new(&c.c, t.s);
    LangString *s = lang_json_r_str(&c.c, r);
    lang_json_r_end(r);
    std::string out;
    if (lang_json_r_failed(r)) {
        LangString *why = lang_json_reason(&c.c, (int64_t)(intptr_t)r);
        out = "ERR: " + str(why) + " @" + std::to_string(lang_json_error_pos(&c.c, (int64_t)(intptr_t)r, 0));
        lang_str_release(why);
    } else {
        out = str(s);
    }
    lang_str_release(s);
    lang_json_r_free(r);
    return out;
}

std::string error_of(Ctx &c, LangJsonR *r) {
    LangString *why = lang_json_reason(&c.c, (int64_t)(intptr_t)r);
    std::string out = str(why);
    lang_str_release(why);
    return out;
}
} // namespace

TEST_CASE("rt json: escaping strings") {
    Ctx c;
    CHECK(escaped(c, "plain") == "\"plain\"");
    CHECK(escaped(c, "a\"b\\c/") == "\"a\\\"b\\\\c/\"");
    CHECK(escaped(c, "\b\f\n\r\t") == "\"\\b\\f\\n\\r\\t\"");
    CHECK(escaped(c, std::string("\x00\x01\x1f", 3)) == "\"\\u0000\\u0001\\u001f\"");
    CHECK(escaped(c, "\x7f") == "\"\x7f\"");
    CHECK(escaped(c, "é日😀") == "\"é日😀\"");
    CHECK(escaped(c, "") == "\"\"");
}

TEST_CASE("rt json: numbers written") {
    Ctx c;
    LangJsonW *w = lang_json_w_new(&c.c);
    lang_json_w_i64(w, INT64_MIN);
    lang_json_w_sep(w, 1);
    lang_json_w_u64(w, UINT64_MAX);
    lang_json_w_sep(w, 1);
    lang_json_w_f64(w, 0.1);
    lang_json_w_sep(w, 1);
    lang_json_w_f64(w, 1e300);
    lang_json_w_sep(w, 1);
    lang_json_w_f64(w, -0.0);
    lang_json_w_sep(w, 1);
    lang_json_w_f64(w, __builtin_nan(""));
    lang_json_w_sep(w, 1);
    lang_json_w_f32(w, __builtin_inff());
    lang_json_w_sep(w, 1);
    lang_json_w_bool(w, 1);
    lang_json_w_sep(w, 1);
    lang_json_w_char(w, 0x1F600);
    lang_json_w_sep(w, 1);
    lang_json_w_enum(w, 1, "A\nBee\nC", 7);
    lang_json_w_sep(w, 1);
    lang_json_w_enum(w, -1, "A\nBee\nC", 7);
    LangString *s = lang_json_w_finish(&c.c, w);
    CHECK(str(s) == "-9223372036854775808,18446744073709551615,0.1,1E+300,-0,null,null,true,\"😀\",\"Bee\",7");
    lang_str_release(s);
}

TEST_CASE("rt json: reading strings") {
    Ctx c;
    CHECK(read_string(c, "\"abc\"") == "abc");
    CHECK(read_string(c, " \"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\" ") == "\" \\ / \b \f \n \r \t");
    CHECK(read_string(c, "\"\\u0041\\u00E9\\u65e5\"") == "Aé日");
    CHECK(read_string(c, "\"\\uD83D\\uDE00\"") == "😀");
    CHECK(read_string(c, "\"\\u0000\"") == std::string("\0", 1));
    CHECK(read_string(c, "\"\\uD83D\"") == "ERR: high surrogate \\ud83d without a low surrogate after it @1");
    CHECK(read_string(c, "\"\\uD83D\\u0041\"") == "ERR: high surrogate \\ud83d without a low surrogate after it @1");
    CHECK(read_string(c, "\"\\uDE00\"") == "ERR: lone low surrogate \\ude00 @1");
    CHECK(read_string(c, "\"\\u12\"") == "ERR: bad escape: \\u needs four hex digits @1");
    CHECK(read_string(c, "\"\\a\"") == "ERR: bad escape '\\a' @1");
    CHECK(read_string(c, "\"ab") == "ERR: unterminated string @0");
    CHECK(read_string(c, "\"ab\\") == "ERR: unterminated string @0");
    CHECK(read_string(c, "\"a\x01\"") == "ERR: control character 0x01 in a string (write it as an escape) @2");
    // invalid UTF-8: a lone continuation byte, an overlong form, an encoded surrogate, a
    // sequence cut short, a code point past U+10FFFF
    CHECK(read_string(c, "\"a\x80\"") == "ERR: invalid UTF-8 in a string @2");
    CHECK(read_string(c, "\"\xc0\xaf\"") == "ERR: invalid UTF-8 in a string @1");
    CHECK(read_string(c, "\"\xed\xa0\x80\"") == "ERR: invalid UTF-8 in a string @1");
    CHECK(read_string(c, "\"\xe6\x97\"") == "ERR: invalid UTF-8 in a string @1");
    CHECK(read_string(c, "\"\xf4\x90\x80\x80\"") == "ERR: invalid UTF-8 in a string @1");
    CHECK(read_string(c, "\"ok\" x") == "ERR: found 'x' after the JSON value @5");
    CHECK(read_string(c, "5") == "ERR: expected a string, found a number @0");
}

TEST_CASE("rt json: integers at their range edges") {
    Ctx c;
    struct Case {
        const char *text;
        int64_t min, max;
        bool ok;
        int64_t v;
    } cases[] = {
        {"127", -128, 127, true, 127},
        {"128", -128, 127, false, 0},
        {"-128", -128, 127, true, -128},
        {"-129", -128, 127, false, 0},
        {"9223372036854775807", INT64_MIN, INT64_MAX, true, INT64_MAX},
        {"9223372036854775808", INT64_MIN, INT64_MAX, false, 0},
        {"-9223372036854775808", INT64_MIN, INT64_MAX, true, INT64_MIN},
        {"-9223372036854775809", INT64_MIN, INT64_MAX, false, 0},
        {"123456789012345678901234567890", INT64_MIN, INT64_MAX, false, 0},
        {"-0", INT64_MIN, INT64_MAX, true, 0},
        {"1.0", INT64_MIN, INT64_MAX, false, 0},
        {"1e2", INT64_MIN, INT64_MAX, false, 0},
        {"01", INT64_MIN, INT64_MAX, false, 0},
    };
    for (const Case &k : cases) {
        Text t(k.text);
        LangJsonR *r = lang_json_r_new(&c.c, t.s);
        int64_t v = lang_json_r_int(r, k.min, k.max, "T");
        lang_json_r_end(r);
        CAPTURE(k.text);
        CHECK(!lang_json_r_failed(r) == k.ok);
        if (k.ok) CHECK(v == k.v);
        lang_json_r_free(r);
    }
    Text u("18446744073709551615");
    LangJsonR *r = lang_json_r_new(&c.c, u.s);
    CHECK(lang_json_r_uint(r, UINT64_MAX, "u64") == UINT64_MAX);
    CHECK(!lang_json_r_failed(r));
    lang_json_r_free(r);
    Text big("18446744073709551616");
    r = lang_json_r_new(&c.c, big.s);
    lang_json_r_uint(r, UINT64_MAX, "u64");
    CHECK(error_of(c, r) == "18446744073709551616 is out of range for u64");
    lang_json_r_free(r);
}

TEST_CASE("rt json: floats") {
    Ctx c;
    auto f = [&](const char *text, bool *ok) {
        Text t(text);
        LangJsonR *r = lang_json_r_new(&c.c, t.s);
        double v = lang_json_r_f64(r);
        lang_json_r_end(r);
        *ok = !lang_json_r_failed(r);
        lang_json_r_free(r);
        return v;
    };
    bool ok;
    CHECK(f("0.1", &ok) == 0.1);
    CHECK(ok);
    CHECK(f("-2.5E-3", &ok) == -2.5e-3);
    CHECK(f("1e308", &ok) == 1e308);
    CHECK(ok);
    f("1e309", &ok);
    CHECK(!ok);
    double nan = f("null", &ok);
    CHECK((ok && nan != nan));
    f("1.", &ok);
    CHECK(!ok);
    f(".5", &ok);
    CHECK(!ok);
    f("-", &ok);
    CHECK(!ok);
    f("Infinity", &ok);
    CHECK(!ok);
}

TEST_CASE("rt json: objects, skipping and the depth limit") {
    Ctx c;
    Text t("{\"skip\": {\"a\": [1, \"x\", null, true, {\"b\": []}]}, \"two\": 2, \"one\": 1}");
    LangJsonR *r = lang_json_r_new(&c.c, t.s);
    REQUIRE(lang_json_r_begin(r, '{'));
    CHECK(lang_json_r_field(r, 0, "one\ntwo") == 1);
    CHECK(lang_json_r_int(r, 0, 9, "int") == 2);
    CHECK(lang_json_r_field(r, 1, "one\ntwo") == 0);
    CHECK(lang_json_r_int(r, 0, 9, "int") == 1);
    CHECK(lang_json_r_field(r, 2, "one\ntwo") == -1);
    lang_json_r_end(r);
    CHECK(!lang_json_r_failed(r));
    lang_json_r_free(r);

    std::string deep = "{\"k\":";
    for (int i = 0; i < 100000; i++) deep += "[";
    Text d(deep);
    r = lang_json_r_new(&c.c, d.s);
    REQUIRE(lang_json_r_begin(r, '{'));
    CHECK(lang_json_r_field(r, 0, "x") == -1);
    CHECK(error_of(c, r) == "nesting deeper than 512 arrays and objects");
    CHECK(lang_json_error_pos(&c.c, (int64_t)(intptr_t)r, 0) == 5 + 511);
    lang_json_r_free(r);
}

TEST_CASE("rt json: error positions count lines and characters") {
    Ctx c;
    Text t("[\"é日\",\n  \"x\",\n\t\"ü\" 5]");
    LangJsonR *r = lang_json_r_new(&c.c, t.s);
    REQUIRE(lang_json_r_begin(r, '['));
    int64_t i = 0;
    while (lang_json_r_more(r, i)) {
        LangString *s = lang_json_r_str(&c.c, r);
        lang_str_release(s);
        i++;
    }
    CHECK(error_of(c, r) == "expected ',' or ']', found a number");
    int64_t rd = (int64_t)(intptr_t)r;
    CHECK(lang_json_error_pos(&c.c, rd, 0) == 23);
    CHECK(lang_json_error_pos(&c.c, rd, 1) == 3);
    CHECK(lang_json_error_pos(&c.c, rd, 2) == 6);
    lang_json_r_free(r);
}
