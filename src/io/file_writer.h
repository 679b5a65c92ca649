#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::io {

/// Writes a new file front to back, buffering small appends. A writer destroyed before
/// Finish() (after an error, say) removes the file when it is a regular file, so a failed
/// write never leaves a file that looks complete. Not thread-safe.
class FileWriter {
 public:
  /// Creates (or truncates) `path`; throws IoError naming the path when it cannot.
  static std::unique_ptr<FileWriter> Create(const std::string& path);
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  /// Appends `bytes`; throws IoError naming the path when the disk is full or the write fails.
  void Append(std::string_view bytes);
  /// Returns the bytes appended so far.
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }
  /// Writes what is buffered, flushes it to disk when `sync`, and closes the file.
  /// Throws IoError naming the path (and removes the file) when that fails.
  void Finish(bool sync = false);

 private:
  FileWriter(std::string path, int fd);
  void Flush();
  void WriteAll(std::string_view bytes);
  void CloseAndRemove();

  std::string path_;
  int fd_;
  size_t size_ = 0;
  std::string buffer_;
};

/// Returns a fresh name in `path`'s folder for writing before a rename onto `path`:
/// `<folder>/.<name>.tmp-<pid>-<n>`.
std::string TemporaryPathBeside(const std::string& path);

/// Renames `from` onto `to` (replacing it); throws IoError naming both when it cannot.
void RenameFile(const std::string& from, const std::string& to);

}  // namespace sluice::io
