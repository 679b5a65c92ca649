#!/usr/bin/env bash
# The same answers from 3 MPI ranks as from one process: the db-benchmark groupby questions and
# the join questions' shapes through `sluice sql`, models trained data-parallel, and the flights
# example notebook (results, model) through `sluice run`; a rank failing mid-run fails the whole
# run, commits nothing, and a re-run resumes from the committed cells; so does a run one of
# whose ranks was killed.
# Usage: mpi_runs.sh SLUICE   (run from the repository root; needs OpenMPI's mpirun)
set -euo pipefail
sluice=$(realpath "$1")
repo=$(pwd)
data="$repo/node_modules/vega-datasets/data"
fail() { echo "FAIL: $*"; exit 1; }
if ! command -v mpirun >/dev/null; then
  [[ "${CI:-}" == true ]] && fail "mpirun is missing (scripts/bootstrap installs openmpi-bin)"
  echo "SKIP: mpirun is missing"; exit 0
fi
[[ -f "$data/flights-3m.parquet" ]] || fail "$data is missing (scripts/bootstrap)"
# OpenMPI refuses root unless told; CI runs as root.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
ranks() { timeout 600 mpirun --oversubscribe -np 3 "$sluice" "$@"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# Compares two CSV answers row by row after sorting; numbers may differ by 1e-9 relative (sums
# of doubles in another order).
same_answers() {
  local what=$1 one=$2 many=$3
  [[ -s "$one" ]] || fail "$what: no answer from one process"
  sort "$one" > one.sorted
  sort "$many" > many.sorted
  awk -F, -v what="$what" '
    NR == FNR { want[FNR] = $0; rows = FNR; next }
    {
      if (!(FNR in want)) { print "FAIL: " what ": extra row " $0; bad = 1; exit }
      n = split(want[FNR], a, ","); m = split($0, b, ",")
      if (n != m) { print "FAIL: " what ": " want[FNR] " vs " $0; bad = 1; exit }
      for (i = 1; i <= n; i++) {
        if (a[i] == b[i]) continue
        if (a[i] ~ /^-?[0-9.e+-]+$/ && b[i] ~ /^-?[0-9.e+-]+$/) {
          d = a[i] - b[i]; if (d < 0) d = -d
          s = a[i] < 0 ? -a[i] : a[i]; if (s < 1) s = 1
          if (d <= 1e-9 * s) continue
        }
        print "FAIL: " what ": row " FNR ": " want[FNR] " vs " $0; bad = 1; exit
      }
      seen = FNR
    }
    END { if (!bad && seen != rows) { print "FAIL: " what ": " seen " rows, not " rows; bad = 1 }
          exit bad }' one.sorted many.sorted || exit 1
}

echo "-- db-benchmark groupby questions on 3 ranks"
awk 'BEGIN {
  srand(7); print "id1,id2,id3,id4,id5,id6,v1,v2,v3"
  for (i = 0; i < 100000; i++) {
    printf "id%03d,id%03d,id%010d,%d,%d,%d,%d,%d,%.6f\n", int(rand() * 100) + 1,
      int(rand() * 100) + 1, int(rand() * 1000) + 1, int(rand() * 100) + 1,
      int(rand() * 100) + 1, int(rand() * 1000) + 1, int(rand() * 5) + 1,
      int(rand() * 15) + 1, rand() * 100
  } }' > x.csv
questions=(
  "SELECT id1, sum(v1) AS v1 FROM x GROUP BY id1"
  "SELECT id1, id2, sum(v1) AS v1 FROM x GROUP BY id1, id2"
  "SELECT id3, sum(v1) AS v1, avg(v3) AS v3 FROM x GROUP BY id3"
  "SELECT id4, avg(v1) AS v1, avg(v2) AS v2, avg(v3) AS v3 FROM x GROUP BY id4"
  "SELECT id6, sum(v1) AS v1, sum(v2) AS v2, sum(v3) AS v3 FROM x GROUP BY id6"
  "SELECT id4, id5, median(v3) AS median_v3, stddev(v3) AS sd_v3 FROM x GROUP BY id4, id5"
  "SELECT id3, max(v1) - min(v2) AS range_v1_v2 FROM x GROUP BY id3"
  "SELECT id6, v3 AS largest2_v3 FROM (SELECT id6, v3, row_number() OVER (PARTITION BY id6 ORDER BY v3 DESC) AS order_v3 FROM x WHERE v3 IS NOT NULL) sub_query WHERE order_v3 <= 2"
  "SELECT id2, id4, pow(corr(v1, v2), 2) AS r2 FROM x GROUP BY id2, id4"
  "SELECT id1, id2, id3, id4, id5, id6, sum(v3) AS v3, count(*) AS count FROM x GROUP BY id1, id2, id3, id4, id5, id6"
  "SELECT a.id1, count(*), sum(b.v3) FROM x a JOIN (SELECT id1, id4, v3 FROM x WHERE id6 < 20) b ON a.id1 = b.id1 AND a.id4 = b.id4 GROUP BY a.id1"
  "SELECT a.id6, b.id6 FROM (SELECT DISTINCT id6 FROM x WHERE v1 = 1) a FULL JOIN (SELECT DISTINCT id6 FROM x WHERE v2 = 3) b ON a.id6 = b.id6"
)
load="CREATE TEMP TABLE x AS SELECT * FROM 'x.csv';"
for i in "${!questions[@]}"; do
  q=${questions[$i]}
  "$sluice" sql --format csv -c "$load $q" > one.csv
  ranks sql --format csv -c "$load $q" > many.csv
  same_answers "question $((i + 1)): $q" one.csv many.csv
done

echo "-- models train data-parallel on 3 ranks, each rank on its share of the rows"
awk 'BEGIN { srand(3); print "a,b,c,y"; for (i = 0; i < 20000; i++) { a = rand(); b = int(rand() * 5);
  c = rand(); printf "%.6f,%d,%.6f,%.6f\n", a, b, c, 3 * a - b + (c > 0.5 ? 2 : 0) + rand() * 0.1 } }' > m.csv
train() {  # MODEL_TYPE LABEL_EXPRESSION: ML.EVALUATE of a model trained on every row
  echo "CREATE TEMP TABLE m AS SELECT a, b, c, $2 AS label FROM 'm.csv';
    CREATE MODEL mm OPTIONS (model_type = '$1', input_label_cols = ['label'],
                             data_split_method = 'no_split') AS SELECT * FROM m;
    SELECT * FROM ML.EVALUATE(MODEL mm)"
}
for model in "linear_reg y" "logistic_reg y>1"; do
  q=$(train $model)
  "$sluice" sql --format csv -c "$q" > one.csv
  ranks sql --format csv -c "$q" > many.csv
  same_answers "model $model" one.csv many.csv
done
# Boosted trees through XGBoost's collective: the summed sketches differ from one process's,
# so the fit is as good, not the same.
q="$(train boosted_tree_regressor y); SELECT round(r2_score, 2) FROM ML.EVALUATE(MODEL mm)"
r2=$(ranks sql --format csv -c "$q" 2>/dev/null | tail -1)
[[ "$r2" == 1 || "$r2" == 0.99 ]] || fail "boosted trees on 3 ranks: r2 $r2"

echo "-- EXPLAIN ANALYZE shows the exchanges and their bytes per rank"
ranks sql -c "EXPLAIN ANALYZE SELECT id1, sum(v1) FROM 'x.csv' GROUP BY id1" > plan.txt
grep -q "byte ranges of rank 0 of 3" plan.txt || fail "no split scan: $(cat plan.txt)"
grep -Eq "EXCHANGE \[hash on columns 0; sent [0-9.]+ [KM]iB / [0-9.]+ [KM]iB / " plan.txt ||
  fail "no repartition with bytes: $(cat plan.txt)"

echo "-- the flights notebook on 3 ranks commits what one process commits"
for w in one many; do
  "$sluice" init "$w" >/dev/null
  mkdir -p "$w/data"
  ln -s "$data/flights-3m.parquet" "$w/data/flights-3m.parquet"
  cp "$data/airports.csv" "$w/data/airports.csv"
  cp "$repo/examples/flights/notebooks/flights.sql" "$w/notebooks/flights.sql"
done
(cd one && "$sluice" run notebooks/flights.sql > run.out) || fail "one process: $(cat one/run.out)"
(cd many && ranks run notebooks/flights.sql > run.out) || fail "3 ranks: $(cat many/run.out)"
grep -q "9 ran, 0 skipped, 0 failed" many/run.out || fail "3 ranks ran: $(cat many/run.out)"
tables=$("$sluice" sql --workspace one --format csv -c "SELECT DISTINCT result FROM sluice.versions ORDER BY 1" | tail -n +2)
[[ $(wc -w <<< "$tables") -ge 4 ]] || fail "results of one process: $tables"
for t in $tables; do
  versions=$("$sluice" sql --workspace many --format csv -c "SELECT count(*) FROM sluice.versions WHERE result = '$t'" | tail -1)
  [[ "$versions" == 1 ]] || fail "$t: $versions versions committed by 3 ranks, not 1"
  "$sluice" sql --workspace one --format csv -c "SELECT * FROM $t" > one.csv
  "$sluice" sql --workspace many --format csv -c "SELECT * FROM $t" > many.csv
  same_answers "result $t" one.csv many.csv
done
evaluate="SELECT * FROM ML.EVALUATE(MODEL delay_model)"
"$sluice" sql --workspace one --format csv -c "$evaluate" > one.csv
"$sluice" sql --workspace many --format csv -c "$evaluate" > many.csv
same_answers "model evaluation" one.csv many.csv
(cd many && "$sluice" runs --format csv | sed -n 2p | grep -q ",succeeded,") ||
  fail "run record: $(cd many && "$sluice" runs)"

echo "-- a rank failing mid-run fails the run on every rank and commits nothing"
# Only the last of 300 rows divides by zero: it is in the share of rank 2 alone.
awk 'BEGIN { print "v"; for (i = 1; i < 300; i++) print i; print 0 }' > many/data/divisors.csv
cat > many/notebooks/failing.sql <<'EOF'
-- %% name=before
CREATE TABLE before_failure AS SELECT count(*) AS n FROM us_airports;

-- %% name=broken
CREATE TABLE broken AS SELECT sum(100 / v) AS s FROM 'data/divisors.csv';
EOF
if (cd many && ranks run notebooks/failing.sql > fail.out 2>&1); then
  fail "the failing run succeeded: $(cat many/fail.out)"
fi
grep -q "division by zero" many/fail.out || fail "no clear error: $(cat many/fail.out)"
exists=$("$sluice" sql --workspace many --format csv -c "SELECT count(*) FROM sluice.versions WHERE result = 'broken'" | tail -1)
[[ "$exists" == 0 ]] || fail "the failed cell committed a result"
(cd many && "$sluice" runs --format csv | sed -n 2p | grep -q ",failed,") ||
  fail "failed run record: $(cd many && "$sluice" runs)"

echo "-- a re-run resumes from the committed cells"
sed -i 's|100 / v|100 / (v + 1)|' many/notebooks/failing.sql
(cd many && ranks run notebooks/failing.sql > rerun.out 2>&1) || fail "re-run: $(cat many/rerun.out)"
grep -q "before .*skipped" many/rerun.out || fail "the committed cell ran again: $(cat many/rerun.out)"
grep -q "broken .*succeeded" many/rerun.out || fail "the fixed cell: $(cat many/rerun.out)"

echo "-- a rank killed mid-run ends the job with a clear error and commits nothing"
# A self-join of 400,000 rows on 100 keys: 1.6e9 rows to count, far longer than the test waits.
awk 'BEGIN { print "k,v"; for (i = 1; i <= 400000; i++) print i % 100 "," i }' > many/data/kv.csv
cat > many/notebooks/killed.sql <<'EOF'
-- %% name=quick
CREATE TABLE quick AS SELECT count(*) AS n FROM us_airports;

-- %% name=slow
CREATE TABLE slow AS
SELECT a.k, count(*) AS n, sum(b.v) AS s FROM 'data/kv.csv' a JOIN 'data/kv.csv' b ON a.k = b.k
GROUP BY a.k;
EOF
count_versions() {
  "$sluice" sql --workspace many --format csv \
    -c "SELECT count(*) FROM sluice.versions WHERE result = '$1'" | tail -1
}
(cd many && { ranks run notebooks/killed.sql > killed.out 2>&1 && echo 0 || echo $?; } > killed.rc) &
launched=$!
for _ in $(seq 600); do [[ $(count_versions quick) == 1 ]] && break; sleep 0.1; done
[[ $(count_versions quick) == 1 ]] || fail "the quick cell did not commit: $(cat many/killed.out)"
sleep 1  # into the slow cell
victim=""
for pid in $(pgrep -f "run notebooks/killed.sql"); do
  tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1" && victim=$pid
done
[[ -n "$victim" ]] || fail "no process of rank 1 to kill"
kill -KILL "$victim"
for _ in $(seq 600); do [[ -s many/killed.rc ]] && break; sleep 0.1; done
[[ -s many/killed.rc ]] || fail "the job did not end after rank 1 was killed: $(cat many/killed.out)"
wait "$launched"
[[ $(cat many/killed.rc) != 0 ]] || fail "the job succeeded: $(cat many/killed.out)"
grep -Eq "rank 1 .*(signal 9|Killed)" many/killed.out || fail "no clear error: $(cat many/killed.out)"
[[ $(count_versions slow) == 0 ]] || fail "the killed cell committed a result"
(cd many && "$sluice" runs --format csv | sed -n 2p | grep -q ",failed,.*was killed") ||
  fail "killed run record: $(cd many && "$sluice" runs --format csv)"

echo "-- a re-run after the kill resumes from the committed cells"
awk 'BEGIN { print "k,v"; for (i = 1; i <= 4000; i++) print i % 100 "," i }' > many/data/kv.csv
(cd many && ranks run notebooks/killed.sql > resumed.out 2>&1) || fail "re-run: $(cat many/resumed.out)"
grep -q "quick .*skipped" many/resumed.out || fail "the committed cell ran again: $(cat many/resumed.out)"
grep -q "slow .*succeeded" many/resumed.out || fail "the killed cell: $(cat many/resumed.out)"
[[ -z $(ls -A many/.sluice/tmp) ]] || fail "leftovers of the killed commit: $(ls many/.sluice/tmp)"
echo "PASS"
