#pragma once
// Maps DynamoDB changes and items to rows of the replication's Iceberg table
// (docs/replicator.md gives the table layouts and the conversion of every type).
//
// Mirror tables hold the configured columns, then `_extra` (JSON of the attributes no column
// names, when unmappedAttributes is "json"), `_sequence_number` and
// `_approximate_creation_time` of the change that wrote the row. Changelog tables hold
// `_op`, `_sequence_number`, `_approximate_creation_time`, `_ttl_expired`, the key columns,
// and `_old` / `_new` structs of the images.
//
// A value that does not fit its column (a string where the column is long, a number with
// more digits than a decimal's scale, a missing required attribute) is a mapping failure:
// kInvalidArgument naming the column and attribute. Nothing is coerced.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "dynamo/attribute_value.h"
#include "dynamo/table_schema.h"
#include "iceberg/metadata.h"
#include "parquet/value.h"
#include "pipeline/config.h"

namespace floe::pipeline {

// One change of the source table, whatever the source (the local change log or a DynamoDB
// Streams endpoint).
struct Change {
  enum class Op { kInsert, kModify, kRemove, kSnapshot };
  Op op = Op::kInsert;
  dynamo::Item keys;
  std::optional<dynamo::Item> old_image;
  std::optional<dynamo::Item> new_image;
  std::string sequence;      // the stream's sequence number (decimal text)
  int64_t created_ms = 0;    // approximate creation time
  bool ttl_expired = false;  // removed by TTL
  size_t bytes = 0;          // approximate size, for buffering
};
const char* OpName(Change::Op op);

class RowMapper {
 public:
  // keys: the DynamoDB table's key attributes (hash, then range). Every key attribute needs a
  // column whose source is that attribute, of a matching type (S: string; N: int, long or
  // decimal with scale 0; B: binary). Errors: kInvalidArgument naming the column.
  static Result<RowMapper> Make(const ReplicationConfig& config, std::vector<dynamo::KeyElement> keys);

  // The table schema, field ids from 1 (key columns are its identifier fields).
  const iceberg::Schema& schema() const { return schema_; }

  // A mirror row: the item's columns, with the change's sequence number and time.
  Result<parquet::Value> MirrorRow(const dynamo::Item& item, const std::string& sequence, int64_t created_ms) const;
  // A changelog row.
  Result<parquet::Value> ChangelogRow(const Change& change) const;

  // The identity of a key, the same from a DynamoDB key and from a mirror row.
  Result<std::string> KeyOfItem(const dynamo::Item& item) const;
  std::string KeyOfRow(const parquet::Value& row) const;

 private:
  RowMapper() = default;
  Result<std::vector<parquet::Value>> Columns(const dynamo::Item& item) const;

  ReplicationConfig config_;
  std::vector<dynamo::KeyElement> keys_;
  std::vector<size_t> key_columns_;            // index into config_.columns, per key attribute
  std::set<std::string, std::less<>> mapped_;  // top-level attributes some column reads
  iceberg::Schema schema_;
};

// Plain JSON of attribute values (numbers as written, binary as base64, sets as arrays).
std::string ItemToPlainJson(const dynamo::Item& item);
// DynamoDB JSON ({"S": ...}) of an item, for backup records.
std::string ItemToDynamoJson(const dynamo::Item& item);

}  // namespace floe::pipeline
