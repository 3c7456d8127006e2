#include "api/api_error.h"

#include "json/json.h"

namespace floe::api {

namespace {
constexpr char kDynamo[] = "com.amazonaws.dynamodb.v20120810#";
constexpr char kCoral[] = "com.amazon.coral.service#";

ApiError Make(int status, std::string type, std::string message) {
  ApiError e;
  e.http_status = status;
  e.type = std::move(type);
  e.message = std::move(message);
  return e;
}
}  // namespace

ApiError ApiError::Validation(std::string m) {
  return Make(400, "com.amazon.coral.validate#ValidationException", std::move(m));
}
ApiError ApiError::Serialization(std::string m) {
  return Make(400, std::string(kCoral) + "SerializationException", std::move(m));
}
ApiError ApiError::ResourceNotFound(std::string m) {
  return Make(400, std::string(kDynamo) + "ResourceNotFoundException", std::move(m));
}
ApiError ApiError::ResourceInUse(std::string m) {
  return Make(400, std::string(kDynamo) + "ResourceInUseException", std::move(m));
}
ApiError ApiError::ConditionalCheckFailed(std::string m) {
  return Make(400, std::string(kDynamo) + "ConditionalCheckFailedException", std::move(m));
}
ApiError ApiError::LimitExceeded(std::string m) {
  return Make(400, std::string(kDynamo) + "LimitExceededException", std::move(m));
}
ApiError ApiError::UnknownOperation() { return Make(400, std::string(kCoral) + "UnknownOperationException", ""); }
ApiError ApiError::MissingAuthenticationToken() {
  return Make(400, std::string(kCoral) + "MissingAuthenticationTokenException",
              "Request is missing Authentication Token");
}
ApiError ApiError::IncompleteSignature(std::string m) {
  return Make(400, std::string(kCoral) + "IncompleteSignatureException", std::move(m));
}
ApiError ApiError::InvalidSignature(std::string m) {
  return Make(400, std::string(kCoral) + "InvalidSignatureException", std::move(m));
}
ApiError ApiError::UnrecognizedClient() {
  return Make(400, std::string(kCoral) + "UnrecognizedClientException",
              "The security token included in the request is invalid.");
}
ApiError ApiError::RequestTooLarge(size_t limit) {
  return Make(413, std::string(kCoral) + "RequestEntityTooLargeException",
              "Request entity size exceeds the maximum allowed of " + std::to_string(limit) + " bytes");
}
ApiError ApiError::Internal(std::string m) {
  return Make(500, std::string(kDynamo) + "InternalServerError", std::move(m));
}
ApiError ApiError::Unavailable(std::string m) {
  return Make(503, std::string(kCoral) + "ServiceUnavailableException", std::move(m));
}

ApiError ApiError::ExpiredIterator(std::string m) {
  return Make(400, std::string(kDynamo) + "ExpiredIteratorException", std::move(m));
}
ApiError ApiError::TrimmedDataAccess(std::string m) {
  return Make(400, std::string(kDynamo) + "TrimmedDataAccessException", std::move(m));
}

ApiError ApiError::TransactionCanceled(std::string m) {
  return Make(400, std::string(kDynamo) + "TransactionCanceledException", std::move(m));
}
ApiError ApiError::IdempotentParameterMismatch(std::string m) {
  return Make(400, std::string(kDynamo) + "IdempotentParameterMismatchException", std::move(m));
}

ApiError ApiError::TableNotFound(std::string m) {
  return Make(400, std::string(kDynamo) + "TableNotFoundException", std::move(m));
}

ApiError ApiError::TransactionConflict(std::string m) {
  return Make(400, std::string(kDynamo) + "TransactionConflictException", std::move(m));
}

ApiError ApiError::FromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument: return Validation(s.message());
    case StatusCode::kSerialization: return Serialization(s.message());
    case StatusCode::kNotFound: return ResourceNotFound(s.message());
    case StatusCode::kResourceInUse: return ResourceInUse(s.message());
    case StatusCode::kConditionFailed: return ConditionalCheckFailed(s.message());
    case StatusCode::kLimitExceeded: return LimitExceeded(s.message());
    case StatusCode::kUnavailable: return Unavailable(s.message());
    case StatusCode::kExpired: return ExpiredIterator(s.message());
    case StatusCode::kTrimmed: return TrimmedDataAccess(s.message());
    case StatusCode::kTransactionCanceled: return TransactionCanceled(s.message());
    case StatusCode::kIdempotentMismatch: return IdempotentParameterMismatch(s.message());
    case StatusCode::kTableNotFound: return TableNotFound(s.message());
    case StatusCode::kTransactionConflict: return TransactionConflict(s.message());
    case StatusCode::kOk:
    case StatusCode::kCommitFailed:  // Iceberg only; never reaches a DynamoDB response
    case StatusCode::kIOError:
    case StatusCode::kCorruption:
    case StatusCode::kInternal: break;
  }
  return Internal("Internal server error");
}

std::string ApiError::RenderBody() const {
  json::Writer w;
  w.StartObject();
  w.Key("__type");
  w.String(type);
  w.Key("message");
  w.String(message);
  if (!item_json.empty()) {
    w.Key("Item");
    w.RawJson(item_json);
  }
  if (!cancellation_reasons_json.empty()) {
    w.Key("CancellationReasons");
    w.RawJson(cancellation_reasons_json);
  }
  w.EndObject();
  return w.Take();
}

}  // namespace floe::api
