#!/usr/bin/env python3
"""Writes the generated part of the fuzz seed corpora (tests/fuzz/corpus/<target>/gen-*): deep
nesting and maximum sizes, which random mutation reaches slowly. Run from the repository root;
the files are committed."""
import gzip
import json
import os
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "gen-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# expression: first byte 0 condition, 1 update, 2 projection
write("expression", "parens-4096", b"\x00" + b"(" * 4096)
write("expression", "parens-99", b"\x00" + b"(" * 99 + b"a = :v" + b")" * 99)
write("expression", "not-1000", b"\x00" + b"NOT " * 1000 + b"a = :v")
write("expression", "size-600", b"\x00" + b"size(" * 600 + b"a" + b")" * 600 + b" = :v")
write("expression", "list-append-250", b"\x01SET c=" + b"list_append(" * 250 + b"c" + b",:l)" * 250)
write("expression", "update-parens", b"\x01SET a = " + b"(" * 2000 + b":v" + b")" * 2000)
write("expression", "path-2000", b"\x02" + b".".join([b"d"] * 2000))
write("expression", "index-path", b"\x02c[0][1][2][3][4][5][6][7][8][9][10][11][12][13][14][15][16][17][18][19][20][21][22][23][24][25][26][27][28][29][30][31][32]")
write("expression", "in-101", b"\x00a IN (" + b",".join([b":v"] * 101) + b")")
write("expression", "or-300", b"\x00" + b" OR ".join([b"a = :v"] * 301))

# request: first byte 0 UpdateItem, 1 Query, 2 Scan, 3 GetItem, 4 PutItem/DeleteItem
names = {"#a": "a", "#b": "b"}
values = {":v": {"N": "1"}, ":s": {"S": "x"}, ":l": {"L": [{"N": "3"}]}, ":p": {"S": "k"}, ":n": {"N": "2"}}
write("request", "update", b"\x00" + json.dumps({
    "TableName": "t", "Key": {"pk": {"S": "k"}, "sk": {"N": "1"}},
    "UpdateExpression": "SET #a = list_append(if_not_exists(#a, :l), :l), b = b + :v REMOVE c ADD d :v",
    "ConditionExpression": "attribute_exists(pk) AND (size(#b) > :v OR begins_with(#b, :s))",
    "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}).encode())
write("request", "query", b"\x01" + json.dumps({
    "TableName": "t", "KeyConditionExpression": "pk = :p AND sk BETWEEN :v AND :n",
    "FilterExpression": "contains(#a, :s) OR NOT #b IN (:v, :n)", "ProjectionExpression": "#a, b.c[3], pk",
    "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}).encode())
write("request", "scan-legacy", b"\x02" + json.dumps({
    "TableName": "t", "ScanFilter": {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "5"}]},
                                     "b": {"ComparisonOperator": "NOT_NULL"}},
    "ConditionalOperator": "OR", "AttributesToGet": ["a", "b"]}).encode())
write("request", "expected", b"\x04" + json.dumps({
    "TableName": "t", "Item": {"pk": {"S": "k"}, "a": {"M": {"b": {"L": [{"S": "x"}, {"NULL": True}]}}}},
    "Expected": {"a": {"Exists": False}, "b": {"Value": {"S": "x"}}}}).encode())
write("request", "deep-condition", b"\x04" + json.dumps({
    "TableName": "t", "ConditionExpression": "(" * 4000 + "a = :v" + ")" * 4000,
    "ExpressionAttributeValues": values}).encode())
write("request", "deep-json", b"\x03" + b'{"TableName": "t", "Key": ' + b'{"M": {"a": ' * 300 + b'{"S": "x"}' + b"}}" * 300 + b"}")
write("request", "big-values", b"\x02" + json.dumps({
    "TableName": "t", "FilterExpression": " OR ".join(["a = :big"] * 50),
    "ExpressionAttributeValues": {":big": {"L": [{"S": "y" * 20}] * 200}}}).encode())

# attribute_json
def nested(n, leaf):
    v = leaf
    for i in range(n):
        v = {"M": {"a": v}} if i % 2 else {"L": [v]}
    return v
write("attribute_json", "nested-32", json.dumps({"a": nested(31, {"S": "x"})}))
write("attribute_json", "nested-33", json.dumps({"a": nested(33, {"S": "x"})}))
write("attribute_json", "json-depth-300", "[" * 300 + "]" * 300)
write("attribute_json", "sets", json.dumps({"ss": {"SS": [f"s{i}" for i in range(500)]},
                                            "ns": {"NS": ["1", "1.0", "-0", "1E+125", "9.9999999999999999999999999999999999999E+125"]},
                                            "bs": {"BS": ["AAEC", "/w=="]}}))
write("attribute_json", "numbers", json.dumps({"a": {"N": "0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"},
                                               "b": {"N": "-1e-130"}, "c": {"N": " 12"}, "d": {"N": "1" * 39}}))
write("attribute_json", "all-types", json.dumps({"s": {"S": "x"}, "n": {"N": "1"}, "b": {"B": "AA=="}, "t": {"BOOL": True},
                                                 "z": {"NULL": True}, "l": {"L": []}, "m": {"M": {}}}))

# sigv4: the Authorization header
good = ("AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + "0" * 64)
write("sigv4", "good-shape", good)
write("sigv4", "slashes", "AWS4-HMAC-SHA256 Credential=" + "/" * 3000 + ", SignedHeaders=host, Signature=0")
write("sigv4", "commas", "AWS4-HMAC-SHA256 " + "," * 3000)
write("sigv4", "semicolons", good.replace("host;x-amz-date;x-amz-target", ";" * 2000))
write("sigv4", "other-scheme", "Basic dXNlcjpwYXNz")

# http: whole requests
head = b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
write("http", "plain", head + b"Content-Length: 2\r\n\r\n{}")
write("http", "chunked", head + b"Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n1\r\n}\r\n0\r\n\r\n")
gz = gzip.compress(b'{"Limit": 1}')
write("http", "gzip", head + b"Content-Encoding: gzip\r\nContent-Length: " + str(len(gz)).encode() + b"\r\n\r\n" + gz)
df = zlib.compress(b'{"Limit": 1}')
write("http", "deflate", head + b"Content-Encoding: deflate\r\nContent-Length: " + str(len(df)).encode() + b"\r\n\r\n" + df)
bomb = gzip.compress(b"\0" * (2 << 20), 9)
write("http", "gzip-bomb", head + b"Content-Encoding: gzip\r\nContent-Length: " + str(len(bomb)).encode() + b"\r\n\r\n" + bomb)
write("http", "big-header", b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65000 + b"\r\nContent-Length: 0\r\n\r\n")
write("http", "many-headers", b"POST / HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(3000)) + b"Content-Length: 0\r\n\r\n")
write("http", "chunk-ext", head + b"Transfer-Encoding: chunked\r\n\r\n2;ext=" + b"e" * 1000 + b"\r\n{}\r\n0\r\nTrailer: x\r\n\r\n")
