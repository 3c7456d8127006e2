// Tagging (TagResource, UntagResource, ListTagsOfResource) and the account-level answers
// (DescribeLimits, DescribeEndpoints, DescribeContinuousBackups).
#include <set>

#include "api/ops.h"
#include "api/params.h"
#include "dynamo/catalog.h"

namespace floe::api {

namespace {

constexpr size_t kMaxTags = 50;
constexpr int64_t kTableMaxUnits = 40000;
constexpr int64_t kAccountMaxUnits = 80000;

// The table an ARN names. Errors as DynamoDB words them.
Result<std::shared_ptr<dynamo::TableRuntime>> TableOfArn(OpContext& ctx, const std::string& arn) {
  if (arn.rfind("arn:", 0) != 0) {
    return Status::InvalidArgument("One or more parameter values were invalid: ARNs must start with 'arn:': " + arn);
  }
  const std::string prefix = ctx.services.catalog->TableArn("");
  if (arn.rfind(prefix, 0) != 0)
    return Status::InvalidArgument("Invalid TableArn: Invalid ResourceArn provided as input " + arn);
  const std::string name = arn.substr(prefix.size());
  if (name.find('/') != std::string::npos) {
    return Status::InvalidArgument(
        "One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. "
        "Provided resource arn: " +
        arn);
  }
  auto rt = ctx.services.catalog->Find(name);
  if (!rt.ok()) return Status::NotFound("Requested resource not found: ResourcArn: " + arn + " not found");
  return rt;
}

}  // namespace

Status ParseTags(const json::Value& list, std::vector<std::pair<std::string, std::string>>* out) {
  std::set<std::string> seen;
  for (size_t i = 0; i < list.items().size(); ++i) {
    const json::Value& t = list.items()[i];
    if (!t.is_object()) return Status::Serialization("Unexpected value type in Tags");
    std::optional<std::string> key, value;
    RETURN_IF_ERROR(OptString(t, "Key", &key));
    RETURN_IF_ERROR(OptString(t, "Value", &value));
    const std::string path = "tags." + std::to_string(i + 1) + ".member.";
    Validator v;
    v.NotNull(key.has_value(), path + "key");
    v.NotNull(value.has_value(), path + "value");
    if (key && (key->empty() || key->size() > 128)) {
      v.Fail(key, path + "key",
             key->empty() ? "Member must have length greater than or equal to 1"
                          : "Member must have length less than or equal to 128");
    }
    if (value && value->size() > 256)
      v.Fail(value, path + "value", "Member must have length less than or equal to 256");
    RETURN_IF_ERROR(v.Done());
    if (key->rfind("aws:", 0) == 0)
      return Status::InvalidArgument("Tag Key cannot be prefixed with aws:, Key: " + *key);
    if (!seen.insert(*key).second) {
      return Status::InvalidArgument("Duplicate Tag Keys provided as input: Duplicate Tag Key found " + *key);
    }
    out->emplace_back(*key, *value);
  }
  return Status::Ok();
}

Status ApplyTags(dynamo::TableInfo& t, const std::vector<std::pair<std::string, std::string>>& tags) {
  for (const auto& [k, v] : tags) {
    bool replaced = false;
    for (auto& existing : t.tags) {
      if (existing.first == k) {
        existing.second = v;
        replaced = true;
      }
    }
    if (!replaced) t.tags.emplace_back(k, v);
  }
  if (t.tags.size() > kMaxTags) {
    return Status::InvalidArgument("Number of Tags exceed the current limit for the provided ResourceArn");
  }
  return Status::Ok();
}

Status TagResource(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> arn;
  const json::Value* tags_json = nullptr;
  RETURN_IF_ERROR(OptString(req, "ResourceArn", &arn));
  RETURN_IF_ERROR(OptArray(req, "Tags", &tags_json));
  Validator v;
  v.NotNull(arn.has_value(), "resourceArn");
  v.NotNull(tags_json != nullptr, "tags");
  RETURN_IF_ERROR(v.Done());
  std::vector<std::pair<std::string, std::string>> tags;
  RETURN_IF_ERROR(ParseTags(*tags_json, &tags));
  ASSIGN_OR_RETURN(auto table, TableOfArn(ctx, *arn));
  if (tags.empty()) return Status::InvalidArgument("Atleast one Tag needs to be provided as Input.");
  RETURN_IF_ERROR(
      ctx.services.catalog->Update(table->info()->name, [&](dynamo::TableInfo& t) { return ApplyTags(t, tags); })
          .status());
  out.StartObject();
  out.EndObject();
  return Status::Ok();
}

Status UntagResource(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> arn;
  std::optional<std::vector<std::string>> keys;
  RETURN_IF_ERROR(OptString(req, "ResourceArn", &arn));
  RETURN_IF_ERROR(OptStringList(req, "TagKeys", &keys));
  Validator v;
  v.NotNull(arn.has_value(), "resourceArn");
  v.NotNull(keys.has_value(), "tagKeys");
  RETURN_IF_ERROR(v.Done());
  ASSIGN_OR_RETURN(auto table, TableOfArn(ctx, *arn));
  if (keys->empty()) return Status::InvalidArgument("Atleast one Tag Key needs to be provided as Input.");
  RETURN_IF_ERROR(ctx.services.catalog
                      ->Update(table->info()->name,
                               [&](dynamo::TableInfo& t) {
                                 std::erase_if(t.tags, [&](const auto& tag) {
                                   for (const auto& k : *keys) {
                                     if (tag.first == k) return true;
                                   }
                                   return false;
                                 });
                                 return Status::Ok();
                               })
                      .status());
  out.StartObject();
  out.EndObject();
  return Status::Ok();
}

Status ListTagsOfResource(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> arn, next;
  RETURN_IF_ERROR(OptString(req, "ResourceArn", &arn));
  RETURN_IF_ERROR(OptString(req, "NextToken", &next));
  Validator v;
  v.NotNull(arn.has_value(), "resourceArn");
  RETURN_IF_ERROR(v.Done());
  ASSIGN_OR_RETURN(auto table, TableOfArn(ctx, *arn));
  out.StartObject();
  out.Key("Tags");
  out.StartArray();
  for (const auto& [k, val] : table->info()->tags) {  // at most 50: one page
    out.StartObject();
    out.Key("Key");
    out.String(k);
    out.Key("Value");
    out.String(val);
    out.EndObject();
  }
  out.EndArray();
  out.EndObject();
  return Status::Ok();
}

Status DescribeLimits(OpContext&, const json::Value&, json::Writer& out) {
  out.StartObject();
  out.Key("AccountMaxReadCapacityUnits");
  out.Int64(kAccountMaxUnits);
  out.Key("AccountMaxWriteCapacityUnits");
  out.Int64(kAccountMaxUnits);
  out.Key("TableMaxReadCapacityUnits");
  out.Int64(kTableMaxUnits);
  out.Key("TableMaxWriteCapacityUnits");
  out.Int64(kTableMaxUnits);
  out.EndObject();
  return Status::Ok();
}

Status DescribeEndpoints(OpContext& ctx, const json::Value&, json::Writer& out) {
  // Endpoint discovery must lead clients back to this node, not to AWS.
  const ServerConfig& c = *ctx.services.config;
  out.StartObject();
  out.Key("Endpoints");
  out.StartArray();
  out.StartObject();
  out.Key("Address");
  out.String(c.listen_host + ":" + std::to_string(c.listen_port));
  out.Key("CachePeriodInMinutes");
  out.Int64(1440);
  out.EndObject();
  out.EndArray();
  out.EndObject();
  return Status::Ok();
}

Status DescribeContinuousBackups(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> name;
  RETURN_IF_ERROR(OptString(req, "TableName", &name));
  Validator v;
  v.TableName(name, "tableName");
  RETURN_IF_ERROR(v.Done());
  if (!ctx.services.catalog->Find(*name).ok()) return Status::TableNotFound("Table not found: " + *name);
  // floe has no backups yet: both are off.
  out.StartObject();
  out.Key("ContinuousBackupsDescription");
  out.StartObject();
  out.Key("ContinuousBackupsStatus");
  out.String("DISABLED");
  out.Key("PointInTimeRecoveryDescription");
  out.StartObject();
  out.Key("PointInTimeRecoveryStatus");
  out.String("DISABLED");
  out.EndObject();
  out.EndObject();
  out.EndObject();
  return Status::Ok();
}

}  // namespace floe::api
