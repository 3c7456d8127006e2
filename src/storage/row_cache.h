#pragma once
// A write-through cache of the latest value of single keys of one column family (items), in
// front of RocksDB's memtables and block cache: a hit is one hash lookup and one copy instead
// of a skiplist search, SST index and filter probes and, after a compaction, a block read.
// Internal to the storage module (engine.cc); not a public header.
//
// Consistency: the cache never holds a value older than the database's.
//  - Writers (Engine::Write) call LockShards for the keys of their batch, write the batch to
//    the database, apply its puts and deletes here (Apply*), then unlock: a reader never sees
//    the cache and the database disagree about a key.
//  - Readers call Lookup; on a miss it returns the shard's write stamp, they read the
//    database without any lock, and Fill stores what they read only if no write touched the
//    shard in between (a value read before a concurrent write is never cached after it).
// Bounded by capacity bytes (key + value + per-entry overhead), least recently used out
// first, per shard. Capacity 0 disables the cache (every method is then a no-op or a miss).
// Thread safety: every method may be called from any thread.
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace floe::storage {

class RowCache {
 public:
  static constexpr size_t kShards = 64;
  static constexpr size_t kEntryOverhead = 96;  // list node, hash node, two std::strings

  explicit RowCache(size_t capacity_bytes);

  bool enabled() const { return capacity_ > 0; }

  // On a hit copies the value and returns true; on a miss returns false and sets *stamp for Fill.
  bool Lookup(std::string_view key, std::string* value, uint64_t* stamp);
  // Caches a value read from the database after a missed Lookup, unless a write touched the
  // key's shard since (stamp is from that Lookup).
  void Fill(std::string_view key, std::string_view value, uint64_t stamp);

  // Held by a writer across its database write and the Apply calls.
  class WriteLock {
   public:
    WriteLock() = default;
    WriteLock(WriteLock&&) = default;
    WriteLock& operator=(WriteLock&&) = default;
    ~WriteLock();

   private:
    friend class RowCache;
    RowCache* cache_ = nullptr;
    std::vector<size_t> shards_;  // ascending, each locked
  };
  // Locks the shards of the keys (all shards when all is true), in a fixed order.
  WriteLock LockShards(const std::vector<std::string_view>& keys, bool all);
  // REQUIRES: the key's shard is locked by lock. Stores or replaces the key's value.
  void ApplyPut(const WriteLock& lock, std::string_view key, std::string_view value);
  // REQUIRES: the key's shard is locked by lock. Forgets the key.
  void ApplyDelete(const WriteLock& lock, std::string_view key);
  // REQUIRES: every shard is locked by lock (LockShards with all). Forgets every key.
  void ApplyClear(const WriteLock& lock);

  size_t charged_bytes();  // for tests and metrics

  static size_t ShardOf(std::string_view key);

 private:
  struct Entry {
    std::string key;
    std::string value;
  };
  struct Shard {
    std::mutex mu;
    std::list<Entry> lru;  // most recently used first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index;  // views into lru keys
    size_t charged = 0;
    uint64_t stamp = 0;  // bumped by every write applied to the shard
  };
  static size_t Charge(const Entry& e) { return e.key.size() + e.value.size() + kEntryOverhead; }
  // REQUIRES: s.mu held.
  void Put(Shard& s, std::string_view key, std::string_view value);
  void Erase(Shard& s, std::string_view key);

  size_t capacity_;
  size_t shard_capacity_;
  std::vector<Shard> shards_;
};

}  // namespace floe::storage
