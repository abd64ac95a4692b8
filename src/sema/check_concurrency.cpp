// check_concurrency.cpp: sema for LANGUAGE.md section 9 (spawn, Channel<T>, Task<T>,
// select, WaitGroup, Mutex, Atomic, Sleep, Timeout).
//
// Annotations for lowering (lower_concurrency.cpp):
//  - Channel<T>, Task<T>, WaitGroup, Mutex, Atomic are builtin handle types (TypeKind::
//    Channel, Task, WaitGroup, Mutex, Atomic; one pointer, copy semantics). They are
//    builtin names only when no user type of that name is visible.
//  - `new Channel<T>(n)` / `new Channel<T>()` / `new WaitGroup()` / `new Mutex()` /
//    `new Atomic()` / `new Atomic(v)`: NewExpr with type = the handle type, ctor = null,
//    args converted to int.
//  - Method calls on handles and the free functions Sleep(ms), Yield(): CallExpr with
//    builtin = ChanSend.. Yield (builtins.def), target = null; the receiver is the callee
//    MemberExpr's object; arguments converted (Send: to T; Add/Sleep: to int).
//    Receive() -> T, TryReceive() -> (T, bool), Join() -> T, Length() -> int.
//    Atomic (TypeKind::Atomic, an int64 cell): Load() -> int, Store(int), Add(int) -> int
//    (the new value), Exchange(int) -> int (the old value), CompareExchange(int expected,
//    int desired) -> bool (AtomicLoad..AtomicCas).
//  - Duration: sema/duration.cpp. Sleep's and Timeout's argument is a Duration or an
//    int (milliseconds): lowering looks at the argument's type.
//  - SpawnExpr: type Task<R> where R is the callee's result type; `call` is a checked
//    CallExpr whose target is a Lang function: free, static, or a non-virtual method of a
//    class (receiver: the pointer) or a non-mut method of a struct (receiver copied); no
//    `ref` arguments.
//  - SelectStmt: Recv/Send cases have op = a ChanReceive/ChanSend CallExpr; the Recv
//    binding (if any) is a LocalDecl of the element type with an index; a Timeout case
//    has op = a CallExpr with builtin Timeout and one int argument (milliseconds).
//    At most one Timeout case and one default.
//  - for (let v in ch): ForInStmt whose iterable has type Channel<T>, var of type T.
// Sendable types (spawn arguments, channel elements): no gc class reference anywhere
// inside (structs, tuples, arrays, nullables, payloads, class fields are searched).
#include "sema/check.h"
#include <unordered_set>

namespace lang::sema {

static bool is_conc_name(Ident n, TypeKind* k) {
    if (n == "Channel") { *k = TypeKind::Channel; return true; }
    if (n == "Task") { *k = TypeKind::Task; return true; }
    if (n == "WaitGroup") { *k = TypeKind::WaitGroup; return true; }
    if (n == "Mutex") { *k = TypeKind::Mutex; return true; }
    if (n == "Atomic") { *k = TypeKind::Atomic; return true; }
    if (n == "Duration") { *k = TypeKind::Duration; return true; }
    return false;
}

static bool find_gc(const Type* t, std::unordered_set<const Type*>& seen, std::string& why) {
    if (!t || !seen.insert(t).second) return false;
    switch (t->kind) {
    case TypeKind::Class:
    case TypeKind::Struct:
    case TypeKind::Enum:
        if (!t->decl) return false;
        if (t->decl->is_gc || (t->decl->mods & M_GC)) {
            why = "gc class '" + std::string(t->decl->name.c_str()) + "'";
            return true;
        }
        for (Decl* m : t->decl->members) {
            if (!m) continue;
            if (m->kind == DeclKind::Field && !(m->mods & M_STATIC) && find_gc(m->type, seen, why)) return true;
            if (m->kind == DeclKind::EnumCase)
                for (ParamDecl* p : static_cast<EnumCaseDecl*>(m)->payload)
                    if (p && find_gc(p->type, seen, why)) return true;
        }
        return false;
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++)
            if (find_gc(t->elems[i], seen, why)) return true;
        return false;
    case TypeKind::Array:
    case TypeKind::Nullable:
    case TypeKind::Fallible:
    case TypeKind::Channel:
    case TypeKind::Task:
        return find_gc(t->elem, seen, why);
    default: return false;
    }
}

bool Sema::holds_gc_ref(const Type* t, std::string* why) {
    if (is_error(t)) return false;
    std::unordered_set<const Type*> seen;
    std::string w;
    bool r = find_gc(t, seen, w);
    if (why) *why = w;
    return r;
}

// Reports (at span, about `what`) a type that may not cross threads. True if sendable.
bool Sema::check_sendable(const Type* t, Span span, const char* what) {
    if (is_error(t)) return true;
    std::unordered_set<const Type*> seen;
    std::string why;
    if (!find_gc(t, seen, why)) return true;
    if ((t->kind == TypeKind::Class || t->kind == TypeKind::Struct) && t->decl && (t->decl->is_gc || (t->decl->mods & M_GC)))
        diag.error(span, "%s must be sendable, but %s is a gc class (gc objects never cross threads)", what,
                   tn(t).c_str());
    else
        diag.error(span, "%s must be sendable, but %s contains a reference to %s (gc objects never cross threads)",
                   what, tn(t).c_str(), why.c_str());
    return false;
}

const Type* Sema::resolve_conc_type(TypeExpr* te) {
    TypeKind k;
    if (te->path.size != 1 || !is_conc_name(te->path[0], &k)) return nullptr;
    if (lookup_in_types(te->path[0]) >= 0 || lookup_global(te->path[0], te->span, nullptr) >= 0) return nullptr;
    const char* name = te->path[0].c_str();
    if (k == TypeKind::Mutex && te->args.size) return resolve_data_mutex(te); // Mutex<T> (mutex_data.cpp)
    bool generic = k == TypeKind::Channel || k == TypeKind::Task;
    if (generic && te->args.size != 1) {
        diag.error(te->span, "'%s' needs one type argument: %s<T>", name, name);
        return err();
    }
    if (!generic && !te->args.empty()) {
        diag.error(te->span, "'%s' takes no type arguments", name);
        return err();
    }
    if (!generic) return T.handle(k, nullptr); // WaitGroup, Mutex, Atomic, Duration
    const Type* el = resolve_type(te->args[0]);
    if (is_error(el)) return err();
    if (k == TypeKind::Channel) {
        if (el->kind == TypeKind::Void) {
            diag.error(te->args[0]->span, "a channel cannot carry void");
            return err();
        }
        if (!check_sendable(el, te->args[0]->span, "a channel's element type")) return err();
    }
    return T.handle(k, el);
}

const Type* Sema::check_conc_new(NewExpr* e, const Type* t) {
    if (e->has_inits || !e->inits.empty()) diag.error(e->span, "%s has no fields to initialize", tn(t).c_str());
    if (t->kind == TypeKind::Task) {
        diag.error(e->span, "a Task is made by 'spawn f(...)', not by 'new'");
        for (Arg& a : e->args) expr(a.value, nullptr);
        return err();
    }
    if (t->kind == TypeKind::Mutex && t->elem) return check_data_mutex_new(e, t); // mutex_data.cpp
    uint32_t max_args = t->kind == TypeKind::Channel || t->kind == TypeKind::Atomic ? 1 : 0;
    if (e->args.size > max_args) {
        diag.error(e->span, "'new %s' takes %s", tn(t).c_str(),
                   !max_args                         ? "no arguments"
                   : t->kind == TypeKind::Atomic     ? "at most one argument (the initial value)"
                                                     : "at most one argument (the capacity)");
        for (Arg& a : e->args) expr(a.value, nullptr);
        return err();
    }
    for (Arg& a : e->args) value(a.value, T.int_());
    return t;
}

const Type* Sema::check_conc_method(CallExpr* e, MemberExpr* m, const Type* ot) {
    struct M { TypeKind k; const char* name; Builtin b; int nargs; };
    static const M methods[] = {
        {TypeKind::Channel, "Send", Builtin::ChanSend, 1},
        {TypeKind::Channel, "Receive", Builtin::ChanReceive, 0},
        {TypeKind::Channel, "TryReceive", Builtin::ChanTryReceive, 0},
        {TypeKind::Channel, "Close", Builtin::ChanClose, 0},
        {TypeKind::Channel, "Length", Builtin::ChanLength, 0},
        {TypeKind::Task, "Join", Builtin::TaskJoin, 0},
        {TypeKind::WaitGroup, "Add", Builtin::WgAdd, 1},
        {TypeKind::WaitGroup, "Done", Builtin::WgDone, 0},
        {TypeKind::WaitGroup, "Wait", Builtin::WgWait, 0},
        {TypeKind::Mutex, "Lock", Builtin::MutexLock, 0},
        {TypeKind::Mutex, "Unlock", Builtin::MutexUnlock, 0},
        {TypeKind::Atomic, "Load", Builtin::AtomicLoad, 0},
        {TypeKind::Atomic, "Store", Builtin::AtomicStore, 1},
        {TypeKind::Atomic, "Add", Builtin::AtomicAdd, 1},
        {TypeKind::Atomic, "Exchange", Builtin::AtomicExchange, 1},
        {TypeKind::Atomic, "CompareExchange", Builtin::AtomicCas, 2},
    };
    if (ot->kind == TypeKind::Mutex && ot->elem) return check_data_mutex_lock(e, m, ot); // mutex_data.cpp
    const M* found = nullptr;
    for (const M& x : methods)
        if (x.k == ot->kind && m->name == x.name) found = &x;
    m->type = T.void_();
    e->target = nullptr;
    if (!found) {
        diag.error(m->name_span, "type %s has no method '%s'", tn(ot).c_str(), m->name.c_str());
        for (Arg& a : e->args) expr(a.value, nullptr);
        return err();
    }
    e->builtin = (uint32_t)found->b;
    m->builtin = (uint32_t)found->b;
    for (Arg& a : e->args)
        if (a.name) diag.error(a.value ? a.value->span : e->span, "named arguments are not supported here");
    if ((int)e->args.size != found->nargs) {
        diag.error(e->span, "%s.%s expects %d argument%s, found %u", tn(ot).c_str(), found->name, found->nargs,
                   found->nargs == 1 ? "" : "s", e->args.size);
        for (Arg& a : e->args) expr(a.value, nullptr);
        return err();
    }
    switch (found->b) {
    case Builtin::ChanSend: value(e->args[0].value, ot->elem); return T.void_();
    case Builtin::ChanReceive: return ot->elem;
    case Builtin::ChanTryReceive: {
        const Type* el[2] = {ot->elem, T.bool_()};
        return T.tuple(el, 2);
    }
    case Builtin::ChanLength: return T.int_();
    case Builtin::TaskJoin: return ot->elem;
    case Builtin::WgAdd: value(e->args[0].value, T.int_()); return T.void_();
    case Builtin::AtomicLoad: return T.int_();
    case Builtin::AtomicStore: value(e->args[0].value, T.int_()); return T.void_();
    case Builtin::AtomicAdd:
    case Builtin::AtomicExchange: value(e->args[0].value, T.int_()); return T.int_();
    case Builtin::AtomicCas:
        value(e->args[0].value, T.int_());
        value(e->args[1].value, T.int_());
        return T.bool_();
    default: return T.void_();
    }
}

const Type* Sema::check_conc_free_call(CallExpr* e, NameExpr* n) {
    Builtin b;
    int nargs;
    if (n->name == "Sleep") { b = Builtin::Sleep; nargs = 1; }
    else if (n->name == "Yield") { b = Builtin::Yield; nargs = 0; }
    else if (n->name == "Timeout") {
        diag.error(e->span, "'Timeout(ms)' can only be used as a select case");
        for (Arg& a : e->args) expr(a.value, nullptr);
        n->type = err();
        return err();
    } else return nullptr;
    n->type = T.void_();
    e->target = nullptr;
    e->builtin = (uint32_t)b;
    if ((int)e->args.size != nargs) {
        diag.error(e->span, "%s expects %d argument%s, found %u", n->name.c_str(), nargs, nargs == 1 ? "" : "s",
                   e->args.size);
        for (Arg& a : e->args) expr(a.value, nullptr);
        return err();
    }
    if (nargs) time_arg(e->args[0].value);
    return T.void_();
}

const Type* Sema::check_spawn(SpawnExpr* e) {
    if (!e->call || e->call->kind != ExprKind::Call) {
        if (e->call) expr(e->call, nullptr);
        diag.error(e->span, "'spawn' needs a function call: spawn F(args)");
        return err();
    }
    auto* call = static_cast<CallExpr*>(e->call);
    const Type* r = expr(call, nullptr);
    if (is_error(r)) return err();
    FuncDecl* f = call->target;
    if (!f) {
        diag.error(call->span, "'spawn' needs a call of a Lang function, not of a builtin");
        return err();
    }
    if (f->extern_abi || f->fkind == FuncKind::Extern) {
        diag.error(call->span, "'spawn' of an extern or export \"C\" function is not supported");
        return err();
    }
    if (call->callee->kind == ExprKind::Member && static_cast<MemberExpr*>(call->callee)->null_safe) {
        diag.error(call->span, "'spawn' of a '?.' call is not supported: test the receiver for null first");
        return err();
    }
    bool ok = true;
    if (f->parent && f->parent->kind == DeclKind::Type && !(f->mods & M_STATIC)) {
        auto* owner = static_cast<TypeDecl*>(f->parent);
        const Type* rt = call->callee->kind == ExprKind::Member ? static_cast<MemberExpr*>(call->callee)->object->type
                                                                 : owner->type;
        if (f->mods & (M_VIRTUAL | M_OVERRIDE | M_ABSTRACT) || owner->tkind == TypeDeclKind::Interface ||
            !rt || (rt->kind != TypeKind::Class && rt->kind != TypeKind::Struct)) {
            diag.error(call->span, "'spawn' of a virtual or interface method is not supported yet");
            return err();
        }
        if (rt->kind == TypeKind::Struct && (f->mods & M_MUT)) {
            diag.error(call->span, "'spawn' of a mut method of a struct would change a copy: the spawned thread gets "
                                   "its own copy of the receiver");
            return err();
        }
        if (!check_sendable(rt, call->callee->span, "the receiver of a spawned method")) ok = false;
    }
    unborrow_args(call->args); // closures.cpp: a spawned call's lambdas escape
    for (Arg& a : call->args) {
        if (!a.value) continue;
        if (a.value->kind == ExprKind::RefArg && !static_cast<RefArgExpr*>(a.value)->is_own) {
            diag.error(a.value->span, "a spawned call cannot take 'ref' arguments (the caller's variable would be shared)");
            ok = false;
            continue;
        }
        if (!check_sendable(a.value->type, a.value->span, "a spawn argument")) ok = false;
    }
    if (!check_sendable(r, call->span, "the result of a spawned call")) ok = false;
    if (!ok) return err();
    return T.handle(TypeKind::Task, r);
}

static bool is_builtin_call(Expr* e, Builtin b) {
    return e && e->kind == ExprKind::Call && static_cast<CallExpr*>(e)->builtin == (uint32_t)b;
}

void Sema::check_select(SelectStmt* s) {
    bool has_default = false, has_timeout = false;
    for (SelectCase& sc : s->cases) {
        push_scope();
        switch (sc.kind) {
        case SelectCase::Default:
            if (has_default) diag.error(sc.span, "a select can have only one 'default'");
            has_default = true;
            break;
        case SelectCase::Timeout: {
            auto* call = static_cast<CallExpr*>(sc.op);
            if (has_timeout) diag.error(sc.span, "a select can have only one 'Timeout' case");
            has_timeout = true;
            call->builtin = (uint32_t)Builtin::Timeout;
            call->target = nullptr;
            if (call->callee) call->callee->type = T.void_();
            if (call->args.size != 1) {
                diag.error(call->span, "Timeout expects 1 argument (milliseconds), found %u", call->args.size);
                for (Arg& a : call->args) expr(a.value, nullptr);
            } else {
                time_arg(call->args[0].value);
            }
            call->type = T.void_();
            break;
        }
        case SelectCase::Send:
        case SelectCase::Recv: {
            const Type* t = expr(sc.op, nullptr);
            Builtin want = sc.kind == SelectCase::Send ? Builtin::ChanSend : Builtin::ChanReceive;
            if (!is_error(t) && !is_builtin_call(sc.op, want)) {
                diag.error(sc.op->span, "a select case must be 'let v = ch.Receive()', 'ch.Receive()', "
                                        "'ch.Send(v)' or 'Timeout(ms)'");
                t = err();
            }
            if (sc.bind) {
                if (sc.kind == SelectCase::Send) diag.error(sc.bind->name_span, "a Send case cannot bind a variable");
                sc.bind->type = sc.kind == SelectCase::Recv ? t : err();
                if (sc.bind->is_mutable) sc.bind->mods |= M_VAR;
                assign_local_index(sc.bind);
                declare_local(sc.bind->name, sc.bind, sc.bind->name_span);
            }
            break;
        }
        }
        if (sc.body_block) check_block(sc.body_block);
        else if (sc.body_expr) expr(sc.body_expr, nullptr);
        pop_scope();
    }
}

} // namespace lang::sema
