#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "base/error.h"
#include "core/value.h"
#include "exec/aggregate_function.h"
#include "exec/group_merger.h"
#include "exec/group_table.h"
#include "exec/testing/test_expressions.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Value;
using Row = std::vector<Value>;  // the BIGINT group key, then the arguments

// Holds each group's result by group key.
class Results {
 public:
  void Set(int64_t group, Value value) { values_.insert_or_assign(group, std::move(value)); }
  const Value& operator[](int64_t group) const { return values_.at(group); }

 private:
  std::map<int64_t, Value> values_;
};

const AggregateFunction& Resolve(std::string_view name, const std::vector<TypeId>& types) {
  std::vector<std::optional<TypeId>> optional(types.begin(), types.end());
  const AggregateFunction* function = AggregateFunctionRegistry::BuiltIn().Resolve(name, optional);
  if (function == nullptr) throw InternalError("no aggregate " + std::string(name));
  return *function;
}

// Feeds `batch` (group key, then arguments) to `table` the way HashAggregate does: every row
// finds its group, but a function that skips NULLs sees only rows without NULL arguments.
void Feed(GroupTable& table, const AggregateFunction& function, const core::Batch& batch) {
  size_t count = batch.num_rows();
  std::vector<uint64_t> hashes(count);
  std::vector<std::byte*> rows(count);
  const core::Vector* key = &batch.column(0);
  HashRows({&key, 1}, count, hashes.data());
  table.FindOrAdd({&key, 1}, hashes.data(), count, rows.data());
  std::vector<core::Vector> kept;
  std::vector<std::byte*> kept_rows;
  for (size_t c = 1; c < batch.num_columns(); ++c) kept.emplace_back(batch.column(c).type());
  for (size_t i = 0; i < count; ++i) {
    bool has_null = false;
    for (size_t c = 1; c < batch.num_columns(); ++c) has_null |= batch.column(c).IsNull(i);
    if (has_null && function.skips_nulls) continue;
    for (size_t c = 1; c < batch.num_columns(); ++c) {
      kept[c - 1].set_size(kept_rows.size() + 1);
      kept[c - 1].CopyFrom(batch.column(c), i, kept_rows.size(), 1);
    }
    kept_rows.push_back(rows[i]);
  }
  std::vector<const core::Vector*> arguments;
  for (const core::Vector& vector : kept) arguments.push_back(&vector);
  function.update(arguments, kept_rows.size(), kept_rows.data(), table.state_offset(0));
}

// Adds each group's result from the rows of groups of `layout` to `results`.
void ScanResults(const GroupRowLayout& layout, std::span<const std::byte* const> groups,
                 TypeId result, Results& results) {
  auto schema = std::make_shared<const core::Schema>(
      std::vector<core::Field>{{"g", TypeId::kBigint}, {"a", result}});
  for (size_t from = 0; from < groups.size(); from += core::kVectorSize) {
    size_t count = std::min(core::kVectorSize, groups.size() - from);
    core::Batch out(schema, count);
    layout.Scan(groups.subspan(from, count), out);
    for (size_t i = 0; i < count; ++i)
      results.Set(out.GetValue(0, i).GetInt64(), out.GetValue(1, i));
  }
}

// Aggregates batches[t] into thread table t, then merges the tables a radix partition at a
// time, which exercises `combine`, and returns the results per group.
Results Merge(const AggregateFunction& function,
              const std::vector<std::vector<core::Batch>>& batches) {
  std::vector<std::unique_ptr<GroupTable>> tables;
  std::vector<GroupTable*> pointers;
  for (const auto& table_batches : batches) {
    tables.push_back(std::make_unique<GroupTable>(std::vector<TypeId>{TypeId::kBigint},
                                                  std::vector{&function}, 2));
    pointers.push_back(tables.back().get());
    for (const core::Batch& batch : table_batches) Feed(*tables.back(), function, batch);
  }
  GroupMerger merger;
  Results results;
  for (size_t p = 0; p < tables[0]->num_partitions(); ++p) {
    ScanResults(tables[0]->layout(), merger.Merge(pointers, p), function.result, results);
  }
  return results;
}

// Runs aggregate `name` over `rows`, dealt round-robin to `num_tables` tables.
Results Aggregate(std::string_view name, const std::vector<TypeId>& argument_types,
                  const std::vector<Row>& rows, size_t num_tables = 2) {
  const AggregateFunction& function = Resolve(name, argument_types);
  std::vector<TypeId> types{TypeId::kBigint};
  types.insert(types.end(), function.arguments.begin(), function.arguments.end());
  std::vector<std::vector<Row>> dealt(num_tables);
  for (size_t i = 0; i < rows.size(); ++i) dealt[i % num_tables].push_back(rows[i]);
  std::vector<std::vector<core::Batch>> batches(num_tables);
  for (size_t t = 0; t < num_tables; ++t) {
    for (size_t from = 0; from < dealt[t].size(); from += core::kVectorSize) {
      size_t to = std::min(dealt[t].size(), from + core::kVectorSize);
      std::vector<Row> chunk(dealt[t].begin() + from, dealt[t].begin() + to);
      batches[t].push_back(testing::MakeBatch(types, chunk));
    }
  }
  return Merge(function, batches);
}

// Returns the result of aggregate `name` over no rows (the group of a global aggregate).
Value AggregateEmpty(std::string_view name, const std::vector<TypeId>& argument_types) {
  const AggregateFunction& function = Resolve(name, argument_types);
  GroupTable table({}, {&function}, 2);
  const std::byte* group = table.AddEmptyGroup();
  auto schema =
      std::make_shared<const core::Schema>(std::vector<core::Field>{{"a", function.result}});
  core::Batch out(schema, 1);
  table.layout().Scan({&group, 1}, out);
  return out.GetValue(0, 0);
}

// Returns normally distributed values; by default with a large common offset, which defeats
// naive sum-of-squares formulas.
std::vector<double> Noisy(size_t count, unsigned seed, double mean = 1e6, double deviation = 3.5) {
  std::mt19937_64 random(seed);
  std::normal_distribution<double> normal(mean, deviation);
  std::vector<double> values(count);
  for (double& value : values) value = normal(random);
  return values;
}

double Mean(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

// Returns the sum of (a_i - mean a)(b_i - mean b), two-pass.
double CoSum(const std::vector<double>& a, const std::vector<double>& b) {
  double mean_a = Mean(a), mean_b = Mean(b), sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += (a[i] - mean_a) * (b[i] - mean_b);
  return sum;
}

void ExpectNear(const Value& value, double expected) {
  ASSERT_FALSE(value.is_null());
  EXPECT_NEAR(value.GetDouble(), expected, std::abs(expected) * 1e-9 + 1e-12);
}

TEST(StatisticalAggregatesTest, VarianceMatchesTwoPassAndIgnoresMergeOrder) {
  std::vector<double> values = Noisy(5000, 1);
  std::vector<Row> rows;
  for (double value : values) rows.push_back({Value::Bigint(0), Value::Double(value)});
  rows.push_back({Value::Bigint(1), Value::Double(42)});
  rows.push_back({Value::Bigint(2), Value::Null(TypeId::kDouble)});
  double m2 = CoSum(values, values);
  double n = static_cast<double>(values.size());
  std::vector<TypeId> types{TypeId::kDouble};

  auto samp = Aggregate("var_samp", types, rows);
  ExpectNear(samp[0], m2 / (n - 1));
  EXPECT_TRUE(samp[1].is_null());  // one row: NULL, as in PostgreSQL
  EXPECT_TRUE(samp[2].is_null());  // all NULL
  ExpectNear(Aggregate("variance", types, rows)[0], m2 / (n - 1));
  ExpectNear(Aggregate("stddev", types, rows)[0], std::sqrt(m2 / (n - 1)));
  ExpectNear(Aggregate("stddev_samp", types, rows)[0], std::sqrt(m2 / (n - 1)));
  auto pop = Aggregate("var_pop", types, rows);
  ExpectNear(pop[0], m2 / n);
  EXPECT_EQ(pop[1].GetDouble(), 0);
  EXPECT_TRUE(pop[2].is_null());
  ExpectNear(Aggregate("stddev_pop", types, rows)[0], std::sqrt(m2 / n));

  // With a large offset, rounding of the running mean bounds the agreement (~1e-11); on
  // well-conditioned data, merge orders agree to about the last bits.
  double one_table = Aggregate("stddev", types, rows, 1)[0].GetDouble();
  EXPECT_NEAR(Aggregate("stddev", types, rows, 7)[0].GetDouble(), one_table, one_table * 1e-9);
  rows.clear();
  for (double value : Noisy(20000, 5, 50, 29))
    rows.push_back({Value::Bigint(0), Value::Double(value)});
  one_table = Aggregate("stddev", types, rows, 1)[0].GetDouble();
  for (size_t tables : {2, 7, 16}) {
    double merged = Aggregate("stddev", types, rows, tables)[0].GetDouble();
    EXPECT_NEAR(merged, one_table, one_table * 1e-13) << tables;
  }
  EXPECT_TRUE(AggregateEmpty("stddev", types).is_null());
}

TEST(StatisticalAggregatesTest, CoMomentsMatchTwoPass) {
  std::vector<double> y = Noisy(3000, 2), x = Noisy(3000, 3);
  for (size_t i = 0; i < x.size(); ++i) y[i] += 0.7 * (x[i] - 1e6);  // correlated
  std::vector<Row> rows;
  for (size_t i = 0; i < x.size(); ++i) {
    rows.push_back({Value::Bigint(0), Value::Double(y[i]), Value::Double(x[i])});
  }
  // Pairs with a NULL side are skipped.
  rows.push_back({Value::Bigint(0), Value::Null(TypeId::kDouble), Value::Double(1)});
  rows.push_back({Value::Bigint(0), Value::Double(1), Value::Null(TypeId::kDouble)});
  rows.push_back({Value::Bigint(1), Value::Double(1), Value::Double(2)});
  double n = static_cast<double>(x.size());
  double sxy = CoSum(x, y), sxx = CoSum(x, x), syy = CoSum(y, y);
  std::vector<TypeId> types{TypeId::kDouble, TypeId::kDouble};

  auto covar_pop = Aggregate("covar_pop", types, rows, 3);
  ExpectNear(covar_pop[0], sxy / n);
  EXPECT_EQ(covar_pop[1].GetDouble(), 0);
  auto covar_samp = Aggregate("covar_samp", types, rows, 3);
  ExpectNear(covar_samp[0], sxy / (n - 1));
  EXPECT_TRUE(covar_samp[1].is_null());
  auto corr = Aggregate("corr", types, rows, 3);
  ExpectNear(corr[0], sxy / std::sqrt(sxx * syy));
  EXPECT_TRUE(corr[1].is_null());  // zero variance
  ExpectNear(Aggregate("regr_r2", types, rows, 3)[0], sxy * sxy / (sxx * syy));
  ExpectNear(Aggregate("regr_slope", types, rows, 3)[0], sxy / sxx);
  ExpectNear(Aggregate("regr_intercept", types, rows, 3)[0], Mean(y) - Mean(x) * sxy / sxx);
  EXPECT_TRUE(AggregateEmpty("corr", types).is_null());
}

// Returns PostgreSQL's percentile_cont of `values` (sorted here).
double PercentileCont(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  double position = q * static_cast<double>(values.size() - 1);
  size_t lower = static_cast<size_t>(std::floor(position));
  size_t upper = static_cast<size_t>(std::ceil(position));
  return values[lower] + (values[upper] - values[lower]) * (position - static_cast<double>(lower));
}

// Returns PostgreSQL's percentile_disc: the first value whose cumulative share reaches q.
double PercentileDisc(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  double rank = std::ceil(q * static_cast<double>(values.size()));
  return values[rank < 1 ? 0 : static_cast<size_t>(rank) - 1];
}

TEST(HolisticAggregatesTest, QuantilesOfAKnownList) {
  std::vector<Row> rows;
  for (int value : {7, 3, 10, 1, 9, 2, 8, 4, 6, 5}) {
    rows.push_back({Value::Bigint(0), Value::Integer(value), Value::Double(0.9)});
  }
  rows.push_back({Value::Bigint(1), Value::Integer(4), Value::Double(0.9)});
  rows.push_back({Value::Bigint(2), Value::Null(TypeId::kInteger), Value::Double(0.9)});
  std::vector<TypeId> types{TypeId::kInteger, TypeId::kDouble};
  auto cont = Aggregate("quantile_cont", types, rows);
  EXPECT_DOUBLE_EQ(cont[0].GetDouble(), 9.1);
  EXPECT_EQ(cont[1].GetDouble(), 4);
  EXPECT_TRUE(cont[2].is_null());
  auto disc = Aggregate("quantile_disc", types, rows);
  EXPECT_EQ(disc[0].type(), TypeId::kInteger);
  EXPECT_EQ(disc[0].GetInt64(), 9);
  EXPECT_EQ(disc[1].GetInt64(), 4);

  std::vector<Row> unary;
  for (const Row& row : rows) unary.push_back({row[0], row[1]});
  auto median = Aggregate("median", {TypeId::kInteger}, unary, 3);
  EXPECT_EQ(median[0].type(), TypeId::kDouble);
  EXPECT_EQ(median[0].GetDouble(), 5.5);
  EXPECT_EQ(median[1].GetDouble(), 4);
  EXPECT_TRUE(median[2].is_null());
  EXPECT_TRUE(AggregateEmpty("median", {TypeId::kDouble}).is_null());
}

TEST(HolisticAggregatesTest, QuantilesMatchSortingOnRandomData) {
  std::mt19937_64 random(4);
  std::uniform_int_distribution<int> small(0, 50);  // many duplicates
  std::map<int64_t, std::vector<double>> groups;
  for (int i = 0; i < 20000; ++i) groups[i % 37].push_back(small(random) * 0.25);
  for (double q : {0.0, 0.1, 0.5, 0.75, 0.99, 1.0}) {
    std::vector<Row> rows;
    for (const auto& [group, values] : groups) {
      for (double value : values) {
        rows.push_back({Value::Bigint(group), Value::Double(value), Value::Double(q)});
      }
    }
    auto cont = Aggregate("quantile_cont", {TypeId::kDouble, TypeId::kDouble}, rows, 3);
    auto disc = Aggregate("quantile_disc", {TypeId::kDouble, TypeId::kDouble}, rows, 3);
    for (const auto& [group, values] : groups) {
      EXPECT_DOUBLE_EQ(cont[group].GetDouble(), PercentileCont(values, q)) << q;
      EXPECT_EQ(disc[group].GetDouble(), PercentileDisc(values, q)) << q;
    }
  }
}

TEST(HolisticAggregatesTest, NanSortsLastAndQuantileIsChecked) {
  std::vector<Row> rows;
  for (double value : {1.0, std::nan(""), 2.0})
    rows.push_back({Value::Bigint(0), Value::Double(value)});
  EXPECT_EQ(Aggregate("median", {TypeId::kDouble}, rows)[0].GetDouble(), 2);
  rows = {{Value::Bigint(0), Value::Double(1), Value::Double(1.5)}};
  EXPECT_THROW(Aggregate("quantile_cont", {TypeId::kDouble, TypeId::kDouble}, rows), DataError);
  rows = {{Value::Bigint(0), Value::Bigint(1), Value::Double(-0.1)}};
  EXPECT_THROW(Aggregate("quantile_disc", {TypeId::kBigint, TypeId::kDouble}, rows), DataError);
}

TEST(HolisticAggregatesTest, TimestampMedianAndDateQuantile) {
  std::vector<Row> rows;
  for (int64_t micros : {10, 40, 20, 30}) {
    rows.push_back({Value::Bigint(0), Value::Timestamp(micros)});
  }
  auto median = Aggregate("median", {TypeId::kTimestamp}, rows);
  EXPECT_EQ(median[0].type(), TypeId::kTimestamp);
  EXPECT_EQ(median[0].GetInt64(), 25);
  rows.clear();
  for (int32_t days : {3, 1, 2}) {
    rows.push_back({Value::Bigint(0), Value::Date(days), Value::Double(0.5)});
  }
  auto disc = Aggregate("quantile_disc", {TypeId::kDate, TypeId::kDouble}, rows);
  EXPECT_EQ(disc[0].type(), TypeId::kDate);
  EXPECT_EQ(disc[0].GetInt64(), 2);
}

TEST(HolisticAggregatesTest, StringAggKeepsInputOrderWithinATable) {
  std::vector<Row> rows;
  for (const char* text : {"a", "bb", "a long string past twelve bytes", "c"}) {
    rows.push_back({Value::Bigint(0), Value::Varchar(text), Value::Varchar(", ")});
  }
  rows.push_back({Value::Bigint(0), Value::Null(TypeId::kVarchar), Value::Varchar(", ")});
  rows.push_back({Value::Bigint(1), Value::Null(TypeId::kVarchar), Value::Varchar(", ")});
  rows.push_back({Value::Bigint(2), Value::Varchar("x"), Value::Varchar(", ")});
  std::vector<TypeId> types{TypeId::kVarchar, TypeId::kVarchar};
  auto one = Aggregate("string_agg", types, rows, 1);
  EXPECT_EQ(one[0].GetString(), "a, bb, a long string past twelve bytes, c");
  EXPECT_TRUE(one[1].is_null());
  EXPECT_EQ(one[2].GetString(), "x");
  // Across tables the pieces are all there, in an order that depends on the merge.
  std::string merged = Aggregate("string_agg", types, rows, 3)[0].GetString();
  EXPECT_EQ(merged.size(), one[0].GetString().size());
  EXPECT_NE(merged.find("a long string past twelve bytes"), std::string::npos);
  EXPECT_TRUE(AggregateEmpty("string_agg", types).is_null());
}

// Returns batches of `count` distinct BIGINT values from `first`, all in group 0.
std::vector<core::Batch> Sequence(int64_t first, int64_t count) {
  auto schema = std::make_shared<const core::Schema>(
      std::vector<core::Field>{{"g", TypeId::kBigint}, {"x", TypeId::kBigint}});
  std::vector<core::Batch> batches;
  for (int64_t from = 0; from < count; from += core::kVectorSize) {
    size_t size = std::min<size_t>(core::kVectorSize, count - from);
    core::Batch batch(schema, size);
    for (size_t i = 0; i < size; ++i) {
      batch.column(0).data<int64_t>()[i] = 0;
      batch.column(1).data<int64_t>()[i] = first + from + static_cast<int64_t>(i);
    }
    batch.column(0).set_size(size);
    batch.column(1).set_size(size);
    batch.SetNumRows(size);
    batches.push_back(std::move(batch));
  }
  return batches;
}

TEST(SketchAggregatesTest, ApproxCountDistinctIsWithinTwoPercent) {
  const AggregateFunction& function = Resolve("approx_count_distinct", {TypeId::kBigint});
  // Two tables with overlapping ranges: the union has 1,000,000 values.
  std::vector<std::vector<core::Batch>> batches;
  batches.push_back(Sequence(0, 600000));
  batches.push_back(Sequence(400000, 600000));
  auto results = Merge(function, batches);
  EXPECT_NEAR(static_cast<double>(results[0].GetInt64()), 1e6, 2e4);
  const AggregateFunction& exact = Resolve("count_distinct", {TypeId::kBigint});
  EXPECT_EQ(Merge(exact, batches)[0].GetInt64(), 1000000);
  for (int64_t truth : {2500, 5000, 20000, 100000}) {
    std::vector<std::vector<core::Batch>> batches;
    batches.push_back(Sequence(7, truth));
    double estimate = static_cast<double>(Merge(function, batches)[0].GetInt64());
    EXPECT_NEAR(estimate, static_cast<double>(truth), 0.02 * static_cast<double>(truth));
  }
}

TEST(SketchAggregatesTest, ApproxCountDistinctIsExactForSmallSets) {
  std::vector<Row> rows;
  for (int i = 0; i < 3000; ++i) {
    rows.push_back({Value::Bigint(i % 2), Value::Varchar("value " + std::to_string(i % 500))});
  }
  rows.push_back({Value::Bigint(2), Value::Null(TypeId::kVarchar)});
  auto results = Aggregate("approx_count_distinct", {TypeId::kVarchar}, rows, 3);
  EXPECT_EQ(results[0].GetInt64(), 250);
  EXPECT_EQ(results[1].GetInt64(), 250);
  EXPECT_EQ(results[2].GetInt64(), 0);
  rows = {{Value::Bigint(0), Value::Double(0.0)}, {Value::Bigint(0), Value::Double(-0.0)}};
  EXPECT_EQ(Aggregate("approx_count_distinct", {TypeId::kDouble}, rows)[0].GetInt64(), 1);
  EXPECT_EQ(AggregateEmpty("approx_count_distinct", {TypeId::kInteger}).GetInt64(), 0);
}

TEST(DistinctAggregatesTest, CountSumAndAverageOfDistinctValues) {
  std::vector<Row> rows;
  for (int i = 0; i < 1000; ++i) rows.push_back({Value::Bigint(i % 3), Value::Bigint(i % 10)});
  rows.push_back({Value::Bigint(3), Value::Null(TypeId::kBigint)});
  // Group g holds i = g, g + 3, ...: every residue mod 10 appears, so 0..9 in each group.
  auto count = Aggregate("count_distinct", {TypeId::kBigint}, rows, 4);
  auto sum = Aggregate("sum_distinct", {TypeId::kBigint}, rows, 4);
  auto average = Aggregate("avg_distinct", {TypeId::kBigint}, rows, 4);
  for (int64_t group = 0; group < 3; ++group) {
    EXPECT_EQ(count[group].GetInt64(), 10);
    EXPECT_EQ(sum[group].GetInt64(), 45);
    EXPECT_EQ(average[group].GetDouble(), 4.5);
  }
  EXPECT_EQ(count[3].GetInt64(), 0);
  // The bit pattern the set uses for free slots is an ordinary value.
  int64_t free_slot = static_cast<int64_t>(0x9e3779b97f4a7c15ULL);
  rows = {{Value::Bigint(0), Value::Bigint(free_slot)},
          {Value::Bigint(0), Value::Bigint(1)},
          {Value::Bigint(0), Value::Bigint(free_slot)}};
  EXPECT_EQ(Aggregate("count_distinct", {TypeId::kBigint}, rows)[0].GetInt64(), 2);
  EXPECT_EQ(Aggregate("sum_distinct", {TypeId::kBigint}, rows)[0].GetInt64(), free_slot + 1);
  EXPECT_TRUE(sum[3].is_null());
  EXPECT_TRUE(average[3].is_null());

  rows.clear();
  for (double value : {0.1, 0.2, 0.1, -0.0, 0.0, 0.3}) {
    rows.push_back({Value::Bigint(0), Value::Double(value)});
  }
  EXPECT_EQ(Aggregate("count_distinct", {TypeId::kDouble}, rows)[0].GetInt64(), 4);
  EXPECT_DOUBLE_EQ(Aggregate("sum_distinct", {TypeId::kDouble}, rows)[0].GetDouble(), 0.6);
  EXPECT_DOUBLE_EQ(Aggregate("avg_distinct", {TypeId::kDouble}, rows)[0].GetDouble(), 0.15);

  rows.clear();
  for (const char* text : {"x", "y", "x", "a string longer than twelve", "y"}) {
    rows.push_back({Value::Bigint(0), Value::Varchar(text)});
  }
  EXPECT_EQ(Aggregate("count_distinct", {TypeId::kVarchar}, rows, 3)[0].GetInt64(), 3);
  EXPECT_EQ(AggregateEmpty("count_distinct", {TypeId::kVarchar}).GetInt64(), 0);
}

TEST(FoldAggregatesTest, BitwiseProductAndArgExtremes) {
  std::vector<Row> rows;
  for (int value : {0b1110, 0b0111, 0b0110})
    rows.push_back({Value::Bigint(0), Value::Integer(value)});
  EXPECT_EQ(Aggregate("bit_and", {TypeId::kInteger}, rows)[0].GetInt64(), 0b0110);
  EXPECT_EQ(Aggregate("bit_or", {TypeId::kInteger}, rows)[0].GetInt64(), 0b1111);
  EXPECT_EQ(Aggregate("bit_xor", {TypeId::kInteger}, rows)[0].GetInt64(), 0b1111);
  EXPECT_EQ(Aggregate("product", {TypeId::kInteger}, rows)[0].GetDouble(), 14.0 * 7 * 6);
  EXPECT_TRUE(AggregateEmpty("bit_or", {TypeId::kBigint}).is_null());

  rows.clear();
  for (auto [name, score] : std::vector<std::pair<const char*, int>>{
           {"carol", 3}, {"alice", 9}, {"bob", 1}, {"dave", 9}, {"erin", 1}}) {
    rows.push_back({Value::Bigint(0), Value::Varchar(name), Value::Integer(score)});
  }
  rows.push_back({Value::Bigint(0), Value::Varchar("nobody"), Value::Null(TypeId::kInteger)});
  std::vector<TypeId> types{TypeId::kVarchar, TypeId::kInteger};
  for (size_t tables : {1, 3}) {
    EXPECT_EQ(Aggregate("arg_min", types, rows, tables)[0].GetString(), "bob");  // ties: smallest
    EXPECT_EQ(Aggregate("arg_max", types, rows, tables)[0].GetString(), "alice");
  }
  EXPECT_TRUE(AggregateEmpty("arg_max", types).is_null());
}

}  // namespace
}  // namespace sluice::exec
