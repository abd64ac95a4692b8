// test_sema.cpp: semantic analysis tests: parse + check small sources, then assert the
// diagnostics and the annotations lowering relies on (types, decls, conversions, local
// indexes, layout, mangled names). Also runs sema over test/run (must be clean) and
// test/errors/sema_*.lang (every `// error: LINE:COL: MSG` must be reported).
#include "common/compilation.h"
#include "parse/ast.h"
#include "parse/parser.h"
#include "sema/sema.h"
#include <doctest/doctest.h>
#include <dirent.h>
#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace lang;

namespace {

struct Checked {
    Compilation c;
    std::string errs;
    bool ok = false;
    FileAst* file = nullptr;

    // One source file (or several: name/text pairs) checked as one program.
    explicit Checked(const std::string& src, bool entry = true) { run({{"t.lang", src}}, entry); }
    Checked(std::vector<std::pair<std::string, std::string>> files, bool entry = true) { run(files, entry); }

    void run(const std::vector<std::pair<std::string, std::string>>& files, bool entry) {
        c.diag.capture = &errs;
        for (auto& f : files) {
            uint32_t id = c.sources.add(f.first, f.second);
            FileAst* a = parse_file(c, id);
            c.files.push_back(a);
            if (!file) file = a;
        }
        REQUIRE_MESSAGE(c.diag.error_count() == 0, errs);
        ok = check_program(c, entry);
    }
    bool has(const std::string& s) const { return errs.find(s) != std::string::npos; }

    TypeDecl* type(const char* name) {
        for (FileAst* f : c.files)
            for (Decl* d : f->decls)
                if (d && d->kind == DeclKind::Type && d->name == name) return static_cast<TypeDecl*>(d);
        return nullptr;
    }
    Decl* member(const char* type_name, const char* name, int nth = 0) {
        TypeDecl* t = type(type_name);
        if (!t) return nullptr;
        for (Decl* m : t->members)
            if (m && m->name == name && nth-- == 0) return m;
        return nullptr;
    }
    FuncDecl* func(const char* type_name, const char* name, int nth = 0) {
        return static_cast<FuncDecl*>(member(type_name, name, nth));
    }
};

std::string tn(const Type* t) { return type_name(t); }

// The statements of a function body.
Stmt* stmt(FuncDecl* f, uint32_t i) { return f && f->body && i < f->body->stmts.size ? f->body->stmts[i] : nullptr; }
Expr* init_of(FuncDecl* f, uint32_t i) {
    Stmt* s = stmt(f, i);
    return s && s->kind == StmtKind::VarDecl ? static_cast<VarDeclStmt*>(s)->init : nullptr;
}
Expr* expr_of(FuncDecl* f, uint32_t i) {
    Stmt* s = stmt(f, i);
    return s && s->kind == StmtKind::Expr ? static_cast<ExprStmt*>(s)->expr : nullptr;
}

std::vector<std::string> list_dir(const std::string& dir, const std::string& prefix, const std::string& suffix) {
    std::vector<std::string> out;
    DIR* d = opendir(dir.c_str());
    if (!d) return out;
    while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n.size() >= prefix.size() + suffix.size() && n.compare(0, prefix.size(), prefix) == 0 &&
            n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0)
            out.push_back(dir + "/" + n);
    }
    closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Finds the test directory whether tests run from the repo root or from build/.
std::string test_dir(const char* sub) {
    for (const char* base : {"test/", "../test/", "../../test/"}) {
        std::string p = std::string(base) + sub;
        if (DIR* d = opendir(p.c_str())) { closedir(d); return p; }
    }
    return std::string("test/") + sub;
}

} // namespace

// All .lang files under `dir`, sorted (like `find DIR -name '*.lang' | sort`).
void find_lang(const std::string& dir, std::vector<std::string>& out) {
    DIR* d = opendir(dir.c_str());
    if (!d) return;
    while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        std::string p = dir + "/" + n;
        if (DIR* sub = opendir(p.c_str())) { closedir(sub); find_lang(p, out); }
        else if (n.size() > 5 && n.compare(n.size() - 5, 5, ".lang") == 0) out.push_back(p);
    }
    closedir(d);
    std::sort(out.begin(), out.end());
}

TEST_CASE("sema: every test/run program checks without errors") {
    std::vector<std::string> progs = list_dir(test_dir("run"), "", "");
    int n = 0;
    for (auto& path : progs) {
        if (path.back() == '.') continue;
        std::vector<std::string> files;
        if (DIR* d = opendir(path.c_str())) { closedir(d); find_lang(path, files); }
        else if (path.size() > 5 && path.compare(path.size() - 5, 5, ".lang") == 0) files.push_back(path);
        if (files.empty()) continue;
        n++;
        Compilation c;
        std::string errs;
        c.diag.capture = &errs;
        for (auto& f : files) c.files.push_back(parse_file(c, c.sources.add(f, slurp(f))));
        if (c.diag.error_count()) continue; // a parser problem, not ours
        bool ok = check_program(c);
        CHECK_MESSAGE(ok, path << ":\n" << errs);
    }
    CHECK(n > 0);
}

TEST_CASE("sema: test/errors/sema_* report exactly their expected diagnostics") {
    auto entries = list_dir(test_dir("errors"), "sema_", "");
    CHECK(entries.size() >= 25);
    for (auto& path : entries) {
        std::vector<std::string> files;
        if (DIR* d = opendir(path.c_str())) { closedir(d); find_lang(path, files); }
        else files.push_back(path);
        Compilation c;
        std::string errs;
        c.diag.capture = &errs;
        for (auto& f : files) c.files.push_back(parse_file(c, c.sources.add(f, slurp(f))));
        CHECK_MESSAGE(c.diag.error_count() == 0, path << ": parse errors:\n" << errs);
        bool ok = check_program(c);
        CHECK_MESSAGE(!ok, path << ": no error reported");
        int expected = 0;
        for (auto& f : files) {
            std::istringstream in(slurp(f));
            std::string line;
            while (std::getline(in, line)) {
                size_t k = line.find("// error: ");
                if (k == std::string::npos) continue;
                std::string want = line.substr(k + 10);
                size_t colon = want.find(": ");
                REQUIRE(colon != std::string::npos);
                expected++;
                std::string full = f + ":" + want.substr(0, colon) + ": error: " + want.substr(colon + 2);
                CHECK_MESSAGE(errs.find(full) != std::string::npos, "missing: " << full << "\ngot:\n" << errs);
            }
        }
        CHECK_MESSAGE(expected > 0, path << ": no // error: lines");
        // No unexpected extra errors.
        int got = 0;
        for (size_t p = errs.find(": error: "); p != std::string::npos; p = errs.find(": error: ", p + 1)) got++;
        CHECK_MESSAGE(got == expected, path << ": expected " << expected << " errors, got " << got << ":\n" << errs);
    }
}
