#pragma once
// One leaf column's buffered values for the current row group, and its encoding into a
// column chunk (internal to src/parquet).
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "parquet/encoding.h"
#include "parquet/schema.h"
#include "parquet/value.h"

namespace floe::parquet {

// Parquet's physical types (parquet.thrift Type; persisted, do not renumber).
enum class Physical : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

// How a leaf's values are held in memory.
enum class Storage : uint8_t { kBool, kInt32, kInt64, kFloat, kDouble, kInt128, kBytes };

struct Leaf {
  const Field* field = nullptr;
  std::vector<std::string> path;
  uint8_t max_def = 0;
  uint8_t max_rep = 0;
  Physical physical = Physical::kByteArray;
  Storage storage = Storage::kBytes;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY only
};

// Sets physical, storage and type_length from leaf->field.
void DescribeLeaf(Leaf* leaf);

// One value of a leaf's storage type, for statistics and bounds. Bytes compare unsigned
// bytewise; int128 is a decimal's unscaled value (signed).
struct Bound {
  int128_t i = 0;
  double d = 0;
  std::string s;
};

// Negative, zero or positive as a < b, a == b, a > b.
int CompareBounds(Storage storage, const Bound& a, const Bound& b);
// Parquet's statistics bytes (PLAIN encoding without a length prefix).
std::string ParquetStatBytes(const Leaf& leaf, const Bound& b);
// Iceberg's single-value binary serialization.
std::string IcebergBoundBytes(const Leaf& leaf, const Bound& b);

struct EncodeOptions {
  size_t page_size = 1 << 20;
  bool dictionary = true;
  size_t dictionary_page_limit = 1 << 20;
  bool boolean_rle = false;
};

// What a column chunk's metadata says about it.
struct ChunkInfo {
  int64_t num_values = 0;  // entries, nulls included
  int64_t null_count = 0;
  int64_t nan_count = 0;
  int64_t uncompressed_size = 0;     // page headers included
  int64_t dictionary_page_size = 0;  // 0: no dictionary page (else it starts the chunk)
  int32_t dictionary_data_pages = 0;
  int32_t plain_data_pages = 0;
  int32_t rle_data_pages = 0;  // booleans with EncodeOptions::boolean_rle
  bool has_bounds = false;
  Bound min, max;
};

class ColumnBuffer {
 public:
  explicit ColumnBuffer(const Leaf* leaf);

  // One entry: levels always, a value only when def == max_def (then push the value too).
  void Levels(uint8_t rep, uint8_t def) {
    if (leaf_->max_rep > 0) rep_.push_back(rep);
    if (leaf_->max_def > 0) def_.push_back(def);
    ++entries_;
  }
  void PushBool(bool v) { bools_.push_back(v ? 1 : 0); }
  void PushInt32(int32_t v) { i32_.push_back(v); }
  void PushInt64(int64_t v) { i64_.push_back(v); }
  void PushFloat(float v) { f32_.push_back(v); }
  void PushDouble(double v) { f64_.push_back(v); }
  void PushInt128(int128_t v) { i128_.push_back(v); }
  void PushBytes(const char* p, size_t n) {
    bytes_.append(p, n);
    offsets_.push_back(bytes_.size());
  }

  // Appends a flat column: `n` entries, `valid` (nullable) marking present slots.
  void AppendSlots(const void* values, const uint8_t* valid, size_t n);

  size_t entries() const { return entries_; }
  size_t value_count() const;
  // Estimated uncompressed bytes held.
  size_t EstimatedBytes() const;

  // Encodes the buffered entries as one column chunk and clears the buffer. The chunk is
  // *dictionary_page (replaced; empty when there is none) followed by *data_pages (replaced):
  // two buffers, because the dictionary is complete only after the last data page.
  Status Encode(const EncodeOptions& options, Compressor* compressor, std::string* dictionary_page,
                std::string* data_pages, ChunkInfo* info);

 private:
  struct PageSpan {
    size_t e0, e1, v0, v1;
  };
  size_t ValueSize(size_t v) const;
  std::vector<PageSpan> CutPages(size_t page_size) const;
  void ComputeStats(ChunkInfo* info) const;
  void PlainValues(size_t v0, size_t v1, std::string* out) const;
  void Clear();

  const Leaf* leaf_;
  size_t entries_ = 0;
  std::vector<uint8_t> rep_, def_;
  std::vector<uint8_t> bools_;
  std::vector<int32_t> i32_;
  std::vector<int64_t> i64_;
  std::vector<float> f32_;
  std::vector<double> f64_;
  std::vector<int128_t> i128_;
  std::string bytes_;
  std::vector<uint64_t> offsets_{0};  // value k spans bytes_[offsets_[k], offsets_[k+1])
};

}  // namespace floe::parquet
