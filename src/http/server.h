#pragma once
// HTTP/1.1 transport: keep-alive connections on a thread pool, gzip request bodies, request
// size limits, x-amzn-RequestId and x-amz-crc32 on every response. Boost.Beast stays in
// server.cc (pimpl). Responses of writes are held until the write is durable.
#include <cstdint>
#include <memory>

#include "common/config.h"
#include "common/status.h"

namespace floe::api {
class Router;
}
namespace floe::storage {
class Engine;
}

namespace floe::http {

class Server {
 public:
  Server(api::Router* router, storage::Engine* engine, const ServerConfig& config);
  ~Server();

  // Binds the listen address. Errors: kIOError (address in use, ...).
  Status Start();
  // The bound port (useful with port 0).
  uint16_t port() const;
  // Serves until Stop() or SIGINT/SIGTERM. Blocks.
  void Run();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace floe::http
