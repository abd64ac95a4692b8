// intern.cpp: open-addressing hash table of interned strings (see intern.h).
#include "common/intern.h"
#include <cstring>
#include <xxhash.h>

namespace lang {

Interner::Interner(Arena& arena) : arena_(arena), slots_(4096) {}

Ident Interner::intern(std::string_view s, uint32_t k) {
    size_t mask = slots_.size() - 1;
    size_t i = k & mask;
    for (;; i = (i + 1) & mask) {
        const Slot& sl = slots_[i];
        if (!sl.str) break;
        // The key rules out almost every other string, so the byte compare (a plain loop:
        // names are short, a memcmp call would cost more) nearly always succeeds.
        if (sl.key == k && sl.str->len == s.size()) {
            size_t j = 0;
            while (j < s.size() && sl.str->text[j] == s[j]) j++;
            if (j == s.size()) return Ident(sl.str);
        }
    }
    IStr* n = static_cast<IStr*>(arena_.alloc(sizeof(IStr) + s.size(), alignof(IStr)));
    n->len = (uint32_t)s.size();
    n->hash = (uint32_t)XXH3_64bits(s.data(), s.size());
    memcpy(n->text, s.data(), s.size());
    n->text[s.size()] = 0;
    slots_[i] = Slot{n, k}; // i is the empty slot that ended the search
    if (++count_ * 2 > slots_.size()) rehash();
    return Ident(n);
}

Ident Interner::find(std::string_view s) const {
    uint32_t k = key(s);
    size_t mask = slots_.size() - 1;
    for (size_t i = k & mask;; i = (i + 1) & mask) {
        const Slot& sl = slots_[i];
        if (!sl.str) return Ident();
        if (sl.key == k && sl.str->len == s.size() && std::string_view(sl.str->text, sl.str->len) == s)
            return Ident(sl.str);
    }
}

bool Interner::any_contains(std::string_view part) const {
    for (const Slot& sl : slots_)
        if (sl.str && sl.str->len >= part.size() && std::string_view(sl.str->text, sl.str->len).find(part) != std::string_view::npos)
            return true;
    return false;
}

void Interner::rehash() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    size_t mask = slots_.size() - 1;
    for (const Slot& e : old) {
        if (!e.str) continue;
        size_t i = e.key & mask;
        while (slots_[i].str) i = (i + 1) & mask;
        slots_[i] = e;
    }
}

} // namespace lang
