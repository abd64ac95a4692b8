// lower_text.cpp: lowering of the string methods, ToString() and string.Join (check_text.cpp
// recognized them) and of interpolation formats/alignment into calls of the runtime's
// text.c / text_case.c / text_format.c.
//
// Ownership (doc/lowering.md): a string result is +1 and registered with own(); the
// receiver and the arguments are borrowed by the runtime, so temporaries among them stay
// in temps_ and are released at the end of the statement like any other. Split's result
// is an array (not counted) whose elements are +1 each and belong to the array.
#include "ir/lower_impl.h"

namespace lang::lower {

Inst* Lowerer::text_call(CallExpr* e, Inst* recv) {
    auto* m = e->callee && e->callee->kind == ExprKind::Member ? as<MemberExpr>(e->callee) : nullptr;
    if (!m) {
        unsupported(e->span, "this builtin");
        return nullptr;
    }
    auto arg = [&](uint32_t i) { return expr(e->args[i].value); };
    auto ext = [&](const char* fn, Ty rt, std::initializer_list<Inst*> args) {
        use_extern(fn);
        return call(fn, rt, args);
    };
    if (e->builtin == B_StringJoin) { // static: the object is the type name, not a value
        if (e->args.size != 2) return undef(Ty::Ptr);
        Inst* sep = arg(0);
        Inst* xs = arg(1);
        return own(ext("lang_str_join", Ty::Ptr, {ctx, sep, xs}));
    }
    Inst* s = recv ? recv : expr(m->object);
    switch (e->builtin) {
    case B_ToString: {
        const Type* t = m->object->type;
        if (t->kind == TypeKind::Nullable) t = t->elem; // x?.ToString(): recv is the value inside
        return to_string(s, t);
    }
    case B_StringSplit: // a new array of new strings: dropped unless taken over (lower_drop.cpp)
        return own_value(ext("lang_str_split", Ty::Ptr, {ctx, s, arg(0)}), e->type);
    case B_StringTrim: return own(ext("lang_str_trim", Ty::Ptr, {ctx, s, iconst(Ty::I64, 3)}));
    case B_StringTrimStart: return own(ext("lang_str_trim", Ty::Ptr, {ctx, s, iconst(Ty::I64, 1)}));
    case B_StringTrimEnd: return own(ext("lang_str_trim", Ty::Ptr, {ctx, s, iconst(Ty::I64, 2)}));
    case B_StringContains: return ext("lang_str_contains", Ty::I8, {s, arg(0)});
    case B_StringStartsWith: return ext("lang_str_starts_with", Ty::I8, {s, arg(0)});
    case B_StringEndsWith: return ext("lang_str_ends_with", Ty::I8, {s, arg(0)});
    case B_StringIndexOf: return ext("lang_str_index_of", Ty::I64, {s, arg(0)});
    case B_StringReplace: {
        Inst* a = arg(0);
        Inst* b = arg(1);
        return own(ext("lang_str_replace", Ty::Ptr, {ctx, s, a, b}));
    }
    case B_StringToUpper: return own(ext("lang_str_to_upper", Ty::Ptr, {ctx, s}));
    case B_StringToLower: return own(ext("lang_str_to_lower", Ty::Ptr, {ctx, s}));
    case B_SbAppend:
    case B_SbAppendLine: // the argument is a string (sema made it one); the result is the builder, +0
        if (e->args.size) ext("lang_sb_append", Ty::Void, {ctx, s, arg(0)});
        if (e->builtin == B_SbAppendLine) {
            Inst* nl = emit(Op::addr, Ty::Ptr);
            nl->sym = string_global("\n", 1);
            ext("lang_sb_append", Ty::Void, {ctx, s, nl});
        }
        return s;
    case B_SbToString: return own(ext("lang_sb_to_string", Ty::Ptr, {ctx, s}));
    default: break;
    }
    unsupported(e->span, "this builtin");
    return nullptr;
}

Inst* Lowerer::text_new(NewExpr* e) {
    use_extern("lang_sb_new");
    Inst* sb = own(call("lang_sb_new", Ty::Ptr, {ctx}));
    if (e->args.size) {
        use_extern("lang_sb_append");
        call("lang_sb_append", Ty::Void, {ctx, sb, expr(e->args[0].value)});
    }
    return sb;
}

Inst* Lowerer::interp_format(const InterpPart& p) {
    const Type* t = p.expr->type;
    Inst* v = expr(p.expr);
    if (t->is_float()) {
        if (t->kind == TypeKind::F32) v = convert(v, t, c.types.float_(), p.expr->span);
        use_extern("lang_str_format_float");
        return own(call("lang_str_format_float", Ty::Ptr, {ctx, v, iconst(Ty::I64, p.fmt_digits)}));
    }
    bool sgn = t->is_signed();
    v = widen64(v, t, sgn);
    use_extern("lang_str_format_int");
    return own(call("lang_str_format_int", Ty::Ptr,
                    {ctx, v, iconst(Ty::I64, p.fmt_kind), iconst(Ty::I64, p.fmt_digits),
                     iconst(Ty::I64, (int64_t)t->size * 8), iconst(Ty::I8, sgn)}));
}

Inst* Lowerer::interp_pad(Inst* s, int32_t align) {
    use_extern("lang_str_pad");
    Inst* r = call("lang_str_pad", Ty::Ptr, {ctx, s, iconst(Ty::I64, align)});
    if (claim(s)) release_str(s);
    return own(r);
}

} // namespace lang::lower
