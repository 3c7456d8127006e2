#pragma once
// Manifests and manifest lists (Iceberg spec "Manifests", "Manifest Lists"), written and read
// as Avro object container files with the spec's field ids and key/value metadata.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "iceberg/metadata.h"
#include "parquet/value.h"

namespace floe::objstore {
class Store;
}

namespace floe::iceberg {

// Persisted values: do not reorder.
enum class FileContent : int32_t { kData = 0, kPositionDeletes = 1, kEqualityDeletes = 2 };
enum class EntryStatus : int32_t { kExisting = 0, kAdded = 1, kDeleted = 2 };

// Reserved field ids of position delete files.
inline constexpr int32_t kDeleteFilePathId = 2147483546;
inline constexpr int32_t kDeletePosId = 2147483545;

struct DataFile {
  FileContent content = FileContent::kData;
  std::string file_path;
  std::string file_format = "PARQUET";    // PARQUET, or PUFFIN for deletion vectors
  int32_t spec_id = 0;                    // the manifest's partition spec
  std::vector<parquet::Value> partition;  // one value per partition field
  int64_t record_count = 0;
  int64_t file_size_in_bytes = 0;
  std::map<int32_t, int64_t> column_sizes;
  std::map<int32_t, int64_t> value_counts;
  std::map<int32_t, int64_t> null_value_counts;
  std::map<int32_t, int64_t> nan_value_counts;
  std::map<int32_t, std::string> lower_bounds;  // single-value serialization
  std::map<int32_t, std::string> upper_bounds;
  std::vector<int64_t> split_offsets;
  std::vector<int32_t> equality_ids;
  std::optional<int32_t> sort_order_id;
  // Format version 3.
  std::optional<int64_t> first_row_id;
  std::optional<std::string> referenced_data_file;  // deletes that target one data file
  std::optional<int64_t> content_offset;            // deletion vector blob in a Puffin file
  std::optional<int64_t> content_size_in_bytes;
};

// A file's partition (spec id and values) as a string: equal for files of the same partition
// and different otherwise, for grouping and matching files by partition.
std::string PartitionKey(const DataFile& f);

// Whether a position delete file (or deletion vector) may hold deletes for the data file at
// data_path: its referenced_data_file names it, or, without one, data_path lies within its
// file_path bounds.
bool MayDeleteFrom(const DataFile& position_delete, const std::string& data_path);

struct ManifestEntry {
  EntryStatus status = EntryStatus::kAdded;
  std::optional<int64_t> snapshot_id;           // null: inherited from the manifest list
  std::optional<int64_t> sequence_number;       // data sequence number; null: inherited
  std::optional<int64_t> file_sequence_number;  // null: inherited
  DataFile file;
};

struct FieldSummary {
  bool contains_null = false;
  std::optional<bool> contains_nan;
  std::optional<std::string> lower_bound;
  std::optional<std::string> upper_bound;
};

// One entry of a manifest list.
struct ManifestFile {
  std::string manifest_path;
  int64_t manifest_length = 0;
  int32_t partition_spec_id = 0;
  int32_t content = 0;  // 0: data, 1: deletes
  int64_t sequence_number = 0;
  int64_t min_sequence_number = 0;
  int64_t added_snapshot_id = 0;
  int32_t added_files_count = 0;
  int32_t existing_files_count = 0;
  int32_t deleted_files_count = 0;
  int64_t added_rows_count = 0;
  int64_t existing_rows_count = 0;
  int64_t deleted_rows_count = 0;
  std::vector<FieldSummary> partitions;
  std::optional<int64_t> first_row_id;  // format version 3, data manifests
};

// What a manifest needs to know about its table.
struct ManifestContext {
  int format_version = 2;
  const Schema* schema = nullptr;
  const PartitionSpec* spec = nullptr;
};

// Encodes a manifest of one content kind (data, or deletes) and describes it for the
// manifest list. `snapshot_id` is the snapshot that writes it (added_snapshot_id);
// `sequence_number` fills the list entry (callers rewrite it at commit time).
// Errors: kInvalidArgument for an entry that does not fit the spec's partition type.
struct EncodedManifest {
  std::string bytes;
  ManifestFile file;  // manifest_path and manifest_length filled
};
Result<EncodedManifest> EncodeManifest(const ManifestContext& ctx, int32_t content, const std::string& path,
                                       const std::vector<ManifestEntry>& entries, int64_t snapshot_id);

// Reads a manifest; entries keep their stored (possibly null) inherited fields.
// spec_id of every file is the manifest's. Errors: kCorruption.
struct ReadManifestResult {
  int32_t spec_id = 0;
  int32_t content = 0;
  std::vector<ManifestEntry> entries;
};
Result<ReadManifestResult> DecodeManifest(const std::string& bytes);

// Applies the spec's inheritance rules of a manifest list entry to the manifest's entries:
// a null snapshot id becomes added_snapshot_id; null sequence numbers of ADDED entries become
// the manifest's sequence_number. Errors: kCorruption for a non-ADDED entry with none.
Status InheritFromManifest(const ManifestFile& manifest, std::vector<ManifestEntry>* entries);

Result<std::string> EncodeManifestList(int format_version, int64_t snapshot_id, std::optional<int64_t> parent_id,
                                       int64_t sequence_number, std::optional<int64_t> first_row_id,
                                       const std::vector<ManifestFile>& manifests);
Result<std::vector<ManifestFile>> DecodeManifestList(const std::string& bytes);

}  // namespace floe::iceberg
