#pragma once
// Reading a JSON config file (floe serve --config, floe replicate --config).
#include <string>

#include "common/status.h"
#include "json/json.h"

namespace floe::cli {

// The file's JSON object. Errors: kInvalidArgument naming the file (unreadable, not JSON, not
// an object).
Result<json::Value> ReadConfigObject(const std::string& path);
// The directory of a config file: relative paths inside it are resolved against this.
std::string ConfigDir(const std::string& path);

}  // namespace floe::cli
