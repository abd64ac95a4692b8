// test_rt_handles.cpp: reference counts of the concurrency handles (src/rt/handle.c): the
// last release destroys a channel, dropping its buffered elements; a task outlives its
// last handle while it runs and drops a result nobody joined; Mutex<T> drops its value.
#include "rt_sched_util.h"
#include <atomic>
#include <doctest/doctest.h>

static std::atomic<int64_t> g_dropped{0};
static void drop_i64(void *ctx, void *value) {
    CHECK(ctx != nullptr);
    g_dropped += *static_cast<int64_t *>(value);
}

TEST_CASE("handles: retain/release count; the last release drops buffered elements") {
    rt_run([] {
        g_dropped = 0;
        int64_t live = lang_handles_live();
        LangChan *ch = lang_chan_new(sizeof(int64_t), 4);
        lang_chan_set_drop(ch, drop_i64);
        CHECK(lang_handles_live() == live + 1);
        CHECK(lang_handle_count(ch) == 1);
        lang_handle_retain(ch);
        CHECK(lang_handle_count(ch) == 2);
        for (int64_t v : {1, 10, 100}) lang_chan_send(ch, &v);
        int64_t got = 0;
        lang_chan_recv(ch, &got); // 1 is ours now: not dropped by the channel
        CHECK(got == 1);
        lang_handle_release(nullptr, ch);
        CHECK(g_dropped == 0);
        CHECK(lang_handles_live() == live + 1);
        lang_handle_release(nullptr, ch); // the last one: 10 and 100 are dropped
        CHECK(g_dropped == 110);
        CHECK(lang_handles_live() == live);
        lang_handle_release(nullptr, nullptr); // null is no handle
        return int64_t(0);
    });
}

TEST_CASE("handles: a task outlives its last handle; an unjoined result is dropped") {
    rt_run([] {
        g_dropped = 0;
        int64_t live = lang_handles_live();
        LangChan *go = lang_chan_new(sizeof(int64_t), 0);
        LangTask *t = lang_task_spawn(
            [](void *arg, void *res) {
                LangChan *g = *static_cast<LangChan **>(arg);
                int64_t v = 0;
                lang_chan_recv(g, &v);
                *static_cast<int64_t *>(res) = v;
            },
            &go, sizeof go, sizeof(int64_t));
        lang_task_set_drop(t, drop_i64);
        CHECK(lang_handle_count(t) == 2); // the handle's and the running thread's
        lang_handle_release(nullptr, t);  // the task still runs, waiting on go
        int64_t v = 42;
        lang_chan_send(go, &v);
        while (lang_handles_live() != live + 1) lang_sleep_ns(100000); // the task went
        CHECK(g_dropped == 42);
        lang_handle_release(nullptr, go);
        CHECK(lang_handles_live() == live);

        LangTask *j = lang_task_spawn([](void *, void *res) { *static_cast<int64_t *>(res) = 7; }, nullptr, 0,
                                      sizeof(int64_t));
        lang_task_set_drop(j, drop_i64);
        int64_t r = 0;
        lang_task_join(j, &r); // the joiner takes the result: nothing to drop later
        CHECK(r == 7);
        while (lang_handle_count(j) != 1) lang_sleep_ns(100000);
        lang_handle_release(nullptr, j);
        CHECK(g_dropped == 42);
        CHECK(lang_handles_live() == live);
        return int64_t(0);
    });
}

TEST_CASE("handles: Mutex<T> drops its value; WaitGroup, Mutex and Atomic are counted") {
    rt_run([] {
        g_dropped = 0;
        int64_t live = lang_handles_live();
        void *md = lang_mutex_data_new(sizeof(int64_t), drop_i64);
        *reinterpret_cast<int64_t *>(static_cast<char *>(md) + LANG_MUTEX_DATA_VALUE) = 5;
        LangMutex *mu = *reinterpret_cast<LangMutex **>(static_cast<char *>(md) + LANG_MUTEX_DATA_MUTEX);
        lang_mutex_lock(mu);
        lang_mutex_unlock(mu);
        lang_handle_retain(md);
        lang_handle_release(nullptr, md);
        CHECK(g_dropped == 0);
        lang_handle_release(nullptr, md);
        CHECK(g_dropped == 5);
        LangAtomic *a = lang_atomic_new(3);
        CHECK(lang_atomic_add(a, 4) == 7);
        LangWaitGroup *wg = lang_wg_new();
        LangMutex *m = lang_mutex_new();
        CHECK(lang_handles_live() == live + 3);
        for (void *h : {(void *)a, (void *)wg, (void *)m}) lang_handle_release(nullptr, h);
        CHECK(lang_handles_live() == live);
        return int64_t(0);
    });
}
