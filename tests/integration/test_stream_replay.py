"""Stream completeness: replaying every shard from TRIM_HORIZON reproduces the table, under a
concurrent load of puts, updates, deletes, batches, transactions and TTL expiry, and across
SIGKILL restarts."""
import random
import threading
import time

from botocore.exceptions import ClientError

from conftest import FloeServer
from helpers import all_shards, read_shard

TABLE = "replay"


def create(ddb, name=TABLE):
    ddb.create_table(TableName=name,
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})


def key_of(item):
    return (item["pk"]["S"], item["sk"]["N"])


def read_stream(streams, arn):
    """Every record, shard by shard in DescribeStream order (parents first). Returns {shard: [records]}."""
    return {s["ShardId"]: read_shard(streams, arn, s["ShardId"])[0] for s in all_shards(streams, arn)}


def replay(per_shard, ttl_removals=None):
    """Applies records in order; checks each record's old image against the replayed state."""
    state = {}
    for recs in per_shard.values():
        for r in recs:
            if ttl_removals is not None and "userIdentity" in r:
                assert r["eventName"] == "REMOVE"
                assert r["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
                ttl_removals.append(r)
            d = r["dynamodb"]
            k = key_of(d["Keys"])
            if r["eventName"] == "INSERT":
                assert k not in state, f"INSERT of an existing item {k}"
                state[k] = d["NewImage"]
            elif r["eventName"] == "MODIFY":
                assert state.get(k) == d["OldImage"], f"MODIFY with a stale old image for {k}"
                state[k] = d["NewImage"]
            else:
                assert state.get(k) == d["OldImage"], f"REMOVE with a stale old image for {k}"
                del state[k]
    return state


def scan_all(ddb, name=TABLE):
    items = {}
    for page in ddb.get_paginator("scan").paginate(TableName=name, ConsistentRead=True):
        for it in page["Items"]:
            items[key_of(it)] = it
    return items


def wait_for_expirer(ddb):
    """Lets the TTL expirer delete what the load left expired, so that the table is still."""
    deadline = time.time() + 10
    while time.time() < deadline and any("exp" in i for i in scan_all(ddb).values()):
        time.sleep(0.1)


def worker(server, seed, stop, acked, failures):
    rnd = random.Random(seed)
    c = server.client()
    n = 0
    while not stop.is_set():
        pk = f"p{rnd.randrange(12)}"
        sk = str(rnd.randrange(8))
        key = {"pk": {"S": pk}, "sk": {"N": sk}}
        op = rnd.random()
        tag = f"{seed}-{n}"
        n += 1
        try:
            if op < 0.05:
                # Expires at once: the TTL expirer deletes it (unless overwritten first).
                c.put_item(TableName=TABLE, Item={**key, "tag": {"S": tag}, "exp": {"N": str(int(time.time()) - 10)}})
            elif op < 0.35:
                c.put_item(TableName=TABLE, Item={**key, "tag": {"S": tag}, "nested": {"M": {"l": {"L": [{"N": str(n)}]}}}})
            elif op < 0.55:
                c.update_item(TableName=TABLE, Key=key, UpdateExpression="SET tag = :t ADD cnt :one",
                              ExpressionAttributeValues={":t": {"S": tag}, ":one": {"N": "1"}})
            elif op < 0.65:
                # A transaction over several distinct items; conflicts are retried by the caller.
                keys = sorted({(f"p{rnd.randrange(12)}", str(rnd.randrange(8))) for _ in range(3)})
                acts = [{"Update": {"TableName": TABLE, "Key": {"pk": {"S": p}, "sk": {"N": s}},
                                    "UpdateExpression": "SET tag = :t", "ExpressionAttributeValues": {":t": {"S": tag}}}}
                        for p, s in keys[:-1]]
                acts.append({"Delete": {"TableName": TABLE, "Key": {"pk": {"S": keys[-1][0]}, "sk": {"N": keys[-1][1]}}}})
                try:
                    c.transact_write_items(TransactItems=acts)
                except ClientError as e:
                    if e.response["Error"]["Code"] != "TransactionCanceledException":
                        raise
                    tag = None
            elif op < 0.8:
                c.delete_item(TableName=TABLE, Key=key)
                tag = None
            else:
                # A batch touching several keys at once (distinct keys).
                keys = {(f"p{rnd.randrange(12)}", str(rnd.randrange(8))) for _ in range(4)}
                reqs = [{"PutRequest": {"Item": {"pk": {"S": p}, "sk": {"N": s}, "tag": {"S": tag}}}} for p, s in keys]
                c.batch_write_item(RequestItems={TABLE: reqs})
        except Exception as e:  # noqa: BLE001 - the kill cuts requests off
            failures.append(e)
            return
        acked.append(tag)


def run_load(server, seconds, threads=8, seed_base=0):
    stop = threading.Event()
    acked = [[] for _ in range(threads)]
    failures = []
    ts = [threading.Thread(target=worker, args=(server, seed_base + i, stop, acked[i], failures)) for i in range(threads)]
    for t in ts:
        t.start()
    return stop, ts, acked, failures


def test_replay_reproduces_table_under_concurrent_load():
    s = FloeServer().start()
    try:
        ddb, streams = s.client(), s.client("dynamodbstreams")
        create(ddb)
        arn = ddb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
        stop, ts, acked, failures = run_load(s, 3)
        time.sleep(3)
        stop.set()
        for t in ts:
            t.join()
        assert not failures, failures[:3]
        wait_for_expirer(ddb)
        per_shard = read_stream(streams, arn)
        total = sum(len(r) for r in per_shard.values())
        assert total > 500
        seqs = [r["dynamodb"]["SequenceNumber"] for recs in per_shard.values() for r in recs]
        assert len(seqs) == len(set(seqs)), "a record was delivered twice"
        ttl_removals = []
        assert replay(per_shard, ttl_removals) == scan_all(ddb)
        assert ttl_removals, "the TTL expirer deleted nothing"
    finally:
        s.cleanup()


def test_stream_after_sigkill_holds_exactly_the_acknowledged_writes(tmp_path):
    data_dir = str(tmp_path / "data")
    s = FloeServer(data_dir=data_dir).start()
    create(s.client())
    all_acked = set()
    for cycle in range(3):
        if cycle:
            s = FloeServer(data_dir=data_dir).start()
        stop, ts, acked, failures = run_load(s, 1.5, seed_base=cycle * 100)
        time.sleep(1.5)
        s.kill()
        stop.set()
        for t in ts:
            t.join(timeout=30)
        all_acked |= {tag for per in acked for tag in per if tag}

        s2 = FloeServer(data_dir=data_dir).start()
        ddb, streams = s2.client(), s2.client("dynamodbstreams")
        arn = ddb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
        wait_for_expirer(ddb)
        per_shard = read_stream(streams, arn)
        seqs = [r["dynamodb"]["SequenceNumber"] for recs in per_shard.values() for r in recs]
        assert len(seqs) == len(set(seqs))
        # The stream and the table agree exactly (a record exists iff its write is durable) ...
        assert replay(per_shard) == scan_all(ddb)
        # ... and every acknowledged write is in the stream.
        tags = {r["dynamodb"]["NewImage"]["tag"]["S"] for recs in per_shard.values() for r in recs
                if "NewImage" in r["dynamodb"] and "tag" in r["dynamodb"]["NewImage"]}
        missing = all_acked - tags
        assert not missing, f"{len(missing)} acknowledged writes missing from the stream"
        s2.stop()
    s2.cleanup()
