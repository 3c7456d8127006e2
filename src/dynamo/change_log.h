#pragma once
// The change log (docs/formats/changelog.md): one record per item change, written in the
// same WriteBatch as the item, ordered by a node-wide sequence number. It is the single
// source for streams, replication, Kinesis, functions and the Iceberg pipeline; each
// consumer keeps its own durable cursor, and trimming never passes the slowest cursor.
//
// Committer serializes commits: under its lock it assigns sequence numbers and writes the
// batch, so sequence order is commit order (a reader that has seen sequence N has seen
// every record below N of that table), and it keeps per-table item statistics. Callers
// encode everything they can before Commit, so that the lock covers little more than the
// WAL append. HLC timestamps come from NewTimestamp(), taken under the item's key lock, so
// versions of one item get increasing timestamps.
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/hlc.h"
#include "common/status.h"
#include "dynamo/attribute_value.h"
#include "storage/engine.h"

namespace floe::dynamo {

// Persisted: do not reorder or renumber.
enum class ChangeKind : uint8_t { kInsert = 1, kModify = 2, kRemove = 3 };

struct ChangeRecord {
  uint64_t sequence = 0;
  uint32_t table_id = 0;
  ChangeKind kind = ChangeKind::kInsert;
  bool by_ttl = false;  // deleted by the TTL expirer (userIdentity: dynamodb.amazonaws.com)
  uint64_t hlc = 0;
  uint64_t partition_hash = 0;
  std::string region;  // origin region of the change
  Item keys;
  std::optional<Item> old_image;
  std::optional<Item> new_image;
  size_t stored_bytes = 0;  // size of the encoded record (key and value)
};

// Which images DecodeChangeRecord builds. A skipped image is checked and left absent.
struct ImageSelection {
  bool old_image = true;
  bool new_image = true;
};

std::string ChangeLogKey(uint32_t table_id, uint64_t sequence);
// The record's value bytes (sequence and table id live in the key).
std::string EncodeChangeRecord(const ChangeRecord& r);
// Same, from the images' encoded attribute-map bodies (EncodeAttributeMap, or
// StoredItemBody of a stored version), copied as they are (null: absent).
std::string EncodeChange(ChangeKind kind, bool by_ttl, uint64_t hlc, uint64_t partition_hash, const std::string& region,
                         const Item& keys, const std::string_view* old_body, const std::string_view* new_body);
// Errors: kCorruption.
Result<ChangeRecord> DecodeChangeRecord(std::string_view key, std::string_view value, ImageSelection images = {});
// The header fields of an encoded record, without decoding the images. False if malformed.
bool PeekChangeHeader(std::string_view value, uint64_t* hlc, uint64_t* partition_hash);
// The sequence number of a change-log key. False if malformed.
bool SequenceOfChangeKey(std::string_view key, uint64_t* sequence);

// Per-table counters, kept exact by the Committer.
struct TableStats {
  int64_t item_count = 0;
  int64_t size_bytes = 0;
};

// State shared by every user of a live table. info is replaced (copy-on-write) on
// UpdateTable; stats and dropped are guarded by the Committer's lock.
struct TableInfo;
struct TableRuntime {
  uint32_t id = 0;
  std::shared_ptr<const TableInfo> info() const {
    std::lock_guard<std::mutex> l(info_mu);
    return info_;
  }
  void set_info(std::shared_ptr<const TableInfo> i) {
    std::lock_guard<std::mutex> l(info_mu);
    info_ = std::move(i);
    info_version.fetch_add(1, std::memory_order_release);
  }
  // Bumped by every set_info: a cheap "has the definition changed" check under the commit lock.
  std::atomic<uint64_t> info_version{0};
  TableStats stats;
  std::map<uint32_t, TableStats> index_stats;  // by index id
  bool dropped = false;
  // Whether writes append change records: true while a consumer needs them (an enabled
  // stream). Changed only under the commit lock, so a commit reads it exactly there;
  // writers may read it earlier as a hint for encoding outside the lock.
  std::atomic<bool> log_changes{false};

 private:
  mutable std::mutex info_mu;
  std::shared_ptr<const TableInfo> info_;
};

class Committer {
 public:
  Committer(storage::Engine* engine, Hlc* hlc, std::string region);

  // Loads the last sequence number. Call once before Commit.
  Status Open();

  // The context handed to a commit's fill function, under the commit lock.
  class Context {
   public:
    storage::WriteBatch& batch() { return batch_; }
    // Updates the table's stats and, when encoded_record is not null, appends the record
    // (EncodeChange) under the next sequence number.
    void AddChange(TableRuntime& table, const std::string* encoded_record, int64_t item_delta, int64_t size_delta);
    // The sequence number the next AddChange would assign.
    uint64_t next_sequence() const { return committer_->last_sequence_ + 1; }
    // Records a stats change without a change record (table creation, drop).
    void TouchStats(TableRuntime& table);
    // Updates the statistics of one of the table's indexes.
    void AddIndexStats(TableRuntime& table, uint32_t index_id, int64_t item_delta, int64_t size_delta);

   private:
    friend class Committer;
    explicit Context(Committer* c) : committer_(c), batch_(c->engine_) {}
    Committer* committer_;
    storage::WriteBatch batch_;
    struct Touched {
      TableRuntime* table;
      uint32_t id;  // the table's or one of its indexes'
      TableStats* stats;
      TableStats saved;  // before this commit
    };
    std::vector<Touched> touched_;
    void Touch(TableRuntime& table, uint32_t id, TableStats* stats);
  };

  // Runs fill under the commit lock; if it returns ok, writes the batch atomically.
  // *token is for Engine::WhenDurable (0 if nothing was written).
  Status Commit(const std::function<Status(Context&)>& fill, uint64_t* token);

  uint64_t last_sequence() const;
  // The highest sequence number whose commit is durable (Engine::WaitDurable): every record
  // at or below it survives a crash. Readers of the change log stop there, so that no
  // consumer ever sees a change that could be lost.
  uint64_t DurableSequence();
  uint64_t NewTimestamp() { return hlc_->Now(); }
  const std::string& region() const { return region_; }
  // A table's statistics, read under the commit lock.
  TableStats ReadStats(const TableRuntime& table) const {
    std::lock_guard<std::mutex> l(mu_);
    return table.stats;
  }
  TableStats ReadIndexStats(const TableRuntime& table, uint32_t index_id) const {
    std::lock_guard<std::mutex> l(mu_);
    auto it = table.index_stats.find(index_id);
    return it == table.index_stats.end() ? TableStats() : it->second;
  }
  Hlc* hlc() { return hlc_; }
  storage::Engine* engine() { return engine_; }

 private:
  void AdvanceDurableLocked();

  storage::Engine* engine_;
  Hlc* hlc_;
  std::string region_;
  mutable std::mutex mu_;
  uint64_t last_sequence_ = 0;
  uint64_t durable_sequence_ = 0;
  std::deque<std::pair<uint64_t, uint64_t>> pending_;  // (engine token, last sequence) per commit
};

std::string StatsKey(uint32_t table_id);
std::string EncodeStats(const TableStats& s);
TableStats DecodeStats(std::string_view bytes);

// Reads change records of one table with after < sequence <= last, at most max records, in
// sequence order, building the selected images.
Result<std::vector<ChangeRecord>> ReadChanges(storage::Engine* engine, uint32_t table_id, uint64_t after, size_t max,
                                              uint64_t last = UINT64_MAX, ImageSelection images = {});

// Durable per-consumer cursors (e.g. "stream:<arn>", "replica:eu-west-1", "iceberg:<name>").
Status SaveCursor(storage::Engine* engine, const std::string& consumer, uint64_t sequence);
Result<uint64_t> LoadCursor(storage::Engine* engine, const std::string& consumer);

}  // namespace floe::dynamo
