// lower_call.cpp: calls (direct, virtual, interface, C functions, builtins), object and
// array creation (`new`, constructors, object initializers), and `try`/`catch`.
//
// A Lang call passes the context first, then the hidden result pointer for an aggregate
// result, then `this` for methods, then the arguments; aggregates go by pointer to a
// caller-made copy and `ref` arguments by address (locals use copy-in/copy-out, so they
// stay in SSA). See doc/lowering.md.
#include "ir/lower_impl.h"

#include <cstring>

namespace lang::lower {

// A function called with the C convention: an extern "C" one, or an export "C" one (a
// Lang call of it passes no context either; it gets the caller's: lower_ffi.cpp).
static bool is_c_fn(FuncDecl* fd) {
    return fd->fkind == FuncKind::Extern || fd->is_export || (fd->extern_abi && !fd->body && !fd->body_expr);
}

// ---------------------------------------------------------------------------
// Calls

void Lowerer::call_args(FuncDecl* fd, ArenaVec<Arg>& args, std::vector<Inst*>& out,
                        std::vector<std::pair<LVal, Inst*>>* wb) {
    // A read of a local variable or parameter (not a global): the callee cannot reach it.
    auto is_local_read = [&](Expr* e) {
        while (e->kind == ExprKind::Cast && !as<CastExpr>(e)->to) e = as<CastExpr>(e)->operand;
        if (e->kind != ExprKind::Name) return false;
        Decl* d = as<NameExpr>(e)->decl;
        return d && (d->kind == DeclKind::Param || d->kind == DeclKind::Local) && !statics_.count(d);
    };
    uint32_t npos = 0;
    // New objects given to `own` parameters stay temporaries until every argument is
    // evaluated: a later argument's `try` that propagates drops them (else they leak).
    std::vector<Inst*> claims;
    for (uint32_t pi = 0; pi < fd->params.size; pi++) {
        ParamDecl* p = fd->params[pi];
        Expr* a = nullptr;
        for (const Arg& arg : args)
            if (arg.name && arg.name == p->name) a = arg.value;
        if (!a) {
            // positional: the pi-th unnamed argument
            uint32_t k = 0;
            for (const Arg& arg : args) {
                if (arg.name) continue;
                if (k++ == pi) {
                    a = arg.value;
                    break;
                }
            }
        }
        if (!a) a = p->default_value;
        npos++;
        if (!a) {
            unsupported(fd->span, "missing argument");
            out.push_back(undef(ty(p->type) == Ty::Void ? Ty::I64 : ty(p->type)));
            continue;
        }
        if (p->mode == ParamMode::Ref) {
            LVal lv = lvalue(a);
            if (lv.kind == LVal::Var) { // copy-in/copy-out keeps the local in SSA
                Ty t = vars[lv.var].ty;
                Inst* s = slot(ir::ty_size(t), ir::ty_size(t));
                store(t, s, 0, read(lv));
                out.push_back(s);
                if (wb) wb->push_back({lv, s});
            } else {
                out.push_back(lval_addr(lv));
            }
            continue;
        }
        Expr* inner = a->kind == ExprKind::RefArg ? as<RefArgExpr>(a)->operand : a;
        Inst* v = expr(inner);
        // A new T! lent to the callee (`Describe(Find(k))`): its error or value is dropped at
        // the end of the statement (lower_drop.cpp drop_value).
        if (p->type->kind == TypeKind::Fallible && p->mode != ParamMode::Own && is_new_result(inner) && cur && v) {
            temps_.push_back(v);
            temp_drops_[v] = p->type;
        }
        // The callee borrows a string argument; one read from a field, element or global
        // could be released by the callee's own assignments: keep it alive for the call.
        if (is_counted(p->type) && !is_local_read(inner)) v = pin(v, p->type);
        if (p->mode == ParamMode::Own && needs_drop(p->type)) claims.push_back(v); // the callee drops it (below)
        if (p->mode == ParamMode::Own && drops_agg(p->type)) { // the callee drops it (lower_drop.cpp)
            if (!claim_agg(v)) {
                v = materialize(p->type, v);
                retain_parts(p->type, v, 0); // (only a copy type can be copied here)
            }
        } else if (is_agg(p->type) && (!is_fresh_temp(inner) || drops_agg(p->type))) {
            // (A new value with parts to drop is passed as a copy of its bits too: the
            // temporary stays ours to drop, and a tail call in the callee may reuse the
            // copy's memory for its own arguments.)
            v = materialize(p->type, v);
        }
        out.push_back(v);
    }
    for (Inst* v : claims) claim(v);
}

Inst* Lowerer::call_expr(CallExpr* e, bool tail) {
    if (e->callee && e->callee->kind == ExprKind::Member && as<MemberExpr>(e->callee)->null_safe) {
        // x?.M(args): the arguments are evaluated (and M called) only when x is not null.
        Inst* inner;
        NullSafe ns = null_safe_enter(as<MemberExpr>(e->callee)->object, e->type, &inner);
        const Type* vt = e->builtin ? (e->type->kind == TypeKind::Nullable ? e->type->elem : e->type)
                         : e->target ? fn_result(e->target) : e->type;
        Inst* r = call_on(e, false, inner);
        return null_safe_leave(ns, r, vt, e->type, e->span);
    }
    return call_on(e, tail, nullptr);
}

Inst* Lowerer::call_on(CallExpr* e, bool tail, Inst* recv_in) {
    if (e->builtin >= B_ContextAllocator) return context_call(e); // lower_context.cpp
    if (e->builtin) return e->builtin >= B_ChanSend ? conc_call(e) : builtin_call(e, recv_in);
    FuncDecl* fd = e->target;
    if (!fd) {
        // Enum case construction: Circle(2.0)
        Decl* d = nullptr;
        if (e->callee->kind == ExprKind::Name) d = as<NameExpr>(e->callee)->decl;
        if (e->callee->kind == ExprKind::Member) d = as<MemberExpr>(e->callee)->decl;
        if (d && d->kind == DeclKind::EnumCase) {
            auto* ec = as<EnumCaseDecl>(d);
            const Type* t = e->type;
            Inst* s = enum_case_value(ec, t);
            if (!is_agg(t)) return s;
            int64_t tag_size, poff;
            enum_layout(t, &tag_size, &poff);
            for (uint32_t i = 0; i < e->args.size && i < ec->payload.size; i++) {
                Inst* v = expr(e->args[i].value);
                if (ec->payload[i]->boxed) // a recursive payload: a pointer to a heap copy
                    store(Ty::Ptr, s, payload_field_offset(ec, i, poff), box_value(ec->payload[i]->type, v));
                else
                    store_typed(ec->payload[i]->type, s, payload_field_offset(ec, i, poff), v);
            }
            return own_value(s, t); // lower_drop.cpp
        }
        if (e->callee->type && e->callee->type->kind == TypeKind::Func) return call_value(e);
        unsupported(e->span, "indirect calls");
        return is_agg(e->type) ? slot_for(e->type) : (ty(e->type) == Ty::Void ? nullptr : undef(ty(e->type)));
    }
    const Type* rt = fn_result(fd);
    bool agg = is_agg(rt);
    bool cfn = is_c_fn(fd);
    // A tail call must not leave pointers into this frame behind: an aggregate result
    // goes straight to our own result pointer, aggregate arguments are copied into our
    // incoming aggregate parameters' memory (owned by us, living in the caller's frame).
    // Pending string releases prevent it, except in a call of the function itself (a loop
    // written as recursion): there they are skipped (a leak, doc/lowering.md).
    bool self_call = fd == fdecl;
    bool want_tail = tail && !cfn && !c_entry_ && !has_defer_stmts() && fdecl && !has_pending_drops(!self_call);
    std::vector<Inst*> args;
    if (!cfn) args.push_back(ctx);
    Inst* res = nullptr;
    if (agg) {
        if (result_ptr && rt == ret_type && tail)
            res = result_ptr; // also right without a tail call: we return it unchanged
        else
            res = slot_for(rt); // the callee's +1 references: owned below
        args.push_back(res);
    }
    bool frame_ptr_args = agg && res != result_ptr; // an argument points into this frame
    Inst* vcall_recv = nullptr; // set for dynamic dispatch through the vtable
    TypeDecl* owner = fd->parent && fd->parent->kind == DeclKind::Type ? as<TypeDecl>(fd->parent) : nullptr;
    bool iface_call = owner && owner->tkind == TypeDeclKind::Interface;
    if (is_instance_fn(fd)) {
        Inst* recv = recv_in;
        if (recv) {
            frame_ptr_args = true; // may be the address of a local T?: no tail call
        } else if (e->callee->kind == ExprKind::Member) {
            Expr* obj = as<MemberExpr>(e->callee)->object;
            const Type* ot = obj->type;
            if (ot->kind == TypeKind::Struct) {
                LVal lv = lvalue(obj);
                recv = lval_addr(lv);
                if (recv != this_val) frame_ptr_args = true;
            } else {
                recv = expr(obj);
            }
        } else {
            recv = this_val;
        }
        if (!recv) {
            unsupported(e->span, "method call without receiver");
            recv = iconst(Ty::Ptr, 0);
        }
        if (iface_call) {
            // An interface's default method called on a struct that does not replace it
            // (`p.Show()`, `p?.Show()`, `Show()` in P's methods) takes an interface value:
            // it runs on a boxed copy of the struct, as in C#.
            const Type* st = e->callee->kind == ExprKind::Member ? as<MemberExpr>(e->callee)->object->type
                             : fdecl && fdecl->parent ? fdecl->parent->type : nullptr;
            if (st && st->kind == TypeKind::Nullable) st = st->elem;
            if (st && st->kind == TypeKind::Struct) recv = box_struct(recv, st, owner->type);
        }
        args.push_back(recv);
        bool via_base = e->callee->kind == ExprKind::Member && as<MemberExpr>(e->callee)->object->kind == ExprKind::Base;
        if (is_virtual(fd) && !via_base && owner && owner->tkind == TypeDeclKind::Class) vcall_recv = recv;
    }
    std::vector<std::pair<LVal, Inst*>> wb;
    size_t first_arg = args.size();
    call_args(fd, e->args, args, &wb);
    Inst* ffi_prev = cfn ? c_call_args(fd, e->args, args, first_arg) : nullptr; // lower_ffi.cpp: callbacks
    const char* sym = func_symbol(fd);
    Ty rty = agg ? Ty::Void : ty(rt);
    // (stack_records_: a closure record on this frame, maybe among the arguments: lower_func_values.cpp)
    // (has_pending_drops again: the arguments may have made temporaries to drop, such as a
    // heap closure record, which the callee only borrows)
    if (want_tail && !vcall_recv && !iface_call && !frame_ptr_args && !stack_records_ && wb.empty() && rty == f->ret &&
        !has_pending_drops(!self_call)) {
        // Assign each aggregate argument one of our incoming aggregate buffers.
        std::vector<Inst*> bufs;
        std::vector<const Type*> buf_types;
        for (ParamDecl* p : fdecl->params) {
            if (p->mode == ParamMode::Ref || !is_agg(p->type)) continue;
            bufs.push_back(vars[param_base + p->index].addr);
            buf_types.push_back(p->type);
        }
        std::vector<std::pair<size_t, Inst*>> moves; // arg index -> buffer
        bool ok = true;
        for (uint32_t i = 0; i < fd->params.size && ok; i++) {
            ParamDecl* p = fd->params[i];
            if (p->mode == ParamMode::Ref) {
                ok = false;
                break;
            }
            if (!is_agg(p->type)) continue;
            Inst* found = nullptr;
            for (size_t k = 0; k < bufs.size(); k++) {
                if (!bufs[k] || buf_types[k]->size < p->type->size || buf_types[k]->align < p->type->align) continue;
                found = bufs[k];
                bufs[k] = nullptr;
                break;
            }
            if (!found) ok = false;
            moves.push_back({first_arg + i, found});
        }
        if (ok) {
            // Every argument value is a temporary of this frame by now (call_args copied
            // non-fresh aggregates), so the buffers can be overwritten in any order.
            for (auto& [ai, buf] : moves) {
                memcpy_(buf, args[ai], fd->params[ai - first_arg]->type->size);
                args[ai] = buf;
            }
            Inst* i = mk(Op::tailcall, rty);
            i->sym = sym;
            for (Inst* a : args) i->args.push(m.body(), a);
            ir::append(m, ensure(), i);
            e->is_tail = true;
            cur = nullptr;
            return agg ? res : nullptr;
        }
    }
    Inst* r;
    if (iface_call && is_instance_fn(fd) && args.size() > first_arg - 1) {
        Inst* fp = interface_fn(args[first_arg - 1], fd);
        r = mk(Op::callind, rty);
        r->args.push(m.body(), fp);
        for (Inst* a : args) r->args.push(m.body(), a);
        ir::append(m, ensure(), r);
    } else if (vcall_recv) {
        // obj->type->vtable[slot]: the vtable follows the 96-byte LangTypeInfo.
        vtable(as<TypeDecl>(fd->parent));
        auto it = vslot_.find(fd);
        uint32_t slot = it != vslot_.end() ? it->second : 0;
        Inst* ti = load(Ty::Ptr, vcall_recv, 0);
        Inst* fp = load(Ty::Ptr, ti, LANG_ABI_TYPEINFO_SIZE + 8 * (int64_t)slot);
        r = mk(Op::callind, rty);
        r->args.push(m.body(), fp);
        for (Inst* a : args) r->args.push(m.body(), a);
        ir::append(m, ensure(), r);
    } else {
        r = call_v(sym, rty, args);
        if (cfn) r->imm = c_call_flags_; // varargs, a struct result in registers (lower_ffi.cpp)
    }
    if (ffi_prev) call("lang_ffi_leave", Ty::Void, {ffi_prev});
    // Copy-out moves the slot's reference back: the callee released what it replaced.
    for (auto& [lv, s] : wb) raw_write(lv, load(vars[lv.var].ty, s, 0));
    // An aggregate result is a new value (a getter's copy of a place is one only when it
    // holds no move-type part: the callee retained its strings).
    if (agg && cfn) fresh_aggs_.insert(res); // (hands its parts over, as before: not tracked)
    if (agg && !cfn && returns_borrow(fd) && owns_parts(rt)) {
        // A borrow of a place holding move-type parts: the callee's copy retained its strings
        // (handles, function values), released at the end of the statement (lower_own.cpp).
        if (has_counted(rt) && cur) {
            temps_.push_back(res);
            temp_parts_[res] = rt;
        }
        return res;
    }
    if (agg) return !cfn ? own_value(res, rt) : res;
    if (rty == Ty::Void) return nullptr;
    if (cfn && rt->kind == TypeKind::CString) { // a C string result: a new string?, null for NULL (sema/ffi.cpp)
        use_extern("lang_str_from_cstring");
        return own(call("lang_str_from_cstring", Ty::Ptr, {ctx, r}), e->type);
    }
    if (!cfn && needs_drop(rt) && !returns_borrow(fd)) return own_value(r, rt); // lower_drop.cpp
    return !cfn ? own(r, rt) : r; // a Lang function's string (function value) result is +1
}

Inst* Lowerer::write_value(Inst* v, const Type* t, bool) {
    if (t->kind == TypeKind::TypeInfo) { // its Name (lower_reflect.cpp)
        v = type_info_name(v);
        t = c.types.string();
    }
    if (t->kind == TypeKind::Duration) { // "1.5s" (src/rt/duration.c)
        use_extern("lang_write_duration");
        call("lang_write_duration", Ty::Void, {v});
        return nullptr;
    }
    static const char* const kWrite[] = {nullptr, "lang_write_bool", "lang_write_char", "lang_write_f32",
                                         "lang_write_f64", "lang_write_str", "lang_write_i64", "lang_write_u64"};
    const char* fn = kWrite[(int)scalar_kind(v, t)];
    if (!fn) {
        unsupported(Span{}, "printing a value of this type");
        return nullptr;
    }
    use_extern(fn);
    call(fn, Ty::Void, {v});
    return nullptr;
}

Inst* Lowerer::builtin_call(CallExpr* e, Inst* recv) {
    switch (e->builtin) {
    case B_GetType: return get_type_call(e, recv); // lower_reflect.cpp
    case B_Clone: return own_value(clone_call(e, recv), e->type); // lower_clone.cpp; a new value (lower_drop.cpp)
    case B_Compare: { // compare(a, b) by value: -1/0/1 from two comparisons (or lang_str_cmp)
        if (e->args.size != 2) break;
        const Type* t = e->args[0].value->type;
        Inst* a = expr(e->args[0].value);
        Inst* b = expr(e->args[1].value);
        if (t->kind == TypeKind::String) {
            use_extern("lang_str_cmp");
            return call("lang_str_cmp", Ty::I64, {a, b});
        }
        Inst* gt = emit(Op::zext, Ty::I64, compare(BinOp::Gt, t, a, b));
        gt->cty = Ty::I8;
        Inst* lt = emit(Op::zext, Ty::I64, compare(BinOp::Lt, t, a, b));
        lt->cty = Ty::I8;
        return emit(Op::sub, Ty::I64, gt, lt);
    }
    case B_Swap: { // swap(ref a, ref b): the two places exchange their bits (no count changes)
        if (e->args.size != 2) break;
        const Type* t = e->args[0].value->type;
        LVal la = lvalue(e->args[0].value);
        LVal lb = lvalue(e->args[1].value);
        Inst* va = read(la);
        if (is_agg(t)) va = materialize(t, va); // a's bytes, before b's overwrite them
        raw_write(la, read(lb));
        raw_write(lb, va);
        return nullptr;
    }
    case B_Take: { // take(ref a): a's value (its reference handed over), then a's zero value
        if (e->args.size != 1) break;
        const Type* t = e->args[0].value->type;
        LVal la = lvalue(e->args[0].value);
        Inst* v = read(la);
        if (is_agg(t)) fresh_aggs_.insert(v = materialize(t, v)); // it carries the place's references
        raw_write(la, zero_value(t));
        return is_counted(t) ? own(v, t) : own_value(v, t);
    }
    case B_ConsoleWrite:
    case B_ConsoleWriteLine:
        for (const Arg& a : e->args) write_value(expr(a.value), a.value->type, false);
        if (e->builtin == B_ConsoleWriteLine) {
            use_extern("lang_write_newline");
            call("lang_write_newline", Ty::Void, {});
        }
        return nullptr;
    case B_ConsoleErrorWrite:
    case B_ConsoleErrorWriteLine: // sema made the argument a string
        for (const Arg& a : e->args) {
            Inst* s = expr(a.value);
            use_extern("lang_ewrite_str");
            call("lang_ewrite_str", Ty::Void, {s});
        }
        if (e->builtin == B_ConsoleErrorWriteLine) {
            use_extern("lang_ewrite_newline");
            call("lang_ewrite_newline", Ty::Void, {});
        }
        return nullptr;
    case B_Assert:
    case B_AssertEq:
    case B_AssertNe:
    case B_AssertFails: return assert_call(e); // lower_tests.cpp
    case B_Panic: {
        Inst* s;
        if (e->args.size) {
            s = expr(e->args[0].value);
        } else {
            s = emit(Op::addr, Ty::Ptr);
            s->sym = string_global("panic", 5);
        }
        panic_call("lang_panic_str", {s});
        return ty(e->type) == Ty::Void ? nullptr : undef(ty(e->type));
    }
    case B_Hash:
    case B_Equals:
    case B_Describe: return hash_builtin(e); // lower_hash.cpp
    case B_NeedsDrop: return hash_builtin(e);
    case B_ParseF64: { // the error prelude's float.Parse, after checking the text
        if (!e->args.size) break;
        Inst* s = expr(e->args[0].value);
        use_extern("lang_parse_f64");
        return call("lang_parse_f64", Ty::F64, {s});
    }
    case B_StringSubstring: {
        if (e->callee->kind != ExprKind::Member || !e->args.size) break;
        Inst* s = recv ? recv : expr(as<MemberExpr>(e->callee)->object);
        Inst* start = convert(expr(e->args[0].value), e->args[0].value->type, c.types.int_(), e->span);
        Inst* count;
        if (e->args.size > 1) {
            count = convert(expr(e->args[1].value), e->args[1].value->type, c.types.int_(), e->span);
        } else {
            Inst* len = load(Ty::I64, s, LANG_ABI_STRING_LENGTH);
            count = emit(Op::sub, Ty::I64, len, start);
        }
        use_extern("lang_str_substring");
        return own(call("lang_str_substring", Ty::Ptr, {ctx, s, start, count}));
    }
    case B_ConsoleReadLine: // a new string, or null at the end of input (src/rt/io.c)
        use_extern("lang_console_read_line");
        return own(call("lang_console_read_line", Ty::Ptr, {ctx}), e->type);
    case B_ConsoleRead:
        use_extern("lang_console_read_char");
        return call("lang_console_read_char", Ty::I64, {ctx});
    case B_StringChars: {
        if (e->callee->kind != ExprKind::Member) break;
        Inst* s = recv ? recv : expr(as<MemberExpr>(e->callee)->object);
        use_extern("lang_str_chars");
        return own_value(call("lang_str_chars", Ty::Ptr, {ctx, s}), e->type); // a new char[]
    }
    default:
        if (e->builtin >= B_StringSplit && e->builtin <= B_SbToString) return text_call(e, recv); // lower_text.cpp
        if (e->builtin >= B_MathSqrt && e->builtin <= B_MathMax) return math_call(e); // lower_math.cpp
        if (e->builtin == B_JsonSerialize || e->builtin == B_JsonDeserialize) // lower_json.cpp
            if (Inst* r = json_call(e)) return r;
        break;
    }
    unsupported(e->span, "this builtin");
    return nullptr;
}

// ---------------------------------------------------------------------------
// Object and array creation

Inst* Lowerer::new_expr(NewExpr* e) {
    if (static_cast<Expr*>(e)->type->is_conc_handle()) return conc_new_expr(e); // lower_concurrency.cpp
    if (static_cast<Expr*>(e)->type->kind == TypeKind::StringBuilder) return text_new(e); // lower_text.cpp
    if (e->is_array) {
        const Type* et = static_cast<Expr*>(e)->type->elem;
        Inst* n = convert(expr(e->array_len), e->array_len->type, c.types.int_(), e->span);
        Inst* neg = emit(Op::slt, Ty::I8, n, iconst(Ty::I64, 0));
        neg->cty = Ty::I64;
        Block* bad = mk_block();
        Block* ok = mk_block();
        br(neg, bad, ok);
        seal(bad);
        seal(ok);
        enter(bad);
        if (cur) {
            const char* msg = "negative array length";
            Inst* ma = emit(Op::addr, Ty::Ptr);
            ma->sym = cstring_global(msg, (uint32_t)strlen(msg));
            panic_call("lang_panic", {ma});
        }
        enter(ok);
        use_extern("lang_array_new");
        Inst* arr = gc_array(call("lang_array_new", Ty::Ptr, {ctx, n, iconst(Ty::I64, et->size)}), et);
        if (needs_zero_init(et)) // fill: zero_init(arr[i]) for each element
            count_loop(n, [&](Inst* i) { zero_init(et, array_elem_addr(arr, i, et, false), LANG_ABI_ARRAY_DATA); });
        return own_value(arr, ((Expr*)e)->type); // lower_drop.cpp
    }
    const Type* t = ((Expr*)e)->type;
    if (t->kind != TypeKind::Class && t->kind != TypeKind::Struct) {
        unsupported(e->span, "new of this type");
        return iconst(Ty::Ptr, 0);
    }
    return own_value(construct(t->decl, t, e), t); // lower_drop.cpp (a struct is not tracked)
}

static FieldDecl* find_field(TypeDecl* td, Ident name) {
    for (TypeDecl* t = td; t;) {
        for (Decl* d : t->members)
            if (d->kind == DeclKind::Field && d->name == name) return as<FieldDecl>(d);
        TypeDecl* base = nullptr;
        for (TypeExpr* b : t->bases)
            if (b->resolved && b->resolved->kind == TypeKind::Class) base = b->resolved->decl;
        t = base;
    }
    return nullptr;
}

Inst* Lowerer::construct(TypeDecl* td, const Type* t, NewExpr* e) {
    Inst* obj;
    bool cls = t->kind == TypeKind::Class;
    if (cls) {
        const char* alloc = td->is_gc ? "lang_gc_new" : "lang_obj_new"; // gc class: the thread's gc heap
        use_extern(alloc);
        Inst* ti = emit(Op::addr, Ty::Ptr);
        ti->sym = typeinfo(td);
        obj = call(alloc, Ty::Ptr, {ctx, ti, iconst(Ty::I64, instance_size(td))});
        if (!td->is_gc && cur) { // until the constructor runs, a `try` that leaves frees only the memory
            temps_.push_back(obj);
            temp_unbuilt_.insert(obj);
        }
    } else {
        obj = slot_for(t);
        Inst* z = emit(Op::memzero, Ty::Void, obj);
        z->imm = t->size;
        fresh_aggs_.insert(obj); // its strings move to where it is stored (store_typed)
    }
    // The constructor's arguments first (C#'s order too): the object is still all zero
    // when one of them fails. Then zero values and field initializers, base class first.
    std::vector<Inst*> args{ctx, obj};
    std::vector<std::pair<LVal, Inst*>> wb;
    if (e->ctor) call_args(e->ctor, e->args, args, &wb);
    if (temp_unbuilt_.erase(obj) && cur) temp_drops_[obj] = t; // now a new object like any other
    std::vector<TypeDecl*> chain;
    for (TypeDecl* x = td; x;) {
        chain.push_back(x);
        TypeDecl* base = nullptr;
        for (TypeExpr* b : x->bases)
            if (b->resolved && b->resolved->kind == TypeKind::Class) base = b->resolved->decl;
        x = base;
    }
    for (size_t k = chain.size(); k-- > 0;) {
        for (Decl* d : chain[k]->members) {
            if (d->kind != DeclKind::Field || (d->mods & M_STATIC) || !d->type) continue;
            auto* fd = as<FieldDecl>(d);
            if (fd->init) {
                Inst* v = expr(fd->init);
                store_typed(fd->type, obj, fd->offset, v);
            } else if (needs_zero_init(fd->type)) {
                zero_init(fd->type, obj, fd->offset);
            }
        }
    }
    if (e->ctor) {
        call_v(func_symbol(e->ctor), Ty::Void, args);
        for (auto& [lv, s] : wb) write(lv, load(vars[lv.var].ty, s, 0));
    } else if (cls) {
        if (FuncDecl* bc = implicit_base_ctor(td)) // the implicit constructor runs `base()`
            call_v(func_symbol(bc), Ty::Void, {ctx, obj});
    }
    for (const FieldInit& fi : e->inits) {
        FieldDecl* fd = find_field(td, fi.name);
        if (!fd) {
            unsupported(fi.span, "initializer of an unknown field");
            continue;
        }
        Inst* v = expr(fi.value);
        store_typed(fd->type, obj, fd->offset, v);
    }
    return obj;
}

} // namespace lang::lower

namespace lang::lower {

// try e: on error, the error becomes our own T! result (after the defers) and we return.
Inst* Lowerer::try_expr(TryExpr* e) {
    const Type* ft = e->operand->type;
    // A stored T! (a local, a field, an element) gives its error up: the place keeps its
    // zero value, since our own result now owns the error.
    bool fresh = ft->kind != TypeKind::Fallible || is_new_result(e->operand);
    LVal place = fresh ? LVal{} : lvalue(e->operand);
    Inst* v = fresh ? expr(e->operand) : place.kind == LVal::Mem ? ptr_add(place.base, place.off) : read(place);
    if (ft->kind != TypeKind::Fallible) return v;
    if (!result_ptr || !ret_type || ret_type->kind != TypeKind::Fallible) {
        unsupported(e->span, "try outside a function returning T!");
        return undef(ty(e->type) == Ty::Void ? Ty::I64 : ty(e->type));
    }
    Inst* err = load(Ty::Ptr, v, err_offset(ft));
    Inst* bad = emit(Op::ne, Ty::I8, err, iconst(Ty::Ptr, 0));
    bad->cty = Ty::Ptr;
    Block* prop = mk_block();
    Block* ok = mk_block();
    br(bad, prop, ok);
    seal(prop);
    seal(ok);
    enter(prop);
    error_note("lang_error_trace", err, e->span);
    clear_result_value(ret_type, result_ptr); // as fail_stmt
    store(Ty::Ptr, result_ptr, err_offset(ret_type), err);
    if (!fresh) store(Ty::Ptr, v, err_offset(ft), iconst(Ty::Ptr, 0));
    release_temps(0);
    run_defers(0);
    ret(nullptr);
    enter(ok);
    if (!ft->elem || ft->elem->kind == TypeKind::Void) return nullptr;
    Inst* r = load_typed(ft->elem, v, 0);
    // A call's string! result holds a +1 string: it becomes a temporary here (an aggregate
    // with parts to drop, an object: an owned temporary, lower_drop.cpp).
    if (!is_new_result(e->operand)) return r;
    if (tracked(ft->elem)) return own_value(r, ft->elem);
    return own(r, ft->elem);
}

// e catch d / e catch (err) => h: the value, or the handler's value on error.
Inst* Lowerer::catch_expr(CatchExpr* e) {
    const Type* ft = e->operand->type;
    Inst* v = expr(e->operand);
    if (ft->kind != TypeKind::Fallible) return v;
    Inst* err = load(Ty::Ptr, v, err_offset(ft));
    Inst* bad = emit(Op::ne, Ty::I8, err, iconst(Ty::Ptr, 0));
    bad->cty = Ty::Ptr;
    bool whole = e->type->kind == TypeKind::Fallible; // F() catch G(): either T! result
    Ty rt = ty(e->type);
    bool has_val = rt != Ty::Void;
    bool str = has_val && is_counted(e->type); // as ?: does, a string result is +1 on both arms
    // A tuple or struct of copy types holding strings: its parts are +1 on both arms too,
    // and the result is an owned temporary (a store claims it, the statement's end drops it).
    bool parts = has_val && !whole && !needs_drop(e->type) && drops_agg(e->type);
    uint32_t res = has_val ? new_var(rt) : 0;
    Block* hb = mk_block();
    Block* ok = mk_block();
    Block* join = mk_block();
    br(bad, hb, ok);
    seal(hb);
    seal(ok);
    enter(ok);
    if (whole) {
        def(res, v);
    } else if (has_val) {
        Inst* x = load_typed(ft->elem, v, 0);
        if (str) x = is_new_result(e->operand) ? x : take(x, e->type); // a call's string! result is +1 already
        if (parts && !is_new_result(e->operand)) retain_parts(e->type, x = materialize(e->type, x), 0);
        def(res, x);
    }
    jmp(join);
    enter(hb);
    // The handler of a call's result owns the error: `catch (e)` binds it (dropped when the
    // handler ends unless moved, like an `own` parameter), `catch d` drops it at once
    // (lower_drop.cpp). Of a stored T! it borrows it: the place still holds it.
    size_t dmark = defers.size();
    bool fresh = is_new_result(e->operand);
    if (e->err_var) {
        uint32_t ev = new_var(Ty::Ptr);
        vars[ev].kind = VarKind::Ssa;
        vars[ev].ty = Ty::Ptr;
        vars[ev].type = e->err_var->type;
        extra_vars_[e->err_var] = ev;
        def(ev, err);
        if (owns_drop(e->err_var)) own_drop_local(e->err_var);
    } else if (fresh) {
        use_extern("lang_obj_drop"); // an Error object (a class)
        call("lang_obj_drop", Ty::Void, {ctx, err});
    }
    size_t mark = temps_.size();
    bool drops = has_val && !whole && needs_drop(e->type), owned = false;
    if (e->handler_expr) {
        Inst* h = expr(e->handler_expr);
        if (str && cur) h = take(h, e->type);
        if (parts && cur && !claim_agg(h)) retain_parts(e->type, h = materialize(e->type, h), 0);
        if (drops && cur) owned = claim(h) || (h && h->op == Op::iconst);
        if (has_val && cur) def(res, h);
    } else if (e->handler_block) {
        stmts(e->handler_block);
    }
    if (cur) drop_temps(mark);
    else if (mark < temps_.size()) temps_.resize(mark);
    if (cur) run_defers(dmark);
    defers.resize(dmark);
    jmp(join);
    seal(join);
    enter(join);
    if (!cur) return has_val ? undef(rt) : nullptr;
    if (!has_val) return nullptr;
    Inst* r = use(res);
    // The value came out of the T! result (owned by no one else); the handler's is owned
    // when it was a new value, else the result is a borrow (lower_drop.cpp).
    if ((drops && owned) || parts) return own_value(r, e->type);
    return str ? own(r, e->type) : r;
}

} // namespace lang::lower

namespace lang::lower {

// Finds the implementation of interface method `fd` for the object `recv`: a linear
// search of its type info's {interface, table} pairs, then the table's slot.
Inst* Lowerer::interface_fn(Inst* recv, FuncDecl* fd) {
    TypeDecl* iface = as<TypeDecl>(fd->parent);
    Inst* want = emit(Op::addr, Ty::Ptr);
    want->sym = typeinfo(iface);
    Inst* ti = load(Ty::Ptr, recv, 0);
    Inst* pairs = load(Ty::Ptr, ti, LANG_ABI_TYPEINFO_INTERFACES);
    Inst* n = load(Ty::I64, ti, LANG_ABI_TYPEINFO_INTERFACE_COUNT);
    uint32_t iv = new_var(Ty::I64);
    def(iv, iconst(Ty::I64, 0));
    Block* head = mk_block();
    Block* body = mk_block();
    Block* next = mk_block();
    Block* hit = mk_block();
    Block* miss = mk_block();
    jmp(head);
    enter(head);
    Inst* i = use(iv);
    Inst* more = emit(Op::slt, Ty::I8, i, n);
    more->cty = Ty::I64;
    br(more, body, miss);
    seal(body);
    seal(miss);
    enter(body);
    Inst* e = ptr_add_v(pairs, emit(Op::shl, Ty::I64, i, iconst(Ty::I64, 4)));
    Inst* same = emit(Op::eq, Ty::I8, load(Ty::Ptr, e, 0), want);
    same->cty = Ty::Ptr;
    br(same, hit, next);
    seal(next);
    enter(next);
    def(iv, emit(Op::add, Ty::I64, i, iconst(Ty::I64, 1)));
    jmp(head);
    seal(head);
    enter(miss);
    const char* msg = "interface method not implemented";
    Inst* ma = emit(Op::addr, Ty::Ptr);
    ma->sym = cstring_global(msg, (uint32_t)strlen(msg));
    panic_call("lang_panic", {ma});
    seal(hit);
    enter(hit);
    Inst* table = load(Ty::Ptr, e, 8);
    return load(Ty::Ptr, table, 8 * (int64_t)islot(fd));
}

} // namespace lang::lower
