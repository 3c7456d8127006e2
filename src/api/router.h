#pragma once
// Routes DynamoDB and DynamoDB Streams JSON API requests (X-Amz-Target) to their operations. Transport-free:
// the http module hands it a request view and sends back what it returns. Thread-safe.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/sigv4.h"
#include "common/clock.h"
#include "common/config.h"

namespace floe::dynamo {
class Catalog;
class ItemStore;
class IndexBuilder;
}  // namespace floe::dynamo
namespace floe::storage {
class Engine;
}
namespace floe::iceberg {
class RestCatalog;
}
namespace floe::streams {
class StreamManager;
}

namespace floe::api {

struct Services {
  dynamo::Catalog* catalog = nullptr;
  dynamo::ItemStore* items = nullptr;
  storage::Engine* engine = nullptr;
  const ServerConfig* config = nullptr;
  const Clock* clock = nullptr;
  streams::StreamManager* streams = nullptr;
  dynamo::IndexBuilder* index_builder = nullptr;
  iceberg::RestCatalog* iceberg = nullptr;  // the Iceberg REST catalog at /iceberg (optional)
  // Prometheus text of components outside the API (replications), for GET /metrics.
  std::function<std::string()> metrics;
};

struct ApiResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/x-amz-json-1.0";
  // Non-zero: the response may be sent only once this write is durable (Engine::WaitDurable).
  uint64_t durable_token = 0;
};

class Router {
 public:
  explicit Router(Services services);
  // Handles one request: POST / with X-Amz-Target (DynamoDB, DynamoDB Streams), or any
  // method under /iceberg/ (the Iceberg REST catalog). Never throws.
  ApiResponse Handle(const HttpRequestView& request);
  static bool IsIcebergPath(const std::string& target);
  // GET /metrics: Prometheus text exposition. With access keys configured, only to a
  // SigV4-signed request (any service name in the scope), else 403.
  ApiResponse HandleMetrics(const HttpRequestView& request);

 private:
  ApiResponse HandleIceberg(const HttpRequestView& request);
  // The routes outside the AWS APIs (/iceberg, /metrics): open on loopback without keys, else a
  // verified SigV4 signature with any scope. False with *error filled when refused.
  bool SignedWhereRequired(const HttpRequestView& request, ApiError* error) const;
  Services services_;
  bool verify_signatures_;
};

}  // namespace floe::api
