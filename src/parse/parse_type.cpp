// parse_type.cpp: types as written in source, and generic-argument disambiguation.
//
// In expressions, `<` after a name is a generic argument list only if the speculative
// parse of `<T, ...>` succeeds and the token after `>` is one of
// ( ) ] : ; , . ? == != | ^ { }   (C#'s rule), otherwise it is the less-than operator.
// Inside expressions, a `?` after a type is "nullable" only if the token after it
// cannot start an operand (so `x is Foo ? a : b` stays a conditional).
#include "parse/parser_impl.h"

namespace lang {

bool Parser::is_primitive(Ident name) const {
    for (int i = 0; i < nprim_; i++)
        if (prim_[i] == name) return true;
    return name == id_void_;
}

bool Parser::can_start_operand(const Token& t) const {
    switch (t.kind) {
    case Tok::Ident: case Tok::Int: case Tok::Float: case Tok::Char: case Tok::String:
    case Tok::InterpBegin: case Tok::LParen: case Tok::Bang: case Tok::Tilde:
    case Tok::KwThis: case Tok::KwBase: case Tok::KwNew: case Tok::KwNull: case Tok::KwTrue:
    case Tok::KwFalse: case Tok::KwTypeof: case Tok::KwSizeof: case Tok::KwMatch:
    case Tok::HashCaller: case Tok::KwTry: case Tok::KwSpawn:
        return true;
    default:
        return false;
    }
}

TypeExpr* Parser::named_type(Ident name, Span s) {
    TypeExpr* t = arena_.make<TypeExpr>();
    t->kind = TypeExprKind::Named;
    t->span = s;
    t->path.push(arena_, name);
    return t;
}

// type = type-primary { "[" "]" | "?" | "!" }
// Each suffix wraps the type so far: one level more (reported at the suffix past the limit).
TypeExpr* Parser::parse_type(bool in_expr) {
    DepthGuard g(*this);
    uint32_t b = tok().span.begin;
    if (!g.ok) return named_type(Ident(), tok().span);
    Measure m(*this);
    TypeExpr* t = parse_type_primary(in_expr);
    for (;;) {
        TypeExprKind k;
        if (at(Tok::LBracket) && peek().kind == Tok::RBracket) {
            k = TypeExprKind::Array;
        } else if (at(Tok::Question) && !(in_expr && can_start_operand(peek()))) {
            k = TypeExprKind::Nullable;
        } else if (at(Tok::Bang) && !(in_expr && can_start_operand(peek()))) {
            k = TypeExprKind::Fallible;
        } else {
            break;
        }
        if (!level_ok(m.level() + 1)) break; // at the suffix
        if (k == TypeExprKind::Array) advance(); // '[' of "[]"
        advance();
        TypeExpr* w = arena_.make<TypeExpr>();
        w->kind = k;
        w->elem = t;
        w->span = span_from(b);
        t = w;
        chain_level(m.level() + 1);
    }
    return t;
}

// type-primary = path [type-args]
//              | "*" type
//              | "(" type { "," type } ")" ["=>" type]     (tuple, or function type)
TypeExpr* Parser::parse_type_primary(bool in_expr) {
    uint32_t b = tok().span.begin;
    TypeExpr* t = arena_.make<TypeExpr>();
    if (accept(Tok::Star)) {
        t->kind = TypeExprKind::Pointer;
        t->elem = parse_type(in_expr);
        t->span = span_from(b);
        return t;
    }
    if (accept(Tok::LParen)) {
        t->kind = TypeExprKind::Tuple;
        if (!at(Tok::RParen)) {
            ListBuilder<TypeExpr*> elems(type_scratch_);
            do {
                elems.push(parse_type(false));
            } while (accept(Tok::Comma) && !at(Tok::RParen));
            elems.finish(arena_, t->args);
        }
        expect(Tok::RParen, "to close the tuple type");
        if (at(Tok::FatArrow)) {
            advance();
            t->kind = TypeExprKind::Func;
            t->elem = parse_type(in_expr);
        } else if (t->args.size == 1) {
            t = t->args[0]; // (T) is just T
        } else if (t->args.size == 0) {
            error_at(span_from(b), "expected a type inside '()'");
        }
        t->span = span_from(b);
        return t;
    }
    t->kind = TypeExprKind::Named;
    if (!at(Tok::Ident)) {
        error_here("expected type, found %s", describe(tok()).c_str());
        t->span = tok().span;
        return t;
    }
    ListBuilder<Ident> path(ident_scratch_);
    path.push(advance().id());
    while (at(Tok::Dot) && peek().kind == Tok::Ident) {
        advance();
        path.push(advance().id());
    }
    path.finish(arena_, t->path);
    if (at(Tok::Lt)) parse_type_args(t->args, in_expr);
    t->span = span_from(b);
    return t;
}

// type-args = "<" type { "," type } ">"
bool Parser::parse_type_args(ArenaVec<TypeExpr*>& out, bool in_expr) {
    (void)in_expr;
    advance(); // '<'
    ListBuilder<TypeExpr*> args(type_scratch_);
    do {
        args.push(parse_type(false));
    } while (accept(Tok::Comma));
    args.finish(arena_, out);
    if (at(Tok::Gt)) {
        advance();
        return true;
    }
    // `A<B<C>>=`: '>=' cannot close two lists; report like any other missing '>'.
    expect(Tok::Gt, "to close the type argument list");
    return false;
}

// Speculatively parses `<T, ...>` after a name in an expression (see the file comment).
TypeArgs* Parser::try_generic_args() {
    // The usual less-than (`i < n;`) fails without the speculative parse: the first type
    // argument must start with a name, '*' or '(', and a name must be followed by a
    // token that continues a type (. < [ ? !) or the list (, >). Otherwise the parse
    // below would fail at one of those two tokens, and it has no other effect.
    const Token& t1 = peek();
    if (t1.kind == Tok::Ident) {
        switch (peek(2).kind) {
        case Tok::Dot: case Tok::Lt: case Tok::LBracket: case Tok::Question: case Tok::Bang:
        case Tok::Comma: case Tok::Gt:
            break;
        default:
            return nullptr;
        }
    } else if (t1.kind != Tok::Star && t1.kind != Tok::LParen) {
        return nullptr;
    }
    uint32_t save = p_;
    bool saved_failed = spec_failed_;
    spec_failed_ = false;
    spec_++;
    ArenaVec<TypeExpr*> args;
    bool ok = parse_type_args(args, false) && !spec_failed_;
    spec_--;
    spec_failed_ = saved_failed;
    if (ok) {
        switch (kind()) {
        case Tok::LParen: case Tok::RParen: case Tok::RBracket: case Tok::Colon: case Tok::Semi:
        case Tok::Comma: case Tok::Dot: case Tok::Question: case Tok::EqEq: case Tok::BangEq:
        case Tok::Pipe: case Tok::Caret: case Tok::LBrace: case Tok::RBrace: case Tok::Eof:
        case Tok::QuestionDot: case Tok::HoleEnd:
            return arena_.make<TypeArgs>(args);
        default:
            break;
        }
    }
    seek(save);
    return nullptr;
}

} // namespace lang
