// lexer.cpp: the lexical grammar (LANGUAGE.md section 2).
//
// One pass over the bytes with a switch on the first byte of each token. Identifiers take
// an ASCII fast path; only identifiers containing non-ASCII bytes go through utf8proc
// (XID classes approximated by general categories, then NFC). Keywords are recognized
// before interning with a small static hash table, so keywords are never interned.
// Interpolated strings keep a stack of open holes: inside a hole the normal token loop
// runs and counts brackets; the `}` that closes the hole resumes the string body.
// Invariants: every error is reported once and lexing continues; the token stream is
// always balanced (InterpBegin..InterpEnd, HoleBegin..HoleEnd) and ends with one Eof.
#include "lex/lexer.h"
#include "common/hugepages.h"
#include <charconv>
#include <cstring>
#include <utf8proc.h>

namespace lang {

// ---------------------------------------------------------------------------
// Keyword table: open addressing over (length, first, second, last byte).
struct KeywordTable {
    struct Slot { const char* text; uint8_t len; Tok kind; };
    Slot slots[256] = {};
    static uint32_t hash(const char* s, uint32_t n) {
        return (n * 7u + (uint8_t)s[0] * 31u + (uint8_t)s[1] * 5u + (uint8_t)s[n - 1] * 13u) & 255u;
    }
    KeywordTable() {
        static const struct { Tok k; const char* s; } rows[] = {
#define X(name, str) {Tok::name, str},
            LANG_TOKENS(X)
#undef X
        };
        for (auto& r : rows) {
            if (!is_keyword(r.k)) continue;
            uint32_t n = (uint32_t)strlen(r.s);
            uint32_t h = hash(r.s, n);
            while (slots[h].text) h = (h + 1) & 255;
            slots[h] = {r.s, (uint8_t)n, r.k};
        }
    }
    Tok find(const char* s, uint32_t n) const {
        // Every keyword is 2..9 lowercase letters: most identifiers fail this first test.
        if (n < 2 || n > 9 || s[0] < 'a') return Tok::Ident;
        for (uint32_t h = hash(s, n);; h = (h + 1) & 255) {
            const Slot& e = slots[h];
            if (!e.text) return Tok::Ident;
            if (e.len != n) continue;
            uint32_t i = 0; // inline compare: cheaper than a memcmp call for a few bytes
            while (i < n && e.text[i] == s[i]) i++;
            if (i == n) return e.kind;
        }
    }
};

namespace {

const KeywordTable& keywords() {
    static const KeywordTable t;
    return t;
}

// ASCII identifier characters as a 256-entry table: the identifier loop does one load
// per character instead of four range tests.
struct IdentChars {
    bool on[256] = {};
    constexpr IdentChars() {
        for (int c = 0; c < 256; c++)
            on[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
};
constexpr IdentChars kIdentChars;
inline bool is_ident_ascii(unsigned char c) { return kIdentChars.on[c]; }
inline bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
inline int hex_val(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// XID_Start / XID_Continue approximated by Unicode general categories.
bool xid_start(int32_t cp) {
    if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_';
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_NL:
        return true;
    default:
        return false;
    }
}
bool xid_continue(int32_t cp) {
    if (cp < 0x80) return is_ident_ascii((unsigned char)cp);
    if (xid_start(cp)) return true;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_PC:
        return true;
    default:
        return false;
    }
}

void append_utf8(std::string& s, uint32_t cp) {
    char buf[4];
    utf8proc_ssize_t n = utf8proc_encode_char((utf8proc_int32_t)cp, (utf8proc_uint8_t*)buf);
    s.append(buf, (size_t)n);
}

} // namespace

void TokenBatch::reserve(uint32_t n) {
    if (n <= cap) return;
    Token* d = static_cast<Token*>(::operator new(sizeof(Token) * (size_t)n));
    if (len) memcpy((void*)d, (const void*)data, sizeof(Token) * len);
    ::operator delete(data);
    data = d;
    cap = n;
}

Lexer::Lexer(Compilation& c, uint32_t file) : c_(c), file_(file), kw_(keywords()) {
    const std::string& t = c.sources.file(file).text;
    src_ = t.c_str();
    n_ = (uint32_t)t.size();
    if (n_ >= 3 && memcmp(src_, "\xEF\xBB\xBF", 3) == 0) pos_ = 3; // BOM
}

// Length of the UTF-8 character at i (a non-ASCII lead byte); reports invalid UTF-8
// (string contents must be valid UTF-8) and skips the malformed sequence.
uint32_t Lexer::utf8_len(uint32_t i) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t*)src_ + i, n_ - i, &cp);
    if (len > 0) return (uint32_t)len;
    errorf(i, i + 1, "invalid UTF-8 byte 0x%02X in string literal", (unsigned char)src_[i]);
    uint32_t n = 1; // one error per malformed sequence: skip its continuation bytes
    while (i + n < n_ && ((unsigned char)src_[i + n] & 0xC0) == 0x80) n++;
    return n;
}

void Lexer::grow() {
    out_->len = len_;
    out_->reserve(cap_ < 64 ? 64 : cap_ * 2);
    toks_ = out_->data;
    cap_ = out_->cap;
}

bool Lexer::lex_into(TokenBatch& out, uint32_t count) {
    out_ = &out;
    toks_ = out.data;
    len_ = out.len;
    cap_ = out.cap;
    while (!done_ && len_ < count) {
        uint32_t b = pos_;
        // pos_ <= n_ here, and the text is NUL-terminated: no bounds check needed.
        unsigned char ch = (unsigned char)src_[pos_];
        switch (ch) {
        case 0:
            if (pos_ >= n_) {
                if (!holes_.empty()) close_holes("unterminated interpolation hole: expected '}'");
                push(Tok::Eof, n_, n_);
                done_ = true;
                break;
            }
            lex_invalid();
            break;
        case '\n':
            // Holes do not span lines: an open hole here is a missing '}' (or '"').
            if (!holes_.empty()) close_holes("expected '}' to close the interpolation hole before the end of the line");
            newline_ = true;
            pos_++;
            // The indentation: spaces 8 at a time (one load and compare), then any rest.
            while (pos_ + 8 <= n_) {
                uint64_t w;
                memcpy(&w, src_ + pos_, 8);
                w ^= 0x2020202020202020ull;
                if (w) {
                    pos_ += (uint32_t)__builtin_ctzll(w) >> 3; // little-endian: first non-space
                    break;
                }
                pos_ += 8;
            }
            while (src_[pos_] == ' ' || src_[pos_] == '\t') pos_++; // tabs, or near the end
            break;
        case ' ': case '\t': case '\r': case '\f': case '\v':
            // A run of blanks in one tight loop rather than one trip through the switch each.
        {
            uint32_t p = pos_; // a local, so the loop does not store pos_ on every byte
            do p++;
            while (src_[p] == ' ' || src_[p] == '\t');
            pos_ = p;
            break;
        }
        case 'a': case 'b': case 'c': case 'd': case 'e': case 'f': case 'g': case 'h': case 'i':
        case 'j': case 'k': case 'l': case 'm': case 'n': case 'o': case 'p': case 'q': case 'r':
        case 's': case 't': case 'u': case 'v': case 'w': case 'x': case 'y': case 'z':
        case 'A': case 'B': case 'C': case 'D': case 'E': case 'F': case 'G': case 'H': case 'I':
        case 'J': case 'K': case 'L': case 'M': case 'N': case 'O': case 'P': case 'Q': case 'R':
        case 'S': case 'T': case 'U': case 'V': case 'W': case 'X': case 'Y': case 'Z': case '_':
            lex_ident();
            break;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8':
        case '9':
            lex_number();
            break;
        case '\'':
            lex_char();
            break;
        case '"':
            if (at(pos_ + 1) == '"' && at(pos_ + 2) == '"') lex_raw_string();
            else lex_string();
            break;
        case '$':
            if (at(pos_ + 1) == '"') {
                pos_ += 2;
                push(Tok::InterpBegin, b, pos_);
                lex_interp_body();
            } else {
                lex_invalid();
            }
            break;
        case '/':
            if (at(pos_ + 1) == '/') { // line comment (also `///` doc comments)
                const void* nl = memchr(src_ + pos_, '\n', n_ - pos_);
                pos_ = nl ? (uint32_t)((const char*)nl - src_) : n_;
            } else if (at(pos_ + 1) == '*') {
                skip_block_comment();
            } else if (at(pos_ + 1) == '=') {
                pos_ += 2;
                push(Tok::SlashEq, b, pos_);
            } else {
                pos_++;
                push(Tok::Slash, b, pos_);
            }
            break;
#define ONE(c, k) case c: pos_++; push(k, b, pos_); break;
        ONE(';', Tok::Semi)
        ONE(',', Tok::Comma)
        ONE('~', Tok::Tilde)
        ONE('@', Tok::At)
#undef ONE
        case '(': case '[':
            if (!holes_.empty()) holes_.back()++;
            pos_++;
            push(ch == '(' ? Tok::LParen : Tok::LBracket, b, pos_);
            break;
        case '{':
            if (!holes_.empty()) holes_.back()++;
            pos_++;
            push(Tok::LBrace, b, pos_);
            break;
        case ')': case ']':
            if (!holes_.empty() && holes_.back() > 0) holes_.back()--;
            pos_++;
            push(ch == ')' ? Tok::RParen : Tok::RBracket, b, pos_);
            break;
        case '}':
            pos_++;
            if (!holes_.empty() && holes_.back() == 0) {
                holes_.pop_back();
                hole_starts_.pop_back();
                push(Tok::HoleEnd, b, pos_);
                lex_interp_body();
            } else {
                if (!holes_.empty()) holes_.back()--;
                push(Tok::RBrace, b, pos_);
            }
            break;
        case ':':
            if (!holes_.empty() && holes_.back() == 0) { // format spec: {x:fmt}
                uint32_t s = ++pos_;
                while (pos_ < n_ && src_[pos_] != '}' && src_[pos_] != '\n' && src_[pos_] != '"') pos_++;
                Token& t = push(Tok::HoleFormat, s, pos_);
                t.str.s = arena_str(src_ + s, pos_ - s);
                t.str.len = pos_ - s;
            } else {
                pos_++;
                push(Tok::Colon, b, pos_);
            }
            break;
        case '.':
            if (at(pos_ + 1) == '.') {
                if (at(pos_ + 2) == '=') { pos_ += 3; push(Tok::DotDotEq, b, pos_); }
                else { pos_ += 2; push(Tok::DotDot, b, pos_); }
            } else {
                pos_++;
                push(Tok::Dot, b, pos_);
            }
            break;
        case '?':
            if (at(pos_ + 1) == '.') { pos_ += 2; push(Tok::QuestionDot, b, pos_); }
            else if (at(pos_ + 1) == '?') {
                if (at(pos_ + 2) == '=') { pos_ += 3; push(Tok::QuestionQuestionEq, b, pos_); }
                else { pos_ += 2; push(Tok::QuestionQuestion, b, pos_); }
            } else { pos_++; push(Tok::Question, b, pos_); }
            break;
        case '=':
            if (at(pos_ + 1) == '=') { pos_ += 2; push(Tok::EqEq, b, pos_); }
            else if (at(pos_ + 1) == '>') { pos_ += 2; push(Tok::FatArrow, b, pos_); }
            else { pos_++; push(Tok::Eq, b, pos_); }
            break;
        case '!':
            if (at(pos_ + 1) == '=') { pos_ += 2; push(Tok::BangEq, b, pos_); }
            else { pos_++; push(Tok::Bang, b, pos_); }
            break;
        case '<':
            if (at(pos_ + 1) == '<') {
                if (at(pos_ + 2) == '=') { pos_ += 3; push(Tok::ShlEq, b, pos_); }
                else { pos_ += 2; push(Tok::Shl, b, pos_); }
            } else if (at(pos_ + 1) == '=') { pos_ += 2; push(Tok::Le, b, pos_); }
            else { pos_++; push(Tok::Lt, b, pos_); }
            break;
        case '>':
            if (at(pos_ + 1) == '=') { pos_ += 2; push(Tok::Ge, b, pos_); }
            else { pos_++; push(Tok::Gt, b, pos_); }
            break;
        case '-':
            if (at(pos_ + 1) == '>') { pos_ += 2; push(Tok::Arrow, b, pos_); }
            else if (at(pos_ + 1) == '=') { pos_ += 2; push(Tok::MinusEq, b, pos_); }
            else if (at(pos_ + 1) == '%') { // -% and -%=: wrapping subtraction
                if (at(pos_ + 2) == '=') { pos_ += 3; push(Tok::MinusPercentEq, b, pos_); }
                else { pos_ += 2; push(Tok::MinusPercent, b, pos_); }
            }
            else if (at(pos_ + 1) == '-') { pos_ += 2; push(Tok::MinusMinus, b, pos_); }
            else { pos_++; push(Tok::Minus, b, pos_); }
            break;
        case '+':
            if (at(pos_ + 1) == '=') { pos_ += 2; push(Tok::PlusEq, b, pos_); }
            else if (at(pos_ + 1) == '%') { // +% and +%=: wrapping addition
                if (at(pos_ + 2) == '=') { pos_ += 3; push(Tok::PlusPercentEq, b, pos_); }
                else { pos_ += 2; push(Tok::PlusPercent, b, pos_); }
            }
            else if (at(pos_ + 1) == '+') { pos_ += 2; push(Tok::PlusPlus, b, pos_); }
            else { pos_++; push(Tok::Plus, b, pos_); }
            break;
#define OP2(c, c2, k2, k1)                                          \
    case c:                                                         \
        if (at(pos_ + 1) == c2) { pos_ += 2; push(k2, b, pos_); }   \
        else if (at(pos_ + 1) == '=') { pos_ += 2; push(k1##Eq, b, pos_); } \
        else { pos_++; push(k1, b, pos_); }                         \
        break;
        OP2('&', '&', Tok::AmpAmp, Tok::Amp)
        OP2('|', '|', Tok::PipePipe, Tok::Pipe)
#undef OP2
        case '*':
            if (at(pos_ + 1) == '=') { pos_ += 2; push(Tok::StarEq, b, pos_); }
            else if (at(pos_ + 1) == '%') { // *% and *%=: wrapping multiplication
                if (at(pos_ + 2) == '=') { pos_ += 3; push(Tok::StarPercentEq, b, pos_); }
                else { pos_ += 2; push(Tok::StarPercent, b, pos_); }
            }
            else { pos_++; push(Tok::Star, b, pos_); }
            break;
        case '%':
            if (at(pos_ + 1) == '=') { pos_ += 2; push(Tok::PercentEq, b, pos_); }
            else { pos_++; push(Tok::Percent, b, pos_); }
            break;
        case '^':
            if (at(pos_ + 1) == '=') { pos_ += 2; push(Tok::CaretEq, b, pos_); }
            else { pos_++; push(Tok::Caret, b, pos_); }
            break;
        case '#':
            if (pos_ + 7 <= n_ && memcmp(src_ + pos_ + 1, "caller", 6) == 0 && !is_ident_ascii(at(pos_ + 7))) {
                pos_ += 7;
                push(Tok::HashCaller, b, pos_);
            } else {
                pos_++;
                while (is_ident_ascii(at(pos_))) pos_++;
                errorf(b, pos_, "unknown directive '%.*s' (only '#caller' exists)", (int)(pos_ - b), src_ + b);
            }
            break;
        default:
            if (ch >= 0x80) lex_ident(); // may be a Unicode identifier; reports otherwise
            else lex_invalid();
            break;
        }
    }
    out.len = len_;
    if (len_) {
        last_kind_ = toks_[len_ - 1].kind;
        last_end_ = toks_[len_ - 1].span.end;
    }
    out_ = nullptr;
    return done_;
}

// Closes every open interpolation hole at pos_ (end of line or file). One message, and
// none if the lexer already reported something inside the hole (an unterminated string
// in a hole is the usual cause).
void Lexer::close_holes(const char* msg) {
    uint32_t outer = hole_starts_.front();
    if (last_err_pos_ == UINT32_MAX || last_err_pos_ < outer) error(hole_starts_.back(), hole_starts_.back() + 1, msg);
    while (!holes_.empty()) {
        holes_.pop_back();
        hole_starts_.pop_back();
        push(Tok::HoleEnd, pos_, pos_);
        push(Tok::InterpEnd, pos_, pos_).flags |= TF_BAD;
    }
}

void Lexer::lex_invalid() {
    uint32_t b = pos_;
    unsigned char ch = at(pos_);
    if (ch < 0x80) {
        pos_++;
        if (ch >= 0x21 && ch < 0x7f) errorf(b, pos_, "invalid character '%c'", ch);
        else errorf(b, pos_, "invalid character U+%04X", ch);
        return;
    }
    utf8proc_int32_t cp;
    utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t*)src_ + pos_, n_ - pos_, &cp);
    if (len <= 0) {
        pos_++;
        errorf(b, pos_, "invalid UTF-8 byte 0x%02X", ch);
        return;
    }
    pos_ += (uint32_t)len;
    if (cp == 0xA0 || cp == 0xFEFF || cp == 0x2028 || cp == 0x2029 || cp == 0x200B) return; // odd whitespace
    errorf(b, pos_, "invalid character U+%04X", (unsigned)cp);
}

// Nested /* ... */.
void Lexer::skip_block_comment() {
    uint32_t b = pos_;
    pos_ += 2;
    int depth = 1;
    while (pos_ < n_) {
        char ch = src_[pos_];
        if (ch == '*' && at(pos_ + 1) == '/') { pos_ += 2; if (--depth == 0) return; }
        else if (ch == '/' && at(pos_ + 1) == '*') { pos_ += 2; depth++; }
        else { if (ch == '\n') newline_ = true; pos_++; }
    }
    error(b, b + 2, "unterminated block comment");
}

// ident = XID_Start XID_Continue*   (plus '_' as a start character)
void Lexer::lex_ident() {
    uint32_t b = pos_;
    // ASCII fast path. The scan stops at the NUL after the text, so it needs no bounds
    // check, and it computes the interner's key on the way (each byte is read once).
    uint32_t key = Interner::kKeySeed;
    unsigned char ch;
    const char* src = src_;
    uint32_t p = b; // a local, so the loop does not store pos_ on every byte
    while (is_ident_ascii(ch = (unsigned char)src[p])) {
        key = Interner::key_step(key, ch);
        p++;
    }
    pos_ = p;
    if (ch < 0x80) {
        Tok k = kw_.find(src_ + b, pos_ - b);
        Token& t = push(k, b, pos_);
        if (k == Tok::Ident) t.ident = c_.interner.intern(std::string_view(src_ + b, pos_ - b), key).raw();
        return;
    }
    lex_ident_unicode(b);
}

// Slow path: the identifier starting at b contains non-ASCII characters.
void Lexer::lex_ident_unicode(uint32_t b) {
    pos_ = b;
    bool first = true;
    while (pos_ < n_) {
        unsigned char ch = at(pos_);
        if (ch < 0x80) {
            if (first ? !xid_start(ch) : !is_ident_ascii(ch)) break;
            pos_++;
            first = false;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t*)src_ + pos_, n_ - pos_, &cp);
        if (len <= 0 || !(first ? xid_start(cp) : xid_continue(cp))) break;
        pos_ += (uint32_t)len;
        first = false;
    }
    if (pos_ == b) { // not an identifier start at all
        lex_invalid();
        return;
    }
    // NFC without heap allocation for ordinary lengths: decompose into a stack buffer,
    // compose in place, re-encode as UTF-8 in place.
    utf8proc_int32_t stack[128];
    std::vector<utf8proc_int32_t> heap;
    utf8proc_int32_t* buf = stack;
    auto opts = (utf8proc_option_t)(UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    utf8proc_ssize_t n = utf8proc_decompose((const utf8proc_uint8_t*)src_ + b, pos_ - b, buf, 128, opts);
    if (n > 128) {
        heap.resize((size_t)n);
        buf = heap.data();
        n = utf8proc_decompose((const utf8proc_uint8_t*)src_ + b, pos_ - b, buf, n, opts);
    }
    Token& t = push(Tok::Ident, b, pos_);
    if (n < 0) { // cannot happen for validated input; keep the raw spelling
        t.ident = c_.interner.intern(std::string_view(src_ + b, pos_ - b)).raw();
        return;
    }
    n = utf8proc_normalize_utf32(buf, n, opts);
    n = utf8proc_reencode(buf, n, opts);
    t.ident = c_.interner.intern(std::string_view((const char*)buf, n < 0 ? 0 : (size_t)n)).raw();
}

// number = dec | "0x" hex | "0b" bin | "0o" oct, with '_' separators, optional fraction
//          and exponent (decimal only), optional suffix (i8..u64, f32, f64).
void Lexer::lex_number() {
    uint32_t b = pos_;
    int base = 10;
    if (src_[pos_] == '0' && (at(pos_ + 1) | 0x20) == 'x') base = 16;
    else if (src_[pos_] == '0' && (at(pos_ + 1) | 0x20) == 'b') base = 2;
    else if (src_[pos_] == '0' && (at(pos_ + 1) | 0x20) == 'o') base = 8;
    if (base != 10) pos_ += 2;
    uint64_t v = 0;
    bool overflow = false, any = false, is_float = false;
    uint32_t digits_begin = pos_;
    for (;; pos_++) {
        unsigned char ch = at(pos_);
        if (ch == '_') continue;
        int d = hex_val(ch);
        if (d < 0 || (base != 16 && d >= 10)) break;
        if (d >= base) {
            uint32_t e = pos_;
            while (is_ident_ascii(at(pos_))) pos_++;
            errorf(e, e + 1, "invalid digit '%c' in %s literal", ch, base == 2 ? "binary" : "octal");
            Token& t = push(Tok::Int, b, pos_);
            t.ival = 0;
            return;
        }
        any = true;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) overflow = true;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    if (!any) {
        errorf(b, pos_, "expected digits after '%.2s'", src_ + b);
        push(Tok::Int, b, pos_).ival = 0;
        return;
    }
    // Fraction only when a digit follows '.', so `0..n` and `t.0.1` work. After a '.'
    // token (tuple index) the number is always an integer.
    bool after_dot = len_ > 0 ? toks_[len_ - 1].kind == Tok::Dot && toks_[len_ - 1].span.end == b
                              : last_kind_ == Tok::Dot && last_end_ == b;
    if (base == 10 && !after_dot) {
        if (at(pos_) == '.' && is_digit(at(pos_ + 1))) {
            is_float = true;
            pos_++;
            while (is_digit(at(pos_)) || at(pos_) == '_') pos_++;
        }
        if ((at(pos_) | 0x20) == 'e' && (is_digit(at(pos_ + 1)) ||
            ((at(pos_ + 1) == '+' || at(pos_ + 1) == '-') && is_digit(at(pos_ + 2))))) {
            is_float = true;
            pos_ += 2;
            while (is_digit(at(pos_)) || at(pos_) == '_') pos_++;
        } else if ((at(pos_) | 0x20) == 'e' && !is_ident_ascii(at(pos_ + 1)) ) {
            uint32_t e = pos_++;
            if (at(pos_) == '+' || at(pos_) == '-') pos_++;
            error(e, pos_, "expected digits in the exponent of a float literal");
            push(Tok::Float, b, pos_).fval = 0;
            return;
        }
    }
    uint32_t num_end = pos_;
    // Suffix.
    LitSuffix suf = LitSuffix::None;
    if (is_ident_ascii(at(pos_)) && !is_digit(at(pos_))) {
        uint32_t s = pos_;
        while (is_ident_ascii(at(pos_))) pos_++;
        std::string_view sv(src_ + s, pos_ - s);
        static const char* const names[] = {"", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64"};
        for (int i = 1; i <= 10; i++)
            if (sv == names[i]) suf = (LitSuffix)i;
        if (suf == LitSuffix::None) {
            errorf(s, pos_, "invalid suffix '%.*s' on numeric literal", (int)sv.size(), sv.data());
        } else if (is_float && suf != LitSuffix::F32 && suf != LitSuffix::F64) {
            errorf(s, pos_, "integer suffix '%.*s' on a float literal", (int)sv.size(), sv.data());
            suf = LitSuffix::None;
        }
        if (suf == LitSuffix::F32 || suf == LitSuffix::F64) {
            if (base != 10) {
                errorf(s, pos_, "float suffix on a %s literal", base == 16 ? "hexadecimal" : base == 2 ? "binary" : "octal");
                suf = LitSuffix::None;
            } else {
                is_float = true;
            }
        }
    }
    if (is_float) {
        char tmp[128];
        uint32_t k = 0;
        for (uint32_t i = b; i < num_end && k < sizeof tmp - 1; i++)
            if (src_[i] != '_') tmp[k++] = src_[i];
        double d = 0;
        std::from_chars(tmp, tmp + k, d);
        Token& t = push(Tok::Float, b, pos_);
        t.fval = d;
        t.suffix = suf;
        return;
    }
    (void)digits_begin;
    if (overflow) error(b, num_end, "integer literal is too large for 64 bits");
    Token& t = push(Tok::Int, b, pos_);
    t.ival = v;
    t.suffix = suf;
    if (overflow) t.flags |= TF_OVERFLOW;
}

// escape = '\' ( n t r 0 \ " ' | 'u{' hex{1,6} '}' )
bool Lexer::lex_escape(std::string& buf) {
    uint32_t b = pos_;
    unsigned char ch = at(pos_ + 1);
    pos_ += 2;
    switch (ch) {
    case 'n': buf += '\n'; return true;
    case 't': buf += '\t'; return true;
    case 'r': buf += '\r'; return true;
    case '0': buf += '\0'; return true;
    case '\\': buf += '\\'; return true;
    case '"': buf += '"'; return true;
    case '\'': buf += '\''; return true;
    case 'u': {
        if (at(pos_) != '{') {
            error(b, pos_, "invalid Unicode escape: expected '\\u{XXXX}'");
            return false;
        }
        pos_++;
        uint32_t v = 0;
        int nd = 0;
        while (hex_val(at(pos_)) >= 0) {
            if (nd < 7) v = v * 16 + (uint32_t)hex_val(at(pos_));
            nd++;
            pos_++;
        }
        if (at(pos_) != '}' || nd == 0) {
            error(b, pos_, "invalid Unicode escape: expected '\\u{XXXX}'");
            return false;
        }
        pos_++;
        if (nd > 6 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
            error(b, pos_, "invalid Unicode escape: not a Unicode scalar value");
            return false;
        }
        append_utf8(buf, v);
        return true;
    }
    default:
        if (ch == 0 && b + 1 >= n_) {
            pos_ = n_;
            return false; // caller reports the unterminated literal
        }
        if (ch == '\n') { pos_--; error(b, b + 1, "invalid escape sequence '\\' at end of line"); return false; }
        if (ch >= 0x80) { // skip the whole UTF-8 character
            while ((at(pos_) & 0xC0) == 0x80) pos_++;
            errorf(b, pos_, "invalid escape sequence '\\%.*s'", (int)(pos_ - b - 1), src_ + b + 1);
            return false;
        }
        if (ch >= 0x20 && ch < 0x7f) errorf(b, pos_, "invalid escape sequence '\\%c'", ch);
        else error(b, pos_, "invalid escape sequence");
        return false;
    }
}

// char = "'" (char | escape) "'"
void Lexer::lex_char() {
    uint32_t b = pos_++;
    uint32_t value = 0;
    int count = 0;
    buf_.clear();
    while (pos_ < n_ && src_[pos_] != '\'' && src_[pos_] != '\n') {
        if (src_[pos_] == '\\') {
            size_t before = buf_.size();
            if (lex_escape(buf_) && count == 0) {
                utf8proc_int32_t cp = 0;
                utf8proc_iterate((const utf8proc_uint8_t*)buf_.data() + before, buf_.size() - before, &cp);
                value = (uint32_t)cp;
            }
        } else {
            utf8proc_int32_t cp;
            utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t*)src_ + pos_, n_ - pos_, &cp);
            if (len <= 0) {
                errorf(pos_, pos_ + 1, "invalid UTF-8 byte 0x%02X", (unsigned char)src_[pos_]);
                len = 1;
                cp = 0xFFFD;
            }
            if (count == 0) value = (uint32_t)cp;
            pos_ += (uint32_t)len;
        }
        count++;
    }
    bool bad = false;
    if (at(pos_) != '\'') {
        error(b, b + 1, "unterminated character literal");
        bad = true;
    } else {
        pos_++;
        if (count == 0) error(b, pos_, "empty character literal");
        else if (count > 1) error(b, pos_, "character literal contains more than one character");
    }
    Token& t = push(Tok::Char, b, pos_);
    t.cval = value;
    if (bad) t.flags |= TF_BAD;
}

// string = '"' (char | escape)* '"'
void Lexer::lex_string() {
    uint32_t b = pos_++;
    uint32_t s = pos_;
    // Fast path: no escapes.
    while (pos_ < n_) {
        char ch = src_[pos_];
        if (ch == '"' || ch == '\\' || ch == '\n') break;
        if ((unsigned char)ch >= 0x80) pos_ += utf8_len(pos_);
        else pos_++;
    }
    if (at(pos_) == '"') {
        Token& t = push(Tok::String, b, pos_ + 1);
        t.str.s = arena_str(src_ + s, pos_ - s);
        t.str.len = pos_ - s;
        pos_++;
        return;
    }
    buf_.assign(src_ + s, pos_ - s);
    while (pos_ < n_ && src_[pos_] != '"' && src_[pos_] != '\n') {
        if (src_[pos_] == '\\') {
            lex_escape(buf_);
        } else {
            uint32_t len = (unsigned char)src_[pos_] >= 0x80 ? utf8_len(pos_) : 1;
            buf_.append(src_ + pos_, len);
            pos_ += len;
        }
    }
    bool bad = at(pos_) != '"';
    if (!bad) pos_++;
    else error(b, b + 1, "unterminated string literal");
    Token& t = push(Tok::String, b, pos_);
    if (bad) t.flags |= TF_BAD;
    t.str.s = arena_str(buf_.data(), buf_.size());
    t.str.len = (uint32_t)buf_.size();
}

// raw = '"""' any* '"""'. A newline right after the opening quotes is dropped; if the
// closing quotes stand on their own line, that line's indentation is removed from every
// line and the final newline is dropped (C# raw string rules, simplified).
void Lexer::lex_raw_string() {
    uint32_t b = pos_;
    pos_ += 3;
    uint32_t s = pos_;
    const char* end = nullptr;
    for (uint32_t i = pos_; i + 2 < n_; i++) {
        if (src_[i] == '"' && src_[i + 1] == '"' && src_[i + 2] == '"') { end = src_ + i; break; }
    }
    uint32_t e;
    if (!end) {
        error(b, b + 3, "unterminated raw string literal");
        e = n_;
        pos_ = n_;
    } else {
        e = (uint32_t)(end - src_);
        pos_ = e + 3;
        while (at(pos_) == '"') { pos_++; e++; } // """a"""" : extra quotes belong to the text
    }
    std::string_view text(src_ + s, e - s);
    if (text.size() && text[0] == '\n') text.remove_prefix(1);
    else if (text.size() > 1 && text[0] == '\r' && text[1] == '\n') text.remove_prefix(2);
    // Indentation of the closing line.
    size_t last_nl = text.rfind('\n');
    std::string_view indent;
    bool strip = false;
    if (last_nl != std::string_view::npos) {
        std::string_view tail = text.substr(last_nl + 1);
        if (tail.find_first_not_of(" \t") == std::string_view::npos) {
            indent = tail;
            strip = true;
            size_t cut = last_nl;
            if (cut > 0 && text[cut - 1] == '\r') cut--;
            text = text.substr(0, cut);
        }
    }
    buf_.clear();
    size_t i = 0;
    while (i <= text.size() && !text.empty()) {
        size_t nl = text.find('\n', i);
        std::string_view line = text.substr(i, nl == std::string_view::npos ? std::string_view::npos : nl - i);
        if (strip && line.substr(0, indent.size()) == indent) line.remove_prefix(indent.size());
        buf_.append(line);
        if (nl == std::string_view::npos) break;
        buf_ += '\n';
        i = nl + 1;
    }
    Token& t = push(Tok::String, b, pos_);
    t.str.s = arena_str(buf_.data(), buf_.size());
    t.str.len = (uint32_t)buf_.size();
}

// The body of $"...": text pieces, `{{`/`}}` as literal braces, `{` opens a hole.
void Lexer::lex_interp_body() {
    buf_.clear();
    uint32_t s = pos_;
    auto flush = [&]() {
        if (!buf_.empty()) {
            Token& t = push(Tok::InterpText, s, pos_);
            t.str.s = arena_str(buf_.data(), buf_.size());
            t.str.len = (uint32_t)buf_.size();
            buf_.clear();
        }
    };
    while (pos_ < n_) {
        char ch = src_[pos_];
        if (ch == '"') {
            flush();
            push(Tok::InterpEnd, pos_, pos_ + 1);
            pos_++;
            return;
        }
        if (ch == '\n') break;
        if (ch == '\\') { lex_escape(buf_); continue; }
        if (ch == '{') {
            if (at(pos_ + 1) == '{') { buf_ += '{'; pos_ += 2; continue; }
            flush();
            push(Tok::HoleBegin, pos_, pos_ + 1);
            holes_.push_back(0);
            hole_starts_.push_back(pos_);
            pos_++;
            return;
        }
        if (ch == '}') {
            if (at(pos_ + 1) == '}') { buf_ += '}'; pos_ += 2; continue; }
            error(pos_, pos_ + 1, "unmatched '}' in interpolated string (write '}}' for a brace)");
            pos_++;
            continue;
        }
        uint32_t len = (unsigned char)ch >= 0x80 ? utf8_len(pos_) : 1;
        buf_.append(src_ + pos_, len);
        pos_ += len;
    }
    flush();
    error(s, s, "unterminated interpolated string");
    push(Tok::InterpEnd, pos_, pos_).flags |= TF_BAD;
}

bool lex_file(Compilation& c, uint32_t file_id, std::vector<Token>& out) {
    Lexer lx(c, file_id);
    TokenBatch b;
    // ~1 token per 3.7 bytes in real code; untouched capacity costs no pages.
    b.reserve((uint32_t)(c.sources.file(file_id).text.size() / 2 + 16));
    advise_huge_pages(b.data, b.cap * sizeof(Token)); // big files: fewer page faults
    lx.lex_into(b, UINT32_MAX);
    out.insert(out.end(), b.begin(), b.end());
    return lx.errors() == 0;
}

std::string dump_tokens(Compilation& c, const std::vector<Token>& toks) {
    std::string out;
    char buf[64];
    for (const Token& t : toks) {
        LineCol lc = c.sources.line_col(t.span.file, t.span.begin);
        snprintf(buf, sizeof buf, "%u:%u %s", lc.line, lc.col, tok_name(t.kind));
        out += buf;
        switch (t.kind) {
        case Tok::Eof: break;
        case Tok::Int:
            snprintf(buf, sizeof buf, " %llu%s", (unsigned long long)t.ival, suffix_text(t.suffix));
            out += buf;
            break;
        case Tok::Float:
            snprintf(buf, sizeof buf, " %.17g%s", t.fval, suffix_text(t.suffix));
            out += buf;
            break;
        case Tok::Char:
            snprintf(buf, sizeof buf, " U+%04X", t.cval);
            out += buf;
            break;
        case Tok::String: case Tok::InterpText: case Tok::HoleFormat: {
            out += " \"";
            for (uint32_t i = 0; i < t.str.len; i++) {
                unsigned char ch = (unsigned char)t.str.s[i];
                if (ch == '\n') out += "\\n";
                else if (ch == '\t') out += "\\t";
                else if (ch == '"') out += "\\\"";
                else if (ch == '\\') out += "\\\\";
                else if (ch < 0x20) { snprintf(buf, sizeof buf, "\\x%02X", ch); out += buf; }
                else out += (char)ch;
            }
            out += '"';
            break;
        }
        default: {
            const std::string& text = c.sources.file(t.span.file).text;
            out += ' ';
            out.append(text, t.span.begin, t.span.end - t.span.begin);
            break;
        }
        }
        out += '\n';
    }
    return out;
}

} // namespace lang
