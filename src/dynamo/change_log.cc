#include "dynamo/change_log.h"

#include <algorithm>

#include "dynamo/item_codec.h"
#include "dynamo/table_schema.h"

namespace floe::dynamo {

namespace {
constexpr uint8_t kRecordVersion = 1;
constexpr char kLastSequenceKey[] = "changelog/last_sequence";
}  // namespace

std::string ChangeLogKey(uint32_t table_id, uint64_t sequence) {
  std::string k;
  PutFixed32BE(table_id, &k);
  PutFixed64BE(sequence, &k);
  return k;
}

std::string EncodeChange(ChangeKind kind, bool by_ttl, uint64_t hlc, uint64_t partition_hash, const std::string& region,
                         const Item& keys, const std::string_view* old_body, const std::string_view* new_body) {
  std::string out;
  out.reserve(64 + (old_body ? old_body->size() : 0) + (new_body ? new_body->size() : 0));
  out.push_back(static_cast<char>(kRecordVersion));
  out.push_back(static_cast<char>(kind));
  out.push_back(static_cast<char>(by_ttl ? 1 : 0));
  PutFixed64BE(hlc, &out);
  PutFixed64BE(partition_hash, &out);
  PutVarint(region.size(), &out);
  out += region;
  EncodeAttributeMap(keys, &out);
  out.push_back(old_body ? 1 : 0);
  if (old_body) out.append(*old_body);
  out.push_back(new_body ? 1 : 0);
  if (new_body) out.append(*new_body);
  return out;
}

std::string EncodeChangeRecord(const ChangeRecord& r) {
  std::string old_bytes, new_bytes;
  if (r.old_image) EncodeAttributeMap(*r.old_image, &old_bytes);
  if (r.new_image) EncodeAttributeMap(*r.new_image, &new_bytes);
  const std::string_view old_body = old_bytes, new_body = new_bytes;
  return EncodeChange(r.kind, r.by_ttl, r.hlc, r.partition_hash, r.region, r.keys, r.old_image ? &old_body : nullptr,
                      r.new_image ? &new_body : nullptr);
}

Result<ChangeRecord> DecodeChangeRecord(std::string_view key, std::string_view in, ImageSelection images) {
  ChangeRecord r;
  r.stored_bytes = key.size() + in.size();
  if (!GetFixed32BE(&key, &r.table_id) || !GetFixed64BE(&key, &r.sequence) || !key.empty()) {
    return Status::Corruption("changelog: bad key");
  }
  if (in.size() < 3 || static_cast<uint8_t>(in[0]) != kRecordVersion)
    return Status::Corruption("changelog: bad header");
  uint8_t kind = static_cast<uint8_t>(in[1]);
  if (kind < 1 || kind > 3) return Status::Corruption("changelog: bad kind");
  r.kind = static_cast<ChangeKind>(kind);
  r.by_ttl = in[2] != 0;
  in.remove_prefix(3);
  uint64_t region_len;
  if (!GetFixed64BE(&in, &r.hlc) || !GetFixed64BE(&in, &r.partition_hash) || !GetVarint(&in, &region_len) ||
      region_len > in.size()) {
    return Status::Corruption("changelog: truncated header");
  }
  r.region.assign(in.data(), region_len);
  in.remove_prefix(region_len);
  ASSIGN_OR_RETURN(r.keys, DecodeAttributeMap(&in));
  for (std::optional<Item>* image : {&r.old_image, &r.new_image}) {
    if (in.empty()) return Status::Corruption("changelog: truncated image flag");
    bool present = in[0] != 0;
    in.remove_prefix(1);
    if (!present) continue;
    if (image == &r.old_image ? images.old_image : images.new_image) {
      ASSIGN_OR_RETURN(Item m, DecodeAttributeMap(&in));
      *image = std::move(m);
    } else {
      RETURN_IF_ERROR(SkipAttributeMap(&in));
    }
  }
  if (!in.empty()) return Status::Corruption("changelog: trailing bytes");
  return r;
}

bool PeekChangeHeader(std::string_view in, uint64_t* hlc, uint64_t* partition_hash) {
  if (in.size() < 19 || static_cast<uint8_t>(in[0]) != kRecordVersion) return false;
  in.remove_prefix(3);
  return GetFixed64BE(&in, hlc) && GetFixed64BE(&in, partition_hash);
}

bool SequenceOfChangeKey(std::string_view key, uint64_t* sequence) {
  uint32_t table_id;
  return GetFixed32BE(&key, &table_id) && GetFixed64BE(&key, sequence) && key.empty();
}

std::string StatsKey(uint32_t table_id) {
  std::string k = "stats/";
  PutFixed32BE(table_id, &k);
  return k;
}

std::string EncodeStats(const TableStats& s) {
  std::string out;
  PutFixed64BE(static_cast<uint64_t>(s.item_count), &out);
  PutFixed64BE(static_cast<uint64_t>(s.size_bytes), &out);
  return out;
}

TableStats DecodeStats(std::string_view in) {
  TableStats s;
  uint64_t a = 0, b = 0;
  if (GetFixed64BE(&in, &a) && GetFixed64BE(&in, &b)) {
    s.item_count = static_cast<int64_t>(a);
    s.size_bytes = static_cast<int64_t>(b);
  }
  return s;
}

Committer::Committer(storage::Engine* engine, Hlc* hlc, std::string region)
    : engine_(engine), hlc_(hlc), region_(std::move(region)) {}

Status Committer::Open() {
  std::string v;
  bool found = false;
  RETURN_IF_ERROR(engine_->Get(storage::Cf::kMeta, kLastSequenceKey, &v, &found));
  std::lock_guard<std::mutex> l(mu_);
  if (found) {
    std::string_view in = v;
    if (!GetFixed64BE(&in, &last_sequence_)) return Status::Corruption("changelog: bad last sequence");
  }
  durable_sequence_ = last_sequence_;  // recovered records are durable
  return Status::Ok();
}

uint64_t Committer::last_sequence() const {
  std::lock_guard<std::mutex> l(mu_);
  return last_sequence_;
}

void Committer::AdvanceDurableLocked() {
  const uint64_t durable_token = engine_->DurableToken();
  while (!pending_.empty() && pending_.front().first <= durable_token) {
    durable_sequence_ = pending_.front().second;
    pending_.pop_front();
  }
}

uint64_t Committer::DurableSequence() {
  std::lock_guard<std::mutex> l(mu_);
  AdvanceDurableLocked();
  return durable_sequence_;
}

void Committer::Context::AddChange(TableRuntime& table, const std::string* encoded_record, int64_t item_delta,
                                   int64_t size_delta) {
  if (encoded_record) {
    const uint64_t sequence = ++committer_->last_sequence_;
    batch_.Put(storage::Cf::kChangeLog, ChangeLogKey(table.id, sequence), *encoded_record);
  }
  TouchStats(table);
  table.stats.item_count += item_delta;
  table.stats.size_bytes += size_delta;
}

void Committer::Context::TouchStats(TableRuntime& table) { Touch(table, table.id, &table.stats); }

void Committer::Context::AddIndexStats(TableRuntime& table, uint32_t index_id, int64_t item_delta, int64_t size_delta) {
  TableStats* stats = &table.index_stats[index_id];
  Touch(table, index_id, stats);
  stats->item_count += item_delta;
  stats->size_bytes += size_delta;
}

void Committer::Context::Touch(TableRuntime& table, uint32_t id, TableStats* stats) {
  for (const auto& t : touched_) {
    if (t.stats == stats) return;
  }
  touched_.push_back({&table, id, stats, *stats});
}

Status Committer::Commit(const std::function<Status(Context&)>& fill, uint64_t* token) {
  *token = 0;
  std::lock_guard<std::mutex> l(mu_);
  Context ctx(this);
  const uint64_t seq_before = last_sequence_;
  Status st = fill(ctx);
  if (st.ok() && ctx.batch_.Count() > 0) {
    for (const auto& t : ctx.touched_) {
      if (!t.table->dropped) ctx.batch_.Put(storage::Cf::kMeta, StatsKey(t.id), EncodeStats(*t.stats));
    }
    if (last_sequence_ != seq_before) {
      std::string v;
      PutFixed64BE(last_sequence_, &v);
      ctx.batch_.Put(storage::Cf::kMeta, kLastSequenceKey, v);
    }
    st = engine_->Write(ctx.batch_, token);
    if (st.ok() && last_sequence_ != seq_before) {
      pending_.emplace_back(*token, last_sequence_);
      AdvanceDurableLocked();  // keeps the queue as short as the unflushed commits
    }
  }
  if (!st.ok()) {
    // Nothing was written: undo the in-memory effects of fill.
    last_sequence_ = seq_before;
    for (auto& t : ctx.touched_) *t.stats = t.saved;
    return st;
  }
  return Status::Ok();
}

Result<std::vector<ChangeRecord>> ReadChanges(storage::Engine* engine, uint32_t table_id, uint64_t after, size_t max,
                                              uint64_t last, ImageSelection images) {
  std::vector<ChangeRecord> out;
  if (after == UINT64_MAX || after >= last) return out;
  out.reserve(std::min<uint64_t>(max, last - after));
  auto it = engine->NewIterator(storage::Cf::kChangeLog, ChangeLogKey(table_id, after + 1),
                                last == UINT64_MAX ? ChangeLogKey(table_id + 1, 0) : ChangeLogKey(table_id, last + 1));
  for (it->Seek(ChangeLogKey(table_id, after + 1)); it->Valid() && out.size() < max; it->Next()) {
    ASSIGN_OR_RETURN(ChangeRecord r, DecodeChangeRecord(it->key(), it->value(), images));
    out.push_back(std::move(r));
  }
  RETURN_IF_ERROR(it->status());
  return out;
}

Status SaveCursor(storage::Engine* engine, const std::string& consumer, uint64_t sequence) {
  storage::WriteBatch b(engine);
  std::string v;
  PutFixed64BE(sequence, &v);
  b.Put(storage::Cf::kMeta, "cursor/" + consumer, v);
  uint64_t token;
  RETURN_IF_ERROR(engine->Write(b, &token));
  return engine->WaitDurable(token);
}

Result<uint64_t> LoadCursor(storage::Engine* engine, const std::string& consumer) {
  std::string v;
  bool found = false;
  RETURN_IF_ERROR(engine->Get(storage::Cf::kMeta, "cursor/" + consumer, &v, &found));
  if (!found) return uint64_t{0};
  std::string_view in = v;
  uint64_t seq;
  if (!GetFixed64BE(&in, &seq)) return Status::Corruption("bad cursor");
  return seq;
}

}  // namespace floe::dynamo
