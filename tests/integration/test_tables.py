"""CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable through boto3."""
import datetime

from conftest import make_table
from helpers import error_of, raw, raw_error


def test_create_describe_delete_lifecycle(ddb, table_name):
    resp = ddb.create_table(
        TableName=table_name,
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                              {"AttributeName": "SK", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7})
    desc = resp["TableDescription"]
    assert desc["TableStatus"] == "CREATING"
    assert desc["TableArn"] == f"arn:aws:dynamodb:us-east-1:000000000000:table/{table_name}"
    assert len(desc["TableId"]) == 36
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert desc["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
    assert "BillingModeSummary" not in desc
    assert isinstance(desc["CreationDateTime"], datetime.datetime)
    ddb.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    table = ddb.describe_table(TableName=table_name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["KeySchema"] == [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}]
    assert table["ItemCount"] == 0 and table["TableSizeBytes"] == 0
    ddb.put_item(TableName=table_name, Item={"PK": {"S": "PRODUCT#test123"}, "SK": {"S": "METADATA"}, "n": {"N": "1"}})
    table = ddb.describe_table(TableName=table_name)["Table"]
    assert table["ItemCount"] == 1
    assert table["TableSizeBytes"] == len("PK") + len("PRODUCT#test123") + 2 + len("METADATA") + 1 + 2
    deleted = ddb.delete_table(TableName=table_name)["TableDescription"]
    assert deleted["TableStatus"] == "DELETING"
    assert deleted["ItemCount"] == 1
    code, msg = error_of(ddb.describe_table, TableName=table_name)
    assert code == "ResourceNotFoundException"
    assert msg == f"Requested resource not found: Table: {table_name} not found"
    # The name can be reused and the new table starts empty.
    make_table(ddb, table_name, hash_type="S")
    assert ddb.scan(TableName=table_name)["Items"] == []
    ddb.delete_table(TableName=table_name)


def test_pay_per_request_and_duplicate_create(ddb, table_name):
    make_table(ddb, table_name, "N", "B")
    t = ddb.describe_table(TableName=table_name)["Table"]
    assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert t["ProvisionedThroughput"] == {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    code, msg = error_of(make_table, ddb=ddb, name=table_name)
    assert code == "ResourceInUseException"
    assert msg == f"Table already exists: {table_name}"


def test_create_table_validation(server, ddb, table_name):
    base = {"TableName": table_name,
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST"}

    def create(**override):
        body = dict(base, **override)
        return raw_error(server, "CreateTable", {k: v for k, v in body.items() if v is not None})

    code, msg = create(TableName="ab")
    assert code == "ValidationException"
    assert msg == ("1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
                   "Member must have length greater than or equal to 3")
    code, msg = create(TableName="bad name!")
    assert "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+" in msg
    code, msg = create(KeySchema=None)
    assert msg == ("1 validation error detected: Value null at 'keySchema' failed to satisfy constraint: "
                   "Member must not be null")
    code, msg = create(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "X"}])
    assert "Member must satisfy enum value set: [B, N, S]" in msg
    code, msg = create(AttributeDefinitions=[{"AttributeName": "other", "AttributeType": "S"}])
    assert msg == ("One or more parameter values were invalid: Some index key attributes are not defined in "
                   "AttributeDefinitions. Keys: [pk], AttributeDefinitions: [other]")
    code, msg = create(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                             {"AttributeName": "x", "AttributeType": "S"}])
    assert msg == ("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly "
                   "match number of attributes defined in AttributeDefinitions")
    code, msg = create(KeySchema=[{"AttributeName": "pk", "KeyType": "RANGE"}])
    assert msg == "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
    code, msg = create(BillingMode=None)
    assert msg == ("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both "
                   "be specified when BillingMode is PROVISIONED")
    code, msg = create(ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    assert msg == ("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can "
                   "be specified when BillingMode is PAY_PER_REQUEST")
    code, msg = create(BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 0, "WriteCapacityUnits": 1})
    assert msg == ("1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' failed to "
                   "satisfy constraint: Member must have value greater than or equal to 1")
    code, msg = create(TableName="x", KeySchema=None)
    assert msg.startswith("2 validation errors detected: ")
    code, msg = create(GlobalSecondaryIndexes=[{"IndexName": "i"}])
    assert code == "ValidationException"
    assert "Value null at 'globalSecondaryIndexes.1.member.projection' failed to satisfy constraint" in msg
    assert table_name not in ddb.list_tables()["TableNames"]


def test_list_tables_pagination(ddb, table_name):
    names = [f"{table_name}_{i:02d}" for i in range(7)]
    for n in names:
        make_table(ddb, n)
    all_names = ddb.list_tables()["TableNames"]
    assert all_names == sorted(all_names)
    seen = []
    kwargs = {"Limit": 3}
    while True:
        page = ddb.list_tables(**kwargs)
        assert len(page["TableNames"]) <= 3
        seen += page["TableNames"]
        if "LastEvaluatedTableName" not in page:
            break
        kwargs["ExclusiveStartTableName"] = page["LastEvaluatedTableName"]
    assert seen == all_names
    paged = [n for p in ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2})
             for n in p["TableNames"]]
    assert paged == all_names
    after = ddb.list_tables(ExclusiveStartTableName=names[3])["TableNames"]
    assert names[4] in after and names[3] not in after
    code, _ = error_of(ddb.list_tables, Limit=101)
    for n in names:
        ddb.delete_table(TableName=n)


def test_update_table(server, ddb, table_name):
    make_table(ddb, table_name, billing="PROVISIONED")
    desc = ddb.update_table(TableName=table_name,
                            ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 3})["TableDescription"]
    assert desc["TableStatus"] == "UPDATING"
    pt = ddb.describe_table(TableName=table_name)["Table"]["ProvisionedThroughput"]
    assert pt["ReadCapacityUnits"] == 10 and pt["WriteCapacityUnits"] == 3
    assert "LastIncreaseDateTime" in pt and "LastDecreaseDateTime" in pt
    assert pt["NumberOfDecreasesToday"] == 1
    code, msg = error_of(ddb.update_table, TableName=table_name,
                         ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 3})
    assert code == "ValidationException"
    assert msg.startswith("The provisioned throughput for the table will not change.")
    ddb.update_table(TableName=table_name, BillingMode="PAY_PER_REQUEST")
    t = ddb.describe_table(TableName=table_name)["Table"]
    assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "LastUpdateToPayPerRequestDateTime" in t["BillingModeSummary"]
    code, msg = error_of(ddb.update_table, TableName=table_name,
                         ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    assert "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified" in msg
    code, msg = error_of(ddb.update_table, TableName=table_name, BillingMode="PROVISIONED")
    assert "ProvisionedThroughput must be specified when BillingMode is PROVISIONED" in msg
    code, msg = error_of(ddb.update_table, TableName=table_name)
    assert msg.startswith("At least one of ProvisionedThroughput, BillingMode")
    code, _ = error_of(ddb.update_table, TableName=table_name + "_missing", BillingMode="PAY_PER_REQUEST")
    assert code == "ResourceNotFoundException"
    # Debian's botocore predates DeletionProtectionEnabled: send it raw.
    status, _, _ = raw(server, "UpdateTable", {"TableName": table_name, "DeletionProtectionEnabled": True})
    assert status == 200
    assert raw(server, "DescribeTable", {"TableName": table_name})[2]["Table"]["DeletionProtectionEnabled"] is True
    code, msg = error_of(ddb.delete_table, TableName=table_name)
    assert "protected against deletion" in msg
    raw(server, "UpdateTable", {"TableName": table_name, "DeletionProtectionEnabled": False})
    ddb.delete_table(TableName=table_name)


def test_tables_survive_restart(table_name):
    from conftest import FloeServer
    s = FloeServer().start()
    try:
        c = s.client()
        make_table(c, table_name, "S", "N")
        c.put_item(TableName=table_name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
        s.stop()
        s.start()
        c = s.client()
        t = c.describe_table(TableName=table_name)["Table"]
        assert t["ItemCount"] == 1
        assert c.get_item(TableName=table_name, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"]["sk"] == {"N": "1"}
    finally:
        s.cleanup()
