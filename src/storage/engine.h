#pragma once
// The storage engine: the only place RocksDB is included (DESIGN.md). Column families,
// atomic write batches, iterators, snapshots, group-commit durability and striped key locks.
//
// Durability: Write() applies the batch to the memtable and appends it to RocksDB's
// in-memory WAL buffer (manual_wal_flush) and returns a token; WaitDurable(token) returns
// once the WAL holding that batch has been written out: fsynced with Durability::kSync
// (survives power loss), handed to the OS with kAsync (survives a process crash). One
// WaitDurable covers every write made before it (group commit): the HTTP server's syncer
// thread calls it once for all the writes its I/O threads made since its previous call,
// while they go on serving. A write is not durable until someone calls WaitDurable with its
// token or a later one.
//
// Point reads of Cf::kItems without a snapshot are served by a write-through row cache
// (row_cache.h) when it holds the key; Write keeps it equal to the database.
//
// Storage faults (docs/architecture.md, "Faults"): a full disk makes writes fail with
// kUnavailable while reads go on, and writes resume by themselves once space returns; a
// damaged WAL or MANIFEST makes Open fail with kCorruption naming the file, changing nothing,
// unless EngineOptions::recover says how to start anyway.
//
// Thread safety: every method may be called from any thread.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.h"
#include "common/status.h"

namespace floe::storage {

// Column families. Persisted by name; the enum order is only in-memory.
enum class Cf : int {
  kMeta = 0,   // catalog and counters
  kItems,      // current item versions (and tombstones of replicated tables)
  kChangeLog,  // change records, per table in sequence order
  kCount,
};
const char* CfName(Cf cf);

class Engine;

// The smallest key after every key that starts with prefix (empty, meaning unbounded, if none
// exists): the upper bound of a prefix scan.
std::string PrefixSuccessor(std::string prefix);

// A batch of writes bound to one engine (it needs the engine's column families).
class WriteBatch {
 public:
  explicit WriteBatch(Engine* engine);
  ~WriteBatch();
  WriteBatch(WriteBatch&&) noexcept;
  WriteBatch& operator=(WriteBatch&&) noexcept;

  void Put(Cf cf, std::string_view key, std::string_view value);
  void Delete(Cf cf, std::string_view key);
  // Deletes keys in [begin, end).
  void DeleteRange(Cf cf, std::string_view begin, std::string_view end);
  size_t Count() const;
  void Clear();

 private:
  friend class Engine;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Snapshot;

// A forward/backward iterator over one column family within [lower, upper).
class Iterator {
 public:
  ~Iterator();
  void Seek(std::string_view key);
  void SeekToFirst();
  void SeekToLast();
  void Next();
  void Prev();
  bool Valid() const;
  std::string_view key() const;
  std::string_view value() const;
  Status status() const;

 private:
  friend class Engine;
  struct Impl;
  explicit Iterator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct EngineOptions {
  std::string path;
  Durability durability = Durability::kSync;
  // Both caches fill lazily: idle memory does not grow with them.
  // RocksDB's block cache (uncompressed SST blocks, for scans and uncached point reads).
  size_t block_cache_bytes = 128 << 20;
  // The latest values of single keys of Cf::kItems (row_cache.h), for point reads: GetItem,
  // and the read of the old item that every write does. 0 turns it off.
  size_t row_cache_bytes = 128 << 20;
  // Disk space set aside in the data directory (the file FLOE-RESERVE) and released when the
  // disk fills, so that writes already applied can be made durable and reads go on. It must
  // exceed what a memtable flush writes. 0: none.
  uint64_t reserved_disk_bytes = 128ull << 20;
  // How to open a damaged database: "" (refuse, naming the damage), "point-in-time" (a damaged
  // WAL: keep the writes before the first damaged record, drop every later one) or "repair"
  // (a damaged MANIFEST or CURRENT: RocksDB's RepairDB rebuilds them from the table files;
  // writes that were only in the WAL may be lost). Damaged files are first copied into
  // <path>/damaged-<unix time>/.
  std::string recover;
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Open(const EngineOptions& options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Point read. found is false when the key is absent. snapshot may be null.
  Status Get(Cf cf, std::string_view key, std::string* value, bool* found, const Snapshot* snapshot = nullptr);

  // Iterator over [lower, upper) (empty upper: unbounded). snapshot may be null.
  std::unique_ptr<Iterator> NewIterator(Cf cf, std::string lower, std::string upper,
                                        const Snapshot* snapshot = nullptr);

  // A consistent read view; release by destroying it.
  std::shared_ptr<const Snapshot> GetSnapshot();

  // Applies the batch atomically (visible to readers on return). *token identifies the
  // write for WaitDurable.
  Status Write(WriteBatch& batch, uint64_t* token);

  // Makes every write up to token durable (per options). Blocks for one WAL flush at most;
  // concurrent callers share flushes. Thread-safe.
  Status WaitDurable(uint64_t token);
  // The highest token known durable.
  uint64_t DurableToken() const;
  // A token covering every write visible to readers now. A response computed from reads
  // made before this call is safe to send once WaitDurable(VisibleToken()) has returned: it
  // cannot show a write that a crash would take back.
  uint64_t VisibleToken() const;

  Durability durability() const { return options_.durability; }
  // True while writes are refused because the disk is full.
  bool disk_full() const;

 private:
  friend class WriteBatch;
  struct Impl;
  explicit Engine(const EngineOptions& options);

  EngineOptions options_;
  std::unique_ptr<Impl> impl_;
};

// Striped mutexes over key hashes. Locking several: use LockMany, which orders stripes
// to avoid deadlock.
class KeyLocks {
 public:
  static constexpr size_t kStripes = 4096;
  size_t StripeOf(uint64_t hash) const { return hash % kStripes; }

  class Guard {
   public:
    Guard() = default;
    Guard(Guard&& o) noexcept : owner_(o.owner_), stripes_(std::move(o.stripes_)), transactional_(o.transactional_) {
      o.owner_ = nullptr;
    }
    Guard& operator=(Guard&& o) = delete;  // NOLINT
    Guard(const Guard&) = delete;
    ~Guard();

   private:
    friend class KeyLocks;
    KeyLocks* owner_ = nullptr;
    std::vector<size_t> stripes_;
    bool transactional_ = false;
  };

  Guard Lock(uint64_t hash);
  Guard LockMany(std::vector<uint64_t> hashes);
  // Takes every stripe without waiting, or none: on failure returns false and sets
  // (*busy)[i] for each hash whose stripe another holder has. guard must be empty.
  // With transactional set, the stripes are marked as held by a transaction until the guard
  // is released (see LockUnlessTransaction).
  bool TryLockMany(const std::vector<uint64_t>& hashes, Guard* guard, std::vector<bool>* busy,
                   bool transactional = false);
  // Locks one stripe for a plain write: waits for plain holders, but gives up (returns false,
  // guard left empty) when a transaction holds the stripe for longer than grace. guard must
  // be empty.
  bool LockUnlessTransaction(uint64_t hash, std::chrono::microseconds grace, Guard* guard);

 private:
  std::mutex stripes_[kStripes];
  std::atomic<bool> transactional_[kStripes] = {};
};

}  // namespace floe::storage
