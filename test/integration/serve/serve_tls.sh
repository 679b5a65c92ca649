#!/usr/bin/env bash
# End to end: `sluice serve` and `sluice up` with serve.tls (a self-signed certificate from the
# openssl CLI) serve HTTPS on an ephemeral loopback port: curl trusting that certificate gets
# the routes, a streamed result and two requests over one connection; plain HTTP to the port
# gets a 400 and untrusting curl fails; unusable certificate or key files stop the start with an
# error naming them. Then the base URL behind a proxy: /openapi.json's server and the listing's
# links follow X-Forwarded-Proto/-Host/-Prefix with serve.trust_forwarded_headers: true only.
# Usage: serve_tls.sh SLUICE   (run from the repository root)
set -euo pipefail
sluice=$(realpath "$1")
for tool in curl openssl; do
  command -v $tool >/dev/null || { echo "FAIL: $tool is missing (scripts/bootstrap installs it)"; exit 1; }
done

source "$(dirname "$0")/common.sh"

"$sluice" init "$work" >/dev/null
cd "$work"
digits="(VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9))"
"$sluice" sql -c "CREATE TABLE numbers AS SELECT a.d * 1000 + b.d * 100 + c.d * 10 + e.d AS i
  FROM $digits a(d), $digits b(d), $digits c(d), $digits e(d)" >/dev/null
mkdir certs
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout certs/key.pem -out certs/cert.pem 2>/dev/null
cp sluice.yaml plain.yaml

# configure YAML: sluice.yaml becomes the workspace's own plus the serve: section YAML.
configure() { { cat plain.yaml; printf 'serve:\n%s\n' "$1"; } > sluice.yaml; }
# start OUT COMMAND...: runs `sluice COMMAND --listen 127.0.0.1:0` in the background, its output
# in OUT, and sets $base from its first URL.
start() {
  local out=$1; shift
  "$sluice" "$@" --listen 127.0.0.1:0 > "$out" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q "serving" "$out" && break; sleep 0.1; done
  base=$(grep -o 'https\?://127.0.0.1:[0-9]*' "$out" | head -1)
  [[ -n "$base" ]] || fail "sluice $1 did not start: $(cat "$out")"
}
# stop: interrupts the last process started and checks that it ends cleanly.
stop() {
  local pid=${pids[-1]}
  kill -INT "$pid"
  wait "$pid" || fail "the server did not stop cleanly"
  unset 'pids[-1]'
}
# get PATH [curl options...]: prints the body over HTTPS trusting certs/cert.pem; the status
# goes to $work/status.
get() {
  local path=$1; shift
  curl -s --cacert certs/cert.pem -o body.out -w '%{http_code}' "$@" "$base$path" > status
  cat body.out
}
server_url() { grep -o '"servers":\[{"url":"[^"]*"' | cut -d'"' -f6; }

echo "-- HTTPS with serve.tls"
configure "  tls: {cert: certs/cert.pem, key: certs/key.pem}"
start serve.out serve
[[ "$base" == https://* ]] || fail "the startup lines name $base, not an https:// URL"
listing=$(get /v1/results)
expect "results" "$(cat status)" 200
[[ "$listing" == *"\"rows\":\"$base/v1/results/numbers\""* ]] || fail "links: $listing"
expect "openapi server" "$(get /openapi.json | server_url)" "$base"
expect "streamed rows" "$(get '/v1/results/numbers?format=ndjson' | wc -l)" 10000
expect "one connection for two requests" \
  "$(curl -s --cacert certs/cert.pem -o /dev/null -o /dev/null -w '%{num_connects} ' \
     "$base/healthz" "$base/readyz")" "1 0 "
expect "TLS 1.2" "$(curl -s --cacert certs/cert.pem --tlsv1.2 --tls-max 1.2 -o /dev/null \
  -w '%{http_code}' "$base/healthz")" 200
plain=$(curl -s -w ' %{http_code}' "http://${base#https://}/v1/results" || true)
[[ "$plain" == *"use an https:// URL"*" 400" ]] || fail "plain HTTP to the TLS port: $plain"
if curl -s -o /dev/null "$base/healthz"; then fail "curl trusted a self-signed certificate"; fi
stop

echo "-- sluice up serves HTTPS too"
start up.out up
expect "up over https" "$(get /healthz)" '{"status":"ok"}'
stop

echo "-- unusable certificate or key files stop the start, naming the file"
# start_error YAML: prints what `sluice serve` says when it refuses to start.
start_error() {
  configure "$1"
  if "$sluice" serve --listen 127.0.0.1:0 > error.out 2>&1; then fail "served with $1"; fi
  cat error.out
}
echo "not a key" > certs/bad.pem
[[ "$(start_error "  tls: {cert: certs/cert.pem, key: certs/bad.pem}")" == \
   *"the TLS private key '$work/certs/bad.pem' holds no usable PEM private key"* ]] \
  || fail "bad key: $(cat error.out)"
[[ "$(start_error "  tls: {cert: certs/key.pem, key: certs/key.pem}")" == \
   *"the TLS certificate '$work/certs/key.pem' holds no usable PEM certificate"* ]] \
  || fail "key as certificate: $(cat error.out)"
[[ "$(start_error "  tls: {cert: certs/none.pem, key: certs/key.pem}")" == \
   *"cannot read the TLS certificate '$work/certs/none.pem': No such file or directory"* ]] \
  || fail "missing certificate: $(cat error.out)"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
  -keyout certs/other-key.pem -out certs/other-cert.pem 2>/dev/null
[[ "$(start_error "  tls: {cert: certs/cert.pem, key: certs/other-key.pem}")" == \
   *"the TLS private key '$work/certs/other-key.pem' does not belong to the certificate"* ]] \
  || fail "key of another certificate: $(cat error.out)"

echo "-- X-Forwarded-* headers set the base URL only with trust_forwarded_headers: true"
forwarded=(-H 'X-Forwarded-Proto: https' -H 'X-Forwarded-Host: data.example.com'
           -H 'X-Forwarded-Prefix: /sluice')
configure "  listen: 127.0.0.1:0"
start serve.out serve
expect "untrusted headers" "$(curl -s "${forwarded[@]}" "$base/openapi.json" | server_url)" "$base"
stop
configure "  trust_forwarded_headers: true
  tls: {cert: certs/cert.pem, key: certs/key.pem}"
start serve.out serve
expect "trusted headers" "$(get /openapi.json "${forwarded[@]}" | server_url)" \
  "https://data.example.com/sluice"
[[ "$(get /v1/results "${forwarded[@]}")" == \
   *'"rows":"https://data.example.com/sluice/v1/results/numbers"'* ]] \
  || fail "links behind the proxy: $(cat body.out)"
expect "without the headers" "$(get /openapi.json | server_url)" "$base"
stop
echo "PASS"
