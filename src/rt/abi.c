/* abi.c: checks at build time that lang_abi.h (the numbers the compiler emits) and the C
 * structs of lang_rt.h (what the runtime reads) describe the same layouts. Holds no code.
 */
#include <stddef.h>
#include "lang_rt.h"

#define LANG_ABI_CHECK_OFFSET(name, type, member, value) \
    _Static_assert(offsetof(type, member) == (value), "lang_abi.h: offset of " #type "." #member);
#define LANG_ABI_CHECK_SIZE(name, type, value) _Static_assert(sizeof(type) == (value), "lang_abi.h: size of " #type);
LANG_ABI_OFFSETS(LANG_ABI_CHECK_OFFSET)
LANG_ABI_SIZES(LANG_ABI_CHECK_SIZE)
_Static_assert(sizeof(void *) == 8, "lang_abi.h describes a 64-bit target");
