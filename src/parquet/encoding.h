#pragma once
// Parquet's value and level encodings that floe writes (internal to src/parquet).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "parquet/writer.h"

namespace floe::parquet {

// Bits needed for values 0..max_value (0 for max_value 0).
int BitWidth(uint64_t max_value);

// The RLE / bit-packed hybrid (Encodings.md), without a length prefix: runs of 8 or more equal
// values become RLE runs, everything else bit-packed groups of 8 (the last group zero-padded).
void EncodeHybrid(const uint8_t* values, size_t n, int bit_width, std::string* out);
void EncodeHybrid(const uint32_t* values, size_t n, int bit_width, std::string* out);

// PLAIN booleans: one bit per value, least significant bit first.
void EncodeBooleans(const uint8_t* values, size_t n, std::string* out);

bool IsValidUtf8(std::string_view s);

// One page compressor, reused across pages. Not thread-safe.
class Compressor {
 public:
  static Result<std::unique_ptr<Compressor>> Make(Codec codec, int level);
  virtual ~Compressor() = default;
  // Replaces *out with the compressed form of `in`.
  virtual Status Compress(std::string_view in, std::string* out) = 0;
};

}  // namespace floe::parquet
