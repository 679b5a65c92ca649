#include "exec/operator.h"

namespace sluice::exec {

void PhysicalOperator::TrackMemory(int64_t bytes) const {
  if (tracker_ != nullptr) tracker_->Add(bytes, name());
  int64_t held = held_bytes_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  uint64_t peak = stats_.peak_bytes.load(std::memory_order_relaxed);
  while (held > 0 && static_cast<uint64_t>(held) > peak &&
         !stats_.peak_bytes.compare_exchange_weak(peak, held, std::memory_order_relaxed)) {
  }
}

}  // namespace sluice::exec
