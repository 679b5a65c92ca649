#include "ml/model_wire.h"

#include <gtest/gtest.h>

#include <bit>
#include <boost/json.hpp>
#include <cmath>
#include <limits>

#include "base/error.h"
#include "ml/json_text.h"
#include "ml/trainer.h"
#include "sql/parser.h"

namespace sluice::ml {
namespace {

namespace json = boost::json;

ModelOptions Options(const std::string& options) {
  auto statement = sql::ParseStatement("CREATE MODEL m OPTIONS (" + options + ") AS SELECT 1");
  return ParseModelOptions(statement->As<sql::CreateModelStatement>().options);
}

// Returns 60 rows of a number, a category and a label that depends on both, with some noise.
Table Sample() {
  Table table;
  table.num_rows = 60;
  Column x{"x", core::TypeId::kDouble, {}, {}, {}};
  Column c{"c", core::TypeId::kVarchar, {}, {}, {}};
  Column y{"y", core::TypeId::kDouble, {}, {}, {}};
  for (size_t row = 0; row < table.num_rows; ++row) {
    double value = std::sin(static_cast<double>(row)) * 10 + 0.1 * static_cast<double>(row);
    x.numbers.push_back(row % 7 == 0 ? std::numeric_limits<double>::quiet_NaN() : value);
    c.texts.push_back(row % 3 == 0 ? "a" : "b");
    c.null.push_back(row % 11 == 0);
    y.numbers.push_back(value / 3 + (row % 3 == 0 ? 1.0 / 3 : 0) + (row % 5) * 0.01);
  }
  table.columns = {x, c, y};
  return table;
}

uint64_t Bits(double value) { return std::bit_cast<uint64_t>(value); }

TEST(ModelWireTest, JsonBytesKeepEveryValueBitForBit) {
  std::string with_nul("a\0b", 3);
  json::value value = json::object{
      {"doubles", json::array{0.1, 1.0 / 3, -0.0, 5e-324, std::numeric_limits<double>::infinity(),
                              std::numeric_limits<double>::quiet_NaN(), 2.2250738585072014e-308}},
      {"integers", json::array{int64_t{-7}, std::numeric_limits<uint64_t>::max()}},
      {"flags", json::array{true, false, nullptr}},
      {"text", json::string(with_nul)},
      {"nested", json::object{{"", json::array{}}, {"o", json::object{}}}}};
  json::value back = JsonFromBytes(JsonToBytes(value));
  const json::array& doubles = back.at("doubles").as_array();
  const json::array& sent = value.at("doubles").as_array();
  ASSERT_EQ(doubles.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(Bits(doubles[i].as_double()), Bits(sent[i].as_double())) << i;
  }
  EXPECT_EQ(back.at("integers").at(0).as_int64(), -7);
  EXPECT_EQ(back.at("integers").at(1).as_uint64(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(std::string(back.at("text").as_string()), with_nul);
  EXPECT_EQ(JsonText(back.at("flags")), "[true,false,null]");
  EXPECT_EQ(JsonText(back.at("nested")), R"({"":[],"o":{}})");
}

TEST(ModelWireTest, MalformedBytesAreADataError) {
  std::string bytes = JsonToBytes(json::object{{"k", json::array{1.5, "text"}}});
  for (size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_THROW(JsonFromBytes(bytes.substr(0, size)), DataError) << size;
  }
  EXPECT_THROW(JsonFromBytes(bytes + "n"), DataError);
  EXPECT_THROW(JsonFromBytes("x"), DataError);
  EXPECT_THROW(ModelFromBytes(JsonToBytes(json::object{{"type", 99}})), DataError);
  EXPECT_THROW(ModelFromBytes(JsonToBytes(json::array{})), DataError);
}

TEST(ModelWireTest, ModelsPredictTheSameAfterTheTrip) {
  for (const char* type : {"linear_reg", "boosted_tree_regressor", "boosted_tree_classifier"}) {
    bool classifier = std::string(type) == "boosted_tree_classifier";
    Table table = Sample();
    if (classifier) {
      for (double& y : table.columns[2].numbers) y = y > 1 ? 1 : 0;
    }
    TrainingOutcome trained = TrainModel(
        Options(std::string("model_type = '") + type + "', input_label_cols = ['y']"), table, 2);
    std::unique_ptr<Model> copy = ModelFromBytes(ModelToBytes(*trained.model));
    EXPECT_EQ(copy->type(), trained.model->type());
    EXPECT_EQ(JsonText(ParamsToJson(copy->params())),
              JsonText(ParamsToJson(trained.model->params())));
    EXPECT_EQ(copy->features().FeatureNames(), trained.model->features().FeatureNames());
    EXPECT_EQ(copy->label().classes, trained.model->label().classes);
    EXPECT_EQ(copy->estimator().training_info().size(),
              trained.model->estimator().training_info().size());
    Matrix expected = trained.model->Outputs(table, 1);
    Matrix outputs = copy->Outputs(table, 1);
    ASSERT_EQ(outputs.values.size(), expected.values.size()) << type;
    for (size_t i = 0; i < expected.values.size(); ++i) {
      EXPECT_EQ(Bits(outputs.values[i]), Bits(expected.values[i])) << type << " " << i;
    }
  }
}

}  // namespace
}  // namespace sluice::ml
