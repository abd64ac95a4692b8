// test_rt_fmt.cpp: the runtime's number formatting (src/rt/fmt_float.c): shortest
// round-trip floats in C#'s layout, integers, and Durations (src/rt/duration.c).
#include <doctest/doctest.h>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include "rt/rt_internal.h"

static std::string f64(double v) {
    char b[LANG_FMT_FLOAT_MAX];
    int n = lang_fmt_f64(b, v);
    return std::string(b, (size_t)n);
}
static std::string f32(float v) {
    char b[LANG_FMT_FLOAT_MAX];
    int n = lang_fmt_f32(b, v);
    return std::string(b, (size_t)n);
}

TEST_CASE("rt fmt: f64 integral values have no trailing .0") {
    CHECK(f64(10.0) == "10");
    CHECK(f64(100.0) == "100");
    CHECK(f64(0.0) == "0");
    CHECK(f64(-0.0) == "-0");
    CHECK(f64(-42.0) == "-42");
    CHECK(f64(123456789.0) == "123456789");
    CHECK(f64(9007199254740992.0) == "9007199254740992");
    CHECK(f64(1e16) == "10000000000000000");
}

TEST_CASE("rt fmt: f64 shortest round trip") {
    CHECK(f64(0.1) == "0.1");
    CHECK(f64(1.5) == "1.5");
    CHECK(f64(-2.5) == "-2.5");
    CHECK(f64(1 / 3.0) == "0.3333333333333333");
    CHECK(f64(2 / 3.0) == "0.6666666666666666");
    CHECK(f64(0.1 + 0.2) == "0.30000000000000004");
    CHECK(f64(3.14159) == "3.14159");
    CHECK(f64(0.0001) == "0.0001");
    CHECK(f64(1.7976931348623157e308) == "1.7976931348623157E+308");
}

TEST_CASE("rt fmt: f64 scientific notation like C#") {
    CHECK(f64(1e21) == "1E+21");
    CHECK(f64(1e17) == "1E+17");
    CHECK(f64(1.5e300) == "1.5E+300");
    CHECK(f64(1e-7) == "1E-07");
    CHECK(f64(0.00001) == "1E-05");
    CHECK(f64(1.2345e-5) == "1.2345E-05");
    CHECK(f64(5e-324) == "5E-324");
    CHECK(f64(2.2250738585072014e-308) == "2.2250738585072014E-308");
}

TEST_CASE("rt fmt: f64 specials") {
    CHECK(f64(std::numeric_limits<double>::quiet_NaN()) == "NaN");
    CHECK(f64(std::numeric_limits<double>::infinity()) == "Infinity");
    CHECK(f64(-std::numeric_limits<double>::infinity()) == "-Infinity");
}

TEST_CASE("rt fmt: f64 output reads back to the same bits") {
    srand(12345);
    for (int i = 0; i < 2000; i++) {
        uint64_t bits = ((uint64_t)rand() << 33) ^ ((uint64_t)rand() << 11) ^ (uint64_t)rand();
        double v;
        memcpy(&v, &bits, 8);
        if (!std::isfinite(v)) continue;
        std::string s = f64(v);
        INFO(s);
        CHECK(strtod(s.c_str(), nullptr) == v);
        bool no_trailing_zero = s.find('.') == std::string::npos || s.find('E') != std::string::npos || s.back() != '0';
        CHECK(no_trailing_zero);
    }
}

TEST_CASE("rt fmt: f32 shortest round trip as float") {
    CHECK(f32(0.1f) == "0.1");
    CHECK(f32(10.0f) == "10");
    CHECK(f32(1.0f / 3.0f) == "0.33333334");
    CHECK(f32(16777216.0f) == "16777216");
    CHECK(f32(1e8f) == "100000000");
    CHECK(f32(1e9f) == "1E+09");
    CHECK(f32(3.4028235e38f) == "3.4028235E+38");
    CHECK(f32(1.4e-45f) == "1E-45");
    CHECK(f32(-0.0f) == "-0");
    CHECK(f32(std::numeric_limits<float>::quiet_NaN()) == "NaN");
    CHECK(f32(-std::numeric_limits<float>::infinity()) == "-Infinity");
    for (float v : {0.3f, 1.1f, 2.7182817f, 123.456f, 1e-10f}) {
        std::string s = f32(v);
        INFO(s);
        CHECK(strtof(s.c_str(), nullptr) == v);
    }
}

static float f32_bits(uint32_t b) {
    float v;
    memcpy(&v, &b, 4);
    return v;
}

TEST_CASE("rt fmt: f32 large integers and subnormals are still shortest") {
    CHECK(f32(f32_bits(0x52500563)) == "2.233609E+11"); // integral (223360892928), 7 digits suffice
    CHECK(f32(f32_bits(0x80003f53)) == "-2.2716E-41");   // subnormal: fewer digits needed
    CHECK(f32(f32_bits(0x00000001)) == "1E-45");
    CHECK(f64(4.9406564584124654e-324 * 3) == "1.5E-323");
    uint32_t x = 2463534242u;
    for (int i = 0; i < 2000; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        float v = f32_bits(x);
        if (!std::isfinite(v)) continue;
        std::string s = f32(v);
        INFO(s);
        CHECK(strtof(s.c_str(), nullptr) == v);
    }
}

TEST_CASE("rt fmt: integers in decimal") {
    char b[24];
    CHECK(std::string(b, (size_t)lang_fmt_i64(b, 0)) == "0");
    CHECK(std::string(b, (size_t)lang_fmt_i64(b, -42)) == "-42");
    CHECK(std::string(b, (size_t)lang_fmt_i64(b, INT64_MIN)) == "-9223372036854775808");
    CHECK(std::string(b, (size_t)lang_fmt_i64(b, INT64_MAX)) == "9223372036854775807");
    CHECK(std::string(b, (size_t)lang_fmt_u64(b, UINT64_MAX)) == "18446744073709551615");
}

static std::string dur(int64_t ns) {
    char b[LANG_FMT_DURATION_MAX];
    int n = lang_fmt_duration(b, ns);
    CHECK((size_t)n == strlen(b));
    return std::string(b, (size_t)n);
}

TEST_CASE("rt fmt: Durations as Go prints them") {
    CHECK(dur(0) == "0s");
    CHECK(dur(1) == "1ns");
    CHECK(dur(999) == "999ns");
    CHECK(dur(1000) == "1\xc2\xb5s");
    CHECK(dur(1001) == "1.001\xc2\xb5s");
    CHECK(dur(1500000) == "1.5ms");
    CHECK(dur(999999999) == "999.999999ms");
    CHECK(dur(1000000000) == "1s");
    CHECK(dur(1000000001) == "1.000000001s");
    CHECK(dur(60000000000) == "1m0s");
    CHECK(dur(3723500000000) == "1h2m3.5s");
    CHECK(dur(-1500) == "-1.5\xc2\xb5s");
    CHECK(dur(INT64_MAX) == "2562047h47m16.854775807s");
    CHECK(dur(INT64_MIN) == "-2562047h47m16.854775808s");
}
