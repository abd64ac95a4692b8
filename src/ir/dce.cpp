// dce.cpp: dead code elimination.
//
// 1. Blocks not reachable from the entry are deleted, and the phi entries that came
//    from them are dropped (a definition in a dead block cannot dominate a live use, so
//    nothing else can refer to them).
// 2. Mark and sweep over values: instructions with F_SIDE (stores, calls, checked
//    arithmetic, terminators) are roots; everything their operands need transitively is
//    live; the rest is removed. This also removes cycles of dead phis in loops.
// Block layout order is kept; the entry stays first. Linear in the size of the function.
#include "ir/ir.h"
#include <vector>

namespace lang::ir {

void dce(Module& m, Func& f) {
    if (!f.blocks.size) return;
    uint32_t nb = f.next_block;
    for (Block* b : f.blocks)
        if (b->id >= nb) nb = b->id + 1;

    // 1. reachability
    std::vector<uint8_t> reach(nb, 0);
    std::vector<Block*> work{f.blocks[0]};
    reach[f.blocks[0]->id] = 1;
    while (!work.empty()) {
        Block* b = work.back();
        work.pop_back();
        Inst* t = b->term();
        for (int k = 0; k < num_targets(t); k++)
            if (Block* s = t->target[k]; s && s->id < nb && !reach[s->id]) {
                reach[s->id] = 1;
                work.push_back(s);
            }
    }
    uint32_t w = 0;
    for (Block* b : f.blocks)
        if (reach[b->id]) f.blocks[w++] = b;
    bool removed_blocks = w != f.blocks.size;
    f.blocks.size = w;
    if (removed_blocks) {
        for (Block* b : f.blocks) {
            for (Inst* p : b->insts) {
                if (p->op != Op::phi) break;
                uint32_t k2 = 0;
                for (uint32_t k = 0; k < p->args.size; k++) {
                    Block* pb = p->phi_blocks[k];
                    if (!pb || pb->id >= nb || !reach[pb->id]) continue;
                    p->args[k2] = p->args[k];
                    p->phi_blocks[k2] = p->phi_blocks[k];
                    k2++;
                }
                p->args.size = p->phi_blocks.size = k2;
            }
        }
    }

    // 2. mark live values from the side-effecting roots
    uint32_t nv = f.next_id;
    for (Block* b : f.blocks)
        for (Inst* in : b->insts)
            if (in->id >= nv) nv = in->id + 1;
    std::vector<uint8_t> live(nv, 0);
    std::vector<Inst*> stack;
    for (Block* b : f.blocks)
        for (Inst* in : b->insts)
            if ((info(in->op).flags & F_SIDE) && !live[in->id]) {
                live[in->id] = 1;
                stack.push_back(in);
            }
    while (!stack.empty()) {
        Inst* in = stack.back();
        stack.pop_back();
        for (Inst* a : in->args)
            if (a->id < nv && !live[a->id]) {
                live[a->id] = 1;
                stack.push_back(a);
            }
    }
    for (Block* b : f.blocks) {
        uint32_t k2 = 0;
        for (Inst* in : b->insts) {
            if (!live[in->id]) continue;
            b->insts[k2++] = in;
        }
        b->insts.size = k2;
    }
    if (removed_blocks) compute_cfg(m, f);
}

} // namespace lang::ir
