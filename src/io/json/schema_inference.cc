#include "io/json/schema_inference.h"

#include <algorithm>
#include <limits>

#include "core/datetime.h"
#include "io/json/record_chunks.h"

namespace sluice::io {
namespace {

// Observes one window of sampled records into `columns`; `first_record` numbers its first.
void ObserveWindow(std::string_view input, std::span<const RecordSpan> spans, size_t first_record,
                   const std::string& name, const JsonOptions& options, ColumnSet& columns) {
  std::vector<RecordChunk> chunks = SplitIntoChunks(spans);
  std::vector<ColumnSet> partials(chunks.size());
  std::vector<std::optional<RecordFailure>> failures(chunks.size());
  ForEachChunk(chunks.size(), options.threads, [&](size_t c) {
    auto records = spans.subspan(chunks[c].begin, chunks[c].end - chunks[c].begin);
    failures[c] = ThreadRecordParser().Parse(
        input, records,
        [&](size_t, simdjson::dom::object record) { partials[c].ObserveRecord(record, options); });
  });
  for (size_t c = 0; c < chunks.size(); ++c) {
    if (failures[c]) {
      size_t record = chunks[c].begin + failures[c]->record;
      ThrowRecordError(name, input, spans[record], first_record + record + 1, failures[c]->message);
    }
    columns.Merge(partials[c]);
  }
}

}  // namespace

bool TypeGuess::empty() const {
  return !has_boolean && !has_integer && !has_double && !has_string && !has_nested;
}

void TypeGuess::Merge(const TypeGuess& other) {
  has_boolean |= other.has_boolean;
  has_integer |= other.has_integer;
  has_double |= other.has_double;
  has_string |= other.has_string;
  has_nested |= other.has_nested;
  strings_are_dates &= other.strings_are_dates;
  strings_are_timestamps &= other.strings_are_timestamps;
}

void TypeGuess::Observe(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::INT64:
      has_integer = true;
      break;
    case simdjson::dom::element_type::UINT64:  // Beyond int64: only a double holds it.
    case simdjson::dom::element_type::DOUBLE:
      has_double = true;
      break;
    case simdjson::dom::element_type::BOOL:
      has_boolean = true;
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      break;
    case simdjson::dom::element_type::STRING: {
      has_string = true;
      std::string_view text = value.get_string().value_unsafe();
      if (strings_are_dates) strings_are_dates = core::ParseDate(text).has_value();
      if (strings_are_timestamps) strings_are_timestamps = core::ParseTimestamp(text).has_value();
      break;
    }
    default:
      has_nested = true;
      break;
  }
}

core::TypeId TypeGuess::Resolve() const {
  bool has_scalar = has_boolean || has_integer || has_double;
  if (has_nested || (has_string && has_scalar)) return core::TypeId::kVarchar;
  if (has_string) {
    if (strings_are_dates) return core::TypeId::kDate;
    return strings_are_timestamps ? core::TypeId::kTimestamp : core::TypeId::kVarchar;
  }
  if (has_double) return core::TypeId::kDouble;
  if (has_integer) return core::TypeId::kBigint;
  return has_boolean ? core::TypeId::kBoolean : core::TypeId::kVarchar;
}

size_t ColumnSet::Add(std::string_view name) {
  auto found = index_.find(name);
  if (found != index_.end()) return found->second;
  columns_.push_back(ColumnInfo{std::string(name), TypeGuess{}, std::nullopt});
  index_.emplace(std::string(name), columns_.size() - 1);
  return columns_.size() - 1;
}

std::optional<size_t> ColumnSet::Find(std::string_view name) const {
  auto found = index_.find(name);
  if (found == index_.end()) return std::nullopt;
  return found->second;
}

void ColumnSet::Merge(const ColumnSet& other) {
  for (const ColumnInfo& column : other.columns_)
    columns_[Add(column.name)].guess.Merge(column.guess);
}

void ColumnSet::ObserveRecord(simdjson::dom::object record, const JsonOptions& options) {
  std::string path;
  ObserveObject(record, path, options);
}

void ColumnSet::ObserveObject(simdjson::dom::object object, std::string& path,
                              const JsonOptions& options) {
  for (simdjson::dom::key_value_pair field : object) {
    size_t mark = path.size();
    if (mark > 0) path += '.';
    path += field.key;
    simdjson::dom::object nested;
    if (options.nested == NestedMode::kFlatten &&
        field.value.get_object().get(nested) == simdjson::SUCCESS &&
        !options.column_types.contains(path)) {
      ObserveObject(nested, path, options);
    } else {
      columns_[Add(path)].guess.Observe(field.value);
    }
    path.resize(mark);
  }
}

void ColumnSet::ApplyForcedTypes(const JsonOptions& options) {
  for (const auto& [name, type] : options.column_types) columns_[Add(name)].forced = type;
}

ColumnSet InferColumns(std::string_view input, JsonFormat format, const std::string& name,
                       const JsonOptions& options) {
  RecordScanner scanner(input, format, name);
  size_t limit =
      options.sample_rows == 0 ? std::numeric_limits<size_t>::max() : options.sample_rows;
  ColumnSet columns;
  std::vector<RecordSpan> spans;
  size_t seen = 0;
  while (seen < limit) {
    spans.clear();
    size_t max_records = std::min(kMaxWindowRecords, limit - seen);
    if (!scanner.Next(WindowBytes(options), max_records, spans)) break;
    ObserveWindow(input, spans, seen, name, options, columns);
    seen += spans.size();
  }
  columns.ApplyForcedTypes(options);
  return columns;
}

}  // namespace sluice::io
