// CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable.
#include <set>

#include "api/ops.h"
#include "api/params.h"
#include "api/table_indexes.h"
#include "dynamo/catalog.h"
#include "dynamo/index_builder.h"
#include "dynamo/items.h"

namespace floe::api {

namespace {

using dynamo::AttrType;
using dynamo::BillingMode;
using dynamo::KeyElement;
using dynamo::TableInfo;

constexpr char kInvalid[] = "One or more parameter values were invalid: ";

void WriteEpochSeconds(json::Writer& w, int64_t ms) { w.Double(static_cast<double>(ms) / 1000.0); }

// A table's statistics and its indexes', read before the description is written.
struct StatsView {
  dynamo::TableStats table;
  std::map<uint32_t, dynamo::TableStats> indexes;
};

StatsView ReadStatsView(OpContext& ctx, const dynamo::TableRuntime& rt, const TableInfo& info,
                        const std::vector<dynamo::IndexInfo>& extra = {}) {
  StatsView v;
  v.table = ctx.services.items->Stats(rt);
  for (const auto& i : info.indexes) v.indexes[i.id] = ctx.services.items->IndexStats(rt, i.id);
  for (const auto& i : extra) v.indexes[i.id] = ctx.services.items->IndexStats(rt, i.id);
  return v;
}

void WriteTableDescription(json::Writer& w, const TableInfo& t, const StatsView& stats, const char* status,
                           const std::vector<dynamo::IndexInfo>& deleting = {}) {
  w.StartObject();
  w.Key("AttributeDefinitions");
  w.StartArray();
  for (const auto& a : t.attribute_definitions) {
    w.StartObject();
    w.Key("AttributeName");
    w.String(a.name);
    w.Key("AttributeType");
    w.String(AttrTypeName(a.type));
    w.EndObject();
  }
  w.EndArray();
  w.Key("TableName");
  w.String(t.name);
  w.Key("KeySchema");
  WriteKeySchema(w, t.hash_key, t.range_key);
  w.Key("TableStatus");
  w.String(status);
  w.Key("CreationDateTime");
  WriteEpochSeconds(w, t.creation_ms);
  w.Key("ProvisionedThroughput");
  w.StartObject();
  if (t.last_increase_ms) {
    w.Key("LastIncreaseDateTime");
    WriteEpochSeconds(w, t.last_increase_ms);
  }
  if (t.last_decrease_ms) {
    w.Key("LastDecreaseDateTime");
    WriteEpochSeconds(w, t.last_decrease_ms);
  }
  w.Key("NumberOfDecreasesToday");
  w.Int64(t.decreases_today);
  w.Key("ReadCapacityUnits");
  w.Int64(t.billing_mode == BillingMode::kProvisioned ? t.read_capacity : 0);
  w.Key("WriteCapacityUnits");
  w.Int64(t.billing_mode == BillingMode::kProvisioned ? t.write_capacity : 0);
  w.EndObject();
  w.Key("TableSizeBytes");
  w.Int64(stats.table.size_bytes);
  w.Key("ItemCount");
  w.Int64(stats.table.item_count);
  w.Key("TableArn");
  w.String(t.arn);
  w.Key("TableId");
  w.String(t.uuid);
  if (t.billing_mode == BillingMode::kPayPerRequest || t.pay_per_request_since_ms) {
    w.Key("BillingModeSummary");
    w.StartObject();
    w.Key("BillingMode");
    w.String(BillingModeName(t.billing_mode));
    if (t.pay_per_request_since_ms) {
      w.Key("LastUpdateToPayPerRequestDateTime");
      WriteEpochSeconds(w, t.pay_per_request_since_ms);
    }
    w.EndObject();
  }
  if (t.table_class != "STANDARD") {
    w.Key("TableClassSummary");
    w.StartObject();
    w.Key("TableClass");
    w.String(t.table_class);
    w.EndObject();
  }
  WriteIndexDescriptions(w, t, stats.indexes, deleting, std::string_view(status) == "CREATING");
  w.Key("DeletionProtectionEnabled");
  w.Bool(t.deletion_protection);
  if (t.stream_enabled) {
    w.Key("StreamSpecification");
    w.StartObject();
    w.Key("StreamEnabled");
    w.Bool(true);
    w.Key("StreamViewType");
    w.String(t.stream_view_type);
    w.EndObject();
  }
  if (!t.latest_stream_arn.empty()) {
    w.Key("LatestStreamLabel");
    w.String(t.latest_stream_label);
    w.Key("LatestStreamArn");
    w.String(t.latest_stream_arn);
  }
  w.EndObject();
}

struct StreamSpec {
  bool present = false;
  bool enabled = false;
  std::optional<std::string> view_type;
};

// StreamSpecification, with DynamoDB's messages.
Status ParseStreamSpec(const json::Value& req, Validator& v, StreamSpec* out) {
  const json::Value* spec = nullptr;
  RETURN_IF_ERROR(OptObject(req, "StreamSpecification", &spec));
  if (!spec) return Status::Ok();
  out->present = true;
  std::optional<bool> enabled;
  RETURN_IF_ERROR(OptBool(*spec, "StreamEnabled", &enabled));
  RETURN_IF_ERROR(OptString(*spec, "StreamViewType", &out->view_type));
  v.NotNull(enabled.has_value(), "streamSpecification.streamEnabled");
  v.Enum(out->view_type, "streamSpecification.streamViewType",
         {"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"});
  out->enabled = enabled.value_or(false);
  return Status::Ok();
}

// Checks a parsed StreamSpecification after the constraint checks (DynamoDB words it
// differently for CreateTable and UpdateTable).
Status CheckStreamSpec(const StreamSpec& s, bool create) {
  if (!s.present) return Status::Ok();
  if (s.enabled && !s.view_type) {
    return Status::InvalidArgument(std::string(kInvalid) +
                                   (create ? "Table is being created with a stream enabled, UpdateViewType is required"
                                           : "If stream is being enabled then UpdateViewType is required"));
  }
  if (!s.enabled && s.view_type) {
    return Status::InvalidArgument(
        std::string(kInvalid) +
        (create ? "Table is being created with a stream disabled, UpdateViewType should not be specified"
                : "If stream is being disabled, then UpdateViewType must not be specified"));
  }
  return Status::Ok();
}

Result<AttrType> ParseScalarType(const std::string& s) {
  if (s == "S") return AttrType::kS;
  if (s == "N") return AttrType::kN;
  if (s == "B") return AttrType::kB;
  return Status::InvalidArgument("bad type");
}

Status ParseAttributeDefinitions(const json::Value& defs, Validator& v, std::vector<KeyElement>* out) {
  for (size_t i = 0; i < defs.items().size(); ++i) {
    const json::Value& d = defs.items()[i];
    if (!d.is_object()) return Status::Serialization("Unexpected value type in AttributeDefinitions");
    std::optional<std::string> an, at;
    RETURN_IF_ERROR(OptString(d, "AttributeName", &an));
    RETURN_IF_ERROR(OptString(d, "AttributeType", &at));
    std::string path = "attributeDefinitions." + std::to_string(i + 1) + ".member.";
    v.NotNull(an.has_value(), path + "attributeName");
    v.NotNull(at.has_value(), path + "attributeType");
    v.Enum(at, path + "attributeType", {"B", "N", "S"});
    if (an && at) {
      auto t = ParseScalarType(*at);
      if (t.ok()) out->push_back({*an, *t});
    }
  }
  return Status::Ok();
}

Status CheckThroughputLimits(const Throughput& t) {
  constexpr int64_t kMax = 40000;  // DescribeLimits' per-table maximum
  if ((t.read && *t.read > kMax) || (t.write && *t.write > kMax)) {
    return Status::LimitExceeded(
        "Subscriber limit exceeded: Provisioned throughput for the table exceeds the account limit of " +
        std::to_string(kMax) + " units per table");
  }
  return Status::Ok();
}

}  // namespace

Status CreateTable(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> name, billing, table_class;
  RETURN_IF_ERROR(OptString(req, "TableName", &name));
  RETURN_IF_ERROR(OptString(req, "BillingMode", &billing));
  RETURN_IF_ERROR(OptString(req, "TableClass", &table_class));
  std::optional<bool> deletion_protection;
  RETURN_IF_ERROR(OptBool(req, "DeletionProtectionEnabled", &deletion_protection));
  const json::Value *defs = nullptr, *schema = nullptr;
  RETURN_IF_ERROR(OptArray(req, "AttributeDefinitions", &defs));
  RETURN_IF_ERROR(OptArray(req, "KeySchema", &schema));
  RETURN_IF_ERROR(RejectUnsupported(req, {"SSESpecification"}));
  const json::Value *lsi_json = nullptr, *gsi_json = nullptr;
  RETURN_IF_ERROR(OptArray(req, "LocalSecondaryIndexes", &lsi_json));
  RETURN_IF_ERROR(OptArray(req, "GlobalSecondaryIndexes", &gsi_json));
  const json::Value* tags_json = nullptr;
  RETURN_IF_ERROR(OptArray(req, "Tags", &tags_json));

  Validator v;
  v.NotNull(defs != nullptr, "attributeDefinitions");
  v.TableName(name, "tableName");
  v.Enum(billing, "billingMode", {"PROVISIONED", "PAY_PER_REQUEST"});
  v.Enum(table_class, "tableClass", {"STANDARD", "STANDARD_INFREQUENT_ACCESS"});
  Throughput tp;
  RETURN_IF_ERROR(ParseThroughput(req, "", v, &tp));
  StreamSpec stream;
  RETURN_IF_ERROR(ParseStreamSpec(req, v, &stream));
  std::vector<IndexDef> lsis, gsis;
  if (lsi_json) RETURN_IF_ERROR(ParseIndexList(*lsi_json, "localSecondaryIndexes", false, v, &lsis));
  if (gsi_json) RETURN_IF_ERROR(ParseIndexList(*gsi_json, "globalSecondaryIndexes", true, v, &gsis));

  std::vector<KeyElement> attr_defs;
  if (defs) RETURN_IF_ERROR(ParseAttributeDefinitions(*defs, v, &attr_defs));
  std::vector<IndexKeyDef> key_defs;
  RETURN_IF_ERROR(ParseKeySchema(schema, "keySchema", v, &key_defs));
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& k : key_defs) keys.emplace_back(k.name, k.key_type);
  RETURN_IF_ERROR(v.Done());

  // Semantic checks, in DynamoDB's order.
  std::set<std::string> seen;
  for (const auto& d : attr_defs) {
    if (!seen.insert(d.name).second) {
      return Status::InvalidArgument(std::string(kInvalid) + "Cannot have two attributes with the same name");
    }
  }
  if (keys.empty()) return Status::InvalidArgument("Invalid KeySchema: Some index key attribute have no definition");
  if (keys[0].second != "HASH") {
    return Status::InvalidArgument("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  }
  if (keys.size() == 2) {
    if (keys[1].second != "RANGE") {
      return Status::InvalidArgument("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    }
    if (keys[0].first == keys[1].first) {
      return Status::InvalidArgument("Both the Hash Key and the Range Key element in the KeySchema have the same name");
    }
  }
  auto def_of = [&](const std::string& n) -> const KeyElement* {
    for (const auto& d : attr_defs) {
      if (d.name == n) return &d;
    }
    return nullptr;
  };
  std::string key_list = "[", def_list = "[";
  for (size_t i = 0; i < keys.size(); ++i) key_list += (i ? ", " : "") + keys[i].first;
  for (size_t i = 0; i < attr_defs.size(); ++i) def_list += (i ? ", " : "") + attr_defs[i].name;
  key_list += "]";
  def_list += "]";
  for (const auto& k : keys) {
    if (!def_of(k.first)) {
      return Status::InvalidArgument(std::string(kInvalid) +
                                     "Some index key attributes are not defined in AttributeDefinitions. Keys: " +
                                     key_list + ", AttributeDefinitions: " + def_list);
    }
  }
  if (!lsi_json && !gsi_json && attr_defs.size() != keys.size()) {
    return Status::InvalidArgument(std::string(kInvalid) +
                                   "Number of attributes in KeySchema does not exactly match number of attributes "
                                   "defined in AttributeDefinitions");
  }
  const BillingMode mode =
      billing && *billing == "PAY_PER_REQUEST" ? BillingMode::kPayPerRequest : BillingMode::kProvisioned;
  if (mode == BillingMode::kProvisioned && !tp.present) {
    return Status::InvalidArgument(
        std::string(kInvalid) +
        "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
  }
  if (mode == BillingMode::kPayPerRequest && tp.present) {
    return Status::InvalidArgument(
        std::string(kInvalid) +
        "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
  }
  RETURN_IF_ERROR(CheckThroughputLimits(tp));
  RETURN_IF_ERROR(CheckStreamSpec(stream, /*create=*/true));
  std::vector<std::pair<std::string, std::string>> tags;
  if (tags_json) RETURN_IF_ERROR(ParseTags(*tags_json, &tags));

  TableInfo proto;
  RETURN_IF_ERROR(ApplyTags(proto, tags));
  proto.name = *name;
  proto.hash_key = *def_of(keys[0].first);
  if (keys.size() == 2) proto.range_key = *def_of(keys[1].first);
  proto.attribute_definitions = attr_defs;
  proto.billing_mode = mode;
  if (mode == BillingMode::kProvisioned) {
    proto.read_capacity = *tp.read;
    proto.write_capacity = *tp.write;
  }
  ASSIGN_OR_RETURN(proto.indexes, BuildCreateIndexes(proto, lsi_json != nullptr, lsis, gsi_json != nullptr, gsis));
  proto.deletion_protection = deletion_protection.value_or(false);
  proto.table_class = table_class.value_or("STANDARD");
  if (stream.enabled) {
    proto.stream_enabled = true;
    proto.stream_view_type = *stream.view_type;
  }
  ASSIGN_OR_RETURN(auto rt, ctx.services.catalog->Create(std::move(proto)));
  out.StartObject();
  out.Key("TableDescription");
  WriteTableDescription(out, *rt->info(), ReadStatsView(ctx, *rt, *rt->info()), "CREATING");
  out.EndObject();
  return Status::Ok();
}

Status DescribeTable(OpContext& ctx, const json::Value& req, json::Writer& out) {
  ASSIGN_OR_RETURN(auto rt, FindRequestTable(ctx, req));
  out.StartObject();
  out.Key("Table");
  auto info = rt->info();
  WriteTableDescription(out, *info, ReadStatsView(ctx, *rt, *info), "ACTIVE");
  out.EndObject();
  return Status::Ok();
}

Status ListTables(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> start;
  std::optional<int64_t> limit;
  RETURN_IF_ERROR(OptString(req, "ExclusiveStartTableName", &start));
  RETURN_IF_ERROR(OptInt(req, "Limit", &limit));
  Validator v;
  v.TableName(start, "exclusiveStartTableName", false);
  v.Min(limit, "limit", 1);
  v.Max(limit, "limit", 100);
  RETURN_IF_ERROR(v.Done());
  const size_t max = static_cast<size_t>(limit.value_or(100));
  std::vector<std::string> names = ctx.services.catalog->ListNames();
  out.StartObject();
  out.Key("TableNames");
  out.StartArray();
  size_t count = 0;
  std::string last;
  bool more = false;
  for (const auto& n : names) {
    if (start && n <= *start) continue;
    if (count == max) {
      more = true;
      break;
    }
    out.String(n);
    last = n;
    ++count;
  }
  out.EndArray();
  if (more) {
    out.Key("LastEvaluatedTableName");
    out.String(last);
  }
  out.EndObject();
  return Status::Ok();
}

Status DeleteTable(OpContext& ctx, const json::Value& req, json::Writer& out) {
  ASSIGN_OR_RETURN(auto found, FindRequestTable(ctx, req));
  auto info = found->info();
  if (info->deletion_protection) {
    return Status::InvalidArgument(
        "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.");
  }
  auto stats = ReadStatsView(ctx, *found, *info);
  ASSIGN_OR_RETURN(auto rt, ctx.services.catalog->Drop(info->name));
  out.StartObject();
  out.Key("TableDescription");
  WriteTableDescription(out, *rt->info(), stats, "DELETING");
  out.EndObject();
  return Status::Ok();
}

Status UpdateTable(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> name, billing, table_class;
  std::optional<bool> deletion_protection;
  RETURN_IF_ERROR(OptString(req, "TableName", &name));
  RETURN_IF_ERROR(OptString(req, "BillingMode", &billing));
  RETURN_IF_ERROR(OptString(req, "TableClass", &table_class));
  RETURN_IF_ERROR(OptBool(req, "DeletionProtectionEnabled", &deletion_protection));
  RETURN_IF_ERROR(RejectUnsupported(req, {"SSESpecification", "ReplicaUpdates"}));
  const json::Value *defs = nullptr, *gsi_updates_json = nullptr;
  RETURN_IF_ERROR(OptArray(req, "AttributeDefinitions", &defs));
  RETURN_IF_ERROR(OptArray(req, "GlobalSecondaryIndexUpdates", &gsi_updates_json));
  Validator v;
  v.TableName(name, "tableName");
  v.Enum(billing, "billingMode", {"PROVISIONED", "PAY_PER_REQUEST"});
  v.Enum(table_class, "tableClass", {"STANDARD", "STANDARD_INFREQUENT_ACCESS"});
  Throughput tp;
  RETURN_IF_ERROR(ParseThroughput(req, "", v, &tp));
  StreamSpec stream;
  RETURN_IF_ERROR(ParseStreamSpec(req, v, &stream));
  std::vector<KeyElement> new_defs;
  if (defs) RETURN_IF_ERROR(ParseAttributeDefinitions(*defs, v, &new_defs));
  IndexUpdates index_updates;
  if (gsi_updates_json) RETURN_IF_ERROR(ParseIndexUpdates(*gsi_updates_json, v, &index_updates));
  RETURN_IF_ERROR(v.Done());
  const bool has_index_updates = gsi_updates_json && !gsi_updates_json->items().empty();
  if (!billing && !tp.present && !table_class && !deletion_protection && !stream.present && !has_index_updates) {
    return Status::InvalidArgument(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or "
        "SSESpecification or ReplicaUpdates is required");
  }
  RETURN_IF_ERROR(CheckThroughputLimits(tp));
  RETURN_IF_ERROR(CheckStreamSpec(stream, /*create=*/false));
  const int64_t now = ctx.services.clock->NowMillis();
  std::vector<dynamo::IndexInfo> deleted;
  ASSIGN_OR_RETURN(auto info, ctx.services.catalog->Update(*name, [&](TableInfo& t) -> Status {
    deleted.clear();
    if (has_index_updates) RETURN_IF_ERROR(ApplyIndexUpdates(index_updates, new_defs, t, &deleted));
    const BillingMode target =
        billing ? (*billing == "PAY_PER_REQUEST" ? BillingMode::kPayPerRequest : BillingMode::kProvisioned)
                : t.billing_mode;
    if (target == BillingMode::kPayPerRequest && tp.present) {
      return Status::InvalidArgument(
          std::string(kInvalid) +
          "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    }
    if (target == BillingMode::kProvisioned && t.billing_mode == BillingMode::kPayPerRequest && !tp.present) {
      return Status::InvalidArgument(std::string(kInvalid) +
                                     "ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
    }
    if (stream.present) {
      if (stream.enabled && t.stream_enabled) {
        return Status::InvalidArgument("Table already has an enabled stream: TableName: " + t.name);
      }
      if (!stream.enabled && !t.stream_enabled) {
        return Status::InvalidArgument("Table has no stream to disable: TableName: " + t.name);
      }
    }
    if (tp.present && target == BillingMode::kProvisioned && t.billing_mode == BillingMode::kProvisioned &&
        *tp.read == t.read_capacity && *tp.write == t.write_capacity && !table_class && !deletion_protection &&
        !stream.present && !has_index_updates) {
      return Status::InvalidArgument(
          "The provisioned throughput for the table will not change. The requested value equals the current value. "
          "Current ReadCapacityUnits provisioned for the table: " +
          std::to_string(t.read_capacity) + ". Requested ReadCapacityUnits: " + std::to_string(*tp.read) +
          ". Current WriteCapacityUnits provisioned for the table: " + std::to_string(t.write_capacity) +
          ". Requested WriteCapacityUnits: " + std::to_string(*tp.write) +
          ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.");
    }
    if (tp.present) {
      if (*tp.read > t.read_capacity || *tp.write > t.write_capacity) t.last_increase_ms = now;
      if (*tp.read < t.read_capacity || *tp.write < t.write_capacity) {
        t.last_decrease_ms = now;
        ++t.decreases_today;
      }
      t.read_capacity = *tp.read;
      t.write_capacity = *tp.write;
    }
    if (target == BillingMode::kPayPerRequest && t.billing_mode != BillingMode::kPayPerRequest) {
      t.pay_per_request_since_ms = now;
    }
    t.billing_mode = target;
    if (table_class) t.table_class = *table_class;
    if (deletion_protection) t.deletion_protection = *deletion_protection;
    if (stream.present) {
      t.stream_enabled = stream.enabled;
      t.stream_view_type = stream.enabled ? *stream.view_type : std::string();
    }
    return Status::Ok();
  }));
  ASSIGN_OR_RETURN(auto rt, ctx.services.catalog->Find(*name));
  if (has_index_updates && ctx.services.index_builder) ctx.services.index_builder->Wake();
  out.StartObject();
  out.Key("TableDescription");
  WriteTableDescription(out, *info, ReadStatsView(ctx, *rt, *info, deleted), "UPDATING", deleted);
  out.EndObject();
  return Status::Ok();
}

}  // namespace floe::api
