#include "ml/tuning.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>

namespace sluice::ml {
namespace {

constexpr size_t kEta = 3;
constexpr size_t kGridPoints = 4;

bool Wide(const Hparam& h) { return h.min > 0 && h.max / h.min >= 100; }

double RoundIfInteger(const Hparam& h, double value) {
  return h.integer ? std::round(value) : value;
}

std::vector<ParamValue> GridValues(const Hparam& h) {
  if (!h.range) return h.candidates;
  std::vector<double> numbers;
  bool few_integers = h.integer && h.max - h.min < kGridPoints;
  for (double v = h.min; few_integers && v <= h.max; ++v) numbers.push_back(v);
  for (size_t i = 0; !few_integers && i < kGridPoints; ++i) {
    double t = static_cast<double>(i) / (kGridPoints - 1);
    double v = Wide(h) ? h.min * std::pow(h.max / h.min, t) : h.min + t * (h.max - h.min);
    numbers.push_back(RoundIfInteger(h, v));
  }
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  return std::vector<ParamValue>(numbers.begin(), numbers.end());
}

std::vector<Params> Grid(const ModelOptions& options) {
  std::vector<Params> sets{options.params};
  for (const Hparam& h : options.hparams) {
    std::vector<Params> next;
    for (const Params& base : sets) {
      for (const ParamValue& value : GridValues(h)) {
        Params params = base;
        params.Set(h.name, value);
        next.push_back(std::move(params));
      }
    }
    sets = std::move(next);
  }
  if (sets.size() > static_cast<size_t>(options.num_trials)) sets.resize(options.num_trials);
  return sets;
}

ParamValue Draw(const Hparam& h, std::mt19937_64& random) {
  if (!h.range) {
    return h.candidates[std::uniform_int_distribution<size_t>(0, h.candidates.size() - 1)(random)];
  }
  double t = std::uniform_real_distribution<double>(0, 1)(random);
  double v = Wide(h) ? h.min * std::pow(h.max / h.min, t) : h.min + t * (h.max - h.min);
  return RoundIfInteger(h, v);
}

std::string Key(const Params& params) {
  std::string key;
  for (const auto& [name, value] : params.values()) {
    key += name + "=" + std::visit([](const auto& v) { return fmt::format("{}", v); }, value) + ";";
  }
  return key;
}

// Returns a plan of `rungs` rungs: the last on every row, each before it on eta times fewer
// rows but at least kMinRungRows (at most all of them), each promoting a third.
std::vector<Rung> Plan(size_t num_configs, size_t train_rows, size_t rungs) {
  const double rows = static_cast<double>(train_rows);
  const double floor = std::min(static_cast<double>(kMinRungRows), rows);
  std::vector<Rung> plan;
  size_t alive = num_configs;
  for (size_t r = 0; r < rungs; ++r) {
    const double fraction = std::pow(static_cast<double>(kEta),
                                     static_cast<double>(r + 1) - static_cast<double>(rungs));
    Rung rung;
    rung.rows = r + 1 == rungs ? train_rows
                               : static_cast<size_t>(std::max(floor, std::ceil(fraction * rows)));
    rung.budget = train_rows == 0 ? 1 : static_cast<double>(rung.rows) / rows;
    rung.num_configs = alive;
    plan.push_back(rung);
    alive = std::max<size_t>(1, alive / kEta);
  }
  return plan;
}

// Returns the rows a plan trains on, over all its trials.
double RowsTrained(const std::vector<Rung>& plan) {
  double sum = 0;
  for (const Rung& rung : plan) sum += static_cast<double>(rung.rows * rung.num_configs);
  return sum;
}

}  // namespace

std::vector<Params> HparamSets(const ModelOptions& options) {
  if (options.hparams.empty()) return {options.params};
  if (options.hparam_tuning_algorithm == "grid") return Grid(options);
  std::mt19937_64 random(static_cast<uint64_t>(options.seed));
  std::vector<Params> sets;
  std::set<std::string> seen;
  // Small spaces run out of distinct sets: stop after enough repeated draws.
  for (size_t attempt = 0; sets.size() < static_cast<size_t>(options.num_trials) &&
                           attempt < 20 * static_cast<size_t>(options.num_trials);
       ++attempt) {
    Params params = options.params;
    for (const Hparam& h : options.hparams) params.Set(h.name, Draw(h, random));
    if (seen.insert(Key(params)).second) sets.push_back(std::move(params));
  }
  return sets;
}

std::vector<Rung> HalvingRungs(size_t num_configs, size_t train_rows) {
  // At most one rung per factor eta of configurations and of rows above kMinRungRows; of those
  // plans, the one that trains on the fewest rows (then the one with fewer rungs): on small
  // data the floor on the first rung can make more rungs cost more than fewer.
  size_t most = 1;
  for (size_t n = num_configs; n >= kEta; n /= kEta) ++most;
  size_t data_rungs = 1;
  for (double rows = static_cast<double>(train_rows); rows > kMinRungRows; rows /= kEta) {
    ++data_rungs;
  }
  most = std::min(most, data_rungs);
  std::vector<Rung> best = Plan(num_configs, train_rows, 1);
  for (size_t rungs = 2; rungs <= most; ++rungs) {
    std::vector<Rung> plan = Plan(num_configs, train_rows, rungs);
    if (RowsTrained(plan) < RowsTrained(best)) best = std::move(plan);
  }
  return best;
}

std::vector<size_t> BestConfigs(const std::vector<size_t>& configs,
                                const std::vector<double>& scores, size_t keep) {
  std::vector<size_t> order(configs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (std::isnan(scores[a])) return false;
    if (std::isnan(scores[b])) return true;
    return scores[a] > scores[b];
  });
  std::vector<size_t> best;
  for (size_t i = 0; i < std::min(keep, order.size()); ++i) best.push_back(configs[order[i]]);
  return best;
}

void RunParallel(size_t count, size_t parallel, const std::function<void(size_t)>& job) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < count; i = next++) job(i);
  };
  std::vector<std::thread> threads;
  for (size_t t = 1; t < std::min(parallel, count); ++t) threads.emplace_back(worker);
  worker();
  for (std::thread& thread : threads) thread.join();
}

}  // namespace sluice::ml
