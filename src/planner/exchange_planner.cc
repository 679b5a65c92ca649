// Places the operators that split a plan across ranks (design, section 7). A builder's rows are
// either held whole by every rank (replicated) or split into disjoint shares (partitioned):
// table scans split, and every operator that must see rows together gets an exchange first.

#include "exec/exchange.h"
#include "planner/plan_builder.h"

namespace sluice::planner {

void QueryPlanner::SplitScan(Builder& builder) {
  if (!Distributed()) return;
  builder.open.source =
      std::make_unique<exec::RankSplitScan>(std::move(builder.open.source), *ranks_);
  builder.partitioned = true;
}

void QueryPlanner::GatherRows(Builder& builder, bool to_all) {
  if (!Distributed() || !builder.partitioned) return;
  builder.Break(std::make_unique<exec::GatherExchange>(builder.OutputSchema(), *ranks_, to_all),
                "exchanged");
  // Gathered to rank 0, the rows are still a share per rank: rank 0's is all, the others none.
  builder.partitioned = !to_all;
}

void QueryPlanner::RepartitionRows(Builder& builder, std::vector<size_t> keys,
                                   bool share_replicated) {
  if (!Distributed()) return;
  if (keys.empty()) return GatherRows(builder, false);
  if (!builder.partitioned && !share_replicated) return;  // every rank works on all rows
  bool replicated = !builder.partitioned;
  builder.Break(std::make_unique<exec::RepartitionExchange>(builder.OutputSchema(), *ranks_,
                                                            std::move(keys), replicated),
                "exchanged");
  builder.partitioned = true;
}

void QueryPlanner::SpreadRows(Builder& builder) {
  if (!builder.partitioned) KeepFirstRank(builder);
}

void QueryPlanner::KeepFirstRank(Builder& builder) {
  if (!Distributed()) return;
  builder.open.transforms.push_back(
      std::make_unique<exec::FirstRankFilter>(builder.OutputSchema(), *ranks_));
  builder.partitioned = true;
}

// Chooses how the rows of a join's two sides meet. A build side every rank holds joins each
// probe share as is, unless the join also returns unmatched build rows (RIGHT, FULL): those
// would come once per rank. Otherwise both sides are repartitioned by their keys, or, when
// that sends more bytes, the build side is broadcast.
void QueryPlanner::DistributeJoin(Builder& probe, Builder& build,
                                  const std::vector<size_t>& probe_keys,
                                  const std::vector<size_t>& build_keys, double probe_rows,
                                  bool keeps_build_rows) {
  if (!Distributed() || (!probe.partitioned && !build.partitioned)) return;
  if (probe_keys.empty()) {  // every probe row meets every build row
    GatherRows(build, true);
    if (keeps_build_rows) GatherRows(probe, true);
    return;
  }
  if (!build.partitioned && !keeps_build_rows) return;
  double ranks = ranks_->size();
  bool broadcast = !keeps_build_rows && probe.partitioned && build.estimated_rows >= 0 &&
                   probe_rows >= 0 && build.estimated_rows * (ranks - 1) < probe_rows;
  if (broadcast) return GatherRows(build, true);
  RepartitionRows(probe, probe_keys, true);
  RepartitionRows(build, build_keys, true);
}

}  // namespace sluice::planner
