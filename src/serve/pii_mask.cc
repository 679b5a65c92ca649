#include "serve/pii_mask.h"

#include <algorithm>
#include <string_view>

#include "base/error.h"
#include "serve/http.h"

namespace sluice::serve {
namespace {

const catalog::DatasetColumn* FindColumn(const std::vector<catalog::DatasetColumn>& columns,
                                         std::string_view name) {
  for (const catalog::DatasetColumn& column : columns) {
    if (column.profile.name == name) return &column;
  }
  for (const catalog::DatasetColumn& column : columns) {
    if (EqualsIgnoreCase(column.profile.name, name)) return &column;
  }
  return nullptr;
}

// Returns a vector of `rows` masked values in the rows where `source` has a value.
core::Vector MaskedVector(const core::Vector& source, size_t rows) {
  core::Vector masked(source.type(), std::max<size_t>(rows, 1));
  masked.set_size(rows);
  for (size_t row = 0; row < rows; ++row) {
    if (source.type() == core::TypeId::kVarchar && !source.IsNull(row)) {
      masked.SetString(row, kPiiMask);
    } else {
      masked.SetNull(row);
    }
  }
  return masked;
}

}  // namespace

std::vector<bool> PiiColumns(catalog::CatalogDb& catalog, const std::string& result,
                             const core::Schema& schema, int64_t version) {
  std::vector<catalog::DatasetColumn> columns = catalog.DatasetColumns(result, version);
  std::vector<bool> pii(schema.num_fields(), false);
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    const catalog::DatasetColumn* column = FindColumn(columns, schema.field(i).name);
    pii[i] = column != nullptr && column->semantics.pii;
  }
  return pii;
}

core::Batch MaskColumns(const core::Batch& batch, const std::vector<bool>& masked) {
  SLUICE_CHECK(masked.size() == batch.num_columns());
  core::Batch result = batch.Share();
  for (size_t c = 0; c < masked.size(); ++c) {
    if (!masked[c]) continue;
    result.column(c) = MaskedVector(batch.column(c), batch.num_physical_rows());
  }
  return result;
}

}  // namespace sluice::serve
