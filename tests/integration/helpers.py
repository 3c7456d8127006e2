"""Shared helpers for integration tests."""
import gzip as _gzip
import http.client
import json

import pytest
from botocore.exceptions import ClientError

FAKE_AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDTEST/20240101/us-east-1/dynamodb/aws4_request, "
             "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + "0" * 64)


def error_of(fn, **kwargs):
    """Calls fn and returns (code, message) of the ClientError it must raise."""
    with pytest.raises(ClientError) as e:
        fn(**kwargs)
    err = e.value.response["Error"]
    return err["Code"], err.get("Message", "")


def raw(server, operation, body, headers=None, gzip=False, target_prefix="DynamoDB_20120810.", method="POST",
        auth=True):
    """Sends a raw request (bypassing client-side validation). Returns (status, headers, parsed body or text)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    if isinstance(data, str):
        data = data.encode()
    h = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Date": "20240101T000000Z"}
    if operation is not None:
        h["X-Amz-Target"] = target_prefix + operation
    if auth:
        h["Authorization"] = FAKE_AUTH
    if gzip:
        data = _gzip.compress(data)
        h["Content-Encoding"] = "gzip"
    h.update(headers or {})
    conn.request(method, "/", body=data, headers=h)
    resp = conn.getresponse()
    text = resp.read().decode()
    hdrs = {k.lower(): v for k, v in resp.getheaders()}
    conn.close()
    try:
        return resp.status, hdrs, json.loads(text)
    except ValueError:
        return resp.status, hdrs, text


def raw_error(server, operation, body):
    status, _, parsed = raw(server, operation, body)
    assert status == 400, (status, parsed)
    return parsed["__type"].split("#")[-1], parsed.get("message", parsed.get("Message"))


# ---- DynamoDB Streams readers ----

def all_shards(streams, arn, limit=None):
    """Every shard of a stream, following DescribeStream pagination."""
    shards, start = [], None
    while True:
        kwargs = {"StreamArn": arn}
        if limit:
            kwargs["Limit"] = limit
        if start:
            kwargs["ExclusiveStartShardId"] = start
        d = streams.describe_stream(**kwargs)["StreamDescription"]
        shards += d["Shards"]
        start = d.get("LastEvaluatedShardId")
        if not start:
            return shards


def read_shard(streams, arn, shard_id, itype="TRIM_HORIZON", seq=None, limit=None):
    """Reads a shard until it is drained (closed) or returns nothing (open). Returns (records, next_iterator)."""
    kwargs = {"StreamArn": arn, "ShardId": shard_id, "ShardIteratorType": itype}
    if seq:
        kwargs["SequenceNumber"] = seq
    it = streams.get_shard_iterator(**kwargs)["ShardIterator"]
    records = []
    while it:
        kw = {"ShardIterator": it}
        if limit:
            kw["Limit"] = limit
        r = streams.get_records(**kw)
        records += r["Records"]
        it = r.get("NextShardIterator")
        if not r["Records"]:
            break
    return records, it


def read_all(streams, arn):
    """Every record of a stream, shard by shard (parents before children), in shard order."""
    out = []
    for sh in all_shards(streams, arn):
        out += read_shard(streams, arn, sh["ShardId"])[0]
    return out
