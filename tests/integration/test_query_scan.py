"""Query with KeyConditions and Scan, including paging and parallel scan."""
import pytest

from conftest import make_table
from helpers import error_of, raw_error


def eq(v):
    return {"AttributeValueList": [v], "ComparisonOperator": "EQ"}


def cond(op, *vals):
    return {"AttributeValueList": list(vals), "ComparisonOperator": op}


@pytest.fixture(scope="module")
def numbers(ddb):
    name = "query_numbers"
    make_table(ddb, name, "S", "N")
    values = ["-100", "-1.5", "-1", "0", "0.001", "1", "1.25", "2", "10", "100", "1e20"]
    with_items = [{"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"N": v}, "d": {"S": v}}}} for v in values]
    ddb.batch_write_item(RequestItems={name: with_items})
    ddb.put_item(TableName=name, Item={"pk": {"S": "other"}, "sk": {"N": "5"}})
    yield name
    ddb.delete_table(TableName=name)


def sks(resp):
    return [i["sk"]["N"] for i in resp["Items"]]


ALL = ["-100", "-1.5", "-1", "0", "0.001", "1", "1.25", "2", "10", "100", "100000000000000000000"]


def test_numeric_sort_order_and_operators(ddb, numbers):
    q = lambda **kw: ddb.query(TableName=numbers, **kw)
    assert sks(q(KeyConditions={"pk": eq({"S": "p"})})) == ALL
    assert sks(q(KeyConditions={"pk": eq({"S": "p"})}, ScanIndexForward=False)) == ALL[::-1]
    kc = lambda c: {"pk": eq({"S": "p"}), "sk": c}
    assert sks(q(KeyConditions=kc(cond("EQ", {"N": "1.250"})))) == ["1.25"]
    assert sks(q(KeyConditions=kc(cond("LT", {"N": "0"})))) == ["-100", "-1.5", "-1"]
    assert sks(q(KeyConditions=kc(cond("LE", {"N": "0"})))) == ["-100", "-1.5", "-1", "0"]
    assert sks(q(KeyConditions=kc(cond("GT", {"N": "2"})))) == ["10", "100", "100000000000000000000"]
    assert sks(q(KeyConditions=kc(cond("GE", {"N": "2"})))) == ["2", "10", "100", "100000000000000000000"]
    assert sks(q(KeyConditions=kc(cond("BETWEEN", {"N": "-1"}, {"N": "1"})))) == ["-1", "0", "0.001", "1"]
    assert sks(q(KeyConditions=kc(cond("BETWEEN", {"N": "-1"}, {"N": "1"})), ScanIndexForward=False)) == ["1", "0.001", "0", "-1"]
    assert q(KeyConditions={"pk": eq({"S": "nobody"})})["Items"] == []


def test_query_paging_limit_and_count(ddb, numbers):
    seen, kwargs, pages = [], {"KeyConditions": {"pk": eq({"S": "p"})}, "Limit": 4}, 0
    while True:
        r = ddb.query(TableName=numbers, **kwargs)
        pages += 1
        assert r["Count"] == len(r["Items"]) <= 4
        seen += sks(r)
        if "LastEvaluatedKey" not in r:
            break
        assert set(r["LastEvaluatedKey"]) == {"pk", "sk"}
        kwargs["ExclusiveStartKey"] = r["LastEvaluatedKey"]
    assert seen == ALL and pages == 3
    # Reverse paging.
    seen, kwargs = [], {"KeyConditions": {"pk": eq({"S": "p"})}, "Limit": 5, "ScanIndexForward": False}
    for page in ddb.get_paginator("query").paginate(TableName=numbers, **kwargs):
        seen += sks(page)
    assert seen == ALL[::-1]
    # Limit equal to what remains still returns a LastEvaluatedKey, as DynamoDB does.
    r = ddb.query(TableName=numbers, KeyConditions={"pk": eq({"S": "other"})}, Limit=1)
    assert r["Count"] == 1 and "LastEvaluatedKey" in r
    r = ddb.query(TableName=numbers, KeyConditions={"pk": eq({"S": "p"})}, Select="COUNT")
    assert r["Count"] == 11 and r["ScannedCount"] == 11 and "Items" not in r
    r = ddb.query(TableName=numbers, KeyConditions={"pk": eq({"S": "p"})}, AttributesToGet=["d"], Limit=2)
    assert r["Items"] == [{"d": {"S": "-100"}}, {"d": {"S": "-1.5"}}]


def test_query_validation(server, ddb, numbers):
    kc = lambda c: {"pk": eq({"S": "p"}), "sk": c}
    code, msg = error_of(ddb.query, TableName=numbers, KeyConditions={"sk": eq({"N": "1"})})
    assert (code, msg) == ("ValidationException", "Query condition missed key schema element: pk")
    code, msg = error_of(ddb.query, TableName=numbers, KeyConditions={"pk": cond("BEGINS_WITH", {"S": "p"})})
    assert msg == "Query key condition not supported"
    code, msg = error_of(ddb.query, TableName=numbers, KeyConditions=kc(cond("EQ", {"S": "x"})))
    assert msg == "One or more parameter values were invalid: Condition parameter type does not match schema type"
    code, msg = error_of(ddb.query, TableName=numbers, KeyConditions=kc(cond("BEGINS_WITH", {"N": "1"})))
    assert msg == "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"
    code, msg = error_of(ddb.query, TableName=numbers, KeyConditions=kc(cond("BETWEEN", {"N": "5"}, {"N": "1"})))
    assert msg.startswith("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater")
    code, msg = error_of(ddb.query, TableName=numbers, KeyConditions=kc(cond("BETWEEN", {"N": "5"})))
    assert msg == "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator"
    code, msg = raw_error(server, "Query", {"TableName": numbers, "KeyConditions": {"pk": eq({"S": "p"})}, "Limit": 0})
    assert "Member must have value greater than or equal to 1" in msg
    code, msg = error_of(ddb.query, TableName=numbers, KeyConditions={"pk": eq({"S": "p"})},
                         ExclusiveStartKey={"pk": {"S": "other"}, "sk": {"N": "1"}})
    assert msg == "The provided starting key is outside query boundaries based on provided conditions"
    code, msg = error_of(ddb.query, TableName=numbers, KeyConditions={"pk": eq({"S": "p"})},
                         ExclusiveStartKey={"pk": {"S": "p"}})
    assert msg.startswith("The provided starting key is invalid")
    code, msg = error_of(ddb.query, TableName=numbers, KeyConditions={"pk": eq({"S": "p"})}, Select="COUNT",
                         AttributesToGet=["d"])
    assert code == "ValidationException"
    code, msg = raw_error(server, "Query", {"TableName": numbers})
    assert msg == "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
    code, msg = error_of(ddb.query, TableName="no_such_table", KeyConditions={"pk": eq({"S": "p"})})
    assert code == "ResourceNotFoundException"


def test_string_and_binary_sort_keys(ddb, table_name):
    make_table(ddb, table_name, "S", "S")
    values = ["", "A", "a", "a\x00", "ab", "abc", "b", "é", "z", "ー"]
    for v in values[1:]:
        ddb.put_item(TableName=table_name, Item={"pk": {"S": "p"}, "sk": {"S": v}})
    r = ddb.query(TableName=table_name, KeyConditions={"pk": eq({"S": "p"})})
    got = [i["sk"]["S"] for i in r["Items"]]
    assert got == sorted(values[1:], key=lambda s: s.encode())
    r = ddb.query(TableName=table_name, KeyConditions={"pk": eq({"S": "p"}), "sk": cond("BEGINS_WITH", {"S": "a"})})
    assert [i["sk"]["S"] for i in r["Items"]] == ["a", "a\x00", "ab", "abc"]
    ddb.delete_table(TableName=table_name)
    make_table(ddb, table_name, "S", "B")
    bins = [b"\x00", b"\x00\x00", b"\x01", b"\x7f", b"\x80", b"\xff", b"\xff\x00"]
    for v in bins:
        ddb.put_item(TableName=table_name, Item={"pk": {"S": "p"}, "sk": {"B": v}})
    r = ddb.query(TableName=table_name, KeyConditions={"pk": eq({"S": "p"})})
    assert [i["sk"]["B"] for i in r["Items"]] == sorted(bins)
    r = ddb.query(TableName=table_name, KeyConditions={"pk": eq({"S": "p"}), "sk": cond("BEGINS_WITH", {"B": b"\xff"})})
    assert [i["sk"]["B"] for i in r["Items"]] == [b"\xff", b"\xff\x00"]
    ddb.delete_table(TableName=table_name)


@pytest.fixture(scope="module")
def scan_table(ddb):
    name = "scan_many"
    make_table(ddb, name, "S")
    for start in range(0, 300, 25):
        ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {"pk": {"S": f"item{i}"}, "n": {"N": str(i)}}}}
                                                  for i in range(start, start + 25)]})
    yield name
    ddb.delete_table(TableName=name)


def test_scan_paging(ddb, scan_table):
    seen = []
    for page in ddb.get_paginator("scan").paginate(TableName=scan_table, PaginationConfig={"PageSize": 37}):
        assert page["Count"] <= 37
        seen += [i["pk"]["S"] for i in page["Items"]]
    assert sorted(seen) == sorted(f"item{i}" for i in range(300))
    assert len(seen) == len(set(seen))
    r = ddb.scan(TableName=scan_table, Select="COUNT")
    assert r["Count"] == 300 and r["ScannedCount"] == 300 and "Items" not in r and "LastEvaluatedKey" not in r


def test_parallel_scan_covers_every_item_once(ddb, scan_table):
    for total in (1, 2, 3, 7):
        seen = []
        for segment in range(total):
            for page in ddb.get_paginator("scan").paginate(TableName=scan_table, Segment=segment, TotalSegments=total,
                                                            PaginationConfig={"PageSize": 50}):
                seen += [i["pk"]["S"] for i in page["Items"]]
        assert sorted(seen) == sorted(f"item{i}" for i in range(300)), total
    sizes = [ddb.scan(TableName=scan_table, Segment=s, TotalSegments=4, Select="COUNT")["Count"] for s in range(4)]
    assert sum(sizes) == 300 and min(sizes) > 30  # the hash spreads items over segments


def test_scan_validation(ddb, scan_table):
    code, msg = error_of(ddb.scan, TableName=scan_table, Segment=1)
    assert msg == ("The TotalSegments parameter is required but was not present in the request when Segment "
                   "parameter is present")
    code, msg = error_of(ddb.scan, TableName=scan_table, Segment=4, TotalSegments=4)
    assert msg == ("The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                   "Segment: 4 is not less than TotalSegments: 4")
    r = ddb.scan(TableName=scan_table, Segment=0, TotalSegments=2, Limit=1)
    code, msg = error_of(ddb.scan, TableName=scan_table, Segment=1, TotalSegments=2,
                         ExclusiveStartKey=r["LastEvaluatedKey"])
    assert code == "ValidationException"


def test_one_megabyte_page_limit(ddb, table_name):
    make_table(ddb, table_name, "S", "N")
    blob = "x" * (100 * 1024)
    for start in range(0, 25, 5):
        ddb.batch_write_item(RequestItems={table_name: [
            {"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"N": str(i)}, "v": {"S": blob}}}}
            for i in range(start, start + 5)]})
    r = ddb.query(TableName=table_name, KeyConditions={"pk": eq({"S": "p"})})
    assert r["Count"] == 11 and "LastEvaluatedKey" in r  # the item crossing 1 MB ends the page
    r2 = ddb.scan(TableName=table_name)
    assert r2["Count"] == 11 and r2["LastEvaluatedKey"] == r["LastEvaluatedKey"]
    total = sum(p["Count"] for p in ddb.get_paginator("query").paginate(
        TableName=table_name, KeyConditions={"pk": eq({"S": "p"})}))
    assert total == 25
    ddb.delete_table(TableName=table_name)
