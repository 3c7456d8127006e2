"""A node that cannot be crashed, stalled or tricked by what it is sent (issue 20).

Every request here is one an adversarial client can send. After each, the node must still answer
other clients correctly."""
import gzip
import json
import os
import resource
import socket
import threading
import time
import urllib.request

import pytest

from conftest import FloeServer, make_table
from helpers import raw
from sigv4_raw import send


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.fixture(scope="module")
def node():
    s = FloeServer(env={"FLOE_LOG_LEVEL": "warn"}).start()
    c = s.client()
    make_table(c, "sentinel", range_type="S")
    c.put_item(TableName="sentinel", Item={"pk": {"S": "k"}, "sk": {"S": "s"}, "v": {"S": "alive"},
                                           "l": {"L": [{"S": "x"}]}})
    yield s
    s.cleanup()


def assert_healthy(node):
    assert node.proc.poll() is None, "the node died: " + open(node.log_path, errors="replace").read()[-3000:]
    got = node.client().get_item(TableName="sentinel", Key={"pk": {"S": "k"}, "sk": {"S": "s"}}, ConsistentRead=True)
    assert got["Item"]["v"] == {"S": "alive"}


def deep(n, open_, close, inner):
    return open_ * n + inner + close * n


KEY = {"pk": {"S": "k"}, "sk": {"S": "s"}}
TOO_DEEP = "The expression has too many nesting levels; maximum: 100"

# (name, operation, body, expected HTTP status, expected error type suffix, expected message part)
CATALOGUE = [
    ("4096 '(' in a ConditionExpression", "UpdateItem",
     {"TableName": "sentinel", "Key": KEY, "UpdateExpression": "SET v = :v", "ConditionExpression": "(" * 4096,
      "ExpressionAttributeValues": {":v": {"S": "alive"}}}, 400, "ValidationException", TOO_DEEP),
    ("parentheses 2000 deep around a comparison", "UpdateItem",
     {"TableName": "sentinel", "Key": KEY, "UpdateExpression": "SET v = :v",
      "ConditionExpression": deep(2000, "(", ")", "v = :v"), "ExpressionAttributeValues": {":v": {"S": "alive"}}},
     400, "ValidationException", TOO_DEEP),
    ("3600 '(' in a Scan FilterExpression", "Scan",
     {"TableName": "sentinel", "FilterExpression": "(" * 3600}, 400, "ValidationException", TOO_DEEP),
    ("3600 '(' in a Query KeyConditionExpression", "Query",
     {"TableName": "sentinel", "KeyConditionExpression": "(" * 3600}, 400, "ValidationException", TOO_DEEP),
    ("NOT 1000 times", "Scan",
     {"TableName": "sentinel", "FilterExpression": "NOT " * 1000 + "v = :v",
      "ExpressionAttributeValues": {":v": {"S": "x"}}}, 400, "ValidationException", TOO_DEEP),
    ("size() nested 600 deep", "Scan",
     {"TableName": "sentinel", "FilterExpression": deep(600, "size(", ")", "v") + " = :v",
      "ExpressionAttributeValues": {":v": {"N": "1"}}}, 400, "ValidationException", TOO_DEEP),
    ("parentheses 2000 deep in an UpdateExpression", "UpdateItem",
     {"TableName": "sentinel", "Key": KEY, "UpdateExpression": "SET v = " + deep(2000, "(", ")", ":v"),
      "ExpressionAttributeValues": {":v": {"S": "alive"}}}, 400, "ValidationException", TOO_DEEP),
    ("list_append nested 255 deep (4 KB expression)", "UpdateItem",
     {"TableName": "sentinel", "Key": KEY, "UpdateExpression": "SET w=" + "list_append(" * 255 + "l" + ",:b)" * 255,
      "ExpressionAttributeValues": {":b": {"L": [{"S": "y" * 1000}] * 100}}},
     400, "ValidationException", TOO_DEEP),
    ("list_append nested 99 deep over a 100 KB list", "UpdateItem",
     {"TableName": "sentinel", "Key": KEY, "UpdateExpression": "SET w=" + "list_append(" * 99 + "l" + ",:b)" * 99,
      "ExpressionAttributeValues": {":b": {"L": [{"S": "y" * 1000}] * 100}}},
     400, "ValidationException", "Item size has exceeded the maximum allowed size"),
    ("a document path 1000 levels deep", "GetItem",
     {"TableName": "sentinel", "Key": KEY, "ProjectionExpression": ".".join(["a"] * 1000)},
     400, "ValidationException", "too many nesting levels"),
    ("JSON nested 100,000 deep", "PutItem", "[" * 100000, 400, "SerializationException", None),
    ("an item nested 10,000 maps deep", "PutItem",
     '{"TableName": "sentinel", "Item": {"pk": {"S": "d"}, "sk": {"S": "d"}, "m": ' + '{"M": {"a": ' * 10000 +
     '{"S": "x"}' + "}}" * 10000 + "}}", 400, "SerializationException", None),
    ("an item nested 40 lists deep (JSON depth within bounds)", "PutItem",
     {"TableName": "sentinel", "Item": {"pk": {"S": "d"}, "sk": {"S": "d"},
                                         "m": json.loads('{"L": [' * 40 + '{"S": "x"}' + "]}" * 40)}},
     400, "ValidationException", "Nesting Levels have exceeded supported limits"),
    ("an expression of 300 comparisons on a 1 MB value named 300 times", "Scan",
     {"TableName": "sentinel", "FilterExpression": " OR ".join(["v = :big"] * 300),
      "ExpressionAttributeValues": {":big": {"S": "z" * (1 << 20)}}}, 400, "ValidationException",
     "too many operators"),
    ("an Authorization header of 20,000 slashes", "ListTables", {}, 400, "IncompleteSignatureException", None),
]


@pytest.mark.parametrize("case", CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_pathological_requests(node, case):
    name, op, body, status, error, message = case
    headers = {}
    if "slashes" in name:
        headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=" + "/" * 20000 + ", SignedHeaders=host, Signature=0"
    got_status, _, got = raw(node, op, body, headers=headers)
    assert got_status == status, got
    assert got["__type"].endswith(error), got
    if message:
        assert message in got["message"], got
    assert_healthy(node)


def raw_socket_exchange(node, data, read_timeout=10):
    with socket.create_connection(("127.0.0.1", node.port)) as sock:
        sock.settimeout(read_timeout)
        try:
            sock.sendall(data)
        except OSError:
            pass
        reply = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                reply += chunk
                if b"\r\n\r\n" in reply:
                    head, _, rest = reply.partition(b"\r\n\r\n")
                    length = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")]
                    if length and len(rest) >= length[0]:
                        break
        except (socket.timeout, ConnectionResetError):
            pass
        return reply


HTTP_CATALOGUE = [
    ("70 KB of headers", b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n", b"HTTP/1.1 400"),
    ("a bad chunk size", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
     b"HTTP/1.1 400"),
    ("chunks past maxRequestBytes", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
     (b"100000\r\n" + b"a" * 0x100000 + b"\r\n") * 17 + b"0\r\n\r\n", b"HTTP/1.1 413"),
    ("a negative Content-Length", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", b"HTTP/1.1 400"),
    ("a request line of garbage", b"\x00\x01\x02 / HTTP/9.9\r\n\r\n", b"HTTP/1.1 400"),
    ("a gzip bomb: 17 MiB of JSON in 17 KB", None, b"HTTP/1.1 413"),
    ("gzip that is not gzip", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello",
     b"HTTP/1.1 400"),
]


@pytest.mark.parametrize("case", HTTP_CATALOGUE, ids=[c[0] for c in HTTP_CATALOGUE])
def test_pathological_http(node, case):
    name, data, expect = case
    if data is None:
        bomb = gzip.compress(b'{"TableName": "' + b"a" * (17 << 20) + b'"}', 9)
        data = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Encoding: gzip\r\n"
                b"Content-Length: " + str(len(bomb)).encode() + b"\r\n\r\n" + bomb)
    reply = raw_socket_exchange(node, data)
    assert reply.startswith(expect), reply[:300]
    assert_healthy(node)


def test_catalog_input_is_bounded(node):
    for body in ("[" * 100000, '{"namespace": ' + "[" * 5000 + "]" * 5000 + "}"):
        req = urllib.request.Request(f"{node.endpoint}/iceberg/v1/namespaces", data=body.encode(), method="POST")
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=10)
        assert e.value.code == 400
    assert_healthy(node)


# ---- No request stalls the others ----

def test_large_requests_do_not_stall_other_clients(node):
    """Large request bodies (5 MB, inflated from gzip) run beside other clients, not in front of them."""
    item = {"pk": {"S": "big"}, "sk": {"S": "big"}, "l": {"L": [{"N": "1"}] * 400_000}}
    body = json.dumps({"TableName": "sentinel", "Item": item}).encode()
    bomb = gzip.compress(body, 6)
    results = []

    def big():
        status, _, got = raw(node, "PutItem", bomb, headers={"Content-Encoding": "gzip"})
        results.append((status, got))

    rss_before = rss_mb(node.proc.pid)
    threads = [threading.Thread(target=big) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    c = node.client()
    worst = 0.0
    while any(t.is_alive() for t in threads):
        start = time.monotonic()
        c.get_item(TableName="sentinel", Key=KEY)
        worst = max(worst, time.monotonic() - start)
    for t in threads:
        t.join()
    # The big requests are refused (item over 400 KB) after being parsed, each taking seconds of
    # CPU; a small request is never queued behind them.
    assert len(results) == 3 and all(status == 400 and "Item size" in got["message"] for status, got in results), results
    # Behind them (on the I/O thread) a GetItem would wait seconds; beside them, milliseconds.
    assert worst < 2.0, f"a GetItem waited {worst:.2f} s behind large requests"
    assert rss_mb(node.proc.pid) - rss_before < 1500
    assert_healthy(node)


def test_clients_that_never_read_do_not_hold_memory(tmp_path):
    cfg = tmp_path / "buffer.json"
    cfg.write_text(json.dumps({"responseBufferMb": 32}))
    s = FloeServer(extra_args=["--config", str(cfg)], env={"FLOE_LOG_LEVEL": "warn"}).start()
    try:
        c = s.client()
        make_table(c, "wide")
        for i in range(100):
            c.put_item(TableName="wide", Item={"pk": {"S": f"k{i}"}, "pad": {"S": "p" * 100_000}})
        request = json.dumps({"RequestItems": {"wide": {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(100)]}}})
        head = ("POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.BatchGetItem\r\n"
                "Authorization: " + raw.__globals__["FAKE_AUTH"] + "\r\nX-Amz-Date: 20240101T000000Z\r\n"
                f"Content-Length: {len(request)}\r\n\r\n").encode()
        baseline = rss_mb(s.proc.pid)
        sockets = []
        for _ in range(40):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", s.port))
            sock.sendall(head + request.encode())  # 10 MB responses that are never read
            sockets.append(sock)
        # Wait until the node has answered all 40 (a request after them on a new connection is
        # answered once they are), sampling its memory.
        peak = baseline
        done = []
        t = threading.Thread(target=lambda: done.append(
            s.client().get_item(TableName="wide", Key={"pk": {"S": "k1"}})["Item"]["pk"]))
        t.start()
        while t.is_alive():
            peak = max(peak, rss_mb(s.proc.pid))
            time.sleep(0.05)
        assert done == [{"S": "k1"}]
        for _ in range(10):
            peak = max(peak, rss_mb(s.proc.pid))
            time.sleep(0.05)
        # The stalled clients hold nothing up once their responses are made.
        start = time.monotonic()
        for _ in range(20):
            c.get_item(TableName="wide", Key={"pk": {"S": "k2"}})
        assert time.monotonic() - start < 2
        # 40 x 10 MB would be 400 MB held for the idle timeout; the budget (32 MB) bounds it.
        print(f"RSS baseline {baseline:.0f} MB, peak {peak:.0f} MB")
        assert peak - baseline < 200, (baseline, peak)
        assert "stopped reading their responses" in open(s.log_path, errors="replace").read()
        for sock in sockets:
            sock.close()
    finally:
        s.cleanup()


def _limit_descriptors(n):
    def apply():
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
    return apply


class LimitedServer(FloeServer):
    """A node started with a low descriptor limit."""

    def __init__(self, nofile, **kw):
        super().__init__(**kw)
        self.nofile = nofile

    def start(self, timeout=20):
        import subprocess
        orig = subprocess.Popen

        def popen(*a, **k):
            k["preexec_fn"] = _limit_descriptors(self.nofile)
            return orig(*a, **k)
        subprocess.Popen = popen
        try:
            return super().start(timeout)
        finally:
            subprocess.Popen = orig


def test_out_of_descriptors_backs_off_and_recovers(tmp_path):
    cfg = tmp_path / "conns.json"
    cfg.write_text(json.dumps({"maxConnections": 100000}))
    s = LimitedServer(256, extra_args=["--config", str(cfg)], env={"FLOE_LOG_LEVEL": "warn"}).start()
    try:
        sockets = []
        for _ in range(400):
            sockets.append(socket.create_connection(("127.0.0.1", s.port)))
        time.sleep(0.5)
        cpu_before = cpu_seconds(s.proc.pid)
        time.sleep(2)
        used = cpu_seconds(s.proc.pid) - cpu_before
        assert used < 0.5, f"the node used {used:.2f} s of CPU in 2 s while out of descriptors"
        log = open(s.log_path, errors="replace").read()
        assert log.count("cannot accept connections") == 1, log[-2000:]
        for sock in sockets:
            sock.close()
        deadline = time.monotonic() + 10
        while True:
            try:
                assert s.client().list_tables()["TableNames"] == []
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        s.cleanup()


def test_max_connections(tmp_path):
    s = LimitedServer(256, env={"FLOE_LOG_LEVEL": "warn"}).start()  # default: half the limit, 128
    try:
        kept = []
        refused = 0
        for _ in range(200):
            sock = socket.create_connection(("127.0.0.1", s.port))
            sock.settimeout(5)
            try:  # a refused connection is reset, before or after the request is sent
                sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                reply = sock.recv(4096)
            except OSError:
                reply = b""
            if reply.startswith(b"HTTP/1.1 200"):
                kept.append(sock)
            else:
                refused += 1
                sock.close()
        assert len(kept) == 128 and refused == 72, (len(kept), refused)
        assert "maxConnections (128) reached" in open(s.log_path, errors="replace").read()
        for sock in kept[:10]:
            sock.close()
        time.sleep(0.3)
        assert s.client().list_tables()["TableNames"] == []
        for sock in kept[10:]:
            sock.close()
    finally:
        s.cleanup()


# ---- Reads of writes that are not yet durable ----

def test_no_response_shows_a_write_before_it_is_durable(table_name):
    """With each WAL flush delayed (a test-only hook), a reader must not see a write, nor fail a
    condition because of it, before the write is durable."""
    s = FloeServer(env={"FLOE_LOG_LEVEL": "warn", "FLOE_TEST_SYNC_DELAY_MS": "600"}).start()
    try:
        c = s.client()
        make_table(c, table_name)
        seen = {}

        def reader():
            r = s.client()
            while "get" not in seen:
                if "Item" in r.get_item(TableName=table_name, Key={"pk": {"S": "w"}}, ConsistentRead=True):
                    seen["get"] = time.monotonic()

        def conditional():
            # A delete conditioned on the item's absence changes nothing while it is absent, and
            # fails once the item exists.
            r = s.client()
            while "condition" not in seen:
                try:
                    r.delete_item(TableName=table_name, Key={"pk": {"S": "w"}},
                                  ConditionExpression="attribute_not_exists(pk)")
                except r.exceptions.ConditionalCheckFailedException:
                    seen["condition"] = time.monotonic()

        threads = [threading.Thread(target=reader), threading.Thread(target=conditional)]
        for t in threads:
            t.start()
        time.sleep(0.05)
        start = time.monotonic()
        c.put_item(TableName=table_name, Item={"pk": {"S": "w"}})
        acked = time.monotonic()
        for t in threads:
            t.join(timeout=20)
        assert acked - start >= 0.55  # the hook works: the write waits for its flush
        assert seen["get"] - start >= 0.55, "a reader saw the write before it was durable"
        assert seen["condition"] - start >= 0.55, "a condition failed on a write before it was durable"
    finally:
        s.cleanup()


# ---- Nothing is exposed that should not be ----

def test_signature_scope_and_payload(tmp_path):
    s = FloeServer(env={"FLOE_ACCESS_KEYS": "AKIDFLOE:s3cr3t", "FLOE_LOG_LEVEL": "warn"}).start()
    try:
        body = json.dumps({})
        base = {"content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.ListTables"}
        sign = {"key": "AKIDFLOE", "secret": "s3cr3t", "region": "us-east-1", "service": "dynamodb"}
        assert send(s, "POST", "/", body, base, **sign)[0] == 200

        def error(**over):
            status, text = send(s, "POST", "/", body, base, **dict(sign, **over))
            assert status == 400, text
            got = json.loads(text)
            return got["__type"].split("#")[1], got["message"]

        assert error(service="s3") == ("InvalidSignatureException",
                                       "Credential should be scoped to correct service: 'dynamodb'. ")
        assert error(region="eu-west-1") == ("InvalidSignatureException",
                                             "Credential should be scoped to a valid region, not 'eu-west-1'. ")
        code, message = error(payload_hash="UNSIGNED-PAYLOAD")
        assert code == "InvalidSignatureException" and message.startswith("The request signature we calculated")
        code, message = error(payload_hash="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        assert code == "InvalidSignatureException" and message.startswith("The request signature we calculated")
        # boto3 signed for another region gets the same answer (until global tables forward it).
        import boto3
        other = boto3.client("dynamodb", endpoint_url=s.endpoint, region_name="eu-west-1",
                             aws_access_key_id="AKIDFLOE", aws_secret_access_key="s3cr3t")
        from botocore.exceptions import ClientError
        with pytest.raises(ClientError) as e:
            other.list_tables()
        assert e.value.response["Error"]["Message"] == "Credential should be scoped to a valid region, not 'eu-west-1'. "
        # With keys configured, /metrics needs a signed request.
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(f"{s.endpoint}/metrics", timeout=10)
        assert e.value.code == 403
        status, text = send(s, "GET", "/metrics", b"", {}, **dict(sign, service="monitoring"))
        assert status == 200
    finally:
        s.cleanup()


def _rest(node, method, path, body=None):
    req = urllib.request.Request(f"{node.endpoint}/iceberg/v1/{path}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            text = r.read().decode()
            return r.status, json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode() or "null")


def test_catalog_cannot_reach_outside_the_warehouse(tmp_path):
    s = FloeServer(env={"FLOE_LOG_LEVEL": "warn"}).start()
    try:
        warehouse = os.path.join(s.data_dir, "warehouse")
        assert _rest(s, "POST", "namespaces", {"namespace": ["shop"]})[0] == 200
        schema = {"type": "struct", "schema-id": 0, "fields": [{"id": 1, "name": "a", "required": False, "type": "string"}]}
        status, created = _rest(s, "POST", "namespaces/shop/tables", {"name": "orders", "schema": schema})
        assert status == 200, created
        metadata = json.load(open(created["metadata-location"].replace("file://", "")))
        wh_uri = created["metadata-location"].split("/shop/")[0]  # the warehouse, as the catalog names it
        # Outside the warehouse: an existing file, a metadata file and a missing one answer alike.
        outside = tmp_path / "outside.metadata.json"
        outside.write_text(json.dumps(metadata))
        answers = []
        for location in ("/etc/passwd", str(outside), str(tmp_path / "missing.json"),
                         wh_uri + "/shop/missing.metadata.json", wh_uri + "/../../etc/passwd",
                         "file:///etc/passwd"):
            status, got = _rest(s, "POST", "namespaces/shop/register", {"name": "stolen", "metadata-location": location})
            answers.append((status, got["error"]["type"], got["error"]["message"].replace(location, "X")))
        assert len(set(answers)) == 1 and answers[0][0] == 404, answers
        # A metadata file inside the warehouse that names files outside it (which a purge would
        # delete, and which reading would follow) is refused.
        victim = tmp_path / "victim.txt"
        victim.write_text("precious")
        crafted = dict(metadata, **{"metadata-log": [{"timestamp-ms": 1, "metadata-file": str(victim)}]})
        inside = os.path.join(warehouse, "shop", "orders", "metadata", "crafted.metadata.json")
        with open(inside, "w") as f:
            json.dump(crafted, f)
        status, got = _rest(s, "POST", "namespaces/shop/register",
                            {"name": "crafted", "metadata-location": wh_uri + "/shop/orders/metadata/crafted.metadata.json"})
        assert status == 400 and "not inside the warehouse" in got["error"]["message"], got
        status, _ = _rest(s, "DELETE", "namespaces/shop/tables/orders?purgeRequested=true")
        assert status == 204
        assert victim.read_text() == "precious"
        # A FIFO named as metadata does not block the catalog.
        fifo = os.path.join(warehouse, "shop", "fifo.metadata.json")
        os.mkfifo(fifo)
        status, got = _rest(s, "POST", "namespaces/shop/register", {"name": "fifo", "metadata-location": wh_uri + "/shop/fifo.metadata.json"})
        assert status == 404, got
    finally:
        s.cleanup()
