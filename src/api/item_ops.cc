// PutItem, GetItem, DeleteItem, and helpers shared by the data-plane operations.
#include <set>

#include "api/ops.h"
#include "api/params.h"
#include "dynamo/attribute_json.h"
#include "dynamo/catalog.h"
#include "dynamo/items.h"

namespace floe::api {

using dynamo::Item;

Result<std::shared_ptr<dynamo::TableRuntime>> FindTable(OpContext& ctx, const std::string& name) {
  auto rt = ctx.services.catalog->Find(name);
  if (!rt.ok()) return Status::NotFound("Requested resource not found");
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

Status ParseAttributesToGet(const json::Value& request, std::optional<std::vector<std::string>>* out) {
  RETURN_IF_ERROR(OptStringList(request, "AttributesToGet", out));
  if (!*out) return Status::Ok();
  Validator v;
  v.LengthMin((*out)->size(), "attributesToGet", 1, "[]");
  RETURN_IF_ERROR(v.Done());
  std::set<std::string> seen;
  for (const auto& n : **out) {
    if (!seen.insert(n).second) {
      return Status::InvalidArgument("One or more parameter values were invalid: Duplicate value in attribute name: " + n);
    }
  }
  return Status::Ok();
}

Item Project(const Item& item, const std::vector<std::string>& names) {
  Item out;
  for (const auto& n : names) {
    auto it = item.find(n);
    if (it != item.end()) out.emplace(n, it->second);
  }
  return out;
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

namespace {

constexpr std::initializer_list<const char*> kConditionParams = {
    "ConditionExpression", "Expected", "ConditionalOperator", "ExpressionAttributeNames", "ExpressionAttributeValues"};

Status ParseReturnValues(const json::Value& req, Validator& v, std::optional<std::string>* rv) {
  RETURN_IF_ERROR(OptString(req, "ReturnValues", rv));
  v.Enum(*rv, "returnValues", {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"});
  std::optional<std::string> on_fail;
  RETURN_IF_ERROR(OptString(req, "ReturnValuesOnConditionCheckFailure", &on_fail));
  v.Enum(on_fail, "returnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"});
  return Status::Ok();
}

Status RequireNoneOrAllOld(const std::optional<std::string>& rv) {
  if (rv && *rv != "NONE" && *rv != "ALL_OLD") return Status::InvalidArgument("Return values set to invalid value");
  return Status::Ok();
}

}  // namespace

Status PutItem(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> name, rv;
  const json::Value* item_json = nullptr;
  RETURN_IF_ERROR(OptString(req, "TableName", &name));
  RETURN_IF_ERROR(OptObject(req, "Item", &item_json));
  Validator v;
  v.NotNull(item_json != nullptr, "item");
  v.TableName(name, "tableName");
  RETURN_IF_ERROR(ParseReturnValues(req, v, &rv));
  ValidateCommonEnums(req, v);
  RETURN_IF_ERROR(v.Done());
  RETURN_IF_ERROR(RejectUnsupported(req, kConditionParams));
  RETURN_IF_ERROR(RequireNoneOrAllOld(rv));
  ASSIGN_OR_RETURN(Item item, dynamo::AttributeMapFromJson(*item_json));
  ASSIGN_OR_RETURN(auto table, FindTable(ctx, *name));
  ASSIGN_OR_RETURN(Item key, dynamo::KeyOfItem(*table->info(), item));
  ASSIGN_OR_RETURN(dynamo::WriteResult result,
                   ctx.services.items->Mutate(table, key, [&](const Item*, std::optional<Item>* next) {
                     *next = item;
                     return Status::Ok();
                   }));
  ctx.durable_token = result.durable_token;
  out.StartObject();
  if (rv && *rv == "ALL_OLD" && result.old_item) {
    out.Key("Attributes");
    dynamo::WriteAttributeMap(out, *result.old_item);
  }
  out.EndObject();
  return Status::Ok();
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
  RETURN_IF_ERROR(RejectUnsupported(req, {"ProjectionExpression", "ExpressionAttributeNames"}));
  std::optional<std::vector<std::string>> attrs;
  RETURN_IF_ERROR(ParseAttributesToGet(req, &attrs));
  ASSIGN_OR_RETURN(Item key, dynamo::AttributeMapFromJson(*key_json));
  ASSIGN_OR_RETURN(auto table, FindTable(ctx, *name));
  RETURN_IF_ERROR(dynamo::ValidateKey(*table->info(), key));
  // Reads on one node are always strongly consistent; ConsistentRead changes nothing.
  ASSIGN_OR_RETURN(std::optional<Item> item, ctx.services.items->Get(*table, key));
  out.StartObject();
  if (item) {
    out.Key("Item");
    dynamo::WriteAttributeMap(out, attrs ? Project(*item, *attrs) : *item);
  }
  out.EndObject();
  return Status::Ok();
}

Status DeleteItem(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> name, rv;
  const json::Value* key_json = nullptr;
  RETURN_IF_ERROR(OptString(req, "TableName", &name));
  RETURN_IF_ERROR(OptObject(req, "Key", &key_json));
  Validator v;
  v.NotNull(key_json != nullptr, "key");
  v.TableName(name, "tableName");
  RETURN_IF_ERROR(ParseReturnValues(req, v, &rv));
  ValidateCommonEnums(req, v);
  RETURN_IF_ERROR(v.Done());
  RETURN_IF_ERROR(RejectUnsupported(req, kConditionParams));
  RETURN_IF_ERROR(RequireNoneOrAllOld(rv));
  ASSIGN_OR_RETURN(Item key, dynamo::AttributeMapFromJson(*key_json));
  ASSIGN_OR_RETURN(auto table, FindTable(ctx, *name));
  RETURN_IF_ERROR(dynamo::ValidateKey(*table->info(), key));
  ASSIGN_OR_RETURN(dynamo::WriteResult result,
                   ctx.services.items->Mutate(table, key, [&](const Item*, std::optional<Item>* next) {
                     next->reset();
                     return Status::Ok();
                   }));
  ctx.durable_token = result.durable_token;
  out.StartObject();
  if (rv && *rv == "ALL_OLD" && result.old_item) {
    out.Key("Attributes");
    dynamo::WriteAttributeMap(out, *result.old_item);
  }
  out.EndObject();
  return Status::Ok();
}

}  // namespace floe::api
