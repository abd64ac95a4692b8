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

namespace lang {

static const char kMemorySource[] =
#include "Memory.lang.inc"
    ;
static const char kLoggingSource[] =
#include "Logging.lang.inc"
    ;

void add_memory_prelude(Compilation& c) {
    if ((mentions_word(c, "Arena") || mentions_word(c, "Pool")) && !declares_any(c, {"Arena", "Pool"}))
        add_prelude_file(c, "<prelude>/memory.lang", kMemorySource);
    bool logging = mentions_word(c, "SourceLocation") || program_text_contains(c, "#caller") ||
                   mentions_word(c, "Log", '.') || mentions_word(c, "ILogger") || mentions_word(c, "LogLevel") ||
                   mentions_word(c, "logger");
    if (logging && !declares_any(c, {"SourceLocation", "LogLevel", "ILogger", "Log"}))
        add_prelude_file(c, "<prelude>/logging.lang", kLoggingSource);
}

} // namespace lang
