// test_rt_alloc_small.cpp: the default allocator's small-block pages (src/rt/alloc_small.c)
// and the malloc path beside them: every size with its alignment and contents, reuse after
// free, blocks freed on another OS thread (remote frees, many threads at once), heaps of
// exited threads adopted, empty pages given back, double frees and foreign pointers, the
// live counters, large and over-aligned blocks, realloc across the small/large boundary.
#include <doctest/doctest.h>
#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>
#include "rt/rt_internal.h"
#include "run_forked.h"

#include "rt/alloc_small.h"

namespace {
size_t pages_held() {
    size_t in_use, empty;
    lang_small_heap_counts(&in_use, &empty);
    return in_use + empty;
}
LangAllocStats stats() {
    LangAllocStats s;
    lang_default_allocator_stats(&s);
    return s;
}
void *dalloc(size_t n, size_t align = 16) {
    LangAllocator *d = lang_default_allocator();
    return d->alloc(d->procedure_data, n, align);
}
void dfree(void *p) {
    LangAllocator *d = lang_default_allocator();
    d->free(d->procedure_data, p);
}
void fill(void *p, size_t n, unsigned seed) {
    auto *b = static_cast<unsigned char *>(p);
    for (size_t i = 0; i < n; i++) b[i] = (unsigned char)(seed + i * 7);
}
bool intact(const void *p, size_t n, unsigned seed) {
    auto *b = static_cast<const unsigned char *>(p);
    for (size_t i = 0; i < n; i++)
        if (b[i] != (unsigned char)(seed + i * 7)) return false;
    return true;
}
} // namespace

TEST_CASE("rt alloc small: every size up to 2 KiB is 16-byte aligned, keeps its contents and is counted") {
    LangAllocStats s0 = stats();
    std::vector<std::pair<void *, size_t>> blocks;
    int64_t bytes = 0;
    for (int round = 0; round < 3; round++)
        for (size_t n = 0; n <= 2048; n += (n < 600 ? 1 : 37)) {
            void *p = dalloc(n);
            REQUIRE(p != nullptr);
            CHECK(((uintptr_t)p & 15) == 0);
            fill(p, n, (unsigned)(n + round));
            blocks.push_back({p, n});
            bytes += (int64_t)n;
        }
    LangAllocStats s1 = stats();
    CHECK(s1.live_count == s0.live_count + (int64_t)blocks.size());
    CHECK(s1.live_bytes == s0.live_bytes + bytes);
    CHECK(s1.total_count == s0.total_count + (int64_t)blocks.size());
    // The seed of block i is n + round; the blocks of one round follow each other.
    bool all_intact = true;
    size_t per_round = blocks.size() / 3;
    for (size_t i = 0; i < blocks.size(); i++)
        all_intact = all_intact && intact(blocks[i].first, blocks[i].second, (unsigned)(blocks[i].second + i / per_round));
    CHECK(all_intact);
    // No two live blocks overlap.
    std::vector<std::pair<uintptr_t, uintptr_t>> spans;
    for (auto [p, n] : blocks) spans.push_back({(uintptr_t)p, (uintptr_t)p + (n ? n : 1)});
    std::sort(spans.begin(), spans.end());
    bool disjoint = true;
    for (size_t i = 1; i < spans.size(); i++) disjoint = disjoint && spans[i - 1].second <= spans[i].first;
    CHECK(disjoint);
    for (auto [p, n] : blocks) dfree(p);
    LangAllocStats s2 = stats();
    CHECK(s2.live_count == s0.live_count);
    CHECK(s2.live_bytes == s0.live_bytes);
}

TEST_CASE("rt alloc small: a freed block is the next one of its class, on the same thread") {
    for (size_t n : {1, 16, 17, 48, 100, 200, 496}) {
        void *a = dalloc(n);
        void *keep = dalloc(n);
        dfree(a);
        void *b = dalloc(n);
        CHECK(b == a);
        dfree(b);
        dfree(keep);
    }
    // A bigger block does not come from a smaller class's list, nor a smaller from a bigger.
    void *small = dalloc(24);
    dfree(small);
    void *big = dalloc(300);
    CHECK(big != small);
    dfree(big);
}

TEST_CASE("rt alloc small: many blocks of one class span many pages; all come back") {
    size_t before = pages_held(), in_use0, empty0;
    lang_small_heap_counts(&in_use0, &empty0);
    std::vector<void *> v;
    for (int i = 0; i < 200000; i++) {
        v.push_back(dalloc(32));
        memcpy(v.back(), &i, sizeof i);
    }
    CHECK(pages_held() >= before + 100);
    bool ok = true;
    for (int i = 0; i < 200000; i++) ok = ok && memcmp(v[i], &i, sizeof i) == 0;
    CHECK(ok);
    // Free every other block first: no page is empty yet, each is reused before new ones.
    for (size_t i = 0; i < v.size(); i += 2) dfree(v[i]);
    size_t half = pages_held();
    for (size_t i = 0; i < v.size(); i += 2) v[i] = dalloc(32);
    CHECK(pages_held() == half);
    for (void *p : v) dfree(p);
    // Empty pages beyond the bound (16, or as many as are in use) went back.
    size_t in_use, empty;
    lang_small_heap_counts(&in_use, &empty);
    CHECK(in_use <= in_use0 + 1); // the class's current page stays
    CHECK(empty <= std::max<size_t>(16, in_use));
}

TEST_CASE("rt alloc small: blocks freed on another thread come back to the thread that made them") {
    LangAllocStats s0 = stats();
    std::vector<void *> v;
    for (int i = 0; i < 50000; i++) {
        v.push_back(dalloc(40 + i % 64));
        fill(v.back(), 40, (unsigned)i);
    }
    size_t pages = pages_held();
    bool ok = true;
    std::thread([&] {
        for (size_t i = 0; i < v.size(); i++) {
            ok = ok && intact(v[i], 40, (unsigned)i);
            dfree(v[i]);
        }
    }).join();
    CHECK(ok);
    LangAllocStats s1 = stats();
    CHECK(s1.live_count == s0.live_count);
    CHECK(s1.live_bytes == s0.live_bytes);
    // The next allocations reuse those blocks: no new pages.
    std::vector<void *> w;
    for (int i = 0; i < 50000; i++) w.push_back(dalloc(40 + i % 64));
    CHECK(pages_held() <= pages);
    for (void *p : w) dfree(p);
}

TEST_CASE("rt alloc small: threads that allocate, pass blocks around and free them at once") {
    // Each thread allocates blocks of many sizes, keeps some, hands others to the next
    // thread through a locked mailbox, and frees what it receives: remote frees race with
    // the owners' allocations and drains.
    constexpr int kThreads = 4, kRounds = 20000;
    std::mutex mu;
    std::vector<std::vector<std::pair<void *, unsigned>>> box(kThreads);
    std::atomic<int> bad{0};
    LangAllocStats s0 = stats();
    auto work = [&](int id) {
        std::vector<std::pair<void *, unsigned>> mine;
        for (int r = 0; r < kRounds; r++) {
            unsigned seed = (unsigned)(id * kRounds + r);
            size_t n = 8 + seed % 400;
            void *p = dalloc(n);
            fill(p, 8, seed);
            if (r % 3 == 0) {
                mine.push_back({p, seed});
            } else {
                std::lock_guard<std::mutex> g(mu);
                box[(id + 1) % kThreads].push_back({p, seed});
            }
            if (r % 64 == 0) {
                std::vector<std::pair<void *, unsigned>> got;
                {
                    std::lock_guard<std::mutex> g(mu);
                    got.swap(box[id]);
                }
                for (auto [q, s] : got) {
                    if (!intact(q, 8, s)) bad++;
                    dfree(q);
                }
            }
            if (mine.size() > 100) {
                for (auto [q, s] : mine) {
                    if (!intact(q, 8, s)) bad++;
                    dfree(q);
                }
                mine.clear();
            }
        }
        for (auto [q, s] : mine) dfree(q);
    };
    std::vector<std::thread> ts;
    for (int i = 0; i < kThreads; i++) ts.emplace_back(work, i);
    for (auto &t : ts) t.join();
    for (auto &b : box)
        for (auto [q, s] : b) {
            if (!intact(q, 8, s)) bad++;
            dfree(q);
        }
    CHECK(bad.load() == 0);
    LangAllocStats s1 = stats();
    CHECK(s1.live_count == s0.live_count);
    CHECK(s1.live_bytes == s0.live_bytes);
}

TEST_CASE("rt alloc small: the heap of an exited thread is adopted with its pending remote frees") {
    std::vector<void *> v;
    std::thread([&] {
        for (int i = 0; i < 5000; i++) v.push_back(dalloc(64));
    }).join();
    for (void *p : v) dfree(p); // its heap is orphaned: these are remote frees to it
    size_t adopted = 0, after = 0;
    std::thread([&] {
        void *p = dalloc(64); // adopts the most recently orphaned heap and drains it
        adopted = pages_held();
        std::vector<void *> w;
        for (int i = 0; i < 4999; i++) w.push_back(dalloc(64));
        after = pages_held();
        for (void *q : w) dfree(q);
        dfree(p);
    }).join();
    CHECK(adopted > 0);
    CHECK(after == adopted); // the blocks freed remotely were reused, no page added
}

TEST_CASE("rt alloc small: large and over-aligned blocks, realloc across the small/large boundary") {
    LangAllocStats s0 = stats();
    void *big = dalloc(100000);
    fill(big, 100000, 3);
    void *al64 = dalloc(40, 64), *al4k = dalloc(1000, 4096);
    CHECK(((uintptr_t)al64 & 63) == 0);
    CHECK(((uintptr_t)al4k & 4095) == 0);
    CHECK(stats().live_bytes == s0.live_bytes + 100000 + 40 + 1000);
    CHECK(intact(big, 100000, 3));
    LangAllocator *d = lang_default_allocator();
    void *p = dalloc(100);
    fill(p, 100, 9);
    p = d->realloc(d->procedure_data, p, 100, 5000, 16); // small -> large
    CHECK(intact(p, 100, 9));
    p = d->realloc(d->procedure_data, p, 5000, 50, 16);  // large -> small
    CHECK(intact(p, 50, 9));
    for (void *q : {big, al64, al4k, p}) dfree(q);
    CHECK(stats().live_count == s0.live_count);
    CHECK(stats().live_bytes == s0.live_bytes);
}

// Not under ThreadSanitizer (make test-tsan): reading the header of a freed malloc'd block
// to find it freed is what TSan reports as a use after free.
#ifndef __SANITIZE_THREAD__
TEST_CASE("rt alloc small: double frees and foreign pointers panic, small or large") {
    for (size_t n : {8, 300, 4000}) {
        auto [status, err] = run_forked([n] {
            void *p = dalloc(n);
            dfree(p);
            dfree(p);
        });
        CHECK(status == 101);
        CHECK(err.find("panic: free of a block the default allocator does not own (or double free)") == 0);
    }
    auto [status, err] = run_forked([] {
        alignas(16) static char foreign[64];
        dfree(foreign + 16);
    });
    CHECK(status == 101);
    CHECK(err.find("panic: free of a block the default allocator does not own") == 0);
    // A double free of a block whose page went back to the system still panics (the page
    // stays mapped and reads zeros).
    auto [status2, err2] = run_forked([] {
        std::vector<void *> v;
        for (int i = 0; i < 100000; i++) v.push_back(dalloc(48));
        for (void *p : v) dfree(p);
        dfree(v[97000]);
    });
    CHECK(status2 == 101);
    CHECK(err2.find("panic: free of a block the default allocator does not own") == 0);
}
#endif

TEST_CASE("rt alloc small: objects through lang_obj_new and lang_obj_drop are zeroed and freed") {
    static LangTypeInfo ti{};
    LangAllocStats s0 = stats();
    std::vector<void *> objs;
    for (int64_t size = 16; size <= 600; size += 8) {
        auto *o = static_cast<LangObjHeader *>(lang_obj_new(nullptr, &ti, size));
        CHECK(o->type == &ti);
        CHECK(o->allocator == lang_default_allocator());
        bool zero = true;
        for (int64_t i = 16; i < size; i++) zero = zero && ((unsigned char *)o)[i] == 0;
        CHECK(zero);
        memset((char *)o + 16, 0xEE, (size_t)size - 16); // the next object must be zeroed anew
        objs.push_back(o);
    }
    for (void *o : objs) lang_obj_drop(nullptr, o);
    for (int64_t size = 16; size <= 600; size += 8) {
        auto *o = static_cast<LangObjHeader *>(lang_obj_new(nullptr, &ti, size));
        bool zero = true;
        for (int64_t i = 16; i < size; i++) zero = zero && ((unsigned char *)o)[i] == 0;
        CHECK(zero);
        lang_obj_drop(nullptr, o);
    }
    CHECK(stats().live_count == s0.live_count);
}
