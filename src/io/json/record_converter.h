#pragma once

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/batch.h"
#include "core/schema.h"
#include "io/json/json_reader.h"
#include "io/json/record_parser.h"
#include "io/json/schema_inference.h"

namespace sluice::io {

/// Is one column of the reader's output: where it comes from and how it is typed.
struct OutputColumn {
  size_t source;  // index in the ColumnSet
  core::TypeId type;
  bool forced;       // typed by the user: never widened, values cast or rejected
  bool provisional;  // only NULLs were sampled: a first value widens it
};

/// Is how records become batches: the output columns and a lookup from (dotted) key names.
/// Immutable once made; shared by the threads converting chunks.
class ConversionPlan {
 public:
  /// Is what a key of the input maps to.
  struct Slot {
    int32_t output;  // index in outputs(), or -1 when the projection leaves it out
    bool leaf;       // forced: an object value is kept as JSON text, never flattened
  };

  /// Makes the plan for `columns` and the projection of `options`; throws UserError when a
  /// projected column does not exist.
  static ConversionPlan Make(const ColumnSet& columns, const JsonOptions& options);

  const core::SchemaPtr& schema() const { return schema_; }
  const std::vector<OutputColumn>& outputs() const { return outputs_; }
  NestedMode nested() const { return nested_; }
  /// Returns true when keys outside the projection are skipped (else they are new columns).
  bool projected() const { return projected_; }
  /// Returns the slot of a key, or null when the key is unknown.
  const Slot* Find(std::string_view name) const;

 private:
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };

  core::SchemaPtr schema_;
  std::vector<OutputColumn> outputs_;
  std::unordered_map<std::string, Slot, NameHash, std::equal_to<>> slots_;
  NestedMode nested_ = NestedMode::kFlatten;
  bool projected_ = false;
};

/// Is a value that does not fit its column's type, or a key the plan does not know.
struct Mismatch {
  size_t record;                 // first such record, index in the chunk
  std::string name;              // the column's (dotted) name
  std::optional<size_t> source;  // the column in the ColumnSet; none for a new key
  TypeGuess observed;            // every such value of the chunk, for widening
  std::string value;             // the first such value as JSON text, for messages
  bool soft;                     // the value was kept (as text in a provisional column)
};

/// Is what converting one chunk of records gave.
struct ChunkResult {
  std::optional<core::Batch> batch;
  std::vector<Mismatch> mismatches;      // values left NULL: the batch must not be used
  std::optional<RecordFailure> failure;  // a record that cannot be read at all
};

/// Converts the records of `spans` (texts in `input`) into one batch per `plan`.
ChunkResult ConvertChunk(const ConversionPlan& plan, std::string_view input,
                         std::span<const RecordSpan> spans);

}  // namespace sluice::io
