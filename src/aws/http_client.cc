#include "aws/http_client.h"

#include <openssl/ssl.h>

#include <cctype>
#include <chrono>
#include <limits>
#include <utility>
// Boost 1.74 under C++20: <utility> before asio (DESIGN.md).
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "common/ascii.h"

namespace floe::aws {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

std::string Endpoint::HostHeader() const {
  const bool default_port = port == (tls ? "443" : "80");
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return default_port ? h : h + ":" + port;
}

Status ParseEndpointUrl(std::string_view url, Endpoint* out) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("endpoint '" + std::string(url) + "' " + why);
  };
  std::string_view rest;
  if (url.rfind("https://", 0) == 0) {
    out->tls = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    out->tls = false;
    rest = url.substr(7);
  } else {
    return bad("must be an http:// or https:// URL");
  }
  std::string_view authority = rest.substr(0, rest.find('/'));
  std::string_view path = authority.size() < rest.size() ? rest.substr(authority.size()) : std::string_view();
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  out->base_path = std::string(path);
  if (authority.find('@') != std::string_view::npos) return bad("must not carry credentials");
  std::string_view host = authority, port;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("has an unclosed '['");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("has bad characters after its host");
      port = after.substr(1);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return bad("has no host");
  if (port.empty()) port = out->tls ? "443" : "80";
  for (char c : port) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return bad("has a bad port");
  }
  if (port.size() > 5 || std::stoi(std::string(port)) > 65535 || std::stoi(std::string(port)) == 0) {
    return bad("has a bad port");
  }
  out->host = std::string(host);
  out->port = std::string(port);
  return Status::Ok();
}

const std::string* HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return &v;
  }
  return nullptr;
}

struct HttpClient::Conn {
  asio::io_context io;
  std::unique_ptr<asio::ssl::context> ssl;
  std::unique_ptr<beast::tcp_stream> tcp;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  bool open = false;

  beast::tcp_stream& Lowest() { return tls ? beast::get_lowest_layer(*tls) : *tcp; }
  void Close() {
    beast::error_code ec;
    if (tls || tcp) Lowest().socket().close(ec);
    tls.reset();
    tcp.reset();
    open = false;
  }
};

HttpClient::HttpClient(Endpoint endpoint, TlsOptions tls)
    : endpoint_(std::move(endpoint)), tls_(std::move(tls)), conn_(std::make_unique<Conn>()) {}

HttpClient::~HttpClient() { conn_->Close(); }

Result<HttpResponse> HttpClient::Send(std::string_view method, std::string_view target, const Headers& headers,
                                      std::string_view body, int64_t timeout_ms) {
  const bhttp::verb verb = bhttp::string_to_verb(beast::string_view(method.data(), method.size()));
  if (verb == bhttp::verb::unknown) return Status::InvalidArgument("unknown HTTP method " + std::string(method));
  bhttp::request<bhttp::string_body> req{verb, std::string(target), 11};
  req.set(bhttp::field::host, endpoint_.HostHeader());
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, "host")) continue;
    req.set(k, v);
  }
  req.keep_alive(true);
  req.body() = std::string(body);
  req.prepare_payload();
  const std::string where = endpoint_.HostHeader();
  const auto timeout = std::chrono::milliseconds(timeout_ms);
  for (int attempt = 0; attempt < 2; ++attempt) {
    beast::error_code ec;
    const bool reused = conn_->open;
    if (!conn_->open) {
      asio::ip::tcp::resolver resolver(conn_->io);
      auto results = resolver.resolve(endpoint_.host, endpoint_.port, ec);
      if (ec) return Status::Unavailable("cannot resolve " + endpoint_.host + ": " + ec.message());
      if (endpoint_.tls) {
        if (!conn_->ssl) {
          auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
          if (tls_.ca_file.empty())
            ctx->set_default_verify_paths(ec);
          else
            ctx->load_verify_file(tls_.ca_file, ec);
          if (ec) return Status::InvalidArgument("cannot load CA certificates '" + tls_.ca_file + "': " + ec.message());
          ctx->set_verify_mode(tls_.verify ? asio::ssl::verify_peer : asio::ssl::verify_none);
          conn_->ssl = std::move(ctx);
        }
        conn_->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(conn_->io, *conn_->ssl);
        if (tls_.verify) conn_->tls->set_verify_callback(asio::ssl::host_name_verification(endpoint_.host));
        // Server Name Indication, which virtual-hosted endpoints need.
        if (!SSL_set_tlsext_host_name(conn_->tls->native_handle(), endpoint_.host.c_str())) {
          conn_->Close();
          return Status::Unavailable("cannot set the TLS server name " + endpoint_.host);
        }
      } else {
        conn_->tcp = std::make_unique<beast::tcp_stream>(conn_->io);
      }
      conn_->Lowest().expires_after(timeout);
      conn_->Lowest().connect(results, ec);
      if (ec) {
        conn_->Close();
        return Status::Unavailable("cannot connect to " + where + ": " + ec.message());
      }
      if (conn_->tls) {
        conn_->tls->handshake(asio::ssl::stream_base::client, ec);
        if (ec) {
          conn_->Close();
          return Status::Unavailable("TLS handshake with " + where + " failed: " + ec.message());
        }
      }
      conn_->open = true;
    }
    conn_->Lowest().expires_after(timeout);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    if (verb == bhttp::verb::head) parser.skip(true);
    beast::flat_buffer buf;
    if (conn_->tls) {
      bhttp::write(*conn_->tls, req, ec);
      if (!ec) bhttp::read(*conn_->tls, buf, parser, ec);
    } else {
      bhttp::write(*conn_->tcp, req, ec);
      if (!ec) bhttp::read(*conn_->tcp, buf, parser, ec);
    }
    if (ec) {
      conn_->Close();
      // A kept-alive connection the server had closed: once more on a new one.
      if (reused && attempt == 0 && ec != beast::error::timeout) continue;
      return Status::Unavailable(std::string(method) + " " + where + " failed: " + ec.message());
    }
    auto res = parser.release();
    if (!res.keep_alive()) conn_->Close();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    out.body = std::move(res.body());
    return out;
  }
  return Status::Unavailable(std::string(method) + " " + where + " failed");
}

}  // namespace floe::aws
