// lower.h: lowering from the sema-checked AST to the SSA IR (ir/ir.h).
//
// lower_program() turns every function, method and constructor of Compilation::files into
// an ir::Func, string literals and type infos into ir::Globals, and emits the entry
// `lang_main(ptr ctx, ptr args) -> i64`. SSA is built directly (Braun et al. 2013): scalar
// locals never touch memory; aggregates live in stack slots. See doc/lowering.md.
// Returns false (after reporting through c.diag) when a construct cannot be lowered yet.
#pragma once

namespace lang {

struct Compilation;
namespace ir { struct Module; }

bool lower_program(Compilation& c, ir::Module& m);

} // namespace lang
