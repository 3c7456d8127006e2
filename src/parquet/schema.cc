#include "parquet/schema.h"

#include <set>

namespace floe::parquet {

Field Primitive(int32_t id, std::string name, TypeId type, bool required) {
  Field f;
  f.id = id;
  f.name = std::move(name);
  f.type = type;
  f.required = required;
  return f;
}

Field Decimal(int32_t id, std::string name, int32_t precision, int32_t scale, bool required) {
  Field f = Primitive(id, std::move(name), TypeId::kDecimal, required);
  f.precision = precision;
  f.scale = scale;
  return f;
}

Field Fixed(int32_t id, std::string name, int32_t length, bool required) {
  Field f = Primitive(id, std::move(name), TypeId::kFixed, required);
  f.length = length;
  return f;
}

Field Struct(int32_t id, std::string name, std::vector<Field> fields, bool required) {
  Field f = Primitive(id, std::move(name), TypeId::kStruct, required);
  f.children = std::move(fields);
  return f;
}

Field List(int32_t id, std::string name, Field element, bool required) {
  Field f = Primitive(id, std::move(name), TypeId::kList, required);
  element.name = "element";
  f.children.push_back(std::move(element));
  return f;
}

Field Map(int32_t id, std::string name, Field key, Field value, bool required) {
  Field f = Primitive(id, std::move(name), TypeId::kMap, required);
  key.name = "key";
  key.required = true;
  value.name = "value";
  f.children.push_back(std::move(key));
  f.children.push_back(std::move(value));
  return f;
}

int32_t DecimalBytes(int32_t precision) {
  // Smallest n with 2^(8n-1) > 10^precision - 1.
  for (int32_t n = 1; n <= 16; ++n) {
    long double max = 1;
    for (int i = 0; i < 8 * n - 1; ++i) max *= 2;
    long double need = 1;
    for (int i = 0; i < precision; ++i) need *= 10;
    if (max >= need) return n;
  }
  return 16;
}

std::string TypeName(const Field& f) {
  switch (f.type) {
    case TypeId::kBoolean: return "boolean";
    case TypeId::kInt: return "int";
    case TypeId::kLong: return "long";
    case TypeId::kFloat: return "float";
    case TypeId::kDouble: return "double";
    case TypeId::kDecimal: return "decimal(" + std::to_string(f.precision) + "," + std::to_string(f.scale) + ")";
    case TypeId::kDate: return "date";
    case TypeId::kTime: return "time";
    case TypeId::kTimestamp: return "timestamp";
    case TypeId::kTimestampTz: return "timestamptz";
    case TypeId::kString: return "string";
    case TypeId::kUuid: return "uuid";
    case TypeId::kFixed: return "fixed[" + std::to_string(f.length) + "]";
    case TypeId::kBinary: return "binary";
    case TypeId::kStruct: {
      std::string s = "struct<";
      for (size_t i = 0; i < f.children.size(); ++i) {
        if (i) s += ",";
        s += f.children[i].name + ":" + TypeName(f.children[i]);
      }
      return s + ">";
    }
    case TypeId::kList: return "list<" + (f.children.empty() ? "?" : TypeName(f.children[0])) + ">";
    case TypeId::kMap:
      return "map<" + (f.children.size() < 2 ? "?" : TypeName(f.children[0]) + "," + TypeName(f.children[1])) + ">";
  }
  return "?";
}

namespace {

Status CheckField(const Field& f, const std::string& path, int depth, std::set<int32_t>* ids) {
  if (f.name.empty()) return Status::InvalidArgument("field " + path + " has an empty name");
  if (f.id <= 0) return Status::InvalidArgument("field " + path + " needs a positive field id");
  if (!ids->insert(f.id).second) return Status::InvalidArgument("field id " + std::to_string(f.id) + " is used twice");
  if (depth > kMaxNestingDepth) {
    return Status::InvalidArgument("field " + path + " is nested deeper than " + std::to_string(kMaxNestingDepth));
  }
  switch (f.type) {
    case TypeId::kDecimal:
      if (f.precision < 1 || f.precision > 38) {
        return Status::InvalidArgument("decimal field " + path + " needs a precision between 1 and 38");
      }
      if (f.scale < 0 || f.scale > f.precision) {
        return Status::InvalidArgument("decimal field " + path + " needs a scale between 0 and its precision");
      }
      break;
    case TypeId::kFixed:
      if (f.length <= 0) return Status::InvalidArgument("fixed field " + path + " needs a positive length");
      break;
    case TypeId::kStruct: {
      std::set<std::string> names;
      for (const Field& c : f.children) {
        if (!names.insert(c.name).second) {
          return Status::InvalidArgument("struct " + path + " has two fields named " + c.name);
        }
        RETURN_IF_ERROR(CheckField(c, path + "." + c.name, depth + 1, ids));
      }
      break;
    }
    case TypeId::kList:
      if (f.children.size() != 1) return Status::InvalidArgument("list " + path + " needs exactly one element field");
      RETURN_IF_ERROR(CheckField(f.children[0], path + ".element", depth + 1, ids));
      break;
    case TypeId::kMap:
      if (f.children.size() != 2) return Status::InvalidArgument("map " + path + " needs a key and a value field");
      if (!f.children[0].required) return Status::InvalidArgument("map " + path + " needs a required key");
      RETURN_IF_ERROR(CheckField(f.children[0], path + ".key", depth + 1, ids));
      RETURN_IF_ERROR(CheckField(f.children[1], path + ".value", depth + 1, ids));
      break;
    default:
      if (!f.children.empty()) return Status::InvalidArgument("primitive field " + path + " cannot have children");
      break;
  }
  return Status::Ok();
}

}  // namespace

Status ValidateSchema(const Schema& schema) {
  if (schema.fields.empty()) return Status::InvalidArgument("a schema needs at least one field");
  std::set<int32_t> ids;
  std::set<std::string> names;
  for (const Field& f : schema.fields) {
    if (!names.insert(f.name).second) return Status::InvalidArgument("the schema has two fields named " + f.name);
    RETURN_IF_ERROR(CheckField(f, f.name, 1, &ids));
  }
  return Status::Ok();
}

}  // namespace floe::parquet
