#include "exec/range_exchange.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include <fmt/format.h>

#include "base/error.h"
#include "cluster/batch_wire.h"
#include "core/string_ref.h"
#include "exec/gather.h"

namespace sluice::exec {
namespace {

// Sample columns after the keys: where the row was in the input, which orders equal keys.
constexpr size_t kTieColumns = 3;  // sequence, rank, row

class MorselList final : public LocalState {
 public:
  std::vector<Morsel> morsels;
};

// Returns the place of `row` among the rows of `morsel`'s source morsel: its piece, then row.
uint64_t PlaceInMorsel(const Morsel& morsel, size_t row) {
  return (static_cast<uint64_t>(morsel.piece) << 32) | row;
}

// Is one row's place in the sort order: its key values (vector k holds key k) and its place in
// the input, which breaks ties.
struct OrderedRow {
  const std::vector<const core::Vector*>* keys;
  size_t row;
  std::tuple<uint64_t, int64_t, uint64_t> input_place;  // sequence, rank, PlaceInMorsel
};

// Returns <0, 0 or >0 as `left` sorts before, with or after `right` under `keys`.
int CompareRows(const std::vector<SortKey>& keys, const OrderedRow& left, const OrderedRow& right) {
  for (size_t k = 0; k < keys.size(); ++k) {
    const core::Vector& a = *(*left.keys)[k];
    const core::Vector& b = *(*right.keys)[k];
    bool a_null = a.IsNull(left.row), b_null = b.IsNull(right.row);
    if (a_null || b_null) {
      if (a_null == b_null) continue;
      return a_null == keys[k].nulls_first ? -1 : 1;
    }
    int order = CompareValues(a, left.row, b, right.row);
    if (order != 0) return keys[k].descending ? -order : order;
  }
  return left.input_place < right.input_place ? -1 : (right.input_place < left.input_place ? 1 : 0);
}

// Returns the vectors of `columns` of `batch`.
std::vector<const core::Vector*> Columns(const core::Batch& batch,
                                         const std::vector<size_t>& columns) {
  std::vector<const core::Vector*> vectors;
  for (size_t column : columns) vectors.push_back(&batch.column(column));
  return vectors;
}

// Returns the row of a sample (or splitter) batch: its keys and its input place.
OrderedRow SampleRow(const core::Batch& batch, const std::vector<const core::Vector*>& keys,
                     size_t row) {
  const int64_t* ties = batch.column(keys.size()).data<int64_t>();
  const int64_t* ranks = batch.column(keys.size() + 1).data<int64_t>();
  const int64_t* rows = batch.column(keys.size() + 2).data<int64_t>();
  return {
      &keys, row, {static_cast<uint64_t>(ties[row]), ranks[row], static_cast<uint64_t>(rows[row])}};
}

}  // namespace

RangeRepartitionExchange::RangeRepartitionExchange(core::SchemaPtr schema,
                                                   cluster::Communicator& comm,
                                                   std::vector<SortKey> keys)
    : ExchangeSink(std::move(schema), comm), keys_(std::move(keys)) {
  std::vector<core::Field> fields;
  for (const SortKey& key : keys_) fields.push_back(this->schema()->field(key.column));
  for (const char* name : {"#sequence", "#rank", "#row"}) {
    fields.push_back({name, core::TypeId::kBigint});
  }
  sample_schema_ = std::make_shared<core::Schema>(std::move(fields));
}

std::string RangeRepartitionExchange::Describe() const {
  std::string text;
  for (const SortKey& key : keys_) {
    text += fmt::format("{}#{} {} NULLS {}", text.empty() ? "" : ", ", key.column,
                        key.descending ? "DESC" : "ASC", key.nulls_first ? "FIRST" : "LAST");
  }
  return "range on " + text;
}

std::unique_ptr<LocalState> RangeRepartitionExchange::MakeLocalState() {
  return std::make_unique<MorselList>();
}

void RangeRepartitionExchange::Consume(Morsel morsel, LocalState& state) {
  if (morsel.batch.num_rows() == 0) return;
  morsel.batch = Flatten(std::move(morsel.batch));
  TrackMemory(static_cast<int64_t>(morsel.batch.MemoryBytes()));
  static_cast<MorselList&>(state).morsels.push_back(std::move(morsel));
}

void RangeRepartitionExchange::Combine(LocalState& state) {
  auto& morsels = static_cast<MorselList&>(state).morsels;
  std::lock_guard lock(mutex_);
  for (Morsel& morsel : morsels) morsels_.push_back(std::move(morsel));
}

// Samples rows evenly spaced over this rank's input, so every rank's sample is the same for
// the same input, whatever the threads did.
std::string RangeRepartitionExchange::EncodeSample() const {
  uint64_t rows = 0;
  for (const Morsel& morsel : morsels_) rows += morsel.batch.num_rows();
  size_t count = std::min<uint64_t>(rows, kSamplesPerRank);
  core::Batch sample(sample_schema_, std::max<size_t>(count, 1));
  sample.SetNumRows(count);
  size_t num_keys = keys_.size();
  uint64_t first_row = 0;  // of the current morsel, among this rank's rows
  auto morsel = morsels_.begin();
  for (size_t i = 0; i < count; ++i) {
    uint64_t at = (2 * i + 1) * rows / (2 * count);
    while (at >= first_row + morsel->batch.num_rows()) first_row += (morsel++)->batch.num_rows();
    size_t row = at - first_row;
    for (size_t k = 0; k < num_keys; ++k) {
      sample.column(k).CopyFrom(morsel->batch.column(keys_[k].column), row, i, 1);
    }
    sample.column(num_keys).data<int64_t>()[i] = static_cast<int64_t>(morsel->sequence);
    sample.column(num_keys + 1).data<int64_t>()[i] = comm_.rank();
    sample.column(num_keys + 2).data<int64_t>()[i] =
        static_cast<int64_t>(PlaceInMorsel(*morsel, row));
  }
  std::string message;
  AppendU64(message, rows);
  cluster::EncodeBatch(sample, message);
  return message;
}

// Chooses splitter j (of size() - 1) as the first sampled row, in sort order, at which the
// sampled rows, each weighing the rows its rank holds divided by its rank's sample size, reach
// (j + 1) / size() of all rows. Every rank computes the same from the same samples.
core::Batch RangeRepartitionExchange::ChooseSplitters(
    const std::vector<std::string>& samples) const {
  std::vector<core::Batch> batches;
  std::vector<double> weights;
  double total = 0;
  for (const std::string& message : samples) {
    auto rows = static_cast<double>(ReadU64(message, 0));
    batches.push_back(cluster::DecodeBatch(std::string_view(message).substr(8), sample_schema_));
    size_t count = batches.back().num_rows();
    weights.push_back(count == 0 ? 0 : rows / static_cast<double>(count));
    total += rows;
  }
  std::vector<size_t> key_columns(keys_.size());
  for (size_t k = 0; k < key_columns.size(); ++k) key_columns[k] = k;
  std::vector<std::vector<const core::Vector*>> vectors;
  std::vector<std::pair<size_t, size_t>> entries;  // (batch, row)
  for (size_t b = 0; b < batches.size(); ++b) {
    vectors.push_back(Columns(batches[b], key_columns));
    for (size_t row = 0; row < batches[b].num_rows(); ++row) entries.emplace_back(b, row);
  }
  auto row_of = [&](std::pair<size_t, size_t> e) {
    return SampleRow(batches[e.first], vectors[e.first], e.second);
  };
  std::sort(entries.begin(), entries.end(), [&](const auto& a, const auto& b) {
    return CompareRows(keys_, row_of(a), row_of(b)) < 0;
  });
  auto ranks = static_cast<size_t>(comm_.size());
  core::Batch splitters(sample_schema_, ranks);
  if (entries.empty()) return splitters;  // no rows anywhere: nothing to route
  splitters.SetNumRows(ranks - 1);
  double reached = 0;
  size_t next = 0;
  for (size_t j = 0; j + 1 < ranks; ++j) {
    double target = total * static_cast<double>(j + 1) / static_cast<double>(ranks);
    while (next + 1 < entries.size() && reached + weights[entries[next].first] < target) {
      reached += weights[entries[next++].first];
    }
    const auto [b, row] = entries[next];
    for (size_t c = 0; c < sample_schema_->num_fields(); ++c) {
      splitters.column(c).CopyFrom(batches[b].column(c), row, j, 1);
    }
  }
  return splitters;
}

// Sends a row to the rank of the first splitter not before it (the last rank when every
// splitter is): with ties broken by input place no two rows are equal, so one rank fits.
std::vector<std::vector<uint32_t>> RangeRepartitionExchange::RouteRows(
    const core::Batch& splitters) const {
  std::vector<size_t> key_columns(keys_.size());
  for (size_t k = 0; k < key_columns.size(); ++k) key_columns[k] = k;
  std::vector<const core::Vector*> splitter_keys = Columns(splitters, key_columns);
  std::vector<size_t> order(splitters.num_rows());
  for (size_t j = 0; j < order.size(); ++j) order[j] = j;
  std::vector<size_t> columns;
  for (const SortKey& key : keys_) columns.push_back(key.column);
  std::vector<std::vector<uint32_t>> destinations;
  for (const Morsel& morsel : morsels_) {
    std::vector<const core::Vector*> keys = Columns(morsel.batch, columns);
    auto& ranks = destinations.emplace_back(morsel.batch.num_rows());
    for (size_t row = 0; row < ranks.size(); ++row) {
      OrderedRow mine{&keys, row, {morsel.sequence, comm_.rank(), PlaceInMorsel(morsel, row)}};
      auto first = std::partition_point(order.begin(), order.end(), [&](size_t j) {
        return CompareRows(keys_, SampleRow(splitters, splitter_keys, j), mine) < 0;
      });
      ranks[row] = static_cast<uint32_t>(first - order.begin());
    }
  }
  return destinations;
}

// Keeps this rank's own parts and appends the others to `outgoing`, a message per rank.
void RangeRepartitionExchange::SplitMorsels(const std::vector<std::vector<uint32_t>>& destinations,
                                            std::vector<std::string>& outgoing,
                                            std::vector<RankedBatch>& kept) {
  auto me = static_cast<size_t>(comm_.rank());
  std::vector<core::SelectionVector> selections(outgoing.size());
  for (size_t m = 0; m < morsels_.size(); ++m) {
    Morsel& morsel = morsels_[m];
    for (auto& selection : selections) selection.clear();
    for (size_t row = 0; row < destinations[m].size(); ++row) {
      selections[destinations[m][row]].push_back(static_cast<uint32_t>(row));
    }
    for (size_t rank = 0; rank < outgoing.size(); ++rank) {
      if (selections[rank].empty()) continue;
      core::Batch part = morsel.batch.Share(schema());
      if (selections[rank].size() < part.num_rows()) part.SetSelection(selections[rank]);
      if (rank == me) {
        kept.push_back({morsel.sequence, comm_.rank(), std::move(part)});
        continue;
      }
      size_t before = outgoing[rank].size();
      AppendRanked(outgoing[rank], morsel.sequence, part);
      TrackMemory(static_cast<int64_t>(outgoing[rank].size() - before));
    }
  }
  morsels_.clear();
}

// Each rank's output is in input order (sequence, rank): a stable sort keeps equal rows so.
void RangeRepartitionExchange::Exchange() {
  std::sort(morsels_.begin(), morsels_.end(), InSourceOrder);
  core::Batch splitters = ChooseSplitters(comm_.AllGather(EncodeSample()));
  std::vector<std::vector<uint32_t>> destinations = RouteRows(splitters);
  std::vector<std::string> outgoing(comm_.size());
  std::vector<RankedBatch> kept;
  SplitMorsels(destinations, outgoing, kept);
  std::vector<std::string> incoming = comm_.AllToAll(std::move(outgoing));
  for (int rank = 0; rank < comm_.size(); ++rank) {
    if (rank == comm_.rank()) continue;
    ReadRanked(incoming[rank], rank, kept);
    std::string().swap(incoming[rank]);
  }
  output_ = Coalesce(InRankedOrder(std::move(kept)));
}

RankOrderedScan::RankOrderedScan(std::unique_ptr<SourceOperator> source,
                                 const cluster::Communicator& comm)
    : SourceOperator(source->schema()),
      source_(std::move(source)),
      first_sequence_(static_cast<uint64_t>(comm.rank()) << 40) {}

std::optional<Morsel> RankOrderedScan::Next(LocalState* state) {
  auto morsel = source_->Next(state);
  if (morsel) morsel->sequence += first_sequence_;
  return morsel;
}

}  // namespace sluice::exec
