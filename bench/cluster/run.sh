#!/usr/bin/env bash
# Measures distributed runs: the db-benchmark groupby questions (G1_<ROWS>_1e2_0_0) and join
# questions (J1_<ROWS>) at 1 rank (plain `sluice --threads 1 sql`) and at 2 and 4 ranks
# (`mpirun --oversubscribe -np N sluice --threads 1 sql`). One process per part and rank count:
# it loads the CSVs into temp tables, then per question runs EXPLAIN ANALYZE (bytes each rank
# sent through every EXCHANGE, rank 0's per-operator ms) and the question RUNS times (--timer).
# Checks that the 2- and 4-rank answers equal the 1-rank answer (rows sorted; floats to 1e-9
# relative, or 1e-12 absolute for rounding noise around an exact 0, listed as notes) and fails
# if not. Prints a markdown table; writes bench/cluster/results.csv.
# Usage: bench/cluster/run.sh SLUICE [ROWS]     ROWS default 1e6 (below 1e6 the joins are skipped)
# Env: BENCH_DATA (~/.cache/sluice-bench/data), PARTS ("groupby join"), RANKS ("1 2 4"; the
#      first is the reference), RUNS (timed runs per question, default 2; the fastest is kept),
#      JOIN_QUESTIONS (default "q1 q2 q3 q4 q5"), TIMEOUT (seconds per process, default 1800),
#      ABS_TOLERANCE (default 1e-12; 0 = relative tolerance only), RESULTS_CSV (default
#      bench/cluster/results.csv), KEEP=1 keeps the raw outputs (path printed).
# Data: ../shared/bench/gen-data.sh and bench/gen-join-data.sh, called when the files are missing.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
HARNESS="${BENCH_HARNESS:-$ROOT/../shared/bench}"
DATA="${BENCH_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice-bench/data}"
RESULTS_CSV="${RESULTS_CSV:-$HERE/results.csv}"
read -r -a parts <<< "${PARTS:-groupby join}"
read -r -a ranks <<< "${RANKS:-1 2 4}"
RUNS="${RUNS:-2}"
TIMEOUT="${TIMEOUT:-1800}"
JOIN_QUESTIONS="${JOIN_QUESTIONS:-q1 q2 q3 q4 q5}"
ABS_TOLERANCE="${ABS_TOLERANCE:-1e-12}"

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 SLUICE [ROWS]   (e.g. $0 build/release/src/cli/sluice 1e6)" >&2
  exit 2
fi
rows="${2:-1e6}"
[ -x "$1" ] || { echo "error: $1 is not an executable sluice binary" >&2; exit 1; }
for n in "${ranks[@]}"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "error: RANKS must hold positive integers, not '$n'" >&2; exit 2; }
  if [ "$n" -gt 1 ] && ! command -v mpirun > /dev/null; then
    echo "error: mpirun not found on PATH (needed for $n ranks); install Open MPI (apt-get install openmpi-bin) or set RANKS=1" >&2
    exit 1
  fi
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "error: RUNS must be a positive integer, not '$RUNS'" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sluice-cluster.XXXXXX")"
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "raw outputs kept in $tmp" >&2; else rm -rf "$tmp"; fi; }
trap cleanup EXIT
# A private copy: the binary may be rebuilt while the benchmark runs.
cp "$1" "$tmp/sluice"
bin="$tmp/sluice"

# Writes the SQL script of part $1 to stdout: the loads, then per question a marker row, its
# EXPLAIN ANALYZE, and RUNS times (marker, question). The analysis below relies on this order.
write_script() {
  python3 - "$@" "$RUNS" <<'EOF'
import json, sys
part, questions, tables, runs = sys.argv[1], sys.argv[2], sys.argv[3:-1], int(sys.argv[-1])
wanted = set(questions.split(':')[1].split()) if ':' in questions else None
questions = json.load(open(questions.split(':')[0]))
for table in tables:
    name, path = table.split('=', 1)
    print("CREATE TEMP TABLE %s AS SELECT * FROM '%s';" % (name, path.replace("'", "''")))
for q in questions:
    if wanted is not None and q['id'] not in wanted:
        continue
    print("SELECT '%s explain' AS sluice_cluster_step;" % q['id'])
    print('EXPLAIN ANALYZE %s;' % q['sql'])
    for run in range(1, runs + 1):
        print("SELECT '%s run%d' AS sluice_cluster_step;" % (q['id'], run))
        print('%s;' % q['sql'])
EOF
}

# Runs part $1's script at $2 ranks; raw outputs go to $tmp/<part>.<ranks>.{out,err}.
run_part() {
  local part="$1" n="$2" stem="$tmp/$1.$2" rc=0
  local launch=()
  [ "$n" -gt 1 ] && launch=(mpirun --oversubscribe -np "$n")
  echo "== $part at $n rank(s)" >&2
  local t0 t1
  t0=$(date +%s.%N)
  (cd "$tmp" && timeout "$TIMEOUT" "${launch[@]}" "$bin" --threads 1 sql --memory --format csv \
    --timer "$tmp/$part.sql" > "$stem.out" 2> "$stem.err") || rc=$?
  t1=$(date +%s.%N)
  echo "$t0 $t1" > "$stem.wall"
  if [ "$rc" -ne 0 ]; then
    echo "error: $part at $n rank(s) exited with $rc$([ "$rc" -eq 124 ] && echo " (timeout ${TIMEOUT}s)"); its stderr ends:" >&2
    tail -n 20 "$stem.err" >&2
    exit 1
  fi
}

groupby_csv="$DATA/G1_${rows}_1e2_0_0.csv"
requested=("${parts[@]}")
parts=()
for part in "${requested[@]}"; do
  case "$part" in
    groupby)
      [ -s "$groupby_csv" ] || "$HARNESS/gen-data.sh" "$rows" >&2
      write_script groupby "$HARNESS/groupby-questions.json" "x=$groupby_csv" > "$tmp/groupby.sql"
      ;;
    join)
      # join_gen names files by N in short form (1e6) and by N/1e6, N/1e3 for small and medium.
      read -r n small medium < <(python3 -c "
import sys
n = int(float(sys.argv[1]))
short = lambda v: (lambda s: s[0] + 'e' + str(len(s) - 1))(str(int(v)))
print(short(n) if n >= 10**6 else '-', short(max(n // 10**6, 1)), short(max(n // 10**3, 1)))" "$rows")
      if [ "$n" = - ]; then
        echo "warning: the join data needs ROWS >= 1e6 (bench/join_gen.cc); skipping the joins" >&2
        continue
      fi
      [ -s "$DATA/J1_${n}_NA_0_0.csv" ] || "$ROOT/bench/gen-join-data.sh" "$n" >&2
      write_script join "$ROOT/bench/join-questions.json:$JOIN_QUESTIONS" \
        "x=$DATA/J1_${n}_NA_0_0.csv" "small=$DATA/J1_${n}_${small}_0_0.csv" \
        "medium=$DATA/J1_${n}_${medium}_0_0.csv" "big=$DATA/J1_${n}_${n}_0_0.csv" > "$tmp/join.sql"
      ;;
    *) echo "error: unknown part $part (groupby, join)" >&2; exit 2 ;;
  esac
  parts+=("$part")
done
[ ${#parts[@]} -gt 0 ] || { echo "error: nothing to run" >&2; exit 1; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for part in "${parts[@]}"; do
  for n in "${ranks[@]}"; do run_part "$part" "$n"; done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$tmp" "$RESULTS_CSV" "$rows" "$RUNS" "${parts[*]}" "${ranks[*]}" "$ABS_TOLERANCE" <<'EOF'
import csv, re, sys
tmp, results_csv, data_rows, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
parts, ranks = sys.argv[5].split(), [int(r) for r in sys.argv[6].split()]
UNITS = {'bytes': 1, 'KiB': 1024, 'MiB': 1024 ** 2, 'GiB': 1024 ** 3, 'TiB': 1024 ** 4}
TOLERANCE = 1e-9
ABS_TOLERANCE = float(sys.argv[7])

def to_bytes(text):
    number, unit = text.split()
    return float(number) * UNITS[unit]

def read_steps(stem):
    """Returns {step: [stdout lines]} and the list of Run Time seconds, in statement order."""
    steps, current = {'load': []}, 'load'
    lines = open(stem + '.out').read().splitlines()
    i = 0
    while i < len(lines):
        if lines[i] == 'sluice_cluster_step' and i + 1 < len(lines):
            current = lines[i + 1]
            steps[current] = []
            i += 2
            continue
        steps[current].append(lines[i])
        i += 1
    times = [float(t) for t in re.findall(r'^Run Time: ([0-9.]+) s$', open(stem + '.err').read(), re.M)]
    return steps, times

def parse_plan(lines):
    """Returns the exchanges [(kind, [sent per rank])] and rank 0's exchange and other ms."""
    exchanges, exchange_ms, other_ms = [], 0.0, 0.0
    for row in csv.reader(lines[1:]):
        line = row[0] if row else ''
        ms = re.search(r', ([0-9.]+) ms[,)]', line)
        if not ms:
            continue
        if 'EXCHANGE [' in line:
            exchange_ms += float(ms.group(1))
            m = re.search(r'EXCHANGE \[(.*?); sent (.*?), received (.*?) \(per rank\)', line)
            if not m:
                sys.exit('error: cannot read the byte counts of: ' + line)
            kind = ('repartition' if m.group(1).startswith('hash') else
                    'gather_all' if 'every rank' in m.group(1) else 'gather_rank0')
            exchanges.append((kind, [to_bytes(v) for v in m.group(2).split(' / ')]))
        else:
            other_ms += float(ms.group(1))
    return exchanges, exchange_ms, other_ms

def cell(text):
    try:
        return ('n', int(text), False)
    except ValueError:
        pass
    try:
        return ('n', float(text), True)
    except ValueError:
        return ('s', text, False)

def parse(line):
    return [cell(v) for v in next(csv.reader([line]))]

def answer(lines):
    """Returns the header and the rows as text, sorted (a cheap first order; see differences)."""
    return lines[0], sorted(lines[1:])

def compare(rows1, rows2):
    """Returns the rows that differ beyond the tolerances, and those equal only by ABS_TOLERANCE."""
    hard, near_zero = [], []
    for a, b in zip(rows1, rows2):
        if a == b:
            continue
        a, b = (parse(r) if isinstance(r, str) else r for r in (a, b))
        near = False
        for x, y in zip(a, b):
            if x[0] != y[0] or (x[0] == 's' and x[1] != y[1]):
                break
            if x[0] == 'n' and x[1] != y[1]:
                if not (x[2] or y[2]):
                    break
                difference = abs(x[1] - y[1])
                if difference <= TOLERANCE * max(abs(x[1]), abs(y[1])):
                    continue
                if difference > ABS_TOLERANCE:
                    break
                near = True
        else:
            if len(a) == len(b):
                if near:
                    near_zero.append((a, b))
                continue
        hard.append((a, b))
    return hard, near_zero

def differences(reference, other):
    """Returns the differences between two answers beyond the tolerances (empty: equal) and notes
    on the values that were equal only within ABS_TOLERANCE."""
    (h1, r1), (h2, r2) = reference, other
    if h1 != h2:
        return ['columns %s against %s' % (h1, h2)], []
    if len(r1) != len(r2):
        return ['%d rows against %d rows' % (len(r1), len(r2))], []
    hard, near_zero = compare(r1, r2)
    if hard:  # rounding noise can reorder text-sorted rows: sort by typed values and compare again
        key = lambda r: [(c[0], c[1]) for c in r]
        hard, near_zero = compare(sorted(map(parse, r1), key=key), sorted(map(parse, r2), key=key))
    show = lambda r: ','.join(str(c[1]) for c in r)
    describe = lambda pairs: ['row %s against %s' % (show(a), show(b)) for a, b in pairs]
    return describe(hard), describe(near_zero)

records, failures, notes = [], [], []
for part in parts:
    reference = {}
    for n in ranks:
        stem = '%s/%s.%d' % (tmp, part, n)
        steps, times = read_steps(stem)
        questions = sorted({s.split()[0] for s in steps if s != 'load'}, key=lambda q: int(q[1:]))
        loads = open('%s/%s.sql' % (tmp, part)).read().count('CREATE TEMP TABLE')
        if len(times) != loads + len(questions) * (2 + 2 * runs):
            sys.exit('error: %s at %d ranks printed %d run times, expected %d; see %s.err'
                     % (part, n, len(times), loads + len(questions) * (2 + 2 * runs), stem))
        t0, t1 = (float(v) for v in open(stem + '.wall').read().split())
        for index, q in enumerate(questions):
            at = loads + index * (2 + 2 * runs)
            exchanges, exchange_ms, other_ms = parse_plan(steps[q + ' explain'])
            got = answer(steps[q + ' run1'])
            if n == ranks[0]:
                reference[q] = got
            else:
                hard, near_zero = differences(reference[q], got)
                for diff in hard:
                    failures.append('%s %s at %d ranks differs from %d rank(s): %s'
                                    % (part, q, n, ranks[0], diff))
                for diff in near_zero:
                    notes.append('%s %s at %d ranks: equal within ABS_TOLERANCE only: %s'
                                 % (part, q, n, diff))
            by_kind = lambda k: sum(sum(s) for kind, s in exchanges if kind == k)
            sent = [sum(s[r] for _, s in exchanges) for r in range(n)] if exchanges else [0] * n
            records.append(dict(
                part=part, question=q, ranks=n, data_rows=data_rows, out_rows=len(got[1]),
                exchanges=len(exchanges), bytes_sent=round(sum(sent)),
                bytes_repartition=round(by_kind('repartition')),
                bytes_gather_rank0=round(by_kind('gather_rank0')),
                bytes_gather_all=round(by_kind('gather_all')),
                bytes_sent_per_rank=' '.join(str(round(s)) for s in sent),
                exchange_bytes=' '.join('%s=%d' % (kind, round(sum(s))) for kind, s in exchanges),
                time_s=min(times[at + 3 + 2 * r] for r in range(runs)),
                times_s=' '.join('%.3f' % times[at + 3 + 2 * r] for r in range(runs)),
                explain_s=times[at + 1], rank0_exchange_ms=round(exchange_ms, 1),
                rank0_other_ms=round(other_ms, 1), load_s=round(sum(times[:loads]), 3),
                process_wall_s=round(t1 - t0, 2)))

with open(results_csv, 'w', newline='') as f:
    writer = csv.DictWriter(f, fieldnames=list(records[0]))
    writer.writeheader()
    writer.writerows(records)

mib = lambda b: '%.2f' % (b / 2 ** 20)
get = lambda part, q, n: next((r for r in records if (r['part'], r['question'], r['ranks']) == (part, q, n)), None)
print('Data: %s rows. Time = fastest of %d --timer runs on rank 0, one thread per rank; bytes = sum over '
      'ranks and exchanges of EXPLAIN ANALYZE\'s "sent" (1 decimal of KiB/MiB, so +-0.05 units).\n' % (data_rows, runs))
multi = [n for n in ranks if n > 1]
head = ['question', 'out rows'] + ['MiB sent %dr' % n for n in multi] + ['s %dr' % n for n in ranks]
head += ['speedup %dr' % n for n in multi] + ['r0 exch ms %dr' % n for n in multi]
print('| ' + ' | '.join(head) + ' |')
print('|---|' + '---:|' * (len(head) - 1))
for part in parts:
    for q in dict.fromkeys(r['question'] for r in records if r['part'] == part):
        base = get(part, q, ranks[0])
        cells = ['%s %s' % (part, q), str(base['out_rows'])]
        cells += [mib(get(part, q, n)['bytes_sent']) for n in multi]
        cells += ['%.3f' % get(part, q, n)['time_s'] for n in ranks]
        cells += ['%.2f' % (base['time_s'] / get(part, q, n)['time_s']) if get(part, q, n)['time_s'] else '-'
                  for n in multi]
        cells += ['%.0f / %.0f' % (get(part, q, n)['rank0_exchange_ms'],
                                   get(part, q, n)['rank0_exchange_ms'] + get(part, q, n)['rank0_other_ms'])
                  for n in multi]
        print('| ' + ' | '.join(cells) + ' |')
print()
for part in parts:
    first = next(r for r in records if r['part'] == part)
    print('%s CSV load (CREATE TEMP TABLE of every input), s at %s ranks: %s' % (
        part, '/'.join(map(str, ranks)),
        ' / '.join('%.3f' % get(part, first['question'], n)['load_s'] for n in ranks)))
print('"r0 exch ms" = rank 0\'s EXCHANGE operators / all its operators in EXPLAIN ANALYZE (ms).')
print('CSV: %s' % results_csv)
for note in notes:
    print('note: ' + note, file=sys.stderr)
if failures:
    print('\nANSWERS DIFFER BETWEEN RANK COUNTS:', file=sys.stderr)
    for f in failures:
        print('  ' + f, file=sys.stderr)
    sys.exit(1)
print('Answers at %s ranks equal the %d-rank answers.' % (', '.join(map(str, multi)), ranks[0]))
EOF
