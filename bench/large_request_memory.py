"""Peak memory of one large (gzip-compressed) request.
usage: FLOE_BIN=path/to/floe /usr/bin/python3 bench/large_request_memory.py"""
import gzip, json, os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from conftest import FloeServer, make_table
from helpers import raw
def hwm(pid):
    for l in open(f"/proc/{pid}/status"):
        if l.startswith(("VmHWM", "VmRSS")): print(" ", l.strip(), end="")
    print()
s = FloeServer(env={"FLOE_LOG_LEVEL": "warn"}).start()
make_table(s.client(), "tbl")
hwm(s.proc.pid)
for name, body in (("list of 1.3M numbers", json.dumps({"TableName": "tbl", "Item": {"pk": {"S": "a"}, "l": {"L": [{"N": "1"}] * 1_300_000}}})),
                   ("array of 8M zeros", '{"TableName": "tbl", "x": [' + "0," * 8_000_000 + '0]}')):
    data = body.encode(); gz = gzip.compress(data, 9)
    t = time.time(); st, _, got = raw(s, "PutItem", gz, headers={"Content-Encoding": "gzip"})
    print(name, len(data) >> 20, "MiB ->", len(gz) >> 10, "KiB gzip:", st, str(got)[:80], f"{time.time()-t:.1f}s", end=""); hwm(s.proc.pid)
s.cleanup()
