#include "parquet/value_check.h"

#include <cstdint>

#include "parquet/encoding.h"

namespace floe::parquet {

namespace {

std::string Describe(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: return "null";
    case Value::Kind::kBool: return "boolean";
    case Value::Kind::kInt: return "integer";
    case Value::Kind::kFloat: return "float";
    case Value::Kind::kDouble: return "double";
    case Value::Kind::kDecimal: return "decimal";
    case Value::Kind::kBytes: return "bytes";
    case Value::Kind::kStruct: return "struct";
    case Value::Kind::kList: return "list";
    case Value::Kind::kMap: return "map";
  }
  return "?";
}

int128_t Pow10(int p) {
  int128_t r = 1;
  for (int i = 0; i < p; ++i) r *= 10;
  return r;
}

constexpr int64_t kMicrosPerDay = 86400LL * 1000000LL;

}  // namespace

Status Mismatch(const Field& f, const std::string& what) {
  return Status::InvalidArgument("field " + f.name + ": " + what);
}

// Range checks shared by rows and batches.
Status CheckInt(const Field& f, int64_t x) {
  if ((f.type == TypeId::kInt || f.type == TypeId::kDate) && (x < INT32_MIN || x > INT32_MAX)) {
    return Mismatch(f, std::to_string(x) + " is out of range for " + TypeName(f));
  }
  if (f.type == TypeId::kTime && (x < 0 || x >= kMicrosPerDay)) {
    return Mismatch(f, "time " + std::to_string(x) + " is not within a day (0 to 86399999999 microseconds)");
  }
  return Status::Ok();
}

Status CheckDecimal(const Field& f, int128_t x) {
  int128_t limit = Pow10(f.precision);
  if (x >= limit || x <= -limit) return Mismatch(f, "value has more digits than " + TypeName(f) + " allows");
  return Status::Ok();
}

Status CheckBytes(const Field& f, std::string_view b) {
  if (f.type == TypeId::kString && !IsValidUtf8(b)) return Mismatch(f, "string is not valid UTF-8");
  if (f.type == TypeId::kFixed && b.size() != static_cast<size_t>(f.length)) {
    return Mismatch(f, "fixed[" + std::to_string(f.length) + "] value has " + std::to_string(b.size()) + " bytes");
  }
  if (f.type == TypeId::kUuid && b.size() != 16) return Mismatch(f, "uuid value must have 16 bytes");
  if (b.size() > static_cast<size_t>(INT32_MAX)) return Mismatch(f, "value is larger than 2 GB");
  return Status::Ok();
}

namespace {

Status Prefix(const Field& parent, Status st) {
  if (st.ok()) return st;
  constexpr std::string_view kField = "field ";
  std::string m = st.message();
  if (m.compare(0, kField.size(), kField) == 0) m.insert(kField.size(), parent.name + ".");
  return Status(st.code(), m);
}

}  // namespace

Status CheckValue(const Field& f, const Value& v) {
  if (v.is_null()) return f.required ? Mismatch(f, "is required but the value is null") : Status::Ok();
  auto expect = [&](Value::Kind k) -> Status {
    if (v.kind() == k) return Status::Ok();
    return Mismatch(f, "expected " + TypeName(f) + ", got " + Describe(v));
  };
  switch (f.type) {
    case TypeId::kBoolean: return expect(Value::Kind::kBool);
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: RETURN_IF_ERROR(expect(Value::Kind::kInt)); return CheckInt(f, v.as_int());
    case TypeId::kFloat: return expect(Value::Kind::kFloat);
    case TypeId::kDouble: return expect(Value::Kind::kDouble);
    case TypeId::kDecimal: RETURN_IF_ERROR(expect(Value::Kind::kDecimal)); return CheckDecimal(f, v.as_decimal());
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kFixed:
    case TypeId::kUuid: RETURN_IF_ERROR(expect(Value::Kind::kBytes)); return CheckBytes(f, v.bytes());
    case TypeId::kStruct: {
      RETURN_IF_ERROR(expect(Value::Kind::kStruct));
      if (v.children().size() > f.children.size()) {
        return Mismatch(f, "struct value has " + std::to_string(v.children().size()) + " fields, the type " +
                               std::to_string(f.children.size()));
      }
      static const Value kNull;
      for (size_t i = 0; i < f.children.size(); ++i) {
        const Value& c = i < v.children().size() ? v.children()[i] : kNull;
        RETURN_IF_ERROR(Prefix(f, CheckValue(f.children[i], c)));
      }
      return Status::Ok();
    }
    case TypeId::kList:
      RETURN_IF_ERROR(expect(Value::Kind::kList));
      for (const Value& item : v.children()) RETURN_IF_ERROR(Prefix(f, CheckValue(f.children[0], item)));
      return Status::Ok();
    case TypeId::kMap:
      RETURN_IF_ERROR(expect(Value::Kind::kMap));
      if (v.children().size() % 2 != 0) return Mismatch(f, "map value needs a value for every key");
      for (size_t i = 0; i < v.children().size(); i += 2) {
        RETURN_IF_ERROR(Prefix(f, CheckValue(f.children[0], v.children()[i])));
        RETURN_IF_ERROR(Prefix(f, CheckValue(f.children[1], v.children()[i + 1])));
      }
      return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace floe::parquet
