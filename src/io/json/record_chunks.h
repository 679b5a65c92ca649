#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "io/json/record_parser.h"
#include "io/json/record_scanner.h"

namespace sluice::io {

/// Is a run of records [begin, end) of a window: the unit of parallel work, one batch.
struct RecordChunk {
  size_t begin;
  size_t end;
};

/// Is the records a window of input holds at most, whatever its byte size.
inline constexpr size_t kMaxWindowRecords = size_t{1} << 20;

/// Is the text a chunk holds at most, unless one record is longer.
inline constexpr size_t kMaxChunkBytes = size_t{1} << 20;

/// Returns the input bytes a window covers per `options` (32 MiB unless set).
size_t WindowBytes(const JsonOptions& options);

/// Splits `spans` into chunks of at most kVectorSize records and about 1 MiB of text.
std::vector<RecordChunk> SplitIntoChunks(std::span<const RecordSpan> spans);

/// Runs `body` so that the parallel work it starts uses at most `threads` threads (0: all).
void WithThreads(size_t threads, const std::function<void()>& body);

/// Runs `body(i)` for i in [0, count) in parallel on at most `threads` threads (0: all).
void ForEachChunk(size_t count, size_t threads, const std::function<void(size_t)>& body);

/// Returns the calling thread's parser.
RecordParser& ThreadRecordParser();

/// Throws DataError "name:line:column: message (record N)hint" for the record at `span`.
[[noreturn]] void ThrowRecordError(std::string_view name, std::string_view input,
                                   const RecordSpan& span, size_t record_number,
                                   std::string_view message, std::string_view hint = {});

}  // namespace sluice::io
