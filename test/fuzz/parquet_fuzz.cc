// Fuzzes the Parquet reader: any input must read fully or fail with a sluice::UserError
// (DataError for corrupt files), never crash or allocate without bound. The first byte picks
// the threads, a projection and predicates, so row-group and page skipping see the inputs too.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/error.h"
#include "io/parquet/parquet_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t mode = data[0];
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    sluice::io::ParquetOptions options;
    options.threads = (mode & 1) ? 2 : 1;
    auto reader = sluice::io::OpenParquetBuffer(bytes, "fuzz.parquet", options);
    const auto& schema = *reader->schema();
    if ((mode & 2) && schema.num_fields() > 1) {
      options.columns = {schema.field((mode >> 4) % schema.num_fields()).name};
    }
    if ((mode & 4) && schema.num_fields() > 0) {
      using Op = sluice::io::ScanPredicate::Op;
      auto op = static_cast<Op>((mode >> 3) % 7);
      options.predicates = {{schema.field(0).name, op, sluice::core::Value::Bigint(mode)}};
    }
    if (mode & 6) reader = sluice::io::OpenParquetBuffer(bytes, "fuzz.parquet", options);
    // A few bytes of RLE can describe millions of NULL rows; reading them all is correct but
    // slow, so the fuzzer stops after a million.
    size_t rows = 0;
    while (rows < (1 << 20)) {
      auto batch = reader->Next();
      if (!batch) break;
      rows += batch->num_rows();
      for (size_t column = 0; column < batch->num_columns(); ++column) {
        if (batch->num_rows() > 0) batch->GetValue(column, batch->num_rows() - 1);
      }
    }
  } catch (const sluice::UserError&) {
  }
  return 0;
}
