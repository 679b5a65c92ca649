#include "serve/http_server.h"

#include <algorithm>
#include <charconv>
#include <mutex>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/error.hpp>

#include "serve/http_session.h"

namespace sluice::serve {

namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Parses host:port, [v6]:port or localhost:port; an empty host means every interface.
tcp::endpoint ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) Throw<IoError>("cannot listen on {}: not host:port", listen);
  std::string_view host = std::string_view(listen).substr(0, colon);
  std::string_view port_text = std::string_view(listen).substr(colon + 1);
  uint16_t port = 0;
  const char* end = port_text.data() + port_text.size();
  auto [parsed_end, error] = std::from_chars(port_text.data(), end, port);
  if (port_text.empty() || error != std::errc() || parsed_end != end) {
    Throw<IoError>("cannot listen on {}: bad port '{}'", listen, port_text);
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) return {tcp::v4(), port};
  if (host == "localhost") return {net::ip::address_v4::loopback(), port};
  beast::error_code ec;
  net::ip::address address = net::ip::make_address(host, ec);
  if (ec) Throw<IoError>("cannot listen on {}: {} is not an IP address", listen, host);
  return {address, port};
}

class ServerImpl;
thread_local const ServerImpl* current_server = nullptr;

class ServerImpl final : public HttpServer {
 public:
  ServerImpl(const ServerOptions& options, Handler handler)
      : io_(static_cast<int>(ThreadCount(options))),
        work_(io_.get_executor()),
        acceptor_(net::make_strand(io_)),
        accept_retry_(acceptor_.get_executor()) {
    state_.options = options;
    state_.handler = std::move(handler);
  }
  ~ServerImpl() override { Stop(); }

  /// Binds the listen address and starts accepting; throws IoError.
  void Listen();
  /// Starts the io threads.
  void StartThreads();
  uint16_t port() const override { return port_; }
  void Stop() override;

 private:
  static size_t ThreadCount(const ServerOptions& options) {
    if (options.threads > 0) return options.threads;
    return std::max(1u, std::thread::hardware_concurrency());
  }
  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void BeginStop();

  // Declared first: sessions still queued in io_ unregister from it when io_ is destroyed.
  ServerState state_;
  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
  std::mutex stop_mutex_;
  bool stopped_ = false;  // guarded by stop_mutex_
};

void ServerImpl::Listen() {
  const std::string& listen = state_.options.listen;
  tcp::endpoint endpoint = ParseListen(listen);
  beast::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) Throw<IoError>("cannot listen on {}: {}", listen, ec.message());
  port_ = acceptor_.local_endpoint().port();
  Accept();
}

void ServerImpl::StartThreads() {
  size_t count = ThreadCount(state_.options);
  for (size_t i = 0; i < count; ++i) {
    threads_.emplace_back([this] {
      current_server = this;
      while (true) {
        try {
          io_.run();
          return;
        } catch (const std::exception& error) {
          spdlog::error("http: {}", error.what());
        }
      }
    });
  }
}

void ServerImpl::Accept() {
  acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void ServerImpl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (state_.stopping.load() || !acceptor_.is_open()) return;
  if (ec) {
    // Out of file descriptors and the like: wait a little rather than spin.
    spdlog::warn("http: cannot accept a connection: {}", ec.message());
    accept_retry_.expires_after(std::chrono::milliseconds(100));
    accept_retry_.async_wait([this](beast::error_code wait_error) {
      if (!wait_error) Accept();
    });
    return;
  }
  StartSession(std::move(socket), state_);
  Accept();
}

void ServerImpl::BeginStop() {
  if (state_.stopping.exchange(true)) return;
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    accept_retry_.cancel();
  });
  StopSessions(state_);
}

void ServerImpl::Stop() {
  // A handler cannot wait for its own thread to end.
  if (current_server == this) return BeginStop();
  std::lock_guard stop_lock(stop_mutex_);
  if (stopped_) return;
  BeginStop();
  {
    std::unique_lock lock(state_.mutex);
    state_.sessions_ended.wait_for(lock, state_.options.shutdown_grace,
                                   [&] { return state_.sessions.empty(); });
  }
  state_.abort_writes.store(true);
  work_.reset();
  io_.stop();
  for (std::thread& thread : threads_) thread.join();
  beast::error_code ec;
  acceptor_.close(ec);
  stopped_ = true;
}

}  // namespace

std::unique_ptr<HttpServer> HttpServer::Start(const ServerOptions& options, Handler handler) {
  auto server = std::make_unique<ServerImpl>(options, std::move(handler));
  server->Listen();
  server->StartThreads();
  return server;
}

}  // namespace sluice::serve
