#include "cli/aws_client.h"

#include <openssl/sha.h>

#include <chrono>
#include <ctime>
#include <utility>
// Boost 1.74 under C++20: <utility> before asio (DESIGN.md).
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "api/sigv4.h"
#include "common/hex.h"

namespace floe::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

struct AwsClient::Conn {
  asio::io_context io;
  beast::tcp_stream stream{io};
  bool open = false;
};

Status ParseEndpointUrl(const std::string& url, AwsEndpoint* out) {
  const std::string prefix = "http://";
  if (url.rfind(prefix, 0) != 0) return Status::InvalidArgument("endpoint '" + url + "' must be an http:// URL");
  std::string rest = url.substr(prefix.size());
  if (size_t slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
  size_t colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find(']') == std::string::npos) {
    out->host = rest.substr(0, colon);
    out->port = rest.substr(colon + 1);
  } else {
    out->host = rest;
    out->port = "80";
  }
  if (out->host.empty() || out->port.empty()) return Status::InvalidArgument("endpoint '" + url + "' has no host");
  return Status::Ok();
}

AwsClient::AwsClient(AwsEndpoint endpoint) : endpoint_(std::move(endpoint)), conn_(std::make_unique<Conn>()) {}
AwsClient::~AwsClient() = default;

namespace {

std::string Sha256Hex(const std::string& s) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(d), sizeof d));
}

}  // namespace

Result<json::Value> AwsClient::Call(const std::string& service, const std::string& target, const std::string& body,
                                    AwsError* error) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char amz_date[32], date[16];
  std::strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
  std::strftime(date, sizeof date, "%Y%m%d", &tm);
  const std::string host = endpoint_.host + ":" + endpoint_.port;
  const std::string payload_hash = Sha256Hex(body);
  api::HttpRequestView view;
  view.method = "POST";
  view.target = "/";
  view.body = &body;
  view.headers = {{"host", host},
                  {"x-amz-content-sha256", payload_hash},
                  {"x-amz-date", amz_date},
                  {"x-amz-target", target}};
  if (!endpoint_.session_token.empty()) view.headers.emplace_back("x-amz-security-token", endpoint_.session_token);
  api::ParsedAuthorization auth;
  auth.access_key = endpoint_.access_key;
  auth.date = date;
  auth.region = endpoint_.region;
  auth.service = service;
  for (const auto& [k, v] : view.headers) auth.signed_headers.push_back(k);
  std::sort(auth.signed_headers.begin(), auth.signed_headers.end());
  const std::string signature = api::ComputeSignature(view, auth, amz_date, endpoint_.secret_key);
  std::string signed_list;
  for (const auto& h : auth.signed_headers) signed_list += (signed_list.empty() ? "" : ";") + h;
  const std::string authorization = "AWS4-HMAC-SHA256 Credential=" + endpoint_.access_key + "/" + date + "/" +
                                    endpoint_.region + "/" + service + "/aws4_request, SignedHeaders=" + signed_list +
                                    ", Signature=" + signature;

  bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/", 11};
  for (const auto& [k, v] : view.headers) req.set(k, v);
  req.set(bhttp::field::authorization, authorization);
  req.set(bhttp::field::content_type, "application/x-amz-json-1.0");
  req.keep_alive(true);
  req.body() = body;
  req.prepare_payload();
  for (int attempt = 0; attempt < 2; ++attempt) {
    beast::error_code ec;
    if (!conn_->open) {
      asio::ip::tcp::resolver resolver(conn_->io);
      auto results = resolver.resolve(endpoint_.host, endpoint_.port, ec);
      if (ec) return Status::Unavailable("cannot resolve " + endpoint_.host + ": " + ec.message());
      conn_->stream.expires_after(std::chrono::seconds(10));
      conn_->stream.connect(results, ec);
      if (ec) return Status::Unavailable("cannot connect to " + host + ": " + ec.message());
      conn_->open = true;
    }
    conn_->stream.expires_after(std::chrono::seconds(60));
    bhttp::write(conn_->stream, req, ec);
    bhttp::response<bhttp::string_body> res;
    beast::flat_buffer buf;
    if (!ec) bhttp::read(conn_->stream, buf, res, ec);
    if (ec) {
      // A kept-alive connection the server closed: reconnect once.
      conn_->stream.socket().close(ec);
      conn_->open = false;
      if (attempt == 0) continue;
      return Status::Unavailable("request to " + host + " failed: " + ec.message());
    }
    if (!res.keep_alive()) {
      conn_->stream.socket().close(ec);
      conn_->open = false;
    }
    auto parsed = json::Parse(res.body());
    if (res.result_int() == 200) {
      if (!parsed.ok()) return Status::Internal("bad JSON from " + host + ": " + parsed.status().message());
      return std::move(parsed).value();
    }
    error->http_status = static_cast<int>(res.result_int());
    if (parsed.ok()) {
      const json::Value* type = parsed->Find("__type");
      const json::Value* message = parsed->Find("message");
      if (message == nullptr) message = parsed->Find("Message");
      if (type && type->is_string()) {
        error->type = type->str();
        if (size_t hash = error->type.rfind('#'); hash != std::string::npos) error->type = error->type.substr(hash + 1);
      }
      if (message && message->is_string()) error->message = message->str();
    }
    if (error->http_status >= 500) return Status::Unavailable(target + ": HTTP " + std::to_string(error->http_status) + " " + error->message);
    return Status::InvalidArgument(target + ": " + error->type + ": " + error->message);
  }
  return Status::Unavailable("request to " + host + " failed");
}

}  // namespace floe::cli
