#include "common/random.h"

#include <openssl/rand.h>

#include <cstdio>
#include <random>

namespace floe {

void RandomBytes(void* out, size_t n) {
  auto* b = static_cast<unsigned char*>(out);
  if (RAND_bytes(b, static_cast<int>(n)) == 1) return;
  thread_local std::mt19937_64 rng{std::random_device{}()};
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<unsigned char>(rng());
}

std::string NewUuid() {
  unsigned char b[16];
  RandomBytes(b, sizeof b);
  b[6] = (b[6] & 0x0F) | 0x40;
  b[8] = (b[8] & 0x3F) | 0x80;
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

}  // namespace floe
