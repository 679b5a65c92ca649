#include "serve/rows_query.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "base/strings.h"

namespace sluice::serve {
namespace {

constexpr std::array<std::string_view, 7> kReservedNames = {"select", "order",   "limit", "offset",
                                                            "cursor", "version", "format"};
constexpr std::array<std::string_view, 10> kOperators = {"eq",  "neq",  "gt",    "gte", "lt",
                                                         "lte", "like", "ilike", "in",  "is"};

bool IsReserved(std::string_view name) {
  for (std::string_view reserved : kReservedNames) {
    if (name == reserved) return true;
  }
  return false;
}

bool IsOperator(std::string_view op) {
  for (std::string_view known : kOperators) {
    if (op == known) return true;
  }
  return false;
}

// Splits `text` at commas; an empty text has no items.
std::vector<std::string_view> SplitCommas(std::string_view text) {
  std::vector<std::string_view> items;
  if (text.empty()) return items;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    items.push_back(TrimSpace(text.substr(start, comma - start)));
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

int64_t ParseCount(const std::string& name, const std::string& value) {
  int64_t number = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (value.empty() || error != std::errc() || end != value.data() + value.size() || number < 0) {
    throw HttpError(400, fmt::format("{} must be a whole number >= 0, not \"{}\"", name, value),
                    name);
  }
  return number;
}

RowOrder ParseOrderItem(std::string_view item) {
  RowOrder order;
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t dot = item.find('.'); dot != std::string_view::npos; dot = item.find('.', start)) {
    parts.push_back(item.substr(start, dot - start));
    start = dot + 1;
  }
  parts.push_back(item.substr(start));
  order.column = std::string(parts[0]);
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view word = parts[i];
    if (word == "asc" || word == "desc") {
      order.descending = word == "desc";
    } else if (word == "nullsfirst" || word == "nullslast") {
      order.nulls_first = word == "nullsfirst";
    } else {
      throw HttpError(400,
                      fmt::format("unknown order modifier \"{}\" in \"{}\"; expected asc, desc, "
                                  "nullsfirst or nullslast",
                                  word, item),
                      "order");
    }
  }
  if (order.column.empty()) throw HttpError(400, "an order item has no column", "order");
  return order;
}

std::vector<RowOrder> ParseOrder(const std::string& value) {
  std::vector<RowOrder> order;
  for (std::string_view item : SplitCommas(value)) order.push_back(ParseOrderItem(item));
  return order;
}

std::vector<std::string> ParseSelect(const std::string& value) {
  std::vector<std::string> select;
  for (std::string_view item : SplitCommas(value)) {
    if (item.empty()) throw HttpError(400, "select names an empty column", "select");
    select.emplace_back(item);
  }
  return select;
}

void ParseReserved(const std::string& name, const std::string& value, RowsQuery& rows) {
  if (name == "select") {
    rows.select = ParseSelect(value);
  } else if (name == "order") {
    rows.order = ParseOrder(value);
  } else if (name == "limit") {
    rows.limit = ParseCount(name, value);
  } else if (name == "offset") {
    rows.offset = ParseCount(name, value);
  } else if (name == "version") {
    rows.version = ParseCount(name, value);
  } else if (name == "cursor") {
    if (value.empty()) throw HttpError(400, "cursor is empty", name);
    rows.cursor = value;
  } else {
    rows.format = value;
  }
}

// Reads a double-quoted item of an in.(...) list starting at `text[*position]` (the quote);
// `\x` stands for x. Leaves `*position` after the closing quote.
std::string ReadQuotedItem(std::string_view text, size_t* position, const std::string& column) {
  std::string item;
  for (size_t i = *position + 1; i < text.size(); ++i) {
    if (text[i] == '"') {
      *position = i + 1;
      return item;
    }
    if (text[i] == '\\' && i + 1 < text.size()) ++i;
    item += text[i];
  }
  throw HttpError(400, fmt::format("unterminated quoted item in the list of \"{}\"", column),
                  column);
}

// Parses `(a,b,"c,d")`: items separated by commas, double-quoted when they hold a comma,
// a parenthesis or a quote.
std::vector<std::string> ParseList(std::string_view text, const std::string& column) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') {
    throw HttpError(
        400, fmt::format("in needs a list in parentheses, as in.(a,b), not \"{}\"", text), column);
  }
  std::string_view inner = text.substr(1, text.size() - 2);
  std::vector<std::string> items;
  if (TrimSpace(inner).empty()) return items;
  size_t position = 0;
  while (true) {
    while (position < inner.size() && inner[position] == ' ') ++position;
    if (position < inner.size() && inner[position] == '"') {
      items.push_back(ReadQuotedItem(inner, &position, column));
      while (position < inner.size() && inner[position] == ' ') ++position;
      if (position < inner.size() && inner[position] != ',') {
        throw HttpError(400, fmt::format("expected a comma after a quoted item of \"{}\"", column),
                        column);
      }
    } else {
      size_t comma = std::min(inner.find(',', position), inner.size());
      std::string_view item = TrimSpace(inner.substr(position, comma - position));
      if (item.find('"') != std::string_view::npos) {
        throw HttpError(400, fmt::format("a stray quote in the list of \"{}\"", column), column);
      }
      items.emplace_back(item);
      position = comma;
    }
    if (position >= inner.size()) return items;
    ++position;  // the comma
  }
}

RowFilter ParseFilter(const std::string& column, const std::string& value) {
  if (column.empty()) throw HttpError(400, "a filter parameter has no column name", column);
  RowFilter filter;
  filter.column = column;
  std::string_view rest = value;
  if (rest.starts_with("not.")) {
    filter.negated = true;
    rest.remove_prefix(4);
  }
  size_t dot = rest.find('.');
  filter.op = std::string(rest.substr(0, dot));
  if (dot == std::string_view::npos || !IsOperator(filter.op)) {
    throw HttpError(400,
                    fmt::format("\"{}\" is not a filter; expected [not.]operator.value with "
                                "operator one of eq, neq, gt, gte, lt, lte, like, ilike, in, is",
                                value),
                    column);
  }
  rest.remove_prefix(dot + 1);
  if (filter.op == "in") {
    filter.values = ParseList(rest, column);
  } else if (filter.op == "is" && rest != "null" && rest != "true" && rest != "false") {
    throw HttpError(400, fmt::format("is takes null, true or false, not \"{}\"", rest), column);
  } else {
    filter.values.emplace_back(rest);
  }
  return filter;
}

}  // namespace

RowsQuery ParseRowsQuery(const Fields& parameters) {
  RowsQuery rows;
  std::set<std::string> seen;
  for (const auto& [name, value] : parameters) {
    if (!IsReserved(name)) {
      rows.filters.push_back(ParseFilter(name, value));
      continue;
    }
    if (!seen.insert(name).second) {
      throw HttpError(400, fmt::format("parameter \"{}\" is given more than once", name), name);
    }
    ParseReserved(name, value, rows);
  }
  return rows;
}

}  // namespace sluice::serve
