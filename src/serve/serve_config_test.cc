#include "serve/serve_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "base/test_folder.h"

namespace sluice::serve {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kHash[] = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

// Returns the message of the UserError that parsing `yaml` throws ("" when none).
std::string ErrorOf(const std::string& yaml) {
  try {
    ParseServeConfig(yaml, "sluice.yaml");
  } catch (const UserError& error) {
    return error.what();
  }
  return "";
}

TEST(ServeConfigTest, DefaultsWithoutSection) {
  for (const char* yaml : {"", "schedules: {}\n", "serve:\n"}) {
    ServeConfig config = ParseServeConfig(yaml, "sluice.yaml");
    EXPECT_EQ(config.listen, "127.0.0.1:7070");
    EXPECT_EQ(config.max_body_bytes, size_t{1} << 20);
    EXPECT_EQ(config.request_timeout, std::chrono::seconds(30));
    EXPECT_EQ(config.max_rows, 10000);
    EXPECT_TRUE(config.cors_origins.empty());
    EXPECT_FALSE(config.tls);
    EXPECT_FALSE(config.trust_forwarded_headers);
    EXPECT_FALSE(config.auth_enabled());
  }
}

TEST(ServeConfigTest, ReadsEverySetting) {
  std::string yaml = std::string(R"(
serve:
  listen: 0.0.0.0:8080
  max_body: 2MB
  request_timeout: 5s
  max_rows: 500
  cors_origins: ["https://app.example.com", "*"]
  tls: {cert: certs/server.pem, key: /etc/key.pem}
  trust_forwarded_headers: true
  tokens:
    - name: dashboard
      sha256: )") + "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08" +
                     R"(
      scopes: [read:delays_by_state, read:delays_by_origin]
    - name: ci
      env: SLUICE_TOKEN_CI
      scopes: ["read:*", "predict:*", pii]
)";
  ServeConfig config = ParseServeConfig(yaml, "/ws/sluice.yaml");
  EXPECT_EQ(config.listen, "0.0.0.0:8080");
  EXPECT_EQ(config.max_body_bytes, size_t{2} << 20);
  EXPECT_EQ(config.request_timeout, std::chrono::seconds(5));
  EXPECT_EQ(config.max_rows, 500);
  EXPECT_THAT(config.cors_origins, ElementsAre("https://app.example.com", "*"));
  ASSERT_TRUE(config.tls);
  EXPECT_EQ(config.tls->cert, "/ws/certs/server.pem");
  EXPECT_EQ(config.tls->key, "/etc/key.pem");
  EXPECT_TRUE(config.trust_forwarded_headers);
  ASSERT_EQ(config.tokens.size(), 2u);
  EXPECT_EQ(config.tokens[0].name, "dashboard");
  EXPECT_EQ(config.tokens[0].sha256, kHash);  // lower-cased
  EXPECT_THAT(config.tokens[0].scopes,
              ElementsAre("read:delays_by_state", "read:delays_by_origin"));
  EXPECT_EQ(config.tokens[0].line, 11);
  EXPECT_EQ(config.tokens[1].env, "SLUICE_TOKEN_CI");
  EXPECT_TRUE(config.tokens[1].sha256.empty());
  EXPECT_THAT(config.tokens[1].scopes, ElementsAre("read:*", "predict:*", "pii"));
  EXPECT_TRUE(config.auth_enabled());
}

TEST(ServeConfigTest, RefusesAnOpenAddressWithoutTokens) {
  std::string message = ErrorOf("serve:\n  max_rows: 5\n  listen: 0.0.0.0:7070\n");
  EXPECT_THAT(message, HasSubstr("sluice.yaml:3:"));
  EXPECT_THAT(message, HasSubstr("0.0.0.0:7070, which is not a loopback address"));
  EXPECT_THAT(message, HasSubstr("serve.tokens is empty"));
  EXPECT_THAT(message, HasSubstr("sluice token hash"));
  EXPECT_EQ(ErrorOf("serve:\n  listen: localhost:9000\n"), "");
  EXPECT_EQ(ErrorOf("serve:\n  listen: 127.1.2.3:9000\n"), "");
  EXPECT_EQ(ErrorOf("serve:\n  listen: \"[::1]:9000\"\n"), "");
}

TEST(ServeConfigTest, KnowsLoopbackAddresses) {
  EXPECT_TRUE(IsLoopbackListen("127.0.0.1:7070"));
  EXPECT_TRUE(IsLoopbackListen("127.255.0.9:1"));
  EXPECT_TRUE(IsLoopbackListen("localhost:7070"));
  EXPECT_TRUE(IsLoopbackListen("[::1]:7070"));
  EXPECT_FALSE(IsLoopbackListen("0.0.0.0:7070"));
  EXPECT_FALSE(IsLoopbackListen("[::]:7070"));
  EXPECT_FALSE(IsLoopbackListen("127.0.0.1.example.com:7070"));
  EXPECT_FALSE(IsLoopbackListen("128.0.0.1:7070"));
  EXPECT_FALSE(IsLoopbackListen("127.0.0.1"));
}

TEST(ServeConfigTest, NamesFileAndLineOfBadValues) {
  EXPECT_THAT(ErrorOf("serve:\n  listen: 7070\n"), HasSubstr("sluice.yaml:2: 'listen' must be"));
  EXPECT_THAT(ErrorOf("serve:\n  listen: host:99999\n"), HasSubstr("'listen' must be host:port"));
  EXPECT_THAT(ErrorOf("serve:\n  max_body: 1TB\n"),
              HasSubstr("sluice.yaml:2: 'max_body': bad size"));
  EXPECT_THAT(ErrorOf("serve:\n  request_timeout: soon\n"),
              HasSubstr("sluice.yaml:2: 'request_timeout': bad duration"));
  EXPECT_THAT(ErrorOf("serve:\n  request_timeout: 0s\n"), HasSubstr("must be above 0"));
  EXPECT_THAT(ErrorOf("serve:\n  max_rows: 0\n"), HasSubstr("'max_rows' must be at least 1"));
  EXPECT_THAT(ErrorOf("serve:\n  max_rows: many\n"), HasSubstr("must be a whole number"));
  EXPECT_THAT(ErrorOf("serve:\n  cors_origins: [app.example.com]\n"),
              HasSubstr("bad origin 'app.example.com'"));
  EXPECT_THAT(ErrorOf("serve:\n  cors_origins: [\"https://a.com/x\"]\n"), HasSubstr("bad origin"));
  EXPECT_THAT(ErrorOf("serve:\n  tls: {cert: a.pem}\n"), HasSubstr("needs both 'cert' and 'key'"));
  EXPECT_THAT(ErrorOf("serve:\n  trust_forwarded_headers: yes please\n"),
              HasSubstr("sluice.yaml:2: 'trust_forwarded_headers' must be true or false, not "
                        "'yes please'"));
  EXPECT_FALSE(ParseServeConfig("serve:\n  trust_forwarded_headers: False\n", "sluice.yaml")
                   .trust_forwarded_headers);
  EXPECT_THAT(ErrorOf("serve:\n\n  port: 80\n"),
              HasSubstr("sluice.yaml:3: unknown key 'port' in serve (expected listen"));
  EXPECT_THAT(ErrorOf("serve: [1]\n"), HasSubstr("'serve' must be a mapping"));
  EXPECT_THAT(ErrorOf("serve: {listen: [}\n"), HasSubstr("sluice.yaml:1:"));
}

TEST(ServeConfigTest, ChecksTokens) {
  auto token = [](const std::string& body) { return "serve:\n  tokens:\n    - " + body + "\n"; };
  EXPECT_THAT(ErrorOf(token("name: a\n      scopes: [pii]")),
              HasSubstr("sluice.yaml:3: token 'a' needs exactly one of 'sha256'"));
  EXPECT_THAT(ErrorOf(token("name: a\n      sha256: " + std::string(kHash) +
                            "\n      env: X\n      scopes: [pii]")),
              HasSubstr("needs exactly one of"));
  EXPECT_THAT(ErrorOf(token("name: a\n      sha256: secret\n      scopes: [pii]")),
              HasSubstr("sluice.yaml:4: 'sha256' must be 64 hex digits"));
  EXPECT_THAT(ErrorOf(token("name: a\n      env: 1X\n      scopes: [pii]")),
              HasSubstr("'env' must name an environment variable"));
  EXPECT_THAT(ErrorOf(token("name: a\n      env: X")), HasSubstr("token 'a' needs 'scopes'"));
  EXPECT_THAT(ErrorOf(token("name: a\n      env: X\n      scopes: [write:x]")),
              HasSubstr("sluice.yaml:5: unknown scope 'write:x'"));
  EXPECT_THAT(ErrorOf(token("name: a\n      env: X\n      scopes: [\"read:\"]")),
              HasSubstr("unknown scope 'read:'"));
  EXPECT_THAT(ErrorOf(token("env: X\n      scopes: [pii]")), HasSubstr("needs 'name: NAME'"));
  EXPECT_THAT(ErrorOf(token("name: a\n      env: X\n      scope: [pii]")),
              HasSubstr("unknown key 'scope' in a token entry"));
  EXPECT_THAT(ErrorOf("serve:\n  tokens:\n    - {name: a, env: X, scopes: [pii]}\n"
                      "    - {name: a, env: Y, scopes: [pii]}\n"),
              HasSubstr("sluice.yaml:4: token 'a' is listed twice (first at line 3)"));
  EXPECT_THAT(
      ErrorOf(fmt::format("serve:\n  tokens:\n    - {{name: a, sha256: {0}, scopes: [pii]}}\n"
                          "    - {{name: b, sha256: {0}, scopes: [pii]}}\n",
                          kHash)),
      HasSubstr("token 'b' has the same sha256 as the token at line 3"));
}

TEST(ServeConfigTest, ParsesByteSizes) {
  EXPECT_EQ(ParseByteSize("4096B"), 4096u);
  EXPECT_EQ(ParseByteSize("512KB"), 512u << 10);
  EXPECT_EQ(ParseByteSize("1GB"), size_t{1} << 30);
  EXPECT_THROW(ParseByteSize("2GB"), UserError);
  EXPECT_THROW(ParseByteSize("0MB"), UserError);
  EXPECT_THROW(ParseByteSize("1 MB"), UserError);
  EXPECT_THROW(ParseByteSize("MB"), UserError);
}

TEST(ServeConfigTest, ReadsTheWorkspaceFile) {
  TestFolder folder;
  EXPECT_EQ(ReadServeConfig(folder.path()).listen, "127.0.0.1:7070");
  folder.Write("sluice.yaml", "serve:\n  max_rows: 7\n  bogus: 1\n");
  try {
    ReadServeConfig(folder.path());
    FAIL() << "expected a UserError";
  } catch (const UserError& error) {
    EXPECT_THAT(error.what(), HasSubstr(folder.Path("sluice.yaml") + ":3: unknown key 'bogus'"));
  }
  folder.Write("sluice.yaml", "serve:\n  max_rows: 7\n");
  EXPECT_EQ(ReadServeConfig(folder.path()).max_rows, 7);
}

}  // namespace
}  // namespace sluice::serve
