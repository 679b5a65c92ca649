// CREATE MODEL with tuning across ranks (threads of this process standing in for MPI ranks, each
// with its own in-memory database): every trial runs on one rank, and every rank ends with the
// trials and the model that one process alone would have.

#include <gtest/gtest.h>

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

// Returns a FROM item of the integers 0 .. count-1 as column `range` (count <= 10000).
std::string Range(int count) {
  const std::string digits = "(VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9))";
  const std::string number = "a.d * 1000 + b.d * 100 + c.d * 10 + e.d";
  return "(SELECT " + number + " AS range FROM " + digits + " AS a(d), " + digits + " AS b(d), " +
         digits + " AS c(d), " + digits + " AS e(d) WHERE " + number + " < " +
         std::to_string(count) + ") AS numbers";
}

// Returns the statement making table t: `rows` rows (300 unless a test needs enough rows for
// several rungs of halving) of two numbers and a category; y depends on all three, a step and
// a remainder that no feature explains, so that every hyperparameter set scores differently;
// `rare` is 1 in five rows only.
std::string MakeTable(int rows) {
  return "CREATE TABLE t AS SELECT range AS id, range % 17 AS x1, (range * 37) % 101 AS x2, 'c' "
         "|| CAST(range % 3 AS VARCHAR) AS c, (range * 37) % 101 / 10.0 + (range % 3) * 2 + CASE "
         "WHEN range % 17 > 8 THEN 5.0 ELSE 0.0 END + ((range * 7919) % 13) / 10.0 AS y, CASE WHEN "
         "range BETWEEN 150 AND 154 THEN 1 ELSE 0 END AS rare FROM " +
         Range(rows);
}

// Is what a connection answers about model m after CREATE MODEL.
struct Trained {
  std::string trials;       // ML.TRIAL_INFO, by trial_id
  std::string predictions;  // id and ML.PREDICT's value, by id
  std::vector<int> ranks;   // per trial, the rank its record names (-1: none)
  std::vector<std::vector<std::string>> trial_cells;  // `trials` split into rows and cells
};

std::vector<std::vector<std::string>> Cells(const std::string& rows) {
  std::vector<std::vector<std::string>> cells;
  std::istringstream lines(rows);
  for (std::string line; std::getline(lines, line);) {
    cells.emplace_back();
    std::istringstream parts(line);
    for (std::string cell; std::getline(parts, cell, '|');) cells.back().push_back(cell);
  }
  return cells;
}

Trained Train(Database& database, Connection& connection, const std::string& create,
              const std::string& predict) {
  connection.Execute(create);
  Trained trained;
  trained.trials =
      connection.Execute("SELECT * FROM ML.TRIAL_INFO(MODEL m) ORDER BY trial_id").ToString();
  trained.trial_cells = Cells(trained.trials);
  trained.predictions =
      connection
          .Execute("SELECT id, " + predict + " FROM ML.PREDICT(MODEL m, (SELECT * FROM t)) " +
                   "ORDER BY id")
          .ToString();
  for (const catalog::TrialRecord& trial : database.models().Find("m")->trials) {
    json::object details = json::parse(trial.details_json).as_object();
    trained.ranks.push_back(details.contains("rank") ? details.at("rank").to_number<int>() : -1);
  }
  return trained;
}

Trained OnOneProcess(const std::string& create, const std::string& predict, int rows) {
  Database database;
  Connection connection(database);
  connection.Execute(MakeTable(rows));
  return Train(database, connection, create, predict);
}

std::vector<Trained> OnRanks(int size, const std::string& create, const std::string& predict,
                             int rows) {
  std::vector<Trained> answers(size);
  cluster::RunRanks(size, [&](cluster::Communicator& communicator) {
    Database database;
    Connection connection(database);
    connection.Execute(MakeTable(rows));
    connection.set_ranks(&communicator);
    answers[communicator.rank()] = Train(database, connection, create, predict);
  });
  return answers;
}

void ExpectNear(const std::string& got, const std::string& want, const std::string& what) {
  if (got == want) return;
  ASSERT_NE(got, "NULL") << what;
  ASSERT_NE(want, "NULL") << what;
  EXPECT_NEAR(std::stod(got), std::stod(want), 1e-9) << what;
}

void ExpectSameMetrics(const std::string& got, const std::string& want, const std::string& what) {
  json::object got_json = json::parse(got).as_object();
  json::object want_json = json::parse(want).as_object();
  ASSERT_EQ(got_json.size(), want_json.size()) << what;
  for (const auto& [name, value] : want_json) {
    ASSERT_TRUE(got_json.contains(name)) << what << " " << name;
    const json::value& other = got_json.at(name);
    ASSERT_EQ(other.is_null(), value.is_null()) << what << " " << name;
    if (value.is_null()) continue;
    EXPECT_NEAR(other.to_number<double>(), value.to_number<double>(), 1e-9) << what << " " << name;
  }
}

// Expects `got` to be `want` but for the seconds the trials took; numbers within 1e-9.
void ExpectSameTrials(const Trained& got, const Trained& want, const std::string& what) {
  // trial_id, hyperparameters, metrics, objective, budget, training_seconds, status,
  // error_message, is_optimal
  ASSERT_EQ(got.trial_cells.size(), want.trial_cells.size()) << what << "\n" << got.trials;
  for (size_t row = 0; row < want.trial_cells.size(); ++row) {
    const std::vector<std::string>& cells = got.trial_cells[row];
    const std::vector<std::string>& expected = want.trial_cells[row];
    ASSERT_EQ(cells.size(), 9u) << what;
    std::string trial = what + ", trial " + expected[0];
    for (size_t column : {0, 1, 4, 6, 7, 8}) EXPECT_EQ(cells[column], expected[column]) << trial;
    ExpectSameMetrics(cells[2], expected[2], trial);
    ExpectNear(cells[3], expected[3], trial + " objective");
  }
}

void ExpectSamePredictions(const std::string& got, const std::string& want,
                           const std::string& what) {
  std::vector<std::vector<std::string>> cells = Cells(got);
  std::vector<std::vector<std::string>> expected = Cells(want);
  ASSERT_EQ(cells.size(), expected.size()) << what;
  for (size_t row = 0; row < expected.size(); ++row) {
    ASSERT_EQ(cells[row].size(), 2u) << what;
    EXPECT_EQ(cells[row][0], expected[row][0]) << what;
    ExpectNear(cells[row][1], expected[row][1], what + ", id " + expected[row][0]);
  }
}

// Trains `create` alone and on 1 to 4 ranks: every rank must list the same trials (seconds
// included: they come from the rank that ran the trial), those of one process, with trial i run
// by rank i % size alone, and predict what one process predicts. Returns the lone process's.
Trained ExpectRanksTrainAsOneProcess(const std::string& create,
                                     const std::string& predict = "predicted_y", int rows = 300) {
  SCOPED_TRACE(create);
  Trained single = OnOneProcess(create, predict, rows);
  EXPECT_GE(single.trial_cells.size(), 4u) << single.trials;
  for (int rank : single.ranks) EXPECT_EQ(rank, -1);
  for (int size : {1, 2, 3, 4}) {
    std::vector<Trained> answers = OnRanks(size, create, predict, rows);
    for (int rank = 0; rank < size; ++rank) {
      std::string what = "rank " + std::to_string(rank) + " of " + std::to_string(size);
      const Trained& answer = answers[rank];
      EXPECT_EQ(answer.trials, answers[0].trials) << what;
      EXPECT_EQ(answer.predictions, answers[0].predictions) << what;
      ExpectSameTrials(answer, single, what);
      ExpectSamePredictions(answer.predictions, single.predictions, what);
      EXPECT_EQ(answer.ranks.size(), single.ranks.size()) << what;
      for (size_t trial = 0; trial < answer.ranks.size(); ++trial) {
        EXPECT_EQ(answer.ranks[trial], size == 1 ? -1 : static_cast<int>(trial % size))
            << what << ", trial " << trial + 1;
      }
    }
  }
  return single;
}

TEST(ModelRanksTest, GridTrialsAreSpreadOverTheRanks) {
  ExpectRanksTrainAsOneProcess(
      "CREATE MODEL m OPTIONS (model_type = 'linear_reg', input_label_cols = ['y'], "
      "data_split_method = 'random', l2_reg = HPARAM_CANDIDATES([0, 0.3, 3, 30, 300]), "
      "num_trials = 5, hparam_tuning_algorithm = 'grid') AS SELECT x1, x2, c, y FROM t");
}

TEST(ModelRanksTest, FoldsFitTheFinalModelOnTheBestTrialsRank) {
  ExpectRanksTrainAsOneProcess(
      "CREATE MODEL m OPTIONS (model_type = 'linear_reg', input_label_cols = ['y'], num_folds = "
      "3, l2_reg = HPARAM_RANGE(0.01, 100), num_trials = 4, hparam_tuning_algorithm = 'grid') AS "
      "SELECT x1, x2, c, y FROM t");
}

TEST(ModelRanksTest, RandomSearchOverBoostedTrees) {
  ExpectRanksTrainAsOneProcess(
      "CREATE MODEL m OPTIONS (model_type = 'boosted_tree_regressor', input_label_cols = ['y'], "
      "data_split_method = 'random', max_tree_depth = HPARAM_CANDIDATES([2, 4]), learn_rate = "
      "HPARAM_RANGE(0.1, 0.5), num_trials = 7, max_parallel_trials = 2, "
      "hparam_tuning_algorithm = 'random') AS SELECT x1, x2, c, y FROM t");
}

TEST(ModelRanksTest, HalvingSharesEachRungBeforePromoting) {
  Trained single = ExpectRanksTrainAsOneProcess(
      "CREATE MODEL m OPTIONS (model_type = 'boosted_tree_regressor', input_label_cols = ['y'], "
      "data_split_method = 'random', max_tree_depth = HPARAM_RANGE(2, 6), learn_rate = "
      "HPARAM_RANGE(0.05, 0.5), num_trials = 9, hparam_tuning_algorithm = 'halving') AS SELECT "
      "x1, x2, c, y FROM t",
      "predicted_y", 5000);                   // no rung trains on fewer than ml::kMinRungRows rows
  ASSERT_EQ(single.trial_cells.size(), 13u);  // rungs of 9, 3 and 1 trials
  EXPECT_EQ(single.trial_cells[12][4], "1");
}

TEST(ModelRanksTest, FailedTrialsAreSharedLikeTheOthers) {
  // The rows of the early rungs (seeded samples of at least ml::kMinRungRows rows) hold no
  // rare example, so a classifier cannot train there: those trials fail, on whichever rank
  // runs them; the last rung (all training rows) succeeds.
  Trained single = ExpectRanksTrainAsOneProcess(
      "CREATE MODEL m OPTIONS (model_type = 'boosted_tree_classifier', input_label_cols = "
      "['rare'], data_split_method = 'random', learn_rate = HPARAM_RANGE(0.05, 0.5), num_trials "
      "= 9, hparam_tuning_algorithm = 'halving') AS SELECT x1, x2, c, rare FROM t",
      "predicted_rare", 5000);
  EXPECT_NE(single.trials.find("FAILED"), std::string::npos) << single.trials;
  EXPECT_NE(single.trials.find("SUCCEEDED"), std::string::npos) << single.trials;
}

}  // namespace
}  // namespace sluice::session
