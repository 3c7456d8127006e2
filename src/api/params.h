#pragma once
// Typed access to request members and DynamoDB-style constraint validation.
// Internal to the api module.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "json/json.h"

namespace floe::api {

// Members of the wrong JSON type are SerializationException (kSerialization); null is
// treated as absent, as the AWS JSON protocol does.
Status OptString(const json::Value& o, std::string_view key, std::optional<std::string>* out);
Status OptInt(const json::Value& o, std::string_view key, std::optional<int64_t>* out);
Status OptBool(const json::Value& o, std::string_view key, std::optional<bool>* out);
Status OptObject(const json::Value& o, std::string_view key, const json::Value** out);
Status OptArray(const json::Value& o, std::string_view key, const json::Value** out);
// A list of strings.
Status OptStringList(const json::Value& o, std::string_view key, std::optional<std::vector<std::string>>* out);

// Collects constraint violations and reports them as DynamoDB does:
// "2 validation errors detected: Value 'x' at 'tableName' failed to satisfy constraint: ...; ..."
class Validator {
 public:
  void Fail(const std::optional<std::string>& value, std::string_view path, std::string_view constraint);
  void NotNull(bool present, std::string_view path);
  void TableName(const std::optional<std::string>& name, std::string_view path, bool required = true);
  void Enum(const std::optional<std::string>& value, std::string_view path, const std::vector<std::string>& allowed);
  void Min(const std::optional<int64_t>& value, std::string_view path, int64_t min);
  void Max(const std::optional<int64_t>& value, std::string_view path, int64_t max);
  void LengthMin(size_t length, std::string_view path, size_t min, const std::string& shown);
  void LengthMax(size_t length, std::string_view path, size_t max, const std::string& shown);
  Status Done() const;
  bool ok() const { return errors_.empty(); }

 private:
  std::vector<std::string> errors_;
};

}  // namespace floe::api
