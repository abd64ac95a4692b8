// body_arenas.h: recycled arenas for the IR of function bodies in the pipelined build.
#pragma once
#include "common/arena.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace lang {

// Arenas for the IR of function bodies in the pipelined build (ir::Module::bodies).
// Consecutive functions share a group until it holds `group_bytes`; a group goes back to
// the pool when it is sealed (no more functions will be built in it) and every function
// in it has been compiled. The same few megabytes are reused for the whole program
// instead of fresh memory for every instruction (page faults and clearing pages cost
// about as much as building the IR).
class BodyArenas {
public:
    explicit BodyArenas(size_t group_bytes = 256 << 10) : group_bytes_(group_bytes) { cur_ = take(); }
    BodyArenas(const BodyArenas&) = delete;
    BodyArenas& operator=(const BodyArenas&) = delete;
    Arena* current() { return &cur_->arena; }
    // Called before building the next function: starts a new group when this one is full.
    void next_function() {
        if (cur_->arena.bytes_allocated() < group_bytes_) return;
        drop(cur_); // the builder's reference: no more functions go into it
        cur_ = take();
    }
    // A function built in the current group goes to code generation: the tag to pass on.
    void* hand_out() {
        cur_->refs.fetch_add(1, std::memory_order_relaxed);
        return cur_;
    }
    // The function with this tag is compiled (any thread).
    void done(void* tag) { drop(static_cast<Group*>(tag)); }

private:
    struct Group {
        Arena arena;
        // One reference per function handed out and not compiled yet, plus one while
        // functions are still built in it; the last one to go returns it to the pool.
        std::atomic<int> refs{0};
    };
    void drop(Group* g) {
        if (g->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
        g->arena.reset();
        std::lock_guard<std::mutex> lock(mu_);
        free_.push_back(g);
    }
    Group* take() {
        std::lock_guard<std::mutex> lock(mu_);
        Group* g;
        if (free_.empty()) {
            all_.push_back(std::make_unique<Group>());
            g = all_.back().get();
        } else {
            g = free_.back();
            free_.pop_back();
        }
        g->refs.store(1, std::memory_order_relaxed); // the builder's reference
        return g;
    }
    size_t group_bytes_;
    std::mutex mu_; // guards the pool (once per group, not per function)
    std::vector<std::unique_ptr<Group>> all_;
    std::vector<Group*> free_;
    Group* cur_;
};

} // namespace lang
