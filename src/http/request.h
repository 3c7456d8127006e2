#pragma once
// Request decoding shared by the server's connections and the HTTP fuzz target: the limits the
// HTTP/1.1 parser applies, and the decoding of compressed bodies. Beast stays in the .cc files.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace floe::http {

// Request headers (the request line included) may take at most this much.
constexpr size_t kMaxHeaderBytes = 64 * 1024;

// Decodes a body sent with Content-Encoding `encoding` ("", "identity", "gzip", "deflate").
// The decoded body may be at most max_bytes (maxRequestBytes): inflation stops there, so a
// small compressed body cannot make the node allocate more. Errors: kLimitExceeded past
// max_bytes; kSerialization for data that does not decompress; kInvalidArgument for another
// encoding.
Result<std::string> DecodeBody(std::string_view encoding, std::string body, size_t max_bytes);

struct ParsedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // decoded
  bool keep_alive = true;
};

// Parses one complete request from bytes with the server's parser and limits (headers at
// most kMaxHeaderBytes, body at most max_body_bytes before and after decoding). For tests and
// the fuzz target. Errors: kLimitExceeded, kSerialization (malformed), kInvalidArgument.
Result<ParsedRequest> ParseRequestBytes(std::string_view bytes, size_t max_body_bytes);

}  // namespace floe::http
