"""Time to live: UpdateTimeToLive / DescribeTimeToLive and the background expirer."""
import time

from conftest import make_table
from helpers import error_of, read_all


def wait_until(pred, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def test_describe_and_update_time_to_live(ddb, table_name):
    make_table(ddb, table_name)
    assert ddb.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    r = ddb.update_time_to_live(TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    assert r["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "exp"}
    assert ddb.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    assert error_of(ddb.update_time_to_live, TableName=table_name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}) == (
        "ValidationException", "TimeToLive is already enabled")
    assert error_of(ddb.update_time_to_live, TableName=table_name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": "other"}) == (
        "ValidationException", "TimeToLive is active on a different AttributeName: current AttributeName is exp")
    ddb.update_time_to_live(TableName=table_name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    assert error_of(ddb.update_time_to_live, TableName=table_name,
                    TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"}) == (
        "ValidationException", "TimeToLive is already disabled")
    assert error_of(ddb.describe_time_to_live, TableName="nope_" + table_name)[0] == "ResourceNotFoundException"
    assert error_of(ddb.update_time_to_live, TableName="nope_" + table_name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})[0] == "ResourceNotFoundException"


def test_expirer_deletes_expired_items_through_the_stream(ddb, server, table_name):
    streams = server.client("dynamodbstreams")
    ddb.create_table(TableName=table_name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    now = int(time.time())
    items = {
        "past": {"N": str(now - 100)},                 # expires
        "past_fraction": {"N": f"{now - 5}.5"},        # expires
        "future": {"N": str(now + 3600)},              # stays
        "ancient": {"N": str(now - 6 * 365 * 86400)},  # more than five years ago: ignored, as in DynamoDB
        "string": {"S": str(now - 100)},               # not a number: ignored
    }
    for k, v in items.items():
        ddb.put_item(TableName=table_name, Item={"pk": {"S": k}, "exp": v})
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "no_attr"}})
    # Expired items stay readable until the expirer runs (it is not enabled yet).
    assert "Item" in ddb.get_item(TableName=table_name, Key={"pk": {"S": "past"}})
    ddb.update_time_to_live(TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})

    def remaining():
        return {i["pk"]["S"] for i in ddb.scan(TableName=table_name, ConsistentRead=True)["Items"]}
    assert wait_until(lambda: remaining() == {"future", "ancient", "string", "no_attr"}), remaining()
    assert ddb.describe_table(TableName=table_name)["Table"]["ItemCount"] == 4

    arn = ddb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
    removes = []
    for r in read_all(streams, arn):
        if r["eventName"] == "REMOVE":
            removes.append(r)
        else:
            assert "userIdentity" not in r
    assert sorted(r["dynamodb"]["Keys"]["pk"]["S"] for r in removes) == ["past", "past_fraction"]
    for r in removes:
        assert r["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
        assert r["dynamodb"]["OldImage"]["exp"] == items[r["dynamodb"]["Keys"]["pk"]["S"]]


def test_expirer_rechecks_before_deleting(ddb, table_name):
    """An item whose TTL was pushed into the future is kept; one updated to the past goes."""
    make_table(ddb, table_name)
    ddb.update_time_to_live(TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    now = int(time.time())
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "a"}, "exp": {"N": str(now + 3600)}})
    time.sleep(0.3)
    assert "Item" in ddb.get_item(TableName=table_name, Key={"pk": {"S": "a"}})
    ddb.update_item(TableName=table_name, Key={"pk": {"S": "a"}}, UpdateExpression="SET exp = :e",
                    ExpressionAttributeValues={":e": {"N": str(now - 1)}})
    assert wait_until(lambda: "Item" not in ddb.get_item(TableName=table_name, Key={"pk": {"S": "a"}}))
