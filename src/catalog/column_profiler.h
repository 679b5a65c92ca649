#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "catalog/column_profile.h"
#include "core/batch.h"
#include "core/schema.h"
#include "core/types.h"
#include "core/vector.h"
#include "io/batch_reader.h"

namespace sluice::catalog {

/// Says how much a profile keeps.
struct ProfileOptions {
  size_t top_k = 10;           // most frequent values reported
  size_t histogram_bins = 20;  // bins of the equi-width histogram
  size_t sample_size = 64;     // values in the uniform sample
  size_t minhash_k = 256;      // hashes in the MinHash signature
  size_t sample_rows = 5;      // first rows ProfileReader keeps as the dataset's sample
};

/// Profiles one column in one pass over its vectors, with state that merges, so that threads
/// profile parts of a table and merge their profilers at the end. While the column has at most
/// 2048 distinct values (ValueTable::kLimit) they are counted exactly, and the distinct count,
/// top values, quantiles, histogram and signature are exact (and the same however the rows
/// were split). Past that, HyperLogLog, KLL and MinHash sketches take over (see their headers
/// for the error bounds), and Misra-Gries heavy hitters fed one value in 32 at weight 32: top
/// values of such columns are estimates, reported only when above the summary's error bound
/// (none for near-unique columns). Values are hashed once, integers and strings by their text
/// (42 and "42" alike); runs of equal neighbouring values are counted once per run.
/// Movable, not copyable; not thread-safe.
class ColumnProfiler {
 public:
  ColumnProfiler(std::string name, core::TypeId type, const ProfileOptions& options = {});
  ~ColumnProfiler();
  ColumnProfiler(ColumnProfiler&&) noexcept;
  ColumnProfiler& operator=(ColumnProfiler&&) noexcept;

  /// Adds the first `count` values of `vector`; with `codes` (as a reader read the vector from
  /// a dictionary), values are counted per dictionary entry while the column is counted
  /// exactly, which is several times cheaper than per value. REQUIRES: vector.type() == type().
  void Add(const core::Vector& vector, size_t count, const io::DictionaryCodes* codes = nullptr);
  /// Adds the values of `vector` at the positions `rows`. REQUIRES: vector.type() == type().
  void Add(const core::Vector& vector, std::span<const uint32_t> rows,
           const io::DictionaryCodes* codes = nullptr);
  /// Returns true when Add() would most likely count values by these codes without reading
  /// them, so that a reader may leave them out (io::DictionaryCodes::values_left_out).
  bool CountsByCodes(const io::DictionaryCodes& codes) const;
  /// Adds what `other` saw. REQUIRES: the same type and options.
  void Merge(ColumnProfiler&& other);
  /// Returns the profile of every value added so far (see ColumnProfile for each field; values
  /// as core::Value prints them; stddev is the sample standard deviation, none below two
  /// values; NaN counts as a distinct value but not in min, max, mean, quantiles, histogram;
  /// histogram bins are equi-width over [min, max], from the KLL ranks past the exact table).
  /// Not const: counts held per dictionary entry go to the table first.
  ColumnProfile Finish();

  const std::string& name() const;
  core::TypeId type() const;

 private:
  void AddRows(const core::Vector& vector, size_t count, const uint32_t* rows,
               const io::DictionaryCodes* codes);

  struct State;
  std::unique_ptr<State> state_;
};

/// Is the profile of a table: its row count and one profile per column.
struct TableProfile {
  int64_t rows = 0;
  std::vector<ColumnProfile> columns;
  std::string sample_json;  // ProfileReader: the first rows, as SampleRowsJson writes them
};

/// Profiles every column of a table's batches (a ColumnProfiler per column). Movable, not
/// copyable; not thread-safe: threads use one each and merge them.
class TableProfiler {
 public:
  explicit TableProfiler(const core::Schema& schema, const ProfileOptions& options = {});

  /// Adds the rows the batch holds (its selection's, when it has one), with the dictionary
  /// codes of its columns when the reader kept them (one per column, or none).
  /// REQUIRES: the batch has the schema this profiler was made with.
  void AddBatch(const core::Batch& batch, std::span<const io::DictionaryCodes> codes = {});
  /// Writes the values of the columns the reader left out of `batch` (see `codes`) that this
  /// profiler reads rather than counting them by their codes.
  void FillNeededValues(core::Batch& batch, std::span<io::DictionaryCodes> codes) const;
  /// Adds what `other` saw. REQUIRES: the same schema and options.
  void Merge(TableProfiler&& other);
  /// Returns the profile of every row added so far.
  TableProfile Finish();
  int64_t rows() const { return rows_; }

 private:
  std::vector<ColumnProfiler> columns_;
  int64_t rows_ = 0;
};

/// Reads every remaining batch of `reader` and profiles them on ThreadCount() threads: each
/// thread calls NextConcurrent() with its own TableProfiler when the reader is concurrent;
/// otherwise this thread calls Next() and hands the batches to the others. Throws what the
/// reader throws.
TableProfile ProfileReader(io::BatchReader& reader, const ProfileOptions& options = {});

}  // namespace sluice::catalog
