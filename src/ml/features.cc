#include "ml/features.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <span>
#include <unordered_map>

#include "base/error.h"
#include "base/task.h"
#include "core/datetime.h"
#include "ml/row_chunks.h"

namespace sluice::ml {
namespace {

namespace json = boost::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Rows MakeFeatures fills column by column at a time (a quarter of a megabyte at 127 features).
constexpr size_t kFillRows = 256;
constexpr int64_t kMicrosPerDay = 86'400'000'000;
constexpr std::string_view kDateParts[] = {"year",      "month", "day",   "dayofweek",
                                           "dayofyear", "hour",  "minute"};

size_t PartCount(FeatureKind kind) {
  switch (kind) {
    case FeatureKind::kNumeric:
      return 1;
    case FeatureKind::kCategorical:
      return 0;
    case FeatureKind::kDate:
      return 5;
    case FeatureKind::kTimestamp:
      return 7;
  }
  return 0;
}

size_t Width(const FeatureColumn& column) {
  if (column.kind != FeatureKind::kCategorical) return PartCount(column.kind);
  return column.categories.size() + (column.other ? 1 : 0);
}

// Writes the parts of a date (days) or timestamp (microseconds) value into `out`.
void DateParts(const Column& column, double value, double* out) {
  int64_t micros = column.type == core::TypeId::kTimestamp
                       ? static_cast<int64_t>(value)
                       : static_cast<int64_t>(value) * kMicrosPerDay;
  int64_t days = micros >= 0 ? micros / kMicrosPerDay : -((-micros - 1) / kMicrosPerDay) - 1;
  int64_t rest = micros - days * kMicrosPerDay;
  core::CivilDate date = core::CivilFromDays(static_cast<int32_t>(days));
  out[0] = date.year;
  out[1] = date.month;
  out[2] = date.day;
  out[3] = static_cast<double>(((days + 4) % 7 + 7) % 7);  // 0 = Sunday, as PostgreSQL's dow
  out[4] = static_cast<double>(days - core::DaysFromCivil({date.year, 1, 1}) + 1);
  out[5] = static_cast<double>(rest / 3'600'000'000);
  out[6] = static_cast<double>(rest / 60'000'000 % 60);
}

// Returns the values of each part of `column`: the column itself for a numeric one, else the
// date parts, each date split once.
std::vector<std::vector<double>> PartValues(const Column& column, FeatureKind kind) {
  if (kind == FeatureKind::kNumeric) return {column.numbers};
  const size_t count = PartCount(kind);
  std::vector<std::vector<double>> values(count, std::vector<double>(column.numbers.size(), kNaN));
  double parts[7];
  for (size_t row = 0; row < column.numbers.size(); ++row) {
    if (std::isnan(column.numbers[row])) continue;
    DateParts(column, column.numbers[row], parts);
    for (size_t part = 0; part < count; ++part) values[part][row] = parts[part];
  }
  return values;
}

// Returns the k-th smallest (from 0) of the values of `values` that are not NaN, of which
// there are `count` > k. Selecting over a copy of every value costs several passes over them;
// instead two values from an evenly spaced sample that most likely bracket the k-th bound one
// pass, which counts the values below the bracket and keeps those in it, and the k-th is
// selected among those few. When the bracket misses (data ordered against the sample), every
// value is selected from, as before: the result is exact either way.
double KthSmallest(std::span<const double> values, size_t count, size_t k) {
  constexpr size_t kSample = 2048;
  constexpr size_t kMargin = 96;  // about two standard deviations of the sample's rank
  std::vector<double> kept;
  if (count >= 4 * kSample) {
    std::vector<double> sample;
    for (size_t i = 0; i < kSample; ++i) {
      const double v = values[i * values.size() / kSample];
      if (!std::isnan(v)) sample.push_back(v);
    }
    std::sort(sample.begin(), sample.end());
    if (sample.empty()) sample.push_back(0);  // every sampled value NULL: any bracket will do
    const size_t at = k * sample.size() / count;
    const double low = sample[at > kMargin ? at - kMargin : 0];
    const double high = sample[std::min(at + kMargin, sample.size() - 1)];
    size_t below = 0;
    for (double v : values) {
      if (v < low) {
        ++below;
      } else if (v <= high) {
        kept.push_back(v);  // NaN is neither
      }
    }
    if (below <= k && k < below + kept.size()) {
      auto kth = kept.begin() + static_cast<std::ptrdiff_t>(k - below);
      std::nth_element(kept.begin(), kth, kept.end());
      return *kth;
    }
    kept.clear();
  }
  kept.reserve(count);
  for (double v : values) {
    if (!std::isnan(v)) kept.push_back(v);
  }
  auto kth = kept.begin() + static_cast<std::ptrdiff_t>(k);
  std::nth_element(kept.begin(), kth, kept.end());
  return *kth;
}

NumericStats StatsOf(std::span<const double> values) {
  // The extremes as std::minmax_element finds them: the first smallest, the last largest.
  size_t count = 0;
  double sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -min;
  for (double v : values) {
    if (std::isnan(v)) continue;
    ++count;
    sum += v;
    if (v < min) min = v;
    if (!(v < max)) max = v;
  }
  NumericStats stats;
  if (count == 0) return stats;
  stats.min = min;
  stats.max = max;
  stats.mean = sum / static_cast<double>(count);
  double squares = 0;
  for (double v : values) {
    if (!std::isnan(v)) squares += (v - stats.mean) * (v - stats.mean);
  }
  stats.stddev = std::sqrt(squares / static_cast<double>(count));
  stats.median = KthSmallest(values, count, count / 2);
  return stats;
}

// Keeps in `feature` the `max_categories` most frequent values of `counts` (ties by value).
void KeepCategories(const std::unordered_map<std::string, size_t>& counts, size_t max_categories,
                    FeatureColumn& feature) {
  std::vector<std::pair<std::string_view, size_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  feature.category_count = sorted.size();
  feature.other = sorted.size() > max_categories;
  if (feature.other) sorted.resize(max_categories);
  for (const auto& [value, count] : sorted) feature.categories.emplace_back(value);
}

std::unordered_map<std::string, size_t> CountCategories(const Column& column) {
  std::unordered_map<std::string, size_t> counts;
  for (size_t row = 0; row < column.texts.size(); ++row) {
    if (column.null[row] == 0) ++counts[column.texts[row]];
  }
  return counts;
}

// Returns the sum of every rank's `counts` (each rank's sent as length, text, count).
std::unordered_map<std::string, size_t> CountsOverRanks(
    const std::unordered_map<std::string, size_t>& counts, RankReducer& ranks) {
  std::string bytes;
  auto put = [&](uint64_t n) { bytes.append(reinterpret_cast<const char*>(&n), sizeof n); };
  for (const auto& [value, count] : counts) {
    put(value.size());
    bytes += value;
    put(count);
  }
  std::unordered_map<std::string, size_t> merged;
  for (const std::string& part : ranks.AllGather(bytes)) {
    size_t at = 0;
    auto get = [&] {
      uint64_t n = 0;
      std::memcpy(&n, part.data() + at, sizeof n);
      at += sizeof n;
      return n;
    };
    while (at < part.size()) {
      const size_t length = get();
      std::string value = part.substr(at, length);
      at += length;
      merged[std::move(value)] += get();
    }
  }
  return merged;
}

// Returns StatsOf over the values of every rank: sums, extremes and deviations allreduced, the
// median exact (KthOverRanks).
NumericStats StatsOverRanks(std::vector<double> values, RankReducer& ranks) {
  std::erase_if(values, [](double v) { return std::isnan(v); });
  const double infinity = std::numeric_limits<double>::infinity();
  std::vector<double> sums{static_cast<double>(values.size()), 0};
  std::vector<double> extremes{infinity, infinity};  // the min and minus the max
  for (double v : values) {
    sums[1] += v;
    extremes = {std::min(extremes[0], v), std::min(extremes[1], -v)};
  }
  ranks.AllReduce(sums, Reduction::kSum);
  ranks.AllReduce(extremes, Reduction::kMin);
  NumericStats stats;
  if (sums[0] == 0) return stats;
  stats.min = extremes[0];
  stats.max = -extremes[1];
  stats.mean = sums[1] / sums[0];
  double squares = 0;
  for (double v : values) squares += (v - stats.mean) * (v - stats.mean);
  stats.stddev = std::sqrt(SumOverRanks(ranks, squares) / sums[0]);
  const auto middle = static_cast<size_t>(sums[0]) / 2;
  stats.median = KthOverRanks(ranks, {std::move(values)}, {middle})[0];
  return stats;
}

FeatureKind KindOf(core::TypeId type) {
  switch (type) {
    case core::TypeId::kVarchar:
      return FeatureKind::kCategorical;
    case core::TypeId::kDate:
      return FeatureKind::kDate;
    case core::TypeId::kTimestamp:
      return FeatureKind::kTimestamp;
    default:
      return FeatureKind::kNumeric;
  }
}

FeatureColumn FitColumn(const Column& column, const FeatureOptions& options, RankReducer* ranks) {
  FeatureColumn feature{column.name, column.type, KindOf(column.type), 0, {}, {}, false, 0};
  for (size_t row = 0; row < column.numbers.size() + column.texts.size(); ++row) {
    if (column.IsNull(row)) ++feature.null_count;
  }
  if (ranks != nullptr) feature.null_count = SumOverRanks(*ranks, feature.null_count);
  if (feature.kind == FeatureKind::kCategorical) {
    std::unordered_map<std::string, size_t> counts = CountCategories(column);
    if (ranks != nullptr) counts = CountsOverRanks(counts, *ranks);
    KeepCategories(counts, options.max_categories, feature);
    return feature;
  }
  if (feature.kind == FeatureKind::kNumeric && ranks == nullptr) {
    feature.stats.push_back(StatsOf(column.numbers));  // no copy of the column
    return feature;
  }
  for (std::vector<double>& values : PartValues(column, feature.kind)) {
    feature.stats.push_back(ranks == nullptr ? StatsOf(values)
                                             : StatsOverRanks(std::move(values), *ranks));
  }
  return feature;
}

// Checks that `column` can stand for the trained `feature`.
void CheckType(const FeatureColumn& feature, const Column& column) {
  bool ok = feature.kind == FeatureKind::kCategorical ? column.is_text()
            : feature.kind == FeatureKind::kNumeric
                ? KindOf(column.type) == FeatureKind::kNumeric
                : column.type == core::TypeId::kDate || column.type == core::TypeId::kTimestamp;
  if (ok) return;
  Throw<UserError>("feature column \"{}\" is {}, but the model was trained on {}", feature.name,
                   core::TypeName(column.type), core::TypeName(feature.type));
}

// Is what MakeFeatures needs to fill one input column's features.
struct ColumnFill {
  const FeatureColumn* feature = nullptr;
  const Column* column = nullptr;
  size_t offset = 0;                                   // its first feature
  std::vector<double> means;                           // numeric and date parts
  std::vector<double> scales;                          // numeric and date parts
  std::unordered_map<std::string_view, size_t> index;  // categorical: of each kept category
};

ColumnFill MakeFill(const FeatureColumn& feature, const Column& column, size_t offset) {
  ColumnFill fill{&feature, &column, offset, {}, {}, {}};
  for (const NumericStats& stats : feature.stats) {
    fill.means.push_back(stats.mean);
    fill.scales.push_back(stats.stddev > 0 ? stats.stddev : 1);
  }
  for (size_t i = 0; i < feature.categories.size(); ++i) fill.index[feature.categories[i]] = i;
  return fill;
}

void FillNumeric(bool standardize, const ColumnFill& fill, RowRange rows, Matrix& x) {
  const size_t count = fill.means.size();
  const bool date = fill.feature->kind != FeatureKind::kNumeric;
  double parts[7];
  for (size_t row = rows.begin; row < rows.end; ++row) {
    const double value = fill.column->numbers[row];
    if (!date) {
      parts[0] = value;
    } else if (std::isnan(value)) {
      std::fill_n(parts, count, kNaN);
    } else {
      DateParts(*fill.column, value, parts);
    }
    double* out = x.row(row) + fill.offset;
    for (size_t part = 0; part < count; ++part) {
      const double v = parts[part];
      out[part] = !standardize ? v : std::isnan(v) ? 0 : (v - fill.means[part]) / fill.scales[part];
    }
  }
}

void FillCategorical(const ColumnFill& fill, RowRange rows, Matrix& x) {
  const FeatureColumn& feature = *fill.feature;
  for (size_t row = rows.begin; row < rows.end; ++row) {
    if (fill.column->null[row] != 0) continue;
    auto it = fill.index.find(fill.column->texts[row]);
    if (it != fill.index.end()) {
      x.at(row, fill.offset + it->second) = 1;
    } else if (feature.other) {
      x.at(row, fill.offset + feature.categories.size()) = 1;
    }
  }
}

}  // namespace

std::vector<std::string> FeatureSpec::FeatureNames() const {
  std::vector<std::string> names;
  for (const FeatureColumn& column : columns) {
    if (column.kind == FeatureKind::kNumeric) {
      names.push_back(column.name);
    } else if (column.kind == FeatureKind::kCategorical) {
      for (const std::string& category : column.categories)
        names.push_back(column.name + "_" + category);
      if (column.other) names.push_back(column.name + "__other_");
    } else {
      for (size_t part = 0; part < PartCount(column.kind); ++part) {
        names.push_back(column.name + "_" + std::string(kDateParts[part]));
      }
    }
  }
  return names;
}

std::vector<size_t> FeatureSpec::Offsets() const {
  std::vector<size_t> offsets{0};
  for (const FeatureColumn& column : columns) offsets.push_back(offsets.back() + Width(column));
  return offsets;
}

FeatureSpec FitFeatures(const Table& table, const std::vector<std::string>& excluded,
                        const FeatureOptions& options, RankReducer* ranks, int threads) {
  std::vector<const Column*> columns;
  for (const Column& column : table.columns) {
    if (std::find(excluded.begin(), excluded.end(), column.name) != excluded.end()) continue;
    columns.push_back(&column);
  }
  if (columns.empty()) Throw<UserError>("the model's query gives no feature columns");
  FeatureSpec spec;
  spec.standardize = options.standardize;
  spec.columns.resize(columns.size());
  if (ranks != nullptr) {
    // The ranks reduce each column's statistics in turn: the same order on every rank.
    for (size_t i = 0; i < columns.size(); ++i) {
      spec.columns[i] = FitColumn(*columns[i], options, ranks);
    }
    return spec;
  }
  // Columns dealt round-robin to at most `threads` tasks (string columns cost more).
  const size_t tasks = RowChunks(columns.size(), threads, 1).size();
  ParallelFor(tasks, [&](size_t task) {
    for (size_t i = task; i < columns.size(); i += tasks) {
      spec.columns[i] = FitColumn(*columns[i], options, nullptr);
    }
  });
  return spec;
}

Matrix MakeFeatures(const FeatureSpec& spec, const Table& table, int threads) {
  std::vector<size_t> offsets = spec.Offsets();
  std::vector<ColumnFill> fills;
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    const FeatureColumn& feature = spec.columns[i];
    const Column* column = table.Find(feature.name);
    if (column == nullptr) Throw<UserError>("feature column \"{}\" is missing", feature.name);
    CheckType(feature, *column);
    fills.push_back(MakeFill(feature, *column, offsets[i]));
  }
  Matrix x(table.num_rows, offsets.back());
  // Blocks of rows, every column of a block before the next: the block's part of the matrix
  // stays in cache while the columns fill it.
  ForEachChunk(RowChunks(table.num_rows, threads), [&](size_t, RowRange chunk) {
    for (size_t begin = chunk.begin; begin < chunk.end; begin += kFillRows) {
      const RowRange rows{begin, std::min(chunk.end, begin + kFillRows)};
      for (const ColumnFill& fill : fills) {
        if (fill.feature->kind == FeatureKind::kCategorical) {
          FillCategorical(fill, rows, x);
        } else {
          FillNumeric(spec.standardize, fill, rows, x);
        }
      }
    }
  });
  return x;
}

boost::json::object FeatureSpecToJson(const FeatureSpec& spec) {
  json::array columns;
  for (const FeatureColumn& column : spec.columns) {
    json::array stats;
    for (const NumericStats& s : column.stats) {
      stats.push_back(json::array{s.min, s.max, s.mean, s.median, s.stddev});
    }
    json::array categories(column.categories.begin(), column.categories.end());
    columns.push_back(json::object{{"name", column.name},
                                   {"type", core::TypeName(column.type)},
                                   {"kind", static_cast<int>(column.kind)},
                                   {"null_count", column.null_count},
                                   {"stats", std::move(stats)},
                                   {"categories", std::move(categories)},
                                   {"other", column.other},
                                   {"category_count", column.category_count}});
  }
  return json::object{{"standardize", spec.standardize}, {"columns", std::move(columns)}};
}

FeatureSpec FeatureSpecFromJson(const boost::json::object& object) {
  FeatureSpec spec;
  spec.standardize = object.at("standardize").as_bool();
  for (const json::value& value : object.at("columns").as_array()) {
    const json::object& c = value.as_object();
    FeatureColumn column;
    column.name = json::value_to<std::string>(c.at("name"));
    column.type = *core::TypeFromName(json::value_to<std::string>(c.at("type")));
    column.kind = static_cast<FeatureKind>(c.at("kind").to_number<int>());
    column.null_count = c.at("null_count").to_number<size_t>();
    for (const json::value& s : c.at("stats").as_array()) {
      const json::array& a = s.as_array();
      column.stats.push_back({a[0].to_number<double>(), a[1].to_number<double>(),
                              a[2].to_number<double>(), a[3].to_number<double>(),
                              a[4].to_number<double>()});
    }
    for (const json::value& category : c.at("categories").as_array()) {
      column.categories.push_back(json::value_to<std::string>(category));
    }
    column.other = c.at("other").as_bool();
    column.category_count = c.at("category_count").to_number<size_t>();
    spec.columns.push_back(std::move(column));
  }
  return spec;
}

}  // namespace sluice::ml
