#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/schema.h"
#include "io/parquet/format/parquet_types.h"

namespace sluice::io::parquet {

/// Names how a stored (physical) value becomes a Sluice value.
enum class Conversion {
  kNone,            // same representation (BOOLEAN, INT32 → INTEGER/DATE, INT64 → BIGINT, ...)
  kUint32,          // INT32 holding an unsigned 32-bit value → BIGINT
  kUint64,          // INT64 holding an unsigned value → BIGINT; above 2^63-1 is a DataError
  kMillisToMicros,  // INT64 milliseconds → TIMESTAMP; INT32 TIME millis → BIGINT micros
  kNanosToMicros,   // INT64 nanoseconds → TIMESTAMP or TIME micros (floor)
  kInt96,           // INT96 (Impala nanoseconds + Julian day) → TIMESTAMP
  kFloatToDouble,   // FLOAT → DOUBLE
  kDecimal,         // INT32/INT64/BYTE_ARRAY/FIXED_LEN_BYTE_ARRAY decimal → DOUBLE
  kFloat16,         // FIXED_LEN_BYTE_ARRAY(2) half float → DOUBLE
  kUuid,            // FIXED_LEN_BYTE_ARRAY(16) → VARCHAR in 8-4-4-4-12 hex form
  kTime,            // INT32/INT64 TIME (unit 10^-scale s) → VARCHAR 'HH:MM:SS[.ffffff]'
};

/// Names how a top-level field is stored.
enum class Shape {
  kFlat,         // one leaf column, required or optional
  kList,         // a LIST of primitives, read as VARCHAR holding its JSON text
  kUnsupported,  // deeper nesting: readable only when left out of the projection
};

/// Describes one top-level field of a Parquet file as Sluice reads it.
struct ColumnDescriptor {
  std::string name;
  Shape shape = Shape::kFlat;
  std::string unsupported;  // why the field cannot be read (kUnsupported)
  size_t leaf = 0;          // index of its column chunk in every row group
  format::Type::type physical = format::Type::INT32;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY width
  int16_t max_definition = 0;
  int16_t max_repetition = 0;
  int16_t list_defined = 0;  // kList: definition level at which the list itself is not NULL
  core::TypeId type = core::TypeId::kInteger;         // the value's type (element's, for lists)
  core::TypeId output_type = core::TypeId::kInteger;  // the column's type (VARCHAR for lists)
  Conversion conversion = Conversion::kNone;
  int32_t scale = 0;     // decimal scale; kTime: 3, 6 or 9 (millis, micros, nanos)
  bool is_text = false;  // BYTE_ARRAY read as VARCHAR: quoted in list JSON text
};

/// Maps the schema of `metadata` to one descriptor per top-level field. Throws DataError naming
/// `path` when the schema is malformed.
std::vector<ColumnDescriptor> DescribeColumns(const format::FileMetaData& metadata,
                                              const std::string& path);

/// Returns the Sluice schema of `columns`.
core::SchemaPtr SchemaOf(const std::vector<ColumnDescriptor>& columns);

}  // namespace sluice::io::parquet
