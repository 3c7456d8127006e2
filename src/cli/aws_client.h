#pragma once
// A small client for AWS JSON APIs (DynamoDB, DynamoDB Streams) over HTTP/1.1 or HTTPS with
// SigV4 signatures, for `floe replicate`. Keeps one connection open and reconnects on failure.
// Not thread-safe: one per thread.
#include <memory>
#include <string>

#include "aws/http_client.h"
#include "aws/sigv4.h"
#include "common/status.h"
#include "json/json.h"

namespace floe::cli {

struct AwsEndpoint {
  aws::Endpoint endpoint;  // from ParseEndpointUrl (http:// or https://)
  std::string region;
  aws::Credentials credentials;
  aws::TlsOptions tls;
};

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
  // response, returns kUnavailable (connection, TLS, HTTP 5xx), or kInvalidArgument with
  // *error filled.
  Result<json::Value> Call(const std::string& service, const std::string& target, const std::string& body,
                           AwsError* error);

 private:
  AwsEndpoint endpoint_;
  aws::HttpClient http_;
};

}  // namespace floe::cli
