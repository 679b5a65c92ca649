#include "core/schema.h"

#include <strings.h>

namespace sluice::core {

std::optional<size_t> Schema::FindField(std::string_view name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return i;
  }
  for (size_t i = 0; i < fields_.size(); ++i) {
    const std::string& candidate = fields_[i].name;
    if (candidate.size() == name.size() &&
        strncasecmp(candidate.data(), name.data(), name.size()) == 0) {
      return i;
    }
  }
  return std::nullopt;
}

std::string Schema::ToString() const {
  std::string text;
  for (const Field& field : fields_) {
    if (!text.empty()) text += ", ";
    text += field.name + " " + std::string(TypeName(field.type));
  }
  return text;
}

}  // namespace sluice::core
