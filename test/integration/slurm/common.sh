# shellcheck shell=bash
# The fixture of the Slurm tests, sourced by them: a Slurm 22.05 on loopback (munged, slurmctld
# and one slurmd claiming 4 CPUs, all in a temporary folder; /work/shared/notes/local-services.md).
#
#   slurm_start   skips the test without Slurm or munge, and when not root (slurmd starts the
#                 jobs); fails instead when CI=true. Makes the temporary folder $dir, exports
#                 SLURM_CONF, starts the daemons and waits for the node; traps EXIT with slurm_stop.
#   slurm_stop    cancels the jobs, stops what slurm_start started and removes $dir.
#   wait_job ID   waits for a job to end and prints its final state.
#   fail, logs    end the test with a message; print the daemons' logs.

fail() { echo "FAIL: $*"; exit 1; }
skip_or_fail() {
  [[ "${CI:-}" == "true" ]] && fail "$* (CI=true: scripts/bootstrap installs slurm-wlm munge)"
  echo "SKIP: $*"
  exit 0
}

# Prints the daemons' logs (on a failure).
logs() { tail -n 20 "$dir"/slurmctld.log "$dir"/slurmd.log 2>/dev/null; }

dir=
munged_started=

slurm_stop() {
  set +e
  [[ -n "$dir" ]] || return 0
  if [[ -f "$dir/slurmctld.pid" ]]; then
    scancel --quiet --user=root 2>/dev/null
    for _ in $(seq 1 50); do
      [[ -z $(squeue -h 2>/dev/null) ]] && break
      sleep 0.2
    done
  fi
  local pids=()
  for file in "$dir/slurmd.pid" "$dir/slurmctld.pid"; do
    [[ -f "$file" ]] && pids+=("$(cat "$file")")
  done
  [[ -n "$munged_started" ]] && pids+=("$munged_started")
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -9 "$pid" 2>/dev/null
  done
  rm -rf "$dir"
}

# Prints a free TCP port on loopback, so that another Slurm on this machine (or a second run of
# a test) is no bother.
free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# Runs the command after MESSAGE (VAR=value words first set its environment) and expects exit
# code 1 with MESSAGE in its output.
expect_error() {
  local message=$1
  shift
  local code=0
  env "$@" > "$dir/error.out" 2>&1 || code=$?
  [[ $code == 1 ]] || fail "$*: exit code $code, expected 1: $(cat "$dir/error.out")"
  grep -qF -- "$message" "$dir/error.out" || fail "expected '$message', got: $(cat "$dir/error.out")"
}

start_munge() {
  echo "-- munge"
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    echo "   (a munged is running already: using it)"
    return
  fi
  install -d -o munge -g munge -m 0755 /run/munge
  runuser -u munge -- munged || fail "munged did not start"
  munged_started=$(cat /run/munge/munged.pid)
  munge -n | unmunge | grep -q "STATUS: *Success" || fail "munge -n | unmunge does not succeed"
}

write_slurm_conf() {
  cat > "$dir/slurm.conf" <<CONF
ClusterName=sluicetest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
MailProg=/bin/true
SchedulerParameters=bf_interval=1
SlurmdParameters=config_overrides
NodeName=$node NodeAddr=127.0.0.1 CPUs=4 RealMemory=8000 State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
}

slurm_start() {
  export PATH="$PATH:/usr/sbin:/sbin"
  local missing=()
  for program in munged munge unmunge slurmctld slurmd sbatch srun squeue scontrol sinfo scancel; do
    command -v "$program" >/dev/null || missing+=("$program")
  done
  ((${#missing[@]} == 0)) || skip_or_fail "Slurm or munge is not installed: no ${missing[*]}"
  [[ $(id -u) -eq 0 ]] || skip_or_fail "the Slurm test runs as root (slurmd starts the jobs)"
  [[ -r /etc/munge/munge.key ]] || fail "/etc/munge/munge.key is missing (reinstall munge)"

  dir=$(mktemp -d)
  chmod 0755 "$dir"
  trap slurm_stop EXIT
  start_munge

  echo "-- slurmctld and slurmd"
  node=$(hostname -s)
  mkdir -p "$dir/state" "$dir/spool"
  write_slurm_conf
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start: $(logs)"
  slurmd -f "$SLURM_CONF" || fail "slurmd did not start: $(logs)"
  local state=
  for _ in $(seq 1 150); do
    state=$(sinfo -h -N -o %T 2>/dev/null || true)
    [[ "$state" == idle ]] && break
    sleep 0.2
  done
  [[ "$state" == idle ]] || fail "node $node is '$state', not idle, after 30 s: $(logs)"
  srun --mpi=list 2>&1 | grep -qw pmix || fail "Slurm has no pmix MPI plugin: $(srun --mpi=list 2>&1)"
}

wait_job() {
  local job=$1 state=
  for _ in $(seq 1 600); do
    state=$(scontrol show job -o "$job" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 || true)
    case "$state" in
      PENDING | CONFIGURING | RUNNING | COMPLETING) ;;
      # A job the controller forgot has left the queue; it no longer says how it ended.
      "") [[ -z $(squeue -h -j "$job" 2>/dev/null) ]] && { echo "forgotten"; return; } ;;
      *) echo "$state"; return ;;
    esac
    sleep 0.2
  done
  echo "still $state after 120 s"
}
