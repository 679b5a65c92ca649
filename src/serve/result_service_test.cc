#include "serve/result_service.h"

#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "base/test_folder.h"
#include "serve/auth.h"
#include "serve/recording_writer.h"
#include "session/database.h"

namespace sluice::serve {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

// y = 2 x1 - 3 x2 + 5 (a linear model), a classifier of `high` and `low` by x, and a k-means
// model, in a workspace.
class ModelRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = session::Database::Open(folder_.path());
    session::Connection connection(*database_);
    connection.Execute(
        "CREATE TABLE points AS SELECT * FROM (VALUES (1.0, 2.0, 1.0, 'low'), "
        "(2.0, 1.0, 6.0, 'low'), (3.0, 5.0, -4.0, 'low'), (4.0, 0.0, 13.0, 'high'), "
        "(0.0, 1.0, 2.0, 'low'), (5.0, 3.0, 6.0, 'high'), (6.0, 2.0, 11.0, 'high'), "
        "(7.0, 1.0, 16.0, 'high')) AS t(x1, x2, y, band)");
    connection.Execute(
        "CREATE MODEL line OPTIONS (model_type = 'linear_reg', input_label_cols = ['y']) AS "
        "SELECT x1, x2, y FROM points");
    connection.Execute(
        "CREATE MODEL band OPTIONS (model_type = 'logistic_reg', input_label_cols = ['band']) "
        "AS SELECT x1, band FROM points");
    connection.Execute(
        "CREATE MODEL groups OPTIONS (model_type = 'kmeans', num_clusters = 2) AS "
        "SELECT x1, x2 FROM points");
  }

  // Answers a request to a service with `config`.
  RecordingWriter Request(std::string method, std::string path, std::string body = {},
                          std::string token = {}, const ServeConfig& config = {}) {
    ResultService service(*database_, config, "http://127.0.0.1:7070");
    HttpRequest request;
    request.method = std::move(method);
    request.path = path;
    request.target = std::move(path);
    request.body = std::move(body);
    if (!token.empty()) request.headers.emplace_back("authorization", "Bearer " + token);
    RecordingWriter writer;
    service.Handle(request, writer);
    return writer;
  }

  // Returns column `column` of the rows of `sql`, as text.
  std::vector<std::string> Column(const std::string& sql, size_t column) {
    session::QueryResult result = session::Connection(*database_).Execute(sql);
    std::vector<std::string> values;
    for (const core::Batch& batch : result.batches) {
      for (size_t r = 0; r < batch.num_rows(); ++r) {
        values.push_back(batch.GetValue(column, r).ToString());
      }
    }
    return values;
  }

  TestFolder folder_;
  std::unique_ptr<session::Database> database_;
};

TEST_F(ModelRoutesTest, PredictsAsMlPredictDoes) {
  RecordingWriter response =
      Request("POST", "/v1/models/line/predict",
              R"({"instances": [{"x1": 10, "x2": 10}, {"x1": -1.5, "x2": 2}, {"x2": 1}]})");
  ASSERT_EQ(response.status(), 200) << response.body();
  EXPECT_EQ(response.Header("x-model-version"), "1");
  json::value body = response.Json();
  EXPECT_EQ(body.at("model"), "line");
  EXPECT_EQ(body.at("model_version"), 1);
  std::vector<std::string> expected = Column(
      "SELECT predicted_y FROM ML.PREDICT(MODEL line, (SELECT * FROM (VALUES "
      "(10.0, 10.0), (-1.5, 2.0), (NULL, 1.0)) AS t(x1, x2)))",
      0);
  const json::array& predictions = body.at("predictions").as_array();
  ASSERT_EQ(predictions.size(), 3u);
  for (size_t i = 0; i < predictions.size(); ++i) {
    EXPECT_EQ(core::FormatDouble(predictions[i].at("predicted_y").to_number<double>()), expected[i])
        << i;
  }
  EXPECT_NEAR(predictions[0].at("predicted_y").to_number<double>(), 2 * 10 - 3 * 10 + 5, 1e-6);
  response = Request("POST", "/v1/models/line/predict", R"({"instances": []})");
  EXPECT_EQ(response.status(), 200);
  EXPECT_EQ(response.body(), R"({"predictions":[],"model":"line","model_version":1})");
}

TEST_F(ModelRoutesTest, GivesClassesWithTheirProbabilities) {
  RecordingWriter response =
      Request("POST", "/v1/models/band/predict", R"({"instances": [{"x1": 7}, {"x1": 0}]})");
  ASSERT_EQ(response.status(), 200) << response.body();
  json::value body = response.Json();
  const json::array& predictions = body.at("predictions").as_array();
  EXPECT_EQ(predictions[0].at("predicted_band"), "high");
  EXPECT_EQ(predictions[1].at("predicted_band"), "low");
  const json::object& probs = predictions[0].at("predicted_band_probs").as_object();
  EXPECT_NEAR(probs.at("high").to_number<double>() + probs.at("low").to_number<double>(), 1, 1e-9);
  EXPECT_GT(probs.at("high").to_number<double>(), 0.5);
  // A threshold above the positive class's probability flips the prediction (`low` is the
  // positive class: the second of the sorted classes).
  response =
      Request("POST", "/v1/models/band/predict", R"({"instances": [{"x1": 7}], "threshold": 0.0})");
  EXPECT_EQ(response.Json().at("predictions").at(0).at("predicted_band"), "low");
}

TEST_F(ModelRoutesTest, GivesCentroids) {
  RecordingWriter response =
      Request("POST", "/v1/models/groups/predict", R"({"instances": [{"x1": 1, "x2": 1}]})");
  ASSERT_EQ(response.status(), 200) << response.body();
  json::value body = response.Json();
  const json::value& prediction = body.at("predictions").at(0);
  EXPECT_EQ(prediction.at("centroid_id").as_int64(),
            std::stoll(Column("SELECT centroid_id FROM ML.PREDICT(MODEL groups, "
                              "(SELECT 1.0 AS x1, 1.0 AS x2))",
                              0)[0]));
  EXPECT_EQ(prediction.at("nearest_centroids_distance").as_object().size(), 2u);
}

TEST_F(ModelRoutesTest, AnswersErrorsAsJson) {
  RecordingWriter response = Request("POST", "/v1/models/line/predict", R"({"instances": 1})");
  EXPECT_EQ(response.status(), 400);
  EXPECT_EQ(response.Json().at("parameter"), "instances");
  response = Request("POST", "/v1/models/line/predict", R"({"instances": [{"x3": 1}]})");
  EXPECT_EQ(response.status(), 400);
  EXPECT_EQ(response.Json().at("parameter"), "instances[0].x3");
  response = Request("POST", "/v1/models/nothing/predict", R"({"instances": []})");
  EXPECT_EQ(response.status(), 404);
  EXPECT_THAT(response.body(), HasSubstr("no model named \\\"nothing\\\""));
  EXPECT_EQ(Request("GET", "/v1/models/line/predict").status(), 405);
  EXPECT_EQ(Request("POST", "/v1/models/line").status(), 405);
  EXPECT_EQ(Request("GET", "/v1/models/nothing").status(), 404);
}

TEST_F(ModelRoutesTest, ListsAndDescribesModels) {
  RecordingWriter response = Request("GET", "/v1/models");
  ASSERT_EQ(response.status(), 200) << response.body();
  json::value body = response.Json();
  const json::array& models = body.at("models").as_array();
  ASSERT_EQ(models.size(), 3u);
  EXPECT_EQ(models[0].at("name"), "band");
  EXPECT_EQ(models[2].at("name"), "line");
  EXPECT_EQ(models[2].at("model_type"), "linear_reg");
  EXPECT_TRUE(models[2].at("metrics").as_object().contains("r2_score"));
  EXPECT_EQ(models[2].at("links").at("predict"), "http://127.0.0.1:7070/v1/models/line/predict");

  response = Request("GET", "/v1/models/band");
  ASSERT_EQ(response.status(), 200) << response.body();
  json::value band = response.Json();
  EXPECT_EQ(band.at("version"), 1);
  EXPECT_EQ(band.at("options").at("model_type"), "'logistic_reg'");
  EXPECT_TRUE(band.at("hyperparameters").is_object());
  EXPECT_EQ(band.at("details").at("label"), "band");
  EXPECT_EQ(band.at("features"),
            (json::array{json::object{{"name", "x1"}, {"type", "DOUBLE"}, {"kind", "numeric"}}}));
  EXPECT_EQ(band.at("label").at("classes"), (json::array{"high", "low"}));
  EXPECT_EQ(band.at("versions"), (json::array{1}));
  EXPECT_TRUE(Request("GET", "/v1/models/groups").Json().at("label").is_null());
}

TEST_F(ModelRoutesTest, NeedsThePredictScope) {
  ServeConfig config;
  config.tokens = {{"bander", Sha256Hex("b"), "", {"predict:band"}, 1},
                   {"all", Sha256Hex("a"), "", {"predict:*"}, 2},
                   {"reader", Sha256Hex("r"), "", {"read:*"}, 3}};
  std::string body = R"({"instances": [{"x1": 1}]})";
  EXPECT_EQ(Request("POST", "/v1/models/band/predict", body, "b", config).status(), 200);
  EXPECT_EQ(Request("POST", "/v1/models/band/predict", body, "a", config).status(), 200);
  RecordingWriter refused = Request("POST", "/v1/models/band/predict", body, "r", config);
  EXPECT_EQ(refused.status(), 403);
  EXPECT_THAT(refused.body(), HasSubstr("predict:band"));
  EXPECT_EQ(Request("POST", "/v1/models/line/predict", body, "b", config).status(), 403);
  EXPECT_EQ(Request("GET", "/v1/models/line", "", "b", config).status(), 403);
  EXPECT_EQ(Request("POST", "/v1/models/band/predict", body, "", config).status(), 401);
  json::value listing = Request("GET", "/v1/models", "", "b", config).Json();
  const json::array& listed = listing.at("models").as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("name"), "band");
}

TEST_F(ModelRoutesTest, LinksFollowForwardedHeadersOnlyWhenTrusted) {
  auto answer = [&](const std::string& path, bool trust) {
    ServeConfig config;
    config.trust_forwarded_headers = trust;
    ResultService service(*database_, config, "https://127.0.0.1:7443");
    HttpRequest request;
    request.method = "GET";
    request.path = request.target = path;
    request.headers = {{"host", "127.0.0.1:7443"},
                       {"x-forwarded-proto", "http"},
                       {"x-forwarded-host", "data.example.com"},
                       {"x-forwarded-prefix", "/sluice/"}};
    RecordingWriter writer;
    service.Handle(request, writer);
    return writer.Json();
  };
  auto server = [&](bool trust) {
    return answer("/openapi.json", trust).at("servers").at(0).at("url");
  };
  EXPECT_EQ(server(true), "http://data.example.com/sluice");
  EXPECT_EQ(server(false), "https://127.0.0.1:7443");
  EXPECT_EQ(answer("/v1/models", true).at("models").at(0).at("links").at("predict"),
            "http://data.example.com/sluice/v1/models/band/predict");
  EXPECT_EQ(answer("/v1/models/band", false).at("links").at("predict"),
            "https://127.0.0.1:7443/v1/models/band/predict");
}

TEST(ForwardedBaseUrlTest, BuildsTheBaseUrlFromTheHeaders) {
  auto base = [](Fields headers) {
    HttpRequest request;
    request.headers = std::move(headers);
    return ForwardedBaseUrl(request, "http://127.0.0.1:7070");
  };
  EXPECT_EQ(base({}), "http://127.0.0.1:7070");
  EXPECT_EQ(base({{"host", "data.example.com"}}), "http://127.0.0.1:7070");
  EXPECT_EQ(base({{"x-forwarded-proto", "https"}, {"x-forwarded-host", "data.example.com"}}),
            "https://data.example.com");
  // The first value of each header: proxies append theirs.
  EXPECT_EQ(base({{"x-forwarded-proto", "HTTPS, http"},
                  {"x-forwarded-host", " api.example.com:8443 , 10.0.0.7"},
                  {"x-forwarded-prefix", "/data/v%C3%A9/"}}),
            "https://api.example.com:8443/data/v%C3%A9");
  // Without X-Forwarded-Host the Host header names the host, else the service's own.
  EXPECT_EQ(base({{"host", "data.example.com"}, {"x-forwarded-proto", "https"}}),
            "https://data.example.com");
  EXPECT_EQ(base({{"x-forwarded-proto", "https"}}), "https://127.0.0.1:7070");
  EXPECT_EQ(base({{"x-forwarded-prefix", "/"}}), "http://127.0.0.1:7070");
  EXPECT_EQ(base({{"x-forwarded-host", "[::1]:9000"}}), "http://[::1]:9000");
}

TEST(ForwardedBaseUrlTest, IgnoresMalformedHeaders) {
  auto base = [](std::string name, std::string value) {
    HttpRequest request;
    request.headers = {{"x-forwarded-host", "data.example.com"}, {std::move(name), value}};
    return ForwardedBaseUrl(request, "https://127.0.0.1:7070");
  };
  EXPECT_EQ(base("x-forwarded-proto", "https"), "https://data.example.com");
  for (const char* proto : {"javascript", "ftp", "https://evil"}) {
    EXPECT_EQ(base("x-forwarded-proto", proto), "https://127.0.0.1:7070") << proto;
  }
  for (const char* prefix : {"data", "/a b", "/a\"b", "/a?x=1", "/a#x", "/%zz", "/a%2"}) {
    EXPECT_EQ(base("x-forwarded-prefix", prefix), "https://127.0.0.1:7070") << prefix;
  }
  HttpRequest request;
  for (const char* host : {"evil.com/path", "a@evil.com", "a b", "<script>"}) {
    request.headers = {{"x-forwarded-proto", "http"}, {"x-forwarded-host", host}};
    EXPECT_EQ(ForwardedBaseUrl(request, "https://127.0.0.1:7070"), "https://127.0.0.1:7070")
        << host;
  }
}

TEST(ResultServiceTest, NamesRouteTemplates) {
  EXPECT_EQ(ResultService::RouteOf("/v1/results"), "/v1/results");
  EXPECT_EQ(ResultService::RouteOf("/v1/results/delays"), "/v1/results/{name}");
  EXPECT_EQ(ResultService::RouteOf("/v1/results/delays/schema"), "/v1/results/{name}/schema");
  EXPECT_EQ(ResultService::RouteOf("/v1/models"), "/v1/models");
  EXPECT_EQ(ResultService::RouteOf("/v1/models/late"), "/v1/models/{name}");
  EXPECT_EQ(ResultService::RouteOf("/v1/models/late/predict"), "/v1/models/{name}/predict");
  EXPECT_EQ(ResultService::RouteOf("/v1/models/late/other"), "other");
  EXPECT_EQ(ResultService::RouteOf("/metrics"), "/metrics");
  EXPECT_EQ(ResultService::RouteOf("/nothing"), "other");
}

}  // namespace
}  // namespace sluice::serve
