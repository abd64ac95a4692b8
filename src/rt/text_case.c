/* text_case.c: string.ToUpper / ToLower through utf8proc's simple (one character to one
 * character) case mappings, as C#'s ToUpperInvariant/ToLowerInvariant do: "ß" stays "ß",
 * "ǅ" maps to "Ǆ"/"ǆ". Kept apart from text.c so that only programs that change case link
 * libutf8proc (the driver links with --as-needed semantics: an unused archive member pulls
 * nothing in).
 *
 * The result is a new reference (+1) as for every built string (doc/lowering.md); the
 * argument is borrowed. The length in characters never changes; the byte length may.
 */
#include <string.h>
#include <utf8proc.h>
#include "rt_internal.h"

static LangString *map_case(LangContext *ctx, const LangString *s, int upper) {
    if (!s || s->byte_length == 0) return lang_str_empty();
    /* A mapped character takes at most 4 bytes. */
    int64_t cap = s->length * 4;
    char *buf = lang_alloc(ctx, cap > 0 ? cap : 1, 1);
    int64_t pos = 0, w = 0;
    while (pos < s->byte_length) {
        uint32_t c = lang_str_next_char(s, &pos);
        utf8proc_int32_t m = upper ? utf8proc_toupper((utf8proc_int32_t)c) : utf8proc_tolower((utf8proc_int32_t)c);
        if (c == 0xDF) m = 0xDF; /* ß has no one-character capital in C# (utf8proc gives ẞ) */
        w += lang_utf8_encode((uint32_t)m, buf + w);
    }
    LangString *r = lang_str_from_utf8(ctx, buf, w);
    lang_free(ctx, buf);
    return r;
}

LangString *lang_str_to_upper(LangContext *ctx, const LangString *s) { return map_case(ctx, s, 1); }
LangString *lang_str_to_lower(LangContext *ctx, const LangString *s) { return map_case(ctx, s, 0); }
