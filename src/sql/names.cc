#include "sql/names.h"

namespace sluice::sql {

std::string CatalogName(const QualifiedName& name) {
  if (name.size() == 2 && (name[0] == "sluice" || name[0] == "information_schema")) {
    return name[0] + "." + name[1];
  }
  return name.empty() ? std::string() : name.back();
}

}  // namespace sluice::sql
