#!/usr/bin/env bash
# Measures `sluice serve` with wrk on loopback beside nginx serving the same response bodies as
# static files, in one run, and prints a markdown table (requests/s, p99 latency, ratio).
# Cases: a point lookup of one key (SFO), point lookups cycling through every airport code
# (3376 keys), a 100-row filtered, ordered page of a 41k-row result made from
# flights-3m.parquet, and such pages cycling through every origin, three orders and every
# offset (1683 pages, more bytes than sluice keeps of answers: each one is computed). Each case
# runs against sluice, then nginx, RUNS times; the table shows the medians. wrk, sluice and
# nginx share the machine's cores.
# Usage: bench/serve/run.sh [SLUICE_BIN]   (default build/sluice)
# Env: DURATION (wrk seconds per case, 10), CONNECTIONS (64), WRK_THREADS (2), RUNS (1),
#      WARMUP (seconds per server and case before measuring, 2)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
sluice="$(realpath "${1:-$ROOT/build/sluice}")"
data="$ROOT/node_modules/vega-datasets/data"
duration="${DURATION:-10}"
connections="${CONNECTIONS:-64}"
wrk_threads="${WRK_THREADS:-2}"
runs="${RUNS:-1}"
warmup="${WARMUP:-2}"
[ -x "$sluice" ] || { echo "missing $sluice: make build" >&2; exit 1; }
[ -s "$data/airports.csv" ] || { echo "missing $data: run scripts/bootstrap" >&2; exit 1; }

missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]} > 0)); then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 -y -q update >/dev/null
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 -y -q install --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

dir=$(mktemp -d /tmp/sluice-serve-bench-XXXXXX)
chmod 755 "$dir"  # nginx's workers run as an unprivileged user and read $dir/www
sluice_pid=""
nginx_pid=""
stop() {
  if [ -n "$sluice_pid" ]; then
    kill "$sluice_pid" 2>/dev/null || true
    wait "$sluice_pid" || true
  fi
  # QUIT: nginx's graceful stop; its workers exit with the master.
  if [ -n "$nginx_pid" ]; then
    kill -QUIT "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" || true
  fi
  rm -rf "$dir"
}
trap stop EXIT
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}
wait_ready() {  # URL: waits up to 10 s for a 200
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "no answer from $1" >&2
  tail -n 20 "$dir"/*.log >&2
  exit 1
}

# The workspace and its two results.
"$sluice" init "$dir/ws" >/dev/null
(cd "$dir/ws" && "$sluice" sql -c "
  CREATE TABLE airports_by_code AS SELECT * FROM '$data/airports.csv';
  CREATE TABLE flights_by_origin_hour AS
    SELECT origin, hour(date) AS hour, destination, count(*) AS flights,
           avg(delay) AS avg_delay, avg(distance) AS avg_distance
    FROM '$data/flights-3m.parquet' GROUP BY ALL" >/dev/null)

sluice_port=$(free_port)
sluice_url="http://127.0.0.1:$sluice_port"
"$sluice" serve --workspace "$dir/ws" --listen "127.0.0.1:$sluice_port" --no-access-log \
  >"$dir/sluice.log" 2>&1 &
sluice_pid=$!
wait_ready "$sluice_url/readyz"

# Request paths per case; the same paths go to both servers.
lookup="/v1/results/airports_by_code?iata=eq."
page="/v1/results/flights_by_origin_hour?origin=eq.ATL&order=hour&limit=100"
echo "${lookup}SFO" >"$dir/lookup_sfo.paths"
curl -fsS "$sluice_url/v1/results/airports_by_code?select=iata&format=csv&limit=10000" |
  tail -n +2 | sed "s|^|$lookup|" >"$dir/lookup_cycled.paths"
echo "$page" >"$dir/page.paths"
keys=$(wc -l <"$dir/lookup_cycled.paths")
pages_prefix="/v1/results/flights_by_origin_hour?origin=eq."
(cd "$dir/ws" && "$sluice" sql --format csv -c "SELECT origin, count(*) AS n
   FROM flights_by_origin_hour GROUP BY origin ORDER BY origin") | tail -n +2 |
  while IFS=, read -r origin count; do
    for order in hour destination.desc flights.desc; do
      for ((offset = 0; offset < count; offset += 100)); do
        echo "$pages_prefix$origin&order=$order&limit=100&offset=$offset"
      done
    done
  done >"$dir/pages_cycled.paths"
pages=$(wc -l <"$dir/pages_cycled.paths")

# nginx's root: every body fetched once from sluice. A lookup's file is named after its iata
# argument (airports_by_code/eq.SFO.json), so nginx answers the very same URLs.
mkdir -p "$dir/www/airports_by_code" "$dir/nginx-temp"
while read -r path; do
  echo "url = \"$sluice_url$path\""
  echo "output = \"$dir/www/airports_by_code/eq.${path#"$lookup"}.json\""
done <"$dir/lookup_cycled.paths" >"$dir/bodies.curl"
while read -r path; do
  args=${path#"$pages_prefix"}  # ORIGIN&order=ORDER&limit=100&offset=K
  origin=${args%%&*}
  order=${args#*order=}
  order=${order%%&*}
  echo "url = \"$sluice_url$path\""
  echo "output = \"$dir/www/pages/eq.$origin.$order.${args##*offset=}.json\""
done <"$dir/pages_cycled.paths" >>"$dir/bodies.curl"
mkdir -p "$dir/www/pages"
curl -fsS -K "$dir/bodies.curl"
curl -fsS -o "$dir/www/flights_by_origin_hour.json" "$sluice_url$page"
page_bytes=$(stat -c %s "$dir/www/flights_by_origin_hour.json")
page_rows=$(grep -c '^{' "$dir/www/flights_by_origin_hour.json")

nginx_port=$(free_port)
nginx_url="http://127.0.0.1:$nginx_port"
cat >"$dir/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  open_file_cache max=10000 inactive=60s;
  client_body_temp_path $dir/nginx-temp/body;
  proxy_temp_path $dir/nginx-temp/proxy;
  fastcgi_temp_path $dir/nginx-temp/fastcgi;
  uwsgi_temp_path $dir/nginx-temp/uwsgi;
  scgi_temp_path $dir/nginx-temp/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $dir/www;
    location = /v1/results/airports_by_code {
      try_files /airports_by_code/\$arg_iata.json =404;
    }
    location = /v1/results/flights_by_origin_hour {
      try_files /pages/\$arg_origin.\$arg_order.\$arg_offset.json /flights_by_origin_hour.json =404;
    }
  }
}
EOF
/usr/sbin/nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/nginx-error.log" &
nginx_pid=$!
wait_ready "$nginx_url${lookup}SFO"
for path in "${lookup}SFO" "$page" "$(sed -n 1000p "$dir/pages_cycled.paths")"; do
  cmp -s <(curl -fsS "$sluice_url$path") <(curl -fsS "$nginx_url$path") ||
    { echo "sluice and nginx bodies differ for $path" >&2; exit 1; }
done

# Prints "<requests/s> <p99 ms> <bad status> <socket errors>" of one wrk run.
measure() {  # URL PATHS_FILE SECONDS
  wrk -t"$wrk_threads" -c"$connections" -d"$3s" -s "$ROOT/bench/serve/paths.lua" "$1" -- "$2" |
    sed -n 's/^RESULT //p'
}
median() {
  sort -g | awk '{ v[NR] = $1 }
    END { i = int((NR + 1) / 2); print (NR % 2) ? v[i] : (v[i] + v[i + 1]) / 2 }'
}

declare -A label=(
  [lookup_sfo]="point lookup, one key: \`airports_by_code?iata=eq.SFO\`"
  [lookup_cycled]="point lookup, $keys keys cycled: \`airports_by_code?iata=eq.<code>\`"
  [page]="$page_rows-row page ($page_bytes B): \`flights_by_origin_hour?${page#*\?}\`"
  [pages_cycled]="pages, $pages cycled: \`flights_by_origin_hour?origin=eq.<o>&order=<c>&limit=100&offset=<k>\`"
)
cases=(lookup_sfo lookup_cycled page pages_cycled)
for case in "${cases[@]}"; do
  for server in sluice nginx; do
    url="$sluice_url"; [ "$server" = nginx ] && url="$nginx_url"
    if [ "$warmup" -gt 0 ]; then measure "$url" "$dir/$case.paths" "$warmup" >/dev/null; fi
  done
done
started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for _ in $(seq 1 "$runs"); do
  for case in "${cases[@]}"; do
    measure "$sluice_url" "$dir/$case.paths" "$duration" >>"$dir/$case.sluice"
    measure "$nginx_url" "$dir/$case.paths" "$duration" >>"$dir/$case.nginx"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo "$started, $(nproc) cores, wrk -t$wrk_threads -c$connections" \
  "-d${duration}s, median of $runs run(s); load average before $load_before, after $load_after"
echo
echo "| case | sluice req/s | nginx req/s | sluice / nginx | sluice p99 ms | nginx p99 ms |"
echo "|---|---:|---:|---:|---:|---:|"
notes=()
for case in "${cases[@]}"; do
  for server in sluice nginx; do
    bad=$(awk '{ s += $3; t += $4 } END {
      if (s + t) printf "%d bad statuses, %d socket errors or timeouts (wrk: 2 s)", s, t }' \
      "$dir/$case.$server")
    [ -z "$bad" ] || notes+=("$server, $case, all runs: $bad")
    [ "$runs" -eq 1 ] ||
      notes+=("$server, $case, req/s of each run: $(cut -d' ' -f1 "$dir/$case.$server" | xargs)")
  done
  ours=$(cut -d' ' -f1 "$dir/$case.sluice" | median)
  theirs=$(cut -d' ' -f1 "$dir/$case.nginx" | median)
  ours_p99=$(cut -d' ' -f2 "$dir/$case.sluice" | median)
  theirs_p99=$(cut -d' ' -f2 "$dir/$case.nginx" | median)
  awk -v c="${label[$case]}" -v a="$ours" -v b="$theirs" -v pa="$ours_p99" -v pb="$theirs_p99" \
    'BEGIN { printf "| %s | %.0f | %.0f | %.2f | %.2f | %.2f |\n", c, a, b, a / b, pa, pb }'
done
if ((${#notes[@]} > 0)); then
  echo
  printf '%s  \n' "${notes[@]}"
fi
