#pragma once
// Compaction (a "replace" snapshot): small data files of a partition are merged, and deletes
// are applied, into new data files of the target size; the delete files that then apply to
// nothing are removed in the same commit.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "iceberg/catalog.h"
#include "iceberg/table.h"

namespace floe::iceberg {

struct CompactOptions {
  int64_t target_file_bytes = -1;  // -1: write.target-file-size-bytes (512 MiB)
  // Files below this are "small" (-1: 75% of the target).
  int64_t small_file_bytes = -1;
  // A partition's small files are merged once there are this many of them.
  int min_input_files = 5;
  // A file whose applicable deletes reach this fraction of its rows is rewritten on its own.
  double delete_ratio = 0.1;
  // Extra snapshot summary entries (a replicator's stream position).
  std::vector<std::pair<std::string, std::string>> summary;
};

struct CompactResult {
  int rewritten_data_files = 0;
  int removed_delete_files = 0;
  std::vector<std::string> added_paths;  // the new data files
  int64_t dropped_rows = 0;              // rows the applied deletes removed
  std::optional<CommitResult> commit;    // none when nothing needed compaction
};

// Errors: kConditionFailed when a concurrent commit deleted rows of a file being rewritten
// (nothing is lost: the compaction's files are discarded; run it again); I/O errors.
Result<CompactResult> Compact(Catalog* catalog, const TableIdent& ident, const CompactOptions& options = {});

// The rows of a data file with its deletes applied, projected by field id onto `schema`;
// *positions (if given) gets each returned row's position in the file.
// Errors: I/O, kCorruption, kInvalidArgument for unsupported delete files.
Result<std::vector<parquet::Value>> ReadLiveRows(objstore::Store* store, const ScanTask& task,
                                                 const parquet::Schema& schema, int64_t* dropped = nullptr,
                                                 std::vector<int64_t>* positions = nullptr);

}  // namespace floe::iceberg
