#include "ml/linear_model.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "base/error.h"

namespace sluice::ml {
namespace {

using ::testing::HasSubstr;

Params MakeParams(std::vector<std::pair<std::string, ParamValue>> values) {
  Params params;
  for (auto& [name, value] : values) params.Set(name, value);
  return params;
}

/// Returns `rows` x `cols` standard normal features from a fixed seed.
Matrix RandomFeatures(size_t rows, size_t cols, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Matrix x(rows, cols);
  for (double& value : x.values) value = normal(rng);
  return x;
}

Labels Targets(std::vector<double> values) { return Labels{std::move(values), 0}; }

/// Expects equal values but for rounding: Boost.JSON 1.81 parses a double within one unit in the
/// last place, so a model saved as text and loaded back can differ by that much.
void ExpectAlmostEqual(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], 1e-13 * (1 + std::abs(expected[i]))) << i;
  }
}

/// Returns the gradient of the smooth data term of linear regression, (1/n) X^T (Xw + b - y),
/// per feature then for the intercept (computed here independently of the model's code).
std::vector<double> SquaredLossGradient(const Matrix& x, const Labels& y, const Matrix& weights) {
  std::vector<double> gradient(x.cols + 1, 0);
  for (size_t i = 0; i < x.rows; ++i) {
    double residual = weights.values.back() - y.values[i];
    for (size_t j = 0; j < x.cols; ++j) residual += x.at(i, j) * weights.values[j];
    for (size_t j = 0; j < x.cols; ++j) gradient[j] += residual * x.at(i, j) / x.rows;
    gradient[x.cols] += residual / x.rows;
  }
  return gradient;
}

/// Expects the elastic-net optimality (KKT) conditions to hold at the model's weights.
void ExpectElasticNetOptimal(const Matrix& x, const Labels& y, const Matrix& weights, double l1,
                             double l2, double tolerance) {
  const std::vector<double> gradient = SquaredLossGradient(x, y, weights);
  EXPECT_NEAR(gradient[x.cols], 0, tolerance) << "intercept";
  for (size_t j = 0; j < x.cols; ++j) {
    const double w = weights.values[j];
    const double smooth = gradient[j] + l2 * w;
    if (w == 0) {
      EXPECT_LE(std::abs(smooth), l1 + tolerance) << "feature " << j;
    } else {
      EXPECT_NEAR(smooth + l1 * (w > 0 ? 1 : -1), 0, tolerance) << "feature " << j;
    }
  }
}

TEST(LinearRegressionTest, ExactFitRecoversCoefficients) {
  const Matrix x = RandomFeatures(30, 2, 1);
  Labels y = Targets({});
  for (size_t i = 0; i < x.rows; ++i) y.values.push_back(2 * x.at(i, 0) - 3 * x.at(i, 1) + 5);
  LinearRegression model(Params{});
  model.Fit(x, y, nullptr, 1);
  ASSERT_EQ(model.weights().rows, 3u);
  EXPECT_NEAR(model.weights().values[0], 2, 1e-10);
  EXPECT_NEAR(model.weights().values[1], -3, 1e-10);
  EXPECT_NEAR(model.weights().values[2], 5, 1e-10);
  ASSERT_EQ(model.training_info().size(), 1u);
  EXPECT_NEAR(model.training_info()[0].loss, 0, 1e-18);
  Matrix probe(1, 2);
  probe.values = {1.5, -2};
  EXPECT_NEAR(model.Predict(probe, 1).values[0], 2 * 1.5 + 3 * 2 + 5, 1e-10);
}

TEST(LinearRegressionTest, RidgeShrinksByTheClosedForm) {
  const Matrix x = RandomFeatures(40, 1, 2);
  Labels y = Targets({});
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise;
  for (size_t i = 0; i < x.rows; ++i) y.values.push_back(4 * x.values[i] + 1 + noise(rng));
  double x_mean = 0, y_mean = 0;
  for (size_t i = 0; i < x.rows; ++i)
    x_mean += x.values[i] / x.rows, y_mean += y.values[i] / x.rows;
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < x.rows; ++i) {
    sxy += (x.values[i] - x_mean) * (y.values[i] - y_mean);
    sxx += (x.values[i] - x_mean) * (x.values[i] - x_mean);
  }
  const double l2 = 0.5;
  // The minimiser of (1/2n)|y - xw - b|^2 + (l2/2) w^2.
  const double expected = sxy / (sxx + x.rows * l2);
  LinearRegression model(MakeParams({{"l2_reg", l2}}));
  model.Fit(x, y, nullptr, 1);
  EXPECT_NEAR(model.weights().values[0], expected, 1e-12);
  EXPECT_NEAR(model.weights().values[1], y_mean - expected * x_mean, 1e-12);
  EXPECT_LT(std::abs(expected), std::abs(sxy / sxx));
}

TEST(LinearRegressionTest, CollinearOneHotColumnsStillFit) {
  // Columns: a one-hot pair (a, 1 - a, collinear with the intercept) and x twice.
  const Matrix base = RandomFeatures(20, 1, 4);
  Matrix x(20, 4);
  Labels y = Targets({});
  for (size_t i = 0; i < x.rows; ++i) {
    const double a = i % 3 == 0 ? 1 : 0;
    x.at(i, 0) = a;
    x.at(i, 1) = 1 - a;
    x.at(i, 2) = x.at(i, 3) = base.values[i];
    y.values.push_back(3 * a + 2 * base.values[i] + 1);
  }
  LinearRegression model(Params{});
  model.Fit(x, y, nullptr, 1);
  for (double w : model.weights().values) EXPECT_TRUE(std::isfinite(w));
  // Least norm splits the weight of x evenly between its two copies.
  EXPECT_NEAR(model.weights().values[2], 1, 1e-8);
  EXPECT_NEAR(model.weights().values[3], 1, 1e-8);
  const Matrix predicted = model.Predict(x, 1);
  for (size_t i = 0; i < x.rows; ++i) EXPECT_NEAR(predicted.values[i], y.values[i], 1e-8);
}

TEST(LinearRegressionTest, LassoZeroesAnIrrelevantFeature) {
  const Matrix x = RandomFeatures(200, 2, 5);
  Labels y = Targets({});
  for (size_t i = 0; i < x.rows; ++i) y.values.push_back(3 * x.at(i, 0) + 1);
  const double l1 = 0.1;
  LinearRegression model(MakeParams({{"l1_reg", l1}, {"min_rel_progress", 1e-12}}));
  model.Fit(x, y, nullptr, 1);
  EXPECT_EQ(model.weights().values[1], 0);
  EXPECT_GT(model.weights().values[0], 2.5);
  EXPECT_LT(model.weights().values[0], 3);
  ExpectElasticNetOptimal(x, y, model.weights(), l1, 0, 1e-9);
  EXPECT_GT(model.training_info().size(), 1u);
}

TEST(LinearRegressionTest, ElasticNetMeetsTheOptimalityConditions) {
  Matrix x = RandomFeatures(300, 6, 6);
  for (size_t i = 0; i < x.rows; ++i) x.at(i, 1) = x.at(i, 0) + 0.3 * x.at(i, 1);  // correlated
  Labels y = Targets({});
  const Matrix noise = RandomFeatures(300, 1, 7);
  for (size_t i = 0; i < x.rows; ++i) {
    y.values.push_back(x.at(i, 0) - 2 * x.at(i, 2) + 0.5 * x.at(i, 3) + noise.values[i]);
  }
  const double l1 = 0.05, l2 = 0.2;
  LinearRegression model(MakeParams(
      {{"l1_reg", l1}, {"l2_reg", l2}, {"min_rel_progress", 1e-14}, {"max_iterations", 1000.0}}));
  model.Fit(x, y, nullptr, 1);
  ExpectElasticNetOptimal(x, y, model.weights(), l1, l2, 1e-7);
}

TEST(LinearRegressionTest, EvalLossIsTheMeanSquaredError) {
  const Matrix x = RandomFeatures(50, 2, 8);
  Labels y = Targets({});
  for (size_t i = 0; i < x.rows; ++i) y.values.push_back(x.at(i, 0) + x.at(i, 1) * x.at(i, 1));
  const Matrix eval_x = RandomFeatures(20, 2, 9);
  Labels eval_y = Targets(std::vector<double>(20, 1.0));
  const EvalSet eval{eval_x, eval_y};
  LinearRegression model(MakeParams({{"l1_reg", 0.01}}));
  model.Fit(x, y, &eval, 1);
  const Matrix predicted = model.Predict(eval_x, 1);
  double mse = 0;
  for (size_t i = 0; i < eval_x.rows; ++i) mse += std::pow(predicted.values[i] - 1, 2) / 20;
  ASSERT_TRUE(model.training_info().back().eval_loss.has_value());
  EXPECT_NEAR(*model.training_info().back().eval_loss, mse, 1e-12);
  const Matrix fitted = model.Predict(x, 1);
  double train_mse = 0;
  for (size_t i = 0; i < x.rows; ++i) train_mse += std::pow(fitted.values[i] - y.values[i], 2) / 50;
  EXPECT_NEAR(model.training_info().back().loss, train_mse, 1e-12);
}

TEST(LinearRegressionTest, SaveLoadRoundTripPredictsTheSame) {
  const Matrix x = RandomFeatures(60, 3, 10);
  Labels y = Targets({});
  for (size_t i = 0; i < x.rows; ++i) y.values.push_back(x.at(i, 0) - x.at(i, 2) + 0.1 * i);
  LinearRegression model(MakeParams({{"l1_reg", 0.02}, {"l2_reg", 0.1}}));
  model.Fit(x, y, nullptr, 1);
  std::string blob = "stale";
  const boost::json::object state = model.Save(blob);
  EXPECT_TRUE(blob.empty());
  LinearRegression loaded(Params{});
  loaded.Load(state, blob);
  EXPECT_EQ(loaded.Predict(x, 1).values, model.Predict(x, 1).values);
  LinearRegression reparsed(Params{});
  reparsed.Load(boost::json::parse(boost::json::serialize(state)).as_object(), blob);
  ExpectAlmostEqual(reparsed.Predict(x, 1).values, model.Predict(x, 1).values);
  ASSERT_EQ(loaded.training_info().size(), model.training_info().size());
  EXPECT_EQ(loaded.training_info().back().loss, model.training_info().back().loss);
  EXPECT_FALSE(loaded.training_info().back().eval_loss.has_value());
}

TEST(LinearRegressionTest, RejectsMissingFeaturesAndEmptyInput) {
  Matrix x = RandomFeatures(5, 2, 11);
  x.at(3, 1) = std::nan("");
  LinearRegression model(Params{});
  try {
    model.Fit(x, Targets({1, 2, 3, 4, 5}), nullptr, 1);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("imputed"));
  }
  EXPECT_THROW(model.Fit(Matrix(0, 2), Targets({}), nullptr, 1), UserError);
}

Labels Classes(std::vector<double> values, size_t num_classes) {
  return Labels{std::move(values), num_classes};
}

double Accuracy(const Matrix& probabilities, const Labels& y) {
  double correct = 0;
  for (size_t i = 0; i < probabilities.rows; ++i) {
    const double* row = probabilities.row(i);
    const size_t predicted = std::max_element(row, row + probabilities.cols) - row;
    correct += predicted == static_cast<size_t>(y.values[i]);
  }
  return correct / probabilities.rows;
}

/// Returns the gradient of mean log loss + (l2/2)|W|^2 at the model's weights, computed here from
/// Predict's probabilities: (1/n) X^T (P - Y) + l2 W, intercepts last; one column per output.
Matrix LogLossGradient(const LogisticRegression& model, const Matrix& x, const Labels& y,
                       double l2) {
  const Matrix p = model.Predict(x, 1);
  const Matrix& w = model.weights();
  Matrix gradient(w.rows, w.cols);
  for (size_t i = 0; i < x.rows; ++i) {
    for (size_t k = 0; k < w.cols; ++k) {
      const size_t column = w.cols == 1 ? 1 : k;
      const double residual = p.at(i, column) - (y.values[i] == column ? 1 : 0);
      for (size_t j = 0; j < x.cols; ++j) gradient.at(j, k) += residual * x.at(i, j) / x.rows;
      gradient.at(x.cols, k) += residual / x.rows;
    }
  }
  for (size_t j = 0; j < x.cols; ++j) {
    for (size_t k = 0; k < w.cols; ++k) gradient.at(j, k) += l2 * w.at(j, k);
  }
  return gradient;
}

/// Returns labels drawn from a logistic model with weights (1, -2, 0.5) and intercept 0.3.
Labels NoisyBinaryLabels(const Matrix& x, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform;
  Labels y = Classes({}, 2);
  for (size_t i = 0; i < x.rows; ++i) {
    const double z = x.at(i, 0) - 2 * x.at(i, 1) + 0.5 * x.at(i, 2) + 0.3;
    y.values.push_back(uniform(rng) < 1 / (1 + std::exp(-z)) ? 1 : 0);
  }
  return y;
}

/// Returns 3 blobs of `per_blob` points around (0, 0), (6, 0), (0, 6); labels are the blobs.
std::pair<Matrix, Labels> Blobs(size_t per_blob, uint64_t seed) {
  const Matrix noise = RandomFeatures(3 * per_blob, 2, seed);
  const double centers[3][2] = {{0, 0}, {6, 0}, {0, 6}};
  Matrix x(3 * per_blob, 2);
  Labels y = Classes({}, 3);
  for (size_t i = 0; i < x.rows; ++i) {
    const size_t blob = i % 3;
    x.at(i, 0) = centers[blob][0] + 0.7 * noise.at(i, 0);
    x.at(i, 1) = centers[blob][1] + 0.7 * noise.at(i, 1);
    y.values.push_back(blob);
  }
  return {x, y};
}

TEST(LogisticRegressionTest, SeparableDataReachesAccuracyOne) {
  Matrix x(40, 1);
  Labels y = Classes({}, 2);
  for (size_t i = 0; i < x.rows; ++i) {
    x.values[i] = (i < 20 ? -2.0 : 0.5) + 1.5 * (i % 20) / 20.0;
    y.values.push_back(i < 20 ? 0 : 1);
  }
  LogisticRegression model(MakeParams({{"l2_reg", 0.01}}));
  model.Fit(x, y, nullptr, 1);
  const Matrix p = model.Predict(x, 1);
  ASSERT_EQ(p.cols, 2u);
  EXPECT_EQ(Accuracy(p, y), 1.0);
  for (size_t i = 0; i < x.rows; ++i) {
    EXPECT_NEAR(p.at(i, 0) + p.at(i, 1), 1, 1e-12);
    if (i > 0) {
      EXPECT_GT(p.at(i, 1), p.at(i - 1, 1));  // x grows, so does P(class 1)
    }
  }
  EXPECT_GT(model.weights().values[0], 0);
}

TEST(LogisticRegressionTest, BinaryL2OptimumHasZeroGradient) {
  const Matrix x = RandomFeatures(500, 3, 20);
  const Labels y = NoisyBinaryLabels(x, 21);
  const double l2 = 0.01;
  LogisticRegression model(
      MakeParams({{"l2_reg", l2}, {"min_rel_progress", 1e-15}, {"max_iterations", 500.0}}));
  model.Fit(x, y, nullptr, 1);
  for (double g : LogLossGradient(model, x, y, l2).values) EXPECT_NEAR(g, 0, 1e-7);
  const std::vector<TrainingIteration>& info = model.training_info();
  for (size_t i = 1; i < info.size(); ++i) EXPECT_EQ(info[i].iteration, static_cast<int64_t>(i));
  EXPECT_LT(info.back().loss, info.front().loss);
}

TEST(LogisticRegressionTest, MulticlassSeparatesThreeBlobs) {
  const auto [x, y] = Blobs(30, 22);
  const double l2 = 0.001;
  LogisticRegression model(
      MakeParams({{"l2_reg", l2}, {"min_rel_progress", 1e-15}, {"max_iterations", 1000.0}}));
  model.Fit(x, y, nullptr, 1);
  ASSERT_EQ(model.weights().cols, 3u);
  const Matrix p = model.Predict(x, 1);
  ASSERT_EQ(p.cols, 3u);
  EXPECT_EQ(Accuracy(p, y), 1.0);
  for (size_t i = 0; i < x.rows; ++i) EXPECT_NEAR(p.at(i, 0) + p.at(i, 1) + p.at(i, 2), 1, 1e-12);
  for (double g : LogLossGradient(model, x, y, l2).values) EXPECT_NEAR(g, 0, 1e-6);
}

TEST(LogisticRegressionTest, AutoClassWeightsBalanceAnUninformativeModel) {
  Matrix x(100, 1);  // a zero feature: only the intercept can learn
  Labels y = Classes({}, 2);
  for (size_t i = 0; i < x.rows; ++i) y.values.push_back(i < 90 ? 0 : 1);
  LogisticRegression plain(MakeParams({{"l2_reg", 0.1}}));
  plain.Fit(x, y, nullptr, 1);
  EXPECT_NEAR(plain.Predict(x, 1).at(0, 1), 0.1, 1e-6);
  LogisticRegression balanced(MakeParams({{"l2_reg", 0.1}, {"auto_class_weights", true}}));
  balanced.Fit(x, y, nullptr, 1);
  EXPECT_NEAR(balanced.Predict(x, 1).at(0, 1), 0.5, 1e-6);
}

TEST(LogisticRegressionTest, L1ZeroesAnIrrelevantFeature) {
  Matrix x = RandomFeatures(400, 3, 23);
  const Labels y = NoisyBinaryLabels(x, 24);
  const Matrix noise = RandomFeatures(400, 1, 31);
  for (size_t i = 0; i < x.rows; ++i) x.at(i, 2) = noise.values[i];  // unrelated to y now
  const double l1 = 0.05;
  LogisticRegression model(
      MakeParams({{"l1_reg", l1}, {"min_rel_progress", 1e-15}, {"max_iterations", 500.0}}));
  model.Fit(x, y, nullptr, 1);
  const Matrix gradient = LogLossGradient(model, x, y, 0);
  EXPECT_EQ(model.weights().values[2], 0);
  EXPECT_NEAR(gradient.values[3], 0, 1e-6) << "intercept";
  for (size_t j = 0; j < 3; ++j) {
    const double w = model.weights().values[j];
    if (w == 0) {
      EXPECT_LE(std::abs(gradient.values[j]), l1 + 1e-6);
    } else {
      EXPECT_NEAR(gradient.values[j] + l1 * (w > 0 ? 1 : -1), 0, 1e-5) << "feature " << j;
    }
  }
}

TEST(LogisticRegressionTest, ThreadsDoNotChangeTheModel) {
  const Matrix x = RandomFeatures(20000, 3, 25);
  const Labels y = NoisyBinaryLabels(x, 26);
  LogisticRegression serial(MakeParams({{"l2_reg", 0.001}}));
  serial.Fit(x, y, nullptr, 1);
  LogisticRegression parallel(MakeParams({{"l2_reg", 0.001}}));
  parallel.Fit(x, y, nullptr, 4);
  for (size_t j = 0; j < 4; ++j) {
    EXPECT_NEAR(parallel.weights().values[j], serial.weights().values[j], 1e-6);
  }
  const Matrix p = parallel.Predict(x, 4);
  const Matrix q = serial.Predict(x, 1);
  for (size_t i = 0; i < p.values.size(); ++i) EXPECT_NEAR(p.values[i], q.values[i], 1e-6);
}

TEST(LogisticRegressionTest, EvalLossIsTheMeanLogLoss) {
  const auto [x, y] = Blobs(20, 27);
  const auto [eval_x, eval_y] = Blobs(10, 28);
  const EvalSet eval{eval_x, eval_y};
  LogisticRegression model(MakeParams({{"l2_reg", 0.1}}));
  model.Fit(x, y, &eval, 1);
  const Matrix p = model.Predict(eval_x, 1);
  double log_loss = 0;
  for (size_t i = 0; i < p.rows; ++i) log_loss -= std::log(p.at(i, eval_y.values[i])) / p.rows;
  ASSERT_TRUE(model.training_info().back().eval_loss.has_value());
  EXPECT_NEAR(*model.training_info().back().eval_loss, log_loss, 1e-12);
}

TEST(LogisticRegressionTest, SaveLoadRoundTripPredictsTheSame) {
  const auto [x, y] = Blobs(20, 29);
  LogisticRegression model(MakeParams({{"l2_reg", 0.1}, {"l1_reg", 0.01}}));
  model.Fit(x, y, nullptr, 1);
  std::string blob;
  const boost::json::object state = model.Save(blob);
  EXPECT_TRUE(blob.empty());
  LogisticRegression loaded(Params{});
  loaded.Load(state, blob);
  EXPECT_EQ(loaded.Predict(x, 1).values, model.Predict(x, 1).values);
  LogisticRegression reparsed(Params{});
  reparsed.Load(boost::json::parse(boost::json::serialize(state)).as_object(), blob);
  ExpectAlmostEqual(reparsed.Predict(x, 1).values, model.Predict(x, 1).values);
  EXPECT_EQ(loaded.training_info().size(), model.training_info().size());
}

TEST(LogisticRegressionTest, RejectsDataWithoutTwoClasses) {
  const Matrix x = RandomFeatures(6, 1, 30);
  LogisticRegression model(Params{});
  EXPECT_THROW(model.Fit(x, Classes({0, 0, 0, 0, 0, 0}, 1), nullptr, 1), UserError);
  try {
    model.Fit(x, Classes({1, 1, 1, 1, 1, 1}, 2), nullptr, 1);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("two classes"));
  }
  try {
    model.Fit(x, Classes({0, 1, 0, 1, 3, 3}, 4), nullptr, 1);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("class 2"));
  }
}

}  // namespace
}  // namespace sluice::ml
