// token.h: token kinds and the Token record produced by the lexer.
//
// Token kinds are one X-macro table (LANG_TOKENS): literal/structural kinds, keywords
// and punctuation. A token is 32 bytes: kind, a small literal suffix code, a Span and a
// payload (identifier, integer, float, char or decoded string bytes in the arena).
// Invariants:
//  - The stream always ends with exactly one Tok::Eof.
//  - `>` is always its own token (never `>>`): the parser joins adjacent `>` `>` into a
//    shift so that `List<List<int>>` needs no special case. `>=` is lexed as one token.
//  - Interpolated strings are flattened: InterpBegin, then any mix of InterpText pieces and
//    holes (HoleBegin, the hole's tokens, optional HoleFormat, HoleEnd), then InterpEnd.
#pragma once
#include "common/diag.h"
#include "common/intern.h"
#include <cstdint>

namespace lang {

// X(name, spelling). Keywords are the rows whose spelling is a word.
#define LANG_TOKENS(X)                                                                  \
    X(Eof, "end of file") X(Ident, "identifier") X(Int, "integer literal")              \
    X(Float, "float literal") X(Char, "character literal") X(String, "string literal")  \
    X(InterpBegin, "$\"") X(InterpText, "string text") X(HoleBegin, "{")               \
    X(HoleFormat, "format") X(HoleEnd, "}") X(InterpEnd, "\"")                          \
    /* keywords */                                                                      \
    X(KwNamespace, "namespace") X(KwImport, "import") X(KwPublic, "public")             \
    X(KwPrivate, "private") X(KwProtected, "protected") X(KwStatic, "static")           \
    X(KwMut, "mut") X(KwVirtual, "virtual") X(KwOverride, "override")                   \
    X(KwAbstract, "abstract") X(KwSealed, "sealed") X(KwVar, "var") X(KwLet, "let")     \
    X(KwClass, "class") X(KwStruct, "struct") X(KwInterface, "interface")               \
    X(KwEnum, "enum") X(KwGc, "gc") X(KwExtern, "extern") X(KwExport, "export")         \
    X(KwTest, "test") X(KwNew, "new") X(KwThis, "this") X(KwBase, "base")               \
    X(KwNull, "null") X(KwTrue, "true") X(KwFalse, "false") X(KwIf, "if")               \
    X(KwElse, "else") X(KwWhile, "while") X(KwFor, "for") X(KwIn, "in")                 \
    X(KwBreak, "break") X(KwContinue, "continue") X(KwReturn, "return")                 \
    X(KwDefer, "defer") X(KwFail, "fail") X(KwTry, "try") X(KwCatch, "catch")           \
    X(KwMatch, "match") X(KwWhen, "when") X(KwSpawn, "spawn") X(KwSelect, "select")     \
    X(KwCase, "case") X(KwDefault, "default") X(KwUnsafe, "unsafe") X(KwIs, "is")       \
    X(KwAs, "as") X(KwTypeof, "typeof") X(KwSizeof, "sizeof") X(KwRef, "ref")           \
    X(KwOwn, "own") X(KwWhere, "where")                                                 \
    /* punctuation */                                                                   \
    X(LParen, "(") X(RParen, ")") X(LBrace, "{") X(RBrace, "}") X(LBracket, "[")        \
    X(RBracket, "]") X(Semi, ";") X(Comma, ",") X(Dot, ".") X(DotDot, "..")             \
    X(DotDotEq, "..=") X(Colon, ":") X(Question, "?") X(QuestionDot, "?.")              \
    X(QuestionQuestion, "??") X(QuestionQuestionEq, "?\?=") X(Arrow, "->")              \
    X(FatArrow, "=>") X(Plus, "+") X(Minus, "-") X(Star, "*") X(Slash, "/")             \
    X(Percent, "%") X(Amp, "&") X(Pipe, "|") X(Caret, "^") X(Tilde, "~") X(Bang, "!")   \
    X(Eq, "=") X(EqEq, "==") X(BangEq, "!=") X(Lt, "<") X(Le, "<=") X(Gt, ">")          \
    X(Ge, ">=") X(Shl, "<<") X(AmpAmp, "&&") X(PipePipe, "||") X(PlusEq, "+=")          \
    X(MinusEq, "-=") X(StarEq, "*=") X(SlashEq, "/=") X(PercentEq, "%=")                \
    X(AmpEq, "&=") X(PipeEq, "|=") X(CaretEq, "^=") X(ShlEq, "<<=")                     \
    X(PlusPlus, "++") X(MinusMinus, "--") X(HashCaller, "#caller") X(At, "@")         \
    X(PlusPercent, "+%") X(MinusPercent, "-%") X(StarPercent, "*%")                     \
    X(PlusPercentEq, "+%=") X(MinusPercentEq, "-%=") X(StarPercentEq, "*%=")

enum class Tok : uint8_t {
#define X(name, str) name,
    LANG_TOKENS(X)
#undef X
    Count_
};

// Integer/float literal suffixes (10u8, 1.5f32). 0 = none.
enum class LitSuffix : uint8_t { None, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64 };
const char* suffix_text(LitSuffix s); // "u8", ... ("" for None)

enum TokFlags : uint8_t {
    TF_OVERFLOW = 1,   // integer literal did not fit in 64 bits
    TF_NEWLINE = 2,    // first token on its line (after whitespace/comments)
    TF_BAD = 4,        // unterminated literal (it may have swallowed the rest of the line)
};

struct Token {
    Tok kind = Tok::Eof;
    LitSuffix suffix = LitSuffix::None;
    uint8_t flags = 0;
    Span span;
    union {
        const IStr* ident;                       // Ident
        uint64_t ival;                           // Int
        double fval;                             // Float
        uint32_t cval;                           // Char
        struct { const char* s; uint32_t len; } str; // String, InterpText, HoleFormat (arena, NUL-terminated)
    };
    Token() : str{nullptr, 0} {}
    Ident id() const { return Ident(ident); }
};

const char* tok_name(Tok k);     // enum row name, e.g. "KwIf", "LParen" (for --emit tokens)
const char* tok_spelling(Tok k); // "if", "(", "identifier" (for diagnostics)
inline bool is_keyword(Tok k) { return k >= Tok::KwNamespace && k <= Tok::KwWhere; }

} // namespace lang
