#include "ml/tuning.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <set>

#include "sql/parser.h"

namespace sluice::ml {
namespace {

ModelOptions Options(const std::string& options) {
  auto statement = sql::ParseStatement("CREATE MODEL m OPTIONS (" + options + ") AS SELECT 1");
  return ParseModelOptions(statement->As<sql::CreateModelStatement>().options);
}

TEST(TuningTest, GridWalksEveryCombinationUpToTheTrials) {
  ModelOptions options = Options(
      "model_type = 'boosted_tree_regressor', input_label_cols = ['y'], num_trials = 100, "
      "hparam_tuning_algorithm = 'grid', max_tree_depth = HPARAM_CANDIDATES([2, 4, 6]), "
      "learn_rate = HPARAM_RANGE(0.001, 0.1), subsample = 0.5");
  std::vector<Params> sets = HparamSets(options);
  ASSERT_EQ(sets.size(), 12u);  // 3 depths x 4 log-spaced rates
  std::set<double> rates;
  for (const Params& params : sets) {
    rates.insert(params.Number("learn_rate", 0));
    EXPECT_EQ(params.Number("subsample", 0), 0.5);
  }
  EXPECT_EQ(rates.size(), 4u);
  EXPECT_NEAR(*rates.begin(), 0.001, 1e-12);
  EXPECT_NEAR(*std::next(rates.begin()), 0.001 * std::pow(100, 1.0 / 3), 1e-9);
  options.num_trials = 5;
  EXPECT_EQ(HparamSets(options).size(), 5u);
}

TEST(TuningTest, RandomDrawsDistinctSeededSets) {
  ModelOptions options = Options(
      "model_type = 'boosted_tree_regressor', input_label_cols = ['y'], num_trials = 10, "
      "max_tree_depth = HPARAM_RANGE(2, 8), learn_rate = HPARAM_RANGE(0.1, 0.3)");
  std::vector<Params> sets = HparamSets(options);
  ASSERT_EQ(sets.size(), 10u);
  for (const Params& params : sets) {
    double depth = params.Number("max_tree_depth", 0);
    EXPECT_EQ(depth, std::round(depth));
    EXPECT_GE(depth, 2);
    EXPECT_LE(depth, 8);
  }
  EXPECT_EQ(HparamSets(options)[3].Number("learn_rate", 0), sets[3].Number("learn_rate", 0));
  options.hparams.pop_back();
  options.hparams[0] = {"max_tree_depth", true, false, 0, 0, {2.0, 4.0}};
  EXPECT_EQ(HparamSets(options).size(), 2u);  // only two distinct sets exist
}

TEST(TuningTest, HalvingPromotesAThirdToThreeTimesTheBudget) {
  std::vector<Rung> rungs = HalvingRungs(27);
  ASSERT_EQ(rungs.size(), 4u);
  EXPECT_NEAR(rungs[0].budget, 1.0 / 27, 1e-12);
  EXPECT_EQ(rungs[0].num_configs, 27u);
  EXPECT_EQ(rungs[1].num_configs, 9u);
  EXPECT_EQ(rungs[3].num_configs, 1u);
  EXPECT_EQ(rungs[3].budget, 1);
  EXPECT_EQ(HalvingRungs(2).size(), 1u);
  EXPECT_EQ(BestConfigs({7, 8, 9}, {0.5, NAN, 0.9}, 2), (std::vector<size_t>{9, 7}));
}

TEST(TuningTest, RunParallelRunsEveryJobOnce) {
  std::vector<std::atomic<int>> runs(50);
  RunParallel(50, 3, [&](size_t i) { ++runs[i]; });
  for (const auto& count : runs) EXPECT_EQ(count.load(), 1);
}

}  // namespace
}  // namespace sluice::ml
