// lexer.h: turns one source file into a vector of tokens (grammar: LANGUAGE.md section 2).
//
// The lexer never stops at an error: it reports through Compilation::diag, skips or
// repairs the bad input and goes on, so the parser sees a well-formed stream (string and
// interpolation tokens are always balanced; Eof is always last).
//
// Two ways to use it: lex_file() lexes a whole file at once (tests, --emit tokens); the
// parser instead keeps a Lexer and asks for tokens in batches (lex_more), so only a small
// window of tokens is ever in memory (see parser_impl.h).
#pragma once
#include "common/compilation.h"
#include "lex/token.h"
#include <string>
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

// The lexer state for one file. Tokens are appended to `out`; the owner may drop tokens
// from the front of `out` between calls (the lexer only ever looks at out.back()).
class Lexer {
public:
    Lexer(Compilation& c, uint32_t file, std::vector<Token>& out);
    // Lexes the rest of the file. Returns false if any lexical error was reported.
    bool run();
    // Lexes until `out` holds at least `count` tokens or the file is done. Returns true
    // once the final Eof token has been appended.
    bool lex_more(size_t count);
    bool done() const { return done_; }

private:
    // -- helpers -------------------------------------------------------------
    unsigned char at(uint32_t i) const { return i < n_ ? (unsigned char)src_[i] : 0; }
    Span span(uint32_t b, uint32_t e) const { return Span{file_, b, e}; }
    // Called once per token from ~80 places; forced inline, since a call (and the
    // register saves around it) would cost as much as the work itself. The token goes to
    // out_[len_++]: out_ is grown kSlack default (zeroed) tokens at a time, so a push is
    // a few stores instead of a vector::emplace_back call; lex_more() trims out_ to len_.
    [[gnu::always_inline]] Token& push(Tok k, uint32_t b, uint32_t e) {
        if (len_ == out_.size()) [[unlikely]] out_.resize(len_ + kSlack);
        Token& t = out_[len_++];
        t.kind = k;
        t.span = span(b, e);
        if (newline_) t.flags |= TF_NEWLINE;
        newline_ = false;
        return t;
    }
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
    std::vector<Token>& out_;
    size_t len_ = 0;                 // tokens in out_ (out_.size() may be larger while lexing)
    static constexpr size_t kSlack = 64;
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
