#include "storage/engine.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/sst_file_manager.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "common/log.h"
#include "common/periodic.h"
#include "storage/faults.h"
#include "storage/row_cache.h"

namespace floe::storage {

namespace {

Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return Status::NotFound(s.ToString());
  if (s.IsCorruption()) return Status::Corruption(s.ToString());
  if (s.IsIOError()) return Status::IOError(s.ToString());
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) return Status::Unavailable(s.ToString());
  return Status::Internal(s.ToString());
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

}  // namespace

const char* CfName(Cf cf) {
  switch (cf) {
    case Cf::kMeta: return "default";
    case Cf::kItems: return "items";
    case Cf::kChangeLog: return "changelog";
    case Cf::kCount: break;
  }
  return "?";
}

// ---- WriteBatch ----

struct WriteBatch::Impl {
  rocksdb::WriteBatch batch;
  std::vector<rocksdb::ColumnFamilyHandle*>* cfs = nullptr;
  size_t count = 0;
  rocksdb::Status first_error;
  bool touches_rows = false;  // has operations on Cf::kItems, which the row cache mirrors
  void Check(const rocksdb::Status& s) {
    if (!s.ok() && first_error.ok()) first_error = s;
  }
};

WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;
WriteBatch& WriteBatch::operator=(WriteBatch&&) noexcept = default;

void WriteBatch::Put(Cf cf, std::string_view key, std::string_view value) {
  impl_->touches_rows |= cf == Cf::kItems;
  impl_->Check(impl_->batch.Put((*impl_->cfs)[static_cast<int>(cf)], ToSlice(key), ToSlice(value)));
  ++impl_->count;
}
void WriteBatch::Delete(Cf cf, std::string_view key) {
  impl_->touches_rows |= cf == Cf::kItems;
  impl_->Check(impl_->batch.Delete((*impl_->cfs)[static_cast<int>(cf)], ToSlice(key)));
  ++impl_->count;
}
void WriteBatch::DeleteRange(Cf cf, std::string_view begin, std::string_view end) {
  impl_->touches_rows |= cf == Cf::kItems;
  impl_->Check(impl_->batch.DeleteRange((*impl_->cfs)[static_cast<int>(cf)], ToSlice(begin), ToSlice(end)));
  ++impl_->count;
}
size_t WriteBatch::Count() const { return impl_->count; }
void WriteBatch::Clear() {
  impl_->batch.Clear();
  impl_->count = 0;
  impl_->touches_rows = false;
  impl_->first_error = rocksdb::Status::OK();
}

// ---- Snapshot ----

class Snapshot {
 public:
  Snapshot(rocksdb::DB* db, const rocksdb::Snapshot* s) : db_(db), snap_(s) {}
  ~Snapshot() { db_->ReleaseSnapshot(snap_); }
  const rocksdb::Snapshot* get() const { return snap_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snap_;
};

// ---- Iterator ----

struct Iterator::Impl {
  std::string lower, upper;
  rocksdb::Slice lower_slice, upper_slice;
  std::unique_ptr<rocksdb::Iterator> it;
};

Iterator::Iterator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Iterator::~Iterator() = default;
void Iterator::Seek(std::string_view key) { impl_->it->Seek(ToSlice(key)); }
void Iterator::SeekToFirst() { impl_->it->SeekToFirst(); }
void Iterator::SeekToLast() { impl_->it->SeekToLast(); }
void Iterator::Next() { impl_->it->Next(); }
void Iterator::Prev() { impl_->it->Prev(); }
bool Iterator::Valid() const { return impl_->it->Valid(); }
std::string_view Iterator::key() const {
  auto k = impl_->it->key();
  return {k.data(), k.size()};
}
std::string_view Iterator::value() const {
  auto v = impl_->it->value();
  return {v.data(), v.size()};
}
Status Iterator::status() const { return FromRocks(impl_->it->status()); }

// ---- Engine ----

namespace {

bool IsNoSpace(const rocksdb::Status& s) {
  return s.IsNoSpace() || s.ToString().find("No space left") != std::string::npos;
}

constexpr char kDiskFull[] = "The node's storage is full: writes are refused until space is freed";

}  // namespace

struct Engine::Impl {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;

  // Group commit: flush_mu serializes WAL flushes; durable_token only grows.
  std::mutex flush_mu;
  std::atomic<uint64_t> durable_token{0};

  std::unique_ptr<RowCache> rows;

  // Disk full (docs/architecture.md, "Faults"). disk_full: writes are refused. wal_failed: a
  // WAL flush failed, and RocksDB's WAL writer must not be used again before Resume()
  // succeeds (a second flush of a failed writer trips an assertion in Debian's RocksDB).
  std::string path;
  uint64_t reserve_bytes = 0;
  std::atomic<bool> disk_full{false};
  std::atomic<bool> wal_failed{false};
  bool read_only = false;  // opened read-only on a full disk: stays so until restarted
  bool told_restart = false;
  std::unique_ptr<PeriodicTask> space_monitor;
  std::shared_ptr<RocksLogger> logger;

  // Refuses writes from now on and releases the reserve, so that what is applied can be made
  // durable. Logs once per episode.
  void EnterDiskFull(const std::string& why) {
    if (!disk_full.exchange(true)) {
      log::Error("storage: the disk holding {} is full ({}): writes are refused until space is freed; reads go on",
                 path, why);
    }
    ReleaseReserve(path);
    if (space_monitor) space_monitor->Wake();
  }

  // The answer to a failed db->Write. An I/O error may have come from the WAL append, whose
  // writer must then not be flushed again before a resume; no space makes writes refused.
  Status WriteFailed(const rocksdb::Status& s) {
    if (s.IsIOError()) wal_failed = true;
    if (IsNoSpace(s)) {
      EnterDiskFull(s.ToString());
      return Status::Unavailable(kDiskFull);
    }
    return FromRocks(s);
  }

  // Clears RocksDB's background error (a failed WAL write or flush). True when writable.
  // REQUIRES: flush_mu held (wal_failed changes only under it, with the WAL flushes).
  bool TryResume() {
    rocksdb::Status r = db->Resume();
    if (!r.ok()) return false;
    wal_failed = false;
    return true;
  }

  // Every second while the disk is full: once there is room for the reserve and as much
  // again, resumes RocksDB, re-creates the reserve and accepts writes again.
  void CheckSpace() {
    if (!disk_full.load()) return;
    const uint64_t free_bytes = FreeBytes(path);
    if (free_bytes < 2 * reserve_bytes + (16u << 20)) return;
    if (read_only) {
      if (!told_restart) {
        log::Warn("storage: {} MB free in {} again: restart floe to accept writes (it opened read-only)",
                  free_bytes >> 20, path);
        told_restart = true;
      }
      return;
    }
    {
      std::lock_guard<std::mutex> l(flush_mu);
      if (!TryResume()) return;
    }
    if (reserve_bytes > 0 && !CreateReserve(path, reserve_bytes).ok()) return;
    disk_full = false;
    log::Warn("storage: {} MB free in {} again: writes resume", free_bytes >> 20, path);
  }
};

namespace {

// Flushes and compactions record the MANIFEST's length (storage/faults.h) and report
// background errors; a full disk there also makes the engine refuse writes.
class Listener : public rocksdb::EventListener {
 public:
  Listener(std::string path, std::function<void(const std::string&)> on_no_space)
      : path_(std::move(path)), on_no_space_(std::move(on_no_space)) {}
  void OnFlushCompleted(rocksdb::DB*, const rocksdb::FlushJobInfo&) override { Record(); }
  void OnCompactionCompleted(rocksdb::DB*, const rocksdb::CompactionJobInfo&) override { Record(); }
  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) override {
    if (IsNoSpace(*error)) on_no_space_(error->ToString());
  }
  void OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) override {
    if (info.new_bg_error.ok())
      log::Info("storage: recovered from a background error ({})", info.old_bg_error.ToString());
  }

 private:
  void Record() {
    Status st = RecordManifest(path_);
    if (!st.ok()) log::Warn("storage: {}", st.ToString());
  }
  const std::string path_;
  const std::function<void(const std::string&)> on_no_space_;
};

}  // namespace

namespace {

// The operations of a batch on one column family, as views into the batch's own buffer.
class RowOps : public rocksdb::WriteBatch::Handler {
 public:
  enum class Kind { kPut, kDelete, kClear };
  struct Op {
    Kind kind;
    std::string_view key, value;
  };
  explicit RowOps(uint32_t cf_id) : cf_id_(cf_id) {}
  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key, const rocksdb::Slice& value) override {
    if (cf == cf_id_) ops.push_back({Kind::kPut, {key.data(), key.size()}, {value.data(), value.size()}});
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    if (cf == cf_id_) ops.push_back({Kind::kDelete, {key.data(), key.size()}, {}});
    return rocksdb::Status::OK();
  }
  rocksdb::Status SingleDeleteCF(uint32_t cf, const rocksdb::Slice& key) override { return DeleteCF(cf, key); }
  rocksdb::Status DeleteRangeCF(uint32_t cf, const rocksdb::Slice&, const rocksdb::Slice&) override {
    if (cf == cf_id_) {
      ops.push_back({Kind::kClear, {}, {}});
      clear = true;
    }
    return rocksdb::Status::OK();
  }
  rocksdb::Status MergeCF(uint32_t cf, const rocksdb::Slice& key, const rocksdb::Slice&) override {
    return DeleteCF(cf, key);  // never used by floe; forgetting the key stays correct
  }
  std::vector<Op> ops;  // in batch order
  bool clear = false;   // some op is a kClear

 private:
  uint32_t cf_id_;
};

}  // namespace

WriteBatch::WriteBatch(Engine* engine) : impl_(std::make_unique<Impl>()) { impl_->cfs = &engine->impl_->cfs; }

Engine::Engine(const EngineOptions& options) : options_(options), impl_(std::make_unique<Impl>()) {
  impl_->rows = std::make_unique<RowCache>(options.row_cache_bytes);
}

Engine::~Engine() {
  if (impl_->space_monitor) impl_->space_monitor->Stop();
  std::unique_lock<std::mutex> flush_lock(impl_->flush_mu);
  if (!impl_->db) return;
  // Flush memtables so that the next start does not replay the WAL (fast restarts). Not when
  // read-only, nor when the WAL writer failed and cannot be resumed (disk still full): it must
  // not be flushed again; what was acknowledged is durable already, the rest is lost, as in a
  // crash.
  const bool writable = !impl_->read_only && (!impl_->wal_failed.load() || impl_->TryResume());
  if (!writable && !impl_->read_only) log::Warn("storage: closing with the disk still full");
  if (writable) {
    rocksdb::FlushOptions fo;
    rocksdb::Status s = impl_->db->Flush(fo, impl_->cfs);
    if (!s.ok()) log::Warn("storage: flush at shutdown failed: {}", s.ToString());
    s = impl_->db->FlushWAL(/*sync=*/true);
    if (!s.ok()) log::Warn("storage: final WAL flush failed: {}", s.ToString());
  }
  for (auto* h : impl_->cfs) impl_->db->DestroyColumnFamilyHandle(h);
  impl_->cfs.clear();
  rocksdb::Status s = impl_->db->Close();
  if (!s.ok() && !impl_->read_only) log::Warn("storage: close failed: {}", s.ToString());
}

namespace {

// The open error for a damaged database: what is damaged, where, and how to start anyway.
Status Damaged(const std::string& path, const std::string& what, const std::vector<std::string>& warnings) {
  std::string m = "the database in " + path + " is damaged: " + what;
  for (const auto& w : warnings) {
    if (w.find("Corruption") != std::string::npos || w.find(".log") != std::string::npos ||
        w.find("MANIFEST") != std::string::npos) {
      m += "\n  " + w;
    }
  }
  m += "\nNo file was changed. To start anyway (docs/architecture.md, \"Faults\"): --recover point-in-time "
       "(a damaged WAL: keeps the writes before the damaged record, loses the later ones) or --recover repair (a "
       "damaged MANIFEST or CURRENT: rebuilds them from the table files; writes only in the WAL may be lost). "
       "Both first copy the logs and MANIFEST into " +
       path + "/damaged-<time>/.";
  return Status::Corruption(m);
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::Open(const EngineOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) return Status::IOError("cannot create data directory '" + options.path + "': " + ec.message());

  std::unique_ptr<Engine> engine(new Engine(options));
  Engine::Impl* impl = engine->impl_.get();
  impl->path = options.path;
  impl->reserve_bytes = options.reserved_disk_bytes;
  impl->logger = std::make_shared<RocksLogger>();
  if (!options.recover.empty() && options.recover != "point-in-time" && options.recover != "repair") {
    return Status::InvalidArgument("recover must be 'point-in-time' or 'repair', not '" + options.recover + "'");
  }

  rocksdb::DBOptions db_options;
  // Only an empty directory gets a new database: RocksDB would otherwise create one over a
  // database whose CURRENT is lost (and delete its table files at the next start).
  const bool exists = HoldsDatabase(options.path);
  db_options.create_if_missing = !exists;
  db_options.create_missing_column_families = true;
  // RocksDB's log goes to floe's (storage/faults.h: a LOG file that cannot be appended to on a
  // full disk aborts the process).
  db_options.info_log = impl->logger;
  // A torn last record (a crash while writing) is expected and tolerated; damage before the
  // end of a WAL is not: Open fails, naming the file, unless recovery is asked for. (RocksDB's
  // default, kPointInTimeRecovery, silently drops everything after a damaged record and then
  // deletes the log.)
  db_options.wal_recovery_mode = options.recover == "point-in-time"
                                     ? rocksdb::WALRecoveryMode::kPointInTimeRecovery
                                     : rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // track_and_verify_wals_in_manifest stays off: RocksDB before 7.10 can record a WAL as
  // missing after a race with SyncWAL (facebook/rocksdb#10892) and would then refuse to open.
  // Replaying the WAL needs no new table file (so a node restarts on a full disk), except after
  // an explicit recovery, whose result is flushed so that the damaged log is not read again.
  db_options.avoid_flush_during_recovery = options.recover.empty();
  db_options.listeners.push_back(
      std::make_shared<Listener>(options.path, [impl](const std::string& why) { impl->EnterDiskFull(why); }));
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.keep_log_file_num = 3;
  db_options.max_total_wal_size = 256 << 20;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.enable_pipelined_write = false;
  // Write() only appends to RocksDB's in-memory WAL buffer; the syncer thread writes and
  // fsyncs the buffer once for every write waiting at that moment (group commit). This keeps
  // the write() and fdatasync() system calls off the request threads.
  db_options.manual_wal_flush = true;
  // No WAL recycling (recycle_log_file_num): RocksDB 7.8 silently turns it off under
  // kPointInTimeRecovery, the recovery mode that loses no acknowledged write (the OPTIONS file
  // shows recycle_log_file_num=0), and the modes that allow it would skip corrupt records.

  // Flushes and compactions run at nice 19: on a machine as small as 2 cores they otherwise
  // take whole scheduler slices from the request threads, which shows as the write p99
  // (bench/results/kv-*.md). They still get every idle cycle, and if they fall behind,
  // RocksDB's write stall slows the writers down, which frees the CPU for them.
  Status pri = FromRocks(
      rocksdb::Env::Default()->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::LOW, rocksdb::CpuPriority::kLow));
  if (pri.ok()) {
    pri = FromRocks(
        rocksdb::Env::Default()->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::HIGH, rocksdb::CpuPriority::kLow));
  }
  if (!pri.ok()) log::Warn("storage: cannot lower the priority of background threads: {}", pri.ToString());
  // File deletions are paced. On ext4 mounted with `discard` (common on cloud disks), unlinking
  // a 68 MB WAL segment took 27-94 ms of extent freeing and discards, and the WAL fdatasyncs
  // behind it took 12-19 ms, which every write in flight waits for (bench/results/kv-*.md,
  // session 10). Obsolete files are renamed to *.trash and truncated 1 MB at a time at up to
  // 128 MB/s in a background thread; DB::Open deletes trash a crash left behind. Once the trash
  // exceeds the live SST size, deletions are immediate again, so a backlog can at most double
  // the SST footprint for the seconds it takes to drain.
  // atomic_flush flushes the column families together, so each flush frees its WAL file at
  // once instead of the small meta family pinning WALs until max_total_wal_size forces a burst
  // of deletions.
  db_options.atomic_flush = true;
  {
    rocksdb::Status sfm_status;
    // The Env overload: the FileSystem overload takes a null FileSystem without complaint and
    // crashes in the first flush.
    db_options.sst_file_manager.reset(
        rocksdb::NewSstFileManager(rocksdb::Env::Default(), impl->logger, /*trash_dir=*/std::string(),
                                   /*rate_bytes_per_sec=*/128 << 20, /*delete_existing_trash=*/true, &sfm_status,
                                   /*max_trash_db_ratio=*/1.0, /*bytes_max_delete_chunk=*/1 << 20));
    if (!sfm_status.ok()) return FromRocks(sfm_status);
  }
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  auto make_cf_options = [&](bool point_lookups) {
    rocksdb::ColumnFamilyOptions cf;
    // On 2 cores, compaction competes with requests: large memtables (fewer flushes and L0
    // compactions) and LZ4 only (ZSTD costs several times more CPU per compacted byte).
    cf.write_buffer_size = 64 << 20;
    cf.max_write_buffer_number = 3;
    cf.compression = rocksdb::kLZ4Compression;
    rocksdb::BlockBasedTableOptions t;
    t.block_cache = cache;
    t.cache_index_and_filter_blocks = true;
    t.pin_l0_filter_and_index_blocks_in_cache = true;
    if (point_lookups) t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    return cf;
  };

  // Writes are serialized by the dynamo Committer, so concurrent memtable writes buy nothing.
  // No column family may use inplace_update_support: RocksDB then silently returns no
  // snapshot (GetSnapshot() == nullptr), and every "consistent" read would read the latest.
  db_options.allow_concurrent_memtable_write = false;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < static_cast<int>(Cf::kCount); ++i) {
    Cf cf = static_cast<Cf>(i);
    rocksdb::ColumnFamilyOptions o = make_cf_options(cf == Cf::kItems);
    descriptors.emplace_back(CfName(cf), o);
  }
  if (exists && options.recover != "repair") {
    if (Status st = CheckManifest(options.path); !st.ok()) return Damaged(options.path, st.message(), {});
  }
  if (!options.recover.empty()) {
    ASSIGN_OR_RETURN(std::string saved, SaveDamagedFiles(options.path));
    log::Warn("storage: recovering {} ({}); its logs and MANIFEST as they were are in {}", options.path,
              options.recover, saved);
    if (options.recover == "repair") {
      rocksdb::Options repair_options(db_options, rocksdb::ColumnFamilyOptions());
      RETURN_IF_ERROR(FromRocks(rocksdb::RepairDB(options.path, db_options, descriptors, repair_options)));
    }
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.path, descriptors, &impl->cfs, &raw);
  if (IsNoSpace(s)) {
    // Opening writes a new MANIFEST and WAL: on a full disk, the reserve makes room for them
    // (it is set aside again once there is space).
    ReleaseReserve(options.path);
    impl->cfs.clear();
    s = rocksdb::DB::Open(db_options, options.path, descriptors, &impl->cfs, &raw);
  }
  bool read_only = false;
  if (IsNoSpace(s) && options.recover.empty()) {
    // Replaying the WAL needed a table file and there is no room: serve what is durable,
    // read-only. Writes are refused until the node is restarted with space.
    impl->cfs.clear();
    s = rocksdb::DB::OpenForReadOnly(db_options, options.path, descriptors, &impl->cfs, &raw);
    read_only = s.ok();
  }
  if (!s.ok()) {
    if (s.IsCorruption()) return Damaged(options.path, s.ToString(), impl->logger->Warnings());
    if (IsNoSpace(s)) {
      return Status::IOError("cannot open " + options.path + ": the disk is full (" + s.ToString() +
                             "); free some space and start again");
    }
    return FromRocks(s);
  }
  impl->db.reset(raw);
  impl->durable_token = raw->GetLatestSequenceNumber();  // recovered data is durable
  if (read_only) {
    impl->read_only = true;
    impl->disk_full = true;
    log::Error(
        "storage: the disk holding {} is full: opened read-only; reads are served, writes are refused until "
        "floe is restarted with free space",
        options.path);
    impl->space_monitor = std::make_unique<PeriodicTask>(1000, [impl] { impl->CheckSpace(); });
    impl->space_monitor->Start();
    return engine;
  }
  if (Status st = RecordManifest(options.path); !st.ok()) log::Warn("storage: {}", st.ToString());
  if (impl->reserve_bytes > 0 && !HasReserve(options.path, impl->reserve_bytes)) {
    if (Status st = CreateReserve(options.path, impl->reserve_bytes); !st.ok()) {
      impl->EnterDiskFull(st.message());
    }
  }
  impl->space_monitor = std::make_unique<PeriodicTask>(1000, [impl] { impl->CheckSpace(); });
  impl->space_monitor->Start();
  return engine;
}

Status Engine::Get(Cf cf, std::string_view key, std::string* value, bool* found, const Snapshot* snapshot) {
  const bool cached = cf == Cf::kItems && snapshot == nullptr && impl_->rows->enabled();
  uint64_t stamp = 0;
  if (cached && impl_->rows->Lookup(key, value, &stamp)) {
    *found = true;
    return Status::Ok();
  }
  rocksdb::ReadOptions ro;
  if (snapshot) ro.snapshot = snapshot->get();
  rocksdb::PinnableSlice slice;
  rocksdb::Status s = impl_->db->Get(ro, impl_->cfs[static_cast<int>(cf)], ToSlice(key), &slice);
  if (s.IsNotFound()) {
    *found = false;
    return Status::Ok();
  }
  if (!s.ok()) return FromRocks(s);
  *found = true;
  value->assign(slice.data(), slice.size());
  if (cached) impl_->rows->Fill(key, *value, stamp);
  return Status::Ok();
}

std::unique_ptr<Iterator> Engine::NewIterator(Cf cf, std::string lower, std::string upper, const Snapshot* snapshot) {
  auto impl = std::make_unique<Iterator::Impl>();
  impl->lower = std::move(lower);
  impl->upper = std::move(upper);
  rocksdb::ReadOptions ro;
  if (snapshot) ro.snapshot = snapshot->get();
  if (!impl->lower.empty()) {
    impl->lower_slice = rocksdb::Slice(impl->lower);
    ro.iterate_lower_bound = &impl->lower_slice;
  }
  if (!impl->upper.empty()) {
    impl->upper_slice = rocksdb::Slice(impl->upper);
    ro.iterate_upper_bound = &impl->upper_slice;
  }
  impl->it.reset(impl_->db->NewIterator(ro, impl_->cfs[static_cast<int>(cf)]));
  return std::unique_ptr<Iterator>(new Iterator(std::move(impl)));
}

std::shared_ptr<const Snapshot> Engine::GetSnapshot() {
  const rocksdb::Snapshot* s = impl_->db->GetSnapshot();
  if (s == nullptr) throw std::logic_error("storage: snapshots are not supported by the column family options");
  return std::make_shared<Snapshot>(impl_->db.get(), s);
}

Status Engine::Write(WriteBatch& batch, uint64_t* token) {
  if (!batch.impl_->first_error.ok()) return FromRocks(batch.impl_->first_error);
  if (impl_->disk_full.load(std::memory_order_relaxed)) return Status::Unavailable(kDiskFull);
  rocksdb::WriteOptions wo;
  wo.sync = false;  // durability comes from WaitDurable (group commit)
  if (!batch.impl_->touches_rows || !impl_->rows->enabled()) {
    rocksdb::Status s = impl_->db->Write(wo, &batch.impl_->batch);
    if (!s.ok()) return impl_->WriteFailed(s);
  } else {
    // The row cache changes with the database, under the locks of the keys' shards.
    RowOps rows(impl_->cfs[static_cast<int>(Cf::kItems)]->GetID());
    rocksdb::Status s = batch.impl_->batch.Iterate(&rows);
    if (!s.ok()) return FromRocks(s);
    std::vector<std::string_view> keys;
    keys.reserve(rows.ops.size());
    for (const auto& op : rows.ops) {
      if (op.kind != RowOps::Kind::kClear) keys.push_back(op.key);
    }
    RowCache::WriteLock lock = impl_->rows->LockShards(keys, rows.clear);
    s = impl_->db->Write(wo, &batch.impl_->batch);
    if (!s.ok()) {
      // Whether any of it reached the memtable is unknown: forget the keys.
      if (rows.clear) impl_->rows->ApplyClear(lock);
      for (const auto& op : rows.ops) {
        if (op.kind != RowOps::Kind::kClear) impl_->rows->ApplyDelete(lock, op.key);
      }
      return impl_->WriteFailed(s);
    }
    for (const auto& op : rows.ops) {  // in batch order: a later op on a key wins
      switch (op.kind) {
        case RowOps::Kind::kPut: impl_->rows->ApplyPut(lock, op.key, op.value); break;
        case RowOps::Kind::kDelete: impl_->rows->ApplyDelete(lock, op.key); break;
        case RowOps::Kind::kClear: impl_->rows->ApplyClear(lock); break;
      }
    }
  }
  // The WAL is written in sequence order: every write up to this sequence is in the log
  // file once this returns, so syncing after reading it covers this batch.
  *token = impl_->db->GetLatestSequenceNumber();
  return Status::Ok();
}

Status Engine::WaitDurable(uint64_t token) {
  if (token <= impl_->durable_token.load(std::memory_order_acquire)) return Status::Ok();
  std::lock_guard<std::mutex> l(impl_->flush_mu);
  // A flush by another caller while we waited for the lock may already cover us.
  if (token <= impl_->durable_token.load(std::memory_order_acquire)) return Status::Ok();
  // Every write up to this sequence is in the WAL buffer: one flush covers them all.
  const uint64_t target = impl_->db->GetLatestSequenceNumber();
  if (impl_->read_only) return Status::Unavailable(kDiskFull);  // nothing written since open
  if (impl_->wal_failed.load() && !impl_->TryResume()) return Status::Unavailable(kDiskFull);
  // sync: on stable storage (survives power loss); async: in the OS (survives a crash).
  rocksdb::Status s = impl_->db->FlushWAL(options_.durability == Durability::kSync);
  if (!s.ok()) {
    impl_->wal_failed = true;
    if (!IsNoSpace(s)) return FromRocks(s);
    // The writes are applied but not durable. With the reserve released, RocksDB resumes by
    // flushing the memtables into table files, which makes them durable.
    impl_->EnterDiskFull(s.ToString());
    if (!impl_->TryResume()) return Status::Unavailable(kDiskFull);
  }
  impl_->durable_token.store(target, std::memory_order_release);
  return Status::Ok();
}

bool Engine::disk_full() const { return impl_->disk_full.load(std::memory_order_relaxed); }

uint64_t Engine::DurableToken() const { return impl_->durable_token.load(std::memory_order_acquire); }

uint64_t Engine::VisibleToken() const { return impl_->db->GetLatestSequenceNumber(); }

// ---- KeyLocks ----

KeyLocks::Guard::~Guard() {
  if (!owner_) return;
  if (transactional_) {
    for (size_t s : stripes_) owner_->transactional_[s].store(false, std::memory_order_relaxed);
  }
  for (auto it = stripes_.rbegin(); it != stripes_.rend(); ++it) owner_->stripes_[*it].unlock();
}

KeyLocks::Guard KeyLocks::Lock(uint64_t hash) {
  Guard g;
  g.owner_ = this;
  size_t s = StripeOf(hash);
  stripes_[s].lock();
  g.stripes_.push_back(s);
  return g;
}

KeyLocks::Guard KeyLocks::LockMany(std::vector<uint64_t> hashes) {
  Guard g;
  g.owner_ = this;
  std::vector<size_t> stripes;
  stripes.reserve(hashes.size());
  for (uint64_t h : hashes) stripes.push_back(StripeOf(h));
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  for (size_t s : stripes) stripes_[s].lock();
  g.stripes_ = std::move(stripes);
  return g;
}

bool KeyLocks::LockUnlessTransaction(uint64_t hash, std::chrono::microseconds grace, Guard* guard) {
  const size_t s = StripeOf(hash);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (;;) {
    if (stripes_[s].try_lock()) break;
    if (!transactional_[s].load(std::memory_order_relaxed)) {
      stripes_[s].lock();  // a plain writer: wait for it
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  guard->owner_ = this;
  guard->stripes_.assign(1, s);
  return true;
}

bool KeyLocks::TryLockMany(const std::vector<uint64_t>& hashes, Guard* guard, std::vector<bool>* busy,
                           bool transactional) {
  std::vector<size_t> stripes;
  stripes.reserve(hashes.size());
  for (uint64_t h : hashes) stripes.push_back(StripeOf(h));
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  std::vector<size_t> held;
  std::vector<size_t> failed;
  for (size_t s : stripes) {
    if (stripes_[s].try_lock()) {
      held.push_back(s);
    } else {
      failed.push_back(s);
    }
  }
  if (failed.empty()) {
    if (transactional) {
      for (size_t s : held) transactional_[s].store(true, std::memory_order_relaxed);
    }
    guard->owner_ = this;
    guard->stripes_ = std::move(held);
    guard->transactional_ = transactional;
    return true;
  }
  for (auto it = held.rbegin(); it != held.rend(); ++it) stripes_[*it].unlock();
  busy->assign(hashes.size(), false);
  for (size_t i = 0; i < hashes.size(); ++i) {
    (*busy)[i] = std::binary_search(failed.begin(), failed.end(), StripeOf(hashes[i]));
  }
  return false;
}

std::string PrefixSuccessor(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char last = static_cast<unsigned char>(prefix.back());
    if (last != 0xFF) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

}  // namespace floe::storage
