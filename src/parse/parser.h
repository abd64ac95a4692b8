// parser.h: the parser's entry points (grammar: LANGUAGE.md; productions above each parse
// function in parse_*.cpp).
//
// parse_file lexes the file itself and always returns a FileAst (possibly partial) whose
// nodes live in c.arena; syntax errors go to c.diag, and the parser recovers at ';', '}'
// or a declaration keyword so one run reports several errors. It never loops forever
// and never overflows the C++ stack (nesting deeper than kMaxParseDepth is an error).
//
// kMaxParseDepth bounds the level of every node of the tree (its depth plus its height;
// a chain of N links is N levels; doc/language/spec.md 1.6), so every later recursive
// walk (sema, lowering, the AST dumper, ...) recurses at most that deep and needs no
// check of its own. The worst walk needs about 0.6 KiB of stack per level in a release
// build and 6 KiB with sanitizers (measured at the limit): 1000 levels fit in the
// default 8 MiB stack with room, also under `make test SAN=1`.
#pragma once
#include "common/compilation.h"
#include "parse/ast.h"
#include <string>

namespace lang {

constexpr int kMaxParseDepth = 1000;

FileAst* parse_file(Compilation& c, uint32_t file_id);
// A new copy of the declaration (type, function or method) whose first token starts at
// byte `begin` of an already parsed file, with `parent` as its enclosing type; null when
// there is none. Sema makes generic instances from such copies (sema/generics.cpp).
Decl* reparse_decl(Compilation& c, uint32_t file_id, uint32_t begin, TypeDecl* parent);

// `lang build --emit ast`: an indented s-expression tree, e.g.
// (func Main (ret int) (params) (block (let x (int 5)) ...)).
std::string dump_ast(Compilation& c, const FileAst* f);
// Single pieces (also used by tests and diagnostics of later stages).
std::string dump_expr(const Expr* e);
std::string dump_type(const TypeExpr* t);

} // namespace lang
