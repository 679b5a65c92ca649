#include "core/string_heap.h"

#include <algorithm>
#include <cstring>

namespace sluice::core {

StringRef StringHeap::Add(std::string_view text) {
  if (text.size() <= StringRef::kInlineSize) return StringRef(text);
  char* bytes = Allocate(text.size());
  std::memcpy(bytes, text.data(), text.size());
  return StringRef(bytes, static_cast<uint32_t>(text.size()));
}

char* StringHeap::Allocate(size_t size) {
  if (size > remaining_) {
    size_t chunk = std::max(kChunkSize, size);
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(chunk));
    cursor_ = chunks_.back().get();
    remaining_ = chunk;
  }
  char* bytes = cursor_;
  cursor_ += size;
  remaining_ -= size;
  allocated_bytes_ += size;
  return bytes;
}

void StringHeap::KeepAlive(std::shared_ptr<const StringHeap> other) {
  if (other.get() == this || other == nullptr) return;
  if (std::find(kept_alive_.begin(), kept_alive_.end(), other) != kept_alive_.end()) return;
  kept_alive_.push_back(std::move(other));
}

}  // namespace sluice::core
