// cse.cpp: common subexpressions and repeated checks, over the dominator tree (-O1).
//
// A walk of the dominator tree keeps a table of the values computed on the way down from
// the entry: an instruction equal to one that dominates it (same op, types, immediates
// and operands) becomes a copy of it, which copyprop forwards. Pure operations (F_FOLD
// and not F_SIDE, and `addr`) are equal wherever they dominate. A load is equal to an
// earlier load of the same address only if no store, call or preemption point can have
// run in between: memory has a generation, bumped by every such instruction and by
// entering a block that can be reached other than straight from its dominator; a load
// is remembered with the generation it saw. Loads of globals (an `addr` base) are left
// alone: another thread may change them (lang_preempt_pending).
//
// A block whose one predecessor is its dominator and ends in `br %c` also knows %c: true
// under the first target, false under the second. A `br` on a known condition gets a
// constant instead, which fold turns into a jump. So `a[i].x == k && f(a[i].y)` checks
// the bounds of a[i] once: the second check is the same `ult` of the same loads, already
// true where it runs.
#include "ir/ir.h"
#include <cstring>
#include <unordered_map>
#include <vector>

namespace lang::ir {

namespace {

struct Key {
    Op op;
    Ty ty, cty;
    uint32_t nargs;
    uint32_t a[3];
    int64_t imm, imm2;
    const char* sym;
    uint64_t gen; // loads: the memory generation; 0 for pure operations
    bool operator==(const Key& o) const {
        return op == o.op && ty == o.ty && cty == o.cty && nargs == o.nargs && a[0] == o.a[0] && a[1] == o.a[1] &&
               a[2] == o.a[2] && imm == o.imm && imm2 == o.imm2 && sym == o.sym && gen == o.gen;
    }
};

struct KeyHash {
    size_t operator()(const Key& k) const {
        uint64_t h = (uint64_t)k.op * 0x9E3779B97F4A7C15ull ^ ((uint64_t)k.ty << 8 | (uint64_t)k.cty);
        auto mix = [&](uint64_t v) { h = (h ^ v) * 0xff51afd7ed558ccdull; h ^= h >> 29; };
        mix(k.a[0]);
        mix(k.a[1]);
        mix(k.a[2]);
        mix((uint64_t)k.imm);
        mix((uint64_t)k.imm2);
        mix((uint64_t)(uintptr_t)k.sym);
        mix(k.gen);
        return (size_t)h;
    }
};

Inst* look(Inst* v) {
    for (int guard = 0; v && v->op == Op::copy && v->args.size == 1 && guard < 1000; guard++) v = v->args[0];
    return v;
}

bool is_pure(const Inst* in) {
    uint32_t fl = info(in->op).flags;
    return ((fl & F_FOLD) && !(fl & F_SIDE)) || in->op == Op::addr;
}

bool clobbers(const Inst* in) {
    switch (in->op) {
    case Op::store: case Op::memcpy: case Op::memzero: case Op::call: case Op::callind: case Op::preempt: return true;
    default: return false;
    }
}

struct Cse {
    Module& m;
    Func& f;
    std::unordered_map<Key, Inst*, KeyHash> table;
    std::unordered_map<Inst*, bool> known; // branch conditions that hold here
    // Undo log: a table key (with the value it replaced, or null) or a known condition.
    struct Undo {
        bool is_cond;
        Key key;
        Inst* old;
        Inst* cond;
        bool had;
        bool old_val;
    };
    std::vector<Undo> undo;
    uint64_t next_gen = 1;

    Cse(Module& mm, Func& ff) : m(mm), f(ff) {}

    bool key_of(Inst* in, uint64_t gen, Key* k) {
        if (in->args.size > 3) return false;
        *k = Key{};
        k->op = in->op;
        k->ty = in->ty;
        k->cty = in->cty;
        k->nargs = in->args.size;
        for (uint32_t i = 0; i < in->args.size; i++) {
            Inst* a = look(in->args[i]);
            if (!a) return false;
            k->a[i] = a->id;
        }
        if ((info(in->op).flags & F_COMM) && k->nargs == 2 && k->a[0] > k->a[1]) std::swap(k->a[0], k->a[1]);
        k->imm = in->imm;
        if (in->op == Op::fconst) memcpy(&k->imm2, &in->fimm, sizeof k->imm2);
        k->sym = in->sym;
        k->gen = in->op == Op::load ? gen : 0;
        return true;
    }

    void remember(const Key& k, Inst* in) {
        auto it = table.find(k);
        undo.push_back({false, k, it == table.end() ? nullptr : it->second, nullptr, false, false});
        table[k] = in;
    }

    void know(Inst* c, bool v) {
        auto it = known.find(c);
        undo.push_back({true, Key{}, nullptr, c, it != known.end(), it != known.end() && it->second});
        known[c] = v;
    }

    void unwind(size_t mark) {
        while (undo.size() > mark) {
            Undo& u = undo.back();
            if (u.is_cond) {
                if (u.had) known[u.cond] = u.old_val;
                else known.erase(u.cond);
            } else if (u.old) {
                table[u.key] = u.old;
            } else {
                table.erase(u.key);
            }
            undo.pop_back();
        }
    }

    // One block: equal values become copies; returns the memory generation at its end.
    uint64_t block(Block* b, uint64_t gen) {
        for (uint32_t i = 0; i < b->insts.size; i++) {
            Inst* in = b->insts[i];
            if (in->op == Op::br) {
                Inst* c = look(in->args[0]);
                auto it = known.find(c);
                if (it != known.end() && c->op != Op::iconst) {
                    Inst* k = new_inst(m, f, Op::iconst, Ty::I8);
                    k->imm = it->second ? 1 : 0;
                    k->block = b;
                    b->insts.push(m.body(), k); // before the branch: swap the last two
                    b->insts[b->insts.size - 1] = in;
                    b->insts[b->insts.size - 2] = k;
                    in->args[0] = k;
                    i++;
                }
                continue;
            }
            if (clobbers(in)) {
                gen = next_gen++;
                continue;
            }
            bool load = in->op == Op::load && look(in->args[0]) && look(in->args[0])->op != Op::addr;
            if (!load && !is_pure(in)) continue;
            Key k;
            if (!key_of(in, gen, &k)) continue;
            auto it = table.find(k);
            if (it != table.end() && it->second != in) {
                in->op = Op::copy; // forwarded by copyprop
                in->args.size = 0;
                in->args.push(m.body(), it->second);
                continue;
            }
            remember(k, in);
        }
        return gen;
    }

    void run() {
        compute_cfg(m, f);
        // Reverse postorder and CHK dominators (Cooper, Harvey, Kennedy).
        uint32_t nb = f.next_block;
        for (Block* b : f.blocks)
            if (b->id >= nb) nb = b->id + 1;
        std::vector<int> num(nb, -1);
        std::vector<Block*> rpo = reverse_postorder(f);
        for (size_t k = 0; k < rpo.size(); k++) num[rpo[k]->id] = (int)k;
        std::vector<int> idom(rpo.size(), -1);
        idom[0] = 0;
        auto intersect = [&](int a, int b) {
            while (a != b) {
                while (a > b) a = idom[a];
                while (b > a) b = idom[b];
            }
            return a;
        };
        for (bool changed = true; changed;) {
            changed = false;
            for (size_t k = 1; k < rpo.size(); k++) {
                int nd = -1;
                for (Block* p : rpo[k]->preds) {
                    int pn = num[p->id];
                    if (pn < 0 || idom[pn] < 0) continue;
                    nd = nd < 0 ? pn : intersect(pn, nd);
                }
                if (nd != idom[k]) {
                    idom[k] = nd;
                    changed = true;
                }
            }
        }
        std::vector<std::vector<int>> kids(rpo.size());
        for (size_t k = 1; k < rpo.size(); k++)
            if (idom[k] >= 0) kids[idom[k]].push_back((int)k);

        // Depth-first over the dominator tree; each frame: block, next child, undo mark,
        // memory generation at the block's end.
        struct Frame { int b; size_t next; size_t mark; uint64_t gen_end; };
        std::vector<Frame> dfs;
        auto enter = [&](int k, uint64_t gen) {
            size_t mark = undo.size();
            Block* b = rpo[k];
            if (k > 0) {
                Block* dom = rpo[idom[k]];
                bool straight = b->preds.size == 1 && b->preds[0] == dom;
                if (!straight) gen = next_gen++;
                Inst* t = dom->term();
                if (straight && t && t->op == Op::br && t->target[0] != t->target[1])
                    know(look(t->args[0]), t->target[0] == b);
            }
            dfs.push_back({k, 0, mark, block(b, gen)});
        };
        enter(0, next_gen++);
        while (!dfs.empty()) {
            Frame& fr = dfs.back();
            if (fr.next < kids[fr.b].size()) {
                int c = kids[fr.b][fr.next++];
                uint64_t g = fr.gen_end;
                enter(c, g);
                continue;
            }
            unwind(fr.mark);
            dfs.pop_back();
        }
    }
};

} // namespace

void cse(Module& m, Func& f) {
    if (!f.blocks.size) return;
    Cse(m, f).run();
}

} // namespace lang::ir
