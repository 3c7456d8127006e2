#include "dynamo/attribute_json.h"

#include <algorithm>
#include <unordered_set>

#include "common/base64.h"
#include "dynamo/decimal.h"
#include "json/json.h"

namespace floe::dynamo {

namespace {

constexpr char kInvalid[] = "One or more parameter values were invalid: ";

Status WrongJsonType(const char* expected) {
  return Status::Serialization(std::string("Unexpected JSON value, expected ") + expected);
}

Result<std::string> DecodeBinary(const json::Value& v) {
  if (!v.is_string()) return WrongJsonType("a base64 string");
  auto r = Base64Decode(v.str());
  if (!r.ok())
    return Status::Serialization("'" + v.str() + "' can not be converted to a Blob: " + r.status().message());
  return std::move(r).value();
}

std::string JoinForMessage(const std::vector<std::string>& items) {
  std::string s = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) s += ", ";
    s += items[i];
  }
  return s + "]";
}

Status CheckDuplicates(const std::vector<std::string>& canonical, const std::vector<std::string>& shown,
                       const char* type_suffix) {
  std::unordered_set<std::string> seen;
  seen.reserve(canonical.size());
  for (const auto& s : canonical) {
    if (!seen.insert(s).second) {
      return Status::InvalidArgument(std::string(kInvalid) + "Input collection " + JoinForMessage(shown) + type_suffix +
                                     " contains duplicates.");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<AttributeValue> AttributeValueFromJson(const json::Value& v, int depth) {
  if (!v.is_object()) return WrongJsonType("an AttributeValue object");
  const json::Value* field = nullptr;
  std::string_view type_name;
  int set_count = 0;
  for (const auto& [name, value] : v.members()) {
    if (value.is_null()) continue;  // absent, as the AWS JSON protocol treats null
    static const char* kTypes[] = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"};
    if (std::find_if(std::begin(kTypes), std::end(kTypes), [&name = name](const char* t) { return name == t; }) ==
        std::end(kTypes)) {
      continue;  // unknown members are ignored, as by DynamoDB
    }
    ++set_count;
    field = &value;
    type_name = name;
  }
  if (set_count == 0) {
    return Status::InvalidArgument(
        std::string(kInvalid) +
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  }
  if (set_count > 1) {
    return Status::InvalidArgument(
        std::string(kInvalid) +
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
  }
  const json::Value& f = *field;
  AttributeValue out;
  if (type_name == "S") {
    if (!f.is_string()) return WrongJsonType("a string");
    return AttributeValue::S(f.str());
  }
  if (type_name == "N") {
    if (!f.is_string()) return WrongJsonType("a number as a string");
    ASSIGN_OR_RETURN(Decimal d, Decimal::Parse(f.str()));
    return AttributeValue::N(d.ToString());
  }
  if (type_name == "B") {
    ASSIGN_OR_RETURN(std::string bytes, DecodeBinary(f));
    return AttributeValue::B(std::move(bytes));
  }
  if (type_name == "BOOL") {
    if (!f.is_bool()) return WrongJsonType("a boolean");
    return AttributeValue::Bool(f.as_bool());
  }
  if (type_name == "NULL") {
    if (!f.is_bool()) return WrongJsonType("a boolean");
    if (!f.as_bool()) {
      return Status::InvalidArgument(std::string(kInvalid) + "Null attribute value types must have the value of true");
    }
    return AttributeValue::Null();
  }
  if (type_name == "M" || type_name == "L") {
    if (depth + 1 > kMaxNestingDepth) {
      return Status::InvalidArgument("Nesting Levels have exceeded supported limits");
    }
    if (type_name == "M") {
      if (!f.is_object()) return WrongJsonType("a map");
      out.type = AttrType::kM;
      for (const auto& [name, child] : f.members()) {
        if (child.is_null()) continue;
        ASSIGN_OR_RETURN(AttributeValue c, AttributeValueFromJson(child, depth + 1));
        out.map[name] = std::move(c);
      }
      return out;
    }
    if (!f.is_array()) return WrongJsonType("a list");
    out.type = AttrType::kL;
    out.list.reserve(f.items().size());
    for (const auto& child : f.items()) {
      ASSIGN_OR_RETURN(AttributeValue c, AttributeValueFromJson(child, depth + 1));
      out.list.push_back(std::move(c));
    }
    return out;
  }
  // Sets.
  if (!f.is_array()) return WrongJsonType("a list");
  const char* empty_name = type_name == "SS" ? "string" : type_name == "NS" ? "number" : "binary";
  if (f.items().empty()) {
    return Status::InvalidArgument(std::string(kInvalid) + "An " + empty_name + " set  may not be empty");
  }
  std::vector<std::string> shown;
  shown.reserve(f.items().size());
  out.set.reserve(f.items().size());
  for (const auto& e : f.items()) {
    if (type_name == "BS") {
      ASSIGN_OR_RETURN(std::string bytes, DecodeBinary(e));
      shown.push_back(e.str());
      out.set.push_back(std::move(bytes));
    } else {
      if (!e.is_string()) return WrongJsonType("a string");
      shown.push_back(e.str());
      if (type_name == "NS") {
        ASSIGN_OR_RETURN(Decimal d, Decimal::Parse(e.str()));
        out.set.push_back(d.ToString());
      } else {
        out.set.push_back(e.str());
      }
    }
  }
  if (type_name == "SS") {
    out.type = AttrType::kSS;
    RETURN_IF_ERROR(CheckDuplicates(out.set, shown, ""));
  } else if (type_name == "NS") {
    out.type = AttrType::kNS;
    RETURN_IF_ERROR(CheckDuplicates(out.set, shown, ""));
  } else {
    out.type = AttrType::kBS;
    RETURN_IF_ERROR(CheckDuplicates(out.set, shown, "of type BS"));
  }
  return out;
}

Result<AttributeMap> AttributeMapFromJson(const json::Value& v) {
  if (!v.is_object()) return WrongJsonType("a map of attribute values");
  AttributeMap out;
  for (const auto& [name, child] : v.members()) {
    if (child.is_null()) continue;
    ASSIGN_OR_RETURN(AttributeValue c, AttributeValueFromJson(child, 0));
    out[name] = std::move(c);
  }
  return out;
}

void WriteAttributeValue(json::Writer& w, const AttributeValue& v) {
  w.StartObject();
  w.Key(AttrTypeName(v.type));
  switch (v.type) {
    case AttrType::kS:
    case AttrType::kN: w.String(v.scalar); break;
    case AttrType::kB: w.String(Base64Encode(v.scalar)); break;
    case AttrType::kBool: w.Bool(v.boolean); break;
    case AttrType::kNull: w.Bool(true); break;
    case AttrType::kM: WriteAttributeMap(w, v.map); break;
    case AttrType::kL:
      w.StartArray();
      for (const auto& e : v.list) WriteAttributeValue(w, e);
      w.EndArray();
      break;
    case AttrType::kSS:
    case AttrType::kNS:
      w.StartArray();
      for (const auto& e : v.set) w.String(e);
      w.EndArray();
      break;
    case AttrType::kBS:
      w.StartArray();
      for (const auto& e : v.set) w.String(Base64Encode(e));
      w.EndArray();
      break;
  }
  w.EndObject();
}

void WriteAttributeMap(json::Writer& w, const AttributeMap& m) {
  w.StartObject();
  for (const auto& [name, v] : m) {
    w.Key(name);
    WriteAttributeValue(w, v);
  }
  w.EndObject();
}

}  // namespace floe::dynamo
