// Writes Parquet files with DuckDB covering every type Sluice reads, NULLs, every codec,
// dictionary and plain pages, data pages v1 and v2 (DELTA_* and BYTE_STREAM_SPLIT encodings),
// several row groups and lists; beside each file X.parquet, X.expected holds the values DuckDB
// reads back, one row per line, tab-separated, in the canonical forms parquet_golden.cc renders
// Sluice's values in: integers and booleans as text, doubles in JavaScript's shortest exact
// form, dates as days and timestamps as microseconds since 1970-01-01, TIME as text, lists as
// JSON, NULL as \N; tabs, newlines and backslashes escaped with a backslash.
// Usage: node make-parquet.cjs DIR
'use strict';
const fs = require('fs');
const path = require('path');
const { DuckDBInstance } = require(path.join(__dirname, '../../../node_modules/@duckdb/node-api'));

// Every type, with NULLs in every nullable column and 3000 rows.
const kTypes = `
SELECT
  (i % 3 = 0)::BOOLEAN AS b,
  CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 200 - 100)::TINYINT END AS i8,
  (i * 13 % 60000 - 30000)::SMALLINT AS i16,
  CASE WHEN i % 11 = 0 THEN NULL ELSE i * 7919 - 1000000 END::INTEGER AS i32,
  (i::BIGINT * 1000000007 - 2000000000000)::BIGINT AS i64,
  (i % 250)::UTINYINT AS u8, (i * 17 % 65000)::USMALLINT AS u16,
  (i::BIGINT * 1400000)::UINTEGER AS u32, (i::BIGINT * 3000000000000)::UBIGINT AS u64,
  CASE WHEN i % 5 = 0 THEN NULL ELSE (i / 7.0)::FLOAT END AS f32,
  (i / 3.0 - 400)::DOUBLE AS f64,
  (i * 1.25 - 100)::DECIMAL(9, 2) AS dec9, (i * 12345.678)::DECIMAL(18, 3) AS dec18,
  (i * 98765432.1)::DECIMAL(30, 1) AS dec30,
  CASE WHEN i % 13 = 0 THEN NULL ELSE 'text ' || (i % 37) END AS s_dict,
  'unique value number ' || i || repeat('x', i % 20) AS s_plain,
  (['red', 'green', 'blue'])[i % 3 + 1]::ENUM('red', 'green', 'blue') AS e,
  ('{"k": ' || i || '}')::JSON AS j,
  ('blob' || i)::BLOB AS bl,
  CASE WHEN i % 17 = 0 THEN NULL ELSE DATE '1969-12-01' + (i * 3)::INTEGER END AS d,
  TIMESTAMP '1999-12-31 23:00:00' + INTERVAL (i * 3600001::BIGINT) MILLISECOND AS ts,
  (TIMESTAMP '2020-01-01' + INTERVAL (i) SECOND)::TIMESTAMP_MS AS ts_ms,
  (TIMESTAMP '2020-01-01' + INTERVAL (i * 1001) MICROSECOND)::TIMESTAMP_NS AS ts_ns,
  (TIMESTAMP '2021-06-01 12:00:00' + INTERVAL (i) MINUTE)::TIMESTAMPTZ AS tstz,
  TIME '00:00:00' + INTERVAL (i * 28800100) MICROSECOND AS t,
  ('a0eebc99-9c0b-4ef8-bb6d-' || lpad(i::VARCHAR, 12, '0'))::UUID AS uu
FROM range(3000) r(i)`;

const kSmall = `
SELECT i, i % 10 AS k, 'name ' || (i % 50) AS name, CASE WHEN i % 4 = 0 THEN NULL ELSE i * 0.5 END AS x,
  DATE '2024-01-01' + (i % 366)::INTEGER AS day
FROM range(5000) r(i)`;

const kLists = `
SELECT i,
  CASE WHEN i % 5 = 0 THEN NULL WHEN i % 5 = 1 THEN [] ELSE [i, NULL, i * 2] END AS ints,
  CASE WHEN i % 3 = 0 THEN NULL ELSE ['a' || i, 'b"q', NULL] END AS strs
FROM range(300) r(i)`;

const kFiles = [
  ['types_zstd', kTypes, 'COMPRESSION zstd, ROW_GROUP_SIZE 1000'],
  ['types_v2', kTypes, 'COMPRESSION snappy, ROW_GROUP_SIZE 1024, PARQUET_VERSION v2'],
  ['types_uncompressed', kTypes, 'COMPRESSION uncompressed'],
  ['small_snappy', kSmall, 'COMPRESSION snappy, ROW_GROUP_SIZE 2048'],
  ['small_gzip', kSmall, 'COMPRESSION gzip'],
  ['small_lz4', kSmall, 'COMPRESSION lz4_raw'],
  ['small_zstd_v2', kSmall, 'COMPRESSION zstd, PARQUET_VERSION v2'],
  ['lists', kLists, 'COMPRESSION zstd'],
];

function canonical(name, type) {
  const c = '"' + name + '"';
  if (/^(FLOAT|DOUBLE|DECIMAL)/.test(type)) return `${c}::DOUBLE`;
  if (type === 'DATE') return `(${c} - DATE '1970-01-01')::VARCHAR`;
  if (type.startsWith('TIMESTAMP')) return `epoch_us(${c})::VARCHAR`;
  if (type.endsWith('[]')) return `to_json(${c})::VARCHAR`;
  return `${c}::VARCHAR`;
}

function render(value) {
  if (value === null) return '\\N';
  const text = typeof value === 'number' ? String(value) : String(value);
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
}

async function main() {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: node make-parquet.cjs DIR');
  fs.mkdirSync(dir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  const rows = async (sql) => (await con.runAndReadAll(sql)).getRows();
  for (const [name, query, options] of kFiles) {
    const file = path.join(dir, name + '.parquet');
    await con.run(`COPY (${query}) TO '${file}' (FORMAT parquet, ${options})`);
    const columns = await rows(`DESCRIBE SELECT * FROM '${file}'`);
    const select = columns.map(([column, type]) => canonical(column, type)).join(', ');
    const values = await rows(`SELECT ${select} FROM '${file}'`);
    const lines = values.map((row) => row.map(render).join('\t'));
    fs.writeFileSync(path.join(dir, name + '.expected'), lines.join('\n') + '\n');
  }
}

main().catch((error) => {
  console.error(error.message || error);
  process.exit(1);
});
