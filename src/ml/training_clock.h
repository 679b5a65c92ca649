#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "ml/estimator.h"

namespace sluice::ml {

/// Is the clock of one training run, started when made: it stamps each TrainingIteration with
/// the time since then (ML.TRAINING_INFO's duration_ms).
class TrainingClock {
 public:
  /// Returns the milliseconds since the clock was made.
  double ElapsedMilliseconds() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
        .count();
  }

  /// Appends to `info` the next iteration (numbered info.size()) with `loss`, `eval_loss` and
  /// the time elapsed now.
  void Append(std::vector<TrainingIteration>& info, double loss,
              std::optional<double> eval_loss) const {
    info.push_back({static_cast<int64_t>(info.size()), loss, eval_loss, ElapsedMilliseconds()});
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace sluice::ml
