#include "parquet/schema_json.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "common/hex.h"

namespace floe::parquet {

namespace {

Status Bad(const std::string& where, const std::string& what) { return Status::InvalidArgument(where + ": " + what); }

Result<int32_t> IntMember(const json::Value& obj, const char* key, const std::string& where) {
  const json::Value* v = obj.Find(key);
  int64_t x;
  if (v == nullptr || !v->is_number() || !v->AsInt64(&x) || x < INT32_MIN || x > INT32_MAX) {
    return Bad(where, std::string("needs an integer \"") + key + "\"");
  }
  return static_cast<int32_t>(x);
}

bool BoolMember(const json::Value& obj, const char* key) {
  const json::Value* v = obj.Find(key);
  return v != nullptr && v->is_bool() && v->as_bool();
}

Status ParseType(const json::Value& t, const std::string& where, Field* f, int depth);

Result<Field> ParseField(const json::Value& j, const std::string& parent, int depth) {
  if (!j.is_object()) return Bad(parent, "fields must be objects");
  const json::Value* name = j.Find("name");
  if (name == nullptr || !name->is_string()) return Bad(parent, "a field needs a string \"name\"");
  std::string where = parent.empty() ? name->str() : parent + "." + name->str();
  Field f;
  f.name = name->str();
  ASSIGN_OR_RETURN(f.id, IntMember(j, "id", where));
  f.required = BoolMember(j, "required");
  const json::Value* type = j.Find("type");
  if (type == nullptr) return Bad(where, "needs a \"type\"");
  RETURN_IF_ERROR(ParseType(*type, where, &f, depth));
  return f;
}

Status ParsePrimitive(const std::string& s, const std::string& where, Field* f) {
  static const std::pair<const char*, TypeId> kNames[] = {
      {"boolean", TypeId::kBoolean},
      {"int", TypeId::kInt},
      {"long", TypeId::kLong},
      {"float", TypeId::kFloat},
      {"double", TypeId::kDouble},
      {"date", TypeId::kDate},
      {"time", TypeId::kTime},
      {"timestamp", TypeId::kTimestamp},
      {"timestamptz", TypeId::kTimestampTz},
      {"string", TypeId::kString},
      {"uuid", TypeId::kUuid},
      {"binary", TypeId::kBinary},
  };
  for (const auto& [n, id] : kNames) {
    if (s == n) {
      f->type = id;
      return Status::Ok();
    }
  }
  int a = 0, b = 0;
  char tail = 0;
  // %d skips leading whitespace, so "decimal(10, 2)" matches too.
  if (std::sscanf(s.c_str(), "decimal(%d,%d%c", &a, &b, &tail) == 3 && tail == ')') {
    f->type = TypeId::kDecimal;
    f->precision = a;
    f->scale = b;
    return Status::Ok();
  }
  if (std::sscanf(s.c_str(), "fixed[%d%c", &a, &tail) == 2 && tail == ']') {
    f->type = TypeId::kFixed;
    f->length = a;
    return Status::Ok();
  }
  return Bad(where, "unknown type \"" + s + "\"");
}

// depth: the nesting level of t; bounded here (explicitly, not by the JSON parser's limit)
// because a catalog client sends these schemas.
Status ParseType(const json::Value& t, const std::string& where, Field* f, int depth) {
  if (depth > kMaxNestingDepth) return Bad(where, "types nested too deeply");
  if (t.is_string()) return ParsePrimitive(t.str(), where, f);
  if (!t.is_object()) return Bad(where, "a type is a string or an object");
  const json::Value* kind = t.Find("type");
  if (kind == nullptr || !kind->is_string()) return Bad(where, "a nested type needs a string \"type\"");
  if (kind->str() == "struct") {
    f->type = TypeId::kStruct;
    const json::Value* fields = t.Find("fields");
    if (fields == nullptr || !fields->is_array()) return Bad(where, "a struct needs a \"fields\" array");
    for (const json::Value& c : fields->items()) {
      ASSIGN_OR_RETURN(Field child, ParseField(c, where, depth + 1));
      f->children.push_back(std::move(child));
    }
    return Status::Ok();
  }
  if (kind->str() == "list") {
    f->type = TypeId::kList;
    Field e;
    e.name = "element";
    ASSIGN_OR_RETURN(e.id, IntMember(t, "element-id", where));
    e.required = BoolMember(t, "element-required");
    const json::Value* et = t.Find("element");
    if (et == nullptr) return Bad(where, "a list needs an \"element\" type");
    RETURN_IF_ERROR(ParseType(*et, where + ".element", &e, depth + 1));
    f->children.push_back(std::move(e));
    return Status::Ok();
  }
  if (kind->str() == "map") {
    f->type = TypeId::kMap;
    Field k, v;
    k.name = "key";
    k.required = true;
    v.name = "value";
    ASSIGN_OR_RETURN(k.id, IntMember(t, "key-id", where));
    ASSIGN_OR_RETURN(v.id, IntMember(t, "value-id", where));
    v.required = BoolMember(t, "value-required");
    const json::Value* kt = t.Find("key");
    const json::Value* vt = t.Find("value");
    if (kt == nullptr || vt == nullptr) return Bad(where, "a map needs \"key\" and \"value\" types");
    RETURN_IF_ERROR(ParseType(*kt, where + ".key", &k, depth + 1));
    RETURN_IF_ERROR(ParseType(*vt, where + ".value", &v, depth + 1));
    f->children.push_back(std::move(k));
    f->children.push_back(std::move(v));
    return Status::Ok();
  }
  return Bad(where, "unknown nested type \"" + kind->str() + "\"");
}

void WriteField(const Field& f, json::Writer* w) {
  w->StartObject();
  w->Key("id");
  w->Int64(f.id);
  w->Key("name");
  w->String(f.name);
  w->Key("required");
  w->Bool(f.required);
  w->Key("type");
  WriteTypeJson(f, w);
  w->EndObject();
}

// ---- values

bool ParseDigits(std::string_view s, size_t* pos, size_t count, int64_t* out) {
  int64_t v = 0;
  for (size_t k = 0; k < count; ++k) {
    if (*pos >= s.size() || s[*pos] < '0' || s[*pos] > '9') return false;
    v = v * 10 + (s[(*pos)++] - '0');
  }
  *out = v;
  return true;
}

// "YYYY-MM-DD" at *pos.
bool ParseDate(std::string_view s, size_t* pos, int64_t* days) {
  int64_t y, m, d;
  bool neg = *pos < s.size() && s[*pos] == '-';
  if (neg) ++*pos;
  if (!ParseDigits(s, pos, 4, &y) || *pos >= s.size() || s[(*pos)++] != '-' || !ParseDigits(s, pos, 2, &m) ||
      *pos >= s.size() || s[(*pos)++] != '-' || !ParseDigits(s, pos, 2, &d)) {
    return false;
  }
  if (neg) y = -y;
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m == 2 && d == 29 && !leap) return false;
  *days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

// "HH:MM:SS[.ffffff]" at *pos, as microseconds.
bool ParseTime(std::string_view s, size_t* pos, int64_t* micros) {
  int64_t h, m, sec;
  if (!ParseDigits(s, pos, 2, &h) || *pos >= s.size() || s[(*pos)++] != ':' || !ParseDigits(s, pos, 2, &m) ||
      *pos >= s.size() || s[(*pos)++] != ':' || !ParseDigits(s, pos, 2, &sec)) {
    return false;
  }
  if (h > 23 || m > 59 || sec > 59) return false;
  int64_t frac = 0;
  if (*pos < s.size() && s[*pos] == '.') {
    ++*pos;
    size_t digits = 0;
    while (*pos < s.size() && s[*pos] >= '0' && s[*pos] <= '9') {
      if (digits == 6) return false;  // finer than microseconds would be lost
      frac = frac * 10 + (s[(*pos)++] - '0');
      ++digits;
    }
    if (digits == 0) return false;
    while (digits++ < 6) frac *= 10;
  }
  *micros = ((h * 60 + m) * 60 + sec) * 1000000 + frac;
  return true;
}

bool FromHex(std::string_view s, std::string* out) {
  if (s.size() % 2 != 0) return false;
  out->clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    int a = HexDigitValue(s[i]), b = HexDigitValue(s[i + 1]);
    if (a < 0 || b < 0) return false;
    out->push_back(static_cast<char>(a * 16 + b));
  }
  return true;
}

// A decimal string as the unscaled value at `scale`; more fraction digits than the scale are
// an error, never rounded.
bool ParseDecimal(std::string_view s, int scale, int128_t* out) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  int128_t v = 0;
  int frac = -1, digits = 0, significant = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.' && frac < 0) {
      frac = 0;
      continue;
    }
    if (c < '0' || c > '9') return false;
    if (frac >= 0 && ++frac > scale) return false;
    ++digits;
    if (v != 0 || c != '0') {
      if (++significant > 38) return false;
    }
    v = v * 10 + (c - '0');
  }
  if (digits == 0) return false;
  // Scaled, the value keeps at most 38 digits (more could not fit any precision).
  for (int k = frac < 0 ? 0 : frac; k < scale; ++k) {
    if (++significant > 38 && v != 0) return false;
    v *= 10;
  }
  *out = neg ? -v : v;
  return true;
}

Result<Value> ValueFromJson(const Field& f, const json::Value& j, const std::string& where) {
  if (j.is_null()) return Value::Null();
  auto wrong = [&]() { return Bad(where, "not a valid " + TypeName(f) + " value"); };
  int64_t x;
  switch (f.type) {
    case TypeId::kBoolean:
      if (!j.is_bool()) return wrong();
      return Value::Bool(j.as_bool());
    case TypeId::kInt:
    case TypeId::kLong:
      if (j.is_number() && j.AsInt64(&x)) return Value::Int(x);
      if (j.is_string()) {
        char* end = nullptr;
        errno = 0;
        long long y = std::strtoll(j.str().c_str(), &end, 10);
        if (errno == 0 && !j.str().empty() && *end == '\0') return Value::Int(y);
      }
      return wrong();
    case TypeId::kFloat:
    case TypeId::kDouble: {
      double d;
      if (j.is_number() && j.AsDouble(&d)) {
      } else if (j.is_string() && j.str() == "NaN") {
        d = std::numeric_limits<double>::quiet_NaN();
      } else if (j.is_string() && j.str() == "Infinity") {
        d = std::numeric_limits<double>::infinity();
      } else if (j.is_string() && j.str() == "-Infinity") {
        d = -std::numeric_limits<double>::infinity();
      } else {
        return wrong();
      }
      if (f.type == TypeId::kFloat) {
        // Float values are parsed as float from the text itself, not rounded twice.
        float v = j.is_number() ? std::strtof(j.str().c_str(), nullptr) : static_cast<float>(d);
        return Value::Float(v);
      }
      return Value::Double(j.is_number() ? std::strtod(j.str().c_str(), nullptr) : d);
    }
    case TypeId::kDecimal: {
      int128_t v;
      if ((!j.is_string() && !j.is_number()) || !ParseDecimal(j.str(), f.scale, &v)) return wrong();
      return Value::Decimal(v);
    }
    case TypeId::kDate: {
      if (j.is_number() && j.AsInt64(&x)) return Value::Int(x);
      size_t pos = 0;
      int64_t days;
      if (!j.is_string() || !ParseDate(j.str(), &pos, &days) || pos != j.str().size()) return wrong();
      return Value::Int(days);
    }
    case TypeId::kTime: {
      if (j.is_number() && j.AsInt64(&x)) return Value::Int(x);
      size_t pos = 0;
      int64_t micros;
      if (!j.is_string() || !ParseTime(j.str(), &pos, &micros) || pos != j.str().size()) return wrong();
      return Value::Int(micros);
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      if (j.is_number() && j.AsInt64(&x)) return Value::Int(x);
      if (!j.is_string()) return wrong();
      const std::string& s = j.str();
      size_t pos = 0;
      int64_t days, micros;
      if (!ParseDate(s, &pos, &days) || pos >= s.size() || (s[pos] != 'T' && s[pos] != ' ')) return wrong();
      ++pos;
      if (!ParseTime(s, &pos, &micros)) return wrong();
      int64_t offset = 0;
      if (pos < s.size()) {
        if (f.type == TypeId::kTimestamp) return wrong();  // a local timestamp has no offset
        if (s[pos] == 'Z' && pos + 1 == s.size()) {
          pos = s.size();
        } else if (s[pos] == '+' || s[pos] == '-') {
          int sign = s[pos++] == '-' ? -1 : 1;
          int64_t oh, om;
          if (!ParseDigits(s, &pos, 2, &oh) || pos >= s.size() || s[pos++] != ':' || !ParseDigits(s, &pos, 2, &om) ||
              pos != s.size()) {
            return wrong();
          }
          offset = sign * (oh * 60 + om) * 60 * 1000000;
        } else {
          return wrong();
        }
      }
      return Value::Int(days * 86400LL * 1000000LL + micros - offset);
    }
    case TypeId::kString:
      if (!j.is_string()) return wrong();
      return Value::Bytes(j.str());
    case TypeId::kUuid: {
      if (!j.is_string()) return wrong();
      std::string hex;
      const std::string& s = j.str();
      if (s.size() != 36) return wrong();
      for (size_t i = 0; i < s.size(); ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
          if (s[i] != '-') return wrong();
        } else {
          hex.push_back(s[i]);
        }
      }
      std::string bytes;
      if (!FromHex(hex, &bytes)) return wrong();
      return Value::Bytes(std::move(bytes));
    }
    case TypeId::kBinary:
    case TypeId::kFixed: {
      std::string bytes;
      if (!j.is_string() || !FromHex(j.str(), &bytes)) return wrong();
      return Value::Bytes(std::move(bytes));
    }
    case TypeId::kStruct: {
      if (!j.is_object()) return wrong();
      std::vector<Value> fields(f.children.size());
      for (const auto& [name, member] : j.members()) {
        size_t i = 0;
        while (i < f.children.size() && f.children[i].name != name) ++i;
        if (i == f.children.size()) return Bad(where, "has no field named " + name);
        ASSIGN_OR_RETURN(fields[i], ValueFromJson(f.children[i], member, where + "." + name));
      }
      return Value::Struct(std::move(fields));
    }
    case TypeId::kList: {
      if (!j.is_array()) return wrong();
      std::vector<Value> items;
      items.reserve(j.items().size());
      for (const json::Value& e : j.items()) {
        ASSIGN_OR_RETURN(Value v, ValueFromJson(f.children[0], e, where + "[]"));
        items.push_back(std::move(v));
      }
      return Value::List(std::move(items));
    }
    case TypeId::kMap: {
      const json::Value* keys = j.is_object() ? j.Find("keys") : nullptr;
      const json::Value* values = j.is_object() ? j.Find("values") : nullptr;
      if (keys == nullptr || values == nullptr || !keys->is_array() || !values->is_array() ||
          keys->items().size() != values->items().size()) {
        return Bad(where, "a map value is {\"keys\": [...], \"values\": [...]} of equal lengths");
      }
      std::vector<Value> kv;
      for (size_t i = 0; i < keys->items().size(); ++i) {
        ASSIGN_OR_RETURN(Value k, ValueFromJson(f.children[0], keys->items()[i], where + ".key"));
        ASSIGN_OR_RETURN(Value v, ValueFromJson(f.children[1], values->items()[i], where + ".value"));
        kv.push_back(std::move(k));
        kv.push_back(std::move(v));
      }
      return Value::Map(std::move(kv));
    }
  }
  return wrong();
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's days_from_civil.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Result<Schema> SchemaFromJson(const json::Value& doc) {
  const json::Value* fields = &doc;
  if (doc.is_object()) {
    const json::Value* t = doc.Find("type");
    if (t != nullptr && (!t->is_string() || t->str() != "struct")) {
      return Status::InvalidArgument("schema: the top-level type must be \"struct\"");
    }
    fields = doc.Find("fields");
  }
  if (fields == nullptr || !fields->is_array()) {
    return Status::InvalidArgument("schema: expected {\"type\": \"struct\", \"fields\": [...]}");
  }
  Schema schema;
  for (const json::Value& f : fields->items()) {
    ASSIGN_OR_RETURN(Field field, ParseField(f, "", 1));
    schema.fields.push_back(std::move(field));
  }
  RETURN_IF_ERROR(ValidateSchema(schema));
  return schema;
}

Result<Value> RowFromJson(const Schema& schema, const json::Value& row) {
  if (!row.is_object()) return Status::InvalidArgument("a row must be a JSON object");
  std::vector<Value> values(schema.fields.size());
  for (const auto& [name, member] : row.members()) {
    size_t i = 0;
    while (i < schema.fields.size() && schema.fields[i].name != name) ++i;
    if (i == schema.fields.size()) return Status::InvalidArgument("the schema has no field named " + name);
    ASSIGN_OR_RETURN(values[i], ValueFromJson(schema.fields[i], member, name));
  }
  return Value::Struct(std::move(values));
}

void WriteTypeJson(const Field& f, json::Writer* w) {
  switch (f.type) {
    case TypeId::kStruct:
      w->StartObject();
      w->Key("type");
      w->String("struct");
      w->Key("fields");
      w->StartArray();
      for (const Field& c : f.children) WriteField(c, w);
      w->EndArray();
      w->EndObject();
      return;
    case TypeId::kList:
      w->StartObject();
      w->Key("type");
      w->String("list");
      w->Key("element-id");
      w->Int64(f.children[0].id);
      w->Key("element");
      WriteTypeJson(f.children[0], w);
      w->Key("element-required");
      w->Bool(f.children[0].required);
      w->EndObject();
      return;
    case TypeId::kMap:
      w->StartObject();
      w->Key("type");
      w->String("map");
      w->Key("key-id");
      w->Int64(f.children[0].id);
      w->Key("key");
      WriteTypeJson(f.children[0], w);
      w->Key("value-id");
      w->Int64(f.children[1].id);
      w->Key("value");
      WriteTypeJson(f.children[1], w);
      w->Key("value-required");
      w->Bool(f.children[1].required);
      w->EndObject();
      return;
    default: w->String(TypeName(f));
  }
}

void WriteSchemaMembers(const Schema& schema, json::Writer* w) {
  w->Key("type");
  w->String("struct");
  w->Key("fields");
  w->StartArray();
  for (const Field& f : schema.fields) WriteField(f, w);
  w->EndArray();
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  // Howard Hinnant's civil_from_days.
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

}  // namespace floe::parquet
