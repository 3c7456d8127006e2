#pragma once
// A small client for AWS JSON APIs (DynamoDB, DynamoDB Streams) over HTTP/1.1 with SigV4
// signatures, for `floe replicate`. Keeps one connection open and reconnects on failure.
// Not thread-safe: one per thread.
#include <memory>
#include <string>

#include "common/status.h"
#include "json/json.h"

namespace floe::cli {

struct AwsEndpoint {
  std::string host;  // from http://HOST:PORT (https is not supported)
  std::string port;
  std::string region;
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // optional
};

// Parses "http://host[:port]". Errors: kInvalidArgument.
Status ParseEndpointUrl(const std::string& url, AwsEndpoint* out);

// An AWS error response: the __type's short name ("ExpiredIteratorException") and message.
struct AwsError {
  int http_status = 0;
  std::string type;
  std::string message;
};

class AwsClient {
 public:
  explicit AwsClient(AwsEndpoint endpoint);
  ~AwsClient();
  // POSTs `body` with X-Amz-Target: target ("DynamoDB_20120810.Scan",
  // "DynamoDBStreams_20120810.GetRecords"), signed for `service` ("dynamodb"). On an error
  // response, returns kUnavailable (connection), or kInvalidArgument with *error filled.
  Result<json::Value> Call(const std::string& service, const std::string& target, const std::string& body,
                           AwsError* error);

 private:
  struct Conn;
  AwsEndpoint endpoint_;
  std::unique_ptr<Conn> conn_;
};

}  // namespace floe::cli
