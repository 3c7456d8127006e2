#pragma once
// Checks of row and batch values against their fields (internal to src/parquet). Errors are
// kInvalidArgument, "field <path>: <what>".
#include <string>
#include <string_view>

#include "common/status.h"
#include "parquet/schema.h"
#include "parquet/value.h"

namespace floe::parquet {

Status Mismatch(const Field& f, const std::string& what);
// int and date in 32 bits; time within a day.
Status CheckInt(const Field& f, int64_t x);
// At most `precision` digits.
Status CheckDecimal(const Field& f, int128_t x);
// UTF-8 strings, fixed and uuid lengths, at most 2 GB.
Status CheckBytes(const Field& f, std::string_view b);
// A whole value, nested ones included.
Status CheckValue(const Field& f, const Value& v);

}  // namespace floe::parquet
