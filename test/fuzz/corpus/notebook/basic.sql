-- Delays by origin

-- %% [markdown]
-- # Flights

-- %% name=load
CREATE TABLE flights AS SELECT * FROM 'flights.parquet';

-- %% name=delays chart="bar x=origin"
CREATE TABLE delays AS SELECT origin, avg(delay) FROM flights GROUP BY 1;
