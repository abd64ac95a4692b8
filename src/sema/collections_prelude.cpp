// collections_prelude.cpp: the core collection List<T> every program sees (spec 10.4).
//
// Like the Error prelude (error_prelude.cpp) it is Lang source (lib/std/List.lang) compiled with the program as
// one more file, "<prelude>/collections.lang", in the root namespace, and only when the
// program's text mentions `List` (so other programs compile exactly as before). Generic
// classes are instantiated only for the type arguments a program uses, and methods of an
// instance are lowered only when reached, so an unused part costs no code.
#include "parse/parser.h"
#include "sema/prelude.h"

namespace lang {

// lib/std/List.lang, wrapped in a raw string literal by the build (Makefile, CMakeLists.txt).
static const char kCollectionsPrelude[] =
#include "List.lang.inc"
    ;

// The namespaces whose contents every program has without an import: importing them is
// accepted and does nothing (Std.Text: StringBuilder and the string methods;
// Std.Reflection: TypeInfo and FieldInfo).
bool is_prelude_import(const ArenaVec<Ident>& path) {
    return path.size == 2 && path[0] == "Std" &&
           (path[1] == "Collections" || path[1] == "Text" || path[1] == "Reflection");
}

// A program gets List<T> when its text mentions List, unless it declares its own
// namespace-level `List` (which then is the List it means, as before the library had one).
static bool mentions_list(Compilation& c) {
    for (FileAst* f : c.files) {
        if (!f || is_prelude_path(c.sources.file(f->file_id).path)) continue;
        for (Decl* d : f->decls)
            if (d && d->kind == DeclKind::Type && d->name == "List") return false;
    }
    for (FileAst* f : c.files) {
        if (!f || is_prelude_path(c.sources.file(f->file_id).path)) continue;
        if (c.sources.file(f->file_id).text.find("List") != std::string::npos) return true;
    }
    return false;
}

void add_collections_prelude(Compilation& c) {
    for (FileAst* f : c.files)
        if (f && c.sources.file(f->file_id).path == kCollectionsPreludePath) return; // already there
    if (!mentions_list(c)) return;
    uint32_t id = c.sources.add(std::string(kCollectionsPreludePath), std::string(kCollectionsPrelude));
    if (FileAst* f = parse_file(c, id)) c.files.insert(c.files.begin(), f);
}

} // namespace lang
