/* closure.c: reference counted closure records (function values, spec 7.10).
 *
 * A function value is a pointer to a LangClosure header followed by what the code needs
 * (a lambda's capture addresses and copies, a method value's code and receiver; the
 * layouts are the compiler's, src/ir/lower_func_values.cpp). Named functions and lambdas
 * without captures have static records, non-escaping lambdas have records on the stack:
 * both have refcount -1 and are never counted or freed. A heap record starts at 1; each
 * copy of the value retains it, each owner that lets go releases it, and the last release
 * runs the record's drop function (compiler-made: it releases captured strings and
 * function values and drops captured owned values) and gives the block back to the
 * allocator that made it (which may not be the current context's).
 *
 * Counts are atomic: a function value may cross threads (spawn arguments, channels).
 */
#include "rt_internal.h"

void *lang_closure_new(LangContext *ctx, int64_t size, void *code, void *drop) {
    if (size < (int64_t)sizeof(LangClosure)) size = sizeof(LangClosure);
    LangAllocator *a = ctx && ctx->allocator ? ctx->allocator : lang_default_allocator();
    LangClosure *c = a == &lang_default_allocator_record ? lang_default_alloc((size_t)size, 16)
                                                         : a->alloc(a->procedure_data, (size_t)size, 16);
    if (!c) lang_panicf("out of memory: closure of %lld bytes", (long long)size);
    c->code = code;
    c->refcount = 1;
    c->drop = (void (*)(LangContext *, void *))drop;
    c->allocator = a;
    return c;
}

void lang_fn_retain(void *record) {
    LangClosure *c = record;
    if (c && c->refcount >= 0) __atomic_add_fetch(&c->refcount, 1, __ATOMIC_RELAXED);
}

void lang_fn_release(LangContext *ctx, void *record) {
    LangClosure *c = record;
    if (!c) return;
    /* As lang_str_release: the only reference cannot be retained by anyone else. */
    int64_t rc = __atomic_load_n(&c->refcount, __ATOMIC_ACQUIRE);
    if (rc < 0) return;
    if (rc == 0) lang_panic("closure release: record released twice");
    if (rc != 1 && __atomic_sub_fetch(&c->refcount, 1, __ATOMIC_ACQ_REL) != 0) return;
    c->refcount = 0;
    if (c->drop) c->drop(ctx, c);
    LangAllocator *a = c->allocator;
    c->allocator = NULL;
    if (a == &lang_default_allocator_record) lang_default_free(c);
    else a->free(a->procedure_data, c);
}
