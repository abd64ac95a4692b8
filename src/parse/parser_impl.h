// parser_impl.h: the Parser state shared by parse_*.cpp (private to src/parse).
//
// Recursive descent with precedence climbing for binary operators. Error handling:
// the first error puts the parser in "panic" mode, in which further errors are not
// reported; the statement and declaration loops resynchronize (skip to ';', '}' or a
// declaration keyword) and leave panic mode. Every loop either consumes a token or exits,
// and recursion goes through DepthGuard, so no input can hang or overflow the parser.
// Nesting: every node's level (its recursion depth plus the height of the subtree below
// it, chains included) is kept at most kMaxParseDepth, so that every later recursive walk
// (sema, lowering, the dumpers) is bounded too; see DepthGuard and chain_level().
// Speculative parsing (generic arguments, casts) runs with `spec_` > 0: errors then only
// mark the attempt failed and the caller rewinds `p_`.
#pragma once
#include "lex/lexer.h"
#include "parse/parser.h"
#include <cstring>
#include <memory>
#include <vector>

namespace lang {

// Builds one AST list at its exact size. The items are first collected in a scratch
// vector (one per element type, owned by the Parser and reused for the whole file), then
// copied into the arena once. Pushing into an ArenaVec directly would leave its unused
// capacity (4 slots for a 1-item list) and every outgrown array behind in the arena.
// Lists nest (a block inside a block), so each builder owns the tail of the scratch
// vector from where it started; an inner builder is always done before the outer one
// pushes again, so the scratch vector works as a stack.
template <class T> class ListBuilder {
public:
    explicit ListBuilder(std::vector<T>& scratch) : s_(scratch), start_(scratch.size()) {}
    ListBuilder(const ListBuilder&) = delete;
    ~ListBuilder() { s_.erase(s_.begin() + start_, s_.end()); }
    void push(const T& v) { s_.push_back(v); }
    uint32_t size() const { return (uint32_t)(s_.size() - start_); }
    // Appends the collected items to `out` (normally empty: then one exact-size copy).
    void finish(Arena& a, ArenaVec<T>& out) {
        uint32_t n = size();
        if (n == 0) return;
        const T* items = s_.data() + start_;
        if (out.empty()) {
            T* d = static_cast<T*>(a.alloc(sizeof(T) * n, alignof(T)));
            memcpy((void*)d, (const void*)items, sizeof(T) * n);
            out.data = d;
            out.size = out.cap = n;
        } else {
            for (uint32_t i = 0; i < n; i++) out.push(a, items[i]);
        }
        s_.erase(s_.begin() + start_, s_.end());
    }

private:
    std::vector<T>& s_;
    size_t start_;
};

class TokenFeed; // parser.cpp: the lexer, on its own thread for big files

class Parser {
public:
    Parser(Compilation& c, uint32_t file);
    ~Parser();
    FileAst* parse();

    // -- tokens (parser.cpp) -------------------------------------------------
    // The lexer runs ahead and delivers batches of tokens (TokenFeed); the parser reads
    // them in place, in a sliding window of batches (win_). Positions (p_, positions saved
    // for backtracking) are absolute token numbers. At each statement or declaration
    // boundary the parser calls release_tokens(): nothing before the previous token is
    // looked at again, so batches holding only older tokens are handed back to the lexer
    // as storage for new ones. The window stays a few batches long and in the cache,
    // instead of a token array for the whole file (tens of MiB of fresh pages for a big
    // file; every fresh page costs a page fault and a clear).
    // cur_ is the batch holding the current token p_, biased so that cur_[i] is token i
    // for lo_ <= i < hi_; so tok()/at() are one load, and tok_at() one range check.
    // Invariant: p_ is always in [lo_, hi_) (advance() and seek() move to the next
    // batch). References returned by tok() and peek() are valid until the next
    // advance()/peek()/tok_at() (a refill may drop batches), so advance() returns a copy.
    const Token& tok() const { return cur_[p_]; }
    const Token& tok_at(uint32_t i) const {
        if (i - lo_ < hi_ - lo_) [[likely]] return cur_[i];
        return fill(i);
    }
    const Token& peek(uint32_t k = 1) const { return tok_at(p_ + k); } // Eof past the end
    // After `new T {`: an object initializer's body (`}` or `Name =`), not a collection's.
    static bool at_init_start(const Token& a, const Token& b) {
        return a.kind == Tok::RBrace || (a.kind == Tok::Ident && b.kind == Tok::Eq);
    }
    Tok kind() const { return tok().kind; }
    bool at(Tok k) const { return tok().kind == k; }
    Token advance() {
        Token t = tok();
        if (t.kind != Tok::Eof && ++p_ == hi_) enter(p_);
        return t;
    }
    // Moves back to a saved position (backtracking); not while skipping a too deep part.
    void seek(uint32_t pos) {
        if (skipping_) return;
        p_ = pos;
        if (pos - lo_ >= hi_ - lo_) enter(pos);
    }
    bool accept(Tok k) {
        if (!at(k)) return false;
        advance();
        return true;
    }
    uint32_t prev_end() const { return p_ ? tok_at(p_ - 1).span.end : 0; }
    Span span_from(uint32_t begin) const {
        uint32_t e = prev_end();
        return Span{file_, begin, e < begin ? begin : e};
    }
    void release_tokens() {
        if (p_ > keep_ + 1) keep_ = p_ - 1;
        lambda_memo_.clear();
    }
    const Token& fill(uint32_t i) const; // lexes up to token i (or Eof) and returns it
    bool fetch() const;                  // appends the next batch to the window
    void enter(uint32_t i) const;        // makes the batch holding token i current
    bool at_ident(Ident name) const { return at(Tok::Ident) && tok().id() == name; }

    // -- diagnostics -----------------------------------------------------------
    void error_at(Span s, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
    void error_here(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    std::string describe(const Token& t) const; // "'}'", "identifier 'x'", "end of file"
    // The checks are inline (they nearly always succeed); the errors are out of line.
    bool expect(Tok k, const char* context) { // "expected ')' <context>, found ..."
        if (!at(k)) return expect_failed(k, context);
        advance();
        return true;
    }
    void expect_semi(const char* context) { // "expected ';' <context>" after prev token
        if (!accept(Tok::Semi)) expect_semi_failed(context);
    }
    Ident expect_ident(const char* what) { // "expected <what>, found ..."
        if (at(Tok::Ident)) return advance().id();
        return expect_ident_failed(what);
    }
    bool expect_failed(Tok k, const char* context);
    void expect_semi_failed(const char* context);
    Ident expect_ident_failed(const char* what);
    void sync_stmt(uint32_t start);
    void sync_decl(uint32_t start, bool in_type);
    bool at_decl_keyword() const;
    bool at_local_modifier() const;

    // Nesting accounting. A tree walk recurses once per level of the tree, so the parser
    // bounds the *level* of every node: its depth (guarded recursions around it) plus its
    // height (levels below it). Recursive productions count one level per DepthGuard;
    // loops that wrap the previous result in a new node (a + b + c, a.b[i](x), T[][],
    // `catch`, the assignment tails) count one level per node with chain_level(). reach_
    // is the deepest level reached by anything parsed since the innermost live Measure
    // began, so a loop that measures from its first operand on makes each new node one
    // level above reach_ (which already covers every operand it wraps).
    struct DepthGuard {
        Parser& P;
        bool ok;
        explicit DepthGuard(Parser& p) : P(p), ok(++p.depth_ <= kMaxParseDepth) {
            if (!ok) P.too_deep();
            else if (P.reach_ < P.depth_) P.reach_ = P.depth_;
        }
        ~DepthGuard() { P.depth_--; }
    };
    struct Measure { // reach_ starts again at depth_ while this lives
        Parser& P;
        int saved;
        explicit Measure(Parser& p) : P(p), saved(p.reach_) { p.reach_ = p.depth_; }
        int level() const { return P.reach_; } // the deepest level reached so far
        ~Measure() {
            if (saved > P.reach_) P.reach_ = saved;
        }
    };
    // A loop made a node at `level` (one more than the highest of its operands); false
    // (after reporting "nesting is too deep" at the current token) if that is too deep.
    bool chain_level(int level) {
        if (!level_ok(level)) return false;
        if (reach_ < level) reach_ = level;
        return true;
    }
    // The same for a node over an operand at level `first` whose other operands were
    // parsed under a DepthGuard (an argument, an index, `?:` arms, an assigned value):
    // their levels already count the step down to them.
    bool wrap_level(int first) { return chain_level(first + 1 > reach_ ? first + 1 : reach_); }
    // The check alone, at the token that starts a link (so the error points at it).
    bool level_ok(int level) {
        if (level <= kMaxParseDepth) return true;
        too_deep();
        return false;
    }
    // Reports "nesting is too deep" (once) and skips the statement (see parser.cpp).
    void too_deep();
    void end_panic() { // resynchronized: report errors again
        panic_ = false;
        skipping_ = false;
    }

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
    TypeArgs* try_generic_args(); // speculative, C# disambiguation; null: not type arguments
    TypeExpr* named_type(Ident name, Span s);
    bool is_primitive(Ident name) const;
    bool can_start_operand(const Token& t) const;

    // -- expressions (parse_expr.cpp) -----------------------------------------
    Expr* parse_expr();
    Expr* parse_assign();
    Expr* parse_range();
    Expr* ternary_tail(uint32_t b, Expr* c);
    Expr* catch_tail(uint32_t b, Expr* e);
    Expr* range_tail(uint32_t b, Expr* lo);
    Expr* parse_binary(int min_prec);
    Expr* parse_unary();
    Expr* parse_postfix(Expr* e);
    Expr* parse_primary();
    [[gnu::noinline]] Expr* parse_primary_other(); // all but names and integers
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
    Stmt* parse_for_destructure(uint32_t begin);
    Stmt* parse_select();
    bool parse_arm_body(Expr** e, Block** b); // `=> expr` / `=> { ... }` (after '=>')

    // -- declarations (parse_decl.cpp) ----------------------------------------
    Decl* parse_decl(TypeDecl* parent);
    Decl* reparse_decl_at(uint32_t begin, TypeDecl* parent); // reparse_decl (parser.h)
    Decl* parse_decl_inner(TypeDecl* parent);
    void parse_attributes(ArenaVec<Attribute>& out);
    uint32_t parse_modifiers(bool* is_gc);
    ImportDecl* parse_import();
    void parse_namespace(FileAst* f);
    Decl* parse_type_decl(uint32_t begin, uint32_t mods, bool is_gc, ArenaVec<Attribute> attrs, TypeDecl* parent);
    void parse_enum_body(TypeDecl* td);
    FuncDecl* parse_func_rest(FuncDecl* fd, bool allow_no_body);
    FieldDecl* field_decl(TypeExpr* type, Ident name, Span name_span, uint32_t mods, ArenaVec<Attribute>& attrs,
                          TypeDecl* parent);
    Decl* parse_property(uint32_t begin, TypeExpr* type, Ident name, Span name_span, uint32_t mods,
                         ArenaVec<Attribute>& attrs, TypeDecl* parent);
    // Named: `T x` (functions); Lambda: `T x` or untyped `x`; OptionalName: `T [x]`
    // (enum payloads and extern declarations, where C-style unnamed parameters are fine).
    enum class ParamStyle : uint8_t { Named, Lambda, OptionalName };
    void parse_params(ArenaVec<ParamDecl*>& out, ParamStyle style, bool* variadic = nullptr);
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
    // The token window (see tok()). Filling it is invisible to the grammar code, so the
    // window is `mutable` and the token accessors stay const.
    mutable const Token* cur_ = nullptr; // cur_[i] is token i for lo_ <= i < hi_
    mutable uint32_t lo_ = 0, hi_ = 0;
    mutable std::vector<TokenBatch> win_; // the batches from the oldest kept one on
    std::unique_ptr<TokenFeed> feed_; // where new tokens come from (parser.cpp)
    mutable bool feed_done_ = false;  // the feed has delivered the Eof token
    uint32_t keep_ = 0;         // tokens before this number may be dropped
    uint32_t p_ = 0;
    int depth_ = 0;
    int reach_ = 0;         // see Measure
    bool panic_ = false;
    bool fails_ = false; // a `fail`, `catch` or `Err` pattern was parsed (FileAst::fails)
    bool skipping_ = false; // too_deep() skipped ahead: no backtracking until end_panic()
    bool reported_too_deep_ = false;
    int spec_ = 0;          // > 0 while parsing speculatively
    bool spec_failed_ = false;
    uint32_t last_error_pos_ = UINT32_MAX; // position of the last reported error (dedupe)
    bool in_guard_ = false; // parsing a `when` guard: `x =>` ends the guard, it is no lambda
    // looks_like_lambda() results already known, as (token number of the '(', result),
    // sorted: one scan settles every '(' it passes, so nested parentheses are scanned
    // once, not once per level. Emptied at each statement (a scan never crosses one).
    mutable std::vector<std::pair<uint32_t, bool>> lambda_memo_;
    mutable std::vector<uint32_t> lambda_open_; // scratch: the '(' a scan has open
    // Scratch space for ListBuilder, one vector per element type.
    std::vector<Stmt*> stmt_scratch_;
    std::vector<Expr*> expr_scratch_;
    std::vector<TypeExpr*> type_scratch_;
    std::vector<ParamDecl*> param_scratch_;
    std::vector<LocalDecl*> local_scratch_;
    std::vector<Ident> ident_scratch_;
    std::vector<Arg> arg_scratch_;
    std::vector<FieldInit> init_scratch_;
    // Syntax errors wait here until the whole file is lexed, so that (as when the file
    // was lexed up front) all lexical errors are printed first, then the syntax errors.
    struct PendingError { Span span; std::string msg; };
    std::vector<PendingError> pending_errors_;
    // Interned names the grammar looks at.
    // Interned up front: the lexer thread owns the interner while the file is parsed.
    Ident id_get_, id_set_;
    Ident id_void_, id_underscore_, id_ok_, id_err_, id_timeout_, id_send_;
    Ident id_for_item_; // the hidden loop variable of `for (let (a, b) in xs)`
    Ident id_foreach_;  // C#'s loop, answered with a hint (parse_stmt)
    Ident suffix_ids_[16];
    Ident prim_[20];
    int nprim_ = 0;
};

} // namespace lang
