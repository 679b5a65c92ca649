#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "base/error.h"
#include "base/test_folder.h"
#include "session/database.h"

namespace sluice::session {
namespace {

const std::string kData = std::string(SLUICE_SOURCE_DIR) + "/node_modules/vega-datasets/data/";

double Number(const QueryResult& result, size_t column, size_t row = 0) {
  return result.batches.at(0).GetValue(column, row).CastTo(core::TypeId::kDouble).ToString() ==
                 "NULL"
             ? NAN
             : std::stod(result.batches.at(0).GetValue(column, row).ToString());
}

// Returns the value of column `name` in the first row of `result`.
double Column(const QueryResult& result, const std::string& name) {
  std::optional<size_t> index = result.schema->FindField(name);
  EXPECT_TRUE(index.has_value()) << name;
  return index ? Number(result, *index) : NAN;
}

// Returns a FROM item of the integers 0 .. count-1 as column `range` (count <= 1000).
std::string Range(int count) {
  const std::string digits = "(VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9))";
  return "(SELECT a.d * 100 + b.d * 10 + c.d AS range FROM " + digits + " AS a(d), " + digits +
         " AS b(d), " + digits + " AS c(d) WHERE a.d * 100 + b.d * 10 + c.d < " +
         std::to_string(count) + ") AS numbers";
}

std::string ErrorOf(Connection& connection, const std::string& sql) {
  try {
    connection.Execute(sql);
  } catch (const UserError& error) {
    return error.what();
  }
  return "no error";
}

// y = 2 x1 - 3 x2 + 5, exactly.
constexpr const char* kLinearRows =
    "SELECT * FROM (VALUES (1.0, 2.0, 1.0), (2.0, 1.0, 6.0), (3.0, 5.0, -4.0), (4.0, 0.0, 13.0), "
    "(0.0, 1.0, 2.0), (5.0, 3.0, 6.0)) AS t(x1, x2, y)";

TEST(ModelStatementsTest, LinearRegressionFindsTheLeastSquaresSolution) {
  Database database;
  Connection connection(database);
  QueryResult created = connection.Execute(
      std::string("CREATE MODEL m OPTIONS (model_type = 'linear_reg', input_label_cols = ['y']) "
                  "AS ") +
      kLinearRows);
  EXPECT_EQ(created.batches[0].GetValue(0, 0).ToString(), "m");
  EXPECT_NEAR(Column(created, "r2_score"), 1.0, 1e-9);
  QueryResult predicted = connection.Execute(
      "SELECT x1, x2, predicted_y FROM ML.PREDICT(MODEL m, "
      "(SELECT * FROM (VALUES (10.0, 10.0), (-1.0, 2.0)) AS n(x1, x2)))");
  EXPECT_NEAR(Number(predicted, 2, 0), 2 * 10 - 3 * 10 + 5, 1e-6);
  EXPECT_NEAR(Number(predicted, 2, 1), 2 * -1 - 3 * 2 + 5, 1e-6);
  QueryResult weights = connection.Execute(
      "SELECT weight FROM ML.WEIGHTS(MODEL m) WHERE processed_input = '__INTERCEPT__'");
  EXPECT_EQ(weights.num_rows(), 1u);
  QueryResult evaluated = connection.Execute(
      std::string("SELECT mean_absolute_error, r2_score FROM ML.EVALUATE(MODEL m, (") +
      kLinearRows + "))");
  EXPECT_NEAR(Number(evaluated, 0), 0, 1e-9);
}

TEST(ModelStatementsTest, TransformIsAppliedAtTrainingAndPrediction) {
  Database database;
  Connection connection(database);
  // The model sees x1 * 10 and x2; predictions must undo nothing by hand.
  connection.Execute(std::string("CREATE MODEL m TRANSFORM (x1 * 10 AS big, x2, y) OPTIONS "
                                 "(model_type = 'linear_reg', input_label_cols = ['y']) AS ") +
                     kLinearRows);
  QueryResult info = connection.Execute("SELECT input FROM ML.FEATURE_INFO(MODEL m)");
  EXPECT_EQ(info.ToString(), "big\nx2\n");
  QueryResult predicted = connection.Execute(
      "SELECT predicted_y FROM ML.PREDICT(MODEL m, (SELECT 10.0 AS x1, 10.0 AS x2))");
  EXPECT_NEAR(Number(predicted, 0), -5, 1e-6);
  // The label passes through TRANSFORM at training and is left out at prediction, whatever its
  // case.
  connection.Execute(
      "CREATE MODEL mpg TRANSFORM (Horsepower * 2 AS hp2, Miles_per_Gallon) OPTIONS (model_type "
      "= 'linear_reg', input_label_cols = ['Miles_per_Gallon']) AS SELECT * FROM '" +
      kData + "cars.json'");
  QueryResult cars = connection.Execute(
      "SELECT count(predicted_miles_per_gallon) FROM ML.PREDICT(MODEL mpg, (SELECT Horsepower "
      "FROM '" +
      kData + "cars.json' WHERE Horsepower IS NOT NULL LIMIT 5))");
  EXPECT_EQ(cars.ToString(), "5\n");
}

TEST(ModelStatementsTest, LogisticRegressionSeparatesClassesAndReportsProbabilities) {
  Database database;
  Connection connection(database);
  connection.Execute(
      "CREATE TABLE points AS SELECT x, CASE WHEN x > 50 THEN 'high' ELSE 'low' END AS label "
      "FROM (SELECT range AS x FROM " +
      Range(100) + ") r");
  QueryResult created = connection.Execute(
      "CREATE MODEL c OPTIONS (model_type = 'logistic_reg', input_label_cols = ['label'], "
      "l2_reg = 0.0001) AS SELECT x, label FROM points");
  EXPECT_EQ(Column(created, "accuracy"), 1.0);
  QueryResult predicted = connection.Execute(
      "SELECT predicted_label, predicted_label_probs FROM ML.PREDICT(MODEL c, "
      "(SELECT 90 AS x UNION ALL SELECT 3))");
  EXPECT_EQ(predicted.batches[0].GetValue(0, 0).ToString(), "high");
  EXPECT_EQ(predicted.batches[0].GetValue(0, 1).ToString(), "low");
  EXPECT_NE(predicted.batches[0].GetValue(1, 0).ToString().find("\"high\":0.9"), std::string::npos)
      << predicted.ToString();
  QueryResult matrix = connection.Execute(
      "SELECT * FROM ML.CONFUSION_MATRIX(MODEL c, TABLE points) ORDER BY expected_label");
  EXPECT_EQ(matrix.ToString(), "high|49|0\nlow|0|51\n");
  // Without rows: the matrix of the rows the model was evaluated on at training.
  QueryResult stored =
      connection.Execute("SELECT * FROM ML.CONFUSION_MATRIX(MODEL c) ORDER BY expected_label");
  EXPECT_EQ(stored.ToString(), "high|49|0\nlow|0|51\n");
}

TEST(ModelStatementsTest, KmeansFindsKnownClusters) {
  Database database;
  Connection connection(database);
  connection.Execute(
      "CREATE TABLE blobs AS SELECT (range % 3) * 100 + (range % 7) * 0.1 AS x, "
      "(range % 3) * -50.0 + (range % 5) * 0.1 AS y FROM " +
      Range(300));
  connection.Execute(
      "CREATE MODEL k OPTIONS (model_type = 'kmeans', num_clusters = 3) AS SELECT * FROM blobs");
  QueryResult groups = connection.Execute(
      "SELECT count(DISTINCT centroid_id) AS clusters, count(DISTINCT floor(x / 100) * 10 + "
      "centroid_id) "
      "FROM ML.PREDICT(MODEL k, TABLE blobs)");
  EXPECT_EQ(groups.ToString(), "3|3\n");
  QueryResult centroids = connection.Execute(
      "SELECT round(numerical_value) FROM ML.CENTROIDS(MODEL k) WHERE feature = 'x' ORDER BY 1");
  EXPECT_EQ(centroids.ToString(), "0\n100\n200\n");
  QueryResult evaluated = connection.Execute("SELECT * FROM ML.EVALUATE(MODEL k)");
  EXPECT_LT(Column(evaluated, "davies_bouldin_index"), 0.05);
}

TEST(ModelStatementsTest, LearnsCarsPenguinsAndSeattleWeather) {
  Database database;
  Connection connection(database);
  QueryResult cars = connection.Execute(
      "CREATE MODEL mpg OPTIONS (model_type = 'boosted_tree_regressor', input_label_cols = "
      "['Miles_per_Gallon'], data_split_method = 'random', seed = 7) AS SELECT Miles_per_Gallon, "
      "Cylinders, Displacement, Horsepower, Weight_in_lbs, Acceleration, Year, Origin FROM '" +
      kData + "cars.json'");
  EXPECT_GT(Column(cars, "r2_score"), 0.8);
  QueryResult linear = connection.Execute(
      "CREATE MODEL mpg_linear OPTIONS (model_type = 'linear_reg', input_label_cols = "
      "['Miles_per_Gallon'], data_split_method = 'random', seed = 7) AS SELECT Miles_per_Gallon, "
      "Cylinders, Displacement, Horsepower, Weight_in_lbs, Acceleration, Origin FROM '" +
      kData + "cars.json'");
  EXPECT_GT(Column(linear, "r2_score"), 0.6);
  for (const char* type : {"logistic_reg", "boosted_tree_classifier", "random_forest_classifier"}) {
    QueryResult penguins = connection.Execute(
        std::string("CREATE OR REPLACE MODEL species OPTIONS (model_type = '") + type +
        "', input_label_cols = ['Species'], data_split_method = 'random', seed = 1) AS SELECT "
        "Species, Island, \"Beak Length (mm)\", \"Beak Depth (mm)\", \"Flipper Length (mm)\", "
        "\"Body Mass (g)\", Sex FROM '" +
        kData + "penguins.json'");
    EXPECT_GT(Column(penguins, "accuracy"), 0.95) << type;
    EXPECT_GT(Column(penguins, "roc_auc"), 0.98) << type;
  }
  QueryResult weather = connection.Execute(
      "CREATE MODEL weather OPTIONS (model_type = 'boosted_tree_classifier', input_label_cols = "
      "['weather'], data_split_method = 'seq', data_split_col = 'date') AS SELECT weather, date, "
      "precipitation, temp_max, temp_min, wind FROM '" +
      kData + "seattle-weather.csv'");
  EXPECT_GT(Column(weather, "accuracy"), 0.75);
  EXPECT_GT(Column(weather, "roc_auc"), 0.7);
}

TEST(ModelStatementsTest, TuningKeepsTheBestTrialAndListsEveryTrial) {
  Database database;
  Connection connection(database);
  for (const char* algorithm : {"grid", "random", "halving"}) {
    QueryResult created = connection.Execute(
        std::string("CREATE OR REPLACE MODEL tuned OPTIONS (model_type = "
                    "'boosted_tree_regressor', input_label_cols = ['Miles_per_Gallon'], "
                    "data_split_method = 'random', max_tree_depth = HPARAM_CANDIDATES([2, 4]), "
                    "learn_rate = HPARAM_RANGE(0.1, 0.5), num_trials = 8, max_parallel_trials = "
                    "2, hparam_tuning_algorithm = '") +
        algorithm +
        "') AS SELECT Miles_per_Gallon, Cylinders, Horsepower, Weight_in_lbs, Year FROM '" + kData +
        "cars.json'");
    QueryResult trials = connection.Execute(
        "SELECT count(*), count(*) FILTER (WHERE is_optimal), max(objective), "
        "min(budget) FROM ML.TRIAL_INFO(MODEL tuned)");
    EXPECT_EQ(trials.batches[0].GetValue(1, 0).ToString(), "1") << algorithm;
    EXPECT_NEAR(Number(trials, 2), Column(created, "r2_score"), 1e-9) << algorithm;
    // cars has too few rows for a rung below ml::kMinRungRows: halving trains on all of them.
    EXPECT_EQ(Number(trials, 3), 1) << algorithm << trials.ToString();
    QueryResult optimal = connection.Execute(
        "SELECT hyperparameters FROM ML.TRIAL_INFO(MODEL tuned) WHERE is_optimal");
    EXPECT_NE(optimal.ToString().find("max_tree_depth"), std::string::npos);
  }
}

TEST(ModelStatementsTest, SplitsAndFoldsAreRecorded) {
  TestFolder folder;
  auto database = Database::Open(folder.path());
  Connection connection(*database);
  connection.Execute(
      "CREATE TABLE t AS SELECT range AS x, range * 2.0 + 1 AS y, range % 4 = 0 AS held "
      "FROM " +
      Range(200));
  connection.Execute(
      "CREATE MODEL custom OPTIONS (model_type = 'linear_reg', input_label_cols = ['y'], "
      "data_split_method = 'custom', data_split_col = 'held') AS SELECT * FROM t");
  connection.Execute(
      "CREATE MODEL folds OPTIONS (model_type = 'linear_reg', input_label_cols = ['y'], "
      "num_folds = 4) AS SELECT x, y FROM t");
  QueryResult models = connection.Execute(
      "SELECT name, train_rows, eval_rows, evaluated_on FROM sluice.models ORDER BY name");
  EXPECT_EQ(models.ToString(), "custom|150|50|eval_split\nfolds|200|0|cross_validation\n");
  QueryResult features = connection.Execute("SELECT input FROM ML.FEATURE_INFO(MODEL custom)");
  EXPECT_EQ(features.ToString(), "x\n");  // the split column is not a feature
}

TEST(ModelStatementsTest, ModelsAreVersionedAndPredictTheSameAfterReload) {
  TestFolder folder;
  std::string predictions;
  const std::string predict =
      "SELECT predicted_Species, predicted_Species_probs FROM ML.PREDICT(MODEL s, (SELECT * "
      "FROM '" +
      kData + "penguins.json' LIMIT 20))";
  {
    auto database = Database::Open(folder.path());
    Connection connection(*database);
    const std::string create =
        "CREATE OR REPLACE MODEL s OPTIONS (model_type = 'boosted_tree_classifier', "
        "input_label_cols = ['Species']) AS SELECT * FROM '" +
        kData + "penguins.json'";
    connection.Execute(create);
    connection.Execute(create);
    predictions = connection.Execute(predict).ToString();
  }
  auto database = Database::Open(folder.path());
  Connection connection(*database);
  EXPECT_EQ(connection.Execute(predict).ToString(), predictions);
  EXPECT_EQ(connection.Execute("SELECT version, artifact_path FROM sluice.models").ToString(),
            "1|.sluice/models/s/1\n2|.sluice/models/s/2\n");
  EXPECT_TRUE(std::filesystem::exists(folder.Path(".sluice/models/s/2/model.json")));
  QueryResult lineage = connection.Execute(
      "SELECT count(*) FROM sluice.lineage WHERE to_dataset = 's' AND to_version = 2");
  EXPECT_EQ(lineage.ToString(), "1\n");
  connection.Execute("DROP MODEL s");
  EXPECT_FALSE(std::filesystem::exists(folder.Path(".sluice/models/s")));
  EXPECT_EQ(connection.Execute("SELECT count(*) FROM sluice.models").ToString(), "0\n");
}

TEST(ModelStatementsTest, BadInputGetsClearErrors) {
  Database database;
  Connection connection(database);
  connection.Execute(
      "CREATE TABLE t AS SELECT range AS x, NULL::DOUBLE AS n, 'a' AS c, "
      "range * 1.5 AS y FROM " +
      Range(20));
  auto create = [&](const std::string& options, const std::string& columns = "*") {
    return ErrorOf(connection, "CREATE OR REPLACE MODEL m OPTIONS (" + options + ") AS SELECT " +
                                   columns + " FROM t");
  };
  EXPECT_EQ(create("model_type = 'linear_reg', input_label_cols = ['nope']"),
            "input_label_cols names \"nope\", which the model's query does not return");
  EXPECT_EQ(create("model_type = 'linear_reg', input_label_cols = ['n']"),
            "label column \"n\" is NULL in every row");
  EXPECT_EQ(create("model_type = 'linear_reg', input_label_cols = ['y'], learn_rat = 0.1"),
            "option learn_rat: unknown option; did you mean learn_rate? (line 1, column 89)");
  EXPECT_EQ(create("model_type = 'linear_reg', input_label_cols = ['y'], l2_reg = 'x'"),
            "option l2_reg: takes a number (line 1, column 89)");
  EXPECT_EQ(create("model_type = 'linear_reg', input_label_cols = ['y'], max_tree_depth = 3"),
            "option max_tree_depth: does not apply to model_type 'linear_reg' (line 1, column 89)");
  EXPECT_EQ(create("model_type = 'deep_net'").substr(0, 50),
            "option model_type: unknown model type 'deep_net'; ");
  EXPECT_EQ(create("model_type = 'linear_reg'"),
            "linear_reg needs OPTIONS (input_label_cols = ['column'])");
  EXPECT_EQ(create("model_type = 'logistic_reg', input_label_cols = ['c']"),
            "label column \"c\" has a single class ('a'): a classifier needs two or more");
  EXPECT_EQ(create("model_type = 'linear_reg', input_label_cols = ['y'], max_iterations = "
                   "HPARAM_RANGE(1, 5)"),
            "option max_iterations: is tuned: set num_trials to 2 or more (line 1, column 89)");
  EXPECT_EQ(ErrorOf(connection, "SELECT * FROM ML.PREDICT(MODEL nothing, TABLE t)"),
            "model \"nothing\" does not exist (line 1, column 15)");
  connection.Execute(
      "CREATE MODEL m OPTIONS (model_type = 'boosted_tree_regressor', input_label_cols = ['y']) "
      "AS SELECT x, c, y FROM t");
  EXPECT_EQ(ErrorOf(connection,
                    "CREATE MODEL m OPTIONS (model_type = 'kmeans', "
                    "num_clusters = 2) AS SELECT x FROM t"),
            "model \"m\" already exists (line 1, column 1); use CREATE OR REPLACE MODEL");
  EXPECT_EQ(ErrorOf(connection, "SELECT * FROM ML.WEIGHTS(MODEL m)"),
            "ML.WEIGHTS takes a linear_reg or logistic_reg model; this one is "
            "boosted_tree_regressor (see ML.FEATURE_IMPORTANCE)");
  EXPECT_EQ(ErrorOf(connection, "SELECT * FROM ML.PREDICT(MODEL m, (SELECT 'a' AS x, 'a' AS c))"),
            "feature column \"x\" is VARCHAR, but the model was trained on INTEGER");
  EXPECT_EQ(ErrorOf(connection, "SELECT * FROM ML.PREDICT(MODEL m, (SELECT 1 AS x))"),
            "feature column \"c\" is missing");
  // A category never seen in training sets no one-hot feature: a prediction, not an error.
  QueryResult unseen = connection.Execute(
      "SELECT predicted_y FROM ML.PREDICT(MODEL m, (SELECT 3 AS x, 'never seen' AS c))");
  EXPECT_EQ(unseen.num_rows(), 1u);
  EXPECT_FALSE(std::isnan(Number(unseen, 0)));
}

}  // namespace
}  // namespace sluice::session
