#include "serve/served_version.h"

#include "store/version_scan.h"

namespace sluice::serve {
namespace {

// Columns tried for an inferred key, at most.
constexpr size_t kInferredKeyCandidates = 3;

// Fills `index.rows` from column `column` of `batches`; false when a value is NULL or
// repeats.
bool IndexColumn(KeyIndex& index, const std::vector<core::Batch>& batches, size_t column) {
  index.column = column;
  index.rows.clear();
  for (uint32_t b = 0; b < batches.size(); ++b) {
    const core::Batch& batch = batches[b];
    for (uint32_t row = 0; row < batch.num_rows(); ++row) {
      core::Value value = batch.GetValue(column, row);
      if (value.is_null() || !index.rows.emplace(value.ToString(), std::pair{b, row}).second) {
        return false;
      }
    }
  }
  return true;
}

// Returns the columns to try as the key of `info`: its declared single-column key, else the
// first few columns without NULLs of a type that makes a good key.
std::vector<size_t> KeyCandidates(const catalog::VersionInfo& info) {
  for (const std::vector<size_t>& key : info.unique_keys) {
    if (key.size() == 1) return key;
  }
  std::vector<size_t> candidates;
  for (size_t c = 0; c < info.columns.size() && candidates.size() < kInferredKeyCandidates; ++c) {
    if (info.columns[c].null_count == 0 && HasCanonicalText(info.schema->field(c).type)) {
      candidates.push_back(c);
    }
  }
  return candidates;
}

std::unique_ptr<const KeyIndex> BuildKeyIndex(const catalog::VersionInfo& info,
                                              const std::vector<core::Batch>& rows) {
  auto index = std::make_unique<KeyIndex>();
  for (size_t column : KeyCandidates(info)) {
    if (IndexColumn(*index, rows, column)) return index;
  }
  return nullptr;
}

// Appends rows to batches of kVectorSize rows. Strings are copied into the new batches' heaps
// (CopyFrom would keep every source heap alive, looked up linearly per row).
class RowAppender {
 public:
  RowAppender(core::SchemaPtr schema, std::vector<core::Batch>& out)
      : schema_(std::move(schema)), out_(out) {}

  // Returns the index of the batch the next row goes to.
  uint32_t next_batch() {
    if (out_.empty() || out_.back().num_physical_rows() == core::kVectorSize) {
      out_.emplace_back(schema_);
    }
    return static_cast<uint32_t>(out_.size() - 1);
  }
  void Append(const core::Batch& source, size_t row) {
    core::Batch& target = out_[next_batch()];
    size_t to = target.num_physical_rows();
    size_t from = source.PhysicalRow(row);
    target.SetNumRows(to + 1);
    for (size_t c = 0; c < target.num_columns(); ++c) {
      const core::Vector& column = source.column(c);
      if (column.type() == core::TypeId::kVarchar && !column.IsNull(from)) {
        target.column(c).SetString(to, column.GetString(from));
      } else {
        target.column(c).CopyFrom(column, from, to, 1);
      }
    }
  }

 private:
  core::SchemaPtr schema_;
  std::vector<core::Batch>& out_;
};

std::shared_ptr<const ColumnGroups> BuildGroups(const std::vector<core::Batch>& rows,
                                                size_t column) {
  std::unordered_map<std::string, uint32_t> group_of;
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> members;  // (batch, row) per group
  for (uint32_t b = 0; b < rows.size(); ++b) {
    for (uint32_t row = 0; row < rows[b].num_rows(); ++row) {
      core::Value value = rows[b].GetValue(column, row);
      if (value.is_null()) continue;  // `column = v` never holds for NULL
      auto [found, added] = group_of.emplace(value.ToString(), members.size());
      if (added) members.emplace_back();
      members[found->second].emplace_back(b, row);
    }
  }
  auto groups = std::make_shared<ColumnGroups>();
  groups->column = column;
  if (rows.empty()) return groups;
  RowAppender appender(rows[0].schema_ptr(), groups->batches);
  for (auto& [text, group] : group_of) {
    ColumnGroups::Range range{appender.next_batch(), 0};
    for (auto [b, row] : members[group]) appender.Append(rows[b], row);
    range.end = static_cast<uint32_t>(groups->batches.size());
    groups->ranges.emplace(text, range);
  }
  return groups;
}

}  // namespace

bool HasCanonicalText(core::TypeId type) {
  return type == core::TypeId::kVarchar || type == core::TypeId::kBigint ||
         type == core::TypeId::kInteger || type == core::TypeId::kDate;
}

void ServedVersion::Prepare() const {
  std::call_once(prepare_once_, [&] {
    if (info().num_rows <= static_cast<int64_t>(max_rows_)) {
      rows_ = std::make_shared<const std::vector<core::Batch>>(store::ReadVersion(*pin_));
      index_ = BuildKeyIndex(info(), *rows_);
    }
    prepared_.store(true, std::memory_order_release);
  });
}

std::shared_ptr<const std::vector<core::Batch>> ServedVersion::rows() const {
  return prepared() ? rows_ : nullptr;
}

void ServedVersion::Group(size_t column) const {
  if (!prepared() || rows_ == nullptr || column >= info().schema->num_fields()) return;
  if (!HasCanonicalText(info().schema->field(column).type) || groups(column) != nullptr) return;
  std::shared_ptr<const ColumnGroups> built = BuildGroups(*rows_, column);
  std::lock_guard lock(groups_mutex_);
  groups_.emplace(column, std::move(built));
}

std::shared_ptr<const ColumnGroups> ServedVersion::groups(size_t column) const {
  std::lock_guard lock(groups_mutex_);
  auto found = groups_.find(column);
  return found == groups_.end() ? nullptr : found->second;
}

std::vector<size_t> ServedVersion::grouped_columns() const {
  std::lock_guard lock(groups_mutex_);
  std::vector<size_t> columns;
  for (const auto& [column, groups] : groups_) columns.push_back(column);
  return columns;
}

}  // namespace sluice::serve
