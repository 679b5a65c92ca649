#pragma once

// What the HTTP server hands a handler and how a handler answers, free of Boost.Beast so that
// routes and their tests need no sockets.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/strings.h"

namespace sluice::serve {

/// Is a list of (name, value) pairs: headers (names in lower case) or query parameters.
using Fields = std::vector<std::pair<std::string, std::string>>;

/// Is one HTTP request as a handler sees it.
struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received: path and query string
  std::string path;    // percent-decoded, without the query string
  Fields query;        // decoded query parameters in order ('+' is a space)
  Fields headers;      // names in lower case
  std::string body;
  std::string remote_address;  // "127.0.0.1:53122"

  /// Returns the value of header `name` (any case), or "" when absent.
  std::string Header(std::string_view name) const;
};

/// Returns the base URL of the service as the reverse proxy in front of it names it,
/// scheme://host[:port][/prefix] without a trailing slash, from the first value of each of
/// the request's headers X-Forwarded-Proto (http or https; else the scheme of
/// `own_base_url`), X-Forwarded-Host (else the Host header, else the host of `own_base_url`)
/// and X-Forwarded-Prefix (a path; else none). Returns `own_base_url` when the request has
/// none of the three, or when one is malformed: another scheme, a host with characters other
/// than letters, digits and -._~:[], a prefix that does not start with '/' or has characters
/// other than letters, digits, -._~/ and %XX. Clients set these headers at will unless a
/// proxy replaces them: call it only for a service that trusts its proxy.
std::string ForwardedBaseUrl(const HttpRequest& request, std::string_view own_base_url);

/// Answers one request: either Send (a whole body) or Start, Write..., Finish (chunked).
/// The server owns the content-length, transfer-encoding and connection headers; to HEAD
/// requests it sends the headers only. Not thread-safe: one handler call uses it.
class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  /// Sends a whole response with a Content-Length.
  virtual void Send(int status, const Fields& headers, std::string body) = 0;
  /// Starts a response whose length is not known: chunked transfer encoding.
  virtual void Start(int status, const Fields& headers) = 0;
  /// Sends `data` as the next part of the body: one chunk and one system call, so write
  /// pieces of some KiB. Blocks until the client takes them. REQUIRES: Start was called.
  /// Throws IoError when the client went away or stalled (the handler should stop).
  virtual void Write(std::string_view data) = 0;
  /// Ends a body begun with Start.
  virtual void Finish() = 0;
  /// Returns true once Send or Start was called.
  virtual bool started() const = 0;
};

/// Handles requests; called from several server threads at once (the server's io threads:
/// see http_server.h).
using Handler = std::function<void(const HttpRequest&, ResponseWriter&)>;

/// Is an error that ends a request with `status` and a JSON body naming `parameter` when set
/// (400 bad parameter, 401, 403, 404, 405, 413, ...).
class HttpError : public UserError {
 public:
  HttpError(int status, std::string message, std::string parameter = {})
      : UserError(std::move(message)), status_(status), parameter_(std::move(parameter)) {}
  int status() const { return status_; }
  const std::string& parameter() const { return parameter_; }

 private:
  int status_;
  std::string parameter_;
};

/// Returns the JSON body of an error: {"error": message, "status": n[, "parameter": p]}.
std::string ErrorJson(int status, std::string_view message, std::string_view parameter = {});

}  // namespace sluice::serve
