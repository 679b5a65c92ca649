#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::io {

/// Names how a file's bytes are compressed, from its extension (.gz, .zst).
enum class Compression { kNone, kGzip, kZstd };

/// Returns the compression of `path` by its extension.
Compression CompressionOf(std::string_view path);

/// Returns `path` without a compression extension (`a.csv.gz` → `a.csv`).
std::string_view StripCompressionExtension(std::string_view path);

/// Is a whole file's bytes in memory: mapped read-only for plain files, decompressed into a
/// buffer for compressed ones. Immutable and thread-safe once made.
class FileBytes {
 public:
  /// Opens `path`; throws IoError naming the path when it cannot be read or decompressed.
  static std::unique_ptr<FileBytes> Open(const std::string& path);
  virtual ~FileBytes() = default;

  virtual const char* data() const = 0;
  virtual size_t size() const = 0;
  std::string_view view() const { return {data(), size()}; }
};

/// Reads a file's bytes in order, decompressing as it goes: for inputs parsed as a stream.
class InputStream {
 public:
  /// Opens `path`; throws IoError naming the path when it cannot be opened.
  static std::unique_ptr<InputStream> Open(const std::string& path);
  virtual ~InputStream() = default;

  /// Reads up to `capacity` bytes into `buffer`; returns 0 only at the end.
  /// Throws IoError on a read or decompression failure.
  virtual size_t Read(char* buffer, size_t capacity) = 0;
};

}  // namespace sluice::io
