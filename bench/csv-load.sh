#!/usr/bin/env bash
# Compares CSV load speed (fully typed, into memory) of Sluice with the DuckDB and Polars
# load-only peers of the shared harness, in one run, and prints a markdown table.
# Usage: bench/csv-load.sh [DATA]   DATA defaults to G1_1e7_1e2_0_0 (run ../shared/bench/gen-data.sh)
# Env: BENCH_DATA, RUNS (best of, default 3), PEERS (default "duckdb polars"), BUILD (build/release)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HARNESS="$ROOT/../shared/bench"
DATA_DIR="${BENCH_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice-bench/data}"
data="${1:-G1_1e7_1e2_0_0}"
csv="$DATA_DIR/$data.csv"
runs="${RUNS:-3}"
bench="$ROOT/${BUILD:-build/release}/bench/csv_load_bench"
[ -s "$csv" ] || { echo "missing $csv: run ../shared/bench/gen-data.sh" >&2; exit 1; }
[ -x "$bench" ] || { echo "missing $bench: cmake --build --preset release" >&2; exit 1; }
bytes=$(stat -c %s "$csv")
export BENCH_RESULTS="${BENCH_RESULTS:-$DATA_DIR/results/csv-load}"

ours=$("$bench" "$csv" "$runs" | sed -n 's/.*MB\/s=\([0-9.]*\).*/\1/p')
declare -A rate
for peer in ${PEERS:-duckdb polars}; do
  best=""
  for run in $(seq 1 "$runs"); do
    BENCH_TAG="-r$run" "$HARNESS/run-peer.sh" "$peer" "$data" load-only > /dev/null 2>&1
    t=$(grep -o '"time_s":[0-9.e-]*' "$BENCH_RESULTS/$peer.$data.load-only-r$run.log" | cut -d: -f2)
    best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b < a) ? b : a }')
  done
  rate[$peer]=$(awk -v s="$best" -v n="$bytes" 'BEGIN { printf "%.1f", n / 1e6 / s }')
done

echo "| loader ($data, $bytes bytes, best of $runs) | MB/s | ours / peer |"
echo "|---|---:|---:|"
echo "| sluice csv_load_bench | $ours | 1.00 |"
for peer in "${!rate[@]}"; do
  ratio=$(awk -v a="$ours" -v b="${rate[$peer]}" 'BEGIN { printf "%.2f", a / b }')
  echo "| $peer load-only | ${rate[$peer]} | $ratio |"
done
