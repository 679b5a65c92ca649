#!/usr/bin/env bash
# Measures what the catalog's column profiler adds to reading a file: for each file, the best of
# RUNS runs of reading every batch (io::OpenFile) against the best of RUNS runs of reading +
# catalog::ProfileReader, alternated, on all cores. The target is a ratio under 1.5.
# Files: db-benchmark's G1_1e7_1e2_0_0.csv (10M rows, 9 columns; made by ../shared/bench/gen-data.sh,
# see bench/db-benchmark.sh) and vega-datasets' flights-3m.parquet (3M rows, 5 columns).
# Beside it, DuckDB (npm @duckdb/node-api) summarizing the same file: SUMMARIZE, its nearest
# equivalent. Prints markdown tables; with PROFILE=1 each file's profile (a few fields per column) too.
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
output=$("$bench" "${args[@]}" "${files[@]}")
echo "$output"

# The peer, in the same run: DuckDB's SUMMARIZE (min, max, approximate distinct count, mean,
# stddev, quartiles, null share per column), best of RUNS.
echo
echo "| file | sluice read + profile s | duckdb SUMMARIZE s | duckdb / sluice time |"
echo "|---|---:|---:|---:|"
for file in "${files[@]}"; do
  ours=$(echo "$output" | awk -F'|' -v name="$(basename "$file")" \
    '{gsub(/ /, "", $2)} $2 == name {gsub(/ /, "", $6); print $6}')
  theirs=$(node "$ROOT/bench/peers/duckdb-parquet-read.cjs" "${RUNS:-7}" \
    "SUMMARIZE SELECT * FROM '$file'" | cut -f1)
  echo "| $(basename "$file") | $ours | $theirs | $(awk -v a="$theirs" -v b="$ours" 'BEGIN {printf "%.2f", a / b}') |"
done
