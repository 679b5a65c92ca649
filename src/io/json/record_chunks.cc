#include "io/json/record_chunks.h"

#include <tbb/task_arena.h>

#include "base/error.h"
#include "base/task.h"
#include "core/types.h"

namespace sluice::io {
namespace {

constexpr size_t kDefaultWindowBytes = size_t{32} << 20;

}  // namespace

size_t WindowBytes(const JsonOptions& options) {
  return options.window_bytes > 0 ? options.window_bytes : kDefaultWindowBytes;
}

std::vector<RecordChunk> SplitIntoChunks(std::span<const RecordSpan> spans) {
  std::vector<RecordChunk> chunks;
  size_t begin = 0;
  while (begin < spans.size()) {
    size_t end = begin;
    size_t bytes = 0;
    while (end < spans.size() && end - begin < core::kVectorSize &&
           (end == begin || bytes + spans[end].size <= kMaxChunkBytes)) {
      bytes += spans[end].size;
      ++end;
    }
    chunks.push_back({begin, end});
    begin = end;
  }
  return chunks;
}

void WithThreads(size_t threads, const std::function<void()>& body) {
  if (threads == 0) {
    body();
    return;
  }
  tbb::task_arena arena(static_cast<int>(threads));
  arena.execute(body);
}

void ForEachChunk(size_t count, size_t threads, const std::function<void(size_t)>& body) {
  if (count == 1) {
    body(0);
  } else {
    WithThreads(threads, [&] { ParallelFor(count, body); });
  }
}

RecordParser& ThreadRecordParser() {
  thread_local RecordParser parser;
  return parser;
}

void ThrowRecordError(std::string_view name, std::string_view input, const RecordSpan& span,
                      size_t record_number, std::string_view message, std::string_view hint) {
  Throw<DataError>("{}: {} (record {}){}", LocateOffset(name, input, span.offset), message,
                   record_number, hint);
}

}  // namespace sluice::io
