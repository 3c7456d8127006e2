// Iceberg commit benchmark on a local directory, through floe's catalog (RocksDB, sync
// durability) and durable object store (files fsynced before each commit returns).
//
//  1. commit latency: COMMITS appends of one data file each (a 1-row Parquet file written
//     before the timer starts); p50, p99 and max of the commit alone.
//  2. scan planning after those commits, on two tables that differ only in manifest merging
//     (commit.manifest-merge.enabled true, the default, and false): median of 5 PlanScan
//     calls on the final snapshot, with the number of manifests it reads.
// Snapshots are expired every EXPIRE_EVERY commits (keeping the last 100), as a table under
// maintenance is; planning reads only the current snapshot either way.
//
// usage: iceberg_bench DIR [COMMITS] [EXPIRE_EVERY]
// Prints one JSON object per table.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/clock.h"
#include "iceberg/catalog.h"
#include "iceberg/data_files.h"
#include "iceberg/maintenance.h"
#include "iceberg/manifest.h"
#include "iceberg/table.h"
#include "json/json.h"
#include "objstore/store.h"
#include "storage/engine.h"

using namespace floe;
using namespace floe::iceberg;

namespace {

double Ms(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

void Die(const Status& st, const char* what) {
  std::fprintf(stderr, "iceberg_bench: %s: %s\n", what, st.ToString().c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: iceberg_bench DIR [COMMITS] [EXPIRE_EVERY]\n");
    return 2;
  }
  std::string dir = argv[1];
  int commits = argc > 2 ? std::atoi(argv[2]) : 10000;
  int expire_every = argc > 3 ? std::atoi(argv[3]) : 500;
  storage::EngineOptions eo;
  eo.path = dir + "/catalog";
  auto engine = storage::Engine::Open(eo);
  if (!engine.ok()) Die(engine.status(), "open");
  auto store = objstore::NewLocalStore(true);
  Catalog catalog(engine->get(), store.get(), objstore::LocalLocation(dir + "/warehouse"), SystemClock::Default());
  if (Status st = catalog.CreateNamespace({"bench"}, {}); !st.ok()) Die(st, "namespace");

  for (bool merge : {true, false}) {
    std::string name = merge ? "merged" : "unmerged";
    CreateTableRequest req;
    req.name = name;
    req.schema.fields.fields = {parquet::Primitive(1, "id", parquet::TypeId::kLong, true),
                                parquet::Primitive(2, "payload", parquet::TypeId::kString)};
    req.properties["commit.manifest-merge.enabled"] = merge ? "true" : "false";
    auto created = catalog.CreateTable({"bench"}, req);
    if (!created.ok()) Die(created.status(), "create");
    TableIdent ident{{"bench"}, name};
    std::vector<double> latency;
    auto total_start = std::chrono::steady_clock::now();
    for (int i = 0; i < commits; ++i) {
      auto writer = DataWriter::Open(store.get(), created->metadata);
      if (!writer.ok()) Die(writer.status(), "writer");
      if (Status st = (*writer)->Append(
              parquet::Value::Struct({parquet::Value::Int(i), parquet::Value::Bytes("row " + std::to_string(i))}));
          !st.ok())
        Die(st, "append");
      auto files = (*writer)->Finish();
      if (!files.ok()) Die(files.status(), "finish");
      auto start = std::chrono::steady_clock::now();
      auto r = CommitChange(&catalog, ident, SnapshotChange{.added_data = *files});
      latency.push_back(Ms(std::chrono::steady_clock::now() - start));
      if (!r.ok()) Die(r.status(), "commit");
      if (expire_every > 0 && (i + 1) % expire_every == 0) {
        auto ex = ExpireSnapshots(&catalog, ident, ExpireOptions{.older_than_ms = INT64_MAX, .retain_last = 100});
        if (!ex.ok()) Die(ex.status(), "expire");
      }
    }
    double total_s = Ms(std::chrono::steady_clock::now() - total_start) / 1000;
    auto table = catalog.LoadTable(ident);
    if (!table.ok()) Die(table.status(), "load");
    std::vector<double> planning;
    size_t tasks = 0;
    for (int k = 0; k < 5; ++k) {
      auto start = std::chrono::steady_clock::now();
      auto plan = PlanScan(store.get(), table->metadata);
      planning.push_back(Ms(std::chrono::steady_clock::now() - start));
      if (!plan.ok()) Die(plan.status(), "plan");
      tasks = plan->size();
    }
    auto list = store->Read(table->metadata.CurrentSnapshot()->manifest_list);
    auto manifests = DecodeManifestList(*list);
    json::Writer w;
    w.StartObject();
    w.Key("table");
    w.String(name);
    w.Key("commits");
    w.Int64(commits);
    w.Key("seconds_total");
    w.Double(total_s);
    w.Key("commit_p50_ms");
    w.Double(Pct(latency, 0.50));
    w.Key("commit_p99_ms");
    w.Double(Pct(latency, 0.99));
    w.Key("commit_max_ms");
    w.Double(Pct(latency, 1.0));
    w.Key("planning_median_ms");
    w.Double(Pct(planning, 0.5));
    w.Key("files_planned");
    w.Int64(static_cast<int64_t>(tasks));
    w.Key("manifests");
    w.Int64(static_cast<int64_t>(manifests->size()));
    w.EndObject();
    std::puts(w.Take().c_str());
    std::fflush(stdout);
  }
  return 0;
}
