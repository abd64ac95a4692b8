/* array.c: T[] storage: fixed-length, zeroed, bounds-checked by compiled code.
 *
 * An array is one block from the context allocator:
 *     [ArrPrefix: allocator, magic][LangArray header (32 bytes)][elements]
 * As with strings, the prefix lives before the pointer compiled code sees, so the header
 * stays the ABI of lang_rt.h and lang_array_free returns the block to the allocator that
 * made it even when the context's allocator has changed since (an arena scope ended).
 *
 * Invariants: length >= 0, element_size >= 0, data is 16-byte aligned and was zeroed (or,
 * for lang_array_from_data, copied from the compiler's constant data) at creation. lang_array_free frees storage only: dropping elements that own something
 * (strings, objects) is the compiler's job, done before the call.
 */
#include <string.h>
#include "rt_internal.h"

typedef struct ArrPrefix {
    LangAllocator *allocator;
    uint64_t magic;
} ArrPrefix;
_Static_assert(sizeof(LangArray) == 32, "array header is ABI");

enum { kArrMagic = 0x41525259u, kArrMagicGc = 0x41525247u }; /* "ARRY", "ARRG" (held by the collector) */

_Alignas(16) const LangArray lang_empty_array = {0, 0, NULL, 0};

static LangArray *array_alloc(LangContext *ctx, int64_t length, int64_t element_size) {
    if (length < 0) lang_panicf("negative array length %lld", (long long)length);
    if (element_size < 0) lang_panicf("negative array element size %lld", (long long)element_size);
    if (element_size && length > ((int64_t)1 << 47) / element_size)
        lang_panicf("array of %lld elements of %lld bytes is too large", (long long)length, (long long)element_size);
    LangAllocator *a = ctx && ctx->allocator ? ctx->allocator : lang_default_allocator();
    size_t bytes = (size_t)(length * element_size);
    ArrPrefix *p = a->alloc(a->procedure_data, sizeof(ArrPrefix) + sizeof(LangArray) + bytes, 16);
    if (!p) lang_panicf("out of memory: array of %zu bytes", bytes);
    p->allocator = a;
    p->magic = kArrMagic;
    LangArray *arr = (LangArray *)(p + 1);
    arr->length = length;
    arr->element_size = element_size;
    arr->type_info = NULL;
    arr->reserved = 0;
    return arr;
}

LangArray *lang_array_new(LangContext *ctx, int64_t length, int64_t element_size) {
    LangArray *arr = array_alloc(ctx, length, element_size);
    memset(arr->data, 0, (size_t)(length * element_size));
    return arr;
}

LangArray *lang_array_from_data(LangContext *ctx, int64_t length, int64_t element_size, const void *data) {
    LangArray *arr = array_alloc(ctx, length, element_size);
    memcpy(arr->data, data, (size_t)(length * element_size));
    return arr;
}

/* An array whose elements hold gc references (compiled code calls this right after making
 * it): the collector scans it until it is freed, unless a gc object owns it (gc.c). */
void lang_array_hold_gc(LangContext *ctx, LangArray *arr) {
    (void)ctx;
    if (!arr || arr == &lang_empty_array) return;
    ArrPrefix *p = (ArrPrefix *)arr - 1;
    if (p->magic != kArrMagic) return;
    p->magic = kArrMagicGc;
    lang_gc_hold(arr, 1);
}

void lang_array_free(LangContext *ctx, LangArray *arr) {
    (void)ctx;
    if (!arr || arr == &lang_empty_array) return;
    ArrPrefix *p = (ArrPrefix *)arr - 1;
    if (p->magic == kArrMagicGc) lang_gc_unhold(arr);
    else if (p->magic != kArrMagic) lang_panic("array free: not a runtime-made array (or freed twice)");
    p->magic = 0;
    p->allocator->free(p->allocator->procedure_data, p);
}
