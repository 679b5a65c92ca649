#include "exec/hash_join.h"

#include <gtest/gtest.h>

#include "base/task.h"
#include "exec/collect_operators.h"
#include "exec/pipeline.h"
#include "exec/testing/test_expressions.h"

namespace sluice::exec {
namespace {

using core::TypeId;
using core::Value;
using testing::Col;
using testing::Fn;
using testing::Lit;
using Row = std::vector<Value>;

constexpr size_t kSmallPiece = 7;

core::SchemaPtr MakeSchema(const std::vector<std::string>& names) {
  std::vector<core::Field> fields;
  for (const std::string& name : names) fields.push_back({name, TypeId::kBigint});
  return std::make_shared<const core::Schema>(std::move(fields));
}

Value B(int64_t value) { return Value::Bigint(value); }
Value N() { return Value::Null(TypeId::kBigint); }

// Build rows (key, value): keys 0, 1, 2 ten times each, then two NULL keys.
core::Batch BuildRows() {
  std::vector<Row> rows;
  for (int64_t j = 0; j < 30; ++j) rows.push_back({B(j % 3), B(j)});
  rows.push_back({N(), B(100)});
  rows.push_back({N(), B(101)});
  return testing::MakeBatch({TypeId::kBigint, TypeId::kBigint}, rows);
}

// Probe rows (key, value): keys 0..4 (3 and 4 never match), then a NULL key.
core::Batch ProbeRows() {
  std::vector<Row> rows;
  for (int64_t i = 0; i < 40; ++i) rows.push_back({B(i % 5), B(i)});
  rows.push_back({N(), B(200)});
  return testing::MakeBatch({TypeId::kBigint, TypeId::kBigint}, rows);
}

// Returns pv + bv < 40 when `with_residual`: some probe rows keep a few of their pairs, others
// (pv near 40) none, so LEFT and FULL joins also emit rows whose keys matched.
std::unique_ptr<Expression> Residual(bool with_residual) {
  if (!with_residual) return nullptr;
  return Fn("<", Fn("+", Col(1, TypeId::kBigint), Col(3, TypeId::kBigint)), Lit(B(40)));
}

struct JoinOutput {
  std::vector<Row> rows;
  std::vector<size_t> piece_sizes;
  std::vector<bool> build_matched;
};

void AppendRows(const core::Batch& batch, std::vector<Row>& rows) {
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    Row row;
    for (size_t c = 0; c < batch.num_columns(); ++c) row.push_back(batch.GetValue(c, r));
    rows.push_back(std::move(row));
  }
}

// Probes a fresh table with ProbeRows(), collecting every piece of the output.
JoinOutput Probe(JoinKind kind, bool with_residual, size_t piece_rows) {
  auto table = std::make_shared<JoinHashTable>(std::vector<size_t>{0});
  std::vector<core::Batch> build;
  build.push_back(BuildRows());
  table->Append(std::move(build));
  table->Build();
  core::SchemaPtr pairs = MakeSchema({"pk", "pv", "bk", "bv"});
  bool semi_or_anti = kind == JoinKind::kSemi || kind == JoinKind::kAnti;
  HashJoinProbe probe(semi_or_anti ? MakeSchema({"pk", "pv"}) : pairs, pairs, kind, table, {0},
                      Residual(with_residual));
  probe.set_piece_rows(piece_rows);
  auto state = probe.MakeLocalState();
  JoinOutput output;
  std::optional<core::Batch> piece = probe.Execute(ProbeRows(), state.get());
  for (; piece; piece = probe.ExecuteMore(state.get())) {
    output.piece_sizes.push_back(piece->num_rows());
    AppendRows(*piece, output.rows);
  }
  for (size_t row = 0; row < table->num_rows(); ++row) {
    output.build_matched.push_back(table->IsMatched(row));
  }
  return output;
}

// Counts the rows a join of ProbeRows() and BuildRows() gives, by a nested loop.
size_t ExpectedRows(JoinKind kind, bool with_residual) {
  size_t pairs = 0, unmatched_probe = 0, matched_probe = 0;
  for (int64_t i = 0; i < 41; ++i) {
    size_t found = 0;
    for (int64_t j = 0; j < 30 && i < 40; ++j) {
      if (i % 5 != j % 3 || (with_residual && i + j >= 40)) continue;
      ++found;
    }
    pairs += found;
    (found > 0 ? matched_probe : unmatched_probe) += 1;
  }
  switch (kind) {
    case JoinKind::kInner:
    case JoinKind::kRight:  // the unmatched build rows come later, from UnmatchedBuildScan
      return pairs;
    case JoinKind::kLeft:
    case JoinKind::kFull:
      return pairs + unmatched_probe;
    case JoinKind::kSemi:
      return matched_probe;
    case JoinKind::kAnti:
      return unmatched_probe;
  }
  return 0;
}

class HashJoinPiecesTest : public ::testing::TestWithParam<std::tuple<JoinKind, bool>> {};

TEST_P(HashJoinPiecesTest, PiecesHoldTheRowsOfOneBatchInOrder) {
  auto [kind, with_residual] = GetParam();
  JoinOutput whole = Probe(kind, with_residual, SIZE_MAX);
  JoinOutput pieces = Probe(kind, with_residual, kSmallPiece);
  EXPECT_EQ(whole.rows.size(), ExpectedRows(kind, with_residual));
  // LEFT and FULL joins: the pairs, then the probe rows without a match.
  EXPECT_LE(whole.piece_sizes.size(), 2u);
  EXPECT_EQ(pieces.rows, whole.rows);
  EXPECT_EQ(pieces.build_matched, whole.build_matched);
  for (size_t size : pieces.piece_sizes) {
    EXPECT_GT(size, 0u);
    EXPECT_LE(size, kSmallPiece);
  }
  EXPECT_GE(pieces.piece_sizes.size(), whole.rows.size() / kSmallPiece);
}

INSTANTIATE_TEST_SUITE_P(AllKinds, HashJoinPiecesTest,
                         ::testing::Combine(::testing::Values(JoinKind::kInner, JoinKind::kLeft,
                                                              JoinKind::kRight, JoinKind::kFull,
                                                              JoinKind::kSemi, JoinKind::kAnti),
                                            ::testing::Bool()));

TEST(HashJoinPiecesTest, NoMatchGivesOneEmptyBatch) {
  auto table = std::make_shared<JoinHashTable>(std::vector<size_t>{0});
  table->Build();
  core::SchemaPtr pairs = MakeSchema({"pk", "pv", "bk", "bv"});
  HashJoinProbe probe(pairs, pairs, JoinKind::kInner, table, {0}, nullptr);
  auto state = probe.MakeLocalState();
  EXPECT_EQ(probe.Execute(ProbeRows(), state.get()).num_rows(), 0u);
  EXPECT_FALSE(probe.ExecuteMore(state.get()).has_value());
}

// Runs probe batches of ProbeRows() through an inner join (pieces of kSmallPiece rows) into a
// CollectSink on `threads` workers.
std::vector<Row> RunJoinPipeline(size_t threads, std::optional<uint64_t> limit, uint64_t offset) {
  auto table = std::make_shared<JoinHashTable>(std::vector<size_t>{0});
  std::vector<core::Batch> build;
  build.push_back(BuildRows());
  table->Append(std::move(build));
  table->Build();
  auto batches = std::make_shared<std::vector<core::Batch>>();
  for (int b = 0; b < 20; ++b) batches->push_back(ProbeRows());
  core::SchemaPtr pairs = MakeSchema({"pk", "pv", "bk", "bv"});
  Pipeline pipeline;
  pipeline.source = std::make_unique<BatchScan>(
      MakeSchema({"pk", "pv"}), [batches] { return BatchList(batches); }, "probe");
  auto probe = std::make_unique<HashJoinProbe>(pairs, pairs, JoinKind::kInner, table,
                                               std::vector<size_t>{0}, nullptr);
  probe->set_piece_rows(kSmallPiece);
  pipeline.transforms.push_back(std::move(probe));
  pipeline.sink = std::make_unique<CollectSink>(pairs, limit, offset);
  SetThreadCount(threads);
  RunPipeline(pipeline);
  SetThreadCount(0);
  std::vector<Row> rows;
  for (const core::Batch& batch : pipeline.sink->TakeOutput()) AppendRows(batch, rows);
  return rows;
}

TEST(HashJoinPiecesTest, PipelineKeepsThePiecesInOrder) {
  std::vector<Row> one = RunJoinPipeline(1, std::nullopt, 0);
  ASSERT_EQ(one.size(), 20 * ExpectedRows(JoinKind::kInner, false));
  EXPECT_EQ(RunJoinPipeline(3, std::nullopt, 0), one);
  std::vector<Row> window(one.begin() + 50, one.begin() + 150);
  EXPECT_EQ(RunJoinPipeline(1, 100, 50), window);
  EXPECT_EQ(RunJoinPipeline(3, 100, 50), window);
}

}  // namespace
}  // namespace sluice::exec
