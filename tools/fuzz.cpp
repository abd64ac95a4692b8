// fuzz.cpp: a fuzzer for the compiler front to back.
// Usage: fuzz LANG_BIN COUNT SEED [--timeout=SECONDS] [--jobs=N] FILE...
//
// Each round makes one input and runs `LANG_BIN build INPUT --emit obj -o OUT` with the
// default 8 MiB stack. Half of the inputs mutate one of the FILEs: 1-8 random edits
// (delete/duplicate/insert/swap a byte range, insert a random token, or splice in a
// generated chain). The other half are generated:
//  - long chains and nests of every kind, from a few links to past the nesting limit
//    (1000 levels), sometimes left unclosed or cut short: binary operators, member access,
//    `?.`, indexing, calls, method chains, nested calls, unary prefixes, casts, `??`, `?:`,
//    assignment and `catch` chains, parentheses, array/tuple literals, interpolation,
//    lambdas, lambda-looking parentheses, match, `is` patterns, `new`, type suffixes,
//    pointer/tuple/function types, nested generic-looking types, blocks, if, while, for,
//    defer, long else-if chains;
//  - huge functions (10,000 to 20,000 statements; register allocation is quadratic in
//    a function's size, so much bigger ones take more than the timeout).
// A run passes when the compiler exits with 0 or 1 within the timeout (default 5 s of CPU
// time, all threads: wall time says little on a shared machine; a run that takes 20
// times the timeout in wall time is stopped too) and, when it exits with 1, has left no
// output file. A signal, another status, a timeout or a partial output is a failure: the
// input is kept as /tmp/lang-fuzz-crash-N.lang. At the end: the number of inputs, the
// failures and the slowest input (CPU and wall time, and its kind); the exit status is 1
// if anything failed.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <csignal>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

const char* const kTokens[] = {"{", "}", "(", ")", ";", "match", "class", "=>", "..", "let", "var", "new",
                               "[", "]", "\"", "$\"{", "'", "/*", "*/", "<", ">", "?", "!", "0x", "1e",
                               "if", "else", "for", "in", "return", "struct", "enum", ".", ",", "::", "\xff"};

using Rng = std::mt19937;

int pick(Rng& r, int n) { return (int)(r() % (unsigned)n); }

// A length from 1 to 4000: as often below 10, 100, 1000 or 4000, and near the nesting
// limit (1000 levels; 500 for the kinds with two levels a link) more often than that.
int length(Rng& r) {
    static const int kMax[] = {10, 100, 1000, 4000};
    switch (pick(r, 6)) {
    case 0: return 980 + pick(r, 40);
    case 1: return 490 + pick(r, 20);
    default: return 1 + pick(r, kMax[pick(r, 4)]);
    }
}

std::string times(const std::string& s, int n) {
    std::string out;
    out.reserve(s.size() * n);
    for (int i = 0; i < n; i++) out += s;
    return out;
}

// prefix unit^n core close^n, sometimes left unclosed or cut short (error recovery).
std::string nest(Rng& r, const std::string& prefix, const std::string& unit, const std::string& core,
                 const std::string& close, int n) {
    std::string s = prefix + times(unit, n) + core;
    int mode = pick(r, 10);
    if (mode == 0) return s;                       // unclosed
    s += times(close, n);
    if (mode == 1) s.resize(pick(r, (int)s.size() + 1)); // cut anywhere
    return s;
}

const char* const kBinOps[] = {" + ", " - ", " * ", " / ", " % ", " << ", " >> ", " & ", " | ", " ^ ", " == ",
                               " != ", " < ", " > ", " <= ", " >= ", " && ", " || ", " ?? ", " is int ",
                               " as int "};
const char* const kOperands[] = {"1", "s", "q", "node.V", "a[0]", "Id(2)", "\"t\"", "true", "2.5", "'c'", "(s)"};
const char* const kPrefixes[] = {"-", "!", "~", "- ", "*", "&", "try ", "(int)", "(long)", "(Node)", "(int[])",
                                 "(string)"};

// One generated construct; *kind names it (for the report).
std::string construct(Rng& r, int n, const char** kind) {
    switch (pick(r, 40)) {
    case 0: { // a binary chain, one operator or mixed
        *kind = "binary chain";
        bool mixed = pick(r, 2);
        const char* op = kBinOps[pick(r, sizeof kBinOps / sizeof *kBinOps)];
        std::string s = "s = 1";
        for (int i = 0; i < n; i++) {
            s += mixed ? kBinOps[pick(r, sizeof kBinOps / sizeof *kBinOps)] : op;
            s += kOperands[pick(r, sizeof kOperands / sizeof *kOperands)];
        }
        return s + ";";
    }
    case 1: *kind = "string concatenation"; return "let t = \"a\"" + times(" + \"b\"", n) + ";";
    case 2: *kind = "member chain"; return "let m = node" + times(".N", n) + ";";
    case 3: *kind = "?. chain"; return "let m = node" + times("?.N", n) + ";";
    case 4: *kind = "index chain"; return nest(r, "s = a", "[0]", "", "", n) + ";";
    case 5: *kind = "call chain"; return "let f = node.F" + times("(1)", n) + ";";
    case 6: *kind = "method chain"; return "let m = node" + times(".Me()", n) + ".V;";
    case 7: *kind = "nested calls"; return nest(r, "s = ", "Id(", "1", ")", n) + ";";
    case 8: { // unary prefixes, one kind or mixed
        *kind = "unary prefixes";
        std::string s = "s = ";
        const char* p = kPrefixes[pick(r, sizeof kPrefixes / sizeof *kPrefixes)];
        for (int i = 0; i < n; i++) s += pick(r, 2) ? p : kPrefixes[pick(r, sizeof kPrefixes / sizeof *kPrefixes)];
        return s + "1;";
    }
    case 9: *kind = "casts"; return "s = " + times("(int)", n) + "1;";
    case 10: *kind = "?? chain"; return "s = " + times("q ?? ", n) + "1;";
    case 11: *kind = "?: chain"; return "s = " + times("s == 0 ? 1 : ", n) + "0;";
    case 12: *kind = "assignment chain"; return times("s = ", n) + "1;";
    case 13: *kind = "catch chain"; return "s = Id(1)" + times(" catch 1", n) + ";";
    case 14: *kind = "parentheses"; return nest(r, "s = ", "(", "1", ")", n) + ";";
    case 15: *kind = "array literals"; return nest(r, "let t = ", "[", "1", "]", n) + ";";
    case 16: *kind = "tuple literals"; return nest(r, "let t = ", "(1, ", "2", ")", n) + ";";
    case 17: *kind = "interpolation"; return nest(r, "let t = ", "$\"<{", "1", "}>\"", n) + ";";
    case 18: *kind = "lambdas"; return "let f = " + times(pick(r, 2) ? "x => " : "(int x) => ", n) + "1;";
    case 19: *kind = "lambdas with blocks"; return nest(r, "let f = ", "() => { return ", "1", "; }", n) + ";";
    case 20: *kind = "lambda-looking parentheses"; return nest(r, "let f = ", "((x) => ", "x", ")", n) + ";";
    case 21: *kind = "match"; return nest(r, "s = ", "match (s) { 0 => ", "1", ", _ => 2 }", n) + ";";
    case 22: *kind = "is patterns"; return nest(r, "let b = s is ", "(1, ", "_", ")", n) + ";";
    case 23: *kind = "new"; return nest(r, "let t = ", "new Node(", "", ")", n) + ";";
    case 24: *kind = "new arrays"; return "let t = new int" + times("[]", n) + "[1];";
    case 25: { // type suffixes
        *kind = "type suffixes";
        static const char* const sfx[] = {"[]", "?", "!", "[]?"};
        std::string s = "var v: int";
        for (int i = 0; i < n; i++) s += sfx[pick(r, 4)];
        return s + " = null;";
    }
    case 26: *kind = "pointer types"; return "var v: " + times("*", n) + "int = null;";
    case 27: *kind = "tuple types"; return nest(r, "var v: ", "(int, ", "int", ")", n) + " = null;";
    case 28: *kind = "generic types"; return nest(r, "var v: ", pick(r, 2) ? "List<" : "Channel<", "int", ">", n) + " = null;";
    case 29: *kind = "generic-looking comparisons"; return "let b = " + times("s < ", n) + "s > (1);";
    case 30: *kind = "function types"; return "var v: " + times("(int) => ", n) + "int = null;";
    case 31: *kind = "blocks"; return nest(r, "", "{ ", "s = 1;", " }", n);
    case 32: *kind = "if"; return times("if (s == 0) ", n) + "s = 1;";
    case 33: *kind = "while"; return times("while (s == 1) ", n) + "s = 2;";
    case 34: *kind = "for"; return times("for (var i = 0; i < 1; i += 1) ", n) + "s += 1;";
    case 35: *kind = "defer"; return times("defer ", n) + "s = 1;";
    case 36: { // else-if chain
        *kind = "else-if chain";
        std::string s;
        for (int i = 0; i < n; i++) s += "if (s == " + std::to_string(i) + ") { s = 1; } else ";
        return s + "{ s = 2; }";
    }
    case 37: *kind = "nested ifs with blocks"; return nest(r, "", "if (s == 0) { ", "s = 1;", " }", n);
    case 38: *kind = "ranges in for-in"; return times("for (let i in 0..", n) + "3" + times(") { s += i; }", n);
    default: *kind = "select"; return nest(r, "", "select { default => { ", "s = 1;", " } }", n);
    }
}

// A function of 10,000 to 20,000 statements.
std::string huge_function(Rng& r) {
    int n = 10000 + pick(r, 10000);
    std::string s;
    s.reserve(n * 24);
    for (int i = 0; i < n; i++) {
        switch (pick(r, 6)) {
        case 0: s += "        s = s + " + std::to_string(i % 97) + ";\n"; break;
        case 1: s += "        if (s > " + std::to_string(i) + ") { s -= 1; } else { s += 2; }\n"; break;
        case 2: s += "        let v" + std::to_string(i) + " = Id(s) * 3;\n"; break;
        case 3: s += "        while (s > 1000000) { s /= 2; }\n"; break;
        case 4: s += "        a[" + std::to_string(i % 4) + "] = s;\n"; break;
        default: s += "        s = match (s % 3) { 0 => 1, 1 => s, _ => 2 };\n"; break;
        }
    }
    return s;
}

std::string program(const std::string& body) {
    return "public gc class Node {\n    public var Node N;\n    public var int V;\n"
           "    public Node Me() { return this; }\n    public int F(int x) { return x; }\n}\n"
           "public class Program {\n    static int Id(int x) { return x; }\n"
           "    public static void Main() {\n        var node = new Node();\n        var q: int? = 1;\n"
           "        var s = 0;\n        var a = new int[4];\n" +
           body + "\n        Console.WriteLine(s);\n    }\n}\n";
}

std::string mutate(Rng& r, std::string s) {
    int muts = 1 + pick(r, 8);
    for (int m = 0; m < muts && !s.empty(); m++) {
        size_t a = r() % s.size(), len = 1 + r() % 16;
        if (a + len > s.size()) len = s.size() - a;
        switch (pick(r, 6)) {
        case 0: s.erase(a, len); break;
        case 1: s.insert(a, s.substr(a, len)); break;
        case 2: s.insert(a, 1, (char)(r() % 256)); break;
        case 3: s.insert(a, kTokens[pick(r, sizeof kTokens / sizeof *kTokens)]); break;
        case 4: { size_t b = r() % s.size(); std::swap(s[a], s[b]); break; }
        default: { const char* kind; s.insert(a, construct(r, 1 + pick(r, 1500), &kind)); break; }
        }
    }
    return s;
}

struct Job {
    pid_t pid = 0;
    int round = 0;
    std::string input, path, out;
    const char* kind = "";
    std::chrono::steady_clock::time_point start;
};

} // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: fuzz LANG_BIN COUNT SEED [--timeout=SECONDS] [--jobs=N] FILE...\n");
        return 2;
    }
    std::string bin = argv[1];
    int count = atoi(argv[2]);
    Rng rng(atoi(argv[3]));
    int timeout = 5, jobs = 1;
    std::vector<std::string> inputs;
    for (int i = 4; i < argc; i++) {
        if (!strncmp(argv[i], "--timeout=", 10)) { timeout = atoi(argv[i] + 10); continue; }
        if (!strncmp(argv[i], "--jobs=", 7)) { jobs = atoi(argv[i] + 7); continue; }
        std::ifstream f(argv[i], std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        inputs.push_back(ss.str());
    }
    if (inputs.empty() || timeout < 1 || jobs < 1) {
        fprintf(stderr, "fuzz: no input files, or a bad --timeout/--jobs\n");
        return 2;
    }
    std::string wall = std::to_string(timeout * 20);
    int failures = 0, generated = 0, huge = 0, done = 0;
    double slowest = 0, slowest_wall = 0;
    std::string slowest_kind;
    std::vector<Job> running;
    auto reap = [&] {
        int st = 0;
        struct rusage ru;
        pid_t pid = wait4(-1, &st, 0, &ru);
        if (pid <= 0) return;
        size_t k = 0;
        while (k < running.size() && running[k].pid != pid) k++;
        if (k == running.size()) return;
        Job j = std::move(running[k]);
        running.erase(running.begin() + k);
        double wall_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - j.start).count();
        double secs = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
        if (secs > slowest) slowest = secs, slowest_wall = wall_secs, slowest_kind = j.kind;
        struct stat sb;
        bool partial = WIFEXITED(st) && WEXITSTATUS(st) == 1 && stat(j.out.c_str(), &sb) == 0;
        bool ok = WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 1) && !partial;
        if (!ok) {
            std::string keep = "/tmp/lang-fuzz-crash-" + std::to_string(failures) + ".lang";
            std::ofstream o(keep, std::ios::binary);
            o << j.input;
            int status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
            bool cpu = status == 128 + SIGXCPU || (WIFSIGNALED(st) && WTERMSIG(st) == SIGXCPU); // (timeout re-raises)
            const char* what = cpu             ? "CPU timeout, status"
                             : status == 124   ? "wall-clock timeout, status"
                             : partial         ? "partial output, status"
                                               : "status";
            fprintf(stderr, "fuzz: round %d (%s): %s %d (signal %d), %.2f s CPU, %.2f s -> %s\n", j.round, j.kind,
                    what, status, WIFSIGNALED(st) ? WTERMSIG(st) : 0, secs, wall_secs, keep.c_str());
            failures++;
        }
        unlink(j.path.c_str());
        unlink(j.out.c_str());
        done++;
    };
    for (int round = 0; round < count; round++) {
        while ((int)running.size() >= jobs) reap();
        Job j;
        j.round = round;
        int mode = pick(rng, 100);
        if (mode < 48) {
            j.kind = "mutation";
            j.input = mutate(rng, inputs[rng() % inputs.size()]);
        } else if (mode < 50) {
            j.kind = "huge function";
            j.input = program(huge_function(rng));
            huge++;
        } else {
            std::string body;
            int parts = 1 + pick(rng, 3);
            for (int p = 0; p < parts; p++) body += "        " + construct(rng, length(rng), &j.kind) + "\n";
            j.input = program(body);
            generated++;
        }
        std::string tag = std::to_string(getpid()) + "-" + std::to_string(round); // (runs end out of order)
        j.path = "/tmp/lang-fuzz-" + tag + ".lang";
        j.out = "/tmp/lang-fuzz-" + tag + ".o";
        {
            std::ofstream o(j.path, std::ios::binary);
            o << j.input;
        }
        unlink(j.out.c_str());
        j.start = std::chrono::steady_clock::now();
        pid_t pid = fork();
        if (pid == 0) {
            struct rlimit rl = {8 << 20, 8 << 20}; // the default stack, whatever the caller has
            setrlimit(RLIMIT_STACK, &rl);
            struct rlimit cpu = {(rlim_t)timeout, (rlim_t)timeout + 1}; // SIGXCPU, then SIGKILL
            setrlimit(RLIMIT_CPU, &cpu);
            if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) _exit(127);
            execl("/usr/bin/timeout", "timeout", "-k", "2", wall.c_str(), bin.c_str(), "build", j.path.c_str(),
                  "--emit", "obj", "-o", j.out.c_str(), (char*)nullptr);
            _exit(127);
        }
        j.pid = pid;
        running.push_back(std::move(j));
    }
    while (!running.empty()) reap();
    printf("fuzz: %d inputs (%d mutated, %d generated chains, %d huge functions), %d failures, "
           "slowest %.2f s CPU (%.2f s wall; %s)\n",
           done, done - generated - huge, generated, huge, failures, slowest, slowest_wall, slowest_kind.c_str());
    return failures ? 1 : 0;
}
