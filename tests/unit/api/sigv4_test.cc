#include <gtest/gtest.h>

#include "api/api_error.h"
#include "api/sigv4.h"

namespace floe::api {
namespace {

// The worked example of the AWS Signature Version 4 documentation (IAM ListUsers).
HttpRequestView ExampleRequest(const std::string* body) {
  HttpRequestView r;
  r.method = "GET";
  r.target = "/?Action=ListUsers&Version=2010-05-08";
  r.headers = {{"Host", "iam.amazonaws.com"},
               {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
               {"X-Amz-Date", "20150830T123600Z"}};
  r.body = body;
  return r;
}

TEST(SigV4, MatchesTheDocumentedExample) {
  std::string body;
  HttpRequestView r = ExampleRequest(&body);
  ParsedAuthorization auth;
  ApiError err;
  ASSERT_TRUE(ParseAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
      &auth, &err));
  EXPECT_EQ(ComputeSignature(r, auth, "20150830T123600Z", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), auth.signature);
}

TEST(SigV4, VerificationOutcomes) {
  std::string body;
  HttpRequestView r = ExampleRequest(&body);
  std::string authz =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
  r.headers.emplace_back("Authorization", authz);
  ManualClock clock(1440938160000);  // 2015-08-30T12:36:00Z
  std::map<std::string, std::string> keys = {{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}};
  ApiError err;
  EXPECT_TRUE(VerifySigV4(r, keys, true, &clock, &err));

  std::map<std::string, std::string> wrong = {{"AKIDEXAMPLE", "other"}};
  EXPECT_FALSE(VerifySigV4(r, wrong, true, &clock, &err));
  EXPECT_NE(err.type.find("InvalidSignatureException"), std::string::npos);

  std::map<std::string, std::string> unknown = {{"OTHER", "x"}};
  EXPECT_FALSE(VerifySigV4(r, unknown, true, &clock, &err));
  EXPECT_NE(err.type.find("UnrecognizedClientException"), std::string::npos);

  clock.Advance(16 * 60 * 1000);
  EXPECT_FALSE(VerifySigV4(r, keys, true, &clock, &err));
  EXPECT_NE(err.message.find("Signature expired"), std::string::npos);

  // Unverified mode (loopback, no keys): a well-formed header is enough.
  EXPECT_TRUE(VerifySigV4(r, {}, false, &clock, &err));

  HttpRequestView none = ExampleRequest(&body);
  EXPECT_FALSE(VerifySigV4(none, {}, false, &clock, &err));
  EXPECT_NE(err.type.find("MissingAuthenticationTokenException"), std::string::npos);

  none.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=x");
  EXPECT_FALSE(VerifySigV4(none, {}, false, &clock, &err));
  EXPECT_NE(err.type.find("IncompleteSignatureException"), std::string::npos);
}

TEST(ApiError, RendersDynamoShape) {
  EXPECT_EQ(ApiError::ResourceNotFound("Requested resource not found").RenderBody(),
            R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"})");
  EXPECT_EQ(ApiError::FromStatus(Status::InvalidArgument("x")).type, "com.amazon.coral.validate#ValidationException");
  EXPECT_EQ(ApiError::FromStatus(Status::Corruption("x")).http_status, 500);
}

}  // namespace
}  // namespace floe::api
