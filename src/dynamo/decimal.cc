#include "dynamo/decimal.h"

#include <algorithm>
#include <vector>

namespace floe::dynamo {

namespace {
constexpr char kNotANumber[] = "A value provided cannot be converted into a number";
constexpr char kTooManyDigits[] = "Attempting to store more than 38 significant digits in a Number";
constexpr char kOverflow[] = "Number overflow. Attempting to store a number with magnitude larger than supported range";
constexpr char kUnderflow[] =
    "Number underflow. Attempting to store a number with magnitude smaller than supported range";
}  // namespace

void Decimal::Normalize() {
  size_t lead = 0;
  while (lead < digits_.size() && digits_[lead] == '0') ++lead;
  digits_.erase(0, lead);
  exponent_ -= static_cast<int>(lead);
  while (!digits_.empty() && digits_.back() == '0') digits_.pop_back();
  if (digits_.empty()) {
    negative_ = false;
    exponent_ = 0;
  }
}

Status Decimal::CheckRange(const Decimal& d) {
  if (d.is_zero()) return Status::Ok();
  const int sci = d.exponent_ - 1;
  if (sci > kMaxExponent) return Status::InvalidArgument(kOverflow);
  if (sci < kMinExponent) return Status::InvalidArgument(kUnderflow);
  if (static_cast<int>(d.digits_.size()) > kMaxDigits) return Status::InvalidArgument(kTooManyDigits);
  return Status::Ok();
}

Result<Decimal> Decimal::Parse(std::string_view s) {
  Decimal d;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    d.negative_ = s[i] == '-';
    ++i;
  }
  size_t int_digits = 0, frac_digits = 0;
  std::string digits;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    digits += s[i++];
    ++int_digits;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      digits += s[i++];
      ++frac_digits;
    }
  }
  if (int_digits + frac_digits == 0) return Status::InvalidArgument(kNotANumber);
  long long exp10 = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      exp_neg = s[i] == '-';
      ++i;
    }
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (exp10 < 100000000) exp10 = exp10 * 10 + (s[i] - '0');
      ++i;
    }
    if (i == start) return Status::InvalidArgument(kNotANumber);
    if (exp_neg) exp10 = -exp10;
  }
  if (i != s.size()) return Status::InvalidArgument(kNotANumber);
  // value = 0.digits x 10^(int_digits + exp10)
  d.digits_ = std::move(digits);
  long long e = static_cast<long long>(int_digits) + exp10;
  // Normalize before the range check: leading zeros move the exponent.
  size_t lead = 0;
  while (lead < d.digits_.size() && d.digits_[lead] == '0') ++lead;
  d.digits_.erase(0, lead);
  e -= static_cast<long long>(lead);
  while (!d.digits_.empty() && d.digits_.back() == '0') d.digits_.pop_back();
  if (d.digits_.empty()) return Decimal();
  if (static_cast<int>(d.digits_.size()) > kMaxDigits) return Status::InvalidArgument(kTooManyDigits);
  if (e - 1 > kMaxExponent) return Status::InvalidArgument(kOverflow);
  if (e - 1 < kMinExponent) return Status::InvalidArgument(kUnderflow);
  d.exponent_ = static_cast<int>(e);
  return d;
}

Decimal Decimal::FromInt64(int64_t v) {
  Decimal d;
  if (v == 0) return d;
  d.negative_ = v < 0;
  uint64_t mag = v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
  d.digits_ = std::to_string(mag);
  d.exponent_ = static_cast<int>(d.digits_.size());
  d.Normalize();
  return d;
}

std::string Decimal::ToString() const {
  if (is_zero()) return "0";
  std::string out;
  if (negative_) out += '-';
  const int n = static_cast<int>(digits_.size());
  if (exponent_ <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent_), '0');
    out += digits_;
  } else if (exponent_ >= n) {
    out += digits_;
    out.append(static_cast<size_t>(exponent_ - n), '0');
  } else {
    out.append(digits_, 0, static_cast<size_t>(exponent_));
    out += '.';
    out.append(digits_, static_cast<size_t>(exponent_), std::string::npos);
  }
  return out;
}

namespace {
// Compares magnitudes of two normalized non-zero decimals.
int CompareMagnitude(const std::string& da, int ea, const std::string& db, int eb) {
  if (ea != eb) return ea < eb ? -1 : 1;
  int c = da.compare(db);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}
}  // namespace

int Decimal::Compare(const Decimal& o) const {
  if (is_zero() && o.is_zero()) return 0;
  if (is_zero()) return o.negative_ ? 1 : -1;
  if (o.is_zero()) return negative_ ? -1 : 1;
  if (negative_ != o.negative_) return negative_ ? -1 : 1;
  int c = CompareMagnitude(digits_, exponent_, o.digits_, o.exponent_);
  return negative_ ? -c : c;
}

Decimal Decimal::Negated() const {
  Decimal d = *this;
  if (!d.is_zero()) d.negative_ = !d.negative_;
  return d;
}

Result<Decimal> Decimal::Add(const Decimal& a, const Decimal& b) {
  if (a.is_zero()) return b;
  if (b.is_zero()) return a;
  // Align both to a common digit grid: position p holds the digit of 10^(top - 1 - p).
  const int top = std::max(a.exponent_, b.exponent_);
  const int bottom =
      std::min(a.exponent_ - static_cast<int>(a.digits_.size()), b.exponent_ - static_cast<int>(b.digits_.size()));
  const int width = top - bottom;
  // Both inputs are range-checked, so width <= 126 + 130 + 38.
  std::vector<int> x(static_cast<size_t>(width), 0), y(static_cast<size_t>(width), 0);
  for (size_t i = 0; i < a.digits_.size(); ++i) x[static_cast<size_t>(top - a.exponent_) + i] = a.digits_[i] - '0';
  for (size_t i = 0; i < b.digits_.size(); ++i) y[static_cast<size_t>(top - b.exponent_) + i] = b.digits_[i] - '0';
  Decimal r;
  std::vector<int> out(static_cast<size_t>(width) + 1, 0);  // out[0] is the carry digit
  if (a.negative_ == b.negative_) {
    int carry = 0;
    for (int p = width - 1; p >= 0; --p) {
      int s = x[p] + y[p] + carry;
      out[p + 1] = s % 10;
      carry = s / 10;
    }
    out[0] = carry;
    r.negative_ = a.negative_;
  } else {
    int cmp = CompareMagnitude(a.digits_, a.exponent_, b.digits_, b.exponent_);
    if (cmp == 0) return Decimal();
    const std::vector<int>& big = cmp > 0 ? x : y;
    const std::vector<int>& small = cmp > 0 ? y : x;
    int borrow = 0;
    for (int p = width - 1; p >= 0; --p) {
      int s = big[p] - small[p] - borrow;
      borrow = s < 0 ? 1 : 0;
      out[p + 1] = s + (borrow ? 10 : 0);
    }
    r.negative_ = cmp > 0 ? a.negative_ : b.negative_;
  }
  r.digits_.reserve(out.size());
  for (int d : out) r.digits_ += static_cast<char>('0' + d);
  r.exponent_ = top + 1;
  r.Normalize();
  RETURN_IF_ERROR(CheckRange(r));
  return r;
}

Result<Decimal> Decimal::Subtract(const Decimal& a, const Decimal& b) { return Add(a, b.Negated()); }

// Layout (docs/formats/keys.md):
//   zero:     0x80
//   positive: 0x81, (exponent + 129) as one byte, each digit d as (d + 1), 0x00
//   negative: 0x7F, 255 - (exponent + 129), each digit as 0xFF - (d + 1), 0xFF
void Decimal::EncodeOrdered(std::string* out) const {
  if (is_zero()) {
    out->push_back(static_cast<char>(0x80));
    return;
  }
  const uint8_t e = static_cast<uint8_t>(exponent_ + 129);
  if (!negative_) {
    out->push_back(static_cast<char>(0x81));
    out->push_back(static_cast<char>(e));
    for (char c : digits_) out->push_back(static_cast<char>(c - '0' + 1));
    out->push_back(static_cast<char>(0x00));
  } else {
    out->push_back(static_cast<char>(0x7F));
    out->push_back(static_cast<char>(255 - e));
    for (char c : digits_) out->push_back(static_cast<char>(0xFF - (c - '0' + 1)));
    out->push_back(static_cast<char>(0xFF));
  }
}

Result<Decimal> Decimal::DecodeOrdered(std::string_view* in) {
  if (in->empty()) return Status::Corruption("truncated ordered decimal");
  const uint8_t tag = static_cast<uint8_t>((*in)[0]);
  if (tag == 0x80) {
    in->remove_prefix(1);
    return Decimal();
  }
  if ((tag != 0x81 && tag != 0x7F) || in->size() < 3) return Status::Corruption("bad ordered decimal");
  const bool neg = tag == 0x7F;
  Decimal d;
  d.negative_ = neg;
  uint8_t e = static_cast<uint8_t>((*in)[1]);
  if (neg) e = static_cast<uint8_t>(255 - e);
  d.exponent_ = static_cast<int>(e) - 129;
  size_t i = 2;
  for (;; ++i) {
    if (i >= in->size()) return Status::Corruption("unterminated ordered decimal");
    uint8_t b = static_cast<uint8_t>((*in)[i]);
    if (neg) b = static_cast<uint8_t>(0xFF - b);
    if (b == 0) break;
    if (b > 10) return Status::Corruption("bad digit in ordered decimal");
    d.digits_ += static_cast<char>('0' + b - 1);
  }
  in->remove_prefix(i + 1);
  if (d.digits_.empty() || d.digits_.front() == '0' || d.digits_.back() == '0') {
    return Status::Corruption("non-normalized ordered decimal");
  }
  return d;
}

}  // namespace floe::dynamo
