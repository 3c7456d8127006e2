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
  ASSERT_TRUE(
      ParseAuthorization("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                         "SignedHeaders=content-type;host;x-amz-date, "
                         "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
                         &auth, &err));
  EXPECT_EQ(ComputeSignature(r, auth, "20150830T123600Z", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), auth.signature);
}

const ExpectedScope kIam{"us-east-1", "iam"};

TEST(SigV4, VerificationOutcomes) {
  std::string body;
  HttpRequestView r = ExampleRequest(&body);
  std::string authz =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date, "
      "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
  r.headers.emplace_back("Authorization", authz);
  ManualClock clock(1440938160000);  // 2015-08-30T12:36:00Z
  std::map<std::string, std::string> keys = {{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}};
  ApiError err;
  EXPECT_TRUE(VerifySigV4(r, keys, true, kIam, &clock, &err));

  std::map<std::string, std::string> wrong = {{"AKIDEXAMPLE", "other"}};
  EXPECT_FALSE(VerifySigV4(r, wrong, true, kIam, &clock, &err));
  EXPECT_NE(err.type.find("InvalidSignatureException"), std::string::npos);

  std::map<std::string, std::string> unknown = {{"OTHER", "x"}};
  EXPECT_FALSE(VerifySigV4(r, unknown, true, kIam, &clock, &err));
  EXPECT_NE(err.type.find("UnrecognizedClientException"), std::string::npos);

  clock.Advance(16 * 60 * 1000);
  EXPECT_FALSE(VerifySigV4(r, keys, true, kIam, &clock, &err));
  EXPECT_EQ(err.message,
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)");
  ManualClock early(1440938160000 - 16 * 60 * 1000);
  EXPECT_FALSE(VerifySigV4(r, keys, true, kIam, &early, &err));
  EXPECT_EQ(
      err.message,
      "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z (20150830T122000Z + 15 min.)");

  // Unverified mode (loopback, no keys): a well-formed header is enough.
  EXPECT_TRUE(VerifySigV4(r, {}, false, kIam, &clock, &err));

  HttpRequestView none = ExampleRequest(&body);
  EXPECT_FALSE(VerifySigV4(none, {}, false, kIam, &clock, &err));
  EXPECT_NE(err.type.find("MissingAuthenticationTokenException"), std::string::npos);

  none.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=x");
  EXPECT_FALSE(VerifySigV4(none, {}, false, kIam, &clock, &err));
  EXPECT_NE(err.type.find("IncompleteSignatureException"), std::string::npos);
}

// The credential scope must name the node's region and the service's signing name, verified or
// not; every wrong part is named in one InvalidSignatureException, as DynamoDB does.
TEST(SigV4, ScopeMustNameTheRegionAndService) {
  std::string body;
  HttpRequestView r = ExampleRequest(&body);
  r.headers.emplace_back("Authorization",
                         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                         "SignedHeaders=content-type;host;x-amz-date, "
                         "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  ManualClock clock(1440938160000);
  std::map<std::string, std::string> keys = {{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}};
  ApiError err;
  for (bool verify : {false, true}) {
    EXPECT_FALSE(VerifySigV4(r, keys, verify, ExpectedScope{"us-east-1", "dynamodb"}, &clock, &err));
    EXPECT_EQ(err.type, "com.amazon.coral.service#InvalidSignatureException");
    EXPECT_EQ(err.message, "Credential should be scoped to correct service: 'dynamodb'. ");
    EXPECT_FALSE(VerifySigV4(r, keys, verify, ExpectedScope{"eu-west-1", "iam"}, &clock, &err));
    EXPECT_EQ(err.message, "Credential should be scoped to a valid region, not 'us-east-1'. ");
    EXPECT_FALSE(VerifySigV4(r, keys, verify, ExpectedScope{"eu-west-1", "dynamodb"}, &clock, &err));
    EXPECT_EQ(err.message,
              "Credential should be scoped to a valid region, not 'us-east-1'. Credential should be scoped to correct "
              "service: 'dynamodb'. ");
  }
  EXPECT_TRUE(VerifySigV4(r, keys, true, ExpectedScope{}, &clock, &err));  // the catalog: any scope
}

// With keys configured, the signature covers the body: UNSIGNED-PAYLOAD and a declared hash
// that is not the body's are refused with DynamoDB's signature mismatch.
TEST(SigV4, PayloadMustBeSigned) {
  std::string body;
  ManualClock clock(1440938160000);
  std::map<std::string, std::string> keys = {{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}};
  for (const char* declared :
       {"UNSIGNED-PAYLOAD", "0000000000000000000000000000000000000000000000000000000000000000"}) {
    HttpRequestView r = ExampleRequest(&body);
    r.headers.emplace_back("X-Amz-Content-Sha256", declared);
    ParsedAuthorization auth;
    ApiError err;
    const std::string authz_prefix =
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=";
    ASSERT_TRUE(ParseAuthorization(authz_prefix + "00", &auth, &err));
    // A signature that is right for what the client declared is still refused.
    const std::string sig = ComputeSignature(r, auth, "20150830T123600Z", keys["AKIDEXAMPLE"]);
    r.headers.emplace_back("Authorization", authz_prefix + sig);
    EXPECT_FALSE(VerifySigV4(r, keys, true, kIam, &clock, &err)) << declared;
    EXPECT_EQ(err.message.rfind("The request signature we calculated does not match", 0), 0u);
    EXPECT_TRUE(VerifySigV4(r, keys, false, kIam, &clock, &err));  // loopback without keys: not verified
  }
}

TEST(SigV4, MalformedAuthorizationHeaders) {
  std::string body;
  ManualClock clock(1440938160000);
  auto answer = [&](const std::string& authz) {
    HttpRequestView r = ExampleRequest(&body);
    r.headers.emplace_back("Authorization", authz);
    ApiError err;
    EXPECT_FALSE(VerifySigV4(r, {}, false, kIam, &clock, &err));
    return err.type.substr(err.type.find('#') + 1) + ": " + err.message;
  };
  EXPECT_EQ(answer("Basic abc"), "MissingAuthenticationTokenException: Request is missing Authentication Token");
  EXPECT_EQ(answer("AWS4-"),
            "IncompleteSignatureException: Authorization header requires 'Credential' parameter. "
            "Authorization header requires 'Signature' parameter. Authorization header requires "
            "'SignedHeaders' parameter. Authorization header requires existence of either a "
            "'X-Amz-Date' or a 'Date' header. Authorization=AWS4-");
  EXPECT_EQ(answer("AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=x"),
            "IncompleteSignatureException: Credential must have exactly 5 slash-delimited elements, e.g. "
            "keyid/date/region/service/term, got 'a/b/c'");
  EXPECT_EQ(
      answer("AWS4-HMAC-SHA256 Credential=a/20150830/us-east-1/iam/aws5_request, SignedHeaders=host, Signature=x"),
      "InvalidSignatureException: Credential should be scoped with a valid terminator: 'aws4_request', not "
      "'aws5_request'. ");
}

TEST(ApiError, RendersDynamoShape) {
  EXPECT_EQ(
      ApiError::ResourceNotFound("Requested resource not found").RenderBody(),
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"})");
  EXPECT_EQ(ApiError::FromStatus(Status::InvalidArgument("x")).type, "com.amazon.coral.validate#ValidationException");
  EXPECT_EQ(ApiError::FromStatus(Status::Corruption("x")).http_status, 500);
}

}  // namespace
}  // namespace floe::api
