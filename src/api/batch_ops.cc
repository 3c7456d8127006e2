// BatchWriteItem, BatchGetItem.
#include <algorithm>
#include <set>

#include "api/capacity.h"
#include "api/expressions.h"
#include "api/ops.h"
#include "api/params.h"
#include "dynamo/attribute_json.h"
#include "dynamo/catalog.h"
#include "dynamo/indexes.h"
#include "dynamo/items.h"
#include "dynamo/key_codec.h"

namespace floe::api {

using dynamo::Item;

namespace {

constexpr size_t kMaxBatchWrite = 25;
constexpr size_t kMaxBatchGet = 100;
constexpr size_t kMaxBatchGetBytes = 16 * 1024 * 1024;

std::string KeyIdentity(const dynamo::TableRuntime& t, const Item& key) {
  auto info = t.info();
  const auto* sk = info->range_key ? &key.at(info->range_key->name) : nullptr;
  return dynamo::EncodeItemKey(t.id, key.at(info->hash_key.name), sk).bytes;
}

// RequestItems: present, non-empty, valid table names. Further constraints go into v.
Status ParseRequestItems(const json::Value& req, Validator& v, const json::Value** items) {
  RETURN_IF_ERROR(OptObject(req, "RequestItems", items));
  v.NotNull(*items != nullptr, "requestItems");
  ValidateCommonEnums(req, v);
  if (*items) {
    for (const auto& [name, value] : (*items)->members()) {
      v.TableName(name, "requestItems.key");  // DynamoDB reports map keys this way
    }
    v.LengthMin((*items)->members().size(), "requestItems", 1, "{}");
  }
  return Status::Ok();
}

}  // namespace

// The ItemCollectionMetrics member of BatchWriteItem and TransactWriteItems: for each table
// with local indexes, one entry per item collection written.
Status WriteBatchItemCollectionMetrics(OpContext& ctx, const json::Value& req,
                                       const std::vector<dynamo::BatchWrite>& writes, json::Writer& out) {
  std::vector<std::pair<std::shared_ptr<dynamo::TableRuntime>, std::vector<const Item*>>> tables;
  for (const auto& w : writes) {
    auto info = w.table->info();
    if (!WantsItemCollectionMetrics(req, *info)) continue;
    auto it = std::find_if(tables.begin(), tables.end(), [&](const auto& t) { return t.first == w.table; });
    if (it == tables.end()) it = tables.insert(tables.end(), {w.table, {}});
    const auto& pk = w.key.at(info->hash_key.name);
    bool seen = false;
    for (const Item* k : it->second) seen = seen || k->at(info->hash_key.name) == pk;
    if (!seen) it->second.push_back(&w.key);
  }
  if (tables.empty()) return Status::Ok();
  out.Key("ItemCollectionMetrics");
  out.StartObject();
  for (const auto& [table, keys] : tables) {
    out.Key(table->info()->name);
    out.StartArray();
    for (const Item* k : keys) RETURN_IF_ERROR(WriteItemCollectionMetrics(ctx, *table, *k, out));
    out.EndArray();
  }
  out.EndObject();
  return Status::Ok();
}

Status BatchWriteItem(OpContext& ctx, const json::Value& req, json::Writer& out) {
  const json::Value* items = nullptr;
  Validator v;
  RETURN_IF_ERROR(ParseRequestItems(req, v, &items));
  if (items) {
    for (const auto& [name, list] : items->members()) {
      if (!list.is_array())
        return Status::Serialization("Unexpected value type for RequestItems entry: expected a list");
      v.LengthMin(list.items().size(), "requestItems." + name + ".member", 1, "[]");
      v.LengthMax(list.items().size(), "requestItems." + name + ".member", kMaxBatchWrite, "[...]");
    }
  }
  RETURN_IF_ERROR(v.Done());
  size_t total = 0;
  for (const auto& [name, list] : items->members()) total += list.items().size();
  if (total > kMaxBatchWrite) {
    return Status::InvalidArgument(
        "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy "
        "constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal "
        "to 1]");
  }

  std::vector<dynamo::BatchWrite> writes;
  writes.reserve(total);
  std::set<std::string> seen;
  for (const auto& [name, list] : items->members()) {
    ASSIGN_OR_RETURN(auto table, FindTable(ctx, name));
    auto info = table->info();
    for (const auto& request : list.items()) {
      if (!request.is_object()) return Status::Serialization("Unexpected value type for WriteRequest");
      const json::Value *put = nullptr, *del = nullptr;
      RETURN_IF_ERROR(OptObject(request, "PutRequest", &put));
      RETURN_IF_ERROR(OptObject(request, "DeleteRequest", &del));
      if ((put != nullptr) == (del != nullptr)) {
        return Status::InvalidArgument(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported "
            "datatypes");
      }
      dynamo::BatchWrite w;
      w.table = table;
      if (put) {
        const json::Value* item_json = nullptr;
        RETURN_IF_ERROR(OptObject(*put, "Item", &item_json));
        if (!item_json) {
          return Status::InvalidArgument(
              "1 validation error detected: Value null at 'requestItems." + name +
              ".member.putRequest.item' failed to satisfy constraint: Member must not be null");
        }
        ASSIGN_OR_RETURN(Item item, dynamo::AttributeMapFromJson(*item_json));
        ASSIGN_OR_RETURN(w.key, dynamo::KeyOfItem(*info, item));
        RETURN_IF_ERROR(dynamo::ValidateItemForWrite(*info, item));
        w.new_item = std::move(item);
      } else {
        const json::Value* key_json = nullptr;
        RETURN_IF_ERROR(OptObject(*del, "Key", &key_json));
        if (!key_json) {
          return Status::InvalidArgument(
              "1 validation error detected: Value null at 'requestItems." + name +
              ".member.deleteRequest.key' failed to satisfy constraint: Member must not be null");
        }
        ASSIGN_OR_RETURN(w.key, dynamo::AttributeMapFromJson(*key_json));
        RETURN_IF_ERROR(dynamo::ValidateKey(*info, w.key));
      }
      if (!seen.insert(KeyIdentity(*table, w.key)).second) {
        return Status::InvalidArgument("Provided list of item keys contains duplicates");
      }
      writes.push_back(std::move(w));
    }
  }
  std::vector<dynamo::Capacity> capacity;
  ASSIGN_OR_RETURN(ctx.durable_token, ctx.services.items->WriteBatchItems(writes, &capacity));
  out.StartObject();
  out.Key("UnprocessedItems");
  out.StartObject();
  out.EndObject();
  CapacityByTable by_table;
  for (size_t i = 0; i < writes.size(); ++i) by_table.Add(writes[i].table->info()->name, capacity[i]);
  by_table.WriteMember(out, CapacityModeOf(req));
  RETURN_IF_ERROR(WriteBatchItemCollectionMetrics(ctx, req, writes, out));
  out.EndObject();
  return Status::Ok();
}

Status BatchGetItem(OpContext& ctx, const json::Value& req, json::Writer& out) {
  const json::Value* items = nullptr;
  Validator v;
  RETURN_IF_ERROR(ParseRequestItems(req, v, &items));
  RETURN_IF_ERROR(v.Done());

  struct TableRequest {
    std::string name;
    std::shared_ptr<dynamo::TableRuntime> table;
    std::vector<Item> keys;
    std::optional<std::vector<dynamo::expr::Path>> projection;
    const json::Value* raw = nullptr;
    bool consistent = false;
  };
  std::vector<TableRequest> requests;
  size_t total = 0;
  for (const auto& [name, spec] : items->members()) {
    if (!spec.is_object()) return Status::Serialization("Unexpected value type for KeysAndAttributes");
    const json::Value* keys = nullptr;
    RETURN_IF_ERROR(OptArray(spec, "Keys", &keys));
    Validator kv;
    kv.NotNull(keys != nullptr, "requestItems." + name + ".member.keys");
    if (keys) kv.LengthMin(keys->items().size(), "requestItems." + name + ".member.keys", 1, "[]");
    RETURN_IF_ERROR(kv.Done());
    std::optional<bool> consistent;
    RETURN_IF_ERROR(OptBool(spec, "ConsistentRead", &consistent));
    TableRequest tr;
    tr.name = name;
    tr.raw = &spec;
    tr.consistent = consistent.value_or(false);
    ExpressionSpec es;
    es.projection = true;
    ASSIGN_OR_RETURN(RequestExpressions exprs, ParseRequestExpressions(spec, es, nullptr));
    tr.projection = std::move(exprs.projection);
    total += keys->items().size();
    if (total > kMaxBatchGet) return Status::InvalidArgument("Too many items requested for the BatchGetItem call");
    for (const auto& k : keys->items()) {
      ASSIGN_OR_RETURN(Item key, dynamo::AttributeMapFromJson(k));
      tr.keys.push_back(std::move(key));
    }
    requests.push_back(std::move(tr));
  }
  for (auto& tr : requests) {
    ASSIGN_OR_RETURN(tr.table, FindTable(ctx, tr.name));
    std::set<std::string> seen;
    for (const auto& key : tr.keys) {
      RETURN_IF_ERROR(dynamo::ValidateKey(*tr.table->info(), key));
      if (!seen.insert(KeyIdentity(*tr.table, key)).second) {
        return Status::InvalidArgument("Provided list of item keys contains duplicates");
      }
    }
  }

  // Read until the response reaches 16 MB; the remaining keys are returned unprocessed.
  size_t bytes = 0;
  std::vector<std::vector<Item>> found(requests.size());
  std::vector<std::vector<const Item*>> unprocessed(requests.size());
  CapacityByTable capacity;
  for (size_t i = 0; i < requests.size(); ++i) {
    for (const auto& key : requests[i].keys) {
      if (bytes >= kMaxBatchGetBytes) {
        unprocessed[i].push_back(&key);
        continue;
      }
      ASSIGN_OR_RETURN(std::optional<Item> item, ctx.services.items->Get(*requests[i].table, key));
      dynamo::Capacity c;
      c.table = dynamo::ReadUnits(item ? dynamo::ItemSize(*item) : 0, requests[i].consistent);
      capacity.Add(requests[i].name, c);
      if (!item) continue;
      bytes += dynamo::ItemSize(*item);
      found[i].push_back(requests[i].projection ? dynamo::expr::ProjectPaths(*item, *requests[i].projection)
                                                : std::move(*item));
    }
  }
  out.StartObject();
  out.Key("Responses");
  out.StartObject();
  for (size_t i = 0; i < requests.size(); ++i) {
    out.Key(requests[i].name);
    out.StartArray();
    for (const auto& item : found[i]) dynamo::WriteAttributeMap(out, item);
    out.EndArray();
  }
  out.EndObject();
  out.Key("UnprocessedKeys");
  out.StartObject();
  for (size_t i = 0; i < requests.size(); ++i) {
    if (unprocessed[i].empty()) continue;
    out.Key(requests[i].name);
    out.StartObject();
    out.Key("Keys");
    out.StartArray();
    for (const Item* k : unprocessed[i]) dynamo::WriteAttributeMap(out, *k);
    out.EndArray();
    // Echo the table's read parameters so that the keys can be sent again as they are.
    for (const char* param :
         {"AttributesToGet", "ConsistentRead", "ProjectionExpression", "ExpressionAttributeNames"}) {
      if (const json::Value* p = requests[i].raw->Find(param); p && !p->is_null()) {
        out.Key(param);
        out.Write(*p);
      }
    }
    out.EndObject();
  }
  out.EndObject();
  capacity.WriteMember(out, CapacityModeOf(req));
  out.EndObject();
  return Status::Ok();
}

}  // namespace floe::api
