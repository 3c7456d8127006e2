// The read side of DynamoDB Streams: ListStreams, DescribeStream, shard iterators and
// GetRecords over the change log.
#include <openssl/hmac.h>

#include <cstring>

#include "common/base64.h"
#include "common/hlc.h"
#include "dynamo/item_codec.h"
#include "dynamo/key_codec.h"
#include "streams/streams.h"

namespace floe::streams {

namespace {

constexpr uint8_t kIteratorVersion = 1;
constexpr size_t kMacBytes = 16;
constexpr size_t kMaxRecordBytes = 1024 * 1024;  // GetRecords returns at most 1 MB
// Bounded work per GetRecords: records of other shards skipped before returning what we have.
constexpr size_t kMaxScan = 100000;

std::string Mac(const std::string& key, std::string_view payload) {
  unsigned char out[32];
  unsigned int len = sizeof out;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(payload.data()),
       payload.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), kMacBytes);
}

Status InvalidIterator() { return Status::InvalidArgument("Invalid ShardIterator"); }

uint64_t RecordSize(const dynamo::ChangeRecord& r, ViewType view) {
  uint64_t size = dynamo::ItemSize(r.keys);
  const bool want_new = view == ViewType::kNewImage || view == ViewType::kNewAndOldImages;
  const bool want_old = view == ViewType::kOldImage || view == ViewType::kNewAndOldImages;
  if (want_new && r.new_image) size += dynamo::ItemSize(*r.new_image);
  if (want_old && r.old_image) size += dynamo::ItemSize(*r.old_image);
  return size;
}

}  // namespace

std::string StreamManager::ShardId(const Stream& s, size_t generation, int shard) const {
  // shardId-<generation start ms, 20 digits>-<index, 8 hex>: unique within the stream, and
  // sorted by generation, then index.
  char buf[64];
  std::snprintf(buf, sizeof buf, "shardId-%020lld-%08x", static_cast<long long>(s.generations[generation].start_ms),
                static_cast<unsigned>(shard));
  return buf;
}

std::string StreamManager::EncodeIterator(const IteratorState& st) const {
  std::string payload;
  payload.push_back(static_cast<char>(kIteratorVersion));
  dynamo::PutFixed64BE(st.serial, &payload);
  dynamo::PutFixed32BE(st.generation, &payload);
  dynamo::PutFixed32BE(st.shard, &payload);
  dynamo::PutFixed64BE(st.after, &payload);
  dynamo::PutFixed64BE(static_cast<uint64_t>(st.issued_ms), &payload);
  payload += Mac(iterator_key_, payload);
  return Base64Encode(payload);
}

Result<StreamManager::IteratorState> StreamManager::DecodeIterator(const std::string& text) const {
  auto raw = Base64Decode(text);
  if (!raw.ok() || raw->size() != 1 + 8 + 4 + 4 + 8 + 8 + kMacBytes) return InvalidIterator();
  std::string_view payload(raw->data(), raw->size() - kMacBytes);
  if (static_cast<uint8_t>(payload[0]) != kIteratorVersion) return InvalidIterator();
  const std::string mac = Mac(iterator_key_, payload);
  if (CRYPTO_memcmp(mac.data(), raw->data() + payload.size(), kMacBytes) != 0) return InvalidIterator();
  std::string_view in = payload.substr(1);
  IteratorState st;
  uint64_t issued;
  dynamo::GetFixed64BE(&in, &st.serial);
  dynamo::GetFixed32BE(&in, &st.generation);
  dynamo::GetFixed32BE(&in, &st.shard);
  dynamo::GetFixed64BE(&in, &st.after);
  dynamo::GetFixed64BE(&in, &issued);
  st.issued_ms = static_cast<int64_t>(issued);
  return st;
}

Result<std::vector<StreamSummary>> StreamManager::ListStreams(const std::optional<std::string>& table_name,
                                                              const std::optional<std::string>& exclusive_start_arn,
                                                              size_t limit, std::string* last_evaluated_arn) {
  if (exclusive_start_arn) RETURN_IF_ERROR(CheckArnFormat(*exclusive_start_arn));
  std::vector<StreamSummary> out;
  last_evaluated_arn->clear();
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = exclusive_start_arn ? by_arn_.upper_bound(*exclusive_start_arn) : by_arn_.begin();
  for (; it != by_arn_.end(); ++it) {
    const Stream& s = *streams_.at(it->second);
    if (table_name && s.table_name != *table_name) continue;
    if (out.size() == limit) {
      *last_evaluated_arn = out.back().arn;
      break;
    }
    out.push_back({s.arn, s.table_name, s.label});
  }
  return out;
}

Result<StreamDescription> StreamManager::DescribeStream(const std::string& arn, size_t limit,
                                                        const std::optional<std::string>& exclusive_start_shard_id,
                                                        const std::optional<std::string>& children_of) {
  ASSIGN_OR_RETURN(auto stream, FindByArn(arn));
  const Stream& s = *stream;
  const uint64_t floor = Floor(s.table_id);
  StreamDescription d;
  d.arn = s.arn;
  d.label = s.label;
  d.status = s.open ? "ENABLED" : "DISABLED";
  d.view_type = s.view_type;
  d.created_ms = s.created_ms;
  d.table_name = s.table_name;
  d.hash_key = s.hash_key;
  d.range_key = s.range_key;
  for (size_t g = 0; g < s.generations.size(); ++g) {
    const auto end = GenerationEnd(s, g);
    if (end && *end <= floor && g + 1 < s.generations.size()) continue;  // trimmed away entirely
    for (int i = 0; i < s.shards; ++i) {
      ShardDescription sh;
      sh.shard_id = ShardId(s, g, i);
      if (g > 0) sh.parent_shard_id = ShardId(s, g - 1, i);
      sh.starting_sequence = s.generations[g].start_sequence;
      // An empty closed range still shows an ending number no lower than its start.
      if (end) sh.ending_sequence = std::max(*end, sh.starting_sequence);
      if (children_of && sh.parent_shard_id != *children_of) continue;
      if (exclusive_start_shard_id && sh.shard_id <= *exclusive_start_shard_id) continue;
      if (d.shards.size() == limit) {
        d.last_evaluated_shard_id = d.shards.back().shard_id;
        return d;
      }
      d.shards.push_back(std::move(sh));
    }
  }
  return d;
}

Result<std::string> StreamManager::GetShardIterator(const std::string& arn, const std::string& shard_id,
                                                    IteratorType type, std::optional<uint64_t> sequence) {
  ASSIGN_OR_RETURN(auto stream, FindByArn(arn));
  const Stream& s = *stream;
  // shardId-<20 digits>-<8 hex>
  std::optional<size_t> gen;
  int shard = -1;
  for (size_t g = 0; g < s.generations.size() && !gen; ++g) {
    for (int i = 0; i < s.shards; ++i) {
      if (ShardId(s, g, i) == shard_id) {
        gen = g;
        shard = i;
        break;
      }
    }
  }
  if (!gen) {
    return Status::NotFound("Requested resource not found: Shard does not exist: " + shard_id);
  }
  const uint64_t start = s.generations[*gen].start_sequence;
  const auto end = GenerationEnd(s, *gen);
  const uint64_t floor = Floor(s.table_id);
  IteratorState st;
  st.serial = s.serial;
  st.generation = static_cast<uint32_t>(*gen);
  st.shard = static_cast<uint32_t>(shard);
  st.issued_ms = clock_->NowMillis();
  switch (type) {
    case IteratorType::kTrimHorizon:
      st.after = std::max(start - 1, floor);
      if (end) st.after = std::min(st.after, *end);
      break;
    case IteratorType::kLatest: {
      const uint64_t durable = committer_->DurableSequence();
      st.after = std::max(start - 1, end ? std::min(*end, durable) : durable);
      break;
    }
    case IteratorType::kAtSequence:
    case IteratorType::kAfterSequence: {
      const uint64_t n = *sequence;
      const uint64_t last = end ? std::max(*end, start) : UINT64_MAX;
      if (n < start || n > last) {
        return Status::InvalidArgument("Invalid SequenceNumber: " + FormatSequenceNumber(n) +
                                       " is not in the range of shard " + shard_id);
      }
      if (n <= floor) {
        return Status::Trimmed("Attempted to access data that has been trimmed: sequence number " +
                               FormatSequenceNumber(n) + " is beyond the stream's retention period");
      }
      st.after = type == IteratorType::kAtSequence ? n - 1 : n;
      break;
    }
  }
  return EncodeIterator(st);
}

Result<RecordsPage> StreamManager::GetRecords(const std::string& iterator, size_t limit) {
  ASSIGN_OR_RETURN(IteratorState st, DecodeIterator(iterator));
  const int64_t now = clock_->NowMillis();
  if (now - st.issued_ms > options_.iterator_lifetime_ms) {
    return Status::Expired("Iterator expired. The iterator was created more than " +
                           std::to_string(options_.iterator_lifetime_ms / 60000) + " minutes ago");
  }
  auto stream = FindBySerial(st.serial);
  if (!stream) {
    return Status::Trimmed("Attempted to access data that has been trimmed: the stream is beyond its retention period");
  }
  const Stream& s = *stream;
  if (st.generation >= s.generations.size() || st.shard >= static_cast<uint32_t>(s.shards)) return InvalidIterator();
  const auto end = GenerationEnd(s, st.generation);
  const uint64_t durable = committer_->DurableSequence();
  const uint64_t upper = end ? std::min(*end, durable) : durable;

  RecordsPage page;
  uint64_t position = st.after;
  if (upper > st.after) {
    auto it = engine_->NewIterator(storage::Cf::kChangeLog, dynamo::ChangeLogKey(s.table_id, st.after + 1),
                                   dynamo::ChangeLogKey(s.table_id, upper + 1));
    // Checked after the iterator pins its view: trimming moves the floor before deleting.
    if (st.after < Floor(s.table_id)) {
      return Status::Trimmed(
          "Attempted to access data that has been trimmed: the iterator's position is beyond "
          "the stream's retention period");
    }
    size_t bytes = 0, scanned = 0;
    bool stopped_early = false;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      uint64_t seq, hlc, hash;
      if (!dynamo::SequenceOfChangeKey(it->key(), &seq) || !dynamo::PeekChangeHeader(it->value(), &hlc, &hash)) {
        return Status::Corruption("changelog: bad record");
      }
      if (page.records.size() == limit || bytes >= kMaxRecordBytes || ++scanned > kMaxScan) {
        stopped_early = true;
        break;
      }
      position = seq;
      if (hash % static_cast<uint64_t>(s.shards) != st.shard) continue;
      ASSIGN_OR_RETURN(dynamo::ChangeRecord r, dynamo::DecodeChangeRecord(it->key(), it->value()));
      StreamRecord rec;
      rec.size_bytes = RecordSize(r, s.view_type);
      if (!page.records.empty() && bytes + rec.size_bytes > kMaxRecordBytes) {
        position = seq - 1;
        stopped_early = true;
        break;
      }
      bytes += rec.size_bytes;
      char id[40];
      std::snprintf(id, sizeof id, "%016llx%016llx", static_cast<unsigned long long>(s.serial * 0x9E3779B97F4A7C15ULL),
                    static_cast<unsigned long long>(seq));
      rec.event_id = id;
      rec.view_type = s.view_type;
      rec.change = std::move(r);
      page.records.push_back(std::move(rec));
    }
    RETURN_IF_ERROR(it->status());
    if (!stopped_early) position = upper;
  }
  if (!(end && position >= *end)) {
    IteratorState next = st;
    next.after = position;
    next.issued_ms = now;
    page.next_iterator = EncodeIterator(next);
  }
  return page;
}

}  // namespace floe::streams
