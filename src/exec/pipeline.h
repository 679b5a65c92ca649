#pragma once

#include <memory>
#include <vector>

#include "exec/operator.h"

namespace sluice::exec {

/// Is source → transforms → sink, run by every worker thread over the source's morsels.
struct Pipeline {
  std::unique_ptr<SourceOperator> source;
  std::vector<std::unique_ptr<TransformOperator>> transforms;
  std::unique_ptr<SinkOperator> sink;
};

/// Runs `pipeline` on ThreadCount() workers and finalizes its sink. The first error a worker
/// throws stops the others and is rethrown.
void RunPipeline(Pipeline& pipeline);

}  // namespace sluice::exec
