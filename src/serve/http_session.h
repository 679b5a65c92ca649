#pragma once

// The connections of HttpServer (internal to it): one session per accepted socket reads its
// requests, calls the handler and writes the responses, over plain TCP or TLS.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <unordered_set>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "serve/http_server.h"

namespace sluice::serve {

class HttpSession;

/// Is what the listener, the sessions and Stop share.
struct ServerState {
  ServerOptions options;
  Handler handler;
  std::unique_ptr<boost::asio::ssl::context> tls;  // null: plain HTTP
  std::atomic<bool> stopping{false};               // set once by Stop: no new requests
  std::atomic<bool> abort_writes{false};  // set after the grace period: blocked Writes fail
  std::mutex mutex;
  std::condition_variable sessions_ended;     // notified when `sessions` becomes empty
  std::unordered_set<HttpSession*> sessions;  // guarded by mutex
};

/// Serves the connection `socket`, whose executor is a strand, until it closes (with TLS
/// when `state.tls` is set); the session is in `state.sessions` while it lives.
void StartSession(boost::asio::ip::tcp::socket socket, ServerState& state);

/// Closes the sessions that wait for a request; the others close after their response.
/// REQUIRES: state.stopping is set.
void StopSessions(ServerState& state);

}  // namespace sluice::serve
