#pragma once
// The Iceberg REST Catalog API (open-api/rest-catalog-open-api.yaml of the Iceberg project),
// served under /iceberg on floe's port: config, namespaces, tables, commits with
// requirements and updates, rename, register. Transport-free: the HTTP layer hands it the
// method, path, query and body and sends back what it returns. Errors use the spec's
// {"error": {"message", "type", "code"}} body. Thread-safe.
#include <string>

namespace floe::iceberg {

class Catalog;

struct RestResponse {
  int status = 200;
  std::string body;  // JSON; empty for 204
};

// The spec's error response: {"error": {"message", "type", "code"}} with status `code`.
RestResponse RestError(int code, const std::string& type, const std::string& message);

class RestCatalog {
 public:
  explicit RestCatalog(Catalog* catalog) : catalog_(catalog) {}
  // target: path and query as on the request line, starting with "/iceberg/".
  RestResponse Handle(const std::string& method, const std::string& target, const std::string& body);

 private:
  Catalog* catalog_;
};

}  // namespace floe::iceberg
