// collections_prelude.cpp: the core collection List<T> every program sees (spec 10.4).
//
// Like the Error prelude (error_prelude.cpp) it is Lang source (lib/std/List.lang) compiled with the program as
// one more file, "<prelude>/collections.lang", in the root namespace, and only when the
// program's text mentions `List` (so other programs compile exactly as before). Generic
// classes are instantiated only for the type arguments a program uses, and methods of an
// instance are lowered only when reached, so an unused part costs no code.
#include "sema/prelude.h"

namespace lang {

// lib/std/List.lang, wrapped in a raw string literal by the build (Makefile, CMakeLists.txt).
static const char kCollectionsPrelude[] =
#include "List.lang.inc"
    ;

// The namespaces whose contents every program has without an import: importing them is
// accepted and does nothing (Std.Text: StringBuilder and the string methods;
// Std.Reflection: TypeInfo and FieldInfo; Std.IO: File, Directory, Path, ...; Std.Math;
// Std.Serialize and Std.Serialize.Json: Json and JsonError).
bool is_prelude_import(const ArenaVec<Ident>& path) {
    if (path.size == 3 && path[0] == "Std" && path[1] == "Serialize" && path[2] == "Json") return true;
    return path.size == 2 && path[0] == "Std" &&
           (path[1] == "Collections" || path[1] == "Text" || path[1] == "Reflection" || path[1] == "IO" ||
            path[1] == "Math" || path[1] == "Serialize");
}

// A program gets List<T> when its text mentions List, unless it declares its own
// namespace-level `List` (which then is the List it means, as before the library had one).
void add_collections_prelude(Compilation& c) {
    if (!program_declares_type(c, "List") && program_text_contains(c, "List"))
        add_prelude_file(c, kCollectionsPreludePath, kCollectionsPrelude);
}

} // namespace lang
