// run_forked.h: runs a function in a child process (for tests of code that panics or
// exits) and returns the child's exit status and everything it wrote to stderr.
#pragma once
#include <doctest/doctest.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

template <class F> std::pair<int, std::string> run_forked(F fn) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        fn();
        _exit(0);
    }
    close(fds[1]);
    std::string err;
    char buf[512];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) err.append(buf, (size_t)n);
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, err};
}
