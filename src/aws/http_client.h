#pragma once
// A blocking HTTP/1.1 client for AWS-style endpoints, over plain TCP or TLS (OpenSSL, peer
// and host name verified against the system's CA store or a given bundle). Keeps one
// connection alive and reconnects once when a kept-alive connection turns out closed.
// Not thread-safe: one client per thread (or behind a lock).
#include <memory>
#include <string>
#include <string_view>

#include "aws/sigv4.h"
#include "common/status.h"

namespace floe::aws {

struct Endpoint {
  bool tls = false;
  std::string host;  // without brackets for IPv6 literals
  std::string port;
  std::string base_path;  // path prefix of the URL without its trailing '/' ("" for none)
  // host[:port] as the Host header carries it (the port only when not the scheme's default).
  std::string HostHeader() const;
};

// Parses "http[s]://host[:port][/path]". Errors: kInvalidArgument naming the URL.
Status ParseEndpointUrl(std::string_view url, Endpoint* out);

struct TlsOptions {
  std::string ca_file;  // PEM bundle of trusted CAs; empty: the system's default store
  bool verify = true;   // false only for tests against self-signed endpoints
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;
  // The first header with this name (case-insensitive), or nullptr.
  const std::string* Header(std::string_view name) const;
};

class HttpClient {
 public:
  // Errors (from Send): kInvalidArgument when the CA bundle cannot be loaded.
  HttpClient(Endpoint endpoint, TlsOptions tls = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const Endpoint& endpoint() const { return endpoint_; }

  // Sends one request (target: path and query, percent-encoded) with the given headers (Host
  // and Content-Length are added) and returns the response, whatever its status. A HEAD
  // request's response has no body. Errors: kUnavailable when the endpoint cannot be reached
  // or the exchange fails or times out (a kept-alive connection is retried once on a new one).
  Result<HttpResponse> Send(std::string_view method, std::string_view target, const Headers& headers,
                            std::string_view body, int64_t timeout_ms = 60'000);

 private:
  struct Conn;
  Endpoint endpoint_;
  TlsOptions tls_;
  std::unique_ptr<Conn> conn_;
};

}  // namespace floe::aws
