// compilation.h: the compilation context passed to every stage.
//
// There is no global mutable state in the compiler: everything a stage needs (arena,
// identifier table, sources, diagnostics, types, options, the parsed files) lives here,
// and one Compilation is one run of the pipeline.
#pragma once
#include "common/arena.h"
#include "common/diag.h"
#include "common/intern.h"
#include "sema/types.h"
#include <string>
#include <vector>

namespace lang {

struct FileAst;

struct Options {
    int opt_level = 0;          // -O0 / -O1
    bool debug_checks = true;   // overflow/bounds checks (debug builds); always on for now
    std::string dump_after;     // --dump-after=<pass>: print IR after that pass
    // `lang test`: test blocks become functions and lang_main runs them (sema/tests.cpp,
    // ir/lower_tests.cpp); every other build ignores test blocks.
    bool test_build = false;
};

struct Compilation {
    Arena arena;
    // Interned identifiers and decoded string literals live in their own arena: the
    // lexer fills it from its own thread while the parser allocates AST nodes in `arena`
    // (see parse/parser.cpp).
    Arena names;
    Interner interner{names};
    SourceManager sources;
    Diag diag{sources};
    TypeTable types{arena};
    Options opts;
    std::vector<FileAst*> files; // parsed files of the program, in load order
    std::vector<std::string> link_libs; // [Link("m")] on extern blocks: linked with -lm (sema/ffi.cpp)
    bool preludes_added = false;        // add_preludes ran (sema/prelude.cpp)

    Compilation() = default;
    Compilation(const Compilation&) = delete;
    Compilation& operator=(const Compilation&) = delete;
};

} // namespace lang
