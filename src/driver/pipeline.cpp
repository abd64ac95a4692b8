// pipeline.cpp: runs the stages in order (see pipeline.h).
//
// The optimization passes are a table (kPasses) in the order they run; each row says
// from which -O level it runs. Ordering constraints between passes are listed with their
// reasons in kPassOrder and checked at compile time. In debug builds of the compiler
// (no NDEBUG) the IR verifier runs after lowering and after every pass.
#include "driver/pipeline.h"
#include "driver/body_arenas.h"
#include "codegen/target.h"
#include "common/compilation.h"
#include "ir/ir.h"
#include "ir/lower.h"
#include "lex/lexer.h"
#include "obj/object.h"
#include "parse/ast.h"
#include "parse/parser.h"
#include "sema/prelude.h"
#include "sema/sema.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <string_view>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace lang {

namespace {

struct Pass {
    const char* name;
    void (*run)(ir::Module&, ir::Func&);
    int min_opt; // runs at -O<min_opt> and above
};

constexpr Pass kPasses[] = {
    {"tailcall", ir::mark_tailcalls, 0}, // guaranteed by the language: runs at every level
    {"cse", ir::cse, 1},
    {"fold", ir::fold, 1},
    {"copyprop", ir::copyprop, 1},
    {"dce", ir::dce, 1},
    {"preempt", ir::insert_preempt_checks, 0}, // preemption points (src/ir/preempt.cpp), every level
};

struct Order {
    const char* before;
    const char* after;
    const char* why;
};
constexpr Order kPassOrder[] = {
    {"cse", "fold", "a branch on a condition cse knows gets a constant that fold turns into a jump"},
    {"fold", "copyprop", "folding turns instructions into copies of constants that copyprop forwards"},
    {"copyprop", "dce", "forwarded copies leave dead definitions behind for dce to remove"},
    {"dce", "preempt", "checks are placed on the final control flow (dce removes unreachable loops)"},
};

constexpr bool str_eq(const char* a, const char* b) {
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}
constexpr int pass_index(const char* name) {
    for (size_t i = 0; i < sizeof kPasses / sizeof kPasses[0]; i++)
        if (str_eq(kPasses[i].name, name)) return (int)i;
    return -1;
}
constexpr bool order_holds() {
    for (const Order& o : kPassOrder)
        if (pass_index(o.before) < 0 || pass_index(o.after) < 0 || pass_index(o.before) > pass_index(o.after))
            return false;
    return true;
}
static_assert(order_holds(), "kPasses violates a constraint in kPassOrder");

using Clock = std::chrono::steady_clock;

// --time: wall time of each stage, how much arena memory the compilation holds after it
// and the process's peak resident memory so far (fresh memory costs a page fault per page).
struct Timer {
    bool on;
    const Compilation& c;
    Clock::time_point t0 = Clock::now();
    void lap(const char* stage) {
        if (!on) return;
        auto t1 = Clock::now();
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru); // ru_maxrss: KiB on Linux
        fprintf(stderr, "  %-18s %8.2f ms  arena %6.1f MiB  peak rss %6.1f MiB\n", stage,
                std::chrono::duration<double, std::milli>(t1 - t0).count(),
                (c.arena.bytes_allocated() + c.names.bytes_used()) / 1048576.0, ru.ru_maxrss / 1024.0);
        t0 = t1;
    }
};

bool collect_inputs(const std::string& path, std::vector<std::string>& files, std::string* err) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec))
            if (it->is_regular_file() && it->path().extension() == ".lang") files.push_back(it->path().string());
        std::sort(files.begin(), files.end());
        if (files.empty()) *err = "no .lang files in folder '" + path + "'";
        return !files.empty();
    }
    if (!fs::exists(path, ec)) {
        *err = "cannot open '" + path + "': no such file or directory";
        return false;
    }
    files.push_back(path);
    return true;
}

// Puts the finished temporary file in place of path. The old file is removed first: ext4
// (auto_da_alloc) flushes a file that replaces another by rename to the disk at once,
// which costs more than writing a big object.
static bool replace_file(const std::string& tmp, const std::string& path) {
    unlink(path.c_str());
    return rename(tmp.c_str(), path.c_str()) == 0;
}

// Each returns false with errno set by the call that failed.
bool write_file(const std::string& path, const void* data, size_t n) {
    std::string tmp = path + ".tmp" + std::to_string(getpid());
    FILE* f = fopen(tmp.c_str(), "wb");
    if (!f) return false;
    bool ok = fwrite(data, 1, n, f) == n;
    int e = ok ? 0 : errno;
    if (fclose(f) != 0 && ok) ok = false, e = errno;
    if (ok && !replace_file(tmp, path)) ok = false, e = errno;
    if (!ok) {
        unlink(tmp.c_str());
        errno = e;
    }
    return ok;
}

void report_write_error(const std::string& shown, int e) {
    fprintf(stderr, "lang: error: cannot write '%s': %s\n", shown.c_str(), strerror(e));
}

// Writes o as an ELF object to path through a temporary file renamed at the end, so on any
// error no partial output remains (an old file at path is then gone or unchanged).
// Returns 0, or 3 when the model cannot be represented (an internal error, reported), or 2
// when the file cannot be written (reported, naming `shown`: the user's output path, not
// the temporary file).
int write_object(const std::string& path, const obj::Object& o, const std::string& shown) {
    std::string tmp = path + ".tmp" + std::to_string(getpid()), err;
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    int e = fd < 0 ? errno : 0;
    bool io_error = true;
    bool ok = fd >= 0 && obj::write_elf(o, fd, &err, &io_error);
    if (!ok && fd >= 0 && io_error) e = errno;
    if (fd >= 0 && close(fd) != 0 && ok) ok = false, io_error = true, e = errno;
    if (ok && !replace_file(tmp, path)) ok = false, io_error = true, e = errno;
    if (ok) return 0;
    if (fd >= 0) unlink(tmp.c_str());
    if (!io_error) {
        fprintf(stderr, "lang: internal compiler error: %s\n", err.c_str());
        return 3;
    }
    report_write_error(shown, e ? e : EIO);
    return 2;
}

int write_text(const std::string& out, const std::string& text) {
    if (out.empty() || out == "-") {
        fwrite(text.data(), 1, text.size(), stdout);
        return 0;
    }
    if (write_file(out, text.data(), text.size())) return 0;
    report_write_error(out, errno);
    return 2;
}

int spawn_wait(const std::vector<std::string>& argv) {
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        execvp(a[0], a.data());
        fprintf(stderr, "lang: error: cannot run '%s': %s\n", a[0], strerror(errno));
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return 1;
}

// The output when there is no -o (spec 13): for a file `dir/hello.lang`, `hello` (or
// `hello.o`) in the current directory. For a folder, its name in the current directory,
// like `go build`; when that name is the folder itself or another directory (building
// `myprog/` from its parent), the executable goes inside the folder: `myprog/myprog`.
std::string default_output(const std::string& input, Emit emit) {
    std::error_code ec;
    fs::path p(input);
    if (!fs::is_directory(p, ec)) {
        std::string stem = p.stem().string();
        if (stem.empty()) stem = "a";
        return emit == Emit::Obj ? stem + ".o" : stem;
    }
    fs::path abs = fs::weakly_canonical(fs::absolute(p, ec), ec);
    std::string name = abs.filename().string();
    if (name.empty() || name == "/" || name == "." || name == "..") name = "a";
    if (emit == Emit::Obj) name += ".o";
    if (fs::is_directory(name, ec)) return (p / name).string();
    return name;
}

// Refuses an output path that names one of the inputs (or the input folder) by file
// identity, so `-o ./x.lang`, a symlink or a hard link to the source are caught too; and
// an output that is a directory. Returns 0 or 2 (reported).
int check_output(const std::string& out, const std::string& input, const std::vector<std::string>& inputs) {
    struct stat os;
    if (stat(out.c_str(), &os) != 0) return 0; // does not exist yet: nothing to overwrite
    auto same = [&](const std::string& path) {
        struct stat is;
        return stat(path.c_str(), &is) == 0 && is.st_dev == os.st_dev && is.st_ino == os.st_ino;
    };
    for (const std::string& in : inputs) {
        if (!same(in)) continue;
        fprintf(stderr, "lang: error: the output '%s' is the input file '%s': choose another -o\n", out.c_str(),
                in.c_str());
        return 2;
    }
    if (S_ISDIR(os.st_mode)) {
        if (same(input))
            fprintf(stderr, "lang: error: the output '%s' is the input folder: choose another -o\n", out.c_str());
        else
            fprintf(stderr, "lang: error: cannot write '%s': it is a directory\n", out.c_str());
        return 2;
    }
    return 0;
}

bool dump_requested(const BuildRequest& req, const char* pass) { return req.dump_after == pass; }

} // namespace

std::string find_runtime(std::string* err) {
    if (const char* env = getenv("LANG_RUNTIME")) return env;
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) {
        buf[n] = 0;
        fs::path dir = fs::path(buf).parent_path();
        for (fs::path cand : {dir / "liblangrt.a", dir / ".." / "lib" / "runtime" / "liblangrt.a"})
            if (fs::exists(cand)) return cand.lexically_normal().string();
    }
    *err = "cannot find the runtime library liblangrt.a (set LANG_RUNTIME)";
    return "";
}

// The output is written. When the process ends here anyway (`lang build`), leave without
// tearing down: freeing the arena, the object model and every std::string one by one
// takes tens of milliseconds on a big program, and the kernel reclaims it all at once
// (clang's -disable-free does the same).
// Does the program declare a generic type or function (at any nesting)?
static bool has_generics_in(const Decl* d) {
    if (d->kind == DeclKind::Func) return !static_cast<const FuncDecl*>(d)->type_params.empty();
    if (d->kind != DeclKind::Type) return false;
    auto* td = static_cast<const TypeDecl*>(d);
    if (!td->type_params.empty()) return true;
    for (const Decl* m : td->members)
        if (m && has_generics_in(m)) return true;
    return false;
}
static bool has_generics(const Compilation& c) {
    for (const FileAst* f : c.files)
        if (f)
            for (const Decl* d : f->decls)
                if (d && has_generics_in(d)) return true;
    return false;
}

static int finished(const BuildRequest& req) {
    if (!req.exit_when_done) return 0;
    fflush(stdout);
    fflush(stderr);
    _exit(0);
}

int build(const BuildRequest& req) {
    Compilation c;
    c.opts.opt_level = req.opt_level;
    c.opts.dump_after = req.dump_after;
    c.diag.warnings_as_errors = req.warnings_as_errors;
    c.diag.no_warnings = req.no_warnings;
    c.opts.test_build = req.test;
    Timer timer{req.timings, c};

    std::vector<std::string> paths;
    std::string err;
    if (!collect_inputs(req.input, paths, &err)) {
        fprintf(stderr, "lang: error: %s\n", err.c_str());
        return 2;
    }
    std::vector<uint32_t> ids;
    for (auto& p : paths) {
        uint32_t id;
        std::string why;
        if (!c.sources.load(p, &id, &why)) {
            fprintf(stderr, "lang: error: cannot read '%s': %s\n", p.c_str(), why.c_str());
            return 2;
        }
        ids.push_back(id);
    }
    // Text stages go to stdout unless -o names a file; every other output has a path.
    bool text_emit = req.emit != Emit::Obj && req.emit != Emit::Exe;
    std::string out = !req.output.empty() ? req.output : text_emit ? "" : default_output(req.input, req.emit);
    if (!out.empty() && out != "-") {
        if (int st = check_output(out, req.input, paths)) return st;
    }

    // 1. Tokens (only as a dump: the parser lexes on its own).
    if (req.emit == Emit::Tokens) {
        std::string text;
        for (uint32_t id : ids) {
            std::vector<Token> toks;
            lex_file(c, id, toks);
            text += dump_tokens(c, toks);
        }
        int st = write_text(out, text);
        return c.diag.error_count() ? 1 : st;
    }

    // 2. Parse.
    for (uint32_t id : ids) {
        FileAst* f = parse_file(c, id);
        if (f) c.files.push_back(f);
    }
    timer.lap("parse");
    if (req.emit == Emit::Ast) {
        std::string text;
        for (FileAst* f : c.files) text += dump_ast(c, f);
        int st = write_text(out, text);
        return c.diag.error_count() ? 1 : st;
    }
    if (c.diag.error_count()) return 1;
    // The library's generic List<T> (when the program mentions it) joins the files before
    // has_generics below looks at them: its instances need the staged path.
    add_preludes(c);

#ifndef NDEBUG
    const bool verify_each = true;
#else
    const bool verify_each = false;
#endif
    // The fast path: at -O0 every pass is per function, so each function body is checked,
    // lowered, given its passes and handed to the code generator's worker threads one
    // after the other; checking and lowering the rest overlaps with compiling the first.
    // The staged path below (check everything, lower everything, run each pass over the
    // module, then compile) is needed for -O1's module pass and for dumps and --emit ir/asm.
    // Debug builds verify the IR in both (per function here, after lowering and each pass).
    // A program with generics takes it too: sema makes instances while checking bodies, and
    // lowering collects them before it starts.
    // An object or a C header is a library: it needs no Main (its export "C" functions are
    // called from C, spec 10.9).
    bool need_entry = !req.test && req.emit != Emit::Obj && req.emit != Emit::Header;
    bool staged = req.test || req.opt_level >= 1 || !req.dump_after.empty() || req.emit == Emit::Ir || req.emit == Emit::Asm ||
                  req.emit == Emit::Header ||
                  has_generics(c);
    ir::Module m(c.arena);
    obj::Object o;
    if (!staged) {
        // 3. Semantic analysis of the declarations, then 3-5 function by function.
        ProgramCheck sema(c);
        bool declared = sema.declarations();
        timer.lap("sema decls");
        if (!declared) { // check the bodies too: report every error
            sema.finish(need_entry);
            return 1;
        }
        BodyArenas bodies;
        m.bodies = bodies.current();
        x64::Codegen cg(m, req.jobs, [&](void* tag) { bodies.done(tag); });
        std::string verr;
        bool valid = true; // (debug builds) every function verified so far
        auto verified = [&](ir::Func& f) { return valid = !verify_each || ir::verify(f, &verr); };
        bool lowered = lower_program(
            c, m,
            [&](ir::Func& f) {
                if (!valid || !verified(f)) return;
                for (const Pass& p : kPasses) {
                    if (req.opt_level < p.min_opt) continue;
                    p.run(m, f);
                    if (!verified(f)) return;
                }
                cg.add(f, bodies.hand_out());
            },
            [&](FuncDecl* fd) {
                sema.bodies_until(fd);
                bodies.next_function();
                m.bodies = bodies.current();
                return c.diag.error_count() == 0 && valid;
            });
        if (!valid) {
            fprintf(stderr, "lang: internal compiler error: invalid IR: %s\n", verr.c_str());
            return 3;
        }
        if (!sema.finish(need_entry) || c.diag.error_count()) return 1; // every body is checked and reported
        if (!lowered) return 2;
        timer.lap("sema+lower+passes"); // codegen workers run meanwhile
        if (!cg.finish(o, c.diag) || c.diag.error_count()) return c.diag.error_count() ? 1 : 3;
        m.bodies = nullptr; // `bodies` ends here
        timer.lap("codegen");
    } else {
        // 3. Semantic analysis.
        check_program(c, need_entry); // a test build needs no Main, nor a library
        timer.lap("sema");
        if (c.diag.error_count()) return 1;
        if (req.emit == Emit::Header) return write_text(out, c_header(c, out)); // c_header.cpp
        // 4. Lowering and IR passes, and 5. machine code.
        if (!lower_program(c, m) || c.diag.error_count()) return c.diag.error_count() ? 1 : 2;
        // Interprocedural, so it runs once on the whole module before the per-function passes.
        if (req.opt_level >= 1) ir::drop_unused_context(m);
        auto verify = [&](const char* after) {
            std::string verr;
            if (verify_each && !ir::verify(m, &verr)) {
                fprintf(stderr, "lang: internal compiler error: invalid IR after %s: %s\n", after, verr.c_str());
                return false;
            }
            return true;
        };
        if (!verify("lowering")) return 3;
        if (dump_requested(req, "lower")) fputs(ir::print(m).c_str(), stderr);
        timer.lap("lower");
        for (const Pass& p : kPasses) {
            if (req.opt_level < p.min_opt) continue;
            for (ir::Func* f : m.funcs) p.run(m, *f);
            if (!verify(p.name)) return 3;
            if (dump_requested(req, p.name)) fputs(ir::print(m).c_str(), stderr);
        }
        timer.lap("passes");
        if (req.emit == Emit::Ir) {
            return write_text(out, ir::print(m));
        }
        if (req.emit == Emit::Asm) {
            return write_text(out, x64::print_asm(m));
        }
        if (!x64::compile(m, o, c.diag, req.jobs) || c.diag.error_count()) return c.diag.error_count() ? 1 : 3;
        timer.lap("codegen");
    }
    if (req.emit == Emit::Obj) {
        if (int st = write_object(out, o, out)) return st;
        timer.lap("elf"); // the object's layout and its writing
        return finished(req);
    }

    // 6. Link with the system C compiler and our runtime.
    std::string rt = find_runtime(&err);
    if (rt.empty()) {
        fprintf(stderr, "lang: error: %s\n", err.c_str());
        return 2;
    }
    std::string objpath = out + ".o.tmp" + std::to_string(getpid());
    std::string exetmp = out + ".tmp" + std::to_string(getpid());
    if (int st = write_object(objpath, o, out)) return st;
    timer.lap("elf");
    const char* cc = getenv("CC");
    std::vector<std::string> link{cc && *cc ? cc : "cc", objpath, rt, "-o", exetmp};
    for (const std::string& lib : c.link_libs) link.push_back("-l" + lib); // [Link("m")] (sema/ffi.cpp)
    for (const char* lib : {"-lpthread", "-lm", "-Wl,--as-needed", "-lutf8proc"}) link.push_back(lib); // utf8proc: ToUpper/ToLower only
    int st = spawn_wait(link);
    unlink(objpath.c_str());
    timer.lap("link");
    if (st != 0) {
        unlink(exetmp.c_str());
        fprintf(stderr, "lang: error: linking failed (cc exited with status %d)\n", st);
        return 2;
    }
    if (!replace_file(exetmp, out)) {
        int e = errno;
        unlink(exetmp.c_str());
        report_write_error(out, e);
        return 2;
    }
    return finished(req);
}

// Builds `req` into a temporary directory, runs it with `args`, deletes it.
static int build_and_run(BuildRequest req, const std::vector<std::string>& args) {
    char dir[] = "/tmp/lang-run-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "lang: error: cannot create a temporary directory\n");
        return 2;
    }
    req.output = std::string(dir) + "/prog";
    int st = build(req);
    if (st == 0) {
        std::vector<std::string> argv{req.output};
        argv.insert(argv.end(), args.begin(), args.end());
        st = spawn_wait(argv);
    }
    unlink(req.output.c_str());
    rmdir(dir);
    return st;
}

int run(const std::string& input, int opt_level, const std::vector<std::string>& args) {
    BuildRequest req;
    req.input = input;
    req.opt_level = opt_level;
    return build_and_run(req, args);
}

int test(const std::string& input, int opt_level, const std::string& filter) {
    BuildRequest req;
    req.input = input;
    req.opt_level = opt_level;
    req.test = true;
    std::vector<std::string> args;
    if (!filter.empty()) args = {"--filter", filter};
    return build_and_run(req, args);
}

} // namespace lang
