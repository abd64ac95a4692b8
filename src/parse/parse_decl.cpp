// parse_decl.cpp: declarations (types, functions, fields, enums, extern/export, tests).
//
// A member declaration is recognized by its first tokens after attributes and modifiers:
// a type keyword (class/struct/interface/enum), '~' (destructor), the enclosing type's
// name followed by '(' (constructor), or `type ident` followed by '(' or '<' (function)
// or by '=' / ';' (field; at namespace level: a global). Decl::parent is set for members.
#include "parse/parser_impl.h"

namespace lang {

// attributes = { "[" attr {"," attr} "]" }
// attr       = ident ["(" [expr {"," expr}] ")"]
void Parser::parse_attributes(ArenaVec<Attribute>& out) {
    while (at(Tok::LBracket)) {
        advance();
        while (!at(Tok::RBracket) && !at(Tok::Eof)) {
            Attribute a;
            a.span = tok().span;
            a.name = expect_ident("attribute name");
            if (!a.name) break;
            if (accept(Tok::LParen)) {
                while (!at(Tok::RParen) && !at(Tok::Eof)) {
                    a.args.push(arena_, parse_expr());
                    if (!accept(Tok::Comma)) break;
                }
                expect(Tok::RParen, "to close the attribute arguments");
            }
            a.span = span_from(a.span.begin);
            out.push(arena_, a);
            if (!accept(Tok::Comma)) break;
        }
        expect(Tok::RBracket, "to close the attribute list");
    }
}

// modifiers = { "public" | "private" | "protected" | "static" | "mut" | "virtual"
//             | "override" | "abstract" | "sealed" | "var" | "unsafe" | "gc" }
uint32_t Parser::parse_modifiers(bool* is_gc) {
    uint32_t mods = 0;
    for (;;) {
        uint32_t m;
        switch (kind()) {
        case Tok::KwPublic: m = M_PUBLIC; break;
        case Tok::KwPrivate: m = M_PRIVATE; break;
        case Tok::KwProtected: m = M_PROTECTED; break;
        case Tok::KwStatic: m = M_STATIC; break;
        case Tok::KwMut: m = M_MUT; break;
        case Tok::KwVirtual: m = M_VIRTUAL; break;
        case Tok::KwOverride: m = M_OVERRIDE; break;
        case Tok::KwAbstract: m = M_ABSTRACT; break;
        case Tok::KwSealed: m = M_SEALED; break;
        case Tok::KwVar: // `var x = e;` / `var x: T = e;` is a global, not the field modifier
            if (peek().kind == Tok::Ident && (peek(2).kind == Tok::Eq || peek(2).kind == Tok::Colon))
                return mods;
            m = M_VAR;
            break;
        case Tok::KwUnsafe:
            if (peek().kind == Tok::LBrace) return mods;
            m = M_UNSAFE;
            break;
        case Tok::KwGc:
            if (peek().kind == Tok::LBrace) return mods;
            m = M_GC;
            *is_gc = true;
            break;
        default:
            return mods;
        }
        if (mods & m) error_here("duplicate modifier '%s'", tok_spelling(kind()));
        mods |= m;
        advance();
    }
}

// decl = [doc-comment] decl-inner
Decl* Parser::parse_decl(TypeDecl* parent) {
    DepthGuard g(*this);
    if (!g.ok) return nullptr;
    uint32_t b = tok().span.begin;
    Decl* d = parse_decl_inner(parent);
    if (d && !d->doc) d->doc = doc_before(b);
    return d;
}

// The doc comment of a declaration: the `///` lines right above its first token, with
// "///" and one following space removed. Only computed per declaration, so the lexer
// can skip comments without keeping them.
const char* Parser::doc_before(uint32_t pos) {
    const std::string& text = c_.sources.file(file_).text;
    uint32_t i = pos;
    // Must be the first token on its line.
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t')) i--;
    if (i > 0 && text[i - 1] != '\n') return nullptr;
    std::vector<std::string_view> lines;
    while (i > 0) {
        uint32_t end = i - 1; // the '\n' ending the previous line
        uint32_t start = end;
        while (start > 0 && text[start - 1] != '\n') start--;
        std::string_view line(text.data() + start, end - start);
        size_t k = line.find_first_not_of(" \t");
        if (k == std::string_view::npos || line.compare(k, 3, "///") != 0) break;
        line.remove_prefix(k + 3);
        if (!line.empty() && line[0] == ' ') line.remove_prefix(1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        i = start;
    }
    if (lines.empty()) return nullptr;
    std::string doc;
    for (size_t j = lines.size(); j-- > 0;) {
        doc.append(lines[j]);
        if (j) doc += '\n';
    }
    return arena_.copy_str(doc.data(), doc.size());
}

// decl-inner = attributes modifiers ( type-decl | extern | export | test | global | ctor
//                                    | dtor | func | field )
Decl* Parser::parse_decl_inner(TypeDecl* parent) {
    uint32_t b = tok().span.begin;
    ArenaVec<Attribute> attrs;
    parse_attributes(attrs);
    bool is_gc = false;
    uint32_t mods = parse_modifiers(&is_gc);
    Decl* d = nullptr;
    switch (kind()) {
    case Tok::KwClass: case Tok::KwStruct: case Tok::KwInterface: case Tok::KwEnum:
        return parse_type_decl(b, mods, is_gc, attrs, parent);
    case Tok::KwExtern:
        if (parent) {
            error_here("extern functions are declared at namespace level, not inside a type");
            return nullptr;
        }
        return parse_extern(b, mods, attrs);
    case Tok::KwExport: {
        advance();
        const char* abi = "C";
        if (at(Tok::String)) abi = advance().str.s;
        else error_here("expected ABI string after 'export' (e.g. export \"C\"), found %s", describe(tok()).c_str());
        bool g2 = false;
        mods |= parse_modifiers(&g2);
        Decl* inner = parse_decl(parent);
        if (inner && inner->kind == DeclKind::Func) {
            FuncDecl* fd = static_cast<FuncDecl*>(inner);
            fd->is_export = true;
            fd->extern_abi = abi;
            fd->mods |= mods;
            ArenaVec<Attribute> all = fd->attrs();
            for (const Attribute& a : attrs) all.push(arena_, a);
            fd->set_attrs(arena_, all);
            fd->span = span_from(b);
        } else if (inner) {
            error_at(inner->span, "'export' applies only to functions");
        }
        return inner;
    }
    case Tok::KwTest:
        if (peek().kind == Tok::String) {
            if (parent) {
                error_here("test blocks are declared at namespace level, not inside a type");
                return nullptr;
            }
            return parse_test(b);
        }
        break;
    case Tok::KwLet: case Tok::KwVar:
        if (parent) {
            if (kind() == Tok::KwVar)
                error_here("a field is declared 'var Type name;' (the type before the name), not 'var name: Type'");
            else
                error_here("fields are declared as 'Type name;' or 'var Type name;', not with 'let'");
            return nullptr;
        }
        {
            Stmt* s = parse_var_decl(true);
            VarDeclStmt* v = static_cast<VarDeclStmt*>(s);
            if (v->destructure) error_at(v->span, "tuple destructuring is not allowed at namespace level");
            if (v->names.empty()) return nullptr;
            LocalDecl* l = v->names[0];
            l->mods |= mods;
            l->set_attrs(arena_, attrs);
            l->span = span_from(b);
            return l;
        }
    case Tok::Tilde: {
        advance();
        FuncDecl* fd = decl_node<FuncDecl>(DeclKind::Func, Span{});
        fd->fkind = FuncKind::Destructor;
        fd->name_span = tok().span;
        fd->name = expect_ident("type name after '~'");
        if (!parent) error_at(span_from(b), "a destructor must be declared inside a class or struct");
        else if (fd->name && fd->name != parent->name) error_at(fd->name_span, "destructor name must match the type name '%s'", parent->name.c_str());
        d = fd;
        break;
    }
    default:
        break;
    }
    if (!d && parent && at(Tok::Ident) && tok().id() == parent->name && peek().kind == Tok::LParen) {
        FuncDecl* fd = decl_node<FuncDecl>(DeclKind::Func, Span{});
        fd->fkind = FuncKind::Constructor;
        fd->name_span = tok().span;
        fd->name = advance().id();
        d = fd;
    }
    if (d) { // constructor or destructor
        FuncDecl* fd = static_cast<FuncDecl*>(d);
        fd->mods = mods;
        fd->set_attrs(arena_, attrs);
        fd->parent = parent;
        parse_params(fd->params, ParamStyle::Named);
        if (fd->fkind == FuncKind::Constructor && accept(Tok::Colon)) {
            if (at(Tok::KwBase)) fd->chains_base = true;
            else if (at(Tok::KwThis)) fd->chains_this = true;
            else error_here("expected 'base' or 'this' after ':' in constructor, found %s", describe(tok()).c_str());
            if (fd->chains_base || fd->chains_this) {
                advance();
                if (at(Tok::LParen)) parse_args(fd->chain_args);
                else error_here("expected '(' after '%s', found %s", fd->chains_base ? "base" : "this", describe(tok()).c_str());
            }
        }
        parse_func_rest(fd, false);
        fd->span = span_from(b);
        return fd;
    }
    if (at(Tok::KwNamespace) || at(Tok::KwImport)) {
        error_here("'%s' is only allowed at the top of a file", tok_spelling(kind()));
        return nullptr;
    }
    if (!at(Tok::Ident) && !at(Tok::LParen) && !at(Tok::Star)) {
        error_here("expected declaration, found %s", describe(tok()).c_str());
        return nullptr;
    }
    // type ident ...
    TypeExpr* type = parse_type(false);
    Span name_span = tok().span;
    if (!at(Tok::Ident)) {
        if (at(Tok::LParen) && type->kind == TypeExprKind::Named && type->path.size == 1)
            error_at(type->span, "expected return type before function name '%s'", type->path[0].c_str());
        else
            error_here("expected name after type in declaration, found %s", describe(tok()).c_str());
        return nullptr;
    }
    Ident name = advance().id();
    if (at(Tok::LParen) || at(Tok::Lt)) {
        FuncDecl* fd = decl_node<FuncDecl>(DeclKind::Func, Span{});
        fd->fkind = parent ? FuncKind::Method : FuncKind::Function;
        fd->name = name;
        fd->name_span = name_span;
        fd->mods = mods;
        fd->set_attrs(arena_, attrs);
        fd->parent = parent;
        bool plain_void = type->kind == TypeExprKind::Named && type->path.size == 1 && type->path[0] == id_void_;
        fd->ret = plain_void ? nullptr : type;
        if (at(Tok::Lt)) parse_type_params(fd->type_params);
        if (at(Tok::LParen)) parse_params(fd->params, ParamStyle::Named);
        else expect(Tok::LParen, "after function name");
        parse_where(fd->type_params);
        bool no_body_ok = parent && (parent->tkind == TypeDeclKind::Interface || (mods & M_ABSTRACT));
        parse_func_rest(fd, no_body_ok);
        fd->span = span_from(b);
        return fd;
    }
    if (parent && (at(Tok::FatArrow) || at(Tok::LBrace))) return parse_property(b, type, name, name_span, mods, attrs, parent);
    if (!parent) { // namespace-level global written C#-style: `int x = 5;`
        LocalDecl* l = decl_node<LocalDecl>(DeclKind::Local, Span{});
        l->name = name;
        l->name_span = name_span;
        l->mods = mods;
        l->set_attrs(arena_, attrs);
        l->is_mutable = (mods & M_VAR) != 0;
        l->type_expr = type;
        if (accept(Tok::Eq)) l->init = parse_expr();
        expect_semi("after global variable declaration");
        l->span = span_from(b);
        return l;
    }
    FieldDecl* f = field_decl(type, name, name_span, mods, attrs, parent);
    if (accept(Tok::Eq)) f->init = parse_expr();
    if (at(Tok::Comma)) error_here("declare one field per declaration");
    else expect_semi("after field declaration");
    f->span = span_from(b);
    return f;
}

FieldDecl* Parser::field_decl(TypeExpr* type, Ident name, Span name_span, uint32_t mods, ArenaVec<Attribute>& attrs,
                              TypeDecl* parent) {
    FieldDecl* f = decl_node<FieldDecl>(DeclKind::Field, Span{});
    f->name = name;
    f->name_span = name_span;
    f->mods = mods;
    f->set_attrs(arena_, attrs);
    f->parent = parent;
    f->type_expr = type;
    return f;
}

// property = type ident ( "=>" expr ";"
//                       | "{" "get" ( "=>" expr ";" | block | ";" ) [ "set" ";" ] "}" [ "=" expr ";" ] )
// A read-only property with a getter (`=> e`, `{ get => e; }`, `{ get { ... } }`) is a
// method without parameters marked is_property, read as `o.Name` (spec 4.3). An
// auto-property `{ get; }` / `{ get; set; }` is a field (immutable / `var`), optionally
// initialized; in an interface `{ get; }` declares a getter to implement.
Decl* Parser::parse_property(uint32_t b, TypeExpr* type, Ident name, Span name_span, uint32_t mods,
                             ArenaVec<Attribute>& attrs, TypeDecl* parent) {
    auto getter = [&]() {
        FuncDecl* fd = decl_node<FuncDecl>(DeclKind::Func, Span{});
        fd->fkind = FuncKind::Method;
        fd->is_property = true;
        fd->name = name;
        fd->name_span = name_span;
        fd->mods = mods;
        fd->set_attrs(arena_, attrs);
        fd->parent = parent;
        fd->ret = type;
        return fd;
    };
    auto skip_to_close_brace = [&]() { // to this property's '}'
        for (int depth = 0; !at(Tok::Eof) && (depth > 0 || !at(Tok::RBrace)); advance())
            depth += at(Tok::LBrace) ? 1 : (at(Tok::RBrace) ? -1 : 0);
    };
    if (accept(Tok::FatArrow)) {
        FuncDecl* fd = getter();
        fd->body_expr = parse_expr();
        expect_semi("after expression body");
        fd->span = span_from(b);
        return fd;
    }
    expect(Tok::LBrace, "to open the property");
    if (!at_ident(id_get_)) {
        error_here("expected 'get' in property '%s', found %s", name.c_str(), describe(tok()).c_str());
        skip_to_close_brace();
        accept(Tok::RBrace);
        return nullptr;
    }
    advance();
    FuncDecl* fd = nullptr;
    if (accept(Tok::FatArrow)) {
        fd = getter();
        fd->body_expr = parse_expr();
        expect_semi("after expression body");
    } else if (at(Tok::LBrace)) {
        fd = getter();
        fd->body = parse_block("");
    } else {
        expect_semi("after 'get'");
    }
    bool has_set = false;
    if (at_ident(id_set_)) {
        Span s = tok().span;
        advance();
        if (fd || !at(Tok::Semi)) error_at(s, "property setters are not supported yet: write a method (or an auto-property '{ get; set; }')");
        else has_set = true;
        if (!at(Tok::Semi)) skip_to_close_brace();
        else advance();
    }
    expect(Tok::RBrace, "to close the property");
    if (fd) {
        fd->span = span_from(b);
        return fd;
    }
    if (parent->tkind == TypeDeclKind::Interface) { // `int Count { get; }`: a getter to implement
        if (has_set) error_at(name_span, "an interface property cannot have 'set'");
        fd = getter();
        fd->span = span_from(b);
        return fd;
    }
    FieldDecl* f = field_decl(type, name, name_span, mods | (has_set ? (uint32_t)M_VAR : 0u), attrs, parent); // an auto-property
    if (accept(Tok::Eq)) {
        f->init = parse_expr();
        expect_semi("after the property's initializer");
    }
    f->span = span_from(b);
    return f;
}

// func-rest = block | "=>" expr ";" | ";"
FuncDecl* Parser::parse_func_rest(FuncDecl* fd, bool allow_no_body) {
    if (at(Tok::LBrace)) {
        fd->body = parse_block("");
    } else if (accept(Tok::FatArrow)) {
        fd->body_expr = parse_expr();
        expect_semi("after expression body");
    } else if (at(Tok::Semi)) {
        if (!allow_no_body && fd->fkind != FuncKind::Extern)
            error_here("function '%s' needs a body", fd->name.c_str());
        advance();
    } else {
        error_here("expected '{', '=>' or ';' after function signature, found %s", describe(tok()).c_str());
    }
    return fd;
}

// params = "(" [param {"," param}] ["," "..."] ")"     ("...": extern "C" functions only)
void Parser::parse_params(ArenaVec<ParamDecl*>& out, ParamStyle style, bool* variadic) {
    if (!expect(Tok::LParen, "to open the parameter list")) return;
    ListBuilder<ParamDecl*> params(param_scratch_);
    while (!at(Tok::RParen) && !at(Tok::Eof)) {
        if (at(Tok::DotDot) && peek().kind == Tok::Dot && peek().span.begin == tok().span.end) { // `...`
            if (variadic) *variadic = true;
            else error_here("only extern \"C\" functions take '...' (a variable number of C arguments)");
            advance();
            advance();
            break;
        }
        ParamDecl* pd = parse_param(style);
        if (!pd) break;
        params.push(pd);
        if (!accept(Tok::Comma)) break;
    }
    params.finish(arena_, out);
    expect(Tok::RParen, "to close the parameter list");
}

// param = attributes ["ref" | "own"] type ident ["=" expr]
//       | ident                                    (lambdas only: untyped)
//       | attributes type                          (payloads and extern: unnamed)
ParamDecl* Parser::parse_param(ParamStyle style) {
    uint32_t b = tok().span.begin;
    ParamDecl* pd = decl_node<ParamDecl>(DeclKind::Param, Span{});
    ArenaVec<Attribute> attrs;
    parse_attributes(attrs);
    pd->set_attrs(arena_, attrs);
    if (accept(Tok::KwRef)) pd->mode = ParamMode::Ref;
    else if (accept(Tok::KwOwn)) pd->mode = ParamMode::Own;
    if (style == ParamStyle::Lambda && at(Tok::Ident) && (peek().kind == Tok::Comma || peek().kind == Tok::RParen)) {
        pd->name_span = tok().span;
        pd->name = advance().id();
        pd->span = span_from(b);
        return pd;
    }
    if (!at(Tok::Ident) && !at(Tok::LParen) && !at(Tok::Star)) {
        error_here("expected parameter type, found %s", describe(tok()).c_str());
        return nullptr;
    }
    pd->type_expr = parse_type(false);
    pd->name_span = tok().span;
    if (style == ParamStyle::OptionalName && (at(Tok::Comma) || at(Tok::RParen))) {
        pd->span = span_from(b);
        return pd;
    }
    pd->name = expect_ident("parameter name");
    if (!pd->name) return nullptr;
    if (accept(Tok::Eq)) pd->default_value = parse_expr();
    pd->span = span_from(b);
    return pd;
}

// type-params = "<" ident {"," ident} ">"
void Parser::parse_type_params(ArenaVec<TypeParamDecl*>& out) {
    advance(); // '<'
    while (!at(Tok::Gt) && !at(Tok::Eof)) {
        TypeParamDecl* tp = decl_node<TypeParamDecl>(DeclKind::TypeParam, tok().span);
        tp->name_span = tok().span;
        tp->name = expect_ident("type parameter name");
        if (!tp->name) break;
        out.push(arena_, tp);
        if (!accept(Tok::Comma)) break;
    }
    expect(Tok::Gt, "to close the type parameter list");
}

// where = { "where" ident ":" type {"," type} }
void Parser::parse_where(ArenaVec<TypeParamDecl*>& tps) {
    while (at(Tok::KwWhere)) {
        advance();
        Span ns = tok().span;
        Ident name = expect_ident("type parameter name after 'where'");
        if (!name) return;
        TypeParamDecl* target = nullptr;
        for (TypeParamDecl* tp : tps)
            if (tp->name == name) target = tp;
        if (!target) error_at(ns, "'where' names '%s', which is not a type parameter here", name.c_str());
        expect(Tok::Colon, "after the type parameter in 'where'");
        do {
            TypeExpr* t = parse_type(false);
            if (target) target->constraints.push(arena_, t);
        } while (accept(Tok::Comma) && !at(Tok::KwWhere));
    }
}

// type-decl = ["gc"] ("class" | "struct" | "interface" | "enum") ident [type-params]
//             [":" type {"," type}] where "{" { member } "}"
Decl* Parser::parse_type_decl(uint32_t begin, uint32_t mods, bool is_gc, ArenaVec<Attribute> attrs, TypeDecl* parent) {
    Tok k = advance().kind;
    TypeDecl* td = decl_node<TypeDecl>(DeclKind::Type, Span{});
    td->tkind = k == Tok::KwClass ? TypeDeclKind::Class : k == Tok::KwStruct ? TypeDeclKind::Struct
              : k == Tok::KwInterface ? TypeDeclKind::Interface : TypeDeclKind::Enum;
    td->is_gc = is_gc;
    if (is_gc && k != Tok::KwClass) error_at(span_from(begin), "only classes can be 'gc'");
    td->mods = mods;
    td->set_attrs(arena_, attrs);
    td->parent = parent;
    td->name_span = tok().span;
    td->name = expect_ident("type name");
    if (!td->name) return td;
    if (at(Tok::Lt)) parse_type_params(td->type_params);
    if (accept(Tok::Colon)) {
        if (td->tkind == TypeDeclKind::Enum) {
            td->underlying = parse_type(false);
        } else {
            do {
                td->bases.push(arena_, parse_type(false));
            } while (accept(Tok::Comma));
        }
    }
    parse_where(td->type_params);
    if (!expect(Tok::LBrace, "to open the type body")) {
        td->span = span_from(begin);
        return td;
    }
    if (td->tkind == TypeDeclKind::Enum) {
        parse_enum_body(td);
    } else {
        while (!at(Tok::RBrace) && !at(Tok::Eof)) {
            release_tokens();
            uint32_t start = p_;
            if (Decl* m = parse_decl(td)) td->members.push(arena_, m);
            if (panic_ || p_ == start) sync_decl(start, true);
        }
    }
    if (at(Tok::Eof)) error_here("expected '}' to close '%s', found end of file", td->name.c_str());
    else advance();
    td->span = span_from(begin);
    return td;
}

// enum-body = { case [","] | member }
// case      = ident ["(" params ")"] ["=" expr]
void Parser::parse_enum_body(TypeDecl* td) {
    while (!at(Tok::RBrace) && !at(Tok::Eof)) {
        release_tokens();
        uint32_t start = p_;
        Tok n = peek().kind;
        if (at(Tok::Ident) && (n == Tok::Comma || n == Tok::RBrace || n == Tok::Eq || n == Tok::LParen || n == Tok::Semi)) {
            EnumCaseDecl* ec = decl_node<EnumCaseDecl>(DeclKind::EnumCase, tok().span);
            ec->doc = doc_before(tok().span.begin);
            ec->name_span = tok().span;
            ec->name = advance().id();
            ec->parent = td;
            if (at(Tok::LParen)) parse_params(ec->payload, ParamStyle::OptionalName);
            if (accept(Tok::Eq)) ec->value = parse_expr();
            ec->span = span_from(ec->span.begin);
            td->members.push(arena_, ec);
            if (!accept(Tok::Comma) && !accept(Tok::Semi) && !at(Tok::RBrace) && !(tok().flags & TF_NEWLINE))
                error_here("expected ',' or '}' after enum case, found %s", describe(tok()).c_str());
        } else {
            if (Decl* m = parse_decl(td)) td->members.push(arena_, m);
        }
        if (panic_ || p_ == start) sync_decl(start, true);
    }
}

// extern = "extern" string ( "{" { attributes type ident params ";" } "}" | func-decl )
Decl* Parser::parse_extern(uint32_t begin, uint32_t mods, ArenaVec<Attribute> attrs) {
    advance();
    const char* abi = "C";
    if (at(Tok::String)) abi = advance().str.s;
    else error_here("expected ABI string after 'extern' (e.g. extern \"C\"), found %s", describe(tok()).c_str());
    auto one = [&](uint32_t b, uint32_t m, ArenaVec<Attribute> at_list) -> FuncDecl* {
        if (!at(Tok::Ident) && !at(Tok::Star) && !at(Tok::LParen)) {
            error_here("expected function declaration in extern block, found %s", describe(tok()).c_str());
            return nullptr;
        }
        FuncDecl* fd = decl_node<FuncDecl>(DeclKind::Func, Span{});
        fd->fkind = FuncKind::Extern;
        fd->extern_abi = abi;
        fd->mods = m;
        fd->set_attrs(arena_, at_list);
        TypeExpr* t = parse_type(false);
        fd->ret = (t->kind == TypeExprKind::Named && t->path.size == 1 && t->path[0] == id_void_) ? nullptr : t;
        fd->name_span = tok().span;
        fd->name = expect_ident("function name");
        if (!fd->name) return nullptr;
        parse_params(fd->params, ParamStyle::OptionalName, &fd->is_variadic);
        expect_semi("after extern function declaration");
        fd->span = span_from(b);
        return fd;
    };
    if (accept(Tok::LBrace)) {
        ExternBlockDecl* eb = decl_node<ExternBlockDecl>(DeclKind::ExternBlock, Span{});
        eb->abi = abi;
        eb->mods = mods;
        eb->set_attrs(arena_, attrs);
        while (!at(Tok::RBrace) && !at(Tok::Eof)) {
            uint32_t start = p_;
            uint32_t b = tok().span.begin;
            ArenaVec<Attribute> fa;
            parse_attributes(fa);
            bool g = false;
            uint32_t m = parse_modifiers(&g);
            if (FuncDecl* fd = one(b, m, fa)) {
                fd->doc = doc_before(b);
                eb->funcs.push(arena_, fd);
            }
            if (panic_ || p_ == start) sync_decl(start, true);
        }
        expect(Tok::RBrace, "to close the extern block");
        eb->span = span_from(begin);
        return eb;
    }
    bool g = false;
    mods |= parse_modifiers(&g);
    FuncDecl* fd = one(begin, mods, attrs);
    return fd;
}

// test = "test" string block
Decl* Parser::parse_test(uint32_t begin) {
    advance();
    TestDecl* t = decl_node<TestDecl>(DeclKind::Test, Span{});
    t->name_span = tok().span;
    t->title = advance().str.s;
    t->body = parse_block("after the test name");
    t->span = span_from(begin);
    return t;
}

} // namespace lang
