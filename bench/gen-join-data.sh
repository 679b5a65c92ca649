#!/usr/bin/env bash
# Builds the join generator and (re)generates the db-benchmark join CSVs J1_<N>_{NA,<N/1e6>,<N/1e3>,<N>}_0_0.csv.
# Usage: bench/gen-join-data.sh [SIZES...]   default: 1e7   (no NAs, unsorted; see bench/join_gen.cc)
# Env:   BENCH_DATA (default ~/.cache/sluice-bench/data), BENCH_SEED (default 42), FORCE=1 to overwrite
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA="${BENCH_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice-bench/data}"
SEED="${BENCH_SEED:-42}"
mkdir -p "$DATA/bin"
g++ -std=c++20 -O2 -Wall -Wextra -o "$DATA/bin/join_gen" "$HERE/join_gen.cc"
sizes=("$@"); [ ${#sizes[@]} -eq 0 ] && sizes=(1e7)
for n in "${sizes[@]}"; do
  x="$DATA/J1_${n}_NA_0_0.csv"
  if [ -s "$x" ] && [ "${FORCE:-0}" != 1 ]; then echo "exists: $x ($(stat -c %s "$x") bytes)"; continue; fi
  tmp="$(mktemp -d "$DATA/.join-gen.XXXXXX")"
  t0=$(date +%s.%N)
  "$DATA/bin/join_gen" "$n" "$SEED" "$tmp"
  t1=$(date +%s.%N)
  for f in "$tmp"/J1_*.csv; do
    mv "$f" "$DATA/"
    f="$DATA/$(basename "$f")"
    printf "wrote %s: %s bytes, %s lines\n" "$f" "$(stat -c %s "$f")" "$(wc -l < "$f")"
  done
  rmdir "$tmp"
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "generated in %.1fs\n", b - a }'
done
