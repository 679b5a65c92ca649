#include "serve/predict_request.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "base/json_text.h"
#include "base/strings.h"
#include "core/datetime.h"
#include "serve/http.h"
#include "sql/lexer.h"

namespace sluice::serve {
namespace {

// simdjson, not Boost.JSON (1.81), reads the body: its numbers are the closest doubles to the
// text, as SQL's are, so a prediction equals ML.PREDICT's for the same values.
using core::TypeId;
using core::Value;
using simdjson::dom::element;

// Is the instances as rows of typed columns.
struct Rows {
  std::vector<core::Field> fields;
  std::vector<std::vector<Value>> values;
};

std::string Where(size_t instance, std::string_view key = {}) {
  if (key.empty()) return fmt::format("instances[{}]", instance);
  return fmt::format("instances[{}].{}", instance, key);
}

// Returns `value` as JSON text for a message, shortened.
std::string Shown(element value) {
  std::string text = simdjson::to_string(value);
  constexpr size_t kMaxShown = 40;
  if (text.size() > kMaxShown) text = text.substr(0, kMaxShown) + "...";
  return text;
}

bool IsNumber(element value) { return value.is_int64() || value.is_uint64() || value.is_double(); }

std::string_view Expected(TypeId type) {
  switch (type) {
    case TypeId::kBoolean:
      return "true or false";
    case TypeId::kInteger:
    case TypeId::kBigint:
      return "an integer";
    case TypeId::kDouble:
      return "a number";
    case TypeId::kVarchar:
      return "a string";
    case TypeId::kDate:
      return "a date 'YYYY-MM-DD'";
    case TypeId::kTimestamp:
      return "a timestamp 'YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]'";
  }
  return "a value";
}

// Returns the JSON number `value` as an integer in [min, max], or nothing when it has a
// fraction or is out of that range.
std::optional<int64_t> Integral(element value, int64_t min, int64_t max) {
  if (value.is_int64()) {
    int64_t n = value.get_int64().value_unsafe();
    return n >= min && n <= max ? std::optional(n) : std::nullopt;
  }
  if (value.is_uint64()) {
    uint64_t n = value.get_uint64().value_unsafe();
    return n <= static_cast<uint64_t>(max) ? std::optional(static_cast<int64_t>(n)) : std::nullopt;
  }
  double d = value.get_double().value_unsafe();
  // 2^63 is the first double above INT64_MAX.
  if (std::trunc(d) != d || d < static_cast<double>(min) || d >= 9223372036854775808.0 ||
      d > static_cast<double>(max)) {
    return std::nullopt;
  }
  return static_cast<int64_t>(d);
}

std::optional<Value> Temporal(element value, TypeId type) {
  if (!value.is_string()) return std::nullopt;
  std::string_view text = value.get_string().value_unsafe();
  if (type == TypeId::kDate) {
    if (auto days = core::ParseDate(text)) return Value::Date(*days);
  } else if (auto micros = core::ParseTimestamp(text)) {
    return Value::Timestamp(*micros);
  }
  return std::nullopt;
}

// Returns `value` as a value of `type`, or nothing when it cannot stand for one.
std::optional<Value> FromJson(element value, TypeId type) {
  if (value.is_null()) return Value::Null(type);
  std::optional<int64_t> integer;
  switch (type) {
    case TypeId::kBoolean:
      if (value.is_bool()) return Value::Boolean(value.get_bool().value_unsafe());
      break;
    case TypeId::kInteger:
      if (IsNumber(value)) integer = Integral(value, INT32_MIN, INT32_MAX);
      if (integer) return Value::Integer(static_cast<int32_t>(*integer));
      break;
    case TypeId::kBigint:
      if (IsNumber(value)) integer = Integral(value, INT64_MIN, INT64_MAX);
      if (integer) return Value::Bigint(*integer);
      break;
    case TypeId::kDouble:
      if (IsNumber(value)) return Value::Double(value.get_double().value_unsafe());
      break;
    case TypeId::kVarchar:
      if (value.is_string()) return Value::Varchar(std::string(value.get_string().value_unsafe()));
      break;
    case TypeId::kDate:
    case TypeId::kTimestamp:
      return Temporal(value, type);
  }
  return std::nullopt;
}

element ParseBody(simdjson::dom::parser& parser, const simdjson::padded_string& body) {
  element document;
  if (auto error = parser.parse(body).get(document)) {
    throw HttpError(400, fmt::format("the body is not JSON ({})", simdjson::error_message(error)),
                    "body");
  }
  if (!document.is_object()) {
    throw HttpError(400, "the body must be a JSON object: {\"instances\": [{...}, ...]}", "body");
  }
  simdjson::dom::object object = document.get_object().value_unsafe();
  for (auto [key, value] : object) {
    if (key != "instances" && key != "threshold") {
      throw HttpError(
          400, fmt::format("unknown key \"{}\" in the body; it takes instances and threshold", key),
          std::string(key));
    }
  }
  return document;
}

simdjson::dom::array Instances(element body) {
  element instances;
  if (body.at_key("instances").get(instances) || !instances.is_array()) {
    throw HttpError(400, "the body needs \"instances\": an array of objects, one per prediction",
                    "instances");
  }
  simdjson::dom::array array = instances.get_array().value_unsafe();
  if (array.size() > kMaxInstances) {
    throw HttpError(
        400, fmt::format("{} instances; a request takes at most {}", array.size(), kMaxInstances),
        "instances");
  }
  size_t i = 0;
  for (element instance : array) {
    if (!instance.is_object()) {
      throw HttpError(400, fmt::format("instance {} is {}, not an object", i, Shown(instance)),
                      Where(i));
    }
    ++i;
  }
  return array;
}

double Threshold(element body, const ml::Model& model) {
  element threshold;
  if (body.at_key("threshold").get(threshold)) return 0.5;
  if (ml::TaskOf(model.type()) != ml::ModelTask::kClassification ||
      model.label().classes.size() != 2) {
    throw HttpError(400, "threshold applies to binary classifiers only", "threshold");
  }
  double value = IsNumber(threshold) ? threshold.get_double().value_unsafe() : NAN;
  if (!(value >= 0 && value <= 1)) {
    throw HttpError(400,
                    fmt::format("threshold takes a number from 0 to 1, not {}", Shown(threshold)),
                    "threshold");
  }
  return value;
}

[[noreturn]] void WrongValue(size_t instance, std::string_view key, TypeId type, element value) {
  throw HttpError(400,
                  fmt::format("instance {}: \"{}\" takes {} ({}) or null, not {}", instance, key,
                              Expected(type), core::TypeName(type), Shown(value)),
                  Where(instance, key));
}

std::string FeatureList(const ml::FeatureSpec& features) {
  std::string list;
  for (const ml::FeatureColumn& column : features.columns) {
    list += list.empty() ? "" : ", ";
    list += column.name;
  }
  return list;
}

// Returns the rows of a model without TRANSFORM: its input columns, as trained.
Rows FeatureRows(simdjson::dom::array instances, const session::ModelVersion& version) {
  const ml::Model& model = *version.model;
  Rows rows;
  std::map<std::string, size_t, std::less<>> index;
  std::vector<Value> nulls;
  for (const ml::FeatureColumn& column : model.features().columns) {
    index.emplace(column.name, rows.fields.size());
    rows.fields.push_back({column.name, column.type});
    nulls.push_back(Value::Null(column.type));
  }
  size_t i = 0;
  for (element instance : instances) {
    std::vector<Value>& row = rows.values.emplace_back(nulls);
    simdjson::dom::object object = instance.get_object().value_unsafe();
    for (auto [key, value] : object) {
      auto found = index.find(key);
      if (found == index.end()) {
        std::string message =
            key == model.label().name && !key.empty()
                ? fmt::format("instance {}: \"{}\" is the label model {} predicts, not a feature",
                              i, key, version.record.name)
                : fmt::format("instance {}: unknown feature \"{}\"; model {} takes {}", i, key,
                              version.record.name, FeatureList(model.features()));
        throw HttpError(400, message, Where(i, key));
      }
      TypeId type = rows.fields[found->second].type;
      std::optional<Value> converted = FromJson(value, type);
      if (!converted) WrongValue(i, key, type, value);
      row[found->second] = std::move(*converted);
    }
    ++i;
  }
  return rows;
}

// Returns the names a TRANSFORM mentions (lower case unless quoted), or nothing when it
// selects `*`, which takes every column.
std::optional<std::set<std::string, std::less<>>> TransformNames(const std::string& transform) {
  std::set<std::string, std::less<>> names;
  std::vector<sql::Token> tokens = sql::Tokenize(transform);
  for (size_t t = 0; t < tokens.size(); ++t) {
    const sql::Token& token = tokens[t];
    if (token.kind == sql::TokenKind::kWord || token.kind == sql::TokenKind::kQuotedIdentifier) {
      names.insert(token.text);
    }
    bool item_start = t == 0 || tokens[t - 1].text == "," || tokens[t - 1].text == ".";
    if (token.kind == sql::TokenKind::kSymbol && token.text == "*" && item_start) {
      return std::nullopt;
    }
  }
  return names;
}

std::string Lower(std::string_view text) {
  std::string lower = AsciiLower(std::string(text));
  return lower;
}

std::optional<TypeId> InferredType(element value) {
  if (IsNumber(value)) return TypeId::kDouble;
  if (value.is_string()) return TypeId::kVarchar;
  if (value.is_bool()) return TypeId::kBoolean;
  return std::nullopt;
}

// Returns the rows of a model with TRANSFORM: the instances' keys, typed by their values.
Rows TransformRows(simdjson::dom::array instances, const session::ModelVersion& version) {
  auto mentioned = TransformNames(version.transform);
  struct Key {
    std::optional<TypeId> type;
    size_t typed_by = 0;  // the instance that gave the type
  };
  std::vector<std::string> order;
  std::map<std::string, Key, std::less<>> keys;
  size_t i = 0;
  for (element instance : instances) {
    simdjson::dom::object object = instance.get_object().value_unsafe();
    for (auto [name, value] : object) {
      if (mentioned && !mentioned->contains(name) && !mentioned->contains(Lower(name))) {
        throw HttpError(400,
                        fmt::format("instance {}: \"{}\" is not an input of model {}'s TRANSFORM "
                                    "({})",
                                    i, name, version.record.name, version.transform),
                        Where(i, name));
      }
      auto [key, added] = keys.try_emplace(std::string(name));
      if (added) order.emplace_back(name);
      if (value.is_null()) continue;
      std::optional<TypeId> type = InferredType(value);
      if (!type) {
        throw HttpError(400,
                        fmt::format("instance {}: \"{}\" takes a number, string, boolean or "
                                    "null, not {}",
                                    i, name, Shown(value)),
                        Where(i, name));
      }
      if (key->second.type && *key->second.type != *type) {
        throw HttpError(
            400,
            fmt::format("instance {}: \"{}\" is {}, but instance {} gave it as {}", i, name,
                        Shown(value), key->second.typed_by, Expected(*key->second.type)),
            Where(i, name));
      }
      key->second = {type, i};
    }
    ++i;
  }
  Rows rows;
  for (const std::string& name : order) {
    rows.fields.push_back({name, keys[name].type.value_or(TypeId::kDouble)});
  }
  for (element instance : instances) {
    std::vector<Value>& row = rows.values.emplace_back();
    simdjson::dom::object object = instance.get_object().value_unsafe();
    for (const core::Field& field : rows.fields) {
      element value;
      bool missing = object.at_key(field.name).get(value) != simdjson::SUCCESS;
      row.push_back(missing ? Value::Null(field.type) : *FromJson(value, field.type));
    }
  }
  return rows;
}

std::shared_ptr<const planner::TableEntry> EntryOf(Rows rows) {
  auto entry = std::make_shared<planner::TableEntry>();
  entry->schema = std::make_shared<core::Schema>(std::move(rows.fields));
  entry->estimated_rows = rows.values.size();
  std::vector<core::Batch> batches;
  for (size_t start = 0; start < rows.values.size(); start += core::kVectorSize) {
    core::Batch& batch = batches.emplace_back(entry->schema);
    size_t end = std::min(rows.values.size(), start + core::kVectorSize);
    for (size_t r = start; r < end; ++r) batch.AppendRow(rows.values[r]);
  }
  entry->batches = std::make_shared<const std::vector<core::Batch>>(std::move(batches));
  return entry;
}

void AppendValue(std::string& out, const Value& value) {
  if (value.is_null()) {
    out += "null";
    return;
  }
  switch (value.type()) {
    case TypeId::kBoolean:
      out += value.GetBoolean() ? "true" : "false";
      return;
    case TypeId::kInteger:
    case TypeId::kBigint:
      out += std::to_string(value.GetInt64());
      return;
    case TypeId::kDouble:
      out += std::isfinite(value.GetDouble()) ? core::FormatDouble(value.GetDouble()) : "null";
      return;
    case TypeId::kVarchar:
      AppendJsonString(out, value.GetString());
      return;
    case TypeId::kDate:
    case TypeId::kTimestamp:
      AppendJsonString(out, value.ToString());
      return;
  }
}

// Returns true when ML.PREDICT gives column `name` of `model` as JSON text.
bool IsJsonText(const std::string& name, const ml::Model& model) {
  switch (ml::TaskOf(model.type())) {
    case ml::ModelTask::kClassification:
      return name == "predicted_" + model.label().name + "_probs";
    case ml::ModelTask::kClustering:
      return name == "nearest_centroids_distance";
    case ml::ModelTask::kRegression:
      break;
  }
  return false;
}

}  // namespace

PredictRequest ParsePredictRequest(std::string_view body, const session::ModelVersion& version) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  element document = ParseBody(parser, padded);
  simdjson::dom::array instances = Instances(document);
  PredictRequest request;
  request.threshold = Threshold(document, *version.model);
  request.num_instances = instances.size();
  request.input = EntryOf(version.transform.empty() ? FeatureRows(instances, version)
                                                    : TransformRows(instances, version));
  return request;
}

std::string PredictResponseJson(const ml::PredictionColumns& predicted,
                                const session::ModelVersion& version) {
  std::vector<std::string> keys;
  std::vector<bool> json_text;
  for (const core::Field& field : predicted.fields) {
    std::string key;
    AppendJsonString(key, field.name);
    keys.push_back(key + ':');
    json_text.push_back(IsJsonText(field.name, *version.model));
  }
  size_t num_rows = predicted.values.empty() ? 0 : predicted.values[0].size();
  std::string out = "{\"predictions\":[";
  for (size_t row = 0; row < num_rows; ++row) {
    out += row == 0 ? "{" : ",{";
    for (size_t c = 0; c < predicted.fields.size(); ++c) {
      if (c > 0) out += ',';
      out += keys[c];
      const Value& value = predicted.values[c][row];
      // ML.PREDICT's JSON text goes out as it is: parsing and printing it again could change
      // the last digit of a probability.
      if (json_text[c] && !value.is_null()) {
        out += value.GetString();
      } else {
        AppendValue(out, value);
      }
    }
    out += '}';
  }
  out += "],\"model\":";
  AppendJsonString(out, version.record.name);
  out += fmt::format(",\"model_version\":{}}}", version.record.version);
  return out;
}

}  // namespace sluice::serve
