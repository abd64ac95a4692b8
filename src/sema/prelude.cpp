// prelude.cpp: what the prelude files share (error_prelude.cpp, collections_prelude.cpp,
// dict_prelude.cpp): adding a library file to the program, and the questions about the
// program's own files that decide whether it gets one.
#include "parse/parser.h"
#include "sema/prelude.h"
#include <algorithm>
#include <cctype>

namespace lang {

static bool ident_char(char ch) { return std::isalnum((unsigned char)ch) || ch == '_'; }

bool is_prelude_path(const std::string& path) { return !path.empty() && path[0] == '<'; }

void add_prelude_file(Compilation& c, const char* path, const char* text) {
    for (FileAst* f : c.files)
        if (f && c.sources.file(f->file_id).path == path) return; // already there
    uint32_t id = c.sources.add(std::string(path), std::string(text));
    // First, so a program's own declaration of the same name is the duplicate (reported at
    // the program's line).
    if (FileAst* f = parse_file(c, id)) c.files.insert(c.files.begin(), f);
}

void add_preludes(Compilation& c) {
    if (c.preludes_added) return;
    c.preludes_added = true;
    add_collections_prelude(c); // List<T> (spec 10.4)
    add_dict_prelude(c);        // Dict<K,V>, Set<T> (spec 10.5)
    add_memory_prelude(c);      // Arena, Pool, SourceLocation, Log (spec 7.11)
    add_io_prelude(c);          // File, Directory, Path, Environment, ... (spec 10.7)
    add_error_prelude(c);       // Error, ParseError (spec 10.3)
}

bool program_declares_type(Compilation& c, std::string_view name) {
    for (FileAst* f : c.files) {
        if (!f || is_prelude_path(c.sources.file(f->file_id).path)) continue;
        for (Decl* d : f->decls)
            if (d && d->kind == DeclKind::Type && d->name.view() == name) return true;
    }
    return false;
}

bool mentions_word(Compilation& c, std::string_view w, char next) {
    // The lexer interned every identifier of the program: a word it never saw is not
    // there (outside comments and strings), and the text need not be searched.
    if (!c.interner.find(w)) return false;
    for (FileAst* f : c.files) {
        if (!f || is_prelude_path(c.sources.file(f->file_id).path)) continue;
        const std::string& text = c.sources.file(f->file_id).text;
        for (size_t p = text.find(w); p != std::string::npos; p = text.find(w, p + 1)) {
            if (p > 0 && ident_char(text[p - 1])) continue;
            size_t e = p + w.size();
            if (e < text.size() && ident_char(text[e])) continue;
            if (!next) return true;
            while (e < text.size() && (text[e] == ' ' || text[e] == '\t')) e++;
            if (e < text.size() && text[e] == next) return true;
        }
    }
    return false;
}

bool declares_any(Compilation& c, std::initializer_list<std::string_view> names) {
    for (std::string_view n : names)
        if (program_declares_type(c, n)) return true;
    return false;
}

bool program_text_contains(Compilation& c, std::string_view text) {
    // Outside comments and string literals (whose words name nothing), letters belong to
    // identifiers and keywords, and the lexer interned every one: when no interned string
    // contains `text` (made of name characters; "#caller" is a directive, searched for),
    // the program's text need not be searched.
    if (std::all_of(text.begin(), text.end(), ident_char) && !c.interner.any_contains(text)) return false;
    for (FileAst* f : c.files) {
        if (!f || is_prelude_path(c.sources.file(f->file_id).path)) continue;
        if (c.sources.file(f->file_id).text.find(text) != std::string::npos) return true;
    }
    return false;
}

} // namespace lang
