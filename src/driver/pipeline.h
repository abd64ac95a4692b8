// pipeline.h: the whole compiler on one screen.
//
// compile() runs source -> tokens -> AST -> typed AST -> IR -> passes -> machine code ->
// object file -> executable, stopping at the stage named by `emit`. Every stage reports
// through Compilation::diag; the pipeline stops after the first stage with errors, and
// no output file is written then (outputs go to a temporary name and are renamed only
// on success).
#pragma once
#include <string>
#include <vector>

namespace lang {

enum class Emit { Tokens, Ast, Ir, Asm, Obj, Exe, Header };

struct BuildRequest {
    std::string input;          // a .lang file or a folder of them
    std::string output;         // "" = default (stdout for text stages, derived name otherwise)
    Emit emit = Emit::Exe;
    int opt_level = 0;
    std::string dump_after;     // print the IR after this pass ("lower" = right after lowering)
    bool timings = false;       // print the time each stage took (stderr)
    int jobs = 0;               // code generation threads (0: one per core)
    bool exit_when_done = false; // on success, end the process right after writing the output
    bool warnings_as_errors = false; // -Werror
    bool no_warnings = false;        // -w
    bool test = false;               // `lang test`: compile the test blocks; lang_main runs them, not Main
};

// Returns the process exit status: 0 on success, 1 on compile errors, 2 on usage/IO errors.
int build(const BuildRequest& req);

// Builds an executable in a temporary directory, runs it with `args`, deletes it and
// returns the program's exit status (or 1 if compilation failed).
int run(const std::string& input, int opt_level, const std::vector<std::string>& args);

// `lang test`: builds the program with its test blocks in a temporary directory, runs
// the tests (those whose name contains `filter`, when it is not empty) and returns the
// runner's status: 0 when all passed, 1 when one failed (or compilation failed), 101
// after a panic outside a test's own thread.
int test(const std::string& input, int opt_level, const std::string& filter);

// `--emit header`: the C declarations of the program's export "C" functions and the
// [C] structs they use, with an include guard named after out_path (c_header.cpp).
struct Compilation;
std::string c_header(Compilation& c, const std::string& out_path);

// Finds liblangrt.a next to the compiler (build tree) or in ../lib/runtime (install tree).
std::string find_runtime(std::string* err);

} // namespace lang
