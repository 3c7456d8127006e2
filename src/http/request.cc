#include "http/request.h"

#include <zlib.h>

#include <utility>  // before asio under C++20 (Boost 1.74)

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace floe::http {

namespace bhttp = boost::beast::http;

Result<std::string> DecodeBody(std::string_view encoding, std::string body, size_t max_bytes) {
  if (encoding.empty() || encoding == "identity") return body;
  if (encoding != "gzip" && encoding != "deflate") {
    return Status::InvalidArgument("Unsupported Content-Encoding: " + std::string(encoding));
  }
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::Internal("inflateInit failed");
  zs.next_in = reinterpret_cast<Bytef*>(body.data());
  zs.avail_in = static_cast<uInt>(body.size());
  std::string out;
  char buf[16384];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Status::Serialization("Request body could not be decompressed");
    }
    const size_t produced = sizeof buf - zs.avail_out;
    if (out.size() + produced > max_bytes) {
      inflateEnd(&zs);
      return Status::LimitExceeded("decompressed body too large");
    }
    out.append(buf, produced);
  } while (rc != Z_STREAM_END && (zs.avail_in > 0 || zs.avail_out == 0));
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return Status::Serialization("Request body could not be decompressed");
  return out;
}

Result<ParsedRequest> ParseRequestBytes(std::string_view bytes, size_t max_body_bytes) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(max_body_bytes);
  parser.header_limit(kMaxHeaderBytes);
  parser.eager(true);
  boost::beast::error_code ec;
  size_t used = 0;
  while (used < bytes.size() && !parser.is_done()) {
    const size_t n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == bhttp::error::need_more) break;
    if (ec == bhttp::error::body_limit) return Status::LimitExceeded("body too large");
    if (ec) return Status::Serialization("Malformed HTTP request: " + ec.message());
    if (n == 0) break;
    used += n;
  }
  if (!parser.is_done()) {
    if (!parser.got_some()) return Status::Serialization("Incomplete HTTP request");
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return Status::Serialization("Incomplete HTTP request");
  }
  bhttp::request<bhttp::string_body> req = parser.release();
  ParsedRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  out.keep_alive = req.keep_alive();
  for (const auto& f : req) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  auto enc = req.find(bhttp::field::content_encoding);
  ASSIGN_OR_RETURN(out.body, DecodeBody(enc == req.end() ? std::string_view()
                                                         : std::string_view(enc->value().data(), enc->value().size()),
                                        std::move(req.body()), max_body_bytes));
  return out;
}

}  // namespace floe::http
