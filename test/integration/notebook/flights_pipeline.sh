#!/usr/bin/env bash
# End to end: the flights example notebook run as a pipeline by the `sluice` binary, in a
# workspace of its own: incremental re-runs, a touched source, a broken cell, lineage, and
# `sluice up` running the notebook when a source it depends on changes.
# Usage: flights_pipeline.sh SLUICE   (run from the repository root)
set -euo pipefail
sluice=$(realpath "$1")
repo=$(pwd)
data="$repo/node_modules/vega-datasets/data"
[[ -f "$data/flights-3m.parquet" ]] || { echo "FAIL: $data is missing (scripts/bootstrap)"; exit 1; }

work=$(mktemp -d)
up_pid=
cleanup() {
  [[ -n "$up_pid" ]] && kill "$up_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$sluice" init "$work" >/dev/null
mkdir -p "$work/data"
ln -s "$data/flights-3m.parquet" "$work/data/flights-3m.parquet"
cp "$data/airports.csv" "$work/data/airports.csv"
cp "$repo/examples/flights/notebooks/flights.sql" "$work/notebooks/flights.sql"
cd "$work"

# Prints the cells of the latest run with their status, one "name status" per line.
cells() { "$sluice" runs --id "$("$sluice" runs --limit 1 --format csv | sed -n 2p | cut -d, -f1)" --format csv | tail -n +2 | cut -d, -f1,3 | tr , ' ' | sort; }
expect_cells() {
  local got; got=$(cells)
  [[ "$got" == "$(printf '%s\n' "$@" | sort)" ]] || fail "$1...: expected
$(printf '%s\n' "$@" | sort)
got
$got"
}

echo "-- first run: every cell runs"
"$sluice" run notebooks/flights.sql >/dev/null
[[ $(cells | grep -c succeeded) == 9 ]] || fail "first run: $(cells)"

echo "-- the model cell made a tuned, catalogued model that predicts"
"$sluice" models list --format csv > models.out
grep -q "^delay_model,1,boosted_tree_regressor," models.out || fail "no model: $(cat models.out)"
trials=$("$sluice" sql -c "SELECT count(*) FILTER (WHERE budget < 1) > 0, count(*) FILTER (WHERE is_optimal) FROM ML.TRIAL_INFO(MODEL delay_model)" --format csv | tail -1)
[[ "$trials" == "true,1" ]] || fail "halving trials: $trials"
predicted=$("$sluice" sql -c "SELECT count(*) FROM ML.PREDICT(MODEL delay_model, (SELECT origin, destination, distance, hour(date) AS hour FROM flights LIMIT 100)) WHERE predicted_delay IS NOT NULL" --format csv | tail -1)
[[ "$predicted" == 100 ]] || fail "ML.PREDICT gave $predicted predictions"
cell=$("$sluice" sql -c "SELECT cell, run_id > 0 FROM sluice.models" --format csv | tail -1)
[[ "$cell" == "notebooks/flights.sql:delay_model,true" ]] || fail "model's cell and run: $cell"
"$sluice" catalog lineage delay_model --upstream > lineage.out
grep -qF "◄ flights (" lineage.out || fail "model lineage: $(cat lineage.out)"

echo "-- second run: every cell is skipped"
"$sluice" run notebooks/flights.sql >/dev/null
[[ $(cells | grep -c skipped) == 9 ]] || fail "second run: $(cells)"

echo "-- a changed airports.csv re-runs exactly the cells downstream of it"
echo 'ZZZ,Test Field,Nowhere,CA,USA,36.0,-120.0' >> data/airports.csv
"$sluice" run notebooks/flights.sql >/dev/null
expect_cells "flights skipped" "delays_by_hour skipped" "delay_model skipped" "airports succeeded" \
  "us_airports succeeded" "delays_by_origin succeeded" "delays_by_state succeeded" \
  "worst_airports succeeded" "export succeeded"
versions=$("$sluice" sql -c "SELECT count(*) FROM sluice.versions WHERE result = 'delays_by_state'" --format csv | tail -1)
[[ "$versions" == 2 ]] || fail "delays_by_state has $versions versions, expected 2"

echo "-- a broken cell fails the run; the last good version stays served"
sed -i 's/sum(flights) AS flights,/sum(flights) AS flights, no_such_column,/' notebooks/flights.sql
if "$sluice" run notebooks/flights.sql > run.out 2>&1; then fail "a broken cell did not fail the run"; fi
grep -q "cell 'delays_by_state' failed" run.out || fail "no error naming the cell: $(cat run.out)"
grep -q "no_such_column" run.out || fail "no error naming the column: $(cat run.out)"
expect_cells "flights skipped" "airports skipped" "us_airports skipped" "delays_by_origin skipped" \
  "delay_model skipped" \
  "delays_by_hour skipped" "worst_airports skipped" "delays_by_state failed" "export not run"
rows=$("$sluice" sql -c "SELECT count(*) FROM delays_by_state" --format csv | tail -1)
[[ "$rows" -gt 40 ]] || fail "delays_by_state has $rows rows after a failed run"
"$sluice" runs --format csv | sed -n 2p | grep -q ",failed," || fail "the failed run is not recorded"
cp "$repo/examples/flights/notebooks/flights.sql" notebooks/flights.sql

echo "-- lineage spans the notebook's results back to its sources, column by column"
"$sluice" catalog lineage delays_by_state --upstream --columns > lineage.out
for edge in "◄ delays_by_origin (result" "◄ us_airports (result" "◄ flights (" "◄ airports (" \
    "avg_delay ◄ delays_by_origin.avg_delay" "avg_delay ◄ flights.delay" "iata ◄ airports.iata"; do
  grep -qF "$edge" lineage.out || fail "lineage lacks '$edge': $(cat lineage.out)"
done

echo "-- a result of one notebook is a source of another; lineage spans both"
cat > notebooks/report.sql <<'SQL'
-- %% name=top_states
CREATE TABLE top_states AS
SELECT state, flights, avg_delay FROM delays_by_state ORDER BY flights DESC LIMIT 5;
SQL
"$sluice" run notebooks/report.sql >/dev/null
"$sluice" catalog lineage top_states --upstream --columns > lineage.out
for edge in "◄ delays_by_state (result" "◄ delays_by_origin (result" "◄ airports (" \
    "avg_delay ◄ delays_by_state.avg_delay" "avg_delay ◄ flights.delay"; do
  grep -qF "$edge" lineage.out || fail "lineage lacks '$edge': $(cat lineage.out)"
done
"$sluice" catalog lineage airports --downstream > lineage.out
grep -qF "top_states (result" lineage.out || fail "downstream of airports: $(cat lineage.out)"

echo "-- sluice up runs the notebook when a source it depends on changes"
cat >> sluice.yaml <<'YAML'
schedules:
  notebooks:
    - notebook: notebooks/flights.sql
      on_update: [airports]
YAML
"$sluice" run notebooks/flights.sql >/dev/null
before=$("$sluice" runs --format csv | tail -n +2 | wc -l)
"$sluice" up --poll 100ms --listen 127.0.0.1:0 > up.out 2>&1 &
up_pid=$!
sleep 1
echo 'ZZY,Other Field,Nowhere,CA,USA,36.5,-120.5' >> data/airports.csv
for _ in $(seq 1 100); do
  after=$("$sluice" runs --format csv | tail -n +2 | wc -l)
  [[ "$after" -gt "$before" ]] && [[ $("$sluice" runs --format csv | sed -n 2p) != *running* ]] && break
  sleep 0.2
done
[[ "$after" -gt "$before" ]] || fail "sluice up did not run the notebook: $(cat up.out)"
kill -INT "$up_pid"
wait "$up_pid" || fail "sluice up did not stop cleanly: $(cat up.out)"
up_pid=
grep -q "on_update:airports" up.out || fail "sluice up did not log the trigger: $(cat up.out)"
cat up.out
echo "PASS"
