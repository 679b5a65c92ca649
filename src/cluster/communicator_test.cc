#include "cluster/communicator.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "cluster/communicator_conformance.h"
#include "cluster/mpi_communicator.h"
#include "cluster/single_process_communicator.h"
#include "cluster/thread_ranks.h"

namespace sluice::cluster {
namespace {

TEST(SingleProcessTest, IsRankZeroOfOne) {
  SingleProcessCommunicator comm;
  EXPECT_EQ(comm.rank(), 0);
  EXPECT_EQ(comm.size(), 1);
  comm.Barrier();
  std::string bytes = "kept";
  comm.Broadcast(bytes, 0);
  EXPECT_EQ(bytes, "kept");
  std::vector<double> values{1.5, -2};
  comm.AllReduce(std::span<double>(values), ReduceOp::kSum);
  EXPECT_EQ(values, (std::vector<double>{1.5, -2}));
  EXPECT_EQ(comm.AllGather("mine"), std::vector<std::string>{"mine"});
  EXPECT_EQ(comm.AllToAll({"to myself"}), std::vector<std::string>{"to myself"});
  EXPECT_EQ(comm.bytes_sent(), 0u);
  EXPECT_EQ(comm.bytes_received(), 0u);
}

TEST(SingleProcessTest, RejectsOtherRoots) {
  SingleProcessCommunicator comm;
  std::string bytes;
  EXPECT_THROW(comm.Broadcast(bytes, 1), InternalError);
  EXPECT_THROW(comm.AllToAll({"a", "b"}), InternalError);
}

TEST(SingleProcessTest, PassesTheConformanceChecks) {
  SingleProcessCommunicator comm;
  CheckCollectives(comm, 1 << 20);
  CheckBatchExchange(comm);
}

class ConformanceTest : public ::testing::TestWithParam<int> {};

TEST_P(ConformanceTest, ThreadRanksPassTheCollectiveChecks) {
  RunRanks(GetParam(), [](Communicator& comm) { CheckCollectives(comm, 3 << 20); });
}

TEST_P(ConformanceTest, ThreadRanksExchangeBatches) {
  RunRanks(GetParam(), [](Communicator& comm) { CheckBatchExchange(comm); });
}

TEST_P(ConformanceTest, CountsTrafficBetweenRanks) {
  int ranks = GetParam();
  std::vector<uint64_t> sent(ranks), received(ranks);
  RunRanks(ranks, [&](Communicator& comm) {
    std::string bytes = comm.rank() == 0 ? std::string(1000, 'x') : std::string();
    comm.Broadcast(bytes, 0);
    comm.AllGather(std::string(100, 'y'));
    sent[comm.rank()] = comm.bytes_sent();
    received[comm.rank()] = comm.bytes_received();
  });
  uint64_t others = ranks - 1;
  EXPECT_EQ(sent[0], 1000 * others + 100 * others);
  EXPECT_EQ(received[0], 100 * others);
  for (int r = 1; r < ranks; ++r) {
    EXPECT_EQ(sent[r], 100 * others);
    EXPECT_EQ(received[r], 1000 + 100 * others);
  }
}

INSTANTIATE_TEST_SUITE_P(Ranks, ConformanceTest, ::testing::Values(1, 2, 4),
                         [](const auto& info) { return std::to_string(info.param) + "Ranks"; });

TEST(ConformanceTest, CatchesAWrongBackend) {
  // A backend whose AllGather forgets the other ranks must fail the checks.
  class Forgetful final : public Communicator {
   public:
    int rank() const override { return 0; }
    int size() const override { return 2; }
    void Abort() override {}

   private:
    void DoBarrier() override {}
    void DoBroadcast(std::string&, int) override {}
    void DoAllReduce(std::span<double>, ReduceOp) override {}
    void DoAllReduce(std::span<int64_t>, ReduceOp) override {}
    std::vector<std::string> DoAllGather(std::string_view mine) override {
      return {std::string(mine), std::string(mine)};
    }
    std::vector<std::string> DoAllToAll(std::vector<std::string> to_each) override {
      return to_each;
    }
  };
  Forgetful comm;
  EXPECT_THROW(CheckCollectives(comm, 100), InternalError);
}

#ifndef SLUICE_MPI_BUILT
TEST(MpiBackendTest, SaysClearlyWhenItIsNotBuilt) {
  EXPECT_THAT([] { MakeMpiCommunicator(); },
              ::testing::ThrowsMessage<UserError>(::testing::HasSubstr("no MPI support")));
}
#endif

}  // namespace
}  // namespace sluice::cluster
