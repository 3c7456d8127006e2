#pragma once
// Exact decimal numbers with DynamoDB's rules: at most 38 significant digits, magnitudes
// from 1E-130 to 9.9999999999999999999999999999999999999E+125, plus zero. Values are kept
// normalized (no leading or trailing zero digits), so equal numbers have equal
// representations and equal canonical text: "1.50" -> "1.5", "-0" -> "0", "1e2" -> "100".
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace floe::dynamo {

class Decimal {
 public:
  static constexpr int kMaxDigits = 38;
  static constexpr int kMaxExponent = 125;   // largest scientific exponent
  static constexpr int kMinExponent = -130;  // smallest scientific exponent

  Decimal() = default;  // zero

  // Parses DynamoDB number text: [+|-] digits [. digits] [(e|E) [+|-] digits], or with the
  // integer part omitted (".5"). Errors (kInvalidArgument), with DynamoDB's messages: not a
  // number, more than 38 significant digits, overflow, underflow.
  static Result<Decimal> Parse(std::string_view text);
  static Decimal FromInt64(int64_t v);

  bool is_zero() const { return digits_.empty(); }
  bool is_negative() const { return negative_; }
  // Significant digits without leading or trailing zeros ("" for zero).
  const std::string& digits() const { return digits_; }
  // The value is 0.d1d2...dn x 10^exponent().
  int exponent() const { return exponent_; }

  // Plain notation, never an exponent, as DynamoDB returns numbers.
  std::string ToString() const;

  // -1, 0, 1.
  int Compare(const Decimal& other) const;
  bool operator==(const Decimal& o) const { return Compare(o) == 0; }
  bool operator<(const Decimal& o) const { return Compare(o) < 0; }

  // Exact sum and difference. Errors as Parse when the result leaves DynamoDB's range or
  // needs more than 38 significant digits.
  static Result<Decimal> Add(const Decimal& a, const Decimal& b);
  static Result<Decimal> Subtract(const Decimal& a, const Decimal& b);
  Decimal Negated() const;

  // Order-preserving, self-delimiting encoding (docs/formats/keys.md):
  // bytes compare as the numbers do.
  void EncodeOrdered(std::string* out) const;
  // Decodes from the front of *in and advances it. Errors: kCorruption.
  static Result<Decimal> DecodeOrdered(std::string_view* in);

 private:
  static Status CheckRange(const Decimal& d);
  void Normalize();

  bool negative_ = false;
  std::string digits_;
  int exponent_ = 0;
};

}  // namespace floe::dynamo
