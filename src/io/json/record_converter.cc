#include "io/json/record_converter.h"

#include <limits>

#include "base/error.h"
#include "core/datetime.h"
#include "core/value.h"
#include "io/json/record_chunks.h"

namespace sluice::io {
namespace {

using simdjson::dom::element_type;

// Returns a JSON scalar as a Value; nested values become their JSON text.
core::Value JsonToValue(simdjson::dom::element value) {
  switch (value.type()) {
    case element_type::BOOL:
      return core::Value::Boolean(value.get_bool().value_unsafe());
    case element_type::INT64:
      return core::Value::Bigint(value.get_int64().value_unsafe());
    case element_type::UINT64:
    case element_type::DOUBLE:
      return core::Value::Double(value.get_double().value_unsafe());
    case element_type::STRING:
      return core::Value::Varchar(std::string(value.get_string().value_unsafe()));
    case element_type::NULL_VALUE:
      return core::Value::Null(core::TypeId::kVarchar);
    default:
      return core::Value::Varchar(MinifiedJson(value));
  }
}

// Stores any JSON value as text: strings unquoted, everything else as minified JSON.
void StoreText(core::Vector& vector, size_t row, simdjson::dom::element value) {
  switch (value.type()) {
    case element_type::STRING:
      vector.SetString(row, value.get_string().value_unsafe());
      break;
    case element_type::BOOL:
      vector.SetString(row, value.get_bool().value_unsafe() ? "true" : "false");
      break;
    default:
      vector.SetString(row, MinifiedJson(value));
      break;
  }
}

// Stores a JSON number or boolean as a double; returns false for other values.
bool StoreDouble(double& out, simdjson::dom::element value) {
  switch (value.type()) {
    case element_type::INT64:
      out = static_cast<double>(value.get_int64().value_unsafe());
      return true;
    case element_type::UINT64:
      out = static_cast<double>(value.get_uint64().value_unsafe());
      return true;
    case element_type::DOUBLE:
      out = value.get_double().value_unsafe();
      return true;
    case element_type::BOOL:
      out = value.get_bool().value_unsafe() ? 1 : 0;
      return true;
    default:
      return false;
  }
}

// Stores a JSON integer or boolean as an int64; returns false for other values.
bool StoreBigint(int64_t& out, simdjson::dom::element value) {
  switch (value.type()) {
    case element_type::INT64:
      out = value.get_int64().value_unsafe();
      return true;
    case element_type::BOOL:
      out = value.get_bool().value_unsafe() ? 1 : 0;
      return true;
    default:
      return false;
  }
}

// Stores a JSON integer within int32's range; returns false for other values.
bool StoreInteger(int32_t& out, simdjson::dom::element value) {
  if (value.type() != element_type::INT64) return false;
  int64_t integer = value.get_int64().value_unsafe();
  if (integer < std::numeric_limits<int32_t>::min() ||
      integer > std::numeric_limits<int32_t>::max()) {
    return false;
  }
  out = static_cast<int32_t>(integer);
  return true;
}

// Stores a JSON string that parses with `parse` (ParseDate, ParseTimestamp).
template <typename T, typename Parse>
bool StoreParsed(T& out, simdjson::dom::element value, Parse parse) {
  if (value.type() != element_type::STRING) return false;
  auto parsed = parse(value.get_string().value_unsafe());
  if (!parsed) return false;
  out = *parsed;
  return true;
}

// Writes records into a batch, one row per record, noting values that do not fit.
class RecordConverter {
 public:
  RecordConverter(const ConversionPlan& plan, size_t capacity)
      : plan_(plan), batch_(plan.schema(), capacity), written_(plan.outputs().size(), 0) {}

  void Convert(size_t row, simdjson::dom::object record) {
    row_ = row;
    field_ = 0;
    ConvertObject(record);
    // Keys missing from the record are NULL.
    for (size_t c = 0; c < written_.size(); ++c) {
      if (written_[c] != row + 1) batch_.column(c).SetNull(row);
    }
  }

  ChunkResult Finish(size_t rows, std::optional<RecordFailure> parse_failure) {
    ChunkResult result;
    result.failure = std::move(parse_failure);
    if (failure_ && (!result.failure || failure_->record < result.failure->record)) {
      result.failure = std::move(failure_);
    }
    batch_.SetNumRows(rows);
    result.batch = std::move(batch_);
    result.mismatches = std::move(mismatches_);
    return result;
  }

 private:
  void ConvertObject(simdjson::dom::object object);
  const ConversionPlan::Slot* FindSlot(std::string_view name);
  void ConvertField(std::string_view name, simdjson::dom::element value);
  bool Store(size_t column, simdjson::dom::element value);
  void StoreForced(size_t column, std::string_view name, simdjson::dom::element value);
  void Reject(std::optional<size_t> source, std::string_view name, simdjson::dom::element value,
              bool soft);

  const ConversionPlan& plan_;
  core::Batch batch_;
  std::vector<size_t> written_;  // per column: 1 + the last row given a value
  std::string path_;             // the dotted name of the object being flattened
  size_t row_ = 0;
  // Records mostly repeat their keys in the same order: the k-th key of the last record and
  // its slot, checked before the hash lookup.
  std::vector<std::pair<std::string, const ConversionPlan::Slot*>> recent_slots_;
  size_t field_ = 0;  // the ordinal of the key being converted in the record
  std::vector<Mismatch> mismatches_;
  std::optional<RecordFailure> failure_;
};

void RecordConverter::ConvertObject(simdjson::dom::object object) {
  size_t mark = path_.size();
  for (simdjson::dom::key_value_pair field : object) {
    if (mark == 0) {
      ConvertField(field.key, field.value);
      path_.clear();
      continue;
    }
    path_.resize(mark);
    path_ += '.';
    path_ += field.key;
    ConvertField(path_, field.value);
  }
  path_.resize(mark);
}

const ConversionPlan::Slot* RecordConverter::FindSlot(std::string_view name) {
  size_t field = field_++;
  if (field < recent_slots_.size() && recent_slots_[field].first == name) {
    return recent_slots_[field].second;
  }
  const ConversionPlan::Slot* slot = plan_.Find(name);
  if (field < recent_slots_.size()) {
    recent_slots_[field] = {std::string(name), slot};
  } else if (field == recent_slots_.size()) {
    recent_slots_.emplace_back(std::string(name), slot);
  }
  return slot;
}

void RecordConverter::ConvertField(std::string_view name, simdjson::dom::element value) {
  const ConversionPlan::Slot* slot = FindSlot(name);
  simdjson::dom::object nested;
  if (plan_.nested() == NestedMode::kFlatten && !(slot != nullptr && slot->leaf) &&
      value.get_object().get(nested) == simdjson::SUCCESS) {
    if (path_.empty()) path_.assign(name);
    ConvertObject(nested);
    return;
  }
  if (slot == nullptr) {
    if (!plan_.projected() && !value.is_null()) Reject(std::nullopt, name, value, false);
    return;
  }
  if (slot->output < 0) return;
  size_t column = static_cast<size_t>(slot->output);
  written_[column] = row_ + 1;
  const OutputColumn& output = plan_.outputs()[column];
  if (Store(column, value)) {
    if (output.provisional && !value.is_null()) Reject(output.source, name, value, true);
  } else if (output.forced) {
    StoreForced(column, name, value);
  } else {
    batch_.column(column).SetNull(row_);
    Reject(output.source, name, value, false);
  }
}

bool RecordConverter::Store(size_t column, simdjson::dom::element value) {
  core::Vector& vector = batch_.column(column);
  size_t row = row_;
  if (value.is_null()) {
    vector.SetNull(row);
    return true;
  }
  bool stored = true;
  switch (vector.type()) {
    case core::TypeId::kBoolean:
      stored = value.type() == element_type::BOOL;
      if (stored) vector.data<uint8_t>()[row] = value.get_bool().value_unsafe();
      break;
    case core::TypeId::kInteger:
      stored = StoreInteger(vector.data<int32_t>()[row], value);
      break;
    case core::TypeId::kBigint:
      stored = StoreBigint(vector.data<int64_t>()[row], value);
      break;
    case core::TypeId::kDouble:
      stored = StoreDouble(vector.data<double>()[row], value);
      break;
    case core::TypeId::kDate:
      stored = StoreParsed(vector.data<int32_t>()[row], value, core::ParseDate);
      break;
    case core::TypeId::kTimestamp:
      stored = StoreParsed(vector.data<int64_t>()[row], value, core::ParseTimestamp);
      break;
    case core::TypeId::kVarchar:
      StoreText(vector, row, value);
      break;
  }
  if (stored) vector.validity().SetValid(row);
  return stored;
}

void RecordConverter::StoreForced(size_t column, std::string_view name,
                                  simdjson::dom::element value) {
  core::Vector& vector = batch_.column(column);
  try {
    vector.SetValue(row_, JsonToValue(value));
  } catch (const DataError&) {
    vector.SetNull(row_);
    if (failure_) return;
    failure_ =
        RecordFailure{row_, fmt::format("cannot convert a value to the forced type {} in "
                                        "column '{}': {}",
                                        core::TypeName(vector.type()), name, JsonSnippet(value))};
  }
}

void RecordConverter::Reject(std::optional<size_t> source, std::string_view name,
                             simdjson::dom::element value, bool soft) {
  TypeGuess observed;
  observed.Observe(value);
  for (Mismatch& mismatch : mismatches_) {
    if (mismatch.name != name) continue;
    mismatch.observed.Merge(observed);
    mismatch.soft &= soft;
    return;
  }
  mismatches_.push_back(
      Mismatch{row_, std::string(name), source, observed, JsonSnippet(value), soft});
}

}  // namespace

ConversionPlan ConversionPlan::Make(const ColumnSet& columns, const JsonOptions& options) {
  ConversionPlan plan;
  plan.nested_ = options.nested;
  plan.projected_ = !options.columns.empty();
  for (size_t i = 0; i < columns.size(); ++i) {
    plan.slots_.emplace(columns.column(i).name, Slot{-1, columns.column(i).forced.has_value()});
  }
  std::vector<size_t> chosen;
  for (const std::string& name : options.columns) {
    std::optional<size_t> found = columns.Find(name);
    if (!found) {
      std::string known;
      for (size_t i = 0; i < columns.size(); ++i) known += (i ? ", " : "") + columns.column(i).name;
      Throw<UserError>("unknown column in the projection: '{}'; the input has: {}", name, known);
    }
    chosen.push_back(*found);
  }
  if (!plan.projected_) {
    for (size_t i = 0; i < columns.size(); ++i) chosen.push_back(i);
  }
  std::vector<core::Field> fields;
  for (size_t source : chosen) {
    const ColumnInfo& info = columns.column(source);
    Slot& slot = plan.slots_.find(info.name)->second;
    if (slot.output >= 0) Throw<UserError>("column named twice in the projection: '{}'", info.name);
    slot.output = static_cast<int32_t>(plan.outputs_.size());
    bool forced = info.forced.has_value();
    plan.outputs_.push_back(
        OutputColumn{source, info.type(), forced, !forced && info.guess.empty()});
    fields.push_back(core::Field{info.name, info.type()});
  }
  plan.schema_ = std::make_shared<core::Schema>(std::move(fields));
  return plan;
}

const ConversionPlan::Slot* ConversionPlan::Find(std::string_view name) const {
  auto found = slots_.find(name);
  return found == slots_.end() ? nullptr : &found->second;
}

ChunkResult ConvertChunk(const ConversionPlan& plan, std::string_view input,
                         std::span<const RecordSpan> spans) {
  RecordConverter converter(plan, spans.size());
  std::optional<RecordFailure> failure = ThreadRecordParser().Parse(
      input, spans,
      [&](size_t row, simdjson::dom::object record) { converter.Convert(row, record); });
  return converter.Finish(spans.size(), std::move(failure));
}

}  // namespace sluice::io
