#include "cluster/thread_ranks.h"

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"

namespace sluice::cluster {
namespace {

using ::testing::HasSubstr;

// Returns `length` bytes that differ by sender, receiver and round.
std::string Bytes(int from, int to, int round, size_t length) {
  std::string bytes(length, '\0');
  for (size_t i = 0; i < length; ++i) bytes[i] = static_cast<char>(from * 59 + to * 17 + round + i);
  return bytes;
}

// Makes some ranks late to some collectives, so that arrival orders vary.
void Jitter(const Communicator& comm, int round) {
  if ((comm.rank() + round) % 3 == 0) std::this_thread::yield();
  if ((comm.rank() * 7 + round) % 29 == 0)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
}

class ThreadRanksTest : public ::testing::TestWithParam<int> {
 protected:
  int ranks() const { return GetParam(); }
};

TEST_P(ThreadRanksTest, NumbersTheRanks) {
  std::vector<std::atomic<int>> seen(ranks());
  RunRanks(ranks(), [&](Communicator& comm) {
    EXPECT_EQ(comm.size(), ranks());
    seen[comm.rank()]++;
  });
  for (const auto& count : seen) EXPECT_EQ(count.load(), 1);
}

TEST_P(ThreadRanksTest, BarrierSeparatesPhases) {
  std::atomic<int> arrived = 0;
  RunRanks(ranks(), [&](Communicator& comm) {
    for (int phase = 1; phase <= 20; ++phase) {
      Jitter(comm, phase);
      arrived++;
      comm.Barrier();
      // Everyone has arrived in this phase, and nobody can arrive in the next one yet.
      EXPECT_EQ(arrived.load(), phase * ranks());
      comm.Barrier();
    }
  });
}

TEST_P(ThreadRanksTest, BroadcastsFromEveryRoot) {
  RunRanks(ranks(), [&](Communicator& comm) {
    for (int root = 0; root < comm.size(); ++root) {
      std::string bytes = comm.rank() == root ? Bytes(root, 0, 1, 100 + root) : "old";
      comm.Broadcast(bytes, root);
      EXPECT_EQ(bytes, Bytes(root, 0, 1, 100 + root));
    }
  });
}

TEST_P(ThreadRanksTest, ReducesDoublesAndIntegers) {
  RunRanks(ranks(), [&](Communicator& comm) {
    int n = comm.size();
    double rank = comm.rank();
    std::vector<double> sums{rank, 1.5, -rank};
    comm.AllReduce(std::span<double>(sums), ReduceOp::kSum);
    EXPECT_EQ(sums, (std::vector<double>{n * (n - 1) / 2.0, 1.5 * n, -n * (n - 1) / 2.0}));
    std::vector<double> low{rank, -rank};
    comm.AllReduce(std::span<double>(low), ReduceOp::kMin);
    EXPECT_EQ(low, (std::vector<double>{0, -(n - 1.0)}));
    std::vector<double> high{rank, -rank};
    comm.AllReduce(std::span<double>(high), ReduceOp::kMax);
    EXPECT_EQ(high, (std::vector<double>{n - 1.0, 0}));

    int64_t big = INT64_MAX / 8;
    std::vector<int64_t> ints{comm.rank() + 1, big, INT64_MIN + comm.rank()};
    std::vector<int64_t> int_sums{comm.rank() + 1, big};
    comm.AllReduce(std::span<int64_t>(int_sums), ReduceOp::kSum);
    EXPECT_EQ(int_sums, (std::vector<int64_t>{n * (n + 1) / 2, big * n}));
    std::vector<int64_t> int_low = ints;
    comm.AllReduce(std::span<int64_t>(int_low), ReduceOp::kMin);
    EXPECT_EQ(int_low, (std::vector<int64_t>{1, big, INT64_MIN}));
    std::vector<int64_t> int_high = ints;
    comm.AllReduce(std::span<int64_t>(int_high), ReduceOp::kMax);
    EXPECT_EQ(int_high, (std::vector<int64_t>{n, big, INT64_MIN + n - 1}));
  });
}

TEST_P(ThreadRanksTest, ReducesEmptyAndLargeSpans) {
  RunRanks(ranks(), [&](Communicator& comm) {
    std::vector<double> none;
    comm.AllReduce(std::span<double>(none), ReduceOp::kSum);
    std::vector<double> values(200000);
    for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i) + comm.rank();
    comm.AllReduce(std::span<double>(values), ReduceOp::kMax);
    for (size_t i = 0; i < values.size(); i += 9973) {
      EXPECT_EQ(values[i], static_cast<double>(i) + comm.size() - 1);
    }
  });
}

TEST_P(ThreadRanksTest, GathersBuffersOfDifferentSizes) {
  RunRanks(ranks(), [&](Communicator& comm) {
    // Rank 0 sends nothing; the last rank sends a megabyte.
    auto size_of = [&](int r) { return r == comm.size() - 1 ? size_t{1} << 20 : r * size_t{1000}; };
    std::vector<std::string> from_each =
        comm.AllGather(Bytes(comm.rank(), 0, 2, size_of(comm.rank())));
    ASSERT_EQ(from_each.size(), static_cast<size_t>(comm.size()));
    for (int r = 0; r < comm.size(); ++r) EXPECT_EQ(from_each[r], Bytes(r, 0, 2, size_of(r)));
  });
}

TEST_P(ThreadRanksTest, ExchangesAllToAll) {
  RunRanks(ranks(), [&](Communicator& comm) {
    auto size_of = [](int from, int to) {
      return from == to ? size_t{0} : size_t(from * 300 + to);
    };
    std::vector<std::string> to_each(comm.size());
    for (int r = 0; r < comm.size(); ++r)
      to_each[r] = Bytes(comm.rank(), r, 3, size_of(comm.rank(), r));
    std::vector<std::string> from_each = comm.AllToAll(std::move(to_each));
    ASSERT_EQ(from_each.size(), static_cast<size_t>(comm.size()));
    for (int r = 0; r < comm.size(); ++r) {
      EXPECT_EQ(from_each[r], Bytes(r, comm.rank(), 3, size_of(r, comm.rank())));
    }
  });
}

// Hundreds of collectives of every kind back to back, with ranks arriving in varying orders:
// a result from a neighbouring round would show up as wrong bytes.
TEST_P(ThreadRanksTest, KeepsBackToBackCollectivesApart) {
  RunRanks(ranks(), [&](Communicator& comm) {
    for (int round = 0; round < 300; ++round) {
      Jitter(comm, round);
      switch (round % 4) {
        case 0: {
          std::string bytes = comm.rank() == round % comm.size()
                                  ? Bytes(round % comm.size(), 0, round, round % 50)
                                  : "";
          comm.Broadcast(bytes, round % comm.size());
          ASSERT_EQ(bytes, Bytes(round % comm.size(), 0, round, round % 50));
          break;
        }
        case 1: {
          std::vector<int64_t> values{round, comm.rank()};
          comm.AllReduce(std::span<int64_t>(values), ReduceOp::kSum);
          ASSERT_EQ(values[0], int64_t{round} * comm.size());
          break;
        }
        case 2: {
          std::vector<std::string> from_each =
              comm.AllGather(Bytes(comm.rank(), 0, round, comm.rank() + round % 7));
          for (int r = 0; r < comm.size(); ++r)
            ASSERT_EQ(from_each[r], Bytes(r, 0, round, r + round % 7));
          break;
        }
        default: {
          std::vector<std::string> to_each(comm.size());
          for (int r = 0; r < comm.size(); ++r)
            to_each[r] = Bytes(comm.rank(), r, round, 1 + r + round % 5);
          std::vector<std::string> from_each = comm.AllToAll(std::move(to_each));
          for (int r = 0; r < comm.size(); ++r) {
            ASSERT_EQ(from_each[r], Bytes(r, comm.rank(), round, 1 + comm.rank() + round % 5));
          }
        }
      }
    }
  });
}

TEST_P(ThreadRanksTest, RethrowsTheFailingRanksError) {
  // The other ranks wait in a barrier the failing rank never reaches; they must be released.
  auto run = [&] {
    RunRanks(ranks(), [&](Communicator& comm) {
      comm.Barrier();
      if (comm.rank() == ranks() - 1) throw std::runtime_error("rank failed on purpose");
      comm.Barrier();
    });
  };
  EXPECT_THAT(run, ::testing::ThrowsMessage<std::runtime_error>(HasSubstr("on purpose")));
}

TEST_P(ThreadRanksTest, MakesCommunicatorsForOwnThreads) {
  std::vector<std::unique_ptr<Communicator>> comms = MakeThreadRanks(ranks());
  ASSERT_EQ(comms.size(), static_cast<size_t>(ranks()));
  std::vector<std::thread> threads;
  std::vector<std::string> gathered(ranks());
  for (int r = 0; r < ranks(); ++r) {
    threads.emplace_back([&, r] {
      EXPECT_EQ(comms[r]->rank(), r);
      std::vector<std::string> from_each = comms[r]->AllGather(std::to_string(r));
      for (const std::string& part : from_each) gathered[r] += part;
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::string all;
  for (int r = 0; r < ranks(); ++r) all += std::to_string(r);
  for (const std::string& text : gathered) EXPECT_EQ(text, all);
}

INSTANTIATE_TEST_SUITE_P(Ranks, ThreadRanksTest, ::testing::Values(1, 2, 4),
                         [](const auto& info) { return std::to_string(info.param) + "Ranks"; });

TEST(ThreadRanksErrorTest, ReportsDifferentCollectivesOnRanks) {
  auto run = [] {
    RunRanks(2, [](Communicator& comm) {
      if (comm.rank() == 0) {
        comm.Barrier();
      } else {
        comm.AllGather("x");
      }
    });
  };
  EXPECT_THAT(run, ::testing::ThrowsMessage<InternalError>(HasSubstr("AllGather")));
}

TEST(ThreadRanksErrorTest, ReportsDifferentRootsAndLengths) {
  EXPECT_THROW(RunRanks(2,
                        [](Communicator& comm) {
                          std::string bytes = "x";
                          comm.Broadcast(bytes, comm.rank());
                        }),
               InternalError);
  EXPECT_THROW(RunRanks(3,
                        [](Communicator& comm) {
                          std::vector<double> values(comm.rank() == 2 ? 3 : 2);
                          comm.AllReduce(std::span<double>(values), ReduceOp::kSum);
                        }),
               InternalError);
}

TEST(ThreadRanksErrorTest, ReportsARankThatFinishedEarly) {
  auto run = [] {
    RunRanks(3, [](Communicator& comm) {
      comm.Barrier();
      if (comm.rank() != 1) comm.Barrier();
    });
  };
  EXPECT_THAT(run, ::testing::ThrowsMessage<InternalError>(HasSubstr("rank 1 has finished")));
}

TEST(ThreadRanksErrorTest, RejectsBadArguments) {
  EXPECT_THROW(RunRanks(2,
                        [](Communicator& comm) {
                          std::string bytes;
                          comm.Broadcast(bytes, 2);
                        }),
               InternalError);
  EXPECT_THROW(RunRanks(2, [](Communicator& comm) { comm.AllToAll({"only one"}); }), InternalError);
  EXPECT_THROW(MakeThreadRanks(0), InternalError);
}

TEST(ThreadRanksErrorTest, AbortStopsTheOtherRanks) {
  std::atomic<int> stopped = 0;
  RunRanks(3, [&](Communicator& comm) {
    if (comm.rank() == 0) {
      comm.Abort();
      return;
    }
    try {
      comm.Barrier();
    } catch (const InternalError& error) {
      EXPECT_THAT(error.what(), HasSubstr("another rank failed"));
      stopped++;
    }
  });
  EXPECT_EQ(stopped.load(), 2);
}

}  // namespace
}  // namespace sluice::cluster
