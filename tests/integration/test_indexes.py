"""Global and local secondary indexes through boto3: definitions, maintenance on every write
path, Query and Scan on indexes, online creation with backfill, deletion, and errors."""
import threading
import time

import pytest

from conftest import FloeServer
from helpers import error_of

S = lambda v: {"S": v}  # noqa: E731
N = lambda v: {"N": str(v)}  # noqa: E731


def create_indexed(ddb, name, projection=None, lsi=True, billing="PAY_PER_REQUEST", gsi_range=True):
    """A table pk/sk with GSI 'by_city' (city [, age]) and LSI 'by_age' (pk, age)."""
    projection = projection or {"ProjectionType": "ALL"}
    gsi_keys = [{"AttributeName": "city", "KeyType": "HASH"}]
    if gsi_range:
        gsi_keys.append({"AttributeName": "age", "KeyType": "RANGE"})
    gsi = {"IndexName": "by_city", "KeySchema": gsi_keys, "Projection": projection}
    kwargs = {"BillingMode": billing}
    if billing == "PROVISIONED":
        kwargs["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        gsi["ProvisionedThroughput"] = {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}
    if lsi:
        kwargs["LocalSecondaryIndexes"] = [{
            "IndexName": "by_age",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "age", "KeyType": "RANGE"}],
            "Projection": projection}]
    return ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": t}
                              for a, t in [("pk", "S"), ("sk", "S"), ("city", "S")] + ([("age", "N")] if lsi or gsi_range else [])],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[gsi], **kwargs)["TableDescription"]


def put(ddb, table, pk, sk, **attrs):
    item = {"pk": S(pk), "sk": S(sk)}
    for k, v in attrs.items():
        item[k] = N(v) if isinstance(v, int) else S(v)
    ddb.put_item(TableName=table, Item=item)


def query_all(ddb, **kwargs):
    items, start = [], None
    while True:
        if start:
            kwargs["ExclusiveStartKey"] = start
        r = ddb.query(**kwargs)
        items += r["Items"]
        start = r.get("LastEvaluatedKey")
        if not start:
            return items


def scan_all(ddb, **kwargs):
    items, start = [], None
    while True:
        if start:
            kwargs["ExclusiveStartKey"] = start
        r = ddb.scan(**kwargs)
        items += r["Items"]
        start = r.get("LastEvaluatedKey")
        if not start:
            return items


def keys_of(items, *names):
    return [tuple(i[n][list(i[n])[0]] for n in names) for i in items]


def describe_index(ddb, table, name):
    t = ddb.describe_table(TableName=table)["Table"]
    for i in t.get("GlobalSecondaryIndexes", []) + t.get("LocalSecondaryIndexes", []):
        if i["IndexName"] == name:
            return i
    return None


def wait_active(ddb, table, name, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        i = describe_index(ddb, table, name)
        if i and i["IndexStatus"] == "ACTIVE":
            return i
        time.sleep(0.05)
    raise AssertionError("index did not become ACTIVE")


def test_create_table_with_indexes_describes_them(ddb, table_name):
    d = create_indexed(ddb, table_name, billing="PROVISIONED")
    gsi = d["GlobalSecondaryIndexes"][0]
    assert gsi["IndexName"] == "by_city"
    assert gsi["KeySchema"] == [{"AttributeName": "city", "KeyType": "HASH"}, {"AttributeName": "age", "KeyType": "RANGE"}]
    assert gsi["Projection"] == {"ProjectionType": "ALL"}
    assert gsi["IndexStatus"] == "CREATING"  # with its table, in the CreateTable response
    assert describe_index(ddb, table_name, "by_city")["IndexStatus"] == "ACTIVE"
    assert gsi["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert gsi["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    assert gsi["IndexArn"] == d["TableArn"] + "/index/by_city"
    assert gsi["ItemCount"] == 0 and gsi["IndexSizeBytes"] == 0
    lsi = d["LocalSecondaryIndexes"][0]
    assert lsi["IndexName"] == "by_age" and lsi["IndexArn"] == d["TableArn"] + "/index/by_age"
    assert "IndexStatus" not in lsi and "ProvisionedThroughput" not in lsi
    assert sorted(a["AttributeName"] for a in d["AttributeDefinitions"]) == ["age", "city", "pk", "sk"]


def test_gsi_query_maintained_by_every_write_path(ddb, table_name):
    create_indexed(ddb, table_name)
    put(ddb, table_name, "u1", "a", city="Paris", age=30, name="Ann")
    put(ddb, table_name, "u2", "a", city="Paris", age=25, name="Bob")
    put(ddb, table_name, "u3", "a", city="Oslo", age=40)
    put(ddb, table_name, "u4", "a", name="no city")  # sparse: not in the index
    ddb.update_item(TableName=table_name, Key={"pk": S("u3"), "sk": S("a")},
                    UpdateExpression="SET city = :c", ExpressionAttributeValues={":c": S("Paris")})
    ddb.batch_write_item(RequestItems={table_name: [
        {"PutRequest": {"Item": {"pk": S("u5"), "sk": S("a"), "city": S("Paris"), "age": N(20)}}},
        {"DeleteRequest": {"Key": {"pk": S("u2"), "sk": S("a")}}}]})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table_name, "Item": {"pk": S("u6"), "sk": S("a"), "city": S("Paris"), "age": N(50)}}},
        {"Update": {"TableName": table_name, "Key": {"pk": S("u1"), "sk": S("a")},
                    "UpdateExpression": "SET age = :a", "ExpressionAttributeValues": {":a": N(35)}}}])
    items = query_all(ddb, TableName=table_name, IndexName="by_city",
                      KeyConditionExpression="city = :c", ExpressionAttributeValues={":c": S("Paris")})
    assert keys_of(items, "pk", "age") == [("u5", "20"), ("u1", "35"), ("u3", "40"), ("u6", "50")]
    assert items[1]["name"] == S("Ann")  # projection ALL
    # Sort key conditions, descending order, Limit and pagination.
    r = ddb.query(TableName=table_name, IndexName="by_city", KeyConditionExpression="city = :c AND age BETWEEN :a AND :b",
                  ExpressionAttributeValues={":c": S("Paris"), ":a": N(30), ":b": N(45)}, ScanIndexForward=False)
    assert keys_of(r["Items"], "pk") == [("u3",), ("u1",)]
    pages = []
    r = ddb.query(TableName=table_name, IndexName="by_city", KeyConditionExpression="city = :c",
                  ExpressionAttributeValues={":c": S("Paris")}, Limit=3)
    pages.append(r["Items"])
    assert r["LastEvaluatedKey"] == {"pk": S("u3"), "sk": S("a"), "city": S("Paris"), "age": N(40)}
    r = ddb.query(TableName=table_name, IndexName="by_city", KeyConditionExpression="city = :c",
                  ExpressionAttributeValues={":c": S("Paris")}, Limit=3, ExclusiveStartKey=r["LastEvaluatedKey"])
    assert keys_of(r["Items"], "pk") == [("u6",)]
    # Deleting the item removes its entry; the count follows.
    ddb.delete_item(TableName=table_name, Key={"pk": S("u6"), "sk": S("a")})
    assert describe_index(ddb, table_name, "by_city")["ItemCount"] == 3
    assert describe_index(ddb, table_name, "by_city")["IndexSizeBytes"] > 0
    # Filter and Select COUNT on an index.
    r = ddb.query(TableName=table_name, IndexName="by_city", KeyConditionExpression="city = :c",
                  FilterExpression="attribute_exists(#n)", ExpressionAttributeNames={"#n": "name"},
                  ExpressionAttributeValues={":c": S("Paris")}, Select="COUNT")
    assert r["Count"] == 1 and r["ScannedCount"] == 3 and "Items" not in r


def test_gsi_hash_only_and_equal_index_keys(ddb, table_name):
    create_indexed(ddb, table_name, lsi=False, gsi_range=False)
    for i in range(5):
        put(ddb, table_name, f"p{i}", "x", city="Rome")
        put(ddb, table_name, f"p{i}", "y", city="Rome")
    items = query_all(ddb, TableName=table_name, IndexName="by_city", KeyConditionExpression="city = :c",
                      ExpressionAttributeValues={":c": S("Rome")}, Limit=3)
    assert len(items) == 10 and len({(i["pk"]["S"], i["sk"]["S"]) for i in items}) == 10


def test_index_projections(ddb, table_name):
    create_indexed(ddb, table_name, projection={"ProjectionType": "INCLUDE", "NonKeyAttributes": ["name"]})
    put(ddb, table_name, "u1", "a", city="Paris", age=30, name="Ann", secret="s")
    r = ddb.query(TableName=table_name, IndexName="by_city", KeyConditionExpression="city = :c",
                  ExpressionAttributeValues={":c": S("Paris")})
    assert set(r["Items"][0]) == {"pk", "sk", "city", "age", "name"}
    # A global index returns only what it projects; ALL_ATTRIBUTES is refused.
    code, msg = error_of(ddb.query, TableName=table_name, IndexName="by_city", Select="ALL_ATTRIBUTES",
                         KeyConditionExpression="city = :c", ExpressionAttributeValues={":c": S("Paris")})
    assert msg == ("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for "
                   "global secondary index by_city because its projection type is not ALL")
    r = ddb.query(TableName=table_name, IndexName="by_city", KeyConditionExpression="city = :c",
                  ProjectionExpression="secret, #n", ExpressionAttributeNames={"#n": "name"},
                  ExpressionAttributeValues={":c": S("Paris")})
    assert r["Items"] == [{"name": S("Ann")}]
    # A local index fetches what it does not project from the table.
    r = ddb.query(TableName=table_name, IndexName="by_age", KeyConditionExpression="pk = :p AND age > :a",
                  ExpressionAttributeValues={":p": S("u1"), ":a": N(1)}, Select="ALL_ATTRIBUTES")
    assert r["Items"][0]["secret"] == S("s")
    r = ddb.query(TableName=table_name, IndexName="by_age", KeyConditionExpression="pk = :p",
                  ProjectionExpression="secret", ExpressionAttributeValues={":p": S("u1")}, ConsistentRead=True)
    assert r["Items"] == [{"secret": S("s")}]
    r = ddb.query(TableName=table_name, IndexName="by_age", KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": S("u1")})
    assert "secret" not in r["Items"][0]
    # KEYS_ONLY on a second table.
    other = table_name + "k"
    create_indexed(ddb, other, projection={"ProjectionType": "KEYS_ONLY"}, lsi=False)
    put(ddb, other, "u1", "a", city="Paris", age=30, name="Ann")
    r = ddb.scan(TableName=other, IndexName="by_city")
    assert r["Items"] == [{"pk": S("u1"), "sk": S("a"), "city": S("Paris"), "age": N(30)}]
    # Changing a non-projected attribute leaves a KEYS_ONLY entry as it is; counts stay exact.
    ddb.update_item(TableName=other, Key={"pk": S("u1"), "sk": S("a")}, UpdateExpression="SET #n = :n",
                    ExpressionAttributeNames={"#n": "name"}, ExpressionAttributeValues={":n": S("Eve")})
    assert describe_index(ddb, other, "by_city")["ItemCount"] == 1


def test_lsi_query_and_item_collection_metrics(ddb, table_name):
    create_indexed(ddb, table_name)
    for i, age in enumerate([50, 10, 30]):
        put(ddb, table_name, "u1", f"s{i}", age=age)
    put(ddb, table_name, "u2", "s0", age=20)
    r = ddb.query(TableName=table_name, IndexName="by_age", KeyConditionExpression="pk = :p AND age >= :a",
                  ExpressionAttributeValues={":p": S("u1"), ":a": N(20)})
    assert keys_of(r["Items"], "sk", "age") == [("s2", "30"), ("s0", "50")]
    r = ddb.put_item(TableName=table_name, Item={"pk": S("u1"), "sk": S("s9"), "age": N(5)},
                     ReturnItemCollectionMetrics="SIZE")
    m = r["ItemCollectionMetrics"]
    assert m["ItemCollectionKey"] == {"pk": S("u1")}
    assert [float(x) for x in m["SizeEstimateRangeGB"]] == [0.0, 1.0]
    r = ddb.batch_write_item(RequestItems={table_name: [{"PutRequest": {"Item": {"pk": S("u3"), "sk": S("a")}}}]},
                             ReturnItemCollectionMetrics="SIZE")
    assert r["ItemCollectionMetrics"][table_name][0]["ItemCollectionKey"] == {"pk": S("u3")}
    # Tables without local indexes report nothing.
    plain = table_name + "p"
    create_indexed(ddb, plain, lsi=False)
    r = ddb.put_item(TableName=plain, Item={"pk": S("a"), "sk": S("b")}, ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in r


def test_index_key_validation_on_write(ddb, table_name):
    create_indexed(ddb, table_name)
    code, msg = error_of(ddb.put_item, TableName=table_name, Item={"pk": S("a"), "sk": S("b"), "city": N(1)})
    assert code == "ValidationException"
    assert msg == ("One or more parameter values were invalid: Type mismatch for Index Key city Expected: S "
                   "Actual: N IndexName: by_city")
    code, msg = error_of(ddb.update_item, TableName=table_name, Key={"pk": S("a"), "sk": S("b")},
                         UpdateExpression="SET age = :v", ExpressionAttributeValues={":v": S("x")})
    assert msg.startswith("One or more parameter values were invalid: Type mismatch for Index Key age Expected: N")
    code, msg = error_of(ddb.put_item, TableName=table_name, Item={"pk": S("a"), "sk": S("b"), "city": S("")})
    assert msg == ("One or more parameter values are not valid. A value specified for a secondary index key is not "
                   "supported. The AttributeValue for a key attribute cannot contain an empty string value. "
                   "IndexName: by_city, IndexKey: city")
    code, msg = error_of(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": table_name, "Item": {"pk": S("a"), "sk": S("b"), "age": S("old")}}}])
    assert (code, msg) == ("ValidationException", "One or more parameter values were invalid: Type mismatch for Index "
                                                  "Key age Expected: N Actual: S IndexName: by_age")
    assert ddb.scan(TableName=table_name)["Count"] == 0


def test_index_read_errors(ddb, table_name):
    create_indexed(ddb, table_name)
    q = dict(TableName=table_name, KeyConditionExpression="city = :c", ExpressionAttributeValues={":c": S("x")})
    code, msg = error_of(ddb.query, IndexName="nope", **q)
    assert msg == "The table does not have the specified index: nope"
    code, msg = error_of(ddb.query, IndexName="by_city", ConsistentRead=True, **q)
    assert msg == "Consistent reads are not supported on global secondary indexes"
    code, msg = error_of(ddb.scan, TableName=table_name, IndexName="by_city", ConsistentRead=True)
    assert msg == "Consistent reads are not supported on global secondary indexes"
    code, msg = error_of(ddb.query, TableName=table_name, IndexName="by_city", KeyConditionExpression="pk = :c",
                         ExpressionAttributeValues={":c": S("x")})
    assert msg == "Query condition missed key schema element: city"
    code, msg = error_of(ddb.query, TableName=table_name, IndexName="by_city",
                         KeyConditionExpression="city = :c", FilterExpression="age > :a",
                         ExpressionAttributeValues={":c": S("x"), ":a": N(1)})
    assert msg == "Filter Expression can only contain non-primary key attributes: Primary key attribute: age"
    code, msg = error_of(ddb.query, IndexName="by_city", ExclusiveStartKey={"pk": S("a"), "sk": S("b")}, **q)
    assert msg.startswith("The provided starting key is invalid")
    code, msg = error_of(ddb.query, TableName=table_name, KeyConditionExpression="pk = :c",
                         ExpressionAttributeValues={":c": S("x")}, Select="ALL_PROJECTED_ATTRIBUTES")
    assert msg.endswith("Select type ALL_PROJECTED_ATTRIBUTES is supported only for index queries")


def test_scan_index_segments(ddb, table_name):
    create_indexed(ddb, table_name, lsi=False)
    for i in range(60):
        put(ddb, table_name, f"p{i}", "s", city=f"c{i % 7}", age=i)
    put(ddb, table_name, "sparse", "s")
    all_items = scan_all(ddb, TableName=table_name, IndexName="by_city", Limit=7)
    assert len(all_items) == 60
    segs = []
    for seg in range(3):
        segs += scan_all(ddb, TableName=table_name, IndexName="by_city", Segment=seg, TotalSegments=3, Limit=5)
    assert sorted(keys_of(segs, "pk")) == sorted(keys_of(all_items, "pk"))


def test_create_table_index_validation(ddb, table_name):
    base = dict(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
    defs = [{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "g")]
    gsi = {"IndexName": "gsi", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
           "Projection": {"ProjectionType": "ALL"}}
    code, msg = error_of(ddb.create_table, AttributeDefinitions=defs, **base)
    assert msg == ("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly "
                   "match number of attributes defined in AttributeDefinitions")
    code, msg = error_of(ddb.create_table, AttributeDefinitions=defs[:2], GlobalSecondaryIndexes=[gsi], **base)
    assert msg == ("One or more parameter values were invalid: Some index key attributes are not defined in "
                   "AttributeDefinitions. Keys: [g], AttributeDefinitions: [pk, sk]")
    code, msg = error_of(ddb.create_table, AttributeDefinitions=defs + [{"AttributeName": "z", "AttributeType": "S"}],
                         GlobalSecondaryIndexes=[gsi], **base)
    assert msg.startswith("One or more parameter values were invalid: Some AttributeDefinitions are not used.")
    code, msg = error_of(ddb.create_table, AttributeDefinitions=defs, GlobalSecondaryIndexes=[gsi, gsi], **base)
    assert msg == "One or more parameter values were invalid: Duplicate index name: gsi"
    code, msg = error_of(ddb.create_table, AttributeDefinitions=defs, GlobalSecondaryIndexes=[
        dict(gsi, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})], **base)
    assert msg == ("One or more parameter values were invalid: ProvisionedThroughput should not be specified for "
                   "index: gsi when BillingMode is PAY_PER_REQUEST")
    code, msg = error_of(ddb.create_table, AttributeDefinitions=defs, GlobalSecondaryIndexes=[
        dict(gsi, Projection={"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["x"]})], **base)
    assert msg == "One or more parameter values were invalid: ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified"
    lsi = {"IndexName": "lsi", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
           "Projection": {"ProjectionType": "ALL"}}
    code, msg = error_of(ddb.create_table, AttributeDefinitions=defs, LocalSecondaryIndexes=[lsi], **base)
    assert msg == ("One or more parameter values were invalid: Index KeySchema does not have the same leading hash "
                   "key as table KeySchema for index: lsi. index hash key: g, table hash key: pk")
    code, msg = error_of(ddb.create_table, AttributeDefinitions=defs, LocalSecondaryIndexes=[dict(lsi, KeySchema=[
        {"AttributeName": "pk", "KeyType": "HASH"}])], **base)
    assert msg == "One or more parameter values were invalid: Index KeySchema does not have a range key for index: lsi"
    code, msg = error_of(ddb.create_table, AttributeDefinitions=defs[:1] + defs[2:], LocalSecondaryIndexes=[lsi],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], TableName=table_name,
                         BillingMode="PAY_PER_REQUEST")
    assert msg == ("One or more parameter values were invalid: Table KeySchema does not have a range key, which is "
                   "required when specifying a LocalSecondaryIndex")
    code, msg = error_of(ddb.create_table, AttributeDefinitions=defs, GlobalSecondaryIndexes=[
        dict(gsi, IndexName="gsi%d" % i) for i in range(21)], **base)
    assert msg == "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20"
    code, msg = error_of(ddb.create_table, AttributeDefinitions=defs, GlobalSecondaryIndexes=[], **base)
    assert msg == "One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty"
    assert table_name not in ddb.list_tables()["TableNames"]


def test_online_gsi_creation_with_concurrent_writes(server, ddb, table_name):
    ddb.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    n = 3000
    for start in range(0, n, 25):
        ddb.batch_write_item(RequestItems={table_name: [
            {"PutRequest": {"Item": {"pk": S(f"k{i}"), "g": S(f"g{i % 10}"), "v": N(i)}}}
            for i in range(start, min(n, start + 25))]})
    stop = threading.Event()
    writes = []

    def writer(worker):
        client = server.client()
        j = 0
        while not stop.is_set():
            i = (worker * 7919 + j * 31) % n
            j += 1
            # Moves items between partitions of the index, deletes and re-creates them.
            if j % 5 == 0:
                client.delete_item(TableName=table_name, Key={"pk": S(f"k{i}")})
                writes.append(("del", i))
            else:
                client.put_item(TableName=table_name, Item={"pk": S(f"k{i}"), "g": S(f"h{j % 10}"), "v": N(j)})
                writes.append(("put", i))

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    r = ddb.update_table(TableName=table_name, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                         GlobalSecondaryIndexUpdates=[{"Create": {
                             "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                             "Projection": {"ProjectionType": "ALL"}}}])
    created = r["TableDescription"]["GlobalSecondaryIndexes"][0]
    assert created["IndexStatus"] == "CREATING" and created["Backfilling"] is True
    saw_creating = describe_index(ddb, table_name, "by_g")["IndexStatus"] == "CREATING"
    if saw_creating:
        code, msg = error_of(ddb.query, TableName=table_name, IndexName="by_g", KeyConditionExpression="g = :g",
                             ExpressionAttributeValues={":g": S("g1")})
        assert msg == "Cannot read from backfilling global secondary index: by_g"
    wait_active(ddb, table_name, "by_g")
    time.sleep(0.2)  # keep writing after the backfill too
    stop.set()
    for t in threads:
        t.join()
    assert len(writes) > 0
    # The index holds exactly the table's items, each once, with their current values.
    table_items = {i["pk"]["S"]: i for i in scan_all(ddb, TableName=table_name)}
    index_items = scan_all(ddb, TableName=table_name, IndexName="by_g")
    assert len(index_items) == len({i["pk"]["S"] for i in index_items})
    assert {i["pk"]["S"]: i for i in index_items} == table_items
    d = describe_index(ddb, table_name, "by_g")
    assert d["ItemCount"] == len(table_items)
    assert "Backfilling" not in d
    for g in ("g3", "h3"):
        got = query_all(ddb, TableName=table_name, IndexName="by_g", KeyConditionExpression="g = :g",
                        ExpressionAttributeValues={":g": S(g)})
        assert sorted(i["pk"]["S"] for i in got) == sorted(k for k, i in table_items.items() if i["g"]["S"] == g)


def test_update_table_index_errors_update_and_delete(ddb, table_name):
    create_indexed(ddb, table_name, lsi=False, billing="PROVISIONED")
    create = {"IndexName": "by_x", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
              "Projection": {"ProjectionType": "KEYS_ONLY"},
              "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}
    code, msg = error_of(ddb.update_table, TableName=table_name, GlobalSecondaryIndexUpdates=[{"Create": create}])
    assert msg.startswith("One or more parameter values were invalid: Some index key attributes are not defined")
    code, msg = error_of(ddb.update_table, TableName=table_name,
                         AttributeDefinitions=[{"AttributeName": "city", "AttributeType": "S"}],
                         GlobalSecondaryIndexUpdates=[{"Create": dict(create, IndexName="by_city",
                                                                      KeySchema=[{"AttributeName": "city", "KeyType": "HASH"}])}])
    assert msg == "Attempting to create an index which already exists"
    code, msg = error_of(ddb.update_table, TableName=table_name,
                         AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "S"}],
                         GlobalSecondaryIndexUpdates=[{"Create": {k: v for k, v in create.items()
                                                                  if k != "ProvisionedThroughput"}}])
    assert msg == "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: by_x"
    code, msg = error_of(ddb.update_table, TableName=table_name,
                         GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "nope"}}])
    assert code == "ResourceNotFoundException"
    code, msg = error_of(ddb.update_table, TableName=table_name, GlobalSecondaryIndexUpdates=[
        {"Delete": {"IndexName": "by_city"}}, {"Update": {"IndexName": "by_city", "ProvisionedThroughput": {
            "ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}}])
    assert msg == ("One or more parameter values were invalid: Only one global secondary index update per index is "
                   "allowed simultaneously. Index: by_city")
    # Update throughput.
    ddb.update_table(TableName=table_name, GlobalSecondaryIndexUpdates=[{"Update": {
        "IndexName": "by_city", "ProvisionedThroughput": {"ReadCapacityUnits": 7, "WriteCapacityUnits": 8}}}])
    pt = describe_index(ddb, table_name, "by_city")["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (7, 8)
    # Delete: the response shows DELETING, then the index and its key definitions are gone.
    put(ddb, table_name, "u1", "a", city="Paris", age=1)
    r = ddb.update_table(TableName=table_name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by_city"}}])
    assert r["TableDescription"]["GlobalSecondaryIndexes"][0]["IndexStatus"] == "DELETING"
    t = ddb.describe_table(TableName=table_name)["Table"]
    assert "GlobalSecondaryIndexes" not in t
    assert sorted(a["AttributeName"] for a in t["AttributeDefinitions"]) == ["pk", "sk"]
    code, msg = error_of(ddb.query, TableName=table_name, IndexName="by_city", KeyConditionExpression="city = :c",
                         ExpressionAttributeValues={":c": S("Paris")})
    assert msg == "The table does not have the specified index: by_city"
    # A re-created index of the same name starts from the table's items, not the old entries.
    ddb.update_table(TableName=table_name, AttributeDefinitions=[{"AttributeName": "city", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[{"Create": dict(create, IndexName="by_city", KeySchema=[
                         {"AttributeName": "city", "KeyType": "HASH"}])}])
    wait_active(ddb, table_name, "by_city")
    r = ddb.query(TableName=table_name, IndexName="by_city", KeyConditionExpression="city = :c",
                  ExpressionAttributeValues={":c": S("Paris")})
    assert r["Items"] == [{"pk": S("u1"), "sk": S("a"), "city": S("Paris")}]


def test_indexes_survive_restart_and_table_drop(tmp_path):
    srv = FloeServer(data_dir=str(tmp_path)).start()
    try:
        ddb = srv.client()
        create_indexed(ddb, "tab")
        put(ddb, "tab", "u1", "a", city="Paris", age=3)
        srv.stop()
        srv.start()
        ddb = srv.client()
        r = ddb.query(TableName="tab", IndexName="by_city", KeyConditionExpression="city = :c",
                      ExpressionAttributeValues={":c": S("Paris")})
        assert r["Count"] == 1
        assert describe_index(ddb, "tab", "by_city")["ItemCount"] == 1
        ddb.delete_table(TableName="tab")
        create_indexed(ddb, "tab")
        r = ddb.query(TableName="tab", IndexName="by_city", KeyConditionExpression="city = :c",
                      ExpressionAttributeValues={":c": S("Paris")})
        assert r["Count"] == 0
    finally:
        srv.cleanup()


def test_backfill_survives_a_crash(tmp_path):
    """A node killed while an index may still be backfilling finishes it after the restart, with
    every item in the index once and exact counts."""
    srv = FloeServer(data_dir=str(tmp_path)).start()
    try:
        ddb = srv.client()
        ddb.create_table(TableName="crash", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        n = 5000
        for start in range(0, n, 25):
            ddb.batch_write_item(RequestItems={"crash": [
                {"PutRequest": {"Item": {"pk": S(f"k{i}"), "g": S(f"g{i % 7}")}}} for i in range(start, start + 25)]})
        ddb.update_table(TableName="crash", AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                         GlobalSecondaryIndexUpdates=[{"Create": {
                             "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                             "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
        srv.kill()
        srv.start()
        ddb = srv.client()
        d = wait_active(ddb, "crash", "by_g")
        assert d["ItemCount"] == n
        got = scan_all(ddb, TableName="crash", IndexName="by_g")
        assert len(got) == n and len({i["pk"]["S"] for i in got}) == n
    finally:
        srv.cleanup()
