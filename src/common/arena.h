// arena.h: bump allocation for AST, types and IR.
//
// Every node of the compiler's data structures is allocated from an Arena owned by
// the compilation context and freed all at once when the compilation ends. Nodes must
// be trivially destructible or own nothing that needs a destructor (use ArenaVec/Span
// instead of std::vector inside nodes).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h> // reset() poisons; alloc() unpoisons what it hands out
#endif

namespace lang {

class Arena {
public:
    Arena() = default;
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;
    ~Arena();

    void* alloc(size_t size, size_t align = alignof(std::max_align_t)) {
        uintptr_t p = (reinterpret_cast<uintptr_t>(cur_) + (align - 1)) & ~(uintptr_t)(align - 1);
        if (p + size > reinterpret_cast<uintptr_t>(end_)) return grow(size, align);
        cur_ = reinterpret_cast<char*>(p + size);
#if defined(__SANITIZE_ADDRESS__)
        ASAN_UNPOISON_MEMORY_REGION(reinterpret_cast<void*>(p), size);
#endif
        return reinterpret_cast<void*>(p);
    }
    template <class T, class... Args> T* make(Args&&... args) {
        return new (alloc(sizeof(T), alignof(T))) T(std::forward<Args>(args)...);
    }
    template <class T> T* array(size_t n) {
        T* p = static_cast<T*>(alloc(sizeof(T) * (n ? n : 1), alignof(T)));
        for (size_t i = 0; i < n; i++) new (p + i) T();
        return p;
    }
    const char* copy_str(const char* s, size_t n) {
        char* p = static_cast<char*>(alloc(n + 1, 1));
        memcpy(p, s, n);
        p[n] = 0;
        return p;
    }
    size_t bytes_used() const { return used_; }
    // Bytes taken from the chunks since construction or the last reset: allocations,
    // their alignment padding and the chunk headers (bytes_used counts whole chunks).
    size_t bytes_allocated() const { return used_ - (size_t)(end_ - cur_); }
    // Forgets every allocation: keeps the first chunk for the next ones and frees the
    // rest. Whatever was allocated before must never be read again (sanitizer builds
    // poison the memory so that such a read is reported).
    void reset();

private:
    void* grow(size_t size, size_t align);
    struct Chunk {
        Chunk* next;
        size_t size;
    };
    Chunk* chunks_ = nullptr;
    char* cur_ = nullptr;
    char* end_ = nullptr;
    size_t used_ = 0;
};

// A growable array whose storage lives in an Arena. Old storage is abandoned on growth
// (the arena frees it at the end); good for the small lists inside AST and IR nodes.
template <class T> struct ArenaVec {
    T* data = nullptr;
    uint32_t size = 0;
    uint32_t cap = 0;

    void push(Arena& a, const T& v) {
        if (size == cap) {
            uint32_t nc = cap ? cap * 2 : 4;
            T* nd = static_cast<T*>(a.alloc(sizeof(T) * nc, alignof(T)));
            if (size) memcpy((void*)nd, (const void*)data, sizeof(T) * size);
            data = nd;
            cap = nc;
        }
        new (data + size++) T(v);
    }
    T& operator[](size_t i) { return data[i]; }
    const T& operator[](size_t i) const { return data[i]; }
    T* begin() { return data; }
    T* end() { return data + size; }
    const T* begin() const { return data; }
    const T* end() const { return data + size; }
    bool empty() const { return size == 0; }
    T& back() { return data[size - 1]; }
    void pop() { size--; }
    void clear() { size = 0; }
};

// The list *v, or an empty one when v is null: for lists that are almost always empty, which
// a node holds behind a pointer (null: none) to stay small.
template <class T> const ArenaVec<T>& or_empty(const ArenaVec<T>* v) {
    static const ArenaVec<T> none;
    return v ? *v : none;
}

} // namespace lang
