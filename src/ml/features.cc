#include "ml/features.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "base/error.h"
#include "core/datetime.h"

namespace sluice::ml {
namespace {

namespace json = boost::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
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

// Returns the values of part `part` of `column` (the column itself for a numeric one).
std::vector<double> PartValues(const Column& column, FeatureKind kind, size_t part) {
  if (kind == FeatureKind::kNumeric) return column.numbers;
  std::vector<double> values(column.numbers.size(), kNaN);
  double parts[7];
  for (size_t row = 0; row < values.size(); ++row) {
    if (std::isnan(column.numbers[row])) continue;
    DateParts(column, column.numbers[row], parts);
    values[row] = parts[part];
  }
  return values;
}

NumericStats StatsOf(std::vector<double> values) {
  std::erase_if(values, [](double v) { return std::isnan(v); });
  NumericStats stats;
  if (values.empty()) return stats;
  auto [min, max] = std::minmax_element(values.begin(), values.end());
  stats.min = *min;
  stats.max = *max;
  double sum = 0;
  for (double v : values) sum += v;
  stats.mean = sum / static_cast<double>(values.size());
  double squares = 0;
  for (double v : values) squares += (v - stats.mean) * (v - stats.mean);
  stats.stddev = std::sqrt(squares / static_cast<double>(values.size()));
  auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  stats.median = *middle;
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
  for (size_t part = 0; part < PartCount(feature.kind); ++part) {
    std::vector<double> values = PartValues(column, feature.kind, part);
    feature.stats.push_back(ranks == nullptr ? StatsOf(std::move(values))
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

void FillNumeric(const FeatureSpec& spec, const FeatureColumn& feature, const Column& column,
                 size_t offset, Matrix& x) {
  for (size_t part = 0; part < feature.stats.size(); ++part) {
    std::vector<double> values = PartValues(column, feature.kind, part);
    const NumericStats& stats = feature.stats[part];
    double scale = stats.stddev > 0 ? stats.stddev : 1;
    for (size_t row = 0; row < x.rows; ++row) {
      double v = values[row];
      if (spec.standardize) v = std::isnan(v) ? 0 : (v - stats.mean) / scale;
      x.at(row, offset + part) = v;
    }
  }
}

void FillCategorical(const FeatureColumn& feature, const Column& column, size_t offset, Matrix& x) {
  std::unordered_map<std::string_view, size_t> index;
  for (size_t i = 0; i < feature.categories.size(); ++i) index[feature.categories[i]] = i;
  for (size_t row = 0; row < x.rows; ++row) {
    if (column.null[row] != 0) continue;
    auto it = index.find(column.texts[row]);
    if (it != index.end()) {
      x.at(row, offset + it->second) = 1;
    } else if (feature.other) {
      x.at(row, offset + feature.categories.size()) = 1;
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
                        const FeatureOptions& options, RankReducer* ranks) {
  FeatureSpec spec;
  spec.standardize = options.standardize;
  for (const Column& column : table.columns) {
    if (std::find(excluded.begin(), excluded.end(), column.name) != excluded.end()) continue;
    spec.columns.push_back(FitColumn(column, options, ranks));
  }
  if (spec.columns.empty()) Throw<UserError>("the model's query gives no feature columns");
  return spec;
}

Matrix MakeFeatures(const FeatureSpec& spec, const Table& table) {
  std::vector<size_t> offsets = spec.Offsets();
  Matrix x(table.num_rows, offsets.back());
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    const FeatureColumn& feature = spec.columns[i];
    const Column* column = table.Find(feature.name);
    if (column == nullptr) Throw<UserError>("feature column \"{}\" is missing", feature.name);
    CheckType(feature, *column);
    if (feature.kind == FeatureKind::kCategorical) {
      FillCategorical(feature, *column, offsets[i], x);
    } else {
      FillNumeric(spec, feature, *column, offsets[i], x);
    }
  }
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
