#pragma once
// Iceberg table metadata (table spec, format versions 2 and 3): schemas, partition specs,
// sort orders, snapshots, refs, the snapshot and metadata logs, and their JSON form
// (`NNNNN-<uuid>.metadata.json`). docs/formats/iceberg.md lists what floe writes.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "json/json.h"
#include "parquet/schema.h"

namespace floe::iceberg {

struct Schema {
  int32_t schema_id = 0;
  std::vector<int32_t> identifier_field_ids;
  parquet::Schema fields;
};

// A partition or sort transform: identity, bucket[N], truncate[W], year, month, day, hour,
// void.
struct Transform {
  enum class Kind : uint8_t { kIdentity, kBucket, kTruncate, kYear, kMonth, kDay, kHour, kVoid };
  Kind kind = Kind::kIdentity;
  int32_t param = 0;  // bucket count or truncate width

  std::string ToString() const;
  // Errors: kInvalidArgument for an unknown transform.
  static Result<Transform> Parse(std::string_view s);
  bool operator==(const Transform&) const = default;
};

struct PartitionField {
  int32_t source_id = 0;
  int32_t field_id = 0;  // 1000 and up
  std::string name;
  Transform transform;
};

struct PartitionSpec {
  int32_t spec_id = 0;
  std::vector<PartitionField> fields;
  bool unpartitioned() const;
};

struct SortField {
  Transform transform;
  int32_t source_id = 0;
  bool ascending = true;
  bool nulls_first = true;
};

struct SortOrder {
  int32_t order_id = 0;  // 0 is reserved for "unsorted"
  std::vector<SortField> fields;
};

struct Snapshot {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_id;
  int64_t sequence_number = 0;
  int64_t timestamp_ms = 0;
  std::string manifest_list;
  // "operation" first (append, replace, overwrite, delete), then the other summary entries.
  std::vector<std::pair<std::string, std::string>> summary;
  std::optional<int32_t> schema_id;
  // Format version 3 row lineage.
  std::optional<int64_t> first_row_id;
  std::optional<int64_t> added_rows;

  std::string operation() const { return summary.empty() ? "" : summary[0].second; }
  const std::string* SummaryValue(std::string_view key) const;
};

struct SnapshotRef {
  int64_t snapshot_id = 0;
  bool is_branch = true;  // "branch" or "tag"
  std::optional<int32_t> min_snapshots_to_keep;
  std::optional<int64_t> max_snapshot_age_ms;
  std::optional<int64_t> max_ref_age_ms;
};

struct LogEntry {
  int64_t timestamp_ms = 0;
  int64_t snapshot_id = 0;    // snapshot log
  std::string metadata_file;  // metadata log
};

struct TableMetadata {
  int format_version = 2;
  std::string table_uuid;
  std::string location;
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  int32_t last_column_id = 0;
  std::vector<Schema> schemas;
  int32_t current_schema_id = 0;
  std::vector<PartitionSpec> specs;
  int32_t default_spec_id = 0;
  int32_t last_partition_id = 999;
  std::map<std::string, std::string> properties;
  std::optional<int64_t> current_snapshot_id;
  std::vector<Snapshot> snapshots;
  std::vector<LogEntry> snapshot_log;
  std::vector<LogEntry> metadata_log;
  std::vector<SortOrder> sort_orders;
  int32_t default_sort_order_id = 0;
  std::map<std::string, SnapshotRef> refs;
  int64_t next_row_id = 0;  // format version 3
  // Kept verbatim (JSON arrays) so that other writers' statistics survive floe's commits.
  std::string statistics_json = "[]";
  std::string partition_statistics_json = "[]";

  const Schema* CurrentSchema() const;
  const Schema* SchemaById(int32_t id) const;
  const PartitionSpec* SpecById(int32_t id) const;
  const PartitionSpec* DefaultSpec() const { return SpecById(default_spec_id); }
  const Snapshot* SnapshotById(int64_t id) const;
  const Snapshot* CurrentSnapshot() const;
  // The snapshot a branch points at, or nullptr (a new branch).
  const Snapshot* BranchHead(std::string_view branch) const;
  std::string Property(std::string_view key, std::string_view fallback) const;
  int64_t IntProperty(std::string_view key, int64_t fallback) const;

  // ---- Changes, each keeping the metadata valid. Errors: kInvalidArgument.
  // Adds a schema (its id assigned when negative or taken) and returns the id; the
  // highest field id raises last_column_id. A schema equal to an existing one returns that
  // one's id.
  Result<int32_t> AddSchema(Schema schema, std::optional<int32_t> last_column_id = std::nullopt);
  Status SetCurrentSchema(int32_t schema_id);  // -1: the last added
  Result<int32_t> AddSpec(PartitionSpec spec);
  Status SetDefaultSpec(int32_t spec_id);  // -1: the last added
  Result<int32_t> AddSortOrder(SortOrder order);
  Status SetDefaultSortOrder(int32_t order_id);  // -1: the last added
  // Requires a sequence number above last_sequence_number (v2+) and a new id.
  Status AddSnapshot(Snapshot snapshot);
  // Points a ref at a snapshot; the "main" branch also moves current-snapshot-id and
  // appends to the snapshot log.
  Status SetRef(const std::string& name, SnapshotRef ref);
  void RemoveRef(const std::string& name);
  // Removes snapshots (and refs to them).
  void RemoveSnapshots(const std::vector<int64_t>& ids);
  Status UpgradeFormatVersion(int version);

  // Last id handed to a schema, spec or sort order.
  int32_t last_added_schema_id = -1;
  int32_t last_added_spec_id = -1;
  int32_t last_added_order_id = -1;
};

// A new table's metadata: the schema's field ids are kept (they must be unique and
// positive); spec and order field ids are assigned from 1000 and 1.
// Errors: kInvalidArgument for a bad schema, spec or order.
Result<TableMetadata> NewTableMetadata(const std::string& location, Schema schema, PartitionSpec spec, SortOrder order,
                                       std::map<std::string, std::string> properties, int format_version,
                                       int64_t now_ms);

std::string MetadataToJson(const TableMetadata& m);
// Errors: kInvalidArgument (kCorruption when read from a file) naming the member.
Result<TableMetadata> MetadataFromJson(std::string_view text);

// JSON pieces shared with the REST catalog and the manifests' key/value metadata.
std::string SchemaToJson(const Schema& schema);
std::string SpecToJson(const PartitionSpec& spec);
std::string SpecFieldsToJson(const PartitionSpec& spec);  // the "fields" array alone
std::string SortOrderToJson(const SortOrder& order);
std::string SnapshotToJson(const Snapshot& snapshot);
// Writes properties (table or namespace) as one JSON object of strings.
void WriteProperties(const std::map<std::string, std::string>& properties, json::Writer* w);

// The same pieces from parsed JSON (REST requests, metadata files).
// Errors: kInvalidArgument naming the member.
Result<Schema> ParseSchema(const json::Value& v);
// Field ids of a spec from a client may be absent: they are assigned after last_partition_id.
Result<PartitionSpec> ParseSpec(const json::Value& v, int32_t* last_partition_id);
Result<SortOrder> ParseSortOrder(const json::Value& v);
Result<Snapshot> ParseSnapshot(const json::Value& v);
Result<SnapshotRef> ParseRef(const json::Value& v);

// Schema evolution check: may `to` replace `from` for existing data files? Field ids carry
// the identity; allowed: added optional fields, renames, int->long, float->double,
// decimal(P,S)->decimal(P',S) with P' >= P, required->optional. Errors name the field.
Status CheckSchemaEvolution(const parquet::Schema& from, const parquet::Schema& to);

// The highest field id in a schema (0 when empty).
int32_t MaxFieldId(const parquet::Schema& schema);
// The field with this id anywhere in the schema, or nullptr.
const parquet::Field* FindField(const parquet::Schema& schema, int32_t id);

}  // namespace floe::iceberg
