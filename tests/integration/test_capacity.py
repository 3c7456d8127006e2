"""ReturnConsumedCapacity TOTAL and INDEXES with DynamoDB's capacity-unit arithmetic: 4 KB
read units (halved when eventually consistent), 1 KB write units (the larger of the old and
new item), index writes per changed entry, transactional operations doubled."""
from test_indexes import S, N, create_indexed


def blob(total_bytes, pk="p", sk="s"):
    """An item of exactly total_bytes by DynamoDB's size rules (names + values)."""
    fixed = len("pk") + len(pk) + len("sk") + len(sk) + len("data")
    return {"pk": S(pk), "sk": S(sk), "data": S("x" * (total_bytes - fixed))}


def test_single_item_capacity(ddb, table_name):
    create_indexed(ddb, table_name, lsi=False)
    r = ddb.put_item(TableName=table_name, Item=blob(1024), ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"] == {"TableName": table_name, "CapacityUnits": 1.0}
    r = ddb.put_item(TableName=table_name, Item=blob(1025), ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 2.0
    # An update pays for the larger of the item before and after.
    r = ddb.update_item(TableName=table_name, Key={"pk": S("p"), "sk": S("s")}, UpdateExpression="REMOVE #d",
                        ExpressionAttributeNames={"#d": "data"}, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 2.0
    r = ddb.delete_item(TableName=table_name, Key={"pk": S("nope"), "sk": S("s")}, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 1.0
    ddb.put_item(TableName=table_name, Item=blob(5000))
    key = {"pk": S("p"), "sk": S("s")}
    r = ddb.get_item(TableName=table_name, Key=key, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 1.0  # 2 units of 4 KB, halved
    r = ddb.get_item(TableName=table_name, Key=key, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 2.0
    r = ddb.get_item(TableName=table_name, Key={"pk": S("x"), "sk": S("y")}, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 0.5
    r = ddb.get_item(TableName=table_name, Key=key, ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in r


def test_index_write_capacity(ddb, table_name):
    create_indexed(ddb, table_name, lsi=False)
    item = {"pk": S("p"), "sk": S("s"), "city": S("Paris"), "age": N(1)}
    r = ddb.put_item(TableName=table_name, Item=item, ReturnConsumedCapacity="INDEXES")
    assert r["ConsumedCapacity"] == {"TableName": table_name, "CapacityUnits": 2.0, "Table": {"CapacityUnits": 1.0},
                                     "GlobalSecondaryIndexes": {"by_city": {"CapacityUnits": 1.0}}}
    # Moving the item within the index costs a delete and a put there.
    r = ddb.update_item(TableName=table_name, Key={"pk": S("p"), "sk": S("s")}, UpdateExpression="SET city = :c",
                        ExpressionAttributeValues={":c": S("Oslo")}, ReturnConsumedCapacity="INDEXES")
    assert r["ConsumedCapacity"]["GlobalSecondaryIndexes"] == {"by_city": {"CapacityUnits": 2.0}}
    assert r["ConsumedCapacity"]["CapacityUnits"] == 3.0
    # A write that leaves the item out of the index costs nothing there.
    r = ddb.put_item(TableName=table_name, Item={"pk": S("q"), "sk": S("s")}, ReturnConsumedCapacity="INDEXES")
    assert r["ConsumedCapacity"] == {"TableName": table_name, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}
    r = ddb.put_item(TableName=table_name, Item={"pk": S("r"), "sk": S("s"), "city": S("Rome"), "age": N(2)},
                     ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"] == {"TableName": table_name, "CapacityUnits": 2.0}


def test_query_scan_capacity(ddb, table_name):
    create_indexed(ddb, table_name, lsi=False)
    for i in range(6):
        ddb.put_item(TableName=table_name, Item=dict(blob(1500, pk="p", sk=f"s{i}"), city=S("c"), age=N(i)))
    # 6 items of about 1.5 KB: 9 KB read = 3 units of 4 KB.
    r = ddb.query(TableName=table_name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("p")},
                  ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 3.0
    r = ddb.query(TableName=table_name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("p")},
                  ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 1.5
    # A filter does not reduce what was read.
    r = ddb.query(TableName=table_name, KeyConditionExpression="pk = :p", FilterExpression="age = :a",
                  ExpressionAttributeValues={":p": S("p"), ":a": N(0)}, ReturnConsumedCapacity="TOTAL")
    assert r["Count"] == 1 and r["ConsumedCapacity"]["CapacityUnits"] == 1.5
    r = ddb.query(TableName=table_name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("none")},
                  ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 0.5
    r = ddb.query(TableName=table_name, IndexName="by_city", KeyConditionExpression="city = :c",
                  ExpressionAttributeValues={":c": S("c")}, ReturnConsumedCapacity="INDEXES")
    assert r["ConsumedCapacity"] == {"TableName": table_name, "CapacityUnits": 1.5, "Table": {"CapacityUnits": 0.0},
                                     "GlobalSecondaryIndexes": {"by_city": {"CapacityUnits": 1.5}}}
    r = ddb.scan(TableName=table_name, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 1.5


def test_batch_and_transaction_capacity(ddb, table_name):
    create_indexed(ddb, table_name, lsi=False)
    other = table_name + "b"
    create_indexed(ddb, other, lsi=False)
    r = ddb.batch_write_item(RequestItems={
        table_name: [{"PutRequest": {"Item": blob(100, sk="a")}}, {"PutRequest": {"Item": blob(2000, sk="b")}}],
        other: [{"PutRequest": {"Item": blob(10)}}]}, ReturnConsumedCapacity="TOTAL")
    assert sorted((c["TableName"], c["CapacityUnits"]) for c in r["ConsumedCapacity"]) == [(table_name, 3.0), (other, 1.0)]
    r = ddb.batch_get_item(RequestItems={table_name: {"Keys": [{"pk": S("p"), "sk": S("a")}, {"pk": S("p"), "sk": S("b")},
                                                               {"pk": S("p"), "sk": S("zz")}]}},
                           ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"] == [{"TableName": table_name, "CapacityUnits": 1.5}]
    r = ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table_name, "Item": blob(100, sk="c")}},
        {"Update": {"TableName": other, "Key": {"pk": S("p"), "sk": S("s")}, "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": N(1)}}},
        {"ConditionCheck": {"TableName": table_name, "Key": {"pk": S("p"), "sk": S("b")},
                            "ConditionExpression": "attribute_exists(pk)"}}], ReturnConsumedCapacity="TOTAL")
    got = {c["TableName"]: c for c in r["ConsumedCapacity"]}
    assert got[table_name] == {"TableName": table_name, "CapacityUnits": 6.0, "WriteCapacityUnits": 6.0}
    assert got[other]["CapacityUnits"] == 2.0
    r = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table_name, "Key": {"pk": S("p"), "sk": S("a")}}},
                                              {"Get": {"TableName": table_name, "Key": {"pk": S("p"), "sk": S("x")}}}],
                               ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"] == [{"TableName": table_name, "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0}]
