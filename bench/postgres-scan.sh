#!/usr/bin/env bash
# Scans a 5M-row PostgreSQL table with Sluice (postgres_scan: binary COPY, decoded into
# batches) and with psql's \copy to /dev/null (the transfer alone, text and binary) as peers,
# against one throwaway PostgreSQL 15 server on loopback, in one run; prints a markdown table.
# Usage: bench/postgres-scan.sh          Env: ROWS (5000000), RUNS (best of, 3),
#        BUILD (build/release), PG_BIN (/usr/lib/postgresql/15/bin)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rows="${ROWS:-5000000}"
runs="${RUNS:-3}"
sluice="$ROOT/${BUILD:-build/release}/src/cli/sluice"
pg_bin="${PG_BIN:-/usr/lib/postgresql/15/bin}"
[ -x "$sluice" ] || { echo "missing $sluice: cmake --build --preset release" >&2; exit 1; }
[ -x "$pg_bin/pg_ctl" ] || { echo "missing $pg_bin/pg_ctl: scripts/bootstrap" >&2; exit 1; }

dir=$(mktemp -d /tmp/sluice-pg-bench-XXXXXX)
as_server() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
  as_server "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
as_server "$pg_bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync >/dev/null
as_server "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=512MB" \
  start >/dev/null
url="postgresql://postgres@127.0.0.1:$port/postgres"
psql=("$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "$url")

"${psql[@]}" -c "CREATE TABLE t AS SELECT g::bigint AS id, (g % 1000)::int AS n,
  g * 0.25 AS x, md5(g::text) AS s, DATE '2020-01-01' + (g % 3650) AS d,
  TIMESTAMP '2020-01-01' + g * INTERVAL '1 second' AS ts
  FROM generate_series(1, $rows) g" -c "VACUUM ANALYZE t"
bytes=$("${psql[@]}" -At -c "SELECT pg_table_size('t')")

best() {  # best-of-$runs wall seconds of "$@"
  local best=""
  for _ in $(seq 1 "$runs"); do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    best=$(awk -v a="$best" -v s="$start" -v e="$end" 'BEGIN { t = e - s; printf "%.3f", (a == "" || t < a) ? t : a }')
  done
  echo "$best"
}
query="SELECT count(*), sum(id), sum(n), sum(x), max(s), max(d), max(ts) FROM postgres_scan('$url', 't')"
ours=$(best "$sluice" sql --memory -c "$query")
text=$(best "${psql[@]}" -c "\\copy t to /dev/null")
binary=$(best "${psql[@]}" -c "\\copy t to /dev/null with (format binary)")

rate() { awk -v n="$rows" -v s="$1" 'BEGIN { printf "%.2f", n / s / 1e6 }'; }
echo "| scan of $rows rows (6 columns, $((bytes / 1000000)) MB in PostgreSQL), best of $runs | seconds | M rows/s | Sluice / peer (time) |"
echo "|---|---:|---:|---:|"
echo "| sluice sql -c \"SELECT count(*), sum(id), … max(ts) FROM postgres_scan(…)\" (process start included) | $ours | $(rate "$ours") | 1.00 |"
for peer in "psql \\copy t to /dev/null (text):$text" "psql \\copy t to /dev/null (binary):$binary"; do
  name="${peer%:*}"; seconds="${peer##*:}"
  echo "| $name | $seconds | $(rate "$seconds") | $(awk -v a="$ours" -v b="$seconds" 'BEGIN { printf "%.2f", a / b }') |"
done
