#!/usr/bin/env python3
"""DynamoDB side of the replicator end-to-end tests, through boto3 (an unmodified AWS client).

  ddb_workload.py ENDPOINT create TABLE          table with a stream (NEW_AND_OLD_IMAGES) and TTL on 'exp'
  ddb_workload.py ENDPOINT load TABLE SEED OPS   a random workload: puts with nested attributes, updates,
                                                 deletes, transactions, items that TTL expires;
                                                 retries any failed request until it succeeds
  ddb_workload.py ENDPOINT scan TABLE            every item, DynamoDB JSON, one per line
  ddb_workload.py ENDPOINT stream TABLE          every stream record of the table's streams, one per line
  ddb_workload.py ENDPOINT put TABLE JSON        one item (DynamoDB JSON)
"""
import json
import random
import sys
import time
import uuid

import boto3
import botocore.config

endpoint, cmd, table = sys.argv[1], sys.argv[2], sys.argv[3]
cfg = botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10)
kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="e2e", aws_secret_access_key="e2e", config=cfg)
ddb = boto3.client("dynamodb", **kw)
streams = boto3.client("dynamodbstreams", **kw)


def forever(fn):
    """Runs fn until it succeeds: the server may be down (killed) for a while."""
    for _ in range(3000):
        try:
            return fn()
        except ddb.exceptions.ConditionalCheckFailedException:
            return None
        except ddb.exceptions.TransactionCanceledException:
            return None
        except Exception:
            time.sleep(0.05)
    raise SystemExit("the server did not come back")


def item(rand, pk, sk, now):
    it = {"pk": {"S": pk}, "sk": {"N": str(sk)}, "qty": {"N": str(rand.randint(-1000, 10**12))}}
    if rand.random() < 0.8:
        it["price"] = {"N": f"{rand.randint(0, 10**6)}.{rand.randint(0, 99):02d}"}
    if rand.random() < 0.7:
        it["tags"] = {"SS": sorted({f"t{rand.randint(0, 9)}" for _ in range(rand.randint(1, 4))})}
    if rand.random() < 0.8:
        addr = {"city": {"S": rand.choice(["Oslo", "Lagos", "Lima", "Osaka", "Zürich"])}}
        if rand.random() < 0.5:
            addr["zip"] = {"S": str(rand.randint(1000, 99999))}
        it["address"] = {"M": addr}
    if rand.random() < 0.5:
        it["profile"] = {"M": {"name": {"S": f"user {rand.randint(0, 99)}"}, "vip": {"BOOL": rand.random() < 0.5}}}
    if rand.random() < 0.3:
        it["note"] = {"S": "x" * rand.randint(0, 50)}
    if rand.random() < 0.2:
        it["blob"] = {"B": bytes(rand.randint(0, 255) for _ in range(rand.randint(0, 8)))}
    if rand.random() < 0.2:
        it["nested"] = {"L": [{"N": str(rand.randint(0, 9))}, {"M": {"a": {"NULL": True}}}]}
    if rand.random() < 0.05:
        it["exp"] = {"N": str(int(now) - 10)}  # TTL expires it
    return it


def load(seed, ops):
    rand = random.Random(seed)
    keys = [(f"PRODUCT#{i}", rand.randint(0, 3)) for i in range(max(10, ops // 5))]
    for n in range(ops):
        pk, sk = rand.choice(keys)
        key = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
        r = rand.random()
        now = time.time()
        if r < 0.45:
            it = item(rand, pk, sk, now)
            forever(lambda: ddb.put_item(TableName=table, Item=it))
        elif r < 0.65:
            delta = rand.randint(1, 5)
            forever(lambda: ddb.update_item(
                TableName=table, Key=key, UpdateExpression="SET qty = if_not_exists(qty, :z) + :d, address.city = :c REMOVE tags",
                ConditionExpression="attribute_exists(address)",
                ExpressionAttributeValues={":d": {"N": str(delta)}, ":z": {"N": "0"}, ":c": {"S": "Rome"}}))
        elif r < 0.8:
            forever(lambda: ddb.delete_item(TableName=table, Key=key))
        else:
            (p1, s1), (p2, s2) = rand.sample(keys, 2)
            a = item(rand, p1, s1, now)
            token = str(uuid.uuid4())
            forever(lambda: ddb.transact_write_items(ClientRequestToken=token, TransactItems=[
                {"Put": {"TableName": table, "Item": a}},
                {"Delete": {"TableName": table, "Key": {"pk": {"S": p2}, "sk": {"N": str(s2)}}}}]))


def scan():
    out, start = [], None
    while True:
        kw2 = {"TableName": table, "ConsistentRead": True}
        if start:
            kw2["ExclusiveStartKey"] = start
        page = forever(lambda: ddb.scan(**kw2))
        out += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return out


def stream():
    arns = [s["StreamArn"] for s in streams.list_streams(TableName=table)["Streams"]]
    out = []
    for arn in arns:
        shards, start = [], None
        while True:
            kw2 = {"StreamArn": arn}
            if start:
                kw2["ExclusiveStartShardId"] = start
            d = streams.describe_stream(**kw2)["StreamDescription"]
            shards += d["Shards"]
            start = d.get("LastEvaluatedShardId")
            if not start:
                break
        for sh in shards:
            it = streams.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while it:
                r = streams.get_records(ShardIterator=it, Limit=1000)
                for rec in r["Records"]:
                    rec["dynamodb"].pop("ApproximateCreationDateTime", None)
                    out.append({"eventName": rec["eventName"], "ttl": "userIdentity" in rec, **rec["dynamodb"]})
                it = r.get("NextShardIterator")
                if not r["Records"] and sh.get("SequenceNumberRange", {}).get("EndingSequenceNumber") is None:
                    break
    return out


def encode(v):
    if isinstance(v, (bytes, bytearray)):
        import base64
        return base64.b64encode(v).decode()
    raise TypeError(type(v))


if cmd == "create":
    forever(lambda: ddb.create_table(
        TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
        BillingMode="PAY_PER_REQUEST", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}))
    forever(lambda: ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}))
elif cmd == "load":
    load(int(sys.argv[4]), int(sys.argv[5]))
elif cmd == "scan":
    for it in scan():
        print(json.dumps(it, default=encode))
elif cmd == "stream":
    for rec in stream():
        print(json.dumps(rec, default=encode))
elif cmd == "stream-off":
    forever(lambda: ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": False}))
elif cmd == "stream-on":
    forever(lambda: ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}))
elif cmd == "put":
    forever(lambda: ddb.put_item(TableName=table, Item=json.loads(sys.argv[4])))
else:
    raise SystemExit("unknown command " + cmd)
