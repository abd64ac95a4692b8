// locals.h: the locals in scope while the checker walks a function body.
//
// A stack of (name, declaration) with scope marks, plus an index from each name to its
// innermost entry, so that looking a name up and declaring one cost O(1) however many
// locals are in scope (a body with 10^6 locals must not scan them for every name).
// Invariants: index_[name] is the stack position of the innermost local of that name
// (kNone when none is in scope); each entry remembers the position of the local of the
// same name it shadows, which becomes the innermost one again when its scope ends. The
// index is an open-addressing table keyed by the interned name, never shrunk: a name once
// seen keeps its slot (with kNone) for the rest of the run.
#pragma once
#include "common/intern.h"

#include <cstdint>
#include <vector>

namespace lang {
struct Decl;
}

namespace lang::sema {

class LocalScopes {
public:
    void push_scope() { marks_.push_back((uint32_t)stack_.size()); }
    void pop_scope() {
        pop_to(marks_.back());
        marks_.pop_back();
    }
    // Empties the stack and every scope (between functions).
    void clear() {
        pop_to(0);
        marks_.clear();
    }
    // The innermost local named `name`, or null.
    Decl* lookup(Ident name) const {
        uint32_t k = find(name);
        if (k == kNone || slots_[k].top == kNone) return nullptr;
        return stack_[slots_[k].top].decl;
    }
    // Declares `name` in the innermost scope. Returns false (and declares nothing) when
    // that scope already has a local of this name.
    bool declare(Ident name, Decl* d) {
        uint32_t k = slot_for(name);
        uint32_t top = slots_[k].top;
        uint32_t mark = marks_.empty() ? 0 : marks_.back();
        if (top != kNone && top >= mark) return false;
        stack_.push_back(Entry{d, k, top});
        slots_[k].top = (uint32_t)stack_.size() - 1;
        return true;
    }

private:
    static constexpr uint32_t kNone = UINT32_MAX;
    struct Entry {
        Decl* decl;
        uint32_t slot;     // its name's slot in slots_
        uint32_t shadowed; // stack position of the local it hides, or kNone
    };
    struct Slot {
        const IStr* name = nullptr;
        uint32_t top = kNone;
    };
    std::vector<Entry> stack_;
    std::vector<uint32_t> marks_;
    std::vector<Slot> slots_; // size a power of two, at most half full
    uint32_t used_ = 0;

    void pop_to(uint32_t n) {
        while (stack_.size() > n) {
            const Entry& e = stack_.back();
            slots_[e.slot].top = e.shadowed;
            stack_.pop_back();
        }
    }
    uint32_t find(Ident name) const {
        if (slots_.empty()) return kNone;
        uint32_t mask = (uint32_t)slots_.size() - 1;
        for (uint32_t k = name.hash() & mask;; k = (k + 1) & mask) {
            if (slots_[k].name == name.raw()) return k;
            if (!slots_[k].name) return kNone;
        }
    }
    uint32_t slot_for(Ident name) {
        uint32_t k = find(name);
        if (k != kNone) return k;
        if (2 * (used_ + 1) > slots_.size()) grow();
        uint32_t mask = (uint32_t)slots_.size() - 1;
        for (k = name.hash() & mask; slots_[k].name; k = (k + 1) & mask) {
        }
        slots_[k].name = name.raw();
        used_++;
        return k;
    }
    void grow() {
        std::vector<Slot> old;
        old.swap(slots_);
        slots_.assign(old.empty() ? 64 : 2 * old.size(), Slot{});
        uint32_t mask = (uint32_t)slots_.size() - 1;
        std::vector<uint32_t> moved(old.size(), kNone); // old slot -> new slot
        for (uint32_t j = 0; j < old.size(); j++) {
            if (!old[j].name) continue;
            uint32_t k = old[j].name->hash & mask;
            while (slots_[k].name) k = (k + 1) & mask;
            slots_[k] = old[j];
            moved[j] = k;
        }
        for (Entry& e : stack_) e.slot = moved[e.slot];
    }
};

} // namespace lang::sema
