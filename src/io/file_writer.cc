#include "io/file_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "base/error.h"

namespace sluice::io {
namespace {

// Appends smaller than this are gathered into one write.
constexpr size_t kBufferBytes = 1 << 20;

}  // namespace

std::unique_ptr<FileWriter> FileWriter::Create(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) Throw<IoError>("cannot create '{}': {}", path, std::strerror(errno));
  return std::unique_ptr<FileWriter>(new FileWriter(path, fd));
}

FileWriter::FileWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

FileWriter::~FileWriter() { CloseAndRemove(); }

void FileWriter::Append(std::string_view bytes) {
  if (fd_ < 0) Throw<InternalError>("'{}' is already closed", path_);
  size_ += bytes.size();
  if (buffer_.size() + bytes.size() <= kBufferBytes) {
    buffer_ += bytes;
    return;
  }
  Flush();
  if (bytes.size() >= kBufferBytes) {
    WriteAll(bytes);
  } else {
    buffer_ += bytes;
  }
}

void FileWriter::Finish(bool sync) {
  if (fd_ < 0) Throw<InternalError>("'{}' is already closed", path_);
  Flush();
  if (sync && ::fsync(fd_) != 0) {
    Throw<IoError>("cannot write '{}': {}", path_, std::strerror(errno));
  }
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    int error = errno;
    struct stat status {};
    if (::stat(path_.c_str(), &status) == 0 && S_ISREG(status.st_mode)) ::unlink(path_.c_str());
    Throw<IoError>("cannot write '{}': {}", path_, std::strerror(error));
  }
}

void FileWriter::Flush() {
  if (buffer_.empty()) return;
  WriteAll(buffer_);
  buffer_.clear();
}

void FileWriter::WriteAll(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd_, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      Throw<IoError>("cannot write '{}': {}", path_,
                     written < 0 ? std::strerror(errno) : "nothing was written");
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
}

void FileWriter::CloseAndRemove() {
  if (fd_ < 0) return;
  // Devices such as /dev/full are only closed, never removed.
  struct stat status {};
  bool regular = ::fstat(fd_, &status) == 0 && S_ISREG(status.st_mode);
  ::close(fd_);
  fd_ = -1;
  if (regular) ::unlink(path_.c_str());
}

std::string TemporaryPathBeside(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  size_t slash = path.rfind('/');
  std::string folder = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return fmt::format("{}.{}.tmp-{}-{}", folder, name, ::getpid(), counter++);
}

void RenameFile(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    Throw<IoError>("cannot rename '{}' to '{}': {}", from, to, std::strerror(errno));
  }
}

}  // namespace sluice::io
