#pragma once
// DynamoDB Streams over the change log (docs/formats/streams.md).
//
// A stream is a window of one table's change log: it starts at the sequence number that was
// next when the stream was enabled and ends at the last one before it was disabled (or the
// table dropped). Its records are the change records of that window; nothing is copied.
//
// Shards: a stream has `shards` shards per generation; a record belongs to shard
// partition_hash % shards, so every item's changes stay in one shard, in order. Generations
// roll over every `rollover_ms` (AWS rolls shards about every four hours): the open shards
// close at a sequence number and children (same index, ParentShardId = the closed shard)
// take over. A disabled stream closes its last generation; a new StreamSpecification gets a
// new stream with a new ARN, while the old one stays readable until retention ends.
//
// Visibility: GetRecords returns records up to Committer::DurableSequence(), i.e. exactly
// the acknowledged (durable) writes, with no delay window.
//
// Retention: a maintenance pass (a background thread every `maintenance_interval_ms`)
// range-deletes change records older than `retention_ms` and persists the table's trim
// floor; iterators below the floor get TrimmedDataAccessException. Disabled streams whose
// window has aged out are forgotten. Trimming never takes the commit lock for long: it is
// one WriteBatch with a range delete per table.
//
// Thread safety: every method may be called from any thread. Lock order: the Committer's
// commit lock, then this class's lock; this class never calls the Committer while holding
// its own lock.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/periodic.h"
#include "common/status.h"
#include "dynamo/catalog.h"
#include "dynamo/change_log.h"
#include "dynamo/table_schema.h"
#include "storage/engine.h"

namespace floe::streams {

struct StreamOptions {
  int shards = 4;
  int64_t retention_ms = 24LL * 3600 * 1000;
  int64_t rollover_ms = 4LL * 3600 * 1000;
  int64_t iterator_lifetime_ms = 15LL * 60 * 1000;
  int64_t maintenance_interval_ms = 1000;
};

enum class ViewType { kKeysOnly, kNewImage, kOldImage, kNewAndOldImages };
const char* ViewTypeName(ViewType v);
std::optional<ViewType> ParseViewType(std::string_view s);

// Sequence numbers as AWS shows them: decimal digits, 21 wide, zero-padded.
std::string FormatSequenceNumber(uint64_t sequence);
// Errors: kInvalidArgument for anything but 21 to 40 decimal digits that fit 64 bits.
Result<uint64_t> ParseSequenceNumber(const std::string& text);

struct StreamSummary {
  std::string arn;
  std::string table_name;
  std::string label;
};

struct ShardDescription {
  std::string shard_id;
  std::string parent_shard_id;  // empty: none
  uint64_t starting_sequence = 0;
  std::optional<uint64_t> ending_sequence;  // closed shards only
};

struct StreamDescription {
  std::string arn;
  std::string label;
  std::string status;  // ENABLED or DISABLED
  ViewType view_type = ViewType::kKeysOnly;
  int64_t created_ms = 0;
  std::string table_name;
  dynamo::KeyElement hash_key;
  std::optional<dynamo::KeyElement> range_key;
  std::vector<ShardDescription> shards;
  std::string last_evaluated_shard_id;  // empty: no more pages
};

struct StreamRecord {
  std::string event_id;
  ViewType view_type = ViewType::kKeysOnly;
  uint64_t size_bytes = 0;
  dynamo::ChangeRecord change;  // images as stored; the view type says which to show
};

struct RecordsPage {
  std::vector<StreamRecord> records;
  std::optional<std::string> next_iterator;  // absent once a closed shard is drained
};

enum class IteratorType { kTrimHorizon, kLatest, kAtSequence, kAfterSequence };

class StreamManager final : public dynamo::TableListener {
 public:
  StreamManager(storage::Engine* engine, dynamo::Committer* committer, const Clock* clock, std::string region,
                std::string account_id, StreamOptions options);
  ~StreamManager() override;

  // Loads stream definitions, trim floors and the iterator key. Call before serving.
  Status Load();
  // Starts and stops the background maintenance thread.
  void Start() { thread_.Start(); }
  void Stop() { thread_.Stop(); }
  // One maintenance pass: shard rollover, trimming, forgetting expired streams.
  Status RunMaintenance();

  // dynamo::TableListener: opens a stream when a table's StreamSpecification enables one and
  // closes it when it is disabled or the table dropped, in the table change's own batch.
  Status OnTableCommit(dynamo::Committer::Context& ctx, const dynamo::TableInfo* before,
                       dynamo::TableInfo* after) override;
  void AfterTableCommit(bool committed) override;

  // The Streams API. Errors: kInvalidArgument (malformed ARN, shard id, sequence number or
  // iterator), kNotFound (no such stream or shard), kExpired, kTrimmed.
  Result<std::vector<StreamSummary>> ListStreams(const std::optional<std::string>& table_name,
                                                 const std::optional<std::string>& exclusive_start_arn, size_t limit,
                                                 std::string* last_evaluated_arn);
  Result<StreamDescription> DescribeStream(const std::string& arn, size_t limit,
                                           const std::optional<std::string>& exclusive_start_shard_id,
                                           const std::optional<std::string>& children_of);
  Result<std::string> GetShardIterator(const std::string& arn, const std::string& shard_id, IteratorType type,
                                       std::optional<uint64_t> sequence);
  Result<RecordsPage> GetRecords(const std::string& iterator, size_t limit);

  const StreamOptions& options() const { return options_; }

  // Other consumers of the change log (the Iceberg replicator) hold records back from
  // trimming: hold(table_id) is the highest sequence number they no longer need (UINT64_MAX:
  // no consumer). Set once, before Start.
  void SetRetentionHold(std::function<uint64_t(uint32_t table_id)> hold) { hold_ = std::move(hold); }
  // The last trimmed sequence number of a table's change log (0: nothing trimmed).
  uint64_t TrimFloor(uint32_t table_id) const { return Floor(table_id); }

 private:
  struct Generation {
    uint64_t start_sequence = 0;
    int64_t start_ms = 0;
  };
  struct Stream {
    uint64_t serial = 0;
    std::string arn;
    std::string label;
    std::string table_name;
    uint32_t table_id = 0;
    ViewType view_type = ViewType::kKeysOnly;
    int shards = 1;
    dynamo::KeyElement hash_key;
    std::optional<dynamo::KeyElement> range_key;
    int64_t created_ms = 0;
    uint64_t start_sequence = 0;
    bool open = true;
    uint64_t end_sequence = 0;  // last sequence of a closed stream
    int64_t disabled_ms = 0;
    std::vector<Generation> generations;
  };
  // Position of a shard iterator: records with sequence > after.
  struct IteratorState {
    uint64_t serial = 0;
    uint32_t generation = 0;
    uint32_t shard = 0;
    uint64_t after = 0;
    int64_t issued_ms = 0;
  };

  static std::string EncodeStream(const Stream& s);
  static Result<Stream> DecodeStream(std::string_view bytes);
  static std::string StreamKey(uint64_t serial);
  std::string ShardId(const Stream& s, size_t generation, int shard) const;
  // Last sequence of a generation; nullopt while it is open.
  static std::optional<uint64_t> GenerationEnd(const Stream& s, size_t generation);
  std::string EncodeIterator(const IteratorState& st) const;
  Result<IteratorState> DecodeIterator(const std::string& text) const;
  std::shared_ptr<const Stream> FindBySerial(uint64_t serial) const;
  // kInvalidArgument unless arn has a stream ARN's shape.
  static Status CheckArnFormat(const std::string& arn);
  Result<std::shared_ptr<const Stream>> FindByArn(const std::string& arn) const;
  uint64_t Floor(uint32_t table_id) const;
  Status RollOver(int64_t now);
  Status Trim(int64_t now);

  storage::Engine* engine_;
  dynamo::Committer* committer_;
  const Clock* clock_;
  std::string region_;
  std::string account_id_;
  StreamOptions options_;
  std::string iterator_key_;

  mutable std::shared_mutex mu_;
  std::map<uint64_t, std::shared_ptr<const Stream>> streams_;  // by serial
  std::map<std::string, uint64_t, std::less<>> by_arn_;
  std::map<uint32_t, uint64_t> floors_;  // table id -> last trimmed sequence
  uint64_t next_serial_ = 1;
  std::vector<std::shared_ptr<const Stream>> pending_;  // written by an uncommitted table change

  std::function<uint64_t(uint32_t)> hold_;
  PeriodicTask thread_;  // last: stopped first
};

}  // namespace floe::streams
