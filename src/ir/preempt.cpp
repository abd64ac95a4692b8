// preempt.cpp: the insert_preempt_checks pass (preemption points for lightweight threads).
//
// So that `while (true) {}` in one lightweight thread cannot starve the others, every
// loop back-edge and the entry of every function that makes a call (recursion goes
// through a call; a leaf function without loops always finishes quickly) test the
// runtime's global word `lang_preempt_pending` (src/rt/lang_sched.h, the number of
// workers whose monitor asked them to yield) and call lang_preempt_check() when it is
// non-zero; that call yields if the flag of the worker it runs on is set. Fast path:
//     %a = addr.ptr $lang_preempt_pending
//     %f = load.i32 [%a]                 ; x64: cmp dword ptr [rip + lang_preempt_pending], 0
//     br %f, @slow, @next                ;      jne slow
// @slow: preempt ; jmp @next
// The `preempt` op is a call of lang_preempt_stub (src/rt/arch/x64/preempt_stub.S) that
// preserves every register, so the register allocator sees no clobbers on the slow path
// and values live across the loop stay in caller-saved registers.
// Back-edges are found by a depth-first search from the entry (an edge to a block still
// on the DFS stack). A back-edge `jmp @h` gets the test in place; a back-edge out of a
// `br` gets a new block holding the test. The entry test splits the entry block after
// its params and slots. Phis of the targets get an entry for every new predecessor.
// Runs at every -O level (preemption is a language guarantee), before mark_tailcalls so
// a self tail call loops through the entry test.
#include "ir/ir.h"
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory_resource>
#include <vector>

namespace lang::ir {

static const char kPending[] = "lang_preempt_pending";

static void use_extern(Module& m, const char* s) {
    for (const char* e : m.externs)
        if (e == s || strcmp(e, s) == 0) return; // (no std::string: this runs per function)
    m.externs.push(m.arena, s);
}

// Appends the test to block b: br on the pending word to a new slow block or `next`.
// Returns the slow block.
static Block* emit_test(Module& m, Func& f, Block* b, Block* next) {
    Inst* a = new_inst(m, f, Op::addr, Ty::Ptr);
    a->sym = kPending;
    append(m, b, a);
    Inst* l = new_inst(m, f, Op::load, Ty::I32);
    l->args.push(m.body(), a);
    append(m, b, l);
    Block* slow = new_block(m, f);
    Inst* br = new_inst(m, f, Op::br, Ty::Void);
    br->args.push(m.body(), l);
    br->target[0] = slow;
    br->target[1] = next;
    append(m, b, br);
    append(m, slow, new_inst(m, f, Op::preempt, Ty::Void));
    Inst* j = new_inst(m, f, Op::jmp, Ty::Void);
    j->target[0] = next;
    append(m, slow, j);
    return slow;
}

// In the phis of `to`, entries from `from` are renamed to `renamed` (if non-null) and
// duplicated for `extra` (if non-null).
static void fix_phis(Module& m, Block* to, Block* from, Block* renamed, Block* extra) {
    for (Inst* p : to->insts) {
        if (p->op != Op::phi) break;
        uint32_t n = p->phi_blocks.size;
        for (uint32_t i = 0; i < n; i++) {
            if (p->phi_blocks[i] != from) continue;
            if (renamed) p->phi_blocks.data[i] = renamed;
            if (extra) {
                p->phi_blocks.push(m.body(), extra);
                p->args.push(m.body(), p->args[i]);
            }
        }
    }
}

void insert_preempt_checks(Module& m, Func& f) {
    if (f.blocks.empty()) return;
    // All scratch memory of this pass comes from a stack buffer (the heap only for big
    // functions): it runs once per function, and one malloc/free per vector cost more
    // than the pass itself.
    alignas(std::max_align_t) unsigned char buf[4096];
    std::pmr::monotonic_buffer_resource pool(buf, sizeof buf);
    bool inserted = false;
    uint32_t old_count = f.blocks.size;
    // Layout: every new block goes right after the block it belongs to, so the live ranges
    // of loop values are not stretched to the end of the function (and the fast path falls
    // through or jumps back exactly as before).
    struct Follow { Block* b; Block* after; };
    std::pmr::vector<Follow> follow(&pool); // (new block, the block it follows)
    Block* last = nullptr;                  // the entry test's slow block, laid out at the end
    // Back-edges, by an iterative DFS (0 white, 1 on stack, 2 done).
    uint32_t nb = f.next_block;
    for (Block* b : f.blocks)
        if (b->id >= nb) nb = b->id + 1;
    std::pmr::vector<uint8_t> color(nb, 0, &pool);
    struct Edge { Block* from; Block* to; };
    std::pmr::vector<Edge> back(&pool);
    struct Frame { Block* b; int next; };
    std::pmr::vector<Frame> stack(&pool);
    stack.push_back({f.blocks[0], 0});
    color[f.blocks[0]->id] = 1;
    auto has_call = [&] {
        for (Block* b : f.blocks)
            for (Inst* i : b->insts)
                if (i->op == Op::call || i->op == Op::callind || i->op == Op::tailcall) return true;
        return false;
    };
    bool calls = has_call();
    while (!stack.empty()) {
        Frame& fr = stack.back();
        Inst* t = fr.b->term();
        int nsucc = !t ? 0 : t->op == Op::jmp ? 1 : t->op == Op::br ? 2 : 0;
        if (fr.next >= nsucc) {
            color[fr.b->id] = 2;
            stack.pop_back();
            continue;
        }
        Block* s = t->target[fr.next++];
        if (!s) continue;
        if (color[s->id] == 1) back.push_back({fr.b, s});
        else if (color[s->id] == 0) {
            color[s->id] = 1;
            stack.push_back({s, 0});
        }
    }
    for (size_t k = 0; k < back.size(); k++) {
        Block* u = back[k].from;
        Block* v = back[k].to;
        Inst* t = u->term();
        if (t->op == Op::jmp) {
            u->insts.size--; // drop the jmp; the test branches to v itself
            Block* slow = emit_test(m, f, u, v);
            fix_phis(m, v, u, nullptr, slow);
            follow.push_back({slow, u});
        } else { // br: split the edge
            if (k > 0 && back[k - 1].from == u && back[k - 1].to == v) continue; // br x, @v, @v
            Block* c = new_block(m, f);
            for (int i = 0; i < 2; i++)
                if (t->target[i] == v) t->target[i] = c;
            Block* slow = emit_test(m, f, c, v);
            fix_phis(m, v, u, c, slow);
            follow.push_back({c, u});
            follow.push_back({slow, c});
        }
        inserted = true;
    }
    if (calls) {
        Block* e = f.blocks[0];
        uint32_t k = 0;
        while (k < e->insts.size && (e->insts[k]->op == Op::param || e->insts[k]->op == Op::slot)) k++;
        Block* rest = new_block(m, f);
        // `rest` takes over the tail of e's instruction array in place (no copy); e gets a
        // fresh array for its short prologue and the three test instructions.
        Inst** old = e->insts.data;
        rest->insts.data = old + k;
        rest->insts.size = e->insts.size - k;
        rest->insts.cap = e->insts.cap - k;
        for (Inst* i : rest->insts) i->block = rest;
        e->insts.data = static_cast<Inst**>(m.body().alloc(sizeof(Inst*) * (k + 3), alignof(Inst*)));
        e->insts.cap = k + 3;
        e->insts.size = k;
        for (uint32_t i = 0; i < k; i++) e->insts.data[i] = old[i];
        Block* slow = emit_test(m, f, e, rest);
        // The fast path falls through into `rest`; the slow block goes to the end (an entry
        // test sees only the parameters live, so its live ranges cost little there).
        follow.push_back({rest, e});
        last = slow;
        // rest takes over e's successors' phi entries
        Inst* t = rest->term();
        if (t && (t->op == Op::jmp || t->op == Op::br))
            for (int i = 0; i < (t->op == Op::br ? 2 : 1); i++)
                if (t->target[i] && !(i == 1 && t->target[1] == t->target[0])) fix_phis(m, t->target[i], e, rest, nullptr);
        inserted = true;
    }
    if (!follow.empty()) {
        // Followers of each block, in insertion order, as linked lists indexed by block id
        // (built backwards so that each list keeps the order of `follow`).
        std::pmr::vector<int32_t> first(std::max(nb, f.next_block), -1, &pool), next(follow.size(), -1, &pool);
        for (size_t k = follow.size(); k-- > 0;) {
            next[k] = first[follow[k].after->id];
            first[follow[k].after->id] = (int32_t)k;
        }
        std::pmr::vector<Block*> out(&pool);
        out.reserve(f.blocks.size);
        auto place = [&](auto&& self, Block* b) -> void {
            out.push_back(b);
            for (int32_t k = first[b->id]; k >= 0; k = next[k]) self(self, follow[k].b);
        };
        for (uint32_t i = 0; i < old_count; i++) place(place, f.blocks.data[i]);
        if (last) out.push_back(last);
        for (uint32_t i = 0; i < out.size() && i < f.blocks.size; i++) f.blocks.data[i] = out[i];
    }
    if (inserted) {
        use_extern(m, kPending);
        compute_cfg(m, f);
    }
}

} // namespace lang::ir
