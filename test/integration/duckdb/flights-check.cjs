// Compares Sluice's answers on vega-datasets' flights-3m.parquet (written by Polars: ZSTD,
// dictionary pages, 11 row groups with statistics) with DuckDB's: aggregates over every column,
// distinct counts, selective queries whose predicates skip row groups, and ordered rows.
// Usage: node flights-check.cjs SLUICE_BINARY. Exits 1 on any difference.
'use strict';
const path = require('path');
const { execFileSync } = require('child_process');
const { DuckDBInstance } = require(path.join(__dirname, '../../../node_modules/@duckdb/node-api'));

const kFile = path.join(__dirname, '../../../node_modules/vega-datasets/data/flights-3m.parquet');
const kQueries = [
  `SELECT count(*), sum(delay), min(delay), max(delay), sum(distance), min(distance),
     max(distance), min(origin), max(origin), min(destination), max(destination),
     CAST(min(date) AS VARCHAR), CAST(max(date) AS VARCHAR) FROM F`,
  `SELECT count(DISTINCT origin), count(DISTINCT destination), count(DISTINCT delay),
     count(DISTINCT date) FROM F`,
  `SELECT origin, count(*), sum(delay), max(distance) FROM F GROUP BY origin ORDER BY origin`,
  `SELECT count(*), sum(delay) FROM F WHERE date >= TIMESTAMP '2001-06-20' AND origin = 'SFO'`,
  `SELECT destination, count(*) FROM F WHERE date < TIMESTAMP '2001-01-15' AND delay > 120
     GROUP BY destination ORDER BY destination`,
  `SELECT count(*) FROM F WHERE delay BETWEEN -5 AND 5 AND distance >= 2000`,
  `SELECT CAST(date AS VARCHAR), delay, distance, origin, destination FROM F
     ORDER BY date, origin, destination, delay, distance LIMIT 50`,
  `SELECT CAST(date AS VARCHAR), delay, distance, origin, destination FROM F
     WHERE date > TIMESTAMP '2001-04-01 12:00:00'
     ORDER BY date, origin, destination, delay, distance LIMIT 50`,
];

function duckText(rows) {
  return rows.map((row) => row.map((v) => (v === null ? 'NULL' : String(v))).join(',')).join('\n');
}

function sluiceText(binary, sql) {
  const out = execFileSync(binary, ['sql', '--format', 'csv', '-c', sql], { encoding: 'utf8' });
  return out.trim().split('\n').slice(1).join('\n');  // without the header line
}

async function main() {
  const binary = process.argv[2];
  if (!binary) throw new Error('usage: node flights-check.cjs SLUICE_BINARY');
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  let failures = 0;
  for (const template of kQueries) {
    const sql = template.replace('FROM F', `FROM '${kFile}'`).replace(/\s+/g, ' ');
    const expected = duckText((await con.runAndReadAll(sql)).getRows());
    const actual = sluiceText(binary, sql);
    if (expected !== actual) {
      failures++;
      console.error(`FAIL ${sql}\n  DuckDB: ${expected.slice(0, 300)}\n  Sluice: ${actual.slice(0, 300)}`);
    }
  }
  console.log(`${kQueries.length} queries, ${failures} differences`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error.message || error);
  process.exit(1);
});
