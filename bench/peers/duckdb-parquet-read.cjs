// DuckDB peer for bench/parquet-read.sh: runs each query given on the command line RUNS times
// in one DuckDB instance and prints the best time of each as "seconds<TAB>query".
// Usage: node duckdb-parquet-read.cjs RUNS QUERY...
'use strict';
const path = require('path');
const { DuckDBInstance } = require(path.join(__dirname, '../../node_modules/@duckdb/node-api'));

async function main() {
  const [runs, ...queries] = process.argv.slice(2);
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  for (const sql of queries) {
    let best = Infinity;
    for (let run = 0; run < Number(runs); run++) {
      const start = process.hrtime.bigint();
      await con.runAndReadAll(sql);
      best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
    }
    console.log(`${best.toFixed(4)}\t${sql}`);
  }
}

main().catch((error) => {
  console.error(error.message || error);
  process.exit(1);
});
