#pragma once
// AWS Signature Version 4 verification of request headers.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "api/api_error.h"
#include "common/clock.h"

namespace floe::api {

struct HttpRequestView {
  std::string method;
  std::string target;                                        // path and query, as on the request line
  std::vector<std::pair<std::string, std::string>> headers;  // names as received
  const std::string* body = nullptr;
  // The first header with this name (case-insensitive), or nullptr.
  const std::string* Header(std::string_view name) const;
};

struct ParsedAuthorization {
  std::string access_key;
  std::string date;  // yyyymmdd
  std::string region;
  std::string service;
  std::string terminator;  // "aws4_request" in a valid scope
  std::vector<std::string> signed_headers;
  std::string signature;
};

// Parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
// Errors: IncompleteSignatureException.
bool ParseAuthorization(const std::string& header, ParsedAuthorization* out, ApiError* error);

// What a request's credential scope must name. Empty fields accept any value.
struct ExpectedScope {
  std::string region;   // the node's region
  std::string service;  // the signing name ("dynamodb" for DynamoDB and DynamoDB Streams)
};

// Checks the request's signature. With verify false (loopback, no keys configured) a
// well-formed Authorization header with the expected scope is enough. With verify true the
// signature must match over the request's body: `x-amz-content-sha256`, when sent, must be
// the body's hash (UNSIGNED-PAYLOAD is refused, as DynamoDB refuses it). Returns true when
// accepted; otherwise fills *error with DynamoDB's error and message.
bool VerifySigV4(const HttpRequestView& request, const std::map<std::string, std::string>& keys, bool verify,
                 const ExpectedScope& scope, const Clock* clock, ApiError* error);

// Exposed for tests: the signature for a canonical request under a secret.
std::string ComputeSignature(const HttpRequestView& request, const ParsedAuthorization& auth,
                             const std::string& amz_date, const std::string& secret);

}  // namespace floe::api
