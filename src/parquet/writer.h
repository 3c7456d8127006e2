#pragma once
// A streaming Parquet writer (format 2.x footer, data page v1), written to the Parquet
// specification; docs/formats/parquet.md says what it writes and why.
//
// Rows (AppendRow) or column batches (AppendBatch) are buffered per leaf column until the row
// group reaches options.row_group_bytes (estimated, uncompressed) or row_group_rows; then each
// column chunk is encoded (dictionary or plain, in pages of about options.page_size),
// compressed and written to the sink. Memory is bounded by one row group plus one encoded
// column chunk. Close writes the footer and reports what an Iceberg data_file entry needs.
//
// Thread safety: none; one writer per thread. A failed append leaves the writer unchanged
// (values are checked before anything is buffered); a failed sink write makes the writer
// unusable (every later call returns the same error).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "parquet/schema.h"
#include "parquet/value.h"

namespace floe::parquet {

// Where the bytes go. Write is called with the file's bytes in order.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status Write(const void* data, size_t size) = 0;
};

// Appends to a string (tests, small files).
class StringSink : public Sink {
 public:
  Status Write(const void* data, size_t size) override {
    out_.append(static_cast<const char*>(data), size);
    return Status::Ok();
  }
  std::string& str() { return out_; }

 private:
  std::string out_;
};

// Writes a new file (truncating an existing one). Close flushes and, if asked, fsyncs.
class FileSink : public Sink {
 public:
  static Result<std::unique_ptr<FileSink>> Create(const std::string& path);
  ~FileSink() override;
  Status Write(const void* data, size_t size) override;
  Status Close(bool sync);

 private:
  explicit FileSink(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  Status Flush();
  int fd_;
  std::string path_;
  std::string buffer_;
};

enum class Codec : uint8_t { kUncompressed, kSnappy, kGzip, kZstd };

// "uncompressed", "snappy", "gzip", "zstd" (case-insensitive).
Result<Codec> ParseCodec(std::string_view name);
const char* CodecName(Codec codec);

struct WriterOptions {
  Codec codec = Codec::kZstd;
  int compression_level = 0;               // 0: the codec's default (zstd 3, gzip 6)
  size_t page_size = 1 << 20;              // target uncompressed bytes of values per data page
  size_t row_group_bytes = 128u << 20;     // estimated uncompressed bytes buffered per row group
  size_t row_group_rows = 0;               // 0: no row limit
  bool dictionary = true;                  // try RLE_DICTIONARY before PLAIN
  size_t dictionary_page_limit = 1 << 20;  // past this, the rest of the chunk falls back to PLAIN
  // Booleans as RLE (the hybrid at bit width 1) instead of PLAIN bits: smaller for runs, but
  // readers older than Spark 3.3's vectorized reader refuse RLE booleans in v1 pages.
  bool boolean_rle = false;
  std::vector<std::pair<std::string, std::string>> metadata;  // footer key/value metadata
};

// One top-level primitive column of a batch: `values` holds one slot per row (slots of null
// rows are ignored), typed by the field:
//   boolean: uint8_t (0/1); int, date, decimal with precision <= 9: int32_t;
//   long, time, timestamp(tz), decimal with precision <= 18: int64_t; float; double;
//   decimal with precision > 18: int128_t (unscaled);
//   string, binary, fixed, uuid: std::string_view.
// `valid` (one byte per row, nonzero = present) may be null when every row is present.
struct ColumnBatch {
  const void* values = nullptr;
  const uint8_t* valid = nullptr;
};

// Per leaf column of the file, summed over its row groups: what Iceberg's data_file needs.
struct ColumnMetrics {
  int32_t field_id = 0;
  std::vector<std::string> path;  // Parquet path, e.g. {"tags", "list", "element"}
  int64_t value_count = 0;        // leaf entries, nulls included (Parquet num_values)
  int64_t null_count = 0;
  int64_t nan_count = 0;        // float and double only
  int64_t compressed_size = 0;  // bytes of the column's chunks, page headers included
  // Bounds in Iceberg's single-value binary serialization, present when the column has at
  // least one non-null, non-NaN value.
  std::optional<std::string> lower_bound;
  std::optional<std::string> upper_bound;
};

struct FileMetrics {
  int64_t row_count = 0;
  int64_t file_size = 0;
  std::vector<int64_t> split_offsets;  // start of each row group
  std::vector<ColumnMetrics> columns;  // leaf columns, in schema order
};

class Writer {
 public:
  // Writes the leading magic. Errors: kInvalidArgument for a bad schema or options.
  static Result<std::unique_ptr<Writer>> Open(Schema schema, Sink* sink, WriterOptions options = {});
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // `row` is a Value::Struct with one value per top-level field.
  // Errors: kInvalidArgument naming the field (type mismatch, null in a required field, out
  // of range, invalid UTF-8 in a string, wrong fixed length); nothing is buffered then.
  Status AppendRow(const Value& row);

  // `columns` has one entry per top-level field; every field must be primitive.
  // Errors as AppendRow; a failing batch buffers nothing.
  Status AppendBatch(size_t num_rows, std::span<const ColumnBatch> columns);

  // Encodes and writes the buffered rows as a row group now (no-op when empty).
  Status FlushRowGroup();

  // Flushes, writes the footer. REQUIRES: called once; the writer is done afterwards.
  Result<FileMetrics> Close();

  int64_t rows_written() const;
  size_t buffered_bytes() const;
  const Schema& schema() const;

 private:
  struct Impl;
  explicit Writer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace floe::parquet
