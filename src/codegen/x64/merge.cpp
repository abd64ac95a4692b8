// merge.cpp: a worker's output and the merge of all of it into the object file model.
//
// Each worker appends the functions it compiled to its own Chunk (code, relocations,
// line table). When every function is compiled, merge() copies them into .text in module
// order, defines their symbols, turns the relocations into object relocations and writes
// the stack-trace records (lang_funcs), then lays out the module's globals.
#include "codegen/x64/emit_impl.h"
#include "common/hugepages.h"

#include <cstring>
#include <unordered_map>

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

bool merge(const ir::Module& m, const std::vector<const ir::Func*>& order_in,
           const std::vector<Worker*>& workers, obj::Object& o, Diag& diag) {
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
    std::vector<std::pair<const Chunk*, const Chunk::Fn*>> order(order_in.size(), {nullptr, nullptr});
    for (Worker* w : workers) {
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
        const ir::Func* f = order_in[k];
        while (tb.size() % 16) tb.push_back(workers[0]->int3);
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

} // namespace lang::x64::emitdetail
