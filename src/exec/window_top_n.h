#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/batch.h"
#include "exec/window_rows.h"

namespace sluice::exec {

/// Names the ranking function whose limit decides which rows WindowTopN keeps.
enum class TopNRanking : uint8_t { kRowNumber, kRank, kDenseRank };

/// Is what one thread kept, ready for WindowSink's Finalize: one batch per input morsel
/// that still holds kept rows (rows in input order), the morsels' (sequence, piece), and the
/// kept rows, whose `batch` indexes `batches`.
struct TopNRows {
  std::vector<core::Batch> batches;
  std::vector<std::pair<uint64_t, uint32_t>> sequences;
  std::vector<WindowRow> rows;
};

/// Keeps, for one thread, only the rows of each window partition whose ranking function
/// (row_number, rank or dense_rank) over the rows seen so far is at most `limit`: a hash table
/// by partition keys holds each partition's best rows in window order (order keys, then input
/// place). A row's rank among all threads' rows is never smaller than among one thread's, so
/// the union of what the threads keep holds every row within the limit and every row ahead of
/// it, and ranking those rows again gives their true ranks (and ranks above the limit to the
/// rest). rank and dense_rank keep every tie.
///
/// Each partition's hash bucket holds the bound a row must beat to get in, so most rows are
/// turned away after one read, and the buckets and entries of rows ahead are fetched early.
/// Kept rows are copied out of their morsel into a batch of their own, in input order, so a
/// morsel's other rows are not held; rows pushed out later are dropped when they pile up.
/// Not thread-safe: one per thread.
class WindowTopN {
 public:
  /// Is the largest limit supported: past it, sorted inserts into a partition's rows cost more
  /// than one sort of them.
  static constexpr int64_t kMaxLimit = 1024;

  /// Makes the table. REQUIRES: 1 <= limit <= kMaxLimit; `ordering` outlives this.
  WindowTopN(const WindowOrdering& ordering, TopNRanking ranking, int64_t limit);
  ~WindowTopN();
  WindowTopN(const WindowTopN&) = delete;
  WindowTopN& operator=(const WindowTopN&) = delete;

  /// Offers the rows of `batch`, the morsel at (`sequence`, `piece`). `hashes` holds each
  /// physical row's partition hash (HashPartitionKeys), `keys` and `late_bits` its sort
  /// prefixes (ComputeSortPrefixes; zeros without ORDER BY). Returns the change in bytes held.
  int64_t Consume(core::Batch batch, uint64_t sequence, uint32_t piece, const uint64_t* hashes,
                  const uint64_t* keys, const uint32_t* late_bits);

  /// Moves out the kept rows; the table is left empty.
  TopNRows TakeRows();

 private:
  struct Slot;
  struct Entry;
  struct Chunk;
  struct Bucket;
  struct alignas(64) Line {
    std::byte bytes[64];
  };
  // Is a row of the current chunk the gate let through, and its partition's entry.
  struct Candidate {
    uint32_t entry;
    uint32_t row;
  };

  // Rows kept per partition inline in its entry, at most.
  static constexpr size_t kMaxInlineSlots = 8;

  Entry& EntryAt(uint32_t index);
  std::span<Slot> SlotsOf(Entry& entry);
  const Slot& Representative(Entry& entry);
  size_t FindOrInsert(uint64_t hash, uint64_t key, uint32_t chunk, uint32_t row);
  size_t Insert(size_t bucket, uint64_t hash, uint64_t key, uint32_t chunk, uint32_t row);
  static bool Rejects(const Bucket& bucket, uint64_t key, uint32_t late_bit);
  void OfferCandidate(const Candidate& candidate, const uint64_t* keys, const uint32_t* late_bits,
                      uint32_t chunk);
  bool SamePartition(const Slot& stored, uint32_t chunk, uint32_t row) const;
  void Grow();
  void InsertSlot(Entry& entry, size_t at, const Slot& slot);
  void TruncateSlots(Entry& entry, size_t size);
  void Offer(Entry& entry, Bucket& bucket, const Slot& slot);
  void Trim(Entry& entry);
  int CompareOrder(const Slot& left, const Slot& right) const;
  bool Before(const Slot& left, const Slot& right) const;
  void CompactChunk(uint32_t chunk);
  void CompactAll();
  int64_t MeasureBytes() const;

  const WindowOrdering& ordering_;
  TopNRanking ranking_;
  size_t limit_;
  size_t inline_slots_;
  size_t stride_;  // bytes per entry: an Entry and its inline slots
  bool exact_prefix_ = true;
  bool exact_hash_ = false;
  bool types_known_ = false;
  static const Bucket kFreeBucket;
  std::vector<Bucket> buckets_;  // linear probing, at most three quarters full
  std::vector<Line> entries_;    // Entry and inline slots, stride_ bytes each
  size_t num_entries_ = 0;
  std::vector<std::vector<Slot>> overflow_;
  std::vector<Candidate> candidates_;  // in the current chunk, in row order
  std::vector<uint32_t> remap_;        // kDead between chunks
  std::vector<uint32_t> touched_;      // entries the current chunk put rows into
  std::vector<Chunk> chunks_;
  size_t stored_rows_ = 0;
  size_t live_rows_ = 0;
  int64_t chunk_bytes_ = 0;
  int64_t held_bytes_ = 0;
};

}  // namespace sluice::exec
