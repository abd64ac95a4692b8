// verify.cpp: structural checks on a function (the IR's invariants, doc/ir.md §Rules).
//
// Checked, in this order, stopping at the first problem:
//   1. shape: every block ends with exactly one terminator and has none earlier; every
//      Inst's `block` is its block; value ids are unique; operand counts match ops.def;
//      branch targets and phi blocks belong to the function;
//   2. types of every instruction (table in doc/ir.md);
//   3. phis sit at the start of their block with exactly one entry per distinct
//      predecessor; `param` only in the entry block;
//   4. SSA: every operand is defined in this function and its definition dominates the use
//      (for a phi operand: dominates the end of the incoming block). Dominators come from
//      the Cooper-Harvey-Kennedy iterative algorithm over reverse postorder. Uses inside
//      unreachable blocks are not checked for dominance (dce removes those blocks).
// Predecessors are recomputed here; Block::preds is not trusted. Messages name the
// function, block and value: "func $f: @2: %7: ...".
#include "ir/ir.h"
#include <cstdarg>
#include <cstdio>
#include <vector>

namespace lang::ir {

namespace {


// ptr and i64 are interchangeable as operands (address arithmetic mixes them).
bool compat(Ty a, Ty b) {
    if (a == b) return true;
    return (a == Ty::Ptr && b == Ty::I64) || (a == Ty::I64 && b == Ty::Ptr);
}
uint32_t bits(Ty t) { return ty_size(t) * 8; }

struct Verifier {
    const Func& f;
    std::string* err;
    bool ok = true;
    std::vector<const Block*> blk_by_id;       // block id -> block (null if not in f)
    std::vector<const Inst*> def_by_id;        // value id -> defining inst in f
    std::vector<uint32_t> pos;                 // value id -> index in its block
    std::vector<std::vector<const Block*>> preds; // by block id, distinct
    std::vector<int> rpo_num;                  // by block id, -1 = unreachable
    std::vector<const Block*> rpo;
    std::vector<int> idom;                     // by rpo index

    Verifier(const Func& fn, std::string* e) : f(fn), err(e) {}

    bool fail(const Block* b, const Inst* in, const char* fmt, ...) __attribute__((format(printf, 4, 5))) {
        if (!ok) return false;
        ok = false;
        if (!err) return false;
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        std::string s = "func $";
        s += f.name ? f.name : "?";
        if (b) s += ": @" + std::to_string(b->id);
        if (in) {
            if (!(info(in->op).flags & F_NOVAL) && in->ty != Ty::Void)
                s += ": %" + std::to_string(in->id) + " (" + info(in->op).name + ")";
            else
                s += std::string(": ") + info(in->op).name;
        }
        s += ": ";
        s += msg;
        *err = s;
        return false;
    }

    bool in_func(const Block* b) const { return b && b->id < blk_by_id.size() && blk_by_id[b->id] == b; }

    bool shape() {
        if (!f.blocks.size) return fail(nullptr, nullptr, "has no blocks");
        uint32_t max_blk = 0, max_val = 0;
        for (const Block* b : f.blocks) {
            if (!b) return fail(nullptr, nullptr, "null block");
            if (b->id >= (1u << 24)) return fail(b, nullptr, "block id too large");
            max_blk = std::max(max_blk, b->id + 1);
            for (const Inst* in : b->insts) {
                if (!in) return fail(b, nullptr, "null instruction");
                if (in->id >= (1u << 26)) return fail(b, in, "value id too large");
                max_val = std::max(max_val, in->id + 1);
            }
        }
        blk_by_id.assign(max_blk, nullptr);
        for (const Block* b : f.blocks) {
            if (blk_by_id[b->id]) return fail(b, nullptr, "block id @%u is used twice", b->id);
            blk_by_id[b->id] = b;
        }
        def_by_id.assign(max_val, nullptr);
        pos.assign(max_val, 0);
        for (const Block* b : f.blocks) {
            if (!b->insts.size) return fail(b, nullptr, "empty block (needs a terminator)");
            for (uint32_t k = 0; k < b->insts.size; k++) {
                const Inst* in = b->insts[k];
                if ((int)in->op >= (int)Op::Count) return fail(b, nullptr, "bad opcode");
                const OpInfo& oi = info(in->op);
                if (in->block != b) return fail(b, in, "instruction's block pointer is not its block");
                if (in->dead) return fail(b, in, "instruction marked dead is still in its block");
                if (def_by_id[in->id]) return fail(b, in, "value id %%%u is used twice", in->id);
                def_by_id[in->id] = in;
                pos[in->id] = k;
                bool last = k + 1 == b->insts.size;
                if ((oi.flags & F_TERM) && !last) return fail(b, in, "terminator in the middle of the block");
                if (!(oi.flags & F_TERM) && last) return fail(b, in, "block does not end with a terminator");
                if (oi.nargs >= 0 && in->args.size != (uint32_t)oi.nargs)
                    return fail(b, in, "expects %d operands, has %u", oi.nargs, in->args.size);
                for (const Inst* a : in->args)
                    if (!a) return fail(b, in, "null operand");
                if (in->op == Op::ret && in->args.size > 1) return fail(b, in, "ret takes at most one operand");
                if (in->op == Op::callind && in->args.size < 1) return fail(b, in, "callind needs a target operand");
                if (in->op == Op::phi && in->phi_blocks.size != in->args.size)
                    return fail(b, in, "phi has %u blocks but %u values", in->phi_blocks.size, in->args.size);
                int ntarg = in->op == Op::jmp ? 1 : in->op == Op::br ? 2 : 0;
                for (int t = 0; t < 2 && in->op != Op::phi; t++) { // a phi's `target` is its phi_blocks
                    if (t < ntarg && !in_func(in->target[t]))
                        return fail(b, in, "branch target is not a block of this function");
                    if (t >= ntarg && in->target[t]) return fail(b, in, "unexpected branch target");
                }
                if ((in->op == Op::call || in->op == Op::tailcall || in->op == Op::addr) && !in->sym)
                    return fail(b, in, "missing symbol");
            }
        }
        return true;
    }

    bool need(bool cond, const Block* b, const Inst* in, const char* what) {
        if (!cond) return fail(b, in, "%s", what);
        return true;
    }

    bool types(const Block* b, const Inst* in) {
        Ty t = in->ty;
        auto at = [&](int k) { return in->args[k]->ty; };
        for (const Inst* a : in->args)
            if ((info(a->op).flags & F_NOVAL) || a->ty == Ty::Void)
                return fail(b, in, "operand %%%u has no value", a->id);
        char buf[160];
        switch (in->op) {
        case Op::iconst: return need(is_int(t), b, in, "iconst needs an integer type");
        case Op::fconst: return need(is_float(t), b, in, "fconst needs a float type");
        case Op::param:
            if (in->imm < 0 || in->imm >= (int64_t)f.params.size)
                return fail(b, in, "parameter index %lld out of range (function has %u)", (long long)in->imm, f.params.size);
            if (!compat(t, f.params[in->imm]))
                return fail(b, in, "type %s does not match parameter %lld of type %s", ty_name(t),
                            (long long)in->imm, ty_name(f.params[in->imm]));
            return true;
        case Op::addr: return need(t == Ty::Ptr || t == Ty::I64, b, in, "addr must have type ptr");
        case Op::slot:
            if (t != Ty::Ptr) return fail(b, in, "slot must have type ptr");
            if (in->imm < 0) return fail(b, in, "negative slot size");
            return need(in->imm2 > 0 && !(in->imm2 & (in->imm2 - 1)), b, in, "slot alignment must be a power of two");
        case Op::copy: return need(compat(t, at(0)), b, in, "copy type differs from its operand");
        case Op::add: case Op::sub: case Op::mul: case Op::sdiv: case Op::udiv: case Op::srem:
        case Op::urem: case Op::And: case Op::Or: case Op::Xor: case Op::shl: case Op::shr:
        case Op::sar: case Op::addchk: case Op::subchk: case Op::mulchk:
            if (!is_int(t)) return fail(b, in, "integer op with non-integer type %s", ty_name(t));
            if (!compat(at(0), t) || !compat(at(1), t)) {
                snprintf(buf, sizeof buf, "operand types %s, %s do not match %s", ty_name(at(0)), ty_name(at(1)), ty_name(t));
                return fail(b, in, "%s", buf);
            }
            return true;
        case Op::neg: case Op::Not:
            if (!is_int(t)) return fail(b, in, "integer op with non-integer type %s", ty_name(t));
            return need(compat(at(0), t), b, in, "operand type does not match");
        case Op::fadd: case Op::fsub: case Op::fmul: case Op::fdiv: case Op::frem:
            if (!is_float(t)) return fail(b, in, "float op with non-float type %s", ty_name(t));
            if (at(0) != t || at(1) != t) {
                snprintf(buf, sizeof buf, "operand types %s, %s do not match %s", ty_name(at(0)), ty_name(at(1)), ty_name(t));
                return fail(b, in, "%s", buf);
            }
            return true;
        case Op::fneg: case Op::fsqrt: case Op::ffloor: case Op::fceil: case Op::fround:
            if (!is_float(t)) return fail(b, in, "float op with non-float type %s", ty_name(t));
            return need(at(0) == t, b, in, "operand type does not match");
        case Op::sext: case Op::zext:
            if (!is_int(in->cty) || !is_int(t) || bits(in->cty) >= bits(t))
                return fail(b, in, "extension must go from a narrower to a wider integer (%s to %s)", ty_name(in->cty), ty_name(t));
            return need(compat(at(0), in->cty), b, in, "operand type does not match the source type");
        case Op::trunc:
            if (!is_int(in->cty) || !is_int(t) || bits(in->cty) <= bits(t))
                return fail(b, in, "trunc must go from a wider to a narrower integer (%s to %s)", ty_name(in->cty), ty_name(t));
            return need(compat(at(0), in->cty), b, in, "operand type does not match the source type");
        case Op::sitof: case Op::uitof:
            if (!is_int(in->cty) || !is_float(t)) return fail(b, in, "needs integer source and float result");
            return need(compat(at(0), in->cty), b, in, "operand type does not match the source type");
        case Op::ftosi: case Op::ftoui:
            if (!is_float(in->cty) || !is_int(t)) return fail(b, in, "needs float source and integer result");
            return need(at(0) == in->cty, b, in, "operand type does not match the source type");
        case Op::fext:
            if (in->cty != Ty::F32 || t != Ty::F64) return fail(b, in, "fext goes from f32 to f64");
            return need(at(0) == in->cty, b, in, "operand type does not match the source type");
        case Op::ftrunc:
            if (in->cty != Ty::F64 || t != Ty::F32) return fail(b, in, "ftrunc goes from f64 to f32");
            return need(at(0) == in->cty, b, in, "operand type does not match the source type");
        case Op::bitcast:
            if (in->cty == Ty::Void || t == Ty::Void || ty_size(in->cty) != ty_size(t))
                return fail(b, in, "bitcast needs two types of the same size (%s to %s)", ty_name(in->cty), ty_name(t));
            return need(compat(at(0), in->cty), b, in, "operand type does not match the source type");
        case Op::load:
            if (t == Ty::Void) return fail(b, in, "load needs a type");
            return need(compat(at(0), Ty::Ptr), b, in, "load address must be a ptr");
        case Op::store:
            if (in->cty == Ty::Void) return fail(b, in, "store needs a type");
            if (!compat(at(0), Ty::Ptr)) return fail(b, in, "store address must be a ptr");
            if (!compat(at(1), in->cty))
                return fail(b, in, "stored value %%%u has type %s, store is %s", in->args[1]->id, ty_name(at(1)), ty_name(in->cty));
            return true;
        case Op::memcpy:
            if (in->imm < 0) return fail(b, in, "negative byte count");
            return need(compat(at(0), Ty::Ptr) && compat(at(1), Ty::Ptr), b, in, "memcpy operands must be ptr");
        case Op::memzero:
            if (in->imm < 0) return fail(b, in, "negative byte count");
            return need(compat(at(0), Ty::Ptr), b, in, "memzero operand must be a ptr");
        case Op::call: return true;
        case Op::callind: return need(compat(at(0), Ty::Ptr), b, in, "callind target must be a ptr");
        case Op::tailcall:
            if (t != f.ret)
                return fail(b, in, "tail call returns %s but the function returns %s", ty_name(t), ty_name(f.ret));
            return true;
        case Op::phi:
            if (t == Ty::Void) return fail(b, in, "phi needs a type");
            for (uint32_t k = 0; k < in->args.size; k++)
                if (!compat(at(k), t))
                    return fail(b, in, "incoming %%%u has type %s, phi is %s", in->args[k]->id, ty_name(at(k)), ty_name(t));
            return true;
        case Op::select:
            if (!is_int(at(0))) return fail(b, in, "select condition must be an integer");
            return need(t != Ty::Void && compat(at(1), t) && compat(at(2), t), b, in, "select operand types do not match");
        case Op::br:
            return need(is_int(at(0)), b, in, "br condition must be an integer");
        case Op::ret:
            if (f.ret == Ty::Void) return need(in->args.size == 0, b, in, "ret with a value in a void function");
            if (in->args.size != 1) return fail(b, in, "ret needs a value of type %s", ty_name(f.ret));
            if (!compat(at(0), f.ret))
                return fail(b, in, "returns %%%u of type %s, function returns %s", in->args[0]->id, ty_name(at(0)), ty_name(f.ret));
            return true;
        case Op::jmp: case Op::unreachable: return true;
        default:
            if (is_compare(in->op)) {
                if (t != Ty::I8) return fail(b, in, "comparison result must be i8");
                bool okc = is_int_cmp(in->op) ? is_int(in->cty) : is_float(in->cty);
                if (!okc) return fail(b, in, "comparison operand type %s is not allowed", ty_name(in->cty));
                if (!compat(at(0), in->cty) || !compat(at(1), in->cty)) {
                    snprintf(buf, sizeof buf, "operand types %s, %s do not match %s", ty_name(at(0)), ty_name(at(1)), ty_name(in->cty));
                    return fail(b, in, "%s", buf);
                }
                return true;
            }
            return true;
        }
    }

    // Reverse postorder (iterative DFS) and CHK dominators.
    void dominators() {
        size_t nb = blk_by_id.size();
        rpo_num.assign(nb, -1);
        std::vector<Block*> order = reverse_postorder(f);
        rpo.assign(order.begin(), order.end());
        for (size_t k = 0; k < rpo.size(); k++) rpo_num[rpo[k]->id] = (int)k;
        idom.assign(rpo.size(), -1);
        idom[0] = 0;
        bool changed = true;
        while (changed) {
            changed = false;
            for (size_t k = 1; k < rpo.size(); k++) {
                int nd = -1;
                for (const Block* p : preds[rpo[k]->id]) {
                    int pn = rpo_num[p->id];
                    if (pn < 0 || idom[pn] < 0) continue;
                    nd = nd < 0 ? pn : intersect(pn, nd);
                }
                if (nd != idom[k]) {
                    idom[k] = nd;
                    changed = true;
                }
            }
        }
    }
    int intersect(int a, int b) const {
        while (a != b) {
            while (a > b) a = idom[a];
            while (b > a) b = idom[b];
        }
        return a;
    }
    // Pre/post numbers of the dominator tree make each dominance query O(1) (walking the
    // idom chain instead would be quadratic on long chains of blocks).
    std::vector<uint32_t> pre, post;
    void number_dom_tree() {
        size_t n = rpo.size();
        std::vector<uint32_t> first(n + 1, 0), kids(n > 0 ? n - 1 : 0);
        for (size_t k = 1; k < n; k++) first[idom[k] + 1]++;
        for (size_t k = 0; k < n; k++) first[k + 1] += first[k];
        std::vector<uint32_t> fill(first.begin(), first.end() - 1);
        for (size_t k = 1; k < n; k++) kids[fill[idom[k]]++] = (uint32_t)k;
        pre.assign(n, 0);
        post.assign(n, 0);
        uint32_t clock = 0;
        std::vector<std::pair<uint32_t, uint32_t>> stack; // node, next child index
        if (n) stack.push_back({0, first[0]});
        if (n) pre[0] = clock++;
        while (!stack.empty()) {
            auto& [v, c] = stack.back();
            if (c < first[v + 1]) {
                uint32_t w = kids[c++];
                pre[w] = clock++;
                stack.push_back({w, first[w]});
            } else {
                post[v] = clock++;
                stack.pop_back();
            }
        }
    }
    bool dominates(const Block* a, const Block* b) const {
        int x = rpo_num[a->id], y = rpo_num[b->id];
        if (x < 0 || y < 0) return false;
        return pre[x] <= pre[y] && post[y] <= post[x];
    }

    bool run() {
        if (!shape()) return false;
        preds.assign(blk_by_id.size(), {});
        for (const Block* b : f.blocks) {
            const Inst* t = b->term();
            for (int k = 0; k < 2; k++) {
                const Block* s = t->target[k];
                if (s && (k == 0 || s != t->target[0])) preds[s->id].push_back(b);
            }
        }
        for (const Block* b : f.blocks)
            for (const Inst* in : b->insts)
                if (!types(b, in)) return false;
        // phi placement and entries; params in the entry block
        std::vector<uint32_t> mark(blk_by_id.size(), 0);
        uint32_t stamp = 0;
        for (const Block* b : f.blocks) {
            bool body = false;
            for (const Inst* in : b->insts) {
                if (in->op == Op::param && b != f.blocks[0]) return fail(b, in, "param outside the entry block");
                if (in->op != Op::phi) {
                    body = true;
                    continue;
                }
                if (body) return fail(b, in, "phi after a non-phi instruction");
                if (b == f.blocks[0]) return fail(b, in, "phi in the entry block");
                stamp++;
                for (const Block* p : preds[b->id]) mark[p->id] = stamp;
                for (uint32_t k = 0; k < in->phi_blocks.size; k++) {
                    const Block* p = in->phi_blocks[k];
                    if (!in_func(p) || mark[p->id] != stamp) {
                        if (!in_func(p)) return fail(b, in, "incoming block is not a block of this function");
                        if (mark[p->id] == stamp + 1) return fail(b, in, "two entries for predecessor @%u", p->id);
                        return fail(b, in, "@%u is not a predecessor", p->id);
                    }
                    mark[p->id] = stamp + 1; // seen
                }
                for (const Block* p : preds[b->id])
                    if (mark[p->id] != stamp + 1) return fail(b, in, "no entry for predecessor @%u", p->id);
                stamp++;
            }
        }
        dominators();
        number_dom_tree();
        for (const Block* b : f.blocks) {
            bool reachable = rpo_num[b->id] >= 0;
            for (uint32_t k = 0; k < b->insts.size; k++) {
                const Inst* in = b->insts[k];
                for (uint32_t a = 0; a < in->args.size; a++) {
                    const Inst* d = in->args[a];
                    if (d->id >= def_by_id.size() || def_by_id[d->id] != d)
                        return fail(b, in, "operand %%%u is not defined in this function", d->id);
                    if (!reachable) continue;
                    const Block* db = d->block;
                    if (in->op == Op::phi) {
                        const Block* p = in->phi_blocks[a];
                        if (rpo_num[p->id] < 0) continue; // edge from dead code
                        if (!dominates(db, p))
                            return fail(b, in, "incoming %%%u from @%u is not defined on that path", d->id, p->id);
                        continue;
                    }
                    bool okd = db == b ? pos[d->id] < k : dominates(db, b);
                    if (!okd) return fail(b, in, "use of %%%u is not dominated by its definition", d->id);
                }
            }
        }
        return true;
    }
};

} // namespace

bool verify(const Func& f, std::string* err) {
    Verifier v(f, err);
    return v.run();
}

bool verify(const Module& m, std::string* err) {
    for (const Func* f : m.funcs)
        if (!verify(*f, err)) return false;
    return true;
}

} // namespace lang::ir
