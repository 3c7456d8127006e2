#include "dynamo/index_builder.h"

#include "common/log.h"

namespace floe::dynamo {

IndexBuilder::IndexBuilder(ItemStore* items, Catalog* catalog, int64_t interval_ms)
    : items_(items), catalog_(catalog), thread_(interval_ms, [this] {
        Result<size_t> r = RunOnce();
        if (!r.ok()) log::Warn("index backfill: {}", r.status().message());
      }) {}

Result<size_t> IndexBuilder::RunOnce() {
  std::lock_guard<std::mutex> l(run_mu_);
  size_t activated = 0;
  for (const auto& table : catalog_->ListTables()) {
    auto info = table->info();
    for (const auto& index : info->indexes) {
      if (!index.backfilling) continue;
      std::string cursor;
      for (;;) {
        if (stopping_) return activated;
        ASSIGN_OR_RETURN(bool done, items_->BackfillIndex(table, index.id, &cursor, kChunkItems));
        if (done) break;
      }
      const uint32_t table_id = table->id, index_id = index.id;
      Status st = catalog_
                      ->Update(info->name,
                               [&](TableInfo& t) -> Status {
                                 if (t.id != table_id) return Status::NotFound("table was replaced");
                                 for (auto& i : t.indexes) {
                                   if (i.id == index_id) i.backfilling = false;
                                 }
                                 return Status::Ok();
                               })
                      .status();
      if (st.ok()) {
        ++activated;
      } else if (st.code() != StatusCode::kNotFound) {
        return st;
      }
    }
  }
  return activated;
}

}  // namespace floe::dynamo
