#pragma once

#include <cstddef>
#include <string>

#include "core/vector.h"

namespace sluice::io {

/// Appends the text form of value `row` (a physical position) of `vector`, which must not be
/// NULL, as the CSV and JSON writers print it: booleans `true`/`false`, integers in decimal,
/// doubles in the shortest form that reads back to the same double and always with a `.` or
/// an exponent (`1.0`, `1e+20`; `NaN`, `Infinity`, `-Infinity`), dates `YYYY-MM-DD`,
/// timestamps `YYYY-MM-DD HH:MM:SS[.ffffff]`, strings as they are (unquoted).
void AppendValueText(const core::Vector& vector, size_t row, std::string* out);

}  // namespace sluice::io
