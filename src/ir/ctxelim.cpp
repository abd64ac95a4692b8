// ctxelim.cpp: the drop_unused_context pass (module level, -O1).
//
// Every Lang function takes the implicit context pointer as parameter 0 (Func::has_ctx)
// and every direct call passes it as argument 0. A function that never needs it, such as
// naive fib, still spends a callee-saved register and moves on it per call. This pass
// removes parameter 0 from each such function and argument 0 from every call of it.
//
// Candidates: has_ctx functions (params[0] is ptr, not lang_main) whose symbol appears
// only as the callee of direct calls/tailcalls with at least one argument: never in an
// `addr`, never in a data item (vtables, type info, spawn thunks' targets go through
// direct calls, their thunks through `addr`). Such a function can only be entered from
// those call sites, all of which we rewrite.
//
// Needs-ctx is computed optimistically: a candidate needs its context when the param-0
// value is used other than as argument 0 of a direct call to a candidate; then, through
// the reverse edges "f passes its context to g", every caller of a needing candidate
// needs it too (a worklist, so each edge is visited once). Everything else loses it:
// params[0] goes, the remaining `param` instructions are renumbered, the param-0
// instruction is deleted (its only uses were argument 0 of calls to candidates that also
// lose it), and argument 0 goes at every call site.
//
// Linear in the module size: one sweep to find candidates and call sites, one sweep over
// the candidates' instructions for uses of param 0, the worklist, one rewrite.
#include "ir/ir.h"
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lang::ir {

namespace {

bool is_direct_call(const Inst* i) { return i->op == Op::call || i->op == Op::tailcall; }
bool is_ctx_param(const Inst* i) { return i->op == Op::param && i->imm == 0; }

template <class T> void erase_at(ArenaVec<T>& v, uint32_t k) {
    for (uint32_t j = k + 1; j < v.size; j++) v.data[j - 1] = v.data[j];
    v.size--;
}

} // namespace

void drop_unused_context(Module& m) {
    const uint32_t n = m.funcs.size;
    std::unordered_map<std::string_view, uint32_t> index;
    index.reserve(n);
    for (uint32_t k = 0; k < n; k++) index.emplace(m.funcs[k]->name, k);
    auto lookup = [&](const char* sym) -> int64_t {
        if (!sym) return -1;
        auto it = index.find(sym);
        return it == index.end() ? -1 : (int64_t)it->second;
    };

    std::vector<uint8_t> cand(n, 0);
    for (uint32_t k = 0; k < n; k++) {
        const Func* f = m.funcs[k];
        cand[k] = f->has_ctx && f->params.size && f->params[0] == Ty::Ptr && f->blocks.size &&
                  strcmp(f->name, "lang_main") != 0;
    }

    // 1. Symbol references: addresses disqualify; direct call sites are remembered.
    struct Site {
        Inst* call;
        uint32_t callee;
    };
    std::vector<Site> sites;
    for (const Global* g : m.globals)
        for (const DataItem& d : g->items)
            if (d.kind == DataItem::SymAddr)
                if (int64_t k = lookup(d.sym); k >= 0) cand[k] = 0;
    for (Func* f : m.funcs)
        for (Block* b : f->blocks)
            for (Inst* i : b->insts) {
                if (i->op == Op::addr) {
                    if (int64_t k = lookup(i->sym); k >= 0) cand[k] = 0;
                } else if (is_direct_call(i)) {
                    int64_t k = lookup(i->sym);
                    if (k < 0) continue;
                    if (!i->args.size) cand[k] = 0; // malformed for a has_ctx callee: leave it alone
                    else sites.push_back({i, (uint32_t)k});
                }
            }

    // 2. Direct needs, and the edges caller -> callee of context passing (stored reversed).
    std::vector<uint8_t> needs(n, 0);
    std::vector<std::pair<uint32_t, uint32_t>> edges; // (callee, caller)
    for (uint32_t k = 0; k < n; k++) {
        if (!cand[k]) continue;
        Func* f = m.funcs[k];
        bool has_param0 = false;
        for (const Inst* i : f->blocks[0]->insts) has_param0 |= is_ctx_param(i);
        if (!has_param0) continue; // unused context
        for (Block* b : f->blocks) {
            for (Inst* i : b->insts) {
                for (uint32_t a = 0; a < i->args.size; a++) {
                    if (!is_ctx_param(i->args[a])) continue;
                    int64_t g = a == 0 && is_direct_call(i) ? lookup(i->sym) : -1;
                    if (g >= 0 && cand[g]) edges.push_back({(uint32_t)g, k});
                    else needs[k] = 1;
                }
            }
        }
    }

    // 3. Propagate to callers: passing the context to a function that needs it needs it.
    std::vector<uint32_t> start(n + 1, 0), callers(edges.size());
    for (auto& e : edges) start[e.first + 1]++;
    for (uint32_t k = 0; k < n; k++) start[k + 1] += start[k];
    {
        std::vector<uint32_t> fill(start.begin(), start.end() - 1);
        for (auto& e : edges) callers[fill[e.first]++] = e.second;
    }
    std::vector<uint32_t> work;
    for (uint32_t k = 0; k < n; k++)
        if (cand[k] && needs[k]) work.push_back(k);
    while (!work.empty()) {
        uint32_t g = work.back();
        work.pop_back();
        for (uint32_t e = start[g]; e < start[g + 1]; e++) {
            uint32_t c = callers[e];
            if (!needs[c]) {
                needs[c] = 1;
                work.push_back(c);
            }
        }
    }

    // 4. Rewrite the functions that lose their context, then their call sites.
    std::vector<uint8_t> drop(n, 0);
    for (uint32_t k = 0; k < n; k++) {
        if (!cand[k] || needs[k]) continue;
        drop[k] = 1;
        Func* f = m.funcs[k];
        erase_at(f->params, 0);
        f->has_ctx = false;
        Block* entry = f->blocks[0];
        uint32_t w = 0;
        for (Inst* i : entry->insts) {
            if (i->op == Op::param) {
                if (i->imm == 0) {
                    i->dead = true;
                    continue;
                }
                i->imm--;
            }
            entry->insts[w++] = i;
        }
        entry->insts.size = w;
    }
    for (const Site& s : sites)
        if (drop[s.callee]) erase_at(s.call->args, 0);
}

} // namespace lang::ir
