#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>

#include "storage/engine.h"
#include "storage/faults.h"
#include "storage/row_cache.h"

namespace floe::storage {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("floe_engine_test_" + std::to_string(::getpid()) + "_" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<Engine> Open(size_t row_cache_bytes = 128 << 20) {
    EngineOptions o;
    o.path = dir_.string();
    o.row_cache_bytes = row_cache_bytes;
    auto e = Engine::Open(o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return std::move(e).value();
  }
  std::filesystem::path dir_;
};

std::string ReadFile(const std::filesystem::path& p) {
  std::string s;
  if (FILE* f = std::fopen(p.c_str(), "rb")) {
    char buf[256];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    std::fclose(f);
  }
  return s;
}

void WriteFile(const std::filesystem::path& p, const std::string& data) {
  FILE* f = std::fopen(p.c_str(), "wb");
  std::fwrite(data.data(), 1, data.size(), f);
  std::fclose(f);
}

// docs/formats/data-directory.md: the MANIFEST check file's bytes, and what it refuses.
TEST_F(EngineTest, FaultsManifestCheckGoldenBytesAndVerdicts) {
  std::filesystem::create_directories(dir_);
  WriteFile(dir_ / "CURRENT", "MANIFEST-000012\n");
  WriteFile(dir_ / "MANIFEST-000012", std::string(40960, 'm'));
  ASSERT_TRUE(RecordManifest(dir_.string()).ok());
  EXPECT_EQ(ReadFile(dir_ / "FLOE-MANIFEST-CHECK"), "MANIFEST-000012 40960\n");
  EXPECT_TRUE(CheckManifest(dir_.string()).ok());
  WriteFile(dir_ / "MANIFEST-000012", std::string(50000, 'm'));  // grew: fine
  EXPECT_TRUE(CheckManifest(dir_.string()).ok());
  std::filesystem::resize_file(dir_ / "MANIFEST-000012", 20480);  // cut
  Status cut = CheckManifest(dir_.string());
  EXPECT_EQ(cut.code(), StatusCode::kCorruption);
  EXPECT_NE(cut.message().find("MANIFEST-000012 is 20480 bytes, shorter than the 40960"), std::string::npos)
      << cut.message();
  WriteFile(dir_ / "CURRENT", "MANIFEST-000009\n");  // an older MANIFEST
  EXPECT_EQ(CheckManifest(dir_.string()).code(), StatusCode::kCorruption);
  WriteFile(dir_ / "CURRENT", "MANIFEST-000015\n");  // rolled over
  EXPECT_TRUE(CheckManifest(dir_.string()).ok());
  std::filesystem::remove(dir_ / "CURRENT");
  EXPECT_EQ(CheckManifest(dir_.string()).code(), StatusCode::kCorruption);
  std::filesystem::remove(dir_ / "FLOE-MANIFEST-CHECK");  // nothing recorded: not an error
  EXPECT_TRUE(CheckManifest(dir_.string()).ok());
  EXPECT_TRUE(HoldsDatabase(dir_.string()));  // a MANIFEST is there
}

// A directory with database files but no CURRENT is never opened as a new, empty database.
TEST_F(EngineTest, FaultsNoNewDatabaseOverAnOldOne) {
  {
    auto e = Open();
    WriteBatch b(e.get());
    b.Put(Cf::kItems, "k", "v");
    uint64_t token = 0;
    ASSERT_TRUE(e->Write(b, &token).ok());
    ASSERT_TRUE(e->WaitDurable(token).ok());
  }
  std::filesystem::remove(dir_ / "CURRENT");
  EngineOptions o;
  o.path = dir_.string();
  for (int i = 0; i < 2; ++i) {
    auto e = Engine::Open(o);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(std::filesystem::exists(dir_ / "CURRENT"), false);
  }
}

TEST_F(EngineTest, WriteReadIterateAndReopen) {
  {
    auto e = Open();
    WriteBatch b(e.get());
    b.Put(Cf::kItems, "k1", "v1");
    b.Put(Cf::kItems, "k2", "v2");
    b.Put(Cf::kMeta, "k1", "meta");
    uint64_t token;
    ASSERT_TRUE(e->Write(b, &token).ok());
    ASSERT_TRUE(e->WaitDurable(token).ok());
    std::string v;
    bool found;
    ASSERT_TRUE(e->Get(Cf::kItems, "k1", &v, &found).ok());
    EXPECT_TRUE(found);
    EXPECT_EQ(v, "v1");
    ASSERT_TRUE(e->Get(Cf::kItems, "nope", &v, &found).ok());
    EXPECT_FALSE(found);
    auto it = e->NewIterator(Cf::kItems, "k", "l");
    int n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    EXPECT_EQ(n, 2);
    WriteBatch d(e.get());
    d.DeleteRange(Cf::kItems, "k2", "k3");
    ASSERT_TRUE(e->Write(d, &token).ok());
    ASSERT_TRUE(e->WaitDurable(token).ok());
  }
  auto e = Open();
  std::string v;
  bool found;
  ASSERT_TRUE(e->Get(Cf::kItems, "k1", &v, &found).ok());
  EXPECT_TRUE(found);
  ASSERT_TRUE(e->Get(Cf::kItems, "k2", &v, &found).ok());
  EXPECT_FALSE(found);
  ASSERT_TRUE(e->Get(Cf::kMeta, "k1", &v, &found).ok());
  EXPECT_EQ(v, "meta");
}

// Obsolete files go through a paced trash (engine.cc); a crash can leave *.trash files
// behind, and opening the store deletes them (RocksDB does, with or without the pacing).
TEST_F(EngineTest, OpenDeletesTrashACrashLeftBehind) {
  { auto e = Open(); }
  const auto trash = dir_ / "000999.sst.trash";
  {
    std::FILE* f = std::fopen(trash.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::string mb(1 << 20, 'x');
    for (int i = 0; i < 3; ++i) ASSERT_EQ(std::fwrite(mb.data(), 1, mb.size(), f), mb.size());
    std::fclose(f);
  }
  auto e = Open();
  for (int i = 0; i < 200 && std::filesystem::exists(trash); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_FALSE(std::filesystem::exists(trash));
}

TEST_F(EngineTest, GroupCommitCompletesEveryWaiter) {
  auto e = Open();
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        WriteBatch b(e.get());
        b.Put(Cf::kItems, "t" + std::to_string(t) + "_" + std::to_string(i), "x");
        uint64_t token;
        ASSERT_TRUE(e->Write(b, &token).ok());
        ASSERT_TRUE(e->WaitDurable(token).ok());
        ++done;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(done.load(), 1600);
}

std::string GetOr(Engine* e, std::string_view key, const Snapshot* snap = nullptr) {
  std::string v;
  bool found = false;
  EXPECT_TRUE(e->Get(Cf::kItems, key, &v, &found, snap).ok());
  return found ? v : "<none>";
}

void Commit(Engine* e, WriteBatch& b) {
  uint64_t token;
  ASSERT_TRUE(e->Write(b, &token).ok());
  ASSERT_TRUE(e->WaitDurable(token).ok());
}

// Every read goes through the row cache twice (fill, then hit): it must always agree with
// the database, across puts, deletes, range deletes, batch order and snapshots.
TEST_F(EngineTest, RowCacheFollowsEveryWrite) {
  auto e = Open();
  WriteBatch b(e.get());
  b.Put(Cf::kItems, "a1", "v1");
  b.Put(Cf::kItems, "a2", "v2");
  b.Put(Cf::kItems, "b1", "w1");
  Commit(e.get(), b);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(GetOr(e.get(), "a1"), "v1");
    EXPECT_EQ(GetOr(e.get(), "b1"), "w1");
  }
  auto snap = e->GetSnapshot();
  WriteBatch u(e.get());
  u.Put(Cf::kItems, "a1", "v1b");
  u.Delete(Cf::kItems, "a2");
  Commit(e.get(), u);
  EXPECT_EQ(GetOr(e.get(), "a1"), "v1b");
  EXPECT_EQ(GetOr(e.get(), "a2"), "<none>");
  EXPECT_EQ(GetOr(e.get(), "a1", snap.get()), "v1");  // snapshots bypass the cache
  EXPECT_EQ(GetOr(e.get(), "a2", snap.get()), "v2");

  // In one batch, a range delete after a put of a key in the range removes it; a put after
  // the range delete survives it; keys outside the range are untouched.
  WriteBatch r(e.get());
  r.Put(Cf::kItems, "a1", "gone");
  r.DeleteRange(Cf::kItems, "a", "b");
  r.Put(Cf::kItems, "a3", "kept");
  Commit(e.get(), r);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(GetOr(e.get(), "a1"), "<none>");
    EXPECT_EQ(GetOr(e.get(), "a3"), "kept");
    EXPECT_EQ(GetOr(e.get(), "b1"), "w1");
  }
  // Other column families are not cached.
  WriteBatch m(e.get());
  m.Put(Cf::kMeta, "a3", "meta");
  Commit(e.get(), m);
  EXPECT_EQ(GetOr(e.get(), "a3"), "kept");
}

// Writers bump per-key counters while readers read: with a cache far smaller than the data,
// entries are evicted and refilled all the time, and a read that races a write must never
// put an older value back (each reader sees every key's counter never go down).
TEST_F(EngineTest, RowCacheNeverGoesBackInTime) {
  auto e = Open(/*row_cache_bytes=*/64 * 1024);
  constexpr int kKeys = 200;
  auto key = [](int i) { return "k" + std::to_string(i); };
  auto value = [](int n) {
    std::string v = std::to_string(n);
    return std::string(10 - v.size(), '0') + v + std::string(200, 'x');
  };
  for (int i = 0; i < kKeys; ++i) {
    WriteBatch b(e.get());
    b.Put(Cf::kItems, key(i), value(0));
    Commit(e.get(), b);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> violations{0};
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    for (int n = 1; n <= 300; ++n) {
      for (int i = 0; i < kKeys; i += 7) {
        WriteBatch b(e.get());
        b.Put(Cf::kItems, key(i), value(n));
        uint64_t token;
        ASSERT_TRUE(e->Write(b, &token).ok());
      }
    }
    stop = true;
  });
  for (int r = 0; r < 3; ++r) {
    threads.emplace_back([&, r] {
      std::vector<std::string> last(kKeys, value(0));
      uint64_t x = r + 1;
      while (!stop) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        int i = static_cast<int>((x >> 33) % kKeys);
        std::string v = GetOr(e.get(), key(i));
        if (v.substr(0, 10) < last[i].substr(0, 10)) ++violations;
        last[i] = v;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(violations.load(), 0);
  for (int i = 0; i < kKeys; ++i) {
    EXPECT_EQ(GetOr(e.get(), key(i)), value(i % 7 == 0 ? 300 : 0)) << i;
  }
}

TEST(RowCache, EvictsLeastRecentlyUsedWithinCapacity) {
  const size_t capacity = RowCache::kShards * 4096;
  RowCache c(capacity);
  const std::string v(1000, 'v');
  for (int i = 0; i < 5000; ++i) {
    auto lock = c.LockShards({"key" + std::to_string(i)}, false);
    c.ApplyPut(lock, "key" + std::to_string(i), v);
  }
  EXPECT_LE(c.charged_bytes(), capacity);
  EXPECT_GT(c.charged_bytes(), capacity / 2);
  std::string out;
  uint64_t stamp;
  EXPECT_TRUE(c.Lookup("key4999", &out, &stamp));  // the newest stays
  EXPECT_EQ(out, v);
  EXPECT_FALSE(c.Lookup("key0", &out, &stamp));  // the oldest went
  // A value larger than a shard is not cached, and replaces (forgets) an older one.
  {
    auto lock = c.LockShards({"key4999"}, false);
    c.ApplyPut(lock, "key4999", std::string(8192, 'b'));
  }
  EXPECT_FALSE(c.Lookup("key4999", &out, &stamp));
}

// Random puts (of changing sizes), deletes and fills against a model: a hit always returns
// the key's latest value, a deleted key never hits, and the charge stays within capacity and
// equals what the cached keys cost. Exercises probing, backward-shift deletion, table growth,
// in-place and reallocating overwrites, and CLOCK eviction.
TEST(RowCache, RandomOperationsAgreeWithAModel) {
  const size_t capacity = RowCache::kShards * 8192;
  RowCache c(capacity);
  std::map<std::string, std::string> model;  // the database
  std::mt19937 rng(7);
  auto key = [](int i) { return "k" + std::to_string(i); };
  for (int step = 0; step < 200000; ++step) {
    const std::string k = key(static_cast<int>(rng() % 3000));
    const int op = static_cast<int>(rng() % 10);
    std::string out;
    uint64_t stamp = 0;
    if (op < 4) {
      const std::string v(rng() % 3 == 0 ? 10 + rng() % 2000 : 100, static_cast<char>('a' + step % 26));
      auto lock = c.LockShards({k}, false);
      model[k] = v;
      c.ApplyPut(lock, k, v);
    } else if (op < 5) {
      auto lock = c.LockShards({k}, false);
      model.erase(k);
      c.ApplyDelete(lock, k);
    } else if (c.Lookup(k, &out, &stamp)) {
      ASSERT_TRUE(model.count(k)) << k << " hit after its delete";
      ASSERT_EQ(out, model[k]) << k;
    } else if (model.count(k)) {
      c.Fill(k, model[k], stamp);  // a read-through, as Engine::Get does
    }
  }
  size_t cost = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string out;
    uint64_t stamp = 0;
    if (!c.Lookup(key(i), &out, &stamp)) continue;
    ASSERT_EQ(out, model.at(key(i)));
    cost += key(i).size() + out.size() + RowCache::kEntryOverhead;
  }
  EXPECT_EQ(c.charged_bytes(), cost);
  EXPECT_LE(cost, capacity);
  EXPECT_GT(cost, capacity / 2);
  auto all = c.LockShards({}, true);
  c.ApplyClear(all);
}

TEST(RowCache, FillAfterAWriteToTheShardIsDropped) {
  RowCache c(1 << 20);
  std::string out;
  uint64_t stamp = 0;
  ASSERT_FALSE(c.Lookup("k", &out, &stamp));
  {
    auto lock = c.LockShards({"k"}, false);
    c.ApplyPut(lock, "k", "new");
  }
  c.Fill("k", "old", stamp);  // read from the database before the write: stale
  ASSERT_TRUE(c.Lookup("k", &out, &stamp));
  EXPECT_EQ(out, "new");
  {
    auto lock = c.LockShards({"k"}, false);
    c.ApplyDelete(lock, "k");
  }
  ASSERT_FALSE(c.Lookup("k", &out, &stamp));
  c.Fill("k", "again", stamp);  // no write since: kept
  ASSERT_TRUE(c.Lookup("k", &out, &stamp));
  EXPECT_EQ(out, "again");
  RowCache off(0);
  EXPECT_FALSE(off.enabled());
  off.Fill("k", "v", 0);
  EXPECT_FALSE(off.Lookup("k", &out, &stamp));
}

TEST(KeyLocks, LockManyDeduplicatesStripes) {
  KeyLocks locks;
  {
    auto g = locks.LockMany({1, 1 + KeyLocks::kStripes, 2});  // same stripe twice: no self-deadlock
  }
  auto g2 = locks.Lock(1);  // released above
}

TEST(KeyLocks, PlainWritesMeetTransactionsAsConflicts) {
  using std::chrono::microseconds;
  KeyLocks locks;
  {
    // A transaction holds stripe 7: a plain writer gives up after its grace period.
    KeyLocks::Guard tx;
    std::vector<bool> busy;
    ASSERT_TRUE(locks.TryLockMany({7}, &tx, &busy, /*transactional=*/true));
    KeyLocks::Guard plain;
    EXPECT_FALSE(locks.LockUnlessTransaction(7, microseconds(200), &plain));
    // Another stripe is free.
    KeyLocks::Guard other;
    EXPECT_TRUE(locks.LockUnlessTransaction(8, microseconds(200), &other));
  }
  {
    // Once the transaction is gone the stripe is plain again.
    KeyLocks::Guard plain;
    EXPECT_TRUE(locks.LockUnlessTransaction(7, microseconds(0), &plain));
  }
  // A plain holder is waited for, however long it takes.
  auto held = std::make_unique<KeyLocks::Guard>(locks.Lock(9));
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    held.reset();
  });
  KeyLocks::Guard waited;
  EXPECT_TRUE(locks.LockUnlessTransaction(9, microseconds(0), &waited));
  releaser.join();
}

}  // namespace
}  // namespace floe::storage
