// test_rt_sched.cpp: context switch, scheduler, spawn/join, Mutex, WaitGroup, memory per
// blocked thread, preemption, stack overflow (src/rt/{switch.S,sched.c,stack.c,sync.c}).
#include "rt/lt_sched.h"
#include "rt_sched_util.h"
#include <atomic>
#include <chrono>
#include <doctest/doctest.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

// ---- the raw switch, without the scheduler ----
static LangCtx g_main_ctx, g_co_ctx;
static long g_co_count;
static void co_body(void *arg) {
    long n = *static_cast<long *>(arg);
    for (;;) {
        g_co_count++;
        lang_ctx_switch(&g_co_ctx, &g_main_ctx);
        (void)n;
    }
}

TEST_CASE("switch: millions of raw context switches keep callee-saved state") {
#ifdef LT_TSAN
    return; // TSan needs the fiber annotations the scheduler does; covered by the tests below
#endif
    LtStack *s = lt_stack_alloc(0);
    long n = 1000000;
    lang_ctx_init_host(&g_main_ctx);
    lang_ctx_make(&g_co_ctx, s->lo, s->size, co_body, &n);
    g_co_count = 0;
    double f = 1.5;
    auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < n; i++) {
        lang_ctx_switch(&g_main_ctx, &g_co_ctx);
        f = f * 1.0000001;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(g_co_count == n);
    CHECK(f > 1.5);
    MESSAGE("raw switch: " << (2.0 * n / secs / 1e6) << " M switches/s (" << (secs * 1e9 / (2.0 * n)) << " ns each)");
    lang_ctx_free(&g_main_ctx);
    lt_stack_free(s);
}

TEST_CASE("sched: run_main returns main's result; spawn with argument copies") {
    CHECK(rt_run([] { return int64_t(42); }) == 42);
    int64_t got = rt_run([] {
        LangChan *ch = lang_chan_new(sizeof(int64_t), 0);
        struct Arg { LangChan *ch; int64_t a, b, c[20]; } arg{ch, 40, 2, {}};
        arg.c[19] = 1000; // > 64 bytes: the heap-copy path
        lang_spawn([](void *p) {
            Arg *a = static_cast<Arg *>(p);
            int64_t v = a->a + a->b + a->c[19];
            lang_chan_send(a->ch, &v);
        }, &arg, sizeof arg);
        arg.a = -1; // the thread has its own copy
        int64_t v = 0;
        lang_chan_recv(ch, &v);
        lang_chan_free(ch);
        return v;
    });
    CHECK(got == 1042);
}

TEST_CASE("sched: millions of switches through yield between threads") {
    const int kYields = 500000 / kRtScale;
    auto t0 = std::chrono::steady_clock::now();
    int64_t total = rt_run([&] {
        LangWaitGroup *wg = lang_wg_new();
        std::atomic<int64_t> sum{0};
        lang_wg_add(wg, 4);
        for (int k = 0; k < 4; k++)
            rt_go([&, wg] {
                for (int i = 0; i < kYields; i++) lang_yield();
                sum += kYields;
                lang_wg_done(wg);
            });
        lang_wg_wait(wg);
        lang_wg_free(wg);
        return sum.load();
    });
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(total == 4 * kYields);
    LangSchedStats st;
    lang_sched_stats(&st);
    CHECK(st.switches >= uint64_t(4 * kYields));
    MESSAGE("yield: " << (4.0 * kYields / secs / 1e6) << " M yields/s on " << st.workers << " workers, steals " << st.steals);
}

TEST_CASE("sched: tasks return results through join") {
    int64_t r = rt_run([] {
        std::vector<LangTask *> ts;
        for (int64_t i = 1; i <= 100; i++)
            ts.push_back(lang_task_spawn([](void *arg, void *res) {
                int64_t x = *static_cast<int64_t *>(arg);
                *static_cast<int64_t *>(res) = x * x;
            }, &i, sizeof i, sizeof(int64_t)));
        int64_t sum = 0;
        for (LangTask *t : ts) {
            int64_t v = 0;
            lang_task_join(t, &v);
            sum += v;
        }
        return sum;
    });
    CHECK(r == 338350);
}

TEST_CASE("sched: Mutex parks instead of blocking; WaitGroup; atomics") {
    const int kThreads = 50, kIters = 2000 / kRtScale;
    int64_t r = rt_run([&] {
        LangMutex *m = lang_mutex_new();
        LangWaitGroup *wg = lang_wg_new();
        int64_t counter = 0;
        LangAtomic *atomic_counter = lang_atomic_new(0);
        lang_wg_add(wg, kThreads);
        for (int k = 0; k < kThreads; k++)
            rt_go([&, m, wg, atomic_counter] {
                for (int i = 0; i < kIters; i++) {
                    lang_mutex_lock(m);
                    int64_t c = counter;
                    if (i % 100 == 0) lang_yield(); // hold the lock across a switch
                    counter = c + 1;
                    lang_mutex_unlock(m);
                    lang_atomic_add(atomic_counter, 1);
                }
                lang_wg_done(wg);
            });
        lang_wg_wait(wg);
        CHECK(lang_mutex_try_lock(m));
        CHECK(!lang_mutex_try_lock(m));
        lang_mutex_unlock(m);
        lang_mutex_free(m);
        lang_wg_free(wg);
        int64_t expect = 5;
        CHECK(!lang_atomic_cas(atomic_counter, &expect, 0));
        CHECK(expect == int64_t(kThreads) * kIters);
        lang_atomic_free(atomic_counter);
        return counter;
    });
    CHECK(r == int64_t(kThreads) * kIters);
}

TEST_CASE("sched: 100,000 threads blocked on a channel, then released; memory per thread") {
    const int kThreads = 100000 / kRtThreadScale;
    rt_run([&] {
        LangChan *ch = lang_chan_new(sizeof(int64_t), 0);
        LangChan *out = lang_chan_new(sizeof(int64_t), 1024);
        long rss0 = rt_rss_kib();
        for (int i = 0; i < kThreads; i++)
            rt_go([ch, out] {
                int64_t v = 0;
                lang_chan_recv(ch, &v);
                v += 1;
                lang_chan_send(out, &v);
            });
        // Wait until all of them are parked on ch.
        while (true) {
            lang_sleep_ns(2000000);
            LangSchedStats st;
            lang_sched_stats(&st);
            if (st.parks >= uint64_t(kThreads)) break;
        }
        long rss1 = rt_rss_kib();
        double per = (rss1 - rss0) * 1024.0 / kThreads;
        MESSAGE("blocked threads: " << kThreads << ", RSS +" << (rss1 - rss0) << " KiB = " << per << " bytes per thread");
#if !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
        CHECK(per <= 6 * 1024);
#endif
        rt_go([ch, kThreads] {
            for (int64_t i = 0; i < kThreads; i++) lang_chan_send(ch, &i);
        });
        int64_t sum = 0, v;
        for (int i = 0; i < kThreads; i++) {
            lang_chan_recv(out, &v);
            sum += v;
        }
        CHECK(sum == int64_t(kThreads) * (kThreads - 1) / 2 + kThreads);
        lang_chan_free(ch);
        lang_chan_free(out);
        return int64_t(0);
    });
}

TEST_CASE("preempt: a busy loop with checks does not starve a printer") {
    // One worker, so the printer can only run if the busy loop is preempted.
    setenv("LANG_THREADS", "1", 1);
    int64_t r = rt_run([] {
        std::atomic<bool> stop{false};
        std::atomic<int> printed{0};
        LangWaitGroup *wg = lang_wg_new();
        lang_wg_add(wg, 1);
        rt_go([&, wg] {
            while (!stop.load(std::memory_order_relaxed))
                if (__atomic_load_n(&lang_preempt_flag, __ATOMIC_RELAXED)) lang_preempt_check(); // what compiled code emits
            lang_wg_done(wg);
        });
        LangChan *done = lang_chan_new(1, 0);
        rt_go([&, done] {
            for (int i = 0; i < 5; i++) {
                printed++;
                lang_sleep_ns(2000000);
            }
            char c = 1;
            lang_chan_send(done, &c);
        });
        char c;
        lang_chan_recv(done, &c);
        stop = true;
        lang_wg_wait(wg); // the loop borrows our locals: let it finish first
        lang_wg_free(wg);
        lang_chan_free(done);
        return int64_t(printed.load());
    });
    unsetenv("LANG_THREADS");
    CHECK(r == 5);
    LangSchedStats st;
    lang_sched_stats(&st);
    CHECK(st.preemptions >= 1);
}

TEST_CASE("sched: LANG_SCHED_STATS=1 prints the statistics at the end of run_main") {
    char path[] = "/tmp/lang_sched_statsXXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    int saved = dup(2);
    dup2(fd, 2);
    setenv("LANG_SCHED_STATS", "1", 1);
    rt_run([] {
        rt_go([] { lang_yield(); });
        return int64_t(0);
    });
    unsetenv("LANG_SCHED_STATS");
    dup2(saved, 2);
    close(saved);
    char buf[512] = {0};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    unlink(path);
    REQUIRE(n > 0);
    std::string out(buf);
    CHECK(out.find("lang sched: workers=") != std::string::npos);
    CHECK(out.find("spawned=1 ") != std::string::npos);
    CHECK(out.find("switches=") != std::string::npos);
    CHECK(out.find("steals=") != std::string::npos);
}

#pragma GCC diagnostic ignored "-Winfinite-recursion"
TEST_CASE("preempt: a ping-pong pair shares one slice and cannot starve the local queue") {
    setenv("LANG_THREADS", "1", 1);
    int64_t r = rt_run([] {
        static std::atomic<bool> stop;
        stop = false;
        LangChan *a = lang_chan_new(sizeof(int64_t), 0), *b = lang_chan_new(sizeof(int64_t), 0);
        LangWaitGroup *wg = lang_wg_new();
        lang_wg_add(wg, 2);
        rt_go([a, b, wg] { // ping
            int64_t v = 0;
            while (!stop.load()) { lang_chan_send(a, &v); lang_chan_recv(b, &v); }
            v = -1;
            lang_chan_send(a, &v);
            lang_wg_done(wg);
        });
        rt_go([a, b, wg] { // pong
            int64_t v;
            while (lang_chan_recv(a, &v) && v >= 0) { v++; lang_chan_send(b, &v); }
            lang_wg_done(wg);
        });
        LangChan *done = lang_chan_new(1, 1);
        lang_yield(); // let the pair start: from now on one of them is always in runnext
        rt_go([done] { char c = 1; lang_chan_send(done, &c); }); // waits in the local deque
        char c;
        lang_chan_recv(done, &c);
        stop = true;
        lang_wg_wait(wg);
        lang_wg_free(wg);
        lang_chan_free(a);
        lang_chan_free(b);
        lang_chan_free(done);
        return int64_t(c);
    });
    unsetenv("LANG_THREADS");
    CHECK(r == 1);
}

static void recurse_forever(void *p) {
    volatile char buf[256];
    buf[0] = static_cast<char>(reinterpret_cast<intptr_t>(p));
    recurse_forever(const_cast<char *>(buf));
    buf[1] = 0;
}

TEST_CASE("stack: overflow on a lightweight thread reports stack overflow") {
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
    return; // the sanitizers install their own SIGSEGV handling
#endif
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        rt_run([] {
            lang_spawn(recurse_forever, nullptr, 0);
            lang_sleep_ns(2000000000);
            return int64_t(0);
        });
        _exit(0);
    }
    close(fds[1]);
    char buf[4096] = {0};
    size_t n = 0;
    ssize_t k;
    while (n < sizeof buf - 1 && (k = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0) n += size_t(k);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 101);
    CHECK(std::string(buf).find("stack overflow") != std::string::npos);
}

// ---- global deadlock detection (lang_sched_detect_deadlock) ----
static std::string run_child_stderr(int64_t (*body)(), int *status) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        lang_sched_detect_deadlock(1);
        rt_run([body] { return body(); });
        _exit(0);
    }
    close(fds[1]);
    char buf[4096] = {0};
    size_t n = 0;
    ssize_t k;
    while (n < sizeof buf - 1 && (k = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0) n += size_t(k);
    close(fds[0]);
    waitpid(pid, status, 0);
    return buf;
}

TEST_CASE("deadlock: every thread parked for good panics instead of hanging") {
#if defined(__SANITIZE_THREAD__)
    return; // fork of a process that ran threads: not under TSan
#endif
    int status = 0;
    std::string err = run_child_stderr(
        [] {
            LangChan *ch = lang_chan_new(sizeof(int64_t), 0);
            LangChan *ch2 = lang_chan_new(sizeof(int64_t), 0);
            rt_go([ch2] { lang_chan_recv(ch2, nullptr); }); // parked too
            int64_t v = 0;
            lang_chan_recv(ch, &v); // nobody sends
            return v;
        },
        &status);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 101);
    CHECK(err.find("all threads are asleep - deadlock!") != std::string::npos);
}

TEST_CASE("deadlock: pending timers, busy threads and plain OS threads are not deadlocks") {
    lang_sched_detect_deadlock(1);
    // Main waits for a thread that sleeps first: a timer is pending meanwhile.
    CHECK(rt_run([] {
              LangChan *ch = lang_chan_new(sizeof(int64_t), 0);
              rt_go([ch] {
                  lang_sleep_ns(30000000);
                  int64_t v = 5;
                  lang_chan_send(ch, &v);
              });
              int64_t v = 0;
              lang_chan_recv(ch, &v);
              lang_chan_free(ch);
              return v;
          }) == 5);
    // Main waits for a thread that computes for a while (its worker is busy).
    CHECK(rt_run([] {
              LangChan *ch = lang_chan_new(sizeof(int64_t), 0);
              rt_go([ch] {
                  volatile int64_t s = 0;
                  for (int64_t i = 0; i < 30000000; i++) s = s + i;
                  int64_t v = 6;
                  lang_chan_send(ch, &v);
              });
              int64_t v = 0;
              lang_chan_recv(ch, &v);
              lang_chan_free(ch);
              return v;
          }) == 6);
    // A plain OS thread (outside the scheduler) took part in the run: it may act again, so
    // Main waiting for its second, later value is not reported. (One that has not yet
    // touched the runtime cannot be known: detection is for programs whose threads are
    // all lightweight, as compiled Lang programs are.) The sender is started inside the run
    // and Main yields (never parks) until the sender has touched the runtime (a spawn), so
    // the run knows about it before anyone could park.
    LangChan *ch = lang_chan_new(sizeof(int64_t), 0);
    std::atomic<bool> touched{false};
    std::thread sender;
    CHECK(rt_run([ch, &touched, &sender] {
              sender = std::thread([ch, &touched] {
                  lang_spawn([](void*) {}, nullptr, 0);
                  touched = true;
                  int64_t v = 7;
                  lang_chan_send(ch, &v);
                  std::this_thread::sleep_for(std::chrono::milliseconds(50));
                  lang_chan_send(ch, &v);
              });
              while (!touched.load()) lang_yield();
              int64_t a = 0, b = 0;
              lang_chan_recv(ch, &a);
              lang_chan_recv(ch, &b);
              return a + b;
          }) == 14);
    sender.join();
    lang_chan_free(ch);
    lang_sched_detect_deadlock(0);
}
