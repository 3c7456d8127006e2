#include "dynamo/ttl.h"

#include "common/log.h"
#include "dynamo/decimal.h"
#include "dynamo/item_codec.h"
#include "dynamo/key_codec.h"

namespace floe::dynamo {

namespace {
constexpr int64_t kFiveYearsSeconds = 5LL * 365 * 24 * 3600;
}

bool IsExpired(const Item& item, const std::string& attr, int64_t now_ms) {
  auto it = item.find(attr);
  if (it == item.end() || it->second.type != AttrType::kN) return false;
  auto value = Decimal::Parse(it->second.scalar);
  if (!value.ok()) return false;
  const int64_t now_s = now_ms / 1000;
  // expired iff now - 5 years <= value < now  (exact decimal comparisons)
  return value->Compare(Decimal::FromInt64(now_s)) < 0 &&
         value->Compare(Decimal::FromInt64(now_s - kFiveYearsSeconds)) >= 0;
}

TtlExpirer::TtlExpirer(ItemStore* items, Catalog* catalog, const Clock* clock, int64_t interval_ms)
    : items_(items), catalog_(catalog), clock_(clock), thread_(interval_ms, [this] {
        auto r = RunOnce();
        if (!r.ok()) log::Warn("ttl: {}", r.status().ToString());
      }) {}

Result<size_t> TtlExpirer::RunOnce() {
  std::lock_guard<std::mutex> run(run_mu_);
  size_t deleted = 0;
  const auto tables = catalog_->ListTables();
  std::erase_if(resume_, [&](const auto& entry) {  // dropped tables
    for (const auto& t : tables) {
      if (t->id == entry.first) return false;
    }
    return true;
  });
  for (const auto& table : tables) {
    auto info = table->info();
    if (!info->ttl_enabled) {
      resume_.erase(table->id);
      continue;
    }
    const int64_t now = clock_->NowMillis();
    std::vector<Item> expired;
    const std::string end = TablePrefixEnd(table->id);
    std::string& resume = resume_[table->id];
    if (resume.empty()) resume = TablePrefix(table->id);
    auto it = items_->engine()->NewIterator(storage::Cf::kItems, resume, end);
    size_t scanned = 0;
    for (it->SeekToFirst(); it->Valid() && scanned < kMaxScanPerPass; it->Next(), ++scanned) {
      auto stored = DecodeStoredItem(it->value());
      if (!stored.ok()) return stored.status();
      if (stored->header.tombstone || !IsExpired(stored->item, info->ttl_attribute, now)) continue;
      Item key;
      key.emplace(info->hash_key.name, stored->item.at(info->hash_key.name));
      if (info->range_key) key.emplace(info->range_key->name, stored->item.at(info->range_key->name));
      expired.push_back(std::move(key));
    }
    RETURN_IF_ERROR(it->status());
    resume = it->Valid() ? std::string(it->key()) : std::string();  // empty: start over next pass
    uint64_t token = 0;
    for (const Item& key : expired) {
      // Re-checked under the item's lock: a write since the scan may have extended its life.
      auto r = items_->Mutate(
          table, key,
          [&](const Item* current, std::optional<Item>* next) {
            if (current && IsExpired(*current, info->ttl_attribute, clock_->NowMillis())) next->reset();
            return Status::Ok();
          },
          /*by_ttl=*/true);
      if (!r.ok()) {
        if (r.status().code() == StatusCode::kNotFound) break;                // the table was dropped
        if (r.status().code() == StatusCode::kTransactionConflict) continue;  // a later pass retries
        return r.status();
      }
      if (r->old_item && !r->new_item) ++deleted;
      token = std::max(token, r->durable_token);
    }
    RETURN_IF_ERROR(items_->engine()->WaitDurable(token));  // one WAL flush for the pass
  }
  return deleted;
}

}  // namespace floe::dynamo
