// The MPI backend, built when CMake finds MPI. MPI's counts and displacements are ints, so
// every transfer is cut into rounds of at most `max_message_bytes`, after the ranks have told
// each other their 64-bit sizes.
#include "cluster/mpi_communicator.h"

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string_view>
#include <thread>

#include <spdlog/spdlog.h>

#include "base/error.h"

namespace sluice::cluster {
namespace {

void Check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  Throw<IoError>("cluster: {} failed: {}", call, std::string_view(text, length));
}

void FinalizeMpi() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void InitializeMpi() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) Throw<InternalError>("cluster: MPI was finalized already");
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return;
  // FUNNELED: worker threads never call MPI; only the main thread, which made the communicator.
  int provided = 0;
  Check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  std::atexit(FinalizeMpi);
}

MPI_Op ToMpi(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      return MPI_SUM;
    case ReduceOp::kMin:
      return MPI_MIN;
    case ReduceOp::kMax:
      return MPI_MAX;
  }
  return MPI_OP_NULL;
}

// Sets the counts and displacements of round `round` in which each rank moves at most
// `per_rank` bytes of its `sizes[r]`; returns the bytes of the round.
size_t RoundLayout(const std::vector<uint64_t>& sizes, uint64_t round, uint64_t per_rank,
                   std::vector<int>& counts, std::vector<int>& displacements) {
  size_t total = 0;
  for (size_t r = 0; r < sizes.size(); ++r) {
    uint64_t offset = round * per_rank;
    uint64_t count = sizes[r] > offset ? std::min(per_rank, sizes[r] - offset) : 0;
    counts[r] = static_cast<int>(count);
    displacements[r] = static_cast<int>(total);
    total += count;
  }
  return total;
}

// Returns the bytes of `text` from `offset` on (an empty pointer past the end is fine for MPI).
const char* From(std::string_view text, uint64_t offset) {
  return text.data() + std::min<uint64_t>(offset, text.size());
}

class MpiCommunicator final : public Communicator {
 public:
  explicit MpiCommunicator(const MpiOptions& options)
      : max_bytes_(std::clamp<size_t>(options.max_message_bytes, 1, INT_MAX)),
        owner_(std::this_thread::get_id()),
        exceptions_at_start_(std::uncaught_exceptions()) {
    InitializeMpi();
    Check(MPI_Comm_dup(MPI_COMM_WORLD, &comm_), "MPI_Comm_dup");
    MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
  }

  ~MpiCommunicator() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized) return;
    // Unwinding past the communicator means this rank leaves the run midway: the other ranks
    // would wait for it forever.
    if (std::uncaught_exceptions() > exceptions_at_start_) {
      spdlog::error("cluster: rank {} leaves the run on an exception; aborting every rank", rank_);
      Abort();
    }
    MPI_Comm_free(&comm_);
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void Abort() override {
    MPI_Abort(MPI_COMM_WORLD, 1);
    std::_Exit(1);
  }

 private:
  void CheckThread() const { SLUICE_CHECK(std::this_thread::get_id() == owner_); }

  void DoBarrier() override {
    CheckThread();
    Check(MPI_Barrier(comm_), "MPI_Barrier");
  }

  void DoBroadcast(std::string& bytes, int root) override {
    CheckThread();
    uint64_t length = bytes.size();
    Check(MPI_Bcast(&length, 1, MPI_UINT64_T, root, comm_), "MPI_Bcast");
    if (rank_ != root) bytes.resize(length);
    for (uint64_t offset = 0; offset < length; offset += max_bytes_) {
      int count = static_cast<int>(std::min<uint64_t>(max_bytes_, length - offset));
      Check(MPI_Bcast(bytes.data() + offset, count, MPI_BYTE, root, comm_), "MPI_Bcast");
    }
  }

  template <typename T>
  void Reduce(std::span<T> values, ReduceOp op, MPI_Datatype type) {
    CheckThread();
    size_t per_call = std::max<size_t>(1, max_bytes_ / sizeof(T));
    for (size_t offset = 0; offset < values.size(); offset += per_call) {
      int count = static_cast<int>(std::min(per_call, values.size() - offset));
      Check(MPI_Allreduce(MPI_IN_PLACE, values.data() + offset, count, type, ToMpi(op), comm_),
            "MPI_Allreduce");
    }
  }

  void DoAllReduce(std::span<double> values, ReduceOp op) override {
    Reduce(values, op, MPI_DOUBLE);
  }
  void DoAllReduce(std::span<int64_t> values, ReduceOp op) override {
    Reduce(values, op, MPI_INT64_T);
  }

  std::vector<std::string> DoAllGather(std::string_view mine) override;
  std::vector<std::string> DoAllToAll(std::vector<std::string> to_each) override;

  // Returns how many rounds move `largest` bytes when each rank moves `per_rank` per round.
  static uint64_t Rounds(uint64_t largest, uint64_t per_rank) {
    return (largest + per_rank - 1) / per_rank;
  }
  // Returns the bytes one rank may move to or from each rank in one round.
  uint64_t PerRankBytes() const { return std::max<uint64_t>(1, max_bytes_ / size_); }

  const size_t max_bytes_;
  const std::thread::id owner_;
  const int exceptions_at_start_;
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
};

std::vector<std::string> MpiCommunicator::DoAllGather(std::string_view mine) {
  CheckThread();
  uint64_t my_size = mine.size();
  std::vector<uint64_t> sizes(size_);
  Check(MPI_Allgather(&my_size, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, comm_),
        "MPI_Allgather");
  std::vector<std::string> from_each(size_);
  for (int r = 0; r < size_; ++r) from_each[r].resize(sizes[r]);

  uint64_t per_rank = PerRankBytes();
  uint64_t rounds = Rounds(*std::max_element(sizes.begin(), sizes.end()), per_rank);
  std::vector<int> counts(size_), displacements(size_);
  std::string staging;
  for (uint64_t round = 0; round < rounds; ++round) {
    staging.resize(RoundLayout(sizes, round, per_rank, counts, displacements));
    Check(MPI_Allgatherv(From(mine, round * per_rank), counts[rank_], MPI_BYTE, staging.data(),
                         counts.data(), displacements.data(), MPI_BYTE, comm_),
          "MPI_Allgatherv");
    for (int r = 0; r < size_; ++r) {
      if (counts[r] == 0) continue;
      std::memcpy(from_each[r].data() + round * per_rank, staging.data() + displacements[r],
                  counts[r]);
    }
  }
  return from_each;
}

std::vector<std::string> MpiCommunicator::DoAllToAll(std::vector<std::string> to_each) {
  CheckThread();
  std::vector<uint64_t> send_sizes(size_), receive_sizes(size_);
  for (int r = 0; r < size_; ++r) send_sizes[r] = to_each[r].size();
  Check(MPI_Alltoall(send_sizes.data(), 1, MPI_UINT64_T, receive_sizes.data(), 1, MPI_UINT64_T,
                     comm_),
        "MPI_Alltoall");
  // Every rank must run the same number of rounds: agree on the largest part anywhere.
  uint64_t largest = std::max(*std::max_element(send_sizes.begin(), send_sizes.end()),
                              *std::max_element(receive_sizes.begin(), receive_sizes.end()));
  Check(MPI_Allreduce(MPI_IN_PLACE, &largest, 1, MPI_UINT64_T, MPI_MAX, comm_), "MPI_Allreduce");

  std::vector<std::string> from_each(size_);
  for (int r = 0; r < size_; ++r) from_each[r].resize(receive_sizes[r]);
  uint64_t per_rank = PerRankBytes();
  uint64_t rounds = Rounds(largest, per_rank);
  std::vector<int> send_counts(size_), send_displacements(size_);
  std::vector<int> receive_counts(size_), receive_displacements(size_);
  std::string send_staging, receive_staging;
  for (uint64_t round = 0; round < rounds; ++round) {
    uint64_t offset = round * per_rank;
    send_staging.resize(RoundLayout(send_sizes, round, per_rank, send_counts, send_displacements));
    for (int r = 0; r < size_; ++r) {
      if (send_counts[r] == 0) continue;
      std::memcpy(send_staging.data() + send_displacements[r], to_each[r].data() + offset,
                  send_counts[r]);
    }
    receive_staging.resize(
        RoundLayout(receive_sizes, round, per_rank, receive_counts, receive_displacements));
    Check(MPI_Alltoallv(send_staging.data(), send_counts.data(), send_displacements.data(),
                        MPI_BYTE, receive_staging.data(), receive_counts.data(),
                        receive_displacements.data(), MPI_BYTE, comm_),
          "MPI_Alltoallv");
    for (int r = 0; r < size_; ++r) {
      if (receive_counts[r] == 0) continue;
      std::memcpy(from_each[r].data() + offset, receive_staging.data() + receive_displacements[r],
                  receive_counts[r]);
    }
  }
  return from_each;
}

}  // namespace

bool MpiBuiltIn() { return true; }

std::unique_ptr<Communicator> MakeMpiCommunicator(const MpiOptions& options) {
  return std::make_unique<MpiCommunicator>(options);
}

}  // namespace sluice::cluster
