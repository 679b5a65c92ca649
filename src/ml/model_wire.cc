#include "ml/model_wire.h"

#include <bit>
#include <boost/json.hpp>
#include <cstdint>

#include "base/error.h"
#include "ml/features.h"

namespace sluice::ml {
namespace {

namespace json = boost::json;

// Nesting deeper than any model's state: malformed bytes must not exhaust the stack.
constexpr int kMaxDepth = 64;

// Writes `word` little-endian, so that the bytes do not depend on the machine.
void AppendWord(std::string& out, uint64_t word) {
  for (int shift = 0; shift < 64; shift += 8) out += static_cast<char>((word >> shift) & 0xff);
}

void AppendText(std::string& out, std::string_view text) {
  AppendWord(out, text.size());
  out += text;
}

void Append(std::string& out, const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      out += 'n';
      return;
    case json::kind::bool_:
      out += value.get_bool() ? 't' : 'f';
      return;
    case json::kind::int64:
      out += 'i';
      AppendWord(out, static_cast<uint64_t>(value.get_int64()));
      return;
    case json::kind::uint64:
      out += 'u';
      AppendWord(out, value.get_uint64());
      return;
    case json::kind::double_:
      out += 'd';
      AppendWord(out, std::bit_cast<uint64_t>(value.get_double()));
      return;
    case json::kind::string:
      out += 's';
      AppendText(out, value.get_string());
      return;
    case json::kind::array:
      out += 'a';
      AppendWord(out, value.get_array().size());
      for (const json::value& item : value.get_array()) Append(out, item);
      return;
    case json::kind::object:
      out += 'o';
      AppendWord(out, value.get_object().size());
      for (const auto& [key, item] : value.get_object()) {
        AppendText(out, key);
        Append(out, item);
      }
      return;
  }
}

// Reads what Append wrote.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  json::value Value(int depth) {
    if (depth > kMaxDepth) Fail();
    switch (Take(1)[0]) {
      case 'n':
        return nullptr;
      case 'f':
        return false;
      case 't':
        return true;
      case 'i':
        return static_cast<int64_t>(Word());
      case 'u':
        return Word();
      case 'd':
        return std::bit_cast<double>(Word());
      case 's':
        return json::string(Text());
      case 'a':
        return Array(depth);
      case 'o':
        return Object(depth);
      default:
        Fail();
    }
  }

  bool done() const { return position_ == bytes_.size(); }

 private:
  json::array Array(int depth) {
    json::array array;
    for (uint64_t i = 0, count = Count(); i < count; ++i) array.push_back(Value(depth + 1));
    return array;
  }

  json::object Object(int depth) {
    json::object object;
    for (uint64_t i = 0, count = Count(); i < count; ++i) {
      std::string_view key = Text();
      json::value item = Value(depth + 1);
      object.insert_or_assign(key, std::move(item));
    }
    return object;
  }

  std::string_view Take(uint64_t size) {
    if (size > bytes_.size() - position_) Fail();
    std::string_view part = bytes_.substr(position_, size);
    position_ += size;
    return part;
  }

  uint64_t Word() {
    std::string_view bytes = Take(8);
    uint64_t word = 0;
    for (int i = 7; i >= 0; --i) word = (word << 8) | static_cast<uint8_t>(bytes[i]);
    return word;
  }

  std::string_view Text() { return Take(Word()); }

  // Returns a count of items, each at least one byte long.
  uint64_t Count() {
    uint64_t count = Word();
    if (count > bytes_.size() - position_) Fail();
    return count;
  }

  [[noreturn]] void Fail() const {
    Throw<DataError>("malformed JSON bytes at byte {} of {}", position_, bytes_.size());
  }

  std::string_view bytes_;
  size_t position_ = 0;
};

}  // namespace

std::string JsonToBytes(const json::value& value) {
  std::string out;
  Append(out, value);
  return out;
}

json::value JsonFromBytes(std::string_view bytes) {
  Reader reader(bytes);
  json::value value = reader.Value(0);
  if (!reader.done())
    Throw<DataError>("malformed JSON bytes: {} bytes after the value", bytes.size());
  return value;
}

std::string ModelToBytes(const Model& model) {
  std::string blob;
  json::object estimator = model.estimator().Save(blob);
  const LabelSpec& label = model.label();
  json::object object{
      {"type", static_cast<int64_t>(model.type())},
      {"params", ParamsToJson(model.params())},
      {"features", FeatureSpecToJson(model.features())},
      {"label", json::object{{"name", label.name},
                             {"type", static_cast<int64_t>(label.type)},
                             {"classes", json::array(label.classes.begin(), label.classes.end())}}},
      {"estimator", std::move(estimator)},
      {"blob", json::string(blob)}};
  return JsonToBytes(object);
}

std::unique_ptr<Model> ModelFromBytes(std::string_view bytes) {
  json::value value = JsonFromBytes(bytes);
  try {
    const json::object& object = value.as_object();
    int64_t type = object.at("type").as_int64();
    if (type < 0 || type > static_cast<int64_t>(ModelType::kKmeans)) {
      Throw<DataError>("malformed model bytes: model type {}", type);
    }
    const json::object& label_json = object.at("label").as_object();
    LabelSpec label{json::value_to<std::string>(label_json.at("name")),
                    static_cast<core::TypeId>(label_json.at("type").as_int64()),
                    json::value_to<std::vector<std::string>>(label_json.at("classes"))};
    auto model = std::make_unique<Model>(
        static_cast<ModelType>(type), ParamsFromJson(object.at("params").as_object()),
        FeatureSpecFromJson(object.at("features").as_object()), std::move(label));
    model->estimator().Load(object.at("estimator").as_object(),
                            std::string(object.at("blob").as_string()));
    return model;
  } catch (const Error&) {
    throw;
  } catch (const std::exception& error) {
    Throw<DataError>("malformed model bytes: {}", error.what());
  }
}

}  // namespace sluice::ml
