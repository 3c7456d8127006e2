#pragma once
// Errors are values (DESIGN.md convention 1). Status carries one code from a small closed
// set plus a message; the API layer maps codes to DynamoDB error types:
//   kInvalidArgument   -> ValidationException
//   kSerialization     -> SerializationException (a request body of the wrong JSON shape)
//   kNotFound          -> ResourceNotFoundException
//   kResourceInUse     -> ResourceInUseException
//   kConditionFailed   -> ConditionalCheckFailedException
//   kLimitExceeded     -> LimitExceededException
//   kIOError, kCorruption, kInternal -> InternalServerError (HTTP 500)
//   kUnavailable       -> ServiceUnavailable (HTTP 503)
//   kExpired           -> ExpiredIteratorException (DynamoDB Streams)
//   kTrimmed           -> TrimmedDataAccessException (DynamoDB Streams)
//   kTransactionCanceled -> TransactionCanceledException (reasons travel beside the status)
//   kIdempotentMismatch  -> IdempotentParameterMismatchException
//   kTransactionConflict -> TransactionConflictException (a write met an ongoing transaction)
//   kTableNotFound     -> TableNotFoundException (the backup operations' "no such table")
//   kCommitFailed      -> an optimistic commit lost a race (Iceberg: CommitFailedException,
//                         HTTP 409); reload and retry
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace floe {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kSerialization,
  kNotFound,
  kResourceInUse,
  kConditionFailed,
  kLimitExceeded,
  kIOError,
  kCorruption,
  kInternal,
  kUnavailable,
  kExpired,
  kTrimmed,
  kTransactionCanceled,
  kIdempotentMismatch,
  kTableNotFound,
  kTransactionConflict,
  kCommitFailed,
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status Serialization(std::string m) { return {StatusCode::kSerialization, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status ResourceInUse(std::string m) { return {StatusCode::kResourceInUse, std::move(m)}; }
  static Status ConditionFailed(std::string m) { return {StatusCode::kConditionFailed, std::move(m)}; }
  static Status LimitExceeded(std::string m) { return {StatusCode::kLimitExceeded, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Expired(std::string m) { return {StatusCode::kExpired, std::move(m)}; }
  static Status Trimmed(std::string m) { return {StatusCode::kTrimmed, std::move(m)}; }
  static Status TransactionCanceled(std::string m) { return {StatusCode::kTransactionCanceled, std::move(m)}; }
  static Status IdempotentMismatch(std::string m) { return {StatusCode::kIdempotentMismatch, std::move(m)}; }
  static Status TableNotFound(std::string m) { return {StatusCode::kTableNotFound, std::move(m)}; }
  static Status TransactionConflict(std::string m) { return {StatusCode::kTransactionConflict, std::move(m)}; }
  static Status CommitFailed(std::string m) { return {StatusCode::kCommitFailed, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Result<T>: a T or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                                              // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace floe

#define FLOE_CONCAT_INNER(a, b) a##b
#define FLOE_CONCAT(a, b) FLOE_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)    \
  do {                           \
    ::floe::Status _st = (expr); \
    if (!_st.ok()) return _st;   \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(FLOE_CONCAT(_res_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
