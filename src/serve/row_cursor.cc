#include "serve/row_cursor.h"

#include <cctype>
#include <cstdint>
#include <optional>

#include <fmt/format.h>

#include "base/error.h"
#include "base/json_text.h"

namespace sluice::serve {
namespace {

// Longer cursors are refused before decoding: a real one holds one row's values.
constexpr size_t kMaxCursorBytes = 64 * 1024;
constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

[[noreturn]] void BadCursor(std::string_view why) {
  throw HttpError(400, fmt::format("cursor is not valid for this request: {}", why), "cursor");
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char byte : bytes) {
    bits = (bits << 8) | byte;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out += kBase64Url[(bits >> count) & 63];
    }
  }
  if (count > 0) out += kBase64Url[(bits << (6 - count)) & 63];
  return out;
}

std::string Base64UrlDecode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    size_t digit = kBase64Url.find(c);
    if (digit == std::string_view::npos) BadCursor("it is not base64url");
    bits = (bits << 6) | static_cast<uint32_t>(digit);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return out;
}

void AppendUtf8(uint32_t code, std::string& out) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xc0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3f));
  } else {
    out += static_cast<char>(0xe0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code & 0x3f));
  }
}

// Reads the few JSON forms a cursor holds: arrays, strings and null.
class CursorJson {
 public:
  explicit CursorJson(std::string_view text) : text_(text) {}

  void Expect(char c) {
    SkipSpace();
    if (position_ >= text_.size() || text_[position_] != c) BadCursor("it is malformed");
    ++position_;
  }
  void ExpectEnd() {
    SkipSpace();
    if (position_ != text_.size()) BadCursor("it is malformed");
  }
  std::optional<std::string> ReadStringOrNull() {
    SkipSpace();
    if (text_.substr(position_).starts_with("null")) {
      position_ += 4;
      return std::nullopt;
    }
    return ReadString();
  }
  std::string ReadString() {
    Expect('"');
    std::string out;
    while (position_ < text_.size() && text_[position_] != '"') {
      char c = text_[position_++];
      if (c == '\\') {
        ReadEscape(out);
      } else {
        out += c;
      }
    }
    Expect('"');
    return out;
  }

 private:
  void SkipSpace() {
    while (position_ < text_.size() && (text_[position_] == ' ' || text_[position_] == '\n')) {
      ++position_;
    }
  }
  void ReadEscape(std::string& out) {
    if (position_ >= text_.size()) BadCursor("it is malformed");
    char c = text_[position_++];
    std::string_view simple = "\"\\/bfnrt";
    std::string_view meaning = "\"\\/\b\f\n\r\t";
    if (size_t i = simple.find(c); i != std::string_view::npos) {
      out += meaning[i];
      return;
    }
    uint32_t code = 0;
    if (c != 'u' || position_ + 4 > text_.size()) BadCursor("it is malformed");
    for (int i = 0; i < 4; ++i) {
      char digit = text_[position_++];
      size_t value = std::string_view("0123456789abcdef").find(std::tolower(digit));
      if (value == std::string_view::npos) BadCursor("it is malformed");
      code = code * 16 + static_cast<uint32_t>(value);
    }
    if (code >= 0xd800 && code < 0xe000) BadCursor("it is malformed");
    AppendUtf8(code, out);
  }

  std::string_view text_;
  size_t position_ = 0;
};

std::string OrderText(const PagingKey& key) {
  return fmt::format("{}.{}", key.descending ? "desc" : "asc",
                     key.nulls_first ? "nullsfirst" : "nullslast");
}

core::Value ReadValue(CursorJson& json, const PagingKey& key, const core::Schema& schema) {
  const core::Field& field = schema.field(key.field);
  json.Expect('[');
  std::string name = json.ReadString();
  json.Expect(',');
  std::string type = json.ReadString();
  json.Expect(',');
  std::string order = json.ReadString();
  json.Expect(',');
  std::optional<std::string> text = json.ReadStringOrNull();
  json.Expect(']');
  if (name != field.name || type != core::TypeName(field.type) || order != OrderText(key)) {
    BadCursor("it was made for another order or another version of the columns");
  }
  if (!text) return core::Value::Null(field.type);
  try {
    return core::Value::Varchar(*text).CastTo(field.type);
  } catch (const DataError&) {
    BadCursor(fmt::format("it holds a bad value of column \"{}\"", field.name));
  }
}

}  // namespace

std::vector<PagingKey> PagingOrder(const RowsQuery& rows, const core::Schema& schema) {
  std::vector<PagingKey> keys;
  std::vector<bool> used(schema.num_fields(), false);
  for (const RowOrder& order : rows.order) {
    size_t field = ResolveColumn(schema, order.column, "order");
    if (used[field]) continue;
    used[field] = true;
    keys.push_back({field, order.descending, order.nulls_first.value_or(order.descending),
                    order.nulls_first.has_value()});
  }
  for (size_t field = 0; field < schema.num_fields(); ++field) {
    if (!used[field]) keys.push_back({field, false, false, false});
  }
  return keys;
}

std::string EncodeCursor(const std::vector<PagingKey>& keys, const core::Schema& schema,
                         const std::vector<core::Value>& values) {
  if (values.size() != keys.size()) {
    Throw<InternalError>("a cursor needs {} values, got {}", keys.size(), values.size());
  }
  std::string json = "[";
  for (size_t i = 0; i < keys.size(); ++i) {
    const core::Field& field = schema.field(keys[i].field);
    if (i > 0) json += ',';
    json += '[';
    AppendJsonString(json, field.name);
    json += ',';
    AppendJsonString(json, core::TypeName(field.type));
    json += ',';
    AppendJsonString(json, OrderText(keys[i]));
    json += ',';
    core::Value value = values[i].CastTo(field.type);
    if (value.is_null()) {
      json += "null";
    } else {
      AppendJsonString(json, value.ToString());
    }
    json += ']';
  }
  json += ']';
  return Base64UrlEncode(json);
}

std::vector<core::Value> DecodeCursor(std::string_view cursor, const std::vector<PagingKey>& keys,
                                      const core::Schema& schema) {
  if (cursor.size() > kMaxCursorBytes) BadCursor("it is too long");
  std::string text = Base64UrlDecode(cursor);
  CursorJson json(text);
  std::vector<core::Value> values;
  json.Expect('[');
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) json.Expect(',');
    values.push_back(ReadValue(json, keys[i], schema));
  }
  json.Expect(']');
  json.ExpectEnd();
  return values;
}

std::string MakeCursor(const RowsQuery& rows, const core::Schema& schema,
                       const std::vector<core::Value>& last_row) {
  return EncodeCursor(PagingOrder(rows, schema), schema, last_row);
}

}  // namespace sluice::serve
