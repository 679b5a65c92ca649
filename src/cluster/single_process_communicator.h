#pragma once

#include "cluster/communicator.h"

namespace sluice::cluster {

/// Is the communicator of a run with one rank: rank 0 of 1. Every collective returns at once
/// with this rank's own data; nothing is counted as traffic.
class SingleProcessCommunicator final : public Communicator {
 public:
  SingleProcessCommunicator() = default;

  int rank() const override { return 0; }
  int size() const override { return 1; }
  /// Does nothing: there is no other rank to stop.
  void Abort() override {}

 private:
  void DoBarrier() override {}
  void DoBroadcast(std::string&, int) override {}
  void DoAllReduce(std::span<double>, ReduceOp) override {}
  void DoAllReduce(std::span<int64_t>, ReduceOp) override {}
  std::vector<std::string> DoAllGather(std::string_view mine) override {
    return {std::string(mine)};
  }
  std::vector<std::string> DoAllToAll(std::vector<std::string> to_each) override { return to_each; }
};

}  // namespace sluice::cluster
