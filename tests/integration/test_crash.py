"""Crash safety: SIGKILL during a concurrent write load loses no acknowledged write."""
import threading
import time

from conftest import FloeServer, make_table


def _writer(server, table, thread_id, stop, acked, errors):
    c = server.client()
    i = 0
    while not stop.is_set():
        key = f"w{thread_id}-{i}"
        try:
            c.put_item(TableName=table, Item={"pk": {"S": key}, "n": {"N": str(i)}, "pad": {"S": "x" * 200}})
            c.put_item(TableName=table, Item={"pk": {"S": f"counter{thread_id}"}, "n": {"N": str(i)}})
        except Exception as e:  # the kill cuts requests off; only acknowledged writes count
            errors.append(e)
            return
        acked.append((key, i))
        i += 1


def test_sigkill_during_writes_loses_nothing_acknowledged(tmp_path):
    data_dir = str(tmp_path / "data")
    table = "crash_test"
    all_acked = []
    for cycle in range(3):
        s = FloeServer(data_dir=data_dir).start()
        c = s.client()
        if cycle == 0:
            make_table(c, table)
        stop = threading.Event()
        acked_by_thread = [[] for _ in range(8)]
        errors = []
        threads = [threading.Thread(target=_writer, args=(s, table, f"{cycle}.{t}", stop, acked_by_thread[t], errors))
                   for t in range(8)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        s.kill()  # SIGKILL while writes are in flight
        stop.set()
        for t in threads:
            t.join(timeout=30)
        acked = [a for per in acked_by_thread for a in per]
        assert acked, "no write was acknowledged before the kill"
        all_acked += [(f"{cycle}.{t}", per) for t, per in enumerate(acked_by_thread)]

        # Restart on the same data: the store opens cleanly and every acknowledged write is there.
        s2 = FloeServer(data_dir=data_dir).start()
        c2 = s2.client()
        for thread_id, per in all_acked:
            keys = [k for k, _ in per]
            for start in range(0, len(keys), 100):
                chunk = keys[start:start + 100]
                got = c2.batch_get_item(RequestItems={table: {"Keys": [{"pk": {"S": k}} for k in chunk]}})
                assert not got["UnprocessedKeys"]
                assert {i["pk"]["S"] for i in got["Responses"][table]} == set(chunk)
            if per:
                counter = c2.get_item(TableName=table, Key={"pk": {"S": f"counter{thread_id}"}})["Item"]
                assert int(counter["n"]["N"]) >= per[-1][1]
        # Counters kept in the same WriteBatch as the items agree with the data.
        scanned = sum(p["Count"] for p in c2.get_paginator("scan").paginate(TableName=table, Select="COUNT"))
        assert c2.describe_table(TableName=table)["Table"]["ItemCount"] == scanned
        s2.stop()
    s2.cleanup()


def _stats(c, table):
    t = c.describe_table(TableName=table)["Table"]
    gsi = t["GlobalSecondaryIndexes"][0]
    return t["ItemCount"], t["TableSizeBytes"], gsi["ItemCount"], gsi["IndexSizeBytes"]


def test_statistics_survive_clean_and_unclean_restarts(tmp_path):
    # Every commit writes the table's and its indexes' statistics in its own batch, so they
    # are exact after a clean stop and after a crash alike, with no recount at start.
    data_dir = str(tmp_path / "data")
    table = "stats_test"
    s = FloeServer(data_dir=data_dir).start()
    c = s.client()
    c.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    for i in range(300):
        item = {"pk": {"S": f"k{i}"}, "pad": {"S": "x" * (i % 50)}, "n": {"N": str(i * 7)}}
        if i % 3 == 0:
            item["g"] = {"S": f"g{i % 10}"}  # a sparse index: a third of the items
        c.put_item(TableName=table, Item=item)
    for i in range(0, 300, 7):
        c.delete_item(TableName=table, Key={"pk": {"S": f"k{i}"}})
    for i in range(1, 300, 11):
        c.update_item(TableName=table, Key={"pk": {"S": f"k{i}"}}, UpdateExpression="SET g = :g, more = :m",
                      ExpressionAttributeValues={":g": {"S": "moved"}, ":m": {"S": "y" * 30}})
    expected = _stats(c, table)
    scanned = sum(p["Count"] for p in c.get_paginator("scan").paginate(TableName=table, Select="COUNT"))
    indexed = sum(p["Count"] for p in c.get_paginator("scan").paginate(TableName=table, IndexName="by_g",
                                                                          Select="COUNT"))
    assert (expected[0], expected[2]) == (scanned, indexed)
    assert expected[1] > 0 and expected[3] > 0
    s.stop()  # SIGTERM
    s = FloeServer(data_dir=data_dir).start()
    assert _stats(s.client(), table) == expected
    s.kill()  # SIGKILL
    s = FloeServer(data_dir=data_dir).start()
    assert _stats(s.client(), table) == expected
    # Writes after a crash keep counting from the recovered values.
    s.client().put_item(TableName=table, Item={"pk": {"S": "new"}, "g": {"S": "g1"}})
    after = _stats(s.client(), table)
    assert (after[0], after[2]) == (expected[0] + 1, expected[2] + 1)
    s.kill()
    s = FloeServer(data_dir=data_dir).start()
    assert _stats(s.client(), table) == after
    s.cleanup()
