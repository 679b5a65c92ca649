#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/schema.h"
#include "core/vector.h"

namespace sluice::io {

/// Says how a reader read one column of a batch from a dictionary: row i of the column is entry
/// codes[i] of `entries`, the dictionary's values (NULL rows have code 0). `dictionary` numbers
/// the dictionary, uniquely in the process, and is 0 when the column's rows were not all read
/// from one dictionary (then nothing else is set). `keep` keeps `codes` alive. When
/// `values_left_out`, the column's vector holds its validity only (KeepDictionaryCodes(false)):
/// FillFromCodes() writes its values.
struct DictionaryCodes {
  uint64_t dictionary = 0;
  std::shared_ptr<const core::Vector> entries;
  const uint32_t* codes = nullptr;
  std::shared_ptr<const void> keep;
  bool values_left_out = false;
};

/// Writes the values `codes` names into the first `count` slots of `vector`, the column they
/// describe (NULL rows stay NULL; strings keep the dictionary's bytes alive).
void FillFromCodes(const DictionaryCodes& codes, size_t count, core::Vector& vector);

/// Is a batch and its place in the source's order, and, when the reader was asked to keep them
/// (BatchReader::KeepDictionaryCodes), one DictionaryCodes per column.
struct SequencedBatch {
  core::Batch batch;
  uint64_t sequence;
  std::vector<DictionaryCodes> codes;
};

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
  /// Returns what the reader pushes down and skips (predicates, row groups passed over), for
  /// EXPLAIN [ANALYZE]; empty when there is nothing to say.
  virtual std::string Describe() const { return {}; }
  /// Returns true when NextConcurrent() may be called by several threads at once: such a
  /// reader decodes on the threads that call it rather than behind one lock.
  virtual bool concurrent() const { return false; }
  /// Returns some next batch with its sequence number (every number from 0 up once, in source
  /// order, though not necessarily returned in that order), or nothing when all are handed out.
  /// Thread-safe. REQUIRES: concurrent(); not mixed with Next() on one reader.
  virtual std::optional<SequencedBatch> NextConcurrent() { return std::nullopt; }
  /// Like NextConcurrent(), but where that would wait for batches other threads are decoding,
  /// returns nothing with `*busy` set instead (nothing with `*busy` false: no batch is left).
  virtual std::optional<SequencedBatch> TryNextConcurrent(bool* busy) {
    *busy = false;
    return NextConcurrent();
  }
  /// Returns how many batches NextConcurrent() hands out in all, when the reader knows before
  /// reading. REQUIRES: nothing read.
  virtual std::optional<uint64_t> BatchCount() const { return std::nullopt; }
  /// Asks for SequencedBatch::codes from NextConcurrent(), so that a consumer may count values
  /// per dictionary entry (the catalog's profiler); readers that decode no dictionaries, or
  /// only some columns from them, leave the others' `dictionary` 0. Unless `fill_values`, the
  /// reader may leave the values of a column with codes out of its vector (saying so in
  /// `values_left_out`). REQUIRES: nothing read.
  virtual void KeepDictionaryCodes(bool /*fill_values*/) {}
  /// Makes the reader hand out only share `rank` of `size` of the source (whole row groups,
  /// whole files), with sequence numbers in source order over the whole source, so that the
  /// ranks of a distributed run each read a different part: a concurrent reader through
  /// NextConcurrent, another through LastSequence. Returns false, changing nothing, when the
  /// reader cannot split so (the caller then slices the rows it reads). REQUIRES: nothing read.
  virtual bool KeepShare(int /*rank*/, int /*size*/) { return false; }
  /// Returns the sequence number of the batch Next() returned last when the reader numbers its
  /// batches itself (after KeepShare: in source order, with gaps where other shares' batches
  /// are); nullopt when the caller numbers them 0, 1, 2, ...
  virtual std::optional<uint64_t> LastSequence() const { return std::nullopt; }
};

/// Reads every remaining batch of `reader` into memory.
std::vector<core::Batch> ReadAll(BatchReader& reader);

}  // namespace sluice::io
