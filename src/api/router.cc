#include "api/router.h"

#include <string_view>
#include <unordered_map>

#include "api/api_error.h"
#include "api/ops.h"
#include "common/log.h"
#include "dynamo/attribute_json.h"
#include "iceberg/rest_catalog.h"
#include "json/json.h"
#include "storage/engine.h"

namespace floe::api {

namespace {

const std::unordered_map<std::string_view, OpHandler>& DynamoOps() {
  static const std::unordered_map<std::string_view, OpHandler> ops = {
      {"CreateTable", &CreateTable},
      {"DescribeTable", &DescribeTable},
      {"ListTables", &ListTables},
      {"DeleteTable", &DeleteTable},
      {"UpdateTable", &UpdateTable},
      {"PutItem", &PutItem},
      {"GetItem", &GetItem},
      {"DeleteItem", &DeleteItem},
      {"UpdateItem", &UpdateItem},
      {"BatchWriteItem", &BatchWriteItem},
      {"BatchGetItem", &BatchGetItem},
      {"Query", &Query},
      {"Scan", &Scan},
      {"UpdateTimeToLive", &UpdateTimeToLive},
      {"DescribeTimeToLive", &DescribeTimeToLive},
      {"TransactWriteItems", &TransactWriteItems},
      {"TransactGetItems", &TransactGetItems},
      {"TagResource", &TagResource},
      {"UntagResource", &UntagResource},
      {"ListTagsOfResource", &ListTagsOfResource},
      {"DescribeLimits", &DescribeLimits},
      {"DescribeEndpoints", &DescribeEndpoints},
      {"DescribeContinuousBackups", &DescribeContinuousBackups},
  };
  return ops;
}

const std::unordered_map<std::string_view, OpHandler>& StreamsOps() {
  static const std::unordered_map<std::string_view, OpHandler> ops = {
      {"ListStreams", &ListStreams},
      {"DescribeStream", &DescribeStream},
      {"GetShardIterator", &GetShardIterator},
      {"GetRecords", &GetRecords},
  };
  return ops;
}

// The handler an X-Amz-Target names, or null.
OpHandler FindOp(std::string_view target) {
  constexpr std::string_view kDynamo = "DynamoDB_20120810.";
  constexpr std::string_view kStreams = "DynamoDBStreams_20120810.";
  const std::unordered_map<std::string_view, OpHandler>* table = nullptr;
  if (target.substr(0, kDynamo.size()) == kDynamo) {
    table = &DynamoOps();
    target.remove_prefix(kDynamo.size());
  } else if (target.substr(0, kStreams.size()) == kStreams) {
    table = &StreamsOps();
    target.remove_prefix(kStreams.size());
  } else {
    return nullptr;
  }
  auto it = table->find(target);
  return it == table->end() ? nullptr : it->second;
}

ApiResponse ErrorResponse(const ApiError& e) {
  ApiResponse r;
  r.status = e.http_status;
  r.body = e.RenderBody();
  return r;
}

}  // namespace

Router::Router(Services services) : services_(services), verify_signatures_(!services.config->access_keys.empty()) {}

bool Router::IsIcebergPath(const std::string& target) {
  return target == "/iceberg" || target.rfind("/iceberg/", 0) == 0 || target.rfind("/iceberg?", 0) == 0;
}

ApiResponse Router::HandleIceberg(const HttpRequestView& request) {
  iceberg::RestResponse rr;
  if (services_.iceberg == nullptr) {
    rr = iceberg::RestError(404, "NotFoundException", "No Iceberg catalog on this node");
  } else if (ApiError auth_error; !SignedWhereRequired(request, &auth_error)) {
    rr = iceberg::RestError(401, "NotAuthorizedException", auth_error.message);
  } else {
    static const std::string kEmpty;
    rr = services_.iceberg->Handle(request.method, request.target, request.body ? *request.body : kEmpty);
  }
  ApiResponse r;
  r.content_type = "application/json";
  r.status = rr.status;
  r.body = std::move(rr.body);
  // As for DynamoDB's answers: released once what it may have read is durable.
  r.durable_token = services_.engine ? services_.engine->VisibleToken() : 0;
  return r;
}

bool Router::SignedWhereRequired(const HttpRequestView& request, ApiError* error) const {
  return !verify_signatures_ ||
         VerifySigV4(request, services_.config->access_keys, true, ExpectedScope{}, services_.clock, error);
}

ApiResponse Router::HandleMetrics(const HttpRequestView& request) {
  ApiResponse r;
  if (ApiError auth_error; !SignedWhereRequired(request, &auth_error)) {
    // With access keys configured, the metrics (table names, rates) are not public.
    r.status = 403;
    r.content_type = "text/plain";
    r.body = auth_error.message + "\n";
    return r;
  }
  r.content_type = "text/plain; version=0.0.4";
  r.body = services_.metrics ? services_.metrics() : std::string();
  return r;
}

ApiResponse Router::Handle(const HttpRequestView& request) {
  if (IsIcebergPath(request.target)) return HandleIceberg(request);
  try {
    ApiError auth_error;
    // DynamoDB and DynamoDB Streams both sign as "dynamodb", for this node's region.
    if (!VerifySigV4(request, services_.config->access_keys, verify_signatures_,
                     ExpectedScope{services_.config->region, "dynamodb"}, services_.clock, &auth_error)) {
      return ErrorResponse(auth_error);
    }
    const std::string* target = request.Header("x-amz-target");
    const OpHandler op = target ? FindOp(*target) : nullptr;
    if (!op) return ErrorResponse(ApiError::UnknownOperation());

    auto parsed = json::Parse(*request.body, 256);
    if (!parsed.ok()) return ErrorResponse(ApiError::Serialization(parsed.status().message()));
    if (!parsed->is_object()) return ErrorResponse(ApiError::Serialization("Start of structure or map expected"));

    OpContext ctx{services_, 0, std::nullopt, {}};
    json::Writer out;
    Status st = op(ctx, *parsed, out);
    // Whatever the operation read (an item, a failed condition, a table) may include writes
    // that are applied but not yet durable. Its answer, success or error, is released only
    // once everything visible now is durable, as write acknowledgements are: no client acts on
    // a write that a crash then takes back. (Read-only traffic with no writes in flight finds
    // everything durable already and is answered at once.)
    const uint64_t observed = services_.engine ? services_.engine->VisibleToken() : 0;
    if (!st.ok()) {
      if (st.code() == StatusCode::kInternal || st.code() == StatusCode::kIOError ||
          st.code() == StatusCode::kCorruption) {
        log::Error("{} failed: {}", *target, st.ToString());
      }
      ApiError e = ApiError::FromStatus(st);
      if (st.code() == StatusCode::kConditionFailed && ctx.condition_failed_item) {
        json::Writer item;
        dynamo::WriteAttributeMap(item, *ctx.condition_failed_item);
        e.item_json = item.Take();
      }
      if (st.code() == StatusCode::kTransactionCanceled)
        e.cancellation_reasons_json = std::move(ctx.cancellation_reasons_json);
      ApiResponse r = ErrorResponse(e);
      r.durable_token = observed;
      return r;
    }
    ApiResponse r;
    r.body = out.Take();
    r.durable_token = std::max(ctx.durable_token, observed);
    return r;
  } catch (const std::exception& e) {
    log::Error("request failed with an exception: {}", e.what());
    return ErrorResponse(ApiError::Internal("Internal server error"));
  }
}

}  // namespace floe::api
