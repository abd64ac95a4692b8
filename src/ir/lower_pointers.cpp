// lower_pointers.cpp: raw pointers (sema/pointers.cpp, spec 10.9).
//
// A `*T` is a Ty::Ptr value. `*p` loads or stores at p; `p[i]` at p + i * sizeof(T)
// (no bounds check); `p + n` and `p - n` move by n elements; `p - q` is the byte distance
// divided by sizeof(T); `&place` is the place's address: locals and parameters whose
// address is taken live in a stack slot (sema marks them `captured`), fields and array
// elements are addressed in place. Casts to and from u64/i64 are copies (convert()).
#include "ir/lower_impl.h"

namespace lang::lower {

// The address of p[i] (i of any integer type).
Inst* Lowerer::pointer_elem_addr(Inst* p, Expr* index, const Type* elem) {
    Inst* i = convert(expr(index), index->type, c.types.int_(), index->span);
    return array_elem_addr(p, i, elem, false);
}

Inst* Lowerer::pointer_unary(UnaryExpr* e) {
    if (e->op == UnOp::Deref) return load_typed(e->type, expr(e->operand), 0);
    LVal lv = lvalue(e->operand); // &place
    if (lv.kind == LVal::Mem) return ptr_add(lv.base, lv.off);
    unsupported(e->span, "the address of this place");
    return iconst(Ty::Ptr, 0);
}

Inst* Lowerer::pointer_arith(BinaryExpr* e) {
    Inst* a = expr(e->lhs);
    Inst* b = expr(e->rhs);
    const Type* el = e->lhs->type->elem;
    if (e->rhs->type->kind == TypeKind::Pointer) { // p - q: elements between
        Inst* d = emit(Op::sub, Ty::I64, a, b);
        if (el->size <= 1) return d;
        return emit(Op::sdiv, Ty::I64, d, iconst(Ty::I64, (int64_t)el->size));
    }
    b = convert(b, e->rhs->type, c.types.int_(), e->span);
    if (e->op == BinOp::Sub) b = emit(Op::sub, Ty::I64, iconst(Ty::I64, 0), b);
    return array_elem_addr(a, b, el, false);
}

} // namespace lang::lower
