#pragma once
// The only place the JSON libraries are included (DESIGN.md layout): simdjson parses into a
// small owned DOM (Value); a rapidjson Writer behind a pimpl renders (Writer).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace floe::json {

enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

// An immutable-after-parse JSON value. Integers keep their exact value (as text); other
// numbers keep the shortest text that round-trips their double; integers past 64 bits are a
// parse error.
// Object members keep document order; duplicate keys are kept, Find returns the last.
//
// Layout: a tag and one of {bool, text, items, members} in a union (40 bytes; a request's
// DOM holds one Value per JSON value, so its size bounds the memory a large request takes).
class Value {
 public:
  using Member = std::pair<std::string, Value>;

  Value() : type_(Type::kNull), bool_(false) {}
  ~Value() { Destroy(); }
  Value(const Value& o);
  Value(Value&& o) noexcept;
  Value& operator=(const Value& o);
  Value& operator=(Value&& o) noexcept;

  static Value Null() { return Value(); }
  static Value Bool(bool b);
  static Value Number(std::string text);
  static Value String(std::string s);
  static Value Array(std::vector<Value> items);
  static Value Object(std::vector<Member> members);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  bool as_bool() const { return type_ == Type::kBool && bool_; }
  // String contents, or the number's source text (empty for other types).
  const std::string& str() const;
  // Array items (empty for other types).
  const std::vector<Value>& items() const;
  // Object members (empty for other types).
  const std::vector<Member>& members() const;

  // Object member lookup; nullptr when absent or when this is not an object.
  const Value* Find(std::string_view key) const;

  // The number as an integer when it is one (no fraction, no exponent, fits int64).
  bool AsInt64(int64_t* out) const;
  bool AsDouble(double* out) const;

  // Mutators, for building values programmatically. REQUIRES: an object (Add) or an array
  // (Push); a null value becomes one.
  void Add(std::string key, Value v);
  void Push(Value v);

 private:
  void Destroy();
  void CopyFrom(const Value& o);
  void MoveFrom(Value&& o);

  Type type_;
  bool bool_;
  union {
    std::string str_;              // kNumber, kString
    std::vector<Value> items_;     // kArray
    std::vector<Member> members_;  // kObject
  };
};

// Parses a complete JSON document. Errors: kInvalidArgument with a short description.
// Nesting deeper than max_depth is an error.
Result<Value> Parse(std::string_view text, size_t max_depth = 1024);

// Streaming writer producing compact JSON. Not thread-safe; one per response.
class Writer {
 public:
  Writer();
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void StartObject();
  void EndObject();
  void StartArray();
  void EndArray();
  void Key(std::string_view k);
  void String(std::string_view s);
  void Bool(bool b);
  void Null();
  void Int64(int64_t v);
  void Uint64(uint64_t v);
  void Double(double v);
  // Writes already-valid JSON number text verbatim.
  void RawNumber(std::string_view text);
  // Writes an already-serialized JSON value (object, array, ...) verbatim.
  void RawJson(std::string_view json);
  // Writes an arbitrary Value.
  void Write(const Value& v);

  // The document so far. REQUIRES: balanced Start/End calls for a complete document.
  std::string Take();
  const char* data() const;
  size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Serialize(const Value& v);

}  // namespace floe::json
