#include "io/csv/csv_sniffer.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "base/error.h"
#include "io/csv/csv_field.h"

namespace sluice::io::csv {
namespace {

constexpr size_t kSniffBytes = 1 << 16;
constexpr size_t kSniffRecords = 100;
constexpr size_t kSpreadPlaces = 10;

size_t NextLine(std::string_view buffer, size_t position) {
  const void* newline = std::memchr(buffer.data() + position, '\n', buffer.size() - position);
  return newline == nullptr ? buffer.size() : static_cast<const char*>(newline) - buffer.data() + 1;
}

bool IsBlankLine(std::string_view buffer, size_t position) {
  return buffer[position] == '\n' ||
         (buffer[position] == '\r' && position + 1 < buffer.size() && buffer[position + 1] == '\n');
}

// Skips the BOM, options.skip_rows lines, then blank and comment lines.
size_t SkipPreamble(std::string_view buffer, const CsvOptions& options) {
  size_t position = buffer.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  for (size_t i = 0; i < options.skip_rows && position < buffer.size(); ++i) {
    position = NextLine(buffer, position);
  }
  while (position < buffer.size() && (IsBlankLine(buffer, position) ||
                                      (options.comment && buffer[position] == *options.comment))) {
    position = NextLine(buffer, position);
  }
  return position;
}

// Returns the number of fields of each complete record in `head` (quotes respected).
std::vector<size_t> CountFields(std::string_view head, bool whole_file, const CsvDialect& dialect) {
  std::vector<size_t> counts;
  size_t fields = 1;
  bool in_quote = false;
  for (size_t at = 0; at < head.size() && counts.size() < kSniffRecords; ++at) {
    char c = head[at];
    if (in_quote && c == dialect.escape && dialect.escape != dialect.quote) {
      ++at;
    } else if (c == dialect.quote) {
      in_quote = !in_quote;
    } else if (!in_quote && c == dialect.delimiter) {
      ++fields;
    } else if (!in_quote && c == '\n') {
      counts.push_back(fields);
      fields = 1;
    }
  }
  if (whole_file && !in_quote && !head.empty() && head.back() != '\n') counts.push_back(fields);
  return counts;
}

// Scores a delimiter by how many records share the most common field count (above one).
std::pair<size_t, size_t> ScoreDelimiter(const std::vector<size_t>& counts) {
  std::map<size_t, size_t> frequency;
  for (size_t count : counts) ++frequency[count];
  std::pair<size_t, size_t> best{0, 0};
  for (auto [fields, records] : frequency) {
    if (fields > 1) best = std::max(best, std::pair<size_t, size_t>{records, fields});
  }
  return best;
}

char SniffDelimiter(std::string_view buffer, size_t start, CsvDialect dialect) {
  std::string_view head = buffer.substr(start, kSniffBytes);
  bool whole_file = start + head.size() == buffer.size();
  char best = ',';
  std::pair<size_t, size_t> best_score{0, 0};
  for (char candidate : {',', ';', '\t', '|'}) {
    dialect.delimiter = candidate;
    auto score = ScoreDelimiter(CountFields(head, whole_file, dialect));
    if (score > best_score) {
      best_score = score;
      best = candidate;
    }
  }
  return best;
}

// Narrows each column's possible types by the values it sees.
class TypeSampler {
 public:
  TypeSampler(size_t num_columns, const CsvOptions& options)
      : nulls_(options.null_strings, options.quote),
        quote_(options.quote),
        escape_(options.escape),
        masks_(num_columns, kFitsAll),
        seen_(num_columns, false) {}

  void Add(const FieldTable& table, size_t first_row, size_t end_row) {
    for (size_t column = 0; column < masks_.size(); ++column) {
      for (size_t row = first_row; row < end_row && masks_[column] != 0; ++row) {
        std::string_view raw = table.Field(row, column);
        if (nulls_.IsNull(raw)) continue;
        seen_[column] = true;
        masks_[column] &= FitMask(Value(raw), masks_[column]);
      }
    }
  }

  // Returns the bits of the types every field of the row fits, per column (0 for NULL).
  std::vector<uint8_t> RowMasks(const FieldTable& table, size_t row) {
    std::vector<uint8_t> masks;
    for (size_t column = 0; column < masks_.size(); ++column) {
      std::string_view raw = table.Field(row, column);
      masks.push_back(nulls_.IsNull(raw) ? uint8_t{kFitsAll} : FitMask(Value(raw), kFitsAll));
    }
    return masks;
  }

  std::vector<core::TypeId> Types() const {
    std::vector<core::TypeId> types;
    for (size_t column = 0; column < masks_.size(); ++column) {
      types.push_back(seen_[column] ? TypeFromMask(masks_[column]) : core::TypeId::kVarchar);
    }
    return types;
  }

 private:
  std::string_view Value(std::string_view raw) {
    if (raw.empty() || raw[0] != quote_) return raw;
    Unquote(raw, quote_, escape_, &scratch_);
    return scratch_;
  }

  NullMatcher nulls_;
  char quote_;
  char escape_;
  std::string scratch_;
  std::vector<uint8_t> masks_;
  std::vector<bool> seen_;
};

// Tokenizes up to `rows` records from `position` (all when `rows` is 0) into the sampler.
// Returns where it stopped; the first table is also copied to `first` when given.
size_t SampleRows(std::string_view buffer, const CsvDialect& dialect, size_t num_columns,
                  size_t position, size_t rows, size_t skip, TypeSampler* sampler,
                  FieldTable* first, std::string* first_issue = nullptr) {
  CsvTokenizer tokenizer(buffer, dialect, num_columns);
  FieldTable table;
  table.Reset(buffer, num_columns);
  std::vector<RowIssue> ignored;  // bad rows are reported while reading
  size_t taken = 0;
  bool first_table = true;
  while (position < buffer.size() && (rows == 0 || taken < rows)) {
    tokenizer.Fill(&position, buffer.size(), &table, &ignored);
    if (first_table && first_issue != nullptr && !ignored.empty())
      *first_issue = ignored[0].message;
    ignored.clear();
    if (first_table && first != nullptr) *first = table;
    first_table = false;
    sampler->Add(table, skip, table.num_rows());
    taken += table.num_rows() - std::min(skip, table.num_rows());
    skip = 0;
  }
  return position;
}

bool HasQuotedNewline(const FieldTable& table, char quote) {
  for (size_t row = 0; row < table.num_rows(); ++row) {
    for (size_t column = 0; column < table.num_columns(); ++column) {
      std::string_view raw = table.Field(row, column);
      if (!raw.empty() && raw[0] == quote && raw.find('\n') != std::string_view::npos) return true;
    }
  }
  return false;
}

// Samples `rows` records at ten places spread over [from, end of buffer), the last one ending
// at the end of the file.
void SampleSpread(std::string_view buffer, const CsvDialect& dialect, size_t num_columns,
                  size_t data_start, size_t from, size_t rows, size_t row_bytes, bool exact,
                  TypeSampler* sampler) {
  size_t place_rows = std::max<size_t>(1, rows / kSpreadPlaces);
  size_t place_bytes = place_rows * row_bytes;
  if (from + place_bytes >= buffer.size()) return;
  size_t span = buffer.size() - from - place_bytes;
  for (size_t place = 1; place <= kSpreadPlaces; ++place) {
    size_t target = from + span * place / kSpreadPlaces;
    size_t start = exact ? WalkToRecordStart(buffer, data_start, target, dialect)
                         : FindRecordStart(buffer, target, false, dialect.quote);
    SampleRows(buffer, dialect, num_columns, start, place_rows, 0, sampler, nullptr);
  }
}

// Decides whether the first row names the columns: it does when one of its values does not fit
// its column's type, or, when every column is text, when none of its values looks like data.
bool DetectHeader(const std::vector<uint8_t>& first_row, const std::vector<core::TypeId>& types,
                  const FieldTable& table) {
  bool all_text = true;
  for (size_t column = 0; column < types.size(); ++column) {
    if (types[column] == core::TypeId::kVarchar) continue;
    all_text = false;
    if ((first_row[column] & WideningMask(types[column])) == 0) return true;
  }
  if (!all_text) return false;
  for (size_t column = 0; column < types.size(); ++column) {
    if (first_row[column] != 0 || table.Field(0, column).empty()) return false;
  }
  return true;
}

std::vector<std::string> MakeNames(const FieldTable& table, bool header,
                                   const CsvDialect& dialect) {
  std::vector<std::string> names;
  std::string name;
  for (size_t column = 0; column < table.num_columns(); ++column) {
    name.clear();
    if (header) Unquote(table.Field(0, column), dialect.quote, dialect.escape, &name);
    if (name.empty()) name = "column" + std::to_string(column);
    std::string unique = name;
    for (size_t suffix = 1; std::find(names.begin(), names.end(), unique) != names.end();
         ++suffix) {
      unique = name + "_" + std::to_string(suffix);
    }
    names.push_back(unique);
  }
  return names;
}

}  // namespace

std::pair<size_t, size_t> LineAndColumn(std::string_view buffer, size_t offset) {
  offset = std::min(offset, buffer.size());
  size_t line = 1 + static_cast<size_t>(std::count(buffer.begin(), buffer.begin() + offset, '\n'));
  size_t line_start = buffer.rfind('\n', offset == 0 ? 0 : offset - 1);
  bool first_line = line_start == std::string_view::npos || (offset == 0);
  return {line, first_line ? offset + 1 : offset - line_start};
}

CsvLayout SniffCsv(std::string_view buffer, const std::string& name, const CsvOptions& options,
                   bool spread_samples) {
  CsvLayout layout;
  layout.dialect = {options.delimiter.value_or(','), options.quote, options.escape,
                    options.comment};
  size_t start = SkipPreamble(buffer, options);
  if (start >= buffer.size()) {
    Throw<DataError>("{}:{}: the file has no rows", name, LineAndColumn(buffer, start).first);
  }
  if (!options.delimiter) layout.dialect.delimiter = SniffDelimiter(buffer, start, layout.dialect);
  std::vector<size_t> counts = CountFields(buffer.substr(start, kSniffBytes), true, layout.dialect);
  size_t num_columns = counts.empty() ? 1 : counts[0];
  if (counts.empty()) {  // the first record is longer than the sniffed head
    CsvDialect dialect = layout.dialect;
    size_t end = WalkToRecordStart(buffer, start, start + 1, dialect);
    counts = CountFields(buffer.substr(start, end - start), true, dialect);
    num_columns = counts.empty() ? 1 : counts[0];
  }

  TypeSampler sampler(num_columns, options);
  FieldTable first;
  std::string issue;
  size_t rows = options.sample_rows;
  size_t sample_end = SampleRows(buffer, layout.dialect, num_columns, start,
                                 rows == 0 ? 0 : rows + 1, 1, &sampler, &first, &issue);
  if (first.num_rows() == 0) {
    Throw<DataError>("{}:{}: the first row does not parse: {}", name,
                     LineAndColumn(buffer, start).first, issue);
  }
  if (spread_samples && rows > 0 && sample_end < buffer.size()) {
    size_t row_bytes = std::max<size_t>(1, (sample_end - start) / std::max<size_t>(rows, 1));
    bool exact = HasQuotedNewline(first, layout.dialect.quote);
    SampleSpread(buffer, layout.dialect, num_columns, start, sample_end, rows, row_bytes, exact,
                 &sampler);
  }
  std::vector<uint8_t> first_row = sampler.RowMasks(first, 0);
  bool header = options.header.value_or(DetectHeader(first_row, sampler.Types(), first));
  if (!header) sampler.Add(first, 0, 1);
  layout.names = MakeNames(first, header, layout.dialect);
  layout.types = sampler.Types();
  layout.data_start = header ? WalkToRecordStart(buffer, start, start + 1, layout.dialect) : start;
  return layout;
}

}  // namespace sluice::io::csv
