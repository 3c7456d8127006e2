"""PutItem, GetItem, DeleteItem: data model, numbers, limits and errors."""
import pytest
from boto3.dynamodb.types import Binary

from conftest import make_table
from helpers import error_of, raw, raw_error


@pytest.fixture
def table(ddb, table_name):
    make_table(ddb, table_name, "S", "S")
    yield table_name
    ddb.delete_table(TableName=table_name)


EVERY_TYPE = {
    "pk": {"S": "PRODUCT#test123"}, "sk": {"S": "METADATA"},
    "s": {"S": "héllo wörld ✓"}, "empty_s": {"S": ""}, "n": {"N": "42"}, "b": {"B": b"\x00\x01\xff"},
    "empty_b": {"B": b""}, "t": {"BOOL": True}, "f": {"BOOL": False}, "z": {"NULL": True},
    "ss": {"SS": ["a", "b", "c"]}, "ns": {"NS": ["1", "2.5", "-3"]}, "bs": {"BS": [b"x", b"y"]},
    "l": {"L": [{"S": "x"}, {"N": "1"}, {"L": []}, {"M": {}}]},
    "m": {"M": {"nested": {"M": {"deep": {"SS": ["q"]}}}, "list": {"L": [{"NULL": True}]}}},
}


def test_every_type_round_trips(ddb, table):
    ddb.put_item(TableName=table, Item=EVERY_TYPE)
    item = ddb.get_item(TableName=table, Key={"pk": EVERY_TYPE["pk"], "sk": EVERY_TYPE["sk"]},
                        ConsistentRead=True)["Item"]
    assert set(item["ss"]["SS"]) == {"a", "b", "c"}
    assert set(item["ns"]["NS"]) == {"1", "2.5", "-3"}
    assert set(item["bs"]["BS"]) == {b"x", b"y"}
    for k in ("ss", "ns", "bs"):
        item.pop(k)
    expected = {k: v for k, v in EVERY_TYPE.items() if k not in ("ss", "ns", "bs")}
    assert item == expected


@pytest.mark.parametrize("given,returned", [
    ("1.50", "1.5"), ("-0", "0"), ("1e2", "100"), ("1E+2", "100"), ("0.0001000", "0.0001"), ("-1.5e-3", "-0.0015"),
    ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ("9.9999999999999999999999999999999999999E+125", "99999999999999999999999999999999999999" + "0" * 88),
    ("1E-130", "0." + "0" * 129 + "1"), ("007", "7"),
])
def test_number_normalization(ddb, table, given, returned):
    ddb.put_item(TableName=table, Item={"pk": {"S": "num"}, "sk": {"S": given}, "v": {"N": given}})
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "num"}, "sk": {"S": given}})["Item"]["v"] == {"N": returned}


@pytest.mark.parametrize("value,message", [
    ("abc", "A value provided cannot be converted into a number"),
    ("1e126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("1e-131", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
    ("1234567890123456789012345678901234567890", "Attempting to store more than 38 significant digits in a Number"),
])
def test_number_errors(ddb, table, value, message):
    code, msg = error_of(ddb.put_item, TableName=table, Item={"pk": {"S": "a"}, "sk": {"S": "b"}, "v": {"N": value}})
    assert code == "ValidationException"
    assert msg == message


def test_put_returns_old_and_overwrites(ddb, table):
    key = {"pk": {"S": "k"}, "sk": {"S": "1"}}
    r = ddb.put_item(TableName=table, Item={**key, "v": {"N": "1"}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in r
    r = ddb.put_item(TableName=table, Item={**key, "w": {"S": "x"}}, ReturnValues="ALL_OLD")
    assert r["Attributes"] == {**key, "v": {"N": "1"}}
    assert ddb.get_item(TableName=table, Key=key)["Item"] == {**key, "w": {"S": "x"}}
    code, msg = error_of(ddb.put_item, TableName=table, Item=key, ReturnValues="ALL_NEW")
    assert (code, msg) == ("ValidationException", "Return values set to invalid value")


def test_get_missing_and_attributes_to_get(ddb, table):
    key = {"pk": {"S": "g"}, "sk": {"S": "1"}}
    assert "Item" not in ddb.get_item(TableName=table, Key=key)
    ddb.put_item(TableName=table, Item={**key, "a": {"N": "1"}, "b": {"N": "2"}})
    item = ddb.get_item(TableName=table, Key=key, AttributesToGet=["a", "missing"])["Item"]
    assert item == {"a": {"N": "1"}}
    code, msg = error_of(ddb.get_item, TableName=table, Key=key, AttributesToGet=["a", "a"])
    assert msg == "One or more parameter values were invalid: Duplicate value in attribute name: a"


def test_delete_item(ddb, table):
    key = {"pk": {"S": "d"}, "sk": {"S": "1"}}
    r = ddb.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")
    assert "Attributes" not in r
    ddb.put_item(TableName=table, Item={**key, "x": {"S": "y"}})
    r = ddb.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")
    assert r["Attributes"] == {**key, "x": {"S": "y"}}
    assert "Item" not in ddb.get_item(TableName=table, Key=key)
    assert ddb.describe_table(TableName=table)["Table"]["ItemCount"] == 0


def test_key_errors(ddb, table):
    code, msg = error_of(ddb.put_item, TableName=table, Item={"pk": {"S": "a"}})
    assert msg == "One or more parameter values were invalid: Missing the key sk in the item"
    code, msg = error_of(ddb.put_item, TableName=table, Item={"pk": {"N": "1"}, "sk": {"S": "a"}})
    assert msg == "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
    code, msg = error_of(ddb.put_item, TableName=table, Item={"pk": {"S": ""}, "sk": {"S": "a"}})
    assert msg == ("One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                   "contain an empty string value. Key: pk")
    for key in ({"pk": {"S": "a"}}, {"pk": {"S": "a"}, "sk": {"N": "1"}},
                {"pk": {"S": "a"}, "sk": {"S": "b"}, "extra": {"S": "c"}}):
        code, msg = error_of(ddb.get_item, TableName=table, Key=key)
        assert (code, msg) == ("ValidationException", "The provided key element does not match the schema")
        code, msg = error_of(ddb.delete_item, TableName=table, Key=key)
        assert msg == "The provided key element does not match the schema"
    code, msg = error_of(ddb.get_item, TableName="no_such_table", Key={"pk": {"S": "a"}})
    assert (code, msg) == ("ResourceNotFoundException", "Requested resource not found")


def test_attribute_value_errors(ddb, table):
    key = {"pk": {"S": "v"}, "sk": {"S": "1"}}
    cases = [
        ({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty"),
        ({"NS": []}, "One or more parameter values were invalid: An number set  may not be empty"),
        ({"BS": []}, "One or more parameter values were invalid: An binary set  may not be empty"),
        ({"SS": ["a", "a"]}, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."),
        ({"NS": ["1", "1.0"]}, "One or more parameter values were invalid: Input collection [1, 1.0] contains duplicates."),
        ({"NULL": False}, "One or more parameter values were invalid: Null attribute value types must have the value of true"),
    ]
    for value, message in cases:
        code, msg = error_of(ddb.put_item, TableName=table, Item={**key, "x": value})
        assert (code, msg) == ("ValidationException", message), value


def test_attribute_value_shape_errors_raw(server, table):
    key = {"pk": {"S": "v"}, "sk": {"S": "1"}}
    code, msg = raw_error(server, "PutItem", {"TableName": table, "Item": {**key, "x": {}}})
    assert msg == ("One or more parameter values were invalid: Supplied AttributeValue is empty, must contain "
                   "exactly one of the supported datatypes")
    code, msg = raw_error(server, "PutItem", {"TableName": table, "Item": {**key, "x": {"S": "a", "N": "1"}}})
    assert "more than one datatypes set" in msg
    code, msg = raw_error(server, "PutItem", {"TableName": table, "Item": {**key, "x": {"S": 5}}})
    assert code == "SerializationException"
    code, msg = raw_error(server, "PutItem", {"TableName": table, "Item": {**key, "x": {"B": "not base64!"}}})
    assert code == "SerializationException"
    code, msg = raw_error(server, "PutItem", {"TableName": table})
    assert msg == ("1 validation error detected: Value null at 'item' failed to satisfy constraint: "
                   "Member must not be null")


def test_nesting_limit(ddb, table):
    def nest(levels):
        v = {"S": "leaf"}
        for _ in range(levels):
            v = {"M": {"x": v}}
        return v
    key = {"pk": {"S": "nest"}, "sk": {"S": "1"}}
    ddb.put_item(TableName=table, Item={**key, "d": nest(32)})
    assert ddb.get_item(TableName=table, Key=key)["Item"]["d"] == nest(32)
    code, msg = error_of(ddb.put_item, TableName=table, Item={**key, "d": nest(33)})
    assert (code, msg) == ("ValidationException", "Nesting Levels have exceeded supported limits")


def test_size_limits(ddb, table):
    key = {"pk": {"S": "big"}, "sk": {"S": "1"}}
    # 400 KB counts names and values.
    ddb.put_item(TableName=table, Item={**key, "v": {"S": "x" * (400 * 1024 - 3 - 2 - 1 - 2 - 1)}})
    code, msg = error_of(ddb.put_item, TableName=table, Item={**key, "v": {"S": "x" * (400 * 1024)}})
    assert (code, msg) == ("ValidationException", "Item size has exceeded the maximum allowed size")
    ddb.put_item(TableName=table, Item={"pk": {"S": "p" * 2048}, "sk": {"S": "s" * 1024}})
    code, msg = error_of(ddb.put_item, TableName=table, Item={"pk": {"S": "p" * 2049}, "sk": {"S": "s"}})
    assert msg == ("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit "
                   "of2048 bytes")
    code, msg = error_of(ddb.put_item, TableName=table, Item={"pk": {"S": "p"}, "sk": {"S": "s" * 1025}})
    assert msg == ("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the "
                   "size limit of 1024 bytes")


def test_binary_keys_and_number_keys(ddb, table_name):
    make_table(ddb, table_name, "B", "N")
    ddb.put_item(TableName=table_name, Item={"pk": {"B": b"\x00key"}, "sk": {"N": "1.0"}})
    item = ddb.get_item(TableName=table_name, Key={"pk": {"B": b"\x00key"}, "sk": {"N": "1"}})["Item"]
    assert item == {"pk": {"B": b"\x00key"}, "sk": {"N": "1"}}
    ddb.delete_table(TableName=table_name)


def test_resource_api(server, table_name):
    import boto3
    res = boto3.resource("dynamodb", endpoint_url=server.endpoint, region_name="us-east-1",
                         aws_access_key_id="a", aws_secret_access_key="b")
    t = res.create_table(TableName=table_name, KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
    t.wait_until_exists()
    from decimal import Decimal
    t.put_item(Item={"PK": "x", "price": Decimal("19.99"), "tags": {"a", "b"}, "blob": Binary(b"\x01")})
    got = t.get_item(Key={"PK": "x"})["Item"]
    assert got["price"] == Decimal("19.99") and got["tags"] == {"a", "b"} and got["blob"] == Binary(b"\x01")
    t.delete()
