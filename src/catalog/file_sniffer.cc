#include "catalog/file_sniffer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/strings.h"
#include "io/file.h"
#include "io/open_file.h"

namespace sluice::catalog {
namespace {

// Enough for the CSV check to see a few dozen records of a wide file.
constexpr size_t kHeadBytes = 64 << 10;
constexpr std::string_view kSqliteMagic{"SQLite format 3\0", 16};
constexpr std::string_view kParquetMagic = "PAR1";

/// Is the signature of a file format Sluice does not read.
struct Magic {
  std::string_view bytes;
  std::string_view what;
};

constexpr std::array<Magic, 9> kOtherFormats = {{{"\x89PNG", "PNG image"},
                                                 {"\xFF\xD8\xFF", "JPEG image"},
                                                 {"GIF8", "GIF image"},
                                                 {"%PDF", "PDF document"},
                                                 {"PK\x03\x04", "ZIP archive"},
                                                 {"ARROW1", "Arrow IPC file"},
                                                 {"\x1F\x8B", "gzip data"},
                                                 {"\x28\xB5\x2F\xFD", "zstd data"},
                                                 {"\x7F"
                                                  "ELF",
                                                  "executable"}}};

// Extensions of text that may hold JSON or CSV whatever it says; other text (.md, .py, .html)
// is not taken for data even when it happens to look like some.
constexpr std::array<std::string_view, 12> kTextDataExtensions = {
    "",      ".txt", ".json", ".jsonl",   ".ndjson", ".dat",
    ".data", ".tab", ".psv",  ".parquet", ".parq",   ".log"};

/// Returns the lower-case format extension of `path` (".csv"), or "" when it has none.
std::string LowerExtension(const std::string& path) {
  std::string name =
      std::filesystem::path(std::string(io::StripCompressionExtension(path))).filename().string();
  size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) return {};
  std::string extension = name.substr(dot);
  extension = AsciiLower(std::move(extension));
  return extension;
}

/// Is the start of a file's bytes (decompressed), and for a plain file its last four bytes.
struct Head {
  std::string bytes;
  std::string tail;
  int64_t size = 0;    // of the file on disk
  bool whole = false;  // `bytes` is the whole (decompressed) content
};

Head ReadCompressedHead(const std::string& path) {
  Head head;
  auto stream = io::InputStream::Open(path);
  head.bytes.resize(kHeadBytes);
  size_t filled = 0;
  while (filled < kHeadBytes) {
    size_t read = stream->Read(head.bytes.data() + filled, kHeadBytes - filled);
    if (read == 0) break;
    filled += read;
  }
  head.bytes.resize(filled);
  head.whole = filled < kHeadBytes;
  head.size = static_cast<int64_t>(std::filesystem::file_size(path));
  return head;
}

/// Reads the head of `path`; throws IoError with the system's reason.
Head ReadHead(const std::string& path) {
  if (io::CompressionOf(path) != io::Compression::kNone) return ReadCompressedHead(path);
  int descriptor = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) Throw<IoError>("cannot read: {}", std::strerror(errno));
  Head head;
  struct stat status;
  bool ok = fstat(descriptor, &status) == 0;
  if (ok) {
    head.size = status.st_size;
    head.bytes.resize(std::min<size_t>(status.st_size, kHeadBytes));
    ok = pread(descriptor, head.bytes.data(), head.bytes.size(), 0) ==
         static_cast<ssize_t>(head.bytes.size());
  }
  if (ok && head.size >= 4) {
    head.tail.resize(4);
    ok = pread(descriptor, head.tail.data(), 4, head.size - 4) == 4;
  }
  int error = errno;
  close(descriptor);
  if (!ok) Throw<IoError>("cannot read: {}", std::strerror(error));
  head.whole = head.size <= static_cast<int64_t>(kHeadBytes);
  return head;
}

bool LooksBinary(std::string_view bytes) {
  size_t controls = 0;
  for (char c : bytes) {
    if (c == '\0') return true;
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') ++controls;
  }
  return controls * 100 > bytes.size();
}

/// Returns the first character of `text` that is not white space or a byte-order mark.
char FirstSignificant(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  size_t start = text.find_first_not_of(" \t\r\n");
  return start == std::string_view::npos ? '\0' : text[start];
}

/// Returns whether at least two records of `text` have the same, non-zero number of one of
/// the delimiters , \t ; | outside double quotes. Blank lines do not count; neither does a
/// last record cut off by the end of `text` unless `whole`.
bool HasConsistentDelimiter(std::string_view text, bool whole) {
  constexpr std::array<char, 4> kDelimiters = {',', '\t', ';', '|'};
  std::vector<std::array<size_t, 4>> records;
  std::array<size_t, 4> counts{};
  bool quoted = false;
  bool blank = true;
  for (char c : text) {
    if (c == '"') {
      quoted = !quoted;
      blank = false;
    } else if (quoted || c == '\r' || c == ' ') {
      continue;
    } else if (c == '\n') {
      if (!blank) records.push_back(counts);
      counts = {};
      blank = true;
    } else {
      blank = false;
      for (size_t k = 0; k < kDelimiters.size(); ++k) counts[k] += c == kDelimiters[k];
    }
  }
  if (whole && !blank) records.push_back(counts);
  if (records.size() < 2) return false;
  for (size_t k = 0; k < kDelimiters.size(); ++k) {
    size_t first = records[0][k];
    if (first > 0 && std::all_of(records.begin(), records.end(),
                                 [&](const auto& record) { return record[k] == first; })) {
      return true;
    }
  }
  return false;
}

SniffedFile Skip(std::string reason) { return {"", std::move(reason)}; }

SniffedFile ClassifyText(std::string_view bytes, bool whole, const std::string& extension) {
  if (extension == ".csv" || extension == ".tsv") return {"csv", ""};
  char first = FirstSignificant(bytes);
  if (std::find(kTextDataExtensions.begin(), kTextDataExtensions.end(), extension) ==
      kTextDataExtensions.end()) {
    return Skip(fmt::format("unsupported file type '{}'", extension));
  }
  if (first == '{' || first == '[') return {"json", ""};
  if (HasConsistentDelimiter(bytes, whole)) return {"csv", ""};
  if (first == '\0') return Skip("blank text file");
  if (extension == ".json" || extension == ".jsonl" || extension == ".ndjson") {
    return Skip(fmt::format("not JSON: starts with '{}', not '{{' or '['", first));
  }
  return Skip("text without a consistent delimiter, so not CSV");
}

}  // namespace

SniffedFile SniffFile(const std::string& path) {
  std::string extension = LowerExtension(path);
  bool compressed = io::CompressionOf(path) != io::Compression::kNone;
  if (compressed && !io::FormatOfPath("x" + extension)) {
    return Skip(fmt::format("compressed file of unsupported type '{}'", extension));
  }
  Head head;
  try {
    head = ReadHead(path);
  } catch (const Error& error) {
    return Skip(error.what());
  }
  std::string_view bytes = head.bytes;
  if (bytes.empty()) return Skip("empty file");
  if (bytes.starts_with(kSqliteMagic)) return {"sqlite", ""};
  if (bytes.starts_with(kParquetMagic)) {
    if (compressed || (head.size >= 12 && head.tail == kParquetMagic)) return {"parquet", ""};
    return Skip("starts like Parquet but has no footer: incomplete or corrupt");
  }
  for (const Magic& magic : kOtherFormats) {
    if (bytes.starts_with(magic.bytes)) {
      return Skip(fmt::format("{}: not a format Sluice reads", magic.what));
    }
  }
  if (LooksBinary(bytes)) return Skip("binary file of unknown format");
  return ClassifyText(bytes, head.whole, extension);
}

}  // namespace sluice::catalog
