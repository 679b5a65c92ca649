#pragma once

// The HTTP/1.1 server (Boost.Beast): keep-alive, chunked responses, request size and time
// limits, graceful shutdown, an access log line per request; over plain TCP or TLS.
//
// Threading: `threads` threads run one io_context; reads, accepts and whole responses (Send)
// are asynchronous, and the handler is called synchronously on the io thread that read the
// request. A streaming handler's Write blocks that thread until the client has taken the
// bytes (at most `write_timeout` without progress), so keep handlers short and let slow work
// be bounded; while every io thread is inside a handler, other connections wait.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "serve/http.h"

namespace sluice::serve {

/// Is one line of the access log.
struct AccessRecord {
  std::string remote_address;
  std::string method;
  std::string target;
  std::string path;  // percent-decoded, without the query string ("" when it did not parse)
  int status = 0;
  uint64_t bytes = 0;           // body bytes sent
  int64_t duration_micros = 0;  // from the request's last byte read to the response's last byte
};

/// Names the PEM files of a TLS server: the certificate (the server's first, then the
/// intermediates) and its unencrypted private key.
struct TlsFiles {
  std::string cert_file;
  std::string key_file;
};

/// Configures a server.
struct ServerOptions {
  std::string listen = "127.0.0.1:7070";  // host:port; port 0 picks a free one
  size_t threads = 0;                     // request threads; 0: hardware threads
  size_t max_body_bytes = 1 << 20;        // larger requests get 413
  size_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds read_timeout{30000};    // to read one request (idle keep-alive too)
  std::chrono::milliseconds write_timeout{30000};   // to send a Send body; per Write's progress
  std::chrono::milliseconds shutdown_grace{10000};  // Stop waits this long for requests
  /// Serves HTTPS when set: TLS 1.2 or 1.3 with forward-secret AEAD ciphers; a client that
  /// speaks plain HTTP gets a 400 naming https and the connection closes.
  std::optional<TlsFiles> tls;
  /// Called after each response (from request threads, one call at a time per connection),
  /// also for the errors the server answers itself (400, 413, 431) and for responses cut off.
  std::function<void(const AccessRecord&)> access_log;
};

/// Is a running HTTP server. Thread-safe.
class HttpServer {
 public:
  /// Binds `options.listen` (host:port, [v6]:port, localhost:port) and starts serving
  /// `handler` on background threads. Throws IoError naming the address when it cannot bind,
  /// IoError naming the file when a TLS file cannot be read, UserError naming it when it
  /// holds no PEM certificate or unencrypted key, or the key does not match the certificate.
  /// An exception out of `handler` becomes a JSON error response: HttpError its status,
  /// UserError 400, anything else 500; when the response had started, the connection closes.
  /// A handler that returns without answering gets a 500; one that Starts without Finish is
  /// finished for it.
  static std::unique_ptr<HttpServer> Start(const ServerOptions& options, Handler handler);
  /// Stops the server. REQUIRES: not called from a handler.
  virtual ~HttpServer() = default;

  /// Returns the port it listens on (the one picked when asked for port 0).
  virtual uint16_t port() const = 0;
  /// Stops accepting connections, lets requests in progress finish (up to the grace period),
  /// closes idle connections and returns when every thread has ended. Idempotent; callable
  /// from any thread. After the grace period blocked Writes throw IoError; a handler that
  /// never writes is waited for. Called from a handler, it only begins the stop.
  virtual void Stop() = 0;
};

}  // namespace sluice::serve
