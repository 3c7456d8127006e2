#pragma once
// Key schemas and secondary index definitions in the control plane: CreateTable's LocalSecondaryIndexes and
// GlobalSecondaryIndexes, UpdateTable's GlobalSecondaryIndexUpdates, and the index part of a
// TableDescription, with DynamoDB's validation messages. Internal to the api module.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "dynamo/change_log.h"
#include "dynamo/table_schema.h"
#include "json/json.h"

namespace floe::api {

class Validator;

struct IndexKeyDef {
  std::string name;
  std::string key_type;  // HASH or RANGE
};

// A ProvisionedThroughput member as given.
struct Throughput {
  bool present = false;
  std::optional<int64_t> read, write;
};
// Parses o's ProvisionedThroughput; path: the member's path prefix ("" for the request, or an
// index's "...member."); constraint violations go to v.
Status ParseThroughput(const json::Value& o, const std::string& path, Validator& v, Throughput* out);

// One index as a request states it, before semantic checks.
struct IndexDef {
  std::string name;
  bool global = true;
  std::vector<IndexKeyDef> keys;
  std::optional<std::string> projection_type;
  std::optional<std::vector<std::string>> non_key_attributes;
  Throughput throughput;
};

// A KeySchema list (path: "keySchema", or an index's); constraint violations go to v.
Status ParseKeySchema(const json::Value* schema, const std::string& path, Validator& v, std::vector<IndexKeyDef>* out);
// A KeySchema list: [{"AttributeName": ..., "KeyType": "HASH"}, ...].
void WriteKeySchema(json::Writer& w, const dynamo::KeyElement& hash, const std::optional<dynamo::KeyElement>& range);

// Parses a LocalSecondaryIndexes / GlobalSecondaryIndexes list (path: "localSecondaryIndexes"
// or "globalSecondaryIndexes"); constraint violations go to v.
Status ParseIndexList(const json::Value& list, const std::string& path, bool global, Validator& v,
                      std::vector<IndexDef>* out);

// Checks CreateTable's indexes against the table (its keys, attribute definitions and billing
// mode) and returns their definitions. lsi_present / gsi_present: the lists were given (an
// empty list is an error).
Result<std::vector<dynamo::IndexInfo>> BuildCreateIndexes(const dynamo::TableInfo& table, bool lsi_present,
                                                          const std::vector<IndexDef>& lsis, bool gsi_present,
                                                          const std::vector<IndexDef>& gsis);

// UpdateTable's GlobalSecondaryIndexUpdates.
struct IndexUpdates {
  std::vector<IndexDef> creates;
  std::vector<IndexDef> updates;  // name and throughput
  std::vector<std::string> deletes;
};
Status ParseIndexUpdates(const json::Value& list, Validator& v, IndexUpdates* out);

// Applies them to table (new attribute definitions from the request merged in). Deleted
// indexes are moved to *deleted, for the response. Errors as DynamoDB reports them.
Status ApplyIndexUpdates(const IndexUpdates& updates, const std::vector<dynamo::KeyElement>& new_defs,
                         dynamo::TableInfo& table, std::vector<dynamo::IndexInfo>* deleted);

// The LocalSecondaryIndexes and GlobalSecondaryIndexes members of a TableDescription.
// deleting: indexes to show as DELETING; table_creating: the CreateTable response, where
// global indexes are CREATING with their table.
void WriteIndexDescriptions(json::Writer& w, const dynamo::TableInfo& t,
                            const std::map<uint32_t, dynamo::TableStats>& stats,
                            const std::vector<dynamo::IndexInfo>& deleting, bool table_creating);

}  // namespace floe::api
