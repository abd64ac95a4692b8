// parse_stmt.cpp: statements and blocks.
//
// Every statement ends with ';' except blocks, the compound statements (if/while/for/
// select/unsafe/gc) and an expression statement that is a `match` ending in '}'.
// A block stops early (with an error) at a declaration keyword such as `public` or
// `class`, which cannot start a statement: that is almost always a missing '}'.
#include "parse/parser_impl.h"

namespace lang {

// block = "{" { stmt } "}"
Block* Parser::parse_block(const char* what) {
    uint32_t b = tok().span.begin;
    Block* blk = stmt_node<Block>(StmtKind::Block, tok().span);
    if (!at(Tok::LBrace)) {
        error_here("expected '{' %s, found %s", what, describe(tok()).c_str());
        return blk;
    }
    advance();
    ListBuilder<Stmt*> stmts(stmt_scratch_);
    while (!at(Tok::RBrace) && !at(Tok::Eof)) {
        if (at_local_modifier()) {
            // `static var depth = 0;`: a modifier on a local. Say so once and parse the
            // declaration as if the modifier were not there.
            if (at(Tok::KwStatic))
                error_here("a local variable cannot be 'static': declare a static field of the type instead "
                           "('static var int depth = 0;' in the class body)");
            else
                error_here("a local variable cannot be '%s'", tok_spelling(kind()));
            advance();
            continue;
        }
        if (at_decl_keyword() && !(at(Tok::KwGc) || at(Tok::KwTest))) {
            error_here("expected '}' to close the block before %s", describe(tok()).c_str());
            stmts.finish(arena_, blk->stmts);
            blk->span = span_from(b);
            return blk;
        }
        release_tokens();
        uint32_t start = p_;
        Stmt* s = parse_stmt();
        if (s) stmts.push(s);
        if (panic_ || p_ == start) sync_stmt(start);
    }
    stmts.finish(arena_, blk->stmts);
    if (at(Tok::Eof)) error_here("expected '}' to close the block, found end of file");
    else advance();
    blk->span = span_from(b);
    return blk;
}

// stmt = block | var-decl ";" | if | while | for | "break" ";" | "continue" ";"
//      | "return" [expr] ";" | "defer" stmt | "fail" expr ";" | select
//      | "unsafe" block | "gc" block | ";" | expr ";"
Stmt* Parser::parse_stmt() {
    DepthGuard g(*this);
    uint32_t b = tok().span.begin;
    if (!g.ok) return nullptr;
    switch (kind()) {
    case Tok::LBrace: return parse_block("");
    case Tok::KwLet: case Tok::KwVar: return parse_var_decl(true);
    case Tok::KwIf: return parse_if();
    case Tok::KwWhile: return parse_while();
    case Tok::KwFor: return parse_for();
    case Tok::Ident: // C#'s `foreach (var x in xs)`: said once, then parsed as the `for` it means
        if (tok().id() == id_foreach_ && peek().kind == Tok::LParen) {
            error_here("Lang has no 'foreach': write 'for (let x in xs)'");
            return parse_for();
        }
        break;
    case Tok::KwSelect: return parse_select();
    case Tok::Semi: advance(); return stmt_node<Stmt>(StmtKind::Empty, span_from(b));
    case Tok::KwBreak: case Tok::KwContinue: {
        bool is_break = advance().kind == Tok::KwBreak;
        JumpStmt* j = stmt_node<JumpStmt>(is_break ? StmtKind::Break : StmtKind::Continue, Span{});
        expect_semi(is_break ? "after 'break'" : "after 'continue'");
        j->span = span_from(b);
        return j;
    }
    case Tok::KwReturn: {
        advance();
        ReturnStmt* r = stmt_node<ReturnStmt>(StmtKind::Return, Span{});
        r->value = at(Tok::Semi) || at(Tok::RBrace) ? nullptr : parse_expr();
        expect_semi(r->value ? "after return value" : "after 'return'");
        r->span = span_from(b);
        return r;
    }
    case Tok::KwDefer: {
        advance();
        DeferStmt* d = stmt_node<DeferStmt>(StmtKind::Defer, Span{});
        d->body = parse_stmt();
        if (!d->body) d->body = stmt_node<Stmt>(StmtKind::Empty, tok().span);
        d->span = span_from(b);
        return d;
    }
    case Tok::KwFail: {
        advance();
        fails_ = true;
        FailStmt* f = stmt_node<FailStmt>(StmtKind::Fail, Span{});
        f->error = parse_expr();
        expect_semi("after 'fail' expression");
        f->span = span_from(b);
        return f;
    }
    case Tok::KwUnsafe: case Tok::KwGc:
        if (peek().kind == Tok::LBrace) {
            bool is_gc = advance().kind == Tok::KwGc;
            UnsafeStmt* u = stmt_node<UnsafeStmt>(is_gc ? StmtKind::GcBlock : StmtKind::Unsafe, Span{});
            u->body = parse_block("");
            u->span = span_from(b);
            return u;
        }
        error_here("expected '{' after '%s', found %s", tok_spelling(kind()), describe(peek()).c_str());
        advance();
        return nullptr;
    default:
        break;
    }
    // C# habit: `int x = 5;` / `List<int> xs;` / `(int) => int f = ...;`. Report it and parse
    // it as a `var` declaration. (A statement that starts with '(' is tried as a type too:
    // a function or tuple type is one only when a name and '=' or ';' follow.)
    if ((at(Tok::Ident) && (peek().kind == Tok::Ident || peek().kind == Tok::Lt || peek().kind == Tok::LBracket ||
                            peek().kind == Tok::Question || peek().kind == Tok::Dot)) ||
        at(Tok::LParen)) {
        uint32_t save = p_;
        bool saved_failed = spec_failed_;
        spec_failed_ = false;
        spec_++;
        TypeExpr* t = parse_type(false);
        bool is_decl = !spec_failed_ && at(Tok::Ident) && (peek().kind == Tok::Eq || peek().kind == Tok::Semi);
        spec_--;
        spec_failed_ = saved_failed;
        if (is_decl) {
            error_at(t->span, "local variables are declared with 'let' or 'var' (e.g. 'var %s: %s = ...')",
                     tok().id().c_str(), dump_type(t).c_str());
            VarDeclStmt* v = stmt_node<VarDeclStmt>(StmtKind::VarDecl, Span{});
            v->is_mutable = true;
            v->type = t;
            LocalDecl* l = decl_node<LocalDecl>(DeclKind::Local, tok().span);
            l->name_span = tok().span;
            l->name = advance().id();
            l->is_mutable = true;
            l->type_expr = t;
            v->names.push(arena_, l);
            if (accept(Tok::Eq)) v->init = l->init = parse_expr();
            end_panic(); // the declaration is understood; keep checking the rest
            expect_semi("after variable declaration");
            v->span = l->span = span_from(b);
            return v;
        }
        seek(save);
    }
    ExprStmt* s = stmt_node<ExprStmt>(StmtKind::Expr, Span{});
    s->expr = parse_expr();
    bool match_block = s->expr->kind == ExprKind::Match && p_ > 0 && tok_at(p_ - 1).kind == Tok::RBrace;
    if (!(match_block && !at(Tok::Semi))) {
        if (!at(Tok::Semi) && !panic_ && (tok().flags & TF_NEWLINE) == 0 && !at(Tok::RBrace) && !at(Tok::Eof))
            error_here("expected ';' after expression, found %s", describe(tok()).c_str());
        else
            expect_semi("after expression");
    }
    s->span = span_from(b);
    return s;
}

// var-decl = ("let" | "var") (ident | "(" ident {"," ident} ")") [":" type] ["=" expr]
Stmt* Parser::parse_var_decl(bool need_semi) {
    uint32_t b = tok().span.begin;
    bool mut = advance().kind == Tok::KwVar;
    VarDeclStmt* v = stmt_node<VarDeclStmt>(StmtKind::VarDecl, Span{});
    v->is_mutable = mut;
    ListBuilder<LocalDecl*> names(local_scratch_);
    auto add = [&](Span s, Ident name) {
        LocalDecl* l = decl_node<LocalDecl>(DeclKind::Local, s);
        l->name_span = s;
        l->name = name;
        l->is_mutable = mut;
        if (mut) l->mods |= M_VAR;
        names.push(l);
    };
    if (at(Tok::LParen)) {
        advance();
        v->destructure = true;
        while (!at(Tok::RParen) && !at(Tok::Eof)) {
            Span s = tok().span;
            Ident id = expect_ident("variable name in destructuring");
            if (!id) break;
            add(s, id);
            if (!accept(Tok::Comma)) break;
        }
        expect(Tok::RParen, "to close the destructuring");
    } else {
        Span s = tok().span;
        Ident id = expect_ident(mut ? "variable name after 'var'" : "variable name after 'let'");
        if (!id) return v;
        add(s, id);
    }
    names.finish(arena_, v->names);
    if (accept(Tok::Colon)) v->type = parse_type(false);
    if (accept(Tok::Eq)) v->init = parse_expr();
    if (need_semi) expect_semi("after variable declaration");
    v->span = span_from(b);
    for (LocalDecl* l : v->names) {
        l->span = v->span;
        l->type_expr = v->type;
        l->init = v->destructure ? nullptr : v->init;
    }
    return v;
}

// After `for (`, at `let (a, b) in xs) body`.
Stmt* Parser::parse_for_destructure(uint32_t b) {
    ForInStmt* f = stmt_node<ForInStmt>(StmtKind::ForIn, Span{});
    Span vspan = tok().span;
    auto* v = static_cast<VarDeclStmt*>(parse_var_decl(false)); // `let (a, b)`, stops at `in`
    f->is_mutable = v->is_mutable;
    LocalDecl* item = decl_node<LocalDecl>(DeclKind::Local, vspan);
    item->name_span = vspan;
    item->name = id_for_item_;
    f->var = item;
    advance(); // in
    f->iterable = parse_expr();
    expect(Tok::RParen, "after the 'for' iterable");
    NameExpr* ref = expr_node<NameExpr>(ExprKind::Name, vspan);
    ref->name = id_for_item_;
    v->init = ref;
    Stmt* body = parse_stmt();
    Block* blk = stmt_node<Block>(StmtKind::Block, body ? body->span : vspan);
    blk->stmts.push(arena_, v);
    if (body) blk->stmts.push(arena_, body);
    f->body = blk;
    f->span = span_from(b);
    return f;
}

// if = "if" "(" expr ")" stmt ["else" stmt]
Stmt* Parser::parse_if() {
    uint32_t b = tok().span.begin;
    advance();
    IfStmt* s = stmt_node<IfStmt>(StmtKind::If, Span{});
    expect(Tok::LParen, "after 'if'");
    s->cond = parse_expr();
    expect(Tok::RParen, "after the 'if' condition");
    s->then_s = parse_stmt();
    if (accept(Tok::KwElse)) s->else_s = parse_stmt();
    s->span = span_from(b);
    return s;
}

// while = "while" "(" expr ")" stmt
Stmt* Parser::parse_while() {
    uint32_t b = tok().span.begin;
    advance();
    WhileStmt* s = stmt_node<WhileStmt>(StmtKind::While, Span{});
    expect(Tok::LParen, "after 'while'");
    s->cond = parse_expr();
    expect(Tok::RParen, "after the 'while' condition");
    s->body = parse_stmt();
    s->span = span_from(b);
    return s;
}

// for    = "for" "(" ("let" | "var") (ident | "(" ident {"," ident} ")") "in" expr ")" stmt
//        | "for" "(" [var-decl | expr] ";" [expr] ";" [expr] ")" stmt
// `for (let (a, b) in xs) s` is `for (let $item in xs) { let (a, b) = $item; s }` (spec 5.1).
Stmt* Parser::parse_for() {
    uint32_t b = tok().span.begin;
    advance();
    expect(Tok::LParen, "after 'for'");
    bool decl = at(Tok::KwLet) || at(Tok::KwVar);
    if (decl && peek().kind == Tok::LParen) { // a destructuring for-in? ( ident {, ident} ) in
        uint32_t k = 2;
        while (peek(k).kind == Tok::Ident && peek(k + 1).kind == Tok::Comma) k += 2;
        if (peek(k).kind == Tok::Ident && peek(k + 1).kind == Tok::RParen && peek(k + 2).kind == Tok::KwIn)
            return parse_for_destructure(b);
    }
    if ((decl && peek().kind == Tok::Ident && peek(2).kind == Tok::KwIn) ||
        (at(Tok::Ident) && peek().kind == Tok::KwIn)) {
        ForInStmt* f = stmt_node<ForInStmt>(StmtKind::ForIn, Span{});
        f->is_mutable = decl && advance().kind == Tok::KwVar;
        LocalDecl* l = decl_node<LocalDecl>(DeclKind::Local, tok().span);
        l->name_span = tok().span;
        l->name = advance().id();
        l->is_mutable = f->is_mutable;
        f->var = l;
        advance(); // in
        f->iterable = parse_expr();
        expect(Tok::RParen, "after the 'for' iterable");
        f->body = parse_stmt();
        f->span = span_from(b);
        return f;
    }
    ForStmt* f = stmt_node<ForStmt>(StmtKind::For, Span{});
    if (decl) {
        f->init = parse_var_decl(false);
    } else if (!at(Tok::Semi)) {
        uint32_t ib = tok().span.begin;
        ExprStmt* es = stmt_node<ExprStmt>(StmtKind::Expr, Span{});
        es->expr = parse_expr();
        es->span = span_from(ib);
        f->init = es;
    }
    expect(Tok::Semi, "after the 'for' initializer");
    if (!at(Tok::Semi)) f->cond = parse_expr();
    expect(Tok::Semi, "after the 'for' condition");
    if (!at(Tok::RParen)) f->step = parse_expr();
    expect(Tok::RParen, "after the 'for' clauses");
    f->body = parse_stmt();
    f->span = span_from(b);
    return f;
}

// arm-body = expr | block      (after "=>")
// A block here is a level of its own (a statement block is one through parse_stmt).
bool Parser::parse_arm_body(Expr** e, Block** b) {
    if (at(Tok::LBrace)) {
        DepthGuard g(*this);
        if (!g.ok) return false;
        *b = parse_block("");
        return true;
    }
    *e = parse_expr();
    return true;
}

// select = "select" "{" { case } "}"
// case   = "case" [("let" | "var") ident "="] expr "=>" arm-body [";" | ","]
//        | "default" "=>" arm-body [";" | ","]
Stmt* Parser::parse_select() {
    uint32_t b = tok().span.begin;
    advance();
    SelectStmt* s = stmt_node<SelectStmt>(StmtKind::Select, Span{});
    if (!expect(Tok::LBrace, "after 'select'")) return s;
    while (!at(Tok::RBrace) && !at(Tok::Eof)) {
        uint32_t start = p_;
        SelectCase sc;
        sc.span = tok().span;
        if (accept(Tok::KwDefault)) {
            sc.kind = SelectCase::Default;
        } else if (accept(Tok::KwCase)) {
            sc.kind = SelectCase::Recv;
            if (at(Tok::KwLet) || at(Tok::KwVar)) {
                bool mut = advance().kind == Tok::KwVar;
                LocalDecl* l = decl_node<LocalDecl>(DeclKind::Local, tok().span);
                l->name_span = tok().span;
                l->name = expect_ident("variable name in select case");
                l->is_mutable = mut;
                sc.bind = l;
                expect(Tok::Eq, "after the select case variable");
            }
            sc.op = parse_expr();
            if (sc.op->kind == ExprKind::Call) {
                Expr* callee = static_cast<CallExpr*>(sc.op)->callee;
                if (callee->kind == ExprKind::Name && static_cast<NameExpr*>(callee)->name == id_timeout_)
                    sc.kind = SelectCase::Timeout;
                else if (callee->kind == ExprKind::Member && static_cast<MemberExpr*>(callee)->name == id_send_)
                    sc.kind = SelectCase::Send;
            }
        } else {
            error_here("expected 'case' or 'default' in select, found %s", describe(tok()).c_str());
        }
        if (!panic_ && expect(Tok::FatArrow, "after the select case")) parse_arm_body(&sc.body_expr, &sc.body_block);
        sc.span = span_from(sc.span.begin);
        if (!panic_) {
            if (!accept(Tok::Semi) && !accept(Tok::Comma) && !sc.body_block && !at(Tok::RBrace))
                expect_semi("after the select case");
            s->cases.push(arena_, sc);
        }
        if (panic_ || p_ == start) sync_stmt(start);
    }
    expect(Tok::RBrace, "to close the select");
    s->span = span_from(b);
    return s;
}

} // namespace lang
