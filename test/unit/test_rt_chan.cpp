// test_rt_chan.cpp: channels and select (src/rt/chan.c, src/rt/select.c).
#include "rt_sched_util.h"
#include <atomic>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <doctest/doctest.h>
#include <vector>

TEST_CASE("chan: buffered FIFO, len/cap, try_recv, close then drain") {
    rt_run([] {
        LangChan *ch = lang_chan_new(sizeof(int64_t), 4);
        CHECK(lang_chan_cap(ch) == 4);
        for (int64_t i = 1; i <= 4; i++) lang_chan_send(ch, &i);
        CHECK(lang_chan_len(ch) == 4);
        int64_t five = 5;
        CHECK(!lang_chan_try_send(ch, &five)); // full
        int64_t v = 0;
        CHECK(lang_chan_try_recv(ch, &v) == 1);
        CHECK(v == 1);
        CHECK(lang_chan_try_send(ch, &five));
        lang_chan_close(ch);
        std::vector<int64_t> got;
        while (lang_chan_recv(ch, &v)) got.push_back(v);
        CHECK(got == std::vector<int64_t>{2, 3, 4, 5});
        v = 77;
        CHECK(!lang_chan_recv(ch, &v)); // closed and drained: zero value, false
        CHECK(v == 0);
        CHECK(lang_chan_try_recv(ch, &v) == -1);
        lang_chan_free(ch);
        LangChan *e = lang_chan_new(sizeof(int64_t), 0);
        CHECK(lang_chan_try_recv(e, &v) == 0); // unbuffered, nobody sending
        CHECK(!lang_chan_try_send(e, &v));     // nobody receiving
        lang_chan_free(e);
        return int64_t(0);
    });
}

TEST_CASE("chan: unbuffered rendezvous and close wakes parked receivers") {
    rt_run([] {
        LangChan *ch = lang_chan_new(sizeof(int32_t), 0);
        LangChan *res = lang_chan_new(sizeof(int32_t), 16);
        for (int k = 0; k < 10; k++)
            rt_go([ch, res] {
                int32_t v = 123;
                bool ok = lang_chan_recv(ch, &v);
                int32_t r = ok ? v : -1 - v; // closed: v must be the zero value
                lang_chan_send(res, &r);
            });
        for (int32_t i = 0; i < 3; i++) lang_chan_send(ch, &i); // each send meets a receiver
        lang_sleep_ns(1000000);
        lang_chan_close(ch); // the other 7 wake with ok == false
        int sum = 0, closed = 0;
        for (int k = 0; k < 10; k++) {
            int32_t r;
            lang_chan_recv(res, &r);
            if (r == -1) closed++; else sum += r;
        }
        CHECK(sum == 0 + 1 + 2);
        CHECK(closed == 7);
        lang_chan_free(ch);
        lang_chan_free(res);
        return int64_t(0);
    });
}

TEST_CASE("chan: producer/consumer pipeline keeps order; fan-in sums") {
    const int64_t kN = 200000 / kRtScale;
    int64_t r = rt_run([&] {
        LangChan *a = lang_chan_new(sizeof(int64_t), 0);
        LangChan *b = lang_chan_new(sizeof(int64_t), 8);
        rt_go([a, kN] {
            for (int64_t i = 0; i < kN; i++) lang_chan_send(a, &i);
            lang_chan_close(a);
        });
        rt_go([a, b] { // stage: +1, preserves order
            int64_t v;
            while (lang_chan_recv(a, &v)) { v += 1; lang_chan_send(b, &v); }
            lang_chan_close(b);
        });
        int64_t expect = 1, v, bad = 0;
        while (lang_chan_recv(b, &v)) bad += v != expect++;
        CHECK(bad == 0);
        CHECK(expect == kN + 1);
        lang_chan_free(a);
        lang_chan_free(b);

        // fan-in: 8 producers on one unbuffered channel
        LangChan *c = lang_chan_new(sizeof(int64_t), 0);
        LangWaitGroup *wg = lang_wg_new();
        lang_wg_add(wg, 8);
        for (int64_t p = 0; p < 8; p++)
            rt_go([c, wg, p, kN] {
                for (int64_t i = 0; i < kN / 8; i++) { int64_t x = p * 1000000 + i; lang_chan_send(c, &x); }
                lang_wg_done(wg);
            });
        rt_go([c, wg] { lang_wg_wait(wg); lang_chan_close(c); });
        int64_t sum = 0, count = 0;
        while (lang_chan_recv(c, &v)) { sum += v; count++; }
        int64_t want = 0;
        for (int64_t p = 0; p < 8; p++) want += p * 1000000 * (kN / 8) + (kN / 8) * (kN / 8 - 1) / 2;
        CHECK(count == 8 * (kN / 8));
        CHECK(sum == want);
        lang_wg_free(wg);
        lang_chan_free(c);
        return int64_t(1);
    });
    CHECK(r == 1);
}

TEST_CASE("select: default, ready receive, send case, closed channel") {
    rt_run([] {
        LangChan *a = lang_chan_new(sizeof(int64_t), 1);
        LangChan *b = lang_chan_new(sizeof(int64_t), 1);
        int64_t va = -1, vb = -1, x = 9;
        LangSelectCase cs[2] = {{a, LANG_SELECT_RECV, false, &va}, {b, LANG_SELECT_RECV, false, &vb}};
        CHECK(lang_select(cs, 2, true, -1) == LANG_SELECT_DEFAULT);
        CHECK(lang_select(cs, 2, false, 0) == LANG_SELECT_TIMEOUT);
        lang_chan_send(b, &x);
        CHECK(lang_select(cs, 2, true, -1) == 1);
        CHECK(vb == 9);
        CHECK(cs[1].ok);
        LangSelectCase snd[2] = {{a, LANG_SELECT_SEND, false, &x}, {nullptr, LANG_SELECT_RECV, false, nullptr}};
        CHECK(lang_select(snd, 2, false, -1) == 0); // room in a's buffer
        CHECK(lang_chan_len(a) == 1);
        CHECK(lang_select(snd, 2, true, -1) == LANG_SELECT_DEFAULT); // now full
        lang_chan_close(b);
        vb = 5;
        CHECK(lang_select(cs + 1, 1, false, -1) == 0);
        CHECK(!cs[1].ok);
        CHECK(vb == 0);
        lang_chan_free(a);
        lang_chan_free(b);
        return int64_t(0);
    });
}

TEST_CASE("select: parks across channels, wakes on a later send, times out") {
    rt_run([] {
        LangChan *a = lang_chan_new(sizeof(int64_t), 0);
        LangChan *b = lang_chan_new(sizeof(int64_t), 0);
        rt_go([b] { lang_sleep_ns(2000000); int64_t v = 77; lang_chan_send(b, &v); });
        int64_t va = 0, vb = 0;
        LangSelectCase cs[2] = {{a, LANG_SELECT_RECV, false, &va}, {b, LANG_SELECT_RECV, false, &vb}};
        CHECK(lang_select(cs, 2, false, -1) == 1);
        CHECK(vb == 77);
        // A parked select send, completed by a receiver.
        rt_go([a] { lang_sleep_ns(1000000); int64_t v; lang_chan_recv(a, &v); CHECK(v == 5); });
        int64_t five = 5;
        LangSelectCase s1[1] = {{a, LANG_SELECT_SEND, false, &five}};
        CHECK(lang_select(s1, 1, false, -1) == 0);
        // Timeout: nobody sends.
        int64_t t0 = lang_now_ns();
        CHECK(lang_select(cs, 2, false, 3000000) == LANG_SELECT_TIMEOUT);
        int64_t dt = lang_now_ns() - t0;
        CHECK(dt >= 3000000);
        CHECK(dt < 500000000);
        // The waiters of the timed-out select are gone: a plain send must not be stolen.
        rt_go([a] { int64_t v = 8; lang_chan_send(a, &v); });
        int64_t v = 0;
        CHECK(lang_chan_recv(a, &v));
        CHECK(v == 8);
        // Timeout(d) as an explicit channel in a select.
        LangChan *tm = lang_timeout_chan(1000000);
        int64_t when = 0;
        LangSelectCase s2[2] = {{a, LANG_SELECT_RECV, false, &va}, {tm, LANG_SELECT_RECV, false, &when}};
        CHECK(lang_select(s2, 2, false, -1) == 1);
        CHECK(when > t0);
        lang_chan_free(tm);
        lang_chan_free(a);
        lang_chan_free(b);
        return int64_t(0);
    });
}

TEST_CASE("select: fair (roughly uniform) choice among ready cases") {
    rt_run([] {
        const int kCases = 4, kRounds = 8000;
        LangChan *ch[kCases];
        int64_t vals[kCases], one = 1;
        LangSelectCase cs[kCases];
        for (int i = 0; i < kCases; i++) {
            ch[i] = lang_chan_new(sizeof(int64_t), 1);
            cs[i] = {ch[i], LANG_SELECT_RECV, false, &vals[i]};
        }
        int counts[kCases] = {0};
        for (int r = 0; r < kRounds; r++) {
            for (int i = 0; i < kCases; i++)
                if (lang_chan_len(ch[i]) == 0) lang_chan_send(ch[i], &one); // all ready
            int64_t k = lang_select(cs, kCases, false, -1);
            REQUIRE(k >= 0);
            counts[k]++;
        }
        for (int i = 0; i < kCases; i++) {
            CHECK(counts[i] > kRounds / kCases * 8 / 10); // within 20% of uniform
            CHECK(counts[i] < kRounds / kCases * 12 / 10);
            lang_chan_free(ch[i]);
        }
        return int64_t(0);
    });
}

TEST_CASE("select: many selectors and senders race without losing values") {
    const int kPer = 20000 / kRtScale;
    rt_run([&] {
        LangChan *a = lang_chan_new(sizeof(int64_t), 0), *b = lang_chan_new(sizeof(int64_t), 2);
        LangChan *res = lang_chan_new(sizeof(int64_t), 0);
        LangWaitGroup *wg = lang_wg_new();
        lang_wg_add(wg, 2);
        for (int s = 0; s < 2; s++) // senders
            rt_go([a, b, s, kPer, wg] {
                for (int64_t i = 1; i <= kPer; i++) lang_chan_send(s ? b : a, &i);
                lang_wg_done(wg);
            });
        for (int k = 0; k < 4; k++) // selectors, each ends after its share
            rt_go([a, b, res, kPer] {
                int64_t sum = 0, va, vb;
                for (int n = 0; n < kPer / 2; n++) {
                    LangSelectCase cs[2] = {{a, LANG_SELECT_RECV, false, &va}, {b, LANG_SELECT_RECV, false, &vb}};
                    int64_t w = lang_select(cs, 2, false, -1);
                    sum += w == 0 ? va : vb;
                }
                lang_chan_send(res, &sum);
            });
        int64_t total = 0, s;
        for (int k = 0; k < 4; k++) { lang_chan_recv(res, &s); total += s; }
        CHECK(total == 2 * int64_t(kPer) * (kPer + 1) / 2);
        lang_wg_wait(wg); // senders are done with a and b before we free them
        lang_wg_free(wg);
        lang_chan_free(a);
        lang_chan_free(b);
        lang_chan_free(res);
        return int64_t(0);
    });
}

TEST_CASE("chan: a plain OS thread may block on a channel (it sleeps on a futex)") {
    LangChan *ch = lang_chan_new(sizeof(int64_t), 0);
    int64_t sum = 0;
    std::thread os([&] { // not a lightweight thread
        int64_t v;
        while (lang_chan_recv(ch, &v)) sum += v;
    });
    rt_run([ch] {
        for (int64_t i = 1; i <= 1000; i++) lang_chan_send(ch, &i); // parks until os takes it
        lang_chan_close(ch);
        return int64_t(0);
    });
    os.join();
    CHECK(sum == 500500);
    lang_chan_free(ch);
}

// Runs f in a forked child and returns (exit status, stderr text).
static std::pair<int, std::string> in_child(int64_t (*f)(void *, void *)) {
    int fds[2];
    if (pipe(fds) != 0) return {-1, ""};
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        lang_sched_run_main(f, nullptr, nullptr);
        _exit(0);
    }
    close(fds[1]);
    std::string err;
    char buf[512];
    ssize_t k;
    while ((k = read(fds[0], buf, sizeof buf)) > 0) err.append(buf, size_t(k));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, err};
}

TEST_CASE("chan: send on a closed channel and double close panic") {
    auto [st1, err1] = in_child([](void *, void *) -> int64_t {
        LangChan *ch = lang_chan_new(1, 1);
        lang_chan_close(ch);
        char c = 0;
        lang_chan_send(ch, &c);
        return 0;
    });
    CHECK(st1 == 101);
    CHECK(err1.find("send on closed channel") != std::string::npos);
    auto [st2, err2] = in_child([](void *, void *) -> int64_t {
        LangChan *ch = lang_chan_new(1, 0);
        rt_go([ch] { char c = 0; lang_chan_send(ch, &c); }); // parked sender, woken by close
        lang_sleep_ns(2000000);
        lang_chan_close(ch);
        lang_sleep_ns(10000000000); // the sender's panic ends the process (in either order)
        return 0;
    });
    CHECK(st2 == 101);
    CHECK(err2.find("send on closed channel") != std::string::npos);
    auto [st3, err3] = in_child([](void *, void *) -> int64_t {
        LangChan *ch = lang_chan_new(1, 0);
        lang_chan_close(ch);
        lang_chan_close(ch);
        return 0;
    });
    CHECK(st3 == 101);
    CHECK(err3.find("close of closed channel") != std::string::npos);
}
