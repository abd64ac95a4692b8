// test_body_arenas.cpp: Arena::reset, and the recycled arenas of the pipelined build
// (src/driver/body_arenas.h): a group is reused only after it is full and every function
// handed out from it is done, whichever thread reports it.
#include "driver/body_arenas.h"

#include <doctest/doctest.h>
#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

using namespace lang;

TEST_CASE("Arena::reset forgets every allocation and reuses the first chunk") {
    Arena a;
    char* first = static_cast<char*>(a.alloc(100, 8));
    for (int i = 0; i < 5000; i++) a.alloc(1000, 8); // several chunks
    CHECK(a.bytes_allocated() > 5000u * 1000);
    size_t chunks = a.bytes_used();
    a.reset();
    size_t empty = a.bytes_allocated(); // only the chunk header
    CHECK(empty < 64);
    CHECK(a.bytes_used() < chunks);                      // the later chunks were freed
    CHECK(static_cast<char*>(a.alloc(100, 8)) == first); // the first one is reused
    CHECK(a.bytes_allocated() == empty + 100);
}

TEST_CASE("BodyArenas: a group is recycled only when full and all of its functions are done") {
    BodyArenas b(1); // every group is "full" after one function
    Arena* g1 = b.current();
    g1->alloc(64, 8);
    void* t1 = b.hand_out(); // function 1 built in g1
    b.next_function();       // g1 full: a new group
    Arena* g2 = b.current();
    CHECK(g2 != g1);
    g2->alloc(64, 8);
    void* t2 = b.hand_out();
    b.next_function();
    Arena* g3 = b.current(); // g1 still in use (t1 not done): not reused
    CHECK(g3 != g1);
    CHECK(g3 != g2);
    b.done(t1); // now g1 is free
    g3->alloc(64, 8);
    b.hand_out();
    b.next_function();
    CHECK(b.current() == g1);
    CHECK(g1->bytes_allocated() < 64); // reset before reuse (only the chunk header)
    b.done(t2);
}

TEST_CASE("BodyArenas: functions done on another thread; the groups in use stay few") {
    BodyArenas b(4096);
    std::vector<void*> tags;
    std::vector<Arena*> seen;
    for (int f = 0; f < 2000; f++) {
        b.next_function();
        Arena* a = b.current();
        void* p = a->alloc(1000, 8);
        memset(p, f & 0xff, 1000);
        tags.push_back(b.hand_out());
        if (tags.size() == 50) { // a batch compiled on another thread
            std::thread([&b, batch = tags] {
                for (void* t : batch) b.done(t);
            }).join();
            tags.clear();
        }
        if (std::find(seen.begin(), seen.end(), a) == seen.end()) seen.push_back(a);
    }
    for (void* t : tags) b.done(t);
    // 2000 KB were built in 4 KB groups (~4 functions each): without recycling that is
    // ~500 arenas; with at most 50 functions outstanding, ~15 groups are ever in use.
    CHECK(seen.size() <= 20);
}
