#pragma once

#include <optional>
#include <vector>

#include "core/batch.h"
#include "core/schema.h"

namespace sluice::io {

/// Streams the rows of a source as batches of at most core::kVectorSize rows, in source order.
/// Memory stays bounded whatever the source's size. Not thread-safe: one consumer at a time.
class BatchReader {
 public:
  virtual ~BatchReader() = default;

  /// Returns the schema of every batch this reader returns (after projection).
  virtual const core::SchemaPtr& schema() const = 0;
  /// Returns the next batch, or nothing at the end. Throws DataError naming the place on
  /// malformed input and IoError when the source cannot be read.
  virtual std::optional<core::Batch> Next() = 0;
};

/// Reads every remaining batch of `reader` into memory.
std::vector<core::Batch> ReadAll(BatchReader& reader);

}  // namespace sluice::io
