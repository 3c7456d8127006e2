#include "iceberg/partition.h"

#include <cmath>
#include <cstring>

#include "parquet/schema_json.h"

namespace floe::iceberg {

using parquet::Field;
using parquet::TypeId;
using parquet::Value;
using K = Transform::Kind;

namespace {

constexpr int64_t kMicrosPerDay = 86400LL * 1000000;
constexpr int64_t kMicrosPerHour = 3600LL * 1000000;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t DaysOf(const Field& type, int64_t v) { return type.type == TypeId::kDate ? v : FloorDiv(v, kMicrosPerDay); }

template <typename T>
std::string LittleEndian(T v) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &v, sizeof(T));
  return out;
}

size_t Utf8Prefix(std::string_view s, size_t code_points) {
  size_t i = 0, n = 0;
  while (i < s.size() && n < code_points) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    ++n;
  }
  return std::min(i, s.size());
}

std::string Escape(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '*') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

bool FindPath(const std::vector<Field>& fields, int32_t id, std::vector<size_t>* path, const Field** out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].id == id) {
      path->push_back(i);
      *out = &fields[i];
      return true;
    }
    if (fields[i].type == TypeId::kStruct) {
      path->push_back(i);
      if (FindPath(fields[i].children, id, path, out)) return true;
      path->pop_back();
    }
  }
  return false;
}

std::string TwoDigits(int64_t v) { return v < 10 ? "0" + std::to_string(v) : std::to_string(v); }

}  // namespace

int32_t Murmur3(std::string_view data) {
  const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
  uint32_t h = 0;
  const size_t blocks = data.size() / 4;
  auto rotl = [](uint32_t x, int r) { return (x << r) | (x >> (32 - r)); };
  for (size_t i = 0; i < blocks; ++i) {
    uint32_t k;
    std::memcpy(&k, data.data() + i * 4, 4);
    k *= c1;
    k = rotl(k, 15);
    k *= c2;
    h ^= k;
    h = rotl(h, 13);
    h = h * 5 + 0xe6546b64;
  }
  const auto* tail = reinterpret_cast<const uint8_t*>(data.data() + blocks * 4);
  uint32_t k = 0;
  switch (data.size() & 3) {
    case 3: k ^= static_cast<uint32_t>(tail[2]) << 16; [[fallthrough]];
    case 2: k ^= static_cast<uint32_t>(tail[1]) << 8; [[fallthrough]];
    case 1:
      k ^= tail[0];
      k *= c1;
      k = rotl(k, 15);
      k *= c2;
      h ^= k;
  }
  h ^= static_cast<uint32_t>(data.size());
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return static_cast<int32_t>(h);
}

int32_t BucketHash(const Field& type, const Value& v) {
  switch (type.type) {
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: return Murmur3(LittleEndian<int64_t>(v.as_int()));
    case TypeId::kDecimal: {
      std::string bytes;
      parquet::AppendDecimalBigEndian(v.as_decimal(), 0, &bytes);
      return Murmur3(bytes);
    }
    case TypeId::kFloat: return Murmur3(LittleEndian<double>(static_cast<double>(v.as_float())));
    case TypeId::kDouble: return Murmur3(LittleEndian<double>(v.as_double()));
    case TypeId::kBoolean: return Murmur3(LittleEndian<int64_t>(v.as_bool() ? 1 : 0));
    default: return Murmur3(v.bytes());
  }
}

Field TransformResultType(const Transform& t, const Field& source) {
  Field f = source;
  f.children.clear();
  switch (t.kind) {
    case K::kBucket:
    case K::kYear:
    case K::kMonth:
    case K::kHour:
      f.type = TypeId::kInt;
      f.precision = f.scale = f.length = 0;
      break;
    case K::kDay:
      f.type = TypeId::kDate;
      f.precision = f.scale = f.length = 0;
      break;
    default: break;
  }
  return f;
}

Result<Value> ApplyTransform(const Transform& t, const Field& source, const Value& v) {
  if (v.is_null() || t.kind == K::kVoid) return Value::Null();
  switch (t.kind) {
    case K::kIdentity: return v;
    case K::kBucket: return Value::Int((BucketHash(source, v) & 0x7FFFFFFF) % t.param);
    case K::kTruncate:
      switch (source.type) {
        case TypeId::kInt:
        case TypeId::kLong: {
          int64_t x = v.as_int();
          return Value::Int(x - (((x % t.param) + t.param) % t.param));
        }
        case TypeId::kDecimal: {
          parquet::int128_t x = v.as_decimal();
          return Value::Decimal(x - (((x % t.param) + t.param) % t.param));
        }
        case TypeId::kString:
          return Value::Bytes(v.bytes().substr(0, Utf8Prefix(v.bytes(), static_cast<size_t>(t.param))));
        case TypeId::kBinary: return Value::Bytes(v.bytes().substr(0, static_cast<size_t>(t.param)));
        default: break;
      }
      break;
    case K::kYear:
    case K::kMonth:
    case K::kDay:
    case K::kHour: {
      if (source.type != TypeId::kDate && source.type != TypeId::kTimestamp && source.type != TypeId::kTimestampTz)
        break;
      if (t.kind == K::kHour) {
        if (source.type == TypeId::kDate) break;
        return Value::Int(FloorDiv(v.as_int(), kMicrosPerHour));
      }
      int64_t days = DaysOf(source, v.as_int());
      if (t.kind == K::kDay) return Value::Int(days);
      int64_t y;
      unsigned m, d;
      parquet::CivilFromDays(days, &y, &m, &d);
      if (t.kind == K::kYear) return Value::Int(y - 1970);
      return Value::Int((y - 1970) * 12 + (m - 1));
    }
    default: break;
  }
  return Status::InvalidArgument("transform " + t.ToString() + " does not apply to " + parquet::TypeName(source));
}

std::string HumanString(const Transform& t, const Field& source, const Value& v) {
  if (v.is_null()) return "null";
  auto date = [](int64_t days) {
    int64_t y;
    unsigned m, d;
    parquet::CivilFromDays(days, &y, &m, &d);
    return std::to_string(y) + "-" + TwoDigits(m) + "-" + TwoDigits(d);
  };
  switch (t.kind) {
    case K::kYear: return std::to_string(1970 + v.as_int());
    case K::kMonth: {
      int64_t months = v.as_int();
      int64_t y = 1970 + FloorDiv(months, 12);
      return std::to_string(y) + "-" + TwoDigits(months - FloorDiv(months, 12) * 12 + 1);
    }
    case K::kDay: return date(v.as_int());
    case K::kHour: {
      int64_t hours = v.as_int();
      return date(FloorDiv(hours, 24)) + "-" + TwoDigits(hours - FloorDiv(hours, 24) * 24);
    }
    case K::kBucket: return std::to_string(v.as_int());
    default: break;
  }
  switch (source.type) {
    case TypeId::kBoolean: return v.as_bool() ? "true" : "false";
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: return std::to_string(v.as_int());
    case TypeId::kDate: return date(v.as_int());
    case TypeId::kFloat: return std::to_string(v.as_float());
    case TypeId::kDouble: return std::to_string(v.as_double());
    case TypeId::kString: return v.bytes();
    case TypeId::kDecimal: {
      parquet::int128_t x = v.as_decimal();
      bool neg = x < 0;
      std::string digits;
      unsigned __int128 u = neg ? -static_cast<unsigned __int128>(x) : static_cast<unsigned __int128>(x);
      do {
        digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
        u /= 10;
      } while (u != 0);
      if (source.scale > 0) {
        while (digits.size() <= static_cast<size_t>(source.scale)) digits.insert(digits.begin(), '0');
        digits.insert(digits.end() - source.scale, '.');
      }
      return neg ? "-" + digits : digits;
    }
    default: {
      static const char kHex[] = "0123456789abcdef";
      std::string out;
      for (unsigned char c : v.bytes()) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
      }
      return out;
    }
  }
}

std::string SerializeValue(const Field& type, const Value& v) {
  switch (type.type) {
    case TypeId::kBoolean: return std::string(1, v.as_bool() ? '\1' : '\0');
    case TypeId::kInt:
    case TypeId::kDate: return LittleEndian<int32_t>(static_cast<int32_t>(v.as_int()));
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: return LittleEndian<int64_t>(v.as_int());
    case TypeId::kFloat: return LittleEndian<float>(v.as_float());
    case TypeId::kDouble: return LittleEndian<double>(v.as_double());
    case TypeId::kDecimal: {
      std::string bytes;
      parquet::AppendDecimalBigEndian(v.as_decimal(), 0, &bytes);
      return bytes;
    }
    default: return v.bytes();
  }
}

Result<Value> DeserializeValue(const Field& type, std::string_view b) {
  auto need = [&](size_t n) {
    return b.size() == n ? Status::Ok() : Status::Corruption("bound of wrong length for " + parquet::TypeName(type));
  };
  switch (type.type) {
    case TypeId::kBoolean: RETURN_IF_ERROR(need(1)); return Value::Bool(b[0] != 0);
    case TypeId::kInt:
    case TypeId::kDate: {
      RETURN_IF_ERROR(need(4));
      int32_t x;
      std::memcpy(&x, b.data(), 4);
      return Value::Int(x);
    }
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: {
      RETURN_IF_ERROR(need(8));
      int64_t x;
      std::memcpy(&x, b.data(), 8);
      return Value::Int(x);
    }
    case TypeId::kFloat: {
      RETURN_IF_ERROR(need(4));
      float x;
      std::memcpy(&x, b.data(), 4);
      return Value::Float(x);
    }
    case TypeId::kDouble: {
      RETURN_IF_ERROR(need(8));
      double x;
      std::memcpy(&x, b.data(), 8);
      return Value::Double(x);
    }
    case TypeId::kDecimal: {
      if (b.empty() || b.size() > 16) return Status::Corruption("bad decimal bound");
      return Value::Decimal(parquet::DecimalFromBigEndian(b));
    }
    default: return Value::Bytes(std::string(b));
  }
}

int CompareValues(const Field& type, const Value& a, const Value& b) {
  auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (type.type) {
    case TypeId::kBoolean: return cmp(a.as_bool(), b.as_bool());
    case TypeId::kFloat:
    case TypeId::kDouble: {
      double x = type.type == TypeId::kFloat ? a.as_float() : a.as_double();
      double y = type.type == TypeId::kFloat ? b.as_float() : b.as_double();
      if (std::isnan(x) || std::isnan(y)) return cmp(std::isnan(x), std::isnan(y));
      return cmp(x, y);
    }
    case TypeId::kDecimal: return cmp(a.as_decimal(), b.as_decimal());
    case TypeId::kString:
    case TypeId::kUuid:
    case TypeId::kFixed:
    case TypeId::kBinary: {
      int c = std::memcmp(a.bytes().data(), b.bytes().data(), std::min(a.bytes().size(), b.bytes().size()));
      if (c != 0) return c < 0 ? -1 : 1;
      return cmp(a.bytes().size(), b.bytes().size());
    }
    default: return cmp(a.as_int(), b.as_int());
  }
}

std::string TruncateLowerBound(const Field& type, std::string_view bound, size_t width) {
  if (type.type == TypeId::kString) return std::string(bound.substr(0, Utf8Prefix(bound, width)));
  if (type.type == TypeId::kBinary) return std::string(bound.substr(0, width));
  return std::string(bound);
}

std::optional<std::string> TruncateUpperBound(const Field& type, std::string_view bound, size_t width) {
  if (type.type == TypeId::kBinary) {
    if (bound.size() <= width) return std::string(bound);
    std::string out(bound.substr(0, width));
    while (!out.empty()) {
      if (static_cast<uint8_t>(out.back()) != 0xFF) {
        out.back() = static_cast<char>(static_cast<uint8_t>(out.back()) + 1);
        return out;
      }
      out.pop_back();
    }
    return std::nullopt;
  }
  if (type.type != TypeId::kString) return std::string(bound);
  size_t cut = Utf8Prefix(bound, width);
  if (cut >= bound.size()) return std::string(bound);
  // Increment the last code point of the prefix that can be incremented (skipping the
  // surrogate range), dropping the ones after it.
  std::u32string cps;
  for (size_t i = 0; i < cut;) {
    unsigned char c = static_cast<unsigned char>(bound[i]);
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n && i + k < bound.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(bound[i + k]) & 0x3F);
    cps.push_back(cp);
    i += n;
  }
  while (!cps.empty()) {
    char32_t next = cps.back() + 1;
    if (next == 0xD800) next = 0xE000;
    if (next <= 0x10FFFF) {
      cps.back() = next;
      std::string out;
      for (char32_t cp : cps) {
        if (cp < 0x80) {
          out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
          out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
          out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
          out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
          out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
          out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
          out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
          out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
      }
      return out;
    }
    cps.pop_back();
  }
  return std::nullopt;
}

Result<Partitioner> Partitioner::Make(const parquet::Schema& schema, const PartitionSpec& spec) {
  Partitioner p;
  for (const PartitionField& pf : spec.fields) {
    Part part;
    part.transform = pf.transform;
    part.name = pf.name;
    const Field* src = nullptr;
    if (!FindPath(schema.fields, pf.source_id, &part.path, &src)) {
      return Status::InvalidArgument("partition field " + pf.name + ": no source field with id " +
                                     std::to_string(pf.source_id));
    }
    part.source = *src;
    if (pf.transform.kind != K::kVoid && pf.transform.kind != K::kIdentity) {
      // Probe the transform on the type with a null, then on a zero value, for applicability.
      Value zero = (src->type == TypeId::kString || src->type == TypeId::kBinary || src->type == TypeId::kUuid ||
                    src->type == TypeId::kFixed)
                       ? Value::Bytes(std::string(src->type == TypeId::kUuid ? 16 : src->length, '\0'))
                   : src->type == TypeId::kDecimal ? Value::Decimal(0)
                                                   : Value::Int(0);
      if (src->is_nested())
        return Status::InvalidArgument("partition field " + pf.name + ": source is not a primitive");
      auto probe = ApplyTransform(pf.transform, *src, zero);
      if (!probe.ok()) return probe.status();
    }
    Field rt = TransformResultType(pf.transform, *src);
    rt.id = pf.field_id;
    rt.name = pf.name;
    rt.required = false;
    p.result_types_.push_back(rt);
    p.parts_.push_back(std::move(part));
  }
  return p;
}

Result<std::vector<Value>> Partitioner::Key(const Value& row) const {
  std::vector<Value> key;
  key.reserve(parts_.size());
  for (const Part& part : parts_) {
    const Value* v = &row;
    static const Value kNull;
    for (size_t idx : part.path) {
      if (v->is_null() || idx >= v->children().size()) {
        v = &kNull;
        break;
      }
      v = &v->children()[idx];
    }
    ASSIGN_OR_RETURN(Value pv, ApplyTransform(part.transform, part.source, *v));
    key.push_back(std::move(pv));
  }
  return key;
}

std::string Partitioner::Path(const std::vector<Value>& key) const {
  std::string out;
  for (size_t i = 0; i < parts_.size() && i < key.size(); ++i) {
    if (!out.empty()) out.push_back('/');
    out += Escape(parts_[i].name) + "=" + Escape(HumanString(parts_[i].transform, parts_[i].source, key[i]));
  }
  return out;
}

Result<std::vector<Field>> PartitionType(const parquet::Schema& schema, const PartitionSpec& spec) {
  std::vector<Field> out;
  for (const PartitionField& pf : spec.fields) {
    std::vector<size_t> path;
    const Field* src = nullptr;
    Field rt;
    if (FindPath(schema.fields, pf.source_id, &path, &src)) {
      rt = TransformResultType(pf.transform, *src);
    } else if (pf.transform.kind == K::kVoid) {
      rt = parquet::Primitive(0, "", TypeId::kInt);
    } else {
      return Status::InvalidArgument("partition field " + pf.name + ": no source field with id " +
                                     std::to_string(pf.source_id));
    }
    rt.id = pf.field_id;
    rt.name = pf.name;
    rt.required = false;
    out.push_back(std::move(rt));
  }
  return out;
}

}  // namespace floe::iceberg
