// Loads a CSV file fully typed into memory with OpenCsv + ReadAll and reports the speed.
// Usage: csv_load_bench PATH [RUNS] [THREADS]   (prints the best of RUNS, default 3)

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/error.h"
#include "base/task.h"
#include "io/csv/csv_reader.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: csv_load_bench PATH [RUNS] [THREADS]\n");
    return 2;
  }
  std::string path = argv[1];
  int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  if (argc > 3) sluice::SetThreadCount(static_cast<size_t>(std::atoi(argv[3])));
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    std::fprintf(stderr, "cannot stat %s\n", path.c_str());
    return 1;
  }
  double bytes = static_cast<double>(info.st_size);
  double best = 1e30;
  size_t rows = 0;
  std::string schema;
  try {
    for (int run = 0; run < runs; ++run) {
      auto start = std::chrono::steady_clock::now();
      auto reader = sluice::io::OpenCsv(path);
      auto batches = sluice::io::ReadAll(*reader);
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      rows = 0;
      for (const auto& batch : batches) rows += batch.num_rows();
      schema = reader->schema()->ToString();
      best = std::min(best, seconds);
      std::fprintf(stderr, "run %d: %.3f s\n", run + 1, seconds);
    }
  } catch (const sluice::Error& error) {
    std::fprintf(stderr, "error: %s\n", error.what());
    return 1;
  }
  std::printf("schema: %s\n", schema.c_str());
  std::printf("rows=%zu bytes=%.0f threads=%zu seconds=%.3f MB/s=%.1f\n", rows, bytes,
              sluice::ThreadCount(), best, bytes / 1e6 / best);
  return 0;
}
