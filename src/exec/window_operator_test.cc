#include "exec/window_operator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "base/error.h"
#include "base/task.h"
#include "exec/pipeline.h"
#include "exec/source_operators.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Value;
using Row = std::vector<Value>;
using Kind = WindowFunctionKind;

Value B(int64_t value) { return Value::Bigint(value); }
Value D(double value) { return Value::Double(value); }
Value S(std::string value) { return Value::Varchar(std::move(value)); }
Value N(TypeId type = TypeId::kBigint) { return Value::Null(type); }

/// Is a window to run: column 0 of `rows` must be a unique BIGINT id.
struct WindowCase {
  std::vector<TypeId> types;
  std::vector<Row> rows;
  std::vector<size_t> partition;
  std::vector<SortKey> order;
  std::vector<WindowFunction> functions;
  size_t rows_per_batch = 3;
  std::vector<std::pair<size_t, int64_t>> rank_limits;  // KeepRanksUpTo calls
};

/// Is a window's output: the rows by id, the ids in output order, and the sink's details.
struct WindowOutput {
  std::map<int64_t, Row> by_id;
  std::vector<int64_t> ids;
  std::string details;
};

core::SchemaPtr MakeSchema(const std::vector<TypeId>& types) {
  std::vector<core::Field> fields;
  for (size_t i = 0; i < types.size(); ++i) fields.push_back({"c" + std::to_string(i), types[i]});
  return std::make_shared<const core::Schema>(std::move(fields));
}

std::shared_ptr<std::vector<core::Batch>> MakeBatches(const core::SchemaPtr& schema,
                                                      const std::vector<Row>& rows, size_t per) {
  auto batches = std::make_shared<std::vector<core::Batch>>();
  for (size_t from = 0; from < rows.size(); from += per) {
    core::Batch batch(schema, per);
    for (size_t r = from; r < std::min(rows.size(), from + per); ++r) batch.AppendRow(rows[r]);
    batches->push_back(std::move(batch));
  }
  return batches;
}

WindowOutput RunWindow(const WindowCase& test, size_t threads, BatchList batches = nullptr) {
  core::SchemaPtr input = MakeSchema(test.types);
  std::vector<TypeId> output_types = test.types;
  for (const WindowFunction& function : test.functions) {
    output_types.push_back(WindowResultType(function, *input));
  }
  if (batches == nullptr) batches = MakeBatches(input, test.rows, test.rows_per_batch);
  Pipeline pipeline;
  pipeline.source = std::make_unique<BatchScan>(
      input, [batches] { return batches; }, "test");
  auto sink = std::make_unique<WindowSink>(MakeSchema(output_types), test.partition, test.order,
                                           test.functions);
  for (const auto& [function, limit] : test.rank_limits) sink->KeepRanksUpTo(function, limit);
  WindowOutput output;
  output.details = sink->details();
  pipeline.sink = std::move(sink);
  SetThreadCount(threads);
  RunPipeline(pipeline);
  SetThreadCount(0);
  for (const core::Batch& batch : pipeline.sink->TakeOutput()) {
    EXPECT_LE(batch.num_rows(), core::kVectorSize);
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      Row row;
      for (size_t c = 0; c < batch.num_columns(); ++c) row.push_back(batch.GetValue(c, r));
      output.ids.push_back(row[0].GetInt64());
      output.by_id[row[0].GetInt64()] = std::move(row);
    }
  }
  return output;
}

/// Runs `test` at 1 and 2 threads, expects the same output and returns it.
WindowOutput RunBoth(const WindowCase& test, BatchList batches = nullptr) {
  WindowOutput one = RunWindow(test, 1, batches);
  WindowOutput two = RunWindow(test, 2, batches);
  EXPECT_EQ(one.by_id, two.by_id);
  EXPECT_EQ(one.ids, two.ids);
  if (batches == nullptr) {
    EXPECT_EQ(one.ids.size(), test.rows.size());
  }
  return one;
}

/// Returns output column `column` for ids 1, 2, ... in id order.
std::vector<Value> Column(const WindowOutput& output, size_t column) {
  std::vector<Value> values;
  for (const auto& [id, row] : output.by_id) values.push_back(row[column]);
  return values;
}

WindowFunction Ranking(Kind kind, int64_t offset = 1) { return {kind, {}, offset}; }

WindowFunction ValueFunction(Kind kind, size_t column, int64_t offset = 1,
                             std::optional<Value> default_value = std::nullopt) {
  return {kind, {column}, offset, std::move(default_value)};
}

WindowFunction Aggregate(std::string_view name, std::vector<size_t> columns,
                         std::vector<std::optional<TypeId>> types, WindowFrame frame = {}) {
  WindowFunction function{Kind::kAggregate, std::move(columns)};
  function.aggregate = AggregateFunctionRegistry::BuiltIn().Resolve(name, types);
  EXPECT_NE(function.aggregate, nullptr) << name;
  function.frame = frame;
  return function;
}

// Columns: id, part (VARCHAR, NULL for ids 7-8), v (BIGINT), w (BIGINT). Partition "a" holds
// v = 10, 20, 20, 30, NULL for ids 1-5; "b" holds id 6; the NULL partition ids 7 and 8.
WindowCase TiesCase() {
  WindowCase test;
  test.types = {TypeId::kBigint, TypeId::kVarchar, TypeId::kBigint, TypeId::kBigint};
  Value null_part = N(TypeId::kVarchar);
  test.rows = {{B(7), null_part, B(1), B(70)}, {B(1), S("a"), B(10), B(100)},
               {B(4), S("a"), B(30), N()},     {B(6), S("b"), B(5), B(60)},
               {B(2), S("a"), B(20), B(200)},  {B(5), S("a"), N(), B(500)},
               {B(3), S("a"), B(20), B(300)},  {B(8), null_part, B(1), B(80)}};
  test.partition = {1};
  test.order = {SortKey{2}};
  return test;
}

TEST(WindowOperatorTest, RankingFunctionsWithTiesAndNullPartition) {
  WindowCase test = TiesCase();
  test.functions = {Ranking(Kind::kRowNumber), Ranking(Kind::kRank),
                    Ranking(Kind::kDenseRank), Ranking(Kind::kPercentRank),
                    Ranking(Kind::kCumeDist),  Ranking(Kind::kNtile, 3)};
  WindowOutput out = RunBoth(test);
  // Ties keep the input order: id 2 came before id 3.
  EXPECT_EQ(Column(out, 4), (Row{B(1), B(2), B(3), B(4), B(5), B(1), B(1), B(2)}));
  EXPECT_EQ(Column(out, 5), (Row{B(1), B(2), B(2), B(4), B(5), B(1), B(1), B(1)}));
  EXPECT_EQ(Column(out, 6), (Row{B(1), B(2), B(2), B(3), B(4), B(1), B(1), B(1)}));
  EXPECT_EQ(Column(out, 7), (Row{D(0), D(0.25), D(0.25), D(0.75), D(1), D(0), D(0), D(0)}));
  EXPECT_EQ(Column(out, 8),
            (Row{D(1.0 / 5), D(3.0 / 5), D(3.0 / 5), D(4.0 / 5), D(1), D(1), D(1), D(1)}));
  EXPECT_EQ(Column(out, 9), (Row{B(1), B(1), B(2), B(2), B(3), B(1), B(1), B(2)}));
}

TEST(WindowOperatorTest, PartitionsComeOutTogetherInOrder) {
  WindowCase test = TiesCase();
  test.functions = {Ranking(Kind::kRowNumber)};
  WindowOutput out = RunBoth(test);
  std::vector<int64_t> a;
  std::copy_if(out.ids.begin(), out.ids.end(), std::back_inserter(a),
               [](int64_t id) { return id <= 5; });
  EXPECT_EQ(a, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  auto first = std::find(out.ids.begin(), out.ids.end(), 1);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), first));
}

TEST(WindowOperatorTest, DescendingNullsFirst) {
  WindowCase test = TiesCase();
  test.order = {SortKey{2, /*descending=*/true, /*nulls_first=*/true}};
  test.functions = {Ranking(Kind::kRowNumber), Ranking(Kind::kRank)};
  WindowOutput out = RunBoth(test);
  EXPECT_EQ(Column(out, 4), (Row{B(5), B(3), B(4), B(2), B(1), B(1), B(1), B(2)}));
  EXPECT_EQ(Column(out, 5), (Row{B(5), B(3), B(3), B(2), B(1), B(1), B(1), B(1)}));
}

TEST(WindowOperatorTest, LagAndLeadWithDefaultsAndNulls) {
  WindowCase test = TiesCase();
  test.functions = {ValueFunction(Kind::kLag, 3), ValueFunction(Kind::kLag, 3, 2, B(-1)),
                    ValueFunction(Kind::kLead, 3), ValueFunction(Kind::kLead, 3, 1, B(0)),
                    ValueFunction(Kind::kLag, 3, -1)};
  WindowOutput out = RunBoth(test);
  // Partition a in order: ids 1, 2, 3, 4 (w NULL), 5; w = 100, 200, 300, NULL, 500.
  EXPECT_EQ(Column(out, 4), (Row{N(), B(100), B(200), B(300), N(), N(), N(), B(70)}));
  EXPECT_EQ(Column(out, 5), (Row{B(-1), B(-1), B(100), B(200), B(300), B(-1), B(-1), B(-1)}));
  EXPECT_EQ(Column(out, 6), (Row{B(200), B(300), N(), B(500), N(), N(), B(80), N()}));
  EXPECT_EQ(Column(out, 7), (Row{B(200), B(300), N(), B(500), B(0), B(0), B(80), B(0)}));
  EXPECT_EQ(Column(out, 8), Column(out, 6));
}

TEST(WindowOperatorTest, FirstLastAndNthValueHonourTheFrame) {
  WindowCase test = TiesCase();
  WindowFrame whole{FrameUnit::kRows,
                    {FrameBoundKind::kUnboundedPreceding},
                    {FrameBoundKind::kUnboundedFollowing}};
  WindowFunction last_whole = ValueFunction(Kind::kLastValue, 3);
  last_whole.frame = whole;
  WindowFunction second_sliding = ValueFunction(Kind::kNthValue, 0, 2);
  second_sliding.frame = {
      FrameUnit::kRows, {FrameBoundKind::kPreceding, 1}, {FrameBoundKind::kCurrentRow}};
  test.functions = {ValueFunction(Kind::kFirstValue, 3), ValueFunction(Kind::kLastValue, 3),
                    ValueFunction(Kind::kNthValue, 3, 2), last_whole, second_sliding};
  WindowOutput out = RunBoth(test);
  EXPECT_EQ(Column(out, 4), (Row{B(100), B(100), B(100), B(100), B(100), B(60), B(70), B(70)}));
  // The default frame ends at the current row's last peer.
  EXPECT_EQ(Column(out, 5), (Row{B(100), B(300), B(300), N(), B(500), B(60), B(80), B(80)}));
  EXPECT_EQ(Column(out, 6), (Row{N(), B(200), B(200), B(200), B(200), N(), B(80), B(80)}));
  EXPECT_EQ(Column(out, 7), (Row{B(500), B(500), B(500), B(500), B(500), B(60), B(80), B(80)}));
  EXPECT_EQ(Column(out, 8), (Row{N(), B(2), B(3), B(4), B(5), N(), N(), B(8)}));
}

TEST(WindowOperatorTest, RunningAggregatesShareValuesAmongPeers) {
  WindowCase test = TiesCase();
  test.functions = {Aggregate("sum", {2}, {TypeId::kBigint}), Aggregate("count_star", {}, {}),
                    Aggregate("count", {3}, {TypeId::kBigint}),
                    Aggregate("max", {1}, {TypeId::kVarchar})};
  WindowOutput out = RunBoth(test);
  EXPECT_EQ(Column(out, 4), (Row{B(10), B(50), B(50), B(80), B(80), B(5), B(2), B(2)}));
  EXPECT_EQ(Column(out, 5), (Row{B(1), B(3), B(3), B(4), B(5), B(1), B(2), B(2)}));
  EXPECT_EQ(Column(out, 6), (Row{B(1), B(3), B(3), B(3), B(4), B(1), B(2), B(2)}));
  Value null_text = N(TypeId::kVarchar);
  EXPECT_EQ(Column(out, 7),
            (Row{S("a"), S("a"), S("a"), S("a"), S("a"), S("b"), null_text, null_text}));
}

TEST(WindowOperatorTest, RowsBetweenOnePrecedingAndOneFollowing) {
  WindowCase test = TiesCase();
  WindowFrame sliding{
      FrameUnit::kRows, {FrameBoundKind::kPreceding, 1}, {FrameBoundKind::kFollowing, 1}};
  test.functions = {Aggregate("sum", {3}, {TypeId::kBigint}, sliding),
                    Aggregate("count_star", {}, {}, sliding)};
  WindowOutput out = RunBoth(test);
  // Partition a in order: w = 100, 200, 300, NULL, 500.
  EXPECT_EQ(Column(out, 4), (Row{B(300), B(600), B(500), B(800), B(500), B(60), B(150), B(150)}));
  EXPECT_EQ(Column(out, 5), (Row{B(2), B(3), B(3), B(3), B(2), B(1), B(2), B(2)}));
}

TEST(WindowOperatorTest, FramesAheadOfTheCurrentRow) {
  WindowCase test = TiesCase();
  WindowFrame ahead{
      FrameUnit::kRows, {FrameBoundKind::kFollowing, 1}, {FrameBoundKind::kFollowing, 2}};
  WindowFrame rest{
      FrameUnit::kRows, {FrameBoundKind::kCurrentRow}, {FrameBoundKind::kUnboundedFollowing}};
  test.functions = {Aggregate("sum", {3}, {TypeId::kBigint}, ahead),
                    Aggregate("count_star", {}, {}, rest)};
  WindowOutput out = RunBoth(test);
  EXPECT_EQ(Column(out, 4), (Row{B(500), B(300), B(500), B(500), N(), N(), B(80), N()}));
  EXPECT_EQ(Column(out, 5), (Row{B(5), B(4), B(3), B(2), B(1), B(1), B(2), B(1)}));
}

TEST(WindowOperatorTest, RangeOffsetFrame) {
  WindowCase test = TiesCase();
  WindowFrame range{
      FrameUnit::kRange, {FrameBoundKind::kPreceding, 10}, {FrameBoundKind::kFollowing, 0}};
  test.functions = {Aggregate("sum", {3}, {TypeId::kBigint}, range)};
  WindowOutput out = RunBoth(test);
  // v = 10, 20, 20, 30, NULL: [v - 10, v]; the NULL row's frame is its peers.
  EXPECT_EQ(Column(out, 4), (Row{B(100), B(600), B(600), B(500), B(500), B(60), B(150), B(150)}));
  test.order = {SortKey{2, true}};
  out = RunBoth(test);
  EXPECT_EQ(Column(out, 4), (Row{B(600), B(500), B(500), N(), B(500), B(60), B(150), B(150)}));
}

TEST(WindowOperatorTest, WholePartitionWithoutOrderBy) {
  WindowCase test = TiesCase();
  test.order = {};
  test.functions = {Aggregate("sum", {2}, {TypeId::kBigint}), Ranking(Kind::kRank),
                    Aggregate("min", {1}, {TypeId::kVarchar}), ValueFunction(Kind::kLastValue, 0)};
  WindowOutput out = RunBoth(test);
  EXPECT_EQ(Column(out, 4), (Row{B(80), B(80), B(80), B(80), B(80), B(5), B(2), B(2)}));
  EXPECT_EQ(Column(out, 5), Row(8, B(1)));
  // Without ORDER BY the partition keeps the input order: 1, 4, 2, 5, 3 in partition a.
  EXPECT_EQ(Column(out, 7), (Row{B(3), B(3), B(3), B(3), B(3), B(6), B(8), B(8)}));
}

TEST(WindowOperatorTest, LongStringKeysAndValuesAreCopied) {
  WindowCase test;
  test.types = {TypeId::kBigint, TypeId::kVarchar, TypeId::kVarchar};
  std::string long_key(40, 'k');
  for (int64_t id = 1; id <= 9; ++id) {
    std::string key = long_key + std::to_string(id % 3);
    test.rows.push_back({B(id), S(key), S("value number " + std::to_string(10 - id))});
  }
  test.partition = {1};
  test.order = {SortKey{2}};
  test.functions = {Ranking(Kind::kRowNumber), ValueFunction(Kind::kFirstValue, 2)};
  WindowOutput out = RunBoth(test);
  for (int64_t id = 1; id <= 9; ++id) {
    const Row& row = out.by_id.at(id);
    EXPECT_EQ(row[1], S(long_key + std::to_string(id % 3)));
    EXPECT_EQ(row[2], S("value number " + std::to_string(10 - id)));
    // Values sort descending by id within a key: ids 7-9 come first.
    EXPECT_EQ(row[3], B((9 - id) / 3 + 1));
    EXPECT_EQ(row[4], S("value number " + std::to_string(10 - (id + 3 * ((9 - id) / 3)))));
  }
}

TEST(WindowOperatorTest, EmptyInputGivesNoRows) {
  WindowCase test = TiesCase();
  test.rows.clear();
  test.functions = {Ranking(Kind::kRowNumber), Aggregate("sum", {2}, {TypeId::kBigint})};
  EXPECT_TRUE(RunBoth(test).ids.empty());
  auto empty = std::make_shared<std::vector<core::Batch>>();
  empty->emplace_back(MakeSchema(test.types));
  EXPECT_TRUE(RunWindow(test, 2, empty).ids.empty());
}

TEST(WindowOperatorTest, InvalidArgumentsAreUserErrors) {
  WindowCase test = TiesCase();
  test.functions = {Ranking(Kind::kNtile, 0)};
  EXPECT_THROW(RunWindow(test, 1), UserError);
  test.order = {SortKey{2}, SortKey{3}};
  test.functions = {Aggregate("sum", {2}, {TypeId::kBigint},
                              {FrameUnit::kRange, {FrameBoundKind::kPreceding, 1}})};
  EXPECT_THROW(RunWindow(test, 1), UserError);
  test.order = {SortKey{1}};
  EXPECT_THROW(RunWindow(test, 1), UserError);
  test.functions = {Aggregate(
      "sum", {2}, {TypeId::kBigint},
      {FrameUnit::kRows, {FrameBoundKind::kFollowing, 1}, {FrameBoundKind::kCurrentRow}})};
  EXPECT_THROW(RunWindow(test, 1), UserError);
}

// Checks row_number (v DESC) and a running sum over 10,000 partitions against a direct
// computation, with a selection vector dropping every fifth row.
TEST(WindowOperatorTest, ManyPartitionsAtTwoThreads) {
  WindowCase test;
  test.types = {TypeId::kBigint, TypeId::kBigint, TypeId::kBigint};
  for (int64_t id = 0; id < 100000; ++id) {
    test.rows.push_back({B(id), B((id * 7919) % 10000), B((id * 104729) % 1000)});
  }
  test.partition = {1};
  test.order = {SortKey{2, true}};
  test.functions = {Ranking(Kind::kRowNumber), Aggregate("sum", {2}, {TypeId::kBigint})};
  auto batches = std::make_shared<std::vector<core::Batch>>();
  auto unselected = MakeBatches(MakeSchema(test.types), test.rows, 2048);
  for (core::Batch& batch : *unselected) {
    core::SelectionVector selection;
    for (uint32_t r = 0; r < batch.num_rows(); ++r) {
      if (batch.GetValue(0, r).GetInt64() % 5 != 0) selection.push_back(r);
    }
    batch.SetSelection(std::move(selection));
    batches->push_back(std::move(batch));
  }
  WindowOutput out = RunWindow(test, 2, batches);
  std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> partitions;  // v DESC, id
  for (const Row& row : test.rows) {
    if (row[0].GetInt64() % 5 == 0) continue;
    partitions[row[1].GetInt64()].push_back({-row[2].GetInt64(), row[0].GetInt64()});
  }
  ASSERT_EQ(out.by_id.size(), 80000u);
  for (auto& [key, members] : partitions) {
    std::sort(members.begin(), members.end());
    int64_t sum = 0;
    for (size_t i = 0; i < members.size(); ++i) {
      sum -= members[i].first;
      size_t peers_end = i;
      int64_t peer_sum = sum;
      while (peers_end + 1 < members.size() && members[peers_end + 1].first == members[i].first) {
        peer_sum -= members[++peers_end].first;
      }
      const Row& row = out.by_id.at(members[i].second);
      EXPECT_EQ(row[3], B(static_cast<int64_t>(i) + 1));
      EXPECT_EQ(row[4], B(peer_sum));
    }
  }
}

// Returns the ids of each window partition (keyed by its partition values) in output order.
std::map<std::string, std::vector<int64_t>> IdsByPartition(const WindowOutput& output,
                                                           const std::vector<size_t>& partition) {
  std::map<std::string, std::vector<int64_t>> groups;
  for (int64_t id : output.ids) {
    std::string key;
    for (size_t column : partition) key += output.by_id.at(id)[column].ToString() + "|";
    groups[key].push_back(id);
  }
  return groups;
}

// Runs `test` without rank limits, keeps the rows within every limit of `test.rank_limits`, and
// expects the limited sink to give exactly those rows, values and orders within partitions at
// 1, 2 and 4 threads. Returns the limited sink's details.
std::string ExpectLimitsMatchFullWindow(const WindowCase& test, BatchList batches) {
  WindowCase full = test;
  full.rank_limits.clear();
  WindowOutput all = RunWindow(full, 1, batches);
  WindowOutput expected;
  for (int64_t id : all.ids) {
    const Row& row = all.by_id.at(id);
    bool keep = true;
    for (const auto& [function, limit] : test.rank_limits) {
      keep = keep && row[test.types.size() + function].GetInt64() <= limit;
    }
    if (!keep) continue;
    expected.ids.push_back(id);
    expected.by_id[id] = row;
  }
  std::string details;
  for (size_t threads : {1, 2, 4}) {
    WindowOutput limited = RunWindow(test, threads, batches);
    EXPECT_EQ(limited.by_id, expected.by_id) << threads << " threads: " << limited.details;
    EXPECT_EQ(IdsByPartition(limited, test.partition), IdsByPartition(expected, test.partition))
        << threads << " threads";
    details = limited.details;
  }
  return details;
}

// Columns: id, p1 (BIGINT), p2 (VARCHAR), v (BIGINT), w (DOUBLE), s (VARCHAR, long values
// sharing their first 8 bytes). Few distinct values and some NULLs in each, so partitions have
// many ties; every seventh row is left out by a selection vector.
BatchList RandomTopNInput(WindowCase& test, size_t num_rows, size_t per_batch, uint32_t seed) {
  test.types = {TypeId::kBigint, TypeId::kBigint, TypeId::kVarchar,
                TypeId::kBigint, TypeId::kDouble, TypeId::kVarchar};
  std::mt19937 random(seed);
  auto pick = [&](int n) { return static_cast<int>(random() % n); };
  test.rows.clear();
  for (size_t id = 0; id < num_rows; ++id) {
    Row row{B(static_cast<int64_t>(id))};
    row.push_back(pick(20) == 0 ? N() : B(pick(30)));
    row.push_back(pick(20) == 0 ? N(TypeId::kVarchar) : S("key" + std::to_string(pick(3))));
    row.push_back(pick(8) == 0 ? N() : B(pick(12) - 6));
    row.push_back(pick(8) == 0 ? N(TypeId::kDouble) : D(pick(5) * 0.5));
    row.push_back(pick(8) == 0 ? N(TypeId::kVarchar)
                               : S("same prefix " + std::string(pick(4), 'z')));
    test.rows.push_back(std::move(row));
  }
  auto batches = MakeBatches(MakeSchema(test.types), test.rows, per_batch);
  for (core::Batch& batch : *batches) {
    core::SelectionVector selection;
    for (uint32_t r = 0; r < batch.num_rows(); ++r) {
      if (batch.GetValue(0, r).GetInt64() % 7 != 3) selection.push_back(r);
    }
    batch.SetSelection(std::move(selection));
  }
  return batches;
}

struct TopNShape {
  std::vector<size_t> partition;
  std::vector<SortKey> order;
};

TEST(WindowOperatorTest, RankLimitsKeepTheRowsOfTheFullWindow) {
  std::vector<TopNShape> shapes = {
      {{1}, {SortKey{3, true, true}}},
      {{1, 2}, {SortKey{3, false, true}, SortKey{4, true, false}}},
      {{2}, {SortKey{5, true, false}, SortKey{3}}},
      {{}, {SortKey{4}}},
      {{1}, {}},
  };
  WindowCase test;
  test.functions = {Ranking(Kind::kRowNumber), Ranking(Kind::kRank), Ranking(Kind::kDenseRank)};
  uint32_t seed = 1;
  for (const TopNShape& shape : shapes) {
    test.partition = shape.partition;
    test.order = shape.order;
    for (size_t per_batch : {5, 300}) {
      BatchList batches = RandomTopNInput(test, 3000, per_batch, seed++);
      for (size_t function = 0; function < 3; ++function) {
        for (int64_t limit : {1, 2, 5, 10}) {
          SCOPED_TRACE(testing::Message() << "shape " << &shape - shapes.data() << ", function "
                                          << function << ", limit " << limit);
          test.rank_limits = {{function, limit}};
          std::string details = ExpectLimitsMatchFullWindow(test, batches);
          bool prunes = function == 0 || !shape.order.empty();
          EXPECT_EQ(details.find("top-N") != std::string::npos, prunes) << details;
        }
      }
    }
  }
}

TEST(WindowOperatorTest, SeveralRankLimitsAllHold) {
  WindowCase test;
  test.partition = {1, 2};
  test.order = {SortKey{3}, SortKey{5, true, true}};
  test.functions = {Ranking(Kind::kDenseRank), Ranking(Kind::kRowNumber), Ranking(Kind::kRank)};
  BatchList batches = RandomTopNInput(test, 4000, 64, 99);
  test.rank_limits = {{0, 2}, {2, 3}};
  EXPECT_NE(ExpectLimitsMatchFullWindow(test, batches).find("top-N"), std::string::npos);
  test.rank_limits = {{0, 1}, {1, 5}, {2, 2}};
  ExpectLimitsMatchFullWindow(test, batches);
  test.rank_limits = {{1, 3}, {1, 0}};
  EXPECT_TRUE(RunWindow(test, 2, batches).ids.empty());
}

// Other window functions need every row of the partition: the rows are not pruned early.
TEST(WindowOperatorTest, RankLimitBesideOtherFunctionsKeepsEveryRow) {
  WindowCase test;
  test.partition = {1};
  test.order = {SortKey{3, true}};
  BatchList batches = RandomTopNInput(test, 3000, 100, 7);
  test.functions = {Ranking(Kind::kRowNumber), Aggregate("count_star", {}, {}),
                    ValueFunction(Kind::kLead, 4)};
  test.rank_limits = {{0, 2}};
  EXPECT_EQ(ExpectLimitsMatchFullWindow(test, batches).find("top-N"), std::string::npos);
  test.functions = {Ranking(Kind::kRowNumber), Ranking(Kind::kCumeDist)};
  EXPECT_EQ(ExpectLimitsMatchFullWindow(test, batches).find("top-N"), std::string::npos);
  test.functions = {Ranking(Kind::kRank)};
  test.rank_limits = {{0, 2000}};
  EXPECT_EQ(ExpectLimitsMatchFullWindow(test, batches).find("top-N"), std::string::npos);
}

// Rows arriving best last push every earlier row out: the dropped rows pile up and are cleared
// away while the kept ones stay right.
TEST(WindowOperatorTest, RankLimitWithEveryRowBetterThanTheLast) {
  WindowCase test;
  test.types = {TypeId::kBigint, TypeId::kBigint, TypeId::kBigint, TypeId::kVarchar};
  constexpr int64_t kRows = 200000;
  for (int64_t id = 0; id < kRows; ++id) {
    test.rows.push_back({B(id), B(id % 5000), B((kRows - id) / 3), S(std::to_string(id % 11))});
  }
  test.partition = {1};
  test.order = {SortKey{2}};
  test.functions = {Ranking(Kind::kRowNumber), Ranking(Kind::kRank), Ranking(Kind::kDenseRank)};
  BatchList batches = MakeBatches(MakeSchema(test.types), test.rows, 2048);
  for (size_t function = 0; function < 3; ++function) {
    test.rank_limits = {{function, 2}};
    EXPECT_NE(ExpectLimitsMatchFullWindow(test, batches).find("top-N"), std::string::npos);
  }
}

}  // namespace
}  // namespace sluice::exec
