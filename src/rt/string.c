/* string.c: Lang strings: immutable UTF-8, literals static, built strings refcounted.
 *
 * A built string is one block from the context allocator:
 *     [StrPrefix: allocator, capacity|magic][LangString: refcount, byte_length, length][bytes][NUL]
 * followed, when the capacity is at least kCursorMinCap bytes, by two index cursors (below).
 * The prefix sits before the LangString pointer that compiled code sees, so the 24-byte
 * header stays exactly the ABI in lang_rt.h while release() still knows which allocator
 * to give the block back to (release has no context argument). `capacity` is the number of
 * bytes the block has room for (NUL excluded): lang_str_append grows a string it owns
 * exclusively (refcount 1) in place, doubling the capacity when it runs out, so a loop of
 * `s += x` is linear overall.
 *
 * Invariants: data is valid UTF-8 and NUL-terminated; length is the number of Unicode
 * scalars, computed once at creation. refcount < 0 marks a static string (never freed,
 * retain/release are no-ops); otherwise it counts owners and is changed atomically,
 * because strings are copy types that may be sent to other lightweight threads.
 *
 * Indexing by character (s[i], Substring) needs the byte offset of a character: O(1) in
 * an ASCII string (length == byte_length), else a walk over the bytes. The walk starts
 * from the nearest of: the start, the end, and the string's two cursors, (character index,
 * byte offset) pairs found before. The cursor the walk started from moves to the new pair
 * (if it started from an end, the cursor farther away does), so s[i] with i going up or
 * down one at a time is amortized O(1), also with two such walks interleaved
 * (s[i] == s[n - 1 - i]). A built string below 4 GiB with room for kCursorMinCap bytes keeps
 * its cursors after its bytes (8-byte aligned; moved and reset to 0 when an append moves
 * the string), each one atomic word (index << 32 | offset; 0 is the start), shared by every
 * thread; a shorter string walks from its start or end, at most 63 bytes. A pair
 * once stored stays true for the string forever (in-place appends only add characters at
 * the end), so a thread may use a pair another thread stored. Static strings are read-only,
 * so each OS thread keeps the cursors of a few of them, keyed by address (static strings
 * never move or die).
 *
 * Short strings are made and dropped all the time (a Substring per word of a text), so the
 * default allocator's short string blocks are recycled per OS thread: a string with room
 * for at most kCacheMaxCap bytes gets a block of one of four sizes (its room rounded up,
 * which costs nothing: the allocator rounds blocks to 16 bytes anyway), and its release
 * puts the block on this thread's list for that size (at most kCacheDepth blocks each)
 * instead of freeing it; the next string of that size takes it back. A kept block counts
 * as freed in the allocator's and the strings' live counts, and the leak report
 * (LANG_LEAKS=1) does not list it (its prefix says kKeptMagic). Only an OS thread with a
 * small-block heap keeps blocks, because its exit frees them (the heap's exit hook in
 * alloc_small.c calls lang_str_cache_flush); a thread C made that only releases strings
 * frees them at once.
 */
#include <string.h>
#include "alloc_small.h"
#include "rt_internal.h"

typedef struct StrPrefix {
    LangAllocator *allocator;
    uint64_t cap_magic; /* capacity (bytes, NUL excluded) in the low 48 bits, magic above */
} StrPrefix;
_Static_assert(sizeof(StrPrefix) == 16, "prefix keeps the header 16-byte aligned");
_Static_assert(sizeof(LangString) == 24, "string header is ABI");

enum { kStrMagic = 0x5354 /* "ST" */, kBuilderMagic = 0x5342 /* "SB" */, kKeptMagic = 0x4b50 /* "KP" */ };
enum { kCursorMinCap = 64 }; /* strings with less room keep no index cursors */
#define CAP_MASK (((uint64_t)1 << 48) - 1)

static int64_t cap_of(const StrPrefix *p) { return (int64_t)(p->cap_magic & CAP_MASK); }
static unsigned magic_of(const StrPrefix *p) { return (unsigned)(p->cap_magic >> 48); }
static void set_cap_magic(StrPrefix *p, int64_t capacity, unsigned magic) {
    p->cap_magic = (uint64_t)capacity | (uint64_t)magic << 48;
}

static LangString empty_string = {-1, 0, 0, ""};

/* The recycled short-string blocks (see the top of the file) are kept in the thread's
 * stats block (LangThreadStats.str_kept_head/str_kept): class k holds blocks with room for
 * 16k + 7 bytes, 16k + 48 requested bytes (prefix, header, room, NUL). The allocator's
 * and the strings' live counts subtract them when read (kept_sum). */
enum { kCacheClasses = 4, kCacheDepth = 32, kCacheMaxCap = 16 * (kCacheClasses - 1) + 7 };
_Static_assert(sizeof(((LangThreadStats *)0)->str_kept) / sizeof(int64_t) == kCacheClasses, "one list per class");

int lang_str_block_is_kept(const void *block) {
    const StrPrefix *p = block;
    return p->allocator == &lang_default_allocator_record && magic_of(p) == kKeptMagic;
}

/* Blocks (bytes == 0) or requested bytes of the blocks kept by every thread. */
int64_t lang_str_kept_sum(int bytes) {
    int64_t sum = 0;
    for (int k = 0; k < kCacheClasses; k++) {
        int64_t n = lang_thread_stats_sum(offsetof(LangThreadStats, str_kept) + (size_t)k * sizeof(int64_t));
        sum += bytes ? n * (16 * k + 48) : n;
    }
    return sum;
}

void lang_str_cache_flush(void) {
    LangThreadStats *st = lang_thread_stats();
    for (int k = 0; k < kCacheClasses; k++) {
        while (st->str_kept_head[k]) {
            StrPrefix *p = st->str_kept_head[k];
            st->str_kept_head[k] = *(StrPrefix **)(p + 1);
            lang_stat_add(&st->str_kept[k], -1);
            lang_stat_add(&st->strings_live, -1);
            p->allocator->free(p->allocator->procedure_data, p);
        }
    }
}

int64_t lang_str_live_count(void) { return LANG_STATS_SUM(strings_live) - lang_str_kept_sum(0); }

LangString *lang_str_empty(void) { return &empty_string; }

int64_t lang_utf8_count(const char *p, int64_t n) {
    int64_t count = 0;
    for (int64_t i = 0; i < n; i++) count += ((unsigned char)p[i] & 0xC0) != 0x80;
    return count;
}

int lang_utf8_encode(uint32_t c, char *out) {
    if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = 0xFFFD;
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Bytes up to the cursors: prefix, header, capacity bytes and the NUL, 8-byte aligned. */
static size_t cursors_at(int64_t capacity) {
    return (sizeof(StrPrefix) + sizeof(LangString) + (size_t)capacity + 1 + 7) & ~(size_t)7;
}

static size_t block_size(int64_t capacity) {
    if (capacity < kCursorMinCap) return sizeof(StrPrefix) + sizeof(LangString) + (size_t)capacity + 1;
    return cursors_at(capacity) + 2 * sizeof(uint64_t);
}

/* A fresh block's cursors (if it has room for them) both point at the start. */
static void reset_cursors(StrPrefix *p) {
    int64_t cap = cap_of(p);
    if (cap >= kCursorMinCap) memset((char *)p + cursors_at(cap), 0, 2 * sizeof(uint64_t));
}

static void check_length(int64_t byte_length) {
    if (byte_length < 0 || byte_length > ((int64_t)1 << 48))
        lang_panicf("string of %lld bytes is too long", (long long)byte_length);
}

/* A string of byte_length bytes with room for `capacity` (>= byte_length); the caller
 * fills data and calls finish(). */
/* A new block with room for `capacity` bytes from allocator a (its prefix set). */
__attribute__((noinline)) static StrPrefix *str_block(LangAllocator *a, int64_t byte_length, int64_t capacity) {
    StrPrefix *p = a->alloc(a->procedure_data, block_size(capacity), 16);
    if (!p) lang_panicf("out of memory: string of %lld bytes", (long long)byte_length);
    p->allocator = a;
    set_cap_magic(p, capacity, kStrMagic);
    reset_cursors(p);
    lang_stat_add(&lang_thread_stats()->strings_live, 1);
    return p;
}

static inline __attribute__((always_inline)) LangString *str_alloc_cap(LangContext *ctx, int64_t byte_length,
                                                                      int64_t capacity) {
    check_length(byte_length);
    LangAllocator *a = ctx && ctx->allocator ? ctx->allocator : lang_default_allocator();
    StrPrefix *p = NULL;
    if (a == &lang_default_allocator_record && capacity <= kCacheMaxCap) { /* a recyclable size */
        int k = (int)(capacity + 8) >> 4;
        capacity = 16 * k + 7;
        LangThreadStats *st = lang_this_thread_stats;
        p = st ? st->str_kept_head[k] : NULL;
        if (p) {
            st->str_kept_head[k] = *(StrPrefix **)(p + 1);
            lang_stat_add(&st->str_kept[k], -1);
            set_cap_magic(p, capacity, kStrMagic);
        }
    }
    if (!p) p = str_block(a, byte_length, capacity);
    LangString *s = (LangString *)(p + 1);
    s->refcount = 1;
    s->byte_length = byte_length;
    s->data[byte_length] = 0;
    return s;
}

static inline __attribute__((always_inline)) LangString *str_alloc(LangContext *ctx, int64_t byte_length) {
    return str_alloc_cap(ctx, byte_length, byte_length);
}

static StrPrefix *prefix_of(const LangString *s) { return (StrPrefix *)s - 1; }

static LangString *finish(LangString *s) {
    s->length = lang_utf8_count(s->data, s->byte_length);
    return s;
}

LangString *lang_str_from_utf8(LangContext *ctx, const char *bytes, int64_t byte_length) {
    if (byte_length == 0) return &empty_string;
    LangString *s = str_alloc(ctx, byte_length);
    memcpy(s->data, bytes, (size_t)byte_length);
    return finish(s);
}

void lang_str_retain(LangString *s) {
    if (s && s->refcount >= 0) __atomic_add_fetch(&s->refcount, 1, __ATOMIC_RELAXED);
}

/* The last reference is gone: a StringBuilder's buffer goes with it, then the block goes
 * to this thread's reuse list or back to its allocator. */
__attribute__((noinline)) static void str_free(LangString *s) {
    StrPrefix *p = prefix_of(s);
    if (magic_of(p) == kBuilderMagic) { /* a StringBuilder: its buffer goes with it */
        LangString **buf = lang_sb_slot(s);
        lang_str_release(*buf);
        *buf = NULL;
        set_cap_magic(p, cap_of(p), kStrMagic);
    }
    if (magic_of(p) != kStrMagic) lang_panic("string release: not a runtime-built string (or released twice)");
    int64_t cap = cap_of(p);
    p->cap_magic = 0;
    if (p->allocator == &lang_default_allocator_record && cap <= kCacheMaxCap && (cap & 15) == 7) {
        LangThreadStats *st = lang_thread_stats();
        int k = (int)cap >> 4;
        if (st->str_kept[k] < kCacheDepth && lang_small_heap) { /* recycled (see the top of the file) */
            set_cap_magic(p, 0, kKeptMagic);
            *(StrPrefix **)(p + 1) = st->str_kept_head[k];
            st->str_kept_head[k] = p;
            lang_stat_add(&st->str_kept[k], 1);
            return;
        }
    }
    lang_stat_add(&lang_thread_stats()->strings_live, -1);
    p->allocator->free(p->allocator->procedure_data, p);
}

void lang_str_release(LangString *s) {
    if (!s) return;
    /* The caller owns one reference; if it is the only one, no other thread can reach the
     * string to retain it, so the last release needs no locked decrement. */
    int64_t rc = __atomic_load_n(&s->refcount, __ATOMIC_ACQUIRE);
    if (rc < 0) return;
    if (rc != 1 && __atomic_sub_fetch(&s->refcount, 1, __ATOMIC_ACQ_REL) != 0) return;
    /* The common case inline, without a stack frame: a short string of the default
     * allocator onto a reuse list that has room (str_free does the same, and the rest). */
    StrPrefix *p = prefix_of(s);
    uint64_t cm = p->cap_magic;
    LangThreadStats *st = lang_this_thread_stats;
    if (cm >> 48 == kStrMagic && (cm & CAP_MASK & ~(uint64_t)0x30) == 7 && /* room 7, 23, 39 or 55 */
        p->allocator == &lang_default_allocator_record && st && lang_small_heap) {
        int k = (int)(cm & CAP_MASK) >> 4;
        if (st->str_kept[k] < kCacheDepth) {
            set_cap_magic(p, 0, kKeptMagic);
            *(StrPrefix **)(p + 1) = st->str_kept_head[k];
            st->str_kept_head[k] = p;
            lang_stat_add(&st->str_kept[k], 1);
            return;
        }
    }
    str_free(s);
}

LangString *lang_str_concat(LangContext *ctx, const LangString *a, const LangString *b) {
    int64_t na = a ? a->byte_length : 0, nb = b ? b->byte_length : 0;
    if (na + nb == 0) return &empty_string;
    LangString *s = str_alloc(ctx, na + nb);
    if (na) memcpy(s->data, a->data, (size_t)na);
    if (nb) memcpy(s->data + na, b->data, (size_t)nb);
    s->length = (a ? a->length : 0) + (b ? b->length : 0);
    return s;
}

/* The next capacity for a string that must hold `need` bytes: at least double the old. */
static int64_t grown(int64_t old_cap, int64_t need) {
    int64_t cap = old_cap < 8 ? 16 : old_cap * 2;
    return cap < need ? need : cap;
}

LangString *lang_str_append(LangContext *ctx, LangString *a, const LangString *b) {
    int64_t na = a ? a->byte_length : 0, nb = b ? b->byte_length : 0;
    if (nb == 0) return a ? a : &empty_string; /* a's reference becomes the result's */
    int64_t nchars = b->length;
    check_length(na + nb);
    if (a && __atomic_load_n(&a->refcount, __ATOMIC_ACQUIRE) == 1) {
        /* Only the caller holds a: nobody else can see the bytes change. */
        StrPrefix *p = prefix_of(a);
        if (magic_of(p) != kStrMagic) lang_panic("string append: not a runtime-built string (or released)");
        int same = a == b;
        int64_t old_cap = cap_of(p);
        if (na + nb > old_cap) {
            int64_t cap = grown(old_cap, na + nb);
            LangAllocator *al = p->allocator;
            StrPrefix *q = al->realloc ? al->realloc(al->procedure_data, p, block_size(old_cap), block_size(cap), 16)
                                       : NULL;
            if (!q) {
                q = al->alloc(al->procedure_data, block_size(cap), 16);
                if (!q) lang_panicf("out of memory: string of %lld bytes", (long long)(na + nb));
                memcpy(q, p, sizeof(StrPrefix) + sizeof(LangString) + (size_t)na);
                p->cap_magic = 0;
                al->free(al->procedure_data, p);
            }
            set_cap_magic(q, cap, kStrMagic);
            reset_cursors(q);
            a = (LangString *)(q + 1);
            if (same) b = a;
        }
        memcpy(a->data + na, b->data, (size_t)nb); /* a == b: copies the old na bytes */
        a->byte_length = na + nb;
        a->length += nchars;
        a->data[na + nb] = 0;
        return a;
    }
    /* Shared or static: copy into a block with room to grow, then drop our reference. */
    LangString *s = str_alloc_cap(ctx, na + nb, grown(na + nb, na + nb));
    if (na) memcpy(s->data, a->data, (size_t)na);
    memcpy(s->data + na, b->data, (size_t)nb);
    s->data[na + nb] = 0;
    s->length = (a ? a->length : 0) + nchars;
    lang_str_release(a);
    return s;
}

LangString *lang_str_concat_n(LangContext *ctx, LangString *const *parts, int64_t n) {
    int64_t bytes = 0, chars = 0;
    for (int64_t i = 0; i < n; i++) {
        bytes += parts[i]->byte_length;
        chars += parts[i]->length;
        check_length(bytes);
    }
    if (bytes == 0) return &empty_string;
    LangString *s = str_alloc(ctx, bytes);
    int64_t o = 0;
    for (int64_t i = 0; i < n; i++) {
        memcpy(s->data + o, parts[i]->data, (size_t)parts[i]->byte_length);
        o += parts[i]->byte_length;
    }
    s->length = chars;
    return s;
}

int64_t lang_str_capacity(const LangString *s) {
    if (!s || s->refcount < 0) return s ? s->byte_length : 0;
    return cap_of(prefix_of(s));
}

LangString *lang_str_from_i64(LangContext *ctx, int64_t v) {
    char b[24];
    return lang_str_from_utf8(ctx, b, lang_fmt_i64(b, v));
}

LangString *lang_str_from_u64(LangContext *ctx, uint64_t v) {
    char b[24];
    return lang_str_from_utf8(ctx, b, lang_fmt_u64(b, v));
}

LangString *lang_str_from_f64(LangContext *ctx, double v) {
    char b[LANG_FMT_FLOAT_MAX];
    return lang_str_from_utf8(ctx, b, lang_fmt_f64(b, v));
}

LangString *lang_str_from_f32(LangContext *ctx, float v) {
    char b[LANG_FMT_FLOAT_MAX];
    return lang_str_from_utf8(ctx, b, lang_fmt_f32(b, v));
}

LangString *lang_str_from_bool(LangContext *ctx, uint8_t v) {
    return v ? lang_str_from_utf8(ctx, "true", 4) : lang_str_from_utf8(ctx, "false", 5);
}

LangString *lang_str_from_char(LangContext *ctx, uint32_t c) {
    char b[4];
    return lang_str_from_utf8(ctx, b, lang_utf8_encode(c, b));
}

/* Whether n bytes at a and b are equal. Words are most keys (a Dict lookup compares the
 * key it finds): up to 64 bytes they are compared inline, by 8-byte words and one last
 * word that overlaps the one before (never reading past n), instead of calling memcmp. */
static inline int same_bytes(const char *a, const char *b, size_t n) {
    if (n > 64) return memcmp(a, b, n) == 0;
    if (n >= 8) {
        uint64_t x, y;
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            if (x != y) return 0;
        }
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    if (n >= 4) {
        uint32_t x0, y0, x1, y1;
        memcpy(&x0, a, 4);
        memcpy(&y0, b, 4);
        memcpy(&x1, a + n - 4, 4);
        memcpy(&y1, b + n - 4, 4);
        return x0 == y0 && x1 == y1;
    }
    if (n >= 2) {
        uint16_t x0, y0, x1, y1;
        memcpy(&x0, a, 2);
        memcpy(&y0, b, 2);
        memcpy(&x1, a + n - 2, 2);
        memcpy(&y1, b + n - 2, 2);
        return x0 == y0 && x1 == y1;
    }
    return n == 0 || a[0] == b[0];
}

uint8_t lang_str_eq(const LangString *a, const LangString *b) {
    if (a == b) return 1;
    if (!a || !b) return (a ? a->byte_length : 0) == (b ? b->byte_length : 0);
    return a->byte_length == b->byte_length && same_bytes(a->data, b->data, (size_t)a->byte_length);
}

int64_t lang_str_cmp(const LangString *a, const LangString *b) {
    int64_t na = a ? a->byte_length : 0, nb = b ? b->byte_length : 0;
    int c = (na && nb) ? memcmp(a->data, b->data, (size_t)(na < nb ? na : nb)) : 0;
    if (c != 0) return c < 0 ? -1 : 1;
    return na < nb ? -1 : na > nb;
}

/* Decodes one scalar at p[0..n). Invalid or truncated sequences (impossible for strings
 * the runtime built, but FFI can hand us anything) decode as U+FFFD over one byte. */
static uint32_t decode(const unsigned char *p, int64_t n, int *len) {
    uint32_t c = p[0];
    *len = 1;
    if (c < 0x80) return c;
    int need = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
    if (need < 0 || need >= n || c > 0xF4) return 0xFFFD;
    c &= 0x3F >> need;
    for (int i = 1; i <= need; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0xFFFD;
        c = (c << 6) | (p[i] & 0x3F);
    }
    static const uint32_t min_for[4] = {0, 0x80, 0x800, 0x10000};
    if (c < min_for[need] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0xFFFD;
    *len = need + 1;
    return c;
}

/* A C function's `char *` result as a new string (its bytes copied, invalid UTF-8
 * replaced), or NULL (a null string?) for NULL. */
LangString *lang_str_from_cstring(LangContext *ctx, const char *p) {
    return p ? lang_str_from_bytes_lossy(ctx, p, (int64_t)strlen(p)) : NULL;
}

uint32_t lang_utf8_decode(const char *p, int64_t n, int *len) { return decode((const unsigned char *)p, n, len); }

uint32_t lang_str_next_char(const LangString *s, int64_t *pos) {
    if (!s || *pos < 0 || *pos >= s->byte_length) return 0;
    int len;
    uint32_t c = decode((const unsigned char *)s->data + *pos, s->byte_length - *pos, &len);
    *pos += len;
    return c;
}

/* Cursors of static strings, per OS thread: a few entries picked by address. */
typedef struct StaticCursors {
    const LangString *s;
    uint64_t words[2]; /* as the cursors of a built string */
} StaticCursors;
enum { kStaticCursors = 8 };
static __thread StaticCursors static_cursors[kStaticCursors];

/* From byte `at`, the start of character `from`, to the start of character `to`
 * (characters start at every byte that is not a continuation byte 10xxxxxx). */
static int64_t walk(const LangString *s, int64_t at, int64_t from, int64_t to) {
    const unsigned char *d = (const unsigned char *)s->data;
    for (; from < to; from++)
        for (at++; at < s->byte_length && (d[at] & 0xC0) == 0x80; at++) {
        }
    for (; from > to; from--)
        for (at--; at > 0 && (d[at] & 0xC0) == 0x80; at--) {
        }
    return at;
}

static int64_t distance(int64_t a, int64_t b) { return a > b ? a - b : b - a; }

/* Byte offset of character `index` (0 <= index <= length), from the nearest known
 * position; moves a cursor there. */
static int64_t byte_offset(const LangString *s, int64_t index) {
    if (s->length == s->byte_length) return index; /* ASCII */
    if (index >= s->length) return s->byte_length;
    uint64_t *words = NULL; /* the string's two cursors */
    uint64_t cur[2] = {0, 0};
    if (s->refcount < 0) {
        StaticCursors *sc = &static_cursors[((uintptr_t)s >> 4) % kStaticCursors];
        if (sc->s != s) sc->s = s, sc->words[0] = sc->words[1] = 0;
        words = sc->words;
        cur[0] = words[0], cur[1] = words[1];
    } else if (s->byte_length < ((int64_t)1 << 32) && cap_of(prefix_of(s)) >= kCursorMinCap) {
        words = (uint64_t *)(void *)((char *)prefix_of(s) + cursors_at(cap_of(prefix_of(s))));
        cur[0] = __atomic_load_n(&words[0], __ATOMIC_RELAXED);
        cur[1] = __atomic_load_n(&words[1], __ATOMIC_RELAXED);
    }
    /* The nearest start: the start of the string, a cursor, or the end. */
    int64_t from = 0, at = 0, d = index;
    int used = -1;
    for (int k = 0; k < 2 && words; k++) {
        int64_t ci = (int64_t)(cur[k] >> 32), cb = (int64_t)(cur[k] & 0xFFFFFFFFu);
        if (distance(ci, index) < d) from = ci, at = cb, d = distance(ci, index), used = k;
    }
    if (s->length - index < d) from = s->length, at = s->byte_length, used = -1;
    int64_t off = walk(s, at, from, index);
    if (words) {
        if (used < 0) /* replace the cursor farther from index */
            used = distance((int64_t)(cur[0] >> 32), index) >= distance((int64_t)(cur[1] >> 32), index) ? 0 : 1;
        uint64_t w = (uint64_t)index << 32 | (uint64_t)off;
        if (s->refcount < 0) words[used] = w;
        else __atomic_store_n(&words[used], w, __ATOMIC_RELAXED);
    }
    return off;
}

uint32_t lang_str_char_at(LangContext *ctx, const LangString *s, int64_t index) {
    (void)ctx;
    int64_t len = s ? s->length : 0;
    if (index < 0 || index >= len)
        lang_panicf("index %lld out of range for string of length %lld", (long long)index, (long long)len);
    int64_t pos = byte_offset(s, index);
    return lang_str_next_char(s, &pos);
}

LangString *lang_str_substring(LangContext *ctx, const LangString *s, int64_t start, int64_t count) {
    int64_t len = s ? s->length : 0;
    if (start < 0 || count < 0 || start > len || count > len - start)
        lang_panicf("substring(%lld, %lld) out of range for string of length %lld", (long long)start,
                    (long long)count, (long long)len);
    if (count == 0) return &empty_string;
    int64_t from = start, to = start + count; /* ASCII: characters are bytes */
    if (s->length != s->byte_length) {
        from = byte_offset(s, start);
        to = walk(s, from, start, start + count);
    }
    int64_t n = to - from;
    LangString *r = str_alloc(ctx, n);
    char *d = r->data;
    const char *p = s->data + from;
    if (n >= 8 && n <= 16) { /* a word: two overlapping 8-byte moves instead of a memcpy call */
        uint64_t a, b;
        memcpy(&a, p, 8);
        memcpy(&b, p + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
    } else if (n < 8) {
        for (int64_t i = 0; i < n; i++) d[i] = p[i];
    } else {
        memcpy(d, p, (size_t)n);
    }
    r->length = count;
    return r;
}

LangArray *lang_str_chars(LangContext *ctx, const LangString *s) {
    int64_t n = s ? s->length : 0;
    LangArray *a = lang_array_new(ctx, n, 4);
    uint32_t *out = (uint32_t *)a->data;
    int64_t pos = 0;
    for (int64_t i = 0; i < n; i++) out[i] = lang_str_next_char(s, &pos);
    return a;
}

/* Validates as it copies: invalid sequences become U+FFFD, so the result keeps the UTF-8
 * invariant whatever the bytes were (command-line arguments, FFI strings). */
LangString *lang_str_from_bytes_lossy(LangContext *ctx, const char *bytes, int64_t n) {
    /* Most text is valid, and much of it ASCII: check it (eight ASCII bytes at a time) and
     * count its characters in one pass, then copy it as it is. */
    int64_t chars = 0, i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, bytes + i, 8);
            if (!(w & 0x8080808080808080ull)) {
                chars += 8;
                i += 8;
                continue;
            }
        }
        int len;
        uint32_t c = decode((const unsigned char *)bytes + i, n - i, &len);
        if (c == 0xFFFD && len == 1) break; /* invalid: replaced below */
        chars++;
        i += len;
    }
    if (i == n) {
        if (n == 0) return &empty_string;
        LangString *s = str_alloc(ctx, n);
        memcpy(s->data, bytes, (size_t)n);
        s->length = chars;
        return s;
    }
    int64_t out = 0;
    for (int64_t i = 0; i < n;) { /* pass 1: size */
        int len;
        uint32_t c = decode((const unsigned char *)bytes + i, n - i, &len);
        char tmp[4];
        out += (c == 0xFFFD && len == 1) ? 3 : lang_utf8_encode(c, tmp);
        i += len;
    }
    if (out == 0) return &empty_string;
    LangString *s = str_alloc(ctx, out);
    int64_t o = 0;
    for (int64_t i = 0; i < n;) {
        int len;
        uint32_t c = decode((const unsigned char *)bytes + i, n - i, &len);
        o += lang_utf8_encode(c, s->data + o);
        i += len;
    }
    return finish(s);
}

/* ---- StringBuilder handles (text.c has the operations) ----
 * A builder is a built string block of 16 bytes whose prefix carries kBuilderMagic; its
 * data holds, at offset 8, the pointer to the buffer string. So compiled code counts a
 * builder with lang_str_retain/release like any string, and the last release frees the
 * buffer too. Its own byte_length and length stay 0. */
LangString *lang_sb_new(LangContext *ctx) {
    LangString *b = str_alloc_cap(ctx, 0, 16);
    b->length = 0;
    set_cap_magic(prefix_of(b), cap_of(prefix_of(b)), kBuilderMagic);
    *lang_sb_slot(b) = &empty_string;
    return b;
}

LangString **lang_sb_slot(LangString *b) {
    if (!b) lang_panic_null();
    if (b->refcount < 0 || magic_of(prefix_of(b)) != kBuilderMagic) lang_panic("StringBuilder: not a builder");
    return (LangString **)(void *)(b->data + 8);
}
