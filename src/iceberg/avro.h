#pragma once
// Avro 1.11 binary encoding and object container files (OCF), as much of Avro as Iceberg's
// manifests and manifest lists use, with the Iceberg schema attributes (field-id,
// element-id, key-id, value-id, logicalType). docs/formats/iceberg.md shows the layouts.
//
// Datums are parquet::Value trees:
//   null -> Null; boolean -> Bool; int, long, enum (symbol index) -> Int; float -> Float;
//   double -> Double; bytes, string, fixed -> Bytes; record -> Struct (fields in order);
//   array -> List; map -> Map (string keys as Bytes); union -> the branch's datum.
// Unions are Iceberg's optional types: a Null datum encodes the "null" branch, any other
// datum the first non-null branch.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "parquet/value.h"

namespace floe::iceberg::avro {

using Datum = parquet::Value;

enum class Type : uint8_t {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kFixed,
  kEnum,
  kRecord,
  kArray,
  kMap,
  kUnion
};

struct Node;

struct RecordField {
  std::string name;
  int32_t field_id = -1;      // Iceberg "field-id"; -1: none
  bool default_null = false;  // "default": null (optional fields)
  std::string doc;
};

// One schema node. Children: record -> one per field (fields[i] describes children[i]);
// array -> {items}; map -> {values}; union -> its branches.
struct Node {
  Type type = Type::kNull;
  std::string name;                  // record, fixed and enum names
  int32_t size = 0;                  // fixed
  std::vector<std::string> symbols;  // enum
  std::vector<RecordField> fields;
  std::vector<Node> children;
  // Iceberg attributes (-1 / empty: absent).
  int32_t element_id = -1;  // array
  int32_t key_id = -1;      // map, or an array with logicalType "map"
  int32_t value_id = -1;
  std::string logical_type;  // "date", "decimal", "timestamp-micros", "uuid", "map", ...
  int32_t precision = 0;     // decimal
  int32_t scale = 0;
  int adjust_to_utc = -1;  // timestamps: 0 or 1

  static Node Primitive(Type t) {
    Node n;
    n.type = t;
    return n;
  }
  static Node Optional(Node inner);  // ["null", inner]
};

// Schema JSON, compact. Record names must be unique within the schema (the caller's job).
std::string SchemaToJson(const Node& schema);
// Parses a writer's schema (named types may be referenced by name).
// Errors: kCorruption for a schema this reader does not understand.
Result<Node> SchemaFromJson(std::string_view json);

// Binary encoding of one datum. Errors: kInvalidArgument when the datum does not fit.
Status Encode(const Node& schema, const Datum& datum, std::string* out);
// Decodes one datum from data[*pos...], advancing *pos. Errors: kCorruption.
Status Decode(const Node& schema, std::string_view data, size_t* pos, Datum* out);

enum class Codec : uint8_t { kNull, kDeflate };

// Builds an object container file in memory. Not thread-safe.
class FileWriter {
 public:
  FileWriter(Node schema, std::vector<std::pair<std::string, std::string>> metadata, Codec codec = Codec::kDeflate);
  Status Append(const Datum& record);
  // Flushes the last block and returns the file's bytes. REQUIRES: called once.
  Result<std::string> Finish();
  int64_t count() const { return count_; }

 private:
  Status FlushBlock();
  Node schema_;
  Codec codec_;
  char sync_[16];
  std::string out_;
  std::string block_;
  int64_t block_count_ = 0;
  int64_t count_ = 0;
};

struct File {
  Node schema;
  std::vector<std::pair<std::string, std::string>> metadata;  // avro.schema and avro.codec included
  std::vector<Datum> records;
  // The metadata value for key, or nullptr.
  const std::string* Meta(std::string_view key) const;
};

// Reads a whole object container file (codecs null and deflate). Errors: kCorruption.
Result<File> ReadFile(std::string_view bytes);

// The blocks of an object container file, decompressed, for callers that decode records
// straight into their own structs with a Decoder (no Datum trees).
struct Container {
  Node schema;
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<std::pair<std::string, int64_t>> blocks;  // bytes and record count
  const std::string* Meta(std::string_view key) const;
};
Result<Container> ReadContainer(std::string_view bytes);

// Reads Avro's binary encoding from a buffer. Every method returns false (and the decoder
// stays failed) on truncated or malformed data.
class Decoder {
 public:
  explicit Decoder(std::string_view data) : d_(data) {}
  bool Long(int64_t* v);
  bool Bytes(std::string* v);
  bool Bool(bool* v);
  // A union's branch: *branch points at the chosen child of `u`.
  bool Branch(const Node& u, const Node** branch);
  // Reads the next array/map block header: *count items follow (0: the end).
  bool BlockCount(int64_t* count);
  // Decodes one datum (the generic path, for small parts such as partition tuples).
  Status Read(const Node& n, Datum* out);
  Status Skip(const Node& n);
  bool done() const { return pos_ >= d_.size(); }
  bool ok() const { return ok_; }

 private:
  std::string_view d_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Helpers for record datums: the field named `name` of a record of `schema`, or nullptr.
const Datum* FieldOf(const Node& schema, const Datum& record, std::string_view name);

}  // namespace floe::iceberg::avro
