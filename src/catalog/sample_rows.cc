#include "catalog/sample_rows.h"

#include "base/json_text.h"
#include "io/json/json_writer.h"

namespace sluice::catalog {
namespace {

// Appends up to `rows` rows of `batch` to `json`; returns how many it appended.
size_t AppendRows(const core::Batch& batch, const std::vector<std::string>& keys, size_t rows,
                  std::string& json) {
  size_t taken = 0;
  for (; taken < batch.num_rows() && taken < rows; ++taken) {
    size_t physical = batch.PhysicalRow(taken);
    json += json.size() > 1 ? ",{" : "{";
    for (size_t c = 0; c < keys.size(); ++c) {
      json += (c > 0 ? "," : "") + keys[c];
      io::AppendJsonValue(batch.column(c), physical, &json);
    }
    json += '}';
  }
  return taken;
}

std::vector<std::string> Keys(const core::Schema& schema) {
  std::vector<std::string> keys;
  for (const auto& field : schema.fields()) keys.push_back(JsonString(field.name) + ":");
  return keys;
}

}  // namespace

std::string SampleRowsJson(std::span<const core::Batch> batches, const core::Schema& schema,
                           size_t rows) {
  std::vector<std::string> keys = Keys(schema);
  std::string json = "[";
  for (const core::Batch& batch : batches) {
    if (rows == 0) break;
    rows -= AppendRows(batch, keys, rows, json);
  }
  return json + "]";
}

}  // namespace sluice::catalog
