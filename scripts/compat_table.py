#!/usr/bin/env python3
"""Writes docs/compatibility.md: every DynamoDB operation and parameter of the botocore
service model (Debian's python3-botocore), with floe's status from STATUS below. A
parameter missing from STATUS is listed as MISSING so that nothing goes unaccounted for.
usage: scripts/compat_table.py > docs/compatibility.md"""
import json

MODEL = "/usr/lib/python3/dist-packages/botocore/data/dynamodb/2012-08-10/service-2.json"
STREAMS_MODEL = "/usr/lib/python3/dist-packages/botocore/data/dynamodbstreams/2012-08-10/service-2.json"
STREAM_SPEC = ("yes (KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES; enabling an enabled stream, disabling a "
               "missing one, a missing or superfluous StreamViewType are DynamoDB's ValidationExceptions; each "
               "enable creates a new stream ARN, LatestStreamArn/Label stay after disabling)")
EXPR = "yes (expression language: every function, operator and action)"
LEGACY = "yes (legacy form, translated to the expression AST)"
NAMES = "yes (placeholders; unused or missing names are errors)"
VALUES = "yes (placeholders; unused or missing values are errors)"
CAPACITY = ("yes (NONE, TOTAL, INDEXES: 4 KB read units halved when eventually consistent, 1 KB write units on the "
            "larger of the old and new item, each changed index entry on its index, transactions doubled)")
METRICS = ("yes (SIZE on tables with local indexes: ItemCollectionKey and SizeEstimateRangeGB from the exact size "
           "of the item collection; nothing for tables without)")
GSI = ("yes (HASH or HASH+RANGE keys of S, N, B; projections ALL, KEYS_ONLY, INCLUDE; up to 20; sparse; "
       "ProvisionedThroughput under PROVISIONED billing; IndexStatus, IndexSizeBytes, ItemCount, IndexArn; "
       "DynamoDB's validation messages)")

ICEBERG_REST = [
    ("GET /v1/config", "yes"),
    ("GET /v1/namespaces", "yes (parent, pageToken, pageSize)"),
    ("POST /v1/namespaces", "yes"),
    ("GET /v1/namespaces/{namespace}", "yes"),
    ("HEAD /v1/namespaces/{namespace}", "yes"),
    ("DELETE /v1/namespaces/{namespace}", "yes (409 when not empty)"),
    ("POST /v1/namespaces/{namespace}/properties", "yes"),
    ("GET /v1/namespaces/{namespace}/tables", "yes (pageToken, pageSize)"),
    ("POST /v1/namespaces/{namespace}/tables", "yes (stage-create too; format-version 2 or 3)"),
    ("GET /v1/namespaces/{namespace}/tables/{table}", "yes (snapshots=all; ETag not sent)"),
    ("HEAD /v1/namespaces/{namespace}/tables/{table}", "yes"),
    ("POST /v1/namespaces/{namespace}/tables/{table}", "yes (every requirement; updates listed in docs/formats/iceberg.md)"),
    ("DELETE /v1/namespaces/{namespace}/tables/{table}", "yes (purgeRequested)"),
    ("POST /v1/namespaces/{namespace}/register", "yes"),
    ("POST /v1/namespaces/{namespace}/tables/{table}/metrics", "accepted, not stored"),
    ("POST /v1/tables/rename", "yes"),
    ("POST /v1/transactions/commit", "not yet (multi-table transactions)"),
    ("views, plan/tasks endpoints, credentials", "not yet"),
    ("OAuth2 (/v1/oauth/tokens)", "no: loopback needs no auth; elsewhere SigV4-signed requests"),
]

REPLICATOR = [
    ("tableName", "yes (a local table inside floe serve; a remote one with floe replicate)"),
    ("tableStreamArn", "yes (standalone; optional: the table's LatestStreamArn; a re-enabled stream is followed)"),
    ("glueDatabaseName", "yes (the Iceberg namespace)"),
    ("glueTableName", "yes"),
    ("glueTableSchema", "yes (name, Iceberg or Glue/Hive type, source attribute path, required)"),
    ("mode", "floe: mirror (default) or changelog"),
    ("bufferingHints", "yes (intervalInSeconds 0..900, default 1; sizeInMBs 1..128, default 5)"),
    ("transform", "floe: a sandboxed Lua 5.4 function with Firehose's record-transformation contract (no Lambda)"),
    ("backupPrefix", "yes (failed records as JSON lines with their error, in the warehouse)"),
    ("retry", "yes (attempts, minBackoffMs, maxBackoffMs)"),
    ("partitionSpec, maintenance, formatVersion, unmappedAttributes, warehouse", "floe's own"),
    ("warehouse on S3", "yes (s3://bucket/prefix on AWS S3 or any S3-compatible store; single-PUT objects, no multipart yet)"),
    ("source endpoints over TLS", "yes (floe replicate: https with certificate and host-name verification; caBundle / AWS_CA_BUNDLE)"),
]

STATUS = {
    "CreateTable": {"AttributeDefinitions": "yes", "TableName": "yes", "KeySchema": "yes", "BillingMode": "yes",
                    "ProvisionedThroughput": "yes (1..40000 units)", "TableClass": "yes (recorded, described)",
                    "DeletionProtectionEnabled": "yes",
                    "LocalSecondaryIndexes": ("yes (same partition key, a sort key, up to 5, projections; ConsistentRead; item "
                                              "collection metrics; item collections are not capped at 10 GB)"),
                    "GlobalSecondaryIndexes": GSI,
                    "StreamSpecification": STREAM_SPEC, "SSESpecification": "not yet; rejected",
                    "Tags": "yes (as TagResource)"},
    "DescribeTable": {"TableName": "yes"},
    "ListTables": {"ExclusiveStartTableName": "yes", "Limit": "yes (1..100)"},
    "DeleteTable": {"TableName": "yes (refused while DeletionProtectionEnabled)"},
    "UpdateTable": {"TableName": "yes", "BillingMode": "yes", "ProvisionedThroughput": "yes", "TableClass": "yes",
                    "DeletionProtectionEnabled": "yes", "AttributeDefinitions": "yes (key attributes of a created GSI; definitions no key uses are dropped)",
                    "GlobalSecondaryIndexUpdates": ("yes (Create: online backfill, IndexStatus CREATING with Backfilling "
                                                    "true, then ACTIVE, writes during the backfill kept; one Create or Delete "
                                                    "per call; Update: ProvisionedThroughput; Delete: DELETING in the response, "
                                                    "entries removed at once)"), "StreamSpecification": STREAM_SPEC,
                    "SSESpecification": "not yet; rejected", "ReplicaUpdates": "not yet (global tables); rejected"},
    "PutItem": {"TableName": "yes", "Item": "yes", "ReturnValues": "yes (NONE, ALL_OLD)",
                "ReturnConsumedCapacity": CAPACITY, "ReturnItemCollectionMetrics": METRICS,
                "Expected": LEGACY, "ConditionalOperator": LEGACY, "ConditionExpression": EXPR,
                "ExpressionAttributeNames": NAMES, "ExpressionAttributeValues": VALUES,
                "ReturnValuesOnConditionCheckFailure": "yes (the item inside ConditionalCheckFailedException)"},
    "GetItem": {"TableName": "yes", "Key": "yes", "AttributesToGet": LEGACY,
                "ConsistentRead": "yes (every read on a node is strongly consistent)", "ReturnConsumedCapacity": CAPACITY,
                "ProjectionExpression": "yes (nested paths, list indexes)", "ExpressionAttributeNames": NAMES},
    "UpdateItem": {"TableName": "yes", "Key": "yes (the item is created when absent)", "AttributeUpdates": LEGACY + " (PUT, ADD, DELETE)",
                   "Expected": LEGACY, "ConditionalOperator": LEGACY,
                   "ReturnValues": "yes (NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW)",
                   "ReturnConsumedCapacity": CAPACITY, "ReturnItemCollectionMetrics": METRICS,
                   "UpdateExpression": "yes (SET with + - list_append if_not_exists, REMOVE, ADD, DELETE)",
                   "ConditionExpression": EXPR, "ExpressionAttributeNames": NAMES, "ExpressionAttributeValues": VALUES,
                   "ReturnValuesOnConditionCheckFailure": "yes"},
    "DeleteItem": {"TableName": "yes", "Key": "yes", "ReturnValues": "yes (NONE, ALL_OLD)", "ReturnConsumedCapacity": CAPACITY,
                   "ReturnItemCollectionMetrics": METRICS, "Expected": LEGACY, "ConditionalOperator": LEGACY,
                   "ConditionExpression": EXPR, "ExpressionAttributeNames": NAMES, "ExpressionAttributeValues": VALUES,
                   "ReturnValuesOnConditionCheckFailure": "yes"},
    "BatchWriteItem": {"RequestItems": "yes (25 requests, duplicates rejected, all validated before any write, one atomic commit; UnprocessedItems always empty)",
                       "ReturnConsumedCapacity": CAPACITY, "ReturnItemCollectionMetrics": METRICS},
    "BatchGetItem": {"RequestItems": "yes (100 keys, duplicates rejected, UnprocessedKeys past 16 MB; Keys, AttributesToGet, ConsistentRead, ProjectionExpression, ExpressionAttributeNames)",
                     "ReturnConsumedCapacity": CAPACITY},
    "Query": {"TableName": "yes", "IndexName": ("yes (GSI and LSI; ConsistentRead on a GSI and reads of a backfilling GSI "
                                         "are DynamoDB's ValidationExceptions; a GSI returns what it projects, an LSI "
                                         "fetches other attributes from the table)"),
              "Select": "yes (ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES (default on an index), SPECIFIC_ATTRIBUTES, COUNT)",
              "AttributesToGet": LEGACY, "Limit": "yes (counts items read, before the filter)", "ConsistentRead": "yes",
              "KeyConditions": LEGACY + " (EQ on the partition key; EQ, LT, LE, GT, GE, BETWEEN, BEGINS_WITH on the sort key)",
              "QueryFilter": LEGACY, "ConditionalOperator": LEGACY, "ScanIndexForward": "yes", "ExclusiveStartKey": "yes",
              "ReturnConsumedCapacity": CAPACITY, "ProjectionExpression": "yes",
              "FilterExpression": "yes (after the key condition; Count vs ScannedCount as DynamoDB counts)",
              "KeyConditionExpression": "yes (=, <, <=, >, >=, BETWEEN, begins_with on the sort key)",
              "ExpressionAttributeNames": NAMES, "ExpressionAttributeValues": VALUES},
    "Scan": {"TableName": "yes", "IndexName": "yes (as Query)", "AttributesToGet": LEGACY, "Limit": "yes",
             "Select": "yes", "ScanFilter": LEGACY, "ConditionalOperator": LEGACY, "ExclusiveStartKey": "yes",
             "ReturnConsumedCapacity": CAPACITY, "TotalSegments": "yes (hash-range segments)", "Segment": "yes",
             "ProjectionExpression": "yes", "FilterExpression": "yes", "ExpressionAttributeNames": NAMES,
             "ExpressionAttributeValues": VALUES, "ConsistentRead": "yes"},
}
STATUS.update({
    "UpdateTimeToLive": {"TableName": "yes", "TimeToLiveSpecification": (
        "yes (Enabled, AttributeName; DynamoDB's 'already enabled', 'already disabled' and 'active on a different "
        "AttributeName' errors). A background expirer deletes items whose attribute is a number of epoch seconds in "
        "the past (not more than five years), through the normal write path: stream records carry userIdentity "
        "Service / dynamodb.amazonaws.com; expired items stay readable until deleted, as in DynamoDB")},
    "DescribeTimeToLive": {"TableName": "yes (ENABLED / DISABLED, AttributeName)"},
    "TransactWriteItems": {
        "TransactItems": ("yes (1..100 of ConditionCheck, Put, Delete, Update with conditions and "
                          "ReturnValuesOnConditionCheckFailure; one item once; 4 MB; all-or-nothing in one WriteBatch, "
                          "one stream record per changed item; TransactionCanceledException with CancellationReasons "
                          "None / ConditionalCheckFailed (with Item) / ValidationError / TransactionConflict when another "
                          "writer holds an item for more than 1 ms)"),
        "ReturnConsumedCapacity": CAPACITY, "ReturnItemCollectionMetrics": METRICS,
        "ClientRequestToken": "yes (10 minutes, per node; a different request with the same token: IdempotentParameterMismatchException)"},
    "TagResource": {"ResourceArn": "yes (table ARNs)", "Tags": "yes (50 per table; key 1..128, value 0..256; no aws: prefix; no duplicates)"},
    "UntagResource": {"ResourceArn": "yes", "TagKeys": "yes"},
    "ListTagsOfResource": {"ResourceArn": "yes", "NextToken": "accepted (50 tags fit one page)"},
    "DescribeLimits": {},
    "DescribeEndpoints": {},
    "DescribeContinuousBackups": {"TableName": "yes (backups are not implemented: both statuses DISABLED)"},
    "TransactGetItems": {"TransactItems": "yes (1..100 Get with ProjectionExpression; one consistent snapshot)",
                         "ReturnConsumedCapacity": CAPACITY},
})
STREAMS_STATUS = {
    "ListStreams": {"TableName": "yes (streams of live and deleted tables within retention)",
                    "Limit": "yes (1..100)", "ExclusiveStartStreamArn": "yes (malformed ARN: ValidationException)"},
    "DescribeStream": {"StreamArn": "yes (ENABLED or DISABLED; KeySchema; CreationRequestDateTime)",
                       "Limit": "yes (1..100 shards)", "ExclusiveStartShardId": "yes (shards in lexical order)",
                       "ShardFilter": "yes (CHILD_SHARDS)"},
    "GetShardIterator": {"StreamArn": "yes", "ShardId": "yes (unknown shard: ResourceNotFoundException)",
                         "ShardIteratorType": "yes (TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER)",
                         "SequenceNumber": "yes (required by AT/AFTER, refused by TRIM_HORIZON/LATEST; outside the "
                                           "shard: ValidationException; trimmed: TrimmedDataAccessException)"},
    "GetRecords": {"ShardIterator": "yes (signed; expires after 15 minutes: ExpiredIteratorException)",
                   "Limit": "yes (1..1000; at most 1 MB per call)"},
}
LATER = {}
GLOBAL = {"CreateGlobalTable", "UpdateGlobalTable", "DescribeGlobalTable", "ListGlobalTables", "DescribeGlobalTableSettings",
          "UpdateGlobalTableSettings", "DescribeTableReplicaAutoScaling", "UpdateTableReplicaAutoScaling"}
KINESIS = {"EnableKinesisStreamingDestination", "DisableKinesisStreamingDestination", "DescribeKinesisStreamingDestination"}
PARTIQL = {"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"}

HEADER = """# DynamoDB API compatibility

Generated by `scripts/compat_table.py` from the botocore service model (API 2012-08-10): every
operation and every parameter, with floe's status. Unsupported operations answer
`UnknownOperationException`; unsupported parameters of supported operations answer
`ValidationException` naming the parameter, so that no request is silently half-applied.

## Behaviour common to every operation

- Transport: HTTP/1.1 keep-alive, `POST /` with `X-Amz-Target: DynamoDB_20120810.<Operation>`,
  `application/x-amz-json-1.0` bodies, gzip or deflate request bodies (`Content-Encoding`), request
  bodies up to 16 MiB (413 `RequestEntityTooLargeException` beyond, configurable `maxRequestBytes`).
  `GET /` answers 200 `healthy: dynamodb.<region>.amazonaws.com` (readiness).
- Every response carries `x-amzn-RequestId` (52 characters) and `x-amz-crc32` (CRC32 of the body).
- Errors: `{"__type": ..., "message": ...}` with DynamoDB's types and HTTP status (400 for client
  errors, 500 `InternalServerError`, 503 `ServiceUnavailableException`); constraint violations use
  DynamoDB's `N validation error(s) detected: Value ... at '...' failed to satisfy constraint: ...`
  form; malformed JSON or wrong JSON types are `SerializationException`.
- SigV4: `MissingAuthenticationTokenException` without an Authorization header,
  `IncompleteSignatureException` for a malformed one. With access keys configured (required off
  loopback), signatures are verified: `UnrecognizedClientException` for an unknown key,
  `InvalidSignatureException` for a wrong signature, a mismatched `x-amz-content-sha256`, or a
  request signed more than 15 minutes away from now. On loopback without keys, any well-formed
  signature is accepted (as local DynamoDB emulators do).
- Data model: S, N, B, BOOL, NULL, M, L, SS, NS, BS with DynamoDB's rules and messages; numbers are
  exact decimals (38 digits, 1E-130 .. 9.99..E+125) returned in plain notation (`1.50` -> `1.5`,
  `1e2` -> `100`, `-0` -> `0`); 400 KB items (names + values); partition keys up to 2048 bytes, sort
  keys up to 1024; nesting depth 32 (also checked on the result of an update); empty strings and
  binaries allowed outside keys.
- Expressions: one parser for ConditionExpression, FilterExpression, KeyConditionExpression,
  UpdateExpression and ProjectionExpression; DynamoDB's 573 reserved words; 4 KB expression limit;
  300 operators; 100 IN operands; document paths of depth 32; `size()` counts UTF-8 bytes of
  strings; mixing a legacy parameter with its expression counterpart is DynamoDB's error; parsed
  expressions are cached (2,048 per kind).
- Table status: CreateTable answers CREATING, UpdateTable UPDATING, DeleteTable DELETING; the table
  is ACTIVE (or gone) by the next request, since floe does the work synchronously.
- Durability: with `durability: sync` (default) a write is acknowledged only after its WAL record is
  on stable storage (group commit: one WAL flush covers every write made while the previous flush
  ran). A write that changes nothing (same item) writes nothing.
- Isolation: transactions are serializable. A PutItem, UpdateItem or DeleteItem on an item that a
  transaction holds for more than 1 ms fails with `TransactionConflictException` ("Transaction is
  ongoing for the item"); a transaction that meets another writer for that long is cancelled with a
  `TransactionConflict` reason.
- Secondary indexes: every write updates the item, its index entries and its stream record in one
  atomic batch, so no reader sees an index out of step with its table (index reads are strongly
  consistent on a node, even where DynamoDB's GSIs are eventually consistent). Index key
  attributes are type-checked on write; index key size limits are not enforced separately.

## Operations
"""


def supported(op, model, status):
    """The section of a supported operation: every parameter of the model, with its status."""
    ops, shapes = model["operations"], model["shapes"]
    out = [f"### {op}: supported", "", "| parameter | status |", "|---|---|"]
    members = shapes[ops[op]["input"]["shape"]]["members"] if "input" in ops[op] else {}
    for p in members:
        out.append(f"| {p} | {status.get(p, 'MISSING')} |")
    for p, st in status.items():
        if p not in members:
            out.append(f"| {p} | {st} (newer than Debian's botocore model) |")
    return out + [""]


def main():
    m = json.load(open(MODEL))
    ops = m["operations"]
    out = [HEADER]
    for op in sorted(ops):
        if op in STATUS:
            out += supported(op, m, STATUS[op])
            continue
        if op in LATER:
            note = LATER[op]
        elif op in GLOBAL:
            note = "global tables (version 2019.11.21, via UpdateTable ReplicaUpdates) come after the current issues"
        elif op in KINESIS:
            note = "the Kinesis streaming destination comes after the streams issue"
        elif op in PARTIQL:
            note = "PartiQL"
        else:
            note = "backups, exports, imports and contributor insights are outside the current issues"
        out += [f"### {op}: not yet ({note})", ""]
    out += ["## DynamoDB Streams API", "",
            "`X-Amz-Target: DynamoDBStreams_20120810.<Operation>` on the same endpoint. Records come from the change",
            "log written in the item's own WriteBatch and are visible as soon as the write is acknowledged;",
            "see docs/formats/streams.md for shards, sequence numbers, retention and iterators.", ""]
    sm = json.load(open(STREAMS_MODEL))
    for op in sorted(sm["operations"]):
        out += supported(op, sm, STREAMS_STATUS[op])
    out += ["## Iceberg REST Catalog API", "",
            "Served at `/iceberg/v1/...` on the same port (Iceberg's rest-catalog-open-api.yaml).",
            "Endpoints, requirements, updates, errors and what is not supported yet:",
            "docs/formats/iceberg.md, section \"REST API\".", "",
            "| endpoint | status |", "|---|---|"]
    for endpoint, status in ICEBERG_REST:
        out.append(f"| `{endpoint}` | {status} |")
    out.append("")
    out += ["## Table Replicator (config.json)", "",
            "The reference architecture's replicator settings and what floe does with them;",
            "docs/replicator.md has the details.", "",
            "| setting | status |", "|---|---|"]
    for setting, status in REPLICATOR:
        out.append(f"| `{setting}` | {status} |")
    out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
