#include "io/csv/csv_tokenizer.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>

#include "base/error.h"
#include "core/types.h"

namespace sluice::io::csv {
namespace {

constexpr size_t kBlock = 64;

#if defined(__SSE2__)
// Returns a bit per byte of the 64 bytes at `bytes` that equals one of the four characters.
uint64_t MatchBlock(const char* bytes, char a, char b, char c, char d) {
  __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c),
          vd = _mm_set1_epi8(d);
  uint64_t mask = 0;
  for (int lane = 0; lane < 4; ++lane) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + lane * 16));
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)),
                               _mm_or_si128(_mm_cmpeq_epi8(v, vc), _mm_cmpeq_epi8(v, vd)));
    mask |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(hit))) << (lane * 16);
  }
  return mask;
}
#else
uint64_t MatchBlock(const char* bytes, char a, char b, char c, char d) {
  uint64_t mask = 0;
  for (size_t i = 0; i < kBlock; ++i) {
    char x = bytes[i];
    if (x == a || x == b || x == c || x == d) mask |= uint64_t{1} << i;
  }
  return mask;
}
#endif

}  // namespace

void FieldTable::Reset(std::string_view buffer, size_t num_columns) {
  buffer_ = buffer;
  num_columns_ = num_columns;
  num_rows_ = 0;
  bounds_.resize(core::kVectorSize * num_columns * 2);
  row_starts_.resize(core::kVectorSize);
}

// The tokenizer's position inside the current record.
struct CsvTokenizer::State {
  size_t row_start;
  size_t field_start;
  size_t field_index = 0;
  bool in_quote = false;
  size_t quote_open = 0;
};

CsvTokenizer::CsvTokenizer(std::string_view buffer, const CsvDialect& dialect, size_t num_columns)
    : buffer_(buffer), dialect_(dialect), num_columns_(num_columns) {}

uint64_t CsvTokenizer::LoadMask(size_t position, size_t end) const {
  const char* bytes = buffer_.data() + position;
  char padded[kBlock];
  if (position + kBlock > buffer_.size()) {
    size_t available = buffer_.size() - position;
    std::memcpy(padded, bytes, available);
    std::memset(padded + available, 0, kBlock - available);
    bytes = padded;
  }
  uint64_t mask = MatchBlock(bytes, dialect_.delimiter, '\n', dialect_.quote, dialect_.escape);
  size_t valid = end - position;
  return valid >= kBlock ? mask : mask & ((uint64_t{1} << valid) - 1);
}

size_t CsvTokenizer::SkipComments(size_t position, size_t end) const {
  if (!dialect_.comment) return position;
  while (position < end && buffer_[position] == *dialect_.comment) {
    const void* newline = std::memchr(buffer_.data() + position, '\n', end - position);
    if (newline == nullptr) return end;
    position = static_cast<const char*>(newline) - buffer_.data() + 1;
  }
  return position;
}

// Ends the record whose line break is at `newline`; returns true when a row was added.
bool CsvTokenizer::EndRow(State* state, size_t newline, FieldTable* table,
                          std::vector<RowIssue>* issues) const {
  size_t field_end = newline;
  if (field_end > state->field_start && buffer_[field_end - 1] == '\r') --field_end;
  size_t fields = state->field_index + 1;
  size_t row_start = state->row_start;
  state->field_index = 0;
  if (fields == 1 && field_end == row_start) return false;  // a blank line
  if (fields != num_columns_) {
    issues->push_back(
        {row_start, fmt::format("expected {} fields, found {}", num_columns_, fields)});
    return false;
  }
  uint64_t base = table->base_;
  size_t row = table->num_rows_++;
  uint32_t* bounds = &table->bounds_[(row * num_columns_ + fields - 1) * 2];
  bounds[0] = static_cast<uint32_t>(state->field_start - base);
  bounds[1] = static_cast<uint32_t>(field_end - base);
  table->row_starts_[row] = static_cast<uint32_t>(row_start - base);
  return true;
}

void CsvTokenizer::Fill(size_t* position, size_t end, FieldTable* table,
                        std::vector<RowIssue>* issues) {
  size_t start = SkipComments(*position, end);
  table->num_rows_ = 0;
  table->base_ = start;
  // Offsets are 32-bit: a longer span is split, its last partial record left to the next call.
  const size_t limit = end - start > UINT32_MAX ? start + UINT32_MAX : end;
  State state{start, start};
  const char delimiter = dialect_.delimiter, quote = dialect_.quote, escape = dialect_.escape;
  const bool has_escape = escape != quote;
  const size_t columns = num_columns_;
  size_t block = start;
  while (block < limit) {
    uint64_t mask = LoadMask(block, limit);
    size_t next_block = block + kBlock;
    while (mask != 0) {
      size_t at = block + static_cast<size_t>(__builtin_ctzll(mask));
      mask &= mask - 1;
      char c = buffer_[at];
      if (c == quote) {
        if (!state.in_quote) state.quote_open = at;
        state.in_quote = !state.in_quote;
      } else if (state.in_quote) {
        if (has_escape && c == escape) {
          next_block = at + 2;  // the escaped byte is data, whatever it is
          break;
        }
      } else if (c == delimiter) {
        if (state.field_index + 1 < columns) {
          uint32_t* bounds = &table->bounds_[(table->num_rows_ * columns + state.field_index) * 2];
          bounds[0] = static_cast<uint32_t>(state.field_start - table->base_);
          bounds[1] = static_cast<uint32_t>(at - table->base_);
        }
        ++state.field_index;
        state.field_start = at + 1;
      } else if (c == '\n') {
        EndRow(&state, at, table, issues);
        size_t next = SkipComments(at + 1, limit);
        state.row_start = state.field_start = next;
        if (table->num_rows_ == core::kVectorSize) {
          *position = next;
          return;
        }
        if (next != at + 1) {
          next_block = next;
          break;
        }
      }
    }
    block = next_block;
  }
  if (limit < end) {
    if (table->num_rows_ == 0 && state.row_start == start) {
      Throw<DataError>("a record is longer than 4 GiB at byte {}", start);
    }
    *position = state.row_start;
    return;
  }
  *position = end;
  if (state.in_quote) {
    issues->push_back({state.quote_open, "unterminated quote"});
  } else if (state.row_start < end) {
    EndRow(&state, end, table, issues);
  }
}

size_t CountQuotes(std::string_view buffer, size_t begin, size_t end, char quote) {
  size_t count = 0;
  const char* at = buffer.data() + begin;
  const char* stop = buffer.data() + end;
  while (at < stop) {
    const void* hit = std::memchr(at, quote, static_cast<size_t>(stop - at));
    if (hit == nullptr) break;
    ++count;
    at = static_cast<const char*>(hit) + 1;
  }
  return count;
}

size_t FindRecordStart(std::string_view buffer, size_t position, bool in_quote, char quote) {
  if (position == 0 || position >= buffer.size()) return std::min(position, buffer.size());
  if (!in_quote && buffer[position - 1] == '\n') return position;
  for (size_t at = position; at < buffer.size(); ++at) {
    char c = buffer[at];
    if (c == quote) {
      in_quote = !in_quote;
    } else if (c == '\n' && !in_quote) {
      return at + 1;
    }
  }
  return buffer.size();
}

size_t WalkToRecordStart(std::string_view buffer, size_t from, size_t target,
                         const CsvDialect& dialect) {
  bool in_quote = false;
  bool at_record_start = true;
  for (size_t at = from; at < buffer.size(); ++at) {
    if (at_record_start && at >= target) return at;
    char c = buffer[at];
    if (at_record_start && dialect.comment && c == *dialect.comment) {
      const void* newline = std::memchr(buffer.data() + at, '\n', buffer.size() - at);
      if (newline == nullptr) return buffer.size();
      at = static_cast<const char*>(newline) - buffer.data();
      continue;  // at_record_start stays true after the comment's line break
    }
    at_record_start = false;
    if (in_quote && c == dialect.escape && dialect.escape != dialect.quote) {
      ++at;
    } else if (c == dialect.quote) {
      in_quote = !in_quote;
    } else if (c == '\n' && !in_quote) {
      at_record_start = true;
    }
  }
  return buffer.size();
}

}  // namespace sluice::io::csv
