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
