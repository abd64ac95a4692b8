// parser.cpp: parser driver, diagnostics and error recovery (see parser_impl.h).
//
// Recovery points: statements resynchronize at ';' (consumed), '}' or a keyword that
// starts a statement on a new line; declarations at ';' or '}' at brace depth zero or a
// declaration keyword. A resync always consumes at least one token when the failed
// construct consumed none, which is what guarantees termination.
#include "parse/parser_impl.h"
#include <cassert>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

namespace lang {

// The lexer delivers batches of about this many tokens.
constexpr uint32_t kLexBatch = 1024;
// Files at least this big are lexed on a second thread while the parser runs.
constexpr size_t kLexThreadFrom = 64 << 10;

// The lexer's side of the token window. For a big file the lexer runs on its own thread,
// ahead of the parser, and hands over batches of tokens through a small queue; lexing is
// about half of the front end's time before sema, and the second core is idle then. For
// small files it runs in the parser's thread, one batch per request. Either way the
// parser sees the same tokens in the same order. Batches change hands by moving their
// storage (never by copying tokens), and the parser gives each batch it is done with back
// as storage for a later one, so the lexer writes into memory that is already mapped and
// probably in the cache.
// While the thread runs it alone uses the interner, the `names` arena and the diagnostics
// (the parser allocates AST nodes in `arena` and keeps its syntax errors until the end),
// so nothing is shared but the queue.
class TokenFeed {
public:
    TokenFeed(Compilation& c, uint32_t file) : lexer_(c, file) {
        if (c.sources.file(file).text.size() >= kLexThreadFrom) thread_ = std::thread([this] { run(); });
    }
    ~TokenFeed() { finish(); }
    // Replaces `into` with the next batch (the storage `into` had is reused); false once
    // every token was delivered.
    bool next(TokenBatch& into) {
        if (!thread_.joinable() && !finished_) {
            if (lexed_all_) return false;
            lexed_all_ = lex_batch(into);
            return true;
        }
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return !ready_.empty() || lexed_all_; });
        if (ready_.empty()) return false;
        if (into.data) free_.push_back(std::move(into));
        into = std::move(ready_.front());
        ready_.pop_front();
        return true;
    }
    // Waits for the lexer thread (so that every lexical error has been reported).
    void finish() {
        if (thread_.joinable()) thread_.join();
        finished_ = true;
    }

private:
    // Lexes the next batch into `b` (emptied first); true once it holds the Eof token.
    bool lex_batch(TokenBatch& b) {
        b.len = 0;
        b.first = next_first_;
        b.reserve(kLexBatch + 64);
        bool end = lexer_.lex_into(b, kLexBatch);
        next_first_ += b.len;
        return end;
    }
    void run() { // the lexer thread
        TokenBatch b;
        for (bool end = false; !end;) {
            end = lex_batch(b);
            {
                std::lock_guard<std::mutex> lock(mu_);
                ready_.push_back(std::move(b));
                if (!free_.empty()) {
                    b = std::move(free_.back());
                    free_.pop_back();
                }
                if (end) lexed_all_ = true;
            }
            cv_.notify_one();
        }
    }

    Lexer lexer_;
    uint32_t next_first_ = 0; // number of the next token to lex
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<TokenBatch> ready_;
    std::vector<TokenBatch> free_; // storage the parser is done with
    bool lexed_all_ = false; // (guarded by mu_ when threaded)
    bool finished_ = false;
};

Parser::Parser(Compilation& c, uint32_t file) : c_(c), arena_(c.arena), file_(file) {
    Interner& in = c.interner;
    id_void_ = in.intern("void");
    id_get_ = in.intern("get");
    id_set_ = in.intern("set");
    id_underscore_ = in.intern("_");
    id_ok_ = in.intern("Ok");
    id_err_ = in.intern("Err");
    id_timeout_ = in.intern("Timeout");
    id_send_ = in.intern("Send");
    id_for_item_ = in.intern("$item");
    id_foreach_ = in.intern("foreach");
    static const char* const prims[] = {"bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "int",
                                        "byte", "f32", "f64", "float", "double", "char", "string", "cstring", "uint"};
    for (const char* s : prims) prim_[nprim_++] = in.intern(s);
    for (int k = 0; k <= (int)LitSuffix::F64; k++) suffix_ids_[k] = in.intern(suffix_text((LitSuffix)k));
    feed_ = std::make_unique<TokenFeed>(c, file); // from here on the interner is the lexer's
    enter(0); // the window always holds the current token
}

Parser::~Parser() = default;

// -- tokens ----------------------------------------------------------------------

// Appends the feed's next batch to the window; false at the end of the file. Batches
// that hold only released tokens are dropped first (their storage goes back to the feed).
bool Parser::fetch() const {
    if (feed_done_) return false;
    size_t drop = 0;
    while (drop + 1 < win_.size() && win_[drop].first + win_[drop].len <= keep_) drop++;
    TokenBatch into;
    if (drop) {
        into = std::move(win_[0]);
        win_.erase(win_.begin(), win_.begin() + drop);
    }
    if (!feed_->next(into)) {
        feed_done_ = true;
        return false;
    }
    win_.push_back(std::move(into));
    return true;
}

const Token& Parser::fill(uint32_t i) const {
    assert(i >= keep_ && "a released token was looked at again");
    for (;;) {
        if (win_.empty() || i >= win_.back().first + win_.back().len) {
            if (fetch()) continue;
            return win_.back().data[win_.back().len - 1]; // past the end: the Eof token
        }
        // The batch holding token i: the last one starting at or before i (binary search:
        // a long look-ahead such as looks_like_lambda() may span hundreds of batches).
        size_t lo = 0, hi = win_.size() - 1;
        while (lo < hi) {
            size_t mid = (lo + hi + 1) / 2;
            if (win_[mid].first <= i) lo = mid;
            else hi = mid - 1;
        }
        return win_[lo].data[i - win_[lo].first];
    }
}

void Parser::enter(uint32_t i) const {
    const Token* t = &fill(i);
    for (const TokenBatch& b : win_) {
        if (t >= b.data && t < b.data + b.len) {
            cur_ = b.data - b.first;
            lo_ = b.first;
            hi_ = b.first + b.len;
            return;
        }
    }
}

// -- diagnostics ---------------------------------------------------------------

void Parser::error_at(Span s, const char* fmt, ...) {
    if (spec_) {
        spec_failed_ = true;
        return;
    }
    if (panic_) return;
    panic_ = true;
    if (s.begin == last_error_pos_) return; // one error per position
    last_error_pos_ = s.begin;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pending_errors_.push_back(PendingError{s, msg});
}

void Parser::error_here(const char* fmt, ...) {
    if (spec_) {
        spec_failed_ = true;
        return;
    }
    if (panic_) return;
    if (tok().flags & TF_BAD) { // the lexer already reported this token
        panic_ = true;
        return;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    error_at(tok().span, "%s", msg);
}

// Nesting deeper than kMaxParseDepth: the error is reported once (also while parsing
// speculatively: the other reading of the same tokens nests as deep), then the parser
// skips to the ';' or '}' that ends the statement around it, counting only braces (the
// deep part may leave parentheses open), and stays in panic mode without backtracking
// (seek) until a statement or declaration loop resynchronizes. So every enclosing level
// returns at once instead of parsing the deep rest again, and the run stays linear.
void Parser::too_deep() {
    if (!reported_too_deep_ && !panic_) {
        reported_too_deep_ = true;
        int saved_spec = spec_;
        spec_ = 0;
        error_here("nesting is too deep (the limit is %d levels)", kMaxParseDepth);
        spec_ = saved_spec;
    }
    if (spec_) spec_failed_ = true;
    panic_ = true;
    skipping_ = true;
    int braces = 0;
    while (!at(Tok::Eof)) {
        if (at(Tok::LBrace)) {
            braces++;
        } else if (at(Tok::RBrace)) {
            if (braces == 0) break;
            braces--;
        } else if (at(Tok::Semi) && braces == 0) {
            break;
        }
        advance();
        release_tokens();
    }
}

std::string Parser::describe(const Token& t) const {
    switch (t.kind) {
    case Tok::Eof: return "end of file";
    case Tok::Ident: return std::string("identifier '") + std::string(t.id().view()) + "'";
    case Tok::Int: return "integer literal";
    case Tok::Float: return "float literal";
    case Tok::Char: return "character literal";
    case Tok::String: return "string literal";
    case Tok::InterpBegin: return "interpolated string";
    case Tok::InterpText: return "string text";
    case Tok::HoleFormat: return "format specifier";
    case Tok::HoleBegin: return "'{'";
    case Tok::HoleEnd: return "'}'";
    case Tok::InterpEnd: return "end of string";
    default: return std::string("'") + tok_spelling(t.kind) + "'";
    }
}

bool Parser::expect_failed(Tok k, const char* context) {
    error_here("expected '%s' %s, found %s", tok_spelling(k), context, describe(tok()).c_str());
    return false;
}

void Parser::expect_semi_failed(const char* context) {
    if (p_ > 0 && (tok_at(p_ - 1).flags & TF_BAD)) return; // the literal swallowed the ';'
    // Point just after the previous token: that is where the ';' belongs.
    uint32_t e = prev_end();
    error_at(Span{file_, e, e}, "expected ';' %s", context);
}

Ident Parser::expect_ident_failed(const char* what) {
    error_here("expected %s, found %s", what, describe(tok()).c_str());
    return Ident();
}

Expr* Parser::error_expr(Span s) { return expr_node<NameExpr>(ExprKind::Name, s); }

static bool starts_statement(Tok k) {
    switch (k) {
    case Tok::KwLet: case Tok::KwVar: case Tok::KwIf: case Tok::KwWhile: case Tok::KwFor:
    case Tok::KwReturn: case Tok::KwBreak: case Tok::KwContinue: case Tok::KwDefer:
    case Tok::KwFail: case Tok::KwSelect: case Tok::KwMatch:
        return true;
    default:
        return false;
    }
}

// A declaration modifier right before `let`/`var`: a local declared like a member.
bool Parser::at_local_modifier() const {
    switch (kind()) {
    case Tok::KwPublic: case Tok::KwPrivate: case Tok::KwProtected: case Tok::KwStatic:
    case Tok::KwAbstract: case Tok::KwVirtual: case Tok::KwOverride: case Tok::KwSealed:
        return peek().kind == Tok::KwLet || peek().kind == Tok::KwVar;
    default:
        return false;
    }
}

bool Parser::at_decl_keyword() const {
    switch (kind()) {
    case Tok::KwPublic: case Tok::KwPrivate: case Tok::KwProtected: case Tok::KwStatic:
    case Tok::KwClass: case Tok::KwStruct: case Tok::KwInterface: case Tok::KwEnum:
    case Tok::KwExtern: case Tok::KwExport: case Tok::KwNamespace: case Tok::KwImport:
    case Tok::KwAbstract: case Tok::KwVirtual: case Tok::KwOverride: case Tok::KwSealed:
        return true;
    case Tok::KwTest: return peek().kind == Tok::String;
    case Tok::KwGc: return peek().kind == Tok::KwClass;
    default:
        return false;
    }
}

void Parser::sync_stmt(uint32_t start) {
    // The failed statement already reached its end (';' or a closing '}'): resume here.
    if (p_ > start && (tok_at(p_ - 1).kind == Tok::Semi || tok_at(p_ - 1).kind == Tok::RBrace)) {
        end_panic();
        return;
    }
    if (p_ == start && !at(Tok::Eof) && !at(Tok::RBrace)) advance();
    int depth = 0;
    while (!at(Tok::Eof)) {
        if (depth == 0) {
            if (at(Tok::Semi)) { advance(); break; }
            if (at(Tok::RBrace)) break;
            if ((tok().flags & TF_NEWLINE) && (starts_statement(kind()) || at_decl_keyword())) break;
        }
        if (at(Tok::LBrace)) depth++;
        else if (at(Tok::RBrace)) depth--;
        advance();
    }
    end_panic();
}

void Parser::sync_decl(uint32_t start, bool in_type) {
    if (p_ > start && (tok_at(p_ - 1).kind == Tok::Semi || tok_at(p_ - 1).kind == Tok::RBrace)) {
        end_panic();
        return;
    }
    if (p_ == start && !at(Tok::Eof)) {
        if (!(in_type && at(Tok::RBrace))) advance();
    }
    int depth = 0;
    while (!at(Tok::Eof)) {
        if (depth == 0) {
            if (at(Tok::Semi)) { advance(); break; }
            if (at(Tok::RBrace)) {
                if (!in_type) advance();
                break;
            }
            if (at_decl_keyword() || (at(Tok::LBracket) && (tok().flags & TF_NEWLINE))) break;
        }
        if (at(Tok::LBrace)) depth++;
        else if (at(Tok::RBrace)) {
            depth--;
            if (depth == 0) { advance(); break; } // end of a skipped body
        }
        advance();
    }
    end_panic();
}

// -- file --------------------------------------------------------------------

// file = ["namespace" path ";"] { import | decl }
FileAst* Parser::parse() {
    FileAst* f = arena_.make<FileAst>();
    f->file_id = file_;
    bool first = true;
    while (!at(Tok::Eof)) {
        release_tokens();
        uint32_t start = p_;
        if (at(Tok::KwNamespace)) {
            if (!first) error_here("the 'namespace' declaration must come first in the file");
            parse_namespace(f);
        } else if (at(Tok::KwImport)) {
            if (ImportDecl* im = parse_import()) f->imports.push(arena_, im);
        } else if (at(Tok::RBrace)) {
            error_here("unexpected '}' at top level");
            advance();
        } else {
            if (Decl* d = parse_decl(nullptr)) f->decls.push(arena_, d);
        }
        first = false;
        if (panic_ || p_ == start) sync_decl(start, false);
    }
    f->fails = fails_;
    feed_->finish(); // every lexical error is out before the syntax errors
    for (const PendingError& e : pending_errors_) c_.diag.error(e.span, "%s", e.msg.c_str());
    return f;
}

// namespace = "namespace" path ";"
void Parser::parse_namespace(FileAst* f) {
    uint32_t b = tok().span.begin;
    advance();
    ArenaVec<Ident> path;
    parse_path(path, "namespace name");
    if (f->ns_path.empty()) {
        f->ns_path = path;
        f->ns_span = span_from(b);
    }
    expect_semi("after namespace declaration");
}

// path = ident { "." ident }
void Parser::parse_path(ArenaVec<Ident>& out, const char* what) {
    Ident id = expect_ident(what);
    if (!id) return;
    ListBuilder<Ident> path(ident_scratch_);
    path.push(id);
    while (at(Tok::Dot) && peek().kind == Tok::Ident) {
        advance();
        path.push(advance().id());
    }
    path.finish(arena_, out);
}

// import = "import" [ident "="] path ";"
ImportDecl* Parser::parse_import() {
    uint32_t b = tok().span.begin;
    advance();
    ImportDecl* im = decl_node<ImportDecl>(DeclKind::Import, tok().span);
    if (at(Tok::Ident) && peek().kind == Tok::Eq) {
        im->alias = advance().id();
        advance();
    }
    uint32_t nb = tok().span.begin;
    parse_path(im->path, "namespace name after 'import'");
    im->name_span = span_from(nb);
    if (!im->path.empty()) im->name = im->alias ? im->alias : im->path.back();
    expect_semi("after import");
    im->span = span_from(b);
    return im;
}

FileAst* parse_file(Compilation& c, uint32_t file_id) {
    Parser p(c, file_id);
    return p.parse();
}

// A fresh copy of the declaration starting at byte `begin` of the file (sema makes each
// generic instance from its own copy). The file parsed once already, so it parses again
// without errors.
Decl* reparse_decl(Compilation& c, uint32_t file_id, uint32_t begin, TypeDecl* parent) {
    Parser p(c, file_id);
    return p.reparse_decl_at(begin, parent);
}

Decl* Parser::reparse_decl_at(uint32_t begin, TypeDecl* parent) {
    while (!at(Tok::Eof) && tok().span.begin < begin) {
        advance();
        release_tokens();
    }
    if (at(Tok::Eof)) return nullptr;
    Decl* d = parse_decl(parent);
    feed_->finish();
    return d;
}

} // namespace lang
