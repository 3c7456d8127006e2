#pragma once
// Deletion vectors (table format version 3): the deleted row positions of one data file as a
// 64-bit Roaring bitmap in a "deletion-vector-v1" blob of a Puffin file (Iceberg's Puffin
// spec). docs/formats/iceberg.md describes the bytes.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "iceberg/manifest.h"
#include "iceberg/metadata.h"

namespace floe::objstore {
class Store;
}

namespace floe::iceberg {

// The row-position metadata column (_pos) a deletion vector covers.
inline constexpr int32_t kRowPositionFieldId = 2147483645;

// The deletion-vector-v1 blob of sorted, distinct positions: big-endian length of magic and
// bitmap, the magic D1 D3 39 64, the portable 64-bit Roaring bitmap, big-endian CRC-32 of
// magic and bitmap.
std::string EncodeDeletionVector(const std::vector<int64_t>& positions);
// Errors: kCorruption (bad length, magic, checksum or bitmap).
Result<std::vector<int64_t>> DecodeDeletionVector(std::string_view blob);

// Writes a deletion vector (one Puffin file each) per target data file and returns their
// delete-file entries (content position deletes, format PUFFIN, referenced data file, content
// offset and size, record count = cardinality). Positions must already include those of any
// deletes the vector replaces (see MergePreviousDeletes). Errors: kInvalidArgument below v3.
struct DeletionVectorInput {
  std::string data_file;
  std::vector<parquet::Value> partition;
  int32_t spec_id = 0;
  std::vector<int64_t> positions;
};
Result<std::vector<DataFile>> WriteDeletionVectors(objstore::Store* store, const TableMetadata& table,
                                                   std::vector<DeletionVectorInput> inputs);

// The positions a deletion vector entry holds (reads its blob from the Puffin file).
Result<std::vector<int64_t>> ReadDeletionVector(objstore::Store* store, const DataFile& dv);

// The deleted positions of `data_file` in one delete file: a deletion vector, or the rows of a
// Parquet position delete file that name it.
Result<std::vector<int64_t>> ReadPositions(objstore::Store* store, const DataFile& del, const std::string& data_file);

}  // namespace floe::iceberg
