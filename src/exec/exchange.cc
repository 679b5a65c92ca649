#include "exec/exchange.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <span>
#include <tuple>

#include <fmt/format.h>

#include "base/error.h"
#include "base/hash.h"
#include "cluster/batch_wire.h"
#include "exec/gather.h"
#include "exec/group_table.h"
#include "exec/memory_tracker.h"

namespace sluice::exec {
namespace {

std::string JoinCounts(const std::vector<uint64_t>& bytes) {
  std::string text;
  for (uint64_t count : bytes) text += (text.empty() ? "" : " / ") + FormatBytes(count);
  return text;
}

class GatherState final : public LocalState {
 public:
  std::vector<Morsel> morsels;
};

class RepartitionState final : public LocalState {
 public:
  explicit RepartitionState(size_t ranks) : outgoing(ranks), selections(ranks) {}
  std::vector<std::string> outgoing;
  std::vector<core::Batch> kept;
  std::vector<uint64_t> hashes;
  std::vector<core::SelectionVector> selections;
};

}  // namespace

RankSplitScan::RankSplitScan(std::unique_ptr<SourceOperator> source,
                             const cluster::Communicator& comm)
    : SourceOperator(source->schema()),
      source_(std::move(source)),
      rank_(static_cast<uint64_t>(comm.rank())),
      size_(static_cast<uint64_t>(comm.size())) {}

std::string RankSplitScan::details() const {
  std::string inner = source_->details();
  return fmt::format("{}{}rows split over {} ranks", inner, inner.empty() ? "" : ", ", size_);
}

std::optional<Morsel> RankSplitScan::Next(LocalState* state) {
  for (;;) {
    auto morsel = source_->Next(state);
    if (!morsel) return morsel;
    size_t rows = morsel->batch.num_rows();
    size_t first = rows * rank_ / size_, end = rows * (rank_ + 1) / size_;
    if (first == end) continue;
    if (end - first == rows) return morsel;
    core::SelectionVector selection(end - first);
    for (size_t row = first; row < end; ++row) {
      selection[row - first] = static_cast<uint32_t>(morsel->batch.PhysicalRow(row));
    }
    morsel->batch.SetSelection(std::move(selection));
    return morsel;
  }
}

core::Batch FirstRankFilter::Execute(core::Batch input, LocalState*) const {
  if (!keep_) input.SetSelection({});
  return input;
}

std::string ExchangeSink::details() const {
  if (sent_.empty()) return Describe();
  return fmt::format("{}; sent {}, received {} (per rank)", Describe(), JoinCounts(sent_),
                     JoinCounts(received_));
}

void ExchangeSink::Finalize() {
  agreeing_ = true;
  cluster::AgreeOnFailure(comm_, nullptr);
  uint64_t sent = comm_.bytes_sent(), received = comm_.bytes_received();
  Exchange();
  std::string mine;
  AppendU64(mine, comm_.bytes_sent() - sent);
  AppendU64(mine, comm_.bytes_received() - received);
  sent_.clear();
  received_.clear();
  for (const std::string& counts : comm_.AllGather(mine)) {
    sent_.push_back(ReadU64(counts, 0));
    received_.push_back(ReadU64(counts, 8));
  }
}

void ExchangeSink::AppendU64(std::string& out, uint64_t value) {
  char bytes[8];
  std::memcpy(bytes, &value, 8);
  out.append(bytes, 8);
}

uint64_t ExchangeSink::ReadU64(std::string_view bytes, size_t at) {
  if (at + 8 > bytes.size()) Throw<DataError>("exchange: a truncated message from another rank");
  uint64_t value;
  std::memcpy(&value, bytes.data() + at, 8);
  return value;
}

void ExchangeSink::AppendRanked(std::string& out, uint64_t sequence,
                                const core::Batch& batch) const {
  std::string encoded;
  cluster::EncodeBatch(batch.Share(schema()), encoded);  // names as the plan's
  AppendU64(out, sequence);
  AppendU64(out, encoded.size());
  out += encoded;
}

void ExchangeSink::ReadRanked(std::string_view bytes, int rank,
                              std::vector<RankedBatch>& out) const {
  for (size_t at = 0; at < bytes.size();) {
    uint64_t sequence = ReadU64(bytes, at), size = ReadU64(bytes, at + 8);
    if (size > bytes.size() - at - 16) {
      Throw<DataError>("exchange: a truncated batch from rank {}", rank);
    }
    core::Batch batch = cluster::DecodeBatch(bytes.substr(at + 16, size), schema());
    TrackMemory(static_cast<int64_t>(batch.MemoryBytes()));
    out.push_back({sequence, rank, std::move(batch)});
    at += 16 + size;
  }
}

std::vector<core::Batch> ExchangeSink::InRankedOrder(std::vector<RankedBatch> batches) {
  std::stable_sort(batches.begin(), batches.end(), [](const auto& a, const auto& b) {
    return std::tie(a.sequence, a.rank) < std::tie(b.sequence, b.rank);
  });
  std::vector<core::Batch> ordered;
  ordered.reserve(batches.size());
  for (RankedBatch& entry : batches) ordered.push_back(std::move(entry.batch));
  return ordered;
}

std::vector<core::Batch> ExchangeSink::Coalesce(std::vector<core::Batch> batches) const {
  std::vector<core::Batch> joined;
  std::optional<core::Batch> open;
  auto close = [&] {
    if (open) joined.push_back(std::move(*open));
    open.reset();
  };
  for (core::Batch& batch : batches) {
    size_t rows = batch.num_rows();
    if (rows == 0) continue;
    if (rows >= core::kVectorSize / 2) {
      close();
      joined.push_back(std::move(batch));
      continue;
    }
    core::Batch flat = Flatten(std::move(batch));
    size_t filled = open ? open->num_rows() : 0;
    if (open && filled + rows > core::kVectorSize) close();
    if (!open) {
      open.emplace(schema(), core::kVectorSize);
      filled = 0;
    }
    open->SetNumRows(filled + rows);
    for (size_t c = 0; c < flat.num_columns(); ++c) {
      open->column(c).CopyFrom(flat.column(c), 0, filled, rows);
    }
  }
  close();
  return joined;
}

void ExchangeSink::Abandon(const std::exception_ptr& failure) {
  cluster::AgreeOnFailure(comm_, failure);
  std::rethrow_exception(failure);  // not reached: the agreement throws
}

std::unique_ptr<LocalState> GatherExchange::MakeLocalState() {
  return std::make_unique<GatherState>();
}

void GatherExchange::Consume(Morsel morsel, LocalState& state) {
  if (morsel.batch.num_rows() == 0) return;
  TrackMemory(static_cast<int64_t>(morsel.batch.MemoryBytes()));
  static_cast<GatherState&>(state).morsels.push_back(std::move(morsel));
}

void GatherExchange::Combine(LocalState& state) {
  auto& morsels = static_cast<GatherState&>(state).morsels;
  std::lock_guard lock(mutex_);
  for (Morsel& morsel : morsels) morsels_.push_back(std::move(morsel));
}

void GatherExchange::Exchange() {
  std::sort(morsels_.begin(), morsels_.end(), InSourceOrder);
  std::string mine;
  for (const Morsel& morsel : morsels_) AppendRanked(mine, morsel.sequence, morsel.batch);
  std::vector<std::string> all;
  if (to_all_) {
    all = comm_.AllGather(mine);
  } else {
    std::vector<std::string> to_each(comm_.size());
    if (comm_.rank() != 0) to_each[0] = std::move(mine);
    all = comm_.AllToAll(std::move(to_each));
    if (comm_.rank() != 0) morsels_.clear();  // sent to rank 0
  }
  std::vector<RankedBatch> ranked;
  for (Morsel& morsel : morsels_)
    ranked.push_back({morsel.sequence, comm_.rank(), std::move(morsel.batch)});
  morsels_.clear();
  for (int rank = 0; rank < comm_.size(); ++rank) {
    if (rank != comm_.rank()) ReadRanked(all[rank], rank, ranked);
  }
  output_ = Coalesce(InRankedOrder(std::move(ranked)));
}

RepartitionExchange::RepartitionExchange(core::SchemaPtr schema, cluster::Communicator& comm,
                                         std::vector<size_t> keys, bool replicated)
    : ExchangeSink(std::move(schema), comm),
      keys_(std::move(keys)),
      replicated_(replicated),
      outgoing_(comm.size()) {}

std::string RepartitionExchange::Describe() const {
  std::string text = "hash on columns " + fmt::format("{}", fmt::join(keys_, ", "));
  return replicated_ ? text + ", each rank keeping its share" : text;
}

std::unique_ptr<LocalState> RepartitionExchange::MakeLocalState() {
  return std::make_unique<RepartitionState>(outgoing_.size());
}

void RepartitionExchange::Consume(Morsel morsel, LocalState& local) {
  auto& state = static_cast<RepartitionState&>(local);
  core::Batch flat = Flatten(std::move(morsel.batch));
  size_t count = flat.num_rows();
  if (count == 0) return;
  std::vector<const core::Vector*> keys;
  for (size_t key : keys_) keys.push_back(&flat.column(key));
  state.hashes.resize(count);
  HashRows(keys, count, state.hashes.data());
  for (auto& selection : state.selections) selection.clear();
  uint64_t ranks = state.outgoing.size();
  for (size_t row = 0; row < count; ++row) {
    // Remixed so that a rank's rows do not share the hash bits its own hash tables use.
    uint64_t rank = HashInteger(state.hashes[row]) % ranks;
    state.selections[rank].push_back(static_cast<uint32_t>(row));
  }
  auto me = static_cast<size_t>(comm_.rank());
  for (size_t rank = 0; rank < ranks; ++rank) {
    if (state.selections[rank].empty() || (replicated_ && rank != me)) continue;
    core::Batch part = flat.Share(schema());  // the names of the plan's columns
    if (state.selections[rank].size() < count) part.SetSelection(state.selections[rank]);
    if (rank == me) {
      TrackMemory(static_cast<int64_t>(part.MemoryBytes() * state.selections[rank].size() / count));
      state.kept.push_back(std::move(part));
      continue;
    }
    size_t before = state.outgoing[rank].size();
    cluster::EncodeBatch(part, state.outgoing[rank]);
    TrackMemory(static_cast<int64_t>(state.outgoing[rank].size() - before));
  }
}

void RepartitionExchange::Combine(LocalState& local) {
  auto& state = static_cast<RepartitionState&>(local);
  std::lock_guard lock(mutex_);
  for (size_t rank = 0; rank < outgoing_.size(); ++rank) outgoing_[rank] += state.outgoing[rank];
  for (core::Batch& batch : state.kept) kept_.push_back(std::move(batch));
}

void RepartitionExchange::Exchange() {
  output_ = std::move(kept_);
  if (replicated_) {
    output_ = Coalesce(std::move(output_));
    return;
  }
  std::vector<std::string> incoming = comm_.AllToAll(std::move(outgoing_));
  outgoing_.assign(comm_.size(), {});
  for (int rank = 0; rank < comm_.size(); ++rank) {
    if (rank == comm_.rank() || incoming[rank].empty()) continue;
    for (core::Batch& batch : cluster::DecodeBatches(incoming[rank], schema())) {
      TrackMemory(static_cast<int64_t>(batch.MemoryBytes()));
      output_.push_back(std::move(batch));
    }
    std::string().swap(incoming[rank]);
  }
  output_ = Coalesce(std::move(output_));
}

}  // namespace sluice::exec
