#include "cli/config_file.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace floe::cli {

Result<json::Value> ReadConfigObject(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("cannot read config file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  auto parsed = json::Parse(ss.str());
  if (!parsed.ok())
    return Status::InvalidArgument("config file '" + path + "' is not valid JSON: " + parsed.status().message());
  if (!parsed->is_object()) return Status::InvalidArgument("config file '" + path + "' must hold a JSON object");
  return std::move(parsed).value();
}

std::string ConfigDir(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

Status ParseS3Options(const std::string& s3_json, objstore::S3Options* o) {
  std::string path_style;
  o->region.clear();  // set below from the file, the environment, or the default
  if (!s3_json.empty()) {
    ASSIGN_OR_RETURN(json::Value v, json::Parse(s3_json));
    if (!v.is_object()) return Status::InvalidArgument("config key 's3' must be an object");
    const std::map<std::string, std::string*> strings = {{"endpoint", &o->endpoint},
                                                         {"region", &o->region},
                                                         {"accessKeyId", &o->credentials.access_key},
                                                         {"secretAccessKey", &o->credentials.secret_key},
                                                         {"sessionToken", &o->credentials.session_token},
                                                         {"caBundle", &o->ca_file}};
    for (const auto& [key, x] : v.members()) {
      if (auto it = strings.find(key); it != strings.end()) {
        if (!x.is_string()) return Status::InvalidArgument("config key 's3." + key + "' must be a string");
        *it->second = x.str();
      } else if (key == "forcePathStyle") {
        if (!x.is_bool()) return Status::InvalidArgument("config key 's3.forcePathStyle' must be true or false");
        path_style = x.as_bool() ? "true" : "false";
      } else {
        return Status::InvalidArgument("unknown config key 's3." + key + "'");
      }
    }
  }
  auto fallback = [](std::string* field, std::initializer_list<const char*> names) {
    for (const char* n : names) {
      if (field->empty()) *field = Env(n);
    }
  };
  fallback(&o->endpoint, {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"});
  fallback(&o->region, {"AWS_REGION", "AWS_DEFAULT_REGION"});
  if (o->region.empty()) o->region = "us-east-1";
  if (o->credentials.access_key.empty() && o->credentials.secret_key.empty()) {
    o->credentials.access_key = Env("AWS_ACCESS_KEY_ID");
    o->credentials.secret_key = Env("AWS_SECRET_ACCESS_KEY");
    if (o->credentials.session_token.empty()) o->credentials.session_token = Env("AWS_SESSION_TOKEN");
  }
  fallback(&o->ca_file, {"AWS_CA_BUNDLE"});
  // Custom endpoints (MinIO and the like) mostly want path-style; AWS wants virtual-hosted.
  o->path_style = path_style.empty() ? !o->endpoint.empty() : path_style == "true";
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<objstore::Store>> MakeWarehouseStore(bool durable, const std::string& warehouse,
                                                            const std::vector<pipeline::ReplicationConfig>& configs,
                                                            const std::string& s3_json) {
  std::vector<std::string> warehouses{warehouse};
  for (const auto& c : configs) {
    if (c.warehouse.empty()) continue;
    auto w = objstore::ResolveWarehouse(c.warehouse);
    if (!w.ok()) return Status::InvalidArgument("replication " + c.Name() + ": warehouse: " + w.status().message());
    warehouses.push_back(*w);
  }
  std::unique_ptr<objstore::Store> s3;
  for (const auto& w : warehouses) {
    if (!objstore::IsS3Location(w) || s3) continue;
    objstore::S3Options o;
    RETURN_IF_ERROR(ParseS3Options(s3_json, &o));
    auto made = objstore::NewS3Store(std::move(o));
    if (!made.ok()) return Status::InvalidArgument("warehouse " + w + ": " + made.status().message());
    s3 = std::move(made).value();
  }
  if (!s3 && !s3_json.empty()) {
    objstore::S3Options o;
    RETURN_IF_ERROR(ParseS3Options(s3_json, &o));  // still checked when unused
  }
  return objstore::NewRoutingStore(objstore::NewLocalStore(durable), std::move(s3));
}

}  // namespace floe::cli
