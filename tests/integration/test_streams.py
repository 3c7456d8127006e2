"""DynamoDB Streams through boto3's dynamodbstreams client: every operation, iterator type,
error and view type."""
import datetime
import time

import pytest

from conftest import FloeServer, make_table
from helpers import all_shards, error_of, raw, read_all, read_shard

VIEW_TYPES = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]


@pytest.fixture(scope="module")
def streams(server):
    return server.client("dynamodbstreams")


def stream_table(ddb, name, view="NEW_AND_OLD_IMAGES", range_type=None):
    defs = [{"AttributeName": "pk", "AttributeType": "S"}]
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if range_type:
        defs.append({"AttributeName": "sk", "AttributeType": range_type})
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
    r = ddb.create_table(TableName=name, AttributeDefinitions=defs, KeySchema=schema, BillingMode="PAY_PER_REQUEST",
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    return r["TableDescription"]["LatestStreamArn"]


def test_create_table_with_stream_and_describe(ddb, streams, table_name):
    arn = stream_table(ddb, table_name, "NEW_IMAGE", range_type="N")
    t = ddb.describe_table(TableName=table_name)["Table"]
    assert t["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert t["LatestStreamArn"] == arn
    assert arn.startswith(f"arn:aws:dynamodb:us-east-1:000000000000:table/{table_name}/stream/")
    assert arn.endswith(t["LatestStreamLabel"])
    datetime.datetime.strptime(t["LatestStreamLabel"], "%Y-%m-%dT%H:%M:%S.%f")

    listed = streams.list_streams(TableName=table_name)["Streams"]
    assert listed == [{"StreamArn": arn, "TableName": table_name, "StreamLabel": t["LatestStreamLabel"]}]

    d = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert d["StreamArn"] == arn and d["StreamLabel"] == t["LatestStreamLabel"]
    assert d["StreamStatus"] == "ENABLED" and d["StreamViewType"] == "NEW_IMAGE"
    assert d["TableName"] == table_name
    assert d["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    assert isinstance(d["CreationRequestDateTime"], datetime.datetime)
    assert len(d["Shards"]) == 4
    ids = [s["ShardId"] for s in d["Shards"]]
    assert ids == sorted(ids) and len(set(ids)) == 4
    for s in d["Shards"]:
        assert 28 <= len(s["ShardId"]) <= 65
        start = s["SequenceNumberRange"]["StartingSequenceNumber"]
        assert start.isdecimal() and len(start) >= 21
        assert "EndingSequenceNumber" not in s["SequenceNumberRange"]
        assert "ParentShardId" not in s


def test_table_without_stream(ddb, streams, table_name):
    make_table(ddb, table_name)
    t = ddb.describe_table(TableName=table_name)["Table"]
    assert "StreamSpecification" not in t and "LatestStreamArn" not in t
    assert streams.list_streams(TableName=table_name)["Streams"] == []
    ddb.create_table(TableName=table_name + "x", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": False})
    assert "LatestStreamArn" not in ddb.describe_table(TableName=table_name + "x")["Table"]


@pytest.mark.parametrize("view", VIEW_TYPES)
def test_record_content_per_view_type(ddb, streams, table_name, view):
    arn = stream_table(ddb, table_name, view)
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "a"}, "v": {"N": "1"}, "s": {"SS": ["x", "y"]}})
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "a"}, "v": {"N": "1"}, "s": {"SS": ["x", "y"]}})  # no-op
    ddb.update_item(TableName=table_name, Key={"pk": {"S": "a"}}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"N": "2"}})
    ddb.update_item(TableName=table_name, Key={"pk": {"S": "a"}}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"N": "2"}})  # no-op
    ddb.delete_item(TableName=table_name, Key={"pk": {"S": "a"}})
    ddb.delete_item(TableName=table_name, Key={"pk": {"S": "a"}})  # no-op
    records = read_all(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    seqs = [r["dynamodb"]["SequenceNumber"] for r in records]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    assert len({r["eventID"] for r in records}) == 3
    v1 = {"pk": {"S": "a"}, "v": {"N": "1"}, "s": {"SS": ["x", "y"]}}
    v2 = {"pk": {"S": "a"}, "v": {"N": "2"}, "s": {"SS": ["x", "y"]}}
    images = [(None, v1), (v1, v2), (v2, None)]
    for r, (old, new) in zip(records, images):
        assert r["eventVersion"] == "1.1" and r["eventSource"] == "aws:dynamodb" and r["awsRegion"] == "us-east-1"
        assert "userIdentity" not in r
        d = r["dynamodb"]
        assert d["Keys"] == {"pk": {"S": "a"}}
        assert d["StreamViewType"] == view
        assert d["SizeBytes"] > 0
        assert abs(d["ApproximateCreationDateTime"].timestamp() - time.time()) < 60
        want_new = view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") and new is not None
        want_old = view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") and old is not None
        assert d.get("NewImage") == (new if want_new else None)
        assert d.get("OldImage") == (old if want_old else None)


def test_iterator_types(ddb, streams, table_name):
    arn = stream_table(ddb, table_name, "KEYS_ONLY")
    # One partition key: every record lands in the same shard.
    for i in range(5):
        ddb.put_item(TableName=table_name, Item={"pk": {"S": "k"}, "n": {"N": str(i)}})
    shards = all_shards(streams, arn)
    per_shard = {s["ShardId"]: read_shard(streams, arn, s["ShardId"])[0] for s in shards}
    shard_id = [sid for sid, recs in per_shard.items() if recs][0]
    recs = per_shard[shard_id]
    assert len(recs) == 5 and sum(len(r) for r in per_shard.values()) == 5
    seqs = [r["dynamodb"]["SequenceNumber"] for r in recs]

    at, _ = read_shard(streams, arn, shard_id, "AT_SEQUENCE_NUMBER", seqs[2])
    assert [r["dynamodb"]["SequenceNumber"] for r in at] == seqs[2:]
    after, _ = read_shard(streams, arn, shard_id, "AFTER_SEQUENCE_NUMBER", seqs[2])
    assert [r["dynamodb"]["SequenceNumber"] for r in after] == seqs[3:]
    start = [s for s in shards if s["ShardId"] == shard_id][0]["SequenceNumberRange"]["StartingSequenceNumber"]
    assert len(read_shard(streams, arn, shard_id, "AT_SEQUENCE_NUMBER", start)[0]) == 5

    latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="LATEST")["ShardIterator"]
    r = streams.get_records(ShardIterator=latest)
    assert r["Records"] == [] and r["NextShardIterator"]
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "k"}, "n": {"N": "99"}})
    # Visible as soon as the write is acknowledged: no polling.
    r = streams.get_records(ShardIterator=r["NextShardIterator"])
    assert [x["eventName"] for x in r["Records"]] == ["MODIFY"]
    # Limit.
    r = streams.get_records(ShardIterator=streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"], Limit=2)
    assert len(r["Records"]) == 2
    r = streams.get_records(ShardIterator=r["NextShardIterator"], Limit=1000)
    assert len(r["Records"]) == 4
    # LATEST iterators of different shards differ.
    its = {streams.get_shard_iterator(StreamArn=arn, ShardId=s["ShardId"], ShardIteratorType="LATEST")["ShardIterator"]
           for s in shards}
    assert len(its) == len(shards)


def test_items_spread_over_shards_in_order(ddb, streams, table_name):
    arn = stream_table(ddb, table_name, "NEW_IMAGE")
    for round_ in range(3):
        for i in range(40):
            ddb.put_item(TableName=table_name, Item={"pk": {"S": f"item{i}"}, "round": {"N": str(round_)}})
    shards = all_shards(streams, arn, limit=1)
    assert len(shards) == 4
    nonempty = 0
    seen = {}
    for s in shards:
        recs, _ = read_shard(streams, arn, s["ShardId"], limit=7)
        nonempty += bool(recs)
        for r in recs:
            key = r["dynamodb"]["Keys"]["pk"]["S"]
            seen.setdefault(key, []).append(int(r["dynamodb"]["NewImage"]["round"]["N"]))
            assert seen[key] == sorted(seen[key])
    assert nonempty > 1
    assert len(seen) == 40 and all(v == [0, 1, 2] for v in seen.values())


def test_update_table_stream_transitions(ddb, streams, table_name):
    make_table(ddb, table_name)
    code, msg = error_of(ddb.update_table, TableName=table_name, StreamSpecification={"StreamEnabled": False})
    assert (code, msg) == ("ValidationException", f"Table has no stream to disable: TableName: {table_name}")
    code, msg = error_of(ddb.update_table, TableName=table_name, StreamSpecification={"StreamEnabled": True})
    assert code == "ValidationException" and "UpdateViewType is required" in msg
    code, msg = error_of(ddb.update_table, TableName=table_name,
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "Fisk"})
    assert code == "ValidationException" and "streamSpecification.streamViewType" in msg

    r = ddb.update_table(TableName=table_name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    first = r["TableDescription"]["LatestStreamArn"]
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "one"}})
    code, msg = error_of(ddb.update_table, TableName=table_name,
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "OLD_IMAGE"})
    assert (code, msg) == ("ValidationException", f"Table already has an enabled stream: TableName: {table_name}")
    code, msg = error_of(ddb.update_table, TableName=table_name,
                         StreamSpecification={"StreamEnabled": False, "StreamViewType": "KEYS_ONLY"})
    assert code == "ValidationException" and "must not be specified" in msg

    ddb.update_table(TableName=table_name, StreamSpecification={"StreamEnabled": False})
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "unseen"}})
    t = ddb.describe_table(TableName=table_name)["Table"]
    assert "StreamSpecification" not in t and t["LatestStreamArn"] == first
    d = streams.describe_stream(StreamArn=first)["StreamDescription"]
    assert d["StreamStatus"] == "DISABLED"
    for s in d["Shards"]:
        rng = s["SequenceNumberRange"]
        assert int(rng["EndingSequenceNumber"]) >= int(rng["StartingSequenceNumber"])
    # A closed shard is drained: no NextShardIterator once its records are read.
    total = []
    for s in d["Shards"]:
        recs, it = read_shard(streams, first, s["ShardId"])
        assert it is None
        total += recs
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in total] == ["one"]

    time.sleep(0.002)
    r = ddb.update_table(TableName=table_name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    second = r["TableDescription"]["LatestStreamArn"]
    assert second != first
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "two"}})
    assert [x["dynamodb"]["Keys"]["pk"]["S"] for x in read_all(streams, second)] == ["two"]
    listed = [s["StreamArn"] for s in streams.list_streams(TableName=table_name)["Streams"]]
    assert sorted(listed) == sorted([first, second])
    # The old stream is still readable.
    assert [x["dynamodb"]["Keys"]["pk"]["S"] for x in read_all(streams, first)] == ["one"]


def test_deleted_table_stream_stays_readable(ddb, streams, table_name):
    arn = stream_table(ddb, table_name, "NEW_AND_OLD_IMAGES")
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "x"}})
    ddb.delete_table(TableName=table_name)
    d = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert d["StreamStatus"] == "DISABLED"
    assert [r["eventName"] for r in read_all(streams, arn)] == ["INSERT"]
    # A new table of the same name gets a new stream.
    arn2 = stream_table(ddb, table_name, "KEYS_ONLY")
    assert arn2 != arn
    assert read_all(streams, arn2) == []


def test_list_streams_pagination(ddb, streams, table_name):
    arns = [stream_table(ddb, f"{table_name}_{i}", "KEYS_ONLY") for i in range(3)]
    seen, start = [], None
    while True:
        kwargs = {"Limit": 1}
        if start:
            kwargs["ExclusiveStartStreamArn"] = start
        r = streams.list_streams(**kwargs)
        assert len(r["Streams"]) <= 1
        seen += [s["StreamArn"] for s in r["Streams"]]
        start = r.get("LastEvaluatedStreamArn")
        if not start:
            break
    assert len(seen) == len(set(seen))
    assert set(arns) <= set(seen)


def test_describe_stream_pagination(ddb, streams, table_name):
    arn = stream_table(ddb, table_name, "KEYS_ONLY")
    paged = all_shards(streams, arn, limit=3)
    assert [s["ShardId"] for s in paged] == [s["ShardId"] for s in all_shards(streams, arn)]
    last = paged[-1]["ShardId"]
    assert streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=last)["StreamDescription"]["Shards"] == []


def test_errors(ddb, streams, server, table_name):
    arn = stream_table(ddb, table_name, "KEYS_ONLY")
    shard = all_shards(streams, arn)[0]
    sid = shard["ShardId"]
    seq = shard["SequenceNumberRange"]["StartingSequenceNumber"]
    bogus = "arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2020-01-01T00:00:00.000"

    assert error_of(streams.describe_stream, StreamArn=bogus)[0] == "ResourceNotFoundException"
    assert error_of(streams.describe_stream, StreamArn="x" * 40)[0] == "ValidationException"
    assert error_of(streams.list_streams, ExclusiveStartStreamArn="k" * 40)[0] == "ValidationException"
    assert error_of(streams.get_shard_iterator, StreamArn=bogus, ShardId=sid,
                    ShardIteratorType="LATEST")[0] == "ResourceNotFoundException"
    assert error_of(streams.get_shard_iterator, StreamArn=arn, ShardId="shardId-" + "9" * 30,
                    ShardIteratorType="LATEST")[0] == "ResourceNotFoundException"
    for t in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        code, msg = error_of(streams.get_shard_iterator, StreamArn=arn, ShardId=sid, ShardIteratorType=t)
        assert code == "ValidationException" and "sequence number" in msg
    for t in ("TRIM_HORIZON", "LATEST"):
        assert error_of(streams.get_shard_iterator, StreamArn=arn, ShardId=sid, ShardIteratorType=t,
                        SequenceNumber=seq)[0] == "ValidationException"
    assert error_of(streams.get_shard_iterator, StreamArn=arn, ShardId=sid, ShardIteratorType="AT_SEQUENCE_NUMBER",
                    SequenceNumber="not-a-number-at-all-xyz")[0] == "ValidationException"
    assert error_of(streams.get_shard_iterator, StreamArn=arn, ShardId=sid, ShardIteratorType="AT_SEQUENCE_NUMBER",
                    SequenceNumber="0" * 21)[0] == "ValidationException"  # before the shard's range
    code, msg = error_of(streams.get_records, ShardIterator="sdfsdfsgagaddafgagasgasgasdfasdfasdfasdfasdgasdasdgasdg")
    assert (code, msg) == ("ValidationException", "Invalid ShardIterator")
    # A tampered iterator is rejected.
    good = streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="LATEST")["ShardIterator"]
    tampered = good[:10] + ("A" if good[10] != "A" else "B") + good[11:]
    assert error_of(streams.get_records, ShardIterator=tampered)[0] == "ValidationException"
    # Parameter constraints, sent raw (the client would refuse them).
    status, _, body = raw(server, "ListStreams", {"Limit": 0}, target_prefix="DynamoDBStreams_20120810.")
    assert status == 400 and body["__type"].endswith("ValidationException")
    status, _, body = raw(server, "GetRecords", {"ShardIterator": good, "Limit": 1001},
                          target_prefix="DynamoDBStreams_20120810.")
    assert status == 400 and "limit" in body["message"]
    status, _, body = raw(server, "DescribeStream", {"StreamArn": arn, "ShardFilter": {"Type": "PARENT"}},
                          target_prefix="DynamoDBStreams_20120810.")
    assert status == 400 and body["__type"].endswith("ValidationException")
    status, _, body = raw(server, "Nope", {}, target_prefix="DynamoDBStreams_20120810.")
    assert status == 400 and body["__type"].endswith("UnknownOperationException")


@pytest.fixture(scope="module")
def fast_server():
    """A node with tiny retention, iterator lifetime and shard rollover periods."""
    import json
    import os
    import tempfile
    cfg = os.path.join(tempfile.mkdtemp(prefix="floe-cfg-"), "config.json")
    with open(cfg, "w") as f:
        json.dump({"streamRetentionSeconds": 3, "streamIteratorLifetimeSeconds": 2, "streamShardRolloverSeconds": 1,
                   "streamShards": 2, "maintenanceIntervalMs": 50}, f)
    s = FloeServer(extra_args=["--config", cfg]).start()
    yield s
    s.cleanup()


def test_shard_rollover_lineage_and_child_filter(fast_server, table_name):
    ddb, streams = fast_server.client(), fast_server.client("dynamodbstreams")
    arn = stream_table(ddb, table_name, "NEW_IMAGE")
    n = 0
    deadline = time.time() + 10
    while time.time() < deadline:
        ddb.put_item(TableName=table_name, Item={"pk": {"S": f"k{n % 5}"}, "n": {"N": str(n)}})
        n += 1
        shards = all_shards(streams, arn)
        if len(shards) >= 6:  # three generations of two shards
            break
        time.sleep(0.05)
    shards = all_shards(streams, arn)
    assert len(shards) >= 6
    by_id = {s["ShardId"]: s for s in shards}
    parents = [s for s in shards if "ParentShardId" not in s]
    assert len(parents) == 2
    for s in shards:
        if "ParentShardId" in s:
            parent = by_id[s["ParentShardId"]]
            assert int(parent["SequenceNumberRange"]["EndingSequenceNumber"]) < int(
                s["SequenceNumberRange"]["StartingSequenceNumber"])
    # ShardFilter CHILD_SHARDS (newer than this botocore: sent raw).
    status, _, body = raw(fast_server, "DescribeStream",
                          {"StreamArn": arn, "ShardFilter": {"Type": "CHILD_SHARDS", "ShardId": parents[0]["ShardId"]}},
                          target_prefix="DynamoDBStreams_20120810.")
    assert status == 200
    children = body["StreamDescription"]["Shards"]
    assert len(children) == 1 and children[0]["ParentShardId"] == parents[0]["ShardId"]
    # Reading every shard, parents before children, yields each item's writes in order, once.
    got = {}
    for s in shards:
        recs, it = read_shard(streams, arn, s["ShardId"])
        if "EndingSequenceNumber" in s["SequenceNumberRange"]:
            assert it is None  # closed and drained
        for r in recs:
            got.setdefault(r["dynamodb"]["Keys"]["pk"]["S"], []).append(int(r["dynamodb"]["NewImage"]["n"]["N"]))
    # Records written after the last describe may be in the open shards: read them too.
    flat = sorted(v for vals in got.values() for v in vals)
    assert flat == list(range(len(flat))) and len(flat) >= n - 1
    for vals in got.values():
        assert vals == sorted(vals)


def test_expired_iterator(fast_server, table_name):
    ddb, streams = fast_server.client(), fast_server.client("dynamodbstreams")
    arn = stream_table(ddb, table_name, "KEYS_ONLY")
    sid = all_shards(streams, arn)[0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    time.sleep(2.3)
    code, msg = error_of(streams.get_records, ShardIterator=it)
    assert code == "ExpiredIteratorException" and "expired" in msg


def test_trimmed_data(fast_server, table_name):
    ddb, streams = fast_server.client(), fast_server.client("dynamodbstreams")
    arn = stream_table(ddb, table_name, "KEYS_ONLY")
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "old"}})
    records = read_all(streams, arn)
    assert len(records) == 1
    seq = records[0]["dynamodb"]["SequenceNumber"]
    shard = [s for s in all_shards(streams, arn)
             if read_shard(streams, arn, s["ShardId"])[0]][0]["ShardId"]
    deadline = time.time() + 10
    previous = None
    while time.time() < deadline:
        # Iterators are fetched afresh while waiting for retention (3 s) to trim the record.
        try:
            previous = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                                  SequenceNumber=seq)["ShardIterator"]
        except Exception as e:  # noqa: BLE001
            assert "TrimmedDataAccessException" in str(e)
            break
        time.sleep(0.2)
    else:
        pytest.fail("record was never trimmed")
    # An iterator taken before the trim, still within its lifetime, now points at trimmed data.
    assert error_of(streams.get_records, ShardIterator=previous)[0] == "TrimmedDataAccessException"
    # TRIM_HORIZON now starts after the trimmed record.
    assert read_all(streams, arn) == []


def test_create_table_stream_spec_errors(ddb, table_name):
    base = dict(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    code, msg = error_of(ddb.create_table, TableName=table_name, StreamSpecification={"StreamEnabled": True}, **base)
    assert (code, msg) == ("ValidationException", "One or more parameter values were invalid: Table is being created "
                           "with a stream enabled, UpdateViewType is required")
    code, msg = error_of(ddb.create_table, TableName=table_name,
                         StreamSpecification={"StreamEnabled": False, "StreamViewType": "KEYS_ONLY"}, **base)
    assert code == "ValidationException" and "should not be specified" in msg
    assert error_of(ddb.describe_table, TableName=table_name)[0] == "ResourceNotFoundException"
