// lower_impl.h: the lowering context shared by lower*.cpp (private to lowering).
//
// One Lowerer lowers a whole program; its per-function state is reset by begin_func().
// Invariants while lowering a function:
//  - `cur` is the block being filled, or null when the current point is unreachable
//    (after return/break/panic); statements are skipped then, and expressions that still
//    need a block get a fresh predecessor-less one (dce removes it).
//  - Blocks are created unplaced (mk_block) and appended to Func::blocks only when entered
//    with at least one predecessor, so every placed block gets a terminator.
//  - Block::preds is filled as edges are emitted; a block is sealed (Braun et al.) once all
//    its predecessors are known. Phis are kept aside and spliced to the block tops (and
//    the prologue of params/slots/undefs to the entry) by finish_func().
//  - An expression of aggregate type evaluates to the address of memory holding it.
#pragma once
#include "common/compilation.h"
#include "ir/ir.h"
#include "ir/lower.h"
#include "parse/ast.h"
#include "rt/lang_abi.h"
#include "sema/types.h"
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace lang::lower {

using ir::Block;
using ir::Inst;
using ir::Op;
using ir::Ty;

enum BuiltinId : uint32_t {
    B_None = 0,
#define BUILTIN(id, spelling) B_##id,
#include "sema/builtins.def"
#undef BUILTIN
};

// Current definitions of SSA variables per block: open addressing on (block id, var),
// cleared in O(1) per function by a generation stamp.
class DefMap {
public:
    Inst* get(uint32_t block, uint32_t var) const;
    void put(uint32_t block, uint32_t var, Inst* v);
    void reset();

private:
    struct Slot {
        uint64_t key;
        uint32_t gen;
        Inst* val;
    };
    void grow();
    std::vector<Slot> slots_;
    uint32_t gen_ = 1;
    size_t count_ = 0;
};

// Ssa: a `var` local built by Braun's algorithm. Fixed: a value written once per scope
// entry (parameters, `let`, for-in and pattern bindings): its definition dominates every
// use (no gotos), so the current value is simply remembered. Mem: lives in memory.
enum class VarKind : uint8_t { None, Ssa, Fixed, Mem };
struct VarInfo {
    VarKind kind = VarKind::None;
    Ty ty = Ty::Void;
    Inst* addr = nullptr;     // Mem: address of the storage (slot, or a ref/aggregate param); Fixed: the value
    const Type* type = nullptr;
    bool owns = false;        // a string local holding a reference: overwriting releases the old value
    bool drops = false;       // a local owning a move-type value: dropped at scope exit (lower_drop.cpp)
};

// A place that can be read and written.
struct LVal {
    enum Kind : uint8_t { None, Var, Mem } kind = None;
    uint32_t var = 0;         // Var: SSA variable
    Inst* base = nullptr;     // Mem: address
    int64_t off = 0;          //      + byte offset
    const Type* type = nullptr;
    bool release_old = false; // Mem: a string location that owns its value (class field, array
                              // element, global, `ref` parameter): a store releases the old one
    bool drop_part = false;   // Mem: a struct or tuple part: a store drops the old move-type value
                              // (or the old string: parts of structs are counted, lower_own.cpp)
};

struct LoopCtx {
    Block* brk;
    Block* cont;
    size_t defer_depth;
    size_t temp_depth;        // temporaries older than the loop outlive break/continue
    size_t owner_depth;       // so do `is` owners of statements around the loop (lower_is_owners.cpp)
};

// What leaving a scope runs, innermost last: a `defer` statement, or the release of a
// string local's current value (lower_own.cpp).
struct Cleanup {
    Stmt* defer = nullptr;
    Decl* local = nullptr;
    Inst* parts = nullptr;          // or: an aggregate whose counted parts are released
    const Type* parts_type = nullptr;
    Inst* owner = nullptr;          // or: an `is` owner slot whose aggregate is dropped (lower_is_owners.cpp)
    const Type* owner_type = nullptr;
};

// What an `is` pattern took over (lower_is_owners.cpp): the binding that owns a new object,
// or the slot that holds a new aggregate the bindings borrow from.
struct IsOwner {
    Decl* binding = nullptr;
    Inst* slot = nullptr;
    const Type* type = nullptr;
};

// A join whose predecessors all descend from block `from` through code lowered while the
// write clock went from lo to hi (an if, a match, a loop): a variable with no write in
// [lo, hi) has at the join the value it has at the end of `from` (see read_var_rec).
struct JoinSkip {
    Block* from = nullptr;
    uint32_t lo = 0, hi = 0;
};

struct IncompletePhi {
    uint32_t block;
    uint32_t var;
    Inst* phi;
};

bool is_fresh_temp(Expr* e); // lower_expr.cpp
bool is_new_result(Expr* e); // lower_expr.cpp: a T! nothing else holds

// Whether f(part, boxed) holds for some part of the value aggregate t: a tuple element, a
// struct's instance field or an enum case's payload (boxed: kept in a heap box; a payload
// of the enum's own type is never a part). The type walks of lower_drop.cpp and
// lower_gc.cpp share it.
template <class F> bool any_part(const Type* t, F&& f) {
    switch (t->kind) {
    case TypeKind::Tuple:
        for (uint32_t i = 0; i < t->count; i++)
            if (f(t->elems[i], false)) return true;
        return false;
    case TypeKind::Struct:
        if (!t->decl) return false;
        for (Decl* d : t->decl->members)
            if (d->kind == DeclKind::Field && !(d->mods & M_STATIC) && f(d->type, false)) return true;
        return false;
    case TypeKind::Enum:
        if (!t->decl || t->is_c_like_enum()) return false;
        for (Decl* m : t->decl->members)
            if (m->kind == DeclKind::EnumCase)
                for (ParamDecl* p : as<EnumCaseDecl>(m)->payload)
                    if (p->boxed ? f(p->type, true) : p->type != t && f(p->type, false)) return true;
        return false;
    default: return false;
    }
}

// Whether fd takes `this` (methods, constructors and destructors).
inline bool is_instance_fn(FuncDecl* fd) {
    if (fd->fkind == FuncKind::Constructor || fd->fkind == FuncKind::Destructor) return true;
    return fd->parent && fd->parent->kind == DeclKind::Type && !(fd->mods & M_STATIC) &&
           fd->fkind != FuncKind::Extern;
}

// The declared result type of fd (nullptr for constructors and destructors).
inline const Type* fn_result(FuncDecl* fd) {
    if (fd->fkind == FuncKind::Constructor || fd->fkind == FuncKind::Destructor) return nullptr;
    if (fd->type && fd->type->kind == TypeKind::Func) return fd->type->elem;
    return nullptr;
}

// The scalar kinds the runtime prints and formats (see Lowerer::scalar_kind).
enum class Scalar { None, Bool, Char, F32, F64, Str, I64, U64 };

struct FieldRow; // one row of a type info's field table (lower_reflect.cpp)

class Lowerer {
public:
    Lowerer(Compilation& c, ir::Module& m) : c(c), m(m) {}
    bool run();
    std::function<void(ir::Func&)> ready;   // see lower_program() in lower.h
    std::function<bool(FuncDecl*)> before; // likewise

    Compilation& c;
    ir::Module& m;
    bool failed = false;

    // ---- module level (lower.cpp, lower_data.cpp)
    void collect_decls(TypeDecl* td, const std::string& prefix);
    void lower_func(FuncDecl* fd);
    void emit_entry();
    void emit_test_entry();          // lower_tests.cpp: `lang test`'s lang_main
    Inst* assert_call(CallExpr* e);  // lower_tests.cpp: assert, assert_eq, assert_ne, assert_fails
    const char* rodata_global(const char* prefix, uint32_t n, const uint8_t* bytes, uint64_t size, uint32_t align);
    const char* string_global(const char* bytes, uint32_t len);   // LangString symbol
    const char* cstring_global(const char* bytes, uint32_t len);  // NUL-terminated bytes
    const char* array_data_global(const uint8_t* bytes, uint64_t size); // array literal's elements
    bool const_elem(Expr* e, const Type* et, uint8_t* out);      // lower_data.cpp
    Inst* array_lit(ArrayLitExpr* ae);                            // lower_data.cpp
    uint32_t narr_ = 0;
    const char* typeinfo(TypeDecl* td);                           // "X.$type" symbol
    void emit_typeinfo(TypeDecl* td);
    // ---- reflection (lower_reflect.cpp)
    struct TypeRecord {                 // the parts of one LangTypeInfo
        uint32_t kind = 0, flags = 0;
        std::string name;
        int64_t size = 0, align = 1;
        const char *base = nullptr, *fields = nullptr, *methods = nullptr, *ifaces = nullptr;
        int64_t nfields = 0, nmethods = 0, nifaces = 0;
        const char* drop = nullptr;     // the drop hook (lower_drop.cpp)
    };
    static uint32_t type_kind_code(const Type* t);               // LangTypeKind
    const char* type_info_sym(const Type* t);                     // any type's info symbol
    ir::Global* data_global(const std::string& name);
    void emit_type_record(ir::Global* g, const TypeRecord& r);
    const char* emit_field_table(const std::string& owner, const std::vector<FieldRow>& rows);
    void decl_tables(TypeDecl* td, TypeRecord& r);
    void emit_other_info(const Type* t);
    void reflect_name(std::string& out, const Type* t);           // TypeInfo.Name of any type
    void emit_type_infos();                                       // after all functions
    Inst* typeof_value(const Type* t);
    Inst* get_type_call(CallExpr* e, Inst* recv);
    Inst* reflect_property(MemberExpr* e, Inst* o);               // null: not reflection
    Inst* type_info_name(Inst* ti);                               // TypeInfo.Name (static string)
    std::unordered_map<const Type*, const char*> other_infos_;    // non-declared types: "type.N"
    std::vector<const Type*> pending_infos_;
    std::unordered_map<std::string, const char*> name_strings_;   // "name.N" per distinct name
    const char* name_string(const std::string& text);
    bool reflects_ = false; // the program uses typeof/GetType: emit field and method tables
    void use_extern(const char* sym);
    const char* func_symbol(FuncDecl* fd);
    void unsupported(Span s, const char* what);

    std::unordered_map<std::string_view, const char*> strings_;
    std::unordered_map<std::string_view, const char*> cstrings_;
    std::unordered_set<std::string_view> externs_;
    std::unordered_map<const TypeDecl*, std::string> type_names_;   // qualified names
    std::unordered_map<const TypeDecl*, const char*> typeinfos_;
    std::vector<FuncDecl*> funcs_;
    std::vector<TypeDecl*> types_;
    std::vector<const char*> func_files_; // source path of funcs_[i]
    // The source path of a function of funcs_ (null if none): the entry point, tests and
    // thunks ask. The first question is a search, the second builds an index.
    const char* file_of(const FuncDecl* fd) {
        if (!file_asked_) {
            file_asked_ = true;
            auto it = std::find(funcs_.begin(), funcs_.end(), fd);
            return it != funcs_.end() ? func_files_[it - funcs_.begin()] : nullptr;
        }
        if (file_index_.empty())
            for (size_t i = 0; i < funcs_.size(); i++) file_index_.emplace(funcs_[i], func_files_[i]);
        auto it = file_index_.find(fd);
        return it != file_index_.end() ? it->second : nullptr;
    }
    std::unordered_map<const FuncDecl*, const char*> file_index_;
    bool file_asked_ = false;
    // Virtual dispatch: per class the vtable (FuncDecl per slot, null = abstract), and the
    // slot of every virtual/override/abstract method. Tables follow the 96-byte
    // LangTypeInfo in the "X.$type" global.
    std::unordered_map<const TypeDecl*, std::vector<FuncDecl*>> vtables_;
    std::unordered_map<const FuncDecl*, uint32_t> vslot_;
    // Function values (lower_func_values.cpp): the closure record global of each named function.
    std::unordered_map<const FuncDecl*, const char*> fn_records_;
    Inst* function_value(FuncDecl* fd);
    Inst* call_value(CallExpr* e);
    Inst* lambda_value(LambdaExpr* l);       // lower_func_values.cpp
    void lower_pending_lambdas();
    std::vector<FuncDecl*> pending_lambdas_; // lambdas met in the function being lowered
    std::unordered_set<const FuncDecl*> lowered_lambdas_;
    std::unordered_map<const FuncDecl*, LambdaExpr*> lambda_of_; // a lambda's function -> its expression
    std::unordered_map<const Decl*, Inst*> capture_addrs_;       // in a lambda: a capture -> its address
    void lambda_prologue(FuncDecl* fd);
    bool capture_place(LambdaExpr* l, uint32_t i, const Type** t, Inst** addr);
    // Heap closure records and their drop functions (lower_record_drops.cpp).
    struct RecordPart {
        const Type* type;
        int64_t off;
        bool owned; // a move-type value moved into the record: dropped with it
    };
    static int64_t capture_slot(uint32_t i); // where a record holds its i-th capture's address
    Inst* new_record(int64_t size, Inst* code, const char* drop); // +1, not registered
    const char* record_drop(const std::vector<RecordPart>& parts); // nullptr: nothing to drop
    void emit_record_drop(const char* sym, const std::vector<RecordPart>& parts);
    std::map<std::vector<std::tuple<const Type*, int64_t, bool>>, const char*> record_drops_;
    std::vector<std::pair<const char*, std::vector<RecordPart>>> pending_record_drops_;
    bool stack_records_ = false; // this function made a closure record on its stack: no tail calls
    Inst* method_value(MemberExpr* e);                           // lower_method_values.cpp
    Inst* bind_method(FuncDecl* fd, Inst* recv, const Type* ot, bool via_base); // +1, not registered
    const char* bound_thunk(FuncDecl* fd, bool by_copy);
    std::map<std::pair<const FuncDecl*, bool>, const char*> bound_thunks_;
    const std::vector<FuncDecl*>& vtable(TypeDecl* td);
    static TypeDecl* base_class(TypeDecl* td);
    // The constructor an un-chained constructor (or the implicit one) of td runs first:
    // the parameterless constructor of the nearest ancestor declaring constructors.
    static FuncDecl* implicit_base_ctor(TypeDecl* td);
    static bool is_virtual(FuncDecl* fd) { return fd->mods & (M_VIRTUAL | M_OVERRIDE | M_ABSTRACT); }
    // Interfaces: LangTypeInfo.interfaces points at {interface type info, method table}
    // pairs (interface_count of them); a method's slot is its position in the interface.
    void interfaces_of(TypeDecl* td, std::vector<TypeDecl*>& out);
    const char* emit_itables(TypeDecl* td, int64_t* count);
    uint32_t islot(FuncDecl* fd);
    Inst* interface_fn(Inst* recv, FuncDecl* fd);
    // Boxed structs (lower_box.cpp): a struct converted to an interface value.
    Inst* box_struct(Inst* v, const Type* t, const Type* iface);
    const char* box_thunk_symbol(FuncDecl* impl);
    void box_thunk(FuncDecl* impl);
    ir::Func* begin_thunk(FuncDecl* impl, const char* sym); // a function forwarding to impl
    void emit_box_thunks();
    std::vector<TypeDecl*> boxed_;
    // lower_ffi.cpp: C calls' callbacks (a C-ABI thunk per Lang function passed to C)
    Inst* c_call_args(FuncDecl* fd, ArenaVec<Arg>& args, std::vector<Inst*>& out, size_t first);
    const char* c_thunk_symbol(FuncDecl* impl);
    void emit_c_thunks();
    std::vector<FuncDecl*> c_thunks_;
    bool c_entry_ = false; // lowering an export "C" function: ret() calls lang_ffi_return
    int64_t c_call_flags_ = 0; // set by c_call_args: the C call's Inst::imm (varargs, regret)
    std::unordered_set<const FuncDecl*> c_thunk_set_;
    std::unordered_set<const TypeDecl*> boxed_set_;
    uint32_t nstr_ = 0;
    // Static fields and namespace-level variables: one Data global each, initialized by
    // lang_main before Main runs (in declaration order).
    std::unordered_map<const Decl*, const char*> statics_;
    std::vector<Decl*> static_order_;
    void add_static(Decl* d, const std::string& qname);
    void init_statics();
    void clear_result_value(const Type* ft, Inst* res); // lower_stmt.cpp
    Inst* glue_begin(const char* sym); // lower_drop.cpp: a glue function sym(ctx, ptr)

    // ---- types
    Ty ty(const Type* t) const;
    static bool is_agg(const Type* t) { return t && t->is_aggregate(); }
    static bool is_unsigned(const Type* t);
    int64_t instance_size(TypeDecl* td);
    static int64_t tuple_offset(const Type* t, uint32_t index);

    // ---- per function (lower.cpp)
    ir::Func* f = nullptr;
    FuncDecl* fdecl = nullptr;
    Block* cur = nullptr;
    Block* entry = nullptr;
    Inst* ctx = nullptr;
    Inst* this_val = nullptr;
    Inst* result_ptr = nullptr;
    const Type* ret_type = nullptr;
    uint32_t line = 0;
    uint32_t file_id = 0;
    const char* file_path = nullptr;
    std::vector<VarInfo> vars;
    uint32_t param_base = 0;
    DefMap defs;
    std::vector<uint8_t> sealed;
    std::vector<JoinSkip> skips_;          // per block id (from == null: an ordinary join)
    uint32_t wclock_ = 0;                  // counts def()s in this function
    std::vector<std::vector<uint32_t>> wpos_; // per variable: the clock of each def(), ascending
    std::vector<uint32_t> wtouched_;       // variables with wpos_ entries (cleared per function)
    std::vector<Inst*> phi_work_;          // read_var_rec: phis waiting for their operands
    std::vector<IncompletePhi> incomplete;
    std::vector<Block*> chain_;
    std::vector<uint32_t> phi_start_, fill_; // finish_func: phis per block (counting sort)
    std::vector<Inst*> phi_flat_;          // read_var_rec's walk (a stack shared by recursive reads)
    std::vector<Inst*> phis;
    std::vector<Inst*> prologue;
    std::vector<Inst*> repl;               // forwarded phi id -> replacement (null: not forwarded)
    std::vector<uint32_t> forwarded_;      // the ids set in repl, cleared by the next begin_func
    std::vector<LoopCtx> loops;
    std::vector<Cleanup> defers;
    bool has_defer_stmts() const;

    // ---- string and handle reference counts (lower_own.cpp; the rules are in doc/lowering.md)
    std::vector<Inst*> temps_; // +1 strings made by the expressions being lowered, not yet claimed
    std::unordered_map<Inst*, const Type*> temp_parts_; // temps_ that are borrowed aggregates: release their counted parts
    std::unordered_set<Inst*> temp_unbuilt_; // temps_ that are objects whose constructor has not run: memory only (construct)
    static bool is_str(const Type* t);     // string or string? (one pointer, maybe null)
    bool owns_mem_value(Decl* d); // lower_expr.cpp
    static bool is_fn(const Type* t);      // a function value or a nullable one (a closure record)
    static bool is_handle(const Type* t);  // a concurrency handle (Channel, Task, ...), maybe null
    static bool is_counted(const Type* t); // a counted copy type: is_str, is_fn or is_handle
    static bool has_counted(const Type* t); // counted, or a struct/tuple with counted parts at some depth
    static bool is_static_str(Inst* v);   // a literal, null or uncounted record: never counted
    Inst* own(Inst* v);                   // registers a +1 string as a temporary
    bool claim(Inst* v);                  // removes v from the temporaries: true if it was one
    Inst* take(Inst* v);                  // a +1 reference to v for a new owner (claim or retain)
    Inst* pin(Inst* v);                   // keeps a borrowed string alive to the end of the statement
    void retain_str(Inst* v);
    void release_str(Inst* v);
    // The same for a value of type t, a string, function value or handle (is_counted,
    // picking lang_str_*, lang_fn_* or lang_handle_*; for other types own returns v).
    Inst* own(Inst* v, const Type* t);
    Inst* take(Inst* v, const Type* t);
    Inst* pin(Inst* v, const Type* t);
    void retain(Inst* v, const Type* t);
    void release(Inst* v, const Type* t);
    void release_temps(size_t from);      // releases temps_[from..] here (they stay listed)
    void drop_temps(size_t from);         // releases temps_[from..] here and forgets them
    void retain_parts(const Type* t, Inst* base, int64_t off); // an aggregate copy's strings
    void release_parts(const Type* t, Inst* base, int64_t off); // what retain_parts retained

    // Drops of owned values (lower_drop.cpp)
    bool needs_drop(const Type* t);        // a class object, interface value or array (maybe null)
    bool has_drops(const Type* t, int depth = 0); // ... or a string, or a struct/tuple holding one
    std::unordered_map<const Type*, bool> drops_memo_; // has_drops of aggregates
    Inst* own_value(Inst* v, const Type* t); // registers an owned temporary (dropped unless claimed)
    void drop_value(const Type* t, Inst* v);
    bool has_pending_drops(bool strings); // a droppable local or temporary (or a string, if asked) is live: no tail call
    void own_drop_local(Decl* d);
    bool owns_drop(Decl* d);               // a local or parameter that drops its value at scope exit
    Inst* move_out(const LVal& lv, Inst* v, const Type* t, Decl* d = nullptr);
    bool drops_agg(const Type* t);         // a struct, tuple, value T? or payload enum with parts to drop
    bool owns_parts(const Type* t, int depth = 0); // has_drops without strings: holds a move-type part
    bool tracked(const Type* t);           // needs_drop or drops_agg: an owned temporary is listed
    bool claim_agg(Inst* v);               // claim, and the aggregate's parts go with it (not fresh)
    bool owns_agg(Decl* d);                // an aggregate local or `own` parameter dropped at scope exit
    void own_agg_local(Decl* d);
    VarInfo* var_info(Decl* d);            // a local's or parameter's variable (null if not one)
    const char* enum_glue(const Type* t, bool drop); // lower_drop_enum.cpp
    void emit_enum_glue(const Type* t, bool drop);
    std::unordered_map<const Type*, const char*> enum_drop_glue_, enum_retain_glue_;
    std::vector<std::pair<const Type*, bool>> pending_enum_glue_;
    // ---- `is` patterns that take over new values (lower_is_owners.cpp)
    std::vector<IsOwner> owned_bindings_;  // filled by cond_branch, not yet given a scope
    std::unordered_map<IsExpr*, Inst*> is_owner_slots_; // prepared: emptied binding (null) or aggregate owner slot
    size_t own_bindings(size_t from) { // (inline: usually no `is` pattern filled an owner)
        return from < owned_bindings_.size() ? own_bindings_since(from) : defers.size();
    }
    size_t own_bindings_since(size_t from);
    void prepare_is_owners(Expr* e);
    Inst* take_is_owner(IsExpr* ie, Inst* v, bool fresh_result);
    void drop_pending_owners(size_t from);
    static Expr* stmt_expr(Stmt* s);
    static bool binds(const Pattern* p);
    bool counted_binding(Decl* d);
    bool copy_binding(Decl* d);
    void own_pattern_copies(const Pattern* p);
    const char* drop_hook(TypeDecl* td);   // "T.$drop" or nullptr when T has nothing to drop
    const char* array_drop_fn(const Type* elem);
    void emit_drop_hook(TypeDecl* td);
    void emit_array_glue(const Type* elem);
    const char* value_drop_fn(const Type* t); // "$drop.value.N"(ctx, ptr) or nullptr
    void emit_value_glue(const Type* t);
    void emit_drop_glue();
    void drop_statics();                  // in lang_main, after Main returns
    std::unordered_map<Inst*, const Type*> temp_drops_; // temps_ entries that are move-type values
    std::unordered_set<Inst*> fresh_aggs_; // new tuples, structs and aggregate call results not stored yet
    std::unordered_map<TypeDecl*, const char*> drop_hooks_;
    std::unordered_map<const Type*, const char*> array_glue_;
    std::vector<TypeDecl*> pending_hooks_;
    std::vector<const Type*> pending_glue_;
    std::unordered_map<const Type*, const char*> value_glue_; // value_drop_fn
    std::vector<const Type*> pending_value_glue_;
    void own_local(Decl* d);              // the local now owns its value: released at scope end
    void raw_write(const LVal& lv, Inst* v); // store/define without any reference counting

    void begin_func(ir::Func* fn);
    void finish_func();
    Block* mk_block();
    void enter(Block* b);
    void seal(Block* b);
    Block* ensure() { return cur ? cur : unreachable_block(); } // inline: runs per instruction
    Block* unreachable_block();
    Inst* mk(Op op, Ty t);                          // new instruction, not placed
    Inst* emit(Op op, Ty t, Inst* a = nullptr, Inst* b = nullptr);
    Inst* emit_pro(Op op, Ty t);                    // into the entry prologue
    Inst* add_param(Ty t);                          // the function's next parameter (lower.cpp)
    Inst* iconst(Ty t, int64_t v);
    struct ConstCache {
        Block* block;
        Inst* inst;
    };
    ConstCache consts_[64] = {}; // per-block reuse of small integer constants
    Inst* fconst(Ty t, double v);
    Inst* undef(Ty t);
    Inst* slot(uint32_t size, uint32_t align);
    Inst* slot_for(const Type* t);
    void jmp(Block* t);
    void br(Inst* cond, Block* t, Block* e);
    void ret(Inst* v);
    void unreachable();
    Inst* call(const char* sym, Ty rt, std::initializer_list<Inst*> args);
    Inst* call_v(const char* sym, Ty rt, const std::vector<Inst*>& args);
    void panic_when(Inst* cond, const char* fn);
    void panic_call(const char* sym, std::initializer_list<Inst*> args); // noreturn
    Inst* load(Ty t, Inst* base, int64_t off);
    void store(Ty t, Inst* base, int64_t off, Inst* v);
    void memcpy_(Inst* dst, Inst* src, int64_t n);
    Inst* ptr_add(Inst* base, int64_t off);
    Inst* ptr_add_v(Inst* base, Inst* off);

    // SSA construction
    uint32_t new_var(Ty t);
    void write_var(uint32_t v, Block* b, Inst* val);
    Inst* read_var(uint32_t v, Block* b);
    Inst* read_var_rec(uint32_t v, Block* b);
    Inst* lookup_var(uint32_t v, Block* b, Inst** need);
    Inst* new_phi(uint32_t v, Block* b);
    Inst* add_phi_operands(uint32_t v, Inst* phi);
    void note_write(uint32_t v);
    bool written_between(uint32_t v, uint32_t lo, uint32_t hi) const;
    void set_skip(Block* join, Block* from, uint32_t lo);
    Inst* try_remove_trivial(Inst* phi);
    // Forwarded phis are rare: the common "not forwarded" case is checked inline.
    Inst* resolve(Inst* v) { return v && v->id < repl.size() && repl[v->id] ? resolve_forwarded(v) : v; }
    Inst* resolve_forwarded(Inst* v);
    void def(uint32_t v, Inst* val) {
        note_write(v);
        write_var(v, ensure(), val);
    }
    Inst* use(uint32_t v) { return read_var(v, ensure()); }

    void set_line(Span s);
    Span expr_span_{};               // the expression being lowered (for diagnostics)
    uint32_t line_file_ = UINT32_MAX; // cache for set_line: last line's [start, end)
    uint32_t line_lo_ = 1, line_hi_ = 0;

    // ---- values and places (lower_expr.cpp)
    Inst* expr(Expr* e);
    void cond_branch(Expr* e, Block* t, Block* fblk);
    LVal lvalue(Expr* e);
    LVal var_lval(Decl* d);
    Inst* read(const LVal& lv);
    void write(const LVal& lv, Inst* v);
    Inst* lval_addr(const LVal& lv);
    Inst* load_typed(const Type* t, Inst* base, int64_t off);
    void store_typed(const Type* t, Inst* base, int64_t off, Inst* v);
    Inst* materialize(const Type* t, Inst* v);    // aggregate copy into a fresh slot
    void zero_init(const Type* t, Inst* base, int64_t off);
    Inst* zero_value(const Type* t);              // the zero value (an aggregate: a fresh slot)
    bool needs_zero_init(const Type* t);
    Inst* binary(BinaryExpr* e);
    Inst* arith(BinOp op, const Type* t, Inst* a, Inst* b);
    Inst* unsigned_checked(BinOp op, Ty it, Inst* a, Inst* b);
    Inst* nullable_eq(const Type* t, Inst* a, Inst* b);
    void return_value(Expr* e);
    Inst* compare(BinOp op, const Type* t, Inst* a, Inst* b);
    Inst* convert(Inst* v, const Type* from, const Type* to, Span s);
    Inst* to_string(Inst* v, const Type* from);
    Inst* widen64(Inst* v, const Type* t, bool is_signed);
    Scalar scalar_kind(Inst*& v, const Type* t);
    Inst* str_concat(Inst* a, Inst* b);   // +1 result; consumes `a` when it is a temporary
    Inst* assign(AssignExpr* e);
    Inst* call_expr(CallExpr* e, bool tail);
    // call_expr with the receiver already evaluated (`recv`, null: evaluate the callee's
    // object as usual); used by `x?.M(args)` for the value inside x.
    Inst* call_on(CallExpr* e, bool tail, Inst* recv);
    Inst* builtin_call(CallExpr* e, Inst* recv = nullptr);
    Inst* text_call(CallExpr* e, Inst* recv);   // string methods, ToString, StringBuilder (lower_text.cpp)
    Inst* math_call(CallExpr* e);               // Math.Sqrt, Abs, Min, ... (lower_math.cpp)
    Inst* rt_intrinsic(CallExpr* e);            // a prelude file's runtime call (lower_intrinsics.cpp)
    Inst* text_new(NewExpr* e);                 // new StringBuilder(...): a +1 handle
    Inst* interp_format(const InterpPart& p);   // {x:F3}: a +1 string (lower_text.cpp)
    Inst* interp_pad(Inst* s, int32_t align);   // {x,8}: consumes s when it is a temporary
    Inst* write_value(Inst* v, const Type* t, bool newline_after);
    // hash(x), equals(a, b), __lang_describe(x) (lower_hash.cpp)
    Inst* hash_builtin(CallExpr* e);
    Inst* hash_value(Inst* v, const Type* t);            // i64
    Inst* equal_values(Inst* a, Inst* b, const Type* t); // i8 0/1
    // x.Clone() (lower_clone.cpp): clone functions per type, made after the program's functions
    Inst* clone_call(CallExpr* e, Inst* recv);
    Inst* clone_value(Inst* v, const Type* t);           // an owned copy (aggregates: a fresh slot)
    Inst* clone_ref(Inst* v, const Type* t);
    Inst* clone_dispatch(Inst* v);
    Inst* call_user_clone(FuncDecl* fd, Inst* recv);
    void clone_into(const Type* t, Inst* dst, int64_t doff, Inst* src, int64_t soff, bool counted);
    const char* clone_fn(const Type* t);                 // the clone function's symbol (made later)
    const char* clone_slot(TypeDecl* td);                // vtable slot 0: td's clone function, or null
    void clone_begin(const char* sym, Ty ret, TypeDecl* td);
    void clone_class_fn(const Type* t, const char* sym);
    void clone_boxed_fn(TypeDecl* sd, const char* sym);
    void clone_array_fn(const Type* t, const char* sym);
    void clone_nullable_ref_fn(const Type* t, const char* sym);
    void clone_agg_fn(const Type* t, const char* sym);
    void emit_clone_fns();
    std::unordered_map<const Type*, const char*> clone_syms_;
    std::vector<const Type*> clone_todo_;
    std::unordered_set<const TypeDecl*> clone_ifaces_;   // interfaces cloned through the dispatch
    std::unordered_map<const TypeDecl*, const char*> boxed_clone_syms_;
    // Json.Serialize / Json.Deserialize (lower_json.cpp): a writer and a reader per type
    Inst* json_call(CallExpr* e);
    Inst* json_text(const std::string& s);                 // a C string constant
    Inst* json_rt(const char* sym, Ty rt, std::initializer_list<Inst*> args);
    const char* json_fn(const Type* t, bool reader);        // made later by emit_json_fns
    void json_write(Inst* w, Inst* v, const Type* t);
    void json_read(Inst* r, const Type* t, Inst* dst, int64_t off);
    void json_reset(const Type* t, Inst* dst, int64_t off);
    static bool json_has_zero(const Type* t, int depth = 0);
    Inst* json_read_elements(Inst* r, const Type* et, Inst* dst);
    void json_read_dict(Inst* r, const Type* t, Inst* dst);
    void json_writer_fn(const Type* t, const char* sym);
    void json_reader_fn(const Type* t, const char* sym);
    FuncDecl* json_error_fn();
    void emit_json_fns();
    std::unordered_map<const Type*, const char*> json_w_syms_, json_r_syms_;
    std::vector<std::pair<const Type*, bool>> json_todo_;
    Inst* new_expr(NewExpr* e);
    Inst* index_addr(IndexExpr* e, int64_t* off);
    Inst* pointer_elem_addr(Inst* p, Expr* index, const Type* elem); // lower_pointers.cpp
    Inst* pointer_unary(UnaryExpr* e);
    Inst* pointer_arith(BinaryExpr* e);
    Inst* array_elem_addr(Inst* arr, Inst* idx, const Type* elem, bool check);
    void count_loop(Inst* n, const std::function<void(Inst* i)>& body); // for (i = 0; i < n; i++) body(i)
    void index_loop(const std::function<Inst*(Inst* i)>& cond, const std::function<void(Inst* i)>& body,
                    Inst** count = nullptr); // for (i = 0; cond(i); i++) body(i)
    Inst* member(MemberExpr* e);
    Inst* interp(InterpStringExpr* e);
    Inst* ternary(TernaryExpr* e);
    Inst* condition_value(Expr* e);   // &&, ||, is: a condition materialized as i8 0/1
    Inst* coalesce(BinaryExpr* e);
    Inst* enum_case_value(EnumCaseDecl* ec, const Type* t);
    Inst* is_null(Inst* v, const Type* t);         // i8: 1 when the nullable is null
    Inst* nullable_value(Inst* v, const Type* t);  // the T inside a non-null T?
    Inst* wrap_nullable(Inst* v, const Type* inner, const Type* nt);
    // `obj?.…` (lower_expr.cpp): null_safe_enter evaluates the T? `obj` (as a place when
    // T is a value type, so `mut` methods change it in place), branches on null and enters
    // the non-null block with *value = the T (for a value T, its address). The caller
    // lowers the member or call there, then null_safe_leave converts its result `r` (type
    // `vt`) to `rt` and joins with null (nothing when `rt` is void).
    struct NullSafe { Block* nb; Block* join; uint32_t res; bool has_val; size_t temp_mark; };
    NullSafe null_safe_enter(Expr* obj, const Type* rt, Inst** value);
    Inst* null_safe_leave(NullSafe& ns, Inst* r, const Type* vt, const Type* rt, Span span);
    Inst* construct(TypeDecl* td, const Type* t, NewExpr* e);
    void call_args(FuncDecl* fd, ArenaVec<Arg>& args, std::vector<Inst*>& out,
                   std::vector<std::pair<LVal, Inst*>>* writeback);

    // ---- concurrency (lower_concurrency.cpp)
    uint32_t nspawn_ = 0; // spawn thunks made so far (names "<func>$spawnN")
    const char* spawn_thunk(CallExpr* call, bool task, const std::vector<int64_t>& offs, const Type* recv_t,
                            int64_t recv_off);
    Inst* spawn_expr(SpawnExpr* e, bool as_stmt);
    Inst* value_addr(Inst* v, const Type* t);
    Inst* time_ns(Expr* e);
    void fix_closed_zero(Inst* ok, const Type* et, Inst* buf);
    Inst* conc_call(CallExpr* e);
    Inst* send_value(Expr* e, const Type* et);        // a value to send, +1 for the channel
    Inst* received_value(const Type* et, Inst* slot); // a received value, +1 for us
    void bind_received(LocalDecl* d, const Type* et, Inst* buf); // a for-in/select variable owns it
    bool counted_parts_only(const Type* t, int depth = 0);
    Inst* conc_new_expr(NewExpr* e);
    void for_in_channel(ForInStmt* s, Block* head, Block* body, Block* step, Block* exit);
    void select_stmt(SelectStmt* s);
    Inst* data_mutex_new(NewExpr* e, const Type* t); // Mutex<T> (lower_mutex_data.cpp)
    Inst* data_mutex_lock(CallExpr* e);

    // ---- the context, allocators and #caller (lower_context.cpp)
    bool context_stmt(Stmt* s);                  // `context.F = v;` in a block: true when s is one
    Inst* context_member(MemberExpr* e);         // context.gc_enabled, context.logger
    Inst* context_call(CallExpr* e);             // context.temp_allocator.Reset(), the memory prelude's calls
    Inst* caller_location(Expr* e);              // #caller: a SourceLocation
    struct CtxSwitch {
        size_t mark;                             // defers.size() when it ran
        Inst* prev;                              // the context before it
    };
    std::vector<CtxSwitch> ctx_switches_;        // the context statements of the open blocks
    Inst* ctx_for_cleanup(size_t i) const;       // the context cleanup i was registered under

    // ---- statements, match, patterns (lower_stmt.cpp)
    void stmt(Stmt* s);
    void stmt_kind(Stmt* s);
    void bind_owned(LocalDecl* d, Inst* v, const Type* t);
    void leave_with(Inst* v);
    void stmts(lang::Block* b);
    void var_decl(VarDeclStmt* s);
    void bind_local(LocalDecl* d, Inst* v, const Type* t, bool borrow = false);
    void if_stmt(IfStmt* s);
    void while_stmt(WhileStmt* s);
    void for_stmt(ForStmt* s);
    void for_in(ForInStmt* s);
    void indexed_pass(ForInStmt* s, Inst* item, const Type* t, uint32_t iv, Block* head, Block* step, Block* exit,
                      bool counted_result = false);
    void enter_step(Block* step);
    void return_stmt(ReturnStmt* s);
    void run_defers(size_t down_to);
    void gc_block(UnsafeStmt* s);                            // lower_gc.cpp
    bool gc_direct(const Type* t, int depth = 0);            // lower_gc.cpp: owned memory that
    bool gc_deep(const Type* t, int depth = 0);              //   holds gc references
    uint32_t gc_class_flags(TypeDecl* td);
    Inst* gc_array(Inst* arr, const Type* elem);
    Inst* match(MatchExpr* e, bool ret_arms = false);
    // T!: { value, error pointer at err_offset } (sema/types.cpp); error 0 = success.
    static int64_t err_offset(const Type* ft) { return ft->elem ? (ft->elem->size + 7) / 8 * 8 : 0; }
    void fail_stmt(FailStmt* s);
    Inst* error_location(Span s);             // static "file:line:col" string (lower_errors.cpp)
    void error_note(const char* fn, Inst* err, Span s); // lang_error_fail / lang_error_trace
    Inst* entry_result(FuncDecl* main_fd, const char* sym, const std::vector<Inst*>& args); // Main returning T!
    void set_success();                       // result error = 0 before returning from a T! function
    Inst* try_expr(TryExpr* e);
    Inst* catch_expr(CatchExpr* e);
    std::unordered_map<const Decl*, uint32_t> extra_vars_; // catch bindings -> variable
    Inst* match_obj_ = nullptr; // scrutinee address of the innermost payload-enum match
    Inst* match_tag_ = nullptr; // its tag, loaded once before the arms
    void pattern(Pattern* p, Inst* v, const Type* t, Block* fail);
    void enum_layout(const Type* t, int64_t* tag_size, int64_t* payload_off);
    int64_t payload_field_offset(EnumCaseDecl* ec, uint32_t i, int64_t payload_off);
    Inst* box_value(const Type* t, Inst* v); // lower_recenum.cpp: a heap copy of v, its address
    Inst* new_box(const Type* t);            // an empty box for a value of t (its payload address)
    void drop_box(const Type* t, Inst* box); // drops the boxed value (if the box is not null), frees it
};

} // namespace lang::lower
