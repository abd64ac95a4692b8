// print.cpp: the IR text form (see doc/ir.md for the grammar).
//
// The printer is the reference for the syntax: read.cpp accepts exactly what is printed
// here (plus comments, blank lines and a few conveniences), and
// print(read(print(m))) == print(m) is checked for every golden file. Value and block
// numbers are printed as stored (%id, @id), so the numbering survives a round trip.
// Module order: externs, then data, then functions.
#include "ir/ir.h"
#include <charconv>
#include <cstdio>

namespace lang::ir {

namespace {

bool is_plain_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.';
}

// Appends `s` between quotes, escaping '"', '\\' and bytes outside printable ASCII as \xx.
void put_quoted(std::string& o, const uint8_t* s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    o += '"';
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7f) {
            o += '\\';
            o += hex[c >> 4];
            o += hex[c & 15];
        } else {
            o += (char)c;
        }
    }
    o += '"';
}

void put_sym(std::string& o, const char* name) {
    o += '$';
    if (!name) name = "";
    bool plain = *name != 0;
    for (const char* p = name; *p; p++)
        if (!is_plain_name_char(*p)) plain = false;
    if (plain)
        o += name;
    else
        put_quoted(o, reinterpret_cast<const uint8_t*>(name), strlen(name));
}

void put_int(std::string& o, int64_t v) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    o.append(buf, r.ptr);
}

void put_uint(std::string& o, uint64_t v) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    o.append(buf, r.ptr);
}

// Shortest text that reads back to the same double; always has a '.', 'e', "inf" or "nan"
// so it cannot be mistaken for an integer by a human reader.
void put_double(std::string& o, double d) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    std::string s(buf, r.ptr);
    if (s.find_first_of(".ein") == std::string::npos) s += ".0";
    o += s;
}

void put_val(std::string& o, const Inst* v) {
    if (!v) {
        o += "%?";
        return;
    }
    o += '%';
    put_uint(o, v->id);
}

void put_blk(std::string& o, const Block* b) {
    if (!b) {
        o += "@?";
        return;
    }
    o += '@';
    put_uint(o, b->id);
}

void put_offset(std::string& o, int64_t off) {
    if (off > 0) {
        o += '+';
        put_int(o, off);
    } else if (off < 0) {
        put_int(o, off);
    }
}

void put_addr(std::string& o, const Inst* base, int64_t off) {
    o += '[';
    put_val(o, base);
    put_offset(o, off);
    o += ']';
}

void put_args(std::string& o, const Inst& in, uint32_t from) {
    o += '(';
    for (uint32_t k = from; k < in.args.size; k++) {
        if (k > from) o += ", ";
        put_val(o, in.args[k]);
    }
    o += ')';
}

bool is_conversion(Op op) { return op >= Op::sext && op <= Op::bitcast; }

void put_inst(std::string& o, const Inst& in) {
    const OpInfo& oi = info(in.op);
    o += "  ";
    bool has_value = !(oi.flags & F_NOVAL) && in.ty != Ty::Void;
    if (has_value) {
        put_val(o, &in);
        o += " = ";
    }
    o += oi.name;
    // Type suffix: the result type, except compares (operand type) and stores (stored
    // type); conversions print source then destination.
    if (is_compare(in.op) || in.op == Op::store) {
        o += '.';
        o += ty_name(in.cty);
    } else if (is_conversion(in.op)) {
        o += '.';
        o += ty_name(in.cty);
        o += '.';
        o += ty_name(in.ty);
    } else if (in.ty != Ty::Void) {
        o += '.';
        o += ty_name(in.ty);
    }
    switch (in.op) {
    case Op::iconst:
        o += ' ';
        put_int(o, in.imm);
        break;
    case Op::fconst:
        o += ' ';
        put_double(o, in.fimm);
        break;
    case Op::param:
        o += ' ';
        put_int(o, in.imm);
        break;
    case Op::addr:
        o += ' ';
        put_sym(o, in.sym);
        put_offset(o, in.imm);
        break;
    case Op::slot:
        o += ' ';
        put_int(o, in.imm);
        o += ", ";
        put_int(o, in.imm2);
        break;
    case Op::load:
        o += ' ';
        put_addr(o, in.args.size ? in.args[0] : nullptr, in.imm);
        break;
    case Op::store:
        o += ' ';
        put_addr(o, in.args.size ? in.args[0] : nullptr, in.imm);
        o += ", ";
        put_val(o, in.args.size > 1 ? in.args[1] : nullptr);
        break;
    case Op::memcpy:
    case Op::memzero:
        o += ' ';
        for (uint32_t k = 0; k < in.args.size; k++) {
            put_val(o, in.args[k]);
            o += ", ";
        }
        put_int(o, in.imm);
        break;
    case Op::call:
    case Op::tailcall:
        o += ' ';
        put_sym(o, in.sym);
        put_args(o, in, 0);
        if (in.op == Op::call && (in.imm & 1)) o += " varargs"; // a variadic C call
        if (in.op == Op::call && (in.imm & 2)) { // a C struct result in registers, stored at the last argument
            o += (in.imm & 8) ? " regret.f64" : " regret.i64";
            if (in.imm & 4) o += (in.imm & 16) ? ".f64" : ".i64";
        }
        if (in.op == Op::call && ((uint64_t)in.imm >> 8)) { // arguments passed on the stack: stack.K.L...
            o += " stack";
            for (uint32_t k = 0; k < 56; k++)
                if (((uint64_t)in.imm >> (8 + k)) & 1) o += "." + std::to_string(k);
        }
        break;
    case Op::callind:
        o += ' ';
        put_val(o, in.args.size ? in.args[0] : nullptr);
        put_args(o, in, 1);
        break;
    case Op::phi:
        o += " [";
        for (uint32_t k = 0; k < in.args.size; k++) {
            if (k) o += ", ";
            put_blk(o, k < in.phi_blocks.size ? in.phi_blocks[k] : nullptr);
            o += ' ';
            put_val(o, in.args[k]);
        }
        o += ']';
        break;
    case Op::jmp:
        o += ' ';
        put_blk(o, in.target[0]);
        break;
    case Op::br:
        o += ' ';
        put_val(o, in.args.size ? in.args[0] : nullptr);
        o += ", ";
        put_blk(o, in.target[0]);
        o += ", ";
        put_blk(o, in.target[1]);
        break;
    default:
        for (uint32_t k = 0; k < in.args.size; k++) {
            o += k ? ", " : " ";
            put_val(o, in.args[k]);
        }
        break;
    }
    if (in.line) {
        o += " !";
        put_uint(o, in.line);
    }
    o += '\n';
}

void put_func(std::string& o, const Func& f) {
    if (f.is_public) o += "export ";
    o += "func ";
    put_sym(o, f.name);
    o += '(';
    for (uint32_t k = 0; k < f.params.size; k++) {
        if (k) o += ", ";
        o += ty_name(f.params[k]);
    }
    o += ')';
    if (f.ret != Ty::Void) {
        o += " -> ";
        o += ty_name(f.ret);
    }
    if (f.has_ctx) o += " ctx";
    if (f.source_file) {
        o += " file ";
        put_quoted(o, reinterpret_cast<const uint8_t*>(f.source_file), strlen(f.source_file));
    }
    o += " {\n";
    for (const Block* b : f.blocks) {
        put_blk(o, b);
        o += ":\n";
        for (const Inst* in : b->insts) put_inst(o, *in);
    }
    o += "}\n";
}

const char* section_name(Section s) {
    switch (s) {
    case Section::Rodata: return "rodata";
    case Section::Data: return "data";
    case Section::Bss: return "bss";
    }
    return "?";
}

void put_global(std::string& o, const Global& g) {
    if (g.is_public) o += "export ";
    o += "data ";
    put_sym(o, g.name);
    o += ' ';
    o += section_name(g.section);
    o += " align ";
    put_uint(o, g.align);
    o += " {";
    for (uint32_t k = 0; k < g.items.size; k++) {
        const DataItem& d = g.items[k];
        o += k ? ", " : " ";
        switch (d.kind) {
        case DataItem::Bytes:
            o += "bytes ";
            put_quoted(o, d.bytes, d.bytes ? d.size : 0);
            break;
        case DataItem::Zero:
            o += "zero ";
            put_uint(o, d.size);
            break;
        case DataItem::SymAddr:
            o += "addr ";
            put_sym(o, d.sym);
            put_offset(o, d.addend);
            break;
        }
    }
    o += g.items.size ? " }\n" : "}\n";
}

} // namespace

std::string print(const Func& f) {
    std::string o;
    put_func(o, f);
    return o;
}

std::string print(const Module& m) {
    std::string o;
    for (const char* e : m.externs) {
        o += "extern ";
        put_sym(o, e);
        o += '\n';
    }
    if (m.externs.size && (m.globals.size || m.funcs.size)) o += '\n';
    for (const Global* g : m.globals) put_global(o, *g);
    if (m.globals.size && m.funcs.size) o += '\n';
    for (uint32_t k = 0; k < m.funcs.size; k++) {
        if (k) o += '\n';
        put_func(o, *m.funcs[k]);
    }
    return o;
}

} // namespace lang::ir
