#include "exec/pipeline.h"

#include <atomic>
#include <chrono>

#include "base/task.h"

namespace sluice::exec {
namespace {

uint64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Runs one worker: pulls morsels until the source ends, the sink is done or another failed.
void RunWorker(Pipeline& pipeline, const std::atomic<bool>& failed) {
  auto source_state = pipeline.source->MakeLocalState();
  std::vector<std::unique_ptr<LocalState>> transform_states;
  for (const auto& transform : pipeline.transforms) {
    transform_states.push_back(transform->MakeLocalState());
  }
  auto sink_state = pipeline.sink->MakeLocalState();
  while (!failed.load(std::memory_order_relaxed) && !pipeline.sink->Done()) {
    uint64_t start = NowNanos();
    auto morsel = pipeline.source->Next(source_state.get());
    if (!morsel) break;
    OperatorStats& source_stats = pipeline.source->stats();
    source_stats.rows_out += morsel->batch.num_rows();
    source_stats.batches += 1;
    source_stats.nanos += NowNanos() - start;
    for (size_t t = 0; t < pipeline.transforms.size() && morsel->batch.num_rows() > 0; ++t) {
      start = NowNanos();
      OperatorStats& stats = pipeline.transforms[t]->stats();
      stats.rows_in += morsel->batch.num_rows();
      morsel->batch =
          pipeline.transforms[t]->Execute(std::move(morsel->batch), transform_states[t].get());
      stats.rows_out += morsel->batch.num_rows();
      stats.batches += 1;
      stats.nanos += NowNanos() - start;
    }
    start = NowNanos();
    pipeline.sink->stats().rows_in += morsel->batch.num_rows();
    pipeline.sink->Consume(std::move(*morsel), *sink_state);
    pipeline.sink->stats().nanos += NowNanos() - start;
  }
  uint64_t start = NowNanos();
  pipeline.sink->Combine(*sink_state);
  pipeline.sink->stats().nanos += NowNanos() - start;
}

}  // namespace

void RunPipeline(Pipeline& pipeline) {
  std::atomic<bool> failed = false;
  size_t workers = std::max<size_t>(ThreadCount(), 1);
  TaskGroup group;
  for (size_t w = 0; w < workers; ++w) {
    group.Run([&] {
      try {
        RunWorker(pipeline, failed);
      } catch (...) {
        failed = true;
        throw;
      }
    });
  }
  group.Wait();
  uint64_t start = NowNanos();
  pipeline.sink->Finalize();
  pipeline.sink->stats().nanos += NowNanos() - start;
}

}  // namespace sluice::exec
