// Scans vega-datasets' data/ folder into a fresh workspace catalog and checks it against DuckDB
// and against what the data means: every CSV, JSON and Parquet file is registered with the row
// count DuckDB reads from it; zipcodes.zip_code is a postal code kept as text; airports'
// latitude and longitude are recognised; flights origin and destination relate to
// airports.iata; scanned datasets are queryable by name; a second scan reads nothing again.
// Usage: node catalog-check.cjs SLUICE_BINARY. Exits 1 on any difference.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { DuckDBInstance } = require(path.join(__dirname, '../../../node_modules/@duckdb/node-api'));

const kData = path.join(__dirname, '../../../node_modules/vega-datasets/data');
let failures = 0;

function check(ok, what) {
  if (!ok) {
    failures++;
    console.error(`FAIL ${what}`);
  }
}

function sluice(binary, workspace, args) {
  return execFileSync(binary, [...args, '--workspace', workspace, '--format', 'json'],
                      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

function duckReader(format, file) {
  const quoted = file.replace(/'/g, "''");
  if (format === 'csv') return `read_csv('${quoted}')`;
  if (format === 'json') return `read_json_auto('${quoted}')`;
  return `read_parquet('${quoted}')`;
}

async function main() {
  const binary = process.argv[2];
  if (!binary) throw new Error('usage: node catalog-check.cjs SLUICE_BINARY');
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-catalog-'));
  try {
    const scanned = JSON.parse(sluice(binary, workspace, ['scan', kData]));
    const con = await (await DuckDBInstance.create(':memory:')).connect();
    const expected = fs.readdirSync(kData).filter((f) => /\.(csv|json|parquet)$/.test(f));
    for (const file of expected) {
      const entry = scanned.find((s) => s.location === path.join(kData, file));
      check(entry && entry.status === 'new', `${file} registered (got ${JSON.stringify(entry)})`);
      if (!entry || entry.status !== 'new') continue;
      let rows;
      try {
        rows = Number((await con.runAndReadAll(
            `SELECT count(*) FROM ${duckReader(entry.format, entry.location)}`)).getRows()[0][0]);
      } catch (error) {
        console.log(`note: DuckDB does not read ${file} (${error.message.split('\n')[0]})`);
        continue;
      }
      check(entry.rows === rows, `${file}: Sluice ${entry.rows} rows, DuckDB ${rows}`);
    }
    for (const s of scanned.filter((s) => s.status === 'skipped')) {
      check(!/\.(csv|json|parquet)$/.test(s.location), `${s.location} skipped: ${s.reason}`);
    }

    const column = (dataset, name) =>
      JSON.parse(sluice(binary, workspace, ['catalog', 'show', dataset]))
          .columns.find((c) => c.profile.name === name);
    const zip = column('zipcodes', 'zip_code');
    check(zip && zip.profile.type === 'VARCHAR' && zip.semantic === 'postal_code',
          `zipcodes.zip_code is a postal code kept as text: ${JSON.stringify(zip && zip.semantic)}`);
    check(column('airports', 'latitude').semantic === 'latitude', 'airports.latitude');
    check(column('airports', 'longitude').semantic === 'longitude', 'airports.longitude');

    for (const flights of ['flights_2k', 'flights_20k', 'flights_3m']) {
      const related = JSON.parse(sluice(binary, workspace, ['catalog', 'related', flights]));
      for (const key of ['origin', 'destination']) {
        const link = related.find((r) => r.column === key && r.other_dataset === 'airports' &&
                                         r.other_column === 'iata');
        check(link && link.containment > 0.9,
              `${flights}.${key} relates to airports.iata: ${JSON.stringify(link)}`);
      }
    }

    const count = JSON.parse(sluice(binary, workspace, ['sql', '-c', 'SELECT count(*) AS n FROM airports']));
    check(count[0].n === 3376, `airports queryable by name: ${JSON.stringify(count)}`);

    const again = JSON.parse(sluice(binary, workspace, ['scan', kData]));
    const reread = again.filter((s) => s.status !== 'unchanged' && s.status !== 'skipped');
    check(reread.length === 0, `a second scan reads nothing again: ${JSON.stringify(reread.slice(0, 3))}`);
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
  console.log(failures === 0 ? 'catalog matches' : `${failures} failures`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error.message || error);
  process.exit(1);
});
