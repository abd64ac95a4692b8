// intern.cpp: open-addressing hash table of interned strings (see intern.h).
#include "common/intern.h"
#include <cstring>
#include <xxhash.h>

namespace lang {

Interner::Interner(Arena& arena) : arena_(arena), slots_(4096, nullptr) {}

Ident Interner::intern(std::string_view s) {
    uint32_t h = (uint32_t)XXH3_64bits(s.data(), s.size());
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const IStr* e = slots_[i];
        if (!e) break;
        if (e->hash == h && e->len == s.size() && memcmp(e->text, s.data(), s.size()) == 0) return Ident(e);
    }
    IStr* n = static_cast<IStr*>(arena_.alloc(sizeof(IStr) + s.size(), alignof(IStr)));
    n->len = (uint32_t)s.size();
    n->hash = h;
    memcpy(n->text, s.data(), s.size());
    n->text[s.size()] = 0;
    if (++count_ * 2 > slots_.size()) rehash();
    mask = slots_.size() - 1;
    size_t i = h & mask;
    while (slots_[i]) i = (i + 1) & mask;
    slots_[i] = n;
    return Ident(n);
}

void Interner::rehash() {
    std::vector<const IStr*> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, nullptr);
    size_t mask = slots_.size() - 1;
    for (const IStr* e : old) {
        if (!e) continue;
        size_t i = e->hash & mask;
        while (slots_[i]) i = (i + 1) & mask;
        slots_[i] = e;
    }
}

} // namespace lang
