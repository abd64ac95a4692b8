// flow.cpp: flow analysis over a checked function body (spec 4.1, 4.3, 13).
//
// One walk over the statement tree of each function, after sema checked it without
// errors, computes at every point which tracked variables are *definitely assigned*
// (assigned on every path that reaches the point, like C#'s rule) and whether the point
// is reachable at all. From that it reports:
//  - errors: a local declared without an initializer (`var x: T;`) read before it is
//    definitely assigned; in a constructor, a field that has no zero value (has_zero_value)
//    and no initializer that is read, or `this` used for anything but assigning fields,
//    before it is assigned, or not assigned on some path to the constructor's end;
//  - warnings: the first unreachable statement of a block, locals that are never read,
//    and integer constant expressions that overflow or divide by zero (certain panics).
// Which types have a zero value, and the rules for fields outside constructors, are in
// zero_value.cpp.
// Moves (spec 6) are the same analysis run the other way: a local or `own` parameter of a
// move type (ownership.cpp) holds a slot that its initialization sets and a move clears, so
// using it where the slot is not set on every path is "use of moved value", with the
// place of the move. Moves clear bits, so a loop is first walked once quietly (its
// diagnostics held and dropped) to find what its back edge has lost; the real walk then
// starts from the entry state met with that, which reports a use before a move later in
// the body as a move "in an earlier iteration". A borrowed parameter cannot be moved.
// A local that borrows a place of a variable gets a slot too, set when it borrows and
// cleared when that variable changes (assigned, moved, passed as `ref`): reading it then
// is "borrows from 'x', which was changed at L:C".
// Invariants: a State is a bit per tracked slot (fields of the constructor first, then
// `own` parameters, then locals as their declarations are met); a missing bit means "not
// assigned" (or moved away); a dead state (no path reaches the point) counts every slot as
// assigned, and joining with it is a no-op. A loop's head state is its entry state met
// with its back edge's (computed by the quiet walk). Conditions are split into a when-true and a when-false
// state for `&&`, `||` and `!`; the only constant conditions used are the `true` of
// `while (true)` and a missing `for` condition (loops that never end).
#include "sema/check.h"

#include <algorithm>

namespace lang::sema {

namespace {

struct State {
    std::vector<uint64_t> bits;
    bool dead = false;

    bool has(uint32_t slot) const {
        return dead || (slot / 64 < bits.size() && (bits[slot / 64] >> (slot % 64) & 1));
    }
    void set(uint32_t slot, bool on) {
        if (slot / 64 >= bits.size()) bits.resize(slot / 64 + 1, 0);
        if (on) bits[slot / 64] |= 1ull << (slot % 64);
        else bits[slot / 64] &= ~(1ull << (slot % 64));
    }
    static State unreachable() {
        State s;
        s.dead = true;
        return s;
    }
    // This state becomes the meet of itself and o (what holds on both paths).
    void join(const State& o) {
        if (o.dead) return;
        if (dead) {
            *this = o;
            return;
        }
        if (bits.size() > o.bits.size()) bits.resize(o.bits.size());
        for (size_t i = 0; i < bits.size(); i++) bits[i] &= o.bits[i];
    }
};

// The value of an integer constant expression (literals and + - * / % and unary -), when
// known; wide enough for any product of two 64-bit values' operands to be checked.
struct Const {
    bool known = false;
    __int128 v = 0;
};

bool fits_type(__int128 v, const Type* t) {
    unsigned bits = t->size * 8;
    if (bits == 0 || bits > 64) return true;
    if (t->is_signed()) {
        __int128 lo = -((__int128)1 << (bits - 1)), hi = ((__int128)1 << (bits - 1)) - 1;
        return v >= lo && v <= hi;
    }
    return v >= 0 && v <= (((__int128)1 << bits) - 1);
}

std::string int128_text(__int128 v) {
    bool neg = v < 0;
    unsigned __int128 m = neg ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
    std::string s;
    do {
        s.insert(s.begin(), (char)('0' + (int)(m % 10)));
        m /= 10;
    } while (m);
    return neg ? "-" + s : s;
}

// The vectors a Flow fills. Every function body gets a Flow; the last one's buffers are
// kept (Sema::flow_spare_) and the next one clears and reuses them, so checking a function
// does not allocate them again.
struct FlowBuffers {
    std::vector<FieldDecl*> fields;
    std::vector<uint8_t> reported, read, local_reported, param_reported, borrows;
    std::vector<int32_t> slot_of;
    std::vector<LocalDecl*> decl_at, declared;
    std::vector<Span> moved_at;
    std::vector<std::pair<ParamDecl*, int32_t>> own_params;
    std::vector<std::pair<Span, Decl*>> ended_at;

    void clear() {
        fields.clear(), reported.clear(), read.clear(), local_reported.clear(), param_reported.clear();
        borrows.clear(), slot_of.clear(), decl_at.clear(), declared.clear(), moved_at.clear();
        own_params.clear(), ended_at.clear();
    }
    static std::shared_ptr<FlowBuffers> take(Sema& s) {
        auto b = std::static_pointer_cast<FlowBuffers>(std::move(s.flow_spare_));
        if (!b) b = std::make_shared<FlowBuffers>();
        b->clear();
        return b;
    }
};

class Flow {
public:
    Flow(Sema& s, FuncDecl* fn, TypeDecl* owner) : s_(s), diag_(s.diag), fn_(fn), owner_(owner) {}
    ~Flow() { s_.flow_spare_ = std::move(buf_); }
    Flow(const Flow&) = delete;
    Flow& operator=(const Flow&) = delete;

    void run() {
        read_.assign(fn_->local_count, 0);
        slot_of_.assign(fn_->local_count, -1);
        decl_at_.assign(fn_->local_count, nullptr);
        ctor_ = fn_->fkind == FuncKind::Constructor && owner_ && !fn_->chains_this &&
                (owner_->tkind == TypeDeclKind::Class || owner_->tkind == TypeDeclKind::Struct);
        if (ctor_) {
            s_.required_fields(owner_, fields_);
            reported_.assign(fields_.size(), 0);
            nslots_ = (uint32_t)fields_.size();
        }
        moved_at_.assign(nslots_, Span{});
        getter_ = returns_borrow(fn_);
        State st;
        for (ParamDecl* p : fn_->params)
            if (p && p->mode == ParamMode::Own && s_.is_move_type(p->type)) {
                int32_t slot = new_slot(true);
                own_params_.push_back({p, slot});
                st.set((uint32_t)slot, true);
            }
        if (fn_->chain_target) { // `: base(args)`: its `own` parameters take their arguments
            call_args(fn_->chain_target, fn_->chain_args, st);
        }
        if (fn_->body) block(fn_->body, st);
        else if (fn_->body_expr) { // `=> e` returns e
            returns_borrow_ = getter_;
            consume(fn_->body_expr, st);
            returns_borrow_ = false;
        }
        if (ctor_ && !st.dead) fields_set_at_end(st);
        for (LocalDecl* d : declared_) {
            if (!d->name || d->name.c_str()[0] == '_' || d->index >= read_.size() || read_[d->index] == 2) continue;
            if (read_[d->index] == 1)
                diag_.warning(d->name_span, "variable '%s' is assigned but never read", d->name.c_str());
            else
                diag_.warning(d->name_span, "unused variable '%s'", d->name.c_str());
        }
    }

private:
    struct Loop {
        State brk, cont;
        bool has_brk = false, has_cont = false;
    };

    Sema& s_;
    Diag& diag_;
    FuncDecl* fn_;
    TypeDecl* owner_;
    std::shared_ptr<FlowBuffers> buf_ = FlowBuffers::take(s_); // (before the references into it)
    bool ctor_ = false;
    std::vector<FieldDecl*>& fields_ = buf_->fields;    // slots 0..n-1 in a constructor
    std::vector<uint8_t>& reported_ = buf_->reported;   // per field: its error was given
    bool this_reported_ = false;
    std::vector<int32_t>& slot_of_ = buf_->slot_of;     // LocalDecl::index -> slot, -1: always assigned
    std::vector<LocalDecl*>& decl_at_ = buf_->decl_at;  // LocalDecl::index -> the let/var declared here
    std::vector<uint8_t>& read_ = buf_->read;           // LocalDecl::index -> 0 unused, 1 assigned only, 2 read
    std::vector<uint8_t>& local_reported_ = buf_->local_reported;
    std::vector<LocalDecl*>& declared_ = buf_->declared; // let/var locals, for the unused warning
    std::vector<Loop> loops_;
    uint32_t nslots_ = 0;
    std::vector<Span>& moved_at_ = buf_->moved_at;      // slot -> where it was last moved (begin 0: never)
    std::vector<std::pair<ParamDecl*, int32_t>>& own_params_ = buf_->own_params; // `own` parameters of move types and their slots
    bool quiet_ = false;               // walking a loop body to find its back edge's state

    uint32_t move_slots_ = 0;          // slots of move-type variables so far (0: loops need no quiet walk)
    int32_t new_slot(bool moves = false) {
        moved_at_.push_back(Span{});
        move_slots_ += moves;
        return (int32_t)nslots_++;
    }

    // ---- what is tracked
    int32_t field_slot(Decl* d) const {
        if (!ctor_ || !d || d->kind != DeclKind::Field || fields_.empty()) return -1;
        for (size_t i = 0; i < fields_.size(); i++)
            if (fields_[i] == d) return (int32_t)i;
        return -1;
    }
    // `f` (implicit this) or `this.f` naming a tracked field of the constructor's object.
    int32_t field_target(Expr* e) const {
        if (!ctor_ || !e) return -1;
        if (e->kind == ExprKind::Name) return field_slot(static_cast<NameExpr*>(e)->decl);
        if (e->kind == ExprKind::Member) {
            auto* m = static_cast<MemberExpr*>(e);
            if (m->object && m->object->kind == ExprKind::This) return field_slot(m->decl);
        }
        return -1;
    }
    LocalDecl* local_of(Expr* e) const {
        if (!e || e->kind != ExprKind::Name) return nullptr;
        Decl* d = static_cast<NameExpr*>(e)->decl;
        if (!d || d->kind != DeclKind::Local || static_cast<LocalDecl*>(d)->index >= slot_of_.size()) return nullptr;
        auto* l = static_cast<LocalDecl*>(d);
        return decl_at_[l->index] == l ? l : nullptr; // not a global (its index means nothing here)
    }

    void mark(LocalDecl* d, uint8_t how) {
        if (d && d->index < read_.size() && read_[d->index] < how) read_[d->index] = how;
    }

    // A read of a name: a local must be definitely assigned, a tracked field set.
    void use_name(Expr* e, State& st) {
        if (LocalDecl* d = local_of(e)) {
            mark(d, 2);
            int32_t slot = slot_of_[d->index];
            if (slot >= 0 && !st.has((uint32_t)slot)) {
                if (local_reported_.size() <= d->index) local_reported_.resize(d->index + 1, 0);
                if (!local_reported_[d->index]) {
                    local_reported_[d->index] = 1;
                    if (moved_at_[(size_t)slot].end) used_after_move(e, d->name.c_str(), slot);
                    else if ((size_t)slot < ended_at_.size() && ended_at_[(size_t)slot].second)
                        borrow_ended(e, d->name.c_str(), slot);
                    else
                        diag_.error(e->span, "variable '%s' is used before it is assigned on every path",
                                    d->name.c_str());
                }
            }
            return;
        }
        if (int32_t slot = own_param_slot(e); slot >= 0) {
            if (!st.has((uint32_t)slot) && !moved_reported(slot)) used_after_move(e, static_cast<NameExpr*>(e)->decl->name.c_str(), slot);
            return;
        }
        int32_t f = field_target(e);
        if (f >= 0 && !st.has((uint32_t)f) && !reported_[f]) {
            reported_[f] = 1;
            diag_.error(e->span, "field '%s' is read before the constructor of '%s' sets it", fields_[f]->name.c_str(),
                        owner_->name.c_str());
        }
    }
    // ---- moves (spec 6)
    int32_t own_param_slot(Expr* e) const {
        if (!e || e->kind != ExprKind::Name) return -1;
        Decl* d = static_cast<NameExpr*>(e)->decl;
        for (auto& [p, slot] : own_params_)
            if (p == d) return slot;
        return -1;
    }
    std::vector<uint8_t>& param_reported_ = buf_->param_reported; // own-parameter slot -> its use after a move was reported
    bool moved_reported(int32_t slot) {
        if (param_reported_.size() <= (size_t)slot) param_reported_.resize((size_t)slot + 1, 0);
        if (param_reported_[(size_t)slot]) return true;
        param_reported_[(size_t)slot] = 1;
        return false;
    }
    void borrow_ended(Expr* use, const char* name, int32_t slot) {
        auto [at, owner] = ended_at_[(size_t)slot];
        LineCol lc = s_.c.sources.line_col(at.file, at.begin);
        bool earlier = at.file == use->span.file && at.begin >= use->span.begin;
        diag_.error(use->span, "'%s' borrows from '%s', which was changed at %u:%u%s, so what it named may have been dropped "
                    "(read it again after the change, or keep a copy with .Clone())",
                    name, owner->name.c_str(), lc.line, lc.col, earlier ? ", in an earlier iteration of the loop" : "");
    }
    void used_after_move(Expr* use, const char* name, int32_t slot) {
        Span at = moved_at_[(size_t)slot];
        LineCol lc = s_.c.sources.line_col(at.file, at.begin);
        bool earlier = at.file == use->span.file && at.begin >= use->span.begin; // reached again by the loop
        diag_.error(use->span, "use of moved value '%s' (moved at %u:%u%s)", name, lc.line, lc.col,
                    earlier ? ", in an earlier iteration of the loop" : "");
    }
    // `e` stands where its value is taken over (spec 6): initializing or assigning a
    // variable, a field or an element, returning, `fail`, an element of an array or tuple
    // literal, an `own` argument, a `spawn` argument. A local or `own` parameter of a move
    // type named there is moved; a borrowed parameter cannot be.
    void consume(Expr* e, State& st, Const* out = nullptr) {
        ex(e, st, out);
        moved_names(e, st);
    }
    // The locals and parameters whose value `e` hands over: a name, through casts (an
    // upcast or interface conversion is the same object), both arms of `?:` and `??`, the
    // `=> e` arms of a `match`.
    void moved_names(Expr* x, State& st) {
        x = strip_casts(x);
        // Every case below hands over a value of a move type (the arms have the whole's type).
        if (!x || !x->type || !s_.is_move_type(x->type)) return;
        if (x->kind == ExprKind::Ternary) {
            moved_names(static_cast<TernaryExpr*>(x)->then_e, st);
            moved_names(static_cast<TernaryExpr*>(x)->else_e, st);
            return;
        }
        if (x->kind == ExprKind::Match) { // the value of whichever `=> e` arm runs
            for (MatchArm& a : static_cast<MatchExpr*>(x)->arms) moved_names(a.body_expr, st);
            return;
        }
        if (x->kind == ExprKind::Binary && static_cast<BinaryExpr*>(x)->op == BinOp::Coalesce) {
            moved_names(static_cast<BinaryExpr*>(x)->lhs, st);
            moved_names(static_cast<BinaryExpr*>(x)->rhs, st);
            return;
        }
        if (x->kind == ExprKind::Catch) { // the value, or the handler's
            auto* c = static_cast<CatchExpr*>(x);
            if (stored_result(c->operand) && !st.dead && !returns_borrow_)
                cannot_move_stored(x, c->operand); // the value stays in the stored T!
            moved_names(c->handler_expr, st);
            return;
        }
        if (x->kind == ExprKind::Try && stored_result(static_cast<TryExpr*>(x)->operand) && !st.dead &&
            !returns_borrow_) {
            Expr* stored = static_cast<TryExpr*>(x)->operand;
            if (error_place(stored)) cannot_move_stored(x, stored); // (else the `try` itself was reported)
            return;
        }
        if (st.dead) return;
        if ((x->kind == ExprKind::This || x->kind == ExprKind::Base) && !returns_borrow_) {
            diag_.error(x->span, "cannot move 'this' of type %s: a method borrows its object (return a new object, or make this a property, which returns a borrow)",
                        s_.tn(x->type).c_str());
            return;
        }
        bool place = is_place_read(x);
        if (place && !borrowed_place(x)) { // a field or element of a temporary
            if (!returns_borrow_) cannot_move_out(x);
            return;
        }
        if (x->kind != ExprKind::Name || (borrowed_place(x) && !is_borrowed_param(x))) {
            if (borrowed_place(x) && !returns_borrow_) cannot_move_out(x);
            return;
        }
        Decl* d = static_cast<NameExpr*>(x)->decl;
        if (pinned_move(x)) return;
        int32_t slot = -1;
        if (LocalDecl* l = local_of(x)) {
            slot = slot_of_[l->index];
        } else if (int32_t ps = own_param_slot(x); ps >= 0) slot = ps;
        else if (d && d->kind == DeclKind::Param && static_cast<ParamDecl*>(d)->caught) {
            diag_.error(x->span, "cannot move '%s': it is the error of a stored T!, which still owns it (only the error of a call's result can be moved; make a new error with new Error(%s.Message))",
                        d->name.c_str(), d->name.c_str());
            return;
        } else if (d && d->kind == DeclKind::Param && static_cast<ParamDecl*>(d)->mode == ParamMode::Borrow) {
            if (returns_borrow_ && fn_ && has_borrow_attr(fn_)) return; // a [Borrow] method may return a borrowed argument
            diag_.error(x->span, "cannot move '%s' of type %s: it is a borrowed parameter (declare it 'own %s %s' to take ownership)",
                        d->name.c_str(), s_.tn(x->type).c_str(), s_.tn(x->type).c_str(), d->name.c_str());
            return;
        }
        if (slot < 0) return;
        st.set((uint32_t)slot, false);
        moved_at_[(size_t)slot] = x->span;
        owner_changed(d, x->span, st);
        static_cast<NameExpr*>(x)->moves = true; // lowering empties the variable here
    }
    // An escaping lambda owns what it captures (spec 7.10): a captured local or `own`
    // parameter of a move type is moved into its record where the lambda is made. A
    // borrowing local and a borrowed parameter stay shared (the record borrows them).
    void move_captures(LambdaExpr* l, State& st) {
        if (l->moves.size != l->captures.size) {
            l->moves = {};
            for (uint32_t i = 0; i < l->captures.size; i++) l->moves.push(s_.arena, 0);
        }
        for (uint32_t i = 0; i < l->captures.size; i++) {
            Decl* d = l->captures[i];
            if (!d->type || !s_.is_move_type(d->type)) continue;
            // A borrow cannot go into the record: the lambda may outlive what it names.
            if ((d->kind == DeclKind::Local && static_cast<LocalDecl*>(d)->borrows) ||
                (d->kind == DeclKind::Param && static_cast<ParamDecl*>(d)->mode == ParamMode::Borrow)) {
                diag_.error(l->span, "cannot capture '%s' in a lambda that escapes: it borrows a %s, which the lambda "
                            "could outlive (capture an owned copy, let c = %s.Clone();%s)", d->name.c_str(),
                            s_.tn(d->type).c_str(), d->name.c_str(), d->kind == DeclKind::Param ? " or make the parameter 'own'" : "");
                continue;
            }
            if (d->kind == DeclKind::Param && static_cast<ParamDecl*>(d)->mode != ParamMode::Own) continue;
            NameExpr n;
            n.kind = ExprKind::Name;
            n.span = l->span;
            n.decl = d;
            n.type = d->type;
            moved_names(&n, st);
            if (n.moves) l->moves[i] = 1;
        }
    }
    static Expr* strip_casts(Expr* x) {
        while (x && x->kind == ExprKind::Cast) x = static_cast<CastExpr*>(x)->operand;
        return x;
    }
    // A field, property or element read: a place inside some value.
    static bool is_place_read(Expr* x) {
        if (x->kind == ExprKind::Index || x->kind == ExprKind::TupleIndex) return true;
        if (borrowing_call(x)) return true; // d.Get(k): a [Borrow] method's result
        if (x->kind != ExprKind::Member) return false;
        auto* m = static_cast<MemberExpr*>(x);
        return m->call || (m->decl && m->decl->kind == DeclKind::Field) || (!m->decl && !m->builtin);
    }
    // A call of a method declared [Borrow] on an object (`d.Get(k)`): like a getter, its
    // result is a place of that object.
    static bool borrowing_call(Expr* x) {
        if (x->kind != ExprKind::Call) return false;
        auto* c = static_cast<CallExpr*>(x);
        return c->callee && c->callee->kind == ExprKind::Member && returns_borrow(c->target);
    }
    // `let x = d.GetOr(k, new Node(1));`: a [Borrow] method may return one of its borrowed
    // arguments, and a temporary one is dropped when the statement ends.
    void borrows_temporary(Expr* init) {
        init = strip_casts(init);
        if (!init || !borrowing_call(init)) return;
        auto* c = static_cast<CallExpr*>(init);
        for (uint32_t i = 0; i < c->args.size && i < c->target->params.size; i++) {
            Arg& a = c->args[i];
            if (c->target->params[i]->mode == ParamMode::Borrow && a.value && a.value->kind != ExprKind::RefArg &&
                s_.is_move_type(a.value->type) && temporary(a.value)) {
                diag_.error(a.value->span, "'%s' may return this argument, a temporary dropped at the end of the "
                            "statement, so its result cannot be kept in a variable (keep the argument in a variable first)",
                            c->target->name.c_str());
                return;
            }
        }
    }
    // The value a chain of field, property and element reads starts from.
    static Expr* place_root(Expr* x) {
        for (;;) {
            x = strip_casts(x);
            if (!x) return x;
            if (borrowing_call(x)) x = static_cast<MemberExpr*>(static_cast<CallExpr*>(x)->callee)->object;
            else if (x->kind == ExprKind::Try && stored_result(static_cast<TryExpr*>(x)->operand))
                x = static_cast<TryExpr*>(x)->operand;
            else if (x->kind == ExprKind::Catch && stored_result(static_cast<CatchExpr*>(x)->operand))
                x = static_cast<CatchExpr*>(x)->operand;
            else if (x->kind == ExprKind::Member && is_place_read(x)) x = static_cast<MemberExpr*>(x)->object;
            else if (x->kind == ExprKind::Index) x = static_cast<IndexExpr*>(x)->object;
            else if (x->kind == ExprKind::TupleIndex) x = static_cast<TupleIndexExpr*>(x)->object;
            else return x;
        }
    }
    // A T! some place holds (a local, a field, an element): `try r` and `r catch d` give a
    // borrow of its value, which stays there.
    static bool stored_result(Expr* x) {
        return x && x->type && x->type->kind == TypeKind::Fallible && !fresh_result(x);
    }
    // A place whose T! `try` may give its error up (lowering empties it there): an owned
    // local or `own` parameter, a field of an object or of such a place, an array element.
    bool error_place(Expr* x) {
        x = strip_casts(x);
        if (!x) return false;
        if (x->kind == ExprKind::Name) {
            Decl* d = static_cast<NameExpr*>(x)->decl;
            if (d && d->kind == DeclKind::Field) return true;
            if (own_param_slot(x) >= 0) return true;
            LocalDecl* l = local_of(x);
            return l && !(l->index < borrows_.size() && borrows_[l->index]);
        }
        if (x->kind == ExprKind::Index) {
            Expr* o = static_cast<IndexExpr*>(x)->object;
            return o && o->type && o->type->kind == TypeKind::Array;
        }
        if (x->kind == ExprKind::Member) {
            auto* m = static_cast<MemberExpr*>(x);
            if (m->call || !m->decl || m->decl->kind != DeclKind::Field || m->null_safe) return false;
            const Type* ot = m->object ? m->object->type : nullptr;
            if (ot && ot->kind == TypeKind::Class) return true;
            return m->object && (m->object->kind == ExprKind::This || error_place(m->object));
        }
        return false;
    }
    bool is_borrowed_param(Expr* x) const {
        Decl* d = static_cast<NameExpr*>(x)->decl;
        return d && d->kind == DeclKind::Param && static_cast<ParamDecl*>(d)->mode == ParamMode::Borrow;
    }
    // Moving a value out of a place this function does not own (spec 6): the owner would
    // still drop it. The fixes: exchange it with swap(), or copy it with .Clone().
    void cannot_move_out(Expr* x) {
        std::string what = source_of(x);
        const char* whose = x->kind == ExprKind::Index ? "an element of a value" : x->kind == ExprKind::Name && !is_field_name(x)
            ? "a value" : "a field of a value";
        if (x->kind == ExprKind::As) {
            diag_.error(x->span, "cannot move '%s' of type %s: 'as' borrows the value it converts (test and bind it with 'is' where it is owned, or copy it with .Clone())",
                        what.c_str(), s_.tn(x->type).c_str());
            return;
        }
        Expr* root = place_root(x);
        if (is_place_read(x) && root && root->kind != ExprKind::Name && root->kind != ExprKind::This &&
            root->kind != ExprKind::Base) {
            diag_.error(x->span, "cannot move '%s' of type %s: it is part of a temporary value that is dropped at the end of the statement "
                        "(keep the value in a variable and take the part with take(ref ...) or swap(ref ..., ref other))",
                        what.c_str(), s_.tn(x->type).c_str());
            return;
        }
        diag_.error(x->span, "cannot move '%s' of type %s: it is %s this function does not own "
                    "(exchange it with swap(ref %s, ref other), or copy it with .Clone())",
                    what.c_str(), s_.tn(x->type).c_str(), whose, what.c_str());
    }
    // The source text of an expression, for messages that quote it.
    std::string source_of(Expr* x) const {
        const std::string& text = s_.c.sources.file(x->span.file).text;
        return std::string(text, x->span.begin, x->span.end - x->span.begin);
    }
    void cannot_move_stored(Expr* x, Expr* stored) {
        std::string what = source_of(stored);
        diag_.error(x->span, "cannot move the %s value out of '%s': 'try' and 'catch' on a stored T! borrow its value, "
                    "which stays there (move '%s' itself, or 'try' the call that made it)",
                    s_.tn(x->type).c_str(), what.c_str(), what.c_str());
    }
    static bool is_field_name(Expr* x) {
        Decl* d = static_cast<NameExpr*>(x)->decl;
        return d && d->kind == DeclKind::Field;
    }
    // Whether `e` names a value this function does not own, which `let x = e;` borrows
    // instead of moving: a borrowed (or `ref`) parameter, a local that borrows, a global, a
    // for-in variable or pattern binding, or a field or element of anything.
    bool borrowed_place(Expr* e) const {
        e = strip_casts(e);
        if (!e) return false;
        if (s_.is_context_member(e)) return true; // context.logger: the context borrows it
        if (e->kind == ExprKind::As) { // `x as T` is x, or null: it borrows x unless x is new
            Expr* o = strip_casts(static_cast<AsExpr*>(e)->operand);
            return o && (o->kind == ExprKind::Name || o->kind == ExprKind::This || o->kind == ExprKind::Base ||
                         is_place_read(o));
        }
        auto borrowed_or_null = [&](Expr* x) { return x && (x->kind == ExprKind::NullLit || borrowed_place(x)); };
        switch (e->kind) {
        case ExprKind::Try: // `try r` of a stored T!: its value, still in r
            return stored_result(static_cast<TryExpr*>(e)->operand);
        case ExprKind::Catch: { // `r catch d` of a stored T!, when d is a borrow too
            auto* c = static_cast<CatchExpr*>(e);
            return stored_result(c->operand) && e->type && e->type->kind != TypeKind::Fallible &&
                   (!c->handler_expr || borrowed_or_null(c->handler_expr));
        }
        case ExprKind::Call: // d.Get(k)
        case ExprKind::Member: // a field or a property (`Color.Red` is a value, not a place)
        case ExprKind::Index:
        case ExprKind::TupleIndex: { // ... of a value that outlives the statement
            if (!is_place_read(e)) return false;
            Expr* root = place_root(e);
            return root && (root->kind == ExprKind::Name || root->kind == ExprKind::This || root->kind == ExprKind::Base);
        }
        case ExprKind::Ternary: { // `c ? l.next : null` borrows whichever it picks
            auto* t = static_cast<TernaryExpr*>(e);
            return borrowed_or_null(t->then_e) && borrowed_or_null(t->else_e) && (borrowed_place(t->then_e) || borrowed_place(t->else_e));
        }
        case ExprKind::Binary: {
            auto* b = static_cast<BinaryExpr*>(e);
            return b->op == BinOp::Coalesce && borrowed_place(b->lhs) && borrowed_or_null(b->rhs);
        }
        case ExprKind::Name: {
            Decl* d = static_cast<NameExpr*>(e)->decl;
            if (!d) return false;
            if (d->kind == DeclKind::Param) return static_cast<ParamDecl*>(d)->mode != ParamMode::Own;
            if (d->kind == DeclKind::Field) return true; // `f` is this.f
            if (d->kind != DeclKind::Local) return false;
            if (LocalDecl* l = local_of(e)) return l->index < borrows_.size() && borrows_[l->index];
            return true; // a global, a for-in variable or a pattern binding
        }
        default: return false;
        }
    }
    std::vector<uint8_t>& borrows_ = buf_->borrows; // LocalDecl::index -> 1: `let x = place;` of a borrowed place

    // ---- borrows end when their owner changes (spec 6)
    // A local that borrows a place of a local or parameter R (`let n = list[0];`,
    // `let h = holder.node;`) has a slot like a moved value: changing R (assigning it or a
    // part of move type, moving it, passing a place of it as `ref`) clears the slot, as the
    // old value may have been dropped, so a later read of the borrow is an error.
    struct Borrower {
        LocalDecl* local;
        Decl* owner;
    };
    std::vector<Borrower> borrowers_;
    std::vector<std::pair<Span, Decl*>>& ended_at_ = buf_->ended_at; // slot -> where its owner changed, and the owner
    // The variable whose value `e` (a name, or a chain of field and element reads) is part of;
    // through a local that borrows, the variable it borrows from.
    Decl* owner_of(Expr* e) const {
        Expr* root = place_root(e);
        if (root && root->kind == ExprKind::This) return this_field(e); // this.f...: the field f
        if (!root || root->kind != ExprKind::Name) return nullptr;
        Decl* d = static_cast<NameExpr*>(root)->decl;
        if (!d || (d->kind != DeclKind::Local && d->kind != DeclKind::Param && d->kind != DeclKind::Field)) return nullptr;
        if (d->kind == DeclKind::Local)
            for (const Borrower& b : borrowers_)
                if (b.local == d) return b.owner;
        return d;
    }
    // The field of `this` that a chain `this.f.g[i]` starts with (null: not such a chain).
    static Decl* this_field(Expr* e) {
        for (;;) {
            e = strip_casts(e);
            if (!e) return nullptr;
            Expr* inner = borrowing_call(e) ? static_cast<MemberExpr*>(static_cast<CallExpr*>(e)->callee)->object
                          : e->kind == ExprKind::Member && is_place_read(e) ? static_cast<MemberExpr*>(e)->object
                          : e->kind == ExprKind::Index                 ? static_cast<IndexExpr*>(e)->object
                          : e->kind == ExprKind::TupleIndex            ? static_cast<TupleIndexExpr*>(e)->object
                                                                       : nullptr;
            if (!inner) return nullptr;
            inner = strip_casts(inner);
            if (inner && inner->kind == ExprKind::This && e->kind == ExprKind::Member) {
                Decl* d = static_cast<MemberExpr*>(e)->decl;
                return d && d->kind == DeclKind::Field ? d : nullptr;
            }
            e = inner;
        }
    }
    // A `mut` method called on a place (`list.Clear()`, `this.items.Add(x)`, `Reset()` in a
    // method): it may replace or drop anything its receiver holds, so borrows from the
    // receiver's owner end (all fields of `this` for a call on `this`). A call through a
    // local that borrows leaves that local naming the same object and ends the owner's
    // other borrows, as an assignment through it does (place_changed): the borrows are
    // tracked per owner, so which of them the call touches cannot be told apart.
    void mut_call(Expr* recv, Span at, State& st) {
        if (!recv) {
            for (const Borrower& b : borrowers_)
                if (b.owner && b.owner->kind == DeclKind::Field) owner_changed(b.owner, at, st);
            return;
        }
        recv = strip_casts(recv);
        if (recv && (recv->kind == ExprKind::This || recv->kind == ExprKind::Base)) {
            mut_call(nullptr, at, st);
            return;
        }
        LocalDecl* via = local_of(place_root(recv));
        bool borrowing = via && via->index < borrows_.size() && borrows_[via->index];
        owner_changed(owner_of(recv), at, st, borrowing ? via : nullptr);
    }
    void owner_changed(Decl* owner, Span at, State& st, LocalDecl* except = nullptr) {
        if (!owner || st.dead) return;
        for (const Borrower& b : borrowers_) {
            if (b.owner != owner || b.local == except) continue;
            int32_t slot = slot_of_[b.local->index];
            if (slot < 0 || !st.has((uint32_t)slot)) continue;
            st.set((uint32_t)slot, false);
            if (ended_at_.size() <= (size_t)slot) ended_at_.resize((size_t)slot + 1);
            ended_at_[(size_t)slot] = {at, owner};
        }
    }
    // `target = ...`, `ref target`: a change of its owner when a value of a move type is
    // replaced. A change made through a local that borrows (`c.Next = x;`) leaves that
    // local naming the same object; assigning the borrowing local itself only rebinds it.
    // Whether swap's two `ref` arguments are places of one owner (two elements of one array).
    bool swap_within_owner(Expr* a, Expr* b) {
        if (!a || !b || a->kind != ExprKind::RefArg || b->kind != ExprKind::RefArg) return false;
        Expr* pa = static_cast<RefArgExpr*>(a)->operand;
        Expr* pb = static_cast<RefArgExpr*>(b)->operand;
        Decl* oa = owner_of(pa);
        return oa && oa == owner_of(pb) && !local_of(pa) && !local_of(pb); // (not the owners themselves)
    }
    void place_changed(Expr* target, Span at, State& st) {
        if (!target || !s_.is_move_type(target->type)) return;
        LocalDecl* via = local_of(place_root(target));
        bool borrowing = via && via->index < borrows_.size() && borrows_[via->index];
        if (borrowing && local_of(target) == via) return; // a borrow rebound
        owner_changed(owner_of(target), at, st, borrowing ? via : nullptr);
    }
    // `F() is Node n` of a value no place holds (a call's result, a `new`): n binds that
    // whole value, so it owns it and may move it (`if (xs.Pop() is Node n) keep.Add(n);`).
    // A binding of a place (a field, a local, a getter's result) borrows it like any pattern
    // binding: it names a value its owner still holds.
    void owned_binding(IsExpr* is, State& st) { owned_binding(is->pattern, is->operand, st); }
    // Likewise `Err(e)` in a match on a call's T! result: e is the error that nothing else
    // holds (`Err(e) => { fail e; }` hands it on).
    void owned_err_binding(MatchExpr* m, MatchArm& a, State& st) {
        if (!a.pattern || a.pattern->kind != PatternKind::Err || a.pattern->subs.size != 1 || !m->scrutinee->type ||
            m->scrutinee->type->kind != TypeKind::Fallible)
            return;
        owned_binding(a.pattern->subs[0], m->scrutinee, st);
    }
    // Pattern bindings of a place (`if (xs[0] is Res r)`, `Ok(c)` of a stored T!) and for-in
    // variables borrow from the place's owner, like `let r = xs[0];`: they cannot be read
    // after the owner changes (spec 6), nor passed as `ref`.
    void borrowed_bindings(Pattern* p, Expr* operand, State& st) {
        if (!p || temporary(operand)) return;
        if ((p->kind == PatternKind::TypeTest || p->kind == PatternKind::Binding) && p->decl &&
            p->decl->kind == DeclKind::Local)
            borrowing_local(static_cast<LocalDecl*>(p->decl), operand, st);
        for (Pattern* sub : p->subs) borrowed_bindings(sub, operand, st);
    }
    void borrowing_local(LocalDecl* d, Expr* from, State& st) {
        if (!d || d->index >= slot_of_.size() || !d->type || !s_.is_move_type(d->type)) return;
        if (borrows_.size() <= d->index) borrows_.resize(d->index + 1, 0);
        borrows_[d->index] = 1;
        decl_at_[d->index] = d;
        Decl* owner = owner_of(from);
        if (!owner) return;
        if (slot_of_[d->index] < 0) {
            slot_of_[d->index] = new_slot(true);
            borrowers_.push_back({d, owner});
        }
        st.set((uint32_t)slot_of_[d->index], true);
    }
    void owned_binding(Pattern* p, Expr* operand, State& st) {
        if (!p || (p->kind != PatternKind::TypeTest && p->kind != PatternKind::Binding) || !p->decl ||
            p->decl->kind != DeclKind::Local)
            return;
        auto* d = static_cast<LocalDecl*>(p->decl);
        if (d->index >= slot_of_.size() || !s_.is_move_type(d->type) || !temporary(operand)) return;
        decl_at_[d->index] = d;
        if (slot_of_[d->index] < 0) slot_of_[d->index] = new_slot(true);
        st.set((uint32_t)slot_of_[d->index], true);
        mark(d, 2); // not reported as unused: it is a pattern binding
    }
    // Whether `e` makes a new value that no place holds: a call (not a getter, whose result
    // is a borrow) or a `new`.
    static bool temporary(Expr* e) {
        while (e && e->kind == ExprKind::Cast) e = static_cast<CastExpr*>(e)->operand;
        if (!e) return false;
        if (e->kind == ExprKind::New) return true;
        if (e->kind != ExprKind::Call) return false;
        FuncDecl* t = static_cast<CallExpr*>(e)->target;
        return !t || !returns_borrow(t);
    }
    // A property getter or indexer returns a borrow of a place it reaches (spec 6: `xs[i]`
    // and `o.P` are places at the call site), so its `return` may name one; so does
    // IterAt, which gives for-in its (borrowed) variables (spec 5.1).
    bool getter_ = false, returns_borrow_ = false;

    // Whether `e` reads or writes the variable `d` anywhere inside.
    static bool mentions(Expr* e, Decl* d) {
        if (!e) return false;
        switch (e->kind) {
        case ExprKind::Name: return static_cast<NameExpr*>(e)->decl == d;
        case ExprKind::Member: return mentions(static_cast<MemberExpr*>(e)->object, d);
        case ExprKind::TupleIndex: return mentions(static_cast<TupleIndexExpr*>(e)->object, d);
        case ExprKind::Index:
            return mentions(static_cast<IndexExpr*>(e)->object, d) || mentions(static_cast<IndexExpr*>(e)->index, d);
        case ExprKind::Unary: return mentions(static_cast<UnaryExpr*>(e)->operand, d);
        case ExprKind::Binary:
            return mentions(static_cast<BinaryExpr*>(e)->lhs, d) || mentions(static_cast<BinaryExpr*>(e)->rhs, d);
        case ExprKind::Cast: return mentions(static_cast<CastExpr*>(e)->operand, d);
        case ExprKind::Is: return mentions(static_cast<IsExpr*>(e)->operand, d);
        case ExprKind::As: return mentions(static_cast<AsExpr*>(e)->operand, d);
        case ExprKind::RefArg: return mentions(static_cast<RefArgExpr*>(e)->operand, d);
        case ExprKind::Ternary: {
            auto* t = static_cast<TernaryExpr*>(e);
            return mentions(t->cond, d) || mentions(t->then_e, d) || mentions(t->else_e, d);
        }
        case ExprKind::Call: {
            auto* c = static_cast<CallExpr*>(e);
            if (mentions(c->callee, d)) return true;
            for (Arg& a : c->args)
                if (mentions(a.value, d)) return true;
            return false;
        }
        case ExprKind::New:
            for (Arg& a : static_cast<NewExpr*>(e)->args)
                if (mentions(a.value, d)) return true;
            return false;
        case ExprKind::TupleLit:
            for (Expr* x : static_cast<TupleLitExpr*>(e)->elems)
                if (mentions(x, d)) return true;
            return false;
        case ExprKind::ArrayLit:
            for (Expr* x : static_cast<ArrayLitExpr*>(e)->elems)
                if (mentions(x, d)) return true;
            return false;
        case ExprKind::InterpString:
            for (InterpPart& p : static_cast<InterpStringExpr*>(e)->parts)
                if (mentions(p.expr, d)) return true;
            return false;
        default: return false;
        }
    }
    // Whether argument (or receiver) `e` gives the callee access to variable `d` for the
    // whole call: `ref`/`own` of anything mentioning d, or a value of a move type (passed
    // by pointer) read from d or a field or element of it. A copy read from d (`x + 1`,
    // `xs.Length`) is taken before the call and does not alias.
    bool aliases(Expr* e, Decl* d) const {
        if (!e) return false;
        if (e->kind == ExprKind::RefArg) return mentions(e, d);
        if (!s_.is_move_type(e->type)) return false;
        while (e && (e->kind == ExprKind::Member || e->kind == ExprKind::Index || e->kind == ExprKind::TupleIndex ||
                     e->kind == ExprKind::Cast)) {
            if (e->kind == ExprKind::Member) e = static_cast<MemberExpr*>(e)->object;
            else if (e->kind == ExprKind::Index) e = static_cast<IndexExpr*>(e)->object;
            else if (e->kind == ExprKind::TupleIndex) e = static_cast<TupleIndexExpr*>(e)->object;
            else e = static_cast<CastExpr*>(e)->operand;
        }
        return e && e->kind == ExprKind::Name && static_cast<NameExpr*>(e)->decl == d;
    }
    // Exclusivity (spec 6): a variable passed as `ref` cannot also reach the callee another
    // way in the same call (another `ref`, or as a borrowed object or the receiver).
    void exclusive_refs(Expr* receiver, ArenaVec<Arg>& as) {
        if (quiet_) return;
        std::vector<Decl*> reported; // once per variable: `F(ref x, ref x)` is one error
        for (size_t i = 0; i < as.size; i++) {
            Expr* v = as[i].value;
            if (!v || v->kind != ExprKind::RefArg || static_cast<RefArgExpr*>(v)->is_own) continue;
            Expr* o = static_cast<RefArgExpr*>(v)->operand;
            if (!o || o->kind != ExprKind::Name || !static_cast<NameExpr*>(o)->decl) continue;
            Decl* d = static_cast<NameExpr*>(o)->decl;
            if (std::find(reported.begin(), reported.end(), d) != reported.end()) continue;
            Expr* other = aliases(receiver, d) ? receiver : nullptr;
            for (size_t j = 0; j < as.size && !other; j++)
                if (j != i && aliases(as[j].value, d)) other = as[j].value;
            if (!other) continue;
            reported.push_back(d);
            diag_.error(other->span, "'%s' is passed as 'ref' in this call, so it cannot also be used in another argument or as the receiver",
                        d->name.c_str());
        }
    }

    // A call's arguments: those passed to `own` parameters are moved.
    void call_args(FuncDecl* t, ArenaVec<Arg>& as, State& st, bool all_moved = false) {
        for (size_t i = 0; i < as.size; i++) {
            Arg& a = as[i];
            ParamDecl* p = nullptr;
            if (t) {
                if (a.name) {
                    for (ParamDecl* q : t->params)
                        if (q && q->name == a.name) p = q;
                } else if (i < t->params.size) {
                    p = t->params[i];
                }
            }
            if (all_moved || (p && p->mode == ParamMode::Own)) consume(a.value, st);
            else ex(a.value, st);
        }
    }

    // One walk of a loop (its `for` initializer already walked) from `head`: `back` gets
    // the state at its back edge (end of the body and its `continue`s, after the step),
    // `after` the state after the loop.
    void walk_loop(Stmt* x, const State& head, State& back, State& after) {
        Loop l;
        if (x->kind == StmtKind::ForIn) {
            auto* fi = static_cast<ForInStmt*>(x);
            back = head;
            if (fi->var && fi->var->index < slot_of_.size() && slot_of_[fi->var->index] >= 0 && !back.dead)
                back.set((uint32_t)slot_of_[fi->var->index], true); // bound to the next element
            loop_body(fi->body, back, l);
            after = head; // it may run no time
        } else {
            Expr* c = x->kind == StmtKind::While ? static_cast<WhileStmt*>(x)->cond : static_cast<ForStmt*>(x)->cond;
            Stmt* body = x->kind == StmtKind::While ? static_cast<WhileStmt*>(x)->body : static_cast<ForStmt*>(x)->body;
            State h = head;
            if (c) cond(c, h, back, after);
            else back = h;
            if (!c || is_true(c)) after = State::unreachable();
            loop_body(body, back, l);
        }
        if (l.has_cont) back.join(l.cont);
        if (x->kind == StmtKind::For) ex(static_cast<ForStmt*>(x)->step, back);
        if (l.has_brk) after.join(l.brk);
    }

    // A loop. Moves clear bits, so its head state is the entry state met with the back
    // edge's: a quiet walk (diagnostics held and dropped, reports undone) finds it, then
    // the real walk starts from it. Inside a quiet walk a loop is walked once and what
    // follows it also meets its back edge, so nested loops cost one quiet walk per level.
    void loop(Stmt* x, State& st) {
        State back, after;
        if (!quiet_ && !st.dead && move_slots_ > 0) { // only moves of variables declared before the loop clear bits
            State head = quiet_head(x, st);
            walk_loop(x, head, back, after);
        } else {
            walk_loop(x, st, back, after);
            if (quiet_ && !after.dead) after.join(back);
        }
        st = std::move(after);
    }
    // The entry state met with the back edge's, from a quiet walk. Out of line, so the
    // bookkeeping stays off the frames of the recursion through nested loops (the nesting
    // limit must fit the stack, also in sanitizer builds).
    __attribute__((noinline)) State quiet_head(Stmt* x, const State& entry) {
        Diag::Held scratch;
        Diag::Held* held = diag_.held;
        std::vector<uint8_t> lr = local_reported_, fr = reported_, pr = param_reported_;
        bool tr = this_reported_;
        size_t nd = declared_.size();
        diag_.held = &scratch;
        quiet_ = true;
        State back, after;
        walk_loop(x, entry, back, after);
        quiet_ = false;
        diag_.held = held;
        local_reported_ = std::move(lr);
        reported_ = std::move(fr);
        param_reported_ = std::move(pr);
        this_reported_ = tr;
        declared_.resize(nd);
        State head = entry;
        head.join(back);
        return head;
    }

    // `this` used as a value, or a method called on it, in a constructor.
    void use_this(Span span, State& st) {
        if (!ctor_ || this_reported_ || st.dead) return;
        for (size_t i = 0; i < fields_.size(); i++) {
            if (st.has((uint32_t)i)) continue;
            this_reported_ = true;
            reported_[i] = 1;
            diag_.error(span,
                        "'this' is used before field '%s' is set: the constructor of '%s' must first assign every "
                        "field that has no zero value",
                        fields_[i]->name.c_str(), owner_->name.c_str());
            return;
        }
    }
    void fields_set_at_end(const State& st) {
        for (size_t i = 0; i < fields_.size(); i++) {
            if (st.has((uint32_t)i) || reported_[i]) continue;
            reported_[i] = 1;
            diag_.error(fn_->name_span,
                        "the constructor of '%s' does not set field '%s' on every path (type %s has no zero value): "
                        "assign it or give the field an initializer",
                        owner_->name.c_str(), fields_[i]->name.c_str(), s_.tn(fields_[i]->type).c_str());
        }
    }

    // ---- statements
    void block(Block* b, State& st) {
        if (!b) return;
        bool warned = st.dead; // code already unreachable where the block starts was reported outside
        size_t pins = pinned_.size();
        for (Stmt* x : b->stmts) {
            if (!x) continue;
            if (st.dead && !warned && x->kind != StmtKind::Empty) {
                warned = true;
                diag_.warning(x->span, "unreachable code");
            }
            stmt(x, st);
        }
        pinned_.resize(pins);
    }
    // `context.allocator = a;` borrows a until its block ends (spec 7): a cannot be moved
    // (handed to an `own` parameter, stored) meanwhile, or later allocations would use an
    // allocator that was released.
    struct Pin {
        Decl* d;
        Span at;
    };
    std::vector<Pin> pinned_;
    void pin_context_value(AssignExpr* a) {
        Expr* v = strip_casts(a->value);
        if (v && v->kind == ExprKind::Member) v = strip_casts(static_cast<MemberExpr*>(v)->object); // a.handle (context.cpp)
        if (!v || v->kind != ExprKind::Name || !s_.is_move_type(v->type)) return;
        if (Decl* d = static_cast<NameExpr*>(v)->decl) pinned_.push_back({d, a->span});
    }
    bool pinned_move(Expr* x) {
        Decl* d = static_cast<NameExpr*>(x)->decl;
        for (const Pin& p : pinned_)
            if (p.d == d) {
                LineCol lc = s_.c.sources.line_col(p.at.file, p.at.begin);
                diag_.error(x->span, "cannot move '%s': the context uses it until the end of the block that set it at "
                            "%u:%u (move it after that block)", d->name.c_str(), lc.line, lc.col);
                return true;
            }
        return false;
    }

    void loop_body(Stmt* body, State& st, Loop& out) {
        loops_.emplace_back();
        stmt(body, st);
        out = std::move(loops_.back());
        loops_.pop_back();
    }

    static bool is_true(Expr* e) {
        return e && e->kind == ExprKind::BoolLit && static_cast<BoolLitExpr*>(e)->value;
    }

    void stmt(Stmt* x, State& st) {
        if (!x) return;
        switch (x->kind) {
        case StmtKind::Block: block(static_cast<Block*>(x), st); break;
        case StmtKind::Expr: ex(static_cast<ExprStmt*>(x)->expr, st); break;
        case StmtKind::VarDecl: {
            auto* v = static_cast<VarDeclStmt*>(x);
            // `let cur = n;` of a borrowed n (a parameter, a field, an element) borrows it;
            // `let (k, v) = pair;` of a borrowed pair borrows its parts.
            bool borrows = v->init && (v->destructure || (v->names.size == 1 && v->names[0])) &&
                           s_.is_move_type(v->init->type) && borrowed_place(v->init);
            if (borrows) ex(v->init, st);
            else consume(v->init, st);
            for (LocalDecl* d : v->names) {
                if (!d || d->index >= slot_of_.size()) continue;
                declared_.push_back(d);
                decl_at_[d->index] = d;
                if (borrows) {
                    borrows_temporary(v->init);
                    if (borrows_.size() <= d->index) borrows_.resize(d->index + 1, 0);
                    borrows_[d->index] = 1;
                    d->borrows = true;
                    if (Decl* owner = owner_of(v->init)) {
                        if (slot_of_[d->index] < 0) {
                            slot_of_[d->index] = new_slot(true);
                            borrowers_.push_back({d, owner});
                        }
                        st.set((uint32_t)slot_of_[d->index], true);
                    }
                    continue;
                }
                if (v->init) {
                    if (slot_of_[d->index] < 0 && s_.is_move_type(d->type)) slot_of_[d->index] = new_slot(true);
                    if (slot_of_[d->index] >= 0) st.set((uint32_t)slot_of_[d->index], true);
                    continue;
                }
                if (slot_of_[d->index] < 0) slot_of_[d->index] = new_slot(s_.is_move_type(d->type));
                st.set((uint32_t)slot_of_[d->index], false); // again unassigned each time it is reached
            }
            break;
        }
        case StmtKind::If: {
            auto* i = static_cast<IfStmt*>(x);
            State t, f;
            cond(i->cond, st, t, f);
            stmt(i->then_s, t);
            stmt(i->else_s, f);
            t.join(f);
            st = std::move(t);
            break;
        }
        case StmtKind::While: loop(x, st); break;
        case StmtKind::ForIn: {
            auto* fi = static_cast<ForInStmt*>(x);
            ex(fi->iterable, st);
            if (fi->var) borrowing_local(fi->var, fi->iterable, st);
            loop(x, st);
            break;
        }
        case StmtKind::For:
            stmt(static_cast<ForStmt*>(x)->init, st);
            loop(x, st);
            break;
        case StmtKind::Break:
        case StmtKind::Continue:
            if (!loops_.empty()) {
                Loop& l = loops_.back();
                bool brk = x->kind == StmtKind::Break;
                State& into = brk ? l.brk : l.cont;
                bool& has = brk ? l.has_brk : l.has_cont;
                if (has) into.join(st);
                else into = st, has = true;
            }
            st = State::unreachable();
            break;
        case StmtKind::Return:
            returns_borrow_ = getter_;
            consume(static_cast<ReturnStmt*>(x)->value, st);
            returns_borrow_ = false;
            if (ctor_ && !st.dead) fields_set_at_end(st);
            st = State::unreachable();
            break;
        case StmtKind::Fail:
            consume(static_cast<FailStmt*>(x)->error, st);
            st = State::unreachable();
            break;
        case StmtKind::Defer: {
            // Runs later, when the block is left; what it reads must be assigned here already.
            State later = st;
            std::vector<Loop> saved;
            saved.swap(loops_);
            stmt(static_cast<DeferStmt*>(x)->body, later);
            saved.swap(loops_);
            break;
        }
        case StmtKind::Select: {
            State out = State::unreachable();
            bool any = false;
            for (SelectCase& c : static_cast<SelectStmt*>(x)->cases) {
                State cs = st;
                ex(c.op, cs);
                ex(c.body_expr, cs);
                block(c.body_block, cs);
                out.join(cs);
                any = true;
            }
            if (any) st = std::move(out);
            break;
        }
        case StmtKind::Unsafe:
        case StmtKind::GcBlock: block(static_cast<UnsafeStmt*>(x)->body, st); break;
        case StmtKind::Empty: break;
        }
    }

    // ---- expressions
    // The states after `e` when it is true and when it is false.
    void cond(Expr* e, State& st, State& t, State& f) {
        if (e && e->kind == ExprKind::Binary) {
            auto* b = static_cast<BinaryExpr*>(e);
            if (b->op == BinOp::And || b->op == BinOp::Or) {
                State t1, f1, t2, f2;
                cond(b->lhs, st, t1, f1);
                if (b->op == BinOp::And) {
                    cond(b->rhs, t1, t2, f2);
                    t = std::move(t2);
                    f1.join(f2);
                    f = std::move(f1);
                } else {
                    cond(b->rhs, f1, t2, f2);
                    t1.join(t2);
                    t = std::move(t1);
                    f = std::move(f2);
                }
                return;
            }
        }
        if (e && e->kind == ExprKind::Unary && static_cast<UnaryExpr*>(e)->op == UnOp::Not) {
            cond(static_cast<UnaryExpr*>(e)->operand, st, f, t);
            return;
        }
        ex(e, st);
        t = st;
        f = st;
    }

    void args(ArenaVec<Arg>& as, State& st) {
        for (Arg& a : as) ex(a.value, st);
    }

    void assign(AssignExpr* a, State& st) {
        Expr* tgt = a->target;
        Const r;
        LocalDecl* d = local_of(tgt);
        int32_t f = field_target(tgt);
        if (d || f >= 0) {
            if (a->compound) use_name(tgt, st);
            else if (d) mark(d, 1);
            // `N = this;` sets N before `this` escapes: fine once every other field is set.
            if (f >= 0 && !a->compound && a->value->kind == ExprKind::This) st.set((uint32_t)f, true);
            value(a, st, r);
            place_changed(tgt, a->span, st);
            if (d && slot_of_[d->index] >= 0) st.set((uint32_t)slot_of_[d->index], true);
            if (f >= 0) st.set((uint32_t)f, true);
            return;
        }
        ex(tgt, st); // x.f = v, xs[i] = v: the place's object is read
        value(a, st, r);
        place_changed(tgt, a->span, st);
        // `list[0] = v` on a class is its `mut` set_Item: it may drop what the receiver holds
        // (the old element), so borrows from the receiver's owner end as for any mut call.
        if (a->via && tgt->kind == ExprKind::Index) mut_call(static_cast<IndexExpr*>(tgt)->object, a->span, st);
    }
    // The assigned value; `x /= 0` and `x %= 0` are certain panics.
    void value(AssignExpr* a, State& st, Const& r) {
        LocalDecl* d = local_of(a->target);
        bool reborrow = d && d->index < borrows_.size() && borrows_[d->index] && borrowed_place(a->value);
        // `cur = c.Next;` of a local that borrows borrows again; `context.logger = l;` borrows
        // l for the rest of its block (spec 7.11).
        if (d && !a->compound && !reborrow && d->index < borrows_.size() && borrows_[d->index] &&
            s_.is_move_type(d->type) && strip_casts(a->value) && strip_casts(a->value)->kind != ExprKind::NullLit) {
            diag_.error(a->value->span, "'%s' borrows (it was declared from a place), so it cannot own this new value, "
                        "which would be dropped at once (keep the value in a variable of its own)", d->name.c_str());
            ex(a->value, st, &r);
            return;
        }
        if (s_.is_context_member(a->target)) pin_context_value(a);
        if (a->compound || reborrow || s_.is_context_member(a->target)) ex(a->value, st, &r);
        else consume(a->value, st, &r);
        if (a->compound && (a->op == BinOp::Div || a->op == BinOp::Mod) && is_int(a->target) && r.known && r.v == 0)
            diag_.warning(a->span, "%s by zero: it panics at run time", a->op == BinOp::Div ? "division" : "remainder");
    }

    // ---- constant integer expressions: overflow and division by zero are certain panics
    bool is_int(const Expr* e) const { return e->type && e->type->is_integer(); }

    void overflow(Expr* e, __int128 v) {
        diag_.warning(e->span, "this constant expression overflows %s (its value %s does not fit): it panics at run time",
                      s_.tn(e->type).c_str(), int128_text(v).c_str());
    }

    void arith(BinaryExpr* b, const Const& l, const Const& r, Const* out) {
        if (!is_int(b)) return;
        if ((b->op == BinOp::Div || b->op == BinOp::Mod) && r.known && r.v == 0) {
            diag_.warning(b->span, "%s by zero: it panics at run time", b->op == BinOp::Div ? "division" : "remainder");
            return;
        }
        if (!l.known || !r.known) return;
        __int128 v;
        switch (b->op) {
        case BinOp::Add: v = l.v + r.v; break;
        case BinOp::Sub: v = l.v - r.v; break;
        case BinOp::Mul:
            if (__builtin_mul_overflow(l.v, r.v, &v)) v = ((__int128)1 << 126); // far out of any range
            break;
        case BinOp::Div: v = l.v / r.v; break;
        case BinOp::Mod: v = l.v % r.v; break;
        default: return;
        }
        if (!fits_type(v, b->type)) {
            overflow(b, v);
            return;
        }
        if (out) *out = Const{true, v};
    }

    void ex(Expr* e, State& st, Const* out = nullptr) {
        if (!e) return;
        switch (e->kind) {
        case ExprKind::IntLit: {
            auto* l = static_cast<IntLitExpr*>(e);
            if (out && is_int(e) && !l->overflow) *out = Const{true, (__int128)l->value};
            break;
        }
        case ExprKind::FloatLit: case ExprKind::CharLit: case ExprKind::StringLit:
        case ExprKind::BoolLit: case ExprKind::NullLit: case ExprKind::Typeof: case ExprKind::Sizeof:
        case ExprKind::CallerLoc:
            break;
        case ExprKind::InterpString:
            for (InterpPart& p : static_cast<InterpStringExpr*>(e)->parts) ex(p.expr, st);
            break;
        case ExprKind::Name: use_name(e, st); break;
        case ExprKind::This: case ExprKind::Base: use_this(e->span, st); break;
        case ExprKind::Member: {
            auto* m = static_cast<MemberExpr*>(e);
            bool this_field = m->object && m->object->kind == ExprKind::This && m->decl &&
                              m->decl->kind == DeclKind::Field;
            // this.f of a field that is not tracked (it has a zero value or an initializer)
            // reads that field only, not `this` as a whole.
            if (field_target(e) >= 0) use_name(e, st);
            else if (!this_field) ex(m->object, st);
            break;
        }
        case ExprKind::TupleIndex: ex(static_cast<TupleIndexExpr*>(e)->object, st); break;
        case ExprKind::Index:
            ex(static_cast<IndexExpr*>(e)->object, st);
            ex(static_cast<IndexExpr*>(e)->index, st);
            break;
        case ExprKind::Call: {
            auto* c = static_cast<CallExpr*>(e);
            Expr* callee = c->callee;
            FuncDecl* t = c->target;
            bool instance = t && t->parent && !(t->mods & M_STATIC) && t->fkind != FuncKind::Constructor;
            if (callee && callee->kind == ExprKind::Name) {
                if (instance) use_this(callee->span, st); // M(): this.M()
                if (!t && callee->type && callee->type->kind == TypeKind::Func) use_name(callee, st); // f(x): reads f
            } else if (callee && callee->kind == ExprKind::Member) {
                auto* m = static_cast<MemberExpr*>(callee);
                if (m->object && (m->object->kind == ExprKind::This || m->object->kind == ExprKind::Base) && instance)
                    use_this(m->object->span, st);
                else ex(m->object, st);
            } else {
                ex(callee, st);
            }
            Decl* cd = callee && callee->kind == ExprKind::Name     ? static_cast<NameExpr*>(callee)->decl
                       : callee && callee->kind == ExprKind::Member ? static_cast<MemberExpr*>(callee)->decl
                                                                     : nullptr;
            bool stores_all = c->builtin == (uint32_t)Builtin::ChanSend || (cd && cd->kind == DeclKind::EnumCase);
            call_args(t, c->args, st, stores_all); // a send or an enum case's payload takes its arguments
            // The callee may replace what a `ref` argument holds. `swap` only exchanges: within
            // one owner (`swap(ref xs[i], ref xs[j])`) nothing is dropped and its borrows stay,
            // but between two owners each value moves to the other, which may then drop it.
            bool exchange_within_owner = c->builtin == (uint32_t)Builtin::Swap && c->args.size == 2 &&
                                         swap_within_owner(c->args[0].value, c->args[1].value);
            if (!exchange_within_owner)
                for (Arg& a : c->args)
                    if (a.value && a.value->kind == ExprKind::RefArg && !static_cast<RefArgExpr*>(a.value)->is_own)
                        place_changed(static_cast<RefArgExpr*>(a.value)->operand, a.value->span, st);
            exclusive_refs(callee && callee->kind == ExprKind::Member ? static_cast<MemberExpr*>(callee)->object : nullptr,
                           c->args);
            if (t && (t->mods & M_MUT) && instance && callee) // the receiver may drop what it holds
                mut_call(callee->kind == ExprKind::Member ? static_cast<MemberExpr*>(callee)->object : nullptr, callee->span, st);
            if (c->builtin == (uint32_t)Builtin::Panic) st = State::unreachable();
            break;
        }
        case ExprKind::Unary: {
            auto* u = static_cast<UnaryExpr*>(e);
            Const c;
            ex(u->operand, st, &c);
            if (u->op == UnOp::Neg && c.known && is_int(e)) {
                if (!fits_type(-c.v, e->type)) overflow(e, -c.v);
                else if (out) *out = Const{true, -c.v};
            }
            break;
        }
        case ExprKind::Binary: {
            auto* b = static_cast<BinaryExpr*>(e);
            if (b->op == BinOp::And || b->op == BinOp::Or) {
                State t, f;
                cond(e, st, t, f);
                t.join(f);
                st = std::move(t);
            } else if (b->op == BinOp::Coalesce) {
                ex(b->lhs, st);
                State rhs = st; // evaluated only when the left side is null
                ex(b->rhs, rhs);
                st.join(rhs);
            } else {
                Const l, r;
                ex(b->lhs, st, &l);
                ex(b->rhs, st, &r);
                arith(b, l, r, out);
            }
            break;
        }
        case ExprKind::Assign: assign(static_cast<AssignExpr*>(e), st); break;
        case ExprKind::Ternary: {
            auto* t = static_cast<TernaryExpr*>(e);
            State a, b;
            cond(t->cond, st, a, b);
            ex(t->then_e, a);
            ex(t->else_e, b);
            a.join(b);
            st = std::move(a);
            break;
        }
        case ExprKind::Cast: {
            // An implicit conversion (sema's, `to` is null) keeps a constant's value.
            auto* c = static_cast<CastExpr*>(e);
            Const v;
            ex(c->operand, st, &v);
            if (!c->to && v.known && is_int(e) && fits_type(v.v, e->type) && out) *out = v;
            break;
        }
        case ExprKind::Is:
            ex(static_cast<IsExpr*>(e)->operand, st);
            owned_binding(static_cast<IsExpr*>(e), st);
            borrowed_bindings(static_cast<IsExpr*>(e)->pattern, static_cast<IsExpr*>(e)->operand, st);
            break;
        case ExprKind::As: ex(static_cast<AsExpr*>(e)->operand, st); break;
        case ExprKind::New: {
            auto* n = static_cast<NewExpr*>(e);
            ex(n->array_len, st);
            call_args(n->ctor, n->args, st);
            for (FieldInit& fi : n->inits) consume(fi.value, st);
            break;
        }
        case ExprKind::ArrayLit:
            for (Expr* x : static_cast<ArrayLitExpr*>(e)->elems) consume(x, st);
            break;
        case ExprKind::TupleLit:
            for (Expr* x : static_cast<TupleLitExpr*>(e)->elems) consume(x, st);
            break;
        case ExprKind::Range:
            ex(static_cast<RangeExpr*>(e)->lo, st);
            ex(static_cast<RangeExpr*>(e)->hi, st);
            break;
        case ExprKind::Lambda: {
            // The body runs later: what it reads must be assigned where the lambda is made.
            auto* l = static_cast<LambdaExpr*>(e);
            if (l->fn) { // its body is a function of its own, walked by its own check_flow
                for (Decl* d : l->captures) { // its captures are read here (they must be assigned)
                    if (d->kind != DeclKind::Local) continue;
                    NameExpr n;
                    n.kind = ExprKind::Name;
                    n.span = l->span;
                    n.decl = d;
                    use_name(&n, st);
                }
                if (l->escapes) move_captures(l, st);
                break;
            }
            State later = st;
            std::vector<Loop> saved;
            saved.swap(loops_);
            bool ctor = ctor_;
            ctor_ = false;
            ex(l->body_expr, later);
            block(l->body_block, later);
            ctor_ = ctor;
            saved.swap(loops_);
            break;
        }
        case ExprKind::Match: {
            auto* m = static_cast<MatchExpr*>(e);
            ex(m->scrutinee, st);
            if (m->arms.empty()) break;
            State out = State::unreachable();
            for (MatchArm& a : m->arms) {
                State arm = st;
                owned_err_binding(m, a, arm);
                borrowed_bindings(a.pattern, m->scrutinee, arm);
                if (a.guard) {
                    State t, f;
                    cond(a.guard, arm, t, f);
                    arm = std::move(t);
                }
                ex(a.body_expr, arm);
                block(a.body_block, arm);
                out.join(arm);
            }
            st = std::move(out);
            break;
        }
        case ExprKind::Try: {
            Expr* x = static_cast<TryExpr*>(e)->operand;
            ex(x, st);
            if (!st.dead && x && x->type && x->type->kind == TypeKind::Fallible && !fresh_result(x) && !error_place(x)) {
                std::string what = source_of(x);
                diag_.error(x->span, "cannot 'try' '%s': its error would move out of a T! this function does not own "
                            "(handle it with catch or match, or 'try' the call that made it)", what.c_str());
            }
            break;
        }
        case ExprKind::Catch: {
            auto* c = static_cast<CatchExpr*>(e);
            ex(c->operand, st);
            State h = st;
            if (ParamDecl* ev = c->err_var; ev && ev->mode == ParamMode::Own && s_.is_move_type(ev->type)) {
                int32_t slot = -1; // a loop walks its body twice: the binding keeps its slot
                for (auto& [p, sl] : own_params_)
                    if (p == ev) slot = sl;
                if (slot < 0) {
                    slot = new_slot(true);
                    own_params_.push_back({ev, slot});
                }
                h.set((uint32_t)slot, true);
            }
            ex(c->handler_expr, h);
            block(c->handler_block, h);
            st.join(h);
            break;
        }
        case ExprKind::Spawn: { // spawn moves every argument into the new thread
            Expr* call = static_cast<SpawnExpr*>(e)->call;
            if (call && call->kind == ExprKind::Call) {
                auto* c = static_cast<CallExpr*>(call);
                if (c->callee && c->callee->kind == ExprKind::Member) {
                    Expr* recv = static_cast<MemberExpr*>(c->callee)->object;
                    ex(recv, st);
                    // The new thread would share the object with this one, which may drop it
                    // meanwhile (spec 6: what spawn takes, it moves).
                    if (recv && c->target && !(c->target->mods & M_STATIC) && recv->type && s_.is_move_type(recv->type))
                        diag_.error(recv->span, "cannot spawn a method of %s: the new thread would share its object with "
                                    "this one (spawn a static function and pass the object as an argument, which moves it)",
                                    s_.tn(recv->type).c_str());
                } else if (c->callee && c->callee->kind != ExprKind::Name) {
                    ex(c->callee, st);
                } else if (c->target && c->target->parent && !(c->target->mods & M_STATIC) &&
                           c->target->fkind != FuncKind::Constructor && c->target->parent->type &&
                           s_.is_move_type(c->target->parent->type)) {
                    diag_.error(c->callee->span, "cannot spawn a method of this %s: the new thread would share the "
                                "object with this one (spawn a static function and pass it an owned object)",
                                s_.tn(c->target->parent->type).c_str());
                }
                call_args(c->target, c->args, st, true);
            } else {
                ex(call, st);
            }
            break;
        }
        case ExprKind::RefArg: {
            // `ref v` reads and may write v: it must be assigned before; after the call it still is.
            auto* r = static_cast<RefArgExpr*>(e);
            if (r->is_own) {
                consume(r->operand, st); // `own v` hands v over
                break;
            }
            ex(r->operand, st);
            // A local that borrows does not own what it names: what the callee puts there
            // (or takes out, take/swap) would be dropped by no one, or twice.
            if (LocalDecl* d = local_of(strip_casts(r->operand)); d && d->index < borrows_.size() && borrows_[d->index] &&
                s_.is_move_type(d->type) && !st.dead)
                diag_.error(r->operand->span, "cannot pass '%s' as 'ref': it borrows (it names a place it does not own); "
                            "pass the place itself, e.g. ref list[i] of an array, or swap through the owner",
                            d->name.c_str());
            break;
        }
        }
    }
};

} // namespace

void Sema::check_flow(FuncDecl* fn, TypeDecl* owner) {
    if (!fn || (!fn->body && !fn->body_expr)) return;
    Flow(*this, fn, owner).run();
}

} // namespace lang::sema
