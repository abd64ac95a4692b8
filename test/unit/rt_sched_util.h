// rt_sched_util.h: helpers for the lightweight-thread runtime tests (test_rt_*.cpp).
#pragma once
#include "rt/lang_sched.h"
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>

#include <atomic>

// Threads started by rt_go that have not finished yet.
inline std::atomic<long> g_rt_live{0};

// Runs f on the main lightweight thread of a fresh scheduler; returns f's result. Waits for
// the rt_go threads to finish first, so no test leaves work behind (the runtime itself
// abandons them, like Go).
inline int64_t rt_run(std::function<int64_t()> f) {
    return lang_sched_run_main(
        [](void *ctx, void *) -> int64_t {
            int64_t r = (*static_cast<std::function<int64_t()> *>(ctx))();
            while (g_rt_live.load() != 0) lang_sleep_ns(100000);
            return r;
        },
        &f, nullptr);
}

// Spawns a lightweight thread running a copy of f (any copyable callable).
template <class F> void rt_go(F f) {
    struct Box { F *f; };
    Box b{new F(std::move(f))};
    g_rt_live++;
    lang_spawn([](void *arg) {
        F *fp = static_cast<Box *>(arg)->f;
        (*fp)();
        delete fp;
        g_rt_live--;
    }, &b, sizeof b);
}

inline long rt_rss_kib() {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) kib = strtol(line + 6, nullptr, 10);
    fclose(f);
    return kib;
}

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int kRtScale = 10; // sanitizers: fewer threads and iterations
#else
constexpr int kRtScale = 1;
#endif
#if defined(__SANITIZE_THREAD__)
constexpr int kRtThreadScale = 200; // TSan maps about 1 MiB of state per fiber
#else
constexpr int kRtThreadScale = kRtScale;
#endif
