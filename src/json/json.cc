#include "json/json.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <cerrno>
#include <cstdlib>
#include <new>

namespace floe::json {

void Value::Destroy() {
  switch (type_) {
    case Type::kNumber:
    case Type::kString: str_.~basic_string(); break;
    case Type::kArray: items_.~vector(); break;
    case Type::kObject: members_.~vector(); break;
    default: break;
  }
  type_ = Type::kNull;
}

void Value::CopyFrom(const Value& o) {
  bool_ = o.bool_;
  switch (o.type_) {
    case Type::kNumber:
    case Type::kString: new (&str_) std::string(o.str_); break;
    case Type::kArray: new (&items_) std::vector<Value>(o.items_); break;
    case Type::kObject: new (&members_) std::vector<Member>(o.members_); break;
    default: break;
  }
  type_ = o.type_;
}

void Value::MoveFrom(Value&& o) {
  bool_ = o.bool_;
  switch (o.type_) {
    case Type::kNumber:
    case Type::kString: new (&str_) std::string(std::move(o.str_)); break;
    case Type::kArray: new (&items_) std::vector<Value>(std::move(o.items_)); break;
    case Type::kObject: new (&members_) std::vector<Member>(std::move(o.members_)); break;
    default: break;
  }
  type_ = o.type_;
  o.Destroy();
}

Value::Value(const Value& o) : type_(Type::kNull), bool_(false) { CopyFrom(o); }
Value::Value(Value&& o) noexcept : type_(Type::kNull), bool_(false) { MoveFrom(std::move(o)); }
Value& Value::operator=(const Value& o) {
  if (this != &o) {
    Value copy(o);  // o may be inside this value
    Destroy();
    MoveFrom(std::move(copy));
  }
  return *this;
}
Value& Value::operator=(Value&& o) noexcept {
  if (this != &o) {
    Value moved(std::move(o));  // o may be inside this value
    Destroy();
    MoveFrom(std::move(moved));
  }
  return *this;
}

const std::string& Value::str() const {
  static const std::string kEmpty;
  return type_ == Type::kNumber || type_ == Type::kString ? str_ : kEmpty;
}
const std::vector<Value>& Value::items() const {
  static const std::vector<Value> kEmpty;
  return type_ == Type::kArray ? items_ : kEmpty;
}
const std::vector<Value::Member>& Value::members() const {
  static const std::vector<Member> kEmpty;
  return type_ == Type::kObject ? members_ : kEmpty;
}

void Value::Add(std::string key, Value v) {
  if (type_ != Type::kObject) {
    Destroy();
    new (&members_) std::vector<Member>();
    type_ = Type::kObject;
  }
  members_.emplace_back(std::move(key), std::move(v));
}

void Value::Push(Value v) {
  if (type_ != Type::kArray) {
    Destroy();
    new (&items_) std::vector<Value>();
    type_ = Type::kArray;
  }
  items_.push_back(std::move(v));
}

Value Value::Bool(bool b) {
  Value v;
  v.type_ = Type::kBool;
  v.bool_ = b;
  return v;
}
Value Value::Number(std::string text) {
  Value v;
  new (&v.str_) std::string(std::move(text));
  v.type_ = Type::kNumber;
  return v;
}
Value Value::String(std::string s) {
  Value v;
  new (&v.str_) std::string(std::move(s));
  v.type_ = Type::kString;
  return v;
}
Value Value::Array(std::vector<Value> items) {
  Value v;
  new (&v.items_) std::vector<Value>(std::move(items));
  v.type_ = Type::kArray;
  return v;
}
Value Value::Object(std::vector<Member> members) {
  Value v;
  new (&v.members_) std::vector<Member>(std::move(members));
  v.type_ = Type::kObject;
  return v;
}

static_assert(sizeof(Value) <= 40, "json::Value is meant to stay small");

const Value* Value::Find(std::string_view key) const {
  if (type_ != Type::kObject) return nullptr;
  for (auto it = members_.rbegin(); it != members_.rend(); ++it) {
    if (it->first == key) return &it->second;
  }
  return nullptr;
}

bool Value::AsInt64(int64_t* out) const {
  if (type_ != Type::kNumber) return false;
  if (str_.find_first_of(".eE") != std::string::npos) return false;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(str_.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

bool Value::AsDouble(double* out) const {
  if (type_ != Type::kNumber) return false;
  char* end = nullptr;
  *out = std::strtod(str_.c_str(), &end);
  return *end == '\0';
}

namespace {

Status Convert(simdjson::dom::element e, Value* out, size_t depth, size_t max_depth) {
  if (depth > max_depth) return Status::InvalidArgument("JSON nesting too deep");
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: {
      std::vector<Value::Member> members;
      simdjson::dom::object obj = e.get_object().value_unsafe();
      members.reserve(obj.size());
      for (auto field : obj) {
        Value child;
        RETURN_IF_ERROR(Convert(field.value, &child, depth + 1, max_depth));
        members.emplace_back(std::string(field.key), std::move(child));
      }
      *out = Value::Object(std::move(members));
      return Status::Ok();
    }
    case element_type::ARRAY: {
      std::vector<Value> items;
      simdjson::dom::array arr = e.get_array().value_unsafe();
      items.reserve(arr.size());
      for (auto child_e : arr) {
        Value child;
        RETURN_IF_ERROR(Convert(child_e, &child, depth + 1, max_depth));
        items.push_back(std::move(child));
      }
      *out = Value::Array(std::move(items));
      return Status::Ok();
    }
    case element_type::STRING: *out = Value::String(std::string(e.get_string().value_unsafe())); return Status::Ok();
    case element_type::INT64: *out = Value::Number(std::to_string(e.get_int64().value_unsafe())); return Status::Ok();
    case element_type::UINT64: *out = Value::Number(std::to_string(e.get_uint64().value_unsafe())); return Status::Ok();
    case element_type::DOUBLE: {
      rapidjson::StringBuffer sb;
      rapidjson::Writer<rapidjson::StringBuffer> w(sb);
      w.Double(e.get_double().value_unsafe());
      *out = Value::Number(sb.GetString());
      return Status::Ok();
    }
    case element_type::BOOL: *out = Value::Bool(e.get_bool().value_unsafe()); return Status::Ok();
    case element_type::NULL_VALUE: *out = Value::Null(); return Status::Ok();
  }
  return Status::Internal("unknown JSON element type");
}

}  // namespace

Result<Value> Parse(std::string_view text, size_t max_depth) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto err = parser.parse(text.data(), text.size(), /*realloc_if_needed=*/true).get(root);
  if (err) return Status::InvalidArgument(simdjson::error_message(err));
  Value v;
  Status st = Convert(root, &v, 0, max_depth);
  // The parser keeps buffers sized for the largest document it has seen (about 13 bytes per
  // input byte); after a large one, let them go instead of holding them per thread.
  if (text.size() > (1u << 20)) parser = simdjson::dom::parser();
  RETURN_IF_ERROR(st);
  return v;
}

struct Writer::Impl {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer{buffer};
};

Writer::Writer() : impl_(std::make_unique<Impl>()) {}
Writer::~Writer() = default;

void Writer::StartObject() { impl_->writer.StartObject(); }
void Writer::EndObject() { impl_->writer.EndObject(); }
void Writer::StartArray() { impl_->writer.StartArray(); }
void Writer::EndArray() { impl_->writer.EndArray(); }
void Writer::Key(std::string_view k) { impl_->writer.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
void Writer::String(std::string_view s) { impl_->writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
void Writer::Bool(bool b) { impl_->writer.Bool(b); }
void Writer::Null() { impl_->writer.Null(); }
void Writer::Int64(int64_t v) { impl_->writer.Int64(v); }
void Writer::Uint64(uint64_t v) { impl_->writer.Uint64(v); }
void Writer::Double(double v) { impl_->writer.Double(v); }
void Writer::RawNumber(std::string_view text) {
  impl_->writer.RawValue(text.data(), text.size(), rapidjson::kNumberType);
}

void Writer::RawJson(std::string_view text) {
  impl_->writer.RawValue(text.data(), text.size(), rapidjson::kObjectType);
}

void Writer::Write(const Value& v) {
  switch (v.type()) {
    case Type::kNull: Null(); break;
    case Type::kBool: Bool(v.as_bool()); break;
    case Type::kNumber: RawNumber(v.str()); break;
    case Type::kString: String(v.str()); break;
    case Type::kArray:
      StartArray();
      for (const auto& i : v.items()) Write(i);
      EndArray();
      break;
    case Type::kObject:
      StartObject();
      for (const auto& [k, m] : v.members()) {
        Key(k);
        Write(m);
      }
      EndObject();
      break;
  }
}

std::string Writer::Take() { return std::string(impl_->buffer.GetString(), impl_->buffer.GetSize()); }
const char* Writer::data() const { return impl_->buffer.GetString(); }
size_t Writer::size() const { return impl_->buffer.GetSize(); }

std::string Serialize(const Value& v) {
  Writer w;
  w.Write(v);
  return w.Take();
}

}  // namespace floe::json
