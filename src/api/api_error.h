#pragma once
// The one error type of the API layer and its one renderer (DESIGN.md convention 2).
#include <string>

#include "common/status.h"

namespace floe::api {

struct ApiError {
  int http_status = 400;
  std::string type;  // the full "__type", e.g. "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
  std::string message;
  // ConditionalCheckFailedException with ReturnValuesOnConditionCheckFailure=ALL_OLD: the
  // item, as serialized JSON, rendered as "Item".
  std::string item_json;
  // TransactionCanceledException: the CancellationReasons array, as serialized JSON.
  std::string cancellation_reasons_json;

  static ApiError Validation(std::string message);
  static ApiError Serialization(std::string message);
  static ApiError ResourceNotFound(std::string message);
  static ApiError ResourceInUse(std::string message);
  static ApiError ConditionalCheckFailed(std::string message);
  static ApiError LimitExceeded(std::string message);
  static ApiError UnknownOperation();
  static ApiError MissingAuthenticationToken();
  static ApiError IncompleteSignature(std::string message);
  static ApiError InvalidSignature(std::string message);
  static ApiError UnrecognizedClient();
  static ApiError RequestTooLarge(size_t limit);
  static ApiError Internal(std::string message);
  static ApiError Unavailable(std::string message);
  static ApiError ExpiredIterator(std::string message);
  static ApiError TrimmedDataAccess(std::string message);
  static ApiError TransactionCanceled(std::string message);
  static ApiError IdempotentParameterMismatch(std::string message);
  static ApiError TableNotFound(std::string message);
  static ApiError TransactionConflict(std::string message);

  // Maps a module Status to the DynamoDB error its code stands for (status.h).
  static ApiError FromStatus(const Status& status);

  // {"__type": ..., "message": ...}
  std::string RenderBody() const;
};

}  // namespace floe::api
