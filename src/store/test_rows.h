#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/batch.h"

namespace sluice::store {

/// Returns the schema of the rows tests write: id BIGINT, label VARCHAR, value DOUBLE.
inline core::SchemaPtr TestSchema() {
  return std::make_shared<core::Schema>(std::vector<core::Field>{{"id", core::TypeId::kBigint},
                                                                 {"label", core::TypeId::kVarchar},
                                                                 {"value", core::TypeId::kDouble}});
}

/// Returns `count` rows with ids from `first`: label "row-<id>" (NULL for every tenth id) and
/// value id / 2. Fills whole vectors directly, so that large results build quickly.
inline std::vector<core::Batch> TestRows(int64_t first, int64_t count) {
  core::SchemaPtr schema = TestSchema();
  std::vector<core::Batch> batches;
  for (int64_t start = 0; start < count; start += core::kVectorSize) {
    size_t rows = static_cast<size_t>(std::min<int64_t>(core::kVectorSize, count - start));
    core::Batch& batch = batches.emplace_back(schema, rows);
    for (size_t r = 0; r < rows; ++r) {
      int64_t id = first + start + static_cast<int64_t>(r);
      batch.AppendRow({core::Value::Bigint(id),
                       id % 10 == 0 ? core::Value::Null(core::TypeId::kVarchar)
                                    : core::Value::Varchar("row-" + std::to_string(id)),
                       core::Value::Double(static_cast<double>(id) / 2)});
    }
  }
  return batches;
}

/// Is what tests compare versions by: the row count and a checksum of every value.
struct RowsDigest {
  int64_t rows = 0;
  uint64_t checksum = 0;
  friend bool operator==(const RowsDigest&, const RowsDigest&) = default;
};

/// Returns the digest of `batches` (order-independent).
inline RowsDigest Digest(const std::vector<core::Batch>& batches) {
  RowsDigest digest;
  for (const core::Batch& batch : batches) {
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      uint64_t hash = 1469598103934665603ull;
      for (size_t c = 0; c < batch.num_columns(); ++c) {
        for (char ch : batch.GetValue(c, row).ToString())
          hash = (hash ^ uint8_t(ch)) * 1099511628211ull;
        hash = (hash ^ 0x1f) * 1099511628211ull;
      }
      digest.checksum += hash;
      ++digest.rows;
    }
  }
  return digest;
}

}  // namespace sluice::store
