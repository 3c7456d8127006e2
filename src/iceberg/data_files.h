#pragma once
// Writing an Iceberg table's Parquet files: data files (one or more per partition, with the
// metrics a data_file entry carries) and position delete files.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "iceberg/manifest.h"
#include "iceberg/metadata.h"
#include "iceberg/table.h"
#include "parquet/value.h"
#include "parquet/writer.h"

namespace floe::objstore {
class Store;
}

namespace floe::iceberg {

class Partitioner;

struct DataWriterOptions {
  // -1: the table property write.target-file-size-bytes (512 MiB): a partition's file is
  // closed and a new one started past this many (estimated, uncompressed) bytes.
  int64_t target_file_bytes = -1;
  // Codec from write.parquet.compression-codec (zstd) unless set here.
  std::optional<parquet::Codec> codec;
};

// Writes rows of the table's current schema, routed by the default partition spec. Files are
// named <location>/data/<partition path>/<uuid>-<n>.parquet and carry the Iceberg schema in
// their footer ("iceberg.schema"). Not thread-safe.
class DataWriter {
 public:
  static Result<std::unique_ptr<DataWriter>> Open(objstore::Store* store, const TableMetadata& table,
                                                  DataWriterOptions options = {});
  ~DataWriter();
  // Errors: kInvalidArgument naming the field (nothing buffered then).
  Status Append(const parquet::Value& row);
  // Where an appended row lands: files[file] of Finish()'s result, row `pos`.
  struct RowLocation {
    size_t file = 0;
    int64_t pos = 0;
  };
  Status Append(const parquet::Value& row, RowLocation* where);
  // Closes every open file and returns them. REQUIRES: called once.
  Result<std::vector<DataFile>> Finish();

 private:
  struct Open_;
  DataWriter() = default;
  Status CloseFile(Open_* f);

  objstore::Store* store_ = nullptr;
  std::string location_;
  parquet::Schema schema_;
  std::string schema_json_;
  int32_t spec_id_ = 0;
  std::unique_ptr<Partitioner> partitioner_;
  parquet::WriterOptions parquet_options_;
  int64_t target_bytes_ = 0;
  std::map<std::string, std::unique_ptr<Open_>> open_;  // by partition path
  size_t opened_ = 0;                                   // files opened so far (each one's ordinal)
  std::map<size_t, DataFile> done_;                     // closed files by ordinal
};

// The data_file entry of a closed Parquet file: counts and sizes of every column, bounds
// (truncated to 16 bytes for strings and binary) of columns not inside a list or map.
DataFile DataFileFromMetrics(const parquet::Schema& schema, const parquet::FileMetrics& metrics, std::string path);

// One position delete: row `pos` (0-based) of data file `file_path`.
struct PositionDelete {
  std::string file_path;
  int64_t pos = 0;
  bool operator<(const PositionDelete& o) const {
    return file_path != o.file_path ? file_path < o.file_path : pos < o.pos;
  }
};

// Writes a position delete file (sorted by file_path, pos, as the spec requires) for data
// files of one partition (`partition`, under the table's default spec). When every delete
// targets one data file, the entry's referenced_data_file names it.
Result<DataFile> WritePositionDeletes(objstore::Store* store, const TableMetadata& table,
                                      std::vector<PositionDelete> deletes, std::vector<parquet::Value> partition,
                                      int32_t spec_id);

// The change that deletes rows, given as positions per live data file of the table's current
// snapshot: position delete files in format version 2 (one per data file), deletion vectors in
// format version 3, each merged with the data file's previous deletion vector or file-scoped
// delete file, which the change removes. `live` is LiveFiles() of the snapshot the positions
// refer to. Errors: kInvalidArgument for an unknown data file or a position past its rows.
Result<SnapshotChange> DeleteRowsChange(objstore::Store* store, const TableMetadata& table,
                                        const std::vector<LiveFile>& live,
                                        std::map<std::string, std::vector<int64_t>> positions);

}  // namespace floe::iceberg
