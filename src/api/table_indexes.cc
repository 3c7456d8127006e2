#include "api/table_indexes.h"

#include <set>

#include "api/params.h"

namespace floe::api {

using dynamo::IndexInfo;
using dynamo::KeyElement;
using dynamo::ProjectionType;
using dynamo::TableInfo;

namespace {

constexpr char kInvalid[] = "One or more parameter values were invalid: ";
constexpr size_t kMaxLocalIndexes = 5;
constexpr size_t kMaxGlobalIndexes = 20;
constexpr size_t kMaxNonKeyAttributes = 100;

Status ParseProjection(const json::Value& idx, const std::string& path, Validator& v, IndexDef* out) {
  const json::Value* projection = nullptr;
  RETURN_IF_ERROR(OptObject(idx, "Projection", &projection));
  v.NotNull(projection != nullptr, path + "projection");
  if (!projection) return Status::Ok();
  RETURN_IF_ERROR(OptString(*projection, "ProjectionType", &out->projection_type));
  RETURN_IF_ERROR(OptStringList(*projection, "NonKeyAttributes", &out->non_key_attributes));
  v.Enum(out->projection_type, path + "projection.projectionType", {"ALL", "KEYS_ONLY", "INCLUDE"});
  if (out->non_key_attributes) {
    v.LengthMin(out->non_key_attributes->size(), path + "projection.nonKeyAttributes", 1, "[]");
  }
  return Status::Ok();
}

std::string NameList(const std::vector<std::string>& names) {
  std::string s = "[";
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
  return s + "]";
}

const KeyElement* DefOf(const std::vector<KeyElement>& defs, const std::string& name) {
  for (const auto& d : defs) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

// The checks every index definition gets, in DynamoDB's order; fills *out.
Status CheckIndex(const IndexDef& d, const TableInfo& table, const std::vector<KeyElement>& defs, IndexInfo* out) {
  std::vector<std::string> key_names, def_names;
  for (const auto& k : d.keys) key_names.push_back(k.name);
  for (const auto& k : defs) def_names.push_back(k.name);
  for (const auto& k : d.keys) {
    if (!DefOf(defs, k.name)) {
      return Status::InvalidArgument(std::string(kInvalid) +
                                     "Some index key attributes are not defined in AttributeDefinitions. Keys: " +
                                     NameList(key_names) + ", AttributeDefinitions: " + NameList(def_names));
    }
  }
  if (d.keys.size() == 2 && d.keys[0].name == d.keys[1].name) {
    return Status::InvalidArgument("Both the Hash Key and the Range Key element in the KeySchema have the same name");
  }
  if (d.keys[0].key_type != "HASH") {
    return Status::InvalidArgument("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  }
  if (d.keys.size() == 2 && d.keys[1].key_type != "RANGE") {
    return Status::InvalidArgument("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  }
  if (!d.global) {
    if (d.keys.size() != 2) {
      return Status::InvalidArgument(std::string(kInvalid) +
                                     "Index KeySchema does not have a range key for index: " + d.name);
    }
    if (d.keys[0].name != table.hash_key.name) {
      return Status::InvalidArgument(
          std::string(kInvalid) +
          "Index KeySchema does not have the same leading hash key as table KeySchema for index: " + d.name +
          ". index hash key: " + d.keys[0].name + ", table hash key: " + table.hash_key.name);
    }
  }
  if (!d.projection_type) return Status::InvalidArgument(std::string(kInvalid) + "Unknown ProjectionType: null");
  if (d.non_key_attributes && *d.projection_type != "INCLUDE") {
    return Status::InvalidArgument(std::string(kInvalid) + "ProjectionType is " + *d.projection_type +
                                   ", but NonKeyAttributes is specified");
  }
  out->name = d.name;
  out->global = d.global;
  out->hash_key = *DefOf(defs, d.keys[0].name);
  if (d.keys.size() == 2) out->range_key = *DefOf(defs, d.keys[1].name);
  out->projection = *d.projection_type == "ALL"         ? ProjectionType::kAll
                    : *d.projection_type == "KEYS_ONLY" ? ProjectionType::kKeysOnly
                                                        : ProjectionType::kInclude;
  if (d.non_key_attributes) {
    std::set<std::string> seen;
    for (const auto& a : *d.non_key_attributes) {
      if (seen.insert(a).second) out->non_key_attributes.push_back(a);
    }
  }
  return Status::Ok();
}

// Throughput rules of a global index under the table's billing mode.
Status CheckIndexThroughput(const IndexDef& d, const TableInfo& table, IndexInfo* out) {
  if (table.billing_mode == dynamo::BillingMode::kPayPerRequest) {
    if (d.throughput.present) {
      return Status::InvalidArgument(std::string(kInvalid) +
                                     "ProvisionedThroughput should not be specified for index: " + d.name +
                                     " when BillingMode is PAY_PER_REQUEST");
    }
    return Status::Ok();
  }
  if (!d.throughput.present) {
    return Status::InvalidArgument(std::string(kInvalid) +
                                   "ProvisionedThroughput must be specified for index: " + d.name);
  }
  out->read_capacity = *d.throughput.read;
  out->write_capacity = *d.throughput.write;
  return Status::Ok();
}

Status CheckNonKeyAttributeCount(const std::vector<IndexInfo>& indexes) {
  std::set<std::string> all;
  for (const auto& i : indexes) all.insert(i.non_key_attributes.begin(), i.non_key_attributes.end());
  if (all.size() > kMaxNonKeyAttributes) {
    return Status::InvalidArgument(std::string(kInvalid) + "Number of NonKeyAttributes exceeds per-table limit of " +
                                   std::to_string(kMaxNonKeyAttributes));
  }
  return Status::Ok();
}

void WriteIndex(json::Writer& w, const TableInfo& t, const IndexInfo& i, const dynamo::TableStats& stats,
                const char* status) {
  w.StartObject();
  w.Key("IndexName");
  w.String(i.name);
  w.Key("KeySchema");
  WriteKeySchema(w, i.hash_key, i.range_key);
  w.Key("Projection");
  w.StartObject();
  w.Key("ProjectionType");
  w.String(ProjectionTypeName(i.projection));
  if (i.projection == ProjectionType::kInclude && !i.non_key_attributes.empty()) {
    w.Key("NonKeyAttributes");
    w.StartArray();
    for (const auto& a : i.non_key_attributes) w.String(a);
    w.EndArray();
  }
  w.EndObject();
  if (i.global) {
    w.Key("IndexStatus");
    w.String(status);
    if (i.backfilling) {
      w.Key("Backfilling");
      w.Bool(true);
    }
    w.Key("ProvisionedThroughput");
    w.StartObject();
    w.Key("NumberOfDecreasesToday");
    w.Int64(0);
    w.Key("ReadCapacityUnits");
    w.Int64(i.read_capacity);
    w.Key("WriteCapacityUnits");
    w.Int64(i.write_capacity);
    w.EndObject();
  }
  w.Key("IndexSizeBytes");
  w.Int64(stats.size_bytes);
  w.Key("ItemCount");
  w.Int64(stats.item_count);
  w.Key("IndexArn");
  w.String(t.IndexArn(i));
  w.EndObject();
}

}  // namespace

Status ParseThroughput(const json::Value& o, const std::string& path, Validator& v, Throughput* out) {
  const json::Value* pt = nullptr;
  RETURN_IF_ERROR(OptObject(o, "ProvisionedThroughput", &pt));
  if (!pt) return Status::Ok();
  out->present = true;
  RETURN_IF_ERROR(OptInt(*pt, "ReadCapacityUnits", &out->read));
  RETURN_IF_ERROR(OptInt(*pt, "WriteCapacityUnits", &out->write));
  v.NotNull(out->read.has_value(), path + "provisionedThroughput.readCapacityUnits");
  v.NotNull(out->write.has_value(), path + "provisionedThroughput.writeCapacityUnits");
  v.Min(out->read, path + "provisionedThroughput.readCapacityUnits", 1);
  v.Min(out->write, path + "provisionedThroughput.writeCapacityUnits", 1);
  return Status::Ok();
}

Status ParseKeySchema(const json::Value* schema, const std::string& path, Validator& v, std::vector<IndexKeyDef>* out) {
  v.NotNull(schema != nullptr, path);
  if (!schema) return Status::Ok();
  v.LengthMin(schema->items().size(), path, 1, "[]");
  v.LengthMax(schema->items().size(), path, 2, "KeySchema");
  for (size_t i = 0; i < schema->items().size(); ++i) {
    const json::Value& k = schema->items()[i];
    if (!k.is_object()) return Status::Serialization("Unexpected value type in KeySchema");
    std::optional<std::string> an, kt;
    RETURN_IF_ERROR(OptString(k, "AttributeName", &an));
    RETURN_IF_ERROR(OptString(k, "KeyType", &kt));
    const std::string kp = path + "." + std::to_string(i + 1) + ".member.";
    v.NotNull(an.has_value(), kp + "attributeName");
    v.NotNull(kt.has_value(), kp + "keyType");
    v.Enum(kt, kp + "keyType", {"HASH", "RANGE"});
    if (an) {
      if (an->empty()) v.Fail(*an, kp + "attributeName", "Member must have length greater than or equal to 1");
      if (an->size() > 255) v.Fail(*an, kp + "attributeName", "Member must have length less than or equal to 255");
    }
    if (an && kt) out->push_back({*an, *kt});
  }
  return Status::Ok();
}

void WriteKeySchema(json::Writer& w, const KeyElement& hash, const std::optional<KeyElement>& range) {
  w.StartArray();
  for (const KeyElement* k : {&hash, range ? &*range : nullptr}) {
    if (!k) continue;
    w.StartObject();
    w.Key("AttributeName");
    w.String(k->name);
    w.Key("KeyType");
    w.String(k == &hash ? "HASH" : "RANGE");
    w.EndObject();
  }
  w.EndArray();
}

Status ParseIndexList(const json::Value& list, const std::string& path, bool global, Validator& v,
                      std::vector<IndexDef>* out) {
  for (size_t i = 0; i < list.items().size(); ++i) {
    const json::Value& idx = list.items()[i];
    if (!idx.is_object()) return Status::Serialization("Unexpected value type in " + path);
    const std::string p = path + "." + std::to_string(i + 1) + ".member.";
    IndexDef d;
    d.global = global;
    std::optional<std::string> name;
    RETURN_IF_ERROR(OptString(idx, "IndexName", &name));
    v.TableName(name, p + "indexName");
    d.name = name.value_or("");
    const json::Value* schema = nullptr;
    RETURN_IF_ERROR(OptArray(idx, "KeySchema", &schema));
    RETURN_IF_ERROR(ParseKeySchema(schema, p + "keySchema", v, &d.keys));
    RETURN_IF_ERROR(ParseProjection(idx, p, v, &d));
    if (global) RETURN_IF_ERROR(ParseThroughput(idx, p, v, &d.throughput));
    out->push_back(std::move(d));
  }
  return Status::Ok();
}

Result<std::vector<IndexInfo>> BuildCreateIndexes(const TableInfo& table, bool lsi_present,
                                                  const std::vector<IndexDef>& lsis, bool gsi_present,
                                                  const std::vector<IndexDef>& gsis) {
  std::vector<IndexInfo> out;
  std::set<std::string> names;
  if (lsi_present) {
    if (lsis.empty()) return Status::InvalidArgument(std::string(kInvalid) + "List of LocalSecondaryIndexes is empty");
    if (!table.range_key) {
      return Status::InvalidArgument(std::string(kInvalid) +
                                     "Table KeySchema does not have a range key, which is required when specifying a "
                                     "LocalSecondaryIndex");
    }
    for (const auto& d : lsis) {
      IndexInfo info;
      RETURN_IF_ERROR(CheckIndex(d, table, table.attribute_definitions, &info));
      if (!names.insert(d.name).second)
        return Status::InvalidArgument(std::string(kInvalid) + "Duplicate index name: " + d.name);
      out.push_back(std::move(info));
    }
    if (lsis.size() > kMaxLocalIndexes) {
      return Status::InvalidArgument(std::string(kInvalid) +
                                     "Number of LocalSecondaryIndexes exceeds per-table limit of " +
                                     std::to_string(kMaxLocalIndexes));
    }
  }
  if (gsi_present) {
    if (gsis.empty()) return Status::InvalidArgument(std::string(kInvalid) + "List of GlobalSecondaryIndexes is empty");
    for (const auto& d : gsis) {
      IndexInfo info;
      RETURN_IF_ERROR(CheckIndex(d, table, table.attribute_definitions, &info));
      RETURN_IF_ERROR(CheckIndexThroughput(d, table, &info));
      if (!names.insert(d.name).second)
        return Status::InvalidArgument(std::string(kInvalid) + "Duplicate index name: " + d.name);
      out.push_back(std::move(info));
    }
    if (gsis.size() > kMaxGlobalIndexes) {
      return Status::InvalidArgument(std::string(kInvalid) +
                                     "GlobalSecondaryIndex count exceeds the per-table limit of " +
                                     std::to_string(kMaxGlobalIndexes));
    }
  }
  RETURN_IF_ERROR(CheckNonKeyAttributeCount(out));
  // Every attribute definition must be a key of the table or of an index.
  std::set<std::string> used{table.hash_key.name};
  if (table.range_key) used.insert(table.range_key->name);
  for (const auto& i : out) {
    used.insert(i.hash_key.name);
    if (i.range_key) used.insert(i.range_key->name);
  }
  std::vector<std::string> def_names, used_names(used.begin(), used.end());
  for (const auto& d : table.attribute_definitions) def_names.push_back(d.name);
  for (const auto& d : table.attribute_definitions) {
    if (!used.count(d.name)) {
      return Status::InvalidArgument(std::string(kInvalid) +
                                     "Some AttributeDefinitions are not used. AttributeDefinitions: " +
                                     NameList(def_names) + ", keys used: " + NameList(used_names));
    }
  }
  return out;
}

Status ParseIndexUpdates(const json::Value& list, Validator& v, IndexUpdates* out) {
  std::set<std::string> names;
  for (size_t i = 0; i < list.items().size(); ++i) {
    const json::Value& u = list.items()[i];
    if (!u.is_object()) return Status::Serialization("Unexpected value type in GlobalSecondaryIndexUpdates");
    const std::string p = "globalSecondaryIndexUpdates." + std::to_string(i + 1) + ".member.";
    const json::Value *create = nullptr, *update = nullptr, *del = nullptr;
    RETURN_IF_ERROR(OptObject(u, "Create", &create));
    RETURN_IF_ERROR(OptObject(u, "Update", &update));
    RETURN_IF_ERROR(OptObject(u, "Delete", &del));
    std::optional<std::string> name;
    if (create) {
      IndexDef d;
      RETURN_IF_ERROR(OptString(*create, "IndexName", &name));
      v.TableName(name, p + "create.indexName");
      d.name = name.value_or("");
      const json::Value* schema = nullptr;
      RETURN_IF_ERROR(OptArray(*create, "KeySchema", &schema));
      RETURN_IF_ERROR(ParseKeySchema(schema, p + "create.keySchema", v, &d.keys));
      RETURN_IF_ERROR(ParseProjection(*create, p + "create.", v, &d));
      RETURN_IF_ERROR(ParseThroughput(*create, p + "create.", v, &d.throughput));
      out->creates.push_back(std::move(d));
    } else if (update) {
      IndexDef d;
      RETURN_IF_ERROR(OptString(*update, "IndexName", &name));
      v.TableName(name, p + "update.indexName");
      d.name = name.value_or("");
      RETURN_IF_ERROR(ParseThroughput(*update, p + "update.", v, &d.throughput));
      v.NotNull(d.throughput.present, p + "update.provisionedThroughput");
      out->updates.push_back(std::move(d));
    } else if (del) {
      RETURN_IF_ERROR(OptString(*del, "IndexName", &name));
      v.TableName(name, p + "delete.indexName");
      out->deletes.push_back(name.value_or(""));
    } else {
      RETURN_IF_ERROR(v.Done());
      return Status::InvalidArgument(std::string(kInvalid) +
                                     "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                                     "GlobalSecondaryIndexUpdate.Delete must not be null");
    }
    if (name && !names.insert(*name).second) {
      RETURN_IF_ERROR(v.Done());
      return Status::InvalidArgument(
          std::string(kInvalid) +
          "Only one global secondary index update per index is allowed simultaneously. Index: " + *name);
    }
  }
  return Status::Ok();
}

Status ApplyIndexUpdates(const IndexUpdates& updates, const std::vector<KeyElement>& new_defs, TableInfo& table,
                         std::vector<IndexInfo>* deleted) {
  if (updates.creates.size() + updates.deletes.size() > 1) {
    return Status::LimitExceeded(
        "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");
  }
  for (const auto& name : updates.deletes) {
    auto it = std::find_if(table.indexes.begin(), table.indexes.end(),
                           [&](const IndexInfo& i) { return i.global && i.name == name; });
    if (it == table.indexes.end()) {
      return Status::NotFound("Requested resource not found: Index: " + name + " not found for table: " + table.name);
    }
    deleted->push_back(*it);
    table.indexes.erase(it);
  }
  for (const auto& d : updates.updates) {
    auto it = std::find_if(table.indexes.begin(), table.indexes.end(),
                           [&](const IndexInfo& i) { return i.global && i.name == d.name; });
    if (it == table.indexes.end()) {
      return Status::NotFound("Requested resource not found: Index: " + d.name + " not found for table: " + table.name);
    }
    if (table.billing_mode == dynamo::BillingMode::kPayPerRequest) {
      return Status::InvalidArgument(std::string(kInvalid) +
                                     "ProvisionedThroughput should not be specified for index: " + d.name +
                                     " when BillingMode is PAY_PER_REQUEST");
    }
    it->read_capacity = *d.throughput.read;
    it->write_capacity = *d.throughput.write;
  }
  if (!updates.creates.empty()) {
    for (const auto& i : table.indexes) {
      if (i.backfilling) {
        return Status::LimitExceeded(
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");
      }
    }
    // The request's attribute definitions join the table's; a redefinition must agree.
    std::vector<KeyElement> defs = table.attribute_definitions;
    for (const auto& nd : new_defs) {
      const KeyElement* old = DefOf(defs, nd.name);
      if (!old) {
        defs.push_back(nd);
      } else if (old->type != nd.type) {
        return Status::InvalidArgument(std::string(kInvalid) + "Cannot change the type of attribute " + nd.name +
                                       " from " + AttrTypeName(old->type) + " to " + AttrTypeName(nd.type));
      }
    }
    for (const auto& d : updates.creates) {
      if (table.FindIndex(d.name)) return Status::InvalidArgument("Attempting to create an index which already exists");
      IndexInfo info;
      RETURN_IF_ERROR(CheckIndex(d, table, defs, &info));
      RETURN_IF_ERROR(CheckIndexThroughput(d, table, &info));
      info.backfilling = true;
      table.indexes.push_back(std::move(info));
    }
    size_t globals = 0;
    for (const auto& i : table.indexes) globals += i.global ? 1 : 0;
    if (globals > kMaxGlobalIndexes) {
      return Status::LimitExceeded(
          "Subscriber limit exceeded: The number of global secondary indexes exceeds the limit of " +
          std::to_string(kMaxGlobalIndexes));
    }
    RETURN_IF_ERROR(CheckNonKeyAttributeCount(table.indexes));
    table.attribute_definitions = std::move(defs);
  }
  // Attribute definitions list exactly the key attributes of the table and its indexes.
  std::vector<KeyElement> kept;
  for (const auto& d : table.attribute_definitions) {
    bool used = d.name == table.hash_key.name || (table.range_key && d.name == table.range_key->name);
    for (const auto& i : table.indexes) {
      used = used || d.name == i.hash_key.name || (i.range_key && d.name == i.range_key->name);
    }
    if (used) kept.push_back(d);
  }
  table.attribute_definitions = std::move(kept);
  return Status::Ok();
}

void WriteIndexDescriptions(json::Writer& w, const TableInfo& t, const std::map<uint32_t, dynamo::TableStats>& stats,
                            const std::vector<IndexInfo>& deleting, bool table_creating) {
  auto stats_of = [&](const IndexInfo& i) {
    auto it = stats.find(i.id);
    return it == stats.end() ? dynamo::TableStats() : it->second;
  };
  bool any_local = false, any_global = !deleting.empty();
  for (const auto& i : t.indexes) (i.global ? any_global : any_local) = true;
  if (any_local) {
    w.Key("LocalSecondaryIndexes");
    w.StartArray();
    for (const auto& i : t.indexes) {
      if (!i.global) WriteIndex(w, t, i, stats_of(i), "ACTIVE");
    }
    w.EndArray();
  }
  if (any_global) {
    w.Key("GlobalSecondaryIndexes");
    w.StartArray();
    for (const auto& i : t.indexes) {
      if (i.global) WriteIndex(w, t, i, stats_of(i), i.backfilling || table_creating ? "CREATING" : "ACTIVE");
    }
    for (const auto& i : deleting) WriteIndex(w, t, i, stats_of(i), "DELETING");
    w.EndArray();
  }
}

}  // namespace floe::api
