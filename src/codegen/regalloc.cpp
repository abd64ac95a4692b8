// regalloc.cpp: liveness, linear-scan register allocation and the rewrite to physical
// registers (target independent; the target supplies register sets and a move hook).
//
// 1. Positions: every block gets a start and an end position, every instruction a use
//    position p (operands read) and a def position p+1 (operands written).
// 2. Liveness: only "global" vregs (phi operands, or used in a block before being
//    defined there) take part in the dataflow, renumbered densely, so the cost stays
//    proportional to the values that actually cross blocks. Small functions use bit
//    vectors over every block; big ones (blocks x globals past kDenseLivenessWords) go 64
//    globals at a time over only the blocks where they are live (liveness_sparse), so a
//    function with 10^4 blocks and as many globals needs neither gigabytes nor seconds.
// 3. Intervals: one [start, end] range per vreg (no holes: Poletto & Sarkar). Physical
//    registers named by instructions (ABI moves, calls' clobbers, division) become short
//    fixed ranges; a vreg may only take a register whose fixed ranges miss its interval.
//    That one rule keeps values live across a call out of caller-saved registers and
//    away from argument registers while they are being set up.
// 4. Linear scan in order of start: expire finished intervals, take the hinted register
//    (copy source/target, phi partner) if possible, else the first free one in the
//    target's preference order, else spill the interval that ends last.
// 5. Rewrite: vregs become registers; spilled vregs live in an 8-byte frame slot and are
//    reloaded into / stored from the target's reserved scratch registers around each
//    instruction. Phis become parallel copies at the end of each predecessor (critical
//    edges were split by isel), sequenced with cycle breaking through a scratch register.
#include "codegen/target.h"

#include <algorithm>

namespace lang::codegen {

namespace radetail {

constexpr int32_t kInf = INT32_MAX;

struct Loc { // where a vreg lives after allocation
    uint32_t reg = kNoReg;
    int64_t slot = 0; // frame displacement when reg == kNoReg
    bool spilled = false;
};

// One Alloc serves every function of a module (see RegAllocator in target.h): run()
// resets its state but keeps the capacity of its buffers, so allocating registers for a
// function normally calls malloc only when it is bigger than every function before it.
struct Alloc {
    const Target* tp = nullptr;
    MFunc* fp = nullptr;
    uint32_t nv = 0;
    uint32_t nspilled = 0; // vregs spilled by scan()
    uint32_t ninsts = 0, nphis = 0; // counted by number()
    uint32_t nglobals = 0;          // global vregs: globals[0, nglobals) (walk() fills it)
    std::vector<int32_t> bstart, bend;
    std::vector<int32_t> istart, iend; // interval per vreg index
    std::vector<uint32_t> hint;        // phys reg or vreg (kNoReg: none)
    std::vector<Loc> loc;
    std::vector<std::vector<std::pair<int32_t, int32_t>>> fixed; // per physical register
    uint64_t fixed_used = 0; // registers whose `fixed` list may be non-empty
    uint32_t fixed_ptr[64];
    // The target's register sets as masks, computed once per target (not per function).
    const Target* masks_of = nullptr;
    uint64_t allocatable[2] = {0, 0}; // [class]
    // Scratch buffers of the phases below (members only so that they keep their capacity).
    std::vector<uint32_t> gidx, stamp, globals;
    std::vector<uint32_t> upx, defs, upx_end, defs_end; // walk(): per-block lists, flat
    std::vector<uint64_t> sets; // liveness_dense(): gen, kill, live in, live out
    // liveness_sparse(): per global its gen and kill blocks; flat predecessor lists; per
    // block one word of each set; the blocks touched; a worklist.
    static constexpr uint32_t kPhiGen = 1u << 31; // gen_blocks entry: a phi source's predecessor
    std::vector<uint32_t> gen_at, kill_at, gen_blocks, kill_blocks, fill, pred_at, preds, touched, work;
    std::vector<uint64_t> words;
    std::vector<uint8_t> touched_mark;
    Liveness mode = Liveness::Auto;
    std::vector<uint64_t> keys; // scan(): (start << 32 | vreg index) per interval
    std::vector<uint8_t> copy; // per instruction in layout order: T.is_copy() (walk() fills it)
    std::vector<MInst> out;
    std::vector<std::pair<Operand, Operand>> moves;
    std::vector<RegClass> move_cls;

    static uint32_t vi(uint32_t r) { return r - kFirstVReg; }

    template <class F> [[gnu::always_inline]] static void for_regs(const MInst& in, F&& fn) {
        // fn(reg, read, write) for every register named by an explicit operand
        for (int k = 0; k < in.n; k++) {
            const Operand& o = in.o[k];
            if (o.kind == Operand::Reg) fn(o.reg, (in.rw >> (2 * k)) & 1, (in.rw >> (2 * k)) & 2);
            else if (o.kind == Operand::Mem) {
                if (o.reg != kNoReg) fn(o.reg, true, false);
                if (o.index != kNoReg) fn(o.index, true, false);
            }
        }
    }

    void extend(uint32_t v, int32_t p) {
        uint32_t i = vi(v);
        if (p < istart[i]) istart[i] = p;
        if (p > iend[i]) iend[i] = p;
    }

    void number() {
        MFunc& f = *fp;
        int32_t pos = 0;
        ninsts = nphis = 0;
        bstart.resize(f.blocks.size());
        bend.resize(f.blocks.size());
        for (size_t b = 0; b < f.blocks.size(); b++) {
            bstart[b] = pos;
            ninsts += (uint32_t)f.blocks[b].insts.size();
            nphis += (uint32_t)f.blocks[b].phis.size();
            pos += 2 + 2 * (int32_t)f.blocks[b].insts.size();
            bend[b] = pos;
            pos += 2;
        }
    }

    // One walk over the instructions collects everything that needs no dataflow: the
    // local part of every interval, the fixed ranges of physical registers, the hints,
    // and per block the upward-exposed vregs (`upx`, the dataflow's gen set) and the
    // vregs written there (`defs`, its kill set). (Speed: this used to be three walks.)
    void walk() {
        const Target& T = *tp;
        MFunc& f = *fp;
        size_t nb = f.blocks.size();
        if (fixed.size() != 64) fixed.resize(64);
        for (uint64_t m = fixed_used; m; m &= m - 1) fixed[__builtin_ctzll(m)].clear();
        gidx.assign(nv, UINT32_MAX), stamp.assign(nv, UINT32_MAX);
        upx_end.resize(nb), defs_end.resize(nb);
        // The lists are written through raw pointers into buffers sized for the worst
        // case (every register named by an instruction, every phi): no capacity check
        // per element, and the compiler keeps the pointers in registers. (The buffers
        // only grow, so this is no memset per function either.)
        size_t cap = 6 * (size_t)ninsts + nphis;
        if (upx.size() < cap) upx.resize(cap);
        if (defs.size() < cap) defs.resize(cap);
        if (globals.size() < nv) globals.resize(nv);
        if (copy.size() < ninsts) copy.resize(ninsts);
        uint32_t *gi = gidx.data(), *st = stamp.data(), *gl = globals.data(), *up = upx.data(), *df = defs.data();
        uint32_t *hi = hint.data(), *ue = upx_end.data(), *de = defs_end.data();
        int32_t *is = istart.data(), *ie = iend.data();
        const int32_t *bs = bstart.data(), *be = bend.data();
        uint8_t* cp = copy.data();
        uint32_t nglob = 0, nup = 0, ndef = 0;
        auto ext = [&](uint32_t v, int32_t p) __attribute__((always_inline)) { // v: vreg index
            if (p < is[v]) is[v] = p;
            if (p > ie[v]) ie[v] = p;
        };
        auto mark = [&](uint32_t v) __attribute__((always_inline)) { // v (index) is global: give it a dense number
            if (gi[v] == UINT32_MAX) gi[v] = nglob, gl[nglob++] = v + kFirstVReg;
        };
        // Per physical register, the index of its fixed range still open in this block
        // when its bit in `opened` is set (a mask is cleared per block, not the array).
        int32_t open[64];
        // Only allocatable registers of a class that has vregs get fixed ranges: nothing
        // else is ever tested for a conflict (rsp and rbp, named by every frame access,
        // would only cost time, and so would the xmm registers every call clobbers in a
        // function without float values).
        uint64_t track = 0;
        for (int c = 0; c < 2; c++)
            if (std::find(f.vclass.begin(), f.vclass.end(), (RegClass)c) != f.vclass.end()) track |= allocatable[c];
        uint64_t used = 0; // registers given a fixed range
        for (size_t b = 0; b < nb; b++) {
            uint64_t opened = 0;
            MBlock& bl = f.blocks[b];
            for (const MPhi& p : bl.phis) {
                uint32_t d = vi(p.dst);
                ext(d, bs[b]);
                mark(d);
                if (st[d] != b) st[d] = (uint32_t)b, df[ndef++] = p.dst;
                for (uint32_t k = p.first; k < p.first + p.count; k++) {
                    const PhiArg& a = f.phi_args[k];
                    if (!a.src.is_vreg()) continue;
                    uint32_t sv = vi(a.src.reg);
                    mark(sv);
                    ext(sv, be[a.pred]);
                    if (hi[sv] == kNoReg) hi[sv] = p.dst;
                    if (hi[d] == kNoReg) hi[d] = a.src.reg;
                }
            }
            int32_t pos = bs[b] + 2;
            int32_t b0 = bs[b];
            for (const MInst& in : bl.insts) {
                auto use_fixed = [&](uint32_t r) __attribute__((always_inline)) {
                    if (!((opened >> r) & 1)) {
                        opened |= 1ull << r;
                        open[r] = (int32_t)fixed[r].size();
                        fixed[r].push_back({b0, pos});
                    } else {
                        fixed[r][open[r]].second = pos;
                    }
                };
                auto def_fixed = [&](uint32_t r) __attribute__((always_inline)) {
                    opened |= 1ull << r;
                    open[r] = (int32_t)fixed[r].size();
                    fixed[r].push_back({pos + 1, pos + 1});
                };
                for (uint64_t m = in.imp_use & track; m; m &= m - 1) use_fixed((uint32_t)__builtin_ctzll(m));
                uint32_t phys_def[6]; // physical registers written: their ranges start after every use
                int nphys_def = 0;
                for_regs(in, [&](uint32_t r, bool rd, bool wr) __attribute__((always_inline)) {
                    if (r == kNoReg) return;
                    if (r >= kFirstVReg) {
                        uint32_t v = vi(r);
                        if (rd) {
                            ext(v, pos);
                            if (st[v] != b) mark(v), up[nup++] = r;
                        }
                        if (wr) {
                            ext(v, pos + 1);
                            if (st[v] != b) st[v] = (uint32_t)b, df[ndef++] = r;
                        }
                    } else if ((track >> r) & 1) {
                        if (rd) use_fixed(r);
                        if (wr) phys_def[nphys_def++] = r;
                    }
                });
                for (int k = 0; k < nphys_def; k++) def_fixed(phys_def[k]);
                for (uint64_t m = in.imp_def & track; m; m &= m - 1) def_fixed((uint32_t)__builtin_ctzll(m));
                // (A register-to-register copy names two registers: most instructions
                // are ruled out without the call through the target.)
                bool is_copy = in.n == 2 && in.o[0].kind == Operand::Reg && in.o[1].kind == Operand::Reg && T.is_copy(in);
                *cp++ = is_copy;
                if (is_copy) {
                    uint32_t d = in.o[0].reg, s = in.o[1].reg;
                    if (d >= kFirstVReg && hi[vi(d)] == kNoReg) hi[vi(d)] = s;
                    if (s >= kFirstVReg && hi[vi(s)] == kNoReg) hi[vi(s)] = d;
                }
                pos += 2;
            }
            ue[b] = nup, de[b] = ndef;
            used |= opened;
        }
        fixed_used = used;
        nglobals = nglob;
    }

    // Extends each global vreg's interval over the blocks where it is live in or live
    // out: bit-vector dataflow (dense) when the sets are small, else one vreg at a time
    // (sparse). Both find the same sets, so the same intervals.
    void liveness() {
        size_t nb = fp->blocks.size();
        size_t G = nglobals, W = (G + 63) / 64;
        if (!G) return;
        bool dense = mode == Liveness::Dense ||
                     (mode == Liveness::Auto && (uint64_t)nb * W <= kDenseLivenessWords);
        if (dense) liveness_dense();
        else liveness_sparse();
    }

    // Bit-vector dataflow over the global vregs found by walk(): four sets of G bits per
    // block. Fast for ordinary functions; its memory and time grow with blocks x globals,
    // so big functions take liveness_sparse() instead.
    void liveness_dense() {
        MFunc& f = *fp;
        size_t nb = f.blocks.size();
        size_t G = nglobals, W = (G + 63) / 64;
        // gen, kill, live in, live out: four sets per block, in one buffer.
        sets.assign(4 * nb * W, 0);
        uint64_t *gen = sets.data(), *kill = gen + nb * W, *in = kill + nb * W, *out = in + nb * W;
        const uint32_t *gi = gidx.data(), *up = upx.data(), *df = defs.data();
        const uint32_t *ue = upx_end.data(), *de = defs_end.data();
        auto set = [&](uint64_t* s, size_t b, uint32_t g) __attribute__((always_inline)) {
            s[b * W + g / 64] |= 1ull << (g % 64);
        };
        for (size_t b = 0, u = 0, d = 0; b < nb; b++) {
            for (; u < ue[b]; u++) set(gen, b, gi[vi(up[u])]);
            for (; d < de[b]; d++)
                if (gi[vi(df[d])] != UINT32_MAX) set(kill, b, gi[vi(df[d])]);
        }
        // Phi sources are used at the end of the predecessor.
        for (size_t b = 0; b < nb; b++)
            for (const MPhi& p : f.blocks[b].phis)
                for (uint32_t k = p.first; k < p.first + p.count; k++) {
                    const PhiArg& a = f.phi_args[k];
                    if (a.src.is_vreg()) {
                        uint32_t g = gi[vi(a.src.reg)];
                        if (!((kill[a.pred * W + g / 64] >> (g % 64)) & 1)) set(gen, a.pred, g);
                    }
                }
        // The blocks are visited last to first, so a block's live-in set is read in the
        // same pass by its predecessors before it (they come after it) and stale only for
        // those at or after it (loop latches, self loops). Another pass is needed only when
        // a block with such a predecessor grew: the usual last pass that finds nothing new
        // is skipped, and the sets are the same.
        auto reread_stale = [&](size_t bi) __attribute__((always_inline)) {
            for (uint32_t p : f.blocks[bi].preds)
                if (p >= bi) return true;
            return false;
        };
        bool changed = true;
        if (W == 1) { // (most functions: up to 64 global vregs, one word per set)
            while (changed) {
                changed = false;
                for (size_t bi = nb; bi-- > 0;) {
                    uint64_t x = out[bi];
                    for (uint32_t s : f.blocks[bi].succs) x |= in[s];
                    out[bi] = x;
                    uint64_t v = gen[bi] | (x & ~kill[bi]);
                    if (v != in[bi]) in[bi] = v, changed |= reread_stale(bi);
                }
            }
        }
        while (changed) {
            changed = false;
            for (size_t bi = nb; bi-- > 0;) {
                uint64_t* o = &out[bi * W];
                for (uint32_t s : f.blocks[bi].succs)
                    for (size_t w = 0; w < W; w++) o[w] |= in[s * W + w];
                bool grew = false;
                for (size_t w = 0; w < W; w++) {
                    uint64_t v = gen[bi * W + w] | (o[w] & ~kill[bi * W + w]);
                    if (v != in[bi * W + w]) in[bi * W + w] = v, grew = true;
                }
                if (grew) changed |= reread_stale(bi);
            }
        }
        int32_t *is = istart.data(), *ie = iend.data();
        const uint32_t* gl = globals.data();
        auto ext = [&](uint32_t v, int32_t p) __attribute__((always_inline)) {
            v = vi(v);
            if (p < is[v]) is[v] = p;
            if (p > ie[v]) ie[v] = p;
        };
        // An interval is one [first, last] range, and block positions grow with the
        // block index: only the first block where a vreg is live in and the last where
        // it is live out can move its ends.
        for (size_t w = 0; w < W; w++) {
            uint64_t seen = 0;
            for (size_t b = 0; b < nb && ~seen; b++) {
                uint64_t m = in[b * W + w] & ~seen;
                seen |= m;
                for (; m; m &= m - 1) ext(gl[w * 64 + __builtin_ctzll(m)], bstart[b]);
            }
            seen = 0;
            for (size_t b = nb; b-- > 0 && ~seen;) {
                uint64_t m = out[b * W + w] & ~seen;
                seen |= m;
                for (; m; m &= m - 1) ext(gl[w * 64 + __builtin_ctzll(m)], bend[b]);
            }
        }
    }

    // Liveness 64 global vregs at a time: the dense dataflow restricted to one word of
    // each set and run on a worklist from the blocks where those vregs are used (gen),
    // walking predecessors backwards: a block's live-in bits go to the live-out word of its
    // predecessors, and on to their live-in word unless they define the vreg (kill). Only
    // the blocks reached are touched (and cleared again for the next word), so time grows
    // with the blocks where the vregs are live, and memory with blocks + instructions, not
    // with blocks x vregs. Gives the same sets as liveness_dense(), so the same intervals.
    void liveness_sparse() {
        MFunc& f = *fp;
        uint32_t nb = (uint32_t)f.blocks.size();
        uint32_t G = nglobals;
        const uint32_t *gi = gidx.data(), *up = upx.data(), *df = defs.data();
        const uint32_t *ue = upx_end.data(), *de = defs_end.data();
        // Per global: its gen blocks and its kill blocks, as two flat lists indexed by
        // global (a counting sort of the per-block lists walk() made).
        gen_at.assign(G + 1, 0), kill_at.assign(G + 1, 0);
        uint32_t nup = nb ? ue[nb - 1] : 0, ndef = nb ? de[nb - 1] : 0;
        for (uint32_t u = 0; u < nup; u++) gen_at[gi[vi(up[u])] + 1]++;
        for (uint32_t d = 0; d < ndef; d++)
            if (gi[vi(df[d])] != UINT32_MAX) kill_at[gi[vi(df[d])] + 1]++;
        for (const PhiArg& a : f.phi_args)
            if (a.src.is_vreg()) gen_at[gi[vi(a.src.reg)] + 1]++;
        for (uint32_t g = 0; g < G; g++) gen_at[g + 1] += gen_at[g], kill_at[g + 1] += kill_at[g];
        gen_blocks.resize(gen_at[G]), kill_blocks.resize(kill_at[G]);
        fill.assign(gen_at.begin(), gen_at.end() - 1);
        for (uint32_t b = 0, u = 0; b < nb; b++)
            for (; u < ue[b]; u++) gen_blocks[fill[gi[vi(up[u])]]++] = b;
        // Phi sources are used at the end of the predecessor: a gen there unless the
        // predecessor defines them (checked once the word's kills are marked).
        for (uint32_t b = 0; b < nb; b++)
            for (const MPhi& p : f.blocks[b].phis)
                for (uint32_t k = p.first; k < p.first + p.count; k++) {
                    const PhiArg& a = f.phi_args[k];
                    if (a.src.is_vreg()) gen_blocks[fill[gi[vi(a.src.reg)]]++] = a.pred | kPhiGen;
                }
        fill.assign(kill_at.begin(), kill_at.end() - 1);
        for (uint32_t b = 0, d = 0; b < nb; b++)
            for (; d < de[b]; d++)
                if (gi[vi(df[d])] != UINT32_MAX) kill_blocks[fill[gi[vi(df[d])]]++] = b;
        // Predecessors as one flat list (better locality than the blocks' vectors).
        pred_at.resize(nb + 1);
        preds.clear();
        for (uint32_t b = 0; b < nb; b++) {
            pred_at[b] = (uint32_t)preds.size();
            preds.insert(preds.end(), f.blocks[b].preds.begin(), f.blocks[b].preds.end());
        }
        pred_at[nb] = (uint32_t)preds.size();
        // One word per block of gen, kill, live in, live out; `touched` lists the blocks
        // whose words are not zero (cleared after each word of globals).
        words.assign(4 * (size_t)nb, 0);
        uint64_t *gen = words.data(), *kill = gen + nb, *in = kill + nb, *out = in + nb;
        touched_mark.assign(nb, 0);
        uint8_t* tm = touched_mark.data();
        touched.clear(), work.clear();
        auto touch = [&](uint32_t b) __attribute__((always_inline)) {
            if (!tm[b]) tm[b] = 1, touched.push_back(b);
        };
        const uint32_t *pa = pred_at.data(), *pr = preds.data(), *gl = globals.data();
        int32_t *is = istart.data(), *ie = iend.data();
        auto ext = [&](uint32_t v, int32_t p) __attribute__((always_inline)) { // v: vreg index
            if (p < is[v]) is[v] = p;
            if (p > ie[v]) ie[v] = p;
        };
        for (uint32_t g0 = 0; g0 < G; g0 += 64) {
            uint32_t g1 = std::min(G, g0 + 64);
            for (uint32_t g = g0; g < g1; g++)
                for (uint32_t k = kill_at[g]; k < kill_at[g + 1]; k++)
                    kill[kill_blocks[k]] |= 1ull << (g - g0), touch(kill_blocks[k]);
            for (uint32_t g = g0; g < g1; g++)
                for (uint32_t k = gen_at[g]; k < gen_at[g + 1]; k++) {
                    uint32_t b = gen_blocks[k] & ~kPhiGen;
                    uint64_t bit = 1ull << (g - g0);
                    if ((gen_blocks[k] & kPhiGen) && (kill[b] & bit)) continue;
                    if (!(gen[b] & bit)) gen[b] |= bit, touch(b), work.push_back(b);
                }
            while (!work.empty()) {
                uint32_t b = work.back();
                work.pop_back();
                uint64_t add = (gen[b] | (out[b] & ~kill[b])) & ~in[b];
                if (!add) continue;
                in[b] |= add;
                for (uint32_t k = pa[b]; k < pa[b + 1]; k++) {
                    uint32_t p = pr[k];
                    uint64_t o = add & ~out[p];
                    if (!o) continue;
                    out[p] |= o;
                    touch(p);
                    if (o & ~kill[p] & ~in[p]) work.push_back(p);
                }
            }
            // As in liveness_dense(): the first block where each global is live in and
            // the last where it is live out set its interval's ends.
            // The blocks are visited in order: the touched ones sorted, or, when they are
            // many, every block (untouched ones have empty words), which is cheaper.
            size_t nt = touched.size();
            bool scan_all = nt >= nb / 16;
            if (!scan_all) std::sort(touched.begin(), touched.end());
            auto block_at = [&](size_t k) -> uint32_t { return scan_all ? (uint32_t)k : touched[k]; };
            size_t nvisit = scan_all ? nb : nt;
            uint64_t all = g1 - g0 == 64 ? ~0ull : (1ull << (g1 - g0)) - 1, seen = 0;
            for (size_t k = 0; k < nvisit && seen != all; k++) {
                uint32_t b = block_at(k);
                uint64_t m = in[b] & ~seen;
                seen |= m;
                for (; m; m &= m - 1) ext(vi(gl[g0 + __builtin_ctzll(m)]), bstart[b]);
            }
            seen = 0;
            for (size_t k = nvisit; k-- > 0 && seen != all;) {
                uint32_t b = block_at(k);
                uint64_t m = out[b] & ~seen;
                seen |= m;
                for (; m; m &= m - 1) ext(vi(gl[g0 + __builtin_ctzll(m)]), bend[b]);
            }
            for (uint32_t b : touched) gen[b] = kill[b] = in[b] = out[b] = 0, tm[b] = 0;
            touched.clear();
        }
    }

    bool conflicts(uint32_t r, int32_t s, int32_t e) {
        auto& rs = fixed[r];
        uint32_t& p = fixed_ptr[r];
        while (p < rs.size() && rs[p].second < s) p++;
        for (uint32_t q = p; q < rs.size() && rs[q].first <= e; q++)
            if (rs[q].second >= s) return true;
        return false;
    }

    void spill(uint32_t v) {
        MFunc& f = *fp;
        loc[v].spilled = true;
        loc[v].reg = kNoReg;
        loc[v].slot = -(int64_t)f.alloc_frame(8, 8);
        nspilled++;
    }

    void scan() {
        const Target& T = *tp;
        MFunc& f = *fp;
        // Intervals in order of (start, vreg): one 64-bit key each. Vregs are mostly
        // numbered in order of definition, so the keys come nearly sorted and an
        // insertion sort is close to linear; past a bound on the moves, std::sort.
        // (The keys are distinct, so both give the same order.)
        keys.resize(nv);
        size_t nk = 0, moves = 0, bound = 4 * (size_t)nv + 64;
        for (uint32_t i = 0; i < nv; i++) {
            if (iend[i] < 0) continue;
            uint64_t key = (uint64_t)(uint32_t)istart[i] << 32 | i;
            size_t j = nk++;
            if (moves < bound)
                for (; j > 0 && keys[j - 1] > key; j--) keys[j] = keys[j - 1], moves++;
            keys[j] = key;
        }
        if (moves >= bound) std::sort(keys.begin(), keys.begin() + (ptrdiff_t)nk);
        std::fill(std::begin(fixed_ptr), std::end(fixed_ptr), 0);
        // Active intervals per class in fixed arrays (at most one per register), with a
        // lower bound on their ends: the expiry loop runs only when one may have ended.
        uint32_t act_buf[2][64];
        uint32_t nact[2] = {0, 0};
        int32_t amin[2] = {kInf, kInf};
        uint32_t owner[64];
        for (auto& o : owner) o = UINT32_MAX;
        const int32_t *is = istart.data(), *ie = iend.data();
        const uint32_t* hi = hint.data();
        const RegClass* vc = f.vclass.data();
        Loc* lc = loc.data();
        for (size_t kk = 0; kk < nk; kk++) {
            uint32_t v = (uint32_t)keys[kk];
            int c = (int)vc[v];
            int32_t s = is[v], e = ie[v];
            uint32_t* act = act_buf[c];
            uint32_t& na = nact[c];
            if (s > amin[c]) {
                int32_t m = kInf;
                for (uint32_t k = 0; k < na;) {
                    int32_t ae = ie[act[k]];
                    if (ae < s) {
                        owner[lc[act[k]].reg] = UINT32_MAX;
                        act[k] = act[--na];
                    } else {
                        if (ae < m) m = ae;
                        k++;
                    }
                }
                amin[c] = m;
            }
            const std::vector<uint32_t>& regs = c ? T.float_order : T.int_order;
            uint32_t pick = kNoReg;
            uint32_t h = hi[v];
            if (h != kNoReg && h >= kFirstVReg) h = lc[vi(h)].spilled ? kNoReg : lc[vi(h)].reg;
            if (h != kNoReg && ((allocatable[c] >> h) & 1) && owner[h] == UINT32_MAX &&
                !conflicts(h, s, e))
                pick = h;
            for (size_t k = 0; pick == kNoReg && k < regs.size(); k++)
                if (owner[regs[k]] == UINT32_MAX && !conflicts(regs[k], s, e)) pick = regs[k];
            if (pick == kNoReg) { // spill whichever ends last: an active interval or v
                uint32_t victim = UINT32_MAX, vk = 0;
                for (uint32_t k = 0; k < na; k++) {
                    uint32_t a = act[k];
                    if (ie[a] > e && !conflicts(lc[a].reg, s, e) && (victim == UINT32_MAX || ie[a] > ie[victim]))
                        victim = a, vk = k;
                }
                if (victim == UINT32_MAX) {
                    spill(v);
                    continue;
                }
                pick = lc[victim].reg;
                spill(victim);
                for (uint32_t k = vk; k + 1 < na; k++) act[k] = act[k + 1];
                na--;
            }
            lc[v].reg = pick;
            owner[pick] = v;
            act[na++] = v;
            if (e < amin[c]) amin[c] = e;
            if ((T.callee_saved >> pick) & 1) f.used_callee |= 1ull << pick;
        }
    }

    // --- rewrite ---

    Operand where(uint32_t v, uint8_t size) const {
        const Target& T = *tp;
        const Loc& l = loc[vi(v)];
        if (!l.spilled && l.reg != kNoReg) return Operand::r(l.reg, size);
        Operand m = Operand::m(T.frame_reg, l.slot, 8);
        m.frame = true;
        return m;
    }

    void emit_move(std::vector<MInst>& out, const Operand& d, const Operand& s, RegClass c, uint32_t line) {
        const Target& T = *tp;
        if (d.kind == Operand::Mem && s.kind == Operand::Mem) {
            Operand t = Operand::r(T.spill_scratch[(int)c][1], 8);
            out.push_back(T.move(t, s, c));
            out.back().line = line;
            out.push_back(T.move(d, t, c));
        } else {
            out.push_back(T.move(d, s, c));
        }
        out.back().line = line;
    }

    static bool same(const Operand& a, const Operand& b) {
        if (a.kind != b.kind) return false;
        if (a.kind == Operand::Reg) return a.reg == b.reg;
        if (a.kind == Operand::Mem) return a.imm == b.imm && a.reg == b.reg && a.frame == b.frame;
        return false;
    }

    // Sequences the parallel copy dst[k] <- src[k].
    void parallel(std::vector<MInst>& out, std::vector<std::pair<Operand, Operand>>& mv, std::vector<RegClass>& cl,
                  uint32_t line) {
        const Target& T = *tp;
        if (mv.size() == 1) { // (most phi copies: nothing to sequence)
            if (!same(mv[0].first, mv[0].second)) emit_move(out, mv[0].first, mv[0].second, cl[0], line);
            mv.clear(), cl.clear();
            return;
        }
        if (mv.size() <= 64) { // the same sequence as below, with the pending moves as a bit mask
            size_t n = mv.size();
            uint64_t alive = 0;
            for (size_t k = 0; k < n; k++)
                if (!same(mv[k].first, mv[k].second)) alive |= 1ull << k;
            while (alive) {
                bool progress = false;
                for (uint64_t m = alive; m; m &= m - 1) {
                    size_t k = (size_t)__builtin_ctzll(m);
                    bool blocked = false;
                    for (uint64_t o = alive & ~(1ull << k); o && !blocked; o &= o - 1)
                        if (same(mv[(size_t)__builtin_ctzll(o)].second, mv[k].first)) blocked = true;
                    if (blocked) continue;
                    emit_move(out, mv[k].first, mv[k].second, cl[k], line);
                    alive &= ~(1ull << k);
                    progress = true;
                    break;
                }
                if (progress) continue;
                size_t k0 = (size_t)__builtin_ctzll(alive);
                Operand d = mv[k0].first;
                Operand t = Operand::r(T.spill_scratch[(int)cl[k0]][0], 8);
                emit_move(out, t, d, cl[k0], line);
                for (uint64_t o = alive; o; o &= o - 1)
                    if (same(mv[(size_t)__builtin_ctzll(o)].second, d)) mv[(size_t)__builtin_ctzll(o)].second = t;
            }
            mv.clear(), cl.clear();
            return;
        }
        for (size_t k = 0; k < mv.size();)
            if (same(mv[k].first, mv[k].second)) mv.erase(mv.begin() + k), cl.erase(cl.begin() + k);
            else k++;
        while (!mv.empty()) {
            bool progress = false;
            for (size_t k = 0; k < mv.size(); k++) {
                bool blocked = false;
                for (size_t j = 0; j < mv.size() && !blocked; j++)
                    if (j != k && same(mv[j].second, mv[k].first)) blocked = true;
                if (blocked) continue;
                emit_move(out, mv[k].first, mv[k].second, cl[k], line);
                mv.erase(mv.begin() + k);
                cl.erase(cl.begin() + k);
                progress = true;
                break;
            }
            if (progress) continue;
            // Only cycles remain: park one destination's old value in the scratch register.
            Operand d = mv[0].first;
            Operand t = Operand::r(T.spill_scratch[(int)cl[0]][0], 8);
            emit_move(out, t, d, cl[0], line);
            for (auto& m : mv)
                if (same(m.second, d)) m.second = t;
        }
    }

    void rewrite() {
        const Target& T = *tp;
        MFunc& f = *fp;
        grouped = false;
        const uint8_t* is_copy = copy.data();
        for (size_t b = 0; b < f.blocks.size(); b++) {
            MBlock& bl = f.blocks[b];
            if (!nspilled) {
                size_t n = bl.insts.size();
                rewrite_in_place(bl, is_copy);
                is_copy += n;
                phi_copies(b, bl.insts);
                continue;
            }
            // The rewritten block is built in `out`, which then trades buffers with
            // bl.insts: the old instruction buffer becomes `out` for the next block.
            // (`in` is a reference: bl.insts is discarded afterwards, so it may be edited.)
            out.clear();
            out.reserve(bl.insts.size() + 4);
            for (MInst& in : bl.insts) {
                uint32_t sv[6], sr[6];
                int ns = 0;
                int used[2] = {0, 0};
                auto scratch_for = [&](uint32_t v, bool read) -> uint32_t {
                    for (int k = 0; k < ns; k++)
                        if (sv[k] == v) return sr[k];
                    int c = (int)f.vclass[vi(v)];
                    uint32_t r = read ? T.spill_scratch[c][used[c]++ & 1] : T.spill_scratch[c][0];
                    sv[ns] = v, sr[ns] = r, ns++;
                    return r;
                };
                // (A register-to-register copy names two registers: most instructions
                // are ruled out without the call through the target.)
                bool is_copy = in.n == 2 && in.o[0].kind == Operand::Reg && in.o[1].kind == Operand::Reg && T.is_copy(in);
                // Spilled copies become a single load or store.
                if (is_copy && in.o[0].is_vreg() && in.o[1].kind == Operand::Reg && loc[vi(in.o[0].reg)].spilled &&
                    !(in.o[1].is_vreg() && loc[vi(in.o[1].reg)].spilled)) {
                    Operand s = in.o[1].is_vreg() ? where(in.o[1].reg, 8) : in.o[1];
                    emit_move(out, where(in.o[0].reg, 8), s, f.vclass[vi(in.o[0].reg)], in.line);
                    continue;
                }
                if (is_copy && in.o[1].is_vreg() && loc[vi(in.o[1].reg)].spilled && in.o[0].kind == Operand::Reg &&
                    !(in.o[0].is_vreg() && loc[vi(in.o[0].reg)].spilled)) {
                    Operand d = in.o[0].is_vreg() ? where(in.o[0].reg, 8) : in.o[0];
                    emit_move(out, d, where(in.o[1].reg, 8), f.vclass[vi(in.o[1].reg)], in.line);
                    continue;
                }
                // Reads first, so that reloads get distinct scratch registers. At most 6
                // registers are named (3 operands, a memory operand names 2), so fixed arrays.
                std::pair<uint32_t, uint32_t> reload[6], store[6];
                int nreload = 0, nstore = 0;
                for (int pass = 0; pass < 2; pass++)
                    for (int k = 0; k < in.n; k++) {
                        Operand& o = in.o[k];
                        bool rd = (in.rw >> (2 * k)) & 1, wr = (in.rw >> (2 * k)) & 2;
                        auto map = [&](uint32_t& r, bool isread, bool iswrite) {
                            if (r == kNoReg || r < kFirstVReg) return;
                            const Loc& l = loc[vi(r)];
                            if (!l.spilled) {
                                r = l.reg;
                                return;
                            }
                            if (pass == 0 && !isread) return;
                            uint32_t v = r;
                            uint32_t s = scratch_for(v, isread);
                            if (isread && std::find(reload, reload + nreload, std::make_pair(s, v)) == reload + nreload)
                                reload[nreload++] = {s, v};
                            if (iswrite) store[nstore++] = {s, v};
                            r = s;
                        };
                        if (o.kind == Operand::Reg) {
                            if (pass == 0 && !rd) continue;
                            if (pass == 1 && o.reg >= kFirstVReg && o.reg != kNoReg && !rd && !wr) {
                                map(o.reg, false, false);
                                continue;
                            }
                            map(o.reg, rd, wr);
                        } else if (o.kind == Operand::Mem && pass == 0) {
                            map(o.reg, true, false);
                            map(o.index, true, false);
                        }
                    }
                for (int k = 0; k < nreload; k++)
                    emit_move(out, Operand::r(reload[k].first, 8), where(reload[k].second, 8),
                              f.vclass[vi(reload[k].second)], in.line);
                if (!(is_copy && in.o[0].reg == in.o[1].reg)) out.push_back(in);
                for (int k = 0; k < nstore; k++)
                    emit_move(out, where(store[k].second, 8), Operand::r(store[k].first, 8),
                              f.vclass[vi(store[k].second)], in.line);
            }
            phi_copies(b, out);
            std::swap(bl.insts, out);
        }
        for (MBlock& bl : f.blocks) bl.phis.clear();
    }

    // The rewrite when nothing was spilled (most functions): every vreg just becomes its
    // register, and only copies that became `mov r, r` go away, so the block is edited in
    // place, without copying the instructions into a second buffer.
    [[gnu::always_inline]] void rewrite_in_place(MBlock& bl, const uint8_t* is_copy) { // one caller
        const Loc* lc = loc.data();
        auto map = [&](uint32_t& r) __attribute__((always_inline)) {
            if (r != kNoReg && r >= kFirstVReg) r = lc[vi(r)].reg;
        };
        MInst* insts = bl.insts.data();
        size_t w = 0, n = bl.insts.size();
        for (size_t i = 0; i < n; i++) {
            MInst& in = insts[i];
            for (int k = 0; k < in.n; k++) {
                Operand& o = in.o[k];
                if (o.kind == Operand::Reg) map(o.reg);
                else if (o.kind == Operand::Mem) map(o.reg), map(o.index);
            }
            if (is_copy[i] && in.o[0].reg == in.o[1].reg) continue;
            if (w != i) insts[w] = in;
            w++;
        }
        bl.insts.resize(w);
    }

    // Phi copies for block b's (single) successor, appended to `out`.
    [[gnu::always_inline]] void phi_copies(size_t b, std::vector<MInst>& out) {
        MFunc& f = *fp;
        MBlock& bl = f.blocks[b];
        if (bl.succs.size() != 1 || f.blocks[bl.succs[0]].phis.empty()) return;
        phi_copies_to(b, f.blocks[bl.succs[0]], out);
    }

    // The phis' arguments grouped by predecessor block, in the order phi_copies_to() scans
    // them (block, phi, argument): arg_group[group_at[b], group_at[b + 1]) are b's, as
    // (phi destination, index in phi_args). Built once per function, and only when a
    // block with phis has many predecessors: scanning every argument of its phis for each
    // predecessor would take predecessors x arguments (a 50,000-arm match joins in one
    // block).
    static constexpr size_t kScanPreds = 16;
    std::vector<uint32_t> group_at;
    std::vector<std::pair<uint32_t, uint32_t>> arg_group;
    bool grouped = false;

    void group_phi_args() {
        MFunc& f = *fp;
        size_t nb = f.blocks.size();
        group_at.assign(nb + 1, 0);
        for (const PhiArg& a : f.phi_args) group_at[a.pred + 1]++;
        for (size_t b = 0; b < nb; b++) group_at[b + 1] += group_at[b];
        arg_group.resize(f.phi_args.size());
        fill.assign(group_at.begin(), group_at.end() - 1);
        for (const MBlock& bl : f.blocks)
            for (const MPhi& p : bl.phis)
                for (uint32_t k = p.first; k < p.first + p.count; k++)
                    arg_group[fill[f.phi_args[k].pred]++] = {p.dst, k};
        grouped = true;
    }

    [[gnu::noinline]] void phi_copies_to(size_t b, const MBlock& sb, std::vector<MInst>& out) {
        MFunc& f = *fp;
        std::vector<std::pair<Operand, Operand>>& mv = moves;
        std::vector<RegClass>& cl = move_cls;
        // The first move stays in locals: a single move (the usual case) needs no
        // sequencing and never touches the vectors.
        uint32_t n = 0;
        Operand d0, s0;
        RegClass c0 = RegClass::Int;
        auto add = [&](uint32_t dst, const PhiArg& a) __attribute__((always_inline)) {
            if (iend[vi(dst)] < 0) return;
            Operand s = a.src.is_vreg() ? where(a.src.reg, 8) : a.src;
            RegClass c = f.vclass[vi(dst)];
            if (n == 0) {
                d0 = where(dst, 8), s0 = s, c0 = c;
            } else {
                if (n == 1) mv.clear(), cl.clear(), mv.push_back({d0, s0}), cl.push_back(c0);
                mv.push_back({where(dst, 8), s});
                cl.push_back(c);
            }
            n++;
        };
        if (sb.preds.size() > kScanPreds) {
            // (b has one successor, sb: every argument for b belongs to one of sb's phis.)
            if (!grouped) group_phi_args();
            for (uint32_t j = group_at[b]; j < group_at[b + 1]; j++)
                add(arg_group[j].first, f.phi_args[arg_group[j].second]);
        } else {
            for (const MPhi& p : sb.phis)
                for (uint32_t k = p.first; k < p.first + p.count; k++)
                    if (f.phi_args[k].pred == b) add(p.dst, f.phi_args[k]);
        }
        if (!n) return;
        uint32_t line = out.empty() ? 0 : out.back().line;
        if (n == 1) {
            if (!same(d0, s0)) emit_move(out, d0, s0, c0, line);
            return;
        }
        parallel(out, mv, cl, line);
    }

    void run(const Target& t, MFunc& fn) {
        tp = &t, fp = &fn;
        if (masks_of != &t) {
            masks_of = &t;
            allocatable[0] = allocatable[1] = 0;
            for (uint32_t r : t.int_order) allocatable[0] |= 1ull << r;
            for (uint32_t r : t.float_order) allocatable[1] |= 1ull << r;
        }
        MFunc& f = fn;
        nv = (uint32_t)f.vclass.size();
        istart.assign(nv, kInf);
        iend.assign(nv, -1);
        hint.assign(nv, kNoReg);
        loc.assign(nv, Loc());
        nspilled = 0;
        number();
        walk();
        liveness();
        scan();
        rewrite();
    }
};

} // namespace radetail

void regalloc(const Target& t, MFunc& f) {
    RegAllocator a;
    a.run(t, f);
}

RegAllocator::RegAllocator() : a_(new radetail::Alloc) {}
RegAllocator::~RegAllocator() { delete a_; }
void RegAllocator::run(const Target& t, MFunc& f) { a_->run(t, f); }
void RegAllocator::set_liveness(Liveness mode) { a_->mode = mode; }

} // namespace lang::codegen
