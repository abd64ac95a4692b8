/* alloc_pool.c: the Pool allocator: fixed-size blocks handed out from a free list.
 *
 * Blocks come from chunks of blocks_per_chunk blocks taken from the backing allocator;
 * a freed block goes to the front of the free list, so the next allocation reuses it
 * (LIFO: the most recently freed block is the warmest in cache). Chunks are returned only
 * when the pool is destroyed.
 *
 * Invariants: every block on the free list belongs to one of the pool's chunks and is not
 * live; live == blocks handed out - blocks freed. A request larger than the block size
 * (or more aligned than 16) panics: a pool serves one size. Blocks may be freed from any thread (under the runtime's LtLock).
 */
#include <string.h>
#include "lt_sched.h"
#include "rt_internal.h"

typedef struct FreeBlock {
    struct FreeBlock *next;
} FreeBlock;

typedef struct PoolChunk {
    struct PoolChunk *next;
    size_t pad;        /* keeps the blocks 16-byte aligned */
    unsigned char blocks[];
} PoolChunk;

struct LangPool {
    LangAllocator base;   /* first: a LangPool* is a LangAllocator* */
    LangAllocator *backing;
    size_t block_size, blocks_per_chunk;
    PoolChunk *chunks;
    size_t nchunks;
    FreeBlock *free_list;
    int64_t live;
    LtLock lock;          /* a block may be freed by another thread (its object was sent there) */
};

static void grow(LangPool *p) {
    LangAllocator *b = p->backing;
    PoolChunk *c = b->alloc(b->procedure_data, sizeof(PoolChunk) + p->block_size * p->blocks_per_chunk, 16);
    c->next = p->chunks;
    p->chunks = c;
    p->nchunks++;
    /* Thread the new blocks onto the free list in address order. */
    for (size_t i = p->blocks_per_chunk; i-- > 0;) {
        FreeBlock *f = (FreeBlock *)(c->blocks + i * p->block_size);
        f->next = p->free_list;
        p->free_list = f;
    }
}

static void *pool_alloc(void *data, size_t size, size_t align) {
    LangPool *p = data;
    if (size > p->block_size || align > 16)
        lang_panicf("pool allocator: request of %zu bytes (alignment %zu) does not fit its %zu-byte blocks",
                    size, align, p->block_size);
    lt_lock(&p->lock);
    if (!p->free_list) grow(p);
    FreeBlock *f = p->free_list;
    p->free_list = f->next;
    p->live++;
    lt_unlock(&p->lock);
    return f;
}

static void pool_free(void *data, void *ptr) {
    LangPool *p = data;
    if (!ptr) return;
    FreeBlock *f = ptr;
    lt_lock(&p->lock);
    f->next = p->free_list;
    p->free_list = f;
    p->live--;
    lt_unlock(&p->lock);
}

static void *pool_realloc(void *data, void *ptr, size_t old_size, size_t new_size, size_t align) {
    LangPool *p = data;
    (void)old_size;
    if (!ptr) return pool_alloc(data, new_size, align);
    if (new_size > p->block_size || align > 16)
        lang_panicf("pool allocator: cannot grow a block to %zu bytes (block size %zu)", new_size, p->block_size);
    return ptr;
}

int lang_alloc_is_pool(const LangAllocator *a) { return a && a->alloc == pool_alloc; }

LangPool *lang_pool_create(LangAllocator *backing, size_t block_size, size_t blocks_per_chunk) {
    if (!backing) backing = lang_default_allocator();
    LangPool *p = backing->alloc(backing->procedure_data, sizeof(LangPool), 16);
    memset(p, 0, sizeof *p);
    p->base = (LangAllocator){pool_alloc, pool_realloc, pool_free, p};
    p->backing = backing;
    if (block_size < sizeof(FreeBlock)) block_size = sizeof(FreeBlock);
    p->block_size = (block_size + 15) & ~(size_t)15;
    p->blocks_per_chunk = blocks_per_chunk ? blocks_per_chunk : 64;
    return p;
}

LangAllocator *lang_pool_allocator(LangPool *p) { return &p->base; }
int64_t lang_pool_live_count(const LangPool *p) { return p->live; }
size_t lang_pool_chunk_count(const LangPool *p) { return p->nchunks; }

void lang_pool_destroy(LangPool *p) {
    if (!p) return;
    LangAllocator *b = p->backing;
    for (PoolChunk *c = p->chunks, *next; c; c = next) {
        next = c->next;
        b->free(b->procedure_data, c);
    }
    b->free(b->procedure_data, p);
}
