// Reads the Parquet files that duckdb_parquet_roundtrip wrote with DuckDB and compares every
// value with the expected JSON lines beside them; also checks DuckDB's view of the schema, row
// groups, codecs, encodings and statistics. Usage: node check_parquet.js DIR. Exits 1 on any
// difference.
'use strict';
const fs = require('fs');
const path = require('path');
const { DuckDBInstance } = require(path.join(__dirname, '../../../node_modules/@duckdb/node-api'));

const kTypes = {
  b: 'BOOLEAN', i: 'INTEGER', l: 'BIGINT', d: 'DOUBLE', s: 'VARCHAR', u: 'VARCHAR', dt: 'DATE',
  ts: 'TIMESTAMP WITH TIME ZONE', all_null: 'INTEGER', row_id: 'BIGINT',
};
// Each column as the expected lines hold it: 64-bit numbers as strings, dates as days.
const kSelect = `b, i, l::VARCHAR AS l, d, s, u, (dt - DATE '1970-01-01')::INTEGER AS dt,
  epoch_us(ts)::VARCHAR AS ts, all_null, row_id::VARCHAR AS row_id`;

let failures = 0;
function fail(message) {
  failures++;
  if (failures <= 20) console.error('FAIL ' + message);
}

function doubleBits(x) {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x, true);
  return view.getBigUint64(0, true).toString(16).padStart(16, '0');
}

function sqlString(text) { return "'" + text.replace(/'/g, "''") + "'"; }

async function checkValues(con, file, name) {
  const expected = fs.readFileSync(file.replace(/\.parquet$/, '.expected.jsonl'), 'utf8')
                       .split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line));
  const reader = await con.runAndReadAll(
      `SELECT ${kSelect} FROM read_parquet(${sqlString(file)}, file_row_number = true)
       ORDER BY file_row_number`);
  const rows = reader.getRows();
  if (rows.length !== expected.length) {
    fail(`${name}: DuckDB reads ${rows.length} rows, Sluice wrote ${expected.length}`);
    return;
  }
  const names = Object.keys(kTypes);
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < names.length; c++) {
      let actual = rows[r][c];
      if (names[c] === 'd' && actual !== null) actual = doubleBits(actual);
      if (actual !== expected[r][c]) {
        fail(`${name}: row ${r} column ${names[c]}: DuckDB ${JSON.stringify(actual)}, ` +
             `Sluice wrote ${JSON.stringify(expected[r][c])}`);
      }
    }
  }
}

async function checkSchema(con, file, name) {
  const reader = await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`);
  const types = Object.fromEntries(reader.getRows().map((row) => [row[0], row[1]]));
  for (const [column, type] of Object.entries(kTypes)) {
    if (types[column] !== type) fail(`${name}: column ${column} is ${types[column]}, not ${type}`);
  }
}

async function checkMetadata(con, file, name, spec) {
  const reader = await con.runAndReadAll(
      `SELECT row_group_id, path_in_schema, compression, encodings, stats_null_count,
              stats_min_value, stats_max_value, row_group_num_rows
       FROM parquet_metadata(${sqlString(file)}) ORDER BY row_group_id, column_id`);
  const rows = reader.getRowObjectsJS();
  const groups = new Set(rows.map((row) => row.row_group_id));
  const expectedGroups = Math.ceil(spec.rows / spec.row_group_rows);
  if (groups.size !== expectedGroups) {
    fail(`${name}: ${groups.size} row groups, expected ${expectedGroups}`);
  }
  let start = 0;
  let group = -1;
  for (const row of rows) {
    if (Number(row.row_group_id) !== group) {
      if (group >= 0) start += Number(rows.find((x) => Number(x.row_group_id) === group).row_group_num_rows);
      group = Number(row.row_group_id);
    }
    if (row.compression !== spec.codec) fail(`${name}: compression ${row.compression}`);
    const dictionary = row.encodings.includes('RLE_DICTIONARY');
    if (!spec.dictionary && dictionary) fail(`${name}: ${row.path_in_schema} uses a dictionary`);
    // Column s has 20 distinct values: a dictionary pays once a row group has many rows.
    if (spec.dictionary && spec.row_group_rows >= 1000 && row.path_in_schema === 's' &&
        !dictionary) {
      fail(`${name}: column s is not dictionary-encoded (${row.encodings})`);
    }
    await checkStatistics(con, file, name, row, start);
  }
}

// Compares a row group's statistics with what DuckDB computes from its rows.
async function checkStatistics(con, file, name, row, start) {
  const column = row.path_in_schema;
  const end = start + Number(row.row_group_num_rows);
  const reader = await con.runAndReadAll(
      `SELECT count(*) - count("${column}"), min("${column}")::VARCHAR, max("${column}")::VARCHAR
       FROM read_parquet(${sqlString(file)}, file_row_number = true)
       WHERE file_row_number >= ${start} AND file_row_number < ${end}`);
  const [nulls, min, max] = reader.getRows()[0];
  const where = `${name}: row group ${row.row_group_id} column ${column}`;
  if (BigInt(row.stats_null_count) !== BigInt(nulls)) {
    fail(`${where}: null_count ${row.stats_null_count}, counted ${nulls}`);
  }
  if (!['i', 'l', 's', 'dt', 'all_null', 'row_id'].includes(column)) return;
  if (row.stats_min_value !== min || row.stats_max_value !== max) {
    fail(`${where}: statistics [${row.stats_min_value}, ${row.stats_max_value}], ` +
         `values [${min}, ${max}]`);
  }
}

async function main() {
  const directory = process.argv[2];
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  await con.run("SET TimeZone = 'UTC'");
  const specs = fs.readdirSync(directory).filter((f) => f.endsWith('.spec.json')).sort();
  if (specs.length === 0) fail(`no files in ${directory}`);
  for (const specName of specs) {
    const spec = JSON.parse(fs.readFileSync(path.join(directory, specName), 'utf8'));
    const name = specName.replace(/\.spec\.json$/, '');
    const file = path.join(directory, name + '.parquet');
    const before = failures;
    await checkSchema(con, file, name);
    await checkValues(con, file, name);
    await checkMetadata(con, file, name, spec);
    console.log(`${failures === before ? 'ok  ' : 'FAIL'} ${name}: ${spec.rows} rows, ` +
                `${spec.bytes} bytes, ${spec.codec}, dictionary ${spec.dictionary}`);
  }
  if (failures > 0) {
    console.error(`${failures} differences`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
