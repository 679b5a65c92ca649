#pragma once

// The connection of an HTTP session (internal to http_session.cc): TCP, or TLS over it, as one
// stream type, so that Beast's HTTP operations are compiled once for both.

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/flat_stream.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "serve/http_session.h"

namespace sluice::serve {

namespace beast = boost::beast;
namespace net = boost::asio;

/// Is a completion handler of signature void(error_code, size_t), type-erased; it runs on the
/// executor of the handler it holds (asio's any_completion_handler does not work with Beast
/// 1.81's tcp_stream).
class ErasedHandler {
 public:
  using executor_type = net::any_io_executor;

  template <class Handler>
  ErasedHandler(Handler handler, const executor_type& fallback)
      : executor_(net::get_associated_executor(handler, fallback)),
        handler_(std::make_unique<Model<Handler>>(std::move(handler))) {}

  executor_type get_executor() const noexcept { return executor_; }
  void operator()(beast::error_code ec, size_t transferred) {
    std::unique_ptr<Concept> handler = std::move(handler_);
    handler->Invoke(ec, transferred);
  }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual void Invoke(beast::error_code ec, size_t transferred) = 0;
  };
  template <class Handler>
  struct Model final : Concept {
    explicit Model(Handler h) : handler(std::move(h)) {}
    void Invoke(beast::error_code ec, size_t transferred) override {
      std::move(handler)(ec, transferred);
    }
    Handler handler;
  };

  executor_type executor_;
  std::unique_ptr<Concept> handler_;
};

/// Is a TCP connection whose synchronous reads and writes wait for the socket themselves (the
/// socket is in user non-blocking mode): at most `options.write_timeout` per call, failing
/// with operation_aborted once `abort_writes` is set. A streaming handler's Writes go through
/// them, directly or through TLS; asynchronous operations run under the tcp_stream's expiry.
/// The next layer of asio's ssl::stream.
class DeadlineStream {
 public:
  using executor_type = beast::tcp_stream::executor_type;
  using lowest_layer_type = net::ip::tcp::socket;  // asio's ssl::stream asks for these two

  DeadlineStream(net::ip::tcp::socket socket, const ServerState& state)
      : stream_(std::move(socket)), state_(state) {
    beast::error_code ec;
    stream_.socket().set_option(net::ip::tcp::no_delay(true), ec);
    stream_.socket().non_blocking(true, ec);
  }

  executor_type get_executor() { return stream_.get_executor(); }
  beast::tcp_stream& tcp() { return stream_; }
  lowest_layer_type& lowest_layer() { return stream_.socket(); }

  // TLS calls these with one buffer; the tcp_stream's operations are compiled once, for
  // ErasedHandler.
  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return net::async_initiate<Token, void(beast::error_code, size_t)>(
        [this](auto handler, net::mutable_buffer buffer) {
          AsyncReadSome(buffer, ErasedHandler(std::move(handler), get_executor()));
        },
        token, beast::buffers_front(buffers));
  }
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return net::async_initiate<Token, void(beast::error_code, size_t)>(
        [this](auto handler, net::const_buffer buffer) {
          AsyncWriteSome(buffer, ErasedHandler(std::move(handler), get_executor()));
        },
        token, beast::buffers_front(buffers));
  }
  void AsyncReadSome(net::mutable_buffer buffer, ErasedHandler handler) {
    stream_.async_read_some(buffer, std::move(handler));
  }
  void AsyncWriteSome(net::const_buffer buffer, ErasedHandler handler) {
    stream_.async_write_some(buffer, std::move(handler));
  }
  template <class Buffers>
  size_t read_some(const Buffers& buffers, beast::error_code& ec) {
    return Blocking(POLLIN, ec, [&] { return stream_.socket().read_some(buffers, ec); });
  }
  template <class Buffers>
  size_t write_some(const Buffers& buffers, beast::error_code& ec) {
    return Blocking(POLLOUT, ec, [&] { return stream_.socket().write_some(buffers, ec); });
  }

 private:
  using Clock = std::chrono::steady_clock;
  // How often a blocked call looks whether Stop gave up waiting for it.
  static constexpr auto kPollSlice = std::chrono::milliseconds(50);

  // Repeats `call`, one non-blocking system call, until it does not find the socket busy.
  template <class Call>
  size_t Blocking(short events, beast::error_code& ec, Call call) {
    Clock::time_point deadline = Clock::now() + state_.options.write_timeout;
    while (true) {
      size_t transferred = call();
      if (ec != net::error::would_block && ec != net::error::try_again) return transferred;
      if (!Await(events, deadline, ec)) return 0;
    }
  }

  bool Await(short events, Clock::time_point deadline, beast::error_code& ec) {
    while (!state_.abort_writes.load()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        ec = net::error::timed_out;
        return false;
      }
      pollfd descriptor{stream_.socket().native_handle(), events, 0};
      int ready = ::poll(&descriptor, 1, static_cast<int>(std::min(left, kPollSlice).count()));
      if (ready > 0) return true;
      if (ready < 0 && errno != EINTR) {
        ec.assign(errno, boost::system::system_category());
        return false;
      }
    }
    ec = net::error::operation_aborted;
    return false;
  }

  beast::tcp_stream stream_;
  const ServerState& state_;
};

/// Is the connection of a session: TCP, or TLS over it once StartTls was called. A Beast
/// AsyncStream and SyncWriteStream whose operations pass the buffers and the handler on to
/// the layer in use, type-erased, so that Beast's HTTP operations are compiled once. Reads
/// fill the first buffer of a sequence, writes send up to kMaxBuffers buffers at once. At most
/// one write at a time (synchronous or not); not thread-safe (a session's strand uses it).
class SessionStream {
 public:
  using executor_type = beast::tcp_stream::executor_type;
  static constexpr size_t kMaxBuffers = 16;

  SessionStream(net::ip::tcp::socket socket, const ServerState& state)
      : tcp_(std::move(socket), state) {}
  SessionStream(const SessionStream&) = delete;
  SessionStream& operator=(const SessionStream&) = delete;

  /// Goes on with TLS, as the server of `context`.
  void StartTls(net::ssl::context& context) { tls_.emplace(tcp_, context); }
  /// Returns the TCP connection, for expiry times and to close it.
  beast::tcp_stream& tcp() { return tcp_.tcp(); }

  executor_type get_executor() { return tcp_.get_executor(); }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return net::async_initiate<Token, void(beast::error_code, size_t)>(
        [this](auto handler, net::mutable_buffer buffer) {
          AsyncReadSome(buffer, ErasedHandler(std::move(handler), get_executor()));
        },
        token, FirstBuffer(buffers));
  }
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    Gather(buffers);
    return net::async_initiate<Token, void(beast::error_code, size_t)>(
        [this](auto handler) { AsyncWriteSome(ErasedHandler(std::move(handler), get_executor())); },
        token);
  }
  template <class Buffers>
  size_t write_some(const Buffers& buffers, beast::error_code& ec) {
    Gather(buffers);
    return WriteSome(ec);
  }
  template <class Buffers>
  size_t write_some(const Buffers& buffers) {
    beast::error_code ec;
    size_t written = write_some(buffers, ec);
    if (ec) throw beast::system_error(ec);
    return written;
  }

  /// Runs the TLS handshake, the client's first bytes `read` already read; `handler(ec,
  /// used)` gets how many of them it used. REQUIRES: StartTls was called.
  template <class Handler>
  void AsyncHandshake(net::const_buffer read, Handler&& handler) {
    tls_->next_layer().async_handshake(net::ssl::stream_base::server, read,
                                       std::forward<Handler>(handler));
  }
  /// Sends TLS's close_notify and reads, discarding data, until the client's or the end of
  /// the connection; then `handler(ec)`. REQUIRES: StartTls was called.
  template <class Handler>
  void AsyncShutdown(Handler&& handler) {
    tls_->next_layer().async_shutdown(std::forward<Handler>(handler));
  }

 private:
  template <class Buffers>
  static net::mutable_buffer FirstBuffer(const Buffers& buffers) {
    for (net::mutable_buffer buffer : beast::buffers_range_ref(buffers)) {
      if (buffer.size() > 0) return buffer;
    }
    return {};
  }

  template <class Buffers>
  void Gather(const Buffers& buffers) {
    write_buffers_.clear();
    for (net::const_buffer buffer : beast::buffers_range_ref(buffers)) {
      if (buffer.size() == 0) continue;
      if (write_buffers_.size() == kMaxBuffers) break;
      write_buffers_.push_back(buffer);
    }
  }

  void AsyncReadSome(net::mutable_buffer buffer, ErasedHandler handler) {
    if (tls_) return tls_->async_read_some(buffer, std::move(handler));
    tcp_.AsyncReadSome(buffer, std::move(handler));
  }
  void AsyncWriteSome(ErasedHandler handler) {
    if (tls_) return tls_->async_write_some(write_buffers_, std::move(handler));
    tcp().async_write_some(write_buffers_, std::move(handler));
  }
  size_t WriteSome(beast::error_code& ec) {
    if (tls_) return tls_->write_some(write_buffers_, ec);
    return tcp_.write_some(write_buffers_, ec);
  }

  DeadlineStream tcp_;
  // What beast::ssl_stream is (flat_stream gathers a write's buffers into one TLS record),
  // spelled out because Beast 1.81's ssl_stream refuses the handler of a handshake that
  // starts with bytes already read.
  std::optional<beast::flat_stream<net::ssl::stream<DeadlineStream&>>> tls_;
  std::vector<net::const_buffer> write_buffers_;  // of the write in progress
};

}  // namespace sluice::serve
