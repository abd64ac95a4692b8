// lower_stmt.cpp: statements, loops, defer, match and patterns.
//
// Control flow builds blocks directly: a join block is sealed as soon as every edge
// into it exists (after both arms of an `if`), a loop header and exit only after the
// body (back edges, breaks) is done. `defer` bodies are re-lowered at every exit of
// their scope (block end, break/continue, return), innermost first. A match is a chain
// of tests: each arm's pattern branches to the next arm's block on mismatch; bindings
// are ordinary locals; a value match falls off into `unreachable` (sema proved it
// exhaustive), a statement match into the join.
#include "ir/lower_impl.h"

namespace lang::lower {

static Ty int_ty_of_size(int64_t s) {
    switch (s) {
    case 1: return Ty::I8;
    case 2: return Ty::I16;
    case 8: return Ty::I64;
    default: return Ty::I32;
    }
}

// ---------------------------------------------------------------------------
// Statements

void Lowerer::stmts(lang::Block* b) {
    size_t mark = defers.size();
    Inst* outer_ctx = ctx; // `context.F = v;` changes ctx until the end of the block
    size_t switches = ctx_switches_.size();
    for (Stmt* s : b->stmts) {
        if (!cur) break; // unreachable code after return/break
        if (context_stmt(s)) continue; // lower_context.cpp
        stmt(s);
    }
    if (cur && defers.size() > mark) run_defers(mark);
    defers.resize(mark);
    ctx_switches_.resize(switches);
    ctx = outer_ctx;
}

// Runs the cleanups registered after `down_to`, innermost first: deferred statements, the
// release of each string or handle local's current value and the drops of owning locals.
// Each runs with the context of the point where it was registered (a `return` from a
// block that set context.allocator runs the outer blocks' cleanups with their own context).
void Lowerer::run_defers(size_t down_to) {
    if (down_to == 0) drop_pending_owners(0); // leaving the function in the middle of a statement
    if (defers.size() <= down_to) return;
    std::vector<Cleanup> saved(defers.begin(), defers.end());
    Inst* here = ctx;
    for (size_t i = saved.size(); i-- > down_to;) {
        defers.resize(i); // a deferred statement sees only the defers registered before it
        if (!cur) break;
        ctx = ctx_for_cleanup(i); // lower_context.cpp
        if (saved[i].defer)
            stmt(saved[i].defer);
        else if (saved[i].parts)
            release_parts(saved[i].parts_type, saved[i].parts, 0);
        else if (saved[i].owner)
            drop_value(saved[i].owner_type, saved[i].owner); // lower_is_owners.cpp
        else if (is_counted(saved[i].local->type))
            release(read(var_lval(saved[i].local)), saved[i].local->type);
        else
            drop_value(saved[i].local->type, read(var_lval(saved[i].local))); // lower_drop.cpp
    }
    ctx = here;
    defers = std::move(saved);
}

// A statement's unclaimed string temporaries are released when it ends.
// The `is` patterns in it that take over new values give them to owners that the enclosing
// block drops (lower_is_owners.cpp).
void Lowerer::stmt(Stmt* s) {
    if (!cur) return;
    size_t mark = temps_.size();
    size_t owners = owned_bindings_.size();
    if (fdecl && fdecl->has_is) prepare_is_owners(stmt_expr(s)); // lower_is_owners.cpp
    stmt_kind(s);
    if (cur) {
        drop_temps(mark);
        own_bindings(owners);
    } else {
        if (temps_.size() > mark) temps_.resize(mark); // every exit already released them
        if (owned_bindings_.size() > owners) owned_bindings_.resize(owners); // (and dropped these)
    }
}

void Lowerer::stmt_kind(Stmt* s) {
    set_line(s->span);
    switch (s->kind) {
    case StmtKind::Block: stmts(as<lang::Block>(s)); return;
    case StmtKind::Expr:
        if (as<ExprStmt>(s)->expr && as<ExprStmt>(s)->expr->kind == ExprKind::Spawn) { // no Task
            spawn_expr(as<SpawnExpr>(as<ExprStmt>(s)->expr), true);
            return;
        }
        expr(as<ExprStmt>(s)->expr);
        return;
    case StmtKind::VarDecl: var_decl(as<VarDeclStmt>(s)); return;
    case StmtKind::If: if_stmt(as<IfStmt>(s)); return;
    case StmtKind::While: while_stmt(as<WhileStmt>(s)); return;
    case StmtKind::For: for_stmt(as<ForStmt>(s)); return;
    case StmtKind::ForIn: for_in(as<ForInStmt>(s)); return;
    case StmtKind::Break:
    case StmtKind::Continue: {
        if (loops.empty()) return;
        const LoopCtx& l = loops.back();
        release_temps(l.temp_depth);
        drop_pending_owners(l.owner_depth);
        run_defers(l.defer_depth);
        jmp(s->kind == StmtKind::Break ? l.brk : l.cont);
        return;
    }
    case StmtKind::Return: return_stmt(as<ReturnStmt>(s)); return;
    case StmtKind::Defer: defers.push_back({as<DeferStmt>(s)->body, nullptr}); return;
    case StmtKind::Unsafe: stmts(as<UnsafeStmt>(s)->body); return;
    case StmtKind::GcBlock: gc_block(as<UnsafeStmt>(s)); return; // lower_gc.cpp
    case StmtKind::Empty: return;
    case StmtKind::Fail: fail_stmt(as<FailStmt>(s)); return;
    case StmtKind::Select: select_stmt(as<SelectStmt>(s)); return; // lower_concurrency.cpp
    }
}

void Lowerer::bind_local(LocalDecl* d, Inst* v, const Type* t, bool borrow) {
    LVal lv = var_lval(d);
    if (lv.kind == LVal::Mem) {
        // A binding that borrows a value with move-type parts is a plain copy of its bits:
        // it owns nothing (its strings are not retained either, lower_drop.cpp).
        if (borrow && is_agg(lv.type) && owns_parts(lv.type)) memcpy_(ptr_add(lv.base, lv.off), v, lv.type->size);
        else store_typed(lv.type, lv.base, lv.off, v);
    } else if (lv.kind == LVal::Var) {
        if (t && t != d->type) v = convert(v, t, d->type, d->span);
        write(lv, v);
    }
}

// A local that owns its string: the first value is +1 (claimed or retained).
void Lowerer::bind_owned(LocalDecl* d, Inst* v, const Type* t) {
    if (owns_drop(d)) { // a move-type value: claimed, dropped at scope exit (lower_drop.cpp)
        bind_local(d, v, t);
        claim(v);
        own_drop_local(d);
        return;
    }
    if (owns_agg(d)) { // an aggregate: a new value is handed over, a copy retains its strings
        bind_local(d, v, t);
        own_agg_local(d);
        return;
    }
    if (!is_counted(d->type)) {
        bind_local(d, v, t);
        return;
    }
    if (var_lval(d).kind == LVal::Mem)
        bind_local(d, v, t); // (store_typed takes the reference)
    else
        bind_local(d, take(v, d->type), t);
    own_local(d);
}

void Lowerer::var_decl(VarDeclStmt* s) {
    if (s->destructure) {
        if (!s->init) return;
        Inst* v = expr(s->init);
        const Type* tt = s->init->type;
        // A new tuple hands each part to its name (a `_` part is dropped); a copy of a
        // place is copied part by part.
        bool whole = is_agg(tt) && claim_agg(v);
        for (uint32_t i = 0; i < s->names.size && i < tt->count; i++) {
            LocalDecl* d = s->names[i];
            const Type* et = tt->elems[i];
            Inst* part = load_typed(et, v, tuple_offset(tt, i));
            if (!d || d->name == "_") {
                if (whole) drop_value(et, part);
                continue;
            }
            if (whole) {
                if (is_agg(et)) fresh_aggs_.insert(part);
                else if (is_counted(et)) own(part, et); // a string, function value or handle
                else if (needs_drop(et) && owns_drop(d)) own_value(part, et);
            }
            bind_owned(d, part, et);
        }
        return;
    }
    if (!s->names.size || !s->names[0]) return;
    LocalDecl* d = s->names[0];
    const Type* t = d->type;
    if (s->init) {
        if (is_agg(t) && s->init->type == t && is_fresh_temp(s->init) && d->index < vars.size() + 1024) {
            if (d->index >= vars.size()) vars.resize(d->index + 1);
            if (vars[d->index].kind == VarKind::None) {
                // The temporary (a call result, a new struct, a tuple) becomes the variable
                // (which keeps its references: a later copy of it retains its own).
                Inst* v = expr(s->init);
                if (!claim_agg(v)) retain_parts(t, v, 0); // (a copy of a place, e.g. wrapped in a T?)
                VarInfo& vi = vars[d->index];
                vi.kind = VarKind::Mem;
                vi.ty = ty(t);
                vi.type = t;
                vi.addr = v;
                if (owns_agg(d)) own_agg_local(d); // dropped at scope exit (lower_drop.cpp)
                return;
            }
        }
        bind_owned(d, expr(s->init), s->init->type);
        return;
    }
    // No initializer: the type's zero value.
    LVal lv = var_lval(d);
    if (lv.kind == LVal::Mem) {
        Inst* z = emit(Op::memzero, Ty::Void, lv.base);
        z->imm = t->size;
        zero_init(t, lv.base, 0);
        own_local(d);
        if (owns_agg(d)) own_agg_local(d);
    } else if (lv.kind == LVal::Var) {
        Ty it = ty(t);
        Inst* v;
        if (t->kind == TypeKind::String) {
            v = emit(Op::addr, Ty::Ptr);
            v->sym = string_global("", 0);
        } else {
            v = ir::is_float(it) ? fconst(it, 0) : iconst(it, 0);
        }
        write(lv, v);
        own_local(d);
        if (owns_drop(d)) own_drop_local(d); // null until assigned (lower_drop.cpp)
    }
}

void Lowerer::if_stmt(IfStmt* s) {
    Block* from = cur;
    uint32_t lo = wclock_;
    Block* t = mk_block();
    Block* e = s->else_s ? mk_block() : nullptr;
    Block* join = mk_block();
    size_t pend = owned_bindings_.size();
    if (s->cond->kind == ExprKind::Is && is_counted(as<IsExpr>(s->cond)->operand->type)) {
        // if (x is string v), if (t is Task<int> k): x is kept alive until the if ends (v
        // borrows it), even when the body assigns x.
        auto* ie = as<IsExpr>(s->cond);
        Inst* v = pin(expr(ie->operand), ie->operand->type);
        pattern(ie->pattern, v, ie->operand->type, e ? e : join);
        jmp(t);
    } else if (s->cond->kind == ExprKind::Is && as<IsExpr>(s->cond)->operand->type->kind == TypeKind::Fallible &&
               is_new_result(as<IsExpr>(s->cond)->operand)) {
        // if (F() is Err(e)): the call's T! stays a temporary of the if statement, dropped
        // when it ends (its error or its value; e and Ok bindings borrow from it).
        auto* ie = as<IsExpr>(s->cond);
        Inst* v = expr(ie->operand);
        if (cur && v) {
            temps_.push_back(v);
            temp_drops_[v] = ie->operand->type;
        }
        pattern(ie->pattern, v, ie->operand->type, e ? e : join);
        jmp(t);
    } else if (s->cond->kind == ExprKind::Is && is_agg(as<IsExpr>(s->cond)->operand->type) &&
               owns_parts(as<IsExpr>(s->cond)->operand->type)) {
        // if (F() is Some(p)): a new aggregate stays an owned temporary of the if
        // statement, dropped when it ends (p borrows from it; lower_drop.cpp).
        auto* ie = as<IsExpr>(s->cond);
        Inst* v = expr(ie->operand);
        pattern(ie->pattern, v, ie->operand->type, e ? e : join);
        jmp(t);
    } else {
        pend = owned_bindings_.size();
        if (fdecl && fdecl->has_is) prepare_is_owners(s->cond); // lower_is_owners.cpp
        cond_branch(s->cond, t, e ? e : join);
    }
    seal(t);
    enter(t);
    if (cur) {
        size_t dm = own_bindings(pend); // lower_drop.cpp
        if (s->cond->kind == ExprKind::Is) own_pattern_copies(as<IsExpr>(s->cond)->pattern); // (t: it matched)
        stmt(s->then_s);
        if (cur) run_defers(dm);
        defers.resize(dm);
        jmp(join);
    } else if (pend < owned_bindings_.size()) {
        owned_bindings_.resize(pend);
    }
    if (e) {
        seal(e);
        enter(e);
        if (cur) {
            stmt(s->else_s);
            jmp(join);
        }
    }
    set_skip(join, from, lo);
    seal(join);
    enter(join);
}

void Lowerer::while_stmt(WhileStmt* s) {
    Block* from = cur;
    uint32_t lo = wclock_;
    Block* head = mk_block();
    Block* body = mk_block();
    Block* exit = mk_block();
    jmp(head);
    enter(head);
    size_t pend = owned_bindings_.size();
    if (fdecl && fdecl->has_is) prepare_is_owners(s->cond); // lower_is_owners.cpp
    cond_branch(s->cond, body, exit);
    seal(body);
    enter(body);
    loops.push_back({exit, head, defers.size(), temps_.size(), owned_bindings_.size()});
    size_t dm = own_bindings(pend); // lower_drop.cpp: dropped at the end of each pass
    if (s->cond->kind == ExprKind::Is) own_pattern_copies(as<IsExpr>(s->cond)->pattern); // (body: it matched)
    if (cur) stmt(s->body);
    if (cur) run_defers(dm);
    defers.resize(dm);
    loops.pop_back();
    jmp(head);
    set_skip(head, from, lo);
    set_skip(exit, from, lo);
    seal(head);
    seal(exit);
    enter(exit);
}

void Lowerer::for_stmt(ForStmt* s) {
    size_t mark = defers.size();
    if (s->init) stmt(s->init);
    if (!cur) return;
    Block* from = cur;
    uint32_t lo = wclock_;
    Block* head = mk_block();
    Block* body = mk_block();
    Block* step = mk_block();
    Block* exit = mk_block();
    jmp(head);
    enter(head);
    size_t pend = owned_bindings_.size();
    if (s->cond) {
        if (fdecl && fdecl->has_is) prepare_is_owners(s->cond); // lower_is_owners.cpp
        cond_branch(s->cond, body, exit);
    } else {
        jmp(body);
    }
    seal(body);
    enter(body);
    loops.push_back({exit, step, defers.size(), temps_.size(), pend});
    size_t dm = own_bindings(pend); // dropped at the end of each pass
    if (s->cond && s->cond->kind == ExprKind::Is) own_pattern_copies(as<IsExpr>(s->cond)->pattern);
    if (cur) stmt(s->body);
    if (cur) run_defers(dm);
    defers.resize(dm);
    loops.pop_back();
    enter_step(step);
    if (cur && s->step) {
        size_t tm = temps_.size();
        expr(s->step);
        drop_temps(tm);
    }
    jmp(head);
    set_skip(head, from, lo);
    set_skip(exit, from, lo);
    seal(head);
    seal(exit);
    enter(exit);
    if (cur) run_defers(mark); // the init's locals
    defers.resize(mark);
}

// Continues after a loop body into its step code. Without a `continue` the step block
// has no edges yet and the step code simply follows the body in the same block.
void Lowerer::enter_step(Block* step) {
    if (step->preds.size == 0) return;
    jmp(step);
    seal(step);
    enter(step);
}

// One pass of a for-in that counts with variable iv (arrays, classes with get_Item): the
// loop variable owns `item` (released at the end of each pass), the body runs, then the
// step adds 1 and jumps back to head.
void Lowerer::indexed_pass(ForInStmt* s, Inst* item, const Type* t, uint32_t iv, Block* head, Block* step, Block* exit,
                            bool counted_result) {
    loops.push_back({exit, step, defers.size(), temps_.size(), owned_bindings_.size()});
    size_t mark = defers.size();
    bool borrows = needs_drop(t) || owns_parts(t);
    if (s->var) { // a for-in variable borrows the element (lower_drop.cpp)
        if (borrows) bind_local(s->var, item, t, true);
        else bind_owned(s->var, item, t);
    }
    // An element from get_Item/IterAt that the variable borrows: the call gave its strings
    // (handles, function values) +1, so the pass releases them when it ends (every exit).
    if (counted_result && (borrows || !s->var) && is_agg(t) && has_counted(t)) {
        claim(item); // (the call listed it for the statement's end: the pass's end instead)
        defers.push_back({nullptr, nullptr, materialize(t, item), t});
    }
    else if (counted_result && !s->var && is_counted(t))
        release(item, t);
    stmt(s->body);
    if (cur) run_defers(mark);
    defers.resize(mark);
    loops.pop_back();
    enter_step(step);
    if (cur) {
        def(iv, emit(Op::add, Ty::I64, use(iv), iconst(Ty::I64, 1)));
        jmp(head);
    }
}

void Lowerer::for_in(ForInStmt* s) {
    Block* from = cur;
    uint32_t lo = wclock_;
    const Type* it = s->iterable->type;
    Block* head = mk_block();
    Block* body = mk_block();
    Block* step = mk_block();
    Block* exit = mk_block();
    LocalDecl* var = s->var;
    if (s->iterable->kind == ExprKind::Range) {
        auto* re = as<RangeExpr>(s->iterable);
        const Type* et = re->lo->type;
        Ty t = ty(et);
        Inst* lo = expr(re->lo);
        Inst* hi = expr(re->hi);
        if (re->hi->type != et) hi = convert(hi, re->hi->type, et, re->span);
        bool u = is_unsigned(et);
        uint32_t iv = new_var(t);
        def(iv, lo);
        jmp(head);
        enter(head);
        Inst* i = use(iv);
        Op cmp = re->inclusive ? (u ? Op::ule : Op::sle) : (u ? Op::ult : Op::slt);
        Inst* cnd = emit(cmp, Ty::I8, i, hi);
        cnd->cty = t;
        br(cnd, body, exit);
        seal(body);
        enter(body);
        if (var) bind_local(var, i, et);
        loops.push_back({exit, step, defers.size(), temps_.size(), owned_bindings_.size()});
        stmt(s->body);
        loops.pop_back();
        enter_step(step);
        if (cur) {
            Inst* ci = use(iv);
            if (re->inclusive) { // stop at hi before the increment can overflow
                Block* inc = mk_block();
                Inst* last = emit(Op::eq, Ty::I8, ci, hi);
                last->cty = t;
                br(last, exit, inc);
                seal(inc);
                enter(inc);
            }
            def(iv, emit(Op::add, t, ci, iconst(t, 1)));
            jmp(head);
        }
    } else if (s->item_call && s->cursor) {
        // The cursor protocol (spec 5.1): p = IterNext(i) until negative, the element IterAt(p), i = p + 1.
        Inst* recv = expr(s->iterable);
        uint32_t iv = new_var(Ty::I64);
        def(iv, iconst(Ty::I64, 0));
        jmp(head);
        enter(head);
        bind_local(s->index, use(iv), c.types.int_());
        Inst* p = call_on(as<CallExpr>(s->count_call), false, recv);
        def(iv, p);
        Inst* cnd = emit(Op::sge, Ty::I8, p, iconst(Ty::I64, 0));
        cnd->cty = Ty::I64;
        br(cnd, body, exit);
        seal(body);
        enter(body);
        bind_local(s->index, p, c.types.int_());
        Inst* x = call_on(as<CallExpr>(s->item_call), false, recv);
        indexed_pass(s, x, s->item_call->type, iv, head, step, exit, true);
    } else if (s->item_call) {
        // A class with Count() and get_Item(int) (spec 5.1): the object is evaluated once,
        // Count() before each pass.
        Inst* recv = expr(s->iterable);
        uint32_t iv = new_var(Ty::I64);
        def(iv, iconst(Ty::I64, 0));
        jmp(head);
        enter(head);
        Inst* i = use(iv);
        Inst* n = call_on(as<CallExpr>(s->count_call), false, recv);
        Inst* cnd = emit(Op::slt, Ty::I8, i, n);
        cnd->cty = Ty::I64;
        br(cnd, body, exit);
        seal(body);
        enter(body);
        bind_local(s->index, use(iv), c.types.int_());
        Inst* x = call_on(as<CallExpr>(s->item_call), false, recv);
        indexed_pass(s, x, s->item_call->type, iv, head, step, exit, true);
    } else if (it->kind == TypeKind::Array) {
        const Type* et = it->elem;
        Inst* arr = expr(s->iterable);
        Inst* len = load(Ty::I64, arr, 0);
        uint32_t iv = new_var(Ty::I64);
        def(iv, iconst(Ty::I64, 0));
        jmp(head);
        enter(head);
        Inst* i = use(iv);
        Inst* cnd = emit(Op::slt, Ty::I8, i, len);
        cnd->cty = Ty::I64;
        br(cnd, body, exit);
        seal(body);
        enter(body);
        Inst* ea = array_elem_addr(arr, i, et, false);
        indexed_pass(s, load_typed(et, ea, LANG_ABI_ARRAY_DATA), et, iv, head, step, exit);
    } else if (it->kind == TypeKind::String) {
        Inst* str = pin(expr(s->iterable)); // alive until the loop ends, whatever the body assigns
        Inst* blen = load(Ty::I64, str, 8);
        uint32_t pv = new_var(Ty::I64); // the byte position of the next character
        def(pv, iconst(Ty::I64, 0));
        jmp(head);
        enter(head);
        Inst* p = use(pv);
        Inst* cnd = emit(Op::slt, Ty::I8, p, blen);
        cnd->cty = Ty::I64;
        br(cnd, body, exit);
        seal(body);
        enter(body);
        // An ASCII byte is its own character (one load and a compare, all in registers);
        // anything else is decoded by lang_str_next_char, which advances the position it is
        // given in memory.
        uint32_t cv = new_var(Ty::I32);
        Inst* b = load(Ty::I8, emit(Op::add, Ty::Ptr, str, p), LANG_ABI_STRING_DATA);
        Inst* ascii = emit(Op::ult, Ty::I8, b, iconst(Ty::I8, 0x80));
        ascii->cty = Ty::I8;
        Block* fast = mk_block();
        Block* slow = mk_block();
        Block* got = mk_block();
        br(ascii, fast, slow);
        seal(fast);
        seal(slow);
        enter(fast);
        Inst* zb = emit(Op::zext, Ty::I32, b);
        zb->cty = Ty::I8;
        def(cv, zb);
        def(pv, emit(Op::add, Ty::I64, p, iconst(Ty::I64, 1)));
        jmp(got);
        enter(slow);
        Inst* pos = slot(8, 8);
        store(Ty::I64, pos, 0, p);
        use_extern("lang_str_next_char");
        def(cv, call("lang_str_next_char", Ty::I32, {str, pos}));
        def(pv, load(Ty::I64, pos, 0));
        jmp(got);
        seal(got);
        enter(got);
        Inst* ch = use(cv);
        if (var) bind_local(var, ch, c.types.char_());
        loops.push_back({exit, step, defers.size(), temps_.size(), owned_bindings_.size()});
        stmt(s->body);
        loops.pop_back();
        enter_step(step);
        jmp(head);
    } else if (it->kind == TypeKind::Channel) {
        for_in_channel(s, head, body, step, exit); // lower_concurrency.cpp
    } else {
        unsupported(s->iterable->span, "for-in over this type");
        return;
    }
    set_skip(head, from, lo);
    set_skip(exit, from, lo);
    seal(head);
    seal(exit);
    enter(exit);
}

void Lowerer::set_success() {
    if (result_ptr && ret_type && ret_type->kind == TypeKind::Fallible)
        store(Ty::Ptr, result_ptr, err_offset(ret_type), iconst(Ty::Ptr, 0));
}

// fail e: the error goes into our T! result, the value part is left as is.
void Lowerer::fail_stmt(FailStmt* s) {
    if (!result_ptr || !ret_type || ret_type->kind != TypeKind::Fallible) {
        unsupported(s->span, "fail outside a function returning T!");
        return;
    }
    Inst* err = expr(s->error);
    claim(err); // the result owns the error now (lower_drop.cpp)
    error_note("lang_error_fail", err, s->span);
    clear_result_value(ret_type, result_ptr); // no value to drop
    store(Ty::Ptr, result_ptr, err_offset(ret_type), err);
    release_temps(0);
    run_defers(0);
    ret(nullptr);
}

// A T! that holds an error has a zero value part when the value has something to drop, so
// whoever drops the T! (lower_drop.cpp drop_value) can drop it whatever the outcome.
void Lowerer::clear_result_value(const Type* ft, Inst* res) {
    const Type* vt = ft->elem;
    if (!vt || vt->kind == TypeKind::Void || !has_drops(vt)) return;
    if (is_agg(vt)) {
        Inst* z = emit(Op::memzero, Ty::Void, res);
        z->imm = vt->size;
    } else {
        store(Ty::Ptr, res, 0, iconst(Ty::Ptr, 0));
    }
}

void Lowerer::return_stmt(ReturnStmt* s) {
    if (!s->value) {
        set_success();
        release_temps(0);
        run_defers(0);
        ret(nullptr);
        return;
    }
    if (!has_defer_stmts()) {
        return_value(s->value);
        return;
    }
    leave_with(expr(s->value));
}

// Returns v: a string result is +1 for the caller (claimed or retained first), then every
// pending temporary and local is released and the defers run.
void Lowerer::leave_with(Inst* v) {
    if (!cur) return;
    if (!result_ptr && is_counted(ret_type)) v = take(v, ret_type);
    if (!result_ptr && needs_drop(ret_type)) claim(v); // the caller owns it
    if (result_ptr) {
        memcpy_(result_ptr, v, ret_type->size);
        // The caller owns the result's parts: a new value hands them over, a copy of a
        // place holds its own string references.
        if (ret_type->kind != TypeKind::Fallible && !claim_agg(v)) retain_parts(ret_type, result_ptr, 0);
    }
    release_temps(0);
    run_defers(0);
    ret(f->ret == Ty::Void || result_ptr ? nullptr : v);
}

// `return e` without pending defers: the tail position reaches into ?: and match arms,
// so `n == 0 ? acc : F(n - 1, acc)` tail-calls too.
void Lowerer::return_value(Expr* e) {
    switch (e->kind) {
    case ExprKind::Call: {
        auto* ce = as<CallExpr>(e);
        Inst* r = call_expr(ce, ce->target && !ce->builtin);
        if (!cur) return; // became a tail call (or the call never returns)
        if (result_ptr && !r) {
            release_temps(0);
            run_defers(0);
            ret(nullptr);
            return;
        }
        leave_with(r);
        return;
    }
    case ExprKind::Ternary: {
        auto* te = as<TernaryExpr>(e);
        Block* t = mk_block();
        Block* fb = mk_block();
        cond_branch(te->cond, t, fb);
        seal(t);
        seal(fb);
        size_t mark = temps_.size(); // each arm returns: its temporaries end with it
        enter(t);
        if (cur) return_value(te->then_e);
        temps_.resize(mark);
        enter(fb);
        if (cur) return_value(te->else_e);
        temps_.resize(mark);
        return;
    }
    case ExprKind::Match:
        if (ty(e->type) != Ty::Void) {
            match(as<MatchExpr>(e), true);
            return;
        }
        break;
    default: break;
    }
    leave_with(expr(e));
}

// ---------------------------------------------------------------------------
// Match and patterns

// Enums with payloads: the tag (underlying integer) at 0, then each case's payload laid
// out as a tuple at align_up(tag size, enum alignment) (sema/layout.cpp).
void Lowerer::enum_layout(const Type* t, int64_t* tag_size, int64_t* payload_off) {
    int64_t ts = 4;
    if (TypeDecl* td = t->decl) {
        if (td->underlying && td->underlying->resolved && td->underlying->resolved->is_integer())
            ts = td->underlying->resolved->size;
        else if (!td->underlying && td->bases.size == 1 && td->bases[0] && td->bases[0]->resolved &&
                 td->bases[0]->resolved->is_integer())
            ts = td->bases[0]->resolved->size;
    }
    int64_t al = t->align ? t->align : 1;
    *tag_size = ts;
    *payload_off = (ts + al - 1) / al * al;
}

int64_t Lowerer::payload_field_offset(EnumCaseDecl* ec, uint32_t i, int64_t payload_off) {
    int64_t off = 0;
    for (uint32_t j = 0; j < ec->payload.size; j++) {
        const Type* pt = ec->payload[j]->type;
        bool boxed = ec->payload[j]->boxed; // a pointer to a heap box
        int64_t a = boxed ? 8 : pt->align ? pt->align : 1;
        off = (off + a - 1) / a * a;
        if (j == i) break;
        off += boxed ? 8 : pt->size;
    }
    return payload_off + off;
}

// With ret_arms, each arm returns its value (tail position) instead of joining.
Inst* Lowerer::match(MatchExpr* e, bool ret_arms) {
    Block* from = cur;
    uint32_t lo = wclock_;
    const Type* st = e->scrutinee->type;
    Inst* v = expr(e->scrutinee);
    if (is_counted(st)) v = pin(v, st); // bindings borrow it until the match ends
    Ty rt = ty(e->type);
    bool has_val = rt != Ty::Void;
    // A call's T! result is a temporary of the statement: its error or its value (zero after
    // an error, see fail_stmt) is dropped at the statement's end, and Ok(v) bindings borrow
    // it. An `Err(e)` arm that owns the error takes it out (below). An arm's value cannot be
    // moved out of a binding (sema), so the match's value never needs the temporary to live
    // longer than the statement.
    if (st->kind == TypeKind::Fallible && is_new_result(e->scrutinee) && cur) {
        temps_.push_back(v);
        temp_drops_[v] = st;
    }
    uint32_t res = has_val ? new_var(rt) : 0;
    int owned = 0, borrowed = 0; // arms giving an owned / a borrowed move-type value
    Block* join = mk_block();
    Inst* tag = nullptr;
    if (st->kind == TypeKind::Enum && is_agg(st)) { // every arm tests the tag: load it once
        int64_t ts, poff;
        enum_layout(st, &ts, &poff);
        tag = load(int_ty_of_size(ts), v, 0);
    }
    for (const MatchArm& arm : e->arms) {
        if (!cur) break;
        Block* arm_from = cur;
        uint32_t arm_lo = wclock_;
        Block* next = mk_block();
        // The cached tag is valid only while testing patterns (arm bodies may assign).
        match_obj_ = tag ? v : nullptr;
        match_tag_ = tag;
        pattern(arm.pattern, v, st, next);
        match_obj_ = match_tag_ = nullptr;
        // Bindings that hold retained copies are dropped when the arm ends (not when an
        // aggregate value of the match may borrow from one: those copies are left alone).
        size_t arm_defers = defers.size();
        if (!(has_val && is_agg(e->type))) own_pattern_copies(arm.pattern);
        if (arm.guard && cur) {
            Block* ok = mk_block();
            Block* miss = defers.size() > arm_defers ? mk_block() : next; // (a miss drops them too)
            cond_branch(arm.guard, ok, miss);
            if (miss != next) {
                seal(miss);
                enter(miss);
                run_defers(arm_defers);
                jmp(next);
            }
            seal(ok);
            enter(ok);
        }
        // `Err(e)` on a call's T! result: e owns the error, dropped when the arm ends
        // unless the arm moved it (`fail e`, or `Err(e) => e` as the match's value).
        if (cur && arm.pattern && arm.pattern->kind == PatternKind::Err &&
            arm.pattern->subs.size == 1 &&
            st->kind == TypeKind::Fallible && is_new_result(e->scrutinee)) {
            Decl* ed = arm.pattern->subs[0]->decl;
            if (ed && ed->kind == DeclKind::Local && owns_drop(ed)) {
                own_drop_local(ed);
                store(Ty::Ptr, v, err_offset(st), iconst(Ty::Ptr, 0)); // (the temporary no longer holds it)
            }
        }
        if (cur) {
            if (arm.body_expr && ret_arms) {
                size_t mark = temps_.size();
                return_value(arm.body_expr);
                if (temps_.size() > mark) temps_.resize(mark);
            } else if (arm.body_expr) {
                size_t mark = temps_.size();
                Inst* x = expr(arm.body_expr);
                if (has_val && is_counted(e->type)) x = take(x, e->type);
                if (has_val && cur && tracked(e->type)) { // as ?: does (lower_expr.cpp)
                    if (claim_agg(x)) owned++;
                    else if (x && x->op != Op::iconst) borrowed++;
                }
                drop_temps(mark);
                if (has_val && cur) def(res, x);
            } else if (arm.body_block) {
                stmts(arm.body_block);
            }
            if (cur) run_defers(arm_defers);
            defers.resize(arm_defers);
            jmp(join);
        }
        defers.resize(arm_defers);
        set_skip(next, arm_from, arm_lo);
        seal(next);
        enter(next);
    }
    if (cur) {
        if (has_val)
            unreachable(); // sema proved the match exhaustive
        else
            jmp(join);
    }
    set_skip(join, from, lo);
    seal(join);
    enter(join);
    if (!cur) return has_val ? undef(rt) : nullptr;
    if (!has_val) return nullptr;
    Inst* r = use(res);
    if (owned && !borrowed) return own_value(r, e->type); // lower_drop.cpp
    return own(r, e->type);
}

// Emits the tests of `p` against `v` (of type `t`): on mismatch control goes to `fail`,
// on success it continues in `cur` with the pattern's bindings defined.
void Lowerer::pattern(Pattern* p, Inst* v, const Type* t, Block* fail) {
    if (!cur || !p) return;
    auto test = [&](Inst* cond) {
        Block* ok = mk_block();
        br(cond, ok, fail);
        seal(ok);
        enter(ok);
    };
    switch (p->kind) {
    case PatternKind::Wildcard: return;
    case PatternKind::Binding:
        if (p->decl && p->decl->kind == DeclKind::Local) {
            auto* d = as<LocalDecl>(p->decl);
            if (t->kind == TypeKind::Nullable && d->type == t->elem) {
                test(emit(Op::Xor, Ty::I8, is_null(v, t), iconst(Ty::I8, 1)));
                v = nullable_value(v, t);
                t = t->elem;
            }
            if (copy_binding(d)) {
                // A copy holding its own references to the strings (never taking over the
                // value's: only one arm's binding runs, and the value's owner drops it). The
                // match or `if` that made it drops it when its scope ends (own_pattern_copies).
                LVal lv = var_lval(d);
                memcpy_(ptr_add(lv.base, lv.off), v, lv.type->size);
                retain_parts(lv.type, lv.base, lv.off);
            } else {
                bind_local(d, v, t, true);
            }
        } else if (p->decl && p->decl->kind == DeclKind::EnumCase) {
            Pattern q = *p;
            q.kind = PatternKind::Variant;
            pattern(&q, v, t, fail);
        }
        return;
    case PatternKind::Literal: {
        Inst* lv = expr(p->lit);
        if (p->lit->type != t && p->lit->type->kind != TypeKind::Null) lv = convert(lv, p->lit->type, t, p->span);
        test(compare(BinOp::Eq, t, v, lv));
        return;
    }
    case PatternKind::Range: {
        Inst* lo = expr(p->lit);
        Inst* hi = expr(p->hi);
        test(compare(BinOp::Ge, t, v, lo));
        test(compare(p->inclusive ? BinOp::Le : BinOp::Lt, t, v, hi));
        return;
    }
    case PatternKind::Null: test(is_null(v, t)); return;
    case PatternKind::Variant: {
        if (!p->decl || p->decl->kind != DeclKind::EnumCase) {
            unsupported(p->span, "this pattern");
            return;
        }
        auto* ec = as<EnumCaseDecl>(p->decl);
        if (t->kind == TypeKind::Nullable) {
            test(emit(Op::Xor, Ty::I8, is_null(v, t), iconst(Ty::I8, 1)));
            v = nullable_value(v, t);
            t = t->elem;
        }
        if (!is_agg(t)) {
            Inst* cmp = emit(Op::eq, Ty::I8, v, iconst(ty(t), ec->tag));
            cmp->cty = ty(t);
            test(cmp);
            return;
        }
        int64_t ts, poff;
        enum_layout(t, &ts, &poff);
        Ty tt = int_ty_of_size(ts);
        Inst* tag = v == match_obj_ && match_tag_ && match_tag_->ty == tt ? match_tag_ : load(tt, v, 0);
        Inst* cmp = emit(Op::eq, Ty::I8, tag, iconst(tt, ec->tag));
        cmp->cty = tt;
        test(cmp);
        for (uint32_t i = 0; i < p->subs.size && i < ec->payload.size; i++) {
            const Type* pt = ec->payload[i]->type;
            Inst* fv = ec->payload[i]->boxed ? load_typed(pt, load(Ty::Ptr, v, payload_field_offset(ec, i, poff)), 0)
                                             : load_typed(pt, v, payload_field_offset(ec, i, poff));
            pattern(p->subs[i], fv, pt, fail);
        }
        return;
    }
    case PatternKind::Tuple:
        for (uint32_t i = 0; i < p->subs.size && i < t->count; i++) {
            Inst* ev = load_typed(t->elems[i], v, tuple_offset(t, i));
            pattern(p->subs[i], ev, t->elems[i], fail);
        }
        return;
    case PatternKind::TypeTest: {
        const Type* want = p->type ? p->type->resolved : nullptr;
        if (!want || want->kind != TypeKind::Class || !want->decl) {
            unsupported(p->span, "type test against this type");
            return;
        }
        const Type* inner = t->kind == TypeKind::Nullable ? t->elem : t;
        Inst* nn = emit(Op::ne, Ty::I8, v, iconst(Ty::Ptr, 0));
        nn->cty = Ty::Ptr;
        test(nn);
        if (inner != want) {
            // Walk the base chain of the object's LangTypeInfo (base at offset 32).
            Inst* target = emit(Op::addr, Ty::Ptr);
            target->sym = typeinfo(want->decl);
            uint32_t tv = new_var(Ty::Ptr);
            def(tv, load(Ty::Ptr, v, 0));
            Block* head = mk_block();
            Block* more = mk_block();
            Block* ok = mk_block();
            jmp(head);
            enter(head);
            Inst* ti = use(tv);
            Inst* hit = emit(Op::eq, Ty::I8, ti, target);
            hit->cty = Ty::Ptr;
            Block* chk = mk_block();
            br(hit, ok, chk);
            seal(chk);
            enter(chk);
            Inst* isz = emit(Op::eq, Ty::I8, ti, iconst(Ty::Ptr, 0));
            isz->cty = Ty::Ptr;
            br(isz, fail, more);
            seal(more);
            enter(more);
            def(tv, load(Ty::Ptr, ti, LANG_ABI_TYPEINFO_BASE));
            jmp(head);
            seal(head);
            seal(ok);
            enter(ok);
        }
        if (p->decl && p->decl->kind == DeclKind::Local) bind_local(as<LocalDecl>(p->decl), v, nullptr, true);
        return;
    }
    case PatternKind::Ok:
    case PatternKind::Err: {
        if (t->kind != TypeKind::Fallible) {
            unsupported(p->span, "Ok/Err pattern on a value that is not T!");
            return;
        }
        Inst* err = load(Ty::Ptr, v, err_offset(t));
        Inst* cmp = emit(p->kind == PatternKind::Ok ? Op::eq : Op::ne, Ty::I8, err, iconst(Ty::Ptr, 0));
        cmp->cty = Ty::Ptr;
        test(cmp);
        if (!p->subs.size) return;
        if (p->kind == PatternKind::Ok) {
            if (t->elem && t->elem->kind != TypeKind::Void) pattern(p->subs[0], load_typed(t->elem, v, 0), t->elem, fail);
        } else {
            const Type* et = p->subs[0]->type_resolved ? p->subs[0]->type_resolved : c.types.pointer(c.types.void_());
            pattern(p->subs[0], err, et, fail);
        }
        return;
    }
    }
}

} // namespace lang::lower
