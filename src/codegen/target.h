// target.h: the one interface between the target-independent backend and a target.
//
// The backend pipeline for one function (QBE style, see doc/backend.md):
//   T.isel (IR -> MFunc with virtual registers, ABI lowered)  -> liveness + linear scan
//   (regalloc.cpp, target independent, driven by the register sets in Target)
//   -> rewrite (vregs -> registers / frame slots, spill code, phi parallel copies)
//   -> T.emit (prologue/epilogue, branch relaxation, encoding into an obj::Object).
//
// Machine code before encoding is an MFunc: blocks of MInsts whose operands are
// registers (physical below kFirstVReg, virtual above), immediates, memory operands,
// labels and symbols. Each MInst says which operands it reads/writes (`rw`) and which
// physical registers it uses/clobbers implicitly (calls, division); that is all the
// register allocator needs to know about an instruction.
#pragma once
#include "common/diag.h"
#include "ir/ir.h"
#include "obj/object.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lang {

namespace codegen {

constexpr uint32_t kNoReg = UINT32_MAX;
constexpr uint32_t kFirstVReg = 64; // registers 0..63 are physical

enum class RegClass : uint8_t { Int, Float };

struct Operand {
    enum Kind : uint8_t { None, Reg, Imm, Mem, Label, Sym };
    Kind kind = None;
    uint8_t size = 8;     // Reg: register view in bytes; Mem: access width (0: any, for lea)
    uint8_t scale = 1;    // Mem: index scale 1/2/4/8
    bool frame = false;   // Mem: displacement is relative to the frame area (fixed up by emit)
    uint32_t reg = kNoReg;   // Reg; Mem base (kNoReg + sym: RIP-relative)
    uint32_t index = kNoReg; // Mem index
    uint32_t label = 0;      // Label: block index (or cold stub index when imm == 1)
    // (the 32-bit fields come before the 64-bit ones: no padding, 32 bytes in all)
    int64_t imm = 0;         // Imm value; Mem displacement; Sym addend
    const char* sym = nullptr; // Sym target, or RIP-relative Mem symbol

    static Operand r(uint32_t reg, uint8_t size = 8) {
        Operand o; o.kind = Reg; o.reg = reg; o.size = size; return o;
    }
    static Operand i(int64_t v, uint8_t size = 8) {
        Operand o; o.kind = Imm; o.imm = v; o.size = size; return o;
    }
    static Operand m(uint32_t base, int64_t disp, uint8_t size = 8) {
        Operand o; o.kind = Mem; o.reg = base; o.imm = disp; o.size = size; return o;
    }
    static Operand lbl(uint32_t l) { Operand o; o.kind = Label; o.label = l; return o; }
    static Operand s(const char* name, int64_t addend = 0) {
        Operand o; o.kind = Sym; o.sym = name; o.imm = addend; return o;
    }
    bool is_reg() const { return kind == Reg; }
    bool is_vreg() const { return kind == Reg && reg >= kFirstVReg && reg != kNoReg; }
};

static_assert(sizeof(Operand) == 32, "Operand is copied around a lot: keep it small");

// rw bits: operand k is read when (rw >> 2k) & 1, written when (rw >> 2k) & 2.
constexpr uint8_t kR0 = 1, kW0 = 2, kR1 = 4, kW1 = 8, kR2 = 16, kW2 = 32;

struct MInst {
    uint16_t op = 0;     // target mnemonic
    uint8_t cc = 0;      // condition code (jcc/setcc/cmovcc)
    uint8_t n = 0;       // operand count
    uint8_t rw = 0;
    Operand o[3];
    uint64_t imp_use = 0, imp_def = 0; // implicit physical registers (bit = register number)
    uint32_t line = 0;
};

// One incoming value of a phi: `src` (vreg or immediate) when control arrives from `pred`.
struct PhiArg {
    uint32_t pred;
    Operand src;
};

// A phi in machine form: dst gets args[k].src when control arrives from args[k].pred,
// where args = MFunc::phi_args[first, first + count). (Speed: the arguments of every phi
// live in one flat array of the function rather than in two small vectors per phi.)
struct MPhi {
    uint32_t dst;
    uint32_t first, count;
};

// A block ends with `jumps`, taken in order: (cc, target); cc == kAlways is unconditional.
// Blocks that end in ret/tailcall/unreachable have no jumps (the MInst ends them).
constexpr uint8_t kAlways = 0xff;
struct MBlock {
    std::vector<MInst> insts;
    std::vector<MPhi> phis;
    std::vector<std::pair<uint8_t, uint32_t>> jumps;
    std::vector<uint32_t> succs, preds;
    uint32_t ir_id = 0; // IR block id, or UINT32_MAX for split-edge blocks
};

struct MFunc {
    const ir::Func* ir = nullptr;
    std::vector<MBlock> blocks; // layout order; blocks[0] is the entry
    std::vector<RegClass> vclass; // class of vreg kFirstVReg + i
    std::vector<PhiArg> phi_args; // the arguments of every MPhi (see MPhi::first)
    uint32_t frame_size = 0;      // bytes of the frame area (IR slots, spill slots)
    uint32_t out_args = 0;        // bytes of outgoing stack arguments (at [rsp])
    uint32_t in_args = 0;         // bytes of incoming stack arguments
    uint64_t used_callee = 0;     // callee-saved registers written (filled by regalloc)
    // Cold overflow stubs: label index -> source line (emitted after the body).
    std::vector<uint32_t> stubs;

    // Makes this an empty MFunc again but keeps the capacity of the vectors (blocks keep
    // theirs too): compile() passes one MFunc through every function of a module.
    void reset() {
        ir = nullptr;
        for (MBlock& b : blocks) {
            b.insts.clear(), b.phis.clear(), b.jumps.clear(), b.succs.clear(), b.preds.clear();
            b.ir_id = 0;
        }
        vclass.clear();
        phi_args.clear();
        frame_size = out_args = in_args = 0;
        used_callee = 0;
        stubs.clear();
    }
    uint32_t new_vreg(RegClass c) {
        vclass.push_back(c);
        return kFirstVReg + (uint32_t)vclass.size() - 1;
    }
    uint32_t alloc_frame(uint32_t size, uint32_t align) {
        if (align < 1) align = 1;
        frame_size = (frame_size + size + align - 1) / align * align;
        return frame_size; // the slot is at frame-relative displacement -frame_size
    }
};

// A target: data the shared passes read, and hooks for the target-specific passes.
struct Target {
    const char* name;
    obj::Arch arch;
    std::vector<uint32_t> int_order;   // allocatable integer registers, preferred first
    std::vector<uint32_t> float_order; // allocatable float registers, preferred first
    uint64_t callee_saved;             // mask of callee-saved registers
    uint32_t spill_scratch[2][2];      // [class][k]: reserved for spill reloads/stores
    uint32_t frame_reg;                // base register of frame slots (rbp)
    // Hooks.
    bool (*isel)(const Target&, const ir::Module&, const ir::Func&, MFunc&, Diag&);
    // A move between two locations of one class (register, frame memory or immediate);
    // used by the register allocator for spill code and phi copies.
    MInst (*move)(const Operand& dst, const Operand& src, RegClass cls);
    // Recognizes a plain register-to-register copy (for coalescing hints).
    bool (*is_copy)(const MInst&);
};

// regalloc.cpp: liveness, linear scan, spill/phi rewrite. Leaves only physical registers.
void regalloc(const Target& t, MFunc& f);

// The same, keeping the allocator's working buffers from one function to the next:
// compiling a module with one RegAllocator avoids a round of malloc/free per function.
// Liveness is computed with bit vectors (blocks x values that cross blocks) while they
// stay small, else one value at a time, so that big functions take time and memory in
// proportion to their size. Both give the same result; tests force one or the other.
enum class Liveness : uint8_t { Auto, Dense, Sparse };
constexpr uint64_t kDenseLivenessWords = 1u << 16; // blocks x 64-bit words per set, at most

namespace radetail { struct Alloc; }
class RegAllocator {
public:
    RegAllocator();
    ~RegAllocator();
    RegAllocator(const RegAllocator&) = delete;
    RegAllocator& operator=(const RegAllocator&) = delete;
    void run(const Target& t, MFunc& f);
    void set_liveness(Liveness mode); // (for tests)

private:
    radetail::Alloc* a_;
};

} // namespace codegen

namespace x64 {

extern const codegen::Target kSysV;

// Compiles every function and global of m into o (.text, .rodata, .data, .bss,
// lang_funcs). Returns false after reporting through diag when something cannot be
// compiled (an internal compiler error). Functions are compiled on `jobs` threads
// (0: one per core, fewer for small modules); the object is the same for any count.
bool compile(const ir::Module& m, obj::Object& o, Diag& diag, int jobs = 0);

// The same, fed one function at a time while the module is still being built (the driver
// lowers the next functions while earlier ones compile). add() the functions in module
// order; each must be complete and never change again. finish() compiles what is left,
// waits for the workers and writes everything (the globals too, so they must be complete
// by then) into o. The object is the same as compile()'s.
//
// `done`, when given, is called with add()'s tag once a function is compiled (on the
// thread that compiled it); the function is never read again, so its memory may go.
// When many added functions wait, add() compiles the oldest itself: the adding thread
// shares the work, and the functions waiting (and their memory) stay few.
class Codegen {
public:
    Codegen(const ir::Module& m, int jobs, std::function<void(void*)> done = nullptr); // jobs: 0 = one per core
    ~Codegen();
    Codegen(const Codegen&) = delete;
    Codegen& operator=(const Codegen&) = delete;
    void add(const ir::Func& f, void* tag = nullptr);
    bool finish(obj::Object& o, Diag& diag);

private:
    struct Impl;
    Impl* impl_;
};

// Intel-syntax assembly of the module, printed from the same machine code the encoder
// turns into bytes (for `lang build --emit asm`).
std::string print_asm(const ir::Module& m);

} // namespace x64
} // namespace lang
