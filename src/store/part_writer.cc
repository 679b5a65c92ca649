#include "store/part_writer.h"

#include <charconv>
#include <cstdlib>
#include <mutex>

#include <fmt/format.h>

#include "base/error.h"
#include "base/task.h"
#include "io/parquet/parquet_reader.h"

namespace sluice::store {
namespace {

// Returns [first, last) batch ranges holding about `part_rows` rows each.
std::vector<std::pair<size_t, size_t>> SplitIntoParts(const std::vector<core::Batch>& batches,
                                                      size_t part_rows) {
  std::vector<std::pair<size_t, size_t>> ranges;
  size_t first = 0;
  size_t rows = 0;
  for (size_t i = 0; i < batches.size(); ++i) {
    rows += batches[i].num_rows();
    if (rows >= part_rows) {
      ranges.emplace_back(first, i + 1);
      first = i + 1;
      rows = 0;
    }
  }
  if (rows > 0) ranges.emplace_back(first, batches.size());
  return ranges;
}

// Returns -1, 0 or 1 comparing two non-NULL values of the same type.
int Compare(const core::Value& left, const core::Value& right) {
  auto three_way = [](const auto& a, const auto& b) { return a < b ? -1 : (b < a ? 1 : 0); };
  switch (left.type()) {
    case core::TypeId::kDouble:
      return three_way(left.GetDouble(), right.GetDouble());
    case core::TypeId::kVarchar:
      return three_way(left.GetString(), right.GetString());
    default:
      return three_way(left.GetInt64(), right.GetInt64());
  }
}

// Returns `value` as `type`, or NULL when it does not convert.
core::Value As(const core::Value& value, core::TypeId type) {
  if (value.is_null() || value.type() == type) return value;
  try {
    return value.CastTo(type);
  } catch (const Error&) {
    return core::Value::Null(type);
  }
}

}  // namespace

std::vector<WrittenPart> WriteParts(const std::string& folder, const core::SchemaPtr& schema,
                                    const std::vector<core::Batch>& batches, size_t part_rows,
                                    io::ParquetCompression compression, PartShare share,
                                    catalog::TableProfiler* profile) {
  auto ranges = SplitIntoParts(batches, std::max<size_t>(part_rows, 1));
  std::vector<WrittenPart> parts(ranges.size());
  io::ParquetWriteOptions options;
  options.compression = compression;
  options.sync = true;
  std::mutex mutex;
  ParallelFor(ranges.size(), [&](size_t p) {
    bool mine = p % static_cast<size_t>(share.size) == static_cast<size_t>(share.rank);
    if (!mine && profile == nullptr) return;
    std::unique_ptr<io::ParquetWriter> writer;
    if (mine) {
      parts[p].index = p;
      parts[p].file_name = fmt::format("part-{}-{}.parquet", share.rank, p);
      writer = io::CreateParquetWriter(folder + "/" + parts[p].file_name, schema, options);
    }
    catalog::TableProfiler part_profile(*schema);
    for (size_t b = ranges[p].first; b < ranges[p].second; ++b) {
      if (batches[b].num_rows() == 0) continue;
      // Query results may carry hidden sort columns after the visible ones.
      core::Batch visible = batches[b].Share(schema);
      if (profile != nullptr) part_profile.AddBatch(visible);
      if (writer) writer->Write(visible);
    }
    if (writer) parts[p].summary = writer->Finish();
    if (profile == nullptr) return;
    std::lock_guard lock(mutex);
    profile->Merge(std::move(part_profile));
  });
  std::erase_if(parts, [](const WrittenPart& part) { return part.file_name.empty(); });
  return parts;
}

void ProfileParts(const std::vector<std::string>& paths, catalog::TableProfiler& profile) {
  std::mutex mutex;
  ParallelFor(paths.size(), [&](size_t p) {
    auto reader = io::OpenParquet(paths[p]);
    catalog::TableProfiler part_profile(*reader->schema());
    while (auto batch = reader->Next()) part_profile.AddBatch(*batch);
    std::lock_guard lock(mutex);
    profile.Merge(std::move(part_profile));
  });
}

void MergeStatistics(std::vector<catalog::ColumnInfo>& columns, const core::Schema& schema,
                     const io::ParquetFileSummary& summary) {
  for (size_t c = 0; c < columns.size() && c < summary.columns.size(); ++c) {
    catalog::ColumnInfo& column = columns[c];
    const io::ParquetColumnSummary& part = summary.columns[c];
    core::TypeId type = schema.field(c).type;
    column.null_count += part.null_count;
    core::Value min = As(part.min, type);
    core::Value max = As(part.max, type);
    if (!min.is_null() && (column.min.is_null() || Compare(min, column.min) < 0)) column.min = min;
    if (!max.is_null() && (column.max.is_null() || Compare(max, column.max) > 0)) column.max = max;
  }
}

namespace {

// Appends `text` as <length>:<text>.
void AppendField(std::string& out, std::string_view text) {
  out += fmt::format("{}:", text.size());
  out += text;
}

void AppendValue(std::string& out, const core::Value& value) {
  AppendField(out, std::to_string(static_cast<int>(value.type())));
  if (value.is_null()) return AppendField(out, "n");
  switch (value.type()) {
    case core::TypeId::kDouble:
      return AppendField(out, fmt::format("d{:a}", value.GetDouble()));
    case core::TypeId::kVarchar:
      return AppendField(out, "s" + value.GetString());
    default:
      return AppendField(out, fmt::format("i{}", value.GetInt64()));
  }
}

// Reads what AppendField and AppendValue wrote; anything else is an InternalError.
class FieldReader {
 public:
  explicit FieldReader(std::string_view bytes) : bytes_(bytes) {}

  bool done() const { return bytes_.empty(); }

  std::string_view Field() {
    size_t colon = bytes_.find(':');
    if (colon == std::string_view::npos) Fail();
    size_t size = Number<size_t>(bytes_.substr(0, colon));
    if (size > bytes_.size() - colon - 1) Fail();
    std::string_view field = bytes_.substr(colon + 1, size);
    bytes_.remove_prefix(colon + 1 + size);
    return field;
  }

  template <typename T>
  T Number(std::string_view text) {
    T number{};
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || end != text.data() + text.size()) Fail();
    return number;
  }

  core::Value Value() {
    auto type = static_cast<core::TypeId>(Number<int>(Field()));
    if (type > core::TypeId::kTimestamp) Fail();
    std::string_view text = Field();
    if (text == "n") return core::Value::Null(type);
    if (text.empty()) Fail();
    std::string_view payload = text.substr(1);
    if (text[0] == 's') return core::Value::Varchar(std::string(payload));
    if (text[0] == 'd')
      return core::Value::Double(std::strtod(std::string(payload).c_str(), nullptr));
    if (text[0] != 'i') Fail();
    return Integral(type, Number<int64_t>(payload));
  }

 private:
  core::Value Integral(core::TypeId type, int64_t number) const {
    switch (type) {
      case core::TypeId::kBoolean:
        return core::Value::Boolean(number != 0);
      case core::TypeId::kInteger:
        return core::Value::Integer(static_cast<int32_t>(number));
      case core::TypeId::kDate:
        return core::Value::Date(static_cast<int32_t>(number));
      case core::TypeId::kTimestamp:
        return core::Value::Timestamp(number);
      case core::TypeId::kBigint:
        return core::Value::Bigint(number);
      default:
        Fail();
    }
  }

  [[noreturn]] void Fail() const {
    Throw<InternalError>("malformed part list at \"{}\"", bytes_.substr(0, 40));
  }

  std::string_view bytes_;
};

}  // namespace

std::string EncodeParts(const std::vector<WrittenPart>& parts) {
  std::string out;
  for (const WrittenPart& part : parts) {
    AppendField(out, std::to_string(part.index));
    AppendField(out, part.file_name);
    AppendField(out, std::to_string(part.summary.num_rows));
    AppendField(out, std::to_string(part.summary.file_bytes));
    AppendField(out, std::to_string(part.summary.columns.size()));
    for (const io::ParquetColumnSummary& column : part.summary.columns) {
      AppendField(out, std::to_string(column.null_count));
      AppendValue(out, column.min);
      AppendValue(out, column.max);
    }
  }
  return out;
}

std::vector<WrittenPart> DecodeParts(std::string_view bytes) {
  std::vector<WrittenPart> parts;
  FieldReader reader(bytes);
  while (!reader.done()) {
    WrittenPart& part = parts.emplace_back();
    part.index = reader.Number<size_t>(reader.Field());
    part.file_name = std::string(reader.Field());
    part.summary.num_rows = reader.Number<int64_t>(reader.Field());
    part.summary.file_bytes = reader.Number<int64_t>(reader.Field());
    size_t columns = reader.Number<size_t>(reader.Field());
    for (size_t c = 0; c < columns; ++c) {
      io::ParquetColumnSummary& column = part.summary.columns.emplace_back();
      column.null_count = reader.Number<int64_t>(reader.Field());
      column.min = reader.Value();
      column.max = reader.Value();
    }
  }
  return parts;
}

}  // namespace sluice::store
