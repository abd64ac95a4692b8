// emit.cpp: the x86-64 backend driver: per function isel -> regalloc -> final code
// (prologue, epilogue, block layout, overflow stubs) -> branch relaxation -> bytes.
//
// Frame layout (rbp frame always kept; the runtime walks the rbp chain):
//     [rbp+16+8k]   incoming stack argument k
//     [rbp+8]       return address
//     [rbp]         caller's rbp
//     [rbp-8..]     callee-saved registers (push order), padded to 16 bytes
//     frame area    IR slots and spill slots (frame-relative displacements)
//     [rsp+8k]      outgoing stack argument k (rsp is 16-byte aligned in the body)
// The same final instruction list is either encoded (compile) or printed (print_asm),
// so `--emit asm` shows exactly the bytes that go into the object.
#include "codegen/x64/x64.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <thread>

namespace lang::x64 {

namespace emitdetail {

using codegen::kR0;
using codegen::kR1;
using codegen::kW0;

constexpr uint32_t kCalleeOrder[] = {RBX, R12, R13, R14, R15};

struct Code {
    std::vector<MInst> insts;
    std::vector<int32_t> label_of; // label id -> index of the first instruction after it
    std::vector<int32_t> label_at; // instruction index -> label id placed before it (-1)
    uint32_t nlabels = 0;
    // Scratch of finish(), kept here so that its buffers are reused across functions.
    std::vector<uint8_t> skip;
    std::vector<std::pair<uint8_t, uint32_t>> jumps;
};

MInst mk(uint16_t op, uint8_t rw, Operand a = Operand(), Operand b = Operand()) {
    MInst in;
    in.op = op;
    in.rw = rw;
    in.o[0] = a, in.o[1] = b;
    in.n = b.kind ? 2 : a.kind ? 1 : 0;
    return in;
}

// Turns an allocated MFunc into the final instruction list. `c` is overwritten; passing
// the same Code for every function reuses its buffers (no malloc per function).
void finish(const MFunc& f, Code& c) {
    c.insts.clear();
    uint32_t nb = (uint32_t)f.blocks.size();
    c.nlabels = nb + (uint32_t)f.stubs.size();
    c.label_of.assign(c.nlabels, -1);
    uint32_t saved[std::size(kCalleeOrder)];
    uint32_t nsaved = 0;
    for (uint32_t r : kCalleeOrder)
        if ((f.used_callee >> r) & 1) saved[nsaved++] = r;
    uint32_t csr = 8 * nsaved;
    uint32_t pad = csr % 16 ? 8 : 0;
    uint32_t area = (f.frame_size + 15) & ~15u;
    uint32_t sub = pad + area + f.out_args;
    int64_t base = -(int64_t)(csr + pad); // the frame area starts below the saved registers
    uint32_t line0 = 0; // the first known line (for the prologue)
    for (size_t b = 0; b < f.blocks.size() && !line0; b++)
        for (const auto& in : f.blocks[b].insts)
            if (in.line) {
                line0 = in.line;
                break;
            }

    auto put = [&](MInst in, uint32_t line) {
        in.line = line;
        c.insts.push_back(in);
    };
    put(mk(Mn::push, kR0, Operand::r(RBP)), line0);
    put(mk(Mn::mov, kW0 | kR1, Operand::r(RBP), Operand::r(RSP)), line0);
    for (uint32_t k = 0; k < nsaved; k++) put(mk(Mn::push, kR0, Operand::r(saved[k])), line0);
    // When the only adjustment is the 8-byte alignment pad, push/pop a scratch register:
    // shorter than sub + lea (r11 is never live at a return or a tail jump).
    bool pad_only = sub && sub == pad;
    if (pad_only) put(mk(Mn::push, kR0, Operand::r(R11)), line0);
    else if (sub) put(mk(Mn::sub, kW0 | kR0 | kR1, Operand::r(RSP), Operand::i(sub)), line0);
    auto epilogue = [&](uint32_t line) {
        if (nsaved) {
            Operand m = Operand::m(RBP, -(int64_t)csr, 0);
            if (pad_only) put(mk(Mn::pop, kW0, Operand::r(R11)), line);
            else if (sub) put(mk(Mn::lea, kW0 | kR1, Operand::r(RSP), m), line);
            for (uint32_t k = nsaved; k-- > 0;) put(mk(Mn::pop, kW0, Operand::r(saved[k])), line);
        } else if (sub) {
            put(mk(Mn::mov, kW0 | kR1, Operand::r(RSP), Operand::r(RBP)), line);
        }
        put(mk(Mn::pop, kW0, Operand::r(RBP)), line);
    };

    // Jump threading: a jump to an empty block that only jumps on goes to the end of
    // the chain (empty split-edge blocks are left behind when phi copies coalesce).
    auto thread = [&](uint32_t t) {
        for (uint32_t hops = 0; hops < nb; hops++) {
            const codegen::MBlock& tb = f.blocks[t];
            if (!tb.insts.empty() || tb.jumps.size() != 1 || tb.jumps[0].first != codegen::kAlways) break;
            t = tb.jumps[0].second;
        }
        return t;
    };
    // Empty forwarding blocks (every jump to them was threaded past them) are not emitted,
    // unless the chain never reaches a real block (an empty infinite loop).
    auto forwarder = [&](uint32_t b) {
        const codegen::MBlock& bl = f.blocks[b];
        return b != 0 && bl.insts.empty() && bl.jumps.size() == 1 && bl.jumps[0].first == codegen::kAlways;
    };
    std::vector<uint8_t>& skip = c.skip;
    skip.assign(nb, 0);
    for (uint32_t b = 0; b < nb; b++) skip[b] = forwarder(b) && !forwarder(thread(b));
    for (uint32_t b = 0; b < nb; b++) {
        c.label_of[b] = (int32_t)c.insts.size();
        if (skip[b]) continue;
        const codegen::MBlock& bl = f.blocks[b];
        uint32_t line = 0;
        for (const MInst& in : bl.insts) {
            line = in.line;
            if (in.op == Mn::p_entry) continue;
            if (in.op == Mn::p_ret) {
                epilogue(in.line);
                put(mk(Mn::ret, 0), in.line);
                continue;
            }
            if (in.op == Mn::p_tail) {
                epilogue(in.line);
                put(mk(Mn::jmp, kR0, in.o[0]), in.line);
                continue;
            }
            c.insts.push_back(in);
            MInst& out = c.insts.back();
            for (int k = 0; k < out.n; k++) {
                Operand& o = out.o[k];
                if (o.kind == Operand::Mem && o.frame) o.imm += base, o.frame = false;
                if (o.kind == Operand::Label && o.imm == 1) o.label += nb, o.imm = 0;
            }
        }
        // Jumps: fall through to the next block where possible.
        auto& j = c.jumps;
        j.assign(bl.jumps.begin(), bl.jumps.end());
        for (auto& x : j) x.second = thread(x.second);
        uint32_t next = b + 1;
        while (next < nb && skip[next]) next++;
        if (j.size() >= 2 && j.back().first == codegen::kAlways && j[j.size() - 2].first != codegen::kAlways &&
            j[j.size() - 2].second == next) {
            auto last = j.back();
            j.pop_back();
            j.back() = {invert(j.back().first), last.second};
        }
        if (!j.empty() && j.back().first == codegen::kAlways && j.back().second == next) j.pop_back();
        for (auto& [cc, t] : j) {
            MInst in = mk(cc == codegen::kAlways ? Mn::jmp : Mn::jcc, 0, Operand::lbl(t));
            in.cc = cc == codegen::kAlways ? 0 : cc;
            put(in, line);
        }
    }
    for (uint32_t s = 0; s < f.stubs.size(); s++) {
        c.label_of[nb + s] = (int32_t)c.insts.size();
        MInst in = mk(Mn::call, 0, Operand::s("lang_panic_overflow"));
        put(in, f.stubs[s]);
    }
    c.label_at.assign(c.insts.size() + 1, -1);
    for (uint32_t l = 0; l < c.nlabels; l++)
        if (c.label_of[l] >= 0 && c.label_at[c.label_of[l]] < 0) c.label_at[c.label_of[l]] = (int32_t)l;
}

bool is_branch(const MInst& in) {
    return (in.op == Mn::jcc || in.op == Mn::jmp) && in.n == 1 && in.o[0].kind == Operand::Label;
}

struct Assembled {
    std::vector<uint8_t> bytes;
    std::vector<std::pair<uint32_t, uint32_t>> lines; // offset, line
    struct Fix {
        uint32_t off;
        const char* sym;
        obj::RelocKind kind;
        int64_t addend;
    };
    std::vector<Fix> relocs;
    // Scratch of assemble(), kept here so that its buffers are reused across functions.
    std::vector<uint8_t> is_long, size;
    std::vector<uint32_t> off;
    std::vector<Encoded> enc;
    EncodeCache enc_cache;
};

// Branch relaxation, then encoding. Returns false if an instruction has no encoding.
// `out` is overwritten (its buffers are reused when the same Assembled is passed again).
bool assemble(Code& c, Assembled& out, std::string* bad) {
    size_t n = c.insts.size();
    out.bytes.clear(), out.lines.clear(), out.relocs.clear();
    std::vector<uint8_t>& is_long = out.is_long;
    std::vector<uint8_t>& size = out.size;
    std::vector<uint32_t>& off = out.off;
    std::vector<Encoded>& enc = out.enc; // non-branches are encoded once, here
    is_long.assign(n, 0), size.assign(n, 0), off.assign(n + 1, 0), enc.resize(n);
    for (size_t i = 0; i < n; i++) {
        if (is_branch(c.insts[i])) continue;
        if (!encode(c.insts[i].op, c.insts[i].cc, c.insts[i].o, c.insts[i].n, enc[i], out.enc_cache)) {
            *bad = format_inst(c.insts[i], "f");
            return false;
        }
        size[i] = enc[i].len;
    }
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t i = 0; i < n; i++) {
            if (is_branch(c.insts[i])) size[i] = is_long[i] ? (c.insts[i].op == Mn::jmp ? 5 : 6) : 2;
            off[i + 1] = off[i] + size[i];
        }
        for (size_t i = 0; i < n; i++) {
            if (!is_branch(c.insts[i]) || is_long[i]) continue;
            int64_t d = (int64_t)off[c.label_of[c.insts[i].o[0].label]] - off[i + 1];
            if (d < -128 || d > 127) is_long[i] = 1, changed = true;
        }
    }
    out.bytes.reserve(off[n]);
    uint32_t last_line = 0;
    for (size_t i = 0; i < n; i++) {
        const MInst& in = c.insts[i];
        if (in.line && in.line != last_line) {
            out.lines.push_back({(uint32_t)out.bytes.size(), in.line});
            last_line = in.line;
        }
        Encoded& e = enc[i];
        if (is_branch(in)) {
            Operand target = in.o[0];
            target.size = is_long[i] ? 4 : 1;
            if (!encode(in.op, in.cc, &target, 1, e, out.enc_cache)) {
                *bad = format_inst(in, "f");
                return false;
            }
        }
        uint32_t at = (uint32_t)out.bytes.size();
        if (is_branch(in)) {
            int64_t d = (int64_t)off[c.label_of[in.o[0].label]] - (at + e.len);
            for (int k = 0; k < e.fix_size; k++) e.bytes[e.fix_off + k] = (uint8_t)((uint64_t)d >> (8 * k));
        } else if (e.fix_off >= 0) {
            for (int k = 0; k < in.n; k++) {
                const Operand& o = in.o[k];
                if (o.kind == Operand::Sym)
                    out.relocs.push_back({at + e.fix_off, o.sym, obj::RelocKind::Call32, o.imm - 4});
                else if (o.kind == Operand::Mem && o.sym && o.reg == codegen::kNoReg)
                    out.relocs.push_back({at + e.fix_off, o.sym, obj::RelocKind::PcRel32, o.imm - 4 - e.fix_tail});
            }
        }
        out.bytes.insert(out.bytes.end(), e.bytes, e.bytes + e.len);
    }
    return true;
}

// Isel and register allocation of one function; `ib` and `ra` carry reusable buffers.
// (Calls x64::isel directly rather than through kSysV.isel, which is the same function,
// to pass the buffers.)
bool lower_func(const ir::Module& m, const ir::Func& f, MFunc& mf, IselBuffers& ib, codegen::RegAllocator& ra,
                Diag& diag) {
    if (!f.blocks.size) return false;
    if (!isel(kSysV, m, f, mf, diag, ib)) return false;
    ra.run(kSysV, mf);
    return true;
}

std::string label_name(const char* fn, uint32_t l) {
    char buf[32];
    snprintf(buf, sizeof buf, "%u", l);
    return std::string(".L") + fn + "_" + buf;
}

std::string format_operand(const Operand& o, const char* fn) {
    char buf[64];
    switch (o.kind) {
    case Operand::Reg: return reg_name(o.reg, o.size);
    case Operand::Imm: snprintf(buf, sizeof buf, "%lld", (long long)o.imm); return buf;
    case Operand::Label: return label_name(fn, o.label);
    case Operand::Sym:
        if (!o.imm) return o.sym;
        snprintf(buf, sizeof buf, "%+lld", (long long)o.imm);
        return std::string(o.sym) + buf;
    case Operand::Mem: {
        std::string s;
        switch (o.size) {
        case 1: s = "byte ptr "; break;
        case 2: s = "word ptr "; break;
        case 4: s = "dword ptr "; break;
        case 8: s = "qword ptr "; break;
        default: break;
        }
        s += "[";
        bool any = false;
        if (o.reg != codegen::kNoReg) s += reg_name(o.reg, 8), any = true;
        else if (o.sym) s += "rip + ", s += o.sym, any = true;
        if (o.index != codegen::kNoReg) {
            s += any ? " + " : "";
            s += reg_name(o.index, 8);
            if (o.scale > 1) snprintf(buf, sizeof buf, "*%d", o.scale), s += buf;
            any = true;
        }
        if (o.imm || !any) {
            if (any) snprintf(buf, sizeof buf, " %c %lld", o.imm < 0 ? '-' : '+', (long long)(o.imm < 0 ? -o.imm : o.imm));
            else snprintf(buf, sizeof buf, "%lld", (long long)o.imm);
            s += buf;
        }
        return s + "]";
    }
    default: return "";
    }
}

} // namespace emitdetail

std::string format_inst(const MInst& in, const char* fn) {
    std::string s = mn_name(in.op);
    if (in.op == Mn::jcc || in.op == Mn::setcc || in.op == Mn::cmovcc) s += cond_name(in.cc);
    for (int k = 0; k < in.n; k++) {
        s += k ? ", " : " ";
        s += emitdetail::format_operand(in.o[k], fn);
    }
    return s;
}

namespace emitdetail {

// The machine code of a contiguous run of functions, produced by one worker. Offsets are
// relative to the chunk's own `text`; every function starts 16-byte aligned within it,
// and the merge puts each chunk at a 16-byte aligned offset, so the final layout is the
// same as if one thread had compiled every function in order.
struct Chunk {
    struct Fn {
        const ir::Func* f;
        uint32_t start, size;
        uint32_t reloc_end, line_end; // ends of this function's entries in relocs / lines
    };
    std::vector<uint8_t> text;
    std::vector<Fn> fns;
    std::vector<Assembled::Fix> relocs;
    std::vector<std::pair<uint32_t, uint32_t>> lines; // (offset in the function, line)
    std::string errors; // internal errors, captured (reported in order after the join)
    bool ok = true;
};

// Compiles m.funcs[begin, end) into `out`. Runs on a worker thread: it only reads the
// module and writes its own chunk (each worker has its own buffers and diagnostics).
void compile_range(const ir::Module& m, uint32_t begin, uint32_t end, Chunk& out) {
    SourceManager no_sources; // codegen errors carry no source location
    Diag diag(no_sources);
    diag.capture = &out.errors;
    Code c; // reused by every function (finish and assemble overwrite them)
    Assembled a;
    codegen::RegAllocator ra;
    IselBuffers ib;
    MFunc mf;
    Encoded pad;
    encode(Mn::int3, 0, nullptr, 0, pad);
    for (uint32_t k = begin; k < end; k++) {
        const ir::Func* f = m.funcs[k];
        mf.reset();
        if (!lower_func(m, *f, mf, ib, ra, diag)) {
            out.ok = false;
            continue;
        }
        finish(mf, c);
        std::string bad;
        if (!assemble(c, a, &bad)) {
            diag.error_plain("internal compiler error: x64: no encoding for `%s` in %s", bad.c_str(), f->name);
            out.ok = false;
            continue;
        }
        while (out.text.size() % 16) out.text.push_back(pad.bytes[0]);
        uint32_t start = (uint32_t)out.text.size();
        out.text.insert(out.text.end(), a.bytes.begin(), a.bytes.end());
        for (const Assembled::Fix& r : a.relocs) out.relocs.push_back({start + r.off, r.sym, r.kind, r.addend});
        out.lines.insert(out.lines.end(), a.lines.begin(), a.lines.end());
        out.fns.push_back({f, start, (uint32_t)a.bytes.size(), (uint32_t)out.relocs.size(), (uint32_t)out.lines.size()});
    }
}

// How many workers: one per core (at most 8), but only for modules big enough to be
// worth a thread (a worker should get at least ~4000 IR instructions).
unsigned pick_jobs(int jobs, size_t ninst) {
    unsigned n = jobs > 0 ? (unsigned)jobs : std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
    if (jobs <= 0) n = (unsigned)std::max<size_t>(1, std::min<size_t>(n, ninst / 4000));
    return n;
}

} // namespace emitdetail

bool compile(const ir::Module& m, obj::Object& o, Diag& diag, int jobs) {
    using namespace emitdetail;
    o.arch = obj::Arch::X64;
    uint32_t text = o.section(".text", obj::SectionKind::Text, 16);
    uint32_t rodata = o.section(".rodata", obj::SectionKind::Rodata, 16);
    uint32_t funcs = o.section("lang_funcs", obj::SectionKind::Data, 8);
    uint32_t rodata_sym = o.define(".Lrodata", rodata, 0, 0, false, false);
    auto rostr = [&](const char* s) { // NUL-terminated string in .rodata; returns its offset
        auto& b = o.sections[rodata].bytes;
        uint64_t at = b.size();
        b.insert(b.end(), s, s + strlen(s) + 1);
        return at;
    };
    auto put64 = [&](uint32_t sec, uint64_t v) {
        auto& b = o.sections[sec].bytes;
        for (int k = 0; k < 8; k++) b.push_back((uint8_t)(v >> (8 * k)));
    };

    // 1. Machine code, in parallel: the functions are cut into contiguous runs of about
    //    equal IR size, one per worker; worker 0 is this thread.
    uint32_t nf = m.funcs.size;
    std::vector<size_t> weight(nf + 1, 0); // prefix sums of IR instruction counts
    for (uint32_t k = 0; k < nf; k++) {
        size_t n = 1;
        for (const ir::Block* b : m.funcs[k]->blocks) n += b->insts.size;
        weight[k + 1] = weight[k] + n;
    }
    unsigned nj = pick_jobs(jobs, weight[nf]);
    std::vector<Chunk> chunks(nj);
    std::vector<uint32_t> cut(nj + 1, nf);
    cut[0] = 0;
    for (unsigned j = 1; j < nj; j++)
        cut[j] = (uint32_t)(std::lower_bound(weight.begin(), weight.end(), weight[nf] * j / nj) - weight.begin());
    for (unsigned j = 1; j <= nj; j++) cut[j] = std::max(cut[j], cut[j - 1]);
    std::vector<std::thread> workers;
    for (unsigned j = 1; j < nj; j++)
        workers.emplace_back(compile_range, std::cref(m), cut[j], cut[j + 1], std::ref(chunks[j]));
    compile_range(m, cut[0], cut[1], chunks[0]);
    for (std::thread& t : workers) t.join();

    // 2. Merge, in function order: the text, symbols, relocations and the stack-trace
    //    records (LangFuncInfo {start, end, name, file, lines, nlines} in lang_funcs).
    bool ok = true;
    size_t total = 0;
    for (const Chunk& ch : chunks) total += ch.text.size() + 16;
    auto& tb = o.sections[text].bytes;
    tb.reserve(tb.size() + total);
    size_t nrel = 0;
    for (const Chunk& ch : chunks) nrel += ch.relocs.size() + 5 * ch.fns.size();
    o.relocs.reserve(o.relocs.size() + nrel);
    Encoded pad;
    encode(Mn::int3, 0, nullptr, 0, pad);
    for (const Chunk& ch : chunks) {
        // Captured lines read "lang: error: MESSAGE"; report them again through `diag`.
        for (size_t p = 0, q; p < ch.errors.size(); p = q + 1) {
            q = ch.errors.find('\n', p);
            if (q == std::string::npos) q = ch.errors.size();
            std::string_view line(ch.errors.data() + p, q - p);
            if (line.substr(0, 13) == "lang: error: ") diag.error_plain("%.*s", (int)line.size() - 13, line.data() + 13);
        }
        ok &= ch.ok;
        while (tb.size() % 16) tb.push_back(pad.bytes[0]);
        uint64_t base = tb.size();
        tb.insert(tb.end(), ch.text.begin(), ch.text.end());
        uint32_t r = 0, l = 0;
        for (const Chunk::Fn& fn : ch.fns) {
            const ir::Func* f = fn.f;
            uint64_t start = base + fn.start;
            uint32_t fsym = o.define(f->name, text, start, fn.size, f->is_public, true);
            for (; r < fn.reloc_end; r++) {
                const Assembled::Fix& x = ch.relocs[r];
                o.reloc(text, base + x.off, x.sym, x.kind, x.addend);
            }
            uint64_t name_off = rostr(f->name);
            uint64_t file_off = rostr(f->source_file ? f->source_file : "");
            auto& rb = o.sections[rodata].bytes;
            while (rb.size() % 4) rb.push_back(0);
            uint64_t lines_off = rb.size();
            uint32_t nlines = fn.line_end - l;
            for (; l < fn.line_end; l++) {
                auto [off, line] = ch.lines[l];
                for (int k = 0; k < 4; k++) rb.push_back((uint8_t)(off >> (8 * k)));
                for (int k = 0; k < 4; k++) rb.push_back((uint8_t)(line >> (8 * k)));
            }
            uint64_t at = o.sections[funcs].bytes.size();
            o.reloc_sym(funcs, at + 0, fsym, obj::RelocKind::Abs64, 0);
            o.reloc_sym(funcs, at + 8, fsym, obj::RelocKind::Abs64, (int64_t)fn.size);
            o.reloc_sym(funcs, at + 16, rodata_sym, obj::RelocKind::Abs64, (int64_t)name_off);
            o.reloc_sym(funcs, at + 24, rodata_sym, obj::RelocKind::Abs64, (int64_t)file_off);
            o.reloc_sym(funcs, at + 32, rodata_sym, obj::RelocKind::Abs64, (int64_t)lines_off);
            for (int k = 0; k < 5; k++) put64(funcs, 0);
            put64(funcs, nlines);
        }
    }
    for (const ir::Global* g : m.globals) {
        uint32_t sec = g->section == ir::Section::Rodata ? rodata
                       : g->section == ir::Section::Data ? o.section(".data", obj::SectionKind::Data, 8)
                                                          : o.section(".bss", obj::SectionKind::Bss, 8);
        obj::Section& s = o.sections[sec];
        uint32_t al = g->align ? g->align : 1;
        if (al > s.align) s.align = al;
        bool bss = s.kind == obj::SectionKind::Bss;
        uint64_t start = s.size();
        uint64_t pad = (al - start % al) % al;
        if (bss) s.bss_size += pad;
        else s.bytes.insert(s.bytes.end(), pad, 0);
        start += pad;
        for (const ir::DataItem& it : g->items) {
            obj::Section& ss = o.sections[sec];
            switch (it.kind) {
            case ir::DataItem::Bytes:
                if (bss) ss.bss_size += it.size;
                else ss.bytes.insert(ss.bytes.end(), it.bytes, it.bytes + it.size);
                break;
            case ir::DataItem::Zero:
                if (bss) ss.bss_size += it.size;
                else ss.bytes.insert(ss.bytes.end(), it.size, 0);
                break;
            case ir::DataItem::SymAddr:
                if (bss) {
                    diag.error_plain("internal compiler error: x64: symbol address in .bss global %s", g->name);
                    ok = false;
                    break;
                }
                o.reloc(sec, ss.bytes.size(), it.sym, obj::RelocKind::Abs64, it.addend);
                ss.bytes.insert(ss.bytes.end(), 8, 0);
                break;
            }
        }
        o.define(g->name, sec, start, o.sections[sec].size() - start, g->is_public, false);
    }
    for (const char* e : m.externs) o.symbol(e);
    return ok;
}

std::string print_asm(const ir::Module& m) {
    using namespace emitdetail;
    std::string s = "\t.intel_syntax noprefix\n\t.text\n";
    lang::SourceManager sm;
    Diag diag(sm);
    codegen::RegAllocator ra;
    IselBuffers ib;
    for (const ir::Func* f : m.funcs) {
        MFunc mf;
        if (!lower_func(m, *f, mf, ib, ra, diag)) {
            s += "# error: cannot compile " + std::string(f->name) + "\n";
            continue;
        }
        Code c;
        finish(mf, c);
        if (f->is_public) s += std::string("\t.globl ") + f->name + "\n";
        s += std::string(f->name) + ":\n";
        for (size_t i = 0; i < c.insts.size(); i++) {
            if (c.label_at[i] >= 0)
                for (uint32_t l = 0; l < c.nlabels; l++)
                    if (c.label_of[l] == (int32_t)i) s += label_name(f->name, l) + ":\n";
            s += "\t" + format_inst(c.insts[i], f->name) + "\n";
        }
    }
    for (const ir::Global* g : m.globals) {
        const char* sec = g->section == ir::Section::Rodata ? ".section .rodata"
                          : g->section == ir::Section::Data ? ".data"
                                                            : ".bss";
        char buf[64];
        s += std::string("\t") + sec + "\n";
        snprintf(buf, sizeof buf, "\t.p2align %d\n", __builtin_ctz(g->align ? g->align : 1));
        s += buf;
        if (g->is_public) s += std::string("\t.globl ") + g->name + "\n";
        s += std::string(g->name) + ":\n";
        for (const ir::DataItem& it : g->items) {
            if (it.kind == ir::DataItem::SymAddr) {
                snprintf(buf, sizeof buf, "%+lld", (long long)it.addend);
                s += std::string("\t.quad ") + it.sym + (it.addend ? buf : "") + "\n";
            } else if (it.kind == ir::DataItem::Zero) {
                snprintf(buf, sizeof buf, "\t.zero %llu\n", (unsigned long long)it.size);
                s += buf;
            } else {
                for (uint64_t k = 0; k < it.size; k++) {
                    snprintf(buf, sizeof buf, k % 16 ? ", %u" : "\t.byte %u", it.bytes[k]);
                    s += buf;
                    if (k % 16 == 15 || k + 1 == it.size) s += "\n";
                }
            }
        }
    }
    return s;
}

} // namespace lang::x64
