// UpdateTimeToLive, DescribeTimeToLive. The expirer is dynamo/ttl.h.
#include "api/ops.h"
#include "api/params.h"
#include "dynamo/catalog.h"

namespace floe::api {

Status UpdateTimeToLive(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> name, attr;
  std::optional<bool> enabled;
  const json::Value* spec = nullptr;
  RETURN_IF_ERROR(OptString(req, "TableName", &name));
  RETURN_IF_ERROR(OptObject(req, "TimeToLiveSpecification", &spec));
  if (spec) {
    RETURN_IF_ERROR(OptBool(*spec, "Enabled", &enabled));
    RETURN_IF_ERROR(OptString(*spec, "AttributeName", &attr));
  }
  Validator v;
  v.TableName(name, "tableName");
  v.NotNull(spec != nullptr, "timeToLiveSpecification");
  if (spec) {
    v.NotNull(attr.has_value(), "timeToLiveSpecification.attributeName");
    v.NotNull(enabled.has_value(), "timeToLiveSpecification.enabled");
    if (attr && attr->empty())
      v.Fail(attr, "timeToLiveSpecification.attributeName", "Member must have length greater than or equal to 1");
    if (attr && attr->size() > 255)
      v.Fail(attr, "timeToLiveSpecification.attributeName", "Member must have length less than or equal to 255");
  }
  RETURN_IF_ERROR(v.Done());
  RETURN_IF_ERROR(ctx.services.catalog
                      ->Update(*name,
                               [&](dynamo::TableInfo& t) -> Status {
                                 if (t.ttl_enabled && t.ttl_attribute != *attr) {
                                   return Status::InvalidArgument(
                                       "TimeToLive is active on a different AttributeName: current AttributeName is " +
                                       t.ttl_attribute);
                                 }
                                 if (*enabled && t.ttl_enabled)
                                   return Status::InvalidArgument("TimeToLive is already enabled");
                                 if (!*enabled && !t.ttl_enabled)
                                   return Status::InvalidArgument("TimeToLive is already disabled");
                                 t.ttl_enabled = *enabled;
                                 t.ttl_attribute = *attr;
                                 return Status::Ok();
                               })
                      .status());
  out.StartObject();
  out.Key("TimeToLiveSpecification");
  out.StartObject();
  out.Key("Enabled");
  out.Bool(*enabled);
  out.Key("AttributeName");
  out.String(*attr);
  out.EndObject();
  out.EndObject();
  return Status::Ok();
}

Status DescribeTimeToLive(OpContext& ctx, const json::Value& req, json::Writer& out) {
  ASSIGN_OR_RETURN(auto rt, FindRequestTable(ctx, req));
  auto info = rt->info();
  out.StartObject();
  out.Key("TimeToLiveDescription");
  out.StartObject();
  out.Key("TimeToLiveStatus");
  out.String(info->ttl_enabled ? "ENABLED" : "DISABLED");
  if (info->ttl_enabled) {
    out.Key("AttributeName");
    out.String(info->ttl_attribute);
  }
  out.EndObject();
  out.EndObject();
  return Status::Ok();
}

}  // namespace floe::api
