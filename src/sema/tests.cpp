// tests.cpp: test blocks (`test "name" { ... }`, spec 12) for `lang test`.
//
// A test block becomes a hidden static function: void, no parameters, the block as its
// body, named `test$N` (N counts the program's tests from 1; `$` cannot appear in a Lang
// name, so no code can call it). It replaces the TestDecl in its file's declarations, so
// every later phase (signatures, mangling, bodies, lowering) treats it as any function;
// FuncDecl::test points back at the block, which lowering uses to list the tests in
// lang_main (ir/lower_tests.cpp).
//
// Only a test build (Options::test_build) gets here: `lang build` and `lang run` skip
// test blocks without checking them (resolve.cpp, declare_all).
//
// Checked here: the name is not empty and no other test of the program has the same
// name. (`return` with a value is reported by check_stmt.cpp, which knows the function
// is a test.)
#include "sema/check.h"
#include <cstring>

namespace lang::sema {

FuncDecl* Sema::declare_test(TestDecl* t, uint32_t file_index) {
    const char* title = t->title ? t->title : "";
    if (!*title) {
        diag.error(t->name_span, "a test needs a name: test \"what it checks\" { ... }");
    } else {
        auto [it, fresh] = test_titles_.emplace(std::string(title), t);
        if (!fresh) {
            diag.error(t->name_span, "duplicate test name \"%s\"", title);
            diag.note(it->second->name_span, "the first test named \"%s\" is here", title);
        }
    }
    FuncDecl* fd = arena.make<FuncDecl>();
    fd->kind = DeclKind::Func;
    fd->span = t->span;
    fd->name_span = t->name_span;
    fd->mods = M_STATIC;
    std::string name = "test$" + std::to_string(++test_count_);
    fd->name = c.interner.intern(name);
    fd->body = t->body;
    fd->test = t;
    funcs_.push_back({fd, nullptr, file_index});
    return fd;
}

} // namespace lang::sema
