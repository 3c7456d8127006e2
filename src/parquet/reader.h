#pragma once
// A Parquet reader for the files Iceberg tables hold: floe's own and other writers' files
// with data pages v1 or v2, PLAIN and dictionary encodings, the RLE / bit-packed hybrid, and
// the codecs uncompressed, snappy, gzip and zstd. Schemas are read back into floe's Iceberg
// model (field ids from the footer; three-level LIST and MAP groups).
//
// Not supported (kInvalidArgument naming it): DELTA_* and BYTE_STREAM_SPLIT encodings,
// INT96, LZ4 and Brotli, two-level legacy lists.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "parquet/schema.h"
#include "parquet/value.h"

namespace floe::parquet {

class Reader {
 public:
  // `file` holds the whole file. Errors: kCorruption for a malformed file.
  static Result<std::unique_ptr<Reader>> Open(std::string file);
  ~Reader();

  const Schema& schema() const;
  int64_t num_rows() const;
  const std::vector<std::pair<std::string, std::string>>& metadata() const;

  // Every row, as Value::Struct rows in file order (values typed as Writer::AppendRow takes
  // them). Errors: kCorruption, kInvalidArgument for an unsupported encoding or codec.
  Result<std::vector<Value>> ReadAll();

 private:
  struct Impl;
  Reader();
  std::unique_ptr<Impl> impl_;
};

}  // namespace floe::parquet
