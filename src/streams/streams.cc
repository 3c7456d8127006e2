// StreamManager: stream definitions, their lifecycle with the table, and maintenance
// (rollover, trimming, expiry). Reading (iterators, GetRecords) is in stream_reader.cc.
#include <openssl/rand.h>

#include <ctime>

#include "common/log.h"
#include "dynamo/item_codec.h"
#include "dynamo/key_codec.h"
#include "json/json.h"
#include "streams/streams.h"

namespace floe::streams {

namespace {

constexpr char kStreamPrefix[] = "stream/";
constexpr char kNextSerialKey[] = "streams/next_serial";
constexpr char kIteratorKeyKey[] = "streams/iterator_key";
constexpr char kFloorPrefix[] = "changelog/floor/";
// Bounded work per table and maintenance pass.
constexpr size_t kMaxTrimScan = 200000;

std::string FloorKey(uint32_t table_id) {
  std::string k = kFloorPrefix;
  dynamo::PutFixed32BE(table_id, &k);
  return k;
}

std::string U64(uint64_t v) {
  std::string s;
  dynamo::PutFixed64BE(v, &s);
  return s;
}

// "2026-11-21T06:55:46.123", UTC, as AWS writes stream labels.
std::string Label(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

const char* ViewTypeName(ViewType v) {
  switch (v) {
    case ViewType::kKeysOnly: return "KEYS_ONLY";
    case ViewType::kNewImage: return "NEW_IMAGE";
    case ViewType::kOldImage: return "OLD_IMAGE";
    case ViewType::kNewAndOldImages: return "NEW_AND_OLD_IMAGES";
  }
  return "KEYS_ONLY";
}

std::optional<ViewType> ParseViewType(std::string_view s) {
  if (s == "KEYS_ONLY") return ViewType::kKeysOnly;
  if (s == "NEW_IMAGE") return ViewType::kNewImage;
  if (s == "OLD_IMAGE") return ViewType::kOldImage;
  if (s == "NEW_AND_OLD_IMAGES") return ViewType::kNewAndOldImages;
  return std::nullopt;
}

std::string FormatSequenceNumber(uint64_t sequence) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%021llu", static_cast<unsigned long long>(sequence));
  return buf;
}

Result<uint64_t> ParseSequenceNumber(const std::string& text) {
  auto invalid = [&] { return Status::InvalidArgument("Invalid SequenceNumber: " + text); };
  if (text.size() < 21 || text.size() > 40) return invalid();
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return invalid();
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return invalid();
    v = v * 10 + d;
  }
  return v;
}

StreamManager::StreamManager(storage::Engine* engine, dynamo::Committer* committer, const Clock* clock,
                             std::string region, std::string account_id, StreamOptions options)
    : engine_(engine),
      committer_(committer),
      clock_(clock),
      region_(std::move(region)),
      account_id_(std::move(account_id)),
      options_(options),
      thread_(options.maintenance_interval_ms, [this] {
        Status st = RunMaintenance();
        if (!st.ok()) log::Warn("stream maintenance: {}", st.ToString());
      }) {}

StreamManager::~StreamManager() { Stop(); }

std::string StreamManager::StreamKey(uint64_t serial) { return kStreamPrefix + U64(serial); }

std::string StreamManager::EncodeStream(const Stream& s) {
  json::Writer w;
  w.StartObject();
  w.Key("formatVersion");
  w.Int64(1);
  w.Key("serial");
  w.Uint64(s.serial);
  w.Key("arn");
  w.String(s.arn);
  w.Key("label");
  w.String(s.label);
  w.Key("tableName");
  w.String(s.table_name);
  w.Key("tableId");
  w.Uint64(s.table_id);
  w.Key("viewType");
  w.String(ViewTypeName(s.view_type));
  w.Key("shards");
  w.Int64(s.shards);
  w.Key("hashKey");
  dynamo::WriteKeyElement(w, s.hash_key);
  if (s.range_key) {
    w.Key("rangeKey");
    dynamo::WriteKeyElement(w, *s.range_key);
  }
  w.Key("createdMs");
  w.Int64(s.created_ms);
  w.Key("startSequence");
  w.Uint64(s.start_sequence);
  w.Key("open");
  w.Bool(s.open);
  w.Key("endSequence");
  w.Uint64(s.end_sequence);
  w.Key("disabledMs");
  w.Int64(s.disabled_ms);
  w.Key("generations");
  w.StartArray();
  for (const auto& g : s.generations) {
    w.StartObject();
    w.Key("startSequence");
    w.Uint64(g.start_sequence);
    w.Key("startMs");
    w.Int64(g.start_ms);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

Result<StreamManager::Stream> StreamManager::DecodeStream(std::string_view bytes) {
  auto parsed = json::Parse(bytes);
  if (!parsed.ok() || !parsed->is_object()) return Status::Corruption("stream: entry is not a JSON object");
  const json::Value& o = *parsed;
  auto num = [&](const json::Value& obj, const char* k) -> int64_t {
    int64_t r = 0;
    if (const json::Value* v = obj.Find(k)) v->AsInt64(&r);
    return r;
  };
  auto str = [&](const char* k) -> std::string {
    const json::Value* v = o.Find(k);
    return v && v->is_string() ? v->str() : std::string();
  };
  Stream s;
  s.serial = static_cast<uint64_t>(num(o, "serial"));
  s.arn = str("arn");
  s.label = str("label");
  s.table_name = str("tableName");
  s.table_id = static_cast<uint32_t>(num(o, "tableId"));
  auto vt = ParseViewType(str("viewType"));
  if (!vt) return Status::Corruption("stream: bad view type");
  s.view_type = *vt;
  s.shards = static_cast<int>(num(o, "shards"));
  ASSIGN_OR_RETURN(s.hash_key, dynamo::ReadKeyElement(o.Find("hashKey")));
  if (o.Find("rangeKey")) {
    ASSIGN_OR_RETURN(dynamo::KeyElement rk, dynamo::ReadKeyElement(o.Find("rangeKey")));
    s.range_key = rk;
  }
  s.created_ms = num(o, "createdMs");
  s.start_sequence = static_cast<uint64_t>(num(o, "startSequence"));
  const json::Value* open = o.Find("open");
  s.open = open && open->is_bool() && open->as_bool();
  s.end_sequence = static_cast<uint64_t>(num(o, "endSequence"));
  s.disabled_ms = num(o, "disabledMs");
  if (const json::Value* gens = o.Find("generations"); gens && gens->is_array()) {
    for (const auto& g : gens->items()) {
      s.generations.push_back({static_cast<uint64_t>(num(g, "startSequence")), num(g, "startMs")});
    }
  }
  if (s.serial == 0 || s.arn.empty() || s.shards < 1 || s.generations.empty()) {
    return Status::Corruption("stream: incomplete entry");
  }
  return s;
}

Status StreamManager::Load() {
  std::unique_lock<std::shared_mutex> l(mu_);
  std::string v;
  bool found = false;
  RETURN_IF_ERROR(engine_->Get(storage::Cf::kMeta, kNextSerialKey, &v, &found));
  if (found) {
    std::string_view in = v;
    if (!dynamo::GetFixed64BE(&in, &next_serial_)) return Status::Corruption("streams: bad next serial");
  }
  RETURN_IF_ERROR(engine_->Get(storage::Cf::kMeta, kIteratorKeyKey, &iterator_key_, &found));
  if (!found) {
    // A key of this node's own: iterators are tamper-evident and survive restarts.
    unsigned char key[32];
    if (RAND_bytes(key, sizeof key) != 1) return Status::Internal("streams: no randomness for the iterator key");
    iterator_key_.assign(reinterpret_cast<const char*>(key), sizeof key);
    storage::WriteBatch b(engine_);
    b.Put(storage::Cf::kMeta, kIteratorKeyKey, iterator_key_);
    uint64_t token;
    RETURN_IF_ERROR(engine_->Write(b, &token));
    RETURN_IF_ERROR(engine_->WaitDurable(token));
  }
  {
    auto it = engine_->NewIterator(storage::Cf::kMeta, kStreamPrefix, dynamo::PrefixSuccessor(kStreamPrefix));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ASSIGN_OR_RETURN(Stream s, DecodeStream(it->value()));
      by_arn_[s.arn] = s.serial;
      streams_[s.serial] = std::make_shared<const Stream>(std::move(s));
    }
    RETURN_IF_ERROR(it->status());
  }
  auto it = engine_->NewIterator(storage::Cf::kMeta, kFloorPrefix, dynamo::PrefixSuccessor(kFloorPrefix));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key = it->key().substr(sizeof(kFloorPrefix) - 1);
    std::string_view value = it->value();
    uint32_t table_id;
    uint64_t floor;
    if (!dynamo::GetFixed32BE(&key, &table_id) || !dynamo::GetFixed64BE(&value, &floor)) {
      return Status::Corruption("streams: bad trim floor");
    }
    floors_[table_id] = floor;
  }
  return it->status();
}

Status StreamManager::OnTableCommit(dynamo::Committer::Context& ctx, const dynamo::TableInfo* before,
                                    dynamo::TableInfo* after) {
  const bool was = before && before->stream_enabled;
  const bool is = after && after->stream_enabled;
  if (was == is) return Status::Ok();
  std::unique_lock<std::shared_mutex> l(mu_);
  const int64_t now = clock_->NowMillis();
  if (is) {
    auto view = ParseViewType(after->stream_view_type);
    if (!view) return Status::InvalidArgument("bad StreamViewType " + after->stream_view_type);
    Stream s;
    s.serial = next_serial_++;
    s.table_name = after->name;
    s.table_id = after->id;
    s.view_type = *view;
    s.shards = options_.shards;
    s.hash_key = after->hash_key;
    s.range_key = after->range_key;
    // Labels are unique per table name: a stream enabled in the same millisecond as an
    // earlier one of that name gets the next millisecond.
    int64_t created = now;
    auto taken = [&](int64_t ms) {
      if (by_arn_.count(after->arn + "/stream/" + Label(ms))) return true;
      for (const auto& p : pending_) {
        if (p->arn == after->arn + "/stream/" + Label(ms)) return true;
      }
      return false;
    };
    while (taken(created)) ++created;
    s.created_ms = created;
    s.label = Label(created);
    s.arn = after->arn + "/stream/" + s.label;
    s.start_sequence = ctx.next_sequence();
    s.generations.push_back({s.start_sequence, created});
    after->latest_stream_arn = s.arn;
    after->latest_stream_label = s.label;
    ctx.batch().Put(storage::Cf::kMeta, StreamKey(s.serial), EncodeStream(s));
    ctx.batch().Put(storage::Cf::kMeta, kNextSerialKey, U64(next_serial_));
    pending_.push_back(std::make_shared<const Stream>(std::move(s)));
    return Status::Ok();
  }
  // Disabled, or the table dropped: close its open stream.
  for (const auto& [serial, s] : streams_) {
    if (s->table_id == before->id && s->open) {
      auto closed = std::make_shared<Stream>(*s);
      closed->open = false;
      closed->end_sequence = ctx.next_sequence() - 1;
      closed->disabled_ms = now;
      ctx.batch().Put(storage::Cf::kMeta, StreamKey(closed->serial), EncodeStream(*closed));
      pending_.push_back(std::move(closed));
      break;
    }
  }
  return Status::Ok();
}

void StreamManager::AfterTableCommit(bool committed) {
  std::unique_lock<std::shared_mutex> l(mu_);
  if (committed) {
    for (auto& s : pending_) {
      by_arn_[s->arn] = s->serial;
      streams_[s->serial] = s;
    }
  }
  pending_.clear();
}

std::shared_ptr<const StreamManager::Stream> StreamManager::FindBySerial(uint64_t serial) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = streams_.find(serial);
  return it == streams_.end() ? nullptr : it->second;
}

Status StreamManager::CheckArnFormat(const std::string& arn) {
  // arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
  if (arn.size() < 37 || arn.size() > 1024 || arn.rfind("arn:", 0) != 0 || arn.find(":table/") == std::string::npos ||
      arn.find("/stream/") == std::string::npos) {
    return Status::InvalidArgument("Invalid StreamArn");
  }
  return Status::Ok();
}

Result<std::shared_ptr<const StreamManager::Stream>> StreamManager::FindByArn(const std::string& arn) const {
  RETURN_IF_ERROR(CheckArnFormat(arn));
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = by_arn_.find(arn);
  if (it == by_arn_.end()) return Status::NotFound("Requested resource not found: Stream: " + arn + " not found");
  return streams_.at(it->second);
}

uint64_t StreamManager::Floor(uint32_t table_id) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = floors_.find(table_id);
  return it == floors_.end() ? 0 : it->second;
}

std::optional<uint64_t> StreamManager::GenerationEnd(const Stream& s, size_t g) {
  if (g + 1 < s.generations.size()) return s.generations[g + 1].start_sequence - 1;
  if (s.open) return std::nullopt;
  return s.end_sequence;
}

// ---- Maintenance ----

Status StreamManager::RunMaintenance() {
  const int64_t now = clock_->NowMillis();
  RETURN_IF_ERROR(RollOver(now));
  return Trim(now);
}

Status StreamManager::RollOver(int64_t now) {
  std::vector<uint64_t> due;
  {
    std::shared_lock<std::shared_mutex> l(mu_);
    for (const auto& [serial, s] : streams_) {
      if (s->open && now - s->generations.back().start_ms >= options_.rollover_ms) due.push_back(serial);
    }
  }
  for (uint64_t serial : due) {
    std::shared_ptr<const Stream> next;
    uint64_t token = 0;
    RETURN_IF_ERROR(committer_->Commit(
        [&](dynamo::Committer::Context& ctx) -> Status {
          std::shared_lock<std::shared_mutex> l(mu_);
          auto it = streams_.find(serial);
          if (it == streams_.end() || !it->second->open) return Status::Ok();
          const Generation& last = it->second->generations.back();
          // A generation closes only once it holds a sequence number, so that every shard's
          // range is non-empty.
          if (ctx.next_sequence() <= last.start_sequence) return Status::Ok();
          auto s = std::make_shared<Stream>(*it->second);
          s->generations.push_back({ctx.next_sequence(), std::max(now, last.start_ms + 1)});
          ctx.batch().Put(storage::Cf::kMeta, StreamKey(serial), EncodeStream(*s));
          next = std::move(s);
          return Status::Ok();
        },
        &token));
    if (next) {
      // Installed after the commit; the commit lock is released, so no write observes the
      // new generation before it is persisted.
      std::unique_lock<std::shared_mutex> l(mu_);
      auto it = streams_.find(serial);
      if (it != streams_.end() && it->second->open) it->second = next;
    }
  }
  return Status::Ok();
}

Status StreamManager::Trim(int64_t now) {
  const uint64_t cutoff_hlc = static_cast<uint64_t>(std::max<int64_t>(0, now - options_.retention_ms))
                              << Hlc::kLogicalBits;
  // Every table with change records, live or dropped: walk the first key of each table id.
  std::string seek;
  while (true) {
    auto it = engine_->NewIterator(storage::Cf::kChangeLog, seek, "");
    it->Seek(seek);
    RETURN_IF_ERROR(it->status());
    if (!it->Valid()) break;
    std::string_view key = it->key();
    uint32_t table_id;
    if (!dynamo::GetFixed32BE(&key, &table_id)) return Status::Corruption("changelog: bad key");
    uint64_t new_floor = 0;
    size_t scanned = 0;
    for (; it->Valid() && scanned < kMaxTrimScan; it->Next(), ++scanned) {
      uint64_t seq, hlc, hash;
      std::string_view k = it->key();
      uint32_t tid;
      if (!dynamo::GetFixed32BE(&k, &tid) || tid != table_id) break;
      if (!dynamo::SequenceOfChangeKey(it->key(), &seq) || !dynamo::PeekChangeHeader(it->value(), &hlc, &hash)) {
        return Status::Corruption("changelog: bad record");
      }
      if (hlc >= cutoff_hlc) break;
      new_floor = seq;
    }
    RETURN_IF_ERROR(it->status());
    if (hold_) new_floor = std::min(new_floor, hold_(table_id));
    if (new_floor > 0 && new_floor > Floor(table_id)) {
      {
        // The floor moves first: a reader that opened its iterator before the delete sees
        // every record; one that opens it after sees this floor.
        std::unique_lock<std::shared_mutex> l(mu_);
        floors_[table_id] = std::max(floors_[table_id], new_floor);
      }
      storage::WriteBatch b(engine_);
      b.DeleteRange(storage::Cf::kChangeLog, dynamo::ChangeLogKey(table_id, 0),
                    dynamo::ChangeLogKey(table_id, new_floor + 1));
      b.Put(storage::Cf::kMeta, FloorKey(table_id), U64(new_floor));
      uint64_t token;
      RETURN_IF_ERROR(engine_->Write(b, &token));
    }
    if (table_id == UINT32_MAX) break;
    seek = dynamo::ChangeLogKey(table_id + 1, 0);
  }
  // Forget disabled streams whose whole window has aged out.
  std::vector<std::shared_ptr<const Stream>> expired;
  {
    std::shared_lock<std::shared_mutex> l(mu_);
    for (const auto& [serial, s] : streams_) {
      if (!s->open && now - s->disabled_ms >= options_.retention_ms) expired.push_back(s);
    }
  }
  if (expired.empty()) return Status::Ok();
  storage::WriteBatch b(engine_);
  for (const auto& s : expired) b.Delete(storage::Cf::kMeta, StreamKey(s->serial));
  uint64_t token;
  RETURN_IF_ERROR(engine_->Write(b, &token));
  std::unique_lock<std::shared_mutex> l(mu_);
  for (const auto& s : expired) {
    by_arn_.erase(s->arn);
    streams_.erase(s->serial);
  }
  return Status::Ok();
}

}  // namespace floe::streams
