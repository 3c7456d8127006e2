"""The HTTP and API edge: routing, errors, gzip, checksums, request ids, authentication, limits."""
import http.client
import json
import os
import subprocess
import zlib

import pytest

from conftest import FLOE_BIN, FloeServer, free_port, make_table
from helpers import error_of, raw


def test_health_check(server):
    status, headers, body = raw(server, None, b"", method="GET", auth=False)
    assert status == 200 and body.startswith("healthy: dynamodb.us-east-1.amazonaws.com")


def test_every_response_has_request_id_and_crc32(server):
    for op, body in (("ListTables", {}), ("DescribeTable", {"TableName": "nope_nope"})):
        status, headers, parsed = raw(server, op, body)
        assert len(headers["x-amzn-requestid"]) == 52
        conn = http.client.HTTPConnection("127.0.0.1", server.port)
        conn.request("POST", "/", body=json.dumps(body), headers={
            "X-Amz-Target": "DynamoDB_20120810." + op, "Authorization": raw.__globals__["FAKE_AUTH"],
            "X-Amz-Date": "20240101T000000Z", "Content-Type": "application/x-amz-json-1.0"})
        resp = conn.getresponse()
        data = resp.read()
        assert int(resp.getheader("x-amz-crc32")) == zlib.crc32(data)
        assert resp.getheader("content-type") == "application/x-amz-json-1.0"


def test_unknown_operation_and_bad_json(server):
    status, _, body = raw(server, "NoSuchOperation", {})
    assert status == 400 and body["__type"] == "com.amazon.coral.service#UnknownOperationException"
    status, _, body = raw(server, None, {})
    assert status == 400 and body["__type"].endswith("UnknownOperationException")
    status, _, body = raw(server, "ListTables", b"{not json")
    assert status == 400 and body["__type"] == "com.amazon.coral.service#SerializationException"
    status, _, body = raw(server, "ListTables", b"[1,2]")
    assert status == 400 and body["__type"].endswith("SerializationException")
    status, _, body = raw(server, "ListTables", {"Limit": "ten"})
    assert status == 400 and body["__type"].endswith("SerializationException")


def test_authentication_errors(server):
    status, _, body = raw(server, "ListTables", {}, auth=False)
    assert status == 400
    assert body["__type"] == "com.amazon.coral.service#MissingAuthenticationTokenException"
    assert body["message"] == "Request is missing Authentication Token"
    status, _, body = raw(server, "ListTables", {}, headers={"Authorization": "AWS4-HMAC-SHA256 Credential=x"})
    assert status == 400 and body["__type"].endswith("IncompleteSignatureException")


def test_gzip_request_body(server, ddb, table_name):
    make_table(ddb, table_name)
    status, _, body = raw(server, "PutItem", {"TableName": table_name, "Item": {"pk": {"S": "gz"}}}, gzip=True)
    assert status == 200, body
    assert ddb.get_item(TableName=table_name, Key={"pk": {"S": "gz"}})["Item"] == {"pk": {"S": "gz"}}
    status, _, body = raw(server, "PutItem", b"\x1f\x8b garbage", headers={"Content-Encoding": "gzip"})
    assert status == 400 and body["__type"].endswith("SerializationException")
    ddb.delete_table(TableName=table_name)


def test_keep_alive_many_requests_one_connection(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port)
    local = None
    for _ in range(50):
        conn.request("POST", "/", body="{}", headers={
            "X-Amz-Target": "DynamoDB_20120810.ListTables", "Authorization": raw.__globals__["FAKE_AUTH"],
            "X-Amz-Date": "20240101T000000Z"})
        resp = conn.getresponse()
        assert resp.status == 200
        assert resp.getheader("connection", "").lower() != "close"
        resp.read()
        # http.client reconnects silently when the server closes: the same local port proves
        # that every request went over the one connection.
        local = local or conn.sock.getsockname()
        assert conn.sock is not None and conn.sock.getsockname() == local
    conn.close()


def test_request_size_limit():
    s = FloeServer(env={"FLOE_LOG_LEVEL": "warn"}).start()
    try:
        # The limit is enforced from Content-Length, before the body is read.
        import socket
        with socket.create_connection(("127.0.0.1", s.port)) as sock:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n"
                         b"Content-Length: 17825792\r\n\r\n{")
            reply = b""
            while b"}" not in reply:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                reply += chunk
        assert reply.startswith(b"HTTP/1.1 413")
        assert b"RequestEntityTooLarge" in reply
        assert raw(s, "ListTables", {})[0] == 200  # still serving
    finally:
        s.cleanup()


def test_idle_and_stalled_connections_are_closed(tmp_path):
    import socket
    import time
    cfg = tmp_path / "idle.json"
    cfg.write_text(json.dumps({"idleTimeoutSeconds": 1}))
    s = FloeServer(extra_args=["--config", str(cfg)], env={"FLOE_LOG_LEVEL": "warn"}).start()
    try:
        def seconds_until_closed(sock):
            sock.settimeout(10)
            start = time.monotonic()
            assert sock.recv(1024) == b""  # EOF from the server, nothing else
            return time.monotonic() - start

        with socket.create_connection(("127.0.0.1", s.port)) as silent, \
                socket.create_connection(("127.0.0.1", s.port)) as partial:
            partial.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n")
            # Closed after the timeout (1 s) and within the next sweep (0.5 s later), not before.
            assert 0.9 <= seconds_until_closed(silent) <= 3
            assert seconds_until_closed(partial) <= 3
        # A keep-alive connection in use is not closed: requests 0.3 s apart for 3 s.
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=5)
        local = None
        for _ in range(10):
            conn.request("GET", "/")
            resp = conn.getresponse()
            assert resp.status == 200
            resp.read()
            local = local or conn.sock.getsockname()
            assert conn.sock is not None and conn.sock.getsockname() == local  # not silently reconnected
            time.sleep(0.3)
        conn.close()
        assert raw(s, "ListTables", {})[0] == 200
    finally:
        s.cleanup()


def test_signatures_verified_when_keys_are_configured(table_name):
    s = FloeServer(env={"FLOE_ACCESS_KEYS": "AKIDFLOE:s3cr3t"}).start()
    try:
        good = s.client(key="AKIDFLOE", secret="s3cr3t")
        make_table(good, table_name)
        good.put_item(TableName=table_name, Item={"pk": {"S": "signed"}})
        code, msg = error_of(s.client(key="AKIDFLOE", secret="wrong").list_tables)
        assert code == "InvalidSignatureException"
        assert msg.startswith("The request signature we calculated does not match the signature you provided.")
        code, msg = error_of(s.client(key="AKIDOTHER", secret="s3cr3t").list_tables)
        assert (code, msg) == ("UnrecognizedClientException", "The security token included in the request is invalid.")
        # A fake signature is no longer enough.
        status, _, body = raw(s, "ListTables", {})
        assert status == 400 and body["__type"].endswith(("InvalidSignatureException", "UnrecognizedClientException"))
    finally:
        s.cleanup()


def test_refuses_non_loopback_without_keys(tmp_path):
    r = subprocess.run([FLOE_BIN, "serve", "--listen", "0.0.0.0:" + str(free_port()), "--data-dir", str(tmp_path)],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 2
    assert "without access keys" in r.stderr


def test_config_file_and_precedence(tmp_path, table_name):
    port = free_port()
    cfg = tmp_path / "floe.json"
    cfg.write_text(json.dumps({"listen": f"127.0.0.1:{port}", "region": "eu-west-1", "durability": "sync"}))
    s = FloeServer(port=port, region="ap-southeast-1")
    s.extra_args = ["--config", str(cfg)]
    s.start()
    try:
        # --region on the command line beats the file.
        c = s.client()
        make_table(c, table_name)
        arn = c.describe_table(TableName=table_name)["Table"]["TableArn"]
        assert arn.startswith("arn:aws:dynamodb:ap-southeast-1:")
    finally:
        s.cleanup()
    # The storage caches are sized by config; with the row cache off every read goes to RocksDB,
    # and the results are the same.
    for caches in ({"rowCacheMb": 0, "blockCacheMb": 8}, {"rowCacheMb": 1, "blockCacheMb": 1}):
        port = free_port()
        cfg = tmp_path / "caches.json"
        cfg.write_text(json.dumps({"listen": f"127.0.0.1:{port}", **caches}))
        s = FloeServer(port=port)
        s.extra_args = ["--config", str(cfg)]
        s.start()
        try:
            c = s.client()
            make_table(c, table_name)
            for i in range(300):
                c.put_item(TableName=table_name, Item={"pk": {"S": f"k{i % 100}"}, "v": {"N": str(i)}, "pad": {"S": "x" * 2000}})
            for i in range(100):
                got = c.get_item(TableName=table_name, Key={"pk": {"S": f"k{i}"}}, ConsistentRead=True)["Item"]
                assert got["v"] == {"N": str(200 + i)}
            c.delete_item(TableName=table_name, Key={"pk": {"S": "k5"}})
            assert "Item" not in c.get_item(TableName=table_name, Key={"pk": {"S": "k5"}})
        finally:
            s.cleanup()
    for bad_values, message in (({"rowCacheMb": -1}, "must be a non-negative integer"),
                                ({"blockCacheMb": 0}, "blockCacheMb must be 1..65536"),
                                ({"rowCacheMb": 70000}, "rowCacheMb must be 0..65536"),
                                ({"idleTimeoutSeconds": 0}, "idleTimeoutSeconds must be 1..86400")):
        cfg = tmp_path / "bad_values.json"
        cfg.write_text(json.dumps({"listen": "127.0.0.1:1", **bad_values}))
        r = subprocess.run([FLOE_BIN, "serve", "--config", str(cfg)], capture_output=True, text=True, timeout=20)
        assert r.returncode == 2 and message in r.stderr, r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"listen": "127.0.0.1:1", "tableNme": "x"}))
    r = subprocess.run([FLOE_BIN, "serve", "--config", str(bad)], capture_output=True, text=True, timeout=20)
    assert r.returncode == 2 and "unknown config key 'tableNme'" in r.stderr
    r = subprocess.run([FLOE_BIN, "serve", "--durability", "sometimes", "--data-dir", str(tmp_path)],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 2 and "durability must be 'sync' or 'async'" in r.stderr
    env = dict(os.environ, FLOE_REGION="eu-west-1")
    s = FloeServer(env=env)
    s.region = "eu-west-1"
    s.start()
    try:
        assert s.client().list_tables()["TableNames"] == []
    finally:
        s.cleanup()
