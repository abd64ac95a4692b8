// lexer.h: turns one source file into a vector of tokens (grammar: LANGUAGE.md section 2).
//
// The lexer never stops at an error: it reports through Compilation::diag, skips or
// repairs the bad input and goes on, so the parser sees a well-formed stream (string and
// interpolation tokens are always balanced; Eof is always last).
#pragma once
#include "common/compilation.h"
#include "lex/token.h"
#include <string>
#include <vector>

namespace lang {

// Appends the tokens of file `file_id` to `out` (ending with Tok::Eof). Identifiers are
// NFC-normalized and interned in c.interner; string contents are decoded into c.arena.
// Returns false if any lexical error was reported.
bool lex_file(Compilation& c, uint32_t file_id, std::vector<Token>& out);
inline bool lex(Compilation& c, uint32_t file_id, std::vector<Token>& out) { return lex_file(c, file_id, out); }

// `lang build --emit tokens`: one token per line, "line:col KIND text".
std::string dump_tokens(Compilation& c, const std::vector<Token>& toks);

} // namespace lang
