// c_abi.h: how the target's C calling convention passes a struct by value (spec 10.9,
// [C] structs). Lowering asks, and splits the struct into the scalar parts the target
// names; the rules themselves live with the target (x64/abi.cpp: System V).
#pragma once
#include "ir/ir.h"

#include <cstdint>

namespace lang::codegen {

// One scalar leaf of a struct (nested structs flattened): its byte offset and size, and
// whether it is a floating-point value.
struct CField {
    uint32_t offset = 0, size = 0;
    bool is_float = false;
};

// memory: the struct goes in memory (an argument: its eightbytes on the stack; a result:
// through a hidden pointer the caller passes first). Otherwise it travels
// in n registers: part k is the 8 bytes at offset 8k, as ty[k] (I64 or F64), read from or
// written to a zero-padded 16-byte copy.
struct CStructAbi {
    bool memory = false;
    uint32_t n = 0;
    ir::Ty ty[2] = {ir::Ty::I64, ir::Ty::I64};
};

CStructAbi c_struct_abi(const CField* fields, uint32_t nfields, uint32_t size);

// Whether a struct argument in registers still fits after earlier arguments took
// `ints` integer and `floats` vector registers (else the target passes all of it on the
// stack).
bool c_struct_fits(const CStructAbi& a, uint32_t ints, uint32_t floats);

} // namespace lang::codegen
