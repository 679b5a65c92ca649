#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "io/json/json_reader.h"

namespace sluice::io {

/// Is where one record's text lies in the input: `size` bytes from `offset`, trimmed.
struct RecordSpan {
  uint64_t offset;
  uint64_t size;
};

/// Returns kArray when the first non-space character of `input` is '[', else kLines.
JsonFormat DetectJsonFormat(std::string_view input);

/// Returns "name:line:column" for a byte offset of `input` (1-based line and column).
std::string LocateOffset(std::string_view name, std::string_view input, uint64_t offset);

/// Splits JSON input into record texts without parsing them: lines of NDJSON (a document
/// whose first line opens a brace it does not close runs on to where its braces close, so
/// pretty-printed documents one after another read too), or the
/// top-level elements of an array (found by a scan that tracks strings and nesting depth).
/// Throws DataError for what the scan sees: an unclosed array or record, an empty element,
/// trailing characters. The records' own syntax is checked later by the parser.
class RecordScanner {
 public:
  /// REQUIRES: `input` outlives the scanner; `format` is not kAuto.
  RecordScanner(std::string_view input, JsonFormat format, std::string name);

  /// Appends the spans of the next records to `spans`, stopping after `max_bytes` of input or
  /// `max_records` records (at least one record). Returns false when no record was left.
  bool Next(size_t max_bytes, size_t max_records, std::vector<RecordSpan>& spans);
  /// Returns the offset the scan has reached.
  size_t position() const { return position_; }

 private:
  bool NextLine(RecordSpan& span);
  bool NextElement(RecordSpan& span);
  void OpenArray();
  size_t ScanElementEnd(size_t start) const;
  // Returns the offset just past the object or array starting at `start` (the input's size
  // when it is not closed).
  size_t ScanValueEnd(size_t start) const;
  void CloseArray(size_t closer);
  void SkipSpace();
  [[noreturn]] void Fail(uint64_t offset, std::string_view message) const;

  std::string_view input_;
  JsonFormat format_;
  std::string name_;
  size_t position_ = 0;
  bool opened_ = false;
  bool done_ = false;
};

}  // namespace sluice::io
