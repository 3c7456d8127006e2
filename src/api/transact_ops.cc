// TransactWriteItems and TransactGetItems.
#include <chrono>
#include <map>
#include <mutex>
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
namespace ex = dynamo::expr;

namespace {

constexpr size_t kMaxActions = 100;
constexpr size_t kMaxTransactionBytes = 4 * 1024 * 1024;
constexpr int64_t kTokenLifetimeMs = 10 * 60 * 1000;

// ClientRequestToken idempotency: a successful TransactWriteItems is remembered for 10
// minutes; the same token with the same request succeeds again without writing, with a
// different request it is IdempotentParameterMismatchException. Per process.
class TokenCache {
 public:
  // True if token was used by an identical request within its lifetime; kIdempotentMismatch
  // if by a different one.
  Result<bool> Seen(const std::string& token, const std::string& request, int64_t now) {
    std::lock_guard<std::mutex> l(mu_);
    Expire(now);
    auto it = entries_.find(token);
    if (it == entries_.end()) return false;
    if (it->second.request != request) {
      return Status::IdempotentMismatch(
          "The request uses the same client token as a previous, but non-identical request.");
    }
    return true;
  }
  void Remember(const std::string& token, const std::string& request, int64_t now) {
    std::lock_guard<std::mutex> l(mu_);
    entries_[token] = {request, now + kTokenLifetimeMs};
  }

 private:
  void Expire(int64_t now) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      it = it->second.expires_ms <= now ? entries_.erase(it) : std::next(it);
    }
  }
  struct Entry {
    std::string request;
    int64_t expires_ms;
  };
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

TokenCache& Tokens() {
  static TokenCache cache;
  return cache;
}

enum class Kind { kConditionCheck, kPut, kDelete, kUpdate };

struct Action {
  Kind kind;
  std::shared_ptr<dynamo::TableRuntime> table;
  Item key;
  std::optional<Item> item;  // Put
  RequestExpressions exprs;
  bool return_old_on_failure = false;
};

const char* CodeName(dynamo::CancellationReason::Code c) {
  switch (c) {
    case dynamo::CancellationReason::Code::kNone: return "None";
    case dynamo::CancellationReason::Code::kConditionalCheckFailed: return "ConditionalCheckFailed";
    case dynamo::CancellationReason::Code::kTransactionConflict: return "TransactionConflict";
    case dynamo::CancellationReason::Code::kValidationError: return "ValidationError";
  }
  return "None";
}

// The list of 1..100 TransactItems, with DynamoDB's constraint messages.
Result<const json::Value*> TransactItems(const json::Value& req, Validator& v) {
  const json::Value* items = nullptr;
  RETURN_IF_ERROR(OptArray(req, "TransactItems", &items));
  v.NotNull(items != nullptr, "transactItems");
  if (items) {
    v.LengthMin(items->items().size(), "transactItems", 1, "[]");
    v.LengthMax(items->items().size(), "transactItems", kMaxActions, "TransactItems");
  }
  return items;
}

// Rejects a second operation on the same item.
Status CheckDistinct(std::set<std::string>& seen, const dynamo::TableRuntime& table, const Item& key) {
  auto info = table.info();
  const dynamo::AttributeValue* sk = info->range_key ? &key.at(info->range_key->name) : nullptr;
  if (!seen.insert(dynamo::EncodeItemKey(table.id, key.at(info->hash_key.name), sk).bytes).second) {
    return Status::InvalidArgument("Transaction request cannot include multiple operations on one item");
  }
  return Status::Ok();
}

Status ParseAction(OpContext& ctx, const json::Value& entry, size_t index, Action* out) {
  if (!entry.is_object()) return Status::Serialization("Unexpected value type in TransactItems");
  static const std::pair<const char*, Kind> kKinds[] = {{"ConditionCheck", Kind::kConditionCheck},
                                                        {"Put", Kind::kPut},
                                                        {"Delete", Kind::kDelete},
                                                        {"Update", Kind::kUpdate}};
  const json::Value* body = nullptr;
  const char* name = nullptr;
  int count = 0;
  for (const auto& [n, k] : kKinds) {
    const json::Value* b = nullptr;
    RETURN_IF_ERROR(OptObject(entry, n, &b));
    if (b) {
      ++count;
      body = b;
      name = n;
      out->kind = k;
    }
  }
  if (count != 1) {
    return Status::InvalidArgument("TransactItems can only contain one of Check, Put, Update or Delete");
  }
  const std::string path = "transactItems." + std::to_string(index + 1) + ".member." +
                           std::string(1, static_cast<char>(std::tolower(name[0]))) + (name + 1) + ".";
  std::optional<std::string> table_name, on_fail, cond, update;
  const json::Value* key_or_item = nullptr;
  const char* key_param = out->kind == Kind::kPut ? "Item" : "Key";
  RETURN_IF_ERROR(OptString(*body, "TableName", &table_name));
  RETURN_IF_ERROR(OptObject(*body, key_param, &key_or_item));
  RETURN_IF_ERROR(OptString(*body, "ReturnValuesOnConditionCheckFailure", &on_fail));
  RETURN_IF_ERROR(OptString(*body, "ConditionExpression", &cond));
  RETURN_IF_ERROR(OptString(*body, "UpdateExpression", &update));
  Validator v;
  v.NotNull(key_or_item != nullptr, path + (out->kind == Kind::kPut ? "item" : "key"));
  v.TableName(table_name, path + "tableName");
  v.Enum(on_fail, path + "returnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"});
  if (out->kind == Kind::kConditionCheck) v.NotNull(cond.has_value(), path + "conditionExpression");
  if (out->kind == Kind::kUpdate) v.NotNull(update.has_value(), path + "updateExpression");
  RETURN_IF_ERROR(v.Done());
  out->return_old_on_failure = on_fail.value_or("NONE") == "ALL_OLD";
  ExpressionSpec spec;
  spec.condition = true;
  spec.update = out->kind == Kind::kUpdate;
  ASSIGN_OR_RETURN(out->exprs, ParseRequestExpressions(*body, spec, nullptr));
  ASSIGN_OR_RETURN(Item given, dynamo::AttributeMapFromJson(*key_or_item));
  ASSIGN_OR_RETURN(out->table, FindTable(ctx, *table_name));
  auto info = out->table->info();
  if (out->kind == Kind::kPut) {
    ASSIGN_OR_RETURN(out->key, dynamo::KeyOfItem(*info, given));
    RETURN_IF_ERROR(dynamo::ValidateItemForWrite(*info, given));
    out->item = std::move(given);
  } else {
    RETURN_IF_ERROR(dynamo::ValidateKey(*info, given));
    out->key = std::move(given);
  }
  if (out->exprs.update) RETURN_IF_ERROR(CheckUpdateKeepsKey(*out->exprs.update, *info));
  return Status::Ok();
}

Status Cancel(OpContext& ctx, const std::vector<dynamo::CancellationReason>& reasons,
              const std::vector<Action>* actions) {
  json::Writer w;
  std::string names;
  w.StartArray();
  for (size_t i = 0; i < reasons.size(); ++i) {
    const auto& r = reasons[i];
    w.StartObject();
    w.Key("Code");
    w.String(CodeName(r.code));
    if (r.code != dynamo::CancellationReason::Code::kNone) {
      w.Key("Message");
      w.String(r.message);
    }
    if (r.item && actions && (*actions)[i].return_old_on_failure) {
      w.Key("Item");
      dynamo::WriteAttributeMap(w, *r.item);
    }
    w.EndObject();
    names += (i ? ", " : "") + std::string(CodeName(r.code));
  }
  w.EndArray();
  ctx.cancellation_reasons_json = w.Take();
  return Status::TransactionCanceled("Transaction cancelled, please refer cancellation reasons for specific reasons [" +
                                     names + "]");
}

}  // namespace

Status TransactWriteItems(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> token;
  RETURN_IF_ERROR(OptString(req, "ClientRequestToken", &token));
  Validator v;
  ASSIGN_OR_RETURN(const json::Value* items, TransactItems(req, v));
  if (token && (token->empty() || token->size() > 36)) {
    v.Fail(token, "clientRequestToken",
           token->empty() ? "Member must have length greater than or equal to 1"
                          : "Member must have length less than or equal to 36");
  }
  ValidateCommonEnums(req, v);
  RETURN_IF_ERROR(v.Done());

  std::vector<Action> actions(items->items().size());
  std::set<std::string> seen;
  size_t bytes = 0;
  for (size_t i = 0; i < actions.size(); ++i) {
    RETURN_IF_ERROR(ParseAction(ctx, items->items()[i], i, &actions[i]));
    RETURN_IF_ERROR(CheckDistinct(seen, *actions[i].table, actions[i].key));
    bytes += dynamo::ItemSize(actions[i].item ? *actions[i].item : actions[i].key);
  }
  if (bytes > kMaxTransactionBytes) {
    return Status::InvalidArgument("Transaction size has exceeded the maximum allowed size of 4 MB");
  }

  std::string canonical;
  const int64_t now = ctx.services.clock->NowMillis();
  if (token) {
    json::Writer w;
    w.Write(req);
    canonical = w.Take();
    ASSIGN_OR_RETURN(bool replay, Tokens().Seen(*token, canonical, now));
    if (replay) {
      out.StartObject();
      out.EndObject();
      return Status::Ok();
    }
  }

  std::vector<dynamo::TransactAction> tx;
  tx.reserve(actions.size());
  for (const Action& a : actions) {
    tx.push_back({a.table, a.key, [&a](const Item* current, std::optional<Item>* next) -> Status {
                    if (a.exprs.condition) {
                      static const Item kNoItem;
                      ASSIGN_OR_RETURN(bool ok,
                                       ex::EvaluateCondition(*a.exprs.condition, current ? *current : kNoItem));
                      if (!ok) return Status::ConditionFailed("The conditional request failed");
                    }
                    switch (a.kind) {
                      case Kind::kConditionCheck: break;
                      case Kind::kPut: *next = a.item; break;
                      case Kind::kDelete: next->reset(); break;
                      case Kind::kUpdate: {
                        Item updated = current ? *current : a.key;
                        RETURN_IF_ERROR(ex::ApplyUpdate(*a.exprs.update, &updated));
                        *next = std::move(updated);
                        break;
                      }
                    }
                    return Status::Ok();
                  }});
  }
  ASSIGN_OR_RETURN(dynamo::TransactResult result, ctx.services.items->Transact(tx, dynamo::LockMode::kFailOnConflict));
  if (!result.committed) return Cancel(ctx, result.reasons, &actions);
  ctx.durable_token = result.durable_token;
  if (token) Tokens().Remember(*token, canonical, now);
  out.StartObject();
  // Transactional writes cost twice the units of plain ones.
  CapacityByTable capacity;
  std::vector<dynamo::BatchWrite> written;
  for (size_t i = 0; i < actions.size(); ++i) {
    capacity.Add(actions[i].table->info()->name, result.capacity[i], 2);
    if (actions[i].kind != Kind::kConditionCheck) written.push_back({actions[i].table, actions[i].key, std::nullopt});
  }
  capacity.WriteMember(out, CapacityModeOf(req), CapacityKind::kWrite);
  RETURN_IF_ERROR(WriteBatchItemCollectionMetrics(ctx, req, written, out));
  out.EndObject();
  return Status::Ok();
}

Status TransactGetItems(OpContext& ctx, const json::Value& req, json::Writer& out) {
  Validator v;
  ASSIGN_OR_RETURN(const json::Value* items, TransactItems(req, v));
  ValidateCommonEnums(req, v);
  RETURN_IF_ERROR(v.Done());
  std::vector<std::pair<std::shared_ptr<dynamo::TableRuntime>, Item>> keys;
  std::vector<std::optional<std::vector<ex::Path>>> projections;
  std::set<std::string> seen;
  for (size_t i = 0; i < items->items().size(); ++i) {
    const json::Value& entry = items->items()[i];
    if (!entry.is_object()) return Status::Serialization("Unexpected value type in TransactItems");
    const json::Value* get = nullptr;
    RETURN_IF_ERROR(OptObject(entry, "Get", &get));
    const std::string path = "transactItems." + std::to_string(i + 1) + ".member.get";
    Validator iv;
    iv.NotNull(get != nullptr, path);
    RETURN_IF_ERROR(iv.Done());
    std::optional<std::string> table_name;
    const json::Value* key_json = nullptr;
    RETURN_IF_ERROR(OptString(*get, "TableName", &table_name));
    RETURN_IF_ERROR(OptObject(*get, "Key", &key_json));
    iv.NotNull(key_json != nullptr, path + ".key");
    iv.TableName(table_name, path + ".tableName");
    RETURN_IF_ERROR(iv.Done());
    ExpressionSpec spec;
    spec.projection = true;
    ASSIGN_OR_RETURN(RequestExpressions exprs, ParseRequestExpressions(*get, spec, nullptr));
    ASSIGN_OR_RETURN(Item key, dynamo::AttributeMapFromJson(*key_json));
    ASSIGN_OR_RETURN(auto table, FindTable(ctx, *table_name));
    RETURN_IF_ERROR(dynamo::ValidateKey(*table->info(), key));
    RETURN_IF_ERROR(CheckDistinct(seen, *table, key));
    keys.emplace_back(std::move(table), std::move(key));
    projections.push_back(std::move(exprs.projection));
  }
  // One snapshot: no transaction is ever seen half-applied.
  ASSIGN_OR_RETURN(auto found, ctx.services.items->GetMany(keys));
  out.StartObject();
  out.Key("Responses");
  out.StartArray();
  CapacityByTable capacity;
  for (size_t i = 0; i < found.size(); ++i) {
    out.StartObject();
    if (found[i]) {
      out.Key("Item");
      dynamo::WriteAttributeMap(out, projections[i] ? ex::ProjectPaths(*found[i], *projections[i]) : *found[i]);
    }
    out.EndObject();
    dynamo::Capacity c;
    c.table = dynamo::ReadUnits(found[i] ? dynamo::ItemSize(*found[i]) : 0, true);
    capacity.Add(keys[i].first->info()->name, c, 2);
  }
  out.EndArray();
  capacity.WriteMember(out, CapacityModeOf(req), CapacityKind::kRead);
  out.EndObject();
  return Status::Ok();
}

}  // namespace floe::api
