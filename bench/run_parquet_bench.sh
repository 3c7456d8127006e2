#!/usr/bin/env bash
# Parquet writer: floe vs DuckDB, 1,000,000 rows x 10 columns, zstd, one thread each.
# Writes bench/results/parquet-<date>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-5}
make bootstrap >/dev/null
[ -f build/release/build.ninja ] || cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLOE_TESTS=OFF >/dev/null
cmake --build build/release --target parquet_bench >/dev/null
(cd bench && [ -d node_modules/@duckdb/node-api ] || npm install --no-audit --no-fund --loglevel=error >/dev/null)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
floe=$(build/release/parquet_bench "$work/floe.parquet" "$ROWS" "$RUNS" zstd)
# The same with DuckDB's row group size (122,880 rows), for a like-for-like file size.
floe_rg=$(build/release/parquet_bench "$work/floe-rg.parquet" "$ROWS" "$RUNS" zstd 122880)
duck=$(cd bench && node parquet_duckdb.mjs "$work/floe.parquet" "$work/duckdb.parquet" "$RUNS")
out="bench/results/parquet-$(date -u +%Y-%m-%d).md"
mkdir -p bench/results
/usr/bin/python3 - "$floe" "$duck" "$out" "$ROWS" "$RUNS" "$floe_rg" <<'PY'
import json, platform, subprocess, sys
floe, duck, out, rows, runs = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
floe_rg = json.loads(sys.argv[6])
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
cores = subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()
speed = min(floe['rows_per_second'], floe_rg['rows_per_second']) / duck['rows_per_second']
size = max(floe['bytes'], floe_rg['bytes']) / duck['bytes']
text = f"""# Parquet writer benchmark: floe vs DuckDB ({subprocess.run(['date', '-u', '+%Y-%m-%d'], capture_output=True, text=True).stdout.strip()})

- machine: {cores} cores ({cpu}), {platform.platform()}
- data: {int(rows):,} rows, 10 columns: id long, user_id long, ts timestamptz, price decimal(10,2),
  qty int, score double (10% null), status string (5 values), city string (1,000 values),
  email string (mostly distinct), active boolean (5% null); generated in memory, seed fixed
  (`bench/parquet_bench.cc`)
- floe: release build (-O2), `Writer::AppendBatch` in batches of 100,000 rows, zstd level 3,
  default options (1 MiB pages, one row group up to 128 MiB); only the writing is timed
- DuckDB {duck['duckdb']} (`@duckdb/node-api`): the same rows loaded from floe's file into an
  in-memory table, then `SET threads = 1; COPY t TO ... (FORMAT parquet, COMPRESSION zstd)`;
  only the COPY is timed (`bench/parquet_duckdb.mjs`)
- best of {runs} runs each; rerun: `bench/run_parquet_bench.sh` (part of `make bench`)

| writer | seconds | rows/s | file bytes | row groups |
|---|---|---|---|---|
| floe | {floe['seconds']:.3f} | {floe['rows_per_second']:,} | {floe['bytes']:,} | {floe['row_groups']} |
| floe, DuckDB's row group size | {floe_rg['seconds']:.3f} | {floe_rg['rows_per_second']:,} | {floe_rg['bytes']:,} | {floe_rg['row_groups']} |
| DuckDB, 1 thread | {duck['seconds']:.3f} | {duck['rows_per_second']:,} | {duck['bytes']:,} | {duck['row_groups']} |

- floe's speed (the slower of its two runs) is **{speed:.0%}** of DuckDB's single-thread speed (goal: at least 50%).
- floe's file (the larger of its two) is **{size:.0%}** of DuckDB's size (goal: at most 120%).
- DuckDB reads floe's file back with the same rows as the file it wrote itself
  (`EXCEPT ALL` both ways: {duck['differing_rows']} differing rows).
"""
open(out, 'w').write(text)
print(text)
PY
