#include "dynamo/catalog.h"

#include <cstdio>

#include "common/random.h"
#include "dynamo/item_codec.h"
#include "dynamo/key_codec.h"

namespace floe::dynamo {

namespace {
constexpr char kTablePrefix[] = "table/";
constexpr char kNextTableIdKey[] = "catalog/next_table_id";

}  // namespace

Catalog::Catalog(storage::Engine* engine, Committer* committer, const Clock* clock, std::string region,
                 std::string account_id)
    : engine_(engine),
      committer_(committer),
      clock_(clock),
      region_(std::move(region)),
      account_id_(std::move(account_id)) {}

std::string Catalog::TableArn(const std::string& name) const {
  return "arn:aws:dynamodb:" + region_ + ":" + account_id_ + ":table/" + name;
}

Status Catalog::Load() {
  std::unique_lock<std::shared_mutex> l(mu_);
  std::string v;
  bool found = false;
  RETURN_IF_ERROR(engine_->Get(storage::Cf::kMeta, kNextTableIdKey, &v, &found));
  if (found) {
    std::string_view in = v;
    if (!GetFixed32BE(&in, &next_table_id_)) return Status::Corruption("catalog: bad next table id");
  }
  auto it = engine_->NewIterator(storage::Cf::kMeta, kTablePrefix, PrefixSuccessor(kTablePrefix));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(TableInfo info, DecodeTableInfo(it->value()));
    auto rt = std::make_shared<TableRuntime>();
    rt->id = info.id;
    std::string stats;
    bool has_stats = false;
    RETURN_IF_ERROR(engine_->Get(storage::Cf::kMeta, StatsKey(info.id), &stats, &has_stats));
    if (has_stats) rt->stats = DecodeStats(stats);
    for (const auto& index : info.indexes) {
      RETURN_IF_ERROR(engine_->Get(storage::Cf::kMeta, StatsKey(index.id), &stats, &has_stats));
      if (has_stats) rt->index_stats[index.id] = DecodeStats(stats);
    }
    std::string name = info.name;
    rt->log_changes.store(LogsChanges(info));
    rt->set_info(std::make_shared<const TableInfo>(std::move(info)));
    tables_[name] = rt;
  }
  return it->status();
}

bool Catalog::LogsChanges(const TableInfo& info) const {
  return info.stream_enabled || log_required_.count(info.name) > 0;
}

Status Catalog::RequireChangeLog(const std::string& name) {
  std::unique_lock<std::shared_mutex> l(mu_);
  log_required_.insert(name);
  auto it = tables_.find(name);
  if (it == tables_.end()) return Status::Ok();
  std::shared_ptr<TableRuntime> rt = it->second;
  uint64_t token = 0;
  return committer_->Commit(
      [&](Committer::Context&) {
        rt->log_changes.store(true, std::memory_order_relaxed);
        return Status::Ok();
      },
      &token);
}

Result<std::shared_ptr<TableRuntime>> Catalog::Find(std::string_view name) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = tables_.find(name);
  if (it == tables_.end()) return Status::NotFound("Requested resource not found");
  return it->second;
}

Status Catalog::CommitTableChange(TableRuntime* rt, std::shared_ptr<const TableInfo> before, TableInfo* after) {
  // Storage ids for new indexes come from the table id space.
  uint32_t next_id = next_table_id_;
  if (after) {
    if (after->id == 0) after->id = next_id++;
    for (auto& index : after->indexes) {
      if (index.id == 0) index.id = next_id++;
    }
  }
  uint64_t token = 0;
  Status st = committer_->Commit(
      [&](Committer::Context& ctx) -> Status {
        if (listener_) RETURN_IF_ERROR(listener_->OnTableCommit(ctx, before.get(), after));
        auto remove_index = [&](const IndexInfo& index) {
          ctx.batch().Delete(storage::Cf::kMeta, StatsKey(index.id));
          ctx.batch().DeleteRange(storage::Cf::kItems, TablePrefix(index.id), TablePrefixEnd(index.id));
        };
        if (after) {
          ctx.batch().Put(storage::Cf::kMeta, kTablePrefix + after->name, EncodeTableInfo(*after));
          if (!before) ctx.TouchStats(*rt);
          if (before) {
            for (const auto& index : before->indexes) {
              const IndexInfo* kept = after->FindIndex(index.name);
              if (!kept || kept->id != index.id) remove_index(index);
            }
          }
        } else {
          // Under the commit lock: no write to this table can commit after this batch.
          rt->dropped = true;
          ctx.batch().Delete(storage::Cf::kMeta, kTablePrefix + before->name);
          ctx.batch().Delete(storage::Cf::kMeta, StatsKey(rt->id));
          ctx.batch().DeleteRange(storage::Cf::kItems, TablePrefix(rt->id), TablePrefixEnd(rt->id));
          for (const auto& index : before->indexes) remove_index(index);
        }
        if (next_id != next_table_id_) {
          std::string next;
          PutFixed32BE(next_id, &next);
          ctx.batch().Put(storage::Cf::kMeta, kNextTableIdKey, next);
        }
        // Published under the commit lock, so every write commits against the definition
        // that is current at its commit (items.cc re-plans index entries when it changed).
        if (after) rt->set_info(std::make_shared<const TableInfo>(*after));
        rt->log_changes.store(after && LogsChanges(*after), std::memory_order_relaxed);
        return Status::Ok();
      },
      &token);
  if (!st.ok()) {
    rt->dropped = false;
    if (before) rt->set_info(before);
    rt->log_changes.store(before && LogsChanges(*before), std::memory_order_relaxed);
  } else {
    next_table_id_ = next_id;
  }
  if (listener_) listener_->AfterTableCommit(st.ok());
  RETURN_IF_ERROR(st);
  return engine_->WaitDurable(token);
}

Result<std::shared_ptr<TableRuntime>> Catalog::Create(TableInfo proto) {
  std::unique_lock<std::shared_mutex> l(mu_);
  if (tables_.count(proto.name)) return Status::ResourceInUse("Table already exists: " + proto.name);
  proto.id = 0;
  for (auto& index : proto.indexes) index.id = 0;
  proto.uuid = NewUuid();
  proto.arn = TableArn(proto.name);
  proto.creation_ms = clock_->NowMillis();
  if (proto.billing_mode == BillingMode::kPayPerRequest) proto.pay_per_request_since_ms = proto.creation_ms;
  auto rt = std::make_shared<TableRuntime>();
  rt->id = next_table_id_;
  RETURN_IF_ERROR(CommitTableChange(rt.get(), nullptr, &proto));
  tables_[proto.name] = rt;
  return rt;
}

Result<std::shared_ptr<const TableInfo>> Catalog::Update(std::string_view name,
                                                         const std::function<Status(TableInfo&)>& change) {
  std::unique_lock<std::shared_mutex> l(mu_);
  auto it = tables_.find(name);
  if (it == tables_.end())
    return Status::NotFound("Requested resource not found: Table: " + std::string(name) + " not found");
  auto before = it->second->info();
  TableInfo copy = *before;
  RETURN_IF_ERROR(change(copy));
  RETURN_IF_ERROR(CommitTableChange(it->second.get(), before, &copy));
  return it->second->info();
}

Result<std::shared_ptr<TableRuntime>> Catalog::Drop(std::string_view name) {
  std::unique_lock<std::shared_mutex> l(mu_);
  auto it = tables_.find(name);
  if (it == tables_.end())
    return Status::NotFound("Requested resource not found: Table: " + std::string(name) + " not found");
  std::shared_ptr<TableRuntime> rt = it->second;
  RETURN_IF_ERROR(CommitTableChange(rt.get(), rt->info(), nullptr));
  tables_.erase(it);
  return rt;
}

std::vector<std::shared_ptr<TableRuntime>> Catalog::ListTables() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  std::vector<std::shared_ptr<TableRuntime>> out;
  out.reserve(tables_.size());
  for (const auto& [n, t] : tables_) out.push_back(t);
  return out;
}

std::vector<std::string> Catalog::ListNames() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  std::vector<std::string> out;
  out.reserve(tables_.size());
  for (const auto& [n, t] : tables_) out.push_back(n);
  return out;
}

}  // namespace floe::dynamo
