// intrinsics.cpp: the runtime calls of the standard library's prelude files
// (rt_intrinsics.def): `__lang_file_read_text(path)` in lib/std/IO.lang is a call of the C
// function lang_file_read_text(ctx, path). Only prelude files may make them; elsewhere
// the names are ordinary (undefined) names. The table gives each one's argument and
// result types as letters.
#include "sema/check.h"
#include "sema/rt_intrinsics.h"

namespace lang::sema {

// The type a letter of rt_intrinsics.def stands for.
static const Type* letter_type(TypeTable& T, char c) {
    switch (c) {
    case 'i': return T.int_();
    case 'b': return T.bool_();
    case 's': return T.string();
    case 'S': return T.nullable(T.string());
    case 'B': return T.array(T.prim(TypeKind::U8));
    case 'Y': return T.nullable(T.array(T.prim(TypeKind::U8)));
    case 'a': return T.array(T.string());
    case 'A': return T.nullable(T.array(T.string()));
    default: return T.void_();
    }
}

const Type* Sema::check_rt_intrinsic(CallExpr* e, NameExpr* n) {
    if (!in_prelude_file()) return nullptr;
    const RtIntrinsic* ri = find_rt_intrinsic(n->name);
    if (!ri) return nullptr;
    uint32_t nargs = (uint32_t)strlen(ri->args);
    if (e->args.size != nargs) {
        diag.error(e->span, "internal compiler error: %s expects %u arguments", ri->name, nargs);
        for (Arg& a : e->args) expr(a.value, nullptr);
        return err();
    }
    for (uint32_t i = 0; i < nargs; i++) value(e->args[i].value, letter_type(T, ri->args[i]));
    e->builtin = (uint32_t)Builtin::RtCall;
    n->type = T.void_();
    return letter_type(T, ri->result);
}

} // namespace lang::sema
