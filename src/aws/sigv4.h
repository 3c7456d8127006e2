#pragma once
// AWS Signature Version 4: the canonical request, the signature, and signing outgoing
// requests. Shared by the server's verifier (api/sigv4) and floe's AWS clients (DynamoDB
// Streams for `floe replicate`, S3 for warehouses). Pure functions: thread-safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace floe::aws {

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // optional (temporary credentials)
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// Lowercase hex SHA-256 of data (the payload hash of SigV4).
std::string Sha256Hex(std::string_view data);
// A header value as SigV4 canonicalizes it: trimmed, runs of spaces collapsed to one.
std::string CanonicalHeaderValue(std::string_view s);
// RFC 3986 percent-encoding of everything but unreserved characters (and '/' with keep_slash).
std::string UriEncode(std::string_view s, bool keep_slash);

struct SigningInput {
  std::string_view method;
  std::string_view target;                                   // path and query as on the request line (percent-encoded)
  const Headers* headers = nullptr;                          // names in any case
  const std::vector<std::string>* signed_headers = nullptr;  // lowercase, sorted
  std::string_view payload_hash;                             // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
  std::string_view amz_date;                                 // yyyymmddThhmmssZ
  std::string_view scope_date;                               // yyyymmdd
  std::string_view region;
  std::string_view service;
};

// The hex signature of a request under a secret key.
std::string Signature(const SigningInput& in, std::string_view secret);

// Signs an outgoing request: adds x-amz-date, x-amz-content-sha256, x-amz-security-token (with
// a session token) and authorization to *headers, signing every header in it (which must hold
// host). now_seconds: Unix time of signing.
void SignRequest(const Credentials& creds, std::string_view region, std::string_view service, std::string_view method,
                 std::string_view target, std::string_view payload_hash, int64_t now_seconds, Headers* headers);

}  // namespace floe::aws
