#pragma once
// Thrift compact protocol, encoding only: the Parquet footer and page headers.
//
// Why our own encoder instead of Debian's libthrift: floe only ever writes a handful of fixed
// structs, the compact protocol's encoding is a page of rules (varints, zigzag, field-id
// deltas), and libthrift would bring generated code, a runtime library and exceptions into the
// build for that. The rules followed are those of the Thrift compact protocol specification;
// unit tests pin the bytes.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace floe::parquet::thrift {

enum class Type : uint8_t {
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

void PutVarint(std::string* out, uint64_t v);
inline uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

// Writes structs field by field. Fields of one struct must be written in increasing id order
// (the compact protocol's deltas need not be positive, but Parquet's structs are written so).
class CompactWriter {
 public:
  explicit CompactWriter(std::string* out) : out_(out) {}

  // The outermost struct, or a struct that is a list element.
  void BeginStruct();
  // Writes the stop byte and returns to the enclosing struct.
  void EndStruct();

  void I16(int16_t id, int16_t v);
  void I32(int16_t id, int32_t v);
  void I64(int16_t id, int64_t v);
  void Bool(int16_t id, bool v);
  void Binary(int16_t id, std::string_view v);
  // A struct-typed field; close it with EndStruct.
  void BeginStructField(int16_t id);
  // A list-typed field of `size` elements of `element` type; then write the elements with
  // ListI32 / ListBinary / BeginStruct...EndStruct.
  void BeginList(int16_t id, Type element, size_t size);
  void ListI32(int32_t v);
  void ListBinary(std::string_view v);

 private:
  void FieldHeader(int16_t id, Type type);
  std::string* out_;
  int16_t last_id_ = 0;
  std::vector<int16_t> stack_;
};

// The read side, for the Parquet reader: enough to walk any struct and skip what it does not
// know. Every method leaves the reader failed (ok() false) on malformed input.
class CompactReader {
 public:
  explicit CompactReader(std::string_view d) : d_(d) {}
  size_t pos() const { return pos_; }
  bool ok() const { return ok_; }

  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= d_.size()) return Fail();
      uint8_t b = static_cast<uint8_t>(d_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return Fail();
  }
  int64_t Zigzag() {
    uint64_t z = Varint();
    return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  }
  std::string Binary() {
    uint64_t n = Varint();
    if (n > d_.size() - pos_) {
      Fail();
      return {};
    }
    std::string s(d_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  uint8_t Byte() {
    if (pos_ >= d_.size()) return static_cast<uint8_t>(Fail());
    return static_cast<uint8_t>(d_[pos_++]);
  }

  // Iterates a struct's fields: fn(id, type) must consume the value (or call Skip).
  template <typename F>
  void Struct(F&& fn) {
    if (++depth_ > 64) {
      Fail();
      return;
    }
    int16_t last = 0;
    while (ok_) {
      uint8_t h = Byte();
      if (!ok_ || h == 0) break;
      uint8_t type = h & 0x0F;
      int16_t delta = h >> 4;
      int16_t id = delta != 0 ? static_cast<int16_t>(last + delta) : static_cast<int16_t>(Zigzag());
      last = id;
      if (type == 1 || type == 2) {
        bool_value_ = type == 1;
      }
      fn(id, type);
    }
    --depth_;
  }
  bool BoolValue() const { return bool_value_; }

  // List header: element type and count.
  void List(uint8_t* elem_type, uint64_t* count) {
    uint8_t h = Byte();
    *elem_type = h & 0x0F;
    *count = (h >> 4) == 15 ? Varint() : (h >> 4);
    if (*count > d_.size()) Fail();
  }

  void Skip(uint8_t type) {
    switch (type) {
      case 1:
      case 2: return;  // booleans live in the field header
      case 3: Byte(); return;
      case 4:
      case 5:
      case 6: Varint(); return;
      case 7:
        pos_ += 8;
        if (pos_ > d_.size()) Fail();
        return;
      case 8: Binary(); return;
      case 9:
      case 10: {
        uint8_t et;
        uint64_t n;
        List(&et, &n);
        for (uint64_t i = 0; i < n && ok_; ++i) SkipElement(et);
        return;
      }
      case 11: {
        uint64_t n = Varint();
        if (n == 0) return;
        uint8_t kv = Byte();
        for (uint64_t i = 0; i < n && ok_; ++i) {
          SkipElement(kv >> 4);
          SkipElement(kv & 0x0F);
        }
        return;
      }
      case 12: Struct([&](int16_t, uint8_t t) { Skip(t); }); return;
      default: Fail();
    }
  }

 private:
  void SkipElement(uint8_t type) {
    if (type == 1 || type == 2) {
      Byte();  // a boolean list element is a byte
      return;
    }
    Skip(type);
  }
  uint64_t Fail() {
    ok_ = false;
    pos_ = d_.size();
    return 0;
  }
  std::string_view d_;
  size_t pos_ = 0;
  bool ok_ = true;
  bool bool_value_ = false;
  int depth_ = 0;
};

}  // namespace floe::parquet::thrift
