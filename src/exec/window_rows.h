#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/batch.h"
#include "exec/collect_operators.h"

namespace sluice::exec {

/// Is one input row of a window: its partition-key hash, a sort prefix of the first ORDER BY
/// key, and where it lives. The top bit of `row` (kLateBit) is set on the rows of the first
/// key's later group: the NULLs with NULLS LAST, the non-NULL values with NULLS FIRST.
struct WindowRow {
  static constexpr uint32_t kLateBit = uint32_t{1} << 31;

  uint64_t hash;
  uint64_t key;
  uint32_t batch;
  uint32_t row;

  uint32_t physical_row() const { return row & ~kLateBit; }
};

/// Is one input column's value and validity pointers for every input batch, so reading a
/// row's value costs one random read instead of a walk through batch and vector objects.
struct ColumnTable {
  std::vector<const std::byte*> data;
  std::vector<const uint64_t*> validity;  // null where the batch's vector has no NULLs
};

/// Returns the tables of columns [0, num_columns) of `inputs`.
std::vector<ColumnTable> MakeColumnTables(const std::vector<core::Batch>& inputs,
                                          size_t num_columns);

/// Returns every row of `lists` in one vector, grouped into buckets by hash bits so that equal
/// hashes share a bucket (a counting sort); `bounds` receives each bucket's first position,
/// then the end. The lists are emptied.
std::vector<WindowRow> BucketRows(std::span<std::vector<WindowRow>* const> lists,
                                  std::vector<uint32_t>& bounds);

/// Is how a window sorts: the partition columns, then the order keys.
struct WindowOrdering {
  std::vector<size_t> partition_columns;
  std::vector<SortKey> order_keys;
};

/// Computes one hash per row over rows [0, count) of the partition columns `keys` into
/// `hashes`. With one fixed-width key the hash is a bijection of the value, so equal hashes
/// mean equal keys (except kNullPartitionHash, which NULL shares with one value).
void HashPartitionKeys(std::span<const core::Vector* const> keys, size_t count, uint64_t* hashes);

/// Compares row `left_row` of `left` with row `right_row` of `right` by `keys`, NULLs placed as
/// each key says; returns a negative number, 0 or a positive number.
int CompareSortKeys(const core::Batch& left, size_t left_row, const core::Batch& right,
                    size_t right_row, std::span<const SortKey> keys);

/// Returns true when the rows hold equal values in every column of `columns` (NULL equals NULL).
bool EqualPartitionKeys(const core::Batch& left, size_t left_row, const core::Batch& right,
                        size_t right_row, std::span<const size_t> columns);

/// Is the hash of a NULL key when there is one fixed-width partition key.
inline constexpr uint64_t kNullPartitionHash = 0x5bd1e9955bd1e995ULL;

/// Computes the WindowRow sort prefixes (`key` and the late bit of `row`) of rows
/// [0, count) of `column`, the first ORDER BY key's column.
void ComputeSortPrefixes(const core::Vector& column, const SortKey& key, size_t count,
                         uint64_t* keys, uint32_t* late_bits);

/// Is one radix partition's rows sorted by (partition keys, order keys, input position), with
/// the window partitions and peer groups found. Positions are indices into the sorted rows.
class SortedRows {
 public:
  /// Sorts `rows` of `batches`, bucketed as BucketRows leaves them; finds peer groups only
  /// when `find_peers`.
  SortedRows(const std::vector<core::Batch>& batches, std::vector<WindowRow> rows,
             const std::vector<uint32_t>& buckets, const WindowOrdering& ordering, bool find_peers);

  size_t size() const { return rows_.size(); }
  const std::vector<core::Batch>& batches() const { return batches_; }
  std::span<const WindowRow> rows() const { return rows_; }
  /// Returns the vector holding column `column` of sorted row `position`.
  const core::Vector& column(size_t position, size_t column) const {
    return batches_[rows_[position].batch].column(column);
  }
  size_t physical_row(size_t position) const { return rows_[position].physical_row(); }
  /// Returns the first position of each window partition, then size().
  const std::vector<uint32_t>& partition_bounds() const { return partition_bounds_; }
  /// Returns the first position of `position`'s peer group. REQUIRES: find_peers.
  uint32_t peer_start(size_t position) const { return peer_start_[position]; }
  /// Returns one past the last position of `position`'s peer group. REQUIRES: find_peers.
  uint32_t peer_end(size_t position) const { return peer_end_[position]; }

 private:
  int CompareOrder(const WindowRow& left, const WindowRow& right) const;
  int ComparePartition(const WindowRow& left, const WindowRow& right) const;
  void Sort(const std::vector<uint32_t>& buckets);
  template <typename Less>
  void SortBuckets(const std::vector<uint32_t>& buckets, Less less);
  void SplitHashRun(size_t begin, size_t end);
  void FindPeers();

  const std::vector<core::Batch>& batches_;
  std::vector<WindowRow> rows_;
  const WindowOrdering& ordering_;
  bool exact_prefix_;
  bool exact_hash_;
  std::vector<uint32_t> partition_bounds_;
  std::vector<uint32_t> peer_start_;
  std::vector<uint32_t> peer_end_;
};

}  // namespace sluice::exec
