#pragma once
#include <string>
#include <string_view>

#include "common/status.h"

namespace floe {

std::string Base64Encode(std::string_view bytes);
// Strict RFC 4648 decoding (padding required, no whitespace). Errors: kInvalidArgument with
// a message naming the problem (the caller adds context).
Result<std::string> Base64Decode(std::string_view text);

}  // namespace floe
