// arena.cpp: chunk management for Arena (see arena.h).
#include "common/arena.h"
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <sys/mman.h>
#include <thread>

namespace lang {

// The prefaulted region: mapped once, handed to the allocator as its current chunk,
// unmapped with the arena. The thread walks it in 2 MiB steps (one huge page each).
struct Arena::Prefaulter {
    char* base = nullptr;
    size_t size = 0;
    std::atomic<bool> stop{false};
    std::thread thread;
    void* unmap_base = nullptr; // the whole mapping (base is its 2 MiB-aligned part)
    size_t unmap_size = 0;
    void run() {
        constexpr size_t kStep = 2 << 20;
        for (size_t off = 0; off < size && !stop.load(std::memory_order_relaxed); off += kStep)
            if (madvise(base + off, std::min(kStep, size - off), MADV_POPULATE_WRITE) != 0) break;
    }
};

void Arena::prefault(size_t bytes) {
    if (pf_ || bytes == 0) return;
    constexpr size_t kHuge = 2 << 20;
    size_t size = (bytes + kHuge - 1) & ~(kHuge - 1);
    // Over-allocate by one huge page to align the region to 2 MiB.
    void* p = mmap(nullptr, size + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return;
    char* base = reinterpret_cast<char*>(((uintptr_t)p + kHuge - 1) & ~(uintptr_t)(kHuge - 1));
    madvise(base, size, MADV_HUGEPAGE);
    pf_ = new Prefaulter;
    pf_->base = base;
    pf_->size = size;
    pf_->unmap_base = p; // see the destructor
    pf_->unmap_size = size + kHuge;
    pf_->thread = std::thread([this] { pf_->run(); });
    // What is left of the current chunk is abandoned: the region becomes the chunk.
    cur_ = base;
    end_ = base + size;
}

size_t Arena::bytes_used() const {
    if (!pf_) return used_;
    bool in_region = cur_ >= pf_->base && cur_ <= pf_->base + pf_->size;
    return used_ + (in_region ? (size_t)(cur_ - pf_->base) : pf_->size);
}

Arena::~Arena() {
    if (pf_) {
        pf_->stop = true;
        pf_->thread.join();
        munmap(pf_->unmap_base, pf_->unmap_size);
        delete pf_;
    }
    while (chunks_) {
        Chunk* n = chunks_->next;
        free(chunks_);
        chunks_ = n;
    }
}

// Chunk sizes: 1 MiB while the arena is small, then 4 MiB chunks aligned to 2 MiB that
// ask the kernel for transparent huge pages (madvise). Big compilations fill hundreds
// of megabytes of fresh memory; with 4 KiB pages every page costs a page fault (about a
// tenth of the run time), with huge pages one fault covers 2 MiB. Small programs never
// reach the threshold and so never pay for clearing a huge page they do not use.
constexpr size_t kSmallChunk = 1 << 20, kHugeChunk = 4 << 20, kHugeAlign = 2 << 20;
constexpr size_t kHugeAfter = 8 << 20; // bytes already in the arena before switching

void* Arena::grow(size_t size, size_t align) {
    bool huge = used_ >= kHugeAfter;
    size_t chunk = huge ? kHugeChunk : kSmallChunk;
    if (size + align + sizeof(Chunk) > chunk) chunk = size + align + sizeof(Chunk), huge = false;
    Chunk* c = static_cast<Chunk*>(huge ? aligned_alloc(kHugeAlign, chunk) : malloc(chunk));
    if (!c) abort();
    if (huge) madvise(c, chunk, MADV_HUGEPAGE); // only a hint: failure just means small pages
    c->next = chunks_;
    chunks_ = c;
    used_ += chunk;
    cur_ = reinterpret_cast<char*>(c + 1);
    end_ = reinterpret_cast<char*>(c) + chunk;
    return alloc(size, align);
}

} // namespace lang
