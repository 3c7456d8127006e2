#pragma once
// Replication settings (docs/replicator.md): the "replications" array of a config.json, as
// the reference architecture's Table Replicator names them (tableName, tableStreamArn,
// glueDatabaseName, glueTableName, glueTableSchema) plus floe's own (mode, bufferingHints,
// partitionSpec, transform, backupPrefix, retry, maintenance, warehouse).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "parquet/schema.h"

namespace floe::json {
class Value;
}

namespace floe::pipeline {

enum class Mode { kMirror, kChangelog };
// What happens to attributes that no column names.
enum class Unmapped { kJson, kDrop };

struct Column {
  std::string name;
  parquet::Field type;              // ids are assigned when the table schema is built
  std::vector<std::string> source;  // attribute path: top-level name, then map keys
  bool required = false;
};

struct TransformSettings {
  std::string code;                    // Lua 5.4 source
  std::string function = "transform";  // the global it calls
  int64_t batch_records = 500;         // records per call
  int64_t timeout_ms = 1000;           // per call (instruction budget is derived from it)
  int64_t memory_mb = 64;
};

struct RetrySettings {
  int64_t attempts = 10;  // of a failed flush, before its records go to the backup
  int64_t min_backoff_ms = 100;
  int64_t max_backoff_ms = 30000;
};

struct MaintenanceSettings {
  bool enabled = true;
  int64_t interval_seconds = 60;
  int64_t min_input_files = 10;               // compaction: small files per partition
  int64_t target_file_mb = 128;               // compaction and new data files
  double delete_ratio = 0.2;                  // compaction: files with this share deleted
  int64_t snapshot_retention_seconds = 3600;  // expiration
  int64_t retain_last_snapshots = 20;
  int64_t orphan_age_seconds = 3600;  // orphan removal: files older than this
};

struct ReplicationConfig {
  std::string table_name;
  std::string stream_arn;  // optional for a local table
  std::string database;    // glueDatabaseName: the Iceberg namespace
  std::string table;       // glueTableName
  std::vector<Column> columns;
  Mode mode = Mode::kMirror;
  Unmapped unmapped = Unmapped::kJson;
  int64_t interval_seconds = 1;             // bufferingHints.intervalInSeconds, 0..900
  int64_t size_mb = 5;                      // bufferingHints.sizeInMBs, 1..128
  std::vector<std::string> partition_spec;  // "col", "day(col)", "bucket[16](col)", "truncate[4](col)"
  std::optional<TransformSettings> transform;
  std::string backup_prefix = "_backup";
  RetrySettings retry;
  MaintenanceSettings maintenance;
  int format_version = 2;
  std::string warehouse;  // empty: the server's (or the file's top-level) warehouse

  std::string Name() const { return database + "." + table; }
};

// Parses the "replications" array. base_dir resolves relative transform file paths.
// Errors: kInvalidArgument naming the key, e.g. "replications[0].bufferingHints.sizeInMBs
// must be an integer from 1 to 128".
Result<std::vector<ReplicationConfig>> ParseReplications(const json::Value& array, const std::string& base_dir);

// An Iceberg type in Iceberg's spelling (long, decimal(10,2), list<string>,
// map<string,long>, struct<a:int,b:string>) or Glue/Hive's (bigint, integer, smallint,
// tinyint, real, varchar(n), char(n), array<...>, timestamp with time zone).
// Field ids are left 0. Errors: kInvalidArgument.
Result<parquet::Field> ParseColumnType(std::string_view text);

}  // namespace floe::pipeline
