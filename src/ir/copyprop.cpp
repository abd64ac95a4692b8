// copyprop.cpp: replaces uses of `copy` instructions and of trivial phis.
//
// A phi is trivial when all its incoming values, ignoring the phi itself, are one value v
// (Braun et al., "Simple and Efficient Construction of SSA Form"): it can be replaced by v.
// Removing one trivial phi can make another trivial (a phi of that phi), so detection is
// repeated until nothing changes; each round is linear.
// Replacement is a forwarding table indexed by value id, resolved with path compression,
// and every operand of the function is rewritten once at the end: no use lists, no
// quadratic replace-all-uses. The forwarded instructions are removed from their blocks.
#include "ir/ir.h"
#include <vector>

namespace lang::ir {

namespace {

struct Forward {
    std::vector<Inst*> to; // by value id; null = not forwarded

    Inst* resolve(Inst* v) {
        Inst* r = v;
        for (int guard = 0; r->id < to.size() && to[r->id] && guard < 1 << 20; guard++) r = to[r->id];
        // path compression
        while (v != r && v->id < to.size() && to[v->id]) {
            Inst* n = to[v->id];
            to[v->id] = r;
            v = n;
        }
        return r;
    }
};

} // namespace

void copyprop(Module& m, Func& f) {
    Forward fw;
    fw.to.assign(f.next_id, nullptr);
    for (Block* b : f.blocks)
        for (Inst* in : b->insts)
            if (in->id >= fw.to.size()) fw.to.resize(in->id + 1, nullptr);

    for (Block* b : f.blocks)
        for (Inst* in : b->insts)
            if (in->op == Op::copy && in->args.size == 1 && in->args[0] != in) fw.to[in->id] = in->args[0];

    bool changed = true;
    while (changed) {
        changed = false;
        for (Block* b : f.blocks) {
            for (Inst* in : b->insts) {
                if (in->op != Op::phi) break;
                if (fw.to[in->id]) continue;
                Inst* self = fw.resolve(in);
                Inst* same = nullptr;
                bool trivial = true;
                for (Inst* a : in->args) {
                    Inst* r = fw.resolve(a);
                    if (r == self || r == same) continue;
                    if (same) {
                        trivial = false;
                        break;
                    }
                    same = r;
                }
                // A phi with no other input only occurs in dead loops; leave it to dce.
                if (trivial && same) {
                    fw.to[in->id] = same;
                    changed = true;
                }
            }
        }
    }

    for (Block* b : f.blocks) {
        uint32_t w = 0;
        for (Inst* in : b->insts) {
            if (fw.to[in->id]) continue; // forwarded: dropped
            for (Inst*& a : in->args) a = fw.resolve(a);
            b->insts[w++] = in;
        }
        b->insts.size = w;
    }
    (void)m;
}

} // namespace lang::ir
