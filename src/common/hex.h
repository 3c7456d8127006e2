#pragma once
// Lowercase hexadecimal rendering of bytes (SigV4 signatures, Parquet bounds, tests).
#include <string>
#include <string_view>

namespace floe {

inline std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto c = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[c >> 4];
    out[2 * i + 1] = kDigits[c & 15];
  }
  return out;
}

}  // namespace floe
