#pragma once
// Online index creation: a background thread that backfills every index still marked
// backfilling (a global index added by UpdateTable) from its table's items, in bounded
// chunks under the items' key locks, then marks it ACTIVE in the catalog. Writes made while
// the backfill runs maintain the index themselves (items.cc), so nothing is lost; a restart
// resumes from the start of the table, which is safe because existing entries are kept.
// Thread-safe.
#include <atomic>
#include <cstdint>
#include <mutex>

#include "common/periodic.h"
#include "common/status.h"
#include "dynamo/catalog.h"
#include "dynamo/items.h"

namespace floe::dynamo {

class IndexBuilder {
 public:
  static constexpr size_t kChunkItems = 256;

  IndexBuilder(ItemStore* items, Catalog* catalog, int64_t interval_ms);
  void Start() { thread_.Start(); }
  // Interrupts a running backfill between chunks (it resumes after the next start).
  void Stop() {
    stopping_ = true;
    thread_.Stop();
  }
  // Asks for a pass now (after UpdateTable adds an index).
  void Wake() { thread_.Wake(); }
  // Backfills every pending index to the end (unless stopped). Returns the number of indexes
  // activated.
  Result<size_t> RunOnce();

 private:
  ItemStore* items_;
  Catalog* catalog_;
  std::mutex run_mu_;
  std::atomic<bool> stopping_{false};
  PeriodicTask thread_;  // last: stopped first
};

}  // namespace floe::dynamo
