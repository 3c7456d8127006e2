#pragma once
// Replications of this node's own tables, inside `floe serve`: one thread per replication
// reads the table's change log directly (no Streams API), from a consistent snapshot on.
//
// Per replication: wait until the table exists; make its writes logged
// (Catalog::RequireChangeLog); open the Iceberg table and its committed position; without one
// (or when the table was recreated, or the log was trimmed past it), load a snapshot taken
// under the commit lock together with the sequence number it covers; then read changes after
// that sequence, up to the durable sequence, buffer and commit them. Change records stay in
// the log until committed to Iceberg (StreamManager::SetRetentionHold).
//
// Thread safety: Start/Stop from one thread; MetricsText from any.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "pipeline/config.h"

namespace floe::storage {
class Engine;
}
namespace floe::dynamo {
class Catalog;
class Committer;
}  // namespace floe::dynamo
namespace floe::streams {
class StreamManager;
}
namespace floe::iceberg {
class Catalog;
}
namespace floe::objstore {
class Store;
}

namespace floe::pipeline {

class Replicator;

struct ServiceDeps {
  storage::Engine* engine = nullptr;
  dynamo::Catalog* tables = nullptr;
  dynamo::Committer* committer = nullptr;
  streams::StreamManager* streams = nullptr;
  iceberg::Catalog* catalog = nullptr;  // the server's Iceberg catalog (its warehouse)
  objstore::Store* store = nullptr;
  const Clock* clock = nullptr;
};

class LocalService {
 public:
  // Errors: kInvalidArgument for a replication whose transform does not compile or whose
  // warehouse is not a usable location.
  static Result<std::unique_ptr<LocalService>> Make(ServiceDeps deps, std::vector<ReplicationConfig> configs);
  ~LocalService();

  // Installs the retention hold and starts the threads.
  void Start();
  void Stop();

  // Prometheus text of every replication's metrics.
  std::string MetricsText() const;

 private:
  struct Job;
  LocalService() = default;
  void Run(Job* job);
  Status RunOnce(Job* job);
  uint64_t Hold(uint32_t table_id) const;

  ServiceDeps deps_;
  std::vector<std::unique_ptr<iceberg::Catalog>> own_catalogs_;  // for per-replication warehouses
  std::vector<std::unique_ptr<Job>> jobs_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::map<uint32_t, uint64_t> holds_;  // table id -> committed sequence (guarded by mu_)
};

}  // namespace floe::pipeline
