#include "serve/auth.h"

#include <stdlib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"

namespace sluice::serve {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

HttpRequest WithAuthorization(const std::string& value) {
  HttpRequest request;
  request.method = "GET";
  request.path = "/v1/results";
  request.headers = {{"accept", "application/json"}, {"authorization", value}};
  return request;
}

// Returns the status of the HttpError that authenticating `request` throws (0 when none).
int FailureStatus(const Authorizer& authorizer, const HttpRequest& request) {
  try {
    authorizer.Authenticate(request);
  } catch (const HttpError& error) {
    return error.status();
  }
  return 0;
}

ServeConfig TwoTokens() {
  ServeConfig config;
  config.tokens.push_back({"dashboard", Sha256Hex("dash-secret"), "", {"read:delays"}, 3});
  config.tokens.push_back({"ci", "", "SLUICE_AUTH_TEST_TOKEN", {"read:*", "pii"}, 6});
  return config;
}

class AuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv("SLUICE_AUTH_TEST_TOKEN", "ci-secret", 1); }
  void TearDown() override { unsetenv("SLUICE_AUTH_TEST_TOKEN"); }
};

TEST(Sha256Test, HashesAsTheStandardSays) {
  EXPECT_EQ(Sha256Hex("test"), "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(AuthorizerTest, FindsTheTokenOfTheSecret) {
  Authorizer authorizer(TwoTokens());
  EXPECT_TRUE(authorizer.enabled());
  Principal dashboard = authorizer.Authenticate(WithAuthorization("Bearer dash-secret"));
  EXPECT_EQ(dashboard.name, "dashboard");
  EXPECT_THAT(dashboard.scopes, ElementsAre("read:delays"));
  Principal ci = authorizer.Authenticate(WithAuthorization("bearer   ci-secret  "));
  EXPECT_EQ(ci.name, "ci");
}

TEST_F(AuthorizerTest, FindsTheHeaderInAnyCase) {
  Authorizer authorizer(TwoTokens());
  HttpRequest request;
  request.headers = {{"Authorization", "Bearer dash-secret"}};
  EXPECT_EQ(authorizer.Authenticate(request).name, "dashboard");
}

TEST_F(AuthorizerTest, RejectsMissingMalformedAndUnknownTokens) {
  Authorizer authorizer(TwoTokens());
  EXPECT_EQ(FailureStatus(authorizer, HttpRequest()), 401);
  EXPECT_EQ(FailureStatus(authorizer, WithAuthorization("Basic ZGFzaDpzZWNyZXQ=")), 401);
  EXPECT_EQ(FailureStatus(authorizer, WithAuthorization("Bearer")), 401);
  EXPECT_EQ(FailureStatus(authorizer, WithAuthorization("Bearerdash-secret")), 401);
  EXPECT_EQ(FailureStatus(authorizer, WithAuthorization("Bearer dash-secreT")), 401);
  // The hash of a secret is not a secret.
  EXPECT_EQ(FailureStatus(authorizer, WithAuthorization("Bearer " + Sha256Hex("dash-secret"))),
            401);
  try {
    authorizer.Authenticate(HttpRequest());
    FAIL() << "expected an HttpError";
  } catch (const HttpError& error) {
    EXPECT_THAT(error.what(), HasSubstr("Authorization: Bearer <token>"));
  }
}

TEST_F(AuthorizerTest, LetsEveryoneDoEverythingWithoutTokens) {
  Authorizer authorizer{ServeConfig()};
  EXPECT_FALSE(authorizer.enabled());
  Principal anyone = authorizer.Authenticate(HttpRequest());
  EXPECT_EQ(anyone.name, "anonymous");
  EXPECT_TRUE(Authorizer::Allows(anyone, "read:x"));
  EXPECT_TRUE(Authorizer::Allows(anyone, "predict:m"));
  EXPECT_TRUE(Authorizer::Allows(anyone, "pii"));
}

TEST_F(AuthorizerTest, RefusesAnUnsetEnvironmentVariable) {
  unsetenv("SLUICE_AUTH_TEST_TOKEN");
  try {
    Authorizer authorizer(TwoTokens());
    FAIL() << "expected a UserError";
  } catch (const UserError& error) {
    EXPECT_THAT(error.what(), HasSubstr("sluice.yaml:6: token 'ci'"));
    EXPECT_THAT(error.what(), HasSubstr("SLUICE_AUTH_TEST_TOKEN, which is not set"));
  }
}

TEST(AuthorizerScopesTest, MatchesWildcards) {
  Principal reader{"r", {"read:*"}};
  EXPECT_TRUE(Authorizer::Allows(reader, "read:delays"));
  EXPECT_FALSE(Authorizer::Allows(reader, "predict:delays"));
  EXPECT_FALSE(Authorizer::Allows(reader, "pii"));
  EXPECT_FALSE(Authorizer::Allows(reader, "read:"));
  Principal one{"one", {"read:delays", "predict:*"}};
  EXPECT_TRUE(Authorizer::Allows(one, "read:delays"));
  EXPECT_FALSE(Authorizer::Allows(one, "read:delays_by_state"));
  EXPECT_FALSE(Authorizer::Allows(one, "read:delay"));
  EXPECT_TRUE(Authorizer::Allows(one, "predict:late"));
  Principal all{"all", {"*"}};
  EXPECT_TRUE(Authorizer::Allows(all, "pii"));
  EXPECT_TRUE(Authorizer::Allows(all, "read:anything"));
  EXPECT_FALSE(Authorizer::Allows(Principal{"none", {}}, "read:x"));
}

TEST(AuthorizerScopesTest, RequireThrowsForbiddenNamingTheScope) {
  Principal one{"dashboard", {"read:delays"}};
  EXPECT_NO_THROW(Authorizer::Require(one, "read:delays"));
  try {
    Authorizer::Require(one, "read:salaries");
    FAIL() << "expected an HttpError";
  } catch (const HttpError& error) {
    EXPECT_EQ(error.status(), 403);
    EXPECT_THAT(error.what(), HasSubstr("'dashboard'"));
    EXPECT_THAT(error.what(), HasSubstr("'read:salaries'"));
  }
}

}  // namespace
}  // namespace sluice::serve
