// CREATE MODEL data-parallel across ranks (threads of this process standing in for MPI ranks,
// each with its own in-memory database): each rank trains on its share of the rows only, and
// every rank ends with the model and metrics one process alone would train on all of them.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "cluster/thread_ranks.h"
#include "session/database.h"

namespace sluice::session {
namespace {

namespace json = boost::json;

constexpr int kRows = 10'000;

// Returns a FROM item of the integers 0 .. count-1 as column `n` (count <= 10000).
std::string Numbers(int count) {
  const std::string digits = "(VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9))";
  std::string from;
  for (const char* name : {"a", "b", "c", "d"}) {
    from += std::string(from.empty() ? "" : ", ") + digits + " AS " + name + "(v)";
  }
  return "(SELECT a.v * 1000 + b.v * 100 + c.v * 10 + d.v AS n FROM " + from +
         " WHERE a.v * 1000 + b.v * 100 + c.v * 10 + d.v < " + std::to_string(count) + ") AS s";
}

// Table t: two numbers (x2 NULL in every 11th row), a category, a numeric label y that the
// features explain up to a remainder, a binary and a three-class label that they explain only
// in part (so logistic regression has a finite optimum), NULL labels in every 97th row.
// Table k: three well-separated clusters of points (a, b) with a small spread.
const std::string kTables =
    "CREATE TABLE t AS SELECT n AS id, (n * 37) % 101 / 10.0 AS x1, CASE WHEN n % 11 = 0 THEN "
    "NULL ELSE (n * 53) % 97 END AS x2, 'c' || CAST(n % 4 AS VARCHAR) AS c, "
    "2.0 * ((n * 37) % 101 / 10.0) - 0.05 * ((n * 53) % 97) + (n % 4) * 1.5 + "
    "((n * 7919) % 13) / 10.0 AS y, CASE WHEN n % 97 = 5 THEN NULL WHEN (n * 37) % 101 / 10.0 "
    "+ ((n * 7919) % 13) / 2.0 + (n % 4) > 7.5 THEN 'yes' ELSE 'no' END AS yes, "
    "CASE WHEN n % 97 = 6 THEN NULL WHEN (n * 37) % 101 / 10.0 + ((n * 7919) % 13) / 2.0 < 5 "
    "THEN 'low' WHEN (n * 37) % 101 / 10.0 + ((n * 7919) % 13) / 2.0 < 9 THEN 'mid' ELSE "
    "'high' END AS level FROM " +
    Numbers(kRows) +
    "; CREATE TABLE k AS SELECT n AS id, (n % 3) * 100 + ((n * 7919) % 13) / 10.0 AS a, "
    "(n % 3) * (n % 3) * 40 + ((n * 31) % 7) / 10.0 AS b FROM " +
    Numbers(kRows);

// Is what a connection answers about model m after CREATE MODEL.
struct Trained {
  std::vector<std::vector<std::string>> parameters;  // ML.WEIGHTS or ML.CENTROIDS rows, sorted
  json::object metrics;                              // as CREATE MODEL evaluated it
  json::object details;
  double last_loss = 0;   // ML.TRAINING_INFO's loss of the last iteration
  size_t iterations = 0;  // ML.TRAINING_INFO's rows
  std::vector<std::vector<std::string>> predictions;  // trees: ML.PREDICT of kProbe's rows
};

// Rows to predict with a tree model: a few rows of t's columns, as a literal.
const std::string kProbe =
    "(SELECT * FROM (VALUES (0.5, 3, 'c0'), (4.2, 50, 'c1'), (9.9, NULL, 'c2'), (7.1, 80, 'c3'), "
    "(2.0, 10, 'c9')) AS p(x1, x2, c))";

std::vector<std::vector<std::string>> Rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    rows.emplace_back();
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, '|');) rows.back().push_back(cell);
  }
  return rows;
}

// Returns the centroids as one row per centroid (its values in feature order), sorted, so that
// clusterings that number the same clusters differently compare equal.
std::vector<std::vector<std::string>> CentroidVectors(const std::string& text) {
  std::vector<std::vector<std::string>> centroids;
  std::string current;
  for (const std::vector<std::string>& row : Rows(text)) {  // centroid_id, feature, value
    if (row.at(0) != current) centroids.emplace_back();
    current = row.at(0);
    centroids.back().push_back(row.at(2));
  }
  std::sort(centroids.begin(), centroids.end(),
            [](const auto& a, const auto& b) { return std::stod(a.at(0)) < std::stod(b.at(0)); });
  return centroids;
}

Trained Train(Database& database, Connection& connection, const std::string& create) {
  connection.Execute(create);
  Trained trained;
  const auto& version = *database.models().Find("m");
  if (version.record.model_type == "kmeans") {
    trained.parameters = CentroidVectors(
        connection
            .Execute("SELECT centroid_id, feature, numerical_value FROM ML.CENTROIDS(MODEL m) "
                     "ORDER BY centroid_id, feature")
            .ToString());
  } else if (version.record.model_type.find("tree") != std::string::npos ||
             version.record.model_type.find("forest") != std::string::npos) {
    trained.parameters =
        Rows(connection.Execute("SELECT * FROM ML.FEATURE_IMPORTANCE(MODEL m) ORDER BY feature")
                 .ToString());
    trained.predictions =
        Rows(connection.Execute("SELECT * FROM ML.PREDICT(MODEL m, " + kProbe + ")").ToString());
  } else {
    trained.parameters = Rows(connection.Execute("SELECT * FROM ML.WEIGHTS(MODEL m)").ToString());
    std::sort(trained.parameters.begin(), trained.parameters.end());
  }
  trained.metrics = json::parse(version.record.metrics_json).as_object();
  trained.details = json::parse(version.record.details_json).as_object();
  auto losses =
      Rows(connection.Execute("SELECT loss FROM ML.TRAINING_INFO(MODEL m) ORDER BY iteration DESC")
               .ToString());
  trained.last_loss = std::stod(losses.at(0).at(0));
  trained.iterations = losses.size();
  return trained;
}

Trained OnOneProcess(const std::string& create) {
  Database database;
  Connection connection(database);
  connection.Execute(kTables);
  return Train(database, connection, create);
}

std::vector<Trained> OnRanks(int size, const std::string& create) {
  std::vector<Trained> answers(size);
  cluster::RunRanks(size, [&](cluster::Communicator& communicator) {
    Database database;
    Connection connection(database);
    connection.Execute(kTables);
    connection.set_ranks(&communicator);
    answers[communicator.rank()] = Train(database, connection, create);
  });
  return answers;
}

bool Near(double got, double want, double tolerance) {
  return std::abs(got - want) <= tolerance * std::max(1.0, std::abs(want));
}

// Expects the same cells, numbers within `tolerance` (relative, absolute below 1).
void ExpectNearRows(const std::vector<std::vector<std::string>>& got,
                    const std::vector<std::vector<std::string>>& want, double tolerance,
                    const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t r = 0; r < want.size(); ++r) {
    ASSERT_EQ(got[r].size(), want[r].size()) << what;
    for (size_t c = 0; c < want[r].size(); ++c) {
      if (got[r][c] == want[r][c]) continue;
      char* end = nullptr;
      const double number = std::strtod(want[r][c].c_str(), &end);
      ASSERT_TRUE(end != want[r][c].c_str() && *end == '\0')
          << what << ": " << got[r][c] << " != " << want[r][c];
      EXPECT_TRUE(Near(std::stod(got[r][c]), number, tolerance))
          << what << " row " << r << ": " << got[r][c] << " vs " << want[r][c];
    }
  }
}

void ExpectNearMetrics(const json::object& got, const json::object& want, double tolerance,
                       const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (const auto& [name, value] : want) {
    ASSERT_TRUE(got.contains(name)) << what << " " << name;
    ASSERT_EQ(got.at(name).is_null(), value.is_null()) << what << " " << name;
    if (value.is_null()) continue;
    EXPECT_TRUE(Near(got.at(name).to_number<double>(), value.to_number<double>(), tolerance))
        << what << " " << name << ": " << got.at(name) << " vs " << value;
  }
}

// Expects `trained` on `size` ranks to have trained each rank on a part of `alone`'s training
// rows, none on all of them.
void ExpectStrictShares(const Trained& trained, const Trained& alone, int size) {
  const std::string what = std::to_string(size) + " ranks";
  const json::array& shares = trained.details.at("share_train_rows").as_array();
  ASSERT_EQ(shares.size(), static_cast<size_t>(size)) << what;
  const auto all_rows = alone.details.at("train_rows").to_number<int64_t>();
  int64_t sum = 0;
  for (const json::value& share : shares) {
    EXPECT_GT(share.to_number<int64_t>(), 0) << what << " " << json::serialize(shares);
    EXPECT_LT(share.to_number<int64_t>(), all_rows) << what;
    sum += share.to_number<int64_t>();
  }
  EXPECT_EQ(sum, all_rows) << what;
}

// Trains `create` on one process and on 1 to 4 ranks; expects every rank to end with the same
// model (bit for bit: the same text of every weight), the one-process model and metrics within
// `tolerance`, and each rank of several to have trained on a share of the rows only.
void ExpectDataParallel(const std::string& create, double tolerance) {
  const Trained alone = OnOneProcess(create);
  for (int size = 1; size <= 4; ++size) {
    const std::string what = std::to_string(size) + " ranks";
    const std::vector<Trained> ranks = OnRanks(size, create);
    for (const Trained& rank : ranks) {
      EXPECT_EQ(rank.parameters, ranks[0].parameters) << what;
      EXPECT_EQ(json::serialize(rank.metrics), json::serialize(ranks[0].metrics)) << what;
      EXPECT_EQ(rank.last_loss, ranks[0].last_loss) << what;
    }
    ExpectNearRows(ranks[0].parameters, alone.parameters, tolerance, what);
    ExpectNearMetrics(ranks[0].metrics, alone.metrics, tolerance, what);
    EXPECT_TRUE(Near(ranks[0].last_loss, alone.last_loss, tolerance)) << what;
    EXPECT_EQ(ranks[0].details.at("train_rows"), alone.details.at("train_rows")) << what;
    EXPECT_EQ(ranks[0].details.at("eval_rows"), alone.details.at("eval_rows")) << what;
    if (size > 1) ExpectStrictShares(ranks[0], alone, size);
  }
}

const std::string kLinear =
    "CREATE MODEL m OPTIONS (model_type = 'linear_reg', "
    "input_label_cols = ['y'], data_split_method = 'no_split'";
const std::string kLinearQuery = ") AS SELECT x1, x2, c, y FROM t";

// Least squares solves from the normal equations summed over the ranks: only the rounding of
// the sums differs from one process.
TEST(ModelDataParallelTest, LinearRegressionMatchesOneProcess) {
  ExpectDataParallel(kLinear + kLinearQuery, 1e-6);
}

TEST(ModelDataParallelTest, RidgeMatchesOneProcess) {
  ExpectDataParallel(kLinear + ", l2_reg = 0.5" + kLinearQuery, 1e-6);
}

// Coordinate descent runs on the summed normal equations: the same sweeps as on the rows.
TEST(ModelDataParallelTest, LassoMatchesOneProcess) {
  ExpectDataParallel(kLinear + ", l1_reg = 0.05" + kLinearQuery, 1e-6);
}

// The sequential split's threshold is exact over the ranks, so the same rows are held out.
TEST(ModelDataParallelTest, SequentialSplitHoldsOutTheSameRows) {
  ExpectDataParallel(
      "CREATE MODEL m OPTIONS (model_type = 'linear_reg', input_label_cols = ['y'], "
      "data_split_method = 'seq', data_split_col = 'id', data_split_eval_fraction = 0.25) AS "
      "SELECT id, x1, x2, c, y FROM t",
      1e-6);
}

// L-BFGS takes the same steps from sums that differ by rounding only; a strictly convex
// objective (l2_reg) minimised to a tight tolerance leaves the weights within 1e-5 of each
// other (the optimiser's own accuracy, far above the rounding of the sums).
TEST(ModelDataParallelTest, BinaryLogisticRegressionMatchesOneProcess) {
  ExpectDataParallel(
      "CREATE MODEL m OPTIONS (model_type = 'logistic_reg', input_label_cols = ['yes'], "
      "data_split_method = 'no_split', l2_reg = 0.01, max_iterations = 300, "
      "min_rel_progress = 1e-14) AS SELECT x1, x2, c, yes FROM t",
      1e-5);
}

TEST(ModelDataParallelTest, MulticlassLogisticRegressionMatchesOneProcess) {
  ExpectDataParallel(
      "CREATE MODEL m OPTIONS (model_type = 'logistic_reg', input_label_cols = ['level'], "
      "data_split_method = 'seq', data_split_col = 'id', l2_reg = 0.01, l1_reg = 0.001, "
      "max_iterations = 300, min_rel_progress = 1e-14) AS SELECT id, x1, x2, c, level FROM t",
      1e-5);
}

// Well-separated clusters: k-means++ seeds one point in each whichever rank draws it, and
// Lloyd's steps end on the clusters' means.
TEST(ModelDataParallelTest, KmeansMatchesOneProcess) {
  ExpectDataParallel(
      "CREATE MODEL m OPTIONS (model_type = 'kmeans', num_clusters = 3) AS SELECT a, b FROM k",
      1e-9);
}

// A random split on shares holds rows out by a hash of their values: every rank agrees, and
// about the asked fraction is held out.
TEST(ModelDataParallelTest, RandomSplitAgreesAcrossRanks) {
  const std::vector<Trained> ranks = OnRanks(
      3, kLinear.substr(0, kLinear.find(", data_split_method")) +
             ", data_split_method = 'random', data_split_eval_fraction = 0.2" + kLinearQuery);
  for (const Trained& rank : ranks) EXPECT_EQ(rank.parameters, ranks[0].parameters);
  const double eval_rows = ranks[0].details.at("eval_rows").to_number<double>();
  const double train_rows = ranks[0].details.at("train_rows").to_number<double>();
  EXPECT_EQ(eval_rows + train_rows, kRows);
  EXPECT_NEAR(eval_rows / kRows, 0.2, 0.02);
  EXPECT_EQ(ranks[0].details.at("evaluated_on").as_string(), "eval_split");
}

// Trains the tree model `create` on one process and on 1 to 4 ranks; expects every rank to end
// with the same model (ML.FEATURE_IMPORTANCE, ML.PREDICT and ML.TRAINING_INFO alike, bit for
// bit: rank 0's booster is sent to the others), the same metrics over the same global rows, and
// `metric` within `tolerance` (absolute) of the one-process model's. Returns rank 0's answers
// on 4 ranks.
Trained ExpectTreesDataParallel(const std::string& create, const std::string& metric,
                                double tolerance) {
  const Trained alone = OnOneProcess(create);
  Trained on_four;
  for (int size = 1; size <= 4; ++size) {
    const std::string what = std::to_string(size) + " ranks";
    const std::vector<Trained> ranks = OnRanks(size, create);
    for (const Trained& rank : ranks) {
      EXPECT_EQ(rank.parameters, ranks[0].parameters) << what;
      EXPECT_EQ(rank.predictions, ranks[0].predictions) << what;
      EXPECT_EQ(json::serialize(rank.metrics), json::serialize(ranks[0].metrics)) << what;
      EXPECT_EQ(rank.last_loss, ranks[0].last_loss) << what;
      EXPECT_EQ(rank.iterations, ranks[0].iterations) << what;
    }
    EXPECT_EQ(ranks[0].predictions.size(), 5u) << what;
    EXPECT_EQ(ranks[0].parameters.size(), alone.parameters.size()) << what;
    EXPECT_FALSE(alone.parameters.empty());
    EXPECT_NEAR(ranks[0].metrics.at(metric).to_number<double>(),
                alone.metrics.at(metric).to_number<double>(), tolerance)
        << what;
    EXPECT_EQ(ranks[0].details.at("train_rows"), alone.details.at("train_rows")) << what;
    EXPECT_EQ(ranks[0].details.at("eval_rows"), alone.details.at("eval_rows")) << what;
    EXPECT_EQ(ranks[0].details.at("evaluated_on"), alone.details.at("evaluated_on")) << what;
    if (size > 1) ExpectStrictShares(ranks[0], alone, size);
    on_four = ranks[0];
  }
  return on_four;
}

// The one-process r2_score is about 0.99. Ranks share XGBoost's histograms, so the trees differ
// from one process only where the cut points of the quantile sketch merged from the shares
// differ from those of all rows (here none do: each feature has fewer distinct values than
// max_bin, and the metrics come out equal); 0.01 of r2_score allows for a sketch that merges
// differently, as it would on features with more distinct values.
TEST(ModelDataParallelTest, BoostedTreeRegressorIsCloseToOneProcess) {
  ExpectTreesDataParallel(
      "CREATE MODEL m OPTIONS (model_type = 'boosted_tree_regressor', input_label_cols = ['y'], "
      "data_split_method = 'no_split') AS SELECT x1, x2, c, y FROM t",
      "r2_score", 0.01);
}

// The sequential split holds out the same rows as one process; early stopping reads XGBoost's
// evaluation loss summed over every rank's held-out rows. Accuracy within 0.02 (40 of the
// 2000 held-out rows): the labels are noisy, so rows near a boundary may flip class with a
// slightly different cut point.
TEST(ModelDataParallelTest, BinaryBoostedTreeClassifierStopsEarlyOnTheGlobalEvalLoss) {
  const Trained on_four = ExpectTreesDataParallel(
      "CREATE MODEL m OPTIONS (model_type = 'boosted_tree_classifier', "
      "input_label_cols = ['yes'], data_split_method = 'seq', data_split_col = 'id', "
      "data_split_eval_fraction = 0.2, early_stop = true, max_iterations = 50, "
      "min_rel_progress = 0.01) AS SELECT id, x1, x2, c, yes FROM t",
      "accuracy", 0.02);
  EXPECT_LT(on_four.iterations, 50u);  // it stopped early
  EXPECT_EQ(on_four.details.at("evaluated_on"), "eval_split");
}

TEST(ModelDataParallelTest, MulticlassBoostedTreeClassifierStopsEarlyOnTheGlobalEvalLoss) {
  const Trained on_four = ExpectTreesDataParallel(
      "CREATE MODEL m OPTIONS (model_type = 'boosted_tree_classifier', "
      "input_label_cols = ['level'], data_split_method = 'seq', data_split_col = 'id', "
      "data_split_eval_fraction = 0.2, early_stop = true, max_iterations = 50, "
      "min_rel_progress = 0.01) AS SELECT id, x1, x2, c, level FROM t",
      "accuracy", 0.02);
  EXPECT_LT(on_four.iterations, 50u);  // it stopped early
  EXPECT_EQ(on_four.details.at("evaluated_on"), "eval_split");
}

// A forest samples rows (subsample 0.8) with each rank's own random stream, so its trees are not
// one process's: r2_score (about 0.978) moves by under 0.001 from one sample to another with 20
// trees on 10000 rows; 0.01 leaves room for that.
TEST(ModelDataParallelTest, RandomForestRegressorIsCloseToOneProcess) {
  ExpectTreesDataParallel(
      "CREATE MODEL m OPTIONS (model_type = 'random_forest_regressor', input_label_cols = ['y'], "
      "data_split_method = 'no_split', num_parallel_tree = 20, max_tree_depth = 8) AS "
      "SELECT x1, x2, c, y FROM t",
      "r2_score", 0.01);
}

// One row's label is infinite: the rank that holds it rejects its share, and every rank fails
// with that rank's error instead of waiting for it inside XGBoost.
TEST(ModelDataParallelTest, OneRanksBadRowFailsEveryRankAlike) {
  const std::string create =
      "CREATE MODEL m OPTIONS (model_type = 'boosted_tree_regressor', input_label_cols = ['y'], "
      "data_split_method = 'no_split') AS SELECT x1, x2, c, "
      "CASE WHEN id = 4321 THEN 1e308 * 10.0 ELSE y END AS y FROM t";
  for (int size = 2; size <= 4; ++size) {
    std::vector<std::string> errors(size);
    cluster::RunRanks(size, [&](cluster::Communicator& communicator) {
      Database database;
      Connection connection(database);
      connection.Execute(kTables);
      connection.set_ranks(&communicator);
      try {
        connection.Execute(create);
      } catch (const std::exception& error) {
        errors[communicator.rank()] = error.what();
      }
    });
    for (const std::string& error : errors) {
      EXPECT_EQ(error, errors[0]) << size << " ranks";
    }
    EXPECT_NE(errors[0].find("training rows have the label inf"), std::string::npos)
        << size << " ranks: " << errors[0];
  }
}

}  // namespace
}  // namespace sluice::session
