// rt_intrinsics.h: the table of rt_intrinsics.def, shared by sema (intrinsics.cpp) and
// lowering (ir/lower_intrinsics.cpp): a prelude file's runtime call by its Lang name.
#pragma once
#include "common/intern.h"
#include <cstring>

namespace lang {

struct RtIntrinsic {
    const char* name;   // in Lang: __lang_file_read_text
    const char* sym;    // the C function: lang_file_read_text(ctx, ...)
    const char* args;   // one letter per argument (rt_intrinsics.def)
    char result;        // the result's letter
};

inline constexpr RtIntrinsic kRtIntrinsics[] = {
#define RT_INTRINSIC(name, sym, args, result) {name, sym, args, result[0]},
#include "sema/rt_intrinsics.def"
#undef RT_INTRINSIC
};

// The intrinsic named n, or null.
inline const RtIntrinsic* find_rt_intrinsic(Ident n) {
    for (const RtIntrinsic& ri : kRtIntrinsics)
        if (n == ri.name) return &ri;
    return nullptr;
}

} // namespace lang
