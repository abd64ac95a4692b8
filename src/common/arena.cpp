// arena.cpp: chunk management for Arena (see arena.h).
#include "common/arena.h"
#include <cstdlib>

namespace lang {

Arena::~Arena() {
    while (chunks_) {
        Chunk* n = chunks_->next;
        free(chunks_);
        chunks_ = n;
    }
}

void* Arena::grow(size_t size, size_t align) {
    size_t chunk = 1 << 20;
    if (size + align + sizeof(Chunk) > chunk) chunk = size + align + sizeof(Chunk);
    Chunk* c = static_cast<Chunk*>(malloc(chunk));
    if (!c) abort();
    c->next = chunks_;
    chunks_ = c;
    used_ += chunk;
    cur_ = reinterpret_cast<char*>(c + 1);
    end_ = reinterpret_cast<char*>(c) + chunk;
    return alloc(size, align);
}

} // namespace lang
