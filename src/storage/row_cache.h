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
// Bounded by capacity bytes (key + value + per-entry overhead), per shard; eviction is CLOCK
// (an approximation of least recently used). Capacity 0 disables the cache (every method is
// then a no-op or a miss).
// Thread safety: every method may be called from any thread.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace floe::storage {

class RowCache {
 public:
  static constexpr size_t kShards = 64;
  static constexpr size_t kEntryOverhead = 64;  // entry header, two slots, ring pointer, malloc rounding

  explicit RowCache(size_t capacity_bytes);
  ~RowCache();
  RowCache(const RowCache&) = delete;
  RowCache& operator=(const RowCache&) = delete;

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
  // One allocation per cached key: this header, then the key bytes, then the value bytes.
  struct Entry {
    uint64_t hash;
    uint32_t key_size;
    uint32_t value_size;
    uint32_t ring_pos;  // index in Shard::ring
    bool referenced;    // CLOCK bit: read or written since the hand last passed
    char* key() { return reinterpret_cast<char*>(this + 1); }
    char* value() { return key() + key_size; }
  };
  struct Slot {
    uint64_t hash = 0;
    Entry* entry = nullptr;  // null: empty
  };
  // Open addressing with linear probing (at most half full) over {hash, entry} slots, so a
  // lookup touches the slot array and the one entry it finds; eviction by CLOCK over ring,
  // so a hit writes one bit instead of relinking a list. (The std::list + unordered_map
  // version cost ~7% of the I/O thread under PutItem load, mostly cache misses.)
  struct Shard {
    std::mutex mu;
    std::vector<Slot> slots;   // size a power of two (or 0)
    std::vector<Entry*> ring;  // every entry once, in no particular order
    size_t hand = 0;           // CLOCK hand: next index of ring to consider
    size_t charged = 0;
    uint64_t stamp = 0;  // bumped by every write applied to the shard
  };
  static uint64_t Hash(std::string_view key);
  static size_t Charge(size_t key_size, size_t value_size) { return key_size + value_size + kEntryOverhead; }
  // REQUIRES: s.mu held (for all below).
  static size_t Find(const Shard& s, uint64_t hash, std::string_view key);  // slot index or SIZE_MAX
  void Put(Shard& s, uint64_t hash, std::string_view key, std::string_view value);
  void EraseSlot(Shard& s, size_t slot);
  static void InsertSlot(Shard& s, uint64_t hash, Entry* e);
  static void Clear(Shard& s);

  size_t capacity_;
  size_t shard_capacity_;
  std::vector<Shard> shards_;
};

}  // namespace floe::storage
