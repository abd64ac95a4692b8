// parser_impl.h: the Parser state shared by parse_*.cpp (private to src/parse).
//
// Recursive descent with precedence climbing for binary operators. Error handling:
// the first error puts the parser in "panic" mode, in which further errors are not
// reported; the statement and declaration loops resynchronize (skip to ';', '}' or a
// declaration keyword) and leave panic mode. Every loop either consumes a token or exits,
// and recursion goes through DepthGuard, so no input can hang or overflow the parser.
// Speculative parsing (generic arguments, casts) runs with `spec_` > 0: errors then only
// mark the attempt failed and the caller rewinds `p_`.
#pragma once
#include "lex/lexer.h"
#include "parse/parser.h"
#include <vector>

namespace lang {

class Parser {
public:
    Parser(Compilation& c, uint32_t file);
    FileAst* parse();

    // -- tokens (parser.cpp) -------------------------------------------------
    const Token& tok() const { return toks_[p_]; }
    const Token& peek(uint32_t k = 1) const {
        size_t i = p_ + k;
        return i < toks_.size() ? toks_[i] : toks_.back();
    }
    Tok kind() const { return toks_[p_].kind; }
    bool at(Tok k) const { return toks_[p_].kind == k; }
    const Token& advance() {
        const Token& t = toks_[p_];
        if (t.kind != Tok::Eof) p_++;
        return t;
    }
    bool accept(Tok k) {
        if (!at(k)) return false;
        advance();
        return true;
    }
    uint32_t prev_end() const { return p_ ? toks_[p_ - 1].span.end : 0; }
    Span span_from(uint32_t begin) const {
        uint32_t e = prev_end();
        return Span{file_, begin, e < begin ? begin : e};
    }
    bool at_ident(Ident name) const { return at(Tok::Ident) && tok().id() == name; }

    // -- diagnostics -----------------------------------------------------------
    void error_at(Span s, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
    void error_here(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    std::string describe(const Token& t) const; // "'}'", "identifier 'x'", "end of file"
    bool expect(Tok k, const char* context);    // "expected ')' <context>, found ..."
    void expect_semi(const char* context);      // "expected ';' <context>" after prev token
    Ident expect_ident(const char* what);       // "expected <what>, found ..."
    void sync_stmt(uint32_t start);
    void sync_decl(uint32_t start, bool in_type);
    bool at_decl_keyword() const;

    struct DepthGuard {
        Parser& P;
        bool ok;
        explicit DepthGuard(Parser& p) : P(p), ok(++p.depth_ <= kMaxParseDepth) {
            if (!ok) P.too_deep();
        }
        ~DepthGuard() { P.depth_--; }
    };
    void too_deep();

    template <class T> T* expr_node(ExprKind k, Span s) {
        T* n = arena_.make<T>();
        n->kind = k;
        n->span = s;
        return n;
    }
    template <class T> T* stmt_node(StmtKind k, Span s) {
        T* n = arena_.make<T>();
        n->kind = k;
        n->span = s;
        return n;
    }
    template <class T> T* decl_node(DeclKind k, Span s) {
        T* n = arena_.make<T>();
        n->kind = k;
        n->span = s;
        return n;
    }
    Expr* error_expr(Span s); // a NameExpr with an empty name

    // -- types (parse_type.cpp) ------------------------------------------------
    TypeExpr* parse_type(bool in_expr = false);
    TypeExpr* parse_type_primary(bool in_expr);
    bool parse_type_args(ArenaVec<TypeExpr*>& out, bool in_expr);
    bool try_generic_args(ArenaVec<TypeExpr*>& out); // speculative, C# disambiguation
    TypeExpr* named_type(Ident name, Span s);
    bool is_primitive(Ident name) const;
    bool can_start_operand(const Token& t) const;

    // -- expressions (parse_expr.cpp) -----------------------------------------
    Expr* parse_expr();
    Expr* parse_assign();
    Expr* parse_ternary();
    Expr* parse_catch();
    Expr* parse_range();
    Expr* parse_binary(int min_prec);
    Expr* parse_unary();
    Expr* parse_postfix(Expr* e);
    Expr* parse_primary();
    Expr* parse_paren();
    Expr* parse_lambda();
    Expr* parse_new();
    Expr* parse_match();
    Expr* parse_interp();
    bool looks_like_lambda() const;
    Expr* try_cast();
    void parse_args(ArenaVec<Arg>& out);
    Pattern* parse_pattern(bool is_ctx);
    Expr* parse_pattern_literal();

    // -- statements (parse_stmt.cpp) -------------------------------------------
    Stmt* parse_stmt();
    Block* parse_block(const char* what);
    Stmt* parse_var_decl(bool need_semi);
    Stmt* parse_if();
    Stmt* parse_while();
    Stmt* parse_for();
    Stmt* parse_select();
    bool parse_arm_body(Expr** e, Block** b); // `=> expr` / `=> { ... }` (after '=>')

    // -- declarations (parse_decl.cpp) ----------------------------------------
    Decl* parse_decl(TypeDecl* parent);
    Decl* parse_decl_inner(TypeDecl* parent);
    void parse_attributes(ArenaVec<Attribute>& out);
    uint32_t parse_modifiers(bool* is_gc);
    ImportDecl* parse_import();
    void parse_namespace(FileAst* f);
    Decl* parse_type_decl(uint32_t begin, uint32_t mods, bool is_gc, ArenaVec<Attribute> attrs, TypeDecl* parent);
    void parse_enum_body(TypeDecl* td);
    FuncDecl* parse_func_rest(FuncDecl* fd, bool allow_no_body);
    // Named: `T x` (functions); Lambda: `T x` or untyped `x`; OptionalName: `T [x]`
    // (enum payloads and extern declarations, where C-style unnamed parameters are fine).
    enum class ParamStyle : uint8_t { Named, Lambda, OptionalName };
    void parse_params(ArenaVec<ParamDecl*>& out, ParamStyle style);
    ParamDecl* parse_param(ParamStyle style);
    void parse_type_params(ArenaVec<TypeParamDecl*>& out);
    void parse_where(ArenaVec<TypeParamDecl*>& tps);
    Decl* parse_extern(uint32_t begin, uint32_t mods, ArenaVec<Attribute> attrs);
    Decl* parse_test(uint32_t begin);
    void parse_path(ArenaVec<Ident>& out, const char* what);
    const char* doc_before(uint32_t pos); // `///` lines directly above byte offset `pos`

    Compilation& c_;
    Arena& arena_;
    uint32_t file_;
    std::vector<Token> toks_;
    uint32_t p_ = 0;
    int depth_ = 0;
    bool panic_ = false;
    bool reported_too_deep_ = false;
    int spec_ = 0;          // > 0 while parsing speculatively
    bool spec_failed_ = false;
    uint32_t last_error_pos_ = UINT32_MAX; // position of the last reported error (dedupe)
    bool in_guard_ = false; // parsing a `when` guard: `x =>` ends the guard, it is no lambda
    // Interned names the grammar looks at.
    Ident id_void_, id_underscore_, id_ok_, id_err_, id_timeout_, id_send_;
    Ident prim_[20];
    int nprim_ = 0;
};

} // namespace lang
