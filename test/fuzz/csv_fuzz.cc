// Fuzzes the CSV reader: any input must read fully or fail with a sluice::UserError.
// The first byte picks options (delimiter sniffing or not, escape, comments, tiny ranges) so
// the parallel range splitting and every dialect path see the inputs too.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/error.h"
#include "io/csv/csv_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t mode = data[0];
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  sluice::io::CsvOptions options;
  if (mode & 1) options.escape = '\\';
  if (mode & 2) options.comment = '#';
  if (mode & 4) options.collect_rejects = true;
  if (mode & 8) options.sample_rows = 2;
  if (mode & 16) options.null_strings = {"", "NA"};
  if (mode & 32) options.header = (mode & 64) != 0;
  sluice::io::CsvReaderLimits limits;
  limits.range_bytes = 1 + (mode >> 5) * 5;
  limits.window_bytes = limits.range_bytes * 3;
  limits.spread_samples = (mode & 128) != 0;
  try {
    auto reader = sluice::io::CsvReader::OpenBuffer(bytes, "fuzz.csv", options, limits);
    while (auto batch = reader->Next()) {
      for (size_t column = 0; column < batch->num_columns(); ++column) {
        if (batch->num_rows() > 0) batch->GetValue(column, batch->num_rows() - 1);
      }
    }
  } catch (const sluice::UserError&) {
  }
  return 0;
}
