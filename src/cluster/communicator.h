#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::cluster {

/// Names how AllReduce combines the ranks' values element by element.
enum class ReduceOp : uint8_t { kSum, kMin, kMax };

/// Returns "sum", "min" or "max".
std::string_view ReduceOpName(ReduceOp op);

/// Connects the ranks of one SPMD run (every rank runs the same program and the same plan) and
/// moves byte buffers between them in collectives.
///
/// Contract for every collective: all ranks call the same collectives in the same order, with
/// matching arguments (the same root, the same span length and op); the buffers themselves may
/// differ in size per rank, and may be empty. A rank that skips a collective makes the others
/// wait: the thread backend then fails with InternalError, MPI waits until the job is killed.
/// A failing rank should call Abort() so that the others stop too.
///
/// Traffic counters count payload bytes as if every transfer went straight from rank to rank:
/// what this rank's buffers carried to other ranks and what arrived from other ranks; nothing
/// for a rank's own part, the sizes exchanged first, or how the backend routes the data. Summed
/// over all ranks, bytes sent equals bytes received.
///
/// Thread-safety: one thread per rank calls the collectives of that rank's communicator (for
/// MPI, the thread that made it). The counters may be read from any thread.
class Communicator {
 public:
  Communicator() = default;
  virtual ~Communicator() = default;
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  /// Returns this rank's number, in [0, size()).
  virtual int rank() const = 0;
  /// Returns the number of ranks, at least 1.
  virtual int size() const = 0;

  /// Returns once every rank has entered Barrier().
  void Barrier();
  /// Replaces `bytes` on every rank with `bytes` of rank `root`. REQUIRES: 0 <= root < size().
  void Broadcast(std::string& bytes, int root);
  /// Replaces each value with the `op` of that position's values on all ranks (sums in rank
  /// order in the thread backend; MPI picks its own order, so double sums may round
  /// differently). REQUIRES: the same length on every rank; int64 sums fit in int64.
  void AllReduce(std::span<double> values, ReduceOp op);
  void AllReduce(std::span<int64_t> values, ReduceOp op);
  /// Returns every rank's `mine`, indexed by rank (this rank's own included).
  std::vector<std::string> AllGather(std::string_view mine);
  /// Sends `to_each[r]` to rank r and returns what each rank sent here, indexed by sender.
  /// REQUIRES: to_each.size() == size().
  std::vector<std::string> AllToAll(std::vector<std::string> to_each);

  /// Makes the other ranks stop after this one failed: in the thread backend their pending and
  /// later collectives throw; under MPI the whole job ends and this call does not return. Not a
  /// collective: one rank calls it alone.
  virtual void Abort() = 0;

  /// Returns the payload bytes this rank sent to other ranks so far.
  uint64_t bytes_sent() const { return bytes_sent_.load(std::memory_order_relaxed); }
  /// Returns the payload bytes this rank received from other ranks so far.
  uint64_t bytes_received() const { return bytes_received_.load(std::memory_order_relaxed); }

 private:
  // The backends' collectives. The public methods above check the arguments and count the
  // traffic, so every backend agrees on both.
  virtual void DoBarrier() = 0;
  virtual void DoBroadcast(std::string& bytes, int root) = 0;
  virtual void DoAllReduce(std::span<double> values, ReduceOp op) = 0;
  virtual void DoAllReduce(std::span<int64_t> values, ReduceOp op) = 0;
  virtual std::vector<std::string> DoAllGather(std::string_view mine) = 0;
  virtual std::vector<std::string> DoAllToAll(std::vector<std::string> to_each) = 0;

  void Count(uint64_t sent, uint64_t received);

  std::atomic<uint64_t> bytes_sent_ = 0;
  std::atomic<uint64_t> bytes_received_ = 0;
};

/// Joins the ranks' agreement on whether any of them failed. Every rank calls it at the same
/// point, `failure` being what this rank caught (null: nothing). Returns when no rank failed;
/// otherwise throws on every rank: the failing rank its own exception, the others an error of
/// the same kind (UserError, DataError, IoError, InternalError) with the message of the lowest
/// failing rank, so that every rank reports the same error.
void AgreeOnFailure(Communicator& comm, const std::exception_ptr& failure);

}  // namespace sluice::cluster
