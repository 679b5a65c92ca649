#pragma once

#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "io/json/record_scanner.h"

namespace sluice::io {

/// Is why a record of a chunk cannot be read: its index in the chunk and what is wrong.
struct RecordFailure {
  size_t record;
  std::string message;
};

/// Parses chunks of records with simdjson's DOM parser. Not thread-safe: one per thread.
class RecordParser {
 public:
  RecordParser() = default;
  RecordParser(const RecordParser&) = delete;
  RecordParser& operator=(const RecordParser&) = delete;

  /// Calls `visit(i, object)` for each record of `spans` (texts in `input`), in order.
  /// Returns the first record that is not valid JSON or not an object instead of throwing;
  /// records before it may have been visited.
  template <typename Visit>
  std::optional<RecordFailure> Parse(std::string_view input, std::span<const RecordSpan> spans,
                                     Visit&& visit);

 private:
  bool ParseChunk(std::string_view input, std::span<const RecordSpan> spans,
                  simdjson::dom::array& records);
  std::optional<RecordFailure> ParseOne(std::string_view text, size_t index,
                                        simdjson::dom::object& object);
  simdjson::error_code ParseCopy(std::string_view text, simdjson::dom::element& element);

  simdjson::dom::parser parser_;
  std::vector<char> buffer_;
};

/// Returns the failure of record `index` for not being an object.
RecordFailure NotAnObject(size_t index, simdjson::dom::element record);

/// Returns the JSON type's name of `element` ("string", "number", ...), for messages.
std::string_view JsonTypeName(simdjson::dom::element element);

/// Returns `element` as minified JSON text.
std::string MinifiedJson(simdjson::dom::element element);

/// Returns `element` as minified JSON text cut to about 40 bytes, for messages.
std::string JsonSnippet(simdjson::dom::element element);

template <typename Visit>
std::optional<RecordFailure> RecordParser::Parse(std::string_view input,
                                                 std::span<const RecordSpan> spans, Visit&& visit) {
  simdjson::dom::array records;
  if (ParseChunk(input, spans, records)) {
    size_t i = 0;
    for (simdjson::dom::element record : records) {
      simdjson::dom::object object;
      if (record.get_object().get(object) != simdjson::SUCCESS) return NotAnObject(i, record);
      visit(i++, object);
    }
    return std::nullopt;
  }
  // The chunk did not parse as a whole: parse its records one by one to name the bad one.
  for (size_t i = 0; i < spans.size(); ++i) {
    simdjson::dom::object object;
    std::string_view text = input.substr(spans[i].offset, spans[i].size);
    if (auto failure = ParseOne(text, i, object)) return failure;
    visit(i, object);
  }
  return std::nullopt;
}

}  // namespace sluice::io
