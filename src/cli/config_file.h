#pragma once
// Reading a JSON config file (floe serve --config, floe replicate --config).
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "json/json.h"
#include "objstore/store.h"
#include "pipeline/config.h"

namespace floe::cli {

// The file's JSON object. Errors: kInvalidArgument naming the file (unreadable, not JSON, not
// an object).
Result<json::Value> ReadConfigObject(const std::string& path);
// The directory of a config file: relative paths inside it are resolved against this.
std::string ConfigDir(const std::string& path);

// The store for a process's warehouses: its own (`warehouse`, as objstore::ResolveWarehouse
// gives it) and those its replications name. Local directories always, and S3 when one of
// them is s3://, configured by the config file's
// "s3" object (s3_json; keys endpoint, region, accessKeyId, secretAccessKey, sessionToken,
// forcePathStyle, caBundle), each unset key falling back to the environment as the AWS CLI
// reads it (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, AWS_REGION or AWS_DEFAULT_REGION,
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CA_BUNDLE).
// Errors: kInvalidArgument naming the key, the replication whose warehouse is bad, or what is
// missing.
Result<std::unique_ptr<objstore::Store>> MakeWarehouseStore(bool durable, const std::string& warehouse,
                                                            const std::vector<pipeline::ReplicationConfig>& configs,
                                                            const std::string& s3_json);

}  // namespace floe::cli
