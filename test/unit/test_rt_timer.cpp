// test_rt_timer.cpp: Sleep and the timer heap (src/rt/timer.c).
#include "rt_sched_util.h"
#include <doctest/doctest.h>
#include <vector>

TEST_CASE("timer: sleepers wake in deadline order, not spawn order") {
    std::vector<int64_t> order;
    rt_run([&] {
        LangChan *ch = lang_chan_new(sizeof(int64_t), 16);
        const int64_t ms[8] = {40, 5, 30, 10, 35, 20, 15, 25};
        const int64_t unit = 1000000 * kRtScale; // slower under sanitizers
        const int64_t base = lang_now_ns();      // deadlines from one base: start order is moot
        for (int64_t i = 0; i < 8; i++)
            rt_go([ch, i, &ms, base, unit] {
                int64_t t0 = lang_now_ns();
                lang_sleep_ns(base + ms[i] * unit - t0);
                CHECK(lang_now_ns() >= base + ms[i] * unit);
                int64_t d = ms[i];
                lang_chan_send(ch, &d);
            });
        for (int i = 0; i < 8; i++) {
            int64_t d;
            lang_chan_recv(ch, &d);
            order.push_back(d);
        }
        lang_chan_free(ch);
        return int64_t(0);
    });
    CHECK(order == std::vector<int64_t>{5, 10, 15, 20, 25, 30, 35, 40});
}

TEST_CASE("timer: many concurrent sleeps and stopped timeouts") {
    rt_run([] {
        const int kN = 2000 / kRtScale;
        LangWaitGroup *wg = lang_wg_new();
        lang_wg_add(wg, kN);
        for (int i = 0; i < kN; i++)
            rt_go([wg, i] { lang_sleep_ns(int64_t(i % 50) * 100000); lang_wg_done(wg); });
        // Timeout channels that are freed before they fire must never fire.
        for (int i = 0; i < 100; i++) lang_chan_free(lang_timeout_chan(int64_t(1) << 40));
        lang_wg_wait(wg);
        lang_wg_free(wg);
        int64_t a = lang_now_ns();
        lang_sleep_ns(0); // just a yield
        CHECK(lang_now_ns() >= a);
        return int64_t(0);
    });
}
