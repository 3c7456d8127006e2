#!/usr/bin/env python3
"""DynamoDB Streams benchmark: what a NEW_AND_OLD_IMAGES stream costs PutItem, and how soon a
tailing GetRecords reader sees an acknowledged write.

1. Throughput: one floe node, two tables prefilled with the same 100k items of ~1 KB ("plain"
   without a stream, "streamed" with NEW_AND_OLD_IMAGES), so every put is a MODIFY whose record
   carries both 1 KB images. wrk (2 threads, 64 connections, kv.lua put) runs against each table
   in turn, RUNS times; medians are reported.
2. Write-to-record latency: a writer process puts items at RATE per second (one keep-alive
   connection, each put timed to its acknowledgement); one reader process per shard tails its
   shard with GetRecords in a loop (no sleep) and notes when each record arrives. The latency of
   a record is arrival - acknowledgement (CLOCK_MONOTONIC is shared by the processes); a record
   that arrives before its writer has read the response counts as 0.
usage: stream_bench.py FLOE_BINARY RESULTS_FILE [DURATION]
"""
import datetime
import http.client
import json
import multiprocessing as mp
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kv_bench import free_port, start, wrk  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FLOE, OUT = sys.argv[1], sys.argv[2]
DURATION = int(sys.argv[3]) if len(sys.argv) > 3 else 10
RUNS = 3
RATE = 1000  # writes per second in the latency run
PY = "/usr/bin/python3"
AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDBENCH/20240101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + "0" * 64)


def call(conn, target, body):
    conn.request("POST", "/", body=json.dumps(body), headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Date": "20240101T000000Z", "Authorization": AUTH,
        "X-Amz-Target": target})
    r = conn.getresponse()
    data = json.loads(r.read())
    if r.status != 200:
        raise RuntimeError(f"{target}: {data}")
    return data


def writer(port, table, seconds, rate, out_q):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    acks = {}
    t_end = time.monotonic() + seconds
    i = 0
    next_at = time.monotonic()
    while time.monotonic() < t_end:
        key = f"lat{i}"
        call(conn, "DynamoDB_20120810.PutItem", {"TableName": table, "Item": {"pk": {"S": key}, "pad": {"S": "x" * 1000}}})
        acks[key] = time.monotonic()
        i += 1
        next_at += 1.0 / rate
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    out_q.put(("acks", acks))


def reader(port, arn, shard_id, stop_at, out_q):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    it = call(conn, "DynamoDBStreams_20120810.GetShardIterator",
              {"StreamArn": arn, "ShardId": shard_id, "ShardIteratorType": "LATEST"})["ShardIterator"]
    seen = {}
    while time.monotonic() < stop_at:
        r = call(conn, "DynamoDBStreams_20120810.GetRecords", {"ShardIterator": it})
        now = time.monotonic()
        for rec in r["Records"]:
            seen[rec["dynamodb"]["Keys"]["pk"]["S"]] = now
        it = r["NextShardIterator"]
    out_q.put(("seen", seen))


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p / 100))]


def main():
    data = tempfile.mkdtemp(prefix="floe-stream-bench-")
    port = free_port()
    proc, _ = start([FLOE, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", data, "--durability", "sync",
                     "--log-level", "warn"], port)
    try:
        for table in ("plain", "streamed"):
            subprocess.run([PY, os.path.join(HERE, "prefill.py"), f"http://127.0.0.1:{port}", "100000", table], check=True)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        arn = call(conn, "DynamoDB_20120810.UpdateTable", {
            "TableName": "streamed", "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        })["TableDescription"]["LatestStreamArn"]

        # 1. Throughput, alternating tables so that both see the same machine state.
        runs = {"plain": [], "streamed": []}
        for _ in range(RUNS):
            for table in ("plain", "streamed"):
                runs[table].append(wrk(port, "put", extra=["100000", table]))
        med = {t: sorted(r, key=lambda x: x["rps"])[len(r) // 2] for t, r in runs.items()}
        cost = 1 - med["streamed"]["rps"] / med["plain"]["rps"]

        # 2. Write-to-record latency.
        shards = call(conn, "DynamoDBStreams_20120810.DescribeStream", {"StreamArn": arn})["StreamDescription"]["Shards"]
        open_shards = [s["ShardId"] for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]]
        q = mp.Queue()
        stop_at = time.monotonic() + DURATION + 2
        readers = [mp.Process(target=reader, args=(port, arn, sid, stop_at, q)) for sid in open_shards]
        for r in readers:
            r.start()
        time.sleep(0.5)
        w = mp.Process(target=writer, args=(port, "streamed", DURATION, RATE, q))
        w.start()
        acks, seen = {}, {}
        for _ in range(len(readers) + 1):
            kind, payload = q.get()
            (acks if kind == "acks" else seen).update(payload)
        for p in readers + [w]:
            p.join()
        lat = [max(0.0, seen[k] - t) * 1000 for k, t in acks.items() if k in seen]
        missing = len([k for k in acks if k not in seen])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    lines = [
        f"# Streams benchmark ({datetime.date.today().isoformat()})", "",
        f"- machine: {os.cpu_count()} cores ({cpu}), {platform.platform()}",
        "- floe: release build (-O2), `--durability sync`, 4 stream shards (default)",
        "- rerun: `bench/run_stream_bench.sh` (writes this file)", "",
        "## PutItem with and without a NEW_AND_OLD_IMAGES stream", "",
        f"wrk 2 threads, 64 connections, {DURATION} s per run, `kv.lua put` (1 KB items, 100k keys, tables prefilled so "
        f"every put is a MODIFY whose record holds both images); {RUNS} runs per table, alternating, median reported.", "",
        "| table | PutItem/s (median) | all runs | p50 ms | p99 ms | errors |", "|---|---|---|---|---|---|",
    ]
    for t in ("plain", "streamed"):
        m = med[t]
        lines.append(f"| {t} | {m['rps']:.0f} | {', '.join('%.0f' % r['rps'] for r in runs[t])} | {m['p50']:.2f} | "
                     f"{m['p99']:.2f} | {sum(r['errors'] for r in runs[t])} |")
    lines += ["", f"Cost of the stream: {cost * 100:.1f}% of PutItem throughput (goal: at most 15%).", "",
              "## Write-to-record latency", "",
              f"One writer (paced at up to {RATE} PutItem/s; it achieved {len(acks) / DURATION:.0f}/s next to the "
              f"spinning readers) for {DURATION} s; one tailing reader per shard ({len(open_shards)}), GetRecords in a "
              "loop from LATEST.", "",
              "| writes acknowledged | records seen | missing | p50 ms | p90 ms | p99 ms | max ms |",
              "|---|---|---|---|---|---|---|",
              f"| {len(acks)} | {len(lat)} | {missing} | {pct(lat, 50):.2f} | {pct(lat, 90):.2f} | {pct(lat, 99):.2f} | "
              f"{max(lat):.2f} |", "", "Goal: p99 under 10 ms on loopback.", "", "## Raw wrk output (median runs)", ""]
    for t in ("plain", "streamed"):
        lines += [f"### {t}", "", "```", f"$ {med[t]['cmd']}", med[t]["raw"].rstrip(), "```", ""]
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines[:24]))


if __name__ == "__main__":
    main()
