#pragma once
// Operation handlers, one file per family. Internal to the api module.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/router.h"
#include "common/status.h"
#include "dynamo/attribute_value.h"
#include "json/json.h"

namespace floe::dynamo {
struct TableInfo;
struct TableRuntime;
struct BatchWrite;
}  // namespace floe::dynamo

namespace floe::api {

struct OpContext {
  Services& services;
  uint64_t durable_token = 0;  // set by writes
  // Set with a kConditionFailed status when the caller asked for the item back
  // (ReturnValuesOnConditionCheckFailure=ALL_OLD).
  std::optional<dynamo::Item> condition_failed_item;
  // Set with a kTransactionCanceled status: the CancellationReasons array (JSON).
  std::string cancellation_reasons_json;
};

using OpHandler = Status (*)(OpContext& ctx, const json::Value& request, json::Writer& out);

// table_ops.cc
Status CreateTable(OpContext&, const json::Value&, json::Writer&);
Status DescribeTable(OpContext&, const json::Value&, json::Writer&);
Status ListTables(OpContext&, const json::Value&, json::Writer&);
Status DeleteTable(OpContext&, const json::Value&, json::Writer&);
Status UpdateTable(OpContext&, const json::Value&, json::Writer&);
// item_ops.cc
Status PutItem(OpContext&, const json::Value&, json::Writer&);
Status GetItem(OpContext&, const json::Value&, json::Writer&);
Status DeleteItem(OpContext&, const json::Value&, json::Writer&);
Status UpdateItem(OpContext&, const json::Value&, json::Writer&);
// batch_ops.cc
Status BatchWriteItem(OpContext&, const json::Value&, json::Writer&);
Status BatchGetItem(OpContext&, const json::Value&, json::Writer&);
// query_ops.cc
Status Query(OpContext&, const json::Value&, json::Writer&);
Status Scan(OpContext&, const json::Value&, json::Writer&);

// ttl_ops.cc
Status UpdateTimeToLive(OpContext&, const json::Value&, json::Writer&);
Status DescribeTimeToLive(OpContext&, const json::Value&, json::Writer&);
// resource_ops.cc
Status TagResource(OpContext&, const json::Value&, json::Writer&);
Status UntagResource(OpContext&, const json::Value&, json::Writer&);
Status ListTagsOfResource(OpContext&, const json::Value&, json::Writer&);
Status DescribeLimits(OpContext&, const json::Value&, json::Writer&);
Status DescribeEndpoints(OpContext&, const json::Value&, json::Writer&);
Status DescribeContinuousBackups(OpContext&, const json::Value&, json::Writer&);
// Tags parameter (CreateTable, TagResource) with DynamoDB's rules; ApplyTags merges them into
// a table definition (at most 50).
Status ParseTags(const json::Value& list, std::vector<std::pair<std::string, std::string>>* out);
Status ApplyTags(dynamo::TableInfo& t, const std::vector<std::pair<std::string, std::string>>& tags);
// transact_ops.cc
Status TransactWriteItems(OpContext&, const json::Value&, json::Writer&);
Status TransactGetItems(OpContext&, const json::Value&, json::Writer&);
// stream_ops.cc (DynamoDBStreams_20120810.*)
Status ListStreams(OpContext&, const json::Value&, json::Writer&);
Status DescribeStream(OpContext&, const json::Value&, json::Writer&);
Status GetShardIterator(OpContext&, const json::Value&, json::Writer&);
Status GetRecords(OpContext&, const json::Value&, json::Writer&);

// Shared helpers (item_ops.cc).
// The table for a data-plane operation; ResourceNotFoundException when absent.
Result<std::shared_ptr<dynamo::TableRuntime>> FindTable(OpContext& ctx, const std::string& name);
// The same for control-plane requests whose only parameter is TableName (validated here);
// the message names the table ("Requested resource not found: Table: <name> not found").
Result<std::shared_ptr<dynamo::TableRuntime>> FindRequestTable(OpContext& ctx, const json::Value& request);
// Rejects parameters that need the expression language or later features, so that they are
// never silently ignored.
Status RejectUnsupported(const json::Value& request, std::initializer_list<const char*> names);
// ReturnItemCollectionMetrics=SIZE on a table with local indexes: whether to report, and one
// ItemCollectionMetrics object for the item collection of key.
bool WantsItemCollectionMetrics(const json::Value& request, const dynamo::TableInfo& info);
Status WriteItemCollectionMetrics(OpContext& ctx, const dynamo::TableRuntime& table, const dynamo::Item& key,
                                  json::Writer& out);
// The same for the items of a BatchWriteItem or TransactWriteItems (an ItemCollectionMetrics
// member keyed by table; nothing when no table qualifies).
Status WriteBatchItemCollectionMetrics(OpContext& ctx, const json::Value& request,
                                       const std::vector<dynamo::BatchWrite>& writes, json::Writer& out);
// ReturnConsumedCapacity / ReturnItemCollectionMetrics enum checks.
void ValidateCommonEnums(const json::Value& request, class Validator& v);

}  // namespace floe::api
