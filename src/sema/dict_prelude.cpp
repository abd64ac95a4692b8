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
#include <cctype>

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

static bool ident_char(char ch) { return std::isalnum((unsigned char)ch) || ch == '_'; }

// Whether `text` has the word `w` (not part of a longer identifier), followed by `<` after
// optional blanks when `generic`.
static bool has_word(const std::string& text, std::string_view w, bool generic) {
    for (size_t p = text.find(w); p != std::string::npos; p = text.find(w, p + 1)) {
        if (p > 0 && ident_char(text[p - 1])) continue;
        size_t e = p + w.size();
        if (e < text.size() && ident_char(text[e])) continue;
        if (!generic) return true;
        while (e < text.size() && (text[e] == ' ' || text[e] == '\t')) e++;
        if (e < text.size() && text[e] == '<') return true;
    }
    return false;
}

static bool program_mentions(Compilation& c, std::string_view w, bool generic) {
    if (!c.interner.find(w)) return false; // never lexed as an identifier (prelude.cpp)
    for (FileAst* f : c.files) {
        if (!f || is_prelude_path(c.sources.file(f->file_id).path)) continue;
        if (has_word(c.sources.file(f->file_id).text, w, generic)) return true;
    }
    return false;
}

void add_dict_prelude(Compilation& c) {
    bool dict = program_mentions(c, "Dict", true) && !program_declares_type(c, "Dict");
    bool set = program_mentions(c, "Set", true) && !program_declares_type(c, "Set");
    bool hashing = dict || set || program_mentions(c, "IHashable", false) || program_mentions(c, "IEquatable", false);
    if (hashing && !program_declares_type(c, "IHashable") && !program_declares_type(c, "IEquatable"))
        add_prelude_file(c, "<prelude>/hashing.lang", kHashingSource);
    if (dict) add_prelude_file(c, "<prelude>/dict.lang", kDictSource);
    if (set) add_prelude_file(c, "<prelude>/set.lang", kSetSource);
}

} // namespace lang
