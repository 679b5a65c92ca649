#include "serve/http_session.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <limits>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include "base/strings.h"
#include "serve/session_stream.h"

namespace sluice::serve {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// How long a closing connection reads what the client still sends, so that the kernel does
// not reset the connection before the client has read our last response.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

Fields JsonHeaders() { return {{"content-type", "application/json"}}; }

std::string ToLower(std::string_view text) {
  std::string out = AsciiLower(std::string(text));
  return out;
}

// Sets the handler's headers on `message`, leaving out those the server owns.
template <class Message>
void SetHeaders(Message& message, const Fields& headers) {
  for (const auto& [name, value] : headers) {
    if (beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding") ||
        beast::iequals(name, "connection")) {
      continue;
    }
    message.insert(name, value);
  }
}

void CheckStatus(int status) {
  if (status < 100 || status > 599) Throw<InternalError>("bad HTTP status {}", status);
}

// Is the answer to one request: whole (Send; the session writes it asynchronously once the
// handler returns) or chunked (Start/Write/Finish, written synchronously by the handler).
class SessionResponse final : public ResponseWriter {
 public:
  SessionResponse(SessionStream& stream, const ServerState& state, unsigned version,
                  bool keep_alive, bool head)
      : state_(state), writer_(stream), version_(version), keep_alive_(keep_alive), head_(head) {}

  void Send(int status, const Fields& headers, std::string body) override {
    CheckNotStarted(status);
    whole_.emplace();
    whole_->version(version_);
    whole_->result(static_cast<unsigned>(status));
    SetHeaders(*whole_, headers);
    keep_alive_ = keep_alive_ && !state_.stopping.load();
    whole_->keep_alive(keep_alive_);
    if (head_) {
      whole_->content_length(body.size());
    } else {
      bytes_ = body.size();
      whole_->body() = std::move(body);
      whole_->prepare_payload();
    }
    status_ = status;
  }

  void Start(int status, const Fields& headers) override {
    CheckNotStarted(status);
    status_ = status;
    chunked_ = version_ >= 11;
    keep_alive_ = keep_alive_ && chunked_ && !state_.stopping.load();
    http::response<http::empty_body> header;
    header.version(version_);
    header.result(static_cast<unsigned>(status));
    SetHeaders(header, headers);
    header.keep_alive(keep_alive_);
    if (chunked_) header.chunked(true);
    http::response_serializer<http::empty_body> serializer(header);
    Guarded([&] { http::write_header(writer_, serializer); });
  }

  void Write(std::string_view data) override {
    if (!streaming()) throw InternalError("ResponseWriter::Write before Start");
    if (finished_) throw InternalError("ResponseWriter::Write after Finish");
    if (head_ || data.empty()) return;
    net::const_buffer buffer(data.data(), data.size());
    if (chunked_) {
      Guarded([&] { net::write(writer_, http::make_chunk(buffer)); });
    } else {
      Guarded([&] { net::write(writer_, buffer); });
    }
    bytes_ += data.size();
  }

  void Finish() override {
    if (!streaming()) throw InternalError("ResponseWriter::Finish before Start");
    if (finished_) return;
    finished_ = true;
    if (chunked_ && !head_) Guarded([&] { net::write(writer_, http::make_chunk_last()); });
  }

  bool started() const override { return status_ != 0; }

  /// Returns true when Start was called.
  bool streaming() const { return started() && !whole_; }
  /// Returns true when the connection cannot carry another response.
  bool broken() const { return broken_; }
  /// Marks the response as cut off: the connection must close.
  void Abandon() { broken_ = true; }
  http::response<http::string_body>& whole() { return *whole_; }
  bool keep_alive() const { return keep_alive_; }
  int status() const { return status_; }
  uint64_t bytes() const { return bytes_; }

 private:
  void CheckNotStarted(int status) const {
    if (started()) throw InternalError("a response was already started for this request");
    CheckStatus(status);
  }

  template <class Action>
  void Guarded(Action action) {
    if (broken_) throw IoError("the client connection is closed");
    try {
      action();
    } catch (const beast::system_error& error) {
      broken_ = true;
      Throw<IoError>("cannot send the response: {}", error.code().message());
    }
  }

  const ServerState& state_;
  SessionStream& writer_;
  unsigned version_;
  bool keep_alive_;
  bool head_;
  bool chunked_ = false;
  bool finished_ = false;
  bool broken_ = false;
  int status_ = 0;
  uint64_t bytes_ = 0;
  std::optional<http::response<http::string_body>> whole_;
};

struct ErrorReply {
  int status;
  std::string message;
  std::string parameter;
};

ErrorReply Describe(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const HttpError& e) {
    int status = e.status() >= 100 && e.status() <= 599 ? e.status() : 500;
    return {status, e.what(), e.parameter()};
  } catch (const UserError& e) {
    return {400, e.what(), ""};
  } catch (const std::exception& e) {
    return {500, e.what(), ""};
  } catch (...) {
    return {500, "unknown error", ""};
  }
}

HttpRequest MakeRequest(http::request<http::string_body>& message, const std::string& remote) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  auto url = boost::urls::parse_uri_reference(message.target());
  if (!url) throw HttpError(400, fmt::format("malformed request target {}", request.target));
  request.path = url->path();
  for (const auto& param : url->params()) request.query.emplace_back(param.key, param.value);
  for (const auto& field : message) {
    request.headers.emplace_back(ToLower(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(message.body());
  request.remote_address = remote;
  return request;
}

std::string RemoteOf(const tcp::socket& socket) {
  beast::error_code ec;
  tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  if (endpoint.address().is_v6()) {
    return fmt::format("[{}]:{}", endpoint.address().to_string(), endpoint.port());
  }
  return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

// Returns what the server answers a client that speaks plain HTTP to its HTTPS port.
const std::string& PlainHttpReply() {
  static const std::string reply = [] {
    std::string body = ErrorJson(400, "this port serves HTTPS: use an https:// URL");
    return fmt::format(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\n"
        "connection: close\r\n\r\n{}",
        body.size(), body);
  }();
  return reply;
}

}  // namespace

// Is one connection, HTTP or HTTPS: reads requests one after the other, calls the handler,
// writes the responses. Everything it does runs on its strand.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, ServerState& state)
      : state_(state), stream_(std::move(socket), state), remote_(RemoteOf(Lowest().socket())) {
    if (state.tls) stream_.StartTls(*state.tls);
  }

  ~HttpSession() {
    std::lock_guard lock(state_.mutex);
    state_.sessions.erase(this);
    if (state_.sessions.empty()) state_.sessions_ended.notify_all();
  }

  /// Registers the session and starts reading requests.
  void Run() {
    {
      std::lock_guard lock(state_.mutex);
      state_.sessions.insert(this);
    }
    net::dispatch(Lowest().get_executor(), [self = shared_from_this()] {
      if (self->state_.tls) return self->DetectTls();
      self->ReadHeader();
    });
  }

  /// Closes the connection, on the session's strand, when it waits for a request.
  void PostStop() {
    net::post(Lowest().get_executor(), [self = shared_from_this()] {
      if (self->phase_ == Phase::kReading || self->phase_ == Phase::kClosing) self->Close();
    });
  }

 private:
  enum class Phase { kReading, kHandling, kWriting, kClosing };

  beast::tcp_stream& Lowest() { return stream_.tcp(); }
  void DetectTls();
  void Handshake();
  void RejectPlainHttp();
  void ReadHeader();
  void OnHeader(beast::error_code ec);
  void ReadBody();
  void OnReadError(beast::error_code ec);
  void Reject(int status, std::string message);
  void Handle();
  void OnHandlerError(const std::exception_ptr& error);
  void Respond();
  void OnWritten(beast::error_code ec);
  void Continue(bool keep_alive);
  void Log();
  void Linger();
  void LingerTcp();
  void Drain();
  void Close() { Lowest().close(); }

  // Starts the access record of the request `header` belongs to.
  template <class Header>
  void BeginRecord(const Header& header) {
    record_ = AccessRecord();
    record_.remote_address = remote_;
    record_.method = std::string(header.method_string());
    record_.target = std::string(header.target());
  }

  ServerState& state_;
  SessionStream stream_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<SessionResponse> response_;
  AccessRecord record_;
  Clock::time_point request_read_;
  Phase phase_ = Phase::kReading;
};

// Reads the first bytes: a TLS handshake goes on (the read_timeout covers both), plain HTTP
// gets a 400 naming https.
void HttpSession::DetectTls() {
  Lowest().expires_after(state_.options.read_timeout);
  beast::async_detect_ssl(Lowest(), buffer_,
                          [self = shared_from_this()](beast::error_code ec, bool tls) {
                            if (ec) return self->Close();
                            if (!tls) return self->RejectPlainHttp();
                            self->Handshake();
                          });
}

void HttpSession::Handshake() {
  stream_.AsyncHandshake(
      buffer_.data(), [self = shared_from_this()](beast::error_code ec, size_t used) {
        if (ec) {
          spdlog::debug("http: TLS handshake with {} failed: {}", self->remote_, ec.message());
          return self->Close();
        }
        self->buffer_.consume(used);
        self->ReadHeader();
      });
}

void HttpSession::RejectPlainHttp() {
  phase_ = Phase::kWriting;
  Lowest().expires_after(state_.options.write_timeout);
  net::async_write(Lowest(), net::buffer(PlainHttpReply()),
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     if (ec) return self->Close();
                     self->LingerTcp();
                   });
}

void HttpSession::ReadHeader() {
  if (state_.stopping.load()) return Close();
  phase_ = Phase::kReading;
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(
      std::min<size_t>(state_.options.max_header_bytes, std::numeric_limits<uint32_t>::max())));
  parser_->body_limit(state_.options.max_body_bytes);
  Lowest().expires_after(state_.options.read_timeout);
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void HttpSession::OnHeader(beast::error_code ec) {
  if (ec) return OnReadError(ec);
  if (parser_->is_done()) return Handle();
  if (!beast::iequals(parser_->get()[http::field::expect], "100-continue")) return ReadBody();
  net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                   [self = shared_from_this()](beast::error_code write_error, size_t) {
                     if (write_error) return self->Close();
                     self->ReadBody();
                   });
}

void HttpSession::ReadBody() {
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     if (ec) return self->OnReadError(ec);
                     self->Handle();
                   });
}

void HttpSession::OnReadError(beast::error_code ec) {
  if (ec == http::error::body_limit) {
    return Reject(413, fmt::format("the request body is larger than the limit of {} bytes",
                                   state_.options.max_body_bytes));
  }
  if (ec == http::error::header_limit) {
    return Reject(431, fmt::format("the request headers are larger than the limit of {} bytes",
                                   state_.options.max_header_bytes));
  }
  bool parse_error = ec.category() == http::make_error_code(http::error::bad_target).category();
  if (parse_error && ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return Reject(400, fmt::format("malformed HTTP request: {}", ec.message()));
  }
  Close();  // the client went away, was idle too long, or the server stops
}

void HttpSession::Reject(int status, std::string message) {
  phase_ = Phase::kHandling;
  Lowest().expires_never();
  request_read_ = Clock::now();
  const auto& header = parser_->get();
  BeginRecord(header);
  response_.emplace(stream_, state_, 11, /*keep_alive=*/false, /*head=*/false);
  response_->Send(status, JsonHeaders(), ErrorJson(status, message));
  Respond();
}

void HttpSession::Handle() {
  phase_ = Phase::kHandling;
  Lowest().expires_never();
  request_read_ = Clock::now();
  http::request<http::string_body>& message = parser_->get();
  bool keep_alive = message.keep_alive() && !state_.stopping.load();
  bool head = message.method() == http::verb::head;
  response_.emplace(stream_, state_, message.version(), keep_alive, head);
  BeginRecord(message);
  try {
    HttpRequest request = MakeRequest(message, remote_);
    record_.path = request.path;
    state_.handler(request, *response_);
  } catch (...) {
    OnHandlerError(std::current_exception());
  }
  Respond();
}

void HttpSession::OnHandlerError(const std::exception_ptr& error) {
  ErrorReply reply = Describe(error);
  if (reply.status >= 500) {
    spdlog::error("http: {} {}: {}", record_.method, record_.target, reply.message);
  }
  if (response_->started()) return response_->Abandon();
  response_->Send(reply.status, JsonHeaders(),
                  ErrorJson(reply.status, reply.message, reply.parameter));
}

void HttpSession::Respond() {
  SessionResponse& response = *response_;
  if (!response.started()) {
    const char* message = "the handler sent no response";
    spdlog::error("http: {} {}: {}", record_.method, record_.target, message);
    response.Send(500, JsonHeaders(), ErrorJson(500, message));
  }
  if (response.streaming()) {
    try {
      if (!response.broken()) response.Finish();
    } catch (const IoError&) {
      // Finish marked the response broken: the connection closes below.
    }
    Log();
    if (response.broken()) return Close();
    return Continue(response.keep_alive());
  }
  phase_ = Phase::kWriting;
  Lowest().expires_after(state_.options.write_timeout);
  http::async_write(
      stream_, response.whole(),
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnWritten(ec); });
}

void HttpSession::OnWritten(beast::error_code ec) {
  Log();
  if (ec) return Close();
  Continue(response_->keep_alive() && !response_->broken());
}

void HttpSession::Continue(bool keep_alive) {
  response_.reset();
  if (keep_alive && !state_.stopping.load()) return ReadHeader();
  Linger();
}

void HttpSession::Log() {
  if (!state_.options.access_log) return;
  record_.status = response_->status();
  record_.bytes = response_->bytes();
  record_.duration_micros =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - request_read_).count();
  try {
    state_.options.access_log(record_);
  } catch (const std::exception& error) {
    spdlog::warn("http: the access log failed: {}", error.what());
  }
}

// Ends the connection after its last response without cutting that response off.
void HttpSession::Linger() {
  if (!state_.tls) return LingerTcp();
  phase_ = Phase::kClosing;
  Lowest().expires_after(std::min<Clock::duration>(state_.options.read_timeout, kLingerTimeout));
  stream_.AsyncShutdown([self = shared_from_this()](beast::error_code) { self->Close(); });
}

void HttpSession::LingerTcp() {
  phase_ = Phase::kClosing;
  beast::error_code ec;
  Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return Close();
  Lowest().expires_after(std::min<Clock::duration>(state_.options.read_timeout, kLingerTimeout));
  Drain();
}

void HttpSession::Drain() {
  buffer_.consume(buffer_.size());
  Lowest().async_read_some(buffer_.prepare(16 << 10),
                           [self = shared_from_this()](beast::error_code ec, size_t) {
                             if (ec) return self->Close();
                             self->Drain();
                           });
}

void StartSession(tcp::socket socket, ServerState& state) {
  std::make_shared<HttpSession>(std::move(socket), state)->Run();
}

void StopSessions(ServerState& state) {
  std::vector<std::shared_ptr<HttpSession>> sessions;
  {
    std::lock_guard lock(state.mutex);
    for (HttpSession* session : state.sessions) {
      if (auto alive = session->weak_from_this().lock()) sessions.push_back(std::move(alive));
    }
  }
  for (const auto& session : sessions) session->PostStop();
}

}  // namespace sluice::serve
