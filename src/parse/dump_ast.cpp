// dump_ast.cpp: the AST as an indented s-expression tree (`lang build --emit ast`).
//
// Declarations and statements start on their own line, indented two spaces per level;
// expressions, types and patterns print inline. The format is for humans and for the
// parser's round-trip tests, so it is stable: change it together with test_parser.cpp.
#include "parse/parser.h"
#include <cstdio>
#include <cstring>

namespace lang {

namespace {

const char* binop_text(BinOp op) {
    static const char* const t[] = {"+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^",
                                    "==", "!=", "<", "<=", ">", ">=", "&&", "||", "??",
                                    "+%", "-%", "*%"};
    return t[(int)op];
}

void quote(std::string& out, const char* s, uint32_t n) {
    out += '"';
    for (uint32_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case 0: out += "\\0"; break;
        default:
            if (c < 0x20) {
                char b[16];
                snprintf(b, sizeof b, "\\u{%X}", c);
                out += b;
            } else {
                out += (char)c;
            }
        }
    }
    out += '"';
}

struct Dumper {
    std::string out;

    // Drops the space left before a block that starts on a new line.
    std::string finish() const {
        std::string clean;
        clean.reserve(out.size());
        for (char ch : out) {
            if (ch == '\n')
                while (!clean.empty() && clean.back() == ' ') clean.pop_back();
            clean += ch;
        }
        return clean;
    }

    void nl(int ind) {
        out += '\n';
        out.append((size_t)ind * 2, ' ');
    }
    void id(Ident i) { out += i ? std::string(i.view()) : std::string("<missing>"); }
    void path(const ArenaVec<Ident>& p) {
        for (uint32_t i = 0; i < p.size; i++) {
            if (i) out += '.';
            id(p[i]);
        }
    }

    void type(const TypeExpr* t) {
        if (!t) { out += "<none>"; return; }
        switch (t->kind) {
        case TypeExprKind::Named:
            if (t->path.empty()) out += "<error>";
            path(t->path);
            if (!t->args.empty()) {
                out += '<';
                for (uint32_t i = 0; i < t->args.size; i++) {
                    if (i) out += ", ";
                    type(t->args[i]);
                }
                out += '>';
            }
            break;
        case TypeExprKind::Array: type(t->elem); out += "[]"; break;
        case TypeExprKind::Nullable: type(t->elem); out += "?"; break;
        case TypeExprKind::Fallible: type(t->elem); out += "!"; break;
        case TypeExprKind::Pointer: out += "*"; type(t->elem); break;
        case TypeExprKind::Tuple: case TypeExprKind::Func:
            out += '(';
            for (uint32_t i = 0; i < t->args.size; i++) {
                if (i) out += ", ";
                type(t->args[i]);
            }
            out += ')';
            if (t->kind == TypeExprKind::Func) { out += " => "; type(t->elem); }
            break;
        }
    }

    void args(const ArenaVec<Arg>& a, int ind) {
        for (const Arg& x : a) {
            out += ' ';
            if (x.name) { out += "(named "; id(x.name); out += ' '; expr(x.value, ind); out += ')'; }
            else expr(x.value, ind);
        }
    }
    void generic(const ArenaVec<TypeExpr*>& g) {
        if (g.empty()) return;
        out += '<';
        for (uint32_t i = 0; i < g.size; i++) {
            if (i) out += ", ";
            type(g[i]);
        }
        out += '>';
    }
    void params(const ArenaVec<ParamDecl*>& ps, int ind) {
        out += "(params";
        for (const ParamDecl* p : ps) {
            out += " (";
            if (p->mode == ParamMode::Ref) out += "ref ";
            if (p->mode == ParamMode::Own) out += "own ";
            if (p->name) id(p->name);
            else out += '_'; // unnamed (enum payload, extern)
            if (p->type_expr) { out += ' '; type(p->type_expr); }
            if (p->default_value) { out += " = "; expr(p->default_value, ind); }
            out += ')';
        }
        out += ')';
    }
    void body(const Expr* e, const Block* b, int ind) {
        if (b) { nl(ind); stmt(b, ind); }
        else expr(e, ind);
    }

    void expr(const Expr* e, int ind) {
        if (!e) { out += "<none>"; return; }
        char buf[64];
        switch (e->kind) {
        case ExprKind::IntLit: {
            auto* x = static_cast<const IntLitExpr*>(e);
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)x->value);
            out += buf;
            if (x->suffix) id(x->suffix);
            break;
        }
        case ExprKind::FloatLit:
        {
            double v = static_cast<const FloatLitExpr*>(e)->value;
            snprintf(buf, sizeof buf, "%.15g", v);
            if (strtod(buf, nullptr) != v) snprintf(buf, sizeof buf, "%.17g", v);
        }
            out += buf;
            if (!strpbrk(buf, ".en")) out += ".0";
            if (static_cast<const FloatLitExpr*>(e)->suffix) id(static_cast<const FloatLitExpr*>(e)->suffix);
            break;
        case ExprKind::CharLit: {
            uint32_t v = static_cast<const CharLitExpr*>(e)->value;
            if (v >= 0x20 && v < 0x7f && v != '\'' && v != '\\') snprintf(buf, sizeof buf, "'%c'", (char)v);
            else snprintf(buf, sizeof buf, "'\\u{%X}'", v);
            out += buf;
            break;
        }
        case ExprKind::StringLit: {
            auto* s = static_cast<const StringLitExpr*>(e);
            quote(out, s->bytes, s->len);
            break;
        }
        case ExprKind::InterpString: {
            out += "(interp";
            for (const InterpPart& p : static_cast<const InterpStringExpr*>(e)->parts) {
                out += ' ';
                if (p.expr) {
                    expr(p.expr, ind);
                    if (p.format) { out += ":"; out += p.format; }
                } else {
                    quote(out, p.text, p.len);
                }
            }
            out += ')';
            break;
        }
        case ExprKind::BoolLit: out += static_cast<const BoolLitExpr*>(e)->value ? "true" : "false"; break;
        case ExprKind::NullLit: out += "null"; break;
        case ExprKind::Name: {
            auto* n = static_cast<const NameExpr*>(e);
            if (!n->name) { out += "(error)"; break; }
            id(n->name);
            generic(n->generic_args());
            break;
        }
        case ExprKind::This: out += "this"; break;
        case ExprKind::Base: out += "base"; break;
        case ExprKind::Member: {
            auto* m = static_cast<const MemberExpr*>(e);
            out += m->null_safe ? "(?. " : "(. ";
            expr(m->object, ind);
            out += ' ';
            id(m->name);
            generic(m->generic_args());
            out += ')';
            break;
        }
        case ExprKind::TupleIndex: {
            auto* t = static_cast<const TupleIndexExpr*>(e);
            out += "(. ";
            expr(t->object, ind);
            snprintf(buf, sizeof buf, " %u)", t->index);
            out += buf;
            break;
        }
        case ExprKind::Index: {
            auto* x = static_cast<const IndexExpr*>(e);
            out += "(index ";
            expr(x->object, ind);
            out += ' ';
            expr(x->index, ind);
            out += ')';
            break;
        }
        case ExprKind::Call: {
            auto* c = static_cast<const CallExpr*>(e);
            out += "(call ";
            expr(c->callee, ind);
            args(c->args, ind);
            out += ')';
            break;
        }
        case ExprKind::Unary: {
            auto* u = static_cast<const UnaryExpr*>(e);
            static const char* const names[] = {"neg", "!", "~", "deref", "addr"};
            out += '(';
            out += names[(int)u->op];
            out += ' ';
            expr(u->operand, ind);
            out += ')';
            break;
        }
        case ExprKind::Binary: {
            auto* b = static_cast<const BinaryExpr*>(e);
            out += '(';
            out += binop_text(b->op);
            out += ' ';
            expr(b->lhs, ind);
            out += ' ';
            expr(b->rhs, ind);
            out += ')';
            break;
        }
        case ExprKind::Assign: {
            auto* a = static_cast<const AssignExpr*>(e);
            out += '(';
            if (a->compound) out += binop_text(a->op);
            out += "= ";
            expr(a->target, ind);
            out += ' ';
            expr(a->value, ind);
            out += ')';
            break;
        }
        case ExprKind::Ternary: {
            auto* t = static_cast<const TernaryExpr*>(e);
            out += "(? ";
            expr(t->cond, ind);
            out += ' ';
            expr(t->then_e, ind);
            out += ' ';
            expr(t->else_e, ind);
            out += ')';
            break;
        }
        case ExprKind::Cast: {
            auto* c = static_cast<const CastExpr*>(e);
            out += "(cast ";
            type(c->to);
            out += ' ';
            expr(c->operand, ind);
            out += ')';
            break;
        }
        case ExprKind::Is: {
            auto* x = static_cast<const IsExpr*>(e);
            out += "(is ";
            expr(x->operand, ind);
            out += ' ';
            pattern(x->pattern, ind);
            out += ')';
            break;
        }
        case ExprKind::As: {
            auto* x = static_cast<const AsExpr*>(e);
            out += "(as ";
            expr(x->operand, ind);
            out += ' ';
            type(x->to);
            out += ')';
            break;
        }
        case ExprKind::New: {
            auto* n = static_cast<const NewExpr*>(e);
            if (n->is_array) {
                out += "(new-array ";
                type(n->type);
                out += ' ';
                expr(n->array_len, ind);
                out += ')';
                break;
            }
            out += "(new ";
            type(n->type);
            args(n->args, ind);
            for (const FieldInit& fi : n->inits) {
                out += " (init ";
                id(fi.name);
                out += ' ';
                expr(fi.value, ind);
                out += ')';
            }
            out += ')';
            break;
        }
        case ExprKind::ArrayLit: case ExprKind::TupleLit: {
            const ArenaVec<Expr*>& el = e->kind == ExprKind::ArrayLit ? static_cast<const ArrayLitExpr*>(e)->elems
                                                                      : static_cast<const TupleLitExpr*>(e)->elems;
            out += e->kind == ExprKind::ArrayLit ? "(array" : "(tuple";
            for (const Expr* x : el) { out += ' '; expr(x, ind); }
            out += ')';
            break;
        }
        case ExprKind::Range: {
            auto* r = static_cast<const RangeExpr*>(e);
            out += r->inclusive ? "(..= " : "(.. ";
            expr(r->lo, ind);
            out += ' ';
            expr(r->hi, ind);
            out += ')';
            break;
        }
        case ExprKind::Lambda: {
            auto* l = static_cast<const LambdaExpr*>(e);
            out += "(lambda ";
            params(l->params, ind);
            out += ' ';
            body(l->body_expr, l->body_block, ind + 1);
            out += ')';
            break;
        }
        case ExprKind::Match: {
            auto* m = static_cast<const MatchExpr*>(e);
            out += "(match ";
            expr(m->scrutinee, ind);
            for (const MatchArm& a : m->arms) {
                nl(ind + 1);
                out += "(arm ";
                pattern(a.pattern, ind + 1);
                if (a.guard) { out += " (when "; expr(a.guard, ind + 1); out += ')'; }
                out += ' ';
                body(a.body_expr, a.body_block, ind + 2);
                out += ')';
            }
            out += ')';
            break;
        }
        case ExprKind::Try:
            out += "(try ";
            expr(static_cast<const TryExpr*>(e)->operand, ind);
            out += ')';
            break;
        case ExprKind::Catch: {
            auto* c = static_cast<const CatchExpr*>(e);
            out += "(catch ";
            expr(c->operand, ind);
            if (c->err_name) { out += " ("; id(c->err_name); out += ')'; }
            out += ' ';
            body(c->handler_expr, c->handler_block, ind + 1);
            out += ')';
            break;
        }
        case ExprKind::Typeof: out += "(typeof "; type(static_cast<const TypeofExpr*>(e)->of); out += ')'; break;
        case ExprKind::Sizeof: out += "(sizeof "; type(static_cast<const SizeofExpr*>(e)->of); out += ')'; break;
        case ExprKind::Spawn: out += "(spawn "; expr(static_cast<const SpawnExpr*>(e)->call, ind); out += ')'; break;
        case ExprKind::RefArg: {
            auto* r = static_cast<const RefArgExpr*>(e);
            out += r->is_own ? "(own " : "(ref ";
            expr(r->operand, ind);
            out += ')';
            break;
        }
        case ExprKind::CallerLoc: out += "#caller"; break;
        }
    }

    void pattern(const Pattern* p, int ind) {
        if (!p) { out += "<none>"; return; }
        switch (p->kind) {
        case PatternKind::Wildcard: out += '_'; break;
        case PatternKind::Literal: expr(p->lit, ind); break;
        case PatternKind::Range:
            out += p->inclusive ? "(..= " : "(.. ";
            expr(p->lit, ind);
            out += ' ';
            expr(p->hi, ind);
            out += ')';
            break;
        case PatternKind::Null: out += "null"; break;
        case PatternKind::Binding: out += "(bind "; id(p->name); out += ')'; break;
        case PatternKind::Variant: case PatternKind::Ok: case PatternKind::Err: case PatternKind::Tuple:
            if (p->kind == PatternKind::Tuple) out += "(tuple";
            else if (p->kind == PatternKind::Ok) out += "(Ok";
            else if (p->kind == PatternKind::Err) out += "(Err";
            else { out += "(variant "; path(p->path); }
            for (const Pattern* s : p->subs) { out += ' '; pattern(s, ind); }
            out += ')';
            break;
        case PatternKind::TypeTest:
            out += "(type ";
            type(p->type);
            if (p->name) { out += ' '; id(p->name); }
            out += ')';
            break;
        }
    }

    void stmt(const Stmt* s, int ind) {
        if (!s) { out += "<none>"; return; }
        switch (s->kind) {
        case StmtKind::Block: {
            out += "(block";
            for (const Stmt* x : static_cast<const Block*>(s)->stmts) { nl(ind + 1); stmt(x, ind + 1); }
            out += ')';
            break;
        }
        case StmtKind::Expr: expr(static_cast<const ExprStmt*>(s)->expr, ind); break;
        case StmtKind::VarDecl: {
            auto* v = static_cast<const VarDeclStmt*>(s);
            out += v->is_mutable ? "(var " : "(let ";
            if (v->destructure) {
                out += '(';
                for (uint32_t i = 0; i < v->names.size; i++) { if (i) out += ' '; id(v->names[i]->name); }
                out += ')';
            } else if (!v->names.empty()) {
                id(v->names[0]->name);
            }
            if (v->type) { out += " : "; type(v->type); }
            if (v->init) { out += ' '; expr(v->init, ind); }
            out += ')';
            break;
        }
        case StmtKind::If: {
            auto* x = static_cast<const IfStmt*>(s);
            out += "(if ";
            expr(x->cond, ind);
            nl(ind + 1);
            stmt(x->then_s, ind + 1);
            if (x->else_s) { nl(ind + 1); out += "else "; stmt(x->else_s, ind + 1); }
            out += ')';
            break;
        }
        case StmtKind::While: {
            auto* x = static_cast<const WhileStmt*>(s);
            out += "(while ";
            expr(x->cond, ind);
            nl(ind + 1);
            stmt(x->body, ind + 1);
            out += ')';
            break;
        }
        case StmtKind::For: {
            auto* x = static_cast<const ForStmt*>(s);
            out += "(for ";
            if (x->init) stmt(x->init, ind); else out += "_";
            out += ' ';
            if (x->cond) expr(x->cond, ind); else out += "_";
            out += ' ';
            if (x->step) expr(x->step, ind); else out += "_";
            nl(ind + 1);
            stmt(x->body, ind + 1);
            out += ')';
            break;
        }
        case StmtKind::ForIn: {
            auto* x = static_cast<const ForInStmt*>(s);
            out += x->is_mutable ? "(for-in var " : "(for-in ";
            id(x->var->name);
            out += ' ';
            expr(x->iterable, ind);
            nl(ind + 1);
            stmt(x->body, ind + 1);
            out += ')';
            break;
        }
        case StmtKind::Break: out += "(break)"; break;
        case StmtKind::Continue: out += "(continue)"; break;
        case StmtKind::Return: {
            auto* r = static_cast<const ReturnStmt*>(s);
            out += "(return";
            if (r->value) { out += ' '; expr(r->value, ind); }
            out += ')';
            break;
        }
        case StmtKind::Defer: out += "(defer "; stmt(static_cast<const DeferStmt*>(s)->body, ind); out += ')'; break;
        case StmtKind::Fail: out += "(fail "; expr(static_cast<const FailStmt*>(s)->error, ind); out += ')'; break;
        case StmtKind::Select: {
            out += "(select";
            for (const SelectCase& c : static_cast<const SelectStmt*>(s)->cases) {
                nl(ind + 1);
                static const char* const k[] = {"recv", "send", "timeout", "default"};
                out += "(";
                out += k[c.kind];
                if (c.bind) { out += ' '; id(c.bind->name); }
                if (c.op) { out += ' '; expr(c.op, ind + 1); }
                out += ' ';
                body(c.body_expr, c.body_block, ind + 2);
                out += ')';
            }
            out += ')';
            break;
        }
        case StmtKind::Unsafe: case StmtKind::GcBlock:
            out += s->kind == StmtKind::Unsafe ? "(unsafe " : "(gc ";
            stmt(static_cast<const UnsafeStmt*>(s)->body, ind);
            out += ')';
            break;
        case StmtKind::Empty: out += "(empty)"; break;
        }
    }

    void mods(uint32_t m) {
        static const char* const names[] = {"public", "static", "mut", "virtual", "override", "abstract",
                                            "var", "gc", "unsafe", "private", "protected", "sealed"};
        for (int i = 0; i < 12; i++)
            if (m & (1u << i)) { out += ' '; out += names[i]; }
    }
    void attrs(const ArenaVec<Attribute>& as, int ind) {
        for (const Attribute& a : as) {
            out += " [";
            id(a.name);
            for (const Expr* e : a.args) { out += ' '; expr(e, ind); }
            out += ']';
        }
    }
    void tparams(const ArenaVec<TypeParamDecl*>& tps) {
        if (tps.empty()) return;
        out += " (tparams";
        for (const TypeParamDecl* tp : tps) {
            out += ' ';
            id(tp->name);
            for (const TypeExpr* c : tp->constraints) { out += ":"; type(c); }
        }
        out += ')';
    }

    void decl(const Decl* d, int ind) {
        if (d->doc) {
            out += "(doc ";
            quote(out, d->doc, (uint32_t)strlen(d->doc));
            out += ") ";
        }
        switch (d->kind) {
        case DeclKind::Func: {
            auto* f = static_cast<const FuncDecl*>(d);
            static const char* const k[] = {"func", "method", "ctor", "dtor", "extern-func"};
            out += '(';
            out += k[(int)f->fkind];
            out += ' ';
            id(f->name);
            mods(f->mods);
            attrs(f->attrs(), ind);
            if (f->is_export) { out += " (export "; out += f->extern_abi ? f->extern_abi : ""; out += ')'; }
            tparams(f->type_params);
            if (f->ret) { out += " (ret "; type(f->ret); out += ')'; }
            out += ' ';
            params(f->params, ind);
            if (f->chains_base || f->chains_this) {
                out += f->chains_base ? " (base" : " (this";
                args(f->chain_args, ind);
                out += ')';
            }
            if (f->body) { nl(ind + 1); stmt(f->body, ind + 1); }
            else if (f->body_expr) { out += " (=> "; expr(f->body_expr, ind + 1); out += ')'; }
            out += ')';
            break;
        }
        case DeclKind::Field: {
            auto* f = static_cast<const FieldDecl*>(d);
            out += "(field ";
            id(f->name);
            mods(f->mods);
            attrs(f->attrs(), ind);
            out += ' ';
            type(f->type_expr);
            if (f->init) { out += " = "; expr(f->init, ind); }
            out += ')';
            break;
        }
        case DeclKind::Type: {
            auto* t = static_cast<const TypeDecl*>(d);
            static const char* const k[] = {"class", "struct", "interface", "enum"};
            out += '(';
            if (t->is_gc) out += "gc-";
            out += k[(int)t->tkind];
            out += ' ';
            id(t->name);
            mods(t->mods & ~(uint32_t)M_GC);
            attrs(t->attrs(), ind);
            tparams(t->type_params);
            if (t->underlying) { out += " (underlying "; type(t->underlying); out += ')'; }
            if (!t->bases.empty()) {
                out += " (bases";
                for (const TypeExpr* b : t->bases) { out += ' '; type(b); }
                out += ')';
            }
            for (const Decl* m : t->members) { nl(ind + 1); decl(m, ind + 1); }
            out += ')';
            break;
        }
        case DeclKind::EnumCase: {
            auto* c = static_cast<const EnumCaseDecl*>(d);
            out += "(case ";
            id(c->name);
            if (!c->payload.empty()) { out += ' '; params(c->payload, ind); }
            if (c->value) { out += " = "; expr(c->value, ind); }
            out += ')';
            break;
        }
        case DeclKind::Local: {
            auto* l = static_cast<const LocalDecl*>(d);
            out += l->is_mutable ? "(global-var " : "(global ";
            id(l->name);
            mods(l->mods & ~(uint32_t)M_VAR);
            if (l->type_expr) { out += " : "; type(l->type_expr); }
            if (l->init) { out += ' '; expr(l->init, ind); }
            out += ')';
            break;
        }
        case DeclKind::Test: {
            auto* t = static_cast<const TestDecl*>(d);
            out += "(test ";
            quote(out, t->title, (uint32_t)strlen(t->title));
            nl(ind + 1);
            stmt(t->body, ind + 1);
            out += ')';
            break;
        }
        case DeclKind::ExternBlock: {
            auto* e = static_cast<const ExternBlockDecl*>(d);
            out += "(extern ";
            quote(out, e->abi, (uint32_t)strlen(e->abi));
            attrs(e->attrs(), ind);
            for (const FuncDecl* f : e->funcs) { nl(ind + 1); decl(f, ind + 1); }
            out += ')';
            break;
        }
        case DeclKind::Import: {
            auto* im = static_cast<const ImportDecl*>(d);
            out += "(import ";
            if (im->alias) { id(im->alias); out += " = "; }
            path(im->path);
            out += ')';
            break;
        }
        default:
            out += "(decl ?)";
            break;
        }
    }
};

} // namespace

std::string dump_ast(Compilation& c, const FileAst* f) {
    Dumper d;
    d.out += "(file ";
    d.out += c.sources.file(f->file_id).path;
    if (!f->ns_path.empty()) { d.nl(1); d.out += "(namespace "; d.path(f->ns_path); d.out += ')'; }
    for (const ImportDecl* im : f->imports) { d.nl(1); d.decl(im, 1); }
    for (const Decl* x : f->decls) { d.nl(1); d.decl(x, 1); }
    d.out += ")\n";
    return d.finish();
}

std::string dump_expr(const Expr* e) {
    Dumper d;
    d.expr(e, 0);
    return d.finish();
}

std::string dump_type(const TypeExpr* t) {
    Dumper d;
    d.type(t);
    return d.out;
}

} // namespace lang
