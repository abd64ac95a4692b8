// fuzz.cpp: a tiny mutation fuzzer for the compiler front to back.
// Usage: fuzz LANG_BIN COUNT SEED FILE...
// Each round picks a file, applies 1-8 random mutations (delete/duplicate/insert/swap a
// byte range, insert a random token), writes it to /tmp and runs `LANG_BIN build --emit obj`.
// A run passes when the compiler exits with 0 or 1 within 10 s; a signal, another status
// or a timeout is a failure: the input is kept as /tmp/lang-fuzz-crash-N.lang.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

static const char* kTokens[] = {"{", "}", "(", ")", ";", "match", "class", "=>", "..", "let", "var", "new",
                                "[", "]", "\"", "$\"{", "'", "/*", "*/", "<", ">", "?", "!", "0x", "1e",
                                "if", "else", "for", "in", "return", "struct", "enum", ".", ",", "::", "\xff"};

int main(int argc, char** argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: fuzz LANG_BIN COUNT SEED FILE...\n");
        return 2;
    }
    std::string bin = argv[1];
    int count = atoi(argv[2]);
    std::mt19937 rng(atoi(argv[3]));
    std::vector<std::string> inputs;
    for (int i = 4; i < argc; i++) {
        std::ifstream f(argv[i], std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        inputs.push_back(ss.str());
    }
    int failures = 0;
    std::string path = "/tmp/lang-fuzz-" + std::to_string(getpid()) + ".lang";
    for (int round = 0; round < count; round++) {
        std::string s = inputs[rng() % inputs.size()];
        int muts = 1 + rng() % 8;
        for (int m = 0; m < muts && !s.empty(); m++) {
            size_t a = rng() % s.size(), len = 1 + rng() % 16;
            if (a + len > s.size()) len = s.size() - a;
            switch (rng() % 5) {
            case 0: s.erase(a, len); break;
            case 1: s.insert(a, s.substr(a, len)); break;
            case 2: s.insert(a, 1, (char)(rng() % 256)); break;
            case 3: s.insert(a, kTokens[rng() % (sizeof kTokens / sizeof *kTokens)]); break;
            case 4: { size_t b = rng() % s.size(); std::swap(s[a], s[b]); break; }
            }
        }
        {
            std::ofstream o(path, std::ios::binary);
            o << s;
        }
        pid_t pid = fork();
        if (pid == 0) {
            freopen("/dev/null", "w", stdout);
            freopen("/dev/null", "w", stderr);
            execl("/usr/bin/timeout", "timeout", "10", bin.c_str(), "build", path.c_str(), "--emit", "obj", "-o",
                  "/tmp/lang-fuzz.o", (char*)nullptr);
            _exit(127);
        }
        int st = 0;
        waitpid(pid, &st, 0);
        bool ok = WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 1);
        if (!ok) {
            std::string keep = "/tmp/lang-fuzz-crash-" + std::to_string(failures) + ".lang";
            std::ofstream o(keep, std::ios::binary);
            o << s;
            fprintf(stderr, "fuzz: round %d: status %d (signal %d) -> %s\n", round,
                    WIFEXITED(st) ? WEXITSTATUS(st) : -1, WIFSIGNALED(st) ? WTERMSIG(st) : 0, keep.c_str());
            failures++;
        }
    }
    unlink(path.c_str());
    printf("fuzz: %d inputs, %d failures\n", count, failures);
    return failures ? 1 : 0;
}
