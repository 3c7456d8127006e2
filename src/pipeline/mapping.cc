#include "pipeline/mapping.h"

#include <cstdlib>
#include <set>

#include "common/base64.h"
#include "dynamo/attribute_json.h"
#include "dynamo/decimal.h"
#include "json/json.h"
#include "parquet/schema_json.h"

namespace floe::pipeline {
namespace {

using dynamo::AttributeValue;
using dynamo::AttrType;
using parquet::Field;
using parquet::int128_t;
using parquet::TypeId;
using parquet::Value;

void AssignIds(Field* f, int32_t* next) {
  f->id = (*next)++;
  for (Field& c : f->children) AssignIds(&c, next);
}

Status Mismatch(const std::string& where, const Field& f, const std::string& what) {
  return Status::InvalidArgument(where + " (" + parquet::TypeName(f) + "): " + what);
}

std::string Got(const AttributeValue& v) { return std::string("got ") + dynamo::AttrTypeName(v.type); }

// The exact integer of a canonical DynamoDB number, scaled by 10^scale; nullopt when it has
// more fraction digits than scale or more than max_digits digits.
std::optional<int128_t> Scaled(const std::string& text, int scale, int max_digits) {
  auto d = dynamo::Decimal::Parse(text);
  if (!d.ok()) return std::nullopt;
  if (d->is_zero()) return int128_t{0};
  const int n = static_cast<int>(d->digits().size());
  const int shift = d->exponent() - n + scale;
  if (shift < 0 || n + shift > max_digits) return std::nullopt;
  int128_t v = 0;
  for (char c : d->digits()) v = v * 10 + (c - '0');
  for (int i = 0; i < shift; ++i) v *= 10;
  return d->is_negative() ? -v : v;
}

bool Digits(std::string_view s, size_t pos, size_t n, int64_t* out) {
  if (pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// ISO-8601: YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|(+|-)HH[:]MM]. Microseconds since the
// epoch in UTC (a zone offset is applied). date_only: the input had no time part.
bool ParseIso(std::string_view s, int64_t* micros, bool* date_only) {
  int64_t y, mo, d;
  if (!Digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &mo) || s[7] != '-' ||
      !Digits(s, 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31) {
    return false;
  }
  int64_t days = parquet::DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t ly, lm_;
  unsigned cm, cd;
  parquet::CivilFromDays(days, &ly, &cm, &cd);
  (void)lm_;
  if (cm != mo || cd != d) return false;  // e.g. February 30
  int64_t us = days * 86400LL * 1000000;
  *date_only = s.size() == 10;
  if (*date_only) {
    *micros = us;
    return true;
  }
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  int64_t h, mi, sec = 0;
  if (!Digits(s, 11, 2, &h) || s.size() < 16 || s[13] != ':' || !Digits(s, 14, 2, &mi) || h > 23 || mi > 59)
    return false;
  size_t p = 16;
  int64_t frac_us = 0;
  if (p < s.size() && s[p] == ':') {
    if (!Digits(s, p + 1, 2, &sec) || sec > 60) return false;
    p += 3;
    if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
      ++p;
      size_t start = p;
      int64_t scale = 100000;
      while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
        frac_us += (s[p] - '0') * scale;
        scale /= 10;
        ++p;
      }
      if (p == start || p - start > 9) return false;
    }
  }
  us += ((h * 60 + mi) * 60 + sec) * 1000000 + frac_us;
  if (p < s.size()) {
    if ((s[p] == 'Z' || s[p] == 'z') && p + 1 == s.size()) {
      // UTC
    } else if (s[p] == '+' || s[p] == '-') {
      int64_t oh, om;
      size_t q = p + 1;
      if (!Digits(s, q, 2, &oh)) return false;
      q += 2;
      if (q < s.size() && s[q] == ':') ++q;
      if (!Digits(s, q, 2, &om) || q + 2 != s.size() || oh > 18 || om > 59) return false;
      int64_t off = (oh * 60 + om) * 60 * 1000000;
      us += s[p] == '+' ? -off : off;
    } else {
      return false;
    }
  }
  *micros = us;
  return true;
}

Result<Value> Convert(const AttributeValue& v, const Field& f, const std::string& where);

Result<Value> ConvertScalarMember(AttrType t, const std::string& s, const Field& f, const std::string& where) {
  AttributeValue v;
  v.type = t;
  v.scalar = s;
  return Convert(v, f, where);
}

Result<Value> Convert(const AttributeValue& v, const Field& f, const std::string& where) {
  if (v.type == AttrType::kNull) {
    if (f.required) return Mismatch(where, f, "is required, got NULL");
    return Value::Null();
  }
  switch (f.type) {
    case TypeId::kString:
      if (v.type != AttrType::kS) return Mismatch(where, f, "expected a string (S), " + Got(v));
      return Value::Bytes(v.scalar);
    case TypeId::kBinary:
      if (v.type != AttrType::kB) return Mismatch(where, f, "expected a binary (B), " + Got(v));
      return Value::Bytes(v.scalar);
    case TypeId::kBoolean:
      if (v.type != AttrType::kBool) return Mismatch(where, f, "expected a boolean (BOOL), " + Got(v));
      return Value::Bool(v.boolean);
    case TypeId::kInt:
    case TypeId::kLong: {
      if (v.type != AttrType::kN) return Mismatch(where, f, "expected a number (N), " + Got(v));
      auto x = Scaled(v.scalar, 0, 19);
      const int128_t lo = f.type == TypeId::kInt ? INT32_MIN : INT64_MIN;
      const int128_t hi = f.type == TypeId::kInt ? INT32_MAX : INT64_MAX;
      if (!x || *x < lo || *x > hi) return Mismatch(where, f, "the number " + v.scalar + " is not an integer in range");
      return Value::Int(static_cast<int64_t>(*x));
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      if (v.type != AttrType::kN) return Mismatch(where, f, "expected a number (N), " + Got(v));
      double d = std::strtod(v.scalar.c_str(), nullptr);
      return f.type == TypeId::kFloat ? Value::Float(static_cast<float>(d)) : Value::Double(d);
    }
    case TypeId::kDecimal: {
      if (v.type != AttrType::kN) return Mismatch(where, f, "expected a number (N), " + Got(v));
      auto x = Scaled(v.scalar, f.scale, f.precision);
      if (!x) return Mismatch(where, f, "the number " + v.scalar + " does not fit");
      return Value::Decimal(*x);
    }
    case TypeId::kDate: {
      if (v.type != AttrType::kS) return Mismatch(where, f, "expected an ISO-8601 date string (S), " + Got(v));
      int64_t us;
      bool date_only;
      if (!ParseIso(v.scalar, &us, &date_only) || !date_only) {
        return Mismatch(where, f, "'" + v.scalar + "' is not a date (YYYY-MM-DD)");
      }
      return Value::Int(us / (86400LL * 1000000));
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      if (v.type == AttrType::kN) {
        // Epoch seconds, as DynamoDB's TTL attributes hold them.
        auto x = Scaled(v.scalar, 6, 30);
        if (!x || *x > INT64_MAX || *x < INT64_MIN)
          return Mismatch(where, f, "the number " + v.scalar + " is not epoch seconds in range");
        return Value::Int(static_cast<int64_t>(*x));
      }
      if (v.type != AttrType::kS)
        return Mismatch(where, f, "expected an ISO-8601 string (S) or epoch seconds (N), " + Got(v));
      int64_t us;
      bool date_only;
      if (!ParseIso(v.scalar, &us, &date_only))
        return Mismatch(where, f, "'" + v.scalar + "' is not an ISO-8601 timestamp");
      return Value::Int(us);
    }
    case TypeId::kList: {
      const Field& e = f.children[0];
      std::vector<Value> items;
      if (v.type == AttrType::kL) {
        for (size_t i = 0; i < v.list.size(); ++i) {
          ASSIGN_OR_RETURN(Value x, Convert(v.list[i], e, where + "[" + std::to_string(i) + "]"));
          items.push_back(std::move(x));
        }
      } else if (v.type == AttrType::kSS || v.type == AttrType::kNS || v.type == AttrType::kBS) {
        AttrType t = v.type == AttrType::kSS ? AttrType::kS : v.type == AttrType::kNS ? AttrType::kN : AttrType::kB;
        for (size_t i = 0; i < v.set.size(); ++i) {
          ASSIGN_OR_RETURN(Value x, ConvertScalarMember(t, v.set[i], e, where + "[" + std::to_string(i) + "]"));
          items.push_back(std::move(x));
        }
      } else {
        return Mismatch(where, f, "expected a list (L) or a set, " + Got(v));
      }
      return Value::List(std::move(items));
    }
    case TypeId::kMap: {
      if (v.type != AttrType::kM) return Mismatch(where, f, "expected a map (M), " + Got(v));
      std::vector<Value> kv;
      for (const auto& [k, x] : v.map) {
        kv.push_back(Value::Bytes(k));
        ASSIGN_OR_RETURN(Value cv, Convert(x, f.children[1], where + "." + k));
        kv.push_back(std::move(cv));
      }
      return Value::Map(std::move(kv));
    }
    case TypeId::kStruct: {
      if (v.type != AttrType::kM) return Mismatch(where, f, "expected a map (M), " + Got(v));
      std::vector<Value> fields;
      for (const Field& c : f.children) {
        auto it = v.map.find(c.name);
        if (it == v.map.end()) {
          if (c.required) return Mismatch(where + "." + c.name, c, "is required and missing");
          fields.push_back(Value::Null());
          continue;
        }
        ASSIGN_OR_RETURN(Value cv, Convert(it->second, c, where + "." + c.name));
        fields.push_back(std::move(cv));
      }
      return Value::Struct(std::move(fields));
    }
    default: return Mismatch(where, f, "unsupported column type");
  }
}

void WritePlain(json::Writer& w, const AttributeValue& v) {
  switch (v.type) {
    case AttrType::kS: w.String(v.scalar); break;
    case AttrType::kN: w.RawNumber(v.scalar); break;
    case AttrType::kB: w.String(Base64Encode(v.scalar)); break;
    case AttrType::kBool: w.Bool(v.boolean); break;
    case AttrType::kNull: w.Null(); break;
    case AttrType::kM:
      w.StartObject();
      for (const auto& [k, x] : v.map) {
        w.Key(k);
        WritePlain(w, x);
      }
      w.EndObject();
      break;
    case AttrType::kL:
      w.StartArray();
      for (const auto& x : v.list) WritePlain(w, x);
      w.EndArray();
      break;
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS:
      w.StartArray();
      for (const auto& s : v.set) {
        if (v.type == AttrType::kSS)
          w.String(s);
        else if (v.type == AttrType::kNS)
          w.RawNumber(s);
        else
          w.String(Base64Encode(s));
      }
      w.EndArray();
      break;
  }
}

void AppendKeyPart(const Value& v, std::string* out) {
  // Length-prefixed so that concatenated parts stay unambiguous.
  std::string part;
  switch (v.kind()) {
    case Value::Kind::kBytes: part = "b" + v.bytes(); break;
    case Value::Kind::kInt: part = "i" + std::to_string(v.as_int()); break;
    case Value::Kind::kDecimal: {
      part = "d";
      parquet::AppendDecimalBigEndian(v.as_decimal(), 16, &part);
      break;
    }
    default: part = "n"; break;
  }
  uint32_t n = static_cast<uint32_t>(part.size());
  out->append(reinterpret_cast<const char*>(&n), sizeof n);
  out->append(part);
}

bool KeyTypeFits(AttrType t, const Field& f) {
  switch (t) {
    case AttrType::kS: return f.type == TypeId::kString;
    case AttrType::kB: return f.type == TypeId::kBinary;
    case AttrType::kN:
      return f.type == TypeId::kInt || f.type == TypeId::kLong || (f.type == TypeId::kDecimal && f.scale == 0);
    default: return false;
  }
}

}  // namespace

const char* OpName(Change::Op op) {
  switch (op) {
    case Change::Op::kInsert: return "INSERT";
    case Change::Op::kModify: return "MODIFY";
    case Change::Op::kRemove: return "REMOVE";
    case Change::Op::kSnapshot: return "SNAPSHOT";
  }
  return "?";
}

Result<RowMapper> RowMapper::Make(const ReplicationConfig& config, std::vector<dynamo::KeyElement> keys) {
  RowMapper m;
  m.config_ = config;
  for (const Column& c : config.columns) m.mapped_.insert(c.source[0]);
  m.keys_ = std::move(keys);
  for (const auto& k : m.keys_) {
    size_t found = SIZE_MAX;
    for (size_t i = 0; i < config.columns.size(); ++i) {
      if (config.columns[i].source.size() == 1 && config.columns[i].source[0] == k.name) found = i;
    }
    if (found == SIZE_MAX) {
      return Status::InvalidArgument("replication " + config.Name() +
                                     ": glueTableSchema needs a column for the key attribute '" + k.name +
                                     "' of table " + config.table_name);
    }
    const Column& c = config.columns[found];
    if (!KeyTypeFits(k.type, c.type)) {
      return Status::InvalidArgument("replication " + config.Name() + ": column '" + c.name + "' (" +
                                     parquet::TypeName(c.type) + ") cannot hold the key attribute '" + k.name +
                                     "' of type " + dynamo::AttrTypeName(k.type));
    }
    m.key_columns_.push_back(found);
    m.config_.columns[found].required = true;
  }
  auto column_fields = [&](bool force_optional) {
    std::vector<Field> out;
    for (const Column& c : m.config_.columns) {
      Field f = c.type;
      f.name = c.name;
      f.required = force_optional ? false : c.required;
      out.push_back(std::move(f));
    }
    if (m.config_.unmapped == Unmapped::kJson) out.push_back(parquet::Primitive(0, "_extra", TypeId::kString));
    return out;
  };
  std::vector<Field> fields;
  if (config.mode == Mode::kMirror) {
    fields = column_fields(false);
    fields.push_back(parquet::Primitive(0, "_sequence_number", TypeId::kString));
    fields.push_back(parquet::Primitive(0, "_approximate_creation_time", TypeId::kTimestampTz));
  } else {
    fields.push_back(parquet::Primitive(0, "_op", TypeId::kString, true));
    fields.push_back(parquet::Primitive(0, "_sequence_number", TypeId::kString, true));
    fields.push_back(parquet::Primitive(0, "_approximate_creation_time", TypeId::kTimestampTz, true));
    fields.push_back(parquet::Primitive(0, "_ttl_expired", TypeId::kBoolean, true));
    for (size_t i : m.key_columns_) {
      Field f = m.config_.columns[i].type;
      f.name = m.config_.columns[i].name;
      f.required = true;
      fields.push_back(std::move(f));
    }
    fields.push_back(parquet::Struct(0, "_old", column_fields(true)));
    fields.push_back(parquet::Struct(0, "_new", column_fields(true)));
  }
  int32_t next = 1;
  for (Field& f : fields) AssignIds(&f, &next);
  m.schema_.fields.fields = std::move(fields);
  if (config.mode == Mode::kMirror) {
    for (size_t i : m.key_columns_) m.schema_.identifier_field_ids.push_back(m.schema_.fields.fields[i].id);
  }
  RETURN_IF_ERROR(parquet::ValidateSchema(m.schema_.fields));
  return m;
}

Result<std::vector<Value>> RowMapper::Columns(const dynamo::Item& item) const {
  std::vector<Value> out;
  out.reserve(config_.columns.size() + 1);
  for (const Column& c : config_.columns) {
    const AttributeValue* v = nullptr;
    auto it = item.find(c.source[0]);
    if (it != item.end()) v = &it->second;
    for (size_t i = 1; v != nullptr && i < c.source.size(); ++i) {
      if (v->type != AttrType::kM) {
        v = nullptr;
        break;
      }
      auto jt = v->map.find(c.source[i]);
      v = jt == v->map.end() ? nullptr : &jt->second;
    }
    std::string where = "column '" + c.name + "' from attribute '";
    for (size_t i = 0; i < c.source.size(); ++i) where += (i ? "." : "") + c.source[i];
    where += "'";
    if (v == nullptr) {
      if (c.required) return Status::InvalidArgument(where + ": required, but the item has no such attribute");
      out.push_back(Value::Null());
      continue;
    }
    Field f = c.type;
    f.required = c.required;
    ASSIGN_OR_RETURN(Value x, Convert(*v, f, where));
    out.push_back(std::move(x));
  }
  if (config_.unmapped == Unmapped::kJson) {
    dynamo::Item extra;
    for (const auto& [name, v] : item) {
      if (!mapped_.count(name)) extra.emplace(name, v);
    }
    out.push_back(extra.empty() ? Value::Null() : Value::Bytes(ItemToPlainJson(extra)));
  }
  return out;
}

Result<Value> RowMapper::MirrorRow(const dynamo::Item& item, const std::string& sequence, int64_t created_ms) const {
  ASSIGN_OR_RETURN(std::vector<Value> cols, Columns(item));
  cols.push_back(sequence.empty() ? Value::Null() : Value::Bytes(sequence));
  cols.push_back(created_ms > 0 ? Value::Int(created_ms * 1000) : Value::Null());
  return Value::Struct(std::move(cols));
}

Result<Value> RowMapper::ChangelogRow(const Change& c) const {
  std::vector<Value> cols;
  cols.push_back(Value::Bytes(OpName(c.op)));
  cols.push_back(Value::Bytes(c.sequence));
  cols.push_back(Value::Int(c.created_ms * 1000));
  cols.push_back(Value::Bool(c.ttl_expired));
  for (size_t i : key_columns_) {
    const Column& col = config_.columns[i];
    auto it = c.keys.find(col.source[0]);
    if (it == c.keys.end()) return Status::InvalidArgument("the change has no key attribute '" + col.source[0] + "'");
    Field f = col.type;
    f.required = true;
    ASSIGN_OR_RETURN(Value x,
                     Convert(it->second, f, "column '" + col.name + "' from key attribute '" + col.source[0] + "'"));
    cols.push_back(std::move(x));
  }
  for (const auto* image : {&c.old_image, &c.new_image}) {
    if (!image->has_value()) {
      cols.push_back(Value::Null());
      continue;
    }
    auto r = Columns(**image);
    if (!r.ok()) {
      return Status::InvalidArgument(std::string(image == &c.old_image ? "_old" : "_new") + " " + r.status().message());
    }
    cols.push_back(Value::Struct(std::move(r).value()));
  }
  return Value::Struct(std::move(cols));
}

Result<std::string> RowMapper::KeyOfItem(const dynamo::Item& item) const {
  std::string out;
  for (size_t k = 0; k < keys_.size(); ++k) {
    const Column& col = config_.columns[key_columns_[k]];
    auto it = item.find(keys_[k].name);
    if (it == item.end()) return Status::InvalidArgument("the item has no key attribute '" + keys_[k].name + "'");
    Field f = col.type;
    f.required = true;
    ASSIGN_OR_RETURN(Value x,
                     Convert(it->second, f, "column '" + col.name + "' from key attribute '" + keys_[k].name + "'"));
    AppendKeyPart(x, &out);
  }
  return out;
}

std::string RowMapper::KeyOfRow(const parquet::Value& row) const {
  std::string out;
  for (size_t i : key_columns_) AppendKeyPart(i < row.children().size() ? row.children()[i] : Value::Null(), &out);
  return out;
}

std::string ItemToPlainJson(const dynamo::Item& item) {
  json::Writer w;
  w.StartObject();
  for (const auto& [k, v] : item) {
    w.Key(k);
    WritePlain(w, v);
  }
  w.EndObject();
  return w.Take();
}

std::string ItemToDynamoJson(const dynamo::Item& item) {
  json::Writer w;
  dynamo::WriteAttributeMap(w, item);
  return w.Take();
}

}  // namespace floe::pipeline
