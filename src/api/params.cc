#include "api/params.h"

#include <cctype>

namespace floe::api {

namespace {
Status WrongType(std::string_view key, const char* expected) {
  return Status::Serialization("Unexpected value type for '" + std::string(key) + "': expected " + expected);
}
}  // namespace

Status OptString(const json::Value& o, std::string_view key, std::optional<std::string>* out) {
  const json::Value* v = o.Find(key);
  if (!v || v->is_null()) return Status::Ok();
  if (!v->is_string()) return WrongType(key, "a string");
  *out = v->str();
  return Status::Ok();
}

Status OptInt(const json::Value& o, std::string_view key, std::optional<int64_t>* out) {
  const json::Value* v = o.Find(key);
  if (!v || v->is_null()) return Status::Ok();
  if (!v->is_number()) return WrongType(key, "a number");
  int64_t i;
  if (v->AsInt64(&i)) {
    *out = i;
    return Status::Ok();
  }
  double d;
  if (!v->AsDouble(&d)) return WrongType(key, "a number");
  if (d > 9.2e18) d = 9.2e18;
  if (d < -9.2e18) d = -9.2e18;
  *out = static_cast<int64_t>(d);  // Coral truncates fractional integers
  return Status::Ok();
}

Status OptBool(const json::Value& o, std::string_view key, std::optional<bool>* out) {
  const json::Value* v = o.Find(key);
  if (!v || v->is_null()) return Status::Ok();
  if (!v->is_bool()) return WrongType(key, "a boolean");
  *out = v->as_bool();
  return Status::Ok();
}

Status OptObject(const json::Value& o, std::string_view key, const json::Value** out) {
  *out = nullptr;
  const json::Value* v = o.Find(key);
  if (!v || v->is_null()) return Status::Ok();
  if (!v->is_object()) return WrongType(key, "an object");
  *out = v;
  return Status::Ok();
}

Status OptArray(const json::Value& o, std::string_view key, const json::Value** out) {
  *out = nullptr;
  const json::Value* v = o.Find(key);
  if (!v || v->is_null()) return Status::Ok();
  if (!v->is_array()) return WrongType(key, "a list");
  *out = v;
  return Status::Ok();
}

Status OptStringList(const json::Value& o, std::string_view key, std::optional<std::vector<std::string>>* out) {
  const json::Value* arr = nullptr;
  RETURN_IF_ERROR(OptArray(o, key, &arr));
  if (!arr) return Status::Ok();
  std::vector<std::string> items;
  for (const auto& e : arr->items()) {
    if (!e.is_string()) return WrongType(key, "a list of strings");
    items.push_back(e.str());
  }
  *out = std::move(items);
  return Status::Ok();
}

void Validator::Fail(const std::optional<std::string>& value, std::string_view path, std::string_view constraint) {
  std::string shown = value ? "'" + *value + "'" : "null";
  errors_.push_back("Value " + shown + " at '" + std::string(path) +
                    "' failed to satisfy constraint: " + std::string(constraint));
}

void Validator::NotNull(bool present, std::string_view path) {
  if (!present) Fail(std::nullopt, path, "Member must not be null");
}

void Validator::TableName(const std::optional<std::string>& name, std::string_view path, bool required) {
  if (!name) {
    if (required) NotNull(false, path);
    return;
  }
  bool pattern_ok = !name->empty();
  for (char c : *name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) pattern_ok = false;
  }
  if (!pattern_ok) Fail(name, path, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  if (name->size() < 3) Fail(name, path, "Member must have length greater than or equal to 3");
  if (name->size() > 255) Fail(name, path, "Member must have length less than or equal to 255");
}

void Validator::Enum(const std::optional<std::string>& value, std::string_view path,
                     const std::vector<std::string>& allowed) {
  if (!value) return;
  for (const auto& a : allowed) {
    if (*value == a) return;
  }
  std::string set = "[";
  for (size_t i = 0; i < allowed.size(); ++i) {
    if (i) set += ", ";
    set += allowed[i];
  }
  Fail(value, path, "Member must satisfy enum value set: " + set + "]");
}

void Validator::Min(const std::optional<int64_t>& value, std::string_view path, int64_t min) {
  if (value && *value < min) {
    Fail(std::to_string(*value), path, "Member must have value greater than or equal to " + std::to_string(min));
  }
}

void Validator::Max(const std::optional<int64_t>& value, std::string_view path, int64_t max) {
  if (value && *value > max) {
    Fail(std::to_string(*value), path, "Member must have value less than or equal to " + std::to_string(max));
  }
}

void Validator::LengthMin(size_t length, std::string_view path, size_t min, const std::string& shown) {
  if (length < min) Fail(shown, path, "Member must have length greater than or equal to " + std::to_string(min));
}

void Validator::LengthMax(size_t length, std::string_view path, size_t max, const std::string& shown) {
  if (length > max) Fail(shown, path, "Member must have length less than or equal to " + std::to_string(max));
}

Status Validator::Done() const {
  if (errors_.empty()) return Status::Ok();
  std::string msg =
      std::to_string(errors_.size()) + " validation error" + (errors_.size() > 1 ? "s" : "") + " detected: ";
  for (size_t i = 0; i < errors_.size() && i < 10; ++i) {
    if (i) msg += "; ";
    msg += errors_[i];
  }
  return Status::InvalidArgument(msg);
}

}  // namespace floe::api
