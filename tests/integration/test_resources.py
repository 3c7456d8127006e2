"""Tagging, DescribeLimits, DescribeEndpoints, DescribeContinuousBackups through boto3."""
from conftest import make_table
from helpers import error_of


def test_tags_lifecycle(ddb, server, table_name):
    ddb.create_table(TableName=table_name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
                     Tags=[{"Key": "env", "Value": "test"}])
    arn = ddb.describe_table(TableName=table_name)["Table"]["TableArn"]
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "test"}]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "floe"}, {"Key": "env", "Value": "prod"}])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "floe"}]
    ddb.untag_resource(ResourceArn=arn, TagKeys=["env", "absent"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "floe"}]


def test_tag_errors(ddb, table_name):
    make_table(ddb, table_name)
    arn = ddb.describe_table(TableName=table_name)["Table"]["TableArn"]
    missing = arn + "_missing"
    assert error_of(ddb.list_tags_of_resource, ResourceArn=missing) == (
        "ResourceNotFoundException", f"Requested resource not found: ResourcArn: {missing} not found")
    assert error_of(ddb.tag_resource, ResourceArn="nope", Tags=[{"Key": "a", "Value": "b"}])[0] == "ValidationException"
    assert error_of(ddb.tag_resource, ResourceArn=arn, Tags=[{"Key": "aws:x", "Value": "b"}]) == (
        "ValidationException", "Tag Key cannot be prefixed with aws:, Key: aws:x")
    assert error_of(ddb.tag_resource, ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]) == (
        "ValidationException", "Duplicate Tag Keys provided as input: Duplicate Tag Key found a")
    assert error_of(ddb.tag_resource, ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)]) == (
        "ValidationException", "Number of Tags exceed the current limit for the provided ResourceArn")
    assert error_of(ddb.tag_resource, ResourceArn=arn, Tags=[]) == (
        "ValidationException", "Atleast one Tag needs to be provided as Input.")
    assert error_of(ddb.untag_resource, ResourceArn=arn, TagKeys=[]) == (
        "ValidationException", "Atleast one Tag Key needs to be provided as Input.")
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []


def test_limits_endpoints_backups(ddb, server, table_name):
    limits = ddb.describe_limits()
    assert limits["TableMaxReadCapacityUnits"] == 40000 and limits["AccountMaxWriteCapacityUnits"] == 80000
    ep = ddb.describe_endpoints()["Endpoints"]
    assert ep == [{"Address": f"127.0.0.1:{server.port}", "CachePeriodInMinutes": 1440}]
    make_table(ddb, table_name)
    d = ddb.describe_continuous_backups(TableName=table_name)["ContinuousBackupsDescription"]
    assert d == {"ContinuousBackupsStatus": "DISABLED",
                 "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}
    assert error_of(ddb.describe_continuous_backups, TableName="missing_" + table_name)[0] == "TableNotFoundException"
