#pragma once
// Table maintenance: snapshot expiration and orphan-file removal. Compaction (rewrite) is in
// compaction.h.
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "iceberg/catalog.h"

namespace floe::iceberg {

struct ExpireOptions {
  // Snapshots older than this (ms since the epoch) may expire.
  int64_t older_than_ms = 0;
  // The newest snapshots of main's history that always stay (the ref's
  // min-snapshots-to-keep when larger).
  int retain_last = 1;
};

struct ExpireResult {
  std::vector<int64_t> expired_snapshot_ids;
  std::vector<std::string> deleted_files;  // manifest lists, manifests, data and delete files
};

// Removes expired snapshots from the metadata (one commit, retried on conflicts), then
// deletes the files only they reached. Snapshots that refs point at never expire.
Result<ExpireResult> ExpireSnapshots(Catalog* catalog, const TableIdent& ident, const ExpireOptions& options);

// Deletes files under the table's location that no metadata reaches (data, delete, manifest,
// manifest list and metadata files), if last modified before older_than_ms: files of
// in-flight commits are younger. dry_run: only report them.
Result<std::vector<std::string>> RemoveOrphanFiles(Catalog* catalog, const TableIdent& ident, int64_t older_than_ms,
                                                   bool dry_run = false);

}  // namespace floe::iceberg
