#pragma once
// Small, fast, non-cryptographic hashing shared across modules.
#include <cstdint>

namespace floe {

// MurmurHash3's 64-bit finalizer (fmix64): mixes every input bit into every output bit.
// Part of persisted hashes (dynamo::PartitionHash): do not change.
inline uint64_t Fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace floe
