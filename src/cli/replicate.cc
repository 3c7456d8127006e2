// `floe replicate`: the table replicator against a remote DynamoDB and DynamoDB Streams
// endpoint (AWS, or another floe), through the public APIs with SigV4-signed requests.
//
// Per replication: DescribeTable gives the keys and the stream; without a committed position
// the replicator takes LATEST iterators on the open shards, scans the table (polling those
// iterators meanwhile, so they do not expire), commits the scan, then applies the stream
// records that arrived since (mirror mode converges to the table: each record carries the
// item's full new image). Then it follows the shards, parents before children, with the
// per-shard sequence numbers as the committed position. An expired iterator is renewed
// after the last sequence number; throttling backs off; a trimmed position, or a stream
// disabled and replaced by a new one, starts over with a new snapshot.
#include "cli/replicate.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <thread>

#include "cli/aws_client.h"
#include "cli/config_file.h"
#include "common/clock.h"
#include "common/log.h"
#include "dynamo/attribute_json.h"
#include "iceberg/catalog.h"
#include "json/json.h"
#include "objstore/store.h"
#include "pipeline/config.h"
#include "pipeline/replicator.h"
#include "pipeline/service.h"
#include "storage/engine.h"

namespace floe::cli {
namespace {

using pipeline::Change;

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

constexpr char kUsage[] =
    "usage: floe replicate --config FILE [--endpoint-url http[s]://HOST[:PORT]] [--region NAME]\n"
    "                      [--state-dir DIR] [--warehouse DIR|s3://BUCKET/PREFIX] [--log-level LEVEL]\n"
    "  config keys: endpoint, region, accessKeyId, secretAccessKey, sessionToken, caBundle,\n"
    "               stateDir, warehouse, s3, pollIntervalMs, logLevel, replications (docs/replicator.md)\n"
    "  credentials default to AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;\n"
    "  caBundle to AWS_CA_BUNDLE\n";

struct Settings {
  std::string endpoint;
  AwsEndpoint aws;
  std::string state_dir = "./replicate-state";
  std::string warehouse;
  int64_t poll_ms = 250;
  std::string log_level = "info";
  std::string replications_json;
  std::string s3_json;
  std::string config_dir = ".";
};

Status LoadSettings(const std::string& path, Settings* s) {
  ASSIGN_OR_RETURN(json::Value v, ReadConfigObject(path));
  s->config_dir = ConfigDir(path);
  for (const auto& [key, x] : v.members()) {
    auto str = [&, k = key]() -> Result<std::string> {
      if (!x.is_string()) return Status::InvalidArgument("config key '" + k + "' must be a string");
      return x.str();
    };
    const std::map<std::string, std::string*> strings = {{"endpoint", &s->endpoint},
                                                         {"region", &s->aws.region},
                                                         {"accessKeyId", &s->aws.credentials.access_key},
                                                         {"secretAccessKey", &s->aws.credentials.secret_key},
                                                         {"sessionToken", &s->aws.credentials.session_token},
                                                         {"caBundle", &s->aws.tls.ca_file},
                                                         {"stateDir", &s->state_dir},
                                                         {"warehouse", &s->warehouse},
                                                         {"logLevel", &s->log_level}};
    if (auto it = strings.find(key); it != strings.end()) {
      ASSIGN_OR_RETURN(*it->second, str());
    } else if (key == "pollIntervalMs") {
      if (!x.AsInt64(&s->poll_ms) || s->poll_ms < 1 || s->poll_ms > 60000) {
        return Status::InvalidArgument("config key 'pollIntervalMs' must be an integer from 1 to 60000");
      }
    } else if (key == "replications") {
      s->replications_json = json::Serialize(x);
    } else if (key == "s3") {
      if (!x.is_object()) return Status::InvalidArgument("config key 's3' must be an object");
      s->s3_json = json::Serialize(x);
    } else {
      return Status::InvalidArgument("unknown config key '" + key + "' in '" + path + "'");
    }
  }
  return Status::Ok();
}

std::string Quote(const std::string& s) {
  json::Writer w;
  w.String(s);
  return w.Take();
}

struct ShardInfo {
  std::string id, parent;
  bool closed = false;
};

// One replication following one stream.
class RemoteSource {
 public:
  RemoteSource(const Settings& s, pipeline::Replicator* rep) : settings_(s), client_(s.aws), rep_(rep) {}

  void Run() {
    int64_t backoff = 200;
    while (!g_stop) {
      Status st = RunOnce();
      if (g_stop) break;
      if (!st.ok()) {
        log::Warn("replication {}: {} (retrying in {} ms)", rep_->config().Name(), st.ToString(), backoff);
        backoff = std::min<int64_t>(backoff * 2, 10000);
      } else {
        backoff = 200;
      }
      for (int64_t w = 0; w < backoff && !g_stop; w += 50) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

 private:
  struct Shard {
    std::string parent;
    std::string last_seq;  // empty: none read (start at TRIM_HORIZON)
    std::string iterator;
    bool done = false;
  };

  Result<json::Value> Call(const char* api, const std::string& op, const std::string& body, AwsError* err) {
    const bool streams = std::strcmp(api, "streams") == 0;
    return client_.Call("dynamodb", std::string(streams ? "DynamoDBStreams_20120810." : "DynamoDB_20120810.") + op,
                        body, err);
  }

  Status DescribeTable(std::vector<dynamo::KeyElement>* keys, std::string* latest_arn) {
    AwsError err;
    ASSIGN_OR_RETURN(json::Value r, Call("dynamodb", "DescribeTable",
                                         "{\"TableName\":" + Quote(rep_->config().table_name) + "}", &err));
    const json::Value* t = r.Find("Table");
    if (t == nullptr) return Status::Internal("DescribeTable without Table");
    std::map<std::string, std::string> types;
    if (const json::Value* defs = t->Find("AttributeDefinitions")) {
      for (const auto& d : defs->items()) {
        const json::Value* n = d.Find("AttributeName");
        const json::Value* ty = d.Find("AttributeType");
        if (n && ty) types[n->str()] = ty->str();
      }
    }
    keys->clear();
    if (const json::Value* ks = t->Find("KeySchema")) {
      for (const char* want : {"HASH", "RANGE"}) {
        for (const auto& k : ks->items()) {
          const json::Value* n = k.Find("AttributeName");
          const json::Value* kt = k.Find("KeyType");
          if (!n || !kt || kt->str() != want) continue;
          const std::string& ty = types[n->str()];
          keys->push_back({n->str(), ty == "N"   ? dynamo::AttrType::kN
                                     : ty == "B" ? dynamo::AttrType::kB
                                                 : dynamo::AttrType::kS});
        }
      }
    }
    latest_arn->clear();
    const json::Value* spec = t->Find("StreamSpecification");
    const json::Value* enabled = spec ? spec->Find("StreamEnabled") : nullptr;
    if (const json::Value* a = t->Find("LatestStreamArn"); a && enabled && enabled->as_bool()) *latest_arn = a->str();
    return Status::Ok();
  }

  Status DescribeStream(std::string* status, std::vector<ShardInfo>* shards) {
    shards->clear();
    std::string start;
    while (true) {
      std::string body =
          "{\"StreamArn\":" + Quote(arn_) + (start.empty() ? "" : ",\"ExclusiveStartShardId\":" + Quote(start)) + "}";
      AwsError err;
      ASSIGN_OR_RETURN(json::Value r, Call("streams", "DescribeStream", body, &err));
      const json::Value* d = r.Find("StreamDescription");
      if (d == nullptr) return Status::Internal("DescribeStream without StreamDescription");
      if (const json::Value* st = d->Find("StreamStatus")) *status = st->str();
      if (const json::Value* list = d->Find("Shards")) {
        for (const auto& s : list->items()) {
          ShardInfo info;
          info.id = s.Find("ShardId") ? s.Find("ShardId")->str() : "";
          if (const json::Value* p = s.Find("ParentShardId")) info.parent = p->str();
          const json::Value* range = s.Find("SequenceNumberRange");
          info.closed = range && range->Find("EndingSequenceNumber");
          shards->push_back(std::move(info));
        }
      }
      const json::Value* last = d->Find("LastEvaluatedShardId");
      if (last == nullptr || !last->is_string() || last->str().empty()) break;
      start = last->str();
    }
    return Status::Ok();
  }

  Result<std::string> Iterator(const std::string& shard, const std::string& type, const std::string& seq,
                               AwsError* err) {
    std::string body = "{\"StreamArn\":" + Quote(arn_) + ",\"ShardId\":" + Quote(shard) +
                       ",\"ShardIteratorType\":" + Quote(type) +
                       (seq.empty() ? "" : ",\"SequenceNumber\":" + Quote(seq)) + "}";
    ASSIGN_OR_RETURN(json::Value r, Call("streams", "GetShardIterator", body, err));
    const json::Value* it = r.Find("ShardIterator");
    if (it == nullptr) return Status::Internal("GetShardIterator without ShardIterator");
    return it->str();
  }

  static Result<Change> ToChange(const json::Value& rec) {
    Change c;
    const json::Value* name = rec.Find("eventName");
    const json::Value* d = rec.Find("dynamodb");
    if (name == nullptr || d == nullptr) return Status::Internal("stream record without eventName or dynamodb");
    if (name->str() == "INSERT")
      c.op = Change::Op::kInsert;
    else if (name->str() == "MODIFY")
      c.op = Change::Op::kModify;
    else
      c.op = Change::Op::kRemove;
    if (const json::Value* k = d->Find("Keys")) {
      ASSIGN_OR_RETURN(c.keys, dynamo::AttributeMapFromJson(*k));
    }
    if (const json::Value* n = d->Find("NewImage")) {
      ASSIGN_OR_RETURN(dynamo::Item item, dynamo::AttributeMapFromJson(*n));
      c.new_image = std::move(item);
    }
    if (const json::Value* o = d->Find("OldImage")) {
      ASSIGN_OR_RETURN(dynamo::Item item, dynamo::AttributeMapFromJson(*o));
      c.old_image = std::move(item);
    }
    if (const json::Value* s = d->Find("SequenceNumber")) c.sequence = s->str();
    double secs = 0;
    if (const json::Value* t = d->Find("ApproximateCreationDateTime"); t && t->AsDouble(&secs)) {
      c.created_ms = static_cast<int64_t>(secs * 1000);
    }
    int64_t size = 0;
    if (const json::Value* sz = d->Find("SizeBytes"); sz && sz->AsInt64(&size)) c.bytes = static_cast<size_t>(size);
    if (const json::Value* u = rec.Find("userIdentity")) {
      const json::Value* p = u->Find("principalId");
      c.ttl_expired = p && p->str() == "dynamodb.amazonaws.com";
    }
    return c;
  }

  // Reads one page of every readable shard (parents before children). Changes go to `out`,
  // or to the replicator when out is null. Sets *got when any record arrived.
  Status Poll(std::vector<Change>* out, bool* got) {
    for (auto& [id, s] : shards_) {
      if (s.done) continue;
      auto parent = shards_.find(s.parent);
      if (!s.parent.empty() && parent != shards_.end() && !parent->second.done) continue;
      AwsError err;
      if (s.iterator.empty()) {
        auto it = Iterator(id, s.last_seq.empty() ? "TRIM_HORIZON" : "AFTER_SEQUENCE_NUMBER", s.last_seq, &err);
        if (!it.ok()) {
          if (err.type == "TrimmedDataAccessException") return Status::Trimmed(it.status().message());
          if (err.type == "ResourceNotFoundException") {
            s.done = true;  // the shard aged out of the stream
            continue;
          }
          return it.status();
        }
        s.iterator = *it;
      }
      auto r = Call("streams", "GetRecords", "{\"ShardIterator\":" + Quote(s.iterator) + ",\"Limit\":1000}", &err);
      if (!r.ok()) {
        if (err.type == "ExpiredIteratorException") {
          s.iterator.clear();  // renewed after last_seq on the next round
          expired_iterators_++;
          log::Info("replication {}: the iterator of shard {} expired; renewing it after sequence number {}",
                    rep_->config().Name(), id, s.last_seq.empty() ? "(none: trim horizon)" : s.last_seq);
          continue;
        }
        if (err.type == "TrimmedDataAccessException") return Status::Trimmed(r.status().message());
        if (err.type == "LimitExceededException" || err.type == "ThrottlingException" ||
            err.type == "ProvisionedThroughputExceededException") {
          std::this_thread::sleep_for(std::chrono::milliseconds(500));
          continue;
        }
        return r.status();
      }
      if (const json::Value* recs = r->Find("Records")) {
        for (const auto& rec : recs->items()) {
          ASSIGN_OR_RETURN(Change c, ToChange(rec));
          s.last_seq = c.sequence;
          *got = true;
          if (out)
            out->push_back(std::move(c));
          else
            rep_->Add(std::move(c));
        }
      }
      const json::Value* next = r->Find("NextShardIterator");
      if (next == nullptr || next->is_null()) {
        s.done = true;
        s.iterator.clear();
      } else {
        s.iterator = next->str();
      }
    }
    return Status::Ok();
  }

  std::string Position() const {
    json::Writer w;
    w.StartObject();
    w.Key("shards");
    w.StartObject();
    for (const auto& [id, s] : shards_) {
      if (s.done) continue;
      w.Key(id);
      w.String(s.last_seq);
    }
    w.EndObject();
    w.Key("done");
    w.StartArray();
    for (const auto& [id, s] : shards_) {
      if (s.done) w.String(id);
    }
    w.EndArray();
    w.EndObject();
    return w.Take();
  }

  Status LoadPosition(const std::string& text) {
    ASSIGN_OR_RETURN(json::Value v, json::Parse(text));
    shards_.clear();
    if (const json::Value* sh = v.Find("shards")) {
      for (const auto& [id, seq] : sh->members()) shards_[id].last_seq = seq.str();
    }
    if (const json::Value* done = v.Find("done")) {
      for (const auto& id : done->items()) shards_[id.str()].done = true;
    }
    return Status::Ok();
  }

  // Adds shards the stream lists and the state does not know; records parents.
  Status Refresh(std::string* status) {
    std::vector<ShardInfo> list;
    RETURN_IF_ERROR(DescribeStream(status, &list));
    for (const auto& info : list) {
      Shard& s = shards_[info.id];
      s.parent = info.parent;
    }
    last_refresh_ms_ = SystemClock::Default()->NowMillis();
    return Status::Ok();
  }

  Status Snapshot() {
    std::string status;
    std::vector<ShardInfo> list;
    RETURN_IF_ERROR(DescribeStream(&status, &list));
    shards_.clear();
    for (const auto& info : list) {
      Shard& s = shards_[info.id];
      s.parent = info.parent;
      if (info.closed) {
        s.done = true;  // before the snapshot
        continue;
      }
      AwsError err;
      ASSIGN_OR_RETURN(s.iterator, Iterator(info.id, "LATEST", "", &err));
    }
    // The position the snapshot covers: open shards from their start (a resume replays
    // them; mirror mode converges), closed ones done.
    const std::string position = Position();
    RETURN_IF_ERROR(rep_->BeginSnapshot());
    std::vector<Change> pending;
    std::string start;
    int64_t items = 0, pages = 0;
    while (!g_stop) {
      std::string body = "{\"TableName\":" + Quote(rep_->config().table_name) + ",\"ConsistentRead\":true" +
                         (start.empty() ? "" : ",\"ExclusiveStartKey\":" + start) + "}";
      AwsError err;
      auto r = Call("dynamodb", "Scan", body, &err);
      if (!r.ok()) {
        if (err.type == "ProvisionedThroughputExceededException" || err.type == "ThrottlingException") {
          std::this_thread::sleep_for(std::chrono::milliseconds(500));
          continue;
        }
        return r.status();
      }
      if (const json::Value* list2 = r->Find("Items")) {
        for (const auto& it : list2->items()) {
          ASSIGN_OR_RETURN(dynamo::Item item, dynamo::AttributeMapFromJson(it));
          RETURN_IF_ERROR(rep_->AddSnapshotItem(item));
          ++items;
        }
      }
      // Keep the LATEST iterators alive during a long scan.
      if (++pages % 20 == 0) {
        bool got = false;
        RETURN_IF_ERROR(Poll(&pending, &got));
      }
      const json::Value* last = r->Find("LastEvaluatedKey");
      if (last == nullptr) break;
      start = json::Serialize(*last);
    }
    if (g_stop) return Status::Ok();
    bool got = false;
    RETURN_IF_ERROR(Poll(&pending, &got));
    RETURN_IF_ERROR(rep_->CommitSnapshot(position));
    log::Info("replication {}: snapshot of {} items from {} committed; {} stream records follow", rep_->config().Name(),
              items, rep_->config().table_name, pending.size());
    for (auto& c : pending) rep_->Add(std::move(c));
    return Status::Ok();
  }

  Status RunOnce() {
    std::vector<dynamo::KeyElement> keys;
    std::string latest;
    RETURN_IF_ERROR(DescribeTable(&keys, &latest));
    if (arn_.empty()) arn_ = rep_->config().stream_arn.empty() ? latest : rep_->config().stream_arn;
    if (arn_.empty()) return Status::NotFound("table " + rep_->config().table_name + " has no enabled stream");
    RETURN_IF_ERROR(rep_->Open(keys, arn_));
    if (rep_->position().empty() || force_snapshot_) {
      RETURN_IF_ERROR(Snapshot());
      force_snapshot_ = false;
    } else {
      RETURN_IF_ERROR(LoadPosition(rep_->position()));
    }
    std::string status;
    RETURN_IF_ERROR(Refresh(&status));
    while (!g_stop) {
      bool got = false;
      Status st = Poll(nullptr, &got);
      if (st.code() == StatusCode::kTrimmed) {
        // Records this replication needed are gone: start over from a snapshot.
        log::Warn("replication {}: {}; loading a new snapshot", rep_->config().Name(), st.message());
        RETURN_IF_ERROR(rep_->Flush(Position()));
        force_snapshot_ = true;
        return Status::Ok();
      }
      RETURN_IF_ERROR(st);
      const int64_t now = SystemClock::Default()->NowMillis();
      rep_->metrics().lag_records = static_cast<int64_t>(rep_->buffered());
      if (rep_->FlushDue(now)) RETURN_IF_ERROR(rep_->Flush(Position()));
      Status m = rep_->MaybeMaintain(now);
      if (!m.ok()) log::Warn("replication {}: maintenance: {}", rep_->config().Name(), m.ToString());
      bool all_done = true;
      for (const auto& [id, s] : shards_) all_done = all_done && s.done;
      if (now - last_refresh_ms_ >= 5000 || all_done) {
        RETURN_IF_ERROR(Refresh(&status));
        bool any_new = false;
        for (const auto& [id, s] : shards_) any_new = any_new || !s.done;
        if (status == "DISABLED" && !any_new) {
          // The stream ended. If the table has a new stream, follow it from a snapshot:
          // changes between the two streams are in neither.
          RETURN_IF_ERROR(rep_->Flush(Position()));
          RETURN_IF_ERROR(DescribeTable(&keys, &latest));
          if (!latest.empty() && latest != arn_) {
            log::Info("replication {}: stream {} was disabled; following the new stream {}", rep_->config().Name(),
                      arn_, latest);
            arn_ = latest;
            return Status::Ok();
          }
        }
      }
      if (!got) std::this_thread::sleep_for(std::chrono::milliseconds(settings_.poll_ms));
    }
    if (rep_->buffered() > 0) RETURN_IF_ERROR(rep_->Flush(Position()));
    return Status::Ok();
  }

  const Settings& settings_;
  AwsClient client_;
  pipeline::Replicator* rep_;
  std::string arn_;
  std::map<std::string, Shard> shards_;
  int64_t last_refresh_ms_ = 0;
  int64_t expired_iterators_ = 0;
  bool force_snapshot_ = false;  // the committed position was trimmed away
};

}  // namespace

int Replicate(int argc, char** argv) {
  Settings s;
  std::string config_path;
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--config") == 0) config_path = argv[i + 1];
  }
  if (config_path.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto fail = [](const std::string& m) {
    std::fprintf(stderr, "floe replicate: %s\n", m.c_str());
    return 2;
  };
  if (Status st = LoadSettings(config_path, &s); !st.ok()) return fail(st.message());
  for (int i = 2; i < argc; i += 2) {
    std::string flag = argv[i];
    if (i + 1 >= argc) return fail("flag " + flag + " needs a value");
    std::string value = argv[i + 1];
    if (flag == "--config") continue;
    if (flag == "--endpoint-url")
      s.endpoint = value;
    else if (flag == "--region")
      s.aws.region = value;
    else if (flag == "--state-dir")
      s.state_dir = value;
    else if (flag == "--warehouse")
      s.warehouse = value;
    else if (flag == "--log-level")
      s.log_level = value;
    else
      return fail("unknown flag " + flag);
  }
  log::SetLevel(s.log_level == "debug"   ? log::Level::kDebug
                : s.log_level == "warn"  ? log::Level::kWarn
                : s.log_level == "error" ? log::Level::kError
                                         : log::Level::kInfo);
  if (s.endpoint.empty()) return fail("no endpoint: set \"endpoint\" in the config or --endpoint-url");
  if (Status st = aws::ParseEndpointUrl(s.endpoint, &s.aws.endpoint); !st.ok()) return fail(st.message());
  auto env = [](const char* name) { return std::string(std::getenv(name) ? std::getenv(name) : ""); };
  if (s.aws.region.empty()) s.aws.region = env("AWS_REGION");
  if (s.aws.region.empty()) s.aws.region = env("AWS_DEFAULT_REGION");
  if (s.aws.region.empty()) s.aws.region = "us-east-1";
  aws::Credentials& creds = s.aws.credentials;
  if (creds.access_key.empty() && creds.secret_key.empty()) {
    creds.access_key = env("AWS_ACCESS_KEY_ID");
    creds.secret_key = env("AWS_SECRET_ACCESS_KEY");
    if (creds.session_token.empty()) creds.session_token = env("AWS_SESSION_TOKEN");
  }
  if (s.aws.tls.ca_file.empty()) s.aws.tls.ca_file = env("AWS_CA_BUNDLE");
  if (creds.access_key.empty() || creds.secret_key.empty()) {
    return fail(
        "no credentials: set accessKeyId and secretAccessKey in the config, or AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY");
  }
  if (s.replications_json.empty()) return fail("the config has no \"replications\"");
  auto parsed = json::Parse(s.replications_json);
  auto configs = pipeline::ParseReplications(*parsed, s.config_dir);
  if (!configs.ok()) return fail(configs.status().message());
  auto warehouse = objstore::ResolveWarehouse(s.warehouse.empty() ? s.state_dir + "/warehouse" : s.warehouse);
  if (!warehouse.ok()) return fail(warehouse.status().message());
  auto made_store = MakeWarehouseStore(true, *warehouse, *configs, s.s3_json);
  if (!made_store.ok()) return fail(made_store.status().message());
  std::unique_ptr<objstore::Store> store = std::move(made_store).value();

  storage::EngineOptions eo;
  eo.path = s.state_dir;
  eo.reserved_disk_bytes = 16 << 20;  // cursors and small state only
  auto engine = storage::Engine::Open(eo);
  if (!engine.ok()) return fail("cannot open the state directory " + s.state_dir + ": " + engine.status().ToString());
  std::vector<std::unique_ptr<iceberg::Catalog>> catalogs;
  std::vector<std::unique_ptr<pipeline::Replicator>> reps;
  std::vector<std::unique_ptr<RemoteSource>> sources;
  for (auto& c : *configs) {
    auto where = c.warehouse.empty() ? warehouse : objstore::ResolveWarehouse(c.warehouse);
    if (!where.ok()) return fail("replication " + c.Name() + ": " + where.status().message());
    catalogs.push_back(std::make_unique<iceberg::Catalog>(engine->get(), store.get(), *where, SystemClock::Default()));
    reps.push_back(std::make_unique<pipeline::Replicator>(c, catalogs.back().get(), SystemClock::Default()));
    sources.push_back(std::make_unique<RemoteSource>(s, reps.back().get()));
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  log::Info("floe replicate: {} replication(s) from {} into {} (state {})", reps.size(), s.endpoint, *warehouse,
            s.state_dir);
  std::vector<std::thread> threads;
  for (auto& src : sources) threads.emplace_back([&src] { src->Run(); });
  int64_t last_report = SystemClock::Default()->NowMillis();
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (SystemClock::Default()->NowMillis() - last_report >= 60000) {
      last_report = SystemClock::Default()->NowMillis();
      for (auto& r : reps) {
        log::Info("replication {}: {} records in, {} committed, {} failed, {} commits", r->config().Name(),
                  r->metrics().records_in.load(), r->metrics().records_committed.load(),
                  r->metrics().failed_records.load(), r->metrics().commits.load());
      }
    }
  }
  for (auto& t : threads) t.join();
  log::Info("floe replicate stopped");
  return 0;
}

}  // namespace floe::cli
