#include "catalog/column_profile_json.h"

#include <cmath>

#include <fmt/format.h>
#include <simdjson.h>

#include "base/error.h"
#include "base/json_text.h"
#include "catalog/meta_db.h"

namespace sluice::catalog {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

/// Writes the members of one JSON object, keeping the commas.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  void End() { out_ += '}'; }

  std::string& Key(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    AppendJsonString(out_, key);
    out_ += ':';
    return out_;
  }
  void Text(std::string_view key, std::string_view value) {
    AppendJsonString(Key(key), ValidUtf8(value));
  }
  void Int(std::string_view key, int64_t value) { Key(key) += std::to_string(value); }
  void Double(std::string_view key, double value) { AppendDouble(Key(key), value); }
  template <typename T>
  void Optional(std::string_view key, const std::optional<T>& value) {
    if (!value) {
      Key(key) += "null";
    } else if constexpr (std::is_same_v<T, std::string>) {
      Text(key, *value);
    } else if constexpr (std::is_same_v<T, double>) {
      Double(key, *value);
    } else {
      Int(key, *value);
    }
  }

  static void AppendDouble(std::string& out, double value) {
    if (std::isnan(value)) {
      out += "\"NaN\"";
    } else if (std::isinf(value)) {
      out += value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    } else {
      std::string text = fmt::format("{}", value);
      // "-0" and "3" would read back as integers: -0 would lose its sign.
      if (text.find_first_of(".e") == std::string::npos) text += ".0";
      out += text;
    }
  }

 private:
  std::string& out_;
  bool first_ = true;
};

void AppendLists(ObjectWriter& writer, const ColumnProfile& profile) {
  std::string& quantiles = writer.Key("quantiles");
  quantiles += '[';
  for (size_t i = 0; i < profile.quantiles.size(); ++i) {
    quantiles += i == 0 ? "[" : ",[";
    ObjectWriter::AppendDouble(quantiles, profile.quantiles[i].first);
    quantiles += ',';
    ObjectWriter::AppendDouble(quantiles, profile.quantiles[i].second);
    quantiles += ']';
  }
  quantiles += ']';
  std::string& top = writer.Key("top_values");
  top += '[';
  for (size_t i = 0; i < profile.top_values.size(); ++i) {
    if (i > 0) top += ',';
    ObjectWriter value(top);
    value.Text("value", profile.top_values[i].value);
    value.Int("count", profile.top_values[i].count);
    value.End();
  }
  top += ']';
  std::string& histogram = writer.Key("histogram");
  histogram += '[';
  for (size_t i = 0; i < profile.histogram.size(); ++i) {
    if (i > 0) histogram += ',';
    ObjectWriter bin(histogram);
    bin.Double("lower", profile.histogram[i].lower);
    bin.Double("upper", profile.histogram[i].upper);
    bin.Int("count", profile.histogram[i].count);
    bin.End();
  }
  histogram += ']';
}

[[noreturn]] void Invalid(std::string_view what) {
  Throw<DataError>("invalid column profile JSON: {}", what);
}

double ReadDouble(element value) {
  switch (value.type()) {
    case element_type::DOUBLE:
      return value.get_double().value_unsafe();
    case element_type::INT64:
      return static_cast<double>(value.get_int64().value_unsafe());
    case element_type::UINT64:
      return static_cast<double>(value.get_uint64().value_unsafe());
    case element_type::STRING: {
      std::string_view text = value.get_string().value_unsafe();
      if (text == "NaN") return std::nan("");
      if (text == "Infinity") return HUGE_VAL;
      if (text == "-Infinity") return -HUGE_VAL;
      break;
    }
    default:
      break;
  }
  Invalid("expected a number");
}

int64_t ReadInt(element value) {
  int64_t number = 0;
  if (value.get_int64().get(number) != simdjson::SUCCESS) Invalid("expected an integer");
  return number;
}

std::string ReadText(element value) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) Invalid("expected a string");
  return std::string(text);
}

simdjson::dom::array ReadArray(element value) {
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) Invalid("expected an array");
  return array;
}

element Field(element item, std::string_view key) {
  element value;
  if (item.at_key(key).get(value) != simdjson::SUCCESS) Invalid(fmt::format("no \"{}\"", key));
  return value;
}

core::TypeId ReadType(element value) {
  std::optional<core::TypeId> type = core::TypeFromName(ReadText(value));
  if (!type) Invalid("unknown type");
  return *type;
}

// Reads an optional member: absent or null leaves `out` empty.
template <typename T, typename Read>
void ReadOptional(simdjson::dom::object object, std::string_view key, std::optional<T>& out,
                  Read read) {
  element value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) return;
  out = read(value);
}

void ReadLists(simdjson::dom::object object, ColumnProfile& profile) {
  element value;
  if (object.at_key("quantiles").get(value) == simdjson::SUCCESS) {
    for (element pair : ReadArray(value)) {
      simdjson::dom::array items = ReadArray(pair);
      if (items.size() != 2) Invalid("a quantile is not a [rank, value] pair");
      profile.quantiles.emplace_back(ReadDouble(items.at(0).value_unsafe()),
                                     ReadDouble(items.at(1).value_unsafe()));
    }
  }
  if (object.at_key("top_values").get(value) == simdjson::SUCCESS) {
    for (element item : ReadArray(value)) {
      profile.top_values.push_back({ReadText(Field(item, "value")), ReadInt(Field(item, "count"))});
    }
  }
  if (object.at_key("histogram").get(value) == simdjson::SUCCESS) {
    for (element bin : ReadArray(value)) {
      profile.histogram.push_back({ReadDouble(Field(bin, "lower")), ReadDouble(Field(bin, "upper")),
                                   ReadInt(Field(bin, "count"))});
    }
  }
  if (object.at_key("sample").get(value) == simdjson::SUCCESS) {
    for (element item : ReadArray(value)) profile.sample.push_back(ReadText(item));
  }
  if (object.at_key("signature").get(value) == simdjson::SUCCESS) {
    for (element item : ReadArray(value)) {
      uint64_t hash = 0;
      if (item.get_uint64().get(hash) != simdjson::SUCCESS) Invalid("expected a hash");
      profile.signature.hashes.push_back(hash);
    }
  }
}

}  // namespace

std::string ProfileToJson(const ColumnProfile& profile) {
  std::string out;
  ObjectWriter writer(out);
  writer.Text("name", profile.name);
  writer.Text("type", core::TypeName(profile.type));
  writer.Int("rows", profile.rows);
  writer.Int("non_null", profile.non_null);
  writer.Double("null_fraction", profile.null_fraction);
  writer.Double("distinct", profile.distinct);
  writer.Optional("min", profile.min);
  writer.Optional("max", profile.max);
  writer.Optional("mean", profile.mean);
  writer.Optional("stddev", profile.stddev);
  AppendLists(writer, profile);
  writer.Optional("min_length", profile.min_length);
  writer.Optional("max_length", profile.max_length);
  writer.Optional("mean_length", profile.mean_length);
  writer.Text("inferred_type", core::TypeName(profile.inferred_type));
  writer.Double("type_failure_fraction", profile.type_failure_fraction);
  std::string& sample = writer.Key("sample");
  sample += '[';
  for (size_t i = 0; i < profile.sample.size(); ++i) {
    if (i > 0) sample += ',';
    AppendJsonString(sample, ValidUtf8(profile.sample[i]));
  }
  sample += ']';
  std::string& signature = writer.Key("signature");
  signature += '[';
  for (size_t i = 0; i < profile.signature.hashes.size(); ++i) {
    if (i > 0) signature += ',';
    signature += std::to_string(profile.signature.hashes[i]);
  }
  signature += ']';
  writer.End();
  return out;
}

ColumnProfile ProfileFromJson(std::string_view json) {
  simdjson::dom::parser parser;
  element document;
  if (auto error = parser.parse(simdjson::padded_string(json)).get(document)) {
    Invalid(simdjson::error_message(error));
  }
  simdjson::dom::object object;
  if (document.get_object().get(object) != simdjson::SUCCESS) Invalid("expected an object");
  ColumnProfile profile;
  element value;
  auto member = [&](std::string_view key) {
    return object.at_key(key).get(value) == simdjson::SUCCESS && !value.is_null();
  };
  if (member("name")) profile.name = ReadText(value);
  if (member("type")) profile.type = ReadType(value);
  if (member("rows")) profile.rows = ReadInt(value);
  if (member("non_null")) profile.non_null = ReadInt(value);
  if (member("null_fraction")) profile.null_fraction = ReadDouble(value);
  if (member("distinct")) profile.distinct = ReadDouble(value);
  ReadOptional(object, "min", profile.min, ReadText);
  ReadOptional(object, "max", profile.max, ReadText);
  ReadOptional(object, "mean", profile.mean, ReadDouble);
  ReadOptional(object, "stddev", profile.stddev, ReadDouble);
  ReadOptional(object, "min_length", profile.min_length, ReadInt);
  ReadOptional(object, "max_length", profile.max_length, ReadInt);
  ReadOptional(object, "mean_length", profile.mean_length, ReadDouble);
  if (member("inferred_type")) profile.inferred_type = ReadType(value);
  if (member("type_failure_fraction")) profile.type_failure_fraction = ReadDouble(value);
  ReadLists(object, profile);
  return profile;
}

}  // namespace sluice::catalog
