#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::core {

/// Is the number of values a vector holds at most in a pipeline.
inline constexpr size_t kVectorSize = 2048;

/// Names the logical types. DATE is days since 1970-01-01 (int32); TIMESTAMP is microseconds
/// since 1970-01-01 00:00:00 UTC (int64); BOOLEAN is one byte per value.
enum class TypeId : uint8_t {
  kBoolean,
  kInteger,
  kBigint,
  kDouble,
  kVarchar,
  kDate,
  kTimestamp,
};

/// Returns the SQL name of a type ("BIGINT", "VARCHAR", ...).
std::string_view TypeName(TypeId type);

/// Returns the type for a SQL type name or alias (INT, INT8, TEXT, FLOAT8...), case-insensitive.
std::optional<TypeId> TypeFromName(std::string_view name);

/// Returns the bytes one value of `type` takes in a vector.
size_t TypeWidth(TypeId type);

/// Returns true for INTEGER, BIGINT and DOUBLE.
bool IsNumeric(TypeId type);

/// Maps a type to its C++ storage type.
template <TypeId T>
struct TypeTraits;
template <>
struct TypeTraits<TypeId::kBoolean> {
  using Native = uint8_t;
};
template <>
struct TypeTraits<TypeId::kInteger> {
  using Native = int32_t;
};
template <>
struct TypeTraits<TypeId::kBigint> {
  using Native = int64_t;
};
template <>
struct TypeTraits<TypeId::kDouble> {
  using Native = double;
};
template <>
struct TypeTraits<TypeId::kDate> {
  using Native = int32_t;
};
template <>
struct TypeTraits<TypeId::kTimestamp> {
  using Native = int64_t;
};

}  // namespace sluice::core
