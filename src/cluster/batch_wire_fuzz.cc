// libFuzzer target for the batch wire decoder: any input either decodes or throws DataError,
// and what decodes encodes and decodes again to the same rows.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "cluster/batch_wire.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    for (const sluice::core::Batch& batch : sluice::cluster::DecodeBatches(bytes)) {
      std::string again;
      sluice::cluster::EncodeBatch(batch, again);
      sluice::core::Batch decoded = sluice::cluster::DecodeBatch(again);
      if (decoded.num_rows() != batch.num_rows()) __builtin_trap();
      // Without columns the rows are only a count, which may be in the billions.
      if (batch.num_columns() > 0 && decoded.ToString() != batch.ToString()) __builtin_trap();
    }
  } catch (const sluice::DataError&) {
  }
  return 0;
}
