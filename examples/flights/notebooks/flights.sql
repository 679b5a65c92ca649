-- %% [markdown]
-- # Flight delays
--
-- Three million US domestic flights of 2001 (vega-datasets `flights-3m.parquet`) joined
-- with the airports they leave from (`airports.csv`): how late flights are by origin
-- airport, by state and by hour of the day. `sluice run notebooks/flights.sql` runs it as
-- a pipeline; a second run skips every cell until a file or a cell changes.

-- %% name=flights
CREATE SOURCE flights FROM 'data/flights-3m.parquet';

-- %% name=airports
CREATE SOURCE airports FROM 'data/airports.csv';

-- %% [markdown]
-- US airports with a code. Expectations (Databricks syntax) count the rows that break them
-- in every version: rows without a code or airport are dropped, airports without a state or
-- with few flights only counted, and an implausible average delay fails the cell (nothing of
-- it is committed then). A declared key is checked at commit and makes `?iata=eq.SFO` a lookup
-- when the result is served.

-- %% name=us_airports
CREATE TABLE us_airports (
  CONSTRAINT has_code EXPECT (iata IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT has_state EXPECT (state IS NOT NULL)
) WITH (key = 'iata') AS
SELECT iata, name, city, state, country, latitude, longitude
FROM airports
WHERE country = 'USA';

-- %% name=delays_by_origin
CREATE TABLE delays_by_origin (
  CONSTRAINT known_origin EXPECT (airport IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT enough_flights EXPECT (flights >= 100),
  CONSTRAINT plausible_delay EXPECT (avg_delay BETWEEN -60 AND 600) ON VIOLATION FAIL
) WITH (key = 'origin') AS
SELECT f.origin, a.name AS airport, a.city, a.state,
       count(*) AS flights,
       round(avg(f.delay), 2) AS avg_delay,
       round(avg(CASE WHEN f.delay > 15 THEN 1.0 ELSE 0.0 END), 3) AS late_share
FROM flights f
LEFT JOIN us_airports a ON a.iata = f.origin
GROUP BY f.origin, a.name, a.city, a.state;

-- %% name=delays_by_state
CREATE TABLE delays_by_state AS
SELECT state,
       sum(flights) AS flights,
       round(sum(avg_delay * flights) / sum(flights), 2) AS avg_delay,
       count(*) AS airports
FROM delays_by_origin
GROUP BY state;

-- %% name=delays_by_hour
CREATE TABLE delays_by_hour AS
SELECT hour(date) AS hour, count(*) AS flights, round(avg(delay), 2) AS avg_delay
FROM flights
GROUP BY hour(date);

-- %% name=worst_airports
-- The ten busiest airports with the largest share of late departures.
SELECT origin, airport, state, flights, avg_delay, late_share
FROM delays_by_origin
WHERE flights >= 10000
ORDER BY late_share DESC
LIMIT 10;

-- %% [markdown]
-- A model of departure delay from origin, destination, distance and hour of day (BigQuery ML
-- syntax), trained on the flights of two minutes of every hour (a 1-in-30 sample) and tuned by
-- successive halving: nine configurations on a ninth of the rows, the best third on a third,
-- the best on all. `SELECT * FROM ML.EVALUATE(MODEL delay_model)` shows how good it is,
-- `ML.PREDICT` uses it, and `sluice serve` answers at /v1/models/delay_model/predict.

-- %% name=delay_model
CREATE MODEL delay_model
OPTIONS (model_type = 'boosted_tree_regressor', input_label_cols = ['delay'],
         max_categories = 30, data_split_method = 'random', data_split_eval_fraction = 0.2,
         max_tree_depth = HPARAM_CANDIDATES([4, 6, 8]), learn_rate = HPARAM_RANGE(0.05, 0.3),
         num_trials = 9, hparam_tuning_algorithm = 'halving') AS
SELECT origin, destination, distance, hour(date) AS hour, delay
FROM flights
WHERE minute(date) IN (5, 35);

-- %% name=export
CREATE SINK delays_by_state_db FROM delays_by_state INTO 'out/delays.db'
  WITH (table = 'delays_by_state');
