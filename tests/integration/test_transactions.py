"""TransactWriteItems and TransactGetItems through boto3: operations, errors, idempotency, and
serializability under concurrent load."""
import random
import threading

import pytest
from botocore.exceptions import ClientError

from conftest import make_table
from helpers import error_of, raw, read_all


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def test_write_actions_commit_together(ddb, server, table_name):
    ddb.create_table(TableName=table_name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    ddb.put_item(TableName=table_name, Item={"pk": S("upd"), "n": N(1)})
    ddb.put_item(TableName=table_name, Item={"pk": S("del")})
    ddb.put_item(TableName=table_name, Item={"pk": S("chk"), "ok": {"BOOL": True}})
    r = ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table_name, "Item": {"pk": S("new"), "v": S("x")},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": table_name, "Key": {"pk": S("upd")}, "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": N(1)}}},
        {"Delete": {"TableName": table_name, "Key": {"pk": S("del")}}},
        {"ConditionCheck": {"TableName": table_name, "Key": {"pk": S("chk")}, "ConditionExpression": "ok = :t",
                            "ExpressionAttributeValues": {":t": {"BOOL": True}}}},
    ])
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    items = {i["pk"]["S"]: i for i in ddb.scan(TableName=table_name)["Items"]}
    assert set(items) == {"new", "upd", "chk"} and items["upd"]["n"] == N(2)
    # One stream record per changed item; the condition check writes nothing.
    streams = server.client("dynamodbstreams")
    arn = ddb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
    recs = read_all(streams, arn)
    recs.sort(key=lambda r: r["dynamodb"]["SequenceNumber"])
    tx = recs[3:]
    assert sorted((r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in tx) == [
        ("INSERT", "new"), ("MODIFY", "upd"), ("REMOVE", "del")]


def test_cancellation_reasons_and_nothing_applied(ddb, table_name):
    make_table(ddb, table_name)
    ddb.put_item(TableName=table_name, Item={"pk": S("a"), "n": N(5)})
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table_name, "Item": {"pk": S("b")}}},
            {"Update": {"TableName": table_name, "Key": {"pk": S("a")}, "UpdateExpression": "SET n = :z",
                        "ConditionExpression": "n > :big", "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        "ExpressionAttributeValues": {":z": N(0), ":big": N(10)}}},
            {"ConditionCheck": {"TableName": table_name, "Key": {"pk": S("zzz")},
                                "ConditionExpression": "attribute_exists(pk)"}},
        ])
    err = e.value.response
    assert err["Error"]["Code"] == "TransactionCanceledException"
    assert err["Error"]["Message"] == ("Transaction cancelled, please refer cancellation reasons for specific reasons "
                                      "[None, ConditionalCheckFailed, ConditionalCheckFailed]")
    reasons = err["CancellationReasons"]
    assert reasons[0] == {"Code": "None"}
    assert reasons[1]["Code"] == "ConditionalCheckFailed" and reasons[1]["Item"] == {"pk": S("a"), "n": N(5)}
    assert reasons[2]["Code"] == "ConditionalCheckFailed" and "Item" not in reasons[2]
    assert "Item" not in ddb.get_item(TableName=table_name, Key={"pk": S("b")})
    assert ddb.get_item(TableName=table_name, Key={"pk": S("a")})["Item"]["n"] == N(5)


def test_validation_errors(ddb, server, table_name):
    make_table(ddb, table_name)
    put = {"Put": {"TableName": table_name, "Item": {"pk": S("a")}}}
    code, msg = error_of(ddb.transact_write_items, TransactItems=[put, {"Delete": {"TableName": table_name, "Key": {"pk": S("a")}}}])
    assert (code, msg) == ("ValidationException", "Transaction request cannot include multiple operations on one item")
    assert error_of(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": "missing_" + table_name, "Item": {"pk": S("a")}}}])[0] == "ResourceNotFoundException"
    assert error_of(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": table_name, "Item": {"nokey": S("a")}}}])[0] == "ValidationException"
    status, _, body = raw(server, "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": table_name, "Item": {"pk": S(f"k{i}")}}} for i in range(101)]})
    assert status == 400 and "length less than or equal to 100" in body["message"]
    status, _, body = raw(server, "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": table_name, "Item": {"pk": S("x")}}, "Delete": {"TableName": table_name, "Key": {"pk": S("x")}}}]})
    assert status == 400 and body["__type"].endswith("ValidationException")
    status, _, body = raw(server, "TransactWriteItems", {"TransactItems": [
        {"ConditionCheck": {"TableName": table_name, "Key": {"pk": S("x")}}}]})
    assert status == 400 and "conditionExpression" in body["message"]
    assert error_of(ddb.transact_get_items, TransactItems=[
        {"Get": {"TableName": table_name, "Key": {"pk": S("a")}}},
        {"Get": {"TableName": table_name, "Key": {"pk": S("a")}}}])[0] == "ValidationException"


def test_client_request_token_idempotency(ddb, table_name):
    make_table(ddb, table_name)
    req = [{"Update": {"TableName": table_name, "Key": {"pk": S("c")}, "UpdateExpression": "ADD n :one",
                       "ExpressionAttributeValues": {":one": N(1)}}}]
    ddb.transact_write_items(TransactItems=req, ClientRequestToken="tok-1")
    ddb.transact_write_items(TransactItems=req, ClientRequestToken="tok-1")  # a retry: not applied again
    assert ddb.get_item(TableName=table_name, Key={"pk": S("c")})["Item"]["n"] == N(1)
    req[0]["Update"]["ExpressionAttributeValues"] = {":one": N(2)}
    assert error_of(ddb.transact_write_items, TransactItems=req, ClientRequestToken="tok-1")[0] == \
        "IdempotentParameterMismatchException"
    ddb.transact_write_items(TransactItems=req, ClientRequestToken="tok-2")
    assert ddb.get_item(TableName=table_name, Key={"pk": S("c")})["Item"]["n"] == N(3)


def test_transact_get_items(ddb, table_name):
    make_table(ddb, table_name)
    ddb.put_item(TableName=table_name, Item={"pk": S("a"), "x": N(1), "y": N(2)})
    r = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": table_name, "Key": {"pk": S("a")}, "ProjectionExpression": "y"}},
        {"Get": {"TableName": table_name, "Key": {"pk": S("missing")}}},
        {"Get": {"TableName": table_name, "Key": {"pk": S("a2")}}},
    ])
    assert r["Responses"] == [{"Item": {"y": N(2)}}, {}, {}]


def test_concurrent_transfers_keep_the_sum(ddb, server, table_name):
    """Transfers between accounts in transactions, plain writes on the same items, and readers
    taking TransactGetItems snapshots: every snapshot and the final state keep the total."""
    make_table(ddb, table_name)
    accounts = [f"acct{i}" for i in range(10)]
    for a in accounts:
        ddb.put_item(TableName=table_name, Item={"pk": S(a), "balance": N(100), "touched": N(0)})
    total = 100 * len(accounts)
    stop = threading.Event()
    errors, counts = [], {"committed": 0, "conflicts": 0, "insufficient": 0, "snapshots": 0}
    lock = threading.Lock()

    def transfer(seed):
        rnd = random.Random(seed)
        c = server.client()
        while not stop.is_set():
            a, b = rnd.sample(accounts, 2)
            amt = rnd.randint(1, 30)
            try:
                c.transact_write_items(TransactItems=[
                    {"Update": {"TableName": table_name, "Key": {"pk": S(a)}, "UpdateExpression": "SET balance = balance - :a",
                                "ConditionExpression": "balance >= :a", "ExpressionAttributeValues": {":a": N(amt)}}},
                    {"Update": {"TableName": table_name, "Key": {"pk": S(b)}, "UpdateExpression": "SET balance = balance + :a",
                                "ExpressionAttributeValues": {":a": N(amt)}}},
                ])
                key = "committed"
            except ClientError as e:
                reasons = [r["Code"] for r in e.response.get("CancellationReasons", [])]
                if "TransactionConflict" in reasons:
                    key = "conflicts"
                elif "ConditionalCheckFailed" in reasons:
                    key = "insufficient"
                else:
                    errors.append(e)
                    return
            with lock:
                counts[key] += 1

    def toucher(seed):
        rnd = random.Random(seed)
        c = server.client()
        while not stop.is_set():
            try:
                c.update_item(TableName=table_name, Key={"pk": S(rnd.choice(accounts))},
                              UpdateExpression="ADD touched :one", ExpressionAttributeValues={":one": N(1)})
            except ClientError as e:
                # A plain write that meets an ongoing transaction fails as in DynamoDB.
                if e.response["Error"]["Code"] != "TransactionConflictException":
                    errors.append(e)
                    return
                assert e.response["Error"]["Message"] == "Transaction is ongoing for the item"

    def reader():
        c = server.client()
        while not stop.is_set():
            r = c.transact_get_items(TransactItems=[{"Get": {"TableName": table_name, "Key": {"pk": S(a)}}} for a in accounts])
            s = sum(int(x["Item"]["balance"]["N"]) for x in r["Responses"])
            if s != total:
                errors.append(AssertionError(f"snapshot sum {s} != {total}"))
                return
            with lock:
                counts["snapshots"] += 1

    threads = [threading.Thread(target=transfer, args=(i,)) for i in range(6)]
    threads += [threading.Thread(target=toucher, args=(100,)), threading.Thread(target=reader), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    stop.wait(4)
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert counts["committed"] > 50 and counts["snapshots"] > 10, counts
    final = ddb.scan(TableName=table_name, ConsistentRead=True)["Items"]
    assert sum(int(i["balance"]["N"]) for i in final) == total
    assert all(int(i["balance"]["N"]) >= 0 for i in final)
