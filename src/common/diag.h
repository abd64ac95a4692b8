// diag.h: source files, spans and the diagnostic sink.
//
// A Span is a byte range in one source file. Line and column are computed only when a
// diagnostic is printed (binary search over line starts), so the lexer never tracks them.
// Diagnostics are collected, never fatal: a pass reports and keeps going, and the driver
// checks `diag.error_count()` between stages. Columns count Unicode characters, 1-based.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lang {

struct Span {
    uint32_t file = 0;  // index into SourceManager
    uint32_t begin = 0; // byte offset
    uint32_t end = 0;   // byte offset, exclusive
};

struct SourceFile {
    std::string path;
    std::string text;                 // always NUL-terminated past the end (text.c_str())
    std::vector<uint32_t> line_starts; // filled lazily
};

struct LineCol {
    uint32_t line, col;
};

class SourceManager {
public:
    uint32_t add(std::string path, std::string text);
    // Largest source file accepted (spec 13): bigger files, and anything that is not a
    // regular file (a FIFO, a device, a directory), are refused without reading them, so
    // `lang build /dev/zero` fails at once instead of reading forever.
    static constexpr uint64_t kMaxSourceBytes = (uint64_t)64 << 20;
    // Reads a file; returns false if it cannot be read, with the reason in *why
    // ("no such file or directory", "not a regular file (a FIFO)", "larger than 64 MiB").
    bool load(const std::string& path, uint32_t* id, std::string* why = nullptr);
    const SourceFile& file(uint32_t id) const { return files_[id]; }
    size_t count() const { return files_.size(); }
    LineCol line_col(uint32_t file, uint32_t offset);
    std::string_view line_text(uint32_t file, uint32_t line);

private:
    void index_lines(SourceFile& f);
    std::vector<SourceFile> files_;
};

enum class Severity { Error, Warning, Note };

class Diag {
public:
    explicit Diag(SourceManager& sm) : sm_(sm) {}
    // printf-style message; prints "file:line:col: error: msg", the source line and a caret.
    void error(Span s, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
    void warning(Span s, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
    void note(Span s, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
    // An error with no source location ("lang: error: msg").
    void error_plain(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    int error_count() const { return errors_; }
    int warning_count() const { return warnings_; }
    // Warnings: printed as "file:line:col: warning: msg" and counted apart from errors, so
    // they do not stop the build. With warnings_as_errors (-Werror) each one is reported
    // as an error instead ("error: msg [-Werror]") and counts as one; with no_warnings (-w)
    // they are dropped.
    bool warnings_as_errors = false;
    bool no_warnings = false;
    // Stop reporting after this many errors (avoids floods on garbage input).
    int max_errors = 50;
    // When set, messages are appended here instead of written to stderr (unit tests).
    std::string* capture = nullptr;
    // Held messages: while `held` is set, messages (formatted as usual) and their counts go
    // into it instead of the output and the counters. release() reports them later; a
    // Held never released is dropped. Sema holds the messages of a generic instance's
    // method until it knows whether the program uses that method (generics.cpp).
    struct Held {
        std::string text;
        int errors = 0, warnings = 0;
    };
    Held* held = nullptr;
    void release(const Held& h);

private:
    void report(Severity sev, Span s, const char* fmt, va_list ap);
    void emit(const std::string& s);
    SourceManager& sm_;
    int errors_ = 0;
    int warnings_ = 0;
};

} // namespace lang
