#pragma once

#include <cstdint>

#include "exec/window_operator.h"
#include "exec/window_rows.h"

namespace sluice::exec {

/// Returns true when `frame` is RANGE with an offset PRECEDING or FOLLOWING bound.
bool HasRangeOffset(const WindowFrame& frame);

/// Returns true when computing `frame` needs the peer groups of SortedRows.
bool FrameNeedsPeers(const WindowFrame& frame);

/// Computes the frame [starts[i], ends[i]) of every position i of the window partition
/// [begin, end) of `rows`; begin <= starts[i] <= ends[i] <= end, an empty frame has
/// starts[i] == ends[i]. `order_key` is the first ORDER BY key (null when there is none); a
/// RANGE offset needs it. REQUIRES: peers were found when FrameNeedsPeers(frame).
void ComputeFrames(const SortedRows& rows, uint32_t begin, uint32_t end, const WindowFrame& frame,
                   const SortKey* order_key, uint32_t* starts, uint32_t* ends);

}  // namespace sluice::exec
