#include "io/value_text.h"

#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "core/datetime.h"
#include "core/value.h"

namespace sluice::io {
namespace {

void AppendDouble(double value, std::string* out) {
  if (!std::isfinite(value)) {
    *out += core::FormatDouble(value);
    return;
  }
  size_t start = out->size();
  fmt::format_to(std::back_inserter(*out), "{}", value);
  // "1" would read back as an integer: keep the text a double.
  if (out->find_first_of(".e", start) == std::string::npos) *out += ".0";
}

}  // namespace

void AppendValueText(const core::Vector& vector, size_t row, std::string* out) {
  switch (vector.type()) {
    case core::TypeId::kBoolean:
      *out += vector.data<uint8_t>()[row] ? "true" : "false";
      return;
    case core::TypeId::kInteger:
      fmt::format_to(std::back_inserter(*out), "{}", vector.data<int32_t>()[row]);
      return;
    case core::TypeId::kBigint:
      fmt::format_to(std::back_inserter(*out), "{}", vector.data<int64_t>()[row]);
      return;
    case core::TypeId::kDouble:
      AppendDouble(vector.data<double>()[row], out);
      return;
    case core::TypeId::kVarchar:
      *out += vector.GetString(row);
      return;
    case core::TypeId::kDate:
      *out += core::FormatDate(vector.data<int32_t>()[row]);
      return;
    case core::TypeId::kTimestamp:
      *out += core::FormatTimestamp(vector.data<int64_t>()[row]);
      return;
  }
}

}  // namespace sluice::io
