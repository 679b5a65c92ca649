#!/usr/bin/env bash
# Compares writing a table to Parquet: Sluice's COPY against DuckDB's COPY (npm @duckdb/node-api)
# with default settings, and with the same codecs. Both first load the CSV into an in-memory
# table (not timed); only the write is timed (Sluice: `sluice sql --timer` of the COPY; DuckDB:
# the COPY statement), best of RUNS. MB/s is the CSV's size over the write time.
# Usage: bench/parquet-write.sh [DATA]   DATA defaults to G1_1e7_1e2_0_0 (../shared/bench/gen-data.sh)
# Env: BENCH_DATA, RUNS (default 3), SLUICE_BIN (default build/release/src/cli/sluice), OUT_DIR (/tmp)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${BENCH_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice-bench/data}"
data="${1:-G1_1e7_1e2_0_0}"
csv="$DATA_DIR/$data.csv"
runs="${RUNS:-3}"
bin="${SLUICE_BIN:-$ROOT/build/release/src/cli/sluice}"
out_dir="${OUT_DIR:-/tmp}"
[ -s "$csv" ] || { echo "missing $csv: run ../shared/bench/gen-data.sh" >&2; exit 1; }
[ -x "$bin" ] || { echo "missing $bin: cmake --build --preset release" >&2; exit 1; }
bytes=$(stat -c %s "$csv")
out="$out_dir/sluice-parquet-write-$$.parquet"
trap 'rm -f "$out"' EXIT

# Prints "seconds file_bytes" for Sluice writing with COPY options $1 (best of $runs).
sluice_write() {
  local sql="CREATE TABLE x AS SELECT * FROM '${csv//\'/\'\'}';"
  for run in $(seq 1 "$runs"); do sql+=" COPY x TO '$out' $1;"; done
  "$bin" sql --timer -c "$sql" 2>&1 >/dev/null | grep 'Run Time' | tail -n "$runs" |
    awk '{ print $3 }' | sort -g | head -1 | tr '\n' ' '
  stat -c %s "$out"
}

# Prints "seconds file_bytes" for DuckDB writing with compression $1.
duckdb_write() {
  node "$ROOT/bench/peers/duckdb-parquet-write.cjs" --csv "$csv" --out "$out" --runs "$runs" \
    --compression "$1" | sed -n 's/^RESULT //p' |
    node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(r.seconds, r.bytes)'
}

row() {  # name seconds file_bytes reference_seconds
  awk -v name="$1" -v s="$2" -v f="$3" -v n="$bytes" -v ref="$4" \
    'BEGIN { printf "| %s | %.3f | %.0f | %.1f | %.2f |\n", name, s, n / 1e6 / s, f / 1e6, s / ref }'
}

read -r d_default d_default_bytes < <(duckdb_write default)
read -r d_zstd d_zstd_bytes < <(duckdb_write zstd)
read -r d_snappy d_snappy_bytes < <(duckdb_write snappy)
read -r s_default s_default_bytes < <(sluice_write "")
read -r s_snappy s_snappy_bytes < <(sluice_write "(COMPRESSION snappy)")

echo "| writer ($data, CSV $((bytes / 1000000)) MB, best of $runs) | write s | MB/s | file MB | time / DuckDB default |"
echo "|---|---:|---:|---:|---:|"
row "DuckDB default (snappy)" "$d_default" "$d_default_bytes" "$d_default"
row "DuckDB zstd" "$d_zstd" "$d_zstd_bytes" "$d_default"
row "DuckDB snappy" "$d_snappy" "$d_snappy_bytes" "$d_default"
row "Sluice default (zstd)" "$s_default" "$s_default_bytes" "$d_default"
row "Sluice snappy" "$s_snappy" "$s_snappy_bytes" "$d_default"
echo
echo "Sluice zstd / DuckDB zstd: $(awk -v a="$s_default" -v b="$d_zstd" 'BEGIN { printf "%.2f", a / b }')," \
     "Sluice snappy / DuckDB snappy: $(awk -v a="$s_snappy" -v b="$d_snappy" 'BEGIN { printf "%.2f", a / b }')"
