#include "api/sigv4.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "aws/sigv4.h"
#include "common/ascii.h"

namespace floe::api {

namespace {

// "20240101T000000Z" -> epoch seconds; -1 if malformed.
int64_t ParseAmzDate(const std::string& s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return -1;
  std::tm tm{};
  if (std::sscanf(s.c_str(), "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec) != 6) {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

const std::string* HttpRequestView::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return &v;
  }
  return nullptr;
}

bool ParseAuthorization(const std::string& header, ParsedAuthorization* out, ApiError* error) {
  static constexpr std::string_view kAlgo = "AWS4-HMAC-SHA256";
  if (header.rfind("AWS4-", 0) != 0) {
    *error = ApiError::MissingAuthenticationToken();  // as DynamoDB answers any other scheme
    return false;
  }
  if (header.compare(0, kAlgo.size(), kAlgo) != 0 || header.size() <= kAlgo.size() || header[kAlgo.size()] != ' ') {
    *error = ApiError::IncompleteSignature(
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either "
        "a 'X-Amz-Date' or a 'Date' header. Authorization=" +
        header);
    return false;
  }
  // Views into header: this runs for every request, so nothing is copied until the end.
  const std::string_view rest = std::string_view(header).substr(kAlgo.size() + 1);
  std::string_view credential, signed_headers, signature;
  size_t pos = 0;
  while (pos < rest.size()) {
    const size_t comma = rest.find(',', pos);
    const std::string_view part =
        TrimSpacesAndTabs(rest.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    const size_t eq = part.find('=');
    if (eq != std::string_view::npos) {
      const std::string_view k = part.substr(0, eq), v = part.substr(eq + 1);
      if (k == "Credential")
        credential = v;
      else if (k == "SignedHeaders")
        signed_headers = v;
      else if (k == "Signature")
        signature = v;
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  std::string missing;
  if (credential.empty()) missing += "Authorization header requires 'Credential' parameter. ";
  if (signature.empty()) missing += "Authorization header requires 'Signature' parameter. ";
  if (signed_headers.empty()) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!missing.empty()) {
    *error = ApiError::IncompleteSignature(missing + "Authorization=" + header);
    return false;
  }
  // Credential=AKID/yyyymmdd/region/service/aws4_request
  std::string_view parts[5];
  size_t n = 0;
  for (size_t s = 0;;) {
    const size_t slash = credential.find('/', s);
    const std::string_view piece =
        credential.substr(s, slash == std::string_view::npos ? std::string_view::npos : slash - s);
    if (n < 5) parts[n] = piece;
    ++n;
    if (slash == std::string_view::npos) break;
    s = slash + 1;
  }
  if (n != 5) {
    *error = ApiError::IncompleteSignature(
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" +
        std::string(credential) + "'");
    return false;
  }
  out->access_key = parts[0];
  out->date = parts[1];
  out->region = parts[2];
  out->service = parts[3];
  out->terminator = parts[4];
  out->signature = signature;
  out->signed_headers.clear();
  for (size_t h = 0;;) {
    const size_t semi = signed_headers.find(';', h);
    out->signed_headers.push_back(
        AsciiLower(signed_headers.substr(h, semi == std::string_view::npos ? std::string_view::npos : semi - h)));
    if (semi == std::string_view::npos) break;
    h = semi + 1;
  }
  return true;
}

std::string ComputeSignature(const HttpRequestView& req, const ParsedAuthorization& auth, const std::string& amz_date,
                             const std::string& secret) {
  // The payload hash as the client declared it; VerifySigV4 checks it against the body.
  const std::string* content_sha = req.Header("x-amz-content-sha256");
  const std::string payload_hash = content_sha ? *content_sha : aws::Sha256Hex(req.body ? *req.body : "");
  aws::SigningInput in;
  in.method = req.method;
  in.target = req.target;
  in.headers = &req.headers;
  in.signed_headers = &auth.signed_headers;
  in.payload_hash = payload_hash;
  in.amz_date = amz_date;
  in.scope_date = auth.date;
  in.region = auth.region;
  in.service = auth.service;
  return aws::Signature(in, secret);
}

namespace {

// "yyyymmddThhmmssZ" for epoch seconds.
std::string FormatAmzDate(int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

constexpr char kSignatureMismatch[] =
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details.";

}  // namespace

bool VerifySigV4(const HttpRequestView& req, const std::map<std::string, std::string>& keys, bool verify,
                 const ExpectedScope& scope, const Clock* clock, ApiError* error) {
  const std::string* authz = req.Header("authorization");
  if (!authz) {
    *error = ApiError::MissingAuthenticationToken();
    return false;
  }
  ParsedAuthorization auth;
  if (!ParseAuthorization(*authz, &auth, error)) return false;
  const std::string* amz_date = req.Header("x-amz-date");
  if (!amz_date) {
    *error = ApiError::IncompleteSignature(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + *authz);
    return false;
  }
  // The credential scope: DynamoDB names every wrong part in one message, in this order.
  std::string scope_errors;
  if (!scope.region.empty() && auth.region != scope.region) {
    scope_errors += "Credential should be scoped to a valid region, not '" + auth.region + "'. ";
  }
  if (!scope.service.empty() && auth.service != scope.service) {
    scope_errors += "Credential should be scoped to correct service: '" + scope.service + "'. ";
  }
  if (auth.terminator != "aws4_request") {
    scope_errors +=
        "Credential should be scoped with a valid terminator: 'aws4_request', not '" + auth.terminator + "'. ";
  }
  if (auth.date.size() != 8 || amz_date->compare(0, 8, auth.date) != 0) {
    scope_errors += "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
                    auth.date + "' != '" + amz_date->substr(0, 8) + "', from '" + *amz_date + "'.";
  }
  if (!scope_errors.empty()) {
    *error = ApiError::InvalidSignature(scope_errors);
    return false;
  }
  if (!verify) return true;
  const int64_t signed_at = ParseAmzDate(*amz_date);
  const int64_t now = clock->NowMillis() / 1000;
  if (signed_at < 0) {
    *error = ApiError::IncompleteSignature("Date must be in ISO-8601 'basic format'. Got '" + *amz_date +
                                           "'. See http://en.wikipedia.org/wiki/ISO_8601");
    return false;
  }
  constexpr int64_t kSkew = 15 * 60;
  if (signed_at < now - kSkew) {
    *error = ApiError::InvalidSignature("Signature expired: " + *amz_date + " is now earlier than " +
                                        FormatAmzDate(now - kSkew) + " (" + FormatAmzDate(now) + " - 15 min.)");
    return false;
  }
  if (signed_at > now + kSkew) {
    *error = ApiError::InvalidSignature("Signature not yet current: " + *amz_date + " is still later than " +
                                        FormatAmzDate(now + kSkew) + " (" + FormatAmzDate(now) + " + 15 min.)");
    return false;
  }
  auto it = keys.find(auth.access_key);
  if (it == keys.end()) {
    *error = ApiError::UnrecognizedClient();
    return false;
  }
  bool has_host =
      std::find(auth.signed_headers.begin(), auth.signed_headers.end(), "host") != auth.signed_headers.end();
  if (!has_host) {
    *error = ApiError::InvalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    return false;
  }
  // The signature must cover the body: an unsigned payload or a declared hash that is not the
  // body's is a mismatch, as DynamoDB answers it.
  if (const std::string* declared = req.Header("x-amz-content-sha256");
      declared && *declared != aws::Sha256Hex(req.body ? *req.body : "")) {
    *error = ApiError::InvalidSignature(kSignatureMismatch);
    return false;
  }
  const std::string expected = ComputeSignature(req, auth, *amz_date, it->second);
  if (CRYPTO_memcmp(expected.data(), auth.signature.data(), std::min(expected.size(), auth.signature.size())) != 0 ||
      expected.size() != auth.signature.size()) {
    *error = ApiError::InvalidSignature(kSignatureMismatch);
    return false;
  }
  return true;
}

}  // namespace floe::api
