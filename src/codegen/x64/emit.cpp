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
#include "common/hugepages.h"

#include <algorithm>
#include <cstdio>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

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

// What one worker produced: the machine code of the functions it took from the queue,
// back to back, each 16-byte aligned within `text`. The merge copies every function to
// a 16-byte aligned offset of .text in module order, so the object is the same as if one
// thread had compiled every function in order, whatever the number of workers.
struct Chunk {
    struct Fn {
        uint32_t index; // position in the module's function order
        uint32_t start, size;
        uint32_t reloc_begin, reloc_end, line_begin, line_end; // this function's entries
    };
    std::vector<uint8_t> text;
    std::vector<Fn> fns;
    std::vector<Assembled::Fix> relocs; // offsets relative to the function's start
    std::vector<std::pair<uint32_t, uint32_t>> lines; // (offset in the function, line)
    std::string errors; // internal errors, captured (reported in order after the join)
    bool ok = true;
};

// A worker's buffers, reused from one function to the next.
struct Worker {
    Chunk out;
    SourceManager no_sources; // codegen errors carry no source location
    Diag diag{no_sources};
    Code code;
    Assembled a;
    codegen::RegAllocator ra;
    IselBuffers ib;
    MFunc mf;
    uint8_t int3;
    Worker() {
        diag.capture = &out.errors;
        Encoded e;
        encode(Mn::int3, 0, nullptr, 0, e);
        int3 = e.bytes[0];
    }

    void compile_one(const ir::Module& m, const ir::Func& f, uint32_t index) {
        mf.reset();
        if (!lower_func(m, f, mf, ib, ra, diag)) {
            out.ok = false;
            return;
        }
        finish(mf, code);
        std::string bad;
        if (!assemble(code, a, &bad)) {
            diag.error_plain("internal compiler error: x64: no encoding for `%s` in %s", bad.c_str(), f.name);
            out.ok = false;
            return;
        }
        while (out.text.size() % 16) out.text.push_back(int3); // padding, never executed
        Chunk::Fn fn{index, (uint32_t)out.text.size(), (uint32_t)a.bytes.size(), (uint32_t)out.relocs.size(), 0,
                     (uint32_t)out.lines.size(), 0};
        out.text.insert(out.text.end(), a.bytes.begin(), a.bytes.end());
        out.relocs.insert(out.relocs.end(), a.relocs.begin(), a.relocs.end());
        out.lines.insert(out.lines.end(), a.lines.begin(), a.lines.end());
        fn.reloc_end = (uint32_t)out.relocs.size();
        fn.line_end = (uint32_t)out.lines.size();
        out.fns.push_back(fn);
    }
};

} // namespace emitdetail

// The queue between whoever hands out functions (the lowering thread) and the workers:
// add() appends under the mutex and wakes a worker; a worker takes the next function in
// order. finish() closes the queue, works on it itself until it is empty, joins and merges.
struct Codegen::Impl {
    const ir::Module& m;
    std::mutex mu;
    std::condition_variable cv;
    std::vector<const ir::Func*> queue;
    size_t next = 0;
    bool closed = false;
    std::vector<std::unique_ptr<emitdetail::Worker>> workers; // [0] is the finishing thread's
    std::vector<std::thread> threads;

    explicit Impl(const ir::Module& mod) : m(mod) {}

    void work(emitdetail::Worker& w) {
        for (;;) {
            const ir::Func* f;
            uint32_t k;
            {
                std::unique_lock<std::mutex> lock(mu);
                cv.wait(lock, [&] { return next < queue.size() || closed; });
                if (next == queue.size()) return; // closed and drained
                k = (uint32_t)next++;
                f = queue[k];
            }
            w.compile_one(m, *f, k);
        }
    }
};

Codegen::Codegen(const ir::Module& m, int jobs) : impl_(new Impl(m)) {
    unsigned n = jobs > 0 ? (unsigned)jobs : std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
    for (unsigned j = 0; j < n; j++) impl_->workers.push_back(std::make_unique<emitdetail::Worker>());
    for (unsigned j = 1; j < n; j++) impl_->threads.emplace_back([this, j] { impl_->work(*impl_->workers[j]); });
}

Codegen::~Codegen() {
    {
        std::lock_guard<std::mutex> lock(impl_->mu);
        impl_->closed = true;
        impl_->next = impl_->queue.size(); // abandoned without finish(): skip what is left
    }
    impl_->cv.notify_all();
    for (std::thread& t : impl_->threads)
        if (t.joinable()) t.join();
    delete impl_;
}

void Codegen::add(const ir::Func& f) {
    {
        std::lock_guard<std::mutex> lock(impl_->mu);
        impl_->queue.push_back(&f);
    }
    impl_->cv.notify_one();
}

bool Codegen::finish(obj::Object& o, Diag& diag) {
    using namespace emitdetail;
    Impl& q = *impl_;
    {
        std::lock_guard<std::mutex> lock(q.mu);
        q.closed = true;
    }
    q.cv.notify_all();
    q.work(*q.workers[0]);
    for (std::thread& t : q.threads) t.join();
    const ir::Module& m = q.m;

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

    // Merge in module order: the text, symbols, relocations and the stack-trace records
    // (LangFuncInfo {start, end, name, file, lines, nlines} in lang_funcs).
    bool ok = true;
    size_t total = 0, nrel = 0;
    std::vector<std::pair<const Chunk*, const Chunk::Fn*>> order(q.queue.size(), {nullptr, nullptr});
    for (auto& w : q.workers) {
        const Chunk& ch = w->out;
        total += ch.text.size() + 16 * ch.fns.size();
        nrel += ch.relocs.size() + 5 * ch.fns.size();
        for (const Chunk::Fn& fn : ch.fns) order[fn.index] = {&ch, &fn};
        // Captured lines read "lang: error: MESSAGE"; report them again through `diag`.
        for (size_t p = 0, e; p < ch.errors.size(); p = e + 1) {
            e = ch.errors.find('\n', p);
            if (e == std::string::npos) e = ch.errors.size();
            std::string_view line(ch.errors.data() + p, e - p);
            if (line.substr(0, 13) == "lang: error: ") diag.error_plain("%.*s", (int)line.size() - 13, line.data() + 13);
        }
        ok &= ch.ok;
    }
    // Relocation targets are IR symbol names; the same callee is the same pointer at every
    // call site, so a pointer-keyed cache saves hashing the name for each relocation.
    std::unordered_map<const char*, uint32_t> sym_cache;
    auto sym_index = [&](const char* name) {
        auto [it, fresh] = sym_cache.try_emplace(name, 0);
        if (fresh) it->second = o.symbol(name);
        return it->second;
    };
    auto& tb = o.sections[text].bytes;
    tb.reserve(tb.size() + total);
    o.relocs.reserve(o.relocs.size() + nrel);
    advise_huge_pages(tb.data(), tb.capacity());
    advise_huge_pages(o.relocs.data(), o.relocs.capacity() * sizeof(obj::Reloc));
    for (uint32_t k = 0; k < order.size(); k++) {
        auto [ch, fn] = order[k];
        if (!ch) continue; // not compiled (its error was reported)
        const ir::Func* f = q.queue[k];
        while (tb.size() % 16) tb.push_back(q.workers[0]->int3);
        uint64_t start = tb.size();
        tb.insert(tb.end(), ch->text.begin() + fn->start, ch->text.begin() + fn->start + fn->size);
        uint32_t fsym = o.define(f->name, text, start, fn->size, f->is_public, true);
        for (uint32_t r = fn->reloc_begin; r < fn->reloc_end; r++) {
            const Assembled::Fix& x = ch->relocs[r];
            o.reloc_sym(text, start + x.off, sym_index(x.sym), x.kind, x.addend);
        }
        uint64_t name_off = rostr(f->name);
        uint64_t file_off = rostr(f->source_file ? f->source_file : "");
        auto& rb = o.sections[rodata].bytes;
        while (rb.size() % 4) rb.push_back(0);
        uint64_t lines_off = rb.size();
        for (uint32_t l = fn->line_begin; l < fn->line_end; l++) {
            auto [off, line] = ch->lines[l];
            for (int b = 0; b < 4; b++) rb.push_back((uint8_t)(off >> (8 * b)));
            for (int b = 0; b < 4; b++) rb.push_back((uint8_t)(line >> (8 * b)));
        }
        uint64_t at = o.sections[funcs].bytes.size();
        o.reloc_sym(funcs, at + 0, fsym, obj::RelocKind::Abs64, 0);
        o.reloc_sym(funcs, at + 8, fsym, obj::RelocKind::Abs64, (int64_t)fn->size);
        o.reloc_sym(funcs, at + 16, rodata_sym, obj::RelocKind::Abs64, (int64_t)name_off);
        o.reloc_sym(funcs, at + 24, rodata_sym, obj::RelocKind::Abs64, (int64_t)file_off);
        o.reloc_sym(funcs, at + 32, rodata_sym, obj::RelocKind::Abs64, (int64_t)lines_off);
        for (int b = 0; b < 5; b++) put64(funcs, 0);
        put64(funcs, fn->line_end - fn->line_begin);
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

bool compile(const ir::Module& m, obj::Object& o, Diag& diag, int jobs) {
    Codegen cg(m, jobs);
    for (const ir::Func* f : m.funcs) cg.add(*f);
    return cg.finish(o, diag);
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
