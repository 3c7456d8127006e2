"""BatchWriteItem and BatchGetItem."""
import pytest

from conftest import make_table
from helpers import error_of, raw_error


@pytest.fixture
def tables(ddb, table_name):
    a, b = table_name + "_a", table_name + "_b"
    make_table(ddb, a, "S")
    make_table(ddb, b, "S", "N")
    yield a, b
    ddb.delete_table(TableName=a)
    ddb.delete_table(TableName=b)


def test_batch_write_then_get_across_tables(ddb, tables):
    a, b = tables
    r = ddb.batch_write_item(RequestItems={
        a: [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}, "v": {"N": str(i)}}}} for i in range(15)],
        b: [{"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"N": str(i)}}}} for i in range(10)],
    })
    assert r["UnprocessedItems"] == {}
    got = ddb.batch_get_item(RequestItems={
        a: {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(15)] + [{"pk": {"S": "missing"}}],
            "AttributesToGet": ["v"]},
        b: {"Keys": [{"pk": {"S": "p"}, "sk": {"N": str(i)}} for i in range(10)], "ConsistentRead": True},
    })
    assert got["UnprocessedKeys"] == {}
    assert sorted(int(i["v"]["N"]) for i in got["Responses"][a]) == list(range(15))
    assert all(set(i) == {"v"} for i in got["Responses"][a])
    assert len(got["Responses"][b]) == 10
    ddb.batch_write_item(RequestItems={a: [{"DeleteRequest": {"Key": {"pk": {"S": f"k{i}"}}}} for i in range(5)]})
    assert ddb.describe_table(TableName=a)["Table"]["ItemCount"] == 10
    got = ddb.batch_get_item(RequestItems={a: {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(6)]}})
    assert [i["pk"]["S"] for i in got["Responses"][a]] == ["k5"]


def test_batch_write_limits_and_errors(server, ddb, tables):
    a, b = tables
    code, msg = error_of(ddb.batch_write_item, RequestItems={
        a: [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(13)],
        b: [{"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"N": str(i)}}}} for i in range(13)]})
    assert code == "ValidationException" and "less than or equal to 25" in msg
    code, msg = error_of(ddb.batch_write_item, RequestItems={
        a: [{"PutRequest": {"Item": {"pk": {"S": "dup"}}}}, {"DeleteRequest": {"Key": {"pk": {"S": "dup"}}}}]})
    assert (code, msg) == ("ValidationException", "Provided list of item keys contains duplicates")
    code, msg = error_of(ddb.batch_write_item, RequestItems={"no_such_table": [{"PutRequest": {"Item": {"pk": {"S": "x"}}}}]})
    assert (code, msg) == ("ResourceNotFoundException", "Requested resource not found")
    code, msg = error_of(ddb.batch_write_item, RequestItems={a: [{"PutRequest": {"Item": {"other": {"S": "x"}}}}]})
    assert msg == "One or more parameter values were invalid: Missing the key pk in the item"
    code, msg = error_of(ddb.batch_write_item, RequestItems={b: [{"DeleteRequest": {"Key": {"pk": {"S": "x"}}}}]})
    assert msg == "The provided key element does not match the schema"
    code, msg = raw_error(server, "BatchWriteItem", {"RequestItems": {a: [{}]}})
    assert code == "ValidationException"
    # A batch with one bad request writes nothing.
    error_of(ddb.batch_write_item, RequestItems={a: [{"PutRequest": {"Item": {"pk": {"S": "good"}}}},
                                                     {"PutRequest": {"Item": {"pk": {"N": "1"}}}}]})
    assert "Item" not in ddb.get_item(TableName=a, Key={"pk": {"S": "good"}})


def test_batch_get_limits(ddb, tables):
    a, _ = tables
    code, msg = error_of(ddb.batch_get_item, RequestItems={a: {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(101)]}})
    assert (code, msg) == ("ValidationException", "Too many items requested for the BatchGetItem call")
    code, msg = error_of(ddb.batch_get_item, RequestItems={a: {"Keys": [{"pk": {"S": "x"}}, {"pk": {"S": "x"}}]}})
    assert msg == "Provided list of item keys contains duplicates"
    code, msg = error_of(ddb.batch_get_item, RequestItems={"no_such_table": {"Keys": [{"pk": {"S": "x"}}]}})
    assert code == "ResourceNotFoundException"


def test_batch_get_returns_unprocessed_keys_past_16_mb(ddb, tables):
    a, _ = tables
    big = "x" * (390 * 1024)
    for start in range(0, 50, 10):
        ddb.batch_write_item(RequestItems={a: [{"PutRequest": {"Item": {"pk": {"S": f"big{i}"}, "v": {"S": big}}}}
                                               for i in range(start, start + 10)]})
    keys = [{"pk": {"S": f"big{i}"}} for i in range(50)]
    got = ddb.batch_get_item(RequestItems={a: {"Keys": keys}})
    returned = {i["pk"]["S"] for i in got["Responses"][a]}
    unprocessed = {k["pk"]["S"] for k in got["UnprocessedKeys"][a]["Keys"]}
    assert 40 <= len(returned) < 50
    assert returned | unprocessed == {k["pk"]["S"] for k in keys} and not returned & unprocessed
    again = ddb.batch_get_item(RequestItems=got["UnprocessedKeys"])
    assert {i["pk"]["S"] for i in again["Responses"][a]} == unprocessed
