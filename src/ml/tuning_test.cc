#include "ml/tuning.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <set>

#include "ml/trainer.h"
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

TEST(TuningTest, HalvingPromotesAThirdToThreeTimesTheRows) {
  std::vector<Rung> rungs = HalvingRungs(27, 160000);
  ASSERT_EQ(rungs.size(), 4u);
  EXPECT_EQ(rungs[0].rows, 5926u);  // 1/27 of the rows, rounded up
  EXPECT_EQ(rungs[0].budget, 5926.0 / 160000);
  EXPECT_EQ(rungs[0].num_configs, 27u);
  EXPECT_EQ(rungs[1].rows, 17778u);
  EXPECT_EQ(rungs[1].num_configs, 9u);
  EXPECT_EQ(rungs[2].rows, 53334u);
  EXPECT_EQ(rungs[3].num_configs, 1u);
  EXPECT_EQ(rungs[3].rows, 160000u);
  EXPECT_EQ(rungs[3].budget, 1);
  EXPECT_EQ(HalvingRungs(2, 160000).size(), 1u);
  EXPECT_EQ(BestConfigs({7, 8, 9}, {0.5, NAN, 0.9}, 2), (std::vector<size_t>{9, 7}));
}

TEST(TuningTest, HalvingsFirstRungTrainsOnAtLeastTheMinimumRows) {
  // 16,000 rows: 1/27 would be 593 rows; the first rung gets the floor instead.
  std::vector<Rung> rungs = HalvingRungs(27, 16000);
  ASSERT_EQ(rungs.size(), 4u);
  EXPECT_EQ(rungs[0].rows, kMinRungRows);
  EXPECT_EQ(rungs[0].budget, static_cast<double>(kMinRungRows) / 16000);
  EXPECT_EQ(rungs[1].rows, 1778u);
  // 2,400 rows (the 89-row first rung that once picked a poor configuration): two rungs, the
  // floor then every row for the best third.
  rungs = HalvingRungs(27, 2400);
  ASSERT_EQ(rungs.size(), 2u);
  EXPECT_EQ(rungs[0].rows, kMinRungRows);
  EXPECT_EQ(rungs[0].num_configs, 27u);
  EXPECT_EQ(rungs[1].rows, 2400u);
  EXPECT_EQ(rungs[1].num_configs, 9u);
  EXPECT_EQ(rungs[1].budget, 1);
}

TEST(TuningTest, HalvingOnTinyDataRunsEveryConfigurationOnEveryRow) {
  // 27 x 1000 + 9 x 1500 rows is no fewer than 27 x 1500: one rung, as grid search.
  for (size_t rows : {0, 1, 300, 1000, 1500}) {
    std::vector<Rung> rungs = HalvingRungs(27, rows);
    ASSERT_EQ(rungs.size(), 1u) << rows;
    EXPECT_EQ(rungs[0].rows, rows);
    EXPECT_EQ(rungs[0].budget, 1);
    EXPECT_EQ(rungs[0].num_configs, 27u);
  }
  EXPECT_EQ(HalvingRungs(27, 1501).size(), 2u);
}

TEST(TuningTest, HalvingNeverTrainsOnMoreRowsThanGridSearch) {
  for (size_t configs : {1, 2, 3, 8, 9, 27, 30, 81, 100}) {
    for (size_t rows : {0, 2, 999, 1001, 1400, 2000, 2999, 3001, 9000, 50000, 1000000}) {
      SCOPED_TRACE(testing::Message() << configs << " configurations, " << rows << " rows");
      std::vector<Rung> rungs = HalvingRungs(configs, rows);
      ASSERT_FALSE(rungs.empty());
      EXPECT_EQ(rungs[0].num_configs, configs);
      EXPECT_EQ(rungs.back().rows, rows);
      EXPECT_EQ(rungs.back().budget, 1);
      double trained = 0;
      for (size_t r = 0; r < rungs.size(); ++r) {
        EXPECT_GE(rungs[r].rows, std::min(kMinRungRows, rows)) << r;
        EXPECT_LE(rungs[r].rows, rows) << r;
        if (rows > 0) {
          EXPECT_EQ(rungs[r].budget, static_cast<double>(rungs[r].rows) / rows) << r;
        }
        if (r > 0) {
          EXPECT_GT(rungs[r].rows, rungs[r - 1].rows) << r;
          EXPECT_EQ(rungs[r].num_configs, std::max<size_t>(1, rungs[r - 1].num_configs / 3)) << r;
        }
        trained += static_cast<double>(rungs[r].rows * rungs[r].num_configs);
      }
      EXPECT_LE(trained, static_cast<double>(rows * configs));
    }
  }
}

// Returns `rows` rows of three numbers and a noisy linear label.
Table LinearRows(size_t rows) {
  Table table;
  table.num_rows = rows;
  std::vector<Column> columns;
  for (const char* name : {"a", "b", "c", "y"}) {
    columns.push_back(Column{name, core::TypeId::kDouble, {}, {}, {}});
  }
  for (size_t row = 0; row < rows; ++row) {
    const double r = static_cast<double>(row);
    const double a = std::sin(r), b = std::cos(3 * r), c = std::sin(0.1 * r);
    columns[0].numbers.push_back(a);
    columns[1].numbers.push_back(b);
    columns[2].numbers.push_back(c);
    columns[3].numbers.push_back(2 * a - b + 0.5 * c + 0.3 * std::sin(7.7 * r));
  }
  table.columns = std::move(columns);
  return table;
}

TEST(TuningTest, HalvingTrialsRecordTheShareOfRowsTheyTrainedOn) {
  const std::string options =
      "model_type = 'linear_reg', input_label_cols = ['y'], data_split_method = 'random', "
      "data_split_eval_fraction = 0.2, l2_reg = HPARAM_RANGE(0.0001, 10), num_trials = 27, "
      "hparam_tuning_algorithm = 'halving'";
  for (size_t rows : {3000, 300}) {
    SCOPED_TRACE(rows);
    TrainingOutcome outcome = TrainModel(Options(options), LinearRows(rows), 2);
    ASSERT_GT(outcome.train_rows, 0u);
    std::vector<Rung> rungs = HalvingRungs(27, outcome.train_rows);
    size_t trials = 0;
    for (const Rung& rung : rungs) trials += rung.num_configs;
    ASSERT_EQ(outcome.trials.size(), trials);
    size_t trial = 0;
    for (const Rung& rung : rungs) {
      for (size_t i = 0; i < rung.num_configs; ++i, ++trial) {
        EXPECT_EQ(outcome.trials[trial].budget, rung.budget) << trial;
        if (outcome.trials[trial].best) {
          EXPECT_EQ(rung.budget, 1) << trial;
        }
      }
    }
  }
}

TEST(TuningTest, RunParallelRunsEveryJobOnce) {
  std::vector<std::atomic<int>> runs(50);
  RunParallel(50, 3, [&](size_t i) { ++runs[i]; });
  for (const auto& count : runs) EXPECT_EQ(count.load(), 1);
}

}  // namespace
}  // namespace sluice::ml
