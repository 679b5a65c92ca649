#include "cluster/communicator.h"

#include "base/error.h"

namespace sluice::cluster {
namespace {

// Returns the bytes that arrived from ranks other than `self`.
uint64_t BytesFromOthers(const std::vector<std::string>& from_each, int self) {
  uint64_t bytes = 0;
  for (size_t r = 0; r < from_each.size(); ++r) {
    if (static_cast<int>(r) != self) bytes += from_each[r].size();
  }
  return bytes;
}

}  // namespace

std::string_view ReduceOpName(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      return "sum";
    case ReduceOp::kMin:
      return "min";
    case ReduceOp::kMax:
      return "max";
  }
  return "?";
}

void Communicator::Barrier() { DoBarrier(); }

void Communicator::Broadcast(std::string& bytes, int root) {
  SLUICE_CHECK(root >= 0 && root < size());
  DoBroadcast(bytes, root);
  uint64_t others = static_cast<uint64_t>(size() - 1);
  if (rank() == root) {
    Count(bytes.size() * others, 0);
  } else {
    Count(0, bytes.size());
  }
}

void Communicator::AllReduce(std::span<double> values, ReduceOp op) {
  DoAllReduce(values, op);
  uint64_t bytes = values.size_bytes() * static_cast<uint64_t>(size() - 1);
  Count(bytes, bytes);
}

void Communicator::AllReduce(std::span<int64_t> values, ReduceOp op) {
  DoAllReduce(values, op);
  uint64_t bytes = values.size_bytes() * static_cast<uint64_t>(size() - 1);
  Count(bytes, bytes);
}

std::vector<std::string> Communicator::AllGather(std::string_view mine) {
  std::vector<std::string> from_each = DoAllGather(mine);
  SLUICE_CHECK(from_each.size() == static_cast<size_t>(size()));
  Count(mine.size() * static_cast<uint64_t>(size() - 1), BytesFromOthers(from_each, rank()));
  return from_each;
}

std::vector<std::string> Communicator::AllToAll(std::vector<std::string> to_each) {
  SLUICE_CHECK(to_each.size() == static_cast<size_t>(size()));
  uint64_t sent = BytesFromOthers(to_each, rank());
  std::vector<std::string> from_each = DoAllToAll(std::move(to_each));
  SLUICE_CHECK(from_each.size() == static_cast<size_t>(size()));
  Count(sent, BytesFromOthers(from_each, rank()));
  return from_each;
}

void Communicator::Count(uint64_t sent, uint64_t received) {
  bytes_sent_.fetch_add(sent, std::memory_order_relaxed);
  bytes_received_.fetch_add(received, std::memory_order_relaxed);
}

}  // namespace sluice::cluster
