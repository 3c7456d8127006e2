#include "aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "common/ascii.h"
#include "common/hex.h"

namespace floe::aws {

namespace {

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

bool IsUnreserved(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '~';
}

std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t pos = 0;
  while (!query.empty() && pos <= query.size()) {
    size_t amp = query.find('&', pos);
    std::string_view part = query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string k = PercentDecode(part.substr(0, eq), true);
      std::string v = eq == std::string_view::npos ? "" : PercentDecode(part.substr(eq + 1), true);
      if (k != "X-Amz-Signature") params.emplace_back(UriEncode(k, false), UriEncode(v, false));
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (size_t i = 0; i < params.size(); ++i) {
    if (i) out += '&';
    out += params[i].first + "=" + params[i].second;
  }
  return out;
}

}  // namespace

std::string CanonicalHeaderValue(std::string_view s) {
  s = TrimSpacesAndTabs(s);
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (c == ' ') {
      if (!space) out += ' ';
      space = true;
    } else {
      out += c;
      space = false;
    }
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(d), sizeof d));
}

std::string UriEncode(std::string_view s, bool keep_slash) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out += c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  return out;
}

std::string Signature(const SigningInput& in, std::string_view secret) {
  std::string_view path = in.target, query;
  if (size_t q = path.find('?'); q != std::string_view::npos) {
    query = path.substr(q + 1);
    path = path.substr(0, q);
  }
  std::string canonical(in.method);
  canonical += "\n";
  canonical += path.empty() ? std::string("/") : UriEncode(PercentDecode(path, true), true);
  canonical += "\n" + CanonicalQuery(query) + "\n";
  std::string signed_list;
  for (size_t i = 0; i < in.signed_headers->size(); ++i) {
    const std::string& name = (*in.signed_headers)[i];
    std::string value;
    bool first = true;
    for (const auto& [k, v] : *in.headers) {
      if (!EqualsIgnoreCase(k, name)) continue;
      if (!first) value += ',';
      value += CanonicalHeaderValue(v);
      first = false;
    }
    canonical += name + ":" + value + "\n";
    if (i) signed_list += ';';
    signed_list += name;
  }
  canonical += "\n" + signed_list + "\n";
  canonical += in.payload_hash;
  std::string scope(in.scope_date);
  scope += "/";
  scope += in.region;
  scope += "/";
  scope += in.service;
  scope += "/aws4_request";
  std::string to_sign = "AWS4-HMAC-SHA256\n";
  to_sign += in.amz_date;
  to_sign += "\n" + scope + "\n" + Sha256Hex(canonical);
  std::string key = Hmac("AWS4" + std::string(secret), in.scope_date);
  key = Hmac(key, in.region);
  key = Hmac(key, in.service);
  key = Hmac(key, "aws4_request");
  return HexEncode(Hmac(key, to_sign));
}

void SignRequest(const Credentials& creds, std::string_view region, std::string_view service, std::string_view method,
                 std::string_view target, std::string_view payload_hash, int64_t now_seconds, Headers* headers) {
  const std::time_t now = static_cast<std::time_t>(now_seconds);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char amz_date[32], date[16];
  std::strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
  std::strftime(date, sizeof date, "%Y%m%d", &tm);
  headers->emplace_back("x-amz-date", amz_date);
  headers->emplace_back("x-amz-content-sha256", std::string(payload_hash));
  if (!creds.session_token.empty()) headers->emplace_back("x-amz-security-token", creds.session_token);
  std::vector<std::string> names;
  for (const auto& [k, v] : *headers) names.push_back(AsciiLower(k));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  SigningInput in;
  in.method = method;
  in.target = target;
  in.headers = headers;
  in.signed_headers = &names;
  in.payload_hash = payload_hash;
  in.amz_date = amz_date;
  in.scope_date = date;
  in.region = region;
  in.service = service;
  std::string signed_list;
  for (const auto& n : names) signed_list += (signed_list.empty() ? "" : ";") + n;
  headers->emplace_back("authorization", "AWS4-HMAC-SHA256 Credential=" + creds.access_key + "/" + date + "/" +
                                             std::string(region) + "/" + std::string(service) +
                                             "/aws4_request, SignedHeaders=" + signed_list +
                                             ", Signature=" + Signature(in, creds.secret_key));
}

}  // namespace floe::aws
