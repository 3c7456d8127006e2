// libFuzzer target: the SigV4 Authorization header, as every request carries it. Input: the
// header's value (any bytes), verified against a fixed request in both modes (keys configured,
// and loopback without keys). Nothing may crash, hang or leak; a forged header is never
// accepted when signatures are verified.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/sigv4.h"
#include "common/clock.h"
#include "fuzz_runner.h"

using namespace floe;

namespace {

void One(const uint8_t* data, size_t size) {
  const std::string header(reinterpret_cast<const char*>(data), size);
  std::string body = "{}";
  api::HttpRequestView r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"Host", "127.0.0.1:8000"},
               {"X-Amz-Date", "20240101T000000Z"},
               {"X-Amz-Target", "DynamoDB_20120810.ListTables"},
               {"Authorization", header}};
  r.body = &body;
  static const ManualClock clock(1704067200000);  // 2024-01-01T00:00:00Z
  static const std::map<std::string, std::string> keys = {{"AKID", "secret"}};
  api::ParsedAuthorization auth;
  api::ApiError err;
  (void)api::ParseAuthorization(header, &auth, &err);
  const api::ExpectedScope scope{"us-east-1", "dynamodb"};
  if (api::VerifySigV4(r, keys, true, scope, &clock, &err)) {
    // Only the true signature passes: recompute it and compare.
    if (api::ComputeSignature(r, auth, "20240101T000000Z", "secret") != auth.signature) __builtin_trap();
  }
  (void)api::VerifySigV4(r, {}, false, scope, &clock, &err);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::RunOnRequestStack([&] { One(data, size); });
  return 0;
}
