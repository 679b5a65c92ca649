#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace sluice::core {

/// Is one named, typed column of a schema.
struct Field {
  std::string name;
  TypeId type;

  friend bool operator==(const Field&, const Field&) = default;
};

/// Is an ordered list of fields. Immutable once shared: pass as std::shared_ptr<const Schema>.
class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields) : fields_(std::move(fields)) {}

  size_t num_fields() const { return fields_.size(); }
  const Field& field(size_t i) const { return fields_[i]; }
  const std::vector<Field>& fields() const { return fields_; }

  /// Returns the index of the field named `name` (exact match first, then case-insensitive).
  std::optional<size_t> FindField(std::string_view name) const;
  /// Returns "name TYPE, name TYPE, ...".
  std::string ToString() const;

  friend bool operator==(const Schema&, const Schema&) = default;

 private:
  std::vector<Field> fields_;
};

using SchemaPtr = std::shared_ptr<const Schema>;

}  // namespace sluice::core
