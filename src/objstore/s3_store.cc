// The S3-compatible store and the routing store (store.h).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>

#include "aws/http_client.h"
#include "aws/sigv4.h"
#include "common/hex.h"
#include "objstore/store.h"

namespace floe::objstore {

namespace {

constexpr int kAttempts = 3;
constexpr char kEmptyHash[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Bucket naming rules (S3's general-purpose buckets): 3-63 of [a-z0-9.-], starting and ending
// with a letter or digit.
bool ValidBucket(std::string_view b) {
  if (b.size() < 3 || b.size() > 63) return false;
  for (char c : b) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '.' ||
          c == '-')) {
      return false;
    }
  }
  return std::isalnum(static_cast<unsigned char>(b.front())) && std::isalnum(static_cast<unsigned char>(b.back()));
}

struct S3Path {
  std::string bucket;
  std::string key;
};

Result<S3Path> ParseS3(std::string_view location) {
  if (location.rfind("s3://", 0) != 0)
    return Status::InvalidArgument("not an s3:// location: " + std::string(location));
  std::string_view rest = location.substr(5);
  const size_t slash = rest.find('/');
  S3Path p;
  p.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) p.key = std::string(rest.substr(slash + 1));
  if (!ValidBucket(p.bucket)) {
    return Status::InvalidArgument("bad bucket name '" + p.bucket + "' in " + std::string(location));
  }
  return p;
}

// The text of the first <tag>...</tag> at or after *pos in xml, entities decoded; advances *pos
// past it. False when absent.
bool XmlText(std::string_view xml, std::string_view tag, size_t* pos, size_t end, std::string* out) {
  const std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
  const size_t b = xml.find(open, *pos);
  if (b == std::string_view::npos || b >= end) return false;
  const size_t e = xml.find(close, b + open.size());
  if (e == std::string_view::npos || e > end) return false;
  std::string_view raw = xml.substr(b + open.size(), e - b - open.size());
  out->clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out->push_back(raw[i]);
      continue;
    }
    const size_t semi = raw.find(';', i);
    if (semi == std::string_view::npos) {
      out->push_back('&');
      continue;
    }
    std::string_view ent = raw.substr(i + 1, semi - i - 1);
    uint32_t cp = 0;
    bool ok = true;
    if (ent == "amp")
      cp = '&';
    else if (ent == "lt")
      cp = '<';
    else if (ent == "gt")
      cp = '>';
    else if (ent == "quot")
      cp = '"';
    else if (ent == "apos")
      cp = '\'';
    else if (ent.size() > 1 && ent[0] == '#') {
      const bool hex = ent[1] == 'x' || ent[1] == 'X';
      for (char c : ent.substr(hex ? 2 : 1)) {
        const int d = hex ? HexDigitValue(c) : (std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : -1);
        if (d < 0 || cp > 0x10FFFF)
          ok = false;
        else
          cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
      }
      ok = ok && cp <= 0x10FFFF;
    } else {
      ok = false;
    }
    if (!ok) {
      out->push_back('&');
      continue;
    }
    // UTF-8 of the code point.
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    i = semi;
  }
  *pos = e + close.size();
  return true;
}

// "2024-01-02T03:04:05.678Z" -> epoch ms; 0 when malformed.
int64_t ParseIsoMs(const std::string& s) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec) != 6) {
    return 0;
  }
  if (s.size() > 20 && s[19] == '.') ms = std::atoi(s.substr(20, 3).c_str());
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

// "Tue, 02 Jan 2024 03:04:05 GMT" -> epoch ms; 0 when malformed.
int64_t ParseHttpDateMs(const std::string& s) {
  std::tm tm{};
  if (strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S", &tm) == nullptr) return 0;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

class S3Store final : public Store {
 public:
  S3Store(S3Options o, aws::Endpoint endpoint) : options_(std::move(o)), endpoint_(std::move(endpoint)) {}

  Status Write(const std::string& location, std::string_view data, bool exclusive) override {
    ASSIGN_OR_RETURN(S3Path p, ParseS3(location));
    if (p.key.empty()) return Status::InvalidArgument("no object key in " + location);
    aws::Headers h{{"content-type", "application/octet-stream"}};
    if (exclusive) h.emplace_back("if-none-match", "*");
    ASSIGN_OR_RETURN(aws::HttpResponse r, Request("PUT", p, "", h, data));
    if (r.status == 200) return Status::Ok();
    return Error(r, "PUT", location);
  }

  Result<std::string> Read(const std::string& location) override { return ReadRange(location, 0, -1); }

  Result<std::string> ReadRange(const std::string& location, int64_t offset, int64_t length) override {
    ASSIGN_OR_RETURN(S3Path p, ParseS3(location));
    if (offset < 0) return Status::InvalidArgument("negative offset reading " + location);
    if (length == 0) {
      RETURN_IF_ERROR(Stat(location).status());
      return std::string();
    }
    aws::Headers h;
    if (offset > 0 || length > 0) {
      h.emplace_back("range", "bytes=" + std::to_string(offset) + "-" +
                                  (length > 0 ? std::to_string(offset + length - 1) : std::string()));
    }
    ASSIGN_OR_RETURN(aws::HttpResponse r, Request("GET", p, "", h, ""));
    if (r.status == 206) return std::move(r.body);
    if (r.status == 200) {
      // The whole object (a store that ignores Range, or no range asked for).
      if (offset == 0 && length < 0) return std::move(r.body);
      if (static_cast<size_t>(offset) >= r.body.size()) return std::string();
      return r.body.substr(static_cast<size_t>(offset), length < 0 ? std::string::npos : static_cast<size_t>(length));
    }
    if (r.status == 416) return std::string();  // the range starts at or past the end
    return Error(r, "GET", location);
  }

  Result<ObjectInfo> Stat(const std::string& location) override {
    ASSIGN_OR_RETURN(S3Path p, ParseS3(location));
    ASSIGN_OR_RETURN(aws::HttpResponse r, Request("HEAD", p, "", {}, ""));
    if (r.status != 200) return Error(r, "HEAD", location);
    ObjectInfo info{location, 0, 0};
    if (const std::string* len = r.Header("content-length")) info.size = std::atoll(len->c_str());
    if (const std::string* lm = r.Header("last-modified")) info.modified_ms = ParseHttpDateMs(*lm);
    return info;
  }

  Status Delete(const std::string& location) override {
    ASSIGN_OR_RETURN(S3Path p, ParseS3(location));
    if (p.key.empty()) return Status::InvalidArgument("no object key in " + location);
    ASSIGN_OR_RETURN(aws::HttpResponse r, Request("DELETE", p, "", {}, ""));
    if (r.status == 204 || r.status == 200 || r.status == 404) return Status::Ok();
    return Error(r, "DELETE", location);
  }

  Result<std::vector<ObjectInfo>> List(const std::string& prefix) override {
    ASSIGN_OR_RETURN(S3Path p, ParseS3(prefix));
    std::vector<ObjectInfo> out;
    std::string token;
    const std::string base = "s3://" + p.bucket + "/";
    S3Path bucket{p.bucket, ""};
    while (true) {
      std::string query = "list-type=2&prefix=" + aws::UriEncode(p.key, false);
      if (!token.empty()) query += "&continuation-token=" + aws::UriEncode(token, false);
      ASSIGN_OR_RETURN(aws::HttpResponse r, Request("GET", bucket, query, {}, ""));
      if (r.status != 200) return Error(r, "ListObjectsV2", prefix);
      const std::string& xml = r.body;
      size_t pos = 0;
      while (true) {
        const size_t b = xml.find("<Contents>", pos);
        if (b == std::string::npos) break;
        const size_t e = xml.find("</Contents>", b);
        if (e == std::string::npos) return Status::IOError("truncated ListObjectsV2 answer for " + prefix);
        std::string key, size, modified;
        size_t at = b;
        if (!XmlText(xml, "Key", &at, e, &key)) return Status::IOError("a ListObjectsV2 entry without a Key");
        at = b;
        XmlText(xml, "Size", &at, e, &size);
        at = b;
        XmlText(xml, "LastModified", &at, e, &modified);
        out.push_back(ObjectInfo{base + key, std::atoll(size.c_str()), ParseIsoMs(modified)});
        pos = e;
      }
      std::string truncated;
      size_t at = 0;
      XmlText(xml, "IsTruncated", &at, xml.size(), &truncated);
      at = 0;
      if (truncated != "true" || !XmlText(xml, "NextContinuationToken", &at, xml.size(), &token) || token.empty())
        break;
    }
    std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.location < b.location; });
    return out;
  }

 private:
  // Sends one signed request for an object (or, with an empty key, its bucket), retrying
  // transient failures. Returns the response whatever its status.
  Result<aws::HttpResponse> Request(const std::string& method, const S3Path& p, const std::string& query,
                                    const aws::Headers& extra, std::string_view body) {
    aws::Endpoint ep = endpoint_;
    std::string target = ep.base_path;
    if (options_.path_style) {
      target += "/" + p.bucket + "/" + aws::UriEncode(p.key, true);
    } else {
      ep.host = p.bucket + "." + ep.host;
      target += "/" + aws::UriEncode(p.key, true);
    }
    if (!query.empty()) target += "?" + query;
    const std::string payload_hash = body.empty() ? std::string(kEmptyHash) : aws::Sha256Hex(body);
    Result<aws::HttpResponse> last = Status::Unavailable("no attempt");
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100 << (2 * (attempt - 1))));
      aws::Headers h = extra;
      h.emplace_back("host", ep.HostHeader());
      aws::SignRequest(options_.credentials, options_.region, "s3", method, target, payload_hash,
                       static_cast<int64_t>(std::time(nullptr)), &h);
      std::unique_ptr<aws::HttpClient> client = Acquire(ep);
      last = client->Send(method, target, h, body);
      if (last.ok()) Release(std::move(client));
      if (last.ok() && last->status != 500 && last->status != 503) return last;
      if (!last.ok() && last.status().code() != StatusCode::kUnavailable) return last;
    }
    return last;
  }

  std::unique_ptr<aws::HttpClient> Acquire(const aws::Endpoint& ep) {
    {
      std::lock_guard<std::mutex> l(mu_);
      auto& idle = idle_[ep.host];
      if (!idle.empty()) {
        auto c = std::move(idle.back());
        idle.pop_back();
        return c;
      }
    }
    aws::TlsOptions tls;
    tls.ca_file = options_.ca_file;
    return std::make_unique<aws::HttpClient>(ep, tls);
  }

  void Release(std::unique_ptr<aws::HttpClient> c) {
    std::lock_guard<std::mutex> l(mu_);
    auto& idle = idle_[c->endpoint().host];
    if (idle.size() < 8) idle.push_back(std::move(c));
  }

  // S3's error (an XML body with Code and Message) as a Status.
  static Status Error(const aws::HttpResponse& r, const char* op, const std::string& location) {
    std::string code, message;
    size_t at = 0;
    XmlText(r.body, "Code", &at, r.body.size(), &code);
    at = 0;
    XmlText(r.body, "Message", &at, r.body.size(), &message);
    std::string m = std::string(op) + " " + location + ": HTTP " + std::to_string(r.status);
    if (!code.empty()) m += " " + code;
    if (!message.empty()) m += ": " + message;
    if (r.status == 404) return Status::NotFound(m);
    if (r.status == 412) return Status::ResourceInUse(m);
    if (r.status == 500 || r.status == 503) return Status::Unavailable(m);
    return Status::IOError(m);
  }

  const S3Options options_;
  const aws::Endpoint endpoint_;
  std::mutex mu_;
  std::map<std::string, std::vector<std::unique_ptr<aws::HttpClient>>> idle_;  // by host (guarded by mu_)
};

class RoutingStore final : public Store {
 public:
  RoutingStore(std::unique_ptr<Store> local, std::unique_ptr<Store> s3)
      : local_(std::move(local)), s3_(std::move(s3)) {}

  Status Write(const std::string& l, std::string_view data, bool exclusive) override {
    ASSIGN_OR_RETURN(Store * s, For(l));
    return s->Write(l, data, exclusive);
  }
  Result<std::string> Read(const std::string& l) override {
    ASSIGN_OR_RETURN(Store * s, For(l));
    return s->Read(l);
  }
  Result<std::string> ReadRange(const std::string& l, int64_t offset, int64_t length) override {
    ASSIGN_OR_RETURN(Store * s, For(l));
    return s->ReadRange(l, offset, length);
  }
  Result<ObjectInfo> Stat(const std::string& l) override {
    ASSIGN_OR_RETURN(Store * s, For(l));
    return s->Stat(l);
  }
  Status Delete(const std::string& l) override {
    ASSIGN_OR_RETURN(Store * s, For(l));
    return s->Delete(l);
  }
  Result<std::vector<ObjectInfo>> List(const std::string& prefix) override {
    ASSIGN_OR_RETURN(Store * s, For(prefix));
    return s->List(prefix);
  }

 private:
  Result<Store*> For(const std::string& location) {
    if (!IsS3Location(location)) return local_.get();
    if (!s3_) return Status::InvalidArgument("no S3 settings for " + location + " (the \"s3\" config key)");
    return s3_.get();
  }

  std::unique_ptr<Store> local_;
  std::unique_ptr<Store> s3_;
};

}  // namespace

Result<std::unique_ptr<Store>> NewS3Store(S3Options options) {
  aws::Endpoint ep;
  const std::string url =
      options.endpoint.empty() ? "https://s3." + options.region + ".amazonaws.com" : options.endpoint;
  RETURN_IF_ERROR(aws::ParseEndpointUrl(url, &ep));
  if (options.region.empty()) return Status::InvalidArgument("S3 needs a region");
  if (options.credentials.access_key.empty() || options.credentials.secret_key.empty()) {
    return Status::InvalidArgument("S3 needs credentials (an access key id and a secret access key)");
  }
  return std::unique_ptr<Store>(new S3Store(std::move(options), std::move(ep)));
}

std::unique_ptr<Store> NewRoutingStore(std::unique_ptr<Store> local, std::unique_ptr<Store> s3) {
  return std::make_unique<RoutingStore>(std::move(local), std::move(s3));
}

bool IsS3Location(std::string_view location) { return location.rfind("s3://", 0) == 0; }

Result<std::string> ResolveWarehouse(std::string_view dir_or_uri) {
  if (dir_or_uri.rfind("s3a://", 0) == 0 || dir_or_uri.rfind("s3n://", 0) == 0) {
    return Status::InvalidArgument("use s3:// for an S3 warehouse, not " + std::string(dir_or_uri));
  }
  if (!IsS3Location(dir_or_uri)) return ResolveLocalLocation(dir_or_uri);
  std::string loc(dir_or_uri);
  while (loc.size() > 5 && loc.back() == '/') loc.pop_back();
  ASSIGN_OR_RETURN(S3Path p, ParseS3(loc));
  if (p.key.find("//") != std::string::npos || (!p.key.empty() && p.key[0] == '/')) {
    return Status::InvalidArgument("empty path segment in " + loc);
  }
  return loc;
}

}  // namespace floe::objstore
