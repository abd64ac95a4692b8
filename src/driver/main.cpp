// main.cpp: the `lang` command line (CLI11). Parses arguments and hands a request to the
// pipeline; nothing else lives here.
//
//   lang build PATH [-o OUT] [-O0|-O1] [--emit tokens|ast|ir|asm|obj|exe|header] [--dump-after PASS] [-j N]
//              [-Werror] [-w]
//   lang run FILE|DIR [-O1] [-- ARGS...]
//   lang test [FILE|DIR] [--filter TEXT] [-O1]
//   lang version
// Exit statuses (also in --help, README and spec 13): 0 ok, 1 compile errors, 2 usage or
// I/O errors, 3 internal compiler error; `lang run` passes the program's status through;
// `lang test` exits 1 when a test failed.
#include "driver/pipeline.h"
#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>

#ifndef LANG_VERSION
#define LANG_VERSION "0.1.0"
#endif

int main(int argc, char** argv) {
    CLI::App app{"lang: the Lang compiler", "lang"};
    app.require_subcommand(1);
    app.footer("Exit status: 0 success; 1 compile errors; 2 usage or I/O errors (bad arguments, a\n"
               "file that cannot be read or written); 3 internal compiler error. `lang run` returns\n"
               "the program's own status: its Main's result, 101 after a panic. `lang test` exits 1\n"
               "when a test failed (0 when all passed).\n"
               "Source files larger than 64 MiB, and paths that are not regular files or folders,\n"
               "are refused. Without -o, `lang build dir/f.lang` writes ./f and `lang build myprog/`\n"
               "writes ./myprog (myprog/myprog when ./myprog is the folder itself).");
    app.set_version_flag("--version", LANG_VERSION);

    lang::BuildRequest req;
    std::string emit = "exe";
    int opt = 0;
    auto* b = app.add_subcommand("build", "compile a file or folder");
    b->add_option("path", req.input, "a .lang file or a folder of them")->required();
    b->add_option("-o", req.output, "output file (default: derived from the input; '-' = stdout for text)");
    b->add_option("-O", opt, "optimization level: -O0 (default) or -O1; -O2 is accepted and does what -O1 does")
        ->check(CLI::Range(0, 2));
    b->add_option("--emit", emit, "stop after a stage and write its output")
        ->check(CLI::IsMember({"tokens", "ast", "ir", "asm", "obj", "exe", "header"}));
    b->add_option("--dump-after", req.dump_after, "print the IR after a pass (lower, tailcall, fold, copyprop, dce)");
    b->add_flag("--time", req.timings, "print how long each stage took");
    b->add_option("-j,--jobs", req.jobs, "code generation threads (default: one per core; the output is the same)")
        ->check(CLI::Range(1, 64));

    std::string werror;
    b->add_option("-W", werror, "-Werror: report warnings as errors (the build fails)")->check(CLI::IsMember({"error"}));
    b->add_flag("-w", req.no_warnings, "do not print warnings");

    std::string run_input;
    std::vector<std::string> run_args;
    int run_opt = 0;
    auto* r = app.add_subcommand("run", "compile and run a program; arguments after -- go to the program");
    r->add_option("path", run_input, "a .lang file or folder")->required();
    r->add_option("-O", run_opt, "optimization level (as for build; -O2 = -O1)")->check(CLI::Range(0, 2));
    r->add_option("args", run_args, "program arguments (after --)");

    std::string test_input = ".", test_filter;
    int test_opt = 0;
    auto* t = app.add_subcommand("test", "compile the program with its test blocks and run them (not Main)");
    t->add_option("path", test_input, "a .lang file or folder (default: the current folder)");
    t->add_option("--filter", test_filter, "run only the tests whose name contains this text");
    t->add_option("-O", test_opt, "optimization level (as for build; -O2 = -O1)")->check(CLI::Range(0, 2));

    app.add_subcommand("version", "print the compiler version");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0; every usage error exits 2 (CLI11's own codes
        // 105, 106, ... are not part of our interface).
        return app.exit(e) == 0 ? 0 : 2;
    }

    if (app.got_subcommand("version")) {
        printf("lang %s (x86_64-linux)\n", LANG_VERSION);
        return 0;
    }
    if (app.got_subcommand("run")) return lang::run(run_input, run_opt, run_args);
    if (app.got_subcommand("test")) return lang::test(test_input, test_opt, test_filter);

    static const std::map<std::string, lang::Emit> kEmit = {
        {"tokens", lang::Emit::Tokens}, {"ast", lang::Emit::Ast}, {"ir", lang::Emit::Ir},
        {"asm", lang::Emit::Asm},       {"obj", lang::Emit::Obj}, {"exe", lang::Emit::Exe},
        {"header", lang::Emit::Header},
    };
    req.emit = kEmit.at(emit);
    req.opt_level = opt;
    req.exit_when_done = true;
    req.warnings_as_errors = werror == "error";
    return lang::build(req);
}
