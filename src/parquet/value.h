#pragma once
// A row value for Writer::AppendRow. Values are typed loosely (an integer serves int, long,
// date, time and timestamps); the writer checks each value against its field's type.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace floe::parquet {

using int128_t = __int128;

// Appends an unscaled decimal as two's-complement big-endian bytes: `bytes` wide (a column's or
// an Avro fixed's width, 1..16), or the fewest bytes that hold it when bytes <= 0 (Iceberg's
// single-value serialization, Java's BigInteger.toByteArray).
inline void AppendDecimalBigEndian(int128_t v, int bytes, std::string* out) {
  if (bytes <= 0) {
    bytes = 16;
    for (int n = 1; n < 16; ++n) {
      const int128_t lo = -(static_cast<int128_t>(1) << (8 * n - 1));
      if (v >= lo && v <= -lo - 1) {
        bytes = n;
        break;
      }
    }
  }
  const auto u = static_cast<unsigned __int128>(v);
  for (int k = bytes - 1; k >= 0; --k) out->push_back(static_cast<char>((u >> (8 * k)) & 0xff));
}

// The inverse: sign-extends big-endian two's-complement bytes (1..16 of them).
inline int128_t DecimalFromBigEndian(std::string_view b) {
  int128_t x = (!b.empty() && static_cast<signed char>(b[0]) < 0) ? -1 : 0;
  for (char c : b) x = static_cast<int128_t>((static_cast<unsigned __int128>(x) << 8) | static_cast<unsigned char>(c));
  return x;
}

class Value {
 public:
  enum class Kind : uint8_t { kNull, kBool, kInt, kFloat, kDouble, kDecimal, kBytes, kStruct, kList, kMap };

  Value() = default;
  static Value Null() { return Value(); }
  static Value Bool(bool b) {
    Value v(Kind::kBool);
    v.int_ = b ? 1 : 0;
    return v;
  }
  // int, long, date (days), time and timestamps (microseconds).
  static Value Int(int64_t i) {
    Value v(Kind::kInt);
    v.int_ = i;
    return v;
  }
  static Value Float(float f) {
    Value v(Kind::kFloat);
    v.float_ = f;
    return v;
  }
  static Value Double(double d) {
    Value v(Kind::kDouble);
    v.double_ = d;
    return v;
  }
  // The unscaled value of a decimal; the field's scale gives the decimal point.
  static Value Decimal(int128_t unscaled) {
    Value v(Kind::kDecimal);
    v.int_ = unscaled;
    return v;
  }
  // string (UTF-8), binary, fixed and uuid (16 raw bytes).
  static Value Bytes(std::string b) {
    Value v(Kind::kBytes);
    v.bytes_ = std::move(b);
    return v;
  }
  // A struct's values in field order; a missing trailing field reads as null.
  static Value Struct(std::vector<Value> fields) {
    Value v(Kind::kStruct);
    v.children_ = std::move(fields);
    return v;
  }
  static Value List(std::vector<Value> items) {
    Value v(Kind::kList);
    v.children_ = std::move(items);
    return v;
  }
  // Map entries, keys at even positions and their values at odd positions.
  static Value Map(std::vector<Value> keys_and_values) {
    Value v(Kind::kMap);
    v.children_ = std::move(keys_and_values);
    return v;
  }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool as_bool() const { return int_ != 0; }
  int64_t as_int() const { return static_cast<int64_t>(int_); }
  int128_t as_decimal() const { return int_; }
  float as_float() const { return float_; }
  double as_double() const { return double_; }
  const std::string& bytes() const { return bytes_; }
  const std::vector<Value>& children() const { return children_; }
  std::vector<Value>& mutable_children() { return children_; }

 private:
  explicit Value(Kind k) : kind_(k) {}
  Kind kind_ = Kind::kNull;
  int128_t int_ = 0;
  float float_ = 0;
  double double_ = 0;
  std::string bytes_;
  std::vector<Value> children_;
};

}  // namespace floe::parquet
