#include "storage/row_cache.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <new>

namespace floe::storage {

namespace {

constexpr size_t kNotFound = SIZE_MAX;

}  // namespace

RowCache::RowCache(size_t capacity_bytes)
    : capacity_(capacity_bytes), shard_capacity_(capacity_bytes / kShards), shards_(capacity_bytes > 0 ? kShards : 0) {}

RowCache::~RowCache() {
  for (Shard& s : shards_) Clear(s);
}

uint64_t RowCache::Hash(std::string_view key) { return std::hash<std::string_view>()(key); }

size_t RowCache::ShardOf(std::string_view key) { return Hash(key) % kShards; }

size_t RowCache::Find(const Shard& s, uint64_t hash, std::string_view key) {
  if (s.slots.empty()) return kNotFound;
  const size_t mask = s.slots.size() - 1;
  // The low bits chose the shard; the slot comes from the others.
  for (size_t i = (hash >> 6) & mask;; i = (i + 1) & mask) {
    const Slot& slot = s.slots[i];
    if (slot.entry == nullptr) return kNotFound;
    if (slot.hash == hash && slot.entry->key_size == key.size() &&
        std::memcmp(slot.entry->key(), key.data(), key.size()) == 0) {
      return i;
    }
  }
}

void RowCache::InsertSlot(Shard& s, uint64_t hash, Entry* e) {
  const size_t mask = s.slots.size() - 1;
  size_t i = (hash >> 6) & mask;
  while (s.slots[i].entry != nullptr) i = (i + 1) & mask;
  s.slots[i] = Slot{hash, e};
}

bool RowCache::Lookup(std::string_view key, std::string* value, uint64_t* stamp) {
  if (!enabled()) return false;
  const uint64_t h = Hash(key);
  Shard& s = shards_[h % kShards];
  std::lock_guard<std::mutex> l(s.mu);
  const size_t i = Find(s, h, key);
  if (i == kNotFound) {
    *stamp = s.stamp;
    return false;
  }
  Entry* e = s.slots[i].entry;
  e->referenced = true;
  value->assign(e->value(), e->value_size);
  return true;
}

void RowCache::Fill(std::string_view key, std::string_view value, uint64_t stamp) {
  if (!enabled()) return;
  const uint64_t h = Hash(key);
  Shard& s = shards_[h % kShards];
  std::lock_guard<std::mutex> l(s.mu);
  if (s.stamp != stamp) return;  // a write may have made the value read stale
  Put(s, h, key, value);
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
  const uint64_t h = Hash(key);
  Put(shards_[h % kShards], h, key, value);
}

void RowCache::ApplyDelete(const WriteLock&, std::string_view key) {
  if (!enabled()) return;
  const uint64_t h = Hash(key);
  Shard& s = shards_[h % kShards];
  const size_t i = Find(s, h, key);
  if (i != kNotFound) EraseSlot(s, i);
}

void RowCache::ApplyClear(const WriteLock&) {
  for (Shard& s : shards_) Clear(s);
}

size_t RowCache::charged_bytes() {
  size_t total = 0;
  for (Shard& s : shards_) {
    std::lock_guard<std::mutex> l(s.mu);
    total += s.charged;
  }
  return total;
}

void RowCache::Clear(Shard& s) {
  for (Entry* e : s.ring) ::operator delete(e);
  s.ring.clear();
  s.slots.clear();
  s.hand = 0;
  s.charged = 0;
}

void RowCache::Put(Shard& s, uint64_t hash, std::string_view key, std::string_view value) {
  const size_t charge = Charge(key.size(), value.size());
  size_t i = Find(s, hash, key);
  if (charge > shard_capacity_) {  // would evict everything and still not fit
    if (i != kNotFound) EraseSlot(s, i);
    return;
  }
  if (i != kNotFound && s.slots[i].entry->value_size == value.size()) {
    Entry* e = s.slots[i].entry;  // same size: overwrite in place
    std::memcpy(e->value(), value.data(), value.size());
    e->referenced = true;
  } else {
    Entry* e = static_cast<Entry*>(::operator new(sizeof(Entry) + key.size() + value.size()));
    e->hash = hash;
    e->key_size = static_cast<uint32_t>(key.size());
    e->value_size = static_cast<uint32_t>(value.size());
    e->referenced = true;  // survives the hand's next pass
    std::memcpy(e->key(), key.data(), key.size());
    std::memcpy(e->value(), value.data(), value.size());
    if (i != kNotFound) {  // replace the old entry in its slot and ring position
      Entry* old = s.slots[i].entry;
      e->ring_pos = old->ring_pos;
      s.ring[e->ring_pos] = e;
      s.slots[i].entry = e;
      s.charged -= Charge(old->key_size, old->value_size);
      ::operator delete(old);
    } else {
      if ((s.ring.size() + 1) * 2 > s.slots.size()) {  // keep the table at most half full
        std::vector<Slot> old_slots(std::max<size_t>(16, s.slots.size() * 2));
        old_slots.swap(s.slots);
        for (const Slot& slot : old_slots) {
          if (slot.entry != nullptr) InsertSlot(s, slot.hash, slot.entry);
        }
      }
      InsertSlot(s, hash, e);
      e->ring_pos = static_cast<uint32_t>(s.ring.size());
      s.ring.push_back(e);
    }
    s.charged += charge;
  }
  while (s.charged > shard_capacity_ && !s.ring.empty()) {
    if (s.hand >= s.ring.size()) s.hand = 0;
    Entry* victim = s.ring[s.hand];
    if (victim->referenced) {
      victim->referenced = false;
      ++s.hand;
      continue;
    }
    EraseSlot(s, Find(s, victim->hash, std::string_view(victim->key(), victim->key_size)));
  }
}

void RowCache::EraseSlot(Shard& s, size_t slot) {
  Entry* e = s.slots[slot].entry;
  // Backward-shift deletion keeps every probe sequence unbroken without tombstones.
  const size_t mask = s.slots.size() - 1;
  size_t hole = slot;
  for (size_t j = (slot + 1) & mask; s.slots[j].entry != nullptr; j = (j + 1) & mask) {
    const size_t home = (s.slots[j].hash >> 6) & mask;
    // Move j into the hole unless its home lies cyclically in (hole, j].
    const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (!stays) {
      s.slots[hole] = s.slots[j];
      hole = j;
    }
  }
  s.slots[hole] = Slot{};
  // Swap-remove from the ring; the moved entry is the next the hand considers.
  Entry* last = s.ring.back();
  last->ring_pos = e->ring_pos;
  s.ring[e->ring_pos] = last;
  s.ring.pop_back();
  s.charged -= Charge(e->key_size, e->value_size);
  ::operator delete(e);
}

}  // namespace floe::storage
