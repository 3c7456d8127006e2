#include "common/status.h"

namespace floe {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kSerialization: return "Serialization";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kResourceInUse: return "ResourceInUse";
    case StatusCode::kConditionFailed: return "ConditionFailed";
    case StatusCode::kLimitExceeded: return "LimitExceeded";
    case StatusCode::kIOError: return "IOError";
    case StatusCode::kCorruption: return "Corruption";
    case StatusCode::kInternal: return "Internal";
    case StatusCode::kUnavailable: return "Unavailable";
    case StatusCode::kExpired: return "Expired";
    case StatusCode::kTrimmed: return "Trimmed";
    case StatusCode::kTransactionCanceled: return "TransactionCanceled";
    case StatusCode::kIdempotentMismatch: return "IdempotentMismatch";
    case StatusCode::kTableNotFound: return "TableNotFound";
    case StatusCode::kTransactionConflict: return "TransactionConflict";
    case StatusCode::kCommitFailed: return "CommitFailed";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

}  // namespace floe
