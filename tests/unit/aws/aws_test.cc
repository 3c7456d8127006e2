#include <gtest/gtest.h>

#include "aws/http_client.h"
#include "aws/sigv4.h"

namespace floe::aws {
namespace {

std::string HeaderValue(const Headers& h, const std::string& name) {
  for (const auto& [k, v] : h) {
    if (k == name) return v;
  }
  return "";
}

// AWS's published example (S3 API reference, "Signature Calculations for the Authorization
// Header": GET Object with a Range header).
TEST(SigV4, AwsPublishedS3GetObjectExample) {
  Credentials c{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  Headers h{{"host", "examplebucket.s3.amazonaws.com"}, {"range", "bytes=0-9"}};
  SignRequest(c, "us-east-1", "s3", "GET", "/test.txt",
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 1369353600, &h);
  EXPECT_EQ(HeaderValue(h, "x-amz-date"), "20130524T000000Z");
  EXPECT_EQ(HeaderValue(h, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

// Signatures botocore's S3SigV4Auth computes for the same requests (an independent signer):
// an object key with a space, a '+' and a non-ASCII letter, and a ListObjectsV2 query.
TEST(SigV4, MatchesBotocoreOnEncodedKeysAndQueries) {
  Credentials c{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  Headers put{{"content-type", "application/octet-stream"}, {"host", "127.0.0.1:9000"}};
  SignRequest(c, "eu-west-1", "s3", "PUT", "/lake/wh/db/t/data/" + UriEncode("a b+c\xc3\xa9.parquet", true),
              Sha256Hex("hello"), 1795262400, &put);
  EXPECT_EQ(HeaderValue(put, "x-amz-content-sha256"),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  EXPECT_NE(HeaderValue(put, "authorization")
                .find("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, "
                      "Signature=c73f12c06d744b6f948b28a07276b661628b45b55a7d6e4c13e10eb633bdde4c"),
            std::string::npos)
      << HeaderValue(put, "authorization");
  Headers list{{"host", "127.0.0.1:9000"}};
  SignRequest(
      c, "eu-west-1", "s3", "GET",
      "/lake?list-type=2&prefix=" + UriEncode("wh/db/", false) + "&continuation-token=" + UriEncode("abc==", false),
      Sha256Hex(""), 1795262400, &list);
  EXPECT_NE(HeaderValue(list, "authorization")
                .find("Signature=061c050e9b5363e27afc509ed177def598b925055d433b7bd8823001c747defd"),
            std::string::npos)
      << HeaderValue(list, "authorization");
}

TEST(SigV4, SessionTokenIsSentAndSigned) {
  Credentials c{"AKID", "secret", "token/with+chars"};
  Headers h{{"host", "example.com"}};
  SignRequest(c, "us-east-1", "dynamodb", "POST", "/", Sha256Hex("{}"), 1795262400, &h);
  EXPECT_EQ(HeaderValue(h, "x-amz-security-token"), "token/with+chars");
  EXPECT_NE(
      HeaderValue(h, "authorization").find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token"),
      std::string::npos);
}

TEST(SigV4, UriEncodeIsRfc3986) {
  EXPECT_EQ(UriEncode("a-b_c.d~e/f g+h=", true), "a-b_c.d~e/f%20g%2Bh%3D");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(UriEncode("\xc3\xa9", false), "%C3%A9");
}

TEST(Endpoint, ParsesUrls) {
  Endpoint e;
  ASSERT_TRUE(ParseEndpointUrl("https://s3.eu-west-1.amazonaws.com", &e).ok());
  EXPECT_TRUE(e.tls);
  EXPECT_EQ(e.host, "s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(e.port, "443");
  EXPECT_EQ(e.HostHeader(), "s3.eu-west-1.amazonaws.com");
  ASSERT_TRUE(ParseEndpointUrl("http://127.0.0.1:8000/", &e).ok());
  EXPECT_FALSE(e.tls);
  EXPECT_EQ(e.port, "8000");
  EXPECT_EQ(e.base_path, "");
  EXPECT_EQ(e.HostHeader(), "127.0.0.1:8000");
  ASSERT_TRUE(ParseEndpointUrl("http://[::1]:9000/minio/", &e).ok());
  EXPECT_EQ(e.host, "::1");
  EXPECT_EQ(e.base_path, "/minio");
  EXPECT_EQ(e.HostHeader(), "[::1]:9000");
  ASSERT_TRUE(ParseEndpointUrl("https://localhost:443", &e).ok());
  EXPECT_EQ(e.HostHeader(), "localhost");
  for (const char* bad : {"ftp://x", "localhost:8000", "http://", "http://:80", "http://h:0", "http://h:99999",
                          "http://h:8a", "http://user@h", "http://[::1"}) {
    Status st = ParseEndpointUrl(bad, &e);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(st.message().find(bad), std::string::npos) << st.message();
  }
}

TEST(HttpClient, UnreachableEndpointIsUnavailable) {
  Endpoint e;
  ASSERT_TRUE(ParseEndpointUrl("http://127.0.0.1:1", &e).ok());
  HttpClient c(e);
  auto r = c.Send("GET", "/", {}, "", 2000);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(c.Send("NOT A METHOD", "/", {}, "").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace floe::aws
