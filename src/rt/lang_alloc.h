/* lang_alloc.h: the C API of the runtime's allocators (the seed's Allocator interface,
 * LangAllocator in lang_rt.h, plus constructors and statistics for each kind).
 *
 *   default  per-OS-thread pages of small blocks, malloc for big ones, with tracking (live
 *            count and bytes; LANG_LEAKS=1 reports leaks)
 *   arena    bump allocation in chunks, bulk free; counts live allocations so that
 *            destroying it while objects from it are still owned panics (debug checks)
 *   pool     fixed-size blocks with a free list
 *   temp     per-thread scratch memory, reset as a whole
 *
 * Invariants: every kind embeds its LangAllocator as the first member, so a LangArena* is
 * also a LangAllocator* (lang_arena_allocator() just converts). free(NULL) is a no-op for
 * every kind. Arena, pool and temp allocators are not thread-safe: each is owned by one
 * lightweight thread at a time. The default allocator is thread-safe.
 */
#ifndef LANG_ALLOC_H
#define LANG_ALLOC_H
#include <stddef.h>
#include <stdint.h>
#include "lang_rt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- default allocator ---- */
LangAllocator *lang_default_allocator(void);
typedef struct LangAllocStats {
    int64_t live_count;     /* allocations not yet freed */
    int64_t live_bytes;     /* their requested sizes */
    int64_t total_count;    /* allocations ever made (a recycled string block is not counted again) */
} LangAllocStats;
void lang_default_allocator_stats(LangAllocStats *out);

/* ---- arena ---- */
typedef struct LangArena LangArena;
/* backing: where chunks come from (NULL: the default allocator); chunk_size 0: 64 KiB.
 * track_live: count live allocations and remember where each was made (debug checks);
 * pass -1 to follow lang_rt_debug_checks. */
LangArena *lang_arena_create(LangAllocator *backing, size_t chunk_size, int track_live);
LangAllocator *lang_arena_allocator(LangArena *a);
/* Allocations made and not freed individually since the last reset (0 when untracked). */
int64_t lang_arena_live_count(const LangArena *a);
/* The non-exiting ownership check: returns the live count; when it is > 0 and msg is not
 * NULL, writes "arena freed with N live allocations; first allocated at SITE" into msg. */
int64_t lang_arena_check_live(const LangArena *a, char *msg, size_t cap);
/* Frees every allocation at once (keeps the first chunk for reuse). Panics like destroy
 * when tracking is on and allocations are still live. */
void lang_arena_reset(LangArena *a);
/* Like reset, but never panics (the caller knows the objects are dead). */
void lang_arena_reset_unchecked(LangArena *a);
/* Panics (status 101) when tracking is on and allocations are still live, then frees. */
void lang_arena_destroy(LangArena *a);
/* Bytes reserved from the backing allocator (all chunks). */
size_t lang_arena_reserved_bytes(const LangArena *a);

/* ---- pool ---- */
typedef struct LangPool LangPool;
/* Blocks of block_size bytes (rounded up to 16), blocks_per_chunk per chunk (0: 64). */
LangPool *lang_pool_create(LangAllocator *backing, size_t block_size, size_t blocks_per_chunk);
LangAllocator *lang_pool_allocator(LangPool *p);
int64_t lang_pool_live_count(const LangPool *p);
size_t lang_pool_chunk_count(const LangPool *p);
void lang_pool_destroy(LangPool *p);

/* ---- temp allocator ---- */
typedef struct LangTemp LangTemp;
LangTemp *lang_temp_create(LangAllocator *backing);
LangAllocator *lang_temp_allocator(LangTemp *t);
/* Everything allocated from t since creation (or since the mark) becomes invalid. */
void lang_temp_reset(LangTemp *t);
size_t lang_temp_mark(const LangTemp *t);
void lang_temp_reset_to(LangTemp *t, size_t mark);
size_t lang_temp_used(const LangTemp *t);
void lang_temp_destroy(LangTemp *t);
/* The Lang-level `context.temp_allocator.Reset()`: resets ctx->temp_allocator when it is
 * a temp allocator (an arena is reset unchecked; other kinds are left alone). */
void lang_context_temp_reset(LangContext *ctx);

/* Which kind made an allocator: 'd' default, 'a' arena, 'p' pool, 't' temp, 0 unknown. */
int lang_allocator_kind(const LangAllocator *a);

#ifdef __cplusplus
}
#endif
#endif
