#include "cli/aws_client.h"

#include <ctime>

namespace floe::cli {

AwsClient::AwsClient(AwsEndpoint endpoint) : endpoint_(std::move(endpoint)), http_(endpoint_.endpoint, endpoint_.tls) {}
AwsClient::~AwsClient() = default;

Result<json::Value> AwsClient::Call(const std::string& service, const std::string& target, const std::string& body,
                                    AwsError* error) {
  const std::string path = endpoint_.endpoint.base_path.empty() ? "/" : endpoint_.endpoint.base_path;
  aws::Headers headers{{"host", endpoint_.endpoint.HostHeader()},
                       {"content-type", "application/x-amz-json-1.0"},
                       {"x-amz-target", target}};
  aws::SignRequest(endpoint_.credentials, endpoint_.region, service, "POST", path, aws::Sha256Hex(body),
                   static_cast<int64_t>(std::time(nullptr)), &headers);
  ASSIGN_OR_RETURN(aws::HttpResponse res, http_.Send("POST", path, headers, body));
  const std::string where = endpoint_.endpoint.HostHeader();
  auto parsed = json::Parse(res.body);
  if (res.status == 200) {
    if (!parsed.ok()) return Status::Internal("bad JSON from " + where + ": " + parsed.status().message());
    return std::move(parsed).value();
  }
  error->http_status = res.status;
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
  if (error->http_status >= 500) {
    return Status::Unavailable(target + ": HTTP " + std::to_string(error->http_status) + " " + error->message);
  }
  return Status::InvalidArgument(target + ": " + error->type + ": " + error->message);
}

}  // namespace floe::cli
