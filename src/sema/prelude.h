// prelude.h: source the compiler adds to every program (error_prelude.cpp).
#pragma once
#include "common/compilation.h"
#include <string>

namespace lang {

inline constexpr const char* kPreludePath = "<prelude>/errors.lang";

// Parses the `Error`/`ParseError` prelude and appends it to c.files (after the program's
// own files, so their diagnostics and numbering come first).
void add_error_prelude(Compilation& c);

// Whether a source path is one of the compiler's own prelude files (root namespace, not
// part of the program's folder).
bool is_prelude_path(const std::string& path);

} // namespace lang
