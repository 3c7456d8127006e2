"""The AWS CLI, unmodified, against floe."""
import json
import subprocess

from conftest import AWS_CLI


def aws(server, *args, check=True):
    env = {"AWS_ACCESS_KEY_ID": "AKIDCLI", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_DEFAULT_REGION": "us-east-1",
           "PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    r = subprocess.run([AWS_CLI, "--endpoint-url", server.endpoint, "--output", "json", "dynamodb", *args],
                       capture_output=True, text=True, env=env, timeout=60)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def test_cli_round_trip(server, table_name):
    aws(server, "create-table", "--table-name", table_name,
        "--attribute-definitions", "AttributeName=PK,AttributeType=S", "AttributeName=SK,AttributeType=S",
        "--key-schema", "AttributeName=PK,KeyType=HASH", "AttributeName=SK,KeyType=RANGE",
        "--billing-mode", "PAY_PER_REQUEST")
    aws(server, "wait", "table-exists", "--table-name", table_name)
    aws(server, "put-item", "--table-name", table_name, "--item",
        json.dumps({"PK": {"S": "PRODUCT#test123"}, "SK": {"S": "METADATA"}, "price": {"N": "19.990"}}))
    got = json.loads(aws(server, "get-item", "--table-name", table_name, "--key",
                         json.dumps({"PK": {"S": "PRODUCT#test123"}, "SK": {"S": "METADATA"}})).stdout)
    assert got["Item"]["price"] == {"N": "19.99"}
    q = json.loads(aws(server, "query", "--table-name", table_name, "--key-conditions",
                       json.dumps({"PK": {"AttributeValueList": [{"S": "PRODUCT#test123"}],
                                          "ComparisonOperator": "EQ"}})).stdout)
    assert q["Count"] == 1
    scan = json.loads(aws(server, "scan", "--table-name", table_name).stdout)
    assert scan["Count"] == 1
    assert table_name in json.loads(aws(server, "list-tables").stdout)["TableNames"]
    r = aws(server, "describe-table", "--table-name", table_name + "_nope", check=False)
    assert r.returncode != 0 and "ResourceNotFoundException" in r.stderr
    aws(server, "delete-table", "--table-name", table_name)
