/* hash.c: hashing of strings for the hash(x) builtin (doc/language/spec.md 10.5).
 *
 * A string hashes its UTF-8 bytes with xxHash's XXH3 (64 bits); the empty string (also
 * a null pointer, which compiled code may hold for "") hashes like zero bytes. Integers,
 * floats and aggregates are hashed by inline code the compiler emits (src/ir/lower_hash.cpp).
 * xxHash is compiled in from its header (XXH_INLINE_ALL), so programs link no extra library.
 */
#define XXH_INLINE_ALL
#include <xxhash.h>
#include "rt_internal.h"

uint64_t lang_str_hash(const LangString *s) {
    if (!s) return XXH3_64bits("", 0);
    return XXH3_64bits(s->data, (size_t)s->byte_length);
}
