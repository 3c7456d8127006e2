// PutItem, GetItem, UpdateItem, DeleteItem, and helpers shared by the data-plane operations.
#include "api/capacity.h"
#include "api/expressions.h"
#include "api/ops.h"
#include "api/params.h"
#include "dynamo/attribute_json.h"
#include "dynamo/catalog.h"
#include "dynamo/indexes.h"
#include "dynamo/items.h"

namespace floe::api {

using dynamo::Item;
namespace ex = dynamo::expr;

Result<std::shared_ptr<dynamo::TableRuntime>> FindTable(OpContext& ctx, const std::string& name) {
  auto rt = ctx.services.catalog->Find(name);
  if (!rt.ok()) return Status::NotFound("Requested resource not found");
  return rt;
}

Result<std::shared_ptr<dynamo::TableRuntime>> FindRequestTable(OpContext& ctx, const json::Value& req) {
  std::optional<std::string> name;
  RETURN_IF_ERROR(OptString(req, "TableName", &name));
  Validator v;
  v.TableName(name, "tableName");
  RETURN_IF_ERROR(v.Done());
  auto rt = ctx.services.catalog->Find(*name);
  if (!rt.ok()) return Status::NotFound("Requested resource not found: Table: " + *name + " not found");
  return rt;
}

Status RejectUnsupported(const json::Value& request, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    const json::Value* v = request.Find(n);
    if (v && !v->is_null()) {
      return Status::InvalidArgument(std::string("floe does not support the parameter ") + n +
                                     " yet; see docs/compatibility.md");
    }
  }
  return Status::Ok();
}

void ValidateCommonEnums(const json::Value& request, Validator& v) {
  std::optional<std::string> rcc, ricm;
  if (OptString(request, "ReturnConsumedCapacity", &rcc).ok()) {
    v.Enum(rcc, "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"});
  }
  if (OptString(request, "ReturnItemCollectionMetrics", &ricm).ok()) {
    v.Enum(ricm, "returnItemCollectionMetrics", {"SIZE", "NONE"});
  }
}

Status WriteItemCollectionMetrics(OpContext& ctx, const dynamo::TableRuntime& table, const Item& key,
                                  json::Writer& out) {
  auto info = table.info();
  const dynamo::AttributeValue& pk = key.at(info->hash_key.name);
  ASSIGN_OR_RETURN(size_t bytes, ctx.services.items->ItemCollectionSize(table, pk));
  const double lower = static_cast<double>(bytes >> 30);
  out.StartObject();
  out.Key("ItemCollectionKey");
  out.StartObject();
  out.Key(info->hash_key.name);
  dynamo::WriteAttributeValue(out, pk);
  out.EndObject();
  out.Key("SizeEstimateRangeGB");
  out.StartArray();
  out.Double(lower);
  out.Double(lower + 1);
  out.EndArray();
  out.EndObject();
  return Status::Ok();
}

bool WantsItemCollectionMetrics(const json::Value& req, const dynamo::TableInfo& info) {
  const json::Value* v = req.Find("ReturnItemCollectionMetrics");
  if (!v || !v->is_string() || v->str() != "SIZE") return false;
  for (const auto& i : info.indexes) {
    if (!i.global) return true;
  }
  return false;
}

namespace {

Status WriteItemCollectionMetricsMember(OpContext& ctx, const json::Value& req, const dynamo::TableRuntime& table,
                                        const Item& key, json::Writer& out) {
  if (!WantsItemCollectionMetrics(req, *table.info())) return Status::Ok();
  out.Key("ItemCollectionMetrics");
  return WriteItemCollectionMetrics(ctx, table, key, out);
}

// The parameters every single-item write shares.
struct WriteRequest {
  std::string table_name;
  std::string return_values = "NONE";
  std::string on_condition_failure = "NONE";
  const json::Value* key_or_item = nullptr;
};

Status ParseWriteRequest(const json::Value& req, const char* key_param, WriteRequest* out) {
  std::optional<std::string> name, rv, on_fail;
  RETURN_IF_ERROR(OptString(req, "TableName", &name));
  RETURN_IF_ERROR(OptObject(req, key_param, &out->key_or_item));
  RETURN_IF_ERROR(OptString(req, "ReturnValues", &rv));
  RETURN_IF_ERROR(OptString(req, "ReturnValuesOnConditionCheckFailure", &on_fail));
  Validator v;
  v.NotNull(out->key_or_item != nullptr,
            std::string(1, static_cast<char>(std::tolower(key_param[0]))) + (key_param + 1));
  v.TableName(name, "tableName");
  v.Enum(rv, "returnValues", {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"});
  v.Enum(on_fail, "returnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"});
  ValidateCommonEnums(req, v);
  RETURN_IF_ERROR(v.Done());
  out->table_name = *name;
  out->return_values = rv.value_or("NONE");
  out->on_condition_failure = on_fail.value_or("NONE");
  return Status::Ok();
}

Status RequireNoneOrAllOld(const std::string& rv) {
  if (rv != "NONE" && rv != "ALL_OLD") return Status::InvalidArgument("Return values set to invalid value");
  return Status::Ok();
}

// Evaluates a write's condition against the current item (absent: an empty item).
Status CheckCondition(OpContext& ctx, const std::optional<ex::Node>& cond, const Item* current,
                      const std::string& on_fail) {
  if (!cond) return Status::Ok();
  static const Item kNoItem;
  ASSIGN_OR_RETURN(bool ok, ex::EvaluateCondition(*cond, current ? *current : kNoItem));
  if (ok) return Status::Ok();
  if (on_fail == "ALL_OLD" && current) ctx.condition_failed_item = *current;
  return Status::ConditionFailed("The conditional request failed");
}

// The members of a single-item write's response: Attributes, ConsumedCapacity and
// ItemCollectionMetrics.
Status WriteWriteResponse(OpContext& ctx, const json::Value& req, const dynamo::TableRuntime& table, const Item& key,
                          const dynamo::WriteResult& result, const std::optional<Item>& attrs, json::Writer& out) {
  out.StartObject();
  if (attrs && !attrs->empty()) {
    out.Key("Attributes");
    dynamo::WriteAttributeMap(out, *attrs);
  }
  auto info = table.info();
  WriteCapacityMember(out, CapacityModeOf(req), info->name, result.capacity);
  RETURN_IF_ERROR(WriteItemCollectionMetricsMember(ctx, req, table, key, out));
  out.EndObject();
  return Status::Ok();
}

// PutItem (next: the item) and DeleteItem (next: nullopt): one item replaced or removed
// under the request's ConditionExpression / Expected; ReturnValues NONE or ALL_OLD.
Status ReplaceItem(OpContext& ctx, const json::Value& req, const char* key_param, bool put, json::Writer& out) {
  WriteRequest w;
  RETURN_IF_ERROR(ParseWriteRequest(req, key_param, &w));
  ExpressionSpec spec;
  spec.condition = true;
  ASSIGN_OR_RETURN(RequestExpressions exprs, ParseRequestExpressions(req, spec, nullptr));
  RETURN_IF_ERROR(RequireNoneOrAllOld(w.return_values));
  ASSIGN_OR_RETURN(Item given, dynamo::AttributeMapFromJson(*w.key_or_item));
  ASSIGN_OR_RETURN(auto table, FindTable(ctx, w.table_name));
  Item key;
  std::optional<Item> next_state;
  if (put) {
    ASSIGN_OR_RETURN(key, dynamo::KeyOfItem(*table->info(), given));
    next_state = std::move(given);
  } else {
    RETURN_IF_ERROR(dynamo::ValidateKey(*table->info(), given));
    key = std::move(given);
  }
  ASSIGN_OR_RETURN(dynamo::WriteResult result,
                   ctx.services.items->Mutate(table, key, [&](const Item* current, std::optional<Item>* next) {
                     RETURN_IF_ERROR(CheckCondition(ctx, exprs.condition, current, w.on_condition_failure));
                     *next = next_state;
                     return Status::Ok();
                   }));
  ctx.durable_token = result.durable_token;
  return WriteWriteResponse(ctx, req, *table, key, result,
                            w.return_values == "ALL_OLD" ? result.old_item : std::nullopt, out);
}

}  // namespace

Status PutItem(OpContext& ctx, const json::Value& req, json::Writer& out) {
  return ReplaceItem(ctx, req, "Item", /*put=*/true, out);
}

Status DeleteItem(OpContext& ctx, const json::Value& req, json::Writer& out) {
  return ReplaceItem(ctx, req, "Key", /*put=*/false, out);
}

Status UpdateItem(OpContext& ctx, const json::Value& req, json::Writer& out) {
  WriteRequest w;
  RETURN_IF_ERROR(ParseWriteRequest(req, "Key", &w));
  ExpressionSpec spec;
  spec.condition = true;
  spec.update = true;
  ASSIGN_OR_RETURN(RequestExpressions exprs, ParseRequestExpressions(req, spec, nullptr));
  ASSIGN_OR_RETURN(Item key, dynamo::AttributeMapFromJson(*w.key_or_item));
  ASSIGN_OR_RETURN(auto table, FindTable(ctx, w.table_name));
  auto info = table->info();
  RETURN_IF_ERROR(dynamo::ValidateKey(*info, key));
  if (exprs.update) RETURN_IF_ERROR(CheckUpdateKeepsKey(*exprs.update, *info));
  ASSIGN_OR_RETURN(dynamo::WriteResult result,
                   ctx.services.items->Mutate(table, key, [&](const Item* current, std::optional<Item>* next) {
                     RETURN_IF_ERROR(CheckCondition(ctx, exprs.condition, current, w.on_condition_failure));
                     Item updated = current ? *current : key;  // an update creates the item when absent
                     if (exprs.update) RETURN_IF_ERROR(ex::ApplyUpdate(*exprs.update, &updated));
                     *next = std::move(updated);
                     return Status::Ok();
                   }));
  ctx.durable_token = result.durable_token;
  std::optional<Item> attrs;
  const std::string& rv = w.return_values;
  if (rv == "ALL_OLD") {
    attrs = result.old_item;
  } else if (rv == "ALL_NEW") {
    attrs = result.new_item;
  } else if (rv == "UPDATED_OLD" || rv == "UPDATED_NEW") {
    const std::optional<Item>& source = rv == "UPDATED_OLD" ? result.old_item : result.new_item;
    if (source && exprs.update) attrs = ex::ProjectPaths(*source, UpdatedPaths(*exprs.update));
  }
  return WriteWriteResponse(ctx, req, *table, key, result, attrs, out);
}

Status GetItem(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> name;
  std::optional<bool> consistent;
  const json::Value* key_json = nullptr;
  RETURN_IF_ERROR(OptString(req, "TableName", &name));
  RETURN_IF_ERROR(OptObject(req, "Key", &key_json));
  RETURN_IF_ERROR(OptBool(req, "ConsistentRead", &consistent));
  Validator v;
  v.NotNull(key_json != nullptr, "key");
  v.TableName(name, "tableName");
  ValidateCommonEnums(req, v);
  RETURN_IF_ERROR(v.Done());
  ExpressionSpec spec;
  spec.projection = true;
  ASSIGN_OR_RETURN(RequestExpressions exprs, ParseRequestExpressions(req, spec, nullptr));
  ASSIGN_OR_RETURN(Item key, dynamo::AttributeMapFromJson(*key_json));
  ASSIGN_OR_RETURN(auto table, FindTable(ctx, *name));
  RETURN_IF_ERROR(dynamo::ValidateKey(*table->info(), key));
  // Reads on one node are always strongly consistent; ConsistentRead only changes the
  // capacity DynamoDB would charge.
  ASSIGN_OR_RETURN(std::optional<Item> item, ctx.services.items->Get(*table, key));
  out.StartObject();
  if (item) {
    out.Key("Item");
    dynamo::WriteAttributeMap(out, exprs.projection ? ex::ProjectPaths(*item, *exprs.projection) : *item);
  }
  if (const CapacityMode mode = CapacityModeOf(req); mode != CapacityMode::kNone) {
    dynamo::Capacity capacity;
    capacity.table = dynamo::ReadUnits(item ? dynamo::ItemSize(*item) : 0, consistent.value_or(false));
    WriteCapacityMember(out, mode, *name, capacity);
  }
  out.EndObject();
  return Status::Ok();
}

}  // namespace floe::api
