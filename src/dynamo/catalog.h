#pragma once
// The table catalog: table definitions persisted in the meta column family and cached in
// memory. Thread-safe.
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "dynamo/change_log.h"
#include "dynamo/table_schema.h"
#include "storage/engine.h"

namespace floe::dynamo {

// Told of every table definition change, inside its commit (the streams module keeps its
// stream definitions in the same batch as the table's).
class TableListener {
 public:
  virtual ~TableListener() = default;
  // Under the commit lock, in the batch that creates (before null), changes, or drops
  // (after null) a table. May amend *after before it is persisted; an error aborts the commit.
  virtual Status OnTableCommit(Committer::Context& ctx, const TableInfo* before, TableInfo* after) = 0;
  // Once that commit has been written (committed) or abandoned.
  virtual void AfterTableCommit(bool committed) = 0;
};

class Catalog {
 public:
  Catalog(storage::Engine* engine, Committer* committer, const Clock* clock, std::string region,
          std::string account_id);

  // Loads every table definition and its statistics.
  Status Load();
  // Set once, before serving.
  void SetListener(TableListener* listener) { listener_ = listener; }

  // Errors: kNotFound when no such table exists.
  Result<std::shared_ptr<TableRuntime>> Find(std::string_view name) const;

  // Creates a table from proto (name, keys, attribute definitions, billing): assigns id,
  // uuid, ARN and creation time. Errors: kResourceInUse if the name is taken.
  Result<std::shared_ptr<TableRuntime>> Create(TableInfo proto);

  // Applies change to a copy of the definition and persists it. Errors: kNotFound, or what
  // change returns.
  Result<std::shared_ptr<const TableInfo>> Update(std::string_view name,
                                                  const std::function<Status(TableInfo&)>& change);

  // Removes the table and its items. Its change records stay until stream retention
  // trims them. Returns the runtime as it was. Errors: kNotFound.
  Result<std::shared_ptr<TableRuntime>> Drop(std::string_view name);

  // Makes writes to the named table (now, or once it exists) append change records even
  // without an enabled stream: a consumer (the Iceberg replicator) reads them. Takes effect
  // under the commit lock, so every write committed after this returns is logged.
  Status RequireChangeLog(const std::string& name);

  // Table names in ascending order.
  std::vector<std::string> ListNames() const;
  // Every live table.
  std::vector<std::shared_ptr<TableRuntime>> ListTables() const;

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
  // Commits a table definition change through the Committer with the listener.
  // Assigns storage ids to a new table and new indexes, removes the entries of dropped
  // indexes, and publishes the new definition under the commit lock.
  Status CommitTableChange(TableRuntime* rt, std::shared_ptr<const TableInfo> before, TableInfo* after);

  bool LogsChanges(const TableInfo& info) const;

  TableListener* listener_ = nullptr;
  std::set<std::string, std::less<>> log_required_;  // guarded by mu_
  std::map<std::string, std::shared_ptr<TableRuntime>, std::less<>> tables_;
  uint32_t next_table_id_ = 1;
};

}  // namespace floe::dynamo
