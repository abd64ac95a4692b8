// diag.cpp: diagnostic formatting (see diag.h).
#include "common/diag.h"
#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>
#include <sstream>

namespace lang {

uint32_t SourceManager::add(std::string path, std::string text) {
    files_.push_back(SourceFile{std::move(path), std::move(text), {}});
    return (uint32_t)files_.size() - 1;
}

static const char* file_kind(mode_t m) {
    if (S_ISDIR(m)) return "a directory";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISSOCK(m)) return "a socket";
    return "not a regular file";
}

bool SourceManager::load(const std::string& path, uint32_t* id, std::string* why) {
    auto fail = [&](std::string reason) {
        if (why) *why = std::move(reason);
        return false;
    };
    // O_NONBLOCK: opening a FIFO for reading must not wait for a writer; the file is
    // checked to be regular before any read.
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return fail(strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return fail(strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return fail(std::string("not a regular file (") + file_kind(st.st_mode) + ")");
    }
    char limit[64];
    snprintf(limit, sizeof limit, "larger than the limit of %llu MiB for a source file",
             (unsigned long long)(kMaxSourceBytes >> 20));
    if ((uint64_t)st.st_size > kMaxSourceBytes) {
        close(fd);
        return fail(limit);
    }
    // Size the string once from the file size instead of letting it double; reading still
    // goes until EOF (the file may change meanwhile), but never past the limit.
    std::string text;
    text.reserve((size_t)st.st_size);
    char buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            return fail(strerror(e));
        }
        if (n == 0) break;
        if (text.size() + (size_t)n > kMaxSourceBytes) {
            close(fd);
            return fail(limit);
        }
        text.append(buf, (size_t)n);
    }
    close(fd);
    *id = add(path, std::move(text));
    return true;
}

void SourceManager::index_lines(SourceFile& f) {
    if (!f.line_starts.empty()) return;
    // memchr jumps from newline to newline with wide compares instead of testing every
    // byte in a loop (this runs once per file, when the first line number is needed).
    const char* text = f.text.data();
    const char* end = text + f.text.size();
    f.line_starts.reserve(f.text.size() / 32 + 1);
    f.line_starts.push_back(0);
    for (const char* p = text; (p = (const char*)memchr(p, '\n', (size_t)(end - p))) != nullptr; p++)
        f.line_starts.push_back((uint32_t)(p - text) + 1);
}

LineCol SourceManager::line_col(uint32_t file, uint32_t offset) {
    SourceFile& f = files_[file];
    index_lines(f);
    auto it = std::upper_bound(f.line_starts.begin(), f.line_starts.end(), offset);
    uint32_t line = (uint32_t)(it - f.line_starts.begin()); // 1-based
    uint32_t start = f.line_starts[line - 1];
    uint32_t col = 1;
    for (uint32_t i = start; i < offset && i < f.text.size(); i++)
        if (((unsigned char)f.text[i] & 0xC0) != 0x80) col++; // count characters, not bytes
    return {line, col};
}

std::string_view SourceManager::line_text(uint32_t file, uint32_t line) {
    SourceFile& f = files_[file];
    index_lines(f);
    if (line == 0 || line > f.line_starts.size()) return {};
    uint32_t b = f.line_starts[line - 1];
    uint32_t e = line < f.line_starts.size() ? f.line_starts[line] : (uint32_t)f.text.size();
    while (e > b && (f.text[e - 1] == '\n' || f.text[e - 1] == '\r')) e--;
    return std::string_view(f.text).substr(b, e - b);
}

void Diag::emit(const std::string& s) {
    if (held) held->text += s;
    else if (capture) *capture += s;
    else fputs(s.c_str(), stderr);
}

void Diag::release(const Held& h) {
    errors_ += h.errors;
    warnings_ += h.warnings;
    if (!h.text.empty()) emit(h.text);
}

// Source lines longer than this (in bytes) are shown as a window around the caret.
static constexpr size_t kMaxShownLine = 160;

void Diag::report(Severity sev, Span s, const char* fmt, va_list ap) {
    const char* suffix = "";
    if (sev == Severity::Warning) {
        if (no_warnings) return;
        if (warnings_as_errors) {
            sev = Severity::Error;
            suffix = " [-Werror]";
        } else {
            (held ? held->warnings : warnings_)++;
        }
    }
    if (sev == Severity::Error && held) {
        held->errors++;
    } else if (sev == Severity::Error) {
        errors_++;
        if (errors_ > max_errors) {
            if (errors_ == max_errors + 1) emit("lang: too many errors, stopping\n");
            return;
        }
    }
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (*suffix) strncat(msg, suffix, sizeof msg - strlen(msg) - 1);
    const char* word = sev == Severity::Error ? "error" : sev == Severity::Warning ? "warning" : "note";
    std::ostringstream out;
    if (s.file < sm_.count()) {
        LineCol lc = sm_.line_col(s.file, s.begin);
        out << sm_.file(s.file).path << ":" << lc.line << ":" << lc.col << ": " << word << ": " << msg << "\n";
        std::string_view line = sm_.line_text(s.file, lc.line);
        // The byte where the caret goes (columns count characters).
        size_t cb = 0;
        for (uint32_t i = 1; cb < line.size() && i < lc.col; cb++)
            if (((unsigned char)line[cb] & 0xC0) != 0x80) i++;
        while (cb < line.size() && ((unsigned char)line[cb] & 0xC0) == 0x80) cb++;
        // A long line (generated code) is shown as a window around the caret.
        size_t from = 0, to = line.size();
        if (line.size() > kMaxShownLine) {
            from = cb > kMaxShownLine / 2 ? cb - kMaxShownLine / 2 : 0;
            to = std::min(line.size(), from + kMaxShownLine);
            while (from > 0 && ((unsigned char)line[from] & 0xC0) == 0x80) from--;
            while (to < line.size() && ((unsigned char)line[to] & 0xC0) == 0x80) to++;
        }
        const char* dots = "...";
        out << "    " << (from ? dots : "") << line.substr(from, to - from) << (to < line.size() ? dots : "") << "\n    ";
        if (from) out << "   ";
        for (size_t k = from; k < cb; k++) {
            unsigned char c = (unsigned char)line[k];
            if ((c & 0xC0) == 0x80) continue;
            out << (c == '\t' ? '\t' : ' ');
        }
        out << "^\n";
    } else {
        out << "lang: " << word << ": " << msg << "\n";
    }
    emit(out.str());
}

#define DIAG_FORWARD(name, sev)                 \
    void Diag::name(Span s, const char* fmt, ...) { \
        va_list ap;                             \
        va_start(ap, fmt);                      \
        report(sev, s, fmt, ap);                \
        va_end(ap);                             \
    }
DIAG_FORWARD(error, Severity::Error)
DIAG_FORWARD(warning, Severity::Warning)
DIAG_FORWARD(note, Severity::Note)

void Diag::error_plain(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    report(Severity::Error, Span{UINT32_MAX, 0, 0}, fmt, ap);
    va_end(ap);
}

} // namespace lang
