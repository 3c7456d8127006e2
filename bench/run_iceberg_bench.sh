#!/usr/bin/env bash
# Iceberg commits on a local directory: append latency (one data file per commit) and scan
# planning after COMMITS commits, with and without manifest merging.
# Writes bench/results/iceberg-<date>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
COMMITS=${COMMITS:-10000}
EXPIRE_EVERY=${EXPIRE_EVERY:-1000}
make bootstrap >/dev/null
[ -f build/release/build.ninja ] || cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLOE_TESTS=OFF >/dev/null
cmake --build build/release --target iceberg_bench >/dev/null
work=$(mktemp -d "${TMPDIR:-/var/tmp}/floe-iceberg-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
results=$(build/release/iceberg_bench "$work" "$COMMITS" "$EXPIRE_EVERY")
out="bench/results/iceberg-$(date -u +%Y-%m-%d).md"
mkdir -p bench/results
/usr/bin/python3 - "$results" "$out" "$COMMITS" "$EXPIRE_EVERY" "$work" <<'PY'
import json, platform, subprocess, sys
rows = [json.loads(l) for l in sys.argv[1].splitlines() if l.strip()]
out, commits, expire, work = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
cores = subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()
fs = subprocess.run(['df', '-T', work], capture_output=True, text=True).stdout.splitlines()[-1].split()[1]
date = subprocess.run(['date', '-u', '+%Y-%m-%d'], capture_output=True, text=True).stdout.strip()
lines = [f"# Iceberg commit benchmark ({date})", "",
         f"- machine: {cores} cores ({cpu}), {platform.platform()}, warehouse on {fs}",
         f"- {commits} commits per table, each a fast append of one data file (a 1-row Parquet file written before",
         "  the timer starts); the commit is timed alone: new manifest, manifest list, metadata file (each",
         "  fsynced, with their directory) and the catalog swap (RocksDB, synced WriteBatch)",
         f"- snapshots expired every {expire} commits, keeping the last 100 (as a table under maintenance)",
         "- planning: `PlanScan` of the final snapshot (manifest list, manifests, delete matching), median of 5",
         "- two tables differing only in `commit.manifest-merge.enabled` (true is the default:",
         "  `commit.manifest.min-count-to-merge` 100, `commit.manifest.target-size-bytes` 8 MiB)",
         "- rerun: `bench/run_iceberg_bench.sh` (part of `make bench`); `COMMITS`, `EXPIRE_EVERY` override",
         "", "| table | commit p50 ms | commit p99 ms | commit max ms | planning ms (10,000 files) | manifests read | total s |",
         "|---|---|---|---|---|---|---|"]
for r in rows:
    lines.append(f"| {r['table']} | {r['commit_p50_ms']:.2f} | {r['commit_p99_ms']:.2f} | {r['commit_max_ms']:.1f} | "
                 f"{r['planning_median_ms']:.1f} | {r['manifests']} | {r['seconds_total']:.0f} |")
merged = next(r for r in rows if r['table'] == 'merged')
lines += ["", f"Goals (issue 7): append commit p50 under 10 ms: {merged['commit_p50_ms']:.2f} ms "
          f"({'met' if merged['commit_p50_ms'] < 10 else 'NOT met'}); planning after {commits} commits under 100 ms: "
          f"{merged['planning_median_ms']:.1f} ms with merging ({'met' if merged['planning_median_ms'] < 100 else 'NOT met'})."]
open(out, 'w').write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
