#!/usr/bin/env python3
"""Secondary indexes and transactions: floe vs dynalite, measured the same way, one after the other.

  1. PutItem cost of two GSIs: PutItem/s of ~1 KB items into a table without indexes and into a
     table with two GSIs (by_g1: g1 HASH, by_g2: g1 HASH + g2 RANGE, both projection ALL).
  2. Query on a GSI: 10,000 items in 100 index partitions of 100 items; each Query returns one
     whole partition (100 items of ~1 KB); items/s = queries/s x 100.
  3. TransactWriteItems of 10 Puts (~100-byte items, 10 distinct random keys out of 100,000).
     dynalite does not implement transactions; floe only.
Load: wrk, 2 threads, 64 connections, DURATION seconds, RUNS runs per figure, the median reported.
usage: index_bench.py FLOE_BINARY RESULTS_FILE [DURATION]
"""
import datetime
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kv_bench import free_port, start  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FLOE = sys.argv[1]
OUT = sys.argv[2]
DURATION = int(sys.argv[3]) if len(sys.argv) > 3 else 10
RUNS = 3
QUERY_ITEMS, QUERY_PARTITIONS = 10000, 100


def client(port):
    return boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="AKIDBENCH", aws_secret_access_key="x",
                        config=Config(retries={"max_attempts": 10}))


def create(port, name, gsis):
    defs = [{"AttributeName": "pk", "AttributeType": "S"}]
    kwargs = {}
    if gsis:
        defs += [{"AttributeName": "g1", "AttributeType": "S"}, {"AttributeName": "g2", "AttributeType": "N"}]
        kwargs["GlobalSecondaryIndexes"] = [
            {"IndexName": "by_g1", "KeySchema": [{"AttributeName": "g1", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "ALL"}},
            {"IndexName": "by_g2", "KeySchema": [{"AttributeName": "g1", "KeyType": "HASH"},
                                                 {"AttributeName": "g2", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "ALL"}}]
    c = client(port)
    c.create_table(TableName=name, AttributeDefinitions=defs, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   BillingMode="PAY_PER_REQUEST", **kwargs)
    while c.describe_table(TableName=name)["Table"]["TableStatus"] != "ACTIVE":
        time.sleep(0.1)


def fill(port, name, n, partitions):
    pad = "x" * 1000

    def work(start, step):
        c = client(port)
        for base in range(start * 25, n, step * 25):
            reqs = [{"PutRequest": {"Item": {"pk": {"S": f"key{i}"}, "g1": {"S": f"c{i % partitions}"},
                                             "g2": {"N": str(i)}, "pad": {"S": pad}}}}
                    for i in range(base, min(base + 25, n))]
            pending = {name: reqs}
            while pending:
                pending = c.batch_write_item(RequestItems=pending)["UnprocessedItems"]

    threads = [threading.Thread(target=work, args=(i, 4)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def wrk(port, *args):
    import re
    cmd = ["wrk", "-t2", "-c64", f"-d{DURATION}s", "--timeout", "10s", "--latency", "-s",
           os.path.join(HERE, "index.lua"), f"http://127.0.0.1:{port}", "--", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {p: re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups() for p in ("50", "99")}
    to_ms = lambda v, u: float(v) / 1000 if u == "us" else float(v) * (1000 if u == "s" else 1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    return {"rps": rps, "p50": to_ms(*lat["50"]), "p99": to_ms(*lat["99"]),
            "errors": (int(non2xx.group(1)) if non2xx else 0) + (int(timeouts.group(1)) if timeouts else 0),
            "raw": out, "cmd": " ".join(cmd)}


def median(port, *args):
    runs = sorted((wrk(port, *args) for _ in range(RUNS)), key=lambda r: r["rps"])
    m = dict(runs[len(runs) // 2])
    m["range"] = (runs[0]["rps"], runs[-1]["rps"])
    m["errors"] = sum(r["errors"] for r in runs)
    return m


def run(name, cmd_for_port, transactions):
    port = free_port()
    proc, _ = start(cmd_for_port(port), port)
    try:
        create(port, "plain", gsis=False)
        create(port, "indexed", gsis=True)
        create(port, "queried", gsis=True)
        fill(port, "queried", QUERY_ITEMS, QUERY_PARTITIONS)
        wrk(port, "put", "plain")  # warm-up, not recorded
        r = {"name": name,
             "put_plain": median(port, "put", "plain"),
             "put_indexed": median(port, "put", "indexed"),
             "query": median(port, "query", "queried", str(QUERY_ITEMS), str(QUERY_PARTITIONS))}
        if transactions:
            r["tx"] = median(port, "tx", "plain")
        return r
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main():
    data = tempfile.mkdtemp(prefix="floe-bench-")
    try:
        floe = run("floe", lambda port: [FLOE, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", data,
                                         "--durability", "sync", "--log-level", "warn"], transactions=True)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    dyn_cli = os.path.join(HERE, "node_modules", "dynalite", "cli.js")
    dynalite = run("dynalite", lambda port: ["node", dyn_cli, "--port", str(port)], transactions=False)

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    f = lambda m: f"{m['rps']:.0f} ({m['range'][0]:.0f}-{m['range'][1]:.0f})"
    lines = [
        f"# Index and transaction benchmark: floe vs dynalite ({datetime.date.today().isoformat()})", "",
        f"- machine: {os.cpu_count()} cores ({cpu}), {platform.platform()}",
        "- floe: release build (-O2), `--durability sync`; dynalite 4.0.0 (npm, Node.js " + node + "), in memory",
        f"- load: wrk 2 threads, 64 connections, {DURATION} s per figure, {RUNS} runs, median reported "
        "(min-max in brackets); script `bench/index.lua`",
        "- rerun: `bench/run_index_bench.sh` (part of `make bench`)", "",
        "## PutItem with two global secondary indexes (projection ALL)", "",
        "| server | PutItem/s, no index | p99 ms | PutItem/s, 2 GSIs | p99 ms | cost of the indexes | errors |",
        "|---|---|---|---|---|---|---|"]
    for r in (floe, dynalite):
        cost = 1 - r["put_indexed"]["rps"] / r["put_plain"]["rps"]
        lines.append(f"| {r['name']} | {f(r['put_plain'])} | {r['put_plain']['p99']:.2f} | {f(r['put_indexed'])} | "
                     f"{r['put_indexed']['p99']:.2f} | {cost * 100:.1f}% | "
                     f"{r['put_plain']['errors'] + r['put_indexed']['errors']} |")
    lines += ["", f"## Query on a GSI ({QUERY_ITEMS} items, {QUERY_PARTITIONS} index partitions, "
              f"{QUERY_ITEMS // QUERY_PARTITIONS} items of ~1 KB per Query)", "",
              "| server | Queries/s | items/s | p50 ms | p99 ms | errors |", "|---|---|---|---|---|---|"]
    per = QUERY_ITEMS // QUERY_PARTITIONS
    for r in (floe, dynalite):
        q = r["query"]
        lines.append(f"| {r['name']} | {f(q)} | {q['rps'] * per:.0f} | {q['p50']:.2f} | {q['p99']:.2f} | {q['errors']} |")
    tx = floe["tx"]
    lines += ["", "## TransactWriteItems of 10 Puts", "",
              "| server | transactions/s | items/s | p50 ms | p99 ms | non-2xx (TransactionCanceled on conflicts) |",
              "|---|---|---|---|---|---|",
              f"| floe | {f(tx)} | {tx['rps'] * 10:.0f} | {tx['p50']:.2f} | {tx['p99']:.2f} | {tx['errors']} |",
              "| dynalite | not implemented | | | | |", "",
              "Goals (issue 4): at least 3,000 TransactWriteItems/s of 10 items; two GSIs cost at most 40% of "
              "PutItem throughput.", "", "## Raw wrk output (median runs)", ""]
    for r in (floe, dynalite):
        for key in ("put_plain", "put_indexed", "query", "tx"):
            if key in r:
                lines += [f"### {r['name']} {key}", "", "```", f"$ {r[key]['cmd']}", r[key]["raw"].rstrip(), "```", ""]
    with open(OUT, "w") as out:
        out.write("\n".join(lines) + "\n")
    print("\n".join(lines[:30]))


if __name__ == "__main__":
    main()
