#include "cli/iceberg_tool.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/parquet_tool.h"
#include "common/clock.h"
#include "iceberg/catalog.h"
#include "iceberg/compaction.h"
#include "iceberg/data_files.h"
#include "iceberg/maintenance.h"
#include "iceberg/table.h"
#include "json/json.h"
#include "objstore/store.h"
#include "parquet/schema_json.h"
#include "storage/engine.h"

namespace floe::cli {

namespace {

using iceberg::TableIdent;

constexpr char kUsage[] =
    "usage: floe iceberg COMMAND --catalog DIR [--warehouse DIR|file:///DIR] [options]\n"
    "  create-namespace --namespace a.b\n"
    "  create --table ns.name --schema FILE [--partition-spec FILE] [--sort-order FILE]\n"
    "         [--format-version 2|3] [--property KEY=VALUE]...\n"
    "  append --table ns.name --rows FILE|-        rows: JSON lines (Iceberg single-value JSON)\n"
    "  delete --table ns.name --positions FILE|-   lines: {\"file_path\": ..., \"pos\": N}\n"
    "  compact --table ns.name [--min-input-files N] [--target-file-bytes N] [--delete-ratio R]\n"
    "  expire --table ns.name [--older-than-ms MS] [--retain-last N]\n"
    "  remove-orphans --table ns.name [--older-than-ms MS] [--dry-run]\n"
    "  files --table ns.name                       live data and delete files\n"
    "  plan --table ns.name                        scan tasks and planning time\n"
    "  files|plan --metadata FILE                  the same from a metadata file, no catalog\n"
    "  The catalog lives in DIR (a floe storage directory); tables default to DIR/warehouse.\n"
    "  Each command prints its result as JSON.\n";

struct Args {
  std::string command;
  std::map<std::string, std::string> flags;
  std::vector<std::string> properties;
  bool dry_run = false;
};

Result<Args> Parse(int argc, char** argv) {
  if (argc < 3) return Status::InvalidArgument("missing command");
  Args a;
  a.command = argv[2];
  for (int i = 3; i < argc; ++i) {
    std::string f = argv[i];
    if (f == "--dry-run") {
      a.dry_run = true;
      continue;
    }
    if (f.rfind("--", 0) != 0 || i + 1 >= argc) return Status::InvalidArgument("bad flag " + f);
    std::string v = argv[++i];
    if (f == "--property") {
      a.properties.push_back(v);
    } else {
      a.flags[f.substr(2)] = v;
    }
  }
  return a;
}

Result<json::Value> ReadJson(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadInput(path));
  auto v = json::Parse(text);
  if (!v.ok()) return Status::InvalidArgument(path + ": " + v.status().message());
  return v;
}

Result<iceberg::Namespace> ParseNs(const std::string& s) {
  iceberg::Namespace ns;
  size_t start = 0;
  for (;;) {
    size_t dot = s.find('.', start);
    ns.push_back(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  RETURN_IF_ERROR(iceberg::ValidateNamespace(ns));
  return ns;
}

Result<TableIdent> ParseTable(const Args& a) {
  auto it = a.flags.find("table");
  if (it == a.flags.end()) return Status::InvalidArgument("--table ns.name is required");
  size_t dot = it->second.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == it->second.size()) {
    return Status::InvalidArgument("--table must be namespace.name");
  }
  ASSIGN_OR_RETURN(iceberg::Namespace ns, ParseNs(it->second.substr(0, dot)));
  return TableIdent{ns, it->second.substr(dot + 1)};
}

Result<int64_t> IntFlag(const Args& a, const char* name, int64_t fallback) {
  auto it = a.flags.find(name);
  if (it == a.flags.end()) return fallback;
  char* end = nullptr;
  long long v = std::strtoll(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end != 0) return Status::InvalidArgument(std::string("--") + name + " needs an integer");
  return v;
}

void Files(json::Writer* w, const std::vector<iceberg::DataFile>& files) {
  w->StartArray();
  for (const auto& f : files) w->String(f.file_path);
  w->EndArray();
}

void CommitJson(json::Writer* w, const iceberg::CommitResult& r) {
  w->Key("snapshot-id");
  w->Int64(r.snapshot_id);
  w->Key("sequence-number");
  w->Int64(r.sequence_number);
  w->Key("attempts");
  w->Int64(r.attempts);
  w->Key("metadata-location");
  w->String(r.table.metadata_location);
}

// Reads JSON lines into rows of the schema; errors name the line.
Result<std::vector<parquet::Value>> ReadRows(const std::string& path, const parquet::Schema& schema) {
  ASSIGN_OR_RETURN(std::string text, ReadInput(path));
  std::vector<parquet::Value> rows;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto v = json::Parse(line);
    if (!v.ok()) return Status::InvalidArgument("line " + std::to_string(n) + ": " + v.status().message());
    auto row = parquet::RowFromJson(schema, *v);
    if (!row.ok()) return Status::InvalidArgument("line " + std::to_string(n) + ": " + row.status().message());
    rows.push_back(std::move(*row));
  }
  return rows;
}

Status Plan(const std::string& cmd, objstore::Store* store, const iceberg::LoadedTable& t, json::Writer* w) {
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::vector<iceberg::ScanTask> tasks, iceberg::PlanScan(store, t.metadata));
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  w->StartObject();
  w->Key("metadata-location");
  w->String(t.metadata_location);
  if (cmd == "plan") {
    w->Key("planning-ms");
    w->Double(ms);
  }
  w->Key("tasks");
  w->StartArray();
  for (const auto& task : tasks) {
    w->StartObject();
    w->Key("file");
    w->String(task.data.file.file_path);
    w->Key("records");
    w->Int64(task.data.file.record_count);
    w->Key("data-sequence-number");
    w->Int64(task.data.data_sequence_number);
    w->Key("deletes");
    w->StartArray();
    for (const auto& d : task.deletes) w->String(d.file.file_path);
    w->EndArray();
    w->EndObject();
  }
  w->EndArray();
  w->EndObject();
  return Status::Ok();
}

Status Run(const Args& a, iceberg::Catalog* catalog, json::Writer* w) {
  const std::string& cmd = a.command;
  if (cmd == "create-namespace") {
    auto it = a.flags.find("namespace");
    if (it == a.flags.end()) return Status::InvalidArgument("--namespace is required");
    ASSIGN_OR_RETURN(iceberg::Namespace ns, ParseNs(it->second));
    RETURN_IF_ERROR(catalog->CreateNamespace(ns, {}));
    w->StartObject();
    w->Key("created");
    w->String(it->second);
    w->EndObject();
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(TableIdent ident, ParseTable(a));
  if (cmd == "create") {
    iceberg::CreateTableRequest req;
    req.name = ident.name;
    auto schema_path = a.flags.find("schema");
    if (schema_path == a.flags.end()) return Status::InvalidArgument("--schema is required");
    ASSIGN_OR_RETURN(json::Value schema, ReadJson(schema_path->second));
    ASSIGN_OR_RETURN(req.schema, iceberg::ParseSchema(schema));
    if (auto p = a.flags.find("partition-spec"); p != a.flags.end()) {
      ASSIGN_OR_RETURN(json::Value spec, ReadJson(p->second));
      int32_t last = 999;
      ASSIGN_OR_RETURN(req.spec, iceberg::ParseSpec(spec, &last));
    }
    if (auto p = a.flags.find("sort-order"); p != a.flags.end()) {
      ASSIGN_OR_RETURN(json::Value order, ReadJson(p->second));
      ASSIGN_OR_RETURN(req.order, iceberg::ParseSortOrder(order));
    }
    ASSIGN_OR_RETURN(int64_t fv, IntFlag(a, "format-version", 2));
    req.format_version = static_cast<int>(fv);
    for (const auto& p : a.properties) {
      size_t eq = p.find('=');
      if (eq == std::string::npos || eq == 0) return Status::InvalidArgument("--property needs KEY=VALUE");
      req.properties[p.substr(0, eq)] = p.substr(eq + 1);
    }
    ASSIGN_OR_RETURN(iceberg::LoadedTable t, catalog->CreateTable(ident.ns, std::move(req)));
    w->StartObject();
    w->Key("metadata-location");
    w->String(t.metadata_location);
    w->Key("location");
    w->String(t.metadata.location);
    w->EndObject();
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(iceberg::LoadedTable t, catalog->LoadTable(ident));
  if (cmd == "append") {
    auto rows_path = a.flags.find("rows");
    if (rows_path == a.flags.end()) return Status::InvalidArgument("--rows is required");
    ASSIGN_OR_RETURN(std::vector<parquet::Value> rows, ReadRows(rows_path->second, t.metadata.CurrentSchema()->fields));
    ASSIGN_OR_RETURN(auto writer, iceberg::DataWriter::Open(catalog->store(), t.metadata));
    for (const auto& r : rows) RETURN_IF_ERROR(writer->Append(r));
    ASSIGN_OR_RETURN(std::vector<iceberg::DataFile> files, writer->Finish());
    if (files.empty()) return Status::InvalidArgument("no rows to append");
    iceberg::SnapshotChange change;
    change.added_data = files;
    auto r = iceberg::CommitChange(catalog, ident, change);
    if (!r.ok()) {
      for (const auto& f : files) (void)catalog->store()->Delete(f.file_path);
      return r.status();
    }
    w->StartObject();
    CommitJson(w, *r);
    w->Key("files");
    Files(w, files);
    w->EndObject();
    return Status::Ok();
  }
  if (cmd == "delete") {
    auto pos_path = a.flags.find("positions");
    if (pos_path == a.flags.end()) return Status::InvalidArgument("--positions is required");
    ASSIGN_OR_RETURN(std::string text, ReadInput(pos_path->second));
    ASSIGN_OR_RETURN(std::vector<iceberg::LiveFile> live, iceberg::LiveFiles(catalog->store(), t.metadata));
    std::map<std::string, std::vector<int64_t>> by_file;
    std::istringstream in(text);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto v = json::Parse(line);
      const json::Value* fp = v.ok() ? v->Find("file_path") : nullptr;
      const json::Value* pos = v.ok() ? v->Find("pos") : nullptr;
      int64_t p;
      if (fp == nullptr || !fp->is_string() || pos == nullptr || !pos->AsInt64(&p) || p < 0) {
        return Status::InvalidArgument("line " + std::to_string(n) +
                                       ": needs {\"file_path\": string, \"pos\": non-negative integer}");
      }
      by_file[fp->str()].push_back(p);
    }
    // Position delete files (format version 2) or deletion vectors (3).
    ASSIGN_OR_RETURN(iceberg::SnapshotChange change,
                     iceberg::DeleteRowsChange(catalog->store(), t.metadata, live, std::move(by_file)));
    auto r = iceberg::CommitChange(catalog, ident, change);
    if (!r.ok()) {
      for (const auto& f : change.added_deletes) (void)catalog->store()->Delete(f.file_path);
      return r.status();
    }
    w->StartObject();
    CommitJson(w, *r);
    w->Key("files");
    Files(w, change.added_deletes);
    w->EndObject();
    return Status::Ok();
  }
  if (cmd == "compact") {
    iceberg::CompactOptions o;
    ASSIGN_OR_RETURN(int64_t min_files, IntFlag(a, "min-input-files", o.min_input_files));
    o.min_input_files = static_cast<int>(min_files);
    ASSIGN_OR_RETURN(o.target_file_bytes, IntFlag(a, "target-file-bytes", -1));
    if (auto r = a.flags.find("delete-ratio"); r != a.flags.end()) {
      char* end = nullptr;
      o.delete_ratio = std::strtod(r->second.c_str(), &end);
      if (r->second.empty() || *end != 0 || o.delete_ratio < 0)
        return Status::InvalidArgument("--delete-ratio needs a non-negative number");
    }
    ASSIGN_OR_RETURN(iceberg::CompactResult r, iceberg::Compact(catalog, ident, o));
    w->StartObject();
    w->Key("rewritten-data-files");
    w->Int64(r.rewritten_data_files);
    w->Key("removed-delete-files");
    w->Int64(r.removed_delete_files);
    w->Key("added-data-files");
    w->Int64(static_cast<int64_t>(r.added_paths.size()));
    w->Key("dropped-rows");
    w->Int64(r.dropped_rows);
    if (r.commit) CommitJson(w, *r.commit);
    w->EndObject();
    return Status::Ok();
  }
  if (cmd == "expire") {
    iceberg::ExpireOptions o;
    ASSIGN_OR_RETURN(o.older_than_ms,
                     IntFlag(a, "older-than-ms", SystemClock::Default()->NowMillis() - 5LL * 24 * 3600 * 1000));
    ASSIGN_OR_RETURN(int64_t retain, IntFlag(a, "retain-last", 1));
    o.retain_last = static_cast<int>(retain);
    ASSIGN_OR_RETURN(iceberg::ExpireResult r, iceberg::ExpireSnapshots(catalog, ident, o));
    w->StartObject();
    w->Key("expired-snapshots");
    w->Int64(static_cast<int64_t>(r.expired_snapshot_ids.size()));
    w->Key("deleted-files");
    w->StartArray();
    for (const auto& f : r.deleted_files) w->String(f);
    w->EndArray();
    w->EndObject();
    return Status::Ok();
  }
  if (cmd == "remove-orphans") {
    ASSIGN_OR_RETURN(int64_t older,
                     IntFlag(a, "older-than-ms", SystemClock::Default()->NowMillis() - 3LL * 24 * 3600 * 1000));
    ASSIGN_OR_RETURN(std::vector<std::string> orphans, iceberg::RemoveOrphanFiles(catalog, ident, older, a.dry_run));
    w->StartObject();
    w->Key(a.dry_run ? "orphans" : "removed");
    w->StartArray();
    for (const auto& f : orphans) w->String(f);
    w->EndArray();
    w->EndObject();
    return Status::Ok();
  }
  if (cmd == "files" || cmd == "plan") return Plan(cmd, catalog->store(), t, w);
  return Status::InvalidArgument("unknown command " + cmd);
}

}  // namespace

int IcebergTool(int argc, char** argv) {
  auto args = Parse(argc, argv);
  if (!args.ok()) {
    std::fprintf(stderr, "floe iceberg: %s\n%s", args.status().message().c_str(), kUsage);
    return 2;
  }
  auto dir = args->flags.find("catalog");
  if (args->flags.count("metadata") > 0 && (args->command == "files" || args->command == "plan")) {
    auto store = objstore::NewLocalStore(false);
    iceberg::LoadedTable t;
    json::Writer w;
    Status st = [&]() -> Status {
      ASSIGN_OR_RETURN(t.metadata_location, objstore::ResolveLocalLocation(args->flags["metadata"]));
      ASSIGN_OR_RETURN(std::string text, store->Read(t.metadata_location));
      ASSIGN_OR_RETURN(t.metadata, iceberg::MetadataFromJson(text));
      return Plan(args->command, store.get(), t, &w);
    }();
    if (!st.ok()) {
      std::fprintf(stderr, "floe iceberg %s: %s\n", args->command.c_str(), st.ToString().c_str());
      return 1;
    }
    std::puts(w.Take().c_str());
    return 0;
  }
  if (dir == args->flags.end()) {
    std::fprintf(stderr, "floe iceberg: --catalog DIR is required\n%s", kUsage);
    return 2;
  }
  storage::EngineOptions eo;
  eo.path = dir->second + "/catalog";
  eo.reserved_disk_bytes = 0;  // a one-shot command: no disk-full handling needed
  auto engine = storage::Engine::Open(eo);
  if (!engine.ok()) {
    std::fprintf(stderr, "floe iceberg: cannot open catalog %s: %s\n", dir->second.c_str(),
                 engine.status().ToString().c_str());
    return 1;
  }
  auto warehouse = objstore::ResolveLocalLocation(args->flags.count("warehouse") ? args->flags["warehouse"]
                                                                                 : dir->second + "/warehouse");
  if (!warehouse.ok()) {
    std::fprintf(stderr, "floe iceberg: %s\n", warehouse.status().message().c_str());
    return 2;
  }
  auto store = objstore::NewLocalStore(true);
  iceberg::Catalog catalog(engine->get(), store.get(), *warehouse, SystemClock::Default());
  json::Writer w;
  Status st = Run(*args, &catalog, &w);
  if (!st.ok()) {
    std::fprintf(stderr, "floe iceberg %s: %s\n", args->command.c_str(), st.ToString().c_str());
    return st.code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::puts(w.Take().c_str());
  return 0;
}

}  // namespace floe::cli
