// floe: serve a region.
//   floe serve --listen HOST:PORT --data-dir DIR --region NAME [--config FILE] [--warehouse DIR]
//              [--durability sync|async] [--threads N] [--log-level LEVEL]
// Settings precedence: defaults < config file < FLOE_* environment variables < flags.
#include <cstdio>
#include <cstring>
#include <string>

#include "api/router.h"
#include "cli/config_file.h"
#include "cli/iceberg_tool.h"
#include "cli/parquet_tool.h"
#include "cli/replicate.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/hlc.h"
#include "common/log.h"
#include "dynamo/catalog.h"
#include "dynamo/change_log.h"
#include "dynamo/index_builder.h"
#include "dynamo/items.h"
#include "dynamo/ttl.h"
#include "http/server.h"
#include "iceberg/catalog.h"
#include "iceberg/rest_catalog.h"
#include "json/json.h"
#include "objstore/store.h"
#include "pipeline/config.h"
#include "pipeline/service.h"
#include "storage/engine.h"
#include "streams/streams.h"

namespace {

using floe::Result;
using floe::ServerConfig;
using floe::Status;

constexpr char kUsage[] =
    "usage: floe serve [--listen HOST:PORT] [--data-dir DIR] [--region NAME] [--config FILE]\n"
    "                  [--warehouse DIR|file:///DIR]\n"
    "                  [--durability sync|async] [--threads N] [--log-level debug|info|warn|error]\n"
    "                  [--recover point-in-time|repair]  (a damaged database: docs/architecture.md)\n"
    "       floe parquet write --schema FILE --rows FILE --out FILE [options]  (floe parquet for help)\n"
    "       floe iceberg COMMAND --catalog DIR [options]  (floe iceberg for help)\n"
    "       floe replicate --config FILE [--endpoint-url URL] [--state-dir DIR]  (docs/replicator.md)\n"
    "       floe version\n";

Status LoadConfigFile(const std::string& path, ServerConfig* c) {
  ASSIGN_OR_RETURN(floe::json::Value parsed, floe::cli::ReadConfigObject(path));
  for (const auto& [key, v] : parsed.members()) {
    auto need_string = [&, k = key]() -> Result<std::string> {
      if (!v.is_string()) return Status::InvalidArgument("config key '" + k + "' must be a string");
      return v.str();
    };
    if (key == "listen") {
      ASSIGN_OR_RETURN(std::string s, need_string());
      RETURN_IF_ERROR(floe::ParseListen(s, &c->listen_host, &c->listen_port));
    } else if (key == "dataDir") {
      ASSIGN_OR_RETURN(c->data_dir, need_string());
    } else if (key == "region") {
      ASSIGN_OR_RETURN(c->region, need_string());
    } else if (key == "warehouse") {
      ASSIGN_OR_RETURN(c->warehouse, need_string());
    } else if (key == "accountId") {
      ASSIGN_OR_RETURN(c->account_id, need_string());
    } else if (key == "durability") {
      ASSIGN_OR_RETURN(std::string s, need_string());
      ASSIGN_OR_RETURN(c->durability, floe::ParseDurability(s));
    } else if (key == "logLevel") {
      ASSIGN_OR_RETURN(c->log_level, need_string());
    } else if (key == "threads" || key == "maxRequestBytes" || key == "streamShards" ||
               key == "streamRetentionSeconds" || key == "streamShardRolloverSeconds" ||
               key == "streamIteratorLifetimeSeconds" || key == "maintenanceIntervalMs" || key == "blockCacheMb" ||
               key == "rowCacheMb" || key == "idleTimeoutSeconds" || key == "maxConnections" ||
               key == "responseBufferMb" || key == "reservedDiskMb") {
      int64_t n;
      if (!v.AsInt64(&n) || n < 0)
        return Status::InvalidArgument("config key '" + key + "' must be a non-negative integer");
      if (key == "threads")
        c->threads = static_cast<int>(n);
      else if (key == "maxRequestBytes")
        c->max_request_bytes = static_cast<size_t>(n);
      else if (key == "streamShards")
        c->stream_shards = n;
      else if (key == "streamRetentionSeconds")
        c->stream_retention_seconds = n;
      else if (key == "streamShardRolloverSeconds")
        c->stream_shard_rollover_seconds = n;
      else if (key == "streamIteratorLifetimeSeconds")
        c->stream_iterator_lifetime_seconds = n;
      else if (key == "blockCacheMb")
        c->block_cache_mb = n;
      else if (key == "rowCacheMb")
        c->row_cache_mb = n;
      else if (key == "idleTimeoutSeconds")
        c->idle_timeout_seconds = n;
      else if (key == "maxConnections")
        c->max_connections = n;
      else if (key == "responseBufferMb")
        c->response_buffer_mb = n;
      else if (key == "reservedDiskMb")
        c->reserved_disk_mb = n;
      else
        c->maintenance_interval_ms = n;
    } else if (key == "replications") {
      if (!v.is_array()) return Status::InvalidArgument("config key 'replications' must be an array");
      c->replications_json = floe::json::Serialize(v);
      c->config_dir = floe::cli::ConfigDir(path);
    } else if (key == "s3") {
      if (!v.is_object()) return Status::InvalidArgument("config key 's3' must be an object");
      c->s3_json = floe::json::Serialize(v);
    } else if (key == "accessKeys") {
      if (!v.is_object())
        return Status::InvalidArgument("config key 'accessKeys' must map access key ids to secret keys");
      for (const auto& [id, secret] : v.members()) {
        if (!secret.is_string() || id.empty() || secret.str().empty()) {
          return Status::InvalidArgument("config key 'accessKeys." + id + "' must be a non-empty secret string");
        }
        c->access_keys[id] = secret.str();
      }
    } else {
      return Status::InvalidArgument("unknown config key '" + key + "' in '" + path + "'");
    }
  }
  return Status::Ok();
}

Status ParseArgs(int argc, char** argv, ServerConfig* c) {
  // The config file comes first so that flags override it, wherever --config stands.
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--config") == 0) RETURN_IF_ERROR(LoadConfigFile(argv[i + 1], c));
  }
  RETURN_IF_ERROR(floe::ApplyEnvironment(c));
  for (int i = 2; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) return Status::InvalidArgument("flag " + flag + " needs a value");
    std::string value = argv[++i];
    if (flag == "--listen")
      RETURN_IF_ERROR(floe::ParseListen(value, &c->listen_host, &c->listen_port));
    else if (flag == "--data-dir")
      c->data_dir = value;
    else if (flag == "--region")
      c->region = value;
    else if (flag == "--warehouse")
      c->warehouse = value;
    else if (flag == "--config")
      continue;
    else if (flag == "--durability") {
      ASSIGN_OR_RETURN(c->durability, floe::ParseDurability(value));
    } else if (flag == "--threads")
      c->threads = std::atoi(value.c_str());
    else if (flag == "--log-level")
      c->log_level = value;
    else if (flag == "--recover")
      c->recover = value;
    else
      return Status::InvalidArgument("unknown flag " + flag);
  }
  return floe::Validate(*c);
}

floe::log::Level LevelOf(const std::string& s) {
  if (s == "debug") return floe::log::Level::kDebug;
  if (s == "warn") return floe::log::Level::kWarn;
  if (s == "error") return floe::log::Level::kError;
  return floe::log::Level::kInfo;
}

int Serve(int argc, char** argv) {
  ServerConfig config;
  if (Status st = ParseArgs(argc, argv, &config); !st.ok()) {
    std::fprintf(stderr, "floe: %s\n%s", st.message().c_str(), kUsage);
    return 2;
  }
  floe::log::SetLevel(LevelOf(config.log_level));

  floe::storage::EngineOptions eo;
  eo.path = config.data_dir;
  eo.durability = config.durability;
  eo.block_cache_bytes = static_cast<size_t>(config.block_cache_mb) << 20;
  eo.row_cache_bytes = static_cast<size_t>(config.row_cache_mb) << 20;
  eo.reserved_disk_bytes = static_cast<uint64_t>(config.reserved_disk_mb) << 20;
  eo.recover = config.recover;
  auto engine_or = floe::storage::Engine::Open(eo);
  if (!engine_or.ok()) {
    floe::log::Error("cannot open data directory {}: {}", config.data_dir, engine_or.status().ToString());
    return 1;
  }
  std::unique_ptr<floe::storage::Engine> engine = std::move(engine_or).value();
  floe::Hlc hlc(floe::SystemClock::Default());
  floe::dynamo::Committer committer(engine.get(), &hlc, config.region);
  floe::dynamo::Catalog catalog(engine.get(), &committer, floe::SystemClock::Default(), config.region,
                                config.account_id);
  floe::dynamo::ItemStore items(engine.get(), &committer);
  floe::streams::StreamOptions so;
  so.shards = static_cast<int>(config.stream_shards);
  so.retention_ms = config.stream_retention_seconds * 1000;
  so.rollover_ms = config.stream_shard_rollover_seconds * 1000;
  so.iterator_lifetime_ms = config.stream_iterator_lifetime_seconds * 1000;
  so.maintenance_interval_ms = config.maintenance_interval_ms;
  floe::streams::StreamManager streams(engine.get(), &committer, floe::SystemClock::Default(), config.region,
                                       config.account_id, so);
  catalog.SetListener(&streams);
  for (Status st : {committer.Open(), catalog.Load(), streams.Load()}) {
    if (!st.ok()) {
      floe::log::Error("cannot load the catalog: {}", st.ToString());
      return 1;
    }
  }
  streams.Start();
  floe::dynamo::TtlExpirer ttl(&items, &catalog, floe::SystemClock::Default(), config.maintenance_interval_ms);
  ttl.Start();
  floe::dynamo::IndexBuilder index_builder(&items, &catalog, config.maintenance_interval_ms);
  index_builder.Start();
  index_builder.Wake();  // resumes backfills interrupted by a restart
  // Iceberg: tables under the warehouse, the catalog in this node's storage, served at /iceberg.
  auto warehouse =
      floe::objstore::ResolveWarehouse(config.warehouse.empty() ? config.data_dir + "/warehouse" : config.warehouse);
  if (!warehouse.ok()) {
    floe::log::Error("{}", warehouse.status().message());
    return 1;
  }
  // Replications of local tables into Iceberg (config file key "replications").
  Result<std::vector<floe::pipeline::ReplicationConfig>> configs = std::vector<floe::pipeline::ReplicationConfig>{};
  if (!config.replications_json.empty()) {
    auto parsed = floe::json::Parse(config.replications_json);
    configs = parsed.ok() ? floe::pipeline::ParseReplications(*parsed, config.config_dir)
                          : Result<std::vector<floe::pipeline::ReplicationConfig>>(parsed.status());
    if (!configs.ok()) {
      floe::log::Error("config: {}", configs.status().message());
      return 2;
    }
  }
  auto made_store =
      floe::cli::MakeWarehouseStore(config.durability == floe::Durability::kSync, *warehouse, *configs, config.s3_json);
  if (!made_store.ok()) {
    floe::log::Error("config: {}", made_store.status().message());
    return 2;
  }
  std::unique_ptr<floe::objstore::Store> store = std::move(made_store).value();
  floe::iceberg::Catalog iceberg_catalog(engine.get(), store.get(), *warehouse, floe::SystemClock::Default());
  floe::iceberg::RestCatalog iceberg_rest(&iceberg_catalog);
  std::unique_ptr<floe::pipeline::LocalService> replicator;
  if (!configs->empty()) {
    floe::pipeline::ServiceDeps deps{
        engine.get(), &catalog, &committer, &streams, &iceberg_catalog, store.get(), floe::SystemClock::Default()};
    auto made = floe::pipeline::LocalService::Make(deps, std::move(configs).value());
    if (!made.ok()) {
      floe::log::Error("config: {}", made.status().message());
      return 2;
    }
    replicator = std::move(made).value();
    replicator->Start();
  }
  floe::api::Services services{&catalog, &items,         engine.get(), &config, floe::SystemClock::Default(),
                               &streams, &index_builder, &iceberg_rest};
  if (replicator) services.metrics = [&replicator] { return replicator->MetricsText(); };
  floe::api::Router router(services);
  // The transport holds answers until durable through this gate (http/ knows no storage).
  struct EngineGate final : floe::http::DurabilityGate {
    explicit EngineGate(floe::storage::Engine* e) : engine(e) {}
    uint64_t DurableToken() const override { return engine->DurableToken(); }
    Status WaitDurable(uint64_t token) override { return engine->WaitDurable(token); }
    floe::storage::Engine* engine;
  } gate(engine.get());
  floe::http::Server server(&router, &gate, config);
  if (Status st = server.Start(); !st.ok()) {
    floe::log::Error("{}", st.message());
    return 1;
  }
  floe::log::Info("floe ready: http://{}:{} region {} data {} warehouse {} durability {} signatures {}",
                  config.listen_host, server.port(), config.region, config.data_dir, *warehouse,
                  floe::DurabilityName(config.durability),
                  config.access_keys.empty() ? "accepted (loopback)" : "verified");
  server.Run();
  if (replicator) replicator->Stop();
  index_builder.Stop();
  ttl.Stop();
  streams.Stop();
  engine.reset();  // flushes memtables and the WAL
  floe::log::Info("floe stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string cmd = argv[1];
  try {
    if (cmd == "serve") return Serve(argc, argv);
    if (cmd == "parquet") return floe::cli::ParquetTool(argc, argv);
    if (cmd == "iceberg") return floe::cli::IcebergTool(argc, argv);
    if (cmd == "replicate") return floe::cli::Replicate(argc, argv);
    if (cmd == "version" || cmd == "--version") {
      std::puts("floe 0.1.0");
      return 0;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "floe: fatal: %s\n", e.what());
    return 1;
  }
  std::fputs(kUsage, stderr);
  return 2;
}
