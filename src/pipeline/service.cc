#include "pipeline/service.h"

#include <chrono>
#include <condition_variable>
#include <deque>

#include "common/hlc.h"
#include "common/log.h"
#include "dynamo/catalog.h"
#include "dynamo/change_log.h"
#include "dynamo/item_codec.h"
#include "dynamo/key_codec.h"
#include "iceberg/catalog.h"
#include "objstore/store.h"
#include "pipeline/replicator.h"
#include "pipeline/transform.h"
#include "storage/engine.h"
#include "streams/streams.h"

namespace floe::pipeline {
namespace {

constexpr size_t kReadBatch = 2000;
constexpr size_t kQueuedBatches = 16;
constexpr int64_t kIdleWaitMs = 10;

Change FromRecord(dynamo::ChangeRecord&& r) {
  Change c;
  switch (r.kind) {
    case dynamo::ChangeKind::kInsert: c.op = Change::Op::kInsert; break;
    case dynamo::ChangeKind::kModify: c.op = Change::Op::kModify; break;
    case dynamo::ChangeKind::kRemove: c.op = Change::Op::kRemove; break;
  }
  c.sequence = streams::FormatSequenceNumber(r.sequence);
  c.created_ms = static_cast<int64_t>(r.hlc >> Hlc::kLogicalBits);
  c.ttl_expired = r.by_ttl;
  c.bytes = r.stored_bytes;
  c.keys = std::move(r.keys);
  c.old_image = std::move(r.old_image);
  c.new_image = std::move(r.new_image);
  return c;
}

std::string LocalPosition(uint64_t sequence) { return "local:" + std::to_string(sequence); }

bool ParseLocalPosition(const std::string& p, uint64_t* sequence) {
  if (p.rfind("local:", 0) != 0) return false;
  char* end = nullptr;
  *sequence = std::strtoull(p.c_str() + 6, &end, 10);
  return end != nullptr && *end == '\0' && p.size() > 6;
}

// Reads one table's change log on its own thread, ahead of the replicator, so that decoding
// overlaps with mapping and writing Iceberg files: batches of changes after a sequence, up to
// the durable sequence, with at most kQueuedBatches waiting. Not thread-safe: one consumer.
class ChangeReader {
 public:
  struct Batch {
    std::vector<Change> changes;
    uint64_t last = 0;  // sequence of the last change (0 when empty)
  };

  ChangeReader(const ServiceDeps& deps, uint32_t table_id, uint64_t after, dynamo::ImageSelection images)
      : deps_(deps), table_id_(table_id), after_(after), images_(images), thread_([this] { Loop(); }) {}
  ~ChangeReader() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // The next batch, waiting up to wait_ms for one (empty if none came). Errors: the reader's.
  Result<Batch> Next(int64_t wait_ms) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait_for(l, std::chrono::milliseconds(wait_ms), [&] { return !queue_.empty() || !error_.ok(); });
    if (queue_.empty()) {
      if (!error_.ok()) return error_;
      return Batch{};
    }
    Batch b = std::move(queue_.front());
    queue_.pop_front();
    cv_.notify_all();
    return b;
  }

 private:
  void Loop() {
    uint64_t after = after_;
    while (true) {
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [&] { return stop_ || queue_.size() < kQueuedBatches; });
        if (stop_) return;
      }
      const uint64_t durable = deps_.committer->DurableSequence();
      Batch b;
      if (durable > after) {
        auto records = dynamo::ReadChanges(deps_.engine, table_id_, after, kReadBatch, durable, images_);
        if (!records.ok()) {
          std::lock_guard<std::mutex> l(mu_);
          error_ = records.status();
          cv_.notify_all();
          return;
        }
        b.changes.reserve(records->size());
        for (auto& r : *records) {
          b.last = r.sequence;
          b.changes.push_back(FromRecord(std::move(r)));
        }
      }
      std::unique_lock<std::mutex> l(mu_);
      if (b.changes.empty()) {
        cv_.wait_for(l, std::chrono::milliseconds(kIdleWaitMs), [&] { return stop_; });
        continue;
      }
      after = b.last;
      queue_.push_back(std::move(b));
      cv_.notify_all();
    }
  }

  const ServiceDeps deps_;
  const uint32_t table_id_;
  const uint64_t after_;
  const dynamo::ImageSelection images_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;  // guarded by mu_
  Status error_;             // guarded by mu_
  bool stop_ = false;        // guarded by mu_
  std::thread thread_;       // last: starts after the members above
};

}  // namespace

struct LocalService::Job {
  ReplicationConfig config;
  std::unique_ptr<Replicator> replicator;
  std::thread thread;
};

Result<std::unique_ptr<LocalService>> LocalService::Make(ServiceDeps deps, std::vector<ReplicationConfig> configs) {
  std::unique_ptr<LocalService> s(new LocalService());
  s->deps_ = deps;
  std::map<std::string, iceberg::Catalog*> catalogs;
  for (auto& c : configs) {
    iceberg::Catalog* catalog = deps.catalog;
    if (!c.warehouse.empty()) {
      auto where = objstore::ResolveWarehouse(c.warehouse);
      if (!where.ok())
        return Status::InvalidArgument("replication " + c.Name() + ": warehouse: " + where.status().message());
      if (*where != deps.catalog->warehouse()) {
        auto it = catalogs.find(*where);
        if (it == catalogs.end()) {
          s->own_catalogs_.push_back(std::make_unique<iceberg::Catalog>(deps.engine, deps.store, *where, deps.clock));
          it = catalogs.emplace(*where, s->own_catalogs_.back().get()).first;
        }
        catalog = it->second;
      }
    }
    if (c.transform) {
      auto t = Transformer::Make(*c.transform);
      if (!t.ok()) return Status::InvalidArgument("replication " + c.Name() + ": " + t.status().message());
    }
    auto job = std::make_unique<Job>();
    job->replicator = std::make_unique<Replicator>(c, catalog, deps.clock);
    job->config = std::move(c);
    s->jobs_.push_back(std::move(job));
  }
  return s;
}

LocalService::~LocalService() { Stop(); }

uint64_t LocalService::Hold(uint32_t table_id) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = holds_.find(table_id);
  return it == holds_.end() ? UINT64_MAX : it->second;
}

void LocalService::Start() {
  // Tables that exist now keep every record until their replication has committed.
  for (auto& job : jobs_) {
    auto rt = deps_.tables->Find(job->config.table_name);
    if (rt.ok()) {
      std::lock_guard<std::mutex> l(mu_);
      holds_[(*rt)->id] = 0;
    }
  }
  deps_.streams->SetRetentionHold([this](uint32_t id) { return Hold(id); });
  for (auto& job : jobs_) {
    Job* j = job.get();
    j->thread = std::thread([this, j] { Run(j); });
  }
}

void LocalService::Stop() {
  stopping_ = true;
  for (auto& job : jobs_) {
    if (job->thread.joinable()) job->thread.join();
  }
}

void LocalService::Run(Job* job) {
  int64_t backoff = 100;
  while (!stopping_) {
    Status st = RunOnce(job);
    if (stopping_) break;
    if (!st.ok()) {
      log::Warn("replication {} of table {}: {} (retrying in {} ms)", job->config.Name(), job->config.table_name,
                st.ToString(), backoff);
    }
    for (int64_t waited = 0; waited < backoff && !stopping_; waited += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    backoff = st.ok() ? 100 : std::min<int64_t>(backoff * 2, 10000);
  }
}

// One life of a replication against one incarnation of its table: returns when the table
// is dropped or recreated (ok), on stop (ok), or on an error (the caller backs off).
Status LocalService::RunOnce(Job* job) {
  Replicator& rep = *job->replicator;
  auto found = deps_.tables->Find(job->config.table_name);
  if (!found.ok()) return Status::Ok();  // not created yet: try again soon
  std::shared_ptr<dynamo::TableRuntime> rt = *found;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!holds_.count(rt->id)) holds_[rt->id] = 0;
  }
  RETURN_IF_ERROR(deps_.tables->RequireChangeLog(job->config.table_name));
  auto info = rt->info();
  std::vector<dynamo::KeyElement> keys{info->hash_key};
  if (info->range_key) keys.push_back(*info->range_key);
  const std::string source_id = "floe:" + info->arn + ":" + info->uuid;
  RETURN_IF_ERROR(rep.Open(keys, source_id));

  uint64_t cursor = 0;
  if (!ParseLocalPosition(rep.position(), &cursor) || cursor < deps_.streams->TrimFloor(rt->id)) {
    // A consistent snapshot: taken under the commit lock with the sequence it covers.
    std::shared_ptr<const storage::Snapshot> snap;
    uint64_t token = 0;
    RETURN_IF_ERROR(deps_.committer->Commit(
        [&](dynamo::Committer::Context& ctx) {
          snap = deps_.engine->GetSnapshot();
          cursor = ctx.next_sequence() - 1;
          return Status::Ok();
        },
        &token));
    // Only durable writes go to Iceberg: wait until the snapshot's are.
    while (deps_.committer->DurableSequence() < cursor && !stopping_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    log::Info("replication {}: loading a snapshot of table {} at sequence {}", job->config.Name(),
              job->config.table_name, cursor);
    RETURN_IF_ERROR(rep.BeginSnapshot());
    auto it = deps_.engine->NewIterator(storage::Cf::kItems, dynamo::TablePrefix(rt->id),
                                        dynamo::TablePrefixEnd(rt->id), snap.get());
    int64_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ASSIGN_OR_RETURN(dynamo::StoredItem stored, dynamo::DecodeStoredItem(it->value()));
      if (stored.header.tombstone) continue;
      RETURN_IF_ERROR(rep.AddSnapshotItem(stored.item));
      ++n;
    }
    RETURN_IF_ERROR(it->status());
    snap.reset();
    RETURN_IF_ERROR(rep.CommitSnapshot(LocalPosition(cursor)));
    log::Info("replication {}: snapshot of {} items committed", job->config.Name(), n);
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    holds_[rt->id] = cursor;
  }
  uint64_t read_to = cursor;  // last sequence buffered
  // Mirror mode without a transform never looks at old images: skip building them.
  dynamo::ImageSelection images;
  images.old_image = job->config.mode != Mode::kMirror || job->config.transform.has_value();
  ChangeReader reader(deps_, rt->id, cursor, images);
  while (!stopping_) {
    if (rt->dropped || rt->info()->uuid != info->uuid) break;
    ASSIGN_OR_RETURN(ChangeReader::Batch batch, reader.Next(kIdleWaitMs));
    for (auto& c : batch.changes) rep.Add(std::move(c));
    if (!batch.changes.empty()) read_to = batch.last;
    rep.metrics().lag_records = static_cast<int64_t>(rep.buffered());
    const int64_t now = deps_.clock->NowMillis();
    if (rep.FlushDue(now)) {
      RETURN_IF_ERROR(rep.Flush(LocalPosition(read_to)));
      std::lock_guard<std::mutex> l(mu_);
      holds_[rt->id] = read_to;
    }
    Status m = rep.MaybeMaintain(now);
    if (!m.ok()) log::Warn("replication {}: maintenance: {}", job->config.Name(), m.ToString());
  }
  // Commit what is buffered before leaving (a stop, or the table going away).
  if (rep.buffered() > 0) RETURN_IF_ERROR(rep.Flush(LocalPosition(read_to)));
  return Status::Ok();
}

namespace {

// Prometheus text for one replication's metrics.
std::string ReplicationMetricsText(const Replicator& r, const Clock* clock) {
  const ReplicatorMetrics& m = r.metrics();
  const std::string labels = "{replication=\"" + r.config().Name() + "\",table=\"" + r.config().table_name + "\"}";
  std::string out;
  auto line = [&](const char* name, int64_t v) { out += std::string(name) + labels + " " + std::to_string(v) + "\n"; };
  line("floe_replication_records_in_total", m.records_in);
  line("floe_replication_records_committed_total", m.records_committed);
  line("floe_replication_bytes_committed_total", m.bytes_committed);
  line("floe_replication_failed_records_total", m.failed_records);
  line("floe_replication_dropped_records_total", m.dropped_records);
  line("floe_replication_commits_total", m.commits);
  line("floe_replication_retries_total", m.retries);
  line("floe_replication_maintenance_commits_total", m.maintenance_commits);
  line("floe_replication_snapshots_total", m.snapshots);
  line("floe_replication_lag_records", m.lag_records);
  const int64_t oldest = m.oldest_pending_ms;
  const int64_t now = clock->NowMillis();
  out += "floe_replication_freshness_seconds" + labels + " " +
         std::to_string(oldest > 0 ? static_cast<double>(now - oldest) / 1000.0 : 0.0) + "\n";
  const int64_t newest = m.newest_committed_ms;
  out += "floe_replication_newest_committed_change_age_seconds" + labels + " " +
         std::to_string(newest > 0 ? static_cast<double>(now - newest) / 1000.0 : 0.0) + "\n";
  int64_t cumulative = 0;
  const std::string base = "{replication=\"" + r.config().Name() + "\",table=\"" + r.config().table_name + "\",le=\"";
  for (size_t b = 0; b < ReplicatorMetrics::kBuckets; ++b) {
    cumulative += m.freshness_buckets[b];
    std::string le = b + 1 < ReplicatorMetrics::kBuckets
                         ? std::to_string(static_cast<double>(ReplicatorMetrics::kFreshnessBucketsMs[b]) / 1000.0)
                         : "+Inf";
    out += "floe_replication_commit_freshness_seconds_bucket" + base + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += "floe_replication_commit_freshness_seconds_sum" + labels + " " +
         std::to_string(static_cast<double>(m.freshness_sum_ms.load()) / 1000.0) + "\n";
  out += "floe_replication_commit_freshness_seconds_count" + labels + " " + std::to_string(m.freshness_count.load()) +
         "\n";
  return out;
}

}  // namespace

std::string LocalService::MetricsText() const {
  std::string out;
  for (const auto& job : jobs_) out += ReplicationMetricsText(*job->replicator, deps_.clock);
  return out;
}

}  // namespace floe::pipeline
