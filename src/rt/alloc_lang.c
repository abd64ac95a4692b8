/* alloc_lang.c: the allocators as Lang sees them (lib/std/Memory.lang: Arena, Pool, and
 * `context.temp_allocator`), over the C API of lang_alloc.h.
 *
 * The library classes keep their runtime allocator as an int (`handle`): a LangArena* or
 * LangPool*, which is also its LangAllocator* (lang_alloc.h), so `context.allocator = a;`
 * stores the handle itself into the context copy (lower_context.cpp). A released
 * allocator has handle 0.
 *
 * Ownership check (LANGUAGE.md section 7): releasing an arena or a pool while objects it
 * allocated are still owned panics when debug checks are on (the default; LANG_DEBUG=0
 * turns them off): an arena names the count and the first allocation site, a pool the
 * count. With the checks off the memory is released regardless.
 *
 * Invariants: the entries the memory prelude calls take the context first (the calling
 * convention of its intrinsics, src/sema/rt_intrinsics.def); none allocates through it.
 */
#include "rt_internal.h"

int64_t lang_arena_new(LangContext *ctx, int64_t chunk_bytes) {
    (void)ctx;
    if (chunk_bytes < 0) lang_panicf("Arena size %lld is negative", (long long)chunk_bytes);
    return (int64_t)(uintptr_t)lang_arena_create(NULL, (size_t)chunk_bytes, -1);
}

static LangArena *arena_of(int64_t h) {
    if (!h) lang_panic("arena used after Release()");
    return (LangArena *)(uintptr_t)h;
}

void lang_arena_release(LangContext *ctx, int64_t h) {
    (void)ctx;
    if (h) lang_arena_destroy(arena_of(h)); /* panics with count and site when objects are live */
}

void lang_arena_reset_lang(LangContext *ctx, int64_t h) {
    (void)ctx;
    lang_arena_reset(arena_of(h));
}

int64_t lang_arena_live(LangContext *ctx, int64_t h) {
    (void)ctx;
    return lang_arena_live_count(arena_of(h));
}

int64_t lang_arena_reserved(LangContext *ctx, int64_t h) {
    (void)ctx;
    return (int64_t)lang_arena_reserved_bytes(arena_of(h));
}

int64_t lang_pool_new(LangContext *ctx, int64_t block_size, int64_t count) {
    (void)ctx;
    if (block_size <= 0) lang_panicf("Pool block size %lld must be positive", (long long)block_size);
    if (count <= 0) lang_panicf("Pool block count %lld must be positive", (long long)count);
    return (int64_t)(uintptr_t)lang_pool_create(NULL, (size_t)block_size, (size_t)count);
}

static LangPool *pool_of(int64_t h) {
    if (!h) lang_panic("pool used after Release()");
    return (LangPool *)(uintptr_t)h;
}

void lang_pool_release(LangContext *ctx, int64_t h) {
    (void)ctx;
    if (!h) return;
    LangPool *p = pool_of(h);
    int64_t live = lang_pool_live_count(p);
    if (live > 0 && lang_rt_debug_checks)
        lang_panicf("pool freed with %lld live allocation%s", (long long)live, live == 1 ? "" : "s");
    lang_pool_destroy(p);
}

int64_t lang_pool_live(LangContext *ctx, int64_t h) {
    (void)ctx;
    return lang_pool_live_count(pool_of(h));
}

int64_t lang_pool_chunks(LangContext *ctx, int64_t h) {
    (void)ctx;
    return (int64_t)lang_pool_chunk_count(pool_of(h));
}

/* `context.allocator = a;` with a released allocator: the handle is 0. */
int64_t lang_allocator_checked(int64_t h) {
    if (!h) lang_panic("an allocator used after Release() cannot become context.allocator");
    return h;
}

int64_t lang_context_temp_used(LangContext *ctx) {
    LangAllocator *a = ctx->temp_allocator;
    return lang_alloc_is_temp(a) ? (int64_t)lang_temp_used((LangTemp *)a->procedure_data) : 0;
}

/* The allocator a spawned thread starts with: the spawner's when it is the (thread-safe)
 * default allocator, else the default one. Arenas, pools and temp allocators belong to
 * one thread, and the block that made one the spawner's allocator may end before the new
 * thread does. */
LangAllocator *lang_spawn_allocator(LangContext *ctx) {
    LangAllocator *a = ctx ? ctx->allocator : NULL;
    return a && lang_allocator_kind(a) == 'd' ? a : lang_default_allocator();
}
