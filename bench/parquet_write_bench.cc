// Loads a CSV file into memory, then writes it to Parquet with the Parquet writer alone (no SQL),
// timing only the write. For profiling the writer; bench/parquet-write.sh compares COPY with
// DuckDB. Usage: parquet_write_bench CSV OUT.parquet [RUNS] [CODEC] [THREADS]
//   CODEC: zstd (default), snappy, gzip, lz4_raw, uncompressed

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/error.h"
#include "base/task.h"
#include "io/csv/csv_reader.h"
#include "io/parquet/parquet_writer.h"

namespace {

sluice::io::ParquetCompression CodecNamed(const std::string& name) {
  using sluice::io::ParquetCompression;
  if (name == "snappy") return ParquetCompression::kSnappy;
  if (name == "gzip") return ParquetCompression::kGzip;
  if (name == "lz4_raw") return ParquetCompression::kLz4Raw;
  if (name == "uncompressed") return ParquetCompression::kUncompressed;
  return ParquetCompression::kZstd;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: parquet_write_bench CSV OUT.parquet [RUNS] [CODEC] [THREADS]\n");
    return 2;
  }
  int runs = argc > 3 ? std::atoi(argv[3]) : 3;
  sluice::io::ParquetWriteOptions options;
  if (argc > 4) options.compression = CodecNamed(argv[4]);
  if (argc > 5) sluice::SetThreadCount(static_cast<size_t>(std::atoi(argv[5])));
  try {
    auto reader = sluice::io::OpenCsv(argv[1]);
    auto batches = sluice::io::ReadAll(*reader);
    double best = 1e30;
    sluice::io::ParquetFileSummary summary;
    for (int run = 0; run < runs; ++run) {
      auto start = std::chrono::steady_clock::now();
      auto writer = sluice::io::CreateParquetWriter(argv[2], reader->schema(), options);
      for (const auto& batch : batches) writer->Write(batch);
      summary = writer->Finish();
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      best = std::min(best, seconds);
      std::fprintf(stderr, "run %d: %.3f s\n", run + 1, seconds);
    }
    std::printf("rows=%lld file_bytes=%lld threads=%zu seconds=%.3f\n",
                static_cast<long long>(summary.num_rows),
                static_cast<long long>(summary.file_bytes), sluice::ThreadCount(), best);
  } catch (const sluice::Error& error) {
    std::fprintf(stderr, "error: %s\n", error.what());
    return 1;
  }
  return 0;
}
