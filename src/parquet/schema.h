#pragma once
// The writer's schema model is Iceberg's: every field has an id, a name, required or optional,
// and one of Iceberg's types. docs/formats/parquet.md gives the Parquet mapping of each type.
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace floe::parquet {

enum class TypeId : uint8_t {
  kBoolean,
  kInt,   // 32-bit signed
  kLong,  // 64-bit signed
  kFloat,
  kDouble,
  kDecimal,      // precision 1..38, scale 0..precision
  kDate,         // days since 1970-01-01
  kTime,         // microseconds since midnight
  kTimestamp,    // microseconds since the epoch, no time zone
  kTimestampTz,  // microseconds since the epoch, UTC
  kString,       // UTF-8
  kUuid,         // 16 bytes
  kFixed,        // `length` bytes
  kBinary,
  kStruct,
  kList,
  kMap,
};

// One field of a schema. Nested types keep their parts in `children`:
//   struct: its fields; list: {element}; map: {key, value}.
// List elements are named "element", map parts "key" and "value" (the names Parquet's
// three-level LIST and MAP layouts use); the factories below set them.
struct Field {
  int32_t id = 0;
  std::string name;
  bool required = false;
  TypeId type = TypeId::kString;
  int32_t precision = 0;  // decimal
  int32_t scale = 0;      // decimal
  int32_t length = 0;     // fixed
  std::vector<Field> children;

  bool is_nested() const { return type == TypeId::kStruct || type == TypeId::kList || type == TypeId::kMap; }
};

Field Primitive(int32_t id, std::string name, TypeId type, bool required = false);
Field Decimal(int32_t id, std::string name, int32_t precision, int32_t scale, bool required = false);
Field Fixed(int32_t id, std::string name, int32_t length, bool required = false);
Field Struct(int32_t id, std::string name, std::vector<Field> fields, bool required = false);
// `element` keeps its id, type and required flag; its name becomes "element".
Field List(int32_t id, std::string name, Field element, bool required = false);
// The key is always required (Parquet and Iceberg); the value keeps its required flag.
Field Map(int32_t id, std::string name, Field key, Field value, bool required = false);

// The top-level struct of a file.
struct Schema {
  std::vector<Field> fields;
};

// Nesting limit: DynamoDB documents reach depth 32; each level may be a list or a map.
inline constexpr int kMaxNestingDepth = 64;

// Checks ids (positive, unique), names (non-empty, unique within a struct), decimal precision
// and scale, fixed lengths, list/map shapes and the nesting depth.
// Errors: kInvalidArgument naming the field.
Status ValidateSchema(const Schema& schema);

// Iceberg's spelling of a field's type: "long", "decimal(10,2)", "list<string>", ...
std::string TypeName(const Field& field);

// Minimum number of bytes of a two's-complement integer that holds every unscaled value of
// the given decimal precision (1..38).
int32_t DecimalBytes(int32_t precision);

}  // namespace floe::parquet
