#include "cluster/thread_ranks.h"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>

#include <fmt/format.h>

#include "base/error.h"

namespace sluice::cluster {
namespace {

enum class Kind : uint8_t {
  kBarrier,
  kBroadcast,
  kAllReduceDouble,
  kAllReduceInt64,
  kAllGather,
  kAllToAll
};

// Is what one rank asked for: every rank of a round must ask for the same.
struct Call {
  Kind kind;
  int root = 0;
  size_t count = 0;
  ReduceOp op = ReduceOp::kSum;

  friend bool operator==(const Call&, const Call&) = default;

  std::string ToString() const {
    switch (kind) {
      case Kind::kBarrier:
        return "Barrier";
      case Kind::kBroadcast:
        return fmt::format("Broadcast(root {})", root);
      case Kind::kAllReduceDouble:
        return fmt::format("AllReduce(double, {} values, {})", count, ReduceOpName(op));
      case Kind::kAllReduceInt64:
        return fmt::format("AllReduce(int64, {} values, {})", count, ReduceOpName(op));
      case Kind::kAllGather:
        return "AllGather";
      case Kind::kAllToAll:
        return "AllToAll";
    }
    return "?";
  }
};

// Is one collective in flight: every rank deposits its part, the last to arrive completes it,
// then each rank takes its results out.
struct Round {
  uint64_t generation = UINT64_MAX;
  Call call{Kind::kBarrier};
  std::string mismatch;
  int arrived = 0;
  bool complete = false;
  // parts[from][to]; collectives without destinations use parts[from][0].
  std::vector<std::vector<std::string>> parts;
  // AllReduce: each rank's input, combined by the last to arrive into the first rank's copy.
  std::vector<std::vector<double>> doubles;
  std::vector<std::vector<int64_t>> ints;
};

template <typename T>
void Combine(std::vector<std::vector<T>>& inputs, ReduceOp op) {
  std::vector<T>& result = inputs[0];
  for (size_t r = 1; r < inputs.size(); ++r) {
    const std::vector<T>& input = inputs[r];
    for (size_t i = 0; i < result.size(); ++i) {
      switch (op) {
        case ReduceOp::kSum:
          if constexpr (std::is_integral_v<T>) {
            // Wraps instead of overflowing, which would be undefined.
            result[i] =
                static_cast<T>(static_cast<uint64_t>(result[i]) + static_cast<uint64_t>(input[i]));
          } else {
            result[i] += input[i];
          }
          break;
        case ReduceOp::kMin:
          result[i] = std::min(result[i], input[i]);
          break;
        case ReduceOp::kMax:
          result[i] = std::max(result[i], input[i]);
          break;
      }
    }
  }
}

// Is the in-memory exchange all ranks of one MakeThreadRanks share. Rounds alternate between
// two slots: a rank can only enter round g + 2 once every rank has entered round g + 1, and
// every rank finished reading round g before entering g + 1, so g's slot is free by then.
// Ranks read their results outside the lock for the same reason.
class Exchange {
 public:
  explicit Exchange(int size) : size_(size), left_(size, false) {}

  // Runs round `generation` for `rank`: `deposit(round)` stores its part under the lock, the
  // last rank to arrive calls `complete(round)`, then the round is returned for reading.
  template <typename Deposit, typename Complete>
  Round& Run(int rank, uint64_t generation, const Call& call, Deposit deposit, Complete complete) {
    std::unique_lock lock(mutex_);
    Round& round = rounds_[generation % 2];
    if (round.generation != generation) Reset(round, generation, call);
    if (!(round.call == call) && round.mismatch.empty()) {
      round.mismatch = fmt::format("rank {} called {} while another rank called {}", rank,
                                   call.ToString(), round.call.ToString());
    }
    deposit(round);
    if (++round.arrived == size_) {
      if (round.mismatch.empty()) complete(round);
      round.complete = true;
      changed_.notify_all();
    } else {
      changed_.wait(lock, [&] { return round.complete || aborted_ || AnyLeft(); });
    }
    if (!round.complete) Fail(rank, call);
    if (!round.mismatch.empty()) Throw<InternalError>("cluster: {}", round.mismatch);
    return round;
  }

  void Abort() {
    std::lock_guard lock(mutex_);
    aborted_ = true;
    changed_.notify_all();
  }

  void Leave(int rank) {
    std::lock_guard lock(mutex_);
    left_[rank] = true;
    changed_.notify_all();
  }

 private:
  void Reset(Round& round, uint64_t generation, const Call& call) {
    round.generation = generation;
    round.call = call;
    round.mismatch.clear();
    round.arrived = 0;
    round.complete = false;
    round.parts.assign(size_, {});
    round.doubles.assign(size_, {});
    round.ints.assign(size_, {});
  }

  bool AnyLeft() const { return std::find(left_.begin(), left_.end(), true) != left_.end(); }

  [[noreturn]] void Fail(int rank, const Call& call) const {
    if (aborted_) {
      Throw<InternalError>("cluster: rank {} stopped in {}: another rank failed", rank,
                           call.ToString());
    }
    int gone = static_cast<int>(std::find(left_.begin(), left_.end(), true) - left_.begin());
    Throw<InternalError>("cluster: rank {} waits in {} but rank {} has finished", rank,
                         call.ToString(), gone);
  }

  const int size_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::array<Round, 2> rounds_;
  bool aborted_ = false;
  std::vector<bool> left_;
};

class ThreadRankCommunicator final : public Communicator {
 public:
  ThreadRankCommunicator(std::shared_ptr<Exchange> exchange, int rank, int size)
      : exchange_(std::move(exchange)), rank_(rank), size_(size) {}
  ~ThreadRankCommunicator() override { exchange_->Leave(rank_); }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void Abort() override { exchange_->Abort(); }

 private:
  template <typename Deposit, typename Complete = void (*)(Round&)>
  Round& Run(
      const Call& call, Deposit deposit, Complete complete = [](Round&) {}) {
    return exchange_->Run(rank_, generation_++, call, deposit, complete);
  }

  void DoBarrier() override {
    Run({Kind::kBarrier}, [](Round&) {});
  }

  void DoBroadcast(std::string& bytes, int root) override {
    Round& round = Run({Kind::kBroadcast, root}, [&](Round& round) {
      if (rank_ == root) round.parts[root].push_back(bytes);
    });
    if (rank_ != root) bytes = round.parts[root][0];
  }

  void DoAllReduce(std::span<double> values, ReduceOp op) override {
    Round& round = Run(
        {Kind::kAllReduceDouble, 0, values.size(), op},
        [&](Round& round) { round.doubles[rank_].assign(values.begin(), values.end()); },
        [op](Round& round) { Combine(round.doubles, op); });
    std::copy(round.doubles[0].begin(), round.doubles[0].end(), values.begin());
  }

  void DoAllReduce(std::span<int64_t> values, ReduceOp op) override {
    Round& round = Run(
        {Kind::kAllReduceInt64, 0, values.size(), op},
        [&](Round& round) { round.ints[rank_].assign(values.begin(), values.end()); },
        [op](Round& round) { Combine(round.ints, op); });
    std::copy(round.ints[0].begin(), round.ints[0].end(), values.begin());
  }

  std::vector<std::string> DoAllGather(std::string_view mine) override {
    Round& round =
        Run({Kind::kAllGather}, [&](Round& round) { round.parts[rank_].emplace_back(mine); });
    std::vector<std::string> from_each(size_);
    for (int r = 0; r < size_; ++r) from_each[r] = round.parts[r][0];
    return from_each;
  }

  std::vector<std::string> DoAllToAll(std::vector<std::string> to_each) override {
    Round& round =
        Run({Kind::kAllToAll}, [&](Round& round) { round.parts[rank_] = std::move(to_each); });
    // Each (sender, receiver) part is taken by its receiver only, so moving it out is safe.
    std::vector<std::string> from_each(size_);
    for (int r = 0; r < size_; ++r) from_each[r] = std::move(round.parts[r][rank_]);
    return from_each;
  }

  std::shared_ptr<Exchange> exchange_;
  const int rank_;
  const int size_;
  uint64_t generation_ = 0;
};

std::vector<std::unique_ptr<Communicator>> MakeRanks(const std::shared_ptr<Exchange>& exchange,
                                                     int size) {
  std::vector<std::unique_ptr<Communicator>> ranks;
  ranks.reserve(size);
  for (int r = 0; r < size; ++r) {
    ranks.push_back(std::make_unique<ThreadRankCommunicator>(exchange, r, size));
  }
  return ranks;
}

}  // namespace

std::vector<std::unique_ptr<Communicator>> MakeThreadRanks(int size) {
  SLUICE_CHECK(size >= 1);
  return MakeRanks(std::make_shared<Exchange>(size), size);
}

void RunRanks(int size, const std::function<void(Communicator&)>& body) {
  SLUICE_CHECK(size >= 1);
  auto exchange = std::make_shared<Exchange>(size);
  std::vector<std::unique_ptr<Communicator>> ranks = MakeRanks(exchange, size);
  std::mutex mutex;
  std::exception_ptr first_error;
  auto run = [&](int r) {
    try {
      body(*ranks[r]);
      // Leaving at once lets ranks still waiting for this one fail instead of hanging.
      ranks[r].reset();
    } catch (...) {
      {
        std::lock_guard lock(mutex);
        if (!first_error) first_error = std::current_exception();
      }
      exchange->Abort();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(size);
  try {
    for (int r = 0; r < size; ++r) threads.emplace_back(run, r);
  } catch (...) {
    exchange->Abort();
    for (std::thread& thread : threads) thread.join();
    throw;
  }
  for (std::thread& thread : threads) thread.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace sluice::cluster
