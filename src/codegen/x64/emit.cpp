// emit.cpp: one function through the x86-64 back end: isel -> regalloc -> final code
// (prologue, epilogue, block layout, overflow stubs) -> branch relaxation -> bytes.
// (queue.cpp runs this on worker threads; merge.cpp puts the results into the object.)
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
#include "codegen/x64/emit_impl.h"

#include <cstdio>
#include <cstring>

namespace lang::x64 {

namespace emitdetail {

using codegen::kR0;
using codegen::kR1;
using codegen::kW0;

constexpr uint32_t kCalleeOrder[] = {RBX, R12, R13, R14, R15};

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

    // Appends an instruction, built in place (no MInst temporaries: 128 bytes each).
    auto put = [&](uint32_t line, uint16_t op, uint8_t rw, const Operand& a = Operand(),
                   const Operand& b = Operand()) -> MInst& {
        MInst& in = c.insts.emplace_back();
        in.op = op;
        in.rw = rw;
        in.o[0] = a, in.o[1] = b;
        in.n = b.kind ? 2 : a.kind ? 1 : 0;
        in.line = line;
        return in;
    };
    put(line0, Mn::push, kR0, Operand::r(RBP));
    put(line0, Mn::mov, kW0 | kR1, Operand::r(RBP), Operand::r(RSP));
    for (uint32_t k = 0; k < nsaved; k++) put(line0, Mn::push, kR0, Operand::r(saved[k]));
    // When the only adjustment is the 8-byte alignment pad, push/pop a scratch register:
    // shorter than sub + lea (r11 is never live at a return or a tail jump).
    bool pad_only = sub && sub == pad;
    if (pad_only) put(line0, Mn::push, kR0, Operand::r(R11));
    else if (sub) put(line0, Mn::sub, kW0 | kR0 | kR1, Operand::r(RSP), Operand::i(sub));
    auto epilogue = [&](uint32_t line) {
        if (nsaved) {
            Operand m = Operand::m(RBP, -(int64_t)csr, 0);
            if (pad_only) put(line, Mn::pop, kW0, Operand::r(R11));
            else if (sub) put(line, Mn::lea, kW0 | kR1, Operand::r(RSP), m);
            for (uint32_t k = nsaved; k-- > 0;) put(line, Mn::pop, kW0, Operand::r(saved[k]));
        } else if (sub) {
            put(line, Mn::mov, kW0 | kR1, Operand::r(RSP), Operand::r(RBP));
        }
        put(line, Mn::pop, kW0, Operand::r(RBP));
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
            if (in.op >= Mn::kNumEncoded) [[unlikely]] { // pseudo instructions: one test for all
                if (in.op == Mn::p_entry) continue;
                if (in.op == Mn::p_ret) {
                    epilogue(in.line);
                    put(in.line, Mn::ret, 0);
                    continue;
                }
                if (in.op == Mn::p_tail) {
                    epilogue(in.line);
                    put(in.line, Mn::jmp, kR0, in.o[0]);
                    continue;
                }
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
            put(line, cc == codegen::kAlways ? Mn::jmp : Mn::jcc, 0, Operand::lbl(t)).cc = cc == codegen::kAlways ? 0 : cc;
        }
    }
    for (uint32_t s = 0; s < f.stubs.size(); s++) {
        c.label_of[nb + s] = (int32_t)c.insts.size();
        put(f.stubs[s], Mn::call, 0, Operand::s("lang_panic_overflow"));
    }
    c.label_at.assign(c.insts.size() + 1, -1);
    for (uint32_t l = 0; l < c.nlabels; l++)
        if (c.label_of[l] >= 0 && c.label_at[c.label_of[l]] < 0) c.label_at[c.label_of[l]] = (int32_t)l;
}

bool is_branch(const MInst& in) {
    return (in.op == Mn::jcc || in.op == Mn::jmp) && in.n == 1 && in.o[0].kind == Operand::Label;
}

// The encodings of jmp and jcc, short and long, taken from the encoder once.
struct BranchForms {
    Encoded f[17][2]; // [condition code, 16: jmp][long]
    BranchForms() {
        for (int k = 0; k < 17; k++)
            for (int l = 0; l < 2; l++) {
                Operand t = Operand::lbl(0);
                t.size = l ? 4 : 1;
                if (!encode(k == 16 ? Mn::jmp : Mn::jcc, k == 16 ? 0 : (uint8_t)k, &t, 1, f[k][l])) f[k][l].len = 0;
            }
    }
};

// Encoding, then branch relaxation. Returns false if an instruction has no encoding.
// `out` is overwritten (its buffers are reused when the same Assembled is passed again).
//
// Every non-branch is encoded once, straight into out.bytes, with every branch taking its
// short form (2 bytes, filled in at the end). Relaxation then only looks at the branches:
// a branch whose displacement does not fit in rel8 becomes long, which moves everything
// after it, until nothing changes (the same fixed point as relaxing over every
// instruction). Last, the bytes between branches move to their final offsets (back to
// front, in place) and the branches are written.
bool assemble(Code& c, Assembled& out, std::string* bad) {
    static const BranchForms kBr;
    size_t n = c.insts.size();
    out.lines.clear(), out.relocs.clear();
    auto& br = out.branches;
    auto& pos = out.pos;
    br.clear();
    pos.resize(n + 1);
    out.bytes.resize(16 * n + 16);
    uint8_t* base = out.bytes.data();
    uint32_t at = 0, last_line = 0, nbr = 0;
    const MInst* insts = c.insts.data();
    for (size_t i = 0; i < n; i++) {
        const MInst& in = insts[i];
        pos[i] = {at, nbr};
        if (in.line && in.line != last_line) {
            out.lines.push_back({at, in.line});
            last_line = in.line;
        }
        if (is_branch(in)) {
            br.push_back({at, (uint32_t)c.label_of[in.o[0].label], (uint8_t)(in.op == Mn::jmp ? 16 : in.cc & 15), 0});
            at += 2, nbr++;
            continue;
        }
        EncodedFix fx;
        int len = encode_memo(in.op, in.cc, in.o, in.n, base + at, fx, out.enc_cache, out.enc_memo);
        if (!len) {
            *bad = format_inst(in, "f");
            return false;
        }
        if (fx.fix_off >= 0) {
            for (int k = 0; k < in.n; k++) {
                const Operand& o = in.o[k];
                if (o.kind == Operand::Sym)
                    out.relocs.push_back({at + fx.fix_off, o.sym, obj::RelocKind::Call32, o.imm - 4});
                else if (o.kind == Operand::Mem && o.sym && o.reg == codegen::kNoReg)
                    out.relocs.push_back({at + fx.fix_off, o.sym, obj::RelocKind::PcRel32, o.imm - 4 - fx.fix_tail});
            }
        }
        at += (uint32_t)len;
    }
    pos[n] = {at, nbr};
    size_t nb = br.size();
    auto& grown = out.grown;
    grown.assign(nb + 1, 0);
    for (const auto& b : br)
        if (!kBr.f[b.form][0].len || !kBr.f[b.form][1].len) {
            *bad = "branch";
            return false;
        }
    for (bool changed = nb > 0; changed;) {
        changed = false;
        uint32_t g = 0;
        for (size_t k = 0; k < nb; k++) grown[k] = g, g += br[k].grow;
        grown[nb] = g;
        for (size_t k = 0; k < nb; k++) {
            Assembled::Branch& b = br[k];
            if (b.grow) continue;
            int64_t end = (int64_t)b.at + 2 + grown[k];
            int64_t d = (int64_t)pos[b.target].first + grown[pos[b.target].second] - end;
            if (d < -128 || d > 127) b.grow = (uint8_t)(kBr.f[b.form][1].len - 2), changed = true;
        }
    }
    uint32_t total = grown[nb];
    if (total) {
        for (size_t k = nb; k-- > 0;) {
            uint32_t from = br[k].at + 2, to = k + 1 < nb ? br[k + 1].at : at;
            std::memmove(base + from + grown[k + 1], base + from, to - from);
        }
        size_t k = 0;
        for (auto& r : out.relocs) {
            while (k < nb && br[k].at < r.off) k++;
            r.off += grown[k];
        }
        k = 0;
        for (auto& l : out.lines) {
            while (k < nb && br[k].at < l.first) k++;
            l.first += grown[k];
        }
    }
    for (size_t k = 0; k < nb; k++) {
        const Assembled::Branch& b = br[k];
        const Encoded& e = kBr.f[b.form][b.grow ? 1 : 0];
        uint32_t o = b.at + grown[k];
        int64_t d = (int64_t)pos[b.target].first + grown[pos[b.target].second] - (o + e.len);
        if (e.len == 2 && e.fix_off == 1 && e.fix_size == 1) { // the short form: opcode, rel8
            base[o] = e.bytes[0], base[o + 1] = (uint8_t)d;
            continue;
        }
        std::memcpy(base + o, e.bytes, e.len);
        for (int j = 0; j < e.fix_size; j++) base[o + e.fix_off + j] = (uint8_t)((uint64_t)d >> (8 * j));
    }
    out.bytes.resize(at + total);
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
