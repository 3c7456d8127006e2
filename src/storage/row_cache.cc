#include "storage/row_cache.h"

#include <algorithm>
#include <functional>

namespace floe::storage {

RowCache::RowCache(size_t capacity_bytes)
    : capacity_(capacity_bytes), shard_capacity_(capacity_bytes / kShards), shards_(capacity_bytes > 0 ? kShards : 0) {}

size_t RowCache::ShardOf(std::string_view key) { return std::hash<std::string_view>()(key) % kShards; }

bool RowCache::Lookup(std::string_view key, std::string* value, uint64_t* stamp) {
  if (!enabled()) return false;
  Shard& s = shards_[ShardOf(key)];
  std::lock_guard<std::mutex> l(s.mu);
  auto it = s.index.find(key);
  if (it == s.index.end()) {
    *stamp = s.stamp;
    return false;
  }
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  value->assign(it->second->value);
  return true;
}

void RowCache::Fill(std::string_view key, std::string_view value, uint64_t stamp) {
  if (!enabled()) return;
  Shard& s = shards_[ShardOf(key)];
  std::lock_guard<std::mutex> l(s.mu);
  if (s.stamp != stamp) return;  // a write may have made the value read stale
  Put(s, key, value);
}

RowCache::WriteLock::~WriteLock() {
  if (!cache_) return;
  for (auto it = shards_.rbegin(); it != shards_.rend(); ++it) cache_->shards_[*it].mu.unlock();
}

RowCache::WriteLock RowCache::LockShards(const std::vector<std::string_view>& keys, bool all) {
  WriteLock lock;
  if (!enabled() || (keys.empty() && !all)) return lock;
  lock.cache_ = this;
  if (all) {
    for (size_t i = 0; i < kShards; ++i) lock.shards_.push_back(i);
  } else {
    for (std::string_view k : keys) lock.shards_.push_back(ShardOf(k));
    std::sort(lock.shards_.begin(), lock.shards_.end());
    lock.shards_.erase(std::unique(lock.shards_.begin(), lock.shards_.end()), lock.shards_.end());
  }
  for (size_t i : lock.shards_) {
    shards_[i].mu.lock();
    ++shards_[i].stamp;  // readers that missed before this write must not fill
  }
  return lock;
}

void RowCache::ApplyPut(const WriteLock&, std::string_view key, std::string_view value) {
  if (!enabled()) return;
  Put(shards_[ShardOf(key)], key, value);
}

void RowCache::ApplyDelete(const WriteLock&, std::string_view key) {
  if (!enabled()) return;
  Erase(shards_[ShardOf(key)], key);
}

void RowCache::ApplyClear(const WriteLock&) {
  for (Shard& s : shards_) {
    s.index.clear();
    s.lru.clear();
    s.charged = 0;
  }
}

size_t RowCache::charged_bytes() {
  size_t total = 0;
  for (Shard& s : shards_) {
    std::lock_guard<std::mutex> l(s.mu);
    total += s.charged;
  }
  return total;
}

void RowCache::Put(Shard& s, std::string_view key, std::string_view value) {
  auto it = s.index.find(key);
  if (it != s.index.end()) {
    Entry& e = *it->second;
    if (key.size() + value.size() + kEntryOverhead > shard_capacity_) return Erase(s, key);
    s.charged -= Charge(e);
    e.value.assign(value);
    s.charged += Charge(e);
    s.lru.splice(s.lru.begin(), s.lru, it->second);
  } else {
    const size_t charge = key.size() + value.size() + kEntryOverhead;
    if (charge > shard_capacity_) return;  // would evict everything and still not fit
    s.lru.push_front(Entry{std::string(key), std::string(value)});
    s.index.emplace(s.lru.front().key, s.lru.begin());
    s.charged += charge;
  }
  while (s.charged > shard_capacity_ && !s.lru.empty()) {
    Entry& victim = s.lru.back();
    s.charged -= Charge(victim);
    s.index.erase(victim.key);
    s.lru.pop_back();
  }
}

void RowCache::Erase(Shard& s, std::string_view key) {
  auto it = s.index.find(key);
  if (it == s.index.end()) return;
  s.charged -= Charge(*it->second);
  auto node = it->second;
  s.index.erase(it);
  s.lru.erase(node);
}

}  // namespace floe::storage
