/* text.c: the string methods (Split, Join, Trim*, Contains, StartsWith, EndsWith,
 * IndexOf, Replace) and StringBuilder.
 *
 * Every function that returns a string returns a new reference (+1) for the caller, as
 * the rest of string.c does (doc/lowering.md); an empty result is the static "" (refcount
 * < 0, never counted). Arguments are borrowed: nothing here releases what it is given.
 * Positions and counts are in characters (Unicode scalars), as in s[i] and Substring;
 * searches compare UTF-8 bytes, which is the same as comparing characters because UTF-8
 * is self-synchronizing (a match of whole encoded strings always starts on a character).
 *
 * StringBuilder (LangStringBuilder) keeps one built string with spare capacity and appends
 * through lang_str_append, which grows it geometrically in place while the builder holds
 * the only reference: appends are amortized O(1). ToString() hands out a copy, so the
 * builder keeps appending in place afterwards.
 */
#include <string.h>
#include "rt_internal.h"

static const LangString *nn(const LangString *s) { return s ? s : lang_str_empty(); }

/* Byte offset of the first occurrence of needle in hay at or after byte `from`, or -1. */
static int64_t find_bytes(const char *hay, int64_t nh, const char *needle, int64_t nn_, int64_t from) {
    if (nn_ == 0) return from <= nh ? from : -1;
    if (nn_ > nh) return -1;
    const char *p = hay + from;
    const char *end = hay + nh - nn_ + 1;
    while (p < end) {
        p = memchr(p, needle[0], (size_t)(end - p));
        if (!p) return -1;
        if (memcmp(p, needle, (size_t)nn_) == 0) return p - hay;
        p++;
    }
    return -1;
}

static LangString *copy_bytes(LangContext *ctx, const char *p, int64_t n) { return lang_str_from_utf8(ctx, p, n); }

LangArray *lang_str_split(LangContext *ctx, const LangString *s, const LangString *sep) {
    s = nn(s);
    sep = nn(sep);
    int64_t count = 1;
    if (sep->byte_length > 0)
        for (int64_t at = 0; (at = find_bytes(s->data, s->byte_length, sep->data, sep->byte_length, at)) >= 0;
             at += sep->byte_length)
            count++;
    LangArray *a = lang_array_new(ctx, count, 8);
    LangString **out = (LangString **)a->data;
    if (sep->byte_length == 0) { /* C#: an empty separator does not split */
        out[0] = copy_bytes(ctx, s->data, s->byte_length);
        return a;
    }
    int64_t start = 0, i = 0;
    for (int64_t at; (at = find_bytes(s->data, s->byte_length, sep->data, sep->byte_length, start)) >= 0;) {
        out[i++] = copy_bytes(ctx, s->data + start, at - start);
        start = at + sep->byte_length;
    }
    out[i] = copy_bytes(ctx, s->data + start, s->byte_length - start);
    return a;
}

LangString *lang_str_join(LangContext *ctx, const LangString *sep, const LangArray *xs) {
    sep = nn(sep);
    int64_t n = xs ? xs->length : 0;
    if (n == 0) return lang_str_empty();
    LangString *const *parts = (LangString *const *)xs->data;
    int64_t bytes = sep->byte_length * (n - 1), chars = sep->length * (n - 1);
    for (int64_t i = 0; i < n; i++) {
        bytes += nn(parts[i])->byte_length;
        chars += nn(parts[i])->length;
    }
    if (bytes == 0) return lang_str_empty();
    char *buf = lang_alloc(ctx, bytes, 1);
    char *w = buf;
    for (int64_t i = 0; i < n; i++) {
        if (i) { memcpy(w, sep->data, (size_t)sep->byte_length); w += sep->byte_length; }
        const LangString *p = nn(parts[i]);
        memcpy(w, p->data, (size_t)p->byte_length);
        w += p->byte_length;
    }
    LangString *r = copy_bytes(ctx, buf, bytes);
    lang_free(ctx, buf);
    (void)chars;
    return r;
}

/* Unicode White_Space (what C#'s char.IsWhiteSpace accepts). */
static int is_space(uint32_t c) {
    if (c == ' ' || (c >= 9 && c <= 13)) return 1;
    if (c < 0x85) return 0;
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
           c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Length of the UTF-8 sequence ending just before byte `end` (text is valid UTF-8). */
static int64_t prev_char_start(const char *p, int64_t end) {
    int64_t i = end - 1;
    while (i > 0 && ((unsigned char)p[i] & 0xC0) == 0x80) i--;
    return i;
}

/* mode: 1 = start, 2 = end, 3 = both. */
LangString *lang_str_trim(LangContext *ctx, const LangString *s, int64_t mode) {
    s = nn(s);
    int64_t from = 0, to = s->byte_length;
    if (mode & 1)
        while (from < to) {
            int64_t pos = from;
            uint32_t c = lang_str_next_char(s, &pos);
            if (!is_space(c)) break;
            from = pos;
        }
    if (mode & 2)
        while (to > from) {
            int64_t b = prev_char_start(s->data, to), pos = b;
            uint32_t c = lang_str_next_char(s, &pos);
            if (!is_space(c)) break;
            to = b;
        }
    return copy_bytes(ctx, s->data + from, to - from);
}

uint8_t lang_str_contains(const LangString *s, const LangString *sub) {
    s = nn(s);
    sub = nn(sub);
    return find_bytes(s->data, s->byte_length, sub->data, sub->byte_length, 0) >= 0;
}

uint8_t lang_str_starts_with(const LangString *s, const LangString *p) {
    s = nn(s);
    p = nn(p);
    return p->byte_length <= s->byte_length && memcmp(s->data, p->data, (size_t)p->byte_length) == 0;
}

uint8_t lang_str_ends_with(const LangString *s, const LangString *p) {
    s = nn(s);
    p = nn(p);
    return p->byte_length <= s->byte_length &&
           memcmp(s->data + s->byte_length - p->byte_length, p->data, (size_t)p->byte_length) == 0;
}

int64_t lang_str_index_of(const LangString *s, const LangString *sub) {
    s = nn(s);
    sub = nn(sub);
    int64_t at = find_bytes(s->data, s->byte_length, sub->data, sub->byte_length, 0);
    if (at <= 0) return at;
    return s->length == s->byte_length ? at : lang_utf8_count(s->data, at);
}

LangString *lang_str_replace(LangContext *ctx, const LangString *s, const LangString *old, const LangString *with) {
    s = nn(s);
    old = nn(old);
    with = nn(with);
    if (old->byte_length == 0) lang_panic("Replace: the string to replace is empty");
    int64_t hits = 0;
    for (int64_t at = 0; (at = find_bytes(s->data, s->byte_length, old->data, old->byte_length, at)) >= 0;
         at += old->byte_length)
        hits++;
    if (hits == 0) return copy_bytes(ctx, s->data, s->byte_length);
    int64_t bytes = s->byte_length + hits * (with->byte_length - old->byte_length);
    if (bytes == 0) return lang_str_empty();
    char *buf = lang_alloc(ctx, bytes, 1);
    char *w = buf;
    int64_t start = 0;
    for (int64_t at; (at = find_bytes(s->data, s->byte_length, old->data, old->byte_length, start)) >= 0;) {
        memcpy(w, s->data + start, (size_t)(at - start));
        w += at - start;
        memcpy(w, with->data, (size_t)with->byte_length);
        w += with->byte_length;
        start = at + old->byte_length;
    }
    memcpy(w, s->data + start, (size_t)(s->byte_length - start));
    LangString *r = copy_bytes(ctx, buf, bytes);
    lang_free(ctx, buf);
    return r;
}

void lang_sb_append(LangContext *ctx, LangString *sb, const LangString *s) {
    LangString **buf = lang_sb_slot(sb);
    if (!s || s->byte_length == 0) return;
    *buf = lang_str_append(ctx, *buf, s);
}

LangString *lang_sb_to_string(LangContext *ctx, LangString *sb) {
    const LangString *buf = *lang_sb_slot(sb);
    return copy_bytes(ctx, buf->data, buf->byte_length);
}
