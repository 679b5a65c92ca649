// Measures what profiling adds to reading: for each file, the best of RUNS runs of reading every
// batch (io::OpenFile, then NextConcurrent() on every thread when the reader is concurrent, else
// Next()) against the best of RUNS runs of reading + catalog::ProfileReader. The target is a
// ratio under 1.5. See bench/profile.sh.
// Usage: profile_bench [--runs N] [--threads N] [--profile] FILE...
//   --profile also prints each column's profile (a few fields) once.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/task.h"
#include "catalog/column_profiler.h"
#include "core/types.h"
#include "io/open_file.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Reads every batch of `path` the way ProfileReader does, without profiling; returns the rows.
int64_t ReadOnly(const std::string& path) {
  auto reader = sluice::io::OpenFile(path);
  std::atomic<int64_t> rows{0};
  if (reader->concurrent()) {
    size_t threads = std::max<size_t>(sluice::ThreadCount(), 1);
    sluice::ParallelFor(threads, [&](size_t) {
      int64_t mine = 0;
      while (auto batch = reader->NextConcurrent()) mine += batch->batch.num_rows();
      rows += mine;
    });
  } else {
    while (auto batch = reader->Next()) rows += batch->num_rows();
  }
  return rows;
}

void PrintProfile(const sluice::catalog::TableProfile& profile) {
  std::printf("  %lld rows\n", static_cast<long long>(profile.rows));
  for (const auto& column : profile.columns) {
    std::string top = column.top_values.empty() ? "-"
                                                : column.top_values[0].value + " x" +
                                                      std::to_string(column.top_values[0].count);
    std::printf("  %-12s %-9s nulls=%.3f distinct=%.0f min=%s max=%s top=%s inferred=%s",
                column.name.c_str(), std::string(sluice::core::TypeName(column.type)).c_str(),
                column.null_fraction, column.distinct, column.min.value_or("-").c_str(),
                column.max.value_or("-").c_str(), top.c_str(),
                std::string(sluice::core::TypeName(column.inferred_type)).c_str());
    if (column.quantiles.size() > 4) std::printf(" median=%g", column.quantiles[4].second);
    std::printf("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 3;
  bool print = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--threads" && i + 1 < argc) {
      sluice::SetThreadCount(static_cast<size_t>(std::atoi(argv[++i])));
    } else if (arg == "--profile") {
      print = true;
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: profile_bench [--runs N] [--threads N] [--profile] FILE...\n");
    return 2;
  }
  std::printf("| file | rows | threads | read s | read + profile s | ratio |\n");
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  try {
    for (const std::string& path : files) {
      double read = 1e30;
      double profiled = 1e30;
      int64_t rows = 0;
      sluice::catalog::TableProfile profile;
      // Alternate the two, so that a slow spell of the machine hits both alike.
      for (int run = 0; run < runs; ++run) {
        auto start = Clock::now();
        rows = ReadOnly(path);
        read = std::min(read, Seconds(start));
        start = Clock::now();
        auto reader = sluice::io::OpenFile(path);
        profile = sluice::catalog::ProfileReader(*reader);
        profiled = std::min(profiled, Seconds(start));
      }
      std::string name = path.substr(path.find_last_of('/') + 1);
      std::printf("| %s | %lld | %zu | %.3f | %.3f | %.2f |\n", name.c_str(),
                  static_cast<long long>(rows), sluice::ThreadCount(), read, profiled,
                  profiled / read);
      if (print) PrintProfile(profile);
      std::fflush(stdout);
    }
  } catch (const sluice::Error& error) {
    std::fprintf(stderr, "error: %s\n", error.what());
    return 1;
  }
  return 0;
}
