#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "dynamo/decimal.h"

namespace floe::dynamo {
namespace {

std::string Canon(const char* s) {
  auto d = Decimal::Parse(s);
  EXPECT_TRUE(d.ok()) << s << ": " << d.status().ToString();
  return d.ok() ? d->ToString() : "";
}

TEST(Decimal, NormalizesLikeDynamoDB) {
  EXPECT_EQ(Canon("1.50"), "1.5");
  EXPECT_EQ(Canon("-0"), "0");
  EXPECT_EQ(Canon("0.000"), "0");
  EXPECT_EQ(Canon("1e2"), "100");
  EXPECT_EQ(Canon("1E+2"), "100");
  EXPECT_EQ(Canon("+7"), "7");
  EXPECT_EQ(Canon("007.0100"), "7.01");
  EXPECT_EQ(Canon(".5"), "0.5");
  EXPECT_EQ(Canon("5."), "5");
  EXPECT_EQ(Canon("-1.5e-3"), "-0.0015");
  EXPECT_EQ(Canon("123456789012345678901234567890.12345678"), "123456789012345678901234567890.12345678");
  EXPECT_EQ(Canon("1e125"), "1" + std::string(125, '0'));
  EXPECT_EQ(Canon("1e-130"), "0." + std::string(129, '0') + "1");
  EXPECT_EQ(Canon("9.9999999999999999999999999999999999999E+125").size(), 126u);
}

TEST(Decimal, RejectsWithDynamoMessages) {
  for (const char* bad : {"", "abc", "1.2.3", "--1", "1e", "e5", "1e+", " 1", "1 ", "NaN", "Infinity", "0x10", "."}) {
    auto d = Decimal::Parse(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().message(), "A value provided cannot be converted into a number") << bad;
  }
  EXPECT_EQ(Decimal::Parse("1e126").status().message(),
            "Number overflow. Attempting to store a number with magnitude larger than supported range");
  EXPECT_EQ(Decimal::Parse("1e-131").status().message(),
            "Number underflow. Attempting to store a number with magnitude smaller than supported range");
  EXPECT_EQ(Decimal::Parse("123456789012345678901234567890123456789").status().message(),
            "Attempting to store more than 38 significant digits in a Number");
  // Zeros do not count as significant digits.
  EXPECT_TRUE(Decimal::Parse("12345678901234567890123456789012345678000000").ok());
  EXPECT_TRUE(Decimal::Parse("0.000000000000000000000000000000000000000000001").ok());
  EXPECT_TRUE(Decimal::Parse("0e999999999999").ok());
}

TEST(Decimal, ComparesNumerically) {
  auto d = [](const char* s) { return *Decimal::Parse(s); };
  EXPECT_LT(d("-10").Compare(d("-9")), 0);
  EXPECT_LT(d("-0.001").Compare(d("0")), 0);
  EXPECT_LT(d("0.12").Compare(d("0.125")), 0);
  EXPECT_EQ(d("1.0").Compare(d("1")), 0);
  EXPECT_GT(d("100").Compare(d("99.999")), 0);
  EXPECT_LT(d("-1.25").Compare(d("-1.2")), 0);
}

TEST(Decimal, ExactArithmetic) {
  auto add = [](const char* a, const char* b) { return Decimal::Add(*Decimal::Parse(a), *Decimal::Parse(b)); };
  EXPECT_EQ(add("0.1", "0.2")->ToString(), "0.3");
  EXPECT_EQ(add("999", "1")->ToString(), "1000");
  EXPECT_EQ(add("-5", "3")->ToString(), "-2");
  EXPECT_EQ(add("5", "-5")->ToString(), "0");
  EXPECT_EQ(add("1e-130", "-1e-130")->ToString(), "0");
  EXPECT_EQ(add("12345678901234567890123456789012345678", "1")->ToString(), "12345678901234567890123456789012345679");
  EXPECT_EQ(Decimal::Subtract(*Decimal::Parse("1"), *Decimal::Parse("0.0001"))->ToString(), "0.9999");
  auto too_precise = add("1e30", "1e-10");
  ASSERT_FALSE(too_precise.ok());
  EXPECT_EQ(too_precise.status().message(), "Attempting to store more than 38 significant digits in a Number");
  auto overflow = add("9.9999999999999999999999999999999999999E+125", "9.9999999999999999999999999999999999999E+125");
  ASSERT_FALSE(overflow.ok());
  EXPECT_NE(overflow.status().message().find("overflow"), std::string::npos);
}

TEST(Decimal, OrderedEncodingGoldenBytes) {
  auto enc = [](const char* s) {
    std::string out;
    Decimal::Parse(s)->EncodeOrdered(&out);
    std::string hex;
    for (unsigned char c : out) {
      char b[3];
      snprintf(b, sizeof b, "%02x", c);
      hex += b;
    }
    return hex;
  };
  EXPECT_EQ(enc("0"), "80");
  EXPECT_EQ(enc("1"), "81820200");
  EXPECT_EQ(enc("-1"), "7f7dfdff");
  EXPECT_EQ(enc("12.5"), "818302030600");
  EXPECT_EQ(enc("0.001"), "817f0200");
}

TEST(Decimal, OrderedEncodingSortsLikeNumbers) {
  std::mt19937 rng(42);
  std::vector<Decimal> nums;
  for (int i = 0; i < 2000; ++i) {
    std::string s;
    if (rng() % 2) s += '-';
    int digits = 1 + rng() % 38;
    for (int j = 0; j < digits; ++j) s += static_cast<char>('0' + rng() % 10);
    s += "e" + std::to_string(static_cast<int>(rng() % 200) - 100);
    auto d = Decimal::Parse(s);
    if (d.ok()) nums.push_back(*d);
  }
  std::vector<std::pair<std::string, Decimal>> encoded;
  for (const auto& d : nums) {
    std::string e;
    d.EncodeOrdered(&e);
    std::string_view view = e;
    auto back = Decimal::DecodeOrdered(&view);
    ASSERT_TRUE(back.ok());
    EXPECT_TRUE(view.empty());
    EXPECT_EQ(back->ToString(), d.ToString());
    encoded.emplace_back(e, d);
  }
  std::sort(encoded.begin(), encoded.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < encoded.size(); ++i) {
    EXPECT_LE(encoded[i - 1].second.Compare(encoded[i].second), 0)
        << encoded[i - 1].second.ToString() << " vs " << encoded[i].second.ToString();
  }
}

}  // namespace
}  // namespace floe::dynamo
