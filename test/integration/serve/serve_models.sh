#!/usr/bin/env bash
# End to end: models trained in a workspace (vega-datasets cars.json) served by `sluice serve`
# on an ephemeral loopback port: predictions equal ML.PREDICT's for the same rows (regressor,
# classifier with threshold, k-means, TRANSFORM), the model listing and records, scopes,
# malformed requests, metrics, the OpenAPI document.
# Usage: serve_models.sh SLUICE   (run from the repository root)
set -euo pipefail
sluice=$(realpath "$1")
repo=$(pwd)
cars="$repo/node_modules/vega-datasets/data/cars.json"
command -v curl >/dev/null || { echo "FAIL: curl is missing (scripts/bootstrap installs it)"; exit 1; }
command -v node >/dev/null || { echo "FAIL: node is missing (scripts/bootstrap installs it)"; exit 1; }
[[ -f "$cars" ]] || { echo "FAIL: $cars is missing (scripts/bootstrap installs it)"; exit 1; }

source "$(dirname "$0")/common.sh"

"$sluice" init "$work" >/dev/null
cd "$work"
sql() { "$sluice" sql -c "$1" "${@:2}"; }
sql "CREATE TABLE cars AS SELECT * FROM '$cars'" >/dev/null
# Fords and the cars without horsepower (NULLs are imputed as at training).
sql "CREATE TABLE sample AS SELECT Cylinders, Horsepower, Weight_in_lbs, Year, Origin FROM cars
     WHERE Name LIKE 'ford%' OR Horsepower IS NULL" >/dev/null
sql "CREATE MODEL mpg OPTIONS (model_type = 'linear_reg', input_label_cols = ['Miles_per_Gallon'])
     AS SELECT Miles_per_Gallon, Cylinders, Horsepower, Weight_in_lbs, Year, Origin FROM cars" >/dev/null
sql "CREATE MODEL efficient OPTIONS (model_type = 'logistic_reg', input_label_cols = ['efficient'])
     AS SELECT Weight_in_lbs, Horsepower, Origin, Miles_per_Gallon > 25 AS efficient FROM cars
     WHERE Miles_per_Gallon IS NOT NULL" >/dev/null
sql "CREATE MODEL groups OPTIONS (model_type = 'kmeans', num_clusters = 3)
     AS SELECT Horsepower, Weight_in_lbs FROM cars" >/dev/null
# (Lower-case names: ML.PREDICT misses a TRANSFORM's label written in upper case.)
sql "CREATE MODEL tons TRANSFORM (weight / 1000.0 AS tons, origin, mpg)
     OPTIONS (model_type = 'linear_reg', input_label_cols = ['mpg'])
     AS SELECT Weight_in_lbs AS weight, Origin AS origin, Miles_per_Gallon AS mpg FROM cars" >/dev/null

cat >> sluice.yaml <<YAML
serve:
  tokens:
    - name: predictor
      sha256: $("$sluice" token hash predict-secret)
      scopes: ["predict:*"]
    - name: mpg_only
      sha256: $("$sluice" token hash mpg-secret)
      scopes: [predict:mpg]
    - name: reader
      sha256: $("$sluice" token hash read-secret)
      scopes: ["read:*"]
YAML
"$sluice" serve --listen 127.0.0.1:0 --no-access-log > serve.out 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q "serving" serve.out && break; sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*' serve.out | head -1)
[[ -n "$base" ]] || fail "sluice serve did not start: $(cat serve.out)"

# call TOKEN METHOD PATH [BODY-FILE]: prints the body; the status goes to $work/status.
call() {
  local token=$1 method=$2 path=$3 body=${4:-}
  local options=(-X "$method")
  [[ -n "$token" ]] && options+=(-H "Authorization: Bearer $token")
  [[ -n "$body" ]] && options+=(-H 'Content-Type: application/json' --data-binary "@$body")
  curl -s -o body.out -w '%{http_code}' -D headers.out "${options[@]}" "$base$path" > status
  cat body.out
}
status() { cat status; }
header() { { grep -i "^$1:" headers.out || true; } | head -1 | cut -d' ' -f2- | tr -d '\r'; }
# json EXPRESSION FILE: prints EXPRESSION evaluated with `d` the JSON of FILE.
json() { node -e "const d = JSON.parse(require('fs').readFileSync(process.argv[1])); console.log($1)" "$2"; }
P=predict-secret M=mpg-secret R=read-secret

# same_predictions RESPONSE ORACLE: checks that every prediction of RESPONSE (the API's answer)
# equals the row of ORACLE (ML.PREDICT's rows as `sluice sql --format json`) at its index, in
# the oracle's columns; JSON text columns of the oracle are compared as the objects they hold.
same_predictions() {
  node -e '
    const fs = require("fs");
    const got = JSON.parse(fs.readFileSync(process.argv[1])).predictions;
    const want = JSON.parse(fs.readFileSync(process.argv[2]));
    if (got.length !== want.length) throw new Error(`${got.length} predictions, ${want.length} rows`);
    want.forEach((row, i) => {
      for (const [key, value] of Object.entries(row)) {
        const expected = typeof value === "string" && value.startsWith("{") ? JSON.parse(value) : value;
        if (JSON.stringify(got[i][key]) !== JSON.stringify(expected)) {
          throw new Error(`row ${i} ${key}: got ${JSON.stringify(got[i][key])}, ML.PREDICT gave ${JSON.stringify(expected)}`);
        }
      }
    });' "$1" "$2" || fail "predictions differ from ML.PREDICT ($1)"
}
# predict_request FILE COLUMNS [THRESHOLD]: writes a request with the rows of `sample` as
# instances: COLUMNS is a comma-separated list of `column` or `column:key`.
sql "SELECT * FROM sample" --format json > sample.json
predict_request() {
  node -e '
    const rows = JSON.parse(require("fs").readFileSync("sample.json"));
    const keep = process.argv[1].split(",");
    const instances = rows.map((r) => Object.fromEntries(keep.map((k) => {
      const [column, key] = k.split(":");
      return [key || column, r[column]];
    })));
    const body = {instances};
    if (process.argv[2]) body.threshold = Number(process.argv[2]);
    console.log(JSON.stringify(body));' "$2" "${3:-}" > "$1"
}

echo "-- predictions equal ML.PREDICT's for the same rows"
rows=$(json 'd.length' sample.json)
[[ "$rows" -gt 40 ]] || fail "the sample has $rows rows"
predict_request mpg.json Cylinders,Horsepower,Weight_in_lbs,Year,Origin
call $P POST /v1/models/mpg/predict mpg.json > mpg.out
expect "mpg status" "$(status)" 200
expect "mpg version header" "$(header x-model-version)" 1
expect "mpg model" "$(json 'd.model + " " + d.model_version' mpg.out)" "mpg 1"
sql "SELECT predicted_Miles_per_Gallon FROM ML.PREDICT(MODEL mpg, TABLE sample)" --format json > mpg.oracle
same_predictions mpg.out mpg.oracle

predict_request efficient.json Weight_in_lbs,Horsepower,Origin
call $P POST /v1/models/efficient/predict efficient.json > efficient.out
expect "efficient status" "$(status)" 200
expect "boolean label" "$(json 'typeof d.predictions[0].predicted_efficient' efficient.out)" boolean
expect "probs object" "$(json 'Object.keys(d.predictions[0].predicted_efficient_probs).join()' efficient.out)" "false,true"
sql "SELECT predicted_efficient, predicted_efficient_probs FROM ML.PREDICT(MODEL efficient, TABLE sample)" \
  --format json > efficient.oracle
same_predictions efficient.out efficient.oracle
predict_request threshold.json Weight_in_lbs,Horsepower,Origin 0.9
call $P POST /v1/models/efficient/predict threshold.json > threshold.out
sql "SELECT predicted_efficient FROM ML.PREDICT(MODEL efficient, TABLE sample, STRUCT(0.9 AS threshold))" \
  --format json > threshold.oracle
same_predictions threshold.out threshold.oracle
[[ "$(json 'd.predictions.filter((p) => p.predicted_efficient).length' threshold.out)" -lt \
   "$(json 'd.predictions.filter((p) => p.predicted_efficient).length' efficient.out)" ]] \
  || fail "a threshold of 0.9 did not predict fewer efficient cars"

predict_request groups.json Horsepower,Weight_in_lbs
call $P POST /v1/models/groups/predict groups.json > groups.out
expect "groups status" "$(status)" 200
sql "SELECT centroid_id, nearest_centroids_distance FROM ML.PREDICT(MODEL groups, TABLE sample)" \
  --format json > groups.oracle
same_predictions groups.out groups.oracle

# TRANSFORM: the instances carry its inputs, typed by their JSON values.
predict_request tons.json Weight_in_lbs:weight,Origin:origin
call $P POST /v1/models/tons/predict tons.json > tons.out
expect "tons status" "$(status)" 200
sql "SELECT predicted_mpg FROM ML.PREDICT(MODEL tons,
     (SELECT Weight_in_lbs AS weight, Origin AS origin FROM sample))" --format json > tons.oracle
same_predictions tons.out tons.oracle

echo "-- a category never seen in training is not an error"
echo '{"instances": [{"Weight_in_lbs": 3000, "Origin": "Mars"}, {}]}' > unseen.json
call $P POST /v1/models/mpg/predict unseen.json > unseen.out
expect "unseen category" "$(status)" 200
expect "unseen predictions" "$(json 'd.predictions.filter((p) => typeof p.predicted_Miles_per_Gallon === "number").length' unseen.out)" 2

echo "-- models: listing, records, scopes"
call $P GET /v1/models > models.out
expect "listing" "$(json 'd.models.map((m) => m.name).join()' models.out)" "efficient,groups,mpg,tons"
expect "listing metrics" "$(json 'typeof d.models[2].metrics.r2_score' models.out)" number
expect "scoped listing" "$(call $M GET /v1/models | node -e 'console.log(JSON.parse(require("fs").readFileSync(0)).models.map((m) => m.name).join())')" mpg
call $P GET /v1/models/efficient > efficient.model
expect "record" "$(json 'd.label.type + " " + d.label.classes.join() + " " + d.features.map((f) => f.name + ":" + f.type).join()' efficient.model)" \
  "BOOLEAN false,true Weight_in_lbs:BIGINT,Horsepower:BIGINT,Origin:VARCHAR"
expect "record transform" "$(call $P GET /v1/models/tons | node -e 'console.log(JSON.parse(require("fs").readFileSync(0)).transform)')" \
  "(weight / 1000.0) AS tons, origin, mpg"
call $M POST /v1/models/efficient/predict efficient.json >/dev/null; expect "other model" "$(status)" 403
call $R POST /v1/models/mpg/predict mpg.json >/dev/null; expect "read scope" "$(status)" 403
call "" POST /v1/models/mpg/predict mpg.json >/dev/null; expect "no token" "$(status)" 401
call $M POST /v1/models/mpg/predict mpg.json >/dev/null; expect "own model" "$(status)" 200

echo "-- malformed requests name the parameter"
# bad NAME BODY PARAMETER [MODEL]: expects a 400 naming PARAMETER.
bad() {
  printf '%s' "$2" > bad.json
  call $P POST "/v1/models/${4:-mpg}/predict" bad.json > bad.out
  expect "$1 status" "$(status)" 400
  expect "$1 parameter" "$(json 'd.parameter' bad.out)" "$3"
}
bad "not JSON" '{"instances": [' body
bad "not an object" '[{"Cylinders": 4}]' body
bad "no instances" '{}' instances
bad "unknown key" '{"instances": [], "treshold": 0.5}' treshold
bad "instances not an array" '{"instances": {"Cylinders": 4}}' instances
bad "instance not an object" '{"instances": [{}, 4]}' 'instances[1]'
bad "wrong type" '{"instances": [{}, {"Cylinders": "four"}]}' 'instances[1].Cylinders'
bad "fraction for an integer" '{"instances": [{"Weight_in_lbs": 2000.5}]}' 'instances[0].Weight_in_lbs'
bad "bad date" '{"instances": [{"Year": "1970-13-01"}]}' 'instances[0].Year'
bad "unknown feature" '{"instances": [{"Cylindres": 4}]}' 'instances[0].Cylindres'
grep -q 'unknown feature \\"Cylindres\\"; model mpg takes Cylinders, ' bad.out \
  || fail "the unknown feature is not named: $(cat bad.out)"
bad "label" '{"instances": [{"Miles_per_Gallon": 20}]}' 'instances[0].Miles_per_Gallon'
bad "threshold of a regressor" '{"instances": [], "threshold": 0.5}' threshold
bad "threshold out of range" '{"instances": [], "threshold": 2}' threshold efficient
bad "transform key" '{"instances": [{"Cylinders": 4}]}' 'instances[0].Cylinders' tons
bad "transform mixed types" '{"instances": [{"origin": "USA"}, {"origin": 1}]}' 'instances[1].origin' tons
node -e 'console.log(JSON.stringify({instances: Array(10001).fill({})}))' > many.json
call $P POST /v1/models/mpg/predict many.json > /dev/null; expect "too many" "$(status)" 400
node -e 'console.log(JSON.stringify({instances: Array(10000).fill({Cylinders: 4})}))' > most.json
expect "most" "$(call $P POST /v1/models/mpg/predict most.json | node -e 'console.log(JSON.parse(require("fs").readFileSync(0)).predictions.length)')" 10000
call $P POST /v1/models/nothing/predict mpg.json > /dev/null; expect "unknown model" "$(status)" 404
call $P GET /v1/models/nothing > /dev/null; expect "unknown model record" "$(status)" 404
call $P GET /v1/models/mpg/predict > /dev/null; expect "GET predict" "$(status)" 405
call $P POST /v1/models/mpg mpg.json > /dev/null; expect "POST record" "$(status)" 405

echo "-- metrics and the OpenAPI document"
call "" GET /metrics | grep -q 'sluice_http_requests_total{route="/v1/models/{name}/predict",code="2xx"}' \
  || fail "no predict metrics: $(head -5 body.out)"
grep -q 'sluice_http_requests_total{route="/v1/models/{name}/predict",code="4xx"}' body.out \
  || fail "no predict 4xx metrics"
call "" GET /openapi.json > openapi.json
(cd "$repo" && node test/integration/serve/validate-openapi.cjs "$work/openapi.json") \
  || fail "the served OpenAPI document is not valid"
expect "typed instance" "$(json 'Object.entries(d.components.schemas.MpgInstance.properties).map(([k, v]) => k + ":" + v.type.join("|")).join()' openapi.json)" \
  "Cylinders:integer|null,Horsepower:integer|null,Weight_in_lbs:integer|null,Year:string|null,Origin:string|null"
expect "typed prediction" "$(json 'Object.keys(d.components.schemas.EfficientPrediction.properties).join()' openapi.json)" \
  "predicted_efficient,predicted_efficient_probs"
expect "predict scope" "$(json 'd.paths["/v1/models/mpg/predict"].post.security[0].bearer[0]' openapi.json)" "predict:mpg"
expect "model paths" "$(json 'Object.keys(d.paths).filter((p) => p.startsWith("/v1/models")).sort().join()' openapi.json)" \
  "/v1/models,/v1/models/efficient,/v1/models/efficient/predict,/v1/models/groups,/v1/models/groups/predict,/v1/models/mpg,/v1/models/mpg/predict,/v1/models/tons,/v1/models/tons/predict"

echo "-- a new model version is served at once"
sql "CREATE OR REPLACE MODEL mpg OPTIONS (model_type = 'linear_reg', input_label_cols = ['Miles_per_Gallon'])
     AS SELECT Miles_per_Gallon, Weight_in_lbs FROM cars" >/dev/null
echo '{"instances": [{"Weight_in_lbs": 3000}]}' > v2.json
call $P POST /v1/models/mpg/predict v2.json > v2.out
expect "version 2" "$(json 'd.model_version' v2.out)" 2
call $P POST /v1/models/mpg/predict mpg.json > /dev/null; expect "old features" "$(status)" 400

kill -INT "${pids[0]}"
wait "${pids[0]}" || fail "sluice serve did not stop cleanly: $(cat serve.out)"
pids=()
echo "PASS"
