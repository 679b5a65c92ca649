#include "serve/http_server.h"

#include <atomic>
#include <future>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace sluice::serve {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Response = http::response<http::string_body>;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Is a client connection to the server under test. Every operation gives up after 30 s so
// that a broken server fails the test instead of hanging it.
class Client {
 public:
  explicit Client(uint16_t port) : stream_(io_) {
    buffer_.reserve(1 << 20);  // Beast reads at most the free capacity at a time
    stream_.expires_after(std::chrono::seconds(30));
    stream_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  /// Sends a request and returns its response.
  Response Request(http::verb verb, const std::string& target, const std::string& body = "") {
    http::request<http::string_body> request(verb, target, 11);
    request.set(http::field::host, "127.0.0.1");
    request.set("X-Token", "secret");
    request.body() = body;
    if (!body.empty() || verb == http::verb::post) request.prepare_payload();
    beast::error_code ec = Send(request);
    if (ec) throw beast::system_error(ec);
    return Read(verb == http::verb::head);
  }

  /// Sends `message` whole.
  template <class Message>
  beast::error_code Send(Message& message) {
    return Await([&](auto done) { http::async_write(stream_, message, done); });
  }

  /// Sends `bytes` as they are.
  void SendRaw(const std::string& bytes) {
    beast::error_code ec =
        Await([&](auto done) { net::async_write(stream_, net::buffer(bytes), done); });
    if (ec) throw beast::system_error(ec);
  }

  /// Reads one response; throws on a broken one.
  Response Read(bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<uint64_t>::max());
    parser.skip(head);
    beast::error_code ec =
        Await([&](auto done) { http::async_read(stream_, buffer_, parser, done); });
    if (ec) throw beast::system_error(ec);
    return parser.release();
  }

  /// Returns true when the server closed the connection: reading ends without data.
  bool ClosedByServer() {
    char byte;
    beast::error_code ec =
        Await([&](auto done) { stream_.async_read_some(net::buffer(&byte, 1), done); });
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

 private:
  template <class Start>
  beast::error_code Await(Start start) {
    beast::error_code result;
    stream_.expires_after(std::chrono::seconds(30));
    start([&](beast::error_code ec, size_t) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  net::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

ServerOptions TestOptions() {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.threads = 2;
  return options;
}

std::string Describe(const HttpRequest& request) {
  std::string out = request.method + " " + request.path;
  for (const auto& [name, value] : request.query) out += " [" + name + "=" + value + "]";
  return out + " token=" + request.Header("x-TOKEN");
}

// Returns `size` bytes of a pattern that shows misplaced or lost pieces.
std::string Pattern(size_t offset, size_t size) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>('a' + (offset + i) % 23);
  return out;
}

TEST(HttpServerTest, DecodesPathAndQuery) {
  auto server =
      HttpServer::Start(TestOptions(), [](const HttpRequest& request, ResponseWriter& response) {
        response.Send(200, {{"content-type", "text/plain"}}, Describe(request));
      });
  Client client(server->port());
  Response response =
      client.Request(http::verb::get, "/v1/results/a%20b?x=1&name=jane+doe&e=%C3%A9&flag");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response[http::field::content_type], "text/plain");
  EXPECT_EQ(response.body(),
            "GET /v1/results/a b [x=1] [name=jane doe] [e=\xC3\xA9] [flag=] token=secret");
}

TEST(HttpServerTest, KeepsTheConnectionAliveAndLogsEachRequest) {
  std::mutex mutex;
  std::vector<AccessRecord> records;
  ServerOptions options = TestOptions();
  options.access_log = [&](const AccessRecord& record) {
    std::lock_guard lock(mutex);
    records.push_back(record);
  };
  auto server = HttpServer::Start(options, [](const HttpRequest& request, ResponseWriter& out) {
    out.Send(201, {}, "echo:" + request.body);
  });
  Client client(server->port());
  for (int i = 0; i < 5; ++i) {
    Response response = client.Request(http::verb::post, "/p%2Fq?i=" + std::to_string(i), "xyz");
    EXPECT_EQ(response.result_int(), 201);
    EXPECT_EQ(response.body(), "echo:xyz");
    EXPECT_TRUE(response.keep_alive());
  }
  server->Stop();
  ASSERT_EQ(records.size(), 5u);
  for (const AccessRecord& record : records) {
    EXPECT_EQ(record.remote_address, records[0].remote_address);  // one connection
    EXPECT_EQ(record.method, "POST");
    EXPECT_EQ(record.path, "/p/q");
    EXPECT_EQ(record.status, 201);
    EXPECT_EQ(record.bytes, 8u);
    EXPECT_GE(record.duration_micros, 0);
  }
  EXPECT_THAT(records[0].remote_address, StartsWith("127.0.0.1:"));
  EXPECT_EQ(records[4].target, "/p%2Fq?i=4");
}

TEST(HttpServerTest, StreamsAChunkedResponseOfManyMegabytes) {
  constexpr size_t kPiece = 256 << 10;
  constexpr size_t kPieces = 64;
  auto server = HttpServer::Start(TestOptions(), [&](const HttpRequest&, ResponseWriter& out) {
    out.Start(200, {{"content-type", "application/octet-stream"}});
    EXPECT_TRUE(out.started());
    for (size_t i = 0; i < kPieces; ++i) out.Write(Pattern(i * kPiece, kPiece));
    out.Finish();
  });
  Client client(server->port());
  Response response = client.Request(http::verb::get, "/big");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_TRUE(response.chunked());
  ASSERT_EQ(response.body().size(), kPiece * kPieces);
  EXPECT_TRUE(response.body() == Pattern(0, kPiece * kPieces));
  EXPECT_EQ(client.Request(http::verb::get, "/again").body().size(), kPiece * kPieces);
}

TEST(HttpServerTest, FinishesAStreamTheHandlerLeftOpen) {
  auto server = HttpServer::Start(TestOptions(), [](const HttpRequest&, ResponseWriter& out) {
    out.Start(200, {});
    out.Write("partial");
  });
  Client client(server->port());
  EXPECT_EQ(client.Request(http::verb::get, "/").body(), "partial");
  EXPECT_EQ(client.Request(http::verb::get, "/").body(), "partial");
}

TEST(HttpServerTest, StreamsToHttp10ClientsUntilTheConnectionCloses) {
  auto server = HttpServer::Start(TestOptions(), [](const HttpRequest&, ResponseWriter& out) {
    out.Start(200, {});
    out.Write("one ");
    out.Write("two");
    out.Finish();
  });
  Client client(server->port());
  client.SendRaw("GET / HTTP/1.0\r\n\r\n");
  Response response = client.Read();
  EXPECT_FALSE(response.chunked());
  EXPECT_EQ(response.body(), "one two");
}

TEST(HttpServerTest, AnswersPipelinedRequestsInOrder) {
  auto server = HttpServer::Start(
      TestOptions(),
      [](const HttpRequest& request, ResponseWriter& out) { out.Send(200, {}, request.path); });
  Client client(server->port());
  client.SendRaw("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.Read().body(), "/a");
  EXPECT_EQ(client.Read().body(), "/b");
}

TEST(HttpServerTest, AnswersHeadWithHeadersOnly) {
  auto server =
      HttpServer::Start(TestOptions(), [](const HttpRequest& request, ResponseWriter& out) {
        if (request.path == "/stream") {
          out.Start(200, {});
          out.Write("ignored");
          return out.Finish();
        }
        out.Send(200, {}, "hello");
      });
  Client client(server->port());
  Response head = client.Request(http::verb::head, "/");
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_EQ(head[http::field::content_length], "5");
  EXPECT_EQ(head.body(), "");
  EXPECT_TRUE(client.Request(http::verb::head, "/stream").chunked());
  EXPECT_EQ(client.Request(http::verb::get, "/").body(), "hello");  // nothing stray before
}

TEST(HttpServerTest, RejectsTooLargeBodiesWith413) {
  ServerOptions options = TestOptions();
  options.max_body_bytes = 1024;
  auto server = HttpServer::Start(options, [](const HttpRequest& request, ResponseWriter& out) {
    out.Send(200, {}, std::to_string(request.body.size()));
  });
  Client small(server->port());
  EXPECT_EQ(small.Request(http::verb::post, "/", std::string(1024, 'x')).body(), "1024");
  Client large(server->port());
  Response response = large.Request(http::verb::post, "/", std::string(64 << 10, 'x'));
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_EQ(response[http::field::content_type], "application/json");
  EXPECT_EQ(response.body(),
            R"({"error":"the request body is larger than the limit of 1024 bytes","status":413})");
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(large.ClosedByServer());
}

TEST(HttpServerTest, RejectsTooLargeHeadersAndGarbage) {
  ServerOptions options = TestOptions();
  options.max_header_bytes = 512;
  auto server = HttpServer::Start(
      options, [](const HttpRequest&, ResponseWriter& out) { out.Send(200, {}, "ok"); });
  Client large(server->port());
  large.SendRaw("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2048, 'y') + "\r\n\r\n");
  EXPECT_EQ(large.Read().result_int(), 431);
  Client garbage(server->port());
  garbage.SendRaw("NOT HTTP AT ALL\r\n\r\n");
  Response response = garbage.Read();
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_THAT(response.body(), HasSubstr("malformed HTTP request"));
}

TEST(HttpServerTest, TurnsHandlerExceptionsIntoJsonErrors) {
  auto server =
      HttpServer::Start(TestOptions(), [](const HttpRequest& request, ResponseWriter& out) {
        if (request.path == "/http") throw HttpError(404, "no result \"x\"", "name");
        if (request.path == "/user") throw UserError("bad filter");
        if (request.path == "/internal") throw std::runtime_error("boom");
        if (request.path == "/silent") return;
        out.Start(200, {});
        out.Write("begun");
        throw std::runtime_error("failed midway");
      });
  Client client(server->port());
  Response http_error = client.Request(http::verb::get, "/http");
  EXPECT_EQ(http_error.result_int(), 404);
  EXPECT_EQ(http_error.body(), R"({"error":"no result \"x\"","status":404,"parameter":"name"})");
  Response user_error = client.Request(http::verb::get, "/user");
  EXPECT_EQ(user_error.result_int(), 400);
  EXPECT_EQ(user_error.body(), R"({"error":"bad filter","status":400})");
  Response internal = client.Request(http::verb::get, "/internal");
  EXPECT_EQ(internal.result_int(), 500);
  EXPECT_EQ(internal.body(), R"({"error":"boom","status":500})");
  EXPECT_EQ(internal[http::field::content_type], "application/json");
  EXPECT_EQ(client.Request(http::verb::get, "/silent").result_int(), 500);
  // Once a response has started, an error can only cut the connection.
  EXPECT_THROW(client.Request(http::verb::get, "/midway"), beast::system_error);
}

TEST(HttpServerTest, ClosesIdleConnectionsAfterTheReadTimeout) {
  ServerOptions options = TestOptions();
  options.read_timeout = std::chrono::milliseconds(100);
  auto server = HttpServer::Start(
      options, [](const HttpRequest&, ResponseWriter& out) { out.Send(200, {}, "ok"); });
  Client idle(server->port());
  EXPECT_EQ(idle.Request(http::verb::get, "/").body(), "ok");
  EXPECT_TRUE(idle.ClosedByServer());
  Client half(server->port());
  half.SendRaw("GET / HTTP/1.1\r\nHost: x\r\n");  // never completes its request
  EXPECT_TRUE(half.ClosedByServer());
}

TEST(HttpServerTest, AnswersExpectContinue) {
  auto server = HttpServer::Start(
      TestOptions(),
      [](const HttpRequest& request, ResponseWriter& out) { out.Send(200, {}, request.body); });
  Client client(server->port());
  client.SendRaw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(client.Read().result_int(), 100);
  client.SendRaw("body");
  EXPECT_EQ(client.Read().body(), "body");
}

TEST(HttpServerTest, StopLetsARequestInProgressFinish) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto server =
      HttpServer::Start(TestOptions(), [&](const HttpRequest& request, ResponseWriter& out) {
        if (request.path == "/slow") {
          entered.set_value();
          released.wait();
        }
        out.Send(200, {}, "done");
      });
  uint16_t port = server->port();
  Client idle(port);
  EXPECT_EQ(idle.Request(http::verb::get, "/").body(), "done");
  std::future<Response> slow = std::async(std::launch::async, [port] {
    Client client(port);
    return client.Request(http::verb::get, "/slow");
  });
  entered.get_future().wait();
  std::thread first([&] { server->Stop(); });
  std::thread second([&] { server->Stop(); });
  EXPECT_TRUE(idle.ClosedByServer());  // idle connections close at once
  release.set_value();
  first.join();
  second.join();
  Response response = slow.get();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "done");
  EXPECT_FALSE(response.keep_alive());
  server->Stop();
  EXPECT_THROW(Client{port}, beast::system_error);
}

TEST(HttpServerTest, StopAbortsAStreamToAClientThatDoesNotRead) {
  ServerOptions options = TestOptions();
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
  Client client(server->port());
  client.SendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  writing.get_future().wait();
  server->Stop();
  EXPECT_TRUE(aborted);
}

TEST(HttpServerTest, AnswersConcurrentClients) {
  constexpr int kClients = 16;
  constexpr int kRequests = 200;
  auto server =
      HttpServer::Start(TestOptions(), [](const HttpRequest& request, ResponseWriter& out) {
        out.Send(200, {}, request.query.at(0).second);
      });
  std::atomic<int> answered = 0;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      Client client(server->port());
      for (int r = 0; r < kRequests; ++r) {
        std::string id = std::to_string(c) + "-" + std::to_string(r);
        if (client.Request(http::verb::get, "/echo?id=" + id).body() == id) ++answered;
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(answered.load(), kClients * kRequests);
}

TEST(HttpServerTest, NamesTheAddressItCannotBind) {
  auto handler = [](const HttpRequest&, ResponseWriter& out) { out.Send(200, {}, ""); };
  auto first = HttpServer::Start(TestOptions(), handler);
  ServerOptions options = TestOptions();
  options.listen = "127.0.0.1:" + std::to_string(first->port());
  try {
    HttpServer::Start(options, handler);
    FAIL() << "bound a port in use";
  } catch (const IoError& error) {
    EXPECT_THAT(error.what(), HasSubstr("cannot listen on " + options.listen));
  }
  options.listen = "nowhere";
  EXPECT_THROW(HttpServer::Start(options, handler), IoError);
  options.listen = "example.com:80";
  EXPECT_THROW(HttpServer::Start(options, handler), IoError);
}

TEST(HttpServerTest, ListensOnLocalhostAndIpv6) {
  auto handler = [](const HttpRequest&, ResponseWriter& out) { out.Send(200, {}, "ok"); };
  ServerOptions options = TestOptions();
  options.listen = "localhost:0";
  auto server = HttpServer::Start(options, handler);
  EXPECT_EQ(Client(server->port()).Request(http::verb::get, "/").body(), "ok");
  options.listen = "[::1]:0";
  try {
    EXPECT_NE(HttpServer::Start(options, handler)->port(), 0);
  } catch (const IoError& error) {
    // Machines without IPv6 cannot bind ::1; the address must still parse.
    EXPECT_THAT(error.what(), HasSubstr("cannot listen on [::1]:0: "));
  }
}

TEST(HttpRequestTest, FindsHeadersInAnyCase) {
  HttpRequest request;
  request.headers = {{"accept", "text/csv"}};
  EXPECT_EQ(request.Header("Accept"), "text/csv");
  EXPECT_EQ(request.Header("authorization"), "");
  EXPECT_EQ(ErrorJson(405, "use GET"), R"({"error":"use GET","status":405})");
}

}  // namespace
}  // namespace sluice::serve
