#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "io/postgres/pg_types.h"

namespace sluice::io::postgres {

/// Decodes PostgreSQL's binary COPY format ("PGCOPY\n\377\r\n\0" header, then per row a field
/// count and length-prefixed fields in network byte order, then a -1 trailer) into batches.
/// Not thread-safe.
class PgCopyDecoder {
 public:
  /// Decodes rows whose fields are `columns`, in that order.
  explicit PgCopyDecoder(std::vector<PgColumn> columns);

  /// Decodes the header and whole rows at the start of `bytes` into `batch`, from row `*rows`
  /// up while `*rows` < core::kVectorSize, advancing `*rows`. Returns the bytes consumed; a
  /// row cut off at the end of `bytes` is left for the next call. Throws DataError on
  /// malformed data or a value Sluice cannot represent (naming the column).
  size_t Decode(std::string_view bytes, core::Batch& batch, size_t* rows);
  /// Returns true once the trailer was decoded.
  bool finished() const { return finished_; }

 private:
  size_t DecodeHeader(std::string_view bytes);
  void DecodeField(size_t column, const char* data, int32_t size, core::Vector& vector,
                   size_t row) const;

  std::vector<PgColumn> columns_;
  bool header_done_ = false;
  bool finished_ = false;
};

}  // namespace sluice::io::postgres
