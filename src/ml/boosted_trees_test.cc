#include "ml/boosted_trees.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "base/error.h"

namespace sluice::ml {
namespace {

/// Is a data set: features and labels.
struct Data {
  Matrix x;
  Labels y;
};

/// Returns `rows` examples of y = x^2 (plus normal noise of `noise`) with x uniform in [0, 1].
Data Square(size_t rows, double noise, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> uniform(0, 1);
  std::normal_distribution<double> normal(0, 1);
  Data data{Matrix(rows, 1), {}};
  for (size_t i = 0; i < rows; ++i) {
    double x = uniform(random);
    data.x.at(i, 0) = x;
    data.y.values.push_back(x * x + noise * normal(random));
  }
  return data;
}

/// Returns `rows` examples of a step in feature 0 (-1 below 0.5, 3 above); features 1 and 2 are
/// noise.
Data Step(size_t rows, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> uniform(0, 1);
  Data data{Matrix(rows, 3), {}};
  for (size_t i = 0; i < rows; ++i) {
    data.x.at(i, 0) = static_cast<double>(i % 100) / 100;
    data.x.at(i, 1) = uniform(random);
    data.x.at(i, 2) = uniform(random);
    data.y.values.push_back(data.x.at(i, 0) >= 0.5 ? 3 : -1);
  }
  return data;
}

/// Returns `rows` examples of `num_classes` normal blobs of spread 0.5 in two dimensions, their
/// centres 4 apart.
Data Blobs(size_t rows, size_t num_classes, unsigned seed) {
  std::mt19937 random(seed);
  std::normal_distribution<double> normal(0, 0.5);
  Data data{Matrix(rows, 2), {{}, num_classes}};
  for (size_t i = 0; i < rows; ++i) {
    size_t label = i % num_classes;
    data.x.at(i, 0) = 4.0 * static_cast<double>(label % 2) + normal(random);
    data.x.at(i, 1) = 4.0 * static_cast<double>(label / 2) + normal(random);
    data.y.values.push_back(static_cast<double>(label));
  }
  return data;
}

/// Returns the root mean squared error of a one-column prediction.
double Rmse(const Matrix& predicted, const Labels& y) {
  EXPECT_EQ(predicted.cols, 1u);
  double sum = 0;
  for (size_t i = 0; i < predicted.rows; ++i) {
    sum += std::pow(predicted.at(i, 0) - y.values[i], 2);
  }
  return std::sqrt(sum / static_cast<double>(predicted.rows));
}

/// Returns the share of rows whose most probable class is the label; checks rows sum to 1.
double Accuracy(const Matrix& probabilities, const Labels& y) {
  EXPECT_EQ(probabilities.cols, y.num_classes);
  size_t correct = 0;
  for (size_t i = 0; i < probabilities.rows; ++i) {
    const double* row = probabilities.row(i);
    EXPECT_NEAR(std::accumulate(row, row + probabilities.cols, 0.0), 1, 1e-5);
    auto best = static_cast<double>(std::max_element(row, row + probabilities.cols) - row);
    if (best == y.values[i]) ++correct;
  }
  return static_cast<double>(correct) / static_cast<double>(probabilities.rows);
}

Params MakeParams(std::initializer_list<std::pair<const char*, ParamValue>> values) {
  Params params;
  for (const auto& [name, value] : values) params.Set(name, value);
  return params;
}

TEST(BoostedTreesTest, RegressionLearnsSquare) {
  Data train = Square(1000, 0, 1);
  BoostedTrees model(TreeTask::kRegression, false, MakeParams({{"max_iterations", 50.0}}));
  model.Fit(train.x, train.y, nullptr, 1);
  Data test = Square(300, 0, 2);
  EXPECT_LT(Rmse(model.Predict(test.x, 1), test.y), 0.01);
  const auto& info = model.training_info();
  ASSERT_EQ(info.size(), 50u);
  EXPECT_EQ(info.back().iteration, 49);
  EXPECT_LT(info.back().loss, info.front().loss / 10);
  EXPECT_FALSE(info.back().eval_loss.has_value());
  EXPECT_GE(info.back().duration_ms, info.front().duration_ms);
}

TEST(BoostedTreesTest, RegressionLearnsStep) {
  Data train = Step(1000, 3);
  BoostedTrees model(TreeTask::kRegression, false, {});
  model.Fit(train.x, train.y, nullptr, 1);
  EXPECT_EQ(model.training_info().size(), 20u);  // the default max_iterations
  EXPECT_LT(Rmse(model.Predict(train.x, 1), train.y), 0.01);
}

TEST(BoostedTreesTest, BinaryClassifierSeparatesClusters) {
  Data train = Blobs(600, 2, 4);
  BoostedTrees model(TreeTask::kClassification, false, {});
  model.Fit(train.x, train.y, nullptr, 1);
  Matrix probabilities = model.Predict(train.x, 1);
  ASSERT_EQ(probabilities.rows, 600u);
  EXPECT_EQ(Accuracy(probabilities, train.y), 1.0);
  EXPECT_GT(probabilities.at(1, 1), 0.9);  // row 1 is class 1
  EXPECT_LT(probabilities.at(2, 1), 0.1);
  // hist splits at the edge of a bin, not in the middle of the gap between the classes.
  Data test = Blobs(200, 2, 5);
  EXPECT_GE(Accuracy(model.Predict(test.x, 1), test.y), 0.98);
  EXPECT_LT(model.training_info().back().loss, 0.1);  // logloss
}

TEST(BoostedTreesTest, MulticlassClassifierSeparatesThreeBlobs) {
  Data train = Blobs(900, 3, 6);
  BoostedTrees model(TreeTask::kClassification, false, {});
  model.Fit(train.x, train.y, nullptr, 1);
  Data test = Blobs(300, 3, 7);
  Matrix probabilities = model.Predict(test.x, 1);
  ASSERT_EQ(probabilities.cols, 3u);
  EXPECT_GE(Accuracy(probabilities, test.y), 0.99);
}

TEST(BoostedTreesTest, RandomForestRegressorFitsInOneRound) {
  Data train = Square(1000, 0.02, 8);
  BoostedTrees model(TreeTask::kRegression, true, MakeParams({{"num_parallel_tree", 30.0}}));
  model.Fit(train.x, train.y, nullptr, 1);
  EXPECT_EQ(model.training_info().size(), 1u);
  // One round reaches the target only with the forest's learn_rate of 1.
  Data test = Square(300, 0, 9);
  EXPECT_LT(Rmse(model.Predict(test.x, 1), test.y), 0.03);
  // Subsampled trees each pick their own splits, so the forest splits more than one tree would.
  BoostedTrees one_tree(TreeTask::kRegression, true, MakeParams({{"num_parallel_tree", 1.0}}));
  one_tree.Fit(train.x, train.y, nullptr, 1);
  EXPECT_GT(model.Importance(1)[0].weight, 10 * one_tree.Importance(1)[0].weight);
}

TEST(BoostedTreesTest, RandomForestClassifierSeparatesBlobs) {
  Data train = Blobs(600, 3, 10);
  BoostedTrees model(TreeTask::kClassification, true, MakeParams({{"num_parallel_tree", 10.0}}));
  model.Fit(train.x, train.y, nullptr, 1);
  EXPECT_EQ(model.training_info().size(), 1u);
  Data test = Blobs(300, 3, 11);
  EXPECT_GE(Accuracy(model.Predict(test.x, 2), test.y), 0.99);
}

TEST(BoostedTreesTest, DartBoosterLearns) {
  Data train = Square(500, 0, 12);
  BoostedTrees model(TreeTask::kRegression, false,
                     MakeParams({{"booster_type", std::string("DART")}}));
  model.Fit(train.x, train.y, nullptr, 1);
  EXPECT_LT(Rmse(model.Predict(train.x, 1), train.y), 0.02);
}

TEST(BoostedTreesTest, EarlyStopEndsOnANoisyTarget) {
  Data train = Square(400, 0.3, 13);
  Data eval = Square(200, 0.3, 14);
  EvalSet eval_set{eval.x, eval.y};
  BoostedTrees model(TreeTask::kRegression, false, MakeParams({{"max_iterations", 100.0}}));
  model.Fit(train.x, train.y, &eval_set, 2);
  const auto& info = model.training_info();
  EXPECT_LT(info.size(), 100u);
  EXPECT_GT(info.size(), 2u);
  for (const TrainingIteration& round : info) EXPECT_TRUE(round.eval_loss.has_value());
  BoostedTrees all_rounds(TreeTask::kRegression, false,
                          MakeParams({{"max_iterations", 100.0}, {"early_stop", false}}));
  all_rounds.Fit(train.x, train.y, &eval_set, 1);
  EXPECT_EQ(all_rounds.training_info().size(), 100u);
}

TEST(BoostedTreesTest, EarlyStopKeepsTheBestRound) {
  // On pure noise the evaluation loss gets worse once the trees fit the training noise.
  Data train = Square(200, 1, 15);
  Data eval = Square(200, 1, 16);
  for (Data* data : {&train, &eval}) {
    for (size_t i = 0; i < data->x.rows; ++i) data->y.values[i] -= std::pow(data->x.at(i, 0), 2);
  }
  EvalSet eval_set{eval.x, eval.y};
  for (std::string booster : {"gbtree", "dart"}) {
    BoostedTrees model(
        TreeTask::kRegression, false,
        MakeParams(
            {{"max_iterations", 100.0}, {"min_rel_progress", 0.0}, {"booster_type", booster}}));
    model.Fit(train.x, train.y, &eval_set, 1);
    const auto& info = model.training_info();
    ASSERT_LT(info.size(), 100u) << booster;
    double best = std::numeric_limits<double>::infinity();
    for (const TrainingIteration& round : info) best = std::min(best, *round.eval_loss);
    ASSERT_GT(*info.back().eval_loss, best) << booster;  // else the rounds look alike
    EXPECT_NEAR(Rmse(model.Predict(eval.x, 1), eval.y), best, 1e-4) << booster;
  }
}

TEST(BoostedTreesTest, SaveAndLoadGiveTheSamePredictions) {
  Data train = Blobs(300, 3, 17);
  Data eval = Blobs(90, 3, 18);
  EvalSet eval_set{eval.x, eval.y};
  BoostedTrees model(TreeTask::kClassification, false, MakeParams({{"max_iterations", 10.0}}));
  model.Fit(train.x, train.y, &eval_set, 1);
  std::string blob;
  std::string text = boost::json::serialize(model.Save(blob));
  EXPECT_FALSE(blob.empty());

  BoostedTrees loaded(TreeTask::kRegression, false, {});
  loaded.Load(boost::json::parse(text).as_object(), blob);
  EXPECT_EQ(loaded.Predict(eval.x, 1).values, model.Predict(eval.x, 1).values);
  ASSERT_EQ(loaded.training_info().size(), model.training_info().size());
  for (size_t i = 0; i < model.training_info().size(); ++i) {
    const TrainingIteration& saved = model.training_info()[i];
    const TrainingIteration& restored = loaded.training_info()[i];
    EXPECT_EQ(restored.iteration, saved.iteration);
    // Boost.JSON 1.81 may parse a number 1 ulp off.
    EXPECT_DOUBLE_EQ(restored.loss, saved.loss);
    ASSERT_TRUE(restored.eval_loss.has_value());
    EXPECT_DOUBLE_EQ(*restored.eval_loss, *saved.eval_loss);
    EXPECT_DOUBLE_EQ(restored.duration_ms, saved.duration_ms);
  }
  EXPECT_EQ(loaded.Importance(2)[1].gain, model.Importance(2)[1].gain);
}

TEST(BoostedTreesTest, ImportanceFallsOnTheInformativeFeature) {
  Data train = Step(1000, 19);
  BoostedTrees model(TreeTask::kRegression, false, {});
  model.Fit(train.x, train.y, nullptr, 1);
  std::vector<FeatureImportance> importance = model.Importance(4);
  ASSERT_EQ(importance.size(), 4u);
  EXPECT_GT(importance[0].weight, 0);
  EXPECT_GT(importance[0].gain, 0);
  EXPECT_GT(importance[0].cover, 0);
  for (size_t feature = 1; feature < 4; ++feature) {
    EXPECT_EQ(importance[feature].weight, 0) << feature;
    EXPECT_EQ(importance[feature].gain, 0) << feature;
    EXPECT_EQ(importance[feature].cover, 0) << feature;
  }
}

TEST(BoostedTreesTest, ConcurrentPredictionsAgree) {
  Data train = Blobs(600, 3, 20);
  BoostedTrees model(TreeTask::kClassification, false, {});
  model.Fit(train.x, train.y, nullptr, 1);
  Data test = Blobs(3000, 3, 21);
  const std::vector<double> expected = model.Predict(test.x, 1).values;
  EXPECT_EQ(model.Predict(test.x, 4).values, expected);
  std::vector<std::vector<double>> results(4);
  {
    std::vector<std::jthread> callers;
    for (auto& result : results) {
      callers.emplace_back([&] {
        for (int repeat = 0; repeat < 5; ++repeat) result = model.Predict(test.x, 2).values;
      });
    }
  }
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

TEST(BoostedTreesTest, MissingValuesAreLearnedAndPredicted) {
  Data train = Square(500, 0, 22);
  for (size_t i = 0; i < train.x.rows; i += 5) train.x.at(i, 0) = std::nan("");
  BoostedTrees model(TreeTask::kRegression, false, {});
  model.Fit(train.x, train.y, nullptr, 1);
  Matrix missing(1, 1, std::nan(""));
  EXPECT_TRUE(std::isfinite(model.Predict(missing, 1).at(0, 0)));
  EXPECT_EQ(model.Predict(Matrix(0, 1), 1).rows, 0u);
}

TEST(BoostedTreesTest, ClassifierNeedsTwoClasses) {
  Data train = Blobs(100, 2, 23);
  std::fill(train.y.values.begin(), train.y.values.end(), 1);
  BoostedTrees model(TreeTask::kClassification, false, {});
  EXPECT_THROW(model.Fit(train.x, train.y, nullptr, 1), UserError);
  train.y.num_classes = 1;
  std::fill(train.y.values.begin(), train.y.values.end(), 0);
  EXPECT_THROW(model.Fit(train.x, train.y, nullptr, 1), UserError);
}

TEST(BoostedTreesTest, BadParametersAreUserErrors) {
  Data train = Square(100, 0, 24);
  BoostedTrees negative_rate(TreeTask::kRegression, false, MakeParams({{"learn_rate", -1.0}}));
  try {
    negative_rate.Fit(train.x, train.y, nullptr, 1);
    ADD_FAILURE() << "a negative learn_rate trained";
  } catch (const UserError& error) {
    EXPECT_NE(std::string(error.what()).find("learning_rate"), std::string::npos) << error.what();
  }
  Data missing_label = train;
  missing_label.y.values[3] = std::nan("");
  try {
    BoostedTrees(TreeTask::kRegression, false, {})
        .Fit(missing_label.x, missing_label.y, nullptr, 1);
    ADD_FAILURE() << "a NaN label trained";
  } catch (const UserError& error) {
    // XGBoost's message without its source position and stack trace.
    EXPECT_EQ(std::string(error.what()),
              "XGBoost failed to set the labels: Check failed: valid: Label contains NaN, infinity "
              "or a value too large.");
  }
  BoostedTrees booster(TreeTask::kRegression, false,
                       MakeParams({{"booster_type", std::string("gblinear")}}));
  EXPECT_THROW(booster.Fit(train.x, train.y, nullptr, 1), UserError);
  BoostedTrees rounds(TreeTask::kRegression, false, MakeParams({{"max_iterations", 0.0}}));
  EXPECT_THROW(rounds.Fit(train.x, train.y, nullptr, 1), UserError);
}

TEST(BoostedTreesTest, UntrainedOrMisusedModelIsAnInternalError) {
  BoostedTrees model(TreeTask::kRegression, false, {});
  std::string blob;
  EXPECT_THROW(model.Predict(Matrix(1, 1), 1), InternalError);
  EXPECT_THROW(model.Importance(1), InternalError);
  EXPECT_THROW(model.Save(blob), InternalError);
  Data train = Square(100, 0, 25);
  model.Fit(train.x, train.y, nullptr, 1);
  EXPECT_THROW(model.Predict(Matrix(1, 2), 1), InternalError);
  train.y.values.pop_back();
  EXPECT_THROW(model.Fit(train.x, train.y, nullptr, 1), InternalError);
}

TEST(BoostedTreesTest, LoadRejectsABadState) {
  Data train = Square(100, 0, 26);
  BoostedTrees model(TreeTask::kRegression, false, {});
  model.Fit(train.x, train.y, nullptr, 1);
  std::string blob;
  boost::json::object state = model.Save(blob);
  BoostedTrees loaded(TreeTask::kRegression, false, {});
  EXPECT_THROW(loaded.Load(state, "not a model"), InternalError);
  EXPECT_THROW(loaded.Load(state, ""), InternalError);
  boost::json::object partial = state;
  partial.erase("num_features");
  EXPECT_THROW(loaded.Load(partial, blob), InternalError);
  boost::json::object wrong_task = state;
  wrong_task["task"] = "classification";  // with no classes
  EXPECT_THROW(loaded.Load(wrong_task, blob), InternalError);
  EXPECT_THROW(loaded.Predict(train.x, 1), InternalError);  // nothing was loaded
}

}  // namespace
}  // namespace sluice::ml
