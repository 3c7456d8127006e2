#include "cli/config_file.h"

#include <fstream>
#include <sstream>

namespace floe::cli {

Result<json::Value> ReadConfigObject(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("cannot read config file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  auto parsed = json::Parse(ss.str());
  if (!parsed.ok()) return Status::InvalidArgument("config file '" + path + "' is not valid JSON: " + parsed.status().message());
  if (!parsed->is_object()) return Status::InvalidArgument("config file '" + path + "' must hold a JSON object");
  return std::move(parsed).value();
}

std::string ConfigDir(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

}  // namespace floe::cli
