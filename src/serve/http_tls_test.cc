// HttpServer with TLS, checked by a client on OpenSSL's blocking API: requests, keep-alive,
// chunked streaming and the closing close_notify over TLS, plain HTTP and TLS 1.1 refused, and
// the errors for unusable certificate and key files.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/error.h"
#include "base/test_folder.h"
#include "serve/http_server.h"

namespace sluice::serve {
namespace {

using ::testing::HasSubstr;

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* pointer) const { Free(pointer); }
};
using KeyPointer = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPointer = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPointer = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using ContextPointer = std::unique_ptr<SSL_CTX, Deleter<SSL_CTX, SSL_CTX_free>>;
using SslPointer = std::unique_ptr<SSL, Deleter<SSL, SSL_free>>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

// Is a P-256 key and a self-signed certificate for 127.0.0.1, as PEM text.
struct Credentials {
  std::string cert;
  std::string key;
  std::string encrypted_key;
};

Credentials MakeCredentials() {
  KeyPointer key(EVP_EC_gen("P-256"));
  CertPointer cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert.get(), cert.get(), nullptr, nullptr, 0);
  X509_EXTENSION* alt_name =
      X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, "IP:127.0.0.1");
  X509_add_ext(cert.get(), alt_name, -1);
  X509_EXTENSION_free(alt_name);
  X509_sign(cert.get(), key.get(), EVP_sha256());

  Credentials credentials;
  BioPointer cert_bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(cert_bio.get(), cert.get());
  credentials.cert = BioText(cert_bio.get());
  BioPointer key_bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  credentials.key = BioText(key_bio.get());
  BioPointer encrypted_bio(BIO_new(BIO_s_mem()));
  char passphrase[] = "secret";
  PEM_write_bio_PrivateKey(encrypted_bio.get(), key.get(), EVP_aes_128_cbc(), nullptr, 0, nullptr,
                           passphrase);
  credentials.encrypted_key = BioText(encrypted_bio.get());
  return credentials;
}

// Returns a connected TCP socket to 127.0.0.1:`port` whose reads give up after 30 s.
int Connect(uint16_t port) {
  int socket = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{30, 0};
  setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(socket, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(socket);
    return -1;
  }
  return socket;
}

// Is a TLS client connection that trusts the certificate `cert_file` only.
class TlsClient {
 public:
  TlsClient(uint16_t port, const std::string& cert_file, int max_version = 0)
      : context_(SSL_CTX_new(TLS_client_method())), socket_(Connect(port)) {
    SSL_CTX_load_verify_locations(context_.get(), cert_file.c_str(), nullptr);
    SSL_CTX_set_verify(context_.get(), SSL_VERIFY_PEER, nullptr);
    if (max_version != 0) {
      SSL_CTX_set_security_level(context_.get(), 0);  // lets this client offer old versions
      SSL_CTX_set_min_proto_version(context_.get(), TLS1_VERSION);
      SSL_CTX_set_max_proto_version(context_.get(), max_version);
    }
    ssl_.reset(SSL_new(context_.get()));
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), "127.0.0.1");
    SSL_set_fd(ssl_.get(), socket_);
  }
  ~TlsClient() { ::close(socket_); }

  /// Runs the handshake; returns false when it fails.
  bool Handshake() { return SSL_connect(ssl_.get()) == 1; }
  /// Returns the protocol version agreed on ("TLSv1.3").
  std::string version() const { return SSL_get_version(ssl_.get()); }

  void Send(const std::string& bytes) { ASSERT_TRUE(TrySend(bytes)); }
  /// Sends `bytes`; returns false when the server closed the connection before taking them all
  /// (SIGPIPE is ignored by the fixture).
  bool TrySend(const std::string& bytes) {
    return SSL_write(ssl_.get(), bytes.data(), static_cast<int>(bytes.size())) ==
           static_cast<int>(bytes.size());
  }

  /// Reads until `received` ends with `end` or the connection ends; returns what was read.
  std::string ReadUntil(std::string_view end) {
    std::string received;
    char buffer[16384];
    while (!received.ends_with(end)) {
      int read = SSL_read(ssl_.get(), buffer, sizeof(buffer));
      if (read <= 0) {
        last_error_ = SSL_get_error(ssl_.get(), read);
        break;
      }
      received.append(buffer, static_cast<size_t>(read));
    }
    return received;
  }

  /// Returns true when the server ended TLS with close_notify (SSL_ERROR_ZERO_RETURN).
  bool ClosedCleanly() {
    ReadUntil("\x01never");
    return last_error_ == SSL_ERROR_ZERO_RETURN;
  }

 private:
  ContextPointer context_;
  SslPointer ssl_;
  int socket_;
  int last_error_ = 0;
};

std::string Get(const std::string& target, bool close = false) {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
         (close ? "Connection: close\r\n" : "") + "\r\n";
}

// Answers /big with `kChunks` chunks of 64 KiB, everything else with its path.
constexpr int kChunks = 64;

void Answer(const HttpRequest& request, ResponseWriter& response) {
  if (request.path != "/big") return response.Send(200, {}, "path " + request.path);
  response.Start(200, {{"content-type", "application/octet-stream"}});
  std::string chunk(64 << 10, 'x');
  for (int i = 0; i < kChunks; ++i) response.Write(chunk);
  response.Finish();
}

class HttpTlsTest : public ::testing::Test {
 protected:
  // A server refusing a request may close before the client wrote all of it.
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }

  void SetUp() override {
    credentials_ = MakeCredentials();
    folder_.Write("cert.pem", credentials_.cert);
    folder_.Write("key.pem", credentials_.key);
  }

  ServerOptions Options(const std::string& cert = "cert.pem", const std::string& key = "key.pem") {
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.threads = 2;
    options.tls = TlsFiles{folder_.Path(cert), folder_.Path(key)};
    return options;
  }

  // Returns the message of the error HttpServer::Start throws for `options` ("" when none).
  static std::string StartError(const ServerOptions& options) {
    try {
      HttpServer::Start(options, Answer);
    } catch (const UserError& error) {
      return error.what();
    }
    return "";
  }

  TestFolder folder_;
  Credentials credentials_;
};

TEST_F(HttpTlsTest, AnswersRequestsOnOneConnectionAndClosesWithCloseNotify) {
  auto server = HttpServer::Start(Options(), Answer);
  TlsClient client(server->port(), folder_.Path("cert.pem"));
  ASSERT_TRUE(client.Handshake());
  EXPECT_THAT(client.version(), ::testing::AnyOf("TLSv1.2", "TLSv1.3"));
  client.Send(Get("/first"));
  std::string first = client.ReadUntil("path /first");
  EXPECT_THAT(first, ::testing::StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(first, HasSubstr("path /first"));
  client.Send(Get("/second", /*close=*/true));
  EXPECT_THAT(client.ReadUntil("path /second"), HasSubstr("path /second"));
  EXPECT_TRUE(client.ClosedCleanly());
}

TEST_F(HttpTlsTest, StreamsAChunkedResponse) {
  auto server = HttpServer::Start(Options(), Answer);
  TlsClient client(server->port(), folder_.Path("cert.pem"));
  ASSERT_TRUE(client.Handshake());
  client.Send(Get("/big"));
  std::string response = client.ReadUntil("\r\n0\r\n\r\n");
  EXPECT_THAT(response, HasSubstr("Transfer-Encoding: chunked"));
  size_t body_start = response.find("\r\n\r\n") + 4;
  size_t payload = 0;
  for (size_t at = body_start; at < response.size();) {
    size_t line_end = response.find("\r\n", at);
    ASSERT_NE(line_end, std::string::npos);
    size_t size = std::stoul(response.substr(at, line_end - at), nullptr, 16);
    payload += size;
    at = line_end + 2 + size + 2;
    if (size == 0) break;
  }
  EXPECT_EQ(payload, size_t{kChunks} << 16);
  client.Send(Get("/after"));  // the connection stays usable
  EXPECT_THAT(client.ReadUntil("path /after"), HasSubstr("path /after"));
}

TEST_F(HttpTlsTest, AppliesTheLimitsAndTimeouts) {
  ServerOptions options = Options();
  options.max_body_bytes = 1000;
  options.read_timeout = std::chrono::milliseconds(300);
  auto server = HttpServer::Start(options, Answer);
  TlsClient large(server->port(), folder_.Path("cert.pem"));
  ASSERT_TRUE(large.Handshake());
  // The server answers 413 after the headers and may close before the body is all written.
  large.TrySend("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 50000\r\n\r\n" +
                std::string(50000, 'x'));
  std::string response = large.ReadUntil("\"status\":413}");
  EXPECT_THAT(response, ::testing::StartsWith("HTTP/1.1 413 "));
  EXPECT_THAT(response, HasSubstr("larger than the limit of 1000 bytes"));
  EXPECT_TRUE(large.ClosedCleanly());

  TlsClient idle(server->port(), folder_.Path("cert.pem"));
  ASSERT_TRUE(idle.Handshake());
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(idle.ReadUntil("never"), "");  // the server closes the idle connection
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(HttpTlsTest, AnswersPlainHttpWith400NamingHttps) {
  auto server = HttpServer::Start(Options(), Answer);
  int socket = Connect(server->port());
  ASSERT_GE(socket, 0);
  std::string request = Get("/plain");
  ASSERT_EQ(::send(socket, request.data(), request.size(), 0),
            static_cast<ssize_t>(request.size()));
  std::string response;
  char buffer[4096];
  for (ssize_t read; (read = ::recv(socket, buffer, sizeof(buffer), 0)) > 0;) {
    response.append(buffer, static_cast<size_t>(read));
  }
  ::close(socket);
  EXPECT_THAT(response, ::testing::StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_THAT(response, HasSubstr("use an https:// URL"));
}

TEST_F(HttpTlsTest, RefusesTls11) {
  auto server = HttpServer::Start(Options(), Answer);
  TlsClient old_client(server->port(), folder_.Path("cert.pem"), TLS1_1_VERSION);
  EXPECT_FALSE(old_client.Handshake());
  TlsClient client(server->port(), folder_.Path("cert.pem"), TLS1_2_VERSION);
  ASSERT_TRUE(client.Handshake());
  EXPECT_EQ(client.version(), "TLSv1.2");
}

TEST_F(HttpTlsTest, StopClosesIdleConnections) {
  auto server = HttpServer::Start(Options(), Answer);
  TlsClient client(server->port(), folder_.Path("cert.pem"));
  ASSERT_TRUE(client.Handshake());
  client.Send(Get("/once"));
  EXPECT_THAT(client.ReadUntil("path /once"), HasSubstr("path /once"));
  auto start = std::chrono::steady_clock::now();
  server->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(HttpTlsTest, StopAbortsAStreamToAClientThatDoesNotRead) {
  ServerOptions options = Options();
  options.shutdown_grace = std::chrono::milliseconds(100);
  std::promise<void> writing;
  std::atomic<bool> aborted = false;
  auto server = HttpServer::Start(options, [&](const HttpRequest&, ResponseWriter& out) {
    out.Start(200, {});
    writing.set_value();
    try {
      while (true) out.Write(std::string(1 << 20, 'z'));
    } catch (const IoError&) {
      aborted = true;
      throw;
    }
  });
  TlsClient client(server->port(), folder_.Path("cert.pem"));
  ASSERT_TRUE(client.Handshake());
  client.Send(Get("/"));
  writing.get_future().wait();
  server->Stop();
  EXPECT_TRUE(aborted);
}

TEST_F(HttpTlsTest, NamesUnusableCertificateAndKeyFiles) {
  folder_.Write("garbage.pem", "not a certificate\n");
  folder_.Write("encrypted.pem", credentials_.encrypted_key);
  folder_.Write("other-key.pem", MakeCredentials().key);

  std::string missing = StartError(Options("missing.pem"));
  EXPECT_THAT(missing,
              HasSubstr("cannot read the TLS certificate '" + folder_.Path("missing.pem")));
  EXPECT_THAT(missing, HasSubstr("No such file"));
  EXPECT_THAT(StartError(Options("garbage.pem")),
              HasSubstr("the TLS certificate '" + folder_.Path("garbage.pem") +
                        "' holds no usable PEM certificate"));
  EXPECT_THAT(StartError(Options("cert.pem", "garbage.pem")),
              HasSubstr("the TLS private key '" + folder_.Path("garbage.pem") +
                        "' holds no usable PEM private key"));
  EXPECT_THAT(StartError(Options("cert.pem", "cert.pem")),
              HasSubstr("holds no usable PEM private key"));
  EXPECT_THAT(
      StartError(Options("cert.pem", "encrypted.pem")),
      HasSubstr("the TLS private key '" + folder_.Path("encrypted.pem") + "' is encrypted"));
  EXPECT_THAT(StartError(Options("cert.pem", "other-key.pem")),
              HasSubstr("the TLS private key '" + folder_.Path("other-key.pem") +
                        "' does not belong to the certificate"));
  EXPECT_EQ(StartError(Options()), "");
}

}  // namespace
}  // namespace sluice::serve
