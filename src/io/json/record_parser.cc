#include "io/json/record_parser.h"

#include <cstring>

#include <fmt/format.h>

namespace sluice::io {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Returns true when a digit after `previous` continues a number rather than starting one.
bool ContinuesNumber(char previous) {
  return IsDigit(previous) || previous == '.' || previous == 'e' || previous == 'E' ||
         previous == '+';
}

// Appends ".0" to integers of 20 digits or more, which simdjson rejects, so that they are
// read as doubles: integers beyond 64 bits become DOUBLE columns.
std::string WidenBigIntegers(std::string_view text) {
  std::string widened;
  widened.reserve(text.size() + 16);
  bool in_string = false;
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (in_string || c == '"') {
      if (in_string && c == '\\' && i + 1 < text.size()) widened += text[i++];
      if (c == '"') in_string = !in_string;
      widened += text[i++];
      continue;
    }
    if (!IsDigit(c) || (i > 0 && ContinuesNumber(text[i - 1]))) {
      widened += text[i++];
      continue;
    }
    size_t end = i;
    while (end < text.size() && IsDigit(text[end])) ++end;
    widened.append(text.substr(i, end - i));
    bool is_float = end < text.size() && (text[end] == '.' || text[end] == 'e' || text[end] == 'E');
    if (end - i >= 20 && !is_float) widened += ".0";
    i = end;
  }
  return widened;
}

}  // namespace

bool RecordParser::ParseChunk(std::string_view input, std::span<const RecordSpan> spans,
                              simdjson::dom::array& records) {
  size_t length = 2 + spans.size();
  for (const RecordSpan& span : spans) length += span.size;
  buffer_.resize(length + simdjson::SIMDJSON_PADDING);
  char* out = buffer_.data();
  *out++ = '[';
  for (const RecordSpan& span : spans) {
    std::memcpy(out, input.data() + span.offset, span.size);
    out += span.size;
    *out++ = ',';
  }
  out[-1] = ']';  // Replaces the last comma; an empty chunk never reaches here.
  simdjson::dom::element document;
  if (parser_.parse(buffer_.data(), out - buffer_.data(), false).get(document)) return false;
  if (document.get_array().get(records)) return false;
  // A line such as `{"a":1},{"b":2}` adds elements: the one-by-one path rejects it.
  return records.size() == spans.size();
}

std::optional<RecordFailure> RecordParser::ParseOne(std::string_view text, size_t index,
                                                    simdjson::dom::object& object) {
  simdjson::dom::element element;
  simdjson::error_code error = ParseCopy(text, element);
  if (error == simdjson::NUMBER_ERROR) error = ParseCopy(WidenBigIntegers(text), element);
  if (error != simdjson::SUCCESS) {
    return RecordFailure{index, fmt::format("invalid JSON: {}", simdjson::error_message(error))};
  }
  if (element.get_object().get(object) != simdjson::SUCCESS) return NotAnObject(index, element);
  return std::nullopt;
}

simdjson::error_code RecordParser::ParseCopy(std::string_view text,
                                             simdjson::dom::element& element) {
  buffer_.resize(text.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(buffer_.data(), text.data(), text.size());
  return parser_.parse(buffer_.data(), text.size(), false).get(element);
}

RecordFailure NotAnObject(size_t index, simdjson::dom::element record) {
  return {index, fmt::format("expected a JSON object, found a {}", JsonTypeName(record))};
}

std::string_view JsonTypeName(simdjson::dom::element element) {
  switch (element.type()) {
    case simdjson::dom::element_type::ARRAY:
      return "array";
    case simdjson::dom::element_type::OBJECT:
      return "object";
    case simdjson::dom::element_type::STRING:
      return "string";
    case simdjson::dom::element_type::BOOL:
      return "boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
    default:
      return "number";
  }
}

std::string MinifiedJson(simdjson::dom::element element) { return simdjson::minify(element); }

std::string JsonSnippet(simdjson::dom::element element) {
  std::string text = MinifiedJson(element);
  if (text.size() > 40) {
    text.resize(37);
    text += "...";
  }
  return text;
}

}  // namespace sluice::io
