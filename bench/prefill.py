#!/usr/bin/env python3
"""Creates the benchmark table and writes N items of ~1 KB (keys key0..keyN-1).
usage: prefill.py ENDPOINT [N] [TABLE]"""
import sys
import threading
import time

import boto3
from botocore.config import Config

endpoint = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
table = sys.argv[3] if len(sys.argv) > 3 else "bench"


def client():
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="AKIDBENCH",
                        aws_secret_access_key="x", config=Config(retries={"max_attempts": 10}))


c = client()
c.create_table(TableName=table, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
               KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
while c.describe_table(TableName=table)["Table"]["TableStatus"] != "ACTIVE":
    time.sleep(0.1)
pad = "x" * 1000


def work(start, step):
    cc = client()
    for base in range(start * 25, n, step * 25):
        reqs = [{"PutRequest": {"Item": {"pk": {"S": f"key{i}"}, "pad": {"S": pad}}}} for i in range(base, min(base + 25, n))]
        pending = {table: reqs}
        while pending:
            pending = cc.batch_write_item(RequestItems=pending)["UnprocessedItems"]


threads = [threading.Thread(target=work, args=(i, 8)) for i in range(8)]
t0 = time.time()
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"prefilled {n} items in {time.time() - t0:.1f}s", file=sys.stderr)
