// test_rt_deque.cpp: the Chase-Lev deque (src/rt/deque.c): order, growth, and no lost or
// duplicated items under concurrent stealers.
#include "rt/lt_sched.h"
#include "rt_sched_util.h"
#include <atomic>
#include <chrono>
#include <doctest/doctest.h>
#include <thread>
#include <vector>

static void *item(intptr_t i) { return reinterpret_cast<void *>(i << 1); }
static intptr_t unitem(void *p) { return reinterpret_cast<intptr_t>(p) >> 1; }

TEST_CASE("deque: owner takes LIFO, thieves steal FIFO, grows") {
    LtDeque q;
    lt_deque_init(&q, 2); // 4 slots: pushes below force growth
    CHECK(lt_deque_take(&q) == nullptr);
    CHECK(lt_deque_steal(&q) == nullptr);
    for (intptr_t i = 1; i <= 100; i++) lt_deque_push(&q, item(i));
    CHECK(lt_deque_size(&q) == 100);
    CHECK(unitem(lt_deque_steal(&q)) == 1);
    CHECK(unitem(lt_deque_steal(&q)) == 2);
    CHECK(unitem(lt_deque_take(&q)) == 100);
    CHECK(unitem(lt_deque_take(&q)) == 99);
    int n = 0;
    while (lt_deque_take(&q)) n++;
    CHECK(n == 96);
    CHECK(lt_deque_take(&q) == nullptr);
    lt_deque_destroy(&q);
}

TEST_CASE("deque: concurrent stealers lose and duplicate nothing") {
    const int kItems = 200000 / kRtScale, kThieves = 3;
    LtDeque q;
    lt_deque_init(&q, 3);
    std::vector<std::atomic<int>> seen(kItems + 1);
    std::atomic<bool> done{false};
    std::atomic<long> stolen{0};
    std::vector<std::thread> thieves;
    for (int k = 0; k < kThieves; k++)
        thieves.emplace_back([&] {
            for (;;) {
                void *x = lt_deque_steal(&q);
                if (x == LT_DEQUE_ABORT) continue;
                if (x) {
                    seen[unitem(x)].fetch_add(1);
                    stolen++;
                } else if (done.load()) {
                    break;
                }
            }
        });
    long taken = 0;
    for (intptr_t i = 1; i <= kItems; i++) {
        lt_deque_push(&q, item(i));
        if (i % 3 == 0) // interleave takes so owner and thieves race for the last element
            if (void *x = lt_deque_take(&q)) { seen[unitem(x)].fetch_add(1); taken++; }
    }
    // On a loaded machine the thieves may not have run yet: give them up to 2 s.
    for (int ms = 0; ms < 2000 && stolen.load() == 0; ms++) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    while (void *x = lt_deque_take(&q)) { seen[unitem(x)].fetch_add(1); taken++; }
    done = true;
    for (auto &t : thieves) t.join();
    int bad = 0;
    for (int i = 1; i <= kItems; i++) bad += seen[i].load() != 1;
    CHECK(bad == 0);
    CHECK(taken + stolen.load() == kItems);
    CHECK(stolen.load() > 0);
    lt_deque_destroy(&q);
}
