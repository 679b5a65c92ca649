#include "exec/collect_operators.h"

#include <algorithm>

#include "core/string_ref.h"

namespace sluice::exec {
namespace {

class MorselList final : public LocalState {
 public:
  std::vector<Morsel> morsels;
};

void SortBySequence(std::vector<Morsel>& morsels) {
  std::stable_sort(morsels.begin(), morsels.end(), InSourceOrder);
}

}  // namespace

int CompareValues(const core::Vector& left, size_t left_row, const core::Vector& right,
                  size_t right_row) {
  auto three_way = [](auto a, auto b) { return a < b ? -1 : (b < a ? 1 : 0); };
  switch (left.type()) {
    case core::TypeId::kBoolean:
      return three_way(left.data<uint8_t>()[left_row], right.data<uint8_t>()[right_row]);
    case core::TypeId::kInteger:
    case core::TypeId::kDate:
      return three_way(left.data<int32_t>()[left_row], right.data<int32_t>()[right_row]);
    case core::TypeId::kBigint:
    case core::TypeId::kTimestamp:
      return three_way(left.data<int64_t>()[left_row], right.data<int64_t>()[right_row]);
    case core::TypeId::kDouble: {
      // NaN sorts after every number, as in PostgreSQL.
      double a = left.data<double>()[left_row], b = right.data<double>()[right_row];
      if (a != a || b != b) return (a != a) - (b != b);
      return three_way(a, b);
    }
    case core::TypeId::kVarchar:
      return core::StringRef::Compare(left.data<core::StringRef>()[left_row],
                                      right.data<core::StringRef>()[right_row]);
  }
  return 0;
}

std::vector<core::Batch> GatherRows(const core::SchemaPtr& schema,
                                    const std::vector<core::Batch>& inputs,
                                    const std::vector<std::pair<uint32_t, uint32_t>>& rows) {
  std::vector<core::Batch> output;
  for (size_t from = 0; from < rows.size(); from += core::kVectorSize) {
    size_t count = std::min(core::kVectorSize, rows.size() - from);
    core::Batch batch(schema, count);
    batch.SetNumRows(count);
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      core::Vector& target = batch.column(c);
      for (size_t i = 0; i < count; ++i) {
        auto [input, row] = rows[from + i];
        target.CopyFrom(inputs[input].column(c), row, i, 1);
      }
    }
    output.push_back(std::move(batch));
  }
  return output;
}

CollectSink::CollectSink(core::SchemaPtr schema, std::optional<uint64_t> limit, uint64_t offset)
    : SinkOperator(std::move(schema)), limit_(limit), offset_(offset) {}

std::string CollectSink::details() const {
  return limit_ ? "limit " + std::to_string(*limit_) + " offset " + std::to_string(offset_) : "";
}

std::unique_ptr<LocalState> CollectSink::MakeLocalState() { return std::make_unique<MorselList>(); }

void CollectSink::Consume(Morsel morsel, LocalState&) {
  TrackMemory(static_cast<int64_t>(morsel.batch.MemoryBytes()));
  std::lock_guard lock(mutex_);
  if (!limit_) {
    morsels_.push_back(std::move(morsel));
    return;
  }
  // Kept in source order; morsels arrive mostly in order, so the insert is near the end.
  auto at = std::upper_bound(morsels_.begin(), morsels_.end(), morsel, InSourceOrder);
  morsels_.insert(at, std::move(morsel));
  // Done once the morsels from sequence 0 on, without a gap (all pieces of a sequence before
  // the next), hold offset + limit rows: a worker delivers a morsel's pieces in order.
  for (; prefix_.morsels < morsels_.size(); ++prefix_.morsels) {
    const Morsel& next = morsels_[prefix_.morsels];
    if (next.sequence != prefix_.sequence || next.piece != prefix_.piece) break;
    prefix_.rows += next.batch.num_rows();
    prefix_.piece = next.last_piece ? 0 : prefix_.piece + 1;
    prefix_.sequence += next.last_piece ? 1 : 0;
  }
  if (prefix_.rows >= offset_ + *limit_) done_ = true;
}

void CollectSink::Combine(LocalState&) {}

void CollectSink::Finalize() {
  SortBySequence(morsels_);
  uint64_t skip = offset_;
  uint64_t remaining = limit_.value_or(UINT64_MAX);
  for (Morsel& morsel : morsels_) {
    core::Batch& batch = morsel.batch;
    size_t rows = batch.num_rows();
    if (rows <= skip || remaining == 0) {
      skip -= std::min<uint64_t>(skip, rows);
      continue;
    }
    if (skip > 0 || rows - skip > remaining) {
      core::SelectionVector selection;
      for (size_t row = skip; row < rows && selection.size() < remaining; ++row) {
        selection.push_back(static_cast<uint32_t>(batch.PhysicalRow(row)));
      }
      batch.SetSelection(std::move(selection));
      skip = 0;
    }
    remaining -= batch.num_rows();
    output_.push_back(std::move(batch));
  }
  morsels_.clear();
}

SortSink::SortSink(core::SchemaPtr schema, std::vector<SortKey> keys, std::optional<uint64_t> limit,
                   uint64_t offset)
    : SinkOperator(std::move(schema)), keys_(std::move(keys)), limit_(limit), offset_(offset) {}

std::string SortSink::details() const {
  std::string text;
  for (const SortKey& key : keys_) {
    if (!text.empty()) text += ", ";
    text += "#" + std::to_string(key.column) + (key.descending ? " DESC" : "");
  }
  if (limit_) text += " limit " + std::to_string(*limit_);
  return text;
}

std::unique_ptr<LocalState> SortSink::MakeLocalState() { return std::make_unique<MorselList>(); }

void SortSink::Consume(Morsel morsel, LocalState& state) {
  TrackMemory(static_cast<int64_t>(morsel.batch.MemoryBytes()));
  static_cast<MorselList&>(state).morsels.push_back(std::move(morsel));
}

void SortSink::Combine(LocalState& state) {
  std::lock_guard lock(mutex_);
  for (Morsel& morsel : static_cast<MorselList&>(state).morsels) {
    morsels_.push_back(std::move(morsel));
  }
}

void SortSink::Finalize() {
  // Source order first, so the stable sort keeps equal rows in input order.
  SortBySequence(morsels_);
  std::vector<core::Batch> inputs;
  std::vector<std::pair<uint32_t, uint32_t>> rows;
  for (Morsel& morsel : morsels_) {
    for (size_t row = 0; row < morsel.batch.num_rows(); ++row) {
      rows.emplace_back(inputs.size(), morsel.batch.PhysicalRow(row));
    }
    inputs.push_back(std::move(morsel.batch));
  }
  morsels_.clear();
  auto less = [&](const std::pair<uint32_t, uint32_t>& a, const std::pair<uint32_t, uint32_t>& b) {
    for (const SortKey& key : keys_) {
      const core::Vector& left = inputs[a.first].column(key.column);
      const core::Vector& right = inputs[b.first].column(key.column);
      bool left_null = left.IsNull(a.second), right_null = right.IsNull(b.second);
      if (left_null || right_null) {
        if (left_null == right_null) continue;
        return left_null == key.nulls_first;
      }
      int order = CompareValues(left, a.second, right, b.second);
      if (order != 0) return key.descending ? order > 0 : order < 0;
    }
    return false;
  };
  uint64_t end = limit_ ? std::min<uint64_t>(rows.size(), offset_ + *limit_) : rows.size();
  if (end < rows.size()) {
    std::partial_sort(rows.begin(), rows.begin() + end, rows.end(),
                      [&](auto& a, auto& b) { return less(a, b) || (!less(b, a) && a < b); });
  } else {
    std::stable_sort(rows.begin(), rows.end(), less);
  }
  uint64_t begin = std::min<uint64_t>(offset_, end);
  std::vector<std::pair<uint32_t, uint32_t>> kept(rows.begin() + begin, rows.begin() + end);
  output_ = GatherRows(schema(), inputs, kept);
}

}  // namespace sluice::exec
