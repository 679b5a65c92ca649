#include "serve/openapi.h"

#include <stdio.h>

#include <cstdlib>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "base/test_folder.h"
#include "session/database.h"
#include "store/result_store.h"

namespace sluice::serve {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

// A workspace with two results, one with personal data, and a model with two versions.
class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = session::Database::Open(folder_.path());
    session::Connection connection(*database_);
    connection.Execute(
        "CREATE TABLE flights (id BIGINT NOT NULL, origin VARCHAR, delay DOUBLE, "
        "cancelled BOOLEAN, day DATE, departed TIMESTAMP, seats INTEGER)");
    connection.Execute(
        "INSERT INTO flights VALUES (1, 'SFO', 2.5, false, DATE '2024-01-01', "
        "TIMESTAMP '2024-01-01 10:00:00', 180)");
    connection.Execute(
        "CREATE TABLE contacts AS SELECT * FROM (VALUES (1, 'ana@example.com', 'csv'), "
        "(2, 'bo@example.org', 'json'), (3, 'cy@example.net', 'csv')) AS t(id, email, format)");
    catalog().Describe("flights", "Departures from SFO");
    catalog().PutModel({"late", 1, "logistic_regression", 0, "models/late/1", "{}", "{}"});
    catalog().PutModel({"late", 2, "logistic_regression", 0, "models/late/2", "{}", "{}"});
  }

  catalog::CatalogDb& catalog() { return database_->store()->catalog(); }

  json::object Document(bool bearer = false) {
    OpenApiOptions options;
    options.base_url = "http://127.0.0.1:7070";
    options.bearer_auth = bearer;
    options.max_rows = 500;
    return json::parse(OpenApiDocument(catalog(), options)).as_object();
  }

  TestFolder folder_;
  std::unique_ptr<session::Database> database_;
};

const json::value& At(const json::value& document, std::string_view pointer) {
  return document.at_pointer(pointer);
}

TEST_F(OpenApiTest, DescribesTheService) {
  json::value document = Document();
  EXPECT_EQ(At(document, "/openapi"), "3.1.0");
  EXPECT_EQ(At(document, "/info/title"), "Sluice results");
  EXPECT_EQ(At(document, "/servers/0/url"), "http://127.0.0.1:7070");
  const json::object& paths = At(document, "/paths").as_object();
  for (const char* path : {"/v1/results", "/v1/results/flights", "/v1/results/flights/schema",
                           "/v1/results/contacts", "/v1/results/contacts/schema", "/openapi.json",
                           "/metrics", "/healthz", "/readyz", "/v1/models/late/predict"}) {
    EXPECT_TRUE(paths.contains(path)) << path;
  }
  EXPECT_FALSE(document.as_object().contains("security"));
  EXPECT_FALSE(At(document, "/components").as_object().contains("securitySchemes"));
}

TEST_F(OpenApiTest, TypesTheRowSchema) {
  json::value document = Document();
  const json::value& row = At(document, "/components/schemas/FlightsRow");
  EXPECT_EQ(At(row, "/description"), "Departures from SFO");
  EXPECT_EQ(At(row, "/properties/id/type"), "integer");  // NOT NULL
  EXPECT_EQ(At(row, "/properties/id/format"), "int64");
  EXPECT_EQ(At(row, "/properties/origin/type"), (json::array{"string", "null"}));
  EXPECT_EQ(At(row, "/properties/delay/type"), (json::array{"number", "null"}));
  EXPECT_EQ(At(row, "/properties/cancelled/type"), (json::array{"boolean", "null"}));
  EXPECT_EQ(At(row, "/properties/day/format"), "date");
  EXPECT_EQ(At(row, "/properties/departed/format"), "date-time");
  EXPECT_EQ(At(row, "/properties/seats/type"), (json::array{"integer", "null"}));
  EXPECT_EQ(At(row, "/properties/seats/format"), "int32");
  EXPECT_EQ(At(row, "/properties/seats/x-sql-type"), "INTEGER");
  const json::value& email = At(document, "/components/schemas/ContactsRow/properties/email");
  EXPECT_EQ(At(email, "/x-pii"), true);
  EXPECT_EQ(At(email, "/x-semantic"), "email");
  EXPECT_THAT(json::value_to<std::string>(At(email, "/description")), HasSubstr("pii scope"));
}

TEST_F(OpenApiTest, DocumentsTheRowsOperation) {
  json::value document = Document();
  const json::value& get = At(document, "/paths/~1v1~1results~1flights/get");
  EXPECT_EQ(At(get, "/operationId"), "getFlightsRows");
  EXPECT_THAT(json::value_to<std::string>(At(get, "/description")),
              HasSubstr("Departures from SFO"));
  const json::array& parameters = At(get, "/parameters").as_array();
  ASSERT_EQ(parameters.size(), 7u + 7u);  // the reserved parameters, then one per column
  EXPECT_EQ(At(parameters[0], "/$ref"), "#/components/parameters/select");
  EXPECT_EQ(At(parameters[7], "/name"), "id");
  EXPECT_THAT(json::value_to<std::string>(At(parameters[7], "/description")), HasSubstr("gte"));
  EXPECT_EQ(At(document, "/components/parameters/limit/schema/maximum"), 500);
  const json::value& ok = At(get, "/responses/200/content");
  EXPECT_EQ(At(ok, "/application~1json/schema/items/$ref"), "#/components/schemas/FlightsRow");
  for (const char* type : {"application/x-ndjson", "text/csv", "application/vnd.apache.parquet"}) {
    EXPECT_TRUE(ok.as_object().contains(type)) << type;
  }
  for (const char* status : {"400", "404"}) {
    EXPECT_TRUE(At(get, "/responses").as_object().contains(status)) << status;
  }
  EXPECT_FALSE(At(get, "/responses").as_object().contains("401"));
  // A column named like a reserved parameter gets no filter parameter of its own.
  const json::array& contacts =
      At(document, "/paths/~1v1~1results~1contacts/get/parameters").as_array();
  EXPECT_EQ(contacts.size(), 7u + 2u);
}

TEST_F(OpenApiTest, DocumentsTheLatestModel) {
  json::value document = Document();
  const json::value& post = At(document, "/paths/~1v1~1models~1late~1predict/post");
  EXPECT_EQ(At(post, "/operationId"), "predictLate");
  EXPECT_EQ(At(post, "/x-model-version"), 2);
  EXPECT_EQ(At(post, "/requestBody/content/application~1json/schema/$ref"),
            "#/components/schemas/PredictRequest");
  EXPECT_EQ(At(document, "/components/schemas/PredictRequest/required/0"), "instances");
  EXPECT_EQ(At(document, "/components/schemas/PredictResponse/properties/model_version/type"),
            "integer");
}

TEST_F(OpenApiTest, NamesScopesWithBearerAuth) {
  json::value document = Document(true);
  EXPECT_EQ(At(document, "/components/securitySchemes/bearer/scheme"), "bearer");
  EXPECT_EQ(At(document, "/security/0/bearer"), json::array());
  EXPECT_EQ(At(document, "/paths/~1v1~1results~1flights/get/security/0/bearer/0"), "read:flights");
  EXPECT_EQ(At(document, "/paths/~1v1~1models~1late~1predict/post/security/0/bearer/0"),
            "predict:late");
  EXPECT_EQ(At(document, "/paths/~1healthz/get/security"), json::array());
  const json::object& responses =
      At(document, "/paths/~1v1~1results~1flights/get/responses").as_object();
  EXPECT_TRUE(responses.contains("401"));
  EXPECT_TRUE(responses.contains("403"));
}

TEST_F(OpenApiTest, KeepsIdentifiersUnique) {
  session::Connection(*database_).Execute("CREATE TABLE Flights_ AS SELECT 1 AS x");
  json::value document = Document();
  const json::object& schemas = At(document, "/components/schemas").as_object();
  EXPECT_TRUE(schemas.contains("FlightsRow"));
  EXPECT_TRUE(schemas.contains("Flights2Row"));
  EXPECT_EQ(schemas.size(), 8u + 3u);
}

// Runs `command`, returning its exit status and (in `output`) what it printed.
int Run(const std::string& command, std::string& output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Returns the validator's verdict on `file`: its exit status, with its output in `output`.
int Validate(const std::string& file, std::string& output) {
  std::string probe;
  if (Run("node --version", probe) != 0) {
    ADD_FAILURE() << "node is not installed, so the OpenAPI document cannot be validated: run "
                     "scripts/bootstrap (Node.js and npm packages)";
    return -1;
  }
  return Run(fmt::format("cd '{}' && node test/integration/serve/validate-openapi.cjs '{}'",
                         SLUICE_SOURCE_DIR, file),
             output);
}

TEST_F(OpenApiTest, TypesPredictionsOfATrainedModel) {
  session::Connection connection(*database_);
  connection.Execute(
      "CREATE MODEL delayed OPTIONS (model_type = 'logistic_reg', input_label_cols = ['late']) "
      "AS SELECT * FROM (VALUES (1.0, 'SFO', DATE '2024-01-01', 3, 'no'), "
      "(9.0, 'JFK', DATE '2024-01-02', 4, 'yes'), (2.0, 'SFO', DATE '2024-01-03', 5, 'no'), "
      "(8.0, 'JFK', DATE '2024-01-04', 6, 'yes')) AS t(delay, origin, day, seats, late)");
  OpenApiOptions options;
  json::value document =
      json::parse(OpenApiDocument(catalog(), options, &database_->models())).as_object();
  const json::value& instance = At(document, "/components/schemas/DelayedInstance");
  EXPECT_EQ(At(instance, "/additionalProperties"), false);
  EXPECT_EQ(At(instance, "/properties/delay/type"), (json::array{"number", "null"}));
  EXPECT_EQ(At(instance, "/properties/origin/type"), (json::array{"string", "null"}));
  EXPECT_EQ(At(instance, "/properties/origin/x-categories").as_array().size(), 2u);
  EXPECT_EQ(At(instance, "/properties/day/format"), "date");
  EXPECT_EQ(At(instance, "/properties/seats/type"), (json::array{"integer", "null"}));
  EXPECT_FALSE(At(instance, "/properties").as_object().contains("late"));
  const json::value& request = At(document, "/components/schemas/DelayedPredictRequest");
  EXPECT_EQ(At(request, "/properties/instances/items/$ref"),
            "#/components/schemas/DelayedInstance");
  EXPECT_EQ(At(request, "/properties/threshold/maximum"), 1);
  const json::value& prediction = At(document, "/components/schemas/DelayedPrediction");
  EXPECT_EQ(At(prediction, "/properties/predicted_late/enum"), (json::array{"no", "yes"}));
  EXPECT_EQ(At(prediction, "/properties/predicted_late_probs/required"),
            (json::array{"no", "yes"}));
  EXPECT_EQ(At(document,
               "/paths/~1v1~1models~1delayed~1predict/post/requestBody/content/"
               "application~1json/schema/$ref"),
            "#/components/schemas/DelayedPredictRequest");
  EXPECT_EQ(At(document,
               "/paths/~1v1~1models~1delayed/get/responses/200/content/"
               "application~1json/schema/$ref"),
            "#/components/schemas/Model");
  EXPECT_TRUE(At(document, "/paths").as_object().contains("/v1/models"));
  // A model whose artifact cannot be read keeps the untyped schemas.
  EXPECT_EQ(At(document,
               "/paths/~1v1~1models~1late~1predict/post/requestBody/content/"
               "application~1json/schema/$ref"),
            "#/components/schemas/PredictRequest");
  folder_.Write("typed.json", OpenApiDocument(catalog(), options, &database_->models()));
  std::string output;
  EXPECT_EQ(Validate(folder_.Path("typed.json"), output), 0) << output;
}

TEST_F(OpenApiTest, IsValidOpenApi31) {
  for (bool bearer : {false, true}) {
    OpenApiOptions options;
    options.bearer_auth = bearer;
    std::string file = folder_.Path(bearer ? "bearer.json" : "open.json");
    folder_.Write(bearer ? "bearer.json" : "open.json", OpenApiDocument(catalog(), options));
    std::string output;
    EXPECT_EQ(Validate(file, output), 0) << output;
    EXPECT_THAT(output, HasSubstr("valid OpenAPI 3.1")) << output;
  }
}

TEST_F(OpenApiTest, ValidatorRejectsABrokenDocument) {
  folder_.Write("broken.json",
                R"({"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {},
                    "components": {"schemas": {"Row": {"type": "integr"}}}})");
  std::string output;
  EXPECT_EQ(Validate(folder_.Path("broken.json"), output), 1) << output;
  EXPECT_THAT(output, HasSubstr("/components/schemas/Row"));
}

}  // namespace
}  // namespace sluice::serve
