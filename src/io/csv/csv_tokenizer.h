#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::io::csv {

/// Is how a CSV file spells its records: the characters the tokenizer looks for.
struct CsvDialect {
  char delimiter = ',';
  char quote = '"';
  char escape = '"';
  std::optional<char> comment;
};

/// Is a row the tokenizer or converter left out: where it starts in the buffer, and why.
struct RowIssue {
  uint64_t offset;
  std::string message;
};

/// Holds where the fields of up to core::kVectorSize rows are in the buffer. Quoted fields keep
/// their quotes; line ends (LF or CRLF) are not part of the last field.
class FieldTable {
 public:
  /// Empties the table for rows of `num_columns` fields in `buffer`.
  void Reset(std::string_view buffer, size_t num_columns);

  size_t num_rows() const { return num_rows_; }
  size_t num_columns() const { return num_columns_; }
  /// Returns the raw bytes of a field (with its quotes, if any).
  std::string_view Field(size_t row, size_t column) const {
    const uint32_t* bounds = &bounds_[(row * num_columns_ + column) * 2];
    return {buffer_.data() + base_ + bounds[0], size_t{bounds[1] - bounds[0]}};
  }
  /// Returns the offset in the buffer where a field starts.
  uint64_t FieldOffset(size_t row, size_t column) const {
    return base_ + bounds_[(row * num_columns_ + column) * 2];
  }
  /// Returns the offset in the buffer where a row starts.
  uint64_t RowOffset(size_t row) const { return base_ + row_starts_[row]; }

 private:
  friend class CsvTokenizer;

  std::string_view buffer_;
  uint64_t base_ = 0;
  size_t num_columns_ = 0;
  size_t num_rows_ = 0;
  std::vector<uint32_t> bounds_;      // start and end of each field, relative to base_
  std::vector<uint32_t> row_starts_;  // relative to base_
};

/// Splits the records of a buffer into fields (RFC 4180: quoted fields may hold delimiters,
/// doubled quotes and line breaks). Finds structural characters 64 bytes at a time.
/// Blank lines and, when the dialect has one, comment lines are skipped.
class CsvTokenizer {
 public:
  CsvTokenizer(std::string_view buffer, const CsvDialect& dialect, size_t num_columns);

  /// Splits the records from `*position` (a record start) up to `end` (a record start or the
  /// buffer's end) into `table`, at most core::kVectorSize of them, and advances `*position`
  /// past them. Rows with the wrong number of fields and an unterminated quote at the end are
  /// left out and reported in `issues`.
  void Fill(size_t* position, size_t end, FieldTable* table, std::vector<RowIssue>* issues);

 private:
  struct State;

  uint64_t LoadMask(size_t position, size_t end) const;
  size_t SkipComments(size_t position, size_t end) const;
  bool EndRow(State* state, size_t newline, FieldTable* table, std::vector<RowIssue>* issues) const;

  std::string_view buffer_;
  CsvDialect dialect_;
  size_t num_columns_;
};

/// Returns how many quote characters the bytes [begin, end) of `buffer` hold.
size_t CountQuotes(std::string_view buffer, size_t begin, size_t end, char quote);

/// Returns the first record start at or after `position`, given whether `position` lies inside
/// quotes (for dialects whose escape is the quote itself and that have no comments).
size_t FindRecordStart(std::string_view buffer, size_t position, bool in_quote, char quote);

/// Returns the first record start at or after `target`, walking from the record start `from`
/// with the full dialect (escapes, comments); slower than FindRecordStart.
size_t WalkToRecordStart(std::string_view buffer, size_t from, size_t target,
                         const CsvDialect& dialect);

}  // namespace sluice::io::csv
