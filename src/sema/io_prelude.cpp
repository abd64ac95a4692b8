// io_prelude.cpp: the standard library's IO and system classes (spec 10.7).
//
// Like Memory.lang (memory_prelude.cpp), each is Lang source from lib/std, embedded at
// build time and compiled with the program as one more root-namespace file, only when the
// program's text names one of its classes:
//   IO.lang      File, FileReader, Directory, Path, IOError  (needs Error: errors.lang too)
//   System.lang  Environment, Stopwatch, Time, Random
//   Json.lang    JsonError, for Json.Serialize/Deserialize (sema/json.cpp; needs Error too)
// A program that declares its own namespace-level type of one of those names keeps it and
// does not get that file.
#include "parse/parser.h"
#include "sema/prelude.h"

namespace lang {

static const char kIoSource[] =
#include "IO.lang.inc"
    ;
static const char kSystemSource[] =
#include "System.lang.inc"
    ;
static const char kJsonSource[] =
#include "Json.lang.inc"
    ;

void add_io_prelude(Compilation& c) {
    static constexpr std::string_view kIo[] = {"File", "FileReader", "Directory", "Path", "IOError"};
    static constexpr std::string_view kSystem[] = {"Environment", "Stopwatch", "Time", "Random"};
    bool io = false, sys = false;
    for (std::string_view w : kIo) io = io || mentions_word(c, w);
    for (std::string_view w : kSystem) sys = sys || mentions_word(c, w);
    if (io && !declares_any(c, {"File", "FileReader", "Directory", "Path", "IOError"})) {
        add_prelude_file(c, "<prelude>/io.lang", kIoSource);
        add_error_prelude(c, true);
    }
    if (sys && !declares_any(c, {"Environment", "Stopwatch", "Time", "Random"}))
        add_prelude_file(c, "<prelude>/system.lang", kSystemSource);
    if ((mentions_word(c, "Json") || mentions_word(c, "JsonError")) && !declares_any(c, {"Json", "JsonError"})) {
        add_prelude_file(c, "<prelude>/json.lang", kJsonSource);
        add_error_prelude(c, true);
    }
}

} // namespace lang
