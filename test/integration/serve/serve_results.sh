#!/usr/bin/env bash
# End to end: `sluice serve` on an ephemeral loopback port over a workspace, exercised with curl:
# every route, filter operator, format, paging, version pinning, a hot swap under concurrent
# requests, tokens and scopes, PII masking, malformed requests, the OpenAPI document.
# Usage: serve_results.sh SLUICE   (run from the repository root)
set -euo pipefail
sluice=$(realpath "$1")
repo=$(pwd)
command -v curl >/dev/null || { echo "FAIL: curl is missing (scripts/bootstrap installs it)"; exit 1; }

source "$(dirname "$0")/common.sh"

"$sluice" init "$work" >/dev/null
cd "$work"
digits="(VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9))"
"$sluice" sql -c "CREATE TABLE numbers AS
  SELECT a.d * 1000 + b.d * 100 + c.d * 10 + e.d AS i, (a.d + b.d + c.d + e.d) % 7 AS k,
         CASE WHEN e.d = 0 THEN NULL ELSE 'n' || (b.d * 10 + e.d) END AS label
  FROM $digits a(d), $digits b(d), $digits c(d), $digits e(d)" >/dev/null
"$sluice" sql -c "CREATE TABLE people AS SELECT * FROM (VALUES
  (1, 'Ann Lee', 'ann@example.com', 'Lisbon'), (2, 'Bob Ray', 'bob@example.org', 'Porto'),
  (3, 'Cy Dee', 'cy@example.net', 'Faro')) AS t(id, name, email, city)" >/dev/null
"$sluice" sql -c "CREATE TABLE swap AS SELECT 1 AS v, i FROM numbers" >/dev/null

cat >> sluice.yaml <<YAML
serve:
  max_rows: 20000
  cors_origins: ["https://app.example.com"]
  tokens:
    - name: numbers_reader
      sha256: $("$sluice" token hash reader-secret)
      scopes: [read:numbers, read:swap]
    - name: people_reader
      sha256: $("$sluice" token hash people-secret)
      scopes: [read:people]
    - name: admin
      env: SLUICE_TEST_ADMIN
      scopes: ["read:*", pii]
YAML
SLUICE_TEST_ADMIN=admin-secret "$sluice" serve --listen 127.0.0.1:0 --no-access-log > serve.out 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q "serving" serve.out && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' serve.out | head -1)
[[ -n "$base" ]] || fail "sluice serve did not start: $(cat serve.out)"

# get TOKEN PATH [curl options...]: prints the body; the status goes to $work/status.
get() {
  local token=$1 path=$2; shift 2
  local auth=()
  [[ -n "$token" ]] && auth=(-H "Authorization: Bearer $token")
  curl -s -o body.out -w '%{http_code}' -D headers.out "${auth[@]}" "$@" "$base$path" > status
  cat body.out
}
status() { cat status; }
header() { { grep -i "^$1:" headers.out || true; } | head -1 | cut -d' ' -f2- | tr -d '\r'; }
rows() { get "$1" "$2" -H 'Accept: application/x-ndjson' | grep -c . || true; }
R=reader-secret P=people-secret A=admin-secret

echo "-- health, auth and scopes"
get "" /healthz >/dev/null; expect healthz "$(status)" 200
get "" /readyz >/dev/null; expect readyz "$(status)" 200
get "" /v1/results >/dev/null; expect "no token" "$(status)" 401
expect "challenge" "$(header www-authenticate)" 'Bearer realm="sluice"'
get wrong /v1/results >/dev/null; expect "unknown token" "$(status)" 401
get $R /v1/results/people >/dev/null; expect "wrong scope" "$(status)" 403
listed=$(get $R /v1/results | grep -o '"name":"[a-z]*"' | tr '\n' ' ')
expect "results a reader sees" "$listed" '"name":"numbers" "name":"swap" '

echo "-- filters (the oracle: the same condition in SQL)"
filter() {
  local expected
  expected=$("$sluice" sql -c "SELECT count(*) FROM numbers WHERE $2" --format csv | tail -1)
  [[ "$expected" -gt 0 || "$3" == empty ]] || fail "$1: the oracle found no rows"
  expect "$1" "$(rows $R "/v1/results/numbers?$1")" "$expected"
}
filter "k=eq.3" "k = 3"
filter "label=neq.n11" "label <> 'n11'"
filter "i=gt.100&i=lte.200" "i > 100 AND i <= 200"
filter "i=gte.9990&i=lt.9995" "i >= 9990 AND i < 9995"
filter "i=in.(1,5,9999,77777)" "i IN (1, 5, 9999, 77777)"
filter "i=not.in.(1,5)" "i NOT IN (1, 5)"
filter "label=is.null" "label IS NULL"
filter "label=not.is.null" "label IS NOT NULL"
filter "label=like.n9*" "label LIKE 'n9%'"
filter "label=ilike.N99" "label ILIKE 'N99'"
filter "label=in.(n1,%22n2%22,%22a,b%22)" "label IN ('n1', 'n2', 'a,b')"
filter "label=not.like.n*" "NOT (label LIKE 'n%')" empty
filter "k=not.eq.3&label=like.*7" "NOT (k = 3) AND label LIKE '%7'"

echo "-- select, order, limit, offset, formats"
expect "order" "$(get $R '/v1/results/numbers?select=i,k&order=i.desc&limit=2' | tr -d '\n ')" \
  '[{"i":9999,"k":1},{"i":9998,"k":0}]'
expect "offset" "$(get $R '/v1/results/numbers?select=i&order=i&limit=1&offset=42' | tr -d '\n ')" \
  '[{"i":42}]'
expect "nulls first" "$(get $R '/v1/results/numbers?select=label&order=label.asc.nullsfirst&limit=1' | tr -d '\n ')" \
  '[{"label":null}]'
get $R '/v1/results/numbers?select=i,label&order=i&limit=2&format=csv' > out.csv
expect "csv" "$(tr -d '\r' < out.csv | tr '\n' '|')" 'i,label|0,|1,n1|'
expect "csv type" "$(header content-type)" "text/csv; charset=utf-8"
get $R '/v1/results/numbers?k=eq.0' -H 'Accept: text/csv' > /dev/null
expect "accept csv" "$(header content-type)" "text/csv; charset=utf-8"
get $R '/v1/results/numbers?format=parquet' > numbers.parquet
expect "parquet rows" "$("$sluice" sql --memory -c "SELECT count(*), sum(i) FROM 'numbers.parquet'" --format csv | tail -1)" "10000,49995000"

echo "-- keyset paging visits every row once"
cursor= pages=0 seen=0
: > paged.txt
while :; do
  path="/v1/results/numbers?select=i&order=k.desc,i&limit=900&format=ndjson"
  [[ -n "$cursor" ]] && path="$path&cursor=$cursor"
  get $R "$path" >> paged.txt
  expect "page status" "$(status)" 200
  cursor=$(header x-next-cursor)
  pages=$((pages + 1))
  [[ -z "$cursor" || $pages -gt 20 ]] && break
done
expect "pages" "$pages" 12
expect "paged rows" "$(sort -u paged.txt | wc -l)" 10000
expect "paged total" "$(wc -l < paged.txt)" 10000

echo "-- versions: pinned, and swapped atomically under concurrent requests"
"$sluice" sql -c "CREATE OR REPLACE TABLE numbers AS SELECT * FROM numbers WHERE i < 10" >/dev/null
expect "latest" "$(rows $R /v1/results/numbers)" 10
expect "version=1" "$(rows $R '/v1/results/numbers?version=1')" 10000
get $R '/v1/results/numbers?version=7' >/dev/null; expect "missing version" "$(status)" 404
(for v in 2 3 4 5 6 7 8; do
   "$sluice" sql -c "CREATE OR REPLACE TABLE swap AS SELECT $v AS v, i FROM numbers FOR VERSION AS OF 1" >/dev/null
 done) &
writer=$!
for reader in 1 2 3 4; do
  (for n in $(seq 1 25); do
     curl -s -D "h$reader.out" -H "Authorization: Bearer $R" "$base/v1/results/swap?select=v&format=csv" \
       | tail -n +2 | tr -d '\r' | sort -u > "v$reader.out"
     version=$(grep -i '^x-result-version:' "h$reader.out" | tr -d '\r' | cut -d' ' -f2)
     [[ $(wc -l < "v$reader.out") == 1 ]] || { echo "mixed versions: $(cat "v$reader.out" | tr '\n' ' ')"; exit 1; }
     [[ "$(cat "v$reader.out")" == "$version" ]] || { echo "rows of v$(cat "v$reader.out") under version $version"; exit 1; }
   done) &
  pids+=($!)
done
for pid in "${pids[@]:1}"; do wait "$pid" || fail "a response mixed versions"; done
pids=("${pids[0]}")
wait $writer

echo "-- a lookup by a unique column answers from the in-memory key index"
expect "lookup" "$(get $A '/v1/results/people?id=eq.2' | tr -d '\n')" \
  '[{"id":2,"name":"Bob Ray","email":"bob@example.org","city":"Porto"}]'
expect "lookup select" "$(get $A '/v1/results/people?select=name&id=eq.3' | tr -d '\n')" '[{"name":"Cy Dee"}]'
expect "lookup miss" "$(get $A '/v1/results/people?id=eq.99' | tr -d '\n ')" '[]'
expect "lookup masked" "$(get $P '/v1/results/people?id=eq.1&select=email' | tr -d '\n ')" '[{"email":"***"}]'
get $A '/v1/results/people?id=eq.x' >/dev/null; expect "lookup bad value" "$(status)" 400
for n in $(seq 1 20); do  # lookups follow new versions at once
  "$sluice" sql -c "CREATE OR REPLACE TABLE swap AS SELECT $((n + 100)) AS v, i FROM numbers FOR VERSION AS OF 1" >/dev/null
  expect "lookup after commit $n" "$(get $R '/v1/results/swap?i=eq.77&select=v&format=csv' | tail -1 | tr -d '\r')" "$((n + 100))"
done
echo "-- a new version is indexed when it is committed, before any request asks for it"
get $R '/v1/results/swap?i=eq.1' >/dev/null
next=$(($(header x-result-version) + 1))
"$sluice" sql -c "CREATE OR REPLACE TABLE swap AS SELECT 200 AS v, i FROM numbers FOR VERSION AS OF 1" >/dev/null
for _ in $(seq 1 100); do  # only /metrics is asked: nothing filters on the key meanwhile
  get "" /metrics >/dev/null
  grep -q "^sluice_result_indexed_version{result=\"swap\"} $next\$" body.out && break
  sleep 0.05
done
grep -q "^sluice_result_indexed_version{result=\"swap\"} $next\$" body.out ||
  fail "version $next of swap not indexed: $(grep indexed_version body.out)"
expect "lookup of the indexed version" "$(get $R '/v1/results/swap?i=eq.77&select=v&format=csv' | tail -1 | tr -d '\r')" 200

echo "-- PII columns are masked without the pii scope"
expect "masked" "$(get $P '/v1/results/people?select=id,email&order=id&limit=1' | tr -d '\n ')" \
  '[{"id":1,"email":"***"}]'
expect "unmasked" "$(get $A '/v1/results/people?select=email&order=id&limit=1' | tr -d '\n ')" \
  '[{"email":"ann@example.com"}]'
get $P '/v1/results/people?email=like.ann*' >/dev/null; expect "filter on pii" "$(status)" 403

echo "-- malformed requests name the parameter"
get $R '/v1/results/numbers?nope=eq.1' | grep -q '"parameter":"nope"' || fail "unknown column: $(cat body.out)"
expect "unknown column" "$(status)" 400
get $R '/v1/results/numbers?i=xx.1' | grep -q '"parameter":"i"' || fail "bad operator: $(cat body.out)"
get $R '/v1/results/numbers?i=gt.ten' >/dev/null; expect "bad value" "$(status)" 400
get $R '/v1/results/numbers?limit=-1' | grep -q '"parameter":"limit"' || fail "bad limit: $(cat body.out)"
get $R '/v1/results/numbers?cursor=garbage' | grep -q '"parameter":"cursor"' || fail "bad cursor"
get $R '/v1/results/numbers?format=xml' >/dev/null; expect "bad format" "$(status)" 400
get $A /v1/results/nothing >/dev/null; expect "unknown result" "$(status)" 404
get $A /v2/other >/dev/null; expect "unknown route" "$(status)" 404
get $A /v1/results -X POST >/dev/null; expect "POST" "$(status)" 405

echo "-- CORS, metrics, OpenAPI"
get $R /v1/results -H 'Origin: https://app.example.com' >/dev/null
expect "cors" "$(header access-control-allow-origin)" "https://app.example.com"
get $R /v1/results -H 'Origin: https://evil.example.com' >/dev/null
expect "no cors" "$(header access-control-allow-origin)" ""
get "" /metrics | grep -q 'sluice_http_requests_total{route="/v1/results/{name}",code="2xx"}' \
  || fail "metrics: $(cat body.out | head -5)"
grep -q 'sluice_result_version{result="swap"}' body.out || fail "no version gauge"
get "" /openapi.json > openapi.json
(cd "$repo" && node test/integration/serve/validate-openapi.cjs "$work/openapi.json") \
  || fail "the served OpenAPI document is not valid"
grep -q '"/v1/results/numbers"' openapi.json || fail "no path for numbers"

echo "-- a second replica over the same workspace gives the same answers"
SLUICE_TEST_ADMIN=admin-secret "$sluice" serve --listen 127.0.0.1:0 --no-access-log > replica.out 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q "serving" replica.out && break; sleep 0.1; done
replica=$(grep -o 'http://127.0.0.1:[0-9]*' replica.out | head -1)
for path in "/v1/results/numbers?order=i.desc" "/v1/results/swap?i=eq.5" "/v1/results/people?format=csv"; do
  one=$(curl -s -H "Authorization: Bearer $A" "$base$path")
  two=$(curl -s -H "Authorization: Bearer $A" "$replica$path")
  [[ -n "$one" && "$one" == "$two" ]] || fail "replicas differ on $path"
done
kill -INT "${pids[1]}" && wait "${pids[1]}"

kill -INT "${pids[0]}"
wait "${pids[0]}" || fail "sluice serve did not stop cleanly: $(cat serve.out)"
pids=()
echo "PASS"
