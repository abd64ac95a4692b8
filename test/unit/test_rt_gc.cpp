// test_rt_gc.cpp: the cycle collector (src/rt/gc.c): cycles are collected, an object is
// kept alive by a stack slot alone (also through a pointer into its fields) and by a
// callee-saved register alone, large and deep heaps, drop hooks and string fields of dead
// objects, the gc_enabled switch, owned arrays holding gc references (roots unless a gc
// object owns them), and many lightweight threads each churning their own heap (also
// built into the TSan runner, make test-tsan).
#include <doctest/doctest.h>
#include <atomic>
#include <cstdint>
#include <cstring>
#include "rt/gc.h"
#include "rt/rt_internal.h"
#include "rt_sched_util.h"

namespace {
// A gc class Node { Node next; Node other; int value; string name; } as the compiler
// describes it: fields after the 16-byte object header.
struct Node {
    LangObjHeader h;
    Node *next;
    Node *other;
    int64_t value;
    LangString *name;
};
std::atomic<long> g_drops{0};
void count_drop(LangContext *, void *) { g_drops++; }

extern const LangTypeInfo kNodeType;
const LangTypeInfo kIntType = {LANG_TK_INT, 0, "int", 8, 8, nullptr, nullptr, 0, nullptr, 0, nullptr, 0, nullptr};
const LangTypeInfo kStringType = {LANG_TK_STRING, 0, "string", 8, 8, nullptr, nullptr, 0, nullptr, 0, nullptr, 0, nullptr};
const LangFieldInfo kNodeFields[] = {
    {"next", &kNodeType, offsetof(Node, next)},
    {"other", &kNodeType, offsetof(Node, other)},
    {"value", &kIntType, offsetof(Node, value)},
    {"name", &kStringType, offsetof(Node, name)},
};
const LangTypeInfo kNodeType = {LANG_TK_CLASS, 1, "Node", sizeof(Node), 8, nullptr, kNodeFields, 4,
                                nullptr, 0, nullptr, 0, count_drop};
// The same class without a drop hook: the collector releases its string fields itself.
const LangTypeInfo kPlainNodeType = {LANG_TK_CLASS, 1, "PlainNode", sizeof(Node), 8, nullptr, kNodeFields, 4,
                                     nullptr, 0, nullptr, 0, nullptr};
// No field table: scanned word by word.
const LangTypeInfo kOpaqueType = {LANG_TK_CLASS, 1, "Opaque", sizeof(Node), 8, nullptr, nullptr, 0,
                                  nullptr, 0, nullptr, 0, count_drop};

constexpr uintptr_t kMask = 0x5a5a5a5a5a5a5a5aull; // hides a pointer from the stack scan

Node *new_node(LangGcHeap *h, const LangTypeInfo *t = &kNodeType) {
    return static_cast<Node *>(lang_gc_heap_alloc(h, t, sizeof(Node)));
}

int64_t live(LangGcHeap *h) {
    LangGcStats s;
    lang_gc_heap_stats(h, &s);
    return s.objects;
}

// Each builder runs in its own frame, which is dead (below the stack pointer) when the
// test collects, and returns its result masked so no live stack word points at it.
__attribute__((noinline)) uintptr_t make_ring(LangGcHeap *h, int n, const LangTypeInfo *t = &kNodeType) {
    Node *first = new_node(h, t), *prev = first;
    for (int i = 1; i < n; i++) {
        Node *x = new_node(h, t);
        x->value = i;
        prev->next = x;
        x->other = first; // and a second cycle through every node
        prev = x;
    }
    prev->next = first;
    return (uintptr_t)first ^ kMask;
}

// A chain 0 -> 1 -> ... -> n-1 (no cycle); returns node k, masked.
__attribute__((noinline)) uintptr_t make_chain(LangGcHeap *h, int n, int k) {
    Node *head = nullptr, *want = nullptr;
    for (int i = n - 1; i >= 0; i--) {
        Node *x = new_node(h);
        x->value = i;
        x->next = head;
        head = x;
        if (i == k) want = x;
    }
    return (uintptr_t)want ^ kMask;
}

// Overwrites the dead part of the stack below the caller, so stale pointers left there by
// the builders cannot matter even if the scan started lower.
__attribute__((noinline)) void clobber_stack() {
    volatile char buf[16384];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = 0;
}

// Inlined, so the stack below the caller's frame is clean when the collector's frames
// (whose padding is never written) are laid over it.
__attribute__((always_inline)) inline void collect(LangGcHeap *h) {
    clobber_stack();
    lang_gc_heap_collect(nullptr, h);
}
} // namespace

// keep_in_r12(masked, fn, arg): unmasks the pointer into r12 (callee-saved), calls
// fn(arg) and returns r12. While fn runs the object is held by that register only.
extern "C" void *gc_test_keep_in_r12(uintptr_t masked, void (*fn)(void *), void *arg);
__asm__(".text\n"
        ".globl gc_test_keep_in_r12\n"
        ".type gc_test_keep_in_r12, @function\n"
        "gc_test_keep_in_r12:\n"
        "    push %rbp\n"
        "    mov %rsp, %rbp\n"
        "    push %r12\n"
        "    push %rbx\n"
        "    movabs $0x5a5a5a5a5a5a5a5a, %r12\n"
        "    xor %rdi, %r12\n"
        "    xor %edi, %edi\n"
        "    mov %rdx, %rdi\n"
        "    call *%rsi\n"
        "    mov %r12, %rax\n"
        "    pop %rbx\n"
        "    pop %r12\n"
        "    pop %rbp\n"
        "    ret\n"
        ".size gc_test_keep_in_r12, .-gc_test_keep_in_r12\n");

// The stack is scanned conservatively: a stale word anywhere above (a register some
// caller saved before this test, pointing at memory since reused for gc objects) may keep a
// structure alive. So the garbage here is many small structures, and a few may stay.
constexpr int kFalseRoots = 4;

__attribute__((noinline)) static void cycles_collected() {
    LangGcHeap *h = lang_gc_heap_create();
    long d0 = g_drops;
    for (int i = 0; i < 100; i++) make_ring(h, 3); // two cycles through each node
    for (int i = 0; i < 50; i++) make_ring(h, 1);  // a node that is its own next
    for (int i = 0; i < 50; i++) make_ring(h, 2, &kOpaqueType); // no field table: scanned word by word
    const int total = 300 + 50 + 100;
    CHECK(live(h) == total);
    collect(h);
    CHECK(live(h) <= 3 * kFalseRoots);
    LangGcStats s;
    lang_gc_heap_stats(h, &s);
    CHECK(g_drops - d0 == s.freed_objects);
    CHECK(s.collections == 1);
    CHECK(s.freed_objects + live(h) == total);
    CHECK(s.last_after == s.bytes);
    CHECK(s.last_before > total * (int64_t)sizeof(Node));
    lang_gc_heap_destroy(nullptr, h);
    CHECK(g_drops - d0 == total);
}
TEST_CASE("rt gc: unreachable cycles are collected and run their drop hooks") {
    clobber_stack(); // stale words of earlier tests must not keep this one's objects
    cycles_collected();
}

namespace {
// The pointers these make live in their own frames (and registers they restore), which
// are gone once they return.
__attribute__((noinline)) void keep_by_slot(LangGcHeap *h) {
    // node 50 of a 100-node chain: 50..99 stay, 0..49 go
    Node *volatile slot = (Node *)(make_chain(h, 100, 50) ^ kMask);
    collect(h);
    CHECK(live(h) >= 50);
    CHECK(live(h) < 100); // the nodes before 50 can go (unless a false root holds some)
    CHECK(slot->value == 50);
    CHECK(slot->next->value == 51);
}
__attribute__((noinline)) void keep_by_inner_pointer(LangGcHeap *h) {
    // only a pointer into the middle of an object (its `value` field)
    int64_t *volatile inner = &((Node *)(make_chain(h, 10, 0) ^ kMask))->value;
    collect(h);
    CHECK(live(h) >= 10);
    CHECK(*inner == 0);
}
} // namespace

__attribute__((noinline)) static void kept_by_stack_slot() {
    LangGcHeap *h = lang_gc_heap_create();
    keep_by_slot(h);
    clobber_stack();
    collect(h);
    CHECK(live(h) < 50); // a false root may keep the tail of the chain from some node on
    keep_by_inner_pointer(h);
    clobber_stack();
    collect(h);
    CHECK(live(h) < 50 + 10);
    lang_gc_heap_destroy(nullptr, h);
}
TEST_CASE("rt gc: an object kept only by a stack slot keeps what it reaches") {
    clobber_stack(); // stale words of earlier tests must not keep this one's objects
    kept_by_stack_slot();
}

namespace {
struct RegArg { LangGcHeap *h; int64_t during; };
void collect_and_count(void *p) {
    RegArg *a = static_cast<RegArg *>(p);
    collect(a->h);
    a->during = live(a->h);
}
} // namespace

__attribute__((noinline)) static void kept_by_register() {
    LangGcHeap *h = lang_gc_heap_create();
    uintptr_t masked = make_ring(h, 10);
    for (int i = 0; i < 20; i++) make_ring(h, 2); // the control: nothing holds these
    RegArg a{h, -1};
    clobber_stack(); // no stale copies below this frame for the callee's frames to inherit
    Node *n = static_cast<Node *>(gc_test_keep_in_r12(masked, collect_and_count, &a));
    CHECK(a.during >= 10);
    CHECK(a.during <= 10 + 2 * kFalseRoots);
    CHECK(lang_gc_heap_contains(h, n));
    CHECK(n->next->next->value == 2);
    n = nullptr;
    lang_gc_heap_destroy(nullptr, h);
}
TEST_CASE("rt gc: an object held only in a callee-saved register survives") {
    clobber_stack(); // stale words of earlier tests must not keep this one's objects
    kept_by_register();
}

__attribute__((noinline)) static void large_heap() {
    LangGcHeap *h = lang_gc_heap_create();
    const int n = 200000;
    Node *volatile head = (Node *)(make_chain(h, n, 0) ^ kMask);
    for (int i = 0; i < 1000; i++) make_ring(h, 100); // garbage: 100,000 nodes in rings
    collect(h);
    CHECK(live(h) >= n);                       // the whole chain
    CHECK(live(h) <= n + 100 * kFalseRoots);  // and (nearly) none of the rings
    int count = 0;
    for (Node *x = head; x; x = x->next) count++;
    CHECK(count == n);
    head = nullptr;
    clobber_stack();
    collect(h);
    CHECK(live(h) < n); // all of it, unless a false root holds a tail
    lang_gc_heap_destroy(nullptr, h);
}
TEST_CASE("rt gc: a large heap and a deep chain (no recursion in marking)") {
    clobber_stack(); // stale words of earlier tests must not keep this one's objects
    large_heap();
}

// A ring of two plain nodes whose first names a new string, built in its own frame (the
// unmasked pointer never lives in the caller's frame or registers); returns it masked.
__attribute__((noinline)) static uintptr_t make_named_ring(LangGcHeap *h, LangContext *ctx) {
    uintptr_t r = make_ring(h, 2, &kPlainNodeType);
    ((Node *)(r ^ kMask))->name = lang_str_from_utf8(ctx, "gone", 4);
    return r;
}

__attribute__((noinline)) static void strings_released() {
    LangContext ctx;
    lang_context_init_root(&ctx);
    int64_t s0 = lang_str_live_count();
    LangGcHeap *h = lang_gc_heap_create();
    Node *volatile keep = (Node *)(make_ring(h, 3, &kPlainNodeType) ^ kMask);
    keep->name = lang_str_from_utf8(&ctx, "kept", 4);
    keep->next->name = lang_str_from_utf8(&ctx, "kept too", 8);
    (void)make_named_ring(h, &ctx); // unreachable once built
    CHECK(lang_str_live_count() == s0 + 3);
    collect(h);
    CHECK(lang_str_live_count() == s0 + 2);
    long d0 = g_drops;
    new_node(h); // with a drop hook: destroy runs it
    lang_gc_heap_destroy(&ctx, h);
    CHECK(g_drops - d0 == 1);
    CHECK(lang_str_live_count() == s0);
    lang_context_fini(&ctx);
}
TEST_CASE("rt gc: a dead object without a drop hook releases its strings; destroy frees everything") {
    clobber_stack(); // stale words of earlier tests must not keep this one's objects
    strings_released();
}

// A gc class Holder { Node? ref; } whose field type is a nullable reference (LANG_TF_REF):
// the collector follows it without an address lookup, checking the header's allocator.
struct Holder {
    LangObjHeader h;
    Node *ref;
};
const LangTypeInfo kNodeRefType = {LANG_TK_NULLABLE, LANG_TF_REF, "Node?", 8, 8, nullptr, nullptr, 0,
                                   nullptr, 0, nullptr, 0, nullptr};
const LangFieldInfo kHolderFields[] = {{"ref", &kNodeRefType, offsetof(Holder, ref)}};
const LangTypeInfo kHolderType = {LANG_TK_CLASS, 1, "Holder", sizeof(Holder), 8, nullptr, kHolderFields, 1,
                                  nullptr, 0, nullptr, 0, nullptr};

// Two holders, returned masked: one names a gc ring, the other an owned (non-gc) object.
__attribute__((noinline)) static uintptr_t make_holders(LangGcHeap *h, Node *owned) {
    Holder *a = (Holder *)lang_gc_heap_alloc(h, &kHolderType, sizeof(Holder));
    Holder *b = (Holder *)lang_gc_heap_alloc(h, &kHolderType, sizeof(Holder));
    a->ref = (Node *)(make_ring(h, 4, &kPlainNodeType) ^ kMask);
    b->ref = owned;
    ((Node *)a->ref)->other = (Node *)b; // b is reached through the ring (a Node field)
    return (uintptr_t)a ^ kMask;
}

__attribute__((noinline)) static void nullable_refs() {
    LangGcHeap *h = lang_gc_heap_create();
    static Node owned; // not a gc object: its header names another allocator
    owned.h.allocator = lang_default_allocator();
    Holder *volatile a = (Holder *)(make_holders(h, &owned) ^ kMask);
    for (int i = 0; i < 50; i++) make_ring(h, 3, &kPlainNodeType); // garbage without drops
    collect(h);
    CHECK(live(h) >= 6); // two holders and the ring of four
    CHECK(live(h) <= 6 + kFalseRoots);
    CHECK(lang_gc_heap_contains(h, a->ref));
    CHECK(a->ref->next->next->next->next == a->ref);
    CHECK(((Holder *)a->ref->other)->ref == &owned);
    int64_t before = live(h);
    for (int i = 0; i < 50; i++) make_ring(h, 3, &kPlainNodeType); // reuses the freed blocks
    CHECK(live(h) == before + 150);
    a = nullptr;
    lang_gc_heap_destroy(nullptr, h);
}
TEST_CASE("rt gc: fields of nullable reference type are followed, non-gc objects skipped") {
    clobber_stack();
    nullable_refs();
}

__attribute__((noinline)) static void volume_trigger() {
    rt_run([]() -> int64_t {
        LangContext ctx;
        lang_context_init_root(&ctx);
        LangGcHeap *h = lang_gc_current_heap();
        ctx.gc_enabled = 0;
        for (int i = 0; i < 150000; i++) { // ~8 MiB, over the 4 MiB minimum
            Node *a = (Node *)lang_gc_new(&ctx, &kPlainNodeType, sizeof(Node));
            a->next = a;
        }
        lang_gc_collect(&ctx);
        LangGcStats s;
        lang_gc_heap_stats(h, &s);
        CHECK(s.collections == 0);
        CHECK(s.objects == 150000);
        ctx.gc_enabled = 1;
        for (int i = 0; i < 150000; i++) {
            Node *a = (Node *)lang_gc_new(&ctx, &kPlainNodeType, sizeof(Node));
            Node *b = (Node *)lang_gc_new(&ctx, &kPlainNodeType, sizeof(Node));
            a->next = b;
            b->next = a;
        }
        lang_gc_heap_stats(h, &s);
        CHECK(s.collections >= 1);
        CHECK(s.objects < 150000);
        CHECK(s.peak_bytes < (int64_t)12 << 20);
        lang_gc_collect(&ctx);
        lang_gc_heap_stats(h, &s);
        CHECK(s.objects < 100); // what the stack still happens to point at
        lang_context_fini(&ctx);
        return 0;
    });
}
TEST_CASE("rt gc: allocation volume triggers collections, never while gc_enabled is 0") {
    clobber_stack(); // stale words of earlier tests must not keep this one's objects
    volume_trigger();
}

__attribute__((noinline)) static void threads_churn() {
    const int threads = 64 / kRtThreadScale + 16; // TSan: 16 threads
    const int rounds = 2000 / kRtScale;
    static std::atomic<long> bad{0};
    bad = 0;
    rt_run([=]() -> int64_t {
        for (int t = 0; t < threads; t++)
            rt_go([=] {
                LangContext ctx;
                lang_context_init_root(&ctx);
                LangGcHeap *h = lang_gc_current_heap();
                Node *keep = (Node *)lang_gc_new(&ctx, &kNodeType, sizeof(Node));
                keep->value = t;
                for (int r = 0; r < rounds; r++) {
                    for (int i = 0; i < 20; i++) { // cyclic pairs, all garbage but one
                        Node *a = (Node *)lang_gc_new(&ctx, &kNodeType, sizeof(Node));
                        Node *b = (Node *)lang_gc_new(&ctx, &kNodeType, sizeof(Node));
                        a->next = b;
                        b->next = a;
                        a->value = r;
                        if (i == 0) keep->other = a;
                    }
                    if (r % 50 == 0) lang_yield(); // may move to another OS thread
                    if (r % 100 == 99) {
                        lang_gc_collect(&ctx);
                        if (keep->value != t || keep->other->value != r || keep->other->next->next != keep->other) bad++;
                        if (live(h) > 200) bad++;
                    }
                }
                lang_context_fini(&ctx);
            });
        return 0;
    });
    CHECK(bad == 0);
}
namespace {
// A gc class ANode { ANode[] kids; } whose kids array is owned memory (malloc'd here, as
// lang_array_new would), registered with lang_gc_heap_hold like compiled code does.
struct ANode {
    LangObjHeader h;
    LangArray *kids;
};
const LangTypeInfo kArrType = {LANG_TK_ARRAY, 0, "ANode[]", 8, 8, nullptr, nullptr, 0, nullptr, 0, nullptr, 0, nullptr};
const LangFieldInfo kANodeFields[] = {{"kids", &kArrType, offsetof(ANode, kids)}};
const LangTypeInfo kANodeType = {LANG_TK_CLASS, 1, "ANode", sizeof(ANode), 8, nullptr, kANodeFields, 1,
                                 nullptr, 0, nullptr, 0, nullptr};

LangArray *new_ptr_array(int64_t n) {
    auto *a = static_cast<LangArray *>(aligned_alloc(16, sizeof(LangArray) + 16 * (size_t)n));
    memset(a, 0, sizeof(LangArray) + 16 * (size_t)n);
    a->length = n;
    a->element_size = 8;
    return a;
}

// 100 arrays outside the heap, each the only holder of a node (masked on the stack).
__attribute__((noinline)) void fill_held(LangGcHeap *h, LangArray **arrays, int n) {
    for (int i = 0; i < n; i++) {
        arrays[i] = new_ptr_array(1);
        reinterpret_cast<Node **>(arrays[i]->data)[0] = new_node(h, &kPlainNodeType);
        lang_gc_heap_hold(h, arrays[i], 1);
    }
}

// n ANodes in rings of 4, each the owner of a held array naming itself and the next:
// cycles through owned memory, and nothing else refers to them.
__attribute__((noinline)) void make_owned_cycles(LangGcHeap *h, LangArray **arrays, int n) {
    ANode *ring[4];
    for (int i = 0; i < n; i++) {
        auto *x = static_cast<ANode *>(lang_gc_heap_alloc(h, &kANodeType, sizeof(ANode)));
        arrays[i] = new_ptr_array(2);
        x->kids = arrays[i];
        reinterpret_cast<ANode **>(x->kids->data)[0] = x;
        lang_gc_heap_hold(h, arrays[i], 1);
        ring[i % 4] = x;
        if (i % 4 == 3)
            for (int k = 0; k < 4; k++) reinterpret_cast<ANode **>(ring[k]->kids->data)[1] = ring[(k + 1) % 4];
    }
}
} // namespace

__attribute__((noinline)) static void held_blocks() {
    LangGcHeap *h = lang_gc_heap_create();
    LangArray *arrays[100];
    fill_held(h, arrays, 100);
    collect(h);
    CHECK(live(h) == 100); // each kept by its held array alone
    for (LangArray *a : arrays) CHECK(reinterpret_cast<Node **>(a->data)[0]->h.type == &kPlainNodeType);
    for (LangArray *a : arrays) lang_gc_heap_unhold(h, a); // (freed arrays are unheld first)
    collect(h);
    CHECK(live(h) <= kFalseRoots);
    for (LangArray *a : arrays) free(a);
    int64_t before = live(h);
    make_owned_cycles(h, arrays, 100);
    CHECK(live(h) == before + 100);
    collect(h);
    CHECK(live(h) <= before + 4 * kFalseRoots); // owned by dead nodes, so not roots
    for (LangArray *a : arrays) {
        lang_gc_heap_unhold(h, a);
        free(a);
    }
    lang_gc_heap_destroy(nullptr, h);
}
TEST_CASE("rt gc: held owned arrays are roots unless a gc object owns them") {
    clobber_stack();
    held_blocks();
}

TEST_CASE("rt gc: many lightweight threads each churn their own heap") {
    clobber_stack(); // stale words of earlier tests must not keep this one's objects
    threads_churn();
}
