// x64.h: shared declarations of the x86-64 backend files (not a public interface).
//
// Register numbers: 0..15 are rax..r15 in hardware order, 16..31 are xmm0..xmm15.
// Mnemonics come from encodings.inc; pseudo instructions (never encoded) follow them
// and are expanded by emit.cpp.
#pragma once
#include "codegen/target.h"

#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string>
#include <type_traits>

namespace lang::x64 {

using codegen::MFunc;
using codegen::MInst;
using codegen::Operand;
using codegen::kNoReg;

enum Reg : uint32_t {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15,
    XMM0, XMM1, XMM2, XMM3, XMM4, XMM5, XMM6, XMM7,
    XMM8, XMM9, XMM10, XMM11, XMM12, XMM13, XMM14, XMM15,
};
inline bool is_xmm(uint32_t r) { return r >= XMM0 && r <= XMM15; }

enum Mn : uint16_t {
#define MN(id, name) id,
#include "codegen/x64/encodings.inc"
#undef MN
    kNumEncoded,
    // pseudo instructions
    p_entry = kNumEncoded, // defines the incoming argument registers (imp_def)
    p_ret,                 // epilogue + ret (imp_use: result register)
    p_tail,                // epilogue + jmp o[0] (Sym)
    kNumMn,
};
const char* mn_name(uint16_t op);

// Condition codes in hardware order (the low nibble of jcc/setcc/cmovcc).
enum Cond : uint8_t { O, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G };
inline uint8_t invert(uint8_t cc) { return cc ^ 1; }
const char* cond_name(uint8_t cc);

// --- encode.cpp ---
// Operand classes of the encoding table (the operand columns of encodings.inc).
namespace cls {
enum OpClass : uint8_t {
    NONE, R8, R16, R32, R64, RM8, RM16, RM32, RM64, M, XMM, XMM_M32, XMM_M64,
    IMM8, IMM8S, IMM16, IMM32, IMM32S, IMM64, ONE, CL, AL, AX, EAX, RAX, REL8, REL32,
};
}
// Operand encodings (the op/en column).
enum class En : uint8_t { ZO, O, OI, M, MI, M1, MC, MR, RM, RMI, I, D };
struct Encoded {
    uint8_t bytes[16];
    uint8_t len = 0;
    int8_t fix_off = -1;  // offset of the rel32/disp32 field that needs a reloc or a label
    uint8_t fix_size = 0; // 1 or 4
    uint8_t fix_tail = 0; // bytes after the field (RIP-relative addend adjustment)
};
// Encodes one instruction with physical operands. Label operands must carry their
// width in Operand::size (1: rel8, 4: rel32). Returns false when no row matches.
bool encode(uint16_t op, uint8_t cc, const Operand* ops, int n, Encoded& out);
// Remembers which row encode() picked for a (mnemonic, operand classes) combination.
// The rows that match depend only on the operands' classes, and so does which of them
// is shortest (see encode.cpp), so the answer can be reused for every later instruction
// of the same shape: one row is encoded instead of every candidate. Direct-mapped: a
// collision just replaces the entry.
struct EncodeCache {
    struct Entry {
        uint32_t m[3];
        uint16_t op = UINT16_MAX; // UINT16_MAX: empty
        int16_t row = -1;
    };
    Entry e[1024];
};
bool encode(uint16_t op, uint8_t cc, const Operand* ops, int n, Encoded& out, EncodeCache& cache);
// The same, writing the bytes straight to dst (room for 16 bytes): returns the length, 0
// when no row matches. `fix` gets the fix_* fields of Encoded.
struct EncodedFix {
    int8_t fix_off = -1;
    uint8_t fix_size = 0;
    uint8_t fix_tail = 0;
};
int encode_into(uint16_t op, uint8_t cc, const Operand* ops, int n, uint8_t* dst, EncodedFix& fix,
                EncodeCache& cache);
// Whole instructions already encoded: the same mnemonic, condition code and operands (all
// their fields, compared as raw bytes) give the same bytes, and compiled code repeats
// itself a lot (frame loads and stores, calls, moves between the same registers): a hit
// costs a hash and a compare instead of classifying the operands and encoding a row.
// Two-way set-associative: an instruction may sit in its slot or the slot's neighbour
// (slot ^ 1). A miss puts the new entry in the slot and moves the old one to the
// neighbour, so two frequent instructions that hash to one slot (every prologue's
// `push r12` and a common register move did) stay together instead of evicting each
// other.
struct EncodeMemo {
    struct Entry {
        uint32_t key = UINT32_MAX; // op | cc << 16 | operand count << 24 (UINT32_MAX: empty)
        uint8_t len = 0;
        EncodedFix fix;
        uint8_t bytes[16];
        Operand o[3];
    };
    Entry e[1024];
};
// encode_into() through the memo (same result, same arguments; dst needs 16 bytes of room
// even for a shorter instruction). The hit path is inline (it runs once per instruction);
// a miss calls encode.cpp.
namespace encdetail {
template <int N>
int encode_memo_miss(uint32_t key, uint16_t op, uint8_t cc, const Operand* ops, uint8_t* dst, EncodedFix& fix,
                     EncodeCache& cache, EncodeMemo::Entry& e, EncodeMemo::Entry& other);

// encode_memo() for n operands (a constant: the hash and the compare are unrolled word
// operations).
template <int N>
[[gnu::always_inline]] inline int encode_memo_n(uint16_t op, uint8_t cc, const Operand* ops, uint8_t* dst,
                                                EncodedFix& fix, EncodeCache& cache, EncodeMemo& memo) {
    static_assert(sizeof(Operand) % 8 == 0 && std::has_unique_object_representations_v<Operand>,
                  "operands are hashed and compared as raw 8-byte words");
    constexpr int nw = N * (int)(sizeof(Operand) / 8);
    const char* raw = (const char*)ops;
    uint32_t key = op | (uint32_t)cc << 16 | (uint32_t)N << 24;
    uint64_t h = key;
#pragma GCC unroll 12
    for (int i = 0; i < nw; i++) {
        uint64_t x;
        std::memcpy(&x, raw + 8 * i, 8);
        h = (h ^ x) * 0x9E3779B97F4A7C15ull;
    }
    static_assert((std::size(EncodeMemo{}.e) & (std::size(EncodeMemo{}.e) - 1)) == 0);
    size_t slot = h >> (64 - std::countr_zero(std::size(memo.e))); // the best-mixed bits
    auto same = [&](const EncodeMemo::Entry& e) __attribute__((always_inline)) {
        if (e.key != key) return false;
        const char* have = (const char*)e.o;
        uint64_t diff = 0;
#pragma GCC unroll 12
        for (int i = 0; i < nw; i++) {
            uint64_t a, b;
            std::memcpy(&a, have + 8 * i, 8);
            std::memcpy(&b, raw + 8 * i, 8);
            diff |= a ^ b;
        }
        return !diff;
    };
    const EncodeMemo::Entry* hit = same(memo.e[slot])       ? &memo.e[slot]
                                   : same(memo.e[slot ^ 1]) ? &memo.e[slot ^ 1]
                                                            : nullptr;
    if (hit) {
        std::memcpy(dst, hit->bytes, sizeof hit->bytes);
        fix = hit->fix;
#ifndef NDEBUG
        uint8_t check[16];
        EncodedFix cf;
        int len = encode_into(op, cc, ops, N, check, cf, cache);
        assert(len == hit->len && std::memcmp(check, dst, len) == 0 && cf.fix_off == fix.fix_off &&
               cf.fix_size == fix.fix_size && cf.fix_tail == fix.fix_tail);
#endif
        return hit->len;
    }
    return encode_memo_miss<N>(key, op, cc, ops, dst, fix, cache, memo.e[slot], memo.e[slot ^ 1]);
}

} // namespace encdetail

[[gnu::always_inline]] inline int encode_memo(uint16_t op, uint8_t cc, const Operand* ops, int n, uint8_t* dst,
                                              EncodedFix& fix, EncodeCache& cache, EncodeMemo& memo) {
    using namespace encdetail;
    switch (n) {
    case 0: return encode_memo_n<0>(op, cc, ops, dst, fix, cache, memo);
    case 1: return encode_memo_n<1>(op, cc, ops, dst, fix, cache, memo);
    case 2: return encode_memo_n<2>(op, cc, ops, dst, fix, cache, memo);
    case 3: return encode_memo_n<3>(op, cc, ops, dst, fix, cache, memo);
    default: return encode_into(op, cc, ops, n, dst, fix, cache);
    }
}

// For the sweep test: number of rows, and a description of row i.
int encoding_rows();
struct RowInfo {
    uint16_t op;
    En enc;
    uint8_t cls[3];
    uint8_t flags; // kRowW | kRowCC
};
constexpr uint8_t kRowW = 1, kRowCC = 2;
RowInfo encoding_row(int i);
// Encodes with row i only (the sweep test exercises every row).
bool encode_with_row(int i, uint8_t cc, const Operand* ops, Encoded& out);


// --- abi.cpp: SysV x86-64 ---
// Where argument k goes: a register, or the stack at byte offset `stack` from the first
// stack argument (rsp at the call, rbp+16 in the callee).
struct ArgLoc {
    uint32_t reg = codegen::kNoReg;
    uint32_t stack = 0;
};
// Classifies n arguments of the given types; returns the bytes of stack arguments.
// Arguments whose bit is set in on_stack go on the stack whatever their type (the
// eightbytes of a C struct that System V passes in memory).
uint32_t classify_args(const ir::Ty* tys, uint32_t n, ArgLoc* out, uint64_t on_stack = 0);
uint32_t result_reg(ir::Ty t);          // rax or xmm0
uint32_t vector_args(const ArgLoc* loc, uint32_t n); // AL for a variadic call
uint64_t caller_saved_mask();           // registers a call clobbers
inline uint64_t bit(uint32_t r) { return 1ull << r; }

// --- isel.cpp ---
bool isel(const codegen::Target& t, const ir::Module& m, const ir::Func& f, MFunc& mf, Diag& diag);
// The same, keeping isel's per-function tables in `buf` from one function to the next.
struct IselBuffers {
    struct Impl;
    Impl* impl;
    IselBuffers();
    ~IselBuffers();
    IselBuffers(const IselBuffers&) = delete;
    IselBuffers& operator=(const IselBuffers&) = delete;
};
bool isel(const codegen::Target& t, const ir::Module& m, const ir::Func& f, MFunc& mf, Diag& diag,
          IselBuffers& buf);

// --- emit.cpp ---
const char* reg_name(uint32_t r, int size);
// Prints one physical instruction in Intel syntax (labels as .L<func>_<n>).
std::string format_inst(const MInst& in, const char* func_name);

} // namespace lang::x64
