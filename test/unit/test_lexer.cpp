// test_lexer.cpp: the lexical grammar (src/lex): literals, operators, spans, comments,
// interpolation, Unicode identifiers with NFC, and error recovery.
#include "lex/lexer.h"
#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace lang;

namespace {

struct Lexed {
    Compilation c;
    std::vector<Token> toks;
    std::string diags;
    bool ok = false;
    explicit Lexed(const std::string& src) {
        c.diag.capture = &diags;
        uint32_t id = c.sources.add("t.lang", src);
        ok = lex_file(c, id, toks);
    }
    std::vector<Tok> kinds() const {
        std::vector<Tok> k;
        for (const Token& t : toks) k.push_back(t.kind);
        return k;
    }
    std::string dump() { return dump_tokens(c, toks); }
};

std::string str(const Token& t) { return std::string(t.str.s, t.str.len); }

} // namespace

TEST_CASE("lexer: integer literals in every base, separators and suffixes") {
    Lexed l("42 0xFF 0b1010 0o17 1_000_000 10u8 5i32 0xFFu16 18446744073709551615");
    REQUIRE(l.ok);
    REQUIRE(l.toks.size() == 10);
    CHECK(l.toks[0].ival == 42);
    CHECK(l.toks[1].ival == 255);
    CHECK(l.toks[2].ival == 10);
    CHECK(l.toks[3].ival == 15);
    CHECK(l.toks[4].ival == 1000000);
    CHECK(l.toks[5].ival == 10);
    CHECK(l.toks[5].suffix == LitSuffix::U8);
    CHECK(l.toks[6].suffix == LitSuffix::I32);
    CHECK(l.toks[7].ival == 255);
    CHECK(l.toks[7].suffix == LitSuffix::U16);
    CHECK(l.toks[8].ival == UINT64_MAX);
    CHECK((l.toks[8].flags & TF_OVERFLOW) == 0);
    for (int i = 0; i < 9; i++) CHECK(l.toks[i].kind == Tok::Int);
    CHECK(l.toks[9].kind == Tok::Eof);
}

TEST_CASE("lexer: float literals, ranges and tuple indexes stay integers") {
    Lexed l("1.5 2e-3 1E+2 3.25f32 7f64 0..10 1..=9 t.0.1 x.1");
    REQUIRE(l.ok);
    CHECK(l.toks[0].kind == Tok::Float);
    CHECK(l.toks[0].fval == 1.5);
    CHECK(l.toks[1].fval == 2e-3);
    CHECK(l.toks[2].fval == 100.0);
    CHECK(l.toks[3].fval == 3.25);
    CHECK(l.toks[3].suffix == LitSuffix::F32);
    CHECK(l.toks[4].kind == Tok::Float);
    CHECK(l.toks[4].fval == 7.0);
    // 0..10
    CHECK(l.toks[5].kind == Tok::Int);
    CHECK(l.toks[6].kind == Tok::DotDot);
    CHECK(l.toks[7].kind == Tok::Int);
    CHECK(l.toks[9].kind == Tok::DotDotEq);
    // t.0.1 -> t . 0 . 1
    std::vector<Tok> want = {Tok::Ident, Tok::Dot, Tok::Int, Tok::Dot, Tok::Int};
    for (size_t i = 0; i < want.size(); i++) CHECK(l.toks[11 + i].kind == want[i]);
    CHECK(l.toks[14].ival == 0);
    CHECK(l.toks[15].ival == 1);
}

TEST_CASE("lexer: char literals and escapes") {
    Lexed l(R"('a' '\n' '\u{1F600}' 'é' '\'' '\\' '\0')");
    REQUIRE(l.ok);
    CHECK(l.toks[0].cval == 'a');
    CHECK(l.toks[1].cval == '\n');
    CHECK(l.toks[2].cval == 0x1F600);
    CHECK(l.toks[3].cval == 0xE9);
    CHECK(l.toks[4].cval == '\'');
    CHECK(l.toks[5].cval == '\\');
    CHECK(l.toks[6].cval == 0);
}

TEST_CASE("lexer: string escapes are decoded") {
    Lexed l(R"("a\tb\n" "q\"\\" "nul\0x" "\u{48}\u{E9}\u{1F600}" "")");
    REQUIRE(l.ok);
    CHECK(str(l.toks[0]) == "a\tb\n");
    CHECK(str(l.toks[1]) == "q\"\\");
    CHECK(l.toks[2].str.len == 5);
    CHECK(std::string(l.toks[2].str.s, 5) == std::string("nul\0x", 5));
    CHECK(str(l.toks[3]) == "H\xC3\xA9\xF0\x9F\x98\x80");
    CHECK(str(l.toks[4]) == "");
}

TEST_CASE("lexer: raw strings keep their text, drop the first newline and the closing indent") {
    Lexed l("let a = \"\"\"C:\\temp\\new {x} \"q\" \"\"\"; let b = \"\"\"\n    line 1\n      line 2\n    \"\"\";");
    REQUIRE(l.ok);
    CHECK(str(l.toks[3]) == "C:\\temp\\new {x} \"q\" ");
    CHECK(str(l.toks[8]) == "line 1\n  line 2");
}

TEST_CASE("lexer: interpolated strings with nested holes, strings and literal braces") {
    Lexed l(R"($"x = {x + 1} {{lit}} {f("s", $"in{z}")}!{v:X4}")");
    REQUIRE(l.ok);
    std::vector<Tok> want = {
        Tok::InterpBegin, Tok::InterpText, Tok::HoleBegin, Tok::Ident, Tok::Plus, Tok::Int, Tok::HoleEnd,
        Tok::InterpText, Tok::HoleBegin, Tok::Ident, Tok::LParen, Tok::String, Tok::Comma,
        Tok::InterpBegin, Tok::InterpText, Tok::HoleBegin, Tok::Ident, Tok::HoleEnd, Tok::InterpEnd,
        Tok::RParen, Tok::HoleEnd, Tok::InterpText, Tok::HoleBegin, Tok::Ident, Tok::HoleFormat, Tok::HoleEnd,
        Tok::InterpEnd, Tok::Eof};
    CHECK(l.kinds() == want);
    CHECK(str(l.toks[1]) == "x = ");
    CHECK(str(l.toks[7]) == " {lit} ");
    CHECK(str(l.toks[14]) == "in");
    CHECK(str(l.toks[21]) == "!");
    CHECK(str(l.toks[24]) == "X4");
    // A ternary inside parentheses is not a format specifier.
    Lexed t(R"($"{(a ? "y" : "n")}")");
    REQUIRE(t.ok);
    bool has_format = false;
    for (const Token& k : t.toks) has_format |= k.kind == Tok::HoleFormat;
    CHECK(!has_format);
}

TEST_CASE("lexer: comments nest and doc comments are skipped") {
    Lexed l("a /* one /* two */ still one */ b // line\n/// doc comment\nc");
    REQUIRE(l.ok);
    REQUIRE(l.toks.size() == 4);
    CHECK(l.toks[0].id() == "a");
    CHECK(l.toks[1].id() == "b");
    CHECK(l.toks[2].id() == "c");
    CHECK((l.toks[2].flags & TF_NEWLINE) != 0);
    CHECK((l.toks[1].flags & TF_NEWLINE) == 0);
}

TEST_CASE("lexer: every keyword and operator spelling maps to its kind") {
    for (int k = (int)Tok::KwNamespace; k < (int)Tok::Count_; k++) {
        std::string sp = tok_spelling((Tok)k);
        Lexed l(sp);
        CAPTURE(sp);
        REQUIRE(l.toks.size() == 2);
        CHECK(l.toks[0].kind == (Tok)k);
        CHECK(l.toks[0].span.end - l.toks[0].span.begin == sp.size());
    }
    // Words that merely start with a keyword are identifiers.
    Lexed l("classy iff letter _ _x var1");
    for (int i = 0; i < 6; i++) CHECK(l.toks[i].kind == Tok::Ident);
}

TEST_CASE("lexer: '>' is never merged, so nested generics close cleanly") {
    Lexed l("List<List<int>> a >> b >>= c >= d");
    std::vector<Tok> want = {Tok::Ident, Tok::Lt, Tok::Ident, Tok::Lt, Tok::Ident, Tok::Gt, Tok::Gt,
                             Tok::Ident, Tok::Gt, Tok::Gt, Tok::Ident, Tok::Gt, Tok::Ge, Tok::Ident,
                             Tok::Ge, Tok::Ident, Tok::Eof};
    CHECK(l.kinds() == want);
}

TEST_CASE("lexer: spans and line:col in the token dump") {
    Lexed l("let x = 5;\n  foo(\"s\");\n");
    std::string d = l.dump();
    CHECK(d == "1:1 KwLet let\n"
               "1:5 Ident x\n"
               "1:7 Eq =\n"
               "1:9 Int 5\n"
               "1:10 Semi ;\n"
               "2:3 Ident foo\n"
               "2:6 LParen (\n"
               "2:7 String \"s\"\n"
               "2:10 RParen )\n"
               "2:11 Semi ;\n"
               "3:1 Eof\n");
    CHECK(l.toks[7].span.begin == 17);
    CHECK(l.toks[7].span.end == 20);
    CHECK(l.toks[7].span.file == 0);
}

TEST_CASE("lexer: Unicode identifiers are NFC-normalized before interning") {
    // "é" precomposed (U+00E9) and as e + U+0301 are the same identifier.
    Lexed l("caf\xC3\xA9 cafe\xCC\x81 \xCE\xB1\xCE\xB2 _\xE5\x90\x8D");
    REQUIRE(l.ok);
    REQUIRE(l.toks.size() == 5);
    CHECK(l.toks[0].kind == Tok::Ident);
    CHECK(l.toks[0].id() == l.toks[1].id());
    CHECK(l.toks[0].id() == "caf\xC3\xA9");
    CHECK(l.toks[1].span.end - l.toks[1].span.begin == 6); // the span covers the source bytes
    CHECK(l.toks[2].id() == "\xCE\xB1\xCE\xB2");
    CHECK(l.toks[3].id() == "_\xE5\x90\x8D");
    // Interning is shared with later stages.
    CHECK(l.toks[0].id() == l.c.interner.intern("caf\xC3\xA9"));
    // Column counts characters, not bytes.
    CHECK(l.dump().find("1:6 Ident") != std::string::npos);
}

TEST_CASE("lexer: errors are reported with locations and lexing continues") {
    Lexed l("let a = \"open\nlet b = 0x;\nlet c = 0b102;\nlet d = '\\q';\n/* never closed\n");
    CHECK(!l.ok);
    CHECK(l.diags.find("t.lang:1:9: error: unterminated string literal") != std::string::npos);
    CHECK(l.diags.find("t.lang:2:9: error: expected digits after '0x'") != std::string::npos);
    CHECK(l.diags.find("t.lang:3:13: error: invalid digit '2' in binary literal") != std::string::npos);
    CHECK(l.diags.find("t.lang:4:10: error: invalid escape sequence '\\q'") != std::string::npos);
    CHECK(l.diags.find("t.lang:5:1: error: unterminated block comment") != std::string::npos);
    CHECK(l.c.diag.error_count() == 5);
    // The statements after the errors were still tokenized.
    int lets = 0;
    for (const Token& t : l.toks) lets += t.kind == Tok::KwLet;
    CHECK(lets == 4);
    CHECK(l.toks.back().kind == Tok::Eof);
}

TEST_CASE("lexer: invalid characters and bad UTF-8 are reported once each") {
    Lexed l("a ` b \xC2\xA7 c \xFF d $ e #foo f");
    CHECK(!l.ok);
    CHECK(l.c.diag.error_count() == 5);
    CHECK(l.diags.find("invalid character '`'") != std::string::npos);
    CHECK(l.diags.find("invalid character U+00A7") != std::string::npos);
    CHECK(l.diags.find("invalid UTF-8 byte 0xFF") != std::string::npos);
    CHECK(l.diags.find("invalid character '$'") != std::string::npos);
    CHECK(l.diags.find("unknown directive '#foo'") != std::string::npos);
    int idents = 0;
    for (const Token& t : l.toks) idents += t.kind == Tok::Ident;
    CHECK(idents == 6);
}

TEST_CASE("lexer: string contents must be valid UTF-8") {
    Lexed ok("\"h\xC3\xA9llo \xF0\x9F\x98\x80\" $\"\xC3\xA9{x}\"");
    CHECK(ok.ok);
    CHECK(str(ok.toks[0]) == "h\xC3\xA9llo \xF0\x9F\x98\x80");
    Lexed bad("\"a\xFF" "b\" \"\\n\xC3\" $\"\xE2\x82{x}\"");
    CHECK(bad.c.diag.error_count() == 3);
    CHECK(bad.diags.find("t.lang:1:3: error: invalid UTF-8 byte 0xFF in string literal") != std::string::npos);
}

TEST_CASE("lexer: unterminated interpolation is closed so the stream stays balanced") {
    Lexed l("let s = $\"a {x + \nlet t = 1;");
    CHECK(!l.ok);
    int begin = 0, end = 0, hb = 0, he = 0;
    for (const Token& t : l.toks) {
        begin += t.kind == Tok::InterpBegin;
        end += t.kind == Tok::InterpEnd;
        hb += t.kind == Tok::HoleBegin;
        he += t.kind == Tok::HoleEnd;
    }
    CHECK(begin == end);
    CHECK(hb == he);
    CHECK(l.diags.find("t.lang:1:13: error: expected '}' to close the interpolation hole") != std::string::npos);
}

TEST_CASE("lexer: #caller and the remaining punctuation") {
    Lexed l("#caller ?. ?? ?\?= .. ..= => -> += -= *= /= %= &= |= ^= <<= && || == != <= ++ -- ~ @");
    REQUIRE(l.ok);
    std::vector<Tok> want = {Tok::HashCaller, Tok::QuestionDot, Tok::QuestionQuestion, Tok::QuestionQuestionEq,
                             Tok::DotDot, Tok::DotDotEq, Tok::FatArrow, Tok::Arrow, Tok::PlusEq, Tok::MinusEq,
                             Tok::StarEq, Tok::SlashEq, Tok::PercentEq, Tok::AmpEq, Tok::PipeEq, Tok::CaretEq,
                             Tok::ShlEq, Tok::AmpAmp, Tok::PipePipe, Tok::EqEq, Tok::BangEq, Tok::Le,
                             Tok::PlusPlus, Tok::MinusMinus, Tok::Tilde, Tok::At, Tok::Eof};
    CHECK(l.kinds() == want);
}

TEST_CASE("lexer: lexing in batches (as the parser does) gives the same tokens as lex_file") {
    // Tiny batches put every token boundary at a batch boundary: a number right after a
    // '.' in the previous batch must still be a tuple index (t.0.1 is not t.(0.1)).
    const std::string src = "x = t.0.1 + a.1.2 + 1.5;\n  s = $\"a{b.0}c{d:x2}\"; // c\n y.2 . 3 0.5e3";
    Lexed whole(src);
    REQUIRE(whole.ok);
    for (uint32_t n : {1u, 2u, 3u, 7u, 1000u}) {
        Compilation c;
        std::string diags;
        c.diag.capture = &diags;
        uint32_t id = c.sources.add("t.lang", src);
        Lexer lx(c, id);
        std::vector<Token> got;
        for (bool end = false; !end;) {
            TokenBatch b;
            end = lx.lex_into(b, n);
            REQUIRE(b.len >= 1);
            got.insert(got.end(), b.begin(), b.end());
        }
        CHECK(diags.empty());
        REQUIRE(got.size() == whole.toks.size());
        CHECK(dump_tokens(c, got) == whole.dump());
    }
    CHECK(whole.toks[3].kind == Tok::Dot);
    CHECK(whole.toks[4].kind == Tok::Int); // the 0 of t.0.1
}

namespace {
// Characters (not bytes) of UTF-8 text.
size_t chars(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}
} // namespace

TEST_CASE("diagnostics: a long line is shown as a window with the caret under the error") {
    // Where the error is: near the start, in the middle, near the end of a long line, with
    // two-byte characters before it; a short line is shown whole.
    for (size_t before : {5u, 400u, 2000u}) {
        CAPTURE(before);
        std::string left, right(before == 2000u ? 10 : 700, 'x');
        for (size_t i = 0; i < before; i++) left += i % 2 ? "é" : "a";
        std::string src = "let " + left + " = 1 ` " + right + ";\n";
        Lexed l(src);
        CHECK(!l.ok);
        // "t.lang:1:COL: error: ...\n    LINE\n    CARET^\n"
        size_t nl1 = l.diags.find('\n'), nl2 = l.diags.find('\n', nl1 + 1), nl3 = l.diags.find('\n', nl2 + 1);
        REQUIRE(nl3 != std::string::npos);
        std::string head = l.diags.substr(0, nl1);
        CHECK(head.find("t.lang:1:" + std::to_string(4 + chars(left) + 6) + ": error: invalid character '`'") == 0);
        std::string shown = l.diags.substr(nl1 + 1, nl2 - nl1 - 1), caret = l.diags.substr(nl2 + 1, nl3 - nl2 - 1);
        CHECK(shown.size() <= 4 + 3 + 160 + 3 + 3); // margin, dots, window (+ a character's tail), dots
        if (src.size() > 160) CHECK(shown.find("...") != std::string::npos);
        else CHECK(shown == "    " + src.substr(0, src.size() - 1));
        REQUIRE(caret.size() >= 1);
        CHECK(caret.back() == '^');
        // The caret's column (in characters) is the backquote's column in the shown line.
        size_t bq = shown.find('`');
        REQUIRE(bq != std::string::npos);
        CHECK(chars(caret) - 1 == chars(shown.substr(0, bq)));
    }
}
