#include "serve/http_server.h"

#include <algorithm>
#include <charconv>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/error.hpp>

#include "base/text_file.h"
#include "serve/http_session.h"

namespace sluice::serve {

namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

// The TLS 1.2 suites: forward secret and AEAD only (Mozilla's "intermediate" list without the
// DHE suites, which would need DH parameters). TLS 1.3 keeps OpenSSL's suites, all of which are.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Is the text of a PEM file, wiped from memory when it is dropped (it may hold a private key).
class PemText {
 public:
  PemText(const std::string& path, std::string_view what) : text_(ReadTextFile(path, what)) {}
  ~PemText() { OPENSSL_cleanse(text_.data(), text_.size()); }
  PemText(const PemText&) = delete;
  PemText& operator=(const PemText&) = delete;

  net::const_buffer buffer() const { return net::buffer(text_); }
  bool Contains(std::string_view part) const { return text_.find(part) != std::string::npos; }

 private:
  std::string text_;
};

// Throws the UserError `message`, leaving OpenSSL's error queue of this thread empty.
[[noreturn]] void FailTls(std::string message) {
  ERR_clear_error();
  throw UserError(std::move(message));
}

// Returns a server context for TLS 1.2 and 1.3 only, with the suites of kTls12Ciphers.
std::unique_ptr<ssl::context> NewTlsContext() {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // Client-initiated renegotiation costs the server a handshake per request of the client.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    Throw<InternalError>("this OpenSSL knows none of the TLS 1.2 cipher suites {}", kTls12Ciphers);
  }
  // Without a callback OpenSSL would ask for the passphrase of an encrypted key on the terminal.
  context->set_password_callback(
      [](size_t, ssl::context::password_purpose) { return std::string(); });
  return context;
}

// Returns the server's TLS context with the certificate chain and the key of `files`. Throws
// as HttpServer::Start says.
std::unique_ptr<ssl::context> MakeTlsContext(const TlsFiles& files) {
  std::unique_ptr<ssl::context> context = NewTlsContext();
  beast::error_code ec;
  PemText cert(files.cert_file, "the TLS certificate");
  context->use_certificate_chain(cert.buffer(), ec);
  if (ec) {
    FailTls(fmt::format("the TLS certificate '{}' holds no usable PEM certificate (OpenSSL: {})",
                        files.cert_file, ec.message()));
  }
  PemText key(files.key_file, "the TLS private key");
  if (key.Contains("ENCRYPTED")) {
    FailTls(fmt::format(
        "the TLS private key '{}' is encrypted; give sluice the key without a passphrase "
        "(openssl pkey -in KEY -out PLAIN.pem), readable by its user only",
        files.key_file));
  }
  context->use_private_key(key.buffer(), ssl::context::pem, ec);
  bool mismatch =
      ec && ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH;
  if (ec && !mismatch) {
    FailTls(fmt::format("the TLS private key '{}' holds no usable PEM private key (OpenSSL: {})",
                        files.key_file, ec.message()));
  }
  if (mismatch || SSL_CTX_check_private_key(context->native_handle()) != 1) {
    FailTls(fmt::format("the TLS private key '{}' does not belong to the certificate '{}'",
                        files.key_file, files.cert_file));
  }
  return context;
}

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
    if (options.tls) state_.tls = MakeTlsContext(*options.tls);
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
  // Responses are written whole or in large chunks: Nagle's algorithm would only hold back a
  // streamed body's last segment until the client acknowledged the one before.
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
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
