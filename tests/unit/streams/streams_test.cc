#include <gtest/gtest.h>

#include "streams/streams.h"

namespace floe::streams {
namespace {

TEST(SequenceNumber, FormatIsTwentyOneDigits) {
  EXPECT_EQ(FormatSequenceNumber(0), "000000000000000000000");
  EXPECT_EQ(FormatSequenceNumber(42), "000000000000000000042");
  EXPECT_EQ(FormatSequenceNumber(UINT64_MAX), "018446744073709551615");
  // Fixed width: string order is numeric order.
  EXPECT_LT(FormatSequenceNumber(9), FormatSequenceNumber(10));
}

TEST(SequenceNumber, ParseRoundTripsAndRejects) {
  for (uint64_t v : {0ull, 1ull, 123456789ull, 18446744073709551615ull}) {
    auto r = ParseSequenceNumber(FormatSequenceNumber(v));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, v);
  }
  EXPECT_TRUE(ParseSequenceNumber(std::string(40, '0')).ok());
  EXPECT_FALSE(ParseSequenceNumber("123").ok());                    // shorter than 21
  EXPECT_FALSE(ParseSequenceNumber(std::string(41, '0')).ok());     // longer than 40
  EXPECT_FALSE(ParseSequenceNumber("00000000000000000000x").ok());  // not a digit
  EXPECT_FALSE(ParseSequenceNumber("018446744073709551616").ok());  // overflows 64 bits
  EXPECT_EQ(ParseSequenceNumber("abc").status().code(), StatusCode::kInvalidArgument);
}

TEST(ViewType, NamesRoundTrip) {
  for (ViewType v : {ViewType::kKeysOnly, ViewType::kNewImage, ViewType::kOldImage, ViewType::kNewAndOldImages}) {
    EXPECT_EQ(ParseViewType(ViewTypeName(v)), v);
  }
  EXPECT_FALSE(ParseViewType("Fisk").has_value());
}

}  // namespace
}  // namespace floe::streams

// ---- StreamManager on a real engine, with a manual clock ----

#include <algorithm>
#include <filesystem>

#include "dynamo/catalog.h"
#include "dynamo/item_codec.h"
#include "dynamo/items.h"
#include "dynamo/key_codec.h"
#include "dynamo/ttl.h"

namespace floe::streams {
namespace {

class StreamManagerTest : public ::testing::Test {
 protected:
  static constexpr int64_t kT0 = 1763708146123;  // 2025-11-21T06:55:46.123Z

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("floe_streams_test_" + std::to_string(::getpid()) + "_" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    Open();
  }
  void TearDown() override {
    Close();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    storage::EngineOptions o;
    o.path = dir_.string();
    engine_ = std::move(storage::Engine::Open(o)).value();
    hlc_ = std::make_unique<Hlc>(&clock_);
    committer_ = std::make_unique<dynamo::Committer>(engine_.get(), hlc_.get(), "us-east-1");
    catalog_ = std::make_unique<dynamo::Catalog>(engine_.get(), committer_.get(), &clock_, "us-east-1", "000000000000");
    items_ = std::make_unique<dynamo::ItemStore>(engine_.get(), committer_.get());
    StreamOptions so;
    so.shards = 2;
    so.retention_ms = 60'000;
    so.rollover_ms = 10'000;
    so.iterator_lifetime_ms = 5'000;
    streams_ =
        std::make_unique<StreamManager>(engine_.get(), committer_.get(), &clock_, "us-east-1", "000000000000", so);
    catalog_->SetListener(streams_.get());
    ASSERT_TRUE(committer_->Open().ok());
    ASSERT_TRUE(catalog_->Load().ok());
    ASSERT_TRUE(streams_->Load().ok());
  }
  void Close() {
    streams_.reset();
    items_.reset();
    catalog_.reset();
    committer_.reset();
    hlc_.reset();
    engine_.reset();
  }
  std::shared_ptr<dynamo::TableRuntime> CreateTable(const std::string& name, bool stream) {
    dynamo::TableInfo t;
    t.name = name;
    t.hash_key = {"pk", dynamo::AttrType::kS};
    t.attribute_definitions = {t.hash_key};
    t.billing_mode = dynamo::BillingMode::kPayPerRequest;
    t.stream_enabled = stream;
    t.stream_view_type = stream ? "NEW_AND_OLD_IMAGES" : "";
    return std::move(catalog_->Create(t)).value();
  }
  // Puts {pk, attr: value}; attr is "v" (a string) unless given.
  void Put(const std::shared_ptr<dynamo::TableRuntime>& t, const std::string& pk, const std::string& value,
           const std::string& attr = "v", dynamo::AttrType type = dynamo::AttrType::kS) {
    dynamo::Item key;
    key["pk"].type = dynamo::AttrType::kS;
    key["pk"].scalar = pk;
    auto r = items_->Mutate(t, key, [&](const dynamo::Item*, std::optional<dynamo::Item>* next) {
      *next = key;
      (**next)[attr].type = type;
      (**next)[attr].scalar = value;
      return Status::Ok();
    });
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(engine_->WaitDurable(r->durable_token).ok());
  }
  std::string Arn(const std::string& table) { return catalog_->Find(table).value()->info()->latest_stream_arn; }
  // Every record of every shard from TRIM_HORIZON.
  std::vector<StreamRecord> ReadAll(const std::string& arn) {
    std::vector<StreamRecord> out;
    auto d = streams_->DescribeStream(arn, 100, std::nullopt, std::nullopt);
    EXPECT_TRUE(d.ok());
    for (const auto& sh : d->shards) {
      auto it = streams_->GetShardIterator(arn, sh.shard_id, IteratorType::kTrimHorizon, std::nullopt);
      EXPECT_TRUE(it.ok()) << it.status().ToString();
      std::optional<std::string> next = *it;
      while (next) {
        auto page = streams_->GetRecords(*next, 1000);
        EXPECT_TRUE(page.ok()) << page.status().ToString();
        for (auto& r : page->records) out.push_back(std::move(r));
        if (page->records.empty()) break;
        next = page->next_iterator;
      }
    }
    return out;
  }

  ManualClock clock_{kT0};
  std::filesystem::path dir_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<Hlc> hlc_;
  std::unique_ptr<dynamo::Committer> committer_;
  std::unique_ptr<dynamo::Catalog> catalog_;
  std::unique_ptr<dynamo::ItemStore> items_;
  std::unique_ptr<StreamManager> streams_;
};

TEST_F(StreamManagerTest, StreamEntryGoldenJson) {
  CreateTable("golden", true);
  std::string key = "stream/";
  dynamo::PutFixed64BE(1, &key);
  std::string value;
  bool found = false;
  ASSERT_TRUE(engine_->Get(storage::Cf::kMeta, key, &value, &found).ok());
  ASSERT_TRUE(found);
  EXPECT_EQ(
      value,
      R"({"formatVersion":1,"serial":1,"arn":"arn:aws:dynamodb:us-east-1:000000000000:table/golden/stream/)"
      R"(2025-11-21T06:55:46.123","label":"2025-11-21T06:55:46.123","tableName":"golden","tableId":1,)"
      R"("viewType":"NEW_AND_OLD_IMAGES","shards":2,"hashKey":{"name":"pk","type":"S"},"createdMs":1763708146123,)"
      R"("startSequence":1,"open":true,"endSequence":0,"disabledMs":0,)"
      R"("generations":[{"startSequence":1,"startMs":1763708146123}]})");
}

TEST_F(StreamManagerTest, OnlyStreamedTablesLogChanges) {
  auto plain = CreateTable("plain", false);
  auto streamed = CreateTable("streamed", true);
  Put(plain, "a", "1");
  Put(streamed, "a", "1");
  EXPECT_EQ(committer_->last_sequence(), 1u);
  EXPECT_EQ(ReadAll(Arn("streamed")).size(), 1u);
}

TEST_F(StreamManagerTest, ReadChangesHonoursBoundsAndImageSelection) {
  auto t = CreateTable("t", true);
  auto other = CreateTable("other", true);
  for (int i = 0; i < 5; ++i) {
    Put(t, "k", std::to_string(i));  // sequences 1, 3, 5, 7, 9
    Put(other, "k", std::to_string(i));
  }
  auto seqs = [](const std::vector<dynamo::ChangeRecord>& rs) {
    std::vector<uint64_t> out;
    for (const auto& r : rs) out.push_back(r.sequence);
    return out;
  };
  auto all = dynamo::ReadChanges(engine_.get(), t->id, 0, 100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(seqs(*all), (std::vector<uint64_t>{1, 3, 5, 7, 9}));
  EXPECT_EQ(seqs(*dynamo::ReadChanges(engine_.get(), t->id, 1, 100, 7)), (std::vector<uint64_t>{3, 5, 7}));
  EXPECT_EQ(seqs(*dynamo::ReadChanges(engine_.get(), t->id, 1, 2, 9)), (std::vector<uint64_t>{3, 5}));
  EXPECT_TRUE(dynamo::ReadChanges(engine_.get(), t->id, 7, 100, 7)->empty());
  EXPECT_TRUE(dynamo::ReadChanges(engine_.get(), t->id, 9, 100, 5)->empty());
  dynamo::ImageSelection new_only;
  new_only.old_image = false;
  auto modifies = dynamo::ReadChanges(engine_.get(), t->id, 1, 100, UINT64_MAX, new_only);
  ASSERT_TRUE(modifies.ok());
  ASSERT_EQ(modifies->size(), 4u);
  EXPECT_FALSE((*modifies)[0].old_image.has_value());
  EXPECT_EQ((*modifies)[0].new_image->at("v").scalar, "1");
  EXPECT_TRUE((*all)[1].old_image.has_value());
}

TEST_F(StreamManagerTest, SurvivesReopenAndRollsOver) {
  auto t = CreateTable("t", true);
  for (int i = 0; i < 10; ++i) Put(t, "k" + std::to_string(i), "a");
  clock_.Advance(10'000);
  ASSERT_TRUE(streams_->RunMaintenance().ok());
  for (int i = 0; i < 10; ++i) Put(t, "k" + std::to_string(i), "b");
  const std::string arn = Arn("t");
  Close();
  Open();
  auto d = streams_->DescribeStream(arn, 100, std::nullopt, std::nullopt);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->shards.size(), 4u);  // two generations of two shards
  EXPECT_EQ(d->shards[2].parent_shard_id, d->shards[0].shard_id);
  EXPECT_EQ(*d->shards[0].ending_sequence, 10u);
  EXPECT_EQ(d->shards[2].starting_sequence, 11u);
  auto children = streams_->DescribeStream(arn, 100, std::nullopt, d->shards[1].shard_id);
  ASSERT_EQ(children->shards.size(), 1u);
  EXPECT_EQ(children->shards[0].shard_id, d->shards[3].shard_id);
  auto records = ReadAll(arn);
  ASSERT_EQ(records.size(), 20u);
  // Parent shards hold the first round, children the second.
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    const bool first_round = r.change.sequence <= 10;
    EXPECT_EQ(r.change.kind, first_round ? dynamo::ChangeKind::kInsert : dynamo::ChangeKind::kModify);
  }
}

TEST_F(StreamManagerTest, IteratorsExpireAndAreTamperEvident) {
  auto t = CreateTable("t", true);
  Put(t, "a", "1");
  const std::string arn = Arn("t");
  auto d = streams_->DescribeStream(arn, 100, std::nullopt, std::nullopt);
  auto it = streams_->GetShardIterator(arn, d->shards[0].shard_id, IteratorType::kTrimHorizon, std::nullopt);
  ASSERT_TRUE(it.ok());
  std::string tampered = *it;
  tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(streams_->GetRecords(tampered, 10).status().code(), StatusCode::kInvalidArgument);
  clock_.Advance(5'001);
  EXPECT_EQ(streams_->GetRecords(*it, 10).status().code(), StatusCode::kExpired);
}

TEST_F(StreamManagerTest, TrimmingHonoursRetention) {
  auto t = CreateTable("t", true);
  Put(t, "old", "1");
  clock_.Advance(30'000);
  Put(t, "new", "1");
  clock_.Advance(31'000);  // "old" is 61 s old (past the 60 s retention), "new" 31 s
  const std::string arn = Arn("t");
  // Iterators at the start of the stream, taken before the trimming pass.
  auto d = streams_->DescribeStream(arn, 100, std::nullopt, std::nullopt);
  std::vector<std::string> early;
  for (const auto& sh : d->shards) {
    early.push_back(*streams_->GetShardIterator(arn, sh.shard_id, IteratorType::kTrimHorizon, std::nullopt));
  }
  ASSERT_TRUE(streams_->RunMaintenance().ok());
  for (const auto& e : early) EXPECT_EQ(streams_->GetRecords(e, 10).status().code(), StatusCode::kTrimmed);
  auto records = ReadAll(arn);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].change.keys.at("pk").scalar, "new");
  auto at_old = streams_->GetShardIterator(arn, d->shards[0].shard_id, IteratorType::kAtSequence, 1);
  EXPECT_EQ(at_old.status().code(), StatusCode::kTrimmed);
  // The floor survives a restart.
  Close();
  Open();
  EXPECT_EQ(streams_->GetShardIterator(arn, d->shards[0].shard_id, IteratorType::kAtSequence, 1).status().code(),
            StatusCode::kTrimmed);
  EXPECT_EQ(ReadAll(arn).size(), 1u);
}

TEST_F(StreamManagerTest, TtlExpirerWithInjectedClock) {
  auto t = CreateTable("t", true);
  ASSERT_TRUE(catalog_
                  ->Update("t",
                           [](dynamo::TableInfo& i) {
                             i.ttl_enabled = true;
                             i.ttl_attribute = "exp";
                             dynamo::IndexInfo by_exp;  // a global index on the TTL attribute: expiry must clean it too
                             by_exp.name = "by_exp";
                             by_exp.hash_key = {"exp", dynamo::AttrType::kN};
                             i.attribute_definitions.push_back(by_exp.hash_key);
                             i.indexes.push_back(by_exp);
                             return Status::Ok();
                           })
                  .ok());
  const dynamo::IndexInfo* index = t->info()->FindIndex("by_exp");
  ASSERT_NE(index, nullptr);
  const uint32_t index_id = index->id;
  auto index_keys = [&] {
    dynamo::ScanSpec spec;
    spec.index = t->info()->FindIndex("by_exp");
    auto page = items_->Scan(*t, spec);
    EXPECT_TRUE(page.ok());
    std::vector<std::string> keys;
    for (const auto& item : page->items) keys.push_back(item.at("pk").scalar);
    std::sort(keys.begin(), keys.end());
    return keys;
  };
  const int64_t now_s = kT0 / 1000;
  auto put_exp = [&](const std::string& pk, const std::string& exp) { Put(t, pk, exp, "exp", dynamo::AttrType::kN); };
  put_exp("soon", std::to_string(now_s + 60));
  put_exp("later", std::to_string(now_s + 3600));
  put_exp("ancient", std::to_string(now_s - 6LL * 365 * 86400));
  dynamo::TtlExpirer ttl(items_.get(), catalog_.get(), &clock_, 1000);
  auto n = ttl.RunOnce();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);  // nothing has expired yet
  clock_.Advance(61'000);
  n = ttl.RunOnce();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1u);  // "soon"; "ancient" is beyond five years and ignored, as in DynamoDB
  EXPECT_EQ(items_->Stats(*t).item_count, 2);
  EXPECT_EQ(index_keys(), (std::vector<std::string>{"ancient", "later"}));
  EXPECT_EQ(items_->IndexStats(*t, index_id).item_count, 2);
  clock_.Advance(3600'000);
  n = ttl.RunOnce();
  EXPECT_EQ(*n, 1u);  // "later"
  EXPECT_EQ(index_keys(), (std::vector<std::string>{"ancient"}));
  EXPECT_EQ(items_->IndexStats(*t, index_id).item_count, 1);
  std::vector<std::string> removed;
  for (const auto& r : ReadAll(Arn("t"))) {
    if (r.change.kind == dynamo::ChangeKind::kRemove) {
      EXPECT_TRUE(r.change.by_ttl);
      removed.push_back(r.change.keys.at("pk").scalar);
    } else {
      EXPECT_FALSE(r.change.by_ttl);
    }
  }
  std::sort(removed.begin(), removed.end());
  EXPECT_EQ(removed, (std::vector<std::string>{"later", "soon"}));
}

}  // namespace
}  // namespace floe::streams
