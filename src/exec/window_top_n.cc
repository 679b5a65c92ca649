#include "exec/window_top_n.h"

#include <algorithm>
#include <cstring>

#include <sys/mman.h>

#include "base/error.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Vector;

constexpr uint32_t kNone = ~uint32_t{0};
constexpr uint32_t kDead = ~uint32_t{0};
constexpr size_t kInitialBuckets = 1024;
// Rows pushed out of the lists stay in their morsel's batch until the dead rows outnumber the
// live ones by this much.
constexpr size_t kDeadSlack = size_t{1} << 16;
constexpr size_t kAhead = 16;

template <typename T>
void CopyValues(const Vector& from, std::span<const uint32_t> rows, Vector& to) {
  const T* in = from.data<T>();
  T* out = to.data<T>();
  for (size_t i = 0; i < rows.size(); ++i) out[i] = in[rows[i]];
}

// Returns the physical rows `rows` of `source` as a batch of their own; strings are copied so
// the source's string heap is not held.
core::Batch CopyRows(const core::Batch& source, std::span<const uint32_t> rows) {
  core::Batch out(source.schema_ptr(), rows.size());
  for (size_t c = 0; c < source.num_columns(); ++c) {
    const Vector& from = source.column(c);
    Vector& to = out.column(c);
    switch (from.type()) {
      case TypeId::kBoolean:
        CopyValues<uint8_t>(from, rows, to);
        break;
      case TypeId::kInteger:
      case TypeId::kDate:
        CopyValues<int32_t>(from, rows, to);
        break;
      case TypeId::kBigint:
      case TypeId::kTimestamp:
      case TypeId::kDouble:
        CopyValues<int64_t>(from, rows, to);
        break;
      case TypeId::kVarchar:
        for (size_t i = 0; i < rows.size(); ++i) to.SetString(i, from.GetString(rows[i]));
        break;
    }
    if (from.validity().all_valid()) continue;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (from.IsNull(rows[i])) to.SetNull(i);
    }
  }
  out.SetNumRows(rows.size());
  return out;
}

uint32_t LateOf(uint32_t row) { return row >> 31; }

// Returns `count` copies of `fill`, asking for transparent huge pages when the vector is large:
// rows read entries and buckets at random, and 4 KiB pages would miss the TLB on most reads.
template <typename T>
std::vector<T> MakeTable(size_t count, const T& fill) {
  constexpr size_t kHugePageMinBytes = size_t{4} << 20;
  constexpr uintptr_t kHugePageBytes = uintptr_t{2} << 20;
  std::vector<T> table;
  table.reserve(count);  // allocated, not yet touched
#ifdef MADV_HUGEPAGE
  size_t bytes = count * sizeof(T);
  auto begin =
      (reinterpret_cast<uintptr_t>(table.data()) + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  auto end = (reinterpret_cast<uintptr_t>(table.data()) + bytes) & ~(kHugePageBytes - 1);
  if (bytes >= kHugePageMinBytes && end > begin) {
    madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  }
#endif
  table.assign(count, fill);
  return table;
}

}  // namespace

// Is one kept row: its sort prefix, its chunk and its row there (with WindowRow::kLateBit).
struct WindowTopN::Slot {
  uint64_t key;
  uint32_t chunk;
  uint32_t row;

  uint32_t physical_row() const { return row & ~WindowRow::kLateBit; }
};

// Is one partition's bucket: its hash, its entry, and the gate that rejects most rows without
// reading the entry: once the entry is full, a row whose sort prefix (late bit, key) lies after
// (`gate`, `worst_key`), its last row's, cannot get in; `gate` is 2 until then. The gate only
// ever tightens, so a row it rejected stays rejected.
struct WindowTopN::Bucket {
  uint64_t hash;
  uint64_t worst_key;
  uint32_t entry;  // kNone when the bucket is free
  uint32_t gate;
};

const WindowTopN::Bucket WindowTopN::kFreeBucket = {0, 0, kNone, 2};

// Is one partition's kept rows, followed in entries_ by `inline_slots_` slots: the rows in
// window order, inline while they fit (`overflow` is kNone), else in overflow_[overflow].
// `size` counts the rows; `groups` their peer groups (dense_rank only); `stamp` is the last
// chunk that put a row in; `bucket` is the partition's bucket. Padded so that an entry and two
// rows fill one cache line.
struct WindowTopN::Entry {
  uint32_t size;
  uint32_t stamp;
  uint32_t overflow;
  uint32_t bucket;
  uint32_t groups;
  uint32_t padding[3];
};

// Is one morsel's kept rows, in input order; `stored` counts them. The current chunk still
// holds the whole morsel, as it came, with `stored` 0.
struct WindowTopN::Chunk {
  core::Batch batch;
  uint64_t sequence;
  uint32_t piece;
  size_t stored = 0;
};

WindowTopN::WindowTopN(const WindowOrdering& ordering, TopNRanking ranking, int64_t limit)
    : ordering_(ordering),
      ranking_(ranking),
      limit_(static_cast<size_t>(limit)),
      inline_slots_(std::min<size_t>(limit_, kMaxInlineSlots)),
      stride_(sizeof(Entry) + inline_slots_ * sizeof(Slot)) {
  SLUICE_CHECK(limit >= 1 && limit <= kMaxLimit);
  static_assert(sizeof(Entry) == 32 && sizeof(Slot) == 16 && sizeof(Bucket) == 24);
  buckets_ = MakeTable(kInitialBuckets, kFreeBucket);
}

WindowTopN::~WindowTopN() = default;

inline WindowTopN::Entry& WindowTopN::EntryAt(uint32_t index) {
  return *reinterpret_cast<Entry*>(reinterpret_cast<std::byte*>(entries_.data()) +
                                   size_t{index} * stride_);
}

inline std::span<WindowTopN::Slot> WindowTopN::SlotsOf(Entry& entry) {
  if (entry.overflow != kNone) return overflow_[entry.overflow];
  return {reinterpret_cast<Slot*>(&entry + 1), entry.size};
}

// Returns a row of the entry's partition.
inline const WindowTopN::Slot& WindowTopN::Representative(Entry& entry) {
  if (entry.overflow != kNone) return overflow_[entry.overflow][0];
  return *reinterpret_cast<const Slot*>(&entry + 1);
}

int64_t WindowTopN::Consume(core::Batch batch, uint64_t sequence, uint32_t piece,
                            const uint64_t* hashes, const uint64_t* keys,
                            const uint32_t* late_bits) {
  if (!types_known_) {
    types_known_ = true;
    const auto& order = ordering_.order_keys;
    exact_prefix_ = order.empty() || batch.schema().field(order[0].column).type != TypeId::kVarchar;
    const auto& partition = ordering_.partition_columns;
    exact_hash_ =
        partition.size() == 1 && batch.schema().field(partition[0]).type != TypeId::kVarchar;
  }
  auto chunk = static_cast<uint32_t>(chunks_.size());
  size_t num_rows = batch.num_rows();
  const uint32_t* selection = batch.selection() ? batch.selection()->data() : nullptr;
  chunks_.push_back({std::move(batch), sequence, piece});
  auto physical_row = [&](size_t i) {
    return selection != nullptr ? selection[i] : static_cast<uint32_t>(i);
  };
  touched_.clear();
  candidates_.clear();
  // Each row's bucket is fetched kAhead rows before its gate is read, and the entry of a row
  // the gate lets through kAhead candidates before the row is offered, so random reads overlap.
  for (size_t i = 0; i < num_rows; ++i) {
    if (i + kAhead < num_rows) {
      __builtin_prefetch(&buckets_[hashes[physical_row(i + kAhead)] & (buckets_.size() - 1)]);
    }
    uint32_t physical = physical_row(i);
    const Bucket& bucket =
        buckets_[FindOrInsert(hashes[physical], keys[physical], chunk, physical)];
    if (Rejects(bucket, keys[physical], late_bits[physical])) continue;
    __builtin_prefetch(&EntryAt(bucket.entry));
    candidates_.push_back({bucket.entry, physical});
    if (candidates_.size() > kAhead) {
      OfferCandidate(candidates_[candidates_.size() - kAhead - 1], keys, late_bits, chunk);
    }
  }
  size_t pending = std::min(candidates_.size(), kAhead);
  for (size_t c = candidates_.size() - pending; c < candidates_.size(); ++c) {
    OfferCandidate(candidates_[c], keys, late_bits, chunk);
  }
  CompactChunk(chunk);
  if (stored_rows_ > 2 * live_rows_ + kDeadSlack) CompactAll();
  int64_t bytes = MeasureBytes();
  int64_t change = bytes - held_bytes_;
  held_bytes_ = bytes;
  return change;
}

// Returns true when the gate keeps the row with sort prefix (`late_bit`, `key`) out.
inline bool WindowTopN::Rejects(const Bucket& bucket, uint64_t key, uint32_t late_bit) {
  uint32_t late = LateOf(late_bit);
  return late > bucket.gate || (late == bucket.gate && key > bucket.worst_key);
}

// Offers a row the gate let through, unless the gate has tightened since.
void WindowTopN::OfferCandidate(const Candidate& candidate, const uint64_t* keys,
                                const uint32_t* late_bits, uint32_t chunk) {
  uint32_t physical = candidate.row;
  Entry& entry = EntryAt(candidate.entry);
  Bucket& bucket = buckets_[entry.bucket];
  if (Rejects(bucket, keys[physical], late_bits[physical])) return;
  Offer(entry, bucket, {keys[physical], chunk, physical | late_bits[physical]});
  if (entry.stamp != chunk) {
    entry.stamp = chunk;
    touched_.push_back(candidate.entry);
  }
}

// Returns the bucket of the row's partition, making an entry with no rows if it has none.
inline size_t WindowTopN::FindOrInsert(uint64_t hash, uint64_t key, uint32_t chunk, uint32_t row) {
  size_t mask = buckets_.size() - 1;
  size_t b = hash & mask;
  for (; buckets_[b].entry != kNone; b = (b + 1) & mask) {
    if (buckets_[b].hash != hash) continue;
    // One fixed-width key's hash is the key, except that NULL shares kNullPartitionHash.
    if ((exact_hash_ && hash != kNullPartitionHash) ||
        SamePartition(Representative(EntryAt(buckets_[b].entry)), chunk, row)) {
      return b;
    }
  }
  return Insert(b, hash, key, chunk, row);
}

// Makes an entry with no rows in free bucket `b` and returns its bucket (another one when the
// buckets grow). The entry keeps the row in its first slot to stand for its partition's keys
// until it holds rows.
size_t WindowTopN::Insert(size_t b, uint64_t hash, uint64_t key, uint32_t chunk, uint32_t row) {
  auto index = static_cast<uint32_t>(num_entries_++);
  size_t needed = (num_entries_ * stride_ + sizeof(Line) - 1) / sizeof(Line);
  if (needed > entries_.size()) {
    std::vector<Line> larger = MakeTable(std::max(needed, 2 * entries_.size()), Line{});
    std::copy(entries_.begin(), entries_.end(), larger.begin());
    entries_.swap(larger);
  }
  Entry& entry = EntryAt(index);
  entry = {0, kNone, kNone, static_cast<uint32_t>(b), 0, {}};
  *reinterpret_cast<Slot*>(&entry + 1) = {key, chunk, row};
  buckets_[b] = {hash, 0, index, 2};
  // Keep the buckets at most three quarters full.
  if (4 * num_entries_ > 3 * buckets_.size()) Grow();
  return EntryAt(index).bucket;
}

// Returns true when the row shares the stored row's partition, given equal hashes.
bool WindowTopN::SamePartition(const Slot& stored, uint32_t chunk, uint32_t row) const {
  if (ordering_.partition_columns.empty()) return true;
  const core::Batch& stored_batch = chunks_[stored.chunk].batch;
  if (exact_hash_) {
    size_t column = ordering_.partition_columns[0];
    return stored_batch.column(column).IsNull(stored.physical_row()) ==
           chunks_[chunk].batch.column(column).IsNull(row);
  }
  return EqualPartitionKeys(stored_batch, stored.physical_row(), chunks_[chunk].batch, row,
                            ordering_.partition_columns);
}

void WindowTopN::Grow() {
  std::vector<Bucket> old = MakeTable(buckets_.size() * 2, kFreeBucket);
  old.swap(buckets_);
  size_t mask = buckets_.size() - 1;
  for (const Bucket& bucket : old) {
    if (bucket.entry == kNone) continue;
    size_t b = bucket.hash & mask;
    while (buckets_[b].entry != kNone) b = (b + 1) & mask;
    buckets_[b] = bucket;
    EntryAt(bucket.entry).bucket = static_cast<uint32_t>(b);
  }
}

// Inserts `slot` at position `at` of the entry's rows, moving them out of line when they no
// longer fit.
void WindowTopN::InsertSlot(Entry& entry, size_t at, const Slot& slot) {
  if (entry.overflow == kNone && entry.size == inline_slots_) {
    std::span<Slot> slots = SlotsOf(entry);
    entry.overflow = static_cast<uint32_t>(overflow_.size());
    overflow_.emplace_back(slots.begin(), slots.end());
  }
  if (entry.overflow != kNone) {
    std::vector<Slot>& slots = overflow_[entry.overflow];
    slots.insert(slots.begin() + at, slot);
  } else {
    Slot* slots = reinterpret_cast<Slot*>(&entry + 1);
    std::memmove(slots + at + 1, slots + at, (entry.size - at) * sizeof(Slot));
    slots[at] = slot;
  }
  ++entry.size;
}

// Drops the entry's rows from position `size` on.
void WindowTopN::TruncateSlots(Entry& entry, size_t size) {
  live_rows_ -= entry.size - size;
  entry.size = static_cast<uint32_t>(size);
  if (entry.overflow != kNone) overflow_[entry.overflow].resize(size);
}

// Puts `slot` into the entry's rows in window order unless rows enough are ahead of it, then
// drops the rows it pushes past the limit.
void WindowTopN::Offer(Entry& entry, Bucket& bucket, const Slot& slot) {
  std::span<Slot> slots = SlotsOf(entry);
  auto before = [&](const Slot& left, const Slot& right) { return Before(left, right); };
  size_t at = std::upper_bound(slots.begin(), slots.end(), slot, before) - slots.begin();
  switch (ranking_) {
    case TopNRanking::kRowNumber:
      if (at >= limit_) return;
      if (slots.size() == limit_) TruncateSlots(entry, limit_ - 1);
      break;
    case TopNRanking::kRank: {
      auto ahead = std::partition_point(slots.begin(), slots.begin() + at,
                                        [&](const Slot& s) { return CompareOrder(s, slot) < 0; });
      if (static_cast<size_t>(ahead - slots.begin()) >= limit_) return;
      break;
    }
    case TopNRanking::kDenseRank: {
      bool joins_previous = at > 0 && CompareOrder(slots[at - 1], slot) == 0;
      bool joins_next = at < slots.size() && CompareOrder(slots[at], slot) == 0;
      if (at == slots.size() && !joins_previous && entry.groups >= limit_) return;
      entry.groups += joins_previous || joins_next ? 0 : 1;
      break;
    }
  }
  InsertSlot(entry, at, slot);
  ++live_rows_;
  if (ranking_ != TopNRanking::kRowNumber) Trim(entry);
  const Slot& last = SlotsOf(entry).back();
  size_t filled = ranking_ == TopNRanking::kDenseRank ? entry.groups : entry.size;
  bucket.worst_key = last.key;
  bucket.gate = filled >= limit_ ? LateOf(last.row) : 2;
}

// Drops the last peer groups of a rank or dense_rank list while they lie past the limit.
void WindowTopN::Trim(Entry& entry) {
  while (entry.size > limit_) {
    std::span<Slot> slots = SlotsOf(entry);
    const Slot last = slots.back();
    auto group = std::partition_point(slots.begin(), slots.end(),
                                      [&](const Slot& s) { return CompareOrder(s, last) < 0; });
    bool past = ranking_ == TopNRanking::kRank
                    ? static_cast<size_t>(group - slots.begin()) >= limit_
                    : entry.groups > limit_;
    if (!past) return;
    TruncateSlots(entry, group - slots.begin());
    if (ranking_ == TopNRanking::kDenseRank) --entry.groups;
  }
}

// Compares two rows by the ORDER BY keys alone.
int WindowTopN::CompareOrder(const Slot& left, const Slot& right) const {
  uint32_t left_late = LateOf(left.row), right_late = LateOf(right.row);
  if (left_late != right_late) return left_late < right_late ? -1 : 1;
  if (left.key != right.key) return left.key < right.key ? -1 : 1;
  std::span<const SortKey> keys = ordering_.order_keys;
  if (exact_prefix_ && !keys.empty()) keys = keys.subspan(1);
  if (keys.empty()) return 0;
  return CompareSortKeys(chunks_[left.chunk].batch, left.physical_row(), chunks_[right.chunk].batch,
                         right.physical_row(), keys);
}

// Returns true when `left` comes first in window order: ORDER BY keys, then input place.
bool WindowTopN::Before(const Slot& left, const Slot& right) const {
  int order = CompareOrder(left, right);
  if (order != 0) return order < 0;
  const Chunk& left_chunk = chunks_[left.chunk];
  const Chunk& right_chunk = chunks_[right.chunk];
  if (left_chunk.sequence != right_chunk.sequence) {
    return left_chunk.sequence < right_chunk.sequence;
  }
  if (left_chunk.piece != right_chunk.piece) return left_chunk.piece < right_chunk.piece;
  return left.physical_row() < right.physical_row();
}

// Copies the live rows of the current chunk, all candidates, into a batch of their own in
// input order, and points the rows of the entries it touched at them.
void WindowTopN::CompactChunk(uint32_t chunk) {
  Chunk& current = chunks_[chunk];
  remap_.resize(std::max(remap_.size(), current.batch.num_physical_rows()), kDead);
  constexpr uint32_t kLive = kDead - 1;
  for (uint32_t index : touched_) {
    for (const Slot& slot : SlotsOf(EntryAt(index))) {
      if (slot.chunk == chunk) remap_[slot.physical_row()] = kLive;
    }
  }
  std::vector<uint32_t> rows;
  for (const Candidate& candidate : candidates_) {
    if (remap_[candidate.row] == kLive) rows.push_back(candidate.row);
  }
  // Rows come in selection order, which is the input order when the selection ascends.
  if (!std::is_sorted(rows.begin(), rows.end())) std::sort(rows.begin(), rows.end());
  for (size_t i = 0; i < rows.size(); ++i) remap_[rows[i]] = static_cast<uint32_t>(i);
  for (uint32_t index : touched_) {
    for (Slot& slot : SlotsOf(EntryAt(index))) {
      if (slot.chunk != chunk) continue;
      slot.row = remap_[slot.physical_row()] | (slot.row & WindowRow::kLateBit);
    }
  }
  for (const Candidate& candidate : candidates_) remap_[candidate.row] = kDead;
  current.batch = CopyRows(current.batch, rows);
  current.stored = rows.size();
  stored_rows_ += rows.size();
  chunk_bytes_ += rows.empty() ? 0 : static_cast<int64_t>(current.batch.MemoryBytes());
}

// Copies the live rows of every chunk into batches of their own, in input order, dropping the
// rows pushed out since, and points every entry's rows at them.
void WindowTopN::CompactAll() {
  std::vector<std::vector<uint32_t>> remaps(chunks_.size());
  for (size_t c = 0; c < chunks_.size(); ++c) remaps[c].assign(chunks_[c].stored, kDead);
  for (uint32_t index = 0; index < num_entries_; ++index) {
    for (const Slot& slot : SlotsOf(EntryAt(index))) remaps[slot.chunk][slot.physical_row()] = 0;
  }
  std::vector<uint32_t> rows;
  for (size_t c = 0; c < chunks_.size(); ++c) {
    std::vector<uint32_t>& remap = remaps[c];
    rows.clear();
    for (size_t r = 0; r < remap.size(); ++r) {
      if (remap[r] == kDead) continue;
      remap[r] = static_cast<uint32_t>(rows.size());
      rows.push_back(static_cast<uint32_t>(r));
    }
    Chunk& chunk = chunks_[c];
    if (rows.size() == chunk.stored) continue;  // nothing died
    chunk_bytes_ -= static_cast<int64_t>(chunk.batch.MemoryBytes());
    chunk.batch = CopyRows(chunk.batch, rows);
    chunk_bytes_ += rows.empty() ? 0 : static_cast<int64_t>(chunk.batch.MemoryBytes());
    stored_rows_ -= chunk.stored - rows.size();
    chunk.stored = rows.size();
  }
  for (uint32_t index = 0; index < num_entries_; ++index) {
    for (Slot& slot : SlotsOf(EntryAt(index))) {
      slot.row = remaps[slot.chunk][slot.physical_row()] | (slot.row & WindowRow::kLateBit);
    }
  }
}

int64_t WindowTopN::MeasureBytes() const {
  size_t bytes = buckets_.size() * sizeof(Bucket) + entries_.size() * sizeof(Line) +
                 overflow_.size() * sizeof(std::vector<Slot>) + live_rows_ * sizeof(Slot);
  return chunk_bytes_ + static_cast<int64_t>(bytes);
}

TopNRows WindowTopN::TakeRows() {
  TopNRows out;
  std::vector<uint32_t> numbers(chunks_.size(), kDead);
  for (size_t c = 0; c < chunks_.size(); ++c) {
    if (chunks_[c].stored == 0) continue;
    numbers[c] = static_cast<uint32_t>(out.batches.size());
    out.batches.push_back(std::move(chunks_[c].batch));
    out.sequences.emplace_back(chunks_[c].sequence, chunks_[c].piece);
  }
  out.rows.reserve(live_rows_);
  for (uint32_t index = 0; index < num_entries_; ++index) {
    Entry& entry = EntryAt(index);
    uint64_t hash = buckets_[entry.bucket].hash;
    for (const Slot& slot : SlotsOf(entry)) {
      out.rows.push_back({hash, slot.key, numbers[slot.chunk], slot.row});
    }
  }
  buckets_ = MakeTable(kInitialBuckets, kFreeBucket);
  entries_.clear();
  overflow_.clear();
  chunks_.clear();
  num_entries_ = 0;
  stored_rows_ = live_rows_ = 0;
  chunk_bytes_ = 0;
  return out;
}

}  // namespace sluice::exec
