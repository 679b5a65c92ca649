#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace sluice::ml {

/// Is the tracker that XGBoost 1.7's rabit workers (see xgboost_collective.h) meet at before
/// training together; XGBoost 1.7 ships it only in Python, this is the same protocol in C++.
/// It hands each worker its rank, its tree and ring neighbours and the addresses of the peers it
/// must connect to, logs what workers send with "print", and finishes once every worker has sent
/// "shutdown". A worker whose task id is a rank ("0" .. "n-1") gets that rank; the others share
/// the free ranks in the order of their task ids once all of them have arrived.
/// It serves on a thread of its own, one connection at a time. A connection that breaks the
/// protocol (a bad magic number, garbage, silence longer than the I/O timeout) is logged,
/// recorded in errors() naming the peer, and dropped; the tracker keeps serving.
/// Thread-safe.
class XGBoostTracker {
 public:
  /// Listens on `host`:`port` (port 0 picks a free one) for `num_workers` workers. Throws
  /// IoError when it cannot listen there, UserError when `num_workers` is below 1.
  XGBoostTracker(const std::string& host, int port, int num_workers,
                 std::chrono::milliseconds io_timeout = std::chrono::seconds(60));
  /// Stops serving (dropping any worker still connected), closes the socket and joins the thread;
  /// returns promptly whether or not the workers are done.
  ~XGBoostTracker();
  XGBoostTracker(const XGBoostTracker&) = delete;
  XGBoostTracker& operator=(const XGBoostTracker&) = delete;

  /// Returns the host it listens on, as given.
  const std::string& host() const { return host_; }
  /// Returns the port it listens on (the chosen one when constructed with port 0).
  int port() const { return port_; }
  /// Returns true once every worker has shut down (the tracker then stops listening).
  bool done() const;
  /// Waits until every worker has shut down or `timeout` passes; returns done().
  bool WaitUntilDone(std::chrono::milliseconds timeout) const;
  /// Returns one message per dropped connection or protocol problem, naming the peer.
  std::vector<std::string> errors() const;

 private:
  class Server;
  std::string host_;
  int port_ = 0;
  std::unique_ptr<Server> server_;
};

}  // namespace sluice::ml
