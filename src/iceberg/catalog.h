#pragma once
// The Iceberg catalog: namespaces and tables, each table a pointer to its current metadata
// file. Its state lives in floe's storage (column family meta, keys under "iceberg/"); a
// commit writes a new metadata file and swaps the pointer atomically, only if the pointer
// still names the metadata the commit started from (optimistic concurrency).
// docs/formats/iceberg.md describes the keys.
//
// Thread safety: every method may be called from any thread.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "iceberg/metadata.h"

namespace floe::storage {
class Engine;
}
namespace floe::objstore {
class Store;
}

namespace floe::iceberg {

using Namespace = std::vector<std::string>;

struct TableIdent {
  Namespace ns;
  std::string name;
  std::string ToString() const;  // "a.b.table"
};

struct LoadedTable {
  std::string metadata_location;
  TableMetadata metadata;
};

struct CreateTableRequest {
  std::string name;
  std::optional<std::string> location;  // default: <warehouse>/<ns>/<name>
  Schema schema;
  PartitionSpec spec;
  SortOrder order;
  std::map<std::string, std::string> properties;
  int format_version = 2;
};

class Catalog {
 public:
  // warehouse: the root location of tables without an explicit location ("file:///...").
  Catalog(storage::Engine* engine, objstore::Store* store, std::string warehouse, const Clock* clock);
  ~Catalog();

  objstore::Store* store() const { return store_; }
  const std::string& warehouse() const { return warehouse_; }
  const Clock* clock() const { return clock_; }

  // ---- namespaces. Errors: kNotFound (no such namespace), kResourceInUse (exists / not
  // empty), kInvalidArgument (bad name).
  Status CreateNamespace(const Namespace& ns, const std::map<std::string, std::string>& properties);
  Result<std::map<std::string, std::string>> LoadNamespace(const Namespace& ns);
  // Children of parent (all top-level namespaces for an empty parent).
  Result<std::vector<Namespace>> ListNamespaces(const Namespace& parent);
  Status DropNamespace(const Namespace& ns);
  struct PropertyUpdate {
    std::vector<std::string> updated, removed, missing;
  };
  Result<PropertyUpdate> UpdateNamespaceProperties(const Namespace& ns, const std::vector<std::string>& removals,
                                                   const std::map<std::string, std::string>& updates);

  // ---- tables. Errors: kNotFound (table or namespace), kResourceInUse (exists).
  Result<std::vector<TableIdent>> ListTables(const Namespace& ns);
  Result<LoadedTable> LoadTable(const TableIdent& ident);
  bool TableExists(const TableIdent& ident);
  Result<LoadedTable> CreateTable(const Namespace& ns, CreateTableRequest request);
  // Creates a table from complete metadata (a staged create committed through the REST API).
  Result<LoadedTable> CreateWithMetadata(const TableIdent& ident, TableMetadata metadata);
  // <warehouse>/<namespace levels>/<name>
  std::string DefaultLocation(const TableIdent& ident) const;
  // Table locations must lie inside the warehouse (a client of the REST catalog must not
  // make the server write elsewhere). Errors: kInvalidArgument.
  Status CheckLocation(const std::string& location) const;
  // The table location, every snapshot's manifest list and every metadata-log entry lie
  // inside the warehouse (what the node will read or delete). Errors: kInvalidArgument.
  Status CheckMetadataPaths(const TableMetadata& metadata) const;
  // Deletes a file the table metadata names, only if it lies inside the warehouse (metadata
  // can name any path; a registered or committed one must not make the node delete files
  // elsewhere). Errors: kInvalidArgument (outside: nothing deleted, a warning logged).
  Status DeleteFile(const std::string& location);
  // Registers an existing metadata file inside the warehouse as a table. Errors: kNotFound,
  // the same for a missing file and one outside the warehouse.
  Result<LoadedTable> RegisterTable(const TableIdent& ident, const std::string& metadata_location);
  // purge: also deletes every file the table's metadata reaches and its metadata files.
  Status DropTable(const TableIdent& ident, bool purge);
  Status RenameTable(const TableIdent& from, const TableIdent& to);

  // Writes `updated` as the table's next metadata file and makes it current, if the table's
  // current metadata file is still base_location. Errors: kCommitFailed when another commit
  // came first (nothing changed: reload and retry); kNotFound.
  Result<LoadedTable> Commit(const TableIdent& ident, const std::string& base_location, TableMetadata updated);

  // Test hook: runs before each commit's compare-and-swap (after its metadata file is
  // written), without the catalog lock held.
  void SetBeforeSwapHookForTest(std::function<void()> hook);

 private:
  Result<std::optional<std::string>> Pointer(const TableIdent& ident);
  Status WriteKeys(const std::vector<std::pair<std::string, std::optional<std::string>>>& puts);
  // Appends base_location to the metadata log (trimmed entries go to *trimmed) and writes m.
  Result<std::string> WriteMetadataFile(const std::string& base_location, TableMetadata* m,
                                        std::vector<std::string>* trimmed);
  Status CheckNamespaceExists(const Namespace& ns);

  storage::Engine* engine_;
  objstore::Store* store_;
  std::string warehouse_;
  const Clock* clock_;
  std::mutex mu_;  // serializes compare-and-swap and namespace changes
  std::function<void()> before_swap_hook_;
};

// Namespace and table names: non-empty, at most 1024 bytes, no control characters, no '/' or
// '\\', not "." or "..".
Status ValidateNamespace(const Namespace& ns);
Status ValidateTableName(const std::string& name);

// The files a table's metadata reaches: manifest lists, manifests, and the data and delete
// files live in some snapshot (with include_deleted, also files that manifests list as
// deleted, which may still exist). Errors: reading a manifest list or manifest.
Result<std::vector<std::string>> ReachableFiles(objstore::Store* store, const TableMetadata& m,
                                                bool include_deleted = false);

// The same, incrementally: adds what `snapshots` reach to r->files, skipping manifest lists and
// manifests already there (they are immutable), so each is read at most once.
struct Reachable {
  std::set<std::string> files;
};
Status AddReachable(objstore::Store* store, const std::vector<const Snapshot*>& snapshots, bool include_deleted,
                    Reachable* r);

}  // namespace floe::iceberg
