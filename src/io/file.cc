#include "io/file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "base/error.h"

namespace sluice::io {
namespace {

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

[[noreturn]] void ThrowErrno(std::string_view what, const std::string& path) {
  Throw<IoError>("{} '{}': {}", what, path, std::strerror(errno));
}

// Owns an open file descriptor.
class Descriptor {
 public:
  explicit Descriptor(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) ThrowErrno("cannot open", path);
    struct stat info;
    if (::fstat(fd_, &info) != 0) ThrowErrno("cannot stat", path);
    if (S_ISDIR(info.st_mode)) Throw<IoError>("cannot read '{}': it is a directory", path);
    size_ = static_cast<size_t>(info.st_size);
  }
  ~Descriptor() { ::close(fd_); }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;

  int fd() const { return fd_; }
  size_t size() const { return size_; }

 private:
  int fd_;
  size_t size_ = 0;
};

class MappedBytes final : public FileBytes {
 public:
  explicit MappedBytes(const std::string& path) {
    Descriptor file(path);
    size_ = file.size();
    if (size_ == 0) return;
    void* address = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, file.fd(), 0);
    if (address == MAP_FAILED) ThrowErrno("cannot map", path);
    ::madvise(address, size_, MADV_SEQUENTIAL | MADV_WILLNEED);
    data_ = static_cast<const char*>(address);
  }
  ~MappedBytes() override {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
  }
  const char* data() const override { return data_ != nullptr ? data_ : ""; }
  size_t size() const override { return size_; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

class BufferBytes final : public FileBytes {
 public:
  explicit BufferBytes(std::vector<char> bytes) : bytes_(std::move(bytes)) {}
  const char* data() const override { return bytes_.data(); }
  size_t size() const override { return bytes_.size(); }

 private:
  std::vector<char> bytes_;
};

class PlainStream final : public InputStream {
 public:
  explicit PlainStream(const std::string& path) : path_(path), file_(path) {}
  size_t Read(char* buffer, size_t capacity) override {
    ssize_t count;
    do {
      count = ::read(file_.fd(), buffer, capacity);
    } while (count < 0 && errno == EINTR);
    if (count < 0) ThrowErrno("cannot read", path_);
    return static_cast<size_t>(count);
  }

 private:
  std::string path_;
  Descriptor file_;
};

// Reads gzip (also concatenated members) through zlib's gzFile layer.
class GzipStream final : public InputStream {
 public:
  explicit GzipStream(const std::string& path) : path_(path) {
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr) ThrowErrno("cannot open", path);
    gzbuffer(file_, 1 << 18);
  }
  ~GzipStream() override { gzclose(file_); }
  size_t Read(char* buffer, size_t capacity) override {
    int count = gzread(file_, buffer, static_cast<unsigned>(std::min<size_t>(capacity, 1 << 30)));
    if (count < 0) {
      int code;
      Throw<IoError>("cannot decompress '{}': {}", path_, gzerror(file_, &code));
    }
    return static_cast<size_t>(count);
  }

 private:
  std::string path_;
  gzFile file_;
};

class ZstdStream final : public InputStream {
 public:
  explicit ZstdStream(const std::string& path)
      : path_(path), source_(path), input_(ZSTD_DStreamInSize()) {
    stream_ = ZSTD_createDStream();
    ZSTD_initDStream(stream_);
  }
  ~ZstdStream() override { ZSTD_freeDStream(stream_); }
  size_t Read(char* buffer, size_t capacity) override {
    ZSTD_outBuffer output{buffer, capacity, 0};
    while (output.pos == 0) {
      if (in_.pos == in_.size) {
        size_t count = source_.Read(input_.data(), input_.size());
        if (count == 0) {
          if (!frame_done_) Throw<IoError>("cannot decompress '{}': truncated zstd data", path_);
          return 0;
        }
        in_ = {input_.data(), count, 0};
      }
      size_t result = ZSTD_decompressStream(stream_, &output, &in_);
      if (ZSTD_isError(result)) {
        Throw<IoError>("cannot decompress '{}': {}", path_, ZSTD_getErrorName(result));
      }
      frame_done_ = result == 0;
    }
    return output.pos;
  }

 private:
  std::string path_;
  PlainStream source_;
  std::vector<char> input_;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  ZSTD_DStream* stream_;
  bool frame_done_ = true;
};

}  // namespace

Compression CompressionOf(std::string_view path) {
  if (EndsWith(path, ".gz") || EndsWith(path, ".gzip")) return Compression::kGzip;
  if (EndsWith(path, ".zst") || EndsWith(path, ".zstd")) return Compression::kZstd;
  return Compression::kNone;
}

std::string_view StripCompressionExtension(std::string_view path) {
  for (std::string_view suffix : {".gz", ".gzip", ".zst", ".zstd"}) {
    if (EndsWith(path, suffix)) return path.substr(0, path.size() - suffix.size());
  }
  return path;
}

std::unique_ptr<FileBytes> FileBytes::Open(const std::string& path) {
  if (CompressionOf(path) == Compression::kNone) return std::make_unique<MappedBytes>(path);
  auto stream = InputStream::Open(path);
  std::vector<char> bytes;
  size_t used = 0;
  while (true) {
    if (bytes.size() - used < (1 << 20)) bytes.resize(std::max<size_t>(bytes.size() * 2, 1 << 22));
    size_t count = stream->Read(bytes.data() + used, bytes.size() - used);
    if (count == 0) break;
    used += count;
  }
  bytes.resize(used);
  return std::make_unique<BufferBytes>(std::move(bytes));
}

std::unique_ptr<InputStream> InputStream::Open(const std::string& path) {
  switch (CompressionOf(path)) {
    case Compression::kNone:
      return std::make_unique<PlainStream>(path);
    case Compression::kGzip:
      return std::make_unique<GzipStream>(path);
    case Compression::kZstd:
      return std::make_unique<ZstdStream>(path);
  }
  throw InternalError("unknown compression");
}

}  // namespace sluice::io
