#include "catalog/profile_values.h"

#include "base/error.h"
#include "core/value.h"

namespace sluice::catalog {

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
