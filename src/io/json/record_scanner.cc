#include "io/json/record_scanner.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "base/error.h"

namespace sluice::io {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// Classes of the bytes an element scan stops at outside strings; everything else is kPlain.
enum ByteClass : uint8_t { kPlain, kQuote, kOpen, kClose, kComma };

constexpr std::array<uint8_t, 256> MakeByteClasses() {
  std::array<uint8_t, 256> classes{};
  classes['"'] = kQuote;
  classes['{'] = kOpen;
  classes['['] = kOpen;
  classes['}'] = kClose;
  classes[']'] = kClose;
  classes[','] = kComma;
  return classes;
}

constexpr std::array<uint8_t, 256> kByteClasses = MakeByteClasses();

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t SkipBom(std::string_view input) {
  return input.substr(0, kByteOrderMark.size()) == kByteOrderMark ? kByteOrderMark.size() : 0;
}

// Returns the index just past the quote closing the string whose body starts at `i`.
size_t SkipString(std::string_view input, size_t i) {
  const char* data = input.data();
  // Most strings are short keys: a plain loop beats memchr's call overhead.
  for (size_t end = std::min(input.size(), i + 32); i < end; ++i) {
    if (data[i] == '"') return i + 1;
    if (data[i] == '\\') break;
  }
  while (i < input.size()) {
    const void* found = std::memchr(data + i, '"', input.size() - i);
    if (found == nullptr) return input.size();
    size_t quote = static_cast<const char*>(found) - data;
    size_t backslashes = 0;
    while (data[quote - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return quote + 1;
    i = quote + 1;
  }
  return input.size();
}

}  // namespace

JsonFormat DetectJsonFormat(std::string_view input) {
  size_t i = SkipBom(input);
  while (i < input.size() && IsSpace(input[i])) ++i;
  return i < input.size() && input[i] == '[' ? JsonFormat::kArray : JsonFormat::kLines;
}

std::string LocateOffset(std::string_view name, std::string_view input, uint64_t offset) {
  offset = std::min<uint64_t>(offset, input.size());
  std::string_view before = input.substr(0, offset);
  size_t line = 1 + std::count(before.begin(), before.end(), '\n');
  size_t line_start = before.rfind('\n');
  size_t column = line_start == std::string_view::npos ? offset + 1 : offset - line_start;
  return fmt::format("{}:{}:{}", name, line, column);
}

RecordScanner::RecordScanner(std::string_view input, JsonFormat format, std::string name)
    : input_(input), format_(format), name_(std::move(name)), position_(SkipBom(input)) {
  SLUICE_CHECK(format != JsonFormat::kAuto);
}

bool RecordScanner::Next(size_t max_bytes, size_t max_records, std::vector<RecordSpan>& spans) {
  if (format_ == JsonFormat::kArray && !opened_) OpenArray();
  size_t start = position_;
  size_t count = 0;
  RecordSpan span;
  while (count < max_records && (count == 0 || position_ - start < max_bytes)) {
    bool found = format_ == JsonFormat::kLines ? NextLine(span) : NextElement(span);
    if (!found) break;
    spans.push_back(span);
    ++count;
  }
  return count > 0;
}

bool RecordScanner::NextLine(RecordSpan& span) {
  while (position_ < input_.size()) {
    size_t begin = position_;
    const void* newline = std::memchr(input_.data() + begin, '\n', input_.size() - begin);
    size_t end =
        newline == nullptr ? input_.size() : static_cast<const char*>(newline) - input_.data();
    position_ = end + 1;
    while (begin < end && IsSpace(input_[begin])) ++begin;
    while (end > begin && IsSpace(input_[end - 1])) --end;
    if (begin == end) continue;
    // A document spread over several lines (pretty-printed) ends where its braces close.
    bool opens = input_[begin] == '{' || input_[begin] == '[';
    bool closes = input_[end - 1] == '}' || input_[end - 1] == ']';
    if (opens && !closes) {
      end = ScanValueEnd(begin);
      position_ = end;
    }
    span = {begin, end - begin};
    return true;
  }
  position_ = input_.size();
  return false;
}

void RecordScanner::OpenArray() {
  opened_ = true;
  SkipSpace();
  if (position_ == input_.size()) {
    done_ = true;  // An empty input holds no records, whatever the format.
    return;
  }
  if (input_[position_] != '[') Fail(position_, "expected '[' to start a JSON array");
  ++position_;
  SkipSpace();
  if (position_ < input_.size() && input_[position_] == ']') CloseArray(position_);
}

bool RecordScanner::NextElement(RecordSpan& span) {
  if (done_) return false;
  SkipSpace();
  size_t start = position_;
  if (start == input_.size()) Fail(start, "unexpected end of input: the JSON array is not closed");
  size_t end = ScanElementEnd(start);
  if (end == input_.size()) {
    Fail(start, "unexpected end of input: the record starting here or the array is not closed");
  }
  size_t trimmed = end;
  while (trimmed > start && IsSpace(input_[trimmed - 1])) --trimmed;
  if (trimmed == start) Fail(start, "expected a JSON value in the array");
  span = {start, trimmed - start};
  if (input_[end] != ',') {
    CloseArray(end);
    return true;
  }
  position_ = end + 1;
  SkipSpace();
  if (position_ < input_.size() && input_[position_] == ']') {
    Fail(position_, "expected a JSON value after ','");
  }
  return true;
}

size_t RecordScanner::ScanElementEnd(size_t start) const {
  const char* data = input_.data();
  size_t size = input_.size();
  size_t depth = 0;
  size_t i = start;
  while (i < size) {
    uint8_t byte_class = kByteClasses[static_cast<uint8_t>(data[i])];
    if (byte_class == kPlain) {
      ++i;
    } else if (byte_class == kQuote) {
      i = SkipString(input_, i + 1);
    } else if (byte_class == kOpen) {
      ++depth;
      ++i;
    } else if (depth == 0) {
      return i;  // A ',' or a closer of the top array ends the element.
    } else {
      if (byte_class == kClose) --depth;
      ++i;
    }
  }
  return size;
}

size_t RecordScanner::ScanValueEnd(size_t start) const {
  const char* data = input_.data();
  size_t size = input_.size();
  size_t depth = 0;
  size_t i = start;
  while (i < size) {
    uint8_t byte_class = kByteClasses[static_cast<uint8_t>(data[i])];
    if (byte_class == kQuote) {
      i = SkipString(input_, i + 1);
      continue;
    }
    ++i;
    if (byte_class == kOpen) ++depth;
    if (byte_class == kClose && --depth == 0) return i;
  }
  return size;
}

void RecordScanner::CloseArray(size_t closer) {
  if (input_[closer] != ']') Fail(closer, "unexpected character in the JSON array");
  position_ = closer + 1;
  SkipSpace();
  if (position_ < input_.size()) Fail(position_, "trailing characters after the JSON array");
  done_ = true;
}

void RecordScanner::SkipSpace() {
  while (position_ < input_.size() && IsSpace(input_[position_])) ++position_;
}

void RecordScanner::Fail(uint64_t offset, std::string_view message) const {
  Throw<DataError>("{}: {}", LocateOffset(name_, input_, offset), message);
}

}  // namespace sluice::io
