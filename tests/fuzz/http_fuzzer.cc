// libFuzzer target: the HTTP/1.1 request parser with the server's limits (headers at most
// 64 KB, bodies at most 1 MiB here), chunked bodies and gzip/deflate bodies, which are
// decoded with the same cap. Nothing may crash, hang, leak, or decode past the cap.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_runner.h"
#include "http/request.h"

using namespace floe;

namespace {

void One(const uint8_t* data, size_t size) {
  constexpr size_t kMaxBody = 1 << 20;
  auto r = http::ParseRequestBytes(std::string_view(reinterpret_cast<const char*>(data), size), kMaxBody);
  if (r.ok() && r->body.size() > kMaxBody) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::RunOnRequestStack([&] { One(data, size); });
  return 0;
}
