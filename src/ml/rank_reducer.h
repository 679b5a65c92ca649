#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::ml {

/// Names how RankReducer::AllReduce combines the ranks' values element by element.
enum class Reduction : uint8_t { kSum, kMin, kMax };

/// Connects the ranks of a data-parallel training: each rank holds its own share of the rows
/// and the estimators combine what they learn from them in these collectives (session
/// implements it over the cluster communicator, so ml does not depend on cluster).
///
/// Contract: every rank calls the same collectives in the same order with matching arguments
/// (the same span length, reduction and root). Double sums must come out bit for bit the same
/// on every rank (the thread backend adds in rank order), so that every rank takes the same
/// decisions from them. One thread per rank calls its reducer.
class RankReducer {
 public:
  RankReducer() = default;
  virtual ~RankReducer() = default;
  RankReducer(const RankReducer&) = delete;
  RankReducer& operator=(const RankReducer&) = delete;

  /// Returns this rank's number, in [0, size()).
  virtual int rank() const = 0;
  /// Returns the number of ranks, at least 1.
  virtual int size() const = 0;
  /// Replaces each value with the `op` of that position's values on all ranks.
  virtual void AllReduce(std::span<double> values, Reduction op) = 0;
  virtual void AllReduce(std::span<int64_t> values, Reduction op) = 0;
  /// Returns every rank's `mine`, indexed by rank.
  virtual std::vector<std::string> AllGather(std::string_view mine) = 0;
  /// Replaces `bytes` on every rank with rank `root`'s. REQUIRES: 0 <= root < size().
  virtual void Broadcast(std::string& bytes, int root) = 0;
  /// Returns when no rank failed; else throws on every rank the lowest failing rank's error.
  /// `failure` is what this rank caught (null: nothing).
  virtual void Agree(const std::exception_ptr& failure) = 0;
};

/// Runs `step`, work of this rank alone that may throw (checks of its rows), then agrees with
/// the other ranks on whether any failed: every rank throws when one did.
void RunTogether(RankReducer& ranks, const std::function<void()>& step);

/// Returns the sum of `value` over the ranks.
double SumOverRanks(RankReducer& ranks, double value);
size_t SumOverRanks(RankReducer& ranks, size_t value);

/// Returns, per rank, its `value` (every rank learns every rank's count).
std::vector<size_t> CountsOfRanks(RankReducer& ranks, size_t value);

/// Returns, for each `values[i]` (this rank's numbers, no NaN) and `k[i]`, the exact value of
/// 0-based position k[i] among the values of every rank in ascending order: a bisection on the
/// doubles' bits, 64 rounds of one allreduce each. REQUIRES: k[i] < the count over all ranks.
std::vector<double> KthOverRanks(RankReducer& ranks, std::vector<std::vector<double>> values,
                                 const std::vector<size_t>& k);

}  // namespace sluice::ml
