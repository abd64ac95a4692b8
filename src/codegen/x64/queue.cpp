// queue.cpp: the code generator's work queue (see Codegen in codegen/target.h).
//
// The lowering thread add()s finished functions; one worker per core takes the next one
// in order and compiles it into its own Chunk (merge.cpp). finish() closes the queue,
// works on it itself until it is empty, joins the workers and merges.
#include "codegen/x64/emit_impl.h"

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace lang::x64 {

// The queue between whoever hands out functions (the lowering thread) and the workers:
// add() appends under the mutex and wakes a worker; a worker takes the next function in
// order. finish() closes the queue, works on it itself until it is empty, joins and merges.
struct Codegen::Impl {
    // More waiting functions than this and add() compiles one itself: enough to keep
    // every worker busy, few enough that their IR stays small and warm in the cache.
    static constexpr size_t kMaxWaiting = 32;
    // A worker that found the queue empty sleeps until this many functions wait (or the
    // queue closes): waking it for every function would cost a context switch each time
    // the workers keep up with the lowering thread.
    static constexpr size_t kWakeBatch = 8;
    const ir::Module& m;
    std::function<void(void*)> done;
    std::mutex mu;
    std::condition_variable cv;
    std::vector<const ir::Func*> queue;
    std::vector<void*> tags; // add()'s tag of queue[k]
    size_t next = 0;
    bool closed = false;
    std::vector<std::unique_ptr<emitdetail::Worker>> workers; // [0] is the adding/finishing thread's
    std::vector<std::thread> threads;

    Impl(const ir::Module& mod, std::function<void(void*)> d) : m(mod), done(std::move(d)) {}

    void compile(emitdetail::Worker& w, const ir::Func* f, void* tag, uint32_t k) {
        w.compile_one(m, *f, k);
        if (done) done(tag);
    }

    void work(emitdetail::Worker& w) {
        for (;;) {
            uint32_t k;
            const ir::Func* f;
            void* tag;
            {
                std::unique_lock<std::mutex> lock(mu);
                if (next == queue.size())
                    cv.wait(lock, [&] { return queue.size() - next >= kWakeBatch || closed; });
                if (next == queue.size()) return; // closed and drained
                k = (uint32_t)next++;
                f = queue[k], tag = tags[k]; // (read under the lock: add() may grow the vectors)
            }
            compile(w, f, tag, k);
        }
    }
};

Codegen::Codegen(const ir::Module& m, int jobs, std::function<void(void*)> done) : impl_(new Impl(m, std::move(done))) {
    unsigned n = jobs > 0 ? (unsigned)jobs : std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
    for (unsigned j = 0; j < n; j++) impl_->workers.push_back(std::make_unique<emitdetail::Worker>());
    for (unsigned j = 1; j < n; j++) impl_->threads.emplace_back([this, j] { impl_->work(*impl_->workers[j]); });
}

Codegen::~Codegen() {
    {
        std::lock_guard<std::mutex> lock(impl_->mu);
        impl_->closed = true;
        impl_->next = impl_->queue.size(); // abandoned without finish(): skip what is left
    }
    impl_->cv.notify_all();
    for (std::thread& t : impl_->threads)
        if (t.joinable()) t.join();
    delete impl_;
}

void Codegen::add(const ir::Func& f, void* tag) {
    Impl& q = *impl_;
    uint32_t k = UINT32_MAX;
    const ir::Func* oldest = nullptr;
    void* oldest_tag = nullptr;
    size_t waiting;
    {
        std::lock_guard<std::mutex> lock(q.mu);
        q.queue.push_back(&f);
        q.tags.push_back(tag);
        waiting = q.queue.size() - q.next;
        if (waiting > Impl::kMaxWaiting) {
            k = (uint32_t)q.next++;
            oldest = q.queue[k], oldest_tag = q.tags[k];
        }
    }
    if (waiting % Impl::kWakeBatch == 0) q.cv.notify_one(); // every batch can wake one more worker
    if (oldest) q.compile(*q.workers[0], oldest, oldest_tag, k);
}

bool Codegen::finish(obj::Object& o, Diag& diag) {
    Impl& q = *impl_;
    {
        std::lock_guard<std::mutex> lock(q.mu);
        q.closed = true;
    }
    q.cv.notify_all();
    q.work(*q.workers[0]);
    for (std::thread& t : q.threads) t.join();
    std::vector<emitdetail::Worker*> ws;
    for (auto& w : q.workers) ws.push_back(w.get());
    return emitdetail::merge(q.m, q.queue, ws, o, diag);
}

bool compile(const ir::Module& m, obj::Object& o, Diag& diag, int jobs) {
    Codegen cg(m, jobs);
    for (const ir::Func* f : m.funcs) cg.add(*f);
    return cg.finish(o, diag);
}

} // namespace lang::x64
