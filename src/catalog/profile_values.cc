#include "catalog/profile_values.h"

#include "base/error.h"
#include "core/value.h"
#include "io/csv/csv_field.h"

namespace sluice::catalog {

uint8_t TypeFits(std::string_view text) {
  using namespace io::csv;  // NOLINT: the fit bits
  if (text.empty()) return 0;
  char first = text[0];
  uint8_t candidates = 0;
  if (first >= '0' && first <= '9') {
    candidates = kFitsBigint | kFitsDouble;
    if (text.size() >= 8) candidates |= kFitsDate | kFitsTimestamp;
  } else if (first == '-' || first == '+' || first == '.') {
    candidates = kFitsBigint | kFitsDouble;
  } else if ((first | 0x20) == 't' || (first | 0x20) == 'f') {
    candidates = kFitsBoolean;
  } else {
    return 0;
  }
  return FitMask(text, candidates);
}

std::string NumberText(core::TypeId type, uint64_t key) {
  auto value = static_cast<int64_t>(key);
  switch (type) {
    case core::TypeId::kBoolean:
      return core::Value::Boolean(value != 0).ToString();
    case core::TypeId::kInteger:
      return core::Value::Integer(static_cast<int32_t>(value)).ToString();
    case core::TypeId::kBigint:
      return core::Value::Bigint(value).ToString();
    case core::TypeId::kDouble:
      return core::Value::Double(KeyToDouble(key)).ToString();
    case core::TypeId::kDate:
      return core::Value::Date(static_cast<int32_t>(value)).ToString();
    case core::TypeId::kTimestamp:
      return core::Value::Timestamp(value).ToString();
    case core::TypeId::kVarchar:
      break;
  }
  throw InternalError("NumberText of a VARCHAR");
}

}  // namespace sluice::catalog
