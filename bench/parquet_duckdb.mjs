// DuckDB's side of the Parquet benchmark: the same rows (read from floe's file into an
// in-memory table first), written with `COPY ... (FORMAT parquet, COMPRESSION zstd)` on one
// thread; only the COPY is timed, best of N. Also checks that floe's file holds exactly the
// rows DuckDB wrote back.
// usage: node parquet_duckdb.mjs FLOE.parquet OUT.parquet [RUNS]
import { DuckDBInstance } from '@duckdb/node-api'
import fs from 'node:fs'

const [floeFile, out, runsArg] = process.argv.slice(2)
const runs = Number(runsArg ?? 3)
const instance = await DuckDBInstance.create(':memory:')
const con = await instance.connect()
const run = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson()

await run('SET threads = 1')
await run(`CREATE TABLE t AS SELECT * FROM read_parquet('${floeFile}')`)
const [{ n }] = await run('SELECT count(*) AS n FROM t')
let best = Infinity
for (let r = 0; r < runs; ++r) {
  const start = process.hrtime.bigint()
  await run(`COPY t TO '${out}' (FORMAT parquet, COMPRESSION zstd)`)
  const secs = Number(process.hrtime.bigint() - start) / 1e9
  best = Math.min(best, secs)
}
const [{ diff }] = await run(`SELECT count(*) AS diff FROM (
  (SELECT * FROM read_parquet('${floeFile}') EXCEPT ALL SELECT * FROM read_parquet('${out}'))
  UNION ALL
  (SELECT * FROM read_parquet('${out}') EXCEPT ALL SELECT * FROM read_parquet('${floeFile}')))`)
const [{ version }] = await run('SELECT version() AS version')
const groups = await run(`SELECT count(DISTINCT row_group_id) AS g FROM parquet_metadata('${out}')`)
console.log(JSON.stringify({
  rows: Number(n), seconds: best, rows_per_second: Math.round(Number(n) / best), bytes: fs.statSync(out).size,
  differing_rows: Number(diff), duckdb: version, row_groups: Number(groups[0].g)
}))
