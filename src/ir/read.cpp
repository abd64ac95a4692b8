// read.cpp: parses the IR text form printed by print.cpp (grammar in doc/ir.md).
//
// A hand-written lexer produces tokens with line:col; the parser is recursive descent,
// one function per production. The first error stops parsing and is reported as
// "line:col: message"; the reader never crashes on bad text (it is fuzzed by the unit
// test). Values and blocks may be used before they are defined (phis, loops): a use
// creates a placeholder that the definition later fills in, and any placeholder left
// at the end of the function is an error. The reader checks syntax and naming only;
// SSA rules (dominance, terminators, types) are verify()'s job.
#include "ir/ir.h"
#include <charconv>
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lang::ir {

namespace {

constexpr uint32_t kMaxId = 1u << 24; // keeps per-id tables of later passes reasonable

enum class T : uint8_t {
    End, Newline, Ident, Int, Float, Str, Value, Blk, Sym, Punct, Arrow
};

struct Tok {
    T kind = T::End;
    std::string_view text; // Ident/Int/Float/Punct: the text; Value/Blk: the digits
    std::string str;       // Str and quoted Sym: the decoded bytes
    uint32_t line = 1, col = 1;
};

bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.';
}
bool digit(char c) { return c >= '0' && c <= '9'; }
int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

struct Lexer {
    const char* p;
    const char* end;
    uint32_t line = 1;
    const char* line_start;
    std::string err;

    Lexer(const char* text, size_t len) : p(text), end(text + len), line_start(text) {}

    uint32_t col() const { return (uint32_t)(p - line_start) + 1; }

    bool fail(Tok& t, const char* msg) {
        if (err.empty()) err = std::to_string(t.line) + ":" + std::to_string(t.col) + ": " + msg;
        return false;
    }

    // Reads the body of a quoted string starting after the opening quote.
    bool quoted(Tok& t) {
        while (true) {
            if (p >= end || *p == '\n') return fail(t, "unterminated string");
            char c = *p++;
            if (c == '"') return true;
            if (c != '\\') {
                t.str += c;
                continue;
            }
            if (p >= end) return fail(t, "unterminated string");
            if (p + 1 < end && hexval(p[0]) >= 0 && hexval(p[1]) >= 0) {
                t.str += (char)(hexval(p[0]) * 16 + hexval(p[1]));
                p += 2;
            } else if (*p == '"' || *p == '\\') {
                t.str += *p++;
            } else if (*p == 'n') {
                t.str += '\n';
                p++;
            } else if (*p == 't') {
                t.str += '\t';
                p++;
            } else {
                return fail(t, "bad escape in string (use \\xx with two hex digits)");
            }
        }
    }

    bool next(Tok& t) {
        t = Tok();
        while (p < end) {
            if (*p == ' ' || *p == '\t' || *p == '\r') {
                p++;
            } else if (*p == '#') {
                while (p < end && *p != '\n') p++;
            } else {
                break;
            }
        }
        t.line = line;
        t.col = col();
        if (p >= end) {
            t.kind = T::End;
            return true;
        }
        const char* s = p;
        char c = *p;
        if (c == '\n') {
            p++;
            line++;
            line_start = p;
            t.kind = T::Newline;
            t.text = std::string_view(s, 1);
            return true;
        }
        if (c == '%' || c == '@') {
            p++;
            while (p < end && digit(*p)) p++;
            if (p == s + 1) return fail(t, c == '%' ? "expected a value number after '%'" : "expected a block number after '@'");
            t.kind = c == '%' ? T::Value : T::Blk;
            t.text = std::string_view(s + 1, p - s - 1);
            return true;
        }
        if (c == '$') {
            p++;
            t.kind = T::Sym;
            if (p < end && *p == '"') {
                p++;
                return quoted(t);
            }
            while (p < end && name_char(*p)) p++;
            if (p == s + 1) return fail(t, "expected a symbol name after '$'");
            t.str.assign(s + 1, p);
            return true;
        }
        if (c == '"') {
            p++;
            t.kind = T::Str;
            return quoted(t);
        }
        if (digit(c) || (c == '-' && p + 1 < end && digit(p[1]))) {
            p++;
            while (p < end && digit(*p)) p++;
            t.kind = T::Int;
            if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) {
                t.kind = T::Float;
                if (*p == '.') {
                    p++;
                    while (p < end && digit(*p)) p++;
                }
                if (p < end && (*p == 'e' || *p == 'E')) {
                    p++;
                    if (p < end && (*p == '+' || *p == '-')) p++;
                    if (p >= end || !digit(*p)) {
                        t.text = std::string_view(s, p - s);
                        return fail(t, "bad exponent in number");
                    }
                    while (p < end && digit(*p)) p++;
                }
            }
            t.text = std::string_view(s, p - s);
            return true;
        }
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
            while (p < end && name_char(*p)) p++;
            t.kind = T::Ident;
            t.text = std::string_view(s, p - s);
            return true;
        }
        if (c == '-' && p + 1 < end && p[1] == '>') {
            p += 2;
            t.kind = T::Arrow;
            t.text = std::string_view(s, 2);
            return true;
        }
        if (strchr("=,()[]{}:+-!", c) && c != 0) {
            p++;
            t.kind = T::Punct;
            t.text = std::string_view(s, 1);
            return true;
        }
        char msg[64];
        if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
            snprintf(msg, sizeof msg, "unexpected character '%c'", c);
        else
            snprintf(msg, sizeof msg, "unexpected byte 0x%02x", (unsigned char)c);
        return fail(t, msg);
    }
};

struct ValEntry {
    Inst* inst = nullptr;
    bool defined = false;
    uint32_t line = 0, col = 0; // first use, for "undefined value" errors
};
struct BlkEntry {
    Block* block = nullptr;
    bool defined = false;
    uint32_t line = 0, col = 0;
};

struct Reader {
    Module& m;
    Lexer lx;
    Tok tok;   // current token
    std::string* err;
    bool failed = false;

    // per-function state
    Func* fn = nullptr;
    std::unordered_map<uint32_t, ValEntry> vals;
    std::unordered_map<uint32_t, BlkEntry> blks;
    std::vector<Inst*> unnumbered; // insts without a value: numbered after the function

    Reader(Module& mod, const char* text, size_t len, std::string* e) : m(mod), lx(text, len), err(e) {}

    bool fail_at(uint32_t line, uint32_t col, const std::string& msg) {
        if (!failed && err) *err = std::to_string(line) + ":" + std::to_string(col) + ": " + msg;
        failed = true;
        return false;
    }
    bool fail(const std::string& msg) { return fail_at(tok.line, tok.col, msg); }

    bool advance() {
        if (!lx.next(tok)) {
            if (!failed && err) *err = lx.err;
            failed = true;
            return false;
        }
        return true;
    }

    std::string describe() const {
        switch (tok.kind) {
        case T::End: return "end of input";
        case T::Newline: return "end of line";
        case T::Str: return "a string";
        case T::Value: return "'%" + std::string(tok.text) + "'";
        case T::Blk: return "'@" + std::string(tok.text) + "'";
        case T::Sym: return "'$" + tok.str + "'";
        default: return "'" + std::string(tok.text) + "'";
        }
    }

    bool is_punct(char c) const { return tok.kind == T::Punct && tok.text[0] == c; }
    bool is_ident(const char* s) const { return tok.kind == T::Ident && tok.text == s; }

    bool expect_punct(char c) {
        if (!is_punct(c)) return fail(std::string("expected '") + c + "', found " + describe());
        return advance();
    }
    bool expect_newline() {
        if (tok.kind == T::End || is_punct('}')) return true;
        if (tok.kind != T::Newline) return fail("expected end of line, found " + describe());
        return advance();
    }
    bool skip_newlines() {
        while (tok.kind == T::Newline)
            if (!advance()) return false;
        return true;
    }

    bool parse_u32(std::string_view s, uint32_t* out) {
        uint32_t v = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        if (r.ec != std::errc() || r.ptr != s.data() + s.size() || v >= kMaxId)
            return fail("number " + std::string(s) + " is too large");
        *out = v;
        return true;
    }

    // int = ["-"] digits   (64-bit; values up to 2^64-1 are accepted as their bits)
    bool parse_int(int64_t* out) {
        if (tok.kind != T::Int) return fail("expected an integer, found " + describe());
        std::string_view s = tok.text;
        int64_t v = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        if (r.ec != std::errc() || r.ptr != s.data() + s.size()) {
            uint64_t u = 0;
            auto r2 = std::from_chars(s.data(), s.data() + s.size(), u);
            if (r2.ec != std::errc() || r2.ptr != s.data() + s.size())
                return fail("integer " + std::string(s) + " does not fit in 64 bits");
            v = (int64_t)u;
        }
        *out = v;
        return advance();
    }

    bool parse_nonneg(int64_t* out, const char* what) {
        uint32_t l = tok.line, c = tok.col;
        if (!parse_int(out)) return false;
        if (*out < 0) return fail_at(l, c, std::string(what) + " must not be negative");
        return true;
    }

    // float = ["-"] (digits ["." digits] [exp] | "inf" | "nan")
    bool parse_float(double* out) {
        bool neg = false;
        if (is_punct('-')) {
            neg = true;
            if (!advance()) return false;
        }
        if (tok.kind != T::Int && tok.kind != T::Float && !is_ident("inf") && !is_ident("nan"))
            return fail("expected a floating-point number, found " + describe());
        std::string s(tok.text);
        double d = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), d);
        if (r.ec == std::errc::result_out_of_range) return fail("number " + s + " is out of range");
        if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return fail("bad number " + s);
        *out = neg ? -d : d;
        return advance();
    }

    // offset = ["+" digits | "-" digits]   (the lexer reads "-8" as one Int token; spaces
    // around the sign are allowed)
    bool parse_offset(int64_t* out) {
        *out = 0;
        if (is_punct('+')) {
            if (!advance()) return false;
            return parse_int(out);
        }
        if (tok.kind == T::Int && tok.text[0] == '-') return parse_int(out);
        if (is_punct('-')) { // "[%4 - 8]": a separated minus sign
            if (!advance()) return false;
            if (tok.kind != T::Int || tok.text[0] == '-') return fail("expected an offset after '-', found " + describe());
            if (!parse_int(out)) return false;
            *out = (int64_t)(0 - (uint64_t)*out);
        }
        return true;
    }

    bool parse_type(Ty* out, bool allow_void) {
        static const struct { const char* n; Ty t; } tys[] = {
            {"i8", Ty::I8}, {"i16", Ty::I16}, {"i32", Ty::I32}, {"i64", Ty::I64},
            {"f32", Ty::F32}, {"f64", Ty::F64}, {"ptr", Ty::Ptr}, {"void", Ty::Void}};
        if (tok.kind == T::Ident)
            for (auto& e : tys)
                if (tok.text == e.n && (allow_void || e.t != Ty::Void)) {
                    *out = e.t;
                    return advance();
                }
        return fail("expected a type, found " + describe());
    }

    const char* intern_sym() { return m.arena.copy_str(tok.str.data(), tok.str.size()); }

    bool parse_sym(const char** out) {
        if (tok.kind != T::Sym) return fail("expected a $symbol, found " + describe());
        *out = intern_sym();
        return advance();
    }

    Inst* use_value() {
        uint32_t id = 0;
        if (tok.kind != T::Value) {
            fail("expected a %value, found " + describe());
            return nullptr;
        }
        if (!parse_u32(tok.text, &id)) return nullptr;
        ValEntry& e = vals[id];
        if (!e.inst) {
            e.inst = m.arena.make<Inst>();
            e.inst->op = Op::copy;
            e.inst->id = id;
            e.line = tok.line;
            e.col = tok.col;
        }
        if (!advance()) return nullptr;
        return e.inst;
    }

    Block* use_block() {
        uint32_t id = 0;
        if (tok.kind != T::Blk) {
            fail("expected a @block, found " + describe());
            return nullptr;
        }
        if (!parse_u32(tok.text, &id)) return nullptr;
        BlkEntry& e = blks[id];
        if (!e.block) {
            e.block = m.arena.make<Block>();
            e.block->id = id;
            e.line = tok.line;
            e.col = tok.col;
        }
        if (!advance()) return nullptr;
        return e.block;
    }

    bool arg(Inst* in) {
        Inst* v = use_value();
        if (!v) return false;
        in->args.push(m.arena, v);
        return true;
    }

    // addr = "[" value offset "]"
    bool parse_addr(Inst* in) {
        if (!expect_punct('[')) return false;
        if (!arg(in)) return false;
        if (!parse_offset(&in->imm)) return false;
        return expect_punct(']');
    }

    // callargs = "(" [value {"," value}] ")"
    bool parse_callargs(Inst* in) {
        if (!expect_punct('(')) return false;
        if (!is_punct(')')) {
            while (true) {
                if (!arg(in)) return false;
                if (!is_punct(',')) break;
                if (!advance()) return false;
            }
        }
        return expect_punct(')');
    }

    static bool is_conversion(Op op) { return op >= Op::sext && op <= Op::bitcast; }

    // opname = name {"." type}: splits the identifier and decodes the type suffixes.
    bool parse_opname(Op* op, Ty* ty, Ty* cty, int* ntypes) {
        if (tok.kind != T::Ident) return fail("expected an instruction, found " + describe());
        std::string_view s = tok.text;
        size_t dot = s.find('.');
        std::string_view name = s.substr(0, dot);
        int found = -1;
        for (int k = 0; k < (int)Op::Count; k++)
            if (name == kOpInfo[k].name) found = k;
        if (found < 0) return fail("unknown instruction '" + std::string(name) + "'");
        *op = (Op)found;
        Ty tys[2] = {Ty::Void, Ty::Void};
        int n = 0;
        while (dot != std::string_view::npos) {
            size_t nd = s.find('.', dot + 1);
            std::string_view part = s.substr(dot + 1, nd == std::string_view::npos ? nd : nd - dot - 1);
            static const struct { const char* n; Ty t; } names[] = {
                {"i8", Ty::I8}, {"i16", Ty::I16}, {"i32", Ty::I32}, {"i64", Ty::I64},
                {"f32", Ty::F32}, {"f64", Ty::F64}, {"ptr", Ty::Ptr}};
            Ty t = Ty::Void;
            bool ok = false;
            for (auto& e : names)
                if (part == e.n) {
                    t = e.t;
                    ok = true;
                }
            if (!ok) return fail("unknown type '" + std::string(part) + "' in '" + std::string(s) + "'");
            if (n == 2) return fail("too many type suffixes in '" + std::string(s) + "'");
            tys[n++] = t;
            dot = nd;
        }
        *ntypes = n;
        if (is_conversion(*op)) {
            if (n != 2) return fail("conversion '" + std::string(name) + "' needs two types: " + std::string(name) + ".<from>.<to>");
            *cty = tys[0];
            *ty = tys[1];
        } else if (is_compare(*op) || *op == Op::store) {
            if (n != 1) return fail("'" + std::string(name) + "' needs one operand type suffix");
            *cty = tys[0];
            *ty = is_compare(*op) ? Ty::I8 : Ty::Void;
        } else {
            if (n > 1) return fail("too many type suffixes in '" + std::string(s) + "'");
            *ty = tys[0];
        }
        return advance();
    }

    // inst = [value "="] opname operands ["!" digits] NL
    bool parse_inst(Block* b) {
        uint32_t line = tok.line, col = tok.col;
        uint32_t def_id = 0;
        bool has_def = false;
        if (tok.kind == T::Value) {
            if (!parse_u32(tok.text, &def_id)) return false;
            has_def = true;
            if (!advance() || !expect_punct('=')) return false;
        }
        Op op{}; // set by parse_opname (initialized only to quiet -Wmaybe-uninitialized)
        Ty ty = Ty::Void, cty = Ty::Void;
        int ntypes = 0;
        uint32_t opline = tok.line, opcol = tok.col;
        if (!parse_opname(&op, &ty, &cty, &ntypes)) return false;
        const OpInfo& oi = info(op);
        bool makes_value = !(oi.flags & F_NOVAL) && ty != Ty::Void;
        if (has_def && !makes_value) {
            if (oi.flags & F_NOVAL)
                return fail_at(line, col, std::string("'") + oi.name + "' does not define a value");
            return fail_at(opline, opcol, std::string("'") + oi.name + "' needs a type suffix");
        }
        if (!has_def && makes_value)
            return fail_at(line, col, std::string("'") + oi.name + "' defines a value: write %N = " + oi.name + "...");
        if (!has_def && !(oi.flags & F_NOVAL) && op != Op::call && op != Op::callind)
            return fail_at(opline, opcol, std::string("'") + oi.name + "' needs a type suffix and a result");

        Inst* in;
        if (has_def) {
            ValEntry& e = vals[def_id];
            if (e.defined) return fail_at(line, col, "value %" + std::to_string(def_id) + " is defined twice");
            if (!e.inst) {
                e.inst = m.arena.make<Inst>();
                e.inst->id = def_id;
            }
            e.defined = true;
            in = e.inst;
        } else {
            in = m.arena.make<Inst>();
            unnumbered.push_back(in);
        }
        in->op = op;
        in->ty = ty;
        in->cty = cty;

        switch (op) {
        case Op::iconst:
            if (!parse_int(&in->imm)) return false;
            break;
        case Op::fconst:
            if (!parse_float(&in->fimm)) return false;
            break;
        case Op::param:
            if (!parse_nonneg(&in->imm, "parameter index")) return false;
            break;
        case Op::addr:
            if (!parse_sym(&in->sym) || !parse_offset(&in->imm)) return false;
            break;
        case Op::slot:
            if (!parse_nonneg(&in->imm, "slot size") || !expect_punct(',') ||
                !parse_nonneg(&in->imm2, "slot alignment"))
                return false;
            break;
        case Op::load:
            if (!parse_addr(in)) return false;
            break;
        case Op::store:
            if (!parse_addr(in) || !expect_punct(',') || !arg(in)) return false;
            break;
        case Op::memcpy:
            if (!arg(in) || !expect_punct(',') || !arg(in) || !expect_punct(',') ||
                !parse_nonneg(&in->imm, "byte count"))
                return false;
            break;
        case Op::memzero:
            if (!arg(in) || !expect_punct(',') || !parse_nonneg(&in->imm, "byte count")) return false;
            break;
        case Op::call:
        case Op::tailcall:
            if (!parse_sym(&in->sym) || !parse_callargs(in)) return false;
            if (in->op == Op::call && is_ident("varargs")) { // a variadic C call
                in->imm = 1;
                if (!advance()) return false;
            }
            if (in->op == Op::call && tok.kind == T::Ident && tok.text.substr(0, 7) == "regret.") {
                // a C struct result in registers: regret.T0[.T1] (T: i64 or f64)
                std::string_view r = tok.text.substr(7);
                int64_t fl = 2;
                if (r.substr(0, 3) == "f64") fl |= 8;
                else if (r.substr(0, 3) != "i64") return fail("expected regret.i64 or regret.f64");
                if (r.size() > 3) {
                    fl |= 4;
                    if (r.substr(3) == ".f64") fl |= 16;
                    else if (r.substr(3) != ".i64") return fail("expected a second part .i64 or .f64");
                }
                in->imm |= fl;
                if (!advance()) return false;
            }
            if (in->op == Op::call && tok.kind == T::Ident && tok.text.substr(0, 6) == "stack.") {
                // arguments on the stack: stack.K.L... (argument indexes below 56)
                std::string_view r = tok.text.substr(5);
                while (!r.empty() && r[0] == '.') {
                    size_t e = 1;
                    uint32_t k = 0;
                    while (e < r.size() && r[e] >= '0' && r[e] <= '9') k = k * 10 + (uint32_t)(r[e++] - '0');
                    if (e == 1 || k >= 56) return fail("expected stack.K with argument indexes below 56");
                    in->imm |= (int64_t)(1ull << (8 + k));
                    r = r.substr(e);
                }
                if (!r.empty()) return fail("expected stack.K.L...");
                if (!advance()) return false;
            }
            break;
        case Op::callind:
            if (!arg(in) || !parse_callargs(in)) return false;
            break;
        case Op::phi:
            if (!expect_punct('[')) return false;
            if (!is_punct(']')) {
                while (true) {
                    Block* pb = use_block();
                    if (!pb) return false;
                    in->phi_blocks.push(m.arena, pb);
                    if (!arg(in)) return false;
                    if (!is_punct(',')) break;
                    if (!advance()) return false;
                }
            }
            if (!expect_punct(']')) return false;
            break;
        case Op::jmp:
            if (!(in->target[0] = use_block())) return false;
            break;
        case Op::br:
            if (!arg(in) || !expect_punct(',')) return false;
            if (!(in->target[0] = use_block()) || !expect_punct(',')) return false;
            if (!(in->target[1] = use_block())) return false;
            break;
        case Op::ret:
            if (tok.kind == T::Value && !arg(in)) return false;
            break;
        default:
            for (int k = 0; k < oi.nargs; k++) {
                if (k && !expect_punct(',')) return false;
                if (!arg(in)) return false;
            }
            break;
        }
        if (is_punct('!')) {
            if (!advance()) return false;
            if (tok.kind != T::Int || tok.text[0] == '-') return fail("expected a line number after '!'");
            uint32_t l = 0;
            auto r = std::from_chars(tok.text.data(), tok.text.data() + tok.text.size(), l);
            if (r.ec != std::errc()) return fail("line number too large");
            in->line = l;
            if (!advance()) return false;
        }
        append(m, b, in);
        return expect_newline();
    }

    // func = ["export"] "func" sym "(" [type {"," type}] ")" ["->" type] ["ctx"] ["file" str] "{" NL
    //        {label | inst} "}"
    bool parse_func(bool is_public) {
        if (!advance()) return false; // "func"
        const char* name;
        if (!parse_sym(&name)) return false;
        for (Func* g : m.funcs)
            if (!strcmp(g->name, name)) return fail("function $" + std::string(name) + " is defined twice");
        fn = new_func(m, name);
        fn->is_public = is_public;
        vals.clear();
        blks.clear();
        unnumbered.clear();
        if (!expect_punct('(')) return false;
        if (!is_punct(')')) {
            while (true) {
                Ty t;
                if (!parse_type(&t, false)) return false;
                fn->params.push(m.arena, t);
                if (!is_punct(',')) break;
                if (!advance()) return false;
            }
        }
        if (!expect_punct(')')) return false;
        if (tok.kind == T::Arrow) {
            if (!advance() || !parse_type(&fn->ret, true)) return false;
        }
        if (is_ident("ctx")) {
            if (!advance()) return false;
            fn->has_ctx = true;
        }
        if (is_ident("file")) {
            if (!advance()) return false;
            if (tok.kind != T::Str) return fail("expected a file name string, found " + describe());
            fn->source_file = m.arena.copy_str(tok.str.data(), tok.str.size());
            if (!advance()) return false;
        }
        if (!expect_punct('{')) return false;
        Block* cur = nullptr;
        while (true) {
            if (!skip_newlines()) return false;
            if (is_punct('}')) break;
            if (tok.kind == T::End) return fail("missing '}' at the end of function $" + std::string(fn->name));
            if (tok.kind == T::Blk) {
                uint32_t line = tok.line, col = tok.col;
                Block* b = use_block();
                if (!b) return false;
                BlkEntry& e = blks[b->id];
                if (e.defined) return fail_at(line, col, "block @" + std::to_string(b->id) + " is defined twice");
                e.defined = true;
                fn->blocks.push(m.arena, b);
                if (!expect_punct(':')) return false;
                cur = b;
                continue;
            }
            if (!cur) return fail("instruction outside a block (start the body with a label such as @0:)");
            if (!parse_inst(cur)) return false;
        }
        if (!advance()) return false; // "}"
        return finish_func();
    }

    bool finish_func() {
        uint32_t max_id = 0, max_blk = 0;
        bool any = false;
        // Report the earliest undefined use so the message is deterministic.
        const ValEntry* bad = nullptr;
        uint32_t bad_id = 0;
        for (auto& [id, e] : vals) {
            if (!e.defined && (!bad || e.line < bad->line || (e.line == bad->line && e.col < bad->col))) {
                bad = &e;
                bad_id = id;
            }
            if (id + 1 > max_id) max_id = id + 1;
            any = true;
        }
        if (bad) return fail_at(bad->line, bad->col, "use of undefined value %" + std::to_string(bad_id));
        const BlkEntry* badb = nullptr;
        uint32_t badb_id = 0;
        for (auto& [id, e] : blks) {
            if (!e.defined && (!badb || e.line < badb->line || (e.line == badb->line && e.col < badb->col))) {
                badb = &e;
                badb_id = id;
            }
            if (id + 1 > max_blk) max_blk = id + 1;
        }
        if (badb) return fail_at(badb->line, badb->col, "use of undefined block @" + std::to_string(badb_id));
        (void)any;
        for (Inst* in : unnumbered) in->id = max_id++;
        fn->next_id = max_id;
        fn->next_block = max_blk;
        compute_cfg(m, *fn);
        return true;
    }

    // dataitem = "bytes" str | "zero" int | "addr" sym offset | inttype int | floattype float
    bool parse_item(Global* g) {
        DataItem d{};
        if (is_ident("bytes")) {
            if (!advance()) return false;
            if (tok.kind != T::Str) return fail("expected a string after 'bytes', found " + describe());
            d.kind = DataItem::Bytes;
            d.size = tok.str.size();
            uint8_t* p = static_cast<uint8_t*>(m.arena.alloc(d.size ? d.size : 1, 1));
            if (d.size) memcpy(p, tok.str.data(), d.size);
            d.bytes = p;
            if (!advance()) return false;
        } else if (is_ident("zero")) {
            if (!advance()) return false;
            int64_t n;
            if (!parse_nonneg(&n, "zero count")) return false;
            d.kind = DataItem::Zero;
            d.size = (uint64_t)n;
        } else if (is_ident("addr")) {
            if (!advance()) return false;
            d.kind = DataItem::SymAddr;
            d.size = 8;
            if (!parse_sym(&d.sym) || !parse_offset(&d.addend)) return false;
        } else if (tok.kind == T::Ident) {
            Ty t;
            if (!parse_type(&t, false)) return false;
            if (t == Ty::Ptr) return fail("use 'addr $sym' or 'i64' for pointer-sized data");
            uint8_t buf[8];
            if (is_float(t)) {
                double v;
                if (!parse_float(&v)) return false;
                if (t == Ty::F32) {
                    float f = (float)v;
                    memcpy(buf, &f, 4);
                } else {
                    memcpy(buf, &v, 8);
                }
            } else {
                int64_t v;
                if (!parse_int(&v)) return false;
                memcpy(buf, &v, 8); // little-endian targets only
            }
            d.kind = DataItem::Bytes;
            d.size = ty_size(t);
            uint8_t* p = static_cast<uint8_t*>(m.arena.alloc(d.size, 1));
            memcpy(p, buf, d.size);
            d.bytes = p;
        } else {
            return fail("expected a data item (bytes, zero, addr, i8..i64, f32, f64), found " + describe());
        }
        g->items.push(m.arena, d);
        return true;
    }

    // data = ["export"] "data" sym ("rodata"|"data"|"bss") ["align" int] "{" [item {"," item}] "}"
    bool parse_data(bool is_public) {
        if (!advance()) return false; // "data"
        Global* g = m.arena.make<Global>();
        if (!parse_sym(&g->name)) return false;
        g->is_public = is_public;
        if (is_ident("rodata"))
            g->section = Section::Rodata;
        else if (is_ident("data"))
            g->section = Section::Data;
        else if (is_ident("bss"))
            g->section = Section::Bss;
        else
            return fail("expected rodata, data or bss, found " + describe());
        if (!advance()) return false;
        if (is_ident("align")) {
            if (!advance()) return false;
            uint32_t l = tok.line, c = tok.col;
            int64_t a;
            if (!parse_int(&a)) return false;
            if (a <= 0 || a > 4096 || (a & (a - 1))) return fail_at(l, c, "alignment must be a power of two up to 4096");
            g->align = (uint32_t)a;
        }
        if (!expect_punct('{') || !skip_newlines()) return false;
        if (!is_punct('}')) {
            while (true) {
                if (!parse_item(g) || !skip_newlines()) return false;
                if (!is_punct(',')) break;
                if (!advance() || !skip_newlines()) return false;
            }
        }
        if (!expect_punct('}')) return false;
        m.globals.push(m.arena, g);
        return true;
    }

    // module = {extern | data | func}
    bool parse_module() {
        if (!advance()) return false;
        while (true) {
            if (!skip_newlines()) return false;
            if (tok.kind == T::End) return true;
            bool is_public = false;
            if (is_ident("export")) {
                is_public = true;
                if (!advance()) return false;
                if (!is_ident("func") && !is_ident("data")) return fail("expected 'func' or 'data' after 'export'");
            }
            if (is_ident("func")) {
                if (!parse_func(is_public)) return false;
            } else if (is_ident("data")) {
                if (!parse_data(is_public)) return false;
            } else if (is_ident("extern")) {
                if (!advance()) return false;
                const char* name;
                if (!parse_sym(&name)) return false;
                m.externs.push(m.arena, name);
            } else {
                return fail("expected 'func', 'data' or 'extern', found " + describe());
            }
            if (tok.kind != T::End && tok.kind != T::Newline) return fail("expected end of line, found " + describe());
        }
    }
};

} // namespace

bool read(Module& m, const char* text, size_t len, std::string* err) {
    Reader r(m, text, len, err);
    return r.parse_module();
}

} // namespace lang::ir
