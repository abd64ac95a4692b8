// ir.cpp: the opcode table and the small builder helpers of ir.h.
#include "ir/ir.h"
#include <vector>

namespace lang::ir {

const OpInfo kOpInfo[(int)Op::Count] = {
#define OP(id, name, nargs, flags) {name, nargs, flags},
#include "ir/ops.def"
#undef OP
};

const char* ty_name(Ty t) {
    switch (t) {
    case Ty::Void: return "void";
    case Ty::I8: return "i8";
    case Ty::I16: return "i16";
    case Ty::I32: return "i32";
    case Ty::I64: return "i64";
    case Ty::F32: return "f32";
    case Ty::F64: return "f64";
    case Ty::Ptr: return "ptr";
    }
    return "?";
}

Func* new_func(Module& m, const char* name) {
    Func* f = m.arena.make<Func>();
    f->name = name;
    m.funcs.push(m.arena, f);
    return f;
}

Block* new_block(Module& m, Func& f) {
    Block* b = m.body().make<Block>();
    b->id = f.next_block++;
    f.blocks.push(m.body(), b);
    return b;
}

// Predecessor lists are rebuilt from scratch: count, then fill arena storage.
void compute_cfg(Module& m, Func& f) {
    for (Block* b : f.blocks) b->preds.size = 0;
    for (Block* b : f.blocks) {
        Inst* t = b->term();
        for (int k = 0; k < num_targets(t); k++)
            if (Block* s = t->target[k]) s->preds.size++;
    }
    for (Block* b : f.blocks) {
        if (b->preds.size > b->preds.cap) {
            b->preds.data = static_cast<Block**>(m.body().alloc(sizeof(Block*) * b->preds.size, alignof(Block*)));
            b->preds.cap = b->preds.size;
        }
        b->preds.size = 0;
    }
    for (Block* b : f.blocks) {
        Inst* t = b->term();
        for (int k = 0; k < num_targets(t); k++)
            if (Block* s = t->target[k]) s->preds.data[s->preds.size++] = b;
    }
}

// Blocks reachable from the entry, in reverse postorder of an iterative DFS.
std::vector<Block*> reverse_postorder(const Func& f) {
    std::vector<Block*> post;
    if (!f.blocks.size) return post;
    std::vector<uint8_t> seen(f.next_block + 1, 0);
    for (Block* b : f.blocks)
        if (b->id >= seen.size()) seen.resize(b->id + 1, 0);
    std::vector<std::pair<Block*, int>> stack{{f.blocks[0], 0}};
    seen[f.blocks[0]->id] = 1;
    while (!stack.empty()) {
        auto& [b, k] = stack.back();
        Inst* t = b->term();
        if (k < num_targets(t)) {
            Block* s = t->target[k++];
            if (s && !seen[s->id]) {
                seen[s->id] = 1;
                stack.push_back({s, 0});
            }
            continue;
        }
        post.push_back(b);
        stack.pop_back();
    }
    return {post.rbegin(), post.rend()};
}

} // namespace lang::ir
