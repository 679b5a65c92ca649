// Fuzzes the JSON reader: any input must end in rows or a UserError, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/error.h"
#include "io/batch_reader.h"
#include "io/json/json_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the options, so that every mode sees every input.
  uint8_t selector = data[0];
  sluice::io::JsonOptions options;
  options.format = static_cast<sluice::io::JsonFormat>(selector % 3);
  options.nested =
      (selector & 4) ? sluice::io::NestedMode::kJsonString : sluice::io::NestedMode::kFlatten;
  options.sample_rows = (selector & 8) ? 1 : 20480;
  options.window_bytes = (selector & 16) ? 64 : 0;
  options.threads = 1;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    auto reader = sluice::io::OpenJsonBuffer(std::move(bytes), "fuzz.json", options);
    sluice::io::ReadAll(*reader);
  } catch (const sluice::UserError&) {
  }
  return 0;
}
