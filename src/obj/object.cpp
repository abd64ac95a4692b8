// object.cpp: the Object model's lookup helpers (see object.h).
//
// Sections and symbols are found by name through two hash maps, so a backend can ask for
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

uint32_t Object::symbol(std::string_view name) {
    auto it = by_name_.find(name);
    if (it != by_name_.end()) return it->second;
    std::string key(name);
    uint32_t idx = (uint32_t)symbols.size();
    Symbol s;
    s.name = key;
    symbols.push_back(std::move(s));
    by_name_.emplace(std::move(key), idx);
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
