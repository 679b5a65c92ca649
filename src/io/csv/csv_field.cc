#include "io/csv/csv_field.h"

#include <cstring>

#include <fast_float/fast_float.h>

#include "core/datetime.h"

namespace sluice::io::csv {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Drops one sign and rejects what no number may start with (empty text, leading zeros).
bool StripSign(std::string_view* text, bool* negative) {
  *negative = false;
  if (!text->empty() && ((*text)[0] == '-' || (*text)[0] == '+')) {
    *negative = (*text)[0] == '-';
    text->remove_prefix(1);
  }
  if (text->empty()) return false;
  return !((*text)[0] == '0' && text->size() > 1 && IsDigit((*text)[1]));
}

bool EqualsIgnoreCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((text[i] | 0x20) != lower[i]) return false;
  }
  return true;
}

}  // namespace

NullMatcher::NullMatcher(const std::vector<std::string>& null_strings, char quote) : quote_(quote) {
  for (const std::string& text : null_strings) {
    if (text.empty()) {
      empty_is_null_ = true;
    } else {
      strings_.push_back(text);
    }
  }
}

bool ParseBoolean(std::string_view text, uint8_t* value) {
  if (EqualsIgnoreCase(text, "true")) {
    *value = 1;
    return true;
  }
  if (EqualsIgnoreCase(text, "false")) {
    *value = 0;
    return true;
  }
  return false;
}

bool ParseBigint(std::string_view text, int64_t* value) {
  bool negative;
  if (!StripSign(&text, &negative) || text.size() > 19) return false;
  uint64_t magnitude = 0;
  for (char c : text) {
    if (!IsDigit(c)) return false;
    magnitude = magnitude * 10 + static_cast<uint64_t>(c - '0');
  }
  // 19 digits fit in uint64_t, so the limits can be checked once at the end.
  uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (magnitude > limit) return false;
  *value = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return true;
}

bool ParseDouble(std::string_view text, double* value) {
  bool negative;
  if (!StripSign(&text, &negative)) return false;
  if (!IsDigit(text[0]) && !(text[0] == '.' && text.size() > 1 && IsDigit(text[1]))) return false;
  const char* end = text.data() + text.size();
  auto result = fast_float::from_chars(text.data(), end, *value);
  if (result.ec != std::errc() || result.ptr != end) return false;
  if (negative) *value = -*value;
  return true;
}

uint8_t FitMask(std::string_view text, uint8_t candidates) {
  uint8_t fits = 0;
  if (candidates & kFitsBoolean) {
    uint8_t boolean;
    if (ParseBoolean(text, &boolean)) fits |= kFitsBoolean;
  }
  int64_t integer;
  if ((candidates & kFitsBigint) && ParseBigint(text, &integer)) fits |= kFitsBigint;
  double number;
  if ((candidates & kFitsDouble) && ParseDouble(text, &number)) fits |= kFitsDouble;
  if ((candidates & kFitsDate) && core::ParseDate(text)) fits |= kFitsDate;
  if ((candidates & kFitsTimestamp) && core::ParseTimestamp(text)) fits |= kFitsTimestamp;
  return fits;
}

core::TypeId TypeFromMask(uint8_t mask) {
  if (mask & kFitsBoolean) return core::TypeId::kBoolean;
  if (mask & kFitsBigint) return core::TypeId::kBigint;
  if (mask & kFitsDouble) return core::TypeId::kDouble;
  if (mask & kFitsDate) return core::TypeId::kDate;
  if (mask & kFitsTimestamp) return core::TypeId::kTimestamp;
  return core::TypeId::kVarchar;
}

uint8_t WideningMask(core::TypeId type) {
  switch (type) {
    case core::TypeId::kBoolean:
      return kFitsBoolean;
    case core::TypeId::kInteger:
    case core::TypeId::kBigint:
      return kFitsBigint | kFitsDouble;
    case core::TypeId::kDouble:
      return kFitsDouble;
    case core::TypeId::kDate:
      return kFitsDate | kFitsTimestamp;
    case core::TypeId::kTimestamp:
      return kFitsTimestamp;
    case core::TypeId::kVarchar:
      return 0;
  }
  return 0;
}

void Unquote(std::string_view raw, char quote, char escape, std::string* out) {
  out->clear();
  bool quoted = false;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (quoted && c == escape && i + 1 < raw.size() && (escape != quote || raw[i + 1] == quote)) {
      out->push_back(raw[++i]);
    } else if (c == quote) {
      quoted = !quoted;
    } else {
      out->push_back(c);
    }
  }
}

bool IsValidUtf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  size_t size = text.size();
  size_t i = 0;
  while (i < size) {
    unsigned char lead = bytes[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
    if (length == 0 || lead > 0xF4 || i + length > size) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((bytes[i + k] & 0xC0) != 0x80) return false;
    }
    unsigned char second = bytes[i + 1];
    if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F) ||
        (lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second > 0x8F)) {
      return false;
    }
    i += length;
  }
  return true;
}

}  // namespace sluice::io::csv
