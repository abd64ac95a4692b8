// lower.cpp: lowering driver — module, functions, SSA construction, the entry point.
//
// SSA is built on the fly with the algorithm of Braun et al., "Simple and Efficient
// Construction of SSA Form" (CC 2013): each scalar local is a variable index; a write
// records the value as the variable's current definition in the current block; a read
// looks it up, walking to predecessors (and placing phis at joins) when the block has
// none. Blocks whose predecessors are not all known yet (loop headers, loop exits) are
// unsealed: reads there create incomplete phis that get their operands at seal().
// Trivial phis are forwarded through `repl` and dropped in finish_func(), which also
// rewrites every operand through the forwarding table.
#include "ir/lower_impl.h"
#include "sema/sema.h"

#include <algorithm>
#include <cstring>

namespace lang {

bool lower_program(Compilation& c, ir::Module& m, const std::function<void(ir::Func&)>& ready,
                   const std::function<bool(FuncDecl*)>& before) {
    lower::Lowerer l(c, m);
    l.ready = ready;
    l.before = before;
    return l.run();
}

} // namespace lang

namespace lang::lower {

// ---------------------------------------------------------------------------
// DefMap

// Keys are (block << 32 | var): mix all bits down (the murmur3 finalizer), or keys that
// differ only in the block would pile up in one probe run.
static inline size_t hash_key(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (size_t)k;
}

Inst* DefMap::get(uint32_t block, uint32_t var) const {
    if (slots_.empty()) return nullptr;
    uint64_t key = ((uint64_t)block << 32) | var;
    size_t mask = slots_.size() - 1;
    for (size_t i = hash_key(key) & mask;; i = (i + 1) & mask) {
        const Slot& s = slots_[i];
        if (s.gen != gen_) return nullptr;
        if (s.key == key) return s.val;
    }
}

void DefMap::put(uint32_t block, uint32_t var, Inst* v) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    uint64_t key = ((uint64_t)block << 32) | var;
    size_t mask = slots_.size() - 1;
    for (size_t i = hash_key(key) & mask;; i = (i + 1) & mask) {
        Slot& s = slots_[i];
        if (s.gen != gen_) {
            s = {key, gen_, v};
            count_++;
            return;
        }
        if (s.key == key) {
            s.val = v;
            return;
        }
    }
}

void DefMap::reset() {
    gen_++;
    count_ = 0;
    if (gen_ == 0) { // wrapped: clear for real
        for (Slot& s : slots_) s.gen = 0;
        gen_ = 1;
    }
}

void DefMap::grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.empty() ? 256 : old.size() * 2, Slot{0, 0, nullptr});
    uint32_t g = gen_;
    count_ = 0;
    for (const Slot& s : old)
        if (s.gen == g) put((uint32_t)(s.key >> 32), (uint32_t)s.key, s.val);
}

// ---------------------------------------------------------------------------
// Types

Ty Lowerer::ty(const Type* t) const {
    if (!t) return Ty::Void;
    switch (t->kind) {
    case TypeKind::Void:
    case TypeKind::Never: return Ty::Void;
    case TypeKind::Bool:
    case TypeKind::I8:
    case TypeKind::U8: return Ty::I8;
    case TypeKind::I16:
    case TypeKind::U16: return Ty::I16;
    case TypeKind::I32:
    case TypeKind::U32:
    case TypeKind::Char: return Ty::I32;
    case TypeKind::I64:
    case TypeKind::U64:
    case TypeKind::Duration: return Ty::I64; // nanoseconds (lower_concurrency.cpp)
    case TypeKind::F32: return Ty::F32;
    case TypeKind::F64: return Ty::F64;
    case TypeKind::Enum:
        if (t->is_c_like_enum()) {
            switch (t->size) {
            case 1: return Ty::I8;
            case 2: return Ty::I16;
            case 8: return Ty::I64;
            default: return Ty::I32;
            }
        }
        return Ty::Ptr;
    default: return Ty::Ptr;
    }
}

bool Lowerer::is_unsigned(const Type* t) {
    switch (t->kind) {
    case TypeKind::U8:
    case TypeKind::U16:
    case TypeKind::U32:
    case TypeKind::U64:
    case TypeKind::Char:
    case TypeKind::Bool: return true;
    default: return false;
    }
}

int64_t Lowerer::tuple_offset(const Type* t, uint32_t index) {
    int64_t off = 0;
    for (uint32_t i = 0; i < t->count; i++) {
        const Type* e = t->elems[i];
        uint32_t a = e->align ? e->align : 1;
        off = (off + a - 1) / a * a;
        if (i == index) return off;
        off += e->size;
    }
    return off;
}

// Class instance size: sema's layout gives each field its offset; the object ends after
// the last field, rounded to 8 (the header is 16 bytes).
int64_t Lowerer::instance_size(TypeDecl* td) {
    if (td->instance_size) return td->instance_size;
    int64_t end = td->tkind == TypeDeclKind::Class ? LANG_ABI_OBJ_HEADER_SIZE : 0;
    for (TypeDecl* t = td; t;) {
        for (Decl* d : t->members) {
            if (d->kind != DeclKind::Field || (d->mods & M_STATIC)) continue;
            auto* fd = as<FieldDecl>(d);
            int64_t sz = fd->type ? fd->type->size : 8;
            if (fd->offset + sz > end) end = fd->offset + sz;
        }
        TypeDecl* base = nullptr;
        for (TypeExpr* b : t->bases)
            if (b->resolved && b->resolved->kind == TypeKind::Class) base = b->resolved->decl;
        t = base;
    }
    return (end + 7) / 8 * 8;
}

// ---------------------------------------------------------------------------
// Module

void Lowerer::unsupported(Span s, const char* what) {
    if (s.begin == 0 && s.end == 0) s = expr_span_;
    c.diag.error(s, "not supported yet by lowering: %s", what);
    failed = true;
}

void Lowerer::use_extern(const char* sym) {
    if (externs_.insert(std::string_view(sym)).second) m.externs.push(m.arena, sym);
}

const char* Lowerer::func_symbol(FuncDecl* fd) {
    if (fd->is_export) return fd->name.c_str(); // export "C": the C name itself
    if (fd->fkind == FuncKind::Extern || fd->extern_abi) {
        if (!fd->is_export) {
            const char* s = m.arena.copy_str(fd->name.c_str(), fd->name.view().size());
            use_extern(s);
            return s;
        }
    }
    if (fd->mangled) return fd->mangled;
    return fd->name.c_str();
}

static bool is_generic(TypeDecl* td) {
    for (Decl* p = td; p; p = p->parent)
        if (p->kind == DeclKind::Type && as<TypeDecl>(p)->type_params.size) return true;
    return false;
}

void Lowerer::collect_decls(TypeDecl* td, const std::string& prefix) {
    std::string name = prefix.empty() ? std::string(td->name.view()) : prefix + "." + std::string(td->name.view());
    type_names_[td] = name;
    if (is_generic(td)) return;
    types_.push_back(td);
    for (Decl* d : td->members) {
        if (d->kind == DeclKind::Func) {
            auto* fd = as<FuncDecl>(d);
            if (fd->type_params.size || (!fd->body && !fd->body_expr)) continue;
            if (fd->unused) continue; // a method of a generic instance the program never uses
            funcs_.push_back(fd);
        } else if (d->kind == DeclKind::Type) {
            collect_decls(as<TypeDecl>(d), name);
        } else if (d->kind == DeclKind::Field && (d->mods & M_STATIC)) {
            add_static(d, name + "." + std::string(d->name.view()));
        }
    }
}

bool Lowerer::run() {
    auto ns_prefix = [](FileAst* file) {
        std::string prefix;
        for (uint32_t i = 0; i < file->ns_path.size; i++) {
            if (i) prefix += '.';
            prefix += file->ns_path[i].view();
        }
        return prefix;
    };
    // Top-level instances of generic types first: their static fields are initialized
    // before the globals and statics of written code, which may use them.
    for (FileAst* file : c.files) {
        for (Decl* d : file->instances)
            if (d->kind == DeclKind::Type && !d->parent) collect_decls(as<TypeDecl>(d), ns_prefix(file));
        const char* path = c.sources.file(file->file_id).path.c_str();
        func_files_.resize(funcs_.size(), path);
    }
    for (FileAst* file : c.files) {
        std::string prefix = ns_prefix(file);
        const char* path = c.sources.file(file->file_id).path.c_str();
        for (Decl* d : file->decls) {
            if (d->kind == DeclKind::Type) {
                collect_decls(as<TypeDecl>(d), prefix);
            } else if (d->kind == DeclKind::Func) {
                auto* fd = as<FuncDecl>(d);
                if (fd->type_params.size || (!fd->body && !fd->body_expr)) continue;
                if (fd->fkind == FuncKind::Extern) continue;
                funcs_.push_back(fd);
            } else if (d->kind == DeclKind::Local) {
                add_static(d, prefix.empty() ? std::string(d->name.view()) : prefix + "." + std::string(d->name.view()));
            }
        }
        // Instances of generic types and functions (sema made them; an enclosing type of
        // an instance is collected before it).
        for (Decl* d : file->instances) {
            if (d->kind == DeclKind::Type && !d->parent) continue; // collected above
            std::string owner = prefix;
            if (d->parent && d->parent->kind == DeclKind::Type) {
                auto it = type_names_.find(as<TypeDecl>(d->parent));
                if (it == type_names_.end()) continue; // inside a template
                owner = it->second;
            }
            if (d->kind == DeclKind::Type) {
                collect_decls(as<TypeDecl>(d), owner);
            } else if (d->kind == DeclKind::Func) {
                auto* fd = as<FuncDecl>(d);
                if ((fd->body || fd->body_expr) && !fd->unused) funcs_.push_back(fd);
            }
        }
        func_files_.resize(funcs_.size(), path);
    }
    for (TypeDecl* td : types_) typeinfo(td);
    // Hands out every function completed since the last call (a function may create
    // others while it is lowered, e.g. spawn thunks).
    uint32_t handed_out = 0;
    auto hand_out = [&] {
        for (; ready && handed_out < m.funcs.size; handed_out++) ready(*m.funcs[handed_out]);
    };
    for (size_t i = 0; i < funcs_.size(); i++) {
        FuncDecl* fd = funcs_[i];
        if (before && !before(fd)) return false;
        file_path = func_files_[i];
        lower_func(fd);
        lower_pending_lambdas(); // lower_func_values.cpp
        if (!failed) hand_out();
    }
    emit_box_thunks(); // lower_box.cpp
    emit_c_thunks(); // lower_ffi.cpp
    emit_entry();
    lower_pending_lambdas(); // those in initializers
    emit_json_fns(); // lower_json.cpp
    emit_clone_fns(); // lower_clone.cpp
    emit_drop_glue(); // lower_drop.cpp
    if (!failed) hand_out();
    emit_type_infos(); // lower_reflect.cpp
    return !failed;
}

// ---------------------------------------------------------------------------
// Per-function state and SSA

void Lowerer::begin_func(ir::Func* fn) {
    f = fn;
    c_entry_ = false;
    defs.reset();
    sealed.clear();
    skips_.clear();
    for (uint32_t v : wtouched_) wpos_[v].clear();
    wtouched_.clear();
    wclock_ = 0;
    incomplete.clear();
    phis.clear();
    prologue.clear();
    // repl keeps its size across functions (no refill per function): only the entries
    // the previous function set are cleared.
    for (uint32_t id : forwarded_) repl[id] = nullptr;
    forwarded_.clear();
    loops.clear();
    defers.clear();
    temps_.clear();
    temp_drops_.clear();
    temp_parts_.clear();
    temp_unbuilt_.clear();
    fresh_aggs_.clear();
    owned_bindings_.clear();
    is_owner_slots_.clear();
    vars.clear();
    extra_vars_.clear();
    this_val = result_ptr = ctx = nullptr;
    // consts_ is keyed by Block*: a block of an earlier function may have been freed and
    // its memory reused for a block of this one (Module::bodies), so start empty.
    for (ConstCache& cc : consts_) cc = {};
    entry = mk_block();
    sealed[entry->id] = 1;
    f->blocks.push(m.body(), entry);
    cur = entry;
}

Block* Lowerer::mk_block() {
    Block* b = m.body().make<Block>();
    b->id = f->next_block++;
    sealed.push_back(0);
    skips_.push_back({});
    return b;
}

void Lowerer::enter(Block* b) {
    if (b->preds.size == 0 && b != entry) {
        cur = nullptr;
        return;
    }
    f->blocks.push(m.body(), b);
    cur = b;
}

void Lowerer::seal(Block* b) {
    if (sealed[b->id]) return;
    sealed[b->id] = 1;
    for (size_t i = 0; i < incomplete.size();) {
        if (incomplete[i].block == b->id) {
            IncompletePhi ip = incomplete[i];
            incomplete[i] = incomplete.back();
            incomplete.pop_back();
            add_phi_operands(ip.var, ip.phi);
        } else {
            i++;
        }
    }
}

// A fresh, sealed, predecessor-less block for code that follows a terminator inside an
// expression; it verifies fine and dce drops it.
Block* Lowerer::unreachable_block() {
    Block* b = mk_block();
    sealed[b->id] = 1;
    f->blocks.push(m.body(), b);
    cur = b;
    return cur;
}

static bool can_fault(Op op) {
    switch (op) {
    case Op::call: case Op::callind: case Op::tailcall:
    case Op::addchk: case Op::subchk: case Op::mulchk:
    case Op::sdiv: case Op::srem: case Op::udiv: case Op::urem:
    case Op::load: case Op::store: case Op::memcpy: case Op::memzero:
        return true;
    default: return false;
    }
}

Inst* Lowerer::mk(Op op, Ty t) {
    Inst* i = ir::new_inst(m, *f, op, t);
    if (can_fault(op)) i->line = line;
    return i;
}

Inst* Lowerer::emit(Op op, Ty t, Inst* a, Inst* b) {
    Inst* i = mk(op, t);
    if (a) { // operand storage sized exactly: most instructions never grow
        uint32_t n = b ? 2 : 1;
        i->args.data = static_cast<Inst**>(m.body().alloc(sizeof(Inst*) * n, alignof(Inst*)));
        i->args.cap = n;
        i->args.data[i->args.size++] = a;
        if (b) i->args.data[i->args.size++] = b;
    }
    ir::append(m, ensure(), i);
    return i;
}

// The next parameter of the function being lowered: its type joins f->params and its
// value comes from the entry prologue.
Inst* Lowerer::add_param(Ty t) {
    f->params.push(m.arena, t);
    Inst* p = emit_pro(Op::param, t);
    p->imm = f->params.size - 1;
    return p;
}

Inst* Lowerer::emit_pro(Op op, Ty t) {
    Inst* i = mk(op, t);
    i->block = entry;
    prologue.push_back(i);
    return i;
}

Inst* Lowerer::iconst(Ty t, int64_t v) {
    switch (t) { // constants are kept sign-extended from their width
    case Ty::I8: v = (int8_t)v; break;
    case Ty::I16: v = (int16_t)v; break;
    case Ty::I32: v = (int32_t)v; break;
    default: break;
    }
    // The same constant in the same block is reused (it dominates the rest of the block).
    ConstCache& cc = consts_[((uint64_t)v * 0x9E3779B1u + (uint32_t)t) >> 26 & 63];
    if (cur && cc.block == cur && cc.inst->ty == t && cc.inst->imm == v) return cc.inst;
    Inst* i = emit(Op::iconst, t);
    i->imm = v;
    cc.block = cur;
    cc.inst = i;
    return i;
}

Inst* Lowerer::fconst(Ty t, double v) {
    Inst* i = emit(Op::fconst, t);
    i->fimm = v;
    return i;
}

Inst* Lowerer::undef(Ty t) {
    Inst* i = emit_pro(ir::is_float(t) ? Op::fconst : Op::iconst, t);
    return i;
}

Inst* Lowerer::slot(uint32_t size, uint32_t align) {
    Inst* i = emit_pro(Op::slot, Ty::Ptr);
    i->imm = size ? size : 1;
    i->imm2 = align ? align : 1;
    return i;
}

Inst* Lowerer::slot_for(const Type* t) { return slot(t->size, t->align); }

void Lowerer::jmp(Block* t) {
    if (!cur) return;
    Inst* i = emit(Op::jmp, Ty::Void);
    i->target[0] = t;
    t->preds.push(m.body(), cur);
    cur = nullptr;
}

void Lowerer::br(Inst* cond, Block* t, Block* e) {
    if (!cur) return;
    if (t == e) {
        jmp(t);
        return;
    }
    Inst* i = emit(Op::br, Ty::Void, cond);
    i->target[0] = t;
    i->target[1] = e;
    t->preds.push(m.body(), cur);
    e->preds.push(m.body(), cur);
    cur = nullptr;
}

void Lowerer::ret(Inst* v) {
    if (!cur) return;
    if (c_entry_) call("lang_ffi_return", Ty::Void, {ctx}); // back to C: flush stdout (rt/ffi.c)
    emit(Op::ret, Ty::Void, v);
    cur = nullptr;
}

void Lowerer::unreachable() {
    if (!cur) return;
    emit(Op::unreachable, Ty::Void);
    cur = nullptr;
}

Inst* Lowerer::call_v(const char* sym, Ty rt, const std::vector<Inst*>& args) {
    Inst* i = mk(Op::call, rt);
    i->sym = sym;
    for (Inst* a : args) i->args.push(m.body(), a);
    ir::append(m, ensure(), i);
    return i;
}

Inst* Lowerer::call(const char* sym, Ty rt, std::initializer_list<Inst*> args) {
    Inst* i = mk(Op::call, rt);
    i->sym = sym;
    for (Inst* a : args) i->args.push(m.body(), a);
    ir::append(m, ensure(), i);
    return i;
}

void Lowerer::panic_call(const char* sym, std::initializer_list<Inst*> args) {
    use_extern(sym);
    call(sym, Ty::Void, args);
    unreachable();
}

Inst* Lowerer::load(Ty t, Inst* base, int64_t off) {
    Inst* i = emit(Op::load, t, base);
    i->imm = off;
    return i;
}

void Lowerer::store(Ty t, Inst* base, int64_t off, Inst* v) {
    Inst* i = emit(Op::store, Ty::Void, base, v);
    i->cty = t;
    i->imm = off;
}

void Lowerer::memcpy_(Inst* dst, Inst* src, int64_t n) {
    if (dst == src || n == 0) return;
    Inst* i = emit(Op::memcpy, Ty::Void, dst, src);
    i->imm = n;
}

Inst* Lowerer::ptr_add(Inst* base, int64_t off) {
    if (off == 0) return base;
    return emit(Op::add, Ty::Ptr, base, iconst(Ty::I64, off));
}

Inst* Lowerer::ptr_add_v(Inst* base, Inst* off) { return emit(Op::add, Ty::Ptr, base, off); }

uint32_t Lowerer::new_var(Ty t) {
    VarInfo vi;
    vi.kind = VarKind::Ssa;
    vi.ty = t;
    vars.push_back(vi);
    return (uint32_t)vars.size() - 1;
}

void Lowerer::write_var(uint32_t v, Block* b, Inst* val) { defs.put(b->id, v, val); }

Inst* Lowerer::resolve_forwarded(Inst* v) {
    Inst* r = v;
    while (r->id < repl.size() && repl[r->id]) r = repl[r->id];
    // path compression
    while (v != r && v->id < repl.size() && repl[v->id]) {
        Inst* n = repl[v->id];
        repl[v->id] = r;
        v = n;
    }
    return r;
}

Inst* Lowerer::read_var(uint32_t v, Block* b) {
    if (Inst* d = defs.get(b->id, v)) return resolve(d);
    return read_var_rec(v, b);
}

Inst* Lowerer::new_phi(uint32_t v, Block* b) {
    Inst* p = mk(Op::phi, vars[v].ty);
    p->block = b;
    phis.push_back(p);
    return p;
}

void Lowerer::note_write(uint32_t v) {
    if (v >= wpos_.size()) wpos_.resize(v + 1);
    if (wpos_[v].empty()) wtouched_.push_back(v);
    wpos_[v].push_back(wclock_++);
}

bool Lowerer::written_between(uint32_t v, uint32_t lo, uint32_t hi) const {
    if (v >= wpos_.size()) return false;
    const std::vector<uint32_t>& w = wpos_[v];
    auto it = std::lower_bound(w.begin(), w.end(), lo);
    return it != w.end() && *it < hi;
}

// Called as the construct that started in block `from` when the clock was `lo` ends at
// `join`: every def() since then was lowered inside it.
void Lowerer::set_skip(Block* join, Block* from, uint32_t lo) {
    if (from) skips_[join->id] = {from, lo, wclock_};
}

// The definition of v reaching the start of b, found by walking back: through blocks
// with one predecessor, and through joins whose construct did not write v (JoinSkip), to
// a block that has a definition. Otherwise it ends with a new phi: an incomplete one in an
// unsealed block, else one whose operands the caller must add (*need). Every block passed
// records the result, so later reads stop early (Braun et al., with the skips added so
// that reading many variables after many ifs or loops costs no phi per pair).
Inst* Lowerer::lookup_var(uint32_t v, Block* b, Inst** need) {
    size_t base = chain_.size();
    Inst* val = nullptr;
    for (;;) {
        if (Inst* d = defs.get(b->id, v)) {
            val = resolve(d);
            break;
        }
        if (!sealed[b->id]) {
            val = new_phi(v, b);
            incomplete.push_back({b->id, v, val});
        } else if (b->preds.size == 1) {
            chain_.push_back(b);
            b = b->preds[0];
            continue;
        } else if (b->preds.size == 0) {
            val = undef(vars[v].ty);
        } else if (skips_[b->id].from && !written_between(v, skips_[b->id].lo, skips_[b->id].hi)) {
            chain_.push_back(b);
            b = skips_[b->id].from;
            continue;
        } else {
            val = new_phi(v, b);
            *need = val;
        }
        write_var(v, b, val); // before the operands are read: breaks cycles
        break;
    }
    for (size_t i = base; i < chain_.size(); i++) write_var(v, chain_[i], val);
    chain_.resize(base);
    return val;
}

// Reads that meet joins do not recurse: phis waiting for operands are kept on phi_work_
// (a join chain 10^5 long would overflow the stack), each one completed (and removed if
// trivial) after the phis made for its operands.
Inst* Lowerer::read_var_rec(uint32_t v, Block* b) {
    Inst* need = nullptr;
    Inst* val = lookup_var(v, b, &need);
    if (need) add_phi_operands(v, need);
    return resolve(val);
}

Inst* Lowerer::add_phi_operands(uint32_t v, Inst* phi) {
    size_t base = phi_work_.size();
    phi_work_.push_back(phi);
    while (phi_work_.size() > base) {
        Inst* p = phi_work_.back();
        Block* pb = p->block;
        if (p->args.size < pb->preds.size) {
            Block* pred = pb->preds[p->args.size];
            Inst* need = nullptr;
            Inst* a = lookup_var(v, pred, &need);
            p->args.push(m.body(), a);
            p->phi_blocks.push(m.body(), pred);
            if (need) phi_work_.push_back(need);
        } else {
            phi_work_.pop_back();
            try_remove_trivial(p);
        }
    }
    return resolve(phi);
}

Inst* Lowerer::try_remove_trivial(Inst* phi) {
    Inst* same = nullptr;
    for (Inst*& op : phi->args) {
        op = resolve(op);
        if (op == same || op == phi) continue;
        if (same) return phi;
        same = op;
    }
    if (!same) same = undef(phi->ty);
    if (repl.size() <= phi->id) repl.resize(std::max<size_t>(f->next_id, repl.size() * 2) + 64, nullptr);
    repl[phi->id] = same;
    forwarded_.push_back(phi->id);
    phi->dead = true;
    return same;
}

// Statements come mostly in source order: remember the last line's byte range and only
// search (binary search in line_col) when the offset leaves it.
void Lowerer::set_line(Span s) {
    if (s.end == 0 && s.begin == 0) return;
    if (s.file != file_id) { // code from another file (a static's initializer in lang_main, a
        line = 0;            // field initializer in `new`): its lines would be misread as ours
        line_file_ = UINT32_MAX;
        return;
    }
    if (s.file == line_file_ && s.begin >= line_lo_ && s.begin < line_hi_) return;
    const std::vector<uint32_t>& ls = c.sources.file(s.file).line_starts;
    if (s.file == line_file_ && s.begin >= line_hi_ && line + 3 < ls.size() && s.begin < ls[line + 3]) {
        while (s.begin >= ls[line]) line++; // usually the next line or two
    } else if (ls.empty()) {
        line = c.sources.line_col(s.file, s.begin).line; // indexes the lines once
    } else { // line_col also counts columns; only the line is needed here
        line = (uint32_t)(std::upper_bound(ls.begin(), ls.end(), s.begin) - ls.begin());
    }
    if (line >= 1 && line <= ls.size()) {
        line_file_ = s.file;
        line_lo_ = ls[line - 1];
        line_hi_ = line < ls.size() ? ls[line] : UINT32_MAX;
    } else {
        line_file_ = UINT32_MAX;
    }
}

// Resolves forwarded phis, drops the trivial ones, puts phis at the top of their blocks
// and the prologue at the top of the entry, and renumbers blocks in layout order.
void Lowerer::finish_func() {
    // Phis that became trivial because an operand phi was removed after them.
    for (bool changed = true; changed;) {
        changed = false;
        for (Inst* p : phis) {
            if (p->dead) continue;
            if (try_remove_trivial(p) != p) changed = true;
        }
    }
    // Live phis grouped by block with a counting sort into one flat array.
    phi_start_.assign(f->next_block + 1, 0);
    size_t live = 0;
    for (Inst* p : phis)
        if (!p->dead) {
            phi_start_[p->block->id + 1]++;
            live++;
            for (Inst*& a : p->args) a = resolve(a);
        }
    for (uint32_t k = 0; k < f->next_block; k++) phi_start_[k + 1] += phi_start_[k];
    phi_flat_.resize(live);
    if (live) {
        fill_.assign(phi_start_.begin(), phi_start_.end() - 1);
        for (Inst* p : phis)
            if (!p->dead) phi_flat_[fill_[p->block->id]++] = p;
    }
    for (Inst* i : prologue)
        for (Inst*& a : i->args) a = resolve(a);
    bool forwarded = !forwarded_.empty();
    // Splice phis (and the entry prologue) in front of each block's instructions.
    for (Block* b : f->blocks) {
        if (forwarded)
            for (Inst* i : b->insts)
                for (Inst*& a : i->args) a = resolve(a);
        uint32_t p0 = phi_start_[b->id], p1 = phi_start_[b->id + 1];
        size_t extra = (b == entry ? prologue.size() : 0) + (p1 - p0);
        if (!extra) continue;
        ArenaVec<Inst*> v;
        v.data = static_cast<Inst**>(m.body().alloc(sizeof(Inst*) * (extra + b->insts.size), alignof(Inst*)));
        v.cap = (uint32_t)(extra + b->insts.size);
        if (b == entry)
            for (Inst* i : prologue) v.data[v.size++] = i;
        for (uint32_t k = p0; k < p1; k++) v.data[v.size++] = phi_flat_[k];
        for (Inst* i : b->insts) v.data[v.size++] = i;
        b->insts = v;
    }
    uint32_t n = 0;
    for (Block* b : f->blocks) b->id = n++;
    f->next_block = n;
    // Block::preds is already exact: every edge was recorded when emitted (and only
    // entered, i.e. placed, blocks are ever targets), so no compute_cfg here.
}

// ---------------------------------------------------------------------------
// Functions

void Lowerer::lower_func(FuncDecl* fd) {
    ir::Func* fn = ir::new_func(m, func_symbol(fd));
    fn->source_file = file_path;
    fdecl = fd;
    begin_func(fn);
    file_id = fd->span.file;
    set_line(fd->span);
    ret_type = fn_result(fd);
    bool agg_ret = is_agg(ret_type);

    c_entry_ = fd->is_export;
    if (c_entry_) { // export "C": entered from C without a context; the runtime has one (rt/ffi.c)
        use_extern("lang_ffi_ctx");
        use_extern("lang_ffi_return");
        ctx = call("lang_ffi_ctx", Ty::Ptr, {});
    } else {
        ctx = add_param(Ty::Ptr);
    }
    fn->has_ctx = !fd->extern_abi;
    if (agg_ret) result_ptr = add_param(Ty::Ptr);
    if (is_instance_fn(fd)) this_val = add_param(Ty::Ptr);
    fn->ret = agg_ret ? Ty::Void : ty(ret_type);

    vars.resize(fd->local_count + fd->params.size);
    param_base = fd->local_count;
    for (ParamDecl* p : fd->params) {
        VarInfo& vi = vars[param_base + p->index];
        vi.type = p->type;
        if (p->mode == ParamMode::Ref || is_agg(p->type)) {
            vi.kind = VarKind::Mem;
            vi.ty = ty(p->type);
            vi.addr = add_param(Ty::Ptr);
        } else {
            vi.kind = VarKind::Fixed;
            vi.ty = ty(p->type);
            vi.addr = add_param(vi.ty);
        }
    }
    lambda_prologue(fd); // lower_func_values.cpp: the record parameter, captures, spills
    for (ParamDecl* p : fd->params) { // an `own` parameter is dropped at exit unless moved
        VarInfo& vi = vars[param_base + p->index];
        if (vi.kind == VarKind::Mem && owns_agg(p)) own_agg_local(p); // an aggregate (lower_drop.cpp)
        if (!owns_drop(p)) continue;
        if (vi.kind == VarKind::Mem && p->captured) { // spilled by lambda_prologue
            own_drop_local(p);
            continue;
        }
        if (vi.kind != VarKind::Fixed) continue;
        Inst* v = vi.addr;
        vi.kind = VarKind::Ssa;
        vi.addr = nullptr;
        def(param_base + p->index, v);
        own_drop_local(p);
    }

    if (fd->fkind == FuncKind::Constructor && (fd->chains_base || fd->chains_this)) {
        TypeDecl* owner = fd->parent && fd->parent->kind == DeclKind::Type ? as<TypeDecl>(fd->parent) : nullptr;
        TypeDecl* target = owner;
        if (fd->chains_base && owner) {
            target = nullptr;
            for (TypeExpr* b : owner->bases)
                if (b->resolved && b->resolved->kind == TypeKind::Class) target = b->resolved->decl;
        }
        FuncDecl* ctor = nullptr;
        if (target) {
            for (Decl* d : target->members) {
                if (d->kind != DeclKind::Func) continue;
                auto* cd = as<FuncDecl>(d);
                if (cd->fkind != FuncKind::Constructor || cd == fd || cd->params.size != fd->chain_args.size) continue;
                bool ok = true;
                for (uint32_t i = 0; i < cd->params.size; i++)
                    if (fd->chain_args[i].value->type != cd->params[i]->type) ok = false;
                if (ok || !ctor) ctor = cd;
            }
        }
        if (!ctor) {
            if (fd->chain_args.size) unsupported(fd->span, "constructor chaining without a matching constructor");
        } else {
            std::vector<Inst*> args{ctx, this_val};
            std::vector<std::pair<LVal, Inst*>> wb;
            call_args(ctor, fd->chain_args, args, &wb);
            call_v(func_symbol(ctor), Ty::Void, args);
            drop_temps(0); // the arguments' temporaries, as at the end of a statement
        }
    } else if (fd->fkind == FuncKind::Constructor && fd->parent && fd->parent->kind == DeclKind::Type) {
        if (FuncDecl* bc = implicit_base_ctor(as<TypeDecl>(fd->parent))) // implicit `: base()`
            call_v(func_symbol(bc), Ty::Void, {ctx, this_val});
    }

    if (fd->body) {
        stmts(fd->body);
        if (cur) {
            run_defers(0);
            if (ret_type && ret_type->kind != TypeKind::Void && fn->ret != Ty::Void) {
                unreachable(); // sema guarantees every path returns
            } else if (ret_type && ret_type->kind == TypeKind::Fallible &&
                       !(ret_type->elem && ret_type->elem->kind != TypeKind::Void)) {
                set_success(); // void! falling off the end
                ret(nullptr);
            } else if (result_ptr) {
                unreachable();
            } else {
                ret(nullptr);
            }
        }
    } else if (fd->body_expr) {
        set_line(fd->body_expr->span);
        ReturnStmt rs;
        rs.kind = StmtKind::Return;
        rs.span = fd->body_expr->span;
        rs.value = fd->body_expr;
        if (!ret_type || ret_type->kind == TypeKind::Void) {
            bool tail = false;
            if (fd->body_expr->kind == ExprKind::Call) {
                auto* ce = as<CallExpr>(fd->body_expr);
                tail = ce->target && !ce->builtin;
            }
            if (tail) {
                call_expr(as<CallExpr>(fd->body_expr), true);
            } else {
                expr(fd->body_expr);
            }
            if (cur) drop_temps(0);
            ret(nullptr);
        } else {
            return_stmt(&rs);
        }
    }
    finish_func();
}

void Lowerer::add_static(Decl* d, const std::string& qname) {
    if (!d->type || d->type->kind == TypeKind::Error) return;
    ir::Global* g = m.arena.make<ir::Global>();
    g->name = m.arena.copy_str(qname.data(), qname.size());
    g->section = ir::Section::Data;
    g->align = d->type->align > 8 ? d->type->align : 8;
    g->is_public = false;
    ir::DataItem z;
    z.kind = ir::DataItem::Zero;
    z.size = d->type->size ? d->type->size : 8;
    g->items.push(m.arena, z);
    m.globals.push(m.arena, g);
    statics_[d] = g->name;
    static_order_.push_back(d);
}

// Runs in lang_main: initializers, and "" for string parts without one.
void Lowerer::init_statics() {
    for (Decl* d : static_order_) {
        Expr* init = d->kind == DeclKind::Field ? as<FieldDecl>(d)->init : as<LocalDecl>(d)->init;
        set_line(d->span);
        Inst* a = emit(Op::addr, Ty::Ptr);
        a->sym = statics_[d];
        if (init) {
            Inst* v = expr(init);
            if (init->type != d->type) v = convert(v, init->type, d->type, d->span);
            store_typed(d->type, a, 0, v);
        } else if (needs_zero_init(d->type)) {
            zero_init(d->type, a, 0);
        }
    }
}

// lang_main(ctx, args) -> i64: calls Program.Main, drops the statics and returns its status.
void Lowerer::emit_entry() {
    if (c.opts.test_build) return emit_test_entry(); // lower_tests.cpp: runs the tests, not Main
    // Only a Main with a valid signature: in the pipelined build sema reports a bad one
    // after lowering (with the other whole-program checks), so it must not be lowered.
    FuncDecl* main_fd = find_entry_point(c);
    if (!main_fd) return; // a library, a test run or a bad Main (reported by sema): no entry
    ir::Func* fn = ir::new_func(m, "lang_main");
    fn->source_file = file_of(main_fd);
    fdecl = nullptr;
    begin_func(fn);
    file_id = main_fd->span.file;
    line = 0;
    fn->ret = Ty::I64;
    Inst* c0 = add_param(Ty::Ptr);
    ctx = c0; // static initializers may call the runtime
    Inst* a1 = add_param(Ty::Ptr);
    const Type* rt = fn_result(main_fd);
    std::vector<Inst*> args{c0};
    if (main_fd->params.size) args.push_back(a1);
    Ty rty = is_agg(rt) ? Ty::Void : ty(rt);
    init_statics();
    Inst* r = rt->kind == TypeKind::Fallible ? entry_result(main_fd, func_symbol(main_fd), args)
                                             : call_v(func_symbol(main_fd), rty, args);
    if (rt->kind == TypeKind::Fallible) rty = Ty::I64;
    drop_statics(); // lower_drop.cpp
    if (rty == Ty::Void) {
        ret(iconst(Ty::I64, 0));
    } else if (rty != Ty::I64) {
        Inst* x = emit(Op::sext, Ty::I64, r);
        x->cty = rty;
        ret(x);
    } else {
        ret(r);
    }
    finish_func();
}

} // namespace lang::lower
