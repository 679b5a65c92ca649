#!/usr/bin/env bash
# Runs the db-benchmark questions with Sluice beside its peers and writes markdown summaries.
#  (a) groupby: the 10 questions on G1_<SIZES>_1e2_0_0 through the shared harness
#      (../shared/bench/run-all.sh), Sluice being its sqlcmd peer via bench/sluice-sqlcmd,
#      beside duckdb, polars, datatable and pandas; summary by ../shared/bench/summarize.py.
#  (b) join: the 5 questions of bench/join-questions.json on J1_<JOIN_SIZE>_NA_0_0 and its
#      small/medium/big tables, Sluice (one process per question: load the four CSVs, then the
#      question twice as CREATE OR REPLACE TABLE ans AS <sql>, timed by --timer) beside DuckDB
#      (bench/peers/duckdb-join.cjs). Load time is excluded from both.
# Usage: bench/db-benchmark.sh [groupby] [join]      (default: both)
# Env: BENCH_DATA (~/.cache/sluice-bench/data), BENCH_RESULTS (default $BENCH_DATA/results/db-benchmark-<time>),
#      SLUICE_BIN (default build/sluice), SIZES (groupby, default 1e7), JOIN_SIZE (default 1e7),
#      PEERS (groupby, default "duckdb polars datatable pandas sqlcmd"), MODES (default full),
#      BENCH_SQL_CHK (default sql: q10's 10M-row answer is checked by an extra query, not stdout),
#      RUNS (join runs per question, default 2), SLUICE_TIMEOUT (seconds per Sluice process, default 600),
#      BENCH_THREADS (default nproc), SLUICE_VERSION (label; default the binary's checkout HEAD).
# Data: ../shared/bench/gen-data.sh and bench/gen-join-data.sh (called here when files are missing).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HARNESS="${BENCH_HARNESS:-$ROOT/../shared/bench}"
DATA="${BENCH_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice-bench/data}"
OUT="${BENCH_RESULTS:-$DATA/results/db-benchmark-$(date +%Y%m%d-%H%M%S)}"
export SLUICE_BIN="${SLUICE_BIN:-$ROOT/build/sluice}"
export BENCH_THREADS="${BENCH_THREADS:-$(nproc)}"
TIMEOUT="${SLUICE_TIMEOUT:-600}"
RUNS="${RUNS:-2}"
parts=("$@"); [ ${#parts[@]} -eq 0 ] && parts=(groupby join)
[ -x "$SLUICE_BIN" ] || { echo "missing $SLUICE_BIN: cmake --build --preset release" >&2; exit 1; }
mkdir -p "$OUT"
# the commit the binary was built from (its build tree lies inside the checkout), unless given
version="${SLUICE_VERSION:-$(git -C "$(dirname "$(readlink -f "$SLUICE_BIN")")" rev-parse --short HEAD 2> /dev/null || echo unknown)}"

run_groupby() {
  export BENCH_SQL_NAME=sluice BENCH_SQL_VERSION="$version"
  export BENCH_SQL_CMD="$ROOT/bench/sluice-sqlcmd {csv} {sql_file}"
  export BENCH_SQL_CHK="${BENCH_SQL_CHK:-sql}" BENCH_SQL_TIMEOUT="$TIMEOUT"
  PEERS="${PEERS:-duckdb polars datatable pandas sqlcmd}" SIZES="${SIZES:-1e7}" \
    MODES="${MODES:-full}" BENCH_RESULTS="$OUT/groupby" "$HARNESS/run-all.sh"
  summarize_groupby > "$OUT/groupby/ratios.md"
  echo "groupby ratios: $OUT/groupby/ratios.md" >&2
}

# Prints per question the medians of every peer, sluice/duckdb, and the targets missed
# (within 2x of DuckDB, faster than data.table and pandas; total within 1.5x).
summarize_groupby() {
  python3 - "$OUT/groupby" <<'EOF'
import glob, json, os, statistics, sys
recs = {}
for log in glob.glob(os.path.join(sys.argv[1], '*.full.log')):
    for line in open(log):
        if line.startswith('RESULT '):
            r = json.loads(line[7:])
            recs.setdefault((r['data'], r['peer'], r['step']), []).append(r['time_s'])
peers = [p for p in ['duckdb', 'polars', 'datatable', 'pandas', 'sluice'] if any(k[1] == p for k in recs)]
for data in sorted({k[0] for k in recs}):
    med = lambda p, q: statistics.median(recs[(data, p, q)]) if (data, p, q) in recs else None
    print('\n%s, median of the runs, seconds\n' % data)
    print('| question | ' + ' | '.join(peers) + ' | sluice/duckdb | misses |')
    print('|---|' + '---:|' * (len(peers) + 1) + '---|')
    total = dict.fromkeys(peers, 0.0)
    for q in ['q%d' % i for i in range(1, 11)] + ['load']:
        v = {p: med(p, q) for p in peers}
        if q != 'load':
            for p in peers:
                total[p] = None if v[p] is None or total[p] is None else total[p] + v[p]
        s, d = v.get('sluice'), v.get('duckdb')
        misses = []
        if s is not None and q != 'load':
            if d and s > 2 * d: misses.append('>2x duckdb')
            for p in ('datatable', 'pandas'):
                if v.get(p) is not None and s >= v[p]: misses.append('slower than ' + p)
        cells = ['-' if v[p] is None else '%.3f' % v[p] for p in peers]
        ratio = '-' if s is None or not d else '%.2f' % (s / d)
        print('| %s | %s | %s | %s |' % (q, ' | '.join(cells), ratio, ', '.join(misses)))
    cells = ['-' if total[p] is None else '%.3f' % total[p] for p in peers]
    s, d = total.get('sluice'), total.get('duckdb')
    ratio = '-' if s is None or not d else '%.2f' % (s / d)
    miss = '>1.5x duckdb' if s is not None and d and s > 1.5 * d else ''
    print('| total q1-q10 | %s | %s | %s |' % (' | '.join(cells), ratio, miss))
EOF
}

# Runs join question $1 (id) with Sluice and prints RESULT lines like the other peers.
sluice_join_question() {
  local id="$1" sql="$2" x="$3" small="$4" medium="$5" big="$6"
  local script="SET threads = $BENCH_THREADS;"
  for table in "x:$x" "small:$small" "medium:$medium" "big:$big"; do
    script+=" CREATE TABLE ${table%%:*} AS SELECT * FROM '${table#*:}';"
  done
  for run in $(seq 1 "$RUNS"); do
    script+=" CREATE OR REPLACE TABLE ans AS $sql;"
    script+=" SELECT count(*) AS out_rows, sum(v1) AS v1, sum(v2) AS v2 FROM ans;"
  done
  local stem="$OUT/join/sluice.$id" rc=0
  timeout "$TIMEOUT" /usr/bin/time -v -o "$stem.time" "$SLUICE_BIN" sql --format csv --timer \
    -c "$script" > "$stem.out" 2> "$stem.err" || rc=$?
  python3 - "$id" "$stem" "$rc" "$version" "$BENCH_THREADS" "$(basename "$x" .csv)" <<'EOF'
import json, re, sys
qid, stem, rc, version, threads, data = sys.argv[1:]
times = [float(t) for t in re.findall(r'^Run Time: ([0-9.]+) s$', open(stem + '.err').read(), re.M)]
rows = [l.split(',') for l in open(stem + '.out').read().split('\n') if l and not l.startswith('out_rows')]
base = dict(peer='sluice', version=version, threads=int(threads), data=data)
if len(times) >= 5:
    print('RESULT ' + json.dumps(dict(base, step='load', run=1, time_s=sum(times[1:5]))))
for run, i in enumerate(range(5, len(times) - 1, 2), 1):
    chk = rows[run - 1] if run - 1 < len(rows) else None
    print('RESULT ' + json.dumps(dict(base, step=qid, run=run, time_s=times[i],
          out_rows=int(chk[0]) if chk else None, chk=[float(v) for v in chk[1:]] if chk else None)))
if rc != '0':
    print('FAILED ' + json.dumps(dict(base, step=qid, exit=int(rc), timeout=rc == '124')))
EOF
}

run_join() {
  local n="${JOIN_SIZE:-1e7}"
  local x="$DATA/J1_${n}_NA_0_0.csv"
  [ -s "$x" ] || "$ROOT/bench/gen-join-data.sh" "$n"
  local nn; nn=$(python3 -c "print(int(float('$n')))")
  pretty() { python3 -c "s=str(int($1)); print(s[0]+'e'+str(len(s)-1))"; }
  local small="$DATA/J1_${n}_$(pretty "$nn/10**6")_0_0.csv" medium="$DATA/J1_${n}_$(pretty "$nn/10**3")_0_0.csv"
  local big="$DATA/J1_${n}_$(pretty "$nn")_0_0.csv"
  mkdir -p "$OUT/join"
  echo "== duckdb join J1_${n}" >&2
  /usr/bin/time -v -o "$OUT/join/duckdb.time" node "$ROOT/bench/peers/duckdb-join.cjs" --x "$x" \
    --runs "$RUNS" --threads "$BENCH_THREADS" > "$OUT/join/duckdb.log" 2> "$OUT/join/duckdb.err" ||
    echo "!! duckdb join failed" >&2
  : > "$OUT/join/sluice.log"
  python3 -c "import json; [print(q['id'], q['sql']) for q in json.load(open('$ROOT/bench/join-questions.json'))]" |
    while read -r id sql; do
      echo "== sluice join $id" >&2
      sluice_join_question "$id" "$sql" "$x" "$small" "$medium" "$big" >> "$OUT/join/sluice.log"
    done
  summarize_join > "$OUT/join/summary.md"
  echo "join summary: $OUT/join/summary.md" >&2
}

# Prints the join medians per peer and question, the ratio sluice/duckdb and the answer check.
summarize_join() {
  python3 - "$OUT/join" <<'EOF'
import json, statistics, sys, glob, os
recs = {}
for log in glob.glob(os.path.join(sys.argv[1], '*.log')):
    for line in open(log):
        if line.startswith('RESULT '):
            r = json.loads(line[7:])
            recs.setdefault((r['peer'], r['step']), []).append(r)
def med(peer, step):
    rs = recs.get((peer, step))
    return statistics.median(r['time_s'] for r in rs) if rs else None
fmt = lambda v: '-' if v is None else '%.3f' % v
print('| question | duckdb s | sluice s | sluice/duckdb | rows | answers agree |')
print('|---|---:|---:|---:|---:|---|')
total = {'duckdb': 0.0, 'sluice': 0.0}
for q in ['q1', 'q2', 'q3', 'q4', 'q5']:
    d, s = med('duckdb', q), med('sluice', q)
    for p, v in (('duckdb', d), ('sluice', s)):
        total[p] = None if v is None or total[p] is None else total[p] + v
    dr, sr = recs.get(('duckdb', q), [{}])[0], recs.get(('sluice', q), [{}])[0]
    agree = (dr.get('out_rows') == sr.get('out_rows') and sr.get('chk') is not None and
             all(abs(a - b) <= 1e-6 * max(1, abs(a)) for a, b in zip(dr['chk'], sr['chk'])))
    print('| %s | %s | %s | %s | %s | %s |' % (q, fmt(d), fmt(s), '-' if not d or s is None else '%.2f' % (s / d),
                                          dr.get('out_rows', '-'), 'yes' if agree else 'NO'))
ratio = '-' if not total['duckdb'] or total['sluice'] is None else '%.2f' % (total['sluice'] / total['duckdb'])
print('| total | %s | %s | %s | | |' % (fmt(total['duckdb']), fmt(total['sluice']), ratio))
load = {p: med(p, 'load') for p in ('duckdb', 'sluice')}
print('\nLoad of the four CSVs (excluded above): duckdb %s s, sluice %s s.' % (fmt(load['duckdb']), fmt(load['sluice'])))
EOF
}

for part in "${parts[@]}"; do
  case "$part" in
    groupby) run_groupby ;;
    join) run_join ;;
    *) echo "unknown part $part (groupby, join)" >&2; exit 2 ;;
  esac
done
echo "results: $OUT" >&2
