// DuckDB peer for bench/parquet-write.sh: loads a CSV into table x with read_csv (not timed),
// then writes x to Parquet with COPY, timing the COPY only. Best of --runs.
// Usage: node bench/peers/duckdb-parquet-write.cjs --csv FILE --out FILE.parquet
//          [--runs 3] [--compression default|zstd|snappy|...]
// Prints one line: RESULT {"seconds":..,"bytes":..,"rows":..,"compression":".."}
'use strict';
const fs = require('fs');
const path = require('path');
const { DuckDBInstance } = require(path.join(__dirname, '..', '..', 'node_modules', '@duckdb/node-api'));

function parseArgs(argv) {
  const a = { csv: null, out: null, runs: 3, compression: 'default' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--csv') a.csv = argv[++i];
    else if (k === '--out') a.out = argv[++i];
    else if (k === '--runs') a.runs = parseInt(argv[++i], 10);
    else if (k === '--compression') a.compression = argv[++i];
    else throw new Error('unknown argument ' + k);
  }
  if (!a.csv || !a.out) throw new Error('--csv FILE and --out FILE are required');
  return a;
}

function quote(text) { return "'" + text.replace(/'/g, "''") + "'"; }

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  await con.run(`CREATE TABLE x AS SELECT * FROM read_csv(${quote(args.csv)})`);
  const options = args.compression === 'default' ? '(FORMAT parquet)'
                                                 : `(FORMAT parquet, COMPRESSION ${args.compression})`;
  let best = Infinity;
  for (let run = 0; run < args.runs; run++) {
    fs.rmSync(args.out, { force: true });
    const start = process.hrtime.bigint();
    await con.run(`COPY x TO ${quote(args.out)} ${options}`);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  const rows = (await con.runAndReadAll('SELECT count(*) FROM x')).getRows()[0][0];
  console.log('RESULT ' + JSON.stringify({ seconds: best, bytes: fs.statSync(args.out).size,
                                           rows: Number(rows), compression: args.compression }));
  fs.rmSync(args.out, { force: true });
}

main().catch((error) => { console.error(error); process.exit(1); });
