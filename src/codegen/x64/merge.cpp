// merge.cpp: a worker's output and the merge of all of it into the object file model.
//
// Each worker appends the functions it compiled to its own Chunk (code, relocations,
// line table). When every function is compiled, merge() lays them out in .text in module
// order, defines their symbols, copies the code, resolves what it can of the relocations
// and writes the stack-trace table (lang_funcs), then lays out the module's globals.
//
// Relocations: a call, tail call or [rip+sym] whose target is a function of this object
// is patched here (rel32 = target + addend - site), since both ends are in .text. A call
// or tail call to any other symbol goes to a trampoline `jmp sym` at the end of .text (one
// per symbol, 8 bytes, int3-padded, the only Call32 relocation for it), so the call site
// is patched too and the return address still points into the calling function. What
// stays a relocation: [rip+sym] to data or to undefined symbols, and the trampolines.
//
// The stack-trace table is one block per object in section `lang_funcs` (LangFuncTable in
// src/rt/lang_rt.h): a 16-byte header whose first field is the PC-relative offset to the
// object's .text (the block's only relocation), one 24-byte row per function, then the
// line tables (LEB128-coded) and the NUL-terminated names, all addressed by offsets from
// the header.
#include "codegen/x64/emit_impl.h"
#include "common/hugepages.h"

#include <atomic>
#include <cstring>
#include <thread>

namespace lang::x64::emitdetail {

void Worker::compile_one(const ir::Module& m, const ir::Func& f, uint32_t index) {
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
    if (!out.text.capacity()) {
        // Address space for a big program, taken once: pages are touched only as they are
        // filled, and the buffers are never copied to a bigger one (past these sizes they
        // grow as usual).
        out.text.reserve(16 << 20);
        out.relocs.reserve(1 << 20);
        out.lines.reserve(1 << 20);
        out.fns.reserve(1 << 18);
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

namespace {

// Symbol-name pointer -> object symbol index, and the symbol's offset in .text when it is
// defined there. Relocation targets are IR symbol names and the same callee is the same
// pointer at every call site, so hashing the pointer saves hashing the name for each
// relocation; a miss asks the object (by name) once. The functions are put() as they are
// defined, so a call to one of them never asks the object.
class SymCache {
public:
    static constexpr uint32_t kNotInText = UINT32_MAX;
    struct Target {
        uint32_t sym;
        uint32_t text_off; // kNotInText: undefined, or not in .text
    };
    SymCache(obj::Object& o, uint32_t text, size_t n) : o_(o), text_(text) {
        size_t cap = 1024;
        while (cap < 2 * n + 64) cap *= 2;
        grow(cap);
    }
    void prefetch(const char* name) const { __builtin_prefetch(&slots_[hash(name)], 1); }
    void put(const char* name, uint32_t sym, uint32_t text_off) {
        for (size_t i = hash(name);; i = (i + 1) & mask_) {
            Slot& s = slots_[i];
            if (s.key == name) return;
            if (!s.key) {
                s = {name, {sym, text_off}};
                if (++count_ * 2 > slots_.size()) grow(slots_.size() * 2);
                return;
            }
        }
    }
    Target get(const char* name) {
        if (name == last_.key) return last_.t;
        for (size_t i = hash(name);; i = (i + 1) & mask_) {
            Slot& s = slots_[i];
            if (s.key == name) return (last_ = s).t;
            if (!s.key) {
                uint32_t sym = o_.symbol(name);
                const obj::Symbol& d = o_.symbols[sym];
                s = {name, {sym, d.section == text_ ? (uint32_t)d.offset : kNotInText}};
                last_ = s;
                if (++count_ * 2 > slots_.size()) grow(slots_.size() * 2);
                return last_.t;
            }
        }
    }

private:
    struct Slot {
        const char* key;
        Target t;
    };
    obj::Object& o_;
    uint32_t text_;
    std::vector<Slot> slots_;
    size_t mask_ = 0, count_ = 0;
    int shift_ = 64;
    Slot last_{nullptr, {0, 0}};

    size_t hash(const char* p) const { return (size_t)(((uintptr_t)p * 0x9E3779B97F4A7C15ull) >> shift_); }
    void grow(size_t n) {
        std::vector<Slot> old = std::move(slots_);
        slots_.assign(n, Slot{nullptr, {0, 0}});
        mask_ = n - 1;
        shift_ = 64 - __builtin_ctzll(n);
        for (const Slot& s : old)
            if (s.key)
                for (size_t i = hash(s.key);; i = (i + 1) & mask_)
                    if (!slots_[i].key) {
                        slots_[i] = s;
                        break;
                    }
    }
};

void put32(uint8_t* p, uint32_t v) { memcpy(p, &v, 4); }

constexpr uint8_t kJmpRel32 = 0xE9;
constexpr uint32_t kTrampSize = 8;   // jmp rel32 + 3 bytes of int3
constexpr uint32_t kTableHeader = 16; // LangFuncTable
constexpr uint32_t kTableRow = 24;    // LangFuncRow

void put_uleb(std::vector<uint8_t>& out, uint32_t v) {
    for (; v >= 0x80; v >>= 7) out.push_back((uint8_t)(v | 0x80));
    out.push_back((uint8_t)v);
}
void put_sleb(std::vector<uint8_t>& out, int64_t v) {
    for (;;) {
        uint8_t b = v & 0x7f;
        v >>= 7; // arithmetic shift
        if ((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40))) {
            out.push_back(b);
            return;
        }
        out.push_back(b | 0x80);
    }
}

// A function's name as a stack trace shows it: a root-namespace function's symbol without
// its '$' (sema/resolve.cpp, mangle_all).
static const char* shown_name(const char* sym) { return sym[0] == '$' && sym[1] ? sym + 1 : sym; }

// The stack-trace table of the functions in `order` (LangFuncTable in lang_rt.h): header,
// rows, line tables, then the names and file names. `start` is each function's offset in
// .text. The header's `text` field is left 0 for the caller's relocation. A line table is
// one (offset, line) pair per change of line, each as the ULEB128 offset increase and the
// SLEB128 line change from the previous pair (starting from 0, 0): mostly 2 bytes a pair.
std::vector<uint8_t> build_table(const std::vector<std::pair<const Chunk*, const Chunk::Fn*>>& order,
                                 const std::vector<const ir::Func*>& order_in, const std::vector<uint64_t>& start) {
    std::vector<uint8_t> out;
    uint32_t nfuncs = 0;
    size_t strings = 0;
    std::vector<std::pair<const char*, uint32_t>> files; // source_file -> offset of its string
    std::vector<uint32_t> name_len(order.size(), 0), lines_at(order.size() + 1, 0);
    std::vector<uint8_t> lines;
    const char* last_file = nullptr;
    for (uint32_t k = 0; k < order.size(); k++) {
        auto [ch, fn] = order[k];
        lines_at[k] = (uint32_t)lines.size();
        if (!ch) continue; // not compiled (its error was reported)
        const ir::Func* f = order_in[k];
        nfuncs++;
        uint32_t prev_off = 0, prev_line = 0;
        for (uint32_t l = fn->line_begin; l < fn->line_end; l++) {
            auto [off, line] = ch->lines[l];
            put_uleb(lines, off - prev_off);
            put_sleb(lines, (int64_t)line - prev_line);
            prev_off = off, prev_line = line;
        }
        name_len[k] = (uint32_t)strlen(shown_name(f->name)) + 1;
        strings += name_len[k];
        const char* file = f->source_file ? f->source_file : "";
        if (file == last_file) continue; // distinct file names (usually runs of one)
        bool seen = false;
        for (auto& [p, off] : files) seen |= p == file;
        if (!seen) files.push_back({file, 0}), strings += strlen(file) + 1;
        last_file = file;
    }
    if (!nfuncs) return out;
    uint64_t lines_base = kTableHeader + (uint64_t)nfuncs * kTableRow;
    uint64_t strings_at = lines_base + lines.size();
    uint64_t size = (strings_at + strings + 7) & ~(uint64_t)7;
    out.resize(size, 0);
    uint8_t* p = out.data();
    put32(p + 4, (uint32_t)size);
    put32(p + 8, nfuncs);
    if (!lines.empty()) memcpy(p + lines_base, lines.data(), lines.size());
    uint64_t str = strings_at;
    for (auto& [f, off] : files) {
        size_t n = strlen(f) + 1;
        memcpy(p + str, f, n);
        off = (uint32_t)str;
        str += n;
    }
    uint8_t* row = p + kTableHeader;
    uint32_t last_file_off = 0;
    last_file = nullptr;
    for (uint32_t k = 0; k < order.size(); k++) {
        auto [ch, fn] = order[k];
        if (!ch) continue;
        const ir::Func* f = order_in[k];
        const char* file = f->source_file ? f->source_file : "";
        if (file != last_file) {
            for (auto& [fp, off] : files)
                if (fp == file) last_file_off = off;
            last_file = file;
        }
        memcpy(p + str, shown_name(f->name), name_len[k]);
        uint32_t r[6] = {(uint32_t)start[k], fn->size,         (uint32_t)str, last_file_off,
                         (uint32_t)(lines_base + lines_at[k]), fn->line_end - fn->line_begin};
        memcpy(row, r, kTableRow);
        row += kTableRow;
        str += name_len[k];
    }
    return out;
}

} // namespace

bool merge(const ir::Module& m, const std::vector<const ir::Func*>& order_in,
           const std::vector<Worker*>& workers, obj::Object& o, Diag& diag) {
    o.arch = obj::Arch::X64;
    uint32_t text = o.section(".text", obj::SectionKind::Text, 16);
    uint32_t rodata = o.section(".rodata", obj::SectionKind::Rodata, 16);
    uint32_t funcs = o.section("lang_funcs", obj::SectionKind::Rodata, 8);
    const uint8_t int3 = workers[0]->int3;

    // Every worker's functions in module order; report captured errors.
    bool ok = true;
    size_t nrel = 0;
    std::vector<std::pair<const Chunk*, const Chunk::Fn*>> order(order_in.size(), {nullptr, nullptr});
    for (Worker* w : workers) {
        const Chunk& ch = w->out;
        nrel += ch.relocs.size();
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

    // Layout: each function at a 16-byte aligned offset, then the trampolines. Symbols are
    // defined before any relocation is looked at, so a call to a later function resolves.
    const uint64_t text_base = (o.sections[text].bytes.size() + 15) & ~(uint64_t)15;
    std::vector<uint64_t> start(order.size(), 0);
    uint64_t pos = text_base;
    uint32_t nfuncs = 0;
    for (uint32_t k = 0; k < order.size(); k++) {
        auto [ch, fn] = order[k];
        if (!ch) continue; // not compiled (its error was reported)
        pos = (pos + 15) & ~(uint64_t)15;
        start[k] = pos;
        pos += fn->size;
        nfuncs++;
    }
    const uint64_t tramp_base = (pos + 15) & ~(uint64_t)15;
    if (tramp_base > INT32_MAX / 2) {
        diag.error_plain("internal compiler error: x64: .text is larger than 1 GiB");
        return false;
    }
    // The code is copied into .text (int3 between functions) and the stack-trace table is
    // built from the chunks and the IR alone; with more than one worker (the other core is
    // idle now) a helper thread does both while this one defines the symbols. The
    // relocations are patched once the copy is done.
    auto& tb = o.sections[text].bytes; // o.sections does not change until the join
    auto copy_text = [&] {
        tb.reserve(tramp_base + 64 * kTrampSize);
        advise_huge_pages(tb.data(), tb.capacity()); // before the pages are first touched
        tb.resize(tramp_base, int3);
        for (uint32_t k = 0; k < order.size(); k++)
            if (auto [ch, fn] = order[k]; ch) memcpy(tb.data() + start[k], ch->text.data() + fn->start, fn->size);
    };
    std::vector<uint8_t> table;
    size_t table_size = 0;
    auto make_table = [&] {
        table = build_table(order, order_in, start);
        table_size = table.size();
    };
    std::atomic<bool> copied{false};
    std::thread helper;
    if (workers.size() > 1 && nfuncs >= 64)
        helper = std::thread([&] {
            copy_text();
            copied.store(true, std::memory_order_release);
            copied.notify_one();
            make_table();
        });
    else copy_text();

    o.reserve_symbols(o.symbols.size() + nfuncs + m.globals.size + m.externs.size + 64);
    uint32_t text_sym = o.define(".Ltext", text, 0, 0, false, false);
    SymCache syms(o, text, nfuncs);
    for (uint32_t k = 0; k < order.size(); k++)
        if (order[k].first) {
            // The IR is cold by now: fetch the next functions' records and names early.
            if (k + 16 < order.size()) __builtin_prefetch(order_in[k + 16]);
            if (k + 8 < order.size()) __builtin_prefetch(order_in[k + 8]->name), syms.prefetch(order_in[k + 8]->name);
            const ir::Func* f = order_in[k];
            uint32_t sym = o.define(f->name, text, start[k], order[k].second->size, f->is_public, true);
            syms.put(f->name, sym, (uint32_t)start[k]);
        }

    // Relocations: patch what resolves inside .text, keep the rest.
    o.relocs.reserve(o.relocs.size() + nrel / 4 + 16);
    std::vector<int32_t> tramp_of; // symbol index -> trampoline number, -1 if none yet
    std::vector<uint32_t> tramps;  // trampoline number -> symbol index
    if (helper.joinable()) copied.wait(false, std::memory_order_acquire);
    for (uint32_t k = 0; k < order.size(); k++) {
        auto [ch, fn] = order[k];
        if (!ch) continue;
        uint64_t at = start[k];
        uint8_t* code = tb.data() + at;
        for (uint32_t r = fn->reloc_begin; r < fn->reloc_end; r++) {
            const Assembled::Fix& x = ch->relocs[r];
            if (r + 8 < ch->relocs.size()) syms.prefetch(ch->relocs[r + 8].sym); // callees: random slots
            auto [s, text_off] = syms.get(x.sym);
            uint64_t target;
            if (text_off != SymCache::kNotInText &&
                (x.kind == obj::RelocKind::Call32 || x.kind == obj::RelocKind::PcRel32)) {
                target = text_off;
            } else if (x.kind == obj::RelocKind::Call32) {
                if (s >= tramp_of.size()) tramp_of.resize(o.symbols.size() + 64, -1);
                if (tramp_of[s] < 0) {
                    tramp_of[s] = (int32_t)tramps.size();
                    tramps.push_back(s);
                }
                target = tramp_base + (uint64_t)tramp_of[s] * kTrampSize;
            } else {
                o.reloc_sym(text, at + x.off, s, x.kind, x.addend);
                continue;
            }
            put32(code + x.off, (uint32_t)(int32_t)((int64_t)target + x.addend - (int64_t)(at + x.off)));
        }
    }
    tb.resize(tramp_base + tramps.size() * kTrampSize, int3);
    for (size_t t = 0; t < tramps.size(); t++) {
        uint64_t at = tramp_base + t * kTrampSize;
        tb[at] = kJmpRel32;
        put32(&tb[at + 1], 0);
        o.reloc_sym(text, at + 1, tramps[t], obj::RelocKind::Call32, -4);
    }

    if (helper.joinable()) helper.join();
    else make_table();
    if (table.size() > UINT32_MAX) {
        diag.error_plain("internal compiler error: x64: stack-trace table larger than 4 GiB");
        return false;
    }
    if (!table.empty()) {
        auto& fb = o.sections[funcs].bytes;
        if (fb.empty()) fb = std::move(table);
        else fb.resize((fb.size() + 7) & ~(size_t)7, 0), fb.insert(fb.end(), table.begin(), table.end());
        o.reloc_sym(funcs, fb.size() - table_size, text_sym, obj::RelocKind::PcRel32, 0);
    }

    for (const ir::Global* g : m.globals) {
        uint32_t sec = g->section == ir::Section::Rodata ? rodata
                       : g->section == ir::Section::Data ? o.section(".data", obj::SectionKind::Data, 8)
                                                          : o.section(".bss", obj::SectionKind::Bss, 8);
        obj::Section& s = o.sections[sec];
        uint32_t al = g->align ? g->align : 1;
        if (al > s.align) s.align = al;
        bool bss = s.kind == obj::SectionKind::Bss;
        uint64_t gstart = s.size();
        uint64_t pad = (al - gstart % al) % al;
        if (bss) s.bss_size += pad;
        else s.bytes.insert(s.bytes.end(), pad, 0);
        gstart += pad;
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
        o.define(g->name, sec, gstart, o.sections[sec].size() - gstart, g->is_public, false);
    }
    for (const char* e : m.externs) o.symbol(e);
    return ok;
}

} // namespace lang::x64::emitdetail
