// test_rt_string.cpp: runtime strings (src/rt/string.c): concat, lengths with multibyte
// characters, char_at, substring, cmp, eq, next_char, conversions, refcounting, and the
// panic messages (checked in a forked child, since a panic exits the process).
#include <doctest/doctest.h>
#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>
#include <sys/wait.h>
#include <unistd.h>
#include "rt/rt_internal.h"
#include "run_forked.h"

namespace {
struct Ctx {
    LangContext c;
    Ctx() { lang_context_init_root(&c); }
    ~Ctx() { lang_context_fini(&c); }
};
LangString *S(LangContext *ctx, const char *s) { return lang_str_from_utf8(ctx, s, (int64_t)strlen(s)); }
std::string str(const LangString *s) { return std::string(s->data, (size_t)s->byte_length); }

} // namespace

TEST_CASE("rt string: creation counts characters, not bytes") {
    Ctx c;
    LangString *a = S(&c.c, "héllo");
    CHECK(a->byte_length == 6);
    CHECK(a->length == 5);
    CHECK(a->refcount == 1);
    CHECK(a->data[6] == 0);
    LangString *e = S(&c.c, "😀a");
    CHECK(e->byte_length == 5);
    CHECK(e->length == 2);
    CHECK(S(&c.c, "") == lang_str_empty());
    CHECK(lang_str_empty()->refcount < 0);
    lang_str_release(a);
    lang_str_release(e);
}

TEST_CASE("rt string: concat") {
    Ctx c;
    LangString *a = S(&c.c, "ab€"), *b = S(&c.c, "cd");
    LangString *ab = lang_str_concat(&c.c, a, b);
    CHECK(str(ab) == "ab€cd");
    CHECK(ab->length == 5);
    CHECK(ab->byte_length == 7);
    CHECK(ab->data[7] == 0);
    CHECK(lang_str_concat(&c.c, lang_str_empty(), lang_str_empty()) == lang_str_empty());
    LangString *a2 = lang_str_concat(&c.c, a, lang_str_empty());
    CHECK(str(a2) == "ab€");
    for (LangString *s : {a, b, ab, a2}) lang_str_release(s);
}

TEST_CASE("rt string: retain/release frees through the allocator that made it") {
    Ctx c;
    LangAllocStats before, mid, after;
    lang_default_allocator_stats(&before);
    LangString *s = S(&c.c, "counted");
    lang_str_retain(s);
    CHECK(s->refcount == 2);
    lang_str_release(s);
    lang_default_allocator_stats(&mid);
    CHECK(mid.live_count == before.live_count + 1);
    lang_str_release(s);
    lang_default_allocator_stats(&after);
    CHECK(after.live_count == before.live_count);
    // Static strings ignore retain/release.
    LangString *e = lang_str_empty();
    lang_str_retain(e);
    lang_str_release(e);
    CHECK(e->refcount < 0);
}

TEST_CASE("rt string: char_at and next_char decode UTF-8") {
    Ctx c;
    LangString *s = S(&c.c, "aé€😀z");
    CHECK(s->length == 5);
    CHECK(lang_str_char_at(&c.c, s, 0) == 'a');
    CHECK(lang_str_char_at(&c.c, s, 1) == 0xE9);
    CHECK(lang_str_char_at(&c.c, s, 2) == 0x20AC);
    CHECK(lang_str_char_at(&c.c, s, 3) == 0x1F600);
    CHECK(lang_str_char_at(&c.c, s, 4) == 'z');
    int64_t pos = 0;
    uint32_t expect[] = {'a', 0xE9, 0x20AC, 0x1F600, 'z'};
    int64_t positions[] = {1, 3, 6, 10, 11};
    for (int i = 0; i < 5; i++) {
        CHECK(lang_str_next_char(s, &pos) == expect[i]);
        CHECK(pos == positions[i]);
    }
    CHECK(pos == s->byte_length);
    lang_str_release(s);
}

TEST_CASE("rt string: char_at out of range panics with the C# style message") {
    auto [status, err] = run_forked([] {
        Ctx c;
        LangString *s = S(&c.c, "abc");
        lang_str_char_at(&c.c, s, 5);
    });
    CHECK(status == 101);
    CHECK(err.find("panic: index 5 out of range for string of length 3") == 0);
    auto [status2, err2] = run_forked([] {
        Ctx c;
        lang_str_char_at(&c.c, S(&c.c, "héllo"), -1);
    });
    CHECK(status2 == 101);
    CHECK(err2.find("panic: index -1 out of range for string of length 5") == 0);
}

TEST_CASE("rt string: substring by characters") {
    Ctx c;
    LangString *s = S(&c.c, "añb€c😀");
    LangString *sub = lang_str_substring(&c.c, s, 1, 3);
    CHECK(str(sub) == "ñb€");
    CHECK(sub->length == 3);
    CHECK(sub->byte_length == 6);
    LangString *tail = lang_str_substring(&c.c, s, 4, 2);
    CHECK(str(tail) == "c😀");
    CHECK(lang_str_substring(&c.c, s, 6, 0) == lang_str_empty());
    LangString *all = lang_str_substring(&c.c, s, 0, 6);
    CHECK(lang_str_eq(all, s));
    for (LangString *x : {s, sub, tail, all}) lang_str_release(x);
    auto [status, err] = run_forked([] {
        Ctx c;
        lang_str_substring(&c.c, S(&c.c, "abc"), 2, 5);
    });
    CHECK(status == 101);
    CHECK(err.find("panic: substring(2, 5) out of range for string of length 3") == 0);
}

TEST_CASE("rt string: eq and cmp are bytewise (code point order)") {
    Ctx c;
    LangString *a = S(&c.c, "apple"), *a2 = S(&c.c, "apple"), *b = S(&c.c, "apricot");
    LangString *pre = S(&c.c, "app"), *z = S(&c.c, "é");
    CHECK(lang_str_eq(a, a2));
    CHECK(!lang_str_eq(a, b));
    CHECK(!lang_str_eq(a, pre));
    CHECK(lang_str_cmp(a, a2) == 0);
    CHECK(lang_str_cmp(a, b) < 0);
    CHECK(lang_str_cmp(b, a) > 0);
    CHECK(lang_str_cmp(pre, a) < 0);
    CHECK(lang_str_cmp(a, pre) > 0);
    CHECK(lang_str_cmp(z, a) > 0); // U+00E9 sorts after ASCII
    CHECK(lang_str_cmp(lang_str_empty(), a) < 0);
    for (LangString *x : {a, a2, b, pre, z}) lang_str_release(x);
}

TEST_CASE("rt string: eq at every length agrees with memcmp, wherever the strings differ") {
    // lang_str_eq compares up to 64 bytes inline with overlapping words: each length from 0
    // to 80 against a copy, and against a copy that differs in exactly one byte (each one).
    Ctx c;
    std::string base;
    for (int i = 0; i < 80; i++) base += (char)('a' + (i * 7) % 26);
    for (size_t n = 0; n <= 80; n++) {
        std::string t = base.substr(0, n);
        LangString *x = S(&c.c, t.c_str()), *y = S(&c.c, t.c_str());
        CHECK(lang_str_eq(x, y));
        for (size_t k = 0; k < n; k++) {
            std::string u = t;
            u[k] = (char)(u[k] == 'z' ? 'y' : u[k] + 1);
            LangString *z = S(&c.c, u.c_str());
            CHECK_MESSAGE(!lang_str_eq(x, z), "length " << n << ", byte " << k);
            lang_str_release(z);
        }
        lang_str_release(x);
        lang_str_release(y);
    }
}

TEST_CASE("rt string: conversions from primitives") {
    Ctx c;
    auto check = [&](LangString *s, const char *want) {
        CHECK(str(s) == want);
        CHECK(s->length == lang_utf8_count(s->data, s->byte_length));
        lang_str_release(s);
    };
    check(lang_str_from_i64(&c.c, -1234), "-1234");
    check(lang_str_from_u64(&c.c, 18446744073709551615ull), "18446744073709551615");
    check(lang_str_from_f64(&c.c, 10.0), "10");
    check(lang_str_from_f64(&c.c, 0.1), "0.1");
    check(lang_str_from_f32(&c.c, 0.1f), "0.1");
    check(lang_str_from_bool(&c.c, 1), "true");
    check(lang_str_from_bool(&c.c, 0), "false");
    check(lang_str_from_char(&c.c, 0x1F600), "😀");
    check(lang_str_from_char(&c.c, 'x'), "x");
    check(lang_str_from_char(&c.c, 0xD800), "\xEF\xBF\xBD"); // surrogate -> U+FFFD
    LangString *l = lang_str_from_bytes_lossy(&c.c, "a\xFF" "b\xC3", 4);
    CHECK(str(l) == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
    CHECK(l->length == 4);
    lang_str_release(l);
}

TEST_CASE("rt string: bytes to a string: valid text copied as it is, invalid bytes replaced, at any position") {
    // lang_str_from_bytes_lossy checks 8 ASCII bytes at a time: put a multibyte character,
    // then an invalid byte, at every offset of a 20-byte text and compare with the rule.
    Ctx c;
    for (int k = 0; k < 18; k++) {
        std::string t(20, 'x');
        t.replace((size_t)k, 2, "\xC3\xA9"); // é
        LangString *v = lang_str_from_bytes_lossy(&c.c, t.data(), (int64_t)t.size());
        CHECK(str(v) == t);
        CHECK(v->length == 19);
        lang_str_release(v);
        std::string u(20, 'y');
        u[(size_t)k] = '\x80'; // a lone continuation byte
        LangString *w = lang_str_from_bytes_lossy(&c.c, u.data(), (int64_t)u.size());
        std::string want = u.substr(0, (size_t)k) + "\xEF\xBF\xBD" + u.substr((size_t)k + 1);
        CHECK_MESSAGE(str(w) == want, "invalid byte at " << k);
        CHECK(w->length == 20);
        lang_str_release(w);
    }
}

TEST_CASE("rt string: built strings use the context allocator") {
    Ctx c;
    LangArena *arena = lang_arena_create(nullptr, 0, 1);
    LangContext ctx = c.c;
    ctx.allocator = lang_arena_allocator(arena);
    LangString *s = lang_str_concat(&ctx, S(&ctx, "x"), S(&ctx, "y"));
    CHECK(lang_arena_live_count(arena) == 3);
    CHECK(str(s) == "xy");
    lang_arena_reset_unchecked(arena);
    lang_arena_destroy(arena);
}

TEST_CASE("rt string: refcounts are atomic across threads") {
    Ctx c;
    LangString *shared = S(&c.c, "shared by four threads");
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; t++)
        threads.emplace_back([shared] {
            for (int i = 0; i < 50000; i++) {
                lang_str_retain(shared);
                lang_str_release(shared);
            }
        });
    for (auto &th : threads) th.join();
    CHECK(shared->refcount == 1);
    LangAllocStats before, after;
    lang_default_allocator_stats(&before);
    lang_str_release(shared);
    lang_default_allocator_stats(&after);
    CHECK(after.live_count == before.live_count - 1);
}

TEST_CASE("rt string: append grows in place when the caller holds the only reference") {
    Ctx c;
    LangAllocStats before, after;
    lang_default_allocator_stats(&before);
    LangString *x = S(&c.c, "x"), *e = S(&c.c, "é");
    LangString *s = lang_str_append(&c.c, lang_str_empty(), x); // static left side: a new copy
    CHECK(s != x);
    CHECK(s->refcount == 1);
    int64_t moves = 0;
    for (int i = 0; i < 100000; i++) {
        LangString *prev = s;
        s = lang_str_append(&c.c, s, (i & 1) ? e : x);
        if (s != prev) moves++;
    }
    CHECK(s->length == 100001);
    CHECK(s->byte_length == 100001 + 50000);
    CHECK(s->data[s->byte_length] == 0);
    CHECK(lang_str_capacity(s) >= s->byte_length);
    CHECK(moves < 40); // geometric growth: a logarithmic number of new blocks
    CHECK(s->data[0] == 'x');
    CHECK(std::string(s->data + 2, 2) == "é");
    lang_str_release(s);
    lang_str_release(x);
    lang_str_release(e);
    lang_default_allocator_stats(&after);
    CHECK(after.live_count == before.live_count);
    CHECK(after.live_bytes == before.live_bytes);
}

TEST_CASE("rt string: append copies a shared string and leaves the other owner's text alone") {
    Ctx c;
    LangString *a = S(&c.c, "ab"), *b = S(&c.c, "cd");
    lang_str_retain(a); // a second owner
    LangString *r = lang_str_append(&c.c, a, b);
    CHECK(r != a);
    CHECK(str(r) == "abcd");
    CHECK(str(a) == "ab");
    CHECK(a->refcount == 1); // the caller's reference went to append
    LangString *same = lang_str_append(&c.c, r, lang_str_empty());
    CHECK(same == r);
    for (LangString *s : {a, b, r}) lang_str_release(s);
}

TEST_CASE("rt string: append of a string to itself") {
    Ctx c;
    LangString *a = S(&c.c, "hé");
    a = lang_str_append(&c.c, a, a);
    CHECK(str(a) == "héhé");
    CHECK(a->length == 4);
    for (int i = 0; i < 5; i++) a = lang_str_append(&c.c, a, a); // grows while reading itself
    CHECK(a->length == 4 * 32);
    CHECK(std::string(a->data + a->byte_length - 3, 3) == "hé");
    lang_str_release(a);
}

TEST_CASE("rt string: concat_n joins in one allocation") {
    Ctx c;
    LangString *p[3] = {S(&c.c, "item "), S(&c.c, "7"), S(&c.c, " of ✓")};
    lang_str_cache_flush(); // no recycled block to take: the one allocation is counted
    LangAllocStats before, after;
    lang_default_allocator_stats(&before);
    LangString *s = lang_str_concat_n(&c.c, p, 3);
    lang_default_allocator_stats(&after);
    CHECK(after.total_count == before.total_count + 1);
    CHECK(str(s) == "item 7 of ✓");
    CHECK(s->length == 11);
    LangString *none[1] = {lang_str_empty()};
    CHECK(lang_str_concat_n(&c.c, none, 1) == lang_str_empty());
    lang_str_release(s);
    for (LangString *x : p) lang_str_release(x);
}

TEST_CASE("rt string: retain and release accept null (a null string?) and static strings") {
    lang_str_retain(nullptr);
    lang_str_release(nullptr);
    LangString *e = lang_str_empty();
    lang_str_retain(e);
    lang_str_release(e);
    lang_str_release(e);
    CHECK(e->refcount < 0);
}

namespace {
// The characters of UTF-8 text, decoded independently of the runtime.
std::vector<uint32_t> decode_all(const std::string &s) {
    std::vector<uint32_t> out;
    for (size_t i = 0; i < s.size();) {
        unsigned char c = (unsigned char)s[i];
        int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        uint32_t v = n == 1 ? c : c & (0x3F >> (n - 1));
        for (int k = 1; k < n; k++) v = v << 6 | ((unsigned char)s[i + k] & 0x3F);
        out.push_back(v);
        i += (size_t)n;
    }
    return out;
}

// Text of n characters mixing 1-, 2-, 3- and 4-byte sequences.
std::string mixed(size_t n) {
    static const char *parts[] = {"a", "é", "€", "😀", "b", "ß"};
    std::string s;
    for (size_t i = 0; i < n; i++) s += parts[(i * 7 + i / 3) % 6];
    return s;
}

// Every access order the index cursor must get right: forward, backward, jumps both
// ways, the ends, and the same index twice.
void check_indexing(LangContext *ctx, const LangString *s, const std::vector<uint32_t> &want) {
    int64_t n = (int64_t)want.size();
    REQUIRE(s->length == n);
    for (int64_t i = 0; i < n; i++) REQUIRE(lang_str_char_at(ctx, s, i) == want[(size_t)i]);
    for (int64_t i = n; i-- > 0;) REQUIRE(lang_str_char_at(ctx, s, i) == want[(size_t)i]);
    uint64_t x = 12345;
    for (int k = 0; k < 300; k++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        int64_t i = (int64_t)((x >> 33) % (uint64_t)n);
        REQUIRE(lang_str_char_at(ctx, s, i) == want[(size_t)i]);
        REQUIRE(lang_str_char_at(ctx, s, i) == want[(size_t)i]);
        int64_t j = i / 2; // a substring starting before the cursor, ending after it
        int64_t cnt = (n - j) / 2;
        LangString *sub = lang_str_substring(ctx, s, j, cnt);
        REQUIRE(sub->length == cnt);
        for (int64_t t = 0; t < cnt; t += 1 + cnt / 7) REQUIRE(lang_str_char_at(ctx, sub, t) == want[(size_t)(j + t)]);
        lang_str_release(sub);
    }
    REQUIRE(lang_str_char_at(ctx, s, n - 1) == want[(size_t)n - 1]);
    REQUIRE(lang_str_char_at(ctx, s, 0) == want[0]);
}
} // namespace

TEST_CASE("rt string: char_at and substring from the index cursor agree with decoding, in any order") {
    Ctx c;
    // Lengths around the size where built strings get a cursor (64 bytes), and big ones.
    for (size_t n : {1, 2, 20, 30, 31, 32, 33, 40, 100, 1000, 20000}) {
        CAPTURE(n);
        std::string text = mixed(n);
        LangString *s = S(&c.c, text.c_str());
        check_indexing(&c.c, s, decode_all(text));
        // A static string (refcount < 0, like a literal) of the same text.
        std::vector<char> buf(sizeof(LangString) + text.size() + 1);
        LangString *st = reinterpret_cast<LangString *>(buf.data());
        st->refcount = -1;
        st->byte_length = (int64_t)text.size();
        st->length = s->length;
        memcpy(st->data, text.c_str(), text.size() + 1);
        check_indexing(&c.c, st, decode_all(text));
        lang_str_release(s);
    }
}

TEST_CASE("rt string: two strings indexed in turn, and one string indexed by several threads") {
    Ctx c;
    std::string ta = mixed(5000), tb = mixed(5003).substr(3);
    LangString *a = S(&c.c, ta.c_str()), *b = S(&c.c, tb.c_str());
    std::vector<uint32_t> wa = decode_all(ta), wb = decode_all(tb);
    int64_t n = std::min(a->length, b->length);
    for (int64_t i = 0; i < n; i++) {
        REQUIRE(lang_str_char_at(&c.c, a, i) == wa[(size_t)i]);
        REQUIRE(lang_str_char_at(&c.c, b, n - 1 - i) == wb[(size_t)(n - 1 - i)]);
    }
    std::vector<std::thread> threads;
    std::atomic<int> bad{0};
    for (int t = 0; t < 4; t++)
        threads.emplace_back([&, t] {
            for (int round = 0; round < 3; round++)
                for (int64_t i = t; i < a->length; i += 1 + t)
                    if (lang_str_char_at(nullptr, a, i) != wa[(size_t)i]) bad++;
        });
    for (auto &th : threads) th.join();
    CHECK(bad == 0);
    lang_str_release(a);
    lang_str_release(b);
}

TEST_CASE("rt string: Chars gives every character as a 4-byte element") {
    Ctx c;
    std::string text = mixed(777);
    LangString *s = S(&c.c, text.c_str());
    LangArray *arr = lang_str_chars(&c.c, s);
    std::vector<uint32_t> want = decode_all(text);
    REQUIRE(arr->length == (int64_t)want.size());
    CHECK(arr->element_size == 4);
    CHECK(memcmp(arr->data, want.data(), want.size() * 4) == 0);
    lang_array_free(&c.c, arr);
    LangArray *e = lang_str_chars(&c.c, lang_str_empty());
    CHECK(e->length == 0);
    lang_array_free(&c.c, e);
    lang_str_release(s);
}

TEST_CASE("rt string: cursors stay true when a string owned once grows in place") {
    Ctx c;
    std::string text = mixed(300);
    LangString *s = S(&c.c, text.c_str());
    std::vector<uint32_t> want = decode_all(text);
    for (int round = 0; round < 6; round++) {
        // Index near the end (moves a cursor there), then append: the old pairs must still hold.
        for (int64_t i = s->length - 1; i >= s->length - 40; i--) REQUIRE(lang_str_char_at(&c.c, s, i) == want[(size_t)i]);
        std::string more = mixed(37 + round);
        LangString *m = S(&c.c, more.c_str());
        s = lang_str_append(&c.c, s, m);
        lang_str_release(m);
        text += more;
        want = decode_all(text);
        REQUIRE(s->length == (int64_t)want.size());
        for (int64_t i = 0; i < s->length; i += 7) REQUIRE(lang_str_char_at(&c.c, s, i) == want[(size_t)i]);
        for (int64_t i = s->length; i-- > 0;) REQUIRE(lang_str_char_at(&c.c, s, i) == want[(size_t)i]);
    }
    lang_str_release(s);
}

TEST_CASE("rt string: a short string takes prefix, header and its room rounded to a block size; cursors from 64 bytes of room") {
    Ctx c;
    LangAllocStats s0;
    lang_default_allocator_stats(&s0);
    LangString *w = S(&c.c, "hello");
    LangAllocStats s1;
    lang_default_allocator_stats(&s1);
    // 16-byte prefix (allocator, capacity|magic) + 24-byte header + 5 bytes + NUL, rounded
    // up to 48 (a recyclable block size: 48, 64, 80, 96)
    CHECK(s1.live_bytes - s0.live_bytes == 48);
    CHECK(lang_str_capacity(w) == 7);
    lang_str_release(w);
    std::string t63(63, 'x'), t64(64, 'y');
    LangString *a = S(&c.c, t63.c_str());
    lang_default_allocator_stats(&s1);
    CHECK(s1.live_bytes - s0.live_bytes == 16 + 24 + 64);
    LangString *b = S(&c.c, t64.c_str());
    LangAllocStats s2;
    lang_default_allocator_stats(&s2);
    CHECK(s2.live_bytes - s1.live_bytes == 16 + 24 + 72 + 16); // bytes + NUL rounded to 8, two cursors
    lang_str_release(a);
    lang_str_release(b);
}

TEST_CASE("rt string: a non-ASCII string growing past the cursor threshold indexes right before and after") {
    Ctx c;
    std::string text = mixed(9); // about 20 bytes: no cursors
    LangString *s = S(&c.c, text.c_str());
    for (int round = 0; round < 12; round++) {
        std::vector<uint32_t> want = decode_all(text);
        check_indexing(&c.c, s, want);
        std::string more = mixed(3 + round);
        LangString *m = S(&c.c, more.c_str());
        s = lang_str_append(&c.c, s, m); // in place: grows past 64 bytes of room, cursors reset
        lang_str_release(m);
        text += more;
    }
    check_indexing(&c.c, s, decode_all(text));
    lang_str_release(s);
}

TEST_CASE("rt string: short string blocks are recycled per thread, and the counts stay exact") {
    Ctx c;
    lang_str_cache_flush();
    LangAllocStats s0;
    lang_default_allocator_stats(&s0);
    int64_t strings0 = lang_str_live_count();
    // one block size per 16 bytes of room: 7, 23, 39, 55 bytes; 56 and more are not recycled
    const int lens[] = {1, 7, 8, 23, 24, 39, 40, 55, 56, 100};
    const int64_t caps[] = {7, 7, 23, 23, 39, 39, 55, 55, 56, 100};
    for (int i = 0; i < 10; i++) {
        std::string t((size_t)lens[i], 'a');
        LangString *a = S(&c.c, t.c_str());
        CHECK(lang_str_capacity(a) == caps[i]);
        lang_str_release(a);
        LangString *b = S(&c.c, t.c_str());
        if (lens[i] <= 55) CHECK(a == b); // the block came back from the thread's list
        CHECK(std::string(b->data, (size_t)b->byte_length) == t);
        CHECK(b->length == lens[i]);
        lang_str_release(b);
    }
    // a pile of releases: kCacheDepth (32) kept, the others freed; counts as if all were freed
    std::vector<LangString *> many;
    for (int i = 0; i < 100; i++) many.push_back(S(&c.c, "word"));
    for (LangString *s : many) lang_str_release(s);
    LangAllocStats s1;
    lang_default_allocator_stats(&s1);
    CHECK(s1.live_count == s0.live_count);
    CHECK(s1.live_bytes == s0.live_bytes);
    CHECK(lang_str_live_count() == strings0);
    // flushing frees the kept blocks for real: the counts do not move
    lang_str_cache_flush();
    lang_default_allocator_stats(&s1);
    CHECK(s1.live_count == s0.live_count);
    CHECK(s1.live_bytes == s0.live_bytes);
}
