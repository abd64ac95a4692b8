// lower_expr.cpp: expressions, places (lvalues), operators and conversions (calls and
// object creation are in lower_call.cpp).
//
// expr() returns the SSA value of a scalar expression, or for an aggregate (struct,
// tuple, value T?, payload enum) the address of memory holding it — a variable's own
// slot, a field inside an object, or a fresh temporary. Whoever keeps the value copies
// it (memcpy) into its own storage. Checked signed arithmetic uses addchk/subchk/mulchk;
// division gets explicit /0 and MIN/-1 checks. Conditions are lowered as branches
// (cond_branch) so `&&`, `||`, `!` and `is` need no materialized booleans in `if`/loops.
#include "ir/lower_impl.h"

#include <cstring>

namespace lang::lower {

static Expr* strip_implicit(Expr* e) {
    while (e && e->kind == ExprKind::Cast && !as<CastExpr>(e)->to) e = as<CastExpr>(e)->operand;
    return e;
}

// Expressions whose aggregate value is a fresh temporary nobody else refers to.
bool is_fresh_temp(Expr* e) {
    if (e->kind == ExprKind::Cast && !as<CastExpr>(e)->to) { // wrapping into T? / T! makes a new slot
        const Type* to = e->type;
        const Type* from = as<CastExpr>(e)->operand->type;
        if (to->kind == TypeKind::Nullable && !to->elem->is_pointer_like() && from->kind != TypeKind::Nullable)
            return true;
        if (to->kind == TypeKind::Fallible && from->kind != TypeKind::Fallible) return true;
        return false;
    }
    return e->kind == ExprKind::Call || e->kind == ExprKind::New || e->kind == ExprKind::TupleLit ||
           e->kind == ExprKind::ArrayLit || e->kind == ExprKind::InterpString;
}

// A T! that nothing else holds, which its consumer drops (catch, try, match, `is`): a
// call's result (not a getter's or an indexer's, which borrow), or `F() catch G()` or
// `c ? F() : G()` of two.
bool is_new_result(Expr* e) {
    e = strip_implicit(e);
    if (e->kind == ExprKind::Catch) {
        auto* c = as<CatchExpr>(e);
        return c->handler_expr && is_new_result(c->operand) && is_new_result(c->handler_expr);
    }
    if (e->kind == ExprKind::Ternary && e->type && e->type->kind == TypeKind::Fallible)
        return is_new_result(as<TernaryExpr>(e)->then_e) && is_new_result(as<TernaryExpr>(e)->else_e);
    if (e->kind == ExprKind::Call && returns_borrow(as<CallExpr>(e)->target)) return false;
    return is_fresh_temp(e);
}

// A C-like enum extends like its underlying integer type (i32 unless declared).
static bool enum_signed(const Type* t) {
    if (t->kind != TypeKind::Enum || !t->decl) return false;
    TypeDecl* td = t->decl;
    if (td->underlying && td->underlying->resolved) return td->underlying->resolved->is_signed();
    if (td->bases.size == 1 && td->bases[0] && td->bases[0]->resolved && td->bases[0]->resolved->is_integer())
        return td->bases[0]->resolved->is_signed();
    return true;
}

static bool is_pow2(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }
static int log2i(int64_t v) {
    int n = 0;
    while (v > 1) {
        v >>= 1;
        n++;
    }
    return n;
}

// ---------------------------------------------------------------------------
// Places

LVal Lowerer::var_lval(Decl* d) {
    LVal lv;
    if (!extra_vars_.empty()) {
        auto it = extra_vars_.find(d);
        if (it != extra_vars_.end()) {
            lv.kind = LVal::Var;
            lv.var = it->second;
            lv.type = d->type;
            return lv;
        }
    }
    if (!statics_.empty() && (d->kind == DeclKind::Local || d->kind == DeclKind::Field)) {
        auto it = statics_.find(d);
        if (it != statics_.end()) { // static field or namespace-level variable
            Inst* a = emit(Op::addr, Ty::Ptr);
            a->sym = it->second;
            lv.kind = LVal::Mem;
            lv.base = a;
            lv.type = d->type;
            lv.release_old = true;
            return lv;
        }
    }
    if (!capture_addrs_.empty() && (d->kind == DeclKind::Local || d->kind == DeclKind::Param)) {
        auto it = capture_addrs_.find(d); // a lambda's capture: the variable's address is in the record
        if (it != capture_addrs_.end()) {
            lv.kind = LVal::Mem;
            lv.base = it->second;
            lv.type = d->type;
            lv.release_old = owns_mem_value(d);
            return lv;
        }
    }
    if (d->kind == DeclKind::Local || d->kind == DeclKind::Param) {
        uint32_t idx = d->kind == DeclKind::Local ? as<LocalDecl>(d)->index : param_base + as<ParamDecl>(d)->index;
        if (idx >= vars.size()) vars.resize(idx + 1);
        VarInfo& vi = vars[idx];
        if (vi.kind == VarKind::None) { // first sight (e.g. a binding lowered before its use)
            vi.type = d->type;
            vi.ty = ty(d->type);
            if (is_agg(d->type) || (d->kind == DeclKind::Local && as<LocalDecl>(d)->captured)) { // (lambdas: by address)
                vi.kind = VarKind::Mem;
                vi.addr = slot_for(d->type);
            } else if (d->kind == DeclKind::Local && (as<LocalDecl>(d)->is_mutable || owns_drop(d))) {
                // (an owning `let` too: a move empties it, lower_drop.cpp)
                vi.kind = VarKind::Ssa;
            } else {
                vi.kind = VarKind::Fixed;
            }
        }
        lv.type = d->type;
        if (vi.kind == VarKind::Ssa || vi.kind == VarKind::Fixed) {
            lv.kind = LVal::Var;
            lv.var = idx;
        } else {
            lv.kind = LVal::Mem;
            lv.base = vi.addr;
            lv.release_old = owns_mem_value(d) || (vi.drops && is_agg(d->type)); // (an owning aggregate local, lower_drop.cpp)
        }
        return lv;
    }
    if (d->kind == DeclKind::Field && this_val) {
        lv.kind = LVal::Mem;
        lv.base = this_val;
        lv.off = as<FieldDecl>(d)->offset;
        lv.type = d->type;
        lv.release_old = d->parent && d->parent->kind == DeclKind::Type &&
                         as<TypeDecl>(d->parent)->tkind == TypeDeclKind::Class;
        return lv;
    }
    unsupported(d->span, "this kind of name as a value");
    return lv;
}

// A variable in memory that owns its value (a store releases or drops the old one): a
// `ref` parameter's place, or a local (or `own` parameter) that lambdas capture holding a
// string, a function value or an owned move-type value (the variable itself, or a heap
// closure record's copy of it, or the value moved into the record).
bool Lowerer::owns_mem_value(Decl* d) {
    if (d->kind == DeclKind::Param && as<ParamDecl>(d)->mode == ParamMode::Ref) return true;
    return (d->kind == DeclKind::Local && is_counted(d->type)) || owns_drop(d);
}

LVal Lowerer::lvalue(Expr* e) {
    LVal lv;
    lv.type = e->type;
    switch (e->kind) {
    case ExprKind::Name: {
        auto* ne = as<NameExpr>(e);
        if (ne->decl && ne->decl->kind != DeclKind::Func && ne->decl->kind != DeclKind::EnumCase &&
            ne->decl->kind != DeclKind::Type)
            return var_lval(ne->decl);
        break;
    }
    case ExprKind::RefArg: return lvalue(as<RefArgExpr>(e)->operand);
    case ExprKind::Member: {
        auto* me = as<MemberExpr>(e);
        if (!me->decl || me->decl->kind != DeclKind::Field || me->null_safe) break;
        if (me->decl->mods & M_STATIC) return var_lval(me->decl);
        auto* fd = as<FieldDecl>(me->decl);
        const Type* ot = me->object->type;
        if (ot->kind == TypeKind::Struct || ot->kind == TypeKind::Tuple) {
            LVal o = lvalue(me->object);
            if (o.kind == LVal::Mem) {
                o.off += fd->offset;
                o.type = e->type;
                o.release_old = false; // a part: drop_part does the counting (doc/lowering.md)
                o.drop_part = true;
                return o;
            }
            break;
        }
        lv.kind = LVal::Mem;
        lv.base = expr(me->object);
        lv.off = fd->offset;
        lv.release_old = true;
        return lv;
    }
    case ExprKind::TupleIndex: {
        auto* te = as<TupleIndexExpr>(e);
        LVal o = lvalue(te->object);
        if (o.kind == LVal::Mem) {
            o.off += tuple_offset(te->object->type, te->index);
            o.type = e->type;
            o.release_old = false;
            o.drop_part = true;
            return o;
        }
        break;
    }
    case ExprKind::Index: {
        auto* ie = as<IndexExpr>(e);
        if (ie->object->type->kind == TypeKind::Pointer) { // p[i] (lower_pointers.cpp)
            lv.kind = LVal::Mem;
            lv.base = pointer_elem_addr(expr(ie->object), ie->index, e->type);
            return lv;
        }
        if (ie->object->type->kind != TypeKind::Array) break;
        int64_t off = 0;
        lv.kind = LVal::Mem;
        lv.base = index_addr(ie, &off);
        lv.off = off;
        lv.release_old = true;
        return lv;
    }
    case ExprKind::This:
        lv.kind = LVal::Mem;
        lv.base = this_val;
        return lv;
    case ExprKind::Unary: // *p
        if (as<UnaryExpr>(e)->op != UnOp::Deref) break;
        lv.kind = LVal::Mem;
        lv.base = expr(as<UnaryExpr>(e)->operand);
        return lv;
    default: break;
    }
    // Not a place: evaluate; aggregates still have an address (a temporary).
    Inst* v = expr(e);
    if (is_agg(e->type)) {
        lv.kind = LVal::Mem;
        lv.base = v;
        return lv;
    }
    // A scalar rvalue used as a place (e.g. `ref` of a literal): spill to a slot.
    Inst* s = slot(ir::ty_size(ty(e->type)), ir::ty_size(ty(e->type)));
    store(ty(e->type), s, 0, v);
    lv.kind = LVal::Mem;
    lv.base = s;
    return lv;
}

Inst* Lowerer::load_typed(const Type* t, Inst* base, int64_t off) {
    if (is_agg(t)) return ptr_add(base, off);
    return load(ty(t), base, off);
}

// A copy into fresh (or not counted) memory: the copy holds its own references.
void Lowerer::store_typed(const Type* t, Inst* base, int64_t off, Inst* v) {
    if (is_agg(t)) {
        memcpy_(ptr_add(base, off), v, t->size);
        // A new tuple, struct or call result hands its strings over; a copy of one that
        // lives on holds its own references.
        if (fresh_aggs_.erase(v)) claim(v); // (an owned temporary: no longer dropped, lower_drop.cpp)
        else retain_parts(t, base, off);
        return;
    }
    if (is_counted(t)) v = take(v, t);
    else if (needs_drop(t)) claim(v); // the new place owns it
    store(ty(t), base, off, v);
}

Inst* Lowerer::read(const LVal& lv) {
    switch (lv.kind) {
    case LVal::Var:
        if (vars[lv.var].kind == VarKind::Fixed) {
            Inst* v = vars[lv.var].addr;
            return v ? v : undef(vars[lv.var].ty);
        }
        return use(lv.var);
    case LVal::Mem: return load_typed(lv.type, lv.base, lv.off);
    default: return undef(ty(lv.type));
    }
}

// An assignment: an owning place takes a reference to the new value and releases the old.
void Lowerer::write(const LVal& lv, Inst* v) {
    switch (lv.kind) {
    case LVal::Var:
        if (vars[lv.var].owns) {
            Inst* old = read(lv);
            raw_write(lv, take(v, lv.type));
            release(old, lv.type);
            return;
        }
        if (vars[lv.var].drops) { // an owning local: the new value is claimed, the old dropped
            Inst* old = read(lv);
            raw_write(lv, v);
            claim(v);
            drop_value(lv.type, old);
            return;
        }
        raw_write(lv, v);
        break;
    case LVal::Mem:
        if ((lv.release_old || lv.drop_part) && is_counted(lv.type)) {
            Inst* old = load(Ty::Ptr, lv.base, lv.off);
            store(Ty::Ptr, lv.base, lv.off, take(v, lv.type));
            release(old, lv.type);
            return;
        }
        if ((lv.release_old || lv.drop_part) && needs_drop(lv.type)) {
            Inst* old = load(Ty::Ptr, lv.base, lv.off);
            store(Ty::Ptr, lv.base, lv.off, v);
            claim(v);
            drop_value(lv.type, old);
            return;
        }
        if ((lv.release_old || lv.drop_part) && drops_agg(lv.type)) { // the old value is dropped
            Inst* old = materialize(lv.type, ptr_add(lv.base, lv.off));
            store_typed(lv.type, lv.base, lv.off, v);
            drop_value(lv.type, old);
            return;
        }
        store_typed(lv.type, lv.base, lv.off, v);
        break;
    default: break;
    }
}

Inst* Lowerer::lval_addr(const LVal& lv) {
    if (lv.kind == LVal::Mem) return ptr_add(lv.base, lv.off);
    return nullptr;
}

Inst* Lowerer::materialize(const Type* t, Inst* v) {
    Inst* s = slot_for(t);
    memcpy_(s, v, t->size);
    return s;
}

bool Lowerer::needs_zero_init(const Type* t) {
    switch (t->kind) {
    case TypeKind::String: return true;
    case TypeKind::Array: return true;
    case TypeKind::Enum: {
        const EnumCaseDecl* z = zero_enum_case(t);
        return z && z->tag != 0;
    }
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++)
            if (needs_zero_init(t->elems[i])) return true;
        return false;
    case TypeKind::Struct:
        if (!t->decl) return false;
        for (Decl* d : t->decl->members)
            if (d->kind == DeclKind::Field && !(d->mods & M_STATIC) && d->type && needs_zero_init(d->type)) return true;
        return false;
    default: return false;
    }
}

// Zero values that are not all-zero bytes (spec 3.6): "" for strings (a string is never
// NULL), the shared empty array for arrays, the first member of a C-like enum none of
// whose members has value 0.
Inst* Lowerer::zero_value(const Type* t) {
    if (is_agg(t)) {
        Inst* s = slot(t->size, t->align);
        Inst* z = emit(Op::memzero, Ty::Void, s);
        z->imm = t->size;
        zero_init(t, s, 0);
        return s;
    }
    Ty it = ty(t);
    if (t->kind == TypeKind::String || t->kind == TypeKind::Array || t->kind == TypeKind::Enum) {
        Inst* s = slot(8, 8);
        store(it, s, 0, iconst(it, 0));
        zero_init(t, s, 0);
        return load(it, s, 0);
    }
    return ir::is_float(it) ? fconst(it, 0) : iconst(it, 0);
}

void Lowerer::zero_init(const Type* t, Inst* base, int64_t off) {
    switch (t->kind) {
    case TypeKind::String: {
        Inst* a = emit(Op::addr, Ty::Ptr);
        a->sym = string_global("", 0);
        store(Ty::Ptr, base, off, a);
        break;
    }
    case TypeKind::Array: {
        use_extern("lang_empty_array");
        Inst* a = emit(Op::addr, Ty::Ptr);
        a->sym = "lang_empty_array";
        store(Ty::Ptr, base, off, a);
        break;
    }
    case TypeKind::Enum: {
        const EnumCaseDecl* z = zero_enum_case(t);
        if (z && z->tag != 0) store(ty(t), base, off, iconst(ty(t), z->tag));
        break;
    }
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++) zero_init(t->elems[i], base, off + tuple_offset(t, i));
        break;
    case TypeKind::Struct:
        if (!t->decl) break;
        for (Decl* d : t->decl->members)
            if (d->kind == DeclKind::Field && !(d->mods & M_STATIC) && d->type)
                zero_init(d->type, base, off + as<FieldDecl>(d)->offset);
        break;
    default: break;
    }
}

// ---------------------------------------------------------------------------
// Expressions

Inst* Lowerer::expr(Expr* e) {
    expr_span_ = e->span;
    switch (e->kind) {
    case ExprKind::IntLit: {
        Ty t = ty(e->type);
        if (ir::is_float(t)) return fconst(t, (double)as<IntLitExpr>(e)->value);
        return iconst(t, (int64_t)as<IntLitExpr>(e)->value);
    }
    case ExprKind::FloatLit: {
        Ty t = ty(e->type);
        if (!ir::is_float(t)) t = Ty::F64;
        double v = as<FloatLitExpr>(e)->value;
        if (t == Ty::F32) v = (double)(float)v;
        return fconst(t, v);
    }
    case ExprKind::CharLit: return iconst(Ty::I32, as<CharLitExpr>(e)->value);
    case ExprKind::BoolLit: return iconst(Ty::I8, as<BoolLitExpr>(e)->value ? 1 : 0);
    case ExprKind::StringLit: {
        auto* se = as<StringLitExpr>(e);
        Inst* a = emit(Op::addr, Ty::Ptr);
        a->sym = string_global(se->bytes, se->len);
        return a;
    }
    case ExprKind::InterpString: return interp(as<InterpStringExpr>(e));
    case ExprKind::NullLit:
        if (is_agg(e->type)) {
            Inst* s = slot_for(e->type);
            Inst* z = emit(Op::memzero, Ty::Void, s);
            z->imm = e->type->size;
            return s;
        }
        return iconst(Ty::Ptr, 0);
    case ExprKind::Name: {
        auto* ne = as<NameExpr>(e);
        if (ne->call) return expr(ne->call); // a property read (sema's getter call)
        if (!ne->decl) break;
        if (ne->decl->kind == DeclKind::EnumCase) return enum_case_value(as<EnumCaseDecl>(ne->decl), e->type);
        if (ne->decl->kind == DeclKind::Func && e->type && e->type->kind == TypeKind::Func) {
            auto* fd = as<FuncDecl>(ne->decl);
            if (is_instance_fn(fd) && this_val) // `M` meaning `this.M` (lower_method_values.cpp)
                return own(bind_method(fd, this_val, as<TypeDecl>(fd->parent)->type, false), e->type);
            return function_value(fd);
        }
        if (ne->decl->kind == DeclKind::Func || ne->decl->kind == DeclKind::Type ||
            ne->decl->kind == DeclKind::Namespace)
            break;
        LVal lv = var_lval(ne->decl);
        Inst* v = read(lv);
        return ne->moves ? move_out(lv, v, ne->decl->type, ne->decl) : v; // lower_drop.cpp
    }
    case ExprKind::This:
    case ExprKind::Base:
        if (this_val) return this_val;
        break;
    case ExprKind::Member:
        if (Expr* c = as<MemberExpr>(e)->call) return expr(c); // a property read (sema's getter call)
        return member(as<MemberExpr>(e));
    case ExprKind::TupleIndex: {
        auto* te = as<TupleIndexExpr>(e);
        Inst* o = expr(te->object);
        return load_typed(e->type, o, tuple_offset(te->object->type, te->index));
    }
    case ExprKind::Index: {
        auto* ie = as<IndexExpr>(e);
        if (ie->call) return expr(ie->call); // o[i] on a class or struct: o.get_Item(i)
        if (ie->object->type->kind == TypeKind::String) {
            Inst* s = expr(ie->object);
            Inst* i = convert(expr(ie->index), ie->index->type, c.types.int_(), ie->span);
            use_extern("lang_str_char_at");
            return call("lang_str_char_at", Ty::I32, {ctx, s, i});
        }
        if (ie->object->type->kind == TypeKind::Pointer) // lower_pointers.cpp
            return load_typed(e->type, pointer_elem_addr(expr(ie->object), ie->index, e->type), 0);
        if (ie->object->type->kind != TypeKind::Array) break;
        int64_t off = 0;
        Inst* a = index_addr(ie, &off);
        return load_typed(e->type, a, off);
    }
    case ExprKind::Call: return call_expr(as<CallExpr>(e), false);
    case ExprKind::Spawn: return spawn_expr(as<SpawnExpr>(e), false); // lower_concurrency.cpp
    case ExprKind::Unary: {
        auto* ue = as<UnaryExpr>(e);
        Ty t = ty(e->type);
        switch (ue->op) {
        case UnOp::Neg: {
            if (ue->operand->kind == ExprKind::IntLit && !ir::is_float(t))
                return iconst(t, -(int64_t)as<IntLitExpr>(ue->operand)->value);
            Inst* v = expr(ue->operand);
            if (ir::is_float(t)) return emit(Op::fneg, t, v);
            if (e->type->is_signed() || e->type->kind == TypeKind::Duration) return emit(Op::subchk, t, iconst(t, 0), v);
            return emit(Op::neg, t, v);
        }
        case UnOp::Not: return emit(Op::Xor, Ty::I8, expr(ue->operand), iconst(Ty::I8, 1));
        case UnOp::BitNot: return emit(Op::Not, t, expr(ue->operand));
        case UnOp::Deref: case UnOp::AddrOf: return pointer_unary(ue); // lower_pointers.cpp
        default: break;
        }
        break;
    }
    case ExprKind::Binary: return binary(as<BinaryExpr>(e));
    case ExprKind::Assign: return assign(as<AssignExpr>(e));
    case ExprKind::Ternary: return ternary(as<TernaryExpr>(e));
    case ExprKind::Cast: {
        auto* ce = as<CastExpr>(e);
        return convert(expr(ce->operand), ce->operand->type, e->type, e->span);
    }
    case ExprKind::Is: return condition_value(e);
    case ExprKind::New: return new_expr(as<NewExpr>(e));
    case ExprKind::ArrayLit: return array_lit(as<ArrayLitExpr>(e));
    case ExprKind::TupleLit: {
        auto* te = as<TupleLitExpr>(e);
        Inst* s = slot_for(e->type);
        for (uint32_t i = 0; i < te->elems.size; i++) {
            Inst* v = expr(te->elems[i]);
            store_typed(e->type->elems[i], s, tuple_offset(e->type, i), v);
        }
        return own_value(s, e->type); // its parts move to where it is stored (or are dropped)
    }
    case ExprKind::Match: return match(as<MatchExpr>(e));
    case ExprKind::Lambda: return lambda_value(as<LambdaExpr>(e));
    case ExprKind::Sizeof: {
        auto* se = as<SizeofExpr>(e);
        const Type* t = se->of ? se->of->resolved : nullptr;
        return iconst(ty(e->type), t ? t->size : 0);
    }
    case ExprKind::RefArg: return expr(as<RefArgExpr>(e)->operand);
    case ExprKind::As: {
        // x as C (C a class): x when its dynamic type is C or derives from it, else null.
        auto* ae = as<AsExpr>(e);
        const Type* want = ae->to ? ae->to->resolved : nullptr;
        if (want && want->kind == TypeKind::Nullable) want = want->elem;
        if (!want || want->kind != TypeKind::Class || !want->decl) break;
        Inst* v = expr(ae->operand);
        Pattern p;
        p.kind = PatternKind::TypeTest;
        p.span = e->span;
        TypeExpr te = *ae->to;
        te.resolved = want;
        p.type = &te;
        Block* ok = mk_block();
        Block* no = mk_block();
        Block* join = mk_block();
        uint32_t res = new_var(Ty::Ptr);
        pattern(&p, v, ae->operand->type, no);
        jmp(ok);
        seal(ok);
        seal(no);
        enter(ok);
        if (cur) {
            def(res, v);
            jmp(join);
        }
        enter(no);
        if (cur) {
            def(res, iconst(Ty::Ptr, 0));
            jmp(join);
        }
        seal(join);
        enter(join);
        return use(res);
    }
    case ExprKind::Try: return try_expr(as<TryExpr>(e));
    case ExprKind::Catch: return catch_expr(as<CatchExpr>(e));
    case ExprKind::Typeof: {
        auto* te = as<TypeofExpr>(e);
        const Type* t = te->of ? te->of->resolved : nullptr;
        if (!t) break;
        return typeof_value(t); // lower_reflect.cpp
    }
    case ExprKind::CallerLoc: return caller_location(e); // lower_context.cpp
    default: break;
    }
    unsupported(e->span, "this expression");
    return is_agg(e->type) ? slot_for(e->type) : undef(ty(e->type) == Ty::Void ? Ty::I64 : ty(e->type));
}

Lowerer::NullSafe Lowerer::null_safe_enter(Expr* obj, const Type* rt, Inst** value) {
    const Type* ot = obj->type;
    Inst* o = nullptr;
    if (is_agg(ot)) { // {T, flag}: use the place itself when there is one
        LVal lv = lvalue(obj);
        o = lval_addr(lv);
        if (!o) o = read(lv);
    } else {
        o = expr(obj);
    }
    Inst* isnull = is_null(o, ot);
    *value = nullable_value(o, ot);
    NullSafe ns;
    ns.nb = mk_block();
    Block* vb = mk_block();
    ns.join = mk_block();
    ns.has_val = rt->kind != TypeKind::Void;
    ns.res = ns.has_val ? new_var(ty(rt)) : 0;
    br(isnull, ns.nb, vb);
    seal(ns.nb);
    seal(vb);
    enter(vb);
    ns.temp_mark = temps_.size();
    return ns;
}

Inst* Lowerer::null_safe_leave(NullSafe& ns, Inst* r, const Type* vt, const Type* rt, Span span) {
    bool owned = false; // `x?.M()` of a new object: owned on both paths (null on the other)
    if (cur) {
        if (ns.has_val) {
            Inst* v = vt == rt ? r : convert(r, vt, rt, span);
            if (is_counted(rt)) v = take(v, rt);
            if (tracked(rt)) owned = claim_agg(v) || claim_agg(r);
            drop_temps(ns.temp_mark);
            def(ns.res, v);
        } else {
            drop_temps(ns.temp_mark);
        }
        jmp(ns.join);
    }
    if (temps_.size() > ns.temp_mark) temps_.resize(ns.temp_mark);
    enter(ns.nb);
    if (ns.has_val) {
        if (is_agg(rt)) {
            Inst* s = slot_for(rt);
            Inst* z = emit(Op::memzero, Ty::Void, s);
            z->imm = rt->size;
            def(ns.res, s);
        } else {
            def(ns.res, iconst(ty(rt), 0));
        }
    }
    jmp(ns.join);
    seal(ns.join);
    enter(ns.join);
    if (!ns.has_val) return nullptr;
    Inst* res = use(ns.res);
    if (owned) return own_value(res, rt); // lower_drop.cpp
    return own(res, rt);
}

static Inst* builtin_property(Lowerer& l, MemberExpr* e, Inst* o) {
    switch (e->builtin) {
    case B_StringLength: return l.load(Ty::I64, o, LANG_ABI_STRING_LENGTH);
    case B_StringByteLength: return l.load(Ty::I64, o, 8);
    case B_ArrayLength: return l.load(Ty::I64, o, 0);
    case B_ErrorName: // the run-time class name, a new string
        l.use_extern("lang_error_name");
        return l.own(l.call("lang_error_name", Ty::Ptr, {l.ctx, o}));
    case B_SbLength: return l.load(Ty::I64, l.load(Ty::Ptr, o, LANG_ABI_STRING_DATA + 8), LANG_ABI_STRING_LENGTH); // the buffer's length (text.c)
    case B_DurTotalNanos: return o; // a Duration is its nanoseconds
    case B_DurTotalMicros: return l.emit(Op::sdiv, Ty::I64, o, l.iconst(Ty::I64, 1000));
    case B_DurTotalMillis: return l.emit(Op::sdiv, Ty::I64, o, l.iconst(Ty::I64, 1000000));
    case B_DurTotalSeconds: {
        Inst* f = l.emit(Op::sitof, Ty::F64, o);
        f->cty = Ty::I64;
        return l.emit(Op::fdiv, Ty::F64, f, l.fconst(Ty::F64, 1e9));
    }
    case B_MathPI: return l.fconst(Ty::F64, 3.14159265358979323846);
    case B_MathE: return l.fconst(Ty::F64, 2.71828182845904523536);
    default:
        if (Inst* r = l.reflect_property(e, o)) return r; // lower_reflect.cpp
        l.unsupported(e->span, "this builtin property");
        return l.undef(Ty::I64);
    }
}

Inst* Lowerer::member(MemberExpr* e) {
    if (e->decl && e->decl->kind == DeclKind::Func && e->type && e->type->kind == TypeKind::Func)
        return is_instance_fn(as<FuncDecl>(e->decl)) ? own(method_value(e), e->type) // obj.M (lower_method_values.cpp)
                                                     : function_value(as<FuncDecl>(e->decl)); // Type.F as a value
    if (e->null_safe && (e->builtin || (e->decl && e->decl->kind == DeclKind::Field))) {
        // a?.f / s?.Length: null when a is null, else the member wrapped as T?.
        Inst* inner;
        NullSafe ns = null_safe_enter(e->object, e->type, &inner);
        const Type* vt;
        Inst* v;
        if (e->builtin) { // s?.Length, e?.Name, t?.Base: the property's type, made nullable
            vt = e->type->kind == TypeKind::Nullable ? e->type->elem : e->type;
            v = builtin_property(*this, e, inner);
        } else {
            auto* fd = as<FieldDecl>(e->decl);
            vt = fd->type;
            v = load_typed(fd->type, inner, fd->offset);
        }
        return null_safe_leave(ns, v, vt, e->type, e->span);
    }
    if (e->builtin >= B_ContextAllocator) return context_member(e); // lower_context.cpp
    if (e->builtin == B_MathPI || e->builtin == B_MathE) return builtin_property(*this, e, nullptr); // Math has no value
    if (e->builtin) return builtin_property(*this, e, expr(e->object));
    if (!e->decl) {
        unsupported(e->span, "member without declaration");
        return undef(Ty::I64);
    }
    if (e->decl->kind == DeclKind::EnumCase) return enum_case_value(as<EnumCaseDecl>(e->decl), e->type);
    if (e->decl->kind == DeclKind::Field && (e->decl->mods & M_STATIC)) return read(var_lval(e->decl));
    if (e->decl->kind != DeclKind::Field) {
        unsupported(e->span, "this member access");
        return is_agg(e->type) ? slot_for(e->type) : undef(ty(e->type));
    }
    auto* fd = as<FieldDecl>(e->decl);
    const Type* ot = e->object->type;
    if (ot->kind == TypeKind::Struct || ot->kind == TypeKind::Tuple) {
        LVal lv = lvalue(e);
        return read(lv);
    }
    Inst* o = expr(e->object);
    return load_typed(e->type, o, fd->offset);
}

Inst* Lowerer::index_addr(IndexExpr* e, int64_t* off) {
    Inst* arr = expr(e->object);
    Inst* idx = convert(expr(e->index), e->index->type, c.types.int_(), e->span);
    *off = LANG_ABI_ARRAY_DATA;
    return array_elem_addr(arr, idx, e->object->type->elem, true);
}

// Address of element `idx` minus the 32-byte header offset (the caller adds 32).
// for (i = 0; i < n; i++) body(i), as an SSA loop; lowering goes on after the loop.
void Lowerer::count_loop(Inst* n, const std::function<void(Inst* i)>& body_fn) {
    index_loop(
        [&](Inst* i) {
            Inst* lt = emit(Op::slt, Ty::I8, i, n);
            lt->cty = Ty::I64;
            return lt;
        },
        body_fn);
}

// for (i = 0; cond(i); i++) body(i); *count (when asked) is i after the loop.
void Lowerer::index_loop(const std::function<Inst*(Inst* i)>& cond, const std::function<void(Inst* i)>& body_fn,
                         Inst** count) {
    uint32_t iv = new_var(Ty::I64);
    def(iv, iconst(Ty::I64, 0));
    Block* head = mk_block();
    Block* body = mk_block();
    Block* done = mk_block();
    jmp(head);
    enter(head);
    Inst* i = use(iv);
    br(cond(i), body, done);
    seal(body);
    enter(body);
    body_fn(i);
    def(iv, emit(Op::add, Ty::I64, i, iconst(Ty::I64, 1)));
    jmp(head);
    seal(head);
    seal(done);
    enter(done);
    if (count) *count = use(iv);
}

Inst* Lowerer::array_elem_addr(Inst* arr, Inst* idx, const Type* elem, bool check) {
    if (check) {
        Inst* len = load(Ty::I64, arr, 0);
        Inst* ok = emit(Op::ult, Ty::I8, idx, len);
        ok->cty = Ty::I64;
        Block* okb = mk_block();
        Block* bad = mk_block();
        br(ok, okb, bad);
        seal(okb);
        seal(bad);
        enter(bad);
        panic_call("lang_panic_bounds", {idx, len});
        enter(okb);
    }
    int64_t sz = elem->size;
    Inst* off;
    if (sz == 1)
        off = idx;
    else if (is_pow2(sz))
        off = emit(Op::shl, Ty::I64, idx, iconst(Ty::I64, log2i(sz)));
    else
        off = emit(Op::mul, Ty::I64, idx, iconst(Ty::I64, sz));
    return ptr_add_v(arr, off);
}

Inst* Lowerer::enum_case_value(EnumCaseDecl* ec, const Type* t) {
    if (!is_agg(t)) return iconst(ty(t), ec->tag);
    int64_t tag_size, payload_off;
    enum_layout(t, &tag_size, &payload_off);
    Inst* s = slot_for(t);
    Inst* z = emit(Op::memzero, Ty::Void, s);
    z->imm = t->size;
    Ty tt = tag_size == 1 ? Ty::I8 : tag_size == 2 ? Ty::I16 : tag_size == 8 ? Ty::I64 : Ty::I32;
    store(tt, s, 0, iconst(tt, ec->tag));
    return s;
}

// ---------------------------------------------------------------------------
// Operators

Inst* Lowerer::binary(BinaryExpr* e) {
    switch (e->op) {
    case BinOp::And:
    case BinOp::Or: return condition_value(e);
    case BinOp::Coalesce: return coalesce(e);
    case BinOp::Eq:
    case BinOp::Ne:
    case BinOp::Lt:
    case BinOp::Le:
    case BinOp::Gt:
    case BinOp::Ge: {
        // Comparison against the null literal of a value T?: test the flag.
        Expr* l = strip_implicit(e->lhs);
        Expr* r = strip_implicit(e->rhs);
        const Type* t = e->lhs->type;
        if ((e->op == BinOp::Eq || e->op == BinOp::Ne) && t->kind == TypeKind::Nullable &&
            (l->kind == ExprKind::NullLit || r->kind == ExprKind::NullLit)) {
            Expr* other = l->kind == ExprKind::NullLit ? e->rhs : e->lhs;
            Inst* v = expr(other);
            Inst* n = is_null(v, other->type);
            return e->op == BinOp::Eq ? n : emit(Op::Xor, Ty::I8, n, iconst(Ty::I8, 1));
        }
        Inst* a = expr(e->lhs);
        Inst* b = expr(e->rhs);
        return compare(e->op, t, a, b);
    }
    default: {
        if (e->lhs->type->kind == TypeKind::Pointer) return pointer_arith(e); // lower_pointers.cpp
        Inst* a = expr(e->lhs);
        Inst* b = expr(e->rhs);
        if ((e->op == BinOp::Shl || e->op == BinOp::Shr) && e->rhs->type != e->type)
            b = convert(b, e->rhs->type, e->type, e->span);
        return arith(e->op, e->type, a, b);
    }
    }
}

Inst* Lowerer::arith(BinOp op, const Type* t, Inst* a, Inst* b) {
    Ty it = ty(t);
    if (t->kind == TypeKind::String) {
        if (op == BinOp::Add) return str_concat(a, b);
        unsupported(Span{}, "string operator");
        return a;
    }
    if (t->is_float()) {
        switch (op) {
        case BinOp::Add: return emit(Op::fadd, it, a, b);
        case BinOp::Sub: return emit(Op::fsub, it, a, b);
        case BinOp::Mul: return emit(Op::fmul, it, a, b);
        case BinOp::Div: return emit(Op::fdiv, it, a, b);
        case BinOp::Mod: return emit(Op::frem, it, a, b); // C's fmod
        default: break;
        }
        unsupported(Span{}, "float operator");
        return a;
    }
    bool sgn = t->is_signed() || t->kind == TypeKind::Duration; // a Duration: int64 nanoseconds
    switch (op) { // +% -% *%: the plain instruction in the type's width wraps (no check)
    case BinOp::AddWrap: return emit(Op::add, it, a, b);
    case BinOp::SubWrap: return emit(Op::sub, it, a, b);
    case BinOp::MulWrap: return emit(Op::mul, it, a, b);
    default: break;
    }
    if (!sgn && (op == BinOp::Add || op == BinOp::Sub || op == BinOp::Mul) && t->kind != TypeKind::Enum)
        return unsigned_checked(op, it, a, b);
    switch (op) {
    case BinOp::Add: return emit(sgn ? Op::addchk : Op::add, it, a, b);
    case BinOp::Sub: return emit(sgn ? Op::subchk : Op::sub, it, a, b);
    case BinOp::Mul: return emit(sgn ? Op::mulchk : Op::mul, it, a, b);
    case BinOp::Div:
    case BinOp::Mod: {
        // A divisor known at lowering time skips the checks it cannot fail; -1 needs
        // the overflow check (MIN / -1) and `x % -1` is 0 for every x (x86's idiv
        // traps on MIN % -1, so it is never emitted).
        bool bconst = b->op == Op::iconst;
        bool minus1 = sgn && bconst && b->imm == -1;
        if (!bconst || b->imm == 0) {
            Inst* z = emit(Op::eq, Ty::I8, b, iconst(it, 0));
            z->cty = it;
            Block* bad = mk_block();
            Block* ok = mk_block();
            br(z, bad, ok);
            seal(bad);
            seal(ok);
            enter(bad);
            panic_call("lang_panic_divzero", {});
            enter(ok);
        }
        if (sgn && (!bconst || minus1)) {
            if (op == BinOp::Div) {
                // MIN / -1 overflows.
                int bits = (int)ir::ty_size(it) * 8;
                int64_t minv = bits == 64 ? INT64_MIN : -((int64_t)1 << (bits - 1));
                Inst* mn = emit(Op::eq, Ty::I8, a, iconst(it, minv));
                mn->cty = it;
                Inst* bad_ops = mn;
                if (!minus1) {
                    Inst* m1 = emit(Op::eq, Ty::I8, b, iconst(it, -1));
                    m1->cty = it;
                    bad_ops = emit(Op::And, Ty::I8, m1, mn);
                }
                panic_when(bad_ops, "lang_panic_overflow");
            } else if (minus1) {
                return iconst(it, 0);
            } else {
                // Divide by 1 instead of -1: the remainder is 0 either way.
                Inst* m1 = emit(Op::eq, Ty::I8, b, iconst(it, -1));
                m1->cty = it;
                Inst* sel = emit(Op::select, it, m1, iconst(it, 1));
                sel->args.push(m.body(), b);
                b = sel;
            }
        }
        if (op == BinOp::Div) return emit(sgn ? Op::sdiv : Op::udiv, it, a, b);
        return emit(sgn ? Op::srem : Op::urem, it, a, b);
    }
    case BinOp::BitAnd: return emit(Op::And, it, a, b);
    case BinOp::BitOr: return emit(Op::Or, it, a, b);
    case BinOp::BitXor: return emit(Op::Xor, it, a, b);
    case BinOp::Shl:
    case BinOp::Shr: {
        int bits = (int)ir::ty_size(it) * 8;
        Inst* cnt = emit(Op::And, it, b, iconst(it, bits - 1));
        if (op == BinOp::Shl) return emit(Op::shl, it, a, cnt);
        return emit(sgn ? Op::sar : Op::shr, it, a, cnt);
    }
    default: break;
    }
    unsupported(Span{}, "operator");
    return a;
}

// Unsigned + - * panic on wrap-around like the signed ones (the IR's *chk ops are signed):
// narrow types compute in i64 and compare against the maximum; u64 uses carry tests.
Inst* Lowerer::unsigned_checked(BinOp op, Ty it, Inst* a, Inst* b) {
    Op o = op == BinOp::Add ? Op::add : op == BinOp::Sub ? Op::sub : Op::mul;
    Inst* r;
    Inst* ovf;
    if (it != Ty::I64 && it != Ty::Ptr) {
        Inst* za = emit(Op::zext, Ty::I64, a);
        za->cty = it;
        Inst* zb = emit(Op::zext, Ty::I64, b);
        zb->cty = it;
        Inst* w = emit(o, Ty::I64, za, zb);
        int64_t maxv = it == Ty::I8 ? 0xff : it == Ty::I16 ? 0xffff : 0xffffffffll;
        ovf = emit(Op::ugt, Ty::I8, w, iconst(Ty::I64, maxv));
        ovf->cty = Ty::I64;
        r = emit(Op::trunc, it, w);
        r->cty = Ty::I64;
    } else if (op == BinOp::Add) {
        r = emit(Op::add, it, a, b);
        ovf = emit(Op::ult, Ty::I8, r, a);
        ovf->cty = it;
    } else if (op == BinOp::Sub) {
        ovf = emit(Op::ult, Ty::I8, a, b);
        ovf->cty = it;
        r = emit(Op::sub, it, a, b);
    } else {
        r = emit(Op::mul, it, a, b);
        Inst* az = emit(Op::eq, Ty::I8, a, iconst(it, 0));
        az->cty = it;
        Inst* d = emit(Op::select, it, az, iconst(it, 1));
        d->args.push(m.body(), a);
        Inst* q = emit(Op::udiv, it, r, d);
        Inst* nz = emit(Op::Xor, Ty::I8, az, iconst(Ty::I8, 1));
        Inst* ne = emit(Op::ne, Ty::I8, q, b);
        ne->cty = it;
        ovf = emit(Op::And, Ty::I8, nz, ne);
    }
    panic_when(ovf, "lang_panic_overflow");
    return r;
}

Inst* Lowerer::compare(BinOp op, const Type* t, Inst* a, Inst* b) {
    if (t->kind == TypeKind::Nullable && (op == BinOp::Eq || op == BinOp::Ne)) {
        Inst* r = nullable_eq(t, a, b);
        return op == BinOp::Eq ? r : emit(Op::Xor, Ty::I8, r, iconst(Ty::I8, 1));
    }
    if (t->kind == TypeKind::String) {
        if (op == BinOp::Eq || op == BinOp::Ne) {
            use_extern("lang_str_eq");
            Inst* r = call("lang_str_eq", Ty::I8, {a, b});
            return op == BinOp::Eq ? r : emit(Op::Xor, Ty::I8, r, iconst(Ty::I8, 1));
        }
        use_extern("lang_str_cmp");
        a = call("lang_str_cmp", Ty::I64, {a, b});
        b = iconst(Ty::I64, 0);
        t = c.types.int_();
    }
    if (is_agg(t)) {
        unsupported(Span{}, "comparison of aggregate values");
        return iconst(Ty::I8, 0);
    }
    Ty it = ty(t);
    Op o;
    if (t->is_float()) {
        static const Op fo[] = {Op::feq, Op::fne, Op::flt, Op::fle, Op::fgt, Op::fge};
        o = fo[(int)op - (int)BinOp::Eq];
    } else if (op == BinOp::Eq) {
        o = Op::eq;
    } else if (op == BinOp::Ne) {
        o = Op::ne;
    } else {
        bool u = is_unsigned(t) || it == Ty::Ptr || (t->kind == TypeKind::Enum && !enum_signed(t));
        static const Op so[] = {Op::slt, Op::sle, Op::sgt, Op::sge};
        static const Op uo[] = {Op::ult, Op::ule, Op::ugt, Op::uge};
        o = (u ? uo : so)[(int)op - (int)BinOp::Lt];
    }
    Inst* r = emit(o, Ty::I8, a, b);
    r->cty = it;
    return r;
}

// T? == T?: both null, or both present with equal values.
Inst* Lowerer::nullable_eq(const Type* t, Inst* a, Inst* b) {
    const Type* et = t->elem;
    if (et->is_pointer_like() && et->kind != TypeKind::String) {
        Inst* r = emit(Op::eq, Ty::I8, a, b);
        r->cty = Ty::Ptr;
        return r;
    }
    if (et->kind == TypeKind::String) { // lang_str_eq needs two strings: test null first
        Inst* an = is_null(a, t);
        Inst* bn = is_null(b, t);
        Inst* any = emit(Op::Or, Ty::I8, an, bn);
        Block* nb = mk_block();
        Block* vb = mk_block();
        Block* join = mk_block();
        uint32_t res = new_var(Ty::I8);
        br(any, nb, vb);
        seal(nb);
        seal(vb);
        enter(nb);
        Inst* same = emit(Op::eq, Ty::I8, a, b);
        same->cty = Ty::Ptr;
        def(res, same);
        jmp(join);
        enter(vb);
        use_extern("lang_str_eq");
        def(res, call("lang_str_eq", Ty::I8, {a, b}));
        jmp(join);
        seal(join);
        enter(join);
        return use(res);
    }
    if (is_agg(et)) {
        unsupported(Span{}, "comparison of aggregate values");
        return iconst(Ty::I8, 0);
    }
    // Values of absent optionals are zero bytes or stale: compare them anyway, mask after.
    Inst* fa = load(Ty::I8, a, et->size);
    Inst* fb = load(Ty::I8, b, et->size);
    Inst* veq = compare(BinOp::Eq, et, load_typed(et, a, 0), load_typed(et, b, 0));
    Inst* same_flag = emit(Op::eq, Ty::I8, fa, fb);
    same_flag->cty = Ty::I8;
    Inst* absent = emit(Op::Xor, Ty::I8, fa, iconst(Ty::I8, 1));
    return emit(Op::And, Ty::I8, same_flag, emit(Op::Or, Ty::I8, absent, veq));
}

void Lowerer::cond_branch(Expr* e, Block* t, Block* fblk) {
    switch (e->kind) {
    case ExprKind::BoolLit:
        jmp(as<BoolLitExpr>(e)->value ? t : fblk);
        return;
    case ExprKind::Unary:
        if (as<UnaryExpr>(e)->op == UnOp::Not) {
            cond_branch(as<UnaryExpr>(e)->operand, fblk, t);
            return;
        }
        break;
    case ExprKind::Binary: {
        auto* be = as<BinaryExpr>(e);
        if (be->op == BinOp::And || be->op == BinOp::Or) {
            Block* mid = mk_block();
            if (be->op == BinOp::And)
                cond_branch(be->lhs, mid, fblk);
            else
                cond_branch(be->lhs, t, mid);
            seal(mid);
            enter(mid);
            cond_branch(be->rhs, t, fblk);
            return;
        }
        break;
    }
    case ExprKind::Is: {
        auto* ie = as<IsExpr>(e);
        size_t mark = temps_.size();
        Inst* v = expr(ie->operand);
        // A string (function value, handle) operand gives the binding its own reference,
        // released when the binding's scope ends (lower_is_owners.cpp); where the owner was
        // not prepared it is never released (a leak, never a dangling binding).
        if (is_counted(ie->operand->type)) take(v, ie->operand->type);
        // A new object the binding names is not dropped here: the binding owns it (null
        // until the pattern matches, prepare_is_owners). A new aggregate the bindings borrow
        // from moves to its owner slot. A miss drops either at once; a match leaves it to
        // the owner (lower_is_owners.cpp).
        const Type* ot = ie->operand->type;
        Decl* bd = ie->pattern ? ie->pattern->decl : nullptr;
        Inst* owner = nullptr;
        bool fresh_result = ot->kind == TypeKind::Fallible && is_new_result(ie->operand); // (no temporary)
        if (bd && is_counted(ot) && counted_binding(bd) && is_owner_slots_.count(ie)) {
            owned_bindings_.push_back({bd, nullptr, nullptr});
            owner = v; // (a miss leaves null, or a value no binding holds: released)
        } else if (bd && needs_drop(ot) && claim(v)) {
            if (owns_drop(bd)) {
                LVal lv = var_lval(bd);
                raw_write(lv, iconst(Ty::Ptr, 0));
                if (lv.kind == LVal::Var) vars[lv.var].drops = true; // (a move in the condition empties it)
            }
            // (Only where prepare_is_owners emptied it: elsewhere the binding is left alone,
            // a leak, since some path to a drop might not have set it.)
            if (is_owner_slots_.count(ie)) owned_bindings_.push_back({bd, nullptr, nullptr});
            owner = v;
        } else if (is_agg(ot) && owns_parts(ot) && binds(ie->pattern)) {
            Inst* s = take_is_owner(ie, v, fresh_result);
            if (s != v) owner = v = s;
            else claim_agg(v); // (no owner slot: left alone, a leak, never a dangling binding)
        } else if (fresh_result) { // `F() is Err(_)`: nothing binds it, so it goes once tested
            drop_temps(mark);
            Block* miss = mk_block();
            pattern(ie->pattern, v, ot, miss);
            drop_value(ot, v);
            jmp(t);
            seal(miss);
            enter(miss);
            drop_value(ot, v);
            jmp(fblk);
            return;
        }
        drop_temps(mark);
        if (!owner) {
            pattern(ie->pattern, v, ot, fblk);
            jmp(t);
            return;
        }
        Block* miss = mk_block();
        pattern(ie->pattern, v, ot, miss);
        jmp(t);
        seal(miss);
        enter(miss);
        drop_value(ot, owner);
        if (is_agg(ot)) { // (its owner is dropped again when its scope ends)
            Inst* z = emit(Op::memzero, Ty::Void, owner);
            z->imm = ot->size;
        }
        jmp(fblk);
        return;
    }
    default: break;
    }
    size_t mark = temps_.size();
    Inst* v = expr(e);
    drop_temps(mark); // before the branch: the condition's strings are dead
    br(v, t, fblk);
}

// A condition as a value: `a && b`, `a || b` and `x is T` branch through cond_branch
// (short-circuiting, binding pattern variables) and join on a 0/1 variable.
Inst* Lowerer::condition_value(Expr* e) {
    Block* t = mk_block();
    Block* fb = mk_block();
    Block* join = mk_block();
    uint32_t res = new_var(Ty::I8);
    cond_branch(e, t, fb);
    seal(t);
    seal(fb);
    enter(t);
    if (cur) {
        def(res, iconst(Ty::I8, 1));
        jmp(join);
    }
    enter(fb);
    if (cur) {
        def(res, iconst(Ty::I8, 0));
        jmp(join);
    }
    seal(join);
    enter(join);
    return use(res);
}

Inst* Lowerer::ternary(TernaryExpr* e) {
    Block* t = mk_block();
    Block* fb = mk_block();
    Block* join = mk_block();
    bool has_val = ty(e->type) != Ty::Void;
    uint32_t res = has_val ? new_var(ty(e->type)) : 0;
    cond_branch(e->cond, t, fb);
    seal(t);
    seal(fb);
    bool str = has_val && is_counted(e->type);
    // A move-type result is owned when every arm gave an owned value (or null); an arm that
    // reads a place makes it a borrow, and an owned value of another arm then leaks.
    bool drops = has_val && tracked(e->type);
    int owned = 0, borrowed = 0;
    auto arm = [&](Expr* x) { // an arm's strings are released in the arm; a string result is +1
        size_t mark = temps_.size();
        Inst* v = expr(x);
        if (str && cur) v = take(v, e->type);
        if (drops && cur) {
            if (claim_agg(v)) owned++;
            else if (v && v->op != Op::iconst) borrowed++;
        }
        if (cur) drop_temps(mark); else if (mark < temps_.size()) temps_.resize(mark);
        if (has_val && cur) def(res, v);
        jmp(join);
    };
    enter(t);
    if (cur) arm(e->then_e);
    enter(fb);
    if (cur) arm(e->else_e);
    seal(join);
    enter(join);
    if (!cur) return has_val ? undef(ty(e->type)) : nullptr; // both branches panic
    if (!has_val) return nullptr;
    Inst* r = use(res);
    if (drops && owned && !borrowed) return own_value(r, e->type);
    return str ? own(r, e->type) : r;
}

// Branches to a block that calls the runtime's panic `fn` when `cond` holds; lowering
// continues in the block where it does not.
void Lowerer::panic_when(Inst* cond, const char* fn) {
    Block* bad = mk_block();
    Block* ok = mk_block();
    br(cond, bad, ok);
    seal(bad);
    seal(ok);
    enter(bad);
    panic_call(fn, {});
    enter(ok);
}

Inst* Lowerer::is_null(Inst* v, const Type* t) {
    if (t->kind != TypeKind::Nullable || t->elem->is_pointer_like()) {
        Inst* r = emit(Op::eq, Ty::I8, v, iconst(Ty::Ptr, 0));
        r->cty = Ty::Ptr;
        return r;
    }
    Inst* flag = load(Ty::I8, v, t->elem->size);
    Inst* r = emit(Op::eq, Ty::I8, flag, iconst(Ty::I8, 0));
    r->cty = Ty::I8;
    return r;
}

Inst* Lowerer::nullable_value(Inst* v, const Type* t) {
    if (t->kind != TypeKind::Nullable || t->elem->is_pointer_like()) return v;
    return load_typed(t->elem, v, 0);
}

Inst* Lowerer::wrap_nullable(Inst* v, const Type* inner, const Type* nt) {
    if (nt->elem->is_pointer_like()) return v;
    bool owned = is_agg(inner) && fresh_aggs_.count(v); // a new value: so is its T?
    Inst* s = slot_for(nt);
    if (is_agg(inner) && !owned) memcpy_(s, v, inner->size); // a borrowed copy (its store retains)
    else store_typed(inner, s, 0, v);
    store(Ty::I8, s, inner->size, iconst(Ty::I8, 1));
    return owned ? own_value(s, nt) : s;
}

Inst* Lowerer::coalesce(BinaryExpr* e) {
    const Type* lt = e->lhs->type;
    Inst* v = expr(e->lhs);
    Inst* isnull = is_null(v, lt);
    Block* nb = mk_block();
    Block* vb = mk_block();
    Block* join = mk_block();
    Ty rt = ty(e->type);
    uint32_t res = new_var(rt);
    br(isnull, nb, vb);
    seal(nb);
    seal(vb);
    bool str = is_counted(e->type);
    // A move-type result is owned when both sides were (the left one is null on the other
    // path, so claiming it there is right); otherwise it is a borrow and an owned side leaks.
    bool drops = tracked(e->type);
    bool lown = drops && claim_agg(v), rown = false;
    enter(vb);
    {
        const Type* inner = lt->kind == TypeKind::Nullable ? lt->elem : lt;
        Inst* x = nullable_value(v, lt);
        if (inner != e->type) x = convert(x, inner, e->type, e->span);
        if (str) x = take(x, e->type); // a fresh left side is claimed here (on the other path it is null)
        def(res, x);
        jmp(join);
    }
    enter(nb);
    if (cur) {
        size_t mark = temps_.size();
        Inst* x = expr(e->rhs);
        if (str) x = take(x, e->type);
        if (drops) rown = claim_agg(x) || (x && x->op == Op::iconst);
        drop_temps(mark);
        def(res, x);
        jmp(join);
    }
    seal(join);
    enter(join);
    Inst* r = use(res);
    if (lown && rown) return own_value(r, e->type);
    return str ? own(r, e->type) : r;
}

Inst* Lowerer::assign(AssignExpr* e) {
    if (IndexerSet* v = e->via) { // o[i] = v on a class or struct: o.set_Item(i, v); o[i] op= v: hidden locals first
        if (v->obj_tmp) bind_local(v->obj_tmp, expr(as<IndexExpr>(e->target)->object), v->obj_tmp->type);
        if (v->index_tmp) bind_local(v->index_tmp, expr(as<IndexExpr>(e->target)->index), v->index_tmp->type);
        return expr(v->call);
    }
    if (e->target->kind == ExprKind::TupleLit && !e->compound) {
        // (a, b) = (b, a): evaluate the whole right side first.
        auto* tl = as<TupleLitExpr>(e->target);
        Inst* v = expr(e->value);
        const Type* tt = e->value->type;
        std::vector<Inst*> vals;
        for (uint32_t i = 0; i < tl->elems.size; i++) {
            Inst* x = load_typed(tt->elems[i], v, tuple_offset(tt, i));
            if (is_agg(tt->elems[i])) x = materialize(tt->elems[i], x);
            vals.push_back(x);
        }
        for (uint32_t i = 0; i < tl->elems.size; i++) {
            Expr* t = tl->elems[i];
            if (t->kind == ExprKind::Name && as<NameExpr>(t)->name == "_") continue;
            write(lvalue(t), vals[i]);
        }
        return v;
    }
    LVal lv = lvalue(e->target);
    if (e->compound && e->op == BinOp::Coalesce) { // x ??= v: only when x is null
        Block* nb = mk_block();
        Block* join = mk_block();
        br(is_null(read(lv), e->target->type), nb, join);
        seal(nb);
        enter(nb);
        size_t mark = temps_.size();
        write(lv, expr(e->value));
        drop_temps(mark);
        if (cur) jmp(join);
        seal(join);
        enter(join);
        return read(lv); // the value now stored
    }
    if (e->compound) {
        Inst* old = read(lv);
        Inst* rhs = expr(e->value);
        const Type* t = e->target->type;
        if ((e->op == BinOp::Shl || e->op == BinOp::Shr) && e->value->type != t)
            rhs = convert(rhs, e->value->type, t, e->span);
        bool owning = (lv.kind == LVal::Var && vars[lv.var].owns) || (lv.kind == LVal::Mem && lv.release_old);
        if (t->kind == TypeKind::String && e->op == BinOp::Add && owning) {
            // s += x: the place's reference goes to lang_str_append, which grows the string
            // in place when that reference is the only one, and the +1 result replaces it.
            use_extern("lang_str_append");
            Inst* nv = call("lang_str_append", Ty::Ptr, {ctx, old, rhs});
            raw_write(lv, nv);
            return nv;
        }
        Inst* nv = arith(e->op, t, old, rhs);
        write(lv, nv);
        return nv;
    }
    Inst* v = expr(e->value);
    write(lv, v);
    return v;
}

// ---------------------------------------------------------------------------
// Conversions and strings

Inst* Lowerer::convert(Inst* v, const Type* from, const Type* to, Span s) {
    if (from == to) return v;
    if (from->kind == TypeKind::Never) { // after a panic: unreachable, any value of the type will do
        if (ty(to) == Ty::Void) return nullptr;
        return is_agg(to) ? slot_for(to) : undef(ty(to));
    }
    if (to->kind == TypeKind::String) return to_string(v, from);
    if (to->kind == TypeKind::CString && from->kind == TypeKind::String) return ptr_add(v, LANG_ABI_STRING_DATA);
    if (to->kind == TypeKind::Fallible && from->kind != TypeKind::Fallible) { // success value
        Inst* sl = slot_for(to);
        if (to->elem && to->elem->kind != TypeKind::Void) {
            if (from != to->elem) v = convert(v, from, to->elem, s);
            store_typed(to->elem, sl, 0, v);
        }
        store(Ty::Ptr, sl, err_offset(to), iconst(Ty::Ptr, 0));
        return sl;
    }
    if (to->kind == TypeKind::Nullable) {
        if (from->kind == TypeKind::Null) {
            if (to->elem->is_pointer_like()) return iconst(Ty::Ptr, 0);
            Inst* sl = slot_for(to);
            Inst* z = emit(Op::memzero, Ty::Void, sl);
            z->imm = to->size;
            return sl;
        }
        if (from->kind == TypeKind::Nullable) return v;
        if (from != to->elem) v = convert(v, from, to->elem, s);
        return wrap_nullable(v, to->elem, to);
    }
    if (from->kind == TypeKind::Null) return iconst(ty(to), 0);
    if (from->kind == TypeKind::Struct && to->kind == TypeKind::Interface) return box_struct(v, from, to); // lower_box.cpp
    Ty a = ty(from), b = ty(to);
    if (from->is_pointer_like() && to->is_pointer_like()) return v;
    if ((from->kind == TypeKind::Pointer && b == Ty::I64) || (to->kind == TypeKind::Pointer && a == Ty::I64))
        return emit(Op::copy, b, v); // a pointer to or from u64/i64 (sema/pointers.cpp)
    bool fi = ir::is_int(a) && a != Ty::Ptr, ti = ir::is_int(b) && b != Ty::Ptr;
    if (fi && ti) {
        if (a == b) return v;
        Inst* r;
        if (ir::ty_size(b) < ir::ty_size(a))
            r = emit(Op::trunc, b, v);
        else
            r = emit(from->is_signed() || enum_signed(from) ? Op::sext : Op::zext, b, v);
        r->cty = a;
        return r;
    }
    if (fi && ir::is_float(b)) {
        Inst* x = v;
        Ty src = a;
        if (ir::ty_size(a) < 8) { // widen first: sitof/uitof take the operand's own type
            x = emit(from->is_signed() ? Op::sext : Op::zext, Ty::I64, v);
            x->cty = a;
            src = Ty::I64;
        }
        Inst* r = emit(from->is_signed() || src != Ty::I64 ? Op::sitof : Op::uitof, b, x);
        if (!from->is_signed() && ir::ty_size(a) == 8) r->op = Op::uitof;
        r->cty = src;
        return r;
    }
    if (ir::is_float(a) && ti) {
        Inst* r = emit(to->is_signed() ? Op::ftosi : Op::ftoui, ir::ty_size(b) < 8 ? Ty::I64 : b, v);
        r->cty = a;
        if (ir::ty_size(b) < 8) {
            Inst* t = emit(Op::trunc, b, r);
            t->cty = Ty::I64;
            return t;
        }
        return r;
    }
    if (ir::is_float(a) && ir::is_float(b)) {
        if (a == b) return v;
        Inst* r = emit(a == Ty::F32 ? Op::fext : Op::ftrunc, b, v);
        r->cty = a;
        return r;
    }
    if (a == b) return v;
    unsupported(s, "this conversion");
    return v;
}

// Which member of the runtime's per-type families (lang_write_*, lang_str_from_*) takes a
// value of type t; integers and C-like enums are widened to 64 bits first (in v).
Scalar Lowerer::scalar_kind(Inst*& v, const Type* t) {
    switch (t->kind) {
    case TypeKind::Bool: return Scalar::Bool;
    case TypeKind::Char: return Scalar::Char;
    case TypeKind::F32: return Scalar::F32;
    case TypeKind::F64: return Scalar::F64;
    case TypeKind::String: return Scalar::Str;
    case TypeKind::I8: case TypeKind::I16: case TypeKind::I32: case TypeKind::I64: case TypeKind::Enum:
        if (t->kind == TypeKind::Enum && !t->is_c_like_enum()) return Scalar::None;
        v = widen64(v, t, true);
        return Scalar::I64;
    case TypeKind::U8: case TypeKind::U16: case TypeKind::U32: case TypeKind::U64:
        v = widen64(v, t, false);
        return Scalar::U64;
    default: return Scalar::None;
    }
}

// v (of integer type t) as an i64, sign- or zero-extended.
Inst* Lowerer::widen64(Inst* v, const Type* t, bool is_signed) {
    Ty from = ty(t);
    if (from == Ty::I64) return v;
    Inst* w = emit(is_signed ? Op::sext : Op::zext, Ty::I64, v);
    w->cty = from;
    return w;
}

Inst* Lowerer::to_string(Inst* v, const Type* from) {
    if (from->kind == TypeKind::String) return v;
    if (from->kind == TypeKind::TypeInfo) return type_info_name(v); // static: not owned (lower_reflect.cpp)
    if (from->kind == TypeKind::Duration) { // "1.5s" (src/rt/duration.c)
        use_extern("lang_str_from_duration");
        return own(call("lang_str_from_duration", Ty::Ptr, {ctx, v}));
    }
    static const char* const kStr[] = {nullptr, "lang_str_from_bool", "lang_str_from_char", "lang_str_from_f32",
                                       "lang_str_from_f64", nullptr, "lang_str_from_i64", "lang_str_from_u64"};
    const char* fn = kStr[(int)scalar_kind(v, from)];
    if (!fn) {
        unsupported(Span{}, "conversion of this type to string");
        Inst* a = emit(Op::addr, Ty::Ptr);
        a->sym = string_global("", 0);
        return a;
    }
    use_extern(fn);
    return own(call(fn, Ty::Ptr, {ctx, v}));
}

// A fresh left side (a chain `a + b + c`) is appended to in place; a fresh right side is
// released at once.
Inst* Lowerer::str_concat(Inst* a, Inst* b) {
    Inst* r;
    if (claim(a)) {
        use_extern("lang_str_append");
        r = call("lang_str_append", Ty::Ptr, {ctx, a, b});
    } else {
        use_extern("lang_str_concat");
        r = call("lang_str_concat", Ty::Ptr, {ctx, a, b});
    }
    if (claim(b)) release_str(b);
    return own(r);
}

// Two pieces: one concatenation; more: all pieces first, then lang_str_concat_n makes
// the result in one allocation and the pieces that were fresh are released.
Inst* Lowerer::interp(InterpStringExpr* e) {
    std::vector<Inst*> parts;
    for (const InterpPart& p : e->parts) {
        Inst* s;
        if (p.expr) {
            if (p.fmt_kind) {
                s = interp_format(p); // lower_text.cpp
            } else {
                s = expr(p.expr);
                if (p.expr->type->kind != TypeKind::String) s = to_string(s, p.expr->type);
            }
            if (p.align) s = interp_pad(s, p.align);
        } else {
            if (!p.len) continue;
            s = emit(Op::addr, Ty::Ptr);
            s->sym = string_global(p.text, p.len);
        }
        parts.push_back(s);
    }
    if (parts.empty()) {
        Inst* a = emit(Op::addr, Ty::Ptr);
        a->sym = string_global("", 0);
        return a;
    }
    if (parts.size() == 1) return parts[0];
    if (parts.size() == 2) return str_concat(parts[0], parts[1]);
    Inst* arr = slot((uint32_t)parts.size() * 8, 8);
    for (size_t i = 0; i < parts.size(); i++) store(Ty::Ptr, arr, (int64_t)i * 8, parts[i]);
    use_extern("lang_str_concat_n");
    Inst* r = call("lang_str_concat_n", Ty::Ptr, {ctx, arr, iconst(Ty::I64, (int64_t)parts.size())});
    for (size_t i = parts.size(); i-- > 0;)
        if (claim(parts[i])) release_str(parts[i]);
    return own(r);
}

} // namespace lang::lower
