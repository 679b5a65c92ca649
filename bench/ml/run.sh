#!/usr/bin/env bash
# Trains the same models with Sluice (CREATE MODEL ... data_split_method = 'no_split', then
# ML.EVALUATE on the test file) and with scikit-learn / XGBoost's Python package on the same
# seeded train/test CSV files, in one run, and prints a markdown table: test metrics of both,
# their relative difference, and training times. Then tunes a boosted_tree_regressor over 27
# (max_tree_depth, learn_rate) pairs with grid search and with halving, within Sluice.
# Cases: cars.json (regression), penguins.json and seattle-weather.csv (multiclass), and a
# synthetic 200k-row table (regression and binary classification). See README.md.
# Usage: bench/ml/run.sh [SLUICE_BIN]   (default build/release/src/cli/sluice)
# Env: RUNS (timed runs per model, 5; the table shows the best), TUNE_RUNS (2; 0 skips tuning),
#      ROWS (synthetic training rows, 200000), CASES (comma-separated case names; default all,
#      "tuning" names the tuning case), KEEP (1 keeps the work folder)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
sluice_arg="${1:-$ROOT/build/release/src/cli/sluice}"
data="$ROOT/node_modules/vega-datasets/data"
[ -x "$sluice_arg" ] || { echo "missing $sluice_arg: build it (see README.md)" >&2; exit 1; }
[ -s "$data/cars.json" ] || { echo "missing $data: run scripts/bootstrap" >&2; exit 1; }

bash "$ROOT/bench/ml/setup.sh"

dir=$(mktemp -d /tmp/sluice-ml-bench-XXXXXX)
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT
# A private copy: a rebuild of the tree's binary during the run must not change or remove it.
cp "$sluice_arg" "$dir/sluice"

name="$(realpath "$sluice_arg") (tree at $(git -C "$ROOT" describe --always --dirty 2>/dev/null \
  || echo '?'))"
echo "sluice: $name; $(uptime | sed 's/.*load average/load average/')" >&2
/usr/bin/python3 "$ROOT/bench/ml/peers.py" --sluice "$dir/sluice" --sluice-name "$name" \
  --data "$data" --work "$dir" \
  --runs "${RUNS:-5}" --tune-runs "${TUNE_RUNS:-2}" --rows "${ROWS:-200000}" \
  --cases "${CASES:-}" --json "$dir/results.json"
echo "load after: $(uptime | sed 's/.*load average/load average/')" >&2
