#pragma once
// `floe parquet write`: JSON lines in, a Parquet file out (see docs/formats/parquet.md).
namespace floe::cli {
int ParquetTool(int argc, char** argv);
}
