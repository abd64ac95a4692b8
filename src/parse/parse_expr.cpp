// parse_expr.cpp: expressions and patterns.
//
// Precedence, lowest first:
//   assignment (= += -= *= /= %= &= |= ^= <<= >>= ??=, right)  <  ?: (right)  <  catch
//   <  .. ..=  <  ?? (right)  <  ||  <  &&  <  |  <  ^  <  &  <  == !=
//   <  < > <= >= is as  <  << >>  <  + -  <  * / %  <  unary (- ! ~ * & try spawn cast)
//   <  postfix (. ?. [] () .0)
// Lambdas (`x => e`, `(params) => e`) are primaries whose body extends as far as possible.
// A parenthesized type is a cast when it names a primitive type, or when the token after
// `)` can start an operand and is not a binary operator (C#'s rule).
#include "parse/parser_impl.h"
#include <algorithm>

namespace lang {

// expr = assignment
Expr* Parser::parse_expr() {
    DepthGuard g(*this);
    if (!g.ok) return error_expr(tok().span);
    return parse_assign();
}

static bool assign_op(Tok k, BinOp* op) {
    switch (k) {
    case Tok::PlusEq: *op = BinOp::Add; return true;
    case Tok::MinusEq: *op = BinOp::Sub; return true;
    case Tok::StarEq: *op = BinOp::Mul; return true;
    case Tok::SlashEq: *op = BinOp::Div; return true;
    case Tok::PercentEq: *op = BinOp::Mod; return true;
    case Tok::AmpEq: *op = BinOp::BitAnd; return true;
    case Tok::PipeEq: *op = BinOp::BitOr; return true;
    case Tok::CaretEq: *op = BinOp::BitXor; return true;
    case Tok::ShlEq: *op = BinOp::Shl; return true;
    case Tok::QuestionQuestionEq: *op = BinOp::Coalesce; return true;
    case Tok::PlusPercentEq: *op = BinOp::AddWrap; return true;
    case Tok::MinusPercentEq: *op = BinOp::SubWrap; return true;
    case Tok::StarPercentEq: *op = BinOp::MulWrap; return true;
    default: return false;
    }
}

// assignment = ternary [assign-op expr]   (see ternary_tail, catch_tail, range_tail)
// The levels between assignment and binary (ternary, catch, range) each parse their
// first operand and then look at one token, and they all start at the same token. So
// parse_assign calls parse_binary directly and then applies their tails in the same
// order: the same tree, three calls fewer per expression.
// Each tail wraps what came before in one more node, one level above all of it.
Expr* Parser::parse_assign() {
    uint32_t b = tok().span.begin;
    Measure m(*this);
    Expr* lhs = parse_binary(1);
    if (at(Tok::DotDot) || at(Tok::DotDotEq)) lhs = range_tail(b, lhs);
    if (at(Tok::KwCatch)) lhs = catch_tail(b, lhs);
    if (at(Tok::Question)) lhs = ternary_tail(b, lhs);
    BinOp op = BinOp::Add;
    bool compound;
    if (at(Tok::Eq)) {
        compound = false;
        advance();
    } else if (assign_op(kind(), &op)) {
        compound = true;
        advance();
    } else if (at(Tok::Gt) && peek().kind == Tok::Ge && peek().span.begin == tok().span.end) {
        compound = true; // `>>=` is lexed as `>` `>=`
        op = BinOp::Shr;
        advance();
        advance();
    } else {
        return lhs;
    }
    AssignExpr* a = expr_node<AssignExpr>(ExprKind::Assign, Span{});
    a->compound = compound;
    a->op = op;
    a->target = lhs;
    int first = m.level();
    a->value = parse_expr();
    a->span = span_from(b);
    wrap_level(first);
    return a;
}

// ternary = catch ["?" expr ":" expr]
// At '?' after the condition `c`, which began at byte `b`.
Expr* Parser::ternary_tail(uint32_t b, Expr* c) {
    int first = reach_; // (the caller measures from the condition on)
    advance();
    TernaryExpr* t = expr_node<TernaryExpr>(ExprKind::Ternary, Span{});
    t->cond = c;
    t->then_e = parse_expr();
    expect(Tok::Colon, "in conditional expression");
    t->else_e = parse_expr();
    t->span = span_from(b);
    wrap_level(first);
    return t;
}

// catch = range { "catch" ( "(" ident ")" "=>" (expr | block) | range ) }
// At 'catch' after the operand `e`, which began at byte `b`. The caller measures from `e`
// on; a chain of catches counts one level per `catch`.
Expr* Parser::catch_tail(uint32_t b, Expr* e) {
    while (at(Tok::KwCatch)) {
        if (!level_ok(reach_ + 1)) break;
        advance();
        fails_ = true;
        CatchExpr* c = expr_node<CatchExpr>(ExprKind::Catch, Span{});
        c->operand = e;
        if (at(Tok::LParen) && peek(1).kind == Tok::Ident && peek(2).kind == Tok::RParen &&
            peek(3).kind == Tok::FatArrow) {
            advance();
            c->err_name = advance().id();
            advance();
            advance();
            parse_arm_body(&c->handler_expr, &c->handler_block);
        } else {
            c->handler_expr = parse_range();
        }
        c->span = span_from(b);
        e = c;
        if (!chain_level(reach_ + 1)) break;
    }
    return e;
}

// range = binary [(".." | "..=") binary]
Expr* Parser::parse_range() {
    uint32_t b = tok().span.begin;
    Measure m(*this);
    Expr* lo = parse_binary(1);
    if (!at(Tok::DotDot) && !at(Tok::DotDotEq)) return lo;
    return range_tail(b, lo);
}

// At '..' or '..=' after the low bound `lo`, which began at byte `b`.
Expr* Parser::range_tail(uint32_t b, Expr* lo) {
    bool incl = advance().kind == Tok::DotDotEq;
    RangeExpr* r = expr_node<RangeExpr>(ExprKind::Range, Span{});
    r->lo = lo;
    r->inclusive = incl;
    r->hi = parse_binary(1);
    r->span = span_from(b);
    chain_level(reach_ + 1); // (the caller measures from `lo` on)
    return r;
}

// Binary operator at the current token: precedence (0 = none) and operator; `>>` is two
// adjacent `>` tokens (ntoks = 2).
static int binary_prec(const Parser& P, BinOp* op, int* ntoks) {
    *ntoks = 1;
    switch (P.kind()) {
    case Tok::QuestionQuestion: *op = BinOp::Coalesce; return 1;
    case Tok::PipePipe: *op = BinOp::Or; return 2;
    case Tok::AmpAmp: *op = BinOp::And; return 3;
    case Tok::Pipe: *op = BinOp::BitOr; return 4;
    case Tok::Caret: *op = BinOp::BitXor; return 5;
    case Tok::Amp: *op = BinOp::BitAnd; return 6;
    case Tok::EqEq: *op = BinOp::Eq; return 7;
    case Tok::BangEq: *op = BinOp::Ne; return 7;
    case Tok::Lt: *op = BinOp::Lt; return 8;
    case Tok::Le: *op = BinOp::Le; return 8;
    case Tok::Ge: *op = BinOp::Ge; return 8;
    case Tok::KwIs: case Tok::KwAs: return 8;
    case Tok::Gt: {
        const Token& n = P.peek();
        if (n.span.begin == P.tok().span.end) {
            if (n.kind == Tok::Gt) { *op = BinOp::Shr; *ntoks = 2; return 9; }
            if (n.kind == Tok::Ge) return 0; // `>>=`: assignment
        }
        *op = BinOp::Gt;
        return 8;
    }
    case Tok::Shl: *op = BinOp::Shl; return 9;
    case Tok::Plus: *op = BinOp::Add; return 10;
    case Tok::Minus: *op = BinOp::Sub; return 10;
    case Tok::Star: *op = BinOp::Mul; return 11;
    case Tok::PlusPercent: *op = BinOp::AddWrap; return 10;
    case Tok::MinusPercent: *op = BinOp::SubWrap; return 10;
    case Tok::StarPercent: *op = BinOp::MulWrap; return 11;
    case Tok::Slash: *op = BinOp::Div; return 11;
    case Tok::Percent: *op = BinOp::Mod; return 11;
    default: return 0;
    }
}

// binary = unary { binop unary }   (precedence climbing; `??` is right-associative)
//        | binary "is" pattern | binary "as" type
// A chain `a + b + c` is made by the loop, but every later walk recurses once per link:
// each new node is one level above everything before it (Measure, chain_level), and the
// limit is reported at the operator that goes past it.
Expr* Parser::parse_binary(int min_prec) {
    uint32_t b = tok().span.begin;
    Measure m(*this);
    Expr* lhs = parse_unary();
    for (;;) {
        BinOp op = BinOp::Add;
        int ntoks;
        int prec = binary_prec(*this, &op, &ntoks);
        if (prec == 0 || prec < min_prec) break;
        if (!level_ok(m.level() + 1)) break; // at the operator
        int first = m.level();
        if (at(Tok::KwIs)) {
            advance();
            IsExpr* e = expr_node<IsExpr>(ExprKind::Is, Span{});
            e->operand = lhs;
            e->pattern = parse_pattern(true);
            e->span = span_from(b);
            lhs = e;
            if (!wrap_level(first)) break;
            continue;
        }
        if (at(Tok::KwAs)) {
            advance();
            AsExpr* e = expr_node<AsExpr>(ExprKind::As, Span{});
            e->operand = lhs;
            e->to = parse_type(true);
            e->span = span_from(b);
            lhs = e;
            if (!wrap_level(first)) break;
            continue;
        }
        for (int i = 0; i < ntoks; i++) advance();
        BinaryExpr* e = expr_node<BinaryExpr>(ExprKind::Binary, Span{});
        e->op = op;
        e->lhs = lhs;
        if (op == BinOp::Coalesce) { // right-associative: recursion needs a depth guard
            DepthGuard g(*this);
            e->rhs = g.ok ? parse_binary(prec) : error_expr(tok().span);
        } else {
            e->rhs = parse_binary(prec + 1);
        }
        e->span = span_from(b);
        lhs = e;
        // (a `??` operand is guarded; any other is one more node at this depth)
        if (!(op == BinOp::Coalesce ? wrap_level(first) : chain_level(m.level() + 1))) break;
    }
    return lhs;
}

// unary = ("-" | "!" | "~" | "*" | "&") unary | "try" unary | "spawn" unary
//       | "(" type ")" unary | postfix
Expr* Parser::parse_unary() {
    uint32_t b = tok().span.begin;
    UnOp op;
    switch (kind()) {
    case Tok::Minus: op = UnOp::Neg; break;
    case Tok::Bang: op = UnOp::Not; break;
    case Tok::Tilde: op = UnOp::BitNot; break;
    case Tok::Star: op = UnOp::Deref; break;
    case Tok::Amp: op = UnOp::AddrOf; break;
    case Tok::KwTry: {
        DepthGuard g(*this);
        if (!g.ok) return error_expr(tok().span);
        advance();
        TryExpr* t = expr_node<TryExpr>(ExprKind::Try, Span{});
        t->operand = parse_unary();
        t->span = span_from(b);
        return t;
    }
    case Tok::KwSpawn: {
        DepthGuard g(*this);
        if (!g.ok) return error_expr(tok().span);
        advance();
        SpawnExpr* s = expr_node<SpawnExpr>(ExprKind::Spawn, Span{});
        s->call = parse_unary();
        if (s->call->kind != ExprKind::Call) error_at(s->call->span, "expected a function call after 'spawn'");
        s->span = span_from(b);
        return s;
    }
    case Tok::PlusPlus: case Tok::MinusMinus: {
        DepthGuard g(*this);
        if (!g.ok) return error_expr(tok().span);
        error_here("'%s' is not supported; use '%s 1'", tok_spelling(kind()), at(Tok::PlusPlus) ? "+=" : "-=");
        advance();
        return parse_unary();
    }
    case Tok::LParen: {
        if (Expr* c = try_cast()) return c;
        Measure m(*this); // parse_postfix counts from the primary on
        return parse_postfix(parse_primary());
    }
    default: {
        Measure m(*this);
        return parse_postfix(parse_primary());
    }
    }
    DepthGuard g(*this);
    if (!g.ok) return error_expr(tok().span);
    advance();
    UnaryExpr* u = expr_node<UnaryExpr>(ExprKind::Unary, Span{});
    u->op = op;
    u->operand = parse_unary();
    u->span = span_from(b);
    return u;
}

// Cast detection at '(' (see the file comment). Returns null (and rewinds) if not a cast.
Expr* Parser::try_cast() {
    const Token& n = peek();
    if (n.kind != Tok::Ident && n.kind != Tok::LParen && n.kind != Tok::Star) return nullptr;
    if (!in_guard_ && looks_like_lambda()) return nullptr;
    uint32_t save = p_;
    uint32_t b = tok().span.begin;
    advance();
    bool saved_failed = spec_failed_;
    spec_failed_ = false;
    spec_++;
    TypeExpr* t = parse_type(false);
    bool ok = !spec_failed_ && at(Tok::RParen);
    spec_--;
    spec_failed_ = saved_failed;
    if (ok) {
        advance();
        bool prim = t->kind == TypeExprKind::Named && t->path.size == 1 && t->args.empty() &&
                    is_primitive(t->path[0]);
        bool operand = can_start_operand(tok()) && !at(Tok::KwTry) && !at(Tok::KwSpawn);
        if ((prim && (operand || at(Tok::Minus) || at(Tok::Star) || at(Tok::Amp) || at(Tok::KwTry))) ||
            (!prim && operand)) {
            DepthGuard g(*this);
            if (!g.ok) return error_expr(tok().span);
            CastExpr* c = expr_node<CastExpr>(ExprKind::Cast, Span{});
            c->to = t;
            c->operand = parse_unary();
            c->span = span_from(b);
            return c;
        }
    }
    seek(save);
    return nullptr;
}

// Is the '(' at the current token the start of `(params) => ...`? Scans to the matching
// ')' without crossing ';' or braces. The scan also settles every '(' inside it (the
// token after its ')', or "no" for those still open where the scan stops); they are kept
// in lambda_memo_, so that `((((...` is scanned once, not once per level.
bool Parser::looks_like_lambda() const {
    auto& memo = lambda_memo_;
    auto known = std::lower_bound(memo.begin(), memo.end(), std::make_pair(p_, false));
    if (known != memo.end() && known->first == p_) return known->second;
    size_t first_new = memo.size();
    auto& open = lambda_open_;
    open.clear();
    bool result = false;
    for (uint32_t i = p_;; i++) {
        Tok k = tok_at(i).kind;
        if (k == Tok::LParen) {
            open.push_back(i);
        } else if (k == Tok::RParen) {
            uint32_t from = open.back();
            open.pop_back();
            bool r = tok_at(i + 1).kind == Tok::FatArrow;
            memo.push_back({from, r});
            if (open.empty()) {
                result = r;
                break;
            }
        } else if (k == Tok::Semi || k == Tok::LBrace || k == Tok::RBrace || k == Tok::Eof || k == Tok::FatArrow) {
            for (uint32_t from : open) memo.push_back({from, false});
            break;
        }
    }
    // Each scan starts past the ones before it, so sorting the new part keeps it sorted.
    std::sort(memo.begin() + first_new, memo.end());
    if (first_new && memo[first_new - 1].first > memo[first_new].first) std::sort(memo.begin(), memo.end());
    return result;
}

// postfix = primary { "." (ident [type-args] | int) | "?." ident | "[" expr "]" | "(" args ")" }
// The caller measures (Measure) from the primary on: each postfix node is one level above
// it and above its own index or arguments; the limit is reported at the '.', '[' or '('.
Expr* Parser::parse_postfix(Expr* e) {
    uint32_t b = e->span.begin;
    for (;;) {
        switch (kind()) { // most operands have no postfix: one test for all five cases
        case Tok::Dot: case Tok::QuestionDot: case Tok::LBracket: case Tok::LParen:
            if (!level_ok(reach_ + 1)) return e;
            break;
        case Tok::PlusPlus: case Tok::MinusMinus:
            break;
        default:
            return e;
        }
        int first = reach_; // the level of `e`
        if (at(Tok::Dot) || at(Tok::QuestionDot)) {
            bool null_safe = advance().kind == Tok::QuestionDot;
            if (at(Tok::Int) && !null_safe) {
                TupleIndexExpr* t = expr_node<TupleIndexExpr>(ExprKind::TupleIndex, Span{});
                t->object = e;
                t->index = (uint32_t)advance().ival;
                t->span = span_from(b);
                e = t;
                wrap_level(first);
                continue;
            }
            MemberExpr* m = expr_node<MemberExpr>(ExprKind::Member, Span{});
            m->object = e;
            m->null_safe = null_safe;
            m->name_span = tok().span;
            m->name = expect_ident("member name after '.'");
            if (at(Tok::Lt)) m->type_args = try_generic_args();
            m->span = span_from(b);
            e = m;
            if (!m->name || !wrap_level(first)) return e;
        } else if (at(Tok::LBracket)) {
            advance();
            IndexExpr* ix = expr_node<IndexExpr>(ExprKind::Index, Span{});
            ix->object = e;
            ix->index = parse_expr();
            expect(Tok::RBracket, "to close the index");
            ix->span = span_from(b);
            e = ix;
            wrap_level(first);
        } else if (at(Tok::PlusPlus) || at(Tok::MinusMinus)) {
            error_here("'%s' is not supported; use '%s 1'", tok_spelling(kind()), at(Tok::PlusPlus) ? "+=" : "-=");
            advance();
        } else if (at(Tok::LParen)) {
            CallExpr* call = expr_node<CallExpr>(ExprKind::Call, Span{});
            call->callee = e;
            parse_args(call->args);
            call->span = span_from(b);
            e = call;
            wrap_level(first);
        } else {
            return e;
        }
    }
}

// args = "(" [arg { "," arg } [","]] ")"
// arg  = [ident ":"] ["ref" | "own"] expr
void Parser::parse_args(ArenaVec<Arg>& out) {
    advance(); // '('
    bool saved_guard = in_guard_;
    in_guard_ = false; // lambdas are fine inside parentheses
    ListBuilder<Arg> args(arg_scratch_);
    while (!at(Tok::RParen) && !at(Tok::Eof)) {
        Arg a;
        if (at(Tok::Ident) && peek().kind == Tok::Colon) {
            a.name = advance().id();
            advance();
        }
        if (at(Tok::KwRef) || at(Tok::KwOwn)) {
            uint32_t b = tok().span.begin;
            RefArgExpr* r = expr_node<RefArgExpr>(ExprKind::RefArg, Span{});
            r->is_own = advance().kind == Tok::KwOwn;
            r->operand = parse_expr();
            r->span = span_from(b);
            a.value = r;
        } else {
            a.value = parse_expr();
        }
        args.push(a);
        if (!accept(Tok::Comma)) break;
    }
    args.finish(arena_, out);
    expect(Tok::RParen, "to close the argument list");
    in_guard_ = saved_guard;
}

// primary = literal | interp-string | ident [type-args] | "this" | "base" | "#caller"
//         | "(" expr ")" | "(" expr "," expr { "," expr } ")" | "[" [expr {"," expr}] "]"
//         | lambda | new | match | "typeof" "(" type ")" | "sizeof" "(" type ")"
// Names and integers, most of the operands, take a short path with a small stack frame;
// every other primary goes to parse_primary_other().
Expr* Parser::parse_primary() {
    const Token& t = tok();
    if (t.kind == Tok::Int) {
        IntLitExpr* e = expr_node<IntLitExpr>(ExprKind::IntLit, t.span);
        e->value = t.ival;
        e->overflow = (t.flags & TF_OVERFLOW) != 0;
        if (t.suffix != LitSuffix::None) e->suffix = suffix_ids_[(int)t.suffix];
        advance();
        return e;
    }
    if (t.kind == Tok::Ident && !(peek().kind == Tok::FatArrow && !in_guard_)) {
        uint32_t b = tok().span.begin;
        NameExpr* e = expr_node<NameExpr>(ExprKind::Name, tok().span);
        e->name = advance().id();
        if (at(Tok::Lt)) e->type_args = try_generic_args();
        e->span = span_from(b);
        return e;
    }
    return parse_primary_other();
}

Expr* Parser::parse_primary_other() {
    const Token& t = tok();
    Span s = t.span;
    switch (t.kind) {
    case Tok::Float: {
        FloatLitExpr* e = expr_node<FloatLitExpr>(ExprKind::FloatLit, s);
        e->value = t.fval;
        if (t.suffix != LitSuffix::None) e->suffix = suffix_ids_[(int)t.suffix];
        advance();
        return e;
    }
    case Tok::Char: {
        CharLitExpr* e = expr_node<CharLitExpr>(ExprKind::CharLit, s);
        e->value = t.cval;
        advance();
        return e;
    }
    case Tok::String: {
        StringLitExpr* e = expr_node<StringLitExpr>(ExprKind::StringLit, s);
        e->bytes = t.str.s;
        e->len = t.str.len;
        advance();
        return e;
    }
    case Tok::InterpBegin:
        return parse_interp();
    case Tok::KwTrue: case Tok::KwFalse: {
        BoolLitExpr* e = expr_node<BoolLitExpr>(ExprKind::BoolLit, s);
        e->value = t.kind == Tok::KwTrue;
        advance();
        return e;
    }
    case Tok::KwNull: advance(); return expr_node<Expr>(ExprKind::NullLit, s);
    case Tok::KwThis: advance(); return expr_node<Expr>(ExprKind::This, s);
    case Tok::KwBase: advance(); return expr_node<Expr>(ExprKind::Base, s);
    case Tok::HashCaller: advance(); return expr_node<Expr>(ExprKind::CallerLoc, s);
    case Tok::Ident: {
        if (peek().kind == Tok::FatArrow && !in_guard_) return parse_lambda();
        NameExpr* e = expr_node<NameExpr>(ExprKind::Name, s);
        e->name = advance().id();
        if (at(Tok::Lt)) e->type_args = try_generic_args();
        e->span = span_from(s.begin);
        return e;
    }
    case Tok::LParen:
        if (!in_guard_ && looks_like_lambda()) return parse_lambda();
        return parse_paren();
    case Tok::LBracket: {
        advance();
        ArrayLitExpr* a = expr_node<ArrayLitExpr>(ExprKind::ArrayLit, s);
        ListBuilder<Expr*> elems(expr_scratch_);
        while (!at(Tok::RBracket) && !at(Tok::Eof)) {
            elems.push(parse_expr());
            if (!accept(Tok::Comma)) break;
        }
        elems.finish(arena_, a->elems);
        expect(Tok::RBracket, "to close the array literal");
        a->span = span_from(s.begin);
        return a;
    }
    case Tok::KwNew: return parse_new();
    case Tok::KwMatch: return parse_match();
    case Tok::KwTypeof: case Tok::KwSizeof: {
        bool is_typeof = advance().kind == Tok::KwTypeof;
        expect(Tok::LParen, is_typeof ? "after 'typeof'" : "after 'sizeof'");
        TypeExpr* ty = parse_type(false);
        expect(Tok::RParen, "to close the type");
        if (is_typeof) {
            TypeofExpr* e = expr_node<TypeofExpr>(ExprKind::Typeof, span_from(s.begin));
            e->of = ty;
            return e;
        }
        SizeofExpr* e = expr_node<SizeofExpr>(ExprKind::Sizeof, span_from(s.begin));
        e->of = ty;
        return e;
    }
    case Tok::KwRef: case Tok::KwOwn: {
        DepthGuard g(*this);
        if (!g.ok) return error_expr(s);
        error_here("'%s' is only allowed before a call argument", tok_spelling(t.kind));
        advance();
        return parse_unary();
    }
    default:
        error_here("expected expression, found %s", describe(t).c_str());
        return error_expr(s);
    }
}

// paren = "(" expr ")" | "(" expr "," expr { "," expr } [","] ")"
Expr* Parser::parse_paren() {
    uint32_t b = tok().span.begin;
    advance();
    if (at(Tok::RParen)) {
        error_here("expected expression, found ')'");
        advance();
        return error_expr(span_from(b));
    }
    bool saved_guard = in_guard_;
    in_guard_ = false;
    Expr* e = parse_expr();
    in_guard_ = saved_guard;
    if (at(Tok::Comma)) {
        TupleLitExpr* t = expr_node<TupleLitExpr>(ExprKind::TupleLit, Span{});
        ListBuilder<Expr*> elems(expr_scratch_);
        elems.push(e);
        while (accept(Tok::Comma) && !at(Tok::RParen)) elems.push(parse_expr());
        elems.finish(arena_, t->elems);
        expect(Tok::RParen, "to close the tuple");
        t->span = span_from(b);
        return t;
    }
    expect(Tok::RParen, "to close the parenthesized expression");
    return e;
}

// lambda = (ident | "(" [param {"," param}] ")") "=>" (expr | block)
Expr* Parser::parse_lambda() {
    uint32_t b = tok().span.begin;
    LambdaExpr* l = expr_node<LambdaExpr>(ExprKind::Lambda, Span{});
    if (at(Tok::Ident)) {
        ParamDecl* pd = decl_node<ParamDecl>(DeclKind::Param, tok().span);
        pd->name_span = tok().span;
        pd->name = advance().id();
        l->params.push(arena_, pd);
    } else {
        parse_params(l->params, ParamStyle::Lambda);
    }
    expect(Tok::FatArrow, "in lambda");
    parse_arm_body(&l->body_expr, &l->body_block);
    l->span = span_from(b);
    return l;
}

// new = "new" type ( "[" expr "]" | ["(" args ")"] ["{" [init {"," init} [","]] "}"] )
// init = ident "=" expr
// The element type of an array may carry suffixes: new int[][n], new Foo?[n], new Foo?[][n].
Expr* Parser::parse_new() {
    uint32_t b = tok().span.begin;
    advance();
    NewExpr* n = expr_node<NewExpr>(ExprKind::New, Span{});
    Measure m(*this);
    n->type = parse_type_primary(false);
    for (;;) {
        bool arr = at(Tok::LBracket) && peek().kind == Tok::RBracket; // new int[][n]: element is int[]
        if (!arr && !at(Tok::Question)) break;                        // new Foo?[n]: element is Foo?
        if (!chain_level(m.level() + 1)) break;
        TypeExprKind k = arr ? TypeExprKind::Array : TypeExprKind::Nullable;
        if (arr) advance();
        advance();
        TypeExpr* w = arena_.make<TypeExpr>();
        w->kind = k;
        w->elem = n->type;
        w->span = span_from(b);
        n->type = w;
    }
    if (at(Tok::LBracket)) {
        advance();
        n->is_array = true;
        n->array_len = parse_expr();
        expect(Tok::RBracket, "after the array length");
        n->span = span_from(b);
        return n;
    }
    if (at(Tok::LBrace) && n->type->kind == TypeExprKind::Array) { // C#'s new int[] { 1, 2 }
        error_here("an array with elements is written as a literal: [a, b, c] (spec 3.6), not 'new T[] { ... }'");
        advance();
        while (!at(Tok::RBrace) && !at(Tok::Eof)) { // parse the elements, so nothing else is reported
            parse_expr();
            if (!accept(Tok::Comma)) break;
        }
        expect(Tok::RBrace, "to close the array elements");
        n->span = span_from(b);
        return n;
    }
    bool any = false;
    if (at(Tok::LParen)) {
        parse_args(n->args);
        any = true;
    }
    if (at(Tok::LBrace)) {
        any = true;
        // `new List<int> { 1, 2 }`: C#'s collection initializer. The braces are skipped
        // whole, so the rest of the statement parses as it was meant.
        if (!at_init_start(peek(1), peek(2))) {
            error_here("collection initializers ('new T { a, b }') are not supported: create it, then call "
                       "Add for each element (an object initializer names fields: 'new T { X = 1 }')");
            int depth = 0;
            do {
                if (at(Tok::LBrace)) depth++;
                else if (at(Tok::RBrace)) depth--;
                advance();
            } while (depth > 0 && !at(Tok::Eof));
            n->span = span_from(b);
            return n;
        }
        advance();
        n->has_inits = true;
        ListBuilder<FieldInit> inits(init_scratch_);
        while (!at(Tok::RBrace) && !at(Tok::Eof)) {
            FieldInit fi;
            fi.span = tok().span;
            fi.name = expect_ident("field name in object initializer");
            if (!fi.name) break;
            expect(Tok::Eq, "after field name in object initializer");
            fi.value = parse_expr();
            fi.span = span_from(fi.span.begin);
            inits.push(fi);
            if (!accept(Tok::Comma)) break;
        }
        inits.finish(arena_, n->inits);
        expect(Tok::RBrace, "to close the object initializer");
    }
    if (!any) error_here("expected '(', '[' or '{' after the type in 'new', found %s", describe(tok()).c_str());
    n->span = span_from(b);
    return n;
}

// match = "match" "(" expr ")" "{" { arm [","] } "}"
// arm   = pattern ["when" expr] "=>" (expr | block)
Expr* Parser::parse_match() {
    uint32_t b = tok().span.begin;
    advance();
    MatchExpr* m = expr_node<MatchExpr>(ExprKind::Match, Span{});
    expect(Tok::LParen, "after 'match'");
    m->scrutinee = parse_expr();
    expect(Tok::RParen, "after the match value");
    if (!expect(Tok::LBrace, "to open the match arms")) {
        m->span = span_from(b);
        return m;
    }
    while (!at(Tok::RBrace) && !at(Tok::Eof)) {
        uint32_t start = p_;
        MatchArm arm;
        arm.span = tok().span;
        arm.pattern = parse_pattern(false);
        if (accept(Tok::KwWhen)) {
            bool saved = in_guard_;
            in_guard_ = true;
            arm.guard = parse_expr();
            in_guard_ = saved;
        }
        if (expect(Tok::FatArrow, "after the match pattern")) parse_arm_body(&arm.body_expr, &arm.body_block);
        arm.span = span_from(arm.span.begin);
        m->arms.push(arena_, arm);
        bool block_body = arm.body_block != nullptr;
        if (!accept(Tok::Comma) && !block_body && !at(Tok::RBrace)) {
            if (!panic_) error_here("expected ',' or '}' after match arm, found %s", describe(tok()).c_str());
        }
        if (panic_) { // skip to the next arm
            if (p_ == start) advance();
            // The error may have stopped inside parentheses or brackets of the arm: their
            // closing tokens then bring no depth below 0.
            int depth = 0;
            while (!at(Tok::Eof)) {
                if (depth == 0 && at(Tok::Comma)) { advance(); break; }
                if (depth == 0 && at(Tok::RBrace)) break;
                if (at(Tok::LBrace) || at(Tok::LParen) || at(Tok::LBracket)) depth++;
                if ((at(Tok::RBrace) || at(Tok::RParen) || at(Tok::RBracket)) && depth > 0) depth--;
                advance();
            }
            end_panic();
        }
    }
    expect(Tok::RBrace, "to close the match");
    m->span = span_from(b);
    return m;
}

// interp-string = '$"' { text | "{" expr ["," ["-"] int] [":" format] "}" } '"'
Expr* Parser::parse_interp() {
    uint32_t b = tok().span.begin;
    advance();
    InterpStringExpr* s = expr_node<InterpStringExpr>(ExprKind::InterpString, Span{});
    while (!at(Tok::InterpEnd) && !at(Tok::Eof)) {
        InterpPart part;
        if (at(Tok::InterpText)) {
            part.text = tok().str.s;
            part.len = tok().str.len;
            advance();
            s->parts.push(arena_, part);
            continue;
        }
        if (!at(Tok::HoleBegin)) break; // cannot happen: the lexer balances these
        advance();
        if (at(Tok::HoleEnd)) {
            error_here("expected expression inside '{}' of interpolated string");
            advance();
            continue;
        }
        part.expr = parse_expr();
        if (at(Tok::Comma)) { // alignment: {x,8} / {x,-8}
            advance();
            bool neg = at(Tok::Minus);
            if (neg) advance();
            if (at(Tok::Int) && tok().ival <= 10000) {
                part.align = neg ? -(int32_t)tok().ival : (int32_t)tok().ival;
                advance();
            } else {
                error_here("expected an alignment (an integer from -10000 to 10000) after ',' in an interpolation hole");
                if (at(Tok::Int)) advance();
            }
        }
        if (at(Tok::HoleFormat)) {
            part.format = tok().str.s;
            advance();
        }
        if (!at(Tok::HoleEnd)) {
            error_here("expected '}' to close the interpolation hole, found %s", describe(tok()).c_str());
            int depth = 0; // skip to this hole's end (holes nest with strings inside)
            while (!at(Tok::Eof) && !skipping_) { // (too_deep skipped past it already)
                if (at(Tok::HoleBegin)) depth++;
                else if (at(Tok::HoleEnd) && depth-- == 0) break;
                advance();
            }
        }
        accept(Tok::HoleEnd);
        s->parts.push(arena_, part);
    }
    accept(Tok::InterpEnd);
    s->span = span_from(b);
    return s;
}

// ---------------------------------------------------------------------------
// Patterns.

// literal-pattern = ["-"] (int | float) | char | string | "true" | "false"
Expr* Parser::parse_pattern_literal() {
    uint32_t b = tok().span.begin;
    if (at(Tok::Minus) && (peek().kind == Tok::Int || peek().kind == Tok::Float)) {
        advance();
        UnaryExpr* u = expr_node<UnaryExpr>(ExprKind::Unary, Span{});
        u->op = UnOp::Neg;
        u->operand = parse_primary();
        u->span = span_from(b);
        return u;
    }
    return parse_primary();
}

// pattern = "_" | "null" | literal [(".." | "..=") literal]
//         | "(" pattern {"," pattern} ")"
//         | path "(" [pattern {"," pattern}] ")"      (variant with payload, Ok(v), Err(e))
//         | type ident                                (type test with binding: Dog d)
//         | path                                      (Color.Red; a single name binds)
// In `is` position a bare type is a type test: `x is Dog`, `x is List<int>`.
Pattern* Parser::parse_pattern(bool is_ctx) {
    DepthGuard g(*this);
    uint32_t b = tok().span.begin;
    Pattern* pt = arena_.make<Pattern>();
    pt->span = tok().span;
    if (!g.ok) return pt;
    switch (kind()) {
    case Tok::KwNull:
        advance();
        pt->kind = PatternKind::Null;
        return pt;
    case Tok::Int: case Tok::Float: case Tok::Char: case Tok::String: case Tok::KwTrue:
    case Tok::KwFalse: case Tok::Minus:
        pt->kind = PatternKind::Literal;
        pt->lit = parse_pattern_literal();
        if (at(Tok::DotDot) || at(Tok::DotDotEq)) {
            pt->kind = PatternKind::Range;
            pt->inclusive = advance().kind == Tok::DotDotEq;
            pt->hi = parse_pattern_literal();
        }
        pt->span = span_from(b);
        return pt;
    case Tok::LParen:
        advance();
        pt->kind = PatternKind::Tuple;
        while (!at(Tok::RParen) && !at(Tok::Eof)) {
            pt->subs.push(arena_, parse_pattern(false));
            if (!accept(Tok::Comma)) break;
        }
        expect(Tok::RParen, "to close the tuple pattern");
        pt->span = span_from(b);
        return pt;
    case Tok::Ident:
        break;
    default:
        error_here("expected pattern, found %s", describe(tok()).c_str());
        pt->kind = PatternKind::Wildcard;
        return pt;
    }
    if (tok().id() == id_underscore_) {
        advance();
        pt->kind = PatternKind::Wildcard;
        return pt;
    }
    uint32_t save = p_;
    ArenaVec<Ident> path;
    parse_path(path, "pattern");
    if (at(Tok::LParen)) {
        advance();
        pt->kind = PatternKind::Variant;
        if (path.size == 1 && path[0] == id_ok_) pt->kind = PatternKind::Ok;
        if (path.size == 1 && path[0] == id_err_) pt->kind = PatternKind::Err, fails_ = true;
        pt->path = path;
        while (!at(Tok::RParen) && !at(Tok::Eof)) {
            pt->subs.push(arena_, parse_pattern(false));
            if (!accept(Tok::Comma)) break;
        }
        expect(Tok::RParen, "to close the pattern");
        pt->span = span_from(b);
        return pt;
    }
    if (is_ctx || at(Tok::Ident) || at(Tok::Lt) || at(Tok::LBracket)) {
        // Type test: re-read the path as a type (it may have generic args or suffixes).
        seek(save);
        pt->kind = PatternKind::TypeTest;
        pt->type = parse_type(true);
        if (at(Tok::Ident)) pt->name = advance().id();
        pt->span = span_from(b);
        return pt;
    }
    if (path.size > 1) {
        pt->kind = PatternKind::Variant;
        pt->path = path;
    } else {
        pt->kind = PatternKind::Binding;
        pt->name = path.empty() ? Ident() : path[0];
    }
    pt->span = span_from(b);
    return pt;
}

} // namespace lang
