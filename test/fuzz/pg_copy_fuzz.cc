// Fuzzes the PostgreSQL binary COPY decoder: any bytes, cut anywhere, must decode or fail with
// a sluice::DataError. The first byte says where the stream is cut in two.

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/error.h"
#include "io/postgres/pg_copy_decoder.h"
#include "io/postgres/pg_oids.h"

namespace {

using sluice::core::TypeId;
namespace pg = sluice::io::postgres;

std::vector<pg::PgColumn> Columns() {
  const std::pair<uint32_t, TypeId> kTypes[] = {
      {pg::kBoolOid, TypeId::kBoolean},   {pg::kInt2Oid, TypeId::kInteger},
      {pg::kInt4Oid, TypeId::kInteger},   {pg::kInt8Oid, TypeId::kBigint},
      {pg::kFloat4Oid, TypeId::kDouble},  {pg::kFloat8Oid, TypeId::kDouble},
      {pg::kNumericOid, TypeId::kDouble}, {pg::kTextOid, TypeId::kVarchar},
      {pg::kUuidOid, TypeId::kVarchar},   {pg::kJsonbOid, TypeId::kVarchar},
      {pg::kDateOid, TypeId::kDate},      {pg::kTimestampTzOid, TypeId::kTimestamp},
      {pg::kOidOid, TypeId::kBigint}};
  std::vector<pg::PgColumn> columns;
  for (const auto& [oid, type] : kTypes) {
    pg::PgColumn column;
    column.name = "c" + std::to_string(columns.size());
    column.wire_oid = oid;
    column.type = type;
    columns.push_back(column);
  }
  return columns;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t cut = bytes.empty() ? 0 : data[0] % (bytes.size() + 1);
  auto columns = Columns();
  pg::PgCopyDecoder decoder(columns);
  try {
    std::string pending = bytes.substr(0, cut);
    size_t offset = 0;
    bool fed_rest = false;
    while (!decoder.finished()) {
      sluice::core::Batch batch(pg::SchemaOf(columns));
      size_t rows = 0;
      offset += decoder.Decode(std::string_view(pending).substr(offset), batch, &rows);
      batch.SetNumRows(rows);
      batch.ToString();
      if (rows > 0) continue;
      if (fed_rest) break;
      pending = pending.substr(offset) + bytes.substr(cut);
      offset = 0;
      fed_rest = true;
    }
  } catch (const sluice::DataError&) {
  }
  return 0;
}
