#include "catalog/meta_db.h"

#include <charconv>

#include <fmt/format.h>
#include <simdjson.h>

namespace sluice::catalog {

bool MetaRow::IsNull(size_t column) const { return values_.at(column).is_null(); }

int64_t MetaRow::Int(size_t column) const {
  const MetaValue::Variant& value = values_.at(column).get();
  if (const auto* number = std::get_if<int64_t>(&value)) return *number;
  if (const auto* real = std::get_if<double>(&value)) return static_cast<int64_t>(*real);
  if (const auto* text = std::get_if<std::string>(&value)) {
    int64_t number = 0;
    std::from_chars(text->data(), text->data() + text->size(), number);
    return number;
  }
  return 0;
}

double MetaRow::Double(size_t column) const {
  const MetaValue::Variant& value = values_.at(column).get();
  if (const auto* real = std::get_if<double>(&value)) return *real;
  if (const auto* number = std::get_if<int64_t>(&value)) return static_cast<double>(*number);
  if (const auto* text = std::get_if<std::string>(&value)) {
    double real = 0;
    std::from_chars(text->data(), text->data() + text->size(), real);
    return real;
  }
  return 0;
}

std::string MetaRow::Text(size_t column) const {
  const MetaValue::Variant& value = values_.at(column).get();
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* number = std::get_if<int64_t>(&value)) return std::to_string(*number);
  if (const auto* real = std::get_if<double>(&value)) return fmt::format("{}", *real);
  return {};
}

std::string ValidUtf8(std::string_view text) {
  if (simdjson::validate_utf8(text)) return std::string(text);
  std::string out;
  for (size_t i = 0; i < text.size();) {
    auto lead = static_cast<unsigned char>(text[i]);
    size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
    if (length > 0 && i + length <= text.size() &&
        simdjson::validate_utf8(text.data() + i, length)) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

bool IsPostgresUrl(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

}  // namespace sluice::catalog
