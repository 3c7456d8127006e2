#pragma once
// Partition transforms (Iceberg spec, "Partition Transforms"), their result types, Iceberg's
// 32-bit murmur3 bucket hash, the binary single-value serialization of bounds, and the
// partition tuple of a row.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "iceberg/metadata.h"
#include "parquet/schema.h"
#include "parquet/value.h"

namespace floe::iceberg {

// murmur3_x86_32 with seed 0, as Iceberg's bucket transform uses it.
int32_t Murmur3(std::string_view bytes);
// The hash Iceberg's bucket transform takes of a value of this type (the spec's
// "hash(v)"). REQUIRES: a non-null value of a bucketable type.
int32_t BucketHash(const parquet::Field& type, const parquet::Value& v);

// The type a transform produces from a source field (name and id left to the caller).
parquet::Field TransformResultType(const Transform& t, const parquet::Field& source);
// Applies a transform; null in, null out. Errors: kInvalidArgument when the transform does
// not apply to the type.
Result<parquet::Value> ApplyTransform(const Transform& t, const parquet::Field& source, const parquet::Value& v);
// Iceberg's human-readable form of a transform result, as used in partition paths.
std::string HumanString(const Transform& t, const parquet::Field& source, const parquet::Value& v);

// Binary single-value serialization (spec Appendix D). REQUIRES: a non-null primitive value.
std::string SerializeValue(const parquet::Field& type, const parquet::Value& v);
// The inverse, for reading bounds back. Errors: kCorruption for a wrong length.
Result<parquet::Value> DeserializeValue(const parquet::Field& type, std::string_view bytes);
// Orders two non-null values of a primitive type (NaN sorts above everything).
int CompareValues(const parquet::Field& type, const parquet::Value& a, const parquet::Value& b);

// Lower and upper bounds truncated to `width` (Iceberg's default metrics mode truncate(16)):
// strings by code points, binary by bytes. The upper bound is the truncated value with its
// last character (byte) incremented; nullopt when no upper bound that short exists.
std::string TruncateLowerBound(const parquet::Field& type, std::string_view bound, size_t width);
std::optional<std::string> TruncateUpperBound(const parquet::Field& type, std::string_view bound, size_t width);

// The partition key of rows under a spec: one value per partition field.
class Partitioner {
 public:
  // Errors: kInvalidArgument when a source field is missing or the transform does not apply.
  static Result<Partitioner> Make(const parquet::Schema& schema, const PartitionSpec& spec);
  // The partition tuple of a row (a Value::Struct with one value per top-level field).
  Result<std::vector<parquet::Value>> Key(const parquet::Value& row) const;
  // "name=value/name=value", each part URL-escaped; empty for an unpartitioned spec.
  std::string Path(const std::vector<parquet::Value>& key) const;
  // The result type of each partition field (named after the partition field, its id).
  const std::vector<parquet::Field>& result_types() const { return result_types_; }

 private:
  struct Part {
    Transform transform;
    parquet::Field source;
    std::vector<size_t> path;  // indices through structs to the source field
    std::string name;
  };
  std::vector<Part> parts_;
  std::vector<parquet::Field> result_types_;
};

// The partition type of a spec under a schema, one field per partition field. Fields whose
// source is gone from the schema get the type "int" for void transforms, else an error.
Result<std::vector<parquet::Field>> PartitionType(const parquet::Schema& schema, const PartitionSpec& spec);

}  // namespace floe::iceberg
