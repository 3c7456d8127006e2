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
class Value {
 public:
  using Member = std::pair<std::string, Value>;

  Value() = default;
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

  bool as_bool() const { return bool_; }
  // String contents, or the number's source text.
  const std::string& str() const { return str_; }
  const std::vector<Value>& items() const { return items_; }
  const std::vector<Member>& members() const { return members_; }

  // Object member lookup; nullptr when absent or when this is not an object.
  const Value* Find(std::string_view key) const;

  // The number as an integer when it is one (no fraction, no exponent, fits int64).
  bool AsInt64(int64_t* out) const;
  bool AsDouble(double* out) const;

  // Mutators, for building values programmatically.
  void Add(std::string key, Value v) { members_.emplace_back(std::move(key), std::move(v)); }
  void Push(Value v) { items_.push_back(std::move(v)); }

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  std::string str_;
  std::vector<Value> items_;
  std::vector<Member> members_;
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
