// dict_prelude.cpp: Dict<K,V>, Set<T> and the hashing interfaces of the prelude (spec 10.5).
//
// Like List<T> (collections_prelude.cpp) each is Lang source from lib/std, embedded at
// build time and compiled with the program as one more root-namespace file, only when the
// program's text can name it: `Dict<` / `Set<` (a generic type is always written with its
// type arguments) or the interface names. Hashing.lang (IHashable, IEquatable<T>) comes with
// either collection. A program that declares its own namespace-level type of that name
// keeps it and does not get the library's. Unused methods of an instance cost no code.
#include "parse/parser.h"
#include "sema/prelude.h"

namespace lang {

static const char kDictSource[] =
#include "Dict.lang.inc"
    ;
static const char kSetSource[] =
#include "Set.lang.inc"
    ;
static const char kHashingSource[] =
#include "Hashing.lang.inc"
    ;

void add_dict_prelude(Compilation& c) {
    bool dict = mentions_word(c, "Dict", '<') && !program_declares_type(c, "Dict");
    bool set = mentions_word(c, "Set", '<') && !program_declares_type(c, "Set");
    bool hashing = dict || set || mentions_word(c, "IHashable") || mentions_word(c, "IEquatable");
    if (hashing && !program_declares_type(c, "IHashable") && !program_declares_type(c, "IEquatable"))
        add_prelude_file(c, "<prelude>/hashing.lang", kHashingSource);
    if (dict) add_prelude_file(c, "<prelude>/dict.lang", kDictSource);
    if (set) add_prelude_file(c, "<prelude>/set.lang", kSetSource);
}

} // namespace lang
