#pragma once

// Tests only: ranks as threads of this process, exchanging through shared slots.

#include <algorithm>
#include <barrier>
#include <cstring>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ml/rank_reducer.h"

namespace sluice::ml {

/// Runs a body on `size` threads, each with a RankReducer over the others; sums in rank order.
class FakeRanks {
 public:
  explicit FakeRanks(int size) : slots_(static_cast<size_t>(size)), barrier_(size) {}

  /// Runs `body` on every rank and returns once all ended. REQUIRES: `body` does not throw.
  void Run(const std::function<void(RankReducer&)>& body) {
    std::vector<std::thread> threads;
    for (int rank = 0; rank < static_cast<int>(slots_.size()); ++rank) {
      threads.emplace_back([this, rank, &body] {
        Rank reducer(*this, rank);
        body(reducer);
      });
    }
    for (std::thread& thread : threads) thread.join();
  }

 private:
  class Rank final : public RankReducer {
   public:
    Rank(FakeRanks& ranks, int rank) : ranks_(ranks), rank_(rank) {}
    int rank() const override { return rank_; }
    int size() const override { return static_cast<int>(ranks_.slots_.size()); }
    void AllReduce(std::span<double> values, Reduction op) override { Reduce(values, op); }
    void AllReduce(std::span<int64_t> values, Reduction op) override { Reduce(values, op); }
    std::vector<std::string> AllGather(std::string_view mine) override {
      ranks_.slots_[static_cast<size_t>(rank_)] = std::string(mine);
      ranks_.barrier_.arrive_and_wait();
      std::vector<std::string> all = ranks_.slots_;
      ranks_.barrier_.arrive_and_wait();
      return all;
    }
    void Broadcast(std::string& bytes, int root) override {
      bytes = AllGather(bytes)[static_cast<size_t>(root)];
    }
    void Agree(const std::exception_ptr& failure) override {
      std::string message;
      if (failure != nullptr) {
        try {
          std::rethrow_exception(failure);
        } catch (const std::exception& error) {
          message = std::string("!") + error.what();
        }
      }
      for (const std::string& other : AllGather(message)) {
        if (!other.empty()) throw std::runtime_error(other.substr(1));
      }
    }

   private:
    template <typename T>
    void Reduce(std::span<T> values, Reduction op) {
      const std::vector<std::string> all = AllGather(std::string_view(
          reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)));
      for (size_t i = 0; i < values.size(); ++i) {
        for (size_t rank = 0; rank < all.size(); ++rank) {
          T value;
          std::memcpy(&value, all[rank].data() + i * sizeof(T), sizeof(T));
          if (rank == 0) {
            values[i] = value;
          } else if (op == Reduction::kSum) {
            values[i] += value;
          } else {
            values[i] =
                op == Reduction::kMin ? std::min(values[i], value) : std::max(values[i], value);
          }
        }
      }
    }

    FakeRanks& ranks_;
    int rank_;
  };

  std::vector<std::string> slots_;
  std::barrier<> barrier_;
};

}  // namespace sluice::ml
