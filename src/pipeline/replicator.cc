#include "pipeline/replicator.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "common/log.h"
#include "common/random.h"
#include "iceberg/compaction.h"
#include "iceberg/data_files.h"
#include "iceberg/maintenance.h"
#include "iceberg/table.h"
#include "json/json.h"
#include "objstore/store.h"
#include "parquet/reader.h"
#include "parquet/schema_json.h"
#include "pipeline/transform.h"

namespace floe::pipeline {
namespace {

using iceberg::DataFile;
using iceberg::DataWriter;
using parquet::Value;

Result<iceberg::PartitionSpec> BuildSpec(const ReplicationConfig& c, const iceberg::Schema& schema) {
  iceberg::PartitionSpec spec;
  for (const std::string& text : c.partition_spec) {
    std::string transform = "identity", column = text;
    size_t open = text.find('(');
    if (open != std::string::npos) {
      if (text.back() != ')')
        return Status::InvalidArgument("partitionSpec entry '" + text + "' must look like day(col)");
      transform = text.substr(0, open);
      column = text.substr(open + 1, text.size() - open - 2);
    }
    auto t = iceberg::Transform::Parse(transform);
    if (!t.ok()) return Status::InvalidArgument("partitionSpec entry '" + text + "': " + t.status().message());
    const parquet::Field* source = nullptr;
    for (const auto& f : schema.fields.fields) {
      if (f.name == column) source = &f;
    }
    if (source == nullptr)
      return Status::InvalidArgument("partitionSpec entry '" + text + "' names no column of the table");
    iceberg::PartitionField pf;
    pf.source_id = source->id;
    pf.transform = *t;
    pf.name = t->kind == iceberg::Transform::Kind::kIdentity ? column
                                                             : column + "_" + transform.substr(0, transform.find('['));
    spec.fields.push_back(std::move(pf));
  }
  return spec;
}

// Top-level columns must agree by name, type and required flag.
Status CheckSameShape(const parquet::Schema& existing, const parquet::Schema& wanted, const std::string& table) {
  for (size_t i = 0; i < std::max(existing.fields.size(), wanted.fields.size()); ++i) {
    if (i >= existing.fields.size()) {
      return Status::InvalidArgument("the Iceberg table " + table + " has no column '" + wanted.fields[i].name +
                                     "' that the replication's glueTableSchema names");
    }
    if (i >= wanted.fields.size()) {
      return Status::InvalidArgument("the Iceberg table " + table + " has a column '" + existing.fields[i].name +
                                     "' that the replication's glueTableSchema does not name");
    }
    const auto& a = existing.fields[i];
    const auto& b = wanted.fields[i];
    if (a.name != b.name || parquet::TypeName(a) != parquet::TypeName(b) || a.required != b.required) {
      return Status::InvalidArgument("the Iceberg table " + table + " has column " + std::to_string(i + 1) + " '" +
                                     a.name + "' " + parquet::TypeName(a) + (a.required ? " required" : "") +
                                     ", but the replication's schema has '" + b.name + "' " + parquet::TypeName(b) +
                                     (b.required ? " required" : "") + " there");
    }
  }
  return Status::Ok();
}

void CivilTime(int64_t ms, std::string* out) {
  int64_t days = ms / 86400000;
  int64_t y;
  unsigned m, d;
  parquet::CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld/%02u/%02u/%02lld", static_cast<long long>(y), m, d,
                static_cast<long long>((ms / 3600000) % 24));
  *out = buf;
}

}  // namespace

struct Replicator::SnapshotLoad {
  std::unique_ptr<DataWriter> writer;
  std::vector<std::pair<std::string, DataWriter::RowLocation>> rows;  // mirror: key -> where
  std::vector<Failed> failed;
};

Replicator::Replicator(ReplicationConfig config, iceberg::Catalog* catalog, const Clock* clock)
    : config_(std::move(config)), catalog_(catalog), clock_(clock) {}

Replicator::~Replicator() = default;

Status Replicator::Open(const std::vector<dynamo::KeyElement>& keys, const std::string& source_id) {
  buffer_.clear();
  buffer_bytes_ = 0;
  load_.reset();
  source_id_ = source_id;
  position_.clear();
  ASSIGN_OR_RETURN(RowMapper mapper, RowMapper::Make(config_, keys));
  mapper_ = std::make_unique<RowMapper>(std::move(mapper));
  if (config_.transform && !transformer_) {
    ASSIGN_OR_RETURN(transformer_, Transformer::Make(*config_.transform));
  }
  Status ns = catalog_->CreateNamespace({config_.database}, {});
  if (!ns.ok() && ns.code() != StatusCode::kResourceInUse) return ns;
  auto loaded = catalog_->LoadTable(ident());
  if (!loaded.ok() && loaded.status().code() != StatusCode::kNotFound) return loaded.status();
  if (!loaded.ok()) {
    iceberg::CreateTableRequest req;
    req.name = config_.table;
    req.schema = mapper_->schema();
    ASSIGN_OR_RETURN(req.spec, BuildSpec(config_, req.schema));
    req.format_version = config_.format_version;
    req.properties["write.target-file-size-bytes"] = std::to_string(config_.maintenance.target_file_mb << 20);
    req.properties["floe.replication.mode"] = config_.mode == Mode::kMirror ? "mirror" : "changelog";
    req.properties["floe.replication.source-table"] = config_.table_name;
    ASSIGN_OR_RETURN(iceberg::LoadedTable t, catalog_->CreateTable({config_.database}, std::move(req)));
    loaded = std::move(t);
  }
  const iceberg::TableMetadata& m = loaded->metadata;
  RETURN_IF_ERROR(CheckSameShape(m.CurrentSchema()->fields, mapper_->schema().fields, ident().ToString()));
  // The newest commit of this replicator in main's history.
  for (const iceberg::Snapshot* s = m.CurrentSnapshot(); s != nullptr;
       s = s->parent_id ? m.SnapshotById(*s->parent_id) : nullptr) {
    const std::string* src = s->SummaryValue(kSourceKey);
    if (src == nullptr) continue;
    const std::string* pos = s->SummaryValue(kPositionKey);
    if (*src == source_id && pos != nullptr) position_ = *pos;
    break;
  }
  ClearIndex();
  if (config_.mode == Mode::kMirror) RETURN_IF_ERROR(LoadKeyIndex(*loaded));
  return Status::Ok();
}

void Replicator::CountCommitted(const std::vector<iceberg::DataFile>& files) {
  for (const auto& f : files) {
    metrics_.bytes_committed += f.file_size_in_bytes;
    metrics_.records_committed += f.record_count;
  }
}

void Replicator::ClearIndex() {
  index_.clear();
  files_.clear();
  file_ids_.clear();
}

uint32_t Replicator::FileId(const std::string& path) {
  auto [it, inserted] = file_ids_.emplace(path, static_cast<uint32_t>(files_.size()));
  if (inserted) files_.push_back(path);
  return it->second;
}

Status Replicator::LoadKeyIndex(const iceberg::LoadedTable& table) {
  if (table.metadata.CurrentSnapshot() == nullptr) return Status::Ok();
  ASSIGN_OR_RETURN(auto tasks, iceberg::PlanScan(catalog_->store(), table.metadata));
  const parquet::Schema& schema = table.metadata.CurrentSchema()->fields;
  for (const auto& task : tasks) {
    std::vector<int64_t> positions;
    ASSIGN_OR_RETURN(std::vector<Value> rows,
                     iceberg::ReadLiveRows(catalog_->store(), task, schema, nullptr, &positions));
    uint32_t id = FileId(task.data.file.file_path);
    for (size_t i = 0; i < rows.size(); ++i) index_[mapper_->KeyOfRow(rows[i])] = {id, positions[i]};
  }
  return Status::Ok();
}

std::vector<std::pair<std::string, std::string>> Replicator::Summary(const std::string& position) const {
  return {{kSourceKey, source_id_}, {kPositionKey, position}};
}

// ---- snapshot load ----

Status Replicator::BeginSnapshot() {
  load_ = std::make_unique<SnapshotLoad>();
  ASSIGN_OR_RETURN(iceberg::LoadedTable table, catalog_->LoadTable(ident()));
  ASSIGN_OR_RETURN(load_->writer, DataWriter::Open(catalog_->store(), table.metadata));
  return Status::Ok();
}

Status Replicator::AddSnapshotItem(const dynamo::Item& item) {
  if (!load_) return Status::Internal("AddSnapshotItem without BeginSnapshot");
  Change c;
  c.op = Change::Op::kSnapshot;
  c.new_image = item;
  // Keys: the item's key attributes (KeyOfItem reads them from the full item).
  c.keys = item;
  if (transformer_) {
    auto out = transformer_->Apply({c});
    if (out[0].result == Transformer::Outcome::Result::kDropped) {
      metrics_.dropped_records++;
      return Status::Ok();
    }
    if (out[0].result == Transformer::Outcome::Result::kFailed) {
      load_->failed.push_back({std::move(c), "TransformFailed", out[0].error});
      return Status::Ok();
    }
    c = std::move(out[0].change);
  }
  Result<Value> row = Status::Internal("");
  std::string key;
  if (config_.mode == Mode::kMirror) {
    auto k = mapper_->KeyOfItem(c.keys);
    if (!k.ok()) {
      load_->failed.push_back({std::move(c), "MappingFailed", k.status().message()});
      return Status::Ok();
    }
    key = std::move(*k);
    if (!c.new_image) return Status::Ok();
    row = mapper_->MirrorRow(*c.new_image, "", 0);
  } else {
    row = mapper_->ChangelogRow(c);
  }
  if (!row.ok()) {
    load_->failed.push_back({std::move(c), "MappingFailed", row.status().message()});
    return Status::Ok();
  }
  DataWriter::RowLocation where;
  RETURN_IF_ERROR(load_->writer->Append(*row, &where));
  if (config_.mode == Mode::kMirror) load_->rows.emplace_back(std::move(key), where);
  return Status::Ok();
}

Status Replicator::CommitSnapshot(const std::string& position) {
  if (!load_) return Status::Internal("CommitSnapshot without BeginSnapshot");
  std::unique_ptr<SnapshotLoad> load = std::move(load_);
  ASSIGN_OR_RETURN(std::vector<DataFile> files, load->writer->Finish());
  RETURN_IF_ERROR(WriteBackup(load->failed, 1));
  iceberg::SnapshotChange change;
  change.added_data = files;
  change.summary = Summary(position);
  if (config_.mode == Mode::kMirror) {
    change.operation = "overwrite";
    ASSIGN_OR_RETURN(auto current, catalog_->LoadTable(ident()));
    if (current.metadata.CurrentSnapshot() != nullptr) {
      ASSIGN_OR_RETURN(auto live, iceberg::LiveFiles(catalog_->store(), current.metadata));
      for (const auto& f : live) change.removed.push_back(f.file.file_path);
    }
  } else {
    change.operation = "append";
  }
  auto committed = iceberg::CommitChange(catalog_, ident(), change);
  if (!committed.ok()) {
    for (const auto& f : files) (void)catalog_->store()->Delete(f.file_path);
    return committed.status();
  }
  position_ = position;
  metrics_.snapshots++;
  metrics_.commits++;
  metrics_.failed_records += static_cast<int64_t>(load->failed.size());
  CountCommitted(files);
  if (config_.mode == Mode::kMirror) {
    ClearIndex();
    std::vector<uint32_t> ids;
    for (const auto& f : files) ids.push_back(FileId(f.file_path));
    for (auto& [key, where] : load->rows) index_[key] = {ids[where.file], where.pos};
  }
  commits_since_maintenance_++;
  return Status::Ok();
}

// ---- streaming ----

void Replicator::Add(Change change) {
  if (buffer_.empty()) buffer_since_ms_ = clock_->NowMillis();
  buffer_bytes_ += change.bytes;
  if (change.created_ms > 0 && metrics_.oldest_pending_ms.load() == 0) metrics_.oldest_pending_ms = change.created_ms;
  metrics_.records_in++;
  buffer_.push_back(std::move(change));
}

bool Replicator::FlushDue(int64_t now_ms) const {
  if (buffer_.empty()) return false;
  if (buffer_bytes_ >= static_cast<size_t>(config_.size_mb) << 20) return true;
  return now_ms - buffer_since_ms_ >= config_.interval_seconds * 1000;
}

Status Replicator::Flush(const std::string& position) {
  if (buffer_.empty()) return Status::Ok();
  std::vector<Change> changes = std::move(buffer_);
  buffer_.clear();
  buffer_.reserve(changes.size());  // the next buffer will likely be as large
  buffer_bytes_ = 0;
  std::vector<Failed> failed;
  if (transformer_) {
    auto outcomes = transformer_->Apply(changes);
    changes.clear();
    for (auto& o : outcomes) {
      if (o.result == Transformer::Outcome::Result::kOk)
        changes.push_back(std::move(o.change));
      else if (o.result == Transformer::Outcome::Result::kDropped)
        metrics_.dropped_records++;
      else
        failed.push_back({std::move(o.change), "TransformFailed", std::move(o.error)});
    }
  }
  // Failed records reach the backup before the position moves past them.
  RETURN_IF_ERROR(WriteBackup(failed, 1));
  Status st;
  int attempt = 0;
  bool mapping_backed_up = false;
  for (; attempt < config_.retry.attempts; ++attempt) {
    std::vector<Failed> mapping_failed;
    st = CommitChanges(changes, position, &mapping_failed, &mapping_backed_up);
    if (st.ok()) {
      for (auto& f : mapping_failed) failed.push_back(std::move(f));
      break;
    }
    metrics_.retries++;
    log::Warn("replication {}: commit attempt {} failed: {}", config_.Name(), attempt + 1, st.ToString());
    if (attempt + 1 == config_.retry.attempts) break;
    int64_t wait = std::min(config_.retry.max_backoff_ms, config_.retry.min_backoff_ms << std::min(attempt, 20));
    std::this_thread::sleep_for(std::chrono::milliseconds(wait));
    // The table may have changed under us (another writer): start from its current state.
    auto reloaded = catalog_->LoadTable(ident());
    if (reloaded.ok() && config_.mode == Mode::kMirror) {
      ClearIndex();
      Status li = LoadKeyIndex(*reloaded);
      if (!li.ok()) log::Warn("replication {}: reloading the key index: {}", config_.Name(), li.ToString());
    }
  }
  if (!st.ok()) {
    // Retries exhausted: the records go to the backup, and the position moves past them.
    std::vector<Failed> exhausted;
    for (auto& c : changes) exhausted.push_back({std::move(c), "RetriesExhausted", st.message()});
    RETURN_IF_ERROR(WriteBackup(exhausted, attempt + 1));
    std::vector<Failed> none;
    bool nothing_to_back_up = false;
    RETURN_IF_ERROR(CommitChanges({}, position, &none, &nothing_to_back_up));
    for (auto& f : exhausted) failed.push_back(std::move(f));
  }
  metrics_.failed_records += static_cast<int64_t>(failed.size());
  metrics_.oldest_pending_ms = 0;
  return Status::Ok();
}

Status Replicator::CommitChanges(const std::vector<Change>& changes, const std::string& position,
                                 std::vector<Failed>* failed, bool* backed_up) {
  ASSIGN_OR_RETURN(iceberg::LoadedTable table, catalog_->LoadTable(ident()));
  iceberg::DataWriterOptions wo;
  ASSIGN_OR_RETURN(auto writer, DataWriter::Open(catalog_->store(), table.metadata, wo));
  std::map<std::string, std::vector<int64_t>> positions;
  struct Written {
    const std::string* key;
    Loc* current;  // the key's entry in index_ (stable across rehashing), or null for a new key
    DataWriter::RowLocation where;
  };
  std::vector<Written> written;
  std::vector<std::string> deleted;
  std::unordered_map<std::string, size_t> last;  // key -> its last change; owns written's keys
  if (config_.mode == Mode::kMirror) {
    // The last change per key wins.
    last.reserve(changes.size());
    std::vector<std::unordered_map<std::string, size_t>::iterator> order;
    for (size_t i = 0; i < changes.size(); ++i) {
      auto k = mapper_->KeyOfItem(changes[i].keys);
      if (!k.ok()) {
        failed->push_back({changes[i], "MappingFailed", k.status().message()});
        continue;
      }
      auto [it, inserted] = last.try_emplace(std::move(*k), i);
      if (inserted)
        order.push_back(it);
      else
        it->second = i;
    }
    for (const auto& entry : order) {
      const std::string& key = entry->first;
      const Change& c = changes[entry->second];
      auto old = index_.find(key);
      if (old != index_.end()) positions[files_[old->second.file]].push_back(old->second.pos);
      if (c.op != Change::Op::kRemove && c.new_image) {
        auto row = mapper_->MirrorRow(*c.new_image, c.sequence, c.created_ms);
        if (row.ok()) {
          DataWriter::RowLocation where;
          Status st = writer->Append(*row, &where);
          if (st.ok()) {
            written.push_back({&key, old != index_.end() ? &old->second : nullptr, where});
            continue;
          }
          row = st;
        }
        // The item's current version cannot be represented: its row goes (the table never
        // shows a stale version) and the change goes to the backup.
        failed->push_back({c, "MappingFailed", row.status().message()});
      }
      if (old != index_.end()) deleted.push_back(key);
    }
  } else {
    for (const Change& c : changes) {
      auto row = mapper_->ChangelogRow(c);
      Status st = row.ok() ? writer->Append(*row) : row.status();
      if (!st.ok()) failed->push_back({c, "MappingFailed", st.message()});
    }
  }
  ASSIGN_OR_RETURN(std::vector<DataFile> files, writer->Finish());
  iceberg::SnapshotChange change;
  if (!positions.empty()) {
    for (auto& [path, p] : positions) std::sort(p.begin(), p.end());
    ASSIGN_OR_RETURN(auto live, iceberg::LiveFiles(catalog_->store(), table.metadata));
    ASSIGN_OR_RETURN(change, iceberg::DeleteRowsChange(catalog_->store(), table.metadata, live, positions));
    change.operation = "overwrite";
  } else {
    change.operation = "append";
  }
  change.added_data = files;
  change.summary = Summary(position);
  // Failed records reach the backup before the position moves past them; once, however many
  // attempts the commit takes (the mapping is the same each time).
  if (!*backed_up) {
    RETURN_IF_ERROR(WriteBackup(*failed, 1));
    *backed_up = true;
  }
  auto committed = iceberg::CommitChange(catalog_, ident(), change);
  if (!committed.ok()) {
    for (const auto& f : files) (void)catalog_->store()->Delete(f.file_path);
    for (const auto& f : change.added_deletes) (void)catalog_->store()->Delete(f.file_path);
    return committed.status();
  }
  const int64_t now = clock_->NowMillis();
  position_ = position;
  for (const std::string& key : deleted) index_.erase(key);
  if (!written.empty()) {
    std::vector<uint32_t> ids;
    for (const auto& f : files) ids.push_back(FileId(f.file_path));
    for (const Written& w : written) {
      const Loc loc{ids[w.where.file], w.where.pos};
      if (w.current)
        *w.current = loc;
      else
        index_.emplace(*w.key, loc);
    }
  }
  metrics_.commits++;
  CountCommitted(files);
  RecordFreshness(changes, now);
  commits_since_maintenance_++;
  return Status::Ok();
}

void Replicator::RecordFreshness(const std::vector<Change>& changes, int64_t now_ms) {
  int64_t newest = 0;
  for (const Change& c : changes) {
    if (c.created_ms <= 0) continue;
    newest = std::max(newest, c.created_ms);
    const int64_t d = std::max<int64_t>(0, now_ms - c.created_ms);
    size_t b = 0;
    while (b + 1 < ReplicatorMetrics::kBuckets && d > ReplicatorMetrics::kFreshnessBucketsMs[b]) ++b;
    metrics_.freshness_buckets[b]++;
    metrics_.freshness_sum_ms += d;
    metrics_.freshness_count++;
  }
  if (newest > metrics_.newest_committed_ms.load()) metrics_.newest_committed_ms = newest;
}

Status Replicator::WriteBackup(const std::vector<Failed>& failed, int attempts) {
  if (failed.empty()) return Status::Ok();
  std::string out;
  for (const Failed& f : failed) {
    json::Writer w;
    w.StartObject();
    w.Key("errorCode");
    w.String(f.code);
    w.Key("errorMessage");
    w.String(f.message);
    w.Key("attemptsMade");
    w.Int64(attempts);
    w.Key("sourceTable");
    w.String(config_.table_name);
    w.Key("eventName");
    w.String(OpName(f.change.op));
    w.Key("sequenceNumber");
    w.String(f.change.sequence);
    w.Key("approximateCreationDateTime");
    w.Int64(f.change.created_ms);
    w.Key("keys");
    w.RawJson(ItemToDynamoJson(f.change.keys));
    if (f.change.new_image) {
      w.Key("newImage");
      w.RawJson(ItemToDynamoJson(*f.change.new_image));
    }
    if (f.change.old_image) {
      w.Key("oldImage");
      w.RawJson(ItemToDynamoJson(*f.change.old_image));
    }
    w.EndObject();
    out += w.Take();
    out += '\n';
  }
  std::string hour;
  CivilTime(clock_->NowMillis(), &hour);
  std::string location = catalog_->warehouse() + "/" + config_.backup_prefix + "/" + config_.database + "/" +
                         config_.table + "/" + hour + "/" + NewUuid() + ".jsonl";
  RETURN_IF_ERROR(catalog_->store()->Write(location, out));
  log::Warn("replication {}: {} record(s) written to the backup {}", config_.Name(), failed.size(), location);
  return Status::Ok();
}

// ---- maintenance ----

Status Replicator::MaybeMaintain(int64_t now_ms) {
  const MaintenanceSettings& s = config_.maintenance;
  if (!s.enabled || now_ms - last_maintenance_ms_ < s.interval_seconds * 1000) return Status::Ok();
  last_maintenance_ms_ = now_ms;
  if (commits_since_maintenance_ == 0) return Status::Ok();
  commits_since_maintenance_ = 0;
  iceberg::CompactOptions co;
  co.target_file_bytes = s.target_file_mb << 20;
  co.min_input_files = static_cast<int>(s.min_input_files);
  co.delete_ratio = s.delete_ratio;
  co.summary = Summary(position_);
  ASSIGN_OR_RETURN(iceberg::CompactResult compacted, iceberg::Compact(catalog_, ident(), co));
  if (compacted.commit) {
    metrics_.maintenance_commits++;
    if (config_.mode == Mode::kMirror) {
      // The rewritten rows moved: point their keys at the new files.
      for (const std::string& path : compacted.added_paths) {
        ASSIGN_OR_RETURN(std::string bytes, catalog_->store()->Read(path));
        ASSIGN_OR_RETURN(auto reader, parquet::Reader::Open(std::move(bytes)));
        ASSIGN_OR_RETURN(std::vector<Value> rows, reader->ReadAll());
        uint32_t id = FileId(path);
        for (size_t i = 0; i < rows.size(); ++i) index_[mapper_->KeyOfRow(rows[i])] = {id, static_cast<int64_t>(i)};
      }
    }
  }
  iceberg::ExpireOptions eo;
  eo.older_than_ms = now_ms - s.snapshot_retention_seconds * 1000;
  eo.retain_last = static_cast<int>(s.retain_last_snapshots);
  auto expired = iceberg::ExpireSnapshots(catalog_, ident(), eo);
  if (!expired.ok()) return expired.status();
  if (!expired->expired_snapshot_ids.empty()) metrics_.maintenance_commits++;
  auto orphans = iceberg::RemoveOrphanFiles(catalog_, ident(), now_ms - s.orphan_age_seconds * 1000);
  if (!orphans.ok()) return orphans.status();
  return Status::Ok();
}

}  // namespace floe::pipeline
