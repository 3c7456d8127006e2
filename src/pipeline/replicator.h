#pragma once
// The sink of one replication: buffers changes of a DynamoDB table and commits them to its
// Iceberg table, each commit carrying the source position it covers (snapshot summary
// "floe.source" and "floe.position"), so that the table and the position change atomically:
// after a crash the source resumes exactly after the last committed change.
//
// Mirror mode keeps a key index (key -> data file and row) and writes an update or delete
// as a position delete (a deletion vector in format version 3) of the key's current row,
// plus the new row; within one flush the last change per key wins. Changelog mode appends
// one row per change. Records that fail the transform or the mapping go to the backup
// (JSON lines under <warehouse>/<backupPrefix>/<database>/<table>/) with their error.
//
// Not thread-safe: driven by one source thread. metrics() may be read from any thread.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "iceberg/catalog.h"
#include "iceberg/manifest.h"
#include "pipeline/config.h"
#include "pipeline/mapping.h"

namespace floe::pipeline {

class Transformer;

struct ReplicatorMetrics {
  std::atomic<int64_t> records_in{0};         // changes received
  std::atomic<int64_t> records_committed{0};  // rows written (mirror: after per-key dedup)
  std::atomic<int64_t> bytes_committed{0};    // data file bytes
  std::atomic<int64_t> failed_records{0};     // sent to the backup
  std::atomic<int64_t> dropped_records{0};    // dropped by the transform
  std::atomic<int64_t> commits{0};
  std::atomic<int64_t> retries{0};  // failed flush attempts
  std::atomic<int64_t> maintenance_commits{0};
  std::atomic<int64_t> snapshots{0};            // initial loads
  std::atomic<int64_t> lag_records{0};          // known changes not yet committed (source's estimate)
  std::atomic<int64_t> newest_committed_ms{0};  // creation time of the newest committed change
  std::atomic<int64_t> oldest_pending_ms{0};    // of the oldest buffered change; 0: none
  // Freshness (commit time - change creation time) per committed change, in a histogram with
  // bucket upper bounds kFreshnessBucketsMs (+Inf last).
  static constexpr int64_t kFreshnessBucketsMs[] = {25,   50,   100,  150,  200,   250,   300,  400,  500,
                                                    600,  700,  800,  900,  1000,  1100,  1200, 1300, 1500,
                                                    2000, 2500, 3000, 5000, 10000, 30000, 60000};
  static constexpr size_t kBuckets = sizeof(kFreshnessBucketsMs) / sizeof(int64_t) + 1;
  std::atomic<int64_t> freshness_buckets[kBuckets] = {};
  std::atomic<int64_t> freshness_sum_ms{0};
  std::atomic<int64_t> freshness_count{0};
};

class Replicator {
 public:
  Replicator(ReplicationConfig config, iceberg::Catalog* catalog, const Clock* clock);
  ~Replicator();

  const ReplicationConfig& config() const { return config_; }
  iceberg::TableIdent ident() const { return {{config_.database}, config_.table}; }
  ReplicatorMetrics& metrics() { return metrics_; }
  const ReplicatorMetrics& metrics() const { return metrics_; }

  // Loads (or creates) the Iceberg table for a source table with these key attributes, and
  // the position committed for source_id (empty when none: the source starts with a
  // snapshot). Rebuilds the key index in mirror mode. Drops anything buffered.
  // Errors: kInvalidArgument for a schema that does not fit, I/O.
  Status Open(const std::vector<dynamo::KeyElement>& keys, const std::string& source_id);
  const std::string& position() const { return position_; }

  // An initial load: items of a consistent snapshot, then a commit at its position (mirror:
  // replacing the table's contents).
  Status BeginSnapshot();
  Status AddSnapshotItem(const dynamo::Item& item);
  Status CommitSnapshot(const std::string& position);

  // Buffers a change. The source calls Flush when FlushDue says so (buffer interval or size).
  void Add(Change change);
  bool FlushDue(int64_t now_ms) const;
  size_t buffered() const { return buffer_.size(); }
  // Commits the buffer with the source position it reaches. Retries with backoff; when the
  // retries are exhausted the buffered records go to the backup and the position still
  // advances. Errors only when not even that commit succeeds (the source reopens).
  Status Flush(const std::string& position);

  // Compaction, snapshot expiration and orphan removal, when their interval is due.
  Status MaybeMaintain(int64_t now_ms);

 private:
  struct Failed {
    Change change;
    std::string code;
    std::string message;
  };
  struct Loc {
    uint32_t file = 0;
    int64_t pos = 0;
  };
  Status LoadKeyIndex(const iceberg::LoadedTable& table);
  uint32_t FileId(const std::string& path);
  void ClearIndex();
  void CountCommitted(const std::vector<iceberg::DataFile>& files);
  // One attempt at committing `changes` (after the transform) with position. *failed (empty
  // on entry) gets the records that fail the mapping; they are written to the backup before
  // the commit unless *backed_up says an earlier attempt did, which then sets it.
  Status CommitChanges(const std::vector<Change>& changes, const std::string& position, std::vector<Failed>* failed,
                       bool* backed_up);
  Status WriteBackup(const std::vector<Failed>& failed, int attempts);
  std::vector<std::pair<std::string, std::string>> Summary(const std::string& position) const;
  void RecordFreshness(const std::vector<Change>& changes, int64_t now_ms);

  ReplicationConfig config_;
  iceberg::Catalog* catalog_;
  const Clock* clock_;
  std::unique_ptr<RowMapper> mapper_;
  std::unique_ptr<Transformer> transformer_;
  std::string source_id_;
  std::string position_;
  std::vector<Change> buffer_;
  size_t buffer_bytes_ = 0;
  int64_t buffer_since_ms_ = 0;
  // Mirror mode: where each key's current row is.
  std::unordered_map<std::string, Loc> index_;
  std::vector<std::string> files_;
  std::unordered_map<std::string, uint32_t> file_ids_;
  // Snapshot load in progress.
  struct SnapshotLoad;
  std::unique_ptr<SnapshotLoad> load_;
  int64_t last_maintenance_ms_ = 0;
  int64_t commits_since_maintenance_ = 0;
  ReplicatorMetrics metrics_;
};

// The summary keys of floe's replicator commits.
inline constexpr char kSourceKey[] = "floe.source";
inline constexpr char kPositionKey[] = "floe.position";

}  // namespace floe::pipeline
