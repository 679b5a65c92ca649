// DuckDB peer for the db-benchmark join task (npm @duckdb/node-api, installed by
// ../shared/bench/setup-peers.sh into $BENCH_PEERS_DIR/duckdb; loaded the same way as the
// shared harness's peers/duckdb.cjs). Loads x, small, medium and big from their CSVs with
// read_csv (timed as "load", excluded from the questions), then runs each question of
// bench/join-questions.json as CREATE TEMP TABLE ans AS <sql> + count(*), like db-benchmark.
// Usage: node bench/peers/duckdb-join.cjs --x J1_1e7_NA_0_0.csv [--runs 2] [--questions q1,q5] [--threads N]
// The right-hand tables are found beside x: J1_1e7_{1e1,1e4,1e7}_0_0.csv.
// Prints RESULT {...} lines in the shared harness's protocol.
'use strict';
const fs = require('fs');
const path = require('path');
const HARNESS = process.env.BENCH_HARNESS || path.join(__dirname, '..', '..', '..', 'shared', 'bench');
const c = require(path.join(HARNESS, 'peers', 'common.cjs'));
const QUESTIONS = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'join-questions.json'), 'utf8'));
const duckdb = c.peerRequire('duckdb', '@duckdb/node-api');
const pkgVersion = c.peerRequire('duckdb', '@duckdb/node-api/package.json').version;

function parseArgs(argv) {
  const a = { x: null, runs: 2, questions: null, threads: null };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--x') a.x = argv[++i];
    else if (k === '--runs') a.runs = parseInt(argv[++i], 10);
    else if (k === '--questions') a.questions = argv[++i].split(',');
    else if (k === '--threads') a.threads = parseInt(argv[++i], 10);
    else throw new Error('unknown argument ' + k);
  }
  if (!a.x) throw new Error('--x PATH (J1_<N>_NA_0_0.csv) is required');
  return a;
}

// Returns the paths of the four tables, named as join-datagen.R's join_to_tbls does.
function tablePaths(x) {
  const n = Number(path.basename(x).split('_')[1]);
  const pretty = v => { const s = String(Math.round(v)); return `${s[0]}e${s.length - 1}`; };
  const y = v => x.replace('_NA_', `_${pretty(v)}_`);
  return { x, small: y(n / 1e6), medium: y(n / 1e3), big: y(n) };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const threads = args.threads || require('os').cpus().length;
  const inst = await duckdb.DuckDBInstance.create(':memory:', { threads: String(threads) });
  const con = await inst.connect();
  const all = async (sql) => (await con.runAndReadAll(sql)).getRows();
  const [[ver, th]] = await all("SELECT version(), current_setting('threads')");
  const data = path.basename(args.x).replace(/\.csv$/, '');
  const base = { peer: 'duckdb', version: `${ver} (@duckdb/node-api ${pkgVersion})`, threads: c.num(th), data };

  const paths = tablePaths(args.x);
  let t0 = c.now();
  for (const [name, file] of Object.entries(paths)) {
    await con.run(`CREATE TABLE ${name} AS SELECT * FROM read_csv('${file.replace(/'/g, "''")}')`);
  }
  const tLoad = c.now() - t0;
  const [[nrow]] = await all('SELECT count(*) FROM x');
  c.emit({ ...base, step: 'load', mode: 'full', run: 1, time_s: tLoad, rows_in: c.num(nrow) });

  for (const q of QUESTIONS.filter(q => !args.questions || args.questions.includes(q.id))) {
    for (let run = 1; run <= args.runs; run++) {
      await con.run('DROP TABLE IF EXISTS ans');
      t0 = c.now();
      await con.run(`CREATE TEMP TABLE ans AS ${q.sql}`);
      const [[outRows]] = await all('SELECT count(*) FROM ans');
      const t = c.now() - t0;
      const cols = (await all('DESCRIBE ans')).length;
      const [chk] = await all(`SELECT ${q.chk.map(k => `sum(${k})::DOUBLE`).join(', ')} FROM ans`);
      c.emit({ ...base, step: q.id, run, time_s: t, out_rows: c.num(outRows), out_cols: cols, chk: chk.map(c.num) });
    }
  }
  await con.run('DROP TABLE IF EXISTS ans');
}
main().catch(e => { console.error(e); process.exit(1); });
