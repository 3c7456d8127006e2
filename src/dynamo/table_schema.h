#pragma once
// A table's definition as persisted in the catalog (docs/formats/catalog.md).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "dynamo/attribute_value.h"

namespace floe::json {
class Value;
class Writer;
}  // namespace floe::json

namespace floe::dynamo {

struct KeyElement {
  std::string name;
  AttrType type = AttrType::kS;  // kS, kN or kB
};

enum class BillingMode { kProvisioned, kPayPerRequest };

enum class ProjectionType { kAll, kKeysOnly, kInclude };
const char* ProjectionTypeName(ProjectionType p);

// A secondary index (docs/formats/indexes.md). Its entries live in the items column family
// under their own storage id, keyed by the index key and then the table key.
struct IndexInfo {
  std::string name;
  uint32_t id = 0;  // storage prefix, from the table id space; never reused
  bool global = true;
  KeyElement hash_key;
  std::optional<KeyElement> range_key;
  ProjectionType projection = ProjectionType::kAll;
  std::vector<std::string> non_key_attributes;  // kInclude
  int64_t read_capacity = 0;                    // global, provisioned billing
  int64_t write_capacity = 0;
  // A global index added by UpdateTable is CREATING, and not readable, until its backfill
  // from the table's existing items ends.
  bool backfilling = false;
};
const char* BillingModeName(BillingMode m);

struct TableInfo {
  std::string name;
  uint32_t id = 0;   // storage prefix; never reused
  std::string uuid;  // TableId
  std::string arn;
  KeyElement hash_key;
  std::optional<KeyElement> range_key;
  std::vector<KeyElement> attribute_definitions;
  BillingMode billing_mode = BillingMode::kProvisioned;
  int64_t read_capacity = 0;
  int64_t write_capacity = 0;
  int64_t last_increase_ms = 0;
  int64_t last_decrease_ms = 0;
  int64_t decreases_today = 0;
  int64_t pay_per_request_since_ms = 0;  // 0: never switched to on-demand
  int64_t creation_ms = 0;
  bool deletion_protection = false;
  std::string table_class = "STANDARD";
  // DynamoDB Streams: the current specification, and the newest stream the table has had
  // (kept after the stream is disabled, as DescribeTable shows it).
  bool stream_enabled = false;
  std::string stream_view_type;  // KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES
  std::string latest_stream_arn;
  std::string latest_stream_label;
  // Time to live: items whose ttl_attribute is a number of epoch seconds in the past are
  // deleted by the expirer (dynamo/ttl.h).
  bool ttl_enabled = false;
  std::string ttl_attribute;
  std::vector<std::pair<std::string, std::string>> tags;  // in the order first set
  std::vector<IndexInfo> indexes;                         // local ones first, each kind in creation order

  const IndexInfo* FindIndex(std::string_view index_name) const {
    for (const auto& i : indexes) {
      if (i.name == index_name) return &i;
    }
    return nullptr;
  }
  std::string IndexArn(const IndexInfo& i) const { return arn + "/index/" + i.name; }
};

// A key element as persisted JSON: {"name": ..., "type": "S" | "N" | "B"} (catalog and
// stream entries). Errors: kCorruption.
void WriteKeyElement(json::Writer& w, const KeyElement& k);
Result<KeyElement> ReadKeyElement(const json::Value* v);

// Persisted as JSON. Errors: kCorruption.
std::string EncodeTableInfo(const TableInfo& t);
Result<TableInfo> DecodeTableInfo(std::string_view bytes);

}  // namespace floe::dynamo
