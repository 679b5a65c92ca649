#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace sluice::io::csv {

/// Names the types a CSV field can be read as, one bit each; VARCHAR always fits and has no bit.
enum FitBits : uint8_t {
  kFitsBoolean = 1,
  kFitsBigint = 2,
  kFitsDouble = 4,
  kFitsDate = 8,
  kFitsTimestamp = 16,
  kFitsAll = 31,
};

/// Parses `true`/`false` (any case).
bool ParseBoolean(std::string_view text, uint8_t* value);
/// Parses an optionally signed decimal integer without leading zeros; fails on overflow.
bool ParseBigint(std::string_view text, int64_t* value);
/// Parses a decimal or scientific number (digits first, no leading zeros, no inf/nan).
bool ParseDouble(std::string_view text, double* value);

/// Returns the bits of `candidates` whose type can read `text`.
uint8_t FitMask(std::string_view text, uint8_t candidates);
/// Returns the narrowest type allowed by `mask`, VARCHAR when the mask is empty.
core::TypeId TypeFromMask(uint8_t mask);
/// Returns the bits of `type` and of the types every value of `type` also fits (BIGINT: DOUBLE).
uint8_t WideningMask(core::TypeId type);

/// Tells whether an unquoted field spells NULL; quoted fields never do.
class NullMatcher {
 public:
  NullMatcher(const std::vector<std::string>& null_strings, char quote);

  bool IsNull(std::string_view raw) const {
    if (raw.empty()) return empty_is_null_;
    if (strings_.empty() || raw[0] == quote_) return false;
    for (const std::string& text : strings_) {
      if (raw == text) return true;
    }
    return false;
  }

 private:
  bool empty_is_null_ = false;
  char quote_;
  std::vector<std::string> strings_;  // the non-empty ones
};

/// Removes the quotes of a quoted field and resolves escapes into `out`.
void Unquote(std::string_view raw, char quote, char escape, std::string* out);
/// Returns true when `text` is valid UTF-8.
bool IsValidUtf8(std::string_view text);

}  // namespace sluice::io::csv
