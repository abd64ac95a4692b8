// prelude.h: library source the compiler adds to a program that can name it (errors,
// List, Dict/Set and hashing), and the helpers those files share.
#pragma once
#include "common/compilation.h"
#include "common/arena.h"
#include "common/intern.h"
#include <string>
#include <string_view>

namespace lang {

inline constexpr const char* kPreludePath = "<prelude>/errors.lang";
inline constexpr const char* kCollectionsPreludePath = "<prelude>/collections.lang";

// Adds every prelude file below that the program can name, once per compilation (the
// driver calls it before it looks for generics; check_program and ProgramCheck call it
// too, for their other callers).
void add_preludes(Compilation& c);

// Parses the `Error`/`ParseError` prelude and puts it first in c.files (so a program's own
// root-level `Error` is the duplicate definition), unless it is there already
// or the program cannot refer to it (no fail, catch or Err pattern, and no word Error,
// ParseError or Parse).
void add_error_prelude(Compilation& c, bool always = false);

// Parses the List<T> prelude (collections_prelude.cpp) and puts it first in c.files, unless
// it is there already or the program's text does not mention List.
void add_collections_prelude(Compilation& c);

// Parses Dict<K,V>, Set<T> and the hashing interfaces (dict_prelude.cpp, spec 10.5) into
// c.files when the program's text names them.
void add_dict_prelude(Compilation& c);
// Parses Arena/Pool (Memory.lang) and SourceLocation/ILogger/Log (Logging.lang) into c.files
// when the program can name them (memory_prelude.cpp, spec 7.11).
void add_memory_prelude(Compilation& c);
// Parses IO.lang (File, FileReader, Directory, Path, IOError) and System.lang
// (Environment, Stopwatch, Time, Random) into c.files when the program names them
// (io_prelude.cpp, spec 10.7); IO.lang brings the error prelude with it.
void add_io_prelude(Compilation& c);

// Whether `import PATH;` names a library namespace whose names the prelude already gives
// every program (Std.Collections, Std.Text, Std.Reflection): such an import is accepted
// and does nothing.
bool is_prelude_import(const ArenaVec<Ident>& path);

// Whether a source path is one of the compiler's own prelude files (root namespace, not
// part of the program's folder).
bool is_prelude_path(const std::string& path);

// prelude.cpp: parses `text` as the file `path` and puts it first in c.files, unless it is
// there already.
void add_prelude_file(Compilation& c, const char* path, const char* text);
// Whether one of the program's own files (not the prelude's) declares a namespace-level
// type `name`, or contains `text` anywhere.
bool program_declares_type(Compilation& c, std::string_view name);
bool program_text_contains(Compilation& c, std::string_view text);
// Whether a program file has the word `w` (not part of a longer identifier), followed
// (after blanks) by `next` unless it is 0: '.' for `Log.Info`, '<' for `Dict<K, V>`.
bool mentions_word(Compilation& c, std::string_view w, char next = 0);
// Whether the program declares a namespace-level type of one of these names.
bool declares_any(Compilation& c, std::initializer_list<std::string_view> names);

// Std.Serialize.Json (sema/json.cpp): whether t is the prelude's List<T> / Dict<K,V>
// instance, and the instance field `name` of a type (null if none).
bool is_json_list(Compilation& c, const Type* t);
bool is_json_dict(Compilation& c, const Type* t);
struct FieldDecl* json_field(struct TypeDecl* td, std::string_view name);

} // namespace lang
