#include "serve/predict_request.h"

#include <cmath>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "core/datetime.h"
#include "serve/http.h"

namespace sluice::serve {
namespace {

namespace json = boost::json;
using core::TypeId;
using core::Value;
using ::testing::HasSubstr;

ml::FeatureColumn Feature(std::string name, TypeId type, ml::FeatureKind kind) {
  ml::FeatureColumn column;
  column.name = std::move(name);
  column.type = type;
  column.kind = kind;
  return column;
}

// Returns a model version (untrained: requests are parsed, not predicted) named `name`.
session::ModelVersion Version(ml::ModelType type, ml::LabelSpec label, std::string transform = {}) {
  ml::FeatureSpec features;
  features.columns = {Feature("weight", TypeId::kDouble, ml::FeatureKind::kNumeric),
                      Feature("cylinders", TypeId::kBigint, ml::FeatureKind::kNumeric),
                      Feature("doors", TypeId::kInteger, ml::FeatureKind::kNumeric),
                      Feature("origin", TypeId::kVarchar, ml::FeatureKind::kCategorical),
                      Feature("turbo", TypeId::kBoolean, ml::FeatureKind::kNumeric),
                      Feature("built", TypeId::kDate, ml::FeatureKind::kDate),
                      Feature("sold", TypeId::kTimestamp, ml::FeatureKind::kTimestamp)};
  session::ModelVersion version;
  version.record.name = "cars";
  version.record.version = 3;
  version.model = std::make_shared<ml::Model>(type, ml::Params(), features, std::move(label));
  version.transform = std::move(transform);
  return version;
}

session::ModelVersion Regressor(std::string transform = {}) {
  return Version(ml::ModelType::kLinearReg, {"mpg", TypeId::kDouble, {}}, std::move(transform));
}

session::ModelVersion Classifier(std::vector<std::string> classes = {"no", "yes"}) {
  return Version(ml::ModelType::kLogisticReg, {"late", TypeId::kVarchar, std::move(classes)});
}

// Returns the HttpError ParsePredictRequest throws for `body`, as "status parameter: message".
std::string ErrorOf(std::string_view body, const session::ModelVersion& version) {
  try {
    ParsePredictRequest(body, version);
  } catch (const HttpError& error) {
    return fmt::format("{} {}: {}", error.status(), error.parameter(), error.what());
  }
  return "no error";
}

// Returns the values of row `row` of `request`'s input, as text.
std::string Row(const PredictRequest& request, size_t row) {
  const core::Batch& batch = request.input->batches->at(row / core::kVectorSize);
  std::string text;
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    text += (c == 0 ? "" : "|") + batch.GetValue(c, row % core::kVectorSize).ToString();
  }
  return text;
}

TEST(PredictRequestTest, TypesInstancesAsTheModelWasTrained) {
  PredictRequest request = ParsePredictRequest(
      R"({"instances": [
           {"weight": 3504, "cylinders": 8, "doors": 2.0, "origin": "USA", "turbo": true,
            "built": "1970-01-01", "sold": "1970-03-01 10:30:00"},
           {"origin": null, "weight": 2.5},
           {}]})",
      Regressor());
  EXPECT_EQ(request.num_instances, 3u);
  EXPECT_EQ(request.threshold, 0.5);
  const core::Schema& schema = *request.input->schema;
  ASSERT_EQ(schema.num_fields(), 7u);
  EXPECT_EQ(schema.field(0), (core::Field{"weight", TypeId::kDouble}));
  EXPECT_EQ(schema.field(1), (core::Field{"cylinders", TypeId::kBigint}));
  EXPECT_EQ(schema.field(2), (core::Field{"doors", TypeId::kInteger}));
  EXPECT_EQ(schema.field(3), (core::Field{"origin", TypeId::kVarchar}));
  EXPECT_EQ(schema.field(4), (core::Field{"turbo", TypeId::kBoolean}));
  EXPECT_EQ(schema.field(5), (core::Field{"built", TypeId::kDate}));
  EXPECT_EQ(schema.field(6), (core::Field{"sold", TypeId::kTimestamp}));
  EXPECT_EQ(Row(request, 0), "3504|8|2|USA|true|1970-01-01|1970-03-01 10:30:00");
  EXPECT_EQ(Row(request, 1), "2.5|NULL|NULL|NULL|NULL|NULL|NULL");
  EXPECT_EQ(Row(request, 2), "NULL|NULL|NULL|NULL|NULL|NULL|NULL");
}

TEST(PredictRequestTest, SplitsInstancesIntoVectors) {
  std::string body = R"({"instances": [)";
  for (size_t i = 0; i < core::kVectorSize + 1; ++i) {
    body += fmt::format("{}{{\"weight\": {}}}", i == 0 ? "" : ",", i);
  }
  body += "]}";
  PredictRequest request = ParsePredictRequest(body, Regressor());
  ASSERT_EQ(request.input->batches->size(), 2u);
  EXPECT_EQ(request.input->batches->at(0).num_rows(), core::kVectorSize);
  EXPECT_EQ(request.input->batches->at(1).num_rows(), 1u);
  EXPECT_EQ(Row(request, core::kVectorSize).substr(0, 5), "2048|");
}

TEST(PredictRequestTest, TakesNoInstances) {
  PredictRequest request = ParsePredictRequest(R"({"instances": []})", Regressor());
  EXPECT_EQ(request.num_instances, 0u);
  EXPECT_TRUE(request.input->batches->empty());
}

TEST(PredictRequestTest, RefusesMalformedBodies) {
  session::ModelVersion model = Regressor();
  EXPECT_THAT(ErrorOf("{\"instances\": [", model), HasSubstr("400 body: the body is not JSON"));
  EXPECT_THAT(ErrorOf("[1, 2]", model), HasSubstr("400 body: the body must be a JSON object"));
  EXPECT_THAT(ErrorOf("{}", model), HasSubstr("400 instances: the body needs \"instances\""));
  EXPECT_THAT(ErrorOf(R"({"instances": {"weight": 1}})", model),
              HasSubstr("400 instances: the body needs \"instances\": an array"));
  EXPECT_THAT(ErrorOf(R"({"instance": []})", model),
              HasSubstr("400 instance: unknown key \"instance\" in the body"));
  EXPECT_THAT(ErrorOf(R"({"instances": [{}, 7]})", model),
              HasSubstr("400 instances[1]: instance 1 is 7, not an object"));
  std::string many = R"({"instances": [{})";
  for (size_t i = 0; i < kMaxInstances; ++i) many += ",{}";
  EXPECT_THAT(ErrorOf(many + "]}", model),
              HasSubstr("400 instances: 10001 instances; a request takes at most 10000"));
}

TEST(PredictRequestTest, NamesTheInstanceAndFeatureOfAWrongValue) {
  session::ModelVersion model = Regressor();
  auto error = [&](std::string_view instance) {
    return ErrorOf(fmt::format(R"({{"instances": [{{}}, {}]}})", instance), model);
  };
  EXPECT_EQ(error(R"({"weight": "heavy"})"),
            "400 instances[1].weight: instance 1: \"weight\" takes a number (DOUBLE) or null, "
            "not \"heavy\"");
  EXPECT_THAT(error(R"({"cylinders": 2.5})"),
              HasSubstr("instances[1].cylinders: instance 1: \"cylinders\" takes an integer "
                        "(BIGINT) or null, not 2.5"));
  EXPECT_THAT(error(R"({"cylinders": 18446744073709551615})"), HasSubstr("takes an integer"));
  EXPECT_THAT(error(R"({"doors": 3000000000})"), HasSubstr("\"doors\" takes an integer (INTEGER)"));
  EXPECT_THAT(error(R"({"origin": 1})"), HasSubstr("\"origin\" takes a string (VARCHAR)"));
  EXPECT_THAT(error(R"({"turbo": 1})"), HasSubstr("\"turbo\" takes true or false (BOOLEAN)"));
  EXPECT_THAT(error(R"({"built": "1970-13-01"})"),
              HasSubstr("\"built\" takes a date 'YYYY-MM-DD' (DATE) or null, not \"1970-13-01\""));
  EXPECT_THAT(error(R"({"sold": "yesterday"})"), HasSubstr("(TIMESTAMP)"));
  EXPECT_THAT(error(R"({"weight": [1]})"), HasSubstr("not [1]"));
}

TEST(PredictRequestTest, RefusesUnknownFeaturesAndTheLabel) {
  session::ModelVersion model = Regressor();
  EXPECT_EQ(ErrorOf(R"({"instances": [{"wieght": 1}]})", model),
            "400 instances[0].wieght: instance 0: unknown feature \"wieght\"; model cars takes "
            "weight, cylinders, doors, origin, turbo, built, sold");
  EXPECT_EQ(ErrorOf(R"({"instances": [{"weight": 1, "mpg": 20}]})", model),
            "400 instances[0].mpg: instance 0: \"mpg\" is the label model cars predicts, not a "
            "feature");
  // Keys name columns exactly.
  EXPECT_THAT(ErrorOf(R"({"instances": [{"Weight": 1}]})", model),
              HasSubstr("unknown feature \"Weight\""));
}

TEST(PredictRequestTest, TakesAThresholdForBinaryClassifiersOnly) {
  EXPECT_EQ(ParsePredictRequest(R"({"instances": [], "threshold": 0.8})", Classifier()).threshold,
            0.8);
  EXPECT_EQ(ParsePredictRequest(R"({"instances": [], "threshold": 1})", Classifier()).threshold,
            1.0);
  EXPECT_EQ(ErrorOf(R"({"instances": [], "threshold": 1.5})", Classifier()),
            "400 threshold: threshold takes a number from 0 to 1, not 1.5");
  EXPECT_THAT(ErrorOf(R"({"instances": [], "threshold": "high"})", Classifier()),
              HasSubstr("400 threshold"));
  EXPECT_EQ(ErrorOf(R"({"instances": [], "threshold": 0.5})", Regressor()),
            "400 threshold: threshold applies to binary classifiers only");
  EXPECT_THAT(ErrorOf(R"({"instances": [], "threshold": 0.5})", Classifier({"a", "b", "c"})),
              HasSubstr("binary classifiers only"));
}

TEST(PredictRequestTest, TypesTransformInputsByTheirValues) {
  session::ModelVersion model = Regressor("weight * 2 AS heavy, LOWER(\"Origin\") AS origin, hp");
  PredictRequest request = ParsePredictRequest(
      R"({"instances": [{"weight": 1, "Origin": null}, {"Origin": "USA", "HP": true}, {}]})",
      model);
  const core::Schema& schema = *request.input->schema;
  ASSERT_EQ(schema.num_fields(), 3u);
  EXPECT_EQ(schema.field(0), (core::Field{"weight", TypeId::kDouble}));
  EXPECT_EQ(schema.field(1), (core::Field{"Origin", TypeId::kVarchar}));
  EXPECT_EQ(schema.field(2), (core::Field{"HP", TypeId::kBoolean}));
  EXPECT_EQ(Row(request, 0), "1|NULL|NULL");
  EXPECT_EQ(Row(request, 1), "NULL|USA|true");
  EXPECT_EQ(Row(request, 2), "NULL|NULL|NULL");
  // A key given only as null is DOUBLE.
  EXPECT_EQ(
      ParsePredictRequest(R"({"instances": [{"hp": null}]})", model).input->schema->field(0).type,
      TypeId::kDouble);
}

TEST(PredictRequestTest, RefusesTransformKeysItDoesNotNameOrMixedTypes) {
  session::ModelVersion model = Regressor("weight * 2 AS heavy, origin");
  EXPECT_EQ(ErrorOf(R"({"instances": [{"weight": 1}, {"wieght": 2}]})", model),
            "400 instances[1].wieght: instance 1: \"wieght\" is not an input of model cars's "
            "TRANSFORM (weight * 2 AS heavy, origin)");
  // Any name the TRANSFORM mentions is taken, an alias too: the check catches typos, it does
  // not analyse the expressions.
  EXPECT_EQ(ErrorOf(R"({"instances": [{"heavy": 1}]})", model), "no error");
  EXPECT_EQ(ErrorOf(R"({"instances": [{"weight": 1}, {"weight": "1"}]})", model),
            "400 instances[1].weight: instance 1: \"weight\" is \"1\", but instance 0 gave it as "
            "a number");
  EXPECT_THAT(ErrorOf(R"({"instances": [{"weight": {"a": 1}}]})", model),
              HasSubstr("takes a number, string, boolean or null"));
  // A TRANSFORM selecting * takes any key.
  EXPECT_EQ(ErrorOf(R"({"instances": [{"anything": 1}]})", Regressor("*, weight * 2 AS heavy")),
            "no error");
}

TEST(PredictRequestTest, ShapesRegressionPredictions) {
  ml::PredictionColumns predicted;
  predicted.fields = {{"predicted_mpg", TypeId::kDouble}};
  predicted.values = {{Value::Double(18.25), Value::Double(NAN), Value::Null(TypeId::kDouble)}};
  EXPECT_EQ(PredictResponseJson(predicted, Regressor()),
            R"({"predictions":[{"predicted_mpg":18.25},{"predicted_mpg":null},)"
            R"({"predicted_mpg":null}],"model":"cars","model_version":3})");
  EXPECT_EQ(PredictResponseJson({}, Regressor()),
            R"({"predictions":[],"model":"cars","model_version":3})");
}

TEST(PredictRequestTest, GivesClassProbabilitiesAsAnObject) {
  ml::PredictionColumns predicted;
  predicted.fields = {{"predicted_late", TypeId::kVarchar},
                      {"predicted_late_probs", TypeId::kVarchar}};
  predicted.values = {{Value::Varchar("yes")}, {Value::Varchar(R"({"no":0.25,"yes":0.75})")}};
  EXPECT_EQ(PredictResponseJson(predicted, Classifier()),
            R"({"predictions":[{"predicted_late":"yes",)"
            R"("predicted_late_probs":{"no":0.25,"yes":0.75}}],"model":"cars","model_version":3})");
  // A label of another type keeps its type.
  session::ModelVersion numbered =
      Version(ml::ModelType::kLogisticReg, {"late", TypeId::kBigint, {"0", "1"}});
  predicted.fields[0].type = TypeId::kBigint;
  predicted.values[0] = {Value::Bigint(1)};
  predicted.values[1] = {Value::Varchar(R"({"0":0.25,"1":0.75})")};
  EXPECT_THAT(PredictResponseJson(predicted, numbered),
              HasSubstr(R"({"predicted_late":1,"predicted_late_probs":{"0":0.25,"1":0.75}})"));
}

TEST(PredictRequestTest, GivesCentroidDistancesAsAnObject) {
  ml::PredictionColumns predicted;
  predicted.fields = {{"centroid_id", TypeId::kBigint},
                      {"nearest_centroids_distance", TypeId::kVarchar}};
  predicted.values = {{Value::Bigint(2)}, {Value::Varchar(R"({"1":3.5,"2":0.5})")}};
  EXPECT_THAT(PredictResponseJson(predicted, Version(ml::ModelType::kKmeans, {})),
              HasSubstr(R"({"centroid_id":2,"nearest_centroids_distance":{"1":3.5,"2":0.5}})"));
}

}  // namespace
}  // namespace sluice::serve
