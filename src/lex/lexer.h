// lexer.h: turns one source file into tokens (grammar: LANGUAGE.md section 2).
//
// The lexer never stops at an error: it reports through Compilation::diag, skips or
// repairs the bad input and goes on, so the parser sees a well-formed stream (string and
// interpolation tokens are always balanced; Eof is always last).
//
// Two ways to use it: lex_file() lexes a whole file at once (tests, --emit tokens); the
// parser instead keeps a Lexer and asks for tokens in batches (lex_into), so only a small
// window of tokens is ever in memory (see parser_impl.h).
#pragma once
#include "common/compilation.h"
#include "lex/token.h"
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace lang {

// Appends the tokens of file `file_id` to `out` (ending with Tok::Eof). Identifiers are
// NFC-normalized and interned in c.interner; string contents are decoded into c.names.
// Returns false if any lexical error was reported.
bool lex_file(Compilation& c, uint32_t file_id, std::vector<Token>& out);
inline bool lex(Compilation& c, uint32_t file_id, std::vector<Token>& out) { return lex_file(c, file_id, out); }

// `lang build --emit tokens`: one token per line, "line:col KIND text".
std::string dump_tokens(Compilation& c, const std::vector<Token>& toks);

struct KeywordTable; // lexer.cpp

// A run of consecutive tokens of one file in raw storage: data[0..len) are tokens number
// first..first+len. The lexer constructs each token in place (one write per token); the
// parser reads batches where they are, so a token is never copied on its way from the
// lexer to the parser. Move-only.
struct TokenBatch {
    Token* data = nullptr;
    uint32_t len = 0, cap = 0;
    uint32_t first = 0; // file-wide number of data[0]
    TokenBatch() = default;
    TokenBatch(TokenBatch&& o) noexcept : data(o.data), len(o.len), cap(o.cap), first(o.first) {
        o.data = nullptr;
        o.len = o.cap = 0;
    }
    TokenBatch& operator=(TokenBatch&& o) noexcept {
        std::swap(data, o.data);
        std::swap(len, o.len);
        std::swap(cap, o.cap);
        std::swap(first, o.first);
        return *this;
    }
    TokenBatch(const TokenBatch&) = delete;
    ~TokenBatch() { ::operator delete(data); }
    void reserve(uint32_t n); // capacity >= n, keeping the tokens
    const Token* begin() const { return data; }
    const Token* end() const { return data + len; }
};

// The lexer state for one file. Tokens are appended to the batch passed to lex_into; the
// owner may hand each batch away and pass a new (empty) one next time.
class Lexer {
public:
    Lexer(Compilation& c, uint32_t file);
    // Appends tokens to `out` until it holds at least `count` tokens or the file is done
    // (it may hold a few more: the batch grows when needed). Returns true once the final
    // Eof token has been appended.
    bool lex_into(TokenBatch& out, uint32_t count);
    bool done() const { return done_; }
    int errors() const { return errors_; }

private:
    // -- helpers -------------------------------------------------------------
    unsigned char at(uint32_t i) const { return i < n_ ? (unsigned char)src_[i] : 0; }
    Span span(uint32_t b, uint32_t e) const { return Span{file_, b, e}; }
    // Called once per token from ~80 places; forced inline, since a call (and the
    // register saves around it) would cost as much as the work itself. The token is
    // constructed in place at toks_[len_] (toks_, len_ and cap_ mirror the batch's storage
    // while lex_into runs); the rare full batch grows in grow().
    [[gnu::always_inline]] Token& push(Tok k, uint32_t b, uint32_t e) {
        if (len_ == cap_) [[unlikely]] grow();
        Token* t = new (toks_ + len_++) Token;
        t->kind = k;
        t->span = span(b, e);
        t->flags = newline_ ? TF_NEWLINE : 0;
        newline_ = false;
        return *t;
    }
    void grow();
    void error(uint32_t b, uint32_t e, const char* msg) {
        errors_++;
        last_err_pos_ = b;
        c_.diag.error(span(b, e), "%s", msg);
    }
    template <class... A> void errorf(uint32_t b, uint32_t e, const char* fmt, A... a) {
        errors_++;
        last_err_pos_ = b;
        c_.diag.error(span(b, e), fmt, a...);
    }
    const char* arena_str(const char* s, size_t n) { return c_.names.copy_str(s, n); }
    uint32_t utf8_len(uint32_t i);

    void skip_block_comment();
    void lex_ident();
    [[gnu::noinline]] void lex_ident_unicode(uint32_t b); // out of line: keeps lex_ident's frame small
    void lex_number();
    void lex_char();
    void lex_string();
    void lex_raw_string();
    void lex_interp_body();
    bool lex_escape(std::string& buf); // at '\\'; appends the decoded char
    void lex_invalid();
    void close_holes(const char* msg);

    Compilation& c_;
    uint32_t file_;
    TokenBatch* out_ = nullptr;     // the batch lex_into is filling
    Token* toks_ = nullptr;          // the batch's data, len, cap while lex_into runs
    uint32_t len_ = 0, cap_ = 0;
    Tok last_kind_ = Tok::Eof;       // the last token of the previous batch (lex_number
    uint32_t last_end_ = 0;          // looks at the token before a number)
    const KeywordTable& kw_;
    const char* src_ = nullptr;
    uint32_t n_ = 0;
    uint32_t pos_ = 0;
    bool newline_ = true;
    bool done_ = false;
    int errors_ = 0;
    uint32_t last_err_pos_ = UINT32_MAX;
    std::string buf_;                // scratch for decoded literals (reused, no per-token alloc)
    std::vector<uint32_t> holes_;    // open interpolation holes: bracket depth inside each
    std::vector<uint32_t> hole_starts_;
};

} // namespace lang
