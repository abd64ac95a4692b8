// intern.h: interned identifiers.
//
// Every identifier and keyword spelling is interned once (hashed with xxHash), so the
// rest of the compiler compares names by pointer: `a == b` on two Ident values is a
// string comparison done in O(1). Identifiers are stored after NFC normalization.
#pragma once
#include "common/arena.h"
#include <string_view>
#include <vector>

namespace lang {

struct IStr {
    uint32_t len;
    uint32_t hash;
    char text[1]; // len bytes + NUL
};

class Ident {
public:
    Ident() = default;
    explicit Ident(const IStr* p) : p_(p) {}
    std::string_view view() const { return p_ ? std::string_view(p_->text, p_->len) : std::string_view(); }
    const char* c_str() const { return p_ ? p_->text : ""; }
    bool empty() const { return p_ == nullptr; }
    explicit operator bool() const { return p_ != nullptr; }
    bool operator==(const Ident& o) const { return p_ == o.p_; }
    bool operator!=(const Ident& o) const { return p_ != o.p_; }
    bool operator==(std::string_view s) const { return view() == s; }
    uint32_t hash() const { return p_ ? p_->hash : 0; }
    const IStr* raw() const { return p_; }

private:
    const IStr* p_ = nullptr;
};

class Interner {
public:
    explicit Interner(Arena& arena);
    Ident intern(std::string_view s) { return intern(s, key(s)); }
    // The same, with `k == key(s)` already computed (the lexer computes it byte by byte
    // while it scans an identifier, so the bytes are read only once).
    Ident intern(std::string_view s, uint32_t k);
    // The interned string equal to s, or an empty Ident when s was never interned.
    Ident find(std::string_view s) const;
    // Whether some interned string contains `part` (a walk over the table: a program has
    // far fewer distinct names than bytes of text).
    bool any_contains(std::string_view part) const;

    // The table's lookup key: FNV-1a, a multiply per byte. Identifiers are short, so this
    // is much cheaper than a call to XXH3; IStr::hash (the hash the rest of the compiler
    // sees) is still XXH3, computed once when a new string is added.
    static constexpr uint32_t kKeySeed = 2166136261u;
    static uint32_t key_step(uint32_t k, unsigned char c) { return (k ^ c) * 16777619u; }
    static uint32_t key(std::string_view s) {
        uint32_t k = kKeySeed;
        for (char c : s) k = key_step(k, (unsigned char)c);
        return k;
    }

private:
    struct Slot {
        const IStr* str = nullptr;
        uint32_t key = 0;
    };
    void rehash();
    Arena& arena_;
    std::vector<Slot> slots_; // open addressing, power-of-two size
    size_t count_ = 0;
};

struct IdentHash {
    size_t operator()(const Ident& i) const { return i.hash(); }
};

} // namespace lang
