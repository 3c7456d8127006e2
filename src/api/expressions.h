#pragma once
// The expression parameters of one request, parsed, resolved and validated together, with
// their legacy counterparts (Expected, AttributeUpdates, AttributesToGet, QueryFilter,
// ScanFilter) translated into the same AST. Internal to the api module.
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "dynamo/expression.h"
#include "dynamo/table_schema.h"
#include "json/json.h"

namespace floe::api {

// Which parameters an operation takes.
struct ExpressionSpec {
  bool condition = false;      // ConditionExpression | Expected (+ ConditionalOperator)
  bool update = false;         // UpdateExpression | AttributeUpdates
  bool projection = false;     // ProjectionExpression | AttributesToGet
  bool filter = false;         // FilterExpression | QueryFilter/ScanFilter (+ ConditionalOperator)
  bool key_condition = false;  // KeyConditionExpression | KeyConditions
  const char* legacy_filter = "QueryFilter";
};

struct RequestExpressions {
  std::optional<dynamo::expr::Node> condition;
  std::optional<dynamo::expr::ParsedUpdate> update;
  std::optional<std::vector<dynamo::expr::Path>> projection;
  std::optional<dynamo::expr::Node> filter;
  std::optional<dynamo::expr::Node> key_condition;  // KeyConditionExpression only
};

// Parses everything spec names from the request (or from a BatchGetItem table entry), with
// DynamoDB's validation order and messages. table is used for key-attribute rules (may be
// null when the table is not known yet).
Result<RequestExpressions> ParseRequestExpressions(const json::Value& request, const ExpressionSpec& spec,
                                                   const dynamo::TableInfo* table);

// Rejects updates of key attributes.
Status CheckUpdateKeepsKey(const dynamo::expr::ParsedUpdate& update, const dynamo::TableInfo& table);

// The attributes an update touches at the top level, in clause order (UPDATED_OLD/NEW).
std::vector<dynamo::expr::Path> UpdatedPaths(const dynamo::expr::ParsedUpdate& update);

}  // namespace floe::api
