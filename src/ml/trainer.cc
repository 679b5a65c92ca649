#include "ml/trainer.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <random>
#include <utility>

#include "base/error.h"
#include "ml/metrics.h"
#include "ml/model_wire.h"
#include "ml/training_setup.h"

namespace sluice::ml {
namespace {

namespace json = boost::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct Fit {
  std::unique_ptr<Model> model;
  Metrics metrics;
};

// Returns the objective as a score where larger is better (NaN stays NaN).
double Score(const Setup& setup, const Metrics& metrics) {
  double value = MetricValue(metrics, setup.objective);
  return HigherIsBetter(setup.objective) ? value : -value;
}

// Returns the rows of `data` whose label is not NULL, in `kept` when some are (else `data`).
const Table& RowsWithLabel(const Table& data, const Column& label, Table& kept) {
  std::vector<size_t> rows = LabelledRows(data, label);
  if (rows.empty()) Throw<UserError>("label column \"{}\" is NULL in every row", label.name);
  if (rows.size() == data.num_rows) return data;
  kept = SelectTableRows(data, rows);
  return kept;
}

Fit FitOnce(const Setup& setup, const Params& params, const Table& train, const Table* eval,
            int threads) {
  FeatureSpec spec = FitFeatures(train, setup.excluded, setup.feature_options, nullptr, threads);
  auto model = std::make_unique<Model>(setup.options.type, params, std::move(spec), setup.label);
  bool supervised = !setup.label.name.empty();
  Matrix x = MakeFeatures(model->features(), train, threads);
  Labels y = supervised ? model->MakeLabels(train) : Labels{};
  if (eval == nullptr || eval->num_rows == 0) {
    model->estimator().Fit(x, y, nullptr, threads);
    Metrics metrics = model->EvaluateFeatures(x, y, threads);
    return {std::move(model), std::move(metrics)};
  }
  Matrix eval_x = MakeFeatures(model->features(), *eval, threads);
  Labels eval_y = supervised ? model->MakeLabels(*eval) : Labels{};
  EvalSet eval_set{eval_x, eval_y};
  model->estimator().Fit(x, y, &eval_set, threads);
  Metrics metrics = model->Evaluate(*eval, threads);
  return {std::move(model), std::move(metrics)};
}

// Returns the mean metrics over k folds of `data`.
Metrics CrossValidate(const Setup& setup, const Params& params, const Table& data, int threads) {
  Metrics sum;
  std::vector<Split> folds = KFold(data.num_rows, static_cast<int>(setup.options.num_folds),
                                   static_cast<uint64_t>(setup.options.seed));
  for (const Split& fold : folds) {
    Table train = SelectTableRows(data, fold.train);
    Table eval = SelectTableRows(data, fold.eval);
    Metrics metrics = FitOnce(setup, params, train, &eval, threads).metrics;
    if (sum.empty()) sum.assign(metrics.size(), {"", 0});
    for (size_t i = 0; i < metrics.size(); ++i) {
      sum[i].first = metrics[i].first;
      sum[i].second += metrics[i].second / static_cast<double>(folds.size());
    }
  }
  return sum;
}

}  // namespace

namespace {

// Runs the trials of one CREATE MODEL and keeps their fitted models. With a distributor, runs
// this rank's trials alone and learns the others' outcomes from their ranks after each Run.
class TrialRunner {
 public:
  TrialRunner(const Setup& setup, const Table& train, const Table& eval, int threads,
              TrialDistributor* distributor)
      : setup_(setup), train_(train), eval_(eval), threads_(threads), distributor_(distributor) {}

  // Runs `configs` of `sets` on the first `rows` training rows of a seeded shuffle (all of
  // them: the training rows as they are); returns their scores.
  std::vector<double> Run(const std::vector<Params>& sets, const std::vector<size_t>& configs,
                          size_t rows) {
    const double budget = rows >= train_.num_rows
                              ? 1
                              : static_cast<double>(rows) / static_cast<double>(train_.num_rows);
    const Table subset = budget < 1 ? SomeRows(rows) : Table{};
    const Table& budget_rows = budget < 1 ? subset : train_;
    size_t first = trials_.size();
    trials_.resize(first + configs.size());
    models_.resize(first + configs.size());
    configs_.resize(first + configs.size());
    std::vector<size_t> mine;
    for (size_t i = 0; i < configs.size(); ++i) {
      configs_[first + i] = configs[i];
      Describe(sets[configs[i]], budget, first + i);
      if (distributor_ == nullptr || distributor_->Mine(first + i)) mine.push_back(first + i);
    }
    size_t parallel = std::min<size_t>({static_cast<size_t>(setup_.options.max_parallel_trials),
                                        static_cast<size_t>(threads_), mine.size()});
    parallel = std::max<size_t>(parallel, 1);
    int model_threads = std::max(1, threads_ / static_cast<int>(parallel));
    RunParallel(mine.size(), parallel, [&](size_t i) {
      RunOne(sets[configs_[mine[i]]], budget_rows, model_threads, mine[i]);
    });
    Exchange(mine);
    std::vector<double> scores;
    for (size_t i = 0; i < configs.size(); ++i) scores.push_back(trials_[first + i].objective);
    return scores;
  }

  // Returns the index of the best trial run at budget 1; throws the first error when none ran.
  size_t Best() const {
    size_t best = trials_.size();
    for (size_t i = 0; i < trials_.size(); ++i) {
      if (trials_[i].budget < 1 || std::isnan(trials_[i].objective)) continue;
      if (best == trials_.size() || trials_[i].objective > trials_[best].objective) best = i;
    }
    if (best < trials_.size()) return best;
    for (const Trial& trial : trials_) {
      if (!trial.error.empty()) throw UserError(trial.error);
    }
    Throw<UserError>("no trial gave a finite {}", setup_.objective);
  }

  std::vector<Trial>& trials() { return trials_; }
  std::unique_ptr<Model>& model(size_t trial) { return models_[trial]; }
  size_t config(size_t trial) const { return configs_[trial]; }

 private:
  // Fills in what every rank knows of trial `slot` before it runs.
  void Describe(const Params& params, double budget, size_t slot) {
    Trial& trial = trials_[slot];
    trial.id = static_cast<int64_t>(slot) + 1;
    trial.budget = budget;
    for (const Hparam& h : setup_.options.hparams) {
      trial.hparams.Set(h.name, params.values().at(h.name));
    }
  }

  // Runs one trial on `rows` (the training rows or the rung's part of them).
  void RunOne(const Params& params, const Table& rows, int threads, size_t slot) {
    auto start = std::chrono::steady_clock::now();
    Trial& trial = trials_[slot];
    try {
      if (setup_.options.num_folds >= 2) {
        trial.metrics = CrossValidate(setup_, params, rows, threads);
      } else {
        Fit fit = FitOnce(setup_, params, rows, &eval_, threads);
        trial.metrics = std::move(fit.metrics);
        models_[slot] = std::move(fit.model);
      }
      trial.objective = Score(setup_, trial.metrics);
    } catch (const UserError& error) {
      trial.error = error.what();
      trial.objective = kNaN;
    } catch (...) {
      // Not the trial's parameters but a fault: it ends the CREATE MODEL (on every rank) once
      // the other trials have stopped.
      std::lock_guard lock(failure_mutex_);
      if (failure_ == nullptr) failure_ = std::current_exception();
    }
    trial.seconds = SecondsSince(start);
  }

  // Makes the outcomes of the trials of the last Run that other ranks ran known here, bit for
  // bit as their ranks measured them (this rank's own are read back too), so that every rank
  // ranks the trials alike. Throws the fault a trial met here or on another rank.
  void Exchange(const std::vector<size_t>& mine) {
    std::exception_ptr failure = std::exchange(failure_, nullptr);
    if (distributor_ == nullptr) {
      if (failure != nullptr) std::rethrow_exception(failure);
      return;
    }
    json::array outcomes;
    for (size_t slot : mine) outcomes.push_back(OutcomeToJson(slot));
    std::vector<std::string> shared = distributor_->Share(JsonToBytes(outcomes), failure);
    for (size_t rank = 0; rank < shared.size(); ++rank) {
      json::value outcomes_of_rank = JsonFromBytes(shared[rank]);
      for (const json::value& outcome : outcomes_of_rank.as_array()) {
        ReadOutcome(outcome.as_object(), static_cast<int>(rank));
      }
    }
  }

  json::object OutcomeToJson(size_t slot) const {
    const Trial& trial = trials_[slot];
    json::array metrics;  // pairs, since their order is BigQuery ML's
    for (const auto& [name, value] : trial.metrics) metrics.push_back(json::array{name, value});
    return json::object{{"slot", static_cast<uint64_t>(slot)},
                        {"metrics", std::move(metrics)},
                        {"objective", trial.objective},
                        {"seconds", trial.seconds},
                        {"error", trial.error}};
  }

  void ReadOutcome(const json::object& outcome, int rank) {
    uint64_t slot = outcome.at("slot").as_uint64();
    SLUICE_CHECK(slot < trials_.size());
    Trial& trial = trials_[slot];
    trial.metrics.clear();
    for (const json::value& pair : outcome.at("metrics").as_array()) {
      trial.metrics.emplace_back(std::string(pair.as_array().at(0).as_string()),
                                 pair.as_array().at(1).as_double());
    }
    trial.objective = outcome.at("objective").as_double();
    trial.seconds = outcome.at("seconds").as_double();
    trial.error = std::string(outcome.at("error").as_string());
    trial.rank = rank;
  }

  // Returns the first `rows` training rows of a seeded shuffle, in their order in the data; the
  // shuffle is made once, so that each rung's rows hold the rows of the rungs before it.
  Table SomeRows(size_t rows) {
    if (order_.empty()) {
      order_.resize(train_.num_rows);
      for (size_t i = 0; i < order_.size(); ++i) order_[i] = i;
      std::mt19937_64 random(static_cast<uint64_t>(setup_.options.seed) + 1);
      std::shuffle(order_.begin(), order_.end(), random);
    }
    std::vector<size_t> subset(order_.begin(), order_.begin() + std::min(rows, order_.size()));
    std::sort(subset.begin(), subset.end());
    return SelectTableRows(train_, subset);
  }

  const Setup& setup_;
  const Table& train_;
  const Table& eval_;
  int threads_;
  TrialDistributor* distributor_;  // null: every trial runs here
  std::vector<size_t> order_;      // the shuffled training rows, once a rung needs part of them
  std::vector<Trial> trials_;
  std::vector<std::unique_ptr<Model>> models_;
  std::vector<size_t> configs_;
  std::mutex failure_mutex_;
  std::exception_ptr failure_;  // the first fault of a trial of this Run, not yet thrown
};

void RunHalving(TrialRunner& runner, const std::vector<Params>& sets, size_t train_rows) {
  std::vector<size_t> alive(sets.size());
  for (size_t i = 0; i < alive.size(); ++i) alive[i] = i;
  for (const Rung& rung : HalvingRungs(sets.size(), train_rows)) {
    alive.resize(std::min(alive.size(), rung.num_configs));
    std::vector<double> scores = runner.Run(sets, alive, rung.rows);
    alive = BestConfigs(alive, scores, alive.size());
  }
}

// Returns the model of trial `trial`, made by `make` on rank `owner`, the rank that ran the
// trial, and sent to the others in the model's own serialization: retraining it on every rank
// would cost each a full training. The bytes hold doubles bit for bit, so every rank predicts
// alike.
std::unique_ptr<Model> SendModel(TrialDistributor& distributor, size_t trial, int owner,
                                 const std::function<std::unique_ptr<Model>()>& make) {
  std::unique_ptr<Model> model;
  std::string bytes;
  std::exception_ptr failure;
  if (distributor.Mine(trial)) {
    try {
      model = make();
      bytes = ModelToBytes(*model);
    } catch (...) {
      failure = std::current_exception();
    }
  }
  distributor.BroadcastFrom(owner, bytes, failure);
  try {
    if (model == nullptr) model = ModelFromBytes(bytes);
  } catch (...) {
    failure = std::current_exception();
  }
  // Only the receivers read bytes: one that fails must not leave the others waiting in the
  // statement's next collective.
  distributor.Share({}, failure);
  return model;
}

}  // namespace

TrainingOutcome TrainModel(const ModelOptions& options, const Table& input, int threads,
                           TrialDistributor* distributor) {
  auto start = std::chrono::steady_clock::now();
  const Table* data = &input;
  Table labelled;
  if (TaskOf(options.type) != ModelTask::kClustering) {
    data = &RowsWithLabel(input, LabelColumn(options, input), labelled);
  } else if (input.num_rows == 0) {
    Throw<UserError>("the model's query returned no rows");
  }
  Setup setup = MakeSetup(options, *data);
  bool folds = options.num_folds >= 2;
  Split split = folds ? Split{} : SplitRows(options, *data);
  // Without held-out rows the training rows are the data as it is (no copy).
  Table selected = folds || split.eval.empty() ? Table{} : SelectTableRows(*data, split.train);
  const Table& train = folds || split.eval.empty() ? *data : selected;
  Table eval = SelectTableRows(*data, split.eval);

  std::vector<Params> sets = HparamSets(options);
  // A single set leaves nothing to spread: every rank trains it as it would alone.
  TrialDistributor* spread = sets.size() > 1 ? distributor : nullptr;
  TrialRunner runner(setup, train, eval, threads, spread);
  if (options.hparam_tuning_algorithm == "halving" && sets.size() > 1) {
    RunHalving(runner, sets, train.num_rows);
  } else {
    std::vector<size_t> all(sets.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    runner.Run(sets, all, train.num_rows);
  }
  size_t best = runner.Best();
  TrainingOutcome outcome;
  outcome.evaluation = runner.trials()[best].metrics;
  auto best_model = [&] {
    return folds ? FitOnce(setup, sets[runner.config(best)], train, nullptr, threads).model
                 : std::move(runner.model(best));
  };
  outcome.model = spread == nullptr
                      ? best_model()
                      : SendModel(*spread, best, runner.trials()[best].rank, best_model);
  outcome.evaluated_on = folds               ? "cross_validation"
                         : eval.num_rows > 0 ? "eval_split"
                                             : "training_data";
  if (!options.hparams.empty()) {
    runner.trials()[best].best = true;
    outcome.trials = std::move(runner.trials());
    outcome.objective = setup.objective;
  }
  if (TaskOf(options.type) == ModelTask::kClassification && !folds) {
    const Table& rows = eval.num_rows > 0 ? eval : train;
    outcome.confusion_matrix =
        ConfusionMatrix(outcome.model->MakeLabels(rows), outcome.model->Outputs(rows, threads));
  }
  outcome.train_rows = train.num_rows;
  outcome.eval_rows = eval.num_rows;
  outcome.seconds = SecondsSince(start);
  return outcome;
}

}  // namespace sluice::ml
