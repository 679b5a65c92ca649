#!/usr/bin/env bash
# End to end: `sluice up` with `cluster: {backend: slurm}` in sluice.yaml, against a real Slurm
# 22.05 (the fixture of common.sh). A source changing triggers a notebook, which runs as a Slurm
# job: `sluice up` prints the job id and the run the job recorded, the result is committed, and
# the new version of that result triggers a failing notebook, whose job fails and whose error is
# printed. Stopping `sluice up` leaves a job still queued alone; it runs and records its run
# afterwards. A cluster section without nodes, and no sbatch on PATH, are clear errors. Needs
# root (slurmd starts the jobs). Without Slurm or munge the test is skipped, and fails when
# CI=true.
# Usage: up.sh SLUICE   (run from the repository root)
set -euo pipefail
sluice=$(realpath "$1")
# shellcheck source=test/integration/slurm/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
slurm_start

up_pid=
stop_up() {
  if [[ -n "$up_pid" ]]; then
    kill -INT "$up_pid" 2>/dev/null
    wait "$up_pid" 2>/dev/null
  fi
}
trap 'stop_up; slurm_stop' EXIT

echo "-- a workspace with a source and two notebooks"
ws="$dir/ws"
"$sluice" init "$ws" >/dev/null
grep -qx "# cluster:" "$ws/sluice.yaml" || fail "sluice init wrote no cluster example: $(cat "$ws/sluice.yaml")"
mkdir -p "$ws/data"
printf 'region,amount\nnorth,10\nsouth,5\n' > "$ws/data/sales.csv"
cat > "$ws/notebooks/totals.sql" <<'SQL'
-- %% name=sales
CREATE SOURCE sales FROM 'data/sales.csv';

-- %% name=totals
CREATE TABLE totals AS SELECT region, sum(amount) AS total FROM sales GROUP BY region;
SQL
cat > "$ws/notebooks/broken.sql" <<'SQL'
-- %% name=broken
CREATE TABLE broken AS SELECT no_such_column FROM totals;
SQL
# The source and the result exist before `sluice up` starts: a name it sees for the first time
# does not trigger.
"$sluice" run --workspace "$ws" "$ws/notebooks/totals.sql" > "$dir/run.out" 2>&1 \
  || fail "the first run failed: $(cat "$dir/run.out")"
cp "$ws/sluice.yaml" "$dir/sluice.yaml.init"


echo "-- a bad cluster section and a missing sbatch are clear errors"
lines=$(wc -l < "$dir/sluice.yaml.init")
{ cat "$dir/sluice.yaml.init"; printf 'cluster:\n  backend: slurm\n  ntasks_per_node: 1\n'; } > "$ws/sluice.yaml"
expect_error "$ws/sluice.yaml:$((lines + 2)): cluster backend slurm needs 'nodes: N'" \
  "$sluice" up --workspace "$ws" --no-serve
{
  cat "$dir/sluice.yaml.init"
  cat <<'YAML'
cluster:
  backend: slurm
  nodes: 1
  ntasks_per_node: 1
schedules:
  max_concurrent_runs: 2
  notebooks:
    - notebook: notebooks/totals.sql
      on_update: [sales]
    - notebook: notebooks/broken.sql
      on_update: [totals]
YAML
} > "$ws/sluice.yaml"
expect_error "Slurm's sbatch is not on PATH" PATH=/nonexistent "$sluice" up --workspace "$ws" --no-serve

# Waits until up.out has $3 (default 1) lines matching the extended regex $1; fails after $2
# seconds.
wait_output() {
  for _ in $(seq 1 $(($2 * 5))); do
    (($(grep -cE -- "$1" "$dir/up.out") >= ${3:-1})) && return
    kill -0 "$up_pid" 2>/dev/null || fail "sluice up ended: $(cat "$dir/up.out")"
    sleep 0.2
  done
  fail "no '$1' from sluice up after $2 s: $(cat "$dir/up.out") $(logs)"
}

echo "-- sluice up runs the notebooks as Slurm jobs"
cd "$dir"
"$sluice" up --workspace "$ws" --no-serve --poll 200ms > "$dir/up.out" 2>&1 &
up_pid=$!
wait_output "backend slurm: a batch job per run, sbatch --nodes=1 --ntasks-per-node=1;" 10
sleep 1  # the first poll of the sources' versions
printf 'east,1\n' >> "$ws/data/sales.csv"
wait_output "finished notebooks/broken.sql " 120
cat "$dir/up.out"
job=$(sed -n 's/.* submitted notebooks\/totals.sql (on_update:sales) as Slurm job \([0-9]*\)$/\1/p' \
  "$dir/up.out")
[[ -n "$job" ]] || fail "sluice up printed no job id for totals.sql"
grep -qE " finished notebooks/totals.sql \(on_update:sales\): succeeded in [0-9.]+s \(run 2, Slurm job $job\)$" \
  "$dir/up.out" || fail "sluice up did not print the run of job $job"
[[ $(scontrol show job -o "$job" | grep -o 'JobState=[A-Z_]*') == JobState=COMPLETED ]] \
  || fail "job $job: $(scontrol show job -o "$job")"
runs=$("$sluice" runs --workspace "$ws" notebooks/totals.sql --format csv | tail -n +2)
[[ $(wc -l <<< "$runs") == 2 && "$runs" == 2,notebooks/totals.sql,succeeded,slurm:* ]] \
  || fail "the job's run is not recorded: $runs"
got=$("$sluice" sql --workspace "$ws" -c "SELECT region, total FROM totals ORDER BY region" \
  --format csv | tail -n +2)
[[ "$got" == $'east,1\nnorth,10\nsouth,5' ]] || fail "totals: $got"
ls "$ws"/.sluice/jobs/*-totals.sbatch > /dev/null || fail "no script in .sluice/jobs"
ls "$ws"/.sluice/logs/*-totals-"$job".out > /dev/null || fail "no log of job $job in .sluice/logs"

echo "-- a failing notebook's job fails, and sluice up says why"
broken=$(sed -n 's/.* submitted notebooks\/broken.sql (on_update:totals) as Slurm job \([0-9]*\)$/\1/p' \
  "$dir/up.out")
[[ -n "$broken" ]] || fail "the new version of totals did not trigger broken.sql"
grep -qE " finished notebooks/broken.sql \(on_update:totals\): failed in [0-9.]+s \(run 3, Slurm job $broken FAILED\): .*no_such_column.*; log: $ws/\.sluice/logs/[0-9-]+-broken-$broken\.out$" \
  "$dir/up.out" || fail "sluice up did not report the failed job $broken"

echo "-- stopping sluice up leaves a queued job alone"
scontrol update PartitionName=debug State=DOWN
printf 'west,2\n' >> "$ws/data/sales.csv"
wait_output "submitted notebooks/totals.sql \(on_update:sales\) as Slurm job [0-9]+$" 30 2
queued=$(sed -n 's/.* submitted notebooks\/totals.sql (on_update:sales) as Slurm job \([0-9]*\)$/\1/p' \
  "$dir/up.out" | tail -n 1)
[[ "$queued" != "$job" ]] || fail "no second job: $(cat "$dir/up.out")"
kill -INT "$up_pid"
code=0
timeout 20 tail --pid="$up_pid" -f /dev/null || fail "sluice up did not stop in 20 s: $(cat "$dir/up.out")"
wait "$up_pid" || code=$?
up_pid=
[[ $code == 0 ]] || fail "sluice up exited with $code: $(cat "$dir/up.out")"
grep -qF "left Slurm job $queued of notebooks/totals.sql queued or running" "$dir/up.out" \
  || fail "sluice up did not say it left job $queued: $(cat "$dir/up.out")"
[[ $(squeue -h -j "$queued" -o %T) == PENDING ]] || fail "job $queued: $(squeue -j "$queued")"
scontrol update PartitionName=debug State=UP
state=$(wait_job "$queued")
[[ "$state" == COMPLETED ]] || fail "job $queued ended $state: $(logs)"
"$sluice" runs --workspace "$ws" notebooks/totals.sql --format csv | sed -n 2p \
  | grep -q "^4,notebooks/totals.sql,succeeded," || fail "job $queued recorded no run"
tail -n 4 "$dir/up.out"
echo "PASS"
