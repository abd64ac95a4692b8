// memory_prelude.cpp: the allocator and logging library of the prelude (spec 7.11).
//
// Like List<T> (collections_prelude.cpp) each is Lang source from lib/std, embedded at
// build time and compiled with the program as one more root-namespace file, only when the
// program's text can name it:
//   Memory.lang   Arena, Pool                       (the words Arena, Pool)
//   Logging.lang  SourceLocation, LogLevel, ILogger, Log
//                 (SourceLocation, #caller, `Log.`, ILogger, LogLevel, logger)
// A program that declares its own namespace-level type of one of those names keeps it and
// does not get that file.
#include "parse/parser.h"
#include "sema/prelude.h"
#include <cctype>

namespace lang {

static const char kMemorySource[] =
#include "Memory.lang.inc"
    ;
static const char kLoggingSource[] =
#include "Logging.lang.inc"
    ;

static bool ident_char(char ch) { return std::isalnum((unsigned char)ch) || ch == '_'; }

// Whether a program file has the word `w` (not part of a longer identifier), followed by
// `.` when `member` (`Log.Info`).
static bool mentions_word(Compilation& c, std::string_view w, bool member = false) {
    for (FileAst* f : c.files) {
        if (!f || is_prelude_path(c.sources.file(f->file_id).path)) continue;
        const std::string& text = c.sources.file(f->file_id).text;
        for (size_t p = text.find(w); p != std::string::npos; p = text.find(w, p + 1)) {
            if (p > 0 && ident_char(text[p - 1])) continue;
            size_t e = p + w.size();
            if (e < text.size() && ident_char(text[e])) continue;
            if (member && (e >= text.size() || text[e] != '.')) continue;
            return true;
        }
    }
    return false;
}

static bool declares_any(Compilation& c, std::initializer_list<std::string_view> names) {
    for (std::string_view n : names)
        if (program_declares_type(c, n)) return true;
    return false;
}

void add_memory_prelude(Compilation& c) {
    if ((mentions_word(c, "Arena") || mentions_word(c, "Pool")) && !declares_any(c, {"Arena", "Pool"}))
        add_prelude_file(c, "<prelude>/memory.lang", kMemorySource);
    bool logging = mentions_word(c, "SourceLocation") || program_text_contains(c, "#caller") ||
                   mentions_word(c, "Log", true) || mentions_word(c, "ILogger") || mentions_word(c, "LogLevel") ||
                   mentions_word(c, "logger");
    if (logging && !declares_any(c, {"SourceLocation", "LogLevel", "ILogger", "Log"}))
        add_prelude_file(c, "<prelude>/logging.lang", kLoggingSource);
}

} // namespace lang
