#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "storage/engine.h"

namespace floe::storage {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("floe_engine_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<Engine> Open() {
    EngineOptions o;
    o.path = dir_.string();
    auto e = Engine::Open(o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return std::move(e).value();
  }
  std::filesystem::path dir_;
};

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
