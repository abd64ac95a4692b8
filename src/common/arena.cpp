// arena.cpp: chunk management for Arena (see arena.h).
#include "common/arena.h"
#include <cstdlib>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define LANG_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define LANG_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define LANG_POISON(p, n) ((void)(p), (void)(n))
#define LANG_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace lang {

Arena::~Arena() {
    while (chunks_) {
        Chunk* n = chunks_->next;
        LANG_UNPOISON(chunks_, chunks_->size);
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
constexpr size_t kHugeAfter = 2 << 20; // bytes already in the arena before switching

void Arena::reset() {
    if (!chunks_) return;
    while (chunks_->next) { // the list is newest first: keep the oldest
        Chunk* n = chunks_->next;
        LANG_UNPOISON(chunks_, chunks_->size);
        free(chunks_);
        chunks_ = n;
    }
    char* start = reinterpret_cast<char*>(chunks_ + 1);
    end_ = reinterpret_cast<char*>(chunks_) + chunks_->size;
    LANG_POISON(start, (size_t)(end_ - start)); // alloc() unpoisons what it hands out
    cur_ = start;
    used_ = chunks_->size;
}

void* Arena::grow(size_t size, size_t align) {
    bool huge = used_ >= kHugeAfter;
    size_t chunk = huge ? kHugeChunk : kSmallChunk;
    if (size + align + sizeof(Chunk) > chunk) chunk = size + align + sizeof(Chunk), huge = false;
    Chunk* c = static_cast<Chunk*>(huge ? aligned_alloc(kHugeAlign, chunk) : malloc(chunk));
    if (!c) abort();
    if (huge) madvise(c, chunk, MADV_HUGEPAGE); // only a hint: failure just means small pages
    c->next = chunks_;
    c->size = chunk;
    chunks_ = c;
    used_ += chunk;
    cur_ = reinterpret_cast<char*>(c + 1);
    end_ = reinterpret_cast<char*>(c) + chunk;
    return alloc(size, align);
}

} // namespace lang
