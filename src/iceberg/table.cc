#include "iceberg/table.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "common/random.h"
#include "iceberg/partition.h"
#include "objstore/store.h"

namespace floe::iceberg {

namespace {

struct ReadManifest {
  ManifestFile file;
  std::vector<ManifestEntry> entries;  // inheritance applied
};

// Runs fn(i) for i in [0, n) on up to `threads` threads; returns the first error.
Status ParallelFor(size_t n, size_t threads, const std::function<Status(size_t)>& fn) {
  threads = std::min(threads, n);
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i) RETURN_IF_ERROR(fn(i));
    return Status::Ok();
  }
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first;
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < n; i = next++) {
        Status st = fn(i);
        if (!st.ok()) {
          std::lock_guard<std::mutex> l(mu);
          if (first.ok()) first = st;
          next = n;
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  return first;
}

size_t ReadThreads() { return std::max(2u, std::min(8u, std::thread::hardware_concurrency() * 2)); }

Result<std::vector<ManifestFile>> ReadList(objstore::Store* store, const Snapshot* s) {
  if (s == nullptr || s->manifest_list.empty()) return std::vector<ManifestFile>();
  ASSIGN_OR_RETURN(std::string bytes, store->Read(s->manifest_list));
  return DecodeManifestList(bytes);
}

Status ReadManifests(objstore::Store* store, const std::vector<ManifestFile>& list, std::vector<ReadManifest>* out) {
  out->resize(list.size());
  return ParallelFor(list.size(), ReadThreads(), [&](size_t i) -> Status {
    ASSIGN_OR_RETURN(std::string bytes, store->Read(list[i].manifest_path));
    ASSIGN_OR_RETURN(ReadManifestResult m, DecodeManifest(bytes));
    (*out)[i].file = list[i];
    (*out)[i].entries = std::move(m.entries);
    return InheritFromManifest(list[i], &(*out)[i].entries);
  });
}

std::string NewManifestPath(const TableMetadata& m) { return m.location + "/metadata/" + NewUuid() + "-m0.avro"; }

struct Totals {
  int64_t data_files = 0, delete_files = 0, records = 0, files_size = 0, position_deletes = 0, equality_deletes = 0;
  void Add(const DataFile& f, int sign) {
    if (f.content == FileContent::kData) {
      data_files += sign;
      records += sign * f.record_count;
    } else {
      delete_files += sign;
      (f.content == FileContent::kPositionDeletes ? position_deletes : equality_deletes) += sign * f.record_count;
    }
    files_size += sign * f.file_size_in_bytes;
  }
};

std::optional<int64_t> SummaryInt(const Snapshot* s, const char* key) {
  if (s == nullptr) return 0;
  const std::string* v = s->SummaryValue(key);
  if (v == nullptr) return std::nullopt;
  char* end = nullptr;
  long long x = std::strtoll(v->c_str(), &end, 10);
  if (end == v->c_str() || *end != 0) return std::nullopt;
  return x;
}

std::vector<std::pair<std::string, std::string>> BuildSummary(const std::string& operation,
                                                              const SnapshotChange& change,
                                                              const std::vector<DataFile>& removed,
                                                              const Snapshot* parent) {
  Totals added, gone;
  for (const auto& f : change.added_data) added.Add(f, 1);
  for (const auto& f : change.added_deletes) added.Add(f, 1);
  for (const auto& f : removed) gone.Add(f, 1);
  std::vector<std::pair<std::string, std::string>> s;
  s.emplace_back("operation", operation);
  auto put = [&](const char* k, int64_t v) {
    if (v != 0) s.emplace_back(k, std::to_string(v));
  };
  put("added-data-files", added.data_files);
  put("added-records", added.records);
  put("added-files-size", added.files_size);
  put("added-delete-files", added.delete_files);
  put("added-position-deletes", added.position_deletes);
  put("added-equality-deletes", added.equality_deletes);
  put("deleted-data-files", gone.data_files);
  put("deleted-records", gone.records);
  put("removed-files-size", gone.files_size);
  put("removed-delete-files", gone.delete_files);
  put("removed-position-deletes", gone.position_deletes);
  put("removed-equality-deletes", gone.equality_deletes);
  std::set<std::string> partitions;
  for (const auto& f : change.added_data) partitions.insert(PartitionKey(f));
  if (!change.added_data.empty()) put("changed-partition-count", static_cast<int64_t>(partitions.size()));
  struct T {
    const char* key;
    int64_t delta;
  };
  const T totals[] = {{"total-records", added.records - gone.records},
                      {"total-files-size", added.files_size - gone.files_size},
                      {"total-data-files", added.data_files - gone.data_files},
                      {"total-delete-files", added.delete_files - gone.delete_files},
                      {"total-position-deletes", added.position_deletes - gone.position_deletes},
                      {"total-equality-deletes", added.equality_deletes - gone.equality_deletes}};
  for (const T& t : totals) {
    auto before = SummaryInt(parent, t.key);
    if (before) s.emplace_back(t.key, std::to_string(*before + t.delta));
  }
  for (const auto& kv : change.summary) s.push_back(kv);
  return s;
}

// Bin-packs manifests (in order) into bins of at most target bytes.
std::vector<std::vector<size_t>> Pack(const std::vector<ManifestFile>& files, const std::vector<size_t>& idx,
                                      int64_t target) {
  std::vector<std::vector<size_t>> bins;
  int64_t size = 0;
  for (size_t i : idx) {
    if (bins.empty() || size + files[i].manifest_length > target) {
      bins.emplace_back();
      size = 0;
    }
    bins.back().push_back(i);
    size += files[i].manifest_length;
  }
  return bins;
}

void Backoff(int attempt, int min_wait, int max_wait) {
  int64_t wait = std::min<int64_t>(max_wait, static_cast<int64_t>(min_wait) << std::min(attempt, 20));
  thread_local std::mt19937_64 rng{std::random_device{}()};
  wait = wait / 2 + static_cast<int64_t>(rng() % static_cast<uint64_t>(wait / 2 + 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(wait));
}

// What one attempt wrote, to delete if it does not commit.
struct AttemptFiles {
  std::vector<std::string> paths;
};

class Committer {
 public:
  Committer(Catalog* catalog, const TableIdent& ident, const SnapshotChange& change)
      : catalog_(catalog), store_(catalog->store()), ident_(ident), change_(change) {
    RandomBytes(&snapshot_id_, sizeof snapshot_id_);
    snapshot_id_ &= INT64_MAX;
    if (snapshot_id_ == 0) snapshot_id_ = 1;
  }

  ~Committer() {
    if (!committed_) {
      for (const auto& p : new_manifest_paths_) (void)store_->Delete(p);
    }
  }

  Result<CommitResult> Run(const CommitOptions& options) {
    int attempt = 0;
    for (;;) {
      ASSIGN_OR_RETURN(LoadedTable base, catalog_->LoadTable(ident_));
      int retries = options.max_retries >= 0
                        ? options.max_retries
                        : static_cast<int>(base.metadata.IntProperty("commit.retry.num-retries", 4));
      int min_wait = options.min_wait_ms >= 0
                         ? options.min_wait_ms
                         : static_cast<int>(base.metadata.IntProperty("commit.retry.min-wait-ms", 100));
      int max_wait = options.max_wait_ms >= 0
                         ? options.max_wait_ms
                         : static_cast<int>(base.metadata.IntProperty("commit.retry.max-wait-ms", 60000));
      AttemptFiles files;
      auto result = Attempt(base, attempt, &files);
      if (result.ok()) {
        committed_ = true;
        result->attempts = attempt + 1;
        return result;
      }
      for (const auto& p : files.paths) (void)store_->Delete(p);
      if (result.status().code() != StatusCode::kCommitFailed || attempt >= retries) return result.status();
      Backoff(attempt, std::max(min_wait, 1), std::max(max_wait, 1));
      ++attempt;
    }
  }

 private:
  // Writes the manifests of the added files (once; they do not depend on the base).
  Status WriteNewManifests(const TableMetadata& m) {
    if (new_manifests_written_) return Status::Ok();
    const Schema* schema = m.CurrentSchema();
    const PartitionSpec* spec = m.DefaultSpec();
    if (schema == nullptr || spec == nullptr)
      return Status::Corruption("table metadata without a current schema or spec");
    ManifestContext ctx{m.format_version, schema, spec};
    auto write = [&](const std::vector<DataFile>& files, int32_t content) -> Status {
      if (files.empty()) return Status::Ok();
      std::vector<ManifestEntry> entries;
      for (const DataFile& f : files) {
        if (f.spec_id != spec->spec_id) {
          return Status::InvalidArgument("file " + f.file_path + " was written for partition spec " +
                                         std::to_string(f.spec_id) + ", the table's is " +
                                         std::to_string(spec->spec_id));
        }
        if (content == 0 && f.content != FileContent::kData)
          return Status::InvalidArgument("added data file " + f.file_path + " has delete content");
        if (content == 1 && f.content == FileContent::kData)
          return Status::InvalidArgument("added delete file " + f.file_path + " has data content");
        if (f.content == FileContent::kEqualityDeletes && f.equality_ids.empty()) {
          return Status::InvalidArgument("equality delete file " + f.file_path + " needs equality_ids");
        }
        if (m.format_version < 3 && f.file_format == "PUFFIN") {
          return Status::InvalidArgument("deletion vectors need table format version 3");
        }
        ManifestEntry e;
        e.status = EntryStatus::kAdded;
        e.snapshot_id = snapshot_id_;
        e.sequence_number = change_.data_sequence_number;
        e.file = f;
        entries.push_back(std::move(e));
      }
      std::string path = NewManifestPath(m);
      ASSIGN_OR_RETURN(EncodedManifest enc, EncodeManifest(ctx, content, path, entries, snapshot_id_));
      RETURN_IF_ERROR(store_->Write(path, enc.bytes));
      new_manifest_paths_.push_back(path);
      inherits_.push_back(!change_.data_sequence_number);
      new_manifests_.push_back(std::move(enc.file));
      return Status::Ok();
    };
    RETURN_IF_ERROR(write(change_.added_data, 0));
    RETURN_IF_ERROR(write(change_.added_deletes, 1));
    new_manifests_written_ = true;
    return Status::Ok();
  }

  // Rewrites a manifest's live entries as EXISTING (and `deleted` ones as DELETED by this
  // snapshot), dropping entries deleted by earlier snapshots.
  Result<ManifestFile> Rewrite(const TableMetadata& m, const std::vector<const ReadManifest*>& sources,
                               const std::unordered_set<std::string>& deleted, AttemptFiles* files) {
    const PartitionSpec* spec = m.SpecById(sources[0]->file.partition_spec_id);
    if (spec == nullptr) return Status::Corruption("manifest with unknown partition spec");
    ManifestContext ctx{m.format_version, m.CurrentSchema(), spec};
    std::vector<ManifestEntry> entries;
    for (const ReadManifest* src : sources) {
      for (const ManifestEntry& e : src->entries) {
        if (e.status == EntryStatus::kDeleted) continue;
        ManifestEntry out = e;
        if (deleted.count(e.file.file_path) > 0) {
          out.status = EntryStatus::kDeleted;
          out.snapshot_id = snapshot_id_;
        } else {
          out.status = EntryStatus::kExisting;
        }
        entries.push_back(std::move(out));
      }
    }
    std::string path = NewManifestPath(m);
    ASSIGN_OR_RETURN(EncodedManifest enc, EncodeManifest(ctx, sources[0]->file.content, path, entries, snapshot_id_));
    RETURN_IF_ERROR(store_->Write(path, enc.bytes));
    files->paths.push_back(path);
    if (enc.file.min_sequence_number == INT64_MAX) enc.file.min_sequence_number = 0;
    return enc.file;
  }

  // Rewrites must not drop deletes that arrived after the snapshot they read.
  Status ValidateNoNewDeletes(const TableMetadata& bm, const std::vector<ReadManifest>& read,
                              const std::vector<DataFile>& removed_files) {
    if (!change_.validate_from_snapshot) return Status::Ok();
    const Snapshot* start = bm.SnapshotById(*change_.validate_from_snapshot);
    if (start == nullptr) return Status::ConditionFailed("the snapshot the rewrite started from is gone");
    std::unordered_set<std::string> data;
    for (const DataFile& f : removed_files) {
      if (f.content == FileContent::kData) data.insert(f.file_path);
    }
    for (const ReadManifest& rm : read) {
      for (const ManifestEntry& e : rm.entries) {
        if (e.status == EntryStatus::kDeleted || e.file.content == FileContent::kData) continue;
        if (*e.sequence_number <= start->sequence_number) continue;
        // Equality deletes still apply to the rewritten rows: they keep the sequence number
        // of the snapshot the rewrite read, below the new delete's.
        if (e.file.content == FileContent::kEqualityDeletes) continue;
        bool hits = false;
        for (const auto& p : data) hits = hits || MayDeleteFrom(e.file, p);
        if (hits) {
          return Status::ConditionFailed("delete file " + e.file.file_path +
                                         " was committed concurrently for data this rewrite replaces");
        }
      }
    }
    return Status::Ok();
  }

  Result<CommitResult> Attempt(const LoadedTable& base, int attempt, AttemptFiles* files) {
    const TableMetadata& bm = base.metadata;
    RETURN_IF_ERROR(WriteNewManifests(bm));
    const Snapshot* parent = bm.BranchHead("main");
    int64_t seq = bm.format_version >= 2 ? bm.last_sequence_number + 1 : 0;
    ASSIGN_OR_RETURN(std::vector<ManifestFile> base_list, ReadList(store_, parent));

    // Validate removals and references against the live files of the base.
    std::unordered_set<std::string> removed(change_.removed.begin(), change_.removed.end());
    std::vector<ReadManifest> read;
    std::vector<bool> touched(base_list.size(), false);
    std::vector<DataFile> removed_files;
    if (!removed.empty() || !change_.referenced_data_files.empty()) {
      RETURN_IF_ERROR(ReadManifests(store_, base_list, &read));
      std::unordered_set<std::string> live;
      for (size_t i = 0; i < read.size(); ++i) {
        for (const ManifestEntry& e : read[i].entries) {
          if (e.status == EntryStatus::kDeleted) continue;
          live.insert(e.file.file_path);
          if (removed.count(e.file.file_path) > 0) {
            touched[i] = true;
            removed_files.push_back(e.file);
          }
        }
      }
      for (const auto& p : change_.removed) {
        if (live.count(p) == 0) return Status::ConditionFailed("cannot remove " + p + ": it is no longer in the table");
      }
      for (const auto& p : change_.referenced_data_files) {
        if (live.count(p) == 0)
          return Status::ConditionFailed("data file " + p + " was removed by a concurrent commit");
      }
      RETURN_IF_ERROR(ValidateNoNewDeletes(bm, read, removed_files));
      // Format version 3: at most one deletion vector per data file.
      std::unordered_set<std::string> dv_targets;
      for (const DataFile& f : change_.added_deletes) {
        if (f.file_format == "PUFFIN" && f.referenced_data_file) dv_targets.insert(*f.referenced_data_file);
      }
      for (size_t i = 0; i < read.size() && !dv_targets.empty(); ++i) {
        for (const ManifestEntry& e : read[i].entries) {
          if (e.status == EntryStatus::kDeleted || e.file.file_format != "PUFFIN" || !e.file.referenced_data_file)
            continue;
          if (dv_targets.count(*e.file.referenced_data_file) > 0 && removed.count(e.file.file_path) == 0) {
            return Status::ConditionFailed("a deletion vector for " + *e.file.referenced_data_file +
                                           " was committed concurrently");
          }
        }
      }
    }

    std::vector<ManifestFile> list;
    for (size_t i = 0; i < new_manifests_.size(); ++i) {
      ManifestFile mf = new_manifests_[i];
      mf.sequence_number = seq;
      if (inherits_[i]) mf.min_sequence_number = std::min(mf.min_sequence_number, seq);
      list.push_back(std::move(mf));
    }
    std::vector<size_t> kept;
    for (size_t i = 0; i < base_list.size(); ++i) {
      if (!touched[i]) {
        kept.push_back(i);
        continue;
      }
      ASSIGN_OR_RETURN(ManifestFile mf, Rewrite(bm, {&read[i]}, removed, files));
      mf.sequence_number = seq;
      list.push_back(std::move(mf));
    }

    // Merge small manifests, per content kind and spec, once there are enough of them.
    bool merge = bm.Property("commit.manifest-merge.enabled", "true") == "true";
    int64_t min_count = std::max<int64_t>(2, bm.IntProperty("commit.manifest.min-count-to-merge", 100));
    int64_t target = std::max<int64_t>(1024, bm.IntProperty("commit.manifest.target-size-bytes", 8 << 20));
    std::vector<size_t> carried;
    if (merge) {
      std::map<std::pair<int32_t, int32_t>, std::vector<size_t>> groups;
      for (size_t i : kept) groups[{base_list[i].content, base_list[i].partition_spec_id}].push_back(i);
      for (auto& [key, idx] : groups) {
        if (static_cast<int64_t>(idx.size()) + 1 < min_count) {
          carried.insert(carried.end(), idx.begin(), idx.end());
          continue;
        }
        std::vector<ReadManifest> group_read;
        std::vector<ManifestFile> group_files;
        for (size_t i : idx) group_files.push_back(base_list[i]);
        if (read.empty()) {
          RETURN_IF_ERROR(ReadManifests(store_, group_files, &group_read));
        } else {
          for (size_t i : idx) group_read.push_back(read[i]);
        }
        std::vector<size_t> local(idx.size());
        for (size_t k = 0; k < local.size(); ++k) local[k] = k;
        for (const auto& bin : Pack(group_files, local, target)) {
          if (bin.size() == 1) {
            carried.push_back(idx[bin[0]]);
            continue;
          }
          std::vector<const ReadManifest*> sources;
          for (size_t k : bin) sources.push_back(&group_read[k]);
          ASSIGN_OR_RETURN(ManifestFile mf, Rewrite(bm, sources, {}, files));
          mf.sequence_number = seq;
          list.push_back(std::move(mf));
        }
      }
      std::sort(carried.begin(), carried.end());
    } else {
      carried = kept;
    }
    for (size_t i : carried) list.push_back(base_list[i]);

    // Format version 3 row lineage: data manifests without a first row id get one.
    std::optional<int64_t> first_row_id;
    std::optional<int64_t> added_rows;
    if (bm.format_version >= 3) {
      int64_t next = bm.next_row_id;
      first_row_id = next;
      for (ManifestFile& mf : list) {
        if (mf.content != 0 || mf.first_row_id) continue;
        mf.first_row_id = next;
        next += mf.added_rows_count + mf.existing_rows_count;
      }
      added_rows = next - bm.next_row_id;
    }

    std::string list_path = bm.location + "/metadata/snap-" + std::to_string(snapshot_id_) + "-" +
                            std::to_string(attempt + 1) + "-" + NewUuid() + ".avro";
    ASSIGN_OR_RETURN(std::string list_bytes,
                     EncodeManifestList(bm.format_version, snapshot_id_,
                                        parent ? std::optional<int64_t>(parent->snapshot_id) : std::nullopt, seq,
                                        first_row_id, list));
    RETURN_IF_ERROR(store_->Write(list_path, list_bytes));
    files->paths.push_back(list_path);

    std::string operation = change_.operation;
    if (operation.empty()) {
      if (change_.removed.empty() && change_.added_deletes.empty()) {
        operation = "append";
      } else if (change_.added_data.empty() && change_.added_deletes.empty()) {
        operation = "delete";
      } else {
        operation = "overwrite";
      }
    }
    Snapshot snap;
    snap.snapshot_id = snapshot_id_;
    if (parent) snap.parent_id = parent->snapshot_id;
    snap.sequence_number = seq;
    snap.timestamp_ms = std::max(catalog_->clock()->NowMillis(), bm.last_updated_ms);
    snap.manifest_list = list_path;
    snap.summary = BuildSummary(operation, change_, removed_files, parent);
    snap.schema_id = bm.current_schema_id;
    snap.first_row_id = first_row_id;
    snap.added_rows = added_rows;
    TableMetadata next = bm;
    RETURN_IF_ERROR(next.AddSnapshot(snap));
    SnapshotRef ref;
    if (auto it = bm.refs.find("main"); it != bm.refs.end()) ref = it->second;
    ref.snapshot_id = snapshot_id_;
    ref.is_branch = true;
    RETURN_IF_ERROR(next.SetRef("main", ref));
    ASSIGN_OR_RETURN(LoadedTable committed, catalog_->Commit(ident_, base.metadata_location, std::move(next)));
    CommitResult r;
    r.snapshot_id = snapshot_id_;
    r.sequence_number = seq;
    r.table = std::move(committed);
    return r;
  }

  Catalog* catalog_;
  objstore::Store* store_;
  TableIdent ident_;
  const SnapshotChange& change_;
  int64_t snapshot_id_ = 0;
  bool new_manifests_written_ = false;
  bool committed_ = false;
  std::vector<ManifestFile> new_manifests_;
  std::vector<bool> inherits_;
  std::vector<std::string> new_manifest_paths_;
};

}  // namespace

Result<CommitResult> CommitChange(Catalog* catalog, const TableIdent& ident, const SnapshotChange& change,
                                  const CommitOptions& options) {
  // An empty change is a commit only when it records something in its summary (a stream
  // position that moved past records that produced no rows).
  if (change.added_data.empty() && change.added_deletes.empty() && change.removed.empty() && change.summary.empty()) {
    return Status::InvalidArgument("a commit needs files to add or remove");
  }
  Committer c(catalog, ident, change);
  return c.Run(options);
}

Result<std::vector<LiveFile>> LiveFiles(objstore::Store* store, const TableMetadata& m,
                                        std::optional<int64_t> snapshot_id) {
  const Snapshot* s = snapshot_id ? m.SnapshotById(*snapshot_id) : m.CurrentSnapshot();
  if (snapshot_id && s == nullptr) return Status::NotFound("no snapshot " + std::to_string(*snapshot_id));
  ASSIGN_OR_RETURN(std::vector<ManifestFile> list, ReadList(store, s));
  std::vector<ReadManifest> read;
  RETURN_IF_ERROR(ReadManifests(store, list, &read));
  std::vector<LiveFile> out;
  for (auto& rm : read) {
    for (auto& e : rm.entries) {
      if (e.status == EntryStatus::kDeleted) continue;
      e.file.spec_id = rm.file.partition_spec_id;
      out.push_back(LiveFile{std::move(e.file), *e.sequence_number, *e.file_sequence_number, *e.snapshot_id});
    }
  }
  return out;
}

Result<std::vector<ScanTask>> PlanScan(objstore::Store* store, const TableMetadata& m,
                                       std::optional<int64_t> snapshot_id) {
  ASSIGN_OR_RETURN(std::vector<LiveFile> live, LiveFiles(store, m, snapshot_id));
  std::vector<ScanTask> tasks;
  std::vector<const LiveFile*> global_eq, partition_deletes;
  std::unordered_map<std::string, std::vector<const LiveFile*>> by_target;
  for (LiveFile& f : live) {
    if (f.file.content == FileContent::kData) {
      tasks.push_back(ScanTask{std::move(f), {}});  // data entries are not referenced below
      continue;
    }
    const PartitionSpec* spec = m.SpecById(f.file.spec_id);
    bool unpartitioned = spec == nullptr || spec->unpartitioned();
    if (f.file.referenced_data_file) {
      by_target[*f.file.referenced_data_file].push_back(&f);
    } else if (f.file.content == FileContent::kEqualityDeletes && unpartitioned) {
      global_eq.push_back(&f);
    } else {
      partition_deletes.push_back(&f);
    }
  }
  std::vector<std::string> partition_delete_keys;
  for (const LiveFile* d : partition_deletes) partition_delete_keys.push_back(PartitionKey(d->file));
  auto applies = [](const LiveFile& del, const LiveFile& data) {
    if (del.file.content == FileContent::kEqualityDeletes) return del.data_sequence_number > data.data_sequence_number;
    return del.data_sequence_number >= data.data_sequence_number;
  };
  for (ScanTask& t : tasks) {
    if (auto it = by_target.find(t.data.file.file_path); it != by_target.end()) {
      for (const LiveFile* d : it->second) {
        if (applies(*d, t.data)) t.deletes.push_back(*d);
      }
    }
    for (const LiveFile* d : global_eq) {
      if (applies(*d, t.data)) t.deletes.push_back(*d);
    }
    if (partition_deletes.empty()) continue;
    const std::string partition = PartitionKey(t.data.file);
    for (size_t k = 0; k < partition_deletes.size(); ++k) {
      const LiveFile* d = partition_deletes[k];
      if (applies(*d, t.data) && partition_delete_keys[k] == partition &&
          (d->file.content != FileContent::kPositionDeletes || MayDeleteFrom(d->file, t.data.file.file_path))) {
        t.deletes.push_back(*d);
      }
    }
  }
  return tasks;
}

std::string SummaryValue(const Snapshot& s, std::string_view key) {
  const std::string* v = s.SummaryValue(key);
  return v == nullptr ? "" : *v;
}

}  // namespace floe::iceberg
