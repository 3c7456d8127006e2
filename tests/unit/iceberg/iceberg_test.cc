#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "common/clock.h"
#include "common/hex.h"
#include "iceberg/avro.h"
#include "iceberg/catalog.h"
#include "iceberg/compaction.h"
#include "iceberg/data_files.h"
#include "iceberg/maintenance.h"
#include "iceberg/manifest.h"
#include "iceberg/partition.h"
#include "iceberg/puffin.h"
#include "iceberg/table.h"
#include "json/json.h"
#include "objstore/store.h"
#include "parquet/schema_json.h"
#include "storage/engine.h"

namespace floe::iceberg {
namespace {

using parquet::TypeId;
using parquet::Value;

std::string TempDir() {
  char tmpl[] = "/tmp/floe-iceberg-test-XXXXXX";
  char* d = mkdtemp(tmpl);
  EXPECT_NE(d, nullptr);
  return d;
}

// ---- partition transforms: the spec's Appendix B test vectors

TEST(Partition, BucketHashesMatchTheSpec) {
  using parquet::Primitive;
  EXPECT_EQ(BucketHash(Primitive(1, "x", TypeId::kInt), Value::Int(34)), 2017239379);
  EXPECT_EQ(BucketHash(Primitive(1, "x", TypeId::kLong), Value::Int(34)), 2017239379);
  EXPECT_EQ(BucketHash(parquet::Decimal(1, "x", 9, 2), Value::Decimal(1420)), -500754589);
  EXPECT_EQ(BucketHash(Primitive(1, "x", TypeId::kDate), Value::Int(17486)), -653330422);        // 2017-11-16
  EXPECT_EQ(BucketHash(Primitive(1, "x", TypeId::kTime), Value::Int(81068000000)), -662762989);  // 22:31:08
  EXPECT_EQ(BucketHash(Primitive(1, "x", TypeId::kTimestamp), Value::Int(1510871468000000)), -2047944441);
  EXPECT_EQ(BucketHash(Primitive(1, "x", TypeId::kString), Value::Bytes("iceberg")), 1210000089);
  std::string uuid;
  for (unsigned char c : std::string("\xf7\x9c\x3e\x09\x67\x7c\x4b\xbd\xa4\x79\x3f\x34\x9c\xb7\x85\xe7", 16))
    uuid.push_back(static_cast<char>(c));
  EXPECT_EQ(BucketHash(Primitive(1, "x", TypeId::kUuid), Value::Bytes(uuid)), 1488055340);
  EXPECT_EQ(BucketHash(Primitive(1, "x", TypeId::kBinary), Value::Bytes(std::string("\0\1\2\3", 4))), -188683207);
}

TEST(Partition, TransformsFollowTheSpec) {
  using parquet::Primitive;
  auto apply = [](const char* t, const parquet::Field& f, const Value& v) {
    auto tr = Transform::Parse(t);
    EXPECT_TRUE(tr.ok());
    auto r = ApplyTransform(*tr, f, v);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *r;
  };
  auto i = Primitive(1, "i", TypeId::kInt);
  EXPECT_EQ(apply("truncate[10]", i, Value::Int(1)).as_int(), 0);
  EXPECT_EQ(apply("truncate[10]", i, Value::Int(-1)).as_int(), -10);
  EXPECT_EQ(apply("truncate[3]", Primitive(1, "s", TypeId::kString), Value::Bytes("iceberg")).bytes(), "ice");
  EXPECT_EQ(apply("truncate[50]", parquet::Decimal(1, "d", 9, 2), Value::Decimal(1065)).as_decimal(), 1050);
  auto ts = Primitive(1, "t", TypeId::kTimestamp);
  int64_t t = 1510871468000000;  // 2017-11-16T22:31:08
  EXPECT_EQ(apply("year", ts, Value::Int(t)).as_int(), 47);
  EXPECT_EQ(apply("month", ts, Value::Int(t)).as_int(), 47 * 12 + 10);
  EXPECT_EQ(apply("day", ts, Value::Int(t)).as_int(), 17486);
  EXPECT_EQ(apply("hour", ts, Value::Int(t)).as_int(), 17486 * 24 + 22);
  EXPECT_EQ(apply("day", ts, Value::Int(-1)).as_int(), -1);  // floor, not truncation toward zero
  EXPECT_EQ(apply("bucket[16]", i, Value::Int(34)).as_int(), (2017239379 & 0x7FFFFFFF) % 16);
  EXPECT_TRUE(apply("bucket[16]", i, Value::Null()).is_null());
  EXPECT_FALSE(ApplyTransform(*Transform::Parse("hour"), Primitive(1, "d", TypeId::kDate), Value::Int(1)).ok());
  EXPECT_FALSE(Transform::Parse("bucket[0]").ok());
  EXPECT_FALSE(Transform::Parse("bucket[x]").ok());
  EXPECT_EQ(TruncateUpperBound(Primitive(1, "s", TypeId::kString), "abcdefghijklmnopqrstuvwxyz", 16),
            "abcdefghijklmnoq");
  EXPECT_EQ(TruncateUpperBound(Primitive(1, "b", TypeId::kBinary), std::string(20, '\xff'), 16), std::nullopt);
}

// ---- Avro

TEST(Avro, RoundTripsRecordsThroughAnObjectContainerFile) {
  using avro::Node;
  using avro::Type;
  Node rec;
  rec.type = Type::kRecord;
  rec.name = "r";
  auto add = [&](const char* name, int id, Node t) {
    avro::RecordField f;
    f.name = name;
    f.field_id = id;
    f.default_null = t.type == Type::kUnion;
    rec.fields.push_back(f);
    rec.children.push_back(std::move(t));
  };
  add("a", 1, Node::Primitive(Type::kLong));
  add("b", 2, Node::Optional(Node::Primitive(Type::kString)));
  Node arr;
  arr.type = Type::kArray;
  arr.element_id = 4;
  arr.children.push_back(Node::Primitive(Type::kInt));
  add("c", 3, arr);
  avro::FileWriter w(rec, {{"k", "v"}});
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(w.Append(Value::Struct({Value::Int(-i * 1000003LL),
                                        i % 3 ? Value::Bytes("x" + std::to_string(i)) : Value::Null(),
                                        Value::List({Value::Int(i), Value::Int(-i)})}))
                    .ok());
  }
  EXPECT_FALSE(w.Append(Value::Struct({Value::Bytes("wrong")})).ok());
  auto bytes = w.Finish();
  ASSERT_TRUE(bytes.ok());
  auto file = avro::ReadFile(*bytes);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_EQ(file->records.size(), 5000u);
  EXPECT_EQ(*file->Meta("k"), "v");
  EXPECT_EQ(*file->Meta("avro.codec"), "deflate");
  EXPECT_EQ(file->schema.fields[0].field_id, 1);
  EXPECT_EQ(file->schema.children[2].element_id, 4);
  for (int i = 0; i < 5000; i += 997) {
    const Value& r = file->records[i];
    EXPECT_EQ(r.children()[0].as_int(), -i * 1000003LL);
    EXPECT_EQ(r.children()[1].is_null(), i % 3 == 0);
    EXPECT_EQ(r.children()[2].children()[1].as_int(), -i);
  }
  std::string corrupt = *bytes;
  corrupt[corrupt.size() - 3] ^= 0x55;  // the sync marker
  EXPECT_FALSE(avro::ReadFile(corrupt).ok());
  EXPECT_FALSE(avro::ReadFile(bytes->substr(0, bytes->size() / 2)).ok());
}

// ---- a table in a catalog

class TableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir();
    storage::EngineOptions eo;
    eo.path = dir_ + "/db";
    eo.durability = Durability::kAsync;
    auto e = storage::Engine::Open(eo);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(*e);
    store_ = objstore::NewLocalStore(false);
    catalog_ = std::make_unique<Catalog>(engine_.get(), store_.get(), objstore::LocalLocation(dir_ + "/wh"), &clock_);
    ASSERT_TRUE(catalog_->CreateNamespace({"db"}, {{"owner", "test"}}).ok());
  }
  void TearDown() override {
    catalog_.reset();
    engine_.reset();
    std::string cmd = "rm -rf " + dir_;
    ASSERT_EQ(system(cmd.c_str()), 0);
  }

  LoadedTable Create(const std::string& name, const char* partition_json = R"({"fields": []})") {
    CreateTableRequest req;
    req.name = name;
    auto schema_json = json::Parse(R"({"type": "struct", "fields": [
        {"id": 1, "name": "id", "required": true, "type": "long"},
        {"id": 2, "name": "name", "required": false, "type": "string"}]})");
    auto schema = ParseSchema(*schema_json);
    EXPECT_TRUE(schema.ok());
    req.schema = *schema;
    int32_t last = 999;
    auto spec = ParseSpec(*json::Parse(partition_json), &last);
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    req.spec = *spec;
    auto t = catalog_->CreateTable({"db"}, req);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return *t;
  }

  std::vector<DataFile> Write(const TableMetadata& m, int64_t first, int64_t count) {
    auto w = DataWriter::Open(store_.get(), m);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    for (int64_t i = first; i < first + count; ++i) {
      EXPECT_TRUE((*w)->Append(Value::Struct({Value::Int(i), Value::Bytes("n" + std::to_string(i))})).ok());
    }
    auto files = (*w)->Finish();
    EXPECT_TRUE(files.ok());
    return *files;
  }

  // Row ids visible in the current snapshot, by reading the plan (data files' id bounds
  // stand in for a reader here; the e2e tests read the rows with icebird and DuckDB).
  int64_t LiveRecords(const TableIdent& ident) {
    auto t = catalog_->LoadTable(ident);
    EXPECT_TRUE(t.ok());
    auto tasks = PlanScan(store_.get(), t->metadata);
    EXPECT_TRUE(tasks.ok()) << tasks.status().ToString();
    int64_t n = 0;
    for (const auto& task : *tasks) {
      n += task.data.file.record_count;
      for (const auto& d : task.deletes) n -= d.file.record_count;
    }
    return n;
  }

  std::string dir_;
  ManualClock clock_{1700000000000};
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<objstore::Store> store_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(TableTest, AppendsDeletesAndOverwritesKeepSequenceNumbersAndTotals) {
  LoadedTable t = Create("events");
  TableIdent ident{{"db"}, "events"};
  auto files = Write(t.metadata, 0, 100);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].record_count, 100);
  EXPECT_EQ(files[0].lower_bounds[1], std::string("\0\0\0\0\0\0\0\0", 8));
  auto c1 = CommitChange(catalog_.get(), ident, SnapshotChange{.added_data = files});
  ASSERT_TRUE(c1.ok()) << c1.status().ToString();
  EXPECT_EQ(c1->sequence_number, 1);
  EXPECT_EQ(SummaryValue(*c1->table.metadata.CurrentSnapshot(), "total-records"), "100");
  EXPECT_EQ(c1->table.metadata.CurrentSnapshot()->operation(), "append");

  auto more = Write(c1->table.metadata, 100, 50);
  auto c2 = CommitChange(catalog_.get(), ident, SnapshotChange{.added_data = more});
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(c2->sequence_number, 2);
  EXPECT_EQ(LiveRecords(ident), 150);

  // Row delta: delete rows 3 and 7 of the first file.
  auto del =
      WritePositionDeletes(store_.get(), c2->table.metadata, {{files[0].file_path, 7}, {files[0].file_path, 3}}, {}, 0);
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  EXPECT_EQ(del->referenced_data_file, files[0].file_path);
  auto c3 = CommitChange(catalog_.get(), ident,
                         SnapshotChange{.added_deletes = {*del}, .referenced_data_files = {files[0].file_path}});
  ASSERT_TRUE(c3.ok()) << c3.status().ToString();
  EXPECT_EQ(c3->table.metadata.CurrentSnapshot()->operation(), "overwrite");
  EXPECT_EQ(SummaryValue(*c3->table.metadata.CurrentSnapshot(), "total-position-deletes"), "2");
  auto tasks = PlanScan(store_.get(), c3->table.metadata);
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 2u);
  for (const auto& task : *tasks) {
    EXPECT_EQ(task.deletes.size(), task.data.file.file_path == files[0].file_path ? 1u : 0u);
    EXPECT_EQ(task.data.data_sequence_number, task.data.file.file_path == files[0].file_path ? 1 : 2);
  }
  EXPECT_EQ(LiveRecords(ident), 148);

  // Overwrite: replace the first file (and its deletes) with a rewritten one.
  auto rewritten = Write(c3->table.metadata, 0, 98);
  auto c4 = CommitChange(catalog_.get(), ident,
                         SnapshotChange{.operation = "replace",
                                        .added_data = rewritten,
                                        .removed = {files[0].file_path, del->file_path},
                                        .data_sequence_number = 3});
  ASSERT_TRUE(c4.ok()) << c4.status().ToString();
  EXPECT_EQ(LiveRecords(ident), 148);
  EXPECT_EQ(SummaryValue(*c4->table.metadata.CurrentSnapshot(), "total-records"), "148");
  EXPECT_EQ(SummaryValue(*c4->table.metadata.CurrentSnapshot(), "total-delete-files"), "0");
  auto live = LiveFiles(store_.get(), c4->table.metadata);
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->size(), 2u);
  for (const auto& f : *live) {
    EXPECT_EQ(f.data_sequence_number, f.file.file_path == rewritten[0].file_path ? 3 : 2);
    if (f.file.file_path == rewritten[0].file_path) {
      EXPECT_EQ(f.file_sequence_number, 4);
    }
  }
  // Removing a file that is gone is a validation error, not a retry.
  auto again = CommitChange(catalog_.get(), ident, SnapshotChange{.removed = {files[0].file_path}});
  EXPECT_EQ(again.status().code(), StatusCode::kConditionFailed);

  // The metadata on disk is what the catalog returns; the log links the versions.
  auto loaded = catalog_->LoadTable(ident);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->metadata.snapshots.size(), 4u);
  EXPECT_EQ(loaded->metadata.metadata_log.size(), 4u);
  EXPECT_NE(loaded->metadata_location.find("/metadata/00004-"), std::string::npos);
  auto hint = store_->Read(loaded->metadata.location + "/metadata/version-hint.text");
  ASSERT_TRUE(hint.ok());
  EXPECT_NE(loaded->metadata_location.find(*hint + ".metadata.json"), std::string::npos);
}

TEST_F(TableTest, PartitionedWritesRouteRowsAndSummarizeManifests) {
  LoadedTable t = Create("parts", R"({"fields": [{"name": "id_bucket", "transform": "bucket[4]", "source-id": 1}]})");
  EXPECT_EQ(t.metadata.DefaultSpec()->fields[0].field_id, 1000);
  auto files = Write(t.metadata, 0, 1000);
  EXPECT_EQ(files.size(), 4u);
  int64_t rows = 0;
  for (const auto& f : files) {
    rows += f.record_count;
    ASSERT_EQ(f.partition.size(), 1u);
    EXPECT_NE(f.file_path.find("/data/id_bucket=" + std::to_string(f.partition[0].as_int()) + "/"), std::string::npos);
  }
  EXPECT_EQ(rows, 1000);
  auto c = CommitChange(catalog_.get(), {{"db"}, "parts"}, SnapshotChange{.added_data = files});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto list_bytes = store_->Read(c->table.metadata.CurrentSnapshot()->manifest_list);
  ASSERT_TRUE(list_bytes.ok());
  auto list = DecodeManifestList(*list_bytes);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  ASSERT_EQ((*list)[0].partitions.size(), 1u);
  EXPECT_EQ(*(*list)[0].partitions[0].lower_bound, std::string("\0\0\0\0", 4));
  EXPECT_EQ(*(*list)[0].partitions[0].upper_bound, std::string("\3\0\0\0", 4));
  EXPECT_EQ((*list)[0].added_files_count, 4);
}

TEST_F(TableTest, ManifestsMergeOnceThereAreEnough) {
  LoadedTable t = Create("merge");
  TableIdent ident{{"db"}, "merge"};
  std::set<std::string> all;
  for (int i = 0; i < 12; ++i) {
    auto loaded = catalog_->LoadTable(ident);
    ASSERT_TRUE(loaded.ok());
    if (i == 0) {
      // Merge from 5 manifests on.
      TableMetadata m = loaded->metadata;
      m.properties["commit.manifest.min-count-to-merge"] = "5";
      ASSERT_TRUE(catalog_->Commit(ident, loaded->metadata_location, m).ok());
      loaded = catalog_->LoadTable(ident);
    }
    auto files = Write(loaded->metadata, i * 10, 10);
    all.insert(files[0].file_path);
    ASSERT_TRUE(CommitChange(catalog_.get(), ident, SnapshotChange{.added_data = files}).ok());
  }
  auto loaded = catalog_->LoadTable(ident);
  auto list = DecodeManifestList(*store_->Read(loaded->metadata.CurrentSnapshot()->manifest_list));
  ASSERT_TRUE(list.ok());
  EXPECT_LT(list->size(), 5u);
  auto live = LiveFiles(store_.get(), loaded->metadata);
  ASSERT_TRUE(live.ok());
  std::set<std::string> seen;
  for (const auto& f : *live)
    EXPECT_TRUE(seen.insert(f.file.file_path).second) << "counted twice: " << f.file.file_path;
  EXPECT_EQ(seen, all);
  for (const auto& f : *live) EXPECT_GE(f.data_sequence_number, 1);
  EXPECT_EQ(LiveRecords(ident), 120);
}

TEST_F(TableTest, ConcurrentWritersRetryAndLoseNothing) {
  Create("race");
  TableIdent ident{{"db"}, "race"};
  // Deterministic conflict first: the hook lets a second writer commit between the first
  // writer's metadata write and its swap.
  auto base = catalog_->LoadTable(ident);
  auto a = Write(base->metadata, 0, 10);
  auto b = Write(base->metadata, 10, 10);
  std::atomic<bool> once{false};
  catalog_->SetBeforeSwapHookForTest([&] {
    if (once.exchange(true)) return;
    auto r = CommitChange(catalog_.get(), ident, SnapshotChange{.added_data = b});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->attempts, 1);
  });
  auto ra = CommitChange(catalog_.get(), ident, SnapshotChange{.added_data = a}, CommitOptions{.min_wait_ms = 1});
  ASSERT_TRUE(ra.ok()) << ra.status().ToString();
  EXPECT_EQ(ra->attempts, 2);
  catalog_->SetBeforeSwapHookForTest(nullptr);
  EXPECT_EQ(LiveRecords(ident), 20);

  // Then a real race: two threads, 25 appends each.
  std::vector<std::string> written[2];
  std::atomic<int> retries{0};
  auto worker = [&](int w) {
    for (int i = 0; i < 25; ++i) {
      auto t = catalog_->LoadTable(ident);
      auto files = Write(t->metadata, 1000 + w * 100 + i, 1);
      auto r = CommitChange(catalog_.get(), ident, SnapshotChange{.added_data = files},
                            CommitOptions{.max_retries = 100, .min_wait_ms = 1, .max_wait_ms = 5});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      retries += r->attempts - 1;
      written[w].push_back(files[0].file_path);
    }
  };
  std::thread t0(worker, 0), t1(worker, 1);
  t0.join();
  t1.join();
  auto t = catalog_->LoadTable(ident);
  auto live = LiveFiles(store_.get(), t->metadata);
  ASSERT_TRUE(live.ok());
  std::multiset<std::string> paths;
  for (const auto& f : *live) paths.insert(f.file.file_path);
  for (int w = 0; w < 2; ++w) {
    for (const auto& p : written[w]) EXPECT_EQ(paths.count(p), 1u) << p;
  }
  EXPECT_EQ(paths.size(), 52u);
  EXPECT_EQ(t->metadata.snapshots.size(), 52u);
  std::set<int64_t> seqs;
  for (const auto& s : t->metadata.snapshots) seqs.insert(s.sequence_number);
  EXPECT_EQ(seqs.size(), 52u);  // every commit got its own sequence number
  std::cout << "retries in the race: " << retries.load() << "\n";
}

TEST_F(TableTest, CatalogNamespacesAndErrors) {
  EXPECT_EQ(catalog_->CreateNamespace({"db"}, {}).code(), StatusCode::kResourceInUse);
  EXPECT_EQ(catalog_->CreateNamespace({"x", "y"}, {}).code(), StatusCode::kNotFound);
  ASSERT_TRUE(catalog_->CreateNamespace({"db", "inner"}, {}).ok());
  auto top = catalog_->ListNamespaces({});
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(top->size(), 1u);
  auto children = catalog_->ListNamespaces({"db"});
  ASSERT_TRUE(children.ok());
  ASSERT_EQ(children->size(), 1u);
  EXPECT_EQ((*children)[0], (Namespace{"db", "inner"}));
  Create("t1");
  EXPECT_EQ(catalog_->DropNamespace({"db"}).code(), StatusCode::kResourceInUse);
  EXPECT_TRUE(catalog_->RenameTable({{"db"}, "t1"}, {{"db", "inner"}, "t2"}).ok());
  EXPECT_FALSE(catalog_->TableExists({{"db"}, "t1"}));
  EXPECT_TRUE(catalog_->TableExists({{"db", "inner"}, "t2"}));
  auto loaded = catalog_->LoadTable({{"db", "inner"}, "t2"});
  ASSERT_TRUE(loaded.ok());
  auto files = Write(loaded->metadata, 0, 5);
  ASSERT_TRUE(CommitChange(catalog_.get(), {{"db", "inner"}, "t2"}, SnapshotChange{.added_data = files}).ok());
  EXPECT_TRUE(catalog_->DropTable({{"db", "inner"}, "t2"}, true).ok());
  EXPECT_EQ(store_->Read(files[0].file_path).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(catalog_->DropNamespace({"db", "inner"}).ok());
  // Names that would leave or share a directory, and locations outside the warehouse.
  EXPECT_EQ(catalog_->CreateNamespace({".."}, {}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(catalog_->CreateNamespace({"a/b"}, {}).code(), StatusCode::kInvalidArgument);
  CreateTableRequest outside;
  outside.name = "escape";
  outside.location = "file:///tmp/elsewhere";
  outside.schema.fields.fields = {parquet::Primitive(1, "id", TypeId::kLong, true)};
  EXPECT_EQ(catalog_->CreateTable({"db"}, outside).status().code(), StatusCode::kInvalidArgument);
  outside.location = catalog_->warehouse() + "/db/../../escape";
  EXPECT_EQ(catalog_->CreateTable({"db"}, outside).status().code(), StatusCode::kInvalidArgument);
  outside.name = "x/y";
  outside.location.reset();
  EXPECT_EQ(catalog_->CreateTable({"db"}, outside).status().code(), StatusCode::kInvalidArgument);
  auto upd = catalog_->UpdateNamespaceProperties({"db"}, {"owner", "nope"}, {{"a", "1"}});
  ASSERT_TRUE(upd.ok());
  EXPECT_EQ(upd->removed, std::vector<std::string>{"owner"});
  EXPECT_EQ(upd->missing, std::vector<std::string>{"nope"});
}

TEST(Metadata, JsonRoundTripAndEvolution) {
  auto schema = ParseSchema(*json::Parse(R"({"type": "struct", "schema-id": 0, "fields": [
      {"id": 1, "name": "a", "required": true, "type": "int"},
      {"id": 2, "name": "b", "required": false, "type": {"type": "list", "element-id": 3, "element": "float", "element-required": true}}]})"));
  ASSERT_TRUE(schema.ok());
  auto m = NewTableMetadata("file:///tmp/x", *schema, PartitionSpec{}, SortOrder{}, {{"k", "v"}}, 2, 5);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->last_column_id, 3);
  std::string text = MetadataToJson(*m);
  auto back = MetadataFromJson(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(MetadataToJson(*back), text);

  // Widen int -> long, float -> double, rename, add an optional field: allowed.
  Schema evolved = *schema;
  evolved.fields.fields[0].type = TypeId::kLong;
  evolved.fields.fields[0].name = "a2";
  evolved.fields.fields[1].children[0].type = TypeId::kDouble;
  evolved.fields.fields.push_back(parquet::Primitive(4, "c", TypeId::kString));
  auto id = back->AddSchema(evolved);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, 1);
  EXPECT_EQ(back->last_column_id, 4);
  // Narrowing and new required fields are refused.
  Schema bad = evolved;
  bad.fields.fields[0].type = TypeId::kInt;
  ASSERT_TRUE(back->SetCurrentSchema(1).ok());
  EXPECT_FALSE(back->AddSchema(bad).ok());
  bad = evolved;
  bad.fields.fields.push_back(parquet::Primitive(5, "d", TypeId::kString, true));
  EXPECT_FALSE(back->AddSchema(bad).ok());
}

}  // namespace
}  // namespace floe::iceberg

namespace floe::iceberg {
namespace {

class MaintenanceTest : public TableTest {};

std::set<int64_t> Ids(const std::vector<Value>& rows) {
  std::set<int64_t> out;
  for (const auto& r : rows) out.insert(r.children()[0].as_int());
  return out;
}

std::set<int64_t> ReadIds(objstore::Store* store, const TableMetadata& m) {
  std::set<int64_t> ids;
  auto tasks = PlanScan(store, m);
  EXPECT_TRUE(tasks.ok());
  for (const auto& t : *tasks) {
    auto rows = ReadLiveRows(store, t, m.CurrentSchema()->fields);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    for (int64_t id : Ids(*rows)) EXPECT_TRUE(ids.insert(id).second) << "duplicate row " << id;
  }
  return ids;
}

TEST_F(MaintenanceTest, CompactionMergesSmallFilesAndAppliesDeletes) {
  Create("c");
  TableIdent ident{{"db"}, "c"};
  std::set<int64_t> expect;
  std::string first_file;
  for (int i = 0; i < 6; ++i) {
    auto t = catalog_->LoadTable(ident);
    auto files = Write(t->metadata, i * 10, 10);
    if (i == 0) first_file = files[0].file_path;
    for (int k = 0; k < 10; ++k) expect.insert(i * 10 + k);
    ASSERT_TRUE(CommitChange(catalog_.get(), ident, SnapshotChange{.added_data = files}).ok());
  }
  auto t = catalog_->LoadTable(ident);
  auto del = WritePositionDeletes(store_.get(), t->metadata, {{first_file, 0}, {first_file, 9}}, {}, 0);
  ASSERT_TRUE(del.ok());
  ASSERT_TRUE(CommitChange(catalog_.get(), ident,
                           SnapshotChange{.added_deletes = {*del}, .referenced_data_files = {first_file}})
                  .ok());
  expect.erase(0);
  expect.erase(9);
  t = catalog_->LoadTable(ident);
  EXPECT_EQ(ReadIds(store_.get(), t->metadata), expect);

  auto r = Compact(catalog_.get(), ident);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rewritten_data_files, 6);
  EXPECT_EQ(r->added_paths.size(), 1u);
  EXPECT_EQ(r->removed_delete_files, 1);
  EXPECT_EQ(r->dropped_rows, 2);
  t = catalog_->LoadTable(ident);
  EXPECT_EQ(t->metadata.CurrentSnapshot()->operation(), "replace");
  EXPECT_EQ(ReadIds(store_.get(), t->metadata), expect);
  auto live = LiveFiles(store_.get(), t->metadata);
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].data_sequence_number, 7);  // the sequence number the rewrite read
  // Nothing left to do.
  auto again = Compact(catalog_.get(), ident);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->commit.has_value());

  // Expire everything but the current snapshot: the replaced files go, the live ones stay.
  clock_.Advance(1000);
  auto ex =
      ExpireSnapshots(catalog_.get(), ident, ExpireOptions{.older_than_ms = clock_.NowMillis(), .retain_last = 1});
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  EXPECT_EQ(ex->expired_snapshot_ids.size(), 7u);
  EXPECT_EQ(store_->Read(first_file).status().code(), StatusCode::kNotFound);
  t = catalog_->LoadTable(ident);
  EXPECT_EQ(t->metadata.snapshots.size(), 1u);
  EXPECT_EQ(ReadIds(store_.get(), t->metadata), expect);

  // An orphan: a file under the table that no metadata names.
  std::string orphan = t->metadata.location + "/data/stray.parquet";
  ASSERT_TRUE(store_->Write(orphan, "x").ok());
  auto young = RemoveOrphanFiles(catalog_.get(), ident, 0);
  ASSERT_TRUE(young.ok());
  EXPECT_TRUE(young->empty());  // newer than the cutoff: maybe an in-flight commit's
  auto orphans = RemoveOrphanFiles(catalog_.get(), ident, INT64_MAX);
  ASSERT_TRUE(orphans.ok()) << orphans.status().ToString();
  EXPECT_NE(std::find(orphans->begin(), orphans->end(), orphan), orphans->end());
  EXPECT_EQ(ReadIds(store_.get(), t->metadata), expect);  // nothing live was removed
}

TEST_F(MaintenanceTest, RewriteConflictsWithConcurrentDeletesOfItsFiles) {
  Create("rc");
  TableIdent ident{{"db"}, "rc"};
  auto t = catalog_->LoadTable(ident);
  auto files = Write(t->metadata, 0, 10);
  auto c = CommitChange(catalog_.get(), ident, SnapshotChange{.added_data = files});
  ASSERT_TRUE(c.ok());
  int64_t start = c->snapshot_id;
  // A row delta lands after the rewrite read the table...
  auto del = WritePositionDeletes(store_.get(), c->table.metadata, {{files[0].file_path, 3}}, {}, 0);
  ASSERT_TRUE(CommitChange(catalog_.get(), ident,
                           SnapshotChange{.added_deletes = {*del}, .referenced_data_files = {files[0].file_path}})
                  .ok());
  // ...so a rewrite of that file from the earlier snapshot must fail, not resurrect row 3.
  auto rewritten = Write(c->table.metadata, 0, 10);
  auto r = CommitChange(catalog_.get(), ident,
                        SnapshotChange{.operation = "replace",
                                       .added_data = rewritten,
                                       .removed = {files[0].file_path},
                                       .data_sequence_number = 1,
                                       .validate_from_snapshot = start});
  EXPECT_EQ(r.status().code(), StatusCode::kConditionFailed) << r.status().ToString();
}

}  // namespace
}  // namespace floe::iceberg

namespace floe::iceberg {
namespace {

TEST_F(TableTest, CorruptManifestsAreErrorsNotCrashes) {
  Create("corrupt", R"({"fields": [{"name": "id_bucket", "transform": "bucket[4]", "source-id": 1}]})");
  TableIdent ident{{"db"}, "corrupt"};
  auto t = catalog_->LoadTable(ident);
  auto c = CommitChange(catalog_.get(), ident, SnapshotChange{.added_data = Write(t->metadata, 0, 50)});
  ASSERT_TRUE(c.ok());
  std::string list_bytes = *store_->Read(c->table.metadata.CurrentSnapshot()->manifest_list);
  auto list = DecodeManifestList(list_bytes);
  ASSERT_TRUE(list.ok());
  std::string manifest = *store_->Read((*list)[0].manifest_path);
  auto good = DecodeManifest(manifest);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->entries.size(), 4u);
  int errors = 0;
  for (const std::string* bytes : {&manifest, &list_bytes}) {
    for (size_t i = 0; i < bytes->size(); i += 3) {
      std::string bad = *bytes;
      bad[i] = static_cast<char>(bad[i] ^ 0xA5);
      errors += !DecodeManifest(bad).ok();
      errors += !DecodeManifestList(bad).ok();
    }
    for (size_t cut = 0; cut < bytes->size(); cut += 17) {
      errors += !DecodeManifest(bytes->substr(0, cut)).ok();
    }
  }
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace floe::iceberg

namespace floe::iceberg {
namespace {

TEST(DeletionVector, GoldenBytesAndRoundTrips) {
  // Positions {1, 3}: big-endian length 0x24 (magic 4 + bitmap 32), magic, one 32-bit bitmap
  // (count 1, key 0), Roaring without runs (cookie 12346, 1 container: key 0, cardinality-1
  // 1, offset 16), the array container (1, 3), then the big-endian CRC-32 of magic+bitmap.
  std::string blob = EncodeDeletionVector({1, 3});
  std::string body = HexEncode(blob.substr(0, blob.size() - 4));
  EXPECT_EQ(body,
            "00000024"
            "d1d33964"
            "0100000000000000"
            "00000000"
            "3a300000"
            "01000000"
            "0000"
            "0100"
            "10000000"
            "0100"
            "0300");
  auto back = DecodeDeletionVector(blob);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, (std::vector<int64_t>{1, 3}));

  // A bitmap container (more than 4096 values under one key), several keys, positions past 2^32.
  std::vector<int64_t> many;
  for (int64_t i = 0; i < 70000; i += 3) many.push_back(i);
  for (int64_t i = 0; i < 5000; ++i) many.push_back(200000 + i);
  many.push_back((int64_t{5} << 32) + 7);
  back = DecodeDeletionVector(EncodeDeletionVector(many));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, many);

  std::string bad = blob;
  bad[10] ^= 1;
  EXPECT_FALSE(DecodeDeletionVector(bad).ok());  // checksum
  EXPECT_FALSE(DecodeDeletionVector(blob.substr(0, blob.size() - 1)).ok());
}

TEST_F(TableTest, FormatVersion3WritesDeletionVectorsAndCompactsThem) {
  CreateTableRequest req;
  req.name = "v3";
  req.schema.fields.fields = {parquet::Primitive(1, "id", TypeId::kLong, true),
                              parquet::Primitive(2, "name", TypeId::kString)};
  req.format_version = 3;
  auto t = catalog_->CreateTable({"db"}, req);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  TableIdent ident{{"db"}, "v3"};
  auto files = Write(t->metadata, 0, 100);
  auto c = CommitChange(catalog_.get(), ident, SnapshotChange{.added_data = files});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->table.metadata.next_row_id, 100);
  EXPECT_EQ(*c->table.metadata.CurrentSnapshot()->first_row_id, 0);

  auto live = LiveFiles(store_.get(), c->table.metadata);
  auto change = DeleteRowsChange(store_.get(), c->table.metadata, *live, {{files[0].file_path, {5, 6}}});
  ASSERT_TRUE(change.ok()) << change.status().ToString();
  ASSERT_EQ(change->added_deletes.size(), 1u);
  EXPECT_EQ(change->added_deletes[0].file_format, "PUFFIN");
  ASSERT_TRUE(CommitChange(catalog_.get(), ident, *change).ok());

  // A second delete of the same file folds the first vector in and replaces it.
  t = catalog_->LoadTable(ident);
  live = LiveFiles(store_.get(), t->metadata);
  change = DeleteRowsChange(store_.get(), t->metadata, *live, {{files[0].file_path, {7}}});
  ASSERT_TRUE(change.ok());
  EXPECT_EQ(change->removed.size(), 1u);
  auto merged = ReadDeletionVector(store_.get(), change->added_deletes[0]);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(*merged, (std::vector<int64_t>{5, 6, 7}));
  // A concurrent vector for the same file (committed from the same base) is refused.
  auto rival = DeleteRowsChange(store_.get(), t->metadata, *live, {{files[0].file_path, {9}}});
  ASSERT_TRUE(CommitChange(catalog_.get(), ident, *change).ok());
  auto lost = CommitChange(catalog_.get(), ident, *rival);
  EXPECT_EQ(lost.status().code(), StatusCode::kConditionFailed) << lost.status().ToString();

  t = catalog_->LoadTable(ident);
  auto tasks = PlanScan(store_.get(), t->metadata);
  ASSERT_EQ(tasks->size(), 1u);
  ASSERT_EQ((*tasks)[0].deletes.size(), 1u);
  auto rows = ReadLiveRows(store_.get(), (*tasks)[0], t->metadata.CurrentSchema()->fields);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 97u);
  auto r = Compact(catalog_.get(), ident, CompactOptions{.delete_ratio = 0});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->dropped_rows, 3);
  EXPECT_EQ(r->removed_delete_files, 1);
}

}  // namespace
}  // namespace floe::iceberg

namespace floe::iceberg {
namespace {

// Equality delete files written by another engine: planning applies them to older data only,
// and compaction (ReadLiveRows) drops the rows they match.
TEST_F(TableTest, EqualityDeletesFromOtherWritersApplyToOlderData) {
  Create("eq");
  TableIdent ident{{"db"}, "eq"};
  auto t = catalog_->LoadTable(ident);
  auto files = Write(t->metadata, 0, 10);
  ASSERT_TRUE(CommitChange(catalog_.get(), ident, SnapshotChange{.added_data = files}).ok());

  parquet::Schema del_schema;
  del_schema.fields.push_back(parquet::Primitive(1, "id", TypeId::kLong, true));
  parquet::StringSink sink;
  auto w = parquet::Writer::Open(del_schema, &sink, {});
  ASSERT_TRUE(w.ok());
  for (int64_t id : {3, 4}) ASSERT_TRUE((*w)->AppendRow(Value::Struct({Value::Int(id)})).ok());
  auto metrics = (*w)->Close();
  ASSERT_TRUE(metrics.ok());
  std::string path = t->metadata.location + "/data/eq-deletes.parquet";
  ASSERT_TRUE(store_->Write(path, sink.str()).ok());
  DataFile eq = DataFileFromMetrics(del_schema, *metrics, path);
  eq.content = FileContent::kEqualityDeletes;
  eq.equality_ids = {1};
  auto missing_ids = eq;
  missing_ids.equality_ids.clear();
  EXPECT_EQ(CommitChange(catalog_.get(), ident, SnapshotChange{.added_deletes = {missing_ids}}).status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(CommitChange(catalog_.get(), ident, SnapshotChange{.added_deletes = {eq}}).ok());

  // A newer data file with id 3 again: the older delete does not apply to it.
  t = catalog_->LoadTable(ident);
  auto again = Write(t->metadata, 3, 1);
  ASSERT_TRUE(CommitChange(catalog_.get(), ident, SnapshotChange{.added_data = again}).ok());
  t = catalog_->LoadTable(ident);
  auto tasks = PlanScan(store_.get(), t->metadata);
  ASSERT_TRUE(tasks.ok());
  std::multiset<int64_t> ids;
  for (const auto& task : *tasks) {
    EXPECT_EQ(task.deletes.size(), task.data.file.file_path == files[0].file_path ? 1u : 0u);
    auto rows = ReadLiveRows(store_.get(), task, t->metadata.CurrentSchema()->fields);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    for (const auto& r : *rows) ids.insert(r.children()[0].as_int());
  }
  EXPECT_EQ(ids, (std::multiset<int64_t>{0, 1, 2, 3, 5, 6, 7, 8, 9}));
}

}  // namespace
}  // namespace floe::iceberg

namespace floe::iceberg {
namespace {

// User-given warehouse and metadata locations become canonical file: locations, so that
// table locations compare and pass the inside-the-warehouse check however they were spelled.
TEST(ObjectStore, ResolvesLocalLocations) {
  EXPECT_EQ(*objstore::ResolveLocalLocation("file:///a/./b/../c/"), "file:///a/c");
  EXPECT_EQ(*objstore::ResolveLocalLocation("/a//b"), "file:///a/b");
  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof cwd), nullptr);
  EXPECT_EQ(*objstore::ResolveLocalLocation("./lake/warehouse"),
            objstore::LocalLocation(std::string(cwd) + "/lake/warehouse"));
  EXPECT_EQ(objstore::ResolveLocalLocation("s3://bucket/x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(objstore::ResolveLocalLocation("file:relative").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace floe::iceberg
