#pragma once
// Snapshot-producing commits (fast append, row delta, overwrite, rewrite) with optimistic
// concurrency against the catalog, manifest merging, and scan planning.
//
// A commit writes its new manifests once, then per attempt: loads the table, validates the
// change against the current snapshot, rewrites the manifests that lose files, merges small
// manifests, writes a manifest list and swaps the metadata. When another commit won the race
// (kCommitFailed) it retries on the new state with exponential backoff; files of failed
// attempts are deleted.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "iceberg/catalog.h"
#include "iceberg/manifest.h"

namespace floe::iceberg {

struct SnapshotChange {
  // "append", "overwrite", "replace" (rewrite), "delete"; empty: derived from the change.
  std::string operation;
  std::vector<DataFile> added_data;
  std::vector<DataFile> added_deletes;  // position, equality or deletion-vector files
  // Paths of live data or delete files this change removes. All must be live in the snapshot
  // the change commits on, else kConditionFailed (a concurrent change removed them).
  std::vector<std::string> removed;
  // Data files the added deletes target: they must still be live (row delta validation).
  std::vector<std::string> referenced_data_files;
  // The data sequence number of the added files; default: the new snapshot's. A rewrite
  // keeps the sequence number of the snapshot it read, so that deletes committed meanwhile
  // still apply to the rewritten rows.
  std::optional<int64_t> data_sequence_number;
  // Conflict validation for rewrites: when set, delete files committed after this snapshot
  // that may apply to a removed data file fail the commit (kConditionFailed); otherwise the
  // rows they delete would come back in the rewritten files.
  std::optional<int64_t> validate_from_snapshot;
  // Extra snapshot summary entries (e.g. a stream position).
  std::vector<std::pair<std::string, std::string>> summary;
};

struct CommitOptions {
  // -1: the table properties commit.retry.num-retries (4), commit.retry.min-wait-ms (100),
  // commit.retry.max-wait-ms (60000).
  int max_retries = -1;
  int min_wait_ms = -1;
  int max_wait_ms = -1;
};

struct CommitResult {
  int64_t snapshot_id = 0;
  int64_t sequence_number = 0;
  int attempts = 0;
  LoadedTable table;
};

// A change without files must carry summary entries (it records a position).
// Errors: kCommitFailed after the retries; kConditionFailed when the change no longer
// applies (removed or referenced files gone); kInvalidArgument for a bad change; I/O errors.
Result<CommitResult> CommitChange(Catalog* catalog, const TableIdent& ident, const SnapshotChange& change,
                                  const CommitOptions& options = {});

// A live file of a snapshot with its inherited sequence numbers.
struct LiveFile {
  DataFile file;
  int64_t data_sequence_number = 0;
  int64_t file_sequence_number = 0;
  int64_t snapshot_id = 0;
};

// The live (not deleted) data and delete files of a snapshot (the current one by default).
// Manifests are read in parallel. Errors: I/O and kCorruption.
Result<std::vector<LiveFile>> LiveFiles(objstore::Store* store, const TableMetadata& m,
                                        std::optional<int64_t> snapshot_id = std::nullopt);

// One data file to read and the delete files that apply to it, by the spec's rules:
// position deletes and deletion vectors with a data sequence number >= the file's, equality
// deletes with a greater one, each in the same partition (or unpartitioned).
struct ScanTask {
  LiveFile data;
  std::vector<LiveFile> deletes;
};
Result<std::vector<ScanTask>> PlanScan(objstore::Store* store, const TableMetadata& m,
                                       std::optional<int64_t> snapshot_id = std::nullopt);

// The snapshot summary key floe's writers use to record where a change came from.
std::string SummaryValue(const Snapshot& s, std::string_view key);

}  // namespace floe::iceberg
