// test_rt_alloc.cpp: the runtime's allocators (src/rt/alloc_*.c) and the object/array
// entry points that use them: default tracking counts, arena bulk free and the
// live-allocation check (non-exiting API, plus the panic in a forked child), pool reuse,
// temp allocator reset.
#include <doctest/doctest.h>
#include <cstring>
#include <string>
#include <thread>
#include <vector>
#include <sys/wait.h>
#include <unistd.h>
#include "rt/rt_internal.h"
#include "run_forked.h"

namespace {
LangAllocStats stats() {
    LangAllocStats s;
    lang_default_allocator_stats(&s);
    return s;
}
int dropped;
void count_drop(LangContext *, void *) { dropped++; }
} // namespace

TEST_CASE("rt alloc: default allocator tracks live count and bytes") {
    LangAllocator *d = lang_default_allocator();
    CHECK(lang_allocator_kind(d) == 'd');
    LangAllocStats s0 = stats();
    void *a = d->alloc(d->procedure_data, 100, 16);
    void *b = d->alloc(d->procedure_data, 28, 64);
    CHECK(((uintptr_t)a & 15) == 0);
    CHECK(((uintptr_t)b & 63) == 0);
    LangAllocStats s1 = stats();
    CHECK(s1.live_count == s0.live_count + 2);
    CHECK(s1.live_bytes == s0.live_bytes + 128);
    CHECK(s1.total_count == s0.total_count + 2);
    memset(a, 1, 100);
    a = d->realloc(d->procedure_data, a, 100, 300, 16);
    CHECK(((unsigned char *)a)[99] == 1);
    LangAllocStats s2 = stats();
    CHECK(s2.live_count == s0.live_count + 2);
    CHECK(s2.live_bytes == s0.live_bytes + 328);
    d->free(d->procedure_data, a);
    d->free(d->procedure_data, b);
    d->free(d->procedure_data, nullptr);
    LangAllocStats s3 = stats();
    CHECK(s3.live_count == s0.live_count);
    CHECK(s3.live_bytes == s0.live_bytes);
}

TEST_CASE("rt alloc: counts are kept per thread and summed: a block made on one thread, freed on another") {
    LangAllocator *d = lang_default_allocator();
    LangAllocStats s0 = stats();
    std::vector<void *> made(4);
    std::thread t([&] { // counts +4 on the new thread's block
        for (void *&p : made) p = d->alloc(d->procedure_data, 200, 16);
    });
    t.join();
    LangAllocStats s1 = stats();
    CHECK(s1.live_count == s0.live_count + 4);
    CHECK(s1.live_bytes == s0.live_bytes + 800);
    CHECK(s1.total_count == s0.total_count + 4);
    for (void *p : made) d->free(d->procedure_data, p); // -4 on this thread's block
    LangAllocStats s2 = stats();
    CHECK(s2.live_count == s0.live_count); // the exited thread's counts still add up
    CHECK(s2.live_bytes == s0.live_bytes);
    CHECK(s2.total_count == s0.total_count + 4);
}

TEST_CASE("rt alloc: small blocks freed by a thread are reused by it, and stay out of the counts") {
    LangAllocator *d = lang_default_allocator();
    LangAllocStats s0 = stats();
    // A freed small block comes back for any size of its 16-byte class.
    void *a = d->alloc(d->procedure_data, 40, 16);
    memset(a, 0xAB, 40);
    d->free(d->procedure_data, a);
    void *b = d->alloc(d->procedure_data, 33, 8);
    CHECK(b == a);
    memset(b, 0xCD, 33);
    // Another class, a big block and an over-aligned one are not taken from that list.
    void *c = d->alloc(d->procedure_data, 80, 16);
    void *big = d->alloc(d->procedure_data, 4096, 16);
    void *al = d->alloc(d->procedure_data, 24, 64);
    CHECK(c != b);
    CHECK(((uintptr_t)al & 63) == 0);
    LangAllocStats s1 = stats();
    CHECK(s1.live_count == s0.live_count + 4);
    CHECK(s1.live_bytes == s0.live_bytes + 33 + 80 + 4096 + 24);
    for (void *p : {b, c, big, al}) d->free(d->procedure_data, p);
    // Many blocks of one class: all are usable and counted.
    std::vector<void *> many;
    for (int i = 0; i < 1000; i++) {
        many.push_back(d->alloc(d->procedure_data, 24, 16));
        memset(many.back(), i & 0xFF, 24);
    }
    for (int i = 0; i < 1000; i++) CHECK(((unsigned char *)many[i])[23] == (i & 0xFF));
    for (void *p : many) d->free(d->procedure_data, p);
    LangAllocStats s2 = stats();
    CHECK(s2.live_count == s0.live_count);
    CHECK(s2.live_bytes == s0.live_bytes);
    CHECK(s2.total_count == s0.total_count + 1005);
}

TEST_CASE("rt alloc: double free through the default allocator panics") {
    auto [status, err] = run_forked([] {
        LangAllocator *d = lang_default_allocator();
        void *p = d->alloc(d->procedure_data, 8, 16);
        d->free(d->procedure_data, p);
        d->free(d->procedure_data, p);
    });
    CHECK(status == 101);
    CHECK(err.find("panic: free of a block the default allocator does not own") == 0);
}

TEST_CASE("rt alloc: arena bump allocation and bulk free") {
    LangAllocStats s0 = stats();
    LangArena *ar = lang_arena_create(nullptr, 4096, 0);
    LangAllocator *a = lang_arena_allocator(ar);
    CHECK(lang_allocator_kind(a) == 'a');
    char *p1 = (char *)a->alloc(a->procedure_data, 10, 16);
    char *p2 = (char *)a->alloc(a->procedure_data, 10, 16);
    CHECK(p2 == p1 + 16); // bump: next 16-byte slot
    for (int i = 0; i < 1000; i++) CHECK(((uintptr_t)a->alloc(a->procedure_data, 24, 32) & 31) == 0);
    CHECK(lang_arena_reserved_bytes(ar) > 4096); // grew past one chunk
    void *big = a->alloc(a->procedure_data, 100000, 16); // larger than a chunk
    memset(big, 0, 100000);
    lang_arena_reset(ar); // untracked: never panics
    CHECK(lang_arena_reserved_bytes(ar) <= 100000 + 4096 * 2);
    char *q = (char *)a->alloc(a->procedure_data, 10, 16);
    CHECK(q != nullptr);
    lang_arena_destroy(ar);
    LangAllocStats s1 = stats();
    CHECK(s1.live_count == s0.live_count); // every chunk went back
    CHECK(s1.live_bytes == s0.live_bytes);
}

TEST_CASE("rt alloc: arena realloc grows the newest allocation in place") {
    LangArena *ar = lang_arena_create(nullptr, 4096, 0);
    LangAllocator *a = lang_arena_allocator(ar);
    char *p = (char *)a->alloc(a->procedure_data, 16, 16);
    strcpy(p, "hello");
    char *p2 = (char *)a->realloc(a->procedure_data, p, 16, 64, 16);
    CHECK(p2 == p);
    a->alloc(a->procedure_data, 16, 16);
    char *p3 = (char *)a->realloc(a->procedure_data, p2, 64, 128, 16);
    CHECK(p3 != p2);
    CHECK(std::string(p3) == "hello");
    lang_arena_destroy(ar);
}

TEST_CASE("rt alloc: arena counts live objects (ownership tracking check)") {
    LangArena *ar = lang_arena_create(nullptr, 0, 1);
    LangContext ctx;
    lang_context_init_root(&ctx);
    LangContext actx = ctx;
    actx.allocator = lang_arena_allocator(ar);
    static const LangTypeInfo ty = {LANG_TK_CLASS, 0, "Node", 32, 16, nullptr, nullptr, 0,
                                    nullptr, 0, nullptr, 0, count_drop};
    void *o1 = lang_obj_new(&actx, &ty, 32);
    void *o2 = lang_obj_new(&actx, &ty, 32);
    LangArray *arr = lang_array_new(&actx, 4, 8);
    CHECK(((LangObjHeader *)o1)->allocator == actx.allocator);
    CHECK(((LangObjHeader *)o1)->type == &ty);
    CHECK(lang_arena_live_count(ar) == 3);
    char msg[256];
    CHECK(lang_arena_check_live(ar, msg, sizeof msg) == 3);
    CHECK(std::string(msg).find("arena freed with 3 live allocations; first allocated at ") == 0);
    // Freed objects go back through the allocator in their header, even from a context
    // whose allocator is the default one.
    dropped = 0;
    lang_obj_free(&ctx, o1);
    CHECK(dropped == 1);
    lang_array_free(&ctx, arr);
    CHECK(lang_arena_live_count(ar) == 1);
    CHECK(lang_arena_check_live(ar, msg, sizeof msg) == 1);
    CHECK(std::string(msg).find("arena freed with 1 live allocation;") == 0);
    lang_obj_free(&ctx, o2);
    CHECK(lang_arena_check_live(ar, msg, sizeof msg) == 0);
    lang_arena_destroy(ar); // nothing live: no panic
    lang_context_fini(&ctx);
}

TEST_CASE("rt alloc: destroying an arena with live objects panics") {
    auto [status, err] = run_forked([] {
        LangArena *ar = lang_arena_create(nullptr, 0, 1);
        LangContext ctx;
        lang_context_init_root(&ctx);
        ctx.allocator = lang_arena_allocator(ar);
        lang_obj_new(&ctx, nullptr, 16);
        lang_obj_new(&ctx, nullptr, 16);
        lang_arena_destroy(ar);
    });
    CHECK(status == 101);
    CHECK(err.find("panic: arena freed with 2 live allocations; first allocated at") == 0);
}

TEST_CASE("rt alloc: pool reuses freed blocks") {
    LangAllocStats s0 = stats();
    LangPool *p = lang_pool_create(nullptr, 24, 4);
    LangAllocator *a = lang_pool_allocator(p);
    CHECK(lang_allocator_kind(a) == 'p');
    void *b[6];
    for (int i = 0; i < 6; i++) b[i] = a->alloc(a->procedure_data, 24, 8);
    CHECK(lang_pool_chunk_count(p) == 2);
    CHECK(lang_pool_live_count(p) == 6);
    CHECK((char *)b[1] - (char *)b[0] == 32); // blocks rounded to 16
    a->free(a->procedure_data, b[2]);
    a->free(a->procedure_data, b[4]);
    CHECK(lang_pool_live_count(p) == 4);
    CHECK(a->alloc(a->procedure_data, 16, 8) == b[4]); // LIFO reuse
    CHECK(a->alloc(a->procedure_data, 16, 8) == b[2]);
    CHECK(lang_pool_chunk_count(p) == 2);
    lang_pool_destroy(p);
    CHECK(stats().live_count == s0.live_count);
    auto [status, err] = run_forked([] {
        LangPool *p2 = lang_pool_create(nullptr, 16, 0);
        LangAllocator *a2 = lang_pool_allocator(p2);
        a2->alloc(a2->procedure_data, 64, 16);
    });
    CHECK(status == 101);
    CHECK(err.find("panic: pool allocator: request of 64 bytes") == 0);
}

TEST_CASE("rt alloc: temp allocator resets as a whole") {
    LangAllocStats s0 = stats();
    LangTemp *t = lang_temp_create(nullptr);
    LangAllocator *a = lang_temp_allocator(t);
    CHECK(lang_allocator_kind(a) == 't');
    void *first = a->alloc(a->procedure_data, 100, 16);
    CHECK(lang_temp_used(t) == 100);
    size_t mark = lang_temp_mark(t);
    void *second = a->alloc(a->procedure_data, 50, 16);
    for (int i = 0; i < 100; i++) a->alloc(a->procedure_data, 4000, 16); // spills into more chunks
    CHECK(lang_temp_used(t) > 400000);
    lang_temp_reset_to(t, mark);
    CHECK(lang_temp_used(t) == mark);
    CHECK(a->alloc(a->procedure_data, 50, 16) == second);
    lang_temp_reset(t);
    CHECK(lang_temp_used(t) == 0);
    CHECK(a->alloc(a->procedure_data, 100, 16) == first);
    // The context's temp allocator is reset through the Lang-level entry point, once what
    // was made with it is freed (with something still live it panics: test/run/976).
    LangContext ctx;
    lang_context_init_root(&ctx);
    void *x = ctx.temp_allocator->alloc(ctx.temp_allocator->procedure_data, 64, 16);
    ctx.temp_allocator->free(ctx.temp_allocator->procedure_data, x);
    lang_context_temp_reset(&ctx);
    CHECK(ctx.temp_allocator->alloc(ctx.temp_allocator->procedure_data, 64, 16) == x);
    lang_context_fini(&ctx);
    lang_temp_destroy(t);
    CHECK(stats().live_count == s0.live_count);
}

TEST_CASE("rt alloc: arrays are zeroed and negative lengths panic") {
    LangContext ctx;
    lang_context_init_root(&ctx);
    LangArray *a = lang_array_new(&ctx, 10, 8);
    CHECK(a->length == 10);
    CHECK(a->element_size == 8);
    CHECK(((uintptr_t)a->data & 15) == 0);
    for (int i = 0; i < 80; i++) CHECK(a->data[i] == 0);
    lang_array_free(&ctx, a);
    LangArray *e = lang_array_new(&ctx, 0, 4);
    CHECK(e->length == 0);
    lang_array_free(&ctx, e);
    lang_context_fini(&ctx);
    auto [status, err] = run_forked([] {
        LangContext c;
        lang_context_init_root(&c);
        lang_array_new(&c, -3, 8);
    });
    CHECK(status == 101);
    CHECK(err.find("panic: negative array length -3") == 0);
}

namespace {
// class Link { int id; Link? first; Link? second; } with a drop hook that records the
// order and drops both fields, as a compiled drop hook does.
struct Link {
    LangObjHeader h;
    int64_t id;
    Link *first;
    Link *second;
};
std::vector<int64_t> drop_order;
void drop_link(LangContext *ctx, void *p) {
    Link *l = static_cast<Link *>(p);
    drop_order.push_back(l->id);
    lang_obj_drop(ctx, l->first);
    lang_obj_drop(ctx, l->second);
}
const LangTypeInfo kLinkType = {LANG_TK_CLASS, 0, "Link", sizeof(Link), 8, nullptr, nullptr, 0,
                                nullptr, 0, nullptr, 0, drop_link};
Link *new_link(LangContext *ctx, int64_t id, Link *first, Link *second) {
    Link *l = static_cast<Link *>(lang_obj_new(ctx, &kLinkType, sizeof(Link)));
    l->id = id;
    l->first = first;
    l->second = second;
    return l;
}
} // namespace

TEST_CASE("rt alloc: dropping a long chain queues beyond the depth limit, in recursion order") {
    LangContext ctx;
    lang_context_init_root(&ctx);
    int64_t live0 = stats().live_count;
    // A chain of 100000 links through `second`; every link's `first` is a leaf with id -id.
    Link *head = nullptr;
    for (int64_t i = 100000; i >= 1; i--) head = new_link(&ctx, i, new_link(&ctx, -i, nullptr, nullptr), head);
    drop_order.clear();
    lang_obj_drop(&ctx, head);
    REQUIRE(drop_order.size() == 200000);
    bool in_order = true; // 1, -1, 2, -2, ...: each link, its leaf, then the rest of the chain
    for (int64_t i = 0; i < 100000 && in_order; i++)
        in_order = drop_order[2 * i] == i + 1 && drop_order[2 * i + 1] == -(i + 1);
    CHECK(in_order);
    CHECK(ctx.drop_depth == 0);
    CHECK(ctx.drop_queue == nullptr);
    CHECK(stats().live_count == live0);
    lang_context_fini(&ctx);
}
