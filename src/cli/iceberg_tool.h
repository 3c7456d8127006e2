#pragma once
// `floe iceberg ...`: Iceberg tables from the command line, against a catalog kept in a local
// directory (its own storage; not the one of a running node).
namespace floe::cli {

// argv[1] is "iceberg". Returns the process exit code.
int IcebergTool(int argc, char** argv);

}  // namespace floe::cli
