#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "base/error.h"
#include "ml/boosted_trees.h"
#include "ml/xgboost_collective.h"
#include "ml/xgboost_test_ranks.h"

namespace sluice::ml {
namespace {

using testing::HasSubstr;

/// Is a data set: features and labels.
struct Data {
  Matrix x;
  Labels y;
};

/// Returns `rows` examples of y = 2 sin(3 x0) + x1^2 - x2 + noise, with x uniform in [-1, 1]
/// and x3 pure noise.
Data Wave(size_t rows, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> uniform(-1, 1);
  Data data{Matrix(rows, 4), {}};
  for (size_t i = 0; i < rows; ++i) {
    for (size_t j = 0; j < 4; ++j) data.x.at(i, j) = uniform(random);
    const double* x = data.x.row(i);
    data.y.values.push_back(2 * std::sin(3 * x[0]) + x[1] * x[1] - x[2] + 0.1 * uniform(random));
  }
  return data;
}

/// Returns `rows` examples of 3 classes by the sign of x0 + x1 and of x0 - x1 (class 0 when both
/// are negative, 1 when one is, 2 when none), points within 0.2 of a border left out.
Data Quadrants(size_t rows, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> uniform(-1, 1);
  Data data{Matrix(rows, 3), {{}, 3}};
  for (size_t i = 0; i < rows;) {
    double a = uniform(random), b = uniform(random), noise = uniform(random);
    if (std::abs(a + b) < 0.2 || std::abs(a - b) < 0.2) continue;
    data.x.at(i, 0) = a;
    data.x.at(i, 1) = b;
    data.x.at(i, 2) = noise;
    data.y.values.push_back((a + b > 0) + (a - b > 0));
    ++i;
  }
  return data;
}

/// Returns the rows of `data` whose index modulo `num_shards` is `shard`.
Data Shard(const Data& data, int shard, int num_shards) {
  std::vector<size_t> rows;
  for (size_t i = static_cast<size_t>(shard); i < data.x.rows; i += num_shards) rows.push_back(i);
  return {SelectRows(data.x, rows), SelectLabels(data.y, rows)};
}

Params MakeParams(std::initializer_list<std::pair<const char*, ParamValue>> values) {
  Params params;
  for (const auto& [name, value] : values) params.Set(name, value);
  return params;
}

double RootMeanSquaredError(const Matrix& predicted, const Labels& y) {
  double sum = 0;
  for (size_t i = 0; i < y.values.size(); ++i) {
    sum += std::pow(predicted.at(i, 0) - y.values[i], 2);
  }
  return std::sqrt(sum / static_cast<double>(y.values.size()));
}

double MaxDifference(const Matrix& a, const Matrix& b) {
  double most = 0;
  for (size_t i = 0; i < a.values.size(); ++i) {
    most = std::max(most, std::abs(a.values[i] - b.values[i]));
  }
  return most;
}

std::vector<size_t> PredictedClasses(const Matrix& probabilities) {
  std::vector<size_t> classes;
  for (size_t i = 0; i < probabilities.rows; ++i) {
    const double* row = probabilities.row(i);
    classes.push_back(std::max_element(row, row + probabilities.cols) - row);
  }
  return classes;
}

/// Returns the models that `num_ranks` members trained together, each on its shard of `train`
/// (and of `eval` when it has rows), by rank.
std::vector<std::unique_ptr<BoostedTrees>> FitTogether(int num_ranks, TreeTask task,
                                                       const Params& params, const Data& train,
                                                       const Data* eval = nullptr) {
  std::vector<std::unique_ptr<BoostedTrees>> models(static_cast<size_t>(num_ranks));
  RunXGBoostRanks(num_ranks, [&](const XGBoostCollective& collective) {
    auto model = std::make_unique<BoostedTrees>(task, false, params);
    Data shard = Shard(train, collective.rank(), num_ranks);
    if (eval == nullptr) {
      model->FitDistributed(collective, shard.x, shard.y, nullptr, 1);
    } else {
      Data eval_shard = Shard(*eval, collective.rank(), num_ranks);
      EvalSet eval_set{eval_shard.x, eval_shard.y};
      model->FitDistributed(collective, shard.x, shard.y, &eval_set, 1);
    }
    models[static_cast<size_t>(collective.rank())] = std::move(model);
  });
  return models;
}

class DistributedTrees : public testing::TestWithParam<int> {};

TEST_P(DistributedTrees, RegressionMembersAgreeAndMatchOneProcess) {
  const int num_ranks = GetParam();
  const Data train = Wave(3000, 1);
  const Data test = Wave(1000, 2);
  const Params params = MakeParams({{"max_iterations", 30.0}});
  auto models = FitTogether(num_ranks, TreeTask::kRegression, params, train);

  const Matrix predicted = models[0]->Predict(test.x, 1);
  for (const auto& model : models) {
    EXPECT_LE(MaxDifference(model->Predict(test.x, 1), predicted), 1e-6);
    EXPECT_EQ(model->training_info().size(), 30u);
  }
  BoostedTrees all_rows(TreeTask::kRegression, false, params);
  all_rows.Fit(train.x, train.y, nullptr, 1);
  const double distributed_error = RootMeanSquaredError(predicted, test.y);
  const double one_process_error = RootMeanSquaredError(all_rows.Predict(test.x, 1), test.y);
  EXPECT_LT(distributed_error, 0.2);
  EXPECT_NEAR(distributed_error, one_process_error, 0.05 * one_process_error);
  // The training loss XGBoost reports is over all members' rows, like the one process's.
  EXPECT_NEAR(models[0]->training_info().back().loss, all_rows.training_info().back().loss,
              0.05 * all_rows.training_info().back().loss);
  if (num_ranks == 1) return;
  // Trained on its own rows alone, a member learns another model: the members did share.
  Data shard = Shard(train, 0, num_ranks);
  BoostedTrees alone(TreeTask::kRegression, false, params);
  alone.Fit(shard.x, shard.y, nullptr, 1);
  EXPECT_GT(MaxDifference(alone.Predict(test.x, 1), predicted), 1e-2);
  EXPECT_GT(models[0]->training_info().back().loss - alone.training_info().back().loss, 0);
}

TEST_P(DistributedTrees, ClassifierMembersAgreeAndPredictTheSameClasses) {
  const int num_ranks = GetParam();
  const Data train = Quadrants(2000, 3);
  const Data test = Quadrants(500, 4);
  const Params params = MakeParams({{"max_iterations", 10.0}});
  auto models = FitTogether(num_ranks, TreeTask::kClassification, params, train);

  const Matrix probabilities = models[0]->Predict(test.x, 1);
  for (const auto& model : models) {
    EXPECT_LE(MaxDifference(model->Predict(test.x, 1), probabilities), 1e-6);
  }
  BoostedTrees all_rows(TreeTask::kClassification, false, params);
  all_rows.Fit(train.x, train.y, nullptr, 1);
  EXPECT_EQ(PredictedClasses(probabilities), PredictedClasses(all_rows.Predict(test.x, 1)));
  std::vector<size_t> classes = PredictedClasses(probabilities);
  size_t right = 0;
  for (size_t i = 0; i < classes.size(); ++i) right += classes[i] == test.y.values[i];
  EXPECT_GE(right, classes.size() * 95 / 100);
}

TEST_P(DistributedTrees, EarlyStoppingReadsTheLossOverAllMembers) {
  const int num_ranks = GetParam();
  const Data train = Wave(2000, 5);
  const Data eval = Wave(600, 6);
  const Params params = MakeParams({{"max_iterations", 100.0}, {"min_rel_progress", 0.02}});
  auto models = FitTogether(num_ranks, TreeTask::kRegression, params, train, &eval);

  const std::vector<TrainingIteration>& info = models[0]->training_info();
  ASSERT_LT(info.size(), 100u);  // it stopped early
  for (const auto& model : models) {
    ASSERT_EQ(model->training_info().size(), info.size());
    for (size_t i = 0; i < info.size(); ++i) {
      EXPECT_EQ(model->training_info()[i].eval_loss, info[i].eval_loss);
    }
  }
  // The kept rounds' evaluation loss is the RMSE on the whole evaluation set, not on a shard.
  double best = *std::min_element(info.begin(), info.end(), [](const auto& a, const auto& b) {
                   return *a.eval_loss < *b.eval_loss;
                 })->eval_loss;
  EXPECT_NEAR(RootMeanSquaredError(models[0]->Predict(eval.x, 1), eval.y), best, 1e-4 * best);
}

INSTANTIATE_TEST_SUITE_P(Ranks, DistributedTrees, testing::Values(1, 2, 3, 4));

TEST(DistributedTrees, AMemberMayHaveNoRowsOrNoEvaluationRows) {
  const Data train = Wave(900, 7);
  const Data eval = Wave(300, 8);
  std::vector<Matrix> predictions(3);
  RunXGBoostRanks(3, [&](const XGBoostCollective& collective) {
    const int rank = collective.rank();
    Data shard = rank == 2 ? Data{Matrix(0, 4), {}} : Shard(train, rank, 2);
    Data eval_shard = Shard(eval, rank, 2);
    EvalSet eval_set{eval_shard.x, eval_shard.y};
    BoostedTrees model(TreeTask::kRegression, false, MakeParams({{"max_iterations", 5.0}}));
    model.FitDistributed(collective, shard.x, shard.y, rank == 1 ? nullptr : &eval_set, 1);
    EXPECT_EQ(model.training_info().size(), 5u);
    predictions[static_cast<size_t>(rank)] = model.Predict(eval.x, 1);
  });
  EXPECT_LE(MaxDifference(predictions[1], predictions[0]), 1e-6);
  EXPECT_LE(MaxDifference(predictions[2], predictions[0]), 1e-6);
}

TEST(DistributedTrees, EveryMemberFailsWhenOneMembersRowsAreWrong) {
  const Data train = Wave(200, 9);
  std::mutex mutex;
  std::vector<std::string> errors;
  RunXGBoostRanks(2, [&](const XGBoostCollective& collective) {
    Data shard = Shard(train, collective.rank(), 2);
    if (collective.rank() == 1) shard.y.values.pop_back();  // one label short
    BoostedTrees model(TreeTask::kRegression, false, Params());
    try {
      model.FitDistributed(collective, shard.x, shard.y, nullptr, 1);
    } catch (const Error& error) {
      std::lock_guard lock(mutex);
      errors.push_back(error.what());
    }
  });
  ASSERT_EQ(errors.size(), 2u);
  std::sort(errors.begin(), errors.end());
  EXPECT_THAT(errors[0], HasSubstr("1 other member(s) of XGBoost's collective rejected"));
  EXPECT_THAT(errors[1], HasSubstr("100 x 4 features with 400 values and 99 labels"));
}

TEST(DistributedTrees, ClassesCountOverAllMembers) {
  Data train = Quadrants(400, 10);
  std::vector<size_t> zeros, twos;
  for (size_t i = 0; i < train.x.rows; ++i) {
    if (train.y.values[i] == 0) zeros.push_back(i);
    if (train.y.values[i] == 2) twos.push_back(i);
  }
  // Each member sees one class only; together they have two.
  RunXGBoostRanks(2, [&](const XGBoostCollective& collective) {
    const std::vector<size_t>& rows = collective.rank() == 0 ? zeros : twos;
    BoostedTrees model(TreeTask::kClassification, false, MakeParams({{"max_iterations", 3.0}}));
    model.FitDistributed(collective, SelectRows(train.x, rows), SelectLabels(train.y, rows),
                         nullptr, 1);
  });
  // Every member sees class 0 only.
  std::vector<std::string> errors(2);
  RunXGBoostRanks(2, [&](const XGBoostCollective& collective) {
    BoostedTrees model(TreeTask::kClassification, false, Params());
    try {
      model.FitDistributed(collective, SelectRows(train.x, zeros), SelectLabels(train.y, zeros),
                           nullptr, 1);
    } catch (const UserError& error) {
      errors[static_cast<size_t>(collective.rank())] = error.what();
    }
  });
  EXPECT_THAT(errors, testing::Each(HasSubstr("at least two classes, all have one")));
}

}  // namespace
}  // namespace sluice::ml
