#include "iceberg/maintenance.h"

#include <algorithm>
#include <set>

#include "objstore/store.h"

namespace floe::iceberg {

namespace {

std::set<int64_t> SnapshotsToKeep(const TableMetadata& m, const ExpireOptions& o) {
  std::set<int64_t> keep;
  for (const auto& [name, ref] : m.refs) {
    keep.insert(ref.snapshot_id);
    if (!ref.is_branch) continue;
    int retain = std::max(o.retain_last, ref.min_snapshots_to_keep.value_or(1));
    const Snapshot* s = m.SnapshotById(ref.snapshot_id);
    for (int n = 0; s != nullptr && n < retain; ++n) {
      keep.insert(s->snapshot_id);
      s = s->parent_id ? m.SnapshotById(*s->parent_id) : nullptr;
    }
  }
  for (const Snapshot& s : m.snapshots) {
    if (s.timestamp_ms >= o.older_than_ms) keep.insert(s.snapshot_id);
  }
  return keep;
}

}  // namespace

Result<ExpireResult> ExpireSnapshots(Catalog* catalog, const TableIdent& ident, const ExpireOptions& options) {
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(LoadedTable base, catalog->LoadTable(ident));
    std::set<int64_t> keep = SnapshotsToKeep(base.metadata, options);
    ExpireResult result;
    std::vector<const Snapshot*> kept, expired;
    for (const Snapshot& s : base.metadata.snapshots) {
      if (keep.count(s.snapshot_id) > 0) {
        kept.push_back(&s);
      } else {
        expired.push_back(&s);
        result.expired_snapshot_ids.push_back(s.snapshot_id);
      }
    }
    if (expired.empty()) return result;
    // What kept snapshots reach, then what only the expired ones add (each manifest read once).
    Reachable still;
    RETURN_IF_ERROR(AddReachable(catalog->store(), kept, false, &still));
    Reachable all = still;
    RETURN_IF_ERROR(AddReachable(catalog->store(), expired, false, &all));
    TableMetadata next = base.metadata;
    next.RemoveSnapshots(result.expired_snapshot_ids);
    auto committed = catalog->Commit(ident, base.metadata_location, std::move(next));
    if (!committed.ok()) {
      if (committed.status().code() == StatusCode::kCommitFailed && attempt < 8) continue;
      return committed.status();
    }
    for (const auto& f : all.files) {
      if (still.files.count(f) > 0) continue;
      RETURN_IF_ERROR(catalog->DeleteFile(f));
      result.deleted_files.push_back(f);
    }
    return result;
  }
}

Result<std::vector<std::string>> RemoveOrphanFiles(Catalog* catalog, const TableIdent& ident, int64_t older_than_ms,
                                                   bool dry_run) {
  ASSIGN_OR_RETURN(LoadedTable t, catalog->LoadTable(ident));
  ASSIGN_OR_RETURN(std::vector<std::string> reachable, ReachableFiles(catalog->store(), t.metadata));
  std::set<std::string> keep(reachable.begin(), reachable.end());
  keep.insert(t.metadata_location);
  for (const auto& e : t.metadata.metadata_log) keep.insert(e.metadata_file);
  keep.insert(t.metadata.location + "/metadata/version-hint.text");
  ASSIGN_OR_RETURN(std::vector<objstore::ObjectInfo> listed, catalog->store()->List(t.metadata.location + "/"));
  std::vector<std::string> orphans;
  for (const auto& o : listed) {
    if (keep.count(o.location) > 0 || o.modified_ms >= older_than_ms) continue;
    if (!dry_run) RETURN_IF_ERROR(catalog->DeleteFile(o.location));
    orphans.push_back(o.location);
  }
  return orphans;
}

}  // namespace floe::iceberg
