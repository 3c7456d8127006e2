#pragma once
// The table catalog: table definitions persisted in the meta column family and cached in
// memory. Thread-safe.
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "dynamo/change_log.h"
#include "dynamo/table_schema.h"
#include "storage/engine.h"

namespace floe::dynamo {

class Catalog {
 public:
  Catalog(storage::Engine* engine, Committer* committer, const Clock* clock, std::string region,
          std::string account_id);

  // Loads every table definition and its statistics.
  Status Load();

  // Errors: kNotFound when no such table exists.
  Result<std::shared_ptr<TableRuntime>> Find(std::string_view name) const;

  // Creates a table from proto (name, keys, attribute definitions, billing): assigns id,
  // uuid, ARN and creation time. Errors: kResourceInUse if the name is taken.
  Result<std::shared_ptr<TableRuntime>> Create(TableInfo proto);

  // Applies change to a copy of the definition and persists it. Errors: kNotFound, or what
  // change returns.
  Result<std::shared_ptr<const TableInfo>> Update(std::string_view name,
                                                  const std::function<Status(TableInfo&)>& change);

  // Removes the table, its items and its change records. Returns the runtime as it was.
  // Errors: kNotFound.
  Result<std::shared_ptr<TableRuntime>> Drop(std::string_view name);

  // Table names in ascending order.
  std::vector<std::string> ListNames() const;

  const std::string& region() const { return region_; }
  const std::string& account_id() const { return account_id_; }
  std::string TableArn(const std::string& name) const;

 private:
  storage::Engine* engine_;
  Committer* committer_;
  const Clock* clock_;
  std::string region_;
  std::string account_id_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<TableRuntime>, std::less<>> tables_;
  uint32_t next_table_id_ = 1;
};

}  // namespace floe::dynamo
