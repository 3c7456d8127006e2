#pragma once
// Time to live: a background expirer that deletes items whose TTL attribute (a number of
// seconds since the Unix epoch) lies in the past, through the normal mutation path, so that
// the change record says the deletion was TTL's (userIdentity dynamodb.amazonaws.com) and
// streams stay right. As in DynamoDB, expired items stay readable until the expirer reaches
// them; values more than five years in the past are ignored, as are non-number values.
//
// Each pass scans at most kMaxScanPerPass items per table, resuming where the previous pass
// stopped, and deletes what it found expired: bounded work, spread over passes. The clock is
// injected (DESIGN.md convention 8). Thread-safe; one background thread.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "common/periodic.h"
#include "common/status.h"
#include "dynamo/attribute_value.h"
#include "dynamo/catalog.h"
#include "dynamo/items.h"

namespace floe::dynamo {

// Whether item has expired at now_ms under attribute attr.
bool IsExpired(const Item& item, const std::string& attr, int64_t now_ms);

class TtlExpirer {
 public:
  static constexpr size_t kMaxScanPerPass = 20000;

  TtlExpirer(ItemStore* items, Catalog* catalog, const Clock* clock, int64_t interval_ms);
  void Start() { thread_.Start(); }
  void Stop() { thread_.Stop(); }
  // One pass over every TTL-enabled table. Returns the number of items deleted.
  Result<size_t> RunOnce();

 private:
  ItemStore* items_;
  Catalog* catalog_;
  const Clock* clock_;
  std::map<uint32_t, std::string> resume_;  // table id -> first key of the next pass (RunOnce only)
  std::mutex run_mu_;
  PeriodicTask thread_;  // last: stopped first
};

}  // namespace floe::dynamo
