#include "session/declared_key.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/error.h"
#include "session/constraints.h"
#include "sql/names.h"

namespace sluice::session {
namespace {

// Returns the names of a list such as "a, b", without surrounding spaces; an empty entry stays
// empty so that "a,,b" can be refused.
std::vector<std::string> SplitNames(const std::string& list) {
  std::vector<std::string> names;
  for (size_t start = 0; start <= list.size();) {
    size_t comma = std::min(list.find(',', start), list.size());
    std::string name = list.substr(start, comma - start);
    name.erase(0, name.find_first_not_of(" \t\n"));
    name.erase(name.find_last_not_of(" \t\n") + 1);
    names.push_back(std::move(name));
    start = comma + 1;
  }
  return names;
}

const sql::TableOption* FindKeyOption(const sql::CreateTableStatement& statement) {
  for (const sql::TableOption& option : statement.options) {
    if (option.name == "key") return &option;
  }
  return nullptr;
}

size_t KeyColumn(const std::string& column, const core::Schema& schema,
                 const sql::TableOption& option) {
  if (auto index = schema.FindField(column)) return *index;
  std::vector<std::string> names;
  for (const core::Field& field : schema.fields()) names.push_back(field.name);
  auto closest = sql::ClosestName(column, names);
  Throw<UserError>("key column \"{}\" does not exist at line {}, column {}{}", column,
                   option.location.line, option.location.column,
                   closest ? fmt::format("; did you mean \"{}\"?", *closest) : "");
}

}  // namespace

std::vector<size_t> DeclaredKey(const sql::CreateTableStatement& statement,
                                const core::Schema& schema) {
  const sql::TableOption* option = FindKeyOption(statement);
  if (option == nullptr) return {};
  std::vector<size_t> key;
  for (const std::string& column : SplitNames(option->value)) {
    if (column.empty()) {
      Throw<UserError>(
          "key '{}' at line {}, column {} has an empty column name; write key = 'a' "
          "or key = 'a, b'",
          option->value, option->location.line, option->location.column);
    }
    size_t index = KeyColumn(column, schema, *option);
    if (std::find(key.begin(), key.end(), index) != key.end()) {
      Throw<UserError>("key column \"{}\" is named twice at line {}, column {}", column,
                       option->location.line, option->location.column);
    }
    key.push_back(index);
  }
  return key;
}

void ApplyDeclaredKey(const sql::CreateTableStatement& statement, const std::string& name,
                      planner::TableEntry& table) {
  std::vector<size_t> key = DeclaredKey(statement, *table.schema);
  if (key.empty()) return;
  table.not_null.resize(table.schema->num_fields(), false);
  for (size_t column : key) table.not_null[column] = true;
  // A column-defined table may already have the same key as PRIMARY KEY or UNIQUE.
  std::erase(table.unique_keys, key);
  table.unique_keys.insert(table.unique_keys.begin(), std::move(key));
  CheckConstraints(table, name);
}

}  // namespace sluice::session
