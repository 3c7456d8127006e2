#pragma once
// HTTP/1.1 transport: keep-alive connections on a thread pool, gzip request bodies, request
// size limits, x-amzn-RequestId and x-amz-crc32 on every response. Boost.Beast stays in
// server.cc (pimpl). Transport only (DESIGN.md): it knows no storage; an answer that carries a
// durability token (api::ApiResponse::durable_token) is held until the DurabilityGate says that
// token is durable.
#include <cstdint>
#include <memory>

#include "common/config.h"
#include "common/status.h"

namespace floe::api {
class Router;
}
namespace floe::http {

// What the transport needs to hold answers until what they depend on is durable, with group
// commit: a token is durable once DurableToken() >= it; WaitDurable(token) makes every token
// up to it durable (one flush at most, shared by concurrent callers). Thread-safe.
class DurabilityGate {
 public:
  virtual ~DurabilityGate() = default;
  virtual uint64_t DurableToken() const = 0;
  virtual Status WaitDurable(uint64_t token) = 0;
};

class Server {
 public:
  Server(api::Router* router, DurabilityGate* gate, const ServerConfig& config);
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
