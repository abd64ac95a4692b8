// ir.h: the target-independent intermediate representation.
//
// A Module holds functions and data. A Func is a list of Blocks in layout order; the
// first block is the entry. Each Block holds Insts; the last one is the only
// terminator (jmp/br/ret/tailcall/unreachable). The IR is in SSA form: every Inst
// defines at most one value, numbered `id` (printed %id), and each use refers to the
// defining Inst. Join points use `phi` instructions at the top of a block, with one
// incoming value per predecessor (phi_blocks[i] pairs with args[i]).
//
// Types are scalar only: i8 i16 i32 i64 f32 f64 and ptr (64-bit address). Aggregates
// (structs, tuples) live in memory: `slot` gives stack memory, load/store/memcpy move
// bytes. Booleans are i8 (0/1). Lang functions take the context pointer as parameter 0;
// an aggregate result is returned through a hidden pointer parameter (after the context).
//
// Everything is allocated in the Module's Arena.
#pragma once
#include "common/arena.h"
#include <cstdint>
#include <string>
#include <vector>

namespace lang::ir {

enum Flags : uint32_t { F_TERM = 1, F_FOLD = 2, F_SIDE = 4, F_COMM = 8, F_NOVAL = 16 };

enum class Op : uint8_t {
#define OP(id, name, nargs, flags) id,
#include "ir/ops.def"
#undef OP
    Count
};

struct OpInfo {
    const char* name;
    int nargs;
    uint32_t flags;
};
extern const OpInfo kOpInfo[(int)Op::Count];
inline const OpInfo& info(Op op) { return kOpInfo[(int)op]; }
// Comparison groups (ops.def keeps eq..uge and feq..fge contiguous).
inline bool is_int_cmp(Op op) { return op >= Op::eq && op <= Op::uge; }
inline bool is_float_cmp(Op op) { return op >= Op::feq && op <= Op::fge; }
inline bool is_compare(Op op) { return op >= Op::eq && op <= Op::fge; }

enum class Ty : uint8_t { Void, I8, I16, I32, I64, F32, F64, Ptr };
const char* ty_name(Ty t);           // "i64", "ptr", ...
inline bool is_float(Ty t) { return t == Ty::F32 || t == Ty::F64; }
inline bool is_int(Ty t) { return (t >= Ty::I8 && t <= Ty::I64) || t == Ty::Ptr; }
inline uint32_t ty_size(Ty t) {
    switch (t) {
    case Ty::I8: return 1; case Ty::I16: return 2; case Ty::I32: case Ty::F32: return 4;
    case Ty::Void: return 0; default: return 8;
    }
}

struct Block;
struct Func;

// Fields used only by some opcodes share storage (80 bytes instead of 104: the IR of a
// large program is mostly Insts, and every fresh page costs a fault): `target` belongs to
// jmp/br (null for every other non-phi op), `phi_blocks` to phi; `imm2` to slot, `fimm` to
// fconst. Read a field only for the ops that own it.
struct Inst {
    Inst() {} // user-provided: the union below has a member with a non-trivial constructor
    Op op{};
    Ty ty = Ty::Void;          // type of the defined value (Void for none)
    Ty cty = Ty::Void;         // operand type for compares/conversions/store
    bool dead = false;         // set by passes before compaction
    uint32_t id = 0;           // value number, unique within the function
    Block* block = nullptr;    // owning block
    ArenaVec<Inst*> args;      // value operands
    union {
        Block* target[2] = {nullptr, nullptr}; // jmp/br successors
        ArenaVec<Block*> phi_blocks;           // phi: incoming blocks, parallel to args
    };
    int64_t imm = 0;           // iconst bits, load/store offset, slot size, byte counts, param index;
                               // call: 1 for a call of a variadic C function (`varargs`)
    union {
        int64_t imm2 = 0;      // slot alignment
        double fimm;           // fconst
    };
    const char* sym = nullptr; // call/tailcall/addr symbol name
    uint32_t line = 0;         // source line for the line table (0 = unknown)
};

// Number of successors of a terminator, target[0..n): 1 for jmp, 2 for br, else 0 (other
// ops' `target` storage is not theirs: for a phi it holds phi_blocks).
inline int num_targets(const Inst* t) { return !t ? 0 : t->op == Op::jmp ? 1 : t->op == Op::br ? 2 : 0; }

struct Block {
    uint32_t id = 0;
    ArenaVec<Inst*> insts;
    ArenaVec<Block*> preds;    // filled by compute_cfg()
    Inst* term() const { return insts.size ? insts.data[insts.size - 1] : nullptr; }
};

struct Func {
    const char* name;          // symbol name
    ArenaVec<Ty> params;       // includes the context pointer when it is a Lang function
    Ty ret = Ty::Void;
    ArenaVec<Block*> blocks;   // layout order; blocks[0] is the entry
    bool is_public = true;     // global symbol (false: local to the object)
    const char* source_file = nullptr; // for line tables / stack traces
    uint32_t next_id = 0;      // next value number
    uint32_t next_block = 0;   // next block number
    bool has_ctx = false;      // params[0] is the implicit context that callers pass as argument 0
};

// A piece of initialized data: raw bytes, or the address of a symbol (+ addend).
struct DataItem {
    enum Kind : uint8_t { Bytes, Zero, SymAddr } kind;
    const uint8_t* bytes = nullptr; // Bytes
    uint64_t size = 0;               // Bytes/Zero: byte count (SymAddr is always 8)
    const char* sym = nullptr;       // SymAddr
    int64_t addend = 0;
};

enum class Section : uint8_t { Rodata, Data, Bss };

struct Global {
    const char* name;
    Section section = Section::Rodata;
    uint32_t align = 8;
    bool is_public = false;
    ArenaVec<DataItem> items;
};

struct Module {
    // Module-level data lives in `arena` until the compilation ends: functions (Func, name,
    // params), globals, externs. Blocks, instructions and their lists go to body(): the
    // driver may point `bodies` at a smaller arena that it recycles once the functions
    // built in it are compiled (see src/driver/pipeline.cpp), so nothing module-level may
    // point into a body.
    Arena& arena;
    Arena* bodies = nullptr;
    Arena& body() { return bodies ? *bodies : arena; }
    ArenaVec<Func*> funcs;
    ArenaVec<Global*> globals;
    ArenaVec<const char*> externs;   // symbols referenced but defined elsewhere (runtime, C)
    explicit Module(Arena& a) : arena(a) {}
};

// Builder helpers (ir.cpp).
Func* new_func(Module& m, const char* name);
Block* new_block(Module& m, Func& f);             // appended to f.blocks
// new_inst and append run once per instruction built: inline.
inline Inst* new_inst(Module& m, Func& f, Op op, Ty ty) { // not yet placed in a block
    Inst* i = m.body().make<Inst>();
    i->op = op;
    i->ty = ty;
    i->id = f.next_id++;
    return i;
}
inline void append(Module& m, Block* b, Inst* i) { // sets i->block
    i->block = b;
    b->insts.push(m.body(), i);
}

// Recomputes Block::preds for every block from the terminators.
void compute_cfg(Module& m, Func& f);
// The blocks reachable from the entry, in reverse postorder (fold.cpp, cse.cpp).
std::vector<Block*> reverse_postorder(const Func& f);

// Text form (print.cpp / read.cpp). The reader reports errors as "line:col: message" in *err.
std::string print(const Module& m);
std::string print(const Func& f);
bool read(Module& m, const char* text, size_t len, std::string* err);

// Structural checks (verify.cpp): SSA dominance of uses, phi/pred agreement, terminators,
// operand counts and types. Returns false and describes the first problem in *err.
bool verify(const Func& f, std::string* err);
bool verify(const Module& m, std::string* err);

// Passes (one file each).
void cse(Module& m, Func& f);         // cse.cpp: equal values and known branch conditions over the dominator tree
void fold(Module& m, Func& f);        // fold.cpp: constant folding + algebraic identities
void copyprop(Module& m, Func& f);    // copyprop.cpp: replace copies and trivial phis
void dce(Module& m, Func& f);         // dce.cpp: remove unused side-effect-free insts, unreachable blocks
void mark_tailcalls(Module& m, Func& f); // tailcall.cpp: `call` followed by `ret` of its result -> tailcall
void insert_preempt_checks(Module& m, Func& f); // preempt.cpp: lang_preempt_pending tests on back-edges/entries
void drop_unused_context(Module& m); // ctxelim.cpp (module level): remove the context parameter where never needed

} // namespace lang::ir
