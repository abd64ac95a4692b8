// tailcall.cpp: marks direct calls in tail position as `tailcall`.
//
// Pattern, within one block:   %r = call.T $f(...)   ret %r        (T == Func::ret)
//                         or:  call $f(...)          ret            (void function)
// The call becomes `tailcall.T $f(...)` (a terminator; ty keeps the callee's return
// type) and the ret is removed. The call's result has no other user: the ret was the
// next instruction and the block has no successors.
// Safety: a tail call reuses the caller's frame, so the callee must not see the caller's
// stack slots. A function whose `slot` addresses may escape (used other than as the
// address operand of load/store/memcpy/memzero) gets no tail calls at all.
#include "ir/ir.h"
#include <vector>

namespace lang::ir {

namespace {

// True when some slot address is used in a way that could hand it to a callee.
bool slot_may_escape(const Func& f) {
    uint32_t nv = f.next_id;
    for (const Block* b : f.blocks)
        for (const Inst* in : b->insts)
            if (in->id >= nv) nv = in->id + 1;
    std::vector<uint8_t> is_slot(nv, 0);
    bool any = false;
    for (const Block* b : f.blocks)
        for (const Inst* in : b->insts)
            if (in->op == Op::slot) {
                is_slot[in->id] = 1;
                any = true;
            }
    if (!any) return false;
    for (const Block* b : f.blocks)
        for (const Inst* in : b->insts)
            for (uint32_t k = 0; k < in->args.size; k++) {
                const Inst* a = in->args[k];
                if (a->id >= nv || !is_slot[a->id]) continue;
                bool as_address = (in->op == Op::load && k == 0) || (in->op == Op::store && k == 0) ||
                                  in->op == Op::memcpy || in->op == Op::memzero;
                if (!as_address) return true;
            }
    return false;
}

} // namespace

void mark_tailcalls(Module& m, Func& f) {
    (void)m;
    bool checked = false;
    for (Block* b : f.blocks) {
        if (b->insts.size < 2) continue;
        Inst* ret = b->insts[b->insts.size - 1];
        Inst* call = b->insts[b->insts.size - 2];
        if (ret->op != Op::ret || call->op != Op::call || !call->sym) continue;
        bool match = ret->args.size == 1 ? ret->args[0] == call && call->ty == f.ret
                                         : f.ret == Ty::Void && call->ty == Ty::Void;
        if (!match) continue;
        if (!checked) {
            if (slot_may_escape(f)) return;
            checked = true;
        }
        call->op = Op::tailcall;
        b->insts.size--; // drop the ret
    }
}

} // namespace lang::ir
