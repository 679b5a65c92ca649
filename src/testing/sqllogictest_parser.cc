#include "testing/sqllogictest_parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace sluice::testing {
namespace {

struct Line {
  int number;
  std::string text;
};

/// Is a run of non-blank lines: one record, or a directive such as `loop`.
using Block = std::vector<Line>;

std::vector<std::string> Tokens(std::string_view line) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > start) tokens.emplace_back(line.substr(start, i - start));
  }
  return tokens;
}

// Splits `text` into blocks the way SQLite's runner reads it: \r dropped, lines of only spaces
// are blank, lines starting with # are comments wherever they are.
std::vector<Block> SplitBlocks(std::string_view text) {
  std::vector<Block> blocks;
  Block current;
  int number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start, end - start));
    start = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t\r\f\v") == std::string::npos) {
      if (!current.empty()) blocks.push_back(std::move(current));
      current.clear();
      continue;
    }
    if (line[0] == '#') continue;
    current.push_back({number, std::move(line)});
  }
  if (!current.empty()) blocks.push_back(std::move(current));
  return blocks;
}

std::string JoinLines(const Block& block, size_t from, size_t to) {
  std::string text;
  for (size_t i = from; i < to; ++i) {
    if (i > from) text += '\n';
    text += block[i].text;
  }
  return text;
}

Record Invalid(Record record, std::string error) {
  record.kind = RecordKind::kInvalid;
  record.error = std::move(error);
  return record;
}

Record InvalidAt(int line, std::string error) {
  Record record;
  record.line = line;
  return Invalid(std::move(record), std::move(error));
}

size_t FindSeparator(const Block& block, size_t from) {
  for (size_t i = from; i < block.size(); ++i) {
    if (block[i].text == "----") return i;
  }
  return block.size();
}

Record ParseStatement(Record record, const std::vector<std::string>& tokens, const Block& block,
                      size_t body) {
  if (tokens.size() < 2 || (tokens[1] != "ok" && tokens[1] != "error")) {
    return Invalid(std::move(record), "statement needs 'ok' or 'error'");
  }
  record.kind = RecordKind::kStatement;
  record.expect_error = tokens[1] == "error";
  size_t separator = FindSeparator(block, body);
  record.sql = JoinLines(block, body, separator);
  if (separator < block.size()) {
    if (!record.expect_error) return Invalid(std::move(record), "'statement ok' takes no ----");
    record.expected_error = JoinLines(block, separator + 1, block.size());
  }
  if (record.sql.empty()) return Invalid(std::move(record), "statement without SQL");
  return record;
}

Record ParseQuery(Record record, const std::vector<std::string>& tokens, const Block& block,
                  size_t body) {
  record.kind = RecordKind::kQuery;
  if (tokens.size() < 2) return Invalid(std::move(record), "query without a type string");
  record.types = tokens[1];
  for (char type : record.types) {
    if (type != 'T' && type != 'I' && type != 'R') {
      return Invalid(std::move(record), std::string("unknown type character '") + type + "'");
    }
  }
  if (tokens.size() >= 3) {
    if (tokens[2] == "rowsort") {
      record.sort_mode = SortMode::kRowSort;
    } else if (tokens[2] == "valuesort") {
      record.sort_mode = SortMode::kValueSort;
    } else if (tokens[2] != "nosort") {
      return Invalid(std::move(record), "unknown sort mode '" + tokens[2] + "'");
    }
  }
  if (tokens.size() >= 4) record.label = tokens[3];
  size_t separator = FindSeparator(block, body);
  record.sql = JoinLines(block, body, separator);
  if (record.sql.empty()) return Invalid(std::move(record), "query without SQL");
  for (size_t i = separator + 1; i < block.size(); ++i) record.expected.push_back(block[i].text);
  return record;
}

// Returns the record of `block`, or nothing for lines that make no record (mode).
std::optional<Record> ParseRecord(const Block& block) {
  Record record;
  size_t i = 0;
  std::vector<std::string> tokens = Tokens(block[0].text);
  while ((tokens[0] == "skipif" || tokens[0] == "onlyif") && i + 1 < block.size()) {
    record.conditions.push_back({tokens[0] == "onlyif", tokens.size() > 1 ? tokens[1] : ""});
    tokens = Tokens(block[++i].text);
  }
  record.line = block[i].number;
  const std::string& command = tokens[0];
  if (command == "statement") return ParseStatement(std::move(record), tokens, block, i + 1);
  if (command == "query") return ParseQuery(std::move(record), tokens, block, i + 1);
  if (command == "mode") return std::nullopt;
  if (command == "halt" || command == "restart") {
    record.kind = command == "halt" ? RecordKind::kHalt : RecordKind::kRestart;
    return record;
  }
  if (command == "hash-threshold" || command == "require") {
    record.kind = command == "require" ? RecordKind::kRequire : RecordKind::kHashThreshold;
    if (tokens.size() < 2) return Invalid(std::move(record), command + " needs an argument");
    record.argument = tokens[1];
    return record;
  }
  return Invalid(std::move(record), "unknown record type '" + command + "'");
}

void Replace(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
}

Record Substitute(Record record, const std::string& name, const std::string& value) {
  const std::string from = "${" + name + "}";
  Replace(record.sql, from, value);
  Replace(record.label, from, value);
  for (std::string& line : record.expected) Replace(line, from, value);
  if (record.expected_error) Replace(*record.expected_error, from, value);
  return record;
}

// Returns the values a `loop VAR START END` (END excluded) or `foreach VAR V...` line iterates.
std::optional<std::vector<std::string>> LoopValues(const std::vector<std::string>& tokens) {
  if (tokens[0] == "foreach" && tokens.size() >= 3) {
    return std::vector<std::string>(tokens.begin() + 2, tokens.end());
  }
  if (tokens.size() != 4) return std::nullopt;
  int start = 0, end = 0;
  auto parse = [](const std::string& text, int& out) {
    auto [ptr, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && ptr == text.data() + text.size();
  };
  if (!parse(tokens[2], start) || !parse(tokens[3], end)) return std::nullopt;
  std::vector<std::string> values;
  for (int value = start; value < end; ++value) values.push_back(std::to_string(value));
  return values;
}

// Parses blocks from `next` up to a matching `endloop` (when `in_loop`) or the end.
std::vector<Record> ParseBlocks(const std::vector<Block>& blocks, size_t& next, bool in_loop) {
  std::vector<Record> records;
  while (next < blocks.size()) {
    const Block& block = blocks[next++];
    std::vector<std::string> tokens = Tokens(block[0].text);
    if (tokens[0] == "endloop") {
      if (in_loop) return records;
      records.push_back(InvalidAt(block[0].number, "endloop without loop"));
      continue;
    }
    if (tokens[0] != "loop" && tokens[0] != "foreach") {
      if (std::optional<Record> record = ParseRecord(block)) records.push_back(*record);
      continue;
    }
    std::optional<std::vector<std::string>> values = LoopValues(tokens);
    std::vector<Record> body = ParseBlocks(blocks, next, true);
    if (!values) {
      records.push_back(InvalidAt(block[0].number, "malformed " + tokens[0]));
      continue;
    }
    for (const std::string& value : *values) {
      for (const Record& record : body) records.push_back(Substitute(record, tokens[1], value));
    }
  }
  return records;
}

}  // namespace

std::vector<Record> ParseSqlLogicTest(std::string_view text) {
  std::vector<Block> blocks = SplitBlocks(text);
  size_t next = 0;
  return ParseBlocks(blocks, next, false);
}

bool RecordApplies(const Record& record, std::string_view engine) {
  for (const Condition& condition : record.conditions) {
    bool match = condition.engine.size() == engine.size() &&
                 std::equal(engine.begin(), engine.end(), condition.engine.begin(),
                            [](char a, char b) { return std::tolower(a) == std::tolower(b); });
    if (match != condition.only_if) return false;
  }
  return true;
}

}  // namespace sluice::testing
