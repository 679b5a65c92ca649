#include "ml/xgboost_tracker.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "base/error.h"
#include "ml/tracker_socket.h"

namespace sluice::ml {
namespace {

// Both sides open every connection with this number (rabit's kMagic).
constexpr int32_t kMagic = 0xff99;
constexpr size_t kMaxNameSize = 1024;            // task ids, commands, host names
constexpr size_t kMaxMessageSize = 1024 * 1024;  // "print" messages
// A worker retries the links it failed to open; past this many rounds the tracker gives up.
constexpr int kMaxLinkRounds = 16;

/// Is what a worker sends first on every connection.
struct Hello {
  int32_t rank = -1;  // -1 until the tracker has assigned one
  int32_t world_size = -1;
  std::string task_id;
  std::string command;  // "start", "recover", "print" or "shutdown"
};

/// Is one rank's place in the topology: tree parent (-1 for the root) and tree neighbours
/// (parent and children), ring predecessor and successor.
struct Links {
  int32_t parent = -1;
  std::vector<int32_t> tree;
  int32_t prev = -1;
  int32_t next = -1;
};

/// Is a worker that waits for peers to connect to it.
struct Listening {
  std::string host;
  int32_t port = 0;
  int32_t connections_left = 0;
};

/// Appends the nodes of the binary heap of `size` nodes below `node` in an order that walks up
/// the last child's subtree backwards, so that consecutive nodes are mostly tree neighbours.
void AppendRingOrder(int32_t node, int32_t size, std::vector<int32_t>& order) {
  order.push_back(node);
  const int32_t first_child = 2 * node + 1;
  const int32_t last_child = std::min(2 * node + 2, size - 1);
  for (int32_t child = first_child; child <= last_child; ++child) {
    std::vector<int32_t> below;
    AppendRingOrder(child, size, below);
    if (child == last_child) std::reverse(below.begin(), below.end());
    order.insert(order.end(), below.begin(), below.end());
  }
}

/// Returns the links of ranks 0 .. size-1: a binary tree whose nodes are renamed so that the
/// ring is simply rank - 1 -> rank -> rank + 1 and reuses tree links where it can.
std::vector<Links> MakeLinks(int32_t size) {
  std::vector<int32_t> order;
  AppendRingOrder(0, size, order);
  std::vector<int32_t> rank_of(static_cast<size_t>(size));
  for (int32_t position = 0; position < size; ++position) rank_of[order[position]] = position;
  std::vector<Links> links(static_cast<size_t>(size));
  for (int32_t node = 0; node < size; ++node) {
    Links& link = links[rank_of[node]];
    if (node > 0) link.parent = rank_of[(node - 1) / 2];
    if (node > 0) link.tree.push_back(link.parent);
    for (int32_t child = 2 * node + 1; child <= std::min(2 * node + 2, size - 1); ++child) {
      link.tree.push_back(rank_of[child]);
    }
    link.prev = (rank_of[node] + size - 1) % size;
    link.next = (rank_of[node] + 1) % size;
  }
  return links;
}

/// Returns `task_id` as a rank when it is one of 0 .. size-1, else -1.
int32_t RankOfTaskId(std::string_view task_id, int32_t size) {
  int32_t rank = -1;
  const char* end = task_id.data() + task_id.size();
  auto [parsed, error] = std::from_chars(task_id.data(), end, rank);
  if (error != std::errc() || parsed != end || rank < 0 || rank >= size) return -1;
  return rank;
}

}  // namespace

/// Is the tracker's thread and everything it touches.
class XGBoostTracker::Server {
 public:
  Server(TrackerListener listener, int32_t num_workers, std::chrono::milliseconds io_timeout)
      : listener_(std::move(listener)),
        num_workers_(num_workers),
        io_timeout_(io_timeout),
        links_(MakeLinks(num_workers)),
        assigned_(static_cast<size_t>(num_workers), false),
        shut_down_(static_cast<size_t>(num_workers), false),
        thread_([this] { Serve(); }) {}

  ~Server() {
    stop_.Raise();
    thread_.join();
  }

  bool done() const {
    std::lock_guard lock(mutex_);
    return done_;
  }

  bool WaitUntilDone(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return done_changed_.wait_for(lock, timeout, [&] { return done_; });
  }

  std::vector<std::string> errors() const {
    std::lock_guard lock(mutex_);
    return errors_;
  }

 private:
  void Serve();
  void Handle(TrackerConnection& connection);
  Hello ReadHello(TrackerConnection& connection) const;
  void Shutdown(const TrackerConnection& connection, const Hello& hello);
  int32_t DecideRank(const TrackerConnection& connection, const Hello& hello) const;
  void AssignPending();
  void Assign(TrackerConnection& connection, int32_t rank);
  void SendLinks(TrackerConnection& connection, int32_t rank) const;
  void Record(std::string message);
  void Finish();

  TrackerListener listener_;
  const int32_t num_workers_;
  const std::chrono::milliseconds io_timeout_;
  const std::vector<Links> links_;
  std::vector<bool> assigned_;   // by rank: a worker has started with it
  std::vector<bool> shut_down_;  // by rank
  int32_t num_shut_down_ = 0;
  std::map<int32_t, Listening> listening_;                    // by rank
  std::vector<std::pair<TrackerConnection, Hello>> pending_;  // waiting for a free rank
  StopSignal stop_;
  mutable std::mutex mutex_;
  mutable std::condition_variable done_changed_;
  bool done_ = false;                // guarded by mutex_
  std::vector<std::string> errors_;  // guarded by mutex_
  std::thread thread_;               // last: starts once the rest is built
};

void XGBoostTracker::Server::Serve() {
  try {
    while (num_shut_down_ < num_workers_) {
      std::optional<TrackerConnection> connection = listener_.Accept(stop_, io_timeout_);
      if (!connection) return;
      try {
        Handle(*connection);
      } catch (const Error& error) {
        Record(error.what());
      }
    }
    Finish();
  } catch (const TrackerStopped&) {
  } catch (const std::exception& error) {
    Record(fmt::format("the XGBoost tracker stopped: {}", error.what()));
  }
}

void XGBoostTracker::Server::Handle(TrackerConnection& connection) {
  Hello hello = ReadHello(connection);
  if (hello.command == "print") {
    spdlog::info("XGBoost worker {}: {}", hello.rank, connection.RecvString(kMaxMessageSize));
    return;
  }
  if (hello.command == "shutdown") return Shutdown(connection, hello);
  if (hello.command != "start" && hello.command != "recover") {
    Throw<DataError>("worker at {} sent the unknown command '{}'", connection.peer(),
                     hello.command);
  }
  if (hello.world_size != -1 && hello.world_size != num_workers_) {
    Throw<DataError>("worker at {} expects {} workers, the tracker {}", connection.peer(),
                     hello.world_size, num_workers_);
  }
  int32_t rank = DecideRank(connection, hello);
  if (rank >= 0) {
    Assign(connection, rank);
  } else {
    pending_.emplace_back(std::move(connection), std::move(hello));
  }
  AssignPending();
}

Hello XGBoostTracker::Server::ReadHello(TrackerConnection& connection) const {
  int32_t magic = connection.RecvInt();
  if (magic != kMagic) {
    Throw<DataError>("worker at {} sent the magic number {:#x}, not {:#x}: not an XGBoost worker",
                     connection.peer(), static_cast<uint32_t>(magic), kMagic);
  }
  connection.SendInt(kMagic);
  Hello hello;
  hello.rank = connection.RecvInt();
  hello.world_size = connection.RecvInt();
  hello.task_id = connection.RecvString(kMaxNameSize);
  hello.command = connection.RecvString(kMaxNameSize);
  if (hello.rank < -1 || hello.rank >= num_workers_) {
    Throw<DataError>("worker at {} claims rank {} of {}", connection.peer(), hello.rank,
                     num_workers_);
  }
  return hello;
}

void XGBoostTracker::Server::Shutdown(const TrackerConnection& connection, const Hello& hello) {
  if (hello.rank < 0 || shut_down_[hello.rank]) {
    Throw<DataError>("worker at {} shut down rank {} twice or before starting", connection.peer(),
                     hello.rank);
  }
  if (listening_.contains(hello.rank)) {
    Record(fmt::format("rank {} at {} shut down before all its peers connected", hello.rank,
                       connection.peer()));
  }
  shut_down_[hello.rank] = true;
  ++num_shut_down_;
  spdlog::debug("XGBoost tracker: rank {} shut down", hello.rank);
}

int32_t XGBoostTracker::Server::DecideRank(const TrackerConnection& connection,
                                           const Hello& hello) const {
  int32_t rank = hello.rank >= 0 ? hello.rank : RankOfTaskId(hello.task_id, num_workers_);
  if (hello.command == "recover" && rank < 0) {
    Throw<DataError>("worker at {} recovers without a rank", connection.peer());
  }
  if (rank >= 0 && hello.command == "start" && assigned_[rank]) {
    Throw<DataError>("worker at {} (task '{}') starts as rank {}, which is taken",
                     connection.peer(), hello.task_id, rank);
  }
  return rank;
}

void XGBoostTracker::Server::AssignPending() {
  const auto free_ranks = std::count(assigned_.begin(), assigned_.end(), false);
  if (pending_.empty() || static_cast<size_t>(free_ranks) != pending_.size()) return;
  std::stable_sort(pending_.begin(), pending_.end(), [](const auto& left, const auto& right) {
    return left.second.task_id < right.second.task_id;
  });
  auto waiting = std::exchange(pending_, {});
  int32_t rank = 0;
  for (auto& [connection, hello] : waiting) {
    while (assigned_[rank]) ++rank;
    try {
      Assign(connection, rank);
    } catch (const Error& error) {
      Record(error.what());
    }
  }
}

void XGBoostTracker::Server::Assign(TrackerConnection& connection, int32_t rank) {
  assigned_[rank] = true;
  SendLinks(connection, rank);
  const Links& links = links_[rank];
  std::set<int32_t> neighbours(links.tree.begin(), links.tree.end());
  for (int32_t ring : {links.prev, links.next}) {
    if (ring != rank) neighbours.insert(ring);
  }
  for (int round = 0; round < kMaxLinkRounds; ++round) {
    std::set<int32_t> missing = neighbours;
    const int32_t num_good = connection.RecvInt();
    if (num_good < 0 || static_cast<size_t>(num_good) > neighbours.size()) {
      Throw<DataError>("rank {} at {} reports {} working links", rank, connection.peer(), num_good);
    }
    for (int32_t i = 0; i < num_good; ++i) missing.erase(connection.RecvInt());
    std::vector<int32_t> to_connect;
    for (int32_t peer : missing) {
      if (listening_.contains(peer)) to_connect.push_back(peer);
    }
    connection.SendInt(static_cast<int32_t>(to_connect.size()));
    connection.SendInt(static_cast<int32_t>(missing.size() - to_connect.size()));
    for (int32_t peer : to_connect) {
      connection.SendString(listening_[peer].host);
      connection.SendInt(listening_[peer].port);
      connection.SendInt(peer);
    }
    if (connection.RecvInt() != 0) continue;  // it failed to reach some: try again
    const int32_t port = connection.RecvInt();
    for (int32_t peer : to_connect) {
      if (--listening_[peer].connections_left == 0) listening_.erase(peer);
    }
    const auto to_accept = static_cast<int32_t>(missing.size() - to_connect.size());
    if (to_accept > 0) listening_[rank] = Listening{connection.host(), port, to_accept};
    spdlog::debug("XGBoost tracker: rank {} at {} started", rank, connection.peer());
    return;
  }
  Throw<IoError>("rank {} at {} failed to connect to its peers {} times", rank, connection.peer(),
                 kMaxLinkRounds);
}

void XGBoostTracker::Server::SendLinks(TrackerConnection& connection, int32_t rank) const {
  const Links& links = links_[rank];
  connection.SendInt(rank);
  connection.SendInt(links.parent);
  connection.SendInt(num_workers_);
  connection.SendInt(static_cast<int32_t>(links.tree.size()));
  for (int32_t neighbour : links.tree) connection.SendInt(neighbour);
  connection.SendInt(links.prev != rank ? links.prev : -1);
  connection.SendInt(links.next != rank ? links.next : -1);
}

void XGBoostTracker::Server::Record(std::string message) {
  spdlog::warn("XGBoost tracker: {}", message);
  std::lock_guard lock(mutex_);
  errors_.push_back(std::move(message));
}

void XGBoostTracker::Server::Finish() {
  listener_.Close();
  spdlog::debug("XGBoost tracker: all {} workers shut down", num_workers_);
  std::lock_guard lock(mutex_);
  done_ = true;
  done_changed_.notify_all();
}

XGBoostTracker::XGBoostTracker(const std::string& host, int port, int num_workers,
                               std::chrono::milliseconds io_timeout)
    : host_(host) {
  if (num_workers < 1) Throw<UserError>("XGBoost needs at least 1 worker, not {}", num_workers);
  TrackerListener listener(host, port);
  port_ = listener.port();
  server_ = std::make_unique<Server>(std::move(listener), num_workers, io_timeout);
}

XGBoostTracker::~XGBoostTracker() = default;

bool XGBoostTracker::done() const { return server_->done(); }

bool XGBoostTracker::WaitUntilDone(std::chrono::milliseconds timeout) const {
  return server_->WaitUntilDone(timeout);
}

std::vector<std::string> XGBoostTracker::errors() const { return server_->errors(); }

}  // namespace sluice::ml
