#include "exec/pipeline.h"

#include <atomic>
#include <chrono>
#include <optional>

#include "base/task.h"

namespace sluice::exec {
namespace {

uint64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Is one worker: pulls morsels until the source ends, the sink is done or another worker
// failed, pushing each through the transforms into the sink. A transform's output pieces go
// depth first, so the pieces of one source morsel reach the sink in order.
class Worker {
 public:
  Worker(Pipeline& pipeline, const std::atomic<bool>& failed)
      : pipeline_(pipeline), failed_(failed) {
    source_state_ = pipeline.source->MakeLocalState();
    for (const auto& transform : pipeline.transforms) {
      transform_states_.push_back(transform->MakeLocalState());
    }
    sink_state_ = pipeline.sink->MakeLocalState();
  }

  void Run() {
    while (!Stopped()) {
      uint64_t start = NowNanos();
      auto morsel = pipeline_.source->Next(source_state_.get());
      if (!morsel) break;
      OperatorStats& source_stats = pipeline_.source->stats();
      source_stats.rows_out += morsel->batch.num_rows();
      source_stats.batches += 1;
      source_stats.nanos += NowNanos() - start;
      sequence_ = morsel->sequence;
      next_piece_ = 0;
      Push(0, std::move(morsel->batch));
      if (held_ && !Stopped()) Consume(true);
      held_.reset();
    }
    uint64_t start = NowNanos();
    pipeline_.sink->Combine(*sink_state_);
    pipeline_.sink->stats().nanos += NowNanos() - start;
  }

 private:
  bool Stopped() const { return failed_.load(std::memory_order_relaxed) || pipeline_.sink->Done(); }

  // Pushes `batch` through transforms t, t + 1, ... towards the sink.
  void Push(size_t t, core::Batch batch) {
    if (t == pipeline_.transforms.size() || batch.num_rows() == 0) {
      Deliver(std::move(batch));
      return;
    }
    const TransformOperator& transform = *pipeline_.transforms[t];
    LocalState* state = transform_states_[t].get();
    OperatorStats& stats = transform.stats();
    stats.rows_in += batch.num_rows();
    uint64_t start = NowNanos();
    std::optional<core::Batch> piece = transform.Execute(std::move(batch), state);
    while (piece) {
      stats.nanos += NowNanos() - start;
      stats.rows_out += piece->num_rows();
      stats.batches += 1;
      Push(t + 1, std::move(*piece));
      if (Stopped()) return;
      start = NowNanos();
      piece = transform.ExecuteMore(state);
    }
    stats.nanos += NowNanos() - start;
  }

  // Hands a piece to the sink, holding the newest back so the last can be marked so.
  void Deliver(core::Batch batch) {
    if (held_) Consume(false);
    held_ = Morsel{std::move(batch), sequence_, next_piece_++};
  }

  void Consume(bool last_piece) {
    uint64_t start = NowNanos();
    held_->last_piece = last_piece;
    pipeline_.sink->stats().rows_in += held_->batch.num_rows();
    pipeline_.sink->Consume(std::move(*held_), *sink_state_);
    held_.reset();
    pipeline_.sink->stats().nanos += NowNanos() - start;
  }

  Pipeline& pipeline_;
  const std::atomic<bool>& failed_;
  std::unique_ptr<LocalState> source_state_;
  std::vector<std::unique_ptr<LocalState>> transform_states_;
  std::unique_ptr<LocalState> sink_state_;
  uint64_t sequence_ = 0;
  uint32_t next_piece_ = 0;
  std::optional<Morsel> held_;
};

}  // namespace

void RunPipeline(Pipeline& pipeline) {
  std::atomic<bool> failed = false;
  size_t workers = std::max<size_t>(ThreadCount(), 1);
  TaskGroup group;
  for (size_t w = 0; w < workers; ++w) {
    group.Run([&] {
      try {
        Worker(pipeline, failed).Run();
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
