// object.cpp: the Object model's lookup helpers (see object.h).
//
// Sections and symbols are found by name through hash tables, so a backend can ask for
// ".text" or "lang_write_i64" as often as it likes. Indices never change once handed out.
#include "obj/object.h"
#include <algorithm>

namespace lang::obj {

uint32_t Object::section(std::string_view name, SectionKind kind, uint32_t align) {
    auto it = sec_by_name_.find(name);
    if (it != sec_by_name_.end()) {
        Section& s = sections[it->second];
        s.align = std::max(s.align, align);
        return it->second;
    }
    std::string key(name);
    uint32_t idx = (uint32_t)sections.size();
    Section s;
    s.name = key;
    s.kind = kind;
    s.align = align ? align : 1;
    sections.push_back(std::move(s));
    sec_by_name_.emplace(std::move(key), idx);
    return idx;
}

namespace {
uint32_t name_hash(std::string_view s) { // FNV-1a, folded: names are short
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
    return (uint32_t)(h ^ (h >> 32));
}
} // namespace

uint32_t Object::find_slot(std::string_view name, uint32_t h) const {
    const size_t mask = sym_slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t e = sym_slots_[i];
        if (!e) return (uint32_t)i;
        if ((uint32_t)(e >> 32) == h && symbols[(uint32_t)e - 1].name == name) return (uint32_t)i;
    }
}

void Object::grow_slots(size_t n) {
    size_t cap = 64;
    while (cap < 2 * n) cap *= 2;
    if (cap <= sym_slots_.size()) return;
    std::vector<uint64_t> old = std::move(sym_slots_);
    sym_slots_.assign(cap, 0);
    for (uint64_t e : old) {
        if (!e) continue;
        size_t i = (e >> 32) & (cap - 1);
        while (sym_slots_[i]) i = (i + 1) & (cap - 1);
        sym_slots_[i] = e;
    }
}

void Object::reserve_symbols(size_t n) {
    symbols.reserve(n);
    grow_slots(n);
}

uint32_t Object::symbol(std::string_view name) {
    if (2 * (symbols.size() + 1) > sym_slots_.size()) grow_slots(symbols.size() + 1);
    uint32_t h = name_hash(name);
    uint32_t slot = find_slot(name, h);
    if (sym_slots_[slot]) return (uint32_t)sym_slots_[slot] - 1;
    uint32_t idx = (uint32_t)symbols.size();
    Symbol s;
    s.name = std::string(name);
    symbols.push_back(std::move(s));
    sym_slots_[slot] = ((uint64_t)h << 32) | (idx + 1);
    return idx;
}

uint32_t Object::define(std::string_view name, uint32_t section, uint64_t offset, uint64_t size, bool global,
                        bool is_func) {
    uint32_t idx = symbol(name);
    Symbol& s = symbols[idx];
    s.section = section;
    s.offset = offset;
    s.size = size;
    s.global = global;
    s.is_func = is_func;
    return idx;
}

} // namespace lang::obj
