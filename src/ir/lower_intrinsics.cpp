// lower_intrinsics.cpp: a prelude file's runtime call (sema/intrinsics.cpp,
// rt_intrinsics.def) is a call of the C function with the context first. A string or
// array it returns is new: an owned temporary of the statement, like a call's.
#include "ir/lower_impl.h"
#include "sema/rt_intrinsics.h"

namespace lang::lower {

Inst* Lowerer::rt_intrinsic(CallExpr* e) {
    const RtIntrinsic* ri = e->callee->kind == ExprKind::Name ? find_rt_intrinsic(as<NameExpr>(e->callee)->name) : nullptr;
    if (ri) {
        std::vector<Inst*> args{ctx};
        for (Arg& a : e->args) args.push_back(expr(a.value));
        use_extern(ri->sym);
        switch (ri->result) {
        case 'v': return call_v(ri->sym, Ty::Void, args);
        case 'i': return call_v(ri->sym, Ty::I64, args);
        case 'b': return call_v(ri->sym, Ty::I8, args);
        case 's': case 'S': return own(call_v(ri->sym, Ty::Ptr, args), e->type);
        default: return own_value(call_v(ri->sym, Ty::Ptr, args), e->type); // an array
        }
    }
    unsupported(e->span, "this runtime call");
    return e->type && ty(e->type) != Ty::Void ? undef(ty(e->type)) : nullptr;
}

} // namespace lang::lower
