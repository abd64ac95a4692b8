// emit_impl.h: what the x86-64 back end's files share (not a public interface).
//
//   emit.cpp    one function: isel -> regalloc -> final code -> relaxation -> bytes
//   queue.cpp   the Codegen work queue and its worker threads
//   merge.cpp   a worker's output (Chunk), and merging every chunk into the object
#pragma once
#include "codegen/x64/x64.h"
#include "common/diag.h"
#include "obj/object.h"

#include <string>
#include <utility>
#include <vector>

namespace lang::x64::emitdetail {

struct Code {
    std::vector<MInst> insts;
    std::vector<int32_t> label_of; // label id -> index of the first instruction after it
    std::vector<int32_t> label_at; // instruction index -> label id placed before it (-1)
    uint32_t nlabels = 0;
    // Scratch of finish(), kept here so that its buffers are reused across functions.
    std::vector<uint8_t> skip;
    std::vector<std::pair<uint8_t, uint32_t>> jumps;
};


struct Assembled {
    std::vector<uint8_t> bytes;
    std::vector<std::pair<uint32_t, uint32_t>> lines; // offset, line
    struct Fix {
        uint32_t off;
        const char* sym;
        obj::RelocKind kind;
        int64_t addend;
    };
    std::vector<Fix> relocs;
    // Scratch of assemble(), kept here so that its buffers are reused across functions.
    struct Branch {
        uint32_t at;     // offset with every branch short
        uint32_t target; // instruction index of the target label
        uint8_t form;    // condition code, 16: jmp
        uint8_t grow;    // 0: short; else bytes added by the long form
    };
    std::vector<Branch> branches;
    std::vector<std::pair<uint32_t, uint32_t>> pos; // per instruction: short offset, branches before
    std::vector<uint32_t> grown; // grown[k]: bytes added by the long branches before branch k
    EncodeCache enc_cache;
    EncodeMemo enc_memo;
};


// Turns an allocated MFunc into the final instruction list (emit.cpp).
void finish(const MFunc& f, Code& c);
// Branch relaxation, then encoding. Returns false if an instruction has no encoding.
bool assemble(Code& c, Assembled& out, std::string* bad);
// Isel and register allocation of one function; `ib` and `ra` carry reusable buffers.
bool lower_func(const ir::Module& m, const ir::Func& f, MFunc& mf, IselBuffers& ib, codegen::RegAllocator& ra,
                Diag& diag);

// What one worker produced: the machine code of the functions it took from the queue,
// back to back, each 16-byte aligned within `text`. The merge copies every function to
// a 16-byte aligned offset of .text in module order, so the object is the same as if one
// thread had compiled every function in order, whatever the number of workers.
struct Chunk {
    struct Fn {
        uint32_t index; // position in the module's function order
        uint32_t start, size;
        uint32_t reloc_begin, reloc_end, line_begin, line_end; // this function's entries
    };
    std::vector<uint8_t> text;
    std::vector<Fn> fns;
    std::vector<Assembled::Fix> relocs; // offsets relative to the function's start
    std::vector<std::pair<uint32_t, uint32_t>> lines; // (offset in the function, line)
    std::string errors; // internal errors, captured (reported in order after the join)
    bool ok = true;
};

// A worker's buffers, reused from one function to the next.
struct Worker {
    Chunk out;
    SourceManager no_sources; // codegen errors carry no source location
    Diag diag{no_sources};
    Code code;
    Assembled a;
    codegen::RegAllocator ra;
    IselBuffers ib;
    MFunc mf;
    uint8_t int3;
    Worker() {
        diag.capture = &out.errors;
        Encoded e;
        encode(Mn::int3, 0, nullptr, 0, e);
        int3 = e.bytes[0];
    }

    void compile_one(const ir::Module& m, const ir::Func& f, uint32_t index);
};

// Writes every chunk's functions in module order, then the module's globals, into o
// (merge.cpp). `order` is the module's function list as handed to the queue.
bool merge(const ir::Module& m, const std::vector<const ir::Func*>& order,
           const std::vector<Worker*>& workers, obj::Object& o, Diag& diag);

} // namespace lang::x64::emitdetail
