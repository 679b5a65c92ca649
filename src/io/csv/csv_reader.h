#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"
#include "io/batch_reader.h"

namespace sluice::io {

/// Says how to read a CSV file; every unset choice is sniffed from the file.
struct CsvOptions {
  std::optional<char> delimiter;  // sniffed from , ; \t | when unset
  std::optional<bool> header;     // detected when unset
  char quote = '"';
  char escape = '"';  // escape char inside quotes ("" by default; '\\' allowed)
  /// Values that read as NULL. Only unquoted fields match: "" (quoted) is an empty string.
  std::vector<std::string> null_strings = {""};
  size_t skip_rows = 0;                              // lines skipped before the header
  std::optional<char> comment;                       // lines starting with it are skipped
  size_t sample_rows = 20480;                        // rows used for type inference; 0 = whole file
  std::map<std::string, core::TypeId> column_types;  // user-forced types by column name
  std::vector<std::string> columns;  // projection: only these, in this order; empty = all
  bool collect_rejects = false;      // bad rows are counted/kept instead of failing
  size_t threads = 0;                // 0 = ThreadCount(); 1 = parse on the calling thread
};

/// Is a row left out because it did not parse (with CsvOptions::collect_rejects).
struct CsvReject {
  size_t line;  // 1-based line in the file where the row (or its bad field) starts
  std::string message;
};

/// Tunes how a CsvReader splits the work; the defaults suit large files. For tests.
struct CsvReaderLimits {
  size_t range_bytes = 1 << 20;    // bytes one parallel task parses
  size_t window_bytes = 32 << 20;  // bytes parsed before their batches are handed out
  bool spread_samples = true;      // also sample rows further into the file, and its end
};

/// Reads a CSV file as batches, in file order. Types are inferred from a sample; a value that
/// does not fit widens its column (BIGINT → DOUBLE → VARCHAR, DATE → TIMESTAMP → VARCHAR) and
/// the reader starts over, as long as no batch has been handed out (the first window of
/// CsvReaderLimits::window_bytes is parsed at open); later, it throws a DataError.
class CsvReader : public BatchReader {
 public:
  /// Opens `path` (plain, .gz or .zst) and infers its schema; throws IoError or DataError.
  static std::unique_ptr<CsvReader> Open(const std::string& path, const CsvOptions& options = {},
                                         const CsvReaderLimits& limits = {});
  /// Reads CSV text held in memory, which must outlive the reader; `name` is used in errors.
  static std::unique_ptr<CsvReader> OpenBuffer(std::string_view bytes, const std::string& name,
                                               const CsvOptions& options = {},
                                               const CsvReaderLimits& limits = {});
  ~CsvReader() override;
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  const core::SchemaPtr& schema() const override;
  std::optional<core::Batch> Next() override;
  /// Keeps every size-th byte range of CsvReaderLimits::range_bytes from the rank-th (not with
  /// collect_rejects, nor for a file of fewer ranges than ranks). Every rank still scans all
  /// bytes for quotes to find where records start, and parses the first window whole at open,
  /// so that columns widen alike on every rank; a value that does not fit its column later is
  /// a DataError, as in one process.
  bool KeepShare(int rank, int size) override;
  std::optional<uint64_t> LastSequence() const override;
  std::string Describe() const override;

  /// Returns the rows left out so far (with collect_rejects), in file order.
  const std::vector<CsvReject>& rejects() const;
  /// Returns how many rows the batches handed out so far hold.
  size_t rows_read() const;

 private:
  class Impl;
  explicit CsvReader(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

/// Opens a CSV file (plain, .gz or .zst) and infers its schema; throws IoError/DataError.
std::unique_ptr<BatchReader> OpenCsv(const std::string& path, const CsvOptions& options = {});

/// Reads CSV text held in memory (which must outlive the reader); `name` is used in errors.
std::unique_ptr<BatchReader> OpenCsvBuffer(std::string_view bytes, const std::string& name,
                                           const CsvOptions& options = {});

}  // namespace sluice::io
