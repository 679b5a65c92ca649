#!/usr/bin/env bash
# Measures what the catalog's column profiler adds to reading a file: for each file, the best of
# RUNS runs of reading every batch (io::OpenFile) against the best of RUNS runs of reading +
# catalog::ProfileReader, alternated, on all cores. The target is a ratio under 1.5.
# Files: db-benchmark's G1_1e7_1e2_0_0.csv (10M rows, 9 columns; made by ../shared/bench/gen-data.sh,
# see bench/db-benchmark.sh) and vega-datasets' flights-3m.parquet (3M rows, 5 columns).
# Prints a markdown table; with PROFILE=1 each file's profile (a few fields per column) too.
# Usage: bench/profile.sh [FILE...]   Env: RUNS (default 7), THREADS (default all cores),
#        BUILD (default build/release), BENCH_DATA (default ~/.cache/sluice-bench/data)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD:-build/release}"
DATA_DIR="${BENCH_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice-bench/data}"
bench="$ROOT/$BUILD/bench/profile_bench"
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=("$DATA_DIR/G1_1e7_1e2_0_0.csv" "$ROOT/node_modules/vega-datasets/data/flights-3m.parquet")
fi
for file in "${files[@]}"; do
  [ -s "$file" ] || { echo "missing $file (G1: ../shared/bench/gen-data.sh 1e7; flights: scripts/bootstrap)" >&2; exit 1; }
done
if [ ! -d "$ROOT/$BUILD" ]; then cmake --preset release -B "$ROOT/$BUILD" > /dev/null; fi
cmake --build "$ROOT/$BUILD" -j"${JOBS:-2}" --target profile_bench > /dev/null
args=(--runs "${RUNS:-7}")
[ -n "${THREADS:-}" ] && args+=(--threads "$THREADS")
[ "${PROFILE:-0}" = 1 ] && args+=(--profile)
"$bench" "${args[@]}" "${files[@]}"
