#!/usr/bin/env bash
# Compares Parquet read speed of Sluice with DuckDB (npm @duckdb/node-api) in one run, on
# vega-datasets' flights-3m.parquet (Polars, ZSTD, 3M rows): a full scan touching every column
# and a selective query whose predicates let row-group statistics skip most of the file; then
# on the same rows as a hive-partitioned folder (one file per month, written by DuckDB before
# the timing): the full scan, and a GROUP BY of the partition column.
# Both engines run in-process with all cores; the best of RUNS runs counts. MB/s is the file's
# size over the query's time. Prints a markdown table.
# Usage: bench/parquet-read.sh   Env: RUNS (default 5), BUILD (default build/release)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
file="$ROOT/node_modules/vega-datasets/data/flights-3m.parquet"
sluice="$ROOT/${BUILD:-build/release}/src/cli/sluice"
runs="${RUNS:-5}"
[ -s "$file" ] || { echo "missing $file: run scripts/bootstrap" >&2; exit 1; }
[ -x "$sluice" ] || { echo "missing $sluice: cmake --build --preset release" >&2; exit 1; }
bytes=$(stat -c %s "$file")
folder="$(mktemp -d)"
trap 'rm -rf "$folder"' EXIT
node "$ROOT/bench/peers/duckdb-parquet-read.cjs" 1 "COPY (SELECT *, month(date) AS m FROM '$file') \
  TO '$folder/by-month' (FORMAT parquet, PARTITION_BY (m), COMPRESSION zstd)" > /dev/null
parts="$folder/by-month/*/*.parquet"
full="SELECT count(*), sum(delay), sum(distance), max(origin), min(destination), max(date) FROM"
declare -A queries=(
  [full]="$full '$file'"
  [selective]="SELECT count(*), avg(delay) FROM '$file' WHERE date >= TIMESTAMP '2001-06-20' AND origin = 'SFO'"
  [hive-full]="$full '$parts'"
  [hive-group-by-partition]="SELECT m, count(*), avg(delay) FROM '$parts' GROUP BY m ORDER BY m"
)

# Runs a query RUNS times in one Sluice process; prints the best statement time in seconds.
sluice_best() {
  local script=""
  for _ in $(seq 1 "$runs"); do script+="$1;"$'\n'; done
  "$sluice" sql --timer -c "$script" 2>&1 >/dev/null |
    sed -n 's/^Run Time: \([0-9.]*\) s.*/\1/p' | sort -g | head -1
}

echo "| query (flights-3m.parquet, $bytes bytes, best of $runs) | sluice s | duckdb s | sluice MB/s | duckdb MB/s | duckdb / sluice time |"
echo "|---|---:|---:|---:|---:|---:|"
for name in full selective hive-full hive-group-by-partition; do
  sql="${queries[$name]}"
  ours=$(sluice_best "$sql")
  theirs=$(node "$ROOT/bench/peers/duckdb-parquet-read.cjs" "$runs" "$sql" | cut -f1)
  awk -v n="$name" -v a="$ours" -v b="$theirs" -v s="$bytes" 'BEGIN {
    printf "| %s | %.4f | %.4f | %.0f | %.0f | %.2f |\n", n, a, b, s / 1e6 / a, s / 1e6 / b, b / a }'
done
