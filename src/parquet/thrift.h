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

}  // namespace floe::parquet::thrift
