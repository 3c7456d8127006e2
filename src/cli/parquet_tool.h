#pragma once
// `floe parquet write`: JSON lines in, a Parquet file out (see docs/formats/parquet.md).
#include <string>

#include "common/status.h"

namespace floe::cli {
int ParquetTool(int argc, char** argv);

// The whole of a file, or of standard input for "-". Errors: kInvalidArgument naming the file.
Result<std::string> ReadInput(const std::string& path);
}  // namespace floe::cli
