#!/usr/bin/env bash
# End to end: `sluice submit` against a real Slurm 22.05 (the fixture of common.sh: munged,
# slurmctld and one slurmd on loopback claiming 4 CPUs, all in a temporary folder).
# A notebook submitted as a one-task job commits its result in the workspace and records a
# succeeded run; a failing notebook fails its job; --dry-run prints the script and submits
# nothing; bad input (a missing notebook, --nodes 0, no sbatch, a partition Slurm does not know)
# is a clear error. Needs root (slurmd starts the jobs). Without Slurm or munge the test is
# skipped, and fails when CI=true.
# Usage: submit.sh SLUICE   (run from the repository root)
set -euo pipefail
sluice=$(realpath "$1")
# shellcheck source=test/integration/slurm/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
slurm_start

echo "-- a workspace with a CSV and a notebook"
ws="$dir/ws"
"$sluice" init "$ws" >/dev/null
mkdir -p "$ws/data"
printf 'region,amount\nnorth,10\nsouth,5\nnorth,7\neast,1\nsouth,3\n' > "$ws/data/sales.csv"
cat > "$ws/notebooks/totals.sql" <<'SQL'
-- %% name=totals
CREATE TABLE totals AS
SELECT region, sum(amount) AS total, count(*) AS sales FROM 'data/sales.csv' GROUP BY region;
SQL
cat > "$ws/notebooks/broken.sql" <<'SQL'
-- %% name=broken
CREATE TABLE broken AS SELECT no_such_column FROM 'data/sales.csv';
SQL

echo "-- --dry-run prints the script and submits nothing"
"$sluice" submit "$ws/notebooks/totals.sql" --nodes 2 --ntasks-per-node 3 --time 1:00:00 \
  --partition debug --job-name dry --dry-run > "$dir/dry.out"
for line in '#!/bin/bash' '#SBATCH --job-name=dry' '#SBATCH --nodes=2' \
    '#SBATCH --ntasks-per-node=3' '#SBATCH --time=1:00:00' '#SBATCH --partition=debug' \
    "#SBATCH --chdir=$ws" "cd $ws" "srun --mpi=pmix $sluice run $ws/notebooks/totals.sql --workspace $ws --trigger slurm"; do
  grep -qxF -- "$line" "$dir/dry.out" || fail "the dry run lacks '$line': $(cat "$dir/dry.out")"
done
grep -qE "^#SBATCH --output=$ws/\.sluice/logs/[0-9]{8}-[0-9]{6}-totals-%j\.out$" "$dir/dry.out" \
  || fail "the dry run's --output is not in .sluice/logs: $(cat "$dir/dry.out")"
[[ ! -e "$ws/.sluice/jobs" ]] || fail "the dry run wrote $(ls "$ws/.sluice/jobs")"
[[ -z $(squeue -h) ]] || fail "the dry run submitted a job: $(squeue)"

echo "-- bad input is a clear error"
expect_error "notebook $ws/notebooks/nope.sql does not exist" \
  "$sluice" submit "$ws/notebooks/nope.sql" --nodes 1
expect_error "--nodes must be at least 1, not 0" "$sluice" submit "$ws/notebooks/totals.sql" --nodes 0
expect_error "is not a Slurm time limit" \
  "$sluice" submit "$ws/notebooks/totals.sql" --nodes 1 --time 1h
expect_error "Slurm's sbatch is not on PATH" \
  PATH=/nonexistent "$sluice" submit "$ws/notebooks/totals.sql" --nodes 1
expect_error "Invalid partition name specified" \
  "$sluice" submit "$ws/notebooks/totals.sql" --nodes 1 --partition nosuch
grep -qF "sbatch failed" "$dir/error.out" || fail "no 'sbatch failed' in: $(cat "$dir/error.out")"

echo "-- submit: one node, two tasks (two MPI ranks through srun --mpi=pmix)"
# The node claims 4 CPUs on a smaller machine: OpenMPI must yield instead of busy-polling.
# sbatch passes this environment on to the job.
export OMPI_MCA_mpi_yield_when_idle=1
# From another folder: the job finds the workspace from the notebook's path.
cd "$dir"
"$sluice" submit "$ws/notebooks/totals.sql" --nodes 1 --ntasks-per-node 2 > "$dir/submit.out"
job=$(sed -n 's/^Submitted batch job \([0-9][0-9]*\)$/\1/p' "$dir/submit.out")
[[ -n "$job" ]] || fail "no job id in: $(cat "$dir/submit.out")"
script=$(sed -n 's/^script: //p' "$dir/submit.out")
log=$(sed -n 's/^log: //p' "$dir/submit.out")
[[ "$script" == "$ws"/.sluice/jobs/*-totals*.sbatch && -f "$script" ]] \
  || fail "no script in .sluice/jobs: $(cat "$dir/submit.out")"
[[ "$log" == "$ws/.sluice/logs/$(basename "$script" .sbatch)-$job.out" ]] \
  || fail "the log is not named after the script: $(cat "$dir/submit.out")"
grep -qxF "srun --mpi=pmix $sluice run $ws/notebooks/totals.sql --workspace $ws --trigger slurm" "$script" \
  || fail "the script does not run the notebook: $(cat "$script")"
state=$(wait_job "$job")
[[ "$state" == COMPLETED ]] || fail "job $job ended $state: $(cat "$log" 2>/dev/null) $(logs)"
grep -q "run 1 of notebooks/totals.sql succeeded" "$log" || fail "job log: $(cat "$log")"
grep -q "running on 2 ranks (pmix)" "$log" || fail "the job did not run on 2 ranks: $(cat "$log")"

echo "-- the job committed the result and recorded the run"
got=$("$sluice" sql --workspace "$ws" -c "SELECT region, total, sales FROM totals ORDER BY region" \
  --format csv | tail -n +2)
[[ "$got" == $'east,1,1\nnorth,17,2\nsouth,8,2' ]] || fail "totals: $got"
runs=$("$sluice" runs --workspace "$ws" --format csv | tail -n +2)
[[ $(wc -l <<< "$runs") == 1 ]] || fail "expected one run: $runs"
[[ "$runs" == 1,notebooks/totals.sql,succeeded,slurm,* ]] || fail "the run is not recorded: $runs"
versions=$("$sluice" sql --workspace "$ws" -c "SELECT count(*) FROM sluice.versions WHERE result = 'totals'" --format csv | tail -1)
[[ "$versions" == 1 ]] || fail "two ranks committed $versions versions of totals, not 1"

echo "-- a failing notebook fails its job"
"$sluice" submit "$ws/notebooks/broken.sql" --nodes 1 --job-name broken > "$dir/submit.out"
job=$(sed -n 's/^Submitted batch job \([0-9][0-9]*\)$/\1/p' "$dir/submit.out")
log=$(sed -n 's/^log: //p' "$dir/submit.out")
scontrol show job -o "$job" | grep -q " JobName=broken " || fail "job name: $(scontrol show job "$job")"
state=$(wait_job "$job")
[[ "$state" == FAILED ]] || fail "job $job of a failing notebook ended $state: $(cat "$log")"
grep -q "no_such_column" "$log" || fail "the job's log does not name the error: $(cat "$log")"
"$sluice" runs --workspace "$ws" notebooks/broken.sql --format csv | sed -n 2p | grep -q ",failed," \
  || fail "the failed run is not recorded: $("$sluice" runs --workspace "$ws")"

echo "PASS"
