#include "cluster/communicator_conformance.h"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "cluster/batch_wire.h"
#include "core/batch.h"

namespace sluice::cluster {
namespace {

// Returns `length` bytes that depend on who sends them to whom in which round.
std::string Payload(int from, int to, int round, size_t length) {
  std::string bytes(length, '\0');
  for (size_t i = 0; i < length; ++i) {
    bytes[i] = static_cast<char>((from * 31 + to * 7 + round * 13 + i) % 251);
  }
  return bytes;
}

// Returns a length that differs per sender, receiver and round, and is 0 for a quarter of them.
size_t Length(int from, int to, int round) {
  if ((from + to + round) % 4 == 3) return 0;
  return 1 + (from * 37 + to * 11 + round * 5) % 200;
}

template <typename... Args>
void Expect(bool ok, const Communicator& comm, fmt::format_string<Args...> what, Args&&... args) {
  if (ok) return;
  throw InternalError(
      fmt::format("cluster conformance: rank {} of {}: ", comm.rank(), comm.size()) +
      fmt::format(what, std::forward<Args>(args)...));
}

void ExpectBytes(const std::string& got, const std::string& want, const Communicator& comm,
                 const std::string& what) {
  if (got == want) return;
  auto [got_at, want_at] = std::mismatch(got.begin(), got.end(), want.begin(), want.end());
  Expect(false, comm, "{}: got {} bytes, expected {} (first difference at byte {})", what,
         got.size(), want.size(), got_at - got.begin());
}

void CheckBroadcasts(Communicator& comm, int round) {
  for (int root = 0; root < comm.size(); ++root) {
    std::string want = Payload(root, 0, round, Length(root, 0, round));
    std::string bytes = comm.rank() == root ? want : std::string("stale bytes");
    comm.Broadcast(bytes, root);
    ExpectBytes(bytes, want, comm, fmt::format("Broadcast from {} in round {}", root, round));
  }
}

template <typename T>
void CheckReduce(Communicator& comm, int round, size_t count,
                 const std::function<T(int rank, size_t i)>& input) {
  for (ReduceOp op : {ReduceOp::kSum, ReduceOp::kMin, ReduceOp::kMax}) {
    std::vector<T> values(count);
    for (size_t i = 0; i < count; ++i) values[i] = input(comm.rank(), i);
    comm.AllReduce(std::span<T>(values), op);
    for (size_t i = 0; i < count; ++i) {
      T want = input(0, i);
      for (int r = 1; r < comm.size(); ++r) {
        T value = input(r, i);
        want = op == ReduceOp::kSum
                   ? want + value
                   : (op == ReduceOp::kMin ? std::min(want, value) : std::max(want, value));
      }
      Expect(values[i] == want, comm, "AllReduce {} of {} values in round {}: [{}] is {}, not {}",
             ReduceOpName(op), count, round, i, values[i], want);
    }
  }
}

void CheckReduces(Communicator& comm, int round) {
  // Halves and small integers: sums are exact in any order.
  CheckReduce<double>(comm, round, 5 + round,
                      [&](int rank, size_t i) { return rank * 0.5 + i - round * 3.25; });
  CheckReduce<int64_t>(comm, round, 5 + round, [&](int rank, size_t i) {
    int64_t sign = i % 2 == 0 ? 1 : -1;
    return sign * (rank + 1) * int64_t{1000000007} * static_cast<int64_t>(i + 1) + round;
  });
  CheckReduce<double>(comm, round, 0, [](int, size_t) { return 0.0; });
  CheckReduce<int64_t>(comm, round, 0, [](int, size_t) { return int64_t{0}; });
}

void CheckAllGather(Communicator& comm, int round) {
  std::vector<std::string> from_each =
      comm.AllGather(Payload(comm.rank(), 0, round, Length(comm.rank(), 0, round)));
  Expect(from_each.size() == static_cast<size_t>(comm.size()), comm, "AllGather gave {} parts",
         from_each.size());
  for (int r = 0; r < comm.size(); ++r) {
    ExpectBytes(from_each[r], Payload(r, 0, round, Length(r, 0, round)), comm,
                fmt::format("AllGather from {} in round {}", r, round));
  }
}

void CheckAllToAll(Communicator& comm, int round) {
  std::vector<std::string> to_each(comm.size());
  for (int r = 0; r < comm.size(); ++r) {
    to_each[r] = Payload(comm.rank(), r, round, Length(comm.rank(), r, round));
  }
  std::vector<std::string> from_each = comm.AllToAll(std::move(to_each));
  Expect(from_each.size() == static_cast<size_t>(comm.size()), comm, "AllToAll gave {} parts",
         from_each.size());
  for (int r = 0; r < comm.size(); ++r) {
    ExpectBytes(from_each[r], Payload(r, comm.rank(), round, Length(r, comm.rank(), round)), comm,
                fmt::format("AllToAll from {} in round {}", r, round));
  }
}

void CheckLarge(Communicator& comm, size_t large) {
  int root = comm.size() - 1;
  std::string want = Payload(root, 0, 99, large);
  std::string bytes = comm.rank() == root ? want : std::string();
  comm.Broadcast(bytes, root);
  ExpectBytes(bytes, want, comm, "large Broadcast");

  std::vector<std::string> gathered =
      comm.AllGather(Payload(comm.rank(), 0, 98, large + comm.rank() * 13));
  for (int r = 0; r < comm.size(); ++r) {
    ExpectBytes(gathered[r], Payload(r, 0, 98, large + r * 13), comm,
                fmt::format("large AllGather from {}", r));
  }

  auto part_size = [&](int from, int to) { return large / comm.size() + to * 7 + from; };
  std::vector<std::string> to_each(comm.size());
  for (int r = 0; r < comm.size(); ++r)
    to_each[r] = Payload(comm.rank(), r, 97, part_size(comm.rank(), r));
  std::vector<std::string> from_each = comm.AllToAll(std::move(to_each));
  for (int r = 0; r < comm.size(); ++r) {
    ExpectBytes(from_each[r], Payload(r, comm.rank(), 97, part_size(r, comm.rank())), comm,
                fmt::format("large AllToAll from {}", r));
  }

  CheckReduce<double>(comm, 96, large / sizeof(double),
                      [](int rank, size_t i) { return rank + static_cast<double>(i % 7); });
}

void CheckEmpty(Communicator& comm) {
  for (int repeat = 0; repeat < 3; ++repeat) {
    std::string bytes = comm.rank() == 0 ? std::string() : std::string("stale");
    comm.Broadcast(bytes, 0);
    Expect(bytes.empty(), comm, "empty Broadcast gave {} bytes", bytes.size());
    for (const std::string& part : comm.AllGather("")) {
      Expect(part.empty(), comm, "empty AllGather gave {} bytes", part.size());
    }
    for (const std::string& part : comm.AllToAll(std::vector<std::string>(comm.size()))) {
      Expect(part.empty(), comm, "empty AllToAll gave {} bytes", part.size());
    }
  }
}

// Checks the counters against the definition in communicator.h, one collective at a time.
void CheckCounters(Communicator& comm) {
  const int rank = comm.rank();
  const uint64_t others = comm.size() - 1;
  uint64_t sum_other_ranks = 0;  // sum over r != rank of (r + 1)
  for (int r = 0; r < comm.size(); ++r) sum_other_ranks += r == rank ? 0 : r + 1;
  auto expect_delta = [&](const char* what, const std::function<void()>& run, uint64_t sent,
                          uint64_t received) {
    uint64_t sent_before = comm.bytes_sent();
    uint64_t received_before = comm.bytes_received();
    run();
    Expect(comm.bytes_sent() - sent_before == sent, comm, "{} counted {} bytes sent, not {}", what,
           comm.bytes_sent() - sent_before, sent);
    Expect(comm.bytes_received() - received_before == received, comm,
           "{} counted {} bytes received, not {}", what, comm.bytes_received() - received_before,
           received);
  };
  expect_delta(
      "AllGather", [&] { comm.AllGather(std::string(rank + 1, 'g')); }, (rank + 1) * others,
      sum_other_ranks);
  expect_delta(
      "AllToAll",
      [&] {
        std::vector<std::string> to_each(comm.size());
        for (int r = 0; r < comm.size(); ++r) to_each[r] = std::string(r + 1 + rank, 'a');
        comm.AllToAll(std::move(to_each));
      },
      sum_other_ranks + rank * others, sum_other_ranks + rank * others);
  std::string bytes = rank == 0 ? std::string(10, 'b') : std::string();
  expect_delta(
      "Broadcast", [&] { comm.Broadcast(bytes, 0); }, rank == 0 ? 10 * others : 0,
      rank == 0 ? 0 : 10);
  std::vector<double> values(3, 1.0);
  expect_delta(
      "AllReduce", [&] { comm.AllReduce(std::span<double>(values), ReduceOp::kSum); }, 24 * others,
      24 * others);
  expect_delta(
      "Barrier", [&] { comm.Barrier(); }, 0, 0);

  std::vector<int64_t> totals{static_cast<int64_t>(comm.bytes_sent()),
                              static_cast<int64_t>(comm.bytes_received())};
  comm.AllReduce(std::span<int64_t>(totals), ReduceOp::kSum);
  Expect(totals[0] == totals[1], comm, "{} bytes sent in all but {} received", totals[0],
         totals[1]);
}

core::SchemaPtr ExchangeSchema() {
  using core::TypeId;
  return std::make_shared<const core::Schema>(std::vector<core::Field>{
      {"key", TypeId::kBigint},
      {"flag", TypeId::kBoolean},
      {"small", TypeId::kInteger},
      {"ratio", TypeId::kDouble},
      {"name", TypeId::kVarchar},
      {"day", TypeId::kDate},
      {"at", TypeId::kTimestamp},
  });
}

// Returns the row for `key`: every type, NULLs at different keys per column, strings empty,
// inline (12 bytes at most) and long.
std::vector<core::Value> ExchangeRow(int64_t key) {
  using core::TypeId;
  using core::Value;
  auto or_null = [&](int64_t every, TypeId type, Value value) {
    return key % every == 0 ? Value::Null(type) : std::move(value);
  };
  std::string name = key % 3 == 0   ? std::string()
                     : key % 3 == 1 ? fmt::format("k{}", key)
                                    : fmt::format("a name longer than twelve bytes, key {}", key);
  return {
      Value::Bigint(key),
      or_null(5, TypeId::kBoolean, Value::Boolean(key % 2 == 0)),
      or_null(7, TypeId::kInteger, Value::Integer(static_cast<int32_t>(key * 3 - 500))),
      or_null(11, TypeId::kDouble, Value::Double(static_cast<double>(key) / 8)),
      or_null(13, TypeId::kVarchar, Value::Varchar(std::move(name))),
      or_null(17, TypeId::kDate, Value::Date(static_cast<int32_t>(key - 1000))),
      or_null(19, TypeId::kTimestamp, Value::Timestamp(key * 1000000 + 123)),
  };
}

constexpr int64_t kKeysPerRank = 100000;

int64_t ExchangeRows(int rank) { return 700 + rank * 50; }

// Returns the encoded parts of this rank's batch for each destination: its rows as a selection
// of the batch, then an empty selection, so that each part is two concatenated encodings.
std::vector<std::string> EncodeExchangeParts(const Communicator& comm,
                                             const core::SchemaPtr& schema) {
  const int size = comm.size();
  core::Batch batch(schema, ExchangeRows(comm.rank()));
  for (int64_t row = 0; row < ExchangeRows(comm.rank()); ++row) {
    batch.AppendRow(ExchangeRow(comm.rank() * kKeysPerRank + row));
  }
  std::vector<std::string> to_each(size);
  for (int destination = 0; destination < size; ++destination) {
    core::SelectionVector rows;
    for (uint32_t row = 0; row < batch.num_physical_rows(); ++row) {
      if ((comm.rank() * kKeysPerRank + row) % size == destination) rows.push_back(row);
    }
    core::Batch part = batch.Share();
    part.SetSelection(std::move(rows));
    EncodeBatch(part, to_each[destination]);
    part.SetSelection({});
    EncodeBatch(part, to_each[destination]);
  }
  return to_each;
}

void CheckExchangePart(const Communicator& comm, int sender, const core::SchemaPtr& schema,
                       std::string_view part) {
  std::vector<core::Batch> batches = DecodeBatches(part, schema);
  Expect(batches.size() == 2, comm, "{} batches from rank {}, not 2", batches.size(), sender);
  int64_t want_rows = 0;
  for (int64_t row = 0; row < ExchangeRows(sender); ++row) {
    want_rows += (sender * kKeysPerRank + row) % comm.size() == comm.rank();
  }
  const core::Batch& rows = batches[0];
  Expect(static_cast<int64_t>(rows.num_rows()) == want_rows && batches[1].num_rows() == 0, comm,
         "{} + {} rows from rank {}, not {}", rows.num_rows(), batches[1].num_rows(), sender,
         want_rows);
  int64_t previous_key = -1;
  for (size_t row = 0; row < rows.num_rows(); ++row) {
    int64_t key = rows.GetValue(0, row).GetInt64();
    Expect(key / kKeysPerRank == sender && key % comm.size() == comm.rank() && key > previous_key,
           comm, "row {} from rank {} has key {}", row, sender, key);
    previous_key = key;
    std::vector<core::Value> want = ExchangeRow(key);
    for (size_t c = 0; c < want.size(); ++c) {
      core::Value got = rows.GetValue(c, row);
      Expect(got == want[c], comm, "key {} column {} is {}, not {}", key, c, got.ToString(),
             want[c].ToString());
    }
  }
}

}  // namespace

void CheckBatchExchange(Communicator& comm) {
  core::SchemaPtr schema = ExchangeSchema();
  std::vector<std::string> from_each = comm.AllToAll(EncodeExchangeParts(comm, schema));
  for (int sender = 0; sender < comm.size(); ++sender) {
    CheckExchangePart(comm, sender, schema, from_each[sender]);
  }
}

void CheckCollectives(Communicator& comm, size_t large_bytes) {
  Expect(comm.size() >= 1 && comm.rank() >= 0 && comm.rank() < comm.size(), comm,
         "rank out of range");
  comm.Barrier();
  comm.Barrier();
  for (int round = 0; round < 4; ++round) {
    CheckBroadcasts(comm, round);
    CheckReduces(comm, round);
    CheckAllGather(comm, round);
    CheckAllToAll(comm, round);
    if (round % 2 == 0) comm.Barrier();
  }
  CheckLarge(comm, large_bytes);
  CheckEmpty(comm);
  CheckCounters(comm);
}

}  // namespace sluice::cluster
