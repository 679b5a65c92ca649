#include "cluster/communicator.h"

#include <array>

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

// The kinds of error a failure is reported as on the ranks that did not fail.
constexpr char kUserError = 'U', kDataError = 'D', kIoError = 'I', kInternalError = 'E';

std::string DescribeFailure(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const DataError& error) {
    return kDataError + std::string(error.what());
  } catch (const IoError& error) {
    return kIoError + std::string(error.what());
  } catch (const UserError& error) {
    return kUserError + std::string(error.what());
  } catch (const std::exception& error) {
    return kInternalError + std::string(error.what());
  } catch (...) {
    return kInternalError + std::string("unknown error");
  }
}

[[noreturn]] void ThrowFailure(const std::string& described) {
  std::string message = described.substr(1);
  switch (described.front()) {
    case kDataError:
      throw DataError(message);
    case kIoError:
      throw IoError(message);
    case kUserError:
      throw UserError(message);
    default:
      throw InternalError(message);
  }
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

void AgreeOnFailure(Communicator& comm, const std::exception_ptr& failure) {
  std::array<int64_t, 1> first_failed = {failure ? comm.rank() : comm.size()};
  comm.AllReduce(first_failed, ReduceOp::kMin);
  if (first_failed[0] == comm.size()) return;
  std::string described;
  if (comm.rank() == first_failed[0]) described = DescribeFailure(failure);
  comm.Broadcast(described, static_cast<int>(first_failed[0]));
  if (failure) std::rethrow_exception(failure);
  ThrowFailure(described);
}

}  // namespace sluice::cluster
