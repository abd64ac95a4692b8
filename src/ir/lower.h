// lower.h: lowering from the sema-checked AST to the SSA IR (ir/ir.h).
//
// lower_program() turns every function, method and constructor of Compilation::files into
// an ir::Func, string literals and type infos into ir::Globals, and emits the entry
// `lang_main(ptr ctx, ptr args) -> i64`. SSA is built directly (Braun et al. 2013): scalar
// locals never touch memory; aggregates live in stack slots. See doc/lowering.md.
// Returns false (after reporting through c.diag) when a construct cannot be lowered yet.
//
// `ready`, when given, is called with each function as soon as it is complete, in
// m.funcs order. Lowering never changes a function after handing it out, so the callee
// may run passes on it and give it to code generation on other threads while lowering
// goes on (see src/driver/pipeline.cpp).
//
// `before`, when given, is called with each function declaration just before it is
// lowered; the driver checks that body there (sema's ProgramCheck), so checking, lowering
// and code generation overlap. When it returns false (the body had errors) lowering
// stops and lower_program returns false.
#pragma once
#include <functional>

namespace lang {

struct Compilation;
struct FuncDecl;
namespace ir { struct Func; struct Module; }

bool lower_program(Compilation& c, ir::Module& m, const std::function<void(ir::Func&)>& ready = nullptr,
                   const std::function<bool(FuncDecl*)>& before = nullptr);

} // namespace lang
