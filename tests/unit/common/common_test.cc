#include <gtest/gtest.h>

#include "common/base64.h"
#include "common/config.h"
#include "common/hlc.h"

namespace floe {
namespace {

TEST(Base64, RoundTripsAllLengths) {
  std::string data;
  for (int i = 0; i < 70; ++i) {
    data.push_back(static_cast<char>(i * 37));
    auto enc = Base64Encode(data);
    auto dec = Base64Decode(enc);
    ASSERT_TRUE(dec.ok()) << enc;
    EXPECT_EQ(*dec, data);
  }
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
}

TEST(Base64, RejectsMalformed) {
  EXPECT_FALSE(Base64Decode("abc").ok());
  EXPECT_FALSE(Base64Decode("ab!d").ok());
  EXPECT_FALSE(Base64Decode("a===").ok());
  EXPECT_FALSE(Base64Decode("QR==").ok());  // non-canonical trailing bits
  EXPECT_TRUE(Base64Decode("QQ==").ok());
}

TEST(Hlc, MonotonicEvenWhenClockStepsBack) {
  ManualClock clock(1000);
  Hlc hlc(&clock);
  uint64_t a = hlc.Now();
  EXPECT_EQ(Hlc::Physical(a), 1000u);
  uint64_t b = hlc.Now();
  EXPECT_GT(b, a);
  clock.Set(500);
  uint64_t c = hlc.Now();
  EXPECT_GT(c, b);
  clock.Set(2000);
  uint64_t d = hlc.Now();
  EXPECT_EQ(Hlc::Physical(d), 2000u);
  EXPECT_EQ(Hlc::Logical(d), 0u);
  hlc.Observe(Hlc::Make(3000, 5));
  EXPECT_GT(hlc.Now(), Hlc::Make(3000, 5));
}

TEST(Config, ParseListenAndValidate) {
  std::string host;
  uint16_t port;
  ASSERT_TRUE(ParseListen("127.0.0.1:8000", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8000);
  ASSERT_TRUE(ParseListen("[::1]:9", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_FALSE(ParseListen("nohost", &host, &port).ok());
  EXPECT_FALSE(ParseListen("h:99999", &host, &port).ok());

  ServerConfig c;
  EXPECT_TRUE(Validate(c).ok());
  c.listen_host = "0.0.0.0";
  Status st = Validate(c);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("without access keys"), std::string::npos);
  c.access_keys["AKID"] = "secret";
  EXPECT_TRUE(Validate(c).ok());
}

TEST(StatusMacros, PropagateErrors) {
  auto fails = []() -> Result<int> { return Status::NotFound("x"); };
  auto user = [&]() -> Status {
    ASSIGN_OR_RETURN(int v, fails());
    (void)v;
    return Status::Ok();
  };
  Status s = user();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace floe
