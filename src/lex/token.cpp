// token.cpp: names and spellings of token kinds (the LANG_TOKENS table in token.h).
#include "lex/token.h"

namespace lang {

static const char* const kTokNames[] = {
#define X(name, str) #name,
    LANG_TOKENS(X)
#undef X
};
static const char* const kTokSpellings[] = {
#define X(name, str) str,
    LANG_TOKENS(X)
#undef X
};

const char* tok_name(Tok k) { return k < Tok::Count_ ? kTokNames[(int)k] : "?"; }
const char* tok_spelling(Tok k) { return k < Tok::Count_ ? kTokSpellings[(int)k] : "?"; }

const char* suffix_text(LitSuffix s) {
    static const char* const t[] = {"", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64"};
    return t[(int)s];
}

} // namespace lang
