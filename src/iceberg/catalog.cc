#include "iceberg/catalog.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <set>

#include "common/log.h"
#include "common/random.h"
#include "iceberg/manifest.h"
#include "json/json.h"
#include "objstore/store.h"
#include "storage/engine.h"

namespace floe::iceberg {

namespace {

constexpr char kNsPrefix[] = "iceberg/ns/";
constexpr char kTablePrefix[] = "iceberg/table/";
constexpr char kLevelSep = '\x1f';

std::string EncodeNs(const Namespace& ns) {
  std::string out;
  for (size_t i = 0; i < ns.size(); ++i) {
    if (i > 0) out.push_back(kLevelSep);
    out += ns[i];
  }
  return out;
}

Namespace DecodeNs(std::string_view s) {
  Namespace ns;
  size_t start = 0;
  for (;;) {
    size_t sep = s.find(kLevelSep, start);
    ns.emplace_back(s.substr(start, sep == std::string_view::npos ? std::string_view::npos : sep - start));
    if (sep == std::string_view::npos) break;
    start = sep + 1;
  }
  return ns;
}

std::string NsKey(const Namespace& ns) { return kNsPrefix + EncodeNs(ns); }
std::string TableKey(const TableIdent& t) { return kTablePrefix + EncodeNs(t.ns) + std::string(1, '\0') + t.name; }

std::string PropsToJson(const std::map<std::string, std::string>& props) {
  json::Writer w;
  w.StartObject();
  for (const auto& [k, v] : props) {
    w.Key(k);
    w.String(v);
  }
  w.EndObject();
  return w.Take();
}

Result<std::map<std::string, std::string>> PropsFromJson(const std::string& text) {
  ASSIGN_OR_RETURN(json::Value v, json::Parse(text));
  std::map<std::string, std::string> out;
  for (const auto& [k, val] : v.members()) out[k] = val.str();
  return out;
}

Status CheckName(const std::string& s, const char* what) {
  if (s.empty()) return Status::InvalidArgument(std::string(what) + " must not be empty");
  if (s.size() > 1024) return Status::InvalidArgument(std::string(what) + " is longer than 1024 bytes");
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F)
      return Status::InvalidArgument(std::string(what) + " must not contain control characters");
  }
  // Names become directories of the default table location: no separators, no "." or "..",
  // so that no two tables share a directory and none escapes the warehouse.
  if (s.find('/') != std::string::npos || s.find('\\') != std::string::npos || s == "." || s == "..") {
    return Status::InvalidArgument(std::string(what) + " must not contain '/' or '\\' or be \".\" or \"..\"");
  }
  return Status::Ok();
}

// The version number of a metadata file name: "00012-<uuid>.metadata.json" or
// "v12.metadata.json" -> 12; anything else -> 0.
int64_t MetadataVersion(const std::string& location) {
  std::string name = location.substr(location.rfind('/') + 1);
  size_t i = name[0] == 'v' ? 1 : 0;
  int64_t v = 0;
  size_t digits = 0;
  while (i < name.size() && name[i] >= '0' && name[i] <= '9' && digits < 18) {
    v = v * 10 + (name[i++] - '0');
    ++digits;
  }
  return digits > 0 ? v : 0;
}

std::string MetadataDir(const TableMetadata& m) { return m.location + "/metadata/"; }

std::string EncodeNsForMessage(const Namespace& ns) {
  std::string out;
  for (size_t i = 0; i < ns.size(); ++i) out += (i > 0 ? "." : "") + ns[i];
  return out;
}

// metadata/version-hint.text names the current metadata file by its stem
// ("00003-<uuid>"), the form DuckDB's iceberg_scan resolves. Best effort: the catalog
// pointer, not the hint, is the commit.
void WriteVersionHint(objstore::Store* store, const TableMetadata& m, const std::string& file) {
  std::string stem = file.substr(file.rfind('/') + 1);
  stem.resize(stem.size() - strlen(".metadata.json"));
  (void)store->Write(MetadataDir(m) + "version-hint.text", stem);
}

}  // namespace

std::string TableIdent::ToString() const {
  std::string out;
  for (const auto& level : ns) out += level + ".";
  return out + name;
}

Status ValidateNamespace(const Namespace& ns) {
  if (ns.empty()) return Status::InvalidArgument("a namespace needs at least one level");
  for (const auto& level : ns) {
    RETURN_IF_ERROR(CheckName(level, "a namespace level"));
    if (level.find(kLevelSep) != std::string::npos) return Status::InvalidArgument("bad namespace level");
  }
  return Status::Ok();
}

Status ValidateTableName(const std::string& name) { return CheckName(name, "a table name"); }

Catalog::Catalog(storage::Engine* engine, objstore::Store* store, std::string warehouse, const Clock* clock)
    : engine_(engine), store_(store), warehouse_(std::move(warehouse)), clock_(clock) {
  while (!warehouse_.empty() && warehouse_.back() == '/') warehouse_.pop_back();
}

Catalog::~Catalog() = default;

void Catalog::SetBeforeSwapHookForTest(std::function<void()> hook) { before_swap_hook_ = std::move(hook); }

Status Catalog::WriteKeys(const std::vector<std::pair<std::string, std::optional<std::string>>>& puts) {
  storage::WriteBatch batch(engine_);
  for (const auto& [k, v] : puts) {
    if (v) {
      batch.Put(storage::Cf::kMeta, k, *v);
    } else {
      batch.Delete(storage::Cf::kMeta, k);
    }
  }
  uint64_t token = 0;
  RETURN_IF_ERROR(engine_->Write(batch, &token));
  return engine_->WaitDurable(token);
}

Status Catalog::CheckNamespaceExists(const Namespace& ns) {
  std::string v;
  bool found = false;
  RETURN_IF_ERROR(engine_->Get(storage::Cf::kMeta, NsKey(ns), &v, &found));
  if (!found) return Status::NotFound("Namespace does not exist: " + EncodeNsForMessage(ns));
  return Status::Ok();
}

Status Catalog::CreateNamespace(const Namespace& ns, const std::map<std::string, std::string>& properties) {
  RETURN_IF_ERROR(ValidateNamespace(ns));
  std::lock_guard<std::mutex> l(mu_);
  std::string v;
  bool found = false;
  RETURN_IF_ERROR(engine_->Get(storage::Cf::kMeta, NsKey(ns), &v, &found));
  if (found) return Status::ResourceInUse("Namespace already exists: " + EncodeNsForMessage(ns));
  if (ns.size() > 1) {
    Namespace parent(ns.begin(), ns.end() - 1);
    RETURN_IF_ERROR(CheckNamespaceExists(parent));
  }
  return WriteKeys({{NsKey(ns), PropsToJson(properties)}});
}

Result<std::map<std::string, std::string>> Catalog::LoadNamespace(const Namespace& ns) {
  RETURN_IF_ERROR(ValidateNamespace(ns));
  std::string v;
  bool found = false;
  RETURN_IF_ERROR(engine_->Get(storage::Cf::kMeta, NsKey(ns), &v, &found));
  if (!found) return Status::NotFound("Namespace does not exist: " + EncodeNsForMessage(ns));
  return PropsFromJson(v);
}

Result<std::vector<Namespace>> Catalog::ListNamespaces(const Namespace& parent) {
  std::string prefix = kNsPrefix;
  if (!parent.empty()) {
    RETURN_IF_ERROR(CheckNamespaceExists(parent));
    prefix += EncodeNs(parent) + kLevelSep;
  }
  std::vector<Namespace> out;
  auto it = engine_->NewIterator(storage::Cf::kMeta, prefix, storage::PrefixSuccessor(prefix));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    std::string_view rest = it->key().substr(prefix.size());
    if (rest.find(kLevelSep) != std::string_view::npos) continue;  // a grandchild
    out.push_back(DecodeNs(it->key().substr(strlen(kNsPrefix))));
  }
  RETURN_IF_ERROR(it->status());
  return out;
}

Status Catalog::DropNamespace(const Namespace& ns) {
  RETURN_IF_ERROR(ValidateNamespace(ns));
  std::lock_guard<std::mutex> l(mu_);
  RETURN_IF_ERROR(CheckNamespaceExists(ns));
  std::string table_prefix = kTablePrefix + EncodeNs(ns) + std::string(1, '\0');
  auto it = engine_->NewIterator(storage::Cf::kMeta, table_prefix, storage::PrefixSuccessor(table_prefix));
  it->Seek(table_prefix);
  if (it->Valid())
    return Status::ResourceInUse("Namespace is not empty: " + EncodeNsForMessage(ns) + " contains tables");
  std::string child_prefix = NsKey(ns) + kLevelSep;
  auto cit = engine_->NewIterator(storage::Cf::kMeta, child_prefix, storage::PrefixSuccessor(child_prefix));
  cit->Seek(child_prefix);
  if (cit->Valid())
    return Status::ResourceInUse("Namespace is not empty: " + EncodeNsForMessage(ns) + " contains namespaces");
  return WriteKeys({{NsKey(ns), std::nullopt}});
}

Result<Catalog::PropertyUpdate> Catalog::UpdateNamespaceProperties(const Namespace& ns,
                                                                   const std::vector<std::string>& removals,
                                                                   const std::map<std::string, std::string>& updates) {
  for (const auto& r : removals) {
    if (updates.count(r) > 0) return Status::InvalidArgument("Duplicate properties to update and remove: " + r);
  }
  std::lock_guard<std::mutex> l(mu_);
  ASSIGN_OR_RETURN(auto props, LoadNamespace(ns));
  PropertyUpdate result;
  for (const auto& r : removals) {
    if (props.erase(r) > 0) {
      result.removed.push_back(r);
    } else {
      result.missing.push_back(r);
    }
  }
  for (const auto& [k, v] : updates) {
    props[k] = v;
    result.updated.push_back(k);
  }
  RETURN_IF_ERROR(WriteKeys({{NsKey(ns), PropsToJson(props)}}));
  return result;
}

Result<std::vector<TableIdent>> Catalog::ListTables(const Namespace& ns) {
  RETURN_IF_ERROR(ValidateNamespace(ns));
  RETURN_IF_ERROR(CheckNamespaceExists(ns));
  std::string prefix = kTablePrefix + EncodeNs(ns) + std::string(1, '\0');
  std::vector<TableIdent> out;
  auto it = engine_->NewIterator(storage::Cf::kMeta, prefix, storage::PrefixSuccessor(prefix));
  for (it->Seek(prefix); it->Valid(); it->Next())
    out.push_back(TableIdent{ns, std::string(it->key().substr(prefix.size()))});
  RETURN_IF_ERROR(it->status());
  return out;
}

Result<std::optional<std::string>> Catalog::Pointer(const TableIdent& ident) {
  std::string v;
  bool found = false;
  RETURN_IF_ERROR(engine_->Get(storage::Cf::kMeta, TableKey(ident), &v, &found));
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(std::move(v));
}

Result<LoadedTable> Catalog::LoadTable(const TableIdent& ident) {
  RETURN_IF_ERROR(ValidateNamespace(ident.ns));
  RETURN_IF_ERROR(ValidateTableName(ident.name));
  ASSIGN_OR_RETURN(auto location, Pointer(ident));
  if (!location) return Status::NotFound("Table does not exist: " + ident.ToString());
  ASSIGN_OR_RETURN(std::string text, store_->Read(*location));
  ASSIGN_OR_RETURN(TableMetadata m, MetadataFromJson(text));
  return LoadedTable{*location, std::move(m)};
}

bool Catalog::TableExists(const TableIdent& ident) {
  auto p = Pointer(ident);
  return p.ok() && p->has_value();
}

Result<std::string> Catalog::WriteMetadataFile(const std::string& base_location, TableMetadata* m,
                                               std::vector<std::string>* trimmed) {
  int64_t version = base_location.empty() ? 0 : MetadataVersion(base_location) + 1;
  if (!base_location.empty()) {
    m->metadata_log.push_back(LogEntry{clock_->NowMillis(), 0, base_location});
    size_t keep =
        static_cast<size_t>(std::max<int64_t>(0, m->IntProperty("write.metadata.previous-versions-max", 100)));
    if (m->metadata_log.size() > keep) {
      size_t drop = m->metadata_log.size() - keep;
      if (trimmed != nullptr) {
        for (size_t i = 0; i < drop; ++i) trimmed->push_back(m->metadata_log[i].metadata_file);
      }
      m->metadata_log.erase(m->metadata_log.begin(), m->metadata_log.begin() + static_cast<std::ptrdiff_t>(drop));
    }
  }
  m->last_updated_ms = std::max(m->last_updated_ms, clock_->NowMillis());
  char num[32];
  std::snprintf(num, sizeof num, "%05lld", static_cast<long long>(version));
  std::string location = MetadataDir(*m) + num + "-" + NewUuid() + ".metadata.json";
  RETURN_IF_ERROR(store_->Write(location, MetadataToJson(*m), /*exclusive=*/true));
  return location;
}

std::string Catalog::DefaultLocation(const TableIdent& ident) const {
  std::string location = warehouse_;
  for (const auto& level : ident.ns) location += "/" + level;
  return location + "/" + ident.name;
}

Result<LoadedTable> Catalog::CreateTable(const Namespace& ns, CreateTableRequest req) {
  TableIdent ident{ns, req.name};
  RETURN_IF_ERROR(ValidateNamespace(ns));
  RETURN_IF_ERROR(ValidateTableName(req.name));
  std::string location = req.location.value_or("");
  if (location.empty()) location = DefaultLocation(ident);
  ASSIGN_OR_RETURN(TableMetadata m,
                   NewTableMetadata(location, std::move(req.schema), std::move(req.spec), std::move(req.order),
                                    std::move(req.properties), req.format_version, clock_->NowMillis()));
  return CreateWithMetadata(ident, std::move(m));
}

Status Catalog::CheckMetadataPaths(const TableMetadata& m) const {
  RETURN_IF_ERROR(CheckLocation(m.location));
  for (const auto& snap : m.snapshots) {
    if (!snap.manifest_list.empty()) RETURN_IF_ERROR(CheckLocation(snap.manifest_list));
  }
  for (const auto& e : m.metadata_log) RETURN_IF_ERROR(CheckLocation(e.metadata_file));
  return Status::Ok();
}

Status Catalog::CheckLocation(const std::string& location) const {
  if (location.size() <= warehouse_.size() + 1 || location.compare(0, warehouse_.size(), warehouse_) != 0 ||
      location[warehouse_.size()] != '/' || location.find("/../") != std::string::npos ||
      location.find("/./") != std::string::npos ||
      (location.size() >= 3 && location.substr(location.size() - 3) == "/..")) {
    return Status::InvalidArgument("table location " + location + " is not inside the warehouse " + warehouse_);
  }
  return Status::Ok();
}

Result<LoadedTable> Catalog::CreateWithMetadata(const TableIdent& ident, TableMetadata m) {
  RETURN_IF_ERROR(ValidateNamespace(ident.ns));
  RETURN_IF_ERROR(ValidateTableName(ident.name));
  RETURN_IF_ERROR(CheckMetadataPaths(m));
  RETURN_IF_ERROR(CheckNamespaceExists(ident.ns));
  if (TableExists(ident)) return Status::ResourceInUse("Table already exists: " + ident.ToString());
  ASSIGN_OR_RETURN(std::string file, WriteMetadataFile("", &m, nullptr));
  {
    std::lock_guard<std::mutex> l(mu_);
    Status st = CheckNamespaceExists(ident.ns);
    if (st.ok() && TableExists(ident)) st = Status::ResourceInUse("Table already exists: " + ident.ToString());
    if (st.ok()) st = WriteKeys({{TableKey(ident), file}});
    if (!st.ok()) {
      (void)store_->Delete(file);
      return st;
    }
  }
  WriteVersionHint(store_, m, file);
  return LoadedTable{file, std::move(m)};
}

Result<LoadedTable> Catalog::RegisterTable(const TableIdent& ident, const std::string& metadata_location) {
  RETURN_IF_ERROR(ValidateNamespace(ident.ns));
  RETURN_IF_ERROR(ValidateTableName(ident.name));
  // Only files inside the warehouse may be registered (a drop with purge deletes what the
  // metadata names). A forbidden location gets the same answer as a missing file, so the
  // catalog reveals nothing about files outside the warehouse.
  const Status not_found =
      Status::NotFound("Table metadata file does not exist inside the warehouse: " + metadata_location);
  if (!CheckLocation(metadata_location).ok()) return not_found;
  auto text = store_->Read(metadata_location);
  if (!text.ok()) return text.status().code() == StatusCode::kNotFound ? not_found : text.status();
  ASSIGN_OR_RETURN(TableMetadata m, MetadataFromJson(*text));
  RETURN_IF_ERROR(CheckMetadataPaths(m));
  std::lock_guard<std::mutex> l(mu_);
  RETURN_IF_ERROR(CheckNamespaceExists(ident.ns));
  if (TableExists(ident)) return Status::ResourceInUse("Table already exists: " + ident.ToString());
  RETURN_IF_ERROR(WriteKeys({{TableKey(ident), metadata_location}}));
  return LoadedTable{metadata_location, std::move(m)};
}

Status Catalog::DeleteFile(const std::string& location) {
  if (Status st = CheckLocation(location); !st.ok()) {
    log::Warn("iceberg: not deleting {}: it is outside the warehouse {}", location, warehouse_);
    return st;
  }
  return store_->Delete(location);
}

Status Catalog::DropTable(const TableIdent& ident, bool purge) {
  ASSIGN_OR_RETURN(LoadedTable t, LoadTable(ident));
  {
    std::lock_guard<std::mutex> l(mu_);
    ASSIGN_OR_RETURN(auto p, Pointer(ident));
    if (!p) return Status::NotFound("Table does not exist: " + ident.ToString());
    RETURN_IF_ERROR(WriteKeys({{TableKey(ident), std::nullopt}}));
  }
  if (!purge) return Status::Ok();
  // The pointer is gone: the files are unreachable. Delete what the metadata names, then the
  // metadata files themselves.
  auto files = ReachableFiles(store_, t.metadata, /*include_deleted=*/true);
  if (files.ok()) {
    for (const auto& f : *files) (void)DeleteFile(f);
  }
  for (const auto& e : t.metadata.metadata_log) (void)DeleteFile(e.metadata_file);
  (void)DeleteFile(MetadataDir(t.metadata) + "version-hint.text");
  (void)DeleteFile(t.metadata_location);
  return files.ok() ? Status::Ok() : files.status();
}

Status Catalog::RenameTable(const TableIdent& from, const TableIdent& to) {
  RETURN_IF_ERROR(ValidateNamespace(to.ns));
  RETURN_IF_ERROR(ValidateTableName(to.name));
  std::lock_guard<std::mutex> l(mu_);
  ASSIGN_OR_RETURN(auto p, Pointer(from));
  if (!p) return Status::NotFound("Table does not exist: " + from.ToString());
  RETURN_IF_ERROR(CheckNamespaceExists(to.ns));
  ASSIGN_OR_RETURN(auto q, Pointer(to));
  if (q) return Status::ResourceInUse("Table already exists: " + to.ToString());
  return WriteKeys({{TableKey(from), std::nullopt}, {TableKey(to), *p}});
}

Result<LoadedTable> Catalog::Commit(const TableIdent& ident, const std::string& base_location, TableMetadata updated) {
  RETURN_IF_ERROR(CheckMetadataPaths(updated));
  std::vector<std::string> trimmed;
  ASSIGN_OR_RETURN(std::string file, WriteMetadataFile(base_location, &updated, &trimmed));
  if (before_swap_hook_) before_swap_hook_();
  {
    std::lock_guard<std::mutex> l(mu_);
    Status st;
    auto p = Pointer(ident);
    if (!p.ok()) {
      st = p.status();
    } else if (!*p) {
      st = Status::NotFound("Table does not exist: " + ident.ToString());
    } else if (**p != base_location) {
      st = Status::CommitFailed("Commit failed: table " + ident.ToString() + " changed since " + base_location);
    } else {
      st = WriteKeys({{TableKey(ident), file}});
    }
    if (!st.ok()) {
      (void)store_->Delete(file);
      return st;
    }
  }
  WriteVersionHint(store_, updated, file);
  if (updated.Property("write.metadata.delete-after-commit.enabled", "false") == "true") {
    // Metadata files that fell off the log are referenced by nothing any more.
    for (const auto& old : trimmed) (void)DeleteFile(old);
  }
  return LoadedTable{file, std::move(updated)};
}

Status AddReachable(objstore::Store* store, const std::vector<const Snapshot*>& snapshots, bool include_deleted,
                    Reachable* r) {
  for (const Snapshot* s : snapshots) {
    if (s->manifest_list.empty() || !r->files.insert(s->manifest_list).second) continue;
    ASSIGN_OR_RETURN(std::string list_bytes, store->Read(s->manifest_list));
    ASSIGN_OR_RETURN(auto list, DecodeManifestList(list_bytes));
    for (const ManifestFile& mf : list) {
      // Manifests are immutable: one already collected holds nothing new.
      if (!r->files.insert(mf.manifest_path).second) continue;
      ASSIGN_OR_RETURN(std::string bytes, store->Read(mf.manifest_path));
      ASSIGN_OR_RETURN(auto manifest, DecodeManifest(bytes));
      for (const auto& e : manifest.entries) {
        if (include_deleted || e.status != EntryStatus::kDeleted) r->files.insert(e.file.file_path);
      }
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ReachableFiles(objstore::Store* store, const TableMetadata& m, bool include_deleted) {
  std::vector<const Snapshot*> all;
  for (const Snapshot& s : m.snapshots) all.push_back(&s);
  Reachable r;
  RETURN_IF_ERROR(AddReachable(store, all, include_deleted, &r));
  return std::vector<std::string>(r.files.begin(), r.files.end());
}

}  // namespace floe::iceberg
