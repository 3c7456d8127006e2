#pragma once
// Cryptographically random bytes and version-4 UUIDs (OpenSSL's RAND_bytes). Thread-safe.
#include <cstddef>
#include <string>

namespace floe {

// Fills out[0, n) with random bytes.
void RandomBytes(void* out, size_t n);
// A random (version 4) UUID in its 8-4-4-4-12 lower-case hex form.
std::string NewUuid();

}  // namespace floe
